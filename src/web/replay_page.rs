//! `/replay`: the page that opens an exported run (`GET /api/runs/{id}/export`) and plays it
//! back through the lab page's drawings. Everything happens in the page (static/replay/): the
//! file never goes to the server. The page carries every lab's definition (the exported lab's
//! Java code, controls and checkpoints) and the page rules the drawings read.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::pages::{json_island, render, Chrome, PageRules};
use super::AppState;
use crate::i18n::PageLang;

/// The largest export the page opens (bytes), as it tells the trainee.
pub const MAX_EXPORT_BYTES: u64 = 50 * 1024 * 1024;

#[derive(Template)]
#[template(path = "replay.html")]
struct ReplayPage<'a> {
    c: Chrome<'a>,
    /// Every lab's definition in the page's language, by lab id.
    labs_json: String,
    rules_json: String,
    max_bytes: u64,
}

impl ReplayPage<'_> {
    /// The course's point under the Java code comes from the exported lab (the page script).
    fn point(&self) -> &str {
        ""
    }
    /// The swimlanes are drawn for any lab; the script hides them for labs with one consumer.
    fn show_swim(&self) -> bool {
        true
    }
}

pub async fn page(State(state): State<AppState>, PageLang(lang): PageLang, uri: Uri) -> Response {
    let labs: serde_json::Map<String, serde_json::Value> = state
        .labs
        .list()
        .iter()
        .map(|l| (l.lab.id.clone(), l.lab.in_lang(lang)))
        .collect();
    render(
        ReplayPage {
            c: Chrome::new(&state, lang, &uri),
            labs_json: json_island(&labs),
            rules_json: json_island(&PageRules::of(&state)),
            max_bytes: MAX_EXPORT_BYTES,
        },
        StatusCode::OK,
        lang,
    )
}
