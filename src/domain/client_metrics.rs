//! The consumer's own view of its lag (the course's p.115–117): Java's `consumer.metrics()`
//! — `records-lag-max`, `fetch-rate`, `fetch-size-avg`, `records-consumed-rate` — derived from
//! librdkafka's statistics (`statistics.interval.ms`), which arrive as counters.
//!
//! Sources (librdkafka STATISTICS.md): position lag per partition = end − `app_offset`, with
//! end = `ls_offset` (librdkafka's default `isolation.level=read_committed`); committed lag =
//! `consumer_lag` (end − `committed_offset`); fetch requests = Σ brokers `req["Fetch"]`;
//! fetched bytes = `rxmsg_bytes`; records consumed = what `poll` handed to the application.
//! Rates need two snapshots; `records-lag-max` is a maximum over a window of snapshots, as
//! Java keeps it over its metrics sample window.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// One librdkafka statistics emit, reduced to what the metrics need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsSnapshot {
    /// librdkafka's monotonic `ts`, in microseconds.
    pub ts_us: i64,
    /// Σ brokers `req["Fetch"]`.
    pub fetch_requests: i64,
    /// `rxmsg_bytes`: message bytes fetched.
    pub fetched_bytes: i64,
    /// Records the application received from `poll` so far.
    pub delivered: u64,
    pub partitions: Vec<PartitionStats>,
}

/// One assigned partition in a statistics emit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PartitionStats {
    pub partition: i32,
    /// `ls_offset` (or `hi_offset`): the end the consumer reads up to.
    pub end: i64,
    /// `app_offset`: the last offset handed to the application + 1 (−1001 when none).
    pub app_offset: i64,
    /// `committed_offset` (−1001 when none).
    pub committed_offset: i64,
    /// `fetchq_cnt`: records prefetched and waiting for `poll`.
    pub fetchq_cnt: i64,
}

/// Lag of `offset` behind `end`, when the offset is a real one within the log (else `None`,
/// as librdkafka reports −1).
fn lag_behind(end: i64, offset: i64) -> Option<i64> {
    (offset >= 0 && offset <= end).then_some(end - offset)
}

/// One partition as the consumer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPartitionLag {
    pub partition: i32,
    /// End minus position (Java's `records-lag` of the partition).
    pub position_lag: Option<i64>,
    /// End minus committed offset (librdkafka's `consumer_lag`; what Burrow shows).
    pub committed_lag: Option<i64>,
    /// Prefetched records waiting in the client.
    pub prefetched: i64,
}

/// What Java's `consumer.metrics()` would say now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMetrics {
    /// `records-lag-max`: the largest position lag of any partition over the window.
    pub records_lag_max: Option<i64>,
    /// `fetch-rate`: fetch requests per second.
    pub fetch_rate: Option<f64>,
    /// `fetch-size-avg`: bytes per fetch request.
    pub fetch_size_avg: Option<f64>,
    /// `records-consumed-rate`: records per second handed to the application.
    pub records_consumed_rate: Option<f64>,
    pub partitions: Vec<ClientPartitionLag>,
}

/// The last snapshots of one consumer; each new one yields the metrics.
#[derive(Debug)]
pub struct MetricsWindow {
    snapshots: VecDeque<StatsSnapshot>,
    size: usize,
}

impl MetricsWindow {
    /// `size` snapshots for `records-lag-max` (Java: 2 samples of 30 s; the lab: 30 × 1 s).
    pub fn new(size: usize) -> Self {
        MetricsWindow {
            snapshots: VecDeque::new(),
            size: size.max(2),
        }
    }

    pub fn push(&mut self, snapshot: StatsSnapshot) -> ClientMetrics {
        if self.snapshots.len() == self.size {
            self.snapshots.pop_front();
        }
        self.snapshots.push_back(snapshot);
        self.metrics()
    }

    fn metrics(&self) -> ClientMetrics {
        let last = self.snapshots.back().expect("just pushed");
        let partitions: Vec<ClientPartitionLag> = last
            .partitions
            .iter()
            .map(|p| ClientPartitionLag {
                partition: p.partition,
                position_lag: lag_behind(p.end, p.app_offset),
                committed_lag: lag_behind(p.end, p.committed_offset),
                prefetched: p.fetchq_cnt,
            })
            .collect();
        let records_lag_max = self
            .snapshots
            .iter()
            .flat_map(|s| s.partitions.iter())
            .filter_map(|p| lag_behind(p.end, p.app_offset))
            .max();
        let prev = self.snapshots.iter().rev().nth(1);
        let (mut fetch_rate, mut fetch_size_avg, mut records_consumed_rate) = (None, None, None);
        if let Some(prev) = prev {
            let seconds = (last.ts_us - prev.ts_us) as f64 / 1e6;
            let fetches = (last.fetch_requests - prev.fetch_requests) as f64;
            if seconds > 0.0 {
                fetch_rate = Some(fetches / seconds);
                records_consumed_rate =
                    Some(last.delivered.saturating_sub(prev.delivered) as f64 / seconds);
            }
            if fetches > 0.0 {
                fetch_size_avg = Some((last.fetched_bytes - prev.fetched_bytes) as f64 / fetches);
            }
        }
        ClientMetrics {
            records_lag_max,
            fetch_rate,
            fetch_size_avg,
            records_consumed_rate,
            partitions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(
        ts_s: i64,
        fetches: i64,
        bytes: i64,
        delivered: u64,
        parts: &[(i32, i64, i64, i64)],
    ) -> StatsSnapshot {
        StatsSnapshot {
            ts_us: ts_s * 1_000_000,
            fetch_requests: fetches,
            fetched_bytes: bytes,
            delivered,
            partitions: parts
                .iter()
                .map(
                    |&(partition, end, app_offset, committed_offset)| PartitionStats {
                        partition,
                        end,
                        app_offset,
                        committed_offset,
                        fetchq_cnt: 0,
                    },
                )
                .collect(),
        }
    }

    #[test]
    fn rates_need_two_emits_and_lag_max_spans_the_window() {
        let mut w = MetricsWindow::new(3);
        let m = w.push(snap(
            1,
            10,
            1000,
            0,
            &[(0, 100, 40, 30), (1, 50, -1001, -1001)],
        ));
        assert_eq!(
            (m.fetch_rate, m.fetch_size_avg, m.records_consumed_rate),
            (None, None, None)
        );
        assert_eq!(m.records_lag_max, Some(60));
        assert_eq!(
            m.partitions[1],
            ClientPartitionLag {
                partition: 1,
                position_lag: None,
                committed_lag: None,
                prefetched: 0
            },
            "no position yet: unknown, as librdkafka's −1"
        );
        let m = w.push(snap(3, 14, 3000, 50, &[(0, 100, 90, 80)]));
        assert_eq!(m.fetch_rate, Some(2.0));
        assert_eq!(m.fetch_size_avg, Some(500.0));
        assert_eq!(m.records_consumed_rate, Some(25.0));
        assert_eq!(m.records_lag_max, Some(60), "the maximum over the window");
        assert_eq!(m.partitions[0].position_lag, Some(10));
        assert_eq!(m.partitions[0].committed_lag, Some(20));
        w.push(snap(4, 14, 3000, 50, &[(0, 100, 95, 80)]));
        let m = w.push(snap(5, 14, 3000, 50, &[(0, 100, 100, 100)]));
        assert_eq!(m.records_lag_max, Some(10), "the 60 left the window");
        assert_eq!(m.fetch_size_avg, None, "no fetch in the interval");
        assert_eq!(m.fetch_rate, Some(0.0));
    }
}
