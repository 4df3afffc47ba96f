// The page's notice line: a message that dismisses itself (unless sticky) or with its ×.

import { el } from '../dom.js';
import { t } from '../i18n.js';

let timer = null;

export function notify(text, kind, sticky) {
  const box = document.getElementById('notice');
  box.hidden = false;
  box.dataset.kind = kind || 'info';
  box.replaceChildren(el('span', {}, text), el('button', { type: 'button', class: 'ghost close', 'aria-label': t('ui.notice.dismiss'), onclick: () => { box.hidden = true; } }, '×'));
  clearTimeout(timer);
  if (!sticky) timer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 9000 : 6000);
}
