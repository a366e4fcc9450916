//! The report's words, read from the language's wording file (`templates/lang/CODE.toml`,
//! section `[report]`, the same files as the draft's, through [`crate::wording`]): headings,
//! tiles, card sentences, legends, chart titles and descriptions, the disclaimer; the rubric's
//! labels as the language writes them; dates and numbers written the language's way; why a flag
//! holds or not in plain words ("Model commitment: no — participation is Informed, below
//! Involved"); and how reference evaluators are named ("the IRM"). The flag sentences are also
//! used by `explain` (in English).

use std::fmt::Display;

use crate::model::{CondTest, ConditionKind, Rubric};
use crate::wording::{Wording, fill, fill_with};

/// The report's language: every fixed string of the page comes through it.
#[derive(Debug, Clone)]
pub struct Tr {
    w: Wording,
}

impl Default for Tr {
    fn default() -> Self {
        Tr::english()
    }
}

impl Tr {
    pub fn new(w: Wording) -> Tr {
        Tr { w }
    }

    /// English, as built in.
    pub fn english() -> Tr {
        Tr::new(Wording::english())
    }

    /// The language's code (`<html lang>`).
    pub fn code(&self) -> &str {
        &self.w.code
    }

    /// The text of `key` (the key itself if no language has it, so that it shows).
    pub fn t(&self, key: &str) -> String {
        self.text(key).to_string()
    }

    /// [`Tr::t`], borrowed.
    pub(crate) fn text<'a>(&'a self, key: &'a str) -> &'a str {
        debug_assert!(
            self.w.report(key, None).is_some(),
            "templates/lang/en.toml has no [report] key {key}"
        );
        self.w.report(key, None).unwrap_or(key)
    }

    /// The text of `key` with its `{placeholders}` filled.
    pub fn f(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let values: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
        fill_with(self.text(key), &values)
    }

    /// The text of `key` for the count `n` (singular or plural), with `{n}` and `args` filled.
    pub fn n(&self, key: &str, n: usize, args: &[(&str, &dyn Display)]) -> String {
        let text = self
            .w
            .report(key, Some(i64::try_from(n).unwrap_or(i64::MAX)))
            .unwrap_or(key);
        debug_assert!(
            text != key,
            "templates/lang/en.toml has no [report] key {key}"
        );
        let mut all = pairs(args);
        all.push(("n".to_string(), self.int(n)));
        fill(text, &all)
    }

    /// The text of `key` only when the language's own file gives it.
    pub fn own(&self, key: &str) -> Option<String> {
        self.w.report_own(key).map(str::to_string)
    }

    /// A rubric label (level, rating, criterion or flag name) as the language writes it.
    pub fn lv(&self, label: &str) -> String {
        self.w.label(label).to_string()
    }

    /// A level of criterion `criterion` (its id) as the language writes it: the wording's
    /// `"<criterion>/<label>"` entry first, then the label's own.
    pub fn lv_of(&self, label: &str, criterion: &str) -> String {
        self.w.label_of(label, Some(criterion)).to_string()
    }

    /// A `YYYY-MM-DD` date the language's way (as it is when it is not such a date).
    pub fn date(&self, iso: &str) -> String {
        match iso.trim().parse::<crate::model::Date>() {
            Ok(d) => self.w.date(d),
            Err(_) => iso.to_string(),
        }
    }

    /// A number with at most one decimal, with the language's decimal separator.
    pub fn num(&self, x: f64) -> String {
        self.w.number(&crate::render::number(x))
    }

    /// A number already written (`0.800`) with the language's decimal separator.
    pub fn w_number(&self, text: &str) -> String {
        self.w.number(text)
    }

    /// Alpha with three decimals, the language's way.
    pub fn alpha(&self, a: f64) -> String {
        self.w.number(&crate::agreement::report::fmt_alpha(a))
    }

    /// A share (0–1) as a percentage, the language's way.
    pub fn pct(&self, share: f64) -> String {
        self.w.percent(share)
    }

    /// A whole number with the language's thousands separator (`1,000`, `1 000`).
    pub fn int(&self, k: usize) -> String {
        let sep = self.t("thousands");
        let digits = k.to_string();
        if digits.len() < 4 {
            return digits;
        }
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(&sep);
            }
            out.push(ch);
        }
        out
    }

    /// `a`, `a and b`, `a, b and c` in the language.
    pub fn list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} {} {last}", init.join(", "), self.w.and),
        }
    }
}

fn pairs(args: &[(&str, &dyn Display)]) -> Vec<(String, String)> {
    args.iter()
        .map(|(k, v)| ((*k).to_string(), v.to_string()))
        .collect()
}

use crate::results::{CommitmentOut, EvaluatorInfo};

/// How a reference evaluator is named in a heading or a sentence: "the IRM" for the
/// Independent Reporting Mechanism (role `irm`), in the language; else its id.
pub fn evaluator_in_sentence(tr: &Tr, e: &EvaluatorInfo) -> String {
    let label = crate::render::evaluator_label(e);
    if label == "IRM" {
        tr.t("the_irm")
    } else {
        label
    }
}

/// Several evaluators in a sentence: "the IRM", "the IRM and x", "a, b and c".
pub fn evaluators_in_sentence(tr: &Tr, list: &[&EvaluatorInfo]) -> String {
    let names: Vec<String> = list.iter().map(|e| evaluator_in_sentence(tr, e)).collect();
    tr.list(&names)
}

/// A criterion's combined level on a commitment, if any.
fn level_of<'a>(c: &'a CommitmentOut, rubric: &Rubric, k: usize) -> Option<&'a str> {
    let id = &rubric.criteria.get(k)?.id;
    c.criteria.get(id)?.level.as_deref()
}

/// Why a condition fails, in words: "completion is Limited, below Substantial".
fn condition_failed(
    tr: &Tr,
    rubric: &Rubric,
    c: &CommitmentOut,
    kind: &ConditionKind,
    depth: usize,
) -> String {
    match kind {
        ConditionKind::Flag(j) => {
            let Some(f) = rubric.flags.get(*j) else {
                return String::new();
            };
            let inner = (depth < 3)
                .then(|| flag_failure(tr, rubric, c, *j, depth + 1))
                .flatten();
            let named = flag_named(tr, &f.name);
            match inner {
                Some(why) => tr.f("not_flag_why", &[("flag", &named), ("why", &why)]),
                None => tr.f("not_flag", &[("flag", &named)]),
            }
        }
        ConditionKind::Level { criteria, test } => {
            let Some(first) = criteria.first().and_then(|&i| rubric.criteria.get(i)) else {
                return String::new();
            };
            let wanted = match test {
                CondTest::AtLeast(l) | CondTest::AtMost(l) | CondTest::Is(l) => {
                    tr.lv_of(first.label(*l), &first.id)
                }
                CondTest::OneOf(ls) => ls
                    .iter()
                    .map(|&l| tr.lv_of(first.label(l), &first.id))
                    .collect::<Vec<_>>()
                    .join(&format!(" {} ", tr.t("or"))),
            };
            if criteria.len() > 1 {
                let names: Vec<String> = criteria
                    .iter()
                    .filter_map(|&i| rubric.criteria.get(i))
                    .map(|k| tr.lv(&k.name).to_lowercase())
                    .collect();
                let want = match test {
                    CondTest::AtLeast(_) => tr.f("at_least", &[("level", &wanted)]),
                    CondTest::AtMost(_) => tr.f("at_most", &[("level", &wanted)]),
                    _ => wanted,
                };
                return tr.f(
                    "cond_none_of",
                    &[("criteria", &names.join(", ")), ("wanted", &want)],
                );
            }
            let name = tr.lv(&first.name).to_lowercase();
            match level_of(c, rubric, criteria[0]) {
                Some(level) => {
                    let key = match test {
                        CondTest::AtLeast(_) => "cond_below",
                        CondTest::AtMost(_) => "cond_above",
                        _ => "cond_not",
                    };
                    tr.f(
                        key,
                        &[
                            ("criterion", &name),
                            ("level", &tr.lv_of(level, &first.id)),
                            ("wanted", &wanted),
                        ],
                    )
                }
                None => tr.f("cond_no_rating", &[("criterion", &name)]),
            }
        }
    }
}

/// A flag named in a sentence. In English, "a model commitment", "an ambitious commitment"
/// when the name reads as a noun, else "marked “<name>”"; in other languages, the language's
/// `flag_named` ("«{flag}»").
fn flag_named(tr: &Tr, name: &str) -> String {
    if tr.code() != "en" {
        return tr.f("flag_named", &[("flag", &tr.lv(name))]);
    }
    let lower = name.to_lowercase();
    let noun = lower.ends_with("commitment") || lower.ends_with("commitments");
    if noun {
        let an = lower.starts_with(['a', 'e', 'i', 'o', 'u']);
        format!("{} {lower}", if an { "an" } else { "a" })
    } else {
        format!("marked “{name}”")
    }
}

/// Why flag `fi` does not hold on `c`, from its first failing condition; `None` when it holds.
fn flag_failure(
    tr: &Tr,
    rubric: &Rubric,
    c: &CommitmentOut,
    fi: usize,
    depth: usize,
) -> Option<String> {
    let f = rubric.flags.get(fi)?;
    if c.flags.contains(&f.id) {
        return None;
    }
    let held = c.conditions.get(&f.id)?;
    let first = held.iter().position(|h| !h)?;
    let cond = f.conditions.get(first)?;
    Some(condition_failed(tr, rubric, c, &cond.kind, depth))
}

/// One flag on one commitment, as an English sentence (for `explain`): "High completion:
/// yes." or "Model commitment: no — participation is Informed, below Involved."
pub fn flag_sentence(rubric: &Rubric, c: &CommitmentOut, fi: usize) -> String {
    static ENGLISH: std::sync::OnceLock<Tr> = std::sync::OnceLock::new();
    flag_sentence_in(ENGLISH.get_or_init(Tr::english), rubric, c, fi)
}

/// [`flag_sentence`] in the report's language.
pub fn flag_sentence_in(tr: &Tr, rubric: &Rubric, c: &CommitmentOut, fi: usize) -> String {
    let Some(f) = rubric.flags.get(fi) else {
        return String::new();
    };
    let name = tr.lv(&f.name);
    if c.flags.contains(&f.id) {
        return tr.f("flag_yes", &[("flag", &name)]);
    }
    match flag_failure(tr, rubric, c, fi, 0) {
        Some(why) if !why.is_empty() => tr.f("flag_no_why", &[("flag", &name), ("why", &why)]),
        _ => tr.f("flag_no", &[("flag", &name)]),
    }
}

/// A flag's condition in words: "completion at least Substantial".
pub fn describe(tr: &Tr, rubric: &Rubric, kind: &ConditionKind) -> String {
    match kind {
        ConditionKind::Flag(j) => tr.f(
            "cond_flag",
            &[(
                "flag",
                &rubric
                    .flags
                    .get(*j)
                    .map_or(String::new(), |f| tr.lv(&f.name)),
            )],
        ),
        ConditionKind::Level { criteria, test } => {
            let Some(first) = criteria.first().and_then(|&i| rubric.criteria.get(i)) else {
                return String::new();
            };
            let names: Vec<String> = criteria
                .iter()
                .filter_map(|&i| rubric.criteria.get(i))
                .map(|c| tr.lv(&c.name).to_lowercase())
                .collect();
            let (key, level) = match test {
                CondTest::AtLeast(l) => ("cond_at_least", tr.lv_of(first.label(*l), &first.id)),
                CondTest::AtMost(l) => ("cond_at_most", tr.lv_of(first.label(*l), &first.id)),
                CondTest::Is(l) => ("cond_is", tr.lv_of(first.label(*l), &first.id)),
                CondTest::OneOf(ls) => (
                    "cond_is",
                    ls.iter()
                        .map(|&l| tr.lv_of(first.label(l), &first.id))
                        .collect::<Vec<_>>()
                        .join(&format!(" {} ", tr.t("or"))),
                ),
            };
            let criterion = if names.len() > 1 {
                tr.f("cond_any_of", &[("criteria", &names.join(", "))])
            } else {
                names.concat()
            };
            tr.f(key, &[("criterion", &criterion), ("level", &level)])
        }
    }
}
