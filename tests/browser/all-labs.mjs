// Every lab from GET /api/labs: its page renders, runs a consumer over produced records, and
// logs no console error and no failed request. One screenshot per lab; also the home page, the
// not-found page and the large-type toggle.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

/** An A/B lab: two panes, each its own run, lanes, counters and consumers; the guided strip. */
async function abLab(page, guard, lab) {
  await page.goto(`${base}/labs/${lab.id}`);
  await waitFor(page, `${lab.id}: both runs live`, () => document.querySelectorAll('[data-pane] [data-el="conn"][data-state="live"]').length === 2);
  const runs = await page.$$eval('[data-pane] [data-el="run-id"]', (es) => es.map((e) => e.textContent));
  assert(runs.length === 2 && runs[0] !== runs[1], `${lab.id}: two runs ${runs}`);
  assert((await page.textContent('h1')).trim() === lab.title.en, `${lab.id}: the title`);
  for (const key of ['A', 'B']) {
    const lanes = await page.$$eval(`[data-pane="${key}"] .lanes .lane[data-partition]`, (ls) => ls.length);
    assert(lanes === lab.topic.partitions, `${lab.id} ${key}: ${lanes} lanes for ${lab.topic.partitions} partitions`);
  }
  assert((await page.$$('#ab-strip li[data-step]')).length === 4, `${lab.id}: four guided steps`);
  for (const key of ['A', 'B']) {
    const lagRows = await page.$$eval(`[data-pane="${key}"] [data-el="lag"] .lag-part[data-partition]`, (rs) => rs.length);
    assert(lagRows === lab.topic.partitions, `${lab.id} ${key}: a lag row per partition: ${lagRows}`);
  }
  assert((await page.textContent('.instructions')).trim().length > 40, `${lab.id}: instructions rendered`);
  await page.click('#ab-strip li[data-step="1"] button');
  await waitFor(page, `${lab.id}: produced cells in both`, () => [...document.querySelectorAll('[data-pane]')].every((p) => drawnCells(p).length > 0));
  await page.click('[data-pane="A"] button[data-action="start"]');
  await waitFor(page, `${lab.id}: A's c1 processing`, () => drawnCells(document.querySelector('[data-pane="A"]')).some((c) => c.processed)
    && document.querySelector('[data-pane="A"] .log .row[data-type="record"]') !== null);
  await page.mouse.move(0, 0);
  await screenshot(page, `${lab.id}.png`);
  guard.check(lab.id);
  await page.evaluate(async (ids) => Promise.all(ids.map((id) => fetch(`/api/runs/${id}`, { method: 'DELETE' }))), runs);
  await waitFor(page, `${lab.id}: the end of both runs shown`, () => [...document.querySelectorAll('[data-pane] [data-el="conn"]')].every((c) => c.dataset.state === 'ended'));
  for (const id of runs) await guard.settle(new RegExp(`/api/runs/${id}\\b`), `${lab.id}: ${id}'s last requests`);
  for (const id of runs) guard.allow(new RegExp(`(HTTP 404: GET \\S+/api/runs/${id}\\b|404 \\(Not Found\\) \\(\\S+/api/runs/${id}\\b)`));
  guard.check(`${lab.id} after its runs ended`);
  log(`${lab.id}: ok (runs ${runs.join(', ')})`);
}

run('all-labs', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/`);
  const labs = await page.evaluate(async () => (await fetch('/api/labs')).json());
  assert(labs.length > 0, 'labs are listed');
  for (const lab of labs) {
    assert(await page.$(`a[href="/labs/${lab.id}"]`), `the home page links to ${lab.id}`);
  }
  await screenshot(page, 'home.png');
  guard.check('home page');

  for (const lab of labs) {
    if (lab.controls.ab) {
      await abLab(page, guard, lab);
      continue;
    }
    await page.goto(`${base}/labs/${lab.id}`);
    const runId = await waitForRun(page);
    assert((await page.textContent('h1')).trim() === lab.title.en, `${lab.id}: the title`);
    const lanes = await page.$$eval('#lanes .lane[data-partition]', (ls) => ls.length);
    assert(lanes === lab.topic.partitions, `${lab.id}: ${lanes} lanes for ${lab.topic.partitions} partitions`);
    const has = async (action) => (await page.$(`button[data-action="${action}"]`)) !== null;
    assert((await has('produce-batch')) === lab.controls.produce_batch.length > 0, `${lab.id}: produce-batch button iff produce_batch`);
    assert((await has('produce-count')) === (lab.controls.produce_count !== null), `${lab.id}: produce-count button iff produce_count`);
    assert((await has('start')) === lab.controls.start, `${lab.id}: start button iff controls.start`);
    assert((await page.$('#produce-value')) !== null === lab.controls.producer, `${lab.id}: producer box iff controls.producer`);
    assert((await page.$('#producer-rate')) !== null === lab.controls.producer_rate, `${lab.id}: background producer iff controls.producer_rate`);
    const lagRows = await page.$$eval('#lag-panel .lag-part[data-partition]', (rs) => rs.length);
    assert(lagRows === lab.topic.partitions, `${lab.id}: a lag row per partition: ${lagRows}`);
    const instructions = await page.textContent('.instructions');
    assert(instructions.trim().length > 40, `${lab.id}: instructions rendered`);
    const topic = await page.textContent('#cmd-kcat');
    assert(topic.includes(`-t ${lab.topic.name}-${runId}`), `${lab.id}: kcat command names the run's topic: ${topic}`);

    // Records in, one consumer, something processed and drawn.
    const produceButton = (await has('produce-count')) ? 'produce-count' : (await has('produce-batch')) ? 'produce-batch' : null;
    if (produceButton) {
      await page.click(`button[data-action="${produceButton}"]`);
    } else {
      // Only the producer box: type a value, Enter (like kafka-console-producer).
      await page.fill('#produce-value', 'hello');
      await page.press('#produce-value', 'Enter');
    }
    await waitFor(page, `${lab.id}: produced cells`, () => drawnCells(document.getElementById('lanes')).length > 0);
    if (lab.controls.start) {
      await page.click('button[data-action="start"]');
      await waitFor(page, `${lab.id}: c1's card`, () => document.querySelector('.consumer[data-consumer="c1"] .status') !== null);
      await waitFor(page, `${lab.id}: a processed record`, () => drawnCells(document.getElementById('lanes')).some((c) => c.processed));
      await waitFor(page, `${lab.id}: a record row in the log`, () => document.querySelector('#log .row[data-type="record"]') !== null);
    }
    await page.mouse.move(0, 0);
    await screenshot(page, `${lab.id}.png`);
    // The page fetches a new consumer's settings from the run view shortly after the consumer
    // appears: let that read finish before the run is deleted (else it is a 404 of our own making).
    await waitFor(page, `${lab.id}: the run view knows every consumer`, () => [...window.Lab.panes.values()].every((p) => !p.run
      || (!p.viewTimer && [...p.m.consumers.keys()].every((id) => (p.run.consumers || []).some((v) => v.id === id)))));
    guard.check(lab.id);
    // Tear the run down (its page is told with an `end` event) before the next lab.
    await page.evaluate(async (id) => fetch(`/api/runs/${id}`, { method: 'DELETE' }), runId);
    await waitFor(page, `${lab.id}: the end of the run shown`, () => document.getElementById('conn').dataset.state === 'ended');
    // Between the DELETE and the `end` event the page may still ask for the run: 404, expected
    // (once those answers are in: one that came after `allow` failed the next lab's check).
    await guard.settle(new RegExp(`/api/runs/${runId}\\b`), `${lab.id}: the run's last requests`);
    guard.allow(new RegExp(`(HTTP 404: GET \\S+/api/runs/${runId}\\b|404 \\(Not Found\\) \\(\\S+/api/runs/${runId}\\b)`));
    guard.check(`${lab.id} after its run ended`);
    log(`${lab.id}: ok (run ${runId})`);
  }

  // The not-found page answers 404 (expected here) and links home.
  const missing = await page.goto(`${base}/labs/no-such-lab`);
  assert(missing.status() === 404, `unknown lab → 404, got ${missing.status()}`);
  assert((await page.textContent('h1')).includes('Not found'), 'not-found page');
  guard.allow(/\/labs\/no-such-lab/);
  guard.check('not-found page');

  // Large type: toggled by #large-type, remembered across pages.
  await page.goto(`${base}/`);
  await page.click('#large-type');
  await waitFor(page, 'large type on', () => document.documentElement.classList.contains('large'));
  assert((await page.getAttribute('#large-type', 'aria-pressed')) === 'true', 'aria-pressed follows the toggle');
  await page.goto(`${base}/labs/${labs[0].id}`);
  await waitForRun(page);
  assert(await page.evaluate(() => document.documentElement.classList.contains('large')), 'large type persists');
  await screenshot(page, 'large-type.png');
  await page.click('#large-type');
  assert(!(await page.evaluate(() => document.documentElement.classList.contains('large'))), 'large type off again');
  guard.check('large type');
});
