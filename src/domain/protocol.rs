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
    /// librdkafka's `fetch.wait.max.ms` for this consumer (see [`fetch_wait_max_ms`]).
    #[serde(default = "default_fetch_wait_max_ms")]
    pub fetch_wait_max_ms: u64,
}

fn default_fetch_wait_max_ms() -> u64 {
    EXTERNAL_FETCH_WAIT_MS
}

/// A real broker answers a waiting fetch as soon as a record arrives: the wait only bounds an
/// idle consumer's fetch rate.
pub const EXTERNAL_FETCH_WAIT_MS: u64 = 100;
/// The embedded mock broker holds an empty fetch for the whole wait, even when a record is
/// produced meanwhile (rdkafka_mock_handlers.c: "we should cut the wait short … too much of a
/// hassle"), so there the wait *is* the produce → poll latency: as short as the class allows.
pub const EMBEDDED_FETCH_WAIT_MIN_MS: u64 = 5;
/// Idle fetches per second the embedded broker should answer across all consumers: the wait
/// grows with the number of consumers so a full class does not spend the machine on them
/// (an idle fetch costs about 80 µs of CPU, broker, proxy and worker together: `benches/
/// classroom.rs`). The embedded broker's proxy raises every Fetch's wait to the class's as it
/// is now (`run::class_fetch_wait_ms`), so consumers started early in a class follow it too:
/// with 200 consumers, 4,000 empty fetches/s (the 50 ms cap) instead of the 8,792/s they
/// asked for when each kept the wait it started with.
pub const EMBEDDED_IDLE_FETCH_BUDGET: u64 = 2_000;

/// The longest wait on the embedded broker, however many consumers run: there the wait is a
/// record's delay to the consumer (up to the whole wait), so a class of 100 (200 consumers)
/// sees records within 50 ms.
pub const EMBEDDED_FETCH_WAIT_MAX_MS: u64 = 50;

/// `fetch.wait.max.ms` while `live_workers` consumers run: on the embedded broker
/// `live_workers × 1000 / budget` ms, between 5 and 50 ms (up to 10 consumers 5 ms, 50
/// consumers 25 ms, 100 or more 50 ms); on a real broker 100 ms.
pub fn fetch_wait_max_ms(embedded: bool, live_workers: usize) -> u64 {
    if !embedded {
        return EXTERNAL_FETCH_WAIT_MS;
    }
    (live_workers as u64 * 1000 / EMBEDDED_IDLE_FETCH_BUDGET)
        .clamp(EMBEDDED_FETCH_WAIT_MIN_MS, EMBEDDED_FETCH_WAIT_MAX_MS)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_wait_grows_with_the_class_on_the_embedded_broker_only() {
        assert_eq!(fetch_wait_max_ms(true, 0), 5);
        assert_eq!(fetch_wait_max_ms(true, 10), 5);
        assert_eq!(fetch_wait_max_ms(true, 20), 10);
        assert_eq!(fetch_wait_max_ms(true, 50), 25);
        assert_eq!(fetch_wait_max_ms(true, 100), 50);
        assert_eq!(fetch_wait_max_ms(true, 200), 50);
        assert_eq!(fetch_wait_max_ms(true, 10_000), 50);
        assert_eq!(fetch_wait_max_ms(false, 1), 100);
    }
}
