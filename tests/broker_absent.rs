//! An external cluster that cannot be reached at start (issue 16): the server starts anyway,
//! its pages answer, and a new run is refused with a message that names the broker.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_starts_without_its_broker_and_says_so() {
    // A port nothing listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut settings = test_settings();
    settings.bootstrap_servers = Some(format!("127.0.0.1:{port}"));
    let app = spawn_app_with(settings).await;
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.get("/labs/simple-consumer").await.status(), 200);
    let r = app
        .post("/api/runs", json!({"lab": "simple-consumer"}))
        .await;
    assert_eq!(r.status(), 502);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "broker", "{body}");
    assert!(!body["error"].as_str().unwrap().is_empty(), "{body}");
    app.shutdown().await;
}
