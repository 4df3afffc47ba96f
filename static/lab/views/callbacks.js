// The rebalance callbacks: onPartitionsRevoked / onPartitionsAssigned as bars, with the
// commits made inside them and a note on what each commit did.

import { el, setText } from '../dom.js';
import { CALLBACK_NAMES, ms, offsetsText, partitionsText, rebalanceRefusal } from '../format.js';
import { t } from '../i18n.js';
import { CALLBACKS_SHOWN } from '../model/run.js';

export function createCallbacksView(list) {
  const doms = new Map(); // callback id → its elements
  const drawn = new Map(); // callback id → rev drawn
  let drawnRev = -1;

  function draw(m) {
    if (!list || drawnRev === m.rev.callbacks) return;
    drawnRev = m.rev.callbacks;
    const shown = m.callbacks.slice(-CALLBACKS_SHOWN);
    const keep = new Set(shown.map((cb) => cb.id));
    for (const [id, d] of doms) {
      if (!keep.has(id)) {
        d.li.remove();
        doms.delete(id);
        drawn.delete(id);
      }
    }
    const empty = list.querySelector('.empty');
    if (empty && shown.length) empty.remove();
    const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    for (const cb of shown) {
      if (!doms.has(cb.id)) build(cb);
      if (drawn.get(cb.id) !== cb.rev) drawOne(cb);
    }
    if (pinned) list.scrollTop = list.scrollHeight;
  }

  function build(cb) {
    const dur = el('span', { class: 'cb-dur' });
    const bar = el('div', { class: 'cb-bar' });
    const note = el('p', { class: 'cb-note' });
    const li = el('li', { class: `cb-item kind-${cb.kind}`, dataset: { who: cb.who, kind: cb.kind } },
      el('div', { class: 'cb-line' },
        el('span', { class: `who-chip k${cb.k}` }, cb.who),
        el('span', { class: 'cb-name' }, `${CALLBACK_NAMES[cb.kind] || cb.kind}(${partitionsText(cb.partitions)})`),
        dur),
      bar, note);
    doms.set(cb.id, { li, dur, bar, note, commitEls: [] });
    list.append(li);
  }

  function drawOne(cb) {
    drawn.set(cb.id, cb.rev);
    const d = doms.get(cb.id);
    const open = cb.t1 === null;
    d.li.classList.toggle('open', open);
    setText(d.dur, open ? t('ui.cb.running') : ms(cb.dur));
    const total = open ? null : Math.max(cb.dur || 0, cb.t1 - cb.t0, 0.001);
    const bad = cb.commits.some((x) => x.error);
    d.li.classList.toggle('bad', bad);
    d.li.classList.toggle('no-commit', !cb.commits.length && !open);
    while (d.commitEls.length < cb.commits.length) {
      const seg = el('div', { class: 'cb-commit' }, el('span', {}));
      d.commitEls.push(seg);
      d.bar.append(seg);
    }
    const notes = [];
    cb.commits.forEach((x, i) => {
      const seg = d.commitEls[i];
      const a = total ? Math.min(100, Math.max(0, ((x.t0 - cb.t0) / total) * 100)) : 5;
      const end = x.t1 === null ? (total ? 100 : 60) : total ? Math.min(100, ((x.t1 - cb.t0) / total) * 100) : 60;
      seg.style.left = `${a.toFixed(2)}%`;
      seg.style.width = `${Math.max(2, end - a).toFixed(2)}%`;
      seg.className = `cb-commit${x.error ? ' bad' : x.t1 === null ? ' pending' : ' ok'}`;
      setText(seg.firstChild, x.error ? '✕ commit' : `commit${x.mode === 'sync' ? 'Sync' : x.mode === 'async' ? 'Async' : ''}`);
      const call = `commit${x.mode === 'sync' ? 'Sync' : ''}(${offsetsText(x.offsets)})`;
      if (x.error) {
        notes.push(t(rebalanceRefusal(x.error) ? 'ui.cb.refused_rebalancing' : 'ui.cb.refused', { call, error: x.error }));
      } else if (x.t1 === null) {
        notes.push(t('ui.cb.waiting', { call }));
      } else {
        notes.push(t('ui.cb.ok', { call, ms: ms(x.latency) }));
      }
    });
    if (!cb.commits.length) {
      notes.push(cb.kind === 'revoke'
        ? (open ? t('ui.cb.revoking') : t('ui.cb.no_commit'))
        : t('ui.cb.assigned'));
    }
    setText(d.note, notes.join(' · '));
    d.note.classList.toggle('bad', bad);
  }

  return { draw };
}
