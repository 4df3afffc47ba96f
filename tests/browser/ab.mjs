// Wakeup vs SIGKILL, the course's 101–150 case, as the A/B view: two runs of the lab side by side
// (?run=A&b=B), driven through the guided strip with real clicks. Both pause after 150 records
// with 100 committed; A is killed, B stopped (wakeup → commitSync → close); after the restart A's
// ledger counts exactly 50 duplicates (offsets 100–149 marked) and B's none. A reload resumes both.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor } from './lib.mjs';

const base = baseUrl();
const WAIT = 60_000;

/** What each side draws. */
function sides() {
  const out = {};
  for (const pane of document.querySelectorAll('[data-pane]')) {
    const q = (sel) => pane.querySelector(sel);
    const num = (name) => Number(q(`[data-el="${name}"]`).textContent);
    out[pane.dataset.pane] = {
      title: q('.pane-title').textContent,
      run: q('[data-el="run-id"]').textContent,
      conn: q('[data-el="conn"]').dataset.state,
      processed: num('count-processed'),
      duplicates: num('count-duplicates'),
      lost: num('count-lost'),
      committed: q('[data-role="committed"]') ? q('[data-role="committed"]').textContent : null,
      position: q('[data-role="position"]') ? q('[data-role="position"]').textContent : null,
      dupCells: drawnCells(pane).filter((c) => c.dup).map((c) => c.offset),
      dupText: q('.dup-ranges') ? q('.dup-ranges').textContent : '',
      cards: [...pane.querySelectorAll('.consumer')].map((c) => `${c.dataset.consumer}:${c.querySelector('.status').textContent}`),
      reached: [...pane.querySelectorAll('.checkpoints li.reached')].map((li) => li.dataset.checkpoint),
    };
  }
  return out;
}

async function step(page, n) {
  const button = `#ab-strip li[data-step="${n}"] button`;
  await waitFor(page, `step ${n} enabled`, (sel) => { const b = document.querySelector(sel); return b && !b.disabled; }, button, WAIT);
  await page.click(button);
}

async function stepDone(page, n) {
  await waitFor(page, `step ${n} done`, (k) => document.querySelector(`#ab-strip li[data-step="${k}"]`).dataset.state === 'done', n, WAIT);
}

run('ab', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/wakeup-vs-kill`);
  await waitFor(page, 'both runs live', () => document.querySelectorAll('[data-pane] [data-el="conn"][data-state="live"]').length === 2);
  const url = new URL(page.url());
  const [a, b] = [url.searchParams.get('run'), url.searchParams.get('b')];
  assert(a && b && a !== b, `the URL holds both runs: ${page.url()}`);
  let s = await page.evaluate(sides);
  assert(s.A.run === a && s.B.run === b, 'A shows ?run=, B shows ?b=');
  assert(s.A.title.includes('SIGKILL') && s.B.title.includes('SIGTERM (wakeup → commitSync → close)'), `labels: ${s.A.title} / ${s.B.title}`);
  // The instructions walk through the shutdown hook; the Java panels show the code itself.
  const instructions = await page.textContent('.instructions');
  assert(instructions.includes('consumer.wakeup()') && instructions.includes('WakeupException'), 'the instructions explain the shutdown hook');
  assert(!(await page.$('.instructions pre')), 'no pseudo-code block in the instructions');
  const [grid, aside] = await Promise.all([page.locator('#ab-grid').boundingBox(), page.locator('.instructions').boundingBox()]);
  assert(aside.x >= grid.x + grid.width - 1 && aside.y < grid.y + 200, 'the instructions sit next to the A/B view');
  log(`A ${a}, B ${b}`);

  // Classroom timing for both starts, through the form.
  await page.click('#settings > summary');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  await page.click('#settings > summary');

  await step(page, 1);
  await stepDone(page, 1);
  await step(page, 2);
  await stepDone(page, 2);
  s = await waitFor(page, 'both paused at 150 with 100 committed', () => {
    const all = [...document.querySelectorAll('[data-pane]')];
    return all.every((p) => p.querySelector('[data-role="committed"]').textContent === '100'
      && p.querySelector('[data-role="position"]').textContent === '150'
      && p.querySelector('.consumer .paused-badge:not([hidden])')) && true;
  }, null, WAIT);
  await page.mouse.move(0, 0);
  await screenshot(page, 'wakeup-vs-kill-paused.png');

  await step(page, 3);
  await stepDone(page, 3);
  s = await page.evaluate(sides);
  assert(s.A.cards.join() === 'c1:killed' || s.A.cards.join() === 'c1:exited', `A's c1 killed: ${s.A.cards}`);
  assert(s.B.cards.join() === 'c1:closed', `B's c1 closed cleanly: ${s.B.cards}`);
  assert(s.B.committed === '150' && s.A.committed === '100', `B's shutdown hook committed 150, A still 100: ${s.A.committed} / ${s.B.committed}`);

  await step(page, 4);
  await stepDone(page, 4);
  s = await waitFor(page, 'A: 50 duplicates, B: 0, both at the end', () => {
    const num = (p, n) => Number(document.querySelector(`[data-pane="${p}"] [data-el="${n}"]`).textContent);
    return num('A', 'count-duplicates') === 50 && num('B', 'count-duplicates') === 0
      && num('A', 'count-processed') === 250 && num('B', 'count-processed') === 200;
  }, null, WAIT);
  s = await page.evaluate(sides);
  const expected = Array.from({ length: 50 }, (_, i) => 100 + i).join();
  assert(s.A.dupCells.sort((x, y) => x - y).join() === expected, `A marks offsets 100–149 as duplicates: ${s.A.dupCells}`);
  assert(s.B.dupCells.length === 0, `B marks none: ${s.B.dupCells}`);
  assert(s.A.dupText.includes('100–149'), `A names the duplicated offsets: ${s.A.dupText}`);
  assert(s.A.lost === 0 && s.B.lost === 0, 'nothing lost');
  const outcome = await page.textContent('#ab-outcome');
  assert(outcome.includes('A: 50 duplicates') && outcome.includes('B: 0 duplicates'), `outcome: ${outcome}`);
  await waitFor(page, "each side's checkpoint ticked", () => document.querySelector('[data-pane="A"] li[data-checkpoint="fifty-duplicates"].reached')
    && document.querySelector('[data-pane="B"] li[data-checkpoint="clean-shutdown"].reached'), null, WAIT);
  const ledgers = await page.evaluate(async ([x, y]) => Promise.all([x, y].map(async (id) => (await (await fetch(`/api/runs/${id}/ledger`)).json()).duplicates)), [a, b]);
  assert(ledgers[0] === 50 && ledgers[1] === 0, `the ledgers agree: ${ledgers}`);
  log(`A: ${s.A.duplicates} duplicates (${s.A.dupText}); B: ${s.B.duplicates}`);
  await page.mouse.move(0, 0);
  await screenshot(page, 'wakeup-vs-kill-ab.png');
  await page.screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/wakeup-vs-kill-ab-full.png`, fullPage: true });

  // A reload resumes both runs, from their logs.
  await page.reload();
  await waitFor(page, 'both runs live again', () => document.querySelectorAll('[data-pane] [data-el="conn"][data-state="live"]').length === 2);
  const again = await waitFor(page, 'the same counts after the reload', () => {
    const num = (p, n) => Number(document.querySelector(`[data-pane="${p}"] [data-el="${n}"]`).textContent);
    return num('A', 'count-duplicates') === 50 && num('B', 'count-duplicates') === 0 && num('A', 'count-processed') === 250
      && document.querySelector('#ab-strip li[data-step="4"]').dataset.state === 'done';
  }, null, WAIT);
  assert(again, 'resumed');
  s = await page.evaluate(sides);
  assert(s.A.run === a && s.B.run === b, `the reload resumed A ${a} and B ${b}: ${s.A.run} ${s.B.run}`);
  assert(s.A.reached.join() === 'fifty-duplicates' && s.B.reached.join() === 'clean-shutdown', `checkpoints ticked after the reload: ${s.A.reached} / ${s.B.reached}`);
  guard.check('A/B flow');
});
