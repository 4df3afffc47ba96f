"""One consumer of a group (kafka-python, a Java-style client), driven line by line by
tests/java_style_clients.rs to show a group of two rebalancing on a broker:

    python kafka_python_member.py BOOTSTRAP TOPIC GROUP

Prints JSON lines on stdout: {"assigned": [partitions]} whenever a rebalance completes;
{"consumed": [[partition, offset, value], ...]} for each batch of records, after committing it
(manual commit, synchronous). On the stdin line "close" it reads the group's committed offsets
for every partition of TOPIC ({"committed": {"0": offset or -1, ...}}), closes (LeaveGroup) and
prints {"closed": true, "problems": [...], "rebalance_signals": n}. Problems are every warning
or error the client logged, except two that are no protocol error: its warning that its own
event loop ran slow (the machine's load), and the coordinator's answer ILLEGAL_GENERATION (22)
to a heartbeat of a generation that has ended, a rebalance signal any broker sends a member
that missed a rebalance, which the client handles by rejoining (counted in rebalance_signals;
the mock sends it more often, as it elects a new generation after session.timeout.ms - 1 s
where Kafka waits up to the rebalance timeout for every member). Exits 1 if there were
problems, or if a step failed (the reason on stderr).
CLIENT_LOG=1 prints the client's own log on stderr.
"""

import json
import logging
import os
import sys
import threading

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition

from kafka_python_client import GROUP_OPTS, Problems


# kafka-python's log message for a heartbeat answered ILLEGAL_GENERATION (coordinator/base.py).
GENERATION_ENDED = "Heartbeat failed for group %s: generation id is not "
# Its warning that its own event loop was slow (kafka/net/selector.py): the machine's load.
SLOW_LOOP = ("kafka.net.selector", "It is blocking the event loop")
# Longer than a rebalance on the mock (session.timeout.ms - 1 s). kafka-python 3.0.12 can lose a
# join that completes as poll()'s timeout expires: it keeps its heartbeat disabled, the
# coordinator drops the member after session.timeout.ms and the member never learns it (seen
# with poll(timeout_ms=100): two members each owning every partition). A poll that outlasts
# the join avoids that window.
POLL_MS = 5000


class MemberProblems(Problems):
    """Problems, with the rebalance signals counted apart."""

    def __init__(self):
        super().__init__()
        self.rebalance_signals = 0

    def emit(self, record):
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith(GENERATION_ENDED):
            self.rebalance_signals += 1
        elif not (record.name == SLOW_LOOP[0] and SLOW_LOOP[1] in record.getMessage()):
            super().emit(record)


def say(**kv):
    print(json.dumps(kv), flush=True)


class Report(ConsumerRebalanceListener):
    """Says each assignment as a rebalance completes (inside poll)."""

    def on_partitions_revoked(self, revoked):
        pass

    def on_partitions_assigned(self, assigned):
        say(assigned=sorted(tp.partition for tp in assigned))


def main():
    bootstrap, topic, group = sys.argv[1:4]
    problems = MemberProblems()
    logging.getLogger("kafka").addHandler(problems)
    logging.getLogger("kafka").setLevel(logging.INFO)
    if os.environ.get("CLIENT_LOG"):
        logging.basicConfig(format="%(relativeCreated)6d %(threadName)s %(name)s %(message)s")

    close = threading.Event()

    def read_commands():
        for line in sys.stdin:
            if line.strip() == "close":
                break
        close.set()

    threading.Thread(target=read_commands, daemon=True).start()

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, **GROUP_OPTS)
    # Subscribed, then knows the topic's partitions before it joins, so a leader assigns them
    # all with a partition snapshot that the next metadata answer matches (see
    # kafka_python_client.member: the other order makes a leader rejoin at random).
    consumer.subscribe([topic], listener=Report())
    partitions = sorted(consumer.partitions_for_topic(topic) or [])
    if not partitions:
        raise RuntimeError(f"no metadata for {topic}")

    while not close.is_set():
        batch = consumer.poll(timeout_ms=POLL_MS)
        records = [r for rs in batch.values() for r in rs]
        if records:
            consumer.commit()
            say(consumed=[[r.partition, r.offset, r.value.decode()] for r in records])

    committed = {}
    for p in partitions:
        offset = consumer.committed(TopicPartition(topic, p))
        committed[str(p)] = -1 if offset is None else offset
    say(committed=committed)
    consumer.close()
    say(closed=True, problems=problems.seen, rebalance_signals=problems.rebalance_signals)
    if problems.seen:
        sys.exit(1)


if __name__ == "__main__":
    main()
