//! `EventSink`: writes a worker's events to stdout as JSON lines for the server to read.

use std::io::{BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::domain::event::{now_ms, LabEvent, WorkerLine};

/// The process's one stdout, shared by every thread so lines never interleave.
struct SharedOut {
    out: Mutex<BufWriter<Stdout>>,
    /// A failed write means the server is gone: every thread stops.
    broken: AtomicBool,
}

/// A thread's handle on stdout: events carry the thread's name (`t1`, `pool-2`, …).
/// Callbacks run on the polling thread, so the lock is rarely contended.
pub struct EventSink {
    shared: Arc<SharedOut>,
    thread: Option<String>,
}

impl EventSink {
    pub fn stdout(thread: Option<String>) -> Arc<Self> {
        Arc::new(EventSink {
            shared: Arc::new(SharedOut {
                out: Mutex::new(BufWriter::with_capacity(64 * 1024, std::io::stdout())),
                broken: AtomicBool::new(false),
            }),
            thread,
        })
    }

    /// A sink for another thread of the same process.
    pub fn for_thread(&self, thread: String) -> Arc<Self> {
        Arc::new(EventSink {
            shared: self.shared.clone(),
            thread: Some(thread),
        })
    }

    pub fn thread(&self) -> Option<&str> {
        self.thread.as_deref()
    }

    pub fn emit(&self, event: LabEvent) {
        let line = WorkerLine {
            ts: now_ms(),
            thread: self.thread.clone(),
            event,
        };
        let mut out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
        let ok = serde_json::to_writer(&mut *out, &line).is_ok() && out.write_all(b"\n").is_ok();
        if !ok {
            self.shared.broken.store(true, Ordering::Relaxed);
        }
    }

    /// Push buffered events to the server; called before anything that blocks.
    pub fn flush(&self) {
        let mut out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
        if out.flush().is_err() {
            self.shared.broken.store(true, Ordering::Relaxed);
        }
    }

    /// True once the server stopped reading (its end of the pipe is closed).
    pub fn is_broken(&self) -> bool {
        self.shared.broken.load(Ordering::Relaxed)
    }
}
