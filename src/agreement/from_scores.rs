//! Reliability matrices from an assessment: for one criterion, the units it is rated on (the
//! commitments, or the milestones for milestone-scope criteria) × the chosen evaluators, each
//! cell the evaluator's level index on the rubric's declared scale (`None`: not rated,
//! "no rating", or a status, which is not on the scale).

use super::{AgreementError, Metric, Ratings, Result};
use crate::model::{Plan, Rubric, ScaleKind, Scope, Scores, Unit};

/// The matrix of one criterion, with what its rows and columns are.
#[derive(Debug, Clone)]
pub struct CriterionMatrix {
    /// Index of the criterion in the rubric.
    pub criterion: usize,
    /// The rows: every unit the criterion is rated on, in plan order.
    pub units: Vec<Unit>,
    /// The columns: evaluator indices (into `Scores::evaluators`).
    pub evaluators: Vec<u32>,
    /// The matrix, over the criterion's declared levels and their values; an error when the
    /// scale cannot carry agreement statistics (for example a single level).
    pub ratings: Result<Ratings>,
}

/// The metric that fits a criterion's scale: nominal for yes/no and nominal scales, ordinal
/// for ordinal ones.
pub fn metric_for(rubric: &Rubric, criterion: usize) -> Metric {
    match rubric.criteria.get(criterion).map(|c| c.kind) {
        Some(ScaleKind::Ordinal) => Metric::Ordinal,
        _ => Metric::Nominal,
    }
}

/// Builds the matrix of `criterion` for `evaluators` (indices into `Scores::evaluators`; a
/// rating by anyone else is ignored). One pass over the ratings; rows are found by index, not
/// by hashing.
pub fn criterion_matrix(
    plan: &Plan,
    rubric: &Rubric,
    scores: &Scores,
    criterion: usize,
    evaluators: &[u32],
) -> CriterionMatrix {
    let Some(c) = rubric.criteria.get(criterion) else {
        return CriterionMatrix {
            criterion,
            units: Vec::new(),
            evaluators: evaluators.to_vec(),
            ratings: Err(AgreementError::NoRaters),
        };
    };
    // The rows, and the row of each commitment's first unit.
    let mut units = Vec::new();
    let mut first_row = Vec::with_capacity(plan.commitments.len());
    for (ci, commitment) in plan.commitments.iter().enumerate() {
        let ci = u32::try_from(ci).unwrap_or(u32::MAX);
        first_row.push(units.len());
        match c.scope {
            Scope::Commitment => units.push(Unit {
                commitment: ci,
                milestone: None,
            }),
            Scope::Milestone => {
                units.extend((0..commitment.milestones.len()).map(|m| Unit {
                    commitment: ci,
                    milestone: Some(u32::try_from(m).unwrap_or(u32::MAX)),
                }));
            }
        }
    }
    let row_of = |unit: Unit| -> Option<usize> {
        let ci = unit.commitment as usize;
        let first = *first_row.get(ci)?;
        match (c.scope, unit.milestone) {
            (Scope::Commitment, None) => Some(first),
            (Scope::Milestone, Some(m)) => {
                let m = m as usize;
                (m < plan.commitments.get(ci)?.milestones.len()).then_some(first + m)
            }
            _ => None,
        }
    };
    let mut column_of = vec![None; scores.evaluators.len()];
    for (j, &e) in evaluators.iter().enumerate() {
        if let Some(slot) = column_of.get_mut(e as usize) {
            *slot = Some(j);
        }
    }
    let width = evaluators.len();
    let mut cells = vec![None; units.len() * width];
    let k = u16::try_from(criterion).unwrap_or(u16::MAX);
    for r in scores.ratings().iter().filter(|r| r.criterion == k) {
        let Some(Some(col)) = column_of.get(r.evaluator as usize) else {
            continue;
        };
        if let Some(cell) = row_of(r.unit()).and_then(|row| cells.get_mut(row * width + col)) {
            // A status (Withdrawn, No Evidence Available) is not a point on the scale: it is
            // left out, like "no rating".
            *cell = r.level().filter(|&l| c.is_level(usize::from(l)));
        }
    }
    let values = c.levels.iter().map(|l| l.value).collect();
    CriterionMatrix {
        criterion,
        units,
        evaluators: evaluators.to_vec(),
        ratings: Ratings::new(values, width, cells),
    }
}
