// Shared by every page (a module): the large-type toggle, persisted. base.html's inline script
// applies the stored choice before the first paint; this wires the button.

import { t } from './lab/i18n.js';

const KEY = 'labs.largeType';

function stored() {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch (e) {
    return false;
  }
}

function store(on) {
  try {
    localStorage.setItem(KEY, on ? '1' : '0');
  } catch (e) {
    /* private mode: the toggle still works for this page */
  }
}

/** Larger type for projectors (or not); the lab page redraws on `labs:resize`. */
export function applyLargeType(on) {
  document.documentElement.classList.toggle('large', on);
  const button = document.getElementById('large-type');
  if (button) {
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    button.title = on ? t('ui.large_type.off') : t('ui.large_type.on');
  }
  document.dispatchEvent(new CustomEvent('labs:resize'));
}

function initLargeType() {
  applyLargeType(stored());
  const button = document.getElementById('large-type');
  if (!button) return;
  button.addEventListener('click', () => {
    const on = !document.documentElement.classList.contains('large');
    store(on);
    applyLargeType(on);
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', initLargeType);
} else {
  initLargeType();
}
