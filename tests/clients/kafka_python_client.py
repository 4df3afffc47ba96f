"""A Java-style client (kafka-python, which negotiates versions as the Java client does) against
a broker: run by tests/java_style_clients.rs as

    python kafka_python_client.py BOOTSTRAP TOPIC GROUP

It bootstraps; produces "1".."4" to TOPIC; consumes them as GROUP with manual commits and reads
the committed offsets back; and closes (LeaveGroup).
Prints one JSON line with what happened; exits 1 with the reason on stderr if a step fails or
the client logged a warning or an error (a protocol error it could not decode, for instance).
CLIENT_LOG=1 prints the client's own log on stderr (for debugging).
"""

import json
import logging
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

DEADLINE_S = 30
# The embedded broker rebalances in session.timeout.ms - 1 s: keep it short.
GROUP_OPTS = dict(
    enable_auto_commit=False,
    auto_offset_reset="earliest",
    session_timeout_ms=3000,
    heartbeat_interval_ms=500,
)


class Problems(logging.Handler):
    """Every warning or error the client logs."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.seen = []

    def emit(self, record):
        self.seen.append(f"{record.name}: {record.getMessage()}")


class Failed(Exception):
    pass


def fail(why):
    raise Failed(why)


def member(bootstrap, topic, group):
    """A group member that knows the topic's partitions before it joins (otherwise a leader
    elected before its first metadata answer assigns nothing, and logs that). It subscribes
    first: kafka-python keeps a snapshot of the subscribed topics' partitions, made only when
    metadata arrives, and a leader that assigned with a snapshot made before it subscribed
    (empty) rejoins at the next metadata answer (once in 12 runs under load: a commit refused
    as "rebalance in progress", or a metadata refresh cancelled by the rejoin)."""
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, **GROUP_OPTS)
    c.subscribe([topic])
    if not c.partitions_for_topic(topic):
        fail(f"no metadata for {topic}")
    return c


def poll_until(consumers, done, what):
    deadline = time.monotonic() + DEADLINE_S
    while not done():
        if time.monotonic() > deadline:
            fail(f"timed out: {what}")
        for c in consumers:
            yield c, c.poll(timeout_ms=100)


def main():
    bootstrap, topic, group = sys.argv[1:4]
    problems = Problems()
    logging.getLogger("kafka").addHandler(problems)
    logging.getLogger("kafka").setLevel(logging.INFO)
    if os.environ.get("CLIENT_LOG"):
        logging.basicConfig(format="%(relativeCreated)6d %(threadName)s %(name)s %(message)s")
    out = {}

    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, max_block_ms=20000)
    # Bootstrapped: the broker's metadata lists the topic's partitions.
    out["partitions"] = sorted(producer.partitions_for(topic))
    futures = [producer.send(topic, v.encode()) for v in ["1", "2", "3", "4"]]
    producer.flush(timeout=DEADLINE_S)
    out["produced"] = [[m.partition, m.offset] for m in (f.get(timeout=DEADLINE_S) for f in futures)]
    producer.close(timeout=DEADLINE_S)

    consumer = member(bootstrap, topic, group)
    seen = {}
    for _, batch in poll_until([consumer], lambda: len(seen) >= 4, "consume 1..4"):
        for records in batch.values():
            for r in records:
                seen[(r.partition, r.offset)] = r.value.decode()
    out["consumed"] = sorted([p, o, v] for (p, o), v in seen.items())
    next_offsets = {}
    for (p, o) in seen:
        next_offsets[p] = max(next_offsets.get(p, 0), o + 1)
    consumer.commit()
    out["committed"] = {
        str(p): consumer.committed(TopicPartition(topic, p)) for p in sorted(next_offsets)
    }
    out["expected_committed"] = {str(p): o for p, o in sorted(next_offsets.items())}

    consumer.close()

    out["problems"] = problems.seen
    print(json.dumps(out), flush=True)
    if problems.seen:
        fail("the client logged problems: " + "; ".join(problems.seen))


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(e, file=sys.stderr, flush=True)
        sys.exit(1)
