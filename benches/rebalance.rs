//! `cargo bench --bench rebalance`: issue 15's goal 4. Two consumers of the rebalance lab (6
//! partitions, range); one is stopped (SIGTERM: wakeup, commit, close, leave group) or killed
//! (SIGKILL: the group notices at the session timeout), and the other gets all 6 partitions.
//! Per cycle, from the events' `ts` and the SSE client's clock:
//! - the broker's rebalance: the stop / kill request → the survivor's `partitions_assigned`
//!   callback ran (its worker's `ts`),
//! - what we add: that callback → the event on the SSE stream (what the swimlanes draw from),
//! - the request → the stopped consumer's `wakeup` / `killed` event on the stream.

mod common;

use std::time::Duration;

use common::{create_run, now_ms, post, quantile, sorted};
use futures::StreamExt;
use serde_json::{json, Value};

const CYCLES: usize = 5;
const GOAL_ADDED_MS: f64 = 50.0;

struct Seen {
    v: Value,
    arrived_ms: f64,
}

/// One action's samples, sorted: the broker's rebalance, what we add, the request → notice.
struct Row {
    action: &'static str,
    broker: Vec<f64>,
    added: Vec<f64>,
    notice: Vec<f64>,
}

fn main() {
    let rt = common::runtime();
    rt.block_on(bench());
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Seen>, what: &str) -> Seen {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("{what} within 30 s"))
        .expect("stream open")
}

async fn bench() {
    let (server, base, client) = common::start().await;
    let (id, _) = create_run(&client, &base, "rebalance").await;
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
                if let Ok(v) = serde_json::from_str::<Value>(&e.data) {
                    let _ = tx.send(Seen { v, arrived_ms });
                }
            }
        })
    };
    let add = || {
        post(
            &client,
            format!("{base}/api/runs/{id}/consumers"),
            json!({}),
        )
    };
    add().await;
    add().await;
    let mut rows: Vec<Row> = vec![];
    for action in ["stop", "kill"] {
        let (mut broker, mut added, mut notice) = (vec![], vec![], vec![]);
        for _ in 0..CYCLES {
            // Both consumers own partitions: the group is stable.
            common::wait_view(&server, &id, Duration::from_secs(60), |v| {
                let live: Vec<_> = v.consumers.iter().filter(|c| c.status.is_live()).collect();
                live.len() == 2 && live.iter().all(|c| !c.assigned.is_empty())
            })
            .await;
            let view = server.state.runs.get(&id).expect("run").view();
            let live: Vec<String> = view
                .consumers
                .iter()
                .filter(|c| c.status.is_live())
                .map(|c| c.id.clone())
                .collect();
            let (gone, survivor) = (live[0].clone(), live[1].clone());
            while rx.try_recv().is_ok() {}
            let sent = now_ms();
            post(
                &client,
                format!("{base}/api/runs/{id}/consumers/{gone}/{action}"),
                json!({}),
            )
            .await;
            let signal = if action == "stop" { "wakeup" } else { "killed" };
            let mut noticed = None;
            let assigned = loop {
                let s = next(&mut rx, "the survivor's assignment").await;
                let (kind, who) = (s.v["type"].as_str(), s.v["consumer"].as_str());
                if kind == Some(signal) && who == Some(gone.as_str()) {
                    noticed = Some(s.arrived_ms - sent);
                }
                if kind == Some("partitions_assigned")
                    && who == Some(survivor.as_str())
                    && s.v["partitions"].as_array().is_some_and(|p| p.len() == 6)
                {
                    break s;
                }
            };
            let ts = assigned.v["ts"].as_f64().unwrap_or_default();
            broker.push(ts - sent);
            added.push(assigned.arrived_ms - ts);
            notice.extend(noticed);
            add().await;
        }
        rows.push(Row {
            action,
            broker: sorted(broker),
            added: sorted(added),
            notice: sorted(notice),
        });
    }
    sse.abort();
    println!(
        "rebalance display, rebalance lab (6 partitions, range, session timeout 6 s), {CYCLES} cycles each ({})",
        common::machine()
    );
    for Row {
        action,
        broker,
        added,
        notice,
    } in &rows
    {
        let p = |xs: &[f64], q| quantile(xs, q);
        println!(
            "  {action:<5} request → survivor assigned (broker)  p50 {:>8.1} ms  max {:>8.1} ms",
            p(broker, 0.5),
            p(broker, 1.0)
        );
        println!(
            "  {action:<5} assigned → on the stream (we add)     p50 {:>8.2} ms  max {:>8.2} ms  ratio max / goal {:.2} (goal ≤ {GOAL_ADDED_MS} ms)",
            p(added, 0.5),
            p(added, 1.0),
            p(added, 1.0) / GOAL_ADDED_MS
        );
        println!(
            "  {action:<5} request → {} on the stream           p50 {:>8.2} ms  max {:>8.2} ms",
            if *action == "stop" {
                "wakeup"
            } else {
                "killed"
            },
            p(notice, 0.5),
            p(notice, 1.0)
        );
    }
    server.shutdown().await;
}
