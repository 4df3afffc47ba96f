//! The reducer fed by hand: events in, view out, no broker.

use super::*;
use crate::domain::event::{CommitKind, CommitReason, PartitionOffset};
use crate::domain::settings::ThreadGroups;

fn settings() -> ConsumerSettings {
    toml::from_str(
        r#"group = "test"
           commit_mode = "sync-batch""#,
    )
    .unwrap()
}

fn record(p: i32, o: i64) -> LabEvent {
    LabEvent::Record {
        partition: p,
        offset: o,
        key: None,
        value: o.to_string(),
    }
}

fn committed(p: i32, next: i64) -> LabEvent {
    LabEvent::CommitCompleted {
        commit_id: Some(1),
        mode: CommitKind::Sync,
        reason: CommitReason::Batch,
        offsets: vec![PartitionOffset {
            partition: p,
            offset: next,
        }],
        latency_ms: Some(1.0),
        error: None,
    }
}

fn produced(p: i32, o: i64) -> LabEvent {
    LabEvent::Produced {
        partition: p,
        offset: o,
        key: None,
        value: o.to_string(),
    }
}

fn subscribed() -> LabEvent {
    LabEvent::Subscribed {
        topic: "t".into(),
        group: Some("g".into()),
        commit_mode: settings().commit_mode,
        assigned_partition: None,
    }
}

fn state() -> RunState {
    RunState::new("test-r1", 2)
}

#[test]
fn a_consumer_goes_from_starting_to_running_to_closed() {
    let mut s = state();
    let c1 = s.add_consumer(settings());
    assert_eq!(c1, "c1");
    assert_eq!(s.consumer("c1").unwrap().status, ConsumerStatus::Starting);
    s.apply(Some("c1"), None, &LabEvent::Spawned { pid: 42 });
    s.apply(Some("c1"), None, &subscribed());
    s.apply(
        Some("c1"),
        None,
        &LabEvent::PartitionsAssigned {
            partitions: vec![0, 1],
        },
    );
    let c = s.consumer("c1").unwrap();
    assert_eq!((c.pid, c.status), (Some(42), ConsumerStatus::Running));
    assert_eq!(c.assigned.iter().copied().collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!(s.partitions()[1].owner.as_deref(), Some("c1"));
    s.apply(Some("c1"), None, &LabEvent::Wakeup);
    assert_eq!(s.live_consumers(), 1, "stopping is still live");
    s.apply(Some("c1"), None, &LabEvent::Closed);
    s.apply(
        Some("c1"),
        None,
        &LabEvent::Exited {
            code: Some(0),
            signal: None,
        },
    );
    let c = s.consumer("c1").unwrap();
    assert_eq!(
        c.status,
        ConsumerStatus::Closed,
        "closed stays closed on exit"
    );
    assert!(c.assigned.is_empty());
    assert_eq!(s.live_consumers(), 0);
}

#[test]
fn a_kill_then_a_restart_from_the_commit_counts_the_window_twice() {
    let mut s = state();
    s.add_consumer(settings());
    for o in 0..10 {
        s.apply(None, None, &produced(0, o));
    }
    assert_eq!((s.partitions()[0].log_end, s.partitions()[0].lag), (10, 10));
    for o in 0..4 {
        s.apply(Some("c1"), None, &record(0, o));
    }
    s.apply(Some("c1"), None, &committed(0, 4));
    for o in 4..7 {
        s.apply(Some("c1"), None, &record(0, o));
    }
    s.apply(Some("c1"), None, &LabEvent::Killed);
    s.apply(
        Some("c1"),
        None,
        &LabEvent::Exited {
            code: None,
            signal: Some(9),
        },
    );
    assert_eq!(s.consumer("c1").unwrap().status, ConsumerStatus::Killed);
    s.add_consumer(settings());
    for o in 4..10 {
        s.apply(Some("c2"), None, &record(0, o));
    }
    let ledger = s.ledger();
    assert_eq!((ledger.duplicates, ledger.lost), (3, 0));
    assert_eq!(ledger.partitions[0].duplicate_offsets, vec![4, 5, 6]);
    assert_eq!(s.consumer("c2").unwrap().processed, 6);
}

#[test]
fn a_revoke_clears_only_the_revoking_owner() {
    let mut s = state();
    s.add_consumer(settings());
    s.add_consumer(settings());
    let assign = |p| LabEvent::PartitionsAssigned {
        partitions: vec![p],
    };
    s.apply(Some("c1"), None, &assign(0));
    s.apply(Some("c2"), None, &assign(0));
    // c1's late revoke must not clear c2's ownership.
    s.apply(
        Some("c1"),
        None,
        &LabEvent::PartitionsRevoked {
            partitions: vec![0],
        },
    );
    assert_eq!(s.partitions()[0].owner.as_deref(), Some("c2"));
    // Partitions outside the topic are ignored, not a panic.
    s.apply(Some("c2"), None, &assign(7));
    s.apply(Some("c2"), None, &assign(-1));
}

#[test]
fn distinct_thread_groups_and_assigned_consumers_keep_their_own_ledgers() {
    let mut s = state();
    let mut distinct = settings();
    distinct.threads = 2;
    distinct.thread_groups = ThreadGroups::Distinct;
    s.add_consumer(distinct);
    let mut assigned = settings();
    assigned.assign_partition = Some(0);
    s.add_consumer(assigned);
    s.apply(Some("c1"), Some("t1"), &record(0, 0));
    s.apply(Some("c1"), Some("t2"), &record(0, 0));
    s.apply(Some("c2"), None, &record(0, 0));
    assert_eq!(
        s.ledger().duplicates,
        0,
        "each group reads every record once"
    );
    assert_eq!(
        s.group_of(Some("c1"), Some("t2")).as_deref(),
        Some("test-r1-t2")
    );
    assert_eq!(
        s.group_of(Some("c2"), None).as_deref(),
        Some("test-r1 (assign, c2)")
    );
    assert_eq!(s.group_of(None, None), None);
}

#[test]
fn checkpoints_are_reached_once() {
    let mut s = state();
    let checkpoints: Vec<Checkpoint> = vec![
        Checkpoint {
            id: "killed".into(),
            text: crate::i18n::Text::new("kill it", "강제 종료"),
            after: vec!["killed".into()],
            ..Default::default()
        },
        Checkpoint {
            id: "dup".into(),
            text: crate::i18n::Text::new("a duplicate", "중복"),
            min_duplicates: Some(1),
            ..Default::default()
        },
    ];
    s.add_consumer(settings());
    assert!(s.newly_reached(&checkpoints).is_empty());
    s.apply(Some("c1"), None, &LabEvent::Killed);
    let ids = |v: Vec<&Checkpoint>| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(s.newly_reached(&checkpoints)), vec!["killed"]);
    assert!(s.newly_reached(&checkpoints).is_empty(), "not twice");
    s.apply(Some("c1"), None, &record(1, 0));
    s.apply(Some("c1"), None, &record(1, 0));
    assert_eq!(ids(s.newly_reached(&checkpoints)), vec!["dup"]);
    assert!(s.is_reached("dup"));
}

fn range(p: i32, first: i64, last: i64) -> LabEvent {
    LabEvent::RecordRange {
        partition: p,
        first_offset: first,
        last_offset: last,
        key: None,
        value: last.to_string(),
    }
}

/// A range counts as its records: the consumer's processed count, the ledger and the
/// checkpoints' `record` fact.
#[test]
fn a_record_range_counts_each_of_its_offsets() {
    let mut s = state();
    let c1 = s.add_consumer(settings());
    s.apply(Some(&c1), None, &subscribed());
    s.apply(Some(&c1), None, &range(0, 0, 299));
    s.apply(Some(&c1), None, &record(0, 300));
    s.apply(Some(&c1), None, &committed(0, 150));
    // c1 dies; c2 reads again from the committed offset, as a range.
    let c2 = s.add_consumer(settings());
    s.apply(Some(&c2), None, &range(0, 150, 400));
    assert_eq!(s.consumer(&c1).unwrap().processed, 301);
    assert_eq!(s.consumer(&c2).unwrap().processed, 251);
    let totals = s.ledger_totals();
    assert_eq!(totals.processed, 552);
    assert_eq!(totals.duplicates, 151, "150..=300 processed twice");
    assert_eq!(totals.lost, 0);
    assert_eq!(s.ledger().partitions[0].duplicate_offsets.len(), 151);
    let waits_for_a_record = crate::domain::checkpoint::Checkpoint {
        id: "r".into(),
        after: vec!["record".into()],
        ..Default::default()
    };
    let mut only_ranges = state();
    let c = only_ranges.add_consumer(settings());
    only_ranges.apply(Some(&c), None, &range(1, 0, 9));
    assert_eq!(
        only_ranges
            .newly_reached(std::slice::from_ref(&waits_for_a_record))
            .len(),
        1
    );
}
