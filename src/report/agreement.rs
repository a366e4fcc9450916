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
    /// Why alpha is undefined, as a case (for the report's language).
    pub undefined_kind: Option<Undefined>,
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
        // The report shows alpha and its interval only: no other measure, no units ranked by
        // spread.
        alpha_only: true,
        ..Options::default()
    };
    let full = report::build(&inputs.plan, &inputs.rubric, &inputs.scores, &options, None);
    full.criteria
        .into_iter()
        .map(|c| AlphaRow {
            unit_word: match c.scope {
                Scope::Commitment => "commitments",
                Scope::Milestone => "milestones",
            },
            undefined: c.undefined.map(|_| c.reading.clone()),
            undefined_kind: c.undefined,
            ci: c.ci.flatten().map(|[lo, hi]| (lo, hi)),
            band: c.interpretation,
            criterion: c.criterion,
            name: c.name,
            metric: c.metric,
            alpha: c.alpha,
            units: c.units,
            units_total: c.units_total,
        })
        .collect()
}

pub use report::fmt_alpha;

/// The key of an undefined case in the wording files (`undefined_no_ratings`, …).
fn undefined_key(u: Undefined) -> &'static str {
    match u {
        Undefined::NoRatings => "no_ratings",
        Undefined::SingleEvaluator => "single_evaluator",
        Undefined::TooFewUnits => "too_few_units",
        Undefined::NoVariation => "no_variation",
        Undefined::NotApplicable => "not_applicable",
    }
}

/// Why alpha is undefined, in a few words, in the report's language.
pub(crate) fn undefined_short(tr: &super::Tr, row: &AlphaRow) -> String {
    row.undefined_kind.map_or_else(
        || tr.t("undefined"),
        |u| tr.t(&format!("undefined_{}", undefined_key(u))),
    )
}

/// Why alpha is undefined, in a sentence: the language's own (`why_…`) when its file gives
/// one, else the detailed English reason of `checkmyogp agreement`.
pub(crate) fn why(tr: &super::Tr, row: &AlphaRow) -> String {
    row.undefined_kind
        .and_then(|u| tr.own(&format!("why_{}", undefined_key(u))))
        .or_else(|| row.undefined.clone())
        .unwrap_or_else(|| tr.t("undefined"))
}

/// The result in words: `0.734 (95% interval 0.512 to 0.890): tentative` or the reason it is
/// undefined, in the report's language.
pub(crate) fn reading(tr: &super::Tr, row: &AlphaRow) -> String {
    match row.alpha {
        Some(a) => {
            let band = row.band.map_or_else(
                || tr.t("band_unreliable"),
                |b| super::charts::band_word(tr, b),
            );
            match row.ci {
                Some((lo, hi)) => tr.f(
                    "reading_ci",
                    &[
                        ("alpha", &tr.alpha(a)),
                        ("from", &tr.alpha(lo)),
                        ("to", &tr.alpha(hi)),
                        ("band", &band),
                    ],
                ),
                None => tr.f("reading_no_ci", &[("alpha", &tr.alpha(a)), ("band", &band)]),
            }
        }
        None => why(tr, row),
    }
}
