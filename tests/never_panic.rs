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
    for target in ["plan", "rubric", "scores", "template"] {
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
                "template" => {
                    let tmp = tempfile::tempdir().unwrap();
                    fs::write(tmp.path().join("templates-check.md.j2"), &bytes).unwrap();
                    let run = crate::util::run_in(
                        &root().join("tests/corpus/_base"),
                        &[
                            "draft",
                            "--template",
                            tmp.path().join("templates-check.md.j2").to_str().unwrap(),
                            "--output",
                            "-",
                        ],
                    );
                    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
                }
                _ => load_with(&base("plan.toml"), &bytes, None),
            }
        }
    }
}

/// Template text made of template-language pieces, shuffled.
fn template_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{{ plan.country }}",
        "{% for c in commitments %}",
        "{% endfor %}",
        "{% if x %}",
        "{% endif %}",
        "{{ c.title | upper }}",
        "{% include 'common.md.j2' %}",
        "{% include '../../etc/passwd' %}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "{% set x = [1,2] * 99999 %}",
        "{{ 1 / 0 }}",
        "{{ debug() }}",
        "{% raw %}",
        "{{",
        "}}",
        "{%",
        "%}",
        "\u{feff}",
        "Монгол",
        "\n",
        "{{ commitments[99] }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A draft template never makes the tool panic, hang or escape its folder: any problem is
    /// a diagnostic.
    #[test]
    fn any_template_renders_or_fails_with_a_diagnostic(text in template_text()) {
        use checkmyogp::draft;
        let dir = root().join("tests/corpus/_base");
        let mut report = Report::new();
        let inputs = load::load(&Selection { dir, ..Selection::default() }, &mut report).unwrap();
        let as_of = inputs.plan.settings.as_of.unwrap();
        let cx = draft::context::build(inputs, as_of, &checkmyogp::wording::Wording::english(), false);
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("t.md.j2");
        fs::write(&file, &text).unwrap();
        let choice = draft::choose(Some(&file), tmp.path(), "check-my-ogp").unwrap();
        let engine = draft::engine_for(&choice, &cx, checkmyogp::wording::Wording::english());
        if let Err(d) = draft::render_all(&engine, &cx) {
            let shown = d.render();
            prop_assert!(shown.contains("t.md.j2") || shown.contains("common.md.j2"), "{}", shown);
        }
    }
}
