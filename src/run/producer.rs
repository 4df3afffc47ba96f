//! The run's background producer: keyless records at a steady rate until changed or the
//! run ends (the lag lab's "traffic").

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{LabRun, RunError};
use crate::domain::event::LabEvent;
use crate::i18n::{Coded, ErrorCode};

/// The background producer's default ceiling, records per second (`LABS_MAX_PRODUCER_RATE`).
pub const MAX_PRODUCER_RATE: u32 = 500;

impl LabRun {
    pub(super) fn producer_rate(&self) -> u32 {
        self.producer_rate.load(Ordering::Relaxed)
    }

    /// Starts, changes or (with 0) stops the run's background producer: `rate` keyless records
    /// per second, in batches every 100 ms, until the run ends.
    pub fn set_producer_rate(self: &Arc<Self>, rate: u32) -> Result<(), RunError> {
        let max = self.settings.max_producer_rate;
        if rate > max {
            return Err(RunError::OverLimit(
                "rate_per_sec",
                Coded::new(
                    ErrorCode::RateMax,
                    format!("{rate} is more than {max} (the producer's limit on this server)"),
                )
                .with("value", rate)
                .with("max", max),
            ));
        }
        let token = self.cancel.child_token();
        if let Some(old) = self.lock().producer.replace(token.clone()) {
            old.cancel();
        }
        self.producer_rate.store(rate, Ordering::Relaxed);
        self.record(None, LabEvent::ProducerRate { rate_per_sec: rate });
        if rate == 0 {
            token.cancel();
            return Ok(());
        }
        let run = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let (mut sent, started) = (0u64, Instant::now());
            loop {
                tokio::select! {
                    _ = token.cancelled() => break,
                    _ = tick.tick() => {}
                }
                // Keep the average exact: what should have been sent by now, minus what was.
                let due = (started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
                let values: Vec<(Option<String>, String)> =
                    (sent..due).map(|i| (None, format!("auto-{i}"))).collect();
                sent = due;
                if values.is_empty() {
                    continue;
                }
                if let Err(e) = run.produce(&values).await {
                    run.record(
                        None,
                        LabEvent::Error {
                            message: format!("background producer: {e}"),
                        },
                    );
                }
            }
        });
        Ok(())
    }
}
