// The sinks lab: produce payments, start, kill mid-batch (after a few writes, before the
// batch's commit), start again → the naive table highlights the double charges (as many as
// the ledger's duplicates), the idempotent table none; the three cases count them; the
// downloads work; the Korean page shows the three cases in Korean.
import { assert, baseUrl, guardedPage, log, poll, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

function tables() {
  const rows = (which) => [...document.querySelectorAll(`.sink-table.${which} tbody tr[data-offset]`)];
  return {
    naive: rows('naive').length,
    naiveDup: rows('naive').filter((r) => r.classList.contains('dup')).map((r) => Number(r.dataset.offset)),
    idem: rows('idempotent').length,
    idemDup: rows('idempotent').filter((r) => r.classList.contains('dup')).length,
    payment: Number(document.querySelector('[data-el="case-payment"]').dataset.doubles),
    paymentText: document.querySelector('[data-el="case-payment"]').textContent,
    killedBars: document.querySelectorAll('.sink-windows .win.killed').length,
  };
}

run('sinks', async (browser) => {
  const { page } = await guardedPage(browser);
  await page.goto(`${base}/labs/sinks?lang=en`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);
  await page.click('button[data-action="produce-payments"]');
  await waitFor(page, 'ten payments produced', () => document.querySelectorAll('#lanes .cell[data-offset]').length === 10);

  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c1"]');
  // A record takes 0.5 s and a poll brings the ten: kill after three writes, mid-batch.
  await waitFor(page, 'three rows written by c1', () => document.querySelectorAll('.sink-table.naive tbody tr[data-offset]').length >= 3);
  await page.click('.consumer[data-consumer="c1"] button[data-action="kill"]');
  await waitFor(page, 'c1 killed', () => document.querySelector('.consumer[data-consumer="c1"] .status').textContent === 'killed');
  await waitFor(page, 'the open writes end as killed', () => document.querySelectorAll('.sink-windows .win.killed').length > 0);
  await waitFor(page, 'Start enabled again', () => !document.querySelector('button[data-action="start"]').disabled);
  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c2"]');

  const ok = await poll(page, 'the tables hold every payment, the doubles highlighted as the ledger counts', async (id) => {
    const ledger = await (await fetch(`/api/runs/${id}/ledger`)).json();
    const idem = document.querySelectorAll('.sink-table.idempotent tbody tr[data-offset]').length;
    const dups = document.querySelectorAll('.sink-table.naive tbody tr.dup').length;
    return idem === 10 && ledger.duplicates > 0 && dups === ledger.duplicates
      && document.querySelectorAll('.sink-table.naive tbody tr[data-offset]').length === 10 + ledger.duplicates;
  }, runId);
  assert(ok, 'tables drawn');
  const drawn = await page.evaluate(tables);
  log(JSON.stringify(drawn));
  assert(drawn.idemDup === 0, 'no double in the idempotent table');
  assert(drawn.payment === drawn.naiveDup.length, `the payment case counts the doubles: ${drawn.payment}`);
  assert(/charged twice/.test(drawn.paymentText), drawn.paymentText);
  const count = await page.textContent('[data-el="sink-naive-count"]');
  assert(count.includes('doubles'), `naive count says the doubles: ${count}`);

  const href = await page.getAttribute('a[data-file="payments.csv"]', 'href');
  assert(href === `/api/runs/${runId}/sink/payments.csv`, href);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-file="payments.csv"]')]);
  assert(download.suggestedFilename() === `${runId}-payments.csv`, download.suggestedFilename());
  await screenshot(page, 'sinks.png');

  await page.goto(`${base}/labs/sinks?lang=ko&run=${runId}`);
  await waitForRun(page);
  const cases = await page.$$eval('.sink-cases h3', (hs) => hs.map((h) => h.textContent.trim()));
  assert(cases.join('|') === '장바구니|결제|택배 SMS', `the three cases in Korean: ${cases}`);
  await waitFor(page, 'the Korean payment case counts the doubles', () => /두 번 결제됨/.test(document.querySelector('[data-el="case-payment"]').textContent));
  const stories = await page.$$eval('.sink-cases .story', (ps) => ps.map((p) => p.textContent));
  assert(stories.every((s) => !/[a-z]{3,}/i.test(s.replace('SMS', ''))), `no English in the stories: ${stories}`);
  await screenshot(page, 'sinks-ko.png');
});
