//! `LabEvent`: the one contract between worker processes, the server and the pages.
//!
//! Workers write one [`WorkerLine`] per line of JSON on stdout; the server stamps each
//! with the run's sequence number and the consumer that sent it ([`StampedEvent`]),
//! appends it to the run's event log and broadcasts it to SSE subscribers.

use serde::{Deserialize, Serialize};

/// A partition and an offset: for commits, the offset is the *next* offset to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffset {
    pub partition: i32,
    pub offset: i64,
}

/// One partition's broker-side state, sampled by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionSample {
    pub partition: i32,
    /// High watermark: the offset the next produced record will get.
    pub log_end: i64,
    /// The group's committed offset, if it has one.
    pub committed: Option<i64>,
}

/// How a commit was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitKind {
    /// `commitSync()`: the poll loop blocks until the broker answers.
    Sync,
    /// `commitAsync()`: the poll loop goes on; the answer arrives on a later poll.
    Async,
    /// `enable.auto.commit=true`: librdkafka commits stored offsets on a timer.
    Auto,
}

/// Everything that can happen in a lab run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LabEvent {
    /// The server produced a record for the trainee.
    Produced {
        partition: i32,
        offset: i64,
        key: Option<String>,
        value: String,
    },
    /// The worker process exists (server side, right after spawn).
    Spawned { pid: u32 },
    /// The consumer is created and has subscribed (or assigned) to the topic.
    Subscribed {
        topic: String,
        group: Option<String>,
        commit_mode: String,
        /// Set when the consumer `assign()`ed this one partition instead of subscribing.
        #[serde(default)]
        assigned_partition: Option<i32>,
    },
    /// One `poll(timeout)`: how many records it returned and how long it blocked.
    Poll { count: u32, duration_ms: f64 },
    /// One record processed by the application (the ledger's ground truth).
    Record {
        partition: i32,
        offset: i64,
        key: Option<String>,
        value: String,
    },
    /// The application asked for a commit.
    CommitRequested {
        commit_id: u64,
        mode: CommitKind,
        reason: String,
        offsets: Vec<PartitionOffset>,
    },
    /// The broker answered a commit (or librdkafka reported an auto commit).
    CommitCompleted {
        commit_id: Option<u64>,
        mode: CommitKind,
        reason: String,
        offsets: Vec<PartitionOffset>,
        latency_ms: Option<f64>,
        error: Option<String>,
    },
    /// The group gave this consumer partitions (rebalance listener: onPartitionsAssigned).
    PartitionsAssigned { partitions: Vec<i32> },
    /// The group took partitions away (rebalance listener: onPartitionsRevoked).
    PartitionsRevoked { partitions: Vec<i32> },
    /// A rebalance callback finished; how long it ran (commits inside it included).
    RebalanceDone { kind: String, duration_ms: f64 },
    /// Processing paused (by the trainee, or after N records).
    Paused { processed: u64, held: u32 },
    /// Processing resumed.
    Resumed,
    /// SIGTERM reached the worker: the shutdown hook's `wakeup()`.
    Wakeup,
    /// `close()` returned: the consumer left the group.
    Closed,
    /// The server sent SIGKILL: no commit, no leave-group.
    Killed,
    /// The worker process ended.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
    },
    /// Broker-side partition state changed (log-end and committed offsets).
    Offsets { partitions: Vec<PartitionSample> },
    /// The group's lag status (Burrow's rules) changed; see `crate::lag`.
    Lag {
        status: crate::lag::GroupStatus,
        partitions: Vec<crate::lag::PartitionLag>,
    },
    /// The run's background producer changed its rate (0: stopped).
    ProducerRate { rate_per_sec: u32 },
    /// A fault was injected into the embedded broker.
    Fault { description: String },
    /// A lab checkpoint was reached for the first time.
    Checkpoint { id: String, text: String },
    /// Something went wrong; the message says what.
    Error { message: String },
}

impl LabEvent {
    /// The `type` tag, for logs and counters.
    pub fn kind(&self) -> &'static str {
        match self {
            LabEvent::Produced { .. } => "produced",
            LabEvent::Spawned { .. } => "spawned",
            LabEvent::Subscribed { .. } => "subscribed",
            LabEvent::Poll { .. } => "poll",
            LabEvent::Record { .. } => "record",
            LabEvent::CommitRequested { .. } => "commit_requested",
            LabEvent::CommitCompleted { .. } => "commit_completed",
            LabEvent::PartitionsAssigned { .. } => "partitions_assigned",
            LabEvent::PartitionsRevoked { .. } => "partitions_revoked",
            LabEvent::RebalanceDone { .. } => "rebalance_done",
            LabEvent::Paused { .. } => "paused",
            LabEvent::Resumed => "resumed",
            LabEvent::Wakeup => "wakeup",
            LabEvent::Closed => "closed",
            LabEvent::Killed => "killed",
            LabEvent::Exited { .. } => "exited",
            LabEvent::Offsets { .. } => "offsets",
            LabEvent::Lag { .. } => "lag",
            LabEvent::ProducerRate { .. } => "producer_rate",
            LabEvent::Fault { .. } => "fault",
            LabEvent::Checkpoint { .. } => "checkpoint",
            LabEvent::Error { .. } => "error",
        }
    }

    /// Every `type` tag, for validating lab files, plus facts checkpoints may also wait for:
    /// `commit_failed` (a `commit_completed` with an error), `lag_warning` and `lag_error`.
    pub const KINDS: &'static [&'static str] = &[
        "commit_failed",
        "lag_warning",
        "lag_error",
        "lag",
        "producer_rate",
        "produced",
        "spawned",
        "subscribed",
        "poll",
        "record",
        "commit_requested",
        "commit_completed",
        "partitions_assigned",
        "partitions_revoked",
        "rebalance_done",
        "paused",
        "resumed",
        "wakeup",
        "closed",
        "killed",
        "exited",
        "offsets",
        "fault",
        "checkpoint",
        "error",
    ];
}

/// What a worker writes: one event, when it happened, and on which thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerLine {
    /// Unix time in milliseconds, taken in the worker when the event happened.
    pub ts: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(flatten)]
    pub event: LabEvent,
}

/// An event as stored in a run's log and sent to pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StampedEvent {
    /// Position in the run's log, from 1; the SSE `id`.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub ts: f64,
    /// The consumer (worker incarnation) the event is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(flatten)]
    pub event: LabEvent,
}

/// Unix time now, in milliseconds.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_line_round_trips_with_flat_type_tag() {
        let line = WorkerLine {
            ts: 1.5,
            thread: None,
            event: LabEvent::Record {
                partition: 2,
                offset: 7,
                key: None,
                value: "3".into(),
            },
        };
        let json = serde_json::to_string(&line).unwrap();
        assert!(json.contains(r#""type":"record""#), "{json}");
        let back: WorkerLine = serde_json::from_str(&json).unwrap();
        assert_eq!(back.event, line.event);
    }
}
