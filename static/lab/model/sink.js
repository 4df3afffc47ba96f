// The sinks lab's part of the view model, pure: each record's write (a `sink_written` event)
// and the commit that covered it — or the kill that came first, the window where a crash
// writes the record again — plus what the sinks' read-back (GET /api/runs/{id}/sink) means in
// the course's three business cases.

/** Writes remembered for the write → commit timeline. */
export const WRITES_KEPT = 200;

export function createSink() {
  return { writes: [], rev: 0 };
}

/** A `sink_written` event: the record is on disk, no commit covers it yet. */
export function sinkWritten(sink, ev) {
  sink.writes.push({
    seq: ev.seq,
    t0: ev.ts,
    t1: null,
    consumer: ev.consumer || '',
    partition: ev.partition,
    offset: ev.offset,
    naiveRows: ev.naive_rows,
    inserted: !!ev.idempotent_inserted,
    // 'open' until a commit covers it ('committed') or its consumer dies first ('killed', 'gone').
    fate: 'open',
  });
  if (sink.writes.length > WRITES_KEPT * 1.2) sink.writes.splice(0, sink.writes.length - WRITES_KEPT);
  sink.rev++;
}

/** A successful commit in the run's group: the open writes below its offsets are covered. */
export function sinkCommitted(sink, ev) {
  let changed = false;
  for (const po of ev.offsets || []) {
    for (const w of sink.writes) {
      if (w.fate === 'open' && w.partition === po.partition && w.offset < po.offset) {
        w.fate = 'committed';
        w.t1 = ev.ts;
        changed = true;
      }
    }
  }
  if (changed) sink.rev++;
}

/** A consumer killed (or gone) with writes no commit covered: those are written again. */
export function sinkEnded(sink, consumerId, ts, fate) {
  let changed = false;
  for (const w of sink.writes) {
    if (w.fate === 'open' && w.consumer === consumerId) {
      w.fate = fate;
      w.t1 = ts;
      changed = true;
    }
  }
  if (changed) sink.rev++;
}

/**
 * The write → commit windows of the last `n` writes, oldest first, each with where its bar
 * starts and ends on [0, 1] over the span they cover (an open one runs to `now`).
 */
export function writeWindows(sink, now, n = 20) {
  const writes = sink.writes.slice(-n);
  if (!writes.length) return { rows: [], t0: now, t1: now };
  const t0 = Math.min(...writes.map((w) => w.t0));
  const t1 = Math.max(now, ...writes.map((w) => w.t1 ?? now));
  const span = Math.max(1, t1 - t0);
  const rows = writes.map((w) => {
    const end = w.t1 ?? now;
    return {
      ...w,
      x0: (w.t0 - t0) / span,
      x1: (end - t0) / span,
      windowMs: Math.max(0, end - w.t0),
      double: w.naiveRows > 1,
    };
  });
  return { rows, t0, t1 };
}

/** Records written and not yet covered by a commit: a crash now writes them again. */
export function openWrites(sink) {
  return sink.writes.filter((w) => w.fate === 'open').length;
}

/**
 * The course's three cases of a duplicate, from the naive table as read back: each double row
 * is one item too many in a cart, one payment charged twice (with its amount), one
 * "delivered" SMS sent twice.
 */
export function businessCases(back) {
  const naive = back && back.naive ? back.naive : { rows: [], duplicates: 0 };
  const doubles = (naive.rows || []).filter((r) => r.duplicate);
  const amount = doubles.reduce((sum, r) => sum + (Number.isFinite(r.amount) ? r.amount : 0), 0);
  const n = naive.duplicates || 0;
  return [
    { id: 'cart', doubles: n },
    { id: 'payment', doubles: n, amount },
    { id: 'sms', doubles: n },
  ];
}

/** The `n` payments after the `from`th: `order-<k>,<item>,<amount>` (as src/domain/sink.rs). */
export function paymentValues(from, n) {
  const menu = [['1 ice cream', 3000], ['2 coffee', 9000], ['1 sandwich', 6500], ['3 donuts', 4500]];
  const out = [];
  for (let k = from; k < from + n; k++) {
    const [item, amount] = menu[k % menu.length];
    out.push(`order-${k},${item},${amount}`);
  }
  return out;
}

/** The next order number: one past the highest offset produced or read so far. */
export function nextOrder(m) {
  let next = 0;
  for (const pt of m.partitions) next = Math.max(next, pt.logEnd);
  return next;
}
