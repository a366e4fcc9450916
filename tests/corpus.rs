//! The bad-input corpus: each folder under `tests/corpus/` (except `_base`) is one case. Its
//! files are laid over a copy of `tests/corpus/_base/` (a small valid assessment) in a temporary
//! folder; a file named `DELETE` lists base files to remove first; `args` holds the command line
//! (default `validate`). A case named `warn-…` or `ok-…` must exit 0, `usage-…` 2, any
//! other 1. The case's `expected.txt` holds the exit code and the full stderr and
//! stdout. Run with `SNAPSHOTS=overwrite` to write the expected files after a deliberate change
//! of wording, then review the diff.

use std::fs;
use std::path::Path;

use crate::util::{copy_tree, root, run_in, snapshot_tree};

const SPECIAL: [&str; 3] = ["args", "expected.txt", "DELETE"];

fn lay_case(case: &Path, into: &Path) {
    copy_tree(&root().join("tests/corpus/_base"), into);
    if let Ok(list) = fs::read_to_string(case.join("DELETE")) {
        for rel in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let _ = fs::remove_file(into.join(rel));
        }
    }
    for entry in fs::read_dir(case).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if SPECIAL.contains(&name.as_str()) {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &into.join(&name));
        } else {
            fs::copy(entry.path(), into.join(&name)).unwrap();
        }
    }
}

fn render(code: i32, stdout: &str, stderr: &str) -> String {
    format!("exit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}")
}

#[test]
fn every_bad_input_gives_its_documented_diagnostic() {
    let corpus = root().join("tests/corpus");
    let mut cases: Vec<_> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "the corpus should hold at least 30 cases, it holds {}",
        cases.len()
    );
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        lay_case(case, tmp.path());
        let args_text = fs::read_to_string(case.join("args")).unwrap_or_else(|_| "validate".into());
        let args: Vec<&str> = args_text.split_whitespace().collect();
        let before = snapshot_tree(tmp.path());
        let run = run_in(tmp.path(), &args);
        let after = snapshot_tree(tmp.path());
        assert_eq!(before, after, "{name}: the command changed its input files");
        assert!(
            !run.stderr.contains("panicked"),
            "{name} panicked:\n{}",
            run.stderr
        );
        let wanted_code = if name.starts_with("warn-") || name.starts_with("ok-") {
            0
        } else if name.starts_with("usage-") {
            2
        } else {
            1
        };
        assert_eq!(run.code, wanted_code, "{name}: exit code\n{}", run.stderr);
        let actual = render(run.code, &run.stdout, &run.stderr);
        let expected_path = case.join("expected.txt");
        if overwrite {
            fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "── {name}: expected ──\n{expected}\n── {name}: actual ──\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases differ (SNAPSHOTS=overwrite rewrites them):\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
