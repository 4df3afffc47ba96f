//! HTML pages (askama templates): the lab list and a lab's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::lab::LoadedLab;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    labs: Vec<std::sync::Arc<LoadedLab>>,
    bootstrap: String,
    embedded: bool,
}

#[derive(Template)]
#[template(path = "lab.html")]
struct LabPage {
    lab: std::sync::Arc<LoadedLab>,
    bootstrap: String,
    embedded: bool,
    /// The lab definition for the page script (consumer defaults, controls).
    lab_json: String,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    what: String,
}

fn render(t: impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page rendering failed").into_response()
        }
    }
}

pub async fn home(State(state): State<AppState>) -> Response {
    render(
        HomePage {
            labs: state.labs.list(),
            bootstrap: state.broker.bootstrap_servers().to_string(),
            embedded: state.broker.is_embedded(),
        },
        StatusCode::OK,
    )
}

pub async fn lab_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(lab) = state.labs.get(&id) else {
        return not_found_page(format!("There is no lab called “{id}”."));
    };
    // `</` cannot appear in the JSON island, so it cannot close the script element early.
    let lab_json = serde_json::to_string(&lab.lab)
        .unwrap_or_else(|_| "{}".into())
        .replace("</", "<\\/");
    render(
        LabPage {
            lab,
            bootstrap: state.broker.bootstrap_servers().to_string(),
            embedded: state.broker.is_embedded(),
            lab_json,
        },
        StatusCode::OK,
    )
}

fn not_found_page(what: String) -> Response {
    render(NotFoundPage { what }, StatusCode::NOT_FOUND)
}

pub async fn not_found() -> Response {
    not_found_page("There is no page at this address.".into())
}
