//! What one client can make the server hold (issue 16, findings 5 and 7): a run's event log is
//! bounded in bytes as well as in events, record keys and values are capped, request bodies
//! are capped per route, and a half-sent request is cut off after a bounded time.

mod common;

use common::*;
use serde_json::{json, Value};

/// Finding 7: a full log of 10 kB values took 212 MiB per run. With a byte bound the log keeps
/// only the newest events that fit, and a reader from the start is told the exact gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_log_of_large_values_stays_within_its_byte_bound() {
    let mut settings = test_settings();
    let max_bytes = 200 * 1024;
    settings.log_max_bytes = max_bytes;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    let value = "v".repeat(9_000);
    for _ in 0..4 {
        let values = vec![value.as_str(); 25];
        app.produce(&run, &values).await;
    }
    // 100 produced events of ~9 kB: about 900 kB logged, far over the bound.
    let last = app.run_view(&run).await["last_seq"].as_u64().unwrap();
    assert!(last >= 100);
    let stream = app.events(&run).await;
    stream
        .wait_until("the kept tail", |evs| evs.iter().any(|e| seq(e) >= last))
        .await;
    let all = stream.all();
    assert_eq!(all[0].name, "gap", "{:?}", all[0]);
    let (from, to) = (
        all[0].data["from"].as_u64().unwrap(),
        all[0].data["to"].as_u64().unwrap(),
    );
    assert_eq!(from, 1);
    let kept: Vec<u64> = all[1..]
        .iter()
        .filter_map(|r| r.id)
        .filter(|&s| s <= last)
        .collect();
    assert_eq!(
        kept,
        (to + 1..=last).collect::<Vec<_>>(),
        "no hole after the gap"
    );
    // The kept events' JSON fits the bound (each event is about 9 kB: at most ~22 fit).
    let kept_bytes: usize = all[1..]
        .iter()
        .filter(|r| r.id.is_some_and(|s| s <= last))
        .map(|r| r.data.to_string().len())
        .sum();
    assert!(kept_bytes <= max_bytes, "{kept_bytes} bytes kept");
    assert!(kept.len() < 30, "{} events kept", kept.len());
    app.shutdown().await;
}

/// Keys and values are capped on produce, each refusal naming the field and the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_keys_and_values_are_capped() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let produce = format!("/api/runs/{run}/produce");
    let cases = [
        (
            json!({ "values": ["v".repeat(10_001)] }),
            "value_too_long",
            "values",
            10_000,
        ),
        (
            json!({ "values": ["v"], "keys": ["k".repeat(1_001)] }),
            "key_too_long",
            "keys",
            1_000,
        ),
    ];
    for (body, code, field, max) in cases {
        let r = app.post(&produce, body).await;
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["field"], field, "{body}");
        assert_eq!(body["params"]["max"], max, "{body}");
    }
    // At the limits, the records go through.
    let r = app
        .post(
            &produce,
            json!({ "values": ["v".repeat(10_000)], "keys": ["k".repeat(1_000)] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    app.shutdown().await;
}

/// Bodies are capped per route: the JSON control routes take a few fields (16 KiB), only
/// produce takes many records (2 MiB). Each 413 names the route's limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_capped_per_route() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let padding = "p".repeat(17 * 1024);
    for path in [
        "/api/runs".to_string(),
        format!("/api/runs/{run}/consumers"),
        format!("/api/runs/{run}/faults"),
        format!("/api/runs/{run}/producer"),
        format!("/api/runs/{run}/offsets"),
        format!("/api/runs/{run}/consumers/c1/stop"),
        "/api/watch".to_string(),
    ] {
        let r = app.post(&path, json!({ "padding": padding })).await;
        assert_eq!(r.status(), 413, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "body_too_large", "{path}: {body}");
        assert_eq!(body["params"]["max"], 16 * 1024, "{path}: {body}");
    }
    // Produce takes the same size (and more): 20 values of 9 kB is 180 kB.
    let values = vec!["v".repeat(9_000); 20];
    let r = app
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({ "values": values }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({ "values": ["v".repeat(3 * 1024 * 1024)] }),
        )
        .await;
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["params"]["max"], 2 * 1024 * 1024, "{body}");
    app.shutdown().await;
}

/// Reads from `stream` until the server closes it; the bytes read, or a failure if it is still
/// open after `within`.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> String {
    use tokio::io::AsyncReadExt;
    let mut got = vec![];
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let got = String::from_utf8_lossy(&got).into_owned();
    assert!(
        read.is_ok(),
        "still open after {within:?}; read so far: {got:?}"
    );
    got
}

fn host_of(app: &TestApp) -> String {
    app.url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// Finding 5: a client sending half a header, or half a body, held its connection (and the
/// shutdown) for as long as it liked. Now the header must arrive within the header timeout
/// (the connection is closed) and the body within the body timeout (408, then closed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_cut_off_in_bounded_time() {
    use tokio::io::AsyncWriteExt;
    let mut settings = test_settings();
    settings.header_timeout_ms = 300;
    settings.body_timeout_ms = 300;
    let app = spawn_app_with(settings).await;
    let addr = host_of(&app);
    // Generous: the bound is 300 ms; without a timeout the connection stays open for good.
    let within = std::time::Duration::from_secs(10);

    let mut header = tokio::net::TcpStream::connect(&addr).await.unwrap();
    header
        .write_all(b"GET /api/labs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        .await
        .unwrap();
    let answer = read_until_closed(&mut header, within).await;
    assert!(!answer.contains("200 OK"), "{answer}");

    let mut body = tokio::net::TcpStream::connect(&addr).await.unwrap();
    body.write_all(
        b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut body, within).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"body_timeout\""), "{answer}");

    // An idle connection that never sent a byte is closed too.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    read_until_closed(&mut idle, within).await;

    // And a half-sent header no longer holds the shutdown for its whole grace period.
    let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
    held.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let grace = kafka_consumer_labs::server::SHUTDOWN_GRACE;
    tokio::time::timeout(grace - std::time::Duration::from_secs(2), app.shutdown())
        .await
        .expect("the shutdown waited for the header timeout, not the grace period");
    drop(held);
}
