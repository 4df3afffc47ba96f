// Shared by every page (a module): the large-type toggle, persisted. static/early.js
// applies the stored choice before the first paint; this wires the button. Also the language
// toggle: its links work without JavaScript; with it they keep the address the page has now
// (e.g. the `?run=` the lab page added after loading).
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
    button.title = on ? t('page.large_type_off') : t('page.large_type');
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

function initLangToggle() {
  for (const link of document.querySelectorAll('.lang-toggle a[data-lang]')) {
    link.addEventListener('click', () => {
      const params = new URLSearchParams(location.search);
      params.set('lang', link.dataset.lang);
      link.href = `${location.pathname}?${params}`;
    });
  }
}

function init() {
  initLargeType();
  initLangToggle();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init);
} else {
  init();
}
