//! Hardening (issue 14): closed pipes, full disks, control characters from the inputs, files
//! that are not files, and numbers beyond what the arithmetic can carry.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{bin, copy_tree, root, run_in};

fn base_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/corpus/_base"), dir.path());
    dir
}

/// Runs `checkmyogp ARGS` in `dir` with its standard output a pipe whose reader has already
/// gone (the program starts after the reader exits, so every write meets a closed pipe);
/// returns what it printed on stderr, ending with its exit status.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> String {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "( sleep 0.3; '{}' {}; echo \"exit=$?\" >&2 ) | true",
        bin().display(),
        quoted.join(" ")
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_exit_0() {
    let dir = base_copy();
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["completions", "elvish"],
        &["completions", "powershell"],
        &["man"],
        &["assess"],
        &["assess", "--format", "json"],
        &["assess", "--format", "csv"],
        &["assess", "--format", "markdown"],
        &["summary"],
        &["explain", ".", "1"],
        &["agreement"],
        &["agreement", "--format", "json"],
        &["validate", "--format", "json"],
        &["rubric", "list"],
        &["rubric", "show", "check-my-ogp"],
        &["rubric", "export", "check-my-ogp"],
        &["report", "--output", "-"],
        &["draft", "--output", "-"],
        &["compare", ".", "."],
        &["--help"],
    ];
    for args in commands {
        let err = into_closed_pipe(dir.path(), args);
        assert_eq!(err, "exit=0\n", "{args:?}");
    }
}

#[test]
fn a_full_disk_on_standard_output_is_named() {
    if !Path::new("/dev/full").exists() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: no /dev/full on this system");
        return;
    }
    let dir = base_copy();
    for args in [
        &["assess"][..],
        &["assess", "--format", "json"],
        &["validate", "--format", "json"],
        &["completions", "bash"],
        &["draft", "--output", "-"],
        &["rubric", "list"],
        &["rubric", "export", "check-my-ogp", "--output", "-"],
    ] {
        let out = Command::new(bin())
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: could not write the output to standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

/// The base assessment with escape sequences in a commitment's title (clear the screen, write
/// the clipboard) and in a comment.
fn with_escape_sequences() -> tempfile::TempDir {
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        plan.replace(
            "title = \"Open budget data\"",
            "title = \"Open \\u001b[2J budget \\u001b]52;c;aGk=\\u0007data\"",
        ),
    )
    .unwrap();
    let scores = fs::read_to_string(dir.path().join("scores/bold.csv")).unwrap();
    fs::write(
        dir.path().join("scores/bold.csv"),
        scores
            .replace("Draft exists", "Draft \u{1b}[2J exists")
            .replace("bold,1,1.2,Limited", "bold,1,1.2,Limi\u{1b}[2Jted"),
    )
    .unwrap();
    dir
}

#[test]
fn control_characters_from_the_inputs_never_reach_the_terminal() {
    let dir = with_escape_sequences();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: \"Limi\\u{1b}[2Jted\" is not a level of criterion `completion`\n --> scores/bold.csv:3 (column D \"completion\")\n  |\n3 | bold,1,1.2,Limi\\u{1b}[2Jted,,,,\n  |            ^^^^^^^^^^^^^^^^\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'));
    // Fix the level; the title and the comment still hold escape sequences.
    let scores = fs::read_to_string(dir.path().join("scores/bold.csv")).unwrap();
    fs::write(
        dir.path().join("scores/bold.csv"),
        scores.replace("Limi\u{1b}[2Jted", "Limited"),
    )
    .unwrap();
    for args in [
        &["assess"][..],
        &["assess", "--details"],
        &["summary"],
        &["explain", ".", "1"],
        &["explain", ".", "2"],
        &["agreement"],
        &["validate"],
    ] {
        let run = run_in(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
            "{args:?}: {}",
            run.stdout
        );
    }
    let run = run_in(dir.path(), &["assess"]);
    assert!(
        run.stdout
            .contains("Open \\u{1b}[2J budget \\u{1b}]52;c;aGk=\\u{7}data"),
        "{}",
        run.stdout
    );
    // Colours the program adds itself still work.
    let run = run_in(dir.path(), &["--color", "always", "assess"]);
    assert!(run.stdout.contains("\u{1b}["), "{}", run.stdout);
    assert!(!run.stdout.contains("\u{1b}[2J"));
}

/// A rubric of one ordinal criterion `completion` with `levels` levels `L0`, `L1`, …, and
/// `extra` lines in [rubric].
fn rubric_with_levels(levels: usize, extra: &str) -> String {
    let mut s = format!(
        "[rubric]\nid = \"big\"\nname = \"Big\"\n{extra}\n[rating]\ncriterion = \"completion\"\n\n[[criterion]]\nid = \"completion\"\nname = \"Completion\"\nquestion = \"How far?\"\nscale = \"ordinal\"\n"
    );
    for i in 0..levels {
        s.push_str(&format!(
            "[[criterion.level]]\nlabel = \"L{i}\"\nvalue = {i}\n"
        ));
    }
    s
}

#[test]
fn a_scale_has_at_most_65535_levels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    fs::write(&path, rubric_with_levels(65_535, "")).unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "big.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("L65534"));
    // One more, and a rating such as L69999 can no longer be recorded as another level.
    fs::write(&path, rubric_with_levels(70_000, "")).unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "big.toml"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: criterion `completion` has 70000 levels; a scale has at most 65535 (see docs/limits.md)\n --> big.toml:9:6\n  |\n9 | id = \"completion\"\n  |      ^^^^^^^^^^^^\n  = help: a scale people rate on has a handful of levels; check that the rubric was generated as intended\n\n"
    );
    // Statuses are answers too: 65,534 levels and a status fit, a second status does not
    // (one 16-bit value stands for "no rating").
    let with_statuses = |statuses: &[&str]| {
        let mut r = rubric_with_levels(65_534, "");
        for s in statuses {
            r.push_str(&format!("[[criterion.status]]\nlabel = \"{s}\"\n"));
        }
        r
    };
    fs::write(&path, with_statuses(&["Withdrawn"])).unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "big.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fs::write(&path, with_statuses(&["Withdrawn", "Merged"])).unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "big.toml"]);
    assert_eq!(run.code, 1);
    // 12 lines before the levels, 3 per level, then 2 per status.
    let line = 12 + 3 * 65_534 + 2 + 2;
    assert_eq!(
        run.stderr,
        format!(
            "error: criterion `completion` has more than 65535 levels and statuses together; a scale has at most 65535 (see docs/limits.md)\n      --> big.toml:{line}:9\n       |\n{line} | label = \"Merged\"\n       |         ^^^^^^^^\n       = help: a scale people rate on has a handful of levels and statuses; check that the rubric was generated as intended\n\n"
        )
    );
}

#[test]
fn numbers_beyond_what_the_arithmetic_carries_are_refused_where_they_are() {
    // The base with the first milestone weighing `weight`.
    let weighing = |weight: &str| {
        let dir = base_copy();
        let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
        fs::write(
            dir.path().join("plan.toml"),
            plan.replacen(
                "due = 2020-06-30",
                &format!("due = 2020-06-30\nweight = {weight}"),
                1,
            ),
        )
        .unwrap();
        dir
    };
    // A milestone weight of 1.7e308 overflowed the roll-up (completion became Complete).
    let dir = weighing("1.7e308");
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: `weight` in milestone `1.1` of commitment `1` is 1.7e308, beyond what it may be (at most 1,000,000 either side of 0)\n  --> plan.toml:31:10\n"
        ),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["assess"]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("inf"));

    // A weight too small to count (a float holds 4e-323 only roughly; explain printed sums of
    // zeros divided by 0), of a milestone and of a criterion.
    let dir = weighing("4e-323");
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: the weight of milestone `1.1` of commitment `1` is 4e-323, too small to count: a weight is at least 0.000001\n  --> plan.toml:31:10\n"
        ),
        "{}",
        run.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("r.toml"),
        rubric_with_levels(2, "").replacen("[[criterion]]\n", "[[criterion]]\nweight = 1e-9\n", 1),
    )
    .unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "r.toml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: the weight of criterion `completion` is 1e-9, too small to count: a weight is 0 or at least 0.000001\n"
        ),
        "{}",
        run.stderr
    );

    // A level value, and a threshold too large for any scale.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("r.toml"),
        rubric_with_levels(2, "disagreement_threshold = 18446744073709551615")
            .replace("value = 1\n", "value = 1e300\n"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["rubric", "show", "r.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: `disagreement_threshold` in [rubric] is 18446744073709551615, more than the largest allowed, 65,535\n --> r.toml:4:26\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("  = expected: a whole number from 0 to 65,535\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: `value` in a level of criterion `completion` is 1e300, beyond what it may be (at most 1,000,000,000 either side of 0)"
        ),
        "{}",
        run.stderr
    );
    // The value refused is the one problem of its level: not also "has no `value`".
    assert!(!run.stderr.contains("has no `value`"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn files_that_are_not_files_are_neither_read_nor_replaced() {
    use crate::util::bounded;
    let dir = base_copy();
    // Runs a command that must refuse (exit 1) within bounds; returns what it printed to stderr.
    let refused = |args: &[&str]| {
        let (code, err, _) = bounded(dir.path(), args, 300, 20);
        assert_eq!(code, 1, "{err}");
        err
    };
    // Outputs: devices and pipes are refused, with --force too, without reading them.
    for (target, kind) in [("/dev/zero", "a device"), ("/dev/null", "a device")] {
        for force in [false, true] {
            let mut args = vec!["assess", "--output", target];
            if force {
                args.push("--force");
            }
            let err = refused(&args);
            assert_eq!(
                err,
                format!(
                    "error: could not write {target}: {target} is {kind}, not a file: checkmyogp only writes regular files (even with --force).\nTo print to standard output, leave out --output (or give --output -); otherwise give a file name.\n"
                )
            );
        }
    }
    let made = Command::new("mkfifo").arg(dir.path().join("fifo")).status();
    if made.is_ok_and(|s| s.success()) {
        let err = refused(&["assess", "--output", "fifo"]);
        assert!(err.contains("fifo is a pipe (FIFO), not a file"), "{err}");
        let err = refused(&["compare", "fifo", "."]);
        assert!(
            err.contains("error: cannot read fifo: it is a pipe (FIFO), not a file"),
            "{err}"
        );
    }
    // Inputs: a plan linked to /dev/zero, a rubric and a score file that are devices.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
    let err = refused(&["validate", "--plan", "zero.toml"]);
    assert!(
        err.starts_with("error: the plan zero.toml is a device, not a file\n --> zero.toml\n"),
        "{err}"
    );
    let err = refused(&["validate", "--rubric", "/dev/zero"]);
    assert!(
        err.starts_with("error: the rubric /dev/zero is a device, not a file\n"),
        "{err}"
    );
    let err = refused(&["validate", "--scores", "/dev/zero"]);
    assert!(
        err.starts_with("error: the score file is a device, not a file\n --> /dev/zero\n"),
        "{err}"
    );
    let err = refused(&["compare", "/dev/zero", "."]);
    assert!(
        err.contains("error: cannot read /dev/zero: it is a device, not a file"),
        "{err}"
    );
    let err = refused(&["import", "ogp", "/dev/zero"]);
    assert!(
        err.contains("error: cannot read /dev/zero: it is a device, not a file"),
        "{err}"
    );
}

/// Makes a named pipe (FIFO); false where `mkfifo` is missing.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_in_a_folder_are_named_and_never_opened() {
    use crate::util::bounded_in;
    let dir = base_copy();
    if !mkfifo(&dir.path().join("scores/x.csv")) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: mkfifo failed");
        return;
    }
    // Within a time limit: opening a pipe waits for a writer for ever. The large score files
    // are looked for ahead of the plan (they were opened, pipes too) even on one core.
    let run = |args: &[&str], code: i32| {
        let (got, err, _) = bounded_in(dir.path(), args, 300, 20, &[("CHECKMYOGP_SPLIT_MIN", "1")]);
        assert_eq!(got, code, "{args:?}: {err}");
        err
    };
    // A pipe the default pattern scores/*.csv finds, as `--scores FIFO` is refused.
    for args in [
        &["validate"][..],
        &["assess"],
        &["report", "--output", "r.html"],
        &["draft", "--output", "-"],
    ] {
        let err = run(args, 1);
        assert!(
            err.contains("error: the score file is a pipe (FIFO), not a file\n --> scores/x.csv\n  = help: score files are regular CSV, .xlsx or .ods files; a pipe, a device or a folder is never read\n"),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("r.html").exists());
    // A link to a device, found by the pattern: it leads outside the folder.
    fs::remove_file(dir.path().join("scores/x.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("scores/z.csv")).unwrap();
    let err = run(&["validate"], 1);
    assert!(
        err.contains("error: the score file (a link) \"scores/z.csv\" leads outside the assessment folder, so it is not read\n"),
        "{err}"
    );
    fs::remove_file(dir.path().join("scores/z.csv")).unwrap();

    // Templates: the folder's own, an include, and --template, never passed over in silence
    // for the built-in one.
    let folder = dir.path().join("templates");
    fs::create_dir(&folder).unwrap();
    assert!(mkfifo(&folder.join("check-my-ogp.md.j2")));
    assert_eq!(
        run(&["draft", "--output", "-"], 1),
        "error: the template file templates/check-my-ogp.md.j2 is a pipe (FIFO), not a file\n --> templates/check-my-ogp.md.j2\n  = help: a template is a regular text file; remove this one, or give another with --template FILE\nThe template has an error: nothing was written.\n"
    );
    fs::remove_file(folder.join("check-my-ogp.md.j2")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", folder.join("check-my-ogp.md.j2")).unwrap();
    assert!(run(&["draft", "--output", "-"], 1).starts_with(
        "error: the template file templates/check-my-ogp.md.j2 is a device, not a file\n"
    ));
    fs::remove_file(folder.join("check-my-ogp.md.j2")).unwrap();
    assert!(mkfifo(&folder.join("common.md.j2")));
    let err = run(&["draft", "--output", "-"], 1);
    assert!(
        err.starts_with("error: in the draft template: invalid operation: templates/common.md.j2 is a pipe (FIFO), not a file; templates are regular text files\n"),
        "{err}"
    );
    fs::remove_file(folder.join("common.md.j2")).unwrap();
    assert!(mkfifo(&dir.path().join("fifo")));
    for (template, kind) in [("fifo", "a pipe (FIFO)"), ("/dev/zero", "a device")] {
        assert_eq!(
            run(&["draft", "--template", template, "--output", "-"], 1),
            format!(
                "error: the template file {template} is {kind}, not a file\n --> {template}\n  = help: a template is a regular text file; remove this one, or give another with --template FILE\nThe template has an error: nothing was written.\n"
            )
        );
    }
    // A language's wording: not read, said, and the draft is in English.
    fs::create_dir(folder.join("lang")).unwrap();
    assert!(mkfifo(&folder.join("lang/fr.toml")));
    let err = run(&["draft", "--language", "fr", "--output", "-"], 0);
    assert!(
        err.starts_with("warning: templates/lang/fr.toml is a pipe (FIFO), not a file, so it was not read; the draft is in English\n"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_is_never_replaced_by_an_output() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("a");
    copy_tree(&root().join("tests/corpus/_base"), &dir);
    // A stand-in for /dev/stdout (a link to /proc/self/fd/1), standard output a regular file:
    // the link used to be replaced by a file, and a ledger written beside it.
    fs::create_dir(dir.join("fakedev")).unwrap();
    std::os::unix::fs::symlink("/proc/self/fd/1", dir.join("fakedev/stdout")).unwrap();
    let out = Command::new(bin())
        .args(["assess", "--output", "fakedev/stdout", "--force"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdout(fs::File::create(outer.path().join("out.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: could not write fakedev/stdout: fakedev/stdout is a symbolic link, not a file: checkmyogp never replaces a link (even with --force).\nTo print to standard output, leave out --output (or give --output -).\n"
    );
    assert!(
        fs::symlink_metadata(dir.join("fakedev/stdout"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_dir(dir.join("fakedev")).unwrap().count(), 1);
    assert_eq!(fs::read(outer.path().join("out.txt")).unwrap(), b"");

    // A link to a file elsewhere, as the target of every command that writes files.
    fs::write(outer.path().join("real"), "a person's file\n").unwrap();
    let link = |name: &str| {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        std::os::unix::fs::symlink(outer.path().join("real"), &path).unwrap();
    };
    let cases: &[(&str, &[&str])] = &[
        ("out.md", &["assess", "--output", "out.md"]),
        ("report.html", &["report"]),
        (
            "charts/ratings.svg",
            &["report", "--output", "r.html", "--charts", "charts"],
        ),
        ("draft.md", &["draft"]),
        ("split/overview.md", &["draft", "--split", "split"]),
        (
            "r.toml",
            &["rubric", "export", "check-my-ogp", "--output", "r.toml"],
        ),
        ("sheet-ana.csv", &["sheet", "--evaluator", "ana"]),
        ("man/checkmyogp.1", &["man", "--dir", "man"]),
    ];
    for (name, args) in cases {
        link(name);
        for force in [false, true] {
            let mut args = args.to_vec();
            if force {
                args.push("--force");
            }
            let run = run_in(&dir, &args);
            assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.contains(&format!("{name} is a symbolic link, not a file: checkmyogp never replaces a link (even with --force).\nGive the file the link points to, or remove the link.\n")),
                "{args:?}: {}",
                run.stderr
            );
            assert!(
                fs::symlink_metadata(dir.join(name))
                    .unwrap()
                    .file_type()
                    .is_symlink(),
                "{args:?}"
            );
            assert_eq!(
                fs::read_to_string(outer.path().join("real")).unwrap(),
                "a person's file\n"
            );
        }
        fs::remove_file(dir.join(name)).unwrap();
    }
    // Nothing was written, but the folders made for the outputs.
    for name in [
        "r.html",
        "charts/completion.svg",
        "split/01-1.md",
        "man/checkmyogp-assess.1",
    ] {
        assert!(!dir.join(name).exists(), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn a_ledger_that_is_not_a_file_is_neither_read_nor_written() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("a");
    copy_tree(&root().join("tests/corpus/_base"), &dir);
    let ledger = dir.join(".checkmyogp-written");
    let victim = outer.path().join("victim.txt");
    fs::write(&victim, "precious line\n").unwrap();
    std::os::unix::fs::symlink(&victim, &ledger).unwrap();
    let message = ".checkmyogp-written is a symbolic link, not a file: checkmyogp keeps its record of the files it writes only in a regular file, never through a link (which could lead out of the folder), so nothing was written.\nRemove it, then run again (files already in that folder will then need --force once).\n";
    for args in [
        &["draft"][..],
        &["draft", "--force"],
        &["assess", "--output", "out.md"],
        &["draft", "--split", "."],
    ] {
        let run = run_in(&dir, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(": {message}")),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious line\n");
    }
    for name in ["draft.md", "out.md", "overview.md"] {
        assert!(!dir.join(name).exists(), "{name}");
    }
    // Nor read: a ledger elsewhere saying a person's draft.md was written by the tool does not
    // let it be replaced.
    fs::write(dir.join("draft.md"), "a person's draft\n").unwrap();
    let hash = {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in b"a person's draft\n" {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    fs::write(&victim, format!("draft.md\t{hash:016x}\n")).unwrap();
    let run = run_in(&dir, &["draft"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("draft.md")).unwrap(),
        "a person's draft\n"
    );
    let run = run_in(&dir, &["assess", "--output", "draft.md"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(message), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("draft.md")).unwrap(),
        "a person's draft\n"
    );
    // A pipe in its place is not opened.
    fs::remove_file(&ledger).unwrap();
    fs::remove_file(dir.join("draft.md")).unwrap();
    if mkfifo(&ledger) {
        let (code, err, _) = crate::util::bounded(&dir, &["draft"], 300, 20);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(
                ".checkmyogp-written is a pipe (FIFO), not a file: checkmyogp keeps its record"
            ),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_target_that_is_not_a_file_is_named_before_anything_is_written() {
    use crate::util::bounded;
    let dir = base_copy();
    if !mkfifo(&dir.path().join("fifo")) {
        return;
    }
    let refused = |args: &[&str]| {
        let (code, err, _) = bounded(dir.path(), args, 300, 20);
        assert_eq!(code, 1, "{args:?}: {err}");
        err
    };
    // Without --force, a pipe is named for what it is (--force would not help).
    for args in [
        &["report", "--output", "fifo"][..],
        &["draft", "--output", "fifo"],
    ] {
        assert_eq!(
            refused(args),
            "error: could not write fifo: fifo is a pipe (FIFO), not a file: checkmyogp only writes regular files (even with --force).\nTo print to standard output, leave out --output (or give --output -); otherwise give a file name.\n",
            "{args:?}"
        );
    }
    // One chart target a pipe: nothing is written, not the page nor the other charts.
    fs::create_dir(dir.path().join("charts")).unwrap();
    assert!(mkfifo(&dir.path().join("charts/agreement.svg")));
    for force in [false, true] {
        let mut args = vec!["report", "--output", "r.html", "--charts", "charts"];
        if force {
            args.push("--force");
        }
        assert_eq!(
            refused(&args),
            "error: could not write charts/agreement.svg: charts/agreement.svg is a pipe (FIFO), not a file: checkmyogp only writes regular files (even with --force).\nTo print to standard output, leave out --output (or give --output -); otherwise give a file name.\n"
        );
        assert!(!dir.path().join("r.html").exists());
        assert_eq!(fs::read_dir(dir.path().join("charts")).unwrap().count(), 1);
    }
    assert_eq!(
        refused(&["report", "--output", "r.html", "--charts", "/dev/zero"]),
        "error: /dev/zero is a device, not a folder: give --charts a folder for the SVG files\n"
    );
    // `--output -` is standard output for `rubric export` too, not a file named `-`.
    let run = run_in(
        dir.path(),
        &["rubric", "export", "check-my-ogp", "--output", "-"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        fs::read_to_string(root().join("rubrics/check-my-ogp.toml")).unwrap()
    );
    assert_eq!(run.stderr, "");
    let run = run_in(dir.path(), &["man", "assess", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        run.stdout
    );
    assert!(!dir.path().join("-").exists());
}

const OGP_HEADER: &str = "Commitment Unique Identifier,Country/Locality,Action Plan Number,Commitment Number,Code,Year Of Submission,Action Plan End Year,Theme,Commitment Title,Full Text,Start Date,End Date,Lead Institution,Supporting Institution(s),Open Data,Legislation,Report Publication Year (Progress Report),Specificity,OGP Value Access To Information,OGP Value Civic Participation,OGP Value Public Accountability,OGP Value Technology,Potential Impact,Completion (Progress Report),Potential for Results,Report Publication Year (End Of Term),Completion (End Of Term),Did It Open Government (Overall),Early Results,URL";

#[test]
fn every_csv_the_tool_writes_neutralises_formulas_and_reads_back() {
    // The blank scoring sheet: a commitment and a milestone id that start like formulas.
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen("id = \"1\"", "id = \"=1+1\"", 1)
            .replacen("id = \"1.1\"", "id = \"@SUM(A1)\"", 1)
            .replacen("id = \"ana\"", "id = \"-ana\"", 1),
    )
    .unwrap();
    fs::remove_dir_all(dir.path().join("scores")).unwrap();
    fs::create_dir(dir.path().join("scores")).unwrap();
    let run = run_in(dir.path(), &["sheet", "--evaluator=-ana", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[1], "'-ana,'=1+1,,,,,,,,,");
    assert_eq!(lines[2], "'-ana,'=1+1,'@SUM(A1),,,,,,,,");
    // Filled in and saved back as it is, the guarded ids are read as the ids they are.
    let filled = run.stdout.replacen(
        "'-ana,'=1+1,'@SUM(A1),,,",
        "'-ana,'=1+1,'@SUM(A1),Substantial,,",
        1,
    );
    fs::write(dir.path().join("scores/ana.csv"), filled).unwrap();
    let run = run_in(dir.path(), &["assess", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["commitments"][0]["id"], "=1+1");
    let milestone = &v["commitments"][0]["milestones"][0];
    assert_eq!(milestone["id"], "@SUM(A1)");
    assert_eq!(milestone["completion"], "Substantial");

    // import ogp's scores/irm.csv: a commitment identifier that starts like a formula.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("ogp.csv"),
        format!("{OGP_HEADER}\n@XL0001,Exampleland,1,1,EXL,2016,2018,NA,Budget,Publish it.,1/1/2016,6/30/2018,Ministry of Finance,NA,1,0,2017,High,1,0,1,0,Transformative,Substantial,ND,2019,Complete,Marginal,ND,https://example.org/x\n"),
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "import",
            "ogp",
            "ogp.csv",
            "--country",
            "Exampleland",
            "--output",
            "xl",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let irm = fs::read_to_string(dir.path().join("xl/scores/irm.csv")).unwrap();
    assert!(
        irm.contains("\nirm,'@XL0001,,completion,Complete,"),
        "{irm}"
    );
    assert!(!irm.contains(",@XL0001,"), "{irm}");
    let run = run_in(&dir.path().join("xl"), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[cfg(feature = "spreadsheets")]
#[test]
fn the_xlsx_sheet_writes_formula_like_ids_as_text() {
    use calamine::{Data, Reader};
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen("id = \"1\"", "id = \"=HYPERLINK(\\\"http://x\\\")\"", 1),
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "sheet",
            "--evaluator",
            "ana",
            "--format",
            "xlsx",
            "--output",
            "s.xlsx",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut book = calamine::open_workbook_auto(dir.path().join("s.xlsx")).unwrap();
    let sheet = book
        .sheet_names()
        .into_iter()
        .find(|n| n != "Instructions")
        .unwrap();
    let range = book.worksheet_range(&sheet).unwrap();
    assert_eq!(
        range.get_value((1, 1)),
        Some(&Data::String("=HYPERLINK(\"http://x\")".into()))
    );
    let formulas = book.worksheet_formula(&sheet).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

/// Excel counts a cell's text in UTF-16 units (an emoji is two) and refuses a file with a cell
/// of more than 32,767: a title of 40,000 emoji is cut to 32,767 units in both workbooks the
/// tool writes (it was cut to 32,767 characters, 65,533 units).
#[cfg(feature = "spreadsheets")]
#[test]
fn xlsx_cells_are_cut_where_excel_counts_their_length() {
    use calamine::{Data, Reader};
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let emoji = "😀".repeat(40_000);
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen(
            "title = \"Open budget data\"",
            &format!("title = \"{emoji}\""),
            1,
        ),
    )
    .unwrap();
    for (args, file) in [
        (
            vec![
                "sheet",
                "--evaluator",
                "ana",
                "--format",
                "xlsx",
                "--output",
                "s.xlsx",
            ],
            "s.xlsx",
        ),
        (
            vec!["assess", "--format", "xlsx", "--output", "a.xlsx"],
            "a.xlsx",
        ),
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut book = calamine::open_workbook_auto(dir.path().join(file)).unwrap();
        let mut longest = 0;
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            for (_, _, cell) in range.used_cells() {
                if let Data::String(text) = cell {
                    longest = longest.max(text.encode_utf16().count());
                }
            }
        }
        assert_eq!(longest, 32_767, "{file}");
    }
}

#[test]
fn markdown_output_shows_input_text_as_text() {
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen(
            "title = \"Open budget data\"",
            "title = \"[click me](javascript:alert(1))\\n## Fake section\"",
            1,
        ),
    )
    .unwrap();
    let scores = fs::read_to_string(dir.path().join("scores/bold.csv")).unwrap();
    fs::write(
        dir.path().join("scores/bold.csv"),
        scores.replace(
            "Draft exists but was not submitted.",
            "<img src=x onerror=alert(1)> <details ontoggle=alert(2)>",
        ),
    )
    .unwrap();
    for args in [
        &["assess", "--format", "markdown"][..],
        &["assess", "--details", "--format", "markdown"],
        &["summary", "--format", "markdown"],
        &["explain", ".", "1", "--format", "markdown"],
        &["explain", ".", "2", "--format", "markdown"],
    ] {
        let run = run_in(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        // What is escaped (`\]`, `\<`) is text; nothing else may be markup.
        let md = run.stdout.replace("\\]", "").replace("\\<", "");
        assert!(!md.contains("](javascript:"), "{args:?}: {md}");
        assert!(!md.contains("\n## Fake"), "{args:?}: {md}");
        assert!(
            !md.contains("<img") && !md.contains("<details"),
            "{args:?}: {md}"
        );
    }
    let run = run_in(dir.path(), &["explain", ".", "1", "--format", "markdown"]);
    assert!(
        run.stdout.starts_with(
            "# Commitment 1: \\[click me\\](javascript:alert(1)) \\#\\# Fake section\n"
        ),
        "{}",
        run.stdout
    );
}

/// A plan of ten commitments without declared evaluators, and a long-form score file where
/// `evaluators` evaluators rate `relevance` of commitments, as `level(e, c)` says.
fn many_evaluators(
    evaluators: usize,
    level: impl Fn(usize, usize) -> Option<&'static str>,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = String::from(
        "[plan]\ncountry = \"Testland\"\ntitle = \"Many\"\nstart = 2020-01-01\nend = 2021-12-31\n\n[assessment]\nas_of = 2021-06-30\n",
    );
    for c in 1..=10 {
        plan.push_str(&format!(
            "\n[[commitment]]\nid = \"{c}\"\ntitle = \"Commitment {c}\"\nlead = \"Ministry\"\nstart = 2020-01-01\nend = 2021-12-31\n"
        ));
    }
    fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let mut rows = String::from("evaluator,commitment,criterion,level\n");
    for e in 0..evaluators {
        for c in 1..=10 {
            if let Some(l) = level(e, c) {
                rows.push_str(&format!("e{e},{c},relevance,{l}\n"));
            }
        }
    }
    fs::create_dir(dir.path().join("scores")).unwrap();
    fs::write(dir.path().join("scores/s.csv"), rows).unwrap();
    dir
}

fn relevance(v: &serde_json::Value) -> &serde_json::Value {
    v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "relevance")
        .unwrap()
}

#[test]
fn beyond_60_evaluators_agreement_is_summarised_not_paired() {
    use crate::util::bounded;
    // 61 evaluators: e60 always says Unclear, everyone else Clear.
    let dir = many_evaluators(61, |e, _| Some(if e == 60 { "Unclear" } else { "Clear" }));
    let run = run_in(dir.path(), &["agreement", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = relevance(&v);
    assert_eq!(c["pairs"], serde_json::json!([]));
    assert_eq!(c["matrix"]["percent"], serde_json::json!([]));
    assert_eq!(c["matrix"]["most_departing"], "e60");
    assert_eq!(c["matrix"]["departure"][0], "e60");
    // Of the 60 other levels on each unit, 59 equal an ordinary evaluator's; none equal e60's.
    let first = c["matrix"]["mean_percent"][0].as_f64().unwrap();
    assert!((first - 59.0 / 60.0).abs() < 1e-12, "{first}");
    assert_eq!(c["matrix"]["mean_percent"][60], 0.0);
    assert!(
        c["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("With 61 evaluators (more than 60), pairs and the evaluator × evaluator matrix are not listed")),
        "{}",
        c["notes"]
    );
    let run = run_in(dir.path(), &["agreement"]);
    assert!(
        run.stdout.contains("The 10 evaluators who depart most, of 61 (summarised, see above; --format json lists every evaluator's mean agreement)."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("`e60` departs most from the others: mean agreement 0.0%, mean linear κ –."),
        "{}",
        run.stdout
    );
    // 60 evaluators are still paired.
    let dir = many_evaluators(60, |e, _| Some(if e == 59 { "Unclear" } else { "Clear" }));
    let run = run_in(dir.path(), &["agreement", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        relevance(&v)["pairs"].as_array().unwrap().len(),
        60 * 59 / 2
    );

    // 5,000 evaluators who rate two commitments each (a KoboToolbox export): bounded memory.
    let dir = many_evaluators(5000, |e, c| {
        (c == e % 10 + 1 || c == (e + 3) % 10 + 1).then_some(if e % 3 == 0 {
            "Unclear"
        } else {
            "Clear"
        })
    });
    for args in [
        &["agreement", "--format", "json"][..],
        &["agreement"],
        &["report", "--output", "r.html"],
    ] {
        let (code, err, _) = bounded(dir.path(), args, 300, 60);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn a_shared_folder_cannot_make_the_tool_read_files_outside_it() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("a");
    copy_tree(&root().join("tests/corpus/_base"), &dir);
    // A secret beside the folder, shaped like a score file so that it would be quoted.
    fs::write(
        outer.path().join("secret.csv"),
        "evaluator,commitment,milestone,completion\nsecret-password-123,1,1.1,Limited\n",
    )
    .unwrap();
    let plan = fs::read_to_string(dir.join("plan.toml")).unwrap();
    fs::write(
        dir.join("plan.toml"),
        plan.replace(
            "[assessment]\n",
            "[assessment]\nscores = [\"scores/*.csv\", \"/etc/passwd\", \"../secret.csv\"]\n",
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.csv"), dir.join("scores/link.csv"))
        .unwrap();
    let run = run_in(&dir, &["validate"]);
    assert_eq!(run.code, 1);
    for named in ["/etc/passwd", "../secret.csv"] {
        assert!(
            run.stderr.contains(&format!("error: the score pattern in plan.toml \"{named}\" leads outside the assessment folder, so it is not read\n  = help: a plan may only name files inside its own folder; to read a file from elsewhere, give it on the command line yourself with --scores FILE\n")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("error: the score file (a link) \"scores/link.csv\" leads outside the assessment folder, so it is not read"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("secret-password-123") && !run.stderr.contains("root:"));
    // Named by the person running the tool, the same file is read.
    let run = run_in(&dir, &["validate", "--scores", "../secret.csv"]);
    assert!(run.stderr.contains("secret-password-123"), "{}", run.stderr);

    // A rubric path that leads out of the folder.
    fs::remove_file(dir.join("scores/link.csv")).unwrap();
    fs::write(
        dir.join("plan.toml"),
        plan.replace("[assessment]\n", "[assessment]\nrubric = \"../r.toml\"\n"),
    )
    .unwrap();
    let r = run_in(
        &dir,
        &["rubric", "export", "check-my-ogp", "--output", "../r.toml"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let run = run_in(&dir, &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: the rubric in plan.toml \"../r.toml\" leads outside the assessment folder, so it is not read\n --> plan.toml:8:10\n"),
        "{}",
        run.stderr
    );
    let run = run_in(&dir, &["validate", "--rubric", "../r.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[cfg(feature = "spreadsheets")]
#[test]
fn an_xlsx_sheet_shortens_long_texts_and_names_ids_too_long_for_a_cell() {
    let dir = base_copy();
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let long_title = "x".repeat(40_000);
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen(
            "title = \"First action plan\"",
            &format!("title = \"{long_title}\""),
            1,
        )
        .replacen(
            "title = \"Open budget data\"",
            &format!("title = \"{long_title}\""),
            1,
        ),
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "sheet",
            "--evaluator",
            "ana",
            "--format",
            "xlsx",
            "--output",
            "s.xlsx",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let long_id = "z".repeat(33_000);
    fs::write(
        dir.path().join("plan.toml"),
        plan.replacen("id = \"1\"", &format!("id = \"{long_id}\""), 1),
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "sheet",
            "--evaluator",
            "ana",
            "--format",
            "xlsx",
            "--output",
            "s2.xlsx",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: the id \"{}…\" is 33000 characters long; a spreadsheet cell holds at most 32767, so it cannot go in an .xlsx sheet.\nShorten it in the plan or rubric, or write the sheet as CSV (leave out --format xlsx).\n",
            "z".repeat(40)
        )
    );
}

#[test]
fn a_nul_byte_inside_a_level_shows_in_the_message() {
    let dir = base_copy();
    fs::write(
        dir.path().join("r.toml"),
        rubric_with_levels(2, "").replace("label = \"L1\"", "label = \"L\\u00001\""),
    )
    .unwrap();
    fs::write(
        dir.path().join("scores/bold.csv"),
        "evaluator,commitment,milestone,completion\nbold,1,,L1\n",
    )
    .unwrap();
    fs::remove_file(dir.path().join("scores/ana.csv")).unwrap();
    let run = run_in(dir.path(), &["validate", "--rubric", "r.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("  = expected: one of `L0 (0)` or `L\\01 (1)`\n"),
        "{}",
        run.stderr
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// The writers' promises hold for any text (the fuzz target `writers` checks the same with
    /// libFuzzer): CSV cells never start a formula and read back exactly, Markdown holds no raw
    /// HTML or link from the text, the terminal table no control character.
    #[test]
    fn the_writers_keep_their_promises_for_any_text(
        texts in proptest::collection::vec("[=+@'\\-<>\\[\\]()|*_`#\\\\\u{1b}\u{7}\u{0}\n\r\ta-z0-9 .:]{0,12}", 8)
    ) {
        use checkmyogp::render::{self, Cell, Doc, Format, Grid, Screen, Section};
        let plain = Screen { colour: false, width: None };
        use checkmyogp::text::{is_control, unguard};
        let mut grid = Grid::new([texts[0].clone(), texts[1].clone()]);
        grid.push(vec![Cell::new(texts[2].clone()), Cell::new(texts[3].clone())]);
        let doc = Doc {
            title: texts[4].clone(),
            meta: vec![(texts[5].clone(), texts[6].clone())],
            sections: vec![Section { heading: Some(texts[7].clone()), text: vec![texts[0].clone()], grid: Some(grid) }],
            csv: None,
            notes: vec![texts[1].clone()],
        };
        let csv = render::renderer(Format::Csv, plain).unwrap().render(&doc).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        for cell in rows.iter().flatten() {
            let live = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.trim().parse::<f64>().is_err();
            proptest::prop_assert!(!live, "{:?}", cell);
        }
        proptest::prop_assert_eq!(unguard(&rows[0][0]), texts[0].as_str());
        proptest::prop_assert_eq!(unguard(&rows[1][1]), texts[3].as_str());
        let md = render::renderer(Format::Markdown, plain).unwrap().render(&doc).unwrap();
        let md = md.replace("\\<", "").replace("\\]", "").replace("<br>", "");
        proptest::prop_assert!(!md.contains('<') && !md.contains("]("), "{}", md);
        let table = render::renderer(Format::Table, plain).unwrap().render(&doc).unwrap();
        proptest::prop_assert!(!table.chars().any(|c| is_control(c) && c != '\n' && c != '\t'), "{:?}", table);
    }
}

#[test]
fn a_plan_of_more_than_50000_commitments_and_milestones_is_refused_in_bounded_memory() {
    use crate::util::bounded;
    let dir = tempfile::tempdir().unwrap();
    let head = "[plan]\ncountry = \"X\"\ntitle = \"Big\"\n\n[assessment]\nas_of = 2021-06-30\n";
    // 40,000 commitments with a milestone each, written as tables: refused before parsing.
    let mut plan = String::from(head);
    for i in 0..40_000 {
        plan.push_str(&format!(
            "[[commitment]]\nid = \"{i}\"\ntitle = \"t\"\n[[commitment.milestone]]\nid = \"{i}.1\"\ntitle = \"m\"\n"
        ));
    }
    fs::write(dir.path().join("plan.toml"), &plan).unwrap();
    let (code, err, _) = bounded(dir.path(), &["assess", "--format", "json"], 150, 30);
    assert_eq!(code, 1, "{err}");
    // The 50,001st header: commitment 25,000's, on line 6 + 25,000 × 6 + 1.
    assert!(
        err.starts_with("error: the plan has more than 50000 commitments and milestones together; this is where it passes that number\n      --> plan.toml:150007\n"),
        "{err}"
    );
    // Written as an inline array, the plan reader counts them.
    let items: Vec<String> = (0..50_001)
        .map(|i| format!("{{id = \"{i}\", title = \"t\"}}"))
        .collect();
    fs::write(
        dir.path().join("plan.toml"),
        format!("commitment = [{}]\n{head}", items.join(", ")),
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: the plan has more than 50000 commitments and milestones together; this is where it passes that number\n --> plan.toml:1:"),
        "{}",
        run.stderr
    );
}

/// `summary`, `assess --format json` and `explain` at 10,000 commitments × 5 evaluators × 8
/// criteria (400,000 ratings) stay near the memory the loaded ratings take: the commitments'
/// results are built, counted or written, and freed piece by piece (`summary` and `assess`), or
/// only the one commitment is assessed (`explain`). Before, every commitment's results were held
/// at once: 120 MB (`summary`, `assess`) and 250 MB (`explain`) of address space were needed in a
/// debug build. Now each needs what `validate` needs to load the same folder (102 MB of address
/// space in a debug build on 2026-12-01, most of it the program's own code and the plan's TOML
/// tokens), so the ceilings leave about 10 % for the code to grow (issue 14 §3; figures in
/// docs/limits.md).
#[test]
fn results_are_not_all_held_at_once() {
    use crate::util::bounded_heap;
    let dir = tempfile::tempdir().unwrap();
    crate::util::generated(dir.path(), "big", "10000", "5");
    for (args, max_mb) in [
        (&["summary", "big"][..], 115),
        (&["assess", "big", "--format", "json"], 115),
        (&["explain", "big", "c9999"], 150),
    ] {
        let (code, err, _) = bounded_heap(dir.path(), args, max_mb, 60);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?} under {max_mb} MB");
    }
}

/// `compare` keeps of each side only what it compares: a folder's results are built piece by
/// piece and an `assess --format json` file is read without building a JSON tree, so that the
/// results of every commitment are never held at once. Before, both sides' whole results were
/// held (and a JSON file's tree besides): more than 200 MB of address space at this size in a
/// debug build (230 MB and 290 MB resident, with a 28 MB JSON file), where these need 106 MB and
/// 110 MB of address space (2026-12-01), little more than the 102 MB `validate` needs to load one
/// side; the ceiling leaves room for the code to grow (issue 14 §3; figures in docs/limits.md).
#[test]
fn compare_keeps_only_what_it_compares() {
    use crate::util::bounded_heap;
    let dir = tempfile::tempdir().unwrap();
    crate::util::generated(dir.path(), "a", "10000", "5");
    // B: the same plan, one criterion's levels moved up on every rating.
    copy_tree(&dir.path().join("a"), &dir.path().join("b"));
    let scores = fs::read_to_string(dir.path().join("a/scores/scores.csv")).unwrap();
    let moved: String = scores
        .lines()
        .map(|l| {
            if l.contains(",k1,None,") {
                format!("{}\n", l.replace(",k1,None,", ",k1,Low,"))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs::write(dir.path().join("b/scores/scores.csv"), moved).unwrap();
    let json = run_in(
        dir.path(),
        &["assess", "a", "--format", "json", "--output", "a.json"],
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    for args in [
        &[
            "compare",
            "a",
            "b",
            "--format",
            "json",
            "--output",
            "folders.json",
        ][..],
        &[
            "compare",
            "a.json",
            "b",
            "--format",
            "json",
            "--output",
            "file.json",
        ],
    ] {
        let (code, err, _) = bounded_heap(dir.path(), args, 125, 60);
        let wrote = format!("wrote {}\n", args[6]);
        assert_eq!(
            (code, err.as_str()),
            (0, wrote.as_str()),
            "{args:?} under 125 MB"
        );
    }
    // The same comparison either way, and what it found.
    let folders = fs::read_to_string(dir.path().join("folders.json")).unwrap();
    let file = fs::read_to_string(dir.path().join("file.json")).unwrap();
    assert_eq!(
        folders.replace("\"source\": \"a\"", "\"source\": \"a.json\""),
        file
    );
    let v: serde_json::Value = serde_json::from_str(&folders).unwrap();
    assert_eq!(v["summary"]["compared"], 10000);
    assert_eq!(v["summary"]["only_in_a"], 0);
    assert_eq!(v["summary"]["only_in_b"], 0);
    let moves: Vec<&serde_json::Value> = v["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["moved"].as_array().unwrap())
        .collect();
    assert!(moves.len() > 100, "{} moves", moves.len());
    for m in moves {
        assert_eq!(
            (&m["criterion"], &m["direction"]),
            (&"k1".into(), &"up".into())
        );
    }
}

/// `explain` of one commitment of 24,000 milestones, one evaluator rating and commenting on
/// every one (the audit's case), in the three text formats under a 170 MB ceiling on the
/// address space. Each milestone's row looked up the reference evaluators' answers by reading
/// every rating (quadratic: 3.0 s of CPU for the table in a release build), and every format
/// built a copy of the whole commitment as a JSON value and the CSV's table of every step. With
/// one malloc arena, `validate` of the folder needs 77 MB (debug build); `explain` now needs
/// 149 MB for the table, 114 MB for Markdown, 130 MB for CSV, and needed about 125 MB more
/// before (release build: 261, 222 and 222 MB before, 134, 99 and 114 MB now).
#[cfg(target_os = "linux")]
#[test]
fn explaining_a_commitment_of_24000_milestones_stays_under_a_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut plan = String::from(
        "[plan]\ncountry = \"X\"\ntitle = \"T\"\nstart = 2020-01-01\nend = 2021-12-31\n\n\
         [assessment]\nrubric = \"check-my-ogp\"\nscores = [\"scores/*.csv\"]\nas_of = 2021-06-30\n\n\
         [[evaluator]]\nid = \"a\"\n\n[[commitment]]\nid = \"1\"\ntitle = \"One\"\n",
    );
    let mut scores = String::from("evaluator,commitment,milestone,completion,comment\n");
    for i in 0..24_000 {
        plan.push_str(&format!(
            "[[commitment.milestone]]\nid = \"m{i}\"\ntitle = \"M {i}\"\n"
        ));
        scores.push_str(&format!("a,1,m{i},Limited,note {i}\n"));
    }
    fs::write(d.join("plan.toml"), plan).unwrap();
    fs::create_dir(d.join("scores")).unwrap();
    fs::write(d.join("scores/a.csv"), scores).unwrap();
    for format in ["table", "markdown", "csv"] {
        let (code, err, _) =
            crate::util::bounded_heap(d, &["explain", ".", "1", "--format", format], 2000, 600);
        assert_eq!(code, 0, "{format}: {err}");
    }
}
