//! Two assessments side by side: the mid-term review against the end of term, or the
//! coalition's view against the IRM's. Works on two [`Results`] documents (from assessment
//! folders or from `assess --format json` files) and says, per commitment, how its rating and
//! score changed and which criteria moved.
//!
//! Ratings are compared by their position on the rubric's rating scale (`rating_rank`). That
//! only means something when both assessments rate on the same scale, so [`compare`] refuses
//! assessments whose rating labels differ; assessments on different rubrics that share the
//! same rating labels are compared, with a warning (see docs/workflow.md).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::results::{CommitmentOut, CriterionInfo, Results, round4};

/// The version of the comparison document's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Which way something moved from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
    Same,
}

impl Direction {
    fn of(a: usize, b: usize) -> Direction {
        match b.cmp(&a) {
            std::cmp::Ordering::Greater => Direction::Up,
            std::cmp::Ordering::Less => Direction::Down,
            std::cmp::Ordering::Equal => Direction::Same,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Same => "same",
        }
    }
}

/// What one side of the comparison is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// The folder, plan file or JSON file it was read from, as given.
    pub source: String,
    pub country: String,
    pub title: String,
    /// The rubric's id.
    pub rubric: String,
    pub rubric_name: String,
    pub as_of: String,
    /// The combined (non-reference) evaluators.
    pub evaluators: Vec<String>,
    pub commitments: usize,
}

/// A criterion whose combined level differs between A and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub criterion: String,
    /// The level in A (null: nobody gave one, "No evidence").
    pub from: Option<String>,
    pub to: Option<String>,
    /// Up or down the criterion's scale; null when a side has no level, when the scale is
    /// unordered, or when the two rubrics' levels differ.
    pub direction: Option<Direction>,
}

/// A commitment found in both assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: String,
    /// The title in A (B's when they differ is in `title_b`).
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_b: Option<String>,
    pub rating_a: Option<String>,
    pub rating_b: Option<String>,
    /// From the ratings' ranks; null when either side has no rating.
    pub direction: Option<Direction>,
    #[serde(serialize_with = "crate::results::ser4")]
    pub score_a: Option<f64>,
    #[serde(serialize_with = "crate::results::ser4")]
    pub score_b: Option<f64>,
    /// `score_b − score_a` of the scores as written (4 decimals); null when either is null.
    pub score_change: Option<f64>,
    /// The criteria whose combined level changed, in A's rubric order.
    pub moved: Vec<Move>,
}

/// A commitment found in one assessment only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlyOne {
    pub id: String,
    pub title: String,
    pub rating: Option<String>,
    #[serde(serialize_with = "crate::results::ser4")]
    pub score: Option<f64>,
}

/// Counts of the rating changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Commitments in both assessments.
    pub compared: usize,
    pub up: usize,
    pub down: usize,
    pub same: usize,
    /// Compared, but one side (or both) has no rating.
    pub unknown: usize,
    pub only_in_a: usize,
    pub only_in_b: usize,
}

/// The comparison document (`compare --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub schema_version: u32,
    pub generator: String,
    pub a: Side,
    pub b: Side,
    /// Whether both assessments use the same rubric id.
    pub same_rubric: bool,
    /// What the reader should know (e.g. different rubrics compared by rating labels).
    pub warnings: Vec<String>,
    pub summary: Counts,
    pub commitments: Vec<Change>,
    pub only_in_a: Vec<OnlyOne>,
    pub only_in_b: Vec<OnlyOne>,
}

fn side(source: &str, r: &Results) -> Side {
    Side {
        source: source.to_string(),
        country: r.plan.country.clone(),
        title: r.plan.title.clone(),
        rubric: r.rubric.id.clone(),
        rubric_name: r.rubric.name.clone(),
        as_of: r.as_of.clone(),
        evaluators: r
            .evaluators
            .iter()
            .filter(|e| !e.reference)
            .map(|e| e.id.clone())
            .collect(),
        commitments: r.commitments.len(),
    }
}

fn same_labels(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn same_level(a: Option<&String>, b: Option<&String>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    }
}

fn short_scale(ratings: &[String]) -> String {
    match ratings {
        [] => "none".to_string(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

/// Why two assessments cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomparable(pub String);

impl std::fmt::Display for Incomparable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Incomparable {}

fn moved(
    a: &CommitmentOut,
    b: &CommitmentOut,
    criteria: &[(&CriterionInfo, &CriterionInfo)],
) -> Vec<Move> {
    let mut out = Vec::new();
    for (ca, cb) in criteria {
        let from = a.criteria.get(&ca.id).and_then(|c| c.level.as_ref());
        let to = b.criteria.get(&cb.id).and_then(|c| c.level.as_ref());
        if same_level(from, to) {
            continue;
        }
        let ordered = ca.scale != "nominal" && same_labels(&ca.levels, &cb.levels);
        let position = |levels: &[String], l: Option<&String>| {
            l.and_then(|l| levels.iter().position(|x| x.eq_ignore_ascii_case(l)))
        };
        let direction = match (
            ordered,
            position(&ca.levels, from),
            position(&cb.levels, to),
        ) {
            (true, Some(x), Some(y)) => Some(Direction::of(x, y)),
            _ => None,
        };
        out.push(Move {
            criterion: ca.id.clone(),
            from: from.cloned(),
            to: to.cloned(),
            direction,
        });
    }
    out
}

/// Compares B against A. `source_a` and `source_b` say where each was read from.
pub fn compare(
    a: &Results,
    source_a: &str,
    b: &Results,
    source_b: &str,
) -> Result<Comparison, Incomparable> {
    let mut warnings = Vec::new();
    if !same_labels(&a.rubric.ratings, &b.rubric.ratings) {
        return Err(Incomparable(format!(
            "the two assessments rate on different scales: A ({source_a}) uses the `{}` rubric, rated {}, and B ({source_b}) the `{}` rubric, rated {}; a rating of one cannot be placed on the other's scale. Compare assessments made with the same rubric (or with rubrics that have the same ratings).",
            a.rubric.id,
            short_scale(&a.rubric.ratings),
            b.rubric.id,
            short_scale(&b.rubric.ratings),
        )));
    }
    let same_rubric = a.rubric.id == b.rubric.id;
    if !same_rubric {
        warnings.push(format!(
            "A uses the `{}` rubric and B the `{}` rubric. Their ratings have the same labels, so ratings are compared by label; scores and criteria come from different rubrics and are compared only where the criterion ids match.",
            a.rubric.id, b.rubric.id
        ));
    }
    let criteria: Vec<(&CriterionInfo, &CriterionInfo)> = a
        .rubric
        .criteria
        .iter()
        .filter_map(|ca| {
            b.rubric
                .criteria
                .iter()
                .find(|cb| cb.id == ca.id)
                .map(|cb| (ca, cb))
        })
        .collect();
    let only_crit = |x: &Results, y: &Results| -> Vec<String> {
        x.rubric
            .criteria
            .iter()
            .filter(|c| !y.rubric.criteria.iter().any(|d| d.id == c.id))
            .map(|c| c.id.clone())
            .collect()
    };
    let (crit_a, crit_b) = (only_crit(a, b), only_crit(b, a));
    if !crit_a.is_empty() || !crit_b.is_empty() {
        let mut parts = Vec::new();
        if !crit_a.is_empty() {
            parts.push(format!("only A's rubric has {}", crit_a.join(", ")));
        }
        if !crit_b.is_empty() {
            parts.push(format!("only B's rubric has {}", crit_b.join(", ")));
        }
        warnings.push(format!(
            "Criteria in one rubric only are not compared: {}.",
            parts.join("; ")
        ));
    }

    let mut commitments = Vec::new();
    let mut only_in_a = Vec::new();
    let mut counts = Counts {
        compared: 0,
        up: 0,
        down: 0,
        same: 0,
        unknown: 0,
        only_in_a: 0,
        only_in_b: 0,
    };
    let one = |c: &CommitmentOut| OnlyOne {
        id: c.id.clone(),
        title: c.title.clone(),
        rating: c.rating.clone(),
        score: c.score,
    };
    let in_b: HashMap<&str, &CommitmentOut> =
        b.commitments.iter().map(|c| (c.id.as_str(), c)).collect();
    let in_a: HashSet<&str> = a.commitments.iter().map(|c| c.id.as_str()).collect();
    for ca in &a.commitments {
        let Some(&cb) = in_b.get(ca.id.as_str()) else {
            only_in_a.push(one(ca));
            continue;
        };
        let direction = match (ca.rating_rank, cb.rating_rank) {
            (Some(x), Some(y)) => Some(Direction::of(x, y)),
            // The same status (Withdrawn) on both sides: no rank, but no change either.
            (None, None) if ca.rating.is_some() && ca.rating == cb.rating => Some(Direction::Same),
            _ => None,
        };
        counts.compared += 1;
        match direction {
            Some(Direction::Up) => counts.up += 1,
            Some(Direction::Down) => counts.down += 1,
            Some(Direction::Same) => counts.same += 1,
            None => counts.unknown += 1,
        }
        commitments.push(Change {
            id: ca.id.clone(),
            title: ca.title.clone(),
            title_b: (cb.title.trim() != ca.title.trim()).then(|| cb.title.clone()),
            rating_a: ca.rating.clone(),
            rating_b: cb.rating.clone(),
            direction,
            score_a: ca.score,
            score_b: cb.score,
            // The change between the scores as written (4 decimals), so that a folder and the
            // JSON file written from it give the same change.
            score_change: ca
                .score
                .zip(cb.score)
                .map(|(x, y)| round4(round4(y) - round4(x))),
            moved: moved(ca, cb, &criteria),
        });
    }
    let only_in_b: Vec<OnlyOne> = b
        .commitments
        .iter()
        .filter(|cb| !in_a.contains(cb.id.as_str()))
        .map(one)
        .collect();
    counts.only_in_a = only_in_a.len();
    counts.only_in_b = only_in_b.len();
    let retitled: Vec<&str> = commitments
        .iter()
        .filter(|c| c.title_b.is_some())
        .map(|c| c.id.as_str())
        .collect();
    if !retitled.is_empty() {
        warnings.push(format!(
            "Commitments are matched by id, and these have different titles in A and B: {}. Check that the ids name the same commitments.",
            retitled.join(", ")
        ));
    }
    if counts.compared == 0 {
        warnings.push(
            "The two assessments have no commitment id in common: nothing could be compared."
                .to_string(),
        );
    }
    Ok(Comparison {
        schema_version: SCHEMA_VERSION,
        generator: format!("checkmyogp {}", env!("CARGO_PKG_VERSION")),
        a: side(source_a, a),
        b: side(source_b, b),
        same_rubric,
        warnings,
        summary: counts,
        commitments,
        only_in_a,
        only_in_b,
    })
}
