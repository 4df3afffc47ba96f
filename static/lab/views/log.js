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
    // One DOM change per frame and no layout read while pinned: at thousands of events a
    // second a frame brings hundreds of rows, and reading the log's layout each frame held the
    // page at 1 fps (benches/page_fps.mjs).
    const pending = fresh.length > LOG_CAP ? fresh.slice(-LOG_CAP) : fresh;
    const frag = document.createDocumentFragment();
    for (const row of pending) frag.append(rowEl(row));
    const extra = log.childElementCount + pending.length - LOG_CAP;
    if (extra >= log.childElementCount) {
      log.replaceChildren(frag);
    } else {
      if (extra > 0) {
        // Only a reader who scrolled up needs the removed rows' height, to keep their place.
        const shift = pinned ? 0 : extra * log.firstElementChild.offsetHeight;
        const range = document.createRange();
        range.setStartBefore(log.firstElementChild);
        range.setEndAfter(log.children[extra - 1]);
        range.deleteContents();
        if (shift) log.scrollTop = Math.max(0, log.scrollTop - shift);
      }
      log.append(frag);
    }
    if (pinned) {
      // Past the end: the browser keeps it at the bottom without a layout read here.
      log.scrollTop = Number.MAX_SAFE_INTEGER;
    } else {
      unseen += fresh.length;
      if (!jump) return;
      jump.hidden = false;
      jump.textContent = tn('ui.log.jump', unseen);
    }
  }

  return { bind, draw };
}
