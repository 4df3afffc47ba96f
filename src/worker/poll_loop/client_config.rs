//! The lab consumer's librdkafka settings, from its spec: the Java client's properties of the
//! course (`group.id`, `enable.auto.commit`, `auto.commit.interval.ms`, `session.timeout.ms`, …).

use rdkafka::ClientConfig;

use crate::domain::protocol::WorkerSpec;
use crate::domain::settings::CommitMode;

pub fn consumer_config(spec: &WorkerSpec) -> ClientConfig {
    let mut config = ClientConfig::new();
    // librdkafka's own debug contexts (e.g. `cgrp,fetch`), logged on the worker's stderr.
    if let Ok(debug) = std::env::var("LABS_RDKAFKA_DEBUG") {
        config.set("debug", debug);
    }
    config
        .set("bootstrap.servers", &spec.bootstrap_servers)
        .set("group.id", &spec.group_id)
        .set("client.id", format!("{}-{}", spec.run_id, spec.consumer_id))
        .set("auto.offset.reset", &spec.consumer.auto_offset_reset)
        .set(
            "session.timeout.ms",
            spec.consumer.session_timeout_ms.to_string(),
        )
        .set(
            "heartbeat.interval.ms",
            spec.heartbeat_interval_ms.to_string(),
        )
        .set(
            "partition.assignment.strategy",
            spec.consumer.assignment_strategy.librdkafka_name(),
        )
        // A paused lab consumer still polls (to serve the group), so a long pause is fine;
        // this only bounds a consumer stuck in processing.
        .set("max.poll.interval.ms", "3600000")
        .set("enable.partition.eof", "false")
        // The consumer's own metrics (Java's `consumer.metrics()`), once a second.
        .set("statistics.interval.ms", "1000")
        // How long the broker may hold a fetch that finds nothing (see `fetch_wait_max_ms`).
        .set("fetch.wait.max.ms", spec.fetch_wait_max_ms.to_string())
        // A backlog's next fetch comes as soon as the local queue has room again.
        .set(
            "fetch.queue.backoff.ms",
            super::super::FETCH_QUEUE_BACKOFF_MS.to_string(),
        )
        .set(
            "enable.auto.commit",
            if spec.consumer.commit_mode.is_auto() {
                "true"
            } else {
                "false"
            },
        )
        .set(
            "auto.commit.interval.ms",
            spec.consumer.auto_commit_interval_ms.to_string(),
        )
        // Only the naive lesson lets librdkafka treat "returned by poll" as "consumed".
        .set(
            "enable.auto.offset.store",
            if spec.consumer.commit_mode == CommitMode::AutoNaive {
                "true"
            } else {
                "false"
            },
        );
    config
}
