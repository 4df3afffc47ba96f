//! Client mistakes get a 4xx with a JSON message (issue 16, finding 11): each case here was
//! answered as a server error, an empty body, plain text or the wrong resource before.

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

async fn client_mistakes_are_4xx_with_a_message() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;

    // A 300-character file name under /static/ was a 500 (the OS's "name too long").
    let r = app.get(&format!("/static/{}", "a".repeat(300))).await;
    assert_eq!(r.status(), 404);

    // A key over the limit was a 502 from the broker; now 400 naming the field.
    let r = app
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({ "values": ["v"], "keys": ["k".repeat(1001)] }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("key_too_long"), Some("keys")),
        "{body}"
    );

    // A body over axum's limit was a 400; it is a 413.
    let big = format!("{{\"values\": [\"{}\"]}}", "x".repeat(3 * 1024 * 1024));
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/runs/{run}/produce")))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "body_too_large", "{body}");

    // A wrong method had an empty body.
    let r = reqwest::Client::new()
        .put(app.url(&format!("/api/runs/{run}/produce")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed", "{body}");

    // Pages, `/metrics` and static files answered a wrong method with an empty 405 (the
    // fuzzer found `POST /`): now a page, or a line, that says so, and the `Allow` header.
    for (path, says) in [
        ("/", "GET"),
        ("/labs/simple-consumer", "GET"),
        ("/metrics", "GET"),
        ("/static/common.js", "GET"),
    ] {
        let r = reqwest::Client::new()
            .post(app.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{path}");
        assert!(r.headers().contains_key("allow"), "{path}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{path}: {text}");
    }

    // A missing static file was an empty 404.
    let r = reqwest::get(app.url("/static/no-such-file.js"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "no such file");

    // A repeated `after` was a plain-text 400.
    let r = app
        .get(&format!("/api/runs/{run}/events?after=1&after=2"))
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "duplicate_param", "{body}");

    // `c01` and `c+1` resolved to `c1`.
    let c1 = app.start_consumer(&run, json!({})).await;
    assert_eq!(c1, "c1");
    for alias in ["c01", "c+1"] {
        let r = app
            .post(
                &format!("/api/runs/{run}/consumers/{alias}/pause"),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 404, "{alias}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "no_consumer", "{alias}: {body}");
    }
    app.shutdown().await;
}

/// Finding 10: a restart right after a stop was refused (429 "stop or kill one first") until
/// the stopping worker exited; a stopping consumer no longer counts against the limit.
async fn restart_right_after_stop_is_accepted() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    let c1 = app.start_consumer(&run, json!({})).await;
    events
        .wait_for("c1 subscribed", |e| of(e, "subscribed", &c1))
        .await;
    app.consumer_action(&run, &c1, "stop").await;
    let r = app
        .post(&format!("/api/runs/{run}/consumers"), json!({}))
        .await;
    let status = r.status();
    assert_eq!(status, 201, "{}", r.text().await.unwrap());
    // The limit still holds for consumers that run.
    let r = app
        .post(&format!("/api/runs/{run}/consumers"), json!({}))
        .await;
    assert_eq!(r.status(), 429);
    app.shutdown().await;
}

on_each_broker!(
    client_mistakes_are_4xx_with_a_message,
    restart_right_after_stop_is_accepted,
);
