// The consumer cards: one per incarnation (c1, c2, …) with its status, counts, threads,
// settings, exit and its buttons; and the Start button's state.

import { el, setText } from '../dom.js';
import { partitionsText, plural, threadIndex } from '../format.js';
import { LIVE, liveCount, uncommitted } from '../model/run.js';

/** The consumer's settings in one line. */
export function configText(c) {
  const cfg = c.config;
  const mode = (cfg && cfg.commit_mode) || c.commitMode || '';
  if (!cfg) return mode ? `commit ${mode}` : '';
  const parts = [];
  if (mode === 'auto' || mode === 'auto-naive') parts.push(`commit ${mode} every ${cfg.auto_commit_interval_ms / 1000} s`);
  else if (cfg.commit_every_records) parts.push(`commit ${mode} every ${cfg.commit_every_records} records`);
  else parts.push(`commit ${mode}`);
  if (cfg.assign_partition !== null && cfg.assign_partition !== undefined) parts.push(`assign(P${cfg.assign_partition})`);
  if (cfg.threads > 1) parts.push(`${cfg.threads} threads, ${cfg.thread_groups} group${cfg.thread_groups === 'distinct' ? 's' : ''}`);
  if (cfg.worker_pool > 0) parts.push(`worker pool ${cfg.worker_pool}`);
  if (cfg.pause_after_records) parts.push(`pause after ${cfg.pause_after_records}`);
  if (cfg.processing_delay_ms) parts.push(`${cfg.processing_delay_ms} ms/record`);
  if (cfg.commit_on_revoke) parts.push('commit on revoke');
  if (!cfg.commit_on_shutdown) parts.push('no commit on shutdown');
  return parts.join(' · ');
}

/**
 * root: the pane's root (for the Start button); box: the cards' container; controls: the lab's
 * controls (which buttons a card has, the most consumers at once).
 */
export function createConsumersView(root, box, controls) {
  const doms = new Map(); // consumer id → its card's elements
  const drawn = new Map(); // consumer id → rev drawn
  let drawnRev = -1;

  /** ctx: {hasRun, ended (no event stream)}; all: redraw every card. */
  function draw(m, ctx, all) {
    const changed = all || drawnRev !== m.rev.consumers || [...m.consumers.values()].some((c) => drawn.get(c.id) !== c.rev);
    if (!changed) return;
    drawnRev = m.rev.consumers;
    if (box) {
      const empty = box.querySelector('.empty');
      if (empty && m.consumers.size) empty.remove();
      for (const c of m.consumers.values()) {
        if (!doms.has(c.id)) build(c);
        drawCard(m, c, ctx);
      }
    }
    const start = root.querySelector('button[data-action="start"]');
    if (start && !start.dataset.busy) {
      const max = controls.max_consumers || 1;
      const full = liveCount(m) >= max;
      start.disabled = !ctx.hasRun || full || ctx.ended;
      start.title = full ? `This lab runs at most ${plural(max, 'consumer')} at once: stop or kill one first` : 'Start a new consumer process';
    }
  }

  /** The uncommitted counts only (they follow committed offsets). */
  function drawUncommitted(m) {
    for (const c of m.consumers.values()) {
      const d = doms.get(c.id);
      if (d) setText(d.uncommitted, String(uncommitted(m, c)));
    }
  }

  function build(c) {
    const status = el('span', { class: 'status' });
    const paused = el('span', { class: 'status s-paused paused-badge', hidden: true }, 'paused');
    const pid = el('span', { class: 'pid' });
    const processed = el('dd', { class: 'processed' }, '0');
    const assigned = el('dd', { class: 'assigned' }, '–');
    const uncommittedEl = el('dd', { class: 'uncommitted' }, '0');
    const config = el('p', { class: 'config' });
    const threads = el('ul', { class: 'threads', hidden: true, 'aria-label': 'Threads of this process' });
    const exit = el('p', { class: 'exit' });
    const actions = el('div', { class: 'actions' });
    const buttons = {};
    const add = (action, label, title, extra) => {
      const b = el('button', { type: 'button', class: extra || '', dataset: { action }, title }, label);
      buttons[action] = b;
      actions.append(b);
    };
    if (controls.stop !== false) add('stop', 'Stop', 'SIGTERM: wakeup() → commitSync() → close()');
    if (controls.kill !== false) add('kill', 'Kill', 'SIGKILL: dies at once, no commit, no leave-group', 'danger');
    if (controls.steps) {
      add('pause', 'Pause', 'Stop processing (the poll loop keeps the consumer in the group)');
      add('resume', 'Resume', 'Continue processing');
      add('step', 'Step', 'Process one more record');
      add('step-batch', 'Step batch', 'Process the rest of the current poll batch, then its commit');
    }
    const card = el('article', { class: `consumer k${c.k}`, dataset: { consumer: c.id }, 'aria-label': `Consumer ${c.id}` },
      el('header', {}, el('span', { class: `chip k${c.k}` }, c.id), status, paused, pid),
      el('dl', { class: 'stats' },
        el('div', {}, el('dt', {}, 'processed'), processed),
        el('div', {}, el('dt', {}, 'partitions'), assigned),
        el('div', { title: 'Processed but not committed: what a crash now would process again' }, el('dt', {}, 'uncommitted'), uncommittedEl)),
      threads, config, exit, actions);
    doms.set(c.id, { card, status, paused, pid, processed, assigned, uncommitted: uncommittedEl, config, threads, threadEls: new Map(), exit, actions, buttons });
    box.append(card);
  }

  function drawCard(m, c, ctx) {
    drawn.set(c.id, c.rev);
    const d = doms.get(c.id);
    const live = LIVE.has(c.status);
    setText(d.status, c.status);
    d.status.dataset.status = c.status;
    d.status.className = `status s-${c.status}`;
    d.paused.hidden = !(c.paused && live);
    setText(d.pid, c.pid ? `pid ${c.pid}` : '');
    d.card.classList.toggle('dead', !live);
    setText(d.processed, String(c.processed));
    const joining = live && !c.assigned.size && c.assignOnly === null && c.status === 'running';
    const assigned = live && c.assigned.size ? partitionsText([...c.assigned]) : joining ? 'none yet' : '–';
    setText(d.assigned, assigned);
    d.assigned.title = joining ? 'Subscribed; waiting for the group to assign partitions (a rebalance)' : '';
    drawThreads(c, d);
    setText(d.uncommitted, String(uncommitted(m, c)));
    setText(d.config, configText(c));
    let exit = '';
    if (!live) {
      if (c.exitSignal) exit = `ended by signal ${c.exitSignal}${c.exitSignal === 9 ? ' (SIGKILL)' : ''}`;
      else if (c.exitCode !== null && c.exitCode !== undefined) exit = `exited with code ${c.exitCode}`;
    }
    setText(d.exit, exit);
    d.exit.hidden = !exit;
    d.actions.hidden = !live;
    const b = d.buttons;
    const enable = (name, on) => {
      if (b[name] && !b[name].dataset.busy) b[name].disabled = !on || ctx.ended;
    };
    enable('stop', live && c.status !== 'stopping');
    enable('kill', live);
    enable('pause', live && !c.paused);
    enable('resume', live && c.paused);
    enable('step', live && c.paused);
    enable('step-batch', live && c.paused);
    // Pause and Resume share a place: only the one that applies is shown.
    if (b.pause) b.pause.hidden = c.paused;
    if (b.resume) b.resume.hidden = !c.paused;
  }

  /** A process with threads: each thread (c1/t1, c1/pool-2) and what it owns and processed. */
  function drawThreads(c, d) {
    const names = new Set([...c.byThread.keys(), ...c.threadProcessed.keys(), ...c.threads].filter((t) => t));
    d.threads.hidden = names.size === 0;
    if (!names.size) return;
    const live = LIVE.has(c.status);
    const sorted = [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const t of sorted) {
      let row = d.threadEls.get(t);
      if (!row) {
        const owns = el('span', { class: 'owns' });
        const count = el('span', { class: 'count' });
        row = { li: el('li', { dataset: { thread: t } }, el('span', { class: `th-chip k${c.k} th${threadIndex(t)}` }, `${c.id}/${t}`), owns, count), owns, count };
        d.threadEls.set(t, row);
        d.threads.append(row.li);
      }
      const mine = c.byThread.get(t);
      const pool = t.startsWith('pool-');
      const owns = pool ? 'a worker: owns no partition' : mine && mine.size ? `owns ${partitionsText([...mine])}` : live ? 'owns nothing yet' : 'owned nothing';
      setText(row.owns, owns);
      setText(row.count, `${c.threadProcessed.get(t) || 0} processed`);
    }
  }

  return { draw, drawUncommitted };
}
