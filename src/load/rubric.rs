//! Rubric files (built-in or the user's own): criteria, scales, the rating rule and the flags,
//! with every reference (criterion id, level label, flag id) resolved and checked at its
//! file:line:column.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::toml_doc::{Cx, Table};
use crate::diag::{Diagnostic, Location};
use crate::model::{
    Band, Combine, CondTest, Condition, ConditionKind, Criterion, Flag, Level, RatingRule, RollUp,
    Rubric, ScaleKind, Scope, Status,
};
use crate::source::Span;
use crate::suggest;

/// Column names of score files that criterion ids may not take.
pub(crate) const RESERVED_COLUMNS: [&str; 8] = [
    "evaluator",
    "commitment",
    "milestone",
    "criterion",
    "level",
    "evidence",
    "comment",
    "next_steps",
];

/// The default "no rating" words.
pub(crate) const DEFAULT_NO_RATING: [&str; 5] = ["", "n/a", "ND", "NR", "NA"];

/// A condition as written, before its references are resolved.
struct RawCondition {
    label: Option<String>,
    criteria: Vec<(String, Span)>,
    flag: Option<(String, Span)>,
    test: Option<(RawTest, Span)>,
}

enum RawTest {
    AtLeast(String),
    AtMost(String),
    Is(String),
    OneOf(Vec<String>),
}

struct RawFlag {
    flag: Flag,
    span: Span,
    conditions: Vec<RawCondition>,
}

/// Builds the rubric, reporting every problem. `None` when it is unusable (no criteria, or
/// the rating rule cannot be resolved).
pub(crate) fn read(
    cx: &mut Cx<'_>,
    doc: &DeTable<'_>,
    doc_range: Range<usize>,
    origin: &str,
) -> Option<Rubric> {
    let errors_before = cx.report.errors();
    let mut root = Table::new(doc, doc_range.clone(), "the rubric");
    let mut rubric = Rubric {
        id: String::new(),
        name: String::new(),
        description: None,
        source: None,
        origin: origin.to_string(),
        disagreement_threshold: 2,
        no_rating: DEFAULT_NO_RATING.iter().map(|s| (*s).to_string()).collect(),
        criteria: Vec::new(),
        key_criteria: Vec::new(),
        completion: None,
        rating: RatingRule::Bands(Vec::new()),
        flags: Vec::new(),
    };
    let mut key_criteria = Vec::new();
    let mut completion = None;
    match root.table(cx, "rubric", "[rubric]") {
        Some(mut t) => {
            rubric.id = t
                .required_string(cx, "id", "\"my-rubric\"")
                .map(|s| s.0)
                .unwrap_or_default();
            rubric.name = t
                .required_string(cx, "name", "\"Our coalition's rubric\"")
                .map(|s| s.0)
                .unwrap_or_default();
            rubric.description = t.text(cx, "description");
            rubric.source = t.text(cx, "source");
            if let Some((n, span)) = t.count(cx, "disagreement_threshold", super::MAX_THRESHOLD) {
                if n == 0 {
                    cx.push(
                        Diagnostic::error("bad-threshold", "`disagreement_threshold` must be at least 1 (a spread of 0 levels is full agreement)")
                            .at(Location::span(cx.sources, &span)),
                    );
                } else {
                    rubric.disagreement_threshold = n;
                }
            }
            if t.raw("no_rating").is_some() {
                rubric.no_rating = t
                    .strings(cx, "no_rating", false)
                    .into_iter()
                    .map(|s| s.0)
                    .collect();
            }
            key_criteria = t.strings(cx, "key_criteria", false);
            completion = t.string(cx, "completion");
            t.finish(cx);
        }
        None => {
            if root.raw("rubric").is_none() {
                cx.push(
                    Diagnostic::error("missing-key", "the rubric has no [rubric] table")
                        .at(cx.loc(0..0))
                        .help("start the file with:\n[rubric]\nid = \"my-rubric\"\nname = \"…\""),
                );
            }
        }
    }

    // Criteria.
    let mut criterion_spans: HashMap<String, Span> = HashMap::new();
    let mut evidence_refs: Vec<(usize, String, Span)> = Vec::new();
    for mut t in root.tables(cx, "criterion", "[[criterion]]") {
        let id = t.required_string(cx, "id", "\"completion\"");
        if let Some((id, _)) = &id {
            t.rename(format!("criterion `{}`", id.trim()));
        }
        let name = t.required_string(cx, "name", "\"Completion\"");
        let question = t.required_string(
            cx,
            "question",
            "\"How far has the commitment been implemented?\"",
        );
        let kind = if t.raw("scale").is_none() {
            t.missing(cx, "scale", "\"ordinal\"   # or \"yes-no\" or \"nominal\"");
            None
        } else {
            t.choice(cx, "scale", &ScaleKind::ALL)
        };
        let scope = t
            .choice(cx, "scope", &Scope::ALL)
            .unwrap_or(Scope::Commitment);
        let combine_given = t.raw("combine").is_some();
        let combine = t.choice(cx, "combine", &Combine::ALL);
        let weight = t.number(cx, "weight", super::MAX_WEIGHT);
        let evidence_from = t.string(cx, "evidence_from");
        let roll_up = t.choice(cx, "roll_up", &RollUp::ALL);
        let roll_up_span = t.raw("roll_up").map(|v| v.span());
        let crit_name = t.name.clone();
        let mut levels = Vec::new();
        let mut level_spans: Vec<Span> = Vec::new();
        for mut l in t.tables(cx, "level", "[[criterion.level]]") {
            l.rename(format!("a level of {crit_name}"));
            let label = l.required_string(cx, "label", "\"Substantial\"");
            // A `value` given but refused (not a number, too large) was reported where it is.
            let value_given = l.raw("value").is_some();
            let value = l.number(cx, "value", super::MAX_LEVEL_VALUE);
            let description = l.text(cx, "description");
            let range = l.range.clone();
            l.finish(cx);
            let Some((label, span)) = label else { continue };
            if let (Some((_, vspan)), Some(ScaleKind::Nominal)) = (&value, kind) {
                cx.push(
                    Diagnostic::error("nominal-value", format!("categories of the nominal {crit_name} have no order, so they take no `value`"))
                        .at(Location::span(cx.sources, vspan))
                        .help("remove `value`, or make the criterion `scale = \"ordinal\"`"),
                );
            }
            if value.is_none() && !value_given && kind == Some(ScaleKind::Ordinal) {
                cx.push(
                    Diagnostic::error(
                        "missing-key",
                        format!("level \"{}\" of {crit_name} has no `value`", label.trim()),
                    )
                    .at(cx.loc(range.start..range.start))
                    .help("ordinal levels need a number, lowest first: value = 0, then 1, 2, …"),
                );
            }
            let value = value.map_or(levels.len() as f64, |v| v.0);
            levels.push(Level {
                label: label.trim().to_string(),
                value,
                description,
            });
            level_spans.push(span);
        }
        let mut statuses: Vec<Status> = Vec::new();
        for mut st in t.tables(cx, "status", "[[criterion.status]]") {
            st.rename(format!("a status of {crit_name}"));
            let label = st.required_string(cx, "label", "\"Withdrawn\"");
            let description = st.text(cx, "description");
            st.finish(cx);
            let Some((label, span)) = label else { continue };
            let label = label.trim().to_string();
            let clash = levels
                .iter()
                .map(|l| l.label.as_str())
                .chain(statuses.iter().map(|s| s.label.as_str()))
                .any(|l| l.to_lowercase() == label.to_lowercase());
            if clash {
                cx.push(
                    Diagnostic::error(
                        "duplicate-level",
                        format!("{crit_name} has \"{label}\" twice among its levels and statuses"),
                    )
                    .at(Location::span(cx.sources, &span))
                    .help("each level and status needs its own label"),
                );
                continue;
            }
            if rubric
                .no_rating
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(&label))
            {
                cx.push(
                    Diagnostic::error("level-is-no-rating", format!("the status \"{label}\" of {crit_name} is also a word that means \"no rating\""))
                        .at(Location::span(cx.sources, &span))
                        .help("rename the status, or remove the word from `no_rating` in [rubric]"),
                );
                continue;
            }
            // Each level and status is an answer with a 16-bit index, one value of which
            // stands for "no rating" (see `model::scores::Rating`).
            if levels.len() <= super::MAX_LEVELS
                && levels.len() + statuses.len() >= super::MAX_LEVELS
            {
                cx.push(
                    Diagnostic::error(
                        "too-many-levels",
                        format!(
                            "{crit_name} has more than {} levels and statuses together; a scale has at most {} (see docs/limits.md)",
                            super::MAX_LEVELS,
                            super::MAX_LEVELS
                        ),
                    )
                    .at(Location::span(cx.sources, &span))
                    .help("a scale people rate on has a handful of levels and statuses; check that the rubric was generated as intended"),
                );
                break;
            }
            statuses.push(Status { label, description });
        }
        t.finish(cx);
        // A criterion missing its name, question or scale has been reported; it is still kept
        // (the rubric as a whole is rejected) so that references to it do not cascade into
        // "unknown criterion" errors.
        let Some((id, id_span)) = id else { continue };
        let name = name.map_or_else(|| id.clone(), |n| n.0);
        let question = question.map(|q| q.0).unwrap_or_default();
        let kind = kind.unwrap_or(ScaleKind::Ordinal);
        let id = id.trim().to_string();
        if let Some(first) = criterion_spans.get(&id) {
            cx.push(
                Diagnostic::error("duplicate-id", format!("criterion id `{id}` is used twice"))
                    .at(Location::span(cx.sources, &id_span))
                    .related(Location::span(cx.sources, first), "first used at"),
            );
            continue;
        }
        if RESERVED_COLUMNS.contains(&id.as_str()) {
            cx.push(
                Diagnostic::error(
                    "reserved-id",
                    format!(
                        "a criterion cannot be called `{id}`: that is a column name of score files"
                    ),
                )
                .at(Location::span(cx.sources, &id_span))
                .help("choose another id, e.g. `{id}-rating`".replace("{id}", &id)),
            );
        }
        criterion_spans.insert(id.clone(), id_span.clone());
        let levels = check_levels(
            cx,
            &crit_name,
            kind,
            levels,
            &level_spans,
            &id_span,
            &rubric.no_rating,
        );
        let combine = match (kind, combine) {
            (ScaleKind::Nominal, Some(c)) if c != Combine::Mode => {
                cx.push(
                    Diagnostic::error("bad-combine", format!("{crit_name} is nominal (unordered), so its ratings can only be combined by `mode`"))
                        .at(Location::span(cx.sources, &id_span))
                        .help("set combine = \"mode\", or make the scale ordinal"),
                );
                Combine::Mode
            }
            (_, Some(c)) => c,
            (ScaleKind::Ordinal, None) => Combine::Median,
            (_, None) => Combine::Mode,
        };
        let _ = combine_given;
        let default_weight = if kind == ScaleKind::Nominal { 0.0 } else { 1.0 };
        let weight = match weight {
            Some((w, span)) if w < 0.0 => {
                cx.push(
                    Diagnostic::error(
                        "bad-weight",
                        format!("the weight of {crit_name} is negative ({w})"),
                    )
                    .at(Location::span(cx.sources, &span))
                    .help("weights are 0 or more; 0 keeps the criterion out of the score"),
                );
                default_weight
            }
            Some((w, span)) if w > 0.0 && w < super::MIN_WEIGHT => {
                cx.push(
                    Diagnostic::error(
                        "bad-weight",
                        format!("the weight of {crit_name} is {w:e}, too small to count: a weight is 0 or at least 0.000001"),
                    )
                    .at(Location::span(cx.sources, &span))
                    .help("weights are 0 or more; 0 keeps the criterion out of the score"),
                );
                default_weight
            }
            Some((w, span)) if w > 0.0 && kind == ScaleKind::Nominal => {
                cx.push(
                    Diagnostic::error("bad-weight", format!("{crit_name} is nominal (unordered), so it cannot count in the 0–100 score"))
                        .at(Location::span(cx.sources, &span))
                        .help("set weight = 0, or make the scale ordinal"),
                );
                0.0
            }
            Some((w, _)) => w,
            None => default_weight,
        };
        let index = rubric.criteria.len();
        if let Some((label, span)) = evidence_from {
            evidence_refs.push((index, label, span));
        }
        rubric.criteria.push(Criterion {
            id,
            name: name.trim().to_string(),
            question: question.trim().to_string(),
            kind,
            levels,
            scope,
            combine,
            weight,
            evidence_from: None,
            statuses,
            roll_up: roll_up.unwrap_or(RollUp::WeightedMean),
        });
        if let Some(range) = roll_up_span {
            let c = &rubric.criteria[index];
            if c.roll_up == RollUp::StrictEnds
                && (c.kind != ScaleKind::Ordinal || c.levels.len() < 3)
            {
                cx.push(
                    Diagnostic::error("bad-roll-up", format!("`roll_up = \"strict-ends\"` keeps a mixed roll-up between the lowest and highest levels, so {crit_name} needs an ordinal scale with at least three levels"))
                        .at(cx.loc(range))
                        .help("remove `roll_up`, or add a level between the lowest and the highest"),
                );
            }
        }
    }
    if rubric.criteria.is_empty() && root.raw("criterion").is_none() {
        cx.push(
            Diagnostic::error("no-criteria", "the rubric has no criteria")
                .at(cx.loc(doc_range.start..doc_range.start))
                .help("add at least one [[criterion]] table (see docs/formats.md)"),
        );
    }
    for (index, label, span) in evidence_refs {
        let c = &rubric.criteria[index];
        match resolve_level(cx, c, &label, &span, "evidence_from") {
            Some(l) if !c.kind.is_ordered() => {
                let _ = l;
                cx.push(
                    Diagnostic::error(
                        "bad-evidence",
                        format!(
                            "`evidence_from` needs ordered levels, but criterion `{}` is nominal",
                            c.id
                        ),
                    )
                    .at(Location::span(cx.sources, &span)),
                );
            }
            Some(l) => rubric.criteria[index].evidence_from = Some(l),
            None => {}
        }
    }

    // References to criteria in [rubric].
    for (id, span) in key_criteria {
        if let Some(i) = resolve_criterion(cx, &rubric, &id, &span, "key_criteria")
            && !rubric.key_criteria.contains(&i)
        {
            rubric.key_criteria.push(i);
        }
    }
    if rubric.key_criteria.is_empty() {
        rubric.key_criteria = (0..rubric.criteria.len()).collect();
    }
    rubric.completion = match completion {
        Some((id, span)) => resolve_criterion(cx, &rubric, &id, &span, "completion"),
        None => rubric.criterion_index("completion"),
    };
    if let Some(c) = rubric.completion.map(|i| &rubric.criteria[i])
        && !c.kind.is_ordered()
    {
        cx.push(
            Diagnostic::error(
                "bad-completion",
                format!(
                    "the completion criterion `{}` must have ordered levels",
                    c.id
                ),
            )
            .at(cx.loc(doc_range.start..doc_range.start)),
        );
    }

    // The rating rule.
    let mut rating = None;
    match root.table(cx, "rating", "[rating]") {
        Some(mut t) => {
            let criterion = t.string(cx, "criterion");
            let bands = t.tables(cx, "band", "[[rating.band]]");
            let range = t.range.clone();
            match (criterion, bands.is_empty()) {
                (Some((id, span)), true) => {
                    if let Some(i) = resolve_criterion(cx, &rubric, &id, &span, "[rating] criterion") {
                        if rubric.criteria[i].kind.is_ordered() {
                            rating = Some(RatingRule::Criterion(i));
                        } else {
                            cx.push(
                                Diagnostic::error("bad-rating", format!("the rating cannot come from the nominal criterion `{id}`: ratings must be ordered"))
                                    .at(Location::span(cx.sources, &span)),
                            );
                        }
                    }
                }
                (Some((_, span)), false) => cx.push(
                    Diagnostic::error("bad-rating", "[rating] has both `criterion` and [[rating.band]]: choose one")
                        .at(Location::span(cx.sources, &span))
                        .help("keep `criterion` to rate by one criterion's level, or the bands to rate by the 0–100 score"),
                ),
                (None, true) => cx.push(
                    Diagnostic::error("missing-key", "[rating] says neither `criterion` nor [[rating.band]]")
                        .at(cx.loc(range.start..range.start))
                        .help("add criterion = \"completion\", or [[rating.band]] tables that cut the 0–100 score"),
                ),
                (None, false) => rating = read_bands(cx, bands, &range).map(RatingRule::Bands),
            }
            t.finish(cx);
        }
        None => {
            if root.raw("rating").is_none() {
                match rubric.completion {
                    Some(i) => rating = Some(RatingRule::Criterion(i)),
                    None => cx.push(
                        Diagnostic::error("missing-key", "the rubric has no [rating] table, and no `completion` criterion to rate by")
                            .at(cx.loc(doc_range.start..doc_range.start))
                            .help("add:\n[rating]\ncriterion = \"<a criterion id>\""),
                    ),
                }
            }
        }
    }
    if let Some(RatingRule::Bands(_)) = &rating
        && !rubric.criteria.iter().any(|c| c.weight > 0.0)
    {
        cx.push(
            Diagnostic::error(
                "bad-weight",
                "the rating comes from the 0–100 score, but no criterion has a weight above 0",
            )
            .at(cx.loc(doc_range.start..doc_range.start))
            .help("give at least one ordered criterion a weight, e.g. weight = 1"),
        );
    }

    // Flags.
    let mut raw_flags: Vec<RawFlag> = Vec::new();
    for mut t in root.tables(cx, "flag", "[[flag]]") {
        let id = t.required_string(cx, "id", "\"starred\"");
        if let Some((id, _)) = &id {
            t.rename(format!("flag `{}`", id.trim()));
        }
        let name = t.required_string(cx, "name", "\"Starred\"");
        let description = t.text(cx, "description");
        let star = t.boolean(cx, "star").unwrap_or(false);
        let flag_name = t.name.clone();
        let mut conditions = Vec::new();
        let cond_tables = t.tables(cx, "condition", "[[flag.condition]]");
        let no_conditions = cond_tables.is_empty();
        for mut c in cond_tables {
            c.rename(format!("a condition of {flag_name}"));
            let label = c.text(cx, "label");
            let mut criteria = Vec::new();
            if let Some(s) = c.string(cx, "criterion") {
                criteria.push(s);
            }
            let any_of = c.strings(cx, "any_of", false);
            let flag = c.string(cx, "flag");
            let mut tests = Vec::new();
            if let Some((s, span)) = c.string(cx, "at_least") {
                tests.push((RawTest::AtLeast(s), span));
            }
            if let Some((s, span)) = c.string(cx, "at_most") {
                tests.push((RawTest::AtMost(s), span));
            }
            if let Some((s, span)) = c.string(cx, "is") {
                tests.push((RawTest::Is(s), span));
            }
            if c.raw("one_of").is_some() {
                let list = c.strings(cx, "one_of", false);
                if let Some((_, first)) = list.first() {
                    let span = first.clone();
                    tests.push((
                        RawTest::OneOf(list.into_iter().map(|s| s.0).collect()),
                        span,
                    ));
                }
            }
            let range = c.range.clone();
            c.finish(cx);
            let here = cx.loc(range.start..range.start);
            let targets = usize::from(!criteria.is_empty())
                + usize::from(!any_of.is_empty())
                + usize::from(flag.is_some());
            if targets != 1 {
                cx.push(
                    Diagnostic::error("bad-condition", format!("a condition of {flag_name} must name exactly one of `criterion`, `any_of` or `flag`"))
                        .at(here.clone())
                        .help("e.g. criterion = \"completion\" with at_least = \"Substantial\""),
                );
                continue;
            }
            criteria.extend(any_of);
            if flag.is_some() && !tests.is_empty() {
                cx.push(
                    Diagnostic::error(
                        "bad-condition",
                        format!("a `flag` condition of {flag_name} takes no level test"),
                    )
                    .at(here)
                    .help("remove at_least / at_most / is / one_of from this condition"),
                );
                continue;
            }
            if flag.is_none() && tests.len() != 1 {
                cx.push(
                    Diagnostic::error("bad-condition", format!("a condition of {flag_name} needs exactly one test: `at_least`, `at_most`, `is` or `one_of`"))
                        .at(here)
                        .help("e.g. at_least = \"Substantial\""),
                );
                continue;
            }
            conditions.push(RawCondition {
                label,
                criteria,
                flag,
                test: tests.pop(),
            });
        }
        t.finish(cx);
        let (Some((id, span)), Some((name, _))) = (id, name) else {
            continue;
        };
        if no_conditions {
            cx.push(
                Diagnostic::error(
                    "bad-condition",
                    format!("flag `{}` has no conditions", id.trim()),
                )
                .at(Location::span(cx.sources, &span))
                .help("add at least one [[flag.condition]] table under it"),
            );
            continue;
        }
        let id = id.trim().to_string();
        if let Some(first) = raw_flags.iter().find(|f| f.flag.id == id) {
            cx.push(
                Diagnostic::error("duplicate-id", format!("flag id `{id}` is used twice"))
                    .at(Location::span(cx.sources, &span))
                    .related(Location::span(cx.sources, &first.span), "first used at"),
            );
            continue;
        }
        raw_flags.push(RawFlag {
            flag: Flag {
                id,
                name: name.trim().to_string(),
                description,
                star,
                conditions: Vec::new(),
            },
            span,
            conditions,
        });
    }
    let flag_ids: Vec<String> = raw_flags.iter().map(|f| f.flag.id.clone()).collect();
    for raw in &mut raw_flags {
        for rc in &raw.conditions {
            if let Some(cond) = resolve_condition(cx, &rubric, &flag_ids, rc) {
                raw.flag.conditions.push(cond);
            }
        }
    }
    rubric.flags = raw_flags.iter().map(|r| r.flag.clone()).collect();
    report_cycles(cx, &rubric, &raw_flags);
    root.finish(cx);

    if rubric.criteria.is_empty() || cx.report.errors() > errors_before {
        return None;
    }
    rubric.rating = rating?;
    Some(rubric)
}

fn check_levels(
    cx: &mut Cx<'_>,
    crit_name: &str,
    kind: ScaleKind,
    mut levels: Vec<Level>,
    spans: &[Span],
    id_span: &Span,
    no_rating: &[String],
) -> Vec<Level> {
    match kind {
        ScaleKind::YesNo => {
            if levels.is_empty() {
                return vec![
                    Level {
                        label: "No".into(),
                        value: 0.0,
                        description: None,
                    },
                    Level {
                        label: "Yes".into(),
                        value: 1.0,
                        description: None,
                    },
                ];
            }
            if levels.len() != 2 {
                cx.push(
                    Diagnostic::error("bad-levels", format!("the yes/no {crit_name} must declare no levels (No and Yes are implied) or exactly two, the \"no\" one first; it declares {}", levels.len()))
                        .at(Location::span(cx.sources, id_span)),
                );
            }
            for (i, l) in levels.iter_mut().enumerate() {
                l.value = i as f64;
            }
        }
        ScaleKind::Ordinal | ScaleKind::Nominal => {
            if levels.len() < 2 {
                cx.push(
                    Diagnostic::error("bad-levels", format!("{crit_name} needs at least two levels, lowest first"))
                        .at(Location::span(cx.sources, id_span))
                        .help("add [[criterion.level]] tables, each with a label (and a value for ordinal scales)"),
                );
            }
        }
    }
    if levels.len() > super::MAX_LEVELS {
        cx.push(
            Diagnostic::error(
                "too-many-levels",
                format!(
                    "{crit_name} has {} levels; a scale has at most {} (see docs/limits.md)",
                    levels.len(),
                    super::MAX_LEVELS
                ),
            )
            .at(Location::span(cx.sources, id_span))
            .help("a scale people rate on has a handful of levels; check that the rubric was generated as intended"),
        );
        levels.truncate(super::MAX_LEVELS);
    }
    let no_rating_words: std::collections::HashSet<String> =
        no_rating.iter().map(|w| w.trim().to_lowercase()).collect();
    // Labels seen so far (lower-cased) and where: one pass, whatever the number of levels.
    let mut seen: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(levels.len());
    for i in 0..levels.len() {
        let span = spans.get(i).unwrap_or(id_span);
        let label = &levels[i].label;
        let first = seen.get(&label.to_lowercase()).copied();
        if first.is_none() {
            seen.insert(label.to_lowercase(), i);
        }
        if let Some(j) = first {
            cx.push(
                Diagnostic::error(
                    "duplicate-level",
                    format!("{crit_name} has the level \"{label}\" twice"),
                )
                .at(Location::span(cx.sources, span))
                .related(
                    Location::span(cx.sources, spans.get(j).unwrap_or(id_span)),
                    "first declared at",
                )
                .help("each level needs its own label"),
            );
        }
        if no_rating_words.contains(&label.trim().to_lowercase()) {
            cx.push(
                Diagnostic::error("level-is-no-rating", format!("the level \"{label}\" of {crit_name} is also a word that means \"no rating\""))
                    .at(Location::span(cx.sources, span))
                    .help("rename the level, or remove the word from `no_rating` in [rubric]"),
            );
        }
        if kind == ScaleKind::Ordinal && i > 0 && levels[i].value <= levels[i - 1].value {
            cx.push(
                Diagnostic::error("levels-not-increasing", format!(
                    "level values of {crit_name} must increase from the first level to the last, but \"{}\" ({}) comes after \"{}\" ({})",
                    label, levels[i].value, levels[i - 1].label, levels[i - 1].value
                ))
                .at(Location::span(cx.sources, span))
                .help("list levels lowest first, with values 0, 1, 2, …"),
            );
        }
    }
    levels
}

fn resolve_criterion(
    cx: &mut Cx<'_>,
    rubric: &Rubric,
    id: &str,
    span: &Span,
    key: &str,
) -> Option<usize> {
    if let Some(i) = rubric.criterion_index(id.trim()) {
        return Some(i);
    }
    let ids: Vec<&str> = rubric.criteria.iter().map(|c| c.id.as_str()).collect();
    cx.push(
        Diagnostic::error(
            "unknown-criterion",
            format!("`{key}` names the criterion `{id}`, which the rubric does not have"),
        )
        .at(Location::span(cx.sources, span))
        .expected(format!("one of {}", suggest::one_of(&ids, 20)))
        .maybe_help(suggest::did_you_mean(id, ids.iter().copied())),
    );
    None
}

fn resolve_level(
    cx: &mut Cx<'_>,
    c: &Criterion,
    label: &str,
    span: &Span,
    key: &str,
) -> Option<usize> {
    if let Some(i) = c
        .levels
        .iter()
        .position(|l| l.label.eq_ignore_ascii_case(label.trim()))
    {
        return Some(i);
    }
    let labels: Vec<&str> = c.levels.iter().map(|l| l.label.as_str()).collect();
    cx.push(
        Diagnostic::error(
            "unknown-level",
            format!(
                "`{key}` names the level \"{label}\", which criterion `{}` does not have",
                c.id
            ),
        )
        .at(Location::span(cx.sources, span))
        .expected(format!("one of {}", suggest::one_of(&labels, 20)))
        .maybe_help(suggest::did_you_mean(label, labels.iter().copied())),
    );
    None
}

fn resolve_condition(
    cx: &mut Cx<'_>,
    rubric: &Rubric,
    flag_ids: &[String],
    rc: &RawCondition,
) -> Option<Condition> {
    if let Some((id, span)) = &rc.flag {
        let Some(i) = flag_ids.iter().position(|f| f == id.trim()) else {
            cx.push(
                Diagnostic::error(
                    "unknown-flag",
                    format!("the condition names the flag `{id}`, which the rubric does not have"),
                )
                .at(Location::span(cx.sources, span))
                .expected(format!("one of {}", suggest::one_of(flag_ids, 20)))
                .maybe_help(suggest::did_you_mean(
                    id,
                    flag_ids.iter().map(String::as_str),
                )),
            );
            return None;
        };
        return Some(Condition {
            label: rc.label.clone().unwrap_or_else(|| format!("flag {id}")),
            kind: ConditionKind::Flag(i),
        });
    }
    let (raw_test, test_span) = rc.test.as_ref()?;
    let mut criteria = Vec::new();
    let mut test: Option<CondTest> = None;
    let mut ok = true;
    for (id, span) in &rc.criteria {
        let Some(ci) = resolve_criterion(cx, rubric, id, span, "criterion") else {
            ok = false;
            continue;
        };
        let c = &rubric.criteria[ci];
        let ordered_test = matches!(raw_test, RawTest::AtLeast(_) | RawTest::AtMost(_));
        if ordered_test && !c.kind.is_ordered() {
            cx.push(
                Diagnostic::error("bad-condition", format!("`at_least` and `at_most` need ordered levels, but criterion `{}` is nominal", c.id))
                    .at(Location::span(cx.sources, test_span))
                    .help("use `is` or `one_of` for nominal criteria"),
            );
            ok = false;
            continue;
        }
        let t = match raw_test {
            RawTest::AtLeast(l) => {
                resolve_level(cx, c, l, test_span, "at_least").map(CondTest::AtLeast)
            }
            RawTest::AtMost(l) => {
                resolve_level(cx, c, l, test_span, "at_most").map(CondTest::AtMost)
            }
            RawTest::Is(l) => resolve_level(cx, c, l, test_span, "is").map(CondTest::Is),
            RawTest::OneOf(ls) => ls
                .iter()
                .map(|l| resolve_level(cx, c, l, test_span, "one_of"))
                .collect::<Option<Vec<_>>>()
                .map(CondTest::OneOf),
        };
        match (t, &test) {
            (None, _) => ok = false,
            (Some(t), None) => test = Some(t),
            (Some(t), Some(prev)) if &t != prev => {
                cx.push(
                    Diagnostic::error("bad-condition", "the criteria of `any_of` place the tested level at different positions on their scales")
                        .at(Location::span(cx.sources, test_span))
                        .help("list in `any_of` only criteria with the same scale (e.g. several yes/no criteria)"),
                );
                ok = false;
            }
            _ => {}
        }
        criteria.push(ci);
    }
    if !ok {
        return None;
    }
    let test = test?;
    let kind = ConditionKind::Level { criteria, test };
    let label = rc.label.clone().unwrap_or_else(|| rubric.describe(&kind));
    Some(Condition { label, kind })
}

fn read_bands(
    cx: &mut Cx<'_>,
    tables: Vec<Table<'_, '_>>,
    range: &Range<usize>,
) -> Option<Vec<Band>> {
    let mut bands: Vec<(Band, Span)> = Vec::new();
    let mut ok = true;
    for mut t in tables {
        let label = t.required_string(cx, "label", "\"On track\"");
        if let Some((l, _)) = &label {
            t.rename(format!("band \"{}\"", l.trim()));
        }
        // Bands lie within 0–100 (checked below); the bound only keeps the message exact.
        let min = t.number(cx, "min", super::MAX_LEVEL_VALUE);
        let max = t.number(cx, "max", super::MAX_LEVEL_VALUE);
        let description = t.text(cx, "description");
        if min.is_none() && t.raw("min").is_none() {
            t.missing(cx, "min", "0");
        }
        if max.is_none() && t.raw("max").is_none() {
            t.missing(cx, "max", "25");
        }
        t.finish(cx);
        let (Some((label, span)), Some((min, _)), Some((max, _))) = (label, min, max) else {
            ok = false;
            continue;
        };
        if !(0.0..=100.0).contains(&min) || !(0.0..=100.0).contains(&max) || min >= max {
            cx.push(
                Diagnostic::error("bad-band", format!("band \"{label}\" runs from {min} to {max}; bands lie within 0–100 and `min` is below `max`"))
                    .at(Location::span(cx.sources, &span)),
            );
            ok = false;
            continue;
        }
        bands.push((
            Band {
                label: label.trim().to_string(),
                min,
                max,
                description,
            },
            span,
        ));
    }
    if !ok {
        return None;
    }
    bands.sort_by(|a, b| a.0.min.total_cmp(&b.0.min));
    let mut expected_min = 0.0_f64;
    for (b, span) in &bands {
        if b.min > expected_min {
            cx.push(
                Diagnostic::error(
                    "band-gap",
                    format!("no band covers scores from {expected_min} to {}", b.min),
                )
                .at(Location::span(cx.sources, span))
                .help("each band's `min` must equal the previous band's `max`, starting at 0"),
            );
            ok = false;
        } else if b.min < expected_min {
            cx.push(
                Diagnostic::error("band-overlap", format!("band \"{}\" starts at {} but the band before it runs to {expected_min}: they overlap", b.label, b.min))
                    .at(Location::span(cx.sources, span))
                    .help("each band's `min` must equal the previous band's `max`"),
            );
            ok = false;
        }
        expected_min = b.max;
    }
    if let Some((last, span)) = bands.last() {
        if last.max < 100.0 {
            cx.push(
                Diagnostic::error(
                    "band-gap",
                    format!("no band covers scores from {} to 100", last.max),
                )
                .at(Location::span(cx.sources, span))
                .help("the last band's `max` must be 100"),
            );
            ok = false;
        }
    } else {
        cx.push(
            Diagnostic::error("bad-band", "[rating] has no bands")
                .at(cx.loc(range.start..range.start)),
        );
        ok = false;
    }
    ok.then(|| bands.into_iter().map(|(b, _)| b).collect())
}

/// Reports flags that depend on themselves, directly or through other flags.
fn report_cycles(cx: &mut Cx<'_>, rubric: &Rubric, raw: &[RawFlag]) {
    let n = rubric.flags.len();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    let mut reported = vec![false; n];
    fn visit(
        i: usize,
        rubric: &Rubric,
        state: &mut [u8],
        path: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        state[i] = 1;
        path.push(i);
        for c in &rubric.flags[i].conditions {
            if let ConditionKind::Flag(j) = c.kind {
                if state[j] == 1 {
                    let from = path.iter().position(|&p| p == j).unwrap_or(0);
                    cycles.push(path[from..].to_vec());
                } else if state[j] == 0 {
                    visit(j, rubric, state, path, cycles);
                }
            }
        }
        path.pop();
        state[i] = 2;
    }
    let mut cycles = Vec::new();
    for i in 0..n {
        if state[i] == 0 {
            visit(i, rubric, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    for cycle in cycles {
        let first = cycle[0];
        if reported[first] {
            continue;
        }
        reported[first] = true;
        let mut names: Vec<&str> = cycle.iter().map(|&i| rubric.flags[i].id.as_str()).collect();
        names.push(&rubric.flags[first].id);
        let message = if cycle.len() == 1 {
            format!("flag `{}` depends on itself", rubric.flags[first].id)
        } else {
            format!(
                "flags depend on each other in a circle: {}",
                names.join(" → ")
            )
        };
        cx.push(
            Diagnostic::error("flag-cycle", message)
                .at(Location::span(cx.sources, &raw[first].span))
                .help("a flag can build on other flags, but never on itself"),
        );
    }
}
