//! `EventLog`: a run's bounded, numbered event log and its live broadcast.
//!
//! Every event gets the next sequence number and is kept (up to a bound in events and one in
//! bytes) so a page that reconnects with `Last-Event-ID` gets exactly what it missed. When a
//! bound drops old events, or a live subscriber falls behind the broadcast, readers are told
//! with a [`Gap`].

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

impl LogEntry {
    /// What the entry costs in memory: its JSON, the entry itself and its `Arc` counts.
    pub fn footprint(&self) -> usize {
        self.json.len() + std::mem::size_of::<LogEntry>() + 2 * std::mem::size_of::<usize>()
    }
}

pub struct EventLog {
    entries: VecDeque<Arc<LogEntry>>,
    capacity: usize,
    /// At most this many bytes (`LogEntry::footprint`) are kept; the newest entry always is.
    max_bytes: usize,
    /// The footprint of `entries`.
    bytes: usize,
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
            max_bytes: usize::MAX,
            bytes: 0,
            next_seq: 1,
            live: broadcast::channel(live_buffer.max(1)).0,
        }
    }

    /// Also bounds the log in bytes: old entries are dropped (readers get a [`Gap`]) while
    /// the kept ones take more than `max_bytes`.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The memory the kept entries take (`LogEntry::footprint`, summed).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
        self.bytes += entry.footprint();
        self.entries.push_back(entry.clone());
        while self.entries.len() > self.capacity
            || (self.bytes > self.max_bytes && self.entries.len() > 1)
        {
            if let Some(dropped) = self.entries.pop_front() {
                self.bytes -= dropped.footprint();
            }
        }
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

    fn entry_of(len: usize) -> impl FnOnce(u64) -> String {
        move |seq| format!("{seq:>len$}")
    }

    #[test]
    fn the_byte_bound_drops_old_entries_and_readers_get_the_gap() {
        let per_entry = Arc::new(LogEntry {
            seq: 1,
            json: "x".repeat(1000).into(),
        })
        .footprint();
        // Room for three entries of 1000 bytes, far below the event bound.
        let mut log = EventLog::new(1_000, 8).with_max_bytes(3 * per_entry + 10);
        for _ in 0..10 {
            log.append(entry_of(1000));
        }
        assert_eq!(log.len(), 3);
        assert!(log.bytes() <= 3 * per_entry + 10, "{}", log.bytes());
        let r = log.since(0);
        assert_eq!(r.gap, Some(Gap { from: 1, to: 7 }));
        assert_eq!(
            r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![8, 9, 10]
        );
        // A reader that already had up to 8 misses nothing.
        let r = log.since(8);
        assert_eq!((r.gap, r.entries.len()), (None, 2));
        // Small entries fit many more to the same bytes.
        for _ in 0..20 {
            log.append(entry_of(10));
        }
        assert!(log.len() > 3);
        assert!(log.bytes() <= 3 * per_entry + 10);
    }

    #[test]
    fn an_entry_larger_than_the_bound_is_kept_alone() {
        let mut log = EventLog::new(100, 8).with_max_bytes(500);
        log.append(entry_of(10));
        log.append(entry_of(2_000));
        assert_eq!(log.len(), 1);
        let r = log.since(0);
        assert_eq!(r.gap, Some(Gap { from: 1, to: 1 }));
        assert_eq!(r.entries[0].seq, 2);
        log.append(entry_of(10));
        assert_eq!(log.since(0).entries[0].seq, 3);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever the entry sizes and bounds, the log holds its bounds, its byte count is
        /// exact, and any reader gets a gap and entries that together cover exactly what it
        /// asked for, in order.
        #[test]
        fn bounds_hold_and_readers_see_every_seq_once(
            sizes in proptest::collection::vec(0usize..3_000, 1..200),
            capacity in 1usize..50,
            max_bytes in 0usize..20_000,
            after in 0u64..250,
        ) {
            let mut log = EventLog::new(capacity, 4).with_max_bytes(max_bytes);
            for &len in &sizes {
                log.append(entry_of(len));
                proptest::prop_assert!(log.len() <= capacity);
                proptest::prop_assert!(log.bytes() <= max_bytes || log.len() == 1);
            }
            let kept: usize = log.since(0).entries.iter().map(|e| e.footprint()).sum();
            proptest::prop_assert_eq!(kept, log.bytes());
            let last = sizes.len() as u64;
            let r = log.since(after);
            let mut expected = after + 1;
            if let Some(gap) = r.gap {
                proptest::prop_assert_eq!(gap.from, after + 1);
                expected = gap.to + 1;
            }
            for e in &r.entries {
                proptest::prop_assert_eq!(e.seq, expected);
                expected += 1;
            }
            proptest::prop_assert_eq!(expected, (after + 1).max(last + 1));
        }
    }
}
