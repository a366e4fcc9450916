//! The example outputs shown in README.md and docs/ are what the commands really print.

use std::fs;
use std::process::{Command, Stdio};

use crate::util::{bin, copy_tree, root};

/// The lines of the first ```text block after `marker` in a document, without their indent.
fn block_after(doc: &str, marker: &str) -> String {
    let at = doc
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not found"));
    let rest = &doc[at..];
    let open = rest.find("```text\n").unwrap() + "```text\n".len();
    let indent = rest[..open]
        .lines()
        .last()
        .map_or(0, |l| l.len() - l.trim_start().len());
    let body = &rest[open..];
    let close = body.find("```").unwrap();
    let body = &body[..close];
    body.lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[test]
fn readme_step_4_shows_the_real_diagnostic() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let expected = block_after(&readme, "**Make a mistake on purpose.**");
    // A copy of the sample at the path the README uses, with the mistake.
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("samples/mongolia-2016-2018");
    copy_tree(&root().join("samples/mongolia-2016-2018"), &dir);
    let demo = dir.join("scores/demo.csv");
    let text = fs::read_to_string(&demo).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines[8].contains(",Substantial,"), "{}", lines[8]);
    lines[8] = lines[8].replacen(",Substantial,", ",Substantia,", 1);
    fs::write(&demo, lines.join("\n") + "\n").unwrap();
    let out = Command::new(bin())
        .args(["validate", "samples/mongolia-2016-2018"])
        .current_dir(top.path())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let first = stderr.split("\n\n").next().unwrap().trim_end();
    assert_eq!(first, expected);
}

#[test]
fn the_workflow_guide_shows_the_real_80_column_table() {
    let doc = fs::read_to_string(root().join("docs/workflow.md")).unwrap();
    let expected = block_after(&doc, "The Mongolia sample's `assess` at 80 columns");
    let out = Command::new(bin())
        .args(["assess", "samples/mongolia-2016-2018"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let real = String::from_utf8(out.stdout).unwrap();
    let real = real
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(real.trim_end(), expected);
}
