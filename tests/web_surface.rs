//! The web surface (issue 16, finding 3): security headers on pages and API answers, no inline
//! script in any page, state-changing requests refused from another site, and only loopback
//! host names answered by a server that listens on loopback (DNS rebinding).

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

async fn pages_and_api_carry_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/labs/simple-consumer",
        "/watch",
        "/api/labs",
        "/static/common.js",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
    // No page has an inline script: every <script> has a src or is a JSON data island.
    for path in ["/", "/labs/wakeup-vs-kill", "/labs/consumer-lag", "/watch"] {
        let html = app.get(path).await.text().await.unwrap();
        for tag in html.split("<script").skip(1) {
            let head = &tag[..tag.find('>').unwrap()];
            assert!(
                head.contains("src=") || head.contains("type=\"application/json\""),
                "{path}: inline script <script{head}>"
            );
        }
        assert!(
            !html.contains(" style=\""),
            "{path}: an inline style attribute"
        );
    }
    app.shutdown().await;
}

async fn another_site_cannot_change_anything() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    // The attack of the finding: a cross-origin text/plain POST (a form or fetch on another site).
    let r = client
        .post(app.url("/api/runs"))
        .header("origin", "http://evil.example")
        .header("content-type", "text/plain")
        .body(r#"{"lab":"simple-consumer"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "cross_origin", "{body}");
    let r = client
        .post(app.url("/api/runs"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"lab": "simple-consumer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.get_json("/api/runs").await["count"],
        0,
        "no run was made"
    );
    // Our own page's requests (same origin) and scripts without an Origin still work.
    let host = app.url("").trim_end_matches('/').to_string();
    let r = client
        .post(app.url("/api/runs"))
        .header("origin", &host)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"lab": "simple-consumer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let run = app.create_run("simple-consumer").await;
    assert!(!run.is_empty());
    app.shutdown().await;
}

async fn a_loopback_server_answers_only_loopback_names() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let r = client
        .get(app.url("/api/labs"))
        .header("host", "rebound.evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "host_not_allowed", "{body}");
    let port = app
        .url("")
        .split(':')
        .nth(2)
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = client
            .get(app.url("/api/labs"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
    }
    app.shutdown().await;
}

on_each_broker!(
    pages_and_api_carry_the_security_headers,
    another_site_cannot_change_anything,
    a_loopback_server_answers_only_loopback_names,
);
