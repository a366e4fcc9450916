//! The assessment engine: the worked example of docs/methodology.md §2.9 number by number, the
//! samples' results (worked out by hand where the comments say so), the four output formats,
//! and properties that must hold for any input.

use std::fs;
use std::path::Path;

use checkmyogp::assess;
use checkmyogp::diag::Report;
use checkmyogp::load::{self, Selection};
use checkmyogp::results::{self, Results};
use proptest::prelude::*;

use crate::util::{root, run_in, sample};

fn results_of(dir: &Path, rubric: Option<&str>) -> Results {
    let sel = Selection {
        dir: dir.to_path_buf(),
        rubric: rubric.map(String::from),
        ..Selection::default()
    };
    let mut report = Report::new();
    let inputs = load::load(&sel, &mut report).expect("loads");
    assert!(!report.has_errors(), "{}", report.render());
    let as_of = inputs.plan.settings.as_of.expect("the fixtures set as_of");
    let a = assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    results::build(&inputs, &a, results::Detail::Evaluators)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-4)
}

#[test]
fn the_worked_example_of_the_methodology() {
    let r = results_of(&root().join("tests/fixtures/worked-example"), None);
    let c = &r.commitments[0];
    let m = &c.milestones;
    assert_eq!(
        m[0].criteria["completion"].level.as_deref(),
        Some("Complete")
    );
    assert_eq!(
        m[1].criteria["completion"].level.as_deref(),
        Some("Limited")
    );
    assert_eq!(m[1].criteria["completion"].no_rating, 1);
    let completion = &c.criteria["completion"];
    assert!(close(completion.value, 5.0 / 3.0), "{completion:?}");
    assert_eq!(completion.level.as_deref(), Some("Limited"));
    assert_eq!(
        (completion.min.as_deref(), completion.max.as_deref()),
        (Some("Limited"), Some("Complete"))
    );
    assert!(completion.disagreement);
    // Each evaluator's own roll-up (step 1): a Limited, b Substantial, c Complete.
    let own: Vec<(&str, Option<&str>)> = completion
        .by_evaluator
        .as_ref()
        .unwrap()
        .iter()
        .map(|(e, l)| (e.as_str(), l.as_deref()))
        .collect();
    assert_eq!(
        own,
        [
            ("a", Some("Limited")),
            ("b", Some("Substantial")),
            ("c", Some("Complete"))
        ]
    );
    assert_eq!(c.criteria["relevance"].level.as_deref(), Some("Clear"));
    assert_eq!(
        c.criteria["participation"].level.as_deref(),
        Some("Consulted")
    );
    assert_eq!(c.criteria["participation"].spread, Some(2));
    assert!(c.criteria["participation"].disagreement);
    assert_eq!(
        c.criteria["published-evidence"].level.as_deref(),
        Some("Weak")
    );
    assert_eq!(c.criteria["results"].level, None);
    assert_eq!(c.criteria["results"].ratings, 0);
    assert!(close(c.score, 400.0 / 7.0), "{:?}", c.score);
    assert_eq!(c.rating.as_deref(), Some("Progressing"));
    assert!(c.flags.is_empty());
    let binding: Vec<(&str, &str)> = c
        .binding
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        binding,
        [
            ("high-completion", "Cmpl"),
            ("participatory", "Part"),
            ("strong-results", "Res"),
            ("model", "Cmpl")
        ]
    );
    assert_eq!(
        (m[0].overdue, m[1].overdue, c.overdue, c.overdue_milestones),
        (false, true, true, 1)
    );
    assert!(!c.unsupported);
    assert!(c.disagreement);
    assert_eq!(c.evaluators, 3);
    assert!(c.missing_evaluators.is_empty());
}

/// (id, rating, score to one decimal, flags, overdue milestones, disagreement, unsupported)
type Expected = (
    &'static str,
    &'static str,
    f64,
    &'static [&'static str],
    usize,
    bool,
    bool,
);

fn check(r: &Results, expected: &[Expected]) {
    assert_eq!(r.commitments.len(), expected.len());
    for (c, e) in r.commitments.iter().zip(expected) {
        let got = (
            c.id.as_str(),
            c.rating.as_deref().unwrap_or("No evidence"),
            (c.score.unwrap_or(-1.0) * 10.0).round() / 10.0,
            c.flags.iter().map(String::as_str).collect::<Vec<_>>(),
            c.overdue_milestones,
            c.disagreement,
            c.unsupported,
        );
        assert_eq!(
            got,
            (e.0, e.1, e.2, e.3.to_vec(), e.4, e.5, e.6),
            "commitment {}",
            e.0
        );
    }
}

#[test]
fn the_mongolia_sample() {
    let r = results_of(&root().join("samples/mongolia-2016-2018"), None);
    // Commitment 1 by hand: milestone completion medians 1.1 Substantial (Complete, Limited,
    // Substantial), 1.2 and 1.3 Complete, 1.4 Substantial (weight 0.5): roll-up
    // (2 + 3 + 3 + 0.5 × 2) / 3.5 = 2.571 → Substantial, 85.71 on 0–100. Relevance Clear 100,
    // participation median Involved 75, published evidence Adequate 66.67, results Major 66.67:
    // (3 × 85.71 + 100 + 2 × 75 + 66.67 + 2 × 66.67) / 9 = 78.57 → On track. Milestone 1.1 was
    // due 2016-12-31 and is not Complete: overdue. 1.1 (Limited–Complete) and participation
    // (Consulted–Collaborated) spread 2 levels: disagreement.
    //
    // Commitment 3 by hand: 3.1 Complete, 3.2 Substantial (weight 2), 3.3 Substantial, so
    // (3 + 4 + 2) / 4 = 2.25 → Substantial, 75; relevance 100, participation Informed 25,
    // published evidence Adequate 66.67, results Marginal 33.33:
    // (225 + 100 + 50 + 66.67 + 66.67) / 9 = 56.48 → Progressing. Milestone 3.3 is Substantial
    // but neither evaluator who said so cited evidence: unsupported.
    check(
        &r,
        &[
            (
                "1",
                "On track",
                78.6,
                &[
                    "high-completion",
                    "participatory",
                    "strong-results",
                    "model",
                ],
                1,
                true,
                false,
            ),
            (
                "2",
                "Progressing",
                63.0,
                &["high-completion"],
                1,
                false,
                false,
            ),
            (
                "3",
                "Progressing",
                56.5,
                &["high-completion"],
                1,
                false,
                true,
            ),
            ("4", "Behind", 28.7, &[], 3, false, false),
            ("5", "Off track", 24.1, &[], 2, false, false),
            (
                "6",
                "Progressing",
                59.3,
                &["high-completion"],
                1,
                false,
                false,
            ),
            ("7", "Behind", 37.0, &[], 0, true, false),
        ],
    );
    // Commitments 4 and 5 by hand: milestones Substantial, Limited, Not started, Not started
    // (4) average 0.75, below Limited, but Not started is only for a commitment whose every
    // milestone has not started (roll_up = "strict-ends"): both read Limited.
    let completion = |i: usize| r.commitments[i].criteria["completion"].level.as_deref();
    assert_eq!(
        (completion(3), completion(4)),
        (Some("Limited"), Some("Limited"))
    );
    assert!(close(r.commitments[3].criteria["completion"].value, 0.75));
    assert_eq!(r.commitments[5].missing_evaluators, ["wsp"]);
    assert_eq!(r.commitments[2].unsupported_criteria, ["completion"]);
    let s = &r.summary;
    let by_rating: Vec<(&str, usize)> = s.by_rating.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        by_rating,
        [
            ("Off track", 1),
            ("Behind", 2),
            ("Progressing", 3),
            ("On track", 1)
        ]
    );
    assert_eq!(s.high_completion.as_ref().map(|h| h.count), Some(4));
    assert_eq!(s.stars.get("model"), Some(&1));
    assert_eq!(s.unsupported, ["3"]);
    assert_eq!(s.disagreements, ["1", "7"]);
    assert_eq!(s.overdue_milestones.len(), 9);
}

#[test]
fn the_irm_legacy_sample_with_its_reference() {
    let r = results_of(&root().join("samples/mongolia-irm-legacy"), None);
    let starred: Vec<&str> = r
        .commitments
        .iter()
        .filter(|c| c.flags.iter().any(|f| f == "starred"))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(starred, ["2", "6"]);
    // Commitment 1: potential impact Moderate, so only the 2014 rule stars it; the 2015 rule's
    // binding constraint is potential impact.
    assert_eq!(r.commitments[0].binding["starred"], "PotImp");
    assert!(r.commitments[0].flags.iter().any(|f| f == "starred-2014"));
    // Commitment 7 is relevant only through technology: the binding constraint is relevance.
    assert_eq!(r.commitments[6].binding["starred"], "Rel");
    let differs: Vec<&str> = r
        .commitments
        .iter()
        .filter(|c| c.reference["irm"].differs)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(differs, ["1", "3", "6"]);
    assert_eq!(r.commitments[0].rating.as_deref(), Some("Complete"));
    assert_eq!(
        r.commitments[0].reference["irm"].rating.as_deref(),
        Some("Limited")
    );
    assert_eq!(r.summary.differs_from_reference, ["1", "3", "6"]);
    let q = r.summary.quadrant.as_ref().unwrap();
    assert_eq!(
        (q.both, q.rows_only, q.columns_only, q.neither),
        (3, 1, 1, 2)
    );
    // The reference evaluator is never combined.
    assert!(r.evaluators.iter().any(|e| e.id == "irm" && e.reference));
    assert!(r.commitments.iter().all(|c| {
        !c.criteria["completion"]
            .by_evaluator
            .as_ref()
            .is_some_and(|m| m.contains_key("irm"))
    }));
}

#[test]
fn assess_prints_all_four_formats() {
    let dir = sample("mongolia-2016-2018");
    let table = run_in(dir.path(), &["assess"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .starts_with("Mongolia — Second National Action Plan")
    );
    assert!(table.stdout.contains("as of: 2018-06-30"));
    assert!(table.stdout.contains("★ Model commitment"));
    let json = run_in(dir.path(), &["assess", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["commitments"][0]["rating"], "On track");
    assert_eq!(v["summary"]["by_rating"]["Progressing"], 3);
    let csv = run_in(dir.path(), &["assess", "--format", "csv"]);
    let first = csv.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "id,ogp_id,title,lead,rating,score,completion,relevance,participation,published-evidence,results,flags,overdue,overdue_milestones,disagreement,unsupported,missing_evaluators"
    );
    assert_eq!(csv.stdout.lines().count(), 8);
    let md = run_in(dir.path(), &["assess", "--format", "markdown"]);
    assert!(md.stdout.contains("\n| id | commitment | rating | score | completion | participation | results | flags | needs attention |\n|---|---|---|---:|---|---|---|---|---|\n| 1 | Mobile application"));
}

#[test]
fn sorting_and_as_of() {
    let dir = sample("mongolia-2016-2018");
    let ids = |args: &[&str]| -> Vec<String> {
        let run = run_in(dir.path(), args);
        run.stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&["assess", "--format", "csv", "--sort", "score"]),
        ["1", "2", "6", "3", "7", "4", "5"]
    );
    assert_eq!(
        ids(&["assess", "--format", "csv", "--sort", "rating"])[0],
        "1"
    );
    // On the plan's first day nothing is overdue yet.
    let run = run_in(
        dir.path(),
        &["summary", "--format", "json", "--as-of", "2016-07-01"],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["overdue_commitments"], serde_json::json!([]));
    let bad = run_in(dir.path(), &["assess", "--as-of", "30/06/2018"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("is not a date; write it year-month-day"),
        "{}",
        bad.stderr
    );
}

#[test]
fn output_files_are_written_atomically_and_never_over_edits() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(
        dir.path(),
        &["assess", "--format", "json", "--output", "results.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let written = fs::read_to_string(dir.path().join("results.json")).unwrap();
    assert!(written.starts_with("{\n  \"schema_version\": 1,"));
    // The tool may replace its own untouched output...
    assert_eq!(
        run_in(
            dir.path(),
            &["assess", "--format", "json", "--output", "results.json"]
        )
        .code,
        0
    );
    // ...but not a file a person changed.
    fs::write(dir.path().join("results.json"), "my notes").unwrap();
    let run = run_in(
        dir.path(),
        &["assess", "--format", "csv", "--output", "results.json"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("add --force to replace it"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("results.json")).unwrap(),
        "my notes"
    );
    assert_eq!(
        run_in(
            dir.path(),
            &["assess", "--output", "results.json", "--force"]
        )
        .code,
        0
    );
    // `-` is the screen.
    let run = run_in(dir.path(), &["assess", "--format", "csv", "--output", "-"]);
    assert!(run.stdout.starts_with("id,ogp_id,"));
}

#[test]
fn explain_shows_the_reasoning_and_suggests_ids() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(dir.path(), &["explain", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "Commitment 3: Open government data portal",
        "The commitment's value is the weighted mean of the milestones' values: (1×3 + 2×2 + 1×2) / 4 = 2.25 → Substantial (the level at or below it).",
        "Score = (3×75 + 1×100 + 2×25 + 1×66.6667 + 2×33.3333) / 9 = 56.4815.",
        "falls in Progressing [50, 75)",
        "unsupported: no evidence cited",
        "✗ participation at least Involved (fails first)",
        "Participatory: no — civil-society participation is Informed, below Involved.",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stdout
        );
    }
    // The folder may be given first, and an OGP id works too.
    let run = run_in(
        &root(),
        &[
            "explain",
            "samples/mongolia-2016-2018",
            "MN0025",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["commitment"]["ogp_id"], "MN0025");
    let run = run_in(dir.path(), &["explain", "11"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "(1 warning; `checkmyogp validate` shows them)\nerror: the plan has no commitment \"11\"\n  expected: `1`, `2`, `3`, `4`, `5`, `6` or `7`\n"
    );
    let run = run_in(dir.path(), &["explain", "mn0025"]);
    assert_eq!(run.code, 2);
}

#[test]
fn csv_output_neutralises_formulas_in_user_text() {
    let dir = sample("mongolia-2016-2018");
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let plan = plan.replacen(
        "title = \"Open government data portal\"",
        "title = \"=HYPERLINK(\\\"http://x\\\")\"",
        1,
    );
    fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let run = run_in(dir.path(), &["assess", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("\n3,,\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{}",
        run.stdout
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(crate::util::bin())
        .args(["assess", "samples/mongolia-2016-2018", "--format", "json"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close our end, as `| head -c1` would.
    let mut out = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    out.read_exact(&mut one).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "exit {status:?}: {err}");
    assert!(!err.contains("panicked"));
}

// ── Properties ─────────────────────────────────────────────────────────────────────────────

const PLAN: &str = r#"[plan]
country = "Propertyland"
title = "Property plan"
[assessment]
as_of = 2021-01-01
[[evaluator]]
id = "e0"
[[evaluator]]
id = "e1"
[[evaluator]]
id = "e2"
[[evaluator]]
id = "e3"
[[commitment]]
id = "1"
title = "One"
end = 2020-12-31
[[commitment.milestone]]
id = "1.1"
title = "m"
due = 2020-06-30
[[commitment.milestone]]
id = "1.2"
title = "m"
weight = 2.5
[[commitment]]
id = "2"
title = "Two"
[[commitment.milestone]]
id = "2.1"
title = "m"
[[commitment]]
id = "3"
title = "Three"
[[commitment.milestone]]
id = "3.1"
title = "m"
due = 2020-01-01
"#;

const CRITERIA: [(&str, &[&str]); 5] = [
    (
        "completion",
        &["Not started", "Limited", "Substantial", "Complete"],
    ),
    ("relevance", &["Not relevant", "Unclear", "Clear"]),
    (
        "participation",
        &["None", "Informed", "Consulted", "Involved", "Collaborated"],
    ),
    (
        "published-evidence",
        &["None", "Weak", "Adequate", "Strong"],
    ),
    (
        "results",
        &["No change", "Marginal", "Major", "Outstanding"],
    ),
];

/// Every possible (evaluator, commitment, milestone, criterion) rating slot of PLAN.
fn slots() -> Vec<(usize, &'static str, &'static str, usize)> {
    let units = [
        ("1", "1.1"),
        ("1", "1.2"),
        ("2", "2.1"),
        ("3", "3.1"),
        ("1", ""),
        ("2", ""),
        ("3", ""),
    ];
    let mut out = Vec::new();
    for e in 0..4 {
        for (c, m) in units {
            for k in 0..CRITERIA.len() {
                // completion per milestone, the rest per commitment
                if (k == 0) != m.is_empty() {
                    out.push((e, c, m, k));
                }
            }
        }
    }
    out
}

fn row(slot: (usize, &str, &str, usize), level: Option<usize>, evidence: bool) -> String {
    let (e, c, m, k) = slot;
    let (crit, levels) = CRITERIA[k];
    let level = level.map_or("n/a", |l| levels[l % levels.len()]);
    let evidence = if evidence {
        "https://example.org/e"
    } else {
        ""
    };
    format!("e{e},{c},{m},{crit},{level},{evidence}\n")
}

const HEADER: &str = "evaluator,commitment,milestone,criterion,level,evidence\n";

fn write_assessment(dir: &Path, files: &[String], rubric: Option<&str>) -> Results {
    fs::write(dir.join("plan.toml"), PLAN).unwrap();
    let scores = dir.join("scores");
    let _ = fs::remove_dir_all(&scores);
    fs::create_dir_all(&scores).unwrap();
    for (i, body) in files.iter().enumerate() {
        fs::write(
            scores.join(format!("part{i}.csv")),
            format!("{HEADER}{body}"),
        )
        .unwrap();
    }
    let rubric_path = rubric.map(|text| {
        fs::write(dir.join("rubric.toml"), text).unwrap();
        dir.join("rubric.toml").to_string_lossy().into_owned()
    });
    let mut r = results_of(dir, rubric_path.as_deref());
    // Notes are listed in file order; the property is about results, not that order.
    for c in &mut r.commitments {
        c.notes.as_mut().unwrap().sort_by(|a, b| {
            (&a.evaluator, &a.milestone, &a.criterion).cmp(&(
                &b.evaluator,
                &b.milestone,
                &b.criterion,
            ))
        });
    }
    r
}

/// Random ratings: for each slot, absent, "no rating", or a level (with or without evidence).
fn ratings() -> impl Strategy<Value = Vec<(usize, Option<usize>, bool)>> {
    let n = slots().len();
    prop::collection::vec(
        (
            0usize..n,
            prop::option::weighted(0.85, 0usize..5),
            any::<bool>(),
        ),
        1..60,
    )
    .prop_map(|mut v| {
        v.sort_by_key(|x| x.0);
        v.dedup_by_key(|x| x.0);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn row_order_and_file_split_never_change_a_result(r in ratings(), seed in any::<u64>(), split in 1usize..4) {
        let s = slots();
        let rows: Vec<String> = r.iter().map(|&(i, l, ev)| row(s[i], l, ev)).collect();
        let dir = tempfile::tempdir().unwrap();
        let base = write_assessment(dir.path(), &[rows.concat()], None);
        // Shuffle deterministically and deal the rows into `split` files.
        let mut shuffled = rows.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut files = vec![String::new(); split];
        for (i, line) in shuffled.iter().enumerate() {
            files[i % split].push_str(line);
        }
        let other = write_assessment(dir.path(), &files, None);
        prop_assert_eq!(&base.commitments, &other.commitments);
        prop_assert_eq!(&base.summary, &other.summary);
    }

    #[test]
    fn a_no_rating_row_changes_nothing_but_its_count(r in ratings(), extra in 0usize..140) {
        let s = slots();
        let used: Vec<usize> = r.iter().map(|x| x.0).collect();
        let free = (0..s.len()).find(|i| !used.contains(&((i + extra) % s.len()))).map(|i| (i + extra) % s.len());
        let rows: String = r.iter().map(|&(i, l, ev)| row(s[i], l, ev)).collect();
        let dir = tempfile::tempdir().unwrap();
        let base = write_assessment(dir.path(), std::slice::from_ref(&rows), None);
        if let Some(slot) = free {
            let more = write_assessment(dir.path(), &[format!("{rows}{}", row(s[slot], None, false))], None);
            for (a, b) in base.commitments.iter().zip(&more.commitments) {
                prop_assert_eq!(&a.rating, &b.rating);
                prop_assert_eq!(a.score, b.score);
                prop_assert_eq!(&a.flags, &b.flags);
                prop_assert_eq!(a.overdue, b.overdue);
                prop_assert_eq!(a.disagreement, b.disagreement);
                prop_assert_eq!(&a.unsupported_criteria, &b.unsupported_criteria);
                for (k, ca) in &a.criteria {
                    let cb = &b.criteria[k];
                    prop_assert_eq!((&ca.level, ca.value, ca.ratings, &ca.min, &ca.max), (&cb.level, cb.value, cb.ratings, &cb.min, &cb.max));
                }
            }
        }
    }

    #[test]
    fn scaling_every_weight_changes_nothing(r in ratings(), factor in prop::sample::select(vec![0.5, 2.0, 3.0, 10.0, 0.1])) {
        let s = slots();
        let rows: String = r.iter().map(|&(i, l, ev)| row(s[i], l, ev)).collect();
        let original = fs::read_to_string(root().join("rubrics/check-my-ogp.toml")).unwrap();
        let scaled: String = original
            .lines()
            .map(|l| match l.strip_prefix("weight = ") {
                Some(w) => format!("weight = {}\n", w.trim().parse::<f64>().unwrap() * factor),
                None => format!("{l}\n"),
            })
            .collect();
        prop_assert_ne!(&original, &scaled);
        let dir = tempfile::tempdir().unwrap();
        let base = write_assessment(dir.path(), std::slice::from_ref(&rows), Some(&original));
        let other = write_assessment(dir.path(), &[rows], Some(&scaled));
        for (a, b) in base.commitments.iter().zip(&other.commitments) {
            prop_assert_eq!(&a.rating, &b.rating);
            match (a.score, b.score) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-3, "{} vs {}", x, y),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
    }
}
