//! `checkmyogp validate [DIR]`: load everything and report every problem at once.

use std::io::Write;

use clap::ValueEnum;

use crate::cli::{InputArgs, Outcome};
use crate::diag::{Report, plural};
use crate::load::{self, Inputs};

const EXAMPLES: &str = "\
Examples:
  checkmyogp validate samples/mongolia-2016-2018
  checkmyogp validate . --scores scores/new-evaluator.csv
  checkmyogp validate --format json > problems.json

Exit status: 0 when there are no errors (warnings are fine), 1 when there are, 2 for a mistyped command.";

/// Check the plan, rubric and score files, and report every problem at once.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// text: problems for people, on stderr. json: problems as data, on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut report = Report::new();
    let selection = load::Selection {
        notes: false,
        ..args.input.selection()
    };
    let inputs = load::load(&selection, &mut report);
    let place = match crate::source::display_path(
        args.input.parts.plan.as_deref().unwrap_or(&args.input.dir),
    ) {
        p if p == "." => "the assessment in this folder".to_string(),
        p => p,
    };
    match args.format {
        Format::Json => {
            let mut json = report.as_json();
            if let Some(i) = &inputs {
                json["summary"] = summary_json(i);
            }
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Text => {
            super::print_report(&report)?;
            let mut err = anstream::stderr().lock();
            let warnings = report.warnings();
            if report.has_errors() {
                writeln!(
                    err,
                    "{place}: {} and {}. Fix the errors, then run `checkmyogp validate` again.",
                    plural(report.errors(), "error"),
                    plural(warnings, "warning")
                )?;
            } else if let Some(i) = &inputs {
                let green = anstyle::Style::new()
                    .bold()
                    .fg_color(Some(anstyle::AnsiColor::Green.into()));
                let extra = if warnings > 0 {
                    format!(", with {}", plural(warnings, "warning"))
                } else {
                    String::new()
                };
                writeln!(err, "{green}ok{green:#}: {place} is valid{extra}")?;
                write!(err, "{}", summary_text(i))?;
            }
        }
    }
    Ok(if report.has_errors() {
        Outcome::Problems
    } else {
        Outcome::Ok
    })
}

fn counts(i: &Inputs) -> (usize, usize, usize) {
    let milestones = i.plan.commitments.iter().map(|c| c.milestones.len()).sum();
    let no_rating = i
        .scores
        .ratings
        .iter()
        .filter(|r| r.level.is_none())
        .count();
    (milestones, i.scores.ratings.len(), no_rating)
}

fn summary_text(i: &Inputs) -> String {
    let (milestones, ratings, no_rating) = counts(i);
    let origin = if i.rubric.origin == "built-in" {
        "built-in".to_string()
    } else {
        i.rubric.origin.clone()
    };
    format!(
        "  plan     {} — {} ({}, {})\n  rubric   {} ({origin}): {}, {}\n  scores   {}, {}, {} ({} \"no rating\")\n",
        i.plan.country,
        i.plan.title,
        plural(i.plan.commitments.len(), "commitment"),
        plural(milestones, "milestone"),
        i.rubric.id,
        plural(i.rubric.criteria.len(), "criterion").replace("criterions", "criteria"),
        plural(i.rubric.flags.len(), "flag"),
        plural(i.score_files.len(), "file"),
        plural(i.scores.evaluators.len(), "evaluator"),
        plural(ratings, "rating"),
        no_rating,
    )
}

fn summary_json(i: &Inputs) -> serde_json::Value {
    let (milestones, ratings, no_rating) = counts(i);
    serde_json::json!({
        "country": i.plan.country,
        "title": i.plan.title,
        "commitments": i.plan.commitments.len(),
        "milestones": milestones,
        "rubric": i.rubric.id,
        "score_files": i.score_files.iter().map(|p| crate::source::display_path(p)).collect::<Vec<_>>(),
        "evaluators": i.scores.evaluators,
        "ratings": ratings,
        "no_rating": no_rating,
    })
}
