//! The wording of drafts and of the HTML report, one file per language
//! (`templates/lang/CODE.toml`): every sentence the built-in draft templates write
//! (`t("key", …)`, section `[text]`), every fixed string of the report (section `[report]`),
//! the rubric labels as the language writes them (`| lv`), and how dates and numbers are
//! written. English, Spanish, French and Mongolian are
//! built in; an assessment folder's `templates/lang/CODE.toml` adds a language or replaces a
//! built-in one. A key missing from a language falls back to English.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// A built-in language: its code and the text of its wording file.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinLanguage {
    pub code: &'static str,
    pub text: &'static str,
}

/// The built-in languages, English first (the fallback).
pub const BUILTIN: [BuiltinLanguage; 4] = [
    BuiltinLanguage {
        code: "en",
        text: include_str!("../templates/lang/en.toml"),
    },
    BuiltinLanguage {
        code: "es",
        text: include_str!("../templates/lang/es.toml"),
    },
    BuiltinLanguage {
        code: "fr",
        text: include_str!("../templates/lang/fr.toml"),
    },
    BuiltinLanguage {
        code: "mn",
        text: include_str!("../templates/lang/mn.toml"),
    },
];

/// The largest wording file read from an assessment folder.
const MAX_FILE: u64 = 1024 * 1024;

/// One text: the same in the singular and plural, or one for each.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Counted { one: String, other: String },
}

impl Text {
    /// The text for a count (`n`): the singular for exactly one, else the plural.
    fn for_count(&self, n: Option<i64>) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Counted { one, other } => {
                if n == Some(1) {
                    one
                } else {
                    other
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct LanguageInfo {
    name: Option<String>,
    months: Option<Vec<String>>,
    date: Option<String>,
    first_day: Option<String>,
    decimal: Option<String>,
    percent: Option<String>,
    and: Option<String>,
    /// Words that lose their last letter to an apostrophe before a vowel (`de` → `d'`).
    elide: Option<Vec<String>>,
    /// Two words written as one (`"de el" = "del"`).
    contract: Option<HashMap<String, String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct File {
    language: LanguageInfo,
    labels: HashMap<String, String>,
    text: HashMap<String, Text>,
    /// The HTML report's fixed strings (src/report/words.rs reads them).
    report: HashMap<String, Text>,
}

/// The wording of one language, English filling its gaps.
#[derive(Debug, Clone)]
pub struct Wording {
    /// The language's code (`en`, `es`, …).
    pub code: String,
    /// Its name, in itself (`Español`).
    pub name: String,
    months: Vec<String>,
    date: String,
    first_day: String,
    pub decimal: String,
    percent: String,
    /// The word of `a, b and c`.
    pub and: String,
    /// How the fixed wording joins the value that follows it (`d'Oyuun`, `del IRM`).
    joins: Joins,
    labels: HashMap<String, String>,
    /// Whether a label is given for one criterion only (`"<criterion id>/<label>"`).
    scoped_labels: bool,
    text: HashMap<String, Text>,
    report: HashMap<String, Text>,
    /// The report keys the language's own file gives (not taken from English).
    own_report: std::collections::HashSet<String>,
}

/// Why a language could not be used as asked (a warning: the draft is written in English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageProblem(pub String);

fn parse(text: &str) -> Result<File, String> {
    toml::from_str::<File>(text).map_err(|e| e.to_string())
}

/// The codes of the languages available: the built-in ones and those of `folder`
/// (`templates/lang/*.toml` of the assessment), sorted.
pub fn available(folder: Option<&Path>) -> Vec<String> {
    let mut codes: Vec<String> = BUILTIN.iter().map(|b| b.code.to_string()).collect();
    if let Some(dir) = folder.map(|f| f.join("lang"))
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(code) = name.strip_suffix(".toml")
                && valid_code(code)
                && !codes.iter().any(|c| c == code)
            {
                codes.push(code.to_string());
            }
        }
    }
    codes.sort();
    codes
}

/// A language code is letters, digits and `-` (`en`, `pt-BR`), at most 16 of them.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 16
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Wording {
    /// English, as built in.
    pub fn english() -> Wording {
        let file = parse(BUILTIN[0].text).unwrap_or_default();
        Wording::from_files("en", &file, &File::default())
    }

    fn from_files(code: &str, base: &File, own: &File) -> Wording {
        let pick = |a: &Option<String>, b: &Option<String>, d: &str| {
            a.clone()
                .or_else(|| b.clone())
                .unwrap_or_else(|| d.to_string())
        };
        let (l, e) = (&own.language, &base.language);
        let mut text = base.text.clone();
        text.extend(own.text.clone());
        let mut report = base.report.clone();
        report.extend(own.report.clone());
        Wording {
            code: code.to_string(),
            name: pick(&l.name, &e.name, code),
            months: l
                .months
                .clone()
                .filter(|m| m.len() == 12)
                .or_else(|| e.months.clone())
                .unwrap_or_default(),
            date: pick(&l.date, &e.date, "{year}-{m}-{day}"),
            first_day: pick(&l.first_day, &e.first_day, "1"),
            decimal: pick(&l.decimal, &e.decimal, "."),
            percent: pick(&l.percent, &e.percent, "{n}%"),
            and: pick(&l.and, &e.and, "and"),
            joins: Joins::new(
                l.elide.iter().flatten(),
                l.contract.iter().flatten().filter_map(|(k, v)| {
                    let (a, b) = k.split_once(' ')?;
                    Some((a, b, v.as_str()))
                }),
            ),
            scoped_labels: own.labels.keys().any(|k| k.contains('/')),
            labels: own.labels.clone(),
            text,
            report,
            own_report: own.report.keys().cloned().collect(),
        }
    }

    /// The wording for `code`, from the assessment's `folder` (its `templates/`) first, then
    /// the built-in files. An unknown code or a broken file is a problem, and English is used.
    pub fn load(code: &str, folder: Option<&Path>) -> (Wording, Option<LanguageProblem>) {
        Wording::load_for(code, folder, "draft")
    }

    /// [`Wording::load`] for `what` ("draft", "report"): the word its problems use.
    pub fn load_for(
        code: &str,
        folder: Option<&Path>,
        what: &str,
    ) -> (Wording, Option<LanguageProblem>) {
        let code = code.trim();
        let base = parse(BUILTIN[0].text).unwrap_or_default();
        let english = || Wording::from_files("en", &base, &File::default());
        let own_file = folder
            .filter(|_| valid_code(code))
            .map(|f| (f, f.join("lang").join(format!("{code}.toml"))))
            .filter(|(_, p)| p.exists());
        let text: Option<(String, String)> = match own_file {
            Some((folder, path)) => {
                let shown = crate::source::display_path(&path);
                // Only a regular file inside the templates folder is read: a pipe would never
                // end opening, and a link must not make a shared folder's wording quote a file
                // from elsewhere in its error.
                let refused = match std::fs::metadata(&path) {
                    Ok(m) => crate::source::not_a_file(&m)
                        .map(|kind| format!("{shown} is {kind}, not a file, so it was not read")),
                    Err(_) => None,
                };
                let inside = matches!(
                    (std::fs::canonicalize(folder), std::fs::canonicalize(&path)),
                    (Ok(f), Ok(p)) if p.starts_with(&f)
                );
                let refused = refused.or_else(|| {
                    (!inside).then(|| {
                        format!("{shown} leads out of the template folder, so it was not read")
                    })
                });
                if let Some(refused) = refused {
                    return (
                        english(),
                        Some(LanguageProblem(format!(
                            "{refused}; the {what} is in English"
                        ))),
                    );
                }
                match std::fs::metadata(&path) {
                    Ok(m) if m.len() > MAX_FILE => {
                        return (
                            english(),
                            Some(LanguageProblem(format!(
                                "{shown} is larger than 1 MB, so it was not read; the {what} is in English"
                            ))),
                        );
                    }
                    _ => {}
                }
                match std::fs::read_to_string(&path) {
                    Ok(t) => Some((t, shown)),
                    Err(e) => {
                        return (
                            english(),
                            Some(LanguageProblem(format!(
                                "could not read {shown} ({e}); the {what} is in English"
                            ))),
                        );
                    }
                }
            }
            None => BUILTIN
                .iter()
                .find(|b| b.code.eq_ignore_ascii_case(code))
                .map(|b| (b.text.to_string(), format!("<built-in {}.toml>", b.code))),
        };
        let Some((text, shown)) = text else {
            return (
                english(),
                Some(LanguageProblem(format!(
                    "there is no wording for the language \"{code}\", so the {what} is in English; available: {} (docs/templates.md says how to add one)",
                    available(folder).join(", ")
                ))),
            );
        };
        match parse(&text) {
            Ok(own) => (Wording::from_files(&code.to_lowercase(), &base, &own), None),
            Err(e) => (
                english(),
                Some(LanguageProblem(format!(
                    "{shown} is not a valid wording file ({}); the {what} is in English",
                    e.trim()
                ))),
            ),
        }
    }

    /// The raw text of `key` for a count (`n`), or none when no language has it.
    pub fn text(&self, key: &str, n: Option<i64>) -> Option<&str> {
        self.text.get(key).map(|t| t.for_count(n))
    }

    /// The raw text of the report's `key` for a count (`n`), or none when no language has it.
    pub fn report(&self, key: &str, n: Option<i64>) -> Option<&str> {
        self.report.get(key).map(|t| t.for_count(n))
    }

    /// The report's `key` only when this language's own file gives it (English not used).
    pub fn report_own(&self, key: &str) -> Option<&str> {
        if self.own_report.contains(key) {
            self.report(key, None)
        } else {
            None
        }
    }

    /// A rubric label as this language writes it (as it is when the language has no entry).
    pub fn label<'a>(&'a self, label: &'a str) -> &'a str {
        self.labels.get(label).map_or(label, String::as_str)
    }

    /// A rubric label of `criterion` in this language: the entry `"<criterion id>/<label>"`
    /// first (a level whose word depends on the question: Spanish writes early results
    /// "Marginales" but the answer to "did it open government?" "Marginalmente"), then the
    /// label's own entry, then the label as the rubric writes it.
    pub fn label_of<'a>(&'a self, label: &'a str, criterion: Option<&str>) -> &'a str {
        thread_local! {
            /// The key looked up, made without a new allocation each time (a report of 5,000
            /// commitments looks up hundreds of thousands).
            static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        criterion
            .filter(|_| self.scoped_labels)
            .and_then(|k| {
                KEY.with_borrow_mut(|key| {
                    key.clear();
                    key.push_str(k);
                    key.push('/');
                    key.push_str(label);
                    self.labels.get(key.as_str())
                })
            })
            .map_or_else(|| self.label(label), String::as_str)
    }

    /// Fills `text` like [`fill`], then joins each value to the word of the wording before it
    /// as the language does (`[language] elide` and `contract`): French `de {who}` with
    /// `Oyuun` gives `d'Oyuun`, Spanish `de {who}` with `el IRM` gives `del IRM`. Only the
    /// fixed wording changes, never the value.
    pub fn fill<K: AsRef<str>, V: AsRef<str>>(&self, text: &str, args: &[(K, V)]) -> String {
        fill_joined(text, args, &self.joins)
    }

    /// `2018-06-30` written the language's way.
    pub fn date(&self, d: crate::model::Date) -> String {
        let month = self
            .months
            .get(usize::try_from(d.month()).unwrap_or(1).saturating_sub(1))
            .cloned()
            .unwrap_or_else(|| d.month().to_string());
        let day = if d.day() == 1 {
            self.first_day.clone()
        } else {
            d.day().to_string()
        };
        self.date
            .replace("{day}", &day)
            .replace("{month}", &month)
            .replace("{year}", &d.year().to_string())
            .replace("{m}", &d.month().to_string())
    }

    /// A decimal number with the language's separator.
    pub fn number(&self, text: &str) -> String {
        if self.decimal == "." {
            text.to_string()
        } else {
            text.replace('.', &self.decimal)
        }
    }

    /// A share (0.571) as a percentage (`57.1%`, `57,1 %`).
    pub fn percent(&self, share: f64) -> String {
        let shown = crate::render::percent(share);
        let n = self.number(shown.trim_end_matches('%'));
        self.percent.replace("{n}", &n)
    }
}

/// Fills the `{name}` placeholders of `text` from `args`; a placeholder without a value is
/// left as it is, so that a missing one shows in the draft.
pub fn fill(text: &str, args: &[(String, String)]) -> String {
    fill_joined(text, args, &Joins::default())
}

/// [`fill`] with borrowed names and values (nothing copied before the filling).
pub fn fill_with<K: AsRef<str>, V: AsRef<str>>(text: &str, args: &[(K, V)]) -> String {
    fill_joined(text, args, &Joins::default())
}

/// How a language joins a word to the one after it (`[language] elide` and `contract`), each
/// word as the language file gives it and with its first letter capitalised, made once per
/// language rather than once per placeholder filled.
#[derive(Debug, Clone, Default)]
struct Joins {
    /// (word elided before a vowel, what is written of it before the apostrophe).
    elide: Vec<(String, String)>,
    /// (first word, second word, both written as one).
    contract: Vec<(String, String, String)>,
}

impl Joins {
    /// The joins of a language's `elide` words and `contract` pairs, in the order given.
    fn new<'a>(
        elide: impl IntoIterator<Item = &'a String>,
        contract: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Joins {
        let elide = elide
            .into_iter()
            .flat_map(|w| [w.clone(), ucfirst(w)])
            .map(|w| {
                let mut kept = w.clone();
                kept.pop();
                (w, kept)
            })
            .collect();
        let contract = contract
            .into_iter()
            .flat_map(|(first, second, into)| {
                [
                    (first.to_string(), second.to_string(), into.to_string()),
                    (ucfirst(first), second.to_string(), ucfirst(into)),
                ]
            })
            .collect();
        Joins { elide, contract }
    }

    /// Pushes `value` onto `out`, eliding or contracting the word `out` ends with.
    fn push(&self, out: &mut String, value: &str) {
        // Only a word followed by a space is joined (see `word_before`): most placeholders
        // follow other text, and are written as they are without trying each join.
        if !out.ends_with(' ') {
            out.push_str(value);
            return;
        }
        // The word before the value: `out` ends with "<word> ", the word standing alone.
        let word_before = |out: &String, w: &str| -> Option<usize> {
            let head = out.strip_suffix(' ')?.strip_suffix(w)?;
            head.chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric() && c != '\'' && c != '’')
                .then_some(head.len())
        };
        for (first, second, into) in &self.contract {
            if let (Some(at), Some(rest)) = (
                word_before(out, first),
                value
                    .strip_prefix(second.as_str())
                    .and_then(|r| r.strip_prefix(' ')),
            ) {
                out.truncate(at);
                out.push_str(into);
                out.push(' ');
                out.push_str(rest);
                return;
            }
        }
        if !self.elide.is_empty() && value.chars().next().is_some_and(is_vowel) {
            for (word, kept) in &self.elide {
                if let Some(at) = word_before(out, word) {
                    out.truncate(at);
                    out.push_str(kept);
                    out.push('\'');
                    out.push_str(value);
                    return;
                }
            }
        }
        out.push_str(value);
    }
}

/// A letter before which French elides (`d'Anne`, `d'Élodie`; not before `h`, which may be
/// aspirated).
fn is_vowel(c: char) -> bool {
    c.to_lowercase()
        .all(|c| "aeiouyàâäéèêëîïôöùûüæœ".contains(c))
}

fn ucfirst(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn fill_joined<K: AsRef<str>, V: AsRef<str>>(text: &str, args: &[(K, V)], joins: &Joins) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_') =>
            {
                let name = &after[..close];
                match args.iter().find(|(k, _)| k.as_ref() == name) {
                    Some((_, v)) => joins.push(&mut out, v.as_ref()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_joins_the_value_after_it_as_the_language_does() {
        let args = |v: &str| vec![("x".to_string(), v.to_string())];
        let (fr, _) = Wording::load("fr", None);
        assert_eq!(fr.fill("de {x}", &args("Oyuun")), "d'Oyuun");
        assert_eq!(fr.fill("au nom de {x}.", &args("Élise")), "au nom d'Élise.");
        assert_eq!(fr.fill("De {x}", &args("Anne")), "D'Anne");
        assert_eq!(fr.fill("de {x}", &args("Hivos")), "de Hivos");
        assert_eq!(fr.fill("de {x}", &args("l'IRM")), "de l'IRM");
        assert_eq!(fr.fill("ainsi que {x}", &args("Oxfam")), "ainsi qu'Oxfam");
        assert_eq!(fr.fill("de {x}", &args("le Centre")), "du Centre");
        // Only a whole word of the wording changes: "monde" does not end in the word "de".
        assert_eq!(fr.fill("monde {x}", &args("Oxfam")), "monde Oxfam");
        let (es, _) = Wording::load("es", None);
        assert_eq!(es.fill("de {x}", &args("el IRM")), "del IRM");
        assert_eq!(es.fill("a {x}", &args("el IRM")), "al IRM");
        assert_eq!(es.fill("de {x}", &args("El Salvador")), "de El Salvador");
        assert_eq!(es.fill("de {x}", &args("Oxfam")), "de Oxfam");
        let en = Wording::english();
        assert_eq!(en.fill("of {x}", &args("Oxfam")), "of Oxfam");
        assert_eq!(fill("de {x}", &args("Oxfam")), "de Oxfam");
    }

    #[test]
    fn every_language_parses_and_has_every_english_key() {
        let en = parse(BUILTIN[0].text).unwrap();
        for b in BUILTIN {
            let file = parse(b.text).unwrap_or_else(|e| panic!("{}: {e}", b.code));
            let missing: Vec<&String> = en
                .text
                .keys()
                .filter(|k| !file.text.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", b.code);
            let extra: Vec<&String> = file
                .text
                .keys()
                .filter(|k| !en.text.contains_key(*k))
                .collect();
            assert!(extra.is_empty(), "{} has unknown keys {extra:?}", b.code);
            assert_eq!(
                file.language.months.as_ref().map(Vec::len),
                Some(12),
                "{}",
                b.code
            );
            // The report's strings: Spanish and French have every key English has (`why_…`
            // are their own); Mongolian is partial and falls back to English.
            let extra: Vec<&String> = file
                .report
                .keys()
                .filter(|k| !en.report.contains_key(*k) && !k.starts_with("why_"))
                .collect();
            assert!(
                extra.is_empty(),
                "{} has unknown report keys {extra:?}",
                b.code
            );
            if b.code != "mn" {
                let missing: Vec<&String> = en
                    .report
                    .keys()
                    .filter(|k| !file.report.contains_key(*k))
                    .collect();
                assert!(
                    missing.is_empty(),
                    "{} lacks report keys {missing:?}",
                    b.code
                );
            }
        }
    }

    /// Every name the report shows from a built-in rubric (its name, criteria, levels, rating
    /// bands and flags; not the condition codes) has a Spanish and a French label.
    #[test]
    fn spanish_and_french_name_every_label_of_the_built_in_rubrics() {
        fn names(v: &toml::Value, out: &mut Vec<String>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, x) in t {
                        match (k.as_str(), x) {
                            ("name" | "label", toml::Value::String(s)) => out.push(s.clone()),
                            // Condition codes (`Cmpl`) are not shown in the report.
                            ("condition", _) => {}
                            _ => names(x, out),
                        }
                    }
                }
                toml::Value::Array(a) => a.iter().for_each(|x| names(x, out)),
                _ => {}
            }
        }
        for code in ["es", "fr"] {
            let (w, problem) = Wording::load(code, None);
            assert_eq!(problem, None);
            for rubric in crate::load::builtin::BUILTIN {
                let mut all = Vec::new();
                names(
                    &rubric.text.parse::<toml::Table>().unwrap().into(),
                    &mut all,
                );
                let missing: Vec<&String> =
                    all.iter().filter(|n| w.label(n) == n.as_str()).collect();
                assert!(missing.is_empty(), "{code}, {}: {missing:?}", rubric.id);
            }
        }
    }

    #[test]
    fn dates_numbers_and_placeholders() {
        let d = |s: &str| s.parse::<crate::model::Date>().unwrap();
        let (es, _) = Wording::load("es", None);
        let (fr, _) = Wording::load("FR", None);
        let (mn, _) = Wording::load("mn", None);
        assert_eq!(Wording::english().date(d("2018-01-31")), "31 January 2018");
        assert_eq!(es.date(d("2018-01-31")), "31 de enero de 2018");
        assert_eq!(fr.date(d("2016-07-01")), "1er juillet 2016");
        assert_eq!(mn.date(d("2018-01-31")), "2018 оны 1-р сарын 31");
        assert_eq!(fr.number("88.3"), "88,3");
        assert_eq!(fr.percent(0.5714), "57,1\u{a0}%");
        assert_eq!(Wording::english().percent(0.5714), "57.1%");
        let (_, problem) = Wording::load("xx", None);
        assert_eq!(
            problem.unwrap().0,
            "there is no wording for the language \"xx\", so the draft is in English; available: en, es, fr, mn (docs/templates.md says how to add one)"
        );
        assert_eq!(
            fill(
                "{a} and {b} {c} {",
                &[("a".into(), "1".into()), ("b".into(), "{c}".into())]
            ),
            "1 and {c} {c} {"
        );
    }
}
