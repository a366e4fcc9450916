//! What a draft template sees: the assessment's results (src/results.rs) rearranged for
//! writing a comment — each commitment's milestones with their evidence and comments, the
//! evaluators' next steps, the disagreements, how the coalition's rating compares with each
//! reference evaluator's (the IRM's), and how far the evaluators agreed (Krippendorff's alpha
//! per key criterion, from [`crate::agreement`]).
//!
//! Every field is always present (a missing value is `none`, an empty list `[]`), so that a
//! template running with strict undefined values never trips over a field that is only
//! sometimes there. docs/templates.md documents every field; keep the two in step.

use indexmap::IndexMap;
use serde::Serialize;

use crate::agreement::{self, AlphaBand};
use crate::load::Inputs;
use crate::model::OgpValue;
use crate::results::{CommitmentOut, CriterionOut, NoteOut, PlanInfo, Results, Summary};

/// Which part of the document a render is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The whole document (`--output`).
    All,
    /// The overview and closing table of a `--split` folder (`overview.md`).
    Overview,
    /// One commitment's file of a `--split` folder (`commitments` then holds only it).
    Commitment,
}

/// The whole template context.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// `checkmyogp 0.1.0`.
    pub generator: String,
    pub part: Part,
    pub plan: PlanInfo,
    pub rubric: RubricCx,
    /// The date that decided what is overdue, `YYYY-MM-DD`.
    pub as_of: String,
    /// Everyone who rated something, reference evaluators included.
    pub evaluators: Vec<EvaluatorCx>,
    /// The evaluators whose ratings were combined (not the reference ones).
    pub coalition: Vec<EvaluatorCx>,
    /// The reference evaluators (the IRM's official ratings, say).
    pub references: Vec<EvaluatorCx>,
    /// How far the coalition's evaluators agreed, per key criterion.
    pub agreement: Vec<AgreementCx>,
    pub summary: Summary,
    /// Commitments whose rating differs from a reference evaluator's, in plan order.
    pub differences: Vec<DifferenceCx>,
    pub commitments: Vec<CommitmentCx>,
    /// The one sentence every draft should keep.
    pub disclaimer: String,
}

/// The rubric, with the two criteria a comment is built around.
#[derive(Debug, Clone, Serialize)]
pub struct RubricCx {
    pub id: String,
    pub name: String,
    pub origin: String,
    pub rating_from: String,
    pub ratings: Vec<String>,
    pub criteria: Vec<CriterionInfoCx>,
    pub key_criteria: Vec<String>,
    pub flags: Vec<FlagCx>,
    pub disagreement_threshold: u32,
    /// The criterion the rating is the level of (`rating_from` is `criterion`), or none.
    pub rating_criterion: Option<String>,
    /// The completion criterion's id, or none.
    pub completion: Option<String>,
    /// The results criterion's id (`did-it-open-government`, `early-results` or `results`), or none.
    pub results: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionInfoCx {
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

#[derive(Debug, Clone, Serialize)]
pub struct FlagCx {
    pub id: String,
    pub name: String,
    pub star: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluatorCx {
    pub id: String,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub role: String,
    pub reference: bool,
    /// How the draft names them: `the IRM` for an IRM reference evaluator, else the
    /// organisation, the name or the id, whichever is given first.
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementCx {
    pub criterion: String,
    pub name: String,
    /// `commitment` or `milestone`: what the units are.
    pub scope: String,
    /// `ordinal` or `nominal`.
    pub metric: String,
    /// Krippendorff's alpha rounded to 3 decimals; none when it cannot be computed.
    pub alpha: Option<f64>,
    /// `reliable`, `tentative` or `unreliable`; none with no alpha.
    pub band: Option<String>,
    /// What the value means, or why there is none, in one English sentence.
    pub meaning: String,
    /// Units rated by at least two evaluators (the ones alpha uses).
    pub units: usize,
    /// All units of the criterion.
    pub units_total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DifferenceCx {
    /// The commitment's id.
    pub id: String,
    pub title: String,
    /// The coalition's rating (none: no evidence).
    pub rating: Option<String>,
    /// The reference evaluator's id and label.
    pub evaluator: String,
    pub who: String,
    pub reference_rating: Option<String>,
}

/// One evaluator's level (none: they said "no rating").
#[derive(Debug, Clone, Serialize)]
pub struct LevelBy {
    pub evaluator: String,
    pub who: String,
    pub level: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionCx {
    pub id: String,
    pub name: String,
    pub question: String,
    pub scope: String,
    pub level: Option<String>,
    pub value: Option<f64>,
    pub ratings: usize,
    pub no_rating: usize,
    pub min: Option<String>,
    pub max: Option<String>,
    pub spread: Option<usize>,
    pub disagreement: bool,
    pub unsupported: bool,
    /// Each coalition evaluator who answered, in evaluator order.
    pub by_evaluator: Vec<LevelBy>,
}

/// A piece of text an evaluator wrote (a comment or a next step).
#[derive(Debug, Clone, Serialize)]
pub struct NoteCx {
    pub evaluator: String,
    pub who: String,
    pub milestone: Option<String>,
    /// The criterion it is about (long-form score files), by id and by name.
    pub criterion: Option<String>,
    pub criterion_name: Option<String>,
    pub text: String,
}

/// Evidence cited, once per distinct text, with who cited it.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceCx {
    pub text: String,
    /// Whether the text is a web address.
    pub link: bool,
    pub cited_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneCx {
    pub id: String,
    pub title: String,
    pub due: Option<String>,
    pub weight: f64,
    pub overdue: bool,
    /// Its completion level (its own, or the commitment's when completion is rated per commitment).
    pub completion: Option<String>,
    /// The milestone's own completion result, when completion is rated per milestone.
    pub criterion: Option<CriterionCx>,
    pub disagreement: bool,
    pub unsupported: bool,
    pub evidence: Vec<EvidenceCx>,
    pub comments: Vec<NoteCx>,
    pub next_steps: Vec<NoteCx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisagreementCx {
    pub criterion: String,
    pub name: String,
    /// The milestone it is about, or none for the commitment.
    pub milestone: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub spread: Option<usize>,
    pub by_evaluator: Vec<LevelBy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceCx {
    pub evaluator: String,
    pub who: String,
    pub rating: Option<String>,
    pub score: Option<f64>,
    pub levels: IndexMap<String, Option<String>>,
    pub flags: Vec<String>,
    pub differs: bool,
    /// What they wrote about this commitment.
    pub comments: Vec<NoteCx>,
    pub evidence: Vec<EvidenceCx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentCx {
    pub id: String,
    pub ogp_id: Option<String>,
    pub title: String,
    pub lead: Option<String>,
    pub supporting: Vec<String>,
    /// OGP value ids (`access-to-information`, …) and their names as OGP writes them.
    pub values: Vec<String>,
    pub value_names: Vec<String>,
    pub themes: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub description: Option<String>,
    pub rating: Option<String>,
    pub rating_rank: Option<usize>,
    pub score: Option<f64>,
    /// Ids of the flags that hold, and of the star flags among them.
    pub flags: Vec<String>,
    pub stars: Vec<String>,
    pub overdue: bool,
    pub overdue_milestones: usize,
    pub disagreement: bool,
    pub unsupported: bool,
    pub unsupported_criteria: Vec<String>,
    /// How many coalition evaluators rated it, and the labels of those who did not.
    pub evaluators: usize,
    pub missing_evaluators: Vec<String>,
    /// Every criterion, by id.
    pub criteria: IndexMap<String, CriterionCx>,
    pub completion: Option<CriterionCx>,
    pub results: Option<CriterionCx>,
    pub milestones: Vec<MilestoneCx>,
    /// The coalition's comments on the commitment as a whole (milestone comments are on the milestones).
    pub comments: Vec<NoteCx>,
    /// Evidence cited for the commitment as a whole.
    pub evidence: Vec<EvidenceCx>,
    /// Every next step the coalition proposed, the commitment's and its milestones'.
    pub next_steps: Vec<NoteCx>,
    pub disagreements: Vec<DisagreementCx>,
    pub references: Vec<ReferenceCx>,
    /// Whether any reference evaluator's rating differs from the coalition's.
    pub differs: bool,
}

/// The sentence a draft keeps, in English (templates in other languages write their own).
pub const DISCLAIMER: &str = "This is a civil-society assessment, not an official rating of OGP's Independent Reporting Mechanism (IRM).";

/// The criterion that answers "did it open government?" in each built-in rubric.
const RESULTS_CRITERIA: [&str; 3] = ["did-it-open-government", "early-results", "results"];

fn label_of(e: &crate::results::EvaluatorInfo) -> String {
    if e.reference && e.role == "irm" {
        return "the IRM".to_string();
    }
    e.organisation
        .clone()
        .or_else(|| e.name.clone())
        .unwrap_or_else(|| e.id.clone())
}

/// Whether evidence text is a bare web address.
fn is_link(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("https://") || t.starts_with("http://")) && !t.chars().any(char::is_whitespace)
}

struct Labels<'a> {
    evaluators: &'a [EvaluatorCx],
    results: &'a Results,
}

impl Labels<'_> {
    fn who(&self, id: &str) -> String {
        self.evaluators
            .iter()
            .find(|e| e.id == id)
            .map_or_else(|| id.to_string(), |e| e.label.clone())
    }

    fn is_reference(&self, id: &str) -> bool {
        self.evaluators.iter().any(|e| e.id == id && e.reference)
    }

    fn levels(&self, out: &CriterionOut) -> Vec<LevelBy> {
        out.by_evaluator
            .iter()
            .flatten()
            .filter(|(e, _)| !self.is_reference(e))
            .map(|(e, l)| LevelBy {
                evaluator: e.clone(),
                who: self.who(e),
                level: l.clone(),
            })
            .collect()
    }

    fn note(&self, n: &NoteOut, text: &str) -> NoteCx {
        NoteCx {
            evaluator: n.evaluator.clone(),
            who: self.who(&n.evaluator),
            milestone: n.milestone.clone(),
            criterion: n.criterion.clone(),
            criterion_name: n.criterion.as_ref().map(|k| {
                self.results
                    .rubric
                    .criteria
                    .iter()
                    .find(|c| c.id == *k)
                    .map_or_else(|| k.clone(), |c| c.name.clone())
            }),
            text: text.trim().to_string(),
        }
    }
}

fn criterion_cx(
    results: &Results,
    labels: &Labels<'_>,
    id: &str,
    out: &CriterionOut,
) -> CriterionCx {
    let info = results.rubric.criteria.iter().find(|c| c.id == id);
    CriterionCx {
        id: id.to_string(),
        name: info.map_or_else(|| id.to_string(), |c| c.name.clone()),
        question: info.map(|c| c.question.clone()).unwrap_or_default(),
        scope: info.map_or_else(|| "commitment".to_string(), |c| c.scope.clone()),
        level: out.level.clone(),
        value: out.value,
        ratings: out.ratings,
        no_rating: out.no_rating,
        min: out.min.clone(),
        max: out.max.clone(),
        spread: out.spread,
        disagreement: out.disagreement,
        unsupported: out.unsupported,
        by_evaluator: labels.levels(out),
    }
}

fn add_evidence(list: &mut Vec<EvidenceCx>, text: &str, who: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match list.iter_mut().find(|e| e.text == text) {
        Some(e) => {
            if !e.cited_by.iter().any(|w| w == who) {
                e.cited_by.push(who.to_string());
            }
        }
        None => list.push(EvidenceCx {
            text: text.to_string(),
            link: is_link(text),
            cited_by: vec![who.to_string()],
        }),
    }
}

fn commitment_cx(
    results: &Results,
    labels: &Labels<'_>,
    rubric: &RubricCx,
    c: &CommitmentOut,
) -> CommitmentCx {
    let criteria: IndexMap<String, CriterionCx> = c
        .criteria
        .iter()
        .map(|(id, out)| (id.clone(), criterion_cx(results, labels, id, out)))
        .collect();
    let pick = |id: &Option<String>| id.as_ref().and_then(|id| criteria.get(id)).cloned();
    let notes: &[NoteOut] = c.notes.as_deref().unwrap_or_default();
    let coalition_notes = || notes.iter().filter(|n| !labels.is_reference(&n.evaluator));

    let mut milestones: Vec<MilestoneCx> = c
        .milestones
        .iter()
        .map(|m| {
            let own = rubric
                .completion
                .as_ref()
                .and_then(|k| m.criteria.get(k))
                .map(|out| {
                    criterion_cx(
                        results,
                        labels,
                        rubric.completion.as_deref().unwrap_or(""),
                        out,
                    )
                });
            MilestoneCx {
                id: m.id.clone(),
                title: m.title.clone(),
                due: m.due.clone(),
                weight: m.weight,
                overdue: m.overdue,
                completion: m.completion.clone(),
                disagreement: m.criteria.values().any(|x| x.disagreement),
                unsupported: m.criteria.values().any(|x| x.unsupported),
                criterion: own,
                evidence: Vec::new(),
                comments: Vec::new(),
                next_steps: Vec::new(),
            }
        })
        .collect();
    let mut comments = Vec::new();
    let mut evidence = Vec::new();
    let mut next_steps = Vec::new();
    for n in coalition_notes() {
        let who = labels.who(&n.evaluator);
        let slot = n
            .milestone
            .as_ref()
            .and_then(|id| milestones.iter_mut().find(|m| m.id == *id));
        match slot {
            Some(m) => {
                add_evidence(&mut m.evidence, &n.evidence, &who);
                if !n.comment.trim().is_empty() {
                    m.comments.push(labels.note(n, &n.comment));
                }
                if !n.next_steps.trim().is_empty() {
                    m.next_steps.push(labels.note(n, &n.next_steps));
                }
            }
            None => {
                add_evidence(&mut evidence, &n.evidence, &who);
                if !n.comment.trim().is_empty() {
                    comments.push(labels.note(n, &n.comment));
                }
            }
        }
        if !n.next_steps.trim().is_empty() {
            next_steps.push(labels.note(n, &n.next_steps));
        }
    }

    let mut disagreements = Vec::new();
    for (id, out) in &c.criteria {
        if out.disagreement {
            let cx = &criteria[id];
            disagreements.push(DisagreementCx {
                criterion: id.clone(),
                name: cx.name.clone(),
                milestone: None,
                min: out.min.clone(),
                max: out.max.clone(),
                spread: out.spread,
                by_evaluator: cx.by_evaluator.clone(),
            });
        }
    }
    for m in &c.milestones {
        for (id, out) in &m.criteria {
            if out.disagreement {
                let cx = criterion_cx(results, labels, id, out);
                disagreements.push(DisagreementCx {
                    criterion: id.clone(),
                    name: cx.name,
                    milestone: Some(m.id.clone()),
                    min: out.min.clone(),
                    max: out.max.clone(),
                    spread: out.spread,
                    by_evaluator: cx.by_evaluator,
                });
            }
        }
    }

    let references: Vec<ReferenceCx> = c
        .reference
        .iter()
        .map(|(e, r)| {
            let mut ref_comments = Vec::new();
            let mut ref_evidence = Vec::new();
            let who = labels.who(e);
            for n in notes.iter().filter(|n| n.evaluator == *e) {
                add_evidence(&mut ref_evidence, &n.evidence, &who);
                if !n.comment.trim().is_empty() {
                    ref_comments.push(labels.note(n, &n.comment));
                }
            }
            ReferenceCx {
                evaluator: e.clone(),
                who,
                rating: r.rating.clone(),
                score: r.score,
                levels: r.levels.clone(),
                flags: r.flags.clone(),
                differs: r.differs,
                comments: ref_comments,
                evidence: ref_evidence,
            }
        })
        .collect();
    let stars = c
        .flags
        .iter()
        .filter(|f| rubric.flags.iter().any(|x| x.id == **f && x.star))
        .cloned()
        .collect();
    CommitmentCx {
        id: c.id.clone(),
        ogp_id: c.ogp_id.clone(),
        title: c.title.clone(),
        lead: c.lead.clone(),
        supporting: c.supporting.clone(),
        values: c.values.clone(),
        value_names: c
            .values
            .iter()
            .map(|v| {
                OgpValue::ALL
                    .iter()
                    .find(|(id, _)| id == v)
                    .map_or_else(|| v.clone(), |(_, x)| x.name().to_string())
            })
            .collect(),
        themes: c.themes.clone(),
        start: c.start.clone(),
        end: c.end.clone(),
        description: c
            .description
            .as_ref()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
        rating: c.rating.clone(),
        rating_rank: c.rating_rank,
        score: c.score,
        flags: c.flags.clone(),
        stars,
        overdue: c.overdue,
        overdue_milestones: c.overdue_milestones,
        disagreement: c.disagreement,
        unsupported: c.unsupported,
        unsupported_criteria: c.unsupported_criteria.clone(),
        evaluators: c.evaluators,
        missing_evaluators: c.missing_evaluators.iter().map(|e| labels.who(e)).collect(),
        completion: pick(&rubric.completion),
        results: pick(&rubric.results),
        criteria,
        milestones,
        comments,
        evidence,
        next_steps,
        disagreements,
        differs: references.iter().any(|r| r.differs),
        references,
    }
}

/// Krippendorff's alpha of each key criterion over the coalition's evaluators, computed as
/// `checkmyogp agreement` computes it (same evaluators, metric and undefined cases).
fn agreement_of(inputs: &Inputs) -> Vec<AgreementCx> {
    let rubric = &inputs.rubric;
    let options = agreement::report::Options {
        criteria: rubric.key_criteria.clone(),
        ..agreement::report::Options::default()
    };
    let report = agreement::report::build(&inputs.plan, rubric, &inputs.scores, &options, None);
    report
        .criteria
        .into_iter()
        .map(|c| {
            let band = c.alpha.map(AlphaBand::of);
            AgreementCx {
                scope: c.scope.id().to_string(),
                metric: c.metric.label().to_string(),
                alpha: c.alpha.map(|x| (x * 1000.0).round() / 1000.0),
                band: band.map(|b| b.label().to_string()),
                meaning: match band {
                    Some(b) => b.description().to_string(),
                    None => c.reading.clone(),
                },
                units: c.units,
                units_total: c.units_total,
                criterion: c.criterion,
                name: c.name,
            }
        })
        .collect()
}

/// Builds the context of a whole document from results built with
/// [`crate::results::Detail::Evaluators`] (so that notes and each evaluator's levels are there).
pub fn build(inputs: &Inputs, results: &Results) -> Context {
    let evaluators: Vec<EvaluatorCx> = results
        .evaluators
        .iter()
        .map(|e| EvaluatorCx {
            id: e.id.clone(),
            name: e.name.clone(),
            organisation: e.organisation.clone(),
            role: e.role.clone(),
            reference: e.reference,
            label: label_of(e),
        })
        .collect();
    let rubric_model = &inputs.rubric;
    let has = |id: &str| results.rubric.criteria.iter().any(|c| c.id == id);
    let rubric = RubricCx {
        id: results.rubric.id.clone(),
        name: results.rubric.name.clone(),
        origin: results.rubric.origin.clone(),
        rating_from: results.rubric.rating_from.clone(),
        ratings: results.rubric.ratings.clone(),
        criteria: results
            .rubric
            .criteria
            .iter()
            .map(|c| CriterionInfoCx {
                id: c.id.clone(),
                name: c.name.clone(),
                question: c.question.clone(),
                scale: c.scale.clone(),
                scope: c.scope.clone(),
                combine: c.combine.clone(),
                weight: c.weight,
                levels: c.levels.clone(),
                key: c.key,
            })
            .collect(),
        key_criteria: results
            .rubric
            .criteria
            .iter()
            .filter(|c| c.key)
            .map(|c| c.id.clone())
            .collect(),
        flags: results
            .rubric
            .flags
            .iter()
            .map(|f| FlagCx {
                id: f.id.clone(),
                name: f.name.clone(),
                star: f.star,
            })
            .collect(),
        disagreement_threshold: results.rubric.disagreement_threshold,
        rating_criterion: match &rubric_model.rating {
            crate::model::RatingRule::Criterion(k) => {
                rubric_model.criteria.get(*k).map(|c| c.id.clone())
            }
            crate::model::RatingRule::Bands(_) => None,
        },
        completion: rubric_model
            .completion
            .and_then(|k| rubric_model.criteria.get(k))
            .map(|c| c.id.clone()),
        results: RESULTS_CRITERIA
            .iter()
            .find(|id| has(id))
            .map(|id| (*id).to_string()),
    };
    let labels = Labels {
        evaluators: &evaluators,
        results,
    };
    let commitments: Vec<CommitmentCx> = results
        .commitments
        .iter()
        .map(|c| commitment_cx(results, &labels, &rubric, c))
        .collect();
    let differences = commitments
        .iter()
        .flat_map(|c| {
            c.references
                .iter()
                .filter(|r| r.differs)
                .map(|r| DifferenceCx {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    rating: c.rating.clone(),
                    evaluator: r.evaluator.clone(),
                    who: r.who.clone(),
                    reference_rating: r.rating.clone(),
                })
        })
        .collect();
    Context {
        generator: results.generator.clone(),
        part: Part::All,
        plan: results.plan.clone(),
        agreement: agreement_of(inputs),
        rubric,
        as_of: results.as_of.clone(),
        coalition: evaluators
            .iter()
            .filter(|e| !e.reference)
            .cloned()
            .collect(),
        references: evaluators.iter().filter(|e| e.reference).cloned().collect(),
        evaluators,
        summary: results.summary.clone(),
        differences,
        commitments,
        disclaimer: DISCLAIMER.to_string(),
    }
}
