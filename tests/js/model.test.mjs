// The view model (static/lab/model/run.js): events in, what the page draws out.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as model from '../../static/lab/model/run.js';
import { EVENT_KINDS } from '../../static/lab/event-kinds.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { catalog, feed, produced, records, start, stream } from './helpers.mjs';

// The log lines asserted below are the English catalog's.
loadTexts(catalog('en'));

const GROUP = 'labs-r1';
const fresh = (partitions = 1) => model.createRun({ partitions, group: GROUP });

test('the handler table has exactly one entry per event kind, each with its log line', () => {
  const keys = Object.keys(model.EVENTS);
  const kinds = new Set(EVENT_KINDS);
  for (const kind of EVENT_KINDS) assert.ok(keys.includes(kind), `no entry for ${kind}`);
  for (const key of keys) assert.ok(kinds.has(key), `${key} is not an event kind`);
  assert.equal(keys.length, EVENT_KINDS.length);
  for (const [kind, entry] of Object.entries(model.EVENTS)) {
    assert.equal(typeof entry.text, 'function', `${kind} has a log line`);
    // Kinds without `apply` are deliberately log-only.
    if (!entry.apply) assert.ok(['fault', 'error'].includes(kind), `${kind} changes nothing`);
  }
});

test('each seq is applied once (a replay after a reconnect changes nothing)', () => {
  const m = fresh();
  const ev = stream();
  const events = [...produced(ev, 0, 0, 2), ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 2)];
  feed(model, m, events);
  const rows = m.log.length;
  for (const e of events) assert.equal(model.applyEvent(m, e), null);
  assert.equal(m.log.length, rows);
  assert.equal(m.consumers.get('c1').processed, 2);
  assert.equal(m.clientProcessed, 2);
});

test('produced records are pending cells up to the log end', () => {
  const m = fresh(2);
  const ev = stream();
  feed(model, m, [...produced(ev, 0, 0, 3), ...produced(ev, 1, 0, 1)]);
  assert.equal(m.partitions[0].logEnd, 3);
  assert.equal(m.partitions[1].logEnd, 1);
  assert.equal(m.partitions[0].values.get(2), '3');
  assert.equal(m.partitions[0].recs.size, 0);
  assert.equal(m.log[0].text, 'P0 @0 "1"');
});

test('records are processed by their consumer, which moves its position', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...produced(ev, 0, 0, 4), ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 4)]);
  const c = m.consumers.get('c1');
  assert.equal(c.status, 'running');
  assert.equal(c.processed, 4);
  assert.equal(c.pos.get(0), 4);
  assert.deepEqual(m.partitions[0].recs.get(3).by, ['c1']);
  assert.equal(model.uncommitted(m, c), 4, 'nothing committed yet');
  assert.equal(model.isDup(m, m.partitions[0], 0), false);
  assert.equal(m.partitions[0].owner, 'c1');
});

test('records processed twice in one group are duplicates; a kill then a restart', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...produced(ev, 0, 0, 4), ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 4)]);
  feed(model, m, [ev('killed', { consumer: 'c1' }), ev('exited', { consumer: 'c1', code: null, signal: 9 })]);
  const c1 = m.consumers.get('c1');
  assert.equal(c1.status, 'killed', 'exited keeps the killed status');
  assert.equal(c1.exitSignal, 9);
  assert.equal(model.liveCount(m), 0);
  // The group still counts c1 as the owner until its session times out.
  const iv = m.own[0].ivs.at(-1);
  assert.equal(iv.who, 'c1');
  assert.equal(iv.t1, null);
  assert.notEqual(iv.deadAt, null);
  assert.ok(c1.tl.marks.some((mk) => mk.text === 'SIGKILL' && mk.major));
  const deadAt = iv.deadAt;

  feed(model, m, [...start(ev, 'c2', [0]), ...records(ev, 'c2', 0, 0, 4)]);
  const pt = m.partitions[0];
  for (let o = 0; o < 4; o++) {
    assert.deepEqual(pt.recs.get(o).by, ['c1', 'c2']);
    assert.equal(model.isDup(m, pt, o), true, `offset ${o} is a duplicate`);
  }
  assert.equal(model.latest(m).id, 'c2');
  assert.equal(pt.owner, 'c2');
  // Ownership: c1's interval was taken over; the pause runs from its death to c2's assignment.
  const row = m.own[0];
  assert.equal(row.ivs.length, 2);
  assert.equal(row.ivs[0].end, 'taken');
  assert.equal(row.ivs[1].who, 'c2');
  assert.equal(row.pauses.length, 1);
  assert.equal(row.pauses[0].from, deadAt);
  assert.equal(row.pauses[0].to, row.ivs[1].t0);
});

test('the same offset read by threads in different groups is no duplicate (the server names the group)', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...produced(ev, 0, 0, 2), ...start(ev, 'c1', [0], { thread: 't1' })]);
  feed(model, m, [
    ...records(ev, 'c1', 0, 0, 2, { thread: 't1' }),
    ...records(ev, 'c1', 0, 0, 2, { thread: 't2', group: `${GROUP}-t2` }),
  ]);
  const pt = m.partitions[0];
  assert.deepEqual(pt.recs.get(0).th, ['t1', 't2']);
  assert.equal(model.isDup(m, pt, 0), false);
  // The same thread group twice is one.
  feed(model, m, records(ev, 'c1', 0, 0, 1, { thread: 't2', group: `${GROUP}-t2` }));
  assert.equal(model.isDup(m, pt, 0), true);
});

test("commits slide the committed mark; a failed commit or another group's does not", () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...produced(ev, 0, 0, 6), ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 4)]);
  const c = m.consumers.get('c1');
  assert.notEqual(c.pendingSince, null);
  const offsets = [{ partition: 0, offset: 4 }];
  feed(model, m, [
    ev('commit_requested', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets }),
    ev('commit_completed', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets, latency_ms: 4.2, error: null }),
  ]);
  assert.equal(m.partitions[0].committed, 4);
  assert.equal(model.uncommitted(m, c), 0);
  assert.equal(c.pendingSince, null, 'the uncommitted window closed');
  assert.equal(c.tl.windows.length, 1);
  const bar = c.tl.commits.get('#1');
  assert.equal(bar.latency, 4.2);
  assert.equal(m.log.at(-1).text, '#1 sync (batch) ok in 4.2 ms · P0→4');

  feed(model, m, records(ev, 'c1', 0, 4, 2));
  const failed = ev('commit_completed', { consumer: 'c1', commit_id: 2, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 6 }], latency_ms: 2, error: 'Broker: Group rebalance in progress (REBALANCE_IN_PROGRESS)' });
  const out = model.applyEvent(m, failed);
  assert.equal(m.partitions[0].committed, 4);
  assert.equal(out.row.bad, true);
  assert.match(out.row.text, /FAILED: .* — refused: the group is rebalancing/);
  assert.equal(c.tl.commits.get('seq#' + failed.seq).solo, true, 'a completion without a request is its own bar');

  feed(model, m, [ev('commit_completed', { consumer: 'c1', thread: 't2', group: `${GROUP}-t2`, commit_id: 3, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 6 }], latency_ms: 2, error: null })]);
  assert.equal(m.partitions[0].committed, 4, "another group's commit is not the run's");
  assert.equal(model.uncommitted(m, c), 2);
});

test('broker samples set log end, committed offset and the lag the server computed', () => {
  const m = fresh(2);
  const ev = stream();
  feed(model, m, [ev('offsets', { partitions: [
    { partition: 0, log_end: 10, committed: 4, lag: 6 },
    { partition: 1, log_end: 3, committed: null, lag: 3 },
  ] })]);
  const [p0, p1] = m.partitions;
  assert.equal(p0.logEnd, 10);
  assert.equal(p0.committed, 4);
  assert.equal(p0.sampled, 6);
  assert.equal(p1.sampled, 3);
  assert.deepEqual(p0.lagHist.map((pt) => pt.v), [6]);
  // The same lag again adds no point; a new one does.
  feed(model, m, [ev('offsets', { partitions: [{ partition: 0, log_end: 10, committed: 4, lag: 6 }] }, { dt: 500 })]);
  feed(model, m, [ev('offsets', { partitions: [{ partition: 0, log_end: 12, committed: 10, lag: 2 }] }, { dt: 500 })]);
  assert.deepEqual(p0.lagHist.map((pt) => pt.v), [6, 2]);
  assert.equal(model.lagMoving(m, ev.now()), true);
  assert.equal(model.lagMoving(m, ev.now() + model.LAG_MS + 60_000), false);
  assert.equal(m.log.at(-1).idle, true, 'broker samples are idle rows');

  const reason = { rule: 'lag_not_decreasing', lags: [1, 2] };
  feed(model, m, [ev('lag', {
    status: 'WARN', complete: 0.2, totallag: 5,
    partitions: [
      { partition: 0, status: 'WARN', current_lag: 2, complete: 0.2, reason, window: [{ offset: 8, timestamp: 1, observedAt: 1, lag: 1 }, { offset: 10, timestamp: 2, observedAt: 2, lag: 2 }] },
      { partition: 1, status: 'OK', current_lag: 3, complete: 0.1, reason: { rule: 'keeping', lags: [0] }, window: [{ offset: 0, timestamp: 1, observedAt: 1, lag: 0 }] },
    ],
  })]);
  assert.equal(m.lagReport.status, 'WARN');
  assert.equal(m.lagReport.totallag, 5);
  assert.equal(m.lagReport.partitions[0].reason.rule, 'lag_not_decreasing');
  assert.equal(m.log.at(-1).text, 'group WARN (warning) · P0 WARN (warning) lag 2 · P1 OK (fine) lag 3');
  // "No commit for …" counts up between lag events: the panel keeps moving after the samples stop.
  feed(model, m, [ev('lag', { status: 'ERR', complete: 0.2, totallag: 5, partitions: [{ partition: 0, status: 'STOP', current_lag: 2, complete: 0.2, reason: { rule: 'stopped', since_last_commit_ms: 9000, window_span_ms: 8000 }, window: [] }] })]);
  assert.equal(model.lagMoving(m, ev.now() + model.LAG_MS + 60_000), true);
});

test('the offsets reset from outside is logged and noted', () => {
  const m = fresh(2);
  const ev = stream();
  const out = model.applyEvent(m, ev('offsets_reset', { offsets: [{ partition: 0, offset: 0 }, { partition: 1, offset: 0 }] }));
  assert.equal(out.row.text, 'group offsets reset to the earliest: P0→0 P1→0');
  assert.equal(out.steps, true);
  assert.deepEqual(m.lastReset.offsets.map((o) => o.offset), [0, 0]);
});

test('partitions move owner on revoke and assign; the revoke callback holds its commit', () => {
  const m = fresh(2);
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0, 1])]);
  assert.equal(m.partitions[1].owner, 'c1');
  assert.deepEqual([...m.consumers.get('c1').assigned], [0, 1]);
  // c2 joins: c1 gives both back (committing inside the callback), then gets P0 only.
  const revoked = model.applyEvent(m, ev('partitions_revoked', { consumer: 'c1', partitions: [0, 1] }));
  assert.equal(revoked.row.cb, 'start');
  assert.equal(m.partitions[0].owner, null);
  const offsets = [{ partition: 0, offset: 0 }];
  const req = model.applyEvent(m, ev('commit_requested', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'revoke', offsets }));
  assert.equal(req.row.cb, 'in');
  feed(model, m, [ev('commit_completed', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'revoke', offsets, latency_ms: 3, error: null })]);
  const done = model.applyEvent(m, ev('rebalance_done', { consumer: 'c1', kind: 'revoke', duration_ms: 5 }));
  assert.equal(done.row.cb, 'end');
  assert.equal(done.row.text, 'onPartitionsRevoked returned after 5.0 ms · its commit ran inside it');
  const cb = m.callbacks.find((x) => x.kind === 'revoke');
  assert.equal(cb.commits.length, 1);
  assert.equal(cb.t1 !== null, true);
  feed(model, m, [
    ev('partitions_assigned', { consumer: 'c1', partitions: [0] }),
    ev('spawned', { consumer: 'c2', pid: 4002 }),
    ev('partitions_assigned', { consumer: 'c2', partitions: [1] }),
    ev('rebalance_done', { consumer: 'c2', kind: 'assign', duration_ms: 1 }),
  ]);
  assert.equal(m.partitions[0].owner, 'c1');
  assert.equal(m.partitions[1].owner, 'c2');
  assert.deepEqual([...m.consumers.get('c1').assigned], [0]);
  assert.deepEqual(m.own[1].ivs.map((iv) => [iv.who, iv.end]), [['c1', 'revoke'], ['c2', null]]);
  assert.deepEqual(m.own[1].marks.map((mk) => mk.kind), ['assign', 'revoke', 'assign']);
  assert.deepEqual(m.callbacks.map((x) => `${x.who}:${x.kind}`), ['c1:assign', 'c1:revoke', 'c2:assign']);
});

test('threads of one consumer own partitions separately', () => {
  const m = fresh(4);
  const ev = stream();
  feed(model, m, [
    ev('spawned', { consumer: 'c1', pid: 1 }),
    ev('partitions_assigned', { consumer: 'c1', thread: 't1', partitions: [0, 1] }),
    ev('partitions_assigned', { consumer: 'c1', thread: 't2', partitions: [2, 3] }),
  ]);
  const c = m.consumers.get('c1');
  assert.deepEqual([...c.byThread.get('t1')], [0, 1]);
  assert.deepEqual([...c.byThread.get('t2')], [2, 3]);
  assert.equal(c.assigned.size, 4);
  assert.equal(m.partitions[2].ownerWho, 'c1/t2');
  assert.equal(m.own[3].ivs[0].th, 2);
  feed(model, m, [ev('partitions_revoked', { consumer: 'c1', thread: 't2', partitions: [3] })]);
  assert.equal(m.partitions[3].owner, null);
  assert.equal(m.partitions[2].owner, 'c1');
  assert.deepEqual([...c.assigned].sort(), [0, 1, 2]);
});

test('a graceful stop: wakeup, close (partitions revoked, the group left), exit 0', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 2)]);
  feed(model, m, [ev('wakeup', { consumer: 'c1' })]);
  assert.equal(m.consumers.get('c1').status, 'stopping');
  feed(model, m, [ev('closed', { consumer: 'c1' }), ev('exited', { consumer: 'c1', code: 0, signal: null })]);
  const c = m.consumers.get('c1');
  assert.equal(c.status, 'closed');
  assert.equal(c.exitCode, 0);
  assert.equal(c.assigned.size, 0);
  assert.equal(m.own[0].ivs[0].end, 'closed');
  assert.equal(m.own[0].ivs[0].deadAt, null);
  assert.equal(c.pendingSince, null);
  assert.equal(m.log.at(-1).text, 'process exited with code 0');
});

test('pause and resume', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0]), ev('paused', { consumer: 'c1', processed: 3, held: 2 })]);
  const c = m.consumers.get('c1');
  assert.equal(c.paused, true);
  assert.equal(m.log.at(-1).text, 'paused after 3 records (2 held)');
  feed(model, m, [ev('resumed', { consumer: 'c1' })]);
  assert.equal(c.paused, false);
  assert.equal(c.pausedOnce, true);
});

test('the log keeps at most its memory, newest last; empty polls are idle', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, start(ev, 'c1', [0]));
  for (let i = 0; i < model.LOG_MEMORY * 1.5; i++) model.applyEvent(m, ev('poll', { consumer: 'c1', count: 0, duration_ms: 100 }));
  assert.ok(m.log.length <= model.LOG_MEMORY * 1.2, `${m.log.length} rows kept`);
  assert.ok(m.log.length >= model.LOG_MEMORY);
  assert.equal(m.log.at(-1).seq, m.lastSeq);
  assert.ok(m.log.every((row, i) => i === 0 || row.seq > m.log[i - 1].seq));
  assert.equal(m.log.at(-1).idle, true);
  assert.equal(m.log.at(-1).who, 'c1');
});

test('log rows: server events, failures and checkpoints', () => {
  const m = fresh();
  const ev = stream();
  const kill = feed(model, m, [...start(ev, 'c1', [0]), ev('killed', { consumer: 'c1' })]);
  assert.equal(kill.row.bad, true);
  assert.equal(kill.row.k, 0);
  const cp = model.applyEvent(m, ev('checkpoint', { id: 'dup', text: 'Saw a duplicate' }));
  assert.equal(cp.row.good, true);
  assert.equal(cp.row.who, null);
  assert.equal(m.checkpoints.get('dup').reached, true);
  const rate = model.applyEvent(m, ev('producer_rate', { rate_per_sec: 30 }));
  assert.equal(rate.row.text, 'background producer: 30 records/s');
  assert.equal(m.producerRate, 30);
  const err = model.applyEvent(m, ev('error', { message: 'boom' }));
  assert.equal(err.row.bad, true);
  assert.equal(err.row.text, 'boom');
  const metrics = model.applyEvent(m, ev('client_metrics', {
    consumer: 'c1', records_lag_max: 12, fetch_rate: 1.04, fetch_size_avg: null, records_consumed_rate: null, partitions: [],
  }));
  assert.equal(metrics.row.text, 'consumer metrics: records-lag-max 12 · fetch-rate 1/s · records-consumed-rate –/s');
  assert.equal(metrics.row.idle, true, "the consumer's metrics are idle rows");
  const unknown = model.applyEvent(m, ev('something_new', {}));
  assert.equal(unknown.row.text, '', 'an unknown kind is logged without text');
});

test('an assign()ed consumer reads one partition without a group', () => {
  const m = fresh(2);
  const ev = stream();
  const out = model.applyEvent(m, ev('subscribed', { consumer: 'c1', topic: 't', group: null, commit_mode: 'none', assigned_partition: 1 }));
  const c = m.consumers.get('c1');
  assert.equal(c.assignOnly, 1);
  assert.deepEqual([...c.assigned], [1]);
  assert.equal(out.row.text, 'assign(P1) · no group membership · commit none');
});

test('the ledger marks duplicates and losses; after a gap it redraws dropped records', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, produced(ev, 0, 0, 4));
  model.applyLedger(m, {
    duplicates: 1, lost: 1,
    partitions: [{ group: GROUP, partition: 0, processed: 3, committed: 4, duplicate_offsets: [1], lost_offsets: [3], runs: [{ consumer: 'c1', first: 0, last: 2 }] }],
  });
  const pt = m.partitions[0];
  assert.ok(pt.ledgerDup.has(1));
  assert.ok(pt.ledgerLost.has(3));
  assert.equal(model.isDup(m, pt, 1), true);
  assert.equal(pt.recs.size, 0, 'no gap: the records come from events');
  model.noteGap(m);
  model.applyLedger(m, m.ledger);
  assert.deepEqual(pt.recs.get(2).by, ['c1']);
});

test('a run view after a gap: statuses, owners and the lag now', () => {
  const m = fresh(2);
  const now = 1_700_000_100_000;
  model.applyView(m, {
    consumers: [{ id: 'c3', status: 'running', pid: 7, paused: false, exit_code: null, exit_signal: null, processed: 40, assigned: [0, 1], config: { commit_mode: 'sync-batch' } }],
    partitions: [
      { partition: 0, log_end: 50, committed: 40, owner: 'c3', owner_thread: null, lag: 10 },
      { partition: 1, log_end: 20, committed: null, owner: 'c3', owner_thread: null, lag: 20 },
    ],
    checkpoints: [], lag: null, producer_rate: 0,
  }, now);
  assert.equal(m.consumers.get('c3').processed, 40);
  assert.equal(m.partitions[0].committed, 40);
  assert.equal(m.partitions[1].sampled, 20);
  assert.equal(m.own[0].ivs[0].who, 'c3');
  assert.equal(m.own[0].ivs[0].t0, now);
});

test('the lanes widen with the log end, then slide and forget what is far left', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, produced(ev, 0, 0, 4));
  model.layoutLanes(m);
  assert.equal(m.span, 8);
  feed(model, m, produced(ev, 0, 4, 400));
  model.layoutLanes(m);
  assert.equal(m.span, 256);
  const pt = m.partitions[0];
  assert.ok(pt.start > 0 && pt.start % 32 === 0, `start ${pt.start}`);
  assert.ok(pt.start <= 404 && 404 + 3 <= pt.start + m.span);
  assert.ok(!pt.values.has(0), 'values far left are forgotten');
});

test('the timeline drops data older than it keeps', () => {
  const m = fresh();
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 3)]);
  const c = m.consumers.get('c1');
  assert.equal(c.tl.recs.length, 3);
  assert.equal(c.tl.polls.length, 1);
  model.pruneTimeline(m, ev.now() + 60_000);
  assert.equal(c.tl.recs.length, 0);
  assert.equal(c.tl.polls.length, 0);
  assert.equal(model.timelineMoving(m, ev.now() + 60_000, model.TIMELINE_WINDOW_MS), true, 'c1 still lives');
});

test('revisions tell the views what changed', () => {
  const m = fresh(2);
  const ev = stream();
  const before = { ...m.rev };
  const p1 = m.partitions[1].rev;
  feed(model, m, produced(ev, 0, 0, 1));
  assert.equal(m.partitions[1].rev, p1, 'P1 untouched');
  assert.deepEqual(m.rev, { ...before, log: before.log + 1 });
  feed(model, m, start(ev, 'c1', [0]));
  assert.ok(m.rev.swim > before.swim && m.rev.consumers > before.consumers);
  assert.deepEqual(model.takeJoined(m), ['c1']);
  assert.deepEqual(model.takeJoined(m), []);
});
