//! "Watch a group": the `/watch` page and `/api/watch` — the outside view and Burrow's
//! evaluation of a consumer group the app did not start (the trainee's own Java project).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::api::{Body, BurrowSettings};
use super::burrow::cluster_name;
use super::pages::{json_island, render, Chrome};
use super::sse::EventsQuery;
use super::{AppError, AppState};
use crate::i18n::{ErrorCode, PageLang};
use crate::run::BURROW_CLASSROOM;
use crate::watch::{Watch, WatchError, MAX_NAME_LEN};

impl From<WatchError> for AppError {
    fn from(e: WatchError) -> Self {
        let coded = e.coded();
        let mut error = match &e {
            WatchError::BadField(field, _) => AppError::field(*field, coded.code, &coded.message),
            WatchError::NoTopic(_) => AppError::not_found(coded.code, &coded.message),
            WatchError::Limit(_) => {
                AppError::new(StatusCode::TOO_MANY_REQUESTS, coded.code, &coded.message)
            }
            WatchError::Broker(_) => {
                AppError::new(StatusCode::BAD_GATEWAY, coded.code, &coded.message)
            }
        };
        for (name, value) in coded.params {
            error = error.with(&name, value);
        }
        error
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateWatch {
    #[serde(default)]
    group: String,
    #[serde(default)]
    topic: String,
    /// Burrow's settings for the group (`intervals`, `min_distance_ms`), as for a run.
    #[serde(default)]
    burrow: BurrowSettings,
}

/// The addresses a page or a script reads the watch at.
fn summary(state: &AppState, w: &Watch) -> serde_json::Value {
    let cluster = cluster_name(state);
    serde_json::json!({
        "id": w.id,
        "group": w.group,
        "topic": w.topic,
        "page": format!("/watch?group={}&topic={}", w.group, w.topic),
        "events": format!("/api/watch/{}/events", w.id),
        "burrow_status": format!("/v3/kafka/{cluster}/consumer/{}/status", w.group),
        "burrow_lag": format!("/v3/kafka/{cluster}/consumer/{}/lag", w.group),
    })
}

/// `POST /api/watch {"group", "topic", "burrow"?}`: 201 with a new watch, 200 with the one that
/// already watches this group on this topic.
pub async fn create(
    State(state): State<AppState>,
    Body(body): Body<CreateWatch>,
) -> Result<impl IntoResponse, AppError> {
    let cfg = body.burrow.config()?;
    let (watch, created) = state.watches.watch(&body.group, &body.topic, cfg).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut answer = summary(&state, &watch);
    answer["created"] = created.into();
    Ok((status, Json(answer)))
}

/// `GET /api/watch`: every watched group with Burrow's status now.
pub async fn list(State(state): State<AppState>) -> impl IntoResponse {
    let watches: Vec<serde_json::Value> = state
        .watches
        .list()
        .iter()
        .map(|w| {
            let view = w.view();
            let mut v = summary(&state, w);
            v["status"] = serde_json::json!(view.lag.as_ref().map(|l| l.status));
            v["totallag"] = serde_json::json!(view.lag.as_ref().map(|l| l.totallag));
            v
        })
        .collect();
    Json(serde_json::json!({ "count": watches.len(), "watches": watches }))
}

fn find(state: &AppState, id: &str) -> Result<std::sync::Arc<Watch>, AppError> {
    let watch = state.watches.get(id).ok_or_else(|| {
        AppError::not_found(
            ErrorCode::NoWatch,
            format!("no watch {id:?} (it may have ended after a while without readers)"),
        )
        .with("watch", id)
    })?;
    watch.touch();
    Ok(watch)
}

/// `GET /api/watch/{id}`: the outside view per partition and Burrow's evaluation now.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let watch = find(&state, &id)?;
    let mut view = serde_json::to_value(watch.view()).unwrap_or_default();
    if let (Some(obj), serde_json::Value::Object(links)) =
        (view.as_object_mut(), summary(&state, &watch))
    {
        for key in ["page", "events", "burrow_status", "burrow_lag"] {
            if let Some(v) = links.get(key) {
                obj.insert(key.into(), v.clone());
            }
        }
    }
    Ok(Json(view))
}

/// `DELETE /api/watch/{id}`: stops watching (its streams end).
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    if state.watches.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(ErrorCode::NoWatch, format!("no watch {id:?}")).with("watch", id))
    }
}

/// `GET /api/watch/{id}/events`: `offsets`, `lag` and `error` events, from `Last-Event-ID` (or
/// `?after=`), then live; `end` when the watch stops or the server shuts down.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: EventsQuery,
    headers: HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    let watch = find(&state, &id)?;
    super::sse::follow(watch, &headers, &query, &state, "watch", ())
}

#[derive(Deserialize, Default)]
pub struct WatchQuery {
    #[serde(default)]
    group: String,
    #[serde(default)]
    topic: String,
}

#[derive(Template)]
#[template(path = "watch.html")]
struct WatchPage<'a> {
    c: Chrome<'a>,
    group: String,
    topic: String,
    cluster: &'static str,
    max_name: usize,
    /// What the page script needs: the cluster, the sampling and Burrow's settings.
    page_json: String,
}

impl WatchPage<'_> {
    /// The group in the API links: the one asked for, else the form's example.
    fn shown_group(&self) -> &str {
        if self.group.is_empty() {
            "my-group"
        } else {
            &self.group
        }
    }

    /// The Java line for the connected cluster's address.
    fn bootstrap_line(&self) -> String {
        format!(
            "props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, \"{}\");",
            self.c.bootstrap
        )
    }

    /// The Java line for the group (a placeholder name until one is typed).
    fn group_line(&self) -> String {
        let group = if self.group.is_empty() {
            "my-group"
        } else {
            &self.group
        };
        format!("props.put(ConsumerConfig.GROUP_ID_CONFIG, \"{group}\");")
    }
}

/// `GET /watch` (and `/watch?group=…&topic=…`, which starts watching as the page loads).
pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    Query(query): Query<WatchQuery>,
) -> Response {
    let cluster = cluster_name(&state);
    let page_json = json_island(&serde_json::json!({
        "cluster": cluster,
        "bootstrap": state.broker.bootstrap_servers(),
        "embedded": state.broker.is_embedded(),
        "group": query.group,
        "topic": query.topic,
        "sample_interval_ms": state.watches.sample_interval().as_millis() as u64,
        "burrow": BURROW_CLASSROOM,
        "max_name": MAX_NAME_LEN,
    }));
    render(
        WatchPage {
            c: Chrome::new(&state, lang, &uri),
            group: query.group,
            topic: query.topic,
            cluster,
            max_name: MAX_NAME_LEN,
            page_json,
        },
        StatusCode::OK,
        lang,
    )
}
