// The lab's checkpoints, ticked as the run reaches them.

import { el } from '../dom.js';
import { t } from '../i18n.js';

export function createCheckpointsView(panel, list) {
  function draw(m) {
    if (!list) return;
    if (panel) panel.hidden = m.checkpoints.size === 0;
    list.replaceChildren(...[...m.checkpoints.values()].map((cp) => el('li', {
      class: cp.reached ? 'reached' : '', dataset: { checkpoint: cp.id },
    }, el('span', { class: 'tick', 'aria-hidden': 'true' }, cp.reached ? '✓' : ''), el('span', { class: 'sr-only' }, `${cp.reached ? t('ui.checkpoint.reached') : t('ui.checkpoint.not_yet')} `), cp.text)));
  }
  return { draw };
}
