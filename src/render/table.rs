//! The terminal format: borderless tables that fit the screen. Words are never split (long
//! text wraps at spaces; only a word wider than the narrowest layout allows, such as a long
//! web address, is cut), titles are shortened after a whole word with "…" when space is short,
//! and at narrow widths the least important columns give way (to a compact marks column when
//! the table has one), with a note saying what was left out and how to see it. This module
//! decides that layout (columns, widths, wrapping); comfy-table draws it. Colour, when on,
//! follows the ordered palette of [`Tone`].

use std::fmt::Write as _;
use std::io::IsTerminal;

use anstyle::{AnsiColor, Effects, Style};
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Width, presets};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Doc, Grid, Renderer, Screen, Tone};

/// Space between columns.
const GAP: usize = 2;
/// The narrowest a shortened (clipped) column is made before columns are dropped.
const CLIP_MIN: usize = 14;
/// Columns at most this wide get their full width first, so that short values stay on one line.
const SHORT: usize = 16;
/// The most lines a row should take: columns are dropped before rows grow taller than this.
const COMFORT: usize = 2;
/// The width a shortened column (a title) should keep before other columns are dropped.
const CLIP_COMFORT: usize = 24;

/// Writes the document for a terminal.
#[derive(Debug)]
pub struct TableRenderer {
    pub screen: Screen,
}

/// The width tables are fitted to: `COLUMNS` when set (as cargo, gh and clap do), else the
/// terminal's width when standard output is a terminal, else none (a pipe: no wrapping).
pub fn screen_width() -> Option<usize> {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0)
    {
        return Some(w.max(20));
    }
    if std::io::stdout().is_terminal() {
        terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(20))
    } else {
        None
    }
}

/// The style of a tone.
pub fn style(tone: Tone) -> Style {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match tone {
        Tone::Plain | Tone::Middle => Style::new(),
        Tone::Good => fg(AnsiColor::BrightBlue),
        Tone::Fair => fg(AnsiColor::Cyan),
        Tone::Poor => fg(AnsiColor::Yellow),
        Tone::Bad => fg(AnsiColor::Red),
        Tone::Muted => fg(AnsiColor::BrightBlack),
        Tone::Strong => Style::new().effects(Effects::BOLD),
    }
}

/// Display width of text (the widest line).
pub fn width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// Display width of a line that may hold colour (ANSI escape sequences take no room).
pub fn visible_width(line: &str) -> usize {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, ended by a letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain.width()
}

/// The widest word of text.
fn widest_word(text: &str) -> usize {
    text.split_whitespace()
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
}

/// Cuts `word` into pieces at most `w` wide (only for a word wider than its whole column):
/// after a `/`, `.`, `-`, `?`, `&` or `=` when one falls in the second half of a piece (a web
/// address breaks between its parts), else at the width.
fn break_word(word: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cw = 0;
    for ch in word.chars() {
        let chw = ch.width().unwrap_or(0);
        if cw + chw > w && !cur.is_empty() {
            let mut cut = cur.len();
            let mut width_before = 0;
            for (i, c) in cur.char_indices() {
                width_before += c.width().unwrap_or(0);
                if "/.-?&=".contains(c) && 2 * width_before >= w {
                    cut = i + c.len_utf8();
                }
            }
            let rest = cur.split_off(cut);
            out.push(std::mem::replace(&mut cur, rest));
            cw = cur.width();
        }
        cur.push(ch);
        cw += chw;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Wraps text at spaces to lines at most `w` wide (line breaks in the text are kept). A word
/// wider than `w` (a long web address) stays whole on a line of its own, to be copied intact.
pub fn wrap_para(text: &str, w: usize) -> Vec<String> {
    wrap_with(text, w, false)
}

/// Wraps a table cell: like [`wrap_para`], but a word wider than the whole column is cut (only
/// when the narrowest layout does not fit the screen).
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_with(text, w, true)
}

fn wrap_with(text: &str, w: usize, cut: bool) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut lw = 0;
        for word in para.split_whitespace() {
            let ww = word.width();
            if lw > 0 && lw + 1 + ww <= w {
                line.push(' ');
                line.push_str(word);
                lw += 1 + ww;
                continue;
            }
            if lw > 0 {
                lines.push(std::mem::take(&mut line));
            }
            if ww <= w || !cut {
                line.push_str(word);
                lw = ww;
            } else {
                let mut pieces = break_word(word, w);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                lw = last.width();
                line = last;
            }
        }
        lines.push(line);
    }
    lines
}

/// Shortens wrapped lines to `max` lines, the last ending in "…" after its last whole word
/// that leaves room for it (cut inside a word only when the line is a single word).
fn clip_lines(mut lines: Vec<String>, max: usize, w: usize) -> Vec<String> {
    if lines.len() <= max {
        return lines;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        let mut words: Vec<&str> = last.split(' ').collect();
        while words.len() > 1 && words.join(" ").width() + 1 > w {
            words.pop();
        }
        let kept = words.join(" ");
        if kept.width() < w {
            *last = format!("{}…", kept.trim_end());
            return lines;
        }
        let mut cut = String::new();
        let mut cw = 0;
        for ch in last.chars() {
            let chw = ch.width().unwrap_or(0);
            if cw + chw + 1 > w {
                break;
            }
            cut.push(ch);
            cw += chw;
        }
        *last = format!("{}…", cut.trim_end());
    }
    lines
}

/// Which columns are shown, and how wide.
#[derive(Debug, PartialEq, Eq)]
struct Layout {
    shown: Vec<usize>,
    widths: Vec<usize>,
    /// Whether clipped columns may be shortened (the table is narrower than its content).
    tight: bool,
}

/// Natural (content) width of each column, header included.
fn natural(grid: &Grid) -> Vec<usize> {
    (0..grid.columns.len())
        .map(|i| {
            grid.rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| width(&c.text)))
                .max()
                .unwrap_or(0)
                .max(width(&grid.columns[i]))
        })
        .collect()
}

/// The narrowest each column can be without splitting a word (or, for a clipped column, a
/// useful width).
fn minimum(grid: &Grid, natural: &[usize]) -> Vec<usize> {
    (0..grid.columns.len())
        .map(|i| {
            let header = widest_word(&grid.columns[i]);
            if grid.numeric[i] {
                // Numbers stay whole; a long header may wrap at its spaces.
                return grid
                    .rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| width(&c.text)))
                    .max()
                    .unwrap_or(0)
                    .max(header);
            }
            if grid.clip[i].is_some() {
                return natural[i].min(CLIP_MIN.max(header));
            }
            grid.rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| widest_word(&c.text)))
                .max()
                .unwrap_or(0)
                .max(header)
        })
        .collect()
}

/// Whether a column that may give way (or the compact column) is empty in every row: at
/// narrow widths it is left out first, and not mentioned, as there is nothing to see.
fn blank(grid: &Grid, i: usize) -> bool {
    let may_go = grid.priority[i] > 0 || grid.compact.as_ref().is_some_and(|c| c.column == i);
    may_go
        && !grid.rows.is_empty()
        && grid
            .rows
            .iter()
            .all(|r| r.get(i).is_none_or(|c| c.text.trim().is_empty()))
}

/// The sets of columns to try, from all of them to the fewest: first without the blank
/// columns, then dropping columns by priority (highest first); when a dropped column is one
/// the compact column stands for, all of those give way to it.
fn candidates(grid: &Grid) -> Vec<Vec<usize>> {
    let all = by_priority(grid);
    let mut out = vec![all[0].clone()];
    for c in all {
        let c: Vec<usize> = c.into_iter().filter(|&i| !blank(grid, i)).collect();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn by_priority(grid: &Grid) -> Vec<Vec<usize>> {
    let compact = grid.compact.as_ref();
    let base: Vec<usize> = grid.full_columns().collect();
    let mut out = vec![base.clone()];
    let mut levels: Vec<u8> = grid.priority.iter().copied().filter(|&p| p > 0).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut dropped: Vec<usize> = Vec::new();
    for p in levels.into_iter().rev() {
        dropped.extend(base.iter().copied().filter(|&i| grid.priority[i] == p));
        let use_compact = compact.is_some_and(|c| c.replaces.iter().any(|r| dropped.contains(r)));
        let mut shown: Vec<usize> = base
            .iter()
            .copied()
            .filter(|i| !dropped.contains(i))
            .filter(|i| !(use_compact && compact.is_some_and(|c| c.replaces.contains(i))))
            .collect();
        if use_compact && let Some(c) = compact {
            // In the place of the first column it stands for.
            let at = c
                .replaces
                .iter()
                .filter_map(|r| base.iter().position(|b| b == r))
                .min()
                .map_or(shown.len(), |first| {
                    shown
                        .iter()
                        .filter(|&&s| base.iter().position(|b| *b == s) < Some(first))
                        .count()
                });
            shown.insert(at, c.column);
        }
        out.push(shown);
    }
    out
}

fn layout(grid: &Grid, screen: Option<usize>) -> Layout {
    let nat = natural(grid);
    let min = minimum(grid, &nat);
    let all = candidates(grid);
    let total = |cols: &[usize], w: &[usize]| -> usize {
        cols.iter().map(|&i| w[i]).sum::<usize>() + GAP * cols.len().saturating_sub(1)
    };
    let Some(screen) = screen else {
        let shown = all[0].clone();
        let widths = shown.iter().map(|&i| nat[i]).collect();
        return Layout {
            shown,
            widths,
            tight: false,
        };
    };
    // The full table at its natural width, else the first set of columns whose narrowest
    // layout fits, else the fewest columns.
    if total(&all[0], &nat) <= screen {
        let shown = all[0].clone();
        let widths = shown.iter().map(|&i| nat[i]).collect();
        return Layout {
            shown,
            widths,
            tight: false,
        };
    }
    // The first set of columns where no row needs more than COMFORT lines, else the first
    // that fits at all, else the fewest columns.
    let fitting: Vec<&Vec<usize>> = all.iter().filter(|c| total(c, &min) <= screen).collect();
    let chosen = fitting
        .iter()
        .map(|cols| spread(grid, cols, &nat, &min, screen))
        .find(|l| height(grid, l) <= COMFORT && titles_readable(grid, l, &nat))
        .or_else(|| {
            fitting
                .first()
                .map(|cols| spread(grid, cols, &nat, &min, screen))
        });
    chosen.unwrap_or_else(|| {
        let last = all.last().unwrap_or(&all[0]);
        let mut lay = spread(grid, last, &nat, &min, screen);
        squeeze(&mut lay, screen);
        lay
    })
}

/// The narrowest a column is squeezed to when even the narrowest layout is too wide.
const SQUEEZE_MIN: usize = 8;

/// Narrows the widest columns, one character at a time, until the table fits the screen (or
/// every column is down to [`SQUEEZE_MIN`]): a word wider than its column (usually a web
/// address) is then cut, rather than pushing the columns after it off the screen.
fn squeeze(lay: &mut Layout, screen: usize) {
    let gaps = GAP * lay.widths.len().saturating_sub(1);
    while lay.widths.iter().sum::<usize>() + gaps > screen {
        let Some(widest) = (0..lay.widths.len()).max_by_key(|&k| (lay.widths[k], k)) else {
            return;
        };
        if lay.widths[widest] <= SQUEEZE_MIN {
            return;
        }
        lay.widths[widest] -= 1;
    }
}

/// Whether the shortened (clipped) columns of a layout keep enough room to be read.
fn titles_readable(grid: &Grid, lay: &Layout, nat: &[usize]) -> bool {
    lay.shown
        .iter()
        .zip(&lay.widths)
        .all(|(&i, &w)| grid.clip[i].is_none() || w >= nat[i].min(CLIP_COMFORT))
}

/// The tallest row of a layout, in lines (clipped columns counted clipped).
fn height(grid: &Grid, lay: &Layout) -> usize {
    grid.rows
        .iter()
        .map(|r| {
            lay.shown
                .iter()
                .zip(&lay.widths)
                .map(|(&i, &w)| {
                    let n = r.get(i).map_or(1, |c| wrap(&c.text, w).len());
                    grid.clip[i].map_or(n, |max| n.min(max))
                })
                .max()
                .unwrap_or(1)
        })
        .max()
        .unwrap_or(1)
}

/// Widths for `shown` on a screen `screen` wide: each column's minimum, then short columns in
/// full, then the rest shared in proportion to what each still lacks.
fn spread(grid: &Grid, shown: &[usize], nat: &[usize], min: &[usize], screen: usize) -> Layout {
    let shown = shown.to_vec();
    let used = shown.iter().map(|&i| min[i]).sum::<usize>() + GAP * shown.len().saturating_sub(1);
    let mut widths: Vec<usize> = shown.iter().map(|&i| min[i]).collect();
    let mut spare = screen.saturating_sub(used);
    // Short columns first get their full width, in order of importance.
    let mut order: Vec<usize> = (0..shown.len()).collect();
    order.sort_by_key(|&k| (grid.priority[shown[k]], k));
    for &k in &order {
        let i = shown[k];
        if nat[i] <= SHORT {
            let need = nat[i] - widths[k];
            let give = need.min(spare);
            widths[k] += give;
            spare -= give;
        }
    }
    // The rest is shared in proportion to what each column still lacks.
    let lack: Vec<usize> = shown
        .iter()
        .zip(&widths)
        .map(|(&i, &w)| nat[i].saturating_sub(w))
        .collect();
    let lacking: usize = lack.iter().sum();
    if lacking > 0 && spare > 0 {
        let share = spare.min(lacking);
        let mut given = 0;
        for (k, l) in lack.iter().enumerate() {
            let g = l * share / lacking;
            widths[k] += g;
            given += g;
        }
        let mut left = share - given;
        for (k, l) in lack.iter().enumerate() {
            if left == 0 {
                break;
            }
            if widths[k] < nat[shown[k]] && *l > 0 {
                widths[k] += 1;
                left -= 1;
            }
        }
    }
    Layout {
        shown,
        widths,
        tight: true,
    }
}

/// How many rows comfy-table draws at once.
const ROWS_PER_DRAWING: usize = 512;

/// A cell as drawn: its lines (already wrapped to the column's width) and its tone.
type DrawnCell = (Vec<String>, Tone);

impl TableRenderer {
    /// Draws cells already laid out (shown columns, their widths, wrapped lines) with
    /// comfy-table: no borders, columns `GAP` apart, numbers right-aligned, the header
    /// underlined by a row of rules as wide as each column. Colour is added afterwards to each
    /// cell's text (comfy-table's own styling needs its terminal back end), so a coloured
    /// table has the same layout as a plain one.
    fn draw(
        &self,
        header: &[DrawnCell],
        rows: &[Vec<DrawnCell>],
        widths: &[usize],
        right: &[bool],
    ) -> String {
        if widths.is_empty() {
            return String::new();
        }
        let cell = |lines: &[String]| comfy_table::Cell::new(lines.join("\n"));
        let last = widths.len() - 1;
        let table = || {
            let mut t = comfy_table::Table::new();
            t.load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled);
            t
        };
        let shape = |t: &mut comfy_table::Table| {
            for (k, col) in t.column_iter_mut().enumerate() {
                let gap = if k == last { 0 } else { GAP };
                let w = widths.get(k).copied().unwrap_or(1) + gap;
                col.set_padding((0, u16::try_from(gap).unwrap_or(0)));
                col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                    u16::try_from(w).unwrap_or(u16::MAX),
                )));
                if right.get(k).copied().unwrap_or(false) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
        };
        let mut out = String::new();
        // Each printed line, with the cells it shows and which of their lines (None: the rules).
        let mut emit =
            |t: &comfy_table::Table, blocks: &mut dyn Iterator<Item = Option<&[DrawnCell]>>| {
                let mut at: Vec<(Option<&[DrawnCell]>, usize)> = Vec::new();
                for cells in blocks {
                    let height =
                        cells.map_or(1, |c| c.iter().map(|x| x.0.len()).max().unwrap_or(1));
                    at.extend((0..height.max(1)).map(|l| (cells, l)));
                }
                for (k, line) in t.lines().enumerate() {
                    let painted = match at.get(k) {
                        Some((Some(cells), l)) if self.screen.colour => {
                            self.paint_line(&line, cells, *l, widths, right)
                        }
                        _ => None,
                    };
                    out.push_str(painted.as_deref().unwrap_or(&line).trim_end());
                    out.push('\n');
                }
            };
        // The header and its rules, then the rows a batch at a time: the columns' widths are
        // fixed, so each batch is drawn as it would be in one table, and comfy-table never
        // holds more than a batch of a long table.
        let mut t = table();
        t.set_header(header.iter().map(|(lines, _)| cell(lines)))
            .add_row(widths.iter().map(|&w| "─".repeat(w)));
        shape(&mut t);
        emit(&t, &mut [Some(header), None].into_iter());
        for batch in rows.chunks(ROWS_PER_DRAWING) {
            let mut t = table();
            for row in batch {
                t.add_row(row.iter().map(|(lines, _)| cell(lines)));
            }
            shape(&mut t);
            emit(&t, &mut batch.iter().map(|r| Some(r.as_slice())));
        }
        out
    }

    /// Colours the text of each cell in a line drawn by [`Self::draw`], leaving the spaces
    /// around it plain (`None` if the line is not laid out as expected: it is then left plain).
    fn paint_line(
        &self,
        line: &str,
        cells: &[DrawnCell],
        l: usize,
        widths: &[usize],
        right: &[bool],
    ) -> Option<String> {
        let mut out = String::with_capacity(line.len() + 16 * cells.len());
        let mut rest = line;
        let spaces = |rest: &mut &str, out: &mut String, n: usize| -> Option<()> {
            let (sp, after) = (rest.get(..n)?, rest.get(n..)?);
            if !sp.bytes().all(|b| b == b' ') {
                return None;
            }
            out.push_str(sp);
            *rest = after;
            Some(())
        };
        for (k, (lines, tone)) in cells.iter().enumerate() {
            let text = lines.get(l).map_or("", String::as_str);
            let pad = widths.get(k)?.saturating_sub(text.width());
            let gap = if k + 1 == cells.len() { 0 } else { GAP };
            let (before, after) = if right.get(k).copied().unwrap_or(false) {
                (pad, gap)
            } else {
                (0, pad + gap)
            };
            spaces(&mut rest, &mut out, before)?;
            rest = rest.strip_prefix(text)?;
            out.push_str(&self.paint(text, *tone));
            spaces(&mut rest, &mut out, after)?;
        }
        rest.is_empty().then_some(out)
    }

    fn paint(&self, text: &str, tone: Tone) -> String {
        if self.screen.colour && tone != Tone::Plain && !text.is_empty() {
            let s = style(tone);
            format!("{s}{text}{s:#}")
        } else {
            text.to_string()
        }
    }

    /// A grid as text, and the note saying what it left out (if anything). Our layout decides
    /// which columns are shown, how wide, and how each cell wraps or is shortened; comfy-table
    /// draws the cells it is given (already wrapped, so it never splits a word).
    pub fn table(&self, grid: &Grid) -> (String, Option<String>) {
        let lay = layout(grid, self.screen.width);
        let header: Vec<DrawnCell> = lay
            .shown
            .iter()
            .zip(&lay.widths)
            .map(|(&i, &w)| (wrap(&grid.columns[i], w), Tone::Strong))
            .collect();
        let rows: Vec<Vec<DrawnCell>> = grid
            .rows
            .iter()
            .map(|row| {
                lay.shown
                    .iter()
                    .zip(&lay.widths)
                    .map(|(&i, &w)| {
                        let cell = row.get(i).cloned().unwrap_or_default();
                        let mut lines = wrap(&cell.text, w);
                        if lay.tight
                            && let Some(max) = grid.clip[i]
                        {
                            lines = clip_lines(lines, max, w);
                        }
                        (lines, cell.tone)
                    })
                    .collect()
            })
            .collect();
        let right: Vec<bool> = lay.shown.iter().map(|&i| grid.numeric[i]).collect();
        let out = self.draw(&header, &rows, &lay.widths, &right);
        let hidden: Vec<&str> = grid
            .full_columns()
            .filter(|i| !lay.shown.contains(i) && !blank(grid, *i))
            .map(|i| grid.columns[i].as_str())
            .collect();
        let mut note = Vec::new();
        if let Some(c) = &grid.compact
            && lay.shown.contains(&c.column)
        {
            note.push(format!("{}: {}.", grid.columns[c.column], c.legend));
        }
        let clipped = lay.tight && grid.clip.iter().any(Option::is_some);
        if !hidden.is_empty() {
            note.push(format!(
                "Not shown at {} columns: {}. Add --wide to see every column in full.",
                self.screen.width.unwrap_or(0),
                hidden.join(", ")
            ));
        } else if clipped
            && grid.rows.iter().any(|r| {
                lay.shown
                    .iter()
                    .zip(&lay.widths)
                    .any(|(&i, &w)| grid.clip[i].is_some_and(|max| wrap(&r[i].text, w).len() > max))
            })
        {
            note.push(
                "Long titles are shortened with \"…\": add --wide to see them in full.".into(),
            );
        }
        (out, (!note.is_empty()).then(|| note.join(" ")))
    }

    /// A paragraph wrapped to the screen.
    fn para(&self, text: &str) -> String {
        match self.screen.width {
            Some(w) => wrap_para(text, w).join("\n"),
            None => text.to_string(),
        }
    }
}

impl Renderer for TableRenderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        let bold = |t: &str| self.paint(t, Tone::Strong);
        let mut s = format!("{}\n", bold(&self.para(&doc.title)));
        for (k, v) in &doc.meta {
            let text = match self.screen.width {
                Some(w) => {
                    let lines = wrap_para(&format!("{k}: {v}"), w.saturating_sub(4).max(10));
                    lines.join("\n    ")
                }
                None => format!("{k}: {v}"),
            };
            let _ = writeln!(s, "  {text}");
        }
        for sec in &doc.sections {
            s.push('\n');
            if let Some(h) = &sec.heading {
                let _ = writeln!(s, "{}", bold(&self.para(h)));
            }
            for p in &sec.text {
                let _ = writeln!(s, "{}", self.para(p));
            }
            if let Some(g) = &sec.grid {
                let (table, note) = self.table(g);
                s.push_str(&table);
                if let Some(n) = note {
                    let _ = writeln!(s, "{}", self.paint(&self.para(&n), Tone::Muted));
                }
            }
        }
        if !doc.notes.is_empty() {
            s.push('\n');
            for n in &doc.notes {
                let _ = writeln!(s, "{}", self.para(n));
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Cell;

    #[test]
    fn words_wrap_at_spaces_and_are_cut_only_when_too_long() {
        assert_eq!(wrap("Not started yet", 11), ["Not started", "yet"]);
        assert_eq!(wrap("Substantial", 11), ["Substantial"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(
            wrap("https://www.facebook.com/CheckMyService", 30),
            ["https://www.facebook.com/", "CheckMyService"]
        );
        assert_eq!(wrap("a\nb c", 10), ["a", "b c"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(visible_width("\u{1b}[90mNo evidence\u{1b}[0m  –"), 14);
    }

    #[test]
    fn clipped_lines_end_in_an_ellipsis_within_the_width() {
        let lines = clip_lines(wrap("one two three four five six", 9), 2, 9);
        assert_eq!(lines, ["one two", "three…"]);
        // The last whole word that leaves room for "…", never part of a word.
        let lines = clip_lines(
            wrap("Government 11-11 Center to receive citizen", 34),
            1,
            34,
        );
        assert_eq!(lines, ["Government 11-11 Center to…"]);
        let lines = clip_lines(vec!["abcdefghij".into(), "k".into()], 1, 6);
        assert_eq!(lines, ["abcde…"]);
        assert!(lines.iter().all(|l| l.width() <= 9));
    }

    #[test]
    fn palette_steps_put_the_ends_at_the_ends_and_the_middle_in_the_middle() {
        let steps = |n: usize| {
            (0..n)
                .map(|p| crate::render::scale_step(p, n))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(2), [0, 4]);
        assert_eq!(steps(3), [0, 2, 4]);
        assert_eq!(steps(4), [0, 1, 3, 4]);
        assert_eq!(steps(5), [0, 1, 2, 3, 4]);
        assert_eq!(steps(6), [0, 1, 1, 3, 3, 4]);
        assert_eq!(steps(1), [2]);
    }

    fn grid() -> Grid {
        let mut g = Grid::new(["id", "commitment", "rating", "flags", "marks"])
            .drop_first(&[("flags", 1)])
            .clip("commitment", 2)
            .compact("marks", &["flags"], "★ model");
        g.push(vec![
            Cell::new("1"),
            Cell::new("A rather long commitment title that goes on and on"),
            Cell::new("On track"),
            Cell::new("high-completion, ★ model"),
            Cell::new("★"),
        ]);
        g
    }

    #[test]
    fn a_table_that_fits_shows_every_full_column_and_not_the_compact_one() {
        let r = TableRenderer {
            screen: Screen {
                colour: false,
                width: None,
            },
        };
        let (text, note) = r.table(&grid());
        assert_eq!(
            text,
            "id  commitment                                          rating    flags\n\
             ──  ──────────────────────────────────────────────────  ────────  ────────────────────────\n\
             1   A rather long commitment title that goes on and on  On track  high-completion, ★ model\n"
        );
        assert_eq!(note, None);
    }

    #[test]
    fn a_narrow_table_drops_columns_for_the_compact_one_and_says_so() {
        let r = TableRenderer {
            screen: Screen {
                colour: false,
                width: Some(40),
            },
        };
        let (text, note) = r.table(&grid());
        assert_eq!(
            text,
            "id  commitment           rating    marks\n\
             ──  ───────────────────  ────────  ─────\n\
             1   A rather long        On track  ★\n    commitment title…\n"
        );
        assert!(text.lines().all(|l| l.width() <= 40), "{text}");
        assert_eq!(
            note.as_deref(),
            Some(
                "marks: ★ model. Not shown at 40 columns: flags. Add --wide to see every column in full."
            )
        );
    }

    #[test]
    fn blank_columns_go_first_and_unmentioned_and_a_table_too_wide_is_squeezed() {
        let mut g = Grid::new(["who", "evidence", "flags", "marks"])
            .drop_first(&[("flags", 1)])
            .compact("marks", &["flags"], "★ model");
        g.push(vec![
            Cell::new("irm"),
            Cell::new("https://opengovpartnership.org/members/estonia/commitments/ee0054"),
            Cell::new(""),
            Cell::new(""),
        ]);
        let r = TableRenderer {
            screen: Screen {
                colour: false,
                width: Some(40),
            },
        };
        let (text, note) = r.table(&g);
        assert_eq!(
            text,
            "who  evidence\n\
             ───  ───────────────────────────────────\n\
             irm  https://opengovpartnership.org/\n     members/estonia/commitments/ee0054\n"
        );
        assert_eq!(note, None);
    }

    #[test]
    fn colour_paints_each_cell_text_and_keeps_the_layout() {
        let mut g = Grid::new(["id", "rating", "score"]).numeric(&["score"]);
        g.push(vec![
            Cell::new("1"),
            Cell::toned("On track", Tone::Good),
            Cell::new("78.6"),
        ]);
        g.push(vec![
            Cell::new("12"),
            Cell::toned("Off track", Tone::Bad),
            Cell::toned("5.0", Tone::Muted),
        ]);
        let render = |colour| {
            TableRenderer {
                screen: Screen {
                    colour,
                    width: None,
                },
            }
            .table(&g)
            .0
        };
        assert_eq!(
            render(false),
            "id  rating     score\n\
             ──  ─────────  ─────\n\
             1   On track    78.6\n\
             12  Off track    5.0\n"
        );
        assert_eq!(
            render(true),
            "\u{1b}[1mid\u{1b}[0m  \u{1b}[1mrating\u{1b}[0m     \u{1b}[1mscore\u{1b}[0m\n\
             ──  ─────────  ─────\n\
             1   \u{1b}[94mOn track\u{1b}[0m    78.6\n\
             12  \u{1b}[31mOff track\u{1b}[0m    \u{1b}[90m5.0\u{1b}[0m\n"
        );
    }
}
