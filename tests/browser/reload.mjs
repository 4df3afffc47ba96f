// Reload mid-stream: the page resumes the same run (?run=), replays its events once, and keeps
// drawing live ones — no row twice, no seq missing, every record in its lane.
import { assert, baseUrl, guardedPage, log, poll, run, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const RECORDS = 300;

/** The log's rows hold consecutive seqs, each once; the cells match the ledger. */
async function intact(runId) {
  const seqs = [...document.querySelectorAll('#log .row[data-seq]')].map((r) => Number(r.dataset.seq));
  const unique = new Set(seqs).size === seqs.length;
  const consecutive = seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);
  const ledger = await (await fetch(`/api/runs/${runId}/ledger`)).json();
  const processed = ledger.partitions.reduce((n, p) => n + p.processed, 0);
  // A lane draws the offsets from its window start (data-start) on: compare those.
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
  const dupCells = drawnCells(document.getElementById('lanes')).filter((c) => c.dup).length;
  const ok = unique && consecutive && cells === expected && dupCells === ledger.duplicates
    && Number(document.getElementById('count-processed').textContent) === processed;
  return { ok, rows: seqs.length, first: seqs[0], last: seqs[seqs.length - 1], unique, consecutive, cells, expected, processed, dupCells, duplicates: ledger.duplicates };
}

run('reload', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/simple-consumer`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);

  // A slow consumer (20 ms per record, set in the page's settings) so the reload lands mid-stream.
  await page.click('#settings > summary');
  await page.fill('#set-processing_delay_ms', '20');
  await page.click('#settings > summary');
  await page.click('button[data-action="start"]');
  await waitFor(page, 'c1 running', () => document.querySelector('.consumer[data-consumer="c1"] .status')?.textContent === 'running');
  const produced = await page.evaluate(async ([id, n]) => {
    // One key: all on one partition, more than a lane shows, so its window slides.
    const values = Array.from({ length: n }, (_, i) => String(i));
    const keys = values.map(() => 'one-key');
    const r = await fetch(`/api/runs/${id}/produce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values, keys }) });
    return r.status;
  }, [runId, RECORDS]);
  assert(produced === 200, `produce answered ${produced}`);
  await waitFor(page, 'the first 40 records drawn', () => drawnCells(document.getElementById('lanes')).filter((c) => c.processed).length >= 40);
  await waitFor(page, 'the counter following', () => Number(document.getElementById('count-processed').textContent) >= 40);
  const before = await page.evaluate(() => Number(document.getElementById('count-processed').textContent));

  await page.reload();
  const again = await waitForRun(page);
  assert(again === runId, `the reload resumed run ${runId}, not ${again}`);
  assert(page.url().includes(`run=${runId}`), 'the URL still names the run');
  const config = await page.textContent('.consumer[data-consumer="c1"] .config');
  assert(config.includes('20 ms/record'), `the consumer's settings survive the reload: ${config}`);
  await waitFor(page, 'records still arriving after the reload', (n) => Number(document.getElementById('count-processed').textContent) > n, before);
  await waitFor(page, `all ${RECORDS} records processed`, (n) => Number(document.getElementById('count-processed').textContent) === n, RECORDS);
  const state = await poll(page, 'log and lanes intact', intact, runId);
  log(`log rows ${state.first}…${state.last} (${state.rows}), ${state.cells} cells drawn of ${state.processed} processed, ${state.duplicates} duplicates`);
  assert(state.duplicates === 0, 'one consumer, no restart: no duplicates');
  const slid = await page.$$eval('#lanes .lane[data-start]', (ls) => ls.some((l) => Number(l.dataset.start) > 0 && !l.querySelector('.earlier').hidden));
  assert(slid, 'the full lane slid its window and says how many offsets are earlier');

  // A second reload when the stream is quiet replays everything once more, identically.
  await page.reload();
  await waitForRun(page);
  await poll(page, 'log and lanes intact after a second reload', intact, runId);
  guard.check('reload flow');
});
