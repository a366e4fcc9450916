//! `checkmyogp import ogp`: on a small file written here (messy values, listing, mistakes), and
//! on OGP's real data when it is next to the repository (`../shared/data/ogp/`): every action
//! plan imports and validates, and assessing the imports with `irm-legacy` reproduces OGP's
//! own star columns.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use checkmyogp::diag::Report;
use checkmyogp::import::ogp::{self, Round, Rubric};

use crate::util::{Run, root, run_in};

// ---------------------------------------------------------------------------------------------
// A small file in OGP's layout, with the kinds of mess the real data has.
// ---------------------------------------------------------------------------------------------

const HEADER: &str = "Commitment Unique Identifier,Country/Locality,Action Plan Number,Commitment Number,Code,Year Of Submission,Action Plan End Year,Theme,Commitment Title,Full Text,Start Date,End Date,Lead Institution,Supporting Institution(s),Open Data,Legislation,Report Publication Year (Progress Report),Specificity,OGP Value Access To Information,OGP Value Civic Participation,OGP Value Public Accountability,OGP Value Technology,Potential Impact,Completion (Progress Report),Potential for Results,Report Publication Year (End Of Term),Completion (End Of Term),Did It Open Government (Overall),Early Results,URL";

/// The full text of the first commitment: quotes of every kind, a backslash, `'''`, `"""`, a
/// tab and several lines.
const AWKWARD_TEXT: &str = "The “open” budget: publish it as 'data' at C:\\budget\\.\nLine two has ''' and \"\"\" and a\ttab.\n\nLast line ends with a quote\"";

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn small_file() -> String {
    let rows = [
        // Exampleland, plan 1 (legacy): a day-first date, an ambiguous one, an awkward text.
        format!(
            "XL0001,Exampleland,1,1,EXL,2016,2018,NA,{},{},31/12/2015,6/1/2018,Ministry of Finance,\"Audit Office; Transparency Exampleland, Budget Watch\",1,0,2017,High,1,0,1,0,Transformative,Substantial,ND,2019,Complete,Worsens,ND,https://example.org/xl0001",
            csv_cell("The “open” budget"),
            csv_cell(AWKWARD_TEXT)
        ),
        // A month-only start, a word for an end date, values the rubric does not know.
        "XL0002,Exampleland,1,2,EXL,2016,2018,Fiscal openness,Budget hearings,Hold hearings.,August 2016,Ongoing,Parliament,NA,0,1,2017,Medium,0,1,0,1,Moderate,Limited,ND,2019,Unclear,No early results to report yet,ND,https://example.org/xl0002".to_string(),
        // Exampleland, plan 2 (refresh): a DIOG value the refreshed rubric has no criterion for.
        "XL0003,Exampleland,2,1,EXL,2021,2023,NA,Open parliament,Open the parliament.,9/1/2021,8/31/2023,Parliament,NA,0,1,2022,ND,ND,ND,ND,ND,ND,ND,Substantial,2024,Limited,Marginal,Moderate,https://example.org/xl0003".to_string(),
        // Otherland, one plan, nothing rated yet.
        "OT0001,Otherland,1,1,OTL,2023,2025,NA,Open data,Publish data.,1/1/2024,12/31/2025,Ministry,NA,1,0,NR,NR,NR,NR,NR,NR,NR,NR,NR,NR,NR,NR,NR,https://example.org/ot0001".to_string(),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

/// A folder holding the small file as `ogp.csv`.
fn small_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ogp.csv"), small_file()).unwrap();
    dir
}

fn import(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["import", "ogp", "ogp.csv"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn import_and_its_source_have_help_with_examples() {
    for cmd in [vec!["import", "--help"], vec!["import", "ogp", "--help"]] {
        let run = run_in(&root(), &cmd);
        assert_eq!(run.code, 0, "{cmd:?}");
        assert!(run.stdout.contains("Example"), "{cmd:?}:\n{}", run.stdout);
    }
}

#[test]
fn without_a_country_the_action_plans_are_listed() {
    let dir = small_folder();
    let run = import(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.starts_with("ogp.csv: 2 countries, 3 action plans, 4 commitments"),
        "{out}"
    );
    for expected in [
        "country",
        "action plan",
        "years",
        "commitments",
        "rubric",
        "2016–2018",
        "2021–2023",
        "2023–2025",
        "irm-legacy",
        "irm-refresh",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
    let exampleland = out.lines().filter(|l| l.contains("Exampleland")).count();
    assert_eq!(exampleland, 2, "{out}");
    assert!(!dir.path().join("plan.toml").exists());
}

#[test]
fn a_misspelt_country_gets_a_suggestion_and_exit_2() {
    let dir = small_folder();
    let run = import(dir.path(), &["--country", "Exampeland", "--output", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: ogp.csv has no country or local member \"Exampeland\"\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `Exampleland`?"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn several_action_plans_need_action_plan() {
    let dir = small_folder();
    let run = import(dir.path(), &["--country", "exampleland", "--output", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("holds 2 action plans of Exampleland; choose one with --action-plan N"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2016–2018") && run.stderr.contains("2021–2023"));
    let run = import(
        dir.path(),
        &[
            "--country",
            "Exampleland",
            "--action-plan",
            "7",
            "--output",
            "out",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no action plan 7 of Exampleland"));
    assert!(!dir.path().join("out").exists());
    // The only plan of a country needs no number; the OGP code names the country too.
    let run = import(dir.path(), &["--country", "OTL", "--output", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("out/plan.toml").is_file());
}

#[test]
fn a_folder_that_is_not_empty_is_refused() {
    let dir = small_folder();
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/notes.txt"), "my notes").unwrap();
    let run = import(dir.path(), &["--country", "Otherland", "--output", "out"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the output folder out is not empty (it holds notes.txt): nothing was imported"
        ),
        "{}",
        run.stderr
    );
    let names: Vec<_> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/notes.txt")).unwrap(),
        "my notes"
    );
    // An empty folder is fine.
    fs::create_dir(dir.path().join("empty")).unwrap();
    let run = import(dir.path(), &["--country", "Otherland", "--output", "empty"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn output_needs_a_country_and_a_country_needs_output() {
    let dir = small_folder();
    assert_eq!(import(dir.path(), &["--output", "out"]).code, 2);
    let run = import(dir.path(), &["--country", "Otherland"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--output"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_ogp_data_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ogp.csv"), "evaluator,commitment\nirm,1\n").unwrap();
    let run = import(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("this does not look like OGP's commitments database"),
        "{}",
        run.stderr
    );
    let run = import(dir.path(), &["--country", "x"]);
    assert_eq!(run.code, 1);
    let run = run_in(dir.path(), &["import", "ogp", "missing.csv"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no such file"), "{}", run.stderr);
}

/// The `[[commitment]]` tables of a plan.toml, by id.
fn commitments(plan: &toml::Table) -> HashMap<String, toml::Table> {
    plan["commitment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let t = c.as_table().unwrap().clone();
            (t["id"].as_str().unwrap().to_string(), t)
        })
        .collect()
}

#[test]
fn messy_values_are_imported_or_reported_with_their_place() {
    let dir = small_folder();
    let run = import(
        dir.path(),
        &[
            "--country",
            "Exampleland",
            "--action-plan",
            "1",
            "--output",
            "xl",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let err = &run.stderr;
    // The second row starts on line 6: the first one's full text spans four lines.
    for expected in [
        "warning: \"Unclear\" is not a level of `completion` in irm-legacy: not imported\n --> ogp.csv:6 (column AA \"Completion (End Of Term)\")",
        "warning: \"No early results to report yet\" is not a level of `did-it-open-government` in irm-legacy: not imported\n --> ogp.csv:6 (column AB \"Did It Open Government (Overall)\")",
        "warning: \"Ongoing\" is not a date",
        "note: \"August 2016\" is a month only: read as its first day, as this is a start date: 2016-08-01",
        "note: \"6/1/2018\" read as 2018-01-06 (day first), like the dates of column \"Start Date\" in this action plan, such as \"31/12/2015\" (line 2)",
        "imported Exampleland — action plan 1 (2016–2018): 2 commitments, 15 IRM ratings (rubric irm-legacy)",
        "3 values were not imported",
    ] {
        assert!(err.contains(expected), "no {expected:?} in:\n{err}");
    }

    let validate = run_in(dir.path(), &["validate", "xl"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(
        validate.stderr.contains("ok: xl is valid"),
        "{}",
        validate.stderr
    );

    let text = fs::read_to_string(dir.path().join("xl/plan.toml")).unwrap();
    let plan: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(
        plan["plan"]["title"].as_str(),
        Some("Action plan 1 (2016–2018)")
    );
    assert_eq!(plan["assessment"]["rubric"].as_str(), Some("irm-legacy"));
    assert!(text.contains("# reference = \"irm\""), "{text}");
    let evaluators = plan["evaluator"].as_array().unwrap();
    assert_eq!(evaluators.len(), 1);
    assert_eq!(evaluators[0]["role"].as_str(), Some("irm"));
    let by_id = commitments(&plan);
    let first = &by_id["XL0001"];
    assert_eq!(first["ogp_id"].as_str(), Some("XL0001"));
    assert_eq!(first["title"].as_str(), Some("The “open” budget"));
    // Read back exactly, laid out as paragraphs (docs/import.md §11).
    assert_eq!(
        first["description"].as_str(),
        Some(
            AWKWARD_TEXT
                .replace(".\nLine two", ".\n\nLine two")
                .as_str()
        )
    );
    assert_eq!(first["start"].to_string(), "2015-12-31");
    assert_eq!(first["end"].to_string(), "2018-01-06");
    let supporting: Vec<&str> = first["supporting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        supporting,
        ["Audit Office", "Transparency Exampleland", "Budget Watch"]
    );
    let values: Vec<&str> = first["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(values, ["access-to-information", "public-accountability"]);
    assert_eq!(first["themes"].as_array().unwrap().len(), 1); // Open Data
    let second = &by_id["XL0002"];
    assert_eq!(second["start"].to_string(), "2016-08-01");
    assert!(second.get("end").is_none());
    assert_eq!(
        second["themes"].as_array().unwrap()[0].as_str(),
        Some("Fiscal openness")
    );

    let scores = fs::read_to_string(dir.path().join("xl/scores/irm.csv")).unwrap();
    assert!(
        scores.starts_with("evaluator,commitment,milestone,criterion,level,evidence,comment\n")
    );
    for row in [
        "irm,XL0001,,did-it-open-government,Worsened,https://example.org/xl0001,",
        "irm,XL0001,,completion,Complete,https://example.org/xl0001,",
        "irm,XL0002,,completion,Limited,https://example.org/xl0002,",
        "irm,XL0002,,technology-innovation,Yes,",
    ] {
        assert!(scores.contains(row), "no {row:?} in:\n{scores}");
    }
    assert!(
        !scores.contains("XL0002,,did-it-open-government"),
        "{scores}"
    );

    // The star of the first commitment: High, relevant, Transformative, Complete.
    let assess = run_in(dir.path(), &["assess", "xl", "--format", "json"]);
    assert_eq!(assess.code, 0, "{}", assess.stderr);
    let json: serde_json::Value = serde_json::from_str(&assess.stdout).unwrap();
    let flags = &json["commitments"][0]["flags"];
    assert!(
        flags.as_array().unwrap().iter().any(|f| f == "starred"),
        "{flags}"
    );
}

#[test]
fn round_chooses_which_completion_is_imported() {
    let dir = small_folder();
    for (round, level) in [("progress", "Substantial"), ("end-of-term", "Complete")] {
        let out = format!("xl-{round}");
        let run = import(
            dir.path(),
            &[
                "--country",
                "Exampleland",
                "--action-plan",
                "1",
                "--round",
                round,
                "--output",
                &out,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let scores = fs::read_to_string(dir.path().join(&out).join("scores/irm.csv")).unwrap();
        let row = format!("irm,XL0001,,completion,{level},");
        assert!(scores.contains(&row), "{round}: no {row:?} in\n{scores}");
    }
}

#[test]
fn refreshed_plans_use_the_refreshed_rubric() {
    let dir = small_folder();
    let run = import(
        dir.path(),
        &[
            "--country",
            "Exampleland",
            "--action-plan",
            "2",
            "--output",
            "xl2",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: \"Marginal\" not imported: irm-refresh has no criterion for the column \"Did It Open Government (Overall)\""
        ),
        "{}",
        run.stderr
    );
    let scores = fs::read_to_string(dir.path().join("xl2/scores/irm.csv")).unwrap();
    for row in [
        "irm,XL0003,,potential-for-results,Substantial,",
        "irm,XL0003,,completion,Limited,",
        "irm,XL0003,,early-results,Moderate,",
    ] {
        assert!(scores.contains(row), "no {row:?} in:\n{scores}");
    }
    assert_eq!(run_in(dir.path(), &["validate", "xl2"]).code, 0);
}

// ---------------------------------------------------------------------------------------------
// Milestones, rounds, dates and provenance, on rows quoted from OGP's data.
// ---------------------------------------------------------------------------------------------

/// EE0050's `Full Text` as OGP's data gives it (quoted from open_parliament_0703.csv).
const EE0050_TEXT: &str = "Increasing the openness and transparency of the Riigikogu\nCommitment Start and End Date \nJuly 2018 – June 2020\nLead implementing agency/actor        Riigikogu\nCommitment description\nWhat is the public problem that the commitment will address?        In 2016, the Riigikogu Rules of Procedure and Internal Rules Act was amended, making the minutes of committee sittings more informative than before.\nWhat is the commitment?        In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed in a manner which allows processing data related to the plenary assembly in a machine-readable format.\nAdditional information        \nMilestone Activity        Start Date:        End Date:\nOpen data of the Riigikogu are being tested.        October 2018        May 2019\nOpen data of the Riigikogu are constantly available.        October 2018        June 2019\nMinutes are published as soon as possible after a sitting of a committee has finished.        July 2018        June 2020";

/// Estonia's plan 4 (EE0050, with its real ratings) and a Ukrainian plan 2 whose commitments
/// give no start date (as UA0087's), with a milestone text that cannot be read.
fn quoted_file() -> String {
    let rows = [
        format!(
            "EE0050,Estonia,4,1.3,EST,2018,2020,NA,Increasing the openness and transparency of the Riigikogu,{},7/1/2018,6/30/2020,Riigikogu,NA,1,0,2019,ND,1,0,0,1,Moderate,Substantial,ND,2021,Complete,Major,ND,https://opengovpartnership.org/members/estonia/commitments/ee0050",
            csv_cell(EE0050_TEXT)
        ),
        format!(
            "UA0087,Ukraine,2,1,UKR,2014,2016,NA,Open parliament,{},NA,12/31/2014,Verkhovna Rada,NA,0,1,2015,High,1,1,0,0,Moderate,Limited,ND,2017,ND,ND,ND,https://example.org/ua0087",
            csv_cell("Milestones:\n1. Prepare the draft law\n1.1 Hold hearings\n3. Adopt it")
        ),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

fn quoted_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ogp.csv"), quoted_file()).unwrap();
    dir
}

#[test]
fn ee0050_imports_with_its_three_milestones() {
    let dir = quoted_folder();
    let run = import(dir.path(), &["--country", "Estonia", "--output", "ee"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "  milestones: 3 milestones read for 1 of 1 commitment (table, tab- or space-separated columns 1)\n"
        ),
        "{}",
        run.stderr
    );
    let text = fs::read_to_string(dir.path().join("ee/plan.toml")).unwrap();
    let plan: toml::Table = toml::from_str(&text).unwrap();
    let c = &commitments(&plan)["EE0050"];
    let milestones = c["milestone"].as_array().unwrap();
    let got: Vec<(String, String, String, String)> = milestones
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["title"].as_str().unwrap().to_string(),
                m["start"].to_string(),
                m["due"].to_string(),
            )
        })
        .collect();
    let row = |id: &str, title: &str, start: &str, due: &str| {
        (
            id.to_string(),
            title.to_string(),
            start.to_string(),
            due.to_string(),
        )
    };
    assert_eq!(
        got,
        [
            row(
                "EE0050.1",
                "Open data of the Riigikogu are being tested.",
                "2018-10-01",
                "2019-05-31"
            ),
            row(
                "EE0050.2",
                "Open data of the Riigikogu are constantly available.",
                "2018-10-01",
                "2019-06-30"
            ),
            row(
                "EE0050.3",
                "Minutes are published as soon as possible after a sitting of a committee has finished.",
                "2018-07-01",
                "2020-06-30"
            ),
        ]
    );
    // Each date read from a month keeps its words beside it.
    assert!(
        text.contains("title = \"Open data of the Riigikogu are being tested.\"\nstart = 2018-10-01    # \"October 2018\": a month only: read as its first day, as this is a start date\ndue = 2019-05-31    # \"May 2019\": a month only: read as its last day, as this is an end date\n"),
        "{text}"
    );
    // The description is the text's own sections, from "Commitment description" to the table,
    // a paragraph each, headings in bold; the empty "Additional information" heads nothing.
    let description = c["description"].as_str().unwrap();
    assert_eq!(
        description,
        "**Commitment description**\n\n**What is the public problem that the commitment will address?** In 2016, the Riigikogu Rules of Procedure and Internal Rules Act was amended, making the minutes of committee sittings more informative than before.\n\n**What is the commitment?** In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed in a manner which allows processing data related to the plenary assembly in a machine-readable format."
    );
    let validate = run_in(dir.path(), &["validate", "ee"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(!validate.stderr.contains("error"), "{}", validate.stderr);

    // --no-milestones keeps the whole text and writes no milestone.
    let run = import(
        dir.path(),
        &[
            "--country",
            "Estonia",
            "--no-milestones",
            "--output",
            "ee-plain",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("  milestones not read (--no-milestones)\n")
    );
    let plain: toml::Table =
        toml::from_str(&fs::read_to_string(dir.path().join("ee-plain/plan.toml")).unwrap())
            .unwrap();
    let c = &commitments(&plain)["EE0050"];
    assert!(c.get("milestone").is_none());
    assert_eq!(c["description"].as_str(), Some(EE0050_TEXT));
}

#[test]
fn unreadable_milestones_are_left_to_a_person_in_a_comment() {
    let dir = quoted_folder();
    let run = import(dir.path(), &["--country", "Ukraine", "--output", "ua"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("  milestones: 0 milestones read for 0 of 1 commitment\n  1 commitment needs a person: its milestone text could not be read with confidence and is in a comment block in plan.toml\n"),
        "{}",
        run.stderr
    );
    let text = fs::read_to_string(dir.path().join("ua/plan.toml")).unwrap();
    assert!(
        text.contains("# Milestones: the action plan's text has a milestone heading, but its milestones could not\n# be read with confidence (its numbered activities are not in sequence (item 2 is numbered\n# 1.1)). Turn the text below into [[commitment.milestone]] tables (id, title, due).\n#   | Milestones:\n#   | 1. Prepare the draft law\n#   | 1.1 Hold hearings\n#   | 3. Adopt it\n"),
        "{text}"
    );
    let plan: toml::Table = toml::from_str(&text).unwrap();
    assert!(commitments(&plan)["UA0087"].get("milestone").is_none());
}

#[test]
fn the_plan_starts_with_its_start_dates_or_its_first_year_and_covers_its_end_year() {
    let dir = quoted_folder();
    // Ukraine's plan 2 gives no start date: it starts on 1 January of its year of submission,
    // never on its first deadline, and ends with its end year.
    assert_eq!(
        import(dir.path(), &["--country", "Ukraine", "--output", "ua"]).code,
        0
    );
    let text = fs::read_to_string(dir.path().join("ua/plan.toml")).unwrap();
    assert!(
        text.contains("start = 2014-01-01    # 1 January of its year of submission: no commitment gives a start date\nend = 2016-12-31      # 31 December of its end year (OGP's \"Action Plan End Year\")\n"),
        "{text}"
    );
    assert_eq!(
        import(dir.path(), &["--country", "Estonia", "--output", "ee"]).code,
        0
    );
    let text = fs::read_to_string(dir.path().join("ee/plan.toml")).unwrap();
    assert!(
        text.contains("start = 2018-07-01    # the earliest start date of its commitments and milestones\nend = 2020-06-30      # the latest date of its commitments and milestones\n"),
        "{text}"
    );
}

/// The IRM ratings of a folder, as (criterion, level) of commitment `id`.
fn ratings_of(dir: &Path, id: &str) -> Vec<(String, String)> {
    let scores = fs::read_to_string(dir.join("scores/irm.csv")).unwrap();
    let mut r = csv::Reader::from_reader(scores.as_bytes());
    r.records()
        .map(|rec| rec.unwrap())
        .filter(|rec| &rec[1] == id)
        .map(|rec| (rec[3].to_string(), rec[4].to_string()))
        .collect()
}

#[test]
fn each_round_imports_only_what_its_report_rated_as_of_the_date_it_assessed() {
    let dir = quoted_folder();
    let design = [
        ("access-to-information", "Yes"),
        ("civic-participation", "No"),
        ("public-accountability", "No"),
        ("technology-innovation", "Yes"),
        ("potential-impact", "Moderate"),
    ];
    for (round, extra, as_of, summary) in [
        (
            Some("progress"),
            vec![("completion", "Substantial")],
            "2019-06-30",
            "  ratings by IRM report (--round progress: the progress report's only):\n    design, progress report: access-to-information 1, civic-participation 1, public-accountability 1, technology-innovation 1, potential-impact 1\n    progress report: completion 1\n  2 ratings of the other report left out (--round)\n",
        ),
        (
            Some("end-of-term"),
            vec![
                ("completion", "Complete"),
                ("did-it-open-government", "Major"),
            ],
            "2020-06-30",
            "  ratings by IRM report (--round end-of-term: the end-of-term report's only):\n    design, progress report: access-to-information 1, civic-participation 1, public-accountability 1, technology-innovation 1, potential-impact 1\n    end-of-term report: completion 1, did-it-open-government 1\n  1 rating of the other report left out (--round)\n",
        ),
        (
            None,
            vec![
                ("completion", "Complete"),
                ("did-it-open-government", "Major"),
            ],
            "2020-06-30",
            "  ratings by IRM report (without --round, each criterion's latest):\n    design, progress report: access-to-information 1, civic-participation 1, public-accountability 1, technology-innovation 1, potential-impact 1\n    end-of-term report: completion 1, did-it-open-government 1\n",
        ),
    ] {
        let out = format!("ee-{}", round.unwrap_or("latest"));
        let mut args = vec!["--country", "Estonia", "--output", &out];
        if let Some(r) = round {
            args.extend(["--round", r]);
        }
        let run = import(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains(summary), "{round:?}:\n{}", run.stderr);
        let mut want: Vec<(String, String)> = design
            .iter()
            .chain(extra.iter())
            .map(|(c, l)| ((*c).to_string(), (*l).to_string()))
            .collect();
        want.sort();
        let mut got = ratings_of(&dir.path().join(&out), "EE0050");
        got.sort();
        assert_eq!(got, want, "{round:?}");
        let text = fs::read_to_string(dir.path().join(&out).join("plan.toml")).unwrap();
        let plan: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(plan["assessment"]["as_of"].to_string(), as_of, "{round:?}");
        // The score patterns are left to the default, which reads .csv, .xlsx and .ods.
        assert!(plan["assessment"].get("scores").is_none());
        assert!(text.contains(
            "# scores: left to the default, every .csv, .xlsx and .ods file in scores/\n"
        ));
    }
    // Mid-term, the milestones due after the first year are not overdue.
    let assess = run_in(dir.path(), &["assess", "ee-progress", "--format", "json"]);
    assert_eq!(assess.code, 0, "{}", assess.stderr);
    let json: serde_json::Value = serde_json::from_str(&assess.stdout).unwrap();
    assert_eq!(
        json["commitments"][0]["criteria"]["completion"]["level"],
        "Substantial"
    );
}

#[test]
fn where_a_rating_comes_from_is_a_comment_never_the_irms_words() {
    let dir = quoted_folder();
    assert_eq!(
        import(dir.path(), &["--country", "Estonia", "--output", "ee"]).code,
        0
    );
    let scores = fs::read_to_string(dir.path().join("ee/scores/irm.csv")).unwrap();
    let mut r = csv::Reader::from_reader(scores.as_bytes());
    for rec in r.records() {
        assert_eq!(
            &rec.unwrap()[6],
            "",
            "the comment column stays empty:\n{scores}"
        );
    }
    let text = fs::read_to_string(dir.path().join("ee/plan.toml")).unwrap();
    assert!(
        text.contains("# completion = Complete (end-of-term report; column \"Completion (End Of Term)\", report\n#     published 2021; the progress report rated it Substantial (column \"Completion (Progress\n#     Report)\"))\n"),
        "{text}"
    );
    let draft = run_in(dir.path(), &["draft", "ee", "--output", "-"]);
    assert_eq!(draft.code, 0, "{}", draft.stderr);
    assert!(!draft.stdout.contains("OGP data"), "{}", draft.stdout);
    assert!(!draft.stdout.contains("column \""), "{}", draft.stdout);
}

// ---------------------------------------------------------------------------------------------
// OGP's real data.
// ---------------------------------------------------------------------------------------------

/// OGP's open-parliament extract, when it is next to the repository.
fn real_file() -> Option<PathBuf> {
    // OGP_DATA names the file when it is elsewhere (e.g. from a git worktree).
    let path = std::env::var_os("OGP_DATA").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/ogp/open_parliament_0703.csv")
        },
        PathBuf::from,
    );
    if path.is_file() {
        Some(path)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {} not found (OGP's data is not part of the repository), so the import of the real file was not tested",
            path.display()
        );
        None
    }
}

/// One run of the binary to do: `validate` when `validate`, else `assess --format json`.
struct Job {
    plan: usize,
    round: Option<Round>,
    dir: PathBuf,
    validate: bool,
}

/// Runs jobs on every core.
fn run_jobs(jobs: &[Job]) -> Vec<Run> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Run>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let dir = job.dir.to_string_lossy().into_owned();
                    let run = if job.validate {
                        run_in(&root(), &["validate", &dir])
                    } else {
                        run_in(&root(), &["assess", &dir, "--format", "json"])
                    };
                    results.lock().unwrap()[i] = Some(run);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

fn is_marker(s: &str) -> bool {
    matches!(s.trim(), "" | "ND" | "NR" | "NA")
}

/// OGP's columns, read here independently of the importer.
struct Ogp {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Ogp {
    fn read(path: &Path) -> Ogp {
        let mut r = csv::Reader::from_path(path).unwrap();
        let headers = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect();
        Ogp { headers, rows }
    }

    fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        let i = self.headers.iter().position(|h| h == column).unwrap();
        row[i].trim()
    }
}

/// A star rule's inputs for one round, or why they are not all there.
fn missing_inputs(ogp: &Ogp, row: &[String], completion: &str) -> Option<String> {
    let mut missing = Vec::new();
    for column in ["Specificity", "Potential Impact", completion] {
        let v = ogp.get(row, column);
        let known = [
            "None",
            "Low",
            "Medium",
            "High",
            "Minor",
            "Moderate",
            "Transformative",
            "Withdrawn",
            "Not Started",
            "Limited",
            "Substantial",
            "Complete",
        ];
        if !known.contains(&v) {
            missing.push(format!("{column} is {v}"));
        }
    }
    let values = [
        "OGP Value Access To Information",
        "OGP Value Civic Participation",
        "OGP Value Public Accountability",
    ];
    if values.iter().all(|c| is_marker(ogp.get(row, c))) {
        missing.push("the three OGP values are ND".to_string());
    }
    (!missing.is_empty()).then(|| missing.join(", "))
}

#[test]
fn every_action_plan_of_ogps_file_imports_validates_and_reproduces_its_stars() {
    let Some(path) = real_file() else { return };
    let mut report = Report::new();
    let table = ogp::read(&path, "open_parliament_0703.csv", &mut report).expect("the file reads");
    assert!(!report.has_errors(), "{}", report.render());
    let plans = ogp::action_plans(&table, &mut report);
    assert!(report.is_empty(), "{}", report.render());
    assert_eq!(plans.len(), 214);
    assert_eq!(plans.iter().map(|p| p.rows.len()).sum::<usize>(), 558);

    // Import every plan (the default round), and the legacy plans once per round.
    let work = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    let mut imported = 0;
    let mut not_imported = 0;
    let mut plan_of: HashMap<String, Rubric> = HashMap::new();
    let mut layouts: HashMap<String, usize> = HashMap::new();
    let (mut milestones, mut unsure) = (0, 0);
    let mut ee0050 = String::new();
    let mut from_sections = 0;
    for (i, plan) in plans.iter().enumerate() {
        let mut rounds = vec![None];
        if plan.rubric == Rubric::Legacy {
            rounds.extend([Some(Round::Progress), Some(Round::EndOfTerm)]);
        }
        for round in rounds {
            let mut report = Report::new();
            let result = ogp::import(&table, plan, round.unwrap_or_default(), true, &mut report)
                .expect("every plan of OGP's file fits the plan limits");
            assert!(!report.has_errors(), "{}", report.render());
            let dir = work.path().join(format!("{i}-{round:?}"));
            fs::create_dir_all(dir.join("scores")).unwrap();
            fs::write(dir.join("plan.toml"), &result.plan_toml).unwrap();
            fs::write(dir.join("scores/irm.csv"), &result.scores_csv).unwrap();
            if round.is_none() {
                imported += result.commitments;
                not_imported += result.not_imported;
                milestones += result.milestones;
                unsure += result.milestones_unsure;
                for (layout, n) in &result.milestones_by_layout {
                    *layouts.entry(layout.words().to_string()).or_default() += n;
                }
                if result.plan_toml.contains("id = \"EE0050\"") {
                    ee0050 = result.plan_toml.clone();
                }
                // Descriptions that start at a section the text marks, not at its first line.
                let written: toml::Table = toml::from_str(&result.plan_toml).unwrap();
                let full_text = table.column("Full Text").unwrap();
                for &r in &plan.rows {
                    let row = &table.rows[r];
                    let id = row
                        .cell(table.column("Commitment Unique Identifier").unwrap())
                        .unwrap()
                        .trim();
                    let full = row.cell(full_text).unwrap().replace("\r\n", "\n");
                    if let Some(d) = commitments(&written)
                        .get(id)
                        .and_then(|c| c.get("description"))
                        .and_then(|d| d.as_str())
                    {
                        // Laid out, never reworded: each paragraph, without its bold marks
                        // and with its white space tidied, is in the text as written.
                        let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                        let words = tidy(&full);
                        for paragraph in d.split("\n\n") {
                            let p = tidy(&paragraph.replace("**", ""));
                            assert!(words.contains(&p), "{id}: {p:?} is not in its Full Text");
                        }
                        // No official's contact details.
                        for marker in [
                            "Información de contacto",
                            "Contact information",
                            "Contact Person",
                            "Name of responsible person",
                            "E-mail and phone",
                            "Email and Phone",
                        ] {
                            assert!(!d.contains(marker), "{id}: {marker:?} in its description");
                        }
                        let head = tidy(&d.chars().take(60).collect::<String>().replace("**", ""));
                        let head: String = head.chars().take(30).collect();
                        if !words.starts_with(&head) {
                            from_sections += 1;
                        }
                    }
                }
                jobs.push(Job {
                    plan: i,
                    round,
                    dir: dir.clone(),
                    validate: true,
                });
            }
            jobs.push(Job {
                plan: i,
                round,
                dir,
                validate: false,
            });
        }
        for &r in &plan.rows {
            let id = table.rows[r]
                .cell(table.column("Commitment Unique Identifier").unwrap())
                .unwrap()
                .trim()
                .to_string();
            plan_of.insert(id, plan.rubric);
        }
    }
    assert_eq!(imported, 558, "every commitment is imported");
    assert_eq!(not_imported, 48, "values reported as not imported");
    // The milestones read from `Full Text`, by layout (docs/import.md §11 gives these figures).
    let mut by_layout: Vec<(String, usize)> = layouts.into_iter().collect();
    by_layout.sort();
    let _ = writeln!(
        std::io::stderr(),
        "milestones: {milestones} read; commitments by layout {by_layout:?}; {unsure} need a person"
    );
    assert_eq!(
        by_layout,
        [
            ("numbered activities".to_string(), 28),
            ("table with \"Start Date - End Date\" pairs".to_string(), 16),
            ("table, tab- or space-separated columns".to_string(), 20),
            ("table, |-separated columns".to_string(), 21),
        ]
    );
    assert_eq!((milestones, unsure), (347, 77));
    assert_eq!(
        from_sections, 116,
        "descriptions starting at a marked section"
    );
    let plan: toml::Table = toml::from_str(&ee0050).unwrap();
    let dues: Vec<String> = commitments(&plan)["EE0050"]["milestone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["due"].to_string())
        .collect();
    assert_eq!(dues, ["2019-05-31", "2019-06-30", "2020-06-30"]);
    let starts: Vec<String> = commitments(&plan)["EE0050"]["milestone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["start"].to_string())
        .collect();
    assert_eq!(starts, ["2018-10-01", "2018-10-01", "2018-07-01"]);

    let runs = run_jobs(&jobs);
    let mut flags: HashMap<(Round, String), Vec<String>> = HashMap::new();
    let mut bindings: HashMap<String, Option<String>> = HashMap::new();
    for (job, run) in jobs.iter().zip(&runs) {
        let plan = &plans[job.plan];
        assert_eq!(
            run.code,
            0,
            "{} {:?}:\n{}",
            plan.title(),
            job.round,
            run.stderr
        );
        if job.validate {
            assert!(
                !run.stderr.contains("error"),
                "{}:\n{}",
                plan.title(),
                run.stderr
            );
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        match job.round {
            None => {
                for c in json["commitments"].as_array().unwrap() {
                    let starred = c["flags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f == "starred");
                    let binding = if starred {
                        Some("STAR".to_string())
                    } else {
                        c["binding"]["starred"].as_str().map(str::to_string)
                    };
                    bindings.insert(c["id"].as_str().unwrap().to_string(), binding);
                }
            }
            Some(round) => {
                for c in json["commitments"].as_array().unwrap() {
                    let ids: Vec<String> = c["flags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_string())
                        .collect();
                    flags.insert((round, c["id"].as_str().unwrap().to_string()), ids);
                }
            }
        }
    }

    // Compare with OGP's own star columns.
    let ogp = Ogp::read(&path);
    let checks = [
        (
            Round::Progress,
            "starred",
            "Starred (Current Formula) Progress Report",
            "Completion (Progress Report)",
        ),
        (
            Round::Progress,
            "starred-2014",
            "Starred (2015 Only)",
            "Completion (Progress Report)",
        ),
        (
            Round::EndOfTerm,
            "starred",
            "Starred (Current Formula) End of Term",
            "Completion (End Of Term)",
        ),
    ];
    let mut excluded = String::new();
    let mut figures = Vec::new();
    for (round, flag, column, completion) in checks {
        let (mut matches, mut mismatches, mut nothing) = (0, Vec::new(), 0);
        let mut excluded_here = 0;
        for row in &ogp.rows {
            let id = ogp.get(row, "Commitment Unique Identifier");
            let theirs = ogp.get(row, column);
            let why = if plan_of[id] == Rubric::Refresh {
                Some("assessed with irm-refresh, which awards no stars".to_string())
            } else {
                missing_inputs(&ogp, row, completion)
            };
            match (why, theirs) {
                (Some(_), t) if is_marker(t) => nothing += 1,
                (None, t) if is_marker(t) => {
                    excluded_here += 1;
                    excluded.push_str(&format!(
                        "{id:<8} {column:<42} OGP says {t:<3}  all four inputs present, but OGP's star column is empty\n"
                    ));
                }
                (Some(why), t) => {
                    excluded_here += 1;
                    excluded.push_str(&format!(
                        "{id:<8} {column:<42} OGP says {t:<3}  not comparable: {why}\n"
                    ));
                }
                (None, t) => {
                    let ours = flags[&(round, id.to_string())].iter().any(|f| f == flag);
                    if ours == (t == "1") {
                        matches += 1;
                    } else {
                        mismatches.push(format!("{id}: OGP {t}, checkmyogp {ours}"));
                    }
                }
            }
        }
        figures.push((column, matches, mismatches.clone(), excluded_here, nothing));
        assert!(
            mismatches.is_empty(),
            "{column}: {} mismatches:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
    }
    let mut summary = format!(
        "OGP's star columns reproduced by `checkmyogp assess` on the imports ({not_imported} values not imported, each reported):\n"
    );
    for (column, matches, mismatches, excluded, nothing) in &figures {
        summary.push_str(&format!(
            "  {column:<42} {matches} match, {} mismatch, {excluded} excluded (below), {nothing} with nothing to compare\n",
            mismatches.len()
        ));
    }
    let _ = writeln!(std::io::stderr(), "{summary}Excluded rows:\n{excluded}");
    let counts: Vec<(usize, usize, usize)> = figures
        .iter()
        .map(|(_, m, mm, e, _)| (*m, mm.len(), *e))
        .collect();
    // Every commitment with all four inputs matches; the excluded rows lack an input (OGP
    // still wrote 0, or 1 for AR0045 whose Specificity is ND), or, for GT0066, OGP left the
    // end-of-term star empty although the inputs are there.
    assert_eq!(
        counts,
        [(206, 0, 7), (206, 0, 7), (148, 0, 23)],
        "{summary}{excluded}"
    );

    // The binding constraint of `starred` (the first condition it fails, or STAR), for the
    // default import, against OGP's "Binding constraint" column, for the legacy plans.
    let (mut equal, mut spec_missing, mut none_named, mut other) = (0, 0, 0, Vec::new());
    for row in &ogp.rows {
        let id = ogp.get(row, "Commitment Unique Identifier");
        if plan_of[id] == Rubric::Refresh {
            continue;
        }
        let theirs = ogp.get(row, "Binding constraint");
        let ours = bindings[id].as_deref().unwrap_or("");
        let spec = ogp.get(row, "Specificity");
        if theirs == ours {
            equal += 1;
        } else if ["FALSE", "NR", "ND"].contains(&theirs) && is_marker(spec) && ours == "Spec" {
            none_named += 1;
        } else if is_marker(spec) && ours == "Spec" {
            spec_missing += 1;
        } else {
            other.push(format!("{id}: OGP {theirs}, checkmyogp {ours}"));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "binding constraint of `starred`: {equal} equal to OGP's; {spec_missing} where Specificity is missing and OGP names a later condition; {none_named} where OGP names none (FALSE, NR, ND); other: {other:?}"
    );
    assert_eq!((equal, spec_missing, none_named), (212, 125, 27));
    assert!(other.is_empty(), "{other:?}");
}

#[test]
fn countries_and_local_members_match_ignoring_case_accents_and_punctuation() {
    let dir = tempfile::tempdir().unwrap();
    let text = small_file()
        .replace(",Otherland,", ",Cote d'Ivoire,")
        .replace(",Exampleland,", ",\"Buenos Aires, Argentina\",");
    fs::write(dir.path().join("ogp.csv"), text).unwrap();
    for (wanted, found) in [
        ("Côte d’Ivoire", "Cote d'Ivoire"),
        ("cote d'ivoire", "Cote d'Ivoire"),
        ("COTE D IVOIRE", "Cote d'Ivoire"),
        ("buenos aires", "Buenos Aires, Argentina"),
        ("Buenos Aires Argentina", "Buenos Aires, Argentina"),
    ] {
        let run = import(dir.path(), &["--country", wanted]);
        assert!(
            run.stderr.contains(&format!("--country \"{found}\""))
                || run.stderr.contains(&format!("action plans of {found}")),
            "{wanted}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("has no country"),
            "{wanted}: {}",
            run.stderr
        );
    }
}

/// CI0046's `Supporting Institution(s)` as OGP's data gives it (quoted from
/// open_parliament_0703.csv): an HTML entity, `&#39;`, whose `;` is no list separator.
const CI0046_SUPPORTING: &str = "- Any other relevant technical ministry; - General Secretariat of the Government. Employer Organizations : - Confédération Générale des Entreprises de Côte d&#39;Ivoire (CGECI) ; - Fédération Ivorienne des Petites et Moyenne Entreprises (FIPME). Labor organizations: - Union Générale des Travailleurs de Côte d’Ivoire (UGTCI) ; - Confédération Ivoirienne des Syndicats Libres DIGNITE (CISL-DIGNITE) - Fédération des Syndicats Autonomes de Côte d’Ivoire-Confédération Générale (FESACI-CG) ; - Union Nationale des Travailleurs de Côte d’Ivoire (UNATR-CI) - HUMANISM Trade Union Centre; - Technical partners: International Labor Office (ILO).";

#[test]
fn html_entities_in_ogps_text_are_decoded_before_lists_are_split() {
    let dir = tempfile::tempdir().unwrap();
    let row = format!(
        "CI0046,Cote d'Ivoire,4,11,CIV,2022,2024,Employment,Adopt&#44; popularize and make accessible labor law texts,To adopt the texts of labor law.,1/1/2023,6/30/2024,Ministry of Employment and Social Protection / General Directorate of Labor (DGT),{},0,1,2023,ND,ND,ND,ND,ND,ND,ND,Unclear,NR,NR,NR,NR,https://opengovpartnership.org/members/cote-d'ivoire/commitments/ci0046",
        csv_cell(CI0046_SUPPORTING)
    );
    fs::write(dir.path().join("ogp.csv"), format!("{HEADER}\n{row}\n")).unwrap();
    let run = import(
        dir.path(),
        &["--country", "Cote d'Ivoire", "--output", "ci"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = fs::read_to_string(dir.path().join("ci/plan.toml")).unwrap();
    assert!(!text.contains("&#"), "{text}");
    let plan: toml::Table = toml::from_str(&text).unwrap();
    let c = &commitments(&plan)["CI0046"];
    assert_eq!(
        c["title"].as_str().unwrap(),
        "Adopt, popularize and make accessible labor law texts"
    );
    let supporting: Vec<&str> = c["supporting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        supporting,
        [
            "Any other relevant technical ministry",
            "General Secretariat of the Government. Employer Organizations : - Confédération Générale des Entreprises de Côte d'Ivoire (CGECI)",
            "Fédération Ivorienne des Petites et Moyenne Entreprises (FIPME). Labor organizations: - Union Générale des Travailleurs de Côte d’Ivoire (UGTCI)",
            "Confédération Ivoirienne des Syndicats Libres DIGNITE (CISL-DIGNITE) - Fédération des Syndicats Autonomes de Côte d’Ivoire-Confédération Générale (FESACI-CG)",
            "Union Nationale des Travailleurs de Côte d’Ivoire (UNATR-CI) - HUMANISM Trade Union Centre",
            "Technical partners: International Labor Office (ILO).",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// An action plan past the plan limits is refused before anything is written.
// ---------------------------------------------------------------------------------------------

/// Writes `ogp.csv` in a new folder: a header of OGP's required columns, the title and
/// `extra`, and the rows `row(i)` for `0..n` (all of Bigland's action plan 1).
fn plan_of_rows(n: usize, extra: &str, row: impl Fn(usize) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "Commitment Unique Identifier,Country/Locality,Action Plan Number,Commitment Title{extra}\n"
    );
    for i in 0..n {
        text.push_str(&row(i));
        text.push('\n');
    }
    fs::write(dir.path().join("ogp.csv"), text).unwrap();
    dir
}

/// Nothing was written: the output folder was not even created.
fn assert_nothing_written(dir: &Path) {
    assert!(!dir.join("out").exists(), "the output folder was created");
    let names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["ogp.csv"]);
}

#[test]
fn a_plan_of_more_commitments_than_a_plan_may_hold_is_refused_before_anything_is_written() {
    let n = checkmyogp::load::MAX_UNITS + 1;
    let dir = plan_of_rows(n, "", |i| format!("BL{i:06},Bigland,1,Open data"));
    let run = import(dir.path(), &["--country", "Bigland", "--output", "out"]);
    assert_eq!(
        run.stderr,
        "error: Bigland — action plan 1 has 50001 commitments in ogp.csv, more than the 50000 commitments and milestones a plan may hold together: nothing was imported\n \
         --> ogp.csv\n  \
         = help: a national action plan has tens of commitments: check that these rows are one action plan's (columns `Country/Locality` and `Action Plan Number`); to import them all, split the plan's rows of ogp.csv into smaller extracts (each with the header row) and import each into its own folder (see docs/limits.md)\n"
    );
    assert_eq!(run.code, 1);
    assert_nothing_written(dir.path());
}

#[test]
fn a_plan_whose_milestones_pass_the_limit_is_refused_and_imports_without_them() {
    // 10,001 commitments of 4 milestones each: 50,005 together.
    let text = csv_cell(
        "Task 1: Draft the law\nTask 2: Adopt the law\nTask 3: Publish the law\nTask 4: Train the officials",
    );
    let dir = plan_of_rows(10_001, ",Full Text", |i| {
        format!("BL{i:06},Bigland,1,Open data,{text}")
    });
    let run = import(dir.path(), &["--country", "Bigland", "--output", "out"]);
    assert_eq!(
        run.stderr,
        "error: Bigland — action plan 1 has 10001 commitments and 40004 milestones in ogp.csv, 50005 together, more than the 50000 a plan may hold: nothing was imported\n \
         --> ogp.csv\n  \
         = help: import it with --no-milestones: its 10001 commitments then fit, with each milestone's text in its commitment's description; or split the plan's rows of ogp.csv into smaller extracts (each with the header row) and import each into its own folder (see docs/limits.md)\n"
    );
    assert_eq!(run.code, 1);
    assert_nothing_written(dir.path());

    // As the help says: without milestones, the plan is imported and reads back.
    let run = import(
        dir.path(),
        &["--country", "Bigland", "--no-milestones", "--output", "out"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("imported Bigland — action plan 1: 10001 commitments, 0 IRM ratings"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_plan_toml_past_the_size_limit_is_refused_before_anything_is_written() {
    // Three commitments whose lead institution is 6 MB each: plan.toml passes 16 MB at the third.
    let lead = "x".repeat(6 * 1024 * 1024);
    let dir = plan_of_rows(3, ",Lead Institution", |i| {
        format!("BL{i:06},Bigland,1,Open data,{lead}")
    });
    let run = import(dir.path(), &["--country", "Bigland", "--output", "out"]);
    assert_eq!(
        run.stderr,
        "error: Bigland — action plan 1 in ogp.csv would make a plan.toml larger than 16 MB, the largest plan file that is read (commitment 3 of 3 passes that size): nothing was imported\n \
         --> ogp.csv\n  \
         = help: the first 2 commitments fit: split the plan's rows of ogp.csv into smaller extracts (each with the header row) and import each into its own folder (see docs/limits.md)\n"
    );
    assert_eq!(run.code, 1);
    assert_nothing_written(dir.path());

    // One commitment alone past the limit.
    let lead = "x".repeat(17 * 1024 * 1024);
    let dir = plan_of_rows(1, ",Lead Institution", |i| {
        format!("BL{i:06},Bigland,1,Open data,{lead}")
    });
    let run = import(dir.path(), &["--country", "Bigland", "--output", "out"]);
    assert_eq!(
        run.stderr,
        "error: Bigland — action plan 1 in ogp.csv would make a plan.toml larger than 16 MB, the largest plan file that is read (commitment 1 of 1 passes that size): nothing was imported\n \
         --> ogp.csv\n  \
         = help: one commitment alone is that large: check its cells in ogp.csv (no commitment in OGP's data comes near that size)\n"
    );
    assert_eq!(run.code, 1);
    assert_nothing_written(dir.path());
}
