//! Consumer lag from the outside: the broker's log-end and the group's committed offset,
//! sampled by the server, so it can be read even when the consumer is dead (the course's point
//! against reading `records-lag-max` from the consumer itself). Burrow's evaluation of these
//! numbers is in `domain::burrow`.

use serde::{Deserialize, Serialize};

/// One partition's broker-side state, sampled by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionSample {
    pub partition: i32,
    /// High watermark: the offset the next produced record will get.
    pub log_end: i64,
    /// The group's committed offset, if it has one.
    pub committed: Option<i64>,
    /// Log-end minus committed (log-end when nothing is committed): Burrow's lag, computed
    /// here once so the page draws the same number the evaluator judges.
    pub lag: i64,
}

/// Burrow's lag of a partition: log-end minus committed (log-end when nothing is committed).
pub fn lag_of(log_end: i64, committed: Option<i64>) -> i64 {
    log_end.saturating_sub(committed.unwrap_or(0).max(0)).max(0)
}

impl PartitionSample {
    pub fn new(partition: i32, log_end: i64, committed: Option<i64>) -> Self {
        PartitionSample {
            partition,
            log_end,
            committed,
            lag: lag_of(log_end, committed),
        }
    }
}
