// The Java consumer of a lab, written from the course's structure (AndersonChoi/tacademy-kafka
// and the same author's book projects: the same statement order, our own code) with the
// settings the consumer really runs with. Pure: no DOM.
//
// javaSource(javaClass, settings, extra) → {className, files: [{name, lines: [{text, anchor?}]}]}
// Anchors name the lines a consumer's events drive (see trace.js):
//   start        the launcher's executor.execute(worker) (several consumer threads)
//   create       new KafkaConsumer
//   subscribe    subscribe(…) or assign(…)
//   poll         consumer.poll(…)
//   loop         the for-each body: one record processed
//   work         a worker-pool thread processing a record
//   commit       the commit call of the commit mode (auto commit: the comment that says poll() commits)
//   callback     onComplete of an async commit
//   retry        the naive retry inside onComplete
//   revoked      onPartitionsRevoked's body
//   revokeCommit the commit inside onPartitionsRevoked
//   assigned     onPartitionsAssigned's body
//   hook         the shutdown hook's consumer.wakeup()
//   wakeup       catch (WakeupException e)
//   finally      finally {
//   drain        the worker pool's executor.shutdown() in finally
//   finalCommit  commitSync() in finally (auto-naive: the comment that close() commits)
//   close        consumer.close()

import { t } from '../i18n.js';

/** The worker's defaults (src/domain/settings.rs) for what a settings object leaves out. */
export const DEFAULTS = Object.freeze({
  commit_mode: 'auto',
  auto_commit_interval_ms: 5000,
  max_poll_records: 500,
  poll_timeout_ms: 1000,
  session_timeout_ms: 10000,
  processing_delay_ms: 0,
  commit_every_records: null,
  commit_on_revoke: false,
  commit_on_shutdown: true,
  assignment_strategy: 'range',
  threads: 1,
  thread_groups: 'same',
  worker_pool: 0,
  assign_partition: null,
  auto_offset_reset: 'earliest',
});

/** The classes whose name says the commit mode: a different mode picks the class of that mode. */
const CLASS_OF_MODE = {
  auto: 'ConsumerWithAutoCommit',
  'auto-naive': 'ConsumerWithAutoCommit',
  'sync-batch': 'ConsumerWithSyncCommit',
  'sync-record-poll': 'ConsumerWithSyncCommit',
  'sync-record': 'ConsumerWithSyncOffsetCommit',
  async: 'ConsumerWithAsyncCommit',
};
const COMMIT_CLASSES = new Set(['SimpleConsumer', ...Object.values(CLASS_OF_MODE)]);

const ASSIGNORS = {
  range: 'RangeAssignor',
  roundrobin: 'RoundRobinAssignor',
  'cooperative-sticky': 'CooperativeStickyAssignor',
};

/** Where each type the code may use comes from (imports are derived from the code). */
const IMPORTS = {
  Duration: 'java.time.Duration',
  ArrayList: 'java.util.ArrayList',
  Arrays: 'java.util.Arrays',
  Collection: 'java.util.Collection',
  Collections: 'java.util.Collections',
  HashMap: 'java.util.HashMap',
  List: 'java.util.List',
  Map: 'java.util.Map',
  Properties: 'java.util.Properties',
  ExecutorService: 'java.util.concurrent.ExecutorService',
  Executors: 'java.util.concurrent.Executors',
  TimeUnit: 'java.util.concurrent.TimeUnit',
  Connection: 'java.sql.Connection',
  DriverManager: 'java.sql.DriverManager',
  PreparedStatement: 'java.sql.PreparedStatement',
  SQLException: 'java.sql.SQLException',
  ConsumerConfig: 'org.apache.kafka.clients.consumer.ConsumerConfig',
  ConsumerRebalanceListener: 'org.apache.kafka.clients.consumer.ConsumerRebalanceListener',
  ConsumerRecord: 'org.apache.kafka.clients.consumer.ConsumerRecord',
  ConsumerRecords: 'org.apache.kafka.clients.consumer.ConsumerRecords',
  CooperativeStickyAssignor: 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
  KafkaConsumer: 'org.apache.kafka.clients.consumer.KafkaConsumer',
  OffsetAndMetadata: 'org.apache.kafka.clients.consumer.OffsetAndMetadata',
  OffsetCommitCallback: 'org.apache.kafka.clients.consumer.OffsetCommitCallback',
  RangeAssignor: 'org.apache.kafka.clients.consumer.RangeAssignor',
  RoundRobinAssignor: 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
  TopicPartition: 'org.apache.kafka.common.TopicPartition',
  WakeupException: 'org.apache.kafka.common.errors.WakeupException',
  StringDeserializer: 'org.apache.kafka.common.serialization.StringDeserializer',
};

const INDENT = '  ';

/** Lines with indentation: w(text, anchor), w.open('… {'), w.close('}'), w.mid('} else {'). */
function writer() {
  const lines = [];
  let depth = 0;
  const w = (text, anchor) => {
    const line = { text: text ? INDENT.repeat(depth) + text : '' };
    if (anchor) line.anchor = anchor;
    lines.push(line);
  };
  w.open = (text, anchor) => {
    w(text, anchor);
    depth += 1;
  };
  w.close = (text = '}', anchor) => {
    depth -= 1;
    w(text, anchor);
  };
  w.mid = (text, anchor) => {
    depth -= 1;
    w(text, anchor);
    depth += 1;
  };
  w.comment = (text, anchor) => w(`// ${text}`, anchor);
  w.lines = lines;
  return w;
}

/** The code without comments and string literals (for finding the types it uses). */
function codeOnly(text) {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/\/.*$/, '');
}

/** The import lines for the types `lines` use, java.* first. */
function importsFor(lines) {
  const code = lines.map((l) => codeOnly(l.text)).join('\n');
  const used = Object.entries(IMPORTS).filter(([name]) => new RegExp(`\\b${name}\\b`).test(code)).map(([, full]) => full);
  return [...new Set(used)].sort().map((full) => ({ text: `import ${full};` }));
}

/** A file: its imports, a blank line, its body. */
function file(name, body) {
  return { name, lines: [...importsFor(body), { text: '' }, ...body] };
}

function javaString(s) {
  return `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `Duration.ofSeconds(1)` for whole seconds, else `Duration.ofMillis(n)`. */
function duration(ms) {
  return ms % 1000 === 0 ? `Duration.ofSeconds(${ms / 1000})` : `Duration.ofMillis(${ms})`;
}

function isAuto(mode) {
  return mode === 'auto' || mode === 'auto-naive';
}

/** The settings with the worker's defaults filled in. */
export function effectiveSettings(settings) {
  const s = { ...DEFAULTS };
  for (const [k, v] of Object.entries(settings || {})) if (v !== undefined) s[k] = v;
  return s;
}

/** The class a lab's base class becomes with these settings (a commit-mode class follows the mode). */
export function classFor(javaClass, settings) {
  const s = effectiveSettings(settings);
  const base = javaClass || 'SimpleConsumer';
  if (!COMMIT_CLASSES.has(base)) return base;
  const byMode = CLASS_OF_MODE[s.commit_mode];
  if (!byMode) return base;
  if (base === 'SimpleConsumer' && s.commit_mode === 'auto') return base;
  return byMode;
}

/**
 * The Java of `javaClass` (the lab's `java_class`) as the consumer with `settings` (its
 * ConsumerSettings, or part of them) runs it. extra: {topic, group, bootstrap, showStrategy}.
 */
export function javaSource(javaClass, settings, extra = {}) {
  const s = effectiveSettings(settings);
  const className = classFor(javaClass, s);
  const assigned = s.assign_partition !== null && s.assign_partition !== undefined;
  const pool = s.worker_pool > 0;
  const threaded = !pool && (className === 'ConsumerWithMultiThread' || s.threads > 1);
  const shape = {
    s,
    className,
    extra,
    assigned,
    pool,
    threaded,
    mode: s.commit_mode,
    everyN: !isAuto(s.commit_mode) && s.commit_mode !== 'none' && s.commit_every_records ? s.commit_every_records : null,
    // A listener: the lab's own class, a logging one where rebalances are the lesson, and one
    // wherever the consumer commits in onPartitionsRevoked.
    listener: assigned ? null
      : className === 'ConsumerWithRebalanceListener' ? 'class'
        : className === 'ConsumerInGroup' || s.commit_on_revoke ? 'inline' : null,
  };
  shape.revokeCommit = !!shape.listener && !!s.commit_on_revoke;
  shape.offsets = s.commit_mode === 'sync-record' || shape.everyN !== null || shape.revokeCommit;
  if (threaded) return threadedSource(shape);
  const w = writer();
  w.open(`public class ${className} {`);
  constants(w, shape);
  if (pool) w(`private static final int WORKER_COUNT = ${s.worker_pool};`);
  w('private static KafkaConsumer<String, String> consumer;');
  w('');
  const sleeps = s.processing_delay_ms > 0 && !pool;
  // The sinks lab: each record is saved to a table (naive, and keyed by the record: idempotent).
  const saves = !!s.sink && !pool;
  if (saves) {
    w('private static final String INSERT_NAIVE = "INSERT INTO payments_naive (topic, partition, offset, value) VALUES (?, ?, ?, ?)";');
    w('private static final String INSERT_IDEMPOTENT = "INSERT INTO payments_idempotent (topic, partition, offset, value) VALUES (?, ?, ?, ?) ON CONFLICT (topic, partition, offset) DO NOTHING";');
    w('');
  }
  const throwsList = [sleeps ? 'InterruptedException' : null, saves ? 'SQLException' : null].filter(Boolean);
  w.open(`public static void main(String[] args)${throwsList.length ? ` throws ${throwsList.join(', ')}` : ''} {`);
  w('Thread mainThread = Thread.currentThread();');
  w.open('Runtime.getRuntime().addShutdownHook(new Thread(() -> {');
  w('consumer.wakeup();', 'hook');
  w(`try { mainThread.join(); } catch (InterruptedException e) { } // ${t('java.c_join')}`);
  w.close('}));');
  w('');
  configs(w, shape, 'configs');
  if (pool) w('ExecutorService executor = Executors.newFixedThreadPool(WORKER_COUNT);');
  if (saves) w('Connection db = DriverManager.getConnection("jdbc:sqlite:payments.sqlite");');
  w('consumer = new KafkaConsumer<>(configs);', 'create');
  consumerBody(w, shape, { topic: 'TOPIC_NAME', name: null });
  w.close();
  if (saves) {
    w('');
    w.open('private static void save(Connection db, String sql, ConsumerRecord<String, String> record) throws SQLException {');
    w.open('try (PreparedStatement insert = db.prepareStatement(sql)) {');
    w('insert.setString(1, record.topic());');
    w('insert.setInt(2, record.partition());');
    w('insert.setLong(3, record.offset());');
    w('insert.setString(4, record.value());');
    w('insert.executeUpdate();');
    w.close();
    w.close();
  }
  if (pool) {
    w('');
    w.open('private static void process(ConsumerRecord<String, String> record) {');
    if (s.processing_delay_ms > 0) w(`try { Thread.sleep(${s.processing_delay_ms}); } catch (InterruptedException e) { return; }`);
    w('System.out.println(Thread.currentThread().getName() + " >> " + record.value());', 'work');
    w.close();
  }
  w.close();
  const files = [file(`${className}.java`, w.lines)];
  if (shape.listener === 'class') files.push(listenerFile(shape));
  return { className, files };
}

function constants(w, shape) {
  const { extra, assigned, mode, s } = shape;
  w(`private static final String BOOTSTRAP_SERVERS = ${javaString(extra.bootstrap || '127.0.0.1:9092')};`);
  w(`private static final String TOPIC_NAME = ${javaString(extra.topic || 'test')};`);
  // assign() needs no group, unless it commits (the course's exact-partition project has none).
  if (!assigned || mode !== 'none') w(`private static final String GROUP_ID = ${javaString(extra.group || 'test-group')};`);
  if (assigned) w(`private static final int PARTITION_NUMBER = ${s.assign_partition};`);
}

function configs(w, shape, v) {
  const { s, assigned, mode, extra } = shape;
  const put = (key, value) => w(`${v}.put(ConsumerConfig.${key}, ${value});`);
  w(`Properties ${v} = new Properties();`);
  put('BOOTSTRAP_SERVERS_CONFIG', 'BOOTSTRAP_SERVERS');
  if (!assigned || mode !== 'none') put('GROUP_ID_CONFIG', 'GROUP_ID');
  put('KEY_DESERIALIZER_CLASS_CONFIG', 'StringDeserializer.class.getName()');
  put('VALUE_DESERIALIZER_CLASS_CONFIG', 'StringDeserializer.class.getName()');
  put('AUTO_OFFSET_RESET_CONFIG', javaString(s.auto_offset_reset));
  if (isAuto(mode)) {
    // SimpleConsumer keeps Java's defaults: enable.auto.commit=true, every 5000 ms.
    if (shape.className !== 'SimpleConsumer') put('ENABLE_AUTO_COMMIT_CONFIG', 'true');
    if (shape.className !== 'SimpleConsumer' || s.auto_commit_interval_ms !== 5000) put('AUTO_COMMIT_INTERVAL_MS_CONFIG', s.auto_commit_interval_ms);
  } else if (!assigned || mode !== 'none') {
    put('ENABLE_AUTO_COMMIT_CONFIG', 'false');
  }
  if (s.max_poll_records !== 500) put('MAX_POLL_RECORDS_CONFIG', s.max_poll_records);
  if (!assigned) put('SESSION_TIMEOUT_MS_CONFIG', s.session_timeout_ms);
  if (!assigned && (extra.showStrategy || s.assignment_strategy !== 'range')) {
    put('PARTITION_ASSIGNMENT_STRATEGY_CONFIG', `${ASSIGNORS[s.assignment_strategy] || 'RangeAssignor'}.class.getName()`);
  }
}

/**
 * From subscribe to the end of the try/catch/finally, for the main thread or a worker thread.
 * who: {topic (the expression naming the topic), name (the thread name's expression, or null)}.
 */
function consumerBody(w, shape, who) {
  const { s, mode, pool } = shape;
  if (shape.offsets) w('Map<TopicPartition, OffsetAndMetadata> currentOffsets = new HashMap<>();');
  if (shape.everyN) w('int count = 0;');
  if (shape.assigned) {
    w(`consumer.assign(Collections.singleton(new TopicPartition(${who.topic}, PARTITION_NUMBER)));`, 'subscribe');
  } else if (shape.listener === 'class') {
    const args = shape.revokeCommit ? 'consumer, currentOffsets' : '';
    w(`consumer.subscribe(Arrays.asList(${who.topic}), new RebalanceListener(${args}));`, 'subscribe');
  } else if (shape.listener === 'inline') {
    w.open(`consumer.subscribe(Arrays.asList(${who.topic}), new ConsumerRebalanceListener() {`, 'subscribe');
    w.open('public void onPartitionsRevoked(Collection<TopicPartition> partitions) {');
    w('System.out.println("Revoked: " + partitions);', 'revoked');
    if (shape.revokeCommit) w('consumer.commitSync(currentOffsets);', 'revokeCommit');
    w.close();
    w.open('public void onPartitionsAssigned(Collection<TopicPartition> partitions) {');
    w('System.out.println("Assigned: " + partitions);', 'assigned');
    w.close();
    w.close('});');
  } else {
    w(`consumer.subscribe(Arrays.asList(${who.topic}));`, 'subscribe');
  }
  w.open('try {');
  w.open('while (true) {');
  w(`ConsumerRecords<String, String> records = consumer.poll(${duration(s.poll_timeout_ms)});`, 'poll');
  if (isAuto(mode)) {
    w.comment(t(mode === 'auto-naive' ? 'java.c_auto_naive' : 'java.c_auto', { ms: s.auto_commit_interval_ms }), 'commit');
  }
  w.open('for (ConsumerRecord<String, String> record : records) {');
  if (pool) {
    w('executor.execute(() -> process(record));', 'loop');
  } else {
    if (s.processing_delay_ms > 0) {
      w(who.name ? `try { Thread.sleep(${s.processing_delay_ms}); } catch (InterruptedException e) { return; }` : `Thread.sleep(${s.processing_delay_ms});`);
    }
    if (s.sink && !who.name) {
      w('save(db, INSERT_NAIVE, record);', 'loop');
      w('save(db, INSERT_IDEMPOTENT, record);');
    } else {
      w(who.name ? `System.out.println(${who.name} + " >> " + record.value());` : 'System.out.println(record.value());', 'loop');
    }
  }
  recordCommit(w, shape);
  w.close();
  batchCommit(w, shape);
  w.close();
  w.mid('} catch (WakeupException e) {', 'wakeup');
  w(`System.out.println(${who.name ? `${who.name} + " got WakeupException"` : '"poll() threw WakeupException"'});`);
  w.mid('} finally {', 'finally');
  if (pool) {
    w('executor.shutdown();', 'drain');
    w('try { executor.awaitTermination(30, TimeUnit.SECONDS); } catch (InterruptedException e) { }');
  }
  if (s.commit_on_shutdown && mode !== 'none') {
    if (mode === 'auto-naive') w.comment(t('java.c_close_commits'), 'finalCommit');
    else w('consumer.commitSync();', 'finalCommit');
  }
  w('consumer.close();', 'close');
  w.close();
}

/** What the for-each body does about offsets after a record. */
function recordCommit(w, shape) {
  const { mode } = shape;
  if (shape.offsets) {
    w('currentOffsets.put(new TopicPartition(record.topic(), record.partition()),');
    w(`${INDENT}${INDENT}new OffsetAndMetadata(record.offset() + 1));`);
  }
  if (mode === 'sync-record') {
    w('consumer.commitSync(currentOffsets);', 'commit');
  } else if (mode === 'sync-record-poll') {
    w.comment(t('java.c_whole_poll'));
    w('consumer.commitSync();', 'commit');
  } else if (shape.everyN && mode === 'async') {
    w.open(`if (++count % ${shape.everyN} == 0) {`);
    asyncCommit(w, shape, 'currentOffsets, ');
    w.close();
  } else if (shape.everyN) {
    w(`if (++count % ${shape.everyN} == 0) consumer.commitSync(currentOffsets);`, 'commit');
  }
}

/** The commit after the for-each: once per poll batch. */
function batchCommit(w, shape) {
  const { mode } = shape;
  if (shape.everyN) return;
  if (mode === 'sync-batch') w('consumer.commitSync();', 'commit');
  else if (mode === 'async') asyncCommit(w, shape, '');
  else if (mode === 'none') w.comment(t('java.c_no_commit'), 'commit');
}

function asyncCommit(w, shape, args) {
  w.open(`consumer.commitAsync(${args}new OffsetCommitCallback() {`, 'commit');
  w.open('public void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception) {');
  w('if (exception != null) System.err.println("Commit failed for " + offsets + ": " + exception);', 'callback');
  if (shape.s.retry_failed_commits) {
    w(`if (exception != null) consumer.commitAsync(offsets, null); // ${t('java.c_retry')}`, 'retry');
  }
  w.close();
  w.close('});');
}

/** RebalanceListener.java: the course book's listener, with the commit when it is asked for. */
function listenerFile(shape) {
  const w = writer();
  w.open('public class RebalanceListener implements ConsumerRebalanceListener {');
  if (shape.revokeCommit) {
    w('private final KafkaConsumer<String, String> consumer;');
    w('private final Map<TopicPartition, OffsetAndMetadata> currentOffsets;');
    w('');
    w.open('public RebalanceListener(KafkaConsumer<String, String> consumer, Map<TopicPartition, OffsetAndMetadata> currentOffsets) {');
    w('this.consumer = consumer;');
    w('this.currentOffsets = currentOffsets;');
    w.close();
  }
  w('');
  w('@Override');
  w.open('public void onPartitionsRevoked(Collection<TopicPartition> partitions) {');
  w('System.out.println("Partitions are revoked: " + partitions);', 'revoked');
  if (shape.revokeCommit) w('consumer.commitSync(currentOffsets);', 'revokeCommit');
  w.close();
  w('');
  w('@Override');
  w.open('public void onPartitionsAssigned(Collection<TopicPartition> partitions) {');
  w('System.out.println("Partitions are assigned: " + partitions);', 'assigned');
  w.close();
  w.close();
  return file('RebalanceListener.java', w.lines);
}

/** 1 process + n consumer threads: the launcher and ConsumerWorker (the course's multi-thread project). */
function threadedSource(shape) {
  const { s, className } = shape;
  const m = writer();
  m.open(`public class ${className} {`);
  constants(m, shape);
  m(`private static final int CONSUMER_COUNT = ${s.threads};`);
  m('private static final List<ConsumerWorker> workers = new ArrayList<>();');
  m('');
  m.open('public static void main(String[] args) {');
  m('ExecutorService executor = Executors.newCachedThreadPool();');
  m.open('Runtime.getRuntime().addShutdownHook(new Thread(() -> {');
  m('workers.forEach(ConsumerWorker::shutdown);', 'hook');
  m('executor.shutdown();');
  m(`try { executor.awaitTermination(30, TimeUnit.SECONDS); } catch (InterruptedException e) { } // ${t('java.c_join')}`);
  m.close('}));');
  m('');
  configs(m, shape, 'configs');
  m.open('for (int i = 1; i <= CONSUMER_COUNT; i++) {');
  let props = 'configs';
  if (s.threads > 1 && s.thread_groups === 'distinct') {
    m.comment(t('java.c_distinct_groups'));
    m('Properties own = new Properties();');
    m('own.putAll(configs);');
    m('own.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID + "-t" + i);');
    props = 'own';
  }
  m(`ConsumerWorker worker = new ConsumerWorker(${props}, TOPIC_NAME, "t" + i);`);
  m('workers.add(worker);');
  m('executor.execute(worker);', 'start');
  m.close();
  m.close();
  m.close();

  const w = writer();
  w.open('public class ConsumerWorker implements Runnable {');
  w('private final Properties configs;');
  w('private final String topic;');
  w('private final String threadName;');
  if (shape.assigned) w(`private static final int PARTITION_NUMBER = ${s.assign_partition};`);
  w('private KafkaConsumer<String, String> consumer;');
  w('');
  w.open('public ConsumerWorker(Properties configs, String topic, String threadName) {');
  w('this.configs = configs;');
  w('this.topic = topic;');
  w('this.threadName = threadName;');
  w.close();
  w('');
  w('@Override');
  w.open('public void run() {');
  w('consumer = new KafkaConsumer<>(configs);', 'create');
  consumerBody(w, shape, { topic: 'topic', name: 'threadName' });
  w.close();
  w('');
  w.open('public void shutdown() {');
  w('consumer.wakeup();');
  w.close();
  w.close();
  return { className, files: [file(`${className}.java`, m.lines), file('ConsumerWorker.java', w.lines)] };
}

/** anchor → {file, line} (indices) of the first line with it. */
export function anchorIndex(source) {
  const index = new Map();
  source.files.forEach((f, fi) => f.lines.forEach((l, li) => {
    if (l.anchor && !index.has(l.anchor)) index.set(l.anchor, { file: fi, line: li });
  }));
  return index;
}
