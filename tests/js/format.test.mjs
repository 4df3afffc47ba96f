// Texts and formats in the page's language (static/lab/i18n.js, static/lab/format.js), in
// Korean and in English, from the real catalogs; and a page without a catalog still working.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ApiError, errorText } from '../../static/lab/api.js';
import {
  agoTick, clock, duration, lagStatusText, lagWord, ms, msWhole, num, offsetsText, partitionsText, statusText,
} from '../../static/lab/format.js';
import { formatNumber, hasText, loadTexts, pageLang, t, tn } from '../../static/lab/i18n.js';
import * as model from '../../static/lab/model/run.js';
import { catalog, feed, records, start, stream } from './helpers.mjs';

const AT = new Date(2026, 0, 2, 13, 4, 5, 123).getTime(); // local time

test('English: clocks, numbers, durations, axis ticks, statuses', () => {
  loadTexts(catalog('en'));
  assert.equal(pageLang(), 'en');
  assert.equal(clock(AT), '13:04:05.123');
  assert.equal(clock(new Date(2026, 0, 2, 0, 0, 7, 5).getTime()), '00:00:07.005');
  assert.equal(num(12345), '12,345');
  assert.equal(num(2.5), '2.5');
  assert.equal(ms(4.2), '4.2 ms');
  assert.equal(ms(340.4), '340 ms');
  assert.equal(ms(1234.5), '1235 ms', 'no grouping inside a duration');
  assert.equal(ms(null), '');
  assert.equal(msWhole(45.4), '45 ms');
  assert.equal(duration(500), '500 ms');
  assert.equal(duration(5000), '5 s');
  assert.equal(duration(1500), '1.5 s');
  assert.equal(duration(60000), '60 s');
  assert.equal(agoTick(30), '−30 s');
  assert.equal(agoTick(0), 'now');
  assert.equal(statusText('running'), 'running');
  assert.equal(statusText('weird'), 'weird', 'an unknown status shows as itself');
  assert.equal(lagStatusText('STOP'), 'STOP (stopped)');
  assert.equal(lagStatusText('WARN'), 'WARN (warning)');
  assert.equal(lagWord('NOTFOUND'), 'not known');
  assert.equal(lagStatusText('UNKNOWN'), 'UNKNOWN', 'an unknown code shows as itself');
  assert.equal(partitionsText([]), 'none');
  assert.equal(offsetsText([]), 'nothing');
});

test('Korean: the same formats with Korean units and words', () => {
  loadTexts(catalog('ko'));
  assert.equal(pageLang(), 'ko');
  assert.equal(clock(AT), '13:04:05.123', 'a 24-hour clock, not 오후 1:04');
  assert.equal(num(12345), '12,345');
  assert.equal(ms(4.2), '4.2 ms');
  assert.equal(duration(500), '500 ms');
  assert.equal(duration(5000), '5초');
  assert.equal(duration(1500), '1.5초');
  assert.equal(agoTick(30), '−30초');
  assert.equal(agoTick(0), '지금');
  assert.equal(statusText('running'), '실행 중');
  assert.equal(statusText('killed'), '강제 종료');
  assert.equal(statusText('closed'), '정상 종료');
  // Burrow's code stays visible, the course's word beside it.
  assert.equal(lagStatusText('OK'), 'OK (정상)');
  assert.equal(lagStatusText('WARN'), 'WARN (경고)');
  assert.equal(lagStatusText('ERR'), 'ERR (오류)');
  assert.equal(lagWord('STOP'), '멈춤');
  assert.equal(partitionsText([]), '없음');
});

test('switching the language switches the cached formatters', () => {
  loadTexts(catalog('en'));
  assert.equal(duration(2000), '2 s');
  loadTexts(catalog('ko'));
  assert.equal(duration(2000), '2초');
  loadTexts({ lang: 'de', texts: {} });
  assert.equal(formatNumber(1234.5), '1.234,5', 'the formatters follow the language, not the first one used');
});

test('counts: English singular and plural, Korean one form', () => {
  loadTexts(catalog('en'));
  assert.equal(tn('ui.log.poll', 1, { ms: ms(3.5) }), '1 record in 3.5 ms');
  assert.equal(tn('ui.log.poll', 0, { ms: ms(3.5) }), '0 records in 3.5 ms');
  assert.equal(tn('ui.ab.outcome_dups', 1500, { side: 'A' }), 'A: 1,500 duplicates');
  assert.equal(tn('ui.ab.outcome_dups', 1, { side: 'A' }), 'A: 1 duplicate');
  loadTexts(catalog('ko'));
  assert.equal(tn('ui.log.poll', 1, { ms: ms(3.5) }), '1건 가져옴 (3.5 ms)');
  assert.equal(tn('ui.ab.outcome_dups', 50, { side: 'A' }), 'A: 중복 50건');
  assert.equal(t('ui.readout.note_paused', { id: 'c1', from: 100, to: 149 }), 'c1 일시 정지: 오프셋 100–149는 처리했지만 아직 커밋하지 않았습니다.');
});

test("an API error shows the catalog's text for its code, else the server's message", () => {
  const texts = { 'err.rate_too_high': '초당 {max}건을 넘을 수 없습니다' };
  loadTexts({ lang: 'ko', texts });
  const coded = ApiError.from(400, { error: 'rate_per_sec: more than 500', code: 'rate_too_high', params: { max: 500 }, field: 'rate_per_sec' });
  assert.equal(coded.code, 'rate_too_high');
  assert.deepEqual(coded.params, { max: 500 });
  assert.equal(coded.field, 'rate_per_sec');
  assert.equal(coded.message, 'rate_per_sec: more than 500');
  assert.equal(errorText(coded), '초당 500건을 넘을 수 없습니다');
  const unknown = ApiError.from(409, { error: 'run ended', code: 'something_new' });
  assert.equal(errorText(unknown), 'run ended', 'an unknown code: the server\'s words');
  const plain = ApiError.from(400, { error: 'bad', params: 'not an object' });
  assert.equal(plain.code, null);
  assert.equal(plain.params, null);
  assert.equal(errorText(plain), 'bad');
  assert.equal(errorText(ApiError.from(502, null)), 'HTTP 502');
});

test('without a catalog the page still works: texts are their keys', () => {
  loadTexts({ lang: 'ko', texts: {} });
  assert.equal(hasText('ui.status.running'), false);
  assert.equal(t('ui.status.running'), 'ui.status.running');
  assert.equal(tn('ui.log.poll', 2, { ms: '1 ms' }), 'ui.log.poll.other');
  assert.equal(statusText('running'), 'ui.status.running');
  const ev = stream();
  const m = model.createRun({ partitions: 1, group: 'labs-r1' });
  const out = feed(model, m, [...start(ev, 'c1', [0]), ...records(ev, 'c1', 0, 0, 2)]);
  assert.equal(out.row.text, 'P0 @1 "2"');
  assert.equal(m.log.find((r) => r.type === 'poll').text, 'ui.log.poll.other');
  loadTexts();
  assert.equal(pageLang(), 'en', 'no island (no document): English, no texts');
});
