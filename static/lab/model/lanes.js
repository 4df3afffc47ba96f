// The lanes' window: how many offsets a lane spans and where each lane starts. Derived from
// the log-end offsets; sliding a lane forgets the records far left of it. Pure.

export const SPANS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]; // offsets across a lane
export const SLIDE = 32; // past the widest span, a lane's window moves in steps of this
const HEADROOM = 3; // free offsets right of the log end (room for its label)
/** A lane never shows an offset this far below the newest one processed (its widest span and a slide). */
export const LANE_CELLS_MAX = SPANS[SPANS.length - 1] + SLIDE;

export function computeSpan(m) {
  let maxEnd = 0;
  for (const part of m.partitions) maxEnd = Math.max(maxEnd, part.logEnd);
  const need = maxEnd + HEADROOM;
  for (const s of SPANS) if (s >= need) return s;
  return SPANS[SPANS.length - 1];
}

export function laneStart(part, span) {
  const over = part.logEnd + HEADROOM - span;
  return over > 0 ? Math.ceil(over / SLIDE) * SLIDE : 0;
}

/**
 * Updates m.span and each part.start; a lane that slid right forgets records and values far
 * left of its window (a fast producer adds many). Returns whether the span changed.
 */
export function layoutLanes(m) {
  const span = computeSpan(m);
  const changed = span !== m.span;
  m.span = span;
  for (const part of m.partitions) {
    const start = laneStart(part, span);
    if (start === part.start) continue;
    if (start > part.start) forgetBelow(part, start - SLIDE);
    part.start = start;
    part.rev++;
  }
  if (changed) for (const part of m.partitions) part.rev++;
  return changed;
}

function forgetBelow(part, below) {
  if (below <= 0) return;
  for (const o of part.recs.keys()) if (o < below) part.recs.delete(o);
  for (const o of part.values.keys()) if (o < below) part.values.delete(o);
}
