//! Pages tested in a real browser: the app runs in-process (embedded broker, real worker
//! processes) and `node tests/browser/<flow>.mjs <base-url>` drives Debian's headless Chromium
//! through playwright-core, asserting on what the pages draw.
//!
//! Needs `/usr/bin/chromium` and `node_modules/playwright-core` (`bash .ci/browser-deps.sh`).
//! Without them the tests are skipped, except on CI (env `CI` set), where they fail.
//! Screenshots go to `target/browser-artifacts/`; `docs/screenshot.png` is written when it is
//! missing or when `UPDATE_SCREENSHOTS=1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kafka_consumer_labs::config::Settings;
use kafka_consumer_labs::server::Server;

const CHROMIUM: &str = "/usr/bin/chromium";
/// A whole flow, browser start to finish (its own waits are 30 s each).
const FLOW_DEADLINE: Duration = Duration::from_secs(300);

/// One browser at a time: CI has two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn artifacts_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("browser-artifacts"))
        .unwrap_or_else(|| root().join("target/browser-artifacts"))
}

/// Whether Chromium, Node and playwright-core are there; if not, a skip (or, on CI, a failure).
fn browser_ready() -> bool {
    let mut missing = vec![];
    if !Path::new(CHROMIUM).exists() {
        missing.push(CHROMIUM.to_string());
    }
    if !root()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        missing.push("node_modules/playwright-core".into());
    }
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        missing.push("node".into());
    }
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "browser tests need {}: run `bash .ci/browser-deps.sh`",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message} (CI is set, so a missing browser is a failure)");
    }
    eprintln!("SKIPPED: {message}");
    false
}

/// Starts the app, runs one flow script against it, prints node's output, asserts success.
async fn run_flow(flow: &str) {
    run_flow_with(flow, |_| {}).await;
}

async fn run_flow_with(flow: &str, configure: impl FnOnce(&mut Settings)) {
    if !browser_ready() {
        return;
    }
    let _one_at_a_time = SERIAL.lock().await;
    let mut settings = Settings::for_tests();
    settings.worker_exe = Some(env!("CARGO_BIN_EXE_kafka-consumer-labs").into());
    configure(&mut settings);
    let instructor_token = settings.instructor_token.clone();
    let server = Server::start(settings).await.expect("server starts");
    let base = format!("http://{}", server.addr);

    let mut node = tokio::process::Command::new("node");
    node.arg(root().join("tests/browser").join(format!("{flow}.mjs")))
        .arg(&base)
        .current_dir(root())
        .env("ARTIFACTS_DIR", artifacts_dir())
        .kill_on_drop(true);
    if let Some(token) = instructor_token {
        node.env("LABS_INSTRUCTOR_TOKEN", token);
    }
    let docs_shot = root().join("docs/screenshot.png");
    if flow == "simple-consumer"
        && (!docs_shot.exists() || std::env::var_os("UPDATE_SCREENSHOTS").is_some())
    {
        std::fs::create_dir_all(root().join("docs")).expect("docs/");
        node.env("DOCS_SCREENSHOT", &docs_shot);
    }
    let output = tokio::time::timeout(FLOW_DEADLINE, node.output()).await;
    server.shutdown().await;

    let output = match output {
        Err(_) => panic!("{flow}: the browser flow did not finish within {FLOW_DEADLINE:?}"),
        Ok(Err(e)) => panic!("{flow}: cannot run node: {e}"),
        Ok(Ok(output)) => output,
    };
    println!(
        "--- node tests/browser/{flow}.mjs {base}\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "browser flow {flow} failed ({}); its output is above, screenshots in {}",
        output.status,
        artifacts_dir().display()
    );
}

/// Home → Simple consumer → Produce 1–4 → Start → four records in lanes and log → Kill →
/// Start again → duplicates marked, counters equal to the ledger; the producer box; the
/// screenshot in docs/.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_consumer_kill_and_restart_draws_duplicates() {
    run_flow("simple-consumer").await;
}

/// The sinks lab: a kill mid-batch, a restart, the naive table's double charges highlighted
/// (as many as the ledger's duplicates), none in the idempotent one; the Korean cases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sinks_lab_highlights_the_double_charge_in_the_naive_table_only() {
    run_flow("sinks").await;
}

/// A backlog of 3,000 records read in `record_range` events: counted once each, the lanes drawn
/// processed, one log row per range, counters equal to the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_read_in_ranges_is_counted_and_drawn() {
    run_flow("backlog").await;
}

/// A reload mid-stream resumes the same run: each event once in the log, lanes intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_mid_stream_resumes_without_duplicated_rows() {
    run_flow("reload").await;
}

/// Every lab's page renders, runs a consumer, and logs no console error or failed request;
/// a screenshot of each; the not-found page; the large-type toggle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lab_page_renders_cleanly() {
    run_flow("all-labs").await;
}

/// A page that joins after the bounded event log dropped events gets a `gap`: it says so and
/// redraws lanes, counters and consumers from the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_in_the_event_log_is_redrawn_from_the_api() {
    run_flow_with("gap", |settings| settings.log_capacity = 60).await;
}

/// Rebalance lab: two consumers (session timeout 2 s, set with the form's preset) share the
/// partitions in the ownership swimlanes; a SIGKILL leaves the victim's rows hatched until the
/// survivor gets them, and each gap is drawn as a pause in ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebalance_swimlanes_show_owners_a_dead_member_and_the_pause() {
    run_flow("rebalance").await;
}

/// Wakeup vs SIGKILL as the A/B view, through the guided strip: A (killed) ends with exactly
/// 50 duplicates at offsets 100–149, B (stopped) with none; a reload resumes both runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wakeup_vs_kill_side_by_side_gives_fifty_duplicates_against_none() {
    run_flow("ab").await;
}

/// Thread strategies: the form's thread options and its 400 for an out-of-range value; one
/// consumer with two threads in one group shows t1 and t2 owning disjoint partitions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumer_threads_own_disjoint_partitions_on_the_card() {
    run_flow("threads").await;
}

/// Rebalance listener: a commit inside onPartitionsRevoked refused during a join (red, with the
/// broker's message) and one that succeeds when the member leaves, drawn as one grouped bar and
/// as grouped log rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebalance_listener_commits_are_drawn_inside_their_callback() {
    run_flow("listener").await;
}

/// Consumer lag, both views (a run with a 4-commit Burrow window, opened by `?run=`): NOTFOUND
/// before the first commit; the background producer (a refused 600/s, then 30/s) and a slow
/// consumer set in the form — WARN with the lag_not_decreasing sentence over a filled window,
/// position lag beside committed lag, the inside view live; killed, the inside view greys out
/// ("the consumer is gone") while the outside view goes on to STOP / ERR; the offsets reset to
/// the beginning — REWIND; a reload shows the state; the Korean panel has no English left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_lag_badge_goes_warning_then_error_stop() {
    run_flow("lag").await;
}

/// Step controls: paused after 3 records, Step processes one without committing mid-batch,
/// Step batch finishes the poll batch and logs its `commit_completed` (batch).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_batch_finishes_the_poll_batch_and_commits_it() {
    run_flow("steps").await;
}

/// The page's language: a Korean browser (locale ko-KR) gets a Korean lab page; the header's
/// English toggle switches the same run to English and a reload stays English; `?lang=en`
/// wins in a fresh Korean browser (the A/B page) and sets the cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_language_follows_the_browser_the_toggle_and_the_link() {
    run_flow("i18n").await;
}

/// The Java panel, driven by the real consumers' events: on the wakeup lab (A/B) both consumers
/// pause in the loop body, A's SIGKILL marks the line it died on, B's SIGTERM passes catch →
/// finally → close(); on the batch lab Step batch moves the highlight to the commit, Step back
/// to the loop body; a card click or Enter follows another consumer; large type and a narrow
/// window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_panel_follows_the_consumer_line_by_line() {
    run_flow("java-trace").await;
}

/// Watch a group: a kafkajs consumer (the trainee's Java project's stand-in) commits in its own
/// group; `/watch?group=…&topic=…` shows the Java lines, the outside view and Burrow's OK with
/// its rule, a bad name's 400 in words; the Korean page has no English left outside code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_page_rates_an_outside_group() {
    run_flow("watch").await;
}

/// Hostile values (`<img onerror>`, `</script>`) produced into a run are shown as text and
/// nothing they carry runs; the pages work under the Content-Security-Policy (a violation is a
/// console error, which fails the flow).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_record_values_are_drawn_as_text() {
    run_flow("xss").await;
}

/// A class in three browsers: a trainee names themself and reaches a checkpoint; the instructor
/// signs in with the token, sees the row with the name and the checkpoint within a deadline,
/// filters and sorts, marks the run as the demo; another trainee's home page offers to watch it;
/// the instructor stops the trainee's runs and their home page says how the run ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_trainees_progress_and_the_demo_reach_every_page() {
    run_flow_with("classroom", |settings| {
        settings.instructor_token = Some("browser-flow-token".into());
    })
    .await;
}

/// Export and replay: a run with duplicates watched live through `?view=watch` (no control shown,
/// nothing but GETs sent), exported, opened on `/replay` through the file input and played to the
/// end: the counters recounted from the events equal the exported ledger; scrubbing back rebuilds
/// the view; a broken file shows its error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_run_replays_to_the_same_ledger_and_the_watch_view_is_read_only() {
    run_flow("replay").await;
}
