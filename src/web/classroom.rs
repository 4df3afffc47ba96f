//! The classroom's API: the trainee's own session (display name, runs, progress), the demo
//! run, and the instructor's endpoints (sign-in with `LABS_INSTRUCTOR_TOKEN`, the class table
//! and its live stream, marking the demo, stopping a trainee's runs).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::access::{find_run, instructor_only};
use super::api::Body;
use super::{AppError, AppState};
use crate::classroom::{ClassUpdate, Need, Session, Viewer, INSTRUCTOR_COOKIE};
use crate::domain::event::now_ms;
use crate::i18n::ErrorCode;
use crate::run::{EndReason, LabRun};

/// A display name: 1 to this many characters, no control characters.
pub const MAX_NAME_CHARS: usize = 40;

fn store_error(e: crate::classroom::StoreError) -> AppError {
    AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Classroom,
        format!("the classroom database cannot answer: {e}"),
    )
    .with("detail", e.to_string())
}

/// A live run as the trainee's list and the instructor's table show it.
fn live_run(run: &LabRun) -> serde_json::Value {
    let summary = run.summary();
    serde_json::json!({
        "id": run.id,
        "lab": run.lab.lab.id,
        "created_ms": run.created_ms,
        "processed": summary.processed,
        "duplicates": summary.duplicates,
        "lost": summary.lost,
        "page": format!("/labs/{}?run={}", run.lab.lab.id, run.id),
        "watch": format!("/labs/{}?run={}&view=watch", run.lab.lab.id, run.id),
    })
}

/// `GET /api/session`: the trainee's name, live runs and progress (checkpoints reached and
/// past runs by lab), and the demo if there is one.
pub async fn get_session(
    State(state): State<AppState>,
    session: Session,
) -> Result<impl IntoResponse, AppError> {
    let record = state
        .classroom
        .store
        .trainee(&session.id)
        .await
        .map_err(store_error)?;
    let live: Vec<_> = state
        .runs
        .list_of(&session.id)
        .iter()
        .map(|r| live_run(r))
        .collect();
    Ok(Json(serde_json::json!({
        "name": record.name,
        "tag": record.tag,
        "live_runs": live,
        "labs": record.labs,
        "demo": demo_json(&state),
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    name: Option<String>,
}

/// `PUT /api/session` `{"name": "김하늘"}`: the display name the instructor sees (`null` or
/// empty clears it).
pub async fn set_name(
    State(state): State<AppState>,
    session: Session,
    Body(body): Body<NameBody>,
) -> Result<impl IntoResponse, AppError> {
    let name = body
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(n) = &name {
        if n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
            return Err(AppError::field(
                "name",
                ErrorCode::DisplayName,
                format!("field `name`: 1 to {MAX_NAME_CHARS} characters, no control characters"),
            )
            .with("max", MAX_NAME_CHARS));
        }
    }
    let trainee = state
        .classroom
        .store
        .set_name(&session.id, name.clone(), now_ms() as i64)
        .await
        .map_err(store_error)?;
    state.classroom.learn_tag(&session.id, &trainee);
    state.classroom.publish(ClassUpdate::Name {
        trainee,
        name: name.clone(),
    });
    Ok(Json(serde_json::json!({ "name": name })))
}

fn demo_json(state: &AppState) -> serde_json::Value {
    match state.classroom.demo().and_then(|id| state.runs.get(&id)) {
        Some(run) => serde_json::json!({
            "run": run.id,
            "lab": run.lab.lab.id,
            "watch": format!("/labs/{}?run={}&view=watch", run.lab.lab.id, run.id),
        }),
        None => serde_json::Value::Null,
    }
}

/// `GET /api/demo`: the demo run (`null` when there is none).
pub async fn get_demo(State(state): State<AppState>) -> impl IntoResponse {
    Json(serde_json::json!({ "demo": demo_json(&state) }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    token: Option<String>,
}

/// `POST /api/instructor/login` `{"token": "…"}`: the token for an instructor cookie.
pub async fn login(
    State(state): State<AppState>,
    Body(body): Body<LoginBody>,
) -> Result<Response, AppError> {
    if !state.classroom.has_instructor() {
        return Err(no_instructor());
    }
    let key = body
        .token
        .as_deref()
        .and_then(|t| state.classroom.instructor_login(t))
        .ok_or_else(|| {
            AppError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::BadToken,
                "that is not the instructor token",
            )
        })?;
    let cookie = cookie::Cookie::build((INSTRUCTOR_COOKIE, key))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .build();
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

pub fn no_instructor() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NoInstructor,
        "this server has no instructor: start it with LABS_INSTRUCTOR_TOKEN set",
    )
}

/// `GET /api/instructor/class`: every trainee with their progress and live runs, the labs
/// with their checkpoints (the table's columns), and the demo.
pub async fn class(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<impl IntoResponse, AppError> {
    instructor_only(&state, &viewer)?;
    Ok(Json(class_snapshot(&state).await?))
}

async fn class_snapshot(state: &AppState) -> Result<serde_json::Value, AppError> {
    let trainees = state.classroom.store.class().await.map_err(store_error)?;
    let live = state.runs.list();
    let rows: Vec<_> = trainees
        .iter()
        .map(|t| {
            let live: Vec<_> = live
                .iter()
                .filter(|r| r.owner == t.session)
                .map(|r| live_run(r))
                .collect();
            serde_json::json!({
                "trainee": t.tag,
                "name": t.name,
                "labs": t.labs,
                "live_runs": live,
            })
        })
        .collect();
    let labs: Vec<_> = state
        .labs
        .list()
        .iter()
        .map(|l| {
            serde_json::json!({
                "id": l.lab.id,
                "title": l.lab.title,
                "checkpoints": l.lab.checkpoints.iter().map(|c| serde_json::json!({"id": c.id, "text": c.text})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(serde_json::json!({
        "trainees": rows,
        "labs": labs,
        "demo": demo_json(state),
        "at_ms": now_ms(),
    }))
}

/// `GET /api/instructor/events`: the class table, live. First a `class` event (the whole
/// table), then each update as it is stored (`update`), and every second the live runs'
/// ledger numbers (`runs`). A reader that falls behind gets a fresh `class` event.
pub async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<impl IntoResponse, AppError> {
    instructor_only(&state, &viewer)?;
    let mut updates = state.classroom.subscribe();
    let first = class_snapshot(&state).await?;
    let shutdown = state.shutdown.clone();
    let stream = async_stream::stream! {
        yield json_event("class", &first);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => {
                    yield Event::default().event("end").data("server shutting down");
                    break;
                }
                u = updates.recv() => match u {
                    Ok(update) => yield json_event("update", &update),
                    Err(RecvError::Lagged(_)) => {
                        if let Ok(snapshot) = class_snapshot(&state).await {
                            yield json_event("class", &snapshot);
                        }
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = tick.tick() => {
                    let runs: Vec<_> = state.runs.list().iter().map(|r| {
                        let mut v = live_run(r);
                        v["trainee"] = state.classroom.tag_of(&r.owner).into();
                        v
                    }).collect();
                    yield json_event("runs", &runs);
                }
            }
        }
    };
    Ok(Sse::new(stream.map(Ok::<_, Infallible>)).keep_alive(KeepAlive::default()))
}

fn json_event(kind: &str, value: &impl serde::Serialize) -> Event {
    Event::default()
        .event(kind)
        .data(serde_json::to_string(value).unwrap_or_default())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DemoBody {
    /// The run to show everyone (`null` ends the demo).
    run: Option<String>,
}

/// `PUT /api/instructor/demo` `{"run": "r…"}`: every trainee's home page offers to watch it.
pub async fn set_demo(
    State(state): State<AppState>,
    viewer: Viewer,
    Body(body): Body<DemoBody>,
) -> Result<impl IntoResponse, AppError> {
    instructor_only(&state, &viewer)?;
    if let Some(id) = &body.run {
        find_run(&state, id, &viewer, Need::Control)?;
    }
    state.classroom.set_demo(body.run);
    Ok(Json(serde_json::json!({ "demo": demo_json(&state) })))
}

/// `POST /api/instructor/trainees/{trainee}/stop`: ends every run of one trainee.
pub async fn stop_trainee(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(trainee): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    instructor_only(&state, &viewer)?;
    let class = state.classroom.store.class().await.map_err(store_error)?;
    let Some(t) = class
        .iter()
        .find(|t| t.tag.as_deref() == Some(trainee.as_str()))
    else {
        return Err(
            AppError::not_found(ErrorCode::NoTrainee, format!("no trainee {trainee:?}"))
                .with("trainee", trainee),
        );
    };
    let runs = state.runs.list_of(&t.session);
    let n = runs.len();
    futures::future::join_all(
        runs.iter()
            .map(|r| state.runs.remove(&r.id, EndReason::Instructor)),
    )
    .await;
    Ok(Json(serde_json::json!({ "stopped": n })))
}
