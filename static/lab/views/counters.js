// The ledger counters (processed, duplicates, lost) and, in an A/B pane, the readout: the
// committed offset and the position, big — what a SIGKILL now would cost.

import { el, setText } from '../dom.js';
import { rangesText } from '../format.js';
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
    setText(find('count-processed'), String(processed));
    const dup = m.ledger ? m.ledger.duplicates : 0;
    const lost = m.ledger ? m.ledger.lost : 0;
    setText(find('count-duplicates'), String(dup));
    setText(find('count-lost'), String(lost));
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
          el('div', { class: 'ro committed-ro', title: "The group's committed offset: where a new consumer starts" }, r.committed, el('span', { class: 'lbl' }, 'committed')),
          el('div', { class: 'ro position-ro', title: 'Next offset the newest consumer reads (last processed + 1)' }, r.position, el('span', { class: 'lbl' }, 'position')),
          el('div', { class: 'ro gap-ro', title: 'Processed but not committed: what a SIGKILL now would make the next consumer read again' }, r.gap, el('span', { class: 'lbl' }, 'not committed'))),
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
    if (c && c.pausedOnce && LIVE.has(c.status) && gap) note = `${c.id} paused: offsets ${committed === null ? 0 : committed}–${pos - 1} are processed but not committed.`;
    else if (c && c.status === 'killed') note = `${c.id} was killed: its ${gap || 0} uncommitted records will be read again.`;
    else if (c && c.status === 'closed') note = `${c.id} closed cleanly: the shutdown hook committed ${committed === null ? 'nothing' : committed}.`;
    setText(r.note, note);
    const dups = [];
    if (m.ledger) for (const pr of m.ledger.partitions) if (pr.duplicate_offsets.length) dups.push(`${m.partitions.length > 1 ? `P${pr.partition} ` : ''}${rangesText(pr.duplicate_offsets)}`);
    setText(r.dups, dups.length ? `duplicates: offsets ${dups.join(' · ')}` : '');
    r.note.title = note;
  }

  return { draw };
}
