//! The run's group seen from outside, as Burrow sees it: broker samples and commits into
//! Burrow's windows, the evaluation (the `lag` event, `/v3` and `/metrics`), and the admin's
//! offset reset.

use super::{LabRun, RunError};
use crate::broker::BrokerError;
use crate::domain::burrow::{EvaluatorConfig, GroupStatus};
use crate::domain::event::{now_ms, LabEvent};
use crate::domain::lag::PartitionSample;
use crate::i18n::{Coded, ErrorCode};

/// Burrow's settings at the classroom's timescale: a window of 10 commits (Burrow's default)
/// and commits less than 1 s apart merged into one (Burrow's sample configuration).
pub const BURROW_CLASSROOM: EvaluatorConfig = EvaluatorConfig {
    intervals: 10,
    min_distance_ms: 1000,
    allowed_lag: 0,
    minimum_complete: 0.0,
};

impl LabRun {
    /// A broker-side sample from the sampler: feeds the lag window and logs a `lag` event
    /// when the evaluation changes.
    pub fn observe_sample(&self, sample: Vec<PartitionSample>) {
        let mut inner = self.lock();
        inner
            .burrow
            .broker_offsets(sample.iter().map(|p| (p.partition, p.log_end)));
        let Some(report) = inner.burrow.report(now_ms() as i64) else {
            return;
        };
        let changed = inner
            .lag
            .as_ref()
            .is_none_or(|last| !last.same_verdict(&report));
        inner.lag = Some(report.clone());
        drop(inner);
        if changed {
            self.record(None, LabEvent::Lag { report });
        }
    }

    /// Burrow's evaluation of the run's group now (`show_all`: every partition, as `/lag`).
    pub fn burrow_status(&self, cluster: &str, show_all: bool) -> GroupStatus {
        self.lock()
            .burrow
            .evaluate(cluster, &self.group, now_ms() as i64, show_all)
    }

    /// Resets the group's committed offsets to the start of every partition, from outside
    /// the group (as `kafka-consumer-groups.sh --reset-offsets --to-earliest`). Refused while
    /// a consumer of the run is live: a broker only takes it from an empty group.
    pub async fn reset_offsets_to_earliest(&self) -> Result<(), RunError> {
        let live = self.lock().state.live_consumers();
        if live > 0 {
            return Err(RunError::Conflict(Coded::new(
                ErrorCode::GroupActive,
                format!("stop the run's {live} consumer(s) first: offsets are reset while the group is empty"),
            )
            .with("live", live as u64)));
        }
        let (broker, topic, group) = (self.broker.clone(), self.topic.clone(), self.group.clone());
        let partitions = self.lab.lab.topic.partitions;
        let offsets: Vec<(i32, i64)> = (0..partitions).map(|p| (p, 0)).collect();
        let to_commit = offsets.clone();
        tokio::task::spawn_blocking(move || {
            broker.reset_group_offsets_blocking(&group, &topic, &to_commit)
        })
        .await
        .map_err(|e| RunError::Broker(BrokerError::Other(e.to_string())))??;
        // Burrow reads this commit like any other (it moves the offsets backwards).
        let mut inner = self.lock();
        inner
            .burrow
            .commit(offsets.iter().copied(), now_ms() as i64);
        drop(inner);
        self.record(
            None,
            LabEvent::OffsetsReset {
                offsets: offsets
                    .into_iter()
                    .map(
                        |(partition, offset)| crate::domain::event::PartitionOffset {
                            partition,
                            offset,
                        },
                    )
                    .collect(),
            },
        );
        Ok(())
    }

    /// Whether the run's group has committed (before that, Burrow does not know it).
    pub fn burrow_has_commits(&self) -> bool {
        self.lock().burrow.has_commits()
    }

    /// Burrow's consumer detail of the run's group, as JSON.
    pub fn burrow_detail(&self) -> serde_json::Value {
        serde_json::json!(self.lock().burrow.detail())
    }
}
