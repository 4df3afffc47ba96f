// Export → replay: the ledger recomputed from an exported run's events (model/ledger.js) equals
// the ledger the server exported with them; the export is checked before it is replayed
// (replay/file.js); and the replay's cursor at event k holds the model of events 1 … k, however
// it got there (replay/cursor.js, replay/player.js).
//
// The fixture is a real export (tests/export_replay.rs writes it when run with
// LABS_WRITE_REPLAY_FIXTURE=tests/js/fixtures/auto-commit-kill.json): auto commit, 11 records
// processed, SIGKILL, a restart that reads them again, a graceful stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as model from '../../static/lab/model/run.js';
import { ledgerOf, processedOf } from '../../static/lab/model/ledger.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { checkSize, parseExport } from '../../static/replay/file.js';
import { ReplayCursor } from '../../static/replay/cursor.js';
import { Player } from '../../static/replay/player.js';
import { catalog, produced, records, start, stream } from './helpers.mjs';

loadTexts(catalog('en'));

const TEXT = readFileSync(new URL('./fixtures/auto-commit-kill.json', import.meta.url), 'utf8');
const FIXTURE = JSON.parse(TEXT);

test('the ledger recomputed from the exported events is the exported ledger', () => {
  const recomputed = ledgerOf(FIXTURE.events, FIXTURE.run);
  assert.equal(FIXTURE.complete, true);
  assert.equal(recomputed.duplicates, FIXTURE.ledger.duplicates);
  assert.equal(recomputed.lost, FIXTURE.ledger.lost);
  assert.equal(processedOf(recomputed), processedOf(FIXTURE.ledger));
  assert.ok(recomputed.duplicates > 0, 'the fixture has duplicates');
  // Field for field: offsets, committed offsets, which consumer processed what.
  assert.deepEqual(recomputed, FIXTURE.ledger);
});

test('the ledger keeps groups apart, ignores failed commits and counts losses below the commit', () => {
  const ev = stream();
  const events = [
    ...records(ev, 'c1', 0, 0, 3),
    ev('commit_completed', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 6 }], latency_ms: 1, error: null }),
    ev('commit_completed', { consumer: 'c1', commit_id: 2, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 9 }], latency_ms: 1, error: 'rebalance' }),
    ...records(ev, 'c2', 0, 2, 2),
    // Another group reading offset 0 again is no duplicate in the run's group.
    ev('record', { consumer: 'c3', group: 'g-t2', partition: 0, offset: 0, key: null, value: '1' }),
  ];
  const l = ledgerOf(events, { group: 'g', partitions: 2 });
  assert.equal(l.duplicates, 1);
  assert.deepEqual(l.partitions.map((p) => [p.group, p.partition]), [['g', 0], ['g', 1], ['g-t2', 0]]);
  assert.deepEqual(l.partitions[0].duplicate_offsets, [2]);
  assert.deepEqual(l.partitions[0].lost_offsets, [4, 5]);
  assert.equal(l.partitions[0].committed, 6);
  assert.deepEqual(l.partitions[0].runs, [{ consumer: 'c1', first: 0, last: 2 }, { consumer: 'c2', first: 2, last: 3 }]);
  assert.equal(l.lost, 2);
});

test('an export is checked before it is replayed', () => {
  const ok = parseExport(TEXT);
  assert.equal(ok.ok, true);
  assert.equal(ok.run.events.length, FIXTURE.events.length);
  const broken = (v) => parseExport(JSON.stringify({ ...FIXTURE, ...v }));
  assert.equal(parseExport('{"format": "kafka-consumer-labs/run", ').key, 'ui.replay.err.not_json');
  assert.equal(parseExport('[1, 2]').key, 'ui.replay.err.not_export');
  assert.equal(broken({ format: 'something-else' }).key, 'ui.replay.err.not_export');
  assert.deepEqual(broken({ version: 2 }), { ok: false, key: 'ui.replay.err.version', params: { version: '2', supported: 1 } });
  assert.deepEqual(broken({ events: {} }).params, { what: 'events' });
  assert.deepEqual(broken({ events: [FIXTURE.events[1], FIXTURE.events[0]] }).params, { what: 'events[1]' });
  assert.deepEqual(broken({ run: { ...FIXTURE.run, partitions: 0 } }).params, { what: 'run.partitions' });
  assert.deepEqual(broken({ ledger: null }).params, { what: 'ledger' });
  assert.equal(broken({ events: [] }).key, 'ui.replay.err.no_events');
  assert.equal(checkSize(51 * 1024 * 1024).key, 'ui.replay.err.too_big');
  assert.equal(checkSize(0).key, 'ui.replay.err.empty_file');
  assert.equal(checkSize(1000), null);
});

/** A cursor target that holds just the model (the page's holds the drawings too). */
function modelTarget(run) {
  return {
    m: null,
    rebuild() {
      this.m = model.createRun({ partitions: run.run.partitions, group: run.run.group });
    },
    apply(events) {
      for (const e of events) model.applyEvent(this.m, e);
    },
  };
}

function modelOf(run, k) {
  const m = model.createRun({ partitions: run.run.partitions, group: run.run.group });
  for (const e of run.events.slice(0, k)) model.applyEvent(m, e);
  return m;
}

test('scrubbing to event k gives the model of events 1 … k, forwards or backwards', () => {
  const run = parseExport(TEXT).run;
  const target = modelTarget(run);
  const cursor = new ReplayCursor(run, target);
  const n = cursor.length;
  for (const k of [5, Math.floor(n / 2), n, 3, 0, n - 1, Math.floor(n / 3)]) {
    cursor.seek(k);
    assert.equal(cursor.pos, k);
    assert.deepEqual(target.m, modelOf(run, k), `model at ${k}`);
    assert.deepEqual(cursor.ledgerNow(), ledgerOf(run.events.slice(0, k), run.run), `ledger at ${k}`);
  }
  cursor.seek(n + 10);
  assert.equal(cursor.pos, n);
  assert.deepEqual(cursor.ledgerNow(), FIXTURE.ledger);
});

test('playing moves through the events on the replay clock, at the chosen speed', () => {
  const ev = stream();
  const events = [...produced(ev, 0, 0, 3), ...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 3)];
  // Then events 1 s apart.
  events.push(ev('commit_completed', { consumer: 'c1', commit_id: 1, mode: 'sync', reason: 'batch', offsets: [{ partition: 0, offset: 3 }], latency_ms: 1, error: null }, { dt: 1000 }));
  events.push(ev('closed', { consumer: 'c1' }, { dt: 1000 }));
  const run = { run: { id: 'r1', topic: 't', group: 'g', partitions: 1 }, events, consumers: [], ledger: {} };
  const target = modelTarget(run);
  const cursor = new ReplayCursor(run, target);
  let wall = 0;
  const frames = [];
  const player = new Player(cursor, () => {}, { request: (fn) => frames.push(fn), now: () => wall });
  player.setSpeed(2);
  player.play();
  const frame = (ms) => {
    wall += ms;
    frames.shift()();
  };
  frame(100); // 200 ms of the run: everything up to the last record (110 ms in)
  assert.equal(cursor.pos, events.length - 2);
  frame(400); // 1 s of the run since the start: not yet the commit (1.11 s in)
  assert.equal(cursor.pos, events.length - 2);
  frame(100);
  assert.equal(cursor.pos, events.length - 1);
  assert.equal(target.m.partitions[0].committed, 3);
  player.pause();
  frame(5000); // the frame already asked for: paused, nothing moves and none is asked again
  assert.equal(cursor.pos, events.length - 1);
  assert.equal(frames.length, 0);
  player.play();
  frame(5000);
  assert.equal(cursor.pos, events.length);
  assert.equal(player.playing, false, 'stops at the end');
  assert.equal(frames.length, 0);
  player.seek(2);
  assert.deepEqual(target.m, modelOf(run, 2));
});
