//! Property tests of the parsers that read outside input without the web in between (issue 16,
//! fuzzing): lab files (arbitrary TOML and mutated real lab files give a lab or an error, never
//! a panic), and the language cookie and `Accept-Language` (any header gives a language or
//! none, and a well-formed one gives the right language).

use std::path::{Path, PathBuf};

use kafka_consumer_labs::i18n::{from_accept_language, from_cookie_header, Lang};
use kafka_consumer_labs::lab::LabCatalog;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn real_labs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs");
    let mut labs: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    labs.sort();
    labs
}

/// An edit of a lab file: where (a fraction of its length), what, and how.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, u8),
    Insert(prop::sample::Index, String),
    /// Replaces the value of the line's `key = value` with another.
    Value(prop::sample::Index, String),
    DuplicateLine(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let weird_value = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("9223372036854775807".to_string()),
        Just("99999999999999999999".to_string()),
        Just("-2147483649".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
        Just("\"\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("true".to_string()),
        Just("\"\"\"".to_string()),
        "\"[^\"\\\\]{0,20}\"",
        "[0-9]{1,25}",
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), ".{0,20}").prop_map(|(i, s)| Edit::Insert(i, s)),
        (
            any::<prop::sample::Index>(),
            "[\\[\\]{}=\"'#.\n a-z0-9]{0,20}"
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<prop::sample::Index>(), weird_value).prop_map(|(i, v)| Edit::Value(i, v)),
        any::<prop::sample::Index>().prop_map(Edit::DuplicateLine),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let at = |i: &prop::sample::Index| {
        let mut k = i.index(text.len() + 1);
        while !text.is_char_boundary(k) {
            k -= 1;
        }
        k
    };
    match edit {
        Edit::Delete(i, n) => {
            let from = at(i);
            let mut to = (from + *n as usize).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            format!("{}{}", &text[..from], &text[to..])
        }
        Edit::Insert(i, s) => {
            let k = at(i);
            format!("{}{s}{}", &text[..k], &text[k..])
        }
        Edit::Value(i, v) => {
            let lines: Vec<&str> = text.lines().collect();
            let assignments: Vec<usize> = (0..lines.len())
                .filter(|&n| lines[n].contains(" = "))
                .collect();
            if assignments.is_empty() {
                return text.to_string();
            }
            let n = assignments[i.index(assignments.len())];
            let key = lines[n].split(" = ").next().unwrap();
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[n] = format!("{key} = {v}");
            out.join("\n")
        }
        Edit::DuplicateLine(i) => {
            let lines: Vec<&str> = text.lines().collect();
            let n = i
                .index(lines.len().max(1))
                .min(lines.len().saturating_sub(1));
            let mut out: Vec<&str> = lines.clone();
            if let Some(line) = lines.get(n) {
                out.insert(n, line);
            }
            out.join("\n")
        }
    }
}

/// Loads `text` as the only lab file `<stem>.toml` of a directory (as the server does at start:
/// TOML, validation, and the instructions' Markdown).
fn load(dir: &Path, stem: &str, text: &str) -> Result<(), String> {
    for old in std::fs::read_dir(dir).unwrap().flatten() {
        std::fs::remove_file(old.path()).unwrap();
    }
    std::fs::write(dir.join(format!("{stem}.toml")), text).unwrap();
    let catalog = LabCatalog::load_dir(dir).map_err(|e| e.to_string())?;
    for lab in catalog.list() {
        let _ = (lab.lab.in_lang(Lang::Ko), lab.lab.in_lang(Lang::En));
    }
    Ok(())
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fuzz-labs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mutated_lab_files_load_or_fail_with_a_message() {
    let labs = real_labs();
    let dir = scratch_dir("mutated");
    // The real files load as they are.
    for (stem, text) in &labs {
        load(&dir, stem, text).unwrap();
    }
    let strategy = (
        0..labs.len(),
        prop::collection::vec(edit(), 1..4),
        any::<bool>(),
    );
    runner(1_000)
        .run(&strategy, |(lab, edits, other_stem)| {
            let (stem, text) = &labs[lab];
            let mutated = edits.iter().fold(text.clone(), |t, e| apply(&t, e));
            let stem = if other_stem { "renamed" } else { stem };
            if let Err(message) = load(&dir, stem, &mutated) {
                prop_assert!(!message.is_empty());
            }
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn arbitrary_toml_text_fails_with_a_message() {
    let dir = scratch_dir("arbitrary");
    let strategy = prop_oneof![
        any::<String>(),
        "([a-z_.]{1,12} = (\"[^\"]{0,8}\"|[0-9-]{1,6}|\\[\\]|true)\n){0,12}",
        "(\\[\\[?[a-z.]{1,8}\\]\\]?\n([a-z_]{1,8} = [0-9]{1,3}\n){0,3}){0,4}",
    ];
    runner(500)
        .run(&strategy, |text| {
            match load(&dir, "fuzz", &text) {
                Err(message) => prop_assert!(!message.is_empty()),
                Ok(()) => prop_assert!(false, "a random file loaded as a lab: {text:?}"),
            }
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn any_cookie_header_gives_a_language_or_none() {
    let pair = prop_oneof![
        ("[a-z]{1,6}", "[a-z0-9]{0,6}").prop_map(|(k, v)| format!("{k}={v}")),
        prop::sample::select(vec!["ko", "en", "\"ko\"", " en ", "fr", "", "KO", "ko-KR"])
            .prop_map(|v| format!("lang={v}")),
        ".{0,10}",
    ];
    let strategy = prop_oneof![
        any::<String>(),
        prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("; ")),
    ];
    runner(1_000)
        .run(&strategy, |header| {
            let lang = from_cookie_header(&header);
            // The first `lang` cookie decides; a bad value there means no language.
            let first = header
                .split(';')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim() == "lang")
                .map(|(_, v)| v.trim().trim_matches('"').trim());
            let expected = match first {
                Some("ko") => Some(Lang::Ko),
                Some("en") => Some(Lang::En),
                _ => None,
            };
            prop_assert_eq!(lang, expected, "{:?}", header);
            Ok(())
        })
        .unwrap();
}

#[test]
fn any_accept_language_gives_the_best_language_or_none() {
    let tag = prop::sample::select(vec![
        "ko", "ko-KR", "en", "en-US", "EN-gb", "fr", "de-DE", "*", "zh_Hant", "", "k", "english",
    ]);
    let q = prop_oneof![
        Just(None),
        (0u32..=1000).prop_map(|n| Some(format!("{}", n as f32 / 1000.0))),
        prop::sample::select(vec!["NaN", "inf", "-1", "1e40", "", "0", "abc", "0.5;q=1"])
            .prop_map(|s| Some(s.to_string())),
    ];
    let structured = prop::collection::vec((tag, q), 0..6);
    runner(1_000)
        .run(&(structured, any::<String>()), |(ranges, noise)| {
            // Arbitrary text never panics.
            let _ = from_accept_language(&noise);
            let header = ranges
                .iter()
                .map(|(t, q)| match q {
                    Some(q) => format!("{t};q={q}"),
                    None => t.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            // The oracle: valid q values only (a bad q drops that range), best q first, the
            // header's order among equals.
            let mut best: Option<(f32, Lang)> = None;
            for (t, q) in &ranges {
                let q: Option<f32> = match q {
                    None => Some(1.0),
                    // `0.5;q=1`: the last q counts.
                    Some(q) if q.contains(';') => Some(1.0),
                    Some(q) => q.parse().ok().filter(|q: &f32| q.is_finite()),
                };
                let (Some(q), Some(lang)) = (q, Lang::of_tag(t)) else {
                    continue;
                };
                if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                    best = Some((q, lang));
                }
            }
            prop_assert_eq!(
                from_accept_language(&header),
                best.map(|(_, l)| l),
                "{:?}",
                header
            );
            Ok(())
        })
        .unwrap();
}
