//! `LabEvent`: the one contract between worker processes, the server and the pages.
//!
//! Workers write one [`WorkerLine`] per line of JSON on stdout; the server stamps each
//! with the run's sequence number and the consumer that sent it ([`StampedEvent`]),
//! appends it to the run's event log and broadcasts it to SSE subscribers.

use serde::{Deserialize, Serialize};

use super::burrow::LagReport;
use super::client_metrics::ClientMetrics;
use super::lag::PartitionSample;
use super::settings::CommitMode;
use crate::i18n::Text;

/// A partition and an offset: for commits, the offset is the *next* offset to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffset {
    pub partition: i32,
    pub offset: i64,
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

/// Why the application asked for a commit (the line of the course's code that did).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitReason {
    /// `commitSync(Map)` after one record.
    Record,
    /// After every `commit_every_records` records.
    EveryN,
    /// After a whole poll batch.
    Batch,
    /// A failed async commit, retried (the naive retry of the async lab).
    Retry,
    /// `close()` with auto commit: the stored offsets (with the naive store, whatever poll
    /// returned, processed or not).
    Close,
    /// The shutdown hook: wakeup → commitSync → close.
    Shutdown,
    /// Inside `onPartitionsRevoked`.
    Revoke,
    /// librdkafka's auto commit timer.
    Auto,
}

/// Which rebalance callback ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceKind {
    /// `onPartitionsAssigned`.
    Assign,
    /// `onPartitionsRevoked`.
    Revoke,
    /// The group reported a rebalance error.
    Error,
}

/// Everything that can happen in a lab run.
///
/// The `type` tag of each variant is its snake_case name, written once here: `kind()`, the
/// list of tags (`LabEvent::VARIANTS`) and the page's `static/lab/event-kinds.js` come from it.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
        commit_mode: CommitMode,
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
    /// Consecutive records of one partition processed by one consumer thread, `first_offset`
    /// to `last_offset` inclusive, every one of them once: what the worker says instead of a
    /// `record` each when it processes faster than a trainee can watch (more than
    /// `COALESCE_ABOVE_RECORDS` in one poll batch, see `worker::poll_loop`). The ledger counts
    /// each offset of the range; `key` and `value` are the last record's, for display. A range
    /// never spans a commit, a rebalance, a pause or step, or the end of a poll batch.
    RecordRange {
        partition: i32,
        first_offset: i64,
        last_offset: i64,
        key: Option<String>,
        value: String,
    },
    /// The sinks lab: the consumer wrote a record to the run's sinks (CSV files and SQLite
    /// tables) as its processing, before any commit covers it. A kill between this and that
    /// commit is the course's duplicate: the next consumer writes the record again.
    SinkWritten {
        partition: i32,
        offset: i64,
        /// Rows of `payments_naive` holding this record now (2 or more: a double charge).
        naive_rows: u64,
        /// False when the idempotent sinks already held the record and skipped it.
        idempotent_inserted: bool,
    },
    /// The application asked for a commit.
    CommitRequested {
        commit_id: u64,
        mode: CommitKind,
        reason: CommitReason,
        offsets: Vec<PartitionOffset>,
    },
    /// The broker answered a commit (or librdkafka reported an auto commit).
    CommitCompleted {
        commit_id: Option<u64>,
        mode: CommitKind,
        reason: CommitReason,
        offsets: Vec<PartitionOffset>,
        latency_ms: Option<f64>,
        error: Option<String>,
    },
    /// The group gave this consumer partitions (rebalance listener: onPartitionsAssigned).
    PartitionsAssigned { partitions: Vec<i32> },
    /// The group took partitions away (rebalance listener: onPartitionsRevoked).
    PartitionsRevoked { partitions: Vec<i32> },
    /// A rebalance callback finished; how long it ran (commits inside it included).
    RebalanceDone {
        kind: RebalanceKind,
        duration_ms: f64,
    },
    /// Processing paused (by the trainee, or after N records).
    Paused { processed: u64, held: u32 },
    /// Processing resumed.
    Resumed,
    /// SIGTERM reached the worker: the shutdown hook's `wakeup()`.
    Wakeup,
    /// The shutdown hook's final commit is done, and the consumer waits for the other members
    /// of its group to finish theirs before it leaves: a member that left first would start a
    /// rebalance, and the others' final commits would fail (`RebalanceInProgress`).
    ReadyToLeave,
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
    /// Burrow's evaluation of the run's group changed (a status, a rule or a commit window);
    /// see `domain::burrow`.
    Lag {
        #[serde(flatten)]
        report: LagReport,
    },
    /// The consumer's own metrics, as Java's `consumer.metrics()` would report them, from
    /// librdkafka's statistics once a second (see `domain::client_metrics`). They stop with the
    /// consumer: nothing reports them for a dead one.
    ClientMetrics {
        #[serde(flatten)]
        metrics: ClientMetrics,
    },
    /// The group's committed offsets were reset from outside (the admin API's reset, as
    /// `kafka-consumer-groups.sh --reset-offsets`), while no member was running.
    OffsetsReset { offsets: Vec<PartitionOffset> },
    /// The run's background producer changed its rate (0: stopped).
    ProducerRate { rate_per_sec: u32 },
    /// A fault was injected into the embedded broker.
    Fault { description: Text },
    /// The server could (again) or could not reach the broker when it sampled the run's
    /// offsets; `detail` says what failed.
    Broker {
        reachable: bool,
        detail: Option<String>,
    },
    /// A lab checkpoint was reached for the first time.
    /// (Its text in both languages: a stream is shared by readers of either.)
    Checkpoint { id: String, text: Text },
    /// Something went wrong; the message says what.
    Error { message: String },
}

impl LabEvent {
    /// The `type` tag, for logs and counters.
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    /// Records this event says were processed: 1 for a `record`, the offsets of a
    /// `record_range` (none when its last offset is before its first), else 0.
    pub fn records_processed(&self) -> u64 {
        match self {
            LabEvent::Record { .. } => 1,
            LabEvent::RecordRange {
                first_offset,
                last_offset,
                ..
            } => (i128::from(*last_offset) - i128::from(*first_offset) + 1)
                .clamp(0, i128::from(u64::MAX)) as u64,
            _ => 0,
        }
    }
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
    /// The consumer group the event's thread reads in, when it is not the run's own group
    /// (see `domain::group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
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
mod tests;
