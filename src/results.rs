//! The assessment as data: the stable, documented schema (`schema_version` 1) that
//! `assess --format json` writes, that templates and `compare` read, and that every other
//! format is drawn from. See docs/json-schema.md and docs/assessment.schema.json.

use indexmap::IndexMap;

use serde::{Deserialize, Serialize};

use crate::assess::{Assessment, Combined, CommitmentResult, Engine, Scratch, View};
use crate::load::Inputs;
use crate::model::{RatingRule, Rubric, ScaleKind};

pub const SCHEMA_VERSION: u32 = 1;

/// Rounds to 4 decimals, so that output does not change with the last bits of a float.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Writes a number rounded to 4 decimals. Results keep every number unrounded through every
/// computation; they are rounded once, here, when written (tables round to 1 decimal).
pub fn ser4<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => s.serialize_some(&round4(*v)),
        None => s.serialize_none(),
    }
}

fn ser4_plain<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round4(*x))
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub schema_version: u32,
    pub generator: String,
    pub plan: PlanInfo,
    pub rubric: RubricInfo,
    pub as_of: String,
    pub evaluators: Vec<EvaluatorInfo>,
    pub commitments: Vec<CommitmentOut>,
    pub summary: Summary,
}

/// Everything the results say besides the commitments and their summary: what was assessed,
/// on which rubric, as of when, by whom. These are [`Results`]' first fields, in its order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Head {
    pub schema_version: u32,
    pub generator: String,
    pub plan: PlanInfo,
    pub rubric: RubricInfo,
    pub as_of: String,
    pub evaluators: Vec<EvaluatorInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInfo {
    pub country: String,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub organisation: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricInfo {
    pub id: String,
    pub name: String,
    pub origin: String,
    /// `criterion` (the rating is one criterion's level) or `score` (bands of the 0–100 score).
    pub rating_from: String,
    /// The rating's possible labels, lowest first.
    pub ratings: Vec<String>,
    pub criteria: Vec<CriterionInfo>,
    pub flags: Vec<FlagInfo>,
    pub disagreement_threshold: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionInfo {
    pub id: String,
    pub name: String,
    pub question: String,
    pub scale: String,
    pub scope: String,
    pub combine: String,
    pub weight: f64,
    pub levels: Vec<String>,
    pub key: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagInfo {
    pub id: String,
    pub name: String,
    pub star: bool,
    /// Each condition's short label, in order.
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluatorInfo {
    pub id: String,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub role: String,
    /// An outside view (IRM, government), shown beside the combined rating, never combined into it.
    pub reference: bool,
}

/// One criterion's result for one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionOut {
    /// The combined level's label, or the status's label (e.g. `Withdrawn`).
    pub level: Option<String>,
    /// The combined value; null for a status.
    #[serde(serialize_with = "ser4")]
    pub value: Option<f64>,
    /// The level is the one the coalition agreed after discussion (an evaluator with
    /// `role = "consensus"`), not the combination of the evaluators' levels. Omitted when false.
    #[serde(skip_serializing_if = "is_false", default)]
    pub consensus: bool,
    /// How many evaluators gave a level or a status.
    pub ratings: usize,
    /// How many said "no rating".
    pub no_rating: usize,
    pub min: Option<String>,
    pub max: Option<String>,
    pub spread: Option<usize>,
    pub disagreement: bool,
    pub unsupported: bool,
    /// With `--details`: each evaluator's level (null: "no rating"); evaluators who did not
    /// answer are absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub by_evaluator: Option<IndexMap<String, Option<String>>>,
}

/// One criterion's result as [`CriterionOut`] has it, without `by_evaluator`, its labels
/// borrowed (from the rubric, or from a [`CriterionOut`]): what `assess --format json` writes
/// of a criterion, without a string made for each label ([`write_json`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriterionRef<'a> {
    pub level: Option<&'a str>,
    pub value: Option<f64>,
    pub consensus: bool,
    pub ratings: usize,
    pub no_rating: usize,
    pub min: Option<&'a str>,
    pub max: Option<&'a str>,
    pub spread: Option<usize>,
    pub disagreement: bool,
    pub unsupported: bool,
}

impl CriterionOut {
    /// Its fields but `by_evaluator`, borrowed.
    pub fn as_ref(&self) -> CriterionRef<'_> {
        let CriterionOut {
            level,
            value,
            consensus,
            ratings,
            no_rating,
            min,
            max,
            spread,
            disagreement,
            unsupported,
            by_evaluator: _,
        } = self;
        CriterionRef {
            level: level.as_deref(),
            value: *value,
            consensus: *consensus,
            ratings: *ratings,
            no_rating: *no_rating,
            min: min.as_deref(),
            max: max.as_deref(),
            spread: *spread,
            disagreement: *disagreement,
            unsupported: *unsupported,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneOut {
    pub id: String,
    pub title: String,
    pub due: Option<String>,
    pub weight: f64,
    pub overdue: bool,
    /// The milestone's completion level or status (its own, or the commitment's when completion is rated per commitment).
    pub completion: Option<String>,
    /// Past due with no completion level: never overdue, listed as not rated. Omitted when false.
    #[serde(skip_serializing_if = "is_false", default)]
    pub not_rated: bool,
    pub criteria: IndexMap<String, CriterionOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceOut {
    pub rating: Option<String>,
    #[serde(serialize_with = "ser4")]
    pub score: Option<f64>,
    pub levels: IndexMap<String, Option<String>>,
    pub flags: Vec<String>,
    /// Whether they differ from the coalition, by the comparison the tool makes (see
    /// `compared`): false when none of the coalition's evaluators rated the commitment.
    pub differs: bool,
    /// What `differs` compared: their level of the completion criterion (mapped by meaning
    /// when they rated on another scale) with the coalition's when they have one, else their
    /// rating with the coalition's; null when they have neither.
    pub compared: Option<Compared>,
    /// What they rated that the rubric cannot hold as it is (a criterion it lacks, a level
    /// outside its scale), as written: criterion → level. Omitted when empty.
    #[serde(skip_serializing_if = "IndexMap::is_empty", default)]
    pub other: IndexMap<String, String>,
}

/// What a reference evaluator's view is compared on (see [`ReferenceOut::differs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compared {
    /// Their rating on the rubric's rating scale beside the coalition's rating.
    Rating,
    /// Their level of the completion criterion (their own, or their rating on another
    /// completion scale mapped by meaning) beside the coalition's.
    Completion,
}

impl ReferenceOut {
    /// Sets `compared` and `differs`: the one definition of "the reference evaluator differs
    /// from the coalition on this commitment", read by every command. Their level of the
    /// completion criterion (their own, or mapped by meaning from another completion scale)
    /// when the rubric has one and they have a level on it — on the IRM's rubrics the rating
    /// is that level, and a score band (check-my-ogp's rating) is not a scale the IRM rates
    /// on; else their rating. A missing coalition value ("No evidence") beside theirs counts
    /// as different; a commitment none of the coalition's evaluators rated never differs.
    fn compare(&mut self, c: &CommitmentOut, completion: Option<&str>) {
        let theirs_level = completion.and_then(|k| self.levels.get(k).cloned().flatten());
        let (compared, theirs, ours) = if let (Some(k), Some(l)) = (completion, theirs_level) {
            let ours = c.criteria.get(k).and_then(|x| x.level.clone());
            (Some(Compared::Completion), Some(l), ours)
        } else if self.rating.is_some() {
            (
                Some(Compared::Rating),
                self.rating.clone(),
                c.rating.clone(),
            )
        } else {
            (None, None, None)
        };
        self.compared = compared;
        self.differs = c.evaluators > 0 && theirs.is_some() && theirs != ours;
    }
}

/// Free text an evaluator wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteOut {
    pub evaluator: String,
    pub milestone: Option<String>,
    pub criterion: Option<String>,
    pub evidence: String,
    pub comment: String,
    pub next_steps: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ogp_id: Option<String>,
    pub title: String,
    pub lead: Option<String>,
    pub supporting: Vec<String>,
    pub values: Vec<String>,
    pub themes: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub description: Option<String>,
    pub rating: Option<String>,
    /// The rating's position among the rubric's ratings (0 = lowest), for sorting; null for a
    /// status (which is not on the scale).
    pub rating_rank: Option<usize>,
    /// Null when nothing weighted was rated, or when the rating criterion is a status.
    #[serde(serialize_with = "ser4")]
    pub score: Option<f64>,
    /// Ids of the flags that hold.
    pub flags: Vec<String>,
    /// For each flag that does not hold: the first condition that failed.
    pub binding: IndexMap<String, String>,
    /// For each flag: whether each of its conditions held, in order.
    pub conditions: IndexMap<String, Vec<bool>>,
    pub overdue: bool,
    pub overdue_milestones: usize,
    /// Past its end date with no completion level: never overdue, listed as not rated.
    /// Omitted when false.
    #[serde(skip_serializing_if = "is_false", default)]
    pub not_rated: bool,
    pub disagreement: bool,
    pub unsupported: bool,
    pub unsupported_criteria: Vec<String>,
    pub evaluators: usize,
    pub missing_evaluators: Vec<String>,
    pub reference: IndexMap<String, ReferenceOut>,
    pub criteria: IndexMap<String, CriterionOut>,
    pub milestones: Vec<MilestoneOut>,
    /// With `--details`: what the evaluators wrote (evidence, comments, next steps).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notes: Option<Vec<NoteOut>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub count: usize,
    /// Share of all commitments, 0–1.
    #[serde(serialize_with = "ser4_plain")]
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub lead: String,
    pub commitments: usize,
    pub by_rating: IndexMap<String, usize>,
    pub overdue: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quadrant {
    pub rows: String,
    pub columns: String,
    pub both: usize,
    pub rows_only: usize,
    pub columns_only: usize,
    pub neither: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub commitments: usize,
    pub milestones: usize,
    /// Each rating label (and `No evidence` for unrated commitments) with its count, lowest rating first.
    pub by_rating: IndexMap<String, usize>,
    /// The completion criterion's levels with their counts, when the rubric has one.
    pub by_completion: Option<Vec<(String, usize)>>,
    pub high_completion: Option<Count>,
    /// Count of commitments per flag id.
    pub flags: IndexMap<String, usize>,
    pub stars: IndexMap<String, usize>,
    pub quadrant: Option<Quadrant>,
    pub overdue_commitments: Vec<String>,
    pub overdue_milestones: Vec<String>,
    /// Past their date with no completion level (never overdue). Omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub not_rated_commitments: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub not_rated_milestones: Vec<String>,
    pub disagreements: Vec<String>,
    pub unsupported: Vec<String>,
    pub differs_from_reference: Vec<String>,
    /// The mean of the unrounded scores.
    #[serde(serialize_with = "ser4")]
    pub mean_score: Option<f64>,
    pub by_lead: Vec<LeadSummary>,
}

/// What an unrated commitment's rating is called.
pub const NO_EVIDENCE: &str = "No evidence";

fn rating_labels(r: &Rubric) -> Vec<String> {
    match &r.rating {
        RatingRule::Criterion(i) => r.criteria[*i]
            .levels
            .iter()
            .map(|l| l.label.clone())
            .collect(),
        RatingRule::Bands(b) => b.iter().map(|b| b.label.clone()).collect(),
    }
}

/// The short name of a flag condition (its label).
pub fn condition_label(rubric: &Rubric, flag: usize, cond: usize) -> String {
    rubric.flags[flag]
        .conditions
        .get(cond)
        .map(|c| c.label.clone())
        .unwrap_or_default()
}

/// A condition in words: `completion at least Substantial`.
pub fn condition_words(rubric: &Rubric, flag: usize, cond: usize) -> String {
    rubric.flags[flag]
        .conditions
        .get(cond)
        .map(|c| rubric.describe(&c.kind))
        .unwrap_or_default()
}

struct Builder<'a> {
    inputs: &'a Inputs,
    index: std::borrow::Cow<'a, Index>,
    /// Leaves out each evaluator's level (`by_evaluator`) whatever the index's detail: a
    /// holder of the assessment builds them when it needs them ([`by_evaluator`]).
    no_levels: bool,
    /// Leaves out of `criteria` (the commitment's and its milestones') every criterion but
    /// the completion criterion, which the summary and the reference's comparison read:
    /// `assess --format json` writes them from the assessment ([`Builder::write_criteria`]).
    only_completion: bool,
    /// The same for the commitment's own `criteria` only (its milestones' are whole): the
    /// draft builds the others from the assessment when a template reads them
    /// ([`criterion_of`]).
    commitment_only_completion: bool,
}

/// What building any one commitment's results needs, prepared once for the whole plan: the
/// rating labels, and the notes and reference views of each commitment. Kept by a holder of
/// the inputs that builds a commitment's results whenever it is asked for them ([`one_with`]).
#[derive(Debug, Clone)]
pub struct Index {
    ratings: Vec<String>,
    details: bool,
    /// The notes of each commitment (only with details).
    notes: Option<NoteGroups>,
    /// Indices of the reference evaluators' ratings the rubric cannot hold, per commitment.
    views_by_commitment: Vec<Vec<usize>>,
}

impl<'a> Builder<'a> {
    fn rubric(&self) -> &Rubric {
        &self.inputs.rubric
    }

    /// Adds a reference evaluator's ratings that the rubric cannot hold as it is (see
    /// [`crate::model::scores::ReferenceView`]): a rating of the whole commitment on another
    /// completion scale becomes their completion level on this one, mapped by meaning; the
    /// rest goes to `other`, as written. An evaluator with only such ratings gets an entry
    /// without a rating, which does not count as differing.
    fn add_views(&self, index: usize, reference: &mut IndexMap<String, ReferenceOut>) {
        let rubric = self.rubric();
        let views = self
            .index
            .views_by_commitment
            .get(index)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for &vi in views {
            let v = &self.inputs.scores.reference_views[vi];
            let out = reference
                .entry(self.evaluator(v.evaluator))
                .or_insert_with(|| ReferenceOut {
                    rating: None,
                    score: None,
                    levels: rubric
                        .criteria
                        .iter()
                        .map(|c| (c.id.clone(), None))
                        .collect(),
                    flags: Vec::new(),
                    differs: false,
                    compared: None,
                    other: IndexMap::new(),
                });
            let mapped = rubric.completion.and_then(|k| {
                let crit = rubric.criteria.get(k)?;
                let names_it = v.criterion.eq_ignore_ascii_case(&crit.id)
                    || v.criterion.eq_ignore_ascii_case("completion");
                let l = names_it
                    .then(|| crate::model::rubric::level_by_meaning(crit, &v.level))
                    .flatten()?;
                Some((crit.id.clone(), crit.label(l).to_string()))
            });
            match mapped {
                Some((id, label)) => {
                    let slot = out.levels.entry(id).or_insert(None);
                    if slot.is_none() {
                        *slot = Some(label);
                    }
                }
                None => {
                    out.other.insert(v.criterion.clone(), v.level.clone());
                }
            }
        }
    }

    fn evaluator(&self, e: u32) -> String {
        self.inputs.scores.evaluator_name(e).to_string()
    }

    /// The `k`th criterion's result from its combined answers `c` ([`criterion_ref_of`]).
    fn criterion_ref(&self, k: usize, c: &Combined) -> CriterionRef<'a> {
        criterion_ref_of(self.inputs, k, c)
    }

    /// The `k`th criterion's `by_evaluator`, when the results have it.
    fn levels(&self, k: usize, c: &Combined) -> Option<IndexMap<String, Option<String>>> {
        (self.index.details && !self.no_levels).then(|| by_evaluator(self.inputs, k, c))
    }

    fn criterion(&self, k: usize, c: &Combined) -> CriterionOut {
        CriterionOut {
            by_evaluator: self.levels(k, c),
            ..criterion_of(self.inputs, k, c)
        }
    }
}

/// The `k`th criterion's result from its combined answers `c`, without `by_evaluator`: what
/// the results' `criteria` hold of it when built without each evaluator's level ([`one_with`]).
pub fn criterion_of(inputs: &Inputs, k: usize, c: &Combined) -> CriterionOut {
    let CriterionRef {
        level,
        value,
        consensus,
        ratings,
        no_rating,
        min,
        max,
        spread,
        disagreement,
        unsupported,
    } = criterion_ref_of(inputs, k, c);
    CriterionOut {
        level: level.map(str::to_string),
        value,
        consensus,
        ratings,
        no_rating,
        min: min.map(str::to_string),
        max: max.map(str::to_string),
        spread,
        disagreement,
        unsupported,
        by_evaluator: None,
    }
}

/// The `k`th criterion's result from its combined answers `c`, its labels borrowed from the
/// rubric: the one mapping from the assessment to a criterion's fields.
fn criterion_ref_of<'a>(inputs: &'a Inputs, k: usize, c: &Combined) -> CriterionRef<'a> {
    let crit = &inputs.rubric.criteria[k];
    let label = |l: usize| crit.label(l);
    CriterionRef {
        level: c.answer().map(label),
        value: c.value,
        consensus: c.consensus,
        ratings: c.ratings,
        no_rating: c.no_rating,
        min: c.min.map(label),
        max: c.max.map(label),
        spread: c.spread,
        disagreement: c.disagreement,
        unsupported: c.unsupported,
    }
}

impl<'a> Builder<'a> {
    /// Writes the `criteria` of result `r` (of its milestone `milestone`, else of the
    /// commitment) at `level`, as [`crate::render::json_commitment`] writes the `criteria`
    /// that [`Self::commitment`] builds without `only_completion`.
    fn write_criteria(
        &self,
        out: &mut Vec<u8>,
        level: usize,
        r: &CommitmentResult,
        milestone: Option<usize>,
    ) {
        let units = self
            .inputs
            .rubric
            .criteria
            .iter()
            .enumerate()
            .filter_map(|(k, crit)| {
                let c = match milestone {
                    None => Some(&r.view.criteria[k]),
                    Some(mi) => r.view.milestones[mi][k].as_ref(),
                }?;
                Some((
                    crit.id.as_str(),
                    self.criterion_ref(k, c),
                    self.levels(k, c),
                ))
            });
        crate::render::json_commitment::criteria(out, level, units);
    }

    /// The rating's label, or the status of the rating criterion (with score bands, of the
    /// completion criterion).
    fn rating_label(&self, view: &View) -> Option<String> {
        let rubric = self.rubric();
        if let Some(i) = rubric.status_criterion()
            && let Some(s) = view.criteria.get(i).and_then(|c| c.status)
        {
            return Some(rubric.criteria[i].label(s).to_string());
        }
        view.rating.and_then(|r| self.index.ratings.get(r).cloned())
    }

    fn holding_flags(&self, view: &View) -> Vec<String> {
        self.rubric()
            .flags
            .iter()
            .zip(&view.flags)
            .filter(|(_, r)| r.holds)
            .map(|(f, _)| f.id.clone())
            .collect()
    }

    fn commitment(&self, r: &CommitmentResult) -> CommitmentOut {
        let inputs = self.inputs;
        let rubric = self.rubric();
        let c = &inputs.plan.commitments[r.index];
        let date = |d: Option<crate::model::Date>| d.map(|d| d.to_string());
        let completion = rubric.completion;
        let keep = |k: usize| !self.only_completion || completion == Some(k);
        let keep_own =
            |k: usize| keep(k) && (!self.commitment_only_completion || completion == Some(k));
        let criteria = rubric
            .criteria
            .iter()
            .enumerate()
            .filter(|&(k, _)| keep_own(k))
            .map(|(k, crit)| (crit.id.clone(), self.criterion(k, &r.view.criteria[k])))
            .collect();
        let milestones = c
            .milestones
            .iter()
            .enumerate()
            .map(|(mi, m)| MilestoneOut {
                id: m.id.clone(),
                title: m.title.clone(),
                due: date(m.due),
                weight: m.weight,
                overdue: r.milestones[mi].overdue,
                not_rated: r.milestones[mi].not_rated,
                completion: completion.and_then(|k| {
                    r.milestones[mi]
                        .completion
                        .map(|l| rubric.criteria[k].label(l).to_string())
                }),
                criteria: rubric
                    .criteria
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| keep(k))
                    .filter_map(|(k, crit)| {
                        r.view.milestones[mi][k]
                            .as_ref()
                            .map(|comb| (crit.id.clone(), self.criterion(k, comb)))
                    })
                    .collect(),
            })
            .collect();
        let binding = rubric
            .flags
            .iter()
            .enumerate()
            .zip(&r.view.flags)
            .filter_map(|((fi, f), res)| {
                res.binding
                    .map(|b| (f.id.clone(), condition_label(rubric, fi, b)))
            })
            .collect();
        let conditions = rubric
            .flags
            .iter()
            .zip(&r.view.flags)
            .map(|(f, res)| (f.id.clone(), res.conditions.clone()))
            .collect();
        let rating = self.rating_label(&r.view);
        let reference = r
            .reference
            .iter()
            .map(|rv| {
                let ref_rating = self.rating_label(&rv.view);
                let out = ReferenceOut {
                    differs: false,
                    compared: None,
                    rating: ref_rating,
                    score: rv.view.score,
                    levels: rubric
                        .criteria
                        .iter()
                        .enumerate()
                        .map(|(k, crit)| {
                            (
                                crit.id.clone(),
                                rv.view.criteria[k]
                                    .answer()
                                    .map(|l| crit.label(l).to_string()),
                            )
                        })
                        .collect(),
                    flags: self.holding_flags(&rv.view),
                    other: IndexMap::new(),
                };
                (self.evaluator(rv.evaluator), out)
            })
            .collect();
        let mut reference = reference;
        self.add_views(r.index, &mut reference);
        let notes = self.index.notes.as_ref().map(|groups| {
            groups
                .of(self.inputs, r.index)
                .map(|n| NoteOut {
                    evaluator: n.evaluator.to_string(),
                    milestone: n.milestone.map(str::to_string),
                    criterion: n.criterion.map(str::to_string),
                    evidence: n.evidence.to_string(),
                    comment: n.comment.to_string(),
                    next_steps: n.next_steps.to_string(),
                })
                .collect()
        });
        let rated = distinct_evaluators(
            r.view
                .criteria
                .iter()
                .chain(r.view.milestones.iter().flatten().flatten()),
        );
        let mut out = CommitmentOut {
            id: c.id.clone(),
            ogp_id: c.ogp_id.clone(),
            title: c.title.clone(),
            lead: c.lead.clone(),
            supporting: c.supporting.clone(),
            values: c.values.iter().map(|v| v.id().to_string()).collect(),
            themes: c.themes.clone(),
            start: date(c.start),
            end: date(c.end),
            description: c.description.clone(),
            rating,
            rating_rank: r.view.rating,
            score: r.view.score,
            flags: self.holding_flags(&r.view),
            binding,
            conditions,
            overdue: r.overdue,
            overdue_milestones: r.overdue_milestones(),
            not_rated: r.not_rated,
            disagreement: r.disagreement,
            unsupported: !r.unsupported.is_empty(),
            unsupported_criteria: r
                .unsupported
                .iter()
                .map(|&k| rubric.criteria[k].id.clone())
                .collect(),
            evaluators: rated,
            missing_evaluators: r
                .missing_evaluators
                .iter()
                .map(|&e| self.evaluator(e))
                .collect(),
            reference: IndexMap::new(),
            criteria,
            milestones,
            notes,
        };
        let completion = completion.map(|k| rubric.criteria[k].id.as_str());
        for r in reference.values_mut() {
            r.compare(&out, completion);
        }
        out.reference = reference;
        out
    }
}

/// How many evaluators answered any of these units. Each unit's answers are in evaluator
/// order, and are usually the same evaluators from one unit to the next, so the lists are
/// merged as they come; anything else is counted with a sort.
fn distinct_evaluators<'a>(units: impl Iterator<Item = &'a Combined> + Clone) -> usize {
    let mut seen: Vec<u32> = Vec::new();
    for c in units.clone() {
        let ids = c.by_evaluator.iter().map(|(e, _)| *e);
        if ids.clone().eq(seen.iter().copied()) {
            continue;
        }
        if !c.by_evaluator.windows(2).all(|w| w[0].0 < w[1].0) {
            let mut all: Vec<u32> = units
                .flat_map(|c| c.by_evaluator.iter().map(|(e, _)| *e))
                .collect();
            all.sort_unstable();
            all.dedup();
            return all.len();
        }
        let mut merged = Vec::with_capacity(seen.len() + c.by_evaluator.len());
        let (mut a, mut b) = (seen.iter().copied().peekable(), ids.peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&x), Some(&y)) if x < y => a.next(),
                (Some(&x), Some(&y)) if y < x => b.next(),
                (Some(_), Some(_)) => {
                    a.next();
                    b.next()
                }
                (Some(_), None) => a.next(),
                (None, _) => b.next(),
            };
            match next {
                Some(e) => merged.push(e),
                None => break,
            }
        }
        seen = merged;
    }
    seen.len()
}

/// What the evaluators wrote, commitment by commitment, read straight from the inputs: the
/// notes of the results with details ([`CommitmentOut::notes`]), for any commitment in any
/// order, without building the results (the evidence sheet of `assess --format xlsx` is
/// written from them).
#[derive(Debug)]
pub struct Notes<'a> {
    inputs: &'a Inputs,
    groups: NoteGroups,
}

/// The notes of the inputs grouped by commitment, as indices of `Scores::notes` (owned, so that
/// a holder of the inputs can keep it beside them: [`Index`]).
#[derive(Debug, Clone)]
pub struct NoteGroups {
    /// `indices[offsets[c]..offsets[c + 1]]` are commitment `c`'s notes, in file order.
    offsets: Vec<usize>,
    indices: Vec<u32>,
}

/// One note of [`Notes`], as [`NoteOut`] has it.
#[derive(Debug, Clone, Copy)]
pub struct NoteRef<'a> {
    pub evaluator: &'a str,
    pub milestone: Option<&'a str>,
    pub criterion: Option<&'a str>,
    pub evidence: &'a str,
    pub comment: &'a str,
    pub next_steps: &'a str,
}

impl<'a> Notes<'a> {
    /// Groups the notes by commitment in one pass (a counting sort, keeping file order).
    pub fn new(inputs: &'a Inputs) -> Self {
        Notes {
            inputs,
            groups: NoteGroups::new(inputs),
        }
    }

    /// How many notes there are.
    pub fn len(&self) -> usize {
        self.groups.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.indices.is_empty()
    }

    /// The notes of commitment `ci` (an index of `Plan::commitments`), in file order.
    pub fn of(&self, ci: usize) -> impl Iterator<Item = NoteRef<'a>> + '_ {
        self.groups.of(self.inputs, ci)
    }
}

impl NoteGroups {
    /// Groups the notes of `inputs` by commitment in one pass (a counting sort, keeping file
    /// order).
    pub fn new(inputs: &Inputs) -> Self {
        let n = inputs.plan.commitments.len();
        let of = |note: &crate::model::Note| {
            let c = note.unit.commitment as usize;
            (c < n).then_some(c)
        };
        let mut offsets = vec![0usize; n + 1];
        for c in inputs.scores.notes.iter().filter_map(of) {
            offsets[c + 1] += 1;
        }
        for c in 0..n {
            offsets[c + 1] += offsets[c];
        }
        let mut next = offsets.clone();
        let mut indices = vec![0u32; offsets[n]];
        for (i, note) in inputs.scores.notes.iter().enumerate() {
            if let Some(c) = of(note) {
                indices[next[c]] = i as u32;
                next[c] += 1;
            }
        }
        NoteGroups { offsets, indices }
    }

    /// The notes of commitment `ci` of `inputs` (the inputs these groups were made from), in
    /// file order.
    pub fn of<'s, 'a>(
        &'s self,
        inputs: &'a Inputs,
        ci: usize,
    ) -> impl Iterator<Item = NoteRef<'a>> + use<'s, 'a> {
        let c = &inputs.plan.commitments[ci];
        let rubric = &inputs.rubric;
        let scores = &inputs.scores;
        self.indices[self.offsets[ci]..self.offsets[ci + 1]]
            .iter()
            .map(move |&i| {
                let n = &scores.notes[i as usize];
                NoteRef {
                    evaluator: scores.evaluator_name(n.evaluator),
                    milestone: n
                        .unit
                        .milestone
                        .and_then(|m| c.milestones.get(m as usize))
                        .map(|m| m.id.as_str()),
                    criterion: n
                        .criterion
                        .map(|k| rubric.criteria[usize::from(k)].id.as_str()),
                    evidence: scores.text(n.evidence),
                    comment: scores.text(n.comment),
                    next_steps: scores.text(n.next_steps),
                }
            })
    }
}

/// How much of the per-evaluator detail to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The combined results only (the default of `assess --format json`).
    Combined,
    /// Also each evaluator's level for every unit and criterion, without their notes (what
    /// the report's overview and heat map are drawn from).
    Levels,
    /// Also each evaluator's level for every unit and criterion, and their notes.
    Evaluators,
}

impl Index {
    /// The index of `inputs`, for results with `detail`.
    pub fn new(inputs: &Inputs, detail: Detail) -> Self {
        let details = detail != Detail::Combined;
        let notes = (detail == Detail::Evaluators).then(|| NoteGroups::new(inputs));
        let mut views_by_commitment = vec![Vec::new(); inputs.plan.commitments.len()];
        for (i, v) in inputs.scores.reference_views.iter().enumerate() {
            if let Some(list) = views_by_commitment.get_mut(v.commitment as usize) {
                list.push(i);
            }
        }
        Index {
            details,
            notes,
            views_by_commitment,
            ratings: rating_labels(&inputs.rubric),
        }
    }
}

impl<'a> Builder<'a> {
    fn new(inputs: &'a Inputs, detail: Detail) -> Self {
        Builder {
            inputs,
            index: std::borrow::Cow::Owned(Index::new(inputs, detail)),
            no_levels: false,
            only_completion: false,
            commitment_only_completion: false,
        }
    }
}

pub fn build(inputs: &Inputs, assessment: &Assessment, detail: Detail) -> Results {
    let b = Builder::new(inputs, detail);
    let commitments: Vec<CommitmentOut> = crate::par::map_with(
        assessment.commitments.len(),
        512,
        || (),
        |(), i| b.commitment(&assessment.commitments[i]),
    );
    let mut tally = Tally::new(&inputs.rubric, &b.index.ratings);
    for c in &commitments {
        tally.add(c);
    }
    with_head(head(inputs, assessment.as_of), commitments, tally.finish())
}

/// The results made of `head`, `commitments` and `summary`.
pub(crate) fn with_head(head: Head, commitments: Vec<CommitmentOut>, summary: Summary) -> Results {
    let Head {
        schema_version,
        generator,
        plan,
        rubric,
        as_of,
        evaluators,
    } = head;
    Results {
        schema_version,
        generator,
        plan,
        rubric,
        as_of,
        evaluators,
        commitments,
        summary,
    }
}

/// The results' head: the plan, the rubric, the date and the evaluators.
pub fn head(inputs: &Inputs, as_of: crate::model::Date) -> Head {
    let plan = &inputs.plan;
    let rubric = &inputs.rubric;
    let evaluators = inputs
        .scores
        .evaluators
        .iter()
        .map(|id| {
            let declared = plan.evaluator(id);
            EvaluatorInfo {
                id: id.clone(),
                name: declared.and_then(|e| e.name.clone()),
                organisation: declared.and_then(|e| e.organisation.clone()),
                role: declared.map_or("other", |e| e.role.id()).to_string(),
                reference: plan.is_reference(id),
            }
        })
        .collect();
    Head {
        schema_version: SCHEMA_VERSION,
        generator: format!("checkmyogp {}", env!("CARGO_PKG_VERSION")),
        plan: PlanInfo {
            country: plan.country.clone(),
            title: plan.title.clone(),
            start: plan.start.map(|d| d.to_string()),
            end: plan.end.map(|d| d.to_string()),
            organisation: plan.organisation.clone(),
            language: plan.language.clone(),
        },
        rubric: RubricInfo {
            id: rubric.id.clone(),
            name: rubric.name.clone(),
            origin: rubric.origin.clone(),
            rating_from: match rubric.rating {
                RatingRule::Criterion(_) => "criterion",
                RatingRule::Bands(_) => "score",
            }
            .to_string(),
            ratings: rating_labels(rubric),
            criteria: rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(k, c)| CriterionInfo {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    question: c.question.clone(),
                    scale: c.kind.id().to_string(),
                    scope: c.scope.id().to_string(),
                    combine: c.combine.id().to_string(),
                    weight: c.weight,
                    levels: c.levels.iter().map(|l| l.label.clone()).collect(),
                    key: rubric.key_criteria.contains(&k),
                })
                .collect(),
            flags: rubric
                .flags
                .iter()
                .enumerate()
                .map(|(fi, f)| FlagInfo {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    star: f.star,
                    conditions: (0..f.conditions.len())
                        .map(|ci| condition_label(rubric, fi, ci))
                        .collect(),
                })
                .collect(),
            disagreement_threshold: rubric.disagreement_threshold,
        },
        as_of: as_of.to_string(),
        evaluators,
    }
}

/// How many commitments are assessed, built (and written) as one piece when results are
/// streamed: enough to keep both cores busy, few enough that a handful of pieces in memory
/// stay small (about 0.4 MB of JSON each for 5 evaluators × 8 criteria).
const CHUNK: usize = 128;

/// Assesses and builds the commitments piece by piece on every core, in plan order, and
/// counts the summary as they pass: `each` turns a piece's results (with the index of its
/// first commitment) into what `consume` receives, in order, on this thread. Only a few
/// pieces' assessments and results are in memory at any time, however large the plan.
fn stream<T: Send, E>(
    inputs: &Inputs,
    engine: &Engine,
    (detail, only_completion): (Detail, bool),
    chunk: usize,
    each: impl Fn(usize, Vec<CommitmentOut>) -> T + Sync,
    mut consume: impl FnMut(T) -> Result<(), E>,
) -> Result<Summary, E> {
    let mut b = Builder::new(inputs, detail);
    b.only_completion = only_completion;
    let b = b;
    let rubric = &inputs.rubric;
    let mut tally = Tally::new(rubric, &b.index.ratings);
    crate::par::chunks_in_order(
        engine.len(),
        chunk,
        Scratch::default,
        |scratch, range| {
            let start = range.start;
            let outs: Vec<CommitmentOut> = range
                .map(|ci| b.commitment(&engine.commitment(ci, scratch)))
                .collect();
            let mut part = Tally::new(rubric, &b.index.ratings);
            for c in &outs {
                part.add(c);
            }
            (part, each(start, outs))
        },
        |(part, out)| {
            tally.merge(part);
            consume(out)
        },
    )?;
    Ok(tally.finish())
}

/// Every commitment's results, assessed and built piece by piece on every core (see
/// `stream`): `each` turns a piece's results (with the index of its first commitment) into
/// what `consume` receives, in plan order, on this thread; the summary is counted as they
/// pass. Only a few pieces are in memory at any time (the report's cards are written so).
pub fn assess_in_pieces<T: Send, E>(
    inputs: &Inputs,
    engine: &Engine,
    detail: Detail,
    each: impl Fn(usize, Vec<CommitmentOut>) -> T + Sync,
    consume: impl FnMut(T) -> Result<(), E>,
) -> Result<Summary, E> {
    stream(inputs, engine, (detail, false), CHUNK, each, consume)
}

/// The results of every commitment, assessed and built piece by piece: the same as
/// [`build`] of [`crate::assess::assess`], without ever holding the whole assessment.
pub fn assess_and_build(inputs: &Inputs, engine: &Engine, detail: Detail) -> Results {
    let (commitments, summary) = assess_map_and_summarise(inputs, engine, detail, |c| c);
    with_head(head(inputs, engine.as_of()), commitments, summary)
}

/// Every commitment's results turned into what `f` makes of them, in plan order: the results
/// are assessed and built piece by piece on every core, and each is freed once `f` has taken
/// it, so they are never all held at once.
pub fn assess_and_map<T: Send>(
    inputs: &Inputs,
    engine: &Engine,
    detail: Detail,
    f: impl Fn(CommitmentOut) -> T + Sync,
) -> Vec<T> {
    assess_map_and_summarise(inputs, engine, detail, f).0
}

/// Like [`assess_and_map`], with the summary of the results, counted as they pass.
pub fn assess_map_and_summarise<T: Send>(
    inputs: &Inputs,
    engine: &Engine,
    detail: Detail,
    f: impl Fn(CommitmentOut) -> T + Sync,
) -> (Vec<T>, Summary) {
    map_and_summarise(inputs, engine, (detail, false), f)
}

/// Like [`assess_map_and_summarise`], with results whose `criteria` (the commitment's and
/// its milestones') hold the completion criterion only: all that the summary, and the
/// comparison with the reference evaluators, read of them. The draft's context reads no more
/// of each commitment (its differences), and building every criterion only to drop it
/// unread was most of the allocations of each commitment's results.
pub fn assess_completion_map_and_summarise<T: Send>(
    inputs: &Inputs,
    engine: &Engine,
    f: impl Fn(CommitmentOut) -> T + Sync,
) -> (Vec<T>, Summary) {
    map_and_summarise(inputs, engine, (Detail::Combined, true), f)
}

fn map_and_summarise<T: Send>(
    inputs: &Inputs,
    engine: &Engine,
    detail: (Detail, bool),
    f: impl Fn(CommitmentOut) -> T + Sync,
) -> (Vec<T>, Summary) {
    let mut all = Vec::with_capacity(engine.len());
    let summary = stream(
        inputs,
        engine,
        detail,
        CHUNK,
        |_, outs| outs.into_iter().map(&f).collect::<Vec<T>>(),
        |mapped| {
            all.extend(mapped);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    match summary {
        Ok(s) => (all, s),
        Err(never) => match never {},
    }
}

/// The summary of the results, counted commitment by commitment: each commitment's results
/// are built, counted and freed, never all held at once.
pub fn summary(inputs: &Inputs, engine: &Engine) -> Summary {
    match stream(
        inputs,
        engine,
        (Detail::Combined, false),
        CHUNK,
        |_, outs| drop(outs),
        |()| Ok::<(), std::convert::Infallible>(()),
    ) {
        Ok(s) => s,
        Err(never) => match never {},
    }
}

/// One commitment's results (`ci` indexes `Plan::commitments`), assessing only it.
pub fn one(inputs: &Inputs, engine: &Engine, ci: usize, detail: Detail) -> CommitmentOut {
    let b = Builder::new(inputs, detail);
    b.commitment(&engine.commitment(ci, &mut Scratch::default()))
}

/// One commitment's results, as [`one`] builds them, from an engine and an index prepared
/// beforehand for these inputs, with its assessment: building one commitment costs only
/// that commitment, whatever the plan. `scratch` is reused from one call to the next.
///
/// Each criterion's `by_evaluator` is left out (`None`), whatever the index's detail: it took
/// most of the time of building the results (a map with two strings per evaluator, for each
/// criterion of the commitment and of each milestone), and the draft reads few of them;
/// [`by_evaluator`] builds one from the assessment when it is needed. Likewise the
/// commitment's own `criteria` hold the completion criterion only (which the comparison with
/// the reference evaluators reads; its milestones' criteria are whole): [`criterion_of`]
/// builds any other from the assessment given back.
pub fn one_with(
    inputs: &Inputs,
    engine: &Engine,
    index: &Index,
    ci: usize,
    scratch: &mut Scratch,
) -> (CommitmentOut, CommitmentResult) {
    let b = Builder {
        inputs,
        index: std::borrow::Cow::Borrowed(index),
        no_levels: true,
        only_completion: false,
        commitment_only_completion: true,
    };
    let r = engine.commitment(ci, scratch);
    (b.commitment(&r), r)
}

/// Each evaluator's level on the `k`th criterion of the rubric, as a criterion's
/// [`CriterionOut::by_evaluator`] holds them with details, from the combined answers `c`.
pub fn by_evaluator(inputs: &Inputs, k: usize, c: &Combined) -> IndexMap<String, Option<String>> {
    let crit = &inputs.rubric.criteria[k];
    c.by_evaluator
        .iter()
        .map(|(e, l)| {
            (
                inputs.scores.evaluator_name(*e).to_string(),
                l.map(|l| crit.label(usize::from(l)).to_string()),
            )
        })
        .collect()
}

/// Writes the results as `assess --format json` does, the same bytes as
/// [`crate::render::json::write`] of [`build`]'s results, but streamed: the commitments are
/// assessed, built and serialised piece by piece on every core, written in order and freed,
/// so memory does not grow with the plan beyond the inputs and a few pieces.
pub fn write_json<W: std::io::Write>(
    w: W,
    inputs: &Inputs,
    engine: &Engine,
    detail: Detail,
) -> anyhow::Result<()> {
    write_json_in(w, inputs, engine, detail, CHUNK)
}

fn write_json_in<W: std::io::Write>(
    w: W,
    inputs: &Inputs,
    engine: &Engine,
    detail: Detail,
    chunk: usize,
) -> anyhow::Result<()> {
    use crate::render::{json, json_commitment};
    let head = head(inputs, engine.as_of());
    // The fields of `Results`, in its order.
    let mut object = json::ObjectWriter::new(w)?;
    object.field("schema_version", &head.schema_version)?;
    object.field("generator", &head.generator)?;
    object.field("plan", &head.plan)?;
    object.field("rubric", &head.rubric)?;
    object.field("as_of", &head.as_of)?;
    object.field("evaluators", &head.evaluators)?;
    object.begin_array("commitments")?;
    // As `stream` does, but each commitment written as soon as it is built, and its criteria
    // written from the assessment rather than built as strings and maps first.
    let mut b = Builder::new(inputs, detail);
    b.only_completion = true;
    let b = b;
    let rubric = &inputs.rubric;
    let mut tally = Tally::new(rubric, &b.index.ratings);
    crate::par::chunks_in_order(
        engine.len(),
        chunk,
        || (Scratch::default(), 0),
        |(scratch, last), range| {
            let mut part = Tally::new(rubric, &b.index.ratings);
            // Sized after this thread's last piece, so that it is rarely grown (each growth
            // copies the whole piece).
            let mut bytes = Vec::with_capacity((range.len() * 2048).max(*last + *last / 8));
            for ci in range {
                let r = engine.commitment(ci, scratch);
                let c = b.commitment(&r);
                part.add(&c);
                let criteria = |out: &mut Vec<u8>, level: usize, milestone: Option<usize>| {
                    b.write_criteria(out, level, &r, milestone);
                };
                json_commitment::element_with(&mut bytes, &c, ci == 0, Some(&criteria));
            }
            *last = bytes.len();
            (part, bytes)
        },
        |(part, bytes)| -> anyhow::Result<()> {
            tally.merge(part);
            Ok(object.raw(&bytes)?)
        },
    )?;
    let summary = tally.finish();
    object.end_array(!engine.is_empty())?;
    object.field("summary", &summary)?;
    object.finish()?;
    Ok(())
}

/// Adds one to `label`'s count, a new entry (last) when it has none yet.
fn count_in(counts: &mut IndexMap<String, usize>, label: &str) {
    match counts.get_mut(label) {
        Some(n) => *n += 1,
        None => {
            counts.insert(label.to_string(), 1);
        }
    }
}

/// The summary, counted one commitment at a time ([`Tally::add`]); counts of consecutive
/// pieces of the plan add up ([`Tally::merge`]) to exactly the counts of the whole.
struct Tally<'a> {
    rubric: &'a Rubric,
    commitments: usize,
    milestones: usize,
    by_rating: IndexMap<String, usize>,
    /// The completion criterion's answers with their counts, and the count without a level.
    by_completion: Option<(Vec<(String, usize)>, usize)>,
    /// Per flag of the rubric, in order: how many commitments hold it.
    flags: Vec<usize>,
    /// Ambitious and high completion: both, rows only, columns only, neither.
    quadrant: [usize; 4],
    /// The scores, in plan order (summed in that order, as the mean always was).
    scores: Vec<f64>,
    by_lead: IndexMap<String, LeadSummary>,
    overdue_commitments: Vec<String>,
    overdue_milestones: Vec<String>,
    not_rated_commitments: Vec<String>,
    not_rated_milestones: Vec<String>,
    disagreements: Vec<String>,
    unsupported: Vec<String>,
    differs_from_reference: Vec<String>,
}

impl<'a> Tally<'a> {
    fn new(rubric: &'a Rubric, ratings: &[String]) -> Self {
        // The rating's labels, then the statuses of the rating criterion (counted under their label).
        let statuses: Vec<String> = rubric
            .status_criterion()
            .map(|i| {
                rubric.criteria[i]
                    .statuses
                    .iter()
                    .map(|s| s.label.clone())
                    .collect()
            })
            .unwrap_or_default();
        Tally {
            rubric,
            commitments: 0,
            milestones: 0,
            by_rating: ratings
                .iter()
                .chain(&statuses)
                .map(|r| (r.clone(), 0))
                .collect(),
            by_completion: rubric.completion.map(|k| {
                let labels = rubric.criteria[k].answer_labels();
                (labels.map(|l| (l.to_string(), 0)).collect(), 0)
            }),
            flags: vec![0; rubric.flags.len()],
            quadrant: [0; 4],
            scores: Vec::new(),
            by_lead: IndexMap::new(),
            overdue_commitments: Vec::new(),
            overdue_milestones: Vec::new(),
            not_rated_commitments: Vec::new(),
            not_rated_milestones: Vec::new(),
            disagreements: Vec::new(),
            unsupported: Vec::new(),
            differs_from_reference: Vec::new(),
        }
    }

    fn add(&mut self, c: &CommitmentOut) {
        let rubric = self.rubric;
        let holds = |id: &str| c.flags.iter().any(|f| f == id);
        self.commitments += 1;
        self.milestones += c.milestones.len();
        // Counted by looking the label up: a string is made only for a label not met before.
        let rating = c.rating.as_deref().unwrap_or(NO_EVIDENCE);
        count_in(&mut self.by_rating, rating);
        if let (Some((counts, none)), Some(k)) = (&mut self.by_completion, rubric.completion) {
            match c
                .criteria
                .get(&rubric.criteria[k].id)
                .and_then(|x| x.level.as_ref())
            {
                Some(l) => {
                    if let Some(slot) = counts.iter_mut().find(|(x, _)| x == l) {
                        slot.1 += 1;
                    }
                }
                None => *none += 1,
            }
        }
        for (count, f) in self.flags.iter_mut().zip(&rubric.flags) {
            *count += usize::from(holds(&f.id));
        }
        let quadrant = match (holds("ambitious"), holds("high-completion")) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        self.quadrant[quadrant] += 1;
        self.scores.extend(c.score);
        let lead = c.lead.as_deref().unwrap_or("(no lead agency)");
        let slot = match self.by_lead.get_index_of(lead) {
            Some(i) => &mut self.by_lead[i],
            None => self
                .by_lead
                .entry(lead.to_string())
                .or_insert_with(|| LeadSummary {
                    lead: lead.to_string(),
                    commitments: 0,
                    by_rating: IndexMap::new(),
                    overdue: 0,
                }),
        };
        slot.commitments += 1;
        count_in(&mut slot.by_rating, rating);
        slot.overdue += usize::from(c.overdue);
        let id = || c.id.clone();
        if c.overdue {
            self.overdue_commitments.push(id());
        }
        for m in &c.milestones {
            if m.overdue {
                self.overdue_milestones.push(m.id.clone());
            }
        }
        if c.not_rated {
            self.not_rated_commitments.push(id());
        }
        for m in &c.milestones {
            if m.not_rated {
                self.not_rated_milestones.push(m.id.clone());
            }
        }
        if c.disagreement {
            self.disagreements.push(id());
        }
        if c.unsupported {
            self.unsupported.push(id());
        }
        if c.reference.values().any(|r| r.differs) {
            self.differs_from_reference.push(id());
        }
    }

    /// Adds the counts of the piece of the plan that comes right after this one.
    fn merge(&mut self, next: Tally) {
        self.commitments += next.commitments;
        self.milestones += next.milestones;
        for (label, n) in next.by_rating {
            *self.by_rating.entry(label).or_insert(0) += n;
        }
        if let (Some((counts, none)), Some((more, more_none))) =
            (&mut self.by_completion, next.by_completion)
        {
            for (slot, (_, n)) in counts.iter_mut().zip(more) {
                slot.1 += n;
            }
            *none += more_none;
        }
        for (count, n) in self.flags.iter_mut().zip(next.flags) {
            *count += n;
        }
        for (count, n) in self.quadrant.iter_mut().zip(next.quadrant) {
            *count += n;
        }
        self.scores.extend(next.scores);
        for (lead, l) in next.by_lead {
            match self.by_lead.get_mut(&lead) {
                Some(slot) => {
                    slot.commitments += l.commitments;
                    slot.overdue += l.overdue;
                    for (label, n) in l.by_rating {
                        *slot.by_rating.entry(label).or_insert(0) += n;
                    }
                }
                None => {
                    self.by_lead.insert(lead, l);
                }
            }
        }
        self.overdue_commitments.extend(next.overdue_commitments);
        self.overdue_milestones.extend(next.overdue_milestones);
        self.not_rated_commitments
            .extend(next.not_rated_commitments);
        self.not_rated_milestones.extend(next.not_rated_milestones);
        self.disagreements.extend(next.disagreements);
        self.unsupported.extend(next.unsupported);
        self.differs_from_reference
            .extend(next.differs_from_reference);
    }

    fn finish(self) -> Summary {
        let rubric = self.rubric;
        let n = self.commitments;
        let share = |count: usize| Count {
            count,
            share: if n == 0 { 0.0 } else { count as f64 / n as f64 },
        };
        // A flag's count by id: the first flag of that id (flags of one id hold together).
        let count_of = |id: &str| {
            rubric
                .flags
                .iter()
                .position(|f| f.id == id)
                .map_or(0, |i| self.flags[i])
        };
        let flags: IndexMap<String, usize> = rubric
            .flags
            .iter()
            .map(|f| (f.id.clone(), count_of(&f.id)))
            .collect();
        let stars = rubric
            .flags
            .iter()
            .filter(|f| f.star)
            .map(|f| (f.id.clone(), count_of(&f.id)))
            .collect();
        let has_flag = |id: &str| rubric.flags.iter().any(|f| f.id == id);
        let high_completion =
            has_flag("high-completion").then(|| share(count_of("high-completion")));
        let quadrant = (has_flag("ambitious") && has_flag("high-completion")).then(|| Quadrant {
            rows: "ambitious".into(),
            columns: "high-completion".into(),
            both: self.quadrant[0],
            rows_only: self.quadrant[1],
            columns_only: self.quadrant[2],
            neither: self.quadrant[3],
        });
        let mut by_lead: Vec<LeadSummary> = self.by_lead.into_values().collect();
        by_lead.sort_by(|a, b| {
            b.commitments
                .cmp(&a.commitments)
                .then_with(|| a.lead.cmp(&b.lead))
        });
        let scores = self.scores;
        Summary {
            commitments: n,
            milestones: self.milestones,
            by_rating: self.by_rating,
            by_completion: self.by_completion.map(|(mut counts, none)| {
                counts.push((NO_EVIDENCE.to_string(), none));
                counts
            }),
            high_completion,
            flags,
            stars,
            quadrant,
            overdue_commitments: self.overdue_commitments,
            overdue_milestones: self.overdue_milestones,
            not_rated_commitments: self.not_rated_commitments,
            not_rated_milestones: self.not_rated_milestones,
            disagreements: self.disagreements,
            unsupported: self.unsupported,
            differs_from_reference: self.differs_from_reference,
            mean_score: (!scores.is_empty())
                .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            by_lead,
        }
    }
}

/// Whether a criterion's scale is ordered (for presentation).
pub fn is_ordered(rubric: &Rubric, k: usize) -> bool {
    rubric
        .criteria
        .get(k)
        .is_some_and(|c| c.kind != ScaleKind::Nominal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(evaluators: &[u32]) -> Combined {
        Combined {
            by_evaluator: evaluators.iter().map(|&e| (e, None)).collect(),
            ..Combined::default()
        }
    }

    /// Streamed results, in any size of piece, are exactly the results built at once: the
    /// JSON byte for byte, the summary, the whole results, and one commitment's results; on
    /// plans with milestones, reference and consensus evaluators, statuses and notes.
    #[test]
    fn streamed_results_are_the_built_results() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            "samples/mongolia-2016-2018",
            "samples/mongolia-irm-legacy",
            "tests/fixtures/worked-example",
        ] {
            let selection = crate::load::Selection {
                dir: root.join(dir),
                ..crate::load::Selection::default()
            };
            let mut report = crate::diag::Report::new();
            let inputs = crate::load::load(&selection, &mut report).expect(dir);
            let as_of = inputs
                .plan
                .settings
                .as_of
                .unwrap_or(jiff::civil::date(2018, 6, 30));
            let assessment =
                crate::assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
            let engine = Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
            for detail in [Detail::Combined, Detail::Evaluators] {
                let built = build(&inputs, &assessment, detail);
                let json = crate::render::json::pretty(&built).unwrap();
                for chunk in [1, 2, 3, CHUNK] {
                    let mut streamed = Vec::new();
                    write_json_in(&mut streamed, &inputs, &engine, detail, chunk).unwrap();
                    assert_eq!(String::from_utf8(streamed).unwrap(), json, "{dir} {chunk}");
                }
                assert_eq!(assess_and_build(&inputs, &engine, detail), built, "{dir}");
                assert_eq!(summary(&inputs, &engine), built.summary, "{dir}");
                for (ci, c) in built.commitments.iter().enumerate() {
                    assert_eq!(&one(&inputs, &engine, ci, detail), c, "{dir}");
                }
            }
        }
    }

    #[test]
    fn distinct_evaluators_counts_each_once() {
        let count = |units: &[&[u32]]| {
            let units: Vec<Combined> = units.iter().map(|u| answered(u)).collect();
            distinct_evaluators(units.iter())
        };
        assert_eq!(count(&[]), 0);
        assert_eq!(count(&[&[0, 1, 2], &[0, 1, 2]]), 3);
        assert_eq!(count(&[&[0, 2], &[1, 2, 5], &[], &[5]]), 4);
        // Not in evaluator order: counted by sorting.
        assert_eq!(count(&[&[0, 1], &[3, 1], &[1]]), 3);
    }
}
