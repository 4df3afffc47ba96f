// Thread strategies: the form's thread options (plain words; a worker pool switches the commit
// mode to auto-naive and says so; an out-of-range value is refused by the server with a 400
// naming the field, shown next to the form). One consumer with two threads in one group: its
// card shows t1 and t2 owning disjoint partitions, the swimlanes and the log name c1/t1, c1/t2.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 45_000;

run('threads', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/thread-strategies`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);

  await page.click('#settings > summary');
  // A worker pool needs auto-naive commits: the form sets it and says so.
  await page.fill('#set-worker_pool', '2');
  assert((await page.inputValue('#set-commit_mode')) === 'auto-naive', 'worker pool → commit mode auto-naive');
  assert(await page.isVisible('#settings-note'), 'the form says why the commit mode changed');
  await page.click('#settings-body button.ghost'); // Lab defaults
  assert((await page.inputValue('#set-commit_mode')) === 'sync-batch', 'lab defaults restored');

  // Out of range: the server's 400 names the field; the page shows it next to the form.
  await page.fill('#set-threads', '9');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  await page.click('button[data-action="start"]');
  await waitFor(page, 'the refusal shown next to the form', () => {
    const e = document.getElementById('start-error');
    return !e.hidden && e.textContent.includes('threads') && document.querySelector('.field[data-field="threads"]').classList.contains('invalid');
  });
  guard.allow(/HTTP 400: POST \S+\/consumers|400 \(Bad Request\)/);
  assert((await page.$('.consumer[data-consumer="c1"]')) === null, 'no consumer started');

  await page.fill('#set-threads', '2');
  assert((await page.inputValue('#set-thread_groups')) === 'same', 'threads share one group by default');
  await page.click('button[data-action="start"]');
  await waitFor(page, 'the error cleared after a good start', () => document.getElementById('start-error').hidden);
  await page.click('#settings > summary');
  const owns = await waitFor(page, "c1's card: t1 and t2 owning disjoint partitions, all four", () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    if (!card) return false;
    const parts = (t) => {
      const li = card.querySelector(`.threads li[data-thread="${t}"] .owns`);
      if (!li) return null;
      const m = /^owns (.*)$/.exec(li.textContent);
      if (!m) return null;
      const out = [];
      for (const tok of m[1].split(' ')) {
        const r = /^P(\d+)(?:–(\d+))?$/.exec(tok);
        if (!r) return null;
        for (let p = Number(r[1]); p <= Number(r[2] ?? r[1]); p++) out.push(p);
      }
      return out;
    };
    const t1 = parts('t1');
    const t2 = parts('t2');
    if (!t1 || !t2 || !t1.length || !t2.length) return false;
    const all = [...t1, ...t2].sort();
    return new Set(all).size === all.length && all.join() === '0,1,2,3' && { t1, t2 };
  }, null, WAIT);
  log(`t1 owns ${owns.t1}, t2 owns ${owns.t2}`);
  const swimOwners = await page.$$eval('#swim .swim-row', (rs) => rs.map((r) => r.dataset.owner));
  assert(swimOwners.every((o) => o === 'c1/t1' || o === 'c1/t2'), `swimlanes name the threads: ${swimOwners}`);

  await page.click('button[data-action="produce-count"]');
  await waitFor(page, 'all 100 records processed', () => Number(document.getElementById('count-processed').textContent) === 100, null, WAIT);
  const who = await page.$$eval('#log .row[data-type="record"] .who', (ws) => [...new Set(ws.map((w) => w.textContent))].sort());
  assert(who.join() === 'c1/t1,c1/t2', `log rows name the thread: ${who}`);
  const flags = await page.$$eval('#lanes .flag span', (fs) => fs.map((f) => f.textContent));
  assert(flags.length > 0 && flags.every((f) => /^c1\/t[12] → \d+$/.test(f)), `position flags name the thread: ${flags}`);
  const counts = await page.$$eval('.consumer[data-consumer="c1"] .threads li .count', (cs) => cs.map((c) => parseInt(c.textContent, 10)));
  assert(counts.reduce((a, b) => a + b, 0) === 100, `the threads' counts add up: ${counts}`);
  assert(Number(await page.textContent('#count-duplicates')) === 0, 'one group, no duplicates');
  await page.mouse.move(0, 0);
  await screenshot(page, 'thread-strategies-threads.png');
  await page.locator('.consumer[data-consumer="c1"]').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/thread-strategies-card.png` });
  guard.check('threads flow');
});
