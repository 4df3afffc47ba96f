// The Java each lab shows (static/lab/java/source.js): every shape is Java in shape (balanced,
// imports that match what it uses), carries the anchors its events drive, and shows the settings
// the consumer runs with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import { loadTexts } from '../../static/lab/i18n.js';
import { anchorIndex, classFor, javaSource } from '../../static/lab/java/source.js';

const root = new URL('../../', import.meta.url);
const catalog = (lang) => JSON.parse(readFileSync(new URL(`static/i18n/${lang}.json`, root), 'utf8'));
loadTexts({ lang: 'en', texts: catalog('en') });

const EXTRA = { topic: 'test-r1', group: 'wakeup-group-r1', bootstrap: '127.0.0.1:9092' };
const CORE = ['create', 'subscribe', 'poll', 'loop', 'commit', 'wakeup', 'finally', 'close', 'hook'];

/** The code of a line without its comment and string literals. */
function code(text) {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/\/.*$/, '');
}

function text(src) {
  return src.files.map((f) => f.lines.map((l) => l.text).join('\n')).join('\n');
}

function line(src, anchor) {
  const at = anchorIndex(src).get(anchor);
  return at ? src.files[at.file].lines[at.line].text.trim() : null;
}

/** Balanced braces and parentheses, imports of exactly the types used, one public class per file. */
function assertJavaShape(src, what) {
  for (const f of src.files) {
    let braces = 0;
    let parens = 0;
    for (const l of f.lines) {
      for (const ch of code(l.text)) {
        if (ch === '{') braces++;
        if (ch === '}') braces--;
        if (ch === '(') parens++;
        if (ch === ')') parens--;
        assert.ok(braces >= 0 && parens >= 0, `${what} ${f.name}: closes before it opens at "${l.text}"`);
      }
    }
    assert.equal(braces, 0, `${what} ${f.name}: braces balance`);
    assert.equal(parens, 0, `${what} ${f.name}: parentheses balance`);
    const cls = f.name.replace(/\.java$/, '');
    const publics = f.lines.filter((l) => /^public (class|interface) /.test(l.text));
    assert.equal(publics.length, 1, `${what} ${f.name}: one top-level public class`);
    assert.ok(publics[0].text.startsWith(`public class ${cls} `), `${what}: the file is named after its class`);
    const imports = f.lines.filter((l) => l.text.startsWith('import ')).map((l) => l.text.match(/\.(\w+);$/)[1]);
    const body = f.lines.filter((l) => !l.text.startsWith('import ')).map((l) => code(l.text)).join('\n');
    for (const name of imports) assert.match(body, new RegExp(`\\b${name}\\b`), `${what} ${f.name}: ${name} is imported and used`);
    for (const name of ['Duration', 'Properties', 'KafkaConsumer', 'ConsumerRecord', 'ConsumerRecords', 'WakeupException', 'TopicPartition', 'OffsetAndMetadata', 'Map', 'HashMap', 'Collection', 'Collections', 'Arrays', 'ConsumerConfig', 'StringDeserializer', 'ExecutorService', 'Executors', 'TimeUnit', 'List', 'ArrayList', 'OffsetCommitCallback', 'ConsumerRebalanceListener']) {
      if (new RegExp(`\\b${name}\\b`).test(body)) assert.ok(imports.includes(name), `${what} ${f.name}: uses ${name}, so imports it`);
    }
    // Every statement line ends like Java: ; { } or a continued expression.
    for (const l of f.lines) {
      const c = code(l.text).trim();
      if (!c || c.startsWith('@')) continue;
      assert.match(c, /[;{}(,]$|\)\);$|\{ \}$/, `${what} ${f.name}: "${l.text}" ends a statement or block`);
    }
  }
}

function assertAnchors(src, s, what) {
  const index = anchorIndex(src);
  const want = [...CORE];
  if (s.commit_on_shutdown !== false && s.commit_mode !== 'none') want.push('finalCommit');
  for (const a of want) assert.ok(index.has(a), `${what}: anchor ${a}`);
  const all = src.files.flatMap((f) => f.lines.filter((l) => l.anchor).map((l) => l.anchor));
  assert.equal(new Set(all).size, all.length, `${what}: each anchor once`);
}

/** The lines between `opener` (a line index) and its closing brace. */
function blockOf(lines, opener) {
  let depth = 0;
  for (let i = opener; i < lines.length; i++) {
    for (const ch of code(lines[i].text)) {
      if (ch === '{') depth++;
      if (ch === '}') depth--;
    }
    if (depth === 0) return lines.slice(opener + 1, i);
  }
  return [];
}

function forBody(src) {
  const lines = src.files[src.files.length > 1 && src.files[1].name === 'ConsumerWorker.java' ? 1 : 0].lines;
  const at = lines.findIndex((l) => l.text.trim().startsWith('for (ConsumerRecord'));
  return blockOf(lines, at).map((l) => l.text.trim());
}

/** The [consumer] table and java_class of a lab file (the files use plain `key = value` there). */
function labFile(name) {
  const toml = readFileSync(new URL(`labs/${name}`, root), 'utf8');
  const javaClass = toml.match(/^java_class\s*=\s*"([^"]+)"/m)[1];
  const consumer = {};
  let inConsumer = false;
  for (const raw of toml.split('\n')) {
    const l = raw.trim();
    if (l.startsWith('[')) inConsumer = l === '[consumer]';
    else if (inConsumer && l && !l.startsWith('#')) {
      const [, k, v] = l.match(/^(\w+)\s*=\s*(.+)$/);
      consumer[k] = v === 'true' ? true : v === 'false' ? false : v.startsWith('"') ? JSON.parse(v) : Number(v);
    }
  }
  return { javaClass, consumer };
}

const LABS = readdirSync(new URL('labs/', root)).filter((f) => f.endsWith('.toml')).sort();

test('each lab shows its own class, Java in shape, with every anchor its events drive', () => {
  assert.equal(LABS.length, 12);
  const classes = new Set();
  for (const name of LABS) {
    const { javaClass, consumer } = labFile(name);
    const src = javaSource(javaClass, consumer, EXTRA);
    assert.equal(src.className, javaClass, `${name}: the lab's own settings keep its class`);
    assert.equal(src.files[0].name, `${javaClass}.java`);
    assertJavaShape(src, name);
    assertAnchors(src, consumer, name);
    assert.ok(text(src).includes('"test-r1"') && text(src).includes('"127.0.0.1:9092"'), `${name}: the run's topic and bootstrap`);
    classes.add(javaClass);
  }
  assert.equal(classes.size, 12, 'twelve labs, twelve classes');
});

const MODES = ['auto', 'auto-naive', 'sync-batch', 'sync-record', 'sync-record-poll', 'async', 'none'];
const CLASSES = ['SimpleConsumer', 'ConsumerWithAutoCommit', 'ConsumerWithSyncCommit', 'ConsumerWithSyncOffsetCommit',
  'ConsumerWithAsyncCommit', 'ConsumerInGroup', 'ConsumerWithRebalanceListener', 'ConsumerWithWakeup',
  'ConsumerWithMultiThread', 'ConsumerWithExactPartition', 'SlowConsumer'];

test('every class with every commit mode and the other options stays Java in shape', () => {
  const variants = [
    {},
    { commit_every_records: 7 },
    { commit_on_revoke: true },
    { commit_on_shutdown: false },
    { processing_delay_ms: 200 },
    { retry_failed_commits: true, commit_every_records: 3 },
    { threads: 3, thread_groups: 'distinct', processing_delay_ms: 50, commit_on_revoke: true },
    { assign_partition: 1 },
  ];
  for (const javaClass of CLASSES) {
    for (const mode of MODES) {
      for (const v of variants) {
        const s = { commit_mode: mode, ...v };
        const what = `${javaClass} ${JSON.stringify(s)}`;
        const src = javaSource(javaClass, s, EXTRA);
        assertJavaShape(src, what);
        assertAnchors(src, s, what);
      }
    }
    const pool = { commit_mode: 'auto-naive', worker_pool: 4, processing_delay_ms: 100 };
    const src = javaSource(javaClass, pool, EXTRA);
    assertJavaShape(src, `${javaClass} pool`);
    assertAnchors(src, pool, `${javaClass} pool`);
  }
});

test('the commit mode picks the commit-lab class; other labs keep theirs', () => {
  assert.equal(classFor('ConsumerWithSyncCommit', { commit_mode: 'sync-record' }), 'ConsumerWithSyncOffsetCommit');
  assert.equal(classFor('ConsumerWithSyncCommit', { commit_mode: 'sync-record-poll' }), 'ConsumerWithSyncCommit');
  assert.equal(classFor('ConsumerWithAutoCommit', { commit_mode: 'async' }), 'ConsumerWithAsyncCommit');
  assert.equal(classFor('SimpleConsumer', { commit_mode: 'auto' }), 'SimpleConsumer');
  assert.equal(classFor('SimpleConsumer', { commit_mode: 'sync-batch' }), 'ConsumerWithSyncCommit');
  assert.equal(classFor('ConsumerWithWakeup', { commit_mode: 'auto' }), 'ConsumerWithWakeup');
  assert.equal(classFor('ConsumerWithMultiThread', { commit_mode: 'auto-naive', worker_pool: 2 }), 'ConsumerWithMultiThread');
  assert.equal(classFor('ConsumerWithSyncCommit', { commit_mode: 'none' }), 'ConsumerWithSyncCommit');
});

test('auto commit: the interval in the configs, and the comment poll() commits on is the commit line', () => {
  const src = javaSource('ConsumerWithAutoCommit', { commit_mode: 'auto', auto_commit_interval_ms: 60000 }, EXTRA);
  const all = text(src);
  assert.ok(all.includes('ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true'));
  assert.ok(all.includes('ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 60000'));
  assert.match(line(src, 'commit'), /^\/\/ .*60000 ms/);
  assert.ok(!all.includes('commitSync();\n      }\n'), 'no commit call in the loop');
  // The simple consumer keeps Java's defaults (auto commit every 5 s) and says nothing about them.
  const simple = text(javaSource('SimpleConsumer', { commit_mode: 'auto', auto_commit_interval_ms: 5000 }, EXTRA));
  assert.ok(!simple.includes('ENABLE_AUTO_COMMIT_CONFIG') && !simple.includes('AUTO_COMMIT_INTERVAL_MS_CONFIG'));
  assert.ok(!/commit(Sync|Async)\(/.test(simple.split('} finally {')[0]), 'no commit code before finally');
  const naive = javaSource('ConsumerWithAutoCommit', { commit_mode: 'auto-naive' }, EXTRA);
  assert.match(line(naive, 'finalCommit'), /^\/\/ .*close\(\)/, 'auto-naive: close() commits what poll() returned');
});

test('sync commit per record: an offset map with offset + 1, committed inside the loop', () => {
  const src = javaSource('ConsumerWithSyncOffsetCommit', { commit_mode: 'sync-record' }, EXTRA);
  const body = forBody(src);
  assert.ok(body.includes('new OffsetAndMetadata(record.offset() + 1));'), body.join('\n'));
  assert.ok(body.includes('consumer.commitSync(currentOffsets);'));
  assert.equal(line(src, 'commit'), 'consumer.commitSync(currentOffsets);');
  assert.ok(text(src).includes('Map<TopicPartition, OffsetAndMetadata> currentOffsets = new HashMap<>();'));
});

test("sync-record-poll: the course project's no-argument commitSync() inside the for loop, said to commit the whole poll", () => {
  const src = javaSource('ConsumerWithSyncCommit', { commit_mode: 'sync-record-poll' }, EXTRA);
  const body = forBody(src);
  assert.ok(body.includes('consumer.commitSync();'), body.join('\n'));
  const i = body.indexOf('consumer.commitSync();');
  assert.match(body[i - 1], /^\/\/ .*whole poll/);
  assert.equal(line(src, 'commit'), 'consumer.commitSync();');
  assert.ok(!text(src).includes('OffsetAndMetadata'));
});

test('sync commit per batch, every N records, async with its callback', () => {
  const batch = javaSource('ConsumerWithSyncCommit', { commit_mode: 'sync-batch' }, EXTRA);
  assert.ok(!forBody(batch).some((l) => l.includes('commit')), 'nothing commits inside the loop');
  assert.equal(line(batch, 'commit'), 'consumer.commitSync();');
  const every = javaSource('ConsumerWithWakeup', { commit_mode: 'sync-batch', commit_every_records: 100 }, EXTRA);
  assert.equal(line(every, 'commit'), 'if (++count % 100 == 0) consumer.commitSync(currentOffsets);');
  assert.ok(forBody(every).includes('if (++count % 100 == 0) consumer.commitSync(currentOffsets);'));
  const async = javaSource('ConsumerWithAsyncCommit', { commit_mode: 'async', retry_failed_commits: true }, EXTRA);
  assert.equal(line(async, 'commit'), 'consumer.commitAsync(new OffsetCommitCallback() {');
  assert.ok(text(async).includes('public void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception) {'));
  assert.match(line(async, 'callback'), /^if \(exception != null\)/);
  assert.match(line(async, 'retry'), /commitAsync\(offsets, null\)/);
  assert.equal(anchorIndex(javaSource('ConsumerWithAsyncCommit', { commit_mode: 'async' }, EXTRA)).has('retry'), false);
});

test('the configs show the options chosen on the page', () => {
  const s = {
    commit_mode: 'sync-batch', max_poll_records: 100, poll_timeout_ms: 250, session_timeout_ms: 6000,
    processing_delay_ms: 200, assignment_strategy: 'cooperative-sticky',
  };
  const all = text(javaSource('SlowConsumer', s, EXTRA));
  assert.ok(all.includes('ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100'));
  assert.ok(all.includes('consumer.poll(Duration.ofMillis(250))'));
  assert.ok(all.includes('ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000'));
  assert.ok(all.includes('Thread.sleep(200);'));
  assert.ok(all.includes('throws InterruptedException'));
  assert.ok(all.includes('ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()'));
  assert.ok(all.includes('import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;'));
  assert.ok(all.includes('ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false'));
  assert.ok(all.includes('StringDeserializer.class.getName()'));
  assert.ok(all.includes('private static final String GROUP_ID = "wakeup-group-r1";'));
  assert.ok(text(javaSource('SlowConsumer', { commit_mode: 'sync-batch' }, EXTRA)).includes('consumer.poll(Duration.ofSeconds(1))'));
  assert.ok(!text(javaSource('SlowConsumer', { commit_mode: 'sync-batch' }, EXTRA)).includes('MAX_POLL_RECORDS_CONFIG'), 'the default is not repeated');
  const ranged = text(javaSource('ConsumerInGroup', { commit_mode: 'sync-batch' }, { ...EXTRA, showStrategy: true }));
  assert.ok(ranged.includes('RangeAssignor.class.getName()'), 'the rebalance lab always names its strategy');
  // A lab control is not Java.
  assert.ok(!text(javaSource('ConsumerWithWakeup', { commit_mode: 'sync-batch', pause_after_records: 150 }, EXTRA)).includes('150'));
});

test('the shutdown hook, try / catch (WakeupException) / finally { commitSync(); close(); }', () => {
  const src = javaSource('ConsumerWithWakeup', { commit_mode: 'sync-batch' }, EXTRA);
  assert.equal(line(src, 'hook'), 'consumer.wakeup();');
  assert.ok(text(src).includes('Runtime.getRuntime().addShutdownHook(new Thread(() -> {'));
  assert.equal(line(src, 'wakeup'), '} catch (WakeupException e) {');
  assert.equal(line(src, 'finally'), '} finally {');
  assert.equal(line(src, 'finalCommit'), 'consumer.commitSync();');
  assert.equal(line(src, 'close'), 'consumer.close();');
  const lines = src.files[0].lines.map((l) => l.anchor);
  assert.ok(lines.indexOf('wakeup') < lines.indexOf('finally') && lines.indexOf('finally') < lines.indexOf('finalCommit')
    && lines.indexOf('finalCommit') < lines.indexOf('close'));
  const noHook = javaSource('ConsumerWithWakeup', { commit_mode: 'sync-batch', commit_on_shutdown: false }, EXTRA);
  assert.equal(anchorIndex(noHook).has('finalCommit'), false);
  assert.ok(!text(noHook).split('} finally {')[1].includes('commitSync'), 'no commitSync() in finally');
});

test('rebalance listener: a second file, and the commit in onPartitionsRevoked when asked for', () => {
  const plain = javaSource('ConsumerWithRebalanceListener', { commit_mode: 'sync-batch' }, EXTRA);
  assert.deepEqual(plain.files.map((f) => f.name), ['ConsumerWithRebalanceListener.java', 'RebalanceListener.java']);
  assert.equal(line(plain, 'subscribe'), 'consumer.subscribe(Arrays.asList(TOPIC_NAME), new RebalanceListener());');
  assert.ok(text(plain).includes('public class RebalanceListener implements ConsumerRebalanceListener {'));
  assert.equal(anchorIndex(plain).has('revokeCommit'), false);
  const committing = javaSource('ConsumerWithRebalanceListener', { commit_mode: 'sync-batch', commit_on_revoke: true }, EXTRA);
  const at = anchorIndex(committing).get('revokeCommit');
  assert.equal(at.file, 1, 'in RebalanceListener.java');
  assert.equal(line(committing, 'revokeCommit'), 'consumer.commitSync(currentOffsets);');
  assert.ok(anchorIndex(committing).get('revoked').line < at.line);
  // The rebalance lab logs its callbacks inline; any consumer that commits on revoke gets one.
  const group = javaSource('ConsumerInGroup', { commit_mode: 'sync-batch' }, EXTRA);
  assert.equal(group.files.length, 1);
  assert.ok(anchorIndex(group).has('revoked') && anchorIndex(group).has('assigned'));
  const simple = javaSource('ConsumerWithSyncCommit', { commit_mode: 'sync-batch', commit_on_revoke: true }, EXTRA);
  assert.ok(anchorIndex(simple).has('revokeCommit'));
});

test('multi-thread: a launcher and ConsumerWorker; the worker-pool design in one file', () => {
  const src = javaSource('ConsumerWithMultiThread', { commit_mode: 'sync-batch', threads: 3 }, EXTRA);
  assert.deepEqual(src.files.map((f) => f.name), ['ConsumerWithMultiThread.java', 'ConsumerWorker.java']);
  assert.ok(text(src).includes('private static final int CONSUMER_COUNT = 3;'));
  assert.ok(text(src).includes('public class ConsumerWorker implements Runnable {'));
  assert.ok(text(src).includes('Executors.newCachedThreadPool()'));
  const index = anchorIndex(src);
  assert.equal(index.get('start').file, 0);
  assert.equal(index.get('hook').file, 0);
  for (const a of ['create', 'poll', 'loop', 'commit', 'wakeup', 'finalCommit', 'close']) assert.equal(index.get(a).file, 1, a);
  const distinct = text(javaSource('ConsumerWithMultiThread', { commit_mode: 'sync-batch', threads: 2, thread_groups: 'distinct' }, EXTRA));
  assert.ok(distinct.includes('GROUP_ID + "-t" + i'));
  const pool = javaSource('ConsumerWithMultiThread', { commit_mode: 'auto-naive', worker_pool: 4 }, EXTRA);
  assert.equal(pool.files.length, 1);
  assert.ok(text(pool).includes('Executors.newFixedThreadPool(WORKER_COUNT)'));
  assert.ok(text(pool).includes('private static final int WORKER_COUNT = 4;'));
  assert.equal(line(pool, 'loop'), 'executor.execute(() -> process(record));');
  assert.ok(anchorIndex(pool).has('work') && anchorIndex(pool).has('drain'));
  assert.ok(text(pool).includes('ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true'));
});

test('exact partition: assign() one partition, no subscribe, no group when it never commits', () => {
  const src = javaSource('ConsumerWithExactPartition', { commit_mode: 'none', assign_partition: 2 }, EXTRA);
  assert.equal(line(src, 'subscribe'), 'consumer.assign(Collections.singleton(new TopicPartition(TOPIC_NAME, PARTITION_NUMBER)));');
  const all = text(src);
  assert.ok(all.includes('private static final int PARTITION_NUMBER = 2;'));
  assert.ok(!all.includes('subscribe('));
  assert.ok(!all.includes('GROUP_ID'));
  assert.ok(!all.includes('ENABLE_AUTO_COMMIT_CONFIG'));
  const committing = text(javaSource('ConsumerWithExactPartition', { commit_mode: 'sync-batch', assign_partition: 0 }, EXTRA));
  assert.ok(committing.includes('GROUP_ID_CONFIG, GROUP_ID'), 'committing needs a group.id');
});

test('every java.* text the panel and the code use is in both catalogs', () => {
  const files = ['static/lab/java/source.js', 'static/lab/views/java.js'].map((f) => readFileSync(new URL(f, root), 'utf8')).join('\n');
  const used = new Set([...files.matchAll(/'(java\.[a-z_]+)'/g)].map((m) => m[1]));
  assert.ok(used.size > 10);
  for (const lang of ['en', 'ko']) {
    const texts = catalog(lang);
    for (const key of used) assert.ok(texts[key], `${lang}.json has ${key}`);
    for (const key of Object.keys(texts).filter((k) => k.startsWith('java.'))) assert.ok(used.has(key), `${key} is used`);
  }
  // The Korean comments in the code are Korean.
  loadTexts({ lang: 'ko', texts: catalog('ko') });
  const ko = text(javaSource('ConsumerWithSyncCommit', { commit_mode: 'sync-record-poll' }, EXTRA));
  assert.match(ko, /\/\/ 인자 없는 commitSync\(\)/);
  loadTexts({ lang: 'en', texts: catalog('en') });
});
