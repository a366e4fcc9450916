//! Output formats. A command describes what it shows as a [`Doc`] — a title, facts, sections of
//! text and tables, and its JSON form — and one [`Renderer`] per format turns it into text:
//! [`table`] for the terminal, [`json`], [`csv`] and [`markdown`].

pub mod csv;
pub mod json;
pub mod markdown;
pub mod table;

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
}

/// How a cell should stand out (colour is only ever a second signal: the text says it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    Good,
    Fair,
    Poor,
    Bad,
    Muted,
    Strong,
}

impl Tone {
    /// The tone of a level at `position` on a scale of `levels` levels (0 = lowest).
    pub fn of_level(position: usize, levels: usize) -> Tone {
        if levels < 2 {
            return Tone::Plain;
        }
        let share = position as f64 / (levels - 1) as f64;
        if share >= 0.99 {
            Tone::Good
        } else if share >= 0.5 {
            Tone::Fair
        } else if share > 0.0 {
            Tone::Poor
        } else {
            Tone::Bad
        }
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub columns: Vec<String>,
    /// Columns holding numbers (right-aligned in tables).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let numeric = vec![false; columns.len()];
        Grid {
            columns,
            numeric,
            rows: Vec::new(),
        }
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

/// The renderer of a document format; `None` for JSON, which commands write from their typed
/// data (see [`render`]). `colour` applies to the terminal table only.
pub fn renderer(format: Format, colour: bool) -> Option<Box<dyn Renderer>> {
    match format {
        Format::Table => Some(Box::new(table::TableRenderer { colour })),
        Format::Json => None,
        Format::Csv => Some(Box::new(csv::CsvRenderer)),
        Format::Markdown => Some(Box::new(markdown::MarkdownRenderer)),
    }
}

/// Renders a command's output: its data as JSON, or its document in the other formats (the
/// document is only built when needed).
pub fn render<T: serde::Serialize + ?Sized>(
    format: Format,
    colour: bool,
    data: &T,
    doc: impl FnOnce() -> Doc,
) -> anyhow::Result<String> {
    match renderer(format, colour) {
        Some(r) => r.render(&doc()),
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

/// A share (0–1) as a percentage.
pub fn percent(share: f64) -> String {
    format!("{}%", number(share * 100.0))
}
