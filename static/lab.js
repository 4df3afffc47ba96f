// The lab page: one run of one lab, drawn live from the run's event stream.
//
// Data flow: SSE message → Lab.queue → (once per animation frame) Lab.apply(event) updates the
// model and marks what changed as dirty → Lab.render() redraws only the dirty parts. The
// ledger (GET /api/runs/{id}/ledger) is the ground truth for the counters, duplicates and
// losses; it is refetched at most twice a second after events that can change it.
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
  const TIMELINE_TICK_MS = 100; // while consumers live, the timeline scrolls at 10 fps
  const LOG_CAP = 500; // DOM rows in the event log
  const LOG_MEMORY = 3000; // events kept to rebuild the log when its filter changes
  const SPANS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]; // offsets across a lane
  const SLIDE = 32; // past the widest span, a lane's window moves in steps of this
  const HEADROOM = 3; // free offsets right of the log end (room for its label)
  const MAX_TIMELINE_ROWS = 8;

  /** c1 → 0, c2 → 1, …: the consumer's colour and pattern. */
  function kOf(cid) {
    const n = parseInt(String(cid || '').replace(/^c/, ''), 10);
    return Number.isFinite(n) && n > 0 ? (n - 1) % PALETTE.length : 0;
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
    const sorted = [...list].sort((a, b) => a - b);
    const parts = [];
    let lo = sorted[0];
    let hi = lo;
    for (const p of sorted.slice(1).concat([null])) {
      if (p !== null && p === hi + 1) {
        hi = p;
        continue;
      }
      parts.push(lo === hi ? `P${lo}` : hi === lo + 1 ? `P${lo} P${hi}` : `P${lo}–${hi}`);
      lo = p;
      hi = p;
    }
    return parts.join(' ');
  }

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
    commit_completed: (e) => `${e.commit_id !== null && e.commit_id !== undefined ? `#${e.commit_id} ` : ''}${e.mode} ${e.error ? `FAILED: ${e.error}` : 'ok'}${e.latency_ms !== null && e.latency_ms !== undefined ? ` in ${ms(e.latency_ms)}` : ''} · ${offsetsText(e.offsets)}`,
    partitions_assigned: (e) => `onPartitionsAssigned ${partitionsText(e.partitions)}`,
    partitions_revoked: (e) => `onPartitionsRevoked ${partitionsText(e.partitions)}`,
    rebalance_done: (e) => `${e.kind} callback took ${ms(e.duration_ms)}`,
    paused: (e) => `paused after ${plural(e.processed, 'record')} (${e.held} held)`,
    resumed: () => 'resumed',
    wakeup: () => 'SIGTERM → wakeup() → WakeupException',
    closed: () => 'close(): left the group',
    killed: () => 'SIGKILL: no commit, no leave-group',
    exited: (e) => (e.signal ? `process ended by signal ${e.signal}` : `process exited with code ${e.code}`),
    offsets: (e) => (e.partitions || []).slice(0, 8).map((s) => `P${s.partition} end ${s.log_end} committed ${s.committed === null ? '–' : s.committed}`).join(' · '),
    fault: (e) => e.description,
    checkpoint: (e) => `✓ ${e.text}`,
    error: (e) => e.message,
  };

  const Lab = {
    app: null,
    def: null,
    controls: {},
    labId: '',
    ended: false,
    viewTimer: null,
    noticeTimer: null,
    settingsInputs: {},
    lastPrune: 0,
    run: null,
    es: null,
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
    countersDirty: true,
    consumersDirty: true,
    timelineDirty: true,
    lastTimelineDraw: 0,
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
    hideIdle: false,

    // ------------------------------------------------------------------ start-up

    async init() {
      this.app = document.getElementById('app');
      this.labId = this.app.dataset.lab;
      try {
        this.def = JSON.parse(document.getElementById('lab-def').textContent);
      } catch (e) {
        this.def = { topic: { partitions: Number(this.app.dataset.partitions) || 1 }, controls: {}, consumer: {} };
      }
      this.controls = this.def.controls || {};
      const n = (this.def.topic && this.def.topic.partitions) || 1;
      for (let p = 0; p < n; p++) this.partitions.push(this.makePartition(p));
      this.buildLanes();
      this.buildSettings();
      this.bindControls();
      this.bindLog();
      this.measure();
      this.render();
      if (await this.openRun()) {
        this.connect();
        this.scheduleLedger();
      }
    },

    /** Uses ?run= when it is a live run of this lab, else creates one (and records it in the URL). */
    async openRun() {
      const params = new URLSearchParams(location.search);
      const wanted = params.get('run');
      if (wanted) {
        const found = await api('GET', `/api/runs/${encodeURIComponent(wanted)}`);
        if (found.ok && found.body && found.body.lab === this.labId) {
          this.setRun(found.body, found.date);
          return true;
        }
        this.notify(`Run ${wanted} is gone (it expired or the server restarted): this is a new run.`, 'info');
      }
      const body = { lab: this.labId };
      const strategy = params.get('strategy');
      if (strategy && this.controls.strategy) body.params = { assignment_strategy: strategy };
      const created = await api('POST', '/api/runs', body);
      if (!created.ok) {
        this.setConn('failed', 'no run');
        this.notify(`Cannot start a run: ${(created.body && created.body.error) || created.status}`, 'error', true);
        return false;
      }
      params.set('run', created.body.id);
      params.delete('strategy');
      history.replaceState(null, '', `${location.pathname}?${params}`);
      const view = await api('GET', `/api/runs/${encodeURIComponent(created.body.id)}`);
      if (!view.ok) {
        this.notify(`The new run cannot be read: ${view.status}`, 'error', true);
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
      document.getElementById('run-id').textContent = view.id;
      document.getElementById('run-topic').textContent = view.topic;
      document.getElementById('run-group').textContent = view.group;
      const b = view.bootstrap_servers;
      const producer = document.getElementById('cmd-producer');
      const kcat = document.getElementById('cmd-kcat');
      if (producer) producer.textContent = `kafka-console-producer.sh --bootstrap-server ${b} --topic ${view.topic}`;
      if (kcat) kcat.textContent = `kcat -P -b ${b} -t ${view.topic}`;
      const strategy = document.getElementById('strategy');
      if (strategy && view.consumers.length) strategy.value = view.consumers[0].config.assignment_strategy;
      for (const c of view.checkpoints || []) {
        this.checkpoints.set(c.id, { id: c.id, text: c.text, reached: !!c.reached });
      }
      this.renderCheckpoints();
      for (const cv of view.consumers || []) this.consumer(cv.id).config = cv.config;
    },

    // ------------------------------------------------------------------ event stream

    connect() {
      const es = new EventSource(`/api/runs/${encodeURIComponent(this.run.id)}/events`);
      this.es = es;
      es.onopen = () => {
        this.setConn('live');
        this.consumersDirty = true;
        this.schedule();
      };
      es.onmessage = (m) => this.enqueue(m.data);
      es.addEventListener('gap', (m) => this.onGap(m.data));
      es.addEventListener('end', (m) => this.onEnd(m.data));
      es.onerror = () => {
        if (this.es !== es) return;
        if (es.readyState === EventSource.CLOSED) {
          this.setConn('ended', 'disconnected');
          this.notify('The event stream closed. Reload the page to reconnect.', 'error', true);
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
      this.notify(`Events ${gap.from ?? '?'}–${gap.to ?? '?'} are no longer in the run's log; the state was redrawn from the server.`, 'info');
      this.resync();
    },

    onEnd(reason) {
      if (this.es) this.es.close();
      this.es = null;
      this.ended = true;
      clearTimeout(this.ledgerTimer);
      clearTimeout(this.viewTimer);
      this.setConn('ended', 'ended');
      this.notify(`This run has ended (${reason || 'torn down'}). Press “New run” to start again.`, 'info', true);
      this.consumersDirty = true;
      this.schedule();
    },

    async resync() {
      const view = await api('GET', `/api/runs/${encodeURIComponent(this.run.id)}`);
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
        c.assigned = new Set(cv.assigned);
      }
      for (const pv of view.partitions) {
        const part = this.partitions[pv.partition];
        if (!part) continue;
        part.logEnd = Math.max(part.logEnd, pv.log_end);
        part.committed = pv.committed;
        part.owner = pv.owner;
        part.dirty = true;
      }
      for (const cp of view.checkpoints || []) this.checkpoints.set(cp.id, { id: cp.id, text: cp.text, reached: !!cp.reached });
      this.renderCheckpoints();
      this.consumersDirty = true;
      this.countersDirty = true;
      this.schedule();
    },

    setConn(state, text) {
      const conn = document.getElementById('conn');
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
        /** offset → {by: [consumer ids, in processing order], th: [their threads]} */
        recs: new Map(),
        values: new Map(),
        ledgerDup: new Set(),
        ledgerLost: new Set(),
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
          assigned: new Set(),
          assignOnly: null,
          exitCode: null,
          exitSignal: null,
          config: null,
          commitMode: null,
          threads: new Set(),
          groups: new Map(), // thread ('' for the main one) → the group it subscribed in
          pos: new Map(), // partition → next offset (last processed + 1)
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
        const view = await api('GET', `/api/runs/${encodeURIComponent(this.run.id)}`);
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
      const handler = this.handlers[ev.type];
      if (handler) handler.call(this, ev, c);
      this.logEvent(ev);
      if (LEDGER_EVENTS.has(ev.type)) this.scheduleLedger();
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
          c.assigned.add(ev.assigned_partition);
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
        c.posTs.set(ev.partition, ev.ts);
        if (!c.first.has(ev.partition)) c.first.set(ev.partition, ev.offset);
        c.processed += 1;
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
        this.timelineDirty = true;
      },
      partitions_assigned(ev, c) {
        for (const p of ev.partitions || []) {
          c.assigned.add(p);
          const part = this.part(p);
          if (part) {
            part.owner = c.id;
            part.dirty = true;
          }
        }
        this.mark(c, ev, `+${partitionsText(ev.partitions)}`, '#4b5563');
        this.ownersDirty();
      },
      partitions_revoked(ev, c) {
        for (const p of ev.partitions || []) {
          c.assigned.delete(p);
          const part = this.part(p);
          if (part && part.owner === c.id) {
            part.owner = null;
            part.dirty = true;
          }
        }
        this.mark(c, ev, `−${partitionsText(ev.partitions)}`, '#4b5563');
        this.ownersDirty();
      },
      paused(ev, c) {
        c.paused = true;
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
        c.assigned.clear();
        c.dirty = true;
        this.mark(c, ev, 'close', '#0072B2');
        this.endWindow(c, ev.ts);
        this.ownersDirty();
      },
      killed(ev, c) {
        c.status = 'killed';
        c.dirty = true;
        this.mark(c, ev, 'SIGKILL', ERROR_COLOUR);
        this.endWindow(c, ev.ts);
        this.ownersDirty();
      },
      exited(ev, c) {
        c.exitCode = ev.code;
        c.exitSignal = ev.signal;
        if (LIVE.has(c.status)) c.status = 'exited';
        c.paused = false;
        c.dirty = true;
        this.endWindow(c, ev.ts);
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
      const live = this.liveCount() > 0 || [...this.consumers.values()].some((c) => c.lastTs > this.serverNow() - WINDOW_MS);
      if (live && !this.tickTimer) {
        this.tickTimer = setTimeout(() => {
          this.tickTimer = null;
          this.timelineDirty = true;
          this.schedule();
        }, TIMELINE_TICK_MS);
      }
    },

    render() {
      this.renderLanes();
      if (this.consumersDirty || [...this.consumers.values()].some((c) => c.dirty)) this.renderConsumers();
      if (this.countersDirty) this.renderCounters();
      this.renderLog();
      if (this.timelineDirty) this.drawTimeline();
    },

    // ------------------------------------------------------------------ lanes

    buildLanes() {
      const lanes = document.getElementById('lanes');
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
      this.updateDensity();
    },

    updateDensity() {
      const cellPx = this.trackWidth / this.span;
      const density = cellPx >= 26 ? 'wide' : cellPx >= 12 ? 'mid' : 'thin';
      const lanes = document.getElementById('lanes');
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
        cls += ` processed k${kLast} f${kFirst}`;
        if (dup) cls += ' dup';
        title += ` · processed by ${r.by.join(', ')}${dup ? ' — DUPLICATE' : ''}`;
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
        setText(flag.firstChild, `${c.id} → ${pos}`);
        flag.title = `${c.id}'s position: next offset to read ${pos}${reading(c) ? '' : ` (${LIVE.has(c.status) ? 'no longer assigned' : c.status})`}`;
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
        cls = `owner k${kOf(part.owner)}${dead ? ' dead' : ''}`;
        text = part.owner;
        title = dead
          ? `${part.owner} is ${owner.status}, but the group still counts it as the owner until its session times out`
          : `Owned by ${part.owner}`;
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
      const box = document.getElementById('consumers');
      const empty = box.querySelector('.empty');
      if (empty && this.consumers.size) empty.remove();
      for (const c of this.consumers.values()) {
        if (!c.dom) this.buildCard(c, box);
        this.drawCard(c);
      }
      const start = this.app.querySelector('button[data-action="start"]');
      if (start && !start.dataset.busy) {
        const max = this.controls.max_consumers || 1;
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
      const exit = el('p', { class: 'exit' });
      const actions = el('div', { class: 'actions' });
      const buttons = {};
      const add = (action, label, title, extra) => {
        const b = el('button', { type: 'button', class: extra || '', dataset: { action }, title }, label);
        buttons[action] = b;
        actions.append(b);
      };
      if (this.controls.stop !== false) add('stop', 'Stop', 'SIGTERM: wakeup() → commitSync() → close()');
      if (this.controls.kill !== false) add('kill', 'Kill', 'SIGKILL: dies at once, no commit, no leave-group', 'danger');
      if (this.controls.steps) {
        add('pause', 'Pause', 'Stop processing (the poll loop keeps the consumer in the group)');
        add('resume', 'Resume', 'Continue processing');
        add('step', 'Step', 'Process one more record');
      }
      const card = el('article', { class: `consumer k${c.k}`, dataset: { consumer: c.id }, 'aria-label': `Consumer ${c.id}` },
        el('header', {}, el('span', { class: `chip k${c.k}` }, c.id), status, paused, pid),
        el('dl', { class: 'stats' },
          el('div', {}, el('dt', {}, 'processed'), processed),
          el('div', {}, el('dt', {}, 'partitions'), assigned),
          el('div', { title: 'Processed but not committed: what a crash now would process again' }, el('dt', {}, 'uncommitted'), uncommitted)),
        config, exit, actions);
      c.dom = { card, status, paused, pid, processed, assigned, uncommitted, config, exit, actions, buttons };
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
      const assigned = live && c.assigned.size ? partitionsText([...c.assigned]) : '–';
      setText(d.assigned, assigned);
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
      // Pause and Resume share a place: only the one that applies is shown.
      if (b.pause) b.pause.hidden = c.paused;
      if (b.resume) b.resume.hidden = !c.paused;
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
      if (c.threads.size > 1) parts.push(`threads ${[...c.threads].sort().join(' ')}`);
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
      setText(document.getElementById('count-processed'), String(processed));
      const dup = this.ledger ? this.ledger.duplicates : 0;
      const lost = this.ledger ? this.ledger.lost : 0;
      setText(document.getElementById('count-duplicates'), String(dup));
      setText(document.getElementById('count-lost'), String(lost));
      document.getElementById('count-duplicates').parentElement.classList.toggle('hot', dup > 0);
      document.getElementById('count-lost').parentElement.classList.toggle('hot', lost > 0);
      // Uncommitted counts on the cards follow committed offsets too.
      for (const c of this.consumers.values()) if (c.dom) setText(c.dom.uncommitted, String(this.uncommitted(c)));
    },

    renderCheckpoints() {
      const panel = document.getElementById('checkpoints-panel');
      const list = document.getElementById('checkpoints');
      if (!panel || !list) return;
      panel.hidden = this.checkpoints.size === 0;
      list.replaceChildren(...[...this.checkpoints.values()].map((cp) => el('li', {
        class: cp.reached ? 'reached' : '', dataset: { checkpoint: cp.id },
      }, el('span', { class: 'tick', 'aria-hidden': 'true' }, cp.reached ? '✓' : ''), el('span', { class: 'sr-only' }, cp.reached ? 'reached: ' : 'not yet: '), cp.text)));
    },

    // ------------------------------------------------------------------ event log

    bindLog() {
      const log = document.getElementById('log');
      const jump = document.getElementById('log-jump');
      log.addEventListener('scroll', () => {
        this.logPinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
        if (this.logPinned) {
          this.logUnseen = 0;
          jump.hidden = true;
        }
      }, { passive: true });
      jump.addEventListener('click', () => {
        log.scrollTop = log.scrollHeight;
        this.logPinned = true;
        this.logUnseen = 0;
        jump.hidden = true;
      });
      const hide = document.getElementById('hide-idle');
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
      return el('div', {
        class: `row t-${ev.type}${failed ? ' bad' : ''}${ev.type === 'checkpoint' ? ' good' : ''}`,
        dataset: { seq: ev.seq, type: ev.type },
      },
      el('span', { class: 'seq' }, ev.seq),
      el('time', {}, typeof ev.ts === 'number' ? clock(ev.ts) : ''),
      el('span', { class: k === null ? 'who none' : `who k${k}` }, ev.consumer ? `${ev.consumer}${ev.thread ? `·${ev.thread}` : ''}` : 'server'),
      el('span', { class: 'type' }, ev.type),
      el('span', { class: 'text' }, describe ? describe(ev) : ''));
    },

    renderLog() {
      if (!this.logPending.length) return;
      const log = document.getElementById('log');
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
        const jump = document.getElementById('log-jump');
        jump.hidden = false;
        jump.textContent = `↓ ${this.logUnseen} new`;
      }
    },

    // ------------------------------------------------------------------ commit timeline

    drawTimeline() {
      this.timelineDirty = false;
      const canvas = document.getElementById('timeline');
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
        ctx.fillText('Polls, records and commits appear here once a consumer runs.', LABEL, AXIS + ROW * 0.6);
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
      const form = document.getElementById('produce-form');
      if (form) {
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          this.produceTyped();
        });
      }
      const resize = () => {
        this.measure();
        for (const part of this.partitions) part.dirty = true;
        this.timelineDirty = true;
        this.schedule();
      };
      window.addEventListener('resize', resize);
      document.addEventListener('labs:resize', resize);
    },

    async act(button, action) {
      if (!this.run) return;
      const card = button.closest('.consumer');
      const cid = card ? card.dataset.consumer : null;
      const base = `/api/runs/${encodeURIComponent(this.run.id)}`;
      const calls = {
        'produce-batch': () => this.produce(this.controls.produce_batch || []),
        'produce-count': () => this.produceCount(Number(button.dataset.count) || 0),
        start: () => api('POST', `${base}/consumers`, this.settingsOverrides()),
        stop: () => api('POST', `${base}/consumers/${cid}/stop`),
        kill: () => api('POST', `${base}/consumers/${cid}/kill`),
        pause: () => api('POST', `${base}/consumers/${cid}/pause`),
        resume: () => api('POST', `${base}/consumers/${cid}/resume`),
        step: () => api('POST', `${base}/consumers/${cid}/step`, { records: 1 }),
        'fault-commit': () => api('POST', `${base}/faults`, { commit_errors: 1 }),
        'fault-slow': () => api('POST', `${base}/faults`, { rtt_ms: 500 }),
        'fault-clear': () => api('POST', `${base}/faults`, { rtt_ms: 0 }),
        'new-run': () => this.newRun(),
      };
      const call = calls[action];
      if (!call) return;
      button.dataset.busy = '1';
      button.disabled = true;
      let result;
      try {
        result = await call();
      } finally {
        delete button.dataset.busy;
        button.disabled = false;
        this.consumersDirty = true;
        this.schedule();
      }
      if (action === 'start' && result && result.ok && result.body && result.body.id) {
        this.consumer(result.body.id);
        this.schedule();
      }
      if (result && !result.ok) {
        this.notify(`${button.textContent.trim()}: ${(result.body && result.body.error) || `HTTP ${result.status}`}`, 'error');
      }
    },

    produce(values, keys) {
      if (!values.length) return Promise.resolve(null);
      const body = keys ? { values, keys } : { values };
      return api('POST', `/api/runs/${encodeURIComponent(this.run.id)}/produce`, body);
    },

    /**
     * Values 0 … n−1, each keyed by itself: keyed records spread over every partition (a
     * keyless batch may all land on one partition with a sticky partitioner).
     */
    async produceCount(n) {
      for (let i = 0; i < n; i += 10000) {
        const values = [];
        for (let v = i; v < Math.min(n, i + 10000); v++) values.push(String(v));
        const r = await this.produce(values, values);
        if (!r.ok) return r;
      }
      return { ok: true };
    },

    async produceTyped() {
      const input = document.getElementById('produce-value');
      const value = input.value;
      if (!value) return;
      input.disabled = true;
      const r = await this.produce([value]);
      input.disabled = false;
      input.focus();
      if (r && r.ok) input.value = '';
      else if (r) this.notify(`Produce: ${(r.body && r.body.error) || r.status}`, 'error');
    },

    async newRun() {
      const strategy = document.getElementById('strategy');
      this.notify('Stopping this run’s consumers…', 'info');
      if (this.es) this.es.close();
      this.es = null;
      await api('DELETE', `/api/runs/${encodeURIComponent(this.run.id)}`);
      const q = strategy ? `?strategy=${encodeURIComponent(strategy.value)}` : '';
      location.assign(`/labs/${encodeURIComponent(this.labId)}${q}`);
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

    /** [field, label, kind, options] shown in "Settings"; only changed fields are sent. */
    settingsFields() {
      const f = [
        ['commit_mode', 'commit mode', 'select', ['auto', 'auto-naive', 'sync-batch', 'sync-record', 'async', 'none']],
        ['auto_commit_interval_ms', 'auto.commit.interval.ms', 'number', { min: 100, step: 100 }],
        ['commit_every_records', 'commit every N records', 'number', { min: 1, placeholder: 'each batch' }],
        ['pause_after_records', 'pause after N records', 'number', { min: 1, placeholder: 'never' }],
        ['processing_delay_ms', 'processing delay (ms/record)', 'number', { min: 0 }],
        ['max_poll_records', 'max.poll.records', 'number', { min: 1 }],
        ['session_timeout_ms', 'session.timeout.ms', 'number', { min: 1000, step: 500 }],
        ['commit_on_revoke', 'commit in onPartitionsRevoked', 'checkbox'],
        ['commit_on_shutdown', 'commitSync() in the shutdown hook', 'checkbox'],
        ['retry_failed_commits', 'retry failed commits', 'checkbox'],
      ];
      if (this.controls.threads) {
        f.push(['threads', 'consumer threads', 'number', { min: 1, max: 8 }]);
        f.push(['thread_groups', 'thread groups', 'select', ['same', 'distinct']]);
        f.push(['worker_pool', 'worker pool threads', 'number', { min: 0, max: 16 }]);
      }
      return f;
    },

    buildSettings() {
      const body = document.getElementById('settings-body');
      if (!body) return;
      const defaults = this.def.consumer || {};
      this.settingsInputs = {};
      const rows = this.settingsFields().map(([name, label, kind, opts]) => {
        const id = `set-${name}`;
        let input;
        const dv = defaults[name];
        if (kind === 'select') {
          input = el('select', { id }, ...opts.map((o) => el('option', { value: o, selected: o === dv }, o)));
        } else if (kind === 'checkbox') {
          input = el('input', { id, type: 'checkbox' });
          input.checked = !!dv;
        } else {
          input = el('input', { id, type: 'number', inputmode: 'numeric', min: opts.min, max: opts.max, step: opts.step || 1, placeholder: opts.placeholder || '' });
          input.value = dv === null || dv === undefined ? '' : String(dv);
        }
        this.settingsInputs[name] = { input, kind, dv };
        return el('div', { class: `field f-${kind}` }, el('label', { for: id }, label), input);
      });
      const reset = el('button', { type: 'button', class: 'ghost' }, 'Lab defaults');
      reset.addEventListener('click', () => {
        for (const { input, kind, dv } of Object.values(this.settingsInputs)) {
          if (kind === 'checkbox') input.checked = !!dv;
          else input.value = dv === null || dv === undefined ? '' : String(dv);
        }
        this.updateSettingsSummary();
      });
      body.append(...rows, el('p', { class: 'hint' }, 'Used by the next “Start consumer”.'), reset);
      body.addEventListener('input', () => this.updateSettingsSummary());
      body.addEventListener('change', () => this.updateSettingsSummary());
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

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function sameSet(a, b) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }

  window.Lab = Lab; // for debugging in the console
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => Lab.init());
  } else {
    Lab.init();
  }
})();
