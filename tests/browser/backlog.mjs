// A backlog read faster than a trainee can watch: 3,000 records produced before the consumer
// starts arrive as `record_range` events (more than 250 a poll). The page counts every record,
// draws the lanes' windows processed, logs each range as one row, and its counters agree with
// GET /ledger; no console error.
import { assert, baseUrl, guardedPage, log, poll, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const BACKLOG = 3000;

/** The counters, the lanes' cells and the ledger, read together. */
async function drawnAndLedger([runId, n]) {
  const ledger = await (await fetch(`/api/runs/${runId}/ledger`)).json();
  const num = (id) => Number(document.getElementById(id).textContent.replace(/[^0-9]/g, ''));
  const lanes = [...document.querySelectorAll('#lanes .lane[data-partition]')].map((lane) => {
    const cells = drawnCells(lane);
    return { cells: cells.length, processed: cells.filter((c) => c.processed).length };
  });
  const processed = ledger.partitions.reduce((n, p) => n + p.processed, 0);
  return {
    ok: processed === n && num('count-processed') === n && lanes.every((l) => l.cells > 0 && l.processed === l.cells),
    shown: num('count-processed'),
    processed,
    lanes,
    duplicates: ledger.duplicates,
    rangeRows: document.querySelectorAll('#log .row[data-type="record_range"]').length,
  };
}

run('backlog', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/simple-consumer`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);
  const status = await page.evaluate(async ([id, n]) => {
    const values = Array.from({ length: n }, (_, i) => String(i));
    const r = await fetch(`/api/runs/${id}/produce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values }) });
    return r.status;
  }, [runId, BACKLOG]);
  assert(status === 200, `produce: ${status}`);
  await page.click('button[data-action="start"]');
  await waitFor(page, 'a record_range row in the log', () => document.querySelector('#log .row[data-type="record_range"]') !== null);
  const row = await page.textContent('#log .row[data-type="record_range"] .text');
  assert(/^P\d @\d+–\d+: [\d,]+ records processed at once \(last "\d+"\)$/.test(row.trim()), `the range's log line: ${row}`);
  const done = await poll(page, `all ${BACKLOG} counted, lanes drawn processed, as the ledger says`, drawnAndLedger, [runId, BACKLOG]);
  log(`processed ${done.shown}, ${done.rangeRows} range rows, lanes ${JSON.stringify(done.lanes)}`);
  assert(done.shown === BACKLOG, `every record counted once: ${done.shown}`);
  assert(done.duplicates === 0, 'no duplicates');
  // 3,000 records make thin cells: painted on each lane's canvas, in c1's colour (--k0).
  const pixels = await page.evaluate(() => {
    const k0 = getComputedStyle(document.documentElement).getPropertyValue('--k0').trim();
    return [...document.querySelectorAll('#lanes canvas.cell-canvas')].map((c) => {
      if (c.hidden || !c.painted) return { hidden: c.hidden };
      const i = c.painted.kinds.findIndex((k) => k & 2);
      const x = Math.floor(((i + 0.5) * c.width) / c.painted.kinds.length);
      const [r, g, b] = c.getContext('2d').getImageData(x, Math.floor(c.height / 2), 1, 1).data;
      return { k0, rgb: `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}` };
    });
  });
  assert(pixels.length > 0 && pixels.every((p) => !p.hidden && p.rgb === p.k0), `thin lanes painted in c1's colour: ${JSON.stringify(pixels)}`);
  await screenshot(page, 'backlog.png');
  guard.check('backlog');
});
