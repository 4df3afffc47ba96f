//! HTML pages (askama templates): the lab list and a lab's page, in the page's language
//! ([`PageLang`]: `?lang=` → cookie → `Accept-Language` → Korean). Every page carries the
//! language's UI texts as the `#i18n` island, `<html lang>`, `Content-Language` and `Vary`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LANGUAGE, VARY};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::home_page::HomePage;
use super::AppState;
use crate::classroom::{Need, Session, Viewer};
use crate::domain::settings::{OptionRange, OPTION_RANGES};
use crate::i18n::{Lang, PageLang, Texts};
use crate::lab::LoadedLab;
use crate::run::BURROW_CLASSROOM;

/// A link of the header's language toggle (`한국어 / English`).
pub(super) struct LangLink {
    pub(super) lang: Lang,
    pub(super) href: String,
    pub(super) current: bool,
}

/// What every page's frame (`base.html`) needs.
pub(super) struct Chrome<'a> {
    pub(super) t: Texts<'a>,
    pub(super) bootstrap: String,
    pub(super) embedded: bool,
    pub(super) langs: Vec<LangLink>,
}

impl<'a> Chrome<'a> {
    pub(super) fn new(state: &'a AppState, lang: Lang, uri: &Uri) -> Chrome<'a> {
        Chrome {
            t: state.texts.texts(lang),
            bootstrap: state.broker.bootstrap_servers().to_string(),
            embedded: state.broker.is_embedded(),
            langs: Lang::ALL
                .iter()
                .map(|&l| LangLink {
                    lang: l,
                    href: toggle_href(uri.query(), l),
                    current: l == lang,
                })
                .collect(),
        }
    }
}

/// `?<the other parameters>&lang=<l>`: the toggle keeps the page's address (e.g. `?run=`).
fn toggle_href(query: Option<&str>, lang: Lang) -> String {
    let rest: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("lang"))
        .collect();
    if rest.is_empty() {
        format!("?lang={lang}")
    } else {
        format!("?{}&lang={lang}", rest.join("&"))
    }
}

#[derive(Template)]
#[template(path = "lab.html")]
struct LabPage<'a> {
    c: Chrome<'a>,
    lab: std::sync::Arc<LoadedLab>,
    /// The lab definition for the page script (consumer defaults, controls), its texts in the
    /// page's language.
    lab_json: String,
    /// The server's limits and timings the page explains and checks (`PageRules`).
    rules_json: String,
    /// Broker faults hit every run on the server: with an instructor, only they inject them.
    faults_allowed: bool,
    /// `?view=watch`: the run drawn live with every control hidden and none sent.
    read_only: bool,
}

impl LabPage<'_> {
    /// The swimlanes and callbacks panels: labs with several consumers or threads.
    fn show_swim(&self) -> bool {
        self.lab.lab.controls.max_consumers > 1 || self.lab.lab.controls.threads
    }
    fn title(&self) -> &str {
        self.lab.lab.title.get(self.c.t.lang)
    }
    fn summary(&self) -> &str {
        self.lab.lab.summary.get(self.c.t.lang)
    }
    fn point(&self) -> &str {
        self.lab.lab.point.get(self.c.t.lang)
    }
    fn instructions_html(&self) -> &str {
        self.lab.instructions_html.get(self.c.t.lang)
    }
    /// The produce-batch button's values: `1–4`, or `1` for one.
    fn batch_values(&self) -> String {
        let batch = &self.lab.lab.controls.produce_batch;
        match (batch.first(), batch.last()) {
            (Some(first), Some(last)) if batch.len() > 1 => format!("{first}–{last}"),
            (Some(first), _) => first.clone(),
            _ => String::new(),
        }
    }
}

/// Limits and timings the page shows or checks, from where the server defines them.
#[derive(serde::Serialize)]
pub(super) struct PageRules {
    max_producer_rate: u32,
    /// Burrow's settings for the runs' groups (`domain::burrow::EvaluatorConfig`).
    burrow: crate::domain::burrow::EvaluatorConfig,
    sample_interval_ms: u128,
    /// Each numeric consumer option's inclusive range, by field name.
    options: std::collections::BTreeMap<&'static str, OptionRange>,
}

impl PageRules {
    pub(super) fn of(state: &AppState) -> Self {
        PageRules {
            max_producer_rate: state.runs.settings().max_producer_rate,
            burrow: BURROW_CLASSROOM,
            sample_interval_ms: state.runs.sample_interval().as_millis(),
            options: OPTION_RANGES.iter().map(|r| (r.field, *r)).collect(),
        }
    }
}

/// JSON for a `<script type="application/json">` island: `</` cannot appear in it, so it
/// cannot close the script element early.
pub(super) fn json_island(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace("</", "<\\/")
}

/// A page that says what went wrong (404, 405): its heading and one line.
#[derive(Template)]
#[template(path = "error_page.html")]
struct ErrorPage<'a> {
    c: Chrome<'a>,
    heading: String,
    what: String,
}

pub(super) fn render(t: impl Template, status: StatusCode, lang: Lang) -> Response {
    match t.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.as_str()));
            headers.insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page rendering failed").into_response()
        }
    }
}

/// The home page: the labs, and the trainee's own name, runs and checkpoints (see
/// [`super::home_page`]).
pub async fn home(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Session,
    uri: Uri,
) -> Response {
    let record = state
        .classroom
        .store
        .trainee(&session.id)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "the home page without progress"))
        .ok();
    let page = HomePage::build(&state, Chrome::new(&state, lang, &uri), &session.id, record);
    render(page, StatusCode::OK, lang)
}

pub async fn lab_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let Some(lab) = state.labs.get(&id) else {
        let what = state.texts.texts(lang).with("page.no_lab", "id", &id);
        return not_found_page(&state, lang, &uri, what);
    };
    // Another trainee's run is not found here either (a run that ended: the page says so).
    for (key, run) in url_params(uri.query()) {
        if matches!(key.as_str(), "run" | "b") {
            if let Some(r) = state.runs.get(&run) {
                if state.classroom.access(&r, &viewer, Need::Read).is_err() {
                    let what = state.texts.texts(lang).with("page.no_run", "id", &run);
                    return not_found_page(&state, lang, &uri, what);
                }
            }
        }
    }
    let lab_json = json_island(&lab.lab.in_lang(lang));
    let rules_json = json_island(&PageRules::of(&state));
    let read_only = is_watch_view(uri.query());
    render(
        LabPage {
            c: Chrome::new(&state, lang, &uri),
            lab,
            lab_json,
            rules_json,
            faults_allowed: !state.classroom.has_instructor() || viewer.instructor,
            read_only,
        },
        StatusCode::OK,
        lang,
    )
}

/// Whether the query asks for the read-only view (`view=watch`).
fn is_watch_view(query: Option<&str>) -> bool {
    query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair == "view=watch")
}

fn not_found_page(state: &AppState, lang: Lang, uri: &Uri, what: String) -> Response {
    let heading = state.texts.texts(lang).get("page.not_found").to_string();
    render(
        ErrorPage {
            c: Chrome::new(state, lang, uri),
            heading,
            what,
        },
        StatusCode::NOT_FOUND,
        lang,
    )
}

/// A page (or `/metrics`) asked with a method it does not take, e.g. a form posted to `/`:
/// 405 with a page that says so (axum keeps the `Allow` header).
pub async fn method_not_allowed(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
) -> Response {
    let texts = state.texts.texts(lang);
    render(
        ErrorPage {
            c: Chrome::new(&state, lang, &uri),
            heading: texts.get("page.method_not_allowed").to_string(),
            what: texts.get("page.method_not_allowed_what").to_string(),
        },
        StatusCode::METHOD_NOT_ALLOWED,
        lang,
    )
}

pub async fn not_found(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
) -> Response {
    let what = state.texts.texts(lang).get("page.no_page").to_string();
    not_found_page(&state, lang, &uri, what)
}

/// A query string's `key=value` pairs, decoded.
fn url_params(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;

    #[test]
    fn the_toggle_keeps_the_other_parameters() {
        assert_eq!(toggle_href(None, Lang::En), "?lang=en");
        assert_eq!(toggle_href(Some("run=r1"), Lang::Ko), "?run=r1&lang=ko");
        assert_eq!(toggle_href(Some("lang=ko&a=b"), Lang::En), "?a=b&lang=en");
    }

    #[test]
    fn the_watch_view_is_asked_for_by_its_parameter() {
        assert!(is_watch_view(Some("run=r1&view=watch")));
        assert!(is_watch_view(Some("view=watch")));
        assert!(!is_watch_view(Some("run=r1&view=watching")));
        assert!(!is_watch_view(Some("run=r1")));
        assert!(!is_watch_view(None));
    }

    /// Every `t.get("…")`, `t.with("…"` … key the templates use is in the catalogs.
    #[test]
    fn every_template_key_is_in_the_catalogs() {
        let catalog = Catalog::builtin().unwrap();
        let keys: std::collections::BTreeSet<&str> = catalog.keys().collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut used = 0;
        // The templates and those they include from subdirectories (`run/`).
        let mut paths = vec![];
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                paths.push(path);
            }
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            for key in template_keys(&text) {
                used += 1;
                let known = keys.contains(key.as_str())
                    || (keys.contains(format!("{key}.one").as_str())
                        && keys.contains(format!("{key}.other").as_str()));
                assert!(
                    known,
                    "{}: key `{key}` is not in static/i18n/*.json",
                    path.display()
                );
            }
        }
        assert!(used > 50, "only {used} keys found in the templates");
    }

    /// String literals in the templates that look like catalog keys (`page.x`, `home.x`, …).
    fn template_keys(text: &str) -> Vec<String> {
        let mut keys = vec![];
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find('"') else { break };
            let candidate = &rest[..end];
            let prefixed = ["page.", "home.", "err.", "lang.", "watch.", "instructor."]
                .iter()
                .any(|p| candidate.starts_with(p));
            if prefixed
                && candidate
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                keys.push(candidate.to_string());
            }
        }
        keys
    }
}
