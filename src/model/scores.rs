//! The evaluators' ratings, resolved against the plan and rubric: compact records that point at
//! commitments, milestones, criteria and levels by index, and at the file line they came from.

use crate::source::FileId;

/// What was rated: a commitment, or one of its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    pub commitment: u32,
    /// `None` for the commitment itself.
    pub milestone: Option<u32>,
}

/// One evaluator's answer to one criterion for one unit. Kept small (24 bytes): an assessment
/// can hold millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub evaluator: u32,
    pub unit: Unit,
    pub criterion: u16,
    /// The level index, or `None` for an explicit "no rating" (`n/a`, `ND`, …).
    pub level: Option<u16>,
    pub file: FileId,
    pub line: u32,
}

/// Free text an evaluator wrote about a unit: evidence, comment and next steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub evaluator: u32,
    pub unit: Unit,
    /// The criterion the note belongs to (long form), or `None` for a whole row (wide form).
    pub criterion: Option<u16>,
    pub evidence: String,
    pub comment: String,
    pub next_steps: String,
    pub file: FileId,
    pub line: u32,
}

/// Every rating of an assessment.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Evaluator ids, in order of first appearance.
    pub evaluators: Vec<String>,
    pub ratings: Vec<Rating>,
    pub notes: Vec<Note>,
}

impl Scores {
    pub fn evaluator_index(&self, id: &str) -> Option<u32> {
        self.evaluators
            .iter()
            .position(|e| e == id)
            .and_then(|i| u32::try_from(i).ok())
    }

    pub fn evaluator_name(&self, index: u32) -> &str {
        self.evaluators
            .get(index as usize)
            .map_or("?", String::as_str)
    }
}
