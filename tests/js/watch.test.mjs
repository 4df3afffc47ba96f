// The watch page's pure parts (static/watch/): the model (the watch's events → outside view,
// lag history, Burrow's report), the lag graph's path, the Java lines and API links, and a
// status's CSS state (Burrow's rules in words are the lab page's, tested in lag.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  applyEvent, applyView, burrowLinks, createModel, HISTORY_MS, javaLines, maxLag, partitionReport, sparkPath, statusClass,
} from '../../static/watch/model.js';
import { T0 } from './helpers.mjs';

const offsets = (seq, ts, parts) => ({ seq, ts, type: 'offsets', partitions: parts.map(([log_end, committed], partition) => ({ partition, log_end, committed, lag: log_end - (committed ?? 0) })) });

const lagEvent = (seq, ts, status, partitions) => ({ seq, ts, type: 'lag', status, complete: 1, totallag: 10, partitions });

test('offsets, lag and error events build the outside view, the history and the report', () => {
  const m = createModel();
  assert.equal(applyEvent(m, offsets(1, T0, [[10, null], [4, 4]])), true);
  assert.deepEqual(m.partitions.map((p) => p.lag), [10, 0]);
  assert.equal(applyEvent(m, offsets(1, T0, [[99, 99]])), false, 'a replayed event is ignored');
  applyEvent(m, offsets(2, T0 + 500, [[12, 10], [4, 4]]));
  assert.deepEqual(m.hist.get(0), [{ t: T0, lag: 10 }, { t: T0 + 500, lag: 2 }]);
  assert.equal(maxLag(m, T0 + 500), 10);
  applyEvent(m, { seq: 3, ts: T0 + 600, type: 'error', message: 'broker down' });
  assert.equal(m.error, 'broker down');
  const p0 = { partition: 0, status: 'STOP', current_lag: 2, complete: 1, reason: { rule: 'stopped', since_last_commit_ms: 3000, window_span_ms: 1000 }, window: [] };
  applyEvent(m, lagEvent(4, T0 + 700, 'ERR', [p0]));
  assert.equal(m.report.status, 'ERR');
  assert.equal(partitionReport(m, 0).status, 'STOP');
  assert.equal(partitionReport(m, 1), null);
  applyEvent(m, offsets(5, T0 + 1000, [[12, 10], [4, 4]]));
  assert.equal(m.error, null, 'a good sample clears the error');
  // The view's report (evaluated now) replaces the streamed one.
  applyView(m, { lag: null, partitions: [], error: null });
  assert.equal(m.report, null);
});

test('the history keeps two minutes', () => {
  const m = createModel();
  for (let i = 0; i < 300; i++) applyEvent(m, offsets(i + 1, T0 + i * 1000, [[i, 0]]));
  const h = m.hist.get(0);
  assert.ok(h.length <= 123 && h.length >= 120, `${h.length}`);
  assert.ok(h[1].t >= T0 + 299_000 - HISTORY_MS);
});

test('the lag graph is a step line that holds the last sample until now', () => {
  const hist = [{ t: T0, lag: 0 }, { t: T0 + 60_000, lag: 10 }];
  const path = sparkPath(hist, T0 + 120_000, 120_000, 300, 36, 10);
  assert.equal(path, 'M0 35.0H150.0V2.0H300');
  assert.equal(sparkPath([], T0, 1000, 300, 36, 10), '');
  // Older than the span: the line starts at the left edge at its value.
  assert.equal(sparkPath([{ t: T0 - 500_000, lag: 5 }], T0, 120_000, 300, 36, 10), 'M0 18.5H300');
});

test('the Java lines and Burrow links for a group', () => {
  const lines = javaLines('127.0.0.1:9092', 'my-app');
  assert.equal(lines.bootstrap, 'props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");');
  assert.equal(lines.group, 'props.put(ConsumerConfig.GROUP_ID_CONFIG, "my-app");');
  assert.equal(javaLines('b:1', '').group, 'props.put(ConsumerConfig.GROUP_ID_CONFIG, "my-group");');
  assert.deepEqual(burrowLinks('local', 'g.1'), {
    status: '/v3/kafka/local/consumer/g.1/status', lag: '/v3/kafka/local/consumer/g.1/lag', detail: '/v3/kafka/local/consumer/g.1', metrics: '/metrics',
  });
});

test('the CSS state of each status', () => {
  assert.deepEqual(['OK', 'WARN', 'ERR', 'STOP', 'STALL', 'REWIND', 'NOTFOUND'].map(statusClass), ['ok', 'warn', 'bad', 'bad', 'bad', 'bad', 'pending']);
});
