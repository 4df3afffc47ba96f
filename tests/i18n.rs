//! Korean and English: language negotiation over HTTP (`?lang=` → cookie → `Accept-Language`
//! → Korean), the catalogs and the lab files in both languages (nothing missing, no English
//! left in Korean texts except code, names and numbers), the islands the pages carry, and the
//! API's coded errors.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{spawn_app, test_settings, TestApp};
use kafka_consumer_labs::i18n::{placeholders, Catalog, Lang};
use kafka_consumer_labs::lab::LabCatalog;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE, VARY};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalog_json(lang: &str) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(root().join(format!("static/i18n/{lang}.json"))).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().get(app.url(path));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

/// The JSON of the `<script type="application/json" id="{id}">` island.
fn island(html: &str, id: &str) -> Value {
    let open = format!(r#"<script type="application/json" id="{id}">"#);
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} island"))
        + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").expect("<html lang>") + 12;
    &html[start..start + html[start..].find('"').unwrap()]
}

// ---------------------------------------------------------------------------------------------
// No English left in Korean.

/// Words kept in English in Korean Kafka writing (names, signals, statuses, Java keywords).
const KEPT_IN_ENGLISH: &[&str] = &[
    "Kafka",
    "Java",
    "Burrow",
    "SIGKILL",
    "SIGTERM",
    "OK",
    "WARN",
    "WARNING",
    "ERROR",
    "STOP",
    "STALL",
    "ERR",
    "NOTFOUND",
    "REWIND",
    "poll",
    "CSV",
    "API",
    "SSE",
    "JSON",
    "GPS",
    "Enter",
    "try",
    "catch",
    "finally",
    "librdkafka",
    // The course's list of sinks and its SMS case.
    "SQLite",
    "HDFS",
    "RDBMS",
    "SMS",
];

/// Drops `open … close` spans.
fn without_spans(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        let after = &rest[i + open.len()..];
        match after.find(close) {
            Some(j) => rest = &after[j + close.len()..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether an ASCII token looks like code: an identifier, a call, a config key or value
/// (`commitSync()`, `enable.auto.commit=true`, `onPartitionsRevoked`, `auto-naive`, `p.93`).
fn looks_like_code(token: &str) -> bool {
    let t = token.trim_end_matches(['.', ',', ':', ';', '!', '?']);
    let camel = t
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    let inner_dot = t
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'.' && w[1].is_ascii_alphanumeric());
    let config_value = t.contains('-')
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    camel || inner_dot || config_value || t.contains(['_', '(', ')', '=', '<', '>', '/', '{'])
}

/// English words (3+ ASCII letters) left in a Korean text once code, placeholders, URLs,
/// quoted ASCII values, numbers and the kept terms are taken out.
fn english_words(text: &str) -> Vec<String> {
    let mut t = without_spans(text, "<code>", "</code>");
    t = without_spans(&t, "```", "```");
    t = without_spans(&t, "`", "`");
    for name in placeholders(&t.clone()) {
        t = t.replace(&format!("{{{name}}}"), " ");
    }
    let mut words = vec![];
    // Tokens: maximal runs of printable ASCII (Korean particles end them: `poll로`).
    for token in t.split(|c: char| !c.is_ascii_graphic()) {
        if token.is_empty()
            || token.starts_with("http://")
            || token.starts_with("https://")
            || (token.starts_with('"') && token[1..].contains('"'))
            || looks_like_code(token)
        {
            continue;
        }
        for word in token.split(|c: char| !c.is_ascii_alphabetic()) {
            if word.len() >= 3 && !KEPT_IN_ENGLISH.contains(&word) {
                words.push(word.to_string());
            }
        }
    }
    words
}

#[test]
fn the_english_detector_sees_words_and_spares_code() {
    assert!(
        english_words("`commitSync()`를 호출하고 commitSync()와 poll()로 {field} 값").is_empty()
    );
    assert!(
        english_words("enable.auto.commit=true, onPartitionsRevoked, auto-naive, p.93").is_empty()
    );
    assert!(
        english_words(r#"auto.offset.reset은 "earliest" 또는 "latest", SIGKILL 100 ms"#).is_empty()
    );
    assert!(english_words("https://github.com/linkedin/Burrow 참고").is_empty());
    assert_eq!(english_words("컨슈머를 Start 하세요"), vec!["Start"]);
    assert_eq!(english_words("**Kill**과 the 오프셋"), vec!["Kill", "the"]);
}

#[test]
fn no_english_is_left_in_korean_catalog_texts() {
    let ko = catalog_json("ko");
    let mut problems = vec![];
    for (key, value) in &ko {
        // The toggle names each language in its own language.
        if key == "lang.en" {
            continue;
        }
        let words = english_words(value.as_str().unwrap());
        if !words.is_empty() {
            problems.push(format!("static/i18n/ko.json `{key}`: {words:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "English in Korean texts:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_english_is_left_in_korean_lab_texts() {
    let labs = LabCatalog::load_dir(&root().join("labs")).unwrap_or_else(|e| panic!("{e}"));
    let mut problems = vec![];
    for loaded in labs.list() {
        let lab = &loaded.lab;
        let mut texts = vec![
            ("title".to_string(), lab.title.ko()),
            ("summary".to_string(), lab.summary.ko()),
            ("instructions".to_string(), lab.instructions.ko()),
            ("point".to_string(), lab.point.ko()),
        ];
        for (i, c) in lab.checkpoints.iter().enumerate() {
            texts.push((format!("checkpoints[{i}].text"), c.text.ko()));
        }
        for (field, text) in texts {
            let words = english_words(text);
            if !words.is_empty() {
                problems.push(format!("labs/{}.toml `{field}.ko`: {words:?}", lab.id));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "English in Korean lab texts:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Catalogs and lab files.

#[test]
fn both_catalogs_have_the_same_keys_and_placeholders() {
    let (en, ko) = (catalog_json("en"), catalog_json("ko"));
    let en_keys: BTreeSet<_> = en.keys().collect();
    let ko_keys: BTreeSet<_> = ko.keys().collect();
    assert_eq!(
        en_keys.symmetric_difference(&ko_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "keys in one catalog only"
    );
    for key in en.keys() {
        let (e, k) = (en[key].as_str().unwrap(), ko[key].as_str().unwrap());
        assert!(
            !e.trim().is_empty() && !k.trim().is_empty(),
            "{key} is empty"
        );
        assert_eq!(
            placeholders(e),
            placeholders(k),
            "{key}: placeholders differ"
        );
    }
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_lab_file_has_both_languages() {
    let labs = LabCatalog::load_dir(&root().join("labs")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(labs.list().len(), 12);
    for loaded in labs.list() {
        let lab = &loaded.lab;
        for (field, text) in [
            ("title", &lab.title),
            ("summary", &lab.summary),
            ("instructions", &lab.instructions),
            ("point", &lab.point),
        ] {
            text.check(field)
                .unwrap_or_else(|e| panic!("{}: {e}", lab.id));
            assert_ne!(
                text.en(),
                text.ko(),
                "{}: {field} is not translated",
                lab.id
            );
        }
        for (i, c) in lab.checkpoints.iter().enumerate() {
            c.text
                .check(&format!("checkpoints[{i}].text"))
                .unwrap_or_else(|e| panic!("{}: {e}", lab.id));
            assert_ne!(
                c.text.en(),
                c.text.ko(),
                "{}: checkpoint {} not translated",
                lab.id,
                c.id
            );
        }
        let html = &loaded.instructions_html;
        assert!(html.en().contains("<p>") && html.ko().contains("<p>"));
        // The Java panel shows the course's code; the instructions carry no pseudo-code.
        for lang in Lang::ALL {
            assert!(
                !lab.instructions.get(lang).contains("```"),
                "{}: instructions.{lang} has a code block",
                lab.id
            );
        }
    }
}

fn broken_labs_dir(name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("labs-i18n-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(root().join("labs/auto-commit.toml")).unwrap();
    std::fs::write(dir.join("auto-commit.toml"), edit(&good)).unwrap();
    dir
}

#[tokio::test]
async fn a_lab_file_without_a_korean_checkpoint_text_refuses_to_start() {
    let first_ko = |text: &str| {
        let at = text.find("\ntext.ko = ").expect("a checkpoint text.ko");
        let end = at + 1 + text[at + 1..].find('\n').unwrap();
        format!("{}{}", &text[..at], &text[end..])
    };
    let dir = broken_labs_dir("missing-ko", first_ko);
    let e = LabCatalog::load_dir(&dir).unwrap_err().to_string();
    assert!(
        e.contains("auto-commit.toml")
            && e.contains(
                "field `checkpoints[0].text.ko` is missing: every text needs both en and ko"
            ),
        "{e}"
    );
    let mut settings = test_settings();
    settings.labs_dir = Some(dir.clone());
    let err = match kafka_consumer_labs::server::Server::start(settings).await {
        Ok(_) => panic!("a lab file missing a language must refuse to start"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains("auto-commit.toml") && err.contains("checkpoints[0].text.ko"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let dir = broken_labs_dir("empty-en", |t| {
        t.replacen("title.en = \"Auto commit\"", "title.en = \"\"", 1)
    });
    let e = LabCatalog::load_dir(&dir).unwrap_err().to_string();
    assert!(
        e.contains("auto-commit.toml") && e.contains("`title.en` is empty"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Negotiation over HTTP, with the real server.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_the_negotiated_language() {
    let app = spawn_app().await;
    let (en, ko) = (catalog_json("en"), catalog_json("ko"));
    let ko_title = ko["home.title"].as_str().unwrap();
    let en_title = en["home.title"].as_str().unwrap();

    // Accept-Language: Korean first → Korean, with the headers a cache needs.
    let r = page(&app, "/", &[("accept-language", "ko-KR,ko;q=0.9,en;q=0.8")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_LANGUAGE], "ko");
    let vary: Vec<String> = r
        .headers()
        .get_all(VARY)
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter()
            .any(|v| v.contains("accept-language") && v.contains("cookie")),
        "{vary:?}"
    );
    let html = r.text().await.unwrap();
    assert_eq!(html_lang(&html), "ko");
    assert!(
        html.contains(&format!("<h1>{ko_title}</h1>")),
        "Korean heading"
    );
    // The lab list in Korean.
    let simple = LabCatalog::load_dir(&root().join("labs")).unwrap();
    let simple = simple.get("simple-consumer").unwrap();
    assert!(html.contains(simple.lab.title.ko()));
    // The toggle: both links, the current one marked.
    assert!(html.contains(r#"href="?lang=en""#) && html.contains(r#"href="?lang=ko""#));
    assert!(
        html.contains(r#"data-lang="ko" aria-current="true""#),
        "{html}"
    );
    // The island: the whole Korean catalog.
    let i18n = island(&html, "i18n");
    assert_eq!(i18n["lang"], "ko");
    assert_eq!(i18n["texts"], Value::Object(ko.clone()));

    // en-US → English; fr → the default, Korean; none → Korean.
    let r = page(&app, "/", &[("accept-language", "en-US")]).await;
    assert_eq!(r.headers()[CONTENT_LANGUAGE], "en");
    let html = r.text().await.unwrap();
    assert_eq!(html_lang(&html), "en");
    assert!(html.contains(&format!("<h1>{en_title}</h1>")));
    assert_eq!(island(&html, "i18n")["texts"], Value::Object(en.clone()));
    for headers in [&[("accept-language", "fr")][..], &[]] {
        let html = page(&app, "/", headers).await.text().await.unwrap();
        assert_eq!(html_lang(&html), "ko", "{headers:?}");
    }

    // The cookie beats the header; a bad cookie is ignored.
    let html = page(
        &app,
        "/",
        &[("accept-language", "ko-KR"), ("cookie", "lang=en")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(html_lang(&html), "en");
    let html = page(
        &app,
        "/",
        &[("accept-language", "en"), ("cookie", "x=1; lang=zz")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(html_lang(&html), "en");

    // ?lang=en beats the cookie: stored, then a redirect to the same page without it.
    let r = page(&app, "/?lang=en", &[("cookie", "lang=ko")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[LOCATION], "/");
    assert_eq!(
        r.headers()[SET_COOKIE],
        "lang=en; Path=/; Max-Age=31536000; SameSite=Lax"
    );
    let r = page(
        &app,
        "/labs/simple-consumer?run=r1&lang=ko",
        &[("cookie", "lang=en")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[LOCATION], "/labs/simple-consumer?run=r1");
    assert!(r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("lang=ko;"));
    // Following it with the cookie: English.
    let html = page(
        &app,
        "/",
        &[("cookie", "lang=en"), ("accept-language", "ko")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(html_lang(&html), "en");
    // A bad ?lang= is ignored: no redirect, no cookie, the usual language.
    let r = page(&app, "/?lang=xx", &[("accept-language", "en")]).await;
    assert_eq!(r.status(), 200);
    assert!(
        !r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap_or_default().starts_with("lang=")),
        "a bad ?lang= set a language cookie"
    );
    assert_eq!(html_lang(&r.text().await.unwrap()), "en");

    // The not-found page too.
    let r = page(&app, "/labs/nope", &[("accept-language", "ko")]).await;
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert_eq!(html_lang(&html), "ko");
    assert!(html.contains(ko["page.not_found"].as_str().unwrap()) && html.contains("nope"));
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lab_page_carries_the_lab_in_the_page_language() {
    let app = spawn_app().await;
    let labs = LabCatalog::load_dir(&root().join("labs")).unwrap();
    for (lang, accept) in [(Lang::Ko, "ko-KR"), (Lang::En, "en-GB")] {
        for loaded in labs.list() {
            let lab = &loaded.lab;
            let html = page(
                &app,
                &format!("/labs/{}", lab.id),
                &[("accept-language", accept)],
            )
            .await
            .text()
            .await
            .unwrap();
            assert_eq!(html_lang(&html), lang.as_str());
            let title = askama_escape(lab.title.get(lang));
            assert!(
                html.contains(&format!("<h1>{title}</h1>")),
                "{}: h1 in {lang}",
                lab.id
            );
            let point = askama_escape(lab.point.get(lang));
            assert!(
                html.contains(&format!(r#"data-el="course-point">{point}</p>"#)),
                "{}: the point in {lang}",
                lab.id
            );
            let def = island(&html, "lab-def");
            assert_eq!(def["title"], lab.title.get(lang));
            assert_eq!(def["summary"], lab.summary.get(lang));
            assert_eq!(def["point"], lab.point.get(lang));
            assert_eq!(def["java_class"], lab.java_class.as_str());
            assert_eq!(def["id"], lab.id.as_str());
            for (cp, c) in def["checkpoints"]
                .as_array()
                .unwrap()
                .iter()
                .zip(&lab.checkpoints)
            {
                assert_eq!(cp["text"], c.text.get(lang));
                assert_eq!(cp["id"], c.id.as_str());
            }
            assert_eq!(island(&html, "i18n")["lang"], lang.as_str());
        }
    }
    app.shutdown().await;
}

/// The few characters askama escapes in text (the lab texts use `'` and `"`).
fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_both_languages_and_a_run_view_speaks_the_readers() {
    let app = spawn_app().await;
    let labs = app.get_json("/api/labs").await;
    let simple = labs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "simple-consumer")
        .unwrap();
    assert_eq!(simple["title"]["en"], "Simple consumer");
    assert!(simple["title"]["ko"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert!(simple["point"]["ko"].as_str().is_some());
    assert_eq!(simple["java_class"], "SimpleConsumer");

    // The run is this session's: every read below carries its cookie.
    let created = client()
        .post(app.url("/api/runs"))
        .json(&serde_json::json!({"lab": "auto-commit"}))
        .send()
        .await
        .unwrap();
    let session = created.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let created: Value = created.json().await.unwrap();
    let run = created["id"].as_str().unwrap().to_string();
    let lab = LabCatalog::load_dir(&root().join("labs")).unwrap();
    let lab = lab.get("auto-commit").unwrap();
    for (accept, cookie, lang) in [
        ("ko-KR", "", Lang::Ko),
        ("ko-KR", "lang=en", Lang::En),
        ("en", "", Lang::En),
    ] {
        let mut req = client()
            .get(app.url(&format!("/api/runs/{run}")))
            .header(ACCEPT_LANGUAGE, accept);
        let cookies = if cookie.is_empty() {
            session.clone()
        } else {
            format!("{cookie}; {session}")
        };
        req = req.header(COOKIE, cookies);
        let view: Value = req.send().await.unwrap().json().await.unwrap();
        let texts: Vec<&str> = view["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = lab
            .lab
            .checkpoints
            .iter()
            .map(|c| c.text.get(lang))
            .collect();
        assert_eq!(texts, want, "{accept} {cookie}");
    }
    app.shutdown().await;
}

/// Every error the page can show has a code with a text in both catalogs, and params for
/// every placeholder of that text; `error` (English) and `field` stay as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_carry_a_code_and_params_for_the_page() {
    let app = spawn_app().await;
    let (en, ko) = (catalog_json("en"), catalog_json("ko"));
    let check = |body: &Value, code: &str| {
        assert_eq!(body["code"], code, "{body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        let key = format!("err.{code}");
        for catalog in [&en, &ko] {
            let text = catalog[&key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} missing"));
            for name in placeholders(text) {
                assert!(
                    body["params"].get(name).is_some(),
                    "{key}: no param {name} in {body}"
                );
            }
        }
    };
    let body = |r: reqwest::Response| async move { r.json::<Value>().await.unwrap() };

    let b = body(app.post("/api/runs", json!({"lab": "nope"})).await).await;
    check(&b, "no_lab");
    assert_eq!(b["params"]["lab"], "nope");
    let b = body(app.post("/api/runs", json!({})).await).await;
    check(&b, "invalid_json");
    let b = body(app.post("/api/runs", json!({"lab": ""})).await).await;
    check(&b, "field_required");
    assert_eq!(b["field"], "lab");
    let b = body(
        app.post(
            "/api/runs",
            json!({"lab": "simple-consumer", "params": {"threads": 99}}),
        )
        .await,
    )
    .await;
    check(&b, "option_range");
    assert_eq!(b["field"], "threads");
    assert_eq!(b["error"], "field `threads`: 99 is out of range 1..=8");
    assert_eq!(
        b["params"],
        json!({"field": "threads", "value": 99, "min": 1, "max": 8})
    );
    let b = body(
        app.post(
            "/api/runs",
            json!({"lab": "simple-consumer", "params": {"commit_mode": "sometimes"}}),
        )
        .await,
    )
    .await;
    check(&b, "invalid_field");
    assert_eq!(b["field"], "params.commit_mode");
    let b = body(app.get("/api/runs/r0").await).await;
    check(&b, "no_run");
    let b = body(app.get("/api/nothing").await).await;
    check(&b, "no_endpoint");

    let run = app.create_run("simple-consumer").await;
    let b = body(
        app.post(&format!("/api/runs/{run}/produce"), json!({"values": []}))
            .await,
    )
    .await;
    check(&b, "values_count");
    let b = body(
        app.post(
            &format!("/api/runs/{run}/consumers"),
            json!({"worker_pool": 2}),
        )
        .await,
    )
    .await;
    check(&b, "pool_needs_auto_naive");
    assert_eq!(b["field"], "worker_pool");
    let b = body(
        app.post(
            &format!("/api/runs/{run}/consumers"),
            json!({"assignment_strategy": "roundrobin"}),
        )
        .await,
    )
    .await;
    check(&b, "strategy_per_run");
    let b = body(
        app.post(&format!("/api/runs/{run}/consumers/c9/stop"), json!({}))
            .await,
    )
    .await;
    check(&b, "no_consumer");
    let b = body(
        app.post(&format!("/api/runs/{run}/consumers/c1/dance"), json!({}))
            .await,
    )
    .await;
    check(&b, "no_action");
    let b = body(
        app.post(
            &format!("/api/runs/{run}/producer"),
            json!({"rate_per_sec": 900}),
        )
        .await,
    )
    .await;
    check(&b, "rate_max");
    assert_eq!(b["field"], "rate_per_sec");
    let b = body(
        app.post(&format!("/api/runs/{run}/producer"), json!({}))
            .await,
    )
    .await;
    check(&b, "field_required");
    let b = body(app.get(&format!("/api/runs/{run}/events?after=x")).await).await;
    check(&b, "bad_event_id");
    let b = body(
        app.get(&format!("/api/runs/{run}/events?after=999999"))
            .await,
    )
    .await;
    check(&b, "event_id_ahead");
    app.shutdown().await;
}

#[test]
fn the_negotiation_order_without_a_server() {
    use kafka_consumer_labs::i18n::{from_accept_language, from_cookie_header};
    assert_eq!(
        from_accept_language("ko-KR,ko;q=0.9,en;q=0.8"),
        Some(Lang::Ko)
    );
    assert_eq!(from_accept_language("en-US"), Some(Lang::En));
    assert_eq!(from_accept_language("fr"), None);
    assert_eq!(from_cookie_header("lang=en"), Some(Lang::En));
    assert_eq!(Lang::default(), Lang::Ko);
}
