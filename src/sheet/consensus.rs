//! The consensus sheet: the units and criteria on which the evaluators disagree, each with the
//! levels they gave, as a long-form score file for the coalition's evaluator with
//! `role = "consensus"` to fill in at the meeting (see docs/formats.md §3, `[[evaluator]]`).

use crate::assess::{Assessment, Combined};
use crate::model::{Plan, Rubric, Scores};

/// The column that reminds the meeting of the levels given; the score reader skips it.
pub const GIVEN_COLUMN: &str = "levels_given";

/// The sheet's columns: a long-form score file, with the reminder before `level`.
pub const COLUMNS: [&str; 8] = [
    "evaluator",
    "commitment",
    "milestone",
    "criterion",
    GIVEN_COLUMN,
    "level",
    "evidence",
    "comment",
];

/// One row to settle: a unit and criterion on which the evaluators disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub commitment: String,
    pub milestone: Option<String>,
    pub criterion: String,
    /// `demo: Complete; wsp: Limited`, in evaluator order (`n/a` for "no rating").
    pub given: String,
    /// What the consensus evaluator already recorded, if anything.
    pub agreed: Option<String>,
    /// The evaluators disagree on it (otherwise it is listed because it was already agreed).
    pub disagreement: bool,
    /// The evidence and comment it recorded with that answer (loaded with notes only).
    pub evidence: String,
    pub comment: String,
}

/// Every unit and criterion where the combined evaluators disagree, or where the consensus
/// evaluator already recorded an answer (so that a sheet written again keeps every decision),
/// in plan and rubric order: commitment-scope criteria on the commitment, milestone-scope
/// criteria on each milestone.
pub fn rows(plan: &Plan, rubric: &Rubric, scores: &Scores, assessment: &Assessment) -> Vec<Row> {
    let mut out = Vec::new();
    for r in &assessment.commitments {
        let c = &plan.commitments[r.index];
        for (k, crit) in rubric.criteria.iter().enumerate() {
            let mut push = |milestone: Option<String>, mi: Option<u32>, comb: &Combined| {
                if !comb.disagreement && !comb.consensus {
                    return;
                }
                // The consensus evaluator's own note on this unit and criterion, if loaded.
                let note = comb
                    .consensus
                    .then(|| {
                        scores.notes.iter().find(|n| {
                            assessment.consensus_evaluators.contains(&n.evaluator)
                                && n.unit.commitment as usize == r.index
                                && n.unit.milestone == mi
                                && n.criterion.is_none_or(|x| usize::from(x) == k)
                        })
                    })
                    .flatten();
                let text = |i: u32| scores.texts.get(i as usize).cloned().unwrap_or_default();
                let given = comb
                    .by_evaluator
                    .iter()
                    .map(|(e, l)| {
                        format!(
                            "{}: {}",
                            scores.evaluator_name(*e),
                            l.map_or("n/a", |l| crit.label(usize::from(l)))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                out.push(Row {
                    commitment: c.id.clone(),
                    milestone,
                    criterion: crit.id.clone(),
                    given,
                    agreed: comb
                        .consensus
                        .then(|| comb.answer().map(|a| crit.label(a).to_string()))
                        .flatten(),
                    disagreement: comb.disagreement,
                    evidence: note.map(|n| text(n.evidence)).unwrap_or_default(),
                    comment: note.map(|n| text(n.comment)).unwrap_or_default(),
                });
            };
            match crit.scope {
                crate::model::Scope::Commitment => push(None, None, &r.view.criteria[k]),
                crate::model::Scope::Milestone => {
                    for (mi, m) in c.milestones.iter().enumerate() {
                        if let Some(comb) = r.view.milestones[mi][k].as_ref() {
                            let id = u32::try_from(mi).unwrap_or(u32::MAX);
                            push(Some(m.id.clone()), Some(id), comb);
                        }
                    }
                }
            }
        }
    }
    out
}

/// The sheet as CSV text (UTF-8, `\n` line ends, no byte-order mark), every cell that a
/// spreadsheet would run as a formula neutralised.
pub fn csv(rows: &[Row], evaluator: &str) -> anyhow::Result<String> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        let cells = [
            evaluator,
            &r.commitment,
            r.milestone.as_deref().unwrap_or(""),
            &r.criterion,
            &r.given,
            r.agreed.as_deref().unwrap_or(""),
            &r.evidence,
            &r.comment,
        ];
        w.write_record(
            cells
                .iter()
                .map(|c| crate::text::formula_safe(c).into_owned()),
        )?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
