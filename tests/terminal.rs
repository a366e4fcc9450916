//! Terminal tables: snapshots at 80, 100 and 120 columns, every line within the width, no word
//! split, pipes without `COLUMNS` unwrapped, and one run through a real pseudo-terminal.

use std::fs;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::util::{bin, check_snapshot, root};

/// Runs the binary from the repository root with `COLUMNS` set (or removed), without colour.
fn run_cols(columns: Option<usize>, args: &[&str]) -> String {
    run_in(&root(), columns, args)
}

/// Compares `actual` with its snapshot `tests/snapshots/terminal/NAME`, or rewrites it with
/// `SNAPSHOTS=overwrite`.
fn snapshot(name: &str, actual: &str) {
    check_snapshot(&format!("terminal/{name}"), actual);
}

fn display_width(line: &str) -> usize {
    // Every character the tool prints in these tables is one column wide.
    line.chars().count()
}

fn assert_fits(text: &str, width: usize, what: &str) {
    for line in text.lines() {
        // A web address longer than the screen stays whole on a line of its own.
        let lone_address = line.trim().split(' ').count() == 1 && line.contains("://");
        assert!(
            display_width(line) <= width || lone_address,
            "{what}: a line of {} columns at {width}:\n{line}\n\n{text}",
            display_width(line)
        );
    }
}

/// Words that must never be cut in two by wrapping.
const WHOLE: [&str; 12] = [
    "commitment",
    "Substantial",
    "Progressing",
    "participation",
    "high-completion",
    "2017-06-30",
    "https://opendata.gov.mn/policy",
    "transparency-mn",
    "ordinal",
    "reliable",
    "overdue",
    "Not started",
];

fn assert_words_whole(text: &str, what: &str) {
    let lines: Vec<&str> = text.lines().collect();
    for w in WHOLE {
        for (i, pair) in lines.windows(2).enumerate() {
            for cut in 1..w.len() {
                let (a, b) = w.split_at(cut);
                if !w.is_char_boundary(cut) || a.ends_with(' ') || b.starts_with(' ') {
                    continue;
                }
                let split = pair[0].trim_end().ends_with(a)
                    && pair[1].trim_start().starts_with(b)
                    && !pair[0].contains(w);
                assert!(
                    !(split && pair[0].trim_end().split(' ').next_back() == Some(a)),
                    "{what}: \"{w}\" is split at line {}:\n{}\n{}",
                    i + 1,
                    pair[0],
                    pair[1]
                );
            }
        }
    }
}

#[test]
fn assess_fits_80_100_and_120_columns() {
    for width in [80, 100, 120] {
        let text = run_cols(Some(width), &["assess", "samples/mongolia-2016-2018"]);
        assert_fits(&text, width, "assess");
        assert_words_whole(&text, "assess");
        snapshot(&format!("assess-mongolia-{width}.txt"), &text);
    }
}

#[test]
fn at_80_columns_each_commitment_takes_at_most_two_lines() {
    let text = run_cols(Some(80), &["assess", "samples/mongolia-2016-2018"]);
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("──"))
        .skip(1)
        .take_while(|l| !l.starts_with("marks:"))
        .collect();
    assert_eq!(rows.len(), 12, "{text}");
    let starts = rows
        .iter()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .count();
    assert_eq!(starts, 7, "{text}");
    assert!(text.replace('\n', " ").contains(
        "Not shown at 80 columns: participation, results, flags, needs attention. Add --wide"
    ));
}

#[test]
fn irm_rubrics_do_not_show_the_rating_twice() {
    let text = run_cols(Some(80), &["assess", "samples/mongolia-irm-legacy"]);
    assert_fits(&text, 80, "assess irm-legacy");
    snapshot("assess-irm-legacy-80.txt", &text);
    let header = text.lines().find(|l| l.starts_with("id ")).unwrap();
    assert!(!header.contains("completion"), "{header}");
    assert!(header.contains("IRM rating"), "{header}");
    assert!(text.contains("The rating is the combined completion level (Completion)."));
    let wide = run_cols(None, &["assess", "samples/mongolia-irm-legacy"]);
    let header = wide.lines().find(|l| l.starts_with("id ")).unwrap();
    assert_eq!(
        header
            .split("  ")
            .filter(|c| !c.is_empty())
            .map(str::trim)
            .collect::<Vec<_>>(),
        [
            "id",
            "commitment",
            "rating",
            "score",
            "specificity",
            "potential-impact",
            "did-it-open-government",
            "IRM rating",
            "flags",
            "needs attention"
        ]
    );
}

#[test]
fn every_table_command_fits_80_columns_without_splitting_words() {
    let commands: [&[&str]; 11] = [
        &["summary", "samples/mongolia-2016-2018"],
        &["summary", "samples/mongolia-irm-legacy"],
        &["explain", "samples/mongolia-2016-2018", "3"],
        // Its evidence column holds a web address too wide for the narrowest layout.
        &["explain", "samples/mongolia-2016-2018", "1"],
        &["explain", "samples/mongolia-irm-legacy", "2"],
        &["agreement", "samples/mongolia-irm-legacy"],
        &["agreement", "samples/mongolia-2016-2018"],
        &[
            "compare",
            "samples/mongolia-2016-2018",
            "samples/mongolia-2016-2018",
        ],
        &["rubric", "show", "check-my-ogp"],
        &["rubric", "show", "irm-legacy"],
        &["rubric", "list"],
    ];
    for args in commands {
        let text = run_cols(Some(80), args);
        assert_fits(&text, 80, &args.join(" "));
        assert_words_whole(&text, &args.join(" "));
    }
    let explain = run_cols(Some(80), &["explain", "samples/mongolia-2016-2018", "3"]);
    snapshot("explain-mongolia-3-80.txt", &explain);
}

#[test]
fn pipes_without_columns_do_not_wrap_and_wide_shows_every_column() {
    let piped = run_cols(None, &["assess", "samples/mongolia-2016-2018"]);
    let header = piped.lines().find(|l| l.starts_with("id ")).unwrap();
    assert!(header.contains("  flags  "), "{header}");
    assert!(header.ends_with("  needs attention"), "{header}");
    assert!(piped.contains(
        "1   Mobile application for the Government 11-11 Center to receive citizen feedback and requests  On track"
    ));
    let wide = run_cols(
        Some(80),
        &["assess", "samples/mongolia-2016-2018", "--wide"],
    );
    assert_eq!(wide, piped);
    assert!(!piped.contains("Not shown"));
}

/// Strips ANSI colour sequences.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

#[test]
fn through_a_real_pseudo_terminal_the_table_fits_and_is_coloured() {
    let Ok(script) = which("script") else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: `script` (util-linux) is not installed"
        );
        return;
    };
    let command = format!(
        "stty cols 80 rows 50; '{}' assess samples/mongolia-2016-2018",
        bin().display()
    );
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{out:?}");
    let raw = String::from_utf8(out.stdout).unwrap();
    assert!(
        raw.contains("\u{1b}[94mOn track\u{1b}[0m"),
        "colour on a terminal: {raw:?}"
    );
    assert!(raw.contains("\u{1b}[31mOff track\u{1b}[0m"), "{raw:?}");
    let text = plain(&raw);
    assert_fits(&text, 80, "assess in a pseudo-terminal");
    let expected = run_cols(Some(80), &["assess", "samples/mongolia-2016-2018"]);
    let table = |t: &str| {
        t.lines()
            .skip_while(|l| !l.starts_with("id "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(table(&text), table(&expected));
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn a_status_reads_grey_with_no_score_and_never_as_a_point_of_the_scale() {
    let dir = crate::util::sample("mongolia-irm-legacy");
    for who in ["demo", "wsp"] {
        let path = dir.path().join(format!("scores/{who}.csv"));
        let text = fs::read_to_string(&path).unwrap();
        let from = format!("{who},7,,completion,Substantial,");
        let from = if text.contains(&from) {
            from
        } else {
            format!("{who},7,completion,Substantial,")
        };
        assert!(text.contains(&from), "{who}");
        fs::write(
            &path,
            text.replacen(&from, &from.replace("Substantial", "Withdrawn"), 1),
        )
        .unwrap();
    }
    let out = Command::new(bin())
        .args(["assess", ".", "--color", "always"])
        .current_dir(dir.path())
        .env("COLUMNS", "80")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let raw = String::from_utf8(out.stdout).unwrap();
    let row = raw.lines().find(|l| l.starts_with("7 ")).unwrap();
    assert!(row.contains("\u{1b}[90mWithdrawn\u{1b}[0m"), "{row:?}");
    let text = plain(&raw);
    let row = text.lines().find(|l| l.starts_with("7 ")).unwrap();
    assert!(
        row.starts_with("7   Public e-service kiosks             Withdrawn        –"),
        "{row}"
    );
}

/// Runs the binary in `dir` with `COLUMNS` set (or removed), without colour.
fn run_in(dir: &std::path::Path, columns: Option<usize>, args: &[&str]) -> String {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    if let Some(c) = columns {
        cmd.env("COLUMNS", c.to_string());
    }
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The cells of a table line, split at runs of two or more spaces.
fn cells(line: &str) -> Vec<&str> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn scores_have_one_decimal_in_every_table() {
    // Commitment 3 rated at the top of every scale by everyone: a whole score, 100.
    let dir = crate::util::sample("mongolia-2016-2018");
    for who in ["demo", "wsp", "transparency-mn"] {
        let path = dir.path().join(format!("scores/{who}.csv"));
        let csv = fs::read_to_string(&path).unwrap();
        let mut csv: String = csv
            .lines()
            .filter(|l| !l.starts_with(&format!("{who},3,")))
            .map(|l| format!("{l}\n"))
            .collect();
        let url = "https://opendata.gov.mn/policy";
        csv.push_str(&format!(
            "{who},3,,,Clear,Collaborated,Strong,Outstanding,{url},,\n"
        ));
        for m in ["3.1", "3.2", "3.3"] {
            csv.push_str(&format!("{who},3,{m},Complete,,,,,{url},,\n"));
        }
        fs::write(&path, csv).unwrap();
    }
    let assess = run_in(dir.path(), None, &["assess", "."]);
    let row = assess.lines().find(|l| l.starts_with("3 ")).unwrap();
    assert_eq!(cells(row)[2..4], ["On track", "100.0"], "{row}");
    let explain = run_in(dir.path(), None, &["explain", ".", "3"]);
    assert!(explain.contains("  score: 100.0\n"), "{explain}");
    // The score table: every 0–100 value, share and point with one decimal.
    let rows: Vec<Vec<&str>> = explain
        .lines()
        .skip_while(|l| !l.starts_with("criterion "))
        .skip(2)
        .take_while(|l| !l.is_empty() && !l.starts_with("Flags"))
        .map(cells)
        .collect();
    assert_eq!(
        rows,
        [
            ["completion", "3", "3", "100.0", "33.3%", "33.3"],
            ["relevance", "1", "2", "100.0", "11.1%", "11.1"],
            ["participation", "2", "4", "100.0", "22.2%", "22.2"],
            ["published-evidence", "1", "3", "100.0", "11.1%", "11.1"],
            ["results", "2", "3", "100.0", "22.2%", "22.2"],
        ],
        "{explain}"
    );
    let summary = run_in(dir.path(), None, &["summary", "."]);
    assert!(
        summary.contains("Not started            0   0.0%\n"),
        "{summary}"
    );
    let compare = run_in(
        dir.path(),
        None,
        &[
            "compare",
            root().join("samples/mongolia-2016-2018").to_str().unwrap(),
            ".",
        ],
    );
    let row = |id: &str| {
        let line = compare
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap();
        cells(line)[5..8].join(" ")
    };
    assert_eq!(row("3"), "56.5 100.0 +43.5", "{compare}");
    assert_eq!(row("2"), "63.0 63.0 0.0", "{compare}");
}

/// The check-my-ogp sample with the IRM (role irm, a reference evaluator) rating on the IRM
/// legacy scale, as `samples/mongolia-irm-legacy/scores/irm.csv` does.
fn irm_legacy_beside_check_my_ogp() -> tempfile::TempDir {
    let dir = crate::util::sample("mongolia-2016-2018");
    fs::copy(
        root().join("samples/mongolia-irm-legacy/scores/irm.csv"),
        dir.path().join("scores/irm.csv"),
    )
    .unwrap();
    let plan = dir.path().join("plan.toml");
    let text = fs::read_to_string(&plan).unwrap();
    let text = text
        .replacen("as_of = 2018-06-30\n", "as_of = 2018-06-30\nreference = \"irm\"\n", 1)
        .replacen(
            "[[evaluator]]\nid = \"demo\"",
            "[[evaluator]]\nid = \"irm\"\nname = \"IRM researcher\"\nrole = \"irm\"\n\n[[evaluator]]\nid = \"demo\"",
            1,
        );
    fs::write(&plan, text).unwrap();
    dir
}

#[test]
fn under_check_my_ogp_the_irm_column_shows_its_completion_by_meaning() {
    let dir = irm_legacy_beside_check_my_ogp();
    let wide = run_in(dir.path(), None, &["assess", "."]);
    let header = wide.lines().find(|l| l.starts_with("id ")).unwrap();
    assert_eq!(
        cells(header),
        [
            "id",
            "commitment",
            "rating",
            "score",
            "completion",
            "participation",
            "results",
            "IRM completion",
            "flags",
            "needs attention"
        ],
        "{wide}"
    );
    // The IRM rated commitment 1 "Limited" on irm-legacy's completion scale, commitment 2
    // "Substantial"; the coalition's completion is Substantial for both.
    let row = |id: &str| {
        let line = wide
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap();
        cells(line)[7].to_string()
    };
    assert_eq!(row("1"), "Limited (differs)");
    assert_eq!(row("2"), "Substantial");
    assert!(!wide.contains("No evidence"), "{wide}");
    assert!(
        wide.replace('\n', " ").contains(
            "IRM completion: the IRM's rating of each commitment, made on another scale, shown as the completion level it means on this rubric; \"(differs)\" when it is not the coalition's level."
        ),
        "{wide}"
    );
    // The JSON holds the same mapped level (the table reuses it).
    let json = run_in(dir.path(), None, &["assess", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["commitments"][0]["reference"]["irm"]["levels"]["completion"],
        "Limited"
    );
    let narrow = run_in(dir.path(), Some(80), &["assess", "."]);
    assert_fits(&narrow, 80, "assess with the IRM at 80");
    assert!(narrow.contains("IRM"), "{narrow}");
}

#[test]
fn every_command_finds_the_same_commitments_differing_from_the_irm() {
    // The IRM rates on the IRM legacy scale, so it has no rating on check-my-ogp's: the
    // comparison is its completion mapped by meaning (Limited, Substantial, …) against the
    // coalition's completion. Commitments 1 and 6: coalition Substantial, IRM Limited;
    // commitment 7: coalition Limited, IRM Substantial.
    let dir = irm_legacy_beside_check_my_ogp();
    let d = dir.path();
    let want = ["1", "6", "7"];

    // assess --format json: `differs` and `compared` per commitment, and the summary.
    let json = run_in(d, None, &["assess", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let commitments = v["commitments"].as_array().unwrap();
    let differing: Vec<&str> = commitments
        .iter()
        .filter(|c| c["reference"]["irm"]["differs"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(differing, want);
    for c in commitments {
        assert_eq!(c["reference"]["irm"]["compared"], "completion", "{c}");
    }
    assert_eq!(
        v["summary"]["differs_from_reference"],
        serde_json::json!(want)
    );

    // The assess table marks the same ones "(differs)".
    let table = run_in(d, None, &["assess", "."]);
    let marked: Vec<&str> = table
        .lines()
        .filter(|l| l.contains(" (differs)"))
        .map(|l| cells(l)[0])
        .collect();
    assert_eq!(marked, want, "{table}");

    // summary: table, JSON and CSV.
    let summary = run_in(d, None, &["summary", "."]);
    assert!(
        summary.contains("Rated differently by the IRM: 1, 6, 7\n"),
        "{summary}"
    );
    let json = run_in(d, None, &["summary", ".", "--format", "json"]);
    let s: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        s["summary"]["differs_from_reference"],
        serde_json::json!(want)
    );
    let csv = run_in(d, None, &["summary", ".", "--format", "csv"]);
    assert!(
        csv.lines()
            .any(|l| l == "attention,differs from reference,3,42.9%"),
        "{csv}"
    );

    // The HTML report: the count and the reference chart's list.
    run_in(d, None, &["report", ".", "-o", "report.html"]);
    let html = fs::read_to_string(d.join("report.html")).unwrap();
    assert!(
        html.contains("3 of 7 commitments are rated differently."),
        "{html}"
    );
    assert!(
        html.contains(
            "They differ on 3 commitments: 1 (coalition Substantial, the IRM Limited); \
             6 (coalition Substantial, the IRM Limited); 7 (coalition Limited, the IRM Substantial). \
             Same rating on 4."
        ),
        "{html}"
    );

    // The draft lists the same differences first.
    let draft = run_in(d, None, &["draft", ".", "-o", "-"]);
    let start = draft.find("### Where we differ from the IRM").unwrap();
    let listed: Vec<&str> = draft[start..]
        .split("\n## ")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("- **Commitment "))
        .map(|l| l.split("**").next().unwrap())
        .collect();
    assert_eq!(listed, want, "{draft}");

    // compare, the assessment beside the sample without the IRM: the IRM beside side A.
    let sample = root().join("samples/mongolia-2016-2018");
    let json = run_in(
        d,
        None,
        &["compare", ".", sample.to_str().unwrap(), "--format", "json"],
    );
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    let differing: Vec<&str> = c["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["reference"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["differs"] == true))
        })
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(differing, want);
}

#[test]
fn needs_attention_names_the_commitment_past_its_end_as_summary_does() {
    let dir = crate::util::sample("mongolia-2016-2018");
    // No completion level for commitment 5 or its milestones.
    for who in ["demo", "wsp", "transparency-mn"] {
        let path = dir.path().join(format!("scores/{who}.csv"));
        let csv = fs::read_to_string(&path).unwrap();
        let mut changed = 0;
        let csv: String = csv
            .lines()
            .map(|l| {
                let mut f: Vec<&str> = l.splitn(5, ',').collect();
                if f.len() == 5 && f[1] == "5" && f[2].starts_with("5.") {
                    f[3] = "";
                    changed += 1;
                }
                format!("{}\n", f.join(","))
            })
            .collect();
        assert_eq!(changed, 3, "{who}");
        fs::write(&path, csv).unwrap();
    }
    let args = ["assess", ".", "--as-of", "2019-01-01"];
    let wide = run_in(dir.path(), None, &args);
    let row = wide.lines().find(|l| l.starts_with("5 ")).unwrap();
    assert!(
        row.ends_with("  not rated (past its end; 3 milestones past due)"),
        "{row}"
    );
    let summary = run_in(dir.path(), None, &["summary", ".", "--as-of", "2019-01-01"]);
    assert!(
        summary.contains(
            "Not rated (past their date with no completion level, so not counted as overdue): 5, 5.1, 5.2, 5.3"
        ),
        "{summary}"
    );
    // At 80 columns the marks column says it too.
    let narrow = run_in(dir.path(), Some(80), &args);
    let row = narrow.lines().find(|l| l.starts_with("5 ")).unwrap();
    assert!(row.ends_with("  ○"), "{row}");
    assert!(
        narrow
            .replace('\n', " ")
            .contains("○ past its date with no completion level"),
        "{narrow}"
    );
}

#[test]
fn a_real_imported_plan_reads_well_at_80_columns() {
    let data = root().join("../shared/data/ogp/open_parliament_0703.csv");
    if !data.is_file() {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: OGP's data (open_parliament_0703.csv) is not here, so the tables of a real import were not tested at 80 columns"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = data.to_string_lossy().to_string();
    run_in(
        dir.path(),
        None,
        &[
            "import",
            "ogp",
            &data,
            "--country",
            "Estonia",
            "--action-plan",
            "5",
            "--output",
            "ee",
        ],
    );
    let ee = dir.path().join("ee");
    for args in [
        &["assess", "."][..],
        &["summary", "."],
        &["explain", ".", "EE0054"],
        &["agreement", "."],
    ] {
        let text = run_in(&ee, Some(80), args);
        assert_fits(&text, 80, &args.join(" "));
        assert_words_whole(&text, &args.join(" "));
        // Nothing to show in a column is no reason to show it, or to say it is not shown.
        assert!(!text.contains("marks: none"), "{text}");
        assert!(!text.contains("needs attention"), "{text}");
    }
    let explain = run_in(&ee, Some(80), &["explain", ".", "EE0054"]);
    assert!(
        explain.contains(
            "irm        completion             https://opengovpartnership.org/members/\n                                  estonia/commitments/ee0054\n"
        ),
        "{explain}"
    );
    // The score table's number columns hold numbers; what was left out is said above it.
    assert!(
        explain.contains("Not rated, so left out: early-results.\n"),
        "{explain}"
    );
    assert!(
        explain.contains(
            "\nearly-results               1      –         –                –       –\n"
        ),
        "{explain}"
    );
}

/// The Mongolia sample with escape sequences, C1 controls and a right-to-left override in the
/// country, a commitment's title and a comment (what the audit of terminal output used).
fn sample_with_controls() -> tempfile::TempDir {
    let dir = crate::util::sample("mongolia-2016-2018");
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "plan.toml",
        "country = \"Mongolia\"",
        "country = \"Mon\\u001b[31mgolia\\u202e\"",
    );
    edit(
        "plan.toml",
        "title = \"Mobile application",
        "title = \"\\u001b[2J\\u001b]52;c;aGVsbG8=\\u0007Mobile\\u009b31m\\u2066 application",
    );
    edit(
        "scores/demo.csv",
        "Reports are shared",
        "\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{1b}\\Reports \u{9b}2J\u{7f} are shared",
    );
    dir
}

/// What `args` write to standard output on a pseudo-terminal (standard error is dropped),
/// without the carriage returns the terminal adds; `None` without `script` (util-linux).
fn on_a_terminal(dir: &std::path::Path, args: &str) -> Option<String> {
    let script = which("script").ok()?;
    let command = format!("'{}' {args} 2>/dev/null", bin().display());
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{args}: {out:?}");
    Some(String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n"))
}

/// No character that acts on a terminal: C0 controls but line feed and tab, DEL, C1, and the
/// bidirectional overrides and isolates.
fn assert_inert(shown: &str, what: &str) {
    let raw: Vec<char> = shown
        .chars()
        .filter(|&c| checkmyogp::text::is_control(c) && c != '\n' && c != '\t')
        .collect();
    assert!(
        raw.is_empty(),
        "{what}: {raw:?} reach the terminal:\n{shown}"
    );
}

#[test]
fn on_a_terminal_every_format_shows_control_characters_escaped_and_files_keep_them() {
    let dir = sample_with_controls();
    let d = dir.path();
    for (args, name) in [
        ("assess --format csv", "a.csv"),
        ("assess --format markdown", "a.md"),
        ("summary --format markdown", "s.md"),
        ("explain . 1 --format csv", "e.csv"),
        ("explain . 1 --format markdown", "e.md"),
        ("agreement --format markdown", "g.md"),
    ] {
        let list: Vec<&str> = args.split(' ').collect();
        let piped = run_in(d, None, &list);
        // A file or a pipe gets the text as it is: every control character kept.
        let mut to_file = list.clone();
        to_file.extend(["--output", name]);
        run_in(d, None, &to_file);
        assert_eq!(fs::read_to_string(d.join(name)).unwrap(), piped, "{args}");
        assert!(
            piped
                .chars()
                .any(|c| checkmyogp::text::is_control(c) && c != '\n' && c != '\t'),
            "{args}: {piped}"
        );
        let Some(shown) = on_a_terminal(d, args) else {
            let _ = writeln!(std::io::stderr(), "skipped: `script` is not installed");
            return;
        };
        assert_inert(&shown, args);
        // The same text, each control character escaped as the tables escape it.
        assert_eq!(
            shown,
            checkmyogp::text::for_terminal(&piped),
            "{args} on a terminal"
        );
        if name == "a.csv" {
            assert!(
                shown.contains(
                    "\\u{1b}[2J\\u{1b}]52;c;aGVsbG8=\\u{7}Mobile\\u{9b}31m\\u{2066} application"
                ),
                "{shown}"
            );
        }
    }

    // JSON stays JSON with the same strings: C1 and bidirectional controls as JSON escapes.
    let piped = run_in(d, None, &["assess", "--format", "json"]);
    let shown = on_a_terminal(d, "assess --format json").unwrap();
    assert_inert(&shown, "assess --format json");
    assert!(shown.contains("Mon\\u001b[31mgolia\\u202e"), "{shown}");
    assert!(
        shown.contains("Mobile\\u009b31m\\u2066 application"),
        "{shown}"
    );
    let value = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
    assert_eq!(value(&shown), value(&piped));
    assert!(piped.contains("golia\u{202e}"));
}

#[test]
fn validate_on_a_terminal_shows_the_plan_title_escaped() {
    let dir = sample_with_controls();
    let Some(script) = which("script").ok() else {
        return;
    };
    for colour in ["always", "never"] {
        let command = format!("'{}' --color {colour} validate .", bin().display());
        let out = Command::new(&script)
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .env_remove("COLUMNS")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .output()
            .expect("script runs");
        let shown = String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n");
        let line = shown
            .lines()
            .find(|l| l.starts_with("  plan "))
            .unwrap_or_else(|| panic!("{shown}"));
        assert_eq!(
            line,
            "  plan     Mon\\u{1b}[31mgolia\\u{202e} — Second National Action Plan of Mongolia for the Open Government Partnership, 2016–2018 (sample) (7 commitments, 22 milestones)"
        );
        // Only colours reach the terminal, and only when colour is on; all else shows escaped.
        let mut rest = shown.as_str();
        let mut colours = 0;
        while let Some(at) = rest.find('\u{1b}') {
            rest = &rest[at + 1..];
            let end = rest.find('m').unwrap();
            assert!(
                rest.starts_with('[')
                    && rest[1..end]
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b';'),
                "{rest}"
            );
            colours += 1;
        }
        assert_eq!(colours > 0, colour == "always", "{shown:?}");
        // The tool's own colours are shown or left out, never shown escaped.
        assert!(!shown.contains("\\u{1b}[1m"), "{shown}");
        assert!(
            plain(&shown).contains("\nok: the assessment in this folder is valid"),
            "{shown}"
        );
        assert_inert(&shown.replace('\u{1b}', ""), "validate");
    }
}
