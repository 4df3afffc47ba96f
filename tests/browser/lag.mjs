// Consumer lag lab: the background producer at 30 records/s (after a refused 600), a slow
// consumer (200 ms per record, 5 per poll, session timeout 2 s — all set in the form) falls
// behind: Burrow's badge reads WARNING; killed, its committed offsets freeze: ERROR with a
// partition in `stop`. A reload shows the producer's rate and the status from the run's state.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 60_000;

/** The lag panel as drawn. */
function lagPanel() {
  const badge = document.querySelector('#lag-panel .lag-badge');
  return {
    word: badge.querySelector('.word').textContent,
    status: badge.dataset.status,
    rule: document.querySelector('#lag-panel .lag-rule').textContent,
    rows: [...document.querySelectorAll('#lag-panel .lag-row')].map((r) => ({
      partition: Number(r.dataset.partition),
      status: r.querySelector('.lag-status').textContent,
      lag: r.querySelector('.lag-num').textContent,
      line: r.querySelector('.spark .line').getAttribute('d') || '',
    })),
  };
}

run('lag', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/consumer-lag`);
  // Read before the run's state: a rated badge needs a full window with commits on the server.
  const first = await page.evaluate(lagPanel);
  const runId = await waitForRun(page);
  log(`run ${runId}; first badge: ${first.word}`);
  const view = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}`)).json(), runId);
  assert(first.word === 'not rated yet' || view.lag !== null, `"not rated yet" before a full window with commits: ${JSON.stringify(first)}`);
  assert(first.rows.length === 3, `a lag row per partition: ${first.rows.length}`);
  // The lag lab puts the panel first, above the lanes.
  const order = await page.evaluate(() => document.getElementById('lag-panel').compareDocumentPosition(document.querySelector('.lanes-panel')) & Node.DOCUMENT_POSITION_FOLLOWING);
  assert(order, 'the lag panel comes before the lanes in the lag lab');
  // Like Burrow, a group that has never committed is not rated: the badge stays pending.

  // Beyond the ceiling: the server's 400 is shown under the rate box.
  await page.fill('#producer-rate', '600');
  await page.click('button[data-action="producer-start"]');
  await waitFor(page, 'the refused rate explained', () => {
    const e = document.getElementById('rate-error');
    return !e.hidden && /more than (the maximum, )?500/.test(e.textContent); // the server's words, or the catalog's for its code
  });
  assert((await page.textContent('[data-el="producer-state"]')).trim() === 'stopped', 'a refused rate starts nothing');
  guard.allow(/(HTTP 400: POST \S+\/api\/runs\/\S+\/producer|400 \(Bad Request\))/);

  // 30 records per second, started with Enter in the rate box.
  await page.fill('#producer-rate', '30');
  assert(await page.isHidden('#rate-error'), 'typing clears the error');
  await page.press('#producer-rate', 'Enter');
  await waitFor(page, 'the producer shown running at 30/s', () => document.querySelector('[data-el="producer-state"]').textContent === 'running · 30 records/s'
    && !document.querySelector('button[data-action="producer-stop"]').disabled
    && document.querySelector('button[data-action="producer-start"]').textContent === 'Set rate');
  await waitFor(page, 'produced records in the lanes and a producer_rate row', () => document.querySelectorAll('#lanes .cell[data-offset]').length >= 10
    && document.querySelector('#log .row[data-type="producer_rate"]') !== null);

  // A slow consumer, configured in the form.
  await page.click('#settings > summary');
  await page.fill('#set-processing_delay_ms', '200');
  await page.fill('#set-max_poll_records', '5');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  await page.click('#settings > summary');
  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c1"]');
  const config = await page.evaluate(async (id) => (await (await fetch(`/api/runs/${id}`)).json()).consumers[0].config, runId);
  assert(config.processing_delay_ms === 200 && config.max_poll_records === 5 && config.session_timeout_ms === 2000,
    `the form's settings reached the consumer: ${JSON.stringify(config)}`);
  const steps = await page.$$eval('.consumer[data-consumer="c1"] .actions button', (bs) => bs.map((b) => b.textContent));
  assert(steps.includes('Step') && steps.includes('Step batch'), `Step and Step batch on the card: ${steps}`);

  const warning = await waitFor(page, 'the badge reading WARNING', () => {
    const badge = document.querySelector('#lag-panel .lag-badge');
    return badge.querySelector('.word').textContent === 'WARNING' && badge.dataset.status === 'warning';
  }, null, WAIT);
  assert(warning, 'WARNING');
  const warned = await page.evaluate(lagPanel);
  log(`WARNING: ${warned.rule} · ${warned.rows.map((r) => `P${r.partition} ${r.status} lag ${r.lag}`).join(', ')}`);
  assert(warned.rows.some((r) => r.status === 'warning'), `a partition in warning: ${JSON.stringify(warned.rows)}`);
  assert(/offsets move but lag never shrinks/.test(warned.rule), `the rule explained: ${warned.rule}`);
  assert(warned.rows.every((r) => /^M/.test(r.line)) && warned.rows.some((r) => Number(r.lag) > 0), `sparklines drawn, lag above 0: ${JSON.stringify(warned.rows)}`);
  await waitFor(page, 'the “falling-behind” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="falling-behind"]').classList.contains('reached'));
  await page.mouse.move(0, 0);
  await screenshot(page, 'lag-warning.png');

  await page.click('.consumer[data-consumer="c1"] button[data-action="kill"]');
  await waitFor(page, 'ERROR with a partition in stop', () => {
    const badge = document.querySelector('#lag-panel .lag-badge');
    return badge.querySelector('.word').textContent === 'ERROR'
      && [...document.querySelectorAll('#lag-panel .lag-row .lag-status')].some((s) => s.textContent === 'stop');
  }, null, WAIT);
  const stopped = await page.evaluate(lagPanel);
  log(`ERROR: ${stopped.rule} · ${stopped.rows.map((r) => `P${r.partition} ${r.status} lag ${r.lag}`).join(', ')}`);
  assert(/stop.*committed offset frozen and nobody commits/.test(stopped.rule), `the stop rule explained: ${stopped.rule}`);
  await waitFor(page, 'the “stopped” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="stopped"]').classList.contains('reached'));
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'lag-error.png');
  await page.locator('#lag-panel').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/lag-panel.png` });

  // A reload draws the run's state: the producer's rate and Burrow's status.
  await page.reload();
  await waitForRun(page);
  await waitFor(page, 'after the reload: the rate and ERROR', () => document.querySelector('[data-el="producer-state"]').textContent === 'running · 30 records/s'
    && document.getElementById('producer-rate').value === '30'
    && document.querySelector('#lag-panel .lag-badge').dataset.status === 'error');

  await page.click('button[data-action="producer-stop"]');
  await waitFor(page, 'the producer shown stopped', () => document.querySelector('[data-el="producer-state"]').textContent === 'stopped'
    && document.querySelector('button[data-action="producer-stop"]').disabled
    && document.querySelector('button[data-action="producer-start"]').textContent === 'Start');
  await waitFor(page, 'the stop logged', () => [...document.querySelectorAll('#log .row[data-type="producer_rate"]')].some((r) => r.textContent.includes('background producer stopped')));
  const rate = await page.evaluate(async (id) => (await (await fetch(`/api/runs/${id}`)).json()).producer_rate, runId);
  assert(rate === 0, `the run's producer stopped: ${rate}`);
  guard.check('lag flow');
});
