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
    fs::write(&path, plan.replace("\nas_of = 2018-06-30\n", &format!("\nas_of = {value}\n")))
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
            && out.contains("= help: it is read as 2019-10-31; write it without quotes: as_of = 2019-10-31"),
        "{out}"
    );

    let (_, out) = as_of("03/04/2019");
    assert!(
        out.contains("= expected: as_of = 2019-04-03 (day first) or 2019-03-04 (month first) (year-month-day, without quotes)"),
        "{out}"
    );
}
