//! `draft`: the comment on the IRM's report. The samples' drafts are compared in full with
//! committed snapshots (`SNAPSHOTS=overwrite cargo test` rewrites them after a deliberate
//! change; review the diff), the IRM differences are called out, files a person edited are
//! never overwritten, template errors are located, `--split` names are safe, Cyrillic text
//! passes through byte for byte, and `--docx` says what to do without pandoc.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{bin, copy_tree, root, run_in, sample, snapshot_tree};

/// Compares `actual` with the snapshot file, or rewrites it with `SNAPSHOTS=overwrite`.
fn check_snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
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

/// A small valid assessment (no warnings) in a temporary folder.
fn tiny() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/corpus/_base"), dir.path());
    dir
}

/// Runs the binary with an environment variable set, returning (code, stdout bytes, stderr).
fn run_env(dir: &Path, args: &[&str], key: &str, value: &str) -> (i32, Vec<u8>, String) {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env(key, value)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_samples_drafts_match_their_snapshots() {
    for (sample_name, snapshot) in [
        ("mongolia-2016-2018", "draft-mongolia-2016-2018.md"),
        ("mongolia-irm-legacy", "draft-mongolia-irm-legacy.md"),
    ] {
        let dir = format!("samples/{sample_name}");
        let run = run_in(&root(), &["draft", &dir, "--output", "-"]);
        assert_eq!(run.code, 0, "{sample_name}: {}", run.stderr);
        check_snapshot(snapshot, &run.stdout);
    }
}

#[test]
fn the_draft_has_every_part_of_the_comment() {
    let run = run_in(
        &root(),
        &["draft", "samples/mongolia-2016-2018", "--output", "-"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    let order = [
        "# Mongolia: civil-society comment on the IRM report",
        "## General overview",
        "### Who assessed the plan",
        "**Democracy Education Center (DEMO)**: Monitoring team, Democracy Education Center",
        "### Method",
        "Krippendorff's alpha",
        "| Completion | 0.828 | reliable | 22 of 22 milestones |",
        "### Headline figures",
        "## Commitment 1: Mobile application",
        "### Context and Objectives",
        "### Completion",
        "- **1.1** Agree the design of the application and the data link with the 11-11 Center (due 31 December 2016): **Substantial**, overdue.",
        "  The evaluators disagree: Democracy Education Center (DEMO) Complete, Women for Social Progress (WSP) Substantial, Transparency Network Mongolia (fictional) Limited.",
        "### Results",
        "### Next Steps",
        "- Connect the application to the Government Public Relations Center (former 11-11 Center) server so that it works nationwide. (*Democracy Education Center (DEMO)*)",
        "## Commitment 7: Public e-service kiosks",
        "## All commitments",
        "*This is a civil-society assessment, not an official rating of OGP's Independent Reporting Mechanism (IRM).*",
    ];
    let mut at = 0;
    for part in order {
        let found = d[at..]
            .find(part)
            .unwrap_or_else(|| panic!("missing or out of order: {part:?}\n{d}"));
        at += found + part.len();
    }
    // By default the draft goes to draft.md in the assessment folder, the same text.
    let dir = sample("mongolia-2016-2018");
    let written = run_in(dir.path(), &["draft"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("draft.md")).unwrap(), *d);
    assert!(
        written.stderr.contains("wrote draft.md (7 commitments).\n"),
        "{}",
        written.stderr
    );
}

#[test]
fn differences_from_the_irm_are_said_plainly_and_listed_first() {
    let run = run_in(
        &root(),
        &["draft", "samples/mongolia-irm-legacy", "--output", "-"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    let overview = "### Where we differ from the IRM\n\n\
        The coalition's evaluators rate 3 of the 7 commitments differently from the IRM:\n\n\
        - **Commitment 1**, Mobile application for the Government 11-11 Center to receive citizen feedback and requests: Evaluators rate it Complete; the IRM rated it Limited.\n\
        - **Commitment 3**, Open government data portal: Evaluators rate it Limited; the IRM rated it Substantial.\n\
        - **Commitment 6**, Beneficial ownership transparency in the extractive industries: Evaluators rate it Substantial; the IRM rated it Limited.\n";
    let at = d.find(overview).unwrap_or_else(|| panic!("{d}"));
    // First in the overview, before who assessed and how.
    assert_eq!(
        d.find("## General overview\n\n### Where we differ"),
        Some(at - "## General overview\n\n".len())
    );
    assert!(at < d.find("### Who assessed the plan").unwrap());
    // Each differing commitment says so in its own section.
    for (id, sentence) in [
        (
            "1",
            "**Evaluators rate it Complete; the IRM rated it Limited.**",
        ),
        (
            "3",
            "**Evaluators rate it Limited; the IRM rated it Substantial.**",
        ),
        (
            "6",
            "**Evaluators rate it Substantial; the IRM rated it Limited.**",
        ),
        ("2", "The IRM rated it Substantial too."),
        ("4", "The IRM rated it Limited too."),
    ] {
        let start = d.find(&format!("## Commitment {id}:")).unwrap();
        let end = d[start + 3..]
            .find("## Commitment ")
            .map_or(d.len(), |e| start + 3 + e);
        assert!(
            d[start..end].contains(sentence),
            "commitment {id}: {sentence}\n{}",
            &d[start..end]
        );
    }
}

#[test]
fn an_irm_score_file_is_set_beside_the_coalition() {
    let dir = sample("mongolia-2016-2018");
    fs::write(
        dir.path().join("irm.csv"),
        "evaluator,commitment,milestone,criterion,level,evidence,comment\n\
         irm,1,1.1,completion,Limited,,\n\
         irm,1,1.2,completion,Complete,,\n\
         irm,1,1.3,completion,Complete,,\n\
         irm,1,1.4,completion,Limited,,\n\
         irm,1,,results,Marginal,,The application works in Ulaanbaatar only.\n\
         irm,2,2.1,completion,Complete,,\n\
         irm,2,2.2,completion,Substantial,,\n\
         irm,2,2.3,completion,Limited,,\n\
         irm,2,,results,Marginal,,\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["draft", "--irm", "irm.csv", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    assert!(
        d.contains(
            "### Where we differ from the IRM\n\n\
             The coalition's evaluators rate 1 of the 7 commitments differently from the IRM:\n\n\
             - **Commitment 1**, Mobile application for the Government 11-11 Center to receive citizen feedback and requests: Evaluators rate it On track; the IRM rated it Progressing.\n"
        ),
        "{d}"
    );
    assert!(
        d.contains("**Evaluators rate it On track; the IRM rated it Progressing.**"),
        "{d}"
    );
    assert!(d.contains("The IRM rated it Progressing too."), "{d}");
    assert!(
        d.contains("> **The IRM** (on early results): The application works in Ulaanbaatar only."),
        "{d}"
    );
    // The IRM is never combined: the coalition's ratings are the same as without it.
    let plain = run_in(dir.path(), &["draft", "--output", "-"]);
    let table = |text: &str| {
        text[text.find("## All commitments").unwrap()..]
            .lines()
            .nth(4)
            .unwrap()
            .to_string()
    };
    assert_eq!(
        table(d),
        "| 1. Mobile application for the Government 11-11 Center to receive citizen feedback and requests | On track ★ | 78.6 | Substantial | Major | Progressing (differs) | yes |"
    );
    assert!(table(&plain.stdout).starts_with("| 1. Mobile application for the Government 11-11 Center to receive citizen feedback and requests | On track ★ | 78.6 | Substantial | Major | yes |"));

    // The same file inside scores/ is read once, and still only set beside.
    fs::rename(
        dir.path().join("irm.csv"),
        dir.path().join("scores/irm.csv"),
    )
    .unwrap();
    let again = run_in(
        dir.path(),
        &["draft", "--irm", "scores/irm.csv", "--output", "-"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, *d);

    // A coalition evaluator cannot also be the reference.
    fs::write(
        dir.path().join("bad.csv"),
        "evaluator,commitment,milestone,criterion,level\ndemo,1,,results,Marginal\n",
    )
    .unwrap();
    fs::remove_file(dir.path().join("scores/irm.csv")).unwrap();
    let bad = run_in(dir.path(), &["draft", "--irm", "bad.csv", "--output", "-"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.starts_with(
            "error: evaluator `demo` of the reference file bad.csv also rated in scores/demo.csv\n"
        ),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_file_a_person_edited_is_never_overwritten() {
    let dir = tiny();
    let d = dir.path();
    assert_eq!(run_in(d, &["draft"]).code, 0);
    let first = fs::read_to_string(d.join("draft.md")).unwrap();
    // Untouched: written again freely.
    let again = run_in(d, &["draft", "--as-of", "2021-12-31"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let second = fs::read_to_string(d.join("draft.md")).unwrap();
    assert_ne!(first, second);
    // Edited: refused, and the edits are kept.
    let edited = format!("{second}\nOur own paragraph.\n");
    fs::write(d.join("draft.md"), &edited).unwrap();
    let refused = run_in(d, &["draft"]);
    assert_eq!(refused.code, 1);
    assert_eq!(
        refused.stderr,
        "error: draft.md was changed since checkmyogp wrote it (or was not written by checkmyogp)\n  \
         Nothing was written: the file was left as it is so that no edits are lost.\n  \
         To keep the edits and get a fresh copy, write it elsewhere (for example --output draft-new.md) and merge the two;\n  \
         to replace it and lose the edits, add --force.\n"
    );
    assert_eq!(fs::read_to_string(d.join("draft.md")).unwrap(), edited);
    // Elsewhere is fine; --force replaces.
    assert_eq!(run_in(d, &["draft", "--output", "draft-new.md"]).code, 0);
    assert_eq!(fs::read_to_string(d.join("draft-new.md")).unwrap(), first);
    assert_eq!(run_in(d, &["draft", "--force"]).code, 0);
    assert_eq!(fs::read_to_string(d.join("draft.md")).unwrap(), first);

    // --split: one edited file stops every file from being written.
    assert_eq!(run_in(d, &["draft", "--split", "out"]).code, 0);
    fs::write(d.join("out/1.md"), "edited\n").unwrap();
    let before = snapshot_tree(d);
    let refused = run_in(d, &["draft", "--split", "out", "--as-of", "2021-12-31"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .starts_with("error: out/1.md was changed since checkmyogp wrote it"),
        "{}",
        refused.stderr
    );
    assert_eq!(snapshot_tree(d), before, "nothing was written");
    assert_eq!(run_in(d, &["draft", "--split", "out", "--force"]).code, 0);
    assert!(
        fs::read_to_string(d.join("out/1.md"))
            .unwrap()
            .starts_with("## Commitment 1: Open budget data\n")
    );
}

#[test]
fn template_errors_name_the_file_the_line_and_the_problem() {
    let dir = tiny();
    let d = dir.path();
    fs::create_dir_all(d.join("templates")).unwrap();

    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "# {{ plan.country }}\n\n{% for c in commitments %}\n## {{ c.title }\n{% endfor %}\n",
    )
    .unwrap();
    let snap = snapshot_tree(d);
    let run = run_in(d, &["draft"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: in the draft template: syntax error: unexpected `}`, expected end of variable block\n \
         --> templates/check-my-ogp.md.j2:4:15\n  \
         |\n\
         4 | ## {{ c.title }\n  \
         |               ^\n  \
         = help: see the template language and examples in docs/templates.md\n\
         The template has an error: nothing was written.\n"
    );
    assert_eq!(snapshot_tree(d), snap, "nothing was written");

    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "# {{ plan.country }}\n\n{% for c in commitments %}\n## {{ c.titel }}\n{% endfor %}\n",
    )
    .unwrap();
    let run = run_in(d, &["draft"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: in the draft template: unknown variable or field: `c.titel` is undefined\n \
         --> templates/check-my-ogp.md.j2:4:7\n  \
         |\n\
         4 | ## {{ c.titel }}\n  \
         |       ^^^^^^^\n  \
         = help: docs/templates.md lists every variable a template can use; {{ debug() }} prints all of them\n\
         The template has an error: nothing was written.\n"
    );

    // In an included file: that file is named, with the include that led there.
    fs::write(d.join("templates/draft.md.j2"), "x\n").unwrap();
    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "# Title\n{% include \"part.md.j2\" %}\n",
    )
    .unwrap();
    fs::write(d.join("templates/part.md.j2"), "line one\n{{ nope }}\n").unwrap();
    let run = run_in(d, &["draft", "--output", "-"]);
    assert_eq!(
        run.stderr,
        "error: in the draft template: unknown variable or field: `nope` is undefined\n \
         --> templates/part.md.j2:2:4\n  \
         |\n\
         2 | {{ nope }}\n  \
         |    ^^^^\n  \
         = included from: templates/check-my-ogp.md.j2:2:4\n  \
         = help: docs/templates.md lists every variable a template can use; {{ debug() }} prints all of them\n\
         The template has an error: nothing was written.\n"
    );

    // A missing value printed without a test is an error too, not "none".
    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "{{ plan.organisation }}\n",
    )
    .unwrap();
    let run = run_in(d, &["draft", "--output", "-"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("this value is missing (none) and cannot be printed"),
        "{}",
        run.stderr
    );

    // The sandbox: nothing outside the template folder.
    for name in ["../plan.toml", "/etc/passwd"] {
        fs::write(
            d.join("templates/check-my-ogp.md.j2"),
            format!("{{% include \"{name}\" %}}\n"),
        )
        .unwrap();
        let run = run_in(d, &["draft", "--output", "-"]);
        assert_eq!(run.code, 1, "{name}");
        assert!(
            run.stderr.contains(&format!(
                "templates may only include files of their own folder, by a plain relative name; \"{name}\" is not one"
            )),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }

    // A runaway loop stops.
    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let run = run_in(d, &["draft", "--output", "-"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: in the draft template: engine ran out of fuel\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_assessment_folder_and_template_flag_choose_the_template() {
    let dir = tiny();
    let d = dir.path();
    fs::create_dir_all(d.join("templates")).unwrap();
    fs::write(
        d.join("templates/draft.md.j2"),
        "generic {{ plan.country }}\n",
    )
    .unwrap();
    assert_eq!(
        run_in(d, &["draft", "-o", "-"]).stdout,
        "generic Testland\n"
    );
    fs::write(
        d.join("templates/check-my-ogp.md.j2"),
        "{% include \"common.md.j2\" %}rubric {{ rubric.id }}\n",
    )
    .unwrap();
    assert_eq!(
        run_in(d, &["draft", "-o", "-"]).stdout,
        "rubric check-my-ogp\n"
    );
    fs::write(d.join("mine.md.j2"), "mine {{ commitments | length }}\n").unwrap();
    assert_eq!(
        run_in(d, &["draft", "-o", "-", "--template", "mine.md.j2"]).stdout,
        "mine 2\n"
    );
    let missing = run_in(d, &["draft", "-o", "-", "--template", "nowhere.md.j2"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stderr
            .starts_with("error: the template file nowhere.md.j2 does not exist\n"),
        "{}",
        missing.stderr
    );
}

#[test]
fn export_template_writes_the_built_ins_and_keeps_edits() {
    let dir = tiny();
    let d = dir.path();
    let run = run_in(d, &["draft", "--export-template", "templates"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in [
        "check-my-ogp.md.j2",
        "irm-legacy.md.j2",
        "irm-refresh.md.j2",
        "common.md.j2",
        "translations/mn/check-my-ogp.md.j2",
    ] {
        assert_eq!(
            fs::read(d.join("templates").join(name)).unwrap(),
            fs::read(root().join("templates").join(name)).unwrap(),
            "{name}"
        );
    }
    // The exported templates give the same draft as the built-in ones.
    let built_in = run_in(&root(), &["draft", "samples/mongolia-2016-2018", "-o", "-"]).stdout;
    let exported = run_in(
        &root(),
        &[
            "draft",
            "samples/mongolia-2016-2018",
            "-o",
            "-",
            "--template",
            &d.join("templates/check-my-ogp.md.j2").to_string_lossy(),
        ],
    )
    .stdout;
    assert_eq!(built_in, exported);
    // Edited templates are kept.
    fs::write(
        d.join("templates/common.md.j2"),
        "{% macro title() %}Ours{% endmacro %}\n",
    )
    .unwrap();
    let refused = run_in(d, &["draft", "--export-template", "templates"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .starts_with("error: templates/common.md.j2 was changed since checkmyogp wrote it"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        fs::read_to_string(d.join("templates/common.md.j2")).unwrap(),
        "{% macro title() %}Ours{% endmacro %}\n"
    );
    assert_eq!(
        run_in(d, &["draft", "--export-template", "templates", "--force"]).code,
        0
    );
}

#[test]
fn split_file_names_are_safe_for_any_id() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("scores")).unwrap();
    let mut plan = String::from(
        "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n\n[assessment]\nas_of = 2021-06-30\n",
    );
    let ids = [
        "../x",
        "a/b",
        "a-b",
        "1 2",
        "Монгол",
        "CON",
        "x",
        "...",
        "overview",
    ];
    let mut scores = String::from("evaluator,commitment,milestone,criterion,level\n");
    for id in ids {
        plan.push_str(&format!(
            "\n[[commitment]]\nid = \"{id}\"\ntitle = \"Commitment {id}\"\n"
        ));
        scores.push_str(&format!("ana,{id},,relevance,Clear\n"));
    }
    fs::write(d.join("plan.toml"), plan).unwrap();
    fs::write(d.join("scores/a.csv"), scores).unwrap();
    let run = run_in(d, &["draft", "--split", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        names_in(&d.join("out")),
        [
            ".checkmyogp-written",
            "1-2.md",
            "CON_.md",
            "a-b-2.md",
            "a-b.md",
            "commitment-8.md",
            "overview-2.md",
            "overview.md",
            "x-2.md",
            "x.md",
            "Монгол.md"
        ]
    );
    // Nothing was written outside the folder.
    assert_eq!(names_in(d), ["out", "plan.toml", "scores"]);
    let x = fs::read_to_string(d.join("out/x.md")).unwrap();
    assert!(
        x.starts_with("## Commitment ../x: Commitment ../x\n"),
        "{x}"
    );
    let overview = fs::read_to_string(d.join("out/overview.md")).unwrap();
    assert!(overview.contains("## All commitments"), "{overview}");
    assert!(
        !overview.contains("### Context and Objectives"),
        "{overview}"
    );
    assert_eq!(
        fs::read_to_string(d.join("out/Монгол.md"))
            .unwrap()
            .lines()
            .next(),
        Some("## Commitment Монгол: Commitment Монгол")
    );
}

#[test]
fn the_translated_template_keeps_cyrillic_byte_for_byte() {
    let template = root().join("templates/translations/mn/check-my-ogp.md.j2");
    let (code, stdout, stderr) = run_env(
        &root(),
        &[
            "draft",
            "samples/mongolia-2016-2018",
            "-o",
            "-",
            "--template",
            &template.to_string_lossy(),
        ],
        "LANG",
        "C",
    );
    assert_eq!(code, 0, "{stderr}");
    let text = String::from_utf8(stdout).expect("the draft is UTF-8");
    // The evaluators' Cyrillic comments, exactly as in the score files.
    for (file, comment) in [
        (
            "scores/demo.csv",
            "Аппликейшн 2018 оны 1-р сарын 31-нд Нийслэлийн Төрийн үйлчилгээний төвд албан ёсоор нээгдсэн.",
        ),
        (
            "scores/wsp.csv",
            "Хэвлэл мэдээллийн эрх чөлөөний тухай хуулийн төсөл олон нийтэд нээлттэй хэлэлцүүлэгдээгүй.",
        ),
    ] {
        let source = fs::read(root().join("samples/mongolia-2016-2018").join(file)).unwrap();
        assert!(
            source
                .windows(comment.len())
                .any(|w| w == comment.as_bytes()),
            "{file}"
        );
        assert!(
            text.as_bytes()
                .windows(comment.len())
                .any(|w| w == comment.as_bytes()),
            "{comment}\n{text}"
        );
    }
    // The template's own Cyrillic, and a translated level and date.
    for part in [
        "# Mongolia: IRM-ийн тайланд иргэний нийгмийн өгөх санал",
        "## Ерөнхий тойм",
        "## Амлалт 1: Mobile application",
        "Үнэлгээчдийн дүгнэлт: **Хэвийн явцтай** (78.6/100).",
        "(хугацаа: 2016 оны 12-р сарын 31): Ихээхэн, хугацаа хэтэрсэн.",
        "*Энэ бол иргэний нийгмийн үнэлгээ бөгөөд Хараат бус үнэлгээний механизмын (IRM) албан ёсны үнэлгээ биш юм.*",
    ] {
        assert!(text.contains(part), "{part}\n{text}");
    }
    check_snapshot("draft-mongolia-2016-2018-mn.md", &text);
    // Written to a file, the bytes are the same.
    let dir = sample("mongolia-2016-2018");
    let run = run_in(
        dir.path(),
        &["draft", "--template", &template.to_string_lossy()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        fs::read(dir.path().join("draft.md")).unwrap(),
        text.as_bytes()
    );
}

#[test]
fn every_built_in_template_works_with_a_sparse_plan() {
    // No organisation, dates, descriptions or declared evaluators; one evaluator.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("scores")).unwrap();
    fs::write(
        d.join("plan.toml"),
        "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n\n[assessment]\nas_of = 2021-06-30\n\n\
         [[commitment]]\nid = \"1\"\ntitle = \"One\"\n\n[[commitment.milestone]]\nid = \"1.1\"\ntitle = \"Step\"\n\n\
         [[commitment]]\nid = \"2\"\ntitle = \"Two\"\n",
    )
    .unwrap();
    for (rubric, scores) in [
        (
            "check-my-ogp",
            "ana,1,1.1,completion,Complete\nana,2,,relevance,Clear\n",
        ),
        (
            "irm-legacy",
            "ana,1,,completion,Complete\nana,2,,specificity,High\n",
        ),
        (
            "irm-refresh",
            "ana,1,,completion,Complete\nana,2,,verifiable,Yes\n",
        ),
    ] {
        fs::write(
            d.join("scores/a.csv"),
            format!("evaluator,commitment,milestone,criterion,level\n{scores}"),
        )
        .unwrap();
        let run = run_in(d, &["draft", "--rubric", rubric, "-o", "-"]);
        assert_eq!(run.code, 0, "{rubric}: {}", run.stderr);
        assert!(
            run.stdout.contains(
                "With a single evaluator there is no agreement between evaluators to measure."
            ),
            "{rubric}"
        );
        assert!(run.stdout.contains("*(The plan gives no description of this commitment: describe its context and objectives here.)*"), "{rubric}");
        assert!(!run.stdout.contains("none"), "{rubric}:\n{}", run.stdout);
    }
}

#[test]
fn docx_without_pandoc_says_what_to_do_and_writes_nothing() {
    let dir = tiny();
    let before = snapshot_tree(dir.path());
    let (code, stdout, stderr) = run_env(dir.path(), &["draft", "--docx"], "PATH", "");
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "error: --docx needs pandoc, which was not found on this computer (it is not on PATH): nothing was written.\n  \
         Install pandoc (https://pandoc.org/installing.html, or `apt install pandoc`, `brew install pandoc`, `winget install pandoc`),\n  \
         or write Markdown now (leave out --docx) and convert it later: pandoc draft.md -o draft.docx\n"
    );
    assert_eq!(snapshot_tree(dir.path()), before);
}

#[test]
fn docx_with_pandoc_is_a_word_file() {
    let has_pandoc = Command::new("pandoc")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_pandoc {
        return; // Covered where pandoc is installed.
    }
    let dir = tiny();
    let run = run_in(dir.path(), &["draft", "--docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = fs::read(dir.path().join("draft.docx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip file");
    let ledger = fs::read_to_string(dir.path().join(".checkmyogp-written")).unwrap();
    assert!(ledger.contains("draft.docx\t"), "{ledger}");
}

#[test]
fn draft_help_shows_examples() {
    let run = run_in(&root(), &["draft", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("Examples:\n  checkmyogp draft samples/mongolia-2016-2018"),
        "{}",
        run.stdout
    );
}
