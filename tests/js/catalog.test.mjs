// The catalogs (static/i18n/{en,ko}.json) against the code that uses them: every key a script
// names exists in both languages, both languages have the same keys with the same
// placeholders, and the Korean texts of the page's scripts (ui.*) are Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { catalog } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STATIC = join(ROOT, 'static');
const en = catalog('en').texts;
const ko = catalog('ko').texts;

/** Every .js file under static/, recursively. */
function scripts(dir = STATIC) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...scripts(path));
    else if (entry.name.endsWith('.js')) out.push(path);
  }
  return out;
}

/** A script's code without its comment lines (they quote example keys). */
function code(path) {
  return readFileSync(path, 'utf8').split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');
}

/**
 * The keys the scripts name: `t('k')` / `t("k")` / t(`k`) calls (any prefix), `tn('k', n)`
 * calls (k.other must exist), and any other literal 'ui.…' string (tables of keys).
 */
function usedKeys() {
  const calls = []; // {key, plural, where}
  for (const path of scripts()) {
    const where = relative(ROOT, path);
    const src = code(path);
    for (const m of src.matchAll(/\b(tn?)\(\s*(['"`])([^'"`$\s]+)\2/g)) {
      calls.push({ key: m[3], plural: m[1] === 'tn', where });
    }
    for (const m of src.matchAll(/(['"`])(ui\.[A-Za-z0-9_.]+)\1/g)) calls.push({ key: m[2], plural: null, where });
  }
  return calls;
}

test('every script parses as an ES module', () => {
  const broken = [];
  for (const path of scripts()) {
    try {
      execFileSync(process.execPath, ['--input-type=module', '--check'], { input: readFileSync(path), stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (e) {
      broken.push(`${relative(ROOT, path)}: ${String(e.stderr).split('\n').find((l) => /Error/.test(l)) || e.message}`);
    }
  }
  assert.deepEqual(broken, [], 'scripts that do not parse');
});

const has = (texts, key) => Object.prototype.hasOwnProperty.call(texts, key);

test('every key the scripts name is in both catalogs', () => {
  const used = usedKeys();
  assert.ok(used.length > 100, `the scan found the scripts' keys (${used.length})`);
  const missing = [];
  for (const { key, plural, where } of used) {
    for (const [lang, texts] of [['en', en], ['ko', ko]]) {
      // A literal from a table may be a plural base (its .other is the text).
      const ok = plural === true ? has(texts, `${key}.other`)
        : plural === false ? has(texts, key)
          : has(texts, key) || has(texts, `${key}.other`);
      if (!ok) missing.push(`${lang}: ${plural ? `${key}.other` : key} (${where})`);
    }
  }
  assert.deepEqual([...new Set(missing)], [], 'keys missing from a catalog');
});

test('every ui.* key in the catalogs is used by a script', () => {
  const used = new Set();
  for (const { key } of usedKeys()) {
    used.add(key);
    used.add(`${key}.one`);
    used.add(`${key}.other`);
  }
  const unused = Object.keys(en).filter((k) => k.startsWith('ui.') && !used.has(k));
  assert.deepEqual(unused, [], 'ui.* keys no script uses');
});

test('both catalogs have the same keys, each with the same placeholders', () => {
  const enKeys = Object.keys(en).sort();
  const koKeys = Object.keys(ko).sort();
  assert.deepEqual(enKeys.filter((k) => !has(ko, k)), [], 'keys only in en.json');
  assert.deepEqual(koKeys.filter((k) => !has(en, k)), [], 'keys only in ko.json');
  const placeholders = (text) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort().join(',');
  const differ = enKeys.filter((k) => has(ko, k) && placeholders(en[k]) !== placeholders(ko[k]))
    .map((k) => `${k}: en {${placeholders(en[k])}} ko {${placeholders(ko[k])}}`);
  assert.deepEqual(differ, [], 'placeholders differ');
  for (const [lang, texts] of [['en', en], ['ko', ko]]) {
    const empty = Object.entries(texts).filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k);
    assert.deepEqual(empty, [], `${lang}: texts that are empty or not strings`);
  }
});

test('the catalog files are sorted with a 2-space indent (merged by a JSON union)', () => {
  for (const lang of ['en', 'ko']) {
    const raw = readFileSync(join(STATIC, 'i18n', `${lang}.json`), 'utf8');
    const texts = JSON.parse(raw);
    const sorted = Object.fromEntries(Object.keys(texts).sort().map((k) => [k, texts[k]]));
    assert.equal(raw.trimEnd(), JSON.stringify(sorted, null, 2), `${lang}.json: write it with jq -S .`);
  }
});

/**
 * English words a Korean ui.* text may keep: Kafka's and Burrow's names, signals, status
 * codes and `poll`. Code-shaped words (commitSync, close(), auto-naive, max.poll.records,
 * assign(P1), (PID …), (Ctrl+C …)) are code and always allowed.
 */
const ALLOWED = new Set(['Kafka', 'Burrow', 'SIGKILL', 'SIGTERM', 'OK', 'WARN', 'WARNING', 'ERROR', 'STOP', 'STALL', 'REWIND', 'ERR', 'NOTFOUND', 'poll']);

/** The English words of a text that are neither code nor allowed. */
function englishWords(text) {
  const prose = text.replace(/`[^`]*`/g, ' ').replace(/\{\w+\}/g, ' ');
  const bad = [];
  for (const m of prose.matchAll(/[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)*/g)) {
    const word = m[0];
    const next = prose[m.index + word.length];
    const prev = prose[m.index - 1];
    const codeShaped = /[._-]/.test(word) || /[a-z][A-Z]/.test(word) || next === '(' || prev === '(';
    if (codeShaped || ALLOWED.has(word) || word.replace(/[^A-Za-z]/g, '').length < 3) continue;
    bad.push(word);
  }
  return bad;
}

test('the Korean ui.* texts have no English words outside code', () => {
  assert.deepEqual(englishWords('the `commitSync()` {n} STOP Burrow poll() auto-naive 랙'), ['the']);
  const failures = [];
  for (const [key, text] of Object.entries(ko)) {
    if (!key.startsWith('ui.')) continue;
    for (const word of englishWords(text)) failures.push(`${key}: "${word}"`);
  }
  assert.deepEqual(failures, [], 'English words in Korean texts (key: word)');
});
