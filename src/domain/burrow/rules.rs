//! Burrow's evaluation (`caching.go`): the partition rules in Burrow's order, each rule on its
//! own, and the group roll-up.

use super::*;

/// Burrow's `calculatePartitionStatus`; the order of the rules matters.
pub fn partition_status(
    offsets: &[ConsumerOffset],
    broker: &[i64],
    current_lag: u64,
    now_ms: i64,
    allowed_lag: u64,
) -> (Status, Reason) {
    let lags = || offsets.iter().filter_map(|o| o.lag).collect::<Vec<u64>>();
    if current_lag <= allowed_lag {
        return (
            Status::Ok,
            Reason::LagWithinAllowed {
                current_lag,
                allowed_lag,
            },
        );
    }
    let (first, last) = match (offsets.first(), offsets.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => return (Status::Ok, Reason::NoCommits),
    };
    if offsets_stopped(offsets, now_ms) {
        if recent_lag_zero(offsets, broker) {
            // Falls through to the other rules, like Burrow; remembered in case none fires.
        } else {
            return (
                Status::Stop,
                Reason::Stopped {
                    since_last_commit_ms: now_ms - last.timestamp,
                    window_span_ms: last.timestamp - first.timestamp,
                },
            );
        }
    }
    if let Some(index) = rewind_index(offsets) {
        if !rewind_recovered(offsets, index) {
            return (
                Status::Rewind,
                Reason::Rewound {
                    index,
                    from: offsets[index - 1].offset,
                    to: offsets[index].offset,
                },
            );
        }
    }
    if lag_always_not_zero(offsets, allowed_lag) {
        if offsets_stalled(offsets) {
            return (
                Status::Stall,
                Reason::Stalled {
                    offset: last.offset,
                },
            );
        }
        if lag_not_decreasing(offsets) {
            return (Status::Warn, Reason::LagNotDecreasing { lags: lags() });
        }
    }
    if offsets_stopped(offsets, now_ms) {
        return (
            Status::Ok,
            Reason::RecentLagZero {
                last_offset: last.offset,
            },
        );
    }
    (Status::Ok, Reason::Keeping { lags: lags() })
}

/// `isLagAlwaysNotZero`: no commit's lag is at or below the allowed lag (unknown lags skipped).
pub fn lag_always_not_zero(offsets: &[ConsumerOffset], allowed_lag: u64) -> bool {
    !offsets
        .iter()
        .any(|o| o.lag.is_some_and(|lag| lag <= allowed_lag))
}

/// `checkIfOffsetsRewind`: the first index whose offset is below its predecessor's.
pub fn rewind_index(offsets: &[ConsumerOffset]) -> Option<usize> {
    (1..offsets.len()).find(|&i| offsets[i].offset < offsets[i - 1].offset)
}

/// `checkIfRewindRecovered`: a later commit is back at or above the offset before the rewind.
pub fn rewind_recovered(offsets: &[ConsumerOffset], index: usize) -> bool {
    let before = offsets[index - 1].offset;
    offsets[index..].iter().any(|o| o.offset >= before)
}

/// `checkIfOffsetsStopped`: the time since the newest commit exceeds the window's span.
pub fn offsets_stopped(offsets: &[ConsumerOffset], now_ms: i64) -> bool {
    match (offsets.first(), offsets.last()) {
        (Some(first), Some(last)) => now_ms - last.timestamp > last.timestamp - first.timestamp,
        _ => false,
    }
}

/// `checkIfOffsetsStalled`: every commit in the window has the same offset.
pub fn offsets_stalled(offsets: &[ConsumerOffset]) -> bool {
    offsets.windows(2).all(|w| w[0].offset == w[1].offset)
}

/// `checkIfLagNotDecreasing`: over the known lags, none is below the one before it.
pub fn lag_not_decreasing(offsets: &[ConsumerOffset]) -> bool {
    let lags: Vec<u64> = offsets.iter().filter_map(|o| o.lag).collect();
    lags.windows(2).all(|w| w[1] >= w[0])
}

/// `checkIfRecentLagZero`: some broker end offset in its window is at or below the newest commit.
pub fn recent_lag_zero(offsets: &[ConsumerOffset], broker: &[i64]) -> bool {
    offsets
        .last()
        .is_some_and(|last| broker.iter().any(|&end| end <= last.offset))
}

/// Burrow's `evaluateConsumerStatus`: the group's status is the worst partition's, with
/// STOP / STALL / REWIND reported as ERR; `complete` is the share of partitions whose ring is
/// full. `show_all` is `/lag` (every partition) versus `/status` (only those worse than OK).
pub fn evaluate_group(
    cluster: &str,
    group: &str,
    windows: &[PartitionWindow],
    now_ms: i64,
    cfg: &EvaluatorConfig,
    show_all: bool,
) -> GroupStatus {
    if windows.is_empty() {
        return GroupStatus {
            cluster: cluster.into(),
            group: group.into(),
            status: Status::Notfound,
            complete: 1.0,
            partitions: vec![],
            partition_count: 0,
            maxlag: None,
            totallag: 0,
        };
    }
    let evaluated: Vec<PartitionStatus> = windows.iter().map(|w| w.evaluate(now_ms, cfg)).collect();
    let complete_partitions = evaluated.iter().filter(|p| p.complete >= 1.0).count();
    let status = evaluated
        .iter()
        .map(|p| {
            if p.status > Status::Err {
                Status::Err
            } else {
                p.status
            }
        })
        .max()
        .unwrap_or(Status::Ok)
        .max(Status::Ok);
    let mut maxlag: Option<&PartitionStatus> = None;
    for p in &evaluated {
        if maxlag.is_none_or(|m| p.current_lag > m.current_lag) {
            maxlag = Some(p);
        }
    }
    GroupStatus {
        cluster: cluster.into(),
        group: group.into(),
        status,
        complete: complete_partitions as f32 / evaluated.len() as f32,
        partition_count: evaluated.len(),
        maxlag: maxlag.cloned(),
        totallag: evaluated.iter().map(|p| p.current_lag).sum(),
        partitions: evaluated
            .iter()
            .filter(|p| show_all || p.status > Status::Ok)
            .cloned()
            .collect(),
    }
}
