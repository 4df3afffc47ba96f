//! `WorkerPool`: the book's worker-pool design (course p.113), processing threads behind one
//! consumer.

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use super::emit::{EventSink, PolledRecord};

/// Processing threads fed by the polling thread (course p.113). Auto commit commits what
/// `poll` returned, so records still queued here when the process dies are lost.
pub(crate) struct WorkerPool {
    tx: Option<Sender<PolledRecord>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl WorkerPool {
    pub(crate) fn start(n: u32, delay_ms: u64, sink: &EventSink) -> WorkerPool {
        let (tx, rx) = std::sync::mpsc::channel::<PolledRecord>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let threads = (1..=n)
            .map(|i| {
                let rx = rx.clone();
                let sink = sink.for_thread(format!("pool-{i}"));
                std::thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .spawn(move || loop {
                        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(record) = next else { break };
                        if delay_ms > 0 {
                            std::thread::sleep(Duration::from_millis(delay_ms));
                        }
                        sink.emit(record.into_event());
                        sink.flush();
                    })
                    .expect("spawn pool thread")
            })
            .collect();
        WorkerPool {
            tx: Some(tx),
            threads,
        }
    }

    pub(crate) fn dispatch(&self, record: PolledRecord) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(record);
        }
    }

    /// Graceful stop: the queue is drained before the consumer closes.
    pub(crate) fn drain(&mut self) {
        self.tx.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
