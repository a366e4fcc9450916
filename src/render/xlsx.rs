//! `--format xlsx --output FILE`: the document as an Excel workbook, one sheet per table. Each
//! sheet has a frozen, bold header row with filters, readable column widths, every text in
//! full (titles are never shortened), numbers as numbers, levels and ratings coloured from the
//! ordered palette (the same as the terminal and the report, [`super::Tone`]) with their label
//! always written, and web addresses as clickable links. Text is always written as text, never
//! as a formula, so a cell starting with `=`, `+`, `-` or `@` stays what it says. Rows are
//! written straight into the compressed file ([`super::xlsx_stream`]): the workbook takes
//! memory for its compressed bytes, on top of the document, not for a copy of its cells.

use std::borrow::Cow;
use std::collections::HashSet;

use anyhow::{Context, Result};

use super::xlsx_stream::{Book, Border, SheetSpec, Style};
use super::{Cell, Doc, Grid, Rows, Streamed, Tone};

/// Excel's longest cell text.
const CELL_MAX: usize = 32_767;
/// Excel's longest web address in a link.
const URL_MAX: usize = 2_079;
/// Excel's row and column limits.
const ROWS_MAX: usize = super::xlsx_stream::ROWS_MAX as usize;
const COLUMNS_MAX: usize = super::xlsx_stream::COLUMNS_MAX as usize;
/// The widest a column is made (characters); longer text wraps.
const WIDTH_MAX: usize = 60;

/// The fill and text colours of a tone (the report's palette, `crate::report::svg::SCALE`).
fn colours(tone: Tone) -> Option<(u32, u32)> {
    match tone {
        Tone::Bad => Some((0xB2182B, 0xFFFFFF)),
        Tone::Poor => Some((0xEF8A62, 0x000000)),
        Tone::Middle => Some((0xF7F7F7, 0x000000)),
        Tone::Fair => Some((0x67A9CF, 0x000000)),
        Tone::Good => Some((0x2166AC, 0xFFFFFF)),
        Tone::Muted => Some((0xEDEDED, 0x404040)),
        Tone::Plain | Tone::Strong => None,
    }
}

/// The tables of a document, each with its sheet name: the document's full table (CSV's) in
/// place of its main table, then the other tables; without a full table, every section's.
fn tables<'a>(doc: &'a Doc) -> Vec<(String, &'a Grid)> {
    let grids: Vec<(Option<&String>, &Grid)> = doc
        .sections
        .iter()
        .filter_map(|s| s.grid.as_ref().map(|g| (s.heading.as_ref(), g)))
        .collect();
    let named = |(i, (h, g)): (usize, (Option<&String>, &'a Grid))| {
        (h.cloned().unwrap_or_else(|| format!("table {}", i + 1)), g)
    };
    match (&doc.csv, grids.first()) {
        // The full table stands in for the main table it details (one without a heading),
        // followed by the other tables.
        (Some(full), None) => vec![("results".to_string(), full)],
        (Some(full), Some((None, _))) => std::iter::once(("results".to_string(), full))
            .chain(grids.into_iter().enumerate().skip(1).map(named))
            .collect(),
        _ => grids.into_iter().enumerate().map(named).collect(),
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not blank, unique.
fn sheet_name(wanted: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    let base: String = if clean.is_empty() {
        "table".to_string()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = 31 - suffix.chars().count();
        name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

/// Text cut to Excel's cell limit.
fn cell_text(text: &str) -> Cow<'_, str> {
    clip_units(text, CELL_MAX)
}

/// How long Excel counts a text: in UTF-16 units, so a character beyond the Basic
/// Multilingual Plane (an emoji, some CJK) counts twice.
pub(crate) fn units(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// `text` as it is if Excel counts it at most `max` long ([`units`]), otherwise cut to end
/// in `…` within `max` (a cell, a drop-down's prompt or error message).
pub(crate) fn clip_units(text: &str, max: usize) -> Cow<'_, str> {
    // No more bytes than the limit means no more UTF-16 units either (each takes at least
    // one byte): most texts stop here.
    if text.len() <= max || units(text) <= max {
        return Cow::Borrowed(text);
    }
    let mut kept = 0;
    let mut s = String::new();
    for c in text.chars() {
        kept += c.len_utf16();
        if kept > max.saturating_sub(1) {
            break;
        }
        s.push(c);
    }
    s.push('…');
    Cow::Owned(s)
}

/// A cell that is one web address (and nothing else) becomes a link.
fn link(text: &str) -> Option<&str> {
    let t = text.trim();
    let web = t.starts_with("https://") || t.starts_with("http://");
    (web && !t.contains(char::is_whitespace) && t.len() <= URL_MAX && t.len() > 8).then_some(t)
}

/// A number cell: plain decimal numbers only (not ids such as `1.10`, which are text).
fn number(text: &str, numeric: bool) -> Option<f64> {
    if !numeric {
        return None;
    }
    let t = text.trim();
    let x: f64 = t.parse().ok()?;
    x.is_finite().then_some(x)
}

/// What a cell becomes in the workbook.
enum Kind<'a> {
    Number(f64),
    Link(&'a str),
    Text,
    /// Empty, but coloured.
    Blank,
    Nothing,
}

fn kind<'a>(cell: &'a Cell, numeric: bool) -> Kind<'a> {
    if let Some(x) = number(&cell.text, numeric) {
        Kind::Number(x)
    } else if let Some(address) = link(&cell.text) {
        Kind::Link(address)
    } else if !cell.text.is_empty() {
        Kind::Text
    } else if cell.tone != Tone::Plain {
        Kind::Blank
    } else {
        Kind::Nothing
    }
}

/// The styles of a table's sheets.
#[derive(Clone, Copy)]
struct Styles {
    header: Style,
    text: Style,
    url: Style,
}

/// The workbook of a document, followed by the tables made as they are written (`streamed`).
pub fn workbook(doc: &Doc, streamed: &[Streamed<'_>]) -> Result<Vec<u8>> {
    let mut book = Book::new();
    let styles = Styles {
        header: Style {
            bold: true,
            fill: Some(0xDDEBF7),
            border: Border::BottomThin,
            wrap: true,
            top: true,
            ..Style::default()
        },
        text: Style {
            top: true,
            wrap: true,
            ..Style::default()
        },
        url: Style {
            top: true,
            color: Some(0x0563C1),
            underline: true,
            ..Style::default()
        },
    };
    let mut taken = HashSet::new();
    let tables = tables(doc);
    if tables.is_empty() && streamed.is_empty() {
        let mut ws = book.sheet(&SheetSpec {
            name: sheet_name(&doc.title, &mut taken),
            selected: true,
            ..SheetSpec::default()
        })?;
        ws.string(0, 0, &cell_text(&doc.title), 0)?;
        ws.close(false)?;
    }
    let held: Vec<(String, &Grid, Box<Rows<'_>>)> = tables
        .into_iter()
        .map(|(name, grid)| {
            let rows: Box<Rows<'_>> = Box::new(move |f| {
                for row in &grid.rows {
                    f(row)?;
                }
                Ok(())
            });
            (name, grid, rows)
        })
        .collect();
    let all = held
        .iter()
        .map(|(name, grid, rows)| (name.as_str(), *grid, &**rows))
        .chain(streamed.iter().map(|s| (s.name.as_str(), &s.grid, s.rows)));
    for (index, (name, grid, rows)) in all.enumerate() {
        let spec = SheetSpec {
            name: sheet_name(name, &mut taken),
            selected: index == 0,
            ..SheetSpec::default()
        };
        table_sheet(&mut book, spec, styles, grid, rows)?;
    }
    book.finish()
}

/// One table's sheet: `grid`'s columns, with the rows `rows` gives (read four times: for the
/// column widths, the cells, and the links' cells and addresses).
fn table_sheet(
    book: &mut Book,
    spec: SheetSpec,
    styles: Styles,
    grid: &Grid,
    rows: &Rows<'_>,
) -> Result<()> {
    let cols: Vec<usize> = grid.full_columns().collect();
    let mut widths: Vec<usize> = cols
        .iter()
        .map(|&i| grid.columns[i].chars().count().clamp(8, WIDTH_MAX))
        .collect();
    let mut count = 0usize;
    rows(&mut |row| {
        count += 1;
        for (c, &i) in cols.iter().enumerate() {
            let longest = row.get(i).map_or(0, |cell| {
                cell.text
                    .lines()
                    .map(|l| l.chars().count())
                    .max()
                    .unwrap_or(0)
            });
            widths[c] = widths[c].max(longest.min(WIDTH_MAX));
        }
        Ok(())
    })?;
    anyhow::ensure!(
        count < ROWS_MAX && cols.len() <= COLUMNS_MAX,
        "the table \"{}\" has more rows or columns than a workbook can hold; use --format csv",
        spec.name
    );
    let widths = widths
        .iter()
        .enumerate()
        .map(|(c, w)| {
            let col = u16::try_from(c).context("too many columns")?;
            Ok((col, (*w as f64 + 2.0).min(WIDTH_MAX as f64 + 2.0)))
        })
        .collect::<Result<Vec<_>>>()?;
    let header = book.style(styles.header);
    let url = book.style(styles.url);
    let mut ws = book.sheet(&SheetSpec {
        widths,
        freeze: (1, 0),
        ..spec
    })?;
    for (c, &i) in cols.iter().enumerate() {
        let col = u16::try_from(c).context("too many columns")?;
        ws.string(0, col, &cell_text(&grid.columns[i]), header)?;
    }
    let blank = Cell::default();
    let mut r = 0usize;
    rows(&mut |row| {
        r += 1;
        let rn = u32::try_from(r).context("too many rows")?;
        for (c, &i) in cols.iter().enumerate() {
            let col = u16::try_from(c).context("too many columns")?;
            let cell = row.get(i).unwrap_or(&blank);
            let mut style = styles.text;
            if let Some((fill, ink)) = colours(cell.tone) {
                style.fill = Some(fill);
                style.color = Some(ink);
            }
            match kind(cell, grid.numeric[i]) {
                Kind::Number(x) => {
                    let s = ws.style(Style {
                        right: true,
                        ..style
                    });
                    ws.number(rn, col, x, s)?;
                }
                Kind::Link(address) => ws.link(rn, col, address, url)?,
                // Always a string: never run as a formula, whatever it starts with.
                Kind::Text => {
                    let s = ws.style(style);
                    ws.string(rn, col, &cell_text(&cell.text), s)?;
                }
                Kind::Blank => {
                    let s = ws.style(style);
                    ws.blank(rn, col, s)?;
                }
                Kind::Nothing => {}
            }
        }
        Ok(())
    })?;
    anyhow::ensure!(r == count, "the rows changed between two passes");
    if !cols.is_empty() {
        let last_row = u32::try_from(count).context("too many rows")?;
        let last_col = u16::try_from(cols.len() - 1).context("too many columns")?;
        ws.autofilter(last_row, last_col)?;
    }
    // The link cells, then their addresses, in the order they were written.
    let mut r = 0u32;
    rows(&mut |row| {
        r += 1;
        for (c, &i) in cols.iter().enumerate() {
            if let Some(Kind::Link(_)) = row.get(i).map(|cell| kind(cell, grid.numeric[i])) {
                // Row and column counts are checked before the sheet is written.
                ws.hyperlink(r, c as u16)?;
            }
        }
        Ok(())
    })?;
    ws.end_hyperlinks()?;
    ws.close(false)?;
    let mut links = book.links();
    rows(&mut |row| {
        for &i in &cols {
            if let Some(Kind::Link(address)) = row.get(i).map(|cell| kind(cell, grid.numeric[i])) {
                links.link(address)?;
            }
        }
        Ok(())
    })?;
    links.close(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_where_excel_counts_utf16_units() {
        assert_eq!(units("a😀é"), 4);
        assert_eq!(clip_units("short", 5), "short");
        assert!(matches!(clip_units("short", 5), Cow::Borrowed(_)));
        // 40,000 emoji are 80,000 units: cut to 16,383 emoji and the ellipsis, 32,767 units.
        let emoji = "😀".repeat(40_000);
        let cut = cell_text(&emoji);
        assert_eq!(units(&cut), CELL_MAX);
        assert_eq!(cut.chars().count(), 16_384);
        assert!(cut.ends_with("😀…"));
        // An emoji is not split where one unit is left before the ellipsis.
        assert_eq!(clip_units("ab😀c", 4), "ab…");
        assert_eq!(clip_units("ab😀c", 5), "ab😀c");
        let plain = "x".repeat(40_000);
        assert_eq!(cell_text(&plain).chars().count(), CELL_MAX);
    }

    #[test]
    fn sheet_names_are_what_excel_accepts_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(sheet_name("By lead agency", &mut taken), "By lead agency");
        assert_eq!(
            sheet_name("by lead agency", &mut taken),
            "by lead agency (2)"
        );
        assert_eq!(sheet_name("a/b: [c]?", &mut taken), "a b   c");
        assert_eq!(sheet_name("", &mut taken), "table");
        let long = sheet_name(&"x".repeat(40), &mut taken);
        assert_eq!(long.chars().count(), 31);
    }

    #[test]
    fn only_whole_web_addresses_become_links_and_only_numeric_columns_numbers() {
        assert_eq!(link(" https://a.example/x "), Some("https://a.example/x"));
        assert_eq!(link("see https://a.example/x"), None);
        assert_eq!(link("javascript:alert(1)"), None);
        assert_eq!(link("file:///etc/passwd"), None);
        assert_eq!(number("78.6", true), Some(78.6));
        assert_eq!(number("1.10", false), None);
        assert_eq!(number("–", true), None);
        assert_eq!(number("NaN", true), None);
    }
}
