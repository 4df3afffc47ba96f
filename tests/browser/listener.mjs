// Rebalance listener: the callback's commit drawn as one grouped bar. A (commit on revoke, pause
// after 20) reads alone and pauses mid-batch; B joins: A's onPartitionsRevoked commits inside the
// join's rebalance, which the embedded broker refuses (REBALANCE_IN_PROGRESS) — drawn red with its
// message. A steps one record and is stopped: close() runs onPartitionsRevoked, whose commit
// succeeds inside it — log rows revoked → commit → done grouped, a commit bar inside the callback.
import { assert, baseUrl, guardedPage, log, poll, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 45_000;

/** The rebalance callbacks as drawn. */
function callbacks() {
  return [...document.querySelectorAll('#callbacks .cb-item')].map((li) => ({
    who: li.dataset.who,
    kind: li.dataset.kind,
    open: li.classList.contains('open'),
    bad: li.classList.contains('bad'),
    commits: [...li.querySelectorAll('.cb-commit')].map((c) => c.className.replace('cb-commit', '').trim()),
    note: li.querySelector('.cb-note').textContent,
  }));
}

run('listener', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/rebalance-listener`);
  const runId = await waitForRun(page);
  log(`run ${runId}`);
  await page.click('#settings > summary');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  await page.check('#set-commit_on_revoke');
  await page.fill('#set-pause_after_records', '20');
  await page.click('#settings > summary');
  await page.click('button[data-action="start"]');
  await waitFor(page, 'c1 owning every partition', () => [...document.querySelectorAll('#swim .swim-row')].every((r) => r.dataset.owner === 'c1'), null, WAIT);
  await page.click('button[data-action="produce-count"]');
  await waitFor(page, 'c1 paused after 20 records', () => document.querySelector('.consumer[data-consumer="c1"] .paused-badge:not([hidden])')
    && document.querySelector('.consumer[data-consumer="c1"] .processed').textContent === '20', null, WAIT);

  // B joins: A's revoke callback commits its 20 records while the group rebalances.
  await page.click('#settings > summary');
  await page.fill('#set-pause_after_records', '');
  await page.click('#settings > summary');
  await page.click('button[data-action="start"]');
  const refused = await waitFor(page, "A's revoke callback with a refused commit, drawn red", () => {
    const li = document.querySelector('#callbacks .cb-item[data-who="c1"][data-kind="revoke"]:not(.open)');
    return li && li.classList.contains('bad') && li.querySelector('.cb-commit.bad') && li.querySelector('.cb-note.bad') && li.querySelector('.cb-note').textContent;
  }, null, WAIT);
  assert(/RebalanceInProgress|rebalance in progress/i.test(refused), `the refusal's message is shown: ${refused}`);
  const badRow = await page.$$eval('#log .row.cb.bad[data-type="commit_completed"] .text', (ts) => ts.map((t) => t.textContent));
  assert(badRow.some((t) => t.includes('(revoke) FAILED') && t.includes('refused: the group is rebalancing')), `the refused commit in the log: ${badRow}`);
  log(`join: ${refused}`);

  // A processes one record (not committed: the batch is not finished), then leaves.
  await waitFor(page, 'A and B share the partitions', () => {
    const owners = [...document.querySelectorAll('#swim .swim-row')].map((r) => r.dataset.owner);
    return owners.includes('c1') && owners.includes('c2') && owners.every((o) => o === 'c1' || o === 'c2');
  }, null, WAIT);
  // A step that processes the last record its poll returned also finishes the batch, whose
  // commit leaves nothing for the listener: how many records a poll brings depends on the
  // fetch. So A steps until a step ends (`paused`) with its record left uncommitted.
  const card = '.consumer[data-consumer="c1"]';
  for (let steps = 1; ; steps++) {
    const before = Number(await page.textContent(`${card} .processed`));
    await page.click(`${card} button[data-action="step"]`);
    await waitFor(page, 'A processed one more', (n) => Number(document.querySelector('.consumer[data-consumer="c1"] .processed').textContent) === n + 1, before, WAIT);
    const committed = await poll(page, "the step's end in the run's log", async (id) => {
      const { events } = await (await fetch(`/api/runs/${id}/export`)).json();
      const mine = events.filter((ev) => ev.consumer === 'c1');
      const record = mine.findLastIndex((ev) => ev.type === 'record');
      const paused = mine.findIndex((ev, i) => i > record && ev.type === 'paused');
      if (record < 0 || paused < 0) return null;
      return { batchCommit: mine.slice(record, paused).some((ev) => ev.type === 'commit_completed' && ev.reason === 'batch') };
    }, runId, WAIT);
    if (!committed.batchCommit) break;
    log(`step ${steps} finished A's poll batch (committed): another step`);
    assert(steps < 5, `A still had nothing uncommitted after ${steps} steps`);
  }
  await page.click(`${card} button[data-action="stop"]`);
  const ok = await waitFor(page, "A's last revoke callback with its commit inside, ok", () => {
    const items = [...document.querySelectorAll('#callbacks .cb-item[data-who="c1"][data-kind="revoke"]:not(.open)')];
    const li = items[items.length - 1];
    return li && !li.classList.contains('bad') && li.querySelector('.cb-commit.ok') && li.querySelector('.cb-note').textContent;
  }, null, WAIT).catch(async (e) => {
    // What A did, from the run's export (records and samples left out).
    const story = await page.evaluate(async (id) => {
      const ex = await (await fetch(`/api/runs/${id}/export`)).json();
      const skip = new Set(['record', 'record_range', 'produced', 'client_metrics', 'offsets']);
      return ex.events.filter((ev) => !skip.has(ev.type) && !(ev.type === 'poll' && ev.count === 0))
        .map((ev) => JSON.stringify(ev)).join('\n');
    }, runId);
    log(`the run's events:\n${story}`);
    throw e;
  });
  assert(ok.includes('inside the callback'), `the note says where the commit ran: ${ok}`);
  // The log groups it: partitions_revoked ┌ commit_requested │ commit_completed │ rebalance_done └.
  const group = await page.$$eval('#log .row.cb', (rows) => rows.map((r) => `${r.querySelector('.who').textContent}:${r.dataset.type}:${[...r.classList].find((c) => c.startsWith('cb-'))}`));
  const text = group.join(' ');
  assert(text.includes('c1:partitions_revoked:cb-start c1:commit_requested:cb-in c1:commit_completed:cb-in c1:rebalance_done:cb-end'),
    `the leave's callback rows are grouped in order: ${text}`);
  const done = await page.$$eval('#log .row.cb-end[data-type="rebalance_done"] .text', (ts) => ts.map((t) => t.textContent));
  assert(done.some((t) => t.startsWith('onPartitionsRevoked returned after') && t.includes('its commit ran inside it')), `rebalance_done says so: ${done}`);
  log(`leave: ${ok}`);
  const drawn = await page.evaluate(callbacks);
  assert(drawn.filter((c) => c.kind === 'revoke' && c.who === 'c1').length >= 2, `both of A's revokes listed: ${JSON.stringify(drawn)}`);
  await waitFor(page, 'the “revoke-commit” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="revoke-commit"]').classList.contains('reached'), null, WAIT);
  await page.locator('.callbacks-panel').scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await screenshot(page, 'rebalance-listener-callbacks.png');
  guard.check('listener flow');
});
