// The sinks lab's panel: the two SQLite tables as read back from disk (naive / idempotent,
// a record's second row highlighted), the CSV files' counts and the downloads, the course's
// three business meanings of a double with the naive table's count now, and each record's
// write → commit window. The read-back (GET /api/runs/{id}/sink) is refetched when writes,
// commits or kills arrive, at most every READ_MIN_MS.

import { api, ApiError } from '../api.js';
import { el, setText } from '../dom.js';
import { ms, num } from '../format.js';
import { t } from '../i18n.js';
import { businessCases, openWrites, writeWindows } from '../model/sink.js';

const READ_MIN_MS = 400;
const ROWS_SHOWN = 60;
const FILES = ['payments.csv', 'payments_idempotent.csv', 'payments.sqlite'];
const FATE_KEYS = { open: 'ui.sink.fate_open', committed: 'ui.sink.fate_committed', killed: 'ui.sink.fate_killed' };
const CASE_KEYS = { cart: 'ui.sink.case_cart_now', payment: 'ui.sink.case_payment_now', sms: 'ui.sink.case_sms_now' };

/** A write's fate in words. */
export function fateText(w) {
  return t(FATE_KEYS[w.fate] || FATE_KEYS.open, { ms: ms(w.windowMs) });
}

/** A stored row's cells, as the table shows them. */
export function rowCells(r) {
  return [`P${r.partition} @${r.offset}`, r.order_id, r.item, r.amount === null || r.amount === undefined ? '' : num(r.amount), r.consumer];
}

/** The last `n` rows to show, oldest first, keeping every duplicate's first copy in view. */
export function rowsShown(rows, n = ROWS_SHOWN) {
  return (rows || []).slice(-n);
}

/** A write's window as a bar, placed through the CSSOM (the page's CSP allows no inline styles). */
function bar(w) {
  const node = el('span', { class: 'win-bar', title: fateText(w) });
  node.style.left = `${(w.x0 * 100).toFixed(2)}%`;
  node.style.width = `${Math.max(0.5, (w.x1 - w.x0) * 100).toFixed(2)}%`;
  return node;
}

export function createSinkView(panel, pane) {
  if (!panel) return { draw() {} };
  const q = (name) => panel.querySelector(`[data-el="${name}"]`);
  let back = null;
  let readRev = -1;
  let inFlight = false;
  let again = false;
  let lastReadAt = 0;
  let timer = null;
  let linked = null;

  async function read() {
    timer = null;
    // An ended run is gone from the server (its read-back would be a 404): what was read last stays.
    if (!pane.run || pane.ended) return;
    inFlight = true;
    lastReadAt = Date.now();
    try {
      back = (await api('GET', `${pane.apiBase()}/sink`)).body;
      panel.dataset.loaded = 'true';
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    } finally {
      inFlight = false;
    }
    drawBack();
    if (again) {
      again = false;
      schedule();
    }
  }

  function schedule() {
    if (inFlight || timer) {
      again = true;
      return;
    }
    timer = setTimeout(read, Math.max(0, lastReadAt + READ_MIN_MS - Date.now()));
  }

  function table(name, contents) {
    const box = q(name);
    if (!box) return;
    const rows = rowsShown(contents.rows);
    const head = el('tr', null, ...['ui.sink.col_record', 'ui.sink.col_order', 'ui.sink.col_item', 'ui.sink.col_amount', 'ui.sink.col_consumer']
      .map((k) => el('th', { scope: 'col' }, t(k))));
    const body = rows.map((r) => el('tr', {
      class: r.duplicate ? 'dup' : r.copies > 1 ? 'dup-first' : '',
      dataset: { offset: r.offset, partition: r.partition, duplicate: r.duplicate ? 'true' : 'false' },
      title: r.copies > 1 ? t('ui.sink.copies', { n: r.copies }) : null,
    }, ...rowCells(r).map((c) => el('td', null, c))));
    const empty = rows.length ? null : el('tr', { class: 'empty' }, el('td', { colspan: 5 }, t('ui.sink.no_rows')));
    box.replaceChildren(el('table', null, el('thead', null, head), el('tbody', null, ...body, empty)));
    const count = q(`${name}-count`);
    setText(count, t(contents.duplicates ? 'ui.sink.count_dups' : 'ui.sink.count', {
      rows: num(contents.count || 0), dups: num(contents.duplicates || 0),
    }));
    if (count) count.dataset.dups = String(contents.duplicates || 0);
  }

  function drawBack() {
    if (!back) return;
    table('sink-naive', back.naive);
    table('sink-idempotent', back.idempotent);
    setText(q('sink-csv'), t('ui.sink.csv', {
      naive: num(back.csv_naive.count), naive_dups: num(back.csv_naive.duplicates),
      idem: num(back.csv_idempotent.count), idem_dups: num(back.csv_idempotent.duplicates),
    }));
    for (const c of businessCases(back)) {
      const slot = q(`case-${c.id}`);
      if (!slot) continue;
      slot.dataset.doubles = String(c.doubles);
      setText(slot, t(CASE_KEYS[c.id], { n: num(c.doubles), amount: num(c.amount || 0) }));
    }
    const errors = q('sink-errors');
    if (errors) {
      errors.hidden = !back.errors.length;
      setText(errors, back.errors.join('\n'));
    }
    for (const f of back.files || []) {
      const link = panel.querySelector(`a[data-file="${f.name}"]`);
      if (link) link.classList.toggle('absent', !f.exists);
    }
  }

  function drawWindows(m, now) {
    const box = q('sink-windows');
    if (!box) return;
    const { rows } = writeWindows(m.sink, now);
    setText(q('sink-open'), t('ui.sink.open_now', { n: num(openWrites(m.sink)) }));
    box.replaceChildren(...rows.map((w) => el('div', { class: `win ${w.fate}${w.double ? ' double' : ''}`, dataset: { offset: w.offset, fate: w.fate } },
      el('span', { class: 'win-label' }, `${w.consumer} P${w.partition} @${w.offset}`),
      el('span', { class: 'win-track' }, bar(w)),
      el('span', { class: 'win-fate' }, fateText(w)))));
  }

  function draw(m, now) {
    if (pane.run && linked !== pane.run.id) {
      linked = pane.run.id;
      for (const name of FILES) {
        const link = panel.querySelector(`a[data-file="${name}"]`);
        if (link) link.href = `${pane.apiBase()}/sink/${name}`;
      }
    }
    if (!pane.run) return;
    const changed = m.sink.rev !== readRev;
    if (changed) {
      readRev = m.sink.rev;
      schedule();
    }
    // Open windows grow with time: redrawn on every frame while there are any.
    if (changed || openWrites(m.sink) > 0) drawWindows(m, now);
  }

  return { draw, refresh: schedule };
}
