// The instructor's class table as a model (static/instructor/model.js): the stream's `class`
// snapshot, `update`s and `runs` ticks in; the rows and columns for a lab filter and a sort
// out. Also the home page's pure parts (static/home/model.js): the typed name and the demo
// banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  applyClass, applyRuns, applyUpdate, createModel, demoOf, label, rowKey, tableView,
} from '../../static/instructor/model.js';
import { demoBanner, typedName } from '../../static/home/model.js';
import { T0 } from './helpers.mjs';

const LABS = [
  { id: 'auto-commit', title: { en: 'Auto commit', ko: '자동 커밋' }, checkpoints: [{ id: 'a1', text: { en: 'A1', ko: '가1' } }, { id: 'a2', text: { en: 'A2', ko: '가2' } }, { id: 'a3', text: { en: 'A3', ko: '가3' } }] },
  { id: 'sync-commit-batch', title: { en: 'Sync', ko: '동기' }, checkpoints: [{ id: 's1', text: { en: 'S1', ko: '나1' } }] },
  { id: 'simple-consumer', title: { en: 'Simple', ko: '단순' }, checkpoints: [] },
];

const liveRun = (id, lab, extra = {}) => ({
  id, lab, created_ms: T0, processed: 4, duplicates: 0, lost: 0, page: `/labs/${lab}?run=${id}`, watch: `/labs/${lab}?run=${id}&view=watch`, ...extra,
});

function snapshot() {
  return {
    trainees: [
      { trainee: 'aaaa', name: '김하늘', labs: { 'auto-commit': { checkpoints: [{ id: 'a1', run: 'r1', reached_ms: T0 }], runs: [] } }, live_runs: [liveRun('r1', 'auto-commit')] },
      { trainee: 'bbbb', name: null, labs: {}, live_runs: [] },
    ],
    labs: LABS,
    demo: null,
    at_ms: T0,
  };
}

test('a class snapshot fills the table; one column per lab with every lab', () => {
  const m = createModel();
  assert.equal(applyClass(m, snapshot()), true);
  assert.equal(m.trainees.size, 2);
  const v = tableView(m);
  assert.deepEqual(v.columns.map((c) => [c.kind, c.lab, c.total]), [['lab', 'auto-commit', 3], ['lab', 'sync-commit-batch', 1], ['lab', 'simple-consumer', 0]]);
  assert.equal(v.total, 4);
  const kim = v.rows.find((r) => r.tag === 'aaaa');
  assert.equal(kim.label, '김하늘');
  assert.equal(kim.named, true);
  assert.equal(kim.progress, 1);
  assert.deepEqual(kim.cells.map((c) => [c.lab, c.reached, c.total]), [['auto-commit', 1, 3], ['sync-commit-batch', 0, 1], ['simple-consumer', 0, 0]]);
  assert.equal(kim.cells[0].run.id, 'r1');
  assert.equal(kim.cells[0].run.watch, '/labs/auto-commit?run=r1&view=watch');
  assert.equal(kim.cells[0].run.demo, false);
  assert.equal(kim.cells[1].run, null);
  const nameless = v.rows.find((r) => r.tag === 'bbbb');
  assert.equal(nameless.label, 'bbbb', 'a trainee without a name is shown by their tag');
  assert.equal(nameless.named, false);
});

test('updates: a run starts, a checkpoint is reached (once), a name is typed, a run ends', () => {
  const m = createModel();
  applyClass(m, snapshot());
  assert.equal(applyUpdate(m, { type: 'run_started', trainee: 'bbbb', run: 'r2', lab: 'sync-commit-batch', ts: T0 + 1 }), true);
  assert.equal(applyUpdate(m, { type: 'run_started', trainee: 'bbbb', run: 'r2', lab: 'sync-commit-batch', ts: T0 + 1 }), false, 'the same start twice');
  let b = tableView(m).rows.find((r) => r.tag === 'bbbb');
  assert.equal(b.live, 1);
  assert.equal(b.cells[1].run.id, 'r2');
  assert.equal(b.cells[1].run.watch, null, 'its links come with the next runs tick');

  assert.equal(applyUpdate(m, { type: 'checkpoint', trainee: 'bbbb', run: 'r2', lab: 'sync-commit-batch', checkpoint: 's1', first: true, ts: T0 + 2 }), true);
  assert.equal(applyUpdate(m, { type: 'checkpoint', trainee: 'bbbb', run: 'r3', lab: 'sync-commit-batch', checkpoint: 's1', first: false, ts: T0 + 3 }), false);
  assert.equal(applyUpdate(m, { type: 'name', trainee: 'bbbb', name: 'Ana' }), true);
  assert.equal(applyUpdate(m, { type: 'name', trainee: 'bbbb', name: 'Ana' }), false);
  b = tableView(m).rows.find((r) => r.tag === 'bbbb');
  assert.equal(b.label, 'Ana');
  assert.equal(b.progress, 1);
  assert.deepEqual(b.cells[1], { kind: 'lab', lab: 'sync-commit-batch', reached: 1, total: 1, run: { ...b.cells[1].run } });

  assert.equal(applyUpdate(m, {
    type: 'run_ended', trainee: 'bbbb', run: 'r2', lab: 'sync-commit-batch', reason: 'instructor', summary: { processed: 9, duplicates: 2, lost: 1 }, ts: T0 + 4,
  }), true);
  const t = m.trainees.get('bbbb');
  assert.equal(t.live.length, 0);
  assert.deepEqual(t.labs['sync-commit-batch'].runs[0], {
    id: 'r2', lab: 'sync-commit-batch', created_ms: null, ended_ms: T0 + 4, end_reason: 'instructor', processed: 9, duplicates: 2, lost: 1,
  });
  // A trainee first seen in an update gets a row.
  assert.equal(applyUpdate(m, { type: 'checkpoint', trainee: 'cccc', run: 'r9', lab: 'auto-commit', checkpoint: 'a2', first: true, ts: T0 + 5 }), true);
  assert.equal(tableView(m).rows.length, 3);
  assert.equal(applyUpdate(m, { type: 'nonsense' }), false);
  assert.equal(applyUpdate(m, null), false);
});

test('the runs tick replaces live runs and their numbers; unchanged ticks change nothing', () => {
  const m = createModel();
  applyClass(m, snapshot());
  const tick = [{ ...liveRun('r1', 'auto-commit', { duplicates: 3, lost: 1 }), trainee: 'aaaa' }, { ...liveRun('r7', 'simple-consumer'), trainee: 'dddd' }, { ...liveRun('r8', 'simple-consumer'), trainee: null }];
  assert.equal(applyRuns(m, tick), true);
  assert.equal(applyRuns(m, tick), false, 'the same numbers again');
  const rows = tableView(m).rows;
  const kim = rows.find((r) => r.tag === 'aaaa');
  assert.deepEqual([kim.cells[0].run.duplicates, kim.cells[0].run.lost], [3, 1]);
  assert.equal('trainee' in kim.cells[0].run, false);
  assert.ok(rows.some((r) => r.tag === 'dddd'), 'a trainee seen only in the tick gets a row');
  assert.equal(rows.length, 3, 'a run whose trainee is not stored yet is left for later');
  // A run gone from the tick is no longer live.
  assert.equal(applyRuns(m, []), true);
  assert.equal(tableView(m).rows.find((r) => r.tag === 'aaaa').cells[0].run, null);
});

test('one lab: a column per checkpoint and one for the live run', () => {
  const m = createModel();
  applyClass(m, snapshot());
  const v = tableView(m, { filter: 'auto-commit' });
  assert.deepEqual(v.columns.map((c) => c.kind === 'checkpoint' ? c.id : c.kind), ['a1', 'a2', 'a3', 'run']);
  assert.equal(v.total, 3);
  const kim = v.rows.find((r) => r.tag === 'aaaa');
  assert.deepEqual(kim.cells.map((c) => (c.kind === 'checkpoint' ? c.reached : c.run && c.run.id)), [true, false, false, 'r1']);
  assert.equal(kim.progress, 1);
  // An unknown lab id shows every lab.
  assert.equal(tableView(m, { filter: 'nope' }).columns.length, 3);
});

test('sorting by name (A to Z, either way) and by progress (ties by name)', () => {
  const m = createModel();
  applyClass(m, {
    trainees: [
      { trainee: 't1', name: 'Cara', labs: { 'auto-commit': { checkpoints: [{ id: 'a1' }, { id: 'a2' }], runs: [] } }, live_runs: [] },
      { trainee: 't2', name: 'ana', labs: {}, live_runs: [] },
      { trainee: 't3', name: 'Bo', labs: { 'sync-commit-batch': { checkpoints: [{ id: 's1' }], runs: [] } }, live_runs: [] },
      { trainee: 't4', name: 'Abe', labs: { 'sync-commit-batch': { checkpoints: [{ id: 's1' }], runs: [] } }, live_runs: [] },
    ],
    labs: LABS,
  });
  const collator = new Intl.Collator('en', { sensitivity: 'base' });
  const names = (opts) => tableView(m, { collator, ...opts }).rows.map((r) => r.label);
  assert.deepEqual(names({ sort: 'name' }), ['Abe', 'ana', 'Bo', 'Cara']);
  assert.deepEqual(names({ sort: 'name', dir: 'desc' }), ['Cara', 'Bo', 'ana', 'Abe']);
  assert.deepEqual(names({ sort: 'progress', dir: 'desc' }), ['Cara', 'Abe', 'Bo', 'ana']);
  assert.deepEqual(names({ sort: 'progress', dir: 'asc' }), ['ana', 'Abe', 'Bo', 'Cara']);
  // Progress counts the filtered lab only.
  assert.deepEqual(names({ sort: 'progress', dir: 'desc', filter: 'sync-commit-batch' }), ['Abe', 'Bo', 'ana', 'Cara']);
});

test('the demo: marked, shown in its cell and above the table while live; ended', () => {
  const m = createModel();
  applyClass(m, { ...snapshot(), demo: { run: 'r1', lab: 'auto-commit', watch: '/labs/auto-commit?run=r1&view=watch' } });
  assert.deepEqual(demoOf(m), { run: 'r1', lab: 'auto-commit', watch: '/labs/auto-commit?run=r1&view=watch', trainee: 'aaaa' });
  assert.equal(tableView(m).rows.find((r) => r.tag === 'aaaa').cells[0].run.demo, true);
  assert.equal(applyUpdate(m, { type: 'demo', run: null }), true);
  assert.equal(demoOf(m), null);
  assert.equal(applyUpdate(m, { type: 'demo', run: 'r1' }), true);
  assert.equal(applyUpdate(m, { type: 'demo', run: 'r1' }), false);
  // The demo run ends: nothing to watch any more.
  applyUpdate(m, { type: 'run_ended', trainee: 'aaaa', run: 'r1', lab: 'auto-commit', reason: 'stopped', summary: { processed: 1, duplicates: 0, lost: 0 }, ts: T0 });
  assert.equal(demoOf(m), null);
});

test('a row key changes with what the row shows', () => {
  const m = createModel();
  applyClass(m, snapshot());
  const before = rowKey(tableView(m).rows.find((r) => r.tag === 'aaaa'));
  assert.equal(rowKey(tableView(m).rows.find((r) => r.tag === 'aaaa')), before);
  applyRuns(m, [{ ...liveRun('r1', 'auto-commit', { lost: 2 }), trainee: 'aaaa' }]);
  assert.notEqual(rowKey(tableView(m).rows.find((r) => r.tag === 'aaaa')), before);
  assert.equal(label({ tag: 'x', name: null }), 'x');
});

test('home: the typed name as the server keeps it', () => {
  assert.deepEqual(typedName('  김하늘 ', 40), { name: '김하늘', error: false });
  assert.deepEqual(typedName('   ', 40), { name: null, error: false }, 'blank clears the name');
  assert.equal(typedName('가'.repeat(40), 40).error, false, 'characters, not bytes');
  assert.equal(typedName('가'.repeat(41), 40).error, true);
  assert.equal(typedName('a\u0007b', 40).error, true);
});

test('home: the demo banner for GET /api/demo', () => {
  const titles = { 'auto-commit': '자동 커밋' };
  assert.deepEqual(demoBanner({ demo: null }, titles), { shown: false, href: null, lab: '' });
  assert.deepEqual(demoBanner({ demo: { run: 'r1', lab: 'auto-commit', watch: '/labs/auto-commit?run=r1&view=watch' } }, titles), {
    shown: true, href: '/labs/auto-commit?run=r1&view=watch', lab: '자동 커밋',
  });
  assert.equal(demoBanner({ demo: { run: 'r1', lab: 'x', watch: '/w' } }, titles).lab, 'x');
  assert.equal(demoBanner(null, titles).shown, false);
});
