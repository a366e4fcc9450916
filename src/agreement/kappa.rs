//! Agreement coefficients other than alpha: percent agreement, Fleiss' kappa, Gwet's AC1 and
//! Brennan–Prediger over all raters, and the two-rater measures (Cohen's kappa unweighted,
//! linear and quadratic; Scott's pi; AC1; Brennan–Prediger).
//!
//! Every chance-corrected coefficient has the form `(p_o − p_e) / (1 − p_e)`, with `p_o` the
//! observed and `p_e` the chance agreement, and is reported as a [`Coefficient`].
//!
//! Definitions (with `k` the **declared** number of levels):
//!
//! * **Percent agreement** (multi-rater): for each unit with `m ≥ 2` ratings, the share of its
//!   `m (m − 1) / 2` rater pairs that chose the same level; averaged over those units (every such
//!   unit weighs the same). With two raters this is the share of units on which they agree.
//! * **Fleiss' kappa** (1971): units rated by *every* rater only ([`fleiss_kappa_of_raters`]
//!   first leaves out the raters who rated nothing of the criterion); `p_e = Σ_j p_j²` with `p_j` the
//!   share of all their ratings at level `j`.
//! * **Gwet's AC1** (Gwet 2008; irrCAC `gwet.ac1.raw`): `p_o` = percent agreement above;
//!   `p_e = Σ_j π_j (1 − π_j) / (k − 1)` with `π_j` the mean, over units with at least one
//!   rating, of the share of the unit's ratings at level `j`.
//! * **Brennan–Prediger**: `p_o` = percent agreement, `p_e = 1 / k`.
//! * **Cohen's kappa** (two raters, units both rated): `p_o = Σ w_ij p_ij`,
//!   `p_e = Σ w_ij p_i. p_.j`, with weights from level indices: unweighted `w = [i = j]`, linear
//!   `w = 1 − |i − j| / (k − 1)`, quadratic `w = 1 − (i − j)² / (k − 1)²`.
//! * **Scott's pi** (two raters): `p_e = Σ_j π_j²` with `π_j` the pooled share of both raters'
//!   ratings at level `j`.
//!
//! A coefficient is `None` only when `p_e = 1` (all ratings on a single level), where it is
//! undefined; AC1 and Brennan–Prediger are therefore always defined.

use serde::Serialize;

use super::{AgreementError, Ratings, Result};

/// Weights for Cohen's kappa, computed from level indices over the declared `k` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// Only identical levels agree.
    Unweighted,
    /// `w = 1 − |i − j| / (k − 1)`.
    Linear,
    /// `w = 1 − (i − j)² / (k − 1)²`.
    Quadratic,
}

impl Weighting {
    fn weight(self, i: usize, j: usize, k: usize) -> f64 {
        let d = i.abs_diff(j) as f64;
        let span = k.saturating_sub(1).max(1) as f64;
        match self {
            Weighting::Unweighted => {
                if i == j {
                    1.0
                } else {
                    0.0
                }
            }
            Weighting::Linear => 1.0 - d / span,
            Weighting::Quadratic => 1.0 - (d * d) / (span * span),
        }
    }
}

/// A chance-corrected agreement coefficient `(observed − chance) / (1 − chance)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coefficient {
    /// The coefficient; `None` when undefined (chance agreement is 1: every rating on one level).
    pub value: Option<f64>,
    /// Observed agreement `p_o`.
    pub observed: f64,
    /// Chance agreement `p_e`.
    pub chance: f64,
    /// Units used.
    pub units: usize,
}

impl Coefficient {
    fn new(observed: f64, chance: f64, units: usize, defined: bool) -> Self {
        let value = if defined && chance < 1.0 {
            Some((observed - chance) / (1.0 - chance)).filter(|v| v.is_finite())
        } else {
            None
        };
        Self {
            value,
            observed,
            chance,
            units,
        }
    }
}

/// Multi-rater percent agreement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PercentAgreement {
    /// Mean over units with two or more ratings of the share of agreeing rater pairs (0 to 1).
    pub value: f64,
    /// Units with two or more ratings.
    pub units_used: usize,
}

/// Fleiss' kappa and its ingredients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissKappa {
    /// Kappa; `None` when every rating is on one level.
    pub kappa: Option<f64>,
    /// Mean observed agreement `P̄`.
    pub observed: f64,
    /// Chance agreement `P̄_e = Σ p_j²`.
    pub chance: f64,
    /// Units rated by every rater (the only ones used).
    pub units_used: usize,
    /// Units skipped because at least one rating was missing.
    pub units_skipped: usize,
    /// Number of raters.
    pub raters: usize,
    /// Ratings at each declared level, over the units used.
    pub category_totals: Vec<u64>,
}

/// Every two-rater measure for one pair of raters, over the units both rated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    /// First rater index.
    pub rater_a: usize,
    /// Second rater index.
    pub rater_b: usize,
    /// Units both raters rated.
    pub shared_units: usize,
    /// Share of shared units on which they chose the same level.
    pub percent: f64,
    /// Cohen's kappa, unweighted.
    pub cohen_kappa: Coefficient,
    /// Cohen's kappa, linear weights.
    pub linear_kappa: Coefficient,
    /// Cohen's kappa, quadratic weights.
    pub quadratic_kappa: Coefficient,
    /// Scott's pi.
    pub scott_pi: Coefficient,
    /// Gwet's AC1.
    pub gwet_ac1: Coefficient,
    /// Brennan–Prediger.
    pub brennan_prediger: Coefficient,
}

/// Per-unit level counts, for units passing `min_ratings`: calls `f(m, counts, touched)` with
/// `m` the rating count and `touched` the levels present.
fn for_each_unit_counts(
    ratings: &Ratings,
    min_ratings: usize,
    mut f: impl FnMut(usize, &[u32], &[usize]),
) {
    let mut counts = vec![0u32; ratings.levels()];
    let mut touched = Vec::with_capacity(ratings.raters());
    for row in ratings.unit_rows() {
        let m = row.iter().flatten().count();
        if m < min_ratings {
            continue;
        }
        touched.clear();
        for &l in row.iter().flatten() {
            let l = usize::from(l);
            if counts[l] == 0 {
                touched.push(l);
            }
            counts[l] += 1;
        }
        f(m, &counts, &touched);
        for &l in &touched {
            counts[l] = 0;
        }
    }
}

/// `(mean pairwise agreement, units used)` over units with ≥ 2 ratings.
fn pairwise_observed(ratings: &Ratings) -> Result<(f64, usize)> {
    let mut sum = 0.0;
    let mut units = 0usize;
    for_each_unit_counts(ratings, 2, |m, counts, touched| {
        let same: u64 = touched
            .iter()
            .map(|&l| {
                let c = u64::from(counts[l]);
                c * (c - 1)
            })
            .sum();
        let m = m as u64;
        sum += same as f64 / (m * (m - 1)) as f64;
        units += 1;
    });
    if units == 0 {
        return Err(AgreementError::NoPairableUnits);
    }
    Ok((sum / units as f64, units))
}

/// Multi-rater percent agreement (see the module docs for the definition).
pub fn percent_agreement(ratings: &Ratings) -> Result<PercentAgreement> {
    let (value, units_used) = pairwise_observed(ratings)?;
    Ok(PercentAgreement { value, units_used })
}

/// Gwet's AC1 over all raters, allowing missing ratings (Gwet 2008).
pub fn gwet_ac1(ratings: &Ratings) -> Result<Coefficient> {
    let (observed, units) = pairwise_observed(ratings)?;
    let k = ratings.levels();
    let mut pi = vec![0.0; k];
    let mut rated = 0usize;
    for_each_unit_counts(ratings, 1, |m, counts, touched| {
        for &l in touched {
            pi[l] += f64::from(counts[l]) / m as f64;
        }
        rated += 1;
    });
    let chance = ac1_chance(&pi, rated as f64, k);
    Ok(Coefficient::new(observed, chance, units, true))
}

/// `Σ π_j (1 − π_j) / (k − 1)` from unnormalised `π` sums.
fn ac1_chance(pi_sums: &[f64], total: f64, k: usize) -> f64 {
    let s: f64 = pi_sums
        .iter()
        .map(|&x| {
            let p = x / total;
            p * (1.0 - p)
        })
        .sum();
    s / (k - 1) as f64
}

/// Brennan–Prediger over all raters (chance agreement `1 / k`, `k` declared levels).
pub fn brennan_prediger(ratings: &Ratings) -> Result<Coefficient> {
    let (observed, units) = pairwise_observed(ratings)?;
    let chance = 1.0 / ratings.levels() as f64;
    Ok(Coefficient::new(observed, chance, units, true))
}

/// Fleiss' kappa over the units rated by every rater.
pub fn fleiss_kappa(ratings: &Ratings) -> Result<FleissKappa> {
    let raters = ratings.raters();
    if raters < 2 {
        return Err(AgreementError::TooFewRaters { raters, needed: 2 });
    }
    let k = ratings.levels();
    let mut totals = vec![0u64; k];
    let mut p_sum = 0.0;
    let mut used = 0usize;
    let n = raters as u64;
    for_each_unit_counts(ratings, raters, |_, counts, touched| {
        let mut sq = 0u64;
        for &l in touched {
            let c = u64::from(counts[l]);
            sq += c * c;
            totals[l] += c;
        }
        p_sum += (sq - n) as f64 / (n * (n - 1)) as f64;
        used += 1;
    });
    if used == 0 {
        return Err(AgreementError::NoCompleteUnits { raters });
    }
    let all = (used as u64 * n) as f64;
    let chance: f64 = totals.iter().map(|&t| (t as f64 / all).powi(2)).sum();
    let observed = p_sum / used as f64;
    let occupied = totals.iter().filter(|&&t| t > 0).count();
    let c = Coefficient::new(observed, chance, used, occupied >= 2);
    Ok(FleissKappa {
        kappa: c.value,
        observed,
        chance,
        units_used: used,
        units_skipped: ratings.units() - used,
        raters,
        category_totals: totals,
    })
}

/// Fleiss' kappa for the raters who gave at least one level (the others are left out, their
/// indices returned), over the units all of those rated. With every rater taking part this is
/// [`fleiss_kappa`]; it equals statsmodels' `fleiss_kappa` on the aggregated table of those
/// raters and units.
pub fn fleiss_kappa_of_raters(ratings: &Ratings) -> (Vec<usize>, Result<FleissKappa>) {
    let raters = ratings.raters();
    let active: Vec<usize> = (0..raters)
        .filter(|&r| (0..ratings.units()).any(|u| ratings.rating(u, r).is_some()))
        .collect();
    let left_out: Vec<usize> = (0..raters).filter(|r| !active.contains(r)).collect();
    if left_out.is_empty() {
        return (left_out, fleiss_kappa(ratings));
    }
    let cells: Vec<Option<u16>> = ratings
        .unit_rows()
        .flat_map(|row| active.iter().map(move |&r| row[r]))
        .collect();
    let result = if active.is_empty() {
        Err(AgreementError::TooFewRaters {
            raters: 0,
            needed: 2,
        })
    } else {
        Ratings::new(ratings.values().to_vec(), active.len(), cells)
            .and_then(|sub| fleiss_kappa(&sub))
    };
    (left_out, result)
}

/// A two-rater contingency table over the declared levels.
struct Table {
    k: usize,
    /// `k × k`, row = rater a's level, column = rater b's level.
    counts: Vec<u64>,
    rows: Vec<u64>,
    cols: Vec<u64>,
    n: u64,
}

impl Table {
    fn build(ratings: &Ratings, a: usize, b: usize) -> Result<Self> {
        ratings.check_rater(a)?;
        ratings.check_rater(b)?;
        if a == b {
            return Err(AgreementError::SameRater { rater: a });
        }
        let k = ratings.levels();
        let mut t = Table {
            k,
            counts: vec![0; k * k],
            rows: vec![0; k],
            cols: vec![0; k],
            n: 0,
        };
        for row in ratings.unit_rows() {
            if let (Some(Some(x)), Some(Some(y))) = (row.get(a), row.get(b)) {
                let (x, y) = (usize::from(*x), usize::from(*y));
                t.counts[x * k + y] += 1;
                t.rows[x] += 1;
                t.cols[y] += 1;
                t.n += 1;
            }
        }
        if t.n == 0 {
            return Err(AgreementError::NoSharedUnits { a, b });
        }
        Ok(t)
    }

    fn percent(&self) -> f64 {
        let agree: u64 = (0..self.k).map(|i| self.counts[i * self.k + i]).sum();
        agree as f64 / self.n as f64
    }

    /// Both raters put every shared unit on the same single level.
    fn degenerate(&self) -> bool {
        let single = |v: &[u64]| v.iter().filter(|&&x| x > 0).count() == 1;
        single(&self.rows)
            && single(&self.cols)
            && self
                .rows
                .iter()
                .zip(&self.cols)
                .all(|(r, c)| (*r > 0) == (*c > 0))
    }

    fn cohen(&self, weighting: Weighting) -> Coefficient {
        let k = self.k;
        let n = self.n as f64;
        let mut po = 0.0;
        let mut pe = 0.0;
        for i in 0..k {
            if self.rows[i] == 0 {
                continue;
            }
            for j in 0..k {
                let w = weighting.weight(i, j, k);
                po += w * self.counts[i * k + j] as f64;
                pe += w * (self.rows[i] as f64) * (self.cols[j] as f64);
            }
        }
        Coefficient::new(po / n, pe / (n * n), self.n as usize, !self.degenerate())
    }

    fn pooled(&self) -> Vec<f64> {
        let two_n = 2.0 * self.n as f64;
        self.rows
            .iter()
            .zip(&self.cols)
            .map(|(r, c)| (r + c) as f64 / two_n)
            .collect()
    }

    fn scott(&self) -> Coefficient {
        let chance: f64 = self.pooled().iter().map(|p| p * p).sum();
        Coefficient::new(self.percent(), chance, self.n as usize, !self.degenerate())
    }

    fn ac1(&self) -> Coefficient {
        let pi = self.pooled();
        let chance = ac1_chance(&pi, 1.0, self.k);
        Coefficient::new(self.percent(), chance, self.n as usize, true)
    }

    fn brennan_prediger(&self) -> Coefficient {
        let chance = 1.0 / self.k as f64;
        Coefficient::new(self.percent(), chance, self.n as usize, true)
    }
}

/// Cohen's kappa between raters `a` and `b` over the units both rated.
pub fn cohen_kappa(
    ratings: &Ratings,
    a: usize,
    b: usize,
    weighting: Weighting,
) -> Result<Coefficient> {
    Ok(Table::build(ratings, a, b)?.cohen(weighting))
}

/// Scott's pi between raters `a` and `b` over the units both rated.
pub fn scott_pi(ratings: &Ratings, a: usize, b: usize) -> Result<Coefficient> {
    Ok(Table::build(ratings, a, b)?.scott())
}

/// Every two-rater measure for raters `a` and `b`, over the units both rated.
pub fn pair_agreement(ratings: &Ratings, a: usize, b: usize) -> Result<PairAgreement> {
    let t = Table::build(ratings, a, b)?;
    Ok(PairAgreement {
        rater_a: a,
        rater_b: b,
        shared_units: t.n as usize,
        percent: t.percent(),
        cohen_kappa: t.cohen(Weighting::Unweighted),
        linear_kappa: t.cohen(Weighting::Linear),
        quadratic_kappa: t.cohen(Weighting::Quadratic),
        scott_pi: t.scott(),
        gwet_ac1: t.ac1(),
        brennan_prediger: t.brennan_prediger(),
    })
}

/// Unweighted/weighted Cohen's kappa and percent agreement for one pair, or `None` when the
/// pair shares no unit (used by the rater matrix).
pub(crate) fn pair_percent_kappa(
    ratings: &Ratings,
    a: usize,
    b: usize,
    weighting: Weighting,
) -> Option<(usize, f64, Option<f64>)> {
    let t = Table::build(ratings, a, b).ok()?;
    Some((t.n as usize, t.percent(), t.cohen(weighting).value))
}
