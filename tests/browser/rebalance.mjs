// Rebalance lab: two consumers (session timeout 2 s, chosen with the form's preset) share the
// partitions in the ownership swimlanes; a SIGKILL leaves its rows hatched (owned by a dead
// member) until the group gives them to the survivor, and the pause is drawn in ms on the gap.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 45_000;

/** The swimlanes as drawn: each row's owner now and its pause labels. */
function swim() {
  return [...document.querySelectorAll('#swim .swim-row[data-partition]')].map((row) => ({
    partition: Number(row.dataset.partition),
    owner: row.dataset.owner,
    head: row.querySelector('.now-owner').textContent,
    labels: [...row.querySelectorAll('.seg .lbl:not([hidden])')].map((l) => l.textContent),
    openLabel: row.querySelector('.seg.open:not(.dead) .lbl:not([hidden])')?.textContent ?? null,
    pauses: [...row.querySelectorAll('.pause')].map((p) => ({
      text: p.textContent, ms: Number(p.dataset.ms), running: p.classList.contains('running'), shown: !p.querySelector('.lbl').hidden,
    })),
  }));
}

run('rebalance', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/rebalance`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);
  const rows = await page.$$eval('#swim .swim-row[data-partition]', (rs) => rs.length);
  assert(rows === 6, `one swimlane per partition: ${rows}`);

  // Classroom timings through the form: the 2 s preset fills session.timeout.ms.
  await page.click('#settings > summary');
  assert(await page.isVisible('label[for="set-commit_on_revoke"]'), 'commit on revoke is offered in a group lab');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  assert((await page.inputValue('#set-session_timeout_ms')) === '2000', 'the preset fills the field');
  await page.click('#settings > summary');

  await page.click('button[data-action="start"]');
  await waitFor(page, 'c1 owning every partition in the swimlanes', () => [...document.querySelectorAll('#swim .swim-row')].every((r) => r.dataset.owner === 'c1'), null, WAIT);
  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c2"]');
  const shared = await waitFor(page, 'each partition owned by c1 or c2, both owning some', () => {
    const owners = [...document.querySelectorAll('#swim .swim-row')].map((r) => r.querySelector('.now-owner').textContent);
    return owners.every((o) => o === 'c1' || o === 'c2') && owners.includes('c1') && owners.includes('c2') && owners;
  }, null, WAIT);
  log(`shared: ${shared.join(' ')}`);
  const configs = await page.evaluate(async (id) => (await (await fetch(`/api/runs/${id}`)).json()).consumers.map((c) => c.config.session_timeout_ms), runId);
  assert(configs.every((t) => t === 2000), `both consumers started with the form's session timeout: ${configs}`);
  // The join was a rebalance: c1 gave everything back first (eager range), and that gap is a pause.
  await waitFor(page, 'the join drawn as a revoke callback and pauses', () => document.querySelector('#callbacks .cb-item[data-kind="revoke"]') !== null
    && document.querySelectorAll('#swim .pause:not(.running)').length >= 6);

  await page.click('button[data-action="produce-count"]');
  await waitFor(page, 'all 60 records processed', () => Number(document.getElementById('count-processed').textContent) >= 60, null, WAIT);
  const before = await page.evaluate(swim);
  const victimRows = before.filter((r) => r.owner === 'c2').map((r) => r.partition);
  assert(victimRows.length > 0 && victimRows.length < 6, `c2 owns some rows: ${victimRows}`);
  assert(before.every((r) => r.openLabel === r.owner), `each row's current segment is labelled with its owner: ${JSON.stringify(before.map((r) => [r.owner, r.openLabel]))}`);
  await page.mouse.move(0, 0);
  await screenshot(page, 'rebalance-two-members.png');

  await page.click('.consumer[data-consumer="c2"] button[data-action="kill"]');
  // Killed: no revoke. Its rows stay c2's, drawn dead, until the session times out.
  await waitFor(page, "c2's rows drawn as owned by a dead member", (ps) => {
    const rs = [...document.querySelectorAll('#swim .swim-row')];
    return ps.every((p) => rs[p].dataset.owner === 'dead:c2' && rs[p].querySelector('.seg.dead.still'));
  }, victimRows, WAIT);
  const survivor = await waitFor(page, 'every row owned by the survivor c1', () => [...document.querySelectorAll('#swim .swim-row')].every((r) => r.dataset.owner === 'c1' && r.querySelector('.now-owner').textContent === 'c1'), null, WAIT);
  assert(survivor, 'survivor owns all');
  const after = await page.evaluate(swim);
  for (const p of victimRows) {
    const pause = after[p].pauses.filter((x) => !x.running).pop();
    assert(pause && pause.shown && /^\d+ ms$/.test(pause.text) && pause.ms >= 1000,
      `P${p}: the pause after the kill is drawn in ms (at least the session timeout's share): ${JSON.stringify(after[p].pauses)}`);
  }
  log(`pauses after the kill: ${victimRows.map((p) => `P${p} ${after[p].pauses.filter((x) => !x.running).pop().text}`).join(', ')}`);
  await waitFor(page, 'the “share” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="split"]').classList.contains('reached'));
  await page.mouse.move(0, 0);
  await screenshot(page, 'rebalance-after-kill.png');
  await page.locator('.swim-panel').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/rebalance-swimlanes.png` });
  guard.check('rebalance flow');
});
