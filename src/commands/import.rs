//! `checkmyogp import ogp FILE [--country NAME] [--action-plan N] [--round …] [--no-milestones]
//! --output DIR`: creates an assessment folder from OGP's commitments and IRM database, with
//! the milestones the plan's own text shows. Without `--country` it lists the countries and
//! action plans in the file. `import` takes a nested subcommand
//! per source, so that later importers sit beside `ogp`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cli::{InputArgs, Outcome, PartArgs};
use crate::diag::{Diagnostic, Report, Severity, plural};
use crate::import::ogp::{self, ActionPlan, Round};
use crate::render::{self, Cell, Doc, Grid, Section};

const EXAMPLES: &str = "\
Examples:
  checkmyogp import ogp ogp.csv
  checkmyogp import ogp ogp.csv --country Mongolia --action-plan 2 --output mongolia-2016

docs/import.md describes what is imported and how to continue.";

const OGP_EXAMPLES: &str = "\
Examples:
  checkmyogp import ogp ogp.csv                      (lists the countries and action plans)
  checkmyogp import ogp ogp.csv --country Mongolia --action-plan 2 --output mongolia
  checkmyogp import ogp ogp.csv --country mng --action-plan 2 --round progress -o mn-mid

Then: checkmyogp validate mongolia, and checkmyogp assess mongolia.
Values that cannot be imported are reported with their row and column; see docs/import.md.";

/// Create an assessment folder from data published elsewhere.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

/// Where the data comes from.
#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// OGP's commitments and IRM database (CSV): one action plan's commitments and the IRM's ratings.
    #[command(after_help = OGP_EXAMPLES)]
    Ogp(OgpArgs),
}

/// `import ogp`.
#[derive(Debug, clap::Args)]
pub struct OgpArgs {
    /// The CSV file of OGP's commitments and IRM database (or an extract with its columns).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The country or local member to import (upper/lower case is ignored; OGP's three-letter
    /// code works too). Without it, the countries and action plans in the file are listed.
    #[arg(long, value_name = "NAME")]
    pub country: Option<String>,

    /// Which of the country's action plans, by its number in OGP's data (1 for the first).
    /// Needed when the file holds several plans of the country.
    #[arg(long = "action-plan", value_name = "N", requires = "country")]
    pub action_plan: Option<String>,

    /// Import only what one IRM report rated: the progress report (mid-term) or the
    /// end-of-term one; `as_of` is then the date that report assesses. Default: each
    /// criterion's latest rating present.
    #[arg(long, value_enum, value_name = "ROUND", requires = "country")]
    pub round: Option<Round>,

    /// Do not read milestones out of OGP's "Full Text": the commitments get no milestones and
    /// their description is the whole text, as written.
    #[arg(long = "no-milestones", requires = "country")]
    pub no_milestones: bool,

    /// The assessment folder to create (it may exist, but must be empty).
    #[arg(long, short, value_name = "DIR", requires = "country")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.source {
        Source::Ogp(a) => run_ogp(a),
    }
}

fn colour_on(stream: &impl anstream::stream::RawStream) -> bool {
    !matches!(
        anstream::AutoStream::choice(stream),
        anstream::ColorChoice::Never
    )
}

/// The action plans as a table.
fn plans_doc(title: String, plans: &[&ActionPlan]) -> Doc {
    let mut grid = Grid::new(["country", "action plan", "years", "commitments", "rubric"])
        .numeric(&["action plan", "commitments"]);
    for p in plans {
        grid.push(vec![
            Cell::new(p.country.clone()),
            Cell::new(p.number.clone()),
            Cell::new(p.years()),
            Cell::new(p.rows.len().to_string()),
            Cell::new(p.rubric.id()),
        ]);
    }
    Doc {
        title,
        sections: vec![Section {
            grid: Some(grid),
            ..Section::default()
        }],
        ..Doc::default()
    }
}

fn table_text(doc: &Doc, colour: bool) -> anyhow::Result<String> {
    match render::renderer(render::Format::Table, render::Screen::stdout(colour, false)) {
        Some(r) => r.render(doc),
        None => Ok(String::new()),
    }
}

fn run_ogp(args: &OgpArgs) -> anyhow::Result<Outcome> {
    let display = crate::source::display_path(&args.file);
    let mut report = Report::new();
    let Some(table) = ogp::read(&args.file, &display, &mut report) else {
        super::print_report(&report)?;
        return Ok(Outcome::Problems);
    };
    let plans = ogp::action_plans(&table, &mut report);

    let Some(wanted) = &args.country else {
        super::print_report(&report)?;
        let all: Vec<&ActionPlan> = plans.iter().collect();
        let countries = ogp::countries(&plans).len();
        let mut doc = plans_doc(
            format!(
                "{display}: {}, {}, {}",
                countries_words(countries),
                plural(plans.len(), "action plan"),
                plural(table.rows.len(), "commitment")
            ),
            &all,
        );
        doc.notes.push(format!(
            "Import one with: checkmyogp import ogp {display} --country NAME --action-plan N --output DIR"
        ));
        let text = table_text(&doc, colour_on(&std::io::stdout()))?;
        let mut out =
            crate::terminal::on_stdout(anstream::stdout().lock(), crate::terminal::Shown::Coloured);
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(Outcome::Ok);
    };

    // The country: its name (ignoring case, accents and punctuation) or OGP code.
    let key = wanted.trim().to_lowercase();
    let codes = country_codes(&table, &plans);
    let country = crate::import::ogp::plans::find_country(&plans, wanted).or_else(|| {
        codes
            .iter()
            .find(|(code, _)| code.to_lowercase() == key)
            .map(|(_, c)| c.as_str())
    });
    let Some(country) = country else {
        super::print_report(&report)?;
        let names = ogp::countries(&plans);
        let list = format!(
            "run `checkmyogp import ogp {display}` without --country to list the {} in the file",
            countries_words(names.len())
        );
        let help = match crate::suggest::did_you_mean(wanted, names.iter().map(String::as_str)) {
            Some(guess) => format!("{guess}\n{list}"),
            None => list,
        };
        let d = Diagnostic::error(
            "unknown-country",
            format!("{display} has no country or local member \"{wanted}\""),
        )
        .help(help);
        let mut err = crate::terminal::stderr();
        err.write_all(d.render().as_bytes())?;
        return Ok(Outcome::Usage);
    };
    let mine: Vec<&ActionPlan> = plans.iter().filter(|p| p.country == country).collect();

    // Without a usable --action-plan, list the country's plans on stderr and stop (exit 2).
    let refuse = |report: &Report, why: String| -> anyhow::Result<Outcome> {
        super::print_report(report)?;
        let doc = plans_doc(
            format!("The action plans of {country} in {display}:"),
            &mine,
        );
        let mut err = crate::terminal::stderr();
        writeln!(err, "error: {display} {why}:\n")?;
        err.write_all(table_text(&doc, colour_on(&std::io::stderr()))?.as_bytes())?;
        Ok(Outcome::Usage)
    };
    let plan = match &args.action_plan {
        Some(n) => match mine.iter().find(|p| p.is_number(n)) {
            Some(p) => *p,
            None => {
                return refuse(
                    &report,
                    format!(
                        "has no action plan {n} of {country}; choose one of these with --action-plan N"
                    ),
                );
            }
        },
        None if mine.len() == 1 => mine[0],
        None => {
            return refuse(
                &report,
                format!(
                    "holds {} action plans of {country}; choose one with --action-plan N",
                    mine.len()
                ),
            );
        }
    };

    let Some(dir) = &args.output else {
        super::print_report(&report)?;
        let mut err = crate::terminal::stderr();
        writeln!(
            err,
            "error: say which folder to create with --output DIR, e.g.\n  checkmyogp import ogp {display} --country \"{country}\" --action-plan {} --output {}",
            plan.number,
            folder_name(plan)
        )?;
        return Ok(Outcome::Usage);
    };
    if let Some(listing) = crate::write::occupied(dir)? {
        bail!(
            "the output folder {} is not empty (it holds {listing}): nothing was imported.\n\
             An import only fills a new or empty folder, so that nothing is overwritten; give another --output.",
            dir.display()
        );
    }

    let round = args.round.unwrap_or_default();
    let imported = match ogp::import(&table, plan, round, !args.no_milestones, &mut report) {
        Ok(imported) => imported,
        Err(too_large) => {
            super::print_report(&report)?;
            let d = too_large_diagnostic(too_large, &plan.title(), &display);
            crate::terminal::stderr().write_all(d.render().as_bytes())?;
            return Ok(Outcome::Problems);
        }
    };
    // The input is not needed any more: free it before plan.toml is read back.
    drop(codes);
    drop(plans);
    drop(table);
    let scores_dir = dir.join("scores");
    std::fs::create_dir_all(&scores_dir)
        .with_context(|| format!("could not create the folder {}", scores_dir.display()))?;
    write_new(&dir.join("plan.toml"), &imported.plan_toml)?;
    write_new(&scores_dir.join("irm.csv"), &imported.scores_csv)?;
    super::print_report(&report)?;

    // Read the new folder back, as every command will: a problem here is a bug of the importer.
    let mut check = Report::new();
    let input = InputArgs::new(
        dir.clone(),
        PartArgs {
            plan: None,
            rubric: None,
            scores: Vec::new(),
        },
    );
    let selection = crate::load::Selection {
        notes: false,
        ..input.selection()
    };
    let loaded = crate::load::load(&selection, &mut check);
    if check.has_errors() || loaded.is_none() {
        let errors: Vec<_> = check
            .sorted()
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        let mut err = crate::terminal::stderr();
        for d in errors {
            err.write_all(d.render().as_bytes())?;
        }
        writeln!(
            err,
            "error: the imported folder {} does not read back without errors; please report this as a bug of `checkmyogp import ogp`",
            dir.display()
        )?;
        return Ok(Outcome::Problems);
    }

    let shown = crate::source::display_path(dir);
    let mut err = crate::terminal::stderr();
    writeln!(
        err,
        "imported {}: {}, {} (rubric {})",
        imported.title,
        plural(imported.commitments, "commitment"),
        plural(imported.ratings, "IRM rating"),
        imported.rubric.id()
    )?;
    writeln!(err, "  wrote {shown}/plan.toml and {shown}/scores/irm.csv")?;
    for line in summary_lines(&imported, round, args.no_milestones) {
        writeln!(err, "  {line}")?;
    }
    let n = imported.not_imported;
    if n > 0 {
        writeln!(
            err,
            "  {n} {} not imported (warnings above, each with its row and column)",
            if n == 1 { "value was" } else { "values were" }
        )?;
    }
    if imported.guessed_dates > 0 {
        writeln!(
            err,
            "  {} read by a guess or from a month, quarter or year (notes above); check them in plan.toml",
            plural(imported.guessed_dates, "date")
        )?;
    }
    if imported.markers > 0 {
        writeln!(
            err,
            "  {} held ND, NR or NA (no data, not reviewed, not applicable): no rating was written for them",
            plural(imported.markers, "rating cell")
        )?;
    }
    writeln!(
        err,
        "Next: checkmyogp validate {shown}, then checkmyogp assess {shown}.\n\
         To compare your coalition's ratings with the IRM's, follow the steps at the top of {shown}/plan.toml."
    )?;
    Ok(Outcome::Ok)
}

/// The error for an action plan whose plan.toml would pass a limit of plan files (nothing is
/// written then).
fn too_large_diagnostic(too_large: ogp::TooLarge, title: &str, display: &str) -> Diagnostic {
    use crate::load::{MAX_TOML_BYTES, MAX_UNITS};
    let split = format!(
        "split the plan's rows of {display} into smaller extracts (each with the header row) and import each into its own folder (see docs/limits.md)"
    );
    let (message, help) = match too_large {
        ogp::TooLarge::Units {
            commitments,
            milestones: None,
        } => (
            format!(
                "{title} has {commitments} commitments in {display}, more than the {MAX_UNITS} commitments and milestones a plan may hold together: nothing was imported"
            ),
            format!(
                "a national action plan has tens of commitments: check that these rows are one action plan's (columns `Country/Locality` and `Action Plan Number`); to import them all, {split}"
            ),
        ),
        ogp::TooLarge::Units {
            commitments,
            milestones: Some(milestones),
        } => (
            format!(
                "{title} has {} and {} in {display}, {} together, more than the {MAX_UNITS} a plan may hold: nothing was imported",
                plural(commitments, "commitment"),
                plural(milestones, "milestone"),
                commitments + milestones
            ),
            format!(
                "import it with --no-milestones: its {} then fit, with each milestone's text in its commitment's description; or {split}",
                plural(commitments, "commitment")
            ),
        ),
        ogp::TooLarge::Bytes { at, commitments } => (
            format!(
                "{title} in {display} would make a plan.toml larger than {} MB, the largest plan file that is read (commitment {at} of {commitments} passes that size): nothing was imported",
                MAX_TOML_BYTES / 1024 / 1024
            ),
            if at <= 1 {
                format!(
                    "one commitment alone is that large: check its cells in {display} (no commitment in OGP's data comes near that size)"
                )
            } else {
                format!("the first {} fit: {split}", plural(at - 1, "commitment"))
            },
        ),
    };
    Diagnostic::error("plan-too-large", message)
        .at(crate::diag::Location::file(display.to_string()))
        .help(help)
}

/// What the summary says about the rounds and the milestones.
fn summary_lines(imported: &ogp::Imported, round: Round, no_milestones: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let rubric = imported.rubric;
    let mut stages: Vec<ogp::Stage> = imported.by_report.iter().map(|(_, s, _)| *s).collect();
    stages.sort();
    stages.dedup();
    let head = match round {
        Round::Latest => "ratings by IRM report (without --round, each criterion's latest):",
        Round::Progress => "ratings by IRM report (--round progress: the progress report's only):",
        Round::EndOfTerm => {
            "ratings by IRM report (--round end-of-term: the end-of-term report's only):"
        }
    };
    if !stages.is_empty() {
        lines.push(head.to_string());
    }
    for stage in stages {
        let parts: Vec<String> = imported
            .by_report
            .iter()
            .filter(|(_, s, _)| *s == stage)
            .map(|(c, _, n)| format!("{c} {n}"))
            .collect();
        lines.push(format!("  {}: {}", stage.words(rubric), parts.join(", ")));
    }
    if imported.left_out > 0 {
        lines.push(format!(
            "{} of the other report left out (--round)",
            plural(imported.left_out, "rating")
        ));
    }
    if no_milestones {
        lines.push("milestones not read (--no-milestones)".to_string());
    } else {
        let with: usize = imported.milestones_by_layout.iter().map(|(_, n)| n).sum();
        let mut line = format!(
            "milestones: {} read for {} of {}",
            plural(imported.milestones, "milestone"),
            with,
            plural(imported.commitments, "commitment"),
        );
        if with > 0 {
            let layouts: Vec<String> = imported
                .milestones_by_layout
                .iter()
                .map(|(l, n)| format!("{} {n}", l.words()))
                .collect();
            line.push_str(&format!(" ({})", layouts.join("; ")));
        }
        lines.push(line);
        if imported.milestones_unsure > 0 {
            let n = imported.milestones_unsure;
            lines.push(format!(
                "{} {} a person: {} milestone text could not be read with confidence and is in a comment block in plan.toml",
                plural(n, "commitment"),
                if n == 1 { "needs" } else { "need" },
                if n == 1 { "its" } else { "their" },
            ));
        }
    }
    lines
}

/// "1 country", "75 countries".
fn countries_words(n: usize) -> String {
    if n == 1 {
        "1 country".to_string()
    } else {
        format!("{n} countries")
    }
}

/// Each country's OGP code (the `Code` column), for `--country MNG`.
fn country_codes(table: &ogp::Table, plans: &[ActionPlan]) -> Vec<(String, String)> {
    let Some(col) = table.column("Code") else {
        return Vec::new();
    };
    let mut codes: Vec<(String, String)> = Vec::new();
    for p in plans {
        if let Some(code) = p
            .rows
            .first()
            .and_then(|&i| table.rows[i].cell(col))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            && !codes.iter().any(|(c, _)| *c == code)
        {
            codes.push((code, p.country.clone()));
        }
    }
    codes
}

/// A folder name for the suggestion: `mongolia-2016-2018`.
fn folder_name(plan: &ActionPlan) -> String {
    let mut name: String = plan
        .country
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let years = plan.years().replace('–', "-");
    if !years.is_empty() {
        name.push('-');
        name.push_str(&years);
    }
    let parts: Vec<&str> = name.split('-').filter(|p| !p.is_empty()).collect();
    parts.join("-")
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::write::write_output(path, text.as_bytes(), false)
        .with_context(|| format!("could not write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_plain() {
        let plan = ActionPlan {
            country: "Scotland, United Kingdom".into(),
            number: "2".into(),
            ogp_id: None,
            first_year: Some(2018),
            last_year: Some(2020),
            rows: Vec::new(),
            rubric: ogp::Rubric::Legacy,
            rubric_why: String::new(),
        };
        assert_eq!(folder_name(&plan), "scotland-united-kingdom-2018-2020");
    }
}
