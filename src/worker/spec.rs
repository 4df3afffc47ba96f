//! `WorkerSpec`: everything a worker process needs to know, passed as JSON on its command line.

use serde::{Deserialize, Serialize};

/// When and how the consumer commits offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitMode {
    /// `enable.auto.commit=true`; offsets are stored only after a record is processed.
    Auto,
    /// `enable.auto.commit=true` with librdkafka's default offset store: whatever `poll`
    /// returned counts as consumed, processed or not (the lesson in record loss).
    AutoNaive,
    /// `commitSync()` after each poll batch (or every `commit_every_records`).
    SyncBatch,
    /// `commitSync(Map)` with `offset + 1` after every record.
    SyncRecord,
    /// `commitAsync()` after each poll batch; the result arrives on a later poll.
    Async,
    /// Never commit.
    None,
}

impl CommitMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::AutoNaive => "auto-naive",
            CommitMode::SyncBatch => "sync-batch",
            CommitMode::SyncRecord => "sync-record",
            CommitMode::Async => "async",
            CommitMode::None => "none",
        }
    }

    pub fn is_auto(self) -> bool {
        matches!(self, CommitMode::Auto | CommitMode::AutoNaive)
    }
}

/// How partitions are spread over a group's members (one strategy per group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignmentStrategy {
    Range,
    Roundrobin,
    CooperativeSticky,
}

impl AssignmentStrategy {
    /// The value of librdkafka's `partition.assignment.strategy`.
    pub fn librdkafka_name(self) -> &'static str {
        match self {
            AssignmentStrategy::Range => "range",
            AssignmentStrategy::Roundrobin => "roundrobin",
            AssignmentStrategy::CooperativeSticky => "cooperative-sticky",
        }
    }
}

/// With several consumer threads: one group for all (partitions are split among them) or a
/// group each (every thread reads every record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadGroups {
    #[default]
    Same,
    Distinct,
}

/// A consumer's full configuration: lab defaults merged with the trainee's overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerSpec {
    pub run_id: String,
    pub consumer_id: String,
    pub bootstrap_servers: String,
    pub topic: String,
    pub group_id: String,
    pub poll_timeout_ms: u64,
    pub max_poll_records: u32,
    pub commit_mode: CommitMode,
    pub auto_commit_interval_ms: u64,
    /// With a sync or async mode: commit after every N processed records instead of per batch.
    pub commit_every_records: Option<u64>,
    pub processing_delay_ms: u64,
    pub pause_after_records: Option<u64>,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub commit_on_revoke: bool,
    /// Async mode: re-send a failed commit when its answer arrives (the course's hazard).
    #[serde(default)]
    pub retry_failed_commits: bool,
    /// The shutdown hook commits what was processed (the course's `finally { commitSync(); }`).
    #[serde(default = "yes")]
    pub commit_on_shutdown: bool,
    /// Consumer threads in this process (each its own `KafkaConsumer`).
    #[serde(default = "one")]
    pub threads: u32,
    #[serde(default)]
    pub thread_groups: ThreadGroups,
    /// Processing threads behind the one consumer (the book's worker-pool design); 0 = none.
    #[serde(default)]
    pub worker_pool: u32,
    /// `assign()` this partition instead of `subscribe()`: no group membership, no rebalance.
    #[serde(default)]
    pub assign_partition: Option<i32>,
    pub assignment_strategy: AssignmentStrategy,
    pub auto_offset_reset: String,
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}
