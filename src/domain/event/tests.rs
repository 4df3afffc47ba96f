use strum::VariantNames;

use super::*;
use crate::domain::burrow::{ConsumerOffset, LagPartition, Reason, Status};

#[test]
fn worker_line_round_trips_with_flat_type_tag() {
    let line = WorkerLine {
        ts: 1.5,
        thread: None,
        event: LabEvent::Record {
            partition: 2,
            offset: 7,
            key: None,
            value: "3".into(),
        },
    };
    let json = serde_json::to_string(&line).unwrap();
    assert!(json.contains(r#""type":"record""#), "{json}");
    let back: WorkerLine = serde_json::from_str(&json).unwrap();
    assert_eq!(back.event, line.event);
}

/// One event of every kind.
fn one_of_each() -> Vec<LabEvent> {
    let offsets = vec![PartitionOffset {
        partition: 0,
        offset: 1,
    }];
    vec![
        LabEvent::Produced {
            partition: 0,
            offset: 0,
            key: None,
            value: "1".into(),
        },
        LabEvent::Spawned { pid: 1 },
        LabEvent::Subscribed {
            topic: "t".into(),
            group: Some("g".into()),
            commit_mode: CommitMode::SyncBatch,
            assigned_partition: None,
        },
        LabEvent::Poll {
            count: 1,
            duration_ms: 1.0,
        },
        LabEvent::Record {
            partition: 0,
            offset: 0,
            key: None,
            value: "1".into(),
        },
        LabEvent::RecordRange {
            partition: 0,
            first_offset: 1,
            last_offset: 500,
            key: Some("k".into()),
            value: "500".into(),
        },
        LabEvent::SinkWritten {
            partition: 0,
            offset: 0,
            naive_rows: 2,
            idempotent_inserted: false,
        },
        LabEvent::CommitRequested {
            commit_id: 1,
            mode: CommitKind::Sync,
            reason: CommitReason::EveryN,
            offsets: offsets.clone(),
        },
        LabEvent::CommitCompleted {
            commit_id: Some(1),
            mode: CommitKind::Sync,
            reason: CommitReason::EveryN,
            offsets,
            latency_ms: Some(1.0),
            error: None,
        },
        LabEvent::PartitionsAssigned {
            partitions: vec![0],
        },
        LabEvent::PartitionsRevoked {
            partitions: vec![0],
        },
        LabEvent::RebalanceDone {
            kind: RebalanceKind::Revoke,
            duration_ms: 1.0,
        },
        LabEvent::Paused {
            processed: 1,
            held: 0,
        },
        LabEvent::Resumed,
        LabEvent::Wakeup,
        LabEvent::ReadyToLeave,
        LabEvent::Closed,
        LabEvent::Killed,
        LabEvent::Exited {
            code: Some(0),
            signal: None,
        },
        LabEvent::Offsets {
            partitions: vec![PartitionSample::new(0, 5, Some(2))],
        },
        LabEvent::Lag {
            report: LagReport {
                status: Status::Warn,
                complete: 0.5,
                totallag: 3,
                partitions: vec![LagPartition {
                    partition: 0,
                    status: Status::Warn,
                    current_lag: 3,
                    complete: 0.5,
                    reason: Reason::LagNotDecreasing { lags: vec![1, 3] },
                    window: vec![ConsumerOffset {
                        offset: 5,
                        timestamp: 1,
                        observed_at: 1,
                        lag: Some(1),
                    }],
                }],
            },
        },
        LabEvent::ClientMetrics {
            metrics: ClientMetrics {
                records_lag_max: Some(3),
                fetch_rate: Some(1.5),
                fetch_size_avg: None,
                records_consumed_rate: Some(10.0),
                partitions: vec![],
            },
        },
        LabEvent::OffsetsReset {
            offsets: vec![PartitionOffset {
                partition: 0,
                offset: 0,
            }],
        },
        LabEvent::ProducerRate { rate_per_sec: 1 },
        LabEvent::Fault {
            description: Text::new("x", "엑스"),
        },
        LabEvent::Broker {
            reachable: false,
            detail: Some("timed out".into()),
        },
        LabEvent::Checkpoint {
            id: "a".into(),
            text: Text::new("b", "비"),
        },
        LabEvent::Error {
            message: "m".into(),
        },
    ]
}

#[test]
fn each_kind_is_its_serde_tag_and_round_trips() {
    let events = one_of_each();
    let kinds: Vec<&str> = events.iter().map(LabEvent::kind).collect();
    assert_eq!(
        kinds,
        LabEvent::VARIANTS,
        "one_of_each lists every variant in order"
    );
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], event.kind(), "{json}");
        let back: LabEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn records_processed_counts_a_range_by_its_offsets() {
    let range = |first_offset, last_offset| LabEvent::RecordRange {
        partition: 0,
        first_offset,
        last_offset,
        key: None,
        value: String::new(),
    };
    assert_eq!(range(1, 500).records_processed(), 500);
    assert_eq!(range(7, 7).records_processed(), 1);
    assert_eq!(range(8, 7).records_processed(), 0, "backwards: nothing");
    assert_eq!(range(i64::MIN, i64::MAX).records_processed(), u64::MAX);
    assert_eq!(LabEvent::Wakeup.records_processed(), 0);
    let json = serde_json::to_string(&range(3, 4)).unwrap();
    assert_eq!(
        json,
        r#"{"type":"record_range","partition":0,"first_offset":3,"last_offset":4,"key":null,"value":""}"#
    );
}

#[test]
fn enum_values_travel_as_the_course_words() {
    let json = |v: serde_json::Value| v.to_string();
    assert_eq!(
        json(serde_json::json!(CommitReason::EveryN)),
        r#""every-n""#
    );
    assert_eq!(
        json(serde_json::json!(RebalanceKind::Revoke)),
        r#""revoke""#
    );
    assert_eq!(
        json(serde_json::json!(CommitMode::AutoNaive)),
        r#""auto-naive""#
    );
}

/// The page's copy of the tag list (`static/lab/event-kinds.js`) is generated from the
/// enum; `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds` rewrites it.
#[test]
fn event_kinds_js_is_generated_from_the_enum() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/lab/event-kinds.js");
    let mut want = String::from(
        "// Generated from `LabEvent` (src/domain/event.rs); `cargo test` fails when it is out of date\n\
         // and `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds` rewrites it. Do not edit by hand.\n\
         export const EVENT_KINDS = Object.freeze([\n",
    );
    for kind in LabEvent::VARIANTS {
        want.push_str(&format!("  '{kind}',\n"));
    }
    want.push_str("]);\n");
    if std::env::var_os("UPDATE_EVENT_KINDS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have,
        want,
        "{} is out of date: run `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds`",
        path.display()
    );
}
