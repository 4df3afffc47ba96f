//! `cargo bench --bench latency`: issue 15's goal 1, live latency. 1,000 single-record produces
//! through the API, one at a time a random 0–20 ms after the previous record was seen (a trainee
//! pressing "produce" at no particular phase of the consumer's fetch cycle), while one lab
//! consumer polls with the course's 1 s timeout and one SSE client follows the run. Runs it
//! twice in one process: with the consumer's old fixed `fetch.wait.max.ms` of 100 ms, then with
//! the server's default (`LABS_FETCH_WAIT_MS` unset). Prints produce → `record` on the SSE
//! stream as p50/p99 and their ratio to the goal, and the hops from the events' own `ts` stamps:
//! - to worker: the request sent → the worker's `record` event (produce, broker, fetch, poll),
//! - deliver: the worker's `record` → the SSE client has it (worker stdout, server reader,
//!   state, log, broadcast, SSE writer),
//! - aside, API → acked: the request sent → the server's `produced` event (the delivery report;
//!   it may come after the worker has read the record).

mod common;

use std::time::Duration;

use common::{create_run, machine, now_ms, post, quantile, sorted, Jitter};
use futures::StreamExt;
use serde_json::{json, Value};

const PRODUCES: usize = 1_000;
const GOAL_P50_MS: f64 = 10.0;
const GOAL_P99_MS: f64 = 25.0;

/// One SSE event of interest, with when the client got it.
struct Seen {
    kind: String,
    value: String,
    ts: f64,
    arrived_ms: f64,
}

fn main() {
    let rt = common::runtime();
    rt.block_on(async {
        println!(
            "live latency, {PRODUCES} single-record produces, 1 consumer polling 1 s, 1 SSE client"
        );
        bench("fetch.wait.max.ms 100 (before)", Some(100)).await;
        bench("default (LABS_FETCH_WAIT_MS unset)", None).await;
    });
}

async fn bench(label: &str, fetch_wait_ms: Option<u64>) {
    let mut settings = common::settings();
    settings.fetch_wait_ms = fetch_wait_ms;
    let (server, base, client) = common::start_with(settings).await;
    let (id, _topic) = create_run(&client, &base, "simple-consumer").await;
    post(
        &client,
        format!("{base}/api/runs/{id}/consumers"),
        json!({ "poll_timeout_ms": 1000 }),
    )
    .await;
    common::wait_view(&server, &id, Duration::from_secs(30), |v| {
        v.consumers.first().is_some_and(|c| !c.assigned.is_empty())
    })
    .await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Seen>();
    let sse = {
        use eventsource_stream::Eventsource;
        let r = client
            .get(format!("{base}/api/runs/{id}/events"))
            .send()
            .await
            .expect("sse");
        let mut events = r.bytes_stream().eventsource();
        tokio::spawn(async move {
            while let Some(Ok(e)) = events.next().await {
                let arrived_ms = now_ms();
                let Ok(v) = serde_json::from_str::<Value>(&e.data) else {
                    continue;
                };
                let kind = v["type"].as_str().unwrap_or_default();
                if kind == "record" || kind == "produced" {
                    let _ = tx.send(Seen {
                        kind: kind.to_string(),
                        value: v["value"].as_str().unwrap_or_default().to_string(),
                        ts: v["ts"].as_f64().unwrap_or_default(),
                        arrived_ms,
                    });
                }
            }
        })
    };

    let mut jitter = Jitter::new(0x15);
    let (mut total, mut ack, mut to_worker, mut deliver) = (vec![], vec![], vec![], vec![]);
    for i in 0..PRODUCES {
        tokio::time::sleep(jitter.next(20)).await;
        let value = format!("lat-{i}");
        let sent = now_ms();
        post(
            &client,
            format!("{base}/api/runs/{id}/produce"),
            json!({ "values": [value] }),
        )
        .await;
        // The worker may read the record before the producer's acknowledgement is back (the
        // `produced` event is logged when the delivery report arrives): take both, any order.
        let (mut produced_ts, mut record) = (None, None);
        while produced_ts.is_none() || record.is_none() {
            let s = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("the record within 10 s")
                .expect("stream open");
            if s.value != value {
                continue;
            }
            if s.kind == "produced" {
                produced_ts = Some(s.ts);
            } else {
                record = Some(s);
            }
        }
        let (produced_ts, seen) = (produced_ts.unwrap_or_default(), record.expect("record"));
        total.push(seen.arrived_ms - sent);
        ack.push(produced_ts - sent);
        to_worker.push(seen.ts - sent);
        deliver.push(seen.arrived_ms - seen.ts);
    }
    sse.abort();
    let (total, ack, to_worker, deliver) = (
        sorted(total),
        sorted(ack),
        sorted(to_worker),
        sorted(deliver),
    );
    let p = |xs: &[f64], q| quantile(xs, q);
    println!("{label} ({})", machine());
    println!(
        "  produce → record on SSE   p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        p(&total, 0.5),
        p(&total, 0.99),
        p(&total, 1.0)
    );
    println!(
        "  ratio to goal             p50 {:>7.2}     p99 {:>7.2}      (goal p50 ≤ {GOAL_P50_MS} ms, p99 ≤ {GOAL_P99_MS} ms; ≤ 1 meets it)",
        p(&total, 0.5) / GOAL_P50_MS,
        p(&total, 0.99) / GOAL_P99_MS
    );
    for (name, xs) in [
        ("  hop to worker (API → record)", &to_worker),
        ("  hop deliver (record → SSE)", &deliver),
        ("  aside: API → acked", &ack),
    ] {
        println!(
            "{name:<30} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            p(xs, 0.5),
            p(xs, 0.99),
            p(xs, 1.0)
        );
    }
    server.shutdown().await;
}
