//! Score files in CSV: encoding and delimiter detection, long and wide forms, and the
//! resolution of every cell against the plan and rubric, with a located diagnostic for each
//! problem. Files are streamed row by row, so millions of rows need no more memory than their
//! compact [`Rating`]s.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Location, Report, Snippet};
use crate::model::scores::ReferenceView;
use crate::model::{Note, Plan, Rating, Rubric, Scope, Scores, Unit};
use crate::source::FileId;
use crate::suggest;
use crate::text::{self, Encoding, Sniffed};

/// A hash map with a fast, non-cryptographic hash: the keys are short ids from the user's own
/// files, looked up millions of times, where SipHash's protection against crafted keys buys
/// nothing.
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash of rustc (FxHash).
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.add(word);
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Everything a score file is resolved against, indexed for fast lookups.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    pub plan: &'a Plan,
    pub rubric: &'a Rubric,
    /// The maps that [`Layout::ready`] reads are shared with it (and a second thread), not
    /// copied; evaluators are only added while no layout holds them.
    commitments: Arc<FastMap<&'a str, u32>>,
    /// OGP's commitment ids (`ogp_id`) → commitment index: a row may name either.
    ogp_ids: FastMap<&'a str, u32>,
    /// milestone id → (commitment, milestone) indices.
    milestones: Arc<FastMap<&'a str, (u32, u32)>>,
    criteria: FastMap<&'a str, u16>,
    evaluators: Arc<FastMap<String, u32>>,
    /// Whether evaluator ids must be listed in plan.toml (they must when the plan lists any;
    /// the loader lifts this for reference score files such as `draft --irm FILE`).
    pub(crate) declared: bool,
    /// Whether the file being read is a reference score file (`draft --irm FILE`): its
    /// ratings are kept beside the coalition's, so what the rubric cannot hold is kept as a
    /// [`crate::model::scores::ReferenceView`] instead of being an error.
    pub(crate) reference_file: bool,
    /// Whether to keep notes (see [`crate::load::Selection::notes`]).
    pub keep_notes: bool,
    /// Splits of large files found while plan.toml was read (see [`split_ahead`]).
    pub(crate) ahead: Vec<Ahead>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(plan: &'a Plan, rubric: &'a Rubric, scores: &mut Scores) -> Self {
        let mut commitments = FastMap::default();
        let mut ogp_ids = FastMap::default();
        let mut milestones = FastMap::default();
        for (ci, c) in plan.commitments.iter().enumerate() {
            let ci = u32::try_from(ci).unwrap_or(u32::MAX);
            commitments.insert(c.id.as_str(), ci);
            if let Some(o) = &c.ogp_id {
                ogp_ids.insert(o.as_str(), ci);
            }
            for (mi, m) in c.milestones.iter().enumerate() {
                milestones.insert(m.id.as_str(), (ci, u32::try_from(mi).unwrap_or(u32::MAX)));
            }
        }
        let criteria = rubric
            .criteria
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        let mut evaluators: FastMap<String, u32> = FastMap::default();
        for (id, i) in scores.evaluators.iter().zip(0u32..) {
            evaluators.entry(id.clone()).or_insert(i);
        }
        for e in &plan.evaluators {
            if !evaluators.contains_key(e.id.as_str()) {
                let idx = intern(&mut scores.evaluators, &e.id);
                evaluators.insert(e.id.clone(), idx);
            }
        }
        Resolver {
            plan,
            rubric,
            commitments: Arc::new(commitments),
            ogp_ids,
            milestones: Arc::new(milestones),
            criteria,
            evaluators: Arc::new(evaluators),
            declared: !plan.evaluators.is_empty(),
            reference_file: false,
            keep_notes: true,
            ahead: Vec::new(),
        }
    }

    fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.rubric.criteria.iter().map(|c| c.id.as_str())
    }
}

/// Appends an evaluator id that the resolver's map does not hold yet (the map, not a search of
/// the list, says whether it is new: a file may name a hundred thousand evaluators).
fn intern(list: &mut Vec<String>, id: &str) -> u32 {
    list.push(id.to_string());
    u32::try_from(list.len() - 1).unwrap_or(u32::MAX)
}

/// How many different unknown ids of one kind (evaluator, commitment, milestone, criterion)
/// a file's diagnostics describe with their first line and number of rows; rows naming yet
/// other unknown ids are only counted, so that millions of bad rows need no memory per row.
const UNKNOWN_KEPT: usize = 1000;

/// The first row naming an unknown id, and how many rows named it.
#[derive(Debug)]
struct Unknown {
    line: u32,
    col: usize,
    snippet: Snippet,
    rows: usize,
}

/// The spreadsheet letter of a 0-based column: 0 → A, 26 → AA.
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Which column holds what.
#[derive(Debug, Default)]
struct Columns {
    names: Vec<String>,
    evaluator: Option<usize>,
    commitment: Option<usize>,
    milestone: Option<usize>,
    criterion: Option<usize>,
    level: Option<usize>,
    evidence: Option<usize>,
    comment: Option<usize>,
    next_steps: Option<usize>,
    /// Wide form: (column, criterion index).
    criteria: Vec<(usize, u16)>,
    /// Whether a column has no name (rows must then leave it empty).
    unnamed: bool,
}

impl Columns {
    fn is_long(&self) -> bool {
        self.criterion.is_some() || self.level.is_some()
    }
}

/// A header cell as a column name: trimmed, lower-case, KoboToolbox/ODK group prefixes
/// (`group/`) removed, and `next steps` / `next-steps` read as `next_steps`.
fn normalise_header(raw: &str) -> String {
    let s = raw.trim().trim_start_matches('\u{feff}').trim();
    let s = s.rsplit('/').next().unwrap_or(s).trim();
    let lower = s.to_lowercase();
    match lower.as_str() {
        "next steps" | "next-steps" | "nextsteps" => "next_steps".to_string(),
        _ => lower,
    }
}

/// Picks the delimiter that splits the header line into the most fields (outside quotes).
fn sniff_delimiter(head: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    for b in head.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            _ if !in_quotes => {
                for (d, n) in &mut counts {
                    if b == *d {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map_or(b',', |(d, _)| *d)
}

/// One CSV file being read.
struct FileReader<'r, 'a> {
    resolver: &'r mut Resolver<'a>,
    file: FileId,
    display: String,
    delimiter: u8,
    report: &'r mut Report,
    /// Unknown evaluators/commitments/criteria/milestones: (kind, text) → where first seen and
    /// how often, for at most [`UNKNOWN_KEPT`] texts of each kind.
    unknown: HashMap<(&'static str, String), Unknown>,
    /// Per kind: how many texts are kept in `unknown`, and how many rows named others.
    unknown_kinds: Vec<(&'static str, usize, usize)>,
    cols: Columns,
    /// The worksheet's name, for spreadsheets (cells are then named like `Scores!D7`).
    sheet: Option<String>,
    last_evaluator: Option<(String, u32)>,
    last_commitment: Option<(String, u32)>,
    /// The vector of a row's cells, kept empty between rows to reuse its memory.
    spare: Vec<&'static str>,
}

impl<'a> FileReader<'_, 'a> {
    /// The row as it looks in the file, around the cell at `col` (a few cells either side, each
    /// shortened), with the position of that cell. Bounded work whatever the row's size.
    fn snippet(&self, fields: &[&str], col: usize) -> Snippet {
        const AROUND: usize = 6;
        let d = char::from(self.delimiter);
        let first = col.saturating_sub(AROUND);
        let last = (col + AROUND).min(fields.len().saturating_sub(1));
        let mut text = String::new();
        if first > 0 {
            text.push('…');
            text.push(d);
        }
        let mut start = 0;
        let mut width = 1;
        for (i, f) in fields.iter().enumerate().take(last + 1).skip(first) {
            if i > first {
                text.push(d);
            }
            let limit = if i == col { 120 } else { 40 };
            let cut: String = f.chars().take(limit + 1).collect();
            let mut shown = if cut.contains(d) || cut.contains('"') || cut.contains(['\n', '\r']) {
                format!(
                    "\"{}\"",
                    cut.replace('"', "\"\"").replace(['\r', '\n'], " ")
                )
            } else {
                cut
            };
            if shown.chars().count() > limit {
                shown = shown.chars().take(limit).collect::<String>() + "…";
            }
            if i == col {
                start = text.chars().count();
                width = shown.chars().count().max(1);
            }
            text.push_str(&shown);
        }
        if last + 1 < fields.len() {
            text.push(d);
            text.push('…');
        }
        Snippet { text, start, width }
    }

    fn loc(&self, line: u32, col: usize, fields: &[&str]) -> Location {
        let mut loc = Location::line(
            self.display.clone(),
            line as usize,
            Some(self.column_name(line, col)),
        );
        loc.snippet = Some(self.snippet(fields, col));
        loc
    }

    /// `column D "completion"` (CSV) or `cell Scores!D7 "completion"` (spreadsheets); the name
    /// is left out for a column without a header.
    fn column_name(&self, line: u32, col: usize) -> String {
        let place = match &self.sheet {
            Some(sheet) => format!("cell {sheet}!{}{line}", column_letter(col)),
            None => format!("column {}", column_letter(col)),
        };
        match self.cols.names.get(col).map(String::as_str) {
            Some(name) if !name.is_empty() => format!("{place} \"{name}\""),
            _ => place,
        }
    }

    /// Whether a problem of this kind will be shown; if not, it is only counted, so that a file
    /// with a million bad rows costs no more than a count per row.
    fn will_show(&mut self, code: &'static str) -> bool {
        if self.report.would_show(&self.display, code) {
            return true;
        }
        self.report
            .count_hidden(&self.display, code, crate::diag::Severity::Error);
        false
    }

    fn error(&mut self, code: &'static str, message: String, loc: Location) -> Diagnostic {
        let _ = self;
        Diagnostic::error(code, message).at(loc)
    }

    fn unknown(&mut self, kind: &'static str, text: &str, line: u32, col: usize, fields: &[&str]) {
        let key = (kind, text.to_string());
        if let Some(seen) = self.unknown.get_mut(&key) {
            seen.rows += 1;
            return;
        }
        let k = match self.unknown_kinds.iter().position(|(k, ..)| *k == kind) {
            Some(k) => k,
            None => {
                self.unknown_kinds.push((kind, 0, 0));
                self.unknown_kinds.len() - 1
            }
        };
        let (_, kept, others) = &mut self.unknown_kinds[k];
        if *kept >= UNKNOWN_KEPT {
            *others += 1;
            return;
        }
        *kept += 1;
        let snippet = self.snippet(fields, col);
        self.unknown.insert(
            key,
            Unknown {
                line,
                col,
                snippet,
                rows: 1,
            },
        );
    }

    /// The layout for [`Layout::ready`], once the header is read: a long-form file whose
    /// columns all have names, when plan.toml lists the evaluators (so no row adds one), and
    /// not a reference score file (whose levels may be mapped by meaning).
    fn layout(&self) -> Option<Layout<'a>> {
        let cols = &self.cols;
        if !self.resolver.declared
            || self.resolver.reference_file
            || cols.unnamed
            || cols.names.is_empty()
        {
            return None;
        }
        let resolver = &*self.resolver;
        Some(Layout {
            plan: resolver.plan,
            rubric: resolver.rubric,
            evaluators: resolver.evaluators.clone(),
            commitments: resolver.commitments.clone(),
            milestones: resolver.milestones.clone(),
            width: cols.names.len(),
            evaluator: cols.evaluator?,
            commitment: cols.commitment?,
            milestone: cols.milestone,
            criterion: cols.criterion?,
            level: cols.level?,
            evidence: cols.evidence,
            notes: [cols.comment, cols.next_steps],
            keep_notes: self.resolver.keep_notes,
            criteria: FewTexts::new(self.resolver.criteria.iter().map(|(id, &i)| (*id, i))),
            levels: self
                .resolver
                .rubric
                .criteria
                .iter()
                .map(|c| {
                    // Levels past the 16-bit limit are left to the general path.
                    FewTexts::new(
                        c.levels
                            .iter()
                            .zip(0..=u16::MAX)
                            .map(|(l, i)| (l.label.as_str(), i)),
                    )
                })
                .collect(),
            last_evaluator: Last::none(),
            last_commitment: Last::none(),
        })
    }

    /// A byte-order mark (the invisible mark that begins a file) at the start of a later
    /// line: two exports pasted into one file. The mark has been dropped from the row; a
    /// repeated header line after it is skipped (`true`).
    fn stray_bom(&mut self, line: u32, fields: &[&str], header_done: bool) -> bool {
        let repeated_header = header_done
            && fields.len() >= self.cols.names.len()
            && fields.iter().enumerate().all(|(i, f)| {
                self.cols
                    .names
                    .get(i)
                    .map_or(f.is_empty(), |n| normalise_header(f) == *n)
            });
        if line > 1 {
            let (message, help) = if repeated_header {
                (
                    "a byte-order mark (the invisible mark that begins a file) and a second header line: two files seem to have been pasted together here",
                    "the mark and this header line were skipped; check that no rows appear twice",
                )
            } else {
                (
                    "a byte-order mark (the invisible mark that begins a file) starts this line: two files seem to have been pasted together here",
                    "the mark was ignored and the row read; check that no rows appear twice",
                )
            };
            let d = Diagnostic::warning("stray-bom", message)
                .at(Location::line(self.display.clone(), line as usize, None))
                .help(help);
            self.report.push(d);
        }
        repeated_header
    }

    /// A cell that runs over line breaks and holds lines that look like rows of ratings: a
    /// quote opened in it was closed (if at all) only further down, and the rows in between
    /// were read as its text. An error naming the line where the quote opened.
    fn check_swallowed(&mut self, line: u32, fields: &[&str]) {
        let mut opened = line;
        for (col, cell) in fields.iter().enumerate() {
            let breaks =
                u32::try_from(cell.bytes().filter(|&b| b == b'\n').count()).unwrap_or(u32::MAX);
            if breaks == 0 {
                continue;
            }
            let rows = cell
                .split('\n')
                .skip(1)
                .filter(|l| self.looks_like_row(l))
                .count();
            if rows > 0 {
                let mut loc = Location::line(
                    self.display.clone(),
                    opened as usize,
                    Some(self.column_name(opened, col)),
                );
                loc.snippet = Some(self.snippet(fields, col));
                let d = Diagnostic::error(
                    "unclosed-quote",
                    format!(
                        "the quote that opens this cell on line {opened} is not closed until line {}: the {} in between {} read as this cell's text, and {} like {} of ratings",
                        opened.saturating_add(breaks),
                        crate::diag::plural(breaks as usize, "line"),
                        if breaks == 1 { "was" } else { "were" },
                        if rows == 1 { "one looks".to_string() } else { format!("{rows} look") },
                        if rows == 1 { "a row" } else { "rows" },
                    ),
                )
                .at(loc)
                .help("close the quote where the cell's text ends (a double quote inside a cell is written twice: \"\"), or remove the opening quote");
                self.report.push(d);
            }
            opened = opened.saturating_add(breaks);
        }
    }

    /// Whether a line of text inside a cell looks like a row of this file: its evaluator or
    /// commitment cell names one the plan (or the file so far) knows.
    fn looks_like_row(&self, text: &str) -> bool {
        let cells: Vec<&str> = text
            .trim_end_matches('\r')
            .split(char::from(self.delimiter))
            .map(|c| c.trim().trim_matches('"').trim())
            .collect();
        let cell = |col: Option<usize>| col.and_then(|c| cells.get(c)).copied();
        cell(self.cols.commitment).is_some_and(|c| self.resolver.commitments.contains_key(c))
            || cell(self.cols.evaluator).is_some_and(|e| self.resolver.evaluators.contains_key(e))
    }

    fn read_header(&mut self, fields: &[&str]) -> bool {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ok = true;
        let mut names = Vec::with_capacity(fields.len());
        for f in fields {
            names.push(normalise_header(f));
        }
        self.cols.names = names.clone();
        self.cols.unnamed = names.iter().any(String::is_empty);
        let is_long = names.iter().any(|n| n == "criterion" || n == "level");
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() {
                // Spreadsheets often export trailing empty columns; an empty header is only a
                // problem if the rows below it hold data, which the row check reports.
                continue;
            }
            if let Some(&first) = seen.get(name) {
                let d = Diagnostic::error(
                    "duplicate-column",
                    format!("the column \"{name}\" appears twice in the header"),
                )
                .at(self.loc(1, i, fields))
                .related(
                    Location::line(
                        self.display.clone(),
                        1,
                        Some(format!("column {}", column_letter(first))),
                    ),
                    "first at",
                )
                .help("keep one of them, or rename one");
                self.report.push(d);
                ok = false;
                continue;
            }
            seen.insert(name.clone(), i);
            if name == crate::sheet::consensus::GIVEN_COLUMN {
                // The consensus sheet's reminder of the levels given: read by people, not here.
                continue;
            }
            let slot = match name.as_str() {
                "evaluator" => &mut self.cols.evaluator,
                "commitment" => &mut self.cols.commitment,
                "milestone" => &mut self.cols.milestone,
                "criterion" => &mut self.cols.criterion,
                "level" => &mut self.cols.level,
                "evidence" => &mut self.cols.evidence,
                "comment" => &mut self.cols.comment,
                "next_steps" => &mut self.cols.next_steps,
                _ => {
                    if !is_long && let Some(&ci) = self.resolver.criteria.get(name.as_str()) {
                        self.cols.criteria.push((i, ci));
                        continue;
                    }
                    if !self.report.would_show(&self.display, "unknown-column") {
                        // A file with thousands of stray columns: count them, don't describe each.
                        self.report.count_hidden(
                            &self.display,
                            "unknown-column",
                            crate::diag::Severity::Error,
                        );
                        ok = false;
                        continue;
                    }
                    let mut known: Vec<&str> = vec!["evaluator", "commitment", "milestone"];
                    if is_long {
                        known.extend(["criterion", "level"]);
                    } else {
                        known.extend(self.resolver.criterion_ids());
                    }
                    known.extend(["evidence", "comment", "next_steps"]);
                    let what = if is_long {
                        "long-form score files have the columns evaluator, commitment, milestone, criterion, level, evidence, comment and next_steps".to_string()
                    } else {
                        format!(
                            "a column per criterion of the rubric `{}`, besides evaluator, commitment, milestone, evidence, comment and next_steps",
                            self.resolver.rubric.id
                        )
                    };
                    let d = Diagnostic::error(
                        "unknown-column",
                        format!("unknown column \"{}\" in the header", fields[i].trim()),
                    )
                    .at(self.loc(1, i, fields))
                    .expected(what)
                    .maybe_help(
                        suggest::did_you_mean(name, known.iter().copied()).or_else(|| {
                            Some(
                                "rename the column, or delete it if it holds nothing to import"
                                    .to_string(),
                            )
                        }),
                    );
                    self.report.push(d);
                    ok = false;
                    continue;
                }
            };
            *slot = Some(i);
        }
        let mut missing = Vec::new();
        if self.cols.evaluator.is_none() {
            missing.push("evaluator");
        }
        if self.cols.commitment.is_none() {
            missing.push("commitment");
        }
        if is_long {
            if self.cols.criterion.is_none() {
                missing.push("criterion");
            }
            if self.cols.level.is_none() {
                missing.push("level");
            }
        }
        if !missing.is_empty() {
            let header: String = fields
                .join(&char::from(self.delimiter).to_string())
                .chars()
                .take(200)
                .collect();
            let mut loc = Location::line(self.display.clone(), 1, None);
            loc.snippet = Some(Snippet {
                text: header,
                start: 0,
                width: 1,
            });
            let d = Diagnostic::error("missing-column", format!("the header has no {} column", suggest::one_of(&missing, 5).replace(" or ", " and ")))
                .at(loc)
                .expected("a header line such as `evaluator,commitment,milestone,criterion,level,evidence,comment` (long form) or `evaluator,commitment,milestone,<criterion ids…>,evidence,comment` (wide form)")
                .help("the first line of a score file names its columns; see docs/formats.md");
            self.report.push(d);
            return false;
        }
        if !is_long && self.cols.criteria.is_empty() && ok {
            let ids: Vec<&str> = self.resolver.criterion_ids().collect();
            let d = Diagnostic::error("missing-column", "the header names no criterion column")
                .at(Location::line(self.display.clone(), 1, None))
                .expected(format!(
                    "columns named after the rubric's criteria: {}",
                    suggest::one_of(&ids, 20)
                ))
                .help("or use the long form with `criterion` and `level` columns");
            self.report.push(d);
            return false;
        }
        ok
    }

    /// A cell of the row (fields are trimmed when the row is read).
    fn cell<'f>(&self, fields: &[&'f str], col: Option<usize>) -> &'f str {
        col.and_then(|c| fields.get(c)).copied().unwrap_or("")
    }

    fn evaluator(
        &mut self,
        name: &str,
        line: u32,
        fields: &[&str],
        scores: &mut Scores,
    ) -> Option<u32> {
        // Rows usually come grouped by evaluator: a one-entry cache saves a hash per row.
        if let Some((last, i)) = &self.last_evaluator
            && last == name
        {
            return Some(*i);
        }
        if let Some(&i) = self.resolver.evaluators.get(name) {
            self.last_evaluator = Some((name.to_string(), i));
            return Some(i);
        }
        let col = self.cols.evaluator.unwrap_or(0);
        if self.resolver.declared {
            self.unknown("evaluator", name, line, col, fields);
            return None;
        }
        let i = intern(&mut scores.evaluators, name);
        Arc::make_mut(&mut self.resolver.evaluators).insert(name.to_string(), i);
        self.last_evaluator = Some((name.to_string(), i));
        Some(i)
    }

    fn unit(&mut self, line: u32, fields: &[&str]) -> Option<Unit> {
        let commitment = self.cell(fields, self.cols.commitment);
        let ccol = self.cols.commitment.unwrap_or(0);
        if commitment.is_empty() {
            let d = self
                .error(
                    "missing-value",
                    "this row names no commitment".into(),
                    self.loc(line, ccol, fields),
                )
                .help("write the commitment's id (as in plan.toml) in this cell");
            self.report.push(d);
            return None;
        }
        let ci = match &self.last_commitment {
            Some((last, ci)) if last == commitment => *ci,
            _ => {
                let found = self
                    .resolver
                    .commitments
                    .get(commitment)
                    .or_else(|| self.resolver.ogp_ids.get(commitment));
                let Some(&ci) = found else {
                    self.unknown("commitment", commitment, line, ccol, fields);
                    return None;
                };
                self.last_commitment = Some((commitment.to_string(), ci));
                ci
            }
        };
        let milestone = self.cell(fields, self.cols.milestone);
        if milestone.is_empty() {
            return Some(Unit {
                commitment: ci,
                milestone: None,
            });
        }
        let mcol = self.cols.milestone.unwrap_or(0);
        match self.resolver.milestones.get(milestone) {
            Some(&(owner, mi)) if owner == ci => Some(Unit {
                commitment: ci,
                milestone: Some(mi),
            }),
            Some(&(owner, _)) => {
                let plan = self.resolver.plan;
                let owner_id = plan
                    .commitments
                    .get(owner as usize)
                    .map_or("?", |c| c.id.as_str());
                let d = self.error(
                    "wrong-milestone",
                    format!("milestone `{milestone}` belongs to commitment `{owner_id}`, not to commitment `{commitment}`"),
                    self.loc(line, mcol, fields),
                )
                .help("check the commitment or the milestone id on this row");
                self.report.push(d);
                None
            }
            None => {
                let key = format!("{commitment}\u{1f}{milestone}");
                self.unknown("milestone", &key, line, mcol, fields);
                None
            }
        }
    }

    fn level(
        &mut self,
        ci: u16,
        text: &str,
        line: u32,
        col: usize,
        fields: &[&str],
    ) -> Result<Option<u16>, ()> {
        let rubric = self.resolver.rubric;
        let c = &rubric.criteria[usize::from(ci)];
        // Levels first: they are what almost every cell holds. A level may never be spelt
        // like a no-rating word (the rubric loader refuses that), so the order is safe.
        if !text.is_empty()
            && let Some(l) = c.parse_level(text)
        {
            return Ok(Some(u16::try_from(l).unwrap_or(u16::MAX)));
        }
        if rubric.is_no_rating(text) {
            return Ok(None);
        }
        let labels: Vec<String> = c
            .levels
            .iter()
            .map(|l| {
                if c.kind == crate::model::ScaleKind::Nominal {
                    l.label.clone()
                } else {
                    format!("{} ({})", l.label, fmt_value(l.value))
                }
            })
            .chain(c.statuses.iter().map(|s| s.label.clone()))
            .collect();
        if !self.will_show("unknown-level") {
            return Err(());
        }
        let help = if text.starts_with('=') {
            Some("this cell holds a spreadsheet formula; type the level itself".to_string())
        } else if text.starts_with('#') {
            Some(
                "this cell holds a spreadsheet error (such as #N/A); type the level itself"
                    .to_string(),
            )
        } else {
            suggest::did_you_mean(text, c.answer_labels()).or_else(|| {
                Some(format!(
                    "or write one of {} for no rating",
                    suggest::one_of(
                        &rubric
                            .no_rating
                            .iter()
                            .filter(|w| !w.is_empty())
                            .collect::<Vec<_>>(),
                        6
                    )
                ))
            })
        };
        let shown: String = text.chars().take(60).collect();
        let d = self
            .error(
                "unknown-level",
                format!("\"{shown}\" is not a level of criterion `{}`", c.id),
                self.loc(line, col, fields),
            )
            .expected(format!("one of {}", suggest::one_of(&labels, 12)))
            .maybe_help(help);
        self.report.push(d);
        Err(())
    }

    fn scope_ok(&mut self, ci: u16, unit: Unit, line: u32, col: usize, fields: &[&str]) -> bool {
        let c = &self.resolver.rubric.criteria[usize::from(ci)];
        match (c.scope, unit.milestone) {
            (Scope::Milestone, None) => {
                if !self.will_show("needs-milestone") {
                    return false;
                }
                let d = self
                    .error("needs-milestone", format!("criterion `{}` is rated per milestone, but this row names no milestone", c.id), self.loc(line, col, fields))
                    .help("put this rating on the milestone's row (fill in the `milestone` column)");
                self.report.push(d);
                false
            }
            (Scope::Commitment, Some(_)) => {
                if !self.will_show("no-milestone") {
                    return false;
                }
                let d = self
                    .error("no-milestone", format!("criterion `{}` is rated per commitment, but this row is for a milestone", c.id), self.loc(line, col, fields))
                    .help("put this rating on the commitment's row (leave `milestone` empty there)");
                self.report.push(d);
                false
            }
            _ => true,
        }
    }

    fn row(&mut self, line: u32, fields: &[&str], scores: &mut Scores) {
        if fields.len() > self.cols.names.len()
            && let Some(extra) = fields[self.cols.names.len()..]
                .iter()
                .position(|f| !f.trim().is_empty())
        {
            let col = self.cols.names.len() + extra;
            if !self.will_show("extra-field") {
                return;
            }
            let d = self
                    .error("extra-field", format!("this row has {} cells but the header names {} columns", fields.len(), self.cols.names.len()), self.loc(line, col, fields))
                    .help("a value may contain an unquoted delimiter; put such values in double quotes, or add a header for the extra column");
            self.report.push(d);
            return;
        }
        for (i, name) in self
            .cols
            .names
            .iter()
            .enumerate()
            .filter(|_| self.cols.unnamed)
        {
            if name.is_empty() && fields.get(i).is_some_and(|f| !f.trim().is_empty()) {
                if !self.will_show("unnamed-column") {
                    return;
                }
                let d = Diagnostic::error(
                    "unnamed-column",
                    format!(
                        "column {} has no name in the header but holds data",
                        column_letter(i)
                    ),
                )
                .at(self.loc(line, i, fields))
                .help("name the column in the first line, or delete it");
                self.report.push(d);
                return;
            }
        }
        let name = self.cell(fields, self.cols.evaluator);
        if name.is_empty() {
            if !self.will_show("missing-value") {
                return;
            }
            let d = self
                .error(
                    "missing-value",
                    "this row names no evaluator".into(),
                    self.loc(line, self.cols.evaluator.unwrap_or(0), fields),
                )
                .help("write the evaluator's id in this cell");
            self.report.push(d);
            return;
        }
        let evaluator = self.evaluator(name, line, fields, scores);
        let unit = self.unit(line, fields);
        let (Some(evaluator), Some(unit)) = (evaluator, unit) else {
            return;
        };
        let file = self.file;
        let mut note_criterion = None;
        let has_evidence = !self.cell(fields, self.cols.evidence).is_empty();
        if self.cols.is_long() {
            let ccol = self.cols.criterion.unwrap_or(0);
            let crit = self.cell(fields, self.cols.criterion);
            if crit.is_empty() {
                let d = self.error(
                    "missing-value",
                    "this row names no criterion".into(),
                    self.loc(line, ccol, fields),
                );
                self.report.push(d);
                return;
            }
            let lower = crit.to_lowercase();
            let found = self
                .resolver
                .criteria
                .get(crit)
                .or_else(|| self.resolver.criteria.get(lower.as_str()))
                .copied();
            match found {
                Some(ci) => {
                    note_criterion = Some(ci);
                    if !self.reference_view(ci, evaluator, unit, fields, scores) {
                        self.long_rating(ci, evaluator, unit, line, fields, scores);
                    }
                }
                None if self.is_reference(evaluator, scores) => {
                    let level = self.cell(fields, self.cols.level).to_string();
                    if !level.is_empty() && !self.resolver.rubric.is_no_rating(&level) {
                        scores.reference_views.push(ReferenceView {
                            evaluator,
                            commitment: unit.commitment,
                            criterion: crit.to_string(),
                            level,
                            file: self.file,
                        });
                    }
                }
                None => {
                    self.unknown("criterion", crit, line, ccol, fields);
                    return;
                }
            }
        } else {
            for k in 0..self.cols.criteria.len() {
                let (col, ci) = self.cols.criteria[k];
                let text = self.cell(fields, Some(col));
                if text.is_empty() {
                    continue;
                }
                if !self.scope_ok(ci, unit, line, col, fields) {
                    continue;
                }
                if let Ok(level) = self.level(ci, text, line, col, fields) {
                    scores.ratings_mut().push(Rating::new(
                        evaluator,
                        unit,
                        ci,
                        level,
                        has_evidence,
                        file,
                        line,
                    ));
                }
            }
        }
        let evidence = self.cell(fields, self.cols.evidence);
        let comment = self.cell(fields, self.cols.comment);
        let next_steps = self.cell(fields, self.cols.next_steps);
        if self.resolver.keep_notes
            && !(evidence.is_empty() && comment.is_empty() && next_steps.is_empty())
        {
            let (evidence, comment, next_steps) = (
                scores.intern_text(evidence),
                scores.intern_text(comment),
                scores.intern_text(next_steps),
            );
            scores.notes.push(Note {
                evaluator,
                unit,
                criterion: note_criterion,
                evidence,
                comment,
                next_steps,
                file,
                line,
            });
        }
    }

    /// Whether an evaluator's ratings are set beside the coalition's: one the plan names as a
    /// reference, or any evaluator of a reference score file.
    fn is_reference(&self, evaluator: u32, scores: &Scores) -> bool {
        self.resolver.reference_file
            || scores
                .evaluators
                .get(evaluator as usize)
                .is_some_and(|e| self.resolver.plan.is_reference(e))
    }

    /// For a reference evaluator, keeps a rating the rubric cannot hold as it is (a whole
    /// commitment rated on a per-milestone criterion, or a level outside the scale that its
    /// meaning does not map onto) as a view, and says so. Level names are mapped by meaning
    /// first (`Not Started`, `Completed` onto a completion scale's `Not started`, `Complete`).
    fn reference_view(
        &mut self,
        ci: u16,
        evaluator: u32,
        unit: Unit,
        fields: &[&str],
        scores: &mut Scores,
    ) -> bool {
        if !self.is_reference(evaluator, scores) {
            return false;
        }
        let c = &self.resolver.rubric.criteria[usize::from(ci)];
        let text = self.cell(fields, self.cols.level);
        if text.is_empty() || self.resolver.rubric.is_no_rating(text) {
            return false;
        }
        let fits_scope = !(c.scope == Scope::Milestone && unit.milestone.is_none());
        let fits_level = c.parse_level(text).is_some()
            || crate::model::rubric::level_by_meaning(c, text).is_some();
        if fits_scope && fits_level {
            return false;
        }
        scores.reference_views.push(ReferenceView {
            evaluator,
            commitment: unit.commitment,
            criterion: c.id.clone(),
            level: text.to_string(),
            file: self.file,
        });
        true
    }

    fn long_rating(
        &mut self,
        ci: u16,
        evaluator: u32,
        unit: Unit,
        line: u32,
        fields: &[&str],
        scores: &mut Scores,
    ) {
        let lcol = self.cols.level.unwrap_or(0);
        if !self.scope_ok(ci, unit, line, self.cols.criterion.unwrap_or(0), fields) {
            return;
        }
        let text = self.cell(fields, self.cols.level);
        let evidence = !self.cell(fields, self.cols.evidence).is_empty();
        let mapped = if self.is_reference(evaluator, scores) {
            let c = &self.resolver.rubric.criteria[usize::from(ci)];
            c.parse_level(text)
                .is_none()
                .then(|| crate::model::rubric::level_by_meaning(c, text))
                .flatten()
        } else {
            None
        };
        if let Some(l) = mapped {
            scores.ratings_mut().push(Rating::new(
                evaluator,
                unit,
                ci,
                Some(u16::try_from(l).unwrap_or(u16::MAX)),
                evidence,
                self.file,
                line,
            ));
            return;
        }
        if let Ok(level) = self.level(ci, text, line, lcol, fields) {
            scores.ratings_mut().push(Rating::new(
                evaluator, unit, ci, level, evidence, self.file, line,
            ));
        }
    }

    /// Reports every unknown evaluator, commitment, milestone and criterion once, with how
    /// many rows named it.
    fn report_unknowns(&mut self) {
        let mut unknown: Vec<_> = self.unknown.drain().collect();
        unknown.sort_by_key(|(_, seen)| seen.line);
        for ((kind, text), seen) in unknown {
            let Unknown {
                line,
                col,
                snippet,
                rows: count,
            } = seen;
            let code = unknown_code(kind);
            if !self.report.would_show(&self.display, code) {
                // Not shown: counted without looking for a did-you-mean.
                self.report
                    .count_hidden(&self.display, code, crate::diag::Severity::Error);
                continue;
            }
            let rows = if count > 1 {
                format!(" (on {count} rows; the first is shown)")
            } else {
                String::new()
            };
            let mut loc = Location::line(
                self.display.clone(),
                line as usize,
                Some(self.column_name(line, col)),
            );
            loc.snippet = Some(snippet);
            let plan = self.resolver.plan;
            let d = match kind {
                "evaluator" => {
                    let ids: Vec<&str> = plan.evaluators.iter().map(|e| e.id.as_str()).collect();
                    Diagnostic::error("unknown-evaluator", format!("evaluator \"{}\" is not listed in plan.toml{rows}", crate::text::visible(&text)))
                        .at(loc)
                        .expected(format!("one of {}", suggest::one_of(&ids, 20)))
                        .maybe_help(suggest::did_you_mean(&text, ids.iter().copied()).or_else(|| {
                            Some("add an [[evaluator]] with this id to plan.toml, or correct the name".into())
                        }))
                }
                "commitment" => {
                    let ids: Vec<&str> = plan.commitments.iter().map(|c| c.id.as_str()).collect();
                    Diagnostic::error(
                        "unknown-commitment",
                        format!(
                            "commitment \"{}\" is not in plan.toml{rows}",
                            crate::text::visible(&text)
                        ),
                    )
                    .at(loc)
                    .expected(format!("a commitment id: {}", suggest::one_of(&ids, 15)))
                    .maybe_help(suggest::did_you_mean(&text, ids.iter().copied()))
                }
                "milestone" => {
                    let (commitment, milestone) = text.split_once('\u{1f}').unwrap_or(("", &text));
                    let ids: Vec<&str> = plan
                        .commitment_index(commitment)
                        .map(|i| {
                            plan.commitments[i]
                                .milestones
                                .iter()
                                .map(|m| m.id.as_str())
                                .collect()
                        })
                        .unwrap_or_default();
                    let expected = if ids.is_empty() {
                        format!(
                            "commitment `{commitment}` has no milestones in plan.toml; leave the cell empty"
                        )
                    } else {
                        format!(
                            "a milestone of commitment `{commitment}`: {}",
                            suggest::one_of(&ids, 15)
                        )
                    };
                    Diagnostic::error(
                        "unknown-milestone",
                        format!("milestone \"{milestone}\" is not in plan.toml{rows}"),
                    )
                    .at(loc)
                    .expected(expected)
                    .maybe_help(suggest::did_you_mean(milestone, ids.iter().copied()))
                }
                _ => {
                    let ids: Vec<&str> = self.resolver.criterion_ids().collect();
                    Diagnostic::error(
                        "unknown-criterion",
                        format!(
                            "criterion \"{text}\" is not in the rubric `{}`{rows}",
                            self.resolver.rubric.id
                        ),
                    )
                    .at(loc)
                    .expected(format!("one of {}", suggest::one_of(&ids, 20)))
                    .maybe_help(suggest::did_you_mean(&text, ids.iter().copied()))
                }
            };
            self.report.push(d);
        }
        // Rows naming yet other unknown ids, beyond those kept: one error each, counted.
        for (kind, _, others) in std::mem::take(&mut self.unknown_kinds) {
            for _ in 0..others {
                self.report.count_hidden(
                    &self.display,
                    unknown_code(kind),
                    crate::diag::Severity::Error,
                );
            }
        }
    }
}

/// The diagnostic code for an unknown id of a kind.
fn unknown_code(kind: &str) -> &'static str {
    match kind {
        "evaluator" => "unknown-evaluator",
        "commitment" => "unknown-commitment",
        "milestone" => "unknown-milestone",
        _ => "unknown-criterion",
    }
}

/// A batch of rows handed from the parsing thread to the resolving one. The cells of all its
/// rows are kept back to back in one string (three buffers per batch, reused, instead of a
/// record per row), so the hand-over costs little more than the parse itself.
#[derive(Debug, Default)]
struct Batch {
    /// The cells of every row, one after the other.
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
    rows: Vec<RowMark>,
    /// The file could not be read to the end: (line, message), after the rows.
    broken: Option<(u64, String)>,
}

/// One row of a [`Batch`].
#[derive(Debug, Clone, Copy)]
struct RowMark {
    /// Its cells end at `ends[..cells_end]` (they start after the previous row's).
    cells_end: usize,
    /// The line the row starts on.
    line: u64,
    /// Whether a cell holds a line break (read by the check for unclosed quotes).
    multiline: bool,
    /// The first cell that is not valid UTF-8 (the row's cells are then left out).
    bad_utf8: Option<usize>,
}

/// The rating of a row that needs no more than lookups (see [`Layout::ready`]).
#[derive(Debug, Clone, Copy)]
struct Ready {
    evaluator: u32,
    unit: Unit,
    criterion: u16,
    level: u16,
    evidence: bool,
}

/// A short text (at most 7 bytes) as a number that holds its bytes and length: two short
/// texts are equal exactly when their keys are, and comparing keys needs no call to `memcmp`.
#[inline(always)]
fn short_key(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    let mut key = (bytes.len() as u64) << 56;
    for (i, &b) in bytes.iter().enumerate() {
        key |= u64::from(b) << (8 * i);
    }
    Some(key)
}

/// The short key of the `len` bytes (at most 7) that start `word` (as [`short_key`] makes it).
#[inline(always)]
fn word_key(word: u64, len: usize) -> u64 {
    (word & ((1u64 << (8 * len)) - 1)) | ((len as u64) << 56)
}

/// No short key: `short_key` never makes it (its length byte is at most 7).
const NO_KEY: u64 = u64::MAX;

/// A few texts (criterion ids, level labels) to find by exact spelling: the first that
/// matches, by its short key in a small table where no two keys share a slot (one
/// comparison, whatever the text: the linear search it replaces mispredicted its way through
/// the criteria and levels, which change from row to row), or, for longer texts, the texts.
#[derive(Debug, Default, Clone)]
struct FewTexts {
    /// Slot `key * mul >> shift` holds the key (or [`NO_KEY`]) and its index; empty when no
    /// such table was found for the keys, which are then in `short`.
    table: Vec<(u64, u16)>,
    mul: u64,
    shift: u32,
    short: Vec<(u64, u16)>,
    long: Vec<(String, u16)>,
}

impl FewTexts {
    fn new<'t>(texts: impl IntoIterator<Item = (&'t str, u16)>) -> Self {
        let mut few = FewTexts::default();
        let mut seen = std::collections::HashSet::new();
        for (text, i) in texts {
            match short_key(text.as_bytes()) {
                // Only the first of equal texts is ever found.
                Some(key) if !seen.insert(key) => {}
                Some(key) => few.short.push((key, i)),
                None => few.long.push((text.to_string(), i)),
            }
        }
        // A table of 2 to 16 times as many slots as keys (at least 2, at most 4,096), with the
        // first multiplier tried that gives every key a slot of its own.
        const MULS: [u64; 4] = [
            0x9e37_79b9_7f4a_7c15,
            0xff51_afd7_ed55_8ccd,
            0xc4ce_b9fe_1a85_ec53,
            0x5851_f42d_4c95_7f2d,
        ];
        let bits = (few.short.len() * 2)
            .max(2)
            .next_power_of_two()
            .trailing_zeros();
        'sizes: for bits in bits..(bits + 4).min(13) {
            'muls: for mul in MULS {
                let shift = 64 - bits;
                let mut table = vec![(NO_KEY, 0u16); 1 << bits];
                for &(key, i) in &few.short {
                    let slot = &mut table[(key.wrapping_mul(mul) >> shift) as usize];
                    if slot.0 != NO_KEY {
                        continue 'muls;
                    }
                    *slot = (key, i);
                }
                few.table = table;
                few.mul = mul;
                few.shift = shift;
                few.short.clear();
                break 'sizes;
            }
        }
        few
    }

    /// The index of `text`, whose short key is `key` (if it has one).
    #[inline(always)]
    fn find(&self, text: &[u8], key: Option<u64>) -> Option<u16> {
        match key {
            Some(key) if !self.table.is_empty() => {
                let &(k, i) = self
                    .table
                    .get((key.wrapping_mul(self.mul) >> self.shift) as usize)?;
                (k == key).then_some(i)
            }
            Some(key) => self.short.iter().find(|(k, _)| *k == key).map(|(_, i)| *i),
            None => self
                .long
                .iter()
                .find(|(t, _)| t.as_bytes() == text)
                .map(|(_, i)| *i),
        }
    }
}

/// The columns of a long-form file, as read from its header, and what [`Layout::ready`]
/// looks ids up in: the resolver's maps, shared (they hold no evaluator that is not declared,
/// so reading cannot change them), so that a second thread can use them too.
#[derive(Debug, Clone)]
struct Layout<'a> {
    plan: &'a Plan,
    rubric: &'a Rubric,
    evaluators: Arc<FastMap<String, u32>>,
    commitments: Arc<FastMap<&'a str, u32>>,
    milestones: Arc<FastMap<&'a str, (u32, u32)>>,
    /// How many columns the header names.
    width: usize,
    evaluator: usize,
    commitment: usize,
    milestone: Option<usize>,
    criterion: usize,
    level: usize,
    evidence: Option<usize>,
    /// Comment and next steps: the notes the resolving thread keeps when asked to.
    notes: [Option<usize>; 2],
    keep_notes: bool,
    criteria: FewTexts,
    /// Each criterion's level labels.
    levels: Vec<FewTexts>,
    /// Rows usually come grouped by evaluator and commitment: the last of each found, with
    /// its short key ([`NO_KEY`] if it has none).
    last_evaluator: Last,
    last_commitment: Last,
}

/// The last id found by [`Layout::ready`] in a column, and its index.
#[derive(Debug, Clone)]
struct Last {
    id: String,
    key: u64,
    index: u32,
}

impl Last {
    /// An id is never empty, so this matches nothing until set.
    fn none() -> Self {
        Last {
            id: String::new(),
            key: NO_KEY,
            index: 0,
        }
    }

    /// The index of `id` (whose short key is `key`) if it is the last one found.
    #[inline(always)]
    fn of(&self, id: &[u8], key: Option<u64>) -> Option<u32> {
        let same = match key {
            Some(key) => key == self.key,
            None => same(&self.id, id),
        };
        same.then_some(self.index)
    }

    /// The index of `id` (whose short key is `key`): the last one's if it is the last id
    /// found, else what `look_up` gives for it, which is then the last one found. `None` when
    /// `id` is not text or `look_up` has nothing.
    #[inline(always)]
    fn find(
        &mut self,
        id: &[u8],
        key: Option<u64>,
        look_up: impl FnOnce(&str) -> Option<u32>,
    ) -> Option<u32> {
        if let Some(i) = self.of(id, key) {
            return Some(i);
        }
        let id = std::str::from_utf8(id).ok()?;
        let i = look_up(id)?;
        self.set(id, i);
        Some(i)
    }

    fn set(&mut self, id: &str, index: u32) {
        self.id.clear();
        self.id.push_str(id);
        self.key = short_key(id.as_bytes()).unwrap_or(NO_KEY);
        self.index = index;
    }
}

impl Layout<'_> {
    /// The rating of a long-form row that [`FileReader::row`] would take without a word:
    /// every id and level spelt exactly as in the plan and rubric, no note to keep, nothing
    /// to report. Such rows (almost all of a large file) skip the general path; any other
    /// row gets `None` and takes it, so the result is the same either way.
    #[inline(always)]
    fn ready(&mut self, row: &RowCells<'_>) -> Option<Ready> {
        // Rows that the general path reports something about, or changes: too many cells, a
        // byte-order mark, a cell boundary inside a character. Past this check every cell is
        // text on its own, so cells are taken by their offsets.
        // An ASCII row has neither a mark nor a character to cut.
        let bytes = row.bytes;
        if row.ends.len() > self.width
            || (!row.ascii
                && (!char_boundary(bytes, row.start)
                    || (bytes.get(row.start) == Some(&0xef)
                        && bytes
                            .get(row.start..row.ends.first().copied().unwrap_or(row.start))
                            .is_some_and(|first| first.starts_with("\u{feff}".as_bytes())))
                    || !row.ends.iter().all(|&e| char_boundary(bytes, e))))
        {
            return None;
        }
        let (name, key) = row.keyed(self.evaluator)?;
        let name = nonempty(name)?;
        let (evaluators, plan) = (&self.evaluators, self.plan);
        let evaluator = self.last_evaluator.find(name, key, |name| {
            let i = *evaluators.get(name)?;
            // A reference evaluator's levels may be mapped by meaning: the general path.
            (!plan.is_reference(name)).then_some(i)
        })?;
        let (commitment, key) = row.keyed(self.commitment)?;
        let commitment = nonempty(commitment)?;
        let commitments = &self.commitments;
        let ci = self
            .last_commitment
            .find(commitment, key, |id| commitments.get(id).copied())?;
        let milestone = match self.milestone {
            None => None,
            Some(col) => match row.trimmed(col)? {
                b"" => None,
                m => match self.milestones.get(std::str::from_utf8(m).ok()?)? {
                    &(owner, mi) if owner == ci => Some(mi),
                    _ => return None,
                },
            },
        };
        let (criterion, key) = row.keyed(self.criterion)?;
        let criterion = self.criteria.find(nonempty(criterion)?, key)?;
        let c = self.rubric.criteria.get(usize::from(criterion))?;
        if (c.scope == Scope::Milestone) != milestone.is_some() {
            return None;
        }
        let (level, key) = row.keyed(self.level)?;
        let level = self
            .levels
            .get(usize::from(criterion))?
            .find(nonempty(level)?, key)?;
        let evidence = match self.evidence {
            Some(col) => row.filled(col)?,
            None => false,
        };
        if self.keep_notes
            && (evidence
                || self
                    .notes
                    .iter()
                    .flatten()
                    .any(|&col| row.filled(col) != Some(false)))
        {
            return None;
        }
        Some(Ready {
            evaluator,
            unit: Unit {
                commitment: ci,
                milestone,
            },
            criterion,
            level,
            evidence,
        })
    }
}

/// Whether two ids are the same: short ones (most are) compared byte by byte in place, as a
/// call to `memcmp` costs more than the comparison itself.
#[inline(always)]
fn same(a: &str, b: &[u8]) -> bool {
    let a = a.as_bytes();
    a.len() == b.len()
        && if a.len() <= 16 {
            a.iter().zip(b).all(|(x, y)| x == y)
        } else {
            a == b
        }
}

/// A text that is not empty.
#[inline(always)]
fn nonempty(text: &[u8]) -> Option<&[u8]> {
    (!text.is_empty()).then_some(text)
}

/// Whether `i` is where a character of the UTF-8 text `bytes` starts, or its end
/// (`str::is_char_boundary` for text held as bytes).
#[inline(always)]
fn char_boundary(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(&b) => (b as i8) >= -0x40,
        None => i == bytes.len(),
    }
}

/// The cells of one row (of a [`Batch`], a [`Record`] or a [`Tail`]), read on demand.
#[derive(Debug, Clone, Copy)]
struct RowCells<'b> {
    /// UTF-8 text (the row's, or that of a batch of rows), held as bytes: a row of a large
    /// file that is all ASCII, as almost all are, is checked for that alone, which costs a
    /// fraction of `str::from_utf8` on a row's few dozen bytes; a cell is made a `&str`
    /// only where the general path needs it.
    bytes: &'b [u8],
    /// Where each of the row's cells ends in `bytes`.
    ends: &'b [usize],
    /// Where its first cell starts.
    start: usize,
    /// What lies between a cell's end and the next one's start: 0, or 1 (the delimiter) for
    /// a row read in place (see [`split_clean`]).
    sep: usize,
    /// Whether the row's bytes are all ASCII: then every offset is a character boundary, and
    /// no cell starts with a byte-order mark.
    ascii: bool,
}

impl<'b> RowCells<'b> {
    /// The bytes of cell `col` as [`trim_cell`] gives it, found at once when it needs no
    /// trimming (its first and last bytes are ASCII, not white space, and it does not start
    /// with `'`). For rows whose cell boundaries are known to be character boundaries (see
    /// [`Layout::ready`]): the bytes are then text.
    #[inline(always)]
    fn trimmed(&self, col: usize) -> Option<&'b [u8]> {
        Some(self.keyed(col)?.0)
    }

    /// [`RowCells::trimmed`], with the cell's [`short_key`] if it has one: read as one word
    /// from the row when the row holds eight bytes from the cell's start (as it does for all
    /// but its last few bytes), so that a short cell is compared in one go.
    #[inline(always)]
    fn keyed(&self, col: usize) -> Option<(&'b [u8], Option<u64>)> {
        let (start, end) = match self.ends.get(col) {
            None => return Some((&[], Some(0))),
            Some(&end) => match col.checked_sub(1) {
                Some(before) => (*self.ends.get(before)? + self.sep, end),
                None => (self.start, end),
            },
        };
        let cell = self.bytes.get(start..end)?;
        // Printable ASCII at both ends, not white space, no `'` first: `trim_cell` leaves such
        // a cell as it is (any other cell goes through `trim_slowly`, which is `trim_cell`).
        let plain = |c: u8| c.wrapping_sub(b'!') < b'~' - b'!' + 1;
        match (cell.first(), cell.last()) {
            (Some(&a), Some(&b)) if plain(a) && plain(b) && a != b'\'' => {
                let key = match self.bytes.get(start..start + 8) {
                    Some(word) if cell.len() <= 7 => Some(word_key(
                        u64::from_le_bytes(word.try_into().ok()?),
                        cell.len(),
                    )),
                    _ => short_key(cell),
                };
                Some((cell, key))
            }
            (None, _) => Some((cell, Some(0))),
            _ => {
                let cell = self.trim_slowly(start, end)?;
                Some((cell, short_key(cell)))
            }
        }
    }

    /// The cell from `start` to `end` trimmed by [`trim_cell`] (spaces, a `'` guard): rare.
    #[cold]
    #[inline(never)]
    fn trim_slowly(&self, start: usize, end: usize) -> Option<&'b [u8]> {
        let cell = std::str::from_utf8(self.bytes.get(start..end)?).ok()?;
        Some(trim_cell(cell).as_bytes())
    }

    /// Whether cell `col` holds something once trimmed.
    #[inline(always)]
    fn filled(&self, col: usize) -> Option<bool> {
        Some(!self.trimmed(col)?.is_empty())
    }
}

impl Batch {
    /// The slow path for a batch whose bytes are not all UTF-8: marks each row holding a cell
    /// that is not (with the first such cell, as the `csv` crate reports it) and leaves its
    /// cells out; returns the text of the other rows.
    fn keep_utf8_rows(&mut self, bytes: &[u8]) -> String {
        let mut text = String::with_capacity(bytes.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        let (mut first, mut start) = (0, 0);
        for row in &mut self.rows {
            let cells = self.ends.get(first..row.cells_end).unwrap_or(&[]);
            first = row.cells_end;
            let (text_len, ends_len) = (text.len(), ends.len());
            for (i, &end) in cells.iter().enumerate() {
                match bytes.get(start..end).map(std::str::from_utf8) {
                    Some(Ok(cell)) => {
                        text.push_str(cell);
                        ends.push(text.len());
                    }
                    _ => {
                        if row.bad_utf8.is_none() {
                            row.bad_utf8 = Some(i);
                        }
                    }
                }
                start = end;
            }
            if row.bad_utf8.is_some() {
                text.truncate(text_len);
                ends.truncate(ends_len);
            }
            row.cells_end = ends.len();
        }
        self.ends = ends;
        text
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
        self.broken = None;
    }
}

/// Rows per batch passed between the threads.
const BATCH: usize = 2048;

/// The parsing thread: reads records into batches (reusing the buffers of spent batches) and
/// sends them on, until the end of the file, a broken file, or the receiver hanging up.
fn parse(
    mut csv: CsvReader<Box<dyn Read + Send>>,
    out: &std::sync::mpsc::SyncSender<Batch>,
    spent: &std::sync::mpsc::Receiver<Batch>,
) {
    let mut record = Record::default();
    loop {
        let mut batch = spent.try_recv().unwrap_or_default();
        batch.clear();
        // The text buffer is filled as bytes, and checked once when the batch is full.
        let mut bytes = std::mem::take(&mut batch.text).into_bytes();
        let mut done = false;
        while batch.rows.len() < BATCH {
            match csv.read(&mut record) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => {}
                Err(e) => {
                    batch.broken = Some((0, broken_message(&e)));
                    done = true;
                    break;
                }
            }
            let line = record.line;
            // A row that starts more than one line below the row before it follows blank
            // lines or holds a line break in a cell: only such rows are searched for line
            // breaks (see `FileReader::check_swallowed`).
            if let Some(before) = batch.rows.last_mut() {
                before.multiline = line > before.line.saturating_add(1);
            }
            let row = csv.bytes(&record);
            if record.sep == 0 {
                let end = bytes.len();
                bytes.extend_from_slice(row);
                batch.ends.extend(record.ends().iter().map(|e| end + e));
            } else {
                for cell in cells_of(row, record.ends(), 0, record.sep) {
                    bytes.extend_from_slice(cell);
                    batch.ends.push(bytes.len());
                }
            }
            batch.rows.push(RowMark {
                cells_end: batch.ends.len(),
                line,
                multiline: false,
                bad_utf8: None,
            });
        }
        // The last row has no row after it to tell: look at its text.
        let last_start = match batch.rows.len() {
            0 | 1 => 0,
            n => batch.rows[n - 2].cells_end,
        };
        let last_from = last_start
            .checked_sub(1)
            .and_then(|i| batch.ends.get(i))
            .copied()
            .unwrap_or(0);
        if let Some(last) = batch.rows.last_mut() {
            last.multiline = bytes.get(last_from..).is_some_and(|b| b.contains(&b'\n'));
        }
        // One UTF-8 check for the whole batch (a fast pass over ASCII text); only a batch that
        // fails it is checked row by row.
        batch.text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => batch.keep_utf8_rows(&e.into_bytes()),
        };
        if out.send(batch).is_err() || done {
            return;
        }
    }
}

/// Trims spaces around a cell; most cells have none, and the check for that is cheaper than
/// Unicode-aware trimming.
fn trim_cell(s: &str) -> &str {
    crate::text::unguard(trim_spaces(s))
}

fn trim_spaces(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&b))
            if a < 0x80 && b < 0x80 && !a.is_ascii_whitespace() && !b.is_ascii_whitespace() =>
        {
            s
        }
        _ => s.trim(),
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Reads one CSV score file into `scores`, reporting every problem.
pub(crate) fn read_csv(
    path: &Path,
    file: FileId,
    display: &str,
    resolver: &mut Resolver<'_>,
    scores: &mut Scores,
    report: &mut Report,
) {
    let whole_file = || Location::file(display.to_string());
    let mut handle = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.push(
                Diagnostic::error("unreadable", format!("cannot open the score file: {e}"))
                    .at(whole_file())
                    .help("check that the file exists and that you may read it"),
            );
            return;
        }
    };
    let mut head = Vec::with_capacity(64 * 1024);
    if let Err(e) = (&mut handle).take(64 * 1024).read_to_end(&mut head) {
        report.push(
            Diagnostic::error("unreadable", format!("cannot read the score file: {e}"))
                .at(whole_file()),
        );
        return;
    }
    let complete = head.len() < 64 * 1024;
    // No room is reserved for the ratings from a guess at the number of rows (a file that
    // starts with blank lines once made such a guess reserve gigabytes): the vector grows as
    // rows are read, and the pages it has not filled are never touched.
    // (Only a file that ends within its first 64 KiB can be told empty from them: a file may
    // start with thousands of blank lines.)
    if complete && head.iter().all(|b| b.is_ascii_whitespace()) {
        report.push(
            Diagnostic::error("empty-file", "the score file is empty")
                .at(whole_file())
                .expected("a header line, then one row per rating, e.g.\nevaluator,commitment,milestone,criterion,level\ndemo,1,1.1,completion,Substantial")
                .help("fill the file in, or delete it so it is not read"),
        );
        return;
    }
    let encoding = match text::sniff(&head, complete) {
        Sniffed::Text(e) => e,
        Sniffed::Zip if cfg!(feature = "spreadsheets") => {
            #[cfg(feature = "spreadsheets")]
            read_spreadsheet(path, file, display, resolver, scores, report);
            return;
        }
        Sniffed::Zip => {
            report.push(
                Diagnostic::error("spreadsheet", "this is a spreadsheet workbook (.xlsx or .ods), not a CSV text file")
                    .at(whole_file())
                    .help("in your spreadsheet program choose File → Save as → \"CSV UTF-8\", and list that file instead"),
            );
            return;
        }
        Sniffed::Binary => {
            report.push(
                Diagnostic::error("binary-file", "this file holds binary data, not CSV text")
                    .at(whole_file())
                    .help("check that this is the right file; score files are CSV text saved from a spreadsheet"),
            );
            return;
        }
    };
    if !matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom) {
        report.push(
            Diagnostic::note("encoding", format!("read as {} text, not UTF-8", encoding.name()))
                .at(whole_file())
                .help("this works, but check that accented and non-Latin letters look right; saving as \"CSV UTF-8\" avoids the question"),
        );
    }
    let bom = encoding.bom_len(&head);
    let head_text = match encoding.decoder() {
        Some(dec) => dec.decode_without_bom_handling(&head[bom..]).0.into_owned(),
        None => String::from_utf8_lossy(&head[bom..]).into_owned(),
    };
    let delimiter = sniff_delimiter(&head_text);
    let size = handle.metadata().map_or(0, |m| m.len());
    let split_from = split_min()
        .filter(|&min| size >= min && matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom));
    let stream = std::io::Cursor::new(head).chain(handle);
    let reader: Box<dyn Read + Send> = match encoding.decoder() {
        None => {
            let mut s = BufReader::with_capacity(256 * 1024, stream);
            let mut skip = [0u8; 3];
            if bom == 3 && s.read_exact(&mut skip).is_err() {
                return;
            }
            Box::new(s)
        }
        Some(enc) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .bom_override(true)
                .build(BufReader::with_capacity(256 * 1024, stream)),
        ),
    };
    let mut csv = CsvReader::new(reader, delimiter, 256 * 1024);
    let mut fr = FileReader {
        resolver,
        file,
        display: display.to_string(),
        delimiter,
        report,
        unknown: HashMap::new(),
        unknown_kinds: Vec::new(),
        cols: Columns::default(),
        sheet: None,
        last_evaluator: None,
        last_commitment: None,
        spare: Vec::new(),
    };
    let mut feed = Feed::default();
    let mut layout: Option<Layout> = None;
    if split_from.is_some() {
        // A large UTF-8 file: the header is read here, and if the rows can take the short path
        // the file is read in two halves, one per core (see `read_halves`).
        let mut rows = Rows::default();
        match rows.read(
            &mut fr,
            &mut feed,
            &mut layout,
            &mut csv,
            0,
            Until::Header,
            scores,
        ) {
            Stop::Header if layout.is_some() => {
                let at = Halves {
                    path,
                    bom: bom as u64,
                    size,
                    delimiter,
                };
                read_halves(&at, &mut fr, &mut feed, &mut layout, &mut csv, scores);
                feed.finish(&mut fr);
                return;
            }
            Stop::Header => {}
            Stop::End | Stop::AtSplit => {
                feed.finish(&mut fr);
                return;
            }
        }
    }
    // One thread parses the CSV (the costly byte work), this one resolves rows against the plan
    // and rubric: on two cores a large file is read in little more than the time of the slower.
    let (to_resolver, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (to_parser, spent) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        scope.spawn(move || parse(csv, &to_resolver, &spent));
        'rows: for batch in batches {
            let mut first_cell = 0;
            for mark in &batch.rows {
                let cells = batch.ends.get(first_cell..mark.cells_end).unwrap_or(&[]);
                let start = first_cell
                    .checked_sub(1)
                    .and_then(|i| batch.ends.get(i))
                    .copied()
                    .unwrap_or(0);
                first_cell = mark.cells_end;
                let row = RowIn {
                    cells: RowCells {
                        bytes: batch.text.as_bytes(),
                        ends: cells,
                        start,
                        sep: 0,
                        ascii: false,
                    },
                    line: u32::try_from(mark.line).unwrap_or(u32::MAX),
                    multiline: mark.multiline,
                    bad_utf8: mark.bad_utf8,
                };
                if !fr.take_row(&mut feed, &mut layout, row, scores) {
                    break 'rows;
                }
            }
            if let Some((line, message)) = &batch.broken {
                fr.broken(*line, message.clone());
                break 'rows;
            }
            // Hand the buffers back for reuse; if the parser has finished, they are dropped.
            let _ = to_parser.send(batch);
        }
        // Dropping the receiver (by leaving the loop) stops the parser at its next send.
    });
    feed.finish(&mut fr);
}

/// The CSV reader of score files (the `csv_core` parser, as the `csv` crate drives it), which
/// also counts lines as a text editor shows them: each row knows the line its first character
/// is on, after blank lines, for `\n`, `\r\n` and lone `\r` line ends. (The `csv` crate
/// takes a row's position before the line breaks in front of it are read, so rows after blank
/// lines, and every row of a `\r\n` file, were numbered too low.) No header handling (the
/// header is found by [`Feed::take`]); rows of any length (reported by [`FileReader::row`]).
/// After its first row, a short row without quotes is split by [`split_clean`] (in place, when
/// the buffer holds no `"` or `\r` up to its line end) or [`split_short`], which give the same
/// cells at a fraction of the cost (`rows_split_without_csv_core_are_as_csv_core_splits_them`).
struct CsvReader<R> {
    core: csv_core::Reader,
    rdr: BufReader<R>,
    /// Whether rows without quotes are split here (see [`CsvReader::read`]): once `core` has
    /// read a row (it looks for a byte-order mark in its first).
    split_here: bool,
    delimiter: u8,
    /// Bytes read so far.
    byte: u64,
    /// The line of the next byte, not counting a `\r` that `cr` holds.
    line: u64,
    /// The last byte read is a `\r` that ended a row: a line end, with a `\n` right after it
    /// or alone.
    cr: bool,
    /// Bytes of the buffer that the last row, read in place ([`split_clean`]), still holds:
    /// consumed when the next row is read.
    pending: usize,
    /// The bytes from `byte` up to this offset hold no `"` and no `\r` (found by `memchr2`
    /// over the buffer, a fraction of the cost of looking for them row by row).
    clean_to: u64,
    /// No search for the next `"` or `\r` before this offset (one was found close ahead: a
    /// file whose rows have quoted cells or end in `\r\n` is not searched row by row).
    search_at: u64,
}

/// The longest row split by [`split_clean`] or [`split_short`] (longer ones, and rows with
/// quotes, go through `csv_core`).
const SHORT_ROW: usize = 512;

/// A row split by [`split_short`].
#[derive(Debug, Clone, Copy)]
struct ShortRow {
    /// Where its line end is in the window.
    end: usize,
    /// That line end (`\n` or `\r`).
    last: u8,
    /// The length of its cells together, and how many there are.
    len: usize,
    cells: usize,
}

/// The bytes of `word` that are 0, as their top bits: exact for the lowest (the bits above a
/// zero byte may be set too).
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(0x0101_0101_0101_0101) & !word & 0x8080_8080_8080_8080
}

/// Splits the row at the start of `window` as `csv_core` would (a reader with `delimiter`,
/// after its first row), if it has no quote and its line end (`\n` or `\r`) is in the window:
/// its cells one after the other into `out` (at least `window.len() + 8` bytes long), where
/// each ends into `ends` (grown as needed). Eight bytes are looked at at once.
#[inline(always)]
fn split_short(
    window: &[u8],
    delimiter: u8,
    out: &mut [u8],
    ends: &mut Vec<usize>,
) -> Option<ShortRow> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (d, n, r, q) = (
        ONES * u64::from(delimiter),
        ONES * u64::from(b'\n'),
        ONES * u64::from(b'\r'),
        ONES * u64::from(b'"'),
    );
    let (mut i, mut len, mut cells) = (0, 0, 0);
    loop {
        let b = match window.get(i..i + 8) {
            Some(eight) => {
                let word = u64::from_le_bytes(eight.try_into().ok()?);
                // The eight bytes are copied whatever they are: those from the first special
                // byte on are written over by the next cell.
                out.get_mut(len..len + 8)?.copy_from_slice(eight);
                let special = zero_bytes(word ^ d)
                    | zero_bytes(word ^ n)
                    | zero_bytes(word ^ r)
                    | zero_bytes(word ^ q);
                if special == 0 {
                    i += 8;
                    len += 8;
                    continue;
                }
                let k = (special.trailing_zeros() / 8) as usize;
                i += k;
                len += k;
                eight[k]
            }
            None => {
                let &b = window.get(i)?;
                if b != delimiter && !matches!(b, b'\n' | b'\r' | b'"') {
                    *out.get_mut(len)? = b;
                    i += 1;
                    len += 1;
                    continue;
                }
                b
            }
        };
        if cells == ends.len() {
            ends.resize((ends.len() * 2).max(16), 0);
        }
        ends[cells] = len;
        cells += 1;
        if b == delimiter {
            i += 1;
            continue;
        }
        return (b != b'"').then_some(ShortRow {
            end: i,
            last: b,
            len,
            cells,
        });
    }
}

/// The bytes of `word` that equal those of `pattern`, as their top bits (exactly).
#[inline(always)]
fn equal_bytes(word: u64, pattern: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let y = word ^ pattern;
    !((y & LOW).wrapping_add(LOW) | y) & !LOW
}

/// A row split in place by [`split_clean`].
#[derive(Debug, Clone, Copy)]
struct CleanRow {
    /// Where its line end (`\n`) is in the window: the row is the bytes before it.
    end: usize,
    cells: usize,
    /// Whether its bytes are all ASCII.
    ascii: bool,
}

/// Splits the row at the start of `window`, which holds no `"` and no `\r`, as `csv_core`
/// would (a reader with `delimiter`, after its first row), if its line end (`\n`) is in the
/// window: where each cell ends in the window (at its delimiter, or the line end) into `ends`
/// (grown as needed), the cells staying where they are. Eight bytes are looked at at once,
/// and every delimiter among them taken in one go; with no quote and no `\r` to look for,
/// a row costs a fraction of [`split_short`]. `None` if the line end is not among the
/// window's whole words (the row is then split by [`split_short`] or `csv_core`).
#[inline(always)]
fn split_clean(window: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<CleanRow> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (d, n) = (ONES * u64::from(delimiter), ONES * u64::from(b'\n'));
    let (mut i, mut cells, mut seen) = (0, 0, 0u64);
    // Room for a cell ending at every byte of the window, and its line end: grown once.
    if ends.len() <= window.len() {
        ends.resize(window.len() + 1, 0);
    }
    let ends = ends.as_mut_slice();
    loop {
        let word = u64::from_le_bytes(window.get(i..i + 8)?.try_into().ok()?);
        let line_end = equal_bytes(word, n);
        // The bits of the bytes up to the first line end (all of them if there is none).
        let before = line_end ^ line_end.wrapping_sub(1);
        let mut delimiters = equal_bytes(word, d) & before;
        seen |= word & before;
        while delimiters != 0 {
            *ends.get_mut(cells)? = i + (delimiters.trailing_zeros() / 8) as usize;
            cells += 1;
            delimiters &= delimiters - 1;
        }
        if line_end != 0 {
            let end = i + (line_end.trailing_zeros() / 8) as usize;
            *ends.get_mut(cells)? = end;
            return Some(CleanRow {
                end,
                cells: cells + 1,
                ascii: seen & 0x8080_8080_8080_8080 == 0,
            });
        }
        i += 8;
    }
}

/// One row read by a [`CsvReader`]: where its cells are, where each ends, and the line it
/// starts on. Its bytes are the record's own (the cells one after the other), or, for a row
/// split in place, the reader's buffer (the row as it is in the file, one delimiter between
/// cells): [`CsvReader::bytes`] gives them.
#[derive(Debug, Default)]
struct Record {
    bytes: Vec<u8>,
    len: usize,
    ends: Vec<usize>,
    cells: usize,
    line: u64,
    /// Whether the row may have a quoted cell (it is longer in the file than its cells and
    /// separators): only such a row can hold a line break or a `\r`.
    quoted: bool,
    /// The row's bytes are the first `len` of the reader's buffer.
    in_buffer: bool,
    /// What lies between a cell's end and the next cell's start: 1 (the delimiter) for a row
    /// in the buffer, else 0.
    sep: usize,
    /// The row's bytes are known to be all ASCII (`false`: not known).
    ascii: bool,
}

impl Record {
    /// Where each cell ends in the row's bytes.
    fn ends(&self) -> &[usize] {
        self.ends.get(..self.cells).unwrap_or(&[])
    }
}

/// The cells of a row whose bytes are `bytes`, the first starting at `start`, each ending at
/// the next of `ends` and the one after it starting `sep` bytes later.
fn cells_of<'b>(
    bytes: &'b [u8],
    ends: &'b [usize],
    start: usize,
    sep: usize,
) -> impl Iterator<Item = &'b [u8]> {
    let mut start = start;
    ends.iter().map(move |&end| {
        let cell = bytes.get(start..end).unwrap_or(&[]);
        start = end + sep;
        cell
    })
}

impl<R: Read> CsvReader<R> {
    fn new(reader: R, delimiter: u8, buffer: usize) -> Self {
        CsvReader {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            rdr: BufReader::with_capacity(buffer, reader),
            split_here: false,
            delimiter,
            byte: 0,
            line: 1,
            cr: false,
            pending: 0,
            clean_to: 0,
            search_at: 0,
        }
    }

    /// The bytes of `rec`, the last row this reader read.
    fn bytes<'s>(&'s self, rec: &'s Record) -> &'s [u8] {
        let bytes = if rec.in_buffer {
            self.rdr.buffer()
        } else {
            &rec.bytes
        };
        bytes.get(..rec.len).unwrap_or(&[])
    }

    /// (bytes read, line of the next byte not counting a pending `\r`, whether one is
    /// pending): a reader started at that byte with [`CsvReader::resume`] counts on from there.
    fn position(&self) -> (u64, u64, bool) {
        (self.byte, self.line, self.cr)
    }

    /// Starts this reader (new, on the bytes after a [`CsvReader::position`]) as if it had
    /// read the row before them.
    fn resume(mut self, cr: bool) -> Self {
        self.cr = cr;
        self
    }

    /// Starts this reader (new, on the bytes after a [`CsvReader::position`]) as the reader
    /// that was there: it counts bytes and lines on from that position (so that the tests can
    /// compare positions with a reader that read from the start).
    #[cfg(test)]
    fn at(mut self, (byte, line, cr): (u64, u64, bool)) -> Self {
        self.byte = byte;
        self.line = line;
        self.cr = cr;
        self
    }

    /// This reader (new) as one that has read a row already: `csv_core` takes a byte-order
    /// mark off its first row only, so it is given a row of its own first (its count of lines
    /// is only used by differences). Every reader that starts after the header is made so: a
    /// row after blank lines at a split, starting with a mark (two files pasted together), is
    /// then read as one reader reads it.
    fn continued(mut self) -> Self {
        let (mut out, mut ends) = ([0u8; 4], [0usize; 2]);
        let _ = self.core.read_record(b"x\n", &mut out, &mut ends);
        self.split_here = self.splits_short();
        self
    }

    /// Whether rows without quotes may be split without `csv_core` once a row is read: not with
    /// a delimiter that is also a quote or a line end.
    fn splits_short(&self) -> bool {
        !matches!(self.delimiter, b'"' | b'\n' | b'\r')
    }

    /// Reads the next row into `rec`: `false` at the end of the file.
    fn read(&mut self, rec: &mut Record) -> std::io::Result<bool> {
        use csv_core::ReadRecordResult as Res;
        use std::io::BufRead;
        self.rdr.consume(std::mem::take(&mut self.pending));
        rec.len = 0;
        rec.cells = 0;
        rec.in_buffer = false;
        rec.sep = 0;
        rec.ascii = false;
        // The line ends before the row (blank lines, the `\n` of a `\r\n`), which the parser
        // would skip, are skipped here, and counted.
        'skip: loop {
            let buf = self.rdr.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let mut n = 0;
            for &b in buf {
                match b {
                    b'\n' => {
                        self.line += 1;
                        self.cr = false;
                    }
                    b'\r' => {
                        self.line += u64::from(self.cr);
                        self.cr = true;
                    }
                    _ => {
                        self.line += u64::from(self.cr);
                        self.cr = false;
                        self.rdr.consume(n);
                        self.byte += n as u64;
                        break 'skip;
                    }
                }
                n += 1;
            }
            self.rdr.consume(n);
            self.byte += n as u64;
        }
        rec.line = self.line;
        // A row without quotes whose line end is in the buffer (almost every row of a large
        // file) is split at its delimiters here, in one pass: `csv_core` gives the same cells,
        // at several times the cost (its state between rows is the same whether it read them
        // or not, and it only treats the first row it reads differently).
        if self.split_here {
            let buf = self.rdr.fill_buf()?;
            let window = buf.get(..buf.len().min(SHORT_ROW)).unwrap_or(&[]);
            // Rows without `"` and `\r` (found for the whole buffer at once) are split in place.
            if self.byte >= self.clean_to && self.byte >= self.search_at {
                let found = memchr::memchr2(b'"', b'\r', buf);
                let clean = found.unwrap_or(buf.len());
                self.clean_to = self.byte + clean as u64;
                if found.is_some() && clean < 256 {
                    self.search_at = self.clean_to + 4096;
                }
            }
            let clean = usize::try_from(self.clean_to - self.byte.min(self.clean_to))
                .map_or(window.len(), |c| c.min(window.len()));
            if let Some(row) = window
                .get(..clean)
                .and_then(|w| split_clean(w, self.delimiter, &mut rec.ends))
            {
                rec.len = row.end;
                rec.cells = row.cells;
                rec.quoted = false;
                rec.in_buffer = true;
                rec.sep = 1;
                rec.ascii = row.ascii;
                self.pending = row.end + 1;
                self.byte += row.end as u64 + 1;
                self.line += 1;
                self.cr = false;
                return Ok(true);
            }
            if rec.bytes.len() < SHORT_ROW + 8 {
                rec.bytes.resize(SHORT_ROW + 8, 0);
            }
            if let Some(row) = split_short(window, self.delimiter, &mut rec.bytes, &mut rec.ends) {
                rec.len = row.len;
                rec.cells = row.cells;
                rec.quoted = false;
                self.rdr.consume(row.end + 1);
                self.byte += row.end as u64 + 1;
                self.line += u64::from(row.last == b'\n');
                self.cr = row.last == b'\r';
                return Ok(true);
            }
        }
        let (lines_before, start) = (self.core.line(), self.byte);
        loop {
            if rec.len == rec.bytes.len() {
                rec.bytes.resize((rec.bytes.len() * 2).max(256), 0);
            }
            if rec.cells == rec.ends.len() {
                rec.ends.resize((rec.ends.len() * 2).max(16), 0);
            }
            let buf = self.rdr.fill_buf()?;
            let (res, nin, nout, nend) = self.core.read_record(
                buf,
                rec.bytes.get_mut(rec.len..).unwrap_or(&mut []),
                rec.ends.get_mut(rec.cells..).unwrap_or(&mut []),
            );
            let last = nin.checked_sub(1).and_then(|i| buf.get(i)).copied();
            self.rdr.consume(nin);
            self.byte += nin as u64;
            rec.len += nout;
            rec.cells += nend;
            match res {
                Res::InputEmpty | Res::OutputFull | Res::OutputEndsFull => {}
                Res::Record => {
                    // Line breaks inside quoted cells, and a `\n` that ended the row.
                    self.line += self.core.line() - lines_before;
                    // A `\r` alone inside a quoted cell ends a line too. Only a row with a
                    // quoted cell is longer in the file than its cells and separators (the
                    // last byte read, if any, ended it), and only such a row is searched.
                    let raw = self.byte - start - u64::from(last.is_some());
                    rec.quoted = raw != (rec.len + rec.cells.saturating_sub(1)) as u64;
                    if rec.quoted {
                        let cells = rec.bytes.get(..rec.len).unwrap_or(&[]);
                        self.line += memchr::memchr_iter(b'\r', cells)
                            .filter(|&i| cells.get(i + 1) != Some(&b'\n'))
                            .count() as u64;
                    }
                    self.cr = last == Some(b'\r');
                    self.split_here = self.splits_short();
                    return Ok(true);
                }
                Res::End => return Ok(false),
            }
        }
    }
}

/// Files of at least this many bytes are read on two threads when they can be (see
/// [`read_halves`]); smaller ones are read the usual way.
const SPLIT_MIN: u64 = 4 * 1024 * 1024;

/// The smallest file read in two halves, or `None` to read every file the usual way (on a
/// single core). The tests lower it with the variable `CHECKMYOGP_SPLIT_MIN` (a number of
/// bytes), to read small files both ways; it is not meant for users.
fn split_min() -> Option<u64> {
    #[cfg(test)]
    if let Some(min) = tests::SPLIT_MIN.with(std::cell::Cell::get) {
        return min;
    }
    if let Some(min) = std::env::var_os("CHECKMYOGP_SPLIT_MIN") {
        return min.to_str().and_then(|m| m.parse().ok());
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores > 1).then_some(SPLIT_MIN)
}

/// One row, as every path hands it to [`FileReader::take_row`].
#[derive(Debug, Clone, Copy)]
struct RowIn<'t> {
    cells: RowCells<'t>,
    line: u32,
    /// Whether a cell may hold a line break (the row then takes the general path, which checks
    /// for unclosed quotes).
    multiline: bool,
    /// The first cell that is not valid UTF-8 (the row then has no cells).
    bad_utf8: Option<usize>,
}

impl Ready {
    fn rating(self, file: FileId, line: u32) -> Rating {
        Rating::new(
            self.evaluator,
            self.unit,
            self.criterion,
            Some(self.level),
            self.evidence,
            file,
            line,
        )
    }
}

impl<'a> FileReader<'_, 'a> {
    /// Takes one row: by the short path when it can, else by the general one. `false` when
    /// reading must stop (the header is unusable).
    fn take_row(
        &mut self,
        feed: &mut Feed,
        layout: &mut Option<Layout<'a>>,
        row: RowIn<'_>,
        scores: &mut Scores,
    ) -> bool {
        if !row.multiline
            && row.bad_utf8.is_none()
            && let Some(l) = layout.as_mut()
            && let Some(r) = l.ready(&row.cells)
        {
            feed.rows += 1;
            scores.ratings_mut().push(r.rating(self.file, row.line));
            return true;
        }
        self.general_row(feed, layout, row, scores)
    }

    /// Takes one row by the general path (see [`FileReader::take_row`]).
    fn general_row(
        &mut self,
        feed: &mut Feed,
        layout: &mut Option<Layout<'a>>,
        row: RowIn<'_>,
        scores: &mut Scores,
    ) -> bool {
        // The vector of cells is reused from row to row (empty in between).
        let mut fields: Vec<&str> = std::mem::take(&mut self.spare);
        let go_on = self.general_fields(feed, layout, row, &mut fields, scores);
        fields.clear();
        // Collected in place: the same allocation, for cells of any lifetime.
        self.spare = fields.into_iter().map(|_| "").collect();
        go_on
    }

    fn general_fields<'t>(
        &mut self,
        feed: &mut Feed,
        layout: &mut Option<Layout<'a>>,
        row: RowIn<'t>,
        fields: &mut Vec<&'t str>,
        scores: &mut Scores,
    ) -> bool {
        let line = row.line;
        let mut bad_utf8 = row.bad_utf8;
        let mut start = row.cells.start;
        for (i, &end) in row.cells.ends.iter().enumerate() {
            // The row's text is UTF-8, so a cell is too unless a boundary is inside a
            // character (only possible when a cell is not UTF-8 on its own): that fails here.
            match row.cells.bytes.get(start..end).map(std::str::from_utf8) {
                Some(Ok(cell)) => fields.push(trim_cell(cell)),
                _ => bad_utf8 = bad_utf8.or(Some(i)),
            }
            start = end + row.cells.sep;
        }
        if let Some(col) = bad_utf8 {
            self.report.push(
                Diagnostic::error("bad-encoding", "this line is not valid UTF-8 text, although the start of the file is")
                    .at(Location::line(self.display.clone(), line as usize, Some(format!("column {}", column_letter(col)))))
                    .help("the file mixes encodings; save it again from your spreadsheet as \"CSV UTF-8\""),
            );
            return true;
        }
        if fields.first().is_some_and(|f| f.starts_with('\u{feff}')) {
            let cell = fields[0].trim_start_matches('\u{feff}').trim();
            fields[0] = cell;
            if self.stray_bom(line, fields, feed.header_done) {
                return true;
            }
        }
        if row.multiline {
            self.check_swallowed(line, fields);
        }
        let header_done = feed.header_done;
        if !feed.take(self, line, fields, scores) {
            return false;
        }
        if !header_done && feed.header_done {
            // The header is read: most rows can now take the short path.
            *layout = self.layout();
        }
        true
    }

    /// The file could not be read to the end (`line` 0: where is not known).
    fn broken(&mut self, line: u64, message: String) {
        let loc = if line > 0 {
            Location::line(self.display.clone(), line as usize, None)
        } else {
            Location::file(self.display.clone())
        };
        self.report
            .push(Diagnostic::error("csv-syntax", message).at(loc));
    }
}

/// What a CSV error says to people.
fn broken_message(e: &std::io::Error) -> String {
    format!("the file could not be read to the end: {e}")
}

/// How far [`Rows::read`] reads.
#[derive(Debug)]
enum Until<'w> {
    /// To the end of the file.
    End,
    /// Until the header has been read.
    Header,
    /// Until the place where the second thread starts (see [`read_halves`]).
    Split(&'w mut Watch),
}

/// Why [`Rows::read`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The end of the file, or reading must stop (an unusable header, a broken file).
    End,
    Header,
    /// Exactly at the split: the rows after it are the second thread's.
    AtSplit,
}

/// The buffers of a reader that parses and resolves rows on one thread.
#[derive(Debug, Default)]
struct Rows {
    record: Record,
}

impl Rows {
    /// Reads the record at the reader's position into `self`: `Ok(None)` at the end of the
    /// file, the row's first cell that is not UTF-8 in `bad_utf8`.
    /// The row's bytes are in the reader's buffer or in `self`.
    #[inline(always)]
    fn next<'c, R: Read>(
        &'c mut self,
        csv: &'c mut CsvReader<R>,
    ) -> std::io::Result<Option<RowIn<'c>>> {
        if !csv.read(&mut self.record)? {
            return Ok(None);
        }
        let record = &self.record;
        let line = record.line;
        let bytes = csv.bytes(record);
        // ASCII (known from the split, or a quick check) is UTF-8; only other rows are checked
        // in full.
        let ascii = record.ascii || bytes.is_ascii();
        let (text, ends, bad_utf8) = if ascii || std::str::from_utf8(bytes).is_ok() {
            (bytes, record.ends(), None)
        } else {
            let bad = cells_of(bytes, record.ends(), 0, record.sep)
                .position(|cell| std::str::from_utf8(cell).is_err());
            (&[][..], &[][..], Some(bad.unwrap_or(0)))
        };
        Ok(Some(RowIn {
            cells: RowCells {
                bytes: text,
                ends,
                start: 0,
                sep: record.sep,
                ascii,
            },
            line: u32::try_from(line).unwrap_or(u32::MAX),
            // A line break in a cell is inside quotes.
            multiline: record.quoted && bytes.contains(&b'\n'),
            bad_utf8,
        }))
    }

    /// Parses and resolves rows on this thread (their lines shifted by `base`), until `until`.
    #[allow(clippy::too_many_arguments)]
    fn read<'a, R: Read>(
        &mut self,
        fr: &mut FileReader<'_, 'a>,
        feed: &mut Feed,
        layout: &mut Option<Layout<'a>>,
        csv: &mut CsvReader<R>,
        base: u64,
        mut until: Until<'_>,
        scores: &mut Scores,
    ) -> Stop {
        loop {
            let row = match self.next(csv) {
                Ok(Some(row)) => row,
                Ok(None) => return Stop::End,
                Err(e) => {
                    fr.broken(0, broken_message(&e));
                    return Stop::End;
                }
            };
            let row = RowIn {
                line: shift(row.line, base),
                ..row
            };
            if !fr.take_row(feed, layout, row, scores) {
                return Stop::End;
            }
            match &mut until {
                Until::End => {}
                Until::Header if feed.header_done => return Stop::Header,
                Until::Header => {}
                Until::Split(watch) => match watch.check(csv.position().0) {
                    Some(true) => return Stop::AtSplit,
                    Some(false) => {}
                    None => until = Until::End,
                },
            }
        }
    }
}

/// A line number moved on by `base` lines.
fn shift(line: u32, base: u64) -> u32 {
    u32::try_from(u64::from(line) + base).unwrap_or(u32::MAX)
}

/// The file being read in two halves.
#[derive(Debug)]
struct Halves<'p> {
    path: &'p Path,
    /// The length of the byte-order mark the first reader skipped (its offsets start after it).
    bom: u64,
    size: u64,
    delimiter: u8,
}

/// The first reader's view of the split: it stops exactly there, or, if it steps over it
/// (the split was not where a row starts), tells the second thread to give up.
#[derive(Debug)]
struct Watch {
    /// Where the search for the split starts (a file offset); the split is at or after it.
    from: u64,
    bom: u64,
    /// The split, once the second thread has found it (`Some(None)`: there is none).
    split: Option<Option<u64>>,
    found: std::sync::mpsc::Receiver<u64>,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Watch {
    /// After a row that ends at `pos` (the first reader's offset): `Some(true)` exactly at the
    /// split, `Some(false)` before it, `None` when there is no split to reach any more.
    fn check(&mut self, pos: u64) -> Option<bool> {
        let pos = pos + self.bom;
        if pos < self.from {
            return Some(false);
        }
        let found = &self.found;
        let split = *self.split.get_or_insert_with(|| found.recv().ok());
        match split {
            Some(s) if pos == s => Some(true),
            Some(s) if pos < s => Some(false),
            _ => {
                self.cancel
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                None
            }
        }
    }
}

/// Reads the rest of a large file (after its header) on two threads: this one parses and
/// resolves the first half, a second one the second half (from a row start near the middle,
/// found by counting quotes), each fused, without handing rows over. The second thread takes
/// only rows that need no more than lookups ([`Layout::ready`]); any other row is kept as it
/// is (or, past a bound, the thread stops) and taken here afterwards, in file order, by the
/// general path. So diagnostics are made on this thread only, in line order, and the result
/// is the same as reading the file in one go: the first reader must end exactly where the
/// second began (else the second half is dropped and this thread reads on).
fn read_halves<'a, R: Read>(
    at: &Halves<'_>,
    fr: &mut FileReader<'_, 'a>,
    feed: &mut Feed,
    layout: &mut Option<Layout<'a>>,
    csv: &mut CsvReader<R>,
    scores: &mut Scores,
) {
    let mut rows = Rows::default();
    let Some(second_layout) = layout.clone() else {
        rows.read(fr, feed, layout, csv, 0, Until::End, scores);
        return;
    };
    let start = csv.position().0 + at.bom;
    // A split found while plan.toml was read, if it is of this file and after its header.
    let known = fr
        .resolver
        .ahead
        .iter()
        .find(|a| a.path == at.path && a.size == at.size && a.from >= start)
        .map(|a| (a.from, a.split));
    let from = known.map_or_else(|| search_from(start, at.size), |(from, _)| from);
    let known = known.map(|(_, split)| split);
    #[cfg(test)]
    tests::AHEAD_USED.with(|n| n.set(n.get() + usize::from(known.is_some())));
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (to_first, found) = std::sync::mpsc::sync_channel::<u64>(1);
    let mut watch = Watch {
        from,
        bom: at.bom,
        split: None,
        found,
        cancel: cancel.clone(),
    };
    let file = fr.file;
    scores.ratings_mut().reserve(most_ratings(from - start));
    // Set once this thread has read its half and takes the second's ratings as they come.
    let taking = std::sync::atomic::AtomicBool::new(false);
    let (to_first_parts, parts) = std::sync::mpsc::channel::<Vec<Rating>>();
    std::thread::scope(|scope| {
        let second = {
            // The senders are the thread's own, so that the channels close when it ends.
            let taking = &taking;
            scope.spawn(move || {
                let to = Handover {
                    taking,
                    parts: to_first_parts,
                };
                second_half(
                    at,
                    from,
                    known,
                    second_layout,
                    file,
                    &cancel,
                    &to_first,
                    &to,
                )
            })
        };
        let stop = rows.read(fr, feed, layout, csv, 0, Until::Split(&mut watch), scores);
        if stop != Stop::AtSplit {
            watch
                .cancel
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let Some(split) = watch.split.flatten() else {
            return;
        };
        // Lines of the second half counted from 1 at the split.
        let base = csv.position().1 - 1;
        // The second thread's ratings so far, then the ones it reads on, are moved on as they
        // come (the channel closes when it ends), when it has left no row to the general path
        // yet: this thread often ends its half first, and would otherwise wait, then copy them
        // all once both are done.
        taking.store(true, std::sync::atomic::Ordering::Relaxed);
        let (ratings_before, rows_before) = (scores.ratings().len(), feed.rows);
        for mut ratings in parts.iter() {
            feed.rows += ratings.len();
            #[cfg(test)]
            tests::SECOND_ROWS.with(|n| n.set(n.get() + ratings.len()));
            let n = ratings.len();
            move_ratings(&mut ratings, n, base, scores.ratings_mut());
        }
        let Some(tail) = second.join().ok().flatten() else {
            // The second thread gave up (it does so only before it hands anything over, or
            // when told to, which this thread does not do at the split): this reader is at the
            // split, and reads on, without anything taken from the second.
            #[cfg(test)]
            tests::SECOND_ROWS.with(|n| n.set(n.get() - (feed.rows - rows_before)));
            scores.ratings_mut().truncate(ratings_before);
            feed.rows = rows_before;
            rows.read(fr, feed, layout, csv, 0, Until::End, scores);
            return;
        };
        let stopped = tail.stopped;
        if tail.merge(fr, feed, layout, base, scores) == Stop::End
            && let Some((byte, line, cr)) = stopped
        {
            // The second thread stopped early: read on from where it stopped.
            let rest = File::open(at.path).and_then(|mut f| {
                use std::io::{Seek, SeekFrom};
                f.seek(SeekFrom::Start(split + byte))?;
                Ok(f)
            });
            match rest {
                Ok(f) => {
                    let mut csv = CsvReader::new(f, at.delimiter, 256 * 1024)
                        .resume(cr)
                        .continued();
                    rows.read(
                        fr,
                        feed,
                        layout,
                        &mut csv,
                        base + line - 1,
                        Until::End,
                        scores,
                    );
                }
                Err(e) => fr.broken(0, format!("the file could not be read to the end: {e}")),
            }
        }
    });
}

/// Where the search for the split starts, for rows from `start` to `size`: a little after the
/// middle, as the second thread first reads up to the split to count quotes, and turns its
/// ratings round at the end.
fn search_from(start: u64, size: u64) -> u64 {
    start + size.saturating_sub(start) / 32 * 17
}

/// How the second thread of [`read_halves`] hands its ratings over while it reads.
#[derive(Debug)]
struct Handover<'t> {
    /// Set when the first thread takes them.
    taking: &'t std::sync::atomic::AtomicBool,
    /// Ratings of the second half, last first (so that they can be moved from the end, freeing
    /// memory as they go), with lines counted from the split: every rating read before the
    /// first thread asked for them, in one vector, then blocks of [`BLOCK`].
    parts: std::sync::mpsc::Sender<Vec<Rating>>,
}

/// How many ratings the second thread of [`read_halves`] hands over at a time once the first
/// takes them (384 KB, freed once moved, and so reused by the next block; a few in unit tests,
/// so that their small files are handed over in blocks too).
const BLOCK: usize = if cfg!(test) { 3 } else { 16 * 1024 };

/// The rows of the second half (see [`read_halves`]) after those handed over.
#[derive(Debug, Default)]
struct Tail {
    /// The ratings of the rows that took the short path, last first (so that they can be moved
    /// from the end, freeing memory as they go), with lines counted from the split.
    ratings: Vec<Rating>,
    /// How many rows took the short path.
    rows: usize,
    /// The rows left to the general path, with the number of ratings before each; their cells
    /// are in `text` (UTF-8, held as bytes) and `ends`, as in a [`Batch`].
    holes: Vec<(usize, RowMark)>,
    text: Vec<u8>,
    ends: Vec<usize>,
    /// Where the thread stopped before the end of the file: (offset from the split, line,
    /// whether a `\r` ended the row before), as [`CsvReader::position`] tells it.
    stopped: Option<(u64, u64, bool)>,
}

/// The most rows, and the most bytes of their cells, that the second thread keeps for the
/// general path before it stops (a file full of mistakes is then read on by the first).
const HOLES: usize = 16 * 1024;
const HOLE_BYTES: usize = 1024 * 1024;

impl Tail {
    /// Appends the second half to `scores`, in file order, taking the rows left to the
    /// general path in between. `Stop::End` when the rows after the last one read are left.
    fn merge<'a>(
        self,
        fr: &mut FileReader<'_, 'a>,
        feed: &mut Feed,
        layout: &mut Option<Layout<'a>>,
        base: u64,
        scores: &mut Scores,
    ) -> Stop {
        let Tail {
            mut ratings,
            rows,
            holes,
            text,
            ends,
            stopped,
        } = self;
        feed.rows += rows;
        #[cfg(test)]
        tests::SECOND_ROWS.with(|n| n.set(n.get() + rows + holes.len()));
        scores.ratings_mut().reserve(ratings.len());
        let mut moved = 0;
        let mut first_cell: usize = 0;
        for (before, mark) in holes {
            move_ratings(&mut ratings, before - moved, base, scores.ratings_mut());
            moved = before;
            let start = first_cell
                .checked_sub(1)
                .and_then(|i| ends.get(i))
                .copied()
                .unwrap_or(0);
            let row = RowIn {
                cells: RowCells {
                    bytes: &text,
                    ends: ends.get(first_cell..mark.cells_end).unwrap_or(&[]),
                    start,
                    sep: 0,
                    ascii: false,
                },
                line: shift(u32::try_from(mark.line).unwrap_or(u32::MAX), base),
                multiline: mark.multiline,
                bad_utf8: mark.bad_utf8,
            };
            first_cell = mark.cells_end;
            fr.general_row(feed, layout, row, scores);
        }
        let left = ratings.len();
        move_ratings(&mut ratings, left, base, scores.ratings_mut());
        if stopped.is_some() {
            Stop::End
        } else {
            Stop::AtSplit
        }
    }
}

/// Moves the `n` ratings at the end of `from` (which holds them last first) onto `to`, first
/// first, with their lines moved on by `base`; `from` gives its memory back as it shrinks, so
/// that the two halves are never held twice.
fn move_ratings(from: &mut Vec<Rating>, n: usize, base: u64, to: &mut Vec<Rating>) {
    const STEP: usize = 16 * 1024;
    let mut left = n.min(from.len());
    while left > 0 {
        let k = left.min(STEP);
        let at = from.len() - k;
        to.extend(from.drain(at..).rev().map(|mut r| {
            r.line = shift(r.line, base);
            r
        }));
        from.shrink_to_fit();
        left -= k;
    }
}

/// The room reserved for the ratings of `bytes` of a file read in two halves: as many as it
/// can hold (a row that takes the short path has at least four non-empty cells, so 7 bytes),
/// but no more than 1.2 million (28.8 MB, never touched unless filled). Reserved at once, the
/// vectors of the two threads do not grow by copying (the memory allocator maps a block that
/// large on its own, and grows it in place), so the two halves never hold a copy of
/// themselves at the same time.
fn most_ratings(bytes: u64) -> usize {
    usize::try_from(bytes / 7 + 1).map_or(1_200_000, |n| n.min(1_200_000))
}

/// The second thread of [`read_halves`]: finds the split (the first line break at or after
/// `from` outside quotes, counting quotes from the start of the file) unless it is `known`
/// already, tells the first thread, and reads from there to the end. Once the first thread
/// has read its half (`to.taking`), and as long as no row has been left to the general path,
/// its ratings are handed over as they come ([`Handover`]): those held so far at once, then
/// blocks of [`BLOCK`]; what is left is the [`Tail`]. `None` when there is no split, or when
/// told to stop.
#[allow(clippy::too_many_arguments)]
fn second_half<'a>(
    at: &Halves<'_>,
    from: u64,
    known: Option<u64>,
    mut layout: Layout<'a>,
    file: FileId,
    cancel: &std::sync::atomic::AtomicBool,
    to_first: &std::sync::mpsc::SyncSender<u64>,
    to: &Handover<'_>,
) -> Option<Tail> {
    use std::sync::atomic::Ordering;
    let mut f = File::open(at.path).ok()?;
    let split = match known {
        Some(split) => split,
        None => find_split(&mut f, from, at.size)?,
    };
    {
        use std::io::{Seek, SeekFrom};
        f.seek(SeekFrom::Start(split)).ok()?;
    }
    to_first.send(split).ok()?;
    // The `csv` reader has a buffer of its own (smaller than the first reader's: its memory
    // comes on top).
    // As the first reader would read on there.
    let mut csv = CsvReader::new(f, at.delimiter, 64 * 1024).continued();
    let mut rows = Rows::default();
    let mut tail = Tail {
        ratings: Vec::with_capacity(most_ratings(at.size - split)),
        ..Tail::default()
    };
    // The block being filled once ratings are handed over as they come.
    let mut block: Option<Vec<Rating>> = None;
    let mut count = 0u32;
    loop {
        count = count.wrapping_add(1);
        // (Every row in unit tests, whose files are small.)
        if count.is_multiple_of(if cfg!(test) { 1 } else { 1024 }) {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            if block.is_none() && tail.holes.is_empty() && to.taking.load(Ordering::Relaxed) {
                let mut held = std::mem::take(&mut tail.ratings);
                held.reverse();
                tail.rows = 0;
                // The receiver outlives this thread: sending does not fail.
                to.parts.send(held).ok()?;
                block = Some(Vec::with_capacity(BLOCK));
            }
        }
        let before = csv.position();
        let row = match rows.next(&mut csv) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(_) => {
                // The first thread reads on from here, and reports it.
                tail.stopped = Some(before);
                break;
            }
        };
        if !row.multiline
            && row.bad_utf8.is_none()
            && let Some(r) = layout.ready(&row.cells)
        {
            let rating = r.rating(file, row.line);
            match &mut block {
                Some(b) => {
                    b.push(rating);
                    if b.len() == BLOCK {
                        let mut full = std::mem::replace(b, Vec::with_capacity(BLOCK));
                        full.reverse();
                        to.parts.send(full).ok()?;
                    }
                }
                None => {
                    tail.rows += 1;
                    tail.ratings.push(rating);
                }
            }
            continue;
        }
        // A row that starts with a byte-order mark is never where a reader starts (as for the
        // split, see `find_split`): the mark is then reported by the general path.
        let bom_first = row.cells.bytes.starts_with("\u{feff}".as_bytes());
        if (tail.holes.len() >= HOLES || tail.text.len() >= HOLE_BYTES) && !bom_first {
            tail.stopped = Some(before);
            break;
        }
        if let Some(b) = block.take() {
            // The ratings before this row that were not handed over start the tail.
            tail.rows = b.len();
            tail.ratings = b;
            tail.ratings
                .reserve(most_ratings((at.size - split).saturating_sub(before.0)));
        }
        // Cells one after the other, as in a batch.
        let c = row.cells;
        for cell in cells_of(c.bytes, c.ends, c.start, c.sep) {
            tail.text.extend_from_slice(cell);
            tail.ends.push(tail.text.len());
        }
        tail.holes.push((
            tail.ratings.len(),
            RowMark {
                cells_end: tail.ends.len(),
                line: u64::from(row.line),
                multiline: row.multiline,
                bad_utf8: row.bad_utf8,
            },
        ));
    }
    if let Some(b) = block.take() {
        tail.rows = b.len();
        tail.ratings = b;
    }
    tail.ratings.reverse();
    Some(tail)
}

/// The split of a file read in two halves: the offset where the second reader starts, just
/// after the first line break at or after `from` that is outside quotes (an even number of
/// `"` before it), or on the `\n` of a `\r\n` (where [`CsvReader`] stops after such a
/// row). `None` if there is none in the next quarter of the file, or the line after it
/// starts with a byte-order mark (two files pasted together: left to one reader).
fn find_split(f: &mut File, from: u64, size: u64) -> Option<u64> {
    let limit = from + size.saturating_sub(from) / 2;
    let mut buf = vec![0u8; 64 * 1024];
    let mut pos = 0u64;
    let mut quotes = 0usize;
    let mut prev = 0u8;
    let mut found = None;
    'read: while pos < limit {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        let block = &buf[..n];
        let skip = usize::try_from(from.saturating_sub(pos))
            .unwrap_or(usize::MAX)
            .min(n);
        quotes += memchr::memchr_iter(b'"', &block[..skip]).count();
        if skip > 0 {
            prev = block[skip - 1];
        }
        for (i, &b) in block.iter().enumerate().skip(skip) {
            if b == b'\n' && quotes.is_multiple_of(2) {
                let at = pos + i as u64;
                found = Some(if prev == b'\r' { at } else { at + 1 });
                // The line after it, to look for a byte-order mark.
                let rest = &block[i + 1..];
                if rest.len() >= 3 || pos + n as u64 >= size {
                    if rest.starts_with("\u{feff}".as_bytes()) {
                        return None;
                    }
                    break 'read;
                }
                let mut next = [0u8; 3];
                let have = rest.len();
                next[..have].copy_from_slice(rest);
                let more = f.read(&mut next[have..]).ok()?;
                if have + more == 3 && next == *"\u{feff}".as_bytes() {
                    return None;
                }
                break 'read;
            }
            quotes += usize::from(b == b'"');
            prev = b;
        }
        pos += n as u64;
    }
    found
}

/// The split of a large score file, found ahead (see [`split_ahead`]).
#[derive(Debug, Clone)]
pub(crate) struct Ahead {
    path: std::path::PathBuf,
    /// The file's size when the split was found: a file that has changed since is searched
    /// again.
    size: u64,
    /// Where the search started, and the split found (as [`find_split`] gives them).
    from: u64,
    split: u64,
}

/// Finds, on a thread of its own, the split of each CSV file that `pattern` (the default
/// score files, a glob) finds and that is large enough to be read in two halves, while the
/// calling thread reads plan.toml: the count of quotes up to the split needs nothing from the
/// plan, so it no longer delays the second reading thread, which can then start at the middle
/// of the rows instead of a little after it (see [`search_from`]). A split is only a
/// starting point for the second reader: the first must still end a row exactly there (see
/// [`read_halves`]), and a file the plan does not read, or that has changed, is not looked at
/// again. Only regular files are looked at (not links, pipes or devices). `None` when no file
/// is read in two halves (`split_min`, on the calling thread).
pub(crate) fn split_ahead(pattern: &Path) -> Option<std::thread::JoinHandle<Vec<Ahead>>> {
    let min = split_min()?;
    let pattern = pattern.to_str()?.to_string();
    Some(std::thread::spawn(move || {
        let Ok(paths) = glob::glob(&pattern) else {
            return Vec::new();
        };
        paths
            .filter_map(Result::ok)
            .filter_map(|path| {
                // Looked at before it is opened: opening a pipe (FIFO) waits for a writer, for
                // ever, and a link may lead out of the folder. Neither is read ahead; the files
                // the plan reads are checked, and such ones reported, by `load`.
                std::fs::symlink_metadata(&path)
                    .ok()
                    .filter(std::fs::Metadata::is_file)?;
                let mut f = File::open(&path).ok()?;
                let size = f.metadata().ok().filter(|m| m.is_file())?.len();
                if size < min {
                    return None;
                }
                let from = size / 2;
                let split = find_split(&mut f, from, size)?;
                Some(Ahead {
                    path,
                    size,
                    from,
                    split,
                })
            })
            .collect()
    }))
}

/// The rows of one score file going into its [`FileReader`]: the first non-blank row is the
/// header, the others are ratings.
#[derive(Debug, Default)]
struct Feed {
    header_done: bool,
    rows: usize,
}

impl Feed {
    /// Takes one row; `false` when reading must stop (the header is unusable).
    fn take(
        &mut self,
        fr: &mut FileReader<'_, '_>,
        line: u32,
        fields: &[&str],
        scores: &mut Scores,
    ) -> bool {
        if fields.iter().all(|f| f.is_empty()) {
            return true;
        }
        if !self.header_done {
            self.header_done = true;
            if !fr.read_header(fields) {
                return false;
            }
        } else {
            self.rows += 1;
            fr.row(line, fields, scores);
        }
        true
    }

    /// Reports what only the whole file shows.
    fn finish(self, fr: &mut FileReader<'_, '_>) {
        fr.report_unknowns();
        let whole_file = Location::file(fr.display.clone());
        if self.header_done && self.rows == 0 {
            fr.report.push(
                Diagnostic::warning("no-rows", "the score file has a header but no ratings")
                    .at(whole_file.clone())
                    .help("add one row per rating under the header, or delete the file"),
            );
        }
        if !self.header_done {
            fr.report.push(
                Diagnostic::error("empty-file", "the score file holds no rows")
                    .at(whole_file)
                    .help("the first line names the columns; each later line is one rating"),
            );
        }
    }
}

/// Reads one spreadsheet score file (.xlsx, .xlsm, .ods) into `scores`: the first worksheet
/// (or the one after an "Instructions" sheet), laid out like a CSV score file. The workbook
/// itself is read by [`super::workbook`], row by row.
#[cfg(feature = "spreadsheets")]
pub(crate) fn read_spreadsheet(
    path: &Path,
    file: FileId,
    display: &str,
    resolver: &mut Resolver<'_>,
    scores: &mut Scores,
    report: &mut Report,
) {
    let sheet = match super::workbook::open(path) {
        Ok(sheet) => sheet,
        Err(problem) => {
            report.push(problem.diagnostic(display));
            return;
        }
    };
    let mut fr = FileReader {
        resolver,
        file,
        display: display.to_string(),
        delimiter: b',',
        report,
        unknown: HashMap::new(),
        unknown_kinds: Vec::new(),
        cols: Columns::default(),
        sheet: Some(sheet.name().to_string()),
        last_evaluator: None,
        last_commitment: None,
        spare: Vec::new(),
    };
    let mut feed = Feed::default();
    let read = sheet.rows(|line, cells| {
        let fields: Vec<&str> = cells.iter().map(|t| trim_cell(t)).collect();
        feed.take(&mut fr, line, &fields, scores)
    });
    if let Err(problem) = read {
        fr.report.push(problem.diagnostic(display));
    }
    feed.finish(&mut fr);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::fmt::Write as _;

    thread_local! {
        /// The split threshold of reads on this thread (`Some(None)`: never split), instead of
        /// [`split_min`]'s.
        pub(super) static SPLIT_MIN: Cell<Option<Option<u64>>> = const { Cell::new(None) };
        /// How many rows second threads read (short path and kept for the general one).
        pub(super) static SECOND_ROWS: Cell<usize> = const { Cell::new(0) };
        /// How many files were read in two halves from a split found ahead.
        pub(super) static AHEAD_USED: Cell<usize> = const { Cell::new(0) };
    }

    /// The first cell and starting line of every row [`CsvReader`] reads from `text`, and
    /// its position at the end.
    fn rows_and_lines(text: &[u8], buffer: usize) -> (Vec<(String, u64)>, (u64, u64, bool)) {
        let mut csv = CsvReader::new(text, b',', buffer);
        let mut rec = Record::default();
        let mut rows = Vec::new();
        while csv.read(&mut rec).unwrap() {
            let first = cells_of(csv.bytes(&rec), rec.ends(), 0, rec.sep)
                .next()
                .unwrap_or(&[]);
            rows.push((String::from_utf8_lossy(first).into_owned(), rec.line));
        }
        (rows, csv.position())
    }

    #[test]
    fn rows_start_on_the_line_an_editor_shows() {
        let row = |cell: &str, line| (cell.to_string(), line);
        // Blank lines, CR LF, a quoted cell over lines, CR alone, CR CR LF (two line ends).
        let text = b"a,1\n\n\nb,2\r\n\r\nc,\"x\r\ny\ny\"\r\nd\re,\"p\rq\"\rf\r\r\ng\n  \nh";
        let want = vec![
            row("a", 1),
            row("b", 4),
            row("c", 6),
            row("d", 9),
            row("e", 10),
            row("f", 12),
            row("g", 14),
            row("  ", 15),
            row("h", 16),
        ];
        // The same whatever the buffer (a row, or a run of line ends, cut anywhere).
        for buffer in [1, 2, 3, 7, 64 * 1024] {
            let (rows, end) = rows_and_lines(text, buffer);
            assert_eq!(rows, want, "buffer {buffer}");
            assert_eq!(end, (text.len() as u64, 16, false), "buffer {buffer}");
        }
        // A `\r` alone in a quoted cell of a file with other line ends.
        let (rows, _) = rows_and_lines(b"q,\"r\rs\"\r\nt,\"u\r\nv\"\nw", 64);
        assert_eq!(rows, vec![row("q", 1), row("t", 3), row("w", 5)]);
        // Started again after a row that a `\r` ended: the count goes on as in one reader.
        let (first, at) = rows_and_lines(b"a,1\r", 8);
        assert_eq!((first, at), (vec![row("a", 1)], (4, 1, true)));
        for (rest, line) in [(&b"\nb"[..], 2), (b"b", 2), (b"\r\n\nb", 4)] {
            let mut csv = CsvReader::new(rest, b',', 8).resume(at.2);
            let mut rec = Record::default();
            assert!(csv.read(&mut rec).unwrap());
            assert_eq!(rec.line, line, "{rest:?}");
        }
    }

    /// Every row of `text` as a reader gives it (cells, line, whether quoted), and its
    /// position after each; with `short`, rows without quotes are split by
    /// [`split_clean`] or [`split_short`], else all by `csv_core`.
    fn records(text: &[u8], delimiter: u8, buffer: usize, short: bool) -> Vec<String> {
        rows_read_on(&mut CsvReader::new(text, delimiter, buffer), short)
    }

    /// The rows `csv` reads from where it is, as [`records`] gives them.
    fn rows_read_on<R: std::io::Read>(csv: &mut CsvReader<R>, short: bool) -> Vec<String> {
        let mut rec = Record::default();
        let mut out = Vec::new();
        loop {
            if !short {
                csv.split_here = false;
            }
            if !csv.read(&mut rec).unwrap() {
                break;
            }
            let bytes = csv.bytes(&rec);
            // A row split in place knows whether it is ASCII; others leave it to be checked.
            assert_eq!(rec.ascii, rec.in_buffer && bytes.is_ascii(), "{bytes:?}");
            let cells: Vec<&[u8]> = cells_of(bytes, rec.ends(), 0, rec.sep).collect();
            out.push(format!(
                "{:?} {} {} {:?}",
                cells,
                rec.line,
                rec.quoted,
                csv.position()
            ));
        }
        out.push(format!("{:?}", csv.position()));
        out
    }

    #[test]
    fn a_reader_continued_after_a_row_reads_on_as_the_reader_that_read_it() {
        // A byte-order mark that starts a later row is part of its first cell (two files
        // pasted together, reported by the general path), for a reader that read the rows
        // before it as for one that starts there (the second reader of a file read in two
        // halves, or the first going on after it).
        let text = "a,1\r\n\u{feff}b,2\n\"c\",3\n".as_bytes();
        let whole = records(text, b',', 64, true);
        let mut csv = CsvReader::new(text, b',', 64);
        let mut rec = Record::default();
        assert!(csv.read(&mut rec).unwrap());
        let at = csv.position();
        let mut on = CsvReader::new(&text[at.0 as usize..], b',', 64)
            .at(at)
            .continued();
        let rest = rows_read_on(&mut on, true);
        assert_eq!(rest, whole[1..]);
        assert!(
            rest[0].starts_with("[[239, 187, 191, 98], [50]]"),
            "{rest:?}"
        );
    }

    #[test]
    fn rows_split_without_csv_core_are_as_csv_core_splits_them() {
        // Random rows of the bytes that matter (and a multi-byte character, a byte-order mark),
        // read with buffers that cut rows anywhere, by both ways.
        let pieces: [&[u8]; 20] = [
            b"a",
            b"bc",
            b"defghijkl",
            b",",
            b";",
            b"\t",
            b"\n",
            b"\r",
            b"\r\n",
            b"\"",
            b"\"\"",
            b" ",
            "\u{e9}".as_bytes(),
            "\u{feff}".as_bytes(),
            // A byte one bit away from a delimiter, line end or quote, right after one, is
            // where a quick test for them can be wrong.
            b",-",
            b";:",
            b"\t\x08",
            b"\n\x0b",
            b"\r\x0c",
            b"\"#",
        ];
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for case in 0..400 {
            let mut text = Vec::new();
            for _ in 0..next(200) {
                // Mostly plain rows, as score files hold.
                let piece = if next(4) == 0 {
                    next(pieces.len())
                } else {
                    next(6)
                };
                text.extend_from_slice(pieces[piece]);
            }
            for delimiter in [b',', b';', b'\t'] {
                for buffer in [1, 5, 16, 64 * 1024] {
                    assert_eq!(
                        records(&text, delimiter, buffer, true),
                        records(&text, delimiter, buffer, false),
                        "case {case}, {:?}, delimiter {delimiter}, buffer {buffer}",
                        String::from_utf8_lossy(&text)
                    );
                }
            }
        }
        // Long rows, and cells of every length around a word's.
        let mut text = Vec::new();
        for len in 0..40 {
            for cells in 1..5 {
                let cell = "x".repeat(len);
                text.extend_from_slice(vec![cell.as_str(); cells].join(",").as_bytes());
                text.push(b'\n');
            }
        }
        text.extend_from_slice(&[b'y'; 2000]);
        text.extend_from_slice(b"\nlast,row");
        for buffer in [7, 600, 64 * 1024] {
            assert_eq!(
                records(&text, b',', buffer, true),
                records(&text, b',', buffer, false)
            );
        }
    }

    /// A small deterministic generator (xorshift) from `seed`: each call gives a number below
    /// its argument, the same sequence each run.
    fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    #[test]
    fn few_texts_find_the_first_that_matches_by_table_or_by_list() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let alphabet = ["a", "b", "k", "0", "1", "é", " ", "High", "x"];
        // (How many sets of texts were put in a table: most, as those of a rubric are; the
        // largest, hundreds of keys, may find none and are searched in a list.)
        let mut tables = 0;
        for case in 0..300 {
            // Texts of 0 to 12 bytes (short keys and long texts), some repeated.
            let n = if case % 50 == 0 { 300 } else { next(20) };
            let texts: Vec<String> = (0..n)
                .map(|_| {
                    (0..next(6))
                        .map(|_| alphabet[next(alphabet.len())])
                        .collect()
                })
                .collect();
            let few = FewTexts::new(texts.iter().map(String::as_str).zip(0..));
            tables += usize::from(!few.table.is_empty());
            let mut asked: Vec<String> = texts.clone();
            asked.extend(["", "zz", "kkkkkkkk", "a\u{e9}"].map(String::from));
            for text in &asked {
                let want = texts.iter().position(|t| t == text).map(|i| i as u16);
                let key = short_key(text.as_bytes());
                assert_eq!(
                    few.find(text.as_bytes(), key),
                    want,
                    "{text:?} in {texts:?}"
                );
            }
        }
        assert!(tables > 250, "{tables}");
    }

    /// Everything reading `dir` gives (evaluators, ratings, notes and the full report), read
    /// in one go or split with `split`, and how many rows a second thread read.
    fn read(dir: &Path, notes: bool, split: Option<u64>) -> (String, usize) {
        SPLIT_MIN.with(|c| c.set(Some(split)));
        SECOND_ROWS.with(|c| c.set(0));
        let mut report = Report::new();
        let sel = crate::load::Selection {
            dir: dir.to_path_buf(),
            notes,
            ..crate::load::Selection::default()
        };
        let inputs = crate::load::load(&sel, &mut report);
        let mut got = String::new();
        if let Some(i) = &inputs {
            let s = &i.scores;
            let _ = write!(
                got,
                "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n",
                s.evaluators,
                s.ratings(),
                s.notes,
                s.texts,
                s.reference_views
            );
        }
        got.push_str(&report.render());
        SPLIT_MIN.with(|c| c.set(None));
        (got, SECOND_ROWS.with(Cell::get))
    }

    /// Reads `dir` in one go and split in two halves: the same result and report both ways,
    /// and the second thread read some rows. Returns the report and ratings as text.
    fn same_both_ways(dir: &Path, notes: bool) -> String {
        let (one, none) = read(dir, notes, None);
        assert_eq!(none, 0);
        let (two, second) = read(dir, notes, Some(0));
        pretty_assertions::assert_eq!(one, two);
        assert!(second > 0, "the second thread read no row");
        one
    }

    const HEADER: &str = "evaluator,commitment,milestone,criterion,level,evidence,comment";

    /// An assessment folder: `commitments` commitments of 3 milestones, the evaluators e0..e3
    /// declared, and `rows` as its score file (header first), joined by `eol`.
    fn folder(commitments: usize, rows: &[String], eol: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = String::from(
            "[plan]\ncountry = \"Testland\"\ntitle = \"Split\"\n\n[assessment]\nas_of = 2020-01-01\n",
        );
        for e in 0..4 {
            let _ = write!(plan, "\n[[evaluator]]\nid = \"e{e}\"\n");
        }
        for c in 0..commitments {
            let _ = write!(plan, "\n[[commitment]]\nid = \"c{c}\"\ntitle = \"C{c}\"\n");
            for m in 0..3 {
                let _ = write!(
                    plan,
                    "\n[[commitment.milestone]]\nid = \"c{c}.{m}\"\ntitle = \"M\"\ndue = 2019-12-31\n"
                );
            }
        }
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        std::fs::create_dir(dir.path().join("scores")).unwrap();
        let mut text = rows.join(eol);
        text.push_str(eol);
        std::fs::write(dir.path().join("scores/s.csv"), text).unwrap();
        dir
    }

    /// Every evaluator's ratings of every milestone's completion and every commitment's
    /// relevance, evaluator by evaluator, after the header.
    fn ratings(commitments: usize) -> Vec<String> {
        let mut rows = vec![HEADER.to_string()];
        for e in 0..4 {
            for c in 0..commitments {
                rows.push(format!("e{e},c{c},,relevance,Clear,,"));
                for m in 0..3 {
                    rows.push(format!("e{e},c{c},c{c}.{m},completion,Substantial,,"));
                }
            }
        }
        rows
    }

    /// The 1-based line where `row` (the first row holding it) starts in the score file.
    fn line_of(dir: &Path, row: &str) -> usize {
        let text = std::fs::read_to_string(dir.join("scores/s.csv")).unwrap();
        let at = text.find(row).unwrap();
        text[..at].matches('\n').count() + 1
    }

    #[test]
    fn the_split_found_while_the_plan_is_read_serves_only_the_file_it_was_found_in() {
        let dir = folder(20, &ratings(20), "\n");
        AHEAD_USED.with(|n| n.set(0));
        same_both_ways(dir.path(), false);
        assert_eq!(
            AHEAD_USED.with(Cell::get),
            1,
            "the split found ahead was not used"
        );
        // The plan names other files: the split found in scores/s.csv is not used, and the
        // file it names is split as before.
        std::fs::create_dir(dir.path().join("other")).unwrap();
        std::fs::copy(
            dir.path().join("scores/s.csv"),
            dir.path().join("other/s.csv"),
        )
        .unwrap();
        let plan = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
        let plan = plan.replace(
            "[assessment]\n",
            "[assessment]\nscores = [\"other/*.csv\"]\n",
        );
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        AHEAD_USED.with(|n| n.set(0));
        same_both_ways(dir.path(), false);
        assert_eq!(AHEAD_USED.with(Cell::get), 0);
    }

    #[test]
    fn a_split_inside_a_quoted_cell_with_line_breaks_moves_past_it() {
        // The middle of the file falls inside a long quoted comment holding line breaks:
        // the second thread starts after it, where the quotes are balanced.
        // (The cell, from 30 % to 70 % of the file, holds the place where the search starts.)
        let mut rows = ratings(20);
        let long: Vec<String> = (0..600)
            .map(|i| format!("note {i:03}, more text"))
            .collect();
        let at = rows.len() * 3 / 10;
        rows.insert(
            at,
            format!("e1,c3,,participation,Involved,,\"{}\"", long.join("\n")),
        );
        let dir = folder(20, &rows, "\n");
        let text = std::fs::read_to_string(dir.path().join("scores/s.csv")).unwrap();
        let (cell_from, cell_to) = (
            text.find("note 000").unwrap(),
            text.find("note 599").unwrap(),
        );
        let header = text.find('\n').unwrap() + 1;
        let from = search_from(header as u64, text.len() as u64) as usize;
        assert!(cell_from < from && from < cell_to);
        let report = same_both_ways(dir.path(), false);
        assert!(!report.contains("error"), "{report}");
    }

    #[test]
    fn a_diagnostic_in_the_second_half_names_its_exact_line() {
        // Line breaks inside quoted cells in the first half: lines are not rows.
        let mut rows = ratings(20);
        rows[5] = "e0,c1,,participation,Involved,,\"two\nlines\"".to_string();
        rows[9] = "e0,c2,,participation,Involved,,\"three\nshort\nlines\"".to_string();
        let typo = rows.len() - 7;
        rows[typo] = rows[typo].replace("Substantial", "Substantia");
        let wanted = rows[typo].clone();
        let dir = folder(20, &rows, "\n");
        let report = same_both_ways(dir.path(), false);
        let line = line_of(dir.path(), &wanted);
        assert_eq!(line, typo + 1 + 3);
        assert!(
            report.contains(&format!("s.csv:{line} (column E \"level\")")),
            "{report}"
        );
        assert!(report.contains("\"Substantia\" is not a level"), "{report}");
    }

    #[test]
    fn duplicates_across_the_halves_name_both_lines() {
        let mut rows = ratings(20);
        let first = rows[2].clone();
        rows.push(first.clone());
        let dir = folder(20, &rows, "\n");
        let report = same_both_ways(dir.path(), false);
        assert!(
            report.contains("rated `completion` of milestone `c0.0` twice"),
            "{report}"
        );
        assert!(
            report.contains(&format!("s.csv:{}", rows.len())),
            "{report}"
        );
        assert!(report.contains("s.csv:3"), "{report}");
    }

    #[test]
    fn crlf_line_ends_split_on_the_line_feed() {
        // After a row ending in CR LF the `csv` reader stops before the LF: the second
        // thread starts there, and a mistake after the split is reported as in one go.
        let mut rows = ratings(20);
        let typo = rows.len() - 3;
        rows[typo] = rows[typo].replace("Substantial", "Substantia");
        let dir = folder(20, &rows, "\r\n");
        let report = same_both_ways(dir.path(), false);
        assert!(report.contains("\"Substantia\" is not a level"), "{report}");
    }

    #[test]
    fn evaluators_first_seen_in_the_second_half_and_unknown_ones() {
        // e3 rates only at the end of the file; "zz" is not declared.
        let mut rows = ratings(20);
        let at = rows.len() - 3;
        rows.insert(at, "zz,c4,,relevance,Clear,,".to_string());
        rows.insert(at, "e1,c99,,relevance,Clear,,".to_string());
        let dir = folder(20, &rows, "\n");
        let report = same_both_ways(dir.path(), false);
        assert!(
            report.contains("evaluator \"zz\" is not listed"),
            "{report}"
        );
        assert!(
            report.contains("commitment \"c99\" is not in plan.toml"),
            "{report}"
        );
    }

    #[test]
    fn notes_are_kept_in_file_order() {
        let mut rows = ratings(20);
        for (i, row) in rows.iter_mut().enumerate().skip(1).step_by(7) {
            *row = format!(
                "{}https://example.org/{},comment {}",
                &row[..row.len() - 1],
                i % 5,
                i % 3
            );
        }
        let dir = folder(20, &rows, "\n");
        let report = same_both_ways(dir.path(), true);
        assert!(report.contains("comment 2"), "{report}");
    }

    #[test]
    fn a_pasted_file_in_the_second_half_is_named() {
        let mut rows = ratings(20);
        let at = rows.len() - 20;
        rows.insert(at, format!("\u{feff}{HEADER}"));
        let dir = folder(20, &rows, "\n");
        let report = same_both_ways(dir.path(), false);
        assert!(
            report.contains("two files seem to have been pasted together"),
            "{report}"
        );
    }

    #[test]
    fn a_second_half_full_of_mistakes_is_read_on_by_the_first_thread() {
        // More rows than the second thread keeps for the general path (spaces around the
        // cells send them there): it stops, and the first thread reads the rest.
        let commitments = HOLES / 4;
        let mut rows = ratings(commitments);
        let half = rows.len() / 3;
        for row in rows.iter_mut().skip(half) {
            // The general path reads criterion ids in any case, the short path does not.
            *row = row.replace("completion", "Completion");
        }
        let dir = folder(commitments, &rows, "\n");
        let (one, _) = read(dir.path(), false, None);
        let (two, second) = read(dir.path(), false, Some(0));
        assert!(one == two, "the split read differs");
        assert!(second >= HOLES, "{second}");
    }

    #[test]
    fn unbalanced_quotes_fall_back_to_one_reader() {
        // A quote inside an unquoted cell is text to `csv` but throws the count of quotes off:
        // the first reader does not stop at the split, and reads on alone.
        let mut rows = ratings(20);
        rows[3] = "e0,c0,,participation,Involved,,a 5\" screen".to_string();
        let dir = folder(20, &rows, "\n");
        let (one, _) = read(dir.path(), false, None);
        let (two, _) = read(dir.path(), false, Some(0));
        pretty_assertions::assert_eq!(one, two);
    }

    #[test]
    fn column_letters_match_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a,b,c\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b;c\",d\n"), b',');
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise_header("\u{feff} Evaluator "), "evaluator");
        assert_eq!(normalise_header("group_a/Completion"), "completion");
        assert_eq!(normalise_header("Next Steps"), "next_steps");
    }
}
