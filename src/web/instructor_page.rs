//! The instructor's page, `/instructor`: how to enable it (no `LABS_INSTRUCTOR_TOKEN`), the
//! token form (not signed in), or the live class table (signed in; drawn by
//! `static/instructor/main.js` from `/api/instructor/events`).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::pages::{render, Chrome};
use super::AppState;
use crate::classroom::Viewer;
use crate::i18n::PageLang;

/// What the page can offer this viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// The server has no instructor token: the page says how to set one.
    Disabled,
    /// The token form.
    SignIn,
    /// The live class table.
    SignedIn,
}

/// A lab in the table's filter, titled in the page's language.
pub(super) struct LabChoice {
    pub(super) id: String,
    pub(super) title: String,
}

#[derive(Template)]
#[template(path = "instructor.html")]
struct InstructorPage<'a> {
    c: Chrome<'a>,
    access: Access,
    labs: Vec<LabChoice>,
}

impl InstructorPage<'_> {
    fn disabled(&self) -> bool {
        self.access == Access::Disabled
    }
    fn signed_in(&self) -> bool {
        self.access == Access::SignedIn
    }
}

/// `GET /instructor`.
pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
) -> Response {
    let access = if !state.classroom.has_instructor() {
        Access::Disabled
    } else if viewer.instructor {
        Access::SignedIn
    } else {
        Access::SignIn
    };
    let labs: Vec<LabChoice> = state
        .labs
        .list()
        .iter()
        .map(|l| LabChoice {
            id: l.lab.id.clone(),
            title: l.lab.title.get(lang).to_string(),
        })
        .collect();
    render(
        InstructorPage {
            c: Chrome::new(&state, lang, &uri),
            access,
            labs,
        },
        StatusCode::OK,
        lang,
    )
}
