//! The blank scoring sheet as an Excel workbook (`.xlsx`), also opened by LibreOffice Calc and
//! Google Sheets.
//!
//! Three sheets, in this order (the score reader reads the first one):
//!
//! 1. **Scores**: the same header and rows as the CSV sheet, with the header row and the id
//!    columns frozen, readable column widths, id cells formatted as text (so `1.10` stays
//!    `1.10`), each commitment's and milestone's title in a note on its id cell, and on each
//!    criterion column a drop-down list of the criterion's levels and the rubric's no-rating
//!    words, only on the rows where the criterion is rated; the other cells are shaded grey
//!    and refuse input.
//! 2. **Instructions**: how to fill in the sheet, the review date (the plan's `as_of`), every
//!    criterion's question and levels with their descriptions and which levels need evidence,
//!    and the list of commitments and milestones with their titles.
//! 3. **Lists** (hidden): the drop-down lists' values, one column per criterion.

use anyhow::{Context, Result};

use super::{Layout, Row};
use crate::model::{Criterion, Plan, Rubric, ScaleKind, Scope};
use crate::render::xlsx_stream::{
    Book, Border, Note, Rule, SheetSpec, SheetWriter, Style, Validation, column_name,
};

/// The sheet names, in workbook order.
pub const SCORES: &str = "Scores";
pub const INSTRUCTIONS: &str = "Instructions";
pub const LISTS: &str = "Lists";

/// Excel's limits on data-validation titles and messages (in characters).
const TITLE_MAX: usize = 32;
const MESSAGE_MAX: usize = 255;
/// How many cell ranges one data validation covers (keeps each `sqref` short).
const RANGES_PER_VALIDATION: usize = 200;

const GREY: u32 = 0xD9D9D9;
const HEADER_BLUE: u32 = 0xDDEBF7;

/// Text cut to `max` characters as Excel counts them (UTF-16 units), with `…` when cut.
fn clip(text: &str, max: usize) -> String {
    crate::render::xlsx::clip_units(text, max).into_owned()
}

/// The most characters a spreadsheet cell holds (UTF-16 units, as Excel counts them).
const CELL_MAX: usize = 32_767;

/// An id or label the sheet must hold exactly (it is read back): one longer than a cell holds
/// is an error naming it, with what to do instead.
fn exact<'a>(what: &str, text: &'a str) -> Result<&'a str> {
    let units = crate::render::xlsx::units(text);
    if units <= CELL_MAX {
        return Ok(text);
    }
    anyhow::bail!(
        "the {what} \"{}\" is {} characters long; a spreadsheet cell holds at most {CELL_MAX}, so it cannot go in an .xlsx sheet.\n\
         Shorten it in the plan or rubric, or write the sheet as CSV (leave out --format xlsx).",
        crate::text::printable(text, 40),
        units
    )
}

fn row_num(i: usize) -> Result<u32> {
    u32::try_from(i)
        .ok()
        .filter(|&r| r < 1_048_576)
        .context("the plan has more rows than a spreadsheet can hold (1,048,576); use --format csv")
}

fn col_num(i: usize) -> Result<u16> {
    u16::try_from(i)
        .ok()
        .filter(|&c| c < 16_384)
        .context("the rubric has more criteria than a spreadsheet has columns; use --format csv")
}

/// The choices offered in a criterion's drop-down list: its level labels, its statuses, then
/// the rubric's non-blank no-rating words (each once, ignoring case).
pub fn choices(criterion: &Criterion, rubric: &Rubric) -> Vec<String> {
    let mut out: Vec<String> = criterion.answer_labels().map(str::to_string).collect();
    for w in &rubric.no_rating {
        let w = w.trim();
        if !w.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(w)) {
            out.push(w.to_string());
        }
    }
    out
}

/// Whether criterion `k` is rated on `row`.
fn applies(rubric: &Rubric, k: usize, row: Row) -> bool {
    rubric.criteria[k].scope == row.scope()
}

/// Runs of consecutive sheet rows (0-based, header = 0) where `wanted` holds, as `A2:A9` ranges.
fn ranges(layout: &Layout, letter: &str, wanted: impl Fn(Row) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let close = |from: usize, to: usize, out: &mut Vec<String>| {
        // Sheet rows are 1-based and the header is row 1, so layout row i is sheet row i + 2.
        if from == to {
            out.push(format!("{letter}{}", from + 2));
        } else {
            out.push(format!("{letter}{}:{letter}{}", from + 2, to + 2));
        }
    };
    for (i, &row) in layout.rows.iter().enumerate() {
        match (wanted(row), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                close(s, i - 1, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        close(s, layout.rows.len() - 1, &mut out);
    }
    out
}

/// Writes `validation` over every range in `ranges` (several validations when there are many).
fn validate_ranges(
    ws: &mut SheetWriter<'_>,
    ranges: &[String],
    validation: &Validation<'_>,
) -> Result<()> {
    for chunk in ranges.chunks(RANGES_PER_VALIDATION) {
        ws.validation(validation, &chunk.join(" "))?;
    }
    Ok(())
}

fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Commitment => "commitment",
        Scope::Milestone => "milestone",
    }
}

/// The workbook's bytes. Rows are written as they are made, straight into the compressed
/// file: memory grows with the file, not with the cells (a 50,000-row sheet takes a few MB).
pub fn workbook(plan: &Plan, rubric: &Rubric, layout: &Layout, evaluator: &str) -> Result<Vec<u8>> {
    let mut book = Book::new();
    scores_sheet(&mut book, plan, rubric, layout, evaluator)?;
    instructions_sheet(&mut book, plan, rubric, evaluator)?;
    lists_sheet(&mut book, rubric)?;
    book.finish()
}

/// The note on a criterion's header cell.
fn header_note(crit: &Criterion) -> String {
    clip(
        &format!(
            "{} (rated per {}): {}",
            crit.name,
            scope_words(crit.scope),
            crit.question
        ),
        2000,
    )
}

/// The note on a row's id cell (its column and text): the commitment's or milestone's title.
fn row_note(plan: &Plan, row: Row) -> (u16, String) {
    let commitment = &plan.commitments[row.commitment];
    let (col, text) = match row.milestone.and_then(|m| commitment.milestones.get(m)) {
        Some(m) => (
            2,
            format!(
                "Milestone {}: {}{}",
                m.id,
                m.title,
                m.due.map(|d| format!("\nDue {d}")).unwrap_or_default()
            ),
        ),
        None => (
            1,
            format!(
                "Commitment {}: {}{}",
                commitment.id,
                commitment.title,
                commitment
                    .lead
                    .as_ref()
                    .map(|l| format!("\nLead: {l}"))
                    .unwrap_or_default()
            ),
        ),
    };
    (col, clip(&text, 2000))
}

fn scores_sheet(
    book: &mut Book,
    plan: &Plan,
    rubric: &Rubric,
    layout: &Layout,
    evaluator: &str,
) -> Result<()> {
    let columns = layout.columns(rubric);
    let ids = layout.id_columns();
    let n_crit = rubric.criteria.len();
    col_num(columns.len().saturating_sub(1))?;
    row_num(layout.rows.len())?;

    // Widths (in characters).
    let widest = |values: &mut dyn Iterator<Item = usize>, min: usize, max: usize| {
        values.fold(min, usize::max).min(max) as f64 + 2.0
    };
    let mut widths = vec![(
        0,
        widest(&mut std::iter::once(evaluator.chars().count()), 10, 30),
    )];
    let mut commitment_ids = plan.commitments.iter().map(|c| c.id.chars().count());
    widths.push((1, widest(&mut commitment_ids, 11, 20)));
    if layout.milestone_column {
        let mut milestone_ids = plan
            .commitments
            .iter()
            .flat_map(|c| c.milestones.iter().map(|m| m.id.chars().count()));
        widths.push((2, widest(&mut milestone_ids, 10, 20)));
    }
    for (k, crit) in rubric.criteria.iter().enumerate() {
        let mut lengths = choices(crit, rubric)
            .into_iter()
            .map(|c| c.chars().count() + 3)
            .chain(std::iter::once(crit.id.chars().count()));
        widths.push((col_num(ids + k)?, widest(&mut lengths, 12, 32)));
    }
    for (n, width) in [40.0, 50.0, 40.0].into_iter().enumerate() {
        widths.push((col_num(ids + n_crit + n)?, width));
    }

    let header = book.style(Style {
        bold: true,
        fill: Some(HEADER_BLUE),
        border: Border::BottomThin,
        ..Style::default()
    });
    let text = book.style(Style {
        text: true,
        ..Style::default()
    });
    let input = book.style(Style {
        text: true,
        border: Border::HairGrey,
        ..Style::default()
    });
    let na = book.style(Style {
        text: true,
        fill: Some(GREY),
        ..Style::default()
    });
    let wrap = book.style(Style {
        text: true,
        wrap: true,
        top: true,
        border: Border::HairGrey,
        ..Style::default()
    });

    let mut ws = book.sheet(&SheetSpec {
        name: SCORES.to_string(),
        widths,
        freeze: (1, col_num(ids)?),
        selected: true,
        hidden: false,
    })?;
    for (c, name) in columns.iter().enumerate() {
        ws.string(0, col_num(c)?, exact("column name", name)?, header)?;
    }
    for (i, &row) in layout.rows.iter().enumerate() {
        let r = row_num(i + 1)?;
        for (c, value) in layout.ids(plan, evaluator, row).iter().enumerate() {
            ws.string(r, col_num(c)?, exact("id", value)?, text)?;
        }
        for k in 0..n_crit {
            let format = if applies(rubric, k, row) { input } else { na };
            ws.blank(r, col_num(ids + k)?, format)?;
        }
        for n in 0..super::NOTE_COLUMNS.len() {
            ws.blank(r, col_num(ids + n_crit + n)?, wrap)?;
        }
    }

    // Drop-down lists where a criterion applies; shaded, locked-out cells elsewhere.
    for (k, crit) in rubric.criteria.iter().enumerate() {
        let col = ids + k;
        let choices = choices(crit, rubric);
        let list_col = column_name(col_num(k)?);
        let range = format!("{LISTS}!${list_col}$2:${list_col}${}", choices.len() + 1);
        let prompt_title = clip(&crit.name, TITLE_MAX);
        let prompt = clip(
            &format!("{} Pick a level from the list.", crit.question),
            MESSAGE_MAX,
        );
        let error_title = clip(&format!("Not a level of {}", crit.id), TITLE_MAX);
        let error = clip(
            &format!(
                "Choose one of: {}. `checkmyogp validate` reports anything else.",
                choices.join(", ")
            ),
            MESSAGE_MAX,
        );
        let list = Validation {
            rule: Rule::List(&range),
            prompt_title: &prompt_title,
            prompt: &prompt,
            error_title: &error_title,
            error: &error,
            warning: true,
        };
        let letter = column_name(col_num(col)?);
        let wanted = ranges(layout, &letter, |row| crit.scope == row.scope());
        validate_ranges(&mut ws, &wanted, &list)?;
        let elsewhere = match crit.scope {
            Scope::Milestone => "on the milestone rows (those with a milestone id)",
            Scope::Commitment => "on the commitment's own row (the one without a milestone id)",
        };
        let error_title = clip(&format!("{} is not rated here", crit.id), TITLE_MAX);
        let error = clip(
            &format!(
                "`{}` is rated per {}: write it {elsewhere}. Grey cells stay empty.",
                crit.id,
                scope_words(crit.scope)
            ),
            MESSAGE_MAX,
        );
        let blocked = Validation {
            rule: Rule::EmptyOnly,
            prompt_title: "",
            prompt: "",
            error_title: &error_title,
            error: &error,
            warning: false,
        };
        let other = ranges(layout, &letter, |row| crit.scope != row.scope());
        validate_ranges(&mut ws, &other, &blocked)?;
    }
    ws.end_validations()?;
    ws.close(true)?;
    book.sheet_links(&mut std::iter::empty(), true)?;

    // Notes: what each criterion asks, on its header; each row's title, on its id.
    book.notes(&|emit| {
        for (k, crit) in rubric.criteria.iter().enumerate() {
            emit(Note {
                row: 0,
                col: col_num(ids + k)?,
                text: &header_note(crit),
                width: 320,
                height: 120,
            })?;
        }
        for (i, &row) in layout.rows.iter().enumerate() {
            let (col, text) = row_note(plan, row);
            emit(Note {
                row: row_num(i + 1)?,
                col,
                text: &text,
                width: 320,
                height: 100,
            })?;
        }
        Ok(())
    })
}

fn instructions_sheet(
    book: &mut Book,
    plan: &Plan,
    rubric: &Rubric,
    evaluator: &str,
) -> Result<()> {
    let title = book.style(Style {
        bold: true,
        size: 14,
        ..Style::default()
    });
    let heading = book.style(Style {
        bold: true,
        fill: Some(HEADER_BLUE),
        ..Style::default()
    });
    let label = book.style(Style {
        bold: true,
        top: true,
        ..Style::default()
    });
    let body = book.style(Style {
        wrap: true,
        top: true,
        ..Style::default()
    });
    let muted = book.style(Style {
        wrap: true,
        top: true,
        italic: true,
        ..Style::default()
    });
    let mut sheet = book.sheet(&SheetSpec {
        name: INSTRUCTIONS.to_string(),
        widths: vec![(0, 26.0), (1, 100.0)],
        ..SheetSpec::default()
    })?;

    let mut r: usize = 0;
    let mut line = |ws: &mut SheetWriter<'_>, a: &str, b: &str, fa: u32, fb: u32| -> Result<()> {
        let row = row_num(r)?;
        // Instructions are for reading: a text longer than a cell holds is shortened.
        if !a.is_empty() {
            ws.string(row, 0, &clip(a, CELL_MAX), fa)?;
        }
        if !b.is_empty() {
            ws.string(row, 1, &clip(b, CELL_MAX), fb)?;
        }
        r += 1;
        Ok(())
    };
    let ws = &mut sheet;

    line(
        ws,
        "Scoring sheet",
        &format!("{} — {}", plan.country, plan.title),
        title,
        title,
    )?;
    let declared = plan.evaluator(evaluator);
    let who = match declared {
        Some(e) => {
            let mut who = evaluator.to_string();
            let extra: Vec<&str> = [e.name.as_deref(), e.organisation.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !extra.is_empty() {
                who.push_str(&format!(" ({})", extra.join(", ")));
            }
            who
        }
        None => evaluator.to_string(),
    };
    line(ws, "Evaluator", &who, label, body)?;
    line(
        ws,
        "Rubric",
        &format!("{} ({})", rubric.name, rubric.id),
        label,
        body,
    )?;
    if let Some(org) = &plan.organisation {
        line(ws, "Assessment by", org, label, body)?;
    }
    if let Some(date) = plan.settings.as_of {
        line(
            ws,
            "Review date (deadline)",
            &format!(
                "{date}: rate what has been done by this date, and send the sheet back to your coordinator by then."
            ),
            label,
            body,
        )?;
    }
    line(ws, "", "", label, body)?;

    line(ws, "How to fill in", "", heading, heading)?;
    let words: Vec<&str> = rubric
        .no_rating
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    let evidence_levels: Vec<String> = rubric
        .criteria
        .iter()
        .filter_map(|c| {
            c.evidence_from
                .map(|e| format!("{} {} or higher", c.id, c.label(e)))
        })
        .collect();
    let steps = [
        format!(
            "The {SCORES} sheet has a row for each commitment and, for criteria rated per milestone, a row for each milestone. Keep the header row, the evaluator, commitment and milestone cells, and the order of the sheets as they are: checkmyogp reads the first sheet."
        ),
        "In each white cell of a criterion column, pick a level from the drop-down list. Grey cells do not apply to that row (the criterion is rated on the commitment's own row, or on its milestones' rows).".to_string(),
        format!(
            "Leave a cell blank when you did not look at it. When you looked but cannot give a rating (no information, not applicable), write {}.",
            match words.split_last() {
                None => "nothing".to_string(),
                Some((last, [])) => (*last).to_string(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            }
        ),
        if evidence_levels.is_empty() {
            "evidence: a link (https://…) or a precise document reference supporting the ratings of the row.".to_string()
        } else {
            format!(
                "evidence: a link (https://…) or a precise document reference supporting the ratings of the row. Required for {}: without it the rating is marked unsupported.",
                evidence_levels.join("; ")
            )
        },
        "comment: why you gave these ratings. next_steps: what you recommend. Both apply to the whole row.".to_string(),
        "Point at a commitment or milestone id to see its title; all of them are listed at the end of this sheet.".to_string(),
        "Save the file as it is (.xlsx) and send it back. Your coordinator puts it in the assessment's scores folder and runs `checkmyogp validate`.".to_string(),
    ];
    for (i, s) in steps.iter().enumerate() {
        line(ws, &format!("{}.", i + 1), s, label, body)?;
    }
    line(ws, "", "", label, body)?;

    line(ws, "Criteria", "", heading, heading)?;
    for crit in &rubric.criteria {
        line(
            ws,
            &crit.id,
            &format!("{} — rated per {}", crit.name, scope_words(crit.scope)),
            label,
            label,
        )?;
        line(ws, "Question", &crit.question, muted, body)?;
        for (i, level) in crit.levels.iter().enumerate() {
            let mut text = level.description.clone().unwrap_or_default();
            if crit.kind != ScaleKind::Nominal && crit.kind != ScaleKind::YesNo {
                text = format!("({}) {text}", crate::render::number(level.value));
            }
            if crit.evidence_from.is_some_and(|e| i >= e) {
                text.push_str(" Evidence required.");
            }
            line(ws, &format!("  {}", level.label), text.trim(), label, body)?;
        }
        for status in &crit.statuses {
            let text = format!(
                "(a status, not a level: never averaged or scored) {}",
                status.description.clone().unwrap_or_default()
            );
            line(ws, &format!("  {}", status.label), text.trim(), label, body)?;
        }
        line(ws, "", "", label, body)?;
    }
    if !words.is_empty() {
        line(
            ws,
            "No rating",
            &format!(
                "{}: you looked, but cannot give a rating. Counted as looked at, left out when ratings are combined.",
                words.join(", ")
            ),
            label,
            body,
        )?;
        line(ws, "", "", label, body)?;
    }

    line(ws, "Commitments", "", heading, heading)?;
    for c in &plan.commitments {
        let mut text = c.title.clone();
        if let Some(lead) = &c.lead {
            text.push_str(&format!(" — lead: {lead}"));
        }
        if let Some(end) = c.end {
            text.push_str(&format!(" — ends {end}"));
        }
        line(ws, &c.id, &text, label, body)?;
        for m in &c.milestones {
            let mut text = m.title.clone();
            if let Some(due) = m.due {
                text.push_str(&format!(" — due {due}"));
            }
            line(ws, &format!("  {}", m.id), &text, body, body)?;
        }
    }
    sheet.close(false)
}

/// The hidden sheet of drop-down values: one column per criterion, its id then its choices.
fn lists_sheet(book: &mut Book, rubric: &Rubric) -> Result<()> {
    let lists: Vec<Vec<String>> = rubric.criteria.iter().map(|c| choices(c, rubric)).collect();
    let mut ws = book.sheet(&SheetSpec {
        name: LISTS.to_string(),
        hidden: true,
        ..SheetSpec::default()
    })?;
    for (k, crit) in rubric.criteria.iter().enumerate() {
        ws.string(0, col_num(k)?, exact("criterion id", &crit.id)?, 0)?;
    }
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for (k, list) in lists.iter().enumerate() {
            if let Some(choice) = list.get(i) {
                ws.string(row_num(i + 1)?, col_num(k)?, exact("level", choice)?, 0)?;
            }
        }
    }
    ws.close(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_clipped_to_excel_limits() {
        assert_eq!(clip("short", 32), "short");
        let long = "x".repeat(300);
        assert_eq!(clip(&long, MESSAGE_MAX).chars().count(), MESSAGE_MAX);
        assert!(clip(&long, 10).ends_with('…'));
    }
}
