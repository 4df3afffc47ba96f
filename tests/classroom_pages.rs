//! The classroom's pages as the server renders them (before any script): the home page keeps a
//! trainee's name, runs and checkpoints across a restart and says how each run ended;
//! `/instructor` says how to enable it, asks for the token, or draws the class table.

mod common;

use common::*;
use serde_json::json;

const TOKEN: &str = "pages-token";

/// One trainee's browser: a cookie jar that follows them to the restarted server (cookies do
/// not tell ports apart).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str, lang: &str) -> (u16, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The HTML between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_keeps_progress_across_a_restart_and_says_how_runs_ended() {
    let mut settings = test_settings();
    settings.instructor_token = Some(TOKEN.into());
    let data_dir = settings.data_dir.clone();
    let mut app = spawn_app_with(settings).await;
    let trainee = browser();
    app.client = trainee.clone();
    let r = app
        .client
        .put(app.url("/api/session"))
        .json(&json!({"name": "김하늘"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let run = app.create_run("sync-commit-batch").await;
    let events = app.events(&run).await;
    app.produce(&run, &["1", "2", "3", "4"]).await;
    app.start_consumer(&run, json!({})).await;
    events
        .wait_for("the sync-commit-seen checkpoint", |e| {
            is(e, "checkpoint") && e["id"] == "sync-commit-seen"
        })
        .await;
    // Stored a moment after the run's event (the classroom writes it, then tells the table).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let me = app.get_json("/api/session").await;
        if me["labs"]["sync-commit-batch"]["checkpoints"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "checkpoint not stored: {me}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await; // polling interval
    }

    let (status, html) = page(&app, "/", "en").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<strong id="name-value">김하늘</strong>"#));
    let live = between(&html, r#"id="live-runs""#, "</ul>");
    assert!(live.contains(&format!(r#"data-run="{run}""#)), "{live}");
    assert!(live.contains(&format!("/labs/sync-commit-batch?run={run}")));
    let card = between(&html, r#"data-lab="sync-commit-batch""#, "</li>\n");
    assert!(
        card.contains(r#"data-reached="1" data-total="3""#),
        "{card}"
    );

    // The instructor's page before and after signing in (the trainee's cookie is not enough).
    let (_, html) = page(&app, "/instructor", "en").await;
    assert!(html.contains(r#"id="login-form""#) && !html.contains(r#"id="class-table""#));
    let teacher = TestApp {
        base: app.base.clone(),
        client: browser(),
        server: None,
        bootstrap: app.bootstrap.clone(),
    };
    let r = teacher
        .post("/api/instructor/login", json!({"token": TOKEN}))
        .await;
    assert_eq!(r.status(), 204);
    let (_, html) = page(&teacher, "/instructor", "ko").await;
    assert!(html.contains(r#"id="class-table""#) && !html.contains(r#"id="login-form""#));
    assert!(html.contains(r#"<option value="sync-commit-batch">배치 단위 동기 커밋</option>"#));
    assert!(html.contains(r#"<script type="module" src="/static/instructor/main.js">"#));

    app.shutdown().await;

    // A new server on the same data directory: the run ended with the old one.
    let mut settings = test_settings();
    settings.instructor_token = Some(TOKEN.into());
    settings.data_dir = data_dir;
    let mut again = spawn_app_with(settings).await;
    again.client = trainee;
    let (_, html) = page(&again, "/", "en").await;
    assert!(
        html.contains(r#"<strong id="name-value">김하늘</strong>"#),
        "the name lasts"
    );
    assert!(!between(&html, r#"id="live-runs""#, "</ul>").contains(&run));
    let past = between(&html, r#"id="past-runs""#, "</ul>");
    assert!(past.contains(&format!(r#"data-run="{run}""#)), "{past}");
    assert!(
        past.contains(r#"<span class="run-end">ended: server restarted</span>"#),
        "{past}"
    );
    assert!(past.contains(" processed"), "{past}");
    let card = between(&html, r#"data-lab="sync-commit-batch""#, "</li>\n");
    assert!(
        card.contains(r#"data-reached="1""#),
        "the checkpoint lasts: {card}"
    );
    let (_, html) = page(&again, "/", "ko").await;
    assert!(between(&html, r#"id="past-runs""#, "</ul>").contains("종료: 서버 재시작"));
    // The instructor's cookie ended with the old server: the token form again.
    let teacher_again = TestApp {
        base: again.base.clone(),
        client: teacher.client.clone(),
        server: None,
        bootstrap: again.bootstrap.clone(),
    };
    let (_, html) = page(&teacher_again, "/instructor", "en").await;
    assert!(html.contains(r#"id="login-form""#));
    again.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_instructor_page_says_how_to_enable_it() {
    let app = spawn_app().await;
    for lang in ["en", "ko"] {
        let (status, html) = page(&app, "/instructor", lang).await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"id="instructor-off""#), "{lang}");
        assert!(html.contains("LABS_INSTRUCTOR_TOKEN"));
        assert!(!html.contains("login-form") && !html.contains("instructor/main.js"));
    }
    // No demo, no name yet: the home page hides the banner and offers the form.
    let (_, html) = page(&app, "/", "en").await;
    assert!(html.contains(r#"id="demo-banner" class="demo-banner" role="status" hidden"#));
    assert!(html.contains(r#"id="name-shown" class="name-shown" hidden"#));
    app.shutdown().await;
}
