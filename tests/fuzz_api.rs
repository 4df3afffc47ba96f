//! Property tests of the whole web surface over HTTP (issue 16, fuzzing): generated bodies for
//! every route that takes one, generated path segments for every route, generated query
//! parameters and `Last-Event-ID`, and generated `Cookie` / `Accept-Language` on the pages —
//! against one real server. Every answer is below 500, no request goes unanswered (a panic
//! drops the connection), and every API rejection is a 4xx with a JSON message.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use strategies::*;
use target::*;

#[path = "fuzz_api/strategies.rs"]
mod strategies;
#[path = "fuzz_api/target.rs"]
mod target;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })
}

/// Answers by status class (2xx, 3xx, 4xx), over every property.
type Tally = std::sync::Mutex<std::collections::BTreeMap<u16, u32>>;

/// Runs `cases` generated requests through `check` (and `undo`), on `rt`.
fn fuzz<S: Strategy>(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    tally: &Tally,
    cases: u32,
    strategy: S,
    to_request: impl Fn(&Target, S::Value) -> Req,
) -> u32 {
    let sent = std::sync::atomic::AtomicU32::new(0);
    runner(cases)
        .run(&strategy, |input| {
            let req = to_request(target, input);
            rt.block_on(async {
                let (status, answer) = target.check(&req).await?;
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                *tally.lock().unwrap().entry(status / 100 * 100).or_default() += 1;
                target.undo(&req, status, &answer).await;
                Ok(())
            })
        })
        .unwrap();
    sent.into_inner()
}

#[test]
fn the_web_surface_answers_generated_requests_with_4xx_json_never_5xx() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, target) = rt.block_on(setup());
    let body_routes: Vec<(&str, &str)> = ROUTES
        .iter()
        .filter(|(m, _)| *m == "POST" || *m == "PUT")
        .copied()
        .collect();
    let mut sent = 0;
    let tally = Tally::default();

    // Bodies, for every route that takes one (on the real run and consumer; an unknown
    // trainee).
    sent += fuzz(
        &rt,
        &target,
        &tally,
        1_200,
        (
            prop::sample::select(body_routes),
            content_type(),
            body_bytes(),
        ),
        |t, ((method, template), content_type, body)| Req {
            method: method.parse().unwrap(),
            path: fill(t, method, template, &[(true, String::new())]),
            headers: vec![],
            body: Some((content_type, body)),
        },
    );

    // Path segments, on every route, with the route's method or another.
    let method = prop_oneof![
        3 => Just(None),
        1 => prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"])
            .prop_map(Some),
    ];
    sent += fuzz(
        &rt,
        &target,
        &tally,
        800,
        (
            prop::sample::select(ROUTES),
            method,
            prop::collection::vec((any::<bool>(), segment()), 1..4),
        ),
        |t, ((route_method, template), method, segments)| {
            let method = method.unwrap_or(route_method);
            Req {
                method: method.parse().unwrap(),
                path: fill(t, method, template, &segments),
                headers: vec![],
                body: matches!(method, "POST" | "PUT")
                    .then(|| (Some("application/json"), b"{}".to_vec())),
            }
        },
    );

    // Query parameters and `Last-Event-ID` on the event streams; queries on the pages.
    let id_value = prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "1e3",
            " 7 ",
            "",
            "0x10",
            "+5",
            "99999999999999999999999",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ];
    let header_value = prop_oneof![
        id_value.clone().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..20),
    ];
    sent += fuzz(
        &rt,
        &target,
        &tally,
        600,
        (
            prop::sample::select(vec![
                "/api/runs/{run}/events",
                "/api/watch/{watch}/events",
                "/watch",
                "/labs/{lab}",
                "/",
                "/v3/kafka/{cluster}/consumer/{group}/lag",
            ]),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["after", "lang", "group", "topic", "x", ""]),
                    id_value,
                ),
                0..4,
            ),
            prop::option::of(header_value),
        ),
        |t, (template, query, last_event_id)| {
            let query: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v.as_bytes())))
                .collect();
            let path = fill(t, "GET", template, &[(true, "fuzz-group".to_string())]);
            Req {
                method: reqwest::Method::GET,
                path: format!("{path}?{}", query.join("&")),
                headers: last_event_id
                    .map(|v| vec![("last-event-id".to_string(), v)])
                    .unwrap_or_default(),
                body: None,
            }
        },
    );

    // `Cookie` and `Accept-Language` on the pages and the API.
    let header_text = prop_oneof![
        any::<String>().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..40),
        "(lang=[a-z\"]{0,4}; ?){0,3}".prop_map(String::into_bytes),
        "([a-zA-Z*_-]{0,6}(;q=[0-9.a-z-]{0,5})?, ?){0,4}".prop_map(String::into_bytes),
    ];
    sent += fuzz(
        &rt,
        &target,
        &tally,
        400,
        (
            prop::sample::select(vec![
                "/",
                "/labs/{lab}",
                "/watch",
                "/api/labs",
                "/api/runs/{run}",
            ]),
            prop::option::of(header_text.clone()),
            prop::option::of(header_text),
        ),
        |t, (template, cookie, accept_language)| {
            let mut headers = vec![];
            if let Some(c) = cookie {
                headers.push(("cookie".to_string(), c));
            }
            if let Some(a) = accept_language {
                headers.push(("accept-language".to_string(), a));
            }
            Req {
                method: reqwest::Method::GET,
                path: fill(t, "GET", template, &[(true, String::new())]),
                headers,
                body: None,
            }
        },
    );

    eprintln!(
        "fuzz_api: {sent} generated requests, none answered 5xx or left unanswered; by status class (200 = 2xx): {:?}",
        tally.lock().unwrap()
    );
    assert!(sent >= 3_000, "{sent}");
    // The server still serves, and the fixtures are still there.
    rt.block_on(async {
        let r = target
            .client
            .get(format!("{}/api/runs/{}", target.base, target.run))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        app.shutdown().await;
    });
}

/// Found by the fuzzer: axum's own rejections under the API were plain text or empty, and
/// `/api/` alone met the pages' HTML 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_found_by_fuzzing_are_json() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let cases = [
        (
            reqwest::Method::GET,
            "/api/runs/%80",
            400,
            Some("bad_request"),
        ),
        (
            reqwest::Method::GET,
            "/api/runs/%C0%AF/ledger",
            400,
            Some("bad_request"),
        ),
        (reqwest::Method::GET, "/api/", 404, Some("no_endpoint")),
        (reqwest::Method::POST, "/v3/kafka", 405, None),
        (
            reqwest::Method::GET,
            "/v3/kafka/local/consumer/%FF",
            400,
            None,
        ),
    ];
    for (method, path, status, code) in cases {
        let r = client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        let body: Value = r.json().await.expect("a JSON answer");
        match code {
            Some(code) => {
                assert_eq!(body["code"], code, "{method} {path}: {body}");
                assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
            }
            // Burrow's envelope.
            None => {
                assert_eq!(body["error"], true, "{method} {path}: {body}");
                assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
            }
        }
    }
    app.shutdown().await;
}
