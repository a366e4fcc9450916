//! CHECK MY OGP: civil-society assessment of Open Government Partnership action plans.
//!
//! Data flows one way: [`load`] reads and checks the plan, rubric and scores into the
//! [`model`]; the assessment and agreement code compute from the model; renderers turn
//! results into tables, JSON, CSV and Markdown. [`cli`] wires the commands together.

pub mod agreement;
pub mod assess;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod diag;
pub mod draft;
pub mod import;
pub mod load;
pub mod model;
pub mod par;
pub mod render;
pub mod report;
pub mod results;
pub mod sheet;
pub mod source;
pub mod suggest;
pub mod terminal;
pub mod text;
pub mod wording;
pub mod write;
