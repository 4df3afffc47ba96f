// One run's view model, built from its events: a reducer with no DOM, no fetch and no timers
// (times come from the events, or are passed in). The views only draw what is here.
//
//   const m = createRun({partitions: 3, group: 'g'});
//   const out = applyEvent(m, stampedEvent);   // null when the seq was already applied
//
// Everything that changes bumps a revision (m.rev.<panel>, part.rev, consumer.rev, cb.rev) so
// a view redraws only what changed. EVENTS is the one table keyed by event type: for each kind,
// how it changes the model (`apply`), its log line (`text`, in the page's language, made once
// when the event arrives) and a few facts about it.

import { EVENT_KINDS } from '../event-kinds.js';
import {
  CALLBACK_NAMES, kOf, lagStatusText, ms, num, offsetsText, partitionsText, rebalanceRefusal, short, threadIndex,
  whoOf,
} from '../format.js';
import { localText, t, tn } from '../i18n.js';
import { makeOwnRow, swimAssign, swimGone, swimRevoke } from './ownership.js';
import { clientReport, committedSample, consumerGone, lagReportOf } from './lag.js';
import {
  LAG_MS, LIVE, closeWindowIfCommitted, consumer, endWindow, groupOf, makePartition, mark, ownersChanged, part,
  rangeCount, recordsProcessed, recountAssigned,
} from './state.js';
import { SPANS } from './lanes.js';
import { createSink, sinkCommitted, sinkEnded, sinkWritten } from './sink.js';

export { EVENT_KINDS, LAG_MS, LIVE, consumer, part };
export const LOG_MEMORY = 3000; // log rows kept (to rebuild the log when its filter changes)
export const CALLBACKS_SHOWN = 12; // rebalance callbacks listed
export const TIMELINE_WINDOW_MS = 30000; // the commit timeline shows the last 30 s

const REV_KEYS = ['consumers', 'counters', 'timeline', 'swim', 'callbacks', 'lag', 'inside', 'producer', 'checkpoints', 'log'];

export function createRun({ partitions = 1, group = '' } = {}) {
  const m = {
    group,
    lastSeq: 0,
    gapSeen: false,
    partitions: [],
    consumers: new Map(),
    /** Ids of consumers created since the controller last looked (their config is fetched). */
    joined: [],
    clientProcessed: 0,
    ledger: null,
    checkpoints: new Map(),
    /** Log rows, oldest first (at most LOG_MEMORY × 1.2). */
    log: [],
    /** Ownership history per partition (the swimlanes). */
    own: [],
    /** Ids for swimlane pieces and callbacks. */
    seq: 0,
    /** Rebalance callbacks, oldest first; the open one of each consumer thread. */
    callbacks: [],
    openCallback: new Map(),
    lastAssigned: new Map(),
    /** Burrow's last evaluation (the `lag` event: {status, complete, totallag, partitions}),
     * null before the group's first commit (Burrow does not know the group yet). */
    lagReport: null,
    /** The last reset of the group's offsets from outside ({ts, offsets}), or null. */
    lastReset: null,
    /** Burrow's settings for the run's group (the run view's `burrow`), or null. */
    burrow: null,
    /** The background producer's rate (0: stopped). */
    producerRate: 0,
    /** The sinks lab: each record's write and the commit (or kill) after it. */
    sink: createSink(),
    span: SPANS[0],
    lastPrune: 0,
    rev: Object.fromEntries(REV_KEYS.map((k) => [k, 0])),
  };
  for (let p = 0; p < partitions; p++) {
    m.partitions.push(makePartition(p));
    m.own.push(makeOwnRow(p));
  }
  return m;
}

const GREY = 'grey';
const END = 'end';
const ERROR = 'error';

/**
 * Every event kind, once. apply(m, ev, c) changes the model (c: the event's consumer, if any)
 * and may return a note for its log line; text(ev, note) is the log line. ledger: the ledger
 * may have changed; steps: the A/B guided steps may have moved; idle: hidden by “hide empty
 * polls and broker samples”; bad/good: the row's colour; opens/closes: a rebalance callback's
 * first and last row (the rows between are grouped with them).
 * Mark colours are names ('grey', 'end', 'error') the timeline maps to colours.
 */
export const EVENTS = {
  produced: {
    steps: true,
    apply(m, ev) {
      const pt = part(m, ev.partition);
      if (!pt) return;
      pt.values.set(ev.offset, ev.value);
      pt.logEnd = Math.max(pt.logEnd, ev.offset + 1);
      pt.rev++;
    },
    text: (e) => (e.key !== null && e.key !== undefined
      ? t('ui.log.produced_key', { p: e.partition, offset: e.offset, key: short(e.key, 16), value: short(e.value, 40) })
      : `P${e.partition} @${e.offset} "${short(e.value, 40)}"`),
  },
  spawned: {
    steps: true,
    apply(m, ev, c) {
      c.pid = ev.pid;
      c.status = 'starting';
      c.rev++;
    },
    text: (e) => t('ui.log.spawned', { pid: e.pid }),
  },
  subscribed: {
    steps: true,
    apply(m, ev, c) {
      c.status = 'running';
      c.commitMode = ev.commit_mode;
      if (ev.assigned_partition !== null && ev.assigned_partition !== undefined) {
        c.assignOnly = ev.assigned_partition;
        c.byThread.set(ev.thread || '', new Set([ev.assigned_partition]));
        recountAssigned(c);
      }
      c.rev++;
    },
    text: (e) => (e.assigned_partition !== null && e.assigned_partition !== undefined
      ? t('ui.log.assigned_only', { p: e.assigned_partition, mode: e.commit_mode })
      : t('ui.log.subscribed', { topic: e.topic, group: e.group, mode: e.commit_mode })),
  },
  poll: {
    idle: (e) => e.count === 0,
    apply(m, ev, c) {
      c.tl.polls.push({ t0: ev.ts - (ev.duration_ms || 0), t1: ev.ts, count: ev.count });
      m.rev.timeline++;
    },
    text: (e) => tn('ui.log.poll', e.count, { ms: ms(e.duration_ms) }),
  },
  record: {
    ledger: true,
    apply(m, ev, c) {
      recordsProcessed(m, ev, c, ev.partition, ev.offset, ev.offset, ev.value);
    },
    text: (e) => `P${e.partition} @${e.offset} "${short(e.value, 40)}"`,
  },
  record_range: {
    // Consecutive records of a partition processed faster than a trainee can watch (more than
    // 250 in one poll): one event for them all, the last one's value as a sample.
    ledger: true,
    apply(m, ev, c) {
      recordsProcessed(m, ev, c, ev.partition, ev.first_offset, ev.last_offset, ev.value);
    },
    text: (e) => tn('ui.log.record_range', rangeCount(e), {
      p: e.partition, first: e.first_offset, last: e.last_offset, value: short(e.value, 40),
    }),
  },
  sink_written: {
    bad: (e) => e.naive_rows > 1,
    apply(m, ev) {
      sinkWritten(m.sink, ev);
      m.rev.timeline++;
    },
    text: (e) => t(e.naive_rows > 1 ? 'ui.log.sink_double' : e.idempotent_inserted ? 'ui.log.sink_written' : 'ui.log.sink_skipped', {
      p: e.partition, offset: e.offset, rows: e.naive_rows,
    }),
  },
  commit_requested: {
    apply(m, ev, c) {
      c.tl.commits.set(`${ev.thread || ''}#${ev.commit_id}`, {
        t0: ev.ts, t1: null, mode: ev.mode, reason: ev.reason, error: null, latency: null,
      });
      const cb = m.openCallback.get(whoOf(ev));
      if (cb) {
        cb.commits.push({ id: ev.commit_id, t0: ev.ts, t1: null, mode: ev.mode, offsets: ev.offsets, error: null, latency: null });
        cb.rev++;
        m.rev.callbacks++;
      }
      m.rev.timeline++;
    },
    text: (e) => `#${e.commit_id} ${e.mode} (${e.reason}) ${offsetsText(e.offsets)}`,
  },
  commit_completed: {
    ledger: true,
    steps: true,
    bad: (e) => !!e.error,
    apply(m, ev, c) {
      const key = `${ev.thread || ''}#${ev.commit_id}`;
      const bar = ev.commit_id !== null && ev.commit_id !== undefined ? c.tl.commits.get(key) : null;
      if (bar) {
        Object.assign(bar, { t1: ev.ts, error: ev.error, latency: ev.latency_ms });
      } else {
        c.tl.commits.set(`seq#${ev.seq}`, {
          t0: ev.ts - (ev.latency_ms || 0), t1: ev.ts, mode: ev.mode, reason: ev.reason,
          error: ev.error, latency: ev.latency_ms, solo: true,
        });
      }
      const cb = m.openCallback.get(whoOf(ev));
      if (cb) {
        let commit = cb.commits.find((x) => x.id === ev.commit_id && x.t1 === null);
        if (!commit) {
          commit = { id: ev.commit_id, t0: ev.ts - (ev.latency_ms || 0), mode: ev.mode, offsets: ev.offsets };
          cb.commits.push(commit);
        }
        Object.assign(commit, { t1: ev.ts, error: ev.error, latency: ev.latency_ms });
        cb.rev++;
        m.rev.callbacks++;
      }
      // Only a commit in the run's own group moves the committed marks the lanes show.
      if (!ev.error && groupOf(m, ev) === m.group) {
        for (const po of ev.offsets || []) {
          const pt = part(m, po.partition);
          if (!pt) continue;
          pt.committed = po.offset;
          pt.rev++;
        }
        for (const other of m.consumers.values()) closeWindowIfCommitted(m, other, ev.ts);
        sinkCommitted(m.sink, ev);
      }
      c.rev++;
      m.rev.counters++;
      m.rev.timeline++;
    },
    text: (e) => {
      const head = `${e.commit_id !== null && e.commit_id !== undefined ? `#${e.commit_id} ` : ''}${e.mode} (${e.reason})`;
      const timed = e.latency_ms !== null && e.latency_ms !== undefined;
      const params = { head, error: e.error, ms: timed ? ms(e.latency_ms) : '', offsets: offsetsText(e.offsets) };
      if (!e.error) return t(timed ? 'ui.log.commit_ok_in' : 'ui.log.commit_ok', params);
      if (rebalanceRefusal(e.error)) return t(timed ? 'ui.log.commit_refused_in' : 'ui.log.commit_refused', params);
      return t(timed ? 'ui.log.commit_failed_in' : 'ui.log.commit_failed', params);
    },
  },
  partitions_assigned: {
    apply(m, ev, c) {
      const who = whoOf(ev);
      const th = ev.thread || '';
      const mine = c.byThread.get(th) || new Set();
      for (const p of ev.partitions || []) {
        mine.add(p);
        const pt = part(m, p);
        if (pt) {
          pt.owner = c.id;
          pt.ownerWho = who;
        }
      }
      c.byThread.set(th, mine);
      recountAssigned(c);
      m.lastAssigned.set(who, ev.partitions || []);
      swimAssign(m, ev, c, who, threadIndex(ev.thread));
      mark(m, c, ev, `+${partitionsText(ev.partitions)}`, GREY);
      ownersChanged(m);
    },
    text: (e) => `onPartitionsAssigned ${partitionsText(e.partitions)}`,
  },
  partitions_revoked: {
    ledger: true,
    opens: true,
    apply(m, ev, c) {
      const who = whoOf(ev);
      const mine = c.byThread.get(ev.thread || '');
      for (const p of ev.partitions || []) {
        if (mine) mine.delete(p);
        const pt = part(m, p);
        if (pt && pt.owner === c.id && (pt.ownerWho === who || !ev.thread)) {
          pt.owner = null;
          pt.ownerWho = null;
        }
      }
      recountAssigned(c);
      swimRevoke(m, ev, who);
      const cb = { id: ++m.seq, who, k: c.k, kind: 'revoke', partitions: ev.partitions || [], t0: ev.ts, t1: null, dur: null, commits: [], rev: 0 };
      addCallback(m, cb);
      m.openCallback.set(who, cb);
      mark(m, c, ev, `−${partitionsText(ev.partitions)}`, GREY);
      ownersChanged(m);
    },
    text: (e) => `onPartitionsRevoked ${partitionsText(e.partitions)}`,
  },
  rebalance_done: {
    closes: true,
    apply(m, ev, c) {
      const who = whoOf(ev);
      const open = m.openCallback.get(who);
      let inside = null;
      if (open && open.kind === ev.kind) {
        open.t1 = ev.ts;
        open.dur = ev.duration_ms;
        open.rev++;
        m.openCallback.delete(who);
        const commits = open.commits.length;
        if (commits) inside = { commits, refused: commits === 1 && !!open.commits[0].error };
      } else if (ev.kind === 'assign') {
        addCallback(m, {
          id: ++m.seq, who, k: c.k, kind: 'assign', partitions: m.lastAssigned.get(who) || [],
          t0: ev.ts - (ev.duration_ms || 0), t1: ev.ts, dur: ev.duration_ms, commits: [], rev: 0,
        });
      }
      m.rev.callbacks++;
      return inside;
    },
    text: (e, inside) => {
      const params = { name: CALLBACK_NAMES[e.kind] || e.kind, ms: ms(e.duration_ms) };
      if (!inside) return t('ui.log.callback_done', params);
      if (inside.commits > 1) return t('ui.log.callback_done_commits', { ...params, n: num(inside.commits) });
      return t(inside.refused ? 'ui.log.callback_done_commit_refused' : 'ui.log.callback_done_commit', params);
    },
  },
  paused: {
    steps: true,
    apply(m, ev, c) {
      c.paused = true;
      c.pausedOnce = true;
      c.rev++;
      mark(m, c, ev, t('ui.mark.pause'), GREY);
    },
    text: (e) => tn('ui.log.paused', e.processed, { held: num(e.held) }),
  },
  resumed: {
    apply(m, ev, c) {
      c.paused = false;
      c.rev++;
      mark(m, c, ev, t('ui.mark.resume'), GREY);
    },
    text: () => t('ui.log.resumed'),
  },
  wakeup: {
    apply(m, ev, c) {
      c.status = 'stopping';
      c.rev++;
      mark(m, c, ev, 'wakeup', END, true);
    },
    text: () => 'SIGTERM → wakeup() → WakeupException',
  },
  ready_to_leave: {
    apply(m, ev, c) {
      c.rev++;
    },
    text: () => t('ui.log.ready_to_leave'),
  },
  closed: {
    ledger: true,
    steps: true,
    apply(m, ev, c) {
      c.status = 'closed';
      c.byThread.clear();
      c.assigned.clear();
      c.rev++;
      mark(m, c, ev, 'close', END, true);
      endWindow(m, c, ev.ts);
      swimGone(m, ev, c, false);
      ownersChanged(m);
      consumerGone(m, c, ev.ts);
    },
    text: () => t('ui.log.closed'),
  },
  killed: {
    ledger: true,
    steps: true,
    bad: () => true,
    apply(m, ev, c) {
      c.status = 'killed';
      c.rev++;
      sinkEnded(m.sink, c.id, ev.ts, 'killed');
      mark(m, c, ev, 'SIGKILL', ERROR, true);
      endWindow(m, c, ev.ts);
      swimGone(m, ev, c, true);
      ownersChanged(m);
      consumerGone(m, c, ev.ts);
    },
    text: () => t('ui.log.killed'),
  },
  exited: {
    ledger: true,
    steps: true,
    apply(m, ev, c) {
      c.exitCode = ev.code;
      c.exitSignal = ev.signal;
      if (LIVE.has(c.status)) c.status = 'exited';
      c.paused = false;
      c.rev++;
      endWindow(m, c, ev.ts);
      swimGone(m, ev, c, true);
      ownersChanged(m);
      consumerGone(m, c, ev.ts);
    },
    text: (e) => (e.signal ? t('ui.log.exited_signal', { signal: e.signal }) : t('ui.log.exited_code', { code: e.code })),
  },
  offsets: {
    ledger: true,
    steps: true,
    idle: () => true,
    apply(m, ev) {
      for (const s of ev.partitions || []) {
        const pt = part(m, s.partition);
        if (!pt) continue;
        pt.logEnd = Math.max(pt.logEnd, s.log_end);
        pt.committed = s.committed;
        pt.rev++;
      }
      for (const c of m.consumers.values()) closeWindowIfCommitted(m, c, ev.ts);
      for (const s of ev.partitions || []) {
        const pt = part(m, s.partition);
        if (pt) committedSample(pt, ev.ts, s.lag);
      }
      m.rev.lag++;
      m.rev.counters++;
    },
    text: (e) => (e.partitions || []).slice(0, 8)
      .map((s) => t('ui.log.offsets', { p: s.partition, end: s.log_end, committed: s.committed === null ? '–' : s.committed })).join(' · '),
  },
  lag: {
    apply(m, ev) {
      m.lagReport = lagReportOf(ev);
      m.rev.lag++;
    },
    text: (e) => t('ui.log.lag', {
      status: lagStatusText(e.status),
      partitions: (e.partitions || []).slice(0, 8)
        .map((p) => t('ui.log.lag_partition', { p: p.partition, lag: num(p.current_lag), status: lagStatusText(p.status) })).join(' · '),
    }),
  },
  client_metrics: {
    // What the consumer's own `consumer.metrics()` says (librdkafka statistics, once a second).
    idle: () => true,
    apply(m, ev, c) {
      clientReport(m, c, ev);
    },
    text: (e) => {
      const value = (v, digits) => (typeof v === 'number' ? num(digits === undefined ? v : Number(v.toFixed(digits))) : '–');
      return t('ui.log.client_metrics', {
        lag: value(e.records_lag_max), fetch: value(e.fetch_rate, 1), rate: value(e.records_consumed_rate, 1),
      });
    },
  },
  offsets_reset: {
    // The admin's `--reset-offsets --to-earliest` on the empty group: Burrow sees a REWIND.
    steps: true,
    apply(m, ev) {
      m.lastReset = { ts: ev.ts, offsets: ev.offsets || [] };
      m.rev.lag++;
    },
    text: (e) => t('ui.log.offsets_reset', { offsets: offsetsText(e.offsets) }),
  },
  producer_rate: {
    apply(m, ev) {
      m.producerRate = ev.rate_per_sec || 0;
      m.rev.producer++;
    },
    text: (e) => (e.rate_per_sec ? t('ui.log.producer_rate', { rate: num(e.rate_per_sec) }) : t('ui.log.producer_stopped')),
  },
  fault: {
    text: (e) => localText(e.description),
  },
  broker: {
    apply(m, ev) {
      m.brokerReachable = ev.reachable;
    },
    text: (e) => (e.reachable ? t('ui.log.broker_back') : t('ui.log.broker_unreachable', { detail: e.detail || '' })),
  },
  checkpoint: {
    steps: true,
    good: true,
    apply(m, ev) {
      const cp = m.checkpoints.get(ev.id) || { id: ev.id, text: localText(ev.text) };
      cp.reached = true;
      m.checkpoints.set(ev.id, cp);
      m.rev.checkpoints++;
    },
    text: (e) => `✓ ${localText(e.text)}`,
  },
  error: {
    bad: () => true,
    text: (e) => e.message,
  },
};

function addCallback(m, cb) {
  m.callbacks.push(cb);
  if (m.callbacks.length > CALLBACKS_SHOWN * 2) m.callbacks.splice(0, m.callbacks.length - CALLBACKS_SHOWN);
  m.rev.callbacks++;
}

/**
 * Applies one stamped event (each seq once: replays and reconnects repeat some). Returns null
 * for an event already applied, else {row (its log row), ledger, steps} (see EVENTS).
 */
export function applyEvent(m, ev) {
  if (typeof ev.seq !== 'number' || ev.seq <= m.lastSeq) return null;
  m.lastSeq = ev.seq;
  const c = ev.consumer ? consumer(m, ev.consumer) : null;
  if (c) {
    c.lastTs = ev.ts;
    if (ev.thread) c.threads.add(ev.thread);
  }
  const kind = Object.prototype.hasOwnProperty.call(EVENTS, ev.type) ? EVENTS[ev.type] : null;
  // Rows of a rebalance callback (revoked → commits → done) are grouped in the log.
  const who = whoOf(ev);
  let cb = null;
  if (who && kind && kind.opens) cb = 'start';
  else if (who && m.openCallback.has(who)) cb = kind && kind.closes ? 'end' : 'in';
  const note = kind && kind.apply && (c || !needsConsumer(kind)) ? kind.apply(m, ev, c) : null;
  const row = logRow(m, ev, kind, note, cb);
  return { row, ledger: !!(kind && kind.ledger), steps: !!(kind && kind.steps) };
}

/** Handlers that take a consumer (3 parameters) are skipped for an event without one. */
function needsConsumer(kind) {
  return kind.apply.length >= 3;
}

function logRow(m, ev, kind, note, cb) {
  const text = kind ? String(kind.text(ev, note) ?? '') : '';
  const row = {
    seq: ev.seq,
    ts: typeof ev.ts === 'number' ? ev.ts : null,
    type: ev.type,
    who: whoOf(ev),
    k: ev.consumer ? kOf(ev.consumer) : null,
    text,
    cb,
    bad: !!(kind && kind.bad && kind.bad(ev)),
    good: !!(kind && kind.good),
    idle: !!(kind && kind.idle && kind.idle(ev)),
  };
  m.log.push(row);
  if (m.log.length > LOG_MEMORY * 1.2) m.log.splice(0, m.log.length - LOG_MEMORY);
  m.rev.log++;
  return row;
}

export {
  applyLedger, applyView, assumeProducerRate, lagOf, noteGap, pruneTimeline, setConfigs, setRun, takeJoined,
} from './sync.js';
export { layoutLanes } from './lanes.js';
export {
  LAG_GRAPH_MS, LAG_POINTS_MAX, insideOf, lagReportOf, positionLag, pushPoint, ringLength, ringSlots, runBurrow, trimSeries,
} from './lag.js';
export { pruneSwim } from './ownership.js';
export * from './derive.js';
