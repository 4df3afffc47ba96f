// A second Java-style client (kafkajs 2, from npm) against a broker: run by
// tests/java_style_clients.rs as
//
//     node kafkajs_client.mjs BOOTSTRAP TOPIC GROUP
//
// It bootstraps; produces "1".."4" to TOPIC; consumes them as GROUP with manual commits and
// reads the committed offsets back; and disconnects (LeaveGroup). Prints one JSON line with
// what happened; exits 1 with the reason on stderr if a step fails or kafkajs logged a warning
// or an error (a response it could not decode, for instance).
import { Kafka, Partitioners, logLevel } from "kafkajs";

const [bootstrap, topic, group] = process.argv.slice(2);
const DEADLINE_MS = 30000;
const problems = [];
const kafka = new Kafka({
  clientId: "kafkajs-labs-test",
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ level, log }) => {
    if (level <= logLevel.WARN) problems.push(`${log.message} ${log.error ?? ""}`.trim());
  },
});

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const out = {};
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  out.produced = [];
  for (const value of ["1", "2", "3", "4"]) {
    const [meta] = await producer.send({ topic, messages: [{ value }] });
    out.produced.push([meta.partition, Number(meta.baseOffset)]);
  }
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map();
  let allSeen;
  const done = new Promise((resolve) => (allSeen = resolve));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      seen.set(`${partition}:${message.offset}`, [partition, Number(message.offset), message.value.toString()]);
      if (seen.size >= 4) allSeen();
    },
  });
  await within(DEADLINE_MS, "consume 1..4", done);
  out.consumed = [...seen.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const next = {};
  for (const [p, o] of seen.values()) next[p] = Math.max(next[p] ?? 0, o + 1);
  await consumer.commitOffsets(
    Object.entries(next).map(([partition, offset]) => ({ topic, partition: Number(partition), offset: String(offset) })),
  );
  out.expected_committed = Object.fromEntries(Object.entries(next).map(([p, o]) => [p, o]));

  const admin = kafka.admin();
  await admin.connect();
  const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  out.committed = Object.fromEntries(
    fetched.partitions.filter((p) => p.partition in next).map((p) => [String(p.partition), Number(p.offset)]),
  );
  await admin.disconnect();
  await consumer.disconnect();

  out.problems = problems;
  console.log(JSON.stringify(out));
  if (problems.length) throw new Error(`kafkajs logged problems: ${problems.join("; ")}`);
}

within(DEADLINE_MS * 2, "the whole client", main()).then(
  () => process.exit(0),
  (e) => {
    console.error(String(e?.stack ?? e));
    process.exit(1);
  },
);
