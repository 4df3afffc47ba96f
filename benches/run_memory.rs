//! `cargo bench --bench run_memory`: issue 16's finding 9. Rounds of create a run → fill its
//! topic (2,000 records of 10 kB in 20 calls, on 3 partitions: past the embedded broker's 5 MiB retention
//! per partition) → delete it, with no run left between rounds; prints the server process's RSS
//! after each round. Before deleted runs' topics were purged, every round kept ~15 MiB more.

mod common;

use serde_json::json;

const ROUNDS: usize = 8;
const BATCHES: usize = 20;
const PER_BATCH: usize = 100;
const VALUE_BYTES: usize = 10_000;

/// This process's resident set (the server and its embedded broker live in it), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let rt = common::runtime();
    rt.block_on(async {
        let mut settings = common::settings();
        settings.max_produce_records = PER_BATCH;
        let (server, base, client) = common::start_with(settings).await;
        println!("machine: {}", common::machine());
        let value = "x".repeat(VALUE_BYTES);
        let values = vec![value; PER_BATCH];
        let start = rss_mib();
        println!("RSS before the first round: {start:.0} MiB");
        let mut after = Vec::new();
        for round in 1..=ROUNDS {
            let (run, _) = common::create_run(&client, &base, "simple-consumer").await;
            for _ in 0..BATCHES {
                common::post(
                    &client,
                    format!("{base}/api/runs/{run}/produce"),
                    json!({ "values": values }),
                )
                .await;
            }
            let filled = rss_mib();
            let deleted = client
                .delete(format!("{base}/api/runs/{run}"))
                .send()
                .await
                .expect("delete");
            assert!(deleted.status().is_success(), "{}", deleted.status());
            let rss = rss_mib();
            println!("round {round}: filled {filled:.0} MiB, after delete {rss:.0} MiB");
            after.push(rss);
        }
        let growth = (after[ROUNDS - 1] - after[1]) / (ROUNDS - 2) as f64;
        println!(
            "RSS after delete: round 2 {:.0} MiB, round {ROUNDS} {:.0} MiB: {growth:+.1} MiB per round \
             ({:.0} MiB of records written per round)",
            after[1],
            after[ROUNDS - 1],
            (BATCHES * PER_BATCH * VALUE_BYTES) as f64 / 1048576.0
        );
        server.shutdown().await;
    });
}
