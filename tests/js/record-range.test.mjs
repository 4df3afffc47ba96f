// `record_range`: consecutive records of a partition processed faster than a trainee can watch
// (more than 250 in one poll), reported as one event. The view model, the page's ledger and the
// Java trace count it as the records it stands for.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as model from '../../static/lab/model/run.js';
import { LANE_CELLS_MAX } from '../../static/lab/model/lanes.js';
import { MAX_TRACKED_OFFSET, ledgerOf } from '../../static/lab/model/ledger.js';
import { createTrace, traceEvent } from '../../static/lab/java/trace.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { catalog, feed, records, start, stream } from './helpers.mjs';

loadTexts(catalog('en'));

const GROUP = 'labs-r1';
const RUN = { partitions: 2, group: GROUP };

/** cid processed offsets first … last of partition p as one range (after its poll). */
function range(ev, cid, p, first, last, extra = {}) {
  return [
    ev('poll', { consumer: cid, count: last - first + 1, duration_ms: 2 }),
    ev('record_range', {
      consumer: cid, partition: p, first_offset: first, last_offset: last, key: null, value: `v${last}`, ...extra,
    }),
  ];
}

test('a range counts every record, moves the position and marks the cells a lane can show', () => {
  const m = model.createRun(RUN);
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0, 1]), ...range(ev, 'c1', 0, 0, 99_999), ...range(ev, 'c1', 1, 5, 6)]);
  const c = m.consumers.get('c1');
  assert.equal(c.processed, 100_002);
  assert.equal(m.clientProcessed, 100_002);
  assert.equal(c.pos.get(0), 100_000);
  assert.equal(c.first.get(0), 0);
  assert.equal(c.pos.get(1), 7);
  assert.equal(c.first.get(1), 5);
  const p0 = m.partitions[0];
  assert.equal(p0.logEnd, 100_000);
  assert.equal(p0.values.get(99_999), 'v99999', 'the last record is the sample');
  assert.equal(p0.recs.size, LANE_CELLS_MAX, 'not a cell per record of a big range');
  assert.deepEqual(p0.recs.get(99_999).by, ['c1']);
  assert.equal(p0.recs.get(99_999 - LANE_CELLS_MAX), undefined);
  model.layoutLanes(m);
  for (let o = p0.start; o < p0.logEnd; o++) assert.ok(p0.recs.has(o), `offset ${o} in the lane is drawn processed`);
  assert.equal(m.log.at(-1).text, 'P1 @5–6: 2 records processed at once (last "v6")');
  assert.equal(m.log.at(-3).text, 'P0 @0–99999: 100,000 records processed at once (last "v99999")');
});

test('records read again after a kill are duplicates, whether they came one by one or as a range', () => {
  const m = model.createRun(RUN);
  const ev = stream();
  feed(model, m, [
    ...start(ev, 'c1', [0]),
    ...range(ev, 'c1', 0, 0, 199),
    ev('killed', { consumer: 'c1' }),
    ev('exited', { consumer: 'c1', code: null, signal: 9 }),
    ...start(ev, 'c2', [0]),
    ...records(ev, 'c2', 0, 190, 5),
    ...range(ev, 'c2', 0, 195, 299),
  ]);
  const p0 = m.partitions[0];
  for (const o of [190, 199]) assert.ok(model.isDup(m, p0, o), `offset ${o} read twice`);
  assert.ok(!model.isDup(m, p0, 200));
  assert.equal(m.consumers.get('c2').processed, 110);
});

test("the page's ledger counts a range offset by offset, like the server's", () => {
  const ev = stream();
  const one = (p, o, cid) => ev('record', { consumer: cid, partition: p, offset: o, key: null, value: '' });
  const commit = (p, offset) => ev('commit_completed', {
    consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: p, offset }], latency_ms: 1, error: null,
  });
  const events = [
    ev('record_range', { consumer: 'c1', partition: 0, first_offset: 0, last_offset: 149, key: null, value: '' }),
    one(0, 150, 'c1'),
    commit(0, 100),
    ev('record_range', { consumer: 'c2', partition: 0, first_offset: 100, last_offset: 199, key: null, value: '' }),
    ev('record_range', { consumer: 'c2', partition: 1, first_offset: 0, last_offset: 4, key: null, value: '' }),
    commit(1, 8),
    // Backwards, absurd and a run's end: nothing, and only the tracked offsets.
    ev('record_range', { consumer: 'c2', partition: 1, first_offset: 9, last_offset: 3, key: null, value: '' }),
    ev('record_range', { consumer: 'c2', partition: 1, first_offset: MAX_TRACKED_OFFSET - 1, last_offset: 2 ** 53, key: null, value: '' }),
  ];
  const report = ledgerOf(events, RUN);
  const [p0, p1] = report.partitions;
  assert.equal(p0.processed, 151 + 100);
  assert.deepEqual(p0.duplicate_offsets, Array.from({ length: 51 }, (_, i) => 100 + i));
  assert.deepEqual(p0.runs, [
    { consumer: 'c1', first: 0, last: 150 },
    { consumer: 'c2', first: 100, last: 199 },
  ]);
  assert.deepEqual(p1.lost_offsets, [5, 6, 7]);
  assert.equal(p1.processed, 5 + 1);
  assert.equal(report.duplicates, 51);
  assert.equal(report.lost, 3);
});

test('the Java trace runs the loop body for a range as for a record', () => {
  const ev = stream();
  const state = createTrace();
  for (const e of [...start(ev, 'c1', [0]), ...range(ev, 'c1', 0, 0, 499)]) traceEvent(state, e);
  assert.equal(state.consumers.get('c1').threads.get('').at.anchor, 'loop');
});
