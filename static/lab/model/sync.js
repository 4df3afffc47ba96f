// What the server says outright (the run view, the ledger), taken into the model; and the
// pruning of old timeline data. Pure: times are passed in.

import { sameSet } from '../format.js';
import { committedSample, lagReportOf, viewMetrics } from './lag.js';
import { LIVE, consumer, part } from './state.js';
import { swimFromView } from './ownership.js';
import { LANE_CELLS_MAX } from './lanes.js';

const TIMELINE_KEEP_MS = 45000; // timeline data kept (a little more than the 30 s shown)

/** The lag of a run view's or a sample's partition, as the server computed it (null: none). */
export function lagOf(s) {
  return typeof s.lag === 'number' ? s.lag : null;
}

/** A run view, when the page opens a run: its group, checkpoints, configs, lag and producer. */
export function setRun(m, view) {
  m.group = view.group;
  for (const c of view.checkpoints || []) {
    m.checkpoints.set(c.id, { id: c.id, text: c.text, reached: !!c.reached });
  }
  m.rev.checkpoints++;
  for (const cv of view.consumers || []) {
    const c = consumer(m, cv.id);
    c.config = cv.config;
    viewMetrics(c, cv.metrics, null);
  }
  // Burrow's status and the producer's rate as they are now; the replayed events draw the
  // history behind them.
  m.lagReport = lagReportOf(view.lag);
  m.burrow = view.burrow || null;
  for (const pv of view.partitions || []) {
    const pt = part(m, pv.partition);
    if (pt) pt.sampled = lagOf(pv);
  }
  m.producerRate = view.producer_rate || 0;
  m.rev.lag++;
  m.rev.inside++;
  m.rev.producer++;
}

/** New consumers' configs (threads, groups) from a fresh run view. */
export function setConfigs(m, view) {
  for (const cv of view.consumers || []) {
    const c = m.consumers.get(cv.id);
    if (c && !c.config) {
      c.config = cv.config;
      c.rev++;
    }
  }
  m.rev.consumers++;
}

/** After a gap: the idempotent parts of a run view (statuses, owners, offsets) are the truth. */
export function applyView(m, view, now) {
  for (const cv of view.consumers) {
    const c = consumer(m, cv.id);
    Object.assign(c, {
      config: cv.config, status: cv.status, pid: cv.pid, paused: cv.paused,
      exitCode: cv.exit_code, exitSignal: cv.exit_signal,
      processed: Math.max(c.processed, cv.processed),
    });
    viewMetrics(c, cv.metrics, now);
    c.rev++;
    if (!sameSet(new Set(cv.assigned), c.assigned)) {
      c.byThread = new Map([['', new Set(cv.assigned)]]);
      c.assigned = new Set(cv.assigned);
    }
  }
  for (const pv of view.partitions) {
    const pt = part(m, pv.partition);
    if (!pt) continue;
    pt.logEnd = Math.max(pt.logEnd, pv.log_end);
    pt.committed = pv.committed;
    if (pt.owner !== pv.owner) {
      pt.owner = pv.owner;
      pt.ownerWho = pv.owner;
    }
    pt.rev++;
    // Ownership whose events were dropped: drawn from now on.
    if (pv.owner) {
      const c = consumer(m, pv.owner);
      swimFromView(m, pv.partition, pv.owner, c, !LIVE.has(c.status), now);
    }
  }
  for (const cp of view.checkpoints || []) m.checkpoints.set(cp.id, { id: cp.id, text: cp.text, reached: !!cp.reached });
  m.rev.checkpoints++;
  m.lagReport = lagReportOf(view.lag);
  for (const pv of view.partitions) {
    const pt = part(m, pv.partition);
    if (pt) committedSample(pt, now, lagOf(pv));
  }
  m.producerRate = view.producer_rate || 0;
  for (const key of ['lag', 'inside', 'producer', 'consumers', 'counters', 'swim']) m.rev[key]++;
}

/** The ledger (GET /ledger): the truth about duplicates and losses. */
export function applyLedger(m, ledger) {
  m.ledger = ledger;
  const dup = new Map();
  const lost = new Map();
  for (const pr of ledger.partitions) {
    if (!dup.has(pr.partition)) {
      dup.set(pr.partition, new Set());
      lost.set(pr.partition, new Set());
    }
    for (const o of pr.duplicate_offsets) dup.get(pr.partition).add(o);
    for (const o of pr.lost_offsets) lost.get(pr.partition).add(o);
    if (m.gapSeen) seedFromLedger(m, pr);
  }
  for (const pt of m.partitions) {
    const d = dup.get(pt.p) || new Set();
    const l = lost.get(pt.p) || new Set();
    if (!sameSet(d, pt.ledgerDup) || !sameSet(l, pt.ledgerLost)) {
      pt.ledgerDup = d;
      pt.ledgerLost = l;
      pt.rev++;
    }
  }
  m.rev.counters++;
}

/**
 * After a gap, the ledger's runs redraw records whose events were dropped (those a lane can
 * still show: the last LANE_CELLS_MAX below the newest processed offset).
 */
function seedFromLedger(m, pr) {
  const pt = part(m, pr.partition);
  if (!pt) return;
  let newest = -1;
  for (const run of pr.runs) newest = Math.max(newest, run.last);
  for (const run of pr.runs) {
    for (let o = Math.max(run.first, newest + 1 - LANE_CELLS_MAX); o <= run.last; o++) {
      let r = pt.recs.get(o);
      if (!r) {
        r = { by: [], th: [], groups: [] };
        pt.recs.set(o, r);
      }
      if (!r.by.includes(run.consumer)) {
        r.by.push(run.consumer);
        r.th.push('');
        r.groups.push(pr.group ?? m.group);
        pt.rev++;
      }
    }
    pt.logEnd = Math.max(pt.logEnd, run.last + 1);
  }
}

/** Forgets timeline data older than what the timeline shows (every 5 s at most). */
export function pruneTimeline(m, now) {
  if (now - (m.lastPrune || 0) < 5000) return;
  m.lastPrune = now;
  const cut = now - TIMELINE_KEEP_MS;
  for (const c of m.consumers.values()) {
    const tl = c.tl;
    tl.polls = tl.polls.filter((p) => p.t1 >= cut);
    tl.recs = tl.recs.filter((t) => t >= cut);
    tl.windows = tl.windows.filter((w) => w[1] >= cut);
    tl.marks = tl.marks.filter((mk) => mk.t >= cut);
    for (const [key, bar] of tl.commits) if (bar.t1 !== null && bar.t1 < cut) tl.commits.delete(key);
  }
}

/** Events were dropped from the run's log: the record events no longer tell duplicates. */
export function noteGap(m) {
  m.gapSeen = true;
}

/** The page set the producer's rate; its producer_rate event will confirm it. */
export function assumeProducerRate(m, rate) {
  m.producerRate = rate;
  m.rev.producer++;
}

/** Ids of the consumers created since the last call (their settings are fetched). */
export function takeJoined(m) {
  const ids = m.joined;
  m.joined = [];
  return ids;
}
