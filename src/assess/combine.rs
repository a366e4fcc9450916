//! Combining several evaluators' levels for one unit and criterion into one, and rolling
//! milestones up to their commitment. Pure arithmetic on the model; documented in
//! docs/methodology.md §2.

use crate::model::{Combine, Criterion, ScaleKind};

/// One criterion's result for one unit (a commitment or a milestone).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Combined {
    /// The combined number: a level's value, or for `mean` and roll-ups the average itself.
    pub value: Option<f64>,
    /// The combined level: the level of `value`, or the level at or below it.
    pub level: Option<usize>,
    /// How many evaluators gave a level.
    pub ratings: usize,
    /// How many evaluators said "no rating".
    pub no_rating: usize,
    /// The lowest and highest level given (ordered scales only).
    pub min: Option<usize>,
    pub max: Option<usize>,
    /// `max − min`, in levels (ordered scales; for nominal scales 1 when evaluators differ).
    pub spread: Option<usize>,
    pub disagreement: bool,
    /// A level at or above the criterion's evidence threshold that no evaluator backed with evidence.
    pub unsupported: bool,
    /// Each evaluator's own level (`None`: said "no rating"), in evaluator order. For a
    /// roll-up, each evaluator's own roll-up of the milestones they rated.
    pub by_evaluator: Vec<(u32, Option<u16>)>,
}

/// One evaluator's answers to a milestone-scope criterion: `(milestone weight, level)` per
/// milestone they answered.
pub type EvaluatorMilestones = (u32, Vec<(f64, Option<u16>)>);

/// Combines the answers of several evaluators (`(evaluator, level)`, `None` = no rating).
pub fn combine(c: &Criterion, answers: &[(u32, Option<u16>)], threshold: u32) -> Combined {
    let mut levels: Vec<usize> = answers
        .iter()
        .filter_map(|(_, l)| l.map(usize::from))
        .collect();
    levels.sort_unstable();
    let mut out = Combined {
        ratings: levels.len(),
        no_rating: answers.len() - levels.len(),
        by_evaluator: answers.to_vec(),
        ..Combined::default()
    };
    if levels.is_empty() {
        return out;
    }
    let value_of = |l: usize| c.levels.get(l).map_or(0.0, |x| x.value);
    let level = match c.combine {
        Combine::Median => Some(levels[(levels.len() - 1) / 2]),
        Combine::Min => levels.first().copied(),
        Combine::Max => levels.last().copied(),
        Combine::Mode => {
            // Ties go to the lower level (for nominal scales: the level declared first).
            let mut best = (0usize, 0usize);
            let mut i = 0;
            while i < levels.len() {
                let j = levels[i..].iter().take_while(|&&l| l == levels[i]).count();
                if j > best.1 {
                    best = (levels[i], j);
                }
                i += j;
            }
            Some(best.0)
        }
        Combine::Mean => None,
    };
    match level {
        Some(l) => {
            out.level = Some(l);
            out.value = Some(value_of(l));
        }
        None => {
            let mean = levels.iter().map(|&l| value_of(l)).sum::<f64>() / levels.len() as f64;
            out.value = Some(mean);
            out.level = Some(c.level_at_or_below(mean));
        }
    }
    let (lo, hi) = (levels[0], levels[levels.len() - 1]);
    if c.kind == ScaleKind::Nominal {
        out.spread = Some(usize::from(lo != hi));
    } else {
        out.min = Some(lo);
        out.max = Some(hi);
        out.spread = Some(hi - lo);
    }
    out.disagreement = out.spread.is_some_and(|s| s > 0 && s >= threshold as usize);
    out
}

/// Rolls milestone results up to the commitment: the weighted mean of the milestones' combined
/// values (milestones without a value left out), kept as a number and mapped down to a level.
/// `per_evaluator` holds, for each evaluator, `(milestone weight, level)` of the milestones they
/// rated; each evaluator's own roll-up gives the commitment's spread.
pub fn roll_up(
    c: &Criterion,
    milestones: &[(f64, &Combined)],
    per_evaluator: &[EvaluatorMilestones],
    threshold: u32,
) -> Combined {
    let value_of = |l: u16| c.levels.get(usize::from(l)).map_or(0.0, |x| x.value);
    let mut out = Combined::default();
    let (mut sum, mut weights) = (0.0, 0.0);
    for (w, m) in milestones {
        if let Some(v) = m.value {
            sum += w * v;
            weights += w;
        }
    }
    if weights > 0.0 {
        let mean = sum / weights;
        out.value = Some(mean);
        out.level = Some(c.level_at_or_below(mean));
    }
    out.unsupported = milestones.iter().any(|(_, m)| m.unsupported);
    for (e, answers) in per_evaluator {
        let (mut s, mut w) = (0.0, 0.0);
        for (weight, level) in answers {
            if let Some(l) = level {
                s += weight * value_of(*l);
                w += weight;
            }
        }
        let own = (w > 0.0).then(|| u16::try_from(c.level_at_or_below(s / w)).unwrap_or(u16::MAX));
        out.by_evaluator.push((*e, own));
        match own {
            Some(l) => {
                let l = usize::from(l);
                out.ratings += 1;
                out.min = Some(out.min.map_or(l, |m| m.min(l)));
                out.max = Some(out.max.map_or(l, |m| m.max(l)));
            }
            None => out.no_rating += 1,
        }
    }
    if let (Some(lo), Some(hi)) = (out.min, out.max) {
        out.spread = Some(hi - lo);
        out.disagreement = hi - lo > 0 && hi - lo >= threshold as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Scope};

    fn criterion(combine: Combine, kind: ScaleKind, values: &[f64]) -> Criterion {
        Criterion {
            id: "c".into(),
            name: "C".into(),
            question: "?".into(),
            kind,
            levels: values
                .iter()
                .enumerate()
                .map(|(i, &v)| Level {
                    label: format!("L{i}"),
                    value: v,
                    description: None,
                })
                .collect(),
            scope: Scope::Commitment,
            combine,
            weight: 1.0,
            evidence_from: None,
        }
    }

    fn answers(levels: &[Option<u16>]) -> Vec<(u32, Option<u16>)> {
        levels
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, l))
            .collect()
    }

    #[test]
    fn median_takes_the_lower_middle_of_an_even_count() {
        let c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        let r = combine(&c, &answers(&[Some(3), Some(1)]), 2);
        assert_eq!(
            (r.level, r.value, r.spread, r.disagreement),
            (Some(1), Some(1.0), Some(2), true)
        );
        let r = combine(&c, &answers(&[Some(3), Some(1), Some(2)]), 2);
        assert_eq!(r.level, Some(2));
    }

    #[test]
    fn mean_keeps_the_number_and_never_rounds_up() {
        let c = criterion(Combine::Mean, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        let r = combine(&c, &answers(&[Some(3), Some(2), Some(2)]), 2);
        assert_eq!(r.level, Some(2));
        assert!((r.value.unwrap() - 7.0 / 3.0).abs() < 1e-12);
        // Uneven values: mean 5.5 lies between 5 (level 1) and 10 (level 2).
        let c = criterion(Combine::Mean, ScaleKind::Ordinal, &[0.0, 5.0, 10.0]);
        let r = combine(&c, &answers(&[Some(1), Some(2), Some(1), Some(1)]), 9);
        assert_eq!((r.level, r.value), (Some(1), Some(6.25)));
    }

    #[test]
    fn mode_ties_go_to_the_lower_level_and_min_max_work() {
        let c = criterion(Combine::Mode, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(
            combine(&c, &answers(&[Some(2), Some(0), Some(2), Some(0)]), 2).level,
            Some(0)
        );
        assert_eq!(
            combine(&c, &answers(&[Some(2), Some(1), Some(2)]), 2).level,
            Some(2)
        );
        let c = criterion(Combine::Min, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(combine(&c, &answers(&[Some(2), Some(1)]), 2).level, Some(1));
        let c = criterion(Combine::Max, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(combine(&c, &answers(&[Some(2), Some(1)]), 2).level, Some(2));
    }

    #[test]
    fn no_rating_is_counted_but_never_combined() {
        let c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        let r = combine(&c, &answers(&[None, Some(2), None]), 2);
        assert_eq!((r.level, r.ratings, r.no_rating), (Some(2), 1, 2));
        let r = combine(&c, &answers(&[None]), 2);
        assert_eq!((r.level, r.value, r.spread), (None, None, None));
    }

    #[test]
    fn nominal_spread_only_says_whether_evaluators_differ() {
        let c = criterion(Combine::Mode, ScaleKind::Nominal, &[0.0, 1.0, 2.0]);
        let r = combine(&c, &answers(&[Some(0), Some(2), Some(2)]), 1);
        assert_eq!(
            (r.level, r.spread, r.min, r.disagreement),
            (Some(2), Some(1), None, true)
        );
    }

    #[test]
    fn roll_up_is_the_weighted_mean_mapped_down() {
        let c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        let m1 = combine(&c, &answers(&[Some(3)]), 2);
        let m2 = combine(&c, &answers(&[Some(1)]), 2);
        let none = combine(&c, &answers(&[None]), 2);
        let per = vec![
            (0, vec![(1.0, Some(3)), (2.0, Some(1))]),
            (1, vec![(2.0, None)]),
        ];
        let r = roll_up(&c, &[(1.0, &m1), (2.0, &m2), (5.0, &none)], &per, 2);
        assert!((r.value.unwrap() - 5.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.level, Some(1));
        assert_eq!(r.by_evaluator, vec![(0, Some(1)), (1, None)]);
        assert_eq!((r.ratings, r.no_rating), (1, 1));
    }
}
