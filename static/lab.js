// The lab page: one run of one lab (or, for A/B labs, two runs side by side), drawn live from
// each run's event stream.
//
// Data flow, per run (a Pane): SSE message → pane.queue → (once per animation frame)
// pane.apply(event) updates the model and marks what changed as dirty → pane.render() redraws
// only the dirty parts. The ledger (GET /api/runs/{id}/ledger) is the ground truth for the
// counters, duplicates and losses; it is refetched at most twice a second after events that can
// change it. The Page owns what runs share: the settings form, notices, the A/B guided steps.
(function () {
  'use strict';

  const { el, api } = window.Labs;

  // Okabe–Ito, ordered so that neighbours (c1, c2, …) differ most; vermillion (errors) late.
  const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#0072B2', '#F0E442', '#D55E00', '#222222'];
  const COMMIT_COLOURS = { sync: '#0072B2', async: '#009E73', auto: '#CC79A7' };
  const ERROR_COLOUR = '#D55E00';
  const LIVE = new Set(['starting', 'running', 'stopping']);
  /** Events after which the ledger may have changed. */
  const LEDGER_EVENTS = new Set([
    'record', 'commit_completed', 'offsets', 'killed', 'exited', 'closed', 'partitions_revoked',
  ]);
  const LEDGER_MIN_MS = 500; // at most 2 ledger requests a second
  const WINDOW_MS = 30000; // the commit timeline shows the last 30 s
  const KEEP_MS = 45000; // timeline data kept (a little more than shown)
  const SWIM_MS = 60000; // the ownership swimlanes show the last 60 s
  const SWIM_KEEP_MS = 70000;
  const TIMELINE_TICK_MS = 100; // while consumers live, the timelines scroll at 10 fps
  const LOG_CAP = 500; // DOM rows in the event log
  const LOG_MEMORY = 3000; // events kept to rebuild the log when its filter changes
  const CALLBACKS_SHOWN = 12; // rebalance callbacks listed
  const SPANS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]; // offsets across a lane
  const SLIDE = 32; // past the widest span, a lane's window moves in steps of this
  const HEADROOM = 3; // free offsets right of the log end (room for its label)
  const MAX_TIMELINE_ROWS = 8;
  const LAG_MS = 60000; // the lag sparklines show the last 60 s
  const LAG_WINDOW_MS = 5000; // Burrow's window: 10 broker samples, 500 ms apart
  const LAG_DRAW_MS = 250; // sparklines redraw at most 4 times a second
  const SPARK_W = 600; // sparkline user units (the SVG stretches to its box)
  const SPARK_H = 40;
  /** Partition statuses that make the group WARNING or ERROR, worst first. */
  const LAG_SEVERITY = ['rewind', 'stop', 'stall', 'warning'];
  /** Burrow's rules, as the panel explains the one that fired. */
  const LAG_RULES = {
    ok: 'lag reached 0 or shrank',
    warning: 'offsets move but lag never shrinks',
    stall: 'commits come but this partition does not move',
    stop: 'committed offset frozen and nobody commits',
    rewind: 'committed offset went backwards',
  };
  const GROUP_WORDS = { ok: 'OK', warning: 'WARNING', error: 'ERROR', pending: 'not rated yet' };
  const GROUP_SYMBOLS = { ok: '✓', warning: '▲', error: '✕', pending: '' };
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** c1 → 0, c2 → 1, …: the consumer's colour and pattern. */
  function kOf(cid) {
    const n = parseInt(String(cid || '').replace(/^c/, ''), 10);
    return Number.isFinite(n) && n > 0 ? (n - 1) % PALETTE.length : 0;
  }

  /** "c1" or "c1/t2": the consumer and, when the event has one, its thread. */
  function whoOf(ev) {
    if (!ev.consumer) return null;
    return ev.thread ? `${ev.consumer}/${ev.thread}` : ev.consumer;
  }

  /** t1 → 1, t2 → 2 (a pattern per consumer thread); anything else → 0. */
  function threadIndex(thread) {
    const m = /^t(\d+)$/.exec(thread || '');
    return m ? ((Number(m[1]) - 1) % 4) + 1 : 0;
  }

  function pad(n, w) {
    return String(n).padStart(w, '0');
  }

  function clock(ts) {
    const d = new Date(ts);
    return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
  }

  function ms(v) {
    if (v === null || v === undefined) return '';
    return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
  }

  function short(s, n) {
    if (s === null || s === undefined) return '∅';
    const str = String(s);
    return str.length > n ? str.slice(0, n - 1) + '…' : str;
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  function offsetsText(list) {
    if (!list || !list.length) return 'nothing';
    const parts = list.slice(0, 6).map((po) => `P${po.partition}→${po.offset}`);
    if (list.length > 6) parts.push(`+${list.length - 6}`);
    return parts.join(' ');
  }

  /** [0, 1, 2, 5] → "P0–2 P5": consecutive partitions as ranges. */
  function partitionsText(list) {
    if (!list || !list.length) return 'none';
    return rangesText(list, 'P');
  }

  /** [100, 101, …, 149, 160] → "100–149 160" (with a prefix per range: "P0–2"). */
  function rangesText(list, prefix) {
    const sorted = [...list].sort((a, b) => a - b);
    const parts = [];
    const pre = prefix || '';
    let lo = sorted[0];
    let hi = lo;
    for (const p of sorted.slice(1).concat([null])) {
      if (p !== null && p === hi + 1) {
        hi = p;
        continue;
      }
      parts.push(lo === hi ? `${pre}${lo}` : hi === lo + 1 ? `${pre}${lo} ${pre}${hi}` : `${pre}${lo}–${hi}`);
      lo = p;
      hi = p;
    }
    return parts.join(' ');
  }

  /** A commit the broker refused because the group is rebalancing. */
  function rebalanceRefusal(error) {
    return !!error && /REBALANCE_IN_PROGRESS|rebalance in progress|RebalanceInProgress/i.test(error);
  }

  const CALLBACK_NAMES = { revoke: 'onPartitionsRevoked', assign: 'onPartitionsAssigned' };

  /** One short line per event type, for the log. */
  const DESCRIBE = {
    produced: (e) => `P${e.partition} @${e.offset} ${e.key !== null && e.key !== undefined ? `key "${short(e.key, 16)}" ` : ''}"${short(e.value, 40)}"`,
    spawned: (e) => `worker process pid ${e.pid}`,
    subscribed: (e) => e.assigned_partition !== null && e.assigned_partition !== undefined
      ? `assign(P${e.assigned_partition}) · no group membership · commit ${e.commit_mode}`
      : `subscribe(${e.topic}) · group ${e.group} · commit ${e.commit_mode}`,
    poll: (e) => `${plural(e.count, 'record')} in ${ms(e.duration_ms)}`,
    record: (e) => `P${e.partition} @${e.offset} "${short(e.value, 40)}"`,
    commit_requested: (e) => `#${e.commit_id} ${e.mode} (${e.reason}) ${offsetsText(e.offsets)}`,
    commit_completed: (e) => `${e.commit_id !== null && e.commit_id !== undefined ? `#${e.commit_id} ` : ''}${e.mode} (${e.reason}) ${e.error ? `FAILED: ${e.error}${rebalanceRefusal(e.error) ? ' — refused: the group is rebalancing' : ''}` : 'ok'}${e.latency_ms !== null && e.latency_ms !== undefined ? ` in ${ms(e.latency_ms)}` : ''} · ${offsetsText(e.offsets)}`,
    partitions_assigned: (e) => `onPartitionsAssigned ${partitionsText(e.partitions)}`,
    partitions_revoked: (e) => `onPartitionsRevoked ${partitionsText(e.partitions)}`,
    rebalance_done: (e) => `${CALLBACK_NAMES[e.kind] || e.kind} returned after ${ms(e.duration_ms)}${e._inside ? ` · ${e._inside} ran inside it` : ''}`,
    paused: (e) => `paused after ${plural(e.processed, 'record')} (${e.held} held)`,
    resumed: () => 'resumed',
    wakeup: () => 'SIGTERM → wakeup() → WakeupException',
    closed: () => 'close(): left the group',
    killed: () => 'SIGKILL: no commit, no leave-group',
    exited: (e) => (e.signal ? `process ended by signal ${e.signal}` : `process exited with code ${e.code}`),
    offsets: (e) => (e.partitions || []).slice(0, 8).map((s) => `P${s.partition} end ${s.log_end} committed ${s.committed === null ? '–' : s.committed}`).join(' · '),
    lag: (e) => `group ${String(e.status).toUpperCase()} · ${(e.partitions || []).slice(0, 8).map((p) => `P${p.partition} lag ${p.lag} ${p.status}`).join(' · ')}`,
    producer_rate: (e) => (e.rate_per_sec ? `background producer: ${e.rate_per_sec} records/s` : 'background producer stopped'),
    fault: (e) => e.description,
    checkpoint: (e) => `✓ ${e.text}`,
    error: (e) => e.message,
  };

  /** An SVG element with attributes. */
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  /** Burrow's lag of a broker sample: log-end − committed (log-end when nothing is committed). */
  function sampleLag(s) {
    const committed = s.committed === null || s.committed === undefined ? 0 : Math.max(0, s.committed);
    return Math.max(0, s.log_end - committed);
  }

  /** 0 … v rounded up to 1, 2 or 5 × 10^n (at least 5): a calm, readable scale. */
  function niceMax(v) {
    const x = Math.max(5, v);
    const p = 10 ** Math.floor(Math.log10(x));
    for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
    return 10 * p;
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function sameSet(a, b) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }

  function enc(s) {
    return encodeURIComponent(s);
  }

  // ==================================================================== one run: a Pane

  /**
   * One run drawn into `root` (the whole page, or one side of an A/B view). Elements are found
   * by their `data-el` name inside root; a pane without an element skips drawing it.
   * opts: {key, param (the URL parameter holding the run id), label, hideIdle}.
   */
  function Pane(page, root, opts) {
    Object.assign(this, {
      page,
      root,
      key: opts.key,
      param: opts.param,
      label: opts.label || '',
      els: {},
      run: null,
      es: null,
      ended: false,
      viewTimer: null,
      queue: [],
      frameRequested: false,
      tickTimer: null,
      lastSeq: 0,
      gapSeen: false,
      /** Client clock minus server clock (ms), an upper bound refined by every event. */
      skew: Infinity,
      partitions: [],
      consumers: new Map(),
      span: SPANS[0],
      trackWidth: 0,
      swimWidth: 0,
      countersDirty: true,
      consumersDirty: true,
      timelineDirty: true,
      swimDirty: true,
      callbacksDirty: false,
      lastPrune: 0,
      clientProcessed: 0,
      ledger: null,
      ledgerTimer: null,
      ledgerInFlight: false,
      ledgerAgain: false,
      lastLedgerAt: 0,
      checkpoints: new Map(),
      logMemory: [],
      logPending: [],
      logPinned: true,
      logUnseen: 0,
      hideIdle: !!opts.hideIdle,
      /** Ownership history per partition (the swimlanes). */
      own: [],
      swimSeq: 0,
      /** Rebalance callbacks, oldest first; the open one of each consumer thread. */
      callbacks: [],
      openCallback: new Map(),
      lastAssigned: new Map(),
      /** Burrow's last evaluation ({status, partitions}), null before the first full window. */
      lagReport: null,
      lagDirty: true,
      lagDrawnAt: 0,
      lagTimer: null,
      lagEls: null,
      /** The background producer's rate (0: stopped). */
      producerRate: 0,
      producerDirty: true,
    });
  }

  Pane.prototype = {
    /** The pane's element called `name` (data-el), or null. */
    el(name) {
      if (!(name in this.els)) this.els[name] = this.root.querySelector(`[data-el="${name}"]`);
      return this.els[name];
    },

    setup(partitionCount) {
      for (let p = 0; p < partitionCount; p++) this.partitions.push(this.makePartition(p));
      this.buildLanes();
      this.buildSwim();
      this.buildLag();
      this.bindLog();
      this.measure();
      this.render();
    },

    async start() {
      if (await this.openRun()) {
        this.connect();
        this.scheduleLedger();
        return true;
      }
      return false;
    },

    apiBase() {
      return `/api/runs/${enc(this.run.id)}`;
    },

    /** Uses the run named in the URL when it is a live run of this lab, else creates one. */
    async openRun() {
      const page = this.page;
      const params = new URLSearchParams(location.search);
      const wanted = params.get(this.param);
      const which = this.label ? ` (${this.key})` : '';
      if (wanted) {
        const found = await api('GET', `/api/runs/${enc(wanted)}`);
        if (found.ok && found.body && found.body.lab === page.labId) {
          this.setRun(found.body, found.date);
          return true;
        }
        page.notify(`Run ${wanted}${which} is gone (it expired or the server restarted): this is a new run.`, 'info');
      }
      const body = { lab: page.labId };
      const strategy = params.get('strategy');
      if (strategy && page.controls.strategy) body.params = { assignment_strategy: strategy };
      const created = await api('POST', '/api/runs', body);
      if (!created.ok) {
        this.setConn('failed', 'no run');
        page.notify(`Cannot start a run${which}: ${(created.body && created.body.error) || created.status}`, 'error', true);
        return false;
      }
      page.setParam(this.param, created.body.id);
      const view = await api('GET', `/api/runs/${enc(created.body.id)}`);
      if (!view.ok) {
        page.notify(`The new run${which} cannot be read: ${view.status}`, 'error', true);
        return false;
      }
      this.setRun(view.body, view.date);
      const select = document.getElementById('strategy');
      if (select && body.params) select.value = body.params.assignment_strategy;
      return true;
    },

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
      const strategy = document.getElementById('strategy');
      if (strategy && view.consumers.length) strategy.value = view.consumers[0].config.assignment_strategy;
      for (const c of view.checkpoints || []) {
        this.checkpoints.set(c.id, { id: c.id, text: c.text, reached: !!c.reached });
      }
      this.renderCheckpoints();
      for (const cv of view.consumers || []) this.consumer(cv.id).config = cv.config;
      // Burrow's status and the producer's rate as they are now; the replayed events draw the
      // history behind them.
      this.lagReport = view.lag || null;
      for (const pv of view.partitions || []) {
        const part = this.part(pv.partition);
        if (part) part.sampled = sampleLag(pv);
      }
      this.producerRate = view.producer_rate || 0;
      const rate = document.getElementById('producer-rate');
      if (rate && this.producerRate > 0 && this.key === 'main') rate.value = String(this.producerRate);
      this.lagDirty = true;
      this.producerDirty = true;
      this.page.changed();
    },

    // ------------------------------------------------------------------ event stream

    connect() {
      const es = new EventSource(`${this.apiBase()}/events`);
      this.es = es;
      es.onopen = () => {
        this.setConn('live');
        this.consumersDirty = true;
        this.producerDirty = true;
        this.schedule();
        this.page.changed();
      };
      es.onmessage = (m) => this.enqueue(m.data);
      es.addEventListener('gap', (m) => this.onGap(m.data));
      es.addEventListener('end', (m) => this.onEnd(m.data));
      es.onerror = () => {
        if (this.es !== es) return;
        if (es.readyState === EventSource.CLOSED) {
          this.setConn('ended', 'disconnected');
          this.page.notify('The event stream closed. Reload the page to reconnect.', 'error', true);
        } else {
          this.setConn('reconnecting');
        }
      };
      window.addEventListener('pagehide', () => es.close());
    },

    enqueue(data) {
      let ev;
      try {
        ev = JSON.parse(data);
      } catch (e) {
        return;
      }
      this.queue.push(ev);
      this.schedule();
    },

    /** Events were dropped from the run's bounded log: redraw state from the API. */
    onGap(data) {
      let gap = {};
      try {
        gap = JSON.parse(data);
      } catch (e) {
        /* keep going with a generic notice */
      }
      this.gapSeen = true;
      const which = this.label ? ` (${this.key})` : '';
      this.page.notify(`Events ${gap.from ?? '?'}–${gap.to ?? '?'}${which} are no longer in the run's log; the state was redrawn from the server.`, 'info');
      this.resync();
    },

    onEnd(reason) {
      if (this.es) this.es.close();
      this.es = null;
      this.ended = true;
      clearTimeout(this.ledgerTimer);
      clearTimeout(this.viewTimer);
      this.setConn('ended', 'ended');
      this.producerDirty = true;
      const which = this.label ? ` ${this.key}` : '';
      this.page.notify(`This run${which} has ended (${reason || 'torn down'}). Press “New run” to start again.`, 'info', true);
      this.consumersDirty = true;
      this.schedule();
      this.page.changed();
    },

    async resync() {
      const view = await api('GET', this.apiBase());
      if (view.ok) this.applyView(view.body);
      this.scheduleLedger();
    },

    /** Takes the idempotent parts of a RunView (statuses, owners, offsets) as the truth. */
    applyView(view) {
      for (const cv of view.consumers) {
        const c = this.consumer(cv.id);
        Object.assign(c, {
          config: cv.config, status: cv.status, pid: cv.pid, paused: cv.paused,
          exitCode: cv.exit_code, exitSignal: cv.exit_signal,
          processed: Math.max(c.processed, cv.processed), dirty: true,
        });
        if (!sameSet(new Set(cv.assigned), c.assigned)) {
          c.byThread = new Map([['', new Set(cv.assigned)]]);
          c.assigned = new Set(cv.assigned);
        }
      }
      const now = this.serverNow();
      for (const pv of view.partitions) {
        const part = this.partitions[pv.partition];
        if (!part) continue;
        part.logEnd = Math.max(part.logEnd, pv.log_end);
        part.committed = pv.committed;
        if (part.owner !== pv.owner) {
          part.owner = pv.owner;
          part.ownerWho = pv.owner;
        }
        part.dirty = true;
        // Ownership whose events were dropped: drawn from now on.
        const row = this.own[pv.partition];
        const last = row && row.ivs[row.ivs.length - 1];
        const open = last && last.t1 === null ? last : null;
        if (row && pv.owner && !(open && open.cid === pv.owner)) {
          if (open) open.t1 = now;
          const c = this.consumer(pv.owner);
          row.ivs.push({ id: ++this.swimSeq, who: pv.owner, cid: pv.owner, k: c.k, th: 0, t0: now, t1: null, deadAt: LIVE.has(c.status) ? null : now, end: null });
        }
      }
      for (const cp of view.checkpoints || []) this.checkpoints.set(cp.id, { id: cp.id, text: cp.text, reached: !!cp.reached });
      this.renderCheckpoints();
      this.lagReport = view.lag || null;
      for (const pv of view.partitions) {
        const part = this.part(pv.partition);
        if (part) this.lagPoint(part, now, sampleLag(pv));
      }
      this.producerRate = view.producer_rate || 0;
      this.lagDirty = true;
      this.producerDirty = true;
      this.consumersDirty = true;
      this.countersDirty = true;
      this.swimDirty = true;
      this.schedule();
    },

    setConn(state, text) {
      const conn = this.el('conn');
      if (!conn) return;
      conn.dataset.state = state;
      conn.textContent = text || state;
    },

    // ------------------------------------------------------------------ model

    makePartition(p) {
      return {
        p,
        logEnd: 0,
        committed: null,
        owner: null,
        ownerWho: null,
        /** offset → {by: [consumer ids, in processing order], th: [their threads]} */
        recs: new Map(),
        values: new Map(),
        ledgerDup: new Set(),
        ledgerLost: new Set(),
        /** Burrow's lag at each broker sample that changed it: [{t, lag}], oldest first. */
        lagHist: [],
        /** The last sampled lag (null before the first sample). */
        sampled: null,
        lagDom: null,
        start: 0,
        dirty: true,
        dom: null,
      };
    },

    consumer(cid) {
      let c = this.consumers.get(cid);
      if (!c) {
        c = {
          id: cid,
          k: kOf(cid),
          status: 'starting',
          pid: null,
          processed: 0,
          paused: false,
          pausedOnce: false,
          assigned: new Set(),
          byThread: new Map(), // thread ('' for the main one) → partitions it owns
          threadProcessed: new Map(), // thread → records it processed
          assignOnly: null,
          exitCode: null,
          exitSignal: null,
          config: null,
          commitMode: null,
          threads: new Set(),
          groups: new Map(), // thread ('' for the main one) → the group it subscribed in
          pos: new Map(), // partition → next offset (last processed + 1)
          posWho: new Map(), // partition → who processed there last (c1 or c1/t2)
          posTs: new Map(), // partition → when it last processed a record there
          first: new Map(), // partition → first offset processed
          pendingSince: null,
          lastTs: 0,
          tl: { polls: [], recs: [], commits: new Map(), windows: [], marks: [] },
          dirty: true,
          dom: null,
        };
        this.consumers.set(cid, c);
        this.consumersDirty = true;
        if (!this.run || !(this.run.consumers || []).some((v) => v.id === cid)) this.scheduleViewRefresh();
      }
      return c;
    },

    /** A new consumer's config (threads, groups) comes from the run view. */
    scheduleViewRefresh() {
      if (this.viewTimer || !this.run || this.ended) return;
      this.viewTimer = setTimeout(async () => {
        this.viewTimer = null;
        const view = await api('GET', this.apiBase());
        if (!view.ok) return;
        this.run.consumers = view.body.consumers;
        for (const cv of view.body.consumers) {
          const c = this.consumers.get(cv.id);
          if (c && !c.config) {
            c.config = cv.config;
            c.dirty = true;
          }
        }
        this.consumersDirty = true;
        this.schedule();
      }, 300);
    },

    part(p) {
      return this.partitions[p] || null;
    },

    /** The union of what the consumer's threads own. */
    recountAssigned(c) {
      const all = new Set();
      for (const set of c.byThread.values()) for (const p of set) all.add(p);
      c.assigned = all;
    },

    /**
     * The consumer group a consumer thread reads in, as the ledger keys it: duplicates count
     * within a group only. 'group' is the run's own group.
     */
    groupKey(c, thread) {
      if (c.assignOnly !== null || (c.config && c.config.assign_partition !== null && c.config.assign_partition !== undefined)) return `assign:${c.id}`;
      const base = this.run ? this.run.group : '';
      const subscribed = c.groups.get(thread || '');
      if (subscribed) return subscribed === base ? 'group' : `group:${subscribed}`;
      if (c.config && c.config.thread_groups === 'distinct' && thread && thread.startsWith('t')) return `group:${base}-${thread}`;
      return 'group';
    },

    /** Processed more than once within one group (the ledger's rule), from the record events. */
    clientDup(r) {
      if (this.gapSeen || r.by.length < 2) return false;
      const counts = new Map();
      for (let i = 0; i < r.by.length; i++) {
        const key = this.groupKey(this.consumer(r.by[i]), r.th[i]);
        const n = (counts.get(key) || 0) + 1;
        if (n > 1) return true;
        counts.set(key, n);
      }
      return false;
    },

    serverNow() {
      return Date.now() - (Number.isFinite(this.skew) ? this.skew : 0);
    },

    apply(ev) {
      if (typeof ev.seq !== 'number' || ev.seq <= this.lastSeq) return; // replay + reconnect: each seq once
      this.lastSeq = ev.seq;
      if (typeof ev.ts === 'number') this.skew = Math.min(this.skew, Date.now() - ev.ts);
      const c = ev.consumer ? this.consumer(ev.consumer) : null;
      if (c) {
        c.lastTs = ev.ts;
        if (ev.thread) c.threads.add(ev.thread);
      }
      // Rows of a rebalance callback (revoked → commits → done) are grouped in the log.
      const who = whoOf(ev);
      if (who) {
        if (ev.type === 'partitions_revoked') ev._cb = 'start';
        else if (this.openCallback.has(who)) ev._cb = ev.type === 'rebalance_done' ? 'end' : 'in';
      }
      const handler = this.handlers[ev.type];
      if (handler) handler.call(this, ev, c);
      this.logEvent(ev);
      if (LEDGER_EVENTS.has(ev.type)) this.scheduleLedger();
      if (['produced', 'paused', 'killed', 'exited', 'closed', 'spawned', 'subscribed', 'checkpoint', 'offsets', 'commit_completed'].includes(ev.type)) this.page.changed();
    },

    handlers: {
      produced(ev) {
        const part = this.part(ev.partition);
        if (!part) return;
        part.values.set(ev.offset, ev.value);
        part.logEnd = Math.max(part.logEnd, ev.offset + 1);
        part.dirty = true;
      },
      offsets(ev) {
        for (const s of ev.partitions || []) {
          const part = this.part(s.partition);
          if (!part) continue;
          part.logEnd = Math.max(part.logEnd, s.log_end);
          part.committed = s.committed;
          part.dirty = true;
        }
        for (const c of this.consumers.values()) this.closeWindowIfCommitted(c, ev.ts);
        for (const s of ev.partitions || []) {
          const part = this.part(s.partition);
          if (part) this.lagPoint(part, ev.ts, sampleLag(s));
        }
        this.lagDirty = true;
        this.countersDirty = true;
      },
      lag(ev) {
        this.lagReport = { status: ev.status, partitions: ev.partitions || [] };
        this.lagDirty = true;
      },
      producer_rate(ev) {
        this.producerRate = ev.rate_per_sec || 0;
        this.producerDirty = true;
      },
      spawned(ev, c) {
        c.pid = ev.pid;
        c.status = 'starting';
        c.dirty = true;
      },
      subscribed(ev, c) {
        c.status = 'running';
        c.commitMode = ev.commit_mode;
        if (ev.group) c.groups.set(ev.thread || '', ev.group);
        if (ev.assigned_partition !== null && ev.assigned_partition !== undefined) {
          c.assignOnly = ev.assigned_partition;
          c.byThread.set(ev.thread || '', new Set([ev.assigned_partition]));
          this.recountAssigned(c);
        }
        c.dirty = true;
      },
      poll(ev, c) {
        c.tl.polls.push({ t0: ev.ts - (ev.duration_ms || 0), t1: ev.ts, count: ev.count });
        this.timelineDirty = true;
      },
      record(ev, c) {
        const part = this.part(ev.partition);
        if (!part) return;
        let r = part.recs.get(ev.offset);
        if (!r) {
          r = { by: [], th: [] };
          part.recs.set(ev.offset, r);
        }
        r.by.push(c.id);
        r.th.push(ev.thread || '');
        if (!part.values.has(ev.offset)) part.values.set(ev.offset, ev.value);
        part.logEnd = Math.max(part.logEnd, ev.offset + 1);
        part.dirty = true;
        c.pos.set(ev.partition, ev.offset + 1);
        c.posWho.set(ev.partition, whoOf(ev));
        c.posTs.set(ev.partition, ev.ts);
        if (!c.first.has(ev.partition)) c.first.set(ev.partition, ev.offset);
        c.processed += 1;
        if (ev.thread) c.threadProcessed.set(ev.thread, (c.threadProcessed.get(ev.thread) || 0) + 1);
        c.dirty = true;
        c.tl.recs.push(ev.ts);
        if (c.pendingSince === null) c.pendingSince = ev.ts;
        this.clientProcessed += 1;
        this.countersDirty = true;
        this.timelineDirty = true;
      },
      commit_requested(ev, c) {
        c.tl.commits.set(`${ev.thread || ''}#${ev.commit_id}`, {
          t0: ev.ts, t1: null, mode: ev.mode, reason: ev.reason, error: null, latency: null,
        });
        const cb = this.openCallback.get(whoOf(ev));
        if (cb) {
          cb.commits.push({ id: ev.commit_id, t0: ev.ts, t1: null, mode: ev.mode, offsets: ev.offsets, error: null, latency: null });
          cb.dirty = true;
          this.callbacksDirty = true;
        }
        this.timelineDirty = true;
      },
      commit_completed(ev, c) {
        const key = `${ev.thread || ''}#${ev.commit_id}`;
        const bar = ev.commit_id !== null && ev.commit_id !== undefined ? c.tl.commits.get(key) : null;
        if (bar) {
          Object.assign(bar, { t1: ev.ts, error: ev.error, latency: ev.latency_ms });
        } else {
          c.tl.commits.set(`seq#${ev.seq}`, {
            t0: ev.ts - (ev.latency_ms || 0), t1: ev.ts, mode: ev.mode, reason: ev.reason,
            error: ev.error, latency: ev.latency_ms, solo: true,
          });
        }
        const cb = this.openCallback.get(whoOf(ev));
        if (cb) {
          let commit = cb.commits.find((x) => x.id === ev.commit_id && x.t1 === null);
          if (!commit) {
            commit = { id: ev.commit_id, t0: ev.ts - (ev.latency_ms || 0), mode: ev.mode, offsets: ev.offsets };
            cb.commits.push(commit);
          }
          Object.assign(commit, { t1: ev.ts, error: ev.error, latency: ev.latency_ms });
          cb.dirty = true;
          this.callbacksDirty = true;
        }
        if (!ev.error && this.groupKey(c, ev.thread) === 'group') {
          for (const po of ev.offsets || []) {
            const part = this.part(po.partition);
            if (!part) continue;
            part.committed = po.offset;
            part.dirty = true;
          }
          for (const other of this.consumers.values()) this.closeWindowIfCommitted(other, ev.ts);
        }
        c.dirty = true;
        this.countersDirty = true;
        this.timelineDirty = true;
      },
      partitions_assigned(ev, c) {
        const who = whoOf(ev);
        const th = ev.thread || '';
        const mine = c.byThread.get(th) || new Set();
        for (const p of ev.partitions || []) {
          mine.add(p);
          const part = this.part(p);
          if (part) {
            part.owner = c.id;
            part.ownerWho = who;
            part.dirty = true;
          }
        }
        c.byThread.set(th, mine);
        this.recountAssigned(c);
        this.lastAssigned.set(who, ev.partitions || []);
        this.swimAssign(ev, c, who);
        this.mark(c, ev, `+${partitionsText(ev.partitions)}`, '#4b5563');
        this.ownersDirty();
      },
      partitions_revoked(ev, c) {
        const who = whoOf(ev);
        const mine = c.byThread.get(ev.thread || '');
        for (const p of ev.partitions || []) {
          if (mine) mine.delete(p);
          const part = this.part(p);
          if (part && part.owner === c.id && (part.ownerWho === who || !ev.thread)) {
            part.owner = null;
            part.ownerWho = null;
            part.dirty = true;
          }
        }
        this.recountAssigned(c);
        this.swimRevoke(ev, c, who);
        const cb = { id: ++this.swimSeq, who, k: c.k, kind: 'revoke', partitions: ev.partitions || [], t0: ev.ts, t1: null, dur: null, commits: [], dirty: true, dom: null };
        this.callbacks.push(cb);
        this.openCallback.set(who, cb);
        this.callbacksDirty = true;
        this.mark(c, ev, `−${partitionsText(ev.partitions)}`, '#4b5563');
        this.ownersDirty();
      },
      rebalance_done(ev, c) {
        const who = whoOf(ev);
        const open = this.openCallback.get(who);
        if (open && open.kind === ev.kind) {
          open.t1 = ev.ts;
          open.dur = ev.duration_ms;
          open.dirty = true;
          this.openCallback.delete(who);
          const commits = open.commits.length;
          if (commits) ev._inside = commits === 1 ? `its commit${open.commits[0].error ? ' (refused)' : ''}` : `${commits} commits`;
        } else if (ev.kind === 'assign') {
          this.callbacks.push({
            id: ++this.swimSeq, who, k: c.k, kind: 'assign', partitions: this.lastAssigned.get(who) || [],
            t0: ev.ts - (ev.duration_ms || 0), t1: ev.ts, dur: ev.duration_ms, commits: [], dirty: true, dom: null,
          });
        }
        this.callbacksDirty = true;
      },
      paused(ev, c) {
        c.paused = true;
        c.pausedOnce = true;
        c.dirty = true;
        this.mark(c, ev, 'pause', '#4b5563');
      },
      resumed(ev, c) {
        c.paused = false;
        c.dirty = true;
        this.mark(c, ev, 'resume', '#4b5563');
      },
      wakeup(ev, c) {
        c.status = 'stopping';
        c.dirty = true;
        this.mark(c, ev, 'wakeup', '#0072B2');
      },
      closed(ev, c) {
        c.status = 'closed';
        c.byThread.clear();
        c.assigned.clear();
        c.dirty = true;
        this.mark(c, ev, 'close', '#0072B2');
        this.endWindow(c, ev.ts);
        this.swimGone(ev, c, false);
        this.ownersDirty();
      },
      killed(ev, c) {
        c.status = 'killed';
        c.dirty = true;
        this.mark(c, ev, 'SIGKILL', ERROR_COLOUR);
        this.endWindow(c, ev.ts);
        this.swimGone(ev, c, true);
        this.ownersDirty();
      },
      exited(ev, c) {
        c.exitCode = ev.code;
        c.exitSignal = ev.signal;
        if (LIVE.has(c.status)) c.status = 'exited';
        c.paused = false;
        c.dirty = true;
        this.endWindow(c, ev.ts);
        this.swimGone(ev, c, true);
        this.ownersDirty();
      },
      checkpoint(ev) {
        const cp = this.checkpoints.get(ev.id) || { id: ev.id, text: ev.text };
        cp.reached = true;
        this.checkpoints.set(ev.id, cp);
        this.renderCheckpoints();
      },
    },

    mark(c, ev, text, colour) {
      const major = ['killed', 'wakeup', 'closed'].includes(ev.type);
      c.tl.marks.push({ t: ev.ts, text, colour, major });
      this.timelineDirty = true;
    },

    ownersDirty() {
      for (const part of this.partitions) part.dirty = true;
      for (const c of this.consumers.values()) c.dirty = true;
      this.consumersDirty = true;
      this.countersDirty = true;
      this.swimDirty = true;
    },

    /** Closes the consumer's uncommitted window when every partition it reads is committed up to its position. */
    closeWindowIfCommitted(c, ts) {
      if (c.pendingSince === null) return;
      for (const [p, pos] of c.pos) {
        if (c.assigned.size && !c.assigned.has(p)) continue;
        const part = this.part(p);
        if (!part || part.committed === null || part.committed < pos) return;
      }
      c.tl.windows.push([c.pendingSince, ts]);
      c.pendingSince = null;
    },

    endWindow(c, ts) {
      if (c.pendingSince === null) return;
      c.tl.windows.push([c.pendingSince, ts]);
      c.pendingSince = null;
      this.timelineDirty = true;
    },

    /** Records processed by a consumer but not committed (on the partitions it reads). */
    uncommitted(c) {
      let n = 0;
      for (const [p, pos] of c.pos) {
        if (LIVE.has(c.status) && c.assigned.size && !c.assigned.has(p)) continue;
        const part = this.part(p);
        if (!part) continue;
        const base = part.committed === null ? c.first.get(p) : part.committed;
        n += Math.max(0, pos - base);
      }
      return n;
    },

    liveCount() {
      let n = 0;
      for (const c of this.consumers.values()) if (LIVE.has(c.status)) n += 1;
      return n;
    },

    /** The newest consumer incarnation, or null. */
    latest() {
      let best = null;
      for (const c of this.consumers.values()) if (!best || kNum(c.id) > kNum(best.id)) best = c;
      return best;
    },

    produce(values, keys) {
      if (!values.length) return Promise.resolve(null);
      const body = keys ? { values, keys } : { values };
      return api('POST', `${this.apiBase()}/produce`, body);
    },

    /**
     * Values 0 … n−1 without keys: the server spreads keyless records over the partitions
     * record by record.
     */
    async produceCount(n) {
      for (let i = 0; i < n; i += 10000) {
        const values = [];
        for (let v = i; v < Math.min(n, i + 10000); v++) values.push(String(v));
        const r = await this.produce(values);
        if (!r.ok) return r;
      }
      return { ok: true };
    },
    // ------------------------------------------------------------------ ledger

    scheduleLedger() {
      if (!this.run || this.ended) return;
      if (this.ledgerTimer || this.ledgerInFlight) {
        this.ledgerAgain = true;
        return;
      }
      const wait = Math.max(0, this.lastLedgerAt + LEDGER_MIN_MS - Date.now());
      this.ledgerTimer = setTimeout(() => this.fetchLedger(), wait);
    },

    async fetchLedger() {
      this.ledgerTimer = null;
      this.ledgerInFlight = true;
      this.lastLedgerAt = Date.now();
      const r = await api('GET', `/api/runs/${encodeURIComponent(this.run.id)}/ledger`);
      this.ledgerInFlight = false;
      if (this.ended) return;
      if (r.ok) this.applyLedger(r.body);
      if (this.ledgerAgain) {
        this.ledgerAgain = false;
        this.scheduleLedger();
      }
    },

    applyLedger(ledger) {
      this.ledger = ledger;
      const dup = new Map();
      const lost = new Map();
      for (const pr of ledger.partitions) {
        if (!dup.has(pr.partition)) {
          dup.set(pr.partition, new Set());
          lost.set(pr.partition, new Set());
        }
        for (const o of pr.duplicate_offsets) dup.get(pr.partition).add(o);
        for (const o of pr.lost_offsets) lost.get(pr.partition).add(o);
        if (this.gapSeen) this.seedFromLedger(pr);
      }
      for (const part of this.partitions) {
        const d = dup.get(part.p) || new Set();
        const l = lost.get(part.p) || new Set();
        if (!sameSet(d, part.ledgerDup) || !sameSet(l, part.ledgerLost)) {
          part.ledgerDup = d;
          part.ledgerLost = l;
          part.dirty = true;
        }
      }
      this.countersDirty = true;
      this.schedule();
      this.page.changed();
    },

    /** After a gap, the ledger's runs redraw records whose events were dropped. */
    seedFromLedger(pr) {
      const part = this.part(pr.partition);
      if (!part) return;
      for (const run of pr.runs) {
        for (let o = run.first; o <= run.last; o++) {
          let r = part.recs.get(o);
          if (!r) {
            r = { by: [], th: [] };
            part.recs.set(o, r);
          }
          if (!r.by.includes(run.consumer)) {
            r.by.push(run.consumer);
            r.th.push('');
            part.dirty = true;
          }
        }
        part.logEnd = Math.max(part.logEnd, run.last + 1);
      }
    },

    // ------------------------------------------------------------------ frame loop

    schedule() {
      if (this.frameRequested) return;
      this.frameRequested = true;
      requestAnimationFrame(() => this.frame());
    },

    frame() {
      this.frameRequested = false;
      const batch = this.queue;
      this.queue = [];
      for (const ev of batch) this.apply(ev);
      this.render();
      const now = this.serverNow();
      const live = this.liveCount() > 0 || [...this.consumers.values()].some((c) => c.lastTs > now - WINDOW_MS);
      const swimming = this.swimMoving(now);
      const lagging = this.lagMoving(now);
      if ((live || swimming || lagging) && !this.tickTimer) {
        this.tickTimer = setTimeout(() => {
          this.tickTimer = null;
          this.timelineDirty = true;
          this.swimDirty = true;
          if (lagging) this.lagDirty = true;
          this.schedule();
        }, TIMELINE_TICK_MS);
      }
    },

    render() {
      this.renderLanes();
      if (this.consumersDirty || [...this.consumers.values()].some((c) => c.dirty)) this.renderConsumers();
      if (this.countersDirty) {
        this.renderCounters();
        this.renderReadout();
      }
      this.renderLog();
      if (this.timelineDirty) this.drawTimeline();
      if (this.swimDirty) this.drawSwim();
      if (this.callbacksDirty) this.renderCallbacks();
      if (this.lagDirty) this.drawLag();
      if (this.producerDirty) this.renderProducer();
    },

    // ------------------------------------------------------------------ lanes

    buildLanes() {
      const lanes = this.el('lanes');
      lanes.classList.toggle('many', this.partitions.length > 12);
      const frag = document.createDocumentFragment();
      for (const part of this.partitions) {
        const owner = el('span', { class: 'owner none' }, 'no owner');
        const lag = el('span', { class: 'lag' });
        const earlier = el('span', { class: 'earlier', hidden: true });
        const cells = el('div', { class: 'cells' });
        const committedBar = el('div', { class: 'bar committed-bar' });
        const uncommittedBar = el('div', { class: 'bar uncommitted-bar' });
        const endMark = el('div', { class: 'mark end-mark' }, el('span', {}));
        const committedMark = el('div', { class: 'mark committed-mark', hidden: true }, el('span', {}));
        const flags = el('div', { class: 'flags' });
        const track = el('div', { class: 'track' }, earlier, committedBar, uncommittedBar, cells, endMark, committedMark, flags);
        const lane = el('div', { class: 'lane', dataset: { partition: part.p }, role: 'group', 'aria-label': `Partition ${part.p}` },
          el('div', { class: 'lane-head' }, el('span', { class: 'pnum' }, `P${part.p}`), owner, lag),
          track);
        part.dom = { lane, owner, lag, earlier, cells, committedBar, uncommittedBar, endMark, committedMark, flags, track, cellEls: new Map(), flagEls: new Map() };
        frag.append(lane);
      }
      lanes.append(frag);
    },

    measure() {
      const first = this.partitions[0];
      this.trackWidth = first && first.dom ? first.dom.track.clientWidth : 800;
      const row = this.own[0];
      this.swimWidth = row ? row.dom.track.clientWidth : 0;
      this.updateDensity();
    },

    updateDensity() {
      const cellPx = this.trackWidth / this.span;
      const density = cellPx >= 26 ? 'wide' : cellPx >= 12 ? 'mid' : 'thin';
      const lanes = this.el('lanes');
      if (lanes.dataset.density !== density) lanes.dataset.density = density;
    },

    computeSpan() {
      let maxEnd = 0;
      for (const part of this.partitions) maxEnd = Math.max(maxEnd, part.logEnd);
      const need = maxEnd + HEADROOM;
      for (const s of SPANS) if (s >= need) return s;
      return SPANS[SPANS.length - 1];
    },

    laneStart(part) {
      const over = part.logEnd + HEADROOM - this.span;
      return over > 0 ? Math.ceil(over / SLIDE) * SLIDE : 0;
    },

    /** A cell's width; half a pixel more, so neighbours leave no hairline gap. */
    cellWidth() {
      return `calc(${(100 / this.span).toFixed(4)}% + 0.5px)`;
    },

    pct(part, offset) {
      return `${(((offset - part.start) / this.span) * 100).toFixed(4)}%`;
    },

    renderLanes() {
      const span = this.computeSpan();
      if (span !== this.span) {
        this.span = span;
        this.updateDensity();
        for (const part of this.partitions) {
          part.dirty = true;
          part.relayout = true;
        }
      }
      for (const part of this.partitions) {
        if (part.dirty) this.drawLane(part);
      }
    },

    drawLane(part) {
      part.dirty = false;
      const d = part.dom;
      const start = this.laneStart(part);
      if (start !== part.start || part.relayout) {
        if (start > part.start) this.pruneLane(part, start - SLIDE);
        part.start = start;
        part.relayout = false;
        for (const [o, cell] of d.cellEls) {
          if (o < start) {
            cell.remove();
            d.cellEls.delete(o);
          } else {
            cell.style.left = this.pct(part, o);
            cell.style.width = this.cellWidth();
          }
        }
      }
      if (d.lane.dataset.start !== String(start)) d.lane.dataset.start = String(start);
      d.earlier.hidden = start === 0;
      if (start > 0) d.earlier.textContent = `… ${start} earlier`;
      this.drawCells(part);
      this.drawMarks(part);
      this.drawLaneHead(part);
    },

    /** Forgets records and values far left of the lane's window (a fast producer adds many). */
    pruneLane(part, below) {
      if (below <= 0) return;
      for (const o of part.recs.keys()) if (o < below) part.recs.delete(o);
      for (const o of part.values.keys()) if (o < below) part.values.delete(o);
    },

    drawCells(part) {
      const d = part.dom;
      const width = this.cellWidth();
      let frag = null;
      for (let o = part.start; o < part.logEnd; o++) {
        let cell = d.cellEls.get(o);
        if (!cell) {
          cell = el('div', { class: 'cell pending', dataset: { offset: o } }, el('span', { class: 'v' }));
          cell.style.left = this.pct(part, o);
          cell.style.width = width;
          d.cellEls.set(o, cell);
          (frag || (frag = document.createDocumentFragment())).append(cell);
        }
        this.styleCell(part, o, cell);
      }
      if (frag) d.cells.append(frag);
    },

    styleCell(part, o, cell) {
      const r = part.recs.get(o);
      const value = part.values.get(o);
      const committed = part.committed !== null && o < part.committed;
      const lost = part.ledgerLost.has(o);
      let cls = 'cell';
      let title = `P${part.p} offset ${o}`;
      if (value !== undefined) title += ` · value "${short(value, 60)}"`;
      let count = 0;
      if (r && r.by.length) {
        const kFirst = kOf(r.by[0]);
        const kLast = kOf(r.by[r.by.length - 1]);
        count = r.by.length;
        const dup = part.ledgerDup.has(o) || this.clientDup(r);
        const thLast = threadIndex(r.th[r.th.length - 1]);
        cls += ` processed k${kLast} f${kFirst}${thLast ? ` th${thLast}` : ''}`;
        if (dup) cls += ' dup';
        title += ` · processed by ${r.by.map((cid, i) => (r.th[i] ? `${cid}/${r.th[i]}` : cid)).join(', ')}${dup ? ' — DUPLICATE' : ''}`;
      } else {
        cls += ' pending';
        title += ' · not processed yet';
      }
      if (lost) {
        cls += ' lost';
        title += ' · LOST: committed past, never processed';
      }
      if (committed) cls += ' committed';
      if (cell.className !== cls) cell.className = cls;
      if (cell.title !== title) cell.title = title;
      const countText = count > 1 ? String(count) : '';
      if ((cell.dataset.count || '') !== countText) {
        if (countText) cell.dataset.count = countText;
        else delete cell.dataset.count;
      }
      const label = value === undefined ? '' : short(value, 6);
      const v = cell.firstChild;
      if (v.textContent !== label) v.textContent = label;
    },

    drawMarks(part) {
      const d = part.dom;
      d.endMark.style.left = this.pct(part, part.logEnd);
      setText(d.endMark.firstChild, `end ${part.logEnd}`);
      const committed = part.committed;
      d.committedMark.hidden = committed === null;
      if (committed !== null) {
        d.committedMark.style.left = this.pct(part, Math.max(committed, part.start));
        d.committedMark.classList.toggle('flip', (committed - part.start) / this.span > 0.2);
        setText(d.committedMark.firstChild, `committed ${committed}`);
      }
      const lo = part.start;
      const cEnd = committed === null ? lo : Math.max(committed, lo);
      d.committedBar.style.left = this.pct(part, lo);
      d.committedBar.style.width = `${(((cEnd - lo) / this.span) * 100).toFixed(4)}%`;
      // Processed (by anyone) past the committed offset: what a crash now would reprocess.
      let maxPos = null;
      for (const c of this.consumers.values()) {
        const pos = c.pos.get(part.p);
        if (pos !== undefined && (maxPos === null || pos > maxPos)) maxPos = pos;
      }
      const uStart = committed === null ? this.firstProcessed(part) : committed;
      const show = maxPos !== null && uStart !== null && maxPos > uStart;
      d.uncommittedBar.hidden = !show;
      if (show) {
        const a = Math.max(uStart, lo);
        d.uncommittedBar.style.left = this.pct(part, a);
        d.uncommittedBar.style.width = `${(((maxPos - a) / this.span) * 100).toFixed(4)}%`;
        d.uncommittedBar.title = `${maxPos - uStart} processed, not committed`;
      }
      this.drawFlags(part);
    },

    firstProcessed(part) {
      let min = null;
      for (const c of this.consumers.values()) {
        const f = c.first.get(part.p);
        if (f !== undefined && (min === null || f < min)) min = f;
      }
      return min;
    },

    /** One flag per consumer at its position (last processed + 1); dead consumers faded. */
    drawFlags(part) {
      const d = part.dom;
      const seen = new Set();
      const stack = new Map();
      const readers = [...this.consumers.values()].filter((c) => c.pos.has(part.p));
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
        flag.style.left = this.pct(part, pos);
        flag.style.setProperty('--stack', i);
        const who = c.posWho.get(part.p) || c.id;
        setText(flag.firstChild, `${who} → ${pos}`);
        flag.title = `${who}'s position: next offset to read ${pos}${reading(c) ? '' : ` (${LIVE.has(c.status) ? 'no longer assigned' : c.status})`}`;
      }
      for (const [id, flag] of d.flagEls) {
        if (!seen.has(id)) {
          flag.remove();
          d.flagEls.delete(id);
        }
      }
    },

    drawLaneHead(part) {
      const d = part.dom;
      const owner = part.owner ? this.consumers.get(part.owner) : null;
      let cls = 'owner none';
      let text = 'no owner';
      let title = 'No consumer owns this partition';
      if (part.owner) {
        const dead = owner && !LIVE.has(owner.status);
        const who = part.ownerWho || part.owner;
        cls = `owner k${kOf(part.owner)}${dead ? ' dead' : ''}`;
        text = who;
        title = dead
          ? `${who} is ${owner.status}, but the group still counts it as the owner until its session times out`
          : `Owned by ${who}`;
      }
      if (d.owner.className !== cls) d.owner.className = cls;
      setText(d.owner, text);
      d.owner.title = title;
      const lag = part.committed === null ? part.logEnd : Math.max(0, part.logEnd - part.committed);
      setText(d.lag, `lag ${lag}`);
      d.lag.title = 'Consumer lag: log-end offset − committed offset';
    },

    // ------------------------------------------------------------------ consumer cards

    renderConsumers() {
      this.consumersDirty = false;
      const box = this.el('consumers');
      if (!box) return;
      const empty = box.querySelector('.empty');
      if (empty && this.consumers.size) empty.remove();
      for (const c of this.consumers.values()) {
        if (!c.dom) this.buildCard(c, box);
        this.drawCard(c);
      }
      const start = this.root.querySelector('button[data-action="start"]');
      if (start && !start.dataset.busy) {
        const max = this.page.controls.max_consumers || 1;
        const full = this.liveCount() >= max;
        start.disabled = !this.run || full || !this.es;
        start.title = full ? `This lab runs at most ${plural(max, 'consumer')} at once: stop or kill one first` : 'Start a new consumer process';
      }
    },

    buildCard(c, box) {
      const status = el('span', { class: 'status' });
      const paused = el('span', { class: 'status s-paused paused-badge', hidden: true }, 'paused');
      const pid = el('span', { class: 'pid' });
      const processed = el('dd', { class: 'processed' }, '0');
      const assigned = el('dd', { class: 'assigned' }, '–');
      const uncommitted = el('dd', { class: 'uncommitted' }, '0');
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
      if (this.page.controls.stop !== false) add('stop', 'Stop', 'SIGTERM: wakeup() → commitSync() → close()');
      if (this.page.controls.kill !== false) add('kill', 'Kill', 'SIGKILL: dies at once, no commit, no leave-group', 'danger');
      if (this.page.controls.steps) {
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
          el('div', { title: 'Processed but not committed: what a crash now would process again' }, el('dt', {}, 'uncommitted'), uncommitted)),
        threads, config, exit, actions);
      c.dom = { card, status, paused, pid, processed, assigned, uncommitted, config, threads, threadEls: new Map(), exit, actions, buttons };
      box.append(card);
    },

    drawCard(c) {
      c.dirty = false;
      const d = c.dom;
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
      this.drawThreads(c);
      setText(d.uncommitted, String(this.uncommitted(c)));
      setText(d.config, this.configText(c));
      let exit = '';
      if (!live) {
        if (c.exitSignal) exit = `ended by signal ${c.exitSignal}${c.exitSignal === 9 ? ' (SIGKILL)' : ''}`;
        else if (c.exitCode !== null && c.exitCode !== undefined) exit = `exited with code ${c.exitCode}`;
      }
      setText(d.exit, exit);
      d.exit.hidden = !exit;
      d.actions.hidden = !live;
      const ended = !this.es;
      const b = d.buttons;
      const enable = (name, on) => {
        if (b[name] && !b[name].dataset.busy) b[name].disabled = !on || ended;
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
    },

    /** A process with threads: each thread (c1/t1, c1/pool-2) and what it owns and processed. */
    drawThreads(c) {
      const d = c.dom;
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
    },

    configText(c) {
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
    },

    // ------------------------------------------------------------------ counters, checkpoints

    renderCounters() {
      this.countersDirty = false;
      let processed = this.clientProcessed;
      if (this.ledger) {
        let fromLedger = 0;
        for (const pr of this.ledger.partitions) fromLedger += pr.processed;
        processed = Math.max(processed, fromLedger);
      }
      setText(this.el('count-processed'), String(processed));
      const dup = this.ledger ? this.ledger.duplicates : 0;
      const lost = this.ledger ? this.ledger.lost : 0;
      setText(this.el('count-duplicates'), String(dup));
      setText(this.el('count-lost'), String(lost));
      if (this.el('count-duplicates')) this.el('count-duplicates').parentElement.classList.toggle('hot', dup > 0);
      if (this.el('count-lost')) this.el('count-lost').parentElement.classList.toggle('hot', lost > 0);
      // Uncommitted counts on the cards follow committed offsets too.
      for (const c of this.consumers.values()) if (c.dom) setText(c.dom.uncommitted, String(this.uncommitted(c)));
    },

    renderCheckpoints() {
      const panel = this.el('checkpoints-panel');
      const list = this.el('checkpoints');
      if (!list) return;
      if (panel) panel.hidden = this.checkpoints.size === 0;
      list.replaceChildren(...[...this.checkpoints.values()].map((cp) => el('li', {
        class: cp.reached ? 'reached' : '', dataset: { checkpoint: cp.id },
      }, el('span', { class: 'tick', 'aria-hidden': 'true' }, cp.reached ? '✓' : ''), el('span', { class: 'sr-only' }, cp.reached ? 'reached: ' : 'not yet: '), cp.text)));
    },

    // ------------------------------------------------------------------ event log

    bindLog() {
      const log = this.el('log');
      const jump = this.el('log-jump');
      if (!log) return;
      log.addEventListener('scroll', () => {
        this.logPinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
        if (this.logPinned) {
          this.logUnseen = 0;
          if (jump) jump.hidden = true;
        }
      }, { passive: true });
      if (jump) jump.addEventListener('click', () => {
        log.scrollTop = log.scrollHeight;
        this.logPinned = true;
        this.logUnseen = 0;
        jump.hidden = true;
      });
      const hide = this.el('hide-idle');
      if (!hide) return;
      hide.checked = this.hideIdle;
      hide.addEventListener('change', () => {
        this.hideIdle = hide.checked;
        log.replaceChildren();
        this.logPending = this.logMemory.filter((ev) => this.shown(ev));
        this.logPinned = true;
        this.schedule();
      });
    },

    shown(ev) {
      return !(this.hideIdle && ((ev.type === 'poll' && ev.count === 0) || ev.type === 'offsets'));
    },

    logEvent(ev) {
      this.logMemory.push(ev);
      if (this.logMemory.length > LOG_MEMORY * 1.2) this.logMemory.splice(0, this.logMemory.length - LOG_MEMORY);
      if (this.shown(ev)) this.logPending.push(ev);
    },

    logRow(ev) {
      const describe = DESCRIBE[ev.type];
      const k = ev.consumer ? kOf(ev.consumer) : null;
      const failed = ev.type === 'error' || (ev.type === 'commit_completed' && ev.error) || ev.type === 'killed';
      const cb = ev._cb ? ` cb cb-${ev._cb}` : '';
      const text = describe ? describe(ev) : '';
      return el('div', {
        class: `row t-${ev.type}${failed ? ' bad' : ''}${ev.type === 'checkpoint' ? ' good' : ''}${cb}`,
        dataset: { seq: ev.seq, type: ev.type },
        title: text.length > 60 ? text : null,
      },
      el('span', { class: 'seq' }, ev.seq),
      el('time', {}, typeof ev.ts === 'number' ? clock(ev.ts) : ''),
      el('span', { class: k === null ? 'who none' : `who k${k}` }, whoOf(ev) || 'server'),
      el('span', { class: 'type' }, ev.type),
      el('span', { class: 'text' }, text));
    },

    renderLog() {
      if (!this.logPending.length) return;
      const log = this.el('log');
      if (!log) {
        this.logPending = [];
        return;
      }
      const pending = this.logPending.length > LOG_CAP ? this.logPending.slice(-LOG_CAP) : this.logPending;
      const added = this.logPending.length;
      this.logPending = [];
      const frag = document.createDocumentFragment();
      for (const ev of pending) frag.append(this.logRow(ev));
      log.append(frag);
      const extra = log.childElementCount - LOG_CAP;
      if (extra > 0) {
        const rowHeight = log.firstElementChild.offsetHeight;
        for (let i = 0; i < extra; i++) log.firstElementChild.remove();
        if (!this.logPinned) log.scrollTop = Math.max(0, log.scrollTop - extra * rowHeight);
      }
      if (this.logPinned) {
        log.scrollTop = log.scrollHeight;
      } else {
        this.logUnseen += added;
        const jump = this.el('log-jump');
        if (!jump) return;
        jump.hidden = false;
        jump.textContent = `↓ ${this.logUnseen} new`;
      }
    },

    // ------------------------------------------------------------------ commit timeline

    drawTimeline() {
      this.timelineDirty = false;
      const canvas = this.el('timeline');
      if (!canvas) return;
      const now = this.serverNow();
      const from = now - WINDOW_MS;
      this.pruneTimeline(now);
      const rows = [...this.consumers.values()]
        .filter((c) => LIVE.has(c.status) || c.lastTs >= from)
        .slice(-MAX_TIMELINE_ROWS);
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const scale = rem / 16;
      const ROW = Math.round(58 * scale);
      const AXIS = Math.round(22 * scale);
      const LABEL = Math.round(76 * scale);
      const height = AXIS + Math.max(2, rows.length) * ROW;
      const width = canvas.clientWidth || 600;
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
        canvas.style.height = `${height}px`;
      }
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const plotW = width - LABEL - 8;
      const x = (t) => LABEL + ((t - from) / WINDOW_MS) * plotW;
      const font = (px, weight) => `${weight || 400} ${Math.round(px * scale)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
      this.drawAxis(ctx, { from, now, x, AXIS, height, LABEL, width, font });
      if (!rows.length) {
        ctx.fillStyle = '#6b7280';
        ctx.font = font(13);
        ctx.fillText(plotW < 460 ? 'Appears once a consumer runs.' : 'Polls, records and commits appear here once a consumer runs.', LABEL, AXIS + ROW * 0.6);
        return;
      }
      rows.forEach((c, i) => {
        const y = AXIS + i * ROW;
        this.drawTimelineRow(ctx, c, { y, ROW, LABEL, width, x, from, now, font, scale });
      });
    },

    drawAxis(ctx, g) {
      ctx.fillStyle = '#6b7280';
      ctx.strokeStyle = '#e5e7eb';
      ctx.font = g.font(11);
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 1;
      for (let s = 30; s >= 0; s -= 5) {
        const t = g.now - s * 1000;
        const px = Math.round(g.x(t)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(px, g.AXIS - 4);
        ctx.lineTo(px, g.height);
        ctx.stroke();
        const label = s === 0 ? 'now' : `−${s} s`;
        const w = ctx.measureText(label).width;
        ctx.fillText(label, Math.min(px - w / 2, g.width - w - 2), g.AXIS / 2);
      }
    },

    drawTimelineRow(ctx, c, g) {
      const { y, ROW, LABEL, x, from, now, font, scale } = g;
      // Labels on one line never overlap: a label that would is left out (its bar stays).
      const lines = new Map();
      const label = (text, px, py, colour) => {
        const a = px;
        const b = px + ctx.measureText(text).width + 6;
        const taken = lines.get(py) || [];
        if (taken.some(([x0, x1]) => a < x1 && x0 < b)) return;
        taken.push([a, b]);
        lines.set(py, taken);
        ctx.fillStyle = colour;
        ctx.fillText(text, px, py);
      };
      const colour = PALETTE[c.k];
      const live = LIVE.has(c.status);
      ctx.globalAlpha = 1;
      ctx.fillStyle = '#f8fafc';
      ctx.fillRect(LABEL, y + 2, g.width - LABEL - 8, ROW - 4);
      // Label: colour chip, id, status.
      ctx.fillStyle = colour;
      ctx.fillRect(4, y + 8 * scale, 12 * scale, 12 * scale);
      ctx.fillStyle = '#111827';
      ctx.font = font(13, 700);
      ctx.textBaseline = 'middle';
      ctx.fillText(c.id, 20 * scale, y + 14 * scale);
      ctx.fillStyle = '#6b7280';
      ctx.font = font(11);
      ctx.fillText(c.paused && live ? 'paused' : c.status, 4, y + 32 * scale);
      ctx.save();
      ctx.beginPath();
      ctx.rect(LABEL, y, g.width - LABEL - 8, ROW);
      ctx.clip();
      if (!live) ctx.globalAlpha = 0.55;
      // Uncommitted windows (processed, not yet committed).
      ctx.fillStyle = 'rgba(230, 159, 0, 0.20)';
      const windows = c.pendingSince !== null ? [...c.tl.windows, [c.pendingSince, now]] : c.tl.windows;
      for (const [a, b] of windows) {
        if (b < from) continue;
        ctx.fillRect(x(a), y + 2, Math.max(1, x(b) - x(a)), ROW - 4);
      }
      const pollY = y + 15 * scale;
      const pollH = 9 * scale;
      for (let i = c.tl.polls.length - 1; i >= 0; i--) {
        const p = c.tl.polls[i];
        if (p.t1 < from) break;
        const x0 = x(p.t0);
        const w = Math.max(1.5, x(p.t1) - x0 - 1);
        ctx.fillStyle = p.count > 0 ? colour : '#d1d5db';
        ctx.fillRect(x0, pollY, w, pollH);
        if (p.count > 0 && w > 18) {
          ctx.fillStyle = '#111827';
          ctx.font = font(10, 700);
          ctx.fillText(String(p.count), x0 + 3, pollY + pollH / 2);
        }
      }
      // Record ticks, one line per pixel column.
      const recY = y + 27 * scale;
      const recH = 11 * scale;
      ctx.fillStyle = '#1f2937';
      let lastPx = -1;
      for (let i = c.tl.recs.length - 1; i >= 0; i--) {
        const t = c.tl.recs[i];
        if (t < from) break;
        const px = Math.round(x(t));
        if (px === lastPx) continue;
        lastPx = px;
        ctx.fillRect(px, recY, 1.5, recH);
      }
      // Commits: requested → completed.
      const comY = y + 41 * scale;
      const comH = 11 * scale;
      for (const bar of c.tl.commits.values()) {
        const end = bar.t1 === null ? now : bar.t1;
        if (end < from) continue;
        const x0 = x(bar.t0);
        const w = Math.max(3, x(end) - x0);
        const fill = bar.error ? ERROR_COLOUR : COMMIT_COLOURS[bar.mode] || '#374151';
        if (bar.t1 === null) {
          ctx.strokeStyle = fill;
          ctx.setLineDash([3, 2]);
          ctx.strokeRect(x0 + 0.5, comY + 0.5, w, comH - 1);
          ctx.setLineDash([]);
        } else {
          ctx.fillStyle = fill;
          ctx.fillRect(x0, comY, w, comH);
        }
        const text = bar.error ? `✕ ${bar.mode} failed` : `${bar.mode}${bar.latency !== null && bar.latency !== undefined ? ` ${ms(bar.latency)}` : ''}`;
        ctx.font = font(10, 600);
        label(text, x0 + w + 3, comY + comH / 2, bar.error ? ERROR_COLOUR : '#374151');
      }
      // Lifecycle marks; SIGKILL / wakeup / close labels win over rebalance ones.
      ctx.font = font(10, 700);
      const marks = c.tl.marks.filter((m) => m.major).concat(c.tl.marks.filter((m) => !m.major));
      for (const m of marks) {
        if (m.t < from) continue;
        const px = Math.round(x(m.t)) + 0.5;
        ctx.strokeStyle = m.colour;
        ctx.lineWidth = m.text === 'SIGKILL' ? 2 : 1;
        ctx.beginPath();
        ctx.moveTo(px, y + 2);
        ctx.lineTo(px, y + ROW - 2);
        ctx.stroke();
        label(m.text, px + 3, y + 8 * scale, m.colour);
      }
      ctx.restore();
      ctx.globalAlpha = 1;
    },

    pruneTimeline(now) {
      if (now - (this.lastPrune || 0) < 5000) return;
      this.lastPrune = now;
      const cut = now - KEEP_MS;
      for (const c of this.consumers.values()) {
        const tl = c.tl;
        tl.polls = tl.polls.filter((p) => p.t1 >= cut);
        tl.recs = tl.recs.filter((t) => t >= cut);
        tl.windows = tl.windows.filter((w) => w[1] >= cut);
        tl.marks = tl.marks.filter((m) => m.t >= cut);
        for (const [key, bar] of tl.commits) if (bar.t1 !== null && bar.t1 < cut) tl.commits.delete(key);
      }
    },


    // ------------------------------------------------------------------ ownership swimlanes

    buildSwim() {
      const box = this.el('swim');
      if (!box) return;
      const frag = document.createDocumentFragment();
      this.own = this.partitions.map((part) => {
        const now = el('span', { class: 'now-owner none', title: 'no owner' }, '—');
        const track = el('div', { class: 'swim-track' });
        const row = el('div', { class: 'swim-row', dataset: { partition: part.p, owner: '' } },
          el('div', { class: 'swim-head' }, el('span', { class: 'pnum' }, `P${part.p}`), now),
          track);
        frag.append(row);
        return { p: part.p, ivs: [], pauses: [], marks: [], dom: { row, now, track, els: new Map() } };
      });
      const axis = el('div', { class: 'swim-axis', 'aria-hidden': 'true' }, el('span', {}),
        el('div', { class: 'swim-ticks' }, ...[60, 45, 30, 15, 0].map((s) => el('span', { style: `left:${((60 - s) / 60) * 100}%` }, s ? `−${s} s` : 'now'))));
      frag.append(axis);
      this.swimEmpty = el('p', { class: 'swim-empty hint' }, 'Ownership appears when a consumer joins the group.');
      frag.append(this.swimEmpty);
      box.append(frag);
    },

    /** Whether the swimlanes still change with time (an open segment, a running pause, history in view). */
    swimMoving(now) {
      for (const row of this.own) {
        const last = row.ivs[row.ivs.length - 1];
        if (!last) continue;
        if (last.t1 === null || last.t1 > now - SWIM_MS - 1000) return true;
      }
      return false;
    },

    swimAssign(ev, c, who) {
      for (const p of ev.partitions || []) {
        const row = this.own[p];
        if (!row) continue;
        const last = row.ivs[row.ivs.length - 1];
        let from = null;
        let t0 = ev.ts;
        if (last) {
          if (last.t1 === null) {
            if (last.who === who && last.deadAt === null) continue; // already this owner's
            // Taken over: from a dead member (never revoked), or handed over between events.
            last.t1 = Math.max(ev.ts, last.t0);
            last.end = 'taken';
            if (last.deadAt !== null) from = last.deadAt;
          } else {
            from = last.t1;
          }
          t0 = Math.max(t0, last.t1);
        }
        row.ivs.push({ id: ++this.swimSeq, who, cid: c.id, k: c.k, th: threadIndex(ev.thread), t0, t1: null, deadAt: null, end: null });
        if (from !== null) row.pauses.push({ id: ++this.swimSeq, from, to: t0 });
        row.marks.push({ id: ++this.swimSeq, t: t0, kind: 'assign', who });
      }
      this.swimDirty = true;
    },

    swimRevoke(ev, c, who) {
      for (const p of ev.partitions || []) {
        const row = this.own[p];
        if (!row) continue;
        const last = row.ivs[row.ivs.length - 1];
        if (last && last.t1 === null && last.who === who) {
          last.t1 = Math.max(ev.ts, last.t0);
          last.end = 'revoke';
          row.marks.push({ id: ++this.swimSeq, t: last.t1, kind: 'revoke', who });
        }
      }
      this.swimDirty = true;
    },

    /**
     * The consumer process is gone. A graceful close already revoked (and left the group); a
     * killed member keeps its partitions in the group's eyes until its session times out.
     */
    swimGone(ev, c, dead) {
      for (const row of this.own) {
        const last = row.ivs[row.ivs.length - 1];
        if (!last || last.t1 !== null || last.cid !== c.id) continue;
        if (dead) {
          if (last.deadAt === null) last.deadAt = Math.max(ev.ts, last.t0);
        } else {
          last.t1 = Math.max(ev.ts, last.t0);
          last.end = 'closed';
        }
      }
      this.swimDirty = true;
    },

    drawSwim() {
      this.swimDirty = false;
      if (!this.own.length || !this.el('swim')) return;
      const now = this.serverNow();
      const from = now - SWIM_MS;
      const width = this.swimWidth || 600;
      const pct = (t) => Math.min(100, Math.max(0, ((t - from) / SWIM_MS) * 100));
      let any = false;
      for (const row of this.own) {
        this.pruneSwim(row, now);
        if (row.ivs.length) any = true;
        const d = row.dom;
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
        for (const iv of row.ivs) {
          const end = iv.t1 === null ? now : iv.t1;
          if (end < from) continue;
          const liveEnd = iv.deadAt === null ? end : Math.min(end, iv.deadAt);
          const how = iv.end === 'revoke' ? 'until revoked' : iv.end === 'taken' ? 'until another member was assigned it' : iv.end === 'closed' ? 'until it closed' : 'now';
          if (liveEnd > iv.t0 || (iv.t1 === null && iv.deadAt === null)) {
            put(`s${iv.id}`, `seg k${iv.k} th${iv.th}${iv.t1 === null && iv.deadAt === null ? ' open' : ''}`, iv.t0, Math.max(liveEnd, iv.t0), iv.who,
              `P${row.p} owned by ${iv.who} from ${clock(iv.t0)} ${how}`);
          }
          if (iv.deadAt !== null && end > iv.deadAt) {
            put(`d${iv.id}`, `seg dead k${iv.k}${iv.t1 === null ? ' still' : ''}`, iv.deadAt, end, `${iv.who} ✕`,
              `${iv.who} died at ${clock(iv.deadAt)} without revoking P${row.p}: the group still counts it as the owner until its session times out`);
          }
        }
        const last = row.ivs[row.ivs.length - 1];
        const pauses = row.pauses.slice();
        if (last && (last.t1 !== null || last.deadAt !== null)) {
          pauses.push({ id: 'run', from: last.t1 !== null ? last.t1 : last.deadAt, to: null });
        }
        // Pause labels sit under the bar; where two would overlap, the newer one is shown.
        const taken = [];
        for (const pz of pauses.reverse()) {
          const to = pz.to === null ? now : pz.to;
          if (to < from) continue;
          const dur = to - pz.from;
          const text = pz.to === null ? `${Math.round(dur / 100) * 100} ms…` : `${Math.round(dur)} ms`;
          // A label near either end of the window stays inside it.
          const mid = ((pz.from + to) / 2 - from) / SWIM_MS;
          const half = (text.length * 7 + 16) / 2 / width;
          const edge = mid + half > 1 ? ' edge-r' : mid - half < 0 ? ' edge-l' : '';
          const node = put(`p${pz.id}`, `pause${pz.to === null ? ' running' : ''}${edge}`, pz.from, to, text,
            pz.to === null ? `P${row.p} has had no live owner for ${Math.round(dur)} ms` : `P${row.p} paused ${Math.round(dur)} ms: no live owner from ${clock(pz.from)} to ${clock(pz.to)}`);
          node.dataset.ms = String(Math.round(dur));
          const px = Math.min(1, Math.max(0, mid)) * width;
          const span = edge === ' edge-r' ? [width - half * 2 * width, width] : edge === ' edge-l' ? [0, half * 2 * width] : [px - half * width, px + half * width];
          const clash = taken.some(([x0, x1]) => span[0] < x1 && x0 < span[1]);
          if (!clash) taken.push(span);
          if (node.firstChild.hidden !== clash) node.firstChild.hidden = clash;
        }
        for (const m of row.marks) {
          if (m.t < from) continue;
          put(`m${m.id}`, `smark ${m.kind}`, m.t, m.t, '', `${m.kind === 'assign' ? 'assigned to' : 'revoked from'} ${m.who} at ${clock(m.t)}`);
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
      if (this.swimEmpty) {
        if (this.swimEmpty.hidden !== any) this.swimEmpty.hidden = any;
        if (!any) {
          const assignOnly = [...this.consumers.values()].some((c) => c.assignOnly !== null);
          setText(this.swimEmpty, assignOnly
            ? 'assign(): these consumers are in no group — nobody owns a partition, nothing rebalances.'
            : 'Ownership appears when a consumer joins the group.');
        }
      }
    },

    pruneSwim(row, now) {
      const cut = now - SWIM_KEEP_MS;
      // The last interval stays: the next assignment measures its pause from it.
      if (row.ivs.length > 1 && row.ivs[0].t1 !== null && row.ivs[0].t1 < cut) {
        row.ivs = row.ivs.filter((iv, i) => i === row.ivs.length - 1 || iv.t1 === null || iv.t1 >= cut);
      }
      if (row.pauses.length && row.pauses[0].to < cut) row.pauses = row.pauses.filter((p) => p.to >= cut);
      if (row.marks.length && row.marks[0].t < cut) row.marks = row.marks.filter((m) => m.t >= cut);
    },

    // ------------------------------------------------------------------ rebalance callbacks

    renderCallbacks() {
      this.callbacksDirty = false;
      const list = this.el('callbacks');
      if (!list) return;
      if (this.callbacks.length > CALLBACKS_SHOWN * 2) this.callbacks.splice(0, this.callbacks.length - CALLBACKS_SHOWN);
      const shown = this.callbacks.slice(-CALLBACKS_SHOWN);
      const keep = new Set(shown);
      for (const cb of this.callbacks) {
        if (!keep.has(cb) && cb.dom) {
          cb.dom.li.remove();
          cb.dom = null;
        }
      }
      const empty = list.querySelector('.empty');
      if (empty && shown.length) empty.remove();
      const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      for (const cb of shown) {
        if (!cb.dom) this.buildCallback(cb, list);
        if (cb.dirty) this.drawCallback(cb);
      }
      if (pinned) list.scrollTop = list.scrollHeight;
    },

    buildCallback(cb, list) {
      const dur = el('span', { class: 'cb-dur' });
      const bar = el('div', { class: 'cb-bar' });
      const note = el('p', { class: 'cb-note' });
      const li = el('li', { class: `cb-item kind-${cb.kind}`, dataset: { who: cb.who, kind: cb.kind } },
        el('div', { class: 'cb-line' },
          el('span', { class: `who-chip k${cb.k}` }, cb.who),
          el('span', { class: 'cb-name' }, `${CALLBACK_NAMES[cb.kind] || cb.kind}(${partitionsText(cb.partitions)})`),
          dur),
        bar, note);
      cb.dom = { li, dur, bar, note, commitEls: [] };
      list.append(li);
    },

    drawCallback(cb) {
      cb.dirty = false;
      const d = cb.dom;
      const open = cb.t1 === null;
      d.li.classList.toggle('open', open);
      setText(d.dur, open ? 'running…' : ms(cb.dur));
      const total = open ? null : Math.max(cb.dur || 0, cb.t1 - cb.t0, 0.001);
      const bad = cb.commits.some((x) => x.error);
      d.li.classList.toggle('bad', bad);
      d.li.classList.toggle('no-commit', !cb.commits.length && !open);
      while (d.commitEls.length < cb.commits.length) {
        const seg = el('div', { class: 'cb-commit' }, el('span', {}));
        d.commitEls.push(seg);
        d.bar.append(seg);
      }
      const notes = [];
      cb.commits.forEach((x, i) => {
        const seg = d.commitEls[i];
        const a = total ? Math.min(100, Math.max(0, ((x.t0 - cb.t0) / total) * 100)) : 5;
        const end = x.t1 === null ? (total ? 100 : 60) : total ? Math.min(100, ((x.t1 - cb.t0) / total) * 100) : 60;
        seg.style.left = `${a.toFixed(2)}%`;
        seg.style.width = `${Math.max(2, end - a).toFixed(2)}%`;
        seg.className = `cb-commit${x.error ? ' bad' : x.t1 === null ? ' pending' : ' ok'}`;
        setText(seg.firstChild, x.error ? '✕ commit' : `commit${x.mode === 'sync' ? 'Sync' : x.mode === 'async' ? 'Async' : ''}`);
        if (x.error) {
          notes.push(`commit${x.mode === 'sync' ? 'Sync' : ''}(${offsetsText(x.offsets)}) refused: ${x.error}${rebalanceRefusal(x.error) ? ' — the broker will not take a commit while the group is rebalancing' : ''}`);
        } else if (x.t1 === null) {
          notes.push(`commit${x.mode === 'sync' ? 'Sync' : ''}(${offsetsText(x.offsets)}) waiting for the broker…`);
        } else {
          notes.push(`commit${x.mode === 'sync' ? 'Sync' : ''}(${offsetsText(x.offsets)}) ok in ${ms(x.latency)} — inside the callback, before the partitions moved`);
        }
      });
      if (!cb.commits.length) {
        notes.push(cb.kind === 'revoke'
          ? (open ? 'revoking…' : 'no commit inside: the next owner starts at the last committed offset')
          : 'partitions handed to this member');
      }
      setText(d.note, notes.join(' · '));
      d.note.classList.toggle('bad', bad);
    },

    // ------------------------------------------------------------------ consumer lag (Burrow)

    buildLag() {
      const box = this.el('lag');
      if (!box) return;
      box.classList.toggle('many', this.partitions.length > 12);
      const badge = el('span', { class: 'lag-badge', dataset: { status: 'pending' } },
        el('span', { class: 'sym', 'aria-hidden': 'true', hidden: true }),
        el('span', { class: 'word' }, GROUP_WORDS.pending));
      const rule = el('p', { class: 'lag-rule', dataset: { status: 'pending' } });
      const rows = el('div', { class: 'lag-rows' });
      for (const part of this.partitions) {
        const status = el('span', { class: 'lag-status', dataset: { status: 'pending' } }, '—');
        const num = el('span', { class: 'lag-num' }, '–');
        const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
        const winW = (SPARK_W * LAG_WINDOW_MS) / LAG_MS;
        const area = svg('path', { class: 'area' });
        const line = svg('path', { class: 'line', 'vector-effect': 'non-scaling-stroke' });
        chart.append(svg('rect', { class: 'win', x: SPARK_W - winW, y: 0, width: winW, height: SPARK_H }), area, line);
        const row = el('div', { class: 'lag-row', dataset: { partition: part.p, status: 'pending' }, role: 'group', 'aria-label': `Partition ${part.p} lag` },
          el('span', { class: 'pnum' }, `P${part.p}`), status,
          el('span', { class: 'lag-val' }, num, el('span', { class: 'lag-unit' }, 'lag')),
          el('div', { class: 'spark-wrap' }, chart));
        part.lagDom = { row, status, num, area, line };
        rows.append(row);
      }
      const ticks = [60, 45, 30, 15, 0].map((sec) => el('span', { style: `left:${((60 - sec) / 60) * 100}%` }, sec ? `−${sec} s` : 'now'));
      const scale = el('span', { class: 'lag-scale' });
      const foot = el('div', { class: 'lag-foot', 'aria-hidden': 'true' },
        el('span', { class: 'lag-axis-note' }, scale, ' · ', el('span', { class: 'win-swatch' }), 'Burrow’s window'),
        el('div', { class: 'lag-ticks' }, ...ticks));
      box.append(el('div', { class: 'lag-head', role: 'status', 'aria-live': 'polite' }, badge, rule), rows, foot);
      this.lagEls = { badge, rule, scale };
    },

    /** A broker sample's lag for a partition: a new point when it changed. */
    lagPoint(part, t, lag) {
      part.sampled = lag;
      const hist = part.lagHist;
      const last = hist[hist.length - 1];
      if (last && (last.lag === lag || t < last.t)) return;
      hist.push({ t, lag });
      // Points left of the window go, except the last one (the line starts at its value).
      if (hist.length > 8 && hist[1].t < t - LAG_MS - 2000) {
        let i = 0;
        while (i + 1 < hist.length && hist[i + 1].t < t - LAG_MS - 1000) i++;
        hist.splice(0, i);
      }
    },

    /** Whether the sparklines still scroll (a change in the last 60 s). */
    lagMoving(now) {
      if (this.ended || !this.lagEls) return false;
      for (const part of this.partitions) {
        const last = part.lagHist[part.lagHist.length - 1];
        if (last && last.t > now - LAG_MS - 1000) return true;
      }
      return false;
    },

    /** The rule that fired, in one line: the worst first, then the others. */
    lagRuleText(report) {
      if (!report) return 'Not rated until the group has committed and a full window has passed: 10 broker samples, 500 ms apart (5 s).';
      const by = new Map();
      for (const p of report.partitions || []) {
        if (!by.has(p.status)) by.set(p.status, []);
        by.get(p.status).push(p.partition);
      }
      const fired = LAG_SEVERITY.filter((st) => by.has(st));
      if (!fired.length) return `ok: ${LAG_RULES.ok} on every partition in the last 5 s`;
      const [worst, ...rest] = fired;
      const many = this.partitions.length > 1;
      let text = `${worst}${many ? ` on ${partitionsText(by.get(worst))}` : ''}: ${LAG_RULES[worst]}`;
      if (rest.length) text += ` · also ${rest.map((st) => `${st}${many ? ` on ${partitionsText(by.get(st))}` : ''}`).join(', ')}`;
      return text;
    },

    drawLag() {
      const d = this.lagEls;
      if (!d) {
        this.lagDirty = false;
        return;
      }
      // Throttled: a status or sample arriving sooner is drawn by a timer.
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
      this.lagDirty = false;
      this.lagDrawnAt = Date.now();
      const report = this.lagReport;
      const group = report ? report.status : 'pending';
      if (d.badge.dataset.status !== group) {
        d.badge.dataset.status = group;
        d.rule.dataset.status = group;
        d.badge.firstChild.hidden = !GROUP_SYMBOLS[group];
        setText(d.badge.firstChild, GROUP_SYMBOLS[group] || '?');
        setText(d.badge.lastChild, GROUP_WORDS[group] || String(group).toUpperCase());
      }
      d.badge.title = report ? `Group status by Burrow's rules: ${GROUP_WORDS[group] || group}` : 'Burrow has no full window of samples yet';
      setText(d.rule, this.lagRuleText(report));
      const statuses = new Map((report ? report.partitions : []).map((p) => [p.partition, p.status]));
      // One scale for every partition, so their lines compare.
      const now = this.serverNow();
      const from = now - LAG_MS;
      let top = 0;
      for (const part of this.partitions) {
        for (const pt of part.lagHist) if (pt.t >= from - 1000 || pt === part.lagHist[part.lagHist.length - 1]) top = Math.max(top, pt.lag);
      }
      const max = niceMax(top);
      setText(d.scale, `scale 0–${max}`);
      const X = (t) => Math.max(0, Math.min(SPARK_W, ((t - from) / LAG_MS) * SPARK_W));
      const Y = (v) => (SPARK_H - 1.5 - (Math.min(v, max) / max) * (SPARK_H - 4)).toFixed(2);
      for (const part of this.partitions) {
        const pd = part.lagDom;
        const st = statuses.get(part.p) || 'pending';
        if (pd.row.dataset.status !== st) {
          pd.row.dataset.status = st;
          pd.status.dataset.status = st;
          setText(pd.status, st === 'pending' ? '—' : st);
        }
        const rule = st === 'stop' && part.committed === null ? 'nothing committed and nobody commits' : LAG_RULES[st];
        pd.status.title = rule ? `${st}: ${rule}` : 'not evaluated yet';
        setText(pd.num, part.sampled === null ? '–' : String(part.sampled));
        // A step line: each sample holds until the next one; the last one holds until now.
        const hist = part.lagHist;
        let i = hist.length - 1;
        while (i >= 0 && hist[i].t > from) i--;
        let path = '';
        let x0 = 0;
        if (i >= 0) path = `M0 ${Y(hist[i].lag)}`;
        for (let j = i + 1; j < hist.length; j++) {
          const x = X(hist[j].t).toFixed(1);
          if (!path) {
            x0 = x;
            path = `M${x} ${Y(hist[j].lag)}`;
          } else {
            path += `H${x}V${Y(hist[j].lag)}`;
          }
        }
        if (path) path += `H${SPARK_W}`;
        if (pd.line.getAttribute('d') !== path) {
          pd.line.setAttribute('d', path);
          pd.area.setAttribute('d', path ? `${path}V${SPARK_H}H${x0}Z` : '');
        }
      }
    },

    /** The background producer's state next to its controls (the main pane only). */
    renderProducer() {
      this.producerDirty = false;
      const state = this.el('producer-state');
      if (!state) return;
      const rate = this.producerRate;
      setText(state, rate ? `running · ${rate} records/s` : 'stopped');
      state.dataset.running = rate ? 'true' : 'false';
      const ended = !this.es;
      const start = this.root.querySelector('button[data-action="producer-start"]');
      if (start && !start.dataset.busy) {
        setText(start, rate ? 'Set rate' : 'Start');
        start.disabled = !this.run || ended;
      }
      const stop = this.root.querySelector('button[data-action="producer-stop"]');
      if (stop && !stop.dataset.busy) stop.disabled = !rate || ended;
    },

    // ------------------------------------------------------------------ A/B readout

    /** Committed offset and position, big: what a SIGKILL now would cost. */
    renderReadout() {
      const box = this.el('readout');
      if (!box) return;
      if (!box.firstChild) {
        this.readoutEls = {
          committed: el('span', { class: 'big', dataset: { role: 'committed' } }, '–'),
          position: el('span', { class: 'big', dataset: { role: 'position' } }, '–'),
          gap: el('span', { class: 'big', dataset: { role: 'gap' } }, '–'),
          note: el('p', { class: 'readout-note' }),
          dups: el('p', { class: 'dup-ranges' }),
        };
        const r = this.readoutEls;
        box.append(
          el('div', { class: 'readout-row' },
            el('div', { class: 'ro committed-ro', title: "The group's committed offset: where a new consumer starts" }, r.committed, el('span', { class: 'lbl' }, 'committed')),
            el('div', { class: 'ro position-ro', title: 'Next offset the newest consumer reads (last processed + 1)' }, r.position, el('span', { class: 'lbl' }, 'position')),
            el('div', { class: 'ro gap-ro', title: 'Processed but not committed: what a SIGKILL now would make the next consumer read again' }, r.gap, el('span', { class: 'lbl' }, 'not committed'))),
          r.note, r.dups);
      }
      const r = this.readoutEls;
      const part = this.partitions[0];
      const c = this.latest();
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
      if (this.ledger) for (const pr of this.ledger.partitions) if (pr.duplicate_offsets.length) dups.push(`${this.partitions.length > 1 ? `P${pr.partition} ` : ''}${rangesText(pr.duplicate_offsets)}`);
      setText(r.dups, dups.length ? `duplicates: offsets ${dups.join(' · ')}` : '');
      r.note.title = note;
    },
  };

  function kNum(cid) {
    return parseInt(String(cid || '').replace(/^c/, ''), 10) || 0;
  }

  // ==================================================================== the page

  const Page = {
    app: null,
    def: null,
    controls: {},
    labId: '',
    ab: false,
    panes: new Map(),
    settingsInputs: {},
    noticeTimer: null,
    stripRequested: false,

    async init() {
      this.app = document.getElementById('app');
      this.labId = this.app.dataset.lab;
      try {
        this.def = JSON.parse(document.getElementById('lab-def').textContent);
      } catch (e) {
        this.def = { topic: { partitions: Number(this.app.dataset.partitions) || 1 }, controls: {}, consumer: {} };
      }
      this.controls = this.def.controls || {};
      this.ab = !!this.controls.ab && !!document.getElementById('ab-grid');
      const n = (this.def.topic && this.def.topic.partitions) || 1;
      if (this.ab) {
        const grid = document.getElementById('ab-grid');
        const sides = [
          { key: 'A', param: 'run', label: 'A · SIGKILL', title: 'SIGKILL', role: 'kill' },
          { key: 'B', param: 'b', label: 'B · SIGTERM (wakeup → commitSync → close)', title: 'SIGTERM (wakeup → commitSync → close)', role: 'stop' },
        ];
        for (const side of sides) {
          const root = this.buildPaneDom(side, n);
          grid.append(root);
          this.panes.set(side.key, new Pane(this, root, { ...side, hideIdle: true }));
        }
      } else {
        this.panes.set('main', new Pane(this, this.app, { key: 'main', param: 'run' }));
      }
      // A lab about lag (its checkpoints wait for Burrow's statuses) shows the lag panel first.
      const lagLab = (this.def.checkpoints || []).some((c) => (c.after || []).some((a) => a === 'lag' || a.startsWith('lag_')));
      const lagPanel = document.getElementById('lag-panel');
      const lanesPanel = document.querySelector('.lanes-panel');
      if (lagLab && lagPanel && lanesPanel) {
        lanesPanel.before(lagPanel);
        lagPanel.classList.add('lag-hero');
      }
      for (const pane of this.panes.values()) pane.setup(n);
      this.buildSettings();
      this.bindControls();
      this.renderStrip();
      await Promise.all([...this.panes.values()].map((p) => p.start()));
      this.changed();
    },

    /** Sets one URL parameter (a run id), keeping the others. */
    setParam(key, value) {
      const params = new URLSearchParams(location.search);
      params.set(key, value);
      params.delete('strategy');
      history.replaceState(null, '', `${location.pathname}?${params}`);
    },

    /** Something a page-level view depends on changed: redraw it on the next frame. */
    changed() {
      if (!this.ab || this.stripRequested) return;
      this.stripRequested = true;
      requestAnimationFrame(() => {
        this.stripRequested = false;
        this.renderStrip();
      });
    },

    paneOf(node) {
      const root = node.closest('[data-pane]');
      return root ? this.panes.get(root.dataset.pane) : this.panes.get('main') || null;
    },

    // ------------------------------------------------------------------ A/B

    buildPaneDom(side, partitions) {
      const count = (name, label, cls, title) => el('div', { class: `counter ${cls || ''}`, title },
        el('span', { class: 'num', dataset: { el: name } }, '0'), el('span', { class: 'label' }, label));
      const n = this.controls.produce_count;
      return el('section', { class: `pane side-${side.key}`, dataset: { pane: side.key }, 'aria-label': side.label },
        el('header', { class: 'pane-head' },
          el('h2', { class: 'pane-title' }, el('span', { class: 'pane-key' }, side.key), el('span', { class: 'pane-what' }, side.title)),
          el('p', { class: 'pane-meta' }, 'run ', el('code', { dataset: { el: 'run-id' } }), ' ',
            el('span', { class: 'conn', dataset: { el: 'conn', state: 'connecting' } }, 'connecting…'),
            ' · topic ', el('code', { dataset: { el: 'run-topic' } }, '…'))),
        el('div', { class: 'pane-counters counters', 'aria-label': `${side.key}: the ledger's counts` },
          count('count-processed', 'processed'),
          count('count-duplicates', 'duplicates', 'dup', 'Offsets processed more than once (ledger)'),
          count('count-lost', 'lost', 'lost', 'Offsets committed past but never processed (ledger)')),
        el('div', { class: 'readout', dataset: { el: 'readout' } }),
        el('div', { class: 'pane-block' },
          el('h3', {}, partitions === 1 ? 'Partition' : 'Partitions'),
          el('div', { class: 'lanes', dataset: { el: 'lanes', density: 'wide' } })),
        el('div', { class: 'pane-block' },
          el('h3', {}, 'Who owns it'),
          el('div', { class: 'swim', dataset: { el: 'swim' } })),
        el('div', { class: 'pane-block' },
          el('h3', {}, 'Consumer lag ', el('span', { class: 'hint' }, '(Burrow’s rules over the last 5 s)')),
          el('div', { class: 'lag-box compact', dataset: { el: 'lag' } })),
        el('div', { class: 'pane-block' },
          el('div', { class: 'pane-block-head' },
            el('h3', {}, 'Consumers'),
            el('div', { class: 'pane-actions' },
              n ? el('button', { type: 'button', dataset: { action: 'produce-count', count: n }, title: `Values 0 … ${n} − 1 into ${side.key}'s topic` }, `Produce ${n}`) : null,
              el('button', { type: 'button', class: 'primary', dataset: { action: 'start' } }, 'Start consumer'))),
          el('div', { class: 'consumers', dataset: { el: 'consumers' } }, el('p', { class: 'empty' }, 'No consumer yet.'))),
        el('div', { class: 'pane-block' },
          el('h3', {}, 'Commit timeline'),
          el('canvas', { class: 'timeline-canvas', height: 80, dataset: { el: 'timeline' }, role: 'img', 'aria-label': `${side.key}: polls, records and commits over the last 30 seconds` })),
        el('div', { class: 'pane-block', dataset: { el: 'checkpoints-panel' } },
          el('h3', {}, 'Checkpoints'),
          el('ul', { class: 'checkpoints', dataset: { el: 'checkpoints' } })),
        el('div', { class: 'pane-block log-block' },
          el('h3', {}, 'Event log ', el('span', { class: 'hint' }, '(no empty polls or broker samples)')),
          el('div', { class: 'log', dataset: { el: 'log' }, role: 'log', tabindex: '0', 'aria-label': `${side.key}: events, newest at the bottom` }),
          el('button', { type: 'button', class: 'log-jump', dataset: { el: 'log-jump' }, hidden: true }, '↓ newest')));
    },

    /** Where each side of the A/B view stands; drives the guided steps. */
    abState() {
      const n = this.controls.produce_count || 0;
      const sides = [...this.panes.values()].map((p) => {
        const cs = [...p.consumers.values()];
        const latest = p.latest();
        const live = cs.filter((c) => LIVE.has(c.status));
        const logEnd = p.partitions.reduce((m, part) => Math.max(m, part.logEnd), 0);
        const caughtUp = !!latest && p.partitions.every((part) => (latest.pos.get(part.p) || 0) >= part.logEnd || part.logEnd === 0);
        const gone = cs.some((c) => !LIVE.has(c.status));
        return {
          pane: p,
          ready: !!p.run && !!p.es,
          produced: n > 0 && logEnd >= n,
          paused: cs.some((c) => c.pausedOnce) || gone,
          live: live.length,
          gone,
          ended: cs.length > 0 && live.length === 0,
          done: cs.length >= 2 && caughtUp && logEnd > 0 && live.length > 0,
        };
      });
      const all = (k) => sides.every((s) => s[k]);
      // A step stays done once the runs are past it.
      const done = {
        1: all('produced'),
        2: all('paused'),
        3: all('gone'),
        4: all('done'),
      };
      const enabled = {
        1: all('ready'),
        2: all('ready') && sides.every((s) => s.live === 0),
        3: all('ready') && sides.every((s) => s.live > 0),
        4: all('ready') && all('ended'),
      };
      return { sides, done, enabled };
    },

    renderStrip() {
      const strip = document.getElementById('ab-strip');
      if (!strip) return;
      const { sides, done, enabled } = this.abState();
      let current = null;
      for (const step of [1, 2, 3, 4]) if (!done[step] && current === null) current = step;
      for (const li of strip.querySelectorAll('li[data-step]')) {
        const step = Number(li.dataset.step);
        const state = done[step] ? 'done' : step === current ? 'current' : 'todo';
        if (li.dataset.state !== state) li.dataset.state = state;
        const button = li.querySelector('button');
        if (!button.dataset.busy) button.disabled = !enabled[step];
      }
      const outcome = document.getElementById('ab-outcome');
      let text = '';
      if (done[4]) {
        text = sides.map((s) => {
          const l = s.pane.ledger;
          const dups = l ? l.duplicates : 0;
          const offsets = l ? l.partitions.flatMap((pr) => pr.duplicate_offsets) : [];
          return `${s.pane.key}: ${plural(dups, 'duplicate')}${offsets.length ? ` (offsets ${rangesText(offsets)})` : ''}`;
        }).join(' · ');
      } else if (done[3] && !sides.every((s) => s.ended)) {
        text = 'Restarted: A re-reads from its committed offset, B from its own. Wait for both to reach the end.';
      } else if (done[3]) {
        const [a, b] = sides.map((x) => x.pane.partitions[0] && x.pane.partitions[0].committed);
        text = `A died without committing past ${a === null || a === undefined ? 'nothing' : a}; B's shutdown hook committed ${b === null || b === undefined ? 'nothing' : b}. Restart both and compare.`;
      } else if (done[2]) {
        text = 'Both paused with records processed past the last commit — compare “committed” and “position”.';
      }
      setText(outcome, text);
    },

    async abAction(action) {
      const panes = [...this.panes.values()];
      const n = this.controls.produce_count || 0;
      const settings = this.settingsOverrides();
      const each = async (fn) => {
        const results = await Promise.all(panes.map(fn));
        const bad = results.map((r, i) => [panes[i], r]).filter(([, r]) => r && !r.ok);
        return bad.length ? { ok: false, status: bad[0][1].status, body: { error: bad.map(([p, r]) => `${p.key}: ${(r.body && r.body.error) || `HTTP ${r.status}`}`).join('; ') } } : { ok: true };
      };
      switch (action) {
        case 'ab-produce':
          return each((p) => p.produceCount(n));
        case 'ab-start':
        case 'ab-restart': {
          const r = await each((p) => api('POST', `${p.apiBase()}/consumers`, settings));
          this.showFormError(r.ok ? null : r.body.error);
          return r;
        }
        case 'ab-end':
          return each((p) => {
            const c = [...p.consumers.values()].filter((x) => LIVE.has(x.status)).pop();
            if (!c) return Promise.resolve({ ok: true });
            return api('POST', `${p.apiBase()}/consumers/${enc(c.id)}/${p.key === 'A' ? 'kill' : 'stop'}`);
          });
        default:
          return null;
      }
    },

    // ------------------------------------------------------------------ controls

    bindControls() {
      this.app.addEventListener('click', (e) => {
        const button = e.target.closest('button[data-action]');
        if (button && !button.disabled) this.act(button, button.dataset.action);
        const copy = e.target.closest('button[data-copy]');
        if (copy) this.copy(copy);
      });
      const strategy = document.getElementById('strategy');
      if (strategy) {
        strategy.addEventListener('change', () => this.notify(`A group keeps one assignment strategy: press “New run” to start one with ${strategy.value}.`, 'info'));
      }
      const rateForm = document.getElementById('rate-form');
      if (rateForm) {
        // Enter in the rate box clicks Start (the form's submit button), handled above.
        rateForm.addEventListener('submit', (e) => e.preventDefault());
        rateForm.addEventListener('input', () => this.showRateError(null));
      }
      const form = document.getElementById('produce-form');
      if (form) {
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          this.produceTyped();
        });
      }
      const resize = () => {
        for (const pane of this.panes.values()) {
          pane.measure();
          for (const part of pane.partitions) part.dirty = true;
          pane.timelineDirty = true;
          pane.swimDirty = true;
          pane.schedule();
        }
      };
      window.addEventListener('resize', resize);
      document.addEventListener('labs:resize', resize);
    },

    async act(button, action) {
      const pane = this.paneOf(button);
      const card = button.closest('.consumer');
      const cid = card ? card.dataset.consumer : null;
      const ab = action.startsWith('ab-');
      if (!ab && action !== 'new-run' && (!pane || !pane.run)) return;
      const base = pane && pane.run ? pane.apiBase() : '';
      const calls = {
        'produce-batch': () => pane.produce(this.controls.produce_batch || []),
        'produce-count': () => pane.produceCount(Number(button.dataset.count) || 0),
        start: async () => {
          const r = await api('POST', `${base}/consumers`, this.settingsOverrides());
          this.showFormError(r.ok ? null : (r.body && r.body.error) || `HTTP ${r.status}`);
          return r;
        },
        stop: () => api('POST', `${base}/consumers/${cid}/stop`),
        kill: () => api('POST', `${base}/consumers/${cid}/kill`),
        pause: () => api('POST', `${base}/consumers/${cid}/pause`),
        resume: () => api('POST', `${base}/consumers/${cid}/resume`),
        step: () => api('POST', `${base}/consumers/${cid}/step`, { records: 1 }),
        'step-batch': () => api('POST', `${base}/consumers/${cid}/step`, { batch: true }),
        'producer-start': () => this.setProducerRate(pane, null),
        'producer-stop': () => this.setProducerRate(pane, 0),
        'fault-commit': () => api('POST', `${base}/faults`, { commit_errors: 1 }),
        'fault-slow': () => api('POST', `${base}/faults`, { rtt_ms: 500 }),
        'fault-clear': () => api('POST', `${base}/faults`, { rtt_ms: 0 }),
        'new-run': () => this.newRun(),
      };
      const call = ab ? () => this.abAction(action) : calls[action];
      if (!call) return;
      button.dataset.busy = '1';
      button.disabled = true;
      let result;
      try {
        result = await call();
      } finally {
        delete button.dataset.busy;
        button.disabled = false;
        for (const p of this.panes.values()) {
          p.consumersDirty = true;
          p.producerDirty = true;
          p.schedule();
        }
        this.changed();
      }
      if (action === 'start' && result && result.ok && result.body && result.body.id) {
        pane.consumer(result.body.id);
        pane.schedule();
      }
      if (result && !result.ok && action !== 'start' && !action.startsWith('producer-')) {
        const label = button.querySelector('.what') ? button.querySelector('.what').textContent : button.textContent;
        this.notify(`${label.trim()}: ${(result.body && result.body.error) || `HTTP ${result.status}`}`, 'error');
      }
    },

    /** Starts, changes (rate null: the box's value) or stops (0) the background producer. */
    async setProducerRate(pane, rate) {
      const input = document.getElementById('producer-rate');
      let n = rate;
      if (n === null) {
        const raw = input ? input.value.trim() : '';
        n = Number(raw);
        if (raw === '' || !Number.isInteger(n) || n < 0) {
          this.showRateError('Give a whole number of records per second: 0 to 500 (0 stops).');
          return null;
        }
      }
      const r = await api('POST', `${pane.apiBase()}/producer`, { rate_per_sec: n });
      this.showRateError(r.ok ? null : (r.body && r.body.error) || `HTTP ${r.status}`);
      if (r.ok) {
        // The producer_rate event confirms it; drawn now so the buttons follow at once.
        pane.producerRate = n;
        pane.producerDirty = true;
      }
      return r;
    },

    /** The server's answer to a rate it refused, under the rate box; null clears it. */
    showRateError(message) {
      const box = document.getElementById('rate-error');
      const input = document.getElementById('producer-rate');
      if (!box) return;
      box.hidden = !message;
      box.textContent = message || '';
      if (input) {
        if (message) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    },

    async produceTyped() {
      const pane = this.panes.get('main');
      const input = document.getElementById('produce-value');
      const value = input.value;
      if (!value || !pane || !pane.run) return;
      input.disabled = true;
      const r = await pane.produce([value]);
      input.disabled = false;
      input.focus();
      if (r && r.ok) input.value = '';
      else if (r) this.notify(`Produce: ${(r.body && r.body.error) || r.status}`, 'error');
    },

    async newRun() {
      const strategy = document.getElementById('strategy');
      this.notify(this.ab ? 'Stopping both runs’ consumers…' : 'Stopping this run’s consumers…', 'info');
      await Promise.all([...this.panes.values()].map((pane) => {
        if (pane.es) pane.es.close();
        pane.es = null;
        return pane.run ? api('DELETE', pane.apiBase()) : null;
      }));
      const q = strategy ? `?strategy=${enc(strategy.value)}` : '';
      location.assign(`/labs/${enc(this.labId)}${q}`);
      return { ok: true };
    },

    copy(button) {
      const code = document.getElementById(button.dataset.copy);
      const text = code ? code.textContent : '';
      const done = () => {
        button.textContent = 'Copied';
        setTimeout(() => { button.textContent = 'Copy'; }, 1500);
      };
      const fallback = () => {
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        button.textContent = 'Selected: Ctrl+C';
        setTimeout(() => { button.textContent = 'Copy'; }, 2500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    },

    // ------------------------------------------------------------------ settings for the next consumer

    /** Whether this lab's consumers are in a group that can rebalance. */
    canRebalance() {
      const d = this.def.consumer || {};
      const assigned = d.assign_partition !== null && d.assign_partition !== undefined;
      return !assigned && ((this.controls.max_consumers || 1) > 1 || !!this.controls.threads || !!this.controls.ab);
    },

    /** The fields of “Settings”, in plain words; only changed fields are sent. */
    settingsFields() {
      const f = [
        { name: 'commit_mode', label: 'How offsets are committed', kind: 'select', options: [
          ['auto', 'automatically, on a timer'],
          ['auto-naive', 'automatically, counting what poll() returned as done'],
          ['sync-batch', 'commitSync() after each poll batch'],
          ['sync-record', 'commitSync() after each record'],
          ['async', 'commitAsync() after each poll batch'],
          ['none', 'never'],
        ] },
        { name: 'auto_commit_interval_ms', label: 'Auto commit every … ms', hint: 'auto.commit.interval.ms', kind: 'number', min: 100, step: 100 },
        { name: 'commit_every_records', label: 'Commit every N records', hint: 'instead of after each batch', kind: 'number', min: 1, placeholder: 'each batch' },
        { name: 'pause_after_records', label: 'Pause after N records', kind: 'number', min: 1, placeholder: 'never' },
        { name: 'processing_delay_ms', label: 'Work per record (ms)', hint: 'sleep before each record', kind: 'number', min: 0 },
        { name: 'max_poll_records', label: 'At most N records per poll', hint: 'max.poll.records', kind: 'number', min: 1 },
        { name: 'session_timeout_ms', label: 'Declared dead after … ms without a heartbeat', hint: 'session.timeout.ms', kind: 'number', min: 1000, step: 500,
          presets: [[2000, '2 s · classroom'], [6000, '6 s']] },
      ];
      if (this.canRebalance()) f.push({ name: 'commit_on_revoke', label: 'Commit when partitions are taken away', hint: 'in onPartitionsRevoked', kind: 'checkbox' });
      f.push({ name: 'commit_on_shutdown', label: 'Commit on Stop', hint: 'shutdown hook: commitSync() before close()', kind: 'checkbox' });
      if (this.controls.faults || (this.def.consumer || {}).commit_mode === 'async') {
        f.push({ name: 'retry_failed_commits', label: 'Retry failed commits (the naive way)', kind: 'checkbox' });
      }
      if (this.controls.threads) {
        f.push({ name: 'threads', label: 'Consumer threads in the process (1–8)', hint: 'each thread is its own consumer', kind: 'number', min: 1, max: 8 });
        f.push({ name: 'thread_groups', label: 'Groups of the threads', kind: 'select', options: [
          ['same', 'one group: the threads split the partitions'],
          ['distinct', 'a group per thread: each reads everything'],
        ] });
        f.push({ name: 'worker_pool', label: 'Worker-pool threads (0–16)', hint: '0 = none; needs auto-naive commits', kind: 'number', min: 0, max: 16 });
      }
      return f;
    },

    buildSettings() {
      const body = document.getElementById('settings-body');
      if (!body) return;
      const defaults = this.def.consumer || {};
      this.settingsInputs = {};
      const rows = this.settingsFields().map((f) => {
        const id = `set-${f.name}`;
        const dv = defaults[f.name];
        let input;
        if (f.kind === 'select') {
          input = el('select', { id, name: f.name }, ...f.options.map(([v, text]) => el('option', { value: v, selected: v === dv }, text)));
        } else if (f.kind === 'checkbox') {
          input = el('input', { id, name: f.name, type: 'checkbox' });
          input.checked = !!dv;
        } else {
          input = el('input', { id, name: f.name, type: 'number', inputmode: 'numeric', min: f.min, max: f.max, step: f.step || 1, placeholder: f.placeholder || '' });
          input.value = dv === null || dv === undefined ? '' : String(dv);
        }
        this.settingsInputs[f.name] = { input, kind: f.kind, dv };
        const label = el('label', { for: id }, f.label, f.hint ? el('span', { class: 'field-hint' }, f.hint) : null);
        if (f.kind === 'checkbox') return el('div', { class: 'field f-checkbox', dataset: { field: f.name } }, input, label);
        const presets = f.presets ? el('span', { class: 'presets' }, ...f.presets.map(([v, text]) => el('button', {
          type: 'button', class: 'preset', dataset: { presetFor: f.name, value: v }, title: `${f.name} = ${v}`,
        }, text))) : null;
        return el('div', { class: `field f-${f.kind}`, dataset: { field: f.name } }, label, el('span', { class: 'field-input' }, input, presets));
      });
      const note = el('p', { class: 'settings-note', id: 'settings-note', hidden: true, role: 'status' });
      const reset = el('button', { type: 'button', class: 'ghost' }, 'Lab defaults');
      reset.addEventListener('click', () => {
        for (const { input, kind, dv } of Object.values(this.settingsInputs)) {
          if (kind === 'checkbox') input.checked = !!dv;
          else input.value = dv === null || dv === undefined ? '' : String(dv);
        }
        this.settingsChanged(null);
      });
      body.addEventListener('click', (e) => {
        const preset = e.target.closest('button[data-preset-for]');
        if (!preset) return;
        const target = this.settingsInputs[preset.dataset.presetFor];
        if (target) target.input.value = preset.dataset.value;
        this.settingsChanged(preset.dataset.presetFor);
      });
      body.append(el('div', { class: 'fields' }, ...rows), note,
        el('div', { class: 'settings-foot' }, el('p', { class: 'hint' }, this.ab ? 'Used by the next start, in A and B.' : 'Used by the next “Start consumer”.'), reset));
      body.addEventListener('input', (e) => this.settingsChanged(e.target.name));
      body.addEventListener('change', (e) => this.settingsChanged(e.target.name));
      this.updateSettingsSummary();
    },

    /** A field changed: dependent fields follow (worker pool → auto-naive), errors clear. */
    settingsChanged(name) {
      const inputs = this.settingsInputs;
      const note = document.getElementById('settings-note');
      if (name === 'worker_pool' && inputs.worker_pool && inputs.commit_mode) {
        const pool = Number(inputs.worker_pool.input.value) || 0;
        if (pool > 0 && inputs.commit_mode.input.value !== 'auto-naive') {
          inputs.commit_mode.input.value = 'auto-naive';
          note.textContent = 'A worker pool needs commit mode “automatically, counting what poll() returned as done” (auto-naive): auto commit commits what poll() handed to the pool. Set it for you.';
          note.hidden = false;
        } else if (pool === 0) {
          note.hidden = true;
        }
      }
      for (const { input } of Object.values(inputs)) {
        if (input.name === name) {
          input.removeAttribute('aria-invalid');
          input.closest('.field').classList.remove('invalid');
        }
      }
      this.updateSettingsSummary();
    },

    settingsOverrides() {
      const out = {};
      for (const [name, { input, kind, dv }] of Object.entries(this.settingsInputs || {})) {
        let v;
        if (kind === 'checkbox') v = input.checked;
        else if (kind === 'number') v = input.value === '' ? null : Number(input.value);
        else v = input.value;
        const same = v === dv || (v === null && (dv === null || dv === undefined));
        if (!same && v !== null) out[name] = v;
      }
      return out;
    },

    updateSettingsSummary() {
      const n = Object.keys(this.settingsOverrides()).length;
      const summary = document.querySelector('#settings > summary');
      if (summary) summary.textContent = n ? `Settings (${n} changed)` : 'Settings';
    },

    /** The server's 400 for a start (naming the field), next to the form; null clears it. */
    showFormError(message) {
      const box = document.getElementById('start-error');
      for (const f of document.querySelectorAll('#settings-body .field.invalid')) {
        f.classList.remove('invalid');
        const input = f.querySelector('input, select');
        if (input) input.removeAttribute('aria-invalid');
      }
      if (!box) return;
      if (!message) {
        box.hidden = true;
        box.textContent = '';
        return;
      }
      box.textContent = message;
      box.hidden = false;
      const m = /field `([a-z_]+)`/.exec(message);
      const target = m && this.settingsInputs[m[1]];
      if (target) {
        target.input.setAttribute('aria-invalid', 'true');
        target.input.closest('.field').classList.add('invalid');
        const details = document.getElementById('settings');
        if (details) details.open = true;
      }
    },

    // ------------------------------------------------------------------ notices

    notify(text, kind, sticky) {
      const box = document.getElementById('notice');
      box.hidden = false;
      box.dataset.kind = kind || 'info';
      box.replaceChildren(el('span', {}, text), el('button', { type: 'button', class: 'ghost close', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'));
      clearTimeout(this.noticeTimer);
      if (!sticky) this.noticeTimer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 9000 : 6000);
    },
  };

  window.Lab = Page; // for debugging in the console: Lab.panes
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => Page.init());
  } else {
    Page.init();
  }
})();
