//! The loaders never panic, whatever bytes they are given: random bytes, and valid files with
//! random damage (bytes changed, cut short, lines shuffled). A panic fails the test; any
//! diagnostic is fine.

use std::fs;
use std::path::Path;

use checkmyogp::diag::Report;
use checkmyogp::load::{self, Selection};
use proptest::prelude::*;

use crate::util::root;

fn base(rel: &str) -> Vec<u8> {
    fs::read(root().join("tests/corpus/_base").join(rel)).unwrap()
}

fn load_with(plan: &[u8], scores: &[u8], rubric: Option<&[u8]>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("scores")).unwrap();
    fs::write(d.join("plan.toml"), plan).unwrap();
    fs::write(d.join("scores/a.csv"), scores).unwrap();
    let mut sel = Selection {
        dir: d.to_path_buf(),
        ..Selection::default()
    };
    if let Some(r) = rubric {
        fs::write(d.join("rubric.toml"), r).unwrap();
        sel.rubric = Some(d.join("rubric.toml").to_string_lossy().into_owned());
    }
    let mut report = Report::new();
    let _ = load::load(&sel, &mut report);
    // Rendering must not panic either.
    let _ = report.render();
    let _ = report.as_json();
}

/// Applies damage to valid bytes: overwrite, insert, delete, truncate.
fn damage(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(pos, kind, byte) in edits {
        if bytes.is_empty() {
            bytes.push(byte);
            continue;
        }
        let pos = pos % bytes.len();
        match kind % 4 {
            0 => bytes[pos] = byte,
            1 => bytes.insert(pos, byte),
            2 => {
                bytes.remove(pos);
            }
            _ => bytes.truncate(pos),
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec(
        (
            any::<usize>(),
            any::<u8>(),
            prop::sample::select(b"\"[]=,;\n\r\t{}#.\\0-\xff\xc3 aZ".to_vec()),
        ),
        1..8,
    )
}

fn rubric_text() -> Vec<u8> {
    fs::read(root().join("rubrics/irm-legacy.toml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_any_file(plan in prop::collection::vec(any::<u8>(), 0..600),
                                scores in prop::collection::vec(any::<u8>(), 0..600),
                                rubric in prop::collection::vec(any::<u8>(), 0..600)) {
        load_with(&plan, &base("scores/ana.csv"), None);
        load_with(&base("plan.toml"), &scores, None);
        load_with(&base("plan.toml"), &base("scores/ana.csv"), Some(&rubric));
    }

    #[test]
    fn damaged_plan(e in edits()) {
        load_with(&damage(base("plan.toml"), &e), &base("scores/ana.csv"), None);
    }

    #[test]
    fn damaged_scores(e in edits(), wide in any::<bool>()) {
        let file = if wide { "scores/bold.csv" } else { "scores/ana.csv" };
        load_with(&base("plan.toml"), &damage(base(file), &e), None);
    }

    #[test]
    fn damaged_rubric(e in edits()) {
        load_with(&base("plan.toml"), &base("scores/ana.csv"), Some(&damage(rubric_text(), &e)));
    }
}

#[test]
fn every_builtin_rubric_survives_every_single_line_deletion() {
    for b in &load::builtin::BUILTIN {
        let lines: Vec<&str> = b.text.lines().collect();
        for skip in 0..lines.len() {
            let text: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| format!("{l}\n"))
                .collect();
            load_with(
                &base("plan.toml"),
                &base("scores/ana.csv"),
                Some(text.as_bytes()),
            );
        }
    }
    let _ = Path::new(".");
}

/// Every input a fuzzer ever crashed on (saved in tests/fuzz-regressions/TARGET/) stays fixed.
#[test]
fn fuzz_regressions_stay_fixed() {
    for target in ["plan", "rubric", "scores"] {
        let dir = root().join("tests/fuzz-regressions").join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let bytes = fs::read(entry.path()).unwrap();
            match target {
                "plan" => load_with(&bytes, &base("scores/ana.csv"), None),
                "rubric" => load_with(&base("plan.toml"), &base("scores/ana.csv"), Some(&bytes)),
                _ => load_with(&base("plan.toml"), &bytes, None),
            }
        }
    }
}
