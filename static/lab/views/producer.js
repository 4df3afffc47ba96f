// The background producer's state next to its controls (the main pane only).

import { setText } from '../dom.js';
import { num } from '../format.js';
import { t } from '../i18n.js';

export function createProducerView(root, state) {
  /** ctx: {hasRun, ended}. */
  function draw(m, ctx) {
    if (!state) return;
    const rate = m.producerRate;
    setText(state, rate ? t('ui.producer.running', { rate: num(rate) }) : t('ui.producer.stopped'));
    state.dataset.running = rate ? 'true' : 'false';
    const start = root.querySelector('button[data-action="producer-start"]');
    if (start && !start.dataset.busy) {
      setText(start, rate ? t('ui.producer.set_rate') : t('ui.producer.start'));
      start.disabled = !ctx.hasRun || ctx.ended;
    }
    const stop = root.querySelector('button[data-action="producer-stop"]');
    if (stop && !stop.dataset.busy) stop.disabled = !rate || ctx.ended;
  }
  return { draw };
}
