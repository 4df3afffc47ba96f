//! The sinks lab: a consumer writes each payment to a CSV file and a SQLite database (naive and
//! idempotent), is killed between its writes and the batch's commit, and a new consumer writes
//! the window again. What is on disk is read back through the API and the downloads.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::*;
use kafka_consumer_labs::domain::sink::{Payment, SinkRow};
use serde_json::{json, Value};

const PAYMENTS: usize = 30;

fn payments() -> Vec<String> {
    (0..PAYMENTS as u64).map(Payment::sample).collect()
}

/// A data directory of the test's own (removed at the end of the test).
fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kcl-sinks-test-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn app_with_data(dir: &std::path::Path) -> TestApp {
    let mut settings = test_settings();
    settings.data_dir = dir.to_path_buf();
    spawn_app_with(settings).await
}

async fn download(app: &TestApp, run: &str, file: &str) -> reqwest::Response {
    app.get(&format!("/api/runs/{run}/sink/{file}")).await
}

fn csv_rows(bytes: &[u8]) -> Vec<SinkRow> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..3], ["topic", "partition", "offset"]);
    reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed CSV line");
            SinkRow::from_csv(&r.iter().collect::<Vec<_>>()).expect("a payment row")
        })
        .collect()
}

fn keys(rows: &[Value]) -> Vec<(i64, i64)> {
    rows.iter()
        .map(|r| {
            (
                r["partition"].as_i64().unwrap(),
                r["offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn kill_between_write_and_commit_doubles_only_the_naive_sink() {
    let dir = data_dir("kill");
    let app = app_with_data(&dir).await;
    let run = app.create_run("sinks").await;
    let events = app.events(&run).await;
    let values = payments();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    app.produce(&run, &refs).await;
    // Batches of 10, no delay, paused after 15 records: the second batch is written up to
    // its fifth record and not committed.
    let opts =
        json!({ "session_timeout_ms": 2000, "processing_delay_ms": 0, "pause_after_records": 15 });
    let c1 = app.start_consumer(&run, opts).await;
    events
        .wait_until("c1 paused mid-batch", |evs| count(evs, "paused", &c1) == 1)
        .await;
    let evs = events.lab_events();
    assert_eq!(count(&evs, "sink_written", &c1), 15, "one write per record");
    app.consumer_action(&run, &c1, "kill").await;
    events
        .wait_until("c1 exited", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let c2 = app
        .start_consumer(
            &run,
            json!({ "session_timeout_ms": 2000, "processing_delay_ms": 0 }),
        )
        .await;
    let evs = events
        .wait_until("c2 wrote through the last payment", |evs| {
            evs.iter()
                .any(|e| of(e, "sink_written", &c2) && e["offset"] == PAYMENTS as i64 - 1)
        })
        .await;
    let doubles: Vec<&Value> = evs
        .iter()
        .filter(|e| of(e, "sink_written", &c2) && e["naive_rows"] == 2)
        .collect();
    assert!(!doubles.is_empty(), "c2 wrote some of c1's window again");
    assert!(doubles.iter().all(|e| e["idempotent_inserted"] == false));

    let ledger = app.ledger(&run).await;
    let duplicates = ledger["duplicates"].as_u64().unwrap();
    assert_eq!(duplicates, doubles.len() as u64, "ledger: {ledger}");
    let sink = app.get_json(&format!("/api/runs/{run}/sink")).await;
    assert_eq!(sink["errors"], json!([]));
    let (naive, idem) = (&sink["naive"], &sink["idempotent"]);
    assert_eq!(naive["count"], PAYMENTS as u64 + duplicates, "{naive}");
    assert_eq!(naive["duplicates"], duplicates);
    assert_eq!(naive["records"], PAYMENTS as u64);
    assert_eq!(
        (idem["count"].as_u64(), idem["duplicates"].as_u64()),
        (Some(PAYMENTS as u64), Some(0))
    );
    // Every payment at least once in both; the doubles are the rows marked, written by c2.
    let naive_rows = naive["rows"].as_array().unwrap();
    let mut copies: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    for k in keys(naive_rows) {
        *copies.entry(k).or_default() += 1;
    }
    assert_eq!(copies.len(), PAYMENTS);
    for row in naive_rows.iter().filter(|r| r["duplicate"] == true) {
        assert_eq!(row["consumer"], c2.as_str(), "{row}");
        assert_eq!(row["copies"], 2);
    }
    assert_eq!(
        naive_rows.iter().filter(|r| r["duplicate"] == true).count() as u64,
        duplicates
    );
    let idem_rows = idem["rows"].as_array().unwrap();
    assert_eq!(
        keys(idem_rows),
        (0..PAYMENTS as i64).map(|o| (0, o)).collect::<Vec<_>>()
    );
    assert_eq!(idem_rows[17]["order_id"], "order-17");
    assert_eq!(idem_rows[17]["amount"], 9000);
    assert_eq!(sink["csv_naive"]["count"], naive["count"]);
    assert_eq!(sink["csv_naive"]["duplicates"], duplicates);
    assert_eq!(sink["csv_idempotent"]["count"], PAYMENTS as u64);
    assert_eq!(sink["csv_idempotent"]["duplicates"], 0);

    // The downloads: the CSV parses and matches the table row for row.
    let r = download(&app, &run, "payments.csv").await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("payments.csv"),
        "{disposition}"
    );
    let csv = csv_rows(&r.bytes().await.unwrap());
    let table: Vec<(i64, i64, String, String)> = naive_rows
        .iter()
        .map(|r| {
            (
                r["partition"].as_i64().unwrap(),
                r["offset"].as_i64().unwrap(),
                r["value"].as_str().unwrap().to_string(),
                r["consumer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let from_csv: Vec<(i64, i64, String, String)> = csv
        .iter()
        .map(|r| {
            (
                r.partition as i64,
                r.offset,
                r.value.clone(),
                r.consumer.clone(),
            )
        })
        .collect();
    assert_eq!(from_csv, table, "payments.csv holds the naive table's rows");
    let r = download(&app, &run, "payments_idempotent.csv").await;
    assert_eq!(r.status(), 200);
    let csv = csv_rows(&r.bytes().await.unwrap());
    assert_eq!(
        csv.iter()
            .map(|r| (r.partition as i64, r.offset))
            .collect::<Vec<_>>(),
        keys(idem_rows)
    );
    let r = download(&app, &run, "payments.sqlite").await;
    assert_eq!(r.status(), 200);
    let image = r.bytes().await.unwrap();
    let copy = dir.join("downloaded.sqlite");
    std::fs::write(&copy, &image).unwrap();
    let db = rusqlite::Connection::open(&copy).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM payments_naive", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as u64, PAYMENTS as u64 + duplicates);
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM payments_idempotent", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as usize, PAYMENTS);
    drop(db);
    for bad in [
        "payments.txt",
        "payments.sqlite-wal",
        "%2e%2e%2fetc%2fpasswd",
    ] {
        let r = download(&app, &run, bad).await;
        assert_eq!(r.status(), 404, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "no_sink_file");
    }

    let view = app.run_view(&run).await;
    let reached = reached_checkpoints(&view);
    for id in ["written", "double-charge", "idempotent-once"] {
        assert!(reached.contains(&id.to_string()), "{id} in {reached:?}");
    }

    // The run's files go with the run.
    let run_dir = dir.join("runs").join(&run);
    assert!(run_dir.join("payments.sqlite").is_file());
    let r = app
        .client
        .delete(app.url(&format!("/api/runs/{run}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        !run_dir.exists(),
        "{} deleted with the run",
        run_dir.display()
    );
    app.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn an_unwritable_sink_is_an_error_event_and_the_run_stays_usable() {
    let dir = data_dir("blocked");
    let app = app_with_data(&dir).await;
    let run = app.create_run("sinks").await;
    let events = app.events(&run).await;
    // A file where the run's directory should be: refused even to root.
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    let blocked = dir.join("runs").join(&run);
    std::fs::write(&blocked, b"not a directory").unwrap();
    app.produce(&run, &[&Payment::sample(1)]).await;
    let c1 = app
        .start_consumer(
            &run,
            json!({ "session_timeout_ms": 2000, "processing_delay_ms": 0 }),
        )
        .await;
    let error = events
        .wait_for("a sink error", |e| of(e, "error", &c1))
        .await;
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(&blocked.display().to_string()),
        "{message}"
    );
    assert!(message.contains("os error"), "{message}");
    events
        .wait_until("c1 paused on the error", |evs| {
            count(evs, "paused", &c1) == 1
        })
        .await;
    let evs = events.lab_events();
    assert_eq!(
        count(&evs, "record", &c1),
        0,
        "nothing counted as processed"
    );
    assert_eq!(count(&evs, "sink_written", &c1), 0);
    // The server answers; the sink reads as empty; the consumer can be stopped.
    let view = app.run_view(&run).await;
    assert_eq!(view["consumers"][0]["processed"], 0, "{view}");
    let sink = app.get_json(&format!("/api/runs/{run}/sink")).await;
    assert_eq!(sink["naive"]["count"], 0);
    assert_eq!(
        sink["errors"],
        json!([]),
        "nothing there is nothing to read"
    );
    let r = download(&app, &run, "payments.csv").await;
    assert_eq!(r.status(), 404);
    app.consumer_action(&run, &c1, "stop").await;
    events
        .wait_until("c1 exited", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let exited = events.wait_for("exit", |e| of(e, "exited", &c1)).await;
    assert_eq!(exited["code"], 0, "a clean exit: {exited}");
    // Other labs have no sink.
    let other = app.create_run("simple-consumer").await;
    let r = app.get(&format!("/api/runs/{other}/sink")).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "no_sink");
    app.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

on_each_broker!(
    kill_between_write_and_commit_doubles_only_the_naive_sink,
    an_unwritable_sink_is_an_error_event_and_the_run_stays_usable,
);
