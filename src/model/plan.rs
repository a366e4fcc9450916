//! The action plan being assessed: its commitments, their milestones, and who evaluates them.

use serde::Serialize;

use super::Date;
use crate::source::Span;

/// A whole `plan.toml`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub country: String,
    pub title: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub organisation: Option<String>,
    pub language: Option<String>,
    /// The optional `[comment]` table: who sends the comment on the IRM's report, and how the
    /// monitoring was done (read by `draft`).
    pub comment: CommentHeader,
    pub settings: Settings,
    pub evaluators: Vec<Evaluator>,
    pub commitments: Vec<Commitment>,
}

/// The `[assessment]` table: how to run the assessment.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A built-in rubric id or a path relative to plan.toml, with where it was written.
    pub rubric: Option<(String, Span)>,
    /// Globs relative to plan.toml; empty means the default.
    pub scores: Vec<String>,
    pub as_of: Option<Date>,
    /// Evaluators whose ratings are an outside view, with where each was named.
    pub reference: Vec<(String, Span)>,
}

/// Who an evaluator speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    CivilSociety,
    Government,
    Irm,
    Other,
    /// What the coalition agreed after discussing: where it gave a level, that is the unit's
    /// combined level; never part of agreement statistics.
    Consensus,
}

impl Role {
    pub const ALL: [(&'static str, Role); 5] = [
        ("civil-society", Role::CivilSociety),
        ("government", Role::Government),
        ("irm", Role::Irm),
        ("other", Role::Other),
        ("consensus", Role::Consensus),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("other", |(id, _)| id)
    }
}

/// An `[[evaluator]]` entry.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub id: String,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub role: Role,
    pub span: Span,
}

/// The four OGP values a commitment can be relevant to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OgpValue {
    AccessToInformation,
    CivicParticipation,
    PublicAccountability,
    TechnologyInnovation,
}

impl OgpValue {
    pub const ALL: [(&'static str, OgpValue); 4] = [
        ("access-to-information", OgpValue::AccessToInformation),
        ("civic-participation", OgpValue::CivicParticipation),
        ("public-accountability", OgpValue::PublicAccountability),
        ("technology-innovation", OgpValue::TechnologyInnovation),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(id, _)| id)
    }

    /// How OGP writes the value's name.
    pub fn name(self) -> &'static str {
        match self {
            OgpValue::AccessToInformation => "Access to information",
            OgpValue::CivicParticipation => "Civic participation",
            OgpValue::PublicAccountability => "Public accountability",
            OgpValue::TechnologyInnovation => "Technology and innovation",
        }
    }
}

/// A `[[commitment]]`.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub id: String,
    pub title: String,
    pub lead: Option<String>,
    pub supporting: Vec<String>,
    pub values: Vec<OgpValue>,
    pub themes: Vec<String>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub description: Option<String>,
    pub ogp_id: Option<String>,
    pub milestones: Vec<Milestone>,
    /// The `[[commitment.event]]` timeline, in date order (what the draft tells).
    pub events: Vec<Event>,
    /// Where the commitment's `id` was written.
    pub span: Span,
}

/// The `[comment]` table of plan.toml: the header and overview of the coalition's comment on
/// the IRM's report. Every key is optional; `draft` marks what is missing as a place to write.
/// `overview`, `monitoring` and `funders` may hold Markdown; the other keys are plain text.
#[derive(Debug, Clone, Default)]
pub struct CommentHeader {
    /// The organisation sending the comment (default: `[plan] organisation`).
    pub organisation: Option<String>,
    /// Who wrote it.
    pub authors: Vec<String>,
    /// How to reach them (an e-mail address, a telephone number).
    pub contact: Option<String>,
    /// The IRM report commented on ("Second Progress Report 2016–2017").
    pub report: Option<String>,
    /// When and how the monitoring was done.
    pub monitoring: Option<String>,
    /// Who funded the monitoring.
    pub funders: Option<String>,
    /// The general overview, in the coalition's own words.
    pub overview: Option<String>,
}

/// A dated event of a commitment's story (`[[commitment.event]]`): a meeting with the lead
/// agency, a launch, a change of lead agency. `text` may hold Markdown.
#[derive(Debug, Clone)]
pub struct Event {
    pub date: Date,
    pub text: String,
    /// Where it is recorded (a web address or a document's name).
    pub source: Option<String>,
}

/// A `[[commitment.milestone]]`.
#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    /// When work on it starts (never after `due`).
    pub start: Option<Date>,
    pub due: Option<Date>,
    /// Weight in the roll-up to the commitment; positive, default 1.
    pub weight: f64,
    pub span: Span,
}

impl Plan {
    /// The index of a commitment by id.
    pub fn commitment_index(&self, id: &str) -> Option<usize> {
        self.commitments.iter().position(|c| c.id == id)
    }

    /// Whether an evaluator's ratings are an outside view (not combined).
    pub fn is_reference(&self, evaluator: &str) -> bool {
        self.settings.reference.iter().any(|(r, _)| r == evaluator)
    }

    /// Whether an evaluator records the coalition's agreed ratings (`role = "consensus"`).
    pub fn is_consensus(&self, evaluator: &str) -> bool {
        self.evaluator(evaluator)
            .is_some_and(|e| e.role == Role::Consensus)
    }

    /// The declared evaluator with this id.
    pub fn evaluator(&self, id: &str) -> Option<&Evaluator> {
        self.evaluators.iter().find(|e| e.id == id)
    }
}
