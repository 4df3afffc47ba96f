// Who owns each partition over time (the ownership swimlanes), built from assign/revoke/close/
// kill/exit events. Pure: times come from the events or are passed in.

export const SWIM_MS = 60000; // the swimlanes show the last 60 s
const SWIM_KEEP_MS = 70000;

/** One partition's history: owner intervals, pauses without a live owner, assign/revoke marks. */
export function makeOwnRow(p) {
  return { p, ivs: [], pauses: [], marks: [] };
}

/** A new owner interval (id from the model's sequence). */
function interval(m, who, cid, k, th, t0, deadAt) {
  return { id: ++m.seq, who, cid, k, th, t0, t1: null, deadAt, end: null };
}

export function swimAssign(m, ev, c, who, th) {
  for (const p of ev.partitions || []) {
    const row = m.own[p];
    if (!row) continue;
    const last = row.ivs[row.ivs.length - 1];
    let from = null;
    let t0 = ev.ts;
    if (last) {
      if (last.t1 === null) {
        if (last.who === who && last.deadAt === null) continue; // already this owner's
        // Taken over: from a dead member (never revoked), or handed over between events.
        last.t1 = Math.max(ev.ts, last.t0);
        last.end = 'taken';
        if (last.deadAt !== null) from = last.deadAt;
      } else {
        from = last.t1;
      }
      t0 = Math.max(t0, last.t1);
    }
    row.ivs.push(interval(m, who, c.id, c.k, th, t0, null));
    if (from !== null) row.pauses.push({ id: ++m.seq, from, to: t0 });
    row.marks.push({ id: ++m.seq, t: t0, kind: 'assign', who });
  }
  m.rev.swim++;
}

export function swimRevoke(m, ev, who) {
  for (const p of ev.partitions || []) {
    const row = m.own[p];
    if (!row) continue;
    const last = row.ivs[row.ivs.length - 1];
    if (last && last.t1 === null && last.who === who) {
      last.t1 = Math.max(ev.ts, last.t0);
      last.end = 'revoke';
      row.marks.push({ id: ++m.seq, t: last.t1, kind: 'revoke', who });
    }
  }
  m.rev.swim++;
}

/**
 * The consumer process is gone. A graceful close already revoked (and left the group); a
 * killed member keeps its partitions in the group's eyes until its session times out.
 */
export function swimGone(m, ev, c, dead) {
  for (const row of m.own) {
    const last = row.ivs[row.ivs.length - 1];
    if (!last || last.t1 !== null || last.cid !== c.id) continue;
    if (dead) {
      if (last.deadAt === null) last.deadAt = Math.max(ev.ts, last.t0);
    } else {
      last.t1 = Math.max(ev.ts, last.t0);
      last.end = 'closed';
    }
  }
  m.rev.swim++;
}

/** The run view names an owner whose events were dropped: drawn from `now` on. */
export function swimFromView(m, p, owner, c, dead, now) {
  const row = m.own[p];
  if (!row || !owner) return;
  const last = row.ivs[row.ivs.length - 1];
  const open = last && last.t1 === null ? last : null;
  if (open && open.cid === owner) return;
  if (open) open.t1 = now;
  row.ivs.push(interval(m, owner, owner, c.k, 0, now, dead ? now : null));
  m.rev.swim++;
}

/** Whether the swimlanes still change with time (an open segment, history in view). */
export function swimMoving(m, now) {
  for (const row of m.own) {
    const last = row.ivs[row.ivs.length - 1];
    if (!last) continue;
    if (last.t1 === null || last.t1 > now - SWIM_MS - 1000) return true;
  }
  return false;
}

/** Forgets history long out of view; the last interval stays (the next pause starts at it). */
export function pruneSwim(m, now) {
  const cut = now - SWIM_KEEP_MS;
  for (const row of m.own) {
    if (row.ivs.length > 1 && row.ivs[0].t1 !== null && row.ivs[0].t1 < cut) {
      row.ivs = row.ivs.filter((iv, i) => i === row.ivs.length - 1 || iv.t1 === null || iv.t1 >= cut);
    }
    if (row.pauses.length && row.pauses[0].to < cut) row.pauses = row.pauses.filter((p) => p.to >= cut);
    if (row.marks.length && row.marks[0].t < cut) row.marks = row.marks.filter((mk) => mk.t >= cut);
  }
}
