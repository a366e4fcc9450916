//! Inter-rater agreement statistics: the [`Ratings`] matrix, the [`AgreementError`] type, and
//! re-exports of every measure.
//!
//! This module is pure and exact: no I/O, no global state, no panics reachable from input, and no
//! `NaN` in any result. A statistic that is mathematically undefined (for example Krippendorff's
//! alpha when every rating is identical) is reported as `None`; input the statistic cannot be
//! computed from (for example no unit with two ratings) is reported as an [`AgreementError`]
//! whose `Display` text is a plain-English sentence fit for an end user.
//!
//! # Data model
//!
//! A [`Ratings`] value is a *reliability matrix* of units (commitments, milestones, criteria…)
//! × raters (evaluators). Each cell is `Option<u16>`: `None` when the rater did not rate the
//! unit, otherwise the **index of a level on the declared scale**, `0` being the lowest level.
//! The scale is declared once for the whole matrix: `k` levels, each with a numeric value
//! (strictly increasing) used only by the interval and ratio metrics.
//!
//! For a rubric such as the IRM completion scale *No Evidence Available, Not Started, Limited,
//! Substantial, Complete*, map the labels to indices `0..=4` in their rubric order and pass the
//! rubric's numeric scores (or [`Ratings::with_levels`], which uses `1, 2, …, k`).
//!
//! # The declared scale is the scale
//!
//! Every measure uses the **declared** `k` levels, including levels nobody used:
//!
//! * weighted Cohen's kappa weighs a disagreement between level indices `i` and `j` by
//!   `|i − j| / (k − 1)` (linear) or `(i − j)² / (k − 1)²` (quadratic), with `k` the declared
//!   level count — not the number of levels that happen to occur (one well-known R package uses
//!   the observed ones, which changes the result when a level is unused);
//! * Gwet's AC1 and Brennan–Prediger use `k` declared categories in their chance term;
//! * ordinal alpha ranks levels by their declared order (unused levels have zero frequency, so
//!   they add nothing to Krippendorff's ordinal distances, exactly as in his definition);
//! * interval and ratio alpha use the declared numeric values.
//!
//! # Typical use
//!
//! ```text
//! let r = Ratings::new(rubric_values, evaluators.len(), cells)?;   // cells unit-major
//! let a = krippendorff_alpha(&r, Metric::Ordinal)?;                 // a.alpha: Option<f64>
//! let band = a.alpha.map(AlphaBand::of);                            // None => "no variation"
//! let ci = bootstrap_alpha(&r, Metric::Ordinal, &BootstrapOptions::default(), None)?;
//! let hot = rank_units_by_spread(&r);                               // widest disagreement first
//! let who = rater_agreement_matrix(&r, Weighting::Unweighted).most_departing();
//! ```
//!
//! # Conventions
//!
//! * Units with fewer than two ratings are *not pairable*: alpha, percent agreement and AC1 drop
//!   them. Fleiss' kappa uses only units rated by every rater. Pairwise (two-rater) measures use
//!   the units both raters rated.
//! * Every result reports how many units it used.

mod alpha;
mod bootstrap;
mod disagreement;
mod from_scores;
mod interpret;
mod kappa;
pub mod report;
mod rng;

use std::fmt;

pub use alpha::{AlphaResult, Coincidences, Metric, coincidence_matrix, krippendorff_alpha};
pub use bootstrap::{BootstrapCi, BootstrapOptions, bootstrap_alpha};
pub use disagreement::{
    RaterMatrix, RaterPair, UnitSpread, rank_units_by_spread, rater_agreement_matrix,
};
pub use from_scores::{CriterionMatrix, criterion_matrix, metric_for};
pub use interpret::{AlphaBand, KappaBand};
pub use kappa::{
    Coefficient, FleissKappa, PairAgreement, PercentAgreement, Weighting, brennan_prediger,
    cohen_kappa, fleiss_kappa, fleiss_kappa_of_raters, gwet_ac1, pair_agreement, percent_agreement,
    scott_pi,
};

/// Largest number of levels a scale may declare.
///
/// Rubric scales have a handful of levels; the cap keeps the `k × k` working matrices small.
pub const MAX_LEVELS: usize = 1024;

/// Largest magnitude of a level value (keeps squared distances far from overflow).
pub const MAX_LEVEL_VALUE: f64 = 1e100;

/// Everything that can stop an agreement statistic from being computed.
///
/// The `Display` text is a complete English sentence meant for the end user.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AgreementError {
    /// The scale declares fewer than two levels.
    TooFewLevels {
        /// Levels declared.
        levels: usize,
    },
    /// The scale declares more than [`MAX_LEVELS`] levels.
    TooManyLevels {
        /// Levels declared.
        levels: usize,
    },
    /// A level's numeric value is NaN, infinite, or beyond ±1e100.
    LevelValueOutOfRange {
        /// Index of the offending level.
        level: usize,
    },
    /// Level values must be strictly increasing with the level index.
    LevelValuesNotIncreasing {
        /// Index of the first level whose value is not above the previous one.
        level: usize,
    },
    /// The ratio metric needs non-negative level values.
    NegativeRatioValue {
        /// Index of the offending level.
        level: usize,
        /// Its value.
        value: f64,
    },
    /// The matrix declares zero raters.
    NoRaters,
    /// The number of cells is not a whole number of units.
    CellCountMismatch {
        /// Cells supplied.
        cells: usize,
        /// Raters declared.
        raters: usize,
    },
    /// A unit row does not have one cell per rater.
    RowLengthMismatch {
        /// Index of the offending row.
        row: usize,
        /// Its length.
        len: usize,
        /// Expected length.
        expected: usize,
    },
    /// A rating refers to a level the scale does not declare.
    LevelOutOfRange {
        /// Unit index.
        unit: usize,
        /// Rater index.
        rater: usize,
        /// The level index found.
        level: u16,
        /// Levels declared.
        levels: usize,
    },
    /// A contingency table is empty or not square.
    BadContingencyTable,
    /// No unit has two or more ratings.
    NoPairableUnits,
    /// Fleiss' kappa found no unit rated by every rater.
    NoCompleteUnits {
        /// Raters declared.
        raters: usize,
    },
    /// The measure needs more raters.
    TooFewRaters {
        /// Raters declared.
        raters: usize,
        /// Raters needed.
        needed: usize,
    },
    /// A rater index is outside the matrix.
    RaterOutOfRange {
        /// The index asked for.
        rater: usize,
        /// Raters declared.
        raters: usize,
    },
    /// A pairwise measure was asked to compare a rater with themself.
    SameRater {
        /// The rater index.
        rater: usize,
    },
    /// Two raters have no unit that both rated.
    NoSharedUnits {
        /// First rater.
        a: usize,
        /// Second rater.
        b: usize,
    },
    /// The bootstrap confidence level is not strictly between 0 and 1.
    InvalidConfidence {
        /// The level given.
        confidence: f64,
    },
    /// The bootstrap was asked for zero resamples.
    NoResamples,
    /// Every bootstrap resample had an undefined alpha.
    AllResamplesUndefined {
        /// Resamples drawn.
        resamples: usize,
    },
    /// A bootstrap worker thread stopped unexpectedly.
    WorkerFailed,
    /// A metric name was not recognised.
    UnknownMetric {
        /// The name given.
        name: String,
    },
}

impl fmt::Display for AgreementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewLevels { levels } => write!(
                f,
                "the rating scale declares {levels} level(s); agreement needs a scale of at least two levels"
            ),
            Self::TooManyLevels { levels } => write!(
                f,
                "the rating scale declares {levels} levels; at most {MAX_LEVELS} are supported"
            ),
            Self::LevelValueOutOfRange { level } => write!(
                f,
                "the numeric value of scale level {level} (counting from 0) must be a finite number between -1e100 and 1e100"
            ),
            Self::LevelValuesNotIncreasing { level } => write!(
                f,
                "the numeric values of the scale levels must increase strictly, but level {level} (counting from 0) is not above the level before it"
            ),
            Self::NegativeRatioValue { level, value } => write!(
                f,
                "the ratio metric needs non-negative level values, but level {level} (counting from 0) has value {value}; use the interval metric instead"
            ),
            Self::NoRaters => write!(f, "the ratings matrix has no raters"),
            Self::CellCountMismatch { cells, raters } => write!(
                f,
                "{cells} ratings cannot be split into whole units of {raters} raters each"
            ),
            Self::RowLengthMismatch { row, len, expected } => write!(
                f,
                "row {row} (counting from 0) has {len} ratings but {expected} were expected, one per column"
            ),
            Self::LevelOutOfRange {
                unit,
                rater,
                level,
                levels,
            } => write!(
                f,
                "unit {unit}, rater {rater} (counting from 0) has level index {level}, but the scale only has {levels} levels (indices 0 to {})",
                levels.saturating_sub(1)
            ),
            Self::BadContingencyTable => write!(
                f,
                "a contingency table must be square with at least two rows and columns"
            ),
            Self::NoPairableUnits => write!(
                f,
                "no unit has ratings from two or more raters, so agreement cannot be computed"
            ),
            Self::NoCompleteUnits { raters } => write!(
                f,
                "Fleiss' kappa needs units rated by all {raters} raters, and there are none"
            ),
            Self::TooFewRaters { raters, needed } => write!(
                f,
                "this measure needs at least {needed} raters, but the matrix has {raters}"
            ),
            Self::RaterOutOfRange { rater, raters } => write!(
                f,
                "rater {rater} (counting from 0) does not exist; the matrix has {raters} raters"
            ),
            Self::SameRater { rater } => write!(
                f,
                "rater {rater} cannot be compared with themself; choose two different raters"
            ),
            Self::NoSharedUnits { a, b } => write!(
                f,
                "raters {a} and {b} (counting from 0) have not rated any unit in common"
            ),
            Self::InvalidConfidence { confidence } => write!(
                f,
                "the confidence level must be strictly between 0 and 1 (for example 0.95), not {confidence}"
            ),
            Self::NoResamples => write!(f, "the bootstrap needs at least one resample"),
            Self::AllResamplesUndefined { resamples } => write!(
                f,
                "alpha was undefined (no variation in the ratings) in all {resamples} bootstrap resamples, so no confidence interval exists"
            ),
            Self::WorkerFailed => write!(f, "a bootstrap worker thread stopped unexpectedly"),
            Self::UnknownMetric { name } => write!(
                f,
                "unknown metric {name:?}; expected nominal, ordinal, interval or ratio"
            ),
        }
    }
}

impl std::error::Error for AgreementError {}

/// Shorthand for results of this module.
pub type Result<T> = std::result::Result<T, AgreementError>;

/// A reliability matrix: units × raters, each cell the index of a level on a declared scale.
///
/// Cells are stored unit-major: the rating of unit `u` by rater `r` is `cells[u * raters + r]`.
/// Construct with [`Ratings::new`], [`Ratings::with_levels`], [`Ratings::from_units`],
/// [`Ratings::from_raters`] or [`Ratings::from_contingency`]; every constructor validates.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratings {
    values: Vec<f64>,
    raters: usize,
    units: usize,
    cells: Vec<Option<u16>>,
}

impl Ratings {
    /// Builds a matrix from a scale's level values and unit-major cells.
    ///
    /// `values[i]` is the numeric value of level `i`; the level count `k` is `values.len()`.
    /// Values must be finite and strictly increasing; `2 <= k <= MAX_LEVELS`. `cells` holds
    /// `raters` cells per unit, unit after unit; every `Some(level)` must satisfy `level < k`.
    /// Zero units is allowed (every statistic then reports [`AgreementError::NoPairableUnits`]
    /// or a similar error).
    pub fn new(values: Vec<f64>, raters: usize, cells: Vec<Option<u16>>) -> Result<Self> {
        validate_values(&values)?;
        if raters == 0 {
            return Err(AgreementError::NoRaters);
        }
        if !cells.len().is_multiple_of(raters) {
            return Err(AgreementError::CellCountMismatch {
                cells: cells.len(),
                raters,
            });
        }
        let levels = values.len();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(level) = *cell
                && usize::from(level) >= levels
            {
                return Err(AgreementError::LevelOutOfRange {
                    unit: i / raters,
                    rater: i % raters,
                    level,
                    levels,
                });
            }
        }
        Ok(Self {
            values,
            raters,
            units: cells.len() / raters,
            cells,
        })
    }

    /// Like [`Ratings::new`] with `levels` levels valued `1, 2, …, levels`.
    pub fn with_levels(levels: usize, raters: usize, cells: Vec<Option<u16>>) -> Result<Self> {
        Self::new(default_values(levels)?, raters, cells)
    }

    /// Builds a matrix from one row per unit, each row holding one cell per rater.
    pub fn from_units(values: Vec<f64>, units: &[Vec<Option<u16>>]) -> Result<Self> {
        let raters = units.first().map_or(0, Vec::len);
        let mut cells = Vec::with_capacity(raters * units.len());
        for (row, unit) in units.iter().enumerate() {
            if unit.len() != raters {
                return Err(AgreementError::RowLengthMismatch {
                    row,
                    len: unit.len(),
                    expected: raters,
                });
            }
            cells.extend_from_slice(unit);
        }
        if units.is_empty() {
            validate_values(&values)?;
            return Err(AgreementError::NoRaters);
        }
        Self::new(values, raters, cells)
    }

    /// Builds a matrix from one row per rater, each row holding one cell per unit (the layout of
    /// Krippendorff's published examples).
    pub fn from_raters(values: Vec<f64>, raters: &[Vec<Option<u16>>]) -> Result<Self> {
        let n_raters = raters.len();
        if n_raters == 0 {
            validate_values(&values)?;
            return Err(AgreementError::NoRaters);
        }
        let n_units = raters[0].len();
        for (row, r) in raters.iter().enumerate() {
            if r.len() != n_units {
                return Err(AgreementError::RowLengthMismatch {
                    row,
                    len: r.len(),
                    expected: n_units,
                });
            }
        }
        let mut cells = Vec::with_capacity(n_raters * n_units);
        for u in 0..n_units {
            for r in raters {
                cells.push(r[u]);
            }
        }
        Self::new(values, n_raters, cells)
    }

    /// Builds a two-rater matrix from a square contingency table: `table[i][j]` units were put
    /// at level `i` by rater 0 and level `j` by rater 1. The scale has `table.len()` levels
    /// valued `1, 2, …`; units are laid out row by row. Meant for tests and published examples:
    /// it allocates two cells per counted unit.
    pub fn from_contingency(table: &[Vec<u64>]) -> Result<Self> {
        let k = table.len();
        if k < 2 || table.iter().any(|row| row.len() != k) {
            return Err(AgreementError::BadContingencyTable);
        }
        if k > MAX_LEVELS {
            return Err(AgreementError::TooManyLevels { levels: k });
        }
        let mut cells = Vec::new();
        for (i, row) in table.iter().enumerate() {
            for (j, &count) in row.iter().enumerate() {
                // k <= MAX_LEVELS, so both indices fit in u16.
                let (a, b) = (level_u16(i), level_u16(j));
                for _ in 0..count {
                    cells.push(Some(a));
                    cells.push(Some(b));
                }
            }
        }
        Self::with_levels(k, 2, cells)
    }

    /// Number of declared levels `k`.
    pub fn levels(&self) -> usize {
        self.values.len()
    }

    /// Numeric value of each declared level.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of raters (columns).
    pub fn raters(&self) -> usize {
        self.raters
    }

    /// Number of units (rows).
    pub fn units(&self) -> usize {
        self.units
    }

    /// All cells, unit-major.
    pub fn cells(&self) -> &[Option<u16>] {
        &self.cells
    }

    /// The cells of one unit (one per rater); empty if `unit` is out of range.
    pub fn unit(&self, unit: usize) -> &[Option<u16>] {
        let start = unit.saturating_mul(self.raters);
        self.cells
            .get(start..start.saturating_add(self.raters))
            .unwrap_or(&[])
    }

    /// The level index rater `rater` gave unit `unit`; `None` if missing or out of range.
    pub fn rating(&self, unit: usize, rater: usize) -> Option<u16> {
        if rater >= self.raters {
            return None;
        }
        self.unit(unit).get(rater).copied().flatten()
    }

    /// Iterates over units as slices of one cell per rater.
    pub(crate) fn unit_rows(&self) -> std::slice::ChunksExact<'_, Option<u16>> {
        self.cells.chunks_exact(self.raters)
    }

    pub(crate) fn check_rater(&self, rater: usize) -> Result<()> {
        if rater < self.raters {
            Ok(())
        } else {
            Err(AgreementError::RaterOutOfRange {
                rater,
                raters: self.raters,
            })
        }
    }
}

/// Converts a level index known to be below [`MAX_LEVELS`] to `u16`.
pub(crate) fn level_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn default_values(levels: usize) -> Result<Vec<f64>> {
    if levels < 2 {
        return Err(AgreementError::TooFewLevels { levels });
    }
    if levels > MAX_LEVELS {
        return Err(AgreementError::TooManyLevels { levels });
    }
    Ok((1..=levels).map(|v| v as f64).collect())
}

fn validate_values(values: &[f64]) -> Result<()> {
    let levels = values.len();
    if levels < 2 {
        return Err(AgreementError::TooFewLevels { levels });
    }
    if levels > MAX_LEVELS {
        return Err(AgreementError::TooManyLevels { levels });
    }
    for (level, v) in values.iter().enumerate() {
        if !(v.is_finite() && v.abs() <= MAX_LEVEL_VALUE) {
            return Err(AgreementError::LevelValueOutOfRange { level });
        }
    }
    for (level, w) in values.windows(2).enumerate() {
        if w[1] <= w[0] {
            return Err(AgreementError::LevelValuesNotIncreasing { level: level + 1 });
        }
    }
    Ok(())
}
