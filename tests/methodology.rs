//! The rules of docs/methodology.md that make results quotable: statuses outside the scale,
//! the strict-ends completion roll-up, consensus ratings, units with no completion level,
//! numbers rounded once, and the consensus sheet. Each test builds its assessment in a
//! temporary folder and checks exact outcomes.

use std::fs;
use std::path::Path;

use checkmyogp::assess;
use checkmyogp::diag::Report;
use checkmyogp::load::{self, Selection};
use checkmyogp::results::{self, Results};
use serde_json::Value;

use crate::util::{root, run_in};

/// An assessment folder from a plan (after `[plan]`) and one long-form score file.
fn folder(plan: &str, csv: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        format!("[plan]\ncountry = \"Testland\"\ntitle = \"Methodology test\"\n{plan}"),
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("scores")).unwrap();
    fs::write(
        dir.path().join("scores/ratings.csv"),
        format!("evaluator,commitment,milestone,criterion,level,evidence\n{csv}"),
    )
    .unwrap();
    dir
}

fn results_of(dir: &Path) -> Results {
    let sel = Selection {
        dir: dir.to_path_buf(),
        ..Selection::default()
    };
    let mut report = Report::new();
    let inputs = load::load(&sel, &mut report).expect("loads");
    assert!(!report.has_errors(), "{}", report.render());
    let as_of = inputs.plan.settings.as_of.expect("as_of is set");
    let a = assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    results::build(&inputs, &a, results::Detail::Evaluators)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let run = run_in(dir, args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    if args.first() == Some(&"assess") {
        // Statuses, agreed levels and not-rated units are all in the published schema.
        let errors = crate::json_schema::validate(&crate::json_schema::load_schema(), &v);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    v
}

/// Commitments `1`…`n`, each with milestones `i.1`…`i.4` due 2020-06-30, ending 2020-12-31.
fn commitments(n: usize, milestones: usize) -> String {
    let mut s = String::new();
    for i in 1..=n {
        s.push_str(&format!(
            "\n[[commitment]]\nid = \"{i}\"\ntitle = \"Commitment {i}\"\nend = 2020-12-31\n"
        ));
        for m in 1..=milestones {
            s.push_str(&format!(
                "\n[[commitment.milestone]]\nid = \"{i}.{m}\"\ntitle = \"Milestone {i}.{m}\"\ndue = 2020-06-30\n"
            ));
        }
    }
    s
}

/// methodology §2.3: the five examples, and the value kept as the weighted mean.
#[test]
fn the_completion_roll_up_reaches_an_end_only_when_every_milestone_is_there() {
    let cases: [([&str; 4], &str, f64); 5] = [
        (
            ["Substantial", "Limited", "Not started", "Not started"],
            "Limited",
            0.75,
        ),
        (
            ["Limited", "Not started", "Not started", "Not started"],
            "Limited",
            0.25,
        ),
        (
            ["Complete", "Complete", "Complete", "Substantial"],
            "Substantial",
            2.75,
        ),
        (["Complete"; 4], "Complete", 3.0),
        (["Not started"; 4], "Not started", 0.0),
    ];
    let mut csv = String::new();
    for (i, (levels, _, _)) in cases.iter().enumerate() {
        for (m, level) in levels.iter().enumerate() {
            let evidence = if matches!(*level, "Substantial" | "Complete") {
                "https://example.org"
            } else {
                ""
            };
            csv.push_str(&format!(
                "e,{c},{c}.{m},completion,{level},{evidence}\n",
                c = i + 1,
                m = m + 1
            ));
        }
    }
    let dir = folder(
        &format!(
            "\n[assessment]\nas_of = 2021-06-30\n\n[[evaluator]]\nid = \"e\"\n{}",
            commitments(5, 4)
        ),
        &csv,
    );
    let r = results_of(dir.path());
    for (c, (levels, level, value)) in r.commitments.iter().zip(cases) {
        let completion = &c.criteria["completion"];
        assert_eq!(completion.level.as_deref(), Some(level), "{levels:?}");
        assert_eq!(completion.value, Some(value), "{levels:?}");
    }
    // The worked explanation names the rule.
    let run = run_in(dir.path(), &["explain", "1"]);
    assert!(
        run.stdout.contains("The commitment's value is the weighted mean of the milestones' values: (1×2 + 1×1 + 1×0 + 1×0) / 4 = 0.75 → Limited (Not started is only for a commitment whose every rated milestone is at it: `roll_up = \"strict-ends\"`)."),
        "{}",
        run.stdout
    );
}

/// methodology §2.2: Withdrawn is a status, never combined, averaged, scored or overdue; the
/// levels left on the scale score 0, 33.3, 66.7 and 100.
#[test]
fn statuses_stay_outside_the_scale() {
    let csv = "\
a,1,,completion,Withdrawn,
b,1,,completion,Withdrawn,
c,1,,completion,Complete,https://example.org
a,2,,completion,Withdrawn,
b,2,,completion,Complete,https://example.org
a,3,,completion,Not Started,
a,4,,completion,Limited,
a,5,,completion,Substantial,https://example.org
a,6,,completion,Complete,https://example.org
";
    let dir = folder(
        &format!(
            "\n[assessment]\nrubric = \"irm-legacy\"\nas_of = 2021-06-30\n\n[[evaluator]]\nid = \"a\"\n\n[[evaluator]]\nid = \"b\"\n\n[[evaluator]]\nid = \"c\"\n{}",
            commitments(6, 0)
        ),
        csv,
    );
    let r = results_of(dir.path());
    let c1 = &r.commitments[0];
    let completion = &c1.criteria["completion"];
    assert_eq!(completion.level.as_deref(), Some("Withdrawn"));
    assert_eq!(completion.value, None);
    assert_eq!(
        (
            completion.min.as_deref(),
            completion.max.as_deref(),
            completion.spread
        ),
        (Some("Complete"), Some("Complete"), Some(0))
    );
    assert!(
        completion.disagreement,
        "Withdrawn beside Complete is a split"
    );
    assert_eq!(
        (c1.rating.as_deref(), c1.rating_rank, c1.score, c1.overdue),
        (Some("Withdrawn"), None, None, false)
    );
    assert_eq!(c1.binding["high-completion"], "Cmpl");
    // One Withdrawn of two is no majority: the level given is combined, and the split shows.
    let c2 = &r.commitments[1];
    assert_eq!(c2.rating.as_deref(), Some("Complete"));
    assert!(c2.criteria["completion"].disagreement);
    assert_eq!(c2.criteria["completion"].spread, Some(0));
    let scores: Vec<f64> = r.commitments[2..]
        .iter()
        .map(|c| c.score.unwrap())
        .collect();
    for (got, want) in scores.iter().zip([0.0, 100.0 / 3.0, 200.0 / 3.0, 100.0]) {
        assert!((got - want).abs() < 1e-9, "{scores:?}");
    }
    assert_eq!(r.summary.by_rating["Withdrawn"], 1);
    assert_eq!(r.summary.overdue_commitments, ["3", "4", "5"]);
    // In JSON: level is the status, value and score null, written to 4 decimals elsewhere.
    let v = json(dir.path(), &["assess", "--format", "json"]);
    assert_eq!(
        v["commitments"][0]["criteria"]["completion"]["level"],
        "Withdrawn"
    );
    assert_eq!(
        v["commitments"][0]["criteria"]["completion"]["value"],
        Value::Null
    );
    assert_eq!(v["commitments"][0]["score"], Value::Null);
    assert_eq!(v["commitments"][3]["score"], 33.3333);
    // Agreement leaves statuses out: no completion unit keeps two levels.
    let v = json(dir.path(), &["agreement", "--format", "json"]);
    let completion = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "completion")
        .unwrap();
    assert_eq!(completion["units"], 0);
    assert_eq!(completion["pairable"], 0);
    // explain says what happened.
    let run = run_in(dir.path(), &["explain", "1"]);
    for needle in [
        "most evaluators who answered gave the status Withdrawn (a Withdrawn, b Withdrawn, c Complete), which is not a point on the scale: no value, no score, never overdue.",
        "disagreement: the evaluators split between a status and other answers (a Withdrawn, b Withdrawn, c Complete); a status is never combined with levels.",
        "The rating is the combined level of `completion`: Withdrawn, a status, not a point on the scale",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    let run = run_in(dir.path(), &["summary"]);
    assert!(run.stdout.contains("Withdrawn (status)"), "{}", run.stdout);
}

#[test]
fn no_evidence_available_is_a_status_of_irm_refresh() {
    let csv = "\
a,1,,completion,No Evidence Available,
b,1,,completion,no evidence available,
a,2,,completion,No Evidence Available,
b,2,,completion,Limited,
c,2,,completion,Limited,
";
    let dir = folder(
        &format!(
            "\n[assessment]\nrubric = \"irm-refresh\"\nas_of = 2021-06-30\n\n[[evaluator]]\nid = \"a\"\n\n[[evaluator]]\nid = \"b\"\n\n[[evaluator]]\nid = \"c\"\n{}",
            commitments(2, 0)
        ),
        csv,
    );
    let r = results_of(dir.path());
    assert_eq!(
        (
            r.commitments[0].rating.as_deref(),
            r.commitments[0].score,
            r.commitments[0].overdue
        ),
        (Some("No Evidence Available"), None, false)
    );
    assert!(!r.commitments[0].disagreement);
    assert_eq!(r.commitments[1].rating.as_deref(), Some("Limited"));
    assert!(r.commitments[1].overdue);
    assert!(r.commitments[1].disagreement);
    assert!((r.commitments[1].score.unwrap() - 100.0 / 3.0).abs() < 1e-9);
}

/// methodology §2.7: a unit with no completion level is never overdue; it is listed as not rated.
#[test]
fn a_unit_with_no_completion_level_is_not_rated_rather_than_overdue() {
    let plan = "
[assessment]
as_of = 2021-06-30

[[evaluator]]
id = \"e\"

[[commitment]]
id = \"1\"
title = \"One\"
end = 2022-12-31

[[commitment.milestone]]
id = \"1.1\"
title = \"Unrated\"
due = 2020-06-30

[[commitment.milestone]]
id = \"1.2\"
title = \"Limited\"
due = 2020-06-30

[[commitment]]
id = \"2\"
title = \"No milestones, nothing rated\"
end = 2020-12-31
";
    let dir = folder(plan, "e,1,1.2,completion,Limited,\ne,2,,relevance,Clear,\n");
    let r = results_of(dir.path());
    let c1 = &r.commitments[0];
    assert_eq!(
        (c1.milestones[0].overdue, c1.milestones[0].not_rated),
        (false, true)
    );
    assert_eq!(
        (c1.milestones[1].overdue, c1.milestones[1].not_rated),
        (true, false)
    );
    assert!(c1.overdue);
    let c2 = &r.commitments[1];
    assert_eq!((c2.overdue, c2.not_rated), (false, true));
    assert_eq!(r.summary.overdue_commitments, ["1"]);
    assert_eq!(r.summary.overdue_milestones, ["1.2"]);
    assert_eq!(r.summary.not_rated_commitments, ["2"]);
    assert_eq!(r.summary.not_rated_milestones, ["1.1"]);
    let v = json(dir.path(), &["assess", "--format", "json", "--details"]);
    assert_eq!(v["commitments"][1]["not_rated"], true);
    assert_eq!(v["commitments"][0]["milestones"][0]["not_rated"], true);
    assert!(
        v["commitments"][0]["milestones"][1]
            .get("not_rated")
            .is_none()
    );
    let run = run_in(dir.path(), &["summary"]);
    assert!(
        run.stdout.contains(
            "Not rated (past their date with no completion level, so not counted as overdue): 2, 1.1"
        ),
        "{}",
        run.stdout
    );
    let run = run_in(dir.path(), &["assess"]);
    assert!(
        run.stdout.contains("not rated (past its end)"),
        "{}",
        run.stdout
    );
    // The CSV: each count a share of its own kind, and the mean score to 4 decimals
    // ((100 / 3 + 100) / 2).
    let run = run_in(dir.path(), &["summary", "--format", "csv"]);
    for line in [
        "\nattention,not rated commitments,1,50%\n",
        "\nattention,not rated milestones,1,50%\n",
        "\nscore,mean score,66.6667,\n",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
}

const CONSENSUS_PLAN: &str = "
[assessment]
as_of = 2021-06-30

[[evaluator]]
id = \"a\"

[[evaluator]]
id = \"b\"

[[evaluator]]
id = \"coalition\"
role = \"consensus\"

[[commitment]]
id = \"1\"
title = \"One\"
end = 2022-12-31

[[commitment.milestone]]
id = \"1.1\"
title = \"Split\"
due = 2022-06-30

[[commitment]]
id = \"2\"
title = \"Two\"
end = 2022-12-31
";

const CONSENSUS_RATINGS: &str = "\
a,1,1.1,completion,Complete,https://example.org
b,1,1.1,completion,Not started,
a,1,,participation,Informed,
b,1,,participation,Involved,
a,2,,relevance,Clear,
";

/// methodology §2.2: the coalition's agreed level replaces the combination; the individual
/// levels still give min, max, disagreement; the consensus evaluator is never missing and never
/// in agreement statistics.
#[test]
fn a_consensus_rating_is_the_units_level() {
    let dir = folder(
        CONSENSUS_PLAN,
        &format!(
            "{CONSENSUS_RATINGS}coalition,1,1.1,completion,Substantial,https://example.org/minutes\n"
        ),
    );
    let r = results_of(dir.path());
    let c1 = &r.commitments[0];
    let m = &c1.milestones[0].criteria["completion"];
    assert_eq!(
        (m.level.as_deref(), m.value, m.consensus, m.ratings),
        (Some("Substantial"), Some(2.0), true, 2)
    );
    assert_eq!(
        (m.min.as_deref(), m.max.as_deref(), m.disagreement),
        (Some("Not started"), Some("Complete"), true)
    );
    assert!(!m.by_evaluator.as_ref().unwrap().contains_key("coalition"));
    assert!(!c1.criteria["participation"].consensus);
    assert_eq!(
        c1.criteria["participation"].level.as_deref(),
        Some("Informed")
    );
    assert!(c1.missing_evaluators.is_empty());
    assert_eq!(r.commitments[1].missing_evaluators, ["b"]);
    let v = json(dir.path(), &["assess", "--format", "json"]);
    let ms = &v["commitments"][0]["milestones"][0]["criteria"]["completion"];
    assert_eq!(ms["consensus"], true);
    assert!(
        v["commitments"][0]["criteria"]["participation"]
            .get("consensus")
            .is_none()
    );
    let run = run_in(dir.path(), &["explain", "1"]);
    assert!(
        run.stdout.contains("Milestone 1.1: after discussion the coalition agreed on Substantial; the evaluators had rated a Complete, b Not started (by the median: Not started)."),
        "{}",
        run.stdout
    );
    let v = json(dir.path(), &["agreement", "--format", "json"]);
    assert_eq!(v["evaluators"], serde_json::json!(["a", "b"]));
    let run = run_in(dir.path(), &["agreement"]);
    assert!(
        run.stdout.contains(
            "Left out as the coalition's agreed ratings (role \"consensus\"): `coalition`."
        ),
        "{}",
        run.stdout
    );
}

/// `sheet --consensus`: the disagreements with the levels given, read back as a score file.
#[test]
fn the_consensus_sheet_lists_the_disagreements_and_reads_back() {
    let dir = folder(CONSENSUS_PLAN, CONSENSUS_RATINGS);
    let run = run_in(dir.path(), &["sheet", "--consensus", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "evaluator,commitment,milestone,criterion,levels_given,level,evidence,comment\n\
         coalition,1,1.1,completion,a: Complete; b: Not started,,,\n\
         coalition,1,,participation,a: Informed; b: Involved,,,\n"
    );
    let run = run_in(
        dir.path(),
        &["sheet", "--consensus", "--output", "scores/coalition.csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("wrote scores/coalition.csv for evaluator `coalition`: 2 rows where the evaluators disagree."),
        "{}",
        run.stderr
    );
    let path = dir.path().join("scores/coalition.csv");
    let filled = fs::read_to_string(&path).unwrap().replace(
        "a: Informed; b: Involved,,",
        "a: Informed; b: Involved,Consulted,",
    );
    fs::write(&path, filled).unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = results_of(dir.path());
    let p = &r.commitments[0].criteria["participation"];
    assert_eq!((p.level.as_deref(), p.consensus), (Some("Consulted"), true));
    // The blank completion row is "no rating": the median stands.
    let m = &r.commitments[0].milestones[0].criteria["completion"];
    assert_eq!(
        (m.level.as_deref(), m.consensus),
        (Some("Not started"), false)
    );
    // Without a consensus evaluator in the plan, the sheet says how to declare one.
    let plain = folder(
        &CONSENSUS_PLAN.replace("id = \"coalition\"\nrole = \"consensus\"", "id = \"c\""),
        CONSENSUS_RATINGS,
    );
    let run = run_in(plain.path(), &["sheet", "--consensus", "--output", "-"]);
    assert!(
        run.stdout.starts_with("evaluator,") && run.stdout.contains("\nconsensus,1,1.1,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("[[evaluator]]\nid = \"consensus\"\nrole = \"consensus\""),
        "{}",
        run.stderr
    );
    let run = run_in(plain.path(), &["sheet", "--consensus", "--format", "xlsx"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// methodology §2.4: scores and means stay unrounded until written (JSON 4 decimals, tables 1).
#[test]
fn numbers_are_rounded_once_when_written() {
    let dir = root().join("tests/fixtures/worked-example");
    let r = results_of(&dir);
    let score = r.commitments[0].score.unwrap();
    assert!((score - 400.0 / 7.0).abs() < 1e-9, "{score}");
    assert_ne!(score, 57.1429, "unrounded in memory");
    let v = json(&dir, &["assess", "--format", "json"]);
    assert_eq!(v["commitments"][0]["score"], 57.1429);
    assert_eq!(v["summary"]["mean_score"], 57.1429);
    assert_eq!(
        v["commitments"][0]["criteria"]["completion"]["value"],
        1.6667
    );
    let run = run_in(&dir, &["assess", "--format", "csv"]);
    assert!(
        run.stdout.contains(",Progressing,57.1429,"),
        "{}",
        run.stdout
    );
    let run = run_in(&dir, &["explain", "1"]);
    assert!(
        run.stdout
            .contains("Score = (3×55.5556 + 1×100 + 2×50 + 1×33.3333) / 7 = 57.1429."),
        "{}",
        run.stdout
    );
    // methodology §2.9 step 1: each evaluator's own roll-up, which gives the spread.
    assert!(
        run.stdout.contains("Each evaluator's own roll-up of the milestones they rated (these give the spread): a (1×3 + 2×1) / 3 = 1.6667 → Limited; b (1×2 + 2×2) / 3 = 2 → Substantial; c (1×3) / 1 = 3 → Complete."),
        "{}",
        run.stdout
    );
    // explain --format csv: one labelled row per step, nothing lost.
    let run = run_in(&dir, &["explain", "1", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        ["section", "step", "detail"]
    );
    let rows: Vec<Vec<String>> = rows
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert!(rows.iter().all(|r| r.len() == 3));
    assert!(rows.contains(&vec![
        "completion (Completion) — weight 3".to_string(),
        "text".to_string(),
        "The commitment's value is the weighted mean of the milestones' values: (1×3 + 2×1) / 3 = 1.6667 → Limited (the level at or below it).".to_string(),
    ]));
    assert!(rows.contains(&vec![
        "Score".to_string(),
        "completion".to_string(),
        "weight: 3; value: 1.6667; on 0–100: 55.5556; share of weight: 42.9%; points: 23.8095"
            .to_string(),
    ]));
}

/// explain on a commitment-scope agreed level, a status rating with other criteria rated, a
/// milestone-less commitment, and a status agreed for a milestone: every sentence true.
#[test]
fn explain_says_what_was_agreed_and_why_there_is_no_score() {
    let plan = format!(
        "\n[assessment]\nrubric = \"irm-legacy\"\nas_of = 2019-01-01\n\n[[evaluator]]\nid = \"a\"\n\n[[evaluator]]\nid = \"b\"\n\n[[evaluator]]\nid = \"k\"\nrole = \"consensus\"\n{}",
        commitments(3, 0)
    );
    let csv = "\
a,1,,specificity,High,
b,1,,specificity,High,
a,1,,completion,Withdrawn,
b,1,,completion,Withdrawn,
a,2,,completion,Complete,https://example.org
b,2,,completion,Not Started,
k,2,,completion,Substantial,
k,3,,completion,Limited,
";
    let dir = folder(&plan, csv);
    let run = run_in(dir.path(), &["explain", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "2 of 2 evaluators answered → Withdrawn, a status.",
        "Score = – (no score: `completion` is Withdrawn, a status).",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    // Specificity has a value, but no share of a score that does not exist.
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("specificity ") && !l.contains(" — "))
        .unwrap();
    // Table cells are two or more spaces apart.
    assert_eq!(
        row.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>(),
        ["specificity", "1", "3", "100.0", "–", "–"]
    );
    let run = run_in(dir.path(), &["explain", "2"]);
    for needle in [
        "2 of 2 evaluators answered; the coalition's agreed level is used → Substantial.",
        "after discussion the coalition agreed on Substantial; the evaluators had rated a Complete, b Not Started (by the median: Not Started).",
        "Score = (2×66.6667) / 2 = 66.6667.",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("combined by the median"),
        "{}",
        run.stdout
    );
    // Only the consensus evaluator answered.
    let run = run_in(dir.path(), &["explain", "3"]);
    for needle in [
        "0 of 2 evaluators answered; the coalition's agreed level is used → Limited.",
        "after discussion the coalition agreed on Limited; no evaluator had given a level.",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    // explain --format csv writes the score to 4 decimals, like every CSV.
    let run = run_in(dir.path(), &["explain", "2", "--format", "csv"]);
    assert!(
        run.stdout.contains("\ncommitment,score,66.6667\n"),
        "{}",
        run.stdout
    );

    // A rubric rating by score bands, completion per milestone with a status.
    let rubric = fs::read_to_string(root().join("rubrics/check-my-ogp.toml"))
        .unwrap()
        .replace(
            "[[criterion]]\nid = \"relevance\"",
            "[[criterion.status]]\nlabel = \"Withdrawn\"\n\n[[criterion]]\nid = \"relevance\"",
        );
    assert!(rubric.contains("label = \"Withdrawn\""));
    let plan = "
[assessment]
rubric = \"rubric.toml\"
as_of = 2021-06-30

[[evaluator]]
id = \"a\"

[[evaluator]]
id = \"b\"

[[evaluator]]
id = \"k\"
role = \"consensus\"

[[commitment]]
id = \"1\"
title = \"Agreed withdrawn\"

[[commitment.milestone]]
id = \"1.1\"
title = \"Split\"

[[commitment]]
id = \"2\"
title = \"No milestones\"

[[commitment]]
id = \"3\"
title = \"One milestone withdrawn, one unrated\"

[[commitment.milestone]]
id = \"3.1\"
title = \"Withdrawn\"

[[commitment.milestone]]
id = \"3.2\"
title = \"Unrated\"
";
    let dir = folder(
        plan,
        "a,1,1.1,completion,Complete,https://example.org\nb,1,1.1,completion,Not started,\nk,1,1.1,completion,Withdrawn,\na,2,,relevance,Clear,\na,3,3.1,completion,Withdrawn,\n",
    );
    fs::write(dir.path().join("rubric.toml"), rubric).unwrap();
    let run = run_in(dir.path(), &["explain", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "No milestone has a level; most have the status Withdrawn, so the commitment takes it.",
        "Milestone 1.1: after discussion the coalition agreed on Withdrawn; the evaluators had rated a Complete, b Not started (by the median: Not started).",
        "Score = – (no score: `completion` is Withdrawn, a status).",
        "The rating is the status of `completion`: Withdrawn, not a point on the scale;",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    // The commitment's roll-up is not what "most evaluators" said.
    assert!(
        !run.stdout.contains("most evaluators who answered"),
        "{}",
        run.stdout
    );
    let run = run_in(dir.path(), &["explain", "2"]);
    assert!(
        run.stdout.contains("The commitment has no milestones in plan.toml, so this criterion, rated per milestone, has no value."),
        "{}",
        run.stdout
    );
    // Nothing weighted with a value: no score, No evidence.
    let run = run_in(dir.path(), &["explain", "3"]);
    for needle in [
        "Score = – (no weighted criterion has a value).",
        "No weighted criterion has a value, so there is no score and the rating is No evidence.",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    // One Withdrawn milestone of two is not most of them: no level, no status.
    let r = results_of(dir.path());
    let c3 = &r.commitments[2].criteria["completion"];
    assert_eq!((c3.level.as_deref(), c3.value), (None, None));
    assert_eq!(
        r.commitments[0].criteria["completion"].level.as_deref(),
        Some("Withdrawn")
    );
    let run = run_in(dir.path(), &["explain", "3"]);
    assert!(
        run.stdout.contains("No milestone has a level, and no status is held by more than half of the 2 milestones, so the commitment has no level. Milestones with a status: 3.1 (Withdrawn)."),
        "{}",
        run.stdout
    );
}

/// methodology §2.7: evidence on a status's row backs no level; `validate` warns at the row of
/// the rating that set the level, the consensus evaluator's included; a score-like file the
/// patterns skip is named with a pattern that would read it.
#[test]
fn evidence_backs_levels_only_and_validate_says_where() {
    let plan = format!(
        "\n[assessment]\nrubric = \"irm-legacy\"\nas_of = 2019-01-01\nscores = [\"scores/*.csv\"]\n\n[[evaluator]]\nid = \"a\"\n\n[[evaluator]]\nid = \"b\"\n\n[[evaluator]]\nid = \"c\"\n\n[[evaluator]]\nid = \"k\"\nrole = \"consensus\"\n{}",
        commitments(2, 0)
    );
    let csv = "\
a,1,,completion,Withdrawn,https://example.org/withdrawn
b,1,,completion,Complete,
c,1,,completion,Complete,
a,2,,completion,Limited,
b,2,,completion,Not Started,
c,2,,completion,Limited,
k,2,,completion,Substantial,
";
    let dir = folder(&plan, csv);
    fs::write(
        dir.path().join("scores/late.tsv"),
        "evaluator\tcommitment\n",
    )
    .unwrap();
    let r = results_of(dir.path());
    assert_eq!(r.commitments[0].rating.as_deref(), Some("Complete"));
    assert!(r.commitments[0].criteria["completion"].unsupported);
    assert!(r.commitments[1].criteria["completion"].unsupported);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning: scores/late.tsv is in a scores folder, but no score pattern reads it, so its ratings are not used\n \
         --> scores/late.tsv:1\n  \
         = expected: score files matching `scores/*.csv`\n  \
         = help: add its pattern to `scores` in [assessment] of plan.toml (e.g. \"scores/*.tsv\"), or move the file out of the folder\n\n\
         warning: commitment 1: `completion` is Complete, which needs evidence, but no evaluator who gave Substantial or above cited any (`b`, `c`)\n \
         --> scores/ratings.csv:3\n  \
         = also without evidence: scores/ratings.csv:4\n  \
         = help: put a link or a document in the `evidence` column of the rating, or lower the rating\n\n\
         warning: commitment 2: `completion` is Substantial, which needs evidence, but no evaluator who gave Substantial or above cited any (`k`)\n \
         --> scores/ratings.csv:8\n  \
         = help: put a link or a document in the `evidence` column of the rating, or lower the rating\n\n\
         ok: the assessment in this folder is valid, with 3 warnings\n  \
         plan     Testland — Methodology test (2 commitments, 0 milestones)\n  \
         rubric   irm-legacy (built-in): 8 criteria, 5 flags\n  \
         scores   1 file, 4 evaluators, 7 ratings (0 \"no rating\")\n"
    );
}

/// compare: the same status on both sides is no change; a status against a level has no
/// direction on the scale.
#[test]
fn compare_treats_the_same_status_as_the_same() {
    let plan = format!(
        "\n[assessment]\nrubric = \"irm-legacy\"\nas_of = 2019-01-01\n\n[[evaluator]]\nid = \"a\"\n{}",
        commitments(2, 0)
    );
    let a = folder(
        &plan,
        "a,1,,completion,Withdrawn,\na,2,,completion,Limited,\n",
    );
    let b = folder(
        &plan,
        "a,1,,completion,withdrawn,\na,2,,completion,Withdrawn,\n",
    );
    let run = run_in(
        a.path(),
        &[
            "compare",
            ".",
            b.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["same"], 1);
    assert_eq!(v["summary"]["unknown"], 1);
    assert_eq!(v["commitments"][0]["direction"], "same");
    assert_eq!(v["commitments"][1]["direction"], Value::Null);
}

/// `sheet --consensus` written again keeps what was agreed: the level, evidence and comment,
/// and units agreed on which the evaluators do not (or no longer) disagree.
#[test]
fn the_consensus_sheet_written_again_keeps_every_decision() {
    let dir = folder(CONSENSUS_PLAN, CONSENSUS_RATINGS);
    fs::write(
        dir.path().join("scores/coalition.csv"),
        "evaluator,commitment,milestone,criterion,level,evidence,comment\n\
         coalition,1,1.1,completion,Substantial,https://example.org/minutes,\"Minutes, item 3\"\n\
         coalition,2,,relevance,Clear,,Agreed quickly\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["sheet", "--consensus", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "evaluator,commitment,milestone,criterion,levels_given,level,evidence,comment\n\
         coalition,1,1.1,completion,a: Complete; b: Not started,Substantial,https://example.org/minutes,\"Minutes, item 3\"\n\
         coalition,1,,participation,a: Informed; b: Involved,,,\n\
         coalition,2,,relevance,a: Clear,Clear,,Agreed quickly\n"
    );
    let run = run_in(
        dir.path(),
        &["sheet", "--consensus", "--output", "again.csv"],
    );
    assert!(
        run.stderr.contains(
            "wrote again.csv for evaluator `coalition`: 2 rows where the evaluators disagree, and 1 more the coalition already agreed on."
        ),
        "{}",
        run.stderr
    );
}

/// formats §3: with several consensus evaluators on one unit, the one declared first in
/// plan.toml sets it, whatever the order of the score files.
#[test]
fn the_first_declared_consensus_evaluator_sets_the_unit() {
    let plan = "
[assessment]
as_of = 2020-01-01

[[evaluator]]
id = \"k2\"
role = \"consensus\"

[[evaluator]]
id = \"a\"

[[evaluator]]
id = \"k1\"
role = \"consensus\"

[[commitment]]
id = \"1\"
title = \"One\"
";
    let dir = folder(plan, "a,1,,relevance,Clear,\nk1,1,,relevance,Unclear,\n");
    fs::write(
        dir.path().join("scores/z.csv"),
        "evaluator,commitment,criterion,level\nk2,1,relevance,Not relevant\n",
    )
    .unwrap();
    let r = results_of(dir.path());
    let rel = &r.commitments[0].criteria["relevance"];
    assert_eq!(
        (rel.level.as_deref(), rel.consensus, rel.ratings),
        (Some("Not relevant"), true, 1)
    );
}

/// `sheet --consensus` with a rubric that reads a blank level as a mistake says to delete the
/// rows without agreement, instead of leaving them blank.
#[test]
fn the_consensus_sheet_says_what_to_do_with_rows_without_agreement() {
    let dir = folder(
        &CONSENSUS_PLAN.replace("[assessment]\n", "[assessment]\nrubric = \"rubric.toml\"\n"),
        CONSENSUS_RATINGS,
    );
    let rubric = fs::read_to_string(root().join("rubrics/check-my-ogp.toml"))
        .unwrap()
        .replace("no_rating = [\"\", ", "no_rating = [");
    fs::write(dir.path().join("rubric.toml"), rubric).unwrap();
    let run = run_in(dir.path(), &["sheet", "--consensus", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("At the meeting, write the agreed level in the `level` column (delete the rows where there is no agreement: this rubric reads a blank level as a mistake), put the file in scores/"),
        "{}",
        run.stderr
    );
    let run = run_in(
        folder(CONSENSUS_PLAN, CONSENSUS_RATINGS).path(),
        &["sheet", "--consensus", "--output", "-"],
    );
    assert!(
        run.stderr
            .contains("(leave it blank where there is no agreement)"),
        "{}",
        run.stderr
    );
}

/// methodology §2.4–2.5: with score bands, a commitment whose completion is a status is rated
/// with that status and has no score, whatever its other criteria; summary counts it.
#[test]
fn with_score_bands_a_completion_status_is_the_rating() {
    let rubric = fs::read_to_string(root().join("rubrics/check-my-ogp.toml"))
        .unwrap()
        .replace(
            "[[criterion]]\nid = \"relevance\"",
            "[[criterion.status]]\nlabel = \"Withdrawn\"\n\n[[criterion]]\nid = \"relevance\"",
        );
    let plan = format!(
        "\n[assessment]\nrubric = \"rubric.toml\"\nas_of = 2021-06-30\n{}",
        commitments(2, 1)
    );
    let csv = "\
a,1,1.1,completion,Withdrawn,
a,1,,participation,Collaborated,
a,1,,results,Outstanding,
a,2,1.1,completion,Limited,
a,2,,participation,Collaborated,
"
    .replace("a,2,1.1", "a,2,2.1");
    let dir = folder(&plan, &csv);
    fs::write(dir.path().join("rubric.toml"), rubric).unwrap();
    let r = results_of(dir.path());
    let c1 = &r.commitments[0];
    assert_eq!(
        (c1.rating.as_deref(), c1.rating_rank, c1.score, c1.overdue),
        (Some("Withdrawn"), None, None, false)
    );
    assert_eq!(r.commitments[1].rating.as_deref(), Some("Progressing"));
    assert_eq!(r.summary.by_rating["Withdrawn"], 1);
    // The mean score is that of the commitment with a score only: (3×33.3333 + 2×100) / 5.
    assert!((r.summary.mean_score.unwrap() - 60.0).abs() < 1e-9);
    let v = json(dir.path(), &["assess", "--format", "json"]);
    assert_eq!(v["commitments"][0]["rating"], "Withdrawn");
    assert_eq!(v["commitments"][0]["score"], Value::Null);
    let run = run_in(dir.path(), &["explain", "1"]);
    assert!(
        run.stdout.contains("The rating is the status of `completion`: Withdrawn, not a point on the scale; so the commitment has no score"),
        "{}",
        run.stdout
    );
    let run = run_in(dir.path(), &["summary"]);
    assert!(run.stdout.contains("Withdrawn (status)"), "{}", run.stdout);
}
