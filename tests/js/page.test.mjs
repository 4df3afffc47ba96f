// The page's small pure parts: the API's typed error, the page rules, text helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { api, ApiError } from '../../static/lab/api.js';
import { burrowRules, maxProducerRate, optionRange, readRules } from '../../static/lab/page/rules.js';
import { offsetsText, partitionsText, rangesText } from '../../static/lab/format.js';
import { loadTexts } from '../../static/lab/i18n.js';
import { catalog } from './helpers.mjs';

loadTexts(catalog('en'));

function respond(status, body) {
  globalThis.fetch = async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { date: 'Mon, 30 Nov 2026 10:00:00 GMT' } });
}

test('an API refusal is an ApiError with the status, the message and the field the server named', async () => {
  respond(400, { error: 'field `threads`: must be 1 to 8', field: 'threads' });
  const e = await api('POST', '/api/runs/r1/consumers', { threads: 9 }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.equal(e.status, 400);
  assert.equal(e.field, 'threads');
  assert.equal(e.message, 'field `threads`: must be 1 to 8');
  respond(409, { error: 'run ended' });
  const noField = await api('POST', '/x').catch((x) => x);
  assert.equal(noField.field, null);
  respond(502, 'Bad gateway');
  assert.equal((await api('GET', '/x').catch((x) => x)).message, 'Bad gateway');
  globalThis.fetch = async () => { throw new TypeError('Failed to fetch'); };
  const net = await api('GET', '/x').catch((x) => x);
  assert.equal(net.status, 0);
  assert.match(net.message, /^network error/);
  respond(200, { id: 'c1' });
  const ok = await api('POST', '/x', {});
  assert.deepEqual(ok.body, { id: 'c1' });
  assert.ok(ok.date);
});

test('page rules: ranges and timings; a missing key means no limit', () => {
  const doc = (text) => ({ getElementById: (id) => (id === 'page-rules' && text !== null ? { textContent: text } : null) });
  const rules = readRules(doc(JSON.stringify({
    max_producer_rate: 500, sample_interval_ms: 500,
    burrow: { intervals: 10, min_distance_ms: 1000, allowed_lag: 0, minimum_complete: 0 },
    options: { session_timeout_ms: { min: 1000, max: 300000 }, threads: { min: 1 } },
  })));
  assert.equal(maxProducerRate(rules), 500);
  assert.deepEqual(burrowRules(rules), { intervals: 10, minDistanceMs: 1000, allowedLag: 0, minimumComplete: 0, sampleIntervalMs: 500 });
  assert.deepEqual(optionRange(rules, 'session_timeout_ms'), { min: 1000, max: 300000 });
  assert.deepEqual(optionRange(rules, 'threads'), { min: 1, max: null });
  assert.deepEqual(optionRange(rules, 'worker_pool'), { min: null, max: null });
  for (const empty of [readRules(doc(null)), readRules(doc('not json')), readRules(doc('null'))]) {
    assert.deepEqual(empty, {});
    assert.equal(maxProducerRate(empty), null);
    assert.equal(burrowRules(empty).intervals, null);
    assert.deepEqual(optionRange(empty, 'threads'), { min: null, max: null });
  }
});

test('ranges of offsets and partitions', () => {
  assert.equal(rangesText([103, 100, 101, 102, 160, 149]), '100–103 149 160');
  assert.equal(rangesText([4, 5]), '4 5');
  assert.equal(partitionsText([0, 1, 2, 5]), 'P0–2 P5');
  assert.equal(partitionsText([]), 'none');
  assert.equal(offsetsText([{ partition: 0, offset: 4 }, { partition: 2, offset: 9 }]), 'P0→4 P2→9');
  assert.equal(offsetsText(Array.from({ length: 8 }, (_, i) => ({ partition: i, offset: 1 }))), 'P0→1 P1→1 P2→1 P3→1 P4→1 P5→1 +2');
});
