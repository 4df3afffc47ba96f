// One run's model bound to its views, whatever feeds it events: the live page's Pane (an SSE
// stream, page/pane.js) or the replay page's player (an exported file, static/replay/). Here:
// the model, the views, the frame loop and the clock the drawings read.
//
// A source calls `feed(events)` (they are applied on the next animation frame) or applies them
// itself through `applyNow(events)` and calls `schedule()`. `now()` is the clock the drawings
// that move with time read (the commit timeline, the swimlanes, the lag graphs): the server's
// clock on a live page, the replayed event's time on the replay page.

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

const TIMELINE_TICK_MS = 100; // while consumers live, the timelines scroll at 10 fps
const LAG_DRAW_MS = 100; // the lag panel and its graphs redraw at most 10 times a second

/**
 * page: {def (the lab), controls, burrow, lagLab, changed()}; root: the elements' container
 * (found by their `data-el` name; a missing element is not drawn); opts: {key, label, hideIdle}.
 */
export class RunDrawing {
  constructor(page, root, opts) {
    Object.assign(this, {
      page,
      root,
      key: opts.key,
      label: opts.label || '',
      hideIdle: !!opts.hideIdle,
      els: {},
      m: null,
      /** The run's view (id, topic, group, consumers' configs), once known. */
      run: null,
      /** No more events will come (the stream ended, or a replay): controls are off. */
      ended: false,
      queue: [],
      frameRequested: false,
      tickTimer: null,
      lagDrawnAt: 0,
      lagTimer: null,
      /** Views to redraw whatever the model says (after a resize, a tick, a button). */
      force: new Set(['lanes', 'consumers', 'producer', 'timeline', 'swim', 'lag', 'inside', 'counters', 'checkpoints']),
      drawn: {},
    });
  }

  /** The element called `name` (data-el), or null. */
  el(name) {
    if (!(name in this.els)) this.els[name] = this.root.querySelector(`[data-el="${name}"]`);
    return this.els[name];
  }

  /** The clock the moving drawings read (ms since the epoch). */
  now() {
    return Date.now();
  }

  /** Whether the drawing has no live event source (its controls are off). */
  sourceClosed() {
    return this.ended;
  }

  setup(partitionCount, group) {
    const page = this.page;
    this.m = model.createRun({ partitions: partitionCount, group });
    this.views = {
      lanes: createLanesView(this.el('lanes')),
      swim: createSwimView(this.el('swim')),
      lag: createLagView(this.el('lag'), page.burrow, this.el('lag-settings')),
      // The lag chapter: the consumer's own view beside the outside one, and the offsets reset.
      inside: createInsideView(page.lagLab ? this.el('inside') : null),
      reset: page.lagLab && !page.readOnly ? createResetControl(this, this.el('lag-reset'), this.el('reset-offsets'), this.el('reset-error')) : { draw() {} },
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

  /** Events to apply on the next frame. */
  feed(events) {
    for (const ev of events) this.queue.push(ev);
    this.schedule();
  }

  /**
   * Applies stamped events to the model at once (each seq once) and tells the Java trace;
   * returns whether the ledger or the guided steps may have changed.
   */
  applyNow(events) {
    let ledger = false;
    let steps = false;
    for (const ev of events) {
      const out = model.applyEvent(this.m, ev);
      if (!out) continue;
      this.views.java.event(ev);
      this.applied(ev);
      ledger = ledger || out.ledger;
      steps = steps || out.steps;
    }
    this.afterApply();
    return { ledger, steps };
  }

  /** One event was applied (a live source learns the server's clock from it). */
  applied() {}

  /** After events were applied: consumers that appeared (a live source fetches their settings). */
  afterApply() {
    model.takeJoined(this.m);
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
    const out = this.applyNow(batch);
    this.afterFrameApply(out);
    this.render();
    this.keepMoving();
  }

  /** What a source does once a frame's events are applied (refetch the ledger, …). */
  afterFrameApply() {}

  /** While the drawings move with time, redraw them ten times a second. */
  keepMoving() {
    const m = this.m;
    const now = this.now();
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
    const now = this.now();
    const ctx = { hasRun: !!this.run, ended: this.sourceClosed() };
    // The views that read layout (scroll positions, sizes) draw first, the lanes (hundreds of
    // cells moving at a fast producer) last: a layout read after a change makes the browser lay
    // out the page at once, so reads after the lanes changed laid them out twice a frame
    // (benches/page_fps.mjs). The log is contained: laying it out is the log alone.
    model.layoutLanes(m);
    v.log.draw(m);
    v.consumers.draw(m, ctx, this.force.delete('consumers'));
    v.java.draw(m);
    if (this.due('timeline', m.rev.timeline)) {
      model.pruneTimeline(m, now);
      v.timeline.draw(m, now);
    }
    v.callbacks.draw(m);
    v.lanes.draw(m, this.force.delete('lanes'));
    if (this.due('counters', m.rev.counters)) {
      v.counters.draw(m);
      v.consumers.drawUncommitted(m);
    }
    if (this.due('swim', m.rev.swim)) {
      model.pruneSwim(m, now);
      v.swim.draw(m, now);
    }
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
