//! `plan.toml`: the action plan, the assessment settings and the evaluators, checked key by key.

use std::collections::HashMap;

use toml::de::DeTable;

use super::toml_doc::{self, Cx, Table};
use crate::diag::{Diagnostic, Location};
use crate::model::plan::Settings;
use crate::model::{Commitment, Evaluator, Milestone, OgpValue, Plan, Role};
use crate::source::Span;

/// Builds the plan from a parsed document, reporting every problem. Returns a plan even when
/// some parts were wrong (those parts left out), so the score files can still be checked.
pub(crate) fn read(
    cx: &mut Cx<'_>,
    doc: &DeTable<'_>,
    doc_range: std::ops::Range<usize>,
    second: Option<toml_doc::SecondHalf<'_, Commitments>>,
) -> Plan {
    let mut root = Table::new(doc, doc_range, "plan.toml");
    let mut plan = Plan {
        country: String::new(),
        title: String::new(),
        start: None,
        end: None,
        organisation: None,
        language: None,
        comment: crate::model::plan::CommentHeader::default(),
        settings: Settings::default(),
        evaluators: Vec::new(),
        commitments: Vec::new(),
    };

    match root.table(cx, "plan", "[plan]") {
        Some(mut t) => {
            plan.country = t
                .required_string(cx, "country", "\"Mongolia\"")
                .map(|(s, _)| s)
                .unwrap_or_default();
            plan.title = t
                .required_string(cx, "title", "\"Second National Action Plan 2016–2018\"")
                .map(|(s, _)| s)
                .unwrap_or_default();
            let start = t.date(cx, "start");
            let end = t.date(cx, "end");
            check_order(cx, start.as_ref(), end.as_ref(), "[plan]", "start", "end");
            plan.start = start.map(|d| d.0);
            plan.end = end.map(|d| d.0);
            plan.organisation = t.text(cx, "organisation");
            plan.language = t.text(cx, "language");
            t.finish(cx);
        }
        None => {
            if root.raw("plan").is_none() {
                cx.push(
                    Diagnostic::error("missing-key", "plan.toml has no [plan] table")
                        .at(cx.loc(0..0))
                        .help("start the file with:\n[plan]\ncountry = \"…\"\ntitle = \"…\""),
                );
            }
        }
    }

    if let Some(mut t) = root.table(cx, "comment", "[comment]") {
        let h = &mut plan.comment;
        h.organisation = t.text(cx, "organisation");
        h.authors = t
            .strings(cx, "authors", true)
            .into_iter()
            .map(|(s, _)| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        h.contact = t.text(cx, "contact");
        h.report = t.text(cx, "report");
        h.monitoring = t.text(cx, "monitoring");
        h.funders = t.text(cx, "funders");
        h.overview = t.text(cx, "overview");
        t.finish(cx);
    }

    if let Some(mut t) = root.table(cx, "assessment", "[assessment]") {
        plan.settings.rubric = t.string(cx, "rubric").filter(|(s, _)| !s.trim().is_empty());
        plan.settings.scores = t
            .strings(cx, "scores", true)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        plan.settings.as_of = t.date(cx, "as_of").map(|d| d.0);
        plan.settings.reference = t.strings(cx, "reference", true);
        t.finish(cx);
    }

    let mut seen_evaluators: HashMap<String, Span> = HashMap::new();
    for mut t in root.tables(cx, "evaluator", "[[evaluator]]") {
        let id = t.required_string(cx, "id", "\"demo\"");
        let name = t.text(cx, "name");
        let organisation = t.text(cx, "organisation");
        let role = t.choice(cx, "role", &Role::ALL).unwrap_or(Role::Other);
        t.finish(cx);
        let Some((id, span)) = id else { continue };
        let id = id.trim().to_string();
        if let Some(first) = seen_evaluators.get(&id) {
            cx.push(
                Diagnostic::error("duplicate-id", format!("evaluator `{id}` is listed twice"))
                    .at(Location::span(cx.sources, &span))
                    .related(Location::span(cx.sources, first), "first listed at")
                    .help("give each evaluator its own id"),
            );
            continue;
        }
        seen_evaluators.insert(id.clone(), span.clone());
        plan.evaluators.push(Evaluator {
            id,
            name,
            organisation,
            role,
            span,
        });
    }

    // Reference evaluators must be declared when evaluators are declared at all.
    if !plan.evaluators.is_empty() {
        for (r, span) in &plan.settings.reference {
            if plan.evaluator(r).is_none() {
                let ids: Vec<&str> = plan.evaluators.iter().map(|e| e.id.as_str()).collect();
                cx.push(
                    Diagnostic::error(
                        "unknown-evaluator",
                        format!("reference evaluator `{r}` is not listed in [[evaluator]]"),
                    )
                    .at(Location::span(cx.sources, span))
                    .expected(format!("one of {}", crate::suggest::one_of(&ids, 20)))
                    .maybe_help(crate::suggest::did_you_mean(r, ids.iter().copied())),
                );
            }
        }
    }

    let commitment_tables = root.tables(cx, "commitment", "[[commitment]]");
    let mut commitments = Commitments::default();
    let more = second.as_ref().map_or(0, |s| s.len);
    let room = commitment_tables.len().min(super::MAX_UNITS);
    commitments
        .list
        .reserve_exact((room + more).min(super::MAX_UNITS));
    // Sized once: grown by doubling, the map of ten thousand ids is hashed again five times.
    commitments.seen_commitments.reserve(room);
    let before = commitment_tables.len();
    commitments.read(cx, commitment_tables);
    if let Some(second) = second {
        commitments.second_half(cx, second, before);
    }
    plan.commitments = commitments.list;
    if plan.commitments.is_empty() && !cx.report.has_errors() {
        cx.push(
            Diagnostic::warning("no-commitments", "plan.toml lists no commitments")
                .at(cx.loc(0..0))
                .help("add one [[commitment]] table per commitment of the action plan (see docs/formats.md)"),
        );
    }
    root.finish(cx);
    plan
}

/// The commitments of a plan, read table by table as one reader reads them in order.
#[derive(Debug, Default)]
pub(crate) struct Commitments {
    /// The commitments read (those with an id and a title that no earlier one has).
    list: Vec<Commitment>,
    /// Where each commitment id read was first given.
    seen_commitments: HashMap<String, Span>,
    /// Where each milestone id read was first given (ids are unique in the whole plan).
    seen_milestones: HashMap<String, Span>,
    /// Commitments and milestones read so far.
    units: usize,
    /// Whether the plan passed [`super::MAX_UNITS`]: nothing of it is kept, nothing more read.
    stopped: bool,
}

impl Commitments {
    /// Reads `tables` in order, after those read before.
    pub(crate) fn read(&mut self, cx: &mut Cx<'_>, tables: Vec<Table<'_, '_>>) {
        for t in tables {
            if self.stopped {
                return;
            }
            self.one(cx, t);
        }
    }

    /// Takes the second half of a plan parsed in two ([`toml_doc::read_halves`]), whose
    /// commitment tables come after the `before` read here: what the second thread read when
    /// that is exactly what reading them here would give (it reported nothing, and no id of it
    /// is one read here), else their tables, read here.
    pub(crate) fn second_half(
        &mut self,
        cx: &mut Cx<'_>,
        second: toml_doc::SecondHalf<'_, Commitments>,
        before: usize,
    ) {
        if self.stopped {
            // One reader stops at the commitment that passes the limit.
            return;
        }
        if let Some(found) = second.found()
            && found.quiet
        {
            let theirs = found.found;
            let clash = theirs
                .seen_commitments
                .keys()
                .any(|id| self.seen_commitments.contains_key(id))
                || theirs
                    .seen_milestones
                    .keys()
                    .any(|id| self.seen_milestones.contains_key(id));
            if !clash && self.units + theirs.units <= super::MAX_UNITS {
                self.units += theirs.units;
                self.list.extend(theirs.list);
                return;
            }
        }
        let tables = second.tables();
        self.read(cx, Table::entries(&tables, "[[commitment]]", before));
    }

    /// Reads the commitments of the second half of a plan on the thread that parsed it (see
    /// [`Commitments::second_half`]), freeing each table once read: what it keeps then takes
    /// the place of what it read, instead of adding to the thread's memory (its `malloc`
    /// arena, which other threads reuse but which is not given back).
    pub(crate) fn ahead(
        cx: &mut Cx<'_>,
        tables: Vec<toml::Spanned<toml::de::DeValue<'_>>>,
    ) -> Self {
        let room = tables.len().min(super::MAX_UNITS);
        let mut theirs = Commitments::default();
        theirs.list.reserve_exact(room);
        theirs.seen_commitments.reserve(room);
        for (i, item) in tables.into_iter().enumerate() {
            if theirs.stopped {
                break;
            }
            if let Some(t) = Table::entry(&item, "[[commitment]]", i) {
                theirs.one(cx, t);
            }
        }
        theirs
    }

    /// Reads one commitment's table.
    fn one(&mut self, cx: &mut Cx<'_>, mut t: Table<'_, '_>) {
        let id = t.required_string(cx, "id", "\"1\"");
        if let Some((id, _)) = &id {
            t.rename(quoted("commitment `", id.trim(), "`"));
        }
        let title = t.required_string(cx, "title", "\"Open budget data\"");
        let lead = t.text(cx, "lead");
        let supporting = t
            .strings(cx, "supporting", true)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let mut values = Vec::new();
        for (v, span) in t.strings(cx, "values", true) {
            match OgpValue::ALL.iter().find(|(id, _)| *id == v.trim()) {
                Some((_, value)) if !values.contains(value) => values.push(*value),
                Some(_) => {}
                None => {
                    let names: Vec<&str> = OgpValue::ALL.iter().map(|(id, _)| *id).collect();
                    cx.push(
                        Diagnostic::error("unknown-value", format!("\"{v}\" is not an OGP value"))
                            .at(Location::span(cx.sources, &span))
                            .expected(crate::suggest::one_of(&names, 4))
                            .maybe_help(crate::suggest::did_you_mean(&v, names.iter().copied())),
                    );
                }
            }
        }
        let themes = t
            .strings(cx, "themes", true)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let start = t.date(cx, "start");
        let end = t.date(cx, "end");
        check_order(cx, start.as_ref(), end.as_ref(), &t.name, "start", "end");
        let description = t.text(cx, "description");
        let ogp_id = t.text(cx, "ogp_id").map(|s| s.trim().to_string());
        let mut events = Vec::new();
        for mut e in t.tables(cx, "event", "[[commitment.event]]") {
            let date = e.date(cx, "date");
            if date.is_none() && e.raw("date").is_none() {
                e.missing(cx, "date", "2018-01-31");
            }
            let text = e.required_string(cx, "text", "\"The application was launched\"");
            let source = e.text(cx, "source");
            e.finish(cx);
            if let (Some((date, _)), Some((text, _))) = (date, text) {
                events.push(crate::model::plan::Event {
                    date,
                    text: text.trim().to_string(),
                    source,
                });
            }
        }
        events.sort_by_key(|e| e.date);
        let mut milestones = Vec::new();
        for mut m in t.tables(cx, "milestone", "[[commitment.milestone]]") {
            let mid = m.required_string(cx, "id", "\"1.1\"");
            if let Some((mid, _)) = &mid {
                m.rename(format!("milestone `{}` of {}", mid.trim(), t.name));
            }
            let mtitle = m.required_string(cx, "title", "\"Draft law submitted to parliament\"");
            let mstart = m.date(cx, "start");
            let due = m.date(cx, "due");
            let weight = m.number(cx, "weight", super::MAX_WEIGHT);
            let name = m.finish(cx);
            check_order(cx, mstart.as_ref(), due.as_ref(), &name, "start", "due");
            if let (Some((due, due_span)), Some((end, _))) = (&due, &end)
                && due > end
            {
                cx.push(
                    Diagnostic::warning(
                        "date-order",
                        format!("{name} is due {due}, after its commitment ends ({end})"),
                    )
                    .at(Location::span(cx.sources, due_span))
                    .help("check the date, or extend the commitment's `end`"),
                );
            }
            let weight = match weight {
                Some((w, span)) if w <= 0.0 => {
                    cx.push(
                        Diagnostic::error("bad-weight", format!("the weight of {name} must be more than 0, but it is {w}"))
                            .at(Location::span(cx.sources, &span))
                            .help("use 1 for an ordinary milestone, 2 for one that counts double; remove the milestone if it should not count"),
                    );
                    1.0
                }
                Some((w, span)) if w < super::MIN_WEIGHT => {
                    cx.push(
                        Diagnostic::error("bad-weight", format!("the weight of {name} is {w:e}, too small to count: a weight is at least 0.000001"))
                            .at(Location::span(cx.sources, &span))
                            .help("use 1 for an ordinary milestone, 2 for one that counts double; remove the milestone if it should not count"),
                    );
                    1.0
                }
                Some((w, _)) => w,
                None => 1.0,
            };
            let (Some((mid, mspan)), Some((mtitle, _))) = (mid, mtitle) else {
                continue;
            };
            let mid = mid.trim().to_string();
            if let Some(first) = self.seen_milestones.get(&mid) {
                cx.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("milestone id `{mid}` is used twice"),
                    )
                    .at(Location::span(cx.sources, &mspan))
                    .related(Location::span(cx.sources, first), "first used at")
                    .help("milestone ids must be unique in the whole plan, e.g. 1.1, 1.2, 2.1"),
                );
                continue;
            }
            self.seen_milestones.insert(mid.clone(), mspan.clone());
            milestones.push(Milestone {
                id: mid,
                title: mtitle,
                start: mstart.map(|d| d.0),
                due: due.map(|d| d.0),
                weight,
                span: mspan,
            });
        }
        t.finish(cx);
        let (Some((id, span)), Some((title, _))) = (id, title) else {
            return;
        };
        let id = id.trim().to_string();
        if let Some(first) = self.seen_commitments.get(&id) {
            cx.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!("commitment id `{id}` is used twice"),
                )
                .at(Location::span(cx.sources, &span))
                .related(Location::span(cx.sources, first), "first used at")
                .help("give each commitment its own id"),
            );
            return;
        }
        self.seen_commitments.insert(id.clone(), span.clone());
        self.units += 1 + milestones.len();
        if self.units > super::MAX_UNITS {
            cx.push(
                Diagnostic::error(
                    "too-many-commitments",
                    format!(
                        "the plan has more than {} commitments and milestones together; this is where it passes that number",
                        super::MAX_UNITS
                    ),
                )
                .at(Location::span(cx.sources, &span))
                .help("a national action plan has tens of commitments; check that this is the right file (see docs/limits.md)"),
            );
            // Nothing of such a plan is assessed: every command stops at the error.
            self.list = Vec::new();
            self.stopped = true;
            return;
        }
        self.list.push(Commitment {
            id,
            title: title.trim().to_string(),
            lead,
            supporting,
            values,
            themes,
            start: start.map(|d| d.0),
            end: end.map(|d| d.0),
            description,
            ogp_id,
            milestones,
            events,
            span,
        });
    }
}

/// `before` + `id` + `after` in one allocation (a plan renames ten thousand commitments).
fn quoted(before: &str, id: &str, after: &str) -> String {
    let mut s = String::with_capacity(before.len() + id.len() + after.len());
    s.push_str(before);
    s.push_str(id);
    s.push_str(after);
    s
}

fn check_order(
    cx: &mut Cx<'_>,
    start: Option<&(crate::model::Date, Span)>,
    end: Option<&(crate::model::Date, Span)>,
    what: &str,
    start_key: &str,
    end_key: &str,
) {
    if let (Some((s, _)), Some((e, espan))) = (start, end)
        && s > e
    {
        cx.push(
            Diagnostic::error(
                "date-order",
                format!("{what} ends before it starts: {end_key} {e} is before {start_key} {s}"),
            )
            .at(Location::span(cx.sources, espan))
            .help(format!(
                "check both dates; `{end_key}` must be on or after `{start_key}`"
            )),
        );
    }
}
