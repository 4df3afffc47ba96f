// Watch a group: a kafkajs consumer stands in for the trainee's Java project (its own group,
// committing) on a lab run's topic; /watch?group=…&topic=…&lang=en shows the Java lines with
// the app's bootstrap address, the outside view (log-end, committed offset, lag) and Burrow's
// OK with the rule that fired; the same page in Korean has no English left outside code.
import { Kafka, logLevel } from 'kafkajs';
import { assert, baseUrl, guardedPage, log, run, screenshot, waitFor } from './lib.mjs';

const base = baseUrl();
const WAIT = 60_000;

// The session cookie the server gave this script (runs belong to the session that made them).
let session = '';

async function json(method, path, body) {
  const headers = { 'content-type': 'application/json' };
  if (session) headers.cookie = session;
  const r = await fetch(`${base}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const set = r.headers.get('set-cookie');
  if (set && set.startsWith('labs_session=')) session = set.split(';')[0];
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** What the page draws. */
function drawn() {
  const rows = [...document.querySelectorAll('#watch-rows tr')].map((tr) => ({
    partition: Number(tr.dataset.partition),
    logEnd: tr.querySelector('[data-cell="log-end"]').textContent,
    committed: tr.querySelector('[data-cell="committed"]').textContent,
    lag: tr.querySelector('[data-cell="lag"]').textContent,
    line: tr.querySelector('.spark .line').getAttribute('d') || '',
  }));
  const badge = document.getElementById('watch-badge');
  return {
    code: badge.dataset.code,
    word: badge.textContent,
    summary: document.getElementById('watch-summary').textContent,
    conn: document.getElementById('watch-conn').dataset.state,
    rows,
    reasons: [...document.querySelectorAll('.watch-reason')].map((p) => ({ rule: p.dataset.rule, text: p.textContent })),
    bootstrapLine: document.getElementById('java-bootstrap').textContent,
    groupLine: document.getElementById('java-group').textContent,
    status: document.querySelector('a[data-link="status"]').getAttribute('href'),
  };
}

/** English words in the page's text outside code (Kafka's, Burrow's and the status words allowed). */
function englishLeft() {
  const allowed = new Set(['Kafka', 'Burrow', 'Java', 'OK', 'WARN', 'WARNING', 'ERR', 'ERROR', 'STOP', 'STALL', 'REWIND', 'NOTFOUND', 'OffsetFetch', 'English']);
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest('code, script, style, [hidden]') || parent.closest('[lang="en"]')) continue;
    for (const m of n.textContent.matchAll(/[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)*/g)) {
      const w = m[0];
      // Code-shaped: a dotted or hyphened name, camelCase, or a command-line flag (--describe).
      const codeShaped = /[._-]/.test(w) || /[a-z][A-Z]/.test(w) || n.textContent[m.index - 1] === '-';
      if (!codeShaped && !allowed.has(w) && w.replace(/[^A-Za-z]/g, '').length >= 3) words.push(w);
    }
  }
  return words;
}

run('watch', async (browser) => {
  const created = await json('POST', '/api/runs', { lab: 'sync-commit-batch' });
  const topic = created.topic;
  const group = `java-like-${created.id}`;
  await json('POST', `/api/runs/${created.id}/produce`, { values: Array.from({ length: 20 }, (_, i) => String(i)) });
  const cluster = (await json('GET', '/v3/kafka')).clusters[0];
  const bootstrap = (await json('GET', `/v3/kafka/${cluster}`)).module.servers[0];
  log(`topic ${topic}, group ${group}, bootstrap ${bootstrap}`);

  // The stand-in: commits after each batch (kafkajs' auto commit), as a Java consumer would.
  const kafka = new Kafka({ clientId: 'watch-flow', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommit: true, eachMessage: async () => {} });

  try {
    const { page, guard } = await guardedPage(browser);
    await page.goto(`${base}/watch?group=${group}&topic=${topic}&lang=en`);
    await page.waitForSelector('#watch-live:not([hidden])');
    const ok = await waitFor(page, 'Burrow OK and 20 committed on P0', () => {
      const badge = document.getElementById('watch-badge');
      const committed = document.querySelector('#watch-rows tr[data-partition="0"] [data-cell="committed"]');
      return badge.dataset.code === 'OK' && committed && committed.textContent === '20';
    }, null, WAIT);
    assert(ok, 'OK');
    const d = await page.evaluate(drawn);
    log(`drawn: ${d.word} · ${d.summary} · ${JSON.stringify(d.rows)} · ${JSON.stringify(d.reasons)}`);
    assert(/^OK\b/.test(d.word) && /Group OK/.test(d.summary), `the group's status in words: ${d.word} / ${d.summary}`);
    assert(d.rows.length === 1 && d.rows[0].logEnd === '20' && d.rows[0].lag === '0' && /^M/.test(d.rows[0].line), `the outside view: ${JSON.stringify(d.rows)}`);
    assert(d.reasons.length === 1 && d.reasons[0].rule && d.reasons[0].text.length > 10, `the rule that fired, in a sentence: ${JSON.stringify(d.reasons)}`);
    assert(d.bootstrapLine === `props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "${bootstrap}");`, `the bootstrap line: ${d.bootstrapLine}`);
    assert(d.groupLine === `props.put(ConsumerConfig.GROUP_ID_CONFIG, "${group}");`, `the group line: ${d.groupLine}`);
    assert(d.status === `/v3/kafka/${cluster}/consumer/${group}/status`, `the Burrow link: ${d.status}`);
    assert(d.conn === 'live', `the stream is live: ${d.conn}`);
    assert(new URL(page.url()).search === `?group=${group}&topic=${topic}`, `the address keeps the group and topic: ${page.url()}`);
    // The Burrow link answers for this group.
    const status = await page.evaluate(async (href) => (await (await fetch(href)).json()).status.status, d.status);
    assert(status === 'OK', `Burrow's API: ${status}`);
    await page.mouse.move(0, 0);
    await screenshot(page, 'watch-en.png');

    // A bad name: the server's 400, worded by the page.
    await page.fill('#watch-group', 'bad group');
    await page.click('button[data-action="watch"]');
    await waitFor(page, 'the bad name explained', () => {
      const e = document.getElementById('watch-error');
      return !e.hidden && /not a Kafka name/.test(e.textContent);
    });
    guard.allow(/HTTP 400: POST \S+\/api\/watch|400 \(Bad Request\)/);
    guard.check('watch flow (English)');

    // Korean: the same watch, no English left outside code.
    const ko = await guardedPage(browser, undefined, { locale: 'ko-KR' });
    await ko.page.goto(`${base}/watch?group=${group}&topic=${topic}&lang=ko`);
    await waitFor(ko.page, 'the Korean page rating the group OK', () => document.getElementById('watch-badge').dataset.code === 'OK'
      && document.querySelectorAll('.watch-reason').length === 1, null, WAIT);
    const koDrawn = await ko.page.evaluate(drawn);
    log(`ko: ${koDrawn.word} · ${koDrawn.summary} · ${JSON.stringify(koDrawn.reasons)}`);
    assert(koDrawn.word === 'OK (정상)', `the Korean status: ${koDrawn.word}`);
    assert(await ko.page.getAttribute('html', 'lang') === 'ko', 'html lang=ko');
    const left = await ko.page.evaluate(englishLeft);
    assert(left.length === 0, `English left in the Korean page: ${JSON.stringify(left)}`);
    await ko.page.mouse.move(0, 0);
    await screenshot(ko.page, 'watch-ko.png');
    ko.guard.check('watch flow (Korean)');
  } finally {
    await consumer.disconnect();
    await json('DELETE', `/api/runs/${created.id}`);
  }
});
