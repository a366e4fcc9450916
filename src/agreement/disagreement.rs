//! Where the disagreement is: units ranked by the spread of their ratings, and the
//! evaluator × evaluator agreement matrix with each evaluator's mean agreement with the others.

use serde::Serialize;

use super::Ratings;
use super::kappa::{Weighting, pair_percent_kappa};

/// One unit's spread of ratings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSpread {
    /// Unit index (row of the matrix).
    pub unit: usize,
    /// `max − min` of the level indices given.
    pub spread: u16,
    /// Lowest level index given.
    pub min: u16,
    /// Highest level index given.
    pub max: u16,
    /// Number of ratings the unit received.
    pub ratings: usize,
    /// Each rater's level index (`None` = not rated), in rater order.
    pub levels: Vec<Option<u16>>,
}

/// Ranks the units with at least two ratings by spread (`max − min` level index), widest first;
/// ties keep unit order. Units with fewer than two ratings are left out.
pub fn rank_units_by_spread(ratings: &Ratings) -> Vec<UnitSpread> {
    let mut out: Vec<UnitSpread> = ratings
        .unit_rows()
        .enumerate()
        .filter_map(|(unit, row)| {
            let mut it = row.iter().flatten().copied();
            let first = it.next()?;
            let (mut min, mut max, mut count) = (first, first, 1usize);
            for l in it {
                min = min.min(l);
                max = max.max(l);
                count += 1;
            }
            (count >= 2).then(|| UnitSpread {
                unit,
                spread: max - min,
                min,
                max,
                ratings: count,
                levels: row.to_vec(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.spread.cmp(&a.spread).then(a.unit.cmp(&b.unit)));
    out
}

/// Agreement between two raters, over the units both rated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RaterPair {
    /// Units both rated (on the diagonal: units this rater rated).
    pub shared_units: usize,
    /// Share of shared units with the same level; `None` on the diagonal or with no shared unit.
    pub percent: Option<f64>,
    /// Cohen's kappa with the matrix's weighting; `None` on the diagonal, with no shared unit,
    /// or when undefined (both raters used one and the same level throughout).
    pub kappa: Option<f64>,
}

/// Evaluator × evaluator agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterMatrix {
    /// Number of raters.
    pub raters: usize,
    /// Weighting used for the kappas.
    pub weighting: Weighting,
    /// `raters × raters`, row-major: `pairs[a * raters + b]`; symmetric.
    pub pairs: Vec<RaterPair>,
    /// Each rater's mean percent agreement with the other raters (unweighted mean over the raters
    /// sharing at least one unit with them); `None` if they share no unit with anyone.
    pub mean_percent: Vec<Option<f64>>,
    /// Each rater's mean kappa with the other raters (over the pairs where kappa is defined).
    pub mean_kappa: Vec<Option<f64>>,
}

impl RaterMatrix {
    /// The cell for raters `a` and `b`; `None` if out of range.
    pub fn get(&self, a: usize, b: usize) -> Option<&RaterPair> {
        if a >= self.raters || b >= self.raters {
            return None;
        }
        self.pairs.get(a * self.raters + b)
    }

    /// Raters ordered from the one who departs most from the others (lowest mean percent
    /// agreement) to the one who departs least; raters with no shared unit come last. Ties keep
    /// rater order.
    pub fn departure_ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.raters).collect();
        order.sort_by(|&a, &b| {
            let key = |r: usize| self.mean_percent.get(r).copied().flatten();
            match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(&b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(&b),
            }
        });
        order
    }

    /// The rater with the lowest mean percent agreement with the others, if any.
    pub fn most_departing(&self) -> Option<usize> {
        self.departure_ranking()
            .first()
            .copied()
            .filter(|&r| self.mean_percent.get(r).copied().flatten().is_some())
    }
}

/// Builds the evaluator × evaluator matrix of percent agreement and Cohen's kappa (with
/// `weighting`), with the count of shared units for every pair.
pub fn rater_agreement_matrix(ratings: &Ratings, weighting: Weighting) -> RaterMatrix {
    let r = ratings.raters();
    let empty = RaterPair {
        shared_units: 0,
        percent: None,
        kappa: None,
    };
    let mut pairs = vec![empty; r * r];
    for a in 0..r {
        let rated = ratings
            .unit_rows()
            .filter(|row| row.get(a).copied().flatten().is_some())
            .count();
        pairs[a * r + a].shared_units = rated;
        for b in a + 1..r {
            if let Some((shared, percent, kappa)) = pair_percent_kappa(ratings, a, b, weighting) {
                let cell = RaterPair {
                    shared_units: shared,
                    percent: Some(percent),
                    kappa,
                };
                pairs[a * r + b] = cell;
                pairs[b * r + a] = cell;
            }
        }
    }
    let mean = |a: usize, pick: &dyn Fn(&RaterPair) -> Option<f64>| -> Option<f64> {
        let vals: Vec<f64> = (0..r)
            .filter(|&b| b != a)
            .filter_map(|b| pick(&pairs[a * r + b]))
            .collect();
        (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
    };
    let mean_percent = (0..r).map(|a| mean(a, &|p| p.percent)).collect();
    let mean_kappa = (0..r).map(|a| mean(a, &|p| p.kappa)).collect();
    RaterMatrix {
        raters: r,
        weighting,
        pairs,
        mean_percent,
        mean_kappa,
    }
}
