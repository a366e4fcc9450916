//! What a draft template sees: the assessment's results (src/results.rs) rearranged for
//! writing a comment — each commitment's milestones with their evidence and comments, the
//! evaluators' next steps, the disagreements, how the coalition's rating compares with each
//! reference evaluator's (the IRM's), and how far the evaluators agreed (Krippendorff's alpha
//! per key criterion, from [`crate::agreement`]).
//!
//! Every field is always present (a missing value is `none`, an empty list `[]`), so that a
//! template running with strict undefined values never trips over a field that is only
//! sometimes there. docs/templates.md documents every field; keep the two in step.
//!
//! Text from the inputs is made safe here, once, for Markdown (see [`super::markdown`]):
//! plain-text fields are escaped, Markdown fields have raw HTML and script links defused.

use indexmap::IndexMap;
use serde::Serialize;

use std::collections::HashMap;

use super::markdown::{markdown, plain_block, plain_line};
use crate::agreement::{self, AlphaBand};
use crate::load::Inputs;
use crate::model::{Date, OgpValue};
use crate::results::{
    CommitmentOut, Compared, CriterionOut, EvaluatorInfo, MilestoneOut, NoteRef, PlanInfo,
    ReferenceOut, RubricInfo, Summary,
};
use crate::wording::Wording;

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
    /// The draft's language code (`en`, `es`, `fr`, `mn`, …).
    pub language: String,
    /// Whether the appendix of figures is asked for (`draft --appendix`).
    pub appendix: bool,
    /// The comment's header and overview (plan.toml's `[comment]`).
    pub comment: CommentCx,
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
    /// Not serialised with the rest: templates see it as a list whose items are assessed,
    /// built and converted one at a time when a template reaches them (see
    /// [`Commitments`] and `super::template_value`), so that a render never holds the whole
    /// plan's context.
    #[serde(skip_serializing)]
    pub commitments: std::sync::Arc<Commitments>,
    /// The one sentence every draft should keep.
    pub disclaimer: String,
}

/// The `[comment]` table of plan.toml. `overview`, `monitoring` and `funders` are Markdown;
/// the others plain text. `organisation` defaults to `[plan] organisation`.
#[derive(Debug, Clone, Serialize)]
pub struct CommentCx {
    pub organisation: Option<String>,
    pub authors: Vec<String>,
    pub contact: Option<String>,
    pub report: Option<String>,
    pub monitoring: Option<String>,
    pub funders: Option<String>,
    pub overview: Option<String>,
}

/// A dated event of a commitment's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct EventCx {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// What happened (Markdown).
    pub text: String,
    /// Where it is recorded, or none.
    pub source: Option<String>,
    /// Whether `source` is a web address.
    pub link: bool,
    /// Whether it happened before the commitment (or the plan) started: told under Context.
    pub before_start: bool,
}

/// A reference evaluator's level on one criterion, beside the coalition's.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonCx {
    pub evaluator: String,
    pub who: String,
    pub level: Option<String>,
    pub differs: bool,
}

/// The rubric: the results' [`RubricInfo`] (`id`, `name`, `origin`, `rating_from`, `ratings`,
/// `criteria`, `flags`, `disagreement_threshold`), with the criteria a comment is built around.
#[derive(Debug, Clone, Serialize)]
pub struct RubricCx {
    #[serde(flatten)]
    pub info: RubricInfo,
    /// The ids of the key criteria.
    pub key_criteria: Vec<String>,
    /// The criterion the rating is the level of (`rating_from` is `criterion`), or none.
    pub rating_criterion: Option<String>,
    /// The completion criterion's id, or none.
    pub completion: Option<String>,
    /// The results criterion's id (`did-it-open-government`, `early-results` or `results`), or none.
    pub results: Option<String>,
}

/// An evaluator: the results' [`EvaluatorInfo`] (`id`, `name`, `organisation`, `role`,
/// `reference`; its names made safe), with how the draft names them.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluatorCx {
    #[serde(flatten)]
    pub info: EvaluatorInfo,
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
    /// The criterion compared (the completion criterion), or none when the ratings are.
    pub criterion: Option<String>,
    /// The coalition's level and the reference evaluator's on it.
    pub level: Option<String>,
    pub reference_level: Option<String>,
}

/// One evaluator's level (none: they said "no rating").
#[derive(Debug, Clone, Serialize)]
pub struct LevelBy {
    pub evaluator: String,
    pub who: String,
    pub level: Option<String>,
}

/// One criterion's result: the results' [`CriterionOut`] (its labels made safe), with the
/// criterion's names and each coalition evaluator's level by label.
///
/// The reused results type comes first when serialised, so that the fields after it replace
/// its own field of the same name (`by_evaluator`) in what templates see.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionCx {
    #[serde(flatten)]
    pub out: CriterionOut,
    pub id: String,
    pub name: String,
    pub question: String,
    pub scope: String,
    /// Each coalition evaluator who answered, in evaluator order.
    pub by_evaluator: Vec<LevelBy>,
    /// `consensus` always present (the results leave it out when false).
    pub consensus: bool,
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

/// A milestone: the results' [`MilestoneOut`] (`id`, `title`, `due`, `weight`, `overdue`,
/// `completion`, `criteria`; its title made safe), with what was written about it.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneCx<O = MilestoneOut> {
    #[serde(flatten)]
    pub out: O,
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

/// A reference evaluator's view of a commitment: the results' [`ReferenceOut`] (`rating`,
/// `score`, `levels`, `flags`, `differs`, `compared`; its labels made safe), with the
/// comparison a comment makes: `criterion` and `level` are what `differs` compared.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceCx {
    #[serde(flatten)]
    pub out: ReferenceOut,
    pub evaluator: String,
    pub who: String,
    /// The criterion compared (the completion criterion), or none when the ratings are.
    pub criterion: Option<String>,
    /// Their level on it (or their rating).
    pub level: Option<String>,
    /// What they rated on criteria the coalition's rubric does not have, by criterion name.
    pub unmatched: IndexMap<String, String>,
    /// What they wrote about this commitment.
    pub comments: Vec<NoteCx>,
    pub evidence: Vec<EvidenceCx>,
}

/// A commitment: the results' [`CommitmentOut`] (`id`, `ogp_id`, `title`, `lead`,
/// `supporting`, `values`, `themes`, `start`, `end`, `description`, `rating`, `rating_rank`,
/// `score`, `flags`, `overdue`, `overdue_milestones`, `disagreement`, `unsupported`,
/// `unsupported_criteria`, `evaluators`; its text made safe, its notes and raw reference views
/// left out), with everything arranged for writing a comment. The fields after it replace its
/// `criteria`, `milestones` and `missing_evaluators` with richer ones.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentCx {
    #[serde(flatten)]
    pub out: CommitmentOut,
    /// The names of its OGP values, as OGP writes them.
    pub value_names: Vec<String>,
    /// The ids of the star flags that hold.
    pub stars: Vec<String>,
    /// The labels of the coalition evaluators who did not rate it.
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
    /// Each reference evaluator's level on the results criterion.
    pub results_references: Vec<ComparisonCx>,
    /// Whether any reference evaluator's level differs from the coalition's (false when none of
    /// the coalition's evaluators rated the commitment).
    pub differs: bool,
    /// The names of the flags that hold.
    pub flag_names: Vec<String>,
    /// The dated events of plan.toml's `[[commitment.event]]`, in date order.
    pub timeline: Vec<EventCx>,
}

/// The commitments of a context: the inputs they are assessed from, with what assessing and
/// building one commitment needs prepared for the whole plan. A commitment's results and its
/// part of the context ([`CommitmentCx`]) are built when it is asked for, and dropped after
/// use, each time it is asked for (the engine is deterministic: the same every time; with
/// `--appendix`, the template's list keeps what it was built from for its next walk, see
/// `super::kept`). Built
/// all at once, the context took about 14 kB per commitment beside the results it came from,
/// and the results about 18 kB together, for about 400 bytes of draft each (914 MB at the
/// plan limit of 50,000 commitments).
#[derive(Debug)]
pub struct Commitments {
    /// The inputs, with their ratings.
    inputs: Inputs,
    as_of: crate::model::Date,
    prepared: crate::assess::Prepared,
    /// Builds a commitment's results, without each evaluator's levels (built from the
    /// assessment by the fields that read them); their notes are read from `notes` by the
    /// fields that need them.
    index: crate::results::Index,
    notes: crate::results::NoteGroups,
    /// The working memory of the assessment, reused from one commitment to the next.
    scratch: std::sync::Mutex<crate::assess::Scratch>,
    labels: Labels,
    rubric: RubricCx,
    /// The reference evaluators' ids, in the order of the context's `references`.
    reference_ids: Vec<String>,
    /// Each commitment's `timeline`, in plan order: made once (an event's text is made safe
    /// for Markdown, which takes time in proportion to its length), not each time a template
    /// reaches the commitment.
    timelines: Vec<Vec<EventCx>>,
    /// Each commitment, milestone and note: what the budgets of a render grow with.
    units: usize,
    /// What [`LevelBy`] says of each evaluator of the score files and of each answer, made
    /// once when a field first reads the levels (see [`LevelWords`]).
    level_words: std::sync::OnceLock<LevelWords>,
}

/// What makes a [`LevelBy`], by the assessment's numbers: each evaluator of the score files
/// (by index) that is of the coalition, with their id and label (none: a reference evaluator
/// or one recording the agreed levels), and each answer of each criterion of the rubric made
/// safe. The appendix lists every evaluator's level on every disagreement: looked up by name
/// and made safe each time, they took most of the time of building the levels.
#[derive(Debug)]
struct LevelWords {
    evaluators: Vec<Option<(String, String)>>,
    /// By criterion (in rubric order), each answer (by level) as [`plain_line`] makes it.
    answers: Vec<Vec<String>>,
}

impl Commitments {
    /// How many commitments there are.
    pub fn len(&self) -> usize {
        self.inputs.plan.commitments.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.inputs.plan.commitments.is_empty()
    }

    /// The `i`th commitment's part of the context, assessed now, each of its fields built
    /// when asked for ([`CommitmentParts`]).
    pub fn get(self: &std::sync::Arc<Self>, i: usize) -> Option<CommitmentParts> {
        let plan = &self.inputs.plan;
        if i >= plan.commitments.len() {
            return None;
        }
        let engine = crate::assess::Engine::with(
            plan,
            &self.inputs.rubric,
            &self.inputs.scores,
            self.as_of,
            &self.prepared,
        );
        let c = {
            let mut scratch = self
                .scratch
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            crate::results::one_with(&self.inputs, &engine, &self.index, i, &mut scratch)
        };
        Some(CommitmentParts::new(
            std::sync::Arc::clone(self),
            i,
            c.0,
            c.1,
        ))
    }

    /// Each commitment's `id` as templates see it, in order.
    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.inputs
            .plan
            .commitments
            .iter()
            .map(|c| plain_line(&c.id))
    }

    /// The units the budgets of a render grow with: each commitment, milestone and note.
    pub fn units(&self) -> usize {
        self.units
    }
}

impl CommitmentCx {
    /// The fields of its own (not of `out`), in the order they are serialised.
    pub const OWN_FIELDS: [&'static str; 16] = [
        "value_names",
        "stars",
        "missing_evaluators",
        "criteria",
        "completion",
        "results",
        "milestones",
        "comments",
        "evidence",
        "next_steps",
        "disagreements",
        "references",
        "results_references",
        "differs",
        "flag_names",
        "timeline",
    ];
}

/// How the comments of `import ogp`'s score files start: where each rating came from.
const IMPORT_PROVENANCE: &str = "OGP data, column ";

/// The criterion that answers "did it open government?" in each built-in rubric.
const RESULTS_CRITERIA: [&str; 3] = ["did-it-open-government", "early-results", "results"];

fn label_of(e: &crate::results::EvaluatorInfo, wording: &Wording) -> String {
    if e.reference && e.role == "irm" {
        return wording
            .text("the_irm", None)
            .unwrap_or("the IRM")
            .to_string();
    }
    plain_line(
        e.organisation
            .as_deref()
            .or(e.name.as_deref())
            .unwrap_or(&e.id),
    )
}

/// Whether evidence text is a bare web address.
fn is_link(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("https://") || t.starts_with("http://")) && !has_whitespace(t)
}

/// Whether `text` holds a character that is white space (`char::is_whitespace`), ASCII text
/// looked at byte by byte (the same six characters; evidence is mostly web addresses, each
/// decoded character by character took a quarter of the time of arranging a commitment's notes).
fn has_whitespace(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| matches!(b, b'\t'..=b'\r' | b' '))
    } else {
        text.chars().any(char::is_whitespace)
    }
}

#[derive(Debug)]
struct Labels {
    /// Each evaluator's label and whether they are a reference evaluator, by id.
    evaluators: HashMap<String, (String, bool)>,
    /// The evaluators who record the coalition's agreed levels (`role = "consensus"`).
    consensus: Vec<String>,
    /// The language's word of `a, b and c`.
    and: String,
    /// The rubric's criteria, their names made safe once for the whole draft.
    criteria: Vec<CriterionNames>,
}

/// A criterion of the rubric as templates name it (see [`CriterionCx`]).
#[derive(Debug)]
struct CriterionNames {
    id: String,
    name: String,
    question: String,
    scope: String,
}

impl Labels {
    fn criterion(&self, id: &str) -> Option<&CriterionNames> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// A criterion's name, made safe (its id when the rubric has no such criterion).
    fn criterion_name(&self, id: &str) -> String {
        self.criterion(id)
            .map_or_else(|| plain_line(id), |c| c.name.clone())
    }

    fn who(&self, id: &str) -> String {
        self.evaluators
            .get(id)
            .map_or_else(|| plain_line(id), |(label, _)| label.clone())
    }

    /// What [`Self::who`] gives, borrowed when the evaluator is known, and whether they are
    /// a reference evaluator ([`Self::is_reference`]): one look-up instead of two copies,
    /// for each of a commitment's notes.
    fn who_borrowed(&self, id: &str) -> (std::borrow::Cow<'_, str>, bool) {
        match self.evaluators.get(id) {
            Some((label, reference)) => (std::borrow::Cow::Borrowed(label.as_str()), *reference),
            None => (std::borrow::Cow::Owned(plain_line(id)), false),
        }
    }

    fn is_reference(&self, id: &str) -> bool {
        self.evaluators.get(id).is_some_and(|(_, r)| *r)
    }

    /// The coalition evaluators' levels among `by_evaluator` (each evaluator's id and level).
    fn levels<'a>(
        &self,
        by_evaluator: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Vec<LevelBy> {
        by_evaluator
            .filter(|(e, _)| !self.is_reference(e) && !self.consensus.iter().any(|c| c == e))
            .map(|(e, l)| LevelBy {
                evaluator: e.to_string(),
                who: self.who(e),
                level: l.map(plain_line),
            })
            .collect()
    }

    /// The coalition evaluators' levels in a criterion's `by_evaluator` of the results.
    fn levels_of(&self, by_evaluator: Option<&IndexMap<String, Option<String>>>) -> Vec<LevelBy> {
        self.levels(
            by_evaluator
                .into_iter()
                .flatten()
                .map(|(e, l)| (e.as_str(), l.as_deref())),
        )
    }

    /// Notes of the same text about the same milestone and criterion, given once, with everyone
    /// who wrote it (`who` "A and B", `evaluator` the first): two evaluators who wrote the same
    /// words are not quoted twice.
    fn merge_same(&self, notes: Vec<NoteCx>) -> Vec<NoteCx> {
        let mut out: Vec<(NoteCx, Vec<String>)> = Vec::new();
        let mut seen: HashMap<(Option<String>, Option<String>, String), usize> = HashMap::new();
        for n in notes {
            let key = (
                n.milestone.clone(),
                n.criterion.clone(),
                n.text.trim().to_string(),
            );
            match seen.get(&key) {
                Some(&i) => {
                    if !out[i].1.contains(&n.who) {
                        out[i].1.push(n.who);
                    }
                }
                None => {
                    seen.insert(key, out.len());
                    let who = n.who.clone();
                    out.push((n, vec![who]));
                }
            }
        }
        out.into_iter()
            .map(|(mut n, whos)| {
                n.who = match whos.as_slice() {
                    [init @ .., last] if !init.is_empty() => {
                        format!("{} {} {last}", init.join(", "), self.and)
                    }
                    _ => n.who,
                };
                n
            })
            .collect()
    }

    fn note(&self, rubric: &RubricInfo, n: &NoteRef, text: &str) -> NoteCx {
        self.note_by(rubric, n, text, &self.who(n.evaluator))
    }

    /// [`Self::note`], with `who` already looked up.
    fn note_by(&self, rubric: &RubricInfo, n: &NoteRef, text: &str, who: &str) -> NoteCx {
        NoteCx {
            evaluator: n.evaluator.to_string(),
            who: who.to_string(),
            milestone: n.milestone.map(str::to_string),
            criterion: n.criterion.map(str::to_string),
            criterion_name: n.criterion.map(|k| {
                plain_line(
                    rubric
                        .criteria
                        .iter()
                        .find(|c| c.id == k)
                        .map_or(k, |c| c.name.as_str()),
                )
            }),
            text: plain_block(text),
        }
    }
}

fn criterion_cx(
    labels: &Labels,
    id: &str,
    out: &CriterionOut,
    by_evaluator: Vec<LevelBy>,
) -> CriterionCx {
    let names = labels.criterion(id);
    let safe = |x: &Option<String>| x.as_deref().map(plain_line);
    CriterionCx {
        out: CriterionOut {
            level: safe(&out.level),
            value: out.value,
            consensus: out.consensus,
            ratings: out.ratings,
            no_rating: out.no_rating,
            min: safe(&out.min),
            max: safe(&out.max),
            spread: out.spread,
            disagreement: out.disagreement,
            unsupported: out.unsupported,
            by_evaluator: None,
        },
        id: id.to_string(),
        name: labels.criterion_name(id),
        question: names.map(|n| n.question.clone()).unwrap_or_default(),
        scope: names.map_or_else(|| "commitment".to_string(), |n| n.scope.clone()),
        by_evaluator,
        consensus: out.consensus,
    }
}

/// Evidence cited, as it is gathered: each entry of `list` with the text (trimmed) of its first
/// citation, as the inputs have it. Most evidence is cited again word for word (by the other
/// evaluators, on the other criteria): found by that text, it is not told from a web address
/// and made safe again, nor copied, for each citation.
#[derive(Debug, Default)]
struct Evidence<'a> {
    list: Vec<EvidenceCx>,
    raw: Vec<&'a str>,
}

impl<'a> Evidence<'a> {
    /// Adds `text`, cited by `who`: a new entry, or `who` added to the entry of the same text
    /// (made safe).
    fn add(&mut self, text: &'a str, who: &str) {
        let raw = text.trim();
        if raw.is_empty() {
            return;
        }
        // The same text as an entry's first citation makes the same entry.
        let found = match self.raw.iter().position(|r| *r == raw) {
            Some(i) => Some(i),
            None => {
                let link = is_link(raw) && !raw.contains(['<', '>']);
                let text = if link {
                    raw.to_string()
                } else {
                    plain_line(raw)
                };
                let found = self.list.iter().position(|e| e.text == text);
                if found.is_none() {
                    self.list.push(EvidenceCx {
                        text,
                        link,
                        cited_by: vec![who.to_string()],
                    });
                    self.raw.push(raw);
                }
                found
            }
        };
        if let Some(i) = found {
            let e = &mut self.list[i];
            if !e.cited_by.iter().any(|w| w == who) {
                e.cited_by.push(who.to_string());
            }
        }
    }
}

/// The name of a criterion of the IRM's rubrics, for one the coalition's rubric lacks.
fn irm_criterion_name(id: &str) -> String {
    const NAMES: [(&str, &str); 12] = [
        ("completion", "Completion"),
        ("specificity", "Specificity"),
        ("access-to-information", "Access to information"),
        ("civic-participation", "Civic participation"),
        ("public-accountability", "Public accountability"),
        (
            "technology-innovation",
            "Technology and innovation for transparency and accountability",
        ),
        ("potential-impact", "Potential impact"),
        ("did-it-open-government", "Did it open government?"),
        ("early-results", "Early results"),
        ("verifiable", "Verifiable"),
        ("open-government-lens", "Open-government lens"),
        ("potential-for-results", "Potential for results"),
    ];
    let key = id.trim().to_lowercase();
    NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(|| plain_line(id), |(_, n)| (*n).to_string())
}

/// A commitment's dated events, as templates see them (`timeline`): `start` is the
/// commitment's start, else the plan's.
fn timeline_of(
    model: &crate::model::Commitment,
    start: Option<crate::model::Date>,
) -> Vec<EventCx> {
    model
        .events
        .iter()
        .map(|e| {
            let link = e
                .source
                .as_deref()
                .is_some_and(|s| is_link(s) && !s.contains(['<', '>']));
            EventCx {
                date: e.date.to_string(),
                text: markdown(&e.text),
                source: e.source.as_deref().map(|s| {
                    if link {
                        s.trim().to_string()
                    } else {
                        plain_line(s)
                    }
                }),
                link,
                before_start: start.is_some_and(|s| e.date < s),
            }
        })
        .collect()
}

/// What a reference evaluator's view is compared on (`ReferenceOut::compared`), as the
/// criterion compared (none: the ratings are) and their level on it (or their rating): their
/// level of completion (their own, or their rating on another completion scale mapped by
/// meaning), or their rating when they have no level of completion.
fn compared(rubric: &RubricCx, r: &ReferenceOut) -> (Option<String>, Option<String>) {
    match (&rubric.completion, r.compared) {
        (Some(k), None | Some(Compared::Completion)) => (
            Some(k.clone()),
            r.levels.get(k).cloned().flatten().map(|l| plain_line(&l)),
        ),
        _ => (None, r.rating.as_deref().map(plain_line)),
    }
}

/// One commitment's results taken apart, from which each field of its [`CommitmentCx`] is
/// built when a template first reads it (see `super::CommitmentValue`): the appendix's tables
/// read a few fields of each commitment, and building every field of every commitment, for
/// each loop over `commitments`, took most of a draft's time. The text of the inputs is made
/// safe once, when the parts are made; what templates see of the rest is built from them
/// (borrowed, not copied) by one method per field, which [`Self::whole`] calls in turn.
#[derive(Debug)]
pub struct CommitmentParts {
    commitments: std::sync::Arc<Commitments>,
    /// Its position in the plan.
    index: usize,
    /// The results, their text made safe, the parts below taken out of them.
    pub out: CommitmentOut,
    /// The assessment the results were built from: each evaluator's level on a criterion is
    /// built from it when a field needs it ([`Self::by_evaluator`]).
    result: crate::assess::CommitmentResult,
    /// The completion criterion, without each evaluator's level (`by_evaluator`): the others
    /// are built from the assessment when read ([`Self::criterion_out`]).
    criteria: IndexMap<String, CriterionOut>,
    /// The milestones, their titles and completion made safe, their criteria without each
    /// evaluator's level.
    milestones: Vec<MilestoneOut>,
    /// The milestones with each evaluator's level on their criteria, as templates see them in
    /// `milestones`, made when that field is first read.
    detailed_milestones: std::sync::OnceLock<Vec<MilestoneOut>>,
    missing: Vec<String>,
    reference: IndexMap<String, ReferenceOut>,
    /// What the coalition wrote, arranged, made when a field first needs it; each field takes
    /// its own part (each field is built once).
    written: std::sync::Mutex<Option<Written>>,
    /// The reference evaluators' views, made when a field first needs them.
    references: std::sync::OnceLock<Vec<ReferenceCx>>,
}

/// The coalition's notes on a commitment, arranged as templates see them.
#[derive(Debug, Default)]
struct Written {
    /// Each milestone's evidence, comments and next steps.
    milestones: Vec<(Vec<EvidenceCx>, Vec<NoteCx>, Vec<NoteCx>)>,
    comments: Vec<NoteCx>,
    evidence: Vec<EvidenceCx>,
    next_steps: Vec<NoteCx>,
}

impl CommitmentParts {
    /// Takes apart one commitment's results (the `index`th of `commitments`).
    fn new(
        commitments: std::sync::Arc<Commitments>,
        index: usize,
        mut c: CommitmentOut,
        result: crate::assess::CommitmentResult,
    ) -> CommitmentParts {
        let criteria = std::mem::take(&mut c.criteria);
        let milestones = std::mem::take(&mut c.milestones)
            .into_iter()
            .map(|m| MilestoneOut {
                title: plain_line(&m.title),
                completion: m.completion.as_deref().map(plain_line),
                ..m
            })
            .collect();
        let missing = std::mem::take(&mut c.missing_evaluators);
        let reference = std::mem::take(&mut c.reference);
        let out = CommitmentOut {
            id: plain_line(&c.id),
            ogp_id: c.ogp_id.as_deref().map(plain_line),
            title: plain_line(&c.title),
            lead: c.lead.as_deref().map(plain_line),
            supporting: c.supporting.iter().map(|s| plain_line(s)).collect(),
            themes: c.themes.iter().map(|s| plain_line(s)).collect(),
            description: c
                .description
                .as_deref()
                .map(markdown)
                .filter(|d| !d.is_empty()),
            rating: c.rating.as_deref().map(plain_line),
            // Taken out above: replaced by richer fields, or raw text kept out of templates.
            criteria: IndexMap::new(),
            milestones: Vec::new(),
            missing_evaluators: Vec::new(),
            reference: IndexMap::new(),
            notes: None,
            ..c
        };
        CommitmentParts {
            commitments,
            index,
            out,
            result,
            criteria,
            milestones,
            detailed_milestones: std::sync::OnceLock::new(),
            missing,
            reference,
            written: std::sync::Mutex::default(),
            references: std::sync::OnceLock::new(),
        }
    }

    /// Its position in the plan.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Lets go of what its fields were built from when first read (the coalition's notes
    /// arranged, the milestones' and the reference evaluators' views), to keep it for a later
    /// walk over `commitments` in little memory: a field read again is built again, the same.
    pub fn forget_fields(&mut self) {
        *self
            .written
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.detailed_milestones = std::sync::OnceLock::new();
        self.references = std::sync::OnceLock::new();
    }

    /// What the evaluators wrote about the commitment, read from the inputs (the results'
    /// `notes`, without copying them into the results).
    fn notes(&self) -> impl Iterator<Item = NoteRef<'_>> {
        let all = &self.commitments;
        all.notes.of(&all.inputs, self.index)
    }

    fn labels(&self) -> &Labels {
        &self.commitments.labels
    }

    /// Each evaluator's level on the criterion `id` of the commitment (`milestone` none) or
    /// of its `milestone`th milestone, built from the assessment: the results are built
    /// without them, which took most of the time of building them (a map with two strings
    /// per evaluator, for every criterion of the commitment and of each milestone), for each
    /// loop over `commitments`, where the appendix's tables read few.
    fn by_evaluator(
        &self,
        milestone: Option<usize>,
        id: &str,
    ) -> Option<IndexMap<String, Option<String>>> {
        let (k, combined) = self.combined(milestone, id)?;
        Some(crate::results::by_evaluator(
            &self.commitments.inputs,
            k,
            combined,
        ))
    }

    /// The assessment of the criterion `id` (with its position in the rubric) on the
    /// commitment (`milestone` none) or on its `milestone`th milestone.
    fn combined(
        &self,
        milestone: Option<usize>,
        id: &str,
    ) -> Option<(usize, &crate::assess::Combined)> {
        let k = self.rubric_criteria().iter().position(|c| c.id == id)?;
        let view = &self.result.view;
        let combined = match milestone {
            None => view.criteria.get(k)?,
            Some(mi) => view.milestones.get(mi)?.get(k)?.as_ref()?,
        };
        Some((k, combined))
    }

    fn rubric_criteria(&self) -> &[crate::model::Criterion] {
        &self.commitments.inputs.rubric.criteria
    }

    /// The coalition evaluators' levels on a criterion, read from the assessment: what
    /// [`Labels::levels_of`] gives of [`Self::by_evaluator`]'s map, without making the map.
    fn levels(&self, milestone: Option<usize>, id: &str) -> Vec<LevelBy> {
        let mut levels = Vec::new();
        self.levels_with(milestone, id, |evaluator, who, level| {
            levels.push(LevelBy {
                evaluator: evaluator.to_string(),
                who: who.to_string(),
                level: level.map(str::to_string),
            });
        });
        levels
    }

    /// Each of [`Self::levels`], in order, given to `each` (`evaluator`, `who`, `level`)
    /// without copying its text: the appendix's list writes tens of thousands.
    pub(super) fn levels_with(
        &self,
        milestone: Option<usize>,
        id: &str,
        mut each: impl FnMut(&str, &str, Option<&str>),
    ) {
        let Some((k, combined)) = self.combined(milestone, id) else {
            return;
        };
        let scores = &self.commitments.inputs.scores;
        let crit = &self.rubric_criteria()[k];
        let answers = || {
            combined.by_evaluator.iter().map(|(e, l)| {
                (
                    scores.evaluator_name(*e),
                    l.map(|l| crit.label(usize::from(l))),
                )
            })
        };
        // An evaluator named twice is one entry of the map (in the first place, with the
        // last level): the map is made then.
        let twice = answers()
            .enumerate()
            .any(|(i, (e, _))| answers().take(i).any(|(x, _)| x == e));
        if twice {
            for l in self
                .labels()
                .levels_of(self.by_evaluator(milestone, id).as_ref())
            {
                each(&l.evaluator, &l.who, l.level.as_deref());
            }
            return;
        }
        // What `Labels::levels` makes of `answers()`, from words made once for the draft.
        let words = self.level_words();
        let answers_of = words.answers.get(k);
        for &(e, l) in &combined.by_evaluator {
            let unknown;
            let (evaluator, who) = match words.evaluators.get(e as usize) {
                Some(Some((evaluator, who))) => (evaluator.as_str(), who.as_str()),
                Some(None) => continue,
                // Not an evaluator of the score files: as `Labels::levels` does.
                None => {
                    let name = scores.evaluator_name(e);
                    let labels = self.labels();
                    if labels.is_reference(name) || labels.consensus.iter().any(|c| c == name) {
                        continue;
                    }
                    unknown = labels.who(name);
                    (name, unknown.as_str())
                }
            };
            let made;
            let level = match l.map(usize::from) {
                Some(l) => match answers_of.and_then(|a| a.get(l)) {
                    Some(answer) => Some(answer.as_str()),
                    None => {
                        made = plain_line(crit.label(l));
                        Some(made.as_str())
                    }
                },
                None => None,
            };
            each(evaluator, who, level);
        }
    }

    /// The words of [`LevelBy`], made at the first call.
    fn level_words(&self) -> &LevelWords {
        let all = &self.commitments;
        all.level_words.get_or_init(|| {
            let labels = &all.labels;
            let scores = &all.inputs.scores;
            let evaluators = (0..scores.evaluators.len())
                .map(|i| {
                    let name = scores.evaluator_name(u32::try_from(i).unwrap_or(u32::MAX));
                    let coalition =
                        !labels.is_reference(name) && !labels.consensus.iter().any(|c| c == name);
                    coalition.then(|| (name.to_string(), labels.who(name)))
                })
                .collect();
            let answers = all
                .inputs
                .rubric
                .criteria
                .iter()
                .map(|c| {
                    (0..c.levels.len() + c.statuses.len())
                        .map(|l| plain_line(c.label(l)))
                        .collect()
                })
                .collect();
            LevelWords {
                evaluators,
                answers,
            }
        })
    }

    /// The milestones with each evaluator's level on their criteria.
    fn detailed_milestones(&self) -> &[MilestoneOut] {
        self.detailed_milestones.get_or_init(|| {
            self.milestones
                .iter()
                .enumerate()
                .map(|(mi, m)| {
                    let mut m = m.clone();
                    for (id, out) in &mut m.criteria {
                        out.by_evaluator = self.by_evaluator(Some(mi), id);
                    }
                    m
                })
                .collect()
        })
    }

    pub(super) fn rubric(&self) -> &RubricCx {
        &self.commitments.rubric
    }

    /// The reference evaluators' ids, in the order of the context's `references`.
    pub(super) fn reference_ids(&self) -> &[String] {
        &self.commitments.reference_ids
    }

    /// The result of the criterion `id` on the commitment, without each evaluator's level, as
    /// the results' `criteria[id]` has it (none: no such criterion): the completion criterion
    /// as the results were built with it, any other built from the assessment now (most
    /// templates read the completion criterion only).
    fn criterion_out(&self, id: &str) -> Option<std::borrow::Cow<'_, CriterionOut>> {
        if let Some(out) = self.criteria.get(id) {
            return Some(std::borrow::Cow::Borrowed(out));
        }
        let k = self.rubric_criteria().iter().position(|c| c.id == id)?;
        Some(std::borrow::Cow::Owned(self.criterion_at(k)))
    }

    /// The result of the `k`th criterion of the rubric on the commitment, as
    /// [`Self::criterion_out`] gives it.
    fn criterion_at(&self, k: usize) -> CriterionOut {
        let id = &self.rubric_criteria()[k].id;
        match self.criteria.get(id) {
            Some(out) => out.clone(),
            None => crate::results::criterion_of(
                &self.commitments.inputs,
                k,
                &self.result.view.criteria[k],
            ),
        }
    }

    /// Its level on the criterion `id` as `criteria[id].level` gives it (made safe), or none
    /// (no such criterion, or no level).
    pub(super) fn level(&self, id: &str) -> Option<String> {
        self.criterion_out(id)?.level.as_deref().map(plain_line)
    }

    /// Each reference evaluator's id with the `criterion` and `level` its view in `references`
    /// has, without building the rest of the view (their notes and evidence).
    pub(super) fn compared(
        &self,
    ) -> impl Iterator<Item = (&str, (Option<String>, Option<String>))> + '_ {
        self.reference
            .iter()
            .map(|(e, r)| (e.as_str(), compared(self.rubric(), r)))
    }

    /// The whole context of the commitment, every field built.
    pub fn whole(&self) -> CommitmentCx {
        CommitmentCx {
            out: self.out.clone(),
            value_names: self.value_names(),
            stars: self.stars(),
            missing_evaluators: self.missing_evaluators(),
            criteria: self.criteria(),
            completion: self.completion(),
            results: self.results(),
            milestones: self
                .milestones()
                .into_iter()
                .map(|m| MilestoneCx {
                    out: m.out.clone(),
                    criterion: m.criterion,
                    disagreement: m.disagreement,
                    unsupported: m.unsupported,
                    evidence: m.evidence,
                    comments: m.comments,
                    next_steps: m.next_steps,
                })
                .collect(),
            comments: self.comments(),
            evidence: self.evidence(),
            next_steps: self.next_steps(),
            disagreements: self.disagreements(),
            references: self.references().to_vec(),
            results_references: self.results_references(),
            differs: self.differs(),
            flag_names: self.flag_names(),
            timeline: self.timeline(),
        }
    }

    /// One of [`CommitmentCx::OWN_FIELDS`] as a template value, as converting the whole would
    /// give it.
    pub fn own_field(&self, name: &str) -> Option<minijinja::Value> {
        use minijinja::value::{Serde, Value};
        Some(match name {
            "value_names" => Value::from(Serde(&self.value_names())),
            "stars" => Value::from(Serde(&self.stars())),
            "missing_evaluators" => Value::from(Serde(&self.missing_evaluators())),
            "criteria" => self.criteria_value(),
            "completion" => self.criterion_value_of(self.rubric().completion.as_deref()),
            "results" => self.criterion_value_of(self.rubric().results.as_deref()),
            "milestones" => Value::from(Serde(&self.milestones())),
            "comments" => Value::from(Serde(&self.comments())),
            "evidence" => Value::from(Serde(&self.evidence())),
            "next_steps" => Value::from(Serde(&self.next_steps())),
            "disagreements" => Value::from(Serde(&self.disagreements())),
            "references" => Value::from(Serde(self.references())),
            "results_references" => Value::from(Serde(&self.results_references())),
            "differs" => Value::from(self.differs()),
            "flag_names" => Value::from(Serde(&self.flag_names())),
            "timeline" => Value::from(Serde(&self.timeline())),
            _ => return None,
        })
    }

    fn value_names(&self) -> Vec<String> {
        self.out
            .values
            .iter()
            .map(|v| {
                OgpValue::ALL
                    .iter()
                    .find(|(id, _)| id == v)
                    .map_or_else(|| v.clone(), |(_, x)| x.name().to_string())
            })
            .collect()
    }

    pub(super) fn stars(&self) -> Vec<String> {
        let flags = &self.rubric().info.flags;
        self.out
            .flags
            .iter()
            .filter(|f| flags.iter().any(|x| x.id == **f && x.star))
            .cloned()
            .collect()
    }

    pub(super) fn missing_evaluators(&self) -> Vec<String> {
        self.missing.iter().map(|e| self.labels().who(e)).collect()
    }

    fn criteria(&self) -> IndexMap<String, CriterionCx> {
        self.rubric_criteria()
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let id = &c.id;
                let levels = self.levels(None, id);
                let out = self.criterion_at(k);
                (id.clone(), criterion_cx(self.labels(), id, &out, levels))
            })
            .collect()
    }

    /// The criterion of this id, or none.
    fn criterion(&self, id: Option<&String>) -> Option<CriterionCx> {
        let id = id?;
        let out = self.criterion_out(id)?;
        Some(criterion_cx(self.labels(), id, &out, self.levels(None, id)))
    }

    /// `criteria` as a template value: what converting [`Self::criteria`] gives, each
    /// criterion made by [`Self::criterion_value`].
    fn criteria_value(&self) -> minijinja::Value {
        let criteria = self.rubric_criteria();
        let mut map: IndexMap<minijinja::Value, minijinja::Value> =
            IndexMap::with_capacity(criteria.len());
        for (k, c) in criteria.iter().enumerate() {
            map.insert(
                minijinja::Value::from(c.id.as_str()),
                self.criterion_value(k),
            );
        }
        minijinja::Value::from_object(map)
    }

    /// The criterion `id` (none: the rubric has none, or no such criterion) as a template
    /// value: what converting [`Self::criterion`] gives.
    fn criterion_value_of(&self, id: Option<&str>) -> minijinja::Value {
        id.and_then(|id| self.rubric_criteria().iter().position(|c| c.id == id))
            .map_or_else(|| minijinja::Value::from(()), |k| self.criterion_value(k))
    }

    /// The `k`th criterion of the rubric on the commitment as a template value: the map that
    /// converting its [`CriterionCx`] gives (the same keys in the same order, the same
    /// values), made straight from the assessment, each level and evaluator's words borrowed
    /// from those made once for the draft ([`LevelWords`]). Building the [`CriterionCx`] (two
    /// dozen strings, each evaluator's level among them) to convert it, then dropping it, took
    /// a quarter of the instructions of a `--split` file's fields.
    fn criterion_value(&self, k: usize) -> minijinja::Value {
        use minijinja::value::{Serde, Value};
        /// One of [`CriterionCx::by_evaluator`], borrowed: converted as a [`LevelBy`] is.
        #[derive(Serialize)]
        struct LevelRef<'a> {
            evaluator: &'a str,
            who: &'a str,
            level: Option<&'a str>,
        }
        let crit = &self.rubric_criteria()[k];
        let c = &self.result.view.criteria[k];
        let id = crit.id.as_str();
        let answers = self.level_words().answers.get(k);
        // `plain_line` of the label of answer `l`, as `criterion_cx` makes it.
        let text = |l: Option<usize>| -> Value {
            match l {
                None => Value::from(()),
                Some(l) => match answers.and_then(|a| a.get(l)) {
                    Some(answer) => Value::from(answer.as_str()),
                    None => Value::from(plain_line(crit.label(l)).as_str()),
                },
            }
        };
        let labels = self.labels();
        let names = labels.criterion(id);
        // A list of values, as serde writes a `Vec<LevelBy>`.
        let mut levels = Vec::new();
        self.levels_with(None, id, |evaluator, who, level| {
            levels.push(Value::from(Serde(&LevelRef {
                evaluator,
                who,
                level,
            })));
        });
        // As serde writes a `CriterionCx` (its `out` flattened, then its own fields) into
        // MiniJinja's map: a key given twice (`consensus`, when the results have it) keeps its
        // first place.
        let mut map: IndexMap<Value, Value> = IndexMap::with_capacity(16);
        let mut put = |key: &str, value: Value| {
            map.insert(Value::from(key), value);
        };
        put("level", text(c.answer()));
        put(
            "value",
            c.value.map_or_else(
                || Value::from(()),
                |v| Value::from(crate::results::round4(v)),
            ),
        );
        if c.consensus {
            put("consensus", Value::from(true));
        }
        put("ratings", Value::from(c.ratings as u64));
        put("no_rating", Value::from(c.no_rating as u64));
        put("min", text(c.min));
        put("max", text(c.max));
        put(
            "spread",
            c.spread
                .map_or_else(|| Value::from(()), |s| Value::from(s as u64)),
        );
        put("disagreement", Value::from(c.disagreement));
        put("unsupported", Value::from(c.unsupported));
        put("id", Value::from(id));
        put(
            "name",
            match names {
                Some(n) => Value::from(n.name.as_str()),
                None => Value::from(plain_line(id).as_str()),
            },
        );
        put(
            "question",
            Value::from(names.map_or("", |n| n.question.as_str())),
        );
        put(
            "scope",
            Value::from(names.map_or("commitment", |n| n.scope.as_str())),
        );
        put("by_evaluator", Value::from_object(levels));
        put("consensus", Value::from(c.consensus));
        Value::from_object(map)
    }

    fn completion(&self) -> Option<CriterionCx> {
        self.criterion(self.rubric().completion.as_ref())
    }

    fn results(&self) -> Option<CriterionCx> {
        self.criterion(self.rubric().results.as_ref())
    }

    /// The coalition's notes arranged (made at the first call), given to `take` to take its
    /// part.
    fn written<T>(&self, take: impl FnOnce(&mut Written) -> T) -> T {
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        take(written.get_or_insert_with(|| self.arrange_notes()))
    }

    fn arrange_notes(&self) -> Written {
        let labels = self.labels();
        let info = &self.rubric().info;
        let mut milestones: Vec<(Evidence, Vec<NoteCx>, Vec<NoteCx>)> = Vec::new();
        milestones.resize_with(self.milestones.len(), Default::default);
        let mut comments = Vec::new();
        let mut evidence = Evidence::default();
        let mut next_steps = Vec::new();
        // Notes find their milestone through a map: linear in notes, whatever the milestones.
        let slots: HashMap<&str, usize> = self
            .milestones
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        for n in self.notes() {
            let (who, reference) = labels.who_borrowed(n.evaluator);
            if reference {
                continue;
            }
            let slot = n.milestone.and_then(|id| slots.get(id)).copied();
            match slot {
                Some(i) => {
                    let (m_evidence, m_comments, m_next_steps) = &mut milestones[i];
                    m_evidence.add(n.evidence, &who);
                    if !n.comment.trim().is_empty() {
                        m_comments.push(labels.note_by(info, &n, n.comment, &who));
                    }
                    if !n.next_steps.trim().is_empty() {
                        m_next_steps.push(labels.note_by(info, &n, n.next_steps, &who));
                    }
                }
                None => {
                    evidence.add(n.evidence, &who);
                    if !n.comment.trim().is_empty() {
                        comments.push(labels.note_by(info, &n, n.comment, &who));
                    }
                }
            }
            if !n.next_steps.trim().is_empty() {
                next_steps.push(labels.note_by(info, &n, n.next_steps, &who));
            }
        }
        Written {
            milestones: milestones
                .into_iter()
                .map(|(m_evidence, m_comments, m_next_steps)| {
                    (
                        m_evidence.list,
                        labels.merge_same(m_comments),
                        labels.merge_same(m_next_steps),
                    )
                })
                .collect(),
            comments: labels.merge_same(comments),
            evidence: evidence.list,
            next_steps: labels.merge_same(next_steps),
        }
    }

    fn milestones(&self) -> Vec<MilestoneCx<&MilestoneOut>> {
        let mut written = self.written(|w| std::mem::take(&mut w.milestones));
        written.resize_with(self.milestones.len(), Default::default);
        let completion = self.rubric().completion.as_deref();
        self.detailed_milestones()
            .iter()
            .zip(written)
            .map(|(m, (evidence, comments, next_steps))| MilestoneCx {
                disagreement: m.criteria.values().any(|x| x.disagreement),
                unsupported: m.criteria.values().any(|x| x.unsupported),
                criterion: completion.and_then(|k| m.criteria.get(k)).map(|out| {
                    let levels = self.labels().levels_of(out.by_evaluator.as_ref());
                    criterion_cx(self.labels(), completion.unwrap_or(""), out, levels)
                }),
                out: m,
                evidence,
                comments,
                next_steps,
            })
            .collect()
    }

    fn comments(&self) -> Vec<NoteCx> {
        self.written(|w| std::mem::take(&mut w.comments))
    }

    fn evidence(&self) -> Vec<EvidenceCx> {
        self.written(|w| std::mem::take(&mut w.evidence))
    }

    fn next_steps(&self) -> Vec<NoteCx> {
        self.written(|w| std::mem::take(&mut w.next_steps))
    }

    fn disagreements(&self) -> Vec<DisagreementCx> {
        let labels = self.labels();
        let mut disagreements = Vec::new();
        self.each_disagreement(|id, milestone, out| {
            disagreements.push(DisagreementCx {
                criterion: id.to_string(),
                name: labels.criterion_name(id),
                milestone: milestone.map(|mi| self.milestones[mi].id.clone()),
                min: out.min.clone(),
                max: out.max.clone(),
                spread: out.spread,
                by_evaluator: self.levels(milestone, id),
            });
        });
        disagreements
    }

    /// Each disagreement `disagreements` lists, in its order, given to `each` without being
    /// built: the criterion's id, the milestone (by position; none for the commitment) and
    /// the criterion's result there.
    pub(super) fn each_disagreement(
        &self,
        mut each: impl FnMut(&str, Option<usize>, &CriterionOut),
    ) {
        let labels = self.labels();
        for (k, c) in self.rubric_criteria().iter().enumerate() {
            let id = c.id.as_str();
            // A criterion rated per milestone disagrees on its milestones, listed below: its
            // roll-up to the commitment would say the same thing twice.
            let names = labels.criterion(id);
            let scope = names.map_or("commitment", |n| n.scope.as_str());
            let per_milestone = scope == "milestone" && !self.milestones.is_empty();
            // Built only when it disagrees (what its result's `disagreement` says).
            if self.result.view.criteria[k].disagreement && !per_milestone {
                each(id, None, &self.criterion_at(k));
            }
        }
        for (mi, m) in self.milestones.iter().enumerate() {
            for (id, out) in &m.criteria {
                if out.disagreement {
                    each(id, Some(mi), out);
                }
            }
        }
    }

    /// The id of its `mi`th milestone (as `disagreements` gives it).
    pub(super) fn milestone_id(&self, mi: usize) -> &str {
        &self.milestones[mi].id
    }

    /// A criterion's name as `disagreements` gives it (made safe).
    pub(super) fn criterion_name(&self, id: &str) -> String {
        self.labels().criterion_name(id)
    }

    fn references(&self) -> &[ReferenceCx] {
        self.references.get_or_init(|| {
            let labels = self.labels();
            let info = &self.rubric().info;
            self.reference
                .iter()
                .map(|(e, r)| {
                    let mut ref_comments = Vec::new();
                    let mut ref_evidence = Evidence::default();
                    let who = labels.who(e);
                    for n in self.notes().filter(|n| n.evaluator == e) {
                        ref_evidence.add(n.evidence, &who);
                        // `import ogp` notes where each rating came from; that is not the IRM
                        // speaking.
                        if !n.comment.trim().is_empty() && !n.comment.starts_with(IMPORT_PROVENANCE)
                        {
                            ref_comments.push(labels.note(info, &n, n.comment));
                        }
                    }
                    let (criterion, level) = compared(self.rubric(), r);
                    let unmatched: IndexMap<String, String> = r
                        .other
                        .iter()
                        .map(|(name, l)| (irm_criterion_name(name), plain_line(l)))
                        .collect();
                    ReferenceCx {
                        out: ReferenceOut {
                            rating: r.rating.as_deref().map(plain_line),
                            levels: r
                                .levels
                                .iter()
                                .map(|(k, v)| (k.clone(), v.as_deref().map(plain_line)))
                                .collect(),
                            ..r.clone()
                        },
                        evaluator: e.clone(),
                        who,
                        criterion,
                        level,
                        unmatched,
                        comments: ref_comments,
                        evidence: ref_evidence.list,
                    }
                })
                .collect()
        })
    }

    fn results_references(&self) -> Vec<ComparisonCx> {
        let Some(k) = &self.rubric().results else {
            return Vec::new();
        };
        let Some(ours) = self.criterion_out(k) else {
            return Vec::new();
        };
        let ours = ours.level.as_deref().map(plain_line);
        self.references()
            .iter()
            .filter_map(|r| {
                let level = r.out.levels.get(k).cloned().flatten()?;
                Some(ComparisonCx {
                    evaluator: r.evaluator.clone(),
                    who: r.who.clone(),
                    differs: Some(&level) != ours.as_ref(),
                    level: Some(level),
                })
            })
            .collect()
    }

    fn differs(&self) -> bool {
        self.reference.values().any(|r| r.differs)
    }

    pub(super) fn flag_names(&self) -> Vec<String> {
        let info = &self.rubric().info;
        self.out
            .flags
            .iter()
            .map(|f| {
                plain_line(
                    info.flags
                        .iter()
                        .find(|x| x.id == *f)
                        .map_or(f.as_str(), |x| x.name.as_str()),
                )
            })
            .collect()
    }

    fn timeline(&self) -> Vec<EventCx> {
        self.commitments
            .timelines
            .get(self.index)
            .cloned()
            .unwrap_or_default()
    }
}

/// Krippendorff's alpha of each key criterion over the coalition's evaluators, computed as
/// `checkmyogp agreement` computes it (same evaluators, metric and undefined cases).
pub fn agreement_of(inputs: &Inputs) -> Vec<AgreementCx> {
    let rubric = &inputs.rubric;
    let options = agreement::report::Options {
        criteria: rubric.key_criteria.clone(),
        alpha_only: true,
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

/// Builds the context of a whole document from the inputs, assessed as of `as_of`: the
/// context keeps them, and assesses each commitment when a template reaches it
/// ([`Commitments`]).
pub fn build(inputs: Inputs, as_of: Date, wording: &Wording, appendix: bool) -> Context {
    let agreement = agreement_of(&inputs);
    build_with(inputs, as_of, wording, appendix, agreement)
}

/// Like [`build`], with the agreement figures computed beforehand by [`agreement_of`] (`draft`
/// computes them on a thread of their own, see src/commands/draft.rs). The summary and the
/// differences from the reference ratings, which the overview needs before the commitments,
/// are counted here in one pass over the commitments, each assessed, counted and freed.
pub fn build_with(
    inputs: Inputs,
    as_of: Date,
    wording: &Wording,
    appendix: bool,
    agreement: Vec<AgreementCx>,
) -> Context {
    let head = crate::results::head(&inputs, as_of);
    let evaluators: Vec<EvaluatorCx> = head
        .evaluators
        .iter()
        .map(|e| EvaluatorCx {
            info: EvaluatorInfo {
                name: e.name.as_deref().map(plain_line),
                organisation: e.organisation.as_deref().map(plain_line),
                ..e.clone()
            },
            label: label_of(e, wording),
        })
        .collect();
    let rubric_model = &inputs.rubric;
    let has = |id: &str| head.rubric.criteria.iter().any(|c| c.id == id);
    let rubric = RubricCx {
        info: head.rubric.clone(),
        key_criteria: head
            .rubric
            .criteria
            .iter()
            .filter(|c| c.key)
            .map(|c| c.id.clone())
            .collect(),
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
        evaluators: evaluators
            .iter()
            .map(|e| (e.info.id.clone(), (e.label.clone(), e.info.reference)))
            .collect(),
        consensus: evaluators
            .iter()
            .filter(|e| e.info.role == "consensus")
            .map(|e| e.info.id.clone())
            .collect(),
        and: wording.and.clone(),
        criteria: head
            .rubric
            .criteria
            .iter()
            .map(|c| CriterionNames {
                id: c.id.clone(),
                name: plain_line(&c.name),
                question: plain_line(&c.question),
                scope: c.scope.clone(),
            })
            .collect(),
    };
    let engine = crate::assess::Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    // The differences, by commitment: the combined results say them (each evaluator's
    // levels and notes are not needed for them, nor for the summary, nor any criterion but
    // the completion criterion).
    let (differences, summary) =
        crate::results::assess_completion_map_and_summarise(&inputs, &engine, |c| {
            differences_of(&c, &labels, &rubric)
        });
    let differences: Vec<DifferenceCx> = differences.into_iter().flatten().collect();
    let prepared = engine.into_prepared();
    let index = crate::results::Index::new(&inputs, crate::results::Detail::Levels);
    let notes = crate::results::NoteGroups::new(&inputs);
    // Each commitment, milestone and note (a note of a commitment outside the plan is in no
    // commitment's results).
    let count = inputs.plan.commitments.len();
    let units = count
        + inputs
            .plan
            .commitments
            .iter()
            .map(|c| c.milestones.len())
            .sum::<usize>()
        + inputs
            .scores
            .notes
            .iter()
            .filter(|n| (n.unit.commitment as usize) < count)
            .count();
    let timelines = inputs
        .plan
        .commitments
        .iter()
        .map(|m| timeline_of(m, m.start.or(inputs.plan.start)))
        .collect();
    let h = &inputs.plan.comment;
    let comment = CommentCx {
        organisation: h
            .organisation
            .as_deref()
            .or(inputs.plan.organisation.as_deref())
            .map(plain_line),
        authors: h.authors.iter().map(|a| plain_line(a)).collect(),
        contact: h.contact.as_deref().map(plain_line),
        report: h.report.as_deref().map(plain_line),
        monitoring: h.monitoring.as_deref().map(markdown),
        funders: h.funders.as_deref().map(markdown),
        overview: h.overview.as_deref().map(markdown),
    };
    let mut plan = head.plan;
    plan.country = plain_line(&plan.country);
    plan.title = plain_line(&plan.title);
    plan.organisation = plan.organisation.as_deref().map(plain_line);
    let reference_ids = evaluators
        .iter()
        .filter(|e| e.info.reference)
        .map(|e| e.info.id.clone())
        .collect();
    Context {
        generator: head.generator,
        part: Part::All,
        language: wording.code.clone(),
        appendix,
        comment,
        plan,
        agreement,
        rubric: rubric.clone(),
        as_of: head.as_of,
        coalition: evaluators
            .iter()
            .filter(|e| !e.info.reference && e.info.role != "consensus")
            .cloned()
            .collect(),
        references: evaluators
            .iter()
            .filter(|e| e.info.reference)
            .cloned()
            .collect(),
        evaluators,
        summary,
        differences,
        commitments: std::sync::Arc::new(Commitments {
            inputs,
            as_of,
            prepared,
            index,
            notes,
            scratch: std::sync::Mutex::default(),
            labels,
            rubric,
            reference_ids,
            timelines,
            units,
            level_words: std::sync::OnceLock::new(),
        }),
        disclaimer: wording
            .text("disclaimer", None)
            .unwrap_or_default()
            .to_string(),
    }
}

/// The differences of one commitment's rating from the reference evaluators' (the overview's
/// list). A commitment nobody in the coalition rated is not one the coalition rates
/// differently (the built-in template names those apart).
fn differences_of(c: &CommitmentOut, labels: &Labels, rubric: &RubricCx) -> Vec<DifferenceCx> {
    if c.evaluators == 0 {
        return Vec::new();
    }
    c.reference
        .iter()
        .filter(|(_, r)| r.differs)
        .map(|(e, r)| {
            let (criterion, reference_level) = compared(rubric, r);
            let rating = c.rating.as_deref().map(plain_line);
            DifferenceCx {
                id: plain_line(&c.id),
                title: plain_line(&c.title),
                evaluator: e.clone(),
                who: labels.who(e),
                reference_rating: r.rating.as_deref().map(plain_line),
                level: match (&criterion, &rubric.completion) {
                    (Some(_), Some(k)) => c
                        .criteria
                        .get(k)
                        .and_then(|x| x.level.as_deref())
                        .map(plain_line),
                    (Some(_), None) => None,
                    (None, _) => rating.clone(),
                },
                rating,
                criterion,
                reference_level,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Text looked at byte by byte (ASCII) finds the white space that `char::is_whitespace`
    /// finds character by character, and other text is still looked at that way.
    #[test]
    fn white_space_is_found_as_char_is_whitespace_finds_it() {
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            for text in [format!("a{c}b"), format!("https://x.org/{c}é")] {
                assert_eq!(
                    super::has_whitespace(&text),
                    text.chars().any(char::is_whitespace),
                    "{c:?}"
                );
            }
        }
        assert!(super::is_link(" https://x.org/a "));
        assert!(!super::is_link("https://x.org/a\u{b}b"));
        assert!(!super::is_link("https://x.org/a\u{a0}b"));
    }
}
