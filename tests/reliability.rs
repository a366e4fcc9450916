//! No data loss and bounded resources, across every command: input files are never changed,
//! no command overwrites a file a person edited unless --force, an interrupted write leaves the
//! previous file whole, and pathological inputs (huge fields, a million columns, deep nesting)
//! get a diagnostic within seconds and a bounded amount of memory.

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{bin, bounded, copy_tree, root, run_in, sample, snapshot_tree};

/// Every command that reads an assessment, run on a copy of the Mongolia sample, with outputs
/// written into a separate folder: afterwards every input file is byte for byte what it was.
#[test]
fn no_command_modifies_its_input_files() {
    let dir = sample("mongolia-2016-2018");
    let out = tempfile::tempdir().unwrap();
    let o = |name: &str| out.path().join(name).to_string_lossy().into_owned();
    let before = snapshot_tree(dir.path());
    let runs: Vec<Vec<String>> = vec![
        vec!["validate".into()],
        vec!["validate".into(), "--format".into(), "json".into()],
        vec!["assess".into()],
        vec![
            "assess".into(),
            "--format".into(),
            "json".into(),
            "--details".into(),
            "--output".into(),
            o("a.json"),
        ],
        vec![
            "assess".into(),
            "--format".into(),
            "csv".into(),
            "--output".into(),
            o("a.csv"),
        ],
        vec!["summary".into(), "--format".into(), "markdown".into()],
        vec!["explain".into(), ".".into(), "1".into()],
        vec!["agreement".into(), "--bootstrap".into(), "50".into()],
        vec!["draft".into(), "--output".into(), o("draft.md")],
        vec!["draft".into(), "--split".into(), o("split")],
        vec![
            "report".into(),
            "--output".into(),
            o("report.html"),
            "--charts".into(),
            o("charts"),
        ],
        vec![
            "sheet".into(),
            "--evaluator".into(),
            "demo".into(),
            "--output".into(),
            o("sheet.csv"),
        ],
        vec![
            "sheet".into(),
            "--evaluator".into(),
            "demo".into(),
            "--format".into(),
            "xlsx".into(),
            "--output".into(),
            o("sheet.xlsx"),
        ],
        vec!["compare".into(), ".".into(), o("a.json")],
        vec![
            "rubric".into(),
            "export".into(),
            "check-my-ogp".into(),
            "--output".into(),
            o("rubric.toml"),
        ],
    ];
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_in(dir.path(), &args);
        assert!(
            run.code == 0,
            "{args:?} failed ({}):\n{}",
            run.code,
            run.stderr
        );
    }
    assert_eq!(
        before,
        snapshot_tree(dir.path()),
        "a command changed a file of the assessment folder"
    );
}

/// Each command that writes a file refuses to replace one a person edited, leaves it intact,
/// says how to proceed, and replaces it with --force.
#[test]
fn no_command_overwrites_a_person_s_edits_without_force() {
    let dir = sample("mongolia-2016-2018");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "out.json",
            vec!["assess", "--format", "json", "--output", "out.json"],
        ),
        (
            "out.md",
            vec!["summary", "--format", "markdown", "--output", "out.md"],
        ),
        (
            "why.md",
            vec![
                "explain", ".", "2", "--format", "markdown", "--output", "why.md",
            ],
        ),
        (
            "agree.csv",
            vec!["agreement", "--format", "csv", "--output", "agree.csv"],
        ),
        ("draft.md", vec!["draft"]),
        ("report.html", vec!["report"]),
        (
            "sheet.csv",
            vec!["sheet", "--evaluator", "wsp", "--output", "sheet.csv"],
        ),
        (
            "rubric.toml",
            vec!["rubric", "export", "irm-legacy", "--output", "rubric.toml"],
        ),
        ("page.1", vec!["man", "--output", "page.1"]),
    ];
    for (target, args) in cases {
        let path = dir.path().join(target);
        let first = run_in(dir.path(), &args);
        assert_eq!(first.code, 0, "{args:?}: {}", first.stderr);
        assert!(path.exists(), "{args:?} wrote no {target}");
        // The tool may replace what it wrote itself...
        let again = run_in(dir.path(), &args);
        assert_eq!(again.code, 0, "{args:?} (again): {}", again.stderr);
        // ...but not a person's edits.
        fs::write(&path, "a person's edits\n").unwrap();
        let refused = run_in(dir.path(), &args);
        assert_eq!(
            refused.code, 1,
            "{args:?} replaced an edited {target}:\n{}",
            refused.stderr
        );
        assert!(
            refused.stderr.contains("--force"),
            "{args:?} does not say how to proceed:\n{}",
            refused.stderr
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "a person's edits\n");
        let mut forced = args.clone();
        forced.push("--force");
        let run = run_in(dir.path(), &forced);
        assert_eq!(run.code, 0, "{forced:?}: {}", run.stderr);
        assert_ne!(
            fs::read_to_string(&path).unwrap_or_default(),
            "a person's edits\n"
        );
    }
    // Commands that create folders refuse folders that hold anything.
    for args in [
        vec!["init", "samples-copy"],
        vec!["generate", "samples-copy", "--commitments", "2"],
    ] {
        let target = dir.path().join("samples-copy");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("notes.txt"), "mine").unwrap();
        let run = run_in(dir.path(), &args);
        assert_ne!(run.code, 0, "{args:?} wrote into a folder that holds files");
        assert_eq!(
            fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_dir(&target).unwrap().count(),
            1,
            "{args:?} added files"
        );
    }
}

/// A write killed at any moment leaves the previous file whole: the old content or the new,
/// never a mixture, and no half-written file under the target's name.
#[test]
fn a_write_killed_midway_leaves_the_previous_file_intact() {
    let work = tempfile::tempdir().unwrap();
    let big = work.path().join("big");
    let generated = run_in(
        work.path(),
        &[
            "generate",
            big.to_str().unwrap(),
            "--commitments",
            "3000",
            "--evaluators",
            "20",
            "--criteria",
            "6",
        ],
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let target = work.path().join("results.json");
    fs::write(&target, "").unwrap();
    let first = run_in(
        work.path(),
        &[
            "assess",
            big.to_str().unwrap(),
            "--format",
            "json",
            "--details",
            "--output",
            "results.json",
            "--force",
        ],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let complete = fs::read(&target).unwrap();
    assert!(complete.len() > 1_000_000);
    for delay_ms in [5u64, 40, 80, 120, 160, 200, 250, 300, 400, 600] {
        let mut child = Command::new(bin())
            .args([
                "assess",
                big.to_str().unwrap(),
                "--format",
                "json",
                "--details",
                "--as-of",
                "2030-01-01",
                "--output",
                "results.json",
                "--force",
            ])
            .current_dir(work.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = fs::read(&target).unwrap();
        let whole = now == complete || serde_json::from_slice::<serde_json::Value>(&now).is_ok();
        assert!(
            whole,
            "after a kill at {delay_ms} ms, results.json is neither the old file nor a complete new one ({} bytes)",
            now.len()
        );
    }
    // Temporary files of killed writes may remain (the kill gives no chance to clean up), but
    // they are hidden, named .checkmyogp-*.tmp, and never read as results.
    for entry in fs::read_dir(work.path()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            ["big", "results.json", ".checkmyogp-written"].contains(&name.as_str())
                || (name.starts_with(".checkmyogp-") && name.ends_with(".tmp")),
            "unexpected file {name}"
        );
    }
}

fn base_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/corpus/_base"), dir.path());
    dir
}

#[test]
fn pathological_inputs_get_a_diagnostic_in_bounded_time_and_memory() {
    // The time limit catches runaway work (a quadratic pass over a million columns or rows
    // takes hours), not slowness: a debug build on a loaded machine may take several times
    // its usual few seconds, and 20 s was crossed on two busy cores.
    const LIMIT: u64 = 90;
    // A 50 MB single field (a comment pasted from a document, say).
    let dir = base_copy();
    let mut text =
        String::from("evaluator,commitment,milestone,completion,comment\nbold,1,1.1,Limited,\"");
    text.push_str(&"x".repeat(50_000_000));
    text.push_str("\"\nbold,2,2.1,Limitd,\n");
    fs::write(dir.path().join("scores/bold.csv"), text).unwrap();
    let (code, err, _) = bounded(dir.path(), &["validate"], 600, LIMIT);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("\"Limitd\" is not a level of criterion `completion`"),
        "{err}"
    );

    // A million columns.
    let dir = base_copy();
    let header: Vec<String> = (0..1_000_000).map(|i| format!("c{i}")).collect();
    fs::write(
        dir.path().join("scores/bold.csv"),
        format!("{}\n{}\n", header.join(","), vec!["1"; 1_000_000].join(",")),
    )
    .unwrap();
    let (code, err, _) = bounded(dir.path(), &["validate"], 800, LIMIT);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("... and 999980 more errors of the kind `unknown-column` in scores/bold.csv"),
        "{err}"
    );

    // Deeply nested TOML, in the plan and in a rubric.
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        format!(
            "{plan}\nx = {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("rubric.toml"),
        format!("a = {}1{}\n", "{b=".repeat(100_000), "}".repeat(100_000)),
    )
    .unwrap();
    let (code, err, _) = bounded(dir.path(), &["validate"], 600, LIMIT);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("this is not valid TOML"), "{err}");
    let (code, err, _) = bounded(dir.path(), &["rubric", "show", "rubric.toml"], 600, LIMIT);
    assert_eq!(code, 1, "{err}");

    // A million rows of rubbish: each kind of problem is shown twenty times and counted.
    let dir = base_copy();
    let mut rows = String::from("evaluator,commitment,milestone,criterion,level\n");
    for i in 0..1_000_000 {
        rows.push_str(&format!("ana,1,1.1,completion,Level{i}\n"));
    }
    fs::write(dir.path().join("scores/ana.csv"), rows).unwrap();
    let (code, err, elapsed) = bounded(dir.path(), &["validate"], 600, LIMIT);
    assert_eq!(code, 1);
    assert!(
        err.contains("... and 999980 more errors of the kind `unknown-level` in scores/ana.csv"),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(LIMIT));
}
