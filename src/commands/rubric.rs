//! `checkmyogp rubric list|show|export`: the built-in rubrics, shown for reading or written
//! out as a commented file to edit.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::Outcome;
use crate::diag::Report;
use crate::load::{self, builtin};
use crate::model::{RatingRule, Rubric, ScaleKind};
use crate::render::table::{self, TableRenderer};
use crate::render::{Cell, Grid, Screen};
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
        #[arg(value_name = "ID|FILE", value_parser = crate::cli::RubricSpec, hide_possible_values = true)]
        rubric: String,
    },
    /// Write a built-in rubric as a commented TOML file to edit (to stdout without --output).
    #[command(
        after_help = "Example:\n  checkmyogp rubric export irm-legacy --output rubric.toml\n  then set rubric = \"rubric.toml\" in plan.toml's [assessment]"
    )]
    Export {
        /// The built-in rubric's id.
        #[arg(value_name = "ID", value_parser = crate::cli::RubricSpec)]
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

/// A copy of a rubric with the control characters of its texts escaped: a rubric file's labels
/// and descriptions are shown on the terminal, where an escape sequence must not act (colours
/// are added after, by the table).
fn for_terminal(r: &Rubric) -> Rubric {
    use crate::text::make_terminal_safe as clean;
    let mut r = r.clone();
    clean(&mut r.id);
    clean(&mut r.name);
    r.description.iter_mut().for_each(clean);
    r.source.iter_mut().for_each(clean);
    for c in &mut r.criteria {
        clean(&mut c.id);
        clean(&mut c.name);
        clean(&mut c.question);
        for l in &mut c.levels {
            clean(&mut l.label);
            l.description.iter_mut().for_each(clean);
        }
        for st in &mut c.statuses {
            clean(&mut st.label);
            st.description.iter_mut().for_each(clean);
        }
    }
    if let crate::model::RatingRule::Bands(bands) = &mut r.rating {
        for b in bands {
            clean(&mut b.label);
            b.description.iter_mut().for_each(clean);
        }
    }
    for f in &mut r.flags {
        clean(&mut f.id);
        clean(&mut f.name);
        f.description.iter_mut().for_each(clean);
    }
    r
}

/// How tables are drawn on standard output.
fn screen() -> Screen {
    let colour = !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    );
    Screen::stdout(colour, false)
}

fn list() -> anyhow::Result<Outcome> {
    let mut grid = Grid::new(["id", "what it assesses"]);
    for b in &builtin::BUILTIN {
        grid.push(vec![Cell::new(b.id), Cell::new(b.summary)]);
    }
    let (table, _) = TableRenderer { screen: screen() }.table(&grid);
    let mut out =
        crate::terminal::on_stdout(anstream::stdout().lock(), crate::terminal::Shown::Coloured);
    write!(out, "{table}")
        .and_then(|()| out.flush())
        .context(super::STDOUT_FAILED)?;
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
    let mut out =
        crate::terminal::on_stdout(anstream::stdout().lock(), crate::terminal::Shown::Coloured);
    out.write_all(describe(&for_terminal(&rubric), screen()).as_bytes())
        .and_then(|()| out.flush())
        .context(super::STDOUT_FAILED)?;
    Ok(if report.has_errors() {
        Outcome::Problems
    } else {
        Outcome::Ok
    })
}

/// Text wrapped to the screen, each line after the first indented by `indent`.
fn fit(text: &str, screen: Screen, indent: usize) -> String {
    match screen.width {
        Some(w) => table::wrap_para(text, w.saturating_sub(indent).max(20))
            .join(&format!("\n{}", " ".repeat(indent))),
        None => text.to_string(),
    }
}

/// A rubric in words and tables, fitted to `screen`.
pub fn describe(r: &Rubric, screen: Screen) -> String {
    let mut s = format!("{} — {}\n", r.id, r.name);
    if let Some(d) = &r.description {
        s.push_str(&format!("\n{}\n", fit(d.trim(), screen, 0)));
    }
    if let Some(src) = &r.source {
        s.push_str(&format!(
            "\n{}\n",
            fit(&format!("Source: {}", src.trim()), screen, 0)
        ));
    }
    s.push('\n');
    for c in &r.criteria {
        let mut t = Grid::new(["level", "value", "meaning"]).numeric(&["value"]);
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
            t.push(vec![
                Cell::new(label),
                Cell::new(value),
                Cell::new(l.description.clone().unwrap_or_default()),
            ]);
        }
        for st in &c.statuses {
            t.push(vec![
                Cell::toned(
                    format!("{} (status, not on the scale)", st.label),
                    crate::render::Tone::Muted,
                ),
                Cell::new("–"),
                Cell::new(st.description.clone().unwrap_or_default()),
            ]);
        }
        let (t, _) = TableRenderer { screen }.table(&t);
        s.push_str(&format!(
            "{}\n  {}\n  scale {}, rated per {}, combined by {}{}, weight {}\n{t}\n",
            fit(
                &format!("{} ({}) — {}", c.id, c.name, c.question),
                screen,
                2
            ),
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
        s.push_str("\nFlags (a flag holds when every one of its conditions holds):\n");
        for f in &r.flags {
            let star = if f.star { " ★" } else { "" };
            s.push_str(&format!("  {}{star} — {}\n", f.id, f.name));
            for c in &f.conditions {
                let what = r.describe(&c.kind);
                s.push_str(&format!(
                    "    - {}\n",
                    fit(&format!("{}: {what}", c.label), screen, 6)
                ));
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
    fit_lines(&s, screen)
}

/// Wraps every line wider than the screen, continuing at its own indentation.
fn fit_lines(text: &str, screen: Screen) -> String {
    let Some(w) = screen.width else {
        return text.to_string();
    };
    let mut out = String::new();
    for line in text.lines() {
        // Table lines already fit; their colour takes no room.
        if table::visible_width(line) <= w {
            out.push_str(line);
        } else {
            let body = line.trim_start();
            let mut indent = line.len() - body.len();
            if body.starts_with("- ") {
                indent += 2;
            }
            let lines = table::wrap_para(body, w.saturating_sub(indent).max(20));
            out.push_str(&" ".repeat(line.len() - body.len()));
            out.push_str(&lines.join(&format!("\n{}", " ".repeat(indent))));
        }
        out.push('\n');
    }
    out
}

fn export(id: &str, output: Option<&PathBuf>, force: bool) -> anyhow::Result<Outcome> {
    let b = builtin::find(id).ok_or_else(|| unknown_builtin(id))?;
    // `--output -` is standard output, as for the other commands, not a file named `-`.
    match output.filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            crate::write::write_output(path, b.text.as_bytes(), force)
                .with_context(|| format!("could not export the rubric {}", b.id))?;
            let mut err = crate::terminal::stderr();
            writeln!(
                err,
                "wrote {}: edit it, then set rubric = \"{}\" in [assessment] of plan.toml",
                path.display(),
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )?;
        }
        None => super::to_stdout(b.text.as_bytes(), crate::terminal::Shown::Text)?,
    }
    Ok(Outcome::Ok)
}
