//! `EventLog`: a run's bounded, numbered event log and its live broadcast.
//!
//! Every event gets the next sequence number and is kept (up to a bound) so a page that
//! reconnects with `Last-Event-ID` gets exactly what it missed. When the bound drops old
//! events, or a live subscriber falls behind the broadcast, readers are told with a [`Gap`].

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::broadcast;

/// One stamped event, serialized once for every subscriber.
#[derive(Debug)]
pub struct LogEntry {
    pub seq: u64,
    pub json: Box<str>,
}

/// Events a reader asked for that are no longer in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// First missing sequence number.
    pub from: u64,
    /// Last missing sequence number.
    pub to: u64,
}

/// What a reader gets when it starts (or resumes) reading.
pub struct Replay {
    pub gap: Option<Gap>,
    pub entries: Vec<Arc<LogEntry>>,
}

pub struct EventLog {
    entries: VecDeque<Arc<LogEntry>>,
    capacity: usize,
    next_seq: u64,
    live: broadcast::Sender<Arc<LogEntry>>,
}

impl EventLog {
    /// `capacity` events are kept for replay; `live_buffer` is how far a live subscriber may
    /// fall behind before it must resync from the log.
    pub fn new(capacity: usize, live_buffer: usize) -> Self {
        EventLog {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
            next_seq: 1,
            live: broadcast::channel(live_buffer.max(1)).0,
        }
    }

    /// The sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Appends an event; `make_json` gets the event's sequence number.
    pub fn append(&mut self, make_json: impl FnOnce(u64) -> String) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Arc::new(LogEntry {
            seq,
            json: make_json(seq).into_boxed_str(),
        });
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry.clone());
        // No subscribers is fine: the log keeps the event for later readers.
        let _ = self.live.send(entry);
        seq
    }

    /// Everything after `after`, and a gap if some of it was dropped from the log.
    pub fn since(&self, after: u64) -> Replay {
        let first_kept = self.entries.front().map_or(self.next_seq, |e| e.seq);
        let gap = (after + 1 < first_kept).then(|| Gap {
            from: after + 1,
            to: first_kept - 1,
        });
        let skip = (after + 1).saturating_sub(first_kept) as usize;
        Replay {
            gap,
            entries: self.entries.iter().skip(skip).cloned().collect(),
        }
    }

    /// Subscribes to live events and returns what is already logged after `after`, atomically
    /// (the caller holds the lock around the log): nothing is missed or seen twice.
    pub fn subscribe_since(&self, after: u64) -> (Replay, broadcast::Receiver<Arc<LogEntry>>) {
        (self.since(after), self.live.subscribe())
    }

    pub fn subscriber_count(&self) -> usize {
        self.live.receiver_count()
    }
}

/// Something with an event log that readers can follow (a run, a watched group): what the SSE
/// stream needs of it.
pub trait EventSource: Send + Sync + 'static {
    /// The last sequence number logged so far.
    fn last_seq(&self) -> u64;
    /// Replay after `after` plus a live subscription, with nothing missed in between.
    fn subscribe(&self, after: u64) -> (Replay, tokio::sync::broadcast::Receiver<Arc<LogEntry>>);
    /// What the log still holds after `after` (to resync a reader that fell behind).
    fn replay(&self, after: u64) -> Replay;
    /// Cancelled when the source ends (its streams end too).
    fn cancelled(&self) -> tokio_util::sync::CancellationToken;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_and_gap() {
        let mut log = EventLog::new(3, 8);
        for _ in 0..5 {
            log.append(|seq| format!("{{\"seq\":{seq}}}"));
        }
        let r = log.since(0);
        assert_eq!(r.gap, Some(Gap { from: 1, to: 2 }));
        assert_eq!(
            r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        let r = log.since(3);
        assert_eq!(r.gap, None);
        assert_eq!(
            r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![4, 5]
        );
        assert!(log.since(5).entries.is_empty());
    }
}
