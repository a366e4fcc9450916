//! A rubric: the criteria evaluators answer, their scales, how ratings combine, how a
//! commitment's rating is derived, and the flags (named rules such as "starred").
//!
//! Levels are referred to by their index on the criterion's scale (0 = lowest). Every
//! reference was resolved and checked when the rubric was loaded, so the indices here are valid.

use serde::Serialize;

/// A whole rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub source: Option<String>,
    /// Where the rubric came from: `built-in` or a file path.
    pub origin: String,
    /// A spread (in levels) at or above this marks a disagreement.
    pub disagreement_threshold: u32,
    /// Words that mean "looked at it, cannot rate" (compared case-insensitively, trimmed).
    pub no_rating: Vec<String>,
    pub criteria: Vec<Criterion>,
    /// Criteria shown as columns in tables (indices into `criteria`).
    pub key_criteria: Vec<usize>,
    /// The criterion used for timeliness and completion summaries.
    pub completion: Option<usize>,
    pub rating: RatingRule,
    pub flags: Vec<Flag>,
}

/// What kind of answer a criterion takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScaleKind {
    /// Ordered levels with numeric values.
    Ordinal,
    /// No (0) or Yes (1).
    YesNo,
    /// Unordered categories.
    Nominal,
}

impl ScaleKind {
    pub const ALL: [(&'static str, ScaleKind); 3] = [
        ("ordinal", ScaleKind::Ordinal),
        ("yes-no", ScaleKind::YesNo),
        ("nominal", ScaleKind::Nominal),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(id, _)| id)
    }

    /// Whether levels have an order (and so a spread, a minimum, a score).
    pub fn is_ordered(self) -> bool {
        !matches!(self, ScaleKind::Nominal)
    }
}

/// Whether a criterion is rated once per commitment or once per milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Commitment,
    Milestone,
}

impl Scope {
    pub const ALL: [(&'static str, Scope); 2] = [
        ("commitment", Scope::Commitment),
        ("milestone", Scope::Milestone),
    ];

    pub fn id(self) -> &'static str {
        match self {
            Scope::Commitment => "commitment",
            Scope::Milestone => "milestone",
        }
    }
}

/// How several evaluators' levels for one unit become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    Median,
    Mean,
    Min,
    Max,
    Mode,
}

impl Combine {
    pub const ALL: [(&'static str, Combine); 5] = [
        ("median", Combine::Median),
        ("mean", Combine::Mean),
        ("min", Combine::Min),
        ("max", Combine::Max),
        ("mode", Combine::Mode),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(id, _)| id)
    }
}

/// One level of a scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    pub label: String,
    /// The number used in means and scores (ordinal and yes-no scales); strictly increasing.
    pub value: f64,
    pub description: Option<String>,
}

/// An answer that is not a point on the scale (the IRM's *Withdrawn*, *No Evidence Available*):
/// never combined with levels, never averaged, never scored, never overdue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub label: String,
    pub description: Option<String>,
}

/// How a milestone-scope criterion's milestones become the commitment's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RollUp {
    /// The level at or below the weighted mean.
    WeightedMean,
    /// As `WeightedMean`, but the lowest level only when every rated milestone is at it and the
    /// highest only when every rated milestone is at it.
    StrictEnds,
}

impl RollUp {
    pub const ALL: [(&'static str, RollUp); 2] = [
        ("weighted-mean", RollUp::WeightedMean),
        ("strict-ends", RollUp::StrictEnds),
    ];

    pub fn id(self) -> &'static str {
        match self {
            RollUp::WeightedMean => "weighted-mean",
            RollUp::StrictEnds => "strict-ends",
        }
    }
}

/// One question of the rubric.
#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub question: String,
    pub kind: ScaleKind,
    pub levels: Vec<Level>,
    pub scope: Scope,
    pub combine: Combine,
    /// Weight in the 0–100 score; 0 keeps the criterion out of it.
    pub weight: f64,
    /// Levels at or above this index must cite evidence.
    pub evidence_from: Option<usize>,
    /// Answers outside the scale. In ratings and results, index `levels.len() + j` stands for
    /// status `j`.
    pub statuses: Vec<Status>,
    pub roll_up: RollUp,
}

/// What a completion level means, whatever the rubric calls it: 0 not started, 1 limited,
/// 2 substantial, 3 complete (`Not Started`, `not started`, `Completed` and `Complete` alike).
pub fn completion_meaning(label: &str) -> Option<u8> {
    let key: String = label
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "notstarted" => Some(0),
        "limited" => Some(1),
        "substantial" => Some(2),
        "complete" | "completed" => Some(3),
        _ => None,
    }
}

/// The level of `c` that means what `text` means on a completion scale (the completion scales
/// of the built-in rubrics, mapped onto each other by meaning), or none.
pub fn level_by_meaning(c: &Criterion, text: &str) -> Option<usize> {
    let meaning = completion_meaning(text)?;
    c.levels
        .iter()
        .position(|l| completion_meaning(&l.label) == Some(meaning))
}

impl Criterion {
    /// The status an answer index stands for (`None`: a level of the scale).
    pub fn status_of(&self, index: usize) -> Option<usize> {
        index
            .checked_sub(self.levels.len())
            .filter(|&j| j < self.statuses.len())
    }

    /// Whether an answer index is a point on the scale.
    pub fn is_level(&self, index: usize) -> bool {
        index < self.levels.len()
    }

    /// Every answer's label: the levels, then the statuses.
    pub fn answer_labels(&self) -> impl Iterator<Item = &str> {
        self.levels
            .iter()
            .map(|l| l.label.as_str())
            .chain(self.statuses.iter().map(|s| s.label.as_str()))
    }

    /// The level a score-file cell names: its label (any case, surrounding space ignored) or
    /// its numeric value. `None` when it names no level.
    pub fn parse_level(&self, text: &str) -> Option<usize> {
        let t = text.trim();
        if let Some(i) = self.levels.iter().position(|l| l.label == t) {
            return Some(i);
        }
        if let Some(i) = self
            .levels
            .iter()
            .position(|l| l.label.eq_ignore_ascii_case(t))
        {
            return Some(i);
        }
        let lower = t.to_lowercase();
        if let Some(i) = self
            .levels
            .iter()
            .position(|l| l.label.to_lowercase() == lower)
        {
            return Some(i);
        }
        if let Some(j) = self
            .statuses
            .iter()
            .position(|s| s.label.to_lowercase() == lower)
        {
            return Some(self.levels.len() + j);
        }
        if self.kind == ScaleKind::YesNo {
            match lower.as_str() {
                "y" | "yes" | "true" | "1" | "x" => return Some(1),
                "n" | "no" | "false" | "0" => return Some(0),
                _ => {}
            }
        }
        if self.kind != ScaleKind::Nominal
            && let Ok(n) = t.replace(',', ".").parse::<f64>()
        {
            return self.levels.iter().position(|l| l.value == n);
        }
        None
    }

    /// The highest level whose value is not above `value` (a mean is never rounded up).
    pub fn level_at_or_below(&self, value: f64) -> usize {
        self.levels
            .iter()
            .rposition(|l| l.value <= value + 1e-9)
            .unwrap_or(0)
    }

    /// A level's value on a 0–100 scale.
    pub fn normalise(&self, value: f64) -> f64 {
        let (Some(lo), Some(hi)) = (self.levels.first(), self.levels.last()) else {
            return 0.0;
        };
        if hi.value > lo.value {
            (value - lo.value) / (hi.value - lo.value) * 100.0
        } else {
            0.0
        }
    }

    /// The label of a level or, past the levels, of a status.
    pub fn label(&self, level: usize) -> &str {
        match self.levels.get(level) {
            Some(l) => l.label.as_str(),
            None => self
                .status_of(level)
                .map_or("?", |j| self.statuses[j].label.as_str()),
        }
    }
}

/// A named band of the 0–100 score: `min` inclusive, `max` exclusive except for the top band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub description: Option<String>,
}

/// How a commitment's rating is derived.
#[derive(Debug, Clone)]
pub enum RatingRule {
    /// The combined level of one criterion.
    Criterion(usize),
    /// The weighted 0–100 score cut into bands, lowest first.
    Bands(Vec<Band>),
}

/// The test a condition applies to a criterion's combined level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CondTest {
    AtLeast(usize),
    AtMost(usize),
    Is(usize),
    OneOf(Vec<usize>),
}

impl CondTest {
    pub fn holds(&self, level: usize) -> bool {
        match self {
            CondTest::AtLeast(l) => level >= *l,
            CondTest::AtMost(l) => level <= *l,
            CondTest::Is(l) => level == *l,
            CondTest::OneOf(ls) => ls.contains(&level),
        }
    }
}

/// What a condition checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionKind {
    /// At least one of these criteria (usually just one) passes the test.
    Level {
        criteria: Vec<usize>,
        test: CondTest,
    },
    /// Another flag holds.
    Flag(usize),
}

/// One condition of a flag.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The short name shown as the binding constraint.
    pub label: String,
    pub kind: ConditionKind,
}

/// A named rule over a commitment's combined levels, e.g. `starred`.
#[derive(Debug, Clone)]
pub struct Flag {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub star: bool,
    pub conditions: Vec<Condition>,
}

impl Rubric {
    /// The criterion whose status (Withdrawn, No Evidence Available) is a commitment's rating,
    /// with no score: the rating criterion, or with score bands the completion criterion (a
    /// withdrawn commitment is not "On track" because of its other criteria).
    pub fn status_criterion(&self) -> Option<usize> {
        match &self.rating {
            RatingRule::Criterion(i) => Some(*i),
            RatingRule::Bands(_) => self.completion,
        }
    }

    /// A condition in words: `completion at least Substantial`, `any of a, b is Yes`,
    /// `flag starred holds`.
    pub fn describe(&self, kind: &ConditionKind) -> String {
        match kind {
            ConditionKind::Flag(j) => {
                format!(
                    "flag {} holds",
                    self.flags.get(*j).map_or("?", |f| f.id.as_str())
                )
            }
            ConditionKind::Level { criteria, test } => {
                let Some(first) = criteria.first().and_then(|&i| self.criteria.get(i)) else {
                    return String::new();
                };
                let names: Vec<&str> = criteria
                    .iter()
                    .filter_map(|&i| self.criteria.get(i).map(|c| c.id.as_str()))
                    .collect();
                let test = match test {
                    CondTest::AtLeast(l) => format!("at least {}", first.label(*l)),
                    CondTest::AtMost(l) => format!("at most {}", first.label(*l)),
                    CondTest::Is(l) => format!("is {}", first.label(*l)),
                    CondTest::OneOf(ls) => format!(
                        "is {}",
                        ls.iter()
                            .map(|&l| first.label(l))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                };
                if names.len() > 1 {
                    format!("any of {} {test}", names.join(", "))
                } else {
                    format!("{} {test}", first.id)
                }
            }
        }
    }

    pub fn criterion_index(&self, id: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c.id == id)
    }

    /// Whether a score-file cell means "no rating".
    pub fn is_no_rating(&self, text: &str) -> bool {
        let t = text.trim();
        self.no_rating
            .iter()
            .any(|w| w.trim().eq_ignore_ascii_case(t))
            || (t.is_empty() && self.no_rating.iter().any(|w| w.trim().is_empty()))
    }
}
