// The ledger counters (processed, duplicates, lost) and, in an A/B pane, the readout: the
// committed offset and the position, big — what a SIGKILL now would cost.

import { el, setText } from '../dom.js';
import { num, rangesText } from '../format.js';
import { t, tn } from '../i18n.js';
import { LIVE, latest } from '../model/run.js';

/** find(name): the pane's element with that data-el name, or null. */
export function createCountersView(find) {
  let readout = null;

  function draw(m) {
    let processed = m.clientProcessed;
    if (m.ledger) {
      let fromLedger = 0;
      for (const pr of m.ledger.partitions) fromLedger += pr.processed;
      processed = Math.max(processed, fromLedger);
    }
    setText(find('count-processed'), num(processed));
    const dup = m.ledger ? m.ledger.duplicates : 0;
    const lost = m.ledger ? m.ledger.lost : 0;
    setText(find('count-duplicates'), num(dup));
    setText(find('count-lost'), num(lost));
    if (find('count-duplicates')) find('count-duplicates').parentElement.classList.toggle('hot', dup > 0);
    if (find('count-lost')) find('count-lost').parentElement.classList.toggle('hot', lost > 0);
    drawReadout(m);
  }

  function drawReadout(m) {
    const box = find('readout');
    if (!box) return;
    if (!readout) {
      readout = {
        committed: el('span', { class: 'big', dataset: { role: 'committed' } }, '–'),
        position: el('span', { class: 'big', dataset: { role: 'position' } }, '–'),
        gap: el('span', { class: 'big', dataset: { role: 'gap' } }, '–'),
        note: el('p', { class: 'readout-note' }),
        dups: el('p', { class: 'dup-ranges' }),
      };
      const r = readout;
      box.append(
        el('div', { class: 'readout-row' },
          el('div', { class: 'ro committed-ro', title: t('ui.readout.committed_title') }, r.committed, el('span', { class: 'lbl' }, t('ui.readout.committed'))),
          el('div', { class: 'ro position-ro', title: t('ui.readout.position_title') }, r.position, el('span', { class: 'lbl' }, t('ui.readout.position'))),
          el('div', { class: 'ro gap-ro', title: t('ui.readout.gap_title') }, r.gap, el('span', { class: 'lbl' }, t('ui.readout.gap')))),
        r.note, r.dups);
    }
    const r = readout;
    const part = m.partitions[0];
    const c = latest(m);
    const pos = c ? c.pos.get(0) : undefined;
    const committed = part ? part.committed : null;
    setText(r.committed, committed === null ? '–' : String(committed));
    setText(r.position, pos === undefined ? '–' : String(pos));
    const gap = pos === undefined ? null : Math.max(0, pos - (committed === null ? 0 : committed));
    setText(r.gap, gap === null ? '–' : String(gap));
    r.gap.parentElement.classList.toggle('hot', !!gap);
    let note = '';
    if (c && c.pausedOnce && LIVE.has(c.status) && gap) note = t('ui.readout.note_paused', { id: c.id, from: committed === null ? 0 : committed, to: pos - 1 });
    else if (c && c.status === 'killed') note = tn('ui.readout.note_killed', gap || 0, { id: c.id });
    else if (c && c.status === 'closed') note = committed === null ? t('ui.readout.note_closed_none', { id: c.id }) : t('ui.readout.note_closed', { id: c.id, offset: committed });
    setText(r.note, note);
    const dups = [];
    if (m.ledger) for (const pr of m.ledger.partitions) if (pr.duplicate_offsets.length) dups.push(`${m.partitions.length > 1 ? `P${pr.partition} ` : ''}${rangesText(pr.duplicate_offsets)}`);
    setText(r.dups, dups.length ? t('ui.readout.dups', { offsets: dups.join(' · ') }) : '');
    r.note.title = note;
  }

  return { draw };
}
