//! Who is asking, and whether they may touch a run: [`Viewer`] (the session, and whether it
//! holds the instructor's cookie) and [`find_run`], the one place every run route looks a run
//! up. Another trainee's run is answered as not found; the demo is read-only for trainees.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;

use super::{AppError, AppState};
use crate::classroom::{Denied, Need, Session, Viewer, INSTRUCTOR_COOKIE};
use crate::i18n::ErrorCode;
use crate::run::LabRun;

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(session) = Session::from_request_parts(parts, state).await;
        let jar = CookieJar::from_headers(&parts.headers);
        let instructor = jar
            .get(INSTRUCTOR_COOKIE)
            .is_some_and(|c| state.classroom.is_instructor_key(c.value()));
        Ok(Viewer {
            session: session.id,
            instructor,
        })
    }
}

/// The address of the client a request came from (the TCP peer; no `X-Forwarded-For` is
/// trusted). Requests served by the HTTP loop carry it; others (tests calling the router
/// directly) do not.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The run `id`, if `viewer` may do `need` with it (the run counts as used).
pub fn find_run(
    state: &AppState,
    id: &str,
    viewer: &Viewer,
    need: Need,
) -> Result<Arc<LabRun>, AppError> {
    let not_found = || {
        AppError::not_found(
            ErrorCode::NoRun,
            format!("no run {id:?} (it may have expired)"),
        )
        .with("run", id)
    };
    let run = state.runs.get(id).ok_or_else(not_found)?;
    match state.classroom.access(&run, viewer, need) {
        Ok(()) => {}
        Err(Denied::NotFound) => return Err(not_found()),
        Err(Denied::ReadOnly) => {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ReadOnly,
                "this is the instructor's demo: you can watch it, not drive it",
            ))
        }
    }
    if run.owner == viewer.session {
        run.touch();
    }
    Ok(run)
}

/// 401 unless the viewer holds the instructor's cookie.
pub fn instructor_only(state: &AppState, viewer: &Viewer) -> Result<(), AppError> {
    if !state.classroom.has_instructor() {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NoInstructor,
            "this server has no instructor: start it with LABS_INSTRUCTOR_TOKEN set",
        ));
    }
    if viewer.instructor {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InstructorOnly,
            "only the instructor can do this; sign in at /instructor",
        ))
    }
}
