// The outside view of consumer lag, as Burrow sees the group: its status (NOTFOUND / OK / WARN /
// ERR), `complete` and `totallag`; per partition its status, the committed lag (broker samples)
// beside the position lag (the owning consumer's own metrics), Burrow's window — the ring of
// the last commits, each with its offset and the lag at commit time — and which rule fired, with
// its numbers; under it the two lags over time. The sentences come from lag-rules.js.

import { el, setText } from '../dom.js';
import { agoTick, clock, lagStatusText, lagWord, niceMax, num, partitionsText } from '../format.js';
import { t } from '../i18n.js';
import { LAG_MS, positionLag, ringSlots, runBurrow } from '../model/run.js';
import { createLagGraph, visibleMax } from './lag-graph.js';
import { ruleSentence, settingsText } from './lag-rules.js';

/** Partition statuses, worst first (the group sentence names the worst ones). */
const SEVERITY = ['REWIND', 'STALL', 'STOP', 'WARN'];
const TICKS_S = [180, 120, 60, 0];

/**
 * A ring of commits as the panel draws it: per slot {empty} or {offset, lag, timestamp, height
 * (0…1 of the ring's largest lag), down (lag went down: WARN cleared), zero (lag ≤ allowed),
 * back (offset went backwards: REWIND)}. Pure.
 */
export function ringView(window, intervals, allowedLag = 0) {
  const slots = ringSlots(window, intervals);
  const top = Math.max(1, ...slots.filter((s) => s && typeof s.lag === 'number').map((s) => s.lag));
  let prevLag = null;
  let prevOffset = null;
  return slots.map((s) => {
    if (!s) return { empty: true };
    const lag = typeof s.lag === 'number' ? s.lag : null;
    const out = {
      empty: false,
      offset: s.offset,
      lag,
      timestamp: s.timestamp,
      height: lag === null ? 0 : lag / top,
      down: lag !== null && prevLag !== null && lag < prevLag,
      zero: lag !== null && lag <= allowedLag,
      back: prevOffset !== null && s.offset < prevOffset,
    };
    if (lag !== null) prevLag = lag;
    prevOffset = s.offset;
    return out;
  });
}

/**
 * The group's line: the worst partitions by status ("STOP on P0–2 → group ERR"), or that every
 * rated partition is OK; before the first commit, that Burrow does not know the group.
 */
export function groupSentence(report) {
  if (!report || report.status === 'NOTFOUND') return t('ui.lag.notfound');
  const by = new Map();
  for (const p of report.partitions || []) {
    if (!by.has(p.status)) by.set(p.status, []);
    by.get(p.status).push(p.partition);
  }
  const fired = SEVERITY.filter((st) => by.has(st));
  if (!fired.length) return t('ui.lag.group_ok', { status: report.status });
  const list = fired.map((st) => t('ui.lag.on', { status: st, partitions: partitionsText(by.get(st)) })).join(' · ');
  return t('ui.lag.group_fired', { list, status: report.status });
}

/**
 * box: the panel's container; burrow: Burrow's settings from the page rules ({intervals,
 * minDistanceMs, allowedLag, sampleIntervalMs}); settingsEl: where they are explained (or null).
 */
export function createLagView(box, burrow, settingsEl) {
  const b = burrow || {}; // the page rules' settings; a run view's own win (runBurrow)
  const rows = new Map(); // partition → its elements
  let els = null;
  let ringN = null;
  let settingsKey = null;

  function build(m) {
    if (!box) return;
    box.classList.toggle('many', m.partitions.length > 12);
    const code = el('span', { class: 'code' }, 'NOTFOUND');
    const word = el('span', { class: 'word' }, lagWord('NOTFOUND'));
    const badge = el('span', { class: 'lag-badge', dataset: { status: 'NOTFOUND' } }, code, word);
    const facts = el('span', { class: 'lag-facts' });
    const rule = el('p', { class: 'lag-rule', dataset: { status: 'NOTFOUND' } });
    const parts = el('div', { class: 'lag-parts' });
    const heads = el('div', { class: 'lag-cols', 'aria-hidden': 'true' },
      el('span'), el('span', {}, t('ui.lag.col.status')),
      el('span', { title: t('ui.lag.col.committed_title') }, t('ui.lag.col.committed')),
      el('span', { title: t('ui.lag.col.position_title') }, t('ui.lag.col.position')),
      el('span', { class: 'ring-col' }, t('ui.lag.col.window')));
    for (const part of m.partitions) {
      const status = el('span', { class: 'lag-status', dataset: { status: 'none' } }, '—');
      const committed = el('span', { class: 'lag-num committed', title: t('ui.lag.col.committed_title') }, '–');
      const position = el('span', { class: 'lag-num position', title: t('ui.lag.col.position_title') }, '–');
      const why = el('p', { class: 'lag-why' }, t('ui.lag.rule.none'));
      const ring = el('div', { class: 'lag-ring', role: 'list', 'aria-label': t('ui.lag.ring_label', { p: part.p }) });
      const caption = el('span', { class: 'ring-caption' });
      const graph = createLagGraph(t('ui.lag.graph_label', { p: part.p }));
      const row = el('div', { class: 'lag-part', dataset: { partition: part.p, status: 'none' }, role: 'group', 'aria-label': t('ui.lag.row_label', { p: part.p }) },
        el('div', { class: 'lag-line' }, el('span', { class: 'pnum' }, `P${part.p}`), status, committed, position,
          el('div', { class: 'ring-wrap' }, ring, caption)),
        why,
        el('div', { class: 'graph-wrap' }, graph.node));
      rows.set(part.p, { row, status, committed, position, why, ring, caption, graph, slots: [], ringKey: '' });
      parts.append(row);
    }
    const scale = el('span', { class: 'lag-scale' });
    const ticks = TICKS_S.map((sec) => el('span', { style: `left:${((TICKS_S[0] - sec) / TICKS_S[0]) * 100}%` }, agoTick(sec)));
    const foot = el('div', { class: 'lag-foot', 'aria-hidden': 'true' },
      el('div', { class: 'lag-ticks' }, ...ticks),
      el('span', { class: 'lag-legend' },
        el('span', { class: 'sw committed-sw' }), t('ui.lag.graph.committed'), ' ',
        el('span', { class: 'sw position-sw' }), t('ui.lag.graph.position'), ' · ', scale));
    box.append(el('div', { class: 'lag-head', role: 'status', 'aria-live': 'polite' }, badge, facts, rule), heads, parts, foot);
    els = { badge, code, word, facts, rule, scale };
  }

  function drawSettings(settings) {
    const key = JSON.stringify(settings);
    if (!settingsEl || settingsKey === key) return;
    settingsKey = key;
    setText(settingsEl, settingsText(settings));
  }

  function drawRing(pd, window, n, allowedLag) {
    const key = `${n}|${JSON.stringify(window || [])}`;
    if (pd.ringKey === key) return;
    pd.ringKey = key;
    const view = ringView(window, n, allowedLag);
    const many = view.length > 12;
    pd.ring.classList.toggle('many', many);
    const nodes = view.map((s) => {
      if (s.empty) return el('span', { class: 'slot empty', role: 'listitem', title: t('ui.lag.slot_empty') });
      const cls = ['slot', s.down ? 'down' : '', s.zero ? 'zero' : '', s.back ? 'back' : ''].filter(Boolean).join(' ');
      const lag = s.lag === null ? '?' : num(s.lag);
      return el('span', { class: cls, role: 'listitem', title: t('ui.lag.slot', { offset: num(s.offset), lag, time: clock(s.timestamp) }) },
        el('span', { class: 'slot-lag' }, lag),
        el('span', { class: 'slot-bar' }, el('span', { class: 'bar', style: `height:${Math.round(s.height * 100)}%` })),
        el('span', { class: 'slot-off' }, `@${num(s.offset)}`));
    });
    pd.ring.replaceChildren(...nodes);
    const filled = view.filter((s) => !s.empty).length;
    setText(pd.caption, t('ui.lag.ring_caption', { n: num(filled), intervals: num(view.length) }));
  }

  function draw(m, now) {
    if (!els) return;
    const d = els;
    const report = m.lagReport;
    const group = report ? report.status : 'NOTFOUND';
    if (d.badge.dataset.status !== group) {
      d.badge.dataset.status = group;
      d.rule.dataset.status = group;
      setText(d.code, group);
      setText(d.word, lagWord(group));
    }
    d.badge.title = report ? t('ui.lag.badge_title', { status: lagStatusText(group) }) : t('ui.lag.badge_notfound');
    setText(d.facts, report ? t('ui.lag.facts', {
      complete: num(Math.round((report.complete || 0) * 100) / 100),
      totallag: num(report.totallag || 0),
    }) : '');
    setText(d.rule, groupSentence(report));
    const settings = runBurrow(m, b);
    const n = settings.intervals || 10;
    const allowedLag = settings.allowedLag || 0;
    if (ringN !== n) {
      ringN = n;
      for (const pd of rows.values()) pd.ringKey = '';
    }
    drawSettings(settings);
    const byP = new Map(((report && report.partitions) || []).map((p) => [p.partition, p]));
    const from = now - LAG_MS;
    const max = niceMax(visibleMax(m.partitions.flatMap((pt) => [pt.lagHist, pt.posHist]), from));
    setText(d.scale, t('ui.lag.scale', { max: num(max) }));
    for (const part of m.partitions) {
      const pd = rows.get(part.p);
      if (!pd) continue;
      const p = byP.get(part.p) || null;
      const st = p ? p.status : 'none';
      if (pd.row.dataset.status !== st) {
        pd.row.dataset.status = st;
        pd.status.dataset.status = st;
        pd.status.replaceChildren(...(p ? [el('span', { class: 'code' }, st), el('span', { class: 'word' }, lagWord(st))] : ['—']));
      }
      pd.status.title = p ? lagStatusText(st) : t('ui.lag.rule.none');
      setText(pd.committed, part.sampled === null ? '–' : num(part.sampled));
      const pos = positionLag(m, part.p);
      setText(pd.position, pos === null ? '–' : num(pos));
      setText(pd.why, p ? ruleSentence(p, now, allowedLag) : t('ui.lag.rule.none'));
      drawRing(pd, p ? p.window : [], n, allowedLag);
      pd.graph.draw(part, from, now, max);
    }
  }

  return { build, draw, built: () => !!els };
}
