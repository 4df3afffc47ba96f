// The offset ledger recomputed from a run's events, by the rules of the server's ledger
// (src/domain/ledger.rs, fed by src/run/state.rs): a `record` event of a consumer processed its
// offset in the event's group (the event's `group`, else the run's), a `record_range` each
// offset from its first to its last; a `commit_completed`
// without an error set the committed offset of each of its partitions in that group.
// Duplicates: offsets processed more than once; lost: offsets below the committed offset that
// nothing processed. Groups are kept apart: two groups reading a record is no duplicate.
//
//   const l = createLedger({group, partitions});
//   for (const ev of events) ledgerEvent(l, ev);
//   ledgerReport(l)   // {duplicates, lost, partitions: [...]}, shaped as GET /ledger answers
//
// Pure: no DOM, no fetch.

/** An empty ledger of the run's group with its partitions 0 … n−1 (as the server starts one). */
export function createLedger({ group = '', partitions = 1 } = {}) {
  const l = { group, parts: new Map() };
  for (let p = 0; p < partitions; p++) entry(l, group, p);
  return l;
}

/** Keys sort as the server's BTreeMap<(group, partition)>: group (by code unit), then partition. */
function key(group, partition) {
  return `${group}\u0000${partition}`;
}

function entry(l, group, partition) {
  const k = key(group, partition);
  let p = l.parts.get(k);
  if (!p) {
    p = { group, partition, counts: [], processed: 0, runs: [], committed: null };
    l.parts.set(k, p);
  }
  return p;
}

/** Takes one stamped event (as the SSE stream and the export carry it) into the ledger. */
export function ledgerEvent(l, ev) {
  if (!ev || typeof ev !== 'object') return;
  const group = typeof ev.group === 'string' ? ev.group : l.group;
  if (ev.type === 'record' && ev.consumer) {
    processedRange(l, group, ev.consumer, ev.partition, ev.offset, ev.offset);
  } else if (ev.type === 'record_range' && ev.consumer) {
    processedRange(l, group, ev.consumer, ev.partition, ev.first_offset, ev.last_offset);
  } else if (ev.type === 'commit_completed' && (ev.error === null || ev.error === undefined)) {
    for (const po of ev.offsets || []) {
      if (po && Number.isInteger(po.partition) && Number.isInteger(po.offset)) entry(l, group, po.partition).committed = po.offset;
    }
  }
}

/** Offsets from here on are not tracked, as on the server (`MAX_TRACKED_OFFSET`). */
export const MAX_TRACKED_OFFSET = 2 ** 22;

/** Each offset first … last processed once (a `record` is a range of one). */
function processedRange(l, group, consumer, partition, first, last) {
  if (!Number.isInteger(first) || !Number.isInteger(last) || !Number.isInteger(partition)) return;
  const from = Math.max(first, 0);
  const to = Math.min(last, MAX_TRACKED_OFFSET - 1);
  if (from > to) return;
  const p = entry(l, group, partition);
  for (let o = from; o <= to; o++) p.counts[o] = (p.counts[o] || 0) + 1;
  p.processed += to - from + 1;
  const run = p.runs[p.runs.length - 1];
  if (run && run.consumer === consumer && run.last + 1 === from) run.last = to;
  else p.runs.push({ consumer, first: from, last: to });
}

function compareKeys(a, b) {
  if (a.group !== b.group) return a.group < b.group ? -1 : 1;
  return a.partition - b.partition;
}

/** The ledger's report: the shape of `GET /api/runs/{id}/ledger` (and of an export's `ledger`). */
export function ledgerReport(l) {
  let duplicates = 0;
  let lost = 0;
  const partitions = [...l.parts.values()].sort(compareKeys).map((p) => {
    const duplicateOffsets = [];
    for (let o = 0; o < p.counts.length; o++) if ((p.counts[o] || 0) > 1) duplicateOffsets.push(o);
    const end = Math.max(0, p.committed === null ? 0 : p.committed);
    const lostOffsets = [];
    for (let o = 0; o < end; o++) if (!p.counts[o]) lostOffsets.push(o);
    duplicates += duplicateOffsets.length;
    lost += lostOffsets.length;
    return {
      group: p.group,
      partition: p.partition,
      processed: p.processed,
      committed: p.committed,
      duplicate_offsets: duplicateOffsets,
      lost_offsets: lostOffsets,
      runs: p.runs.map((r) => ({ ...r })),
    };
  });
  return { duplicates, lost, partitions };
}

/** Processed events over all partitions and groups (the page's "processed" counter). */
export function processedOf(report) {
  return report.partitions.reduce((n, p) => n + p.processed, 0);
}

/** The ledger of `events` for a run of `run.group` with `run.partitions` partitions. */
export function ledgerOf(events, run = {}) {
  const l = createLedger(run);
  for (const ev of events) ledgerEvent(l, ev);
  return ledgerReport(l);
}
