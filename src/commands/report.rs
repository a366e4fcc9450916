//! `checkmyogp report [DIR]`: the visual report, one self-contained HTML file (inline CSS and
//! SVG, no script, nothing loaded from the network) to open, share and print; with `--charts`,
//! each chart as a standalone SVG file too. The page is built by [`crate::report`].

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::common;
use crate::cli::{InputArgs, Outcome};
use crate::report;

const EXAMPLES: &str = "\
Examples:
  checkmyogp report samples/mongolia-2016-2018
  checkmyogp report . --output coalition-report.html --as-of 2018-06-30
  checkmyogp report . --charts charts     # also charts/completion.svg, charts/heatmap.svg, …
  checkmyogp report . --output - > report.html
  checkmyogp report . --language fr       # in French (en, es, fr, mn)

The report is one HTML file that works offline: open it in any browser, send it by e-mail, or
print it (A4; closed sections are printed open). See docs/report.md.";

/// Write a visual report: one HTML file with charts, to open, share and print.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the report to this file (default: report.html in the assessment folder; `-`
    /// means the screen). The file is written atomically and never replaces a file a person
    /// edited, unless --force.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write each chart as a standalone SVG file in this folder (created if missing),
    /// for use in a Markdown draft or a slide.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

    /// The report's language: en, es, fr, mn, or one added in templates/lang/ (default: the
    /// plan's `[plan] language`, else English). The same wording files as `draft`.
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,

    /// Replace the output files even if they were edited since checkmyogp wrote them.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub date: common::AsOfArg,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.input.dir.join("report.html"));
    let to_stdout = output.as_os_str() == "-";
    // Whether the page may replace its target, found while the inputs load: it reads the old
    // page whole for its fingerprint (27 MB at 5,000 commitments), which would otherwise hold
    // up the writing.
    let (inputs, page_free) = crate::par::join(
        || common::load_inputs(&args.input, true),
        || args.force || to_stdout || crate::write::is_untouched(&output),
    );
    let Some(inputs) = inputs? else {
        return Ok(Outcome::Problems);
    };
    let as_of = common::as_of(args.date.as_of, &inputs);
    let code = args
        .language
        .clone()
        .or_else(|| inputs.plan.language.clone())
        .unwrap_or_else(|| "en".to_string());
    let lang_folder = args.input.dir.join(crate::draft::TEMPLATE_FOLDER);
    let (wording, problem) = crate::wording::Wording::load_for(
        &code,
        lang_folder.is_dir().then_some(lang_folder.as_path()),
        "report",
    );
    if let Some(problem) = problem {
        writeln!(crate::terminal::stderr(), "warning: {}", problem.0)?;
    }
    let mut report = report::prepare(
        &inputs,
        as_of,
        &report::Options::default(),
        report::Tr::new(wording),
    );

    // Every file to write, checked before any is written: all or nothing. The page is
    // written as it is made (271 MB at 50,000 commitments), never held whole.
    let mut files: Vec<PathBuf> = Vec::new();
    if !to_stdout {
        files.push(output.clone());
    }
    if let Some(dir) = &args.charts {
        if let Ok(meta) = std::fs::metadata(dir)
            && !meta.is_dir()
        {
            anyhow::bail!(
                "{} is {}, not a folder: give --charts a folder for the SVG files",
                dir.display(),
                crate::source::not_a_file(&meta).unwrap_or("a file")
            );
        }
        for chart in &report.charts {
            files.push(dir.join(format!("{}.svg", chart.name)));
        }
    }
    // A target that is not a regular file (a pipe, a device, a link) is refused for that,
    // with or without --force, before anything is written.
    for path in &files {
        crate::write::check_target(path)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    if !args.force {
        let refused: Vec<&Path> = files
            .iter()
            .map(PathBuf::as_path)
            .filter(|p| {
                if *p == output.as_path() {
                    !page_free
                } else {
                    !crate::write::is_untouched(p)
                }
            })
            .collect();
        if !refused.is_empty() {
            let mut err = crate::terminal::stderr();
            for p in &refused {
                writeln!(
                    err,
                    "error: {} already exists and was not written by checkmyogp (or was edited since): it was left as it is.",
                    p.display()
                )?;
            }
            writeln!(
                err,
                "  = help: choose another --output or --charts folder, move the file{} away, or add --force to replace {}. Nothing was written.",
                if refused.len() == 1 { "" } else { "s" },
                if refused.len() == 1 { "it" } else { "them" }
            )?;
            return Ok(Outcome::Problems);
        }
    }
    if let Some(dir) = &args.charts {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create the folder {}", dir.display()))?;
    }
    let keep_charts = args.charts.is_some();
    let mut err = crate::terminal::stderr();
    if !to_stdout {
        // Checked above (with the other targets, before any is written).
        crate::write::write_checked_output_with(
            &output,
            |w| Ok(report.write_page(w, keep_charts)?),
        )
        .with_context(|| format!("could not write {}", output.display()))?;
        writeln!(err, "wrote {}", output.display())?;
    }
    if let Some(dir) = &args.charts {
        for chart in &report.charts {
            let path = dir.join(format!("{}.svg", chart.name));
            crate::write::write_output_with(&path, args.force, |w| Ok(chart.write_svg(w, true)?))
                .with_context(|| format!("could not write {}", path.display()))?;
            writeln!(err, "wrote {}", path.display())?;
        }
    }
    if to_stdout {
        let mut out = std::io::BufWriter::with_capacity(
            1 << 16,
            crate::terminal::stdout(crate::terminal::Shown::Text),
        );
        report
            .write_page(&mut out, false)
            .and_then(|()| out.flush())
            .context(super::STDOUT_FAILED)?;
    }
    Ok(Outcome::Ok)
}
