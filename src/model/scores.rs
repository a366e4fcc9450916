//! The evaluators' ratings, resolved against the plan and rubric: compact records that point at
//! commitments, milestones, criteria and levels by index, and at the file line they came from.

use crate::source::FileId;

/// What was rated: a commitment, or one of its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    pub commitment: u32,
    /// `None` for the commitment itself.
    pub milestone: Option<u32>,
}

/// One evaluator's answer to one criterion for one unit. Kept small (24 bytes): an assessment
/// can hold millions of them, and every byte of each is memory to fill, copy and give back (2.4
/// million ratings took 77 MB at 32 bytes each). So the unit and the level, optional both, are
/// held without an `Option`'s tag and read through [`Rating::unit`] and [`Rating::level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub evaluator: u32,
    commitment: u32,
    /// The milestone's index plus 1, or 0 for the commitment itself.
    milestone: u32,
    pub line: u32,
    pub criterion: u16,
    /// The level index, or [`NO_LEVEL`] for an explicit "no rating".
    level: u16,
    pub file: FileId,
    /// Whether the row cited evidence (a non-empty `evidence` cell).
    pub evidence: bool,
}

/// [`Rating::level`] as held for an explicit "no rating" (`n/a`, `ND`, …): never a level's or
/// status's index, as a scale has at most [`crate::load::MAX_LEVELS`] answers.
const NO_LEVEL: u16 = u16::MAX;

const _: () = assert!(std::mem::size_of::<Rating>() == 24);

impl Rating {
    /// `level`: the index of a level or status of the criterion, or `None` for an explicit "no
    /// rating". The rubric loader keeps every index below [`u16::MAX`], the value that stands
    /// for "no rating" here.
    #[inline]
    pub fn new(
        evaluator: u32,
        unit: Unit,
        criterion: u16,
        level: Option<u16>,
        evidence: bool,
        file: FileId,
        line: u32,
    ) -> Rating {
        Rating {
            evaluator,
            commitment: unit.commitment,
            milestone: Rating::order_of(unit.milestone),
            line,
            criterion,
            level: level.unwrap_or(NO_LEVEL),
            evidence,
            file,
        }
    }

    /// A unit's milestone as [`Rating::milestone_order`] gives it.
    #[inline]
    pub fn order_of(milestone: Option<u32>) -> u32 {
        // A plan has at most `MAX_UNITS` milestones, far below `u32::MAX`.
        milestone.map_or(0, |m| m.saturating_add(1))
    }

    /// The milestone's index plus 1, or 0 for the commitment itself: in the order of
    /// `unit().milestone` (`None` first), for sorting and grouping without unpacking the unit.
    #[inline]
    pub fn milestone_order(&self) -> u32 {
        self.milestone
    }

    /// What was rated.
    #[inline]
    pub fn unit(&self) -> Unit {
        Unit {
            commitment: self.commitment,
            milestone: self.milestone.checked_sub(1),
        }
    }

    /// The level index, or `None` for an explicit "no rating" (`n/a`, `ND`, …).
    #[inline]
    pub fn level(&self) -> Option<u16> {
        (self.level != NO_LEVEL).then_some(self.level)
    }

    /// Makes the rating one of `unit` (for tests: ratings are made once, by [`Rating::new`]).
    #[cfg(test)]
    pub fn set_unit(&mut self, unit: Unit) {
        self.commitment = unit.commitment;
        self.milestone = Rating::order_of(unit.milestone);
    }
}

/// Free text an evaluator wrote about a unit: evidence, comment and next steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub evaluator: u32,
    pub unit: Unit,
    /// The criterion the note belongs to (long form), or `None` for a whole row (wide form).
    pub criterion: Option<u16>,
    /// Indices into [`Scores::texts`] (0 is the empty text).
    pub evidence: u32,
    pub comment: u32,
    pub next_steps: u32,
    pub file: FileId,
    pub line: u32,
}

/// Every rating of an assessment.
#[derive(Debug, Clone)]
pub struct Scores {
    /// Evaluator ids, in order of first appearance.
    pub evaluators: Vec<String>,
    /// Read through [`Scores::ratings`], changed through [`Scores::ratings_mut`] (which forgets
    /// the runs found so far).
    ratings: Vec<Rating>,
    pub notes: Vec<Note>,
    /// The distinct texts of the notes (each stored once; index 0 is the empty text).
    pub texts: Vec<String>,
    text_index: std::collections::HashMap<String, u32>,
    /// A reference evaluator's ratings that the plan's rubric cannot hold as they are (see
    /// [`ReferenceView`]): set beside the coalition's, never combined.
    pub reference_views: Vec<ReferenceView>,
    /// [`Scores::runs`] as last found, with the number of commitments it was found for: the
    /// checks after loading and the engine each need it, and it is a pass over every rating.
    /// Forgotten whenever the ratings may change ([`Scores::ratings_mut`]).
    runs: std::sync::OnceLock<(usize, Option<Vec<usize>>)>,
}

/// One rating of a reference evaluator (the IRM) that the coalition's rubric cannot hold as it
/// is: a criterion the rubric lacks (`did-it-open-government` beside `check-my-ogp`), a level
/// outside the criterion's scale, or a rating of the whole commitment for a criterion the
/// rubric rates per milestone. Kept as written, to be shown as the reference evaluator's view.
#[derive(Debug, Clone)]
pub struct ReferenceView {
    pub evaluator: u32,
    pub commitment: u32,
    /// The criterion as the file names it.
    pub criterion: String,
    /// The level as the file writes it.
    pub level: String,
    /// The file it was read from.
    pub file: crate::source::FileId,
}

impl Default for Scores {
    fn default() -> Self {
        Scores {
            evaluators: Vec::new(),
            ratings: Vec::new(),
            notes: Vec::new(),
            texts: vec![String::new()],
            text_index: std::collections::HashMap::from([(String::new(), 0)]),
            reference_views: Vec::new(),
            runs: std::sync::OnceLock::new(),
        }
    }
}

/// [`Scores::runs`] of `ratings`, the ratings from `mid` on (when given) looked at on a
/// second thread: the same offsets either way.
fn runs_split(ratings: &[Rating], commitments: usize, mid: Option<usize>) -> Option<Vec<usize>> {
    let mut offsets = Vec::with_capacity(commitments + 1);
    offsets.push(0);
    let mut next = 1;
    match mid.filter(|&m| m > 0 && m < ratings.len()) {
        None => {
            if !starts(ratings, 0, commitments, &mut next, &mut offsets) {
                return None;
            }
        }
        Some(mid) => {
            let (first, second) = ratings.split_at(mid);
            // The second part records where each commitment after its first one starts.
            let c0 = second[0].unit().commitment as usize;
            let (ok, (theirs, their_next)) = crate::par::join(
                || starts(first, 0, commitments, &mut next, &mut offsets),
                || {
                    let (mut out, mut next) = (Vec::new(), c0 + 1);
                    let ok = starts(second, mid, commitments, &mut next, &mut out);
                    (ok.then_some(out), next)
                },
            );
            // The first part must end at or before the commitment the second starts with.
            let theirs = theirs.filter(|_| ok && c0 + 1 >= next)?;
            while next <= c0 {
                offsets.push(mid);
                next += 1;
            }
            offsets.extend(theirs);
            next = their_next;
        }
    }
    while next <= commitments {
        offsets.push(ratings.len());
        next += 1;
    }
    Some(offsets)
}

/// Pushes onto `offsets` where each commitment from `next` on starts among `ratings` (the
/// first of them at index `at`), moving `next` past the last commitment seen; `false` when a
/// rating names a commitment past `commitments` or comes after a later commitment's.
fn starts(
    ratings: &[Rating],
    at: usize,
    commitments: usize,
    next: &mut usize,
    offsets: &mut Vec<usize>,
) -> bool {
    for (i, r) in ratings.iter().enumerate() {
        let c = r.unit().commitment as usize;
        if c >= commitments {
            return false;
        }
        // Commitments before `c` (and after the last one seen) end here.
        while *next <= c {
            offsets.push(at + i);
            *next += 1;
        }
        if c + 1 < *next {
            // `c` comes after a later commitment's ratings.
            return false;
        }
    }
    true
}

/// Rating indices grouped by commitment (see [`Scores::by_commitment`]).
#[derive(Debug, Clone)]
pub struct ByCommitment {
    offsets: Vec<usize>,
    indices: Vec<u32>,
}

impl ByCommitment {
    /// The indices of commitment `c`'s ratings, in file order.
    pub fn of(&self, c: usize) -> &[u32] {
        match (self.offsets.get(c), self.offsets.get(c + 1)) {
            (Some(&a), Some(&b)) => &self.indices[a..b],
            _ => &[],
        }
    }
}

impl Scores {
    /// Where each commitment's ratings are when the ratings come in commitment order (as files
    /// usually list them): commitment `c`'s are `ratings[runs[c]..runs[c + 1]]`. Found in one
    /// pass over the ratings, with no index per rating (the two halves of a large assessment
    /// on two threads); `None` when they are in any other order, or name a commitment past
    /// `commitments` (then see [`Scores::by_commitment`]).
    /// Found once for a given number of commitments, and kept until the ratings change.
    pub fn runs(&self, commitments: usize) -> Option<Vec<usize>> {
        let find = || {
            let len = self.ratings.len();
            let mid = (len >= crate::load::TWO_THREADS_MIN).then_some(len / 2);
            runs_split(&self.ratings, commitments, mid)
        };
        let (for_commitments, runs) = self.runs.get_or_init(|| (commitments, find()));
        if *for_commitments == commitments {
            runs.clone()
        } else {
            find()
        }
    }

    /// The ratings, in the order they were read.
    pub fn ratings(&self) -> &[Rating] {
        &self.ratings
    }

    /// The ratings, to add to or change: forgets the runs found so far ([`Scores::runs`]).
    pub fn ratings_mut(&mut self) -> &mut Vec<Rating> {
        self.runs = std::sync::OnceLock::new();
        &mut self.ratings
    }

    /// Groups the ratings by commitment in one pass (a counting sort), so that per-commitment
    /// work on millions of ratings needs no global sort.
    pub fn by_commitment(&self, commitments: usize) -> ByCommitment {
        let buckets = commitments.max(1);
        let key = |r: &Rating| (r.unit().commitment as usize).min(buckets - 1);
        let mut offsets = vec![0usize; buckets + 1];
        for r in &self.ratings {
            offsets[key(r) + 1] += 1;
        }
        for b in 0..buckets {
            offsets[b + 1] += offsets[b];
        }
        let mut next = offsets.clone();
        let mut indices = vec![0u32; self.ratings.len()];
        for (i, r) in self.ratings.iter().enumerate() {
            let b = key(r);
            indices[next[b]] = u32::try_from(i).unwrap_or(u32::MAX);
            next[b] += 1;
        }
        ByCommitment { offsets, indices }
    }

    /// Stores a text once and returns its index.
    pub fn intern_text(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.text_index.get(text) {
            return i;
        }
        let i = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.to_string());
        self.text_index.insert(text.to_string(), i);
        i
    }

    /// A note's text by index.
    pub fn text(&self, index: u32) -> &str {
        self.texts.get(index as usize).map_or("", String::as_str)
    }

    pub fn evaluator_index(&self, id: &str) -> Option<u32> {
        self.evaluators
            .iter()
            .position(|e| e == id)
            .and_then(|i| u32::try_from(i).ok())
    }

    pub fn evaluator_name(&self, index: u32) -> &str {
        self.evaluators
            .get(index as usize)
            .map_or("?", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rating_holds_its_unit_and_level_as_given() {
        use super::{Rating, Unit};
        for milestone in [None, Some(0), Some(1), Some(49_999)] {
            for level in [None, Some(0), Some(3), Some(u16::MAX - 1)] {
                let unit = Unit {
                    commitment: 7,
                    milestone,
                };
                let r = Rating::new(2, unit, 5, level, true, crate::source::FileId(1), 9);
                assert_eq!((r.unit(), r.level()), (unit, level));
                assert_eq!(
                    (r.evaluator, r.criterion, r.evidence, r.line),
                    (2, 5, true, 9)
                );
            }
        }
    }

    /// A rating of each commitment listed, in that order (the rest as in any rating).
    fn rated(commitments: &[u32]) -> Vec<super::Rating> {
        commitments
            .iter()
            .map(|&c| {
                super::Rating::new(
                    0,
                    super::Unit {
                        commitment: c,
                        milestone: None,
                    },
                    0,
                    None,
                    false,
                    crate::source::FileId(0),
                    1,
                )
            })
            .collect()
    }

    /// The runs of ratings in commitment order are the groups of the counting sort; in any
    /// other order there are none.
    #[test]
    fn runs_are_the_groups_when_in_commitment_order() {
        use super::Scores;
        let scores = |commitments: &[u32]| Scores {
            ratings: rated(commitments),
            ..Scores::default()
        };
        for (list, n) in [
            (&[][..], 0),
            (&[][..], 3),
            (&[0, 0, 1, 1, 3][..], 4),
            (&[2, 2, 2][..], 5),
            (&[0, 1, 2][..], 3),
        ] {
            let s = scores(list);
            let runs = s.runs(n).expect("in order");
            assert_eq!(runs.len(), n + 1);
            let grouped = s.by_commitment(n);
            for c in 0..n {
                let run: Vec<u32> = (runs[c]..runs[c + 1]).map(|i| i as u32).collect();
                assert_eq!(run, grouped.of(c), "{list:?}, commitment {c}");
            }
        }
        assert_eq!(scores(&[0, 2, 1]).runs(3), None);
        assert_eq!(scores(&[0, 1, 3]).runs(3), None);

        // The runs kept are those of the ratings as they are now, for the commitments asked.
        let mut s = scores(&[0, 0, 1]);
        assert_eq!(s.runs(2), Some(vec![0, 2, 3]));
        assert_eq!(s.runs(3), Some(vec![0, 2, 3, 3]));
        assert_eq!(s.runs(2), Some(vec![0, 2, 3]));
        s.ratings_mut()[0].set_unit(super::Unit {
            commitment: 1,
            milestone: None,
        });
        assert_eq!(s.runs(2), None);
        s.ratings_mut().swap(0, 1);
        assert_eq!(s.runs(2), Some(vec![0, 1, 3]));
        s.ratings_mut().clear();
        assert_eq!(s.runs(2), Some(vec![0, 0, 0]));
    }

    /// The runs found in two parts, wherever the second starts, are those found in one.
    #[test]
    fn runs_found_in_two_parts_are_those_found_in_one() {
        use super::runs_split;
        let ratings = rated;
        let lists: [&[u32]; 9] = [
            &[],
            &[0, 0, 1, 1, 3],
            &[2, 2, 2],
            &[0, 1, 2],
            &[1, 1, 4, 4, 4, 6],
            &[0, 2, 1],
            &[0, 1, 3],
            &[0, 0, 2, 2, 1, 1],
            &[3, 3, 0, 0],
        ];
        for list in lists {
            let r = ratings(list);
            for n in [3, 4, 5, 7] {
                let one = runs_split(&r, n, None);
                for mid in 0..=r.len() + 1 {
                    assert_eq!(runs_split(&r, n, Some(mid)), one, "{list:?}, {n}, {mid}");
                }
            }
        }
        assert_eq!(
            runs_split(&ratings(&[0, 1, 2]), 3, Some(1)),
            Some(vec![0, 1, 2, 3])
        );
    }
}
