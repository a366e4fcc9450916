//! The assessment engine: from validated inputs to every commitment's result — combined levels,
//! milestone roll-ups, the 0–100 score, the rating, flags with their binding constraint,
//! timeliness, evidence, coverage and disagreement. Pure functions of the model; the rules are
//! written out in docs/methodology.md §2.

mod combine;

pub use combine::{Combined, EvaluatorMilestones, agree, combine, roll_up};

use crate::model::{
    CondTest, ConditionKind, Date, Plan, Rating, RatingRule, Rubric, Scope, Scores,
};

/// Every commitment's result.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub as_of: Date,
    pub commitments: Vec<CommitmentResult>,
    /// Evaluator indices (into `Scores::evaluators`) whose ratings were combined.
    pub combined_evaluators: Vec<u32>,
    /// Evaluator indices kept apart as an outside view.
    pub reference_evaluators: Vec<u32>,
    /// Evaluator indices that record the coalition's agreed ratings (`role = "consensus"`).
    pub consensus_evaluators: Vec<u32>,
}

/// Whether a flag holds, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagResult {
    pub holds: bool,
    /// Each condition: held or failed.
    pub conditions: Vec<bool>,
    /// The first condition that failed (the binding constraint).
    pub binding: Option<usize>,
}

/// The parts of a result that depend only on whose ratings are used: computed once for the
/// combined evaluators and once for each reference evaluator.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// One per rubric criterion, at commitment level (milestone criteria rolled up).
    pub criteria: Vec<Combined>,
    /// One per milestone of the commitment: `Some` for milestone-scope criteria.
    pub milestones: Vec<Vec<Option<Combined>>>,
    pub score: Option<f64>,
    /// A level index (rating by criterion) or a band index (rating by score).
    pub rating: Option<usize>,
    pub flags: Vec<FlagResult>,
}

/// A reference evaluator's view of a commitment they rated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceView {
    pub evaluator: u32,
    pub view: View,
}

/// One milestone's timeliness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneStatus {
    /// The completion level, or a status (an answer index past the levels).
    pub completion: Option<usize>,
    pub overdue: bool,
    /// Past its due date with no completion level nor status: never overdue, listed as *not
    /// rated* instead.
    pub not_rated: bool,
}

/// One commitment's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentResult {
    /// Index into `Plan::commitments`.
    pub index: usize,
    pub view: View,
    pub milestones: Vec<MilestoneStatus>,
    /// Past its end date (or with a milestone past its due date) and not at the top completion
    /// level. Never for a unit with no completion level, or with a status.
    pub overdue: bool,
    /// Past its end date with no completion level nor status: listed as *not rated*.
    pub not_rated: bool,
    pub disagreement: bool,
    /// Criteria whose combined level needs evidence that no evaluator giving it cited.
    pub unsupported: Vec<usize>,
    /// Combined evaluators who rated nothing of this commitment.
    pub missing_evaluators: Vec<u32>,
    pub reference: Vec<ReferenceView>,
}

impl CommitmentResult {
    /// How many milestones are overdue.
    pub fn overdue_milestones(&self) -> usize {
        self.milestones.iter().filter(|m| m.overdue).count()
    }

    /// How many milestones are past due with no completion level.
    pub fn not_rated_milestones(&self) -> usize {
        self.milestones.iter().filter(|m| m.not_rated).count()
    }
}

/// Assesses every commitment of the plan.
pub fn assess(plan: &Plan, rubric: &Rubric, scores: &Scores, as_of: Date) -> Assessment {
    let engine = Engine::new(plan, rubric, scores, as_of);
    // Commitments are independent: large plans are shared between the cores, in order.
    let commitments = crate::par::map_with(
        plan.commitments.len(),
        512,
        Scratch::default,
        |scratch, ci| engine.commitment(ci, scratch),
    );
    engine.into_assessment(commitments)
}

/// Working memory the engine reuses from one commitment to the next (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    ratings: Vec<Rating>,
    counts: Vec<u32>,
    place: Vec<u32>,
    /// Whether the counting sort put `ratings` in order: then `counts[b]` is where the ratings
    /// of unit and criterion `b` (milestone order × criteria + criterion) end in `ratings`.
    bucketed: bool,
}

/// Where each commitment's ratings are in `Scores::ratings`.
#[derive(Debug, Clone)]
enum Groups {
    /// The ratings come in commitment order (as files usually list them): commitment `c`'s are
    /// `ratings[offsets[c]..offsets[c + 1]]`, found in one pass ([`Scores::runs`]), with no
    /// index per rating.
    Runs(Vec<usize>),
    /// In any other order: found through a counting sort of their indices.
    Indexed(crate::model::scores::ByCommitment),
}

impl Groups {
    fn new(scores: &Scores, commitments: usize) -> Self {
        match scores.runs(commitments) {
            Some(runs) => Groups::Runs(runs),
            None => Groups::Indexed(scores.by_commitment(commitments)),
        }
    }

    /// Commitment `ci`'s ratings, in the order of `all`.
    fn of<'a>(&'a self, ci: usize, all: &'a [Rating]) -> Group<'a> {
        match self {
            Groups::Runs(offsets) => Group::Run(match (offsets.get(ci), offsets.get(ci + 1)) {
                (Some(&a), Some(&b)) => &all[a..b],
                _ => &[],
            }),
            Groups::Indexed(grouped) => Group::Indexed(grouped.of(ci), all),
        }
    }
}

/// One commitment's ratings: a run of them, or their indices.
#[derive(Debug, Clone, Copy)]
enum Group<'a> {
    Run(&'a [Rating]),
    Indexed(&'a [u32], &'a [Rating]),
}

#[cfg(test)]
impl<'a> Group<'a> {
    /// The ratings, in the order of the group.
    fn iter(&self) -> std::vec::IntoIter<&'a Rating> {
        let all: Vec<&'a Rating> = match *self {
            Group::Run(r) => r.iter().collect(),
            Group::Indexed(i, all) => i.iter().map(|&n| &all[n as usize]).collect(),
        };
        all.into_iter()
    }
}

/// What assessing any one commitment needs, prepared once for the whole plan: the ratings
/// grouped by commitment and each evaluator's part. [`assess`] runs it on every commitment;
/// commands that need only some commitments, or one chunk at a time (to free each chunk's
/// results once written), run it themselves.
#[derive(Debug)]
pub struct Engine<'a> {
    plan: &'a Plan,
    rubric: &'a Rubric,
    scores: &'a Scores,
    as_of: Date,
    prepared: std::borrow::Cow<'a, Prepared>,
}

/// What an [`Engine`] prepares from the plan and the ratings, kept apart from them
/// ([`Engine::into_prepared`], [`Engine::with`]) by a holder that owns the inputs and assesses
/// a commitment whenever it is asked for one (`draft`'s context).
#[derive(Debug, Clone)]
pub struct Prepared {
    grouped: Groups,
    is_reference: Vec<bool>,
    is_consensus: Vec<bool>,
    combined_evaluators: Vec<u32>,
    reference_evaluators: Vec<u32>,
    consensus_evaluators: Vec<u32>,
}

impl<'a> Engine<'a> {
    pub fn new(plan: &'a Plan, rubric: &'a Rubric, scores: &'a Scores, as_of: Date) -> Self {
        let grouped = Groups::new(scores, plan.commitments.len());
        let is_reference: Vec<bool> = scores
            .evaluators
            .iter()
            .map(|e| plan.is_reference(e))
            .collect();
        // Each evaluator's role found by map, not by a search of the plan per evaluator (a plan
        // may list 100,000 evaluators); the first entry of an id counts, as in `Plan::evaluator`.
        let roles: std::collections::HashMap<&str, crate::model::Role> = plan
            .evaluators
            .iter()
            .rev()
            .map(|ev| (ev.id.as_str(), ev.role))
            .collect();
        let is_consensus: Vec<bool> = scores
            .evaluators
            .iter()
            .zip(&is_reference)
            .map(|(e, &r)| !r && roles.get(e.as_str()) == Some(&crate::model::Role::Consensus))
            .collect();
        let ids = |keep: &dyn Fn(usize) -> bool| -> Vec<u32> {
            (0..scores.evaluators.len())
                .filter(|&e| keep(e))
                .map(|e| u32::try_from(e).unwrap_or(u32::MAX))
                .collect()
        };
        let consensus_evaluators = ids(&|e| is_consensus[e]);
        let combined_evaluators = ids(&|e| !is_reference[e] && !is_consensus[e]);
        let reference_evaluators = ids(&|e| is_reference[e]);
        Engine {
            plan,
            rubric,
            scores,
            as_of,
            prepared: std::borrow::Cow::Owned(Prepared {
                grouped,
                is_reference,
                is_consensus,
                combined_evaluators,
                reference_evaluators,
                consensus_evaluators,
            }),
        }
    }

    /// The engine of `prepared`, which [`Engine::into_prepared`] gave for the same plan,
    /// rubric and ratings: assesses every commitment as the engine it came from did.
    pub fn with(
        plan: &'a Plan,
        rubric: &'a Rubric,
        scores: &'a Scores,
        as_of: Date,
        prepared: &'a Prepared,
    ) -> Self {
        Engine {
            plan,
            rubric,
            scores,
            as_of,
            prepared: std::borrow::Cow::Borrowed(prepared),
        }
    }

    /// What the engine prepared, to keep beside the plan and ratings it was prepared from.
    pub fn into_prepared(self) -> Prepared {
        self.prepared.into_owned()
    }

    /// The date that decides what is overdue.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// How many commitments the plan has.
    pub fn len(&self) -> usize {
        self.plan.commitments.len()
    }

    /// Whether the plan has no commitments.
    pub fn is_empty(&self) -> bool {
        self.plan.commitments.is_empty()
    }

    /// The result of commitment `ci` (an index into `Plan::commitments`).
    pub fn commitment(&self, ci: usize, scratch: &mut Scratch) -> CommitmentResult {
        let (plan, rubric, scores) = (self.plan, self.rubric, self.scores);
        let prepared: &Prepared = &self.prepared;
        let (is_reference, is_consensus) = (&prepared.is_reference, &prepared.is_consensus);
        in_unit_order(
            prepared.grouped.of(ci, scores.ratings()),
            plan.commitments[ci].milestones.len(),
            rubric.criteria.len(),
            scratch,
        );
        let local: &[Rating] = &scratch.ratings;
        let cx = Ctx {
            plan,
            rubric,
            ci,
            ratings: local,
            ends: scratch.bucketed.then_some(scratch.counts.as_slice()),
        };
        let consensus = |e: u32| is_consensus[e as usize];
        let combined = |e: u32| !is_reference[e as usize] && !is_consensus[e as usize];
        // When every evaluator is combined, none is looked up per rating.
        let everyone = prepared.combined_evaluators.len() == is_reference.len();
        let view = cx.view(
            (!everyone).then_some(&combined as &dyn Fn(u32) -> bool),
            // Without consensus evaluators no unit has an agreed level: not looked for.
            (!prepared.consensus_evaluators.is_empty())
                .then_some(&consensus as &dyn Fn(u32) -> bool),
        );
        let mut reference = Vec::new();
        for &e in &prepared.reference_evaluators {
            if local.iter().any(|r| r.evaluator == e) {
                reference.push(ReferenceView {
                    evaluator: e,
                    view: cx.view(Some(&|x| x == e), None),
                });
            }
        }
        let mut rated = vec![false; scores.evaluators.len()];
        for r in local {
            rated[r.evaluator as usize] = true;
        }
        let missing_evaluators = prepared
            .combined_evaluators
            .iter()
            .copied()
            .filter(|&e| !rated[e as usize])
            .collect();
        cx.result(view, self.as_of, missing_evaluators, reference)
    }

    /// The assessment made of these results (every commitment's, in plan order).
    pub fn into_assessment(self, commitments: Vec<CommitmentResult>) -> Assessment {
        let as_of = self.as_of;
        let prepared = self.into_prepared();
        Assessment {
            as_of,
            commitments,
            combined_evaluators: prepared.combined_evaluators,
            reference_evaluators: prepared.reference_evaluators,
            consensus_evaluators: prepared.consensus_evaluators,
        }
    }
}

/// Puts a commitment's ratings (`indices` into `all`) into `out` in (milestone, criterion,
/// evaluator) order. Rows usually come grouped by evaluator, so a stable counting sort by
/// (milestone, criterion) gives that order in one pass; when it does not give a strictly
/// increasing order (rows out of evaluator order, repeated keys, indices outside the plan),
/// the ratings are sorted by comparison from their original order instead, so the result is
/// always exactly that of the comparison sort.
fn in_unit_order(group: Group, milestones: usize, criteria: usize, scratch: &mut Scratch) {
    // Each kind of group read through its own accessor, with no match per rating.
    match group {
        Group::Run(run) => order_into(run.len(), |n| &run[n], milestones, criteria, scratch),
        Group::Indexed(indices, all) => order_into(
            indices.len(),
            |n| &all[indices[n] as usize],
            milestones,
            criteria,
            scratch,
        ),
    }
}

/// [`in_unit_order`] of the `len` ratings that `get` gives.
fn order_into<'r>(
    len: usize,
    get: impl Fn(usize) -> &'r Rating,
    milestones: usize,
    criteria: usize,
    scratch: &mut Scratch,
) {
    let Scratch {
        ratings: out,
        counts,
        place,
        bucketed,
    } = scratch;
    *bucketed = false;
    let key = |r: &Rating| (r.milestone_order(), r.criterion, r.evaluator);
    let buckets = (milestones + 1).saturating_mul(criteria);
    let bucket = |r: &Rating| {
        let m = r.milestone_order() as usize;
        let k = usize::from(r.criterion);
        (m <= milestones && k < criteria).then(|| m * criteria + k)
    };
    out.clear();
    let counted = buckets <= len.saturating_mul(4).max(64) && {
        counts.clear();
        counts.resize(buckets + 1, 0);
        (0..len).all(|n| match bucket(get(n)) {
            Some(b) => {
                counts[b + 1] += 1;
                true
            }
            None => false,
        })
    };
    if counted {
        for b in 0..buckets {
            counts[b + 1] += counts[b];
        }
        // Each rating's place, then the ratings in place order.
        place.clear();
        place.resize(len, 0);
        for n in 0..len {
            if let Some(b) = bucket(get(n)) {
                place[counts[b] as usize] = u32::try_from(n).unwrap_or(u32::MAX);
                counts[b] += 1;
            }
        }
        out.extend(place.iter().map(|&n| *get(n as usize)));
        // The buckets are in (milestone, criterion) order, so the keys increase strictly when
        // the evaluators do within each (milestone, criterion).
        let unit = |r: &Rating| (r.milestone_order(), r.criterion);
        if out
            .windows(2)
            .all(|w| unit(&w[0]) != unit(&w[1]) || w[0].evaluator < w[1].evaluator)
        {
            // Each bucket's start was moved to its end as its ratings were placed.
            *bucketed = true;
            return;
        }
        out.clear();
    }
    out.extend((0..len).map(|n| *get(n)));
    out.sort_unstable_by_key(key);
}

/// The ratings of one criterion for one unit: a run of `ratings`, sorted by (milestone,
/// criterion, evaluator). Read from `ends` (see [`Scratch`]) when the counting sort gave them,
/// out of `criteria` criteria; else found by binary search.
fn unit_ratings<'r>(
    ratings: &'r [Rating],
    ends: Option<&[u32]>,
    criteria: usize,
    milestone: Option<u32>,
    criterion: usize,
) -> &'r [Rating] {
    if let Some(ends) = ends
        && criterion < criteria
    {
        let b = (Rating::order_of(milestone) as usize)
            .saturating_mul(criteria)
            .saturating_add(criterion);
        if let Some(&end) = ends.get(b) {
            let start = b.checked_sub(1).map_or(0, |a| ends[a] as usize);
            return &ratings[start..end as usize];
        }
    }
    let key = (
        Rating::order_of(milestone),
        u16::try_from(criterion).unwrap_or(u16::MAX),
    );
    let start = ratings.partition_point(|r| (r.milestone_order(), r.criterion) < key);
    let len = ratings[start..]
        .iter()
        .take_while(|r| (r.milestone_order(), r.criterion) == key)
        .count();
    &ratings[start..start + len]
}

/// What the computation of one commitment needs.
struct Ctx<'a> {
    plan: &'a Plan,
    rubric: &'a Rubric,
    ci: usize,
    /// The commitment's ratings, sorted by (milestone, criterion, evaluator).
    ratings: &'a [Rating],
    /// Where each (milestone, criterion)'s ratings end in `ratings`, when the counting sort
    /// found them (see [`Scratch`]): a unit's ratings are then found without a search.
    ends: Option<&'a [u32]>,
}

impl Ctx<'_> {
    /// The ratings of one criterion for one unit (a run of the sorted ratings).
    fn group(&self, milestone: Option<u32>, criterion: usize) -> &[Rating] {
        unit_ratings(
            self.ratings,
            self.ends,
            self.rubric.criteria.len(),
            milestone,
            criterion,
        )
    }

    /// The answers to one criterion for one unit, from the evaluators `keep` accepts (`None`:
    /// every evaluator).
    fn answers(
        &self,
        milestone: Option<u32>,
        criterion: usize,
        keep: Option<&dyn Fn(u32) -> bool>,
    ) -> Vec<(u32, Option<u16>)> {
        let group = self.group(milestone, criterion);
        // Sized once: a filtered iterator would grow the vector step by step.
        let mut out = Vec::with_capacity(group.len());
        match keep {
            None => out.extend(group.iter().map(|r| (r.evaluator, r.level()))),
            Some(keep) => out.extend(
                group
                    .iter()
                    .filter(|r| keep(r.evaluator))
                    .map(|r| (r.evaluator, r.level())),
            ),
        }
        out
    }

    /// Whether any evaluator who gave a level at or above `from` cited evidence on that row
    /// (a status is not a level: its evidence backs no level).
    fn evidence_cited(
        &self,
        milestone: Option<u32>,
        criterion: usize,
        keep: &dyn Fn(u32) -> bool,
        from: usize,
    ) -> bool {
        let c = &self.rubric.criteria[criterion];
        self.group(milestone, criterion).iter().any(|r| {
            keep(r.evaluator)
                && r.evidence
                && r.level().is_some_and(|l| {
                    let l = usize::from(l);
                    c.is_level(l) && l >= from
                })
        })
    }

    /// The consensus evaluator's answer (a level or status) for one unit and criterion.
    fn agreed(
        &self,
        milestone: Option<u32>,
        criterion: usize,
        consensus: &dyn Fn(u32) -> bool,
    ) -> Option<usize> {
        self.group(milestone, criterion)
            .iter()
            .filter(|r| consensus(r.evaluator))
            .find_map(|r| r.level().map(usize::from))
    }

    /// The combined view of the evaluators `keep` accepts (`None`: every evaluator); where an
    /// evaluator `consensus` accepts gave an answer, that answer is the unit's level (or
    /// status).
    fn view(
        &self,
        keep: Option<&dyn Fn(u32) -> bool>,
        consensus: Option<&dyn Fn(u32) -> bool>,
    ) -> View {
        let rubric = self.rubric;
        let commitment = &self.plan.commitments[self.ci];
        let threshold = rubric.disagreement_threshold;
        let mut milestones: Vec<Vec<Option<Combined>>> =
            vec![vec![None; rubric.criteria.len()]; commitment.milestones.len()];
        let mut criteria = Vec::with_capacity(rubric.criteria.len());
        for (k, c) in rubric.criteria.iter().enumerate() {
            let checked = |milestone: Option<u32>, mut comb: Combined| {
                if let Some(agreed) = consensus.and_then(|f| self.agreed(milestone, k, f)) {
                    agree(c, &mut comb, agreed);
                }
                let cited_by =
                    |e: u32| keep.is_none_or(|f| f(e)) || consensus.is_some_and(|f| f(e));
                if let (Some(from), Some(level)) = (c.evidence_from, comb.level)
                    && level >= from
                    && !self.evidence_cited(milestone, k, &cited_by, from)
                {
                    comb.unsupported = true;
                }
                comb
            };
            match c.scope {
                Scope::Commitment => {
                    let answers = self.answers(None, k, keep);
                    let comb = combine(c, answers, threshold);
                    criteria.push(checked(None, comb));
                }
                Scope::Milestone => {
                    let mut per_evaluator: Vec<EvaluatorMilestones> = Vec::new();
                    for (mi, m) in commitment.milestones.iter().enumerate() {
                        let mid = u32::try_from(mi).unwrap_or(u32::MAX);
                        let answers = self.answers(Some(mid), k, keep);
                        for &(e, l) in &answers {
                            match per_evaluator.iter_mut().find(|(x, _)| *x == e) {
                                Some((_, v)) => v.push((m.weight, l)),
                                None => per_evaluator.push((e, vec![(m.weight, l)])),
                            }
                        }
                        let comb = combine(c, answers, threshold);
                        milestones[mi][k] = Some(checked(Some(mid), comb));
                    }
                    per_evaluator.sort_by_key(|(e, _)| *e);
                    let rolled: Vec<(f64, &Combined)> = commitment
                        .milestones
                        .iter()
                        .zip(&milestones)
                        .filter_map(|(m, row)| row[k].as_ref().map(|comb| (m.weight, comb)))
                        .collect();
                    criteria.push(roll_up(c, &rolled, &per_evaluator, threshold));
                }
            }
        }
        // A commitment whose rating criterion (with score bands, its completion) is a status has
        // no rating on the scale and no score.
        let score = match rubric.status_criterion() {
            Some(i) if criteria.get(i).is_some_and(|c| c.status.is_some()) => None,
            _ => score(rubric, &criteria),
        };
        let rating = match &rubric.rating {
            RatingRule::Criterion(i) => criteria.get(*i).and_then(|c| c.level),
            RatingRule::Bands(bands) => score.and_then(|s| band_of(bands, s)),
        };
        let flags = flags(rubric, &criteria);
        View {
            criteria,
            milestones,
            score,
            rating,
            flags,
        }
    }

    fn result(
        &self,
        view: View,
        as_of: Date,
        missing_evaluators: Vec<u32>,
        reference: Vec<ReferenceView>,
    ) -> CommitmentResult {
        let commitment = &self.plan.commitments[self.ci];
        let completion = self.rubric.completion;
        let top = completion.map(|c| self.rubric.criteria[c].levels.len().saturating_sub(1));
        let commitment_answer = completion.and_then(|c| view.criteria[c].answer());
        let is_level = |a: usize| completion.is_some_and(|c| self.rubric.criteria[c].is_level(a));
        // (overdue, not rated) of a unit past its date with this completion answer.
        let timeliness = |answer: Option<usize>, past: bool| match answer {
            _ if !past || completion.is_none() => (false, false),
            None => (false, true),
            Some(a) if !is_level(a) => (false, false),
            Some(a) => (Some(a) != top, false),
        };
        let milestones: Vec<MilestoneStatus> = commitment
            .milestones
            .iter()
            .enumerate()
            .map(|(mi, m)| {
                let answer = match completion.and_then(|c| view.milestones[mi][c].as_ref()) {
                    Some(x) => x.answer(),
                    None => commitment_answer,
                };
                let (overdue, not_rated) = timeliness(answer, m.due.is_some_and(|d| d < as_of));
                MilestoneStatus {
                    completion: answer,
                    overdue,
                    not_rated,
                }
            })
            .collect();
        let (own_overdue, not_rated) =
            timeliness(commitment_answer, commitment.end.is_some_and(|d| d < as_of));
        // A commitment with a status, or with no completion level, is never overdue.
        let overdue = commitment_answer.is_some_and(is_level)
            && (own_overdue || milestones.iter().any(|m| m.overdue));
        let disagreement = view.criteria.iter().any(|c| c.disagreement)
            || view
                .milestones
                .iter()
                .flatten()
                .flatten()
                .any(|c| c.disagreement);
        let unsupported = (0..self.rubric.criteria.len())
            .filter(|&k| {
                view.criteria[k].unsupported
                    || view
                        .milestones
                        .iter()
                        .any(|m| m[k].as_ref().is_some_and(|c| c.unsupported))
            })
            .collect();
        CommitmentResult {
            index: self.ci,
            view,
            milestones,
            overdue,
            not_rated,
            disagreement,
            unsupported,
            missing_evaluators,
            reference,
        }
    }
}

/// The weighted mean of the criteria's values on 0–100, weights renormalised over the criteria
/// that have a value. `None` when no weighted criterion has one.
pub fn score(rubric: &Rubric, criteria: &[Combined]) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (c, comb) in rubric.criteria.iter().zip(criteria) {
        if c.weight > 0.0
            && let Some(v) = comb.value
        {
            sum += c.weight * c.normalise(v);
            weights += c.weight;
        }
    }
    // Kept unrounded: it is rounded once, when written (see `band_of` for band edges).
    (weights > 0.0).then(|| sum / weights)
}

/// The band a score falls in. A score within a millionth below a band's `min` counts as
/// reaching it, so that the same score reached by different float paths (weights scaled by a
/// constant, say) falls in the same band: 24.999999999 reads as 25.
pub fn band_of(bands: &[crate::model::Band], score: f64) -> Option<usize> {
    const EDGE: f64 = 1e-6;
    bands
        .iter()
        .rposition(|b| score >= b.min - EDGE && score < b.max)
        .or_else(|| (score >= 100.0 - EDGE).then(|| bands.len().saturating_sub(1)))
        .filter(|_| !bands.is_empty())
}

/// Evaluates every flag (flags may build on flags; the rubric loader rejected cycles).
pub fn flags(rubric: &Rubric, criteria: &[Combined]) -> Vec<FlagResult> {
    let mut memo: Vec<Option<FlagResult>> = vec![None; rubric.flags.len()];
    for i in 0..rubric.flags.len() {
        eval_flag(rubric, criteria, i, &mut memo, 0);
    }
    memo.into_iter()
        .map(|f| {
            f.unwrap_or(FlagResult {
                holds: false,
                conditions: Vec::new(),
                binding: None,
            })
        })
        .collect()
}

fn eval_flag(
    rubric: &Rubric,
    criteria: &[Combined],
    i: usize,
    memo: &mut Vec<Option<FlagResult>>,
    depth: usize,
) -> bool {
    if let Some(r) = &memo[i] {
        return r.holds;
    }
    // Depth guard: cycles are rejected when the rubric loads, so this only stops runaway input.
    if depth > rubric.flags.len() {
        return false;
    }
    let mut conditions = Vec::new();
    for cond in &rubric.flags[i].conditions {
        let held = match &cond.kind {
            ConditionKind::Flag(j) => eval_flag(rubric, criteria, *j, memo, depth + 1),
            ConditionKind::Level {
                criteria: list,
                test,
            } => list.iter().any(|&k| {
                criteria
                    .get(k)
                    .and_then(|c| c.level)
                    .is_some_and(|l| test_holds(test, l))
            }),
        };
        conditions.push(held);
    }
    let binding = conditions.iter().position(|h| !h);
    let holds = binding.is_none();
    memo[i] = Some(FlagResult {
        holds,
        conditions,
        binding,
    });
    holds
}

fn test_holds(test: &CondTest, level: usize) -> bool {
    test.holds(level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scores::Unit;
    use crate::source::FileId;

    fn rating(evaluator: u32, milestone: Option<u32>, criterion: u16, line: u32) -> Rating {
        Rating::new(
            evaluator,
            Unit {
                commitment: 0,
                milestone,
            },
            criterion,
            Some(1),
            false,
            FileId(0),
            line,
        )
    }

    /// The counting sort and its fallback give exactly the comparison sort's order: for rows in
    /// evaluator order, out of it, with a repeated key, and with a milestone outside the plan.
    #[test]
    fn unit_order_is_the_comparison_sorts() {
        let cases: Vec<Vec<Rating>> = vec![
            (0..3)
                .flat_map(|e| (0..2u32).flat_map(move |m| (0..3).map(move |k| (e, m, k))))
                .map(|(e, m, k)| rating(e, m.checked_sub(1), k, e * 10 + k as u32))
                .collect(),
            vec![
                rating(2, None, 1, 1),
                rating(0, None, 1, 2),
                rating(1, Some(0), 0, 3),
                rating(0, None, 0, 4),
            ],
            vec![
                rating(1, None, 0, 1),
                rating(0, None, 0, 2),
                rating(1, None, 0, 3),
            ],
            vec![rating(0, Some(7), 0, 1), rating(0, None, 1, 2)],
        ];
        for all in cases {
            let indices: Vec<u32> = (0..all.len() as u32).collect();
            let mut expected = all.clone();
            expected.sort_unstable_by_key(|r| (r.unit().milestone, r.criterion, r.evaluator));
            for group in [Group::Indexed(&indices, &all), Group::Run(&all)] {
                let mut scratch = Scratch::default();
                in_unit_order(group, 1, 3, &mut scratch);
                assert_eq!(scratch.ratings, expected);
                // Each unit's ratings, read from where the counting sort ended them, are those
                // a search finds: for every unit and criterion, in the plan and outside it.
                let ends = scratch.bucketed.then_some(scratch.counts.as_slice());
                for m in [None, Some(0), Some(1), Some(7)] {
                    for k in 0..5 {
                        assert_eq!(
                            unit_ratings(&scratch.ratings, ends, 3, m, k),
                            unit_ratings(&scratch.ratings, None, 3, m, k),
                        );
                    }
                }
            }
        }
        // The counting sort gave the first case (in evaluator order, all in the plan).
        let mut scratch = Scratch::default();
        let first: Vec<Rating> = (0..2)
            .flat_map(|e| (0..2u32).flat_map(move |m| (0..3).map(move |k| (e, m, k))))
            .map(|(e, m, k)| rating(e, m.checked_sub(1), k, 0))
            .collect();
        in_unit_order(Group::Run(&first), 1, 3, &mut scratch);
        assert!(scratch.bucketed);
        assert_eq!(
            unit_ratings(&scratch.ratings, Some(&scratch.counts), 3, Some(0), 2).len(),
            2
        );
    }

    /// Ratings in commitment order are found as runs, others through their indices: either
    /// way each commitment gets its ratings in file order; a commitment past the plan (which
    /// the loader never gives) falls back to the indices.
    #[test]
    fn each_commitment_gets_its_ratings_in_file_order() {
        let of = |commitments: &[u32]| {
            let mut scores = Scores::default();
            for (line, &c) in commitments.iter().enumerate() {
                let mut r = rating(0, None, 0, line as u32);
                r.set_unit(Unit {
                    commitment: c,
                    milestone: None,
                });
                scores.ratings_mut().push(r);
            }
            let groups = Groups::new(&scores, 3);
            let runs = matches!(groups, Groups::Runs(_));
            let lines: Vec<Vec<u32>> = (0..3)
                .map(|ci| {
                    groups
                        .of(ci, scores.ratings())
                        .iter()
                        .map(|r| r.line)
                        .collect()
                })
                .collect();
            (runs, lines)
        };
        assert_eq!(
            of(&[0, 0, 2, 2, 2]),
            (true, vec![vec![0, 1], vec![], vec![2, 3, 4]])
        );
        assert_eq!(
            of(&[2, 0, 2, 0]),
            (false, vec![vec![1, 3], vec![], vec![0, 2]])
        );
        assert_eq!(of(&[]), (true, vec![vec![], vec![], vec![]]));
        assert!(!of(&[0, 1, 5]).0);
    }
}
