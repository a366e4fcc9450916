//! One commitment's results ([`CommitmentOut`]) as an element of the `commitments` array of
//! `assess --format json`, written by hand: the same bytes as [`super::json::element`] gives
//! through serde (its pretty printer, two spaces per level), checked by the tests below against
//! it for every field in every state.
//!
//! Why by hand: through serde, every field name is a string that serde_json scans byte by byte
//! for characters to escape, and every value is a call through the serializer's layers; at
//! 10,000 commitments × 8 criteria that was about a third of the work of the engine threads
//! (docs/performance.md, fourteenth step of issue 16). Here a field's line start (line break
//! and indentation) is copied as one slice and its quoted name as another, and a string is
//! copied at once when it has nothing to escape (almost always); the rest is left to
//! serde_json itself: strings with a character to escape, and every number (`itoa` and `zmij`
//! inside serde_json, through its `Formatter`), so escaping and number formatting cannot drift
//! from serde's.
//!
//! The criteria maps can be written by the caller instead ([`element_with`], [`criteria`]):
//! `results::write_json` writes them straight from the assessment, with labels borrowed from
//! the rubric ([`CriterionRef`]), instead of building a map of strings per unit first.
//!
//! Each struct is taken apart field by field without `..`: a field added to the results does
//! not compile here until it is written, in its place (the order of the struct's fields).

use indexmap::IndexMap;
use serde_json::ser::{CompactFormatter, Formatter};

use crate::results::{
    CommitmentOut, Compared, CriterionOut, CriterionRef, MilestoneOut, NoteOut, ReferenceOut,
    round4,
};

/// Appends `c` as the `commitments` array's element (`first`: the array's first element), in
/// the bytes [`super::json::element`] writes for it.
pub fn element(out: &mut Vec<u8>, c: &CommitmentOut, first: bool) {
    element_with(out, c, first, None);
}

/// Writes a `criteria` map (of the commitment, or of its milestone given by index) at the
/// level given, in place of the one its results hold.
pub type WriteCriteria<'a> = dyn Fn(&mut Vec<u8>, usize, Option<usize>) + 'a;

/// [`element`], with every `criteria` map (the commitment's and each milestone's) written by
/// `criteria` when it is given, instead of from `c` (whose maps are then ignored).
pub fn element_with(
    out: &mut Vec<u8>,
    c: &CommitmentOut,
    first: bool,
    criteria: Option<&WriteCriteria>,
) {
    super::json::line(out, super::json::ELEMENT_DEPTH, first, 0);
    commitment(out, super::json::ELEMENT_DEPTH, c, criteria);
}

/// Each evaluator's level on a criterion (`by_evaluator`), as the results hold it.
pub type Levels = IndexMap<String, Option<String>>;

/// Writes a `criteria` map at `level`: each criterion's id, its result and, with details, each
/// evaluator's level, in order.
pub fn criteria<'a>(
    out: &mut Vec<u8>,
    level: usize,
    units: impl Iterator<Item = (&'a str, CriterionRef<'a>, Option<Levels>)>,
) {
    let mut o = Obj::open(out, level);
    for (id, c, by_evaluator) in units {
        o.key(out, id);
        criterion_ref(out, level + 1, c, by_evaluator.as_ref());
    }
    o.close(out);
}

/// An object being written at `level` (its fields one level deeper).
struct Obj {
    level: usize,
    any: bool,
}

impl Obj {
    fn open(out: &mut Vec<u8>, level: usize) -> Self {
        out.push(b'{');
        Obj { level, any: false }
    }

    /// Starts a field whose name needs no escaping (a field of a struct).
    #[inline(always)]
    fn field(&mut self, out: &mut Vec<u8>, name: &str) {
        // Room for the name, its quotes and `": `, and most values.
        super::json::line(out, self.level + 1, !self.any, name.len() + 32);
        self.any = true;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\": ");
    }

    /// Starts an entry of a map, whose key is escaped as any string.
    fn key(&mut self, out: &mut Vec<u8>, key: &str) {
        super::json::line(out, self.level + 1, !self.any, key.len() + 32);
        self.any = true;
        string(out, key);
        out.extend_from_slice(b": ");
    }

    fn close(self, out: &mut Vec<u8>) {
        if self.any {
            super::json::line(out, self.level, true, 1);
        }
        out.push(b'}');
    }
}

/// Whether serde_json leaves every byte of `s` as it is (its escape table: `"`, `\` and the
/// control characters below U+0020; nothing else).
fn plain(s: &str) -> bool {
    s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

fn string(out: &mut Vec<u8>, s: &str) {
    if plain(s) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&String>) {
    opt_str(out, s.map(String::as_str));
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn count(out: &mut Vec<u8>, n: usize) {
    // Writing to a Vec cannot fail.
    let _ = CompactFormatter.write_u64(out, n as u64);
}

fn opt_count(out: &mut Vec<u8>, n: Option<usize>) {
    match n {
        Some(n) => count(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number as serde_json writes an `f64`: `null` when it is not finite.
fn number(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        // Writing to a Vec cannot fail.
        let _ = CompactFormatter.write_f64(out, x);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A number as [`crate::results::ser4`] writes it: rounded to 4 decimals, or `null`.
fn number4(out: &mut Vec<u8>, x: Option<f64>) {
    match x {
        Some(x) => number(out, round4(x)),
        None => out.extend_from_slice(b"null"),
    }
}

/// An array at `level`, each element written by `each` (at `level + 1`).
fn array<T>(out: &mut Vec<u8>, level: usize, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    array_indexed(out, level, items, |out, _, item| each(out, item));
}

/// [`array`], `each` told each element's index.
fn array_indexed<T>(
    out: &mut Vec<u8>,
    level: usize,
    items: &[T],
    mut each: impl FnMut(&mut Vec<u8>, usize, &T),
) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        super::json::line(out, level + 1, i == 0, 32);
        each(out, i, item);
    }
    if !items.is_empty() {
        super::json::line(out, level, true, 1);
    }
    out.push(b']');
}

fn strings(out: &mut Vec<u8>, level: usize, items: &[String]) {
    array(out, level, items, |out, s| string(out, s));
}

/// A map at `level`, each value written by `each` (at `level + 1`).
fn map<V>(
    out: &mut Vec<u8>,
    level: usize,
    entries: &IndexMap<String, V>,
    mut each: impl FnMut(&mut Vec<u8>, &V),
) {
    let mut o = Obj::open(out, level);
    for (k, v) in entries {
        o.key(out, k);
        each(out, v);
    }
    o.close(out);
}

fn commitment(
    out: &mut Vec<u8>,
    level: usize,
    c: &CommitmentOut,
    write_criteria: Option<&WriteCriteria>,
) {
    let CommitmentOut {
        id,
        ogp_id,
        title,
        lead,
        supporting,
        values,
        themes,
        start,
        end,
        description,
        rating,
        rating_rank,
        score,
        flags,
        binding,
        conditions,
        overdue,
        overdue_milestones,
        not_rated,
        disagreement,
        unsupported,
        unsupported_criteria,
        evaluators,
        missing_evaluators,
        reference,
        criteria,
        milestones,
        notes,
    } = c;
    let inner = level + 1;
    let mut o = Obj::open(out, level);
    o.field(out, "id");
    string(out, id);
    if let Some(ogp_id) = ogp_id {
        o.field(out, "ogp_id");
        string(out, ogp_id);
    }
    o.field(out, "title");
    string(out, title);
    o.field(out, "lead");
    opt_string(out, lead.as_ref());
    o.field(out, "supporting");
    strings(out, inner, supporting);
    o.field(out, "values");
    strings(out, inner, values);
    o.field(out, "themes");
    strings(out, inner, themes);
    o.field(out, "start");
    opt_string(out, start.as_ref());
    o.field(out, "end");
    opt_string(out, end.as_ref());
    o.field(out, "description");
    opt_string(out, description.as_ref());
    o.field(out, "rating");
    opt_string(out, rating.as_ref());
    o.field(out, "rating_rank");
    opt_count(out, *rating_rank);
    o.field(out, "score");
    number4(out, *score);
    o.field(out, "flags");
    strings(out, inner, flags);
    o.field(out, "binding");
    map(out, inner, binding, |out, s| string(out, s));
    o.field(out, "conditions");
    map(out, inner, conditions, |out, held| {
        array(out, inner + 1, held, |out, b| boolean(out, *b));
    });
    o.field(out, "overdue");
    boolean(out, *overdue);
    o.field(out, "overdue_milestones");
    count(out, *overdue_milestones);
    if *not_rated {
        o.field(out, "not_rated");
        boolean(out, true);
    }
    o.field(out, "disagreement");
    boolean(out, *disagreement);
    o.field(out, "unsupported");
    boolean(out, *unsupported);
    o.field(out, "unsupported_criteria");
    strings(out, inner, unsupported_criteria);
    o.field(out, "evaluators");
    count(out, *evaluators);
    o.field(out, "missing_evaluators");
    strings(out, inner, missing_evaluators);
    o.field(out, "reference");
    map(out, inner, reference, |out, r| {
        reference_out(out, inner + 1, r)
    });
    o.field(out, "criteria");
    match write_criteria {
        Some(write) => write(out, inner, None),
        None => map(out, inner, criteria, |out, k| criterion(out, inner + 1, k)),
    }
    o.field(out, "milestones");
    array_indexed(out, inner, milestones, |out, mi, m| {
        milestone(out, inner + 1, m, write_criteria.map(|write| (write, mi)));
    });
    if let Some(notes) = notes {
        o.field(out, "notes");
        array(out, inner, notes, |out, n| note(out, inner + 1, n));
    }
    o.close(out);
}

fn criterion(out: &mut Vec<u8>, level: usize, c: &CriterionOut) {
    criterion_ref(out, level, c.as_ref(), c.by_evaluator.as_ref());
}

fn criterion_ref(out: &mut Vec<u8>, level: usize, c: CriterionRef, by_evaluator: Option<&Levels>) {
    let CriterionRef {
        level: answer,
        value,
        consensus,
        ratings,
        no_rating,
        min,
        max,
        spread,
        disagreement,
        unsupported,
    } = c;
    let mut o = Obj::open(out, level);
    o.field(out, "level");
    opt_str(out, answer);
    o.field(out, "value");
    number4(out, value);
    if consensus {
        o.field(out, "consensus");
        boolean(out, true);
    }
    o.field(out, "ratings");
    count(out, ratings);
    o.field(out, "no_rating");
    count(out, no_rating);
    o.field(out, "min");
    opt_str(out, min);
    o.field(out, "max");
    opt_str(out, max);
    o.field(out, "spread");
    opt_count(out, spread);
    o.field(out, "disagreement");
    boolean(out, disagreement);
    o.field(out, "unsupported");
    boolean(out, unsupported);
    if let Some(by_evaluator) = by_evaluator {
        o.field(out, "by_evaluator");
        map(out, level + 1, by_evaluator, |out, l| {
            opt_string(out, l.as_ref());
        });
    }
    o.close(out);
}

fn reference_out(out: &mut Vec<u8>, level: usize, r: &ReferenceOut) {
    let ReferenceOut {
        rating,
        score,
        levels,
        flags,
        differs,
        compared,
        other,
    } = r;
    let inner = level + 1;
    let mut o = Obj::open(out, level);
    o.field(out, "rating");
    opt_string(out, rating.as_ref());
    o.field(out, "score");
    number4(out, *score);
    o.field(out, "levels");
    map(out, inner, levels, |out, l| opt_string(out, l.as_ref()));
    o.field(out, "flags");
    strings(out, inner, flags);
    o.field(out, "differs");
    boolean(out, *differs);
    o.field(out, "compared");
    out.extend_from_slice(match compared {
        Some(Compared::Rating) => b"\"rating\"".as_slice(),
        Some(Compared::Completion) => b"\"completion\"".as_slice(),
        None => b"null".as_slice(),
    });
    if !other.is_empty() {
        o.field(out, "other");
        map(out, inner, other, |out, s| string(out, s));
    }
    o.close(out);
}

fn milestone(
    out: &mut Vec<u8>,
    level: usize,
    m: &MilestoneOut,
    write_criteria: Option<(&WriteCriteria, usize)>,
) {
    let MilestoneOut {
        id,
        title,
        due,
        weight,
        overdue,
        completion,
        not_rated,
        criteria,
    } = m;
    let inner = level + 1;
    let mut o = Obj::open(out, level);
    o.field(out, "id");
    string(out, id);
    o.field(out, "title");
    string(out, title);
    o.field(out, "due");
    opt_string(out, due.as_ref());
    o.field(out, "weight");
    number(out, *weight);
    o.field(out, "overdue");
    boolean(out, *overdue);
    o.field(out, "completion");
    opt_string(out, completion.as_ref());
    if *not_rated {
        o.field(out, "not_rated");
        boolean(out, true);
    }
    o.field(out, "criteria");
    match write_criteria {
        Some((write, mi)) => write(out, inner, Some(mi)),
        None => map(out, inner, criteria, |out, k| criterion(out, inner + 1, k)),
    }
    o.close(out);
}

fn note(out: &mut Vec<u8>, level: usize, n: &NoteOut) {
    let NoteOut {
        evaluator,
        milestone,
        criterion,
        evidence,
        comment,
        next_steps,
    } = n;
    let mut o = Obj::open(out, level);
    o.field(out, "evaluator");
    string(out, evaluator);
    o.field(out, "milestone");
    opt_string(out, milestone.as_ref());
    o.field(out, "criterion");
    opt_string(out, criterion.as_ref());
    o.field(out, "evidence");
    string(out, evidence);
    o.field(out, "comment");
    string(out, comment);
    o.field(out, "next_steps");
    string(out, next_steps);
    o.close(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CriterionOut, MilestoneOut, NoteOut, ReferenceOut};

    /// Strings that serde_json escapes in every way it does, and some it leaves alone.
    const ODD: [&str; 6] = [
        "quote \" and back\\slash",
        "tab\tline\nreturn\rfeed\x0cback\x08",
        "controls \x00\x01\x1f and DEL \x7f",
        "é, ü, 中文, 🙂 and / slash",
        "",
        "plain",
    ];

    fn criterion_out(n: usize, full: bool) -> CriterionOut {
        let s = |i: usize| ODD[(n + i) % ODD.len()].to_string();
        CriterionOut {
            level: full.then(|| s(0)),
            value: [Some(3.0), Some(f64::NAN), None, Some(-0.0), Some(2.0 / 3.0)][n % 5],
            consensus: full,
            ratings: n * 7,
            no_rating: n,
            min: full.then(|| s(1)),
            max: full.then(|| s(2)),
            spread: full.then_some(n),
            disagreement: n.is_multiple_of(2),
            unsupported: n.is_multiple_of(3),
            by_evaluator: full.then(|| {
                (0..n % 4)
                    .map(|i| (s(i), (i % 2 == 0).then(|| s(i + 3))))
                    .collect()
            }),
        }
    }

    fn commitment_out(full: bool) -> CommitmentOut {
        let s = |i: usize| ODD[i % ODD.len()].to_string();
        let list = |n: usize| (0..n).map(s).collect::<Vec<_>>();
        let criteria = |n: usize| (0..n).map(|k| (s(k), criterion_out(k, full))).collect();
        let n = if full { 5 } else { 0 };
        CommitmentOut {
            id: s(0),
            ogp_id: full.then(|| s(1)),
            title: s(2),
            lead: full.then(|| s(3)),
            supporting: list(n),
            values: list(n / 2),
            themes: list(1),
            start: full.then(|| s(4)),
            end: full.then(|| s(5)),
            description: full.then(|| s(1)),
            rating: full.then(|| s(2)),
            rating_rank: full.then_some(3),
            score: if full { Some(96.666_666_7) } else { None },
            flags: list(n),
            binding: (0..n).map(|i| (s(i), s(i + 1))).collect(),
            conditions: (0..n)
                .map(|i| (s(i), (0..i).map(|j| j % 2 == 0).collect()))
                .collect(),
            overdue: full,
            overdue_milestones: n,
            not_rated: full,
            disagreement: full,
            unsupported: !full,
            unsupported_criteria: list(n),
            evaluators: 30,
            missing_evaluators: list(n),
            reference: (0..n)
                .map(|i| {
                    let r = ReferenceOut {
                        rating: (i % 2 == 0).then(|| s(i)),
                        score: [None, Some(1e21), Some(f64::INFINITY), Some(0.1 + 0.2)][i % 4],
                        levels: (0..i).map(|j| (s(j), (j % 2 == 1).then(|| s(j)))).collect(),
                        flags: list(i),
                        differs: i % 2 == 1,
                        compared: [None, Some(Compared::Rating), Some(Compared::Completion)][i % 3],
                        other: (0..i % 3).map(|j| (s(j), s(j + 2))).collect(),
                    };
                    (s(i), r)
                })
                .collect(),
            criteria: criteria(if full { 8 } else { 1 }),
            milestones: (0..n)
                .map(|i| MilestoneOut {
                    id: s(i),
                    title: s(i + 1),
                    due: (i % 2 == 0).then(|| s(i)),
                    weight: [1.0, 0.5, 1e-7, 12345.678, f64::NAN][i],
                    overdue: i % 2 == 1,
                    completion: (i % 3 == 0).then(|| s(i)),
                    not_rated: i % 2 == 0,
                    criteria: criteria(i),
                })
                .collect(),
            notes: full.then(|| {
                (0..3)
                    .map(|i| NoteOut {
                        evaluator: s(i),
                        milestone: (i % 2 == 0).then(|| s(i)),
                        criterion: (i % 2 == 1).then(|| s(i)),
                        evidence: s(i + 1),
                        comment: s(i + 2),
                        next_steps: s(i + 3),
                    })
                    .collect()
            }),
        }
    }

    /// The same bytes as serde's pretty printer gives the commitment as an array element:
    /// every field present and absent, empty and full lists and maps, strings with every
    /// kind of escape, numbers that are not finite, and the array's first and later elements.
    #[test]
    fn same_bytes_as_serde() {
        for full in [false, true] {
            let mut c = commitment_out(full);
            for round in 0..3 {
                for first in [true, false] {
                    let mut theirs = b"[".to_vec();
                    super::super::json::element(&mut theirs, &c, first).unwrap();
                    let mut ours = b"[".to_vec();
                    element(&mut ours, &c, first);
                    // The criteria written by `criteria` from their parts, as the results'
                    // writer does from the assessment: the same bytes.
                    let write = |out: &mut Vec<u8>, level: usize, milestone: Option<usize>| {
                        let map = match milestone {
                            None => &c.criteria,
                            Some(mi) => &c.milestones[mi].criteria,
                        };
                        let units = map
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_ref(), v.by_evaluator.clone()));
                        criteria(out, level, units);
                    };
                    let mut with = b"[".to_vec();
                    element_with(&mut with, &c, first, Some(&write));
                    assert!(with == ours, "full: {full}, round: {round}, first: {first}");
                    pretty_assertions::assert_eq!(
                        String::from_utf8(ours).unwrap(),
                        String::from_utf8(theirs).unwrap(),
                        "full: {full}, round: {round}, first: {first}"
                    );
                }
                // Vary what the first round left fixed.
                c.criteria.values_mut().for_each(|k| {
                    k.consensus = !k.consensus;
                    k.by_evaluator = k.by_evaluator.take().or_else(|| Some(IndexMap::new()));
                });
                c.not_rated = !c.not_rated;
                c.ogp_id = c.ogp_id.take().or_else(|| Some("x".into()));
                c.notes = c.notes.take().or_else(|| Some(Vec::new()));
            }
        }
    }
}
