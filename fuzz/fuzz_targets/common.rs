//! Shared by the fuzz targets: a small valid assessment in a temporary folder, with one of its
//! files replaced by the fuzzer's bytes, loaded the way every command loads it.

use std::fs;
use std::path::Path;

use checkmyogp::diag::Report;
use checkmyogp::load::{self, Selection};

const PLAN: &str = include_str!("../../tests/corpus/_base/plan.toml");
const ANA: &str = include_str!("../../tests/corpus/_base/scores/ana.csv");
const BOLD: &str = include_str!("../../tests/corpus/_base/scores/bold.csv");

/// Which file the fuzzer's bytes replace (each target uses one).
#[allow(dead_code)]
pub enum Replace {
    Plan,
    Rubric,
    Scores,
    /// A spreadsheet score file (scores/bold.xlsx).
    Workbook,
}

pub fn run(data: &[u8], replace: Replace) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let d = dir.path();
    let write = |rel: &str, bytes: &[u8]| {
        let path = d.join(rel);
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(path, bytes);
    };
    write("plan.toml", PLAN.as_bytes());
    write("scores/ana.csv", ANA.as_bytes());
    write("scores/bold.csv", BOLD.as_bytes());
    let mut sel = Selection {
        dir: d.to_path_buf(),
        ..Selection::default()
    };
    match replace {
        Replace::Plan => write("plan.toml", data),
        Replace::Scores => write("scores/bold.csv", data),
        Replace::Workbook => {
            let _ = fs::remove_file(d.join("scores/bold.csv"));
            write("scores/bold.xlsx", data);
        }
        Replace::Rubric => {
            write("rubric.toml", data);
            sel.rubric = Some(
                Path::new(d)
                    .join("rubric.toml")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    let mut report = Report::new();
    if let Some(inputs) = load::load(&sel, &mut report) {
        if !report.has_errors() {
            let fallback = checkmyogp::model::Date::new(2020, 1, 1).unwrap_or_default();
            let as_of = inputs.plan.settings.as_of.unwrap_or(fallback);
            let a = checkmyogp::assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
            let _ =
                checkmyogp::results::build(&inputs, &a, checkmyogp::results::Detail::Evaluators);
        }
    }
    let _ = report.render();
    let _ = report.as_json();
}
