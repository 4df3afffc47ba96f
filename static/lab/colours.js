// The colours the canvas and marks need in JS, read once from the stylesheet's custom
// properties (--k0 … --k7 on :root), so that CSS stays their one source. The fallbacks are the
// same Okabe–Ito values, for a stylesheet that does not define them.

const FALLBACK = ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#0072B2', '#F0E442', '#D55E00', '#222222'];

function read() {
  let style = null;
  try {
    style = getComputedStyle(document.documentElement);
  } catch (e) {
    /* no DOM (tests): the fallbacks */
  }
  return FALLBACK.map((colour, i) => (style && style.getPropertyValue(`--k${i}`).trim()) || colour);
}

/** One colour per consumer incarnation: c1 = PALETTE[0] (k0), c2 = PALETTE[1], … */
export const PALETTE = read();
/** Failed commits, SIGKILL. */
export const ERROR_COLOUR = PALETTE[6];
/** Commit bars by mode. */
export const COMMIT_COLOURS = { sync: PALETTE[4], async: PALETTE[2], auto: PALETTE[3] };
/** Timeline marks: rebalances and pauses (grey), a graceful end (blue). */
export const MARK_GREY = '#4b5563';
export const MARK_END = PALETTE[4];
