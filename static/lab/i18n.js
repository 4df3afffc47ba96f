// The page's language and its texts: `t('ui.start')`, `t('ui.produce_n', { n: 200 })`.
// The server embeds the catalog of the page's language (static/i18n/<lang>.json) as the
// `#i18n` JSON island: {"lang": "ko", "texts": {"key": "text with {placeholders}"}}.
//
// A text that depends on a count has one key per plural category of the language
// (`ui.x.one`, `ui.x.other`; Korean uses `other` only, its `one` says the same):
// `tn('ui.x', 3)` picks it with Intl.PluralRules and fills `{n}` with the formatted count.

let lang = 'en';
let texts = {};
let numbers = null; // Intl.NumberFormat for `lang`, made on first use
let plurals = null; // Intl.PluralRules for `lang`

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
  numbers = null;
  plurals = null;
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

/** A number in the page language's digits and grouping (1,234.5). */
export function formatNumber(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  if (!numbers) numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
  return numbers.format(n);
}

/**
 * The text of `key` for the count `n`: `key.one` or `key.other` (by the language's plural
 * rules; `other` when the catalog lacks the category), with `{n}` the formatted count.
 */
export function tn(key, n, params) {
  if (!plurals) plurals = new Intl.PluralRules(lang);
  const category = plurals.select(n);
  const chosen = hasText(`${key}.${category}`) ? `${key}.${category}` : `${key}.other`;
  return t(chosen, { ...params, n: formatNumber(n) });
}

loadTexts();

/** A text the server sends in both languages (`{en, ko}`), in the page's language. */
export function localText(text) {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text.en || '';
}
