//! Domain types only, no I/O: the action plan, the rubric and the evaluators' scores, as the
//! loaders build them after every check has passed. Values that later checks may need to point
//! at keep their [`Span`](crate::source::Span).

pub mod plan;
pub mod rubric;
pub mod scores;

pub use plan::{Commitment, Evaluator, Milestone, OgpValue, Plan, Role};
pub use rubric::{
    Band, Combine, CondTest, Condition, ConditionKind, Criterion, Flag, Level, RatingRule, RollUp,
    Rubric, ScaleKind, Scope, Status,
};
pub use scores::{ByCommitment, Note, Rating, Scores, Unit};

/// A calendar date (no time of day).
pub type Date = jiff::civil::Date;
