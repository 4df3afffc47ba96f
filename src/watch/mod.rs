//! Watched groups: a consumer group the app did not start — the trainee's own Java project on
//! the connected cluster — read from outside, as Burrow reads a group it was pointed at.
//!
//! A [`Watch`] samples the topic's log-end offsets and the group's committed offsets every
//! sample interval (blocking librdkafka calls on a blocking thread) and feeds Burrow's
//! windows ([`GroupWindows`]): the broker's end offsets on every sample, and a commit for each
//! partition whose committed offset *changed*, stamped with the time of the sample that saw
//! it. Burrow reads every commit from `__consumer_offsets`; polling cannot see a group that
//! commits the same offset again, so a stalled group (STALL in Burrow) reads as STOP here.
//!
//! Each watch keeps an [`EventLog`] of `offsets`, `lag` and `error` events (the lab's shapes)
//! for the page's event stream. Watches end on server shutdown, on `DELETE`, and after the
//! idle timeout without readers (no API call, no open stream), like idle runs.
//!
//! Files: here the limits, names, errors and views; `group.rs` one watched group (`Watch`);
//! `registry.rs` every watch (`WatchRegistry`); `sampler.rs` the sampling task.

mod group;
mod registry;
mod sampler;

pub use group::Watch;
pub use registry::WatchRegistry;

use std::time::Duration;

use serde::Serialize;

use crate::broker::BrokerError;
use crate::domain::burrow::{EvaluatorConfig, LagReport};
use crate::domain::lag::PartitionSample;
use crate::i18n::{Coded, ErrorCode};

/// At most this many groups are watched at once (a 429 beyond it).
pub const MAX_WATCHES: usize = 50;

/// Kafka's longest legal topic name (and the longest group id the page takes).
pub const MAX_NAME_LEN: usize = 249;

/// Why a watch was refused. Each carries its code and the values its text needs.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A request field is empty or not a legal Kafka name (400).
    #[error("{1}")]
    BadField(&'static str, Coded),
    /// The cluster does not know the topic (404).
    #[error("{0}")]
    NoTopic(Coded),
    /// Too many watches (429).
    #[error("{0}")]
    Limit(Coded),
    /// The broker failed (502).
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
}

impl WatchError {
    pub fn coded(&self) -> Coded {
        match self {
            WatchError::BadField(field, c) => c.clone().with("field", *field),
            WatchError::NoTopic(c) | WatchError::Limit(c) => c.clone(),
            WatchError::Broker(e) => {
                Coded::new(ErrorCode::Broker, self.to_string()).with("detail", e.to_string())
            }
        }
    }
}

/// Checks a topic name or group id against Kafka's legal characters (`a-z A-Z 0-9 . _ -`,
/// 1 to 249 of them; `.` and `..` are not names).
pub fn check_name(field: &'static str, value: &str) -> Result<(), WatchError> {
    if value.is_empty() {
        return Err(WatchError::BadField(
            field,
            Coded::new(
                ErrorCode::FieldRequired,
                format!("field `{field}` is required"),
            ),
        ));
    }
    let legal = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !legal || value.len() > MAX_NAME_LEN || value == "." || value == ".." {
        return Err(WatchError::BadField(
            field,
            Coded::new(
                ErrorCode::BadName,
                format!(
                    "field `{field}`: {value:?} is not a Kafka name: use 1 to {MAX_NAME_LEN} of the characters a-z A-Z 0-9 . _ -"
                ),
            )
            .with("value", value.chars().take(60).collect::<String>())
            .with("max", MAX_NAME_LEN),
        ));
    }
    Ok(())
}

/// Limits and timings every watch shares.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub max_watches: usize,
    pub sample_interval: Duration,
    pub idle_timeout: Duration,
    pub log_capacity: usize,
    pub live_buffer: usize,
}

/// One partition as the outside view shows it.
pub type WatchPartition = PartitionSample;

/// What `GET /api/watch/{id}` answers.
#[derive(Debug, Clone, Serialize)]
pub struct WatchView {
    pub id: String,
    pub group: String,
    pub topic: String,
    /// Burrow's settings for this group.
    pub burrow: EvaluatorConfig,
    pub sample_interval_ms: u64,
    /// Per partition: log-end, committed offset, committed lag (log-end − committed).
    pub partitions: Vec<WatchPartition>,
    /// When the last sample was taken (ms since the epoch), `None` before the first.
    pub sampled_at: Option<f64>,
    /// Burrow's evaluation now (`None` until the group's first commit is seen).
    pub lag: Option<LagReport>,
    /// The last sampling error, cleared by the next good sample.
    pub error: Option<String>,
    pub last_seq: u64,
}

fn no_topic(topic: &str) -> WatchError {
    WatchError::NoTopic(
        Coded::new(
            ErrorCode::NoTopic,
            format!("the cluster has no topic {topic:?} (create it, or produce to it once)"),
        )
        .with("topic", topic),
    )
}
