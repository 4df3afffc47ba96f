//! Burrow's consumer-lag evaluation, rule for rule (linkedin/Burrow v1.9.5:
//! `core/internal/evaluator/caching.go` for the rules, `core/internal/storage/inmemory.go` for
//! the windows). Pure: commits and broker offsets in, statuses out — with the rule that
//! decided each partition and the numbers that made it fire, so a page can show *why*.
//!
//! Per partition Burrow keeps two rings of `intervals` entries: the group's commits, each with
//! the lag at the time of the commit, and the broker's end offsets. The window is counted in
//! commits, not in time: a consumer that commits every 20 s has a 200 s window with the default
//! ten intervals. A commit that arrives less than `min_distance` after the stored one replaces
//! it (keeping the older timestamp), so a fast committer cannot flush the window.
//!
//! Files: here the types (with Burrow's JSON names); `storage.rs` the windows Burrow keeps
//! (`PartitionWindow`, `GroupWindows`); `rules.rs` the evaluation; `tests.rs` Burrow's own
//! test table.

mod rules;
mod storage;

use serde::{Deserialize, Serialize};

pub use rules::*;
pub use storage::*;

/// How Burrow is configured: storage `intervals` / `min-distance`, evaluator `allowed-lag` /
/// `minimum-complete`. The classroom runs these at a shorter timescale than production.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvaluatorConfig {
    /// Length of the commit ring (Burrow's default 10).
    pub intervals: usize,
    /// A commit within this many milliseconds of the stored one replaces it (Burrow: seconds).
    pub min_distance_ms: i64,
    /// A lag at or below this counts as zero.
    pub allowed_lag: u64,
    /// A partition whose ring is less full than this is OK without evaluation.
    pub minimum_complete: f32,
}

impl Default for EvaluatorConfig {
    /// Burrow's defaults: 10 intervals, no min-distance, no allowed lag, no minimum.
    fn default() -> Self {
        EvaluatorConfig {
            intervals: 10,
            min_distance_ms: 0,
            allowed_lag: 0,
            minimum_complete: 0.0,
        }
    }
}

/// One stored commit (Burrow's `ConsumerOffset`, same JSON names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerOffset {
    pub offset: i64,
    /// When the commit was made, ms since the epoch.
    pub timestamp: i64,
    /// When it was seen, ms since the epoch.
    #[serde(rename = "observedAt")]
    pub observed_at: i64,
    /// Broker end offset minus this offset when it was committed (never updated); `None` when
    /// no broker offset was known yet.
    pub lag: Option<u64>,
}

/// A partition's status, Burrow's names and numbers (`NOTFOUND`=0 … `REWIND`=6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Notfound = 0,
    Ok = 1,
    Warn = 2,
    Err = 3,
    Stop = 4,
    Stall = 5,
    Rewind = 6,
}

impl Status {
    /// The integer Burrow exports to Prometheus.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Which rule decided a partition's status, with the numbers it looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// No commit stored for the partition.
    NoCommits,
    /// The ring is less full than `minimum-complete`.
    Incomplete { complete: f32, minimum: f32 },
    /// The current lag is within `allowed-lag`.
    LagWithinAllowed { current_lag: u64, allowed_lag: u64 },
    /// Lag > allowed and the newest commit is older than the window's span
    /// (`now − last > last − first`), and no recent broker offset was at or below it.
    Stopped {
        since_last_commit_ms: i64,
        window_span_ms: i64,
    },
    /// Commit `index` went below the one before it and never climbed back.
    Rewound { index: usize, from: i64, to: i64 },
    /// Every commit in the window has the same offset while the lag was never zero.
    Stalled { offset: i64 },
    /// The lag at commit time never went down over the window (and was never zero).
    LagNotDecreasing { lags: Vec<u64> },
    /// Lag > allowed, but some commit's lag was zero or the lag went down somewhere.
    Keeping { lags: Vec<u64> },
    /// A stop that Burrow forgives: a recent broker end offset was at or below the last commit.
    RecentLagZero { last_offset: i64 },
}

/// One partition of a group: Burrow's `PartitionStatus`, same JSON names, plus the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionStatus {
    pub topic: String,
    pub partition: i32,
    pub owner: String,
    pub client_id: String,
    pub status: Status,
    pub start: Option<ConsumerOffset>,
    pub end: Option<ConsumerOffset>,
    pub current_lag: u64,
    pub complete: f32,
    /// Not in Burrow's JSON: why the status is what it is.
    pub reason: Reason,
}

/// A group's evaluation: Burrow's `ConsumerGroupStatus`, same JSON names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStatus {
    pub cluster: String,
    pub group: String,
    pub status: Status,
    pub complete: f32,
    pub partitions: Vec<PartitionStatus>,
    pub partition_count: usize,
    pub maxlag: Option<PartitionStatus>,
    pub totallag: u64,
}

/// One partition in the lab's `lag` event: its status, the rule that decided it, and the
/// window of commits the rule looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagPartition {
    pub partition: i32,
    pub status: Status,
    pub current_lag: u64,
    pub complete: f32,
    pub reason: Reason,
    /// The commits in the window, oldest first (offset, time, lag at commit time).
    pub window: Vec<ConsumerOffset>,
}

/// The lab's view of Burrow's evaluation of the run's group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagReport {
    pub status: Status,
    pub complete: f32,
    pub totallag: u64,
    pub partitions: Vec<LagPartition>,
}

impl LagReport {
    /// Whether `other` tells the trainee something new: another status or rule anywhere, or
    /// another window. (The numbers a rule reads, such as the time since the last commit,
    /// move every second; the lag itself is in every `offsets` sample.)
    pub fn same_verdict(&self, other: &LagReport) -> bool {
        self.status == other.status
            && self.partitions.len() == other.partitions.len()
            && self.partitions.iter().zip(&other.partitions).all(|(a, b)| {
                a.partition == b.partition
                    && a.status == b.status
                    && std::mem::discriminant(&a.reason) == std::mem::discriminant(&b.reason)
                    && a.window == b.window
            })
    }
}

#[cfg(test)]
mod tests;
