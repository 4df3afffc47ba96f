// The server keeps a bounded event log (here: a small one). A page opened after the log
// dropped early events gets a `gap` event: it says so, and redraws the run from the API —
// lanes from the ledger, consumers from the run view — with no console error.
import { assert, baseUrl, guardedPage, log, poll, run, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

/** Cells and counters agree with the ledger (within each lane's window). */
async function redrawn(runId) {
  const ledger = await (await fetch(`/api/runs/${runId}/ledger`)).json();
  const processed = ledger.partitions.reduce((n, p) => n + p.processed, 0);
  let expected = 0;
  let cells = 0;
  for (const lane of document.querySelectorAll('#lanes .lane[data-partition]')) {
    const p = Number(lane.dataset.partition);
    const start = Number(lane.dataset.start || 0);
    const offsets = new Set();
    for (const pr of ledger.partitions.filter((x) => x.partition === p)) {
      for (const r of pr.runs) for (let o = Math.max(r.first, start); o <= r.last; o++) offsets.add(o);
    }
    expected += offsets.size;
    cells += drawnCells(lane).filter((c) => c.processed).length;
  }
  const shown = Number(document.getElementById('count-processed').textContent);
  return { ok: cells === expected && shown === processed, cells, expected, shown, processed };
}

run('gap', async (browser) => {
  const first = await guardedPage(browser);
  await first.page.goto(`${base}/labs/simple-consumer`);
  const runId = await waitForRun(first.page);
  log(`run ${runId}`);
  await first.page.click('button[data-action="start"]');
  await waitFor(first.page, 'c1 running', () => document.querySelector('.consumer[data-consumer="c1"] .status')?.textContent === 'running');
  // Far more events than the log keeps.
  const status = await first.page.evaluate(async (id) => {
    const values = Array.from({ length: 120 }, (_, i) => String(i));
    const r = await fetch(`/api/runs/${id}/produce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values, keys: values }) });
    return r.status;
  }, runId);
  assert(status === 200, `produce: ${status}`);
  await poll(first.page, 'the first page drawing all 120 records', redrawn, runId);
  first.guard.check('the page that saw every event');

  // A second tab of the same trainee joins late: its replay starts with a gap.
  const late = await guardedPage(browser, undefined, { context: first.page.context() });
  await late.page.goto(`${base}/labs/simple-consumer?run=${runId}`);
  assert((await waitForRun(late.page)) === runId, 'the late page shows the same run');
  await waitFor(late.page, 'the gap notice', () => {
    const n = document.getElementById('notice');
    return !n.hidden && n.textContent.includes('no longer in the run');
  });
  const state = await poll(late.page, 'lanes and counters redrawn from the ledger', redrawn, runId);
  log(`late page: ${state.cells} cells for ${state.processed} processed`);
  await waitFor(late.page, 'c1 shown running (from the run view)', () => document.querySelector('.consumer[data-consumer="c1"] .status')?.textContent === 'running');
  late.guard.check('the page that joined after the gap');
});
