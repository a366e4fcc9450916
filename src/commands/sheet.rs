//! `checkmyogp sheet [DIR] --evaluator ID`: a blank scoring sheet for one evaluator, in the
//! wide form the score reader takes as it is (CSV, or an XLSX workbook with drop-down lists and
//! an Instructions sheet). Only the plan and the rubric are read: a broken score file does not
//! stop anyone from making a blank sheet.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;

use crate::cli::{InputArgs, Outcome};
use crate::diag::{Diagnostic, Location, Report, plural};
use crate::load::{self, builtin};
use crate::model::{Plan, Rubric};
use crate::sheet::{self, Layout};
use crate::source::SourceMap;
use crate::suggest;

const EXAMPLES: &str = "\
Examples:
  checkmyogp sheet samples/mongolia-2016-2018 --evaluator demo   # writes sheet-demo.csv there
  checkmyogp sheet . --evaluator wsp --format xlsx
  checkmyogp sheet . --evaluator wsp --output scores/wsp.csv
  checkmyogp sheet . --evaluator demo --output -        # CSV on the screen
  checkmyogp sheet . --consensus                        # what the evaluators disagree on

Give each evaluator their sheet; put the filled sheets in the folder's scores/ and run
`checkmyogp validate`. The CSV is read as it is; so is the XLSX (first sheet).";

/// Write a blank scoring sheet for one evaluator (CSV, or XLSX with drop-down lists).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// The evaluator's id, as written in the `evaluator` column (one of the plan's
    /// [[evaluator]] ids when it lists any). With --consensus, default: the plan's evaluator
    /// with role = "consensus", else `consensus`.
    #[arg(long, short, value_name = "ID", required_unless_present = "consensus")]
    pub evaluator: Option<String>,

    /// Write the consensus sheet instead: only the units and criteria where the evaluators
    /// disagree, each with the levels given, for the coalition to fill in the level it agrees
    /// on at its meeting (CSV; reads the score files).
    #[arg(long)]
    pub consensus: bool,

    /// csv (read by `validate` as it is) or xlsx (drop-down lists, shading, instructions).
    /// Default: from the --output file name, else csv.
    #[arg(long, value_enum)]
    pub format: Option<SheetFormat>,

    /// The file to write (default: sheet-<evaluator>.csv or .xlsx in the assessment folder;
    /// `-` prints a CSV sheet). Never replaces a file a person edited, unless --force.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file even if it was edited since checkmyogp wrote it.
    #[arg(long)]
    pub force: bool,
}

/// `--format` choices of `sheet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// Comma-separated text, UTF-8 (with a byte-order mark, so Excel reads every script).
    Csv,
    /// An Excel workbook (also opened by LibreOffice and Google Sheets).
    Xlsx,
}

impl SheetFormat {
    fn extension(self) -> &'static str {
        match self {
            SheetFormat::Csv => "csv",
            SheetFormat::Xlsx => "xlsx",
        }
    }
}

/// Loads only the plan and the rubric of an assessment (honouring `--plan` and `--rubric`).
/// Problems are printed; `None` when there were errors.
pub fn load_plan_and_rubric(input: &InputArgs) -> anyhow::Result<Option<(Plan, Rubric)>> {
    let mut report = Report::new();
    let mut sources = SourceMap::default();
    let plan_path = input
        .parts
        .plan
        .clone()
        .unwrap_or_else(|| input.dir.join("plan.toml"));
    let base = plan_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let plan = load::load_plan(&plan_path, &mut sources, &mut report);
    let rubric = match &plan {
        Some(plan) => {
            let (spec, at, from) = match (&input.parts.rubric, &plan.settings.rubric) {
                (Some(r), _) => (r.clone(), None, PathBuf::from(".")),
                (None, Some((r, span))) => (
                    r.clone(),
                    Some(Location::span(&sources, span)),
                    base.clone(),
                ),
                (None, None) => (builtin::DEFAULT_RUBRIC.to_string(), None, base.clone()),
            };
            load::load_rubric(&spec, &from, &mut sources, &mut report, at)
        }
        None => None,
    };
    super::print_report(&report)?;
    match (plan, rubric) {
        (Some(plan), Some(rubric)) if !report.has_errors() => Ok(Some((plan, rubric))),
        _ => {
            writeln!(
                crate::terminal::stderr(),
                "{} in the plan or the rubric: fix {}, then run the command again.",
                plural(report.errors().max(1), "error"),
                if report.errors() > 1 { "them" } else { "it" }
            )?;
            Ok(None)
        }
    }
}

/// Checks `--evaluator` against the plan: `Some(diagnostic)` when the plan lists evaluators
/// and this is not one of them.
pub fn unknown_evaluator(plan: &Plan, id: &str) -> Option<Diagnostic> {
    if plan.evaluators.is_empty() || plan.evaluator(id).is_some() {
        return None;
    }
    let ids: Vec<&str> = plan.evaluators.iter().map(|e| e.id.as_str()).collect();
    Some(
        Diagnostic::error(
            "unknown-evaluator",
            format!("`{id}` is not one of the plan's evaluators"),
        )
        .expected(format!("one of {}", suggest::one_of(&ids, 10)))
        .maybe_help(suggest::did_you_mean(id, ids.iter().copied()).or_else(|| {
            Some(format!(
                "to add this evaluator, add an [[evaluator]] with id = \"{id}\" to plan.toml"
            ))
        })),
    )
}

fn usage(message: impl Into<String>) -> anyhow::Result<Outcome> {
    let d = Diagnostic::error("usage", message);
    crate::terminal::stderr().write_all(d.render().as_bytes())?;
    Ok(Outcome::Usage)
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if args.consensus {
        return consensus(args);
    }
    let evaluator = args.evaluator.as_deref().unwrap_or("").trim();
    if evaluator.is_empty() {
        return usage("--evaluator needs an evaluator id, e.g. --evaluator demo");
    }
    let to_stdout = args.output.as_ref().is_some_and(|p| p.as_os_str() == "-");
    let extension = args
        .output
        .as_ref()
        .filter(|_| !to_stdout)
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_lowercase());
    let format = match (args.format, extension.as_deref()) {
        (Some(SheetFormat::Csv), Some("xlsx" | "xls" | "ods")) => {
            return usage(
                "--format csv, but the --output file name is a workbook's; name it .csv, or use --format xlsx",
            );
        }
        (Some(SheetFormat::Xlsx), Some(ext)) if ext != "xlsx" => {
            return usage(format!(
                "--format xlsx, but the --output file name ends in .{ext}; name it .xlsx"
            ));
        }
        (Some(f), _) => f,
        (None, Some("xlsx")) => SheetFormat::Xlsx,
        (None, Some("xls" | "ods")) => {
            return usage("sheet writes .csv or .xlsx files; name the --output file .xlsx");
        }
        (None, _) => SheetFormat::Csv,
    };
    if to_stdout && format == SheetFormat::Xlsx {
        return usage(
            "an XLSX workbook cannot be printed to the screen; give --output a file name",
        );
    }
    if !args.input.parts.scores.is_empty() {
        writeln!(
            crate::terminal::stderr(),
            "note: --scores is not used by `sheet`, which needs only the plan and the rubric"
        )?;
    }

    let Some((plan, rubric)) = load_plan_and_rubric(&args.input)? else {
        return Ok(Outcome::Problems);
    };
    if let Some(d) = unknown_evaluator(&plan, evaluator) {
        crate::terminal::stderr().write_all(d.render().as_bytes())?;
        return Ok(Outcome::Usage);
    }

    let layout = Layout::new(&plan, &rubric);
    let bytes = match format {
        SheetFormat::Csv => {
            let text = sheet::csv(&plan, &rubric, &layout, evaluator)?;
            if to_stdout {
                super::to_stdout(text.as_bytes(), crate::terminal::Shown::Text)?;
                report_rows(&layout, None, evaluator)?;
                return Ok(Outcome::Ok);
            }
            // A byte-order mark, so that Excel opens the file as UTF-8 (and saves it back so).
            let mut bytes = "\u{feff}".as_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        SheetFormat::Xlsx => xlsx_bytes(&plan, &rubric, &layout, evaluator)?,
    };
    // Like `draft` and `report`, into the assessment folder.
    let path = args.output.clone().unwrap_or_else(|| {
        args.input.dir.join(format!(
            "sheet-{}.{}",
            sheet::file_stem(evaluator),
            format.extension()
        ))
    });
    crate::write::write_output(&path, &bytes, args.force)
        .with_context(|| format!("could not write the sheet {}", path.display()))?;
    report_rows(&layout, Some(&path), evaluator)?;
    Ok(Outcome::Ok)
}

#[cfg(feature = "spreadsheets")]
fn xlsx_bytes(
    plan: &Plan,
    rubric: &Rubric,
    layout: &Layout,
    evaluator: &str,
) -> anyhow::Result<Vec<u8>> {
    sheet::xlsx::workbook(plan, rubric, layout, evaluator)
}

#[cfg(not(feature = "spreadsheets"))]
fn xlsx_bytes(_: &Plan, _: &Rubric, _: &Layout, _: &str) -> anyhow::Result<Vec<u8>> {
    anyhow::bail!(
        "this checkmyogp was built without spreadsheet support (the `spreadsheets` feature); use --format csv"
    )
}

/// What was written, and what to do next, on stderr.
fn report_rows(layout: &Layout, path: Option<&Path>, evaluator: &str) -> anyhow::Result<()> {
    let mut err = crate::terminal::stderr();
    let milestones = layout.rows.iter().filter(|r| r.milestone.is_some()).count();
    let commitments = layout.rows.len() - milestones;
    let mut parts = Vec::new();
    if commitments > 0 {
        parts.push(plural(commitments, "commitment row"));
    }
    if milestones > 0 {
        parts.push(plural(milestones, "milestone row"));
    }
    if parts.is_empty() {
        parts.push("no rows (the plan lists no commitments)".to_string());
    }
    if let Some(path) = path {
        writeln!(
            err,
            "wrote {} for evaluator `{evaluator}`: {}.\nFill it in, put it in the assessment's scores/ folder, and run `checkmyogp validate`.",
            crate::source::display_path(path),
            parts.join(" and ")
        )?;
    }
    if !layout.without_milestones.is_empty() {
        writeln!(
            err,
            "warning: {} no milestones in plan.toml, so the criteria rated per milestone cannot be rated for {}: {}",
            if layout.without_milestones.len() == 1 {
                "1 commitment has"
            } else {
                "some commitments have"
            },
            if layout.without_milestones.len() == 1 {
                "it"
            } else {
                "them"
            },
            suggest::one_of(&layout.without_milestones, 10).replace(" or ", " and ")
        )?;
    }
    Ok(())
}

/// `sheet --consensus`: the units and criteria the evaluators disagree on, with the levels given.
fn consensus(args: &Args) -> anyhow::Result<Outcome> {
    if args.format == Some(SheetFormat::Xlsx)
        || args
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .is_some_and(|e| !e.eq_ignore_ascii_case("csv"))
    {
        return usage("the consensus sheet is a CSV file; name the --output file .csv");
    }
    // With notes: the consensus evaluator's evidence and comments are written back.
    let Some((inputs, assessment)) = super::common::load_and_assess(&args.input, None, true)?
    else {
        return Ok(Outcome::Problems);
    };
    let plan = &inputs.plan;
    let evaluator = match args.evaluator.as_deref().map(str::trim) {
        Some("") => return usage("--evaluator needs an evaluator id, e.g. --evaluator consensus"),
        Some(id) => {
            if !plan.is_consensus(id) {
                if let Some(d) = unknown_evaluator(plan, id) {
                    crate::terminal::stderr().write_all(d.render().as_bytes())?;
                    return Ok(Outcome::Usage);
                }
                writeln!(
                    crate::terminal::stderr(),
                    "warning: `{id}` does not have role = \"consensus\" in plan.toml, so its levels would be combined with the others; give it that role before putting the sheet in scores/"
                )?;
            }
            id.to_string()
        }
        None => plan
            .evaluators
            .iter()
            .find(|e| e.role == crate::model::Role::Consensus)
            .map_or_else(|| "consensus".to_string(), |e| e.id.clone()),
    };
    let rows = sheet::consensus::rows(plan, &inputs.rubric, &inputs.scores, &assessment);
    let text = sheet::consensus::csv(&rows, &evaluator)?;
    let to_stdout = args.output.as_ref().is_some_and(|p| p.as_os_str() == "-");
    let mut err = crate::terminal::stderr();
    if to_stdout {
        let mut out = crate::terminal::stdout(crate::terminal::Shown::Text);
        out.write_all(text.as_bytes())?;
        out.flush()?;
    } else {
        let path = args.output.clone().unwrap_or_else(|| {
            PathBuf::from(format!("sheet-{}.csv", sheet::file_stem(&evaluator)))
        });
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(text.as_bytes());
        crate::write::write_output(&path, &bytes, args.force)
            .with_context(|| format!("could not write the sheet {}", path.display()))?;
        let agreed_only = rows.iter().filter(|r| !r.disagreement).count();
        writeln!(
            err,
            "wrote {} for evaluator `{evaluator}`: {} where the evaluators disagree{}.",
            path.display(),
            plural(rows.len() - agreed_only, "row"),
            if agreed_only > 0 {
                format!(", and {agreed_only} more the coalition already agreed on")
            } else {
                String::new()
            }
        )?;
    }
    if plan.evaluator(&evaluator).is_none() {
        writeln!(
            err,
            "To use it, add to plan.toml:\n\n[[evaluator]]\nid = \"{evaluator}\"\nrole = \"consensus\"\n"
        )?;
    }
    // A blank level is "no rating" only when the rubric says so; otherwise it is an error.
    let blank = if inputs.rubric.is_no_rating("") {
        "leave it blank where there is no agreement"
    } else {
        "delete the rows where there is no agreement: this rubric reads a blank level as a mistake"
    };
    writeln!(
        err,
        "At the meeting, write the agreed level in the `level` column ({blank}), put the file in scores/, and run `checkmyogp validate`."
    )?;
    Ok(Outcome::Ok)
}
