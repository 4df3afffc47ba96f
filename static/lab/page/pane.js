// One live run drawn into `root` (the whole page, or one side of an A/B view): its event
// stream and the ledger it refetches; the model, views and frame loop are its RunDrawing
// (page/drawing.js), which the replay page shares.
//
// Data flow: SSE message → queue → (once per animation frame) applyEvent(model, event) →
// the views redraw what the model's revisions say changed. The ledger (GET /ledger) is the
// ground truth for the counters, duplicates and losses; it is refetched at most twice a second
// after events that can change it.

import { api, ApiError, enc, errorText } from '../api.js';
import { setText } from '../dom.js';
import { t } from '../i18n.js';
import * as model from '../model/run.js';
import { RunDrawing } from './drawing.js';

const LEDGER_MIN_MS = 500; // at most 2 ledger requests a second

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
export class Pane extends RunDrawing {
  constructor(page, root, opts) {
    super(page, root, opts);
    Object.assign(this, {
      param: opts.param,
      es: null,
      viewTimer: null,
      /** Client clock minus server clock (ms), an upper bound refined by every event. */
      skew: Infinity,
      ledgerTimer: null,
      ledgerInFlight: false,
      ledgerAgain: false,
      lastLedgerAt: 0,
    });
  }

  /** The drawings read the server's clock. */
  now() {
    return this.serverNow();
  }

  /** Controls are off while no event stream is open. */
  sourceClosed() {
    return !this.es;
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

  /**
   * Uses the run named in the URL when it is a live run of this lab, else creates one (a
   * read-only page does not).
   */
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
    // A read-only view watches the run it names; it never starts one.
    if (page.readOnly) {
      this.setConn('failed', 'no-run');
      if (!wanted) page.notify(t('ui.watch_only.no_run'), 'info', true);
      return false;
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
    const exportLink = this.el('export');
    if (exportLink) {
      exportLink.href = `/api/runs/${enc(view.id)}/export`;
      exportLink.hidden = false;
    }
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
    // batch=1: events already waiting when the server writes come as one `batch` message (a
    // JSON array), which spares a fast run's page a message and a task per event.
    const es = new EventSource(`${this.apiBase()}/events?batch=1`);
    this.es = es;
    es.onopen = () => {
      this.setConn('live');
      this.redraw('consumers', 'producer');
      this.page.changed();
    };
    es.onmessage = (msg) => this.enqueue(msg.data);
    es.addEventListener('batch', (msg) => this.enqueue(msg.data));
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

  /** A message's data: one event, or (a `batch` message) an array of them. */
  enqueue(data) {
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (Array.isArray(parsed)) for (const ev of parsed) this.queue.push(ev);
    else this.queue.push(parsed);
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

  // ------------------------------------------------------------------ frame loop hooks

  applied(ev) {
    if (ev.type === 'broker') {
      this.page.notify(t(ev.reachable ? 'ui.run.broker_back' : 'ui.run.broker_unreachable'), ev.reachable ? 'info' : 'error', !ev.reachable);
    }
    if (typeof ev.ts === 'number') this.skew = Math.min(this.skew, Date.now() - ev.ts);
  }

  afterFrameApply(out) {
    if (out.ledger) this.scheduleLedger();
    if (out.steps) this.page.changed();
  }

  /** Consumers that appeared in events but not in the run view: fetch their settings. */
  afterApply() {
    for (const id of model.takeJoined(this.m)) {
      if (!this.run || !(this.run.consumers || []).some((v) => v.id === id)) this.scheduleViewRefresh();
    }
  }
}
