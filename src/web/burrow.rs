//! Burrow's HTTP API v3 (linkedin/Burrow v1.9.5 `core/internal/httpserver`), same paths and
//! JSON shapes, so a Burrow client or dashboard can point at the app. The cluster is the one
//! the app is connected to (`local` for the embedded broker); the groups are the runs' groups
//! and the watched groups (`/watch`) that have committed (Burrow only knows groups from their
//! commits). A group that is both is answered as the run's.

use axum::extract::{OriginalUri, Path, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::AppState;
use crate::domain::burrow::GroupStatus;
use crate::run::LabRun;

/// The routes under `/v3/kafka`.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/{cluster}", get(cluster_detail))
        .route("/{cluster}/topic", get(topic_list))
        .route("/{cluster}/topic/{topic}", get(topic_detail))
        .route("/{cluster}/topic/{topic}/consumers", get(topic_consumers))
        .route("/{cluster}/consumer", get(consumer_list))
        .route("/{cluster}/consumer/{group}", get(consumer_detail))
        .route("/{cluster}/consumer/{group}/status", get(consumer_status))
        .route("/{cluster}/consumer/{group}/lag", get(consumer_lag))
        .route_layer(axum::middleware::from_fn_with_state(state, check_cluster))
        .route("/", get(cluster_list))
        .fallback(invalid_request)
}

/// The cluster's name in the API: `local` for the embedded broker.
pub fn cluster_name(state: &AppState) -> &'static str {
    if state.broker.is_embedded() {
        "local"
    } else {
        "kafka"
    }
}

#[derive(Serialize)]
struct RequestInfo {
    url: String,
    host: String,
}

fn request_info(uri: &OriginalUri) -> RequestInfo {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let host = HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into())
    });
    RequestInfo {
        url: uri.path().to_string(),
        host: host.clone(),
    }
}

/// Burrow's envelope: `{"error", "message", <key>: <value>, "request"}`, in that order.
fn reply(
    status: StatusCode,
    error: bool,
    message: &str,
    body: Option<(&str, Value)>,
    uri: &OriginalUri,
) -> Response {
    let mut map = serde_json::Map::new();
    map.insert("error".into(), json!(error));
    map.insert("message".into(), json!(message));
    if let Some((key, value)) = body {
        map.insert(key.into(), value);
    }
    map.insert("request".into(), json!(request_info(uri)));
    (status, Json(Value::Object(map))).into_response()
}

fn ok(message: &str, key: &str, value: Value, uri: &OriginalUri) -> Response {
    reply(StatusCode::OK, false, message, Some((key, value)), uri)
}

fn not_found(message: &str, uri: &OriginalUri) -> Response {
    reply(StatusCode::NOT_FOUND, true, message, None, uri)
}

/// Every route with a `{cluster}` answers Burrow's "cluster not found" for another cluster
/// than ours (a route layer: it runs after routing, so the path's parameters are known).
async fn check_cluster(
    State(state): State<AppState>,
    params: RawPathParams,
    uri: OriginalUri,
    request: Request,
    next: Next,
) -> Response {
    let ours = cluster_name(&state);
    if params.iter().any(|(k, v)| k == "cluster" && v != ours) {
        return not_found("cluster not found", &uri);
    }
    next.run(request).await
}

/// The runs whose group Burrow would know: those that committed.
fn known_groups(state: &AppState) -> Vec<std::sync::Arc<LabRun>> {
    state
        .runs
        .list()
        .into_iter()
        .filter(|r| r.burrow_has_commits())
        .collect()
}

async fn cluster_list(State(state): State<AppState>, uri: OriginalUri) -> Response {
    ok(
        "cluster list returned",
        "clusters",
        json!([cluster_name(&state)]),
        &uri,
    )
}

async fn cluster_detail(State(state): State<AppState>, uri: OriginalUri) -> Response {
    let sample_s = state.runs.sample_interval().as_secs_f64();
    let module = json!({
        "class-name": "kafka",
        "servers": state.broker.bootstrap_servers().split(',').collect::<Vec<_>>(),
        "client-profile": {},
        "topic-refresh": sample_s,
        "offset-refresh": sample_s,
    });
    ok("cluster module detail returned", "module", module, &uri)
}

async fn topic_list(State(state): State<AppState>, uri: OriginalUri) -> Response {
    let mut topics: Vec<String> = state.runs.list().iter().map(|r| r.topic.clone()).collect();
    for topic in state.watches.topics() {
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    ok("topic list returned", "topics", json!(topics), &uri)
}

fn run_of_topic(state: &AppState, topic: &str) -> Option<std::sync::Arc<LabRun>> {
    state.runs.list().into_iter().find(|r| r.topic == topic)
}

async fn topic_detail(
    State(state): State<AppState>,
    Path((_cluster, topic)): Path<(String, String)>,
    uri: OriginalUri,
) -> Response {
    let offsets: Vec<i64> = match run_of_topic(&state, &topic) {
        Some(run) => run.gauges().partitions.iter().map(|p| p.log_end).collect(),
        None => match state.watches.topic_offsets(&topic) {
            Some(offsets) => offsets,
            None => return not_found("topic not found", &uri),
        },
    };
    ok("topic offsets returned", "offsets", json!(offsets), &uri)
}

async fn topic_consumers(
    State(state): State<AppState>,
    Path((_cluster, topic)): Path<(String, String)>,
    uri: OriginalUri,
) -> Response {
    let run = run_of_topic(&state, &topic);
    let watched = state.watches.topic_consumers(&topic);
    if run.is_none() && !state.watches.topics().contains(&topic) {
        return not_found("topic not found", &uri);
    }
    let mut groups: Vec<String> = run
        .filter(|r| r.burrow_has_commits())
        .map(|r| r.group.clone())
        .into_iter()
        .collect();
    for group in watched {
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    ok(
        "consumers of topic returned",
        "consumers",
        json!(groups),
        &uri,
    )
}

async fn consumer_list(State(state): State<AppState>, uri: OriginalUri) -> Response {
    let mut groups: Vec<String> = known_groups(&state)
        .iter()
        .map(|r| r.group.clone())
        .collect();
    for group in state.watches.known_groups() {
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    ok("consumer list returned", "consumers", json!(groups), &uri)
}

fn run_of_group(state: &AppState, group: &str) -> Option<std::sync::Arc<LabRun>> {
    known_groups(state).into_iter().find(|r| r.group == group)
}

async fn consumer_detail(
    State(state): State<AppState>,
    Path((_cluster, group)): Path<(String, String)>,
    uri: OriginalUri,
) -> Response {
    state.watches.touch_group(&group);
    let detail = match run_of_group(&state, &group) {
        Some(run) => run.burrow_detail(),
        None => match state.watches.burrow_detail(&group) {
            Some(detail) => detail,
            None => return not_found("consumer group not found", &uri),
        },
    };
    ok("consumer detail returned", "topics", detail, &uri)
}

async fn consumer_status(
    State(state): State<AppState>,
    Path((cluster, group)): Path<(String, String)>,
    uri: OriginalUri,
) -> Response {
    group_status(&state, &cluster, &group, false, &uri)
}

async fn consumer_lag(
    State(state): State<AppState>,
    Path((cluster, group)): Path<(String, String)>,
    uri: OriginalUri,
) -> Response {
    group_status(&state, &cluster, &group, true, &uri)
}

/// `/status` lists the partitions worse than OK, `/lag` all of them. An unknown group is a 404
/// with `error: false` and status NOTFOUND, as in Burrow.
fn group_status(
    state: &AppState,
    cluster: &str,
    group: &str,
    show_all: bool,
    uri: &OriginalUri,
) -> Response {
    state.watches.touch_group(group);
    let found = match run_of_group(state, group) {
        Some(run) => Some(run.burrow_status(cluster, show_all)),
        None => state.watches.burrow_status(cluster, group, show_all),
    };
    let (code, status) = match found {
        Some(status) => (StatusCode::OK, status),
        None => (
            StatusCode::NOT_FOUND,
            crate::domain::burrow::evaluate_group(
                cluster,
                group,
                &[],
                0,
                &Default::default(),
                show_all,
            ),
        ),
    };
    let status: GroupStatus = status;
    reply(
        code,
        false,
        "consumer status returned",
        Some(("status", json!(status))),
        uri,
    )
}

/// Burrow's answer to a path it does not serve.
async fn invalid_request() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": true, "message": "invalid request type", "result": {}})),
    )
        .into_response()
}
