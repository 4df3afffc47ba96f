// Lag over time, per partition: committed lag (log-end − committed, the broker's view) and
// position lag (log-end − position, the consumer's own view) as two step lines over the last
// minutes, on one scale for every partition. SVG, no library. `stepPath` is pure (tested);
// the pane's frame loop coalesces redraws to animation frames.

import { svg } from '../dom.js';

export const GRAPH_W = 600; // user units; the SVG stretches to its box
export const GRAPH_H = 48;

/**
 * A step line through points [{t, v}] (oldest first; v null: no value, the line breaks) between
 * `from` and `to` (ms) in a W × H box with 0 … max upwards. Each value holds until the next
 * point; the last one holds until `to`. The last point before `from` starts the line at x 0.
 * Returns {line, area} path strings ('' when nothing is visible).
 */
export function stepPath(points, from, to, max, W = GRAPH_W, H = GRAPH_H) {
  const span = Math.max(1, to - from);
  const X = (t) => Math.max(0, Math.min(W, ((t - from) / span) * W));
  const Y = (v) => H - 1 - (Math.min(Math.max(v, 0), max) / Math.max(1, max)) * (H - 3);
  const f = (x) => Number(x.toFixed(1));
  let i = points.length - 1;
  while (i > 0 && points[i].t > from) i--;
  let line = '';
  let area = '';
  let run = null; // the open segment: {x0, d}
  const close = (x) => {
    if (!run) return;
    const d = `${run.d}H${f(x)}`;
    line += d;
    area += `${d}V${H}H${f(run.x0)}Z`;
    run = null;
  };
  for (let j = Math.max(0, i); j < points.length; j++) {
    const pt = points[j];
    if (pt.t > to) break;
    const x = X(pt.t);
    if (pt.v === null || pt.v === undefined) {
      close(x);
      continue;
    }
    const y = f(Y(pt.v));
    if (!run) run = { x0: x, d: `M${f(x)} ${y}` };
    else run.d += `H${f(x)}V${y}`;
  }
  close(W);
  return { line, area };
}

/** The highest value of the series inside [from, to] (and the one holding at `from`). */
export function visibleMax(seriesList, from) {
  let top = 0;
  for (const series of seriesList) {
    for (let j = series.length - 1; j >= 0; j--) {
      const pt = series[j];
      if (pt.v !== null && pt.v !== undefined) top = Math.max(top, pt.v);
      if (pt.t <= from) break;
    }
  }
  return top;
}

/** One partition's graph: an SVG with the two lines; draw(pt, from, to, max). */
export function createLagGraph(label) {
  const chart = svg('svg', { class: 'lag-graph', viewBox: `0 0 ${GRAPH_W} ${GRAPH_H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
  const grid = svg('path', { class: 'grid', d: `M0 ${GRAPH_H / 2}H${GRAPH_W}`, 'vector-effect': 'non-scaling-stroke' });
  const cArea = svg('path', { class: 'committed-area' });
  const cLine = svg('path', { class: 'committed-line', 'vector-effect': 'non-scaling-stroke' });
  const pLine = svg('path', { class: 'position-line', 'vector-effect': 'non-scaling-stroke' });
  chart.append(grid, cArea, cLine, pLine);
  const set = (node, d) => {
    if (node.getAttribute('d') !== d) node.setAttribute('d', d);
  };
  return {
    node: chart,
    draw(pt, from, to, max) {
      const c = stepPath(pt.lagHist, from, to, max);
      const p = stepPath(pt.posHist, from, to, max);
      set(cArea, c.area);
      set(cLine, c.line);
      set(pLine, p.line);
    },
  };
}
