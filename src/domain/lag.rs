//! Consumer lag evaluated the way Burrow does: from the outside, over a sliding window of
//! broker-side samples (log-end and committed offsets), so it works even when the consumer is
//! dead — the course's point against reading `records-lag-max` from the consumer itself.
//!
//! Per partition, over the window (Burrow's rules):
//! - any sample with lag 0 → `ok`;
//! - the committed offset went backwards → `rewind` (error);
//! - the committed offset never moved while lag stayed > 0: `stop` when no commit happened
//!   in the window at all (the consumer is gone), `stall` when commits kept coming (stuck);
//! - offsets move but lag never shrinks → `warning`;
//! - otherwise → `ok`.
//!
//! A group (or partition) that never committed is not rated, as in Burrow.
//!
//! The group's status is the worst: `error` if any partition is stop / stall / rewind,
//! `warning` if any is warning, else `ok`.

use std::collections::VecDeque;

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
    (log_end - committed.unwrap_or(0).max(0)).max(0)
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionStatus {
    Ok,
    Warning,
    Stall,
    Stop,
    Rewind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionLag {
    pub partition: i32,
    /// Log-end minus committed (log-end when nothing is committed).
    pub lag: i64,
    pub status: PartitionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LagReport {
    pub status: GroupStatus,
    pub partitions: Vec<PartitionLag>,
}

/// One sample of the whole topic, and whether the group committed since the previous one.
#[derive(Debug, Clone)]
struct Sample {
    partitions: Vec<PartitionSample>,
    committed_since_last: bool,
}

/// The sliding window of one group's samples.
#[derive(Debug)]
pub struct LagWindow {
    samples: VecDeque<Sample>,
    size: usize,
}

impl LagWindow {
    pub fn new(size: usize) -> Self {
        LagWindow {
            samples: VecDeque::with_capacity(size),
            size: size.max(2),
        }
    }

    /// Adds a sample; `committed_since_last` is whether any commit completed since the last one.
    pub fn push(&mut self, partitions: Vec<PartitionSample>, committed_since_last: bool) {
        if self.samples.len() == self.size {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample {
            partitions,
            committed_since_last,
        });
    }

    /// Nothing to say until the window is full (Burrow waits for a full window too).
    pub fn evaluate(&self) -> Option<LagReport> {
        if self.samples.len() < self.size {
            return None;
        }
        // Like Burrow, a group that never committed is not rated (there is nothing to judge).
        let any_committed = self
            .samples
            .iter()
            .any(|s| s.partitions.iter().any(|p| p.committed.is_some()));
        if !any_committed {
            return None;
        }
        let count = self.samples.back()?.partitions.len();
        let any_commit = self.samples.iter().skip(1).any(|s| s.committed_since_last);
        let partitions: Vec<PartitionLag> = (0..count)
            .map(|i| {
                let series: Vec<&PartitionSample> = self
                    .samples
                    .iter()
                    .filter_map(|s| s.partitions.get(i))
                    .collect();
                let last = series.last().expect("window is full");
                PartitionLag {
                    partition: last.partition,
                    lag: last.lag,
                    status: Self::partition_status(&series, any_commit),
                }
            })
            .collect();
        let status = partitions
            .iter()
            .map(|p| match p.status {
                PartitionStatus::Ok => GroupStatus::Ok,
                PartitionStatus::Warning => GroupStatus::Warning,
                _ => GroupStatus::Error,
            })
            .max()
            .unwrap_or(GroupStatus::Ok);
        Some(LagReport { status, partitions })
    }

    fn partition_status(series: &[&PartitionSample], any_commit: bool) -> PartitionStatus {
        if series.iter().all(|s| s.committed.is_none()) {
            // No commit for this partition yet: not rated.
            return PartitionStatus::Ok;
        }
        let lags: Vec<i64> = series.iter().map(|s| s.lag).collect();
        if lags.contains(&0) {
            return PartitionStatus::Ok;
        }
        let offsets: Vec<i64> = series.iter().map(|s| s.committed.unwrap_or(-1)).collect();
        if offsets.windows(2).any(|w| w[1] < w[0]) {
            return PartitionStatus::Rewind;
        }
        if offsets.first() == offsets.last() {
            return if any_commit {
                PartitionStatus::Stall
            } else {
                PartitionStatus::Stop
            };
        }
        if lags.windows(2).all(|w| w[1] >= w[0]) {
            return PartitionStatus::Warning;
        }
        PartitionStatus::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(points: &[(i64, Option<i64>)], commits: bool) -> LagWindow {
        let mut w = LagWindow::new(points.len());
        for &(log_end, committed) in points {
            w.push(vec![PartitionSample::new(0, log_end, committed)], commits);
        }
        w
    }

    fn status(points: &[(i64, Option<i64>)], commits: bool) -> (PartitionStatus, GroupStatus) {
        let r = window(points, commits).evaluate().unwrap();
        (r.partitions[0].status, r.status)
    }

    #[test]
    fn burrow_rules() {
        use GroupStatus as G;
        use PartitionStatus as P;
        // Caught up at some point: fine.
        assert_eq!(
            status(&[(10, Some(5)), (12, Some(12)), (15, Some(13))], true),
            (P::Ok, G::Ok)
        );
        // Moving, but lag only grows: falling behind.
        assert_eq!(
            status(&[(10, Some(5)), (20, Some(8)), (30, Some(11))], true),
            (P::Warning, G::Warning)
        );
        // Moving and lag shrinks somewhere: keeping up.
        assert_eq!(
            status(&[(10, Some(5)), (20, Some(8)), (21, Some(15))], true),
            (P::Ok, G::Ok)
        );
        // Never moves, nobody commits: the consumer is gone.
        assert_eq!(
            status(&[(10, Some(5)), (20, Some(5)), (30, Some(5))], false),
            (P::Stop, G::Error)
        );
        // Never moves although commits keep coming: stuck.
        assert_eq!(
            status(&[(10, Some(5)), (20, Some(5)), (30, Some(5))], true),
            (P::Stall, G::Error)
        );
        // Went backwards.
        assert_eq!(
            status(&[(10, Some(8)), (20, Some(5)), (30, Some(9))], true),
            (P::Rewind, G::Error)
        );
        // Never committed: not rated.
        assert!(window(&[(10, None), (20, None), (30, None)], false)
            .evaluate()
            .is_none());
        // Not enough samples yet.
        let mut w = LagWindow::new(3);
        w.push(vec![], false);
        assert!(w.evaluate().is_none());
    }
}
