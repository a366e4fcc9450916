//! End-to-end behaviour of the commands on the shipped samples and on small folders.

use std::fs;

use crate::util::{root, run_in, sample};

#[test]
fn both_samples_validate_without_errors() {
    for name in ["mongolia-2016-2018", "mongolia-irm-legacy"] {
        let dir = sample(name);
        let run = run_in(dir.path(), &["validate"]);
        assert_eq!(run.code, 0, "{name}:\n{}", run.stderr);
        assert!(!run.stderr.contains("error"), "{name}:\n{}", run.stderr);
        assert!(
            run.stderr
                .contains("ok: the assessment in this folder is valid"),
            "{name}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn the_mongolia_sample_reports_exactly_its_known_warnings() {
    let run = run_in(&root(), &["validate", "samples/mongolia-2016-2018"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr,
        "warning: evaluator `wsp` did not rate 1 commitment of 7: `6`\n  --> samples/mongolia-2016-2018/plan.toml:39:6\n   |\n39 | id = \"wsp\"\n   |      ^^^^^\n   = help: fine if deliberate; otherwise add their ratings\n\nwarning: milestone 3.3: `completion` is Substantial, which needs evidence, but no evaluator who gave Substantial or above cited any (`transparency-mn`, `wsp`)\n  --> samples/mongolia-2016-2018/scores/transparency-mn.csv:13\n   = also without evidence: samples/mongolia-2016-2018/scores/wsp.csv:13\n   = help: put a link or a document in the `evidence` column of the rating, or lower the rating\n\nok: samples/mongolia-2016-2018 is valid, with 2 warnings\n  plan     Mongolia — Second National Action Plan of Mongolia for the Open Government Partnership, 2016–2018 (sample) (7 commitments, 22 milestones)\n  rubric   check-my-ogp (built-in): 5 criteria, 4 flags\n  scores   3 files, 3 evaluators, 143 ratings (2 \"no rating\")\n"
    );
}

#[test]
fn validate_json_lists_problems_as_data() {
    let dir = sample("mongolia-2016-2018");
    fs::write(
        dir.path().join("scores/extra.csv"),
        "evaluator,commitment,criterion,level\ndemo,1,relevance,Clera\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert_eq!(d["code"], "unknown-level");
    assert_eq!(d["location"]["file"], "scores/extra.csv");
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["help"], "did you mean `Clear`?");
}

#[test]
fn overrides_replace_the_folders_parts() {
    let dir = sample("mongolia-irm-legacy");
    // Only the IRM's file, and the legacy rubric named on the command line.
    let run = run_in(
        dir.path(),
        &[
            "validate",
            ".",
            "--scores",
            "scores/irm.csv",
            "--rubric",
            "irm-legacy",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("scores   1 file, 3 evaluators"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["validate", "--plan", "nowhere.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: cannot open the plan nowhere.toml: no such file\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        vec!["validate"],
        vec!["rubric"],
        vec!["rubric", "show"],
        vec!["rubric", "export"],
        vec!["completions"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let run = run_in(&root(), &args);
        assert_eq!(run.code, 0, "{cmd:?}");
        assert!(
            run.stdout.contains("Example"),
            "{cmd:?} help has no example:\n{}",
            run.stdout
        );
    }
    let run = run_in(&root(), &["--help"]);
    assert!(
        run.stdout
            .contains("Examples:\n  checkmyogp assess samples/mongolia-2016-2018\n")
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run_in(&root(), &["validate", "--nope"]).code, 2);
    assert_eq!(run_in(&root(), &["no-such-command"]).code, 2);
    assert_eq!(run_in(&root(), &[]).code, 2);
}

#[test]
fn completions_and_man_page_are_generated() {
    let run = run_in(&root(), &["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("_checkmyogp()"));
    let run = run_in(&root(), &["man"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq") || run.stdout.contains(".TH checkmyogp"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    assert!(run.stdout.contains(".TH checkmyogp 1"));
}

#[test]
fn rubric_list_show_and_export() {
    let run = run_in(&root(), &["rubric", "list"]);
    assert_eq!(run.code, 0);
    for id in ["check-my-ogp", "irm-legacy", "irm-refresh"] {
        assert!(run.stdout.contains(id));
    }
    let run = run_in(&root(), &["rubric", "show", "irm-legacy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("  starred ★ — Starred\n    - Spec: specificity at least Medium\n    - Rel: any of access-to-information, civic-participation, public-accountability is Yes\n    - PotImp: potential-impact is Transformative\n    - Cmpl: completion at least Substantial\n"), "{}", run.stdout);
    let run = run_in(&root(), &["rubric", "show", "irm-legacyy"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("did you mean `irm-legacy`?"));

    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &["rubric", "export", "irm-refresh", "--output", "r.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let exported = fs::read_to_string(dir.path().join("r.toml")).unwrap();
    assert_eq!(
        exported,
        fs::read_to_string(root().join("rubrics/irm-refresh.toml")).unwrap()
    );
    // The exported file loads as a rubric of its own.
    let run = run_in(dir.path(), &["rubric", "show", "r.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A person edits it: a second export refuses to overwrite without --force.
    fs::write(dir.path().join("r.toml"), "# my edits\n").unwrap();
    let run = run_in(
        dir.path(),
        &["rubric", "export", "irm-refresh", "--output", "r.toml"],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("was left as it is"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(dir.path().join("r.toml")).unwrap(),
        "# my edits\n"
    );
    let run = run_in(
        dir.path(),
        &[
            "rubric",
            "export",
            "irm-refresh",
            "--output",
            "r.toml",
            "--force",
        ],
    );
    assert_eq!(run.code, 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("r.toml")).unwrap(),
        exported
    );
}

#[test]
fn colour_follows_no_color_and_the_flag() {
    let dir = sample("mongolia-2016-2018");
    let plain = run_in(dir.path(), &["validate"]);
    assert!(!plain.stderr.contains('\u{1b}'));
    let coloured = run_in(dir.path(), &["validate", "--color", "always"]);
    assert!(
        coloured.stderr.contains("\u{1b}[1m\u{1b}[33mwarning"),
        "{:?}",
        coloured.stderr
    );
}
