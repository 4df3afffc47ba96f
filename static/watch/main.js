// The watch page (/watch): a group id and a topic in, then live — the outside view per
// partition (log-end, committed offset, committed lag, a lag graph) and Burrow's evaluation
// (the group's status, each partition's status, its commit window and the rule that fired).
// The watch's events come from /api/watch/{id}/events; Burrow's report is also re-read every
// two seconds, so the numbers a rule reads from the clock (time since the last commit) move.

import { api, enc, errorText } from '../lab/api.js';
import { el, setText, svg } from '../lab/dom.js';
import { agoTick, duration, lagStatusText as statusText, niceMax, num } from '../lab/format.js';
import { t } from '../lab/i18n.js';
import { ruleSentence } from '../lab/views/lag-rules.js';
import {
  applyEvent, applyView, burrowLinks, createModel, HISTORY_MS, javaLines, maxLag, partitionReport, sparkPath, statusClass,
} from './model.js';

const SPARK_W = 300;
const SPARK_H = 36;
const REFRESH_MS = 2000;

const page = JSON.parse(document.getElementById('watch-page').textContent);
const $ = (id) => document.getElementById(id);
const form = $('watch-form');
const groupInput = $('watch-group');
const topicInput = $('watch-topic');
const unwatchButton = form.querySelector('[data-action="unwatch"]');

let current = null; // {id, group, topic, source, timer, model, view}

function showError(text) {
  const box = $('watch-error');
  box.hidden = !text;
  setText(box, text || '');
}

/** The Java lines and the API links follow the group typed in. */
function syncGroup(group) {
  const lines = javaLines(page.bootstrap, group.trim());
  setText($('java-bootstrap'), lines.bootstrap);
  setText($('java-group'), lines.group);
  const links = burrowLinks(page.cluster, group.trim());
  for (const a of document.querySelectorAll('#watch-links a[data-link]')) {
    const href = links[a.dataset.link];
    a.href = href;
    if (a.dataset.link !== 'metrics') setText(a.querySelector('code'), decodeURIComponent(href));
  }
  for (const span of document.querySelectorAll('[data-fill="group"]')) setText(span, group.trim());
}

async function copy(button) {
  const text = $(button.dataset.copy).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Without clipboard access: select the line so Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents($(button.dataset.copy));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  setText(button, t('ui.watch.copied'));
  setTimeout(() => setText(button, t('ui.watch.copy')), 1500);
}

const CONN_KEYS = { connecting: 'ui.watch.conn.connecting', live: 'ui.watch.conn.live', ended: 'ui.watch.conn.ended' };

function setConn(state) {
  const c = $('watch-conn');
  c.dataset.state = state;
  setText(c, t(CONN_KEYS[state]));
}

function stopLive() {
  if (!current) return;
  if (current.source) current.source.close();
  clearInterval(current.timer);
  current = null;
}

async function refresh() {
  if (!current) return;
  const w = current;
  try {
    const { body } = await api('GET', `/api/watch/${enc(w.id)}`);
    if (current !== w) return;
    applyView(w.model, body);
    // This watch's own Burrow settings (a script may have set them when it started the watch).
    w.burrow = body.burrow;
    setText($('watch-burrow-settings'), t('ui.watch.settings', {
      intervals: num(body.burrow.intervals), distance: duration(body.burrow.min_distance_ms), every: duration(body.sample_interval_ms),
    }));
    draw();
  } catch (e) {
    if (current !== w) return;
    if (e.status === 404) {
      setConn('ended');
      stopLive();
    }
  }
}

function startLive(answer) {
  stopLive();
  const w = { id: answer.id, group: answer.group, topic: answer.topic, model: createModel(), burrow: page.burrow, source: null, timer: null };
  current = w;
  $('watch-live').hidden = false;
  unwatchButton.hidden = false;
  setText($('watch-which'), `${answer.group} · ${answer.topic}`);
  setConn('connecting');
  const source = new EventSource(`/api/watch/${enc(w.id)}/events`);
  w.source = source;
  source.onopen = () => setConn('live');
  source.onmessage = (msg) => {
    let ev;
    try {
      ev = JSON.parse(msg.data);
    } catch (e) {
      return;
    }
    if (applyEvent(w.model, ev)) draw();
  };
  source.addEventListener('end', () => {
    setConn('ended');
    source.close();
  });
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) setConn('connecting');
  };
  w.timer = setInterval(() => {
    refresh();
  }, REFRESH_MS);
  refresh();
}

async function watch(group, topic) {
  showError('');
  syncGroup(group);
  try {
    const { body } = await api('POST', '/api/watch', { group, topic });
    const url = `/watch?group=${enc(body.group)}&topic=${enc(body.topic)}`;
    if (location.pathname + location.search !== url) history.replaceState(null, '', url);
    startLive(body);
  } catch (e) {
    showError(errorText(e));
    const field = e.field === 'topic' || e.code === 'no_topic' ? topicInput : e.field === 'group' ? groupInput : null;
    if (field) field.focus();
  }
}

// ------------------------------------------------------------------ drawing

const rowEls = new Map(); // partition → {row, end, committed, lag, line, area, status}
const itemEls = new Map(); // partition → {item, status, head, window, reason}

function row(p) {
  let r = rowEls.get(p);
  if (r) return r;
  const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const area = svg('path', { class: 'area' });
  const line = svg('path', { class: 'line', 'vector-effect': 'non-scaling-stroke' });
  chart.append(area, line);
  r = {
    row: el('tr', { dataset: { partition: p } }),
    end: el('td', { class: 'num', dataset: { cell: 'log-end' } }),
    committed: el('td', { class: 'num', dataset: { cell: 'committed' } }),
    lag: el('td', { class: 'num lag-value', dataset: { cell: 'lag' } }),
    status: el('span', { class: 'watch-status', dataset: { status: 'pending' } }),
    line,
    area,
  };
  r.row.append(el('th', { scope: 'row' }, `P${p}`), r.end, r.committed, r.lag, el('td', { class: 'graph' }, chart), el('td', {}, r.status));
  rowEls.set(p, r);
  // Rows in partition order.
  const body = $('watch-rows');
  const after = [...body.children].find((tr) => Number(tr.dataset.partition) > p);
  body.insertBefore(r.row, after || null);
  return r;
}

function item(p) {
  let it = itemEls.get(p);
  if (it) return it;
  it = {
    item: el('li', { class: 'watch-partition', dataset: { partition: p, status: 'pending' } }),
    status: el('span', { class: 'watch-status', dataset: { status: 'pending' } }),
    head: el('span', { class: 'watch-part-head' }),
    window: el('ol', { class: 'watch-window', 'aria-label': t('ui.watch.window_label', { p }) }),
    reason: el('p', { class: 'watch-reason' }),
  };
  it.item.append(el('div', { class: 'watch-part-top' }, el('strong', {}, `P${p}`), it.status, it.head), it.window, it.reason);
  itemEls.set(p, it);
  const list = $('watch-partitions');
  const after = [...list.children].find((li) => Number(li.dataset.partition) > p);
  list.insertBefore(it.item, after || null);
  return it;
}

function setStatus(node, status) {
  const cls = status ? statusClass(status) : 'pending';
  node.dataset.status = cls;
  node.dataset.code = status || '';
  setText(node, status ? statusText(status) : '—');
}

function draw() {
  if (!current) return;
  const m = current.model;
  const now = Date.now();
  const report = m.report;

  const badge = $('watch-badge');
  setStatus(badge, report ? report.status : 'NOTFOUND');
  if (!report) badge.dataset.status = 'pending';
  let summary;
  if (report) {
    summary = t('ui.watch.summary', { status: statusText(report.status), lag: num(report.totallag), complete: `${num(Math.round(report.complete * 100))}%` });
  } else if (m.partitions.length) {
    summary = t('ui.watch.no_commits');
  } else {
    summary = t('ui.watch.waiting');
  }
  setText($('watch-summary'), summary);
  const err = $('watch-sample-error');
  err.hidden = !m.error;
  setText(err, m.error ? t('ui.watch.sample_error', { detail: m.error }) : '');

  const max = niceMax(maxLag(m, now));
  setText($('watch-axis'), t('ui.watch.axis', { max: num(max), from: agoTick(HISTORY_MS / 1000), to: agoTick(0) }));
  for (const p of m.partitions) {
    const r = row(p.partition);
    setText(r.end, num(p.log_end));
    setText(r.committed, p.committed === null || p.committed === undefined ? '—' : num(p.committed));
    setText(r.lag, num(p.lag));
    const path = sparkPath(m.hist.get(p.partition), now, HISTORY_MS, SPARK_W, SPARK_H, max);
    if (r.line.getAttribute('d') !== path) {
      r.line.setAttribute('d', path);
      r.area.setAttribute('d', path ? `${path}V${SPARK_H}H0Z` : '');
    }
    const pr = partitionReport(m, p.partition);
    setStatus(r.status, pr ? pr.status : null);
    r.row.dataset.status = r.status.dataset.status;
  }

  for (const pr of report ? report.partitions : []) {
    const it = item(pr.partition);
    setStatus(it.status, pr.status);
    it.item.dataset.status = it.status.dataset.status;
    setText(it.head, t('ui.watch.partition_head', {
      lag: num(pr.current_lag), n: num(pr.window.length), of: num(current.burrow.intervals),
    }));
    setText(it.reason, ruleSentence(pr, now));
    it.reason.dataset.rule = pr.reason ? pr.reason.rule : '';
    const key = pr.window.map((c) => `${c.offset}:${c.lag}:${c.timestamp}`).join(',');
    if (it.window.dataset.key !== key) {
      it.window.dataset.key = key;
      it.window.replaceChildren(...pr.window.map((c) => el('li', {
        title: t('ui.watch.commit_title', { offset: num(c.offset), lag: c.lag === null ? '—' : num(c.lag) }),
      }, el('span', { class: 'off' }, num(c.offset)), el('span', { class: 'clag' }, c.lag === null ? '—' : t('ui.watch.commit_lag', { lag: num(c.lag) })))));
    }
  }
}

// ------------------------------------------------------------------ wiring

form.addEventListener('submit', (e) => {
  e.preventDefault();
  watch(groupInput.value.trim(), topicInput.value.trim());
});
groupInput.addEventListener('input', () => syncGroup(groupInput.value));
for (const b of document.querySelectorAll('button.copy')) b.addEventListener('click', () => copy(b));
unwatchButton.addEventListener('click', async () => {
  const w = current;
  if (!w) return;
  stopLive();
  try {
    await api('DELETE', `/api/watch/${enc(w.id)}`);
  } catch (e) {
    /* already gone */
  }
  $('watch-live').hidden = true;
  unwatchButton.hidden = true;
});
// The graphs scroll with time even when nothing new arrives.
setInterval(() => {
  if (current) draw();
}, 500);
window.addEventListener('pagehide', stopLive);

if (page.group && page.topic) watch(page.group, page.topic);
else syncGroup(groupInput.value);
