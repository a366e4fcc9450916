//! `checkmyogp agreement` end to end: test vector 1 from a scores CSV, the edge cases in words and
//! `null`, the declared scale, bootstrap determinism, `--with-reference`, and the table on the
//! Mongolia sample.

use std::fs;
use std::path::Path;

use checkmyogp::agreement::{Ratings, Weighting, cohen_kappa};
use serde_json::Value;

use super::{EXACT, TOL, close};
use crate::util::{root, run_in, sample};

/// A rubric file with one criterion `grade` of the given scale, levels and values. A nominal
/// criterion cannot give the rating, so such a rubric gets a second, ordinal criterion for it.
fn rubric(scale: &str, levels: &[(&str, f64)]) -> String {
    let rated_by = if scale == "nominal" {
        "overall"
    } else {
        "grade"
    };
    let mut s = format!(
        "[rubric]\nid = \"test\"\nname = \"Test rubric\"\n\n[rating]\ncriterion = \"{rated_by}\"\n\n\
         [[criterion]]\nid = \"grade\"\nname = \"Grade\"\nquestion = \"Which grade?\"\nscale = \"{scale}\"\n"
    );
    for (label, value) in levels {
        s.push_str(&format!("[[criterion.level]]\nlabel = \"{label}\"\n"));
        if scale != "nominal" {
            s.push_str(&format!("value = {value}\n"));
        }
    }
    if scale == "nominal" {
        s.push_str(
            "\n[[criterion]]\nid = \"overall\"\nname = \"Overall\"\nquestion = \"How far?\"\nscale = \"ordinal\"\n\
             [[criterion.level]]\nlabel = \"Low\"\nvalue = 0\n[[criterion.level]]\nlabel = \"High\"\nvalue = 1\n",
        );
    }
    s
}

const FIVE: [(&str, f64); 5] = [
    ("One", 1.0),
    ("Two", 2.0),
    ("Three", 3.0),
    ("Four", 4.0),
    ("Five", 5.0),
];

/// An assessment folder: `units` commitments, the evaluators, the rubric, and one long-form
/// score file from rows of `evaluator: levels` (space-separated labels, `.` = not rated).
fn folder(units: usize, rubric_text: &str, rows: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = String::from(
        "[plan]\ncountry = \"Testland\"\ntitle = \"Agreement test\"\n\n[assessment]\nrubric = \"rubric.toml\"\n",
    );
    for (e, _) in rows {
        plan.push_str(&format!("\n[[evaluator]]\nid = \"{e}\"\n"));
    }
    for u in 1..=units {
        plan.push_str(&format!(
            "\n[[commitment]]\nid = \"{u}\"\ntitle = \"Unit {u}\"\n"
        ));
    }
    fs::write(dir.path().join("plan.toml"), plan).unwrap();
    fs::write(dir.path().join("rubric.toml"), rubric_text).unwrap();
    let mut csv = String::from("evaluator,commitment,criterion,level\n");
    for (e, levels) in rows {
        for (u, l) in levels.split_whitespace().enumerate() {
            if l != "." {
                csv.push_str(&format!("{e},{},grade,{l}\n", u + 1));
            }
        }
    }
    fs::create_dir_all(dir.path().join("scores")).unwrap();
    fs::write(dir.path().join("scores/ratings.csv"), csv).unwrap();
    dir
}

/// Test vector 1 (Krippendorff 2011, reliability data C), values 1–5 written as numbers.
fn vector1_folder() -> tempfile::TempDir {
    folder(
        12,
        &rubric("ordinal", &FIVE),
        &[
            ("A", "1 2 3 3 2 1 4 1 2 . . ."),
            ("B", "1 2 3 3 2 2 4 1 2 5 . ."),
            ("C", ". 3 3 3 2 3 4 2 2 5 1 3"),
            ("D", "1 2 3 3 2 4 4 1 2 5 1 ."),
        ],
    )
}

/// Runs `agreement` with `--format json` and returns the parsed output.
fn json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["agreement", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_in(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

/// The cells of the table row that starts with `first`, trimmed (independent of column widths:
/// cells are two or more spaces apart).
fn row<'a>(table: &'a str, first: &str) -> Vec<&'a str> {
    table
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row `{first}` in:\n{table}"))
}

#[test]
fn vector_1_end_to_end_with_every_metric() {
    let dir = vector1_folder();
    let v = json(dir.path(), &[]);
    assert_eq!(v["evaluators"], serde_json::json!(["A", "B", "C", "D"]));
    let c = &v["criteria"][0];
    assert_eq!(c["criterion"], "grade");
    assert_eq!(
        c["metric"], "ordinal",
        "an ordinal scale gets the ordinal metric"
    );
    close(num(&c["alpha"]), 108_577.0 / 133_160.0, TOL);
    close(num(&c["alpha"]), 0.815388, TOL);
    assert_eq!(c["interpretation"], "reliable");
    assert_eq!(c["undefined"], Value::Null);
    // Unit 12 has one rating: it is not pairable.
    assert_eq!(c["units"], 11);
    assert_eq!(c["units_total"], 12);
    assert_eq!(c["pairable"], 40);
    assert_eq!(c["raters"], 4);
    // Mean over the pairable units of the share of agreeing pairs: eight are unanimous, units 2
    // and 8 have 3 of 6 agreeing pairs, unit 6 none.
    close(num(&c["percent_agreement"]), 9.0 / 11.0, EXACT);
    close(num(&c["gwet_ac1"]), 0.775444, TOL);
    assert_eq!(c["fleiss_units"], 8);
    assert!(c["fleiss_kappa"].is_number());
    assert!(c.get("ci").is_none(), "no interval without --bootstrap");
    assert_eq!(c["pairs"].as_array().unwrap().len(), 6);

    for (metric, expected) in [
        ("nominal", 113.0 / 152.0),
        ("ordinal", 108_577.0 / 133_160.0),
        ("interval", 951.0 / 1120.0),
        ("ratio", 0.797403),
    ] {
        let v = json(dir.path(), &["--metric", metric]);
        let c = &v["criteria"][0];
        assert_eq!(c["metric"], metric);
        assert_eq!(v["metric_override"], metric);
        close(num(&c["alpha"]), expected, TOL);
        assert_eq!(c["units"], 11);
        assert_eq!(c["pairable"], 40);
        // alpha = 1 − D_o / D_e.
        let (d_o, d_e) = (
            num(&c["observed_disagreement"]),
            num(&c["expected_disagreement"]),
        );
        close(1.0 - d_o / d_e, expected, TOL);
    }
    let v = json(dir.path(), &["--metric", "interval"]);
    close(num(&v["criteria"][0]["alpha"]), 0.849107, TOL);
    let v = json(dir.path(), &["--metric", "ratio"]);
    close(num(&v["criteria"][0]["alpha"]), 0.797403, TOL);
}

#[test]
fn vector_1_reads_in_words_in_every_format() {
    let dir = vector1_folder();
    let run = run_in(dir.path(), &["agreement"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cells = row(&run.stdout, "grade");
    assert_eq!(
        cells,
        [
            "grade", "ordinal", "0.815", "reliable", "11 of 12", "40", "81.8%", "0.641", "0.775"
        ]
    );
    assert!(
        run.stdout
            .contains("Krippendorff's alpha (ordinal) = 0.815: reliable"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("`C` departs most from the others"));

    let run = run_in(dir.path(), &["agreement", "--format", "csv"]);
    assert_eq!(run.code, 0);
    let mut lines = run.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("criterion,name,scale,scope,metric,alpha,")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("grade,Grade,ordinal,commitment,ordinal,0.8153875")
    );

    let run = run_in(dir.path(), &["agreement", "--format", "markdown"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("| grade | ordinal | 0.815 | reliable |"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_single_evaluator_is_undefined_in_words_and_null() {
    let dir = folder(3, &rubric("ordinal", &FIVE), &[("solo", "One Three Five")]);
    let v = json(dir.path(), &[]);
    let c = &v["criteria"][0];
    assert_eq!(c["alpha"], Value::Null);
    assert_eq!(c["undefined"], "single-evaluator");
    assert_eq!(c["interpretation"], Value::Null);
    assert_eq!(c["percent_agreement"], Value::Null);
    assert_eq!(c["fleiss_kappa"], Value::Null);
    assert_eq!(c["gwet_ac1"], Value::Null);
    assert_eq!(c["units"], 0);
    assert!(c["pairs"].as_array().unwrap().is_empty());

    let run = run_in(dir.path(), &["agreement"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("undefined: only one evaluator (`solo`) gave levels on this criterion"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("NaN"));
    assert_eq!(row(&run.stdout, "grade")[2], "undefined");
    assert_eq!(row(&run.stdout, "grade")[3], "single evaluator");

    let v = json(dir.path(), &["--bootstrap", "50"]);
    assert_eq!(
        v["criteria"][0]["ci"],
        Value::Null,
        "bootstrapped, but no interval"
    );
}

#[test]
fn identical_ratings_have_no_variation_not_zero_or_one() {
    let dir = folder(
        4,
        &rubric("ordinal", &FIVE),
        &[
            ("a", "Three Three Three Three"),
            ("b", "Three Three Three Three"),
            ("c", "Three Three . Three"),
        ],
    );
    for metric in ["nominal", "ordinal", "interval", "ratio"] {
        let v = json(dir.path(), &["--metric", metric]);
        let c = &v["criteria"][0];
        assert_eq!(c["alpha"], Value::Null, "{metric}");
        assert_eq!(c["undefined"], "no-variation");
        assert_eq!(c["fleiss_kappa"], Value::Null);
        assert_eq!(c["expected_disagreement"], 0.0);
        assert_eq!(c["units"], 4);
        assert_eq!(c["percent_agreement"], 1.0);
    }
    let run = run_in(dir.path(), &["agreement"]);
    assert!(run.stdout.contains("no variation"), "{}", run.stdout);
    assert!(run.stdout.contains("`Three`"), "{}", run.stdout);
    assert_eq!(row(&run.stdout, "grade")[3], "no variation");
    let v = json(dir.path(), &["--bootstrap", "20"]);
    assert_eq!(v["criteria"][0]["ci"], Value::Null);
}

#[test]
fn swapped_ratings_give_minus_one_half_and_a_lone_dissent_gives_zero() {
    let nominal = rubric("nominal", &[("A", 0.0), ("B", 0.0)]);
    let dir = folder(2, &nominal, &[("x", "A B"), ("y", "B A")]);
    let v = json(dir.path(), &[]);
    let c = &v["criteria"][0];
    assert_eq!(
        c["metric"], "nominal",
        "a nominal scale gets the nominal metric"
    );
    close(num(&c["alpha"]), -0.5, EXACT);
    // Weighted kappas need ordered levels.
    assert_eq!(c["pairs"][0]["linear_kappa"], Value::Null);

    let dir = folder(
        3,
        &rubric("ordinal", &FIVE),
        &[
            ("a", "3 3 3"),
            ("b", "3 3 3"),
            ("c", "3 1 3"),
            ("d", "3 3 3"),
            ("e", "3 3 3"),
        ],
    );
    for metric in ["nominal", "ordinal", "interval", "ratio"] {
        let v = json(dir.path(), &["--metric", metric]);
        let alpha = num(&v["criteria"][0]["alpha"]);
        close(alpha, 0.0, EXACT);
    }
}

#[test]
fn fewer_than_two_pairable_units_is_undefined() {
    // Two evaluators who share a single unit.
    let dir = folder(
        3,
        &rubric("ordinal", &FIVE),
        &[("a", "One Two ."), ("b", "Three . Four")],
    );
    let v = json(dir.path(), &[]);
    let c = &v["criteria"][0];
    assert_eq!(c["alpha"], Value::Null);
    assert_eq!(c["undefined"], "too-few-units");
    assert_eq!(c["units"], 1);
    let run = run_in(dir.path(), &["agreement"]);
    assert!(
        run.stdout
            .contains("undefined: only 1 unit was rated by two or more evaluators"),
        "{}",
        run.stdout
    );
    // None in common at all.
    let dir = folder(
        2,
        &rubric("ordinal", &FIVE),
        &[("a", "One ."), ("b", ". Four")],
    );
    let v = json(dir.path(), &[]);
    assert_eq!(v["criteria"][0]["undefined"], "too-few-units");
    assert_eq!(v["criteria"][0]["pairs"][0]["shared_units"], 0);
    assert_eq!(v["criteria"][0]["pairs"][0]["cohen_kappa"], Value::Null);
}

#[test]
fn a_metric_that_does_not_fit_the_scale_is_not_applicable() {
    let signed = rubric(
        "ordinal",
        &[("Worse", -1.0), ("Same", 0.0), ("Better", 1.0)],
    );
    let dir = folder(
        3,
        &signed,
        &[("a", "Worse Same Better"), ("b", "Worse Better Better")],
    );
    let v = json(dir.path(), &["--metric", "ratio"]);
    let c = &v["criteria"][0];
    assert_eq!(c["alpha"], Value::Null);
    assert_eq!(c["undefined"], "not-applicable");
    assert!(
        c["reading"].as_str().unwrap().contains("non-negative"),
        "{}",
        c["reading"]
    );
    assert!(json(dir.path(), &["--metric", "interval"])["criteria"][0]["alpha"].is_number());

    let nominal = rubric("nominal", &[("Red", 0.0), ("Green", 0.0), ("Blue", 0.0)]);
    let dir = folder(
        3,
        &nominal,
        &[("a", "Red Green Blue"), ("b", "Red Blue Blue")],
    );
    let v = json(dir.path(), &["--metric", "ordinal"]);
    assert_eq!(v["criteria"][0]["undefined"], "not-applicable");
    assert!(
        v["criteria"][0]["reading"]
            .as_str()
            .unwrap()
            .contains("no order")
    );
}

#[test]
fn weighted_kappa_uses_the_declared_levels() {
    // Levels 1, 2 and 4 of five are used: 2 and 4 are two steps apart on the declared scale,
    // though neighbours among the levels that occur. (Unused levels at either end would not
    // change a weighted kappa: its weights only scale.)
    let dir = folder(
        6,
        &rubric("ordinal", &FIVE),
        &[("a", "1 1 2 2 4 4"), ("b", "1 2 2 4 4 2")],
    );
    let v = json(dir.path(), &[]);
    let pair = &v["criteria"][0]["pairs"][0];
    let cells = [0, 0, 0, 1, 1, 1, 1, 3, 3, 3, 3, 1]
        .into_iter()
        .map(Some)
        .collect();
    let declared = Ratings::with_levels(5, 2, cells).unwrap();
    let observed_only =
        Ratings::from_contingency(&[vec![1, 1, 0], vec![0, 1, 1], vec![0, 1, 1]]).unwrap();
    for (key, w) in [
        ("cohen_kappa", Weighting::Unweighted),
        ("linear_kappa", Weighting::Linear),
        ("quadratic_kappa", Weighting::Quadratic),
    ] {
        let want = cohen_kappa(&declared, 0, 1, w).unwrap().value.unwrap();
        close(num(&pair[key]), want, EXACT);
        if w != Weighting::Unweighted {
            let other = cohen_kappa(&observed_only, 0, 1, w).unwrap().value.unwrap();
            assert!((want - other).abs() > 1e-3, "{key}: {want} vs {other}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_interval() {
    let dir = vector1_folder();
    let args = ["--bootstrap", "400", "--seed", "7"];
    let a = json(dir.path(), &args);
    let b = json(dir.path(), &args);
    let ci = &a["criteria"][0]["ci"];
    assert_eq!(ci, &b["criteria"][0]["ci"]);
    let (lo, hi) = (num(&ci[0]), num(&ci[1]));
    assert!(lo <= hi && hi <= 1.0, "{ci}");
    assert!(lo < 0.815388 && 0.815388 <= hi + 1e-9, "{ci}");
    assert_eq!(a["bootstrap"]["seed"], 7);
    assert_eq!(a["bootstrap"]["resamples"], 400);
    assert_eq!(a["criteria"][0]["bootstrap"]["resamples"], 400);
    let other = json(dir.path(), &["--bootstrap", "400", "--seed", "8"]);
    assert_ne!(ci, &other["criteria"][0]["ci"]);
    // No progress bar when stderr is not a terminal.
    let run = run_in(dir.path(), &["agreement", "--bootstrap", "400"]);
    assert!(!run.stderr.contains("resamples"), "{}", run.stderr);
    assert!(run.stdout.contains("95% CI"), "{}", run.stdout);
}

#[test]
fn reference_evaluators_are_left_out_unless_asked_for() {
    let dir = sample("mongolia-irm-legacy");
    let without = json(dir.path(), &[]);
    assert_eq!(without["evaluators"], serde_json::json!(["demo", "wsp"]));
    assert_eq!(without["reference"], serde_json::json!(["irm"]));
    assert_eq!(without["with_reference"], false);
    let with = json(dir.path(), &["--with-reference"]);
    assert_eq!(
        with["evaluators"],
        serde_json::json!(["demo", "wsp", "irm"])
    );
    assert_eq!(with["with_reference"], true);
    let pairs = |v: &Value| v["criteria"][0]["pairs"].as_array().unwrap().len();
    assert_eq!((pairs(&without), pairs(&with)), (1, 3));
    assert_ne!(
        without["criteria"][0]["pairable"],
        with["criteria"][0]["pairable"]
    );
    let run = run_in(dir.path(), &["agreement"]);
    assert!(
        run.stdout.contains("reference (left out): irm"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_mongolia_table() {
    let run = run_in(&root(), &["agreement", "samples/mongolia-2016-2018"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("Mongolia — "), "{out}");
    assert!(
        out.contains("  evaluators: demo, wsp, transparency-mn\n"),
        "{out}"
    );
    assert_eq!(
        row(out, "completion"),
        [
            "completion",
            "ordinal",
            "0.828",
            "reliable",
            "22 of 22",
            "62",
            "59.1%",
            "0.479",
            "0.455"
        ]
    );
    assert_eq!(row(out, "relevance")[2..4], ["0.992", "reliable"]);
    assert_eq!(row(out, "participation")[2..4], ["0.754", "tentative"]);
    assert_eq!(
        row(out, "published-evidence")[2..4],
        ["0.652", "unreliable"]
    );
    assert_eq!(row(out, "results")[2..4], ["0.480", "unreliable"]);
    assert!(out.contains("completion — Completion (ordinal scale, rated per milestone)\n"));
    assert!(out.contains("22 of 22 units rated by two or more evaluators, 62 pairable values"));
    assert!(out.contains("`wsp` departs most from the others: mean agreement 56.6%"));
    // The widest disagreement on completion: milestone 1.1, Complete to Limited.
    assert_eq!(
        row(out, "1.1"),
        ["1.1", "2", "Complete", "Substantial", "Limited"]
    );
    assert!(out.contains("12 units with different levels; 1 with a spread of 2 levels or more"));
}

#[test]
fn help_has_examples_and_mistakes_are_usage_errors() {
    let run = run_in(&root(), &["agreement", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("Examples:\n  checkmyogp agreement "),
        "{}",
        run.stdout
    );
    let run = run_in(
        &root(),
        &[
            "agreement",
            "samples/mongolia-2016-2018",
            "--criterion",
            "complet",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `completion`?"),
        "{}",
        run.stderr
    );
    for bad in [
        vec!["--bootstrap", "0"],
        vec!["--metric", "cardinal"],
        vec!["--seed", "3"],
        vec!["--bootstrap", "10", "--confidence", "95"],
    ] {
        let mut args = vec!["agreement", "samples/mongolia-2016-2018"];
        args.extend(bad.iter().copied());
        assert_eq!(run_in(&root(), &args).code, 2, "{bad:?}");
    }
    let v = {
        let run = run_in(
            &root(),
            &[
                "agreement",
                "samples/mongolia-2016-2018",
                "--criterion",
                "results",
                "--format",
                "json",
                "--top",
                "2",
            ],
        );
        serde_json::from_str::<Value>(&run.stdout).unwrap()
    };
    assert_eq!(v["criteria"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["criteria"][0]["spread"]["units"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(v["criteria"][0]["spread"]["units_with_spread"], 5);
}

/// Fleiss' kappa for a criterion uses the evaluators who rated it: one who rated only another
/// criterion is left out and named, instead of making kappa null. The expected value is
/// statsmodels' `fleiss_kappa` on the aggregated table of raters a, b, c over the five units
/// all three rated (unit 6 lacks b): `aggregate_raters([[0,0,1],[1,1,1],[2,2,1],[0,1,0],
/// [2,2,2]])` → 0.3918918918918918.
#[test]
fn fleiss_leaves_out_an_evaluator_who_rated_nothing_of_the_criterion() {
    let three = [("Low", 0.0), ("Mid", 1.0), ("High", 2.0)];
    let dir = folder(
        6,
        &rubric("nominal", &three),
        &[
            ("a", "Low Mid High Low High Mid"),
            ("b", "Low Mid High Mid High ."),
            ("c", "Mid Mid Mid Low High Mid"),
            ("d", ". . . . . ."),
        ],
    );
    // `d` rated only `overall`.
    let path = dir.path().join("scores/ratings.csv");
    let mut csv = fs::read_to_string(&path).unwrap();
    csv.push_str("d,1,overall,Low\nd,2,overall,High\n");
    fs::write(&path, csv).unwrap();
    let v = json(dir.path(), &[]);
    let c = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "grade")
        .unwrap();
    assert_eq!(c["fleiss_units"], 5);
    close(
        c["fleiss_kappa"].as_f64().unwrap(),
        0.3918918918918918,
        EXACT,
    );
    assert_eq!(c["fleiss_left_out"], serde_json::json!(["d"]));
    assert!(
        c["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "Fleiss' kappa leaves out `d`, who rated nothing of this criterion."),
        "{}",
        c["notes"]
    );
    // The CSV names them too, in its last column.
    let run = run_in(dir.path(), &["agreement", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(headers.iter().next_back(), Some("fleiss_left_out"));
    let grade = rows
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "grade")
        .unwrap();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&grade[col("fleiss_left_out")], "d");
    assert_eq!(&grade[col("fleiss_units")], "5");
    close(
        grade[col("fleiss_kappa")].parse().unwrap(),
        0.3918918918918918,
        EXACT,
    );
}
