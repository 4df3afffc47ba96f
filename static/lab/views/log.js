// The event log: the model's log rows, newest at the bottom, at most LOG_CAP in the DOM; pinned
// to the bottom unless the reader scrolled up (then “↓ N new”); “hide empty polls and broker
// samples” filters idle rows.

import { el } from '../dom.js';
import { clock } from '../format.js';
import { t, tn } from '../i18n.js';

const LOG_CAP = 500; // DOM rows in the event log

export function createLogView(log, jump, hide, opts) {
  let hideIdle = !!opts.hideIdle;
  let pinned = true;
  let unseen = 0;
  let drawnSeq = 0; // the newest row drawn (or skipped by the filter)
  let rebuild = false;

  function bind(onChange) {
    if (!log) return;
    log.addEventListener('scroll', () => {
      pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      if (pinned) {
        unseen = 0;
        if (jump) jump.hidden = true;
      }
    }, { passive: true });
    if (jump) jump.addEventListener('click', () => {
      log.scrollTop = log.scrollHeight;
      pinned = true;
      unseen = 0;
      jump.hidden = true;
    });
    if (!hide) return;
    hide.checked = hideIdle;
    hide.addEventListener('change', () => {
      hideIdle = hide.checked;
      rebuild = true;
      pinned = true;
      onChange();
    });
  }

  const shown = (row) => !(hideIdle && row.idle);

  function rowEl(row) {
    const cb = row.cb ? ` cb cb-${row.cb}` : '';
    return el('div', {
      class: `row t-${row.type}${row.bad ? ' bad' : ''}${row.good ? ' good' : ''}${cb}`,
      dataset: { seq: row.seq, type: row.type },
      title: row.text.length > 60 ? row.text : null,
    },
    el('span', { class: 'seq' }, row.seq),
    el('time', {}, row.ts !== null ? clock(row.ts) : ''),
    el('span', { class: row.k === null ? 'who none' : `who k${row.k}` }, row.who || t('ui.log.server')),
    el('span', { class: 'type' }, row.type),
    el('span', { class: 'text' }, row.text));
  }

  function draw(m) {
    if (!log) return;
    if (rebuild) {
      rebuild = false;
      log.replaceChildren();
      drawnSeq = 0;
    }
    // The rows not drawn yet, newest last (the model's log is in seq order).
    let i = m.log.length;
    while (i > 0 && m.log[i - 1].seq > drawnSeq) i--;
    if (i === m.log.length) return;
    const fresh = m.log.slice(i).filter(shown);
    drawnSeq = m.log[m.log.length - 1].seq;
    if (!fresh.length) return;
    const pending = fresh.length > LOG_CAP ? fresh.slice(-LOG_CAP) : fresh;
    const frag = document.createDocumentFragment();
    for (const row of pending) frag.append(rowEl(row));
    log.append(frag);
    const extra = log.childElementCount - LOG_CAP;
    if (extra > 0) {
      const rowHeight = log.firstElementChild.offsetHeight;
      for (let k = 0; k < extra; k++) log.firstElementChild.remove();
      if (!pinned) log.scrollTop = Math.max(0, log.scrollTop - extra * rowHeight);
    }
    if (pinned) {
      log.scrollTop = log.scrollHeight;
    } else {
      unseen += fresh.length;
      if (!jump) return;
      jump.hidden = false;
      jump.textContent = tn('ui.log.jump', unseen);
    }
  }

  return { bind, draw };
}
