//! Agreement per criterion for the report: Krippendorff's alpha among the combined evaluators
//! (reference evaluators left out, as in `checkmyogp agreement`), with the metric that fits the
//! criterion's scale, a percentile bootstrap interval with a fixed seed (so the same data give
//! the same file), its interpretation, and, when alpha is undefined, why in words.

use crate::agreement::{
    AgreementError, AlphaBand, BootstrapOptions, Metric, bootstrap_alpha, criterion_matrix,
    krippendorff_alpha, metric_for,
};
use crate::load::Inputs;
use crate::model::Scope;

/// Bootstrap resamples behind each interval.
pub const RESAMPLES: usize = 1000;
/// The bootstrap's seed: fixed, so the report is reproducible.
pub const SEED: u64 = 20_160_701;
/// The interval's confidence level.
pub const CONFIDENCE: f64 = 0.95;

/// Alpha for one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaRow {
    /// The criterion's id.
    pub criterion: String,
    pub name: String,
    pub metric: Metric,
    pub alpha: Option<f64>,
    /// The bootstrap interval, when one exists.
    pub ci: Option<(f64, f64)>,
    pub band: Option<AlphaBand>,
    /// Units rated by two or more evaluators (the ones alpha uses), and all units.
    pub units: usize,
    pub units_total: usize,
    /// "commitments" or "milestones".
    pub unit_word: &'static str,
    /// Why alpha is undefined, in words.
    pub undefined: Option<String>,
    /// The same in a few words, for the chart.
    pub undefined_short: Option<&'static str>,
}

/// Alpha for every criterion of the rubric, in rubric order.
pub fn compute(inputs: &Inputs, resamples: usize) -> Vec<AlphaRow> {
    let plan = &inputs.plan;
    let rubric = &inputs.rubric;
    let scores = &inputs.scores;
    let evaluators: Vec<u32> = scores
        .evaluators
        .iter()
        .enumerate()
        .filter(|(_, id)| !plan.is_reference(id))
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .collect();
    let options = BootstrapOptions {
        resamples: resamples.max(1),
        seed: SEED,
        confidence: CONFIDENCE,
        threads: 0,
    };
    rubric
        .criteria
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let metric = metric_for(rubric, k);
            let unit_word = match c.scope {
                Scope::Commitment => "commitments",
                Scope::Milestone => "milestones",
            };
            let matrix = criterion_matrix(plan, rubric, scores, k, &evaluators);
            let mut row = AlphaRow {
                criterion: c.id.clone(),
                name: c.name.clone(),
                metric,
                alpha: None,
                ci: None,
                band: None,
                units: 0,
                units_total: matrix.units.len(),
                unit_word,
                undefined: None,
                undefined_short: None,
            };
            if evaluators.len() < 2 {
                row.undefined = Some(
                    "undefined: agreement needs at least two evaluators, and this assessment has fewer"
                        .into(),
                );
                row.undefined_short = Some("undefined: fewer than two evaluators");
                return row;
            }
            let ratings = match matrix.ratings {
                Ok(r) => r,
                Err(e) => {
                    row.undefined = Some(format!("undefined: {e}"));
                    row.undefined_short = Some("undefined: unsuitable scale");
                    return row;
                }
            };
            match krippendorff_alpha(&ratings, metric) {
                Ok(a) => {
                    row.units = a.units_pairable;
                    row.alpha = a.alpha;
                    row.band = a.alpha.map(AlphaBand::of);
                    if a.alpha.is_none() {
                        row.undefined = Some(
                            "undefined: every rating is on the same level, so agreement cannot be told apart from chance"
                                .into(),
                        );
                        row.undefined_short = Some("undefined: no variation");
                        return row;
                    }
                }
                Err(AgreementError::NoPairableUnits) => {
                    let one = &unit_word[..unit_word.len() - 1];
                    row.undefined = Some(format!(
                        "undefined: no {one} was rated by two or more evaluators"
                    ));
                    row.undefined_short = Some("undefined: no shared ratings");
                    return row;
                }
                Err(e) => {
                    row.undefined = Some(format!("undefined: {e}"));
                    row.undefined_short = Some("undefined");
                    return row;
                }
            }
            if let Ok(ci) = bootstrap_alpha(&ratings, metric, &options, None) {
                row.ci = Some((ci.lower, ci.upper));
            }
            row
        })
        .collect()
}

/// Alpha to three decimals ("0.000", never "-0.000").
pub fn fmt_alpha(a: f64) -> String {
    let s = format!("{a:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

/// The result in words: `0.734 (95% interval 0.512 to 0.890): tentative` or the reason it is
/// undefined.
pub fn reading(row: &AlphaRow) -> String {
    match (row.alpha, &row.undefined) {
        (Some(a), _) => {
            let ci = row.ci.map_or_else(
                || " (no interval: too little variation in the resamples)".to_string(),
                |(lo, hi)| format!(" (95% interval {} to {})", fmt_alpha(lo), fmt_alpha(hi)),
            );
            let band = row.band.map(|b| b.label()).unwrap_or("unreliable");
            format!("{}{ci}: {band}", fmt_alpha(a))
        }
        (None, Some(why)) => why.clone(),
        (None, None) => "undefined".into(),
    }
}
