//! Topic administration on an external cluster (CreateTopics / DeleteTopics through
//! librdkafka's admin client). The embedded broker has neither; see `embedded.rs`.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;

use super::{client_config, kafka, BrokerError};

/// A cluster that cannot be reached answers in 10 s, not librdkafka's default 60 s.
fn options() -> AdminOptions {
    AdminOptions::new()
        .operation_timeout(Some(Duration::from_secs(10)))
        .request_timeout(Some(Duration::from_secs(10)))
}

fn admin(bootstrap: &str) -> Result<AdminClient<DefaultClientContext>, BrokerError> {
    client_config(bootstrap)
        .create()
        .map_err(kafka("create admin client"))
}

/// Dropping an admin client joins its threads: not on the runtime.
fn drop_off_runtime(admin: AdminClient<DefaultClientContext>) {
    tokio::task::spawn_blocking(move || drop(admin));
}

/// Creates `topic` (replication 1); a topic that already exists is fine.
pub async fn create_topic(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
) -> Result<(), BrokerError> {
    let admin = admin(bootstrap)?;
    let new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let results = admin.create_topics(&[new_topic], &options()).await;
    drop_off_runtime(admin);
    each_ok(
        "create topic",
        results,
        RDKafkaErrorCode::TopicAlreadyExists,
    )
}

/// Deletes `topic`; a topic that is already gone is fine.
pub async fn delete_topic(bootstrap: &str, topic: &str) -> Result<(), BrokerError> {
    let admin = admin(bootstrap)?;
    let results = admin.delete_topics(&[topic], &options()).await;
    drop_off_runtime(admin);
    each_ok(
        "delete topic",
        results,
        RDKafkaErrorCode::UnknownTopicOrPartition,
    )
}

/// An admin request's per-topic results: each must have succeeded or failed with `fine` (the
/// topic was already as wanted).
fn each_ok(
    op: &'static str,
    results: rdkafka::error::KafkaResult<Vec<rdkafka::admin::TopicResult>>,
    fine: RDKafkaErrorCode,
) -> Result<(), BrokerError> {
    for result in results.map_err(kafka(op))? {
        if let Err((name, code)) = result {
            if code != fine {
                return Err(BrokerError::Other(format!("{op} {name}: {code}")));
            }
        }
    }
    Ok(())
}
