//! HTML pages (askama templates): the lab list and a lab's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::domain::settings::{OptionRange, OPTION_RANGES};
use crate::lab::LoadedLab;
use crate::run::{LAG_WINDOW_SAMPLES, MAX_PRODUCER_RATE};

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
    /// The server's limits and timings the page explains and checks (`PageRules`).
    rules_json: String,
}

/// Limits and timings the page shows or checks, from where the server defines them.
#[derive(serde::Serialize)]
struct PageRules {
    max_producer_rate: u32,
    lag_window_samples: usize,
    sample_interval_ms: u128,
    /// Each numeric consumer option's inclusive range, by field name.
    options: std::collections::BTreeMap<&'static str, OptionRange>,
}

impl PageRules {
    fn of(state: &AppState) -> Self {
        PageRules {
            max_producer_rate: MAX_PRODUCER_RATE,
            lag_window_samples: LAG_WINDOW_SAMPLES,
            sample_interval_ms: state.runs.sample_interval().as_millis(),
            options: OPTION_RANGES.iter().map(|r| (r.field, *r)).collect(),
        }
    }
}

/// JSON for a `<script type="application/json">` island: `</` cannot appear in it, so it
/// cannot close the script element early.
fn json_island(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace("</", "<\\/")
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
    let lab_json = json_island(&lab.lab);
    let rules_json = json_island(&PageRules::of(&state));
    render(
        LabPage {
            lab,
            bootstrap: state.broker.bootstrap_servers().to_string(),
            embedded: state.broker.is_embedded(),
            lab_json,
            rules_json,
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
