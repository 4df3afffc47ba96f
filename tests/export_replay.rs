//! Export: a run's event log as one JSON file (`GET /api/runs/{id}/export`) holds exactly what
//! an SSE reader got from the first event, in order, and the ledger the API reports.
//!
//! `LABS_WRITE_REPLAY_FIXTURE=<path>` also writes the export to that file: the replay page's
//! node tests read such a file (tests/js/fixtures/auto-commit-kill.json).

mod common;

use common::*;
use serde_json::{json, Value};

/// Auto commit with a timer that never fires in the test: c1 processes 11 records and pauses,
/// SIGKILL; the restart reprocesses those 11 (duplicates) and the rest, then stops gracefully
/// (`close()` commits).
async fn run_with_duplicates(app: &TestApp) -> (String, EventStream) {
    let run = app.create_run("auto-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 20).await;
    let c1 = app
        .start_consumer(
            &run,
            json!({ "session_timeout_ms": 2000, "auto_commit_interval_ms": 60000, "pause_after_records": 11 }),
        )
        .await;
    events
        .wait_until("c1 paused after 11", |evs| {
            count(evs, "paused", &c1) == 1 && count(evs, "record", &c1) == 11
        })
        .await;
    app.consumer_action(&run, &c1, "kill").await;
    events
        .wait_until("c1 exited", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let (c2, _) = app
        .start_and_read_through(
            &run,
            &events,
            json!({ "session_timeout_ms": 2000, "auto_commit_interval_ms": 60000 }),
            19,
        )
        .await;
    // A graceful stop: nothing changes the ledger after the worker exits.
    app.consumer_action(&run, &c2, "stop").await;
    events
        .wait_until("c2 exited", |evs| count(evs, "exited", &c2) == 1)
        .await;
    (run, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_holds_the_stream_and_the_ledger() {
    let app = spawn_app().await;
    let (run, events) = run_with_duplicates(&app).await;

    let response = app.get(&format!("/api/runs/{run}/export")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"auto-commit-{run}.json\"").as_str()
    );
    let text = response.text().await.unwrap();
    let export: Value = serde_json::from_str(&text).expect("the export is JSON");
    if let Some(path) = std::env::var_os("LABS_WRITE_REPLAY_FIXTURE") {
        let pretty = serde_json::to_string_pretty(&export).unwrap();
        std::fs::write(&path, pretty + "\n").expect("fixture written");
    }

    assert_eq!(export["format"], "kafka-consumer-labs/run");
    assert_eq!(export["version"], 1);
    assert!(export["exported_at_ms"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(export["lab"]["id"], "auto-commit");
    assert_eq!(export["lab"]["title"]["en"], "Auto commit");
    assert_eq!(export["lab"]["title"]["ko"], "자동 커밋");
    let view = app.run_view(&run).await;
    assert_eq!(export["run"]["id"], run.as_str());
    assert_eq!(export["run"]["topic"], view["topic"]);
    assert_eq!(export["run"]["group"], view["group"]);
    assert_eq!(export["run"]["partitions"], 1);
    assert_eq!(export["options"]["commit_mode"], "auto");
    assert_eq!(export["consumers"].as_array().unwrap().len(), 2);
    assert_eq!(export["consumers"][1]["id"], "c2");
    assert_eq!(export["consumers"][0]["config"]["pause_after_records"], 11);
    assert_eq!(export["first_seq"], 1);
    assert_eq!(export["complete"], true);

    // The exported events are what an SSE reader got from seq 1, in order, field for field.
    let exported = export["events"].as_array().unwrap().clone();
    let last = seq(exported.last().unwrap());
    let streamed = events
        .wait_until("the stream reaches the export's last event", |evs| {
            evs.last().is_some_and(|e| seq(e) >= last)
        })
        .await;
    assert_eq!(seq(&exported[0]), 1);
    assert_eq!(exported.len() as u64, last, "no seq missing");
    assert_eq!(&streamed[..exported.len()], &exported[..]);

    // The ledger as the API reports it: the run has been quiet since c2 exited.
    let ledger = app.ledger(&run).await;
    assert_eq!(export["ledger"], ledger);
    assert_eq!(ledger["duplicates"], 11, "{ledger}");
    assert_eq!(ledger["partitions"][0]["committed"], 20, "{ledger}");
    assert_eq!(ledger["lost"], 0, "{ledger}");

    // Another trainee cannot export it: the run is not theirs (as for its other routes).
    let other = app.another_trainee();
    let response = other.get(&format!("/api/runs/{run}/export")).await;
    assert_eq!(response.status(), 404);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_of_an_unknown_run_is_a_json_404() {
    let app = spawn_app().await;
    let response = app.get("/api/runs/nope/export").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("a JSON error");
    assert_eq!(body["code"], "no_run");
    assert_eq!(body["params"]["run"], "nope");
    app.shutdown().await;
}

/// `?view=watch` renders the same lab page, read-only (the flag for the script, the banner);
/// `/replay` carries every lab's definition for the file it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_view_and_the_replay_page_render() {
    let app = spawn_app().await;
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let r = app.get(path).await;
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };
    let watch = page("/labs/auto-commit?run=r1&view=watch&lang=en").await;
    assert!(watch.contains(r#"data-read-only="true""#));
    assert!(watch.contains(r#"class="read-only-banner""#));
    let normal = page("/labs/auto-commit?run=r1&lang=en").await;
    assert!(normal.contains(r#"data-read-only="false""#));
    assert!(!normal.contains("read-only-banner"));
    assert!(normal.contains(r#"data-el="export""#));
    assert!(normal.contains(r#"href="/replay""#));
    let replay = page("/replay?lang=ko").await;
    assert!(replay.contains(r#"id="labs-def""#));
    assert!(replay.contains(r#""auto-commit":{"#));
    assert!(replay.contains(r#"src="/static/replay/main.js""#));
    assert!(page("/").await.contains(r#"href="/replay""#));
    app.shutdown().await;
}
