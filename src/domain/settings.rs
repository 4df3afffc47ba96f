//! `ConsumerSettings`: how a lab's consumer behaves (commit mode, timings, threads, …), the
//! enums its options take, and the ranges every option must stay in.

use serde::{Deserialize, Serialize};

use crate::i18n::{Coded, ErrorCode};

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
    /// The course project's shape: the no-argument `commitSync()` inside the per-record loop.
    /// It commits the positions of the whole poll at the batch's first record, so a crash in
    /// the middle of the batch loses the rest of it.
    SyncRecordPoll,
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
            CommitMode::SyncRecordPoll => "sync-record-poll",
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

/// How a consumer behaves: a lab's defaults, with the trainee's overrides applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSettings {
    pub group: String,
    #[serde(default = "default_poll_timeout")]
    pub poll_timeout_ms: u64,
    #[serde(default = "default_max_poll_records")]
    pub max_poll_records: u32,
    pub commit_mode: CommitMode,
    #[serde(default = "default_auto_commit_interval")]
    pub auto_commit_interval_ms: u64,
    #[serde(default)]
    pub commit_every_records: Option<u64>,
    #[serde(default)]
    pub processing_delay_ms: u64,
    #[serde(default)]
    pub pause_after_records: Option<u64>,
    #[serde(default = "default_session_timeout")]
    pub session_timeout_ms: u64,
    #[serde(default)]
    pub commit_on_revoke: bool,
    #[serde(default)]
    pub retry_failed_commits: bool,
    #[serde(default = "yes")]
    pub commit_on_shutdown: bool,
    #[serde(default = "one")]
    pub threads: u32,
    #[serde(default)]
    pub thread_groups: ThreadGroups,
    #[serde(default)]
    pub worker_pool: u32,
    #[serde(default)]
    pub assign_partition: Option<i32>,
    #[serde(default = "default_strategy")]
    pub assignment_strategy: AssignmentStrategy,
    #[serde(default = "default_offset_reset")]
    pub auto_offset_reset: String,
    /// The sinks lab: processing a record writes it to the run's CSV files and SQLite
    /// database (naive and idempotent). Set by a lab file only.
    #[serde(default)]
    pub sink: bool,
}

fn default_poll_timeout() -> u64 {
    1000
}
fn default_max_poll_records() -> u32 {
    500
}
fn default_auto_commit_interval() -> u64 {
    5000
}
fn default_session_timeout() -> u64 {
    10000
}
fn default_strategy() -> AssignmentStrategy {
    AssignmentStrategy::Range
}
fn default_offset_reset() -> String {
    "earliest".into()
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

/// An option's allowed values, inclusive; the page's settings form reads the same table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OptionRange {
    #[serde(skip)]
    pub field: &'static str,
    pub min: u64,
    pub max: u64,
}

const fn range(field: &'static str, min: u64, max: u64) -> OptionRange {
    OptionRange { field, min, max }
}

/// Every numeric consumer option's range, written once.
pub const OPTION_RANGES: &[OptionRange] = &[
    range("poll_timeout_ms", 10, 60_000),
    range("max_poll_records", 1, 100_000),
    range("auto_commit_interval_ms", 100, 3_600_000),
    range("commit_every_records", 1, 1_000_000),
    range("processing_delay_ms", 0, 60_000),
    range("pause_after_records", 1, 100_000_000),
    range("session_timeout_ms", 1_000, 300_000),
    range("threads", 1, 8),
    range("worker_pool", 0, 16),
    range("assign_partition", 0, 63),
];

/// A consumer option at fault: the field, and the coded message.
pub type OptionError = (&'static str, Coded);

fn check(field: &'static str, v: u64) -> Result<(), OptionError> {
    let r = OPTION_RANGES
        .iter()
        .find(|r| r.field == field)
        .expect("every checked option has a range");
    if (r.min..=r.max).contains(&v) {
        Ok(())
    } else {
        Err((
            field,
            Coded::new(
                ErrorCode::OptionRange,
                format!("{v} is out of range {}..={}", r.min, r.max),
            )
            .with("field", field)
            .with("value", v)
            .with("min", r.min)
            .with("max", r.max),
        ))
    }
}

/// A consumer's `heartbeat.interval.ms` for its `session.timeout.ms`: a third of it (Kafka's
/// advice), and at most a quarter of `session.timeout.ms − 1 s`, within 100 ms … 3 s.
///
/// A member hears of a rebalance only in a heartbeat's answer, and librdkafka's mock cluster
/// (the embedded broker) waits `session.timeout.ms − 1 s` for members to rejoin before it
/// elects a leader without the late ones — who then start another rebalance, in which commits
/// are refused. At a 2 s session a third (667 ms) left a member 333 ms to spare, which a
/// loaded machine sometimes took; a quarter of the window leaves it three heartbeats.
pub fn heartbeat_interval_ms(session_timeout_ms: u64) -> u64 {
    let rejoin_window = session_timeout_ms.saturating_sub(1_000);
    (session_timeout_ms / 3)
        .min(rejoin_window / 4)
        .clamp(100, 3_000)
}

/// Range checks shared by lab files and per-consumer overrides: `(field, why)` on failure.
pub fn check_consumer(c: &ConsumerSettings) -> Result<(), OptionError> {
    check("poll_timeout_ms", c.poll_timeout_ms)?;
    check("max_poll_records", c.max_poll_records as u64)?;
    check("auto_commit_interval_ms", c.auto_commit_interval_ms)?;
    if let Some(n) = c.commit_every_records {
        check("commit_every_records", n)?;
    }
    check("processing_delay_ms", c.processing_delay_ms)?;
    if let Some(n) = c.pause_after_records {
        check("pause_after_records", n)?;
    }
    check("session_timeout_ms", c.session_timeout_ms)?;
    check("threads", c.threads as u64)?;
    check("worker_pool", c.worker_pool as u64)?;
    if let Some(p) = c.assign_partition {
        check("assign_partition", p.max(-1) as u64).map_err(|_| {
            (
                "assign_partition",
                Coded::new(
                    ErrorCode::NotAPartition,
                    format!("{p} is not a partition number"),
                )
                .with("value", p),
            )
        })?;
    }
    if c.worker_pool > 0 && c.commit_mode != CommitMode::AutoNaive {
        return Err((
            "worker_pool",
            Coded::new(ErrorCode::PoolNeedsAutoNaive, "the worker-pool design hands records to threads and lets auto commit commit what poll returned: use commit_mode \"auto-naive\""),
        ));
    }
    if c.worker_pool > 0 && c.threads > 1 {
        return Err((
            "worker_pool",
            Coded::new(
                ErrorCode::PoolOrThreads,
                "use either several consumer threads or a worker pool, not both",
            ),
        ));
    }
    if c.assign_partition.is_some() && c.threads > 1 {
        return Err((
            "assign_partition",
            Coded::new(
                ErrorCode::AssignOneThread,
                "one consumer thread reads an assigned partition",
            ),
        ));
    }
    if c.sink && (c.threads > 1 || c.worker_pool > 0) {
        return Err((
            "threads",
            Coded::new(
                ErrorCode::SinkOneThread,
                "the sinks are written by the consumer's one poll loop: use one thread and no worker pool",
            ),
        ));
    }
    if !["earliest", "latest"].contains(&c.auto_offset_reset.as_str()) {
        return Err((
            "auto_offset_reset",
            Coded::new(ErrorCode::OffsetReset, "must be \"earliest\" or \"latest\""),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::heartbeat_interval_ms;

    #[test]
    fn a_heartbeat_leaves_room_to_rejoin_within_the_mock_brokers_window() {
        // (session, heartbeat): a third of long sessions, a quarter of the rejoin window of
        // short ones, never under 100 ms or over 3 s.
        for (session, heartbeat) in [
            (1_000, 100),
            (2_000, 250),
            (3_000, 500),
            (6_000, 1_250),
            (10_000, 2_250),
            (45_000, 3_000),
        ] {
            assert_eq!(heartbeat_interval_ms(session), heartbeat, "{session}");
        }
        for session in (1_000..=300_000).step_by(500) {
            let heartbeat = heartbeat_interval_ms(session);
            assert!(heartbeat * 3 <= session, "{session}: at most a third");
            if session >= 1_400 {
                assert!(
                    heartbeat * 4 <= session - 1_000,
                    "{session}: four heartbeats in the mock's rejoin window"
                );
            }
        }
    }
}
