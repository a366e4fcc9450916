//! Errors that point the right way: a forgotten id, a folder that is not there, a date written
//! another way, a country written as people write it.

use std::fs;

use crate::util::{run_in, sample};

#[test]
fn a_folder_without_an_id_says_the_id_is_missing_and_lists_the_ids() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(dir.path(), &["explain", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.ends_with(
            "error: which commitment? Give its id after the folder, e.g. `checkmyogp explain . 1`\n  the plan's commitments: `1`, `2`, `3`, `4`, `5`, `6` or `7`\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("cannot open the plan"));
}

#[test]
fn a_folder_that_does_not_exist_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["assess", "nope"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: there is no folder nope\n  = help: check the path; `checkmyogp init DIR` makes a new assessment folder\n\n1 error in the input: nothing was assessed. Fix it, then run the command again.\n"
    );
    fs::write(dir.path().join("plan.toml"), "").unwrap();
    let run = run_in(dir.path(), &["summary", "plan.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: plan.toml is a file, not an assessment folder\n  = help: give the folder that holds it, or the plan itself with --plan plan.toml\n"
        ),
        "{}",
        run.stderr
    );
}

/// Validates the sample with `as_of` written as `value`; returns what was printed.
fn as_of(value: &str) -> (i32, String) {
    let dir = sample("mongolia-2016-2018");
    let path = dir.path().join("plan.toml");
    let plan = fs::read_to_string(&path).unwrap();
    assert!(plan.contains("\nas_of = 2018-06-30\n"));
    fs::write(
        &path,
        plan.replace("\nas_of = 2018-06-30\n", &format!("\nas_of = {value}\n")),
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    (run.code, run.stderr + &run.stdout)
}

#[test]
fn a_date_written_another_way_gets_one_message_with_the_right_form() {
    let (code, out) = as_of("31/10/2019");
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "error: `as_of` is not a date written year-month-day: 31/10/2019\n  --> plan.toml:24:9\n   |\n24 | as_of = 31/10/2019\n   |         ^^^^^^^^^^\n   = expected: as_of = 2019-10-31 (year-month-day, without quotes)\n"
        ),
        "{out}"
    );
    assert_eq!(out.matches("error:").count(), 1, "{out}");
    assert!(!out.contains("must be quoted"), "{out}");

    let (code, out) = as_of("2019-10-31T00:00");
    assert_eq!(code, 1);
    assert!(
        out.contains("= expected: as_of = 2019-10-31 (year-month-day, without quotes)"),
        "{out}"
    );
    assert_eq!(out.matches("error:").count(), 1, "{out}");

    let (code, out) = as_of("\"2019-10-31\"");
    assert_eq!(code, 0, "a quoted date is read: {out}");
    assert!(
        out.contains("warning: `as_of` in [assessment] is a date in quotes: \"2019-10-31\"")
            && out.contains(
                "= help: it is read as 2019-10-31; write it without quotes: as_of = 2019-10-31"
            ),
        "{out}"
    );

    let (_, out) = as_of("03/04/2019");
    assert!(
        out.contains("= expected: as_of = 2019-04-03 (day first) or 2019-03-04 (month first) (year-month-day, without quotes)"),
        "{out}"
    );
}

#[test]
fn man_makes_every_page_it_lists_and_is_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("wrote 19 manual pages into pages: checkmyogp.1, checkmyogp-init.1,"),
        "{}",
        run.stderr
    );
    let pages = dir.path().join("pages");
    let mut listed = 0;
    for entry in fs::read_dir(&pages).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        // Every page another page refers to, e.g. `checkmyogp\-assess(1)`, exists.
        for part in text.split("checkmyogp\\-").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| *c != '(' && !c.is_whitespace())
                .collect::<String>()
                .replace("\\-", "-");
            if part[name.replace('-', "\\-").len()..].starts_with("(1)") {
                listed += 1;
                assert!(
                    pages.join(format!("checkmyogp-{name}.1")).is_file(),
                    "checkmyogp-{name}(1) is listed but not made"
                );
            }
        }
    }
    assert!(listed >= 18, "{listed} references");
    let one = run_in(dir.path(), &["man", "rubric-show"]);
    assert_eq!(one.code, 0);
    assert_eq!(
        one.stdout.as_bytes(),
        fs::read(pages.join("checkmyogp-rubric-show.1")).unwrap()
    );
    let none = run_in(dir.path(), &["man", "nope"]);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr
            .starts_with("error: there is no manual page for \"nope\"\n  expected: ")
    );
    let help = run_in(dir.path(), &["--help"]);
    assert!(help.stdout.contains("\n  man "), "{}", help.stdout);
}

#[test]
fn completions_offer_rubric_ids_formats_and_the_plans_evaluators() {
    let dir = sample("mongolia-2016-2018");
    let bash = run_in(dir.path(), &["completions", "bash"]).stdout;
    assert!(bash.contains("compgen -W \"check-my-ogp irm-legacy irm-refresh\""));
    assert!(bash.contains("compgen -W \"table json csv markdown xlsx\""));
    assert!(bash.contains("$(checkmyogp completions --ids evaluators 2>/dev/null)"));
    let zsh = run_in(dir.path(), &["completions", "zsh"]).stdout;
    assert!(
        zsh.contains(":ID:{compadd -- $(checkmyogp completions --ids evaluators 2>/dev/null)}")
    );
    let fish = run_in(dir.path(), &["completions", "fish"]).stdout;
    assert!(
        fish.contains("-l evaluator")
            && fish.contains("-f -a \"(checkmyogp completions --ids evaluators 2>/dev/null)\"")
    );
    let ids = run_in(dir.path(), &["completions", "--ids", "evaluators"]);
    assert_eq!(ids.stdout, "demo\nwsp\ntransparency-mn\n");
    // Without a plan at hand: nothing, quietly.
    let empty = tempfile::tempdir().unwrap();
    let ids = run_in(empty.path(), &["completions", "--ids", "evaluators"]);
    assert_eq!(
        (ids.code, ids.stdout.as_str(), ids.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn sheet_writes_into_the_assessment_folder_and_says_where() {
    let top = tempfile::tempdir().unwrap();
    crate::util::copy_tree(
        &crate::util::root().join("samples/mongolia-2016-2018"),
        &top.path().join("mine"),
    );
    let run = run_in(top.path(), &["sheet", "mine", "--evaluator", "demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("wrote mine/sheet-demo.csv for evaluator `demo`"),
        "{}",
        run.stderr
    );
    assert!(top.path().join("mine/sheet-demo.csv").is_file());
    assert!(!top.path().join("sheet-demo.csv").exists());
}

#[test]
fn man_dir_writes_its_pages_as_one_batch_and_keeps_an_edited_page() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["man", "--dir", "pages"]).code, 0);
    let pages = dir.path().join("pages");
    let ledger = fs::read_to_string(pages.join(".checkmyogp-written")).unwrap();
    assert_eq!(ledger.lines().count(), 1 + 19, "{ledger}");
    // Again: every page is replaced, each recorded once more.
    assert_eq!(run_in(dir.path(), &["man", "--dir", "pages"]).code, 0);
    let ledger = fs::read_to_string(pages.join(".checkmyogp-written")).unwrap();
    assert_eq!(ledger.lines().count(), 1 + 2 * 19, "{ledger}");
    // An edited page stops the whole batch: nothing is written, the ledger is unchanged.
    fs::write(pages.join("checkmyogp-assess.1"), "my notes\n").unwrap();
    let before = crate::util::snapshot_tree(dir.path());
    let refused = run_in(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert_eq!(
        refused.stderr,
        "error: could not write the manual pages into pages: pages/checkmyogp-assess.1 already exists and was not written by checkmyogp (or was edited since): it was left as it is.\n\
         Choose another --output, move the file away, or add --force to replace it.\n"
    );
    assert_eq!(crate::util::snapshot_tree(dir.path()), before);
    assert_eq!(
        run_in(dir.path(), &["man", "--dir", "pages", "--force"]).code,
        0
    );
    assert_ne!(
        fs::read_to_string(pages.join("checkmyogp-assess.1")).unwrap(),
        "my notes\n"
    );
}
