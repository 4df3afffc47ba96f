//! What a worker says on stdout: records one by one at the course's pace, coalesced into
//! ranges above it, and never a range after the event that followed its records.

use std::io::Write;
use std::sync::{Arc, Mutex};

use super::*;
use crate::domain::event::{CommitKind, CommitReason, PartitionOffset};

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The lines written so far, parsed as the server parses them.
    fn lines(&self) -> Vec<WorkerLine> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn sink() -> (Arc<EventSink>, Captured) {
    let out = Captured::default();
    (EventSink::to_writer(Box::new(out.clone()), None), out)
}

fn rec(partition: i32, offset: i64) -> PolledRecord {
    PolledRecord {
        partition,
        offset,
        key: Some(format!("k{offset}").into_bytes().into()),
        value: format!("v{offset}").into_bytes().into(),
    }
}

fn range(partition: i32, first: i64, last: i64) -> LabEvent {
    LabEvent::RecordRange {
        partition,
        first_offset: first,
        last_offset: last,
        key: Some(format!("k{last}")),
        value: format!("v{last}"),
    }
}

fn record(partition: i32, offset: i64) -> LabEvent {
    LabEvent::Record {
        partition,
        offset,
        key: Some(format!("k{offset}")),
        value: format!("v{offset}"),
    }
}

fn events(out: &Captured) -> Vec<LabEvent> {
    out.lines().into_iter().map(|l| l.event).collect()
}

#[test]
fn without_coalescing_every_record_is_its_own_event() {
    let (sink, out) = sink();
    for o in 0..3 {
        sink.record(rec(0, o), false);
    }
    sink.flush();
    assert_eq!(events(&out), vec![record(0, 0), record(0, 1), record(0, 2)]);
}

#[test]
fn consecutive_offsets_of_a_partition_become_one_range_with_the_last_as_sample() {
    let (sink, out) = sink();
    for o in 10..20 {
        sink.record(rec(1, o), true);
    }
    // Another partition, then a gap: each ends the range before it.
    for o in 0..5 {
        sink.record(rec(2, o), true);
    }
    sink.record(rec(2, 7), true);
    sink.record(rec(2, 8), true);
    sink.flush();
    assert_eq!(
        events(&out),
        vec![range(1, 10, 19), range(2, 0, 4), range(2, 7, 8)]
    );
    let total: u64 = events(&out).iter().map(LabEvent::records_processed).sum();
    assert_eq!(total, 10 + 5 + 2);
}

#[test]
fn a_lone_coalesced_record_stays_a_record() {
    let (sink, out) = sink();
    sink.record(rec(0, 4), true);
    sink.record(rec(1, 9), true);
    sink.flush();
    assert_eq!(events(&out), vec![record(0, 4), record(1, 9)]);
}

/// A commit (or a pause, a rebalance, anything) is written after the records processed before
/// it, so the server's ledger has them before the commit covers them.
#[test]
fn any_other_event_writes_the_waiting_range_first() {
    let (sink, out) = sink();
    for o in 0..100 {
        sink.record(rec(0, o), true);
    }
    let commit = LabEvent::CommitRequested {
        commit_id: 1,
        mode: CommitKind::Sync,
        reason: CommitReason::Batch,
        offsets: vec![PartitionOffset {
            partition: 0,
            offset: 100,
        }],
    };
    sink.emit(commit.clone());
    for o in 100..150 {
        sink.record(rec(0, o), true);
    }
    sink.emit(LabEvent::Paused {
        processed: 150,
        held: 0,
    });
    // A step: one record at a time again.
    sink.record(rec(0, 150), false);
    sink.flush();
    assert_eq!(
        events(&out),
        vec![
            range(0, 0, 99),
            commit,
            range(0, 100, 149),
            LabEvent::Paused {
                processed: 150,
                held: 0
            },
            record(0, 150),
        ]
    );
}

#[test]
fn threads_keep_ranges_of_their_own_and_each_line_names_its_thread() {
    let (root, out) = sink();
    let t1 = root.for_thread("t1".into());
    let t2 = root.for_thread("t2".into());
    for o in 0..4 {
        t1.record(rec(0, o), true);
        t2.record(rec(1, o), true);
    }
    t2.emit(LabEvent::Wakeup);
    t1.flush();
    let lines = out.lines();
    let said: Vec<(Option<&str>, &LabEvent)> = lines
        .iter()
        .map(|l| (l.thread.as_deref(), &l.event))
        .collect();
    assert_eq!(
        said,
        vec![
            (Some("t1"), &range(0, 0, 3)),
            (Some("t2"), &range(1, 0, 3)),
            (Some("t2"), &LabEvent::Wakeup),
        ]
    );
}
