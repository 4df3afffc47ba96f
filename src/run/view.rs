//! What the API and `/metrics` read of a run: its view (state, ledger totals, checkpoints,
//! lag) and its gauges.

use serde::Serialize;

use super::state::{ConsumerView, PartitionView};
use super::LabRun;
use crate::domain::burrow::{EvaluatorConfig, LagReport};
use crate::domain::group;

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: String,
    pub lab: String,
    pub topic: String,
    pub group: String,
    /// The group for the trainee's own clients (see `domain::group::outside_group`).
    pub outside_group: String,
    pub bootstrap_servers: String,
    pub embedded_broker: bool,
    pub last_seq: u64,
    pub consumers: Vec<ConsumerView>,
    pub partitions: Vec<PartitionView>,
    pub duplicates: u64,
    pub lost: u64,
    pub checkpoints: Vec<CheckpointView>,
    /// Burrow's evaluation of the run's group (after its first commit).
    pub lag: Option<LagReport>,
    /// The background producer's rate (0: not running).
    pub producer_rate: u32,
    /// Burrow's settings for the run's group (the page draws its window with them).
    pub burrow: EvaluatorConfig,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    pub id: String,
    pub text: String,
    pub reached: bool,
}

/// A run's numbers for `/metrics`.
#[derive(Debug, Clone)]
pub struct RunGauges {
    /// Log-end and committed offset of each partition, for the run's group.
    pub partitions: Vec<PartitionView>,
    /// Worker processes still running.
    pub workers: usize,
    /// Event streams (SSE clients) open on the run.
    pub streams: usize,
    /// Events logged so far.
    pub events: u64,
}

impl LabRun {
    pub fn view(&self) -> RunView {
        self.check_checkpoints();
        let inner = self.lock();
        let state = &inner.state;
        let report = state.ledger_totals();
        RunView {
            id: self.id.clone(),
            lab: self.lab.lab.id.clone(),
            topic: self.topic.clone(),
            group: self.group.clone(),
            outside_group: group::outside_group(&self.group),
            bootstrap_servers: self.broker.bootstrap_servers().to_string(),
            embedded_broker: self.broker.is_embedded(),
            last_seq: inner.log.next_seq() - 1,
            consumers: state.consumers().cloned().collect(),
            partitions: state.partitions().to_vec(),
            duplicates: report.duplicates,
            lost: report.lost,
            checkpoints: self
                .lab
                .lab
                .checkpoints
                .iter()
                .map(|c| CheckpointView {
                    id: c.id.clone(),
                    text: c.text.en().to_string(),
                    reached: state.is_reached(&c.id),
                })
                .collect(),
            lag: inner.lag.clone(),
            producer_rate: self.producer_rate(),
            burrow: inner.burrow.cfg,
        }
    }

    /// What `/metrics` reads of the run, under one lock.
    pub fn gauges(&self) -> RunGauges {
        let inner = self.lock();
        RunGauges {
            partitions: inner.state.partitions().to_vec(),
            workers: inner.handles.len(),
            streams: inner.log.subscriber_count(),
            events: inner.log.next_seq() - 1,
        }
    }
}
