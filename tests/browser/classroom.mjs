// A class in three browsers (three contexts: three cookie jars, three sessions). The instructor
// signs in with the token (LABS_INSTRUCTOR_TOKEN, from tests/browser.rs) and keeps the table
// open; a trainee types a name on the home page (their row appears, live), runs the
// sync-commit-batch lab to its first checkpoint (it appears in the table within a deadline); the
// instructor filters the lab, sorts, marks the trainee's run as the demo; another trainee's open home page shows "watch the demo"; the first trainee's home
// page lists the run and the checkpoint; the instructor stops the trainee's runs and the home
// page says how the run ended. No console errors anywhere.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const TOKEN = process.env.LABS_INSTRUCTOR_TOKEN;
const NAME = '김하늘';
const LAB = 'sync-commit-batch';
const CHECKPOINT = 'sync-commit-seen';
/** How long the instructor's table may take to show a trainee's checkpoint. */
const DASHBOARD_DEADLINE = 10_000;

/**
 * English words in the text of the elements `roots` selects (the classroom's own parts; lab
 * texts are checked by tests/i18n.rs), outside code and the trainees' names.
 */
function englishLeft(roots) {
  // The words tests/i18n.rs keeps in English in Korean texts (checkpoint texts come from labs).
  const allowed = new Set(['Kafka', 'Java', 'Burrow', 'SIGKILL', 'SIGTERM', 'OK', 'WARN', 'WARNING', 'ERROR', 'STOP', 'STALL', 'ERR', 'NOTFOUND', 'REWIND',
    'poll', 'CSV', 'API', 'SSE', 'JSON', 'librdkafka', 'SQLite', 'HDFS', 'RDBMS', 'SMS', 'English']);
  const words = [];
  const nodes = [];
  for (const root of document.querySelectorAll(roots)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
  }
  for (const n of nodes) {
    const parent = n.parentElement;
    if (!parent || parent.closest('code, pre, script, style, [hidden], th.name, #name-value, [lang="en"]')) continue;
    for (const m of n.textContent.matchAll(/[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)*/g)) {
      const w = m[0];
      const codeShaped = /[._-]/.test(w) || /[a-z][A-Z]/.test(w) || n.textContent[m.index + w.length] === '(';
      if (!codeShaped && !allowed.has(w) && w.replace(/[^A-Za-z]/g, '').length >= 3) words.push(w);
    }
  }
  return words;
}

run('classroom', async (browser) => {
  assert(TOKEN, 'LABS_INSTRUCTOR_TOKEN is set for the flow');

  // ---------------------------------------------------------------- the instructor, first
  const instructor = await guardedPage(browser);
  const ip = instructor.page;
  await ip.goto(`${base}/instructor`);
  await ip.fill('#token', 'not-the-token');
  await ip.click('#login-form button[type="submit"]');
  await waitFor(ip, 'the refusal in words', () => {
    const e = document.getElementById('login-error');
    return !e.hidden && e.textContent.includes('not the instructor token');
  });
  instructor.guard.allow(/HTTP 401: POST \S+\/api\/instructor\/login|401 \(Unauthorized\)/);
  await ip.fill('#token', TOKEN);
  await Promise.all([ip.waitForNavigation(), ip.click('#login-form button[type="submit"]')]);
  await waitFor(ip, 'the class stream live, nobody in class yet', () => document.getElementById('class-conn').dataset.state === 'live'
    && !document.getElementById('class-empty').hidden);
  log('instructor signed in');

  // ---------------------------------------------------------------- the trainee
  const trainee = await guardedPage(browser);
  const tp = trainee.page;
  await tp.goto(`${base}/`);
  assert(await tp.isHidden('#name-shown'), 'no name yet');
  await tp.fill('#name-input', `  ${NAME} `);
  await tp.click('#name-form button[type="submit"]');
  await waitFor(tp, 'the name shown after saving', (n) => {
    const shown = document.getElementById('name-shown');
    return !shown.hidden && document.getElementById('name-value').textContent === n && document.getElementById('name-form').hidden;
  }, NAME);
  const row = await waitFor(ip, "the trainee's row with the name, live", (name) => {
    const tr = [...document.querySelectorAll('#class-rows tr')].find((r) => r.querySelector('th.name').textContent === name);
    return tr ? tr.dataset.trainee : null;
  }, NAME, DASHBOARD_DEADLINE);
  log(`trainee named; the instructor's table has the row (${row})`);

  await tp.goto(`${base}/labs/${LAB}`);
  const runId = await waitForRun(tp);
  log(`trainee's run ${runId}`);
  await tp.click('button[data-action="produce-batch"]');
  await tp.click('button[data-action="start"]');
  await waitFor(tp, 'the checkpoint ticked on the lab page', (id) => !!document.querySelector(`#checkpoints li.reached[data-checkpoint="${id}"]`), CHECKPOINT);
  const reachedAt = Date.now();
  await waitFor(ip, "the trainee's checkpoint and live run in the instructor's table", ([tag, lab]) => {
    const cell = document.querySelector(`#class-rows tr[data-trainee="${tag}"] td.lab[data-lab="${lab}"]`);
    return cell && cell.dataset.reached === '1' && cell.querySelector('.live-run a.watch');
  }, [row, LAB], DASHBOARD_DEADLINE);
  log(`the instructor's table shows the checkpoint ${Date.now() - reachedAt} ms after the trainee's page (deadline ${DASHBOARD_DEADLINE} ms)`);

  // ---------------------------------------------------------------- another trainee, waiting
  const other = await guardedPage(browser);
  await other.page.goto(`${base}/`);
  assert(await other.page.isHidden('#demo-banner'), 'no demo yet');

  const watchHref = await ip.getAttribute(`#class-rows tr[data-trainee="${row}"] .live-run[data-run="${runId}"] a.watch`, 'href');
  assert(watchHref === `/labs/${LAB}?run=${runId}&view=watch`, `the watch link is the run's read-only page: ${watchHref}`);

  // One lab: a column per checkpoint, the trainee's ticked.
  await ip.selectOption('#lab-filter', LAB);
  await waitFor(ip, 'a column per checkpoint of the lab', (id) => !!document.querySelector(`#class-head th.col-checkpoint[data-checkpoint="${id}"]`), CHECKPOINT);
  assert(await ip.isVisible(`#class-rows tr[data-trainee="${row}"] td.cp.reached[data-checkpoint="${CHECKPOINT}"]`), 'the checkpoint ticked in its column');
  // Sorting by progress puts the trainee first.
  await ip.click('#class-head button[data-sort="progress"]');
  await waitFor(ip, 'sorted by progress', (tag) => document.querySelector('#class-rows tr').dataset.trainee === tag
    && document.querySelector('#class-head th.col-progress').getAttribute('aria-sort') === 'descending', row);
  // The projector toggle enlarges the table.
  const small = await ip.$eval('#class-table', (t) => parseFloat(getComputedStyle(t).fontSize));
  await ip.click('#projector');
  const large = await ip.$eval('#class-table', (t) => parseFloat(getComputedStyle(t).fontSize));
  assert(large > small * 1.4, `projector type is larger: ${small}px → ${large}px`);
  await screenshot(ip, 'classroom-instructor.png');
  await ip.click('#projector');

  // The demo.
  await ip.click(`#class-rows tr[data-trainee="${row}"] button[data-action="mark-demo"][data-run="${runId}"]`);
  await waitFor(ip, 'the demo shown above the table', () => !document.getElementById('demo-now').hidden);
  await waitFor(ip, 'the demo run marked in its cell', (id) => !!document.querySelector(`.live-run[data-run="${id}"][data-demo="true"] button[data-action="end-demo"]`), runId);
  log('demo marked');

  // The other trainee's home page, open all along, offers to watch it.
  await waitFor(other.page, '"watch the demo" on the other home page', () => !document.getElementById('demo-banner').hidden, undefined, 15_000);
  const demoHref = await other.page.getAttribute('#demo-link', 'href');
  assert(demoHref === watchHref, `the banner links to the demo, read-only: ${demoHref}`);
  assert((await other.page.textContent('#demo-link')).includes('demo'), 'the banner says what it is');
  await screenshot(other.page, 'classroom-home-demo.png');

  // The trainee's own home page: name, the live run, the checkpoint on the lab's card, the demo.
  const home = await trainee.context.newPage();
  await home.goto(`${base}/`);
  assert((await home.textContent('#name-value')) === NAME, 'the name, server-rendered');
  assert(await home.isVisible(`#live-runs li[data-run="${runId}"]`), 'the live run listed');
  assert((await home.getAttribute(`.lab-card[data-lab="${LAB}"] .lab-progress`, 'data-reached')) === '1', 'one checkpoint on the lab card');
  assert(await home.isVisible('#demo-banner'), 'the demo banner, server-rendered');
  // Changing the name: the form again, then the new name.
  await home.click('#name-change');
  await home.fill('#name-input', 'Haneul Kim');
  await home.click('#name-form button[type="submit"]');
  await waitFor(home, 'the new name', () => document.getElementById('name-value').textContent === 'Haneul Kim');
  await waitFor(ip, 'the new name in the instructor table', (tag) => document.querySelector(`#class-rows tr[data-trainee="${tag}"] th.name`).textContent === 'Haneul Kim', row);

  // Stopping all the trainee's runs (the lab page is closed first: its run is about to go).
  trainee.guard.check('trainee pages');
  await tp.close();
  ip.once('dialog', (d) => d.accept());
  await ip.click(`#class-rows tr[data-trainee="${row}"] button[data-action="stop"]`);
  await waitFor(ip, 'the stop confirmed', () => /Stopped 1 run/.test(document.getElementById('class-note').textContent));
  await waitFor(ip, 'no live run left in the row', (tag) => !document.querySelector(`#class-rows tr[data-trainee="${tag}"] .live-run`), row);
  await home.reload();
  await waitFor(home, 'the past run and how it ended', (id) => {
    const li = document.querySelector(`#past-runs li[data-run="${id}"]`);
    return li && li.querySelector('.run-end').textContent === 'ended: stopped by the instructor';
  }, runId);
  assert(!(await home.$(`#live-runs li[data-run="${runId}"]`)), 'no longer live');

  // In Korean: the instructor's table and the home page, no English left outside code and names.
  await ip.goto(`${base}/instructor?lang=ko`);
  await waitFor(ip, 'the Korean table live', () => document.getElementById('class-conn').dataset.state === 'live' && document.querySelectorAll('#class-rows tr').length > 0);
  const koTable = await ip.evaluate(englishLeft, '#instructor');
  assert(koTable.length === 0, `English left on the Korean instructor page: ${koTable}`);
  await home.goto(`${base}/?lang=ko`);
  assert((await home.textContent(`#past-runs li[data-run="${runId}"] .run-end`)) === '종료: 강사가 중지', 'how the run ended, in Korean');
  const koHome = await home.evaluate(englishLeft, '.me, .lab-progress, #demo-banner, .instructor-home');
  assert(koHome.length === 0, `English left on the Korean home page: ${koHome}`);
  await screenshot(ip, 'classroom-instructor-ko.png');

  trainee.guard.check('trainee pages');
  other.guard.check('the other trainee');
  instructor.guard.allow(/HTTP 401: POST \S+\/api\/instructor\/login|401 \(Unauthorized\)/);
  instructor.guard.check('instructor page');
});
