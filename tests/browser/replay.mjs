// Export and replay, and the read-only view. A run of the auto-commit lab with duplicates
// (11 records processed without a commit, SIGKILL, a restart reads them again) is watched
// through `?view=watch` while it is live: no control visible, no request but GETs. Then it is
// exported through the API, opened on /replay through the file input and played to the end at
// high speed: the counters (recounted from the events) equal the exported ledger. A broken file
// shows its error, not a console error.
import { assert, baseUrl, guardedPage, log, poll, run, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const OPTIONS = { session_timeout_ms: 2000, auto_commit_interval_ms: 60000 };

/** A JSON API call from the page. */
async function call(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const r = await fetch(p, { method: m, headers: { 'content-type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [method, path, body]);
}

/** Waits until consumer `cid` of the run satisfies `test(view of c)`; returns that view. */
async function consumerState(page, runId, cid, what, test) {
  const deadline = Date.now() + 30_000;
  let last = null;
  for (;;) {
    const view = await call(page, 'GET', `/api/runs/${runId}`);
    last = (view.body.consumers || []).find((x) => x.id === cid) || null;
    if (last && test(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150)); // polling interval, not a synchronisation
  }
}

run('replay', async (browser) => {
  const { context, page, guard } = await guardedPage(browser);
  await page.goto(`${base}/`);
  assert(await page.isVisible('a[href="/replay"]'), 'the home page links to the replay page');
  const created = await call(page, 'POST', '/api/runs', { lab: 'auto-commit' });
  assert(created.status === 201, `run created: ${created.status}`);
  const runId = created.body.id;
  const values = Array.from({ length: 20 }, (_, i) => String(i));
  assert((await call(page, 'POST', `/api/runs/${runId}/produce`, { values })).status === 200, 'produced');
  assert((await call(page, 'POST', `/api/runs/${runId}/consumers`, { ...OPTIONS, pause_after_records: 11 })).status === 201, 'c1 started');
  await consumerState(page, runId, 'c1', 'c1 paused after 11 records', (c) => c.paused && c.processed === 11);
  assert((await call(page, 'POST', `/api/runs/${runId}/consumers/c1/kill`)).status === 202, 'c1 killed');
  await consumerState(page, runId, 'c1', 'c1 gone', (c) => c.status === 'killed' || c.status === 'exited');
  assert((await call(page, 'POST', `/api/runs/${runId}/consumers`, OPTIONS)).status === 201, 'c2 started');
  await consumerState(page, runId, 'c2', 'c2 read everything', (c) => c.processed === 20);

  // ---------------------------------------------------------------- read-only view, live
  // The same browser (the same trainee session): a run is only visible to its own session.
  const watchPage = await context.newPage();
  const watch = { page: watchPage, problems: [] };
  watchPage.on('console', (m) => m.type() === 'error' && watch.problems.push(`console error: ${m.text()}`));
  watchPage.on('pageerror', (e) => watch.problems.push(`uncaught: ${e.message}`));
  watchPage.on('response', (r) => r.status() >= 400 && watch.problems.push(`HTTP ${r.status()}: ${r.url()}`));
  const sent = [];
  watch.page.on('request', (r) => {
    if (r.method() !== 'GET') sent.push(`${r.method()} ${r.url()}`);
  });
  await watch.page.goto(`${base}/labs/auto-commit?run=${runId}&view=watch`);
  const watched = await waitForRun(watch.page);
  assert(watched === runId, `the read-only view shows run ${runId}, not ${watched}`);
  assert(await watch.page.isVisible('.read-only-banner'), 'the read-only banner shows');
  await waitFor(watch.page, 'both consumer cards drawn', () => document.querySelectorAll('.consumer[data-consumer]').length === 2);
  await waitFor(watch.page, 'the live counters', () => Number(document.getElementById('count-duplicates').textContent) === 11);
  const visibleControls = await watch.page.$$eval('button[data-action], #settings, #produce-form, #rate-form, .consumer .actions button',
    (nodes) => nodes.filter((n) => n.offsetParent !== null).map((n) => n.dataset.action || n.id || n.className));
  assert(visibleControls.length === 0, `no control is visible in the read-only view: ${visibleControls.join(', ')}`);
  const exportHref = await watch.page.getAttribute('a[data-el="export"]', 'href');
  assert(exportHref === `/api/runs/${runId}/export` && await watch.page.isVisible('a[data-el="export"]'), `the export link stays: ${exportHref}`);
  // Even the page's own API refuses to send anything but a GET.
  const refused = await watch.page.evaluate(async (id) => {
    const { api } = await import('/static/lab/api.js');
    try {
      await api('POST', `/api/runs/${id}/consumers`, {});
      return 'sent';
    } catch (e) {
      return e.code;
    }
  }, runId);
  assert(refused === 'read_only', `a control request from the read-only page is refused before it leaves: ${refused}`);
  assert(sent.length === 0, `the read-only view sent no control request: ${sent.join(', ')}`);
  assert(watch.problems.length === 0, `read-only view: ${watch.problems.join('; ')}`);
  await watchPage.close();
  await page.bringToFront();

  // A graceful stop: the ledger does not change after c2 exits.
  assert((await call(page, 'POST', `/api/runs/${runId}/consumers/c2/stop`)).status === 202, 'c2 stopped');
  await consumerState(page, runId, 'c2', 'c2 exited', (c) => c.exit_code !== null || c.exit_signal !== null);

  // ---------------------------------------------------------------- export
  const exported = await page.evaluate(async (id) => {
    const r = await fetch(`/api/runs/${id}/export`);
    return { status: r.status, disposition: r.headers.get('content-disposition'), text: await r.text() };
  }, runId);
  assert(exported.status === 200, `export answered ${exported.status}`);
  assert(exported.disposition === `attachment; filename="auto-commit-${runId}.json"`, exported.disposition);
  const file = JSON.parse(exported.text);
  const { duplicates, lost } = file.ledger;
  log(`exported ${file.events.length} events, ${duplicates} duplicates, ${lost} lost`);
  assert(duplicates === 11 && lost === 0, `the run's ledger: ${duplicates} duplicates, ${lost} lost`);

  // ---------------------------------------------------------------- replay
  await page.goto(`${base}/replay`);
  await page.setInputFiles('#replay-file', { name: `auto-commit-${runId}.json`, mimeType: 'application/json', buffer: Buffer.from(exported.text) });
  await waitFor(page, 'the replay controls', () => !document.getElementById('replay-controls').hidden);
  assert((await page.textContent('#replay-title')).includes('Auto commit'), 'the title names the lab');
  await page.selectOption('#replay-speed', '100');
  await page.click('#replay-play');
  const total = file.events.length;
  await waitFor(page, 'the replay reaching its last event', (n) => Number(document.getElementById('replay-position').dataset.pos) === n
    && document.getElementById('replay-play').dataset.playing === 'false', total, 60_000);
  const shown = await poll(page, 'the counters drawn at the end', () => {
    const num = (id) => Number(document.querySelector(`[data-el="${id}"]`).textContent.replace(/[^0-9]/g, ''));
    const compare = document.querySelector('[data-el="ledger-compare"]');
    return {
      ok: compare && compare.dataset.duplicates !== undefined,
      duplicates: num('count-duplicates'),
      lost: num('count-lost'),
      processed: num('count-processed'),
      recounted: compare ? Number(compare.dataset.duplicates) : null,
      differs: compare ? compare.classList.contains('differs') : null,
      dupCells: drawnCells(document.getElementById('lanes')).filter((c) => c.dup).length,
      consumers: document.querySelectorAll('.consumer[data-consumer]').length,
      logRows: document.querySelectorAll('#log .row[data-seq]').length,
    };
  });
  log(`replayed: ${JSON.stringify(shown)}`);
  assert(shown.duplicates === duplicates && shown.lost === lost, `the replay's counters equal the exported ledger: ${JSON.stringify(shown)}`);
  assert(shown.recounted === duplicates && !shown.differs, 'the recount and the file agree');
  assert(shown.processed === 31, `31 records processed (11 + 20): ${shown.processed}`);
  assert(shown.dupCells === duplicates, `the lanes mark ${duplicates} duplicates: ${shown.dupCells}`);
  assert(shown.consumers === 2, 'both consumer cards are drawn');
  assert(shown.logRows > 0, 'the log is drawn');

  // Scrubbing back to the start rebuilds the view from nothing.
  await page.$eval('#replay-scrub', (s) => {
    s.value = '0';
    s.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitFor(page, 'the view rebuilt at event 0', () => document.querySelectorAll('.consumer[data-consumer]').length === 0
    && Number(document.querySelector('[data-el="count-duplicates"]').textContent) === 0);

  // A broken file says why, in the page.
  await page.setInputFiles('#replay-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "something else"}') });
  await waitFor(page, 'the error for a file that is not an export', () => {
    const e = document.getElementById('replay-error');
    return !e.hidden && e.textContent.includes('not an exported run');
  });
  await page.setInputFiles('#replay-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": ') });
  await waitFor(page, 'the error for a file that is not JSON', () => document.getElementById('replay-error').textContent.includes('not JSON'));
  guard.check('replay flow');
});
