//! Korean and English: the page language ([`Lang`], negotiated per request), the UI text
//! catalogs (`static/i18n/{en,ko}.json`, compiled in and checked at start: [`Catalog`]),
//! texts written in both languages in lab files ([`Text`]) and error codes ([`ErrorCode`]).

mod catalog;
mod error_code;
mod negotiate;

pub use catalog::{placeholders, Catalog, CatalogError, Texts};
pub use error_code::{Coded, ErrorCode};
pub use negotiate::{from_accept_language, from_cookie_header, PageLang, LANG_COOKIE};

use serde::{Deserialize, Serialize};

/// A page language. Korean is the default: the course is a Korean one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The BCP 47 tag (`ko`, `en`), as in `<html lang>`, `?lang=` and the cookie.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// `ko` or `en` (exactly, as `?lang=` and the cookie carry it); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// A language tag's primary subtag (`ko-KR` → ko, `EN-us` → en).
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::parse(&primary)
    }
}

impl From<&Lang> for Lang {
    fn from(lang: &Lang) -> Lang {
        *lang
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text written in both languages, as lab files carry it (`title.en`, `title.ko`). Both are
/// required: [`Text::check`] names what is missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with `en` and `ko` texts")]
pub struct Text {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ko: Option<String>,
}

impl Text {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Text {
        Text {
            en: Some(en.into()),
            ko: Some(ko.into()),
        }
    }

    /// The text in `lang` (empty if the file lacks it; loading refuses such files).
    pub fn get(&self, lang: impl Into<Lang>) -> &str {
        match lang.into() {
            Lang::En => self.en.as_deref(),
            Lang::Ko => self.ko.as_deref(),
        }
        .unwrap_or_default()
    }

    pub fn en(&self) -> &str {
        self.get(Lang::En)
    }

    pub fn ko(&self) -> &str {
        self.get(Lang::Ko)
    }

    /// Both languages present and not blank; the error names `field.<lang>`.
    pub fn check(&self, field: &str) -> Result<(), String> {
        for lang in Lang::ALL {
            let value = match lang {
                Lang::En => &self.en,
                Lang::Ko => &self.ko,
            };
            match value {
                None => {
                    return Err(format!(
                        "field `{field}.{lang}` is missing: every text needs both en and ko"
                    ))
                }
                Some(v) if v.trim().is_empty() => {
                    return Err(format!(
                        "field `{field}.{lang}` is empty: every text needs both en and ko"
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// `n` with thousands separators, as both languages write numbers (`1,000`; Korean uses the
/// same digits and commas).
pub fn format_number(n: u64, _lang: Lang) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_by_primary_subtag() {
        assert_eq!(Lang::of_tag("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::of_tag("EN-us"), Some(Lang::En));
        assert_eq!(Lang::of_tag("fr"), None);
        assert_eq!(Lang::of_tag("*"), None);
        assert_eq!(Lang::parse("ko"), Some(Lang::Ko));
        assert_eq!(Lang::parse("xx"), None);
    }

    #[test]
    fn texts_need_both_languages() {
        assert!(Text::new("a", "가").check("title").is_ok());
        let t: Text = toml::from_str("en = \"a\"").unwrap();
        let e = t.check("checkpoints[0].text").unwrap_err();
        assert!(e.contains("`checkpoints[0].text.ko` is missing"), "{e}");
        let t: Text = toml::from_str("en = \" \"\nko = \"가\"").unwrap();
        assert!(t
            .check("title")
            .unwrap_err()
            .contains("`title.en` is empty"));
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_number(0, Lang::Ko), "0");
        assert_eq!(format_number(999, Lang::En), "999");
        assert_eq!(format_number(1000, Lang::Ko), "1,000");
        assert_eq!(format_number(3_600_000, Lang::En), "3,600,000");
    }
}
