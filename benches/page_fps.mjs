// The lab page under load (issue 15 goal 3: "the lab page stays at 60 fps drawing 10,000
// events/s"). Run by `cargo bench --bench page_fps`, which starts the server and passes its
// address: `node benches/page_fps.mjs http://127.0.0.1:PORT`.
//
// Opens a lab page in Debian's Chromium (playwright-core, as the browser flows do), starts one
// consumer, then measures two windows side by side in the same page: IDLE_SECS with the
// consumer polling and nothing produced, and LOAD_SECS with the run's background producer at
// RATE records/s. In each window the page itself records every animation frame
// (requestAnimationFrame timestamps), the long animation frames (PerformanceObserver
// 'long-animation-frame': frames whose work took over 50 ms) and long tasks ('longtask'), and
// counts the stream's messages as they arrive. Prints one line per window and the ratios; the
// JSON summary on the last line is for scripts.
//
// Env: LAB (default simple-consumer), RATE (10000), IDLE_SECS (3), LOAD_SECS (10); PROFILE=1
// also records a CPU profile of the page (Chrome DevTools protocol) over the load window and
// prints the functions with the most self time.
import { readdirSync, readFileSync } from 'node:fs';
import { guardedPage, launch, log, screenshot, waitFor, waitForRun } from '../tests/browser/lib.mjs';

const base = (process.argv[2] || '').replace(/\/$/, '');
if (!base) {
  console.error('usage: node benches/page_fps.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const LAB = process.env.LAB || 'simple-consumer';
const RATE = Number(process.env.RATE || 10_000);
const IDLE_SECS = Number(process.env.IDLE_SECS || 3);
const LOAD_SECS = Number(process.env.LOAD_SECS || 10);

/** Installed before the page's scripts: counts stream messages, observes long frames. */
function instrument() {
  const probe = { messages: 0, events: 0, bytes: 0, frames: [], loaf: [], longtasks: [], recording: false };
  window.__fps = probe;
  const desc = Object.getOwnPropertyDescriptor(EventSource.prototype, 'onmessage');
  Object.defineProperty(EventSource.prototype, 'onmessage', {
    configurable: true,
    get() {
      return desc.get.call(this);
    },
    set(fn) {
      desc.set.call(this, (msg) => {
        probe.messages += 1;
        probe.events += 1;
        probe.bytes += msg.data.length;
        return fn.call(this, msg);
      });
    },
  });
  // `batch` messages (the lab page asks for them): one message, many events.
  const addListener = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function add(type, fn, opts) {
    if (type !== 'batch') return addListener.call(this, type, fn, opts);
    return addListener.call(this, type, (msg) => {
      probe.messages += 1;
      probe.events += (msg.data.match(/"seq":/g) || []).length;
      probe.bytes += msg.data.length;
      return fn.call(this, msg);
    }, opts);
  };
  const observe = (type, into) => {
    try {
      new PerformanceObserver((list) => {
        if (!probe.recording) return;
        for (const e of list.getEntries()) {
          into.push({
            start: e.startTime,
            duration: e.duration,
            blocking: e.blockingDuration || 0,
            // Long animation frames: where the frame went (render = style, layout, paint).
            render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
            scripts: (e.scripts || []).map((x) => ({
              what: `${x.invoker || '?'} ${(x.sourceFunctionName || '')}`.trim(),
              duration: x.duration,
              forced: x.forcedStyleAndLayoutDuration || 0,
            })),
          });
        }
      }).observe({ type, buffered: false });
      return true;
    } catch (e) {
      return false;
    }
  };
  probe.observes = { loaf: observe('long-animation-frame', probe.loaf), longtask: observe('longtask', probe.longtasks) };
  const tick = (t) => {
    if (probe.recording) probe.frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** In the page: starts a window (clears what the last one recorded). */
function startWindow() {
  const p = window.__fps;
  Object.assign(p, { frames: [], messages: 0, events: 0, bytes: 0, recording: true, t0: performance.now() });
  p.loaf.length = 0;
  p.longtasks.length = 0;
}

/** In the page: ends the window and returns what it recorded. */
function endWindow() {
  const p = window.__fps;
  p.recording = false;
  const secs = (performance.now() - p.t0) / 1000;
  const gaps = [];
  for (let i = 1; i < p.frames.length; i++) gaps.push(p.frames[i] - p.frames[i - 1]);
  return {
    secs,
    frames: p.frames.length,
    gaps,
    messages: p.messages,
    events: p.events,
    bytes: p.bytes,
    loaf: p.loaf.slice(),
    longtasks: p.longtasks.slice(),
    observes: p.observes,
    elements: document.getElementsByTagName('*').length,
    processed: Number(document.getElementById('count-processed')?.textContent.replace(/[^0-9]/g, '') || 0),
  };
}

const quantile = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

/**
 * CPU seconds of this script's Chromium processes by kind (`--type=renderer`, `gpu-process`,
 * …; `browser` for the main one), from /proc: how much of a core each got, whatever the load.
 */
function chromiumCpu() {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      procs.push({ pid: Number(pid), ppid: Number(f[1]), secs: (Number(f[11]) + Number(f[12])) / 100, cmd });
    } catch (e) {
      /* gone meanwhile */
    }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  const out = {};
  for (const p of procs) {
    if (!ours.has(p.pid) || p.pid === process.pid || !p.cmd.includes('chrom')) continue;
    const kind = (p.cmd.match(/--type=([a-z-]+)/) || [null, 'browser'])[1];
    out[kind] = (out[kind] || 0) + p.secs;
  }
  return out;
}

const cpuSplit = (a, b, secs) => Object.keys(b).sort()
  .map((k) => `${k} ${Math.round((100 * (b[k] - (a[k] || 0))) / secs)}%`).join(', ');

/** The renderer's own time split (Chrome DevTools protocol `Performance.getMetrics`). */
async function rendererMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((x) => [x.name, x.value]));
}

function summarise(name, w, processedBefore, m0, m1) {
  const over = (ms) => w.gaps.filter((g) => g > ms).length;
  const s = {
    window: name,
    secs: +w.secs.toFixed(2),
    fps: +(w.frames / w.secs).toFixed(1),
    frame_p50_ms: +quantile(w.gaps, 0.5).toFixed(1),
    frame_p99_ms: +quantile(w.gaps, 0.99).toFixed(1),
    frame_max_ms: +Math.max(0, ...w.gaps).toFixed(1),
    // A frame that took over two 60 Hz frames: one was dropped.
    frames_over_33ms: over(1000 / 30),
    long_animation_frames: w.loaf.length,
    loaf_blocking_ms: +w.loaf.reduce((n, e) => n + e.blocking, 0).toFixed(0),
    loaf_max_ms: +Math.max(0, ...w.loaf.map((e) => e.duration)).toFixed(0),
    long_tasks: w.longtasks.length,
    long_task_ms: +w.longtasks.reduce((n, e) => n + e.duration, 0).toFixed(0),
    messages_per_sec: Math.round(w.messages / w.secs),
    events_per_sec: Math.round(w.events / w.secs),
    kib_per_sec: Math.round(w.bytes / 1024 / w.secs),
    records_per_sec: Math.round((w.processed - processedBefore) / w.secs),
    dom_elements: w.elements,
    // Share of the window the renderer's main thread spent in each (DevTools metrics).
    script_pct: Math.round((100 * (m1.ScriptDuration - m0.ScriptDuration)) / w.secs),
    style_pct: Math.round((100 * (m1.RecalcStyleDuration - m0.RecalcStyleDuration)) / w.secs),
    layout_pct: Math.round((100 * (m1.LayoutDuration - m0.LayoutDuration)) / w.secs),
    task_pct: Math.round((100 * (m1.TaskDuration - m0.TaskDuration)) / w.secs),
  };
  const scripts = new Map();
  for (const f of w.loaf) {
    for (const x of f.scripts) {
      const a = scripts.get(x.what) || { ms: 0, forced: 0, n: 0 };
      a.ms += x.duration;
      a.forced += x.forced;
      a.n += 1;
      scripts.set(x.what, a);
    }
  }
  s.loaf_render_ms = Math.round(w.loaf.reduce((n, e) => n + e.render, 0));
  s.loaf_scripts = [...scripts.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6)
    .map(([what, a]) => `${what} ×${a.n} ${Math.round(a.ms)} ms (forced layout ${Math.round(a.forced)} ms)`);
  log(
    `${name.padEnd(5)} ${s.fps} fps, frame p50 ${s.frame_p50_ms} ms p99 ${s.frame_p99_ms} ms max ${s.frame_max_ms} ms, `
      + `${s.frames_over_33ms} frames over 33 ms; long animation frames ${s.long_animation_frames} `
      + `(blocking ${s.loaf_blocking_ms} ms, longest ${s.loaf_max_ms} ms), long tasks ${s.long_tasks} (${s.long_task_ms} ms); `
      + `stream ${s.events_per_sec} events/s in ${s.messages_per_sec} messages/s (${s.kib_per_sec} KiB/s), drawn ${s.records_per_sec} records/s processed; `
      + `main thread busy ${s.task_pct}% (script ${s.script_pct}%, style ${s.style_pct}%, layout ${s.layout_pct}%), ${s.dom_elements} elements`,
  );
  if (w.loaf.length) log(`      in long frames: rendering ${s.loaf_render_ms} ms; scripts: ${s.loaf_scripts.join('; ')}`);
  return s;
}

/** The `top` functions by self time in a DevTools CPU profile, as lines. */
function topFunctions(profile, top = 15) {
  const dt = profile.timeDeltas || [];
  const selfMs = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  (profile.samples || []).forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const url = f.url ? f.url.replace(/^.*\/static\//, 'static/') : '';
    const key = `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
    selfMs.set(key, (selfMs.get(key) || 0) + (dt[i] || 0) / 1000);
  });
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  // Inclusive time of the page's own functions: self time of a node and all below it.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  (profile.samples || []).forEach((id, i) => {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (!f.url.includes('/static/')) continue;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/static\//, 'static/')}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) || 0) + (dt[i] || 0) / 1000);
    }
  });
  const lines = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`);
  return [...lines(selfMs, top), 'inclusive:', ...lines(incl, top)];
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms)); // a measurement window, not a sync

const browser = await launch();
try {
  const { context, page, guard } = await guardedPage(browser, { width: 1440, height: 900 });
  await page.addInitScript(instrument);
  await page.goto(`${base}/labs/${LAB}`);
  const runId = await waitForRun(page);
  log(`lab ${LAB}, run ${runId}, Chromium ${browser.version()}`);
  await page.click('button[data-action="start"]');
  await waitFor(page, 'c1 running and assigned', () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    return card && card.querySelector('.status')?.textContent === 'running'
      && document.querySelectorAll('#log .row[data-type="partitions_assigned"]').length > 0;
  });
  const observes = await page.evaluate(() => window.__fps.observes);
  log(`observers: long-animation-frame ${observes.loaf}, longtask ${observes.longtask}`);

  const processed = () => page.evaluate(() => Number(document.getElementById('count-processed')?.textContent.replace(/[^0-9]/g, '') || 0));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let before = await processed();
  let m0 = await rendererMetrics(cdp);
  let cpu0 = chromiumCpu();
  await page.evaluate(startWindow);
  await wait(IDLE_SECS * 1000);
  const idle = summarise('idle', await page.evaluate(endWindow), before, m0, await rendererMetrics(cdp));
  idle.chromium_cpu = cpuSplit(cpu0, chromiumCpu(), idle.secs);
  log(`      Chromium CPU (% of a core): ${idle.chromium_cpu}`);

  // Diagnosis: HIDE="css selector" takes those parts of the page out of the layout.
  if (process.env.HIDE) await page.evaluate((sel) => document.querySelectorAll(sel).forEach((e) => { e.style.display = 'none'; }), process.env.HIDE);
  const producer = (rate) => context.request.post(`${base}/api/runs/${runId}/producer`, { data: { rate_per_sec: rate } });
  const started = await producer(RATE);
  if (!started.ok()) throw new Error(`producer at ${RATE}/s: HTTP ${started.status()} ${await started.text()}`);
  // The first second fills the pipeline: measured from then on.
  await wait(1000);
  before = await processed();
  const profiling = !!process.env.PROFILE;
  if (profiling) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const tracing = !!process.env.TRACE;
  if (tracing) await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'v8'] });
  m0 = await rendererMetrics(cdp);
  cpu0 = chromiumCpu();
  await page.evaluate(startWindow);
  await wait(LOAD_SECS * 1000);
  const load = summarise('load', await page.evaluate(endWindow), before, m0, await rendererMetrics(cdp));
  await screenshot(page, `page-fps-${LAB}-${RATE}.png`);
  load.chromium_cpu = cpuSplit(cpu0, chromiumCpu(), load.secs);
  log(`      Chromium CPU (% of a core): ${load.chromium_cpu}`);
  if (tracing) {
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const events = trace.traceEvents || trace;
    const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const byName = new Map();
    for (const e of events) {
      if (e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`)) continue;
      byName.set(e.name, (byName.get(e.name) || 0) + (e.dur || 0) / 1000);
    }
    const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
    log(`trace of the renderer's main thread, total ms by event (nested events count in their parents too):\n  ${top.map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${k}`).join('\n  ')}`);
  }
  if (profiling) {
    const { profile } = await cdp.send('Profiler.stop');
    log(`CPU profile of the page over the load window, self time:\n  ${topFunctions(profile).join('\n  ')}`);
  }
  await producer(0);
  const ledger = await (await context.request.get(`${base}/api/runs/${runId}/ledger`)).json();
  const total = ledger.partitions.reduce((n, p) => n + p.processed, 0);
  log(`ledger: ${total} processed, ${ledger.duplicates} duplicates, ${ledger.lost} lost; page shows ${await processed()}`);
  log(`ratios load / idle: fps ${(load.fps / idle.fps).toFixed(2)}, frame p99 ${(load.frame_p99_ms / idle.frame_p99_ms).toFixed(2)}`);
  guard.check('the page under load');
  console.log(JSON.stringify({ lab: LAB, rate: RATE, idle, load }));
  await browser.close();
} catch (e) {
  console.error(`page_fps: FAILED\n${e.stack || e}`);
  await browser.close().catch(() => {});
  process.exit(1);
}
