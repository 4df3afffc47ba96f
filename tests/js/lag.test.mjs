// The lag chapter's pure parts: Burrow's rule sentences in both languages, the ring of commits
// with its empty slots, position lag beside committed lag, the inside view freezing when its
// consumer dies, the graph's step lines and the reset button's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as model from '../../static/lab/model/run.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { RULES, lagsText, ruleSentence, seconds, settingsText } from '../../static/lab/views/lag-rules.js';
import { groupSentence, ringView } from '../../static/lab/views/lag.js';
import { stepPath, visibleMax } from '../../static/lab/views/lag-graph.js';
import { insideState } from '../../static/lab/views/inside.js';
import { resetState } from '../../static/lab/page/reset.js';
import { catalog, feed, start, stream } from './helpers.mjs';

const fresh = (partitions = 1) => model.createRun({ partitions, group: 'labs-r1' });
const commit = (offset, timestamp, lag) => ({ offset, timestamp, observedAt: timestamp, lag });

/** One partition of a `lag` event for each rule, with the numbers the server sends. */
const T0 = 1_700_000_000_000;
const CASES = {
  no_commits: { status: 'OK', reason: { rule: 'no_commits' }, window: [] },
  incomplete: { status: 'OK', reason: { rule: 'incomplete', complete: 0.3, minimum: 0.5 }, window: [] },
  lag_within_allowed: { status: 'OK', reason: { rule: 'lag_within_allowed', current_lag: 0, allowed_lag: 0 }, window: [] },
  stopped: {
    status: 'STOP', reason: { rule: 'stopped', since_last_commit_ms: 9000, window_span_ms: 8000 },
    window: [commit(10, T0, 5), commit(20, T0 + 8000, 9)],
  },
  rewound: { status: 'REWIND', reason: { rule: 'rewound', index: 2, from: 150, to: 0 }, window: [commit(100, T0, 1), commit(150, T0 + 1, 1), commit(0, T0 + 2, 150)] },
  stalled: { status: 'STALL', reason: { rule: 'stalled', offset: 40 }, window: [] },
  lag_not_decreasing: { status: 'WARN', reason: { rule: 'lag_not_decreasing', lags: [35, 70, 150] }, window: [] },
  keeping: { status: 'OK', reason: { rule: 'keeping', lags: [35, 20, 40] }, window: [] },
  recent_lag_zero: { status: 'OK', reason: { rule: 'recent_lag_zero', last_offset: 99 }, window: [commit(99, T0, 0)] },
};

test('a sentence for every rule, with its numbers, in English', () => {
  loadTexts(catalog('en'));
  assert.deepEqual(Object.keys(CASES).sort(), [...RULES].sort(), 'a case per rule the server names');
  const en = Object.fromEntries(Object.entries(CASES).map(([rule, p]) => [rule, ruleSentence(p)]));
  assert.equal(en.stopped, 'no commit for 9.0 s, longer than the window spans (8.0 s) → STOP');
  assert.equal(en.lag_not_decreasing, 'lag at each commit 35 → 70 → 150: never went down → WARN');
  assert.equal(en.rewound, 'commit went back from 150 to 0 → REWIND');
  assert.equal(en.stalled, 'every commit in the window is at offset 40 while the lag never reached 0 → STALL');
  assert.equal(en.keeping, 'lag at each commit 35 → 20 → 40: it went down at least once → OK');
  assert.equal(en.lag_within_allowed, 'lag now 0, within the allowed 0 → OK');
  assert.equal(en.incomplete, 'window only 30% full, below the minimum 50%: not evaluated → OK');
  assert.equal(en.no_commits, 'no commit stored for this partition → OK');
  assert.match(en.recent_lag_zero, /last commit \(99\): nothing to read → OK$/);
  // A lag of 0 at a commit is the other way to stay OK.
  assert.equal(ruleSentence({ status: 'OK', reason: { rule: 'keeping', lags: [3, 0, 4] } }), 'lag at each commit 3 → 0 → 4: it was 0 at a commit → OK');
  // Between events the silence counts up from the last commit in the window.
  assert.equal(ruleSentence(CASES.stopped, T0 + 8000 + 12_345), 'no commit for 12.3 s, longer than the window spans (8.0 s) → STOP');
  assert.equal(lagsText([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), '1 → 2 → … → 6 → 7 → 8 → 9 → 10');
  assert.equal(seconds(8000), '8.0 s');
  assert.equal(ruleSentence({ status: 'OK', reason: { rule: 'new_rule' } }), 'rule new_rule → OK');
});

test('a sentence for every rule in Korean, with no English left', () => {
  loadTexts(catalog('ko'));
  for (const [rule, p] of Object.entries(CASES)) {
    const text = ruleSentence(p);
    assert.ok(!text.includes('ui.lag'), `${rule}: a catalog text (${text})`);
    const english = text.replace(/\b(OK|WARN|STOP|STALL|REWIND|ERR)\b/g, '').match(/[A-Za-z]{3,}/g);
    assert.equal(english, null, `${rule}: ${text}`);
  }
  assert.equal(ruleSentence(CASES.stopped), '9.0초 동안 커밋 없음, 윈도우가 걸친 시간(8.0초)보다 김 → STOP');
  assert.equal(ruleSentence(CASES.lag_not_decreasing), '커밋 시점의 랙 35 → 70 → 150: 한 번도 줄지 않음 → WARN');
  assert.equal(ruleSentence(CASES.rewound), '커밋이 150에서 0(으)로 뒤로 감 → REWIND');
  assert.equal(settingsText({ intervals: 10, minDistanceMs: 1000, allowedLag: 0, sampleIntervalMs: 500 }),
    'Burrow 윈도우: 파티션마다 최근 커밋 10개 · 1초보다 가까운 커밋은 하나로 침 · 랙 0 이하는 랙 없음으로 봄 · 브로커 오프셋은 500 ms마다 수집');
  loadTexts(catalog('en'));
  assert.equal(settingsText({ intervals: 4, minDistanceMs: 0, allowedLag: 0, sampleIntervalMs: null }),
    "Burrow's window: the last 4 commits of each partition · a lag of 0 or less counts as none");
});

test('the group line: NOTFOUND before the first commit, then the worst partitions', () => {
  loadTexts(catalog('en'));
  assert.equal(groupSentence(null), 'Burrow does not know the group yet: it has committed nothing.');
  assert.equal(groupSentence({ status: 'OK', partitions: [{ partition: 0, status: 'OK' }] }), 'every partition with commits is OK → group OK');
  assert.equal(groupSentence({ status: 'ERR', partitions: [
    { partition: 0, status: 'STOP' }, { partition: 1, status: 'WARN' }, { partition: 2, status: 'STOP' },
  ] }), 'STOP on P0 P2 · WARN on P1 → group ERR (STOP, STALL and REWIND count as ERR)');
});

test("Burrow's ring: the empty slots first, then the commits oldest → newest", () => {
  assert.deepEqual(model.ringSlots([], 3), [null, null, null]);
  const win = [commit(10, 1, 5), commit(20, 2, 9)];
  assert.deepEqual(model.ringSlots(win, 4), [null, null, win[0], win[1]]);
  assert.deepEqual(model.ringSlots([...win, commit(30, 3, 1)], 2).map((s) => s.offset), [20, 30], 'the newest when longer');
  const view = ringView([commit(100, 1, 35), commit(110, 2, 70), commit(120, 3, 20), commit(0, 4, null)], 6);
  assert.equal(view.length, 6);
  assert.deepEqual(view.map((s) => s.empty), [true, true, false, false, false, false]);
  assert.deepEqual(view.slice(2).map((s) => s.height), [0.5, 1, 20 / 70, 0]);
  assert.deepEqual(view.slice(2).map((s) => s.down), [false, false, true, false], 'the lag went down at the third commit');
  assert.deepEqual(view.slice(2).map((s) => s.back), [false, false, false, true], 'the last commit went back');
  // The run's ring length from the server's `complete` (a run may set its own intervals).
  assert.equal(model.ringLength({ partitions: [{ window: [1, 2, 3], complete: 0.75 }] }, 10), 4);
  assert.equal(model.ringLength({ partitions: [{ window: [], complete: 0 }] }, 10), 10);
  assert.equal(model.ringLength(null, 7), 7);
  // The run view's settings win over the page rules'; without them `complete` tells the length.
  const m = fresh(1);
  const rules = { intervals: 10, minDistanceMs: 1000, allowedLag: 0, sampleIntervalMs: 500 };
  assert.deepEqual(model.runBurrow(m, rules), rules);
  m.lagReport = { partitions: [{ window: [1], complete: 0.25 }] };
  assert.equal(model.runBurrow(m, rules).intervals, 4);
  m.burrow = { intervals: 5, min_distance_ms: 0, allowed_lag: 2, minimum_complete: 0 };
  assert.deepEqual(model.runBurrow(m, rules), { intervals: 5, minDistanceMs: 0, allowedLag: 2, sampleIntervalMs: 500 });
});

test('position lag comes from the owning live consumer; committed lag from the broker', () => {
  const m = fresh(2);
  const ev = stream();
  feed(model, m, [...start(ev, 'c1', [0, 1])]);
  feed(model, m, [ev('offsets', { partitions: [{ partition: 0, log_end: 100, committed: 40, lag: 60 }, { partition: 1, log_end: 50, committed: 50, lag: 0 }] })]);
  assert.equal(model.positionLag(m, 0), null, 'no report yet: –');
  feed(model, m, [ev('client_metrics', {
    consumer: 'c1', records_lag_max: 20, fetch_rate: 2, fetch_size_avg: 300, records_consumed_rate: 5,
    partitions: [{ partition: 0, position_lag: 12, committed_lag: 60, prefetched: 3 }, { partition: 1, position_lag: null, committed_lag: 0, prefetched: 0 }],
  })]);
  assert.equal(m.partitions[0].sampled, 60, 'committed lag: log-end − committed');
  assert.equal(model.positionLag(m, 0), 12, 'position lag: log-end − position, from the consumer');
  assert.equal(model.positionLag(m, 1), null, 'the consumer did not know it');
  assert.deepEqual(m.partitions[0].posHist.map((p) => p.v), [12]);
  // A second consumer reporting the partition does not win over its owner.
  feed(model, m, [...start(ev, 'c2', [])]);
  feed(model, m, [ev('client_metrics', { consumer: 'c2', partitions: [{ partition: 0, position_lag: 99, committed_lag: 60, prefetched: 0 }] })]);
  assert.equal(model.positionLag(m, 0), 12);
  // The owner dies: the other live consumer that reports it is used; when none is left, –.
  feed(model, m, [ev('killed', { consumer: 'c1' })]);
  assert.equal(model.positionLag(m, 0), 99);
  feed(model, m, [ev('closed', { consumer: 'c2' })]);
  assert.equal(model.positionLag(m, 0), null);
  assert.equal(m.partitions[0].posHist.at(-1).v, null, 'the position line breaks');
});

test('the inside view follows the newest consumer and freezes, greyed, when it dies', () => {
  loadTexts(catalog('en'));
  const m = fresh(1);
  const ev = stream();
  assert.equal(insideState(m).state, 'waiting');
  feed(model, m, [...start(ev, 'c1', [0])]);
  const report = (extra) => ev('client_metrics', {
    consumer: 'c1', records_lag_max: 150, fetch_rate: 1.04, fetch_size_avg: 512.4, records_consumed_rate: 4.96,
    partitions: [{ partition: 0, position_lag: 150, committed_lag: 160, prefetched: 0 }], ...extra,
  });
  feed(model, m, [report()]);
  let s = insideState(m);
  assert.equal(s.state, 'live');
  assert.equal(s.consumer, 'c1');
  assert.deepEqual(s.values, {
    'records-lag-max': '150 records', 'fetch-rate': '1/s', 'fetch-size-avg': '512 B', 'records-consumed-rate': '5/s',
  });
  const at = ev.now();
  feed(model, m, [ev('killed', { consumer: 'c1' }), ev('exited', { consumer: 'c1', code: null, signal: 9 })]);
  s = insideState(m);
  assert.equal(s.state, 'gone', 'greyed out');
  assert.equal(s.values['records-lag-max'], '150 records', 'frozen on its last values');
  assert.equal(s.at, at);
  assert.match(s.note, /^c1's last report, at /);
  // The outside view goes on: broker samples still move the committed lag.
  feed(model, m, [ev('offsets', { partitions: [{ partition: 0, log_end: 400, committed: 40, lag: 360 }] })]);
  assert.equal(m.partitions[0].sampled, 360);
  assert.equal(insideState(m).values['records-lag-max'], '150 records');
  // A new consumer that reports takes the panel back to life.
  feed(model, m, [...start(ev, 'c2', [0]), ev('client_metrics', { consumer: 'c2', records_lag_max: 7, partitions: [] })]);
  s = insideState(m);
  assert.equal(s.state, 'live');
  assert.equal(s.consumer, 'c2');
  assert.equal(s.values['fetch-rate'], '–', 'a value it did not know');
  assert.equal(insideState(m, 'c1').state, 'gone', 'the page may follow the dead one');
  loadTexts(catalog('ko'));
  assert.equal(insideState(m, 'c1').values['records-lag-max'], '150개');
});

test("a run view's metrics (after a reload) show the dead consumer's last report, frozen", () => {
  const m = fresh(1);
  model.setRun(m, {
    group: 'g', checkpoints: [], producer_rate: 0, partitions: [], lag: { status: 'ERR', complete: 1, totallag: 9, partitions: [] },
    consumers: [{ id: 'c1', config: {}, metrics: { records_lag_max: 9, fetch_rate: null, fetch_size_avg: null, records_consumed_rate: 0, partitions: [] } }],
  });
  m.consumers.get('c1').status = 'killed';
  const s = insideState(m);
  assert.equal(s.state, 'gone');
  assert.equal(m.lagReport.totallag, 9);
});

test('the lag graph: step lines that hold until now, break on no value, bounded in time and size', () => {
  const pts = [{ t: 0, v: 10 }, { t: 500, v: 20 }, { t: 1000, v: null }, { t: 1500, v: 5 }];
  const { line, area } = stepPath(pts, 0, 2000, 20, 200, 21);
  assert.equal(line, 'M0 11H50V2H100M150 15.5H200');
  assert.match(area, /^M0 11H50V2H100V21H0ZM150 15.5H200V21H150Z$/);
  assert.equal(stepPath([], 0, 1000, 10).line, '');
  // The point holding at the window's left edge starts the line at x 0.
  assert.equal(stepPath([{ t: -5000, v: 0 }], 0, 1000, 10, 100, 11).line, 'M0 10H100');
  assert.equal(visibleMax([[{ t: -10, v: 50 }, { t: 5, v: 3 }], [{ t: 1, v: 7 }]], 0), 50);
  const series = [];
  for (let i = 0; i < 5000; i++) model.pushPoint(series, i * 10, i % 7);
  assert.ok(series.length <= model.LAG_POINTS_MAX, `bounded: ${series.length}`);
  const old = [];
  model.pushPoint(old, 0, 1);
  model.pushPoint(old, 1000, 2);
  model.pushPoint(old, model.LAG_GRAPH_MS + 5000, 3);
  assert.deepEqual(old.map((p) => p.v), [2, 3], 'older points go, the one holding at the edge stays');
});

test('the reset button waits for an empty group', () => {
  loadTexts(catalog('en'));
  const m = fresh(1);
  const ev = stream();
  assert.equal(resetState(m, { hasRun: false }).disabled, true);
  assert.equal(resetState(m, { hasRun: true }).disabled, false);
  feed(model, m, [...start(ev, 'c1', [0])]);
  const live = resetState(m, { hasRun: true });
  assert.equal(live.disabled, true);
  assert.match(live.title, /Stop or kill the 1 live consumer/);
  feed(model, m, [ev('killed', { consumer: 'c1' })]);
  assert.equal(resetState(m, { hasRun: true }).disabled, false);
  assert.equal(resetState(m, { hasRun: true, busy: true }).disabled, true);
});
