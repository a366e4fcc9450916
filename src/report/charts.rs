//! The report's charts, each a [`Chart`] with its title, text alternative and data table:
//! bars (completion, ratings), the ambition × completion quadrant, the evaluators × commitments
//! heat map, alpha per criterion with its interval, the coalition's rating beside a reference
//! evaluator's, and a commitment's milestone timeline.
//!
//! Nothing is told by colour alone: every bar, cell and mark carries its label or count as
//! text, "no evidence" is hatched, and markers differ in shape as well as colour.

use super::agreement::{AlphaRow, fmt_alpha};
use super::html::truncate;
use super::svg::{
    BLUE, Chart, DataTable, Draw, INK, MUTED, NONE_FILL, VERMILLION, category_fill, level_fill, n,
    text_on, text_width,
};
use crate::render::percent;

/// How an area is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Level `i` of `n` of an ordered scale.
    Level(usize, usize),
    /// Category `i` of an unordered scale.
    Category(usize),
    /// No evidence / not rated: hatched.
    None,
}

impl Fill {
    /// The solid colour (what text on it is measured against).
    fn colour(self) -> String {
        match self {
            Fill::Level(i, n) => level_fill(i, n),
            Fill::Category(i) => category_fill(i).to_string(),
            Fill::None => NONE_FILL.to_string(),
        }
    }

    /// The `fill` attribute value.
    fn paint(self, chart: &str) -> String {
        match self {
            Fill::None => Chart::hatch(chart),
            other => other.colour(),
        }
    }
}

fn share_text(count: usize, total: usize) -> String {
    if total == 0 {
        "–".into()
    } else {
        percent(count as f64 / total as f64)
    }
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) count: usize,
    pub(crate) fill: Fill,
}

/// A horizontal bar chart of commitments per category, with counts and shares written beside
/// the bars; `footer` is a line of text under the bars (and in the text alternative).
pub(crate) fn bars(
    name: &str,
    title: &str,
    what: &str,
    bars: &[Bar],
    total: usize,
    footer: Option<&str>,
) -> Chart {
    let size = 12.0;
    let longest = bars
        .iter()
        .map(|b| text_width(&b.label, size))
        .fold(0.0, f64::max);
    let lw = (longest + 16.0).clamp(90.0, 220.0);
    let max_chars = ((lw - 16.0) / (size * 0.58)) as usize;
    let bw = 380.0;
    let row = 30.0;
    let top = 10.0;
    let width =
        (lw + bw + 110.0).max(lw + footer.map_or(0.0, |f| text_width(f, size) * 1.08) + 12.0);
    let mut height = top + row * bars.len() as f64 + 10.0;
    if footer.is_some() {
        height += 26.0;
    }
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let mut d = Draw::default();
    d.line(
        lw,
        top - 4.0,
        lw,
        top + row * bars.len() as f64,
        &format!("stroke=\"{INK}\""),
    );
    let mut table = DataTable::new([what, "commitments", "share"]);
    let mut parts = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let share = share_text(b.count, total);
        d.raw(&format!(
            "<g><title>{}</title>\n",
            super::html::esc(&format!("{}: {} ({share})", b.label, b.count))
        ));
        let shown = truncate(&b.label, max_chars);
        d.text_full(lw - 8.0, y + 19.0, "end", "", &shown, &b.label);
        let w = if max == 0 {
            0.0
        } else {
            bw * b.count as f64 / max as f64
        };
        if w > 0.0 {
            d.rect(
                lw,
                y + 5.0,
                w,
                20.0,
                &format!(
                    "fill=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"",
                    b.fill.paint(name)
                ),
            );
        }
        d.text(
            lw + w + 6.0,
            y + 19.0,
            "start",
            "font-weight=\"600\"",
            &format!("{} ({share})", b.count),
        );
        d.raw("</g>\n");
        table.push(vec![b.label.clone(), b.count.to_string(), share.clone()]);
        parts.push(format!("{} {} ({share})", b.label, b.count));
    }
    if let Some(f) = footer {
        d.text(
            lw,
            top + row * bars.len() as f64 + 22.0,
            "start",
            "font-weight=\"600\"",
            f,
        );
    }
    let mut desc = format!(
        "Horizontal bar chart of the {total} commitments by {}: {}.",
        what.to_lowercase(),
        parts.join(", ")
    );
    if let Some(f) = footer {
        desc.push(' ');
        desc.push_str(f);
    }
    Chart {
        name: name.into(),
        title: title.into(),
        desc,
        width,
        height,
        body: d.out,
        table,
    }
}

/// One cell of the ambition × completion table.
#[derive(Debug, Clone)]
pub(crate) struct QuadrantCell {
    pub(crate) count: usize,
    pub(crate) ids: Vec<String>,
}

/// Ids laid out in at most `max` lines that fit `width` pixels at `size`, the last ending in
/// "+N more" when not all fit (the data table under the chart lists them all).
pub(crate) fn id_lines(ids: &[String], width: f64, size: f64, max: usize) -> Vec<String> {
    // Digits and capitals are wider than the average glyph: measure generously.
    let fits = |s: &str| text_width(s, size) * 1.15 <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, id) in ids.iter().enumerate() {
        let next = if cur.is_empty() {
            id.clone()
        } else {
            format!("{cur}, {id}")
        };
        if fits(&next) {
            cur = next;
            continue;
        }
        if lines.len() + 1 >= max || !fits(id) {
            // No room for another line: end this one with how many are left out.
            let mut kept: Vec<&str> = if cur.is_empty() {
                Vec::new()
            } else {
                cur.split(", ").collect()
            };
            let mut left = ids.len() - i;
            loop {
                let more = format!("+{left} more");
                let line = if kept.is_empty() {
                    more
                } else {
                    format!("{}, {more}", kept.join(", "))
                };
                if fits(&line) || kept.is_empty() {
                    lines.push(line);
                    return lines;
                }
                kept.pop();
                left += 1;
            }
        }
        lines.push(std::mem::replace(&mut cur, id.clone()));
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// OGP's two-by-two table: rows hold or miss the `rows` flag, columns the `columns` flag.
/// `cells`: both, rows only, columns only, neither.
pub(crate) fn quadrant(
    rows: &str,
    columns: &str,
    cells: &[QuadrantCell; 4],
    total: usize,
) -> Chart {
    let name = "quadrant";
    let (lw, top, cw, ch) = (170.0, 50.0, 200.0, 112.0);
    let width = lw + 2.0 * cw + 12.0;
    let height = top + 2.0 * ch + 12.0;
    let mut d = Draw::default();
    let r = truncate(rows, 22);
    let c = truncate(columns, 26);
    let col_heads = [format!("✓ {c}"), format!("✗ not {}", lower_first(&c))];
    let row_heads = [format!("✓ {r}"), format!("✗ not {}", lower_first(&r))];
    for (j, h) in col_heads.iter().enumerate() {
        d.text(
            lw + cw * j as f64 + cw / 2.0,
            top - 14.0,
            "middle",
            "font-weight=\"600\"",
            h,
        );
    }
    for (i, h) in row_heads.iter().enumerate() {
        d.text(
            lw - 10.0,
            top + ch * i as f64 + ch / 2.0 + 4.0,
            "end",
            "font-weight=\"600\"",
            h,
        );
    }
    let (lr, lc) = (lower_first(&r), lower_first(&c));
    let words = [
        format!("{r} and {lc}"),
        format!("{r}, not {lc}"),
        format!("{c}, not {lr}"),
        "neither".to_string(),
    ];
    let place = [(0, 0), (0, 1), (1, 0), (1, 1)];
    let mut table = DataTable::new(["quadrant", "commitments", "share", "commitment ids"]);
    let mut parts = Vec::new();
    for (k, cell) in cells.iter().enumerate() {
        let (i, j) = place[k];
        let x = lw + cw * j as f64;
        let y = top + ch * i as f64;
        let share = if total == 0 {
            0.0
        } else {
            cell.count as f64 / total as f64
        };
        // White to Okabe–Ito blue by share; the count is written on it.
        let t = 0.06 + 0.94 * share;
        let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        let fill = format!(
            "#{:02X}{:02X}{:02X}",
            mix(255.0, 0.0),
            mix(255.0, 114.0),
            mix(255.0, 178.0)
        );
        let ink = text_on(&fill);
        d.raw(&format!(
            "<g><title>{}</title>\n",
            super::html::esc(&format!("{}: {}", words[k], cell.count))
        ));
        d.rect(
            x,
            y,
            cw,
            ch,
            &format!("fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"1.5\""),
        );
        d.text(
            x + cw / 2.0,
            y + 46.0,
            "middle",
            &format!("font-size=\"30\" font-weight=\"700\" fill=\"{ink}\""),
            &cell.count.to_string(),
        );
        let shown_share = share_text(cell.count, total);
        d.text(
            x + cw / 2.0,
            y + 68.0,
            "middle",
            &format!("fill=\"{ink}\""),
            &format!("{shown_share} of commitments"),
        );
        for (l, line) in id_lines(&cell.ids, cw - 20.0, 11.0, 2).iter().enumerate() {
            d.text(
                x + cw / 2.0,
                y + 88.0 + 13.0 * l as f64,
                "middle",
                &format!("font-size=\"11\" fill=\"{ink}\""),
                line,
            );
        }
        d.raw("</g>\n");
        table.push(vec![
            words[k].clone(),
            cell.count.to_string(),
            shown_share.clone(),
            cell.ids.join(", "),
        ]);
        parts.push(format!(
            "{} {} ({shown_share}){}",
            words[k],
            cell.count,
            if cell.ids.is_empty() {
                String::new()
            } else {
                format!(": {}", cell.ids.join(", "))
            }
        ));
    }
    Chart {
        name: name.into(),
        title: format!("{rows} × {columns}"),
        desc: format!(
            "Two-by-two table of the {total} commitments by whether they are {} and reach {}: {}.",
            lower_first(rows),
            lower_first(columns),
            parts.join("; ")
        ),
        width,
        height,
        body: d.out,
        table,
    }
}

/// `High completion` → `high completion`; `IRM star` stays as it is.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// Short forms of level labels that fit a heat-map cell: the labels themselves when short,
/// else unique abbreviations. The flag says whether abbreviations are used.
pub(crate) fn abbreviations(levels: &[String]) -> (Vec<String>, bool) {
    if levels.iter().all(|l| l.chars().count() <= 12) {
        return (levels.to_vec(), false);
    }
    let unique = |v: &[String]| {
        v.iter().all(|a| !a.is_empty())
            && v.iter()
                .enumerate()
                .all(|(i, a)| v[..i].iter().all(|b| b != a))
    };
    let initials: Vec<String> = levels
        .iter()
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_uppercase)
                .take(4)
                .collect()
        })
        .collect();
    if unique(&initials) {
        return (initials, true);
    }
    for len in 2..=6 {
        let prefixes: Vec<String> = levels
            .iter()
            .map(|l| l.chars().take(len).collect())
            .collect();
        if unique(&prefixes) {
            return (prefixes, true);
        }
    }
    ((1..=levels.len()).map(|i| format!("L{i}")).collect(), true)
}

/// A heat-map column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Evaluator,
    Combined,
    Reference,
}

#[derive(Debug, Clone)]
pub(crate) struct HeatColumn {
    pub(crate) label: String,
    pub(crate) kind: ColumnKind,
}

/// One evaluator's answer in the heat map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeatCell {
    Level(usize),
    /// The evaluator said "no rating" (n/a).
    NoRating,
    /// The evaluator gave nothing.
    Missing,
}

#[derive(Debug, Clone)]
pub(crate) struct HeatRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) cells: Vec<HeatCell>,
    pub(crate) disagreement: bool,
    pub(crate) spread: Option<usize>,
}

/// Evaluators × commitments for one criterion, each cell the level's label on its colour;
/// rows where the evaluators disagree are outlined and marked in words.
pub(crate) fn heatmap(
    criterion: &str,
    levels: &[String],
    ordered: bool,
    columns: &[HeatColumn],
    rows: &[HeatRow],
    threshold: u32,
) -> Chart {
    let name = "heatmap";
    let (short, abbreviated) = abbreviations(levels);
    let size = 11.0;
    let widest = short
        .iter()
        .chain(["n/r".to_string()].iter())
        .map(|s| text_width(s, size))
        .fold(0.0, f64::max);
    let cw = (widest + 14.0).clamp(64.0, 104.0);
    let lw = 250.0;
    let head = 46.0;
    let rh = 26.0;
    let mark_w = 200.0;
    // Column positions, with a gap before the combined and the reference columns.
    let mut xs = Vec::with_capacity(columns.len());
    let mut x = lw;
    for (j, c) in columns.iter().enumerate() {
        if j > 0 && c.kind != columns[j - 1].kind {
            x += 12.0;
        }
        xs.push(x);
        x += cw;
    }
    let grid_right = x;
    let rule = format!(
        "outlined row and ◆: the evaluators' levels are {threshold} or more levels apart (the rubric's disagreement threshold)"
    );
    let width = (grid_right + mark_w).max(40.0 + text_width(&rule, 11.0));
    let fill_of = |l: usize| {
        if ordered {
            Fill::Level(l, levels.len())
        } else {
            Fill::Category(l)
        }
    };
    let mut d = Draw::default();
    let head_chars = ((cw - 4.0) / (size * 0.58)) as usize;
    for (j, c) in columns.iter().enumerate() {
        let cx = xs[j] + cw / 2.0;
        let label = truncate(&c.label, head_chars.max(4));
        let sub = match c.kind {
            ColumnKind::Evaluator => "",
            ColumnKind::Combined => "(result)",
            ColumnKind::Reference => "(reference)",
        };
        d.text_full(
            cx,
            head - 22.0,
            "middle",
            "font-size=\"11\" font-weight=\"600\"",
            &label,
            &c.label,
        );
        if !sub.is_empty() {
            d.text(
                cx,
                head - 8.0,
                "middle",
                &format!("font-size=\"10\" fill=\"{MUTED}\""),
                sub,
            );
        }
    }
    d.text(
        8.0,
        head - 8.0,
        "start",
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        "commitment",
    );
    let mut table_head = vec!["commitment".to_string()];
    table_head.extend(columns.iter().map(|c| match c.kind {
        ColumnKind::Evaluator => c.label.clone(),
        ColumnKind::Combined => format!("{} (result)", c.label),
        ColumnKind::Reference => format!("{} (reference)", c.label),
    }));
    table_head.push("disagreement".into());
    let mut table = DataTable {
        head: table_head,
        rows: Vec::new(),
    };
    let row_chars = ((lw - 16.0) / (12.0 * 0.58)) as usize;
    let mut disagree_ids = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let y = head + rh * i as f64;
        if i % 2 == 1 {
            d.rect(0.0, y, lw - 4.0, rh, "fill=\"#F4F4F4\"");
        }
        let full = format!("{}  {}", r.id, r.title);
        d.text_full(
            8.0,
            y + 17.0,
            "start",
            "",
            &truncate(&full, row_chars),
            &full,
        );
        let mut trow = vec![format!("{} {}", r.id, r.title)];
        d.raw("<g font-size=\"11\" text-anchor=\"middle\">\n");
        for (j, cell) in r.cells.iter().enumerate() {
            let Some(&cx) = xs.get(j) else {
                continue;
            };
            let who = columns.get(j).map_or("", |c| c.label.as_str());
            let (fill, text, full) = match *cell {
                HeatCell::Level(l) => (
                    fill_of(l),
                    short.get(l).cloned().unwrap_or_default(),
                    levels.get(l).cloned().unwrap_or_default(),
                ),
                HeatCell::NoRating => (Fill::None, "n/r".into(), "no rating (n/a)".into()),
                HeatCell::Missing => (Fill::None, "–".into(), "not rated".into()),
            };
            let ink = if fill == Fill::None {
                INK.to_string()
            } else {
                text_on(&fill.colour()).to_string()
            };
            let weight = if columns.get(j).map(|c| c.kind) == Some(ColumnKind::Combined) {
                " font-weight=\"700\""
            } else {
                ""
            };
            // One line per cell; the text's size and anchor come from the cells' group, and
            // black text from the chart's own colour (a plan of 5,000 commitments has 30,000
            // cells: see docs/performance.md).
            let ink_attr = if ink == "#000000" || ink == INK {
                String::new()
            } else {
                format!(" fill=\"{ink}\"")
            };
            d.raw(&format!(
                "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\"{ink_attr}{weight}>{}</text></g>\n",
                super::html::esc(&format!("{who} on commitment {}: {full}", r.id)),
                n(cx + 1.0),
                n(y + 1.0),
                n(cw - 2.0),
                n(rh - 2.0),
                fill.paint(name),
                n(cx + cw / 2.0),
                n(y + 17.0),
                super::html::esc(&text),
            ));
            trow.push(full);
        }
        d.raw("</g>\n");
        let evaluators_end = columns
            .iter()
            .rposition(|c| c.kind == ColumnKind::Evaluator)
            .and_then(|j| xs.get(j).map(|x| x + cw));
        if r.disagreement {
            disagree_ids.push(r.id.clone());
            if let Some(end) = evaluators_end {
                d.rect(
                    lw - 1.0,
                    y + 0.5,
                    end - lw + 2.0,
                    rh - 1.0,
                    &format!("fill=\"none\" stroke=\"{INK}\" stroke-width=\"2.5\""),
                );
            }
            d.diamond(
                grid_right + 14.0,
                y + rh / 2.0,
                6.0,
                &format!("fill=\"{VERMILLION}\""),
            );
            d.text(
                grid_right + 26.0,
                y + 17.0,
                "start",
                "font-size=\"11\" font-weight=\"700\"",
                &match r.spread {
                    Some(s) => format!("disagreement ({s} levels)"),
                    None => "disagreement".into(),
                },
            );
            trow.push(format!(
                "yes{}",
                r.spread
                    .map(|s| format!(", {s} levels apart"))
                    .unwrap_or_default()
            ));
        } else {
            trow.push(match r.spread {
                Some(s) if s > 0 => {
                    format!("no ({s} level{} apart)", if s == 1 { "" } else { "s" })
                }
                _ => "no".into(),
            });
        }
        table.rows.push(trow);
    }
    // Legend.
    let mut ly = head + rh * rows.len() as f64 + 22.0;
    let mut lx = 8.0;
    let mut items: Vec<(Fill, String)> = levels
        .iter()
        .enumerate()
        .map(|(l, label)| {
            let text = if abbreviated {
                format!("{} = {label}", short.get(l).map_or("", String::as_str))
            } else {
                label.clone()
            };
            (fill_of(l), text)
        })
        .collect();
    items.push((Fill::None, "– not rated".into()));
    items.push((Fill::None, "n/r said “no rating”".into()));
    for (fill, text) in &items {
        let w = 22.0 + text_width(text, 11.0) + 16.0;
        if lx + w > width - 8.0 && lx > 8.0 {
            lx = 8.0;
            ly += 20.0;
        }
        d.rect(
            lx,
            ly - 11.0,
            14.0,
            14.0,
            &format!(
                "fill=\"{}\" stroke=\"{INK}\" stroke-width=\"0.8\"",
                fill.paint(name)
            ),
        );
        d.text(lx + 20.0, ly, "start", "font-size=\"11\"", text);
        lx += w;
    }
    ly += 22.0;
    d.rect(
        lx.min(8.0),
        ly - 12.0,
        14.0,
        14.0,
        &format!("fill=\"none\" stroke=\"{INK}\" stroke-width=\"2.5\""),
    );
    d.text(28.0, ly, "start", "font-size=\"11\"", &rule);
    let height = ly + 12.0;
    let evaluators = columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Evaluator)
        .count();
    let references: Vec<&str> = columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Reference)
        .map(|c| c.label.as_str())
        .collect();
    let desc = format!(
        "Heat map of the {criterion} level each evaluator gave each commitment: {} commitments (rows) by {evaluators} evaluators (columns), then the combined result{}. Each cell shows the level's name. {}",
        rows.len(),
        if references.is_empty() {
            String::new()
        } else {
            format!(" and the reference evaluators ({})", references.join(", "))
        },
        if disagree_ids.is_empty() {
            format!("No commitment has levels {threshold} or more levels apart.")
        } else {
            format!(
                "The evaluators disagree ({threshold} or more levels apart) on commitments {}.",
                disagree_ids.join(", ")
            )
        }
    );
    Chart {
        name: name.into(),
        title: format!("Who rated what: {criterion} by evaluator"),
        desc,
        width,
        height,
        body: d.out,
        table,
    }
}

/// Alpha per criterion: a point for alpha, a line for its bootstrap interval, over the bands
/// Krippendorff reads them by.
pub(crate) fn agreement(rows: &[AlphaRow], resamples: usize) -> Chart {
    let name = "agreement";
    let lw = 190.0;
    let x0 = lw + 10.0;
    let pw = 420.0;
    let top = 40.0;
    let rh = 30.0;
    let width = x0 + pw + 290.0;
    let height = top + rh * rows.len().max(1) as f64 + 44.0;
    let lows = rows
        .iter()
        .flat_map(|r| [r.alpha, r.ci.map(|c| c.0)])
        .flatten()
        .fold(0.0_f64, f64::min);
    let lo = ((lows / 0.5).floor() * 0.5).max(-1.0);
    let span = 1.0 - lo;
    let xp = |a: f64| x0 + (a.clamp(lo, 1.0) - lo) / span * pw;
    let mut d = Draw::default();
    let bottom = top + rh * rows.len().max(1) as f64;
    let zones = [
        (lo, 0.667, "#F5F5F5", "unreliable", 14.0),
        (0.667, 0.8, "#E4E4E4", "tentative", 28.0),
        (0.8, 1.0, "#D2D2D2", "reliable", 14.0),
    ];
    for (a, b, fill, label, ty) in zones {
        if b <= lo {
            continue;
        }
        let (xa, xb) = (xp(a.max(lo)), xp(b));
        d.rect(
            xa,
            top - 6.0,
            xb - xa,
            bottom - top + 6.0,
            &format!("fill=\"{fill}\""),
        );
        d.text(
            (xa + xb) / 2.0,
            ty,
            "middle",
            &format!("font-size=\"11\" fill=\"{MUTED}\""),
            label,
        );
    }
    let mut ticks: Vec<f64> = vec![-1.0, -0.5, 0.0, 0.5, 1.0]
        .into_iter()
        .filter(|t| *t >= lo - 1e-9)
        .collect();
    ticks.extend([0.667, 0.8]);
    for t in ticks {
        let x = xp(t);
        let dashed = if (t - 0.667).abs() < 1e-9 || (t - 0.8).abs() < 1e-9 {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        d.line(
            x,
            top - 6.0,
            x,
            bottom,
            &format!("stroke=\"#8C8C8C\"{dashed}"),
        );
        d.text(
            x,
            bottom + 16.0,
            "middle",
            "font-size=\"11\"",
            &if t == 0.667 || t == 0.8 {
                fmt_alpha(t)
            } else {
                n(t)
            },
        );
    }
    d.text(
        x0 + pw / 2.0,
        bottom + 34.0,
        "middle",
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        "Krippendorff's alpha (1 = perfect agreement, 0 = no better than chance)",
    );
    let mut table = DataTable::new([
        "criterion",
        "metric",
        "units rated by two or more",
        "alpha",
        "95% interval",
        "reading",
    ]);
    let mut parts = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let y = top + rh * i as f64 + rh / 2.0;
        let label = truncate(&r.criterion, 26);
        d.text_full(lw, y + 4.0, "end", "", &label, &r.criterion);
        let (text, words) = match r.alpha {
            Some(a) => {
                if let Some((l, h)) = r.ci {
                    d.line(
                        xp(l),
                        y,
                        xp(h),
                        y,
                        &format!("stroke=\"{INK}\" stroke-width=\"2\""),
                    );
                    d.line(
                        xp(l),
                        y - 6.0,
                        xp(l),
                        y + 6.0,
                        &format!("stroke=\"{INK}\" stroke-width=\"2\""),
                    );
                    d.line(
                        xp(h),
                        y - 6.0,
                        xp(h),
                        y + 6.0,
                        &format!("stroke=\"{INK}\" stroke-width=\"2\""),
                    );
                }
                d.circle(
                    xp(a),
                    y,
                    6.0,
                    &format!("fill=\"{BLUE}\" stroke=\"{INK}\" stroke-width=\"1.5\""),
                );
                if a < lo {
                    d.text(
                        x0 + 2.0,
                        y - 8.0,
                        "start",
                        "font-size=\"10\"",
                        "◂ below the axis",
                    );
                }
                let band = r.band.map_or("", |b| b.label());
                let ci =
                    r.ci.map(|(l, h)| format!(" [{}, {}]", fmt_alpha(l), fmt_alpha(h)))
                        .unwrap_or_default();
                (
                    format!("α = {}{ci} {band}", fmt_alpha(a)),
                    super::agreement::reading(r),
                )
            }
            None => {
                d.text(
                    x0 + 8.0,
                    y + 4.0,
                    "start",
                    &format!("font-size=\"11\" font-style=\"italic\" fill=\"{MUTED}\""),
                    "no value",
                );
                (
                    r.undefined_short.unwrap_or("undefined").to_string(),
                    super::agreement::reading(r),
                )
            }
        };
        d.text(x0 + pw + 12.0, y + 4.0, "start", "font-size=\"11\"", &text);
        table.push(vec![
            r.criterion.clone(),
            r.metric.label().to_string(),
            format!("{} of {} {}", r.units, r.units_total, r.unit_word),
            r.alpha.map(fmt_alpha).unwrap_or_else(|| "undefined".into()),
            r.ci.map(|(l, h)| format!("{} to {}", fmt_alpha(l), fmt_alpha(h)))
                .unwrap_or_else(|| "–".into()),
            r.band
                .map(|b| b.label().to_string())
                .or_else(|| r.undefined.clone())
                .unwrap_or_default(),
        ]);
        parts.push(format!("{}: {words}", r.criterion));
    }
    Chart {
        name: name.into(),
        title: "How far the evaluators agree, per criterion".into(),
        desc: format!(
            "Krippendorff's alpha for each criterion, with its 95% bootstrap interval ({resamples} resamples), against Krippendorff's thresholds 0.667 (tentative conclusions) and 0.800 (reliable). {}.",
            parts.join("; ")
        ),
        width,
        height,
        body: d.out,
        table,
    }
}

/// One commitment in the coalition / reference comparison: rating indices (`None` = no
/// evidence); `reference: None` when the reference evaluator did not rate it.
#[derive(Debug, Clone)]
pub(crate) struct RefRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) coalition: Option<usize>,
    pub(crate) reference: Option<Option<usize>>,
}

/// The coalition's rating (filled circle) beside a reference evaluator's (open diamond) on the
/// rating scale, commitment by commitment.
pub(crate) fn reference(name: &str, who: &str, ratings: &[String], rows: &[RefRow]) -> Chart {
    let mut columns: Vec<String> = ratings.to_vec();
    columns.push(crate::results::NO_EVIDENCE.to_string());
    let lw = 250.0;
    let widest = columns
        .iter()
        .map(|c| text_width(c, 11.0))
        .fold(0.0, f64::max);
    let cw = (widest + 12.0).clamp(78.0, 118.0);
    let head = 34.0;
    let rh = 28.0;
    let status_w = 140.0;
    let width = lw + cw * columns.len() as f64 + status_w;
    let height = head + rh * rows.len() as f64 + 44.0;
    let col = |r: Option<usize>| r.unwrap_or(columns.len() - 1).min(columns.len() - 1);
    let cx = |c: usize| lw + cw * c as f64 + cw / 2.0;
    let mut d = Draw::default();
    let head_chars = ((cw - 4.0) / (11.0 * 0.58)) as usize;
    for (c, label) in columns.iter().enumerate() {
        d.text_full(
            cx(c),
            head - 12.0,
            "middle",
            "font-size=\"11\" font-weight=\"600\"",
            &truncate(label, head_chars),
            label,
        );
        d.line(
            cx(c),
            head - 4.0,
            cx(c),
            head + rh * rows.len() as f64,
            "stroke=\"#DDDDDD\"",
        );
    }
    let row_chars = ((lw - 16.0) / (12.0 * 0.58)) as usize;
    let mut table = DataTable::new([
        "commitment".to_string(),
        "coalition".to_string(),
        who.to_string(),
        "differs".to_string(),
    ]);
    let mut differs = Vec::new();
    let mut same = 0;
    let label = |r: Option<usize>| columns[col(r)].clone();
    for (i, r) in rows.iter().enumerate() {
        let y = head + rh * i as f64 + rh / 2.0;
        let full = format!("{}  {}", r.id, r.title);
        d.text_full(
            8.0,
            y + 4.0,
            "start",
            "",
            &truncate(&full, row_chars),
            &full,
        );
        d.line(
            lw,
            y,
            lw + cw * columns.len() as f64,
            y,
            "stroke=\"#E6E6E6\"",
        );
        let status = match r.reference {
            Some(rr) => {
                d.diamond(
                    cx(col(rr)),
                    y,
                    10.0,
                    &format!("fill=\"none\" stroke=\"{VERMILLION}\" stroke-width=\"2.5\""),
                );
                if rr == r.coalition {
                    same += 1;
                    "same"
                } else {
                    differs.push(format!(
                        "{} (coalition {}, {who} {})",
                        r.id,
                        label(r.coalition),
                        label(rr)
                    ));
                    "differs"
                }
            }
            None => "not rated",
        };
        d.circle(cx(col(r.coalition)), y, 5.5, &format!("fill=\"{BLUE}\""));
        d.text(
            lw + cw * columns.len() as f64 + 12.0,
            y + 4.0,
            "start",
            if status == "differs" {
                "font-weight=\"700\""
            } else {
                ""
            },
            status,
        );
        table.push(vec![
            format!("{} {}", r.id, r.title),
            label(r.coalition),
            r.reference.map_or_else(|| "not rated".into(), label),
            match status {
                "differs" => "yes".into(),
                "same" => "no".into(),
                other => other.into(),
            },
        ]);
    }
    let ly = head + rh * rows.len() as f64 + 26.0;
    d.circle(14.0, ly - 4.0, 5.5, &format!("fill=\"{BLUE}\""));
    d.text(
        26.0,
        ly,
        "start",
        "font-size=\"11\"",
        "coalition (combined rating)",
    );
    d.diamond(
        220.0,
        ly - 4.0,
        9.0,
        &format!("fill=\"none\" stroke=\"{VERMILLION}\" stroke-width=\"2.5\""),
    );
    d.text(
        236.0,
        ly,
        "start",
        "font-size=\"11\"",
        &format!("{} (reference, not combined)", truncate(who, 30)),
    );
    let desc = format!(
        "Dot chart of each commitment's rating by the coalition (filled circle) and by {who} (open diamond). {} Same rating on {same}.",
        if differs.is_empty() {
            "They never differ.".to_string()
        } else {
            format!(
                "They differ on {} commitment{}: {}.",
                differs.len(),
                if differs.len() == 1 { "" } else { "s" },
                differs.join("; ")
            )
        },
    );
    Chart {
        name: name.into(),
        title: format!("The coalition's rating beside {who}'s"),
        desc,
        width,
        height,
        body: d.out,
        table,
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub(crate) fn day_number(s: &str) -> Option<i64> {
    let d: crate::model::Date = s.trim().parse().ok()?;
    Some(days_from_civil(
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    ))
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A milestone on a timeline.
#[derive(Debug, Clone)]
pub(crate) struct TimelineMilestone {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) due: Option<String>,
    /// Its completion level (`No evidence` when unrated); `None` when the rubric has no
    /// completion criterion.
    pub(crate) completion: Option<String>,
    /// At the top completion level.
    pub(crate) done: bool,
    pub(crate) overdue: bool,
}

/// A commitment's milestones by due date, with the commitment's period shaded and the as-of
/// date drawn across; overdue milestones are crosses and say so.
pub(crate) fn timeline(
    name: &str,
    commitment: &str,
    period: (Option<&str>, Option<&str>),
    as_of: &str,
    milestones: &[TimelineMilestone],
    table: DataTable,
) -> Option<Chart> {
    if milestones.is_empty() {
        return None;
    }
    let as_of_day = day_number(as_of)?;
    let start = period.0.and_then(day_number);
    let end = period.1.and_then(day_number);
    let dues: Vec<Option<i64>> = milestones
        .iter()
        .map(|m| m.due.as_deref().and_then(day_number))
        .collect();
    let all: Vec<i64> = dues
        .iter()
        .flatten()
        .copied()
        .chain(start)
        .chain(end)
        .chain([as_of_day])
        .collect();
    let mut lo = all.iter().copied().min().unwrap_or(as_of_day);
    let mut hi = all.iter().copied().max().unwrap_or(as_of_day);
    if hi - lo < 60 {
        lo -= 30;
        hi += 30;
    }
    let pad = (hi - lo) / 25;
    let (lo, hi) = (lo - pad, hi + pad);
    let (x0, pw, sx) = (262.0, 380.0, 656.0);
    let width = 930.0;
    let top = 34.0;
    let rh = 22.0;
    let bottom = top + rh * milestones.len() as f64;
    let height = bottom + 56.0;
    let xp = |day: i64| x0 + (day - lo) as f64 / (hi - lo).max(1) as f64 * pw;
    let mut d = Draw::default();
    if let (Some(s), Some(e)) = (start, end) {
        d.rect(
            xp(s),
            top - 4.0,
            xp(e) - xp(s),
            bottom - top + 8.0,
            "fill=\"#EEF3F8\"",
        );
        d.text(
            xp(s) + 4.0,
            top - 8.0,
            "start",
            &format!("font-size=\"10\" fill=\"{MUTED}\""),
            "commitment period",
        );
    }
    // Year ticks.
    // Bounds on the years in view (a year has 365 or 366 days).
    let (y0, y1) = (1970 + lo.div_euclid(366) - 1, 1970 + hi.div_euclid(365) + 1);
    let years = (y1 - y0).max(1);
    let step = if years <= 9 {
        1
    } else if years <= 18 {
        2
    } else {
        5
    };
    let mut y = y0;
    while y <= y1 {
        let day = days_from_civil(y, 1, 1);
        if day > lo && day < hi && y % step == 0 {
            let x = xp(day);
            d.line(x, top - 4.0, x, bottom + 4.0, "stroke=\"#C8C8C8\"");
            d.text(
                x,
                bottom + 18.0,
                "middle",
                "font-size=\"11\"",
                &y.to_string(),
            );
        }
        y += 1;
    }
    d.line(
        x0,
        bottom + 4.0,
        x0 + pw,
        bottom + 4.0,
        &format!("stroke=\"{INK}\""),
    );
    // The as-of date.
    let ax = xp(as_of_day);
    d.line(
        ax,
        top - 14.0,
        ax,
        bottom + 4.0,
        &format!("stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\""),
    );
    let anchor = if ax > x0 + pw * 0.7 { "end" } else { "start" };
    let dx = if anchor == "end" { -4.0 } else { 4.0 };
    d.text(
        ax + dx,
        top - 18.0,
        anchor,
        "font-size=\"11\" font-weight=\"700\"",
        &format!("as of {as_of}"),
    );
    let mut parts = Vec::new();
    for (i, (m, due)) in milestones.iter().zip(&dues).enumerate() {
        let y = top + rh * i as f64 + rh / 2.0;
        let full = format!("{}  {}", m.id, m.title);
        d.text_full(
            8.0,
            y + 4.0,
            "start",
            "font-size=\"11\"",
            &truncate(&full, 40),
            &full,
        );
        d.line(x0, y, x0 + pw, y, "stroke=\"#E0E0E0\"");
        let level = m
            .completion
            .as_ref()
            .map(|l| format!(" · {l}"))
            .unwrap_or_default();
        let status = match (&m.due, due) {
            (_, Some(day)) => {
                let x = xp(*day);
                if m.overdue {
                    d.cross(x, y, 5.5, VERMILLION);
                } else if m.done {
                    d.circle(x, y, 5.5, &format!("fill=\"{BLUE}\""));
                } else {
                    d.circle(
                        x,
                        y,
                        5.0,
                        &format!("fill=\"#FFFFFF\" stroke=\"{BLUE}\" stroke-width=\"2\""),
                    );
                }
                format!(
                    "due {}{level}{}",
                    m.due.as_deref().unwrap_or(""),
                    if m.overdue { " · OVERDUE" } else { "" }
                )
            }
            (Some(text), None) => format!("due {text}{level}"),
            (None, None) => format!("no due date{level}"),
        };
        d.text(
            sx,
            y + 4.0,
            "start",
            if m.overdue {
                "font-size=\"11\" font-weight=\"700\""
            } else {
                "font-size=\"11\""
            },
            &status,
        );
        parts.push(format!("{} {status}", m.id));
    }
    // Legend.
    let ly = bottom + 42.0;
    d.circle(x0 + 6.0, ly - 4.0, 5.5, &format!("fill=\"{BLUE}\""));
    d.text(x0 + 16.0, ly, "start", "font-size=\"11\"", "complete");
    d.circle(
        x0 + 90.0,
        ly - 4.0,
        5.0,
        &format!("fill=\"#FFFFFF\" stroke=\"{BLUE}\" stroke-width=\"2\""),
    );
    d.text(
        x0 + 100.0,
        ly,
        "start",
        "font-size=\"11\"",
        "not complete, not overdue",
    );
    d.cross(x0 + 272.0, ly - 4.0, 5.0, VERMILLION);
    d.text(x0 + 282.0, ly, "start", "font-size=\"11\"", "overdue");
    d.line(
        x0 + 350.0,
        ly - 12.0,
        x0 + 350.0,
        ly + 2.0,
        &format!("stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\""),
    );
    d.text(x0 + 356.0, ly, "start", "font-size=\"11\"", "as-of date");
    let overdue = milestones.iter().filter(|m| m.overdue).count();
    Some(Chart {
        name: name.into(),
        title: format!("Milestones of commitment {commitment} by due date"),
        desc: format!(
            "Timeline of the {} milestones of commitment {commitment}, as of {as_of}: {} overdue. {}.",
            milestones.len(),
            overdue,
            parts.join("; ")
        ),
        width,
        height,
        body: d.out,
        table,
    })
}

#[cfg(test)]
mod id_line_tests {
    use super::*;

    #[test]
    fn ids_fill_at_most_the_lines_given_and_say_how_many_are_left_out() {
        let ids: Vec<String> = (1..=20).map(|i| format!("GR00{i:02}")).collect();
        let lines = id_lines(&ids, 180.0, 11.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(
            lines.iter().all(|l| text_width(l, 11.0) * 1.15 <= 180.0),
            "{lines:?}"
        );
        let shown: usize = lines.iter().map(|l| l.matches("GR").count()).sum();
        let more: usize = lines[1]
            .rsplit(", +")
            .next()
            .and_then(|m| m.trim_end_matches(" more").parse().ok())
            .unwrap();
        assert_eq!(shown + more, 20, "{lines:?}");
        assert_eq!(id_lines(&ids[..2], 180.0, 11.0, 2), ["GR0001, GR0002"]);
        assert!(id_lines(&[], 180.0, 11.0, 2).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_short_and_unique() {
        let short = ["Not started", "Limited", "Complete"].map(String::from);
        assert_eq!(abbreviations(&short), (short.to_vec(), false));
        let long = [
            "No Evidence Available",
            "Not Started",
            "Limited",
            "Substantial",
            "Complete",
        ]
        .map(String::from);
        let (a, used) = abbreviations(&long);
        assert!(used);
        assert_eq!(a, ["NEA", "NS", "L", "S", "C"]);
        // Initials clash (SP, SP, SC): prefixes are used instead.
        let clash = [
            "Significant progress",
            "Some progress",
            "Stalled completely",
        ]
        .map(String::from);
        let (a, used) = abbreviations(&clash);
        assert!(used);
        assert_eq!(a, ["Si", "So", "St"]);
        assert!(
            a.iter()
                .enumerate()
                .all(|(i, x)| a[..i].iter().all(|y| y != x))
        );
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("not a date"), None);
    }
}
