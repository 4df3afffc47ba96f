//! `GET /metrics`: Prometheus (OpenMetrics text) with the names Kafka users already graph —
//! kafka_exporter's `kafka_consumergroup_lag` / `_current_offset` and
//! `kafka_topic_partition_current_offset`, Burrow's `burrow_kafka_consumer_*` — and the app's
//! own gauges and counters. Computed on each scrape from the runs and the watched groups
//! (`/watch`), as Burrow does.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::burrow::cluster_name;
use super::AppState;
use crate::domain::burrow::{GroupStatus, Status};

/// HTTP responses by status code; shared by every request (cheap to clone).
pub type HttpResponses = Family<StatusLabel, Counter>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupPartition {
    consumergroup: String,
    topic: String,
    partition: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TopicPartition {
    topic: String,
    partition: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BurrowGroup {
    cluster: String,
    consumer_group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BurrowPartition {
    cluster: String,
    consumer_group: String,
    topic: String,
    partition: String,
}

/// Counts every response by status (a middleware on the whole app).
pub async fn count_responses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state
        .http_responses
        .get_or_create(&StatusLabel {
            status: response.status().as_u16().to_string(),
        })
        .inc();
    response
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let registry = scrape(&state);
    let mut text = String::new();
    if let Err(e) = encode(&mut text, &registry) {
        tracing::error!(error = %e, "metrics encoding failed");
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "metrics encoding failed",
        )
            .into_response();
    }
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        Body::from(text),
    )
        .into_response()
}

/// The lag families of kafka_exporter and Burrow, filled group by group.
#[derive(Default)]
struct LagFamilies {
    group_lag: Family<GroupPartition, Gauge>,
    group_offset: Family<GroupPartition, Gauge>,
    topic_offset: Family<TopicPartition, Gauge>,
    burrow_status: Family<BurrowGroup, Gauge>,
    burrow_total: Family<BurrowGroup, Gauge>,
    burrow_partition_lag: Family<BurrowPartition, Gauge>,
    burrow_partition_status: Family<BurrowPartition, Gauge>,
}

impl LagFamilies {
    /// kafka_exporter's view of `group` on `topic`: log-end, committed offset (−1 when the
    /// group has none, as kafka_exporter) and lag per partition.
    fn outside(
        &self,
        group: &str,
        topic: &str,
        partitions: impl IntoIterator<Item = (i32, i64, Option<i64>)>,
    ) {
        for (partition, log_end, committed) in partitions {
            let partition = partition.to_string();
            let tp = TopicPartition {
                topic: topic.into(),
                partition: partition.clone(),
            };
            self.topic_offset.get_or_create(&tp).set(log_end);
            let gp = GroupPartition {
                consumergroup: group.into(),
                topic: topic.into(),
                partition,
            };
            self.group_offset
                .get_or_create(&gp)
                .set(committed.unwrap_or(-1));
            self.group_lag
                .get_or_create(&gp)
                .set(committed.map_or(-1, |c| (log_end - c).max(0)));
        }
    }

    /// Burrow's view of a group: its status, total lag, and each partition's lag and status
    /// (the status only for a complete window, as Burrow exports it).
    fn burrow(&self, cluster: &str, status: &GroupStatus) {
        let bg = BurrowGroup {
            cluster: cluster.into(),
            consumer_group: status.group.clone(),
        };
        self.burrow_status
            .get_or_create(&bg)
            .set(status.status.code() as i64);
        self.burrow_total
            .get_or_create(&bg)
            .set(status.totallag as i64);
        for p in &status.partitions {
            let bp = BurrowPartition {
                cluster: cluster.into(),
                consumer_group: status.group.clone(),
                topic: p.topic.clone(),
                partition: p.partition.to_string(),
            };
            self.burrow_partition_lag
                .get_or_create(&bp)
                .set(p.current_lag as i64);
            if p.complete >= 1.0 && p.status != Status::Notfound {
                self.burrow_partition_status
                    .get_or_create(&bp)
                    .set(p.status.code() as i64);
            }
        }
    }

    fn register(self, registry: &mut Registry) {
        registry.register(
            "kafka_consumergroup_lag",
            "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
            self.group_lag,
        );
        registry.register(
            "kafka_consumergroup_current_offset",
            "Current Offset of a ConsumerGroup at Topic/Partition",
            self.group_offset,
        );
        registry.register(
            "kafka_topic_partition_current_offset",
            "Current Offset of a Broker at Topic/Partition",
            self.topic_offset,
        );
        registry.register(
            "burrow_kafka_consumer_status",
            "Burrow's group status: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR",
            self.burrow_status,
        );
        registry.register(
            "burrow_kafka_consumer_lag_total",
            "Burrow's total lag of the group",
            self.burrow_total,
        );
        registry.register(
            "burrow_kafka_consumer_partition_lag",
            "Burrow's current lag of the partition",
            self.burrow_partition_lag,
        );
        registry.register(
            "burrow_kafka_topic_partition_status",
            "Burrow's partition status: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND (complete windows only)",
            self.burrow_partition_status,
        );
    }
}

fn scrape(state: &AppState) -> Registry {
    let cluster = cluster_name(state).to_string();
    let mut registry = Registry::default();
    let lag = LagFamilies::default();
    let (mut workers, mut streams) = (0i64, 0i64);
    let runs = state.runs.list();
    let gauges: Vec<_> = runs.iter().map(|r| r.gauges()).collect();
    for (run, g) in runs.iter().zip(&gauges) {
        workers += g.workers as i64;
        streams += g.streams as i64;
        lag.outside(
            &run.group,
            &run.topic,
            g.partitions
                .iter()
                .map(|p| (p.partition, p.log_end, p.committed)),
        );
        if run.burrow_has_commits() {
            lag.burrow(&cluster, &run.burrow_status(&cluster, true));
        }
    }
    // Watched groups (a group that is also a run's is exported as the run's).
    let run_groups: Vec<&str> = runs.iter().map(|r| r.group.as_str()).collect();
    for watch in state.watches.list() {
        if !run_groups.contains(&watch.group.as_str()) {
            lag.outside(
                &watch.group,
                &watch.topic,
                watch
                    .partitions()
                    .iter()
                    .map(|p| (p.partition, p.log_end, p.committed)),
            );
        }
    }
    for group in state.watches.known_groups() {
        if run_groups.contains(&group.as_str()) {
            continue;
        }
        if let Some(status) = state.watches.burrow_status(&cluster, &group, true) {
            lag.burrow(&cluster, &status);
        }
    }
    lag.register(&mut registry);
    let gauge = |v: i64| {
        let g = Gauge::<i64>::default();
        g.set(v);
        g
    };
    registry.register(
        "labs_runs",
        "Lab runs on the server",
        gauge(runs.len() as i64),
    );
    registry.register(
        "labs_worker_processes",
        "Consumer worker processes running",
        gauge(workers),
    );
    registry.register("labs_sse_streams", "Event streams open", gauge(streams));
    registry.register(
        "labs_events",
        "Lab events logged since the server started",
        ConstCounter::new(state.runs.events_total(&gauges)),
    );
    registry.register(
        "labs_http_responses",
        "HTTP responses by status code",
        state.http_responses.clone(),
    );
    registry
}
