//! The UI text catalogs: one flat JSON object per language, compiled in, checked at start
//! (same keys, no empty value, the same `{placeholders}` in both), and a [`Texts`] handle per
//! page language for the templates.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use super::Lang;

const EN_JSON: &str = include_str!("../../static/i18n/en.json");
const KO_JSON: &str = include_str!("../../static/i18n/ko.json");

/// Why a catalog cannot be used; the message names the language and the key.
#[derive(Debug, thiserror::Error)]
#[error("UI text catalog static/i18n/{lang}.json: {message}")]
pub struct CatalogError {
    pub lang: Lang,
    pub message: String,
}

/// Both languages' texts, by key, with each language's `#i18n` island prepared once.
#[derive(Debug)]
pub struct Catalog {
    en: BTreeMap<String, String>,
    ko: BTreeMap<String, String>,
    island_en: String,
    island_ko: String,
}

/// The `{name}` placeholders of a text.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                names.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

fn parse_one(lang: Lang, json: &str) -> Result<BTreeMap<String, String>, CatalogError> {
    let err = |message: String| CatalogError { lang, message };
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| err("must be one flat JSON object of texts".into()))?;
    let mut texts = BTreeMap::new();
    for (key, v) in object {
        let text = v
            .as_str()
            .ok_or_else(|| err(format!("key `{key}`: the value must be a string")))?;
        if text.trim().is_empty() {
            return Err(err(format!("key `{key}`: the text is empty")));
        }
        texts.insert(key.clone(), text.to_string());
    }
    Ok(texts)
}

fn island(lang: Lang, texts: &BTreeMap<String, String>) -> String {
    serde_json::to_string(&serde_json::json!({ "lang": lang.as_str(), "texts": texts }))
        .expect("texts serialize")
        .replace("</", "<\\/")
}

impl Catalog {
    /// The compiled-in catalogs, checked.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::parse(EN_JSON, KO_JSON)
    }

    /// Parses and checks two catalogs: the same keys, no empty text, and for every key the
    /// same placeholders in both languages.
    pub fn parse(en_json: &str, ko_json: &str) -> Result<Catalog, CatalogError> {
        let en = parse_one(Lang::En, en_json)?;
        let ko = parse_one(Lang::Ko, ko_json)?;
        for (this, other, lang, other_lang) in [
            (&en, &ko, Lang::Ko, Lang::En),
            (&ko, &en, Lang::En, Lang::Ko),
        ] {
            if let Some(key) = this.keys().find(|k| !other.contains_key(*k)) {
                return Err(CatalogError {
                    lang,
                    message: format!(
                        "key `{key}` is missing (static/i18n/{other_lang}.json has it)"
                    ),
                });
            }
        }
        for (key, en_text) in &en {
            let (a, b) = (placeholders(en_text), placeholders(&ko[key]));
            if a != b {
                return Err(CatalogError {
                    lang: Lang::Ko,
                    message: format!(
                        "key `{key}`: placeholders {:?} differ from the English text's {:?}",
                        b, a
                    ),
                });
            }
        }
        Ok(Catalog {
            island_en: island(Lang::En, &en),
            island_ko: island(Lang::Ko, &ko),
            en,
            ko,
        })
    }

    pub fn texts(&self, lang: Lang) -> Texts<'_> {
        Texts {
            lang,
            map: match lang {
                Lang::En => &self.en,
                Lang::Ko => &self.ko,
            },
            island: match lang {
                Lang::En => &self.island_en,
                Lang::Ko => &self.island_ko,
            },
        }
    }

    /// Every key (the same in both languages).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.en.keys().map(String::as_str)
    }
}

/// A count or a number a template shows (askama hands over values or references).
pub trait Count {
    fn value(&self) -> u64;
}

macro_rules! count_for {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn value(&self) -> u64 {
                *self as u64
            }
        }
    )*};
}
count_for!(u32, u64, usize);

impl<T: Count + ?Sized> Count for &T {
    fn value(&self) -> u64 {
        (**self).value()
    }
}

/// One language's texts, for a template: `{{ t.get("page.start") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    pub lang: Lang,
    map: &'a BTreeMap<String, String>,
    island: &'a str,
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl<'a> Texts<'a> {
    /// The text for `key`; the key itself if the catalog lacks it (a test checks that every
    /// key the templates use exists).
    pub fn get<'k>(&self, key: &'k str) -> &'k str
    where
        'a: 'k,
    {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key` with `{name}` replaced by `value`.
    pub fn with(&self, key: &str, name: &str, value: impl Display) -> String {
        self.fill(key, &[(name, &value)])
    }

    /// The text for `key` with two placeholders filled.
    pub fn with2(
        &self,
        key: &str,
        name: &str,
        value: impl Display,
        name2: &str,
        value2: impl Display,
    ) -> String {
        self.fill(key, &[(name, &value), (name2, &value2)])
    }

    /// The text for `key` with every `{name}` of `params` filled.
    pub fn fill(&self, key: &str, params: &[(&str, &dyn Display)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    /// HTML: the text for `key`, escaped, with `{name}` replaced by the text for `value_key`
    /// in `<strong>` (e.g. "Press <strong>Start consumer</strong>.").
    pub fn strong(&self, key: &str, name: &str, value_key: &str) -> String {
        escape_html(self.get(key)).replace(
            &format!("{{{name}}}"),
            &format!("<strong>{}</strong>", escape_html(self.get(value_key))),
        )
    }

    /// `key.one` when `n` is 1, else `key.other`, with `{n}` filled (numbers with separators).
    pub fn count(&self, key: &str, n: impl Count) -> String {
        let n = n.value();
        let which = if n == 1 { "one" } else { "other" };
        let text = self.get_owned(&format!("{key}.{which}"));
        text.replace("{n}", &super::format_number(n, self.lang))
    }

    fn get_owned(&self, key: &str) -> String {
        self.map
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// A number as this language writes it.
    pub fn num(&self, n: impl Count) -> String {
        super::format_number(n.value(), self.lang)
    }

    /// The page's `#i18n` island: `{"lang":"ko","texts":{…}}`, safe inside `<script>`.
    pub fn island(&self) -> &'a str {
        self.island
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogs_are_consistent() {
        let c = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.keys().count() > 0);
    }

    #[test]
    fn differences_are_refused_naming_language_and_key() {
        let e = Catalog::parse(r#"{"a":"A","b":"B"}"#, r#"{"a":"가"}"#).unwrap_err();
        assert_eq!(e.lang, Lang::Ko);
        assert!(
            e.to_string().contains("ko.json") && e.to_string().contains("`b`"),
            "{e}"
        );
        let e = Catalog::parse(r#"{"a":"A"}"#, r#"{"a":"가","c":"다"}"#).unwrap_err();
        assert_eq!(e.lang, Lang::En);
        assert!(e.to_string().contains("`c`"), "{e}");
        let e = Catalog::parse(r#"{"a":"A"}"#, r#"{"a":" "}"#).unwrap_err();
        assert!(
            e.to_string().contains("`a`") && e.to_string().contains("empty"),
            "{e}"
        );
        let e = Catalog::parse(r#"{"a":"{n} x"}"#, r#"{"a":"{m} 가"}"#).unwrap_err();
        assert!(e.to_string().contains("placeholders"), "{e}");
        assert!(Catalog::parse(r#"{"a":"{n} of {m}"}"#, r#"{"a":"{m}의 {n}"}"#).is_ok());
    }

    #[test]
    fn placeholders_are_names_in_braces() {
        let p = placeholders("{a} and {b_c}, not { x } or {}");
        assert_eq!(p.into_iter().collect::<Vec<_>>(), vec!["a", "b_c"]);
    }

    #[test]
    fn texts_fill_escape_and_count() {
        let c = Catalog::parse(
            r#"{"k":"Press {b} <now>","b":"Start & go","n.one":"{n} item","n.other":"{n} items","w":"{x}/{y}"}"#,
            r#"{"k":"{b} 누르세요","b":"시작","n.one":"{n}개","n.other":"{n}개","w":"{x}/{y}"}"#,
        )
        .unwrap();
        let en = c.texts(Lang::En);
        assert_eq!(
            en.strong("k", "b", "b"),
            "Press <strong>Start &amp; go</strong> &lt;now&gt;"
        );
        assert_eq!(en.count("n", 1u64), "1 item");
        assert_eq!(en.count("n", 1200u64), "1,200 items");
        assert_eq!(en.with2("w", "x", 1, "y", "z"), "1/z");
        assert_eq!(en.get("missing"), "missing");
        assert!(c
            .texts(Lang::Ko)
            .island()
            .starts_with(r#"{"lang":"ko","texts":{"#));
    }

    #[test]
    fn the_island_cannot_close_its_script() {
        let c = Catalog::parse(r#"{"a":"</script>"}"#, r#"{"a":"</script>"}"#).unwrap();
        assert!(!c.texts(Lang::En).island().contains("</"));
    }
}
