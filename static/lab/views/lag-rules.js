// Burrow's verdicts in words: which rule fired on a partition, with the numbers that made it
// fire, as one sentence in the page's language ("no commit for 12.3 s, longer than the window
// spans (8.0 s) → STOP"), and Burrow's settings as the page explains them. Pure: no DOM.

import { duration, num } from '../format.js';
import { formatNumber, pageLang, t } from '../i18n.js';

const tenths = new Map(); // lang → Intl.NumberFormat with one decimal

/** "12.3 s" / "12.3초": seconds with one decimal (the numbers Burrow's time rule compares). */
export function seconds(msValue) {
  const lang = pageLang();
  if (!tenths.has(lang)) tenths.set(lang, new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  return t('ui.unit.s', { n: tenths.get(lang).format(Math.max(0, msValue) / 1000) });
}

/** "35 → 70 → 150"; a long list keeps its first two and last five ("35 → 40 → … → 150"). */
export function lagsText(lags) {
  const list = (lags || []).map((v) => num(v));
  const shown = list.length > 8 ? [...list.slice(0, 2), '…', ...list.slice(-5)] : list;
  return shown.join(' → ');
}

/** A share as a percentage: 0.5 → "50%". */
export function percent(share) {
  return `${formatNumber(Math.round((share || 0) * 100))}%`;
}

/**
 * The sentence for a partition of the `lag` event (`p`: {status, reason, window, current_lag}).
 * `now` (server time, ms) makes "no commit for …" count up between events; without it the
 * event's own numbers are said. `allowedLag`: Burrow's allowed lag (0 by default).
 */
export function ruleSentence(p, now, allowedLag = 0) {
  const r = (p && p.reason) || {};
  const status = p && p.status ? p.status : 'OK';
  const win = (p && p.window) || [];
  const last = win.length ? win[win.length - 1] : null;
  const since = () => (typeof now === 'number' && last ? now - last.timestamp : r.since_last_commit_ms);
  switch (r.rule) {
    case 'no_commits':
      return t('ui.lag.rule.no_commits', { status });
    case 'incomplete':
      return t('ui.lag.rule.incomplete', { complete: percent(r.complete), minimum: percent(r.minimum), status });
    case 'lag_within_allowed':
      return t('ui.lag.rule.lag_within_allowed', { lag: num(r.current_lag), allowed: num(r.allowed_lag), status });
    case 'stopped':
      return t('ui.lag.rule.stopped', { since: seconds(since()), span: seconds(r.window_span_ms), status });
    case 'rewound':
      return t('ui.lag.rule.rewound', { from: num(r.from), to: num(r.to), status });
    case 'stalled':
      return t('ui.lag.rule.stalled', { offset: num(r.offset), status });
    case 'lag_not_decreasing':
      return t('ui.lag.rule.lag_not_decreasing', { lags: lagsText(r.lags), status });
    case 'keeping': {
      const lags = r.lags || [];
      if (!lags.length) return t('ui.lag.rule.keeping', { status });
      const zero = lags.some((v) => v <= allowedLag);
      return t(zero ? 'ui.lag.rule.keeping_zero' : 'ui.lag.rule.keeping_down', { lags: lagsText(lags), status });
    }
    case 'recent_lag_zero':
      return t('ui.lag.rule.recent_lag_zero', { since: seconds(since() || 0), offset: num(r.last_offset), status });
    default:
      return t('ui.lag.rule.unknown', { status, rule: String(r.rule || '?') });
  }
}

/** Every rule the server names (src/domain/burrow.rs `Reason`). */
export const RULES = [
  'no_commits', 'incomplete', 'lag_within_allowed', 'stopped', 'rewound', 'stalled', 'lag_not_decreasing', 'keeping',
  'recent_lag_zero',
];

/**
 * Burrow's settings as the panel explains them: a window of N commits per partition, commits
 * closer than X merged, lag ≤ allowed counted as none, the broker sampled every Y.
 * b: {intervals, minDistanceMs, allowedLag, sampleIntervalMs} (each may be null).
 */
export function settingsText(b) {
  if (!b || b.intervals === null || b.intervals === undefined) return t('ui.lag.settings_unknown');
  const parts = [t('ui.lag.settings_window', { n: num(b.intervals) })];
  if (b.minDistanceMs) parts.push(t('ui.lag.settings_distance', { distance: duration(b.minDistanceMs) }));
  parts.push(t('ui.lag.settings_allowed', { allowed: num(b.allowedLag || 0) }));
  if (b.sampleIntervalMs) parts.push(t('ui.lag.settings_sampled', { every: duration(b.sampleIntervalMs) }));
  return parts.join(' · ');
}
