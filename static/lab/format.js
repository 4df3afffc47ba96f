// Text helpers shared by the model's log lines and the views: clocks, numbers and durations in
// the page's language, and compact lists of offsets and partitions. Pure: no DOM. The Intl
// objects are made once per language (the log formats many rows).

import { formatNumber, pageLang, t } from './i18n.js';

const cache = new Map(); // `${lang}|${name}` → an Intl formatter

function cached(name, make) {
  const key = `${pageLang()}|${name}`;
  let f = cache.get(key);
  if (!f) {
    f = make(pageLang());
    cache.set(key, f);
  }
  return f;
}

/** 13:04:05.123 (local time, 24-hour clock, in the page's language). */
export function clock(ts) {
  const f = cached('clock', (lang) => new Intl.DateTimeFormat(lang, {
    hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23',
  }));
  return f.format(new Date(ts));
}

/** A count or a rate: 1,234 (the page language's grouping). */
export function num(n) {
  return formatNumber(n);
}

/** A number with exactly `digits` decimals: 4.2, 12.5. */
function fixed(v, digits) {
  return cached(`fixed${digits}`, (lang) => new Intl.NumberFormat(lang, {
    minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false,
  })).format(v);
}

/** 12.5 ms, 340 ms; '' for none. */
export function ms(v) {
  if (v === null || v === undefined) return '';
  return t('ui.unit.ms', { n: v >= 100 ? fixed(Math.round(v), 0) : fixed(v, 1) });
}

/** 1200 ms, 45 ms: whole milliseconds (the swimlanes' pauses). */
export function msWhole(v) {
  return t('ui.unit.ms', { n: fixed(Math.round(v), 0) });
}

/** "5 s" / "5초", "500 ms", "1.5 s" / "1.5초": whole milliseconds below a second, else seconds. */
export function duration(msValue) {
  if (Math.abs(msValue) < 1000) return t('ui.unit.ms', { n: fixed(Math.round(msValue), 0) });
  return t('ui.unit.s', { n: formatNumber(msValue / 1000) });
}

/** A time-axis tick `s` seconds before now: "−30 s" / "−30초", or "now" / "지금". */
export function agoTick(s) {
  return s ? t('ui.axis.ago', { n: formatNumber(s) }) : t('ui.axis.now');
}

/** At most n characters (an ellipsis when cut); ∅ for none. */
export function short(s, n) {
  if (s === null || s === undefined) return '∅';
  const str = String(s);
  return str.length > n ? str.slice(0, n - 1) + '…' : str;
}

/** [{partition, offset}] → "P0→4 P1→2" (six at most, then "+N"). */
export function offsetsText(list) {
  if (!list || !list.length) return t('ui.fmt.no_offsets');
  const parts = list.slice(0, 6).map((po) => `P${po.partition}→${po.offset}`);
  if (list.length > 6) parts.push(`+${list.length - 6}`);
  return parts.join(' ');
}

/** [0, 1, 2, 5] → "P0–2 P5": consecutive partitions as ranges. */
export function partitionsText(list) {
  if (!list || !list.length) return t('ui.fmt.no_partitions');
  return rangesText(list, 'P');
}

/** [100, 101, …, 149, 160] → "100–149 160" (with a prefix per range: "P0–2"). */
export function rangesText(list, prefix) {
  const sorted = [...list].sort((a, b) => a - b);
  const parts = [];
  const pre = prefix || '';
  let lo = sorted[0];
  let hi = lo;
  for (const p of sorted.slice(1).concat([null])) {
    if (p !== null && p === hi + 1) {
      hi = p;
      continue;
    }
    parts.push(lo === hi ? `${pre}${lo}` : hi === lo + 1 ? `${pre}${lo} ${pre}${hi}` : `${pre}${lo}–${hi}`);
    lo = p;
    hi = p;
  }
  return parts.join(' ');
}

/** The number of a consumer id: c3 → 3 (0 when it has none). */
export function kNum(cid) {
  return parseInt(String(cid || '').replace(/^c/, ''), 10) || 0;
}

/** How many consumer colours there are (--k0 … --k7, `k0`…`k7` classes). */
export const COLOUR_COUNT = 8;

/** c1 → 0, c2 → 1, …: the consumer's colour and pattern (class `k<n>`). */
export function kOf(cid) {
  const n = parseInt(String(cid || '').replace(/^c/, ''), 10);
  return Number.isFinite(n) && n > 0 ? (n - 1) % COLOUR_COUNT : 0;
}

/** "c1" or "c1/t2": the consumer and, when the event has one, its thread. */
export function whoOf(ev) {
  if (!ev.consumer) return null;
  return ev.thread ? `${ev.consumer}/${ev.thread}` : ev.consumer;
}

/** t1 → 1, t2 → 2 (a pattern per consumer thread); anything else → 0. */
export function threadIndex(thread) {
  const m = /^t(\d+)$/.exec(thread || '');
  return m ? ((Number(m[1]) - 1) % 4) + 1 : 0;
}

/** 0 … v rounded up to 1, 2 or 5 × 10^n (at least 5): a calm, readable scale. */
export function niceMax(v) {
  const x = Math.max(5, v);
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** A commit the broker refused because the group is rebalancing. */
export function rebalanceRefusal(error) {
  return !!error && /REBALANCE_IN_PROGRESS|rebalance in progress|RebalanceInProgress/i.test(error);
}

/** The Java names of the rebalance callbacks, by `rebalance_done.kind`. */
export const CALLBACK_NAMES = { revoke: 'onPartitionsRevoked', assign: 'onPartitionsAssigned' };

export function sameSet(a, b) {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

/** Consumer statuses (c.status) → their words; an unknown status shows as itself. */
const STATUS_KEYS = {
  starting: 'ui.status.starting',
  running: 'ui.status.running',
  stopping: 'ui.status.stopping',
  closed: 'ui.status.closed',
  killed: 'ui.status.killed',
  exited: 'ui.status.exited',
  paused: 'ui.status.paused',
};

/** A consumer status in the page's language ("running" / "실행 중"). */
export function statusText(status) {
  return STATUS_KEYS[status] ? t(STATUS_KEYS[status]) : String(status);
}

/** Burrow's statuses (the group's NOTFOUND / OK / WARN / ERR, a partition's OK / WARN / STOP /
 * STALL / REWIND) → the word said beside the code (정상 / 경고 / 오류 in Korean). */
const LAG_WORD_KEYS = {
  NOTFOUND: 'ui.lag.word.notfound',
  OK: 'ui.lag.word.ok',
  WARN: 'ui.lag.word.warn',
  ERR: 'ui.lag.word.err',
  STOP: 'ui.lag.word.stop',
  STALL: 'ui.lag.word.stall',
  REWIND: 'ui.lag.word.rewind',
};

/** The word for one of Burrow's status codes, in the page's language ('' for an unknown code). */
export function lagWord(code) {
  return LAG_WORD_KEYS[code] ? t(LAG_WORD_KEYS[code]) : '';
}

/** A Burrow status as the page writes it in a sentence: "WARN (warning)" / "WARN (경고)". */
export function lagStatusText(code) {
  const word = lagWord(code);
  return word ? t('ui.lag.code_word', { code, word }) : String(code);
}
