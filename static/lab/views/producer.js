// The background producer's state next to its controls (the main pane only).

import { setText } from '../dom.js';

export function createProducerView(root, state) {
  /** ctx: {hasRun, ended}. */
  function draw(m, ctx) {
    if (!state) return;
    const rate = m.producerRate;
    setText(state, rate ? `running · ${rate} records/s` : 'stopped');
    state.dataset.running = rate ? 'true' : 'false';
    const start = root.querySelector('button[data-action="producer-start"]');
    if (start && !start.dataset.busy) {
      setText(start, rate ? 'Set rate' : 'Start');
      start.disabled = !ctx.hasRun || ctx.ended;
    }
    const stop = root.querySelector('button[data-action="producer-stop"]');
    if (stop && !stop.dataset.busy) stop.disabled = !rate || ctx.ended;
  }
  return { draw };
}
