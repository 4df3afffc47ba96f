// Home → Simple consumer → Produce 1–4 → Start → four records drawn → Kill → Start again →
// the new incarnation reprocesses: duplicate marks in the lanes match the ledger.
import { copyFileSync } from 'node:fs';
import { assert, baseUrl, guardedPage, log, poll, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

/** What the page draws, read from the DOM. */
function drawn() {
  const lanes = [...document.querySelectorAll('#lanes .lane[data-partition]')].map((lane) => ({
    partition: Number(lane.dataset.partition),
    processed: drawnCells(lane).filter((c) => c.processed).map((c) => c.offset),
    dup: drawnCells(lane).filter((c) => c.dup).map((c) => c.offset),
    lost: drawnCells(lane).filter((c) => c.lost).map((c) => c.offset),
  }));
  const num = (id) => Number(document.getElementById(id).textContent);
  return {
    lanes,
    processed: num('count-processed'),
    duplicates: num('count-duplicates'),
    lost: num('count-lost'),
    recordRows: [...document.querySelectorAll('#log .row[data-type="record"]')].map((r) => r.querySelector('.text').textContent),
  };
}

/** The page's counters and marks agree with GET /ledger (polled until they do). */
async function matchesLedger(runId) {
  const ledger = await (await fetch(`/api/runs/${runId}/ledger`)).json();
  const num = (id) => Number(document.getElementById(id).textContent);
  const processed = ledger.partitions.reduce((n, p) => n + p.processed, 0);
  const marked = drawnCells(document.getElementById('lanes')).filter((c) => c.dup).map((c) => `${c.partition}:${c.offset}`).sort();
  const expected = ledger.partitions.flatMap((p) => p.duplicate_offsets.map((o) => `${p.partition}:${o}`)).sort();
  const lostMarked = drawnCells(document.getElementById('lanes')).filter((c) => c.lost).length;
  const ok = num('count-duplicates') === ledger.duplicates && num('count-lost') === ledger.lost
    && num('count-processed') === processed && marked.join() === expected.join() && lostMarked === ledger.lost;
  return { ok, ledger, page: { duplicates: num('count-duplicates'), lost: num('count-lost'), processed: num('count-processed'), marked } };
}

run('simple-consumer', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Simple consumer' }).click();
  await page.waitForURL(/\/labs\/simple-consumer\?run=/);
  const runId = await waitForRun(page);
  log(`run ${runId}`);
  assert(page.url().includes(`run=${runId}`), 'the run id is in the URL');
  const commands = await page.textContent('#cmd-producer');
  assert(commands.includes(`--topic test-${runId}`) && commands.includes('--bootstrap-server 127.0.0.1:'), `producer command names the run's topic: ${commands}`);

  const produce = page.locator('button[data-action="produce-batch"]');
  assert((await produce.textContent()).trim() === 'Produce 1–4', 'the batch button is labelled from the lab');
  await produce.click();
  await waitFor(page, 'four produced cells', () => document.querySelectorAll('#lanes .cell[data-offset]').length === 4);

  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c1"]');
  await waitFor(page, 'four processed cells', () => document.querySelectorAll('#lanes .cell.processed').length === 4);
  await waitFor(page, 'four record rows', () => document.querySelectorAll('#log .row[data-type="record"]').length === 4);
  const first = await page.evaluate(drawn);
  const cells = first.lanes.flatMap((l) => l.processed.map((o) => `P${l.partition} @${o}`)).sort();
  const rows = first.recordRows.map((t) => t.split(' "')[0]).sort();
  assert(cells.join() === rows.join(), `log rows name the drawn cells: ${rows} vs ${cells}`);
  const values = first.recordRows.map((t) => t.split('"')[1]).sort();
  assert(values.join() === '1,2,3,4', `records 1–4 were consumed: ${values}`);
  await waitFor(page, 'c1 running with 4 processed', () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    return card.querySelector('.status').textContent === 'running' && card.querySelector('.processed').textContent === '4';
  });

  // Kill before the auto commit (5 s after the start) if we can: c2 then reads all four again.
  const committedBeforeKill = (await page.$('#log .row[data-type="commit_completed"]')) !== null;
  await page.click('.consumer[data-consumer="c1"] button[data-action="kill"]');
  await waitFor(page, 'c1 shown as killed', () => document.querySelector('.consumer[data-consumer="c1"] .status').textContent === 'killed');
  await waitFor(page, 'c1 greyed, without buttons', () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    return card.classList.contains('dead') && card.querySelector('.actions').hidden;
  });
  log(`c1 killed (auto commit before the kill: ${committedBeforeKill})`);

  await waitFor(page, 'Start enabled again', () => !document.querySelector('button[data-action="start"]').disabled);
  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c2"]');
  if (committedBeforeKill) await produce.click();
  await waitFor(page, 'c2 processing records', () => Number(document.querySelector('.consumer[data-consumer="c2"] .processed').textContent) >= 4);
  const after = await poll(page, 'counters and marks matching the ledger', matchesLedger, runId);
  log(`ledger: ${after.ledger.duplicates} duplicates, ${after.ledger.lost} lost; page marks ${after.page.marked}`);
  if (!committedBeforeKill) {
    assert(after.ledger.duplicates === 4, `c1 committed nothing, so c2 reprocessed all four: ${JSON.stringify(after.ledger)}`);
    await waitFor(page, 'four cells marked ×2', () => [...document.querySelectorAll('#lanes .cell.dup')].filter((c) => c.dataset.count === '2').length === 4);
  }

  // The producer box: Enter produces one record, like kafka-console-producer.
  await page.fill('#produce-value', 'hello');
  await page.press('#produce-value', 'Enter');
  await waitFor(page, 'the typed record processed', () => [...document.querySelectorAll('#lanes .cell.processed')].some((c) => c.textContent.includes('hello')));
  // A cell's tooltip is written when the pointer comes to it: it names who processed the record.
  const typed = page.locator('#lanes .cell.processed', { hasText: 'hello' }).first();
  await typed.hover();
  const tip = await typed.getAttribute('title');
  assert(tip && tip.includes('c2') && tip.includes('hello'), `the typed record's tooltip names c2: ${tip}`);
  assert((await page.inputValue('#produce-value')) === '', 'the box is cleared after producing');
  await poll(page, 'counters matching the ledger after the typed record', matchesLedger, runId);

  // Every drawn row is one event.
  const seqs = await page.$$eval('#log .row[data-seq]', (rs) => rs.map((r) => r.dataset.seq));
  assert(new Set(seqs).size === seqs.length, 'each seq once in the log');

  await page.mouse.move(0, 0);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const shot = await screenshot(page, 'simple-consumer-flow.png');
  if (process.env.DOCS_SCREENSHOT) {
    copyFileSync(shot, process.env.DOCS_SCREENSHOT);
    log(`updated ${process.env.DOCS_SCREENSHOT}`);
  }
  guard.check('simple consumer flow');
});
