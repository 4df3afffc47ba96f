//! The foundation: the simple-consumer lab end to end over HTTP + SSE, against the embedded
//! broker over TCP; lifecycle (stop, kill, restart), SSE resume, bad input, no leaked workers.

#[macro_use]
mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{json, Value};

/// Short session timeouts keep the embedded broker's rebalances (session − 1 s) quick.
fn fast() -> Value {
    json!({ "session_timeout_ms": 2000 })
}

async fn produced_records_arrive_after_polls() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    let delivered = app.produce(&run, &["1", "2", "3", "4"]).await;
    let c1 = app.start_consumer(&run, fast()).await;

    let evs = events
        .wait_until("four records", |evs| count(evs, "record", &c1) == 4)
        .await;
    let records: Vec<&Value> = evs.iter().filter(|e| of(e, "record", &c1)).collect();
    let values: BTreeSet<&str> = records
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, BTreeSet::from(["1", "2", "3", "4"]));
    let positions: BTreeSet<(i64, i64)> = records_of(&evs, &c1).into_iter().collect();
    assert_eq!(positions.len(), 4, "distinct (partition, offset)");
    assert_eq!(positions, delivered.into_iter().collect::<BTreeSet<_>>());
    // Every record is returned by a poll: the latest poll before it returned records.
    for record in &records {
        let poll = evs
            .iter()
            .rfind(|e| of(e, "poll", &c1) && seq(e) < seq(record))
            .unwrap_or_else(|| panic!("no poll before {record}"));
        assert!(
            poll["count"].as_u64().unwrap() >= 1,
            "{poll} before {record}"
        );
    }
    let view = app.run_view(&run).await;
    assert_eq!(view["consumers"][0]["processed"], 4);
    assert_eq!(view["consumers"][0]["status"], "running");
    let all = app.get_json("/api/runs").await;
    let listed = all["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == run.as_str())
        .expect("listed");
    assert_eq!(listed["consumers"][0]["processed"], 4);
    app.shutdown().await;
    assert!(
        worker_pids(&run).is_empty(),
        "workers left: {:?}",
        worker_pids(&run)
    );
}

async fn graceful_stop_is_wakeup_commit_close_exit_zero() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    app.produce(&run, &["1", "2", "3", "4"]).await;
    let c1 = app.start_consumer(&run, fast()).await;
    events
        .wait_until("four records", |evs| count(evs, "record", &c1) == 4)
        .await;
    let pid = app.run_view(&run).await["consumers"][0]["pid"]
        .as_u64()
        .unwrap() as u32;
    assert!(process_exists(pid));

    app.consumer_action(&run, &c1, "stop").await;
    let evs = events
        .wait_until("exit", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let at = |pred: &dyn Fn(&Value) -> bool, what: &str| {
        evs.iter()
            .position(pred)
            .unwrap_or_else(|| panic!("no {what} in\n{}", tail(&evs)))
    };
    let wakeup = at(&|e| of(e, "wakeup", &c1), "wakeup");
    let commit = at(
        &|e| of(e, "commit_completed", &c1) && e["reason"] == "shutdown",
        "shutdown commit",
    );
    let closed = at(&|e| of(e, "closed", &c1), "closed");
    let exited = at(&|e| of(e, "exited", &c1), "exited");
    assert!(
        wakeup < commit && commit < closed && closed < exited,
        "order\n{}",
        tail(&evs)
    );
    assert_eq!(evs[commit]["error"], Value::Null);
    assert_eq!(evs[exited]["code"], 0);
    assert!(!process_exists(pid), "worker {pid} still exists");
    let view = app.run_view(&run).await;
    assert_eq!(view["consumers"][0]["status"], "closed");
    app.shutdown().await;
}

async fn kill_leaves_no_process_and_restart_resumes_from_committed() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    app.produce(&run, &["1", "2", "3", "4"]).await;
    // Commit after each poll batch, so the committed offset is known when we kill.
    let opts = json!({ "session_timeout_ms": 2000, "commit_mode": "sync-batch" });
    let c1 = app.start_consumer(&run, opts.clone()).await;
    events
        .wait_until("four records committed", |evs| {
            count(evs, "record", &c1) == 4
                && evs
                    .iter()
                    .filter(|e| of(e, "commit_completed", &c1))
                    .map(|e| e["offsets"].as_array().unwrap().len())
                    .sum::<usize>()
                    >= 1
                && {
                    // every processed record is covered by a completed commit
                    let recs = records_of(evs, &c1);
                    recs.iter().all(|(p, o)| {
                        evs.iter()
                            .filter(|e| of(e, "commit_completed", &c1) && e["error"].is_null())
                            .any(|e| {
                                e["offsets"].as_array().unwrap().iter().any(|po| {
                                    po["partition"] == *p && po["offset"].as_i64().unwrap() > *o
                                })
                            })
                    })
                }
        })
        .await;
    let pid = app.run_view(&run).await["consumers"][0]["pid"]
        .as_u64()
        .unwrap() as u32;

    app.consumer_action(&run, &c1, "kill").await;
    let evs = events
        .wait_until("exit after kill", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let killed = evs
        .iter()
        .position(|e| of(e, "killed", &c1))
        .expect("killed");
    let exited = evs.iter().position(|e| of(e, "exited", &c1)).unwrap();
    assert!(killed < exited);
    assert_eq!(evs[exited]["signal"], 9);
    // No wakeup, no close: SIGKILL gives the consumer no chance.
    assert_eq!(count(&evs, "wakeup", &c1), 0);
    assert_eq!(count(&evs, "closed", &c1), 0);
    assert!(!process_exists(pid));
    assert_eq!(app.run_view(&run).await["consumers"][0]["status"], "killed");

    let more = app.produce(&run, &["5", "6"]).await;
    let c2 = app.start_consumer(&run, opts).await;
    let evs = events
        .wait_until("two new records", |evs| count(evs, "record", &c2) == 2)
        .await;
    // Everything c1 processed was committed: c2 starts exactly after it.
    let got: BTreeSet<(i64, i64)> = records_of(&evs, &c2).into_iter().collect();
    assert_eq!(got, more.into_iter().collect::<BTreeSet<_>>());
    let ledger = app.ledger(&run).await;
    assert_eq!(ledger["duplicates"], 0, "{ledger}");
    assert_eq!(ledger["lost"], 0, "{ledger}");
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn sse_resume_replays_exactly_the_missed_events() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let first = app.events(&run).await;
    app.produce(&run, &["1", "2", "3", "4"]).await;
    let c1 = app.start_consumer(&run, fast()).await;
    let evs = first
        .wait_until("four records", |evs| count(evs, "record", &c1) == 4)
        .await;
    let resume_after = seq(&evs[evs.len() / 2]);

    // A browser reconnecting sends Last-Event-ID; it must get every later event, in order.
    let url = app.url(&format!("/api/runs/{run}/events"));
    let resumed = EventStream::open(&app.client, &url, Some(resume_after)).await;
    app.produce(&run, &["5"]).await;
    let later = resumed
        .wait_until("record 5", |evs| {
            evs.iter()
                .any(|e| of(e, "record", &c1) && e["value"] == "5")
        })
        .await;
    let full = first
        .wait_until("record 5 on the first stream", |evs| {
            evs.iter()
                .any(|e| of(e, "record", &c1) && e["value"] == "5")
        })
        .await;
    let expected: Vec<&Value> = full
        .iter()
        .filter(|e| seq(e) > resume_after)
        .take(later.len())
        .collect();
    let later_refs: Vec<&Value> = later.iter().collect();
    assert_eq!(later_refs, expected);
    let seqs: Vec<u64> = later.iter().map(seq).collect();
    assert_eq!(
        seqs,
        (resume_after + 1..resume_after + 1 + later.len() as u64).collect::<Vec<_>>()
    );
    // SSE ids are the sequence numbers.
    assert!(resumed
        .all()
        .iter()
        .all(|r| r.name != "message" || r.id == r.data["seq"].as_u64()));

    // `?after=` works the same for scripts.
    let by_query =
        EventStream::open(&app.client, &format!("{url}?after={resume_after}"), None).await;
    let q = by_query.wait_until("replay", |evs| !evs.is_empty()).await;
    assert_eq!(seq(&q[0]), resume_after + 1);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_4xx() {
    let app = spawn_app().await;
    let expect = |r: reqwest::Response, status: u16, needle: &'static str| async move {
        let got = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(got, status, "{body}");
        assert!(body.contains(needle), "{needle:?} not in {body}");
    };
    expect(
        app.post("/api/runs", json!({"lab": "nope"})).await,
        404,
        "nope",
    )
    .await;
    expect(app.get("/api/runs/r0").await, 404, "r0").await;
    expect(app.get("/api/runs/r0/events").await, 404, "r0").await;
    expect(app.get("/api/nothing").await, 404, "no such API").await;
    expect(app.get("/labs/nope").await, 404, "nope").await;
    let malformed = app
        .client
        .post(app.url("/api/runs"))
        .body("{\"lab\": ")
        .send()
        .await
        .unwrap();
    expect(malformed, 400, "invalid JSON").await;
    expect(
        app.post("/api/runs", json!({"lab": "simple-consumer", "colour": 1}))
            .await,
        400,
        "colour",
    )
    .await;
    expect(
        app.post(
            "/api/runs",
            json!({"lab": "simple-consumer", "params": {"commit_mode": "sometimes"}}),
        )
        .await,
        400,
        "params.commit_mode",
    )
    .await;

    let run = app.create_run("simple-consumer").await;
    expect(
        app.post(
            &format!("/api/runs/{run}/consumers"),
            json!({"poll_timeout_ms": 5}),
        )
        .await,
        400,
        "poll_timeout_ms",
    )
    .await;
    expect(
        app.post(&format!("/api/runs/{run}/consumers"), json!({"threadz": 2}))
            .await,
        400,
        "threadz",
    )
    .await;
    expect(
        app.post(&format!("/api/runs/{run}/produce"), json!({"values": []}))
            .await,
        400,
        "values",
    )
    .await;
    expect(
        app.post(&format!("/api/runs/{run}/produce"), json!({"values": "1"}))
            .await,
        400,
        "values",
    )
    .await;
    expect(
        app.post(&format!("/api/runs/{run}/consumers/c9/kill"), json!({}))
            .await,
        404,
        "c9",
    )
    .await;
    expect(
        app.post(&format!("/api/runs/{run}/consumers/x/kill"), json!({}))
            .await,
        404,
        "x",
    )
    .await;
    let bad_id = app
        .client
        .get(app.url(&format!("/api/runs/{run}/events")))
        .header("Last-Event-ID", "abc")
        .send()
        .await
        .unwrap();
    expect(bad_id, 400, "Last-Event-ID").await;
    expect(
        app.get(&format!("/api/runs/{run}/events?after=999999"))
            .await,
        400,
        "ahead",
    )
    .await;
    expect(
        app.get(&format!("/api/runs/{run}/events?after=-1")).await,
        400,
        "after",
    )
    .await;

    let c1 = app.start_consumer(&run, fast()).await;
    expect(
        app.post(&format!("/api/runs/{run}/consumers/{c1}/launch"), json!({}))
            .await,
        404,
        "launch",
    )
    .await;
    expect(
        app.post(
            &format!("/api/runs/{run}/consumers/{c1}/step"),
            json!({"records": 0}),
        )
        .await,
        400,
        "records",
    )
    .await;
    // The simple lab runs one consumer at a time.
    expect(
        app.post(&format!("/api/runs/{run}/consumers"), json!({}))
            .await,
        429,
        "at most 1",
    )
    .await;
    let r = app
        .client
        .delete(app.url(&format!("/api/runs/{run}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        worker_pids(&run).is_empty(),
        "deleting a run stops its workers"
    );
    expect(app.get(&format!("/api/runs/{run}")).await, 404, "no run").await;
    app.shutdown().await;
}

#[tokio::test]
async fn broken_lab_file_refuses_start_naming_file_and_field() {
    let dir = std::env::temp_dir().join(format!("labs-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/labs/simple-consumer.toml"
    ))
    .unwrap();
    std::fs::write(
        dir.join("simple-consumer.toml"),
        good.replace("poll_timeout_ms = 1000", "poll_timeout_ms = 0"),
    )
    .unwrap();
    let mut settings = test_settings();
    settings.labs_dir = Some(dir.clone());
    let err = match kafka_consumer_labs::server::Server::start(settings).await {
        Ok(_) => panic!("a broken lab file must refuse to start"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("simple-consumer.toml"), "{err}");
    assert!(err.contains("consumer.poll_timeout_ms"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn server_shutdown_stops_workers_and_ends_streams() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    let c1 = app.start_consumer(&run, fast()).await;
    events
        .wait_for("subscribed", |e| of(e, "subscribed", &c1))
        .await;
    let pid = app.run_view(&run).await["consumers"][0]["pid"]
        .as_u64()
        .unwrap() as u32;
    app.shutdown().await;
    events.wait_end().await;
    assert!(
        events.all().iter().any(|r| r.name == "end"),
        "an explicit end event"
    );
    assert!(!process_exists(pid), "worker {pid} outlived the server");
    assert!(worker_pids(&run).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_is_not_compressed() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let r = app
        .client
        .get(app.url(&format!("/api/runs/{run}/events")))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert!(
        r.headers().get("content-encoding").is_none(),
        "SSE must not be compressed (buffered)"
    );
    drop(r);
    app.shutdown().await;
}

/// A client that is not the server — a separate process and a separate librdkafka client —
/// produces and consumes through the embedded broker's fixed address.
async fn external_clients_use_the_fixed_broker_address() {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let app = spawn_app().await;
    let server = app.server.as_ref().unwrap();
    if let Some(internal) = server.state.broker.internal_address() {
        assert_ne!(
            internal, app.bootstrap,
            "clients see the proxy, not the mock's random port"
        );
    }
    let run = app.create_run("simple-consumer").await;
    let topic = app.run_view(&run).await["topic"]
        .as_str()
        .unwrap()
        .to_string();
    let producer: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &app.bootstrap)
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::<str, str>::to(&topic).payload("from-outside"),
            std::time::Duration::from_secs(10),
        )
        .await
        .expect("external produce");

    // A second process: the worker binary itself, run by hand against the same address.
    let spec = json!({
        "run_id": "external-test", "consumer_id": "x1", "bootstrap_servers": app.bootstrap,
        "topic": topic, "group_id": "outside-group", "heartbeat_interval_ms": 500,
        // Everything else takes the lab-file defaults.
        "consumer": { "group": "outside", "commit_mode": "none", "poll_timeout_ms": 200, "session_timeout_ms": 2000 }
    });
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kafka-consumer-labs"))
        .args([
            "worker",
            "--run-id",
            "external-test",
            "--spec",
            &spec.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let found = tokio::time::timeout(DEADLINE, async {
        while let Ok(Some(line)) = lines.next_line().await {
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["type"] == "record" && v["value"] == "from-outside" {
                return true;
            }
        }
        false
    })
    .await
    .expect("the outside worker reads the record in time");
    assert!(found);
    // Closing its stdin is the server-gone signal: it shuts down cleanly.
    drop(child.stdin.take());
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    app.shutdown().await;
}

on_each_broker!(
    produced_records_arrive_after_polls,
    graceful_stop_is_wakeup_commit_close_exit_zero,
    kill_leaves_no_process_and_restart_resumes_from_committed,
    sse_resume_replays_exactly_the_missed_events,
    server_shutdown_stops_workers_and_ends_streams,
    external_clients_use_the_fixed_broker_address,
);

/// librdkafka client threads of this (test) process: the server's broker clients and group probes.
fn rdkafka_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with("rdk:"))
        })
        .count()
}

/// Waits (bounded) for a condition on this machine's processes or threads, which have no
/// event to wait on.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut probe = tokio::time::interval(std::time::Duration::from_millis(50));
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        probe.tick().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_runs_are_torn_down_with_their_workers() {
    let mut settings = test_settings();
    settings.idle_timeout_secs = 1;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    app.start_consumer(&run, fast()).await;
    eventually("the worker runs", || !worker_pids(&run).is_empty()).await;
    // Nobody touches the run now: no requests, no open page.
    eventually("the idle run's worker is stopped", || {
        worker_pids(&run).is_empty()
    })
    .await;
    // The run stays listed until its teardown has finished (its last events stay readable);
    // then it is gone. Nothing to subscribe to here: ask, bounded, until it answers 404.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut probe = tokio::time::interval(std::time::Duration::from_millis(50));
    loop {
        let status = app.get(&format!("/api/runs/{run}")).await.status();
        if status == 404 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle run is still listed ({status})"
        );
        probe.tick().await;
    }
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_runs_leave_no_threads_or_processes() {
    let app = spawn_app().await;
    let before = rdkafka_threads();
    let mut runs = vec![];
    for _ in 0..5 {
        let run = app.create_run("simple-consumer").await;
        let events = app.events(&run).await;
        let c = app.start_consumer(&run, fast()).await;
        events
            .wait_for("subscribed", |e| of(e, "subscribed", &c))
            .await;
        // The sampler's group probe exists once the first sample ran.
        events
            .wait_for("offsets sample", |e| is(e, "offsets"))
            .await;
        runs.push(run);
    }
    assert!(rdkafka_threads() > before, "each run has a group probe");
    for run in &runs {
        let r = app
            .client
            .delete(app.url(&format!("/api/runs/{run}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert!(
            worker_pids(run).is_empty(),
            "run {run}: workers stopped before DELETE answers"
        );
    }
    eventually("group probes closed", || rdkafka_threads() <= before).await;
    app.shutdown().await;
}

/// The log is bounded: a reader asking for events it no longer holds is told exactly which
/// range is gone, then gets the rest in order (never a silent gap).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_behind_the_bounded_log_gets_an_explicit_gap() {
    let mut settings = test_settings();
    settings.log_capacity = 10;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    let values: Vec<String> = (0..30).map(|i| i.to_string()).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    app.produce(&run, &refs).await;
    let last = app.run_view(&run).await["last_seq"].as_u64().unwrap();
    assert!(last >= 30);
    let stream = app.events(&run).await;
    // The sampler may log more events meanwhile; wait until the stream reached `last`.
    stream
        .wait_until("the kept tail", |evs| evs.iter().any(|e| seq(e) >= last))
        .await;
    let all = stream.all();
    assert_eq!(all[0].name, "gap");
    let (from, to) = (
        all[0].data["from"].as_u64().unwrap(),
        all[0].data["to"].as_u64().unwrap(),
    );
    assert_eq!(from, 1);
    // Then the 10 events the log still held, and whatever came after, without a hole.
    let kept: Vec<u64> = all[1..].iter().filter_map(|r| r.id).collect();
    assert!(kept.len() >= 10, "{kept:?}");
    assert_eq!(
        kept,
        (to + 1..to + 1 + kept.len() as u64).collect::<Vec<_>>()
    );
    assert!(
        to + 10 >= last,
        "the replay started with the log's 10 newest events"
    );
    app.shutdown().await;
}
