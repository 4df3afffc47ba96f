// The consumer cards: one per incarnation (c1, c2, …) with its status, counts, threads,
// settings, exit and its buttons; and the Start button's state.

import { el, setText } from '../dom.js';
import { duration, num, partitionsText, statusText, threadIndex } from '../format.js';
import { t, tn } from '../i18n.js';
import { LIVE, liveCount, uncommitted } from '../model/run.js';

/** The consumer's settings in one line. */
export function configText(c) {
  const cfg = c.config;
  const mode = (cfg && cfg.commit_mode) || c.commitMode || '';
  if (!cfg) return mode ? t('ui.cfg.commit', { mode }) : '';
  const parts = [];
  if (mode === 'auto' || mode === 'auto-naive') parts.push(t('ui.cfg.commit_every_time', { mode, time: duration(cfg.auto_commit_interval_ms) }));
  else if (cfg.commit_every_records) parts.push(tn('ui.cfg.commit_every_records', cfg.commit_every_records, { mode }));
  else parts.push(t('ui.cfg.commit', { mode }));
  if (cfg.assign_partition !== null && cfg.assign_partition !== undefined) parts.push(`assign(P${cfg.assign_partition})`);
  if (cfg.threads > 1) parts.push(cfg.thread_groups === 'distinct' ? t('ui.cfg.threads_distinct', { n: num(cfg.threads) }) : t('ui.cfg.threads_same', { n: num(cfg.threads) }));
  if (cfg.worker_pool > 0) parts.push(t('ui.cfg.worker_pool', { n: num(cfg.worker_pool) }));
  if (cfg.pause_after_records) parts.push(tn('ui.cfg.pause_after', cfg.pause_after_records));
  if (cfg.processing_delay_ms) parts.push(t('ui.cfg.processing_delay', { ms: duration(cfg.processing_delay_ms) }));
  if (cfg.commit_on_revoke) parts.push(t('ui.cfg.commit_on_revoke'));
  if (!cfg.commit_on_shutdown) parts.push(t('ui.cfg.no_commit_on_shutdown'));
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
      start.title = full ? tn('ui.card.start_full', max) : t('ui.card.start');
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
    const paused = el('span', { class: 'status s-paused paused-badge', hidden: true }, statusText('paused'));
    const pid = el('span', { class: 'pid' });
    const processed = el('dd', { class: 'processed' }, '0');
    const assigned = el('dd', { class: 'assigned' }, '–');
    const uncommittedEl = el('dd', { class: 'uncommitted' }, '0');
    const config = el('p', { class: 'config' });
    const threads = el('ul', { class: 'threads', hidden: true, 'aria-label': t('ui.card.threads_label') });
    const exit = el('p', { class: 'exit' });
    const actions = el('div', { class: 'actions' });
    const buttons = {};
    const add = (action, label, title, extra) => {
      const b = el('button', { type: 'button', class: extra || '', dataset: { action }, title }, label);
      buttons[action] = b;
      actions.append(b);
    };
    if (controls.stop !== false) add('stop', t('ui.card.stop'), t('ui.card.stop_title'));
    if (controls.kill !== false) add('kill', t('ui.card.kill'), t('ui.card.kill_title'), 'danger');
    if (controls.steps) {
      add('pause', t('ui.card.pause'), t('ui.card.pause_title'));
      add('resume', t('ui.card.resume'), t('ui.card.resume_title'));
      add('step', t('ui.card.step'), t('ui.card.step_title'));
      add('step-batch', t('ui.card.step_batch'), t('ui.card.step_batch_title'));
    }
    const card = el('article', { class: `consumer k${c.k}`, dataset: { consumer: c.id }, 'aria-label': t('ui.card.label', { id: c.id }) },
      el('header', {}, el('span', { class: `chip k${c.k}` }, c.id), status, paused, pid),
      el('dl', { class: 'stats' },
        el('div', {}, el('dt', {}, t('ui.card.processed')), processed),
        el('div', {}, el('dt', {}, t('ui.card.partitions')), assigned),
        el('div', { title: t('ui.card.uncommitted_title') }, el('dt', {}, t('ui.card.uncommitted')), uncommittedEl)),
      threads, config, exit, actions);
    doms.set(c.id, { card, status, paused, pid, processed, assigned, uncommitted: uncommittedEl, config, threads, threadEls: new Map(), exit, actions, buttons });
    box.append(card);
  }

  function drawCard(m, c, ctx) {
    drawn.set(c.id, c.rev);
    const d = doms.get(c.id);
    const live = LIVE.has(c.status);
    setText(d.status, statusText(c.status));
    d.status.dataset.status = c.status;
    d.status.className = `status s-${c.status}`;
    d.paused.hidden = !(c.paused && live);
    setText(d.pid, c.pid ? `pid ${c.pid}` : '');
    d.card.classList.toggle('dead', !live);
    setText(d.processed, num(c.processed));
    const joining = live && !c.assigned.size && c.assignOnly === null && c.status === 'running';
    const assigned = live && c.assigned.size ? partitionsText([...c.assigned]) : joining ? t('ui.card.none_yet') : '–';
    setText(d.assigned, assigned);
    d.assigned.title = joining ? t('ui.card.joining_title') : '';
    drawThreads(c, d);
    setText(d.uncommitted, String(uncommitted(m, c)));
    setText(d.config, configText(c));
    let exit = '';
    if (!live) {
      if (c.exitSignal) exit = c.exitSignal === 9 ? t('ui.card.exit_sigkill') : t('ui.card.exit_signal', { signal: c.exitSignal });
      else if (c.exitCode !== null && c.exitCode !== undefined) exit = t('ui.card.exit_code', { code: c.exitCode });
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
    const names = new Set([...c.byThread.keys(), ...c.threadProcessed.keys(), ...c.threads].filter((x) => x));
    d.threads.hidden = names.size === 0;
    if (!names.size) return;
    const live = LIVE.has(c.status);
    const sorted = [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const th of sorted) {
      let row = d.threadEls.get(th);
      if (!row) {
        const owns = el('span', { class: 'owns' });
        const count = el('span', { class: 'count' });
        row = { li: el('li', { dataset: { thread: th } }, el('span', { class: `th-chip k${c.k} th${threadIndex(th)}` }, `${c.id}/${th}`), owns, count), owns, count };
        d.threadEls.set(th, row);
        d.threads.append(row.li);
      }
      const mine = c.byThread.get(th);
      const pool = th.startsWith('pool-');
      const owns = pool ? t('ui.card.thread_worker') : mine && mine.size ? t('ui.card.thread_owns', { partitions: partitionsText([...mine]) })
        : live ? t('ui.card.thread_owns_nothing_yet') : t('ui.card.thread_owned_nothing');
      setText(row.owns, owns);
      setText(row.count, tn('ui.card.thread_processed', c.threadProcessed.get(th) || 0));
    }
  }

  return { draw, drawUncommitted };
}
