//! `EventSink`: writes a worker's events to stdout as JSON lines for the server to read.
//!
//! Processed records go out one `record` event each, or — when the poll loop says the
//! consumer is going faster than a trainee can watch (see `poll_loop::COALESCE_ABOVE_RECORDS`)
//! — coalesced: consecutive offsets of one partition, processed by one thread, become one
//! `record_range` event. A range waits here until something else is said: every other event
//! (from any thread) and every flush writes the waiting ranges first, so the order of events on
//! stdout stays the order in which things happened and no commit, rebalance, pause or exit is
//! ever reported before the records processed ahead of it.

use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::{text, Payload};
use crate::domain::event::{now_ms, LabEvent, WorkerLine};

/// A record as `poll` returned it: held until processed, then what its event says.
pub struct PolledRecord {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Payload>,
    pub value: Payload,
}

impl PolledRecord {
    /// Its `record` event.
    pub fn into_event(self) -> LabEvent {
        LabEvent::Record {
            partition: self.partition,
            offset: self.offset,
            key: self.key.as_deref().map(text),
            value: text(&self.value),
        }
    }
}

/// Consecutive offsets of one partition processed by one thread, not written yet.
struct PendingRange {
    thread: Option<String>,
    first: i64,
    /// The last record (the range's sample).
    last: PolledRecord,
}

impl PendingRange {
    /// Its event: a lone record stays a plain `record` (nothing of it is left out). Its time
    /// is when it is written: right after its last record, since a range waits only while
    /// its batch is processed without pause or delay (no clock read per record).
    fn into_line(self) -> WorkerLine {
        let event = if self.first == self.last.offset {
            self.last.into_event()
        } else {
            LabEvent::RecordRange {
                partition: self.last.partition,
                first_offset: self.first,
                last_offset: self.last.offset,
                key: self.last.key.as_deref().map(text),
                value: text(&self.last.value),
            }
        };
        WorkerLine {
            ts: now_ms(),
            thread: self.thread,
            event,
        }
    }
}

struct Out {
    writer: BufWriter<Box<dyn Write + Send>>,
    /// Ranges waiting to be written, at most one per thread, oldest first.
    pending: Vec<PendingRange>,
}

impl Out {
    /// Writes one line; false when stdout is gone.
    fn write(&mut self, line: &WorkerLine) -> bool {
        serde_json::to_writer(&mut self.writer, line).is_ok()
            && self.writer.write_all(b"\n").is_ok()
    }

    /// Writes every waiting range.
    fn write_pending(&mut self) -> bool {
        let mut ok = true;
        for range in std::mem::take(&mut self.pending) {
            ok &= self.write(&range.into_line());
        }
        ok
    }
}

/// The process's one stdout, shared by every thread so lines never interleave.
struct SharedOut {
    out: Mutex<Out>,
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
        Self::to_writer(Box::new(std::io::stdout()), thread)
    }

    /// A sink writing to `writer` instead of stdout (tests read what a worker would say).
    pub fn to_writer(writer: Box<dyn Write + Send>, thread: Option<String>) -> Arc<Self> {
        Arc::new(EventSink {
            shared: Arc::new(SharedOut {
                out: Mutex::new(Out {
                    writer: BufWriter::with_capacity(64 * 1024, writer),
                    pending: Vec::new(),
                }),
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

    fn out(&self) -> std::sync::MutexGuard<'_, Out> {
        self.shared.out.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check(&self, ok: bool) {
        if !ok {
            self.shared.broken.store(true, Ordering::Relaxed);
        }
    }

    /// Writes `event` (after the records waiting to be written).
    pub fn emit(&self, event: LabEvent) {
        let line = WorkerLine {
            ts: now_ms(),
            thread: self.thread.clone(),
            event,
        };
        let mut out = self.out();
        let ok = out.write_pending() && out.write(&line);
        self.check(ok);
    }

    /// One record processed. With `coalesce`, it joins this thread's waiting range when it is
    /// the next offset of the same partition (else the range is written and a new one begins);
    /// without, it is a `record` event of its own.
    pub fn record(&self, record: PolledRecord, coalesce: bool) {
        if !coalesce {
            self.emit(record.into_event());
            return;
        }
        let mut out = self.out();
        let mine = out.pending.iter().position(|r| r.thread == self.thread);
        if let Some(i) = mine {
            let range = &mut out.pending[i];
            if range.last.partition == record.partition
                && range.last.offset.checked_add(1) == Some(record.offset)
            {
                range.last = record;
                return;
            }
            let done = out.pending.remove(i);
            let ok = out.write(&done.into_line());
            self.check(ok);
        }
        out.pending.push(PendingRange {
            thread: self.thread.clone(),
            first: record.offset,
            last: record,
        });
    }

    /// Push buffered events (waiting ranges included) to the server; called before anything
    /// that blocks.
    pub fn flush(&self) {
        let mut out = self.out();
        let ok = out.write_pending() && out.writer.flush().is_ok();
        self.check(ok);
    }

    /// True once the server stopped reading (its end of the pipe is closed).
    pub fn is_broken(&self) -> bool {
        self.shared.broken.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;
