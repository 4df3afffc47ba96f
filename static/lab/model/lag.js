// The lag chapter's part of the model: the two lags per partition over time (committed lag from
// the broker's samples, position lag from the owning consumer's own metrics), Burrow's ring of
// commits as slots, and which consumer the inside view (`consumer.metrics()`) shows. Pure: no
// DOM, no timers; times come from the events.

import { kNum } from '../format.js';
import { LAG_MS, LIVE, part } from './state.js';

/** The lag graph keeps the last 3 minutes (LAG_MS). */
export const LAG_GRAPH_MS = LAG_MS;
/** At most this many points per series (a bounded buffer whatever the event rate). */
export const LAG_POINTS_MAX = 1500;

/** Appends {t, v} to a series (v null: a gap); repeats and late points add nothing. */
export function pushPoint(series, t, v, now = t) {
  const last = series[series.length - 1];
  if (last && (t < last.t || last.v === v)) return false;
  series.push({ t, v });
  trimSeries(series, now);
  return true;
}

/**
 * Drops points left of the window, keeping the last one before it (the line starts at its
 * value), and keeps at most LAG_POINTS_MAX points.
 */
export function trimSeries(series, now) {
  const cut = now - LAG_GRAPH_MS;
  let i = 0;
  while (i + 1 < series.length && series[i + 1].t <= cut) i++;
  if (i > 0) series.splice(0, i);
  if (series.length > LAG_POINTS_MAX) series.splice(0, series.length - LAG_POINTS_MAX);
}

/** A broker sample's committed lag (log-end − committed) for the partition. */
export function committedSample(pt, t, lag) {
  if (typeof lag !== 'number') return;
  pt.sampled = lag;
  pushPoint(pt.lagHist, t, lag);
}

/**
 * A consumer's own metrics report (one thread of it): kept on the consumer (the newest report,
 * and per partition its position lag), and the partitions it owns get a position-lag point.
 */
export function clientReport(m, c, ev) {
  clientFields(c, ev);
  for (const pt of m.partitions) {
    const v = positionLag(m, pt.p);
    pushPoint(pt.posHist, ev.ts, v);
  }
  m.rev.inside++;
  m.rev.lag++;
}

function clientFields(c, ev) {
  const who = ev.thread || '';
  c.metrics = {
    ts: typeof ev.ts === 'number' ? ev.ts : null,
    thread: ev.thread || null,
    records_lag_max: num(ev.records_lag_max),
    fetch_rate: num(ev.fetch_rate),
    fetch_size_avg: num(ev.fetch_size_avg),
    records_consumed_rate: num(ev.records_consumed_rate),
  };
  for (const [p, e] of c.partLag) if (e.thread === who) c.partLag.delete(p);
  for (const pl of ev.partitions || []) {
    c.partLag.set(pl.partition, { v: num(pl.position_lag), committed: num(pl.committed_lag), t: c.metrics.ts, thread: who });
  }
}

/** A run view's consumer metrics (the last report, frozen when the consumer is gone). */
export function viewMetrics(c, metrics, now) {
  if (!metrics || c.metrics) return;
  clientFields(c, { ...metrics, ts: now, thread: null });
}

/** A consumer is gone: its partitions have no position lag until another reports one. */
export function consumerGone(m, c, t) {
  for (const pt of m.partitions) {
    const last = pt.posHist[pt.posHist.length - 1];
    if (last && last.v !== null) pushPoint(pt.posHist, t, positionLag(m, pt.p));
  }
  m.rev.inside++;
  m.rev.lag++;
}

/** The `lag` event (or a run view's `lag`) as the model keeps it. */
export function lagReportOf(ev) {
  if (!ev) return null;
  return {
    status: ev.status,
    complete: typeof ev.complete === 'number' ? ev.complete : null,
    totallag: typeof ev.totallag === 'number' ? ev.totallag : null,
    partitions: ev.partitions || [],
  };
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The partition's position lag (log-end − position) from the consumer's own view: the owning
 * consumer's latest report when it is live and reports one, else the newest report of any live
 * consumer that reads the partition; null when no live consumer reports it.
 */
export function positionLag(m, p) {
  const pt = part(m, p);
  const owner = pt && pt.owner ? m.consumers.get(pt.owner) : null;
  if (owner && LIVE.has(owner.status)) {
    const e = owner.partLag.get(p);
    if (e && e.v !== null) return e.v;
  }
  let best = null;
  for (const c of m.consumers.values()) {
    if (!LIVE.has(c.status)) continue;
    const e = c.partLag.get(p);
    if (e && e.v !== null && (!best || e.t > best.t)) best = e;
  }
  return best ? best.v : null;
}

/**
 * The consumer the inside view shows: `follow` when it has reported, else the newest consumer
 * that has reported. {c, live} — live false: it is gone and its last values are frozen — or
 * null before any report.
 */
export function insideOf(m, follow) {
  let pick = null;
  const followed = follow ? m.consumers.get(follow) : null;
  if (followed && followed.metrics) {
    pick = followed;
  } else {
    for (const c of m.consumers.values()) if (c.metrics && (!pick || kNum(c.id) > kNum(pick.id))) pick = c;
  }
  if (!pick) return null;
  return { c: pick, metrics: pick.metrics, live: LIVE.has(pick.status) };
}

/**
 * Burrow's ring as `intervals` slots, oldest → newest: the empty slots first (Burrow's ring
 * fills from its end: `evaluatePartitionStatus` drops the leading nil slots), then the commits.
 * A window longer than the ring (never, from the server) keeps its newest commits.
 */
export function ringSlots(window, intervals) {
  const commits = (window || []).slice(-Math.max(1, intervals));
  const n = Math.max(intervals, commits.length);
  const slots = new Array(n - commits.length).fill(null);
  return slots.concat(commits);
}

/**
 * Burrow's settings for this run: the run view's (a run may be created with its own), else the
 * page rules' ({intervals, minDistanceMs, allowedLag, sampleIntervalMs}); the ring's length
 * falls back on what the server's `complete` tells.
 */
export function runBurrow(m, rules) {
  const r = rules || {};
  const v = m.burrow || {};
  const pick = (a, b) => (typeof a === 'number' ? a : typeof b === 'number' ? b : null);
  const intervals = pick(v.intervals, null) ?? ringLength(m.lagReport, pick(r.intervals, null));
  return {
    intervals,
    minDistanceMs: pick(v.min_distance_ms, r.minDistanceMs),
    allowedLag: pick(v.allowed_lag, r.allowedLag),
    sampleIntervalMs: pick(null, r.sampleIntervalMs),
  };
}

/**
 * The run's ring length: the server's `complete` is commits / intervals, so a partition with
 * commits tells it (a run may be created with its own `burrow.intervals`); else `fallback`.
 */
export function ringLength(report, fallback) {
  for (const p of (report && report.partitions) || []) {
    const n = (p.window || []).length;
    if (n > 0 && p.complete > 0) return Math.max(n, Math.round(n / p.complete));
  }
  return fallback;
}
