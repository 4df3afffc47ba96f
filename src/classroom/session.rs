//! A trainee's session: an unguessable id kept in an `HttpOnly`, `SameSite=Lax` cookie. The
//! first request without one (a page or an API call) gets a new session, so scripts only need
//! a cookie jar. Ids are 128 random bits; a cookie that is not one of ours is replaced.

use std::fmt;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::web::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "labs_session";

/// How long the browser keeps the cookie (a course runs over days; the store keeps progress).
const COOKIE_MAX_AGE_DAYS: i64 = 180;

/// 128 random bits as 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SessionId(String);

impl SessionId {
    /// A fresh id from the operating system's random source.
    pub fn new() -> SessionId {
        SessionId(random_hex::<16>())
    }

    /// An id as a cookie or a path carried it: exactly 32 lowercase hex digits, else `None`.
    pub fn parse(s: &str) -> Option<SessionId> {
        (s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| SessionId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for SessionId {
    fn default() -> Self {
        SessionId::new()
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `N` random bytes as lowercase hex (run ids, session ids, instructor cookies).
pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The requester's session, put in the request's extensions by [`session_layer`].
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
}

/// Gives every page and API request a session: the cookie's, or a new one set on the answer.
/// Static files, `/metrics` and Burrow's API do not need one.
pub async fn session_layer(
    State(_state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/static/") || path.starts_with("/v3/") || path == "/metrics" {
        return next.run(request).await;
    }
    let known = jar
        .get(SESSION_COOKIE)
        .and_then(|c| SessionId::parse(c.value()));
    let is_new = known.is_none();
    let id = known.unwrap_or_default();
    request.extensions_mut().insert(Session { id: id.clone() });
    let mut response = next.run(request).await;
    if is_new {
        let cookie = Cookie::build((SESSION_COOKIE, id.to_string()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie_max_age())
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn cookie_max_age() -> cookie::time::Duration {
    cookie::time::Duration::days(COOKIE_MAX_AGE_DAYS)
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Session {
    type Rejection = std::convert::Infallible;

    /// The session the layer chose; a fresh one where the layer does not run (never on the
    /// routes that ask for it).
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Session>()
            .cloned()
            .unwrap_or_else(|| Session {
                id: SessionId::new(),
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_128_random_bits_and_parse_strictly() {
        let a = SessionId::new();
        let b = SessionId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(SessionId::parse(a.as_str()), Some(a.clone()));
        for bad in [
            "",
            "abc",
            &a.as_str().to_uppercase(),
            &format!("{}0", a),
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "0123456789abcdef0123456789abcde;",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad:?}");
        }
    }
}
