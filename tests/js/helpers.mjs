// Builds stamped events like the server's (see src/event.rs): seq from 1, ts in ms; and the
// catalogs the page's texts come from.
import { readFileSync } from 'node:fs';

export const T0 = 1_700_000_000_000;

export function stream(start = 0) {
  let seq = start;
  let ts = T0;
  /** ev(type, fields, {dt}): the next event, `dt` ms after the previous one (default 10). */
  const ev = (type, fields = {}, opts = {}) => {
    ts += opts.dt ?? 10;
    return { seq: ++seq, ts, type, ...fields };
  };
  ev.now = () => ts;
  return ev;
}

/** Applies events in order; returns the last result. */
export function feed(model, m, events) {
  let out = null;
  for (const e of events) out = model.applyEvent(m, e);
  return out;
}

/** A consumer's start: spawned, subscribed, assigned `partitions`. */
export function start(ev, cid, partitions, extra = {}) {
  return [
    ev('spawned', { consumer: cid, pid: 4000 + Number(cid.slice(1)) }),
    ev('subscribed', { consumer: cid, topic: 'test-r1', group: 'labs-r1', commit_mode: 'sync-batch', ...extra }),
    ev('partitions_assigned', { consumer: cid, partitions }),
    ev('rebalance_done', { consumer: cid, kind: 'assign', duration_ms: 0.4 }),
  ];
}

/** `count` records by cid on partition p from offset `from` (after a poll that returned them). */
export function records(ev, cid, p, from, count, extra = {}) {
  const out = [ev('poll', { consumer: cid, count, duration_ms: 3.5, ...extra })];
  for (let o = from; o < from + count; o++) out.push(ev('record', { consumer: cid, partition: p, offset: o, key: null, value: String(o + 1), ...extra }));
  return out;
}

export function produced(ev, p, from, count) {
  const out = [];
  for (let o = from; o < from + count; o++) out.push(ev('produced', { partition: p, offset: o, key: null, value: String(o + 1) }));
  return out;
}

/** A language's catalog as the page gets it: {lang, texts} from static/i18n/<lang>.json. */
export function catalog(lang) {
  const file = new URL(`../../static/i18n/${lang}.json`, import.meta.url);
  return { lang, texts: JSON.parse(readFileSync(file, 'utf8')) };
}
