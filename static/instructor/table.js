// Drawing the class table from `tableView` (model.js): the header for the lab filter (one
// column per lab, or per checkpoint of one lab), then one row per trainee, each drawn again only
// when its contents change (the `runs` tick comes every second; a row under the pointer stays
// put unless its numbers moved).

import { el, setText } from '../lab/dom.js';
import { formatNumber, localText, t } from '../lab/i18n.js';
import { rowKey } from './model.js';

/** The header row: trainee, one column per lab or checkpoint, progress, actions. */
export function drawHead(thead, view, labs, sort) {
  const key = JSON.stringify([view.columns, sort]);
  if (thead.dataset.key === key) return;
  thead.dataset.key = key;
  const sortButton = (by, text) => {
    const active = sort.by === by;
    return el('button', {
      type: 'button', class: 'sort', dataset: { sort: by },
      title: t(by === 'name' ? 'ui.instructor.sort_name' : 'ui.instructor.sort_progress'),
    }, text, el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''));
  };
  const ariaSort = (by) => (sort.by === by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : null);
  const cols = view.columns.map((c) => {
    if (c.kind === 'lab') {
      return el('th', { scope: 'col', class: 'col-lab', dataset: { lab: c.lab } }, localText(c.title));
    }
    if (c.kind === 'checkpoint') {
      return el('th', { scope: 'col', class: 'col-checkpoint', dataset: { checkpoint: c.id }, title: localText(c.text) }, localText(c.text));
    }
    return el('th', { scope: 'col', class: 'col-run' }, t('ui.instructor.col_run'));
  });
  thead.replaceChildren(el('tr', {},
    el('th', { scope: 'col', class: 'col-name', 'aria-sort': ariaSort('name') }, sortButton('name', t('ui.instructor.col_trainee'))),
    ...cols,
    el('th', { scope: 'col', class: 'col-progress num', 'aria-sort': ariaSort('progress') }, sortButton('progress', t('ui.instructor.col_progress'))),
    el('th', { scope: 'col', class: 'col-actions' }, t('ui.instructor.col_actions'))));
}

/** A live run inside a cell: duplicates / lost, watch (read-only), mark as / end the demo. */
function runBlock(run) {
  if (!run) return el('span', { class: 'no-run' }, '—');
  const nums = el('span', { class: 'run-nums' }, t('ui.instructor.run_nums', { d: formatNumber(run.duplicates), l: formatNumber(run.lost) }));
  if (run.duplicates > 0) nums.classList.add('dup');
  if (run.lost > 0) nums.classList.add('lost');
  const block = el('div', { class: 'live-run', dataset: { run: run.id, demo: run.demo ? 'true' : 'false' } }, nums);
  if (run.watch) block.append(el('a', { class: 'watch', href: run.watch, target: '_blank', rel: 'noopener' }, t('ui.instructor.watch')));
  block.append(el('button', {
    type: 'button',
    class: run.demo ? 'demo-end' : 'demo-mark',
    dataset: { action: run.demo ? 'end-demo' : 'mark-demo', run: run.id },
  }, run.demo ? t('ui.instructor.end_demo') : t('ui.instructor.mark_demo')));
  return block;
}

function cell(c) {
  if (c.kind === 'checkpoint') {
    return el('td', {
      class: c.reached ? 'cp reached' : 'cp',
      dataset: { checkpoint: c.id },
      title: c.reached ? t('ui.instructor.reached') : t('ui.instructor.not_yet'),
    }, el('span', { 'aria-hidden': 'true' }, c.reached ? '✓' : '·'),
    el('span', { class: 'sr-only' }, c.reached ? t('ui.instructor.reached') : t('ui.instructor.not_yet')));
  }
  if (c.kind === 'run') return el('td', { class: 'run', dataset: { lab: c.lab } }, runBlock(c.run));
  // A lab without checkpoints has nothing to count.
  const count = el('span', { class: 'count' }, c.total ? t('ui.instructor.count', { n: formatNumber(c.reached), total: formatNumber(c.total) }) : '—');
  if (c.total && c.reached === c.total) count.classList.add('all');
  else if (c.reached === 0) count.classList.add('none');
  const td = el('td', { class: 'lab', dataset: { lab: c.lab, reached: c.reached, total: c.total } }, count);
  if (c.run) td.append(runBlock(c.run));
  return td;
}

function drawRow(row) {
  const name = el('th', { scope: 'row', class: row.named ? 'name' : 'name tag', dataset: { trainee: row.tag } }, row.label);
  const progress = el('td', { class: 'progress num' }, t('ui.instructor.count', { n: formatNumber(row.progress), total: formatNumber(row.total) }));
  const stop = el('button', {
    type: 'button', class: 'danger stop-all', dataset: { action: 'stop', trainee: row.tag, name: row.label }, disabled: row.live === 0,
  }, t('ui.instructor.stop_all'));
  return el('tr', { dataset: { trainee: row.tag } }, name, ...row.cells.map(cell), progress, el('td', { class: 'actions' }, stop));
}

/** The rows, in the view's order; a row is replaced only when its key changed. */
export function drawRows(tbody, view) {
  const existing = new Map([...tbody.children].map((tr) => [tr.dataset.trainee, tr]));
  const wanted = view.rows.map((row) => {
    const key = rowKey(row);
    const old = existing.get(row.tag);
    if (old && old.dataset.key === key) return old;
    const tr = drawRow(row);
    tr.dataset.key = key;
    return tr;
  });
  const same = wanted.length === tbody.children.length && wanted.every((tr, i) => tbody.children[i] === tr);
  if (!same) tbody.replaceChildren(...wanted);
}

/** The line above the table: how many trainees, how many live runs. */
export function drawSummary(node, view) {
  const live = view.rows.reduce((n, r) => n + r.live, 0);
  setText(node, t('ui.instructor.summary', { trainees: formatNumber(view.rows.length), live: formatNumber(live) }));
}
