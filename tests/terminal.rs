//! Terminal tables: snapshots at 80, 100 and 120 columns, every line within the width, no word
//! split, pipes without `COLUMNS` unwrapped, and one run through a real pseudo-terminal.

use std::fs;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::util::{bin, root};

/// Runs the binary from the repository root with `COLUMNS` set (or removed), without colour.
fn run_cols(columns: Option<usize>, args: &[&str]) -> String {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(root())
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

/// Compares `actual` with its snapshot, or rewrites it with `SNAPSHOTS=overwrite`.
fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots/terminal").join(name);
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with SNAPSHOTS=overwrite",
            path.display()
        )
    });
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{name} differs from its snapshot (SNAPSHOTS=overwrite rewrites it)"
    );
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
    let commands: [&[&str]; 7] = [
        &["summary", "samples/mongolia-2016-2018"],
        &["explain", "samples/mongolia-2016-2018", "3"],
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
