//! Two assessments side by side: the mid-term review against the end of term, or the
//! coalition's view against the IRM's. Works on two [`Results`] documents (from assessment
//! folders or from `assess --format json` files) and says, per commitment, how its rating and
//! score changed and which criteria moved.
//!
//! Ratings are compared by their position on the rubric's rating scale (`rating_rank`) when
//! both assessments rate on the same scale. When the rating scales differ (the coalition's
//! `check-my-ogp` against an imported `irm-legacy` folder), the level of completion is compared
//! instead, mapped by meaning (Not started, Limited, Substantial, Complete: the mapping of
//! [`crate::model::rubric::completion_meaning`]), and what cannot be compared is said in the
//! warnings; only when neither scale maps is the comparison refused. Commitments are matched
//! by id, then by OGP's id (`ogp_id`); each side's reference evaluators (the IRM) are set beside
//! its own level (see docs/workflow.md).

pub mod read;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::rubric::completion_meaning;
use crate::results::{
    CommitmentOut, Compared, CriterionInfo, EvaluatorInfo, Results, RubricInfo, round4,
};

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

/// What the two assessments are compared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Both rate on the same scale: the ratings' positions on it.
    Rating,
    /// The rating scales differ, but both rubrics have a completion criterion whose levels map
    /// by meaning: the levels of completion.
    Completion,
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
    /// B's id, when the commitments were matched by OGP's id and B's differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_b: Option<String>,
    /// A's and B's level of completion, when the comparison is by completion (absent
    /// otherwise; null: no level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_a: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_b: Option<Option<String>>,
    /// Each side's reference evaluators (the IRM) beside that side's own level. Omitted when
    /// neither side has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference: Vec<ReferenceLevel>,
}

/// A reference evaluator's level beside the level of the assessment it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceLevel {
    /// `"a"` or `"b"`: the assessment whose reference evaluator it is.
    pub side: String,
    pub evaluator: String,
    /// What it is about: the completion criterion's id, or null for the rating.
    pub criterion: Option<String>,
    /// What that side's results compared (`reference.<evaluator>.compared` of `assess`): their
    /// level of completion on that side's scale (mapped by meaning when they rated on
    /// another), or their rating when they rated on that side's rating scale.
    pub level: String,
    /// That side's own combined level (null: "No evidence").
    pub own: Option<String>,
    /// `reference.<evaluator>.differs` of that side's results.
    pub differs: bool,
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
    /// What the directions and counts are read from.
    pub basis: Basis,
    /// What the reader should know (e.g. different rubrics compared by rating labels).
    pub warnings: Vec<String>,
    pub summary: Counts,
    pub commitments: Vec<Change>,
    pub only_in_a: Vec<OnlyOne>,
    pub only_in_b: Vec<OnlyOne>,
}

/// A label `compare` keeps once per side, however many commitments use it: a criterion's id, a
/// level, a rating or a reference evaluator's id ([`Labels`]).
type Sym = u32;

/// Each distinct label of one side's results, stored once.
#[derive(Debug, Default)]
pub struct Labels {
    list: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
}

impl Labels {
    fn intern(&mut self, s: String) -> Sym {
        if let Some(&i) = self.index.get(s.as_str()) {
            return i;
        }
        // Cannot fail: a side is a plan of at most 50,000 commitments or a JSON file of at most
        // 256 MB, so it holds far fewer than 2^32 distinct labels.
        let i = Sym::try_from(self.list.len()).expect("fewer than 4 billion labels");
        let s = s.into_boxed_str();
        self.list.push(s.clone());
        self.index.insert(s, i);
        i
    }

    fn find(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    fn get(&self, i: Sym) -> &str {
        &self.list[i as usize]
    }
}

/// A criterion (or reference evaluator) → level map, as the results have it, in their order.
type Levels = Box<[(Sym, Option<Sym>)]>;

fn find_level(levels: &Levels, key: Option<Sym>) -> Option<Option<Sym>> {
    let key = key?;
    levels.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// What `compare` keeps of a reference evaluator's results for one commitment.
#[derive(Debug)]
struct Reference {
    evaluator: Sym,
    rating: Option<Sym>,
    score: Option<f64>,
    levels: Levels,
    differs: bool,
    compared: Option<Compared>,
}

/// What `compare` keeps of one commitment's results: what it matches by and what it compares,
/// nothing else (no milestones, flags, notes or counts).
#[derive(Debug)]
pub struct Entry {
    id: String,
    ogp_id: Option<String>,
    title: String,
    rating: Option<Sym>,
    rating_rank: Option<usize>,
    score: Option<f64>,
    /// Each criterion's combined level.
    levels: Levels,
    reference: Box<[Reference]>,
}

impl Entry {
    /// Keeps what is compared of a commitment's results, its labels in `labels`.
    pub fn of(c: CommitmentOut, labels: &mut Labels) -> Entry {
        let mut sym = |s: String| labels.intern(s);
        let levels: Levels = c
            .criteria
            .into_iter()
            .map(|(k, out)| (sym(k), out.level.map(&mut sym)))
            .collect();
        let reference = c
            .reference
            .into_iter()
            .map(|(e, r)| Reference {
                evaluator: sym(e),
                rating: r.rating.map(&mut sym),
                score: r.score,
                levels: r
                    .levels
                    .into_iter()
                    .map(|(k, l)| (sym(k), l.map(&mut sym)))
                    .collect(),
                differs: r.differs,
                compared: r.compared,
            })
            .collect();
        Entry {
            id: c.id,
            ogp_id: c.ogp_id,
            title: c.title,
            rating: c.rating.map(sym),
            rating_rank: c.rating_rank,
            score: c.score,
            levels,
            reference,
        }
    }
}

/// One side of a comparison as `compare` keeps it: the results' head and, per commitment, an
/// [`Entry`]. Far smaller than the [`Results`] it is made from (about 0.3 kB a commitment for
/// 5 evaluators × 8 criteria, where the results take several kB).
#[derive(Debug)]
pub struct Assessed {
    pub country: String,
    pub title: String,
    pub rubric: RubricInfo,
    pub as_of: String,
    pub evaluators: Vec<EvaluatorInfo>,
    pub commitments: Vec<Entry>,
    pub labels: Labels,
}

impl Assessed {
    /// Keeps what `compare` needs of whole results.
    pub fn of(r: Results) -> Assessed {
        let mut labels = Labels::default();
        let commitments = r
            .commitments
            .into_iter()
            .map(|c| Entry::of(c, &mut labels))
            .collect();
        Assessed {
            country: r.plan.country,
            title: r.plan.title,
            rubric: r.rubric,
            as_of: r.as_of,
            evaluators: r.evaluators,
            commitments,
            labels,
        }
    }

    fn rating(&self, c: &Entry) -> Option<&str> {
        c.rating.map(|l| self.labels.get(l))
    }

    /// A commitment's combined level of the criterion with the id `key`.
    fn level(&self, c: &Entry, key: &str) -> Option<&str> {
        find_level(&c.levels, self.labels.find(key))
            .flatten()
            .map(|l| self.labels.get(l))
    }
}

fn side(source: &str, r: &Assessed) -> Side {
    Side {
        source: source.to_string(),
        country: r.country.clone(),
        title: r.title.clone(),
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

fn same_level(a: Option<&str>, b: Option<&str>) -> bool {
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

/// The criterion of a rubric whose levels are a completion scale (every level means Not
/// started, Limited, Substantial or Complete, whatever the spelling: docs/formats.md §5.4),
/// preferring the one with the id `completion`.
fn completion_criterion(r: &RubricInfo) -> Option<&CriterionInfo> {
    let maps = |c: &&CriterionInfo| {
        c.scale == "ordinal"
            && c.levels.len() >= 2
            && c.levels.iter().all(|l| completion_meaning(l).is_some())
    };
    r.criteria
        .iter()
        .filter(maps)
        .find(|c| c.id == "completion")
        .or_else(|| r.criteria.iter().find(maps))
}

fn meaning(l: Option<&str>) -> Option<u8> {
    l.and_then(completion_meaning)
}

/// Two levels of completion are the same when they mean the same (`Not Started` and `Not
/// started`), or are written the same (a status such as `Withdrawn`).
fn same_completion(a: Option<&str>, b: Option<&str>) -> bool {
    match (meaning(a), meaning(b)) {
        (Some(x), Some(y)) => x == y,
        _ => same_level(a, b),
    }
}

/// The pair of completion criteria compared by meaning, when there is one.
type CompletionPair<'a> = Option<(&'a CriterionInfo, &'a CriterionInfo)>;

fn moved(
    (sa, a): (&Assessed, &Entry),
    (sb, b): (&Assessed, &Entry),
    criteria: &[(&CriterionInfo, &CriterionInfo)],
    completion: CompletionPair<'_>,
) -> Vec<Move> {
    let mut out = Vec::new();
    for (ca, cb) in criteria {
        let from = sa.level(a, &ca.id);
        let to = sb.level(b, &cb.id);
        let by_meaning = completion.is_some_and(|(x, y)| x.id == ca.id && y.id == cb.id);
        if by_meaning && same_completion(from, to) || !by_meaning && same_level(from, to) {
            continue;
        }
        let ordered = ca.scale != "nominal" && same_labels(&ca.levels, &cb.levels);
        let position = |levels: &[String], l: Option<&str>| {
            l.and_then(|l| levels.iter().position(|x| x.eq_ignore_ascii_case(l)))
        };
        let direction = if by_meaning {
            meaning(from)
                .zip(meaning(to))
                .map(|(x, y)| Direction::of(x.into(), y.into()))
        } else {
            match (
                ordered,
                position(&ca.levels, from),
                position(&cb.levels, to),
            ) {
                (true, Some(x), Some(y)) => Some(Direction::of(x, y)),
                _ => None,
            }
        };
        out.push(Move {
            criterion: ca.id.clone(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            direction,
        });
    }
    out
}

/// Each reference evaluator of one side, beside that side's own level of completion or
/// rating, whichever that side's results compared.
fn references(
    side: &str,
    s: &Assessed,
    c: &Entry,
    completion: Option<&CriterionInfo>,
) -> Vec<ReferenceLevel> {
    let text = |l: Option<Sym>| l.map(|l| s.labels.get(l).to_string());
    c.reference
        .iter()
        .filter_map(|r| {
            // What the results compared (`ReferenceOut::compared`), and whether it differs.
            let (criterion, level, own) = match (completion, r.compared?) {
                (Some(k), Compared::Completion) => {
                    let level = text(find_level(&r.levels, s.labels.find(&k.id)).flatten())?;
                    let own = s.level(c, &k.id).map(str::to_string);
                    (Some(k.id.clone()), level, own)
                }
                _ => (None, text(r.rating)?, text(c.rating)),
            };
            let differs = r.differs;
            Some(ReferenceLevel {
                side: side.to_string(),
                evaluator: s.labels.get(r.evaluator).to_string(),
                criterion,
                level,
                own,
                differs,
            })
        })
        .collect()
}

/// A side with no evaluators of its own but a reference evaluator (an imported IRM folder
/// whose `reference = "irm"` was uncommented before any coalition rated): its view is the
/// first reference evaluator's. Returns that evaluator's id.
fn reference_as_own(r: &mut Assessed) -> Option<String> {
    if r.evaluators.iter().any(|e| !e.reference) {
        return None;
    }
    let id = r.evaluators.iter().find(|e| e.reference)?.id.clone();
    let key = r.labels.find(&id);
    let (ratings, labels) = (&r.rubric.ratings, &r.labels);
    for c in &mut r.commitments {
        let theirs = key.and_then(|k| c.reference.iter().find(|x| x.evaluator == k));
        c.rating = theirs.and_then(|t| t.rating);
        c.rating_rank = c.rating.and_then(|l| {
            let l = labels.get(l);
            ratings.iter().position(|x| x.eq_ignore_ascii_case(l))
        });
        c.score = theirs.and_then(|t| t.score);
        let levels: Levels = c
            .levels
            .iter()
            .map(|&(k, _)| {
                let theirs = theirs.and_then(|t| find_level(&t.levels, Some(k)).flatten());
                (k, theirs)
            })
            .collect();
        c.levels = levels;
        c.reference = Box::default();
    }
    Some(id)
}

/// Matches A's commitments to B's: by id first, then by OGP's id (`ogp_id` on either side,
/// against the other's id or `ogp_id`). Gives, for each of A's, the index of B's: of those
/// that match and are not matched yet, the first in B's order.
fn match_commitments(a: &[Entry], b: &[Entry]) -> Vec<Option<usize>> {
    let by_id: HashMap<&str, usize> = b
        .iter()
        .enumerate()
        .rev()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut used = vec![false; b.len()];
    let mut found: Vec<Option<usize>> = a
        .iter()
        .map(|c| {
            let i = by_id.get(c.id.as_str()).copied()?;
            (!std::mem::replace(&mut used[i], true)).then_some(i)
        })
        .collect();
    if found.iter().all(Option::is_some) {
        return found;
    }
    let key = |k: &str| k.trim().to_ascii_uppercase();
    // B's commitments by each of their keys (id and OGP id), and by their OGP id alone, in B's
    // order, each list with how many of its first ones are known to be matched already: found
    // through maps, not by a search of B for each of A's (quadratic: 50,000 commitments
    // matched by OGP's id took minutes).
    type Lists = HashMap<String, (Vec<usize>, usize)>;
    let (mut by_key, mut by_ogp): (Lists, Lists) = (HashMap::new(), HashMap::new());
    for (i, cb) in b.iter().enumerate() {
        let id = key(&cb.id);
        let ogp = cb.ogp_id.as_deref().map(key);
        if let Some(o) = ogp {
            if o != id {
                by_key.entry(o.clone()).or_default().0.push(i);
            }
            by_ogp.entry(o).or_default().0.push(i);
        }
        by_key.entry(id).or_default().0.push(i);
    }
    // The first of a list's commitments not matched yet.
    let first = |list: Option<&mut (Vec<usize>, usize)>, used: &[bool]| -> Option<usize> {
        let (list, skip) = list?;
        while list.get(*skip).is_some_and(|&i| used[i]) {
            *skip += 1;
        }
        list.get(*skip).copied()
    };
    for (ca, slot) in a.iter().zip(found.iter_mut()) {
        if slot.is_some() {
            continue;
        }
        let ogp_a = ca.ogp_id.as_deref().map(key);
        // An OGP id on one side must name the other: ids alone were tried above.
        let mut hit = ogp_a.as_ref().and_then(|o| first(by_key.get_mut(o), &used));
        for k in std::iter::once(key(&ca.id)).chain(ogp_a) {
            if let Some(i) = first(by_ogp.get_mut(&k), &used) {
                hit = Some(hit.map_or(i, |h| h.min(i)));
            }
        }
        if let Some(i) = hit {
            used[i] = true;
            *slot = Some(i);
        }
    }
    found
}

fn scope_words(c: &CriterionInfo) -> &'static str {
    if c.scope == "milestone" {
        "per milestone (the commitment's level is rolled up from its milestones)"
    } else {
        "for the commitment as a whole"
    }
}

/// Compares B against A. `source_a` and `source_b` say where each was read from.
pub fn compare(
    mut a: Assessed,
    source_a: &str,
    mut b: Assessed,
    source_b: &str,
) -> Result<Comparison, Incomparable> {
    let mut warnings = Vec::new();
    for (side, r) in [("A", &mut a), ("B", &mut b)] {
        if let Some(id) = reference_as_own(r) {
            warnings.push(format!(
                "{side} has no evaluators of its own, only the reference evaluator `{id}`: {side}'s levels are {id}'s ratings."
            ));
        }
    }
    let (a, b) = (&a, &b);
    let same_scale = same_labels(&a.rubric.ratings, &b.rubric.ratings);
    let completion: CompletionPair<'_> =
        completion_criterion(&a.rubric).zip(completion_criterion(&b.rubric));
    let basis = if same_scale {
        Basis::Rating
    } else if let Some((ca, cb)) = completion {
        warnings.push(format!(
            "A uses the `{}` rubric, rated {}, and B the `{}` rubric, rated {}: a rating of one cannot be placed on the other's scale, and their 0–100 scores measure different things, so ratings and scores are shown side by side but not compared. The level of completion is compared instead: both rubrics' completion levels mean Not started, Limited, Substantial or Complete, and are matched by meaning.",
            a.rubric.id,
            short_scale(&a.rubric.ratings),
            b.rubric.id,
            short_scale(&b.rubric.ratings),
        ));
        if ca.scope != cb.scope {
            warnings.push(format!(
                "A rates completion {}; B rates it {}.",
                scope_words(ca),
                scope_words(cb)
            ));
        }
        Basis::Completion
    } else {
        return Err(Incomparable(format!(
            "the two assessments rate on different scales: A ({source_a}) uses the `{}` rubric, rated {}, and B ({source_b}) the `{}` rubric, rated {}; a rating of one cannot be placed on the other's scale, and the two rubrics do not both have a completion criterion whose levels (Not started, Limited, Substantial, Complete) can be matched by meaning. Compare assessments made with the same rubric (or with rubrics that have the same ratings, or completion levels with those names).",
            a.rubric.id,
            short_scale(&a.rubric.ratings),
            b.rubric.id,
            short_scale(&b.rubric.ratings),
        )));
    };
    let same_rubric = a.rubric.id == b.rubric.id;
    if !same_rubric && basis == Basis::Rating {
        warnings.push(format!(
            "A uses the `{}` rubric and B the `{}` rubric. Their ratings have the same labels, so ratings are compared by label; scores and criteria come from different rubrics and are compared only where the criterion ids match.",
            a.rubric.id, b.rubric.id
        ));
    }
    let mut criteria: Vec<(&CriterionInfo, &CriterionInfo)> = a
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
    // Completion criteria with different ids are compared with each other all the same.
    if let Some((ca, cb)) = completion.filter(|(ca, cb)| ca.id != cb.id) {
        criteria.retain(|(x, y)| x.id != ca.id && y.id != cb.id);
        criteria.push((ca, cb));
    }
    let compared_ids = |x: &Assessed, first: bool| -> Vec<String> {
        x.rubric
            .criteria
            .iter()
            .filter(|c| {
                !criteria
                    .iter()
                    .any(|(p, q)| if first { p.id == c.id } else { q.id == c.id })
            })
            .map(|c| c.id.clone())
            .collect()
    };
    let (crit_a, crit_b) = (compared_ids(a, true), compared_ids(b, false));
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
    let one = |s: &Assessed, c: &Entry| OnlyOne {
        id: c.id.clone(),
        title: c.title.clone(),
        rating: s.rating(c).map(str::to_string),
        score: c.score,
    };
    let matches = match_commitments(&a.commitments, &b.commitments);
    let in_a: HashSet<usize> = matches.iter().flatten().copied().collect();
    let mut by_ogp = Vec::new();
    let level = |s: &Assessed, c: &Entry, k: &CriterionInfo| -> Option<String> {
        s.level(c, &k.id).map(str::to_string)
    };
    for (ca, found) in a.commitments.iter().zip(&matches) {
        let Some(cb) = found.map(|i| &b.commitments[i]) else {
            only_in_a.push(one(a, ca));
            continue;
        };
        let id_b = (cb.id != ca.id).then(|| cb.id.clone());
        if id_b.is_some() {
            by_ogp.push(format!("{} = {}", ca.id, cb.id));
        }
        let (completion_a, completion_b) = match (basis, completion) {
            (Basis::Completion, Some((ka, kb))) => (Some(level(a, ca, ka)), Some(level(b, cb, kb))),
            _ => (None, None),
        };
        let direction = match (&completion_a, &completion_b) {
            (Some(x), Some(y)) => match (meaning(x.as_deref()), meaning(y.as_deref())) {
                (Some(p), Some(q)) => Some(Direction::of(p.into(), q.into())),
                // The same status (Withdrawn) on both sides: off the scale, but no change.
                (None, None) if x.is_some() && same_level(x.as_deref(), y.as_deref()) => {
                    Some(Direction::Same)
                }
                _ => None,
            },
            _ => match (ca.rating_rank, cb.rating_rank) {
                (Some(x), Some(y)) => Some(Direction::of(x, y)),
                // The same status (Withdrawn) on both sides: no rank, but no change either.
                (None, None) if ca.rating.is_some() && a.rating(ca) == b.rating(cb) => {
                    Some(Direction::Same)
                }
                _ => None,
            },
        };
        counts.compared += 1;
        match direction {
            Some(Direction::Up) => counts.up += 1,
            Some(Direction::Down) => counts.down += 1,
            Some(Direction::Same) => counts.same += 1,
            None => counts.unknown += 1,
        }
        let mut reference = references("a", a, ca, completion.map(|(k, _)| k));
        reference.extend(references("b", b, cb, completion.map(|(_, k)| k)));
        commitments.push(Change {
            id: ca.id.clone(),
            title: ca.title.clone(),
            title_b: (cb.title.trim() != ca.title.trim()).then(|| cb.title.clone()),
            rating_a: a.rating(ca).map(str::to_string),
            rating_b: b.rating(cb).map(str::to_string),
            direction,
            score_a: ca.score,
            score_b: cb.score,
            // The change between the scores as written (4 decimals), so that a folder and the
            // JSON file written from it give the same change; none between different scales.
            score_change: ca
                .score
                .zip(cb.score)
                .filter(|_| basis == Basis::Rating)
                .map(|(x, y)| round4(round4(y) - round4(x))),
            moved: moved((a, ca), (b, cb), &criteria, completion),
            id_b,
            completion_a,
            completion_b,
            reference,
        });
    }
    let only_in_b: Vec<OnlyOne> = b
        .commitments
        .iter()
        .enumerate()
        .filter(|(i, _)| !in_a.contains(i))
        .map(|(_, c)| one(b, c))
        .collect();
    counts.only_in_a = only_in_a.len();
    counts.only_in_b = only_in_b.len();
    if !by_ogp.is_empty() {
        warnings.push(format!(
            "Matched by OGP's id (ogp_id), A's id = B's: {}.",
            by_ogp.join(", ")
        ));
    }
    let retitled: Vec<&str> = commitments
        .iter()
        .filter(|c| c.title_b.is_some())
        .map(|c| c.id.as_str())
        .collect();
    if !retitled.is_empty() {
        warnings.push(format!(
            "These commitments have different titles in A and B: {}. Check that they are the same commitments.",
            retitled.join(", ")
        ));
    }
    if counts.compared == 0 {
        warnings.push(
            "The two assessments have no commitment id (or OGP id) in common: nothing could be compared."
                .to_string(),
        );
    }
    Ok(Comparison {
        schema_version: SCHEMA_VERSION,
        generator: format!("checkmyogp {}", env!("CARGO_PKG_VERSION")),
        a: side(source_a, a),
        b: side(source_b, b),
        same_rubric,
        basis,
        warnings,
        summary: counts,
        commitments,
        only_in_a,
        only_in_b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, ogp_id: Option<&str>) -> Entry {
        Entry {
            id: id.to_string(),
            ogp_id: ogp_id.map(str::to_string),
            title: String::new(),
            rating: None,
            rating_rank: None,
            score: None,
            levels: Box::default(),
            reference: Box::default(),
        }
    }

    /// The matching as it was: for each of A's commitments not matched by id, a search of B.
    fn match_by_search(a: &[Entry], b: &[Entry]) -> Vec<Option<usize>> {
        let by_id: HashMap<&str, usize> = b
            .iter()
            .enumerate()
            .rev()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut used: HashSet<usize> = HashSet::new();
        let mut found: Vec<Option<usize>> = a
            .iter()
            .map(|c| {
                let i = by_id.get(c.id.as_str()).copied()?;
                used.insert(i).then_some(i)
            })
            .collect();
        let keys = |c: &Entry| -> Vec<String> {
            std::iter::once(c.id.as_str())
                .chain(c.ogp_id.as_deref())
                .map(|k| k.trim().to_ascii_uppercase())
                .collect()
        };
        for (ca, slot) in a.iter().zip(found.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let ka = keys(ca);
            let ogp_a = ca.ogp_id.as_deref().map(|k| k.trim().to_ascii_uppercase());
            let hit = b.iter().enumerate().find(|(i, cb)| {
                if used.contains(i) {
                    return false;
                }
                let ogp_b = cb.ogp_id.as_deref().map(|k| k.trim().to_ascii_uppercase());
                ogp_a.as_ref().is_some_and(|o| keys(cb).contains(o))
                    || ogp_b.as_ref().is_some_and(|o| ka.contains(o))
            });
            if let Some((i, _)) = hit {
                used.insert(i);
                *slot = Some(i);
            }
        }
        found
    }

    /// Matching through maps gives what the search of B gave, on every small case: ids and OGP
    /// ids drawn from a few values (spelt in other cases and with spaces), repeated, missing,
    /// naming each other across the sides.
    #[test]
    fn matching_by_maps_is_matching_by_search() {
        let values = ["x1", "X1 ", "x2", "y", "MN01", " mn01", "mn02"];
        // A small deterministic generator (xorshift), so that the cases are the same each run.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap()
        };
        let mut matched = 0;
        for _ in 0..3000 {
            let side = |next: &mut dyn FnMut(usize) -> usize| -> Vec<Entry> {
                (0..next(6))
                    .map(|_| {
                        let id = values[next(values.len())];
                        let ogp = (next(3) > 0).then(|| values[next(values.len())]);
                        entry(id, ogp)
                    })
                    .collect()
            };
            let a = side(&mut next);
            let b = side(&mut next);
            let expected = match_by_search(&a, &b);
            assert_eq!(match_commitments(&a, &b), expected, "{a:?} {b:?}");
            matched += expected.iter().flatten().count();
        }
        assert!(matched > 1000, "{matched}");
    }
}
