// The Java panel traced live by the real consumer's events.
// 1. Wakeup vs SIGKILL (the A/B view): both consumers pause after 150 records in the loop body;
//    A's SIGKILL marks the line it died on (✕), B's SIGTERM passes catch → finally → close().
// 2. Sync commit per batch: paused after 3 records the loop body is highlighted; Step batch moves
//    it to the batch's commitSync(); one Step moves it back to the loop body; a Kill marks it; a
//    new consumer is followed, and clicking (or Enter on) a card follows that one.
// 3. Large type and a narrow window: the panel grows and never overflows.
import { join } from 'node:path';
import { ARTIFACTS, assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const WAIT = 60_000;

/** What a Java panel shows; `scope` is a CSS selector of the pane (or '' for the page). */
function java(scope) {
  const root = document.querySelector(`${scope} [data-el="java"]`);
  const current = root.querySelector('li[aria-current="true"]');
  const died = root.querySelector('li.j-died');
  const box = root.querySelector('.java-scroll');
  const inView = (li) => {
    if (!li || li.closest('ol').hidden) return false;
    const a = li.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  };
  return {
    cls: document.querySelector(`${scope} [data-el="java-class"]`).textContent,
    lines: root.querySelectorAll('ol.java-lines li').length,
    consumer: root.dataset.consumer,
    current: root.dataset.current,
    trail: root.dataset.trail ? root.dataset.trail.split(' ') : [],
    died: root.dataset.died,
    seq: Number(root.dataset.seq || 0),
    currentText: current ? current.textContent : null,
    currentPaused: !!(current && current.classList.contains('j-paused')),
    currentInView: inView(current),
    diedMark: died ? died.querySelector('.j-mark').textContent : null,
    diedText: died ? (died.querySelector('.j-died-text') || {}).textContent || null : null,
    diedAnchor: died ? died.dataset.anchor : null,
    diedInView: inView(died),
    trailLines: [...root.querySelectorAll('li.j-trail')].map((li) => li.dataset.anchor).filter(Boolean),
  };
}

/** A screenshot of one element (the Java panel) into the artifacts. */
async function shoot(page, selector, name) {
  const path = join(ARTIFACTS, name);
  await page.locator(selector).screenshot({ path });
  log(`screenshot ${path}`);
}

/** Whether `want` appears in `list` in this order (other entries may sit between). */
function inOrder(list, want) {
  let i = 0;
  for (const x of list) if (x === want[i]) i++;
  return i === want.length;
}

async function abStep(page, n) {
  const button = `#ab-strip li[data-step="${n}"] button`;
  await waitFor(page, `step ${n} enabled`, (sel) => { const b = document.querySelector(sel); return b && !b.disabled; }, button, WAIT);
  await page.click(button);
  await waitFor(page, `step ${n} done`, (k) => document.querySelector(`#ab-strip li[data-step="${k}"]`).dataset.state === 'done', n, WAIT);
}

run('java-trace', async (browser) => {
  const { page, guard } = await guardedPage(browser);

  // ------------------------------------------------------------ 1. wakeup vs SIGKILL, side by side
  await page.goto(`${base}/labs/wakeup-vs-kill?lang=en`);
  await waitFor(page, 'both runs live', () => document.querySelectorAll('[data-pane] [data-el="conn"][data-state="live"]').length === 2);
  for (const side of ['A', 'B']) {
    const j = await page.evaluate(java, `[data-pane="${side}"]`);
    assert(j.cls === 'ConsumerWithWakeup', `${side} names the class: ${j.cls}`);
    assert(j.lines > 40 && !j.current, `${side} shows the code before any consumer, nothing highlighted: ${j.lines} lines, ${j.current}`);
  }
  const code = await page.textContent('[data-pane="A"] [data-el="java"]');
  assert(code.includes('catch (WakeupException e)') && code.includes('consumer.commitSync();') && code.includes('addShutdownHook'),
    'the course shape: shutdown hook, catch (WakeupException), finally { commitSync(); close(); }');
  assert(code.includes('if (++count % 100 == 0)'), 'the lab commits every 100 records');

  await abStep(page, 1);
  await abStep(page, 2);
  const paused = await waitFor(page, 'both paused after 150 records, in the loop body', () => {
    const all = [...document.querySelectorAll('[data-pane]')];
    return all.every((p) => p.querySelector('[data-role="position"]').textContent === '150'
      && p.querySelector('[data-el="java"]').dataset.current === 'loop'
      && p.querySelector('[data-el="java"] li[aria-current="true"].j-paused')) && true;
  }, null, WAIT);
  assert(paused, 'paused');
  for (const side of ['A', 'B']) {
    const j = await page.evaluate(java, `[data-pane="${side}"]`);
    assert(j.currentText.includes('System.out.println(record.value());'), `${side}: the loop body: ${j.currentText}`);
    assert(j.currentInView, `${side}: the current line is scrolled into view inside the panel`);
    assert(j.consumer === 'c1', `${side} follows c1`);
  }
  await page.mouse.move(0, 0);
  await screenshot(page, 'java-trace-ab-paused.png');

  await abStep(page, 3);
  const a = await waitFor(page, "A's SIGKILL marks the line it died on", () => {
    const root = document.querySelector('[data-pane="A"] [data-el="java"]');
    return root.dataset.died === 'loop' && root.querySelector('li.j-died .j-died-text') && true;
  }, null, WAIT);
  assert(a, 'A died');
  const b = await waitFor(page, "B's SIGTERM reaches close()", () => document.querySelector('[data-pane="B"] [data-el="java"]').dataset.current === 'close', null, WAIT);
  assert(b, 'B closed');
  const ja = await page.evaluate(java, '[data-pane="A"]');
  const jb = await page.evaluate(java, '[data-pane="B"]');
  log(`A: died on ${ja.diedAnchor} "${ja.diedMark}" (${ja.diedText}); B: trail ${jb.trail.join(' → ')} → ${jb.current}`);
  assert(ja.diedMark.includes('✕') && ja.diedText, `A's died-on line has ✕ and a text: ${ja.diedMark} / ${ja.diedText}`);
  assert(ja.diedAnchor === 'loop' && ja.diedInView && !ja.current, `A died in the loop body, marked in view, no line running: ${JSON.stringify(ja)}`);
  assert(!ja.trail.includes('wakeup'), 'a SIGKILL never reaches catch');
  assert(inOrder(jb.trail, ['loop', 'hook', 'wakeup', 'finally', 'finalCommit']), `B: hook → catch → finally → commitSync(): ${jb.trail}`);
  assert(jb.trailLines.includes('wakeup') && jb.trailLines.includes('finally'), `the catch and finally lines stay marked as passed: ${jb.trailLines}`);
  assert(jb.currentText.includes('consumer.close();') && !jb.died, `B ends on close(): ${jb.currentText}`);
  await page.mouse.move(0, 0);
  await screenshot(page, 'java-trace-ab-ended.png');
  await shoot(page, '#ab-grid', 'java-trace-ab-panes.png');
  guard.check('A/B java trace');

  // ------------------------------------------------------------ 2. steps, a kill, following a consumer
  await page.goto(`${base}/labs/sync-commit-batch?lang=en`);
  const runId = await waitForRun(page);
  log(`sync-commit-batch run ${runId}`);
  const j0 = await page.evaluate(java, '');
  assert(j0.cls === 'ConsumerWithSyncCommit' && j0.lines > 30, `the class and its code: ${j0.cls}`);
  await page.click('#settings > summary');
  await page.fill('#set-pause_after_records', '3');
  await page.fill('#set-max_poll_records', '50');
  await page.click('#settings > summary');
  const produce = (values) => page.evaluate(async ([id, v]) => fetch(`/api/runs/${id}/produce`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: v }),
  }), [runId, values]);
  await produce(['1', '2', '3', '4', '5', '6', '7', '8']);
  await waitFor(page, 'eight produced cells', () => document.querySelectorAll('#lanes .cell[data-offset]').length === 8);
  await page.click('button[data-action="start"]');
  await waitFor(page, 'c1 paused after 3 records, in the loop body', () => {
    const card = document.querySelector('.consumer[data-consumer="c1"]');
    const root = document.querySelector('[data-el="java"]');
    return card && !card.querySelector('.paused-badge').hidden && card.querySelector('.processed').textContent === '3'
      && root.dataset.current === 'loop' && root.dataset.consumer === 'c1';
  });
  let j = await page.evaluate(java, '');
  assert(j.currentPaused, 'the paused line says so');
  await waitFor(page, 'the setting chosen in the form in the code', () => document.querySelector('[data-el="java"]').textContent.includes('MAX_POLL_RECORDS_CONFIG, 50'));

  await page.click('.consumer[data-consumer="c1"] button[data-action="step-batch"]');
  await waitFor(page, 'Step batch: the batch commit line', () => {
    const c = document.querySelector('.consumer[data-consumer="c1"]');
    return document.querySelector('[data-el="java"]').dataset.current === 'commit' && !c.querySelector('.paused-badge').hidden;
  });
  j = await page.evaluate(java, '');
  assert(j.currentText.trim().endsWith('consumer.commitSync();'), `the commit line: ${j.currentText}`);
  const before = j.seq;
  const processed = Number(await page.textContent('.consumer[data-consumer="c1"] .processed'));
  await produce(['9', '10']);
  await page.click('.consumer[data-consumer="c1"] button[data-action="step"]');
  // The step polls (nothing is held) and processes one record. If that poll brought only
  // record 9 (the fetch decides, not the page), the step also finished the batch: its commit.
  const stepEnd = await waitFor(page, 'Step: one record, the loop body again', ([seq, n]) => {
    const root = document.querySelector('[data-el="java"]');
    return ['loop', 'commit'].includes(root.dataset.current) && Number(root.dataset.seq) > seq
      && Number(document.querySelector('.consumer[data-consumer="c1"] .processed').textContent) === n + 1
      && !document.querySelector('.consumer[data-consumer="c1"] .paused-badge').hidden
      && root.dataset.current;
  }, [before, processed]);
  j = await page.evaluate(java, '');
  if (stepEnd === 'loop') {
    // From the commit line, through a poll when nothing was held, to the loop body.
    assert(['commit', 'poll'].includes(j.trail[j.trail.length - 1]) && j.trail.includes('commit'), `the step left the commit line for the loop body: ${j.trail}`);
  } else {
    assert(j.trail.includes('loop'), `the step ran the loop body, then the batch's commit: ${j.trail}`);
    log(`the step's poll brought one record: loop body, then the batch's commit (${j.trail})`);
  }
  assert(j.currentInView, 'in view');
  await page.mouse.move(0, 0);
  await shoot(page, '#java-panel', 'java-trace-step.png');

  await page.click('.consumer[data-consumer="c1"] button[data-action="kill"]');
  await waitFor(page, 'Kill: the died-on mark', () => document.querySelector('[data-el="java"]').dataset.died === 'loop');
  await page.click('button[data-action="start"]');
  await waitFor(page, 'the new consumer c2 is followed', () => {
    const root = document.querySelector('[data-el="java"]');
    return root.dataset.consumer === 'c2' && ['poll', 'loop', 'commit'].includes(root.dataset.current) && !root.dataset.died;
  });
  // Click c1's card (not a button): the panel follows c1 again and shows where it died.
  await page.click('.consumer[data-consumer="c1"] .stats');
  await waitFor(page, 'c1 followed after a click on its card', () => {
    const root = document.querySelector('[data-el="java"]');
    return root.dataset.consumer === 'c1' && root.dataset.died === 'loop'
      && document.querySelector('.consumer[data-consumer="c1"]').getAttribute('aria-current') === 'true';
  });
  // The keyboard: Enter on c2's card.
  await page.focus('.consumer[data-consumer="c2"]');
  await page.keyboard.press('Enter');
  await waitFor(page, 'c2 followed after Enter on its card', () => document.querySelector('[data-el="java"]').dataset.consumer === 'c2');

  // ------------------------------------------------------------ 3. projector and narrow window
  const size = () => parseFloat(getComputedStyle(document.querySelector('[data-el="java"] ol.java-lines')).fontSize);
  const normal = await page.evaluate(size);
  await page.evaluate(() => document.documentElement.classList.add('large'));
  const large = await page.evaluate(size);
  await shoot(page, '#java-panel', 'java-trace-large.png');
  assert(large > normal, `large type enlarges the code: ${normal}px → ${large}px`);
  await page.evaluate(() => document.documentElement.classList.remove('large'));
  await page.setViewportSize({ width: 390, height: 800 });
  const fits = await waitFor(page, 'the panel fits a narrow window', () => {
    const panel = document.getElementById('java-panel');
    return panel.scrollWidth <= panel.clientWidth + 1 && panel.getBoundingClientRect().right <= window.innerWidth + 1 && true;
  });
  assert(fits, 'fits');
  await shoot(page, '#java-panel', 'java-trace-narrow.png');
  guard.check('java trace flow');
});
