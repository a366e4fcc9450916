//! `checkmyogp rubric list|show|export`: the built-in rubrics, shown for reading or written
//! out as a commented file to edit.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use comfy_table::{ContentArrangement, Table, presets};

use crate::cli::Outcome;
use crate::diag::Report;
use crate::load::{self, builtin};
use crate::model::{RatingRule, Rubric, ScaleKind};
use crate::source::SourceMap;

const EXAMPLES: &str = "\
Examples:
  checkmyogp rubric list
  checkmyogp rubric show irm-legacy
  checkmyogp rubric export check-my-ogp --output our-rubric.toml";

/// List, show or export the rubrics (the criteria and levels evaluators rate by).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// What to do with rubrics.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// List the built-in rubrics.
    List,
    /// Show a rubric's criteria, levels, rating rule and flags.
    #[command(
        after_help = "Example:\n  checkmyogp rubric show irm-legacy\n  checkmyogp rubric show my-rubric.toml"
    )]
    Show {
        /// A built-in id or a rubric file.
        #[arg(value_name = "ID|FILE")]
        rubric: String,
    },
    /// Write a built-in rubric as a commented TOML file to edit (to stdout without --output).
    #[command(
        after_help = "Example:\n  checkmyogp rubric export irm-legacy --output rubric.toml\n  then set rubric = \"rubric.toml\" in plan.toml's [assessment]"
    )]
    Export {
        /// The built-in rubric's id.
        #[arg(value_name = "ID")]
        id: String,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the file even if a person edited it.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.action {
        Action::List => list(),
        Action::Show { rubric } => show(rubric),
        Action::Export { id, output, force } => export(id, output.as_ref(), *force),
    }
}

fn list() -> anyhow::Result<Outcome> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["id", "what it assesses"]);
    for b in &builtin::BUILTIN {
        table.add_row([b.id, b.summary]);
    }
    let mut out = anstream::stdout().lock();
    writeln!(out, "{table}")?;
    Ok(Outcome::Ok)
}

fn unknown_builtin(id: &str) -> anyhow::Error {
    let ids: Vec<&str> = builtin::BUILTIN.iter().map(|b| b.id).collect();
    let hint = crate::suggest::did_you_mean(id, ids.iter().copied())
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    anyhow::anyhow!(
        "there is no built-in rubric \"{id}\"{hint}; the built-in rubrics are {}",
        crate::suggest::one_of(&ids, 10).replace(" or ", " and ")
    )
}

fn show(spec: &str) -> anyhow::Result<Outcome> {
    let mut report = Report::new();
    let mut sources = SourceMap::default();
    let rubric = load::load_rubric(
        spec,
        std::path::Path::new("."),
        &mut sources,
        &mut report,
        None,
    );
    super::print_report(&report)?;
    let Some(rubric) = rubric else {
        return Ok(Outcome::Problems);
    };
    let mut out = anstream::stdout().lock();
    out.write_all(describe(&rubric).as_bytes())?;
    Ok(if report.has_errors() {
        Outcome::Problems
    } else {
        Outcome::Ok
    })
}

/// A rubric in words and tables.
pub fn describe(r: &Rubric) -> String {
    let mut s = format!("{} — {}\n", r.id, r.name);
    if let Some(d) = &r.description {
        s.push_str(&format!("\n{}\n", d.trim()));
    }
    if let Some(src) = &r.source {
        s.push_str(&format!("\nSource: {}\n", src.trim()));
    }
    s.push('\n');
    for c in &r.criteria {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(["level", "value", "meaning"]);
        for (i, l) in c.levels.iter().enumerate() {
            let mut label = l.label.clone();
            if c.evidence_from.is_some_and(|e| i >= e) {
                label.push_str(" (evidence required)");
            }
            let value = if c.kind == ScaleKind::Nominal {
                String::new()
            } else {
                format!("{}", l.value)
            };
            t.add_row([label, value, l.description.clone().unwrap_or_default()]);
        }
        for st in &c.statuses {
            t.add_row([
                format!("{} (status)", st.label),
                "not on the scale".to_string(),
                st.description.clone().unwrap_or_default(),
            ]);
        }
        s.push_str(&format!(
            "{} ({}) — {}\n  {}\n  scale {}, rated per {}, combined by {}{}, weight {}\n{t}\n\n",
            c.id,
            c.name,
            c.question,
            if r.key_criteria.is_empty() || r.key_criteria.iter().any(|&k| r.criteria[k].id == c.id)
            {
                "key criterion"
            } else {
                "criterion"
            },
            c.kind.id(),
            c.scope.id(),
            c.combine.id(),
            if c.roll_up == crate::model::RollUp::StrictEnds
                && c.scope == crate::model::Scope::Milestone
            {
                ", milestones rolled up with strict ends"
            } else {
                ""
            },
            c.weight
        ));
    }
    match &r.rating {
        RatingRule::Criterion(i) => s.push_str(&format!(
            "Rating: the combined level of `{}`.\n",
            r.criteria[*i].id
        )),
        RatingRule::Bands(bands) => {
            s.push_str("Rating: the weighted 0–100 score, in bands:\n");
            for (i, b) in bands.iter().enumerate() {
                let close = if i + 1 == bands.len() { "]" } else { ")" };
                s.push_str(&format!("  [{}, {}{close}  {}\n", b.min, b.max, b.label));
            }
        }
    }
    if !r.flags.is_empty() {
        s.push_str("\nFlags (every condition must hold; the first that fails is the binding constraint):\n");
        for f in &r.flags {
            let star = if f.star { " ★" } else { "" };
            s.push_str(&format!("  {}{star} — {}\n", f.id, f.name));
            for c in &f.conditions {
                let what = r.describe(&c.kind);
                s.push_str(&format!("    - {}: {what}\n", c.label));
            }
        }
    }
    s.push_str(&format!(
        "\nDisagreement: a spread of {} levels or more. No-rating words: {}.\n",
        r.disagreement_threshold,
        r.no_rating
            .iter()
            .map(|w| if w.is_empty() {
                "(blank)".to_string()
            } else {
                w.clone()
            })
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s
}

fn export(id: &str, output: Option<&PathBuf>, force: bool) -> anyhow::Result<Outcome> {
    let b = builtin::find(id).ok_or_else(|| unknown_builtin(id))?;
    match output {
        Some(path) => {
            crate::write::write_output(path, b.text.as_bytes(), force)
                .with_context(|| format!("could not export the rubric {}", b.id))?;
            let mut err = anstream::stderr().lock();
            writeln!(
                err,
                "wrote {}: edit it, then set rubric = \"{}\" in [assessment] of plan.toml",
                path.display(),
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(b.text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(Outcome::Ok)
}
