// A lane's cells painted on one canvas, for thin cells (many offsets across a lane): at a fast
// producer an element per offset meant thousands of elements made and dropped a second, and the
// browser's style recalculation for them was what kept the page under 60 fps. The canvas
// keeps, next to its pixels, what it painted (`canvas.painted`), read by the browser tests.

import { kOf } from '../format.js';
import { isDup } from '../model/run.js';

/** What a painted offset was (one byte each in `painted.kinds`; flags or'ed). */
export const PAINTED = { NONE: 0, PENDING: 1, PROCESSED: 2, DUP: 4, LOST: 8 };

/** The colours of the lanes' tokens (tokens.css), read once. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    k: Array.from({ length: 8 }, (_, i) => v(`--k${i}`, '#888')),
    surface: v('--surface', '#fff'),
    line: v('--line-strong', '#c4cbd6'),
    dup: v('--dup-ring', '#1b2130'),
    lost: v('--lost-stripe', '#f4cdbf'),
    lostRing: v('--k6', '#d55e00'),
  };
}

/** A cell's top and bottom lines, `t` px thick. */
function edges(ctx, colour, x, cw, h, t) {
  ctx.fillStyle = colour;
  ctx.fillRect(x, 0, cw, t);
  ctx.fillRect(x, h - t, cw, t);
}

export function createLaneCanvas() {
  let colours = null;

  /** Paints `part`'s window (m.span offsets from part.start) on `canvas`, `size` device px. */
  function paint(m, part, canvas, size) {
    colours ||= palette();
    const { w, h } = size;
    if (!w || !h) return;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, w, h);
    let painted = canvas.painted;
    if (!painted || painted.kinds.length !== m.span) {
      painted = { start: 0, kinds: new Uint8Array(m.span), counts: new Uint8Array(m.span) };
      canvas.painted = painted;
    }
    painted.start = part.start;
    painted.kinds.fill(PAINTED.NONE);
    painted.counts.fill(0);
    const step = w / m.span;
    const end = Math.min(part.logEnd, part.start + m.span);
    const edge = Math.max(1, Math.round(h / 16)); // the pending / duplicate lines' thickness
    for (let o = part.start; o < end; o++) {
      const i = o - part.start;
      const x = Math.floor(i * step);
      const cw = Math.max(1, Math.floor((i + 1) * step) - x);
      const r = part.recs.get(o);
      const lost = part.ledgerLost.has(o);
      let kind;
      if (r && r.by.length) {
        kind = PAINTED.PROCESSED;
        const dup = isDup(m, part, o);
        const last = colours.k[kOf(r.by[r.by.length - 1])] || colours.k[0];
        if (dup) {
          // Split between the first and the last processor, lined top and bottom.
          kind |= PAINTED.DUP;
          ctx.fillStyle = colours.k[kOf(r.by[0])] || last;
          ctx.fillRect(x, 0, cw, h / 2);
          ctx.fillStyle = last;
          ctx.fillRect(x, h / 2, cw, h - h / 2);
          edges(ctx, colours.dup, x, cw, h, 2 * edge);
        } else {
          ctx.fillStyle = last;
          ctx.fillRect(x, 0, cw, h);
        }
        painted.counts[i] = Math.min(255, r.by.length);
      } else {
        kind = PAINTED.PENDING;
        ctx.fillStyle = colours.surface;
        ctx.fillRect(x, 0, cw, h);
        edges(ctx, colours.line, x, cw, h, edge);
      }
      if (lost) {
        kind |= PAINTED.LOST;
        ctx.fillStyle = colours.lost;
        ctx.fillRect(x, 0, cw, h);
        edges(ctx, colours.lostRing, x, cw, h, 2 * edge);
      }
      painted.kinds[i] = kind;
    }
  }

  /** The offset under a pointer at `clientX` on `canvas` (part's window), or null. */
  function offsetAt(m, part, canvas, clientX) {
    const box = canvas.getBoundingClientRect();
    if (!box.width) return null;
    const o = part.start + Math.floor(((clientX - box.left) / box.width) * m.span);
    return o >= part.start && o < part.logEnd ? o : null;
  }

  return { paint, offsetAt };
}
