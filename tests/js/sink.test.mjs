// The sinks lab's pure parts: writes and the commit (or kill) that ends their window, the
// course's three cases from a read-back, the payments the page produces, the table's cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as model from '../../static/lab/model/run.js';
import { businessCases, nextOrder, openWrites, paymentValues, writeWindows } from '../../static/lab/model/sink.js';
import { fateText, rowCells, rowsShown } from '../../static/lab/views/sink.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { catalog } from './helpers.mjs';

loadTexts(catalog('en'));

const GROUP = 'labs-r1';
let seq = 0;
const ev = (type, fields) => ({ seq: ++seq, ts: 1000 + seq * 10, type, ...fields });
const written = (consumer, offset, naiveRows = 1) => ev('sink_written', {
  consumer, partition: 0, offset, naive_rows: naiveRows, idempotent_inserted: naiveRows === 1,
});

test('a write stays open until a commit covers it; a kill ends the rest as written again', () => {
  const m = model.createRun({ partitions: 1, group: GROUP });
  for (const e of [written('c1', 0), written('c1', 1), written('c1', 2)]) model.applyEvent(m, e);
  assert.equal(openWrites(m.sink), 3);
  model.applyEvent(m, ev('commit_completed', {
    consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 2 }], latency_ms: 1, error: null,
  }));
  assert.deepEqual(m.sink.writes.map((w) => w.fate), ['committed', 'committed', 'open']);
  model.applyEvent(m, ev('killed', { consumer: 'c1' }));
  assert.deepEqual(m.sink.writes.map((w) => w.fate), ['committed', 'committed', 'killed']);
  const out = model.applyEvent(m, written('c2', 2, 2));
  assert.ok(out.row.bad, 'a double charge is a red log line');
  assert.match(out.row.text, /2 naive rows/);
  const { rows } = writeWindows(m.sink, 2000);
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => r.x0 >= 0 && r.x1 <= 1 && r.x0 <= r.x1));
  assert.deepEqual(rows.map((r) => r.double), [false, false, false, true]);
  assert.equal(rows[3].fate, 'open');
  assert.match(fateText(rows[2]), /killed before the commit/);
});

test('a failed commit or another group\'s commit covers nothing', () => {
  const m = model.createRun({ partitions: 1, group: GROUP });
  model.applyEvent(m, written('c1', 0));
  model.applyEvent(m, ev('commit_completed', {
    consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 1 }], latency_ms: 1, error: 'boom',
  }));
  assert.equal(openWrites(m.sink), 1);
});

test('the three cases count the naive table\'s doubles, the payment with its amount', () => {
  const back = {
    naive: {
      duplicates: 2,
      rows: [
        { offset: 1, amount: 3000, duplicate: false, copies: 2 },
        { offset: 1, amount: 3000, duplicate: true, copies: 2 },
        { offset: 2, amount: 9000, duplicate: true, copies: 2 },
      ],
    },
  };
  assert.deepEqual(businessCases(back), [
    { id: 'cart', doubles: 2 }, { id: 'payment', doubles: 2, amount: 12000 }, { id: 'sms', doubles: 2 },
  ]);
  assert.deepEqual(businessCases(null)[1], { id: 'payment', doubles: 0, amount: 0 });
});

test('payments are numbered after the last offset, as the server\'s sample menu', () => {
  assert.deepEqual(paymentValues(16, 2), ['order-16,1 ice cream,3000', 'order-17,2 coffee,9000']);
  const m = model.createRun({ partitions: 2, group: GROUP });
  m.partitions[1].logEnd = 7;
  assert.equal(nextOrder(m), 7);
});

test('a stored row\'s cells and the rows shown', () => {
  const row = { partition: 0, offset: 17, order_id: 'order-17', item: '2 coffee', amount: 9000, consumer: 'c2' };
  assert.deepEqual(rowCells(row), ['P0 @17', 'order-17', '2 coffee', '9,000', 'c2']);
  assert.equal(rowCells({ ...row, amount: null })[3], '');
  assert.equal(rowsShown(Array.from({ length: 100 }, (_, i) => i), 60)[0], 40);
});
