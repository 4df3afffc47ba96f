// The pieces of a run's view model (partitions, consumers) and the small steps the event
// handlers in run.js share. Pure: no DOM, no fetch, no timers.

import { kOf, whoOf } from '../format.js';
import { LANE_CELLS_MAX } from './lanes.js';

export const LIVE = new Set(['starting', 'running', 'stopping']);
export const LAG_MS = 180000; // the lag graphs show the last 3 minutes

export function makePartition(p) {
  return {
    p,
    logEnd: 0,
    committed: null,
    owner: null,
    ownerWho: null,
    /** offset → {by: [consumer ids, in processing order], th: [their threads], groups: [their groups]} */
    recs: new Map(),
    values: new Map(),
    ledgerDup: new Set(),
    ledgerLost: new Set(),
    /** Committed lag (log-end − committed) at each broker sample that changed it: [{t, v}]. */
    lagHist: [],
    /** Position lag (log-end − position) from the consumers' own metrics: [{t, v}], v null: none. */
    posHist: [],
    /** The last sampled committed lag (null before the first sample). */
    sampled: null,
    /** First offset in the lane's window (see lanes.js). */
    start: 0,
    rev: 0,
  };
}

/** The consumer `cid`, created on first mention. */
export function consumer(m, cid) {
  let c = m.consumers.get(cid);
  if (!c) {
    c = {
      id: cid,
      k: kOf(cid),
      status: 'starting',
      pid: null,
      processed: 0,
      paused: false,
      pausedOnce: false,
      assigned: new Set(),
      byThread: new Map(), // thread ('' for the main one) → partitions it owns
      threadProcessed: new Map(), // thread → records it processed
      assignOnly: null,
      exitCode: null,
      exitSignal: null,
      config: null,
      commitMode: null,
      threads: new Set(),
      pos: new Map(), // partition → next offset (last processed + 1)
      posWho: new Map(), // partition → who processed there last (c1 or c1/t2)
      posTs: new Map(), // partition → when it last processed a record there
      first: new Map(), // partition → first offset processed
      pendingSince: null,
      lastTs: 0,
      /** Its own newest metrics report (`consumer.metrics()`), frozen once it is gone. */
      metrics: null,
      /** partition → {v: position lag, committed, t, thread} from its latest reports. */
      partLag: new Map(),
      tl: { polls: [], recs: [], commits: new Map(), windows: [], marks: [] },
      rev: 0,
    };
    m.consumers.set(cid, c);
    m.joined.push(cid);
    m.rev.consumers++;
  }
  return c;
}

export function part(m, p) {
  return m.partitions[p] || null;
}

/** The consumer group an event's consumer thread reads in: the server names it when it is not the run's. */
export function groupOf(m, ev) {
  return ev.group ?? m.group;
}

export function recountAssigned(c) {
  const all = new Set();
  for (const set of c.byThread.values()) for (const p of set) all.add(p);
  c.assigned = all;
}

export function mark(m, c, ev, text, colour, major) {
  c.tl.marks.push({ t: ev.ts, text, colour, major: !!major });
  m.rev.timeline++;
}

/** Ownership moved: lanes (owners, flags), cards, counters and swimlanes follow. */
export function ownersChanged(m) {
  for (const p of m.partitions) p.rev++;
  for (const c of m.consumers.values()) c.rev++;
  m.rev.consumers++;
  m.rev.counters++;
  m.rev.swim++;
}

/** Closes the consumer's uncommitted window when every partition it reads is committed up to its position. */
export function closeWindowIfCommitted(m, c, ts) {
  if (c.pendingSince === null) return;
  for (const [p, pos] of c.pos) {
    if (c.assigned.size && !c.assigned.has(p)) continue;
    const pt = part(m, p);
    if (!pt || pt.committed === null || pt.committed < pos) return;
  }
  c.tl.windows.push([c.pendingSince, ts]);
  c.pendingSince = null;
}

export function endWindow(m, c, ts) {
  if (c.pendingSince === null) return;
  c.tl.windows.push([c.pendingSince, ts]);
  c.pendingSince = null;
  m.rev.timeline++;
}

/** How many records a `record_range` stands for (none when it runs backwards). */
export function rangeCount(ev) {
  const n = ev.last_offset - ev.first_offset + 1;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Consumer c processed offsets first … last of partition p (a `record` is a range of one).
 * Counts go up by each record; the lane marks only the offsets a lane can still show (a range
 * of a million records marks its last LANE_CELLS_MAX), and `value` is the last one's.
 */
export function recordsProcessed(m, ev, c, p, first, last, value) {
  const pt = part(m, p);
  const n = last - first + 1;
  if (!pt || !Number.isInteger(first) || !Number.isInteger(last) || n <= 0) return;
  const group = groupOf(m, ev);
  const th = ev.thread || '';
  for (let o = Math.max(first, last + 1 - LANE_CELLS_MAX); o <= last; o++) {
    let r = pt.recs.get(o);
    if (!r) {
      r = { by: [], th: [], groups: [] };
      pt.recs.set(o, r);
    }
    r.by.push(c.id);
    r.th.push(th);
    r.groups.push(group);
  }
  if (!pt.values.has(last)) pt.values.set(last, value);
  pt.logEnd = Math.max(pt.logEnd, last + 1);
  pt.rev++;
  c.pos.set(p, last + 1);
  c.posWho.set(p, whoOf(ev));
  c.posTs.set(p, ev.ts);
  if (!c.first.has(p)) c.first.set(p, first);
  c.processed += n;
  if (ev.thread) c.threadProcessed.set(ev.thread, (c.threadProcessed.get(ev.thread) || 0) + n);
  c.rev++;
  c.tl.recs.push(ev.ts);
  if (c.pendingSince === null) c.pendingSince = ev.ts;
  m.clientProcessed += n;
  m.rev.counters++;
  m.rev.timeline++;
}
