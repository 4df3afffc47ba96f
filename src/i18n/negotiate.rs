//! Which language a request gets: `?lang=ko|en` on a page (stored in the `lang` cookie, then a
//! redirect to the same address without it) → the `lang` cookie → `Accept-Language` in q order,
//! by primary subtag → Korean. A bad value anywhere is ignored, never an error.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Lang;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// The language of the `lang` cookie in a `Cookie` header (`a=1; lang=en`), if valid.
pub fn from_cookie_header(header: &str) -> Option<Lang> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value.trim().trim_matches('"')))
}

/// The first language of an `Accept-Language` header, in q order, that the labs speak
/// (matched by primary subtag: `ko-KR` → ko). `q=0` means "not this one".
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut ranges: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let mut q = 1.0f32;
            for param in parts {
                if let Some((k, v)) = param.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v.trim().parse().ok().filter(|q: &f32| q.is_finite())?;
                    }
                }
            }
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    // Highest q first; equal q keep the header's order.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.into_iter().find_map(|(_, _, tag)| Lang::of_tag(tag))
}

fn from_headers(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(from_cookie_header);
    cookie
        .or_else(|| {
            headers
                .get_all(ACCEPT_LANGUAGE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(from_accept_language)
        })
        .unwrap_or_default()
}

/// The `lang` query parameter, if present and valid, and the query without any `lang`.
fn split_query(query: &str) -> (Option<Lang>, String) {
    let mut lang = None;
    let mut rest = vec![];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name == "lang" {
            lang = Lang::parse(value).or(lang);
        } else {
            rest.push(pair);
        }
    }
    (lang, rest.join("&"))
}

/// The language of an API request: cookie, then `Accept-Language`, then Korean.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(from_headers(&parts.headers))
    }
}

/// The language of a page. A valid `?lang=` is answered with a redirect (the "rejection")
/// that sets the cookie and drops `lang` from the address, keeping the other parameters.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(query) = parts.uri.query() {
            if let (Some(lang), rest) = split_query(query) {
                let path = parts.uri.path();
                let location = if rest.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{rest}")
                };
                let cookie =
                    format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
                let mut response = StatusCode::SEE_OTHER.into_response();
                let headers = response.headers_mut();
                if let Ok(v) = HeaderValue::from_str(&location) {
                    headers.insert(LOCATION, v);
                }
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    headers.insert(SET_COOKIE, v);
                }
                return Err(response);
            }
        }
        Ok(PageLang(from_headers(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_in_q_order_by_primary_subtag() {
        let al = from_accept_language;
        assert_eq!(al("ko-KR,ko;q=0.9,en;q=0.8"), Some(Lang::Ko));
        assert_eq!(al("en-US"), Some(Lang::En));
        assert_eq!(al("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(al("fr"), None);
        assert_eq!(al("fr-FR,fr;q=0.9,en;q=0.5,ko;q=0.7"), Some(Lang::Ko));
        assert_eq!(al("en;q=0.2, ko-KR;q=0.8"), Some(Lang::Ko));
        assert_eq!(al("ko;q=0, en"), Some(Lang::En));
        assert_eq!(al("ko;q=zz, en"), Some(Lang::En));
        assert_eq!(al("*"), None);
        assert_eq!(al(""), None);
    }

    #[test]
    fn cookie_values() {
        assert_eq!(from_cookie_header("lang=en"), Some(Lang::En));
        assert_eq!(from_cookie_header("a=b; lang=ko; c=d"), Some(Lang::Ko));
        assert_eq!(from_cookie_header("lang=xx"), None);
        assert_eq!(from_cookie_header("slang=en"), None);
    }

    #[test]
    fn cookie_beats_accept_language_which_beats_the_default() {
        let mut h = HeaderMap::new();
        assert_eq!(from_headers(&h), Lang::Ko);
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en-US"));
        assert_eq!(from_headers(&h), Lang::En);
        h.insert(COOKIE, HeaderValue::from_static("lang=ko"));
        assert_eq!(from_headers(&h), Lang::Ko);
        h.insert(COOKIE, HeaderValue::from_static("lang=nope"));
        assert_eq!(from_headers(&h), Lang::En);
    }

    #[test]
    fn the_query_loses_lang_and_keeps_the_rest() {
        assert_eq!(split_query("lang=en"), (Some(Lang::En), String::new()));
        assert_eq!(
            split_query("run=r1&lang=ko&b=2"),
            (Some(Lang::Ko), "run=r1&b=2".into())
        );
        assert_eq!(split_query("lang=xx&run=r1"), (None, "run=r1".into()));
    }
}
