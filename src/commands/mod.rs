//! One module per subcommand, each owning its arguments and its `run`.

pub mod agreement;
pub mod assess;
pub mod common;
pub mod compare;
pub mod completions;
pub mod draft;
pub mod explain;
pub mod generate;
pub mod import;
pub mod init;
pub mod man;
pub mod report;
pub mod rubric;
pub mod sheet;
pub mod summary;
pub mod validate;

use std::io::Write;

use crate::diag::Report;

/// Prints a report's diagnostics to stderr.
pub fn print_report(report: &Report) -> std::io::Result<()> {
    if report.is_empty() {
        return Ok(());
    }
    let mut err = anstream::stderr().lock();
    err.write_all(report.render().as_bytes())?;
    err.flush()
}
