// One run drawn into `root` (the whole page, or one side of an A/B view): its event stream,
// the ledger it refetches, and the frame loop that feeds events to the model and has the views
// draw what changed.
//
// Data flow: SSE message → queue → (once per animation frame) applyEvent(model, event) →
// the views redraw what the model's revisions say changed. The ledger (GET /ledger) is the
// ground truth for the counters, duplicates and losses; it is refetched at most twice a second
// after events that can change it.

import { api, ApiError, enc, errorText } from '../api.js';
import { setText } from '../dom.js';
import { t } from '../i18n.js';
import * as model from '../model/run.js';
import { createCallbacksView } from '../views/callbacks.js';
import { createCheckpointsView } from '../views/checkpoints.js';
import { createConsumersView } from '../views/consumers.js';
import { createCountersView } from '../views/counters.js';
import { createInsideView } from '../views/inside.js';
import { createJavaView } from '../views/java.js';
import { createLagView } from '../views/lag.js';
import { createLanesView } from '../views/lanes.js';
import { createLogView } from '../views/log.js';
import { createProducerView } from '../views/producer.js';
import { createSinkView } from '../views/sink.js';
import { createSwimView } from '../views/swim.js';
import { createTimelineView } from '../views/timeline.js';
import { createResetControl } from './reset.js';

const LEDGER_MIN_MS = 500; // at most 2 ledger requests a second
const TIMELINE_TICK_MS = 100; // while consumers live, the timelines scroll at 10 fps
const LAG_DRAW_MS = 100; // the lag panel and its graphs redraw at most 10 times a second

/** The connection badge's words. */
const CONN_WORDS = {
  live: 'ui.conn.live',
  reconnecting: 'ui.conn.reconnecting',
  disconnected: 'ui.conn.disconnected',
  ended: 'ui.conn.ended',
  'no-run': 'ui.conn.no_run',
};

/** Why the server ended the stream (the `end` event's data), in the page's language. */
const END_REASONS = { 'run ended': 'ui.run.end_reason.run_ended', 'server shutting down': 'ui.run.end_reason.shutdown' };

function endReason(reason) {
  if (!reason) return t('ui.run.end_reason.unknown');
  return END_REASONS[reason] ? t(END_REASONS[reason]) : reason;
}

/**
 * opts: {key, param (the URL parameter holding the run id), label, hideIdle}. Elements are
 * found by their `data-el` name inside root; a pane without an element skips drawing it.
 */
export class Pane {
  constructor(page, root, opts) {
    Object.assign(this, {
      page,
      root,
      key: opts.key,
      param: opts.param,
      label: opts.label || '',
      hideIdle: !!opts.hideIdle,
      els: {},
      m: null,
      run: null,
      es: null,
      ended: false,
      viewTimer: null,
      queue: [],
      frameRequested: false,
      tickTimer: null,
      /** Client clock minus server clock (ms), an upper bound refined by every event. */
      skew: Infinity,
      ledgerTimer: null,
      ledgerInFlight: false,
      ledgerAgain: false,
      lastLedgerAt: 0,
      lagDrawnAt: 0,
      lagTimer: null,
      /** Views to redraw whatever the model says (after a resize, a tick, a button). */
      force: new Set(['lanes', 'consumers', 'producer', 'timeline', 'swim', 'lag', 'inside', 'counters', 'checkpoints']),
      drawn: {},
    });
  }

  /** The pane's element called `name` (data-el), or null. */
  el(name) {
    if (!(name in this.els)) this.els[name] = this.root.querySelector(`[data-el="${name}"]`);
    return this.els[name];
  }

  setup(partitionCount) {
    const page = this.page;
    this.m = model.createRun({ partitions: partitionCount });
    this.views = {
      lanes: createLanesView(this.el('lanes')),
      swim: createSwimView(this.el('swim')),
      lag: createLagView(this.el('lag'), page.burrow, this.el('lag-settings')),
      // The lag chapter: the consumer's own view beside the outside one, and the offsets reset.
      inside: createInsideView(page.lagLab ? this.el('inside') : null),
      reset: page.lagLab ? createResetControl(this, this.el('lag-reset'), this.el('reset-offsets'), this.el('reset-error')) : { draw() {} },
      log: createLogView(this.el('log'), this.el('log-jump'), this.el('hide-idle'), { hideIdle: this.hideIdle }),
      consumers: createConsumersView(this.root, this.el('consumers'), page.controls),
      counters: createCountersView((name) => this.el(name)),
      checkpoints: createCheckpointsView(this.el('checkpoints-panel'), this.el('checkpoints')),
      timeline: createTimelineView(this.el('timeline')),
      callbacks: createCallbacksView(this.el('callbacks')),
      producer: createProducerView(this.root, this.el('producer-state')),
      java: createJavaView(this),
      sink: createSinkView(this.el('sink-panel'), this),
    };
    this.views.lanes.build(this.m);
    this.views.swim.build(this.m);
    this.views.lag.build(this.m);
    if (page.lagLab && this.el('inside-panel')) {
      this.el('inside-panel').hidden = false;
      this.el('inside-panel').closest('.lag-views')?.classList.add('with-inside');
    }
    this.views.inside.build();
    this.views.log.bind(() => this.schedule());
    this.measure();
    this.render();
  }

  measure() {
    this.views.lanes.measure(this.m);
    this.views.swim.measure();
  }

  /** Everything is redrawn on the next frame (after a resize or a button). */
  redraw(...names) {
    for (const n of names.length ? names : ['lanes', 'timeline', 'swim']) this.force.add(n);
    this.schedule();
  }

  async start() {
    if (await this.openRun()) {
      this.connect();
      this.scheduleLedger();
      return true;
    }
    return false;
  }

  apiBase() {
    return `/api/runs/${enc(this.run.id)}`;
  }

  /** A notice's text: `key` on the main page, `sideKey` (naming A or B) on an A/B page. */
  say(key, sideKey, params) {
    return this.label ? t(sideKey, { ...params, side: this.key }) : t(key, params);
  }

  /** Uses the run named in the URL when it is a live run of this lab, else creates one. */
  async openRun() {
    const page = this.page;
    const params = new URLSearchParams(location.search);
    const wanted = params.get(this.param);
    if (wanted) {
      try {
        const found = await api('GET', `/api/runs/${enc(wanted)}`);
        if (found.body && found.body.lab === page.labId) {
          this.setRun(found.body, found.date);
          return true;
        }
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
      page.notify(this.say('ui.run.gone', 'ui.run.gone_side', { run: wanted }), 'info');
    }
    const body = { lab: page.labId };
    const strategy = params.get('strategy');
    if (strategy && page.controls.strategy) body.params = { assignment_strategy: strategy };
    let created;
    try {
      created = await api('POST', '/api/runs', body);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      this.setConn('failed', 'no-run');
      page.notify(this.say('ui.run.cannot_start', 'ui.run.cannot_start_side', { error: errorText(e) }), 'error', true);
      return false;
    }
    page.setParam(this.param, created.body.id);
    try {
      const view = await api('GET', `/api/runs/${enc(created.body.id)}`);
      this.setRun(view.body, view.date);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      page.notify(this.say('ui.run.cannot_read', 'ui.run.cannot_read_side', { status: e.status }), 'error', true);
      return false;
    }
    const select = document.getElementById('strategy');
    if (select && body.params) select.value = body.params.assignment_strategy;
    return true;
  }

  setRun(view, date) {
    this.run = view;
    if (date) {
      const server = Date.parse(date);
      if (Number.isFinite(server)) this.skew = Math.min(this.skew, Date.now() - server);
    }
    setText(this.el('run-id'), view.id);
    setText(this.el('run-topic'), view.topic);
    setText(this.el('run-group'), view.group);
    const b = view.bootstrap_servers;
    setText(this.el('cmd-producer'), `kafka-console-producer.sh --bootstrap-server ${b} --topic ${view.topic}`);
    setText(this.el('cmd-kcat'), `kcat -P -b ${b} -t ${view.topic}`);
    setText(this.el('cmd-consumer'),
      `kafka-console-consumer.sh --bootstrap-server ${b} --topic ${view.topic} --group ${view.outside_group} --from-beginning`);
    setText(this.el('cmd-java'), [
      `props.put("bootstrap.servers", "${b}");`,
      `props.put("group.id", "${view.outside_group}");`,
      `consumer.subscribe(Arrays.asList("${view.topic}"));`,
    ].join('\n'));
    const strategy = document.getElementById('strategy');
    if (strategy && view.consumers.length) strategy.value = view.consumers[0].config.assignment_strategy;
    model.setRun(this.m, view);
    model.takeJoined(this.m); // their configs came with the view
    const rate = document.getElementById('producer-rate');
    if (rate && this.m.producerRate > 0 && this.key === 'main') rate.value = String(this.m.producerRate);
    this.schedule();
    this.page.changed();
  }

  // ------------------------------------------------------------------ event stream

  connect() {
    const es = new EventSource(`${this.apiBase()}/events`);
    this.es = es;
    es.onopen = () => {
      this.setConn('live');
      this.redraw('consumers', 'producer');
      this.page.changed();
    };
    es.onmessage = (msg) => this.enqueue(msg.data);
    es.addEventListener('gap', (msg) => this.onGap(msg.data));
    es.addEventListener('end', (msg) => this.onEnd(msg.data));
    es.onerror = () => {
      if (this.es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        this.setConn('ended', 'disconnected');
        this.page.notify(t('ui.run.stream_closed'), 'error', true);
      } else {
        this.setConn('reconnecting');
      }
    };
    window.addEventListener('pagehide', () => es.close());
  }

  enqueue(data) {
    let ev;
    try {
      ev = JSON.parse(data);
    } catch (e) {
      return;
    }
    this.queue.push(ev);
    this.schedule();
  }

  /** Events were dropped from the run's bounded log: redraw state from the API. */
  onGap(data) {
    let gap = {};
    try {
      gap = JSON.parse(data);
    } catch (e) {
      /* keep going with a generic notice */
    }
    model.noteGap(this.m);
    this.page.notify(this.say('ui.run.gap', 'ui.run.gap_side', { from: gap.from ?? '?', to: gap.to ?? '?' }), 'info');
    this.resync();
  }

  onEnd(reason) {
    if (this.es) this.es.close();
    this.es = null;
    this.ended = true;
    clearTimeout(this.ledgerTimer);
    clearTimeout(this.viewTimer);
    this.setConn('ended', 'ended');
    this.page.notify(this.say('ui.run.ended', 'ui.run.ended_side', { reason: endReason(reason) }), 'info', true);
    this.redraw('consumers', 'producer');
    this.page.changed();
  }

  async resync() {
    try {
      const view = await api('GET', this.apiBase());
      model.applyView(this.m, view.body, this.serverNow());
      this.schedule();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    this.scheduleLedger();
  }

  /** A new consumer's config (threads, groups) comes from the run view. */
  scheduleViewRefresh() {
    if (this.viewTimer || !this.run || this.ended) return;
    this.viewTimer = setTimeout(async () => {
      this.viewTimer = null;
      let view;
      try {
        view = await api('GET', this.apiBase());
      } catch (e) {
        if (e instanceof ApiError) return;
        throw e;
      }
      this.run.consumers = view.body.consumers;
      model.setConfigs(this.m, view.body);
      this.schedule();
    }, 300);
  }

  /** The connection badge: its state (data-state) and its word (`what`, default the state). */
  setConn(state, what) {
    const conn = this.el('conn');
    if (!conn) return;
    conn.dataset.state = state;
    conn.textContent = CONN_WORDS[what || state] ? t(CONN_WORDS[what || state]) : what || state;
  }

  serverNow() {
    return Date.now() - (Number.isFinite(this.skew) ? this.skew : 0);
  }

  // ------------------------------------------------------------------ the run's API

  /** Values (and keys) into the run's topic; resolves to null when there is nothing to send. */
  produce(values, keys) {
    if (!values.length) return Promise.resolve(null);
    return api('POST', `${this.apiBase()}/produce`, keys ? { values, keys } : { values });
  }

  /**
   * Values 0 … n−1 without keys: the server spreads keyless records over the partitions
   * record by record.
   */
  async produceCount(n) {
    for (let i = 0; i < n; i += 10000) {
      const values = [];
      for (let v = i; v < Math.min(n, i + 10000); v++) values.push(String(v));
      await this.produce(values);
    }
  }

  /** A consumer the page just started: drawn before its first event. */
  addConsumer(id) {
    model.consumer(this.m, id);
    this.afterApply();
    this.schedule();
  }

  /** The producer's rate as the page set it (its producer_rate event confirms it). */
  assumeProducerRate(rate) {
    model.assumeProducerRate(this.m, rate);
  }

  // ------------------------------------------------------------------ ledger

  scheduleLedger() {
    if (!this.run || this.ended) return;
    if (this.ledgerTimer || this.ledgerInFlight) {
      this.ledgerAgain = true;
      return;
    }
    const wait = Math.max(0, this.lastLedgerAt + LEDGER_MIN_MS - Date.now());
    this.ledgerTimer = setTimeout(() => this.fetchLedger(), wait);
  }

  async fetchLedger() {
    this.ledgerTimer = null;
    this.ledgerInFlight = true;
    this.lastLedgerAt = Date.now();
    let ledger = null;
    try {
      ledger = (await api('GET', `${this.apiBase()}/ledger`)).body;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    } finally {
      this.ledgerInFlight = false;
    }
    if (this.ended) return;
    if (ledger) {
      model.applyLedger(this.m, ledger);
      this.schedule();
      this.page.changed();
    }
    if (this.ledgerAgain) {
      this.ledgerAgain = false;
      this.scheduleLedger();
    }
  }

  // ------------------------------------------------------------------ frame loop

  schedule() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  frame() {
    this.frameRequested = false;
    const batch = this.queue;
    this.queue = [];
    let ledger = false;
    let steps = false;
    for (const ev of batch) {
      const out = model.applyEvent(this.m, ev);
      if (!out) continue;
      this.views.java.event(ev);
      if (ev.type === 'broker') {
        this.page.notify(t(ev.reachable ? 'ui.run.broker_back' : 'ui.run.broker_unreachable'), ev.reachable ? 'info' : 'error', !ev.reachable);
      }
      if (typeof ev.ts === 'number') this.skew = Math.min(this.skew, Date.now() - ev.ts);
      ledger = ledger || out.ledger;
      steps = steps || out.steps;
    }
    this.afterApply();
    if (ledger) this.scheduleLedger();
    if (steps) this.page.changed();
    this.render();
    const m = this.m;
    const now = this.serverNow();
    const live = model.timelineMoving(m, now, model.TIMELINE_WINDOW_MS);
    const swimming = model.swimMoving(m, now);
    const lagging = !this.ended && this.views.lag.built() && model.lagMoving(m, now);
    if ((live || swimming || lagging) && !this.tickTimer) {
      this.tickTimer = setTimeout(() => {
        this.tickTimer = null;
        this.force.add('timeline');
        this.force.add('swim');
        if (lagging) this.force.add('lag');
        this.schedule();
      }, TIMELINE_TICK_MS);
    }
  }

  /** Consumers that appeared in events but not in the run view: fetch their settings. */
  afterApply() {
    for (const id of model.takeJoined(this.m)) {
      if (!this.run || !(this.run.consumers || []).some((v) => v.id === id)) this.scheduleViewRefresh();
    }
  }

  /** Whether `name`'s revision moved since it was drawn, or it is forced; marks it drawn. */
  due(name, rev) {
    const forced = this.force.delete(name);
    if (!forced && this.drawn[name] === rev) return false;
    this.drawn[name] = rev;
    return true;
  }

  render() {
    const m = this.m;
    const v = this.views;
    const now = this.serverNow();
    const ctx = { hasRun: !!this.run, ended: !this.es };
    model.layoutLanes(m);
    v.lanes.draw(m, this.force.delete('lanes'));
    v.consumers.draw(m, ctx, this.force.delete('consumers'));
    v.java.draw(m);
    if (this.due('counters', m.rev.counters)) {
      v.counters.draw(m);
      v.consumers.drawUncommitted(m);
    }
    v.log.draw(m);
    if (this.due('timeline', m.rev.timeline)) {
      model.pruneTimeline(m, now);
      v.timeline.draw(m, now);
    }
    if (this.due('swim', m.rev.swim)) {
      model.pruneSwim(m, now);
      v.swim.draw(m, now);
    }
    v.callbacks.draw(m);
    if (this.due('checkpoints', m.rev.checkpoints)) v.checkpoints.draw(m);
    if (this.due('producer', m.rev.producer)) v.producer.draw(m, ctx);
    // The consumer's own view shows the consumer the Java panel follows (a card clicked), else the newest.
    const follow = v.java.picked ? v.java.picked() : null;
    if (this.due('inside', `${m.rev.inside}|${follow}`)) v.inside.draw(m, follow);
    v.reset.draw(m, { hasRun: ctx.hasRun, ended: ctx.ended || this.ended });
    v.sink.draw(m, now);
    this.drawLag(now);
  }

  /** Throttled: a status or sample arriving sooner is drawn by a timer. */
  drawLag(now) {
    const pending = this.force.has('lag') || this.drawn.lag !== this.m.rev.lag;
    if (!pending) return;
    const wait = this.lagDrawnAt + LAG_DRAW_MS - Date.now();
    if (wait > 0) {
      if (!this.lagTimer) {
        this.lagTimer = setTimeout(() => {
          this.lagTimer = null;
          this.schedule();
        }, wait);
      }
      return;
    }
    this.force.delete('lag');
    this.drawn.lag = this.m.rev.lag;
    this.lagDrawnAt = Date.now();
    this.views.lag.draw(this.m, now);
  }
}
