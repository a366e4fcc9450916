//! Combining several evaluators' levels for one unit and criterion into one, and rolling
//! milestones up to their commitment. Pure arithmetic on the model; documented in
//! docs/methodology.md §2.

use crate::model::{Combine, Criterion, RollUp, ScaleKind};

/// One criterion's result for one unit (a commitment or a milestone).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Combined {
    /// The combined number: a level's value, or for `mean` and roll-ups the average itself.
    /// `None` for a status.
    pub value: Option<f64>,
    /// The combined level: the level of `value`, or the level at or below it. `None` for a status.
    pub level: Option<usize>,
    /// The status the unit takes (an answer index past the levels, see
    /// [`Criterion::status_of`]), when most of the evaluators who answered gave it.
    pub status: Option<usize>,
    /// How many evaluators answered (a level or a status).
    pub ratings: usize,
    /// How many evaluators said "no rating".
    pub no_rating: usize,
    /// The lowest and highest level given (ordered scales only; statuses are not levels).
    pub min: Option<usize>,
    pub max: Option<usize>,
    /// `max − min`, in levels (ordered scales; for nominal scales 1 when evaluators differ).
    pub spread: Option<usize>,
    /// The spread reaches the rubric's threshold, or evaluators split between a status and
    /// something else.
    pub disagreement: bool,
    /// A level at or above the criterion's evidence threshold that no evaluator backed with evidence.
    pub unsupported: bool,
    /// The level (or status) is the one the coalition agreed (`role = "consensus"`), not the
    /// combination of the evaluators' answers.
    pub consensus: bool,
    /// Each evaluator's own answer (`None`: said "no rating"), in evaluator order. For a
    /// roll-up, each evaluator's own roll-up of the milestones they rated.
    pub by_evaluator: Vec<(u32, Option<u16>)>,
}

impl Combined {
    /// The level or status, as an answer index.
    pub fn answer(&self) -> Option<usize> {
        self.level.or(self.status)
    }
}

/// One evaluator's answers to a milestone-scope criterion: `(milestone weight, level)` per
/// milestone they answered.
pub type EvaluatorMilestones = (u32, Vec<(f64, Option<u16>)>);

/// The status more than half of `out_of` answers give, among `answers` (answer indices).
fn majority_status(
    c: &Criterion,
    answers: impl Iterator<Item = usize>,
    out_of: usize,
) -> Option<usize> {
    if c.statuses.is_empty() {
        return None;
    }
    let mut counts = vec![0usize; c.statuses.len()];
    for a in answers {
        if let Some(j) = c.status_of(a) {
            counts[j] += 1;
        }
    }
    counts
        .iter()
        .position(|&n| 2 * n > out_of)
        .map(|j| c.levels.len() + j)
}

/// Scales of at most this many levels have their given levels sorted by counting.
const SMALL_SCALE: usize = 16;

/// Combines the answers of several evaluators (`(evaluator, answer)`, `None` = no rating).
/// A status is never combined with levels: when most of those who answered give the same
/// status the unit takes it; otherwise the levels are combined and the split is a disagreement.
pub fn combine(c: &Criterion, answers: Vec<(u32, Option<u16>)>, threshold: u32) -> Combined {
    // The answers given (not "no rating"), without collecting them.
    let given = || answers.iter().filter_map(|(_, l)| l.map(usize::from));
    let n_given = given().count();
    let mut levels: Vec<usize> = Vec::with_capacity(n_given);
    if c.levels.len() <= SMALL_SCALE {
        // Sorted by counting: the same order as a sort, in one pass.
        let mut counts = [0u32; SMALL_SCALE];
        for l in given().filter(|&l| c.is_level(l)) {
            counts[l] += 1;
        }
        for (l, &n) in counts.iter().enumerate() {
            levels.extend(std::iter::repeat_n(l, n as usize));
        }
    } else {
        levels.extend(given().filter(|&l| c.is_level(l)));
        levels.sort_unstable();
    }
    let first = given().next();
    let mixed = given().any(|a| Some(a) != first) && levels.len() < n_given;
    let status = majority_status(c, given(), n_given);
    let mut out = Combined {
        ratings: n_given,
        no_rating: answers.len() - n_given,
        by_evaluator: answers,
        ..Combined::default()
    };
    if n_given == 0 {
        return out;
    }
    if let Some(s) = status {
        out.status = Some(s);
    } else if !levels.is_empty() {
        let (level, value) = combine_levels(c, &levels);
        out.level = Some(level);
        out.value = Some(value);
    }
    if let (Some(&lo), Some(&hi)) = (levels.first(), levels.last()) {
        if c.kind == ScaleKind::Nominal {
            out.spread = Some(usize::from(lo != hi));
        } else {
            out.min = Some(lo);
            out.max = Some(hi);
            out.spread = Some(hi - lo);
        }
    }
    out.disagreement = mixed || out.spread.is_some_and(|s| s > 0 && s >= threshold as usize);
    out
}

/// The combined level and value of levels (sorted, not empty) by the criterion's method.
fn combine_levels(c: &Criterion, levels: &[usize]) -> (usize, f64) {
    let value_of = |l: usize| c.levels.get(l).map_or(0.0, |x| x.value);
    let level = match c.combine {
        Combine::Median => levels[(levels.len() - 1) / 2],
        Combine::Min => levels[0],
        Combine::Max => levels[levels.len() - 1],
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
            best.0
        }
        Combine::Mean => {
            let mean = levels.iter().map(|&l| value_of(l)).sum::<f64>() / levels.len() as f64;
            return (c.level_at_or_below(mean), mean);
        }
    };
    (level, value_of(level))
}

/// Makes the coalition's agreed answer (`role = "consensus"`) the unit's level (or status) and
/// value, whatever the combining method; the evaluators' own answers stay as they are.
pub fn agree(c: &Criterion, comb: &mut Combined, answer: usize) {
    comb.consensus = true;
    if c.is_level(answer) {
        comb.level = Some(answer);
        comb.value = c.levels.get(answer).map(|l| l.value);
        comb.status = None;
    } else {
        comb.level = None;
        comb.value = None;
        comb.status = Some(answer);
    }
}

/// The level of a roll-up's weighted mean. With `roll_up = "strict-ends"`, the lowest level
/// only when every rated milestone is at it and the highest only when every one is.
fn roll_up_level(c: &Criterion, mean: f64, levels: &[usize]) -> usize {
    let l = c.level_at_or_below(mean);
    let top = c.levels.len().saturating_sub(1);
    if c.roll_up != RollUp::StrictEnds || top < 2 {
        return l;
    }
    let all_low = levels.iter().all(|&x| x == 0);
    let all_high = levels.iter().all(|&x| x == top);
    let l = if all_low { l } else { l.max(1) };
    if all_high { l } else { l.min(top - 1) }
}

/// Rolls milestone results up to the commitment: the weighted mean of the milestones' combined
/// values (milestones without a value, or with a status, left out), kept as a number and
/// mapped to a level (see [`roll_up_level`]). When no milestone has a level, the commitment
/// takes the status most of its milestones share. `per_evaluator` holds, for each evaluator,
/// `(milestone weight, answer)` of the milestones they rated; each evaluator's own roll-up gives
/// the commitment's spread.
pub fn roll_up(
    c: &Criterion,
    milestones: &[(f64, &Combined)],
    per_evaluator: &[EvaluatorMilestones],
    threshold: u32,
) -> Combined {
    let mut out = Combined::default();
    let (value, level, status) = mean_of(
        c,
        milestones
            .iter()
            .map(|(w, m)| (*w, m.level, m.value, m.status)),
    );
    out.value = value;
    out.level = level;
    out.status = status;
    out.unsupported = milestones.iter().any(|(_, m)| m.unsupported);
    let mut mixed = false;
    for (e, answers) in per_evaluator {
        let (_, own_level, own_status) = mean_of(
            c,
            answers.iter().map(|(w, a)| {
                let a = a.map(usize::from);
                let level = a.filter(|&l| c.is_level(l));
                let status = a.filter(|&l| !c.is_level(l));
                (
                    *w,
                    level,
                    level.and_then(|l| c.levels.get(l).map(|x| x.value)),
                    status,
                )
            }),
        );
        let own = own_level
            .or(own_status)
            .map(|l| u16::try_from(l).unwrap_or(u16::MAX));
        out.by_evaluator.push((*e, own));
        match (own_level, own_status) {
            (Some(l), _) => {
                out.ratings += 1;
                out.min = Some(out.min.map_or(l, |m| m.min(l)));
                out.max = Some(out.max.map_or(l, |m| m.max(l)));
            }
            (None, Some(_)) => {
                out.ratings += 1;
                mixed = true;
            }
            (None, None) => out.no_rating += 1,
        }
    }
    // Evaluators whose own roll-up is a status, beside others with a level or another status.
    let answered: Vec<u16> = out.by_evaluator.iter().filter_map(|(_, a)| *a).collect();
    mixed = mixed && answered.iter().any(|&a| a != answered[0]);
    if let (Some(lo), Some(hi)) = (out.min, out.max) {
        out.spread = Some(hi - lo);
        out.disagreement = hi - lo > 0 && hi - lo >= threshold as usize;
    }
    out.disagreement |= mixed;
    out
}

/// The weighted mean of `(weight, level, value, status)` items with a value, its level, and,
/// when no item has a level, the status more than half of all the items have (items with
/// neither a value nor a status count too: one Withdrawn milestone of three unrated ones does
/// not make the commitment Withdrawn).
fn mean_of(
    c: &Criterion,
    items: impl Iterator<Item = (f64, Option<usize>, Option<f64>, Option<usize>)>,
) -> (Option<f64>, Option<usize>, Option<usize>) {
    let (mut sum, mut weights) = (0.0, 0.0);
    let mut levels = Vec::new();
    let mut statuses = Vec::new();
    let mut count = 0;
    for (w, level, value, status) in items {
        count += 1;
        if let Some(v) = value {
            sum += w * v;
            weights += w;
            if let Some(l) = level {
                levels.push(l);
            }
        } else if let Some(s) = status {
            statuses.push(s);
        }
    }
    if weights > 0.0 {
        let mean = sum / weights;
        return (Some(mean), Some(roll_up_level(c, mean, &levels)), None);
    }
    (
        None,
        None,
        majority_status(c, statuses.iter().copied(), count),
    )
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
            statuses: Vec::new(),
            roll_up: RollUp::WeightedMean,
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
        let r = combine(&c, answers(&[Some(3), Some(1)]), 2);
        assert_eq!(
            (r.level, r.value, r.spread, r.disagreement),
            (Some(1), Some(1.0), Some(2), true)
        );
        let r = combine(&c, answers(&[Some(3), Some(1), Some(2)]), 2);
        assert_eq!(r.level, Some(2));
    }

    #[test]
    fn mean_keeps_the_number_and_never_rounds_up() {
        let c = criterion(Combine::Mean, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        let r = combine(&c, answers(&[Some(3), Some(2), Some(2)]), 2);
        assert_eq!(r.level, Some(2));
        assert!((r.value.unwrap() - 7.0 / 3.0).abs() < 1e-12);
        // Uneven values: mean 5.5 lies between 5 (level 1) and 10 (level 2).
        let c = criterion(Combine::Mean, ScaleKind::Ordinal, &[0.0, 5.0, 10.0]);
        let r = combine(&c, answers(&[Some(1), Some(2), Some(1), Some(1)]), 9);
        assert_eq!((r.level, r.value), (Some(1), Some(6.25)));
    }

    #[test]
    fn mode_ties_go_to_the_lower_level_and_min_max_work() {
        let c = criterion(Combine::Mode, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(
            combine(&c, answers(&[Some(2), Some(0), Some(2), Some(0)]), 2).level,
            Some(0)
        );
        assert_eq!(
            combine(&c, answers(&[Some(2), Some(1), Some(2)]), 2).level,
            Some(2)
        );
        let c = criterion(Combine::Min, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(combine(&c, answers(&[Some(2), Some(1)]), 2).level, Some(1));
        let c = criterion(Combine::Max, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        assert_eq!(combine(&c, answers(&[Some(2), Some(1)]), 2).level, Some(2));
    }

    #[test]
    fn no_rating_is_counted_but_never_combined() {
        let c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0]);
        let r = combine(&c, answers(&[None, Some(2), None]), 2);
        assert_eq!((r.level, r.ratings, r.no_rating), (Some(2), 1, 2));
        let r = combine(&c, answers(&[None]), 2);
        assert_eq!((r.level, r.value, r.spread), (None, None, None));
    }

    #[test]
    fn nominal_spread_only_says_whether_evaluators_differ() {
        let c = criterion(Combine::Mode, ScaleKind::Nominal, &[0.0, 1.0, 2.0]);
        let r = combine(&c, answers(&[Some(0), Some(2), Some(2)]), 1);
        assert_eq!(
            (r.level, r.spread, r.min, r.disagreement),
            (Some(2), Some(1), None, true)
        );
    }

    #[test]
    fn roll_up_is_the_weighted_mean_mapped_down() {
        let c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        let m1 = combine(&c, answers(&[Some(3)]), 2);
        let m2 = combine(&c, answers(&[Some(1)]), 2);
        let none = combine(&c, answers(&[None]), 2);
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

    fn with_status(mut c: Criterion) -> Criterion {
        c.statuses = vec![crate::model::Status {
            label: "Withdrawn".into(),
            description: None,
        }];
        c
    }

    #[test]
    fn a_status_needs_more_than_half_of_the_answers() {
        let c = with_status(criterion(
            Combine::Median,
            ScaleKind::Ordinal,
            &[0.0, 1.0, 2.0, 3.0],
        ));
        let w = 4; // the status's answer index: past the four levels
        // Half is not most: the levels given are combined, and the split is a disagreement.
        let r = combine(&c, answers(&[Some(w), Some(w), Some(3), Some(3)]), 2);
        assert_eq!((r.level, r.status, r.spread), (Some(3), None, Some(0)));
        assert!(r.disagreement);
        let r = combine(&c, answers(&[Some(w), Some(w), Some(3), None]), 2);
        assert_eq!((r.level, r.value, r.status), (None, None, Some(4)));
        assert_eq!((r.ratings, r.no_rating, r.disagreement), (3, 1, true));
        // Unanimous: no disagreement.
        let r = combine(&c, answers(&[Some(w), Some(w)]), 2);
        assert_eq!((r.status, r.disagreement), (Some(4), false));
    }

    #[test]
    fn strict_ends_keep_a_mixed_roll_up_off_the_ends() {
        let mut c = criterion(Combine::Median, ScaleKind::Ordinal, &[0.0, 1.0, 2.0, 3.0]);
        c.roll_up = RollUp::StrictEnds;
        let m = |l: u16| combine(&c, answers(&[Some(l)]), 2);
        let (a, b, z) = (m(2), m(1), m(0));
        let r = roll_up(&c, &[(1.0, &a), (1.0, &b), (1.0, &z), (1.0, &z)], &[], 2);
        assert_eq!((r.level, r.value), (Some(1), Some(0.75)));
        let top = m(3);
        let r = roll_up(
            &c,
            &[(1.0, &top), (1.0, &top), (1.0, &top), (1.0, &a)],
            &[],
            2,
        );
        assert_eq!((r.level, r.value), (Some(2), Some(2.75)));
        // A milestone with a status is left out of the mean.
        let c = with_status(c);
        let w = combine(&c, answers(&[Some(4)]), 2);
        let top = combine(&c, answers(&[Some(3)]), 2);
        let r = roll_up(&c, &[(1.0, &top), (5.0, &w)], &[], 2);
        assert_eq!((r.level, r.value, r.status), (Some(3), Some(3.0), None));
        let r = roll_up(&c, &[(1.0, &w), (1.0, &w)], &[], 2);
        assert_eq!((r.level, r.status), (None, Some(4)));
        // A status needs more than half of all the milestones, rated or not.
        let unrated = combine(&c, answers(&[None]), 2);
        let r = roll_up(&c, &[(1.0, &w), (1.0, &w), (1.0, &unrated)], &[], 2);
        assert_eq!((r.level, r.status), (None, Some(4)));
        let r = roll_up(&c, &[(1.0, &w), (1.0, &unrated)], &[], 2);
        assert_eq!((r.level, r.value, r.status), (None, None, None));
    }
}
