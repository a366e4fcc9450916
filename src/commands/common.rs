//! What the reporting commands share: loading an assessment (errors stop the command,
//! warnings are counted), the as-of date, and writing a document to stdout or a file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::assess::{self, Assessment};
use crate::cli::InputArgs;
use crate::diag::{Report, Severity, plural};
use crate::load::{self, Inputs};
use crate::model::Date;
use crate::render::{self, Doc, Format};
use crate::terminal::Shown;

/// `--format`, `--output`, `--force`.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write to this file instead of the screen (`-` means the screen). The file is written
    /// atomically and never replaces a file a person edited, unless --force. Needed with
    /// --format xlsx.
    #[arg(long, short, value_name = "FILE", required_if_eq("format", "xlsx"))]
    pub output: Option<PathBuf>,

    /// Replace the output file even if it was edited since checkmyogp wrote it.
    #[arg(long)]
    pub force: bool,

    /// Show every column in full, however wide the table (tables otherwise fit the terminal,
    /// or COLUMNS when set).
    #[arg(long)]
    pub wide: bool,
}

/// `--as-of`, shared by the commands that judge timeliness.
#[derive(Debug, Clone, Args)]
pub struct AsOfArg {
    /// The date that decides what is overdue (default: the plan's `as_of`, else today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<Date>,
}

/// Loads an assessment. Errors are printed and give `None`; warnings are summed up in one line.
/// `notes`: keep what evaluators wrote (see [`load::Selection::notes`]).
pub fn load_inputs(args: &InputArgs, notes: bool) -> anyhow::Result<Option<Inputs>> {
    load_selection(&load::Selection {
        notes,
        ..args.selection()
    })
}

/// Like [`load_inputs`], for a selection the command has added to (such as `draft --irm`).
pub fn load_selection(selection: &load::Selection) -> anyhow::Result<Option<Inputs>> {
    let mut report = Report::new();
    let inputs = load::load(selection, &mut report);
    if report.has_errors() || inputs.is_none() {
        super::print_report(&report)?;
        let mut err = crate::terminal::stderr();
        writeln!(
            err,
            "{} in the input: nothing was assessed. Fix {}, then run the command again.",
            plural(report.errors().max(1), "error"),
            if report.errors() > 1 { "them" } else { "it" }
        )?;
        return Ok(None);
    }
    let warnings = report.warnings();
    let notes: Vec<_> = report
        .sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Note)
        .cloned()
        .collect();
    let mut err = crate::terminal::stderr();
    for n in notes {
        err.write_all(n.render().as_bytes())?;
    }
    if warnings > 0 {
        writeln!(
            err,
            "({}; `checkmyogp validate` shows them)",
            plural(warnings, "warning")
        )?;
    }
    Ok(inputs)
}

/// The as-of date: `--as-of`, else the plan's `[assessment] as_of`, else today.
pub fn as_of(flag: Option<Date>, inputs: &Inputs) -> Date {
    flag.or(inputs.plan.settings.as_of)
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date())
}

/// Loads and assesses.
pub fn load_and_assess(
    args: &InputArgs,
    as_of_flag: Option<Date>,
    notes: bool,
) -> anyhow::Result<Option<(Inputs, Assessment)>> {
    let Some(inputs) = load_inputs(args, notes)? else {
        return Ok(None);
    };
    let date = as_of(as_of_flag, &inputs);
    let assessment = assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, date);
    Ok(Some((inputs, assessment)))
}

/// Whether the terminal table should be coloured (only when writing to stdout).
fn colour_on_stdout() -> bool {
    !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    )
}

/// Renders a command's output (its data for JSON, its document otherwise) and writes it to
/// stdout or the `--output` file.
pub fn emit<T: serde::Serialize + ?Sized>(
    out: &OutputArgs,
    data: &T,
    doc: impl FnOnce() -> Doc,
) -> anyhow::Result<()> {
    let to_file = out.output.as_ref().filter(|p| p.as_os_str() != "-");
    if out.format == render::Format::Xlsx {
        if to_file.is_none() {
            anyhow::bail!("a workbook cannot be printed on the screen; give --output FILE.xlsx");
        }
        return emit_workbook(out, &doc(), &[]);
    }
    if to_file.is_none() && out.format == render::Format::Json {
        // Straight to the screen or pipe, without holding the whole text in memory.
        let mut stdout =
            std::io::BufWriter::with_capacity(1 << 16, crate::terminal::stdout(Shown::Json));
        render::json::write(&mut stdout, data).context(super::STDOUT_FAILED)?;
        stdout.flush().context(super::STDOUT_FAILED)?;
        return Ok(());
    }
    let screen = render::Screen::stdout(to_file.is_none() && colour_on_stdout(), out.wide);
    let text = render::render(out.format, screen, data, doc)?;
    match to_file {
        Some(path) => {
            crate::write::write_output(path, text.as_bytes(), out.force)
                .with_context(|| format!("could not write {}", path.display()))?;
            writeln!(crate::terminal::stderr(), "wrote {}", path.display())?;
        }
        None => super::to_stdout(
            text.as_bytes(),
            if out.format == render::Format::Table && screen.colour {
                Shown::Coloured
            } else {
                Shown::Text
            },
        )?,
    }
    Ok(())
}

/// Writes a document's workbook (`--format xlsx`, which needs `--output FILE`), followed by
/// the tables made as they are written (see [`render::Streamed`]).
pub fn emit_workbook(
    out: &OutputArgs,
    doc: &Doc,
    streamed: &[render::Streamed<'_>],
) -> anyhow::Result<()> {
    let Some(path) = out.output.as_ref().filter(|p| p.as_os_str() != "-") else {
        anyhow::bail!("a workbook cannot be printed on the screen; give --output FILE.xlsx");
    };
    let bytes = render::workbook_with(doc, streamed)?;
    crate::write::write_output(path, &bytes, out.force)
        .with_context(|| format!("could not write {}", path.display()))?;
    writeln!(crate::terminal::stderr(), "wrote {}", path.display())?;
    Ok(())
}

/// Writes JSON that a command streams (`write` is given the writer): straight to standard
/// output, or gathered and then written to the `--output` file.
pub fn emit_json(
    out: &OutputArgs,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match out.output.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            // Written as it is made: a JSON of every commitment with details is hundreds of
            // megabytes at the plan limit.
            crate::write::write_output_with(path, out.force, write)
                .with_context(|| format!("could not write {}", path.display()))?;
            writeln!(crate::terminal::stderr(), "wrote {}", path.display())?;
        }
        None => {
            let mut stdout =
                std::io::BufWriter::with_capacity(1 << 16, crate::terminal::stdout(Shown::Json));
            write(&mut stdout).context(super::STDOUT_FAILED)?;
            stdout.flush().context(super::STDOUT_FAILED)?;
        }
    }
    Ok(())
}

/// Natural order of ids: "2" before "10", "1.2" before "1.10".
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_string()))
            .collect()
    };
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

/// Parses `--as-of` values.
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| format!("\"{s}\" is not a date; write it year-month-day, e.g. 2018-06-30"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_naturally() {
        let mut ids = vec!["10", "2", "1.10", "1.2", "A3", "1"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, ["1", "1.2", "1.10", "2", "10", "A3"]);
    }
}
