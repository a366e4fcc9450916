//! The terminal format: comfy-table tables that fit the terminal's width, with colour when
//! colour is on.

use std::fmt::Write as _;

use comfy_table::{Attribute, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{Doc, Grid, Renderer, Tone};

/// Writes the document for a terminal.
#[derive(Debug)]
pub struct TableRenderer {
    pub colour: bool,
}

fn width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&w| w >= 40)
}

impl TableRenderer {
    /// A grid as a comfy table.
    pub fn table(&self, grid: &Grid) -> Table {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(w) = width() {
            t.set_width(w);
        }
        if self.colour {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t.set_header(grid.columns.iter().map(|c| {
            let cell = comfy_table::Cell::new(c);
            if self.colour {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for row in &grid.rows {
            t.add_row(row.iter().enumerate().map(|(i, c)| {
                let mut cell = comfy_table::Cell::new(&c.text);
                if grid.numeric.get(i).copied().unwrap_or(false) {
                    cell = cell.set_alignment(CellAlignment::Right);
                }
                if self.colour {
                    cell = match c.tone {
                        Tone::Plain => cell,
                        Tone::Good => cell.fg(Color::Green),
                        Tone::Fair => cell.fg(Color::Cyan),
                        Tone::Poor => cell.fg(Color::Yellow),
                        Tone::Bad => cell.fg(Color::Red),
                        Tone::Muted => cell.fg(Color::DarkGrey),
                        Tone::Strong => cell.add_attribute(Attribute::Bold),
                    };
                }
                cell
            }));
        }
        t
    }
}

impl Renderer for TableRenderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        let bold = if self.colour {
            ("\u{1b}[1m", "\u{1b}[0m")
        } else {
            ("", "")
        };
        let mut s = format!("{}{}{}\n", bold.0, doc.title, bold.1);
        for (k, v) in &doc.meta {
            let _ = writeln!(s, "  {k}: {v}");
        }
        for sec in &doc.sections {
            s.push('\n');
            if let Some(h) = &sec.heading {
                let _ = writeln!(s, "{}{h}{}", bold.0, bold.1);
            }
            for p in &sec.text {
                let _ = writeln!(s, "{p}");
            }
            if let Some(g) = &sec.grid {
                let _ = writeln!(s, "{}", self.table(g));
            }
        }
        if !doc.notes.is_empty() {
            s.push('\n');
            for n in &doc.notes {
                let _ = writeln!(s, "{n}");
            }
        }
        Ok(s)
    }
}
