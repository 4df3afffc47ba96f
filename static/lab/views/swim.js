// The ownership swimlanes: per partition, who owned it over the last 60 s (a segment per owner,
// hatched once the owner died), the pauses without a live owner (in ms), assign/revoke marks,
// and the owner now in the row head.

import { el, setText } from '../dom.js';
import { agoTick, clock, msWhole } from '../format.js';
import { t } from '../i18n.js';
import { SWIM_MS } from '../model/ownership.js';

/** A segment's title by how it ended (its `end`); an open one is owned until now. */
const SEGMENT_TITLES = { revoke: 'ui.swim.seg_revoked', taken: 'ui.swim.seg_taken', closed: 'ui.swim.seg_closed' };

export function createSwimView(box) {
  const rows = new Map(); // partition → {row, now, track, els}
  let empty = null;
  let width = 0;

  function build(m) {
    if (!box) return;
    const frag = document.createDocumentFragment();
    for (const part of m.partitions) {
      const now = el('span', { class: 'now-owner none', title: t('ui.lane.no_owner') }, '—');
      const track = el('div', { class: 'swim-track' });
      const row = el('div', { class: 'swim-row', dataset: { partition: part.p, owner: '' } },
        el('div', { class: 'swim-head' }, el('span', { class: 'pnum' }, `P${part.p}`), now),
        track);
      frag.append(row);
      rows.set(part.p, { row, now, track, els: new Map() });
    }
    const axis = el('div', { class: 'swim-axis', 'aria-hidden': 'true' }, el('span', {}),
      el('div', { class: 'swim-ticks' }, ...[60, 45, 30, 15, 0].map((s) => el('span', { style: `left:${((60 - s) / 60) * 100}%` }, agoTick(s)))));
    frag.append(axis);
    empty = el('p', { class: 'swim-empty hint' }, t('ui.swim.empty'));
    frag.append(empty);
    box.append(frag);
  }

  function measure() {
    const first = rows.get(0);
    width = first ? first.track.clientWidth : 0;
  }

  function draw(m, now) {
    if (!box || !rows.size) return;
    const from = now - SWIM_MS;
    const w = width || 600;
    const pct = (t) => Math.min(100, Math.max(0, ((t - from) / SWIM_MS) * 100));
    let any = false;
    for (const own of m.own) {
      const d = rows.get(own.p);
      if (!d) continue;
      if (own.ivs.length) any = true;
      drawRow(own, d, { now, from, width: w, pct });
    }
    if (empty) {
      if (empty.hidden !== any) empty.hidden = any;
      if (!any) {
        const assignOnly = [...m.consumers.values()].some((c) => c.assignOnly !== null);
        setText(empty, assignOnly ? t('ui.swim.empty_assign') : t('ui.swim.empty'));
      }
    }
  }

  function drawRow(own, d, { now, from, width, pct }) {
    const seen = new Set();
    const put = (key, cls, a, b, text, title) => {
      seen.add(key);
      let node = d.els.get(key);
      if (!node) {
        node = el('div', { class: cls }, el('span', { class: 'lbl' }));
        d.els.set(key, node);
        d.track.append(node);
      }
      if (node.className !== cls) node.className = cls;
      const left = pct(a);
      const w = Math.max(0, pct(b) - left);
      node.style.left = `${left.toFixed(3)}%`;
      node.style.width = `${w.toFixed(3)}%`;
      const label = node.firstChild;
      setText(label, text);
      // A closed segment too narrow for its label shows none (its title still says it); the
      // open one (at “now”) always does, reaching left over older history if it must.
      const fits = cls.startsWith('seg') && !cls.includes(' open') ? (w / 100) * width >= text.length * 7.5 + 8 : true;
      if (label.hidden === fits) label.hidden = !fits;
      if (node.title !== title) node.title = title;
      return node;
    };
    for (const iv of own.ivs) {
      const end = iv.t1 === null ? now : iv.t1;
      if (end < from) continue;
      const liveEnd = iv.deadAt === null ? end : Math.min(end, iv.deadAt);
      if (liveEnd > iv.t0 || (iv.t1 === null && iv.deadAt === null)) {
        const key = SEGMENT_TITLES[iv.end] || 'ui.swim.seg_now';
        put(`s${iv.id}`, `seg k${iv.k} th${iv.th}${iv.t1 === null && iv.deadAt === null ? ' open' : ''}`, iv.t0, Math.max(liveEnd, iv.t0), iv.who,
          t(key, { p: own.p, who: iv.who, from: clock(iv.t0) }));
      }
      if (iv.deadAt !== null && end > iv.deadAt) {
        put(`d${iv.id}`, `seg dead k${iv.k}${iv.t1 === null ? ' still' : ''}`, iv.deadAt, end, `${iv.who} ✕`,
          t('ui.swim.dead_title', { p: own.p, who: iv.who, at: clock(iv.deadAt) }));
      }
    }
    const last = own.ivs[own.ivs.length - 1];
    const pauses = own.pauses.slice();
    if (last && (last.t1 !== null || last.deadAt !== null)) {
      pauses.push({ id: 'run', from: last.t1 !== null ? last.t1 : last.deadAt, to: null });
    }
    // Pause labels sit under the bar; where two would overlap, the newer one is shown.
    const taken = [];
    for (const pz of pauses.reverse()) {
      const to = pz.to === null ? now : pz.to;
      if (to < from) continue;
      const dur = to - pz.from;
      const text = pz.to === null ? `${msWhole(Math.round(dur / 100) * 100)}…` : msWhole(dur);
      // A label near either end of the window stays inside it.
      const mid = ((pz.from + to) / 2 - from) / SWIM_MS;
      const half = (text.length * 7 + 16) / 2 / width;
      const edge = mid + half > 1 ? ' edge-r' : mid - half < 0 ? ' edge-l' : '';
      const node = put(`p${pz.id}`, `pause${pz.to === null ? ' running' : ''}${edge}`, pz.from, to, text,
        pz.to === null
          ? t('ui.swim.pause_running_title', { p: own.p, ms: msWhole(dur) })
          : t('ui.swim.pause_title', { p: own.p, ms: msWhole(dur), from: clock(pz.from), to: clock(pz.to) }));
      node.dataset.ms = String(Math.round(dur));
      const px = Math.min(1, Math.max(0, mid)) * width;
      const span = edge === ' edge-r' ? [width - half * 2 * width, width] : edge === ' edge-l' ? [0, half * 2 * width] : [px - half * width, px + half * width];
      const clash = taken.some(([x0, x1]) => span[0] < x1 && x0 < span[1]);
      if (!clash) taken.push(span);
      if (node.firstChild.hidden !== clash) node.firstChild.hidden = clash;
    }
    for (const mk of own.marks) {
      if (mk.t < from) continue;
      put(`m${mk.id}`, `smark ${mk.kind}`, mk.t, mk.t, '', t(mk.kind === 'assign' ? 'ui.swim.mark_assign' : 'ui.swim.mark_revoke', { who: mk.who, at: clock(mk.t) }));
    }
    for (const [key, node] of d.els) {
      if (!seen.has(key)) {
        node.remove();
        d.els.delete(key);
      }
    }
    // The row head: the owner now.
    let owner = '';
    let cls = 'now-owner none';
    let text = '—';
    if (last && last.t1 === null) {
      owner = last.deadAt === null ? last.who : `dead:${last.who}`;
      cls = `now-owner k${last.k}${last.deadAt === null ? '' : ' dead'}`;
      text = last.deadAt === null ? last.who : `${last.who} ✕`;
    }
    if (d.row.dataset.owner !== owner) d.row.dataset.owner = owner;
    if (d.now.className !== cls) d.now.className = cls;
    setText(d.now, text);
  }

  return { build, measure, draw };
}
