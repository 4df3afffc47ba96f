// Consumer lag by Burrow's rules: the group's badge and the rule that fired, and per partition
// its status, its lag (as the server computed it) and a 60 s sparkline with Burrow's window.

import { el, setText, svg } from '../dom.js';
import { agoTick, duration, groupStatusText, lagStatusText, niceMax, partitionsText } from '../format.js';
import { t } from '../i18n.js';
import { LAG_MS } from '../model/run.js';

const SPARK_W = 600; // sparkline user units (the SVG stretches to its box)
const SPARK_H = 40;
/** Partition statuses that make the group WARNING or ERROR, worst first. */
const LAG_SEVERITY = ['rewind', 'stop', 'stall', 'warning'];
/** Burrow's rules, as the panel explains the one that fired. */
const LAG_RULE_KEYS = {
  ok: 'ui.lag.rule.ok',
  warning: 'ui.lag.rule.warning',
  stall: 'ui.lag.rule.stall',
  stop: 'ui.lag.rule.stop',
  rewind: 'ui.lag.rule.rewind',
};

function lagRule(status) {
  return LAG_RULE_KEYS[status] ? t(LAG_RULE_KEYS[status]) : null;
}

const GROUP_SYMBOLS = { ok: '✓', warning: '▲', error: '✕', pending: '' };

/** box: the panel's container; win: Burrow's window {samples, intervalMs, windowMs} (each may be null). */
export function createLagView(box, win) {
  const rowEls = new Map(); // partition → {row, status, num, area, line}
  let els = null;

  function build(m) {
    if (!box) return;
    box.classList.toggle('many', m.partitions.length > 12);
    const badge = el('span', { class: 'lag-badge', dataset: { status: 'pending' } },
      el('span', { class: 'sym', 'aria-hidden': 'true', hidden: true }),
      el('span', { class: 'word' }, groupStatusText('pending')));
    const rule = el('p', { class: 'lag-rule', dataset: { status: 'pending' } });
    const rows = el('div', { class: 'lag-rows' });
    const winW = win.windowMs === null ? 0 : (SPARK_W * Math.min(win.windowMs, LAG_MS)) / LAG_MS;
    for (const part of m.partitions) {
      const status = el('span', { class: 'lag-status', dataset: { status: 'pending' } }, '—');
      const num = el('span', { class: 'lag-num' }, '–');
      const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
      const area = svg('path', { class: 'area' });
      const line = svg('path', { class: 'line', 'vector-effect': 'non-scaling-stroke' });
      chart.append(svg('rect', { class: 'win', x: SPARK_W - winW, y: 0, width: winW, height: SPARK_H }), area, line);
      const row = el('div', { class: 'lag-row', dataset: { partition: part.p, status: 'pending' }, role: 'group', 'aria-label': t('ui.lag.row_label', { p: part.p }) },
        el('span', { class: 'pnum' }, `P${part.p}`), status,
        el('span', { class: 'lag-val' }, num, el('span', { class: 'lag-unit' }, t('ui.lag.unit'))),
        el('div', { class: 'spark-wrap' }, chart));
      rowEls.set(part.p, { row, status, num, area, line });
      rows.append(row);
    }
    const ticks = [60, 45, 30, 15, 0].map((sec) => el('span', { style: `left:${((60 - sec) / 60) * 100}%` }, agoTick(sec)));
    const scale = el('span', { class: 'lag-scale' });
    const foot = el('div', { class: 'lag-foot', 'aria-hidden': 'true' },
      el('span', { class: 'lag-axis-note' }, scale, ' · ', el('span', { class: 'win-swatch' }), t('ui.lag.window')),
      el('div', { class: 'lag-ticks' }, ...ticks));
    box.append(el('div', { class: 'lag-head', role: 'status', 'aria-live': 'polite' }, badge, rule), rows, foot);
    els = { badge, rule, scale };
  }

  /** The rule that fired, in one line: the worst first, then the others. */
  function ruleText(m, report) {
    if (!report) {
      return win.windowMs === null
        ? t('ui.lag.not_rated')
        : t('ui.lag.not_rated_window', { samples: win.samples, every: duration(win.intervalMs), window: duration(win.windowMs) });
    }
    const by = new Map();
    for (const p of report.partitions || []) {
      if (!by.has(p.status)) by.set(p.status, []);
      by.get(p.status).push(p.partition);
    }
    const fired = LAG_SEVERITY.filter((st) => by.has(st));
    if (!fired.length) {
      return win.windowMs === null
        ? t('ui.lag.all_ok', { status: lagStatusText('ok'), rule: lagRule('ok') })
        : t('ui.lag.all_ok_window', { status: lagStatusText('ok'), rule: lagRule('ok'), window: duration(win.windowMs) });
    }
    const [worst, ...rest] = fired;
    const many = m.partitions.length > 1;
    const text = many
      ? t('ui.lag.fired_on', { status: lagStatusText(worst), partitions: partitionsText(by.get(worst)), rule: lagRule(worst) })
      : t('ui.lag.fired', { status: lagStatusText(worst), rule: lagRule(worst) });
    if (!rest.length) return text;
    const others = rest.map((st) => (many ? t('ui.lag.also_on', { status: lagStatusText(st), partitions: partitionsText(by.get(st)) }) : lagStatusText(st)));
    return t('ui.lag.fired_also', { fired: text, others: others.join(', ') });
  }

  function draw(m, now) {
    if (!els) return;
    const d = els;
    const report = m.lagReport;
    const group = report ? report.status : 'pending';
    if (d.badge.dataset.status !== group) {
      d.badge.dataset.status = group;
      d.rule.dataset.status = group;
      d.badge.firstChild.hidden = !GROUP_SYMBOLS[group];
      setText(d.badge.firstChild, GROUP_SYMBOLS[group] || '?');
      setText(d.badge.lastChild, groupStatusText(group));
    }
    d.badge.title = report ? t('ui.lag.badge_title', { status: groupStatusText(group) }) : t('ui.lag.badge_pending');
    setText(d.rule, ruleText(m, report));
    const statuses = new Map((report ? report.partitions : []).map((p) => [p.partition, p.status]));
    // One scale for every partition, so their lines compare.
    const from = now - LAG_MS;
    let top = 0;
    for (const part of m.partitions) {
      for (const pt of part.lagHist) if (pt.t >= from - 1000 || pt === part.lagHist[part.lagHist.length - 1]) top = Math.max(top, pt.lag);
    }
    const max = niceMax(top);
    setText(d.scale, t('ui.lag.scale', { max }));
    const X = (t) => Math.max(0, Math.min(SPARK_W, ((t - from) / LAG_MS) * SPARK_W));
    const Y = (v) => (SPARK_H - 1.5 - (Math.min(v, max) / max) * (SPARK_H - 4)).toFixed(2);
    for (const part of m.partitions) {
      const pd = rowEls.get(part.p);
      if (!pd) continue;
      const st = statuses.get(part.p) || 'pending';
      if (pd.row.dataset.status !== st) {
        pd.row.dataset.status = st;
        pd.status.dataset.status = st;
        setText(pd.status, st === 'pending' ? '—' : lagStatusText(st));
      }
      const rule = st === 'stop' && part.committed === null ? t('ui.lag.rule.stop_none') : lagRule(st);
      pd.status.title = rule ? t('ui.lag.status_title', { status: lagStatusText(st), rule }) : t('ui.lag.not_evaluated');
      setText(pd.num, part.sampled === null ? '–' : String(part.sampled));
      // A step line: each sample holds until the next one; the last one holds until now.
      const hist = part.lagHist;
      let i = hist.length - 1;
      while (i >= 0 && hist[i].t > from) i--;
      let path = '';
      let x0 = 0;
      if (i >= 0) path = `M0 ${Y(hist[i].lag)}`;
      for (let j = i + 1; j < hist.length; j++) {
        const x = X(hist[j].t).toFixed(1);
        if (!path) {
          x0 = x;
          path = `M${x} ${Y(hist[j].lag)}`;
        } else {
          path += `H${x}V${Y(hist[j].lag)}`;
        }
      }
      if (path) path += `H${SPARK_W}`;
      if (pd.line.getAttribute('d') !== path) {
        pd.line.setAttribute('d', path);
        pd.area.setAttribute('d', path ? `${path}V${SPARK_H}H${x0}Z` : '');
      }
    }
  }

  return { build, draw, built: () => !!els };
}
