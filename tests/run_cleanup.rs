//! What a gone run leaves behind on the broker (issue 16, finding 9): an external cluster
//! deletes its topic; the embedded broker (no DeleteTopics) drops its records, so deleted runs
//! stop holding memory.

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;

/// Each partition's (low, high) watermarks, or how many partitions the cluster's metadata
/// lists for `topic` (0: gone), read from outside the app like a trainee's tool.
async fn look_at(bootstrap: &str, topic: &str) -> (usize, Vec<(i64, i64)>) {
    let (bootstrap, topic) = (bootstrap.to_string(), topic.to_string());
    tokio::task::spawn_blocking(move || {
        let client: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("allow.auto.create.topics", "false")
            .create()
            .expect("client");
        let metadata = client
            .fetch_metadata(Some(&topic), Duration::from_secs(5))
            .expect("metadata");
        let partitions = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none())
            .map_or(0, |t| t.partitions().len());
        let marks = (0..partitions as i32)
            .map(|p| {
                client
                    .fetch_watermarks(&topic, p, Duration::from_secs(5))
                    .expect("watermarks")
            })
            .collect();
        (partitions, marks)
    })
    .await
    .expect("metadata task")
}

async fn a_deleted_run_s_topic_lets_go_of_its_records() {
    let app = spawn_app().await;
    let embedded = app.server.as_ref().unwrap().state.broker.is_embedded();
    let run = app.create_run("simple-consumer").await;
    let topic = app.run_view(&run).await["topic"]
        .as_str()
        .expect("topic")
        .to_string();
    app.produce_n(&run, 300).await;
    let (partitions, before) = look_at(&app.bootstrap, &topic).await;
    assert!(
        partitions > 0 && before.iter().all(|&(low, high)| low == 0 && high > 0),
        "every partition holds records before: {before:?}"
    );

    assert_eq!(app.delete(&format!("/api/runs/{run}")).await.status(), 204);

    // The answer comes once the topic is discarded.
    let (left, after) = look_at(&app.bootstrap, &topic).await;
    if embedded {
        // The purge record and the empty record after it took two offsets, and the log
        // starts where it ends: nothing is left to read.
        assert_eq!(left, partitions);
        for (p, (&(_, high_before), &(low, high))) in before.iter().zip(&after).enumerate() {
            assert_eq!(
                (low, high),
                (high_before + 2, high_before + 2),
                "partition {p}: before {before:?}, after {after:?}"
            );
        }
    } else {
        assert_eq!(left, 0, "the topic is deleted: {after:?}");
    }
    app.shutdown().await;
}

on_each_broker!(a_deleted_run_s_topic_lets_go_of_its_records);
