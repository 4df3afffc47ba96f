//! The classroom over HTTP against the embedded broker: trainees isolated by their sessions,
//! the instructor's sign-in and live table, the read-only demo, progress kept across a
//! restart, and each limit answered with its value.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{json, Value};

const TOKEN: &str = "class-of-2026";

fn classroom_settings() -> kafka_consumer_labs::config::Settings {
    let mut s = test_settings();
    s.instructor_token = Some(TOKEN.to_string());
    s
}

async fn status_and_json(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Runs the auto-commit lab until its first checkpoint (an auto commit on the timer).
async fn reach_first_checkpoint(app: &TestApp, run: &str, values: &[&str]) -> EventStream {
    let events = app.events(run).await;
    app.produce(run, values).await;
    app.start_consumer(run, json!({})).await;
    events
        .wait_for("the auto-commit-seen checkpoint", |e| {
            is(e, "checkpoint") && e["id"] == "auto-commit-seen"
        })
        .await;
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_trainees_running_the_same_lab_never_see_each_other() {
    let a = spawn_app().await;
    let b = a.another_trainee();
    let (run_a, run_b) = tokio::join!(a.create_run("auto-commit"), b.create_run("auto-commit"));
    let (view_a, view_b) = (a.run_view(&run_a).await, b.run_view(&run_b).await);
    assert_ne!(view_a["topic"], view_b["topic"]);
    assert_ne!(view_a["group"], view_b["group"]);

    let values_a: Vec<String> = (0..20).map(|i| format!("a-{i}")).collect();
    let values_b: Vec<String> = (0..20).map(|i| format!("b-{i}")).collect();
    let refs_a: Vec<&str> = values_a.iter().map(String::as_str).collect();
    let refs_b: Vec<&str> = values_b.iter().map(String::as_str).collect();
    let (events_a, events_b) = tokio::join!(
        reach_first_checkpoint(&a, &run_a, &refs_a),
        reach_first_checkpoint(&b, &run_b, &refs_b),
    );
    for (events, mine, theirs) in [(&events_a, "a-", "b-"), (&events_b, "b-", "a-")] {
        let evs = events
            .wait_until("all 20 of its own records", |evs| {
                evs.iter().filter(|e| is(e, "record")).count() >= 20
            })
            .await;
        for e in evs.iter().filter(|e| is(e, "record") || is(e, "produced")) {
            let value = e["value"].as_str().unwrap_or_default();
            assert!(
                value.starts_with(mine),
                "{theirs} record in the wrong run: {e}"
            );
        }
    }
    assert_eq!(a.ledger(&run_a).await["lost"], 0);
    assert_eq!(b.ledger(&run_b).await["lost"], 0);

    // B cannot see or touch A's run: the API, the event stream and the page all say 404.
    for path in [
        format!("/api/runs/{run_a}"),
        format!("/api/runs/{run_a}/ledger"),
        format!("/api/runs/{run_a}/events"),
        format!("/labs/auto-commit?run={run_a}"),
    ] {
        assert_eq!(b.get(&path).await.status(), 404, "GET {path}");
    }
    let (status, body) = status_and_json(
        b.post(
            &format!("/api/runs/{run_a}/produce"),
            json!({"values": ["x"]}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("no_run")));
    let r = b.delete(&format!("/api/runs/{run_a}")).await;
    assert_eq!(r.status(), 404);
    let listed = b.get_json("/api/runs").await;
    let ids: Vec<&str> = listed["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, vec![run_b.as_str()]);
    // A's run is untouched.
    assert_eq!(a.get(&format!("/api/runs/{run_a}")).await.status(), 200);

    // Ids are 96 random bits: they never repeat and do not sort in creation order.
    let mut ids = vec![run_a.clone()];
    for _ in 0..9 {
        ids.push(a.create_run("simple-consumer").await);
    }
    assert!(ids.iter().all(|id| id.len() == 25), "{ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    let mut sorted = ids.clone();
    sorted.sort();
    assert_ne!(sorted, ids, "ids sort in creation order: {ids:?}");
    a.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instructor_signs_in_and_sees_checkpoints_live() {
    let mut trainee = spawn_app_with(classroom_settings()).await;
    let (client, jar) = client_with_jar();
    trainee.client = client;
    let instructor = trainee.another_trainee();

    // A trainee is refused the instructor's endpoints; a missing or wrong token is a 401.
    for path in ["/api/instructor/class", "/api/instructor/events"] {
        let (status, body) = status_and_json(trainee.get(path).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("instructor_only"))
        );
    }
    for body in [json!({}), json!({"token": "guess"}), json!({"token": ""})] {
        let (status, answer) =
            status_and_json(instructor.post("/api/instructor/login", body).await).await;
        assert_eq!((status, answer["code"].as_str()), (401, Some("bad_token")));
    }
    let r = instructor
        .post("/api/instructor/login", json!({"token": TOKEN}))
        .await;
    assert_eq!(r.status(), 204);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert_eq!(instructor.get("/api/instructor/class").await.status(), 200);

    let r = trainee.put("/api/session", json!({"name": "김하늘"})).await;
    assert_eq!(r.status(), 200);
    let stream = EventStream::open(
        &instructor.client,
        &instructor.url("/api/instructor/events"),
        None,
    )
    .await;
    stream
        .wait_received("the first class table", |r| r.name == "class")
        .await;
    let run = trainee.create_run("auto-commit").await;
    reach_first_checkpoint(&trainee, &run, &["1", "2", "3", "4"]).await;
    let update = stream
        .wait_received("the trainee's checkpoint on the instructor's stream", |r| {
            r.name == "update"
                && r.data["type"] == "checkpoint"
                && r.data["run"] == run.as_str()
                && r.data["checkpoint"] == "auto-commit-seen"
        })
        .await;
    assert_eq!(update.data["first"], true);
    let class = instructor.get_json("/api/instructor/class").await;
    let row = class["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "김하늘")
        .unwrap_or_else(|| panic!("the named trainee in {class}"))
        .clone();
    assert_eq!(row["trainee"], update.data["trainee"]);
    assert_eq!(
        row["labs"]["auto-commit"]["checkpoints"][0]["id"],
        "auto-commit-seen"
    );
    assert_eq!(row["live_runs"][0]["id"], run.as_str());
    // The trainee's cookie is never in the table.
    let cookie = session_cookie(&trainee, &jar);
    let id = cookie.trim_start_matches("labs_session=");
    assert_eq!(id.len(), 32);
    assert!(!class.to_string().contains(id));

    // The instructor may watch and stop any run: here all of this trainee's runs.
    assert_eq!(
        instructor.get(&format!("/api/runs/{run}")).await.status(),
        200
    );
    let tag = row["trainee"].as_str().unwrap();
    let (status, body) = status_and_json(
        instructor
            .post(&format!("/api/instructor/trainees/{tag}/stop"), json!({}))
            .await,
    )
    .await;
    assert_eq!((status, body["stopped"].as_u64()), (200, Some(1)));
    assert!(worker_pids(&run).is_empty());
    assert_eq!(trainee.get(&format!("/api/runs/{run}")).await.status(), 404);
    let ended = stream
        .wait_received("the run's end on the instructor's stream", |r| {
            r.name == "update" && r.data["type"] == "run_ended" && r.data["run"] == run.as_str()
        })
        .await;
    assert_eq!(ended.data["reason"], "instructor");
    trainee.shutdown().await;
}

/// A client whose cookies the test can read, and its jar.
fn client_with_jar() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    (client, jar)
}

/// The `labs_session=…` cookie `jar` holds for `app`.
fn session_cookie(app: &TestApp, jar: &reqwest::cookie::Jar) -> String {
    let url: reqwest::Url = app.base.parse().unwrap();
    let cookies = reqwest::cookie::CookieStore::cookies(jar, &url).expect("cookies");
    cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find(|c| c.starts_with("labs_session="))
        .expect("a session cookie")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trainees_watch_the_demo_but_cannot_drive_it() {
    let instructor = spawn_app_with(classroom_settings()).await;
    let trainee = instructor.another_trainee();
    let r = instructor
        .post("/api/instructor/login", json!({"token": TOKEN}))
        .await;
    assert_eq!(r.status(), 204);
    let demo = instructor.create_run("simple-consumer").await;
    assert_eq!(trainee.get_json("/api/demo").await["demo"], Value::Null);
    // Not the demo yet: not the trainee's to see.
    assert_eq!(
        trainee.get(&format!("/api/runs/{demo}")).await.status(),
        404
    );
    let r = instructor
        .put("/api/instructor/demo", json!({"run": demo}))
        .await;
    assert_eq!(r.status(), 200);
    let shown = trainee.get_json("/api/demo").await;
    assert_eq!(shown["demo"]["run"], demo.as_str());
    assert_eq!(
        trainee.get_json("/api/session").await["demo"]["run"],
        demo.as_str()
    );

    // The trainee's stream follows the demo live.
    let watching = trainee.events(&demo).await;
    instructor.start_consumer(&demo, json!({})).await;
    instructor.produce(&demo, &["1", "2", "3", "4"]).await;
    watching
        .wait_until("the demo's 4 records on the trainee's stream", |evs| {
            evs.iter().filter(|e| is(e, "record")).count() >= 4
        })
        .await;
    assert_eq!(
        trainee
            .get(&format!("/labs/simple-consumer?run={demo}&view=watch"))
            .await
            .status(),
        200
    );

    // Every control is refused with 403 read_only.
    let controls = [
        (
            format!("/api/runs/{demo}/produce"),
            json!({"values": ["x"]}),
        ),
        (format!("/api/runs/{demo}/consumers"), json!({})),
        (format!("/api/runs/{demo}/consumers/c1/kill"), json!({})),
        (
            format!("/api/runs/{demo}/producer"),
            json!({"rate_per_sec": 1}),
        ),
        (
            format!("/api/runs/{demo}/offsets"),
            json!({"reset": "earliest"}),
        ),
    ];
    for (path, body) in controls {
        let (status, answer) = status_and_json(trainee.post(&path, body).await).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (403, Some("read_only")),
            "{path}"
        );
    }
    let r = trainee.delete(&format!("/api/runs/{demo}")).await;
    assert_eq!(r.status(), 403);
    // Marking a demo is the instructor's.
    let r = trainee
        .put("/api/instructor/demo", json!({"run": demo}))
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(instructor.ledger(&demo).await["lost"], 0);

    // Broker faults hit every run on the server: in a class only the instructor injects them.
    let own = trainee.create_run("async-commit").await;
    let (status, body) = status_and_json(
        trainee
            .post(&format!("/api/runs/{own}/faults"), json!({"rtt_ms": 0}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("faults_instructor_only"))
    );
    let page = trainee
        .get("/labs/async-commit")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("data-action=\"fault-commit\""));
    let r = instructor
        .post(&format!("/api/runs/{own}/faults"), json!({"rtt_ms": 0}))
        .await;
    assert_eq!(r.status(), 202);
    let page = instructor
        .get("/labs/async-commit")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-action=\"fault-commit\""));
    instructor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_checkpoints_survive_a_restart() {
    let settings = classroom_settings();
    let data_dir = settings.data_dir.clone();
    let mut app = spawn_app_with(settings).await;
    let (client, jar) = client_with_jar();
    app.client = client;
    let r = app.put("/api/session", json!({"name": "Ana"})).await;
    assert_eq!(r.status(), 200);
    let run = app.create_run("auto-commit").await;
    reach_first_checkpoint(&app, &run, &["1", "2"]).await;
    let cookie = session_cookie(&app, &jar);
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());

    // A new server (and a new embedded broker) on the same data directory.
    let mut settings = classroom_settings();
    settings.data_dir = data_dir;
    let again = spawn_app_with(settings).await;
    let session: Value = again
        .client
        .get(again.url("/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["name"], "Ana", "{session}");
    let lab = &session["labs"]["auto-commit"];
    assert_eq!(lab["checkpoints"][0]["id"], "auto-commit-seen", "{session}");
    assert_eq!(lab["runs"][0]["id"], run.as_str());
    assert_eq!(lab["runs"][0]["end_reason"], "server_restart");
    assert_eq!(session["live_runs"], json!([]));

    let instructor = again.another_trainee();
    let r = instructor
        .post("/api/instructor/login", json!({"token": TOKEN}))
        .await;
    assert_eq!(r.status(), 204);
    let class = instructor.get_json("/api/instructor/class").await;
    assert!(
        class["trainees"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Ana"
                && t["labs"]["auto-commit"]["checkpoints"][0]["id"] == "auto-commit-seen"),
        "{class}"
    );
    again.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_limit_answers_with_its_name_and_value() {
    let mut settings = test_settings();
    settings.max_runs = 3;
    settings.max_runs_per_session = 2;
    settings.max_consumers_per_run = 1;
    settings.max_produce_records = 3;
    settings.max_producer_rate = 10;
    settings.max_streams_per_session = 1;
    let a = spawn_app_with(settings).await;
    let b = a.another_trainee();
    let c = a.another_trainee();

    let check = |(status, body): (u16, Value), want: u16, code: &str, max: u64| {
        assert_eq!(status, want, "{body}");
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["params"]["max"], max, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains(&max.to_string()),
            "{body}"
        );
    };
    let run = a.create_run("simple-consumer").await;
    let other_run = a.create_run("simple-consumer").await;
    let third = a.post("/api/runs", json!({"lab": "simple-consumer"})).await;
    check(status_and_json(third).await, 429, "max_runs_per_session", 2);
    b.create_run("simple-consumer").await;
    let fourth = c.post("/api/runs", json!({"lab": "simple-consumer"})).await;
    check(status_and_json(fourth).await, 429, "max_runs", 3);

    a.start_consumer(&run, json!({})).await;
    let second = a
        .post(&format!("/api/runs/{run}/consumers"), json!({}))
        .await;
    check(status_and_json(second).await, 429, "max_consumers", 1);
    let many = a
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({"values": ["1", "2", "3", "4"]}),
        )
        .await;
    check(status_and_json(many).await, 403, "values_count", 3);
    let fast = a
        .post(
            &format!("/api/runs/{run}/producer"),
            json!({"rate_per_sec": 11}),
        )
        .await;
    check(status_and_json(fast).await, 403, "rate_max", 10);

    let stream = a.events(&run).await;
    let another = a.get(&format!("/api/runs/{run}/events")).await;
    check(status_and_json(another).await, 429, "max_streams", 1);
    // Another trainee's streams are their own.
    let run_b = b.get_json("/api/runs").await["runs"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let _stream_b = b.events(&run_b).await;
    // A stream that ends gives its place back: here its run is deleted, the server ends the
    // stream, and the trainee's other run can be watched.
    assert_eq!(a.delete(&format!("/api/runs/{run}")).await.status(), 204);
    stream.wait_end().await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let r = a.get(&format!("/api/runs/{other_run}/events")).await;
        if r.status() == 200 {
            break;
        }
        // The server drops the ended stream right after its last write.
        assert!(
            tokio::time::Instant::now() < deadline,
            "the ended stream's place never came back: {}",
            r.status()
        );
    }
    a.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_run_is_reaped_with_its_workers_and_remembered() {
    let mut settings = classroom_settings();
    settings.idle_timeout_secs = 1;
    let app = spawn_app_with(settings).await;
    let instructor = app.another_trainee();
    let r = instructor
        .post("/api/instructor/login", json!({"token": TOKEN}))
        .await;
    assert_eq!(r.status(), 204);
    let class = EventStream::open(
        &instructor.client,
        &instructor.url("/api/instructor/events"),
        None,
    )
    .await;
    let run = app.create_run("simple-consumer").await;
    {
        let events = app.events(&run).await;
        let cid = app.start_consumer(&run, json!({})).await;
        events
            .wait_for("the consumer's first poll", |e| of(e, "poll", &cid))
            .await;
    }
    assert!(!worker_pids(&run).is_empty());
    // Nobody uses the run now (its stream is closed): it idles out through the graceful path.
    let ended = class
        .wait_received("the run's end by idling", |r| {
            r.name == "update" && r.data["type"] == "run_ended" && r.data["run"] == run.as_str()
        })
        .await;
    assert_eq!(ended.data["reason"], "idle");
    assert_eq!(app.get(&format!("/api/runs/{run}")).await.status(), 404);
    assert!(worker_pids(&run).is_empty(), "a worker outlived its run");
    let session = app.get_json("/api/session").await;
    let runs = &session["labs"]["simple-consumer"]["runs"];
    assert_eq!(runs[0]["id"], run.as_str(), "{session}");
    assert_eq!(runs[0]["end_reason"], "idle", "{session}");
    app.shutdown().await;
}
