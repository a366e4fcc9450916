//! The report's words in one place (for translation): its headings, contents bar and key
//! figures; why a flag holds or not in plain words ("Model commitment: no — participation is
//! Informed, below Involved"); and how reference evaluators are named ("the IRM"). The flag
//! sentences are also used by `explain`. (Longer explanatory paragraphs are still written where
//! they are used, in `page.rs` and `charts.rs`.)

use crate::model::{CondTest, ConditionKind, Rubric};

/// Section headings and the contents bar.
pub const GLANCE: &str = "At a glance";
pub const PROGRESS: &str = "How far the plan has got";
/// "The coalition's view beside" + the reference evaluators ("the IRM").
pub const BESIDE: &str = "The coalition's view beside";
pub const NAV_BESIDE: &str = "Beside";
pub const EVALUATORS: &str = "Where the evaluators agree and disagree";
pub const NAV_AGREEMENT: &str = "Agreement";
pub const ALL_COMMITMENTS: &str = "All commitments";
pub const ONE_BY_ONE: &str = "The commitments one by one";
pub const NAV_ONE_BY_ONE: &str = "One by one";
pub const ABOUT: &str = "About this report";
pub const DISCLAIMER: &str = "This is a civil-society assessment: the view of the evaluators named above, never an official rating of OGP's Independent Reporting Mechanism (IRM).";

/// How the report's colours read (under "About this report").
pub const ABOUT_COLOURS: &str = "Every chart has a data table with the same numbers, and a text description for screen readers. Every ordered scale has the same colours, from dark red for its lowest level through a neutral middle to dark blue for its highest (safe for the common colour-vision deficiencies); statuses that are not on the scale, and missing ratings, are grey and hatched. Every colour is also told in words, shapes or patterns.";

/// Key figures (the tiles under "At a glance").
pub const TILE_COMMITMENTS: &str = "commitments";
pub const TILE_MEAN_SCORE: &str = "mean score (0–100)";
pub const TILE_DISAGREE: &str = "commitments where evaluators disagree";
pub const TILE_UNSUPPORTED: &str =
    "commitments with a rating that lacks the evidence the rubric asks for";

pub fn tile_commitments_milestones(milestones: usize) -> String {
    format!("commitments, {milestones} milestones")
}

pub fn tile_high_completion(count: usize, of: usize) -> String {
    format!("high completion ({count} of {of})")
}
use crate::results::{CommitmentOut, EvaluatorInfo};

/// How a reference evaluator is named in a sentence: "the IRM" for the Independent Reporting
/// Mechanism (role `irm`), else its id.
pub fn evaluator_in_sentence(e: &EvaluatorInfo) -> String {
    let label = crate::render::evaluator_label(e);
    if label == "IRM" {
        "the IRM".to_string()
    } else {
        label
    }
}

/// Several evaluators in a sentence: "the IRM", "the IRM and x", "a, b and c".
pub fn evaluators_in_sentence(list: &[&EvaluatorInfo]) -> String {
    let names: Vec<String> = list.iter().map(|e| evaluator_in_sentence(e)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A criterion's combined level on a commitment, if any.
fn level_of<'a>(c: &'a CommitmentOut, rubric: &Rubric, k: usize) -> Option<&'a str> {
    let id = &rubric.criteria.get(k)?.id;
    c.criteria.get(id)?.level.as_deref()
}

/// Why a condition fails, in words: "completion is Limited, below Substantial".
fn condition_failed(
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
                .then(|| flag_failure(rubric, c, *j, depth + 1))
                .flatten();
            match inner {
                Some(why) => format!("it is not {} ({why})", article(&f.name)),
                None => format!("it is not {}", article(&f.name)),
            }
        }
        ConditionKind::Level { criteria, test } => {
            let Some(first) = criteria.first().and_then(|&i| rubric.criteria.get(i)) else {
                return String::new();
            };
            let wanted = match test {
                CondTest::AtLeast(l) | CondTest::AtMost(l) | CondTest::Is(l) => {
                    first.label(*l).to_string()
                }
                CondTest::OneOf(ls) => ls
                    .iter()
                    .map(|&l| first.label(l))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let relation = match test {
                CondTest::AtLeast(_) => "below",
                CondTest::AtMost(_) => "above",
                _ => "not",
            };
            if criteria.len() > 1 {
                let names: Vec<String> = criteria
                    .iter()
                    .filter_map(|&i| rubric.criteria.get(i))
                    .map(|k| k.name.to_lowercase())
                    .collect();
                let want = match test {
                    CondTest::AtLeast(_) => format!("at least {wanted}"),
                    CondTest::AtMost(_) => format!("at most {wanted}"),
                    _ => wanted,
                };
                return format!("none of {} is {want}", names.join(", "));
            }
            let name = first.name.to_lowercase();
            match level_of(c, rubric, criteria[0]) {
                Some(level) => format!("{name} is {level}, {relation} {wanted}"),
                None => format!("{name} has no rating"),
            }
        }
    }
}

/// "a Model commitment", "an Ambitious commitment"… kept simple: the flag's name with an
/// article when it reads as a noun, else "marked <name>".
fn article(name: &str) -> String {
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
fn flag_failure(rubric: &Rubric, c: &CommitmentOut, fi: usize, depth: usize) -> Option<String> {
    let f = rubric.flags.get(fi)?;
    if c.flags.contains(&f.id) {
        return None;
    }
    let held = c.conditions.get(&f.id)?;
    let first = held.iter().position(|h| !h)?;
    let cond = f.conditions.get(first)?;
    Some(condition_failed(rubric, c, &cond.kind, depth))
}

/// One flag on one commitment, as a sentence: "High completion: yes." or "Not a model
/// commitment: participation is Informed, below Involved."
pub fn flag_sentence(rubric: &Rubric, c: &CommitmentOut, fi: usize) -> String {
    let Some(f) = rubric.flags.get(fi) else {
        return String::new();
    };
    if c.flags.contains(&f.id) {
        return format!("{}: yes.", f.name);
    }
    match flag_failure(rubric, c, fi, 0) {
        Some(why) if !why.is_empty() => format!("{}: no — {why}.", f.name),
        _ => format!("{}: no.", f.name),
    }
}
