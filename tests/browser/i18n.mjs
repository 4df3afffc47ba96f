// The page's language: a browser asking for Korean (locale ko-KR) gets a Korean lab page
// (<html lang="ko">, the lab's Korean title, the Korean catalog in the #i18n island); the
// header's English toggle switches to English on the same run, and a reload stays English
// (the cookie); `?lang=en` wins in a fresh Korean browser. Only server-rendered text is checked.
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor, waitForRun } from './lib.mjs';

const base = baseUrl();
const LAB = 'wakeup-vs-kill';

async function shown(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    h1: document.querySelector('h1').textContent.trim(),
    island: JSON.parse(document.getElementById('i18n').textContent).lang,
    current: document.querySelector('.lang-toggle a[aria-current]')?.dataset.lang,
  }));
}

run('i18n', async (browser) => {
  const korean = await guardedPage(browser, undefined, { locale: 'ko-KR' });
  const { page, guard } = korean;
  const labs = await (await page.request.get(`${base}/api/labs`)).json();
  const lab = labs.find((l) => l.id === 'simple-consumer');
  assert(lab.title.ko && lab.title.en && lab.title.ko !== lab.title.en, `both titles: ${JSON.stringify(lab.title)}`);

  // The home page in Korean.
  await page.goto(`${base}/`);
  let s = await shown(page);
  assert(s.lang === 'ko' && s.island === 'ko' && s.current === 'ko', `home in Korean: ${JSON.stringify(s)}`);
  assert(await page.$(`.lab-card h2:text-is("${lab.title.ko}")`), 'the lab list in Korean');

  // A lab page in Korean, with its run.
  await page.goto(`${base}/labs/${lab.id}`);
  const runId = await waitForRun(page);
  s = await shown(page);
  assert(s.lang === 'ko' && s.h1 === lab.title.ko && s.island === 'ko', `lab page in Korean: ${JSON.stringify(s)}`);
  const point = await page.textContent('[data-el="course-point"]');
  assert(point.trim() === lab.point.ko, `the course's point in Korean: ${point}`);
  await screenshot(page, 'i18n-ko.png');

  // The English toggle: the same run, now in English.
  await Promise.all([page.waitForURL((u) => !u.searchParams.has('lang')), page.click('.lang-toggle a[data-lang="en"]')]);
  const again = await waitForRun(page);
  assert(again === runId, `the toggle kept the run ${runId}, not ${again}`);
  s = await shown(page);
  assert(s.lang === 'en' && s.h1 === lab.title.en && s.island === 'en' && s.current === 'en', `after the toggle: ${JSON.stringify(s)}`);
  assert(new URL(page.url()).searchParams.get('run') === runId, `the address keeps ?run=: ${page.url()}`);

  // A reload stays English (the cookie), though the browser still asks for Korean.
  await page.reload();
  await waitForRun(page);
  s = await shown(page);
  assert(s.lang === 'en' && s.h1 === lab.title.en, `after a reload: ${JSON.stringify(s)}`);
  await screenshot(page, 'i18n-en.png');

  // And back to Korean.
  await Promise.all([page.waitForURL((u) => !u.searchParams.has('lang')), page.click('.lang-toggle a[data-lang="ko"]')]);
  await waitForRun(page);
  s = await shown(page);
  assert(s.lang === 'ko' && s.h1 === lab.title.ko, `back to Korean: ${JSON.stringify(s)}`);
  guard.check('Korean browser');
  log(`toggle ok (run ${runId})`);

  // A link the instructor shares, ?lang=en, wins in a fresh Korean browser; the A/B page too.
  const fresh = await guardedPage(browser, undefined, { locale: 'ko-KR' });
  const ab = labs.find((l) => l.id === LAB);
  await fresh.page.goto(`${base}/labs/${LAB}?lang=en`);
  await waitFor(fresh.page, 'both runs live', () => document.querySelectorAll('[data-pane] [data-el="conn"][data-state="live"]').length === 2);
  s = await shown(fresh.page);
  assert(s.lang === 'en' && s.h1 === ab.title.en, `?lang=en in a Korean browser: ${JSON.stringify(s)}`);
  assert(!new URL(fresh.page.url()).searchParams.has('lang'), `the address drops lang: ${fresh.page.url()}`);
  const cookies = await fresh.context.cookies();
  assert(cookies.some((c) => c.name === 'lang' && c.value === 'en'), `the lang cookie: ${JSON.stringify(cookies)}`);
  fresh.guard.check('?lang=en');
  // A reload of the home page in that browser: English, by the cookie.
  await fresh.page.goto(`${base}/`);
  s = await shown(fresh.page);
  assert(s.lang === 'en', `the cookie holds: ${JSON.stringify(s)}`);
  fresh.guard.check('home after ?lang=en');
});
