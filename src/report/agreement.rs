//! Agreement per criterion for the report: Krippendorff's alpha among the combined evaluators
//! (reference evaluators left out, as in `checkmyogp agreement`), with the metric that fits the
//! criterion's scale, a percentile bootstrap interval with a fixed seed (so the same data give
//! the same file), its interpretation, and, when alpha is undefined, why in words.

use crate::agreement::report::{self, Options, Undefined};
use crate::agreement::{AlphaBand, BootstrapOptions, Metric};
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

/// Alpha for every criterion of the rubric, in rubric order, as `checkmyogp agreement` computes
/// it (the same evaluators, metrics and undefined cases), with a fixed-seed bootstrap interval.
pub fn compute(inputs: &Inputs, resamples: usize) -> Vec<AlphaRow> {
    let options = Options {
        bootstrap: Some(BootstrapOptions {
            resamples: resamples.max(1),
            seed: SEED,
            confidence: CONFIDENCE,
            threads: 0,
        }),
        ..Options::default()
    };
    let full = report::build(&inputs.plan, &inputs.rubric, &inputs.scores, &options, None);
    full.criteria
        .into_iter()
        .map(|c| {
            let undefined_short = c.undefined.map(|why| match why {
                Undefined::NoRatings => "undefined: no ratings",
                Undefined::SingleEvaluator => "undefined: fewer than two evaluators",
                Undefined::TooFewUnits => "undefined: no shared ratings",
                Undefined::NoVariation => "undefined: no variation",
                Undefined::NotApplicable => "undefined: unsuitable scale",
            });
            AlphaRow {
                unit_word: match c.scope {
                    Scope::Commitment => "commitments",
                    Scope::Milestone => "milestones",
                },
                undefined: c.undefined.map(|_| c.reading.clone()),
                undefined_short,
                ci: c.ci.flatten().map(|[lo, hi]| (lo, hi)),
                band: c.interpretation,
                criterion: c.criterion,
                name: c.name,
                metric: c.metric,
                alpha: c.alpha,
                units: c.units,
                units_total: c.units_total,
            }
        })
        .collect()
}

pub use report::fmt_alpha;

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
