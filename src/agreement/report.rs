//! The `agreement` report: for each criterion of a rubric, Krippendorff's alpha with the metric
//! that fits its scale, percent agreement, Fleiss' kappa, Gwet's AC1, Cohen's kappas for every
//! pair of evaluators, an optional bootstrap interval, where the disagreement is (units ranked
//! by spread, the evaluator × evaluator matrix), and, for every statistic that is undefined,
//! why, in words. Pure: typed, serialisable data built from the model; the command renders it.

use indexmap::IndexMap;
use serde::Serialize;

use super::bootstrap::{Resampled, bootstrap_many, check_options};
use super::{
    AgreementError, AlphaBand, BootstrapOptions, Metric, Ratings, Weighting, criterion_matrix,
    fleiss_kappa_of_raters, gwet_ac1, krippendorff_alpha, metric_for, pair_agreement,
    percent_agreement, rank_units_by_spread, rater_agreement_matrix,
};
use crate::model::{Criterion, Plan, Rubric, ScaleKind, Scope, Scores, Unit};

/// What to compute.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Use this metric for every criterion instead of the one that fits its scale.
    pub metric: Option<Metric>,
    /// Include the reference evaluators (`[assessment] reference`).
    pub with_reference: bool,
    /// The criteria to report (indices into the rubric); empty means all.
    pub criteria: Vec<usize>,
    /// Bootstrap a percentile interval for alpha.
    pub bootstrap: Option<BootstrapOptions>,
    /// How many units to list by spread (0: all that show any disagreement).
    pub top: usize,
    /// Alpha, its counts and its reading only: no other measure, no evaluator matrix, no
    /// units ranked by spread (what `draft` shows; at the plan limit, the units ranked by
    /// spread took 150 MB for a draft that does not show them).
    pub alpha_only: bool,
}

/// The whole report (`agreement --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub generator: String,
    pub plan: PlanRef,
    /// The rubric's id.
    pub rubric: String,
    /// The evaluators compared (columns), in the order of the plan and score files.
    pub evaluators: Vec<String>,
    /// Reference evaluators who rated something, and whether they are included.
    pub reference: Vec<String>,
    pub with_reference: bool,
    /// `--metric`, when given.
    pub metric_override: Option<Metric>,
    /// The bootstrap settings, when `--bootstrap` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapSettings>,
    pub criteria: Vec<CriterionReport>,
    /// Remarks about the whole report, in words.
    pub notes: Vec<String>,
}

/// Which plan this is.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRef {
    pub country: String,
    pub title: String,
}

/// `--bootstrap`, `--seed`, `--confidence`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BootstrapSettings {
    pub resamples: usize,
    pub seed: u64,
    pub confidence: f64,
}

/// Why alpha has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Undefined {
    /// Nobody gave a level on this criterion.
    NoRatings,
    /// Only one evaluator gave levels.
    SingleEvaluator,
    /// Fewer than two units were rated by two or more evaluators.
    TooFewUnits,
    /// Every pairable rating is on one level: the expected disagreement is 0.
    NoVariation,
    /// The metric does not apply to the scale (order on a nominal scale, ratio with negative
    /// values, a scale of one level).
    NotApplicable,
}

/// Everything about one criterion.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionReport {
    /// The criterion's id.
    pub criterion: String,
    pub name: String,
    pub scale: ScaleKind,
    pub scope: Scope,
    /// The declared levels, lowest first: the scale every measure uses.
    pub levels: Vec<String>,
    pub metric: Metric,
    /// Krippendorff's alpha; `null` when undefined (see `undefined`).
    pub alpha: Option<f64>,
    /// Why alpha is `null`.
    pub undefined: Option<Undefined>,
    /// `reliable` (≥ 0.800), `tentative` (≥ 0.667) or `unreliable`; `null` with alpha.
    pub interpretation: Option<AlphaBand>,
    /// The result in one sentence.
    pub reading: String,
    /// Units rated by at least two evaluators (the units alpha uses).
    pub units: usize,
    /// Every unit the criterion is rated on (commitments or milestones).
    pub units_total: usize,
    /// Pairable values: the levels given in those units.
    pub pairable: usize,
    /// Evaluators who gave at least one level on this criterion.
    pub raters: usize,
    pub observed_disagreement: Option<f64>,
    pub expected_disagreement: Option<f64>,
    /// Mean share of agreeing evaluator pairs per unit (0–1).
    pub percent_agreement: Option<f64>,
    /// Over the evaluators who rated this criterion, and the units all of them rated.
    pub fleiss_kappa: Option<f64>,
    /// Units rated by every evaluator who rated this criterion.
    pub fleiss_units: usize,
    /// Evaluators left out of Fleiss' kappa because they rated nothing of this criterion.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fleiss_left_out: Vec<String>,
    pub gwet_ac1: Option<f64>,
    /// `[low, high]`, present when bootstrapped; `null` when no interval exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapOut>,
    /// Cohen's kappas and percent agreement for every pair of evaluators.
    pub pairs: Vec<PairOut>,
    pub matrix: MatrixOut,
    pub spread: SpreadOut,
    /// Remarks in words (undefined measures, evaluators without levels, …).
    pub notes: Vec<String>,
}

/// What the bootstrap found, beyond the interval.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapOut {
    pub resamples: usize,
    /// Resamples with a defined alpha (the interval is made of these).
    pub defined: usize,
    /// Resamples skipped because they had no variation.
    pub undefined: usize,
    /// Share of resamples with alpha below 0.800.
    pub share_below_reliable: f64,
    /// Share of resamples with alpha below 0.667.
    pub share_below_tentative: f64,
}

/// Two evaluators, over the units both rated.
#[derive(Debug, Clone, Serialize)]
pub struct PairOut {
    pub a: String,
    pub b: String,
    pub shared_units: usize,
    pub percent: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub linear_kappa: Option<f64>,
    pub quadratic_kappa: Option<f64>,
}

/// Evaluator × evaluator agreement; rows and columns in `evaluators` order.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixOut {
    /// The kappa in `kappa`: unweighted (nominal), linear (ordinal), quadratic (interval, ratio).
    pub weighting: Weighting,
    pub evaluators: Vec<String>,
    /// Percent agreement; `null` on the diagonal and for pairs with no unit in common.
    pub percent: Vec<Vec<Option<f64>>>,
    pub kappa: Vec<Vec<Option<f64>>>,
    /// Units both rated (on the diagonal: units the evaluator rated).
    pub shared_units: Vec<Vec<usize>>,
    /// Each evaluator's mean percent agreement with the others.
    pub mean_percent: Vec<Option<f64>>,
    pub mean_kappa: Vec<Option<f64>>,
    /// Evaluators from the one who departs most from the others (lowest mean agreement).
    pub departure: Vec<String>,
    pub most_departing: Option<String>,
}

/// Where the disagreement is.
#[derive(Debug, Clone, Serialize)]
pub struct SpreadOut {
    /// The rubric's `disagreement_threshold`, in levels.
    pub threshold: u32,
    /// Units where the evaluators gave different levels.
    pub units_with_spread: usize,
    /// Units whose spread reaches the threshold.
    pub units_at_threshold: usize,
    /// The units with the widest spread first (at most `--top`).
    pub units: Vec<UnitSpreadOut>,
}

/// One unit and each evaluator's level.
#[derive(Debug, Clone, Serialize)]
pub struct UnitSpreadOut {
    /// The commitment's id, or the milestone's.
    pub unit: String,
    pub commitment: String,
    pub milestone: Option<String>,
    /// Highest level minus lowest, in levels (1 for any difference on a nominal scale).
    pub spread: u16,
    /// Each evaluator's level label (`null`: no level).
    pub levels: IndexMap<String, Option<String>>,
}

/// The evaluators compared and the reference evaluators present, as indices into
/// `Scores::evaluators`: every evaluator with at least one rating row, less the reference
/// evaluators unless `with_reference`. Evaluators without any rating are named in `notes`.
fn choose_evaluators(
    plan: &Plan,
    scores: &Scores,
    with_reference: bool,
    notes: &mut Vec<String>,
) -> (Vec<u32>, Vec<String>) {
    let mut rated = vec![false; scores.evaluators.len()];
    for r in scores.ratings() {
        if let Some(slot) = rated.get_mut(r.evaluator as usize) {
            *slot = true;
        }
    }
    let mut chosen = Vec::new();
    let mut reference = Vec::new();
    let mut silent = Vec::new();
    let mut consensus = Vec::new();
    for (i, (id, &has_ratings)) in scores.evaluators.iter().zip(&rated).enumerate() {
        let Ok(index) = u32::try_from(i) else {
            continue;
        };
        if !has_ratings {
            silent.push(format!("`{id}`"));
            continue;
        }
        if plan.is_consensus(id) && !plan.is_reference(id) {
            consensus.push(format!("`{id}`"));
            continue;
        }
        if plan.is_reference(id) {
            reference.push(id.clone());
            if !with_reference {
                continue;
            }
        }
        chosen.push(index);
    }
    if !silent.is_empty() {
        notes.push(format!(
            "Left out for lack of ratings: {}.",
            silent.join(", ")
        ));
    }
    if !consensus.is_empty() {
        notes.push(format!(
            "Left out as the coalition's agreed ratings (role \"consensus\"): {}.",
            consensus.join(", ")
        ));
    }
    if !reference.is_empty() {
        let list: Vec<String> = reference.iter().map(|r| format!("`{r}`")).collect();
        notes.push(if with_reference {
            format!(
                "Reference evaluator{} {} included (--with-reference).",
                if list.len() == 1 { "" } else { "s" },
                list.join(", ")
            )
        } else {
            format!(
                "Reference evaluator{} {} left out, as in the assessment; add --with-reference to include {}.",
                if list.len() == 1 { "" } else { "s" },
                list.join(", "),
                if list.len() == 1 { "it" } else { "them" }
            )
        });
    }
    (chosen, reference)
}

/// Builds the report. `progress` is told how many bootstrap resamples were completed since its
/// last call; over the whole run it is told `resamples × criteria` in all.
pub fn build(
    plan: &Plan,
    rubric: &Rubric,
    scores: &Scores,
    options: &Options,
    mut progress: Option<&mut dyn FnMut(u64)>,
) -> Report {
    let mut notes = Vec::new();
    let (columns, reference) = choose_evaluators(plan, scores, options.with_reference, &mut notes);
    let names: Vec<String> = columns
        .iter()
        .map(|&e| scores.evaluator_name(e).to_string())
        .collect();
    if names.len() < 2 {
        notes.push(match names.first() {
            Some(one) => format!(
                "Only one evaluator (`{one}`) is compared: agreement needs at least two, so it is undefined throughout."
            ),
            None => "No evaluator is compared: agreement is undefined throughout.".to_string(),
        });
    }
    let selected: Vec<usize> = if options.criteria.is_empty() {
        (0..rubric.criteria.len()).collect()
    } else {
        options.criteria.clone()
    };
    let mut criteria = Vec::with_capacity(selected.len());
    // The criteria to bootstrap (their index in `criteria`), bootstrapped together at the end:
    // those with as many units share their draws.
    let mut resampled: Vec<(usize, Resampled)> = Vec::new();
    for k in selected {
        let Some(criterion) = rubric.criteria.get(k) else {
            continue;
        };
        let matrix = criterion_matrix(plan, rubric, scores, k, &columns);
        let metric = options.metric.unwrap_or_else(|| metric_for(rubric, k));
        let mut tick = |done: u64| {
            if let Some(p) = progress.as_mut() {
                p(done);
            }
        };
        let (report, to_resample) = criterion_report(
            plan,
            rubric,
            criterion,
            &matrix.units,
            &names,
            matrix.ratings,
            metric,
            options,
            &mut tick,
        );
        if let Some(r) = to_resample {
            resampled.push((criteria.len(), r));
        }
        criteria.push(report);
    }
    if let Some(opts) = options.bootstrap {
        bootstrap_together(&mut criteria, resampled, &opts, &mut progress);
    }
    Report {
        schema_version: crate::results::SCHEMA_VERSION,
        generator: format!("checkmyogp {}", env!("CARGO_PKG_VERSION")),
        plan: PlanRef {
            country: plan.country.clone(),
            title: plan.title.clone(),
        },
        rubric: rubric.id.clone(),
        evaluators: names,
        reference,
        with_reference: options.with_reference,
        metric_override: options.metric,
        bootstrap: options.bootstrap.map(|b| BootstrapSettings {
            resamples: b.resamples,
            seed: b.seed,
            confidence: b.confidence,
        }),
        criteria,
        notes,
    }
}

/// A unit's id as people know it: the commitment's, or the milestone's.
fn unit_ids(plan: &Plan, unit: Unit) -> (String, Option<String>) {
    let commitment = plan.commitments.get(unit.commitment as usize);
    let cid = commitment.map_or_else(|| "?".to_string(), |c| c.id.clone());
    let mid = unit.milestone.map(|m| {
        commitment
            .and_then(|c| c.milestones.get(m as usize))
            .map_or_else(|| "?".to_string(), |m| m.id.clone())
    });
    (cid, mid)
}

/// `1 evaluator`, `2 evaluators`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Alpha to three decimals, the usual precision for reporting it.
pub fn fmt_alpha(a: f64) -> String {
    let s = format!("{a:.3}");
    // Never print "-0.000".
    if s == "-0.000" { "0.000".into() } else { s }
}

#[allow(clippy::too_many_arguments)]
fn criterion_report(
    plan: &Plan,
    rubric: &Rubric,
    criterion: &Criterion,
    units: &[Unit],
    names: &[String],
    ratings: super::Result<Ratings>,
    metric: Metric,
    options: &Options,
    tick: &mut dyn FnMut(u64),
) -> (CriterionReport, Option<Resampled>) {
    let resamples = options.bootstrap.map_or(0, |b| b.resamples as u64);
    let levels: Vec<String> = criterion.levels.iter().map(|l| l.label.clone()).collect();
    let weighting = match metric {
        _ if criterion.kind == ScaleKind::Nominal => Weighting::Unweighted,
        Metric::Nominal => Weighting::Unweighted,
        Metric::Ordinal => Weighting::Linear,
        Metric::Interval | Metric::Ratio => Weighting::Quadratic,
    };
    let mut out = CriterionReport {
        criterion: criterion.id.clone(),
        name: criterion.name.clone(),
        scale: criterion.kind,
        scope: criterion.scope,
        levels,
        metric,
        alpha: None,
        undefined: None,
        interpretation: None,
        reading: String::new(),
        units: 0,
        units_total: units.len(),
        pairable: 0,
        raters: 0,
        observed_disagreement: None,
        expected_disagreement: None,
        percent_agreement: None,
        fleiss_kappa: None,
        fleiss_units: 0,
        fleiss_left_out: Vec::new(),
        gwet_ac1: None,
        ci: options.bootstrap.map(|_| None),
        bootstrap: None,
        pairs: Vec::new(),
        matrix: MatrixOut {
            weighting,
            evaluators: names.to_vec(),
            percent: Vec::new(),
            kappa: Vec::new(),
            shared_units: Vec::new(),
            mean_percent: Vec::new(),
            mean_kappa: Vec::new(),
            departure: Vec::new(),
            most_departing: None,
        },
        spread: SpreadOut {
            threshold: rubric.disagreement_threshold,
            units_with_spread: 0,
            units_at_threshold: 0,
            units: Vec::new(),
        },
        notes: Vec::new(),
    };
    let r = match ratings {
        Ok(r) => r,
        Err(e) => {
            out.undefined = Some(match e {
                AgreementError::NoRaters => Undefined::NoRatings,
                _ => Undefined::NotApplicable,
            });
            out.reading = match e {
                AgreementError::NoRaters => {
                    "undefined: there is no evaluator to compare".to_string()
                }
                e => format!("not applicable: {e}"),
            };
            tick(resamples);
            return (out, None);
        }
    };
    let name = |j: usize| names.get(j).map_or("?", String::as_str);

    // Who gave levels on this criterion.
    let mut gave = vec![false; r.raters()];
    for row in r.cells().chunks_exact(r.raters().max(1)) {
        for (j, cell) in row.iter().enumerate() {
            if cell.is_some() {
                gave[j] = true;
            }
        }
    }
    out.raters = gave.iter().filter(|g| **g).count();
    let without: Vec<String> = gave
        .iter()
        .enumerate()
        .filter(|(_, g)| !**g)
        .map(|(j, _)| format!("`{}`", name(j)))
        .collect();
    if !without.is_empty() && out.raters > 0 {
        out.notes.push(format!(
            "No level on this criterion from {}.",
            without.join(", ")
        ));
    }

    // Alpha.
    let nominal_only = criterion.kind == ScaleKind::Nominal && metric != Metric::Nominal;
    let alpha = krippendorff_alpha(&r, metric);
    if let Ok(a) = &alpha {
        out.units = a.units_pairable;
        out.pairable = a.pairable_values;
        out.observed_disagreement = Some(a.observed_disagreement);
        out.expected_disagreement = Some(a.expected_disagreement);
    } else {
        // The counts do not depend on the metric.
        if let Ok(a) = krippendorff_alpha(&r, Metric::Nominal) {
            out.units = a.units_pairable;
            out.pairable = a.pairable_values;
        }
    }
    let (undefined, reading) = if out.raters == 0 {
        (
            Some(Undefined::NoRatings),
            "undefined: no evaluator gave a level on this criterion".to_string(),
        )
    } else if out.raters == 1 {
        let who = gave.iter().position(|g| *g).map_or("?", name);
        (
            Some(Undefined::SingleEvaluator),
            format!(
                "undefined: only one evaluator (`{who}`) gave levels on this criterion; agreement needs at least two"
            ),
        )
    } else if out.units < 2 {
        (
            Some(Undefined::TooFewUnits),
            format!(
                "undefined: {} rated by two or more evaluators; alpha needs at least two",
                if out.units == 0 {
                    "no unit was".to_string()
                } else {
                    "only 1 unit was".to_string()
                }
            ),
        )
    } else if nominal_only {
        (
            Some(Undefined::NotApplicable),
            format!(
                "not applicable: the levels of a nominal scale have no order, so only the nominal metric applies, not the {metric} one"
            ),
        )
    } else {
        match &alpha {
            Ok(a) => match a.alpha {
                Some(value) => {
                    let band = AlphaBand::of(value);
                    out.alpha = Some(value);
                    out.interpretation = Some(band);
                    (None, format!("{} ({})", band.label(), band.description()))
                }
                None => {
                    let level = r
                        .cells()
                        .iter()
                        .flatten()
                        .next()
                        .map(|&l| criterion.label(usize::from(l)).to_string());
                    (
                        Some(Undefined::NoVariation),
                        match level {
                            Some(l) => format!(
                                "undefined: no variation — every level given in units rated by two or more evaluators is `{l}`, so there is no disagreement to measure"
                            ),
                            None => "undefined: no variation".to_string(),
                        },
                    )
                }
            },
            Err(e) => (
                Some(Undefined::NotApplicable),
                format!("not applicable: {e}"),
            ),
        }
    };
    if undefined == Some(Undefined::NotApplicable) {
        // Disagreements under a metric that does not apply mean nothing.
        out.observed_disagreement = None;
        out.expected_disagreement = None;
    }
    out.undefined = undefined;
    out.reading = reading;

    if out.raters >= 2 && !options.alpha_only {
        fill_other_measures(&mut out, &r, names);
        fill_disagreement(
            &mut out,
            plan,
            criterion,
            units,
            &r,
            names,
            weighting,
            options.top,
        );
    }

    // The bootstrap, made later with the other criteria's (see `bootstrap_together`).
    let mut to_resample = None;
    if let Some(opts) = options.bootstrap {
        if out.alpha.is_some() {
            match check_options(&opts).and_then(|()| Resampled::new(&r, metric)) {
                Ok(item) => to_resample = Some(item),
                Err(e) => {
                    out.notes.push(format!("No confidence interval: {e}."));
                    tick(resamples);
                }
            }
        } else {
            out.notes
                .push("No confidence interval: alpha itself is undefined.".to_string());
            tick(resamples);
        }
    }
    (out, to_resample)
}

/// Bootstraps the interval of each criterion in `resampled` (its index in `criteria`, its
/// alpha prepared) all at once ([`bootstrap_many`]: criteria with as many units share their
/// draws), and writes each interval, or why there is none, into its criterion.
fn bootstrap_together(
    criteria: &mut [CriterionReport],
    resampled: Vec<(usize, Resampled)>,
    opts: &BootstrapOptions,
    progress: &mut Option<&mut dyn FnMut(u64)>,
) {
    let (at, items): (Vec<usize>, Vec<Resampled>) = resampled.into_iter().unzip();
    let mut last = 0u64;
    let mut tick = |done: usize| {
        let done = done as u64;
        if let Some(p) = progress.as_mut() {
            p(done.saturating_sub(last));
        }
        last = last.max(done);
    };
    let results = bootstrap_many(&items, opts, Some(&mut tick))
        .unwrap_or_else(|e| items.iter().map(|_| Err(e.clone())).collect());
    let all = (opts.resamples as u64).saturating_mul(items.len() as u64);
    if let Some(p) = progress.as_mut() {
        p(all.saturating_sub(last));
    }
    drop(items);
    for (k, result) in at.into_iter().zip(results) {
        let Some(out) = criteria.get_mut(k) else {
            continue;
        };
        match result {
            Ok(ci) => {
                out.ci = Some(Some([ci.lower, ci.upper]));
                if ci.undefined > 0 {
                    out.notes.push(format!(
                        "{} of {} bootstrap resamples had no variation and were skipped.",
                        ci.undefined, ci.resamples
                    ));
                }
                out.bootstrap = Some(BootstrapOut {
                    resamples: ci.resamples,
                    defined: ci.defined,
                    undefined: ci.undefined,
                    share_below_reliable: ci.share_below(0.800),
                    share_below_tentative: ci.share_below(0.667),
                });
            }
            Err(e) => out.notes.push(format!("No confidence interval: {e}.")),
        }
    }
}

/// The most evaluators compared pair by pair. Pairs and the evaluator × evaluator matrix grow
/// with the square of the evaluators (5,000 evaluators: 12.5 million pairs per criterion);
/// beyond this many they are left out, and each evaluator's agreement with the others is
/// summarised from the units instead (see docs/agreement.md and docs/limits.md).
pub const MAX_PAIRWISE_EVALUATORS: usize = 60;

/// Percent agreement, Fleiss' kappa, AC1 and the pairs. Weighted kappas need ordered levels,
/// so they are left out (`null`) on nominal scales.
fn fill_other_measures(out: &mut CriterionReport, r: &Ratings, names: &[String]) {
    let ordered = out.scale.is_ordered();
    let name = |j: usize| names.get(j).cloned().unwrap_or_else(|| "?".into());
    out.percent_agreement = percent_agreement(r).ok().map(|p| p.value);
    out.gwet_ac1 = gwet_ac1(r).ok().and_then(|c| c.value);
    let (left_out, fleiss) = fleiss_kappa_of_raters(r);
    out.fleiss_left_out = left_out.iter().map(|&j| name(j)).collect();
    if !left_out.is_empty() {
        out.notes.push(format!(
            "Fleiss' kappa leaves out {}, who rated nothing of this criterion.",
            out.fleiss_left_out
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let fleiss_raters = r.raters() - left_out.len();
    match fleiss {
        Ok(f) => {
            out.fleiss_units = f.units_used;
            out.fleiss_kappa = f.kappa;
            if f.kappa.is_none() {
                out.notes.push(format!(
                    "Fleiss' kappa is undefined: the {} rated by every evaluator who rated this criterion all have the same level.",
                    count(f.units_used, "unit")
                ));
            }
        }
        Err(_) => out.notes.push(format!(
            "Fleiss' kappa is undefined: no unit was rated by all {fleiss_raters} evaluators."
        )),
    }
    if r.raters() > MAX_PAIRWISE_EVALUATORS {
        out.notes.push(format!(
            "With {} evaluators (more than {MAX_PAIRWISE_EVALUATORS}), pairs and the evaluator × evaluator matrix are not listed; each evaluator's agreement with the others is summarised instead (the share of the other evaluators' levels, on the units they share, that equal theirs).",
            r.raters()
        ));
        return;
    }
    for a in 0..r.raters() {
        for b in a + 1..r.raters() {
            let pair = match pair_agreement(r, a, b) {
                Ok(p) => PairOut {
                    a: name(a),
                    b: name(b),
                    shared_units: p.shared_units,
                    percent: Some(p.percent),
                    cohen_kappa: p.cohen_kappa.value,
                    linear_kappa: p.linear_kappa.value.filter(|_| ordered),
                    quadratic_kappa: p.quadratic_kappa.value.filter(|_| ordered),
                },
                Err(_) => PairOut {
                    a: name(a),
                    b: name(b),
                    shared_units: 0,
                    percent: None,
                    cohen_kappa: None,
                    linear_kappa: None,
                    quadratic_kappa: None,
                },
            };
            out.pairs.push(pair);
        }
    }
}

/// The evaluator matrix and the units ranked by spread.
#[allow(clippy::too_many_arguments)]
fn fill_disagreement(
    out: &mut CriterionReport,
    plan: &Plan,
    criterion: &Criterion,
    units: &[Unit],
    r: &Ratings,
    names: &[String],
    weighting: Weighting,
    top: usize,
) {
    let n = r.raters();
    if n > MAX_PAIRWISE_EVALUATORS {
        summarise_departure(out, r, names);
    } else {
        fill_matrix(out, r, names, weighting);
    }
    fill_spread(out, plan, criterion, units, r, names, top);
}

/// Beyond [`MAX_PAIRWISE_EVALUATORS`]: each evaluator's agreement with the others pooled over
/// the units (of the other levels given on the units an evaluator rated, the share equal to
/// theirs), in time and memory that grow with the ratings, not with the square of the
/// evaluators. The matrix itself stays empty; there is no kappa per evaluator.
fn summarise_departure(out: &mut CriterionReport, r: &Ratings, names: &[String]) {
    let n = r.raters();
    let mut agree = vec![0u64; n];
    let mut total = vec![0u64; n];
    let mut counts: std::collections::HashMap<u16, u64> = std::collections::HashMap::new();
    for u in 0..r.units() {
        let row = r.unit(u);
        counts.clear();
        let mut given = 0u64;
        for l in row.iter().flatten() {
            *counts.entry(*l).or_insert(0) += 1;
            given += 1;
        }
        if given < 2 {
            continue;
        }
        for (a, l) in row.iter().enumerate() {
            if let Some(l) = l {
                agree[a] += counts[l] - 1;
                total[a] += given - 1;
            }
        }
    }
    let mean: Vec<Option<f64>> = (0..n)
        .map(|a| (total[a] > 0).then(|| agree[a] as f64 / total[a] as f64))
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|&a| mean[a].is_some()).collect();
    order.sort_by(|&a, &b| {
        mean[a]
            .unwrap_or(0.0)
            .total_cmp(&mean[b].unwrap_or(0.0))
            .then(a.cmp(&b))
    });
    out.matrix.departure = order
        .iter()
        .filter_map(|&j| names.get(j).cloned())
        .collect();
    let best = mean
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    out.matrix.most_departing = order
        .first()
        .filter(|&&j| mean[j].is_some_and(|x| x < best))
        .and_then(|&j| names.get(j).cloned());
    out.matrix.mean_percent = mean;
    out.matrix.mean_kappa = vec![None; n];
}

/// The evaluator × evaluator matrix, for up to [`MAX_PAIRWISE_EVALUATORS`].
fn fill_matrix(out: &mut CriterionReport, r: &Ratings, names: &[String], weighting: Weighting) {
    let n = r.raters();
    let m = rater_agreement_matrix(r, weighting);
    let cell = |a: usize, b: usize| m.get(a, b);
    out.matrix.percent = (0..n)
        .map(|a| (0..n).map(|b| cell(a, b).and_then(|p| p.percent)).collect())
        .collect();
    out.matrix.kappa = (0..n)
        .map(|a| (0..n).map(|b| cell(a, b).and_then(|p| p.kappa)).collect())
        .collect();
    out.matrix.shared_units = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| cell(a, b).map_or(0, |p| p.shared_units))
                .collect()
        })
        .collect();
    out.matrix.departure = m
        .departure_ranking()
        .into_iter()
        .filter_map(|j| names.get(j).cloned())
        .collect();
    // Only when someone agrees with the others more than they do: with everyone equal, nobody
    // departs.
    let best = m
        .mean_percent
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    out.matrix.most_departing = m
        .most_departing()
        .filter(|&j| {
            m.mean_percent
                .get(j)
                .copied()
                .flatten()
                .is_some_and(|x| x < best)
        })
        .and_then(|j| names.get(j).cloned());
    out.matrix.mean_percent = m.mean_percent;
    out.matrix.mean_kappa = m.mean_kappa;
}

/// The units ranked by spread.
fn fill_spread(
    out: &mut CriterionReport,
    plan: &Plan,
    criterion: &Criterion,
    units: &[Unit],
    r: &Ratings,
    names: &[String],
    top: usize,
) {
    let nominal = criterion.kind == ScaleKind::Nominal;
    let mut ranked: Vec<(u16, super::UnitSpread)> = rank_units_by_spread(r)
        .into_iter()
        .map(|s| {
            let spread = if nominal { s.spread.min(1) } else { s.spread };
            (spread, s)
        })
        .filter(|(spread, _)| *spread > 0)
        .collect();
    // Stable: ties keep the unit order of the ranking.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.unit.cmp(&b.1.unit)));
    out.spread.units_with_spread = ranked.len();
    out.spread.units_at_threshold = ranked
        .iter()
        .filter(|(s, _)| u32::from(*s) >= out.spread.threshold)
        .count();
    let take = if top == 0 { ranked.len() } else { top };
    out.spread.units = ranked
        .into_iter()
        .take(take)
        .map(|(spread, s)| {
            let unit = units.get(s.unit).copied().unwrap_or(Unit {
                commitment: u32::MAX,
                milestone: None,
            });
            let (commitment, milestone) = unit_ids(plan, unit);
            // Beyond MAX_PAIRWISE_EVALUATORS, only the evaluators who gave a level are listed.
            let many = s.levels.len() > MAX_PAIRWISE_EVALUATORS;
            let levels = s
                .levels
                .iter()
                .enumerate()
                .filter(|(_, l)| !many || l.is_some())
                .map(|(j, l)| {
                    (
                        names.get(j).cloned().unwrap_or_else(|| "?".into()),
                        l.map(|l| criterion.label(usize::from(l)).to_string()),
                    )
                })
                .collect();
            UnitSpreadOut {
                unit: milestone.clone().unwrap_or_else(|| commitment.clone()),
                commitment,
                milestone,
                spread,
                levels,
            }
        })
        .collect();
}
