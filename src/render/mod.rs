//! Output formats. A command describes what it shows as a [`Doc`] — a title, facts, sections of
//! text and tables, and its JSON form — and one [`Renderer`] per format turns it into text:
//! [`table`] for the terminal, [`json`], [`csv`] and [`markdown`], and `xlsx` (bytes, through
//! [`workbook`]).

pub mod csv;
pub mod json;
pub mod json_commitment;
pub mod markdown;
pub mod table;
#[cfg(feature = "spreadsheets")]
pub mod xlsx;
#[cfg(feature = "spreadsheets")]
pub mod xlsx_stream;
pub(crate) mod zip_thread;

use clap::ValueEnum;

/// The formats every reporting command offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// Structured data (see docs/json-schema.md).
    Json,
    /// A spreadsheet (formula-like cells are neutralised).
    Csv,
    /// GitHub-flavoured Markdown, to paste into a report.
    Markdown,
    /// An Excel workbook (needs --output FILE): one sheet per table, frozen header, filters,
    /// full titles, level colours, links.
    Xlsx,
}

/// How a cell should stand out (colour is only ever a second signal: the text says it too).
///
/// The five scale tones are one ordered palette, shared with the HTML report
/// ([`crate::report`]'s `--scale-*` colours): the lowest level of any ordinal scale reads as a
/// warning (red/orange end), the highest as good (blue end), the middle as neutral. Statuses
/// that are not a point of the scale (no evidence, withdrawn) are [`Tone::Muted`] (grey).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    /// The highest level of a scale.
    Good,
    /// Above the middle of a scale.
    Fair,
    /// The middle of a scale with an odd number of levels.
    Middle,
    /// Below the middle of a scale (also: something that needs attention).
    Poor,
    /// The lowest level of a scale.
    Bad,
    /// A status that is not a point of the scale, or a missing value.
    Muted,
    Strong,
}

/// The five steps of the ordered palette, lowest first.
pub const SCALE: [Tone; 5] = [Tone::Bad, Tone::Poor, Tone::Middle, Tone::Fair, Tone::Good];

impl Tone {
    /// The tone of a level at `position` on a scale of `levels` levels (0 = lowest).
    pub fn of_level(position: usize, levels: usize) -> Tone {
        SCALE[scale_step(position, levels)]
    }
}

/// The palette step (0–4) of a level at `position` on a scale of `levels` levels: the ends are
/// always the palette's ends, the exact middle is neutral, and the rest fall on either side.
pub fn scale_step(position: usize, levels: usize) -> usize {
    if levels < 2 {
        return 2;
    }
    let position = position.min(levels - 1);
    if position == 0 {
        0
    } else if position == levels - 1 {
        4
    } else if 2 * position == levels - 1 {
        2
    } else if 2 * position < levels - 1 {
        1
    } else {
        3
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone,
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::new(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::new(s)
    }
}

/// A table: named columns and rows of cells.
///
/// For the terminal, a table also says how to fit a narrow screen: which columns go first
/// ([`Grid::drop_first`]), which text may be shortened with "…" ([`Grid::clip`]), and an optional
/// compact column that stands in for dropped ones ([`Grid::compact`]). Other formats show every
/// column in full and never the compact one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub columns: Vec<String>,
    /// Columns holding numbers (right-aligned in tables).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
    /// Per column: 0 is always shown; at narrow widths the highest numbers are dropped first.
    pub priority: Vec<u8>,
    /// Per column: at most this many lines at narrow widths, the last ending in "…".
    pub clip: Vec<Option<usize>>,
    /// The compact column (shown only at narrow widths), the columns it stands for, and what
    /// its marks mean.
    pub compact: Option<Compact>,
}

/// A column that sums up others in a few characters when they do not fit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Compact {
    pub column: usize,
    pub replaces: Vec<usize>,
    /// The legend of the marks, printed under the table when the column is shown.
    pub legend: String,
}

impl Grid {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let numeric = vec![false; columns.len()];
        Grid {
            priority: vec![0; columns.len()],
            clip: vec![None; columns.len()],
            numeric,
            columns,
            rows: Vec::new(),
            compact: None,
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Sets which columns give way at narrow widths: higher numbers go first (0 never goes).
    #[must_use]
    pub fn drop_first(mut self, order: &[(&str, u8)]) -> Self {
        for (name, p) in order {
            if let Some(i) = self.index(name) {
                self.priority[i] = *p;
            }
        }
        self
    }

    /// Lets a column's text be shortened to `lines` lines with "…" at narrow widths.
    #[must_use]
    pub fn clip(mut self, name: &str, lines: usize) -> Self {
        if let Some(i) = self.index(name) {
            self.clip[i] = Some(lines.max(1));
        }
        self
    }

    /// Makes `name` the compact column standing for `replaces` when they do not fit.
    #[must_use]
    pub fn compact(mut self, name: &str, replaces: &[&str], legend: impl Into<String>) -> Self {
        if let Some(column) = self.index(name) {
            self.compact = Some(Compact {
                column,
                replaces: replaces.iter().filter_map(|r| self.index(r)).collect(),
                legend: legend.into(),
            });
        }
        self
    }

    /// The columns shown in full formats (CSV, Markdown, XLSX): all but the compact one.
    pub fn full_columns(&self) -> impl Iterator<Item = usize> + '_ {
        let compact = self.compact.as_ref().map(|c| c.column);
        (0..self.columns.len()).filter(move |i| Some(*i) != compact)
    }

    /// Marks columns as numeric by name.
    #[must_use]
    pub fn numeric(mut self, names: &[&str]) -> Self {
        for (i, c) in self.columns.iter().enumerate() {
            if names.contains(&c.as_str()) {
                self.numeric[i] = true;
            }
        }
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// A part of a document: a heading, paragraphs and an optional table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub heading: Option<String>,
    pub text: Vec<String>,
    pub grid: Option<Grid>,
}

/// Everything a command shows, independent of format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    pub title: String,
    /// Facts shown under the title: (label, value).
    pub meta: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// The table written for `--format csv` (default: the first section's table).
    pub csv: Option<Grid>,
    /// Closing remarks.
    pub notes: Vec<String>,
}

impl Doc {
    /// Whether any text of the document holds a control character.
    fn has_control_characters(&self) -> bool {
        let bad = |s: &str| s.chars().any(crate::text::is_control);
        let grid_bad = |g: &Grid| {
            g.columns.iter().any(|c| bad(c)) || g.rows.iter().flatten().any(|c| bad(&c.text))
        };
        bad(&self.title)
            || self.meta.iter().any(|(k, v)| bad(k) || bad(v))
            || self.sections.iter().any(|s| {
                s.heading.as_deref().is_some_and(bad)
                    || s.text.iter().any(|t| bad(t))
                    || s.grid.as_ref().is_some_and(grid_bad)
            })
            || self.csv.as_ref().is_some_and(grid_bad)
            || self.notes.iter().any(|n| bad(n))
    }

    /// The document with every control character from the inputs escaped, for the terminal
    /// (an escape sequence in a title or comment must not clear the screen or write the
    /// clipboard); colours are added after, by the table renderer.
    #[must_use]
    pub fn for_terminal(mut self) -> Doc {
        use crate::text::make_terminal_safe as clean;
        fn clean_grid(g: &mut Grid) {
            g.columns.iter_mut().for_each(clean);
            for row in &mut g.rows {
                row.iter_mut().for_each(|c| clean(&mut c.text));
            }
        }
        clean(&mut self.title);
        for (k, v) in &mut self.meta {
            clean(k);
            clean(v);
        }
        for section in &mut self.sections {
            if let Some(h) = &mut section.heading {
                clean(h);
            }
            section.text.iter_mut().for_each(clean);
            if let Some(g) = &mut section.grid {
                clean_grid(g);
            }
        }
        if let Some(g) = &mut self.csv {
            clean_grid(g);
        }
        self.notes.iter_mut().for_each(clean);
        self
    }

    /// The table CSV output is made of.
    pub fn csv_grid(&self) -> Option<&Grid> {
        self.csv
            .as_ref()
            .or_else(|| self.sections.iter().find_map(|s| s.grid.as_ref()))
    }
}

/// Turns a document into text in one format.
pub trait Renderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String>;
}

/// How terminal tables are drawn: in colour or not, and how wide (`None`: as wide as the
/// content, for `--wide` and for pipes without `COLUMNS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub colour: bool,
    pub width: Option<usize>,
}

impl Screen {
    /// The screen standard output goes to: colour as `--color`/`NO_COLOR` decide, the width
    /// from `COLUMNS` or the terminal (none when piped without `COLUMNS`, or with `wide`).
    pub fn stdout(colour: bool, wide: bool) -> Screen {
        Screen {
            colour,
            width: if wide { None } else { table::screen_width() },
        }
    }
}

/// The terminal table, drawn from a document whose control characters are escaped first.
struct Terminal(table::TableRenderer);

impl Renderer for Terminal {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        if doc.has_control_characters() {
            self.0.render(&doc.clone().for_terminal())
        } else {
            self.0.render(doc)
        }
    }
}

/// The renderer of a document format; `None` for JSON, which commands write from their typed
/// data (see [`render`]). `screen` applies to the terminal table only.
pub fn renderer(format: Format, screen: Screen) -> Option<Box<dyn Renderer>> {
    match format {
        Format::Table => Some(Box::new(Terminal(table::TableRenderer { screen }))),
        Format::Json => None,
        Format::Csv => Some(Box::new(csv::CsvRenderer)),
        Format::Markdown => Some(Box::new(markdown::MarkdownRenderer)),
        Format::Xlsx => None,
    }
}

/// The workbook of a document (`--format xlsx`).
pub fn workbook(doc: &Doc) -> anyhow::Result<Vec<u8>> {
    workbook_with(doc, &[])
}

/// Hands a table's rows to its callback, in order (see [`Streamed`]).
pub type Rows<'a> =
    dyn Fn(&mut dyn FnMut(&[Cell]) -> anyhow::Result<()>) -> anyhow::Result<()> + 'a;

/// A table too long to hold in a [`Doc`]: its rows are made as they are written, each time
/// they are asked for, so a workbook takes memory for its compressed bytes only. `rows` must
/// give the same rows every time (the workbook reads them once for the column widths, once
/// for the cells and twice for the links).
pub struct Streamed<'a> {
    pub name: String,
    /// The table's columns (its rows are not used).
    pub grid: Grid,
    pub rows: &'a Rows<'a>,
}

impl std::fmt::Debug for Streamed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamed")
            .field("name", &self.name)
            .field("columns", &self.grid.columns)
            .finish_non_exhaustive()
    }
}

/// The workbook of a document followed by tables made as they are written, one sheet each.
pub fn workbook_with(doc: &Doc, streamed: &[Streamed<'_>]) -> anyhow::Result<Vec<u8>> {
    #[cfg(feature = "spreadsheets")]
    {
        xlsx::workbook(doc, streamed)
    }
    #[cfg(not(feature = "spreadsheets"))]
    {
        let _ = (doc, streamed);
        anyhow::bail!(
            "this checkmyogp was built without spreadsheet support (the `spreadsheets` feature); use --format csv"
        )
    }
}

/// Renders a command's output: its data as JSON, or its document in the other formats (the
/// document is only built when needed).
pub fn render<T: serde::Serialize + ?Sized>(
    format: Format,
    screen: Screen,
    data: &T,
    doc: impl FnOnce() -> Doc,
) -> anyhow::Result<String> {
    match renderer(format, screen) {
        Some(r) => r.render(&doc()),
        None if format == Format::Xlsx => {
            anyhow::bail!("a workbook cannot be printed as text; give --output FILE.xlsx")
        }
        None => json::pretty(data),
    }
}

/// A number for people: whole numbers without decimals, others with one.
pub fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A 0–100 score for people: always one decimal, so that scores line up and read alike in a
/// column ("85.0" beside "88.3", never "85").
pub fn score(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// A change of score: signed, one decimal ("+3.3", "-2.0", "0.0").
pub fn score_change(x: f64) -> String {
    let s = score(x);
    if s.starts_with('-') || s == "0.0" {
        s
    } else {
        format!("+{s}")
    }
}

/// A share (0–1) as a percentage with one decimal, for table columns ("0.0%" beside "42.9%").
pub fn share(share: f64) -> String {
    score(share * 100.0) + "%"
}

/// A share (0–1) as a percentage.
pub fn percent(share: f64) -> String {
    format!("{}%", number(share * 100.0))
}

/// How people call an evaluator in headings and column names: "IRM" for the Independent
/// Reporting Mechanism (role `irm`), else the evaluator's id.
pub fn evaluator_label(e: &crate::results::EvaluatorInfo) -> String {
    if e.role == "irm" || e.id.eq_ignore_ascii_case("irm") {
        "IRM".to_string()
    } else {
        e.id.clone()
    }
}
