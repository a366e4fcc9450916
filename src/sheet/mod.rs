//! Blank scoring sheets: one evaluator's score file, ready to fill in, in the wide form that
//! the score reader accepts without any conversion (see docs/formats.md §5.2).
//!
//! [`Layout`] decides the columns and rows from the plan and rubric: one row per commitment
//! when the rubric has commitment-level criteria, and one row per milestone when it has
//! milestone-level criteria. [`csv`] writes it as CSV; [`xlsx`] (with the `spreadsheets`
//! feature) as a workbook with drop-down lists, shading of the cells that do not apply, and an
//! Instructions sheet.

pub mod consensus;
#[cfg(feature = "spreadsheets")]
pub mod xlsx;

use crate::model::{Plan, Rubric, Scope};

/// The fixed columns that come after the criteria.
pub const NOTE_COLUMNS: [&str; 3] = ["evidence", "comment", "next_steps"];

/// One row of a blank sheet: a commitment, or one of its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Index of the commitment in the plan.
    pub commitment: usize,
    /// Index of the milestone in its commitment; `None` for the commitment's own row.
    pub milestone: Option<usize>,
}

impl Row {
    /// The scope of the criteria rated on this row.
    pub fn scope(self) -> Scope {
        if self.milestone.is_some() {
            Scope::Milestone
        } else {
            Scope::Commitment
        }
    }
}

/// The shape of a blank sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Whether there is a `milestone` column (only when some criterion is rated per milestone).
    pub milestone_column: bool,
    /// The rows, in plan order: each commitment's own row, then its milestones' rows.
    pub rows: Vec<Row>,
    /// Ids of the commitments that get no milestone row although the rubric rates milestones
    /// (they have no milestones in the plan).
    pub without_milestones: Vec<String>,
}

impl Layout {
    /// Lays out a sheet for this plan and rubric.
    pub fn new(plan: &Plan, rubric: &Rubric) -> Self {
        let per_milestone = rubric.criteria.iter().any(|c| c.scope == Scope::Milestone);
        let per_commitment = rubric.criteria.iter().any(|c| c.scope == Scope::Commitment);
        let mut rows = Vec::new();
        let mut without_milestones = Vec::new();
        for (ci, c) in plan.commitments.iter().enumerate() {
            if per_commitment {
                rows.push(Row {
                    commitment: ci,
                    milestone: None,
                });
            }
            if per_milestone {
                if c.milestones.is_empty() {
                    without_milestones.push(c.id.clone());
                }
                rows.extend((0..c.milestones.len()).map(|mi| Row {
                    commitment: ci,
                    milestone: Some(mi),
                }));
            }
        }
        Layout {
            milestone_column: per_milestone,
            rows,
            without_milestones,
        }
    }

    /// The header: `evaluator`, `commitment`, `milestone` (when needed), one column per
    /// criterion id, then `evidence`, `comment`, `next_steps`.
    pub fn columns(&self, rubric: &Rubric) -> Vec<String> {
        let mut columns = vec!["evaluator".to_string(), "commitment".to_string()];
        if self.milestone_column {
            columns.push("milestone".into());
        }
        columns.extend(rubric.criteria.iter().map(|c| c.id.clone()));
        columns.extend(NOTE_COLUMNS.iter().map(|s| (*s).to_string()));
        columns
    }

    /// How many id columns come before the criteria (2 or 3).
    pub fn id_columns(&self) -> usize {
        if self.milestone_column { 3 } else { 2 }
    }

    /// The id cells of a row: evaluator, commitment, and milestone (when there is that column).
    pub fn ids(&self, plan: &Plan, evaluator: &str, row: Row) -> Vec<String> {
        let c = &plan.commitments[row.commitment];
        let mut ids = vec![evaluator.to_string(), c.id.clone()];
        if self.milestone_column {
            ids.push(
                row.milestone
                    .and_then(|m| c.milestones.get(m))
                    .map(|m| m.id.clone())
                    .unwrap_or_default(),
            );
        }
        ids
    }
}

/// The blank sheet as CSV text (UTF-8, comma-separated, `\n` line ends, no byte-order mark).
pub fn csv(
    plan: &Plan,
    rubric: &Rubric,
    layout: &Layout,
    evaluator: &str,
) -> anyhow::Result<String> {
    let columns = layout.columns(rubric);
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Ids that start like a formula (`=`, `+`, `-`, `@`) get a leading `'`, which the score
    // reader takes off again: a spreadsheet never runs them.
    let safe = |cell: &String| crate::text::formula_safe(cell).into_owned();
    w.write_record(columns.iter().map(safe))?;
    let blanks = columns.len() - layout.id_columns();
    for &row in &layout.rows {
        let mut record: Vec<String> = layout.ids(plan, evaluator, row).iter().map(safe).collect();
        record.extend(std::iter::repeat_n(String::new(), blanks));
        w.write_record(&record)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// A file-name-safe version of an evaluator id: letters (any script), digits, `-`, `_` and `.`
/// are kept, runs of anything else become one `-`; never empty, never hidden (no leading `.`).
pub fn file_stem(evaluator: &str) -> String {
    let mut out = String::new();
    for ch in evaluator.trim().chars() {
        if ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.') {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    let mut stem: String = trimmed.chars().take(80).collect();
    if stem.is_empty() {
        stem = "evaluator".into();
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("demo"), "demo");
        assert_eq!(
            file_stem("Transparency MN / team 2"),
            "Transparency-MN-team-2"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("Ардчилал"), "Ардчилал");
        assert_eq!(file_stem("   "), "evaluator");
        assert_eq!(file_stem(".hidden"), "hidden");
    }
}
