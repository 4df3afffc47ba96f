//! What the server and a worker process say to each other besides events: the `WorkerSpec`
//! on the worker's command line and the `Control` lines on its stdin. (Events travel back on
//! stdout as `WorkerLine`s, see `event.rs`.)

use serde::{Deserialize, Serialize};

use super::settings::ConsumerSettings;

/// A consumer's full configuration: where it runs (run, topic, group) and how it behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerSpec {
    pub run_id: String,
    pub consumer_id: String,
    pub bootstrap_servers: String,
    pub topic: String,
    /// The group this consumer joins (the run's own, see `domain::group`).
    pub group_id: String,
    pub heartbeat_interval_ms: u64,
    pub consumer: ConsumerSettings,
    /// The run's sink directory (`<data>/runs/<run id>`), when the consumer writes sinks.
    #[serde(default)]
    pub sink_dir: Option<std::path::PathBuf>,
}

/// A command the server writes to a worker's stdin, one JSON object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Control {
    Pause,
    Resume,
    /// Process this many records, then pause again.
    Step {
        records: u64,
    },
    /// Process the rest of the current poll batch (or the next batch), then pause again.
    StepBatch,
    /// Stop as SIGTERM does (wakeup → final commit), but then wait for [`Control::Leave`]
    /// before `close()`: the server stops every member of a group this way, so that all of
    /// them commit before any of them leaves.
    StopAndHold,
    /// Every member has committed: leave the group now.
    Leave,
}
