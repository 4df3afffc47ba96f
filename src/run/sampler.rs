//! The offsets sampler: reads each run's log-end and committed offsets from the broker, and
//! logs an `offsets` event when they change (so the lanes show broker truth, including
//! records a trainee produced from a terminal).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::log::EventSource;
use super::LabRun;
use crate::broker::{Broker, GroupProbe};
use crate::domain::event::LabEvent;
use crate::domain::lag::PartitionSample;

pub fn spawn(run: Arc<LabRun>, broker: Broker, every: Duration) {
    let cancel = run.cancelled();
    tokio::spawn(async move {
        let probe: Arc<Mutex<Option<GroupProbe>>> = Arc::new(Mutex::new(None));
        let mut last: Option<Vec<PartitionSample>> = None;
        // Said once each time it changes: the broker could not be reached / is back.
        let mut reachable = true;
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = ticker.tick() => {}
            }
            run.check_checkpoints();
            let (broker, probe, run2) = (broker.clone(), probe.clone(), run.clone());
            // Watermarks and OffsetFetch block on the network: a blocking thread does them.
            let sample = tokio::task::spawn_blocking(move || {
                let partitions = run2.lab.lab.topic.partitions;
                let log_end = broker.log_end_offsets_blocking(&run2.topic, partitions)?;
                let mut probe = probe.lock().unwrap_or_else(|e| e.into_inner());
                if probe.is_none() {
                    *probe = Some(broker.group_probe(&run2.group)?);
                }
                let committed = match probe
                    .as_ref()
                    .expect("just set")
                    .committed_blocking(&run2.topic, partitions)
                {
                    Ok(c) => c,
                    Err(e) => {
                        // A probe that lost its coordinator (the broker went down) does not
                        // find it again: the next sample makes a new one.
                        drop(probe.take());
                        return Err(e);
                    }
                };
                Ok::<_, crate::broker::BrokerError>(
                    log_end
                        .into_iter()
                        .zip(committed)
                        .enumerate()
                        .map(|(p, (log_end, committed))| {
                            PartitionSample::new(p as i32, log_end, committed)
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .await;
            match sample {
                Ok(Ok(sample)) => {
                    if !reachable {
                        reachable = true;
                        run.record(
                            None,
                            LabEvent::Broker {
                                reachable,
                                detail: None,
                            },
                        );
                    }
                    run.observe_sample(sample.clone());
                    if last.as_ref() != Some(&sample) {
                        run.record(
                            None,
                            LabEvent::Offsets {
                                partitions: sample.clone(),
                            },
                        );
                        last = Some(sample);
                    }
                }
                Ok(Err(e)) => {
                    tracing::debug!(run = %run.id, error = %e, "offset sample failed");
                    if reachable {
                        reachable = false;
                        run.record(
                            None,
                            LabEvent::Broker {
                                reachable,
                                detail: Some(e.to_string()),
                            },
                        );
                    }
                }
                Err(e) => tracing::warn!(run = %run.id, error = %e, "offset sampler task failed"),
            }
        }
        // Dropping a group client blocks while it closes.
        tokio::task::spawn_blocking(move || drop(probe));
    });
}
