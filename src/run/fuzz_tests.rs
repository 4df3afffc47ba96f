//! Property tests of what a worker writes (issue 16, fuzzing): whatever line arrives —
//! garbage, a truncated event, or a real event with extreme or wrong-typed fields — recording
//! it never panics, the log gets valid JSON, and the run's views still answer.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use super::*;

/// One real line of every event type, as a worker would write it.
const TEMPLATES: &[&str] = &[
    r#"{"ts":1.0,"type":"produced","partition":0,"offset":5,"key":null,"value":"v"}"#,
    r#"{"ts":1.0,"type":"spawned","pid":123}"#,
    r#"{"ts":1.0,"type":"subscribed","topic":"t","group":null,"commit_mode":"auto","assigned_partition":null}"#,
    r#"{"ts":1.0,"type":"poll","count":3,"duration_ms":1.5}"#,
    r#"{"ts":1.0,"thread":"t1","type":"record","partition":0,"offset":5,"key":"k","value":"v"}"#,
    r#"{"ts":1.0,"thread":"t1","type":"record_range","partition":0,"first_offset":5,"last_offset":600,"key":"k","value":"v"}"#,
    r#"{"ts":1.0,"type":"sink_written","partition":0,"offset":5,"naive_rows":1,"idempotent_inserted":true}"#,
    r#"{"ts":1.0,"type":"commit_requested","commit_id":1,"mode":"sync","reason":"record","offsets":[{"partition":0,"offset":6}]}"#,
    r#"{"ts":1.0,"type":"commit_completed","commit_id":1,"mode":"sync","reason":"record","offsets":[{"partition":0,"offset":6}],"latency_ms":2.0,"error":null}"#,
    r#"{"ts":1.0,"type":"commit_completed","commit_id":null,"mode":"auto","reason":"auto","offsets":[{"partition":1,"offset":3}],"latency_ms":null,"error":"x"}"#,
    r#"{"ts":1.0,"type":"partitions_assigned","partitions":[0,1]}"#,
    r#"{"ts":1.0,"thread":"t0","type":"partitions_revoked","partitions":[0]}"#,
    r#"{"ts":1.0,"type":"rebalance_done","kind":"assign","duration_ms":3.0}"#,
    r#"{"ts":1.0,"type":"paused","processed":3,"held":1}"#,
    r#"{"ts":1.0,"type":"resumed"}"#,
    r#"{"ts":1.0,"type":"wakeup"}"#,
    r#"{"ts":1.0,"type":"closed"}"#,
    r#"{"ts":1.0,"type":"killed"}"#,
    r#"{"ts":1.0,"type":"exited","code":0,"signal":null}"#,
    r#"{"ts":1.0,"type":"offsets","partitions":[{"partition":0,"log_end":10,"committed":5,"lag":5}]}"#,
    r#"{"ts":1.0,"type":"client_metrics","records_lag_max":4,"fetch_rate":1.0,"fetch_size_avg":10.0,"records_consumed_rate":2.0,"partitions":[{"partition":0,"position_lag":1,"committed_lag":2,"prefetched":3}]}"#,
    r#"{"ts":1.0,"type":"offsets_reset","offsets":[{"partition":0,"offset":0}]}"#,
    r#"{"ts":1.0,"type":"producer_rate","rate_per_sec":5}"#,
    r#"{"ts":1.0,"type":"fault","description":{"en":"e","ko":"k"}}"#,
    r#"{"ts":1.0,"type":"checkpoint","id":"c","text":{"en":"e","ko":"k"}}"#,
    r#"{"ts":1.0,"type":"error","message":"m"}"#,
];

/// A JSON leaf a careless or broken worker might write where a field belongs.
fn weird_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            i64::MIN,
            i64::MAX,
            -1,
            0,
            1,
            2,
            3,
            99,
            i32::MAX as i64,
            i32::MIN as i64,
            u32::MAX as i64,
            (u32::MAX as i64) + 1,
        ])
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        prop::sample::select(vec![1e308, -1e308, 0.5, -0.0, 1e-300]).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "auto", "sync", "async", "record", "assign", "revoke", "error", "t0", "t1", "c1", "",
        ])
        .prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::collection::vec(
            prop::sample::select(vec![i64::MIN, -1, 0, 1, 2, 3, i64::MAX]).prop_map(Value::from),
            0..4
        )
        .prop_map(Value::Array),
        Just(serde_json::json!([{"partition": -1, "offset": i64::MAX}])),
        Just(
            serde_json::json!([{"partition": 0, "log_end": i64::MIN, "committed": i64::MAX, "lag": -5}])
        ),
    ]
}

/// Every leaf of `v` (object fields and array items), as JSON pointers.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        _ => {}
    }
    if !at.is_empty() {
        out.push(at);
    }
}

/// A template with some leaves replaced by weird ones, or some fields removed.
fn mutated_line() -> impl Strategy<Value = String> {
    (
        0..TEMPLATES.len(),
        prop::collection::vec((any::<prop::sample::Index>(), weird_leaf(), 0u8..8), 1..5),
    )
        .prop_map(|(t, edits)| {
            let mut v: Value = serde_json::from_str(TEMPLATES[t]).unwrap();
            for (at, leaf, how) in edits {
                let mut all = vec![];
                leaves(&v, String::new(), &mut all);
                if all.is_empty() {
                    break;
                }
                let pointer = all[at.index(all.len())].clone();
                if how == 0 {
                    // Remove the field (or array item).
                    let (parent, last) = pointer.rsplit_once('/').unwrap();
                    match v.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(last);
                        }
                        Some(Value::Array(a)) => {
                            let i: usize = last.parse().unwrap();
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                        _ => {}
                    }
                } else if let Some(slot) = v.pointer_mut(&pointer) {
                    *slot = leaf;
                }
            }
            v.to_string()
        })
}

/// Any line: mutated events, truncated events, and plain garbage.
fn worker_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => mutated_line(),
        1 => (0..TEMPLATES.len(), any::<prop::sample::Index>()).prop_map(|(t, cut)| {
            let line = TEMPLATES[t];
            line[..cut.index(line.len())].to_string()
        }),
        1 => any::<String>(),
        1 => "\\{[\"a-z_:0-9,\\[\\]{} .-]{0,60}\\}",
    ]
}

async fn test_run() -> (Arc<RunRegistry>, Arc<LabRun>) {
    let broker = Broker::embedded("127.0.0.1:0".parse().unwrap(), Arc::new(|| None))
        .await
        .expect("broker");
    let labs = crate::lab::LabCatalog::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labs"),
    )
    .expect("labs");
    let registry = RunRegistry::new(
        broker,
        RunSettings {
            worker_exe: PathBuf::from("/bin/false"),
            max_runs: 2,
            max_runs_per_session: 2,
            max_runs_per_address: 2,
            max_consumers_per_run: 4,
            max_produce_records: 100,
            max_producer_rate: 10,
            log_capacity: 500,
            log_max_bytes: 1 << 20,
            hung_after: Duration::from_secs(30),
            live_buffer: 16,
            idle_timeout: Duration::from_secs(3600),
            stop_grace: Duration::from_secs(1),
            sample_interval: Duration::from_secs(3600),
            fetch_wait_ms: None,
            data_dir: std::env::temp_dir().join("kafka-consumer-labs-fuzz"),
        },
        CancellationToken::new(),
        notice::NoticeSender(None),
    );
    let run = registry
        .create(
            labs.get("rebalance").expect("the rebalance lab"),
            &Default::default(),
            BURROW_CLASSROOM,
            &crate::classroom::SessionId::new(),
            None,
        )
        .await
        .expect("run");
    (registry, run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_worker_line_is_recorded_without_panic_and_the_views_answer() {
    let (_registry, run) = test_run().await;
    let cid = run.lock().state.add_consumer(run.defaults.clone());
    let mut runner = TestRunner::new(Config {
        cases: 4_000,
        failure_persistence: None,
        ..Config::default()
    });
    let case = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&worker_line(), |line| {
            let case = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            run.record_worker_line(&cid, &line);
            let (gap, last) = {
                let replay = run.replay(run.last_seq().saturating_sub(1));
                (replay.gap, replay.entries.last().cloned())
            };
            prop_assert!(gap.is_none());
            let last = last.expect("the line (or an error about it) was logged");
            let json: Result<Value, _> = serde_json::from_str(&last.json);
            prop_assert!(json.is_ok(), "not JSON: {}", last.json);
            prop_assert_eq!(&json.unwrap()["seq"], &Value::from(last.seq));
            run.check_checkpoints();
            // The views walk the ledger (every offset up to the last commit): not every case.
            if case.is_multiple_of(100) {
                let _ = (run.view(), run.gauges(), run.ledger());
            }
            let _ = (run.burrow_status("local", true), run.burrow_detail());
            Ok(())
        })
        .unwrap();
}
