//! Turning one action plan's rows into commitments and IRM ratings: which column becomes which
//! criterion in each rubric, which completion round is taken, how dates are placed, and the
//! located warning for every value that is not imported.

use std::collections::HashMap;

use super::dates::{self, Edge, Order, Parsed};
use super::labels::{labels, level};
use super::milestones::{self, Layout, Milestones};
use super::plans::year;
use super::write::{plan_text, scores_text};
use super::*;
use crate::diag::{Diagnostic, Report};
use crate::model::Date;

/// What becomes of a rating column in each rubric.
#[derive(Debug, Clone, Copy)]
enum Use {
    /// Imported as this criterion.
    Criterion(&'static str),
    /// Not read: OGP derives it from other columns that are imported.
    Derived,
    /// The rubric has no such criterion: each value is reported as not imported.
    Missing,
}

/// The rating columns besides completion and the OGP values, in the rubrics' order, with their
/// use in irm-legacy and in irm-refresh. Completion is taken just before DIOG.
const SOURCES: [(&str, Use, Use); 7] = [
    (SPECIFICITY, Use::Criterion("specificity"), Use::Missing),
    (VERIFIABLE, Use::Derived, Use::Criterion("verifiable")),
    (
        RELEVANT,
        Use::Derived,
        Use::Criterion("open-government-lens"),
    ),
    (
        POTENTIAL_IMPACT,
        Use::Criterion("potential-impact"),
        Use::Missing,
    ),
    (
        POTENTIAL_FOR_RESULTS,
        Use::Missing,
        Use::Criterion("potential-for-results"),
    ),
    (DIOG, Use::Criterion("did-it-open-government"), Use::Missing),
    (EARLY_RESULTS, Use::Missing, Use::Criterion("early-results")),
];

/// Which IRM report gave a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// A design rating (specificity, relevance, potential impact; verifiable, lens, potential
    /// for results): given once, at the start (in the progress report of the legacy IRM, the
    /// Action Plan Review of the refreshed one), and used by both rounds.
    Design,
    /// The progress report's completion (mid-term).
    Progress,
    /// The end-of-term report's (or Results Report's) completion and results.
    EndOfTerm,
}

impl Stage {
    /// The report, in words, for the rubric.
    pub fn words(self, rubric: Rubric) -> &'static str {
        match (self, rubric) {
            (Stage::Design, Rubric::Legacy) => "design, progress report",
            (Stage::Design, Rubric::Refresh) => "design, Action Plan Review",
            (Stage::Progress, _) => "progress report",
            (Stage::EndOfTerm, Rubric::Legacy) => "end-of-term report",
            (Stage::EndOfTerm, Rubric::Refresh) => "Results Report",
        }
    }

    fn of_column(column: &str) -> Stage {
        if [COMPLETION_END, DIOG, EARLY_RESULTS].contains(&column) {
            Stage::EndOfTerm
        } else if column == COMPLETION_PROGRESS {
            Stage::Progress
        } else {
            Stage::Design
        }
    }
}

/// One rating of the score file.
#[derive(Debug, Clone)]
pub(super) struct Rating {
    pub(super) commitment: String,
    pub(super) criterion: &'static str,
    pub(super) level: &'static str,
    pub(super) evidence: String,
    pub(super) stage: Stage,
    /// Where the rating comes from (column, report, year): written as a comment in plan.toml,
    /// never as the evaluator's words.
    pub(super) source: String,
}

/// A date of a commitment, with a remark when it was guessed or approximated.
pub(super) type Dated = (Date, Option<String>);

/// One commitment of the plan.
#[derive(Debug, Clone, Default)]
pub(super) struct Commitment {
    pub(super) id: String,
    pub(super) number: String,
    pub(super) title: String,
    pub(super) lead: Option<String>,
    pub(super) supporting: Vec<String>,
    /// OGP's text, when it was split into several institutions.
    pub(super) supporting_as_listed: Option<String>,
    pub(super) values: Vec<&'static str>,
    pub(super) themes: Vec<String>,
    pub(super) start: Option<Dated>,
    pub(super) end: Option<Dated>,
    pub(super) description: Option<String>,
    pub(super) url: Option<String>,
    /// The milestones read from `Full Text` (none with `--no-milestones`).
    pub(super) milestones: Milestones,
}

/// The result of importing one action plan.
#[derive(Debug, Clone)]
pub struct Imported {
    pub title: String,
    pub rubric: Rubric,
    /// The text of plan.toml.
    pub plan_toml: String,
    /// The text of scores/irm.csv.
    pub scores_csv: String,
    pub commitments: usize,
    pub ratings: usize,
    /// Rating cells holding ND, NR or NA (no row written for them).
    pub markers: usize,
    /// Values reported as not imported (warnings).
    pub not_imported: usize,
    /// Dates guessed or read from a month, quarter or year (notes).
    pub guessed_dates: usize,
    /// Ratings of the report that `--round` did not choose, left out.
    pub left_out: usize,
    /// How many ratings of each criterion come from each IRM report, in the rubric's order.
    pub by_report: Vec<(&'static str, Stage, usize)>,
    /// Commitments whose milestones were read, by layout, and how many milestones.
    pub milestones_by_layout: Vec<(Layout, usize)>,
    pub milestones: usize,
    /// Commitments with a milestone heading whose milestones could not be read: their raw
    /// text is in a comment for a person.
    pub milestones_unsure: usize,
}

/// Why an action plan cannot be imported into one plan.toml: the file would pass a limit that
/// every command enforces when it reads a plan (docs/limits.md), so it would not read back.
/// Nothing is written then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLarge {
    /// More commitments and milestones together than a plan may hold
    /// ([`crate::load::MAX_UNITS`]). `milestones` is `None` when the commitments alone pass
    /// it (their texts were then not read).
    Units {
        commitments: usize,
        milestones: Option<usize>,
    },
    /// plan.toml would be larger than a plan file may be ([`crate::load::MAX_TOML_BYTES`]):
    /// it passed that size at commitment `at` (1-based, in the order written) of `commitments`.
    Bytes { at: usize, commitments: usize },
}

/// `10.130000000000001` → `10.13`: commitment numbers that went through a spreadsheet's
/// floating point.
fn clean_number(n: &str) -> String {
    match n.split_once('.') {
        Some((_, frac)) if frac.len() >= 12 => n
            .parse::<f64>()
            .map_or_else(|_| n.to_string(), |x| format!("{x}")),
        _ => n.to_string(),
    }
}

/// Natural order of commitment numbers: "2" before "10", "1.2" before "1.10".
fn natural_key(s: &str) -> Vec<(u64, String)> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

/// A date cell of one commitment, with what it holds.
struct DateCell {
    row: usize,
    edge: Edge,
    raw: String,
    parsed: Parsed,
}

fn date_column(edge: Edge) -> &'static str {
    match edge {
        Edge::Start => START,
        Edge::End => END,
    }
}

/// The order of day and month for the ambiguous dates of one column of an action plan, and
/// why: the order the other dates of the same column show, else those of the other date
/// column, else the order that puts starts on the first of a month and ends on the last, else
/// month first (the database's habit).
fn decide_order(cells: &[DateCell], edge: Edge, table: &Table) -> (Order, String) {
    let evidence = |e: Edge| {
        let mut seen: Vec<(Order, &DateCell)> = Vec::new();
        for c in cells.iter().filter(|c| c.edge == e) {
            if let Parsed::Exact { order: Some(o), .. } = c.parsed
                && !seen.iter().any(|(s, _)| *s == o)
            {
                seen.push((o, c));
            }
        }
        seen
    };
    let other = match edge {
        Edge::Start => Edge::End,
        Edge::End => Edge::Start,
    };
    for (e, whose) in [(edge, "the other dates of"), (other, "the dates of")] {
        if let [(order, example)] = evidence(e)[..] {
            return (
                order,
                format!(
                    "like {whose} column \"{}\" in this action plan, such as \"{}\" (line {})",
                    date_column(e),
                    example.raw,
                    table.rows[example.row].line
                ),
            );
        }
    }
    let (mut day_votes, mut month_votes) = (0, 0);
    for c in cells {
        if let Parsed::Ambiguous {
            day_first,
            month_first,
        } = c.parsed
        {
            let (d, m) = (
                dates::looks_like(day_first, c.edge),
                dates::looks_like(month_first, c.edge),
            );
            if d && !m {
                day_votes += 1;
            }
            if m && !d {
                month_votes += 1;
            }
        }
    }
    let plausible = |order: Order, n: usize| {
        (
            order,
            format!(
                "as then start dates fall on the first of a month and end dates on the last, as they usually do ({n} of this action plan's ambiguous dates fit only when read {})",
                order.words()
            ),
        )
    };
    if day_votes > month_votes {
        return plausible(Order::DayFirst, day_votes);
    }
    if month_votes > day_votes {
        return plausible(Order::MonthFirst, month_votes);
    }
    (
        Order::MonthFirst,
        "as OGP's database usually writes dates month first (12/31/2022) and nothing in this action plan says otherwise".to_string(),
    )
}

/// What a missing-value marker means, for messages.
fn marker_words(cell: &str) -> String {
    match cell.trim().to_ascii_uppercase().as_str() {
        "" => "nothing".to_string(),
        "ND" => "ND (no data)".to_string(),
        "NR" => "NR (not reviewed by the IRM)".to_string(),
        "NA" | "N/A" => "NA (not applicable)".to_string(),
        _ => format!("\"{}\"", cell.trim()),
    }
}

/// The work of importing one action plan.
struct Importer<'a> {
    table: &'a Table,
    plan: &'a ActionPlan,
    round: Round,
    report: &'a mut Report,
    ratings: Vec<Rating>,
    date_cells: Vec<DateCell>,
    markers: usize,
    warnings: usize,
    notes: usize,
    left_out: usize,
    read_milestones: bool,
}

/// Imports one action plan: its commitments (in the order of their numbers), with the
/// milestones their text shows unless `read_milestones` is false, and the IRM's ratings,
/// reporting every value that is not imported. An action plan whose plan.toml would not read
/// back (too many commitments and milestones, or too many bytes) is refused with
/// [`TooLarge`]: the commitments are counted before anything is converted, the milestones
/// before the text is written, and the text stops growing at the size limit.
pub fn import(
    table: &Table,
    plan: &ActionPlan,
    round: Round,
    read_milestones: bool,
    report: &mut Report,
) -> Result<Imported, TooLarge> {
    let commitments = distinct_ids(table, plan);
    if commitments > crate::load::MAX_UNITS {
        return Err(TooLarge::Units {
            commitments,
            milestones: None,
        });
    }
    let mut im = Importer {
        table,
        plan,
        round,
        report,
        ratings: Vec::new(),
        date_cells: Vec::new(),
        markers: 0,
        warnings: 0,
        notes: 0,
        left_out: 0,
        read_milestones,
    };
    let mut commitments: Vec<(Commitment, usize)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for &ri in &plan.rows {
        let row = &table.rows[ri];
        let id = table.get(row, ID);
        if is_marker(id) {
            im.warn(
                Diagnostic::warning(
                    "skipped-row",
                    "row not imported: it has no commitment identifier",
                )
                .at(table.at(row, ID))
                .help("every commitment needs its OGP identifier (e.g. MN0025) to be imported"),
            );
            continue;
        }
        if let Some(&first) = seen.get(id) {
            im.warn(
                Diagnostic::warning(
                    "skipped-row",
                    format!(
                        "row not imported: commitment \"{id}\" was already imported from line {first}"
                    ),
                )
                .at(table.at(row, ID))
                .help("OGP's data lists each commitment once; delete the copied row"),
            );
            continue;
        }
        seen.insert(id.to_string(), row.line);
        let commitment = im.commitment(ri, id);
        im.ratings_of(row, id);
        commitments.push((commitment, ri));
    }
    im.place_dates(&mut commitments);

    commitments.sort_by(|(a, _), (b, _)| {
        natural_key(&a.number)
            .cmp(&natural_key(&b.number))
            .then_with(|| a.id.cmp(&b.id))
    });
    let order: HashMap<&str, usize> = commitments
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.id.as_str(), i))
        .collect();
    let mut ratings = std::mem::take(&mut im.ratings);
    ratings.sort_by_key(|r| {
        order
            .get(r.commitment.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    let commitments: Vec<Commitment> = commitments.into_iter().map(|(c, _)| c).collect();
    let mut by_report: Vec<(&'static str, Stage, usize)> = Vec::new();
    for r in &ratings {
        match by_report
            .iter_mut()
            .find(|(c, s, _)| *c == r.criterion && *s == r.stage)
        {
            Some(entry) => entry.2 += 1,
            None => by_report.push((r.criterion, r.stage, 1)),
        }
    }
    let mut milestones_by_layout: Vec<(Layout, usize)> = Vec::new();
    let (mut milestone_count, mut unsure) = (0, 0);
    for c in &commitments {
        match &c.milestones {
            Milestones::Read { layout, items } => {
                milestone_count += items.len();
                match milestones_by_layout.iter_mut().find(|(l, _)| l == layout) {
                    Some(entry) => entry.1 += 1,
                    None => milestones_by_layout.push((*layout, 1)),
                }
            }
            Milestones::Unsure { .. } => unsure += 1,
            Milestones::None => {}
        }
    }
    milestones_by_layout.sort();
    if commitments.len() + milestone_count > crate::load::MAX_UNITS {
        return Err(TooLarge::Units {
            commitments: commitments.len(),
            milestones: Some(milestone_count),
        });
    }
    let plan_toml =
        plan_text(plan, &commitments, &ratings, round, table).map_err(|at| TooLarge::Bytes {
            at,
            commitments: commitments.len(),
        })?;
    Ok(Imported {
        title: plan.title(),
        rubric: plan.rubric,
        plan_toml,
        scores_csv: scores_text(&ratings),
        commitments: commitments.len(),
        ratings: ratings.len(),
        markers: im.markers,
        not_imported: im.warnings,
        guessed_dates: im.notes,
        left_out: im.left_out,
        by_report,
        milestones_by_layout,
        milestones: milestone_count,
        milestones_unsure: unsure,
    })
}

/// The number of commitments the action plan's rows name (distinct identifiers; rows without
/// one are skipped by the import), counted without converting anything.
fn distinct_ids(table: &Table, plan: &ActionPlan) -> usize {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for &ri in &plan.rows {
        let id = table.get(&table.rows[ri], ID);
        if !is_marker(id) {
            seen.insert(id);
        }
    }
    seen.len()
}

impl Importer<'_> {
    /// Reports a value that is not imported.
    fn warn(&mut self, d: Diagnostic) {
        self.warnings += 1;
        self.report.push(d);
    }

    fn note(&mut self, d: Diagnostic) {
        self.notes += 1;
        self.report.push(d);
    }

    /// Keeps a rating when the chosen round's report gave it: `--round progress` leaves out
    /// the end-of-term report's ratings (completion, results), `--round end-of-term` the
    /// progress report's completion; design ratings belong to both.
    fn keep(&mut self, r: Rating) {
        let left_out = match self.round {
            Round::Latest => false,
            Round::Progress => r.stage == Stage::EndOfTerm,
            Round::EndOfTerm => r.stage == Stage::Progress,
        };
        if left_out {
            self.left_out += 1;
        } else {
            self.ratings.push(r);
        }
    }

    /// The commitment of row `ri` (its dates are placed later, once the whole plan is read).
    fn commitment(&mut self, ri: usize, id: &str) -> Commitment {
        let table = self.table;
        let row = &table.rows[ri];
        let mut c = Commitment {
            id: id.to_string(),
            number: clean_number(table.get(row, COMMITMENT_NUMBER)),
            ..Commitment::default()
        };
        let title = table.get(row, TITLE);
        let short = table.get(row, SHORT_TITLE);
        c.title = if !is_marker(title) {
            one_line(title)
        } else if !is_marker(short) {
            one_line(short)
        } else {
            self.warn(
                Diagnostic::warning(
                    "no-title",
                    format!("commitment \"{id}\" has no title: named after its number"),
                )
                .at(table.at(row, TITLE))
                .help("write its title in plan.toml"),
            );
            format!("Commitment {}", c.number)
        };
        let lead = table.get(row, LEAD);
        if !is_marker(lead) {
            c.lead = Some(one_line(lead));
        }
        let supporting = table.get(row, SUPPORTING);
        if !is_marker(supporting) {
            let (list, split) = split_institutions(supporting);
            if split {
                c.supporting_as_listed = Some(one_line(supporting));
            }
            c.supporting = list;
        }
        let text = table
            .column(FULL_TEXT)
            .and_then(|i| row.cell(i))
            .unwrap_or("");
        if !is_marker(text) {
            let text = text.replace("\r\n", "\n").trim().to_string();
            if self.read_milestones {
                let reading = milestones::read(&text);
                c.milestones = reading.milestones;
                c.description = Some(reading.description).filter(|d| !d.is_empty());
            } else {
                c.description = Some(text);
            }
        }
        let url = table.get(row, URL);
        if url.starts_with("http") {
            c.url = Some(url.to_string());
        }
        self.values(row, id, &mut c);
        self.themes(row, &mut c);
        for edge in [Edge::Start, Edge::End] {
            let raw = table.get(row, date_column(edge)).to_string();
            let parsed = dates::parse(&raw, edge);
            self.date_cells.push(DateCell {
                row: ri,
                edge,
                raw,
                parsed,
            });
        }
        c
    }

    /// The OGP values (1/0): plan.toml's `values`, and the four yes-no criteria of irm-legacy.
    fn values(&mut self, row: &Row, id: &str, c: &mut Commitment) {
        let table = self.table;
        let rubric = self.plan.rubric;
        for (column, value) in VALUES {
            let cell = table.get(row, column);
            if is_marker(cell) {
                if rubric == Rubric::Legacy && table.column(column).is_some() {
                    self.markers += 1;
                }
                continue;
            }
            match level(rubric, value, cell) {
                Some(yes_no) => {
                    if yes_no == "Yes" {
                        c.values.push(value);
                    }
                    if rubric == Rubric::Legacy {
                        let r = rating(table, row, id, value, yes_no, column, None);
                        self.keep(r);
                    }
                }
                None => self.warn(
                    Diagnostic::warning(
                        "unknown-rating",
                        format!("\"{cell}\" is neither 1 nor 0: not imported"),
                    )
                    .at(table.at(row, column))
                    .expected("1 (the commitment is relevant to this OGP value) or 0"),
                ),
            }
        }
    }

    /// Themes: the free-text `Theme`, then each policy-area tag set to 1 (the tag columns lie
    /// between `Supporting Institution(s)` and the first report column).
    fn themes(&mut self, row: &Row, c: &mut Commitment) {
        let table = self.table;
        let theme = table.get(row, THEME);
        if !is_marker(theme) {
            c.themes.push(one_line(theme));
        }
        let tags = match (table.column(SUPPORTING), table.column(TAGS_BEFORE)) {
            (Some(a), Some(b)) if a < b => a + 1..b,
            _ => 0..0,
        };
        for t in tags {
            let cell = row.cell(t).map_or("", str::trim);
            match cell {
                "1" => {
                    let name = one_line(&table.headers[t]);
                    if !c.themes.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
                        c.themes.push(name);
                    }
                }
                "0" => {}
                _ if is_marker(cell) => {}
                _ => self.warn(
                    Diagnostic::warning(
                        "unknown-tag",
                        format!("\"{cell}\" is neither 1 nor 0: the policy area is not imported"),
                    )
                    .at(table.at_index(row, t))
                    .expected("1 (the commitment is tagged with this policy area) or 0"),
                ),
            }
        }
    }

    /// The ratings of one row besides the OGP values, in the rubric's order.
    fn ratings_of(&mut self, row: &Row, id: &str) {
        let table = self.table;
        let rubric = self.plan.rubric;
        for (column, legacy, refresh) in SOURCES {
            if column == DIOG {
                // Completion comes between potential and results in both rubrics.
                self.completion(row, id);
            }
            let use_ = match rubric {
                Rubric::Legacy => legacy,
                Rubric::Refresh => refresh,
            };
            let cell = table.get(row, column);
            if table.column(column).is_none() {
                continue;
            }
            if is_marker(cell) {
                if matches!(use_, Use::Criterion(_)) {
                    self.markers += 1;
                }
                continue;
            }
            match use_ {
                Use::Derived => {}
                Use::Missing => {
                    let d = Diagnostic::warning(
                        "not-in-rubric",
                        format!(
                            "\"{cell}\" not imported: {} has no criterion for the column \"{column}\"",
                            rubric.id()
                        ),
                    )
                    .at(table.at(row, column))
                    .help(format!(
                        "this action plan is assessed with {} ({}); this rating belongs to the other IRM method",
                        rubric.id(),
                        self.plan.rubric_why
                    ));
                    self.warn(d);
                }
                Use::Criterion(criterion) => match level(rubric, criterion, cell) {
                    Some(label) => {
                        let extra = if column == DIOG {
                            by_value(table, row)
                        } else {
                            None
                        };
                        let r = rating(table, row, id, criterion, label, column, extra);
                        self.keep(r);
                    }
                    None => {
                        let d = unknown_level(table, row, column, cell, rubric, criterion);
                        self.warn(d);
                    }
                },
            }
        }
    }

    /// The completion rating of the chosen round; the other round's value goes in the comment.
    fn completion(&mut self, row: &Row, id: &str) {
        let table = self.table;
        let rubric = self.plan.rubric;
        let read = |column: &str| {
            let cell = table.get(row, column);
            if is_marker(cell) || table.column(column).is_none() {
                (cell, None, true)
            } else {
                (cell, level(rubric, "completion", cell), false)
            }
        };
        let progress = read(COMPLETION_PROGRESS);
        let end = read(COMPLETION_END);
        for (column, (cell, label, marker)) in
            [(COMPLETION_PROGRESS, progress), (COMPLETION_END, end)]
        {
            if marker {
                if table.column(column).is_some() {
                    self.markers += 1;
                }
            } else if label.is_none() {
                let d = unknown_level(table, row, column, cell, rubric, "completion");
                self.warn(d);
            }
        }
        let (chosen, other) = match self.round {
            Round::Progress => (COMPLETION_PROGRESS, COMPLETION_END),
            Round::EndOfTerm => (COMPLETION_END, COMPLETION_PROGRESS),
            Round::Latest if end.1.is_some() => (COMPLETION_END, COMPLETION_PROGRESS),
            Round::Latest => (COMPLETION_PROGRESS, COMPLETION_END),
        };
        let pick = |c: &str| if c == COMPLETION_END { end } else { progress };
        let (chosen_cell, chosen_label, _) = pick(chosen);
        let (other_cell, other_label, other_marker) = pick(other);
        if let Some(label) = chosen_label {
            let mut extra = Vec::new();
            // Only without --round does the other round's rating belong in the folder.
            if !other_marker && self.round == Round::Latest {
                extra.push(format!(
                    "the {} rated it {} (column \"{other}\")",
                    Stage::of_column(other).words(rubric),
                    one_line(other_cell)
                ));
                let change = table.get(row, CHANGE_IN_COMPLETION);
                if !is_marker(change) {
                    extra.push(format!("change in completion: {}", one_line(change)));
                }
            }
            if self.round != Round::Latest && other_label.is_some() {
                self.left_out += 1;
            }
            let extra = (!extra.is_empty()).then(|| extra.join("; "));
            let r = rating(table, row, id, "completion", label, chosen, extra);
            self.keep(r);
            return;
        }
        let flag = match self.round {
            Round::Latest => return,
            Round::Progress => "progress",
            Round::EndOfTerm => "end-of-term",
        };
        if other_label.is_some() {
            let d = Diagnostic::warning(
                "other-round",
                format!(
                    "\"{other_cell}\" not imported: --round {flag} takes completion from \"{chosen}\", which holds {} for this commitment",
                    marker_words(chosen_cell)
                ),
            )
            .at(table.at(row, other))
            .help("leave out --round to take the latest rating present for each commitment");
            self.warn(d);
        }
    }

    /// Places every date: the order of ambiguous ones is decided per column of the plan; a
    /// commitment that would end before it starts gets neither date.
    fn place_dates(&mut self, commitments: &mut [(Commitment, usize)]) {
        let table = self.table;
        let cells = std::mem::take(&mut self.date_cells);
        let start_order = decide_order(&cells, Edge::Start, table);
        let end_order = decide_order(&cells, Edge::End, table);
        let mut placed: HashMap<(usize, Edge), Dated> = HashMap::new();
        for cell in &cells {
            let row = &table.rows[cell.row];
            let at = table.at(row, date_column(cell.edge));
            let value = match &cell.parsed {
                Parsed::Missing => None,
                Parsed::Exact { date, .. } => Some((*date, None)),
                Parsed::Ambiguous {
                    day_first,
                    month_first,
                } => {
                    let (order, why) = match cell.edge {
                        Edge::Start => &start_order,
                        Edge::End => &end_order,
                    };
                    let (date, other) = match order {
                        Order::DayFirst => (*day_first, *month_first),
                        Order::MonthFirst => (*month_first, *day_first),
                    };
                    self.note(
                        Diagnostic::note(
                            "date-guess",
                            format!("\"{}\" read as {date} ({}), {why}", cell.raw, order.words()),
                        )
                        .at(at)
                        .help(format!("if it meant {other}, correct it in plan.toml")),
                    );
                    Some((
                        date,
                        Some(format!("\"{}\" read {}", cell.raw, order.words())),
                    ))
                }
                Parsed::Approximate { date, how } => {
                    self.note(
                        Diagnostic::note(
                            "date-approximate",
                            format!("\"{}\" is {how}: {date}", cell.raw),
                        )
                        .at(at)
                        .help("correct it in plan.toml if you know the exact day"),
                    );
                    Some((*date, Some(format!("from \"{}\"", cell.raw))))
                }
                Parsed::Invalid(why) => {
                    self.warn(
                        Diagnostic::warning("not-a-date", format!("{why}: not imported"))
                            .at(at)
                            .help("write the date in plan.toml (YYYY-MM-DD) if you know it"),
                    );
                    None
                }
            };
            if let Some(v) = value {
                placed.insert((cell.row, cell.edge), v);
            }
        }
        for (c, ri) in commitments.iter_mut() {
            let start = placed.remove(&(*ri, Edge::Start));
            let end = placed.remove(&(*ri, Edge::End));
            match (&start, &end) {
                (Some((s, _)), Some((e, _))) if s > e => {
                    let row = &table.rows[*ri];
                    for (edge, date) in [(Edge::Start, s), (Edge::End, e)] {
                        self.warn(
                            Diagnostic::warning(
                                "date-order",
                                format!(
                                    "{date} not imported: the commitment would end ({e}) before it starts ({s})"
                                ),
                            )
                            .at(table.at(row, date_column(edge)))
                            .help("check both dates in the action plan and write them in plan.toml"),
                        );
                    }
                }
                _ => {
                    c.start = start;
                    c.end = end;
                }
            }
        }
    }
}

/// The warning for a value that is not a level of the rubric's criterion.
fn unknown_level(
    table: &Table,
    row: &Row,
    column: &str,
    cell: &str,
    rubric: Rubric,
    criterion: &str,
) -> Diagnostic {
    let choices = labels(rubric, criterion);
    let help = match cell.to_lowercase().as_str() {
        "unclear" => "the IRM could not tell; if you know the answer, add the rating to scores/irm.csv by hand".to_string(),
        "no early results to report yet" => {
            "the IRM had no results to report yet: no rating was written".to_string()
        }
        _ => crate::suggest::did_you_mean(cell, choices.iter().copied()).unwrap_or_else(|| {
            "if you know which level the IRM meant, add the rating to scores/irm.csv by hand"
                .to_string()
        }),
    };
    Diagnostic::warning(
        "unknown-rating",
        format!(
            "\"{cell}\" is not a level of `{criterion}` in {}: not imported",
            rubric.id()
        ),
    )
    .at(table.at(row, column))
    .expected(crate::suggest::one_of(&choices, 8))
    .help(help)
}

/// One rating, with its evidence (a link to the IRM report when the data has one, else the
/// commitment's page on OGP's website) and where it comes from (its provenance).
fn rating(
    table: &Table,
    row: &Row,
    id: &str,
    criterion: &'static str,
    level: &'static str,
    column: &str,
    extra: Option<String>,
) -> Rating {
    let latest = table.get(row, LATEST_REPORT);
    let url = table.get(row, URL);
    let evidence = if latest.starts_with("http") {
        latest.to_string()
    } else if url.starts_with("http") {
        url.to_string()
    } else {
        String::new()
    };
    let stage = Stage::of_column(column);
    let year_column = if stage == Stage::EndOfTerm {
        REPORT_YEAR_END
    } else {
        REPORT_YEAR_PROGRESS
    };
    let mut source = format!("column \"{column}\"");
    if let Some(y) = year(table.get(row, year_column)) {
        source.push_str(&format!(", report published {y}"));
    }
    if let Some(extra) = extra {
        source.push_str("; ");
        source.push_str(&extra);
    }
    Rating {
        commitment: id.to_string(),
        criterion,
        level,
        evidence,
        stage,
        source,
    }
}

/// "by value: access to information Major, …" from the three DIOG-by-value columns.
fn by_value(table: &Table, row: &Row) -> Option<String> {
    let parts: Vec<String> = DIOG_BY_VALUE
        .iter()
        .filter_map(|(column, name)| {
            let v = table.get(row, column);
            (!is_marker(v)).then(|| format!("{name} {}", one_line(v)))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("by value: {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers_are_cleaned() {
        assert_eq!(clean_number("10.130000000000001"), "10.13");
        assert_eq!(clean_number("5.0999999999999996"), "5.1");
        assert_eq!(clean_number("2.3.1"), "2.3.1");
        let mut ids = vec!["10", "2", "1.10", "1.2"];
        ids.sort_by_key(|s| natural_key(s));
        assert_eq!(ids, ["1.2", "1.10", "2", "10"]);
    }

    #[test]
    fn markers_are_explained() {
        assert_eq!(marker_words("NR"), "NR (not reviewed by the IRM)");
        assert_eq!(marker_words(""), "nothing");
    }
}
