// The lab's checkpoints, ticked as the run reaches them.

import { el } from '../dom.js';

export function createCheckpointsView(panel, list) {
  function draw(m) {
    if (!list) return;
    if (panel) panel.hidden = m.checkpoints.size === 0;
    list.replaceChildren(...[...m.checkpoints.values()].map((cp) => el('li', {
      class: cp.reached ? 'reached' : '', dataset: { checkpoint: cp.id },
    }, el('span', { class: 'tick', 'aria-hidden': 'true' }, cp.reached ? '✓' : ''), el('span', { class: 'sr-only' }, cp.reached ? 'reached: ' : 'not yet: '), cp.text)));
  }
  return { draw };
}
