//! `--format markdown`: GitHub-flavoured Markdown that pastes cleanly into a report.

use std::fmt::Write as _;

use super::{Doc, Grid, Renderer};

/// Writes the document as Markdown.
#[derive(Debug)]
pub struct MarkdownRenderer;

/// Escapes text for a table cell: pipes, and line breaks as `<br>`.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// A GFM table.
pub fn table(grid: &Grid) -> String {
    let mut s = String::new();
    let cols: Vec<usize> = grid.full_columns().collect();
    let _ = writeln!(
        s,
        "| {} |",
        cols.iter()
            .map(|&i| cell(&grid.columns[i]))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: Vec<&str> = cols
        .iter()
        .map(|&i| if grid.numeric[i] { "---:" } else { "---" })
        .collect();
    let _ = writeln!(s, "|{}|", rule.join("|"));
    for row in &grid.rows {
        let _ = writeln!(
            s,
            "| {} |",
            cols.iter()
                .map(|&i| cell(row.get(i).map_or("", |c| c.text.as_str())))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    s
}

impl Renderer for MarkdownRenderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        let mut s = format!("# {}\n\n", doc.title);
        for (k, v) in &doc.meta {
            let _ = writeln!(s, "- **{k}:** {v}");
        }
        if !doc.meta.is_empty() {
            s.push('\n');
        }
        for sec in &doc.sections {
            if let Some(h) = &sec.heading {
                let _ = writeln!(s, "## {h}\n");
            }
            for p in &sec.text {
                let _ = writeln!(s, "{p}\n");
            }
            if let Some(g) = &sec.grid {
                s.push_str(&table(g));
                s.push('\n');
            }
        }
        for n in &doc.notes {
            let _ = writeln!(s, "_{n}_\n");
        }
        Ok(format!("{}\n", s.trim_end()))
    }
}
