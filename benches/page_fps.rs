//! `cargo bench --bench page_fps`: issue 15's goal 3, "the lab page stays at 60 fps drawing
//! 10,000 events/s". Starts the server (embedded broker, real worker processes) and runs
//! `node benches/page_fps.mjs <base>`, which opens a lab page in Debian's Chromium through
//! playwright-core, starts a consumer and measures the page's frames (requestAnimationFrame,
//! long animation frames, long tasks) with nothing produced, then with the run's background
//! producer at `RATE` records/s, side by side in one run. Prints node's lines.
//!
//! Needs `/usr/bin/chromium` and `node_modules/playwright-core` (`bash .ci/browser-deps.sh`);
//! without them it says so and does nothing. Env passed on to the script: `LAB`
//! (simple-consumer), `RATE` (10000), `IDLE_SECS` (3), `LOAD_SECS` (10), `PROFILE`, `TRACE`.
//! `STATIC_DIR=<dir>` serves the pages from another tree (e.g. another worktree's `static/`),
//! to measure two versions of the page one after the other on the same server build.

mod common;

use std::path::Path;

/// The background producer's rate the page must keep up with, records/s.
const RATE: u32 = 10_000;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
        (
            "node_modules/playwright-core",
            root.join("node_modules/playwright-core/package.json")
                .exists(),
        ),
    ]
    .into_iter()
    .filter(|(_, there)| !there)
    .map(|(what, _)| what)
    .collect();
    if !missing.is_empty() {
        println!(
            "page_fps: SKIPPED, needs {} (bash .ci/browser-deps.sh)",
            missing.join(", ")
        );
        return;
    }
    let rt = common::runtime();
    rt.block_on(bench(root));
}

async fn bench(root: &Path) {
    let rate: u32 = std::env::var("RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RATE);
    let mut settings = common::settings();
    settings.max_producer_rate = rate;
    // The page's log and lanes are fed from the live stream; the run's own log keeps more.
    settings.log_capacity = 50_000;
    if let Some(dir) = std::env::var_os("STATIC_DIR") {
        settings.static_dir = Some(dir.into());
    }
    let (server, base, _client) = common::start_with(settings).await;
    println!(
        "page_fps: a lab page in Chromium, one consumer, background producer {rate} records/s, pages from {} ({})",
        std::env::var("STATIC_DIR").unwrap_or_else(|_| "static/".into()),
        common::machine()
    );
    let output = tokio::process::Command::new("node")
        .arg(root.join("benches/page_fps.mjs"))
        .arg(&base)
        .env("RATE", rate.to_string())
        .current_dir(root)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node runs");
    server.shutdown().await;
    print!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "page_fps.mjs: {}", output.status);
}
