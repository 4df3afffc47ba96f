// The page's language and its texts: `t('ui.start')`, `t('ui.produce_n', { n: 200 })`.
// The server embeds the catalog of the page's language (static/i18n/<lang>.json) as the
// `#i18n` JSON island: {"lang": "ko", "texts": {"key": "text with {placeholders}"}}.

let lang = 'en';
let texts = {};

/** Reads the page's island (or `catalog` in tests: {lang, texts}). */
export function loadTexts(catalog) {
  let c = catalog;
  if (!c && typeof document !== 'undefined') {
    const island = document.getElementById('i18n');
    try {
      c = island ? JSON.parse(island.textContent) : null;
    } catch (e) {
      c = null;
    }
  }
  lang = (c && c.lang) || 'en';
  texts = (c && c.texts) || {};
}

/** The page language: 'ko' or 'en'. */
export function pageLang() {
  return lang;
}

/** The text for `key` with `{name}` placeholders filled from `params`; the key itself if missing. */
export function t(key, params) {
  const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Whether the catalog has `key` (for texts chosen at run time, e.g. an API error code). */
export function hasText(key) {
  return Object.prototype.hasOwnProperty.call(texts, key);
}

loadTexts();
