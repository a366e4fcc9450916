//! OGP's commitments and IRM database, as CSV (the layout of the public Google Sheet and of its
//! extracts, such as `open_parliament_0703.csv`: one row per commitment, 171 columns).
//!
//! [`read`] loads the file ([`table`]); [`action_plans`] groups its rows by country and action
//! plan and decides which IRM rubric each plan was assessed with ([`plans`]); [`import`] turns
//! one action plan into the text of a `plan.toml` and of a long-form score file holding the
//! IRM's ratings as evaluator `irm` ([`convert`], `write`). [`labels`] maps OGP's spellings
//! to the rubrics' levels, [`institutions`] splits lists of supporting institutions, and
//! [`milestones`] reads the milestones and the sections of a commitment's `Full Text`, and
//! [`description`] lays its description out as the government wrote it.
//!
//! Nothing is dropped silently: every value that is not imported is reported as a located
//! warning (row and column), every date that had to be guessed as a located note.
//! docs/import.md describes the columns used and the mappings.

pub mod convert;
pub mod description;
pub mod institutions;
pub mod labels;
pub mod milestones;
pub mod plans;
pub mod table;
mod write;

pub use convert::{Imported, Stage, TooLarge, import};
pub use institutions::split_institutions;
pub use labels::{level, levels};
pub use milestones::Layout;
pub use plans::{ActionPlan, action_plans, countries};
pub use table::{Row, Table, column_letter, read};

use super::dates;

// The columns read, by their names in OGP's header.
const ID: &str = "Commitment Unique Identifier";
const COUNTRY: &str = "Country/Locality";
const PLAN_NUMBER: &str = "Action Plan Number";
const COMMITMENT_NUMBER: &str = "Commitment Number";
const YEAR_SUBMITTED: &str = "Year Of Submission";
const YEAR_END: &str = "Action Plan End Year";
const ACTION_PLAN_ID: &str = "Action Plan ID";
const THEME: &str = "Theme";
const TITLE: &str = "Commitment Title";
const SHORT_TITLE: &str = "Short Title";
const FULL_TEXT: &str = "Full Text";
const START: &str = "Start Date";
const END: &str = "End Date";
const LEAD: &str = "Lead Institution";
const SUPPORTING: &str = "Supporting Institution(s)";
/// The policy-area tags (1/0) are the columns between these two.
const TAGS_BEFORE: &str = "Report Publication Year (Progress Report)";
const REPORT_YEAR_PROGRESS: &str = "Report Publication Year (Progress Report)";
const REPORT_YEAR_END: &str = "Report Publication Year (End Of Term)";
const SPECIFICITY: &str = "Specificity";
const VERIFIABLE: &str = "Verifiable";
const RELEVANT: &str = "_Relevant";
const POTENTIAL_IMPACT: &str = "Potential Impact";
const COMPLETION_PROGRESS: &str = "Completion (Progress Report)";
const POTENTIAL_FOR_RESULTS: &str = "Potential for Results";
const COMPLETION_END: &str = "Completion (End Of Term)";
const CHANGE_IN_COMPLETION: &str = "Change In Completion";
const EARLY_RESULTS: &str = "Early Results";
const DIOG: &str = "Did It Open Government (Overall)";
const DIOG_BY_VALUE: [(&str, &str); 3] = [
    (
        "Did It Open Government (Access To Information)",
        "access to information",
    ),
    (
        "Did It Open Government (Civic Participation)",
        "civic participation",
    ),
    (
        "Did It Open Government: Public Accountability",
        "public accountability",
    ),
];
const URL: &str = "URL";
const LATEST_REPORT: &str = "Latest IRM Report";

/// The four OGP value columns (1/0) and the value ids of plan.toml and the legacy rubric.
pub const VALUES: [(&str, &str); 4] = [
    ("OGP Value Access To Information", "access-to-information"),
    ("OGP Value Civic Participation", "civic-participation"),
    ("OGP Value Public Accountability", "public-accountability"),
    ("OGP Value Technology", "technology-innovation"),
];

/// The IRM rubric an action plan was assessed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rubric {
    /// Progress and end-of-term reports, 2012–2020.
    Legacy,
    /// Action Plan Review and Results Report, since 2021.
    Refresh,
}

impl Rubric {
    /// The built-in rubric's id.
    pub fn id(self) -> &'static str {
        match self {
            Rubric::Legacy => "irm-legacy",
            Rubric::Refresh => "irm-refresh",
        }
    }
}

/// Which IRM report's ratings are imported (docs/import.md §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Round {
    /// For each criterion, the latest rating present (completion: end of term, else progress
    /// report).
    #[default]
    #[value(skip)]
    Latest,
    /// What the progress report (mid-term) rated: the design ratings and its completion.
    Progress,
    /// What the end-of-term (or Results) report rated: the design ratings, its completion and
    /// its results.
    EndOfTerm,
}

/// Whether a cell holds nothing, or one of OGP's missing-value markers (`ND`, `NR`, `NA`).
pub fn is_marker(text: &str) -> bool {
    dates::is_marker(text)
}

/// Collapses runs of white space (line breaks included) into single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
