// Where a replay stands in an exported run's events, and the time each position means.
// Pure: it moves a target (anything with rebuild() and apply(events)) through the events, and
// keeps the ledger recomputed from the events it applied (model/ledger.js).
//
//   const cur = new ReplayCursor(run, target);
//   cur.seek(k);          // the target has seen events 1 … k (rebuilt from the start if k went back)
//   cur.indexAt(t);       // how many events happened by time t (the replay's clock)

import { createLedger, ledgerEvent, ledgerReport } from '../lab/model/ledger.js';

export class ReplayCursor {
  /** run: a parsed export (file.js); target: {rebuild(), apply(events)}. */
  constructor(run, target) {
    this.run = run;
    this.events = run.events;
    this.target = target;
    /** Events applied: the target has seen events[0 … pos−1]. */
    this.pos = 0;
    /** clock[i]: the latest `ts` among events 0 … i (workers' and the server's clocks interleave). */
    this.clock = [];
    let max = -Infinity;
    for (const e of this.events) {
      max = Math.max(max, e.ts);
      this.clock.push(max);
    }
    this.ledger = createLedger(run.run);
    /** Bumped when the ledger may have changed. */
    this.ledgerRev = 0;
    target.rebuild();
  }

  get length() {
    return this.events.length;
  }

  /** The time of the first event, and of the last. */
  get start() {
    return this.clock[0];
  }

  get end() {
    return this.clock[this.clock.length - 1];
  }

  /** The replay's time at the current position: the last applied event's (the start before any). */
  time() {
    return this.pos ? this.clock[this.pos - 1] : this.start;
  }

  /** The current event (the last applied), or null. */
  current() {
    return this.pos ? this.events[this.pos - 1] : null;
  }

  /** How many events happened at or before time `t`. */
  indexAt(t) {
    let lo = 0;
    let hi = this.clock.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.clock[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves to position k (0 … length): forward by applying, backward by rebuilding from the start. */
  seek(k) {
    const to = Math.max(0, Math.min(this.length, Math.floor(k)));
    if (to < this.pos) {
      this.target.rebuild();
      this.ledger = createLedger(this.run.run);
      this.pos = 0;
      this.ledgerRev++;
    }
    if (to === this.pos) return false;
    const slice = this.events.slice(this.pos, to);
    for (const e of slice) {
      if (e.type === 'record' || e.type === 'record_range' || e.type === 'commit_completed') this.ledgerRev++;
      ledgerEvent(this.ledger, e);
    }
    this.target.apply(slice);
    this.pos = to;
    return true;
  }

  /** The ledger of the events applied so far (the shape of GET /ledger). */
  ledgerNow() {
    return ledgerReport(this.ledger);
  }
}
