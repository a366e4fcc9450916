//! `checkmyogp validate [DIR]`: load everything and report every problem at once.

use std::io::{IsTerminal as _, Write};

use clap::ValueEnum;

use crate::cli::{InputArgs, Outcome};
use crate::diag::{Diagnostic, Location, Report, plural};
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
    if let Some(i) = &inputs {
        skipped_files(&selection, i, &mut report);
        if !report.has_errors() {
            evidence_warnings(i, &mut report);
        }
    }
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
            let mut text = serde_json::to_string_pretty(&json)?;
            text.push('\n');
            super::to_stdout(text.as_bytes(), crate::terminal::Shown::Json)?;
        }
        Format::Text => {
            super::print_report(&report)?;
            let mut err = crate::terminal::stderr();
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
                // On a terminal the stream escapes every control character but colour; the
                // plan's title is escaped whole first, so that not even a colour from it acts.
                let summary = summary_text(i);
                if std::io::stderr().is_terminal() {
                    write!(err, "{}", crate::text::for_terminal(&summary))?;
                } else {
                    write!(err, "{summary}")?;
                }
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
    // Counted on two threads when there are millions of ratings.
    let ratings = i.scores.ratings();
    let count = |part: &[crate::model::Rating]| part.iter().filter(|r| r.level().is_none()).count();
    let no_rating = if ratings.len() >= crate::load::TWO_THREADS_MIN {
        let (a, b) = ratings.split_at(ratings.len() / 2);
        let (first, second) = crate::par::join(|| count(a), || count(b));
        first + second
    } else {
        count(ratings)
    };
    (milestones, i.scores.ratings().len(), no_rating)
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

/// Warns about CSV and spreadsheet files in a scores folder that the plan's patterns skip.
fn skipped_files(selection: &load::Selection, i: &Inputs, report: &mut Report) {
    let patterns = if i.plan.settings.scores.is_empty() {
        load::DEFAULT_SCORES
            .iter()
            .map(|p| (*p).to_string())
            .collect()
    } else {
        i.plan.settings.scores.clone()
    };
    for path in load::skipped_score_files(selection, &i.plan, &i.score_files) {
        let ext = path
            .extension()
            .map_or_else(String::new, |e| format!(".{}", e.to_string_lossy()));
        // The pattern to suggest: the file's own folder and extension, relative to the plan.
        let base = selection
            .plan
            .as_ref()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_else(|| selection.dir.clone());
        let folder = path
            .parent()
            .map(|p| p.strip_prefix(&base).unwrap_or(p))
            .map_or_else(String::new, |p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            });
        let pattern = if folder.is_empty() {
            format!("*{ext}")
        } else {
            format!("{folder}/*{ext}")
        };
        report.push(
            Diagnostic::warning(
                "skipped-score-file",
                format!(
                    "{} is in a scores folder, but no score pattern reads it, so its ratings are not used",
                    crate::source::display_path(&path)
                ),
            )
            .at(Location::line(crate::source::display_path(&path), 1, None))
            .expected(format!("score files matching {}", crate::suggest::one_of(&patterns, 5)))
            .help(format!("add its pattern to `scores` in [assessment] of plan.toml (e.g. \"{pattern}\"), or move the file out of the folder")),
        );
    }
}

/// Warns, at the rating's file and line, about every combined level that needs evidence no
/// evaluator giving it cited (what `assess` marks *unsupported*).
fn evidence_warnings(i: &Inputs, report: &mut Report) {
    // Only a criterion with an evidence threshold can be unsupported (a roll-up is unsupported
    // only through its milestones): without one, the assessment would find nothing to warn about.
    if i.rubric.criteria.iter().all(|c| c.evidence_from.is_none()) {
        return;
    }
    let as_of = super::common::as_of(None, i);
    let assessment = crate::assess::assess(&i.plan, &i.rubric, &i.scores, as_of);
    let combined: Vec<bool> = (0..i.scores.evaluators.len())
        .map(|e| {
            let id = i
                .scores
                .evaluator_name(u32::try_from(e).unwrap_or(u32::MAX));
            !i.plan.is_reference(id)
        })
        .collect();
    let grouped = i.scores.by_commitment(i.plan.commitments.len());
    for r in &assessment.commitments {
        if r.unsupported.is_empty() {
            continue;
        }
        let c = &i.plan.commitments[r.index];
        let rows = grouped.of(r.index);
        for &k in &r.unsupported {
            let crit = &i.rubric.criteria[k];
            let Some(from) = crit.evidence_from else {
                continue;
            };
            let mut units: Vec<(Option<u32>, &crate::assess::Combined)> = Vec::new();
            if crit.scope == crate::model::Scope::Commitment {
                units.push((None, &r.view.criteria[k]));
            }
            for (mi, m) in r.view.milestones.iter().enumerate() {
                if let Some(comb) = m[k].as_ref() {
                    units.push((Some(u32::try_from(mi).unwrap_or(u32::MAX)), comb));
                }
            }
            for (milestone, comb) in units {
                let Some(level) = comb.level.filter(|_| comb.unsupported) else {
                    continue;
                };
                let given: Vec<&crate::model::Rating> = rows
                    .iter()
                    .map(|&x| &i.scores.ratings()[x as usize])
                    .filter(|x| {
                        x.unit().milestone == milestone
                            && usize::from(x.criterion) == k
                            && combined[x.evaluator as usize]
                            && x.level().is_some_and(|l| {
                                let l = usize::from(l);
                                crit.is_level(l) && l >= from
                            })
                    })
                    .collect();
                let unit = match milestone {
                    Some(m) => format!(
                        "milestone {}",
                        c.milestones.get(m as usize).map_or("?", |x| x.id.as_str())
                    ),
                    None => format!("commitment {}", c.id),
                };
                let who: Vec<String> = given
                    .iter()
                    .map(|x| format!("`{}`", i.scores.evaluator_name(x.evaluator)))
                    .collect();
                let mut d = Diagnostic::warning(
                    "unsupported",
                    format!(
                        "{unit}: `{}` is {}, which needs evidence, but no evaluator who gave {} or above cited any{}",
                        crit.id,
                        crit.label(level),
                        crit.label(from),
                        if who.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", who.join(", "))
                        }
                    ),
                )
                .help("put a link or a document in the `evidence` column of the rating, or lower the rating");
                let mut lines = given.iter();
                if let Some(first) = lines.next() {
                    d = d.at(Location::line(
                        i.sources.display(first.file),
                        first.line as usize,
                        None,
                    ));
                }
                for other in lines {
                    d = d.related(
                        Location::line(i.sources.display(other.file), other.line as usize, None),
                        "also without evidence",
                    );
                }
                report.push(d);
            }
        }
    }
}
