//! Importers: turning data published elsewhere into an assessment folder (a `plan.toml` and
//! score files) that the other commands read.
//!
//! - [`ogp`]: OGP's commitments and IRM database (CSV): the commitments of one action plan and
//!   the IRM's official ratings, as evaluator `irm`.
//!
//! Importers build the files' text; `commands::import` writes them through [`crate::write`].
//! [`dates`] reads the many ways dates are written in such data, and [`toml_text`] writes
//! TOML values that always read back exactly.

pub mod dates;
pub mod ogp;
pub mod toml_text;
