//! The fuzzed server: its fixtures (a run, a consumer and a watch owned by the fuzzing
//! session), the requests the fuzzer builds, the check every answer must pass, and the undo
//! that keeps cases from piling up runs, workers or faults.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};

use crate::common::*;

/// The server, a client that keeps cookies (its session owns the fixtures), a client without
/// (for requests that carry their own `Cookie`), and the ids that exist.
pub struct Target {
    pub base: String,
    pub client: reqwest::Client,
    pub anonymous: reqwest::Client,
    pub run: String,
    pub consumer: String,
    pub lab: String,
    pub watch: String,
}

/// One request as the fuzzer builds it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: reqwest::Method,
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<(Option<&'static str>, Vec<u8>)>,
}

impl Target {
    /// Sends `req`; fails the case on no answer, a 5xx, or an API rejection without a JSON
    /// message. Returns the status and the JSON body (Null when there is none or on SSE).
    pub async fn check(&self, req: &Req) -> Result<(u16, Value), TestCaseError> {
        // A request with its own `Cookie` must not replace the session's cookie in the store.
        let client = if req.headers.iter().any(|(name, _)| name == "cookie") {
            &self.anonymous
        } else {
            &self.client
        };
        let mut builder = client.request(req.method.clone(), format!("{}{}", self.base, req.path));
        for (name, value) in &req.headers {
            let Ok(value) = reqwest::header::HeaderValue::from_bytes(value) else {
                return Err(TestCaseError::reject("not a header value"));
            };
            builder = builder.header(name.as_str(), value);
        }
        if let Some((content_type, body)) = &req.body {
            if let Some(ct) = content_type {
                builder = builder.header("content-type", *ct);
            }
            builder = builder.body(body.clone());
        }
        let answer = builder.send().await;
        let answer = match answer {
            Ok(a) => a,
            Err(e) if e.is_builder() => return Err(TestCaseError::reject("not a request")),
            Err(e) => return Err(TestCaseError::fail(format!("{req:?}: no answer: {e:?}"))),
        };
        let status = answer.status().as_u16();
        // The path as sent: the client resolves `.` and `..` segments, also as `%2e`, so
        // `/api/%2e%2e` is a request for `/`.
        let sent_path = answer.url().path().to_string();
        let event_stream = answer
            .headers()
            .get("content-type")
            .is_some_and(|c| c.as_bytes().starts_with(b"text/event-stream"));
        if event_stream {
            prop_assert_eq!(status, 200);
            return Ok((status, Value::Null));
        }
        let text = answer
            .text()
            .await
            .map_err(|e| TestCaseError::fail(format!("{req:?}: body: {e}")))?;
        prop_assert!(status < 500, "{:?} → {}: {}", req, status, text);
        let api = sent_path.starts_with("/api/") || sent_path.starts_with("/v3/");
        // (A HEAD answer has no body by definition.)
        if status >= 400 && req.method != reqwest::Method::HEAD {
            prop_assert!(
                !text.trim().is_empty(),
                "{:?} ({}) → {}: an empty rejection",
                req,
                sent_path,
                status
            );
        }
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if api && status >= 400 && req.method != reqwest::Method::HEAD {
            let message = json["error"].as_str().or(json["message"].as_str());
            prop_assert!(
                message.is_some_and(|m| !m.is_empty()),
                "{:?} → {}: no JSON message: {}",
                req,
                status,
                text
            );
            if sent_path.starts_with("/api/") {
                prop_assert!(json["code"].is_string(), "{:?} → {}: {}", req, status, text);
            }
        }
        Ok((status, json))
    }

    /// Undoes what a successful case changed, so cases do not pile up runs, workers or faults.
    pub async fn undo(&self, req: &Req, status: u16, answer: &Value) {
        if !(200..300).contains(&status) || req.method != reqwest::Method::POST {
            return;
        }
        let path = req.path.split('?').next().unwrap_or("");
        let run_path = format!("/api/runs/{}", self.run);
        let delete = |p: String| self.client.delete(format!("{}{p}", self.base)).send();
        let post = |p: String, body: Value| {
            self.client
                .post(format!("{}{p}", self.base))
                .json(&body)
                .send()
        };
        if path == "/api/runs" {
            if let Some(id) = answer["id"].as_str() {
                let _ = delete(format!("/api/runs/{id}")).await;
            }
        } else if path == "/api/watch" && status == 201 {
            if let Some(id) = answer["id"].as_str() {
                let _ = delete(format!("/api/watch/{id}")).await;
            }
        } else if path == format!("{run_path}/consumers") {
            if let Some(id) = answer["id"].as_str() {
                let _ = post(format!("{run_path}/consumers/{id}/kill"), json!({})).await;
            }
        } else if path == format!("{run_path}/faults") {
            let _ = post(format!("{run_path}/faults"), json!({ "rtt_ms": 0 })).await;
        } else if path == format!("{run_path}/producer") {
            let _ = post(format!("{run_path}/producer"), json!({ "rate_per_sec": 0 })).await;
        }
    }
}

/// The path with each `{name}` filled: a real value where `real` says so, else a fuzzed one.
/// Real values are never deleted (the fixtures stay).
pub fn fill(target: &Target, method: &str, template: &str, segments: &[(bool, String)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    let mut i = 0;
    while let Some(open) = rest.find('{') {
        let close = rest.find('}').unwrap();
        let name = &rest[open + 1..close];
        let (real, fuzzed) = &segments[i % segments.len()];
        i += 1;
        let real_value = match name {
            "run" => Some(target.run.clone()),
            "consumer" => Some(target.consumer.clone()),
            "lab" => Some(target.lab.clone()),
            "watch" => Some(target.watch.clone()),
            "cluster" => Some("local".to_string()),
            "action" => Some("pause".to_string()),
            _ => None,
        };
        let value = match real_value {
            Some(v) if *real && method != "DELETE" => v,
            _ => fuzzed.clone(),
        };
        out.push_str(&rest[..open]);
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

pub async fn setup() -> (TestApp, Target) {
    let mut settings = test_settings();
    settings.max_runs = 20;
    let app = spawn_app_with(settings).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The fixtures belong to this client's session (runs are their session's own).
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}{path}", app.base))
            .json(&body)
            .send()
    };
    let answer = |r: reqwest::Result<reqwest::Response>| async move {
        let r = r.expect("answer");
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert!(status.is_success(), "{status}: {body}");
        body
    };
    let run = answer(post("/api/runs", json!({ "lab": "rebalance" })).await).await;
    let run = run["id"].as_str().expect("run id").to_string();
    let consumer = answer(post(&format!("/api/runs/{run}/consumers"), json!({})).await).await;
    let view = answer(
        client
            .get(format!("{}/api/runs/{run}", app.base))
            .send()
            .await,
    )
    .await;
    let watch = answer(
        post(
            "/api/watch",
            json!({ "group": "fuzz-group", "topic": view["topic"] }),
        )
        .await,
    )
    .await;
    let target = Target {
        base: app.base.clone(),
        client,
        anonymous: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        run,
        consumer: consumer["id"].as_str().expect("consumer id").to_string(),
        lab: "rebalance".to_string(),
        watch: watch["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{watch}"))
            .to_string(),
    };
    (app, target)
}
