// The inside view: the consumer's own lag, as Java's `consumer.metrics()` reports it —
// records-lag-max, fetch-rate, fetch-size-avg, records-consumed-rate — for the newest consumer
// that reported (librdkafka's statistics, once a second). When that consumer is killed or exits
// the panel freezes on its last values, greys out and says so: a dead consumer reports nothing
// (the course's p.117), while the outside view goes on.

import { el, setText } from '../dom.js';
import { clock, num } from '../format.js';
import { t } from '../i18n.js';
import { insideOf } from '../model/run.js';

/** The four metrics: the Java name, how the value is written, and where it comes from (lib: a librdkafka statistic). */
export const METRICS = [
  { key: 'records_lag_max', name: 'records-lag-max', unit: 'ui.inside.unit.records', digits: 0, what: 'ui.inside.lag_max.what', src: 'ui.inside.lag_max.src', lib: true },
  { key: 'fetch_rate', name: 'fetch-rate', unit: 'ui.inside.unit.per_s', digits: 1, what: 'ui.inside.fetch_rate.what', src: 'ui.inside.fetch_rate.src', lib: true },
  { key: 'fetch_size_avg', name: 'fetch-size-avg', unit: 'ui.inside.unit.bytes', digits: 0, what: 'ui.inside.fetch_size.what', src: 'ui.inside.fetch_size.src', lib: true },
  { key: 'records_consumed_rate', name: 'records-consumed-rate', unit: 'ui.inside.unit.per_s', digits: 1, what: 'ui.inside.consumed_rate.what', src: 'ui.inside.consumed_rate.src' },
];

/**
 * What the panel shows, pure: {state: 'waiting' | 'live' | 'gone', consumer, at (the last
 * report's time, or null), values: {records-lag-max: "150", …} ('–' for a value the consumer
 * did not know), note (the line under the consumer's name)}.
 */
export function insideState(m, follow) {
  const pick = insideOf(m, follow);
  if (!pick) {
    return { state: 'waiting', consumer: null, at: null, values: Object.fromEntries(METRICS.map((x) => [x.name, '–'])), note: t('ui.inside.waiting') };
  }
  const values = {};
  for (const x of METRICS) {
    const v = pick.metrics[x.key];
    values[x.name] = typeof v === 'number' ? t(x.unit, { n: num(Number(v.toFixed(x.digits))) }) : '–';
  }
  const at = pick.metrics.ts;
  const who = pick.metrics.thread ? `${pick.c.id}/${pick.metrics.thread}` : pick.c.id;
  let note;
  if (pick.live) note = t('ui.inside.live', { consumer: who });
  else if (at !== null) note = t('ui.inside.gone_at', { consumer: who, time: clock(at) });
  else note = t('ui.inside.gone_last', { consumer: who });
  return { state: pick.live ? 'live' : 'gone', consumer: pick.c.id, at, values, note };
}

/** panel: the inside view's section (shown by the caller); box: where the metrics go. */
export function createInsideView(box) {
  let els = null;

  function build() {
    if (!box) return;
    const note = el('p', { class: 'inside-note' });
    const gone = el('p', { class: 'inside-gone', role: 'status', hidden: true }, t('ui.inside.gone'));
    const list = el('dl', { class: 'inside-metrics' });
    const values = new Map();
    for (const x of METRICS) {
      const value = el('dd', { class: 'value' }, '–');
      values.set(x.name, value);
      list.append(el('div', { class: 'metric', dataset: { metric: x.name } },
        el('dt', {}, el('code', { class: 'java-name' }, x.name), el('span', { class: 'what' }, t(x.what))),
        value,
        el('dd', { class: 'src' }, x.lib ? el('span', { class: 'lib' }, 'librdkafka: ') : null, t(x.src))));
    }
    box.dataset.state = 'waiting';
    box.append(note, gone, list);
    els = { note, gone, values };
  }

  function draw(m, follow) {
    if (!els) return;
    const s = insideState(m, follow);
    if (box.dataset.state !== s.state) box.dataset.state = s.state;
    els.gone.hidden = s.state !== 'gone';
    setText(els.note, s.note);
    for (const [name, node] of els.values) setText(node, s.values[name]);
  }

  return { build, draw, built: () => !!els };
}
