//! Score files saved as spreadsheets (.xlsx, .ods) are read as they are, with diagnostics that
//! name the cell. Workbooks are written here with rust_xlsxwriter, as a spreadsheet program would.
#![cfg(feature = "spreadsheets")]

use std::fs;
use std::path::Path;

use rust_xlsxwriter::Workbook;

use crate::util::{copy_tree, root, run_in};

/// A copy of the corpus base assessment, with bold's CSV replaced by `bold.<ext>`.
fn base_without_bold() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/corpus/_base"), dir.path());
    fs::remove_file(dir.path().join("scores/bold.csv")).unwrap();
    dir
}

/// bold's ratings, as tests/corpus/_base/scores/bold.csv holds them.
fn bold_rows() -> Vec<Vec<String>> {
    let text = fs::read_to_string(root().join("tests/corpus/_base/scores/bold.csv")).unwrap();
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let (r, c) = (r as u32, c as u16);
                match value.parse::<f64>() {
                    // Ids like 1 and 1.1 become numbers, as they do when typed into a spreadsheet.
                    Ok(n) if !value.contains("//") => sheet.write_number(r, c, n).map(|_| ()),
                    _ => sheet.write_string(r, c, value).map(|_| ()),
                }
                .unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

fn assess_json(dir: &Path) -> serde_json::Value {
    let run = run_in(dir, &["assess", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn an_xlsx_score_file_gives_the_same_results_as_its_csv() {
    let csv_results = assess_json(&root().join("tests/corpus/_base"));
    let dir = base_without_bold();
    // An instructions sheet first, as `checkmyogp sheet` writes: the scores are on the next one.
    write_xlsx(
        &dir.path().join("scores/bold.xlsx"),
        &[
            ("Instructions", vec![vec!["Rate each row.".into()]]),
            ("Scores", bold_rows()),
        ],
    );
    // Spreadsheet programs leave lock files beside open workbooks; they are not score files.
    fs::write(dir.path().join("scores/~$bold.xlsx"), b"lock").unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("scores   2 files, 2 evaluators, 12 ratings"),
        "{}",
        run.stderr
    );
    let xlsx_results = assess_json(dir.path());
    assert_eq!(csv_results["commitments"], xlsx_results["commitments"]);
}

#[test]
fn an_ods_score_file_is_read_with_its_cyrillic_text() {
    let dir = base_without_bold();
    fs::copy(
        root().join("tests/fixtures/spreadsheets/bold.ods"),
        dir.path().join("scores/bold.ods"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(dir.path(), &["explain", "2", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let notes = v["commitment"]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["comment"] == "Проект хууль өргөн бариагүй."),
        "{notes:?}"
    );
}

#[test]
fn diagnostics_name_the_cell() {
    let dir = base_without_bold();
    let mut rows = bold_rows();
    rows[2][3] = "Limitd".into();
    rows[4][1] = "7".into();
    write_xlsx(&dir.path().join("scores/bold.xlsx"), &[("Scores", rows)]);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: \"Limitd\" is not a level of criterion `completion`\n --> scores/bold.xlsx:3 (cell Scores!D3 \"completion\")\n  |\n3 | bold,1,1.2,Limitd,,,,\n  |            ^^^^^^\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  = help: did you mean `Limited`?"));
    assert!(run.stderr.contains("error: commitment \"7\" is not in plan.toml\n --> scores/bold.xlsx:5 (cell Scores!B5 \"commitment\")"), "{}", run.stderr);
}

#[test]
fn damaged_and_misnamed_workbooks_get_a_clear_message() {
    let dir = base_without_bold();
    fs::write(
        dir.path().join("scores/bold.xlsx"),
        b"PK\x03\x04 this is not really a workbook",
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: the workbook cannot be read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("save it again as .xlsx, .ods or CSV UTF-8")
    );
    assert!(!run.stderr.contains("panicked"));
    // A workbook saved under a .csv name is still read as the workbook it is.
    fs::remove_file(dir.path().join("scores/bold.xlsx")).unwrap();
    write_xlsx(
        &dir.path().join("scores/bold.csv"),
        &[("Scores", bold_rows())],
    );
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
