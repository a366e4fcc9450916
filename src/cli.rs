//! Command-line wiring: the clap definitions shared by every command, the dispatch to
//! `commands::*`, and the single place where outcomes become exit codes
//! (0 success, 1 problems in the input or a failed command, 2 usage errors) and where a
//! closed output pipe counts as success.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::load::Selection;

const EXAMPLES: &str = "\
Examples:
  checkmyogp assess samples/mongolia-2016-2018
  checkmyogp validate samples/mongolia-2016-2018
  checkmyogp explain samples/mongolia-2016-2018 1
  checkmyogp rubric list
  checkmyogp rubric export irm-legacy --output my-rubric.toml

Documentation: docs/ in the source folder (formats.md explains the files).";

/// Assess how your government implements its Open Government Partnership action plan.
///
/// CHECK MY OGP reads the plan's commitments (plan.toml), a rubric, and several evaluators'
/// scores (CSV), then checks them, assesses each commitment, measures how far the evaluators
/// agree, and drafts the civil-society comment on the IRM's report.
#[derive(Debug, Parser)]
#[command(name = "checkmyogp", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// When to use colour: auto (when writing to a terminal and NO_COLOR is unset), always or never.
    #[arg(long, value_enum, global = true, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

/// `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    Sheet(commands::sheet::Args),
    Validate(commands::validate::Args),
    Assess(commands::assess::Args),
    Summary(commands::summary::Args),
    Explain(commands::explain::Args),
    Draft(commands::draft::Args),
    Report(commands::report::Args),
    Agreement(commands::agreement::Args),
    Compare(commands::compare::Args),
    Import(commands::import::Args),
    Rubric(commands::rubric::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
    #[command(hide = true)]
    Generate(commands::generate::Args),
}

/// Which assessment to work on: every command that reads one takes these.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The assessment folder (the one holding plan.toml).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    #[command(flatten)]
    pub parts: PartArgs,
}

/// Overrides of an assessment folder's parts.
#[derive(Debug, Clone, Args)]
pub struct PartArgs {
    /// Use this plan file instead of DIR/plan.toml.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Use this rubric (a built-in id such as irm-legacy, or a .toml file) instead of the plan's.
    #[arg(long, value_name = "ID|FILE", value_parser = RubricSpec, hide_possible_values = true)]
    pub rubric: Option<String>,

    /// Read this score file instead of the plan's score files (repeat for several).
    #[arg(long = "scores", value_name = "FILE")]
    pub scores: Vec<PathBuf>,
}

impl InputArgs {
    pub fn new(dir: PathBuf, parts: PartArgs) -> Self {
        InputArgs { dir, parts }
    }

    pub fn selection(&self) -> Selection {
        Selection {
            dir: self.dir.clone(),
            plan: self.parts.plan.clone(),
            rubric: self.parts.rubric.clone(),
            scores: self.parts.scores.clone(),
            reference_scores: Vec::new(),
            notes: true,
        }
    }
}

/// A rubric given on the command line: a built-in id or a file. Any text is accepted (files
/// are checked when read); the built-in ids are offered to shell completion.
#[derive(Debug, Clone, Copy)]
pub struct RubricSpec;

impl clap::builder::TypedValueParser for RubricSpec {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::load::builtin::BUILTIN.iter().map(|b| {
            clap::builder::PossibleValue::new(b.id).help(b.summary)
        })))
    }
}

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went well: exit 0.
    Ok,
    /// The input has problems, already reported: exit 1.
    Problems,
    /// The command was given a wrong value, already reported: exit 2.
    Usage,
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let result = match cli.command {
        Command::Init(args) => commands::init::run(&args),
        Command::Sheet(args) => commands::sheet::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Assess(args) => commands::assess::run(&args),
        Command::Summary(args) => commands::summary::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::Draft(args) => commands::draft::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Agreement(args) => commands::agreement::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Import(args) => commands::import::run(&args),
        Command::Rubric(args) => commands::rubric::run(&args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::man::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Ok(Outcome::Usage) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let red = anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Red.into()));
            let message = format!("{e:#}");
            let _ = writeln!(
                crate::terminal::stderr(),
                "{red}error{red:#}: {}",
                crate::text::for_terminal(&message)
            );
            ExitCode::from(1)
        }
    }
}

/// Whether an error is a closed pipe (`checkmyogp assess | head`), which is not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Creates the clap command (for completions and the man page).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        super::command().debug_assert();
    }
}
