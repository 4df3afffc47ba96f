// The A/B view: the same lab twice, side by side (A killed, B stopped). Each side's DOM is a
// clone of `<template id="pane-template">` (templates/lab.html); the guided steps follow what
// both runs did, and their buttons act on both.

import { api, ApiError, errorText } from '../api.js';
import { setText } from '../dom.js';
import { rangesText } from '../format.js';
import { t, tn } from '../i18n.js';
import { LIVE, latest } from '../model/run.js';

/** The two sides; `label` and `title` are read when the page is built (in its language). */
export const SIDES = [
  {
    key: 'A', param: 'run', role: 'kill',
    get label() { return t('ui.ab.side_a_label'); },
    get title() { return t('ui.ab.side_a_title'); },
  },
  {
    key: 'B', param: 'b', role: 'stop',
    get label() { return t('ui.ab.side_b_label'); },
    get title() { return t('ui.ab.side_b_title'); },
  },
];

/** One side's DOM, from the page's template; intervals: Burrow's window in commits, or null. */
export function buildPaneDom(side, intervals) {
  const template = document.getElementById('pane-template');
  const root = template.content.firstElementChild.cloneNode(true);
  root.classList.add(`side-${side.key}`);
  root.dataset.pane = side.key;
  root.setAttribute('aria-label', side.label);
  setText(root.querySelector('.pane-key'), side.key);
  setText(root.querySelector('.pane-what'), side.title);
  root.querySelector('.pane-counters').setAttribute('aria-label', t('ui.ab.counters_label', { side: side.key }));
  const produce = root.querySelector('button[data-action="produce-count"]');
  if (produce) produce.title = t('ui.ab.produce_title', { n: produce.dataset.count, side: side.key });
  root.querySelector('canvas[data-el="timeline"]').setAttribute('aria-label', t('ui.ab.timeline_label', { side: side.key }));
  root.querySelector('[data-el="log"]').setAttribute('aria-label', t('ui.ab.log_label', { side: side.key }));
  const win = root.querySelector('[data-slot="lag-window"]');
  if (win) {
    win.textContent = intervals ? t('ui.ab.lag_window', { n: intervals }) : t('ui.ab.lag_rules');
    win.removeAttribute('data-slot');
  }
  return root;
}

/** Where each side stands; drives the guided steps. n: the records step 1 produces. */
export function abState(panes, n) {
  const sides = panes.map((p) => {
    const m = p.m;
    const cs = [...m.consumers.values()];
    const last = latest(m);
    const live = cs.filter((c) => LIVE.has(c.status));
    const logEnd = m.partitions.reduce((x, part) => Math.max(x, part.logEnd), 0);
    const caughtUp = !!last && m.partitions.every((part) => (last.pos.get(part.p) || 0) >= part.logEnd || part.logEnd === 0);
    const gone = cs.some((c) => !LIVE.has(c.status));
    return {
      pane: p,
      ready: !!p.run && !!p.es,
      produced: n > 0 && logEnd >= n,
      paused: cs.some((c) => c.pausedOnce) || gone,
      live: live.length,
      gone,
      ended: cs.length > 0 && live.length === 0,
      done: cs.length >= 2 && caughtUp && logEnd > 0 && live.length > 0,
    };
  });
  const all = (k) => sides.every((s) => s[k]);
  // A step stays done once the runs are past it.
  const done = { 1: all('produced'), 2: all('paused'), 3: all('gone'), 4: all('done') };
  const enabled = {
    1: all('ready'),
    2: all('ready') && sides.every((s) => s.live === 0),
    3: all('ready') && sides.every((s) => s.live > 0),
    4: all('ready') && all('ended'),
  };
  return { sides, done, enabled };
}

export function renderStrip(panes, n) {
  const strip = document.getElementById('ab-strip');
  if (!strip) return;
  const { sides, done, enabled } = abState(panes, n);
  let current = null;
  for (const step of [1, 2, 3, 4]) if (!done[step] && current === null) current = step;
  for (const li of strip.querySelectorAll('li[data-step]')) {
    const step = Number(li.dataset.step);
    const state = done[step] ? 'done' : step === current ? 'current' : 'todo';
    if (li.dataset.state !== state) li.dataset.state = state;
    const button = li.querySelector('button');
    if (!button.dataset.busy) button.disabled = !enabled[step];
  }
  const outcome = document.getElementById('ab-outcome');
  let text = '';
  if (done[4]) {
    text = sides.map((s) => {
      const l = s.pane.m.ledger;
      const dups = l ? l.duplicates : 0;
      const offsets = l ? l.partitions.flatMap((pr) => pr.duplicate_offsets) : [];
      return offsets.length
        ? tn('ui.ab.outcome_dups_at', dups, { side: s.pane.key, offsets: rangesText(offsets) })
        : tn('ui.ab.outcome_dups', dups, { side: s.pane.key });
    }).join(' · ');
  } else if (done[3] && !sides.every((s) => s.ended)) {
    text = t('ui.ab.outcome_restarted');
  } else if (done[3]) {
    const [a, b] = sides.map((x) => x.pane.m.partitions[0] && x.pane.m.partitions[0].committed);
    const none = (v) => v === null || v === undefined;
    text = [
      none(a) ? t('ui.ab.outcome_a_none') : t('ui.ab.outcome_a', { offset: a }),
      none(b) ? t('ui.ab.outcome_b_none') : t('ui.ab.outcome_b', { offset: b }),
      t('ui.ab.outcome_compare'),
    ].join(' ');
  } else if (done[2]) {
    text = t('ui.ab.outcome_paused');
  }
  setText(outcome, text);
}

/**
 * A guided step's button, on both runs at once. Resolves when both answered; throws an
 * ApiError naming each side's refusal.
 */
export async function abAction(action, panes, n, settings) {
  const each = async (fn) => {
    const results = await Promise.allSettled(panes.map(fn));
    const bad = results.map((r, i) => [panes[i], r]).filter(([, r]) => r.status === 'rejected');
    if (!bad.length) return;
    const first = bad[0][1].reason;
    if (!(first instanceof ApiError)) throw first;
    throw new ApiError(first.status, bad.map(([p, r]) => t('ui.ab.side_error', { side: p.key, error: errorText(r.reason) })).join('; '), first.field);
  };
  switch (action) {
    case 'ab-produce':
      return each((p) => p.produceCount(n));
    case 'ab-start':
    case 'ab-restart':
      return each((p) => api('POST', `${p.apiBase()}/consumers`, settings.overrides()));
    case 'ab-end':
      return each((p) => {
        const c = [...p.m.consumers.values()].filter((x) => LIVE.has(x.status)).pop();
        if (!c) return Promise.resolve();
        return api('POST', `${p.apiBase()}/consumers/${encodeURIComponent(c.id)}/${p.key === 'A' ? 'kill' : 'stop'}`);
      });
    default:
      return null;
  }
}
