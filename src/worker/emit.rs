//! `EventSink`: writes a worker's events to stdout as JSON lines for the server to read.

use std::io::{BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::event::{now_ms, LabEvent, WorkerLine};

/// Buffered stdout shared by the poll loop and the consumer callbacks (same thread in practice,
/// so the lock is never contended). A failed write means the server is gone: we stop.
pub struct EventSink {
    out: Mutex<BufWriter<Stdout>>,
    thread: Option<String>,
    broken: AtomicBool,
}

impl EventSink {
    pub fn stdout(thread: Option<String>) -> Arc<Self> {
        Arc::new(EventSink {
            out: Mutex::new(BufWriter::with_capacity(64 * 1024, std::io::stdout())),
            thread,
            broken: AtomicBool::new(false),
        })
    }

    pub fn emit(&self, event: LabEvent) {
        let line = WorkerLine {
            ts: now_ms(),
            thread: self.thread.clone(),
            event,
        };
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let ok = serde_json::to_writer(&mut *out, &line).is_ok() && out.write_all(b"\n").is_ok();
        if !ok {
            self.broken.store(true, Ordering::Relaxed);
        }
    }

    /// Push buffered events to the server; called before anything that blocks.
    pub fn flush(&self) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        if out.flush().is_err() {
            self.broken.store(true, Ordering::Relaxed);
        }
    }

    /// True once the server stopped reading (its end of the pipe is closed).
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }
}
