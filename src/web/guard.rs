//! The web surface's guards, on every request: security headers on every answer (a
//! Content-Security-Policy that allows only our own scripts and styles, no framing, no
//! sniffing, no referrer to other sites, no caching of API answers); state-changing requests
//! only from our own pages (`Origin` / `Sec-Fetch-Site`), so another site cannot drive a
//! trainee's run; and, when the server listens on loopback only, only loopback host names
//! (another site cannot read the API through DNS rebinding).

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppError, AppState};
use crate::i18n::ErrorCode;

/// Our pages load only their own scripts, styles and connections; JSON islands are data.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The host part of a `Host` header or an origin's authority (`[::1]:8080` → `[::1]`).
fn host_name(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .split(']')
            .next()
            .map_or(authority, |h| &authority[..h.len() + 1]);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn is_loopback_name(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn refuse(code: ErrorCode, message: String) -> Response {
    AppError::new(StatusCode::FORBIDDEN, code, message).into_response()
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    if state.loopback_only && !is_loopback_name(host_name(&host)) {
        return AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::HostNotAllowed,
            format!("this server listens on loopback only and does not answer for host {host:?}"),
        )
        .with("host", host)
        .into_response()
        .with_headers();
    }
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let cross_site = headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site");
        let foreign_origin = origin.is_some_and(|o| {
            let authority = o.split("://").nth(1).unwrap_or("");
            o == "null" || !authority.eq_ignore_ascii_case(&host)
        });
        if cross_site || foreign_origin {
            return refuse(
                ErrorCode::CrossOrigin,
                format!(
                    "a request from another site ({}) cannot change anything here",
                    origin.unwrap_or("cross-site")
                ),
            )
            .with_headers();
        }
    }
    let api = {
        let path = request.uri().path();
        path.starts_with("/api/") || path.starts_with("/v3/") || path == "/metrics"
    };
    let mut response = next.run(request).await;
    if api {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response.with_headers()
}

trait WithHeaders {
    fn with_headers(self) -> Response;
}

impl WithHeaders for Response {
    /// The security headers every answer carries.
    fn with_headers(mut self) -> Response {
        let h = self.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("localhost"), "localhost");
        assert!(is_loopback_name("LOCALHOST"));
        assert!(is_loopback_name("127.0.0.2"));
        assert!(!is_loopback_name("evil.example"));
        assert!(is_loopback_name("[::1]"));
        assert!(!is_loopback_name("127.0.0.1.evil.example"));
    }
}
