// Burrow's verdict in words: a group's or a partition's status, and the rule that fired (the
// evaluator's `reason`, with its numbers) as one sentence in the page's language. Pure: no DOM.
// (The lab page has its own version in static/lab/views/; the two may be unified later.)

import { duration, num } from '../lab/format.js';
import { t } from '../lab/i18n.js';

/** Burrow's statuses → their words (the code stays visible in Korean: "경고 WARN"). */
const STATUS_KEYS = {
  NOTFOUND: 'ui.watch.status.notfound',
  OK: 'ui.watch.status.ok',
  WARN: 'ui.watch.status.warn',
  ERR: 'ui.watch.status.err',
  STOP: 'ui.watch.status.stop',
  STALL: 'ui.watch.status.stall',
  REWIND: 'ui.watch.status.rewind',
};

/** A status (`OK`, `WARN`, `STOP`, …) in the page's language; an unknown one as itself. */
export function statusText(status) {
  return STATUS_KEYS[status] ? t(STATUS_KEYS[status]) : String(status || '');
}

/** The CSS state of a status: ok, warn, bad (ERR, STOP, STALL, REWIND) or pending. */
export function statusClass(status) {
  if (status === 'OK') return 'ok';
  if (status === 'WARN') return 'warn';
  if (['ERR', 'STOP', 'STALL', 'REWIND'].includes(status)) return 'bad';
  return 'pending';
}

/** A share 0…1 as a percentage: 0.5 → "50%". */
function pct(v) {
  return `${num(Math.round((Number(v) || 0) * 100))}%`;
}

/** A list of lags: "35 → 70 → 150". */
function lagList(lags) {
  return (lags || []).map((l) => num(l)).join(' → ');
}

/** Each rule's sentence and the values it fills in. */
const RULES = {
  no_commits: ['ui.watch.reason.no_commits', () => ({})],
  incomplete: ['ui.watch.reason.incomplete', (r) => ({ complete: pct(r.complete), minimum: pct(r.minimum) })],
  lag_within_allowed: ['ui.watch.reason.lag_within_allowed', (r) => ({ lag: num(r.current_lag), allowed: num(r.allowed_lag) })],
  stopped: ['ui.watch.reason.stopped', (r) => ({ since: duration(r.since_last_commit_ms), span: duration(r.window_span_ms) })],
  rewound: ['ui.watch.reason.rewound', (r) => ({ index: num(r.index + 1), from: num(r.from), to: num(r.to) })],
  stalled: ['ui.watch.reason.stalled', (r) => ({ offset: num(r.offset) })],
  lag_not_decreasing: ['ui.watch.reason.lag_not_decreasing', (r) => ({ lags: lagList(r.lags) })],
  keeping: ['ui.watch.reason.keeping', (r) => ({ lags: lagList(r.lags) })],
  recent_lag_zero: ['ui.watch.reason.recent_lag_zero', (r) => ({ offset: num(r.last_offset) })],
};

/** The rule that decided a partition, as a sentence with its numbers ('' when unknown). */
export function reasonText(reason) {
  const rule = reason && RULES[reason.rule];
  if (!rule) return '';
  const [key, params] = rule;
  return t(key, params(reason));
}
