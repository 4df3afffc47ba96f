// Shared by the browser flows: launch Debian's Chromium through playwright-core, watch every
// page for console errors and failed requests, and wait on conditions with deadlines.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const TIMEOUT = 30_000;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.ARTIFACTS_DIR || 'target/browser-artifacts';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

const started = Date.now();

export function log(...args) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${s}s]`, ...args);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function baseUrl() {
  const base = process.argv[2];
  if (!base) {
    console.error('usage: node <flow>.mjs http://127.0.0.1:PORT');
    process.exit(2);
  }
  return base.replace(/\/$/, '');
}

export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/**
 * In every page, `drawnCells(root)`: the cells shown by a lane, or by every lane inside `root`
 * (a pane, `#lanes`, the document), whether drawn as elements (wide and mid cells) or painted
 * on a lane's canvas (thin cells: `canvas.painted`, see static/lab/views/lane-canvas.js), as
 * `{ partition, offset, processed, dup, lost, count }`.
 */
function defineDrawnCells() {
  const ofLane = (lane) => {
    const partition = Number(lane.dataset.partition);
    const canvas = lane.querySelector('canvas.cell-canvas');
    if (canvas && !canvas.hidden && canvas.painted) {
      const { start, kinds, counts } = canvas.painted;
      const cells = [];
      kinds.forEach((k, i) => {
        if (k) cells.push({ partition, offset: start + i, processed: (k & 2) !== 0, dup: (k & 4) !== 0, lost: (k & 8) !== 0, count: counts[i] });
      });
      return cells;
    }
    return [...lane.querySelectorAll('.cell[data-offset]')].map((c) => ({
      partition,
      offset: Number(c.dataset.offset),
      processed: c.classList.contains('processed'),
      dup: c.classList.contains('dup'),
      lost: c.classList.contains('lost'),
      count: Number(c.dataset.count || (c.classList.contains('processed') ? 1 : 0)),
    }));
  };
  window.drawnCells = (root) => (root.classList && root.classList.contains('lane')
    ? ofLane(root)
    : [...root.querySelectorAll('.lane[data-partition]')].flatMap(ofLane));
}

/**
 * A page whose problems are collected: console errors, uncaught exceptions, failed requests
 * and responses >= 400. `guard.check()` throws listing them. The browser asks for English
 * (`locale`, hence `Accept-Language`) unless told otherwise: the flows assert English texts.
 */
export async function guardedPage(browser, viewport = { width: 1280, height: 900 }, { locale = 'en-US', context: shared = null } = {}) {
  // `context`: another tab of the same browser (the same trainee: its session cookie).
  const context = shared || await browser.newContext({ viewport, deviceScaleFactor: 1, locale });
  if (!shared) await context.addInitScript(defineDrawnCells);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  // Each problem is an object, so that a response's body, read after the fact, is added to its
  // own problem even when `allow` has since dropped it (by index it landed on another one, or
  // brought a dropped one back as "undefined …").
  const problems = [];
  const report = (text) => {
    const problem = { text };
    problems.push(problem);
    return problem;
  };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = (m.location() && m.location().url) || page.url();
    report(`console error: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => report(`uncaught: ${e.message} (${page.url()})`));
  // A navigation (reload, goto) aborts every request its old document still had open: an event
  // stream, or a ledger fetch that was in flight. That is the browser leaving the page, not a
  // failure. Requests are tagged with the number of navigations started before them.
  let navigations = 0;
  let navigating = false; // from a navigation's request until its document commits
  const startedAfter = new WeakMap();
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) {
      navigations += 1;
      navigating = true;
    }
    startedAfter.set(r, navigations);
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigating = false;
  });
  page.on('requestfailed', (r) => {
    const failure = r.failure() ? r.failure().errorText : '?';
    const aborted = /ERR_ABORTED/.test(failure);
    // An open event stream is cut when the page it belongs to goes away: not a failure.
    const streamCut = aborted && /\/events(\?|$)/.test(r.url());
    const leftBehind = aborted && !r.isNavigationRequest()
      && (navigating || startedAfter.get(r) < navigations);
    if (!streamCut && !leftBehind) report(`request failed: ${r.method()} ${r.url()}: ${failure}`);
  });
  // Requests not yet finished (answered in full or failed): `guard.settle` waits on them.
  const inFlight = new Set();
  const finished = new EventTarget();
  page.on('request', (r) => inFlight.add(r));
  for (const ended of ['requestfinished', 'requestfailed']) {
    page.on(ended, (r) => {
      inFlight.delete(r);
      finished.dispatchEvent(new Event('finished'));
    });
  }
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const problem = report(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    // The server's JSON message, when it comes in time for the report.
    r.text().then((body) => { problem.text += ` ${body.slice(0, 300)}`; }, () => {});
  });
  const guard = {
    problems,
    /** Forgets problems matching `pattern` (ones a flow caused on purpose). */
    allow(pattern) {
      const keep = problems.filter((p) => !pattern.test(p.text));
      problems.splice(0, problems.length, ...keep);
    },
    /**
     * Waits until no request whose URL matches `pattern` is in flight (event streams aside),
     * so that the answers to requests a page sent before a run ended are in before `allow`.
     */
    async settle(pattern, what = String(pattern)) {
      const busy = () => [...inFlight].some((r) => pattern.test(r.url()) && !/\/events(\?|$)/.test(r.url()));
      const deadline = Date.now() + TIMEOUT;
      while (busy()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${what}: requests still in flight after ${TIMEOUT} ms`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          finished.addEventListener('finished', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
      }
    },
    check(what) {
      if (problems.length) {
        throw new Error(`${what}: ${problems.length} problem(s):\n  ${problems.map((p) => p.text).join('\n  ')}`);
      }
    },
  };
  return { context, page, guard };
}

/** Waits for `fn(arg)` (run in the page) to be truthy; the message says what was awaited. */
export async function waitFor(page, what, fn, arg, timeout = TIMEOUT) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout, polling: 100 });
    return await handle.jsonValue();
  } catch (e) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what}: ${e.message.split('\n')[0]}`);
  }
}

/**
 * Polls `fn(arg)` in the page (it may be async, e.g. fetch the API) until it returns something
 * truthy, which is returned; fails after the deadline with the last value seen.
 */
export async function poll(page, what, fn, arg, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await page.evaluate(fn, arg);
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 150)); // polling interval, not a synchronisation
  }
}

/** The lab page's run id, once the page has one and its event stream is open. */
export async function waitForRun(page) {
  await waitFor(page, 'the run id and a live event stream', () => {
    const id = document.getElementById('run-id');
    const conn = document.getElementById('conn');
    return id && id.textContent.trim() && conn && conn.dataset.state === 'live';
  });
  return (await page.textContent('#run-id')).trim();
}

export async function screenshot(page, name) {
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: false });
  log(`screenshot ${path}`);
  return path;
}

/** Runs a flow; on failure saves a screenshot of every open page and exits 1. */
export async function run(name, flow) {
  let browser;
  try {
    browser = await launch();
    await flow(browser);
    log(`${name}: ok`);
    await browser.close();
    process.exit(0);
  } catch (e) {
    console.error(`${name}: FAILED\n${e.stack || e}`);
    if (browser) {
      let i = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          const path = join(ARTIFACTS, `failure-${name}-${i++}.png`);
          await page.screenshot({ path, fullPage: true }).catch(() => {});
          console.error(`  page ${page.url()} → ${path}`);
        }
      }
      await browser.close().catch(() => {});
    }
    process.exit(1);
  }
}
