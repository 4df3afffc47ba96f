// Questions the views ask of a run's model. Pure.

import { kNum } from '../format.js';
import { LAG_MS, LIVE, part } from './state.js';

export { swimMoving } from './ownership.js';

/** Processed more than once within one consumer group (the ledger's rule), from the record events. */
export function clientDup(m, r) {
  if (m.gapSeen || r.by.length < 2) return false;
  return new Set(r.groups).size < r.groups.length;
}

/** Whether offset o of a partition is a duplicate: the ledger says so, or the record events do. */
export function isDup(m, pt, o) {
  const r = pt.recs.get(o);
  return pt.ledgerDup.has(o) || (!!r && clientDup(m, r));
}

/** Records processed by a consumer but not committed (on the partitions it reads). */
export function uncommitted(m, c) {
  let n = 0;
  for (const [p, pos] of c.pos) {
    if (LIVE.has(c.status) && c.assigned.size && !c.assigned.has(p)) continue;
    const pt = part(m, p);
    if (!pt) continue;
    const base = pt.committed === null ? c.first.get(p) : pt.committed;
    n += Math.max(0, pos - base);
  }
  return n;
}

export function liveCount(m) {
  let n = 0;
  for (const c of m.consumers.values()) if (LIVE.has(c.status)) n += 1;
  return n;
}

/** The newest consumer incarnation, or null. */
export function latest(m) {
  let best = null;
  for (const c of m.consumers.values()) if (!best || kNum(c.id) > kNum(best.id)) best = c;
  return best;
}

/** The lowest offset any consumer processed first on the partition, or null. */
export function firstProcessed(m, pt) {
  let min = null;
  for (const c of m.consumers.values()) {
    const f = c.first.get(pt.p);
    if (f !== undefined && (min === null || f < min)) min = f;
  }
  return min;
}

/** The furthest position (last processed + 1) of any consumer on the partition, or null. */
export function maxPosition(m, pt) {
  let max = null;
  for (const c of m.consumers.values()) {
    const pos = c.pos.get(pt.p);
    if (pos !== undefined && (max === null || pos > max)) max = pos;
  }
  return max;
}

/** Lag as the lane head shows it: log-end − committed (log-end when nothing is committed). */
export function laneLag(pt) {
  return pt.committed === null ? pt.logEnd : Math.max(0, pt.logEnd - pt.committed);
}

/** Whether the commit timeline still scrolls: a live consumer, or one seen within `windowMs`. */
export function timelineMoving(m, now, windowMs) {
  if (liveCount(m) > 0) return true;
  for (const c of m.consumers.values()) if (c.lastTs > now - windowMs) return true;
  return false;
}

/**
 * Whether the lag panel still moves: a graph with a point in its window scrolls, and a
 * "no commit for …" sentence counts up.
 */
export function lagMoving(m, now) {
  for (const pt of m.partitions) {
    for (const hist of [pt.lagHist, pt.posHist]) {
      const last = hist[hist.length - 1];
      if (last && last.t > now - LAG_MS - 1000) return true;
    }
  }
  const parts = (m.lagReport && m.lagReport.partitions) || [];
  return parts.some((p) => p.reason && (p.reason.rule === 'stopped' || p.reason.rule === 'recent_lag_zero'));
}
