// The Java trace (static/lab/java/trace.js): a consumer's events move it through the lines of its
// Java code; a SIGTERM passes catch → finally → close, a SIGKILL marks the line it died on.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { anchorIndex, javaSource } from '../../static/lab/java/source.js';
import { TRAIL_MAX, createTrace, leadThread, resolve, traceEvent } from '../../static/lab/java/trace.js';
import { followed, settingsOf } from '../../static/lab/views/java.js';
import * as model from '../../static/lab/model/run.js';
import { records, start, stream } from './helpers.mjs';

function run(events) {
  const state = createTrace();
  for (const e of events) traceEvent(state, e);
  return state;
}

const thread = (state, cid, name = '') => state.consumers.get(cid).threads.get(name);
const at = (state, cid, name) => thread(state, cid, name).at.anchor;
const trail = (state, cid, name) => thread(state, cid, name).trail.map((s) => s.anchor);

test('start, polls, records and the batch commit move the line', () => {
  const ev = stream();
  const state = createTrace();
  const steps = [];
  const seen = (e) => {
    traceEvent(state, e);
    steps.push(thread(state, 'c1').at.anchor);
  };
  for (const e of start(ev, 'c1', [0])) seen(e);
  assert.deepEqual(steps, ['start', 'subscribe', 'assigned', 'poll']);
  seen(ev('poll', { consumer: 'c1', count: 0, duration_ms: 1000 }));
  assert.equal(at(state, 'c1'), 'poll', 'an empty poll stays on poll');
  for (const e of records(ev, 'c1', 0, 0, 3)) seen(e);
  assert.deepEqual(steps.slice(-4), ['poll', 'loop', 'loop', 'loop']);
  seen(ev('commit_requested', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 3 }] }));
  seen(ev('commit_completed', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 3 }], latency_ms: 2, error: null }));
  assert.equal(at(state, 'c1'), 'commit');
  assert.deepEqual(trail(state, 'c1').slice(-3), ['assigned', 'poll', 'loop'], 'a line repeated is one trail step');
  seen(ev('poll', { consumer: 'c1', count: 0, duration_ms: 1000 }));
  assert.equal(at(state, 'c1'), 'poll');
});

test('commits land on the line that asked for them', () => {
  const ev = stream();
  const commit = (mode, reason, type = 'commit_requested') => ev(type, { consumer: 'c1', commit_id: 1, mode, reason, offsets: [], latency_ms: 1, error: null });
  const state = run([...start(ev, 'c1', [0])]);
  const th = () => thread(state, 'c1').at;
  traceEvent(state, commit('async', 'batch'));
  assert.equal(th().anchor, 'commit');
  traceEvent(state, commit('async', 'batch', 'commit_completed'));
  assert.deepEqual([th().anchor, th().alt], ['callback', ['commit']], 'an async result runs the callback');
  traceEvent(state, commit('async', 'retry'));
  assert.equal(th().anchor, 'retry');
  traceEvent(state, commit('auto', 'auto', 'commit_completed'));
  assert.equal(th().anchor, 'commit', 'the auto commit: the line that says poll() commits');
  traceEvent(state, ev('partitions_revoked', { consumer: 'c1', partitions: [0] }));
  assert.deepEqual([th().anchor, th().alt], ['revoked', ['poll']], 'without a listener the callback runs inside poll()');
  traceEvent(state, commit('sync', 'revoke'));
  assert.deepEqual([th().anchor, th().alt], ['revokeCommit', ['revoked', 'poll']]);
  traceEvent(state, ev('rebalance_done', { consumer: 'c1', kind: 'revoke', duration_ms: 3 }));
  assert.equal(th().anchor, 'poll', 'the callback returned into poll()');
});

test('SIGTERM: the hook, catch, finally (its commitSync), close — in that order', () => {
  const ev = stream();
  const state = run([
    ...start(ev, 'c1', [0]),
    ...records(ev, 'c1', 0, 0, 5),
    ev('paused', { consumer: 'c1', processed: 5, held: 0 }),
    ev('wakeup', { consumer: 'c1' }),
    ev('commit_requested', { consumer: 'c1', commit_id: 2, mode: 'sync', reason: 'shutdown', offsets: [{ partition: 0, offset: 5 }] }),
    ev('commit_completed', { consumer: 'c1', commit_id: 2, mode: 'sync', reason: 'shutdown', offsets: [{ partition: 0, offset: 5 }], latency_ms: 1, error: null }),
    ev('partitions_revoked', { consumer: 'c1', partitions: [0] }),
    ev('rebalance_done', { consumer: 'c1', kind: 'revoke', duration_ms: 1 }),
    ev('closed', { consumer: 'c1' }),
    ev('exited', { consumer: 'c1', code: 0, signal: null }),
  ]);
  const th = thread(state, 'c1');
  assert.equal(th.at.anchor, 'close');
  assert.equal(th.phase, 'closed');
  assert.equal(th.died, null);
  const t = trail(state, 'c1');
  const order = ['loop', 'hook', 'wakeup', 'finally', 'finalCommit', 'close', 'revoked'];
  assert.deepEqual(t.slice(-order.length), order, t.join(' '));
  // Without the final commit: catch → finally → close all the same.
  const ev2 = stream();
  const bare = run([...start(ev2, 'c1', [0]), ev2('wakeup', { consumer: 'c1' }), ev2('closed', { consumer: 'c1' })]);
  assert.deepEqual(trail(bare, 'c1').slice(-3), ['hook', 'wakeup', 'finally']);
  assert.equal(at(bare, 'c1'), 'close');
});

test('SIGKILL marks the line it died on; nothing moves it afterwards', () => {
  const ev = stream();
  const state = run([
    ...start(ev, 'c1', [0]),
    ...records(ev, 'c1', 0, 0, 150),
    ev('paused', { consumer: 'c1', processed: 150, held: 350 }),
    ev('killed', { consumer: 'c1' }),
  ]);
  const th = thread(state, 'c1');
  assert.equal(th.phase, 'dead');
  assert.equal(th.died.anchor, 'loop', 'paused after record 150: it died in the loop body');
  assert.equal(traceEvent(state, ev('exited', { consumer: 'c1', code: null, signal: 9 })), false);
  assert.equal(traceEvent(state, ev('poll', { consumer: 'c1', count: 0, duration_ms: 1 })), false);
  assert.equal(th.died.anchor, 'loop');
  // A process that ends by a signal without a `killed` event died where it was, too.
  const ev2 = stream();
  const crashed = run([...start(ev2, 'c2', [0]), ev2('poll', { consumer: 'c2', count: 0, duration_ms: 1 }), ev2('exited', { consumer: 'c2', code: null, signal: 9 })]);
  assert.equal(thread(crashed, 'c2').died.anchor, 'poll');
  // A clean exit marks nothing.
  const ev3 = stream();
  const clean = run([...start(ev3, 'c3', [0]), ev3('exited', { consumer: 'c3', code: 0, signal: null })]);
  assert.equal(thread(clean, 'c3').died, null);
});

test('a paused consumer stays where it waits; Step moves it to the loop body', () => {
  const ev = stream();
  const state = run([
    ...start(ev, 'c1', [0]),
    ...records(ev, 'c1', 0, 0, 8).slice(0, 4),
    ev('paused', { consumer: 'c1', processed: 3, held: 5 }),
  ]);
  const th = thread(state, 'c1');
  assert.equal(th.at.anchor, 'loop');
  assert.equal(th.paused, true);
  const before = th.seq;
  // Step batch finished the batch and committed it, then paused again.
  traceEvent(state, ev('commit_requested', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [] }));
  traceEvent(state, ev('paused', { consumer: 'c1', processed: 8, held: 0 }));
  assert.equal(th.at.anchor, 'commit');
  // Step: one record (after the poll that fetched it).
  traceEvent(state, ev('poll', { consumer: 'c1', count: 1, duration_ms: 2 }));
  traceEvent(state, ev('record', { consumer: 'c1', partition: 0, offset: 8, key: null, value: '9' }));
  traceEvent(state, ev('paused', { consumer: 'c1', processed: 9, held: 0 }));
  assert.equal(th.at.anchor, 'loop');
  assert.ok(th.seq > before);
  traceEvent(state, ev('resumed', { consumer: 'c1' }));
  assert.equal(th.paused, false);
});

test('threads: each thread has its line; a kill marks every thread; the main thread only starts them', () => {
  const ev = stream();
  const t = (thread_, type, extra = {}) => ev(type, { consumer: 'c1', thread: thread_, ...extra });
  const state = run([
    ev('spawned', { consumer: 'c1', pid: 1 }),
    t('t1', 'subscribed', { topic: 'x', group: 'g', commit_mode: 'sync-batch' }),
    t('t2', 'subscribed', { topic: 'x', group: 'g', commit_mode: 'sync-batch' }),
    t('t1', 'poll', { count: 1, duration_ms: 1 }),
    t('t1', 'record', { partition: 0, offset: 0, key: null, value: '1' }),
    t('t2', 'poll', { count: 0, duration_ms: 1000 }),
  ]);
  const c = state.consumers.get('c1');
  assert.deepEqual([...c.threads.keys()], ['t1', 't2'], 'the main thread that only started them is dropped');
  assert.equal(at(state, 'c1', 't1'), 'loop');
  assert.equal(at(state, 'c1', 't2'), 'poll');
  assert.equal(leadThread(c).name, 't2', 't2 moved last');
  traceEvent(state, ev('killed', { consumer: 'c1' }));
  assert.deepEqual([...c.threads.values()].map((th) => th.died.anchor), ['loop', 'poll']);
  // The worker-pool design: the polling thread and the pool threads.
  const ev2 = stream();
  const pool = run([
    ...start(ev2, 'c2', [0]),
    ev2('poll', { consumer: 'c2', count: 2, duration_ms: 1 }),
    ev2('record', { consumer: 'c2', thread: 'pool-1', partition: 0, offset: 0, key: null, value: '1' }),
  ]);
  assert.equal(at(pool, 'c2', ''), 'poll');
  const work = thread(pool, 'c2', 'pool-1').at;
  assert.deepEqual([work.anchor, work.alt], ['work', ['loop']]);
});

test('steps resolve to lines the code has (a listener-less consumer revokes inside poll or close)', () => {
  const group = anchorIndex(javaSource('ConsumerInGroup', { commit_mode: 'sync-batch' }));
  const plain = anchorIndex(javaSource('ConsumerWithSyncCommit', { commit_mode: 'sync-batch' }));
  assert.equal(resolve({ anchor: 'revoked', alt: ['poll'] }, group), 'revoked');
  assert.equal(resolve({ anchor: 'revoked', alt: ['poll'] }, plain), 'poll');
  assert.equal(resolve({ anchor: 'revoked', alt: ['close'] }, plain), 'close');
  assert.equal(resolve({ anchor: 'start', alt: ['create'] }, plain), 'create');
  assert.equal(resolve({ anchor: 'callback', alt: ['commit'] }, plain), 'commit');
  assert.equal(resolve(null, plain), null);
  // Every step a wakeup-lab run takes is a line of its code.
  const wakeup = anchorIndex(javaSource('ConsumerWithWakeup', { commit_mode: 'sync-batch', commit_every_records: 100 }));
  const ev = stream();
  const state = run([
    ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 3),
    ev('commit_requested', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'every-n', offsets: [] }),
    ev('wakeup', { consumer: 'c1' }),
    ev('commit_requested', { consumer: 'c1', commit_id: 2, mode: 'sync', reason: 'shutdown', offsets: [] }),
    ev('closed', { consumer: 'c1' }),
  ]);
  const th = thread(state, 'c1');
  for (const step of [...th.trail, th.at]) assert.ok(resolve(step, wakeup), `${step.anchor} has a line`);
});

test('the trail keeps the last few lines only', () => {
  const ev = stream();
  const state = run(start(ev, 'c1', [0]));
  for (let i = 0; i < 40; i++) {
    traceEvent(state, ev('poll', { consumer: 'c1', count: 1, duration_ms: 1 }));
    traceEvent(state, ev('record', { consumer: 'c1', partition: 0, offset: i, key: null, value: String(i) }));
  }
  assert.equal(trail(state, 'c1').length, TRAIL_MAX);
  assert.equal(traceEvent(state, ev('produced', { partition: 0, offset: 0, key: null, value: 'x' })), false, 'events of no consumer');
});

test('the panel follows the picked consumer, else the newest live one, with its settings', () => {
  const m = model.createRun({ partitions: 1, group: 'g' });
  assert.equal(followed(m, null), null);
  for (const id of ['c1', 'c2', 'c3']) model.consumer(m, id);
  m.consumers.get('c3').status = 'killed';
  assert.equal(followed(m, null).id, 'c2', 'the newest live consumer');
  assert.equal(followed(m, 'c3').id, 'c3', 'the one picked, even dead');
  assert.equal(followed(m, 'c9').id, 'c2', 'a pick that is gone');
  m.consumers.get('c2').status = 'closed';
  m.consumers.get('c1').status = 'closed';
  assert.equal(followed(m, null).id, 'c3', 'none live: the newest');
  const def = { consumer: { commit_mode: 'sync-batch', commit_every_records: 100 } };
  assert.deepEqual(settingsOf(def, null), def.consumer);
  const c = m.consumers.get('c1');
  c.commitMode = 'sync-record';
  assert.deepEqual(settingsOf(def, c), { commit_mode: 'sync-record', commit_every_records: 100 }, 'the subscribed event says the mode');
  c.config = { commit_mode: 'async' };
  assert.deepEqual(settingsOf(def, c), { commit_mode: 'async' }, 'the run view says the rest');
});
