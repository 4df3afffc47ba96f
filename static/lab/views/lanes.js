// The partition lanes: a cell per offset (pending, processed by whom, duplicate, lost,
// committed), the committed and log-end marks, the uncommitted bar, a flag per consumer at its
// position, and the lane head (owner, lag). Thin cells (many offsets across a lane) are painted
// on a canvas per lane instead of an element each (lane-canvas.js).

import { el, setText } from '../dom.js';
import { kOf, short, statusText, threadIndex } from '../format.js';
import { t, tn } from '../i18n.js';
import { LIVE, firstProcessed, isDup, laneLag, maxPosition } from '../model/run.js';
import { createLaneCanvas } from './lane-canvas.js';

export function createLanesView(box) {
  const doms = new Map(); // partition → its elements
  const drawn = new Map(); // partition → {rev, start, span}
  let trackWidth = 0;
  let drawnSpan = null;
  let model = null; // the model last drawn (for tooltips)
  let thin = false; // cells painted on each lane's canvas, not one element each
  let canvasSize = null; // a lane canvas's size in device pixels, read once per layout
  const painter = createLaneCanvas();

  function build(m) {
    if (!box) return;
    box.classList.toggle('many', m.partitions.length > 12);
    const frag = document.createDocumentFragment();
    for (const part of m.partitions) {
      const owner = el('span', { class: 'owner none' }, t('ui.lane.no_owner'));
      const lag = el('span', { class: 'lag' });
      const earlier = el('span', { class: 'earlier', hidden: true });
      const cells = el('div', { class: 'cells' });
      const committedBar = el('div', { class: 'bar committed-bar' });
      const uncommittedBar = el('div', { class: 'bar uncommitted-bar' });
      const endMark = el('div', { class: 'mark end-mark' }, el('span', {}));
      const committedMark = el('div', { class: 'mark committed-mark', hidden: true }, el('span', {}));
      const flags = el('div', { class: 'flags' });
      const canvas = el('canvas', { class: 'cell-canvas', hidden: true });
      const track = el('div', { class: 'track' }, earlier, committedBar, uncommittedBar, cells, canvas, endMark, committedMark, flags);
      const lane = el('div', { class: 'lane', dataset: { partition: part.p }, role: 'group', 'aria-label': t('ui.lane.label', { p: part.p }) },
        el('div', { class: 'lane-head' }, el('span', { class: 'pnum' }, `P${part.p}`), owner, lag),
        track);
      doms.set(part.p, { lane, owner, lag, earlier, cells, canvas, committedBar, uncommittedBar, endMark, committedMark, flags, track, cellEls: new Map(), flagEls: new Map() });
      frag.append(lane);
    }
    box.append(frag);
    box.addEventListener('pointerover', onPointerOver);
    box.addEventListener('focusin', onPointerOver);
    box.addEventListener('pointermove', onCanvasPointer);
  }

  function measure(m) {
    const first = doms.get(0);
    trackWidth = first ? first.track.clientWidth : 800;
    canvasSize = null;
    updateDensity(m);
  }

  /** Sets the density from the cells' width; returns whether thin cells came or went. */
  function updateDensity(m) {
    if (!box) return false;
    const cellPx = trackWidth / m.span;
    const density = cellPx >= 26 ? 'wide' : cellPx >= 12 ? 'mid' : 'thin';
    if (box.dataset.density !== density) box.dataset.density = density;
    if ((density === 'thin') === thin) return false;
    thin = density === 'thin';
    canvasSize = null;
    for (const d of doms.values()) {
      d.canvas.hidden = !thin;
      // Painted or made anew: the other kind goes.
      d.cells.replaceChildren();
      d.cellEls.clear();
      if (!thin) d.canvas.painted = null;
    }
    return true;
  }

  /** A lane canvas's size in device pixels (the same for every lane; read after a layout change). */
  function sizeOf(canvas) {
    if (canvasSize) return canvasSize;
    const dpr = window.devicePixelRatio || 1;
    const size = { w: Math.round(canvas.clientWidth * dpr), h: Math.round(canvas.clientHeight * dpr) };
    // Not laid out yet (0 × 0): asked again next time.
    if (size.w && size.h) canvasSize = size;
    return size;
  }

  /** Redraws the lanes that changed (m.span and part.start laid out by the model); `all`: every lane. */
  function draw(m, all) {
    if (!box) return;
    model = m;
    if (m.span !== drawnSpan) {
      drawnSpan = m.span;
      if (updateDensity(m)) all = true;
    }
    for (const part of m.partitions) {
      const last = drawn.get(part.p);
      if (all || !last || last.rev !== part.rev) drawLane(m, part, last);
    }
  }

  const cellWidth = (m) => `calc(${(100 / m.span).toFixed(4)}% + 0.5px)`;
  const pct = (m, part, offset) => `${(((offset - part.start) / m.span) * 100).toFixed(4)}%`;
  // Cells are placed from the lane's anchor (d.base), and the cells' box is shifted left by
  // start − anchor: when the window slides (many times a second at a fast producer) one
  // transform moves every cell instead of a new position on each.
  const cellLeft = (m, d, offset) => `${(((offset - d.base) / m.span) * 100).toFixed(4)}%`;

  function drawLane(m, part, last) {
    const d = doms.get(part.p);
    if (!d) return;
    const start = part.start;
    if (!last || last.start !== start || last.span !== m.span) {
      for (const [o, cell] of d.cellEls) {
        if (o < start) {
          cell.remove();
          d.cellEls.delete(o);
        }
      }
      if (!last || last.span !== m.span || d.base === undefined) {
        d.base = start;
        for (const [o, cell] of d.cellEls) {
          cell.style.left = cellLeft(m, d, o);
          cell.style.width = cellWidth(m);
        }
      }
      const shift = ((start - d.base) / m.span) * 100;
      d.cells.style.transform = shift ? `translateX(${(-shift).toFixed(4)}%)` : '';
    }
    drawn.set(part.p, { rev: part.rev, start, span: m.span });
    if (d.lane.dataset.start !== String(start)) d.lane.dataset.start = String(start);
    d.earlier.hidden = start === 0;
    if (start > 0) d.earlier.textContent = tn('ui.lane.earlier', start);
    if (thin) painter.paint(m, part, d.canvas, sizeOf(d.canvas));
    else drawCells(m, part, d);
    drawMarks(m, part, d);
    drawFlags(m, part, d);
    drawHead(m, part, d);
  }

  function drawCells(m, part, d) {
    const width = cellWidth(m);
    let frag = null;
    for (let o = part.start; o < part.logEnd; o++) {
      let cell = d.cellEls.get(o);
      if (!cell) {
        cell = el('div', { class: 'cell pending', dataset: { offset: o } }, el('span', { class: 'v' }));
        cell.style.left = cellLeft(m, d, o);
        cell.style.width = width;
        d.cellEls.set(o, cell);
        (frag || (frag = document.createDocumentFragment())).append(cell);
      }
      styleCell(m, part, o, cell);
    }
    if (frag) d.cells.append(frag);
  }

  function styleCell(m, part, o, cell) {
    const r = part.recs.get(o);
    const value = part.values.get(o);
    const committed = part.committed !== null && o < part.committed;
    const lost = part.ledgerLost.has(o);
    const dup = r ? isDup(m, part, o) : false;
    // What the cell shows depends on these only: a cell whose inputs did not change since it
    // was drawn is left alone (a lane redraws every cell of its window on each change).
    const seen = r ? `${r.by.join()}|${r.th.join()}|${dup}` : '';
    const sig = `${seen}|${committed}|${lost}|${value === undefined ? '' : value}`;
    if (cell.sig === sig) return;
    cell.sig = sig;
    // Its tooltip is written when the pointer comes to it (cellTitle), not on every change:
    // at a fast producer hundreds of cells change a frame and nobody hovers them.
    if (cell.title) cell.removeAttribute('title');
    let cls = 'cell';
    let count = 0;
    if (r && r.by.length) {
      const kFirst = kOf(r.by[0]);
      const kLast = kOf(r.by[r.by.length - 1]);
      count = r.by.length;
      const thLast = threadIndex(r.th[r.th.length - 1]);
      cls += ` processed k${kLast} f${kFirst}${thLast ? ` th${thLast}` : ''}`;
      if (dup) cls += ' dup';
    } else {
      cls += ' pending';
    }
    if (lost) cls += ' lost';
    if (committed) cls += ' committed';
    if (cell.className !== cls) cell.className = cls;
    const countText = count > 1 ? String(count) : '';
    if ((cell.dataset.count || '') !== countText) {
      if (countText) cell.dataset.count = countText;
      else delete cell.dataset.count;
    }
    const label = value === undefined ? '' : short(value, 6);
    const v = cell.firstChild;
    if (v.textContent !== label) v.textContent = label;
  }

  /** A cell's tooltip: its offset, value, who processed it (a duplicate?), lost, from the model now. */
  function cellTitle(m, part, o) {
    const r = part.recs.get(o);
    const value = part.values.get(o);
    const title = [t('ui.cell.offset', { p: part.p, offset: o })];
    if (value !== undefined) title.push(t('ui.cell.value', { value: short(value, 60) }));
    if (r && r.by.length) {
      const who = r.by.map((cid, i) => (r.th[i] ? `${cid}/${r.th[i]}` : cid)).join(', ');
      title.push(isDup(m, part, o) ? t('ui.cell.processed_dup', { who }) : t('ui.cell.processed', { who }));
    } else {
      title.push(t('ui.cell.pending'));
    }
    if (part.ledgerLost.has(o)) title.push(t('ui.cell.lost'));
    return title.join(' · ');
  }

  /** The pointer came to a cell: its tooltip, as the model says now. */
  function onPointerOver(e) {
    const cell = e.target.closest && e.target.closest('.cell');
    const lane = cell && cell.closest('.lane');
    if (!lane || !model) return;
    const part = model.partitions[Number(lane.dataset.partition)];
    const o = Number(cell.dataset.offset);
    if (part && Number.isFinite(o)) cell.title = cellTitle(model, part, o);
  }

  /** The pointer moves over a lane's canvas: the tooltip of the offset under it. */
  function onCanvasPointer(e) {
    const canvas = e.target;
    if (!thin || !model || !canvas.classList || !canvas.classList.contains('cell-canvas')) return;
    const part = model.partitions[Number(canvas.closest('.lane').dataset.partition)];
    const o = part ? painter.offsetAt(model, part, canvas, e.clientX) : null;
    const title = o === null ? '' : cellTitle(model, part, o);
    if (canvas.title !== title) canvas.title = title;
  }

  function drawMarks(m, part, d) {
    d.endMark.style.left = pct(m, part, part.logEnd);
    setText(d.endMark.firstChild, t('ui.lane.end', { offset: part.logEnd }));
    const committed = part.committed;
    d.committedMark.hidden = committed === null;
    if (committed !== null) {
      d.committedMark.style.left = pct(m, part, Math.max(committed, part.start));
      d.committedMark.classList.toggle('flip', (committed - part.start) / m.span > 0.2);
      setText(d.committedMark.firstChild, t('ui.lane.committed', { offset: committed }));
    }
    const lo = part.start;
    const cEnd = committed === null ? lo : Math.max(committed, lo);
    d.committedBar.style.left = pct(m, part, lo);
    d.committedBar.style.width = `${(((cEnd - lo) / m.span) * 100).toFixed(4)}%`;
    // Processed (by anyone) past the committed offset: what a crash now would reprocess.
    const maxPos = maxPosition(m, part);
    const uStart = committed === null ? firstProcessed(m, part) : committed;
    const show = maxPos !== null && uStart !== null && maxPos > uStart;
    d.uncommittedBar.hidden = !show;
    if (show) {
      const a = Math.max(uStart, lo);
      d.uncommittedBar.style.left = pct(m, part, a);
      d.uncommittedBar.style.width = `${(((maxPos - a) / m.span) * 100).toFixed(4)}%`;
      d.uncommittedBar.title = tn('ui.lane.uncommitted_title', maxPos - uStart);
    }
  }

  /** One flag per consumer at its position (last processed + 1); dead consumers faded. */
  function drawFlags(m, part, d) {
    const seen = new Set();
    const stack = new Map();
    const readers = [...m.consumers.values()].filter((c) => c.pos.has(part.p));
    // Live readers of the partition; else only the last one that read it (faded): a dead
    // incarnation's or a revoked consumer's position is history.
    const reading = (c) => LIVE.has(c.status) && (c.assigned.has(part.p) || c.assigned.size === 0);
    let entries = readers.filter(reading);
    if (!entries.length && readers.length) {
      entries = [readers.reduce((a, b) => ((b.posTs.get(part.p) || 0) > (a.posTs.get(part.p) || 0) ? b : a))];
    }
    entries.sort((a, b) => a.k - b.k);
    for (const c of entries) {
      const pos = c.pos.get(part.p);
      if (pos < part.start) continue;
      seen.add(c.id);
      let flag = d.flagEls.get(c.id);
      if (!flag) {
        flag = el('div', { class: `flag k${c.k}` }, el('span', {}));
        d.flags.append(flag);
        d.flagEls.set(c.id, flag);
      }
      const i = stack.get(pos) || 0;
      stack.set(pos, i + 1);
      const cls = `flag k${c.k}${reading(c) ? '' : ' dead'}`;
      if (flag.className !== cls) flag.className = cls;
      flag.style.left = pct(m, part, pos);
      flag.style.setProperty('--stack', i);
      const who = c.posWho.get(part.p) || c.id;
      setText(flag.firstChild, `${who} → ${pos}`);
      let flagTitle;
      if (reading(c)) flagTitle = t('ui.flag.title', { who, offset: pos });
      else if (LIVE.has(c.status)) flagTitle = t('ui.flag.title_unassigned', { who, offset: pos });
      else flagTitle = t('ui.flag.title_gone', { who, offset: pos, status: statusText(c.status) });
      if (flag.title !== flagTitle) flag.title = flagTitle;
    }
    for (const [id, flag] of d.flagEls) {
      if (!seen.has(id)) {
        flag.remove();
        d.flagEls.delete(id);
      }
    }
  }

  function drawHead(m, part, d) {
    const owner = part.owner ? m.consumers.get(part.owner) : null;
    let cls = 'owner none';
    let text = t('ui.lane.no_owner');
    let title = t('ui.lane.no_owner_title');
    if (part.owner) {
      const dead = owner && !LIVE.has(owner.status);
      const who = part.ownerWho || part.owner;
      cls = `owner k${kOf(part.owner)}${dead ? ' dead' : ''}`;
      text = who;
      title = dead
        ? t('ui.lane.owner_dead_title', { who, status: statusText(owner.status) })
        : t('ui.lane.owner_title', { who });
    }
    if (d.owner.className !== cls) d.owner.className = cls;
    setText(d.owner, text);
    d.owner.title = title;
    setText(d.lag, t('ui.lane.lag', { lag: laneLag(part) }));
    d.lag.title = t('ui.lane.lag_title');
  }

  return { build, measure, draw };
}
