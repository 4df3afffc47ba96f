// Consumer lag lab, both views. The run is created through the API with a short Burrow window
// (4 commits) and opened with ?run=. Before the first commit Burrow does not know the group.
// The background producer at 30 records/s (after a refused 600) and a slow consumer (200 ms
// per record, 5 per poll, session timeout 2 s — set in the form): the outside view reads WARN
// with the lag_not_decreasing sentence over a filled window, position lag beside committed lag,
// and the inside view (`consumer.metrics()`) is live. Killed: the inside view freezes and greys
// ("the consumer is gone") while the outside view goes on, until STOP / ERR. The stopped group's
// offsets reset to the beginning: REWIND with its sentence. A reload draws the run's state; the
// Korean page renders the panel without English left over.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 90_000;

/** The lag panel (outside view) as drawn. */
function lagPanel() {
  const box = document.getElementById('lag-panel');
  const badge = box.querySelector('.lag-badge');
  return {
    code: badge.querySelector('.code').textContent,
    word: badge.querySelector('.word').textContent,
    status: badge.dataset.status,
    facts: box.querySelector('.lag-facts').textContent,
    rule: box.querySelector('.lag-rule').textContent,
    settings: box.querySelector('.lag-settings').textContent,
    parts: [...box.querySelectorAll('.lag-part')].map((r) => ({
      partition: Number(r.dataset.partition),
      status: r.dataset.status,
      committed: r.querySelector('.lag-num.committed').textContent,
      position: r.querySelector('.lag-num.position').textContent,
      why: r.querySelector('.lag-why').textContent,
      slots: r.querySelectorAll('.lag-ring .slot').length,
      filled: r.querySelectorAll('.lag-ring .slot:not(.empty)').length,
      line: r.querySelector('.committed-line').getAttribute('d') || '',
      posLine: r.querySelector('.position-line').getAttribute('d') || '',
    })),
  };
}

/** The inside view as drawn. */
function insidePanel() {
  const box = document.getElementById('inside');
  return {
    hidden: document.getElementById('inside-panel').hidden,
    state: box.dataset.state,
    note: box.querySelector('.inside-note').textContent,
    gone: !box.querySelector('.inside-gone').hidden,
    goneText: box.querySelector('.inside-gone').textContent,
    values: Object.fromEntries([...box.querySelectorAll('.metric')].map((x) => [x.dataset.metric, x.querySelector('.value').textContent])),
  };
}

run('lag', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/`);
  const created = await page.evaluate(async () => {
    const r = await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: 'consumer-lag', burrow: { intervals: 4 } }) });
    return { status: r.status, body: await r.json() };
  });
  assert(created.status === 201, `run created: ${JSON.stringify(created)}`);
  const runId = created.body.id;
  await page.goto(`${base}/labs/consumer-lag?run=${runId}&lang=en`);
  assert((await waitForRun(page)) === runId, 'the page opened the run it was given');
  const view = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}`)).json(), runId);
  assert(view.burrow && view.burrow.intervals === 4, `the run's own Burrow window: ${JSON.stringify(view.burrow)}`);

  // Before the first commit Burrow does not know the group: NOTFOUND, empty windows of 4 slots.
  const first = await page.evaluate(lagPanel);
  log(`first: ${first.code} · ${first.rule} · ${first.settings}`);
  assert(first.status === 'NOTFOUND' && /does not know the group yet/.test(first.rule), `NOTFOUND first: ${JSON.stringify(first)}`);
  assert(first.parts.length === 3 && first.parts.every((p) => p.slots === 4 && p.filled === 0), `three empty windows of 4: ${JSON.stringify(first.parts)}`);
  assert(/last 4 commits of each partition/.test(first.settings) && /closer than 1 s count as one/.test(first.settings), `Burrow's settings explained: ${first.settings}`);
  const order = await page.evaluate(() => document.getElementById('lag-panel').compareDocumentPosition(document.querySelector('.lanes-panel')) & Node.DOCUMENT_POSITION_FOLLOWING);
  assert(order, 'the lag panel comes before the lanes in the lag lab');
  const inside0 = await page.evaluate(insidePanel);
  assert(!inside0.hidden && inside0.state === 'waiting', `the inside view waits for a report: ${JSON.stringify(inside0)}`);

  // Beyond the ceiling: the server's 400 is shown under the rate box.
  await page.fill('#producer-rate', '600');
  await page.click('button[data-action="producer-start"]');
  await waitFor(page, 'the refused rate explained', () => {
    const e = document.getElementById('rate-error');
    return !e.hidden && /more than (the maximum, )?500/.test(e.textContent);
  });
  // Over the server's limit: 403 with the field named (shown beside the rate box).
  guard.allow(/(HTTP 403: POST \S+\/api\/runs\/\S+\/producer|403 \(Forbidden\))/);

  // 30 records per second, started with Enter in the rate box.
  await page.fill('#producer-rate', '30');
  await page.press('#producer-rate', 'Enter');
  await waitFor(page, 'the producer shown running at 30/s', () => document.querySelector('[data-el="producer-state"]').textContent === 'running · 30 records/s');

  // A slow consumer, configured in the form.
  await page.click('#settings > summary');
  await page.fill('#set-processing_delay_ms', '200');
  await page.fill('#set-max_poll_records', '5');
  await page.click('button[data-preset-for="session_timeout_ms"][data-value="2000"]');
  await page.click('#settings > summary');
  await page.click('button[data-action="start"]');
  await page.waitForSelector('.consumer[data-consumer="c1"]');
  await waitFor(page, 'the reset button disabled while a consumer is live', () => {
    const b = document.getElementById('reset-offsets');
    return b.disabled && /live consumer/.test(b.title);
  });

  // WARN: the lag at each commit never went down, over a full window of 4 commits.
  await waitFor(page, 'WARN with a filled window', () => {
    const badge = document.querySelector('#lag-panel .lag-badge');
    return badge.dataset.status === 'WARN' && [...document.querySelectorAll('#lag-panel .lag-part[data-status="WARN"]')]
      .some((r) => r.querySelectorAll('.lag-ring .slot:not(.empty)').length === 4);
  }, null, WAIT);
  await waitFor(page, 'position lag reported by the live consumer', () => [...document.querySelectorAll('#lag-panel .lag-num.position')].some((n) => n.textContent !== '–')
    && document.getElementById('inside').dataset.state === 'live');
  const warned = await page.evaluate(lagPanel);
  const warn = warned.parts.find((p) => p.status === 'WARN' && p.filled === 4);
  log(`WARN: ${warned.rule} · ${warned.facts} · ${warned.parts.map((p) => `P${p.partition} ${p.status} committed ${p.committed} position ${p.position}: ${p.why}`).join(' | ')}`);
  assert(warned.code === 'WARN' && warned.word === 'warning', `the code and its word: ${warned.code} ${warned.word}`);
  assert(/^lag at each commit \d[\d,]*( → \d[\d,]*)+: never went down → WARN$/.test(warn.why), `the rule with its numbers: ${warn.why}`);
  assert(/^complete [\d.]+ · totallag [\d,]+$/.test(warned.facts), `complete and totallag: ${warned.facts}`);
  assert(warned.parts.every((p) => /^M/.test(p.line)) && warned.parts.some((p) => /^M/.test(p.posLine)), 'both lines drawn');
  const inside1 = await page.evaluate(insidePanel);
  log(`inside: ${inside1.note} · ${JSON.stringify(inside1.values)}`);
  assert(/^c1 · live/.test(inside1.note) && inside1.values['records-lag-max'] !== '–', `the consumer's own view, live: ${JSON.stringify(inside1)}`);
  await waitFor(page, 'the “falling-behind” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="falling-behind"]').classList.contains('reached'));
  await page.mouse.move(0, 0);
  await page.locator('#lag-panel').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/lag-warn-panel.png` });

  // Kill: the inside view freezes, greyed, while the outside view goes on to STOP / ERR.
  await page.click('.consumer[data-consumer="c1"] button[data-action="kill"]');
  await waitFor(page, 'the inside view greyed: the consumer is gone', () => {
    const box = document.getElementById('inside');
    return box.dataset.state === 'gone' && !box.querySelector('.inside-gone').hidden;
  });
  const frozen = await page.evaluate(insidePanel);
  assert(/^No data: the consumer is gone/.test(frozen.goneText) && /^c1's last report, at /.test(frozen.note), `gone: ${JSON.stringify(frozen)}`);
  const committedAtKill = (await page.evaluate(lagPanel)).parts.map((p) => p.committed).join();
  await waitFor(page, 'the outside view still updating after the kill', (before) => [...document.querySelectorAll('#lag-panel .lag-num.committed')].map((n) => n.textContent).join() !== before, committedAtKill);
  await waitFor(page, 'no position lag without a live consumer', () => [...document.querySelectorAll('#lag-panel .lag-num.position')].every((n) => n.textContent === '–'));
  assert(JSON.stringify((await page.evaluate(insidePanel)).values) === JSON.stringify(frozen.values), 'the inside view stays frozen');
  await waitFor(page, 'ERR with a partition in STOP', () => document.querySelector('#lag-panel .lag-badge').dataset.status === 'ERR'
    && document.querySelector('#lag-panel .lag-part[data-status="STOP"]') !== null, null, WAIT);
  const stopped = await page.evaluate(lagPanel);
  const stop = stopped.parts.find((p) => p.status === 'STOP');
  log(`ERR: ${stopped.rule} · ${stop.why}`);
  assert(/^no commit for [\d.]+ s, longer than the window spans \([\d.]+ s\) → STOP$/.test(stop.why), `the stop rule with its numbers: ${stop.why}`);
  assert(/STOP on P.* → group ERR/.test(stopped.rule), `the group line: ${stopped.rule}`);
  await waitFor(page, 'the “stopped” checkpoint ticked', () => document.querySelector('#checkpoints li[data-checkpoint="stopped"]').classList.contains('reached'));
  assert(JSON.stringify((await page.evaluate(insidePanel)).values) === JSON.stringify(frozen.values), 'still frozen at STOP');
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'lag-error.png');
  await page.locator('#lag-panel').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/lag-panel.png` });

  // The stopped group's offsets back to the beginning: REWIND.
  await waitFor(page, 'the reset button enabled: no live consumer', () => !document.getElementById('reset-offsets').disabled);
  await page.click('#reset-offsets');
  await waitFor(page, 'REWIND with its sentence', () => [...document.querySelectorAll('#lag-panel .lag-part[data-status="REWIND"] .lag-why')]
    .some((w) => /^commit went back from \d[\d,]* to 0 → REWIND$/.test(w.textContent)), null, WAIT);
  const rewound = await page.evaluate(lagPanel);
  log(`REWIND: ${rewound.rule} · ${rewound.parts.map((p) => `P${p.partition} ${p.status}: ${p.why}`).join(' | ')}`);
  assert(rewound.status === 'ERR', `REWIND makes the group ERR: ${rewound.status}`);
  assert(await page.isHidden('#reset-error'), 'no error under the button');
  await waitFor(page, 'the reset logged', () => document.querySelector('#log .row[data-type="offsets_reset"]') !== null);

  // A reload draws the run's state: the producer's rate, Burrow's status, the frozen inside view.
  await page.reload();
  await waitForRun(page);
  await waitFor(page, 'after the reload: the rate, ERR and the frozen inside view', () => document.querySelector('[data-el="producer-state"]').textContent === 'running · 30 records/s'
    && document.querySelector('#lag-panel .lag-badge').dataset.status === 'ERR'
    && document.getElementById('inside').dataset.state === 'gone');

  // The Korean page (another tab of the same trainee, whose run it is): the same panel, no
  // English left but Burrow's codes and code.
  const ko = await guardedPage(browser, undefined, { context: page.context() });
  await ko.page.goto(`${base}/labs/consumer-lag?run=${runId}&lang=ko`);
  await waitForRun(ko.page);
  await waitFor(ko.page, 'the Korean panel drawn', () => document.querySelector('#lag-panel .lag-badge').dataset.status === 'ERR'
    && document.getElementById('inside').dataset.state === 'gone');
  const leftovers = await ko.page.evaluate(() => {
    const texts = [];
    const walker = document.createTreeWalker(document.getElementById('lag-panel'), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
    const text = [...texts, ...[...document.querySelectorAll('#lag-panel [title]')].map((n) => n.title)].join('\n');
    const kept = new Set(['OK', 'WARN', 'ERR', 'STOP', 'STALL', 'REWIND', 'NOTFOUND', 'Burrow', 'Kafka', 'Java', 'librdkafka', 'complete', 'totallag']);
    return text.replace(/\S*[._()\-−/]\S*/g, ' ') // code: records-lag-max, ls_offset, poll(), req.Fetch, …
      .match(/[A-Za-z]{3,}/g)?.filter((w) => !kept.has(w)) || [];
  });
  const koPanel = await ko.page.evaluate(lagPanel);
  log(`ko: ${koPanel.code} ${koPanel.word} · ${koPanel.rule} · ${koPanel.parts.map((p) => p.why).join(' | ')}`);
  assert(koPanel.word === '오류', `the Korean word beside the code: ${koPanel.word}`);
  assert(leftovers.length === 0, `English left in the Korean panel: ${leftovers.join(', ')}`);
  assert(/데이터 없음/.test((await ko.page.evaluate(insidePanel)).goneText), 'the consumer is gone, in Korean');
  await ko.page.locator('#lag-panel').screenshot({ path: `${process.env.ARTIFACTS_DIR || 'target/browser-artifacts'}/lag-panel-ko.png` });
  ko.guard.check('lag flow (Korean)');

  await page.click('button[data-action="producer-stop"]');
  await waitFor(page, 'the producer shown stopped', () => document.querySelector('[data-el="producer-state"]').textContent === 'stopped');
  guard.check('lag flow');
});
