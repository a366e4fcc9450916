//! `--format markdown`: GitHub-flavoured Markdown that pastes cleanly into a report.

use std::fmt::Write as _;

use super::{Doc, Grid, Renderer};

/// Writes the document as Markdown.
#[derive(Debug)]
pub struct MarkdownRenderer;

/// Escapes text from the document so that it shows as written and is never markup: every
/// character Markdown or HTML could read as syntax (emphasis, code, links and images, raw
/// HTML such as `<img onerror=…>`, entities, tables) gets a backslash, and line breaks become
/// spaces, so a title cannot start a `## section` of its own. No text of a document is
/// Markdown (docs/formats.md says which fields are plain text), so no link, `javascript:`
/// or other, can come from the inputs.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a paragraph: as [`inline`], and what would start a block at the start of the
/// paragraph (a list item, a numbered item, a heading underline) is escaped too.
fn paragraph(text: &str) -> String {
    let text = inline(text.trim_start());
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let starts_block = text.starts_with(['-', '+', '=', ' '])
        || (digits > 0 && {
            let rest = &text[digits..];
            rest.starts_with(['.', ')']) && (rest.len() == 1 || rest[1..].starts_with(' '))
        });
    match starts_block {
        true if digits > 0 => format!("{}\\{}", &text[..digits], &text[digits..]),
        true => format!("\\{text}"),
        false => text,
    }
}

/// Escapes text for a table cell: as [`inline`], with line breaks kept as `<br>`.
pub fn cell(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(inline)
        .collect::<Vec<_>>()
        .join("<br>")
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
        let mut s = format!("# {}\n\n", inline(&doc.title));
        for (k, v) in &doc.meta {
            let _ = writeln!(s, "- **{}:** {}", inline(k), inline(v));
        }
        if !doc.meta.is_empty() {
            s.push('\n');
        }
        for sec in &doc.sections {
            if let Some(h) = &sec.heading {
                let _ = writeln!(s, "## {}\n", inline(h));
            }
            for p in &sec.text {
                let _ = writeln!(s, "{}\n", paragraph(p));
            }
            if let Some(g) = &sec.grid {
                s.push_str(&table(g));
                s.push('\n');
            }
        }
        for n in &doc.notes {
            let _ = writeln!(s, "_{}_\n", inline(n));
        }
        Ok(format!("{}\n", s.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_inputs_is_never_markup() {
        assert_eq!(
            inline("[click me](javascript:alert(1))"),
            "\\[click me\\](javascript:alert(1))"
        );
        assert_eq!(
            inline("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(
            inline("Title\n## Fake section"),
            "Title \\#\\# Fake section"
        );
        assert_eq!(
            inline("a *b* `c` ~~d~~ &lt;"),
            "a \\*b\\* \\`c\\` \\~\\~d\\~\\~ \\&lt;"
        );
        assert_eq!(paragraph("- not a list"), "\\- not a list");
        assert_eq!(paragraph("12. not a list"), "12\\. not a list");
        assert_eq!(paragraph("12.5 falls in a band"), "12.5 falls in a band");
        assert_eq!(
            cell("a|b\r\n<details ontoggle=x>"),
            "a\\|b<br>\\<details ontoggle=x\\>"
        );
    }
}
