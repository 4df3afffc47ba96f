// Step controls on a sync-commit-batch consumer paused after 3 records (set in the form):
// Step processes one record and commits nothing mid-batch; Step batch processes the rest of the
// poll batch and then makes the batch's commitSync — a `commit_completed` (batch) in the log,
// and the committed offset catches up with what was processed.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

/** c1's card and the lane as drawn. */
function state() {
  const card = document.querySelector('.consumer[data-consumer="c1"]');
  const mark = document.querySelector('#lanes .lane[data-partition="0"] .committed-mark');
  const rows = [...document.querySelectorAll('#log .row[data-seq]')];
  return {
    processed: Number(card.querySelector('.processed').textContent),
    uncommitted: Number(card.querySelector('.uncommitted').textContent),
    paused: !card.querySelector('.paused-badge').hidden,
    committed: mark.hidden ? null : Number(mark.textContent.replace(/\D+/g, '')),
    lastSeq: rows.length ? Math.max(...rows.map((r) => Number(r.dataset.seq))) : 0,
  };
}

run('steps', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/sync-commit-batch`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);

  await page.click('#settings > summary');
  await page.fill('#set-pause_after_records', '3');
  await page.click('#settings > summary');
  // Eight records in one request before the consumer starts, so one poll batch can hold them.
  await page.evaluate(async (id) => fetch(`/api/runs/${id}/produce`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: ['1', '2', '3', '4', '5', '6', '7', '8'] }),
  }), runId);
  await waitFor(page, 'eight produced cells', () => document.querySelectorAll('#lanes .cell[data-offset]').length === 8);

  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c1"]');
  await waitFor(page, 'c1 paused after 3 records', () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    return !card.querySelector('.paused-badge').hidden && card.querySelector('.processed').textContent === '3';
  });
  const card = '.consumer[data-consumer="c1"]';
  assert(await page.isEnabled(`${card} button[data-action="step"]`), 'Step enabled while paused');
  assert(await page.isEnabled(`${card} button[data-action="step-batch"]`), 'Step batch enabled while paused');
  assert((await page.textContent(`${card} button[data-action="step-batch"]`)).trim() === 'Step batch', 'labelled Step batch');

  // One record: the batch is not finished, so no batch commit.
  const beforeStep = await page.evaluate(state);
  await page.click(`${card} button[data-action="step"]`);
  await waitFor(page, 'one more record processed, still paused', () => {
    const c = document.querySelector('.consumer[data-consumer="c1"]');
    return c.querySelector('.processed').textContent === '4' && !c.querySelector('.paused-badge').hidden;
  });
  const afterStep = await page.evaluate(state);
  const firstBatch = await page.$$eval('#log .row[data-type="poll"] .text', (ts) => ts.map((t) => parseInt(t.textContent, 10)).find((n) => n > 0));
  log(`Step: processed ${beforeStep.processed} → ${afterStep.processed}, committed ${afterStep.committed} (first poll batch: ${firstBatch} records)`);
  if (firstBatch > 4) assert(afterStep.committed === null, `a step inside the batch commits nothing: committed ${afterStep.committed}`);

  // The rest of the batch, then its commit.
  await page.click(`${card} button[data-action="step-batch"]`);
  const commit = await waitFor(page, 'a batch commit logged after Step batch', (after) => {
    const row = [...document.querySelectorAll('#log .row[data-type="commit_completed"]')]
      .find((r) => Number(r.dataset.seq) > after && /\(batch\) ok/.test(r.textContent));
    return row ? row.querySelector('.text').textContent : null;
  }, afterStep.lastSeq);
  log(`Step batch: ${commit}`);
  const done = await waitFor(page, 'committed offset = processed, nothing uncommitted, still paused', () => {
    const c = document.querySelector('.consumer[data-consumer="c1"]');
    const mark = document.querySelector('#lanes .lane[data-partition="0"] .committed-mark');
    const processed = Number(c.querySelector('.processed').textContent);
    const committed = mark.hidden ? null : Number(mark.textContent.replace(/\D+/g, ''));
    return processed > 4 && committed === processed && c.querySelector('.uncommitted').textContent === '0'
      && !c.querySelector('.paused-badge').hidden && { processed, committed };
  });
  log(`after Step batch: processed ${done.processed}, committed ${done.committed}`);
  await page.mouse.move(0, 0);
  await screenshot(page, 'steps-batch.png');
  guard.check('steps flow');
});
