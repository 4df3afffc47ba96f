// Text helpers shared by the model's log lines and the views: clocks, durations, plurals and
// compact lists of offsets and partitions. Pure: no DOM.

function pad(n, w) {
  return String(n).padStart(w, '0');
}

/** 13:04:05.123 (local time). */
export function clock(ts) {
  const d = new Date(ts);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

/** 12.5 ms, 340 ms; '' for none. */
export function ms(v) {
  if (v === null || v === undefined) return '';
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

/** At most n characters (an ellipsis when cut); ∅ for none. */
export function short(s, n) {
  if (s === null || s === undefined) return '∅';
  const str = String(s);
  return str.length > n ? str.slice(0, n - 1) + '…' : str;
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** [{partition, offset}] → "P0→4 P1→2" (six at most, then "+N"). */
export function offsetsText(list) {
  if (!list || !list.length) return 'nothing';
  const parts = list.slice(0, 6).map((po) => `P${po.partition}→${po.offset}`);
  if (list.length > 6) parts.push(`+${list.length - 6}`);
  return parts.join(' ');
}

/** [0, 1, 2, 5] → "P0–2 P5": consecutive partitions as ranges. */
export function partitionsText(list) {
  if (!list || !list.length) return 'none';
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

/** "5 s", "500 ms": a duration in the largest whole unit. */
export function duration(msValue) {
  return msValue % 1000 === 0 ? `${msValue / 1000} s` : `${msValue} ms`;
}

export function sameSet(a, b) {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}
