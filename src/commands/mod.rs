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

/// What a failed write to standard output says (a full disk behind `> file`, say); a closed
/// pipe is still recognised under it, and is not a failure.
pub const STDOUT_FAILED: &str = "could not write the output to standard output";

/// Writes a command's output to standard output (on a terminal, with its control characters
/// escaped as `shown` says: see [`crate::terminal`]), saying so if that fails.
pub fn to_stdout(bytes: &[u8], shown: crate::terminal::Shown) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut out = crate::terminal::stdout(shown);
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context(STDOUT_FAILED)
}

/// Prints a report's diagnostics to stderr.
pub fn print_report(report: &Report) -> std::io::Result<()> {
    if report.is_empty() {
        return Ok(());
    }
    let mut err = crate::terminal::stderr();
    err.write_all(report.render().as_bytes())?;
    err.flush()
}
