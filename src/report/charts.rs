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
    BLUE, Chart, DataTable, Draw, INK, MUTED, NONE_FILL, VERMILLION, bold_text_width,
    category_fill, level_fill, n, text_on, text_width,
};
use super::words::Tr;

use std::fmt::Write as _;

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

fn share_text(tr: &Tr, count: usize, total: usize) -> String {
    if total == 0 {
        "–".into()
    } else {
        tr.pct(count as f64 / total as f64)
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
    tr: &Tr,
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
    let width = (lw + bw + 110.0).max(lw + footer.map_or(0.0, |f| bold_text_width(f, size)) + 12.0);
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
    let mut table = DataTable::new([what.to_string(), tr.t("col_commitments"), tr.t("col_share")]);
    let mut parts = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let share = share_text(tr, b.count, total);
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
    let mut desc = tr.f(
        "bars_desc",
        &[
            ("total", &tr.int(total)),
            ("what", &what.to_lowercase()),
            ("parts", &parts.join(", ")),
        ],
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
pub(crate) fn id_lines(tr: &Tr, ids: &[String], width: f64, size: f64, max: usize) -> Vec<String> {
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
                let more = tr.f("more", &[("n", &left)]);
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
    tr: &Tr,
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
    let col_heads = [
        format!("✓ {c}"),
        format!("✗ {}", tr.f("not_x", &[("x", &lower_first(&c))])),
    ];
    let row_heads = [
        format!("✓ {r}"),
        format!("✗ {}", tr.f("not_x", &[("x", &lower_first(&r))])),
    ];
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
        tr.f("q_both", &[("a", &r), ("b", &lc)]),
        tr.f("q_only", &[("a", &r), ("b", &lc)]),
        tr.f("q_only", &[("a", &c), ("b", &lr)]),
        tr.t("q_neither"),
    ];
    let place = [(0, 0), (0, 1), (1, 0), (1, 1)];
    let mut table = DataTable::new([
        tr.t("col_quadrant"),
        tr.t("col_commitments"),
        tr.t("col_share"),
        tr.t("col_ids"),
    ]);
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
        let shown_share = share_text(tr, cell.count, total);
        d.text(
            x + cw / 2.0,
            y + 68.0,
            "middle",
            &format!("fill=\"{ink}\""),
            &tr.f("share_of_commitments", &[("share", &shown_share)]),
        );
        for (l, line) in id_lines(tr, &cell.ids, cw - 20.0, 11.0, 2)
            .iter()
            .enumerate()
        {
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
        desc: tr.f(
            "quadrant_desc",
            &[
                ("total", &tr.int(total)),
                ("rows", &lower_first(rows)),
                ("columns", &lower_first(columns)),
                ("parts", &parts.join("; ")),
            ],
        ),
        width,
        height,
        body: d.out,
        table,
    }
}

/// Krippendorff's reading of alpha, in words.
pub(crate) fn band_word(tr: &Tr, b: crate::agreement::AlphaBand) -> String {
    tr.t(&format!("band_{}", b.label()))
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
    tr: &Tr,
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
    let nr = tr.t("nr");
    let widest = short
        .iter()
        .chain([nr.clone()].iter())
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
    let rule = tr.f("heat_rule", &[("threshold", &threshold)]);
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
            ColumnKind::Evaluator => String::new(),
            ColumnKind::Combined => format!("({})", tr.t("result")),
            ColumnKind::Reference => format!("({})", tr.t("reference")),
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
                &sub,
            );
        }
    }
    d.text(
        8.0,
        head - 8.0,
        "start",
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        &tr.t("col_commitment"),
    );
    let mut table_head = vec![tr.t("col_commitment")];
    table_head.extend(columns.iter().map(|c| match c.kind {
        ColumnKind::Evaluator => c.label.clone(),
        ColumnKind::Combined => format!("{} ({})", c.label, tr.t("result")),
        ColumnKind::Reference => format!("{} ({})", c.label, tr.t("reference")),
    }));
    table_head.push(tr.t("disagreement"));
    let mut table = DataTable {
        head: table_head,
        rows: Vec::new(),
    };
    let row_chars = ((lw - 16.0) / (12.0 * 0.58)) as usize;
    let mut disagree_ids = Vec::new();
    // What the cells repeat, made once (a plan of 5,000 commitments has 30,000 cells): each
    // column's coordinates and weight, and each kind of cell's fill, ink and texts.
    struct Look {
        paint: String,
        ink_attr: String,
        text: String,
        full: String,
    }
    let look = |fill: Fill, text: String, full: String| {
        let ink = if fill == Fill::None {
            INK.to_string()
        } else {
            text_on(&fill.colour()).to_string()
        };
        Look {
            paint: fill.paint(name),
            // Black text comes from the chart's own colour.
            ink_attr: if ink == "#000000" || ink == INK {
                String::new()
            } else {
                format!(" fill=\"{ink}\"")
            },
            text: super::html::esc(&text),
            full,
        }
    };
    let level_looks: Vec<Look> = (0..levels.len())
        .map(|l| {
            look(
                fill_of(l),
                short.get(l).cloned().unwrap_or_default(),
                levels.get(l).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let no_rating = look(Fill::None, nr.clone(), tr.t("no_rating_na"));
    let missing = look(Fill::None, "–".into(), tr.t("not_rated"));
    let column_x: Vec<(String, String)> = xs
        .iter()
        .map(|&cx| (n(cx + 1.0), n(cx + cw / 2.0)))
        .collect();
    let (cell_w, cell_h) = (n(cw - 2.0), n(rh - 2.0));
    let cell_title = tr.text("heat_cell");
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
        let (y1, y17) = (n(y + 1.0), n(y + 17.0));
        for (j, cell) in r.cells.iter().enumerate() {
            let Some((x1, xm)) = column_x.get(j) else {
                continue;
            };
            let who = columns.get(j).map_or("", |c| c.label.as_str());
            let beyond;
            let look = match *cell {
                HeatCell::Level(l) => match level_looks.get(l) {
                    Some(known) => known,
                    None => {
                        beyond = look(fill_of(l), String::new(), String::new());
                        &beyond
                    }
                },
                HeatCell::NoRating => &no_rating,
                HeatCell::Missing => &missing,
            };
            let weight = if columns.get(j).map(|c| c.kind) == Some(ColumnKind::Combined) {
                " font-weight=\"700\""
            } else {
                ""
            };
            // One line per cell; the text's size and anchor come from the cells' group (see
            // docs/performance.md).
            let title = crate::wording::fill_with(
                cell_title,
                &[
                    ("who", who),
                    ("id", r.id.as_str()),
                    ("level", look.full.as_str()),
                ],
            );
            // Writing into a String cannot fail.
            let _ = writeln!(
                d.out,
                "<g><title>{}</title><rect x=\"{x1}\" y=\"{y1}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"{}\"/><text x=\"{xm}\" y=\"{y17}\"{}{weight}>{}</text></g>",
                super::html::esc(&title),
                look.paint,
                look.ink_attr,
                look.text,
            );
            trow.push(look.full.clone());
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
                    Some(s) => tr.n("disagreement_levels", s, &[]),
                    None => tr.t("disagreement"),
                },
            );
            trow.push(match r.spread {
                Some(s) => tr.n("yes_apart", s, &[]),
                None => tr.t("yes"),
            });
        } else {
            trow.push(match r.spread {
                Some(s) if s > 0 => tr.n("no_apart", s, &[]),
                _ => tr.t("no"),
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
    items.push((Fill::None, format!("– {}", tr.t("not_rated"))));
    items.push((Fill::None, format!("{nr} {}", tr.t("said_no_rating"))));
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
    let desc = tr.f(
        "heat_desc",
        &[
            ("criterion", &criterion),
            ("rows", &tr.int(rows.len())),
            ("evaluators", &tr.int(evaluators)),
            (
                "references",
                &if references.is_empty() {
                    String::new()
                } else {
                    tr.f("heat_desc_references", &[("list", &references.join(", "))])
                },
            ),
            (
                "disagree",
                &if disagree_ids.is_empty() {
                    tr.f("heat_desc_agree", &[("threshold", &threshold)])
                } else {
                    tr.f(
                        "heat_desc_disagree",
                        &[("threshold", &threshold), ("ids", &disagree_ids.join(", "))],
                    )
                },
            ),
        ],
    );
    Chart {
        name: name.into(),
        title: tr.f("heat_title", &[("criterion", &criterion)]),
        desc,
        width,
        height,
        body: d.out,
        table,
    }
}

/// Alpha per criterion: a point for alpha, a line for its bootstrap interval, over the bands
/// Krippendorff reads them by.
pub(crate) fn agreement(tr: &Tr, rows: &[AlphaRow], resamples: usize) -> Chart {
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
        (lo, 0.667, "#F5F5F5", tr.t("band_unreliable"), 14.0),
        (0.667, 0.8, "#E4E4E4", tr.t("band_tentative"), 28.0),
        (0.8, 1.0, "#D2D2D2", tr.t("band_reliable"), 14.0),
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
            &label,
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
            &tr.w_number(&if t == 0.667 || t == 0.8 {
                fmt_alpha(t)
            } else {
                n(t)
            }),
        );
    }
    d.text(
        x0 + pw / 2.0,
        bottom + 34.0,
        "middle",
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        &tr.t("alpha_axis"),
    );
    let mut table = DataTable::new([
        tr.t("col_criterion"),
        tr.t("col_metric"),
        tr.t("col_units"),
        tr.t("col_alpha"),
        tr.t("col_interval"),
        tr.t("col_reading"),
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
                        &tr.t("below_axis"),
                    );
                }
                let band = r.band.map_or(String::new(), |b| band_word(tr, b));
                let ci =
                    r.ci.map(|(l, h)| {
                        format!(
                            " {}",
                            tr.f(
                                "interval_short",
                                &[("from", &tr.alpha(l)), ("to", &tr.alpha(h))]
                            )
                        )
                    })
                    .unwrap_or_default();
                (
                    format!("α = {}{ci} {band}", tr.alpha(a)),
                    super::agreement::reading(tr, r),
                )
            }
            None => {
                d.text(
                    x0 + 8.0,
                    y + 4.0,
                    "start",
                    &format!("font-size=\"11\" font-style=\"italic\" fill=\"{MUTED}\""),
                    &tr.t("no_value"),
                );
                (
                    super::agreement::undefined_short(tr, r),
                    super::agreement::reading(tr, r),
                )
            }
        };
        d.text(x0 + pw + 12.0, y + 4.0, "start", "font-size=\"11\"", &text);
        table.push(vec![
            r.criterion.clone(),
            tr.t(&format!("metric_{}", r.metric.label())),
            tr.f(
                "units_of",
                &[
                    ("units", &tr.int(r.units)),
                    ("total", &tr.int(r.units_total)),
                    ("what", &tr.t(&format!("unit_{}", r.unit_word))),
                ],
            ),
            r.alpha
                .map(|a| tr.alpha(a))
                .unwrap_or_else(|| tr.t("undefined")),
            r.ci.map(|(l, h)| tr.f("from_to", &[("from", &tr.alpha(l)), ("to", &tr.alpha(h))]))
                .unwrap_or_else(|| "–".into()),
            r.band
                .map(|b| band_word(tr, b))
                .or_else(|| r.undefined.as_ref().map(|_| super::agreement::why(tr, r)))
                .unwrap_or_default(),
        ]);
        parts.push(format!("{}: {words}", r.criterion));
    }
    Chart {
        name: name.into(),
        title: tr.t("agreement_title"),
        desc: tr.f(
            "agreement_desc",
            &[
                ("resamples", &tr.int(resamples)),
                ("tentative", &tr.alpha(0.667)),
                ("reliable", &tr.alpha(0.8)),
                ("parts", &parts.join("; ")),
            ],
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
    /// When they rated it: whether they differ by the results' comparison
    /// (`ReferenceOut::differs`), and the coalition's and their value it compared, as words.
    pub(crate) differs: Option<(bool, String, String)>,
}

/// The coalition's rating (filled circle) beside a reference evaluator's (open diamond) on the
/// rating scale, commitment by commitment.
pub(crate) fn reference(
    tr: &Tr,
    name: &str,
    who: &str,
    ratings: &[String],
    rows: &[RefRow],
) -> Chart {
    let mut columns: Vec<String> = ratings.to_vec();
    columns.push(tr.t("no_evidence"));
    let lw = 250.0;
    let widest = columns
        .iter()
        .map(|c| text_width(c, 11.0))
        .fold(0.0, f64::max);
    let cw = (widest + 12.0).clamp(78.0, 118.0);
    let head = 34.0;
    let rh = 28.0;
    let status_w = 140.0_f64.max(
        [tr.t("same"), tr.t("differs"), tr.t("not_rated")]
            .iter()
            .map(|t| text_width(t, 12.0) + 24.0)
            .fold(0.0, f64::max),
    );
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
        tr.t("col_commitment"),
        tr.t("coalition"),
        who.to_string(),
        tr.t("differs"),
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
        #[derive(PartialEq)]
        enum Status {
            Same,
            Differs,
            NotRated,
        }
        let status = match r.reference {
            Some(rr) => {
                d.diamond(
                    cx(col(rr)),
                    y,
                    10.0,
                    &format!("fill=\"none\" stroke=\"{VERMILLION}\" stroke-width=\"2.5\""),
                );
                match &r.differs {
                    Some((true, ours, theirs)) => {
                        differs.push(tr.f(
                            "ref_differs_item",
                            &[
                                ("id", &r.id),
                                ("coalition", ours),
                                ("who", &who),
                                ("theirs", theirs),
                            ],
                        ));
                        Status::Differs
                    }
                    _ => {
                        same += 1;
                        Status::Same
                    }
                }
            }
            None => Status::NotRated,
        };
        let status_text = match status {
            Status::Same => tr.t("same"),
            Status::Differs => tr.t("differs"),
            Status::NotRated => tr.t("not_rated"),
        };
        d.circle(cx(col(r.coalition)), y, 5.5, &format!("fill=\"{BLUE}\""));
        d.text(
            lw + cw * columns.len() as f64 + 12.0,
            y + 4.0,
            "start",
            if status == Status::Differs {
                "font-weight=\"700\""
            } else {
                ""
            },
            &status_text,
        );
        table.push(vec![
            format!("{} {}", r.id, r.title),
            label(r.coalition),
            r.reference.map_or_else(|| tr.t("not_rated"), label),
            match status {
                Status::Differs => tr.t("yes"),
                Status::Same => tr.t("no"),
                Status::NotRated => status_text.clone(),
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
        &tr.t("legend_coalition"),
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
        &tr.f("legend_reference", &[("who", &truncate(who, 30))]),
    );
    let desc = tr.f(
        "ref_desc",
        &[
            ("who", &who),
            (
                "differs",
                &if differs.is_empty() {
                    tr.t("ref_never_differ")
                } else {
                    tr.n(
                        "ref_differ_on",
                        differs.len(),
                        &[("list", &differs.join("; "))],
                    )
                },
            ),
            ("same", &tr.int(same)),
        ],
    );
    Chart {
        name: name.into(),
        title: tr.f("ref_title", &[("who", &who)]),
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
    tr: &Tr,
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
    let width = 930.0_f64;
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
            &tr.t("commitment_period"),
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
        &tr.f("as_of_date", &[("date", &tr.date(as_of))]),
    );
    let mut parts = Vec::new();
    let mut status_width = 0.0_f64;
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
                    "{}{level}{}",
                    tr.f("due", &[("date", &tr.date(m.due.as_deref().unwrap_or("")))]),
                    if m.overdue {
                        format!(" · {}", tr.t("overdue_caps"))
                    } else {
                        String::new()
                    }
                )
            }
            (Some(text), None) => format!("{}{level}", tr.f("due", &[("date", text)])),
            (None, None) => format!("{}{level}", tr.t("no_due_date")),
        };
        status_width = status_width.max(if m.overdue {
            bold_text_width(&status, 11.0)
        } else {
            text_width(&status, 11.0)
        });
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
    // Legend, laid out by the width of its words (they are longer in some languages).
    let ly = bottom + 42.0;
    let mut lx = x0;
    let complete = tr.t("complete");
    d.circle(lx + 6.0, ly - 4.0, 5.5, &format!("fill=\"{BLUE}\""));
    d.text(lx + 16.0, ly, "start", "font-size=\"11\"", &complete);
    lx += 16.0 + text_width(&complete, 11.0) + 18.0;
    let pending = tr.t("not_complete_not_overdue");
    d.circle(
        lx + 6.0,
        ly - 4.0,
        5.0,
        &format!("fill=\"#FFFFFF\" stroke=\"{BLUE}\" stroke-width=\"2\""),
    );
    d.text(lx + 16.0, ly, "start", "font-size=\"11\"", &pending);
    lx += 16.0 + text_width(&pending, 11.0) + 18.0;
    let overdue_word = tr.t("overdue");
    d.cross(lx + 6.0, ly - 4.0, 5.0, VERMILLION);
    d.text(lx + 16.0, ly, "start", "font-size=\"11\"", &overdue_word);
    lx += 16.0 + text_width(&overdue_word, 11.0) + 18.0;
    let as_of_word = tr.t("as_of_line");
    d.line(
        lx + 2.0,
        ly - 12.0,
        lx + 2.0,
        ly + 2.0,
        &format!("stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\""),
    );
    d.text(lx + 8.0, ly, "start", "font-size=\"11\"", &as_of_word);
    lx += 8.0 + text_width(&as_of_word, 11.0) + 8.0;
    let width = width.max(sx + status_width + 12.0).max(lx);
    let overdue = milestones.iter().filter(|m| m.overdue).count();
    Some(Chart {
        name: name.into(),
        title: tr.f("timeline_title", &[("id", &commitment)]),
        desc: tr.f(
            "timeline_desc",
            &[
                ("n", &tr.int(milestones.len())),
                ("id", &commitment),
                ("date", &tr.date(as_of)),
                ("overdue", &tr.int(overdue)),
                ("parts", &parts.join("; ")),
            ],
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
        let lines = id_lines(&Tr::english(), &ids, 180.0, 11.0, 2);
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
        assert_eq!(
            id_lines(&Tr::english(), &ids[..2], 180.0, 11.0, 2),
            ["GR0001, GR0002"]
        );
        assert!(id_lines(&Tr::english(), &[], 180.0, 11.0, 2).is_empty());
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
