// One consumer of a group (kafkajs 2), driven line by line by tests/java_style_clients.rs to
// show a group of two rebalancing on a broker:
//
//     node kafkajs_member.mjs BOOTSTRAP TOPIC GROUP
//
// Prints JSON lines on stdout: {"assigned": [partitions]} whenever its assignment changes (a
// rebalance completed); {"consumed": [[partition, offset, value]]} for each record, after
// committing it (autoCommit off, commitOffsets). On the stdin line "close" it reads the group's
// committed offsets for every partition of TOPIC ({"committed": {"0": offset or -1, ...}}),
// disconnects (LeaveGroup) and prints {"closed": true, "problems": [...]}: every warning or error
// kafkajs logged, except its reports of the coordinator's rebalance signals, which kafkajs logs
// at error level on any broker and handles by rejoining (counted in "rebalance_signals"):
// REBALANCE_IN_PROGRESS (27), and ILLEGAL_GENERATION (22) answering a heartbeat of a generation
// that has ended (the mock sends it more often, as it elects a new generation after
// sessionTimeout - 1 s where Kafka waits up to the rebalance timeout for every member).
// Exits 1 if there were problems or a step failed.
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";

const [bootstrap, topic, group] = process.argv.slice(2);
const REBALANCING = "The group is rebalancing";
const GENERATION_ENDED = /^Response Heartbeat\(.*\) Specified group generation id is not valid$/;
const problems = [];
let rebalanceSignals = 0;
const kafka = new Kafka({
  clientId: "kafkajs-labs-member",
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ level, log }) => {
    if (level > logLevel.WARN) return;
    const text = `${log.message} ${log.error ?? ""}`.trim();
    if (text.includes(REBALANCING) || GENERATION_ENDED.test(text)) rebalanceSignals += 1;
    else problems.push(text);
  },
});
const say = (o) => console.log(JSON.stringify(o));

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions
    .map((p) => p.partitionId)
    .sort((a, b) => a - b);

  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
  let assigned = null;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const now = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    if (JSON.stringify(now) !== JSON.stringify(assigned)) {
      assigned = now;
      say({ assigned: now });
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const next = String(Number(message.offset) + 1);
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
      say({ consumed: [[partition, Number(message.offset), message.value.toString()]] });
    },
  });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === "close") break;

  const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const committed = Object.fromEntries(partitions.map((p) => [String(p), -1]));
  for (const p of fetched.partitions) committed[String(p.partition)] = Number(p.offset);
  say({ committed });
  await admin.disconnect();
  await consumer.disconnect();
  say({ closed: true, problems, rebalance_signals: rebalanceSignals });
  if (problems.length) process.exit(1);
  process.exit(0);
}

main().catch((e) => {
  console.error(String(e?.stack ?? e));
  process.exit(1);
});
