// Hostile record values and keys are drawn as text, never run (issue 16, finding 3): values
// such as `<img src=x onerror=…>` and `</script><script>…` are produced into a run, a consumer
// reads them, and the page shows them literally in the log while nothing they carry executes.
// The Content-Security-Policy is on; any violation it reports is a console error the guard
// fails on (so the check also proves the pages work under the policy).
import { assert, baseUrl, guardedPage, log, run, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  '"><svg onload="window.__pwned=3"></svg>',
  "'); window.__pwned=4; ('",
];

run('xss', async (browser) => {
  const { page, guard } = await guardedPage(browser);
  await page.goto(`${base}/labs/simple-consumer?lang=en`);
  const id = await waitForRun(page);
  log(`run ${id}`);
  const sent = await page.evaluate(async ([runId, values]) => {
    const post = (path, body) => fetch(`/api/runs/${runId}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const produced = await post('/produce', { values, keys: values });
    const started = await post('/consumers', {});
    return [produced.status, started.status];
  }, [id, HOSTILE]);
  assert(sent[0] === 200 && sent[1] === 201, `produce and start: ${sent}`);
  await waitFor(page, 'the hostile records in the log', (n) => document.querySelectorAll('#log .row[data-type="record"]').length >= n, HOSTILE.length);
  const seen = await page.evaluate(() => ({
    pwned: window.__pwned,
    images: document.querySelectorAll('img').length,
    svgsWithOnload: document.querySelectorAll('svg[onload]').length,
    log: document.getElementById('log').textContent,
  }));
  log(`seen: pwned=${seen.pwned} images=${seen.images}`);
  assert(seen.pwned === undefined, `a hostile value ran: window.__pwned = ${seen.pwned}`);
  assert(seen.images === 0 && seen.svgsWithOnload === 0, 'a hostile value became an element');
  assert(seen.log.includes('<img src=x') && seen.log.includes('</script>'), 'the values are shown as text');
  guard.check('xss flow');
});
