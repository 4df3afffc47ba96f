//! A watch's sampling task.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Watch;
use crate::broker::{Broker, BrokerError, GroupProbe};
use crate::domain::event::now_ms;
use crate::domain::lag::PartitionSample;
use crate::run::log::EventSource;

/// The watch's sampler: every `every`, the topic's partition count and log-end offsets and the
/// group's committed offsets, read on a blocking thread.
pub(super) fn spawn_sampler(watch: Arc<Watch>, broker: Broker, every: Duration) {
    let cancel = watch.cancelled();
    tokio::spawn(async move {
        let probe: Arc<Mutex<Option<GroupProbe>>> = Arc::new(Mutex::new(None));
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = ticker.tick() => {}
            }
            let (broker, probe, group, topic) = (
                broker.clone(),
                probe.clone(),
                watch.group.clone(),
                watch.topic.clone(),
            );
            let sample = tokio::task::spawn_blocking(move || {
                let Some(partitions) = broker.partition_count_blocking(&topic)? else {
                    return Err(BrokerError::Other(format!(
                        "the cluster no longer has topic {topic:?}"
                    )));
                };
                let log_end = broker.log_end_offsets_blocking(&topic, partitions)?;
                let mut probe = probe.lock().unwrap_or_else(|e| e.into_inner());
                if probe.is_none() {
                    *probe = Some(broker.group_probe(&group)?);
                }
                let committed = probe
                    .as_ref()
                    .expect("just set")
                    .committed_blocking(&topic, partitions)?;
                Ok(log_end
                    .into_iter()
                    .zip(committed)
                    .enumerate()
                    .map(|(p, (end, committed))| PartitionSample::new(p as i32, end, committed))
                    .collect::<Vec<_>>())
            })
            .await;
            if cancel.is_cancelled() {
                break;
            }
            match sample {
                Ok(Ok(sample)) => watch.observe(sample, now_ms() as i64),
                Ok(Err(e)) => {
                    tracing::debug!(watch = %watch.id, error = %e, "watch sample failed");
                    watch.observe_error(e.to_string());
                }
                Err(e) => tracing::warn!(watch = %watch.id, error = %e, "watch sampler failed"),
            }
        }
        // Dropping a group client blocks while it closes.
        tokio::task::spawn_blocking(move || drop(probe));
    });
}
