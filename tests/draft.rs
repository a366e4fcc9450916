//! `draft`: the comment on the IRM's report. The samples' drafts are compared in full with
//! committed snapshots (`SNAPSHOTS=overwrite cargo test` rewrites them after a deliberate
//! change; review the diff), the IRM differences are called out, files a person edited are
//! never overwritten, template errors are located, `--split` names are safe and in plan
//! order, Cyrillic text passes through byte for byte, the grammar's edge cases read right,
//! text from the inputs cannot become markup, and `--docx` writes a Word file that
//! LibreOffice reads back.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{bin, check_snapshot, copy_tree, root, run_in, sample, snapshot_tree};

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
    fs::write(d.join("out/01-1.md"), "edited\n").unwrap();
    let before = snapshot_tree(d);
    let refused = run_in(d, &["draft", "--split", "out", "--as-of", "2021-12-31"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .starts_with("error: out/01-1.md was changed since checkmyogp wrote it"),
        "{}",
        refused.stderr
    );
    assert_eq!(snapshot_tree(d), before, "nothing was written");
    assert_eq!(run_in(d, &["draft", "--split", "out", "--force"]).code, 0);
    assert!(
        fs::read_to_string(d.join("out/01-1.md"))
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
        "lang/en.toml",
        "lang/es.toml",
        "lang/fr.toml",
        "lang/mn.toml",
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

/// The IRM's ratings of commitments 1 and 2 of the Mongolia sample, on check-my-ogp.
const IRM_CSV: &str = "evaluator,commitment,milestone,criterion,level,evidence,comment\n\
     irm,1,1.1,completion,Limited,,\n\
     irm,1,1.2,completion,Limited,,\n\
     irm,1,1.3,completion,Complete,,\n\
     irm,1,1.4,completion,Limited,,\n\
     irm,1,,results,Marginal,,The application works in Ulaanbaatar only.\n\
     irm,2,2.1,completion,Complete,,\n\
     irm,2,2.2,completion,Substantial,,\n\
     irm,2,2.3,completion,Limited,,\n\
     irm,2,,results,Marginal,,\n";

/// The part of a draft from `## Commitment ID:` to the next commitment.
fn section<'a>(d: &'a str, id: &str) -> &'a str {
    let start = d
        .find(&format!("## Commitment {id}:"))
        .unwrap_or_else(|| panic!("no commitment {id}\n{d}"));
    let end = d[start + 3..]
        .find("\n## ")
        .map_or(d.len(), |e| start + 3 + e);
    &d[start..end]
}

#[test]
fn the_samples_drafts_match_their_snapshots_in_every_language() {
    let with_irm = sample("mongolia-2016-2018");
    fs::write(with_irm.path().join("irm.csv"), IRM_CSV).unwrap();
    let irm_dir = with_irm.path().to_string_lossy().into_owned();
    for lang in ["en", "es", "fr", "mn"] {
        for (dir, extra, name) in [
            ("samples/mongolia-2016-2018", None, "mongolia-2016-2018"),
            ("samples/mongolia-irm-legacy", None, "mongolia-irm-legacy"),
            (
                irm_dir.as_str(),
                Some("irm.csv"),
                "mongolia-2016-2018-with-irm",
            ),
        ] {
            if lang == "mn" && name != "mongolia-2016-2018" {
                continue;
            }
            let mut args = vec!["draft", dir, "--output", "-", "--language", lang];
            if let Some(irm) = extra {
                args.extend(["--irm", irm]);
            }
            let base = root();
            let run = run_in(
                if extra.is_some() {
                    with_irm.path()
                } else {
                    &base
                },
                &args,
            );
            assert_eq!(run.code, 0, "{name} {lang}: {}", run.stderr);
            assert!(!run.stdout.contains("none"), "{name} {lang}");
            check_snapshot(&format!("draft-{name}-{lang}.md"), &run.stdout);
        }
    }
}

#[test]
fn the_default_draft_is_a_comment_not_a_dump() {
    let run = run_in(
        &root(),
        &["draft", "samples/mongolia-2016-2018", "--output", "-"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    // The sample's [comment] table and commitment 1's dated events fill the header, the
    // overview and the story.
    let order = [
        "# Mongolia: civil-society comment on the Second Progress Report 2016–2017",
        "The IRM received the following comment from Oyuun Bat (fictional), Civil Society Coalition for OGP Mongolia (fictional).\nContact: coalition@example.org.\n",
        "## General overview",
        "In June 2018, for the first time, the coalition's member organisations monitored",
        "The plan was monitored by Democracy Education Center (DEMO), Women for Social Progress (WSP) and Transparency Network Mongolia (fictional), each rating the commitments on their own.\nThe monitoring took place in June 2018.",
        "Funding: a small grant of the Open Monitoring Fund (fictional).",
        "## Commitment 1: Mobile application",
        "### Context and Objectives",
        "- **29 June 2016**: After the parliamentary elections, the new government decides",
        "### Completion",
        "The coalition rates the commitment's completion as **Substantial**.",
        "- **1.1** Agree the design of the application and the data link with the 11-11 Center (due 31 December 2016; not complete by its due date): **Substantial**.",
        "What happened:\n\n- **15 November 2016**: DEMO meets the Cabinet Secretariat",
        "- **1 September 2017**: The lead agency changes from the Cabinet Secretariat to the Capital City Governor's Office (source: Capital City Governor's Office decision on the CHECK MY SERVICE application, 2017, copy held by WSP).\n",
        "- **31 January 2018**: On Mongolian Civil Society Day, the CHECK MY SERVICE application is officially opened at the Municipality Public Service Center before 100 representatives of",
        "society (source: <http://eagle.mn/r/40168>).\n",
        "### Early results",
        "The coalition's rating: **Major**.",
        "### Next Steps",
        "- Milestone 1.4: Ask the Municipality Public Service Center to post the monthly statistics on ub.gov.mn.\n",
        "## Commitment 7: Public e-service kiosks",
        "*This is a civil-society assessment, not an official rating of OGP's Independent Reporting Mechanism (IRM).*",
    ];
    let mut at = 0;
    for part in order {
        let found = d[at..]
            .find(part)
            .unwrap_or_else(|| panic!("missing or out of order: {part:?}\n{d}"));
        at += found + part.len();
    }
    // No internal machinery: scores, bands, flags, constraint codes, agreement statistics.
    for word in [
        "score",
        "On track",
        "Progressing",
        "★",
        "Cmpl",
        "alpha",
        "Krippendorff",
        "0.48",
        "disagree",
        "high-completion",
        "Headline",
    ] {
        assert!(!d.contains(word), "{word:?} in the default draft\n{d}");
    }
    // The places to write are marked one way and counted.
    // One is left: commitment 3's completion needs the evidence nobody cited.
    let places = d.matches("[[").count();
    assert_eq!(places, 1, "{d}");
    assert!(
        run.stderr
            .ends_with("1 place left to write (marked [[…]]).\n"),
        "{}",
        run.stderr
    );
    // With --appendix, the figures are there, after the commitments.
    let full = run_in(
        &root(),
        &[
            "draft",
            "samples/mongolia-2016-2018",
            "--output",
            "-",
            "--appendix",
        ],
    );
    let appendix = full
        .stdout
        .find("## Appendix: the coalition's ratings in figures")
        .unwrap();
    assert!(appendix > full.stdout.find("## Commitment 7:").unwrap());
    for part in [
        "| 1. Mobile application for the Government 11-11 Center to receive citizen feedback and requests | On track ★ | 78.6 | Substantial | Major | yes |",
        "| Early results | 0.48 | not reliable enough to draw conclusions | 7 of 7 |",
        "- Flags: High completion, Participatory, Strong early results and Model commitment.",
    ] {
        assert!(full.stdout.contains(part), "{part}\n{}", full.stdout);
    }
    // By default the draft goes to draft.md in the assessment folder, the same text.
    let dir = sample("mongolia-2016-2018");
    let written = run_in(dir.path(), &["draft"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("draft.md")).unwrap(), *d);
    assert!(
        written
            .stderr
            .contains("wrote draft.md (7 commitments).\n  1 place left to write (marked [[…]]).\n"),
        "{}",
        written.stderr
    );
}

#[test]
fn differences_from_the_irm_come_first_and_are_said_once() {
    let run = run_in(
        &root(),
        &["draft", "samples/mongolia-irm-legacy", "--output", "-"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    let overview = "### Where we differ from the IRM\n\n\
        The IRM rated every commitment; the coalition rates 3 of them differently:\n\n\
        - **Commitment 1**, Mobile application for the Government 11-11 Center to receive citizen feedback and requests: we rate its completion **Complete**; the IRM rated it **Limited**.\n\
        - **Commitment 3**, Open government data portal: we rate its completion **Limited**; the IRM rated it **Substantial**.\n\
        - **Commitment 6**, Beneficial ownership transparency in the extractive industries: we rate its completion **Substantial**; the IRM rated it **Limited**.\n";
    let at = d.find(overview).unwrap_or_else(|| panic!("{d}"));
    assert!(at < d.find("## Commitment 1:").unwrap());
    for (id, sentence) in [
        (
            "1",
            "The coalition rates the commitment's completion as **Complete**.\nThe IRM rated it **Limited**.\n",
        ),
        (
            "3",
            "The coalition rates the commitment's completion as **Limited**.\nThe IRM rated it **Substantial**.\n",
        ),
        (
            "2",
            "The coalition rates the commitment's completion as **Substantial**.\nThe IRM rated it **Substantial** too.\n",
        ),
        (
            "1",
            "The coalition's answer: **Major**.\nThe IRM's answer: **Marginal**.\n",
        ),
        (
            "2",
            "The coalition's answer: **Major**.\nThe IRM's answer is the same: **Major**.\n",
        ),
        // Two quotations in a row by one evaluator: the name is said once.
        (
            "1",
            "> **Democracy Education Center (DEMO)**: A real step for citizen feedback, but limited to Ulaanbaatar.\n\n> The application was launched on 31 January 2018",
        ),
    ] {
        let s = section(d, id);
        assert_eq!(
            s.matches(sentence).count(),
            1,
            "commitment {id}: {sentence}\n{s}"
        );
        assert_eq!(s.matches("The IRM rated it").count(), 1, "said once\n{s}");
    }
}

#[test]
fn an_irm_score_file_is_set_beside_the_coalition() {
    let dir = sample("mongolia-2016-2018");
    fs::write(dir.path().join("irm.csv"), IRM_CSV).unwrap();
    let run = run_in(dir.path(), &["draft", "--irm", "irm.csv", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = &run.stdout;
    assert!(
        d.contains(
            "### Where we differ from the IRM\n\n\
             The IRM rated 2 of the 7 commitments; the coalition rates one of them differently:\n\n\
             - **Commitment 1**, Mobile application for the Government 11-11 Center to receive citizen feedback and requests: we rate its completion **Substantial**; the IRM rated it **Limited**.\n"
        ),
        "{d}"
    );
    assert!(
        section(d, "2").contains("The IRM rated it **Substantial** too."),
        "{d}"
    );
    assert!(
        d.contains("The IRM noted:\n\n> The application works in Ulaanbaatar only.\n"),
        "{d}"
    );
    // The IRM is never combined: the coalition's ratings are the same as without it.
    let plain = run_in(dir.path(), &["draft", "--output", "-"]);
    assert!(
        section(&plain.stdout, "1")
            .contains("The coalition rates the commitment's completion as **Substantial**.")
    );
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

/// A plan of one commitment written in `plan.toml` text, with one evaluator's scores.
fn one_commitment(dir: &Path, commitment: &str, scores: &str, extra: &str) {
    fs::create_dir_all(dir.join("scores")).unwrap();
    fs::write(
        dir.join("plan.toml"),
        format!(
            "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\nstart = 2016-07-01\nend = 2018-06-30\n{extra}\n[assessment]\nas_of = 2018-06-30\nrubric = \"{rubric}\"\n\n{commitment}",
            rubric = if commitment.contains("[[commitment.milestone]]") { "check-my-ogp" } else { "irm-legacy" }
        ),
    )
    .unwrap();
    fs::write(
        dir.join("scores/a.csv"),
        format!(
            "evaluator,commitment,milestone,criterion,level,evidence,comment,next_steps\n{scores}"
        ),
    )
    .unwrap();
}

#[test]
fn grammar_reads_right_in_the_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No milestones, a lead ending in a full stop, one supporting agency, nothing to say.
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"One\"\nlead = \"Ministry of Justice (STP).\"\nsupporting = [\"Bar Association\"]\n",
        "ana,1,,completion,Complete,,,\n",
        "",
    );
    let run = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = section(&run.stdout, "1");
    assert!(
        s.contains(
            "*Lead agency: Ministry of Justice (STP); supporting agency: Bar Association.*\n"
        ),
        "{s}"
    );
    assert!(!s.contains(".."), "doubled punctuation\n{s}");
    assert!(
        !s.to_lowercase().contains("milestone"),
        "milestones of a plan without any\n{s}"
    );
    assert!(
        s.contains("[[Describe the commitment's context and objectives]]"),
        "{s}"
    );
    assert!(
        s.contains("[[The coalition's recommendations for this commitment]]"),
        "{s}"
    );
    // Every heading has something under it.
    let lines: Vec<&str> = run.stdout.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with('#') {
            let next = lines[i + 1..].iter().find(|x| !x.trim().is_empty());
            assert!(
                next.is_some_and(|n| !n.starts_with('#') || l.starts_with("# ")),
                "empty heading {l}\n{}",
                run.stdout
            );
        }
    }
    // One overdue milestone, singular; one milestone: its level is not said twice.
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"One\"\n\n[[commitment.milestone]]\nid = \"1.1\"\ntitle = \"Step.\"\ndue = 2017-01-31\n",
        "ana,1,1.1,completion,Limited,,It stalled.,Restart it\nbob,1,1.1,completion,Complete,,,\n",
        "",
    );
    let run = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = section(&run.stdout, "1");
    assert!(
        s.contains("On 30 June 2018, one milestone was past its due date and not complete."),
        "{s}"
    );
    assert_eq!(
        s.matches("**Limited**").count()
            + s.matches("**Substantial**").count()
            + s.matches("**Complete**").count(),
        1,
        "{s}"
    );
    // The one milestone is never named, so its next step is not labelled with it.
    assert!(s.contains("### Next Steps\n\n- Restart it.\n"), "{s}");
    // In the appendix, the disagreement on the one milestone is said once.
    let full = run_in(d, &["draft", "-o", "-", "--appendix"]);
    assert_eq!(
        full.stdout
            .matches("Where the evaluators disagree:")
            .count(),
        1,
        "{}",
        full.stdout
    );
    assert!(
        full.stdout.contains("- Where the evaluators disagree: Completion (milestone 1.1): Limited (ana) and Complete (bob).\n"),
        "{}",
        full.stdout
    );
    assert!(!s.contains('?'), "{s}");
    // A title that ends with a full stop (as imported plans write them) is not followed by
    // more punctuation in a heading, the differences or the appendix.
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"Strengthen the councils.\"\n",
        "ana,1,,completion,Complete,https://example.org/law,,\n",
        "",
    );
    fs::write(
        d.join("irm.csv"),
        "evaluator,commitment,milestone,criterion,level\nirm,1,,completion,Limited\n",
    )
    .unwrap();
    let run = run_in(d, &["draft", "--irm", "irm.csv", "--appendix", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for part in [
        "- **Commitment 1**, Strengthen the councils: we rate its completion **Complete**; the IRM rated it **Limited**.\n",
        "## Commitment 1: Strengthen the councils\n",
        "| 1. Strengthen the councils | Complete |",
    ] {
        assert!(run.stdout.contains(part), "{part}\n{}", run.stdout);
    }
    assert!(!run.stdout.contains(".:"), "{}", run.stdout);
    // The IRM's question is a heading, never asked mid-sentence.
    let legacy = run_in(
        &root(),
        &["draft", "samples/mongolia-irm-legacy", "-o", "-"],
    );
    for l in legacy
        .stdout
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('|'))
    {
        let t = l.trim_end();
        if let Some(q) = t.find('?') {
            assert!(q + 1 == t.len(), "question mid-sentence: {l}");
        }
    }
}

/// What a coalition would not send, found by drafting an imported plan that a coalition rated
/// in part: a commitment nobody rated is not a difference from the IRM, two evaluators' same
/// words are quoted once, the organisation has no article forced on it.
#[test]
fn a_coalition_that_rated_part_of_the_plan_is_not_said_to_differ_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"One\"\n\n[[commitment.milestone]]\nid = \"1.1\"\ntitle = \"Step\"\ndue = 2018-12-31\n\n\
         [[commitment]]\nid = \"2\"\ntitle = \"Two\"\n\n[[commitment.milestone]]\nid = \"2.1\"\ntitle = \"Law\"\ndue = 2018-12-31\n\n\
         [[commitment]]\nid = \"3\"\ntitle = \"Three\"\n",
        "ana,1,1.1,completion,Complete,https://example.org/1,The portal is online.,Publish the data monthly\n\
         bob,1,1.1,completion,Complete,https://example.org/1,The portal is online.,Publish the data monthly\n\
         ana,2,2.1,completion,Limited,,,\n",
        "organisation = \"Semillas para la Democracia\"\n",
    );
    fs::write(
        d.join("irm.csv"),
        "evaluator,commitment,milestone,criterion,level\n\
         irm,1,,completion,Complete\n\
         irm,2,,potential-impact,Minor\n\
         irm,3,,completion,Substantial\n",
    )
    .unwrap();
    let run = run_in(d, &["draft", "--irm", "irm.csv", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("The IRM received the following comment from Semillas para la Democracia.\n"),
        "{out}"
    );
    // Commitment 3, which nobody in the coalition rated, is not a difference: it is named
    // apart, and its section says the coalition did not rate it (not that nobody found
    // evidence).
    assert!(
        out.contains(
            "### Where we differ from the IRM\n\n\
             The IRM rated 2 of the 3 commitments; the coalition agrees with each of those ratings on the commitments it rated.\n\n\
             The coalition did not rate commitment 3, which the IRM rated.\n"
        ),
        "{out}"
    );
    assert!(!out.contains("**No evidence**"), "{out}");
    assert!(
        section(out, "3").contains(
            "The coalition did not rate this commitment.\nThe IRM rated it **Substantial**.\n"
        ),
        "{out}"
    );
    let written = run_in(d, &["draft", "--irm", "irm.csv", "--output", "draft.md"]);
    assert!(
        written.stderr.contains(
            "wrote draft.md (3 commitments, 0 rated differently from the reference ratings)."
        ),
        "{}",
        written.stderr
    );
    // For a template too, commitment 3 does not differ: nobody in the coalition rated it.
    fs::write(
        d.join("differs.md.j2"),
        "{{ commitments | selectattr(\"differs\") | map(attribute=\"id\") | join(\",\") or \"none\" }}\n",
    )
    .unwrap();
    let own = run_in(
        d,
        &[
            "draft",
            "--irm",
            "irm.csv",
            "--template",
            "differs.md.j2",
            "-o",
            "-",
        ],
    );
    assert_eq!(own.stdout, "none\n", "{}", own.stderr);
    // A level's word can depend on its criterion: Spanish early results are "marginales",
    // the answer to "did it open government?" "Marginalmente".
    fs::write(
        d.join("labels.md.j2"),
        "{{ \"Marginal\" | lv(\"results\") }} / {{ \"Marginal\" | lv }} / {{ \"Marginal\" | lv(\"did-it-open-government\") }}\n",
    )
    .unwrap();
    let es = run_in(
        d,
        &[
            "draft",
            "--template",
            "labels.md.j2",
            "--language",
            "es",
            "-o",
            "-",
        ],
    );
    assert_eq!(
        es.stdout, "Marginales / Marginalmente / Marginalmente\n",
        "{}",
        es.stderr
    );
    // "de" + "el IRM" is never written apart ("Respuesta de el IRM").
    let sample = run_in(
        &root(),
        &[
            "draft",
            "samples/mongolia-irm-legacy",
            "--language",
            "es",
            "-o",
            "-",
        ],
    );
    assert!(
        sample
            .stdout
            .contains("El IRM respondió: **Marginalmente**.\n"),
        "{}",
        sample.stdout
    );
    assert!(!sample.stdout.contains("de el "), "{}", sample.stdout);
    // The same words from two evaluators are quoted once, with both names; a single
    // milestone's sources and the quotation are apart; the next step is given once.
    let one = section(out, "1");
    assert!(
        one.contains(
            "Sources: <https://example.org/1>.\n\n> **Ana and bob**: The portal is online.\n"
        ),
        "{one}"
    );
    assert_eq!(one.matches("The portal is online.").count(), 1, "{one}");
    assert!(
        one.contains("### Next Steps\n\n- Publish the data monthly.\n"),
        "{one}"
    );
    assert_eq!(one.matches("Publish the data monthly").count(), 1, "{one}");
    // The IRM rated commitment 2, but not its completion.
    assert!(
        section(out, "2").contains(
            "The coalition rates the commitment's completion as **Limited**.\nThe IRM did not rate its completion.\n"
        ),
        "{out}"
    );
    // The same in Spanish and French.
    let es = run_in(
        d,
        &["draft", "--irm", "irm.csv", "-o", "-", "--language", "es"],
    );
    assert!(
        es.stdout.contains("El IRM calificó 2 de los 3 compromisos; en los compromisos que la coalición calificó, coincide con cada una de esas calificaciones.\n\nLa coalición no calificó el compromiso 3, que el IRM sí calificó.\n"),
        "{}",
        es.stdout
    );
    assert!(
        es.stdout
            .contains("> **Ana y bob**: The portal is online.\n"),
        "{}",
        es.stdout
    );
    assert!(
        es.stdout.contains(
            "La coalición no calificó este compromiso.\nEl IRM lo calificó como **Sustancial**.\n"
        ),
        "{}",
        es.stdout
    );
    let fr = run_in(
        d,
        &["draft", "--irm", "irm.csv", "-o", "-", "--language", "fr"],
    );
    assert!(
        fr.stdout.contains("L'IRM a évalué 2 des 3 engagements ; sur les engagements que la coalition a évalués, elle rejoint chacune de ces évaluations.\n\nLa coalition n'a pas évalué l'engagement 3, que l'IRM a évalué.\n"),
        "{}",
        fr.stdout
    );
    assert!(
        fr.stdout.contains("L'IRM n'a pas évalué son achèvement.\n"),
        "{}",
        fr.stdout
    );
}

#[test]
fn header_overview_and_timeline_come_from_plan_toml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"Mobile application\"\nstart = 2016-07-01\n\
         description = \"Give citizens an application.\"\n\n\
         [[commitment.event]]\ndate = 2018-01-31\ntext = \"The application was launched before 100 guests\"\nsource = \"http://eagle.mn/r/40168\"\n\n\
         [[commitment.event]]\ndate = 2016-05-01\ntext = \"DEMO met the Cabinet Secretariat.\"\nsource = \"Minutes held by DEMO\"\n\n\
         [[commitment.event]]\ndate = 2017-03-01\ntext = \"The lead agency changed to the Capital City Governor's Office.\"\n",
        "ana,1,,completion,Complete,Launch photographs,It works in the capital.,Widen it to the whole country\n",
        "\n[comment]\norganisation = \"Democracy Education Center (DEMO)\"\nauthors = [\"Undral Gombodorj\"]\ncontact = \"demo@example.org\"\n\
         report = \"Second Progress Report 2016–2017\"\nmonitoring = \"In June 2018 the coalition ran its first independent monitoring.\"\n\
         funders = \"The Asia Foundation\"\noverview = \"For the first time, Mongolian NGOs monitored the plan.\"\n",
    );
    let run = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t = &run.stdout;
    for part in [
        "# Testland: civil-society comment on the Second Progress Report 2016–2017\n",
        "The IRM received the following comment from Undral Gombodorj, Democracy Education Center (DEMO).\nContact: demo@example.org.\n",
        "## General overview\n\nFor the first time, Mongolian NGOs monitored the plan.\n",
        "In June 2018 the coalition ran its first independent monitoring.\nFunding: The Asia Foundation.\n",
        "### Context and Objectives\n\nGive citizens an application.\n\n- **1 May 2016**: DEMO met the Cabinet Secretariat (source: Minutes held by DEMO).\n",
        "What happened:\n\n- **1 March 2017**: The lead agency changed to the Capital City Governor's Office.\n- **31 January 2018**: The application was launched before 100 guests (source: <http://eagle.mn/r/40168>).\n",
        // A blank line ends the list: what follows is not read as part of its last item.
        "(source: <http://eagle.mn/r/40168>).\n\nWhat the evaluators found:\n\n> **Ana**: It works in the capital.\n",
    ] {
        assert!(t.contains(part), "{part}\n{t}");
    }
    assert!(
        run.stderr.ends_with("No places left to write.\n"),
        "{}",
        run.stderr
    );
    // In Spanish, dates and the header follow the language.
    let es = run_in(d, &["draft", "-o", "-", "--language", "es"]);
    assert!(
        es.stdout
            .contains("- **31 de enero de 2018**: The application was launched before 100 guests (fuente: <http://eagle.mn/r/40168>).\n"),
        "{}",
        es.stdout
    );
    assert!(es.stdout.contains("El IRM recibió el siguiente comentario, escrito por Undral Gombodorj en nombre de Democracy Education Center (DEMO)."), "{}", es.stdout);
    // A broken event is located.
    let mut plan = fs::read_to_string(d.join("plan.toml")).unwrap();
    plan.push_str("\n[[commitment.event]]\ntext = \"No date\"\n");
    fs::write(d.join("plan.toml"), plan).unwrap();
    let bad = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("has no `date`"), "{}", bad.stderr);
}

#[test]
fn the_language_comes_from_the_plan_or_the_flag_and_an_unknown_one_is_a_warning() {
    let dir = sample("mongolia-2016-2018");
    let d = dir.path();
    let plan = fs::read_to_string(d.join("plan.toml")).unwrap();
    let with_lang = plan.replacen("language = \"en\"", "language = \"es\"", 1);
    assert_ne!(plan, with_lang);
    fs::write(d.join("plan.toml"), &with_lang).unwrap();
    let es = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(es.code, 0, "{}", es.stderr);
    assert!(es.stdout.contains("## Panorama general"), "{}", es.stdout);
    assert!(
        es.stdout
            .contains("La coalición califica el cumplimiento del compromiso como **Sustancial**.")
    );
    let fr = run_in(d, &["draft", "-o", "-", "--language", "fr"]);
    assert!(fr.stdout.contains("## Vue d'ensemble"), "{}", fr.stdout);
    let xx = run_in(d, &["draft", "-o", "-", "--language", "xx"]);
    assert_eq!(xx.code, 0);
    assert!(xx.stdout.contains("## General overview"));
    assert!(
        xx.stderr.contains("warning: there is no wording for the language \"xx\", so the draft is in English; available: en, es, fr, mn (docs/templates.md says how to add one)\n"),
        "{}",
        xx.stderr
    );
    // A language added in the assessment's templates/lang/ is available, English filling gaps.
    fs::create_dir_all(d.join("templates/lang")).unwrap();
    fs::write(
        d.join("templates/lang/pt.toml"),
        "[language]\nname = \"Português\"\nand = \"e\"\n\n[text]\noverview = \"Visão geral\"\n",
    )
    .unwrap();
    let pt = run_in(d, &["draft", "-o", "-", "--language", "pt"]);
    assert_eq!(pt.code, 0, "{}", pt.stderr);
    assert!(pt.stdout.contains("## Visão geral\n"), "{}", pt.stdout);
    assert!(
        pt.stdout.contains("(WSP) e Transparency Network"),
        "{}",
        pt.stdout
    );
    let unknown = run_in(d, &["draft", "-o", "-", "--language", "qq"]);
    assert!(
        unknown.stderr.contains("available: en, es, fr, mn, pt "),
        "{}",
        unknown.stderr
    );
}

#[test]
fn text_from_the_inputs_never_becomes_markup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"Title\\n# Not a heading <script>alert(1)</script>\"\nlead = \"[click](javascript:alert(1))\"\n\
         description = \"**Bold** stays. <img src=x onerror=alert(1)> [x](JaVaScRiPt:alert(1)) ![photo](file:///etc/passwd)\"\n",
        "ana,1,,completion,Complete,\"javascript:alert(1)\",\"- not a list\n<b>not bold</b> [[not a place]]\",\n",
        "",
    );
    let run = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t = &run.stdout;
    assert!(
        t.contains("## Commitment 1: Title \\# Not a heading \\<script\\>alert(1)\\</script\\>\n"),
        "{t}"
    );
    assert!(!t.contains("\n# Not a heading"), "{t}");
    let live = t.replace("\\<", "");
    assert!(!live.contains("<script"), "{t}");
    assert!(!live.contains("<img"), "{t}");
    assert!(t.contains("**Bold** stays."), "{t}");
    assert!(!t.to_lowercase().contains("javascript:"), "{t}");
    assert!(!t.contains("<b>"), "{t}");
    assert!(
        run.stderr.contains("5 places left to write"),
        "{}",
        run.stderr
    );
    // The Word file has no link but web links, no image, no HTML.
    let docx = run_in(d, &["draft", "--docx"]);
    assert_eq!(docx.code, 0, "{}", docx.stderr);
    let xml = docx_part(&d.join("draft.docx"), "word/document.xml");
    assert!(xml.contains(">photo<"), "{xml}");
    assert!(
        !xml.contains("passwd") && !xml.contains("<img") && !xml.contains("w:hyperlink"),
        "{xml}"
    );
}

/// One part of a .docx file, as text.
fn docx_part(path: &Path, name: &str) -> String {
    let file = fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[test]
fn docx_is_a_word_file_that_libreoffice_reads_back() {
    let dir = sample("mongolia-2016-2018");
    let d = dir.path();
    // No pandoc, nor anything else, is needed.
    let (code, _, stderr) = run_env(
        d,
        &["draft", "--docx", "--language", "mn", "--appendix"],
        "PATH",
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    let path = d.join("draft.docx");
    let xml = docx_part(&path, "word/document.xml");
    for part in [
        r#"<w:pStyle w:val="Heading1"/>"#,
        r#"<w:pStyle w:val="Heading2"/>"#,
        r#"<w:numId w:val="1"/>"#,
        "<w:b/>",
        "<w:tbl>",
        r#"<w:hyperlink r:id="rIdLink1">"#,
        ">Ерөнхий тойм<",
    ] {
        assert!(xml.contains(part), "{part}");
    }
    assert!(docx_part(&path, "word/styles.xml").contains(r#"<w:lang w:val="mn"/>"#));
    let ledger = fs::read_to_string(d.join(".checkmyogp-written")).unwrap();
    assert!(ledger.contains("draft.docx\t"), "{ledger}");
    let has_soffice = Command::new("soffice")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_soffice {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: LibreOffice (soffice) is not installed, so the .docx was not read back"
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("soffice")
        .args([
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
        ])
        .arg(out.path())
        .arg(&path)
        .env("HOME", out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = fs::read_to_string(out.path().join("draft.txt")).unwrap();
    for part in [
        "Mongolia: Second Progress Report 2016–2017-д иргэний нийгмийн өгөх санал",
        "Амлалт 1: Mobile application for the Government 11-11 Center",
        "Аппликейшн 2018 оны 1-р сарын 31-нд Нийслэлийн Төрийн үйлчилгээний төвд албан ёсоор нээгдсэн.",
        "Эвсэл амлалтын хэрэгжилтийг Ихээхэн гэж үнэлсэн.",
    ] {
        assert!(text.contains(part), "{part}\n{text}");
    }
}

#[test]
fn split_files_are_in_plan_order_and_safe_for_any_id() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("scores")).unwrap();
    let mut plan = String::from(
        "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n\n[assessment]\nas_of = 2021-06-30\n",
    );
    let ids = [
        "../x", "Σ", "ς", "COM¹", "CON", "...", "overview", "18", "4",
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
            "01-x.md",
            "02-Σ.md",
            "03-ς.md",
            "04-COM¹.md",
            "05-CON.md",
            "06.md",
            "07-overview.md",
            "08-18.md",
            "09-4.md",
            "overview.md",
        ]
    );
    assert_eq!(names_in(d), ["out", "plan.toml", "scores"]);
    let x = fs::read_to_string(d.join("out/01-x.md")).unwrap();
    assert!(
        x.starts_with("## Commitment ../x: Commitment ../x\n"),
        "{x}"
    );
    let overview = fs::read_to_string(d.join("out/overview.md")).unwrap();
    assert!(overview.contains("## General overview"), "{overview}");
    assert!(
        !overview.contains("### Context and Objectives"),
        "{overview}"
    );
}

#[test]
fn a_template_that_repeats_text_without_end_is_stopped() {
    let dir = tiny();
    let d = dir.path();
    fs::write(
        d.join("double.md.j2"),
        "{% set ns = namespace(s=\"x\") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    )
    .unwrap();
    let before = snapshot_tree(d);
    let run = run_in(d, &["draft", "--template", "double.md.j2", "-o", "out.md"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error[template-too-large]: the draft template double.md.j2 took more than 1024 MB of memory")
            || run.stderr.contains("the draft would be longer than")
            || run.stderr.starts_with("error: in the draft template: engine ran out of fuel\n --> double.md.j2:1:"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot_tree(d), before, "nothing was written");
    // Printing without end is stopped by the cap on the text, on any system.
    fs::write(
        d.join("print.md.j2"),
        "{% for i in range(10000) %}{% for j in range(10000) %}{{ \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let run = run_in(d, &["draft", "--template", "print.md.j2", "-o", "out.md"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("the draft would be longer than")
            || run.stderr.contains("template-too-long"),
        "{}",
        run.stderr
    );
}

/// The memory guard itself, not the fuel or the cap on printed text: each time a template
/// reaches a commitment, its context is built anew, and its timeline (the event's 4 MB text)
/// when the template reads it, which costs the template almost no fuel, so a template keeping
/// every copy in a list passes 1 GB after about 250 of them. The guard stops it at 1 GB beyond what the program used before
/// the render; the ceiling turns a guard that failed into a crash, not a full memory.
#[cfg(target_os = "linux")]
#[test]
fn a_template_taking_more_than_a_gigabyte_is_stopped_by_the_memory_guard() {
    let dir = tiny();
    let d = dir.path();
    let mut plan = fs::read_to_string(d.join("plan.toml")).unwrap();
    plan.push_str(&format!(
        "\n[[commitment.event]]\ndate = 2020-05-01\ntext = \"{}\"\n",
        "word ".repeat(800_000)
    ));
    fs::write(d.join("plan.toml"), plan).unwrap();
    fs::write(
        d.join("keep.md.j2"),
        "{% set ns = namespace(kept=none) %}{% for i in range(2000) %}{% set c = commitments[1] %}{% set read = c.timeline %}{% set ns.kept = [c, ns.kept] %}{% endfor %}x",
    )
    .unwrap();
    let before = snapshot_tree(d);
    let (code, err, _) = crate::util::bounded(
        d,
        &["draft", "--template", "keep.md.j2", "-o", "out.md"],
        2500,
        120,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "error[template-too-large]: the draft template keep.md.j2 took more than 1024 MB of memory, far more than any comment needs, and was stopped\n  \
         = help: look for a loop that doubles or repeats text (`{% set s = s ~ s %}`) without end\n\
         The template has an error: nothing was written.\n"
    );
    assert_eq!(snapshot_tree(d), before, "nothing was written");
}

/// A template that keeps the processor busy without running out of fuel (a list grown in a
/// loop: each `+` copies the whole list, so the work grows with the square of the steps while
/// the fuel grows with the steps) is stopped once it has taken the render's processor time,
/// 30 s and 1 ms per commitment, milestone and note (37 s for this plan), and nothing is
/// written.
/// Before, such a template on 45,000 commitments ran for three minutes and then wrote its
/// draft. This test takes about 37 s of processor time.
#[test]
fn a_template_that_keeps_the_processor_busy_is_stopped_by_the_time_guard() {
    let dir = tempfile::tempdir().unwrap();
    let g = crate::util::generated(dir.path(), "g", "1000", "2");
    fs::write(
        g.join("grow.md.j2"),
        "{% set ns = namespace(l=[]) %}{% for j in range(50) %}{% for i in range(100000) %}{% set ns.l = ns.l + [i] %}{% endfor %}{% endfor %}{{ ns.l | length }}",
    )
    .unwrap();
    let before = snapshot_tree(&g);
    let (code, err, _) = crate::util::bounded(
        &g,
        &["draft", "--template", "grow.md.j2", "-o", "out.md"],
        1000,
        300,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "error[template-too-slow]: the draft template grow.md.j2 kept the processor busy for more than 37 s, far longer than any draft of this plan needs, and was stopped\n  \
         = help: look for a list or a text grown in a loop over the commitments (`{% set ns.l = ns.l + [c] %}` copies the whole list at every step), or a loop inside such a loop\n\
         The template has an error: nothing was written.\n"
    );
    assert_eq!(snapshot_tree(&g), before, "nothing was written");
}

/// A draft with its appendix of 3,000 commitments × 5 evaluators × 8 criteria (near the OGP
/// database's size, within a few seconds in a debug build) under a 250 MB ceiling on the
/// address space. Before each commitment's context was built only when the template reached
/// it (and before the appendix tested commitments inside its loop), this needed 356 MB of
/// address space; now 175 MB (debug build, 2 cores). glibc reserves 64 MB of address space
/// for each thread's allocator arena, so the number of arenas is fixed at two
/// (`MALLOC_ARENA_MAX`, ignored elsewhere) for the ceiling not to depend on the cores.
#[test]
fn a_draft_with_its_appendix_of_3000_commitments_stays_under_250_mb() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::util::generated(d, "g", "3000", "5");
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -v {}; exec '{}' draft . --appendix --output - > /dev/null",
                250 * 1024,
                bin().display()
            ),
        ])
        .current_dir(d.join("g"))
        .env("NO_COLOR", "1")
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "9004 places left to write (marked [[…]]).\n");
}

/// A draft of 5,000 commitments × 5 evaluators × 8 criteria (OGP's database's size) under a
/// 160 MB ceiling on the address space, with one malloc arena (so that the ceiling measures
/// what the program allocates, plus the template thread's 64 MB stack). Each commitment is
/// assessed when the template reaches it and freed when it moves on: this needs 121–130 MB
/// (loading the folder, `validate`, under 80 MB). When every commitment's results were built
/// first and held for the whole render, it needed 181–220 MB, and grew with the plan by about
/// 18 kB a commitment (914 MB at the plan limit of 50,000; now 241 MB).
#[test]
fn a_draft_of_5000_commitments_holds_one_commitment_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::util::generated(d, "g", "5000", "5");
    let (code, err, _) =
        crate::util::bounded_heap(&d.join("g"), &["draft", ".", "--output", "-"], 160, 300);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "15004 places left to write (marked [[…]]).\n");
}

/// A Word file whose text is large for its plan: 100 commitments, each with a 108 kB
/// description (a 13 MB draft). The document's XML (14 MB) goes to the compressor in pieces
/// as it is made, and each paragraph's text is one run: this needs 183 MB of address space in
/// a debug build with one malloc arena (the Markdown draft 165 MB, `validate` of the folder
/// 110 MB). When the XML was gathered whole before it was compressed, with a run for every
/// piece of text between two characters that might have been markup (84 MB of XML), it
/// needed 286 MB (and 418 MB in a release build at the plan limit of 50,000 commitments,
/// now 310 MB).
#[test]
fn a_word_file_is_compressed_as_it_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let description = "Lorem ipsum dolor sit amet & co <b> ".repeat(3000);
    let mut plan = String::from(
        "[plan]\ncountry = \"Benchland\"\ntitle = \"Plan\"\n\n[assessment]\nas_of = 2020-01-01\n",
    );
    let mut scores =
        String::from("evaluator,commitment,milestone,criterion,level,evidence,comment\n");
    for i in 0..100 {
        plan.push_str(&format!(
            "\n[[commitment]]\nid = \"c{i}\"\ntitle = \"Commitment {i}\"\ndescription = \"{description}\"\n"
        ));
        scores.push_str(&format!("a,c{i},,relevance,Clear,,\n"));
    }
    fs::create_dir_all(d.join("scores")).unwrap();
    fs::write(d.join("plan.toml"), plan).unwrap();
    fs::write(d.join("scores/s.csv"), scores).unwrap();
    let (code, err, _) =
        crate::util::bounded_heap(d, &["draft", ".", "--docx", "--output", "d.docx"], 230, 300);
    assert_eq!(code, 0, "{err}");
    let xml = docx_part(&d.join("d.docx"), "word/document.xml");
    assert_eq!(
        xml.matches("Lorem ipsum dolor sit amet &amp; co").count(),
        100 * 3000
    );
    assert!(
        xml.ends_with("</w:body></w:document>"),
        "{}",
        &xml[xml.len() - 200..]
    );
}

/// An assessment as `import ogp` leaves it (OGP's ids as `ogp_id`, the IRM's ratings in
/// scores/irm.csv on the IRM's legacy rubric), then taken up by a coalition rating on
/// check-my-ogp: its own ids, milestones, and the IRM named as the reference.
fn imported_then_rated(dir: &Path) {
    fs::create_dir_all(dir.join("scores")).unwrap();
    fs::write(
        dir.join("plan.toml"),
        "[plan]\ncountry = \"Paraguay\"\ntitle = \"Fourth National Action Plan 2018–2020\"\nstart = 2018-09-01\nend = 2020-08-31\norganisation = \"Coalición de Gobierno Abierto\"\n\n\
         [assessment]\nrubric = \"check-my-ogp\"\nas_of = 2020-08-31\nreference = \"irm\"\n\n\
         [[evaluator]]\nid = \"irm\"\nname = \"Independent Reporting Mechanism\"\norganisation = \"Open Government Partnership\"\nrole = \"irm\"\n\n\
         [[evaluator]]\nid = \"cea\"\norganisation = \"Centro de Estudios Ambientales\"\n\n\
         [[evaluator]]\nid = \"idea\"\norganisation = \"Instituto de Derecho y Economía Ambiental\"\n\n\
         [[commitment]]\nid = \"1\"\nogp_id = \"PY0038\"\ntitle = \"Open contracting in public works\"\nlead = \"Dirección Nacional de Contrataciones Públicas\"\n\
         description = \"Publish every public works contract in the Open Contracting Data Standard.\"\n\n\
         [[commitment.milestone]]\nid = \"1.1\"\ntitle = \"Publish contracts in OCDS\"\ndue = 2019-12-31\n\n\
         [[commitment.milestone]]\nid = \"1.2\"\ntitle = \"Train citizen monitors\"\ndue = 2020-06-30\n\n\
         [[commitment]]\nid = \"2\"\nogp_id = \"PY0039\"\ntitle = \"Access to environmental information\"\nlead = \"Ministerio del Ambiente\"\n\n\
         [[commitment.milestone]]\nid = \"2.1\"\ntitle = \"Open the environmental licences register\"\ndue = 2020-03-31\n",
    )
    .unwrap();
    fs::write(
        dir.join("scores/irm.csv"),
        "evaluator,commitment,milestone,criterion,level,evidence,comment\n\
         irm,PY0038,,access-to-information,Yes,https://www.opengovpartnership.org/members/paraguay/commitments/PY0038/,\"OGP data, column \"\"OGP Value Access To Information\"\"\"\n\
         irm,PY0038,,completion,Limited,,The portal publishes only a third of the contracts.\n\
         irm,PY0038,,did-it-open-government,Marginal,,\n\
         irm,PY0039,,completion,Substantial,,\n\
         irm,PY0039,,potential-impact,Moderate,,\n",
    )
    .unwrap();
    fs::write(
        dir.join("scores/coalition.csv"),
        "evaluator,commitment,milestone,criterion,level,evidence,comment,next_steps\n\
         cea,1,1.1,completion,Complete,https://www.contrataciones.gov.py/datos,All contracts since 2019 are published.,\n\
         cea,1,1.2,completion,Substantial,Training attendance lists,,Extend the training to the departments\n\
         cea,1,,results,Major,,,\n\
         idea,1,1.1,completion,Complete,https://www.contrataciones.gov.py/datos,,\n\
         idea,1,1.2,completion,Substantial,Training attendance lists,,\n\
         idea,1,,results,Major,,,\n\
         cea,2,2.1,completion,Substantial,https://www.mades.gov.py/licencias,,\n\
         idea,2,2.1,completion,Substantial,https://www.mades.gov.py/licencias,,\n",
    )
    .unwrap();
}

#[test]
fn an_imported_plan_rated_on_check_my_ogp_is_set_against_the_irm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    imported_then_rated(d);
    let validate = run_in(d, &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    for lang in ["en", "es", "fr"] {
        let run = run_in(d, &["draft", "-o", "-", "--language", lang]);
        assert_eq!(run.code, 0, "{lang}: {}", run.stderr);
        check_snapshot(
            &format!("draft-imported-check-my-ogp-{lang}.md"),
            &run.stdout,
        );
    }
    let en = run_in(d, &["draft", "-o", "-"]).stdout;
    for part in [
        // Matched by ogp_id, the IRM's completion mapped onto check-my-ogp's scale.
        "- **Commitment 1**, Open contracting in public works: we rate its completion **Substantial**; the IRM rated it **Limited**.\n",
        "The IRM rated it **Substantial** too.",
        // What the coalition's rubric lacks is the IRM's view alone.
        "The IRM also rated what the coalition's rubric does not ask about:\n\n- *Access to information*: Yes\n- *Did it open government?*: Marginal\n",
        "The IRM noted:\n\n> The portal publishes only a third of the contracts.\n",
    ] {
        assert!(en.contains(part), "{part}\n{en}");
    }
    // Where the import says each rating came from is not the IRM speaking.
    assert!(!en.contains("OGP data, column"), "{en}");
    // assess --format json sets the IRM's view beside the coalition's the same way.
    let json = run_in(d, &["assess", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["commitments"][0]["reference"]["irm"],
        serde_json::json!({
            "rating": null,
            "score": null,
            "levels": {"completion": "Limited", "relevance": null, "participation": null, "published-evidence": null, "results": null},
            "flags": [],
            "differs": true,
            "compared": "completion",
            "other": {"access-to-information": "Yes", "did-it-open-government": "Marginal"}
        })
    );
    // The same IRM file given with --irm, the IRM not named in the plan: the same comparison.
    let plan = fs::read_to_string(d.join("plan.toml")).unwrap();
    let start = plan.find("[[evaluator]]\nid = \"irm\"").unwrap();
    let end = plan[start..].find("\n\n").unwrap() + start + 2;
    let without =
        format!("{}{}", &plan[..start], &plan[end..]).replace("reference = \"irm\"\n", "");
    fs::write(d.join("plan.toml"), without).unwrap();
    fs::rename(d.join("scores/irm.csv"), d.join("irm.csv")).unwrap();
    let with_flag = run_in(d, &["draft", "-o", "-", "--irm", "irm.csv"]);
    assert_eq!(with_flag.code, 0, "{}", with_flag.stderr);
    assert!(
        with_flag.stdout.contains("the IRM rated it **Limited**."),
        "{}",
        with_flag.stdout
    );
}

#[test]
fn a_real_imported_plan_drafts_against_the_irm_on_any_rubric() {
    let data = root().join("../shared/data/ogp/open_parliament_0703.csv");
    let data = if data.is_file() {
        data
    } else {
        Path::new("/work/shared/data/ogp/open_parliament_0703.csv").to_path_buf()
    };
    if !data.is_file() {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: OGP's data (open_parliament_0703.csv) is not here, so drafting from a real import was not tested"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ar");
    let import = run_in(
        dir.path(),
        &[
            "import",
            "ogp",
            &data.to_string_lossy(),
            "--country",
            "Argentina",
            "--action-plan",
            "3",
            "--output",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    // The coalition keeps OGP's ids, rates on check-my-ogp, and sets the IRM beside it.
    let plan = fs::read_to_string(out.join("plan.toml"))
        .unwrap()
        .replace("rubric = \"irm-legacy\"", "rubric = \"check-my-ogp\"")
        .replace("# reference = \"irm\"", "reference = \"irm\"")
        .replace(
            "# Your coalition's evaluators",
            "[[evaluator]]\nid = \"ours\"\n\n# Your coalition's evaluators",
        );
    fs::write(out.join("plan.toml"), plan).unwrap();
    fs::write(
        out.join("scores/ours.csv"),
        "evaluator,commitment,milestone,criterion,level\nours,AR0045,,relevance,Clear\n",
    )
    .unwrap();
    let run = run_in(&out, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("The IRM also rated what the coalition's rubric does not ask about:"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_draft_says_what_the_coalition_agreed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    one_commitment(
        d,
        "[[commitment]]\nid = \"1\"\ntitle = \"One\"\ndescription = \"D.\"\n",
        "ana,1,,completion,Complete,Minutes,,\nbob,1,,completion,Limited,Minutes,,\nmeeting,1,,completion,Substantial,Minutes,,\n",
        "\n[[evaluator]]\nid = \"ana\"\norganisation = \"DEMO\"\n\n[[evaluator]]\nid = \"bob\"\norganisation = \"WSP\"\n\n\
         [[evaluator]]\nid = \"meeting\"\nname = \"Coalition meeting of 12 July 2018\"\nrole = \"consensus\"\n",
    );
    let run = run_in(d, &["draft", "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = section(&run.stdout, "1");
    assert!(
        s.contains("After discussion the coalition agreed on **Substantial**; the evaluators had rated it Complete (DEMO) and Limited (WSP).\n"),
        "{s}"
    );
    // The meeting is not one of the evaluators who monitored the plan.
    assert!(
        run.stdout.contains(
            "The plan was monitored by DEMO and WSP, each rating the commitments on their own."
        ),
        "{}",
        run.stdout
    );
    let es = run_in(d, &["draft", "-o", "-", "--language", "es"]);
    assert!(
        es.stdout.contains("Tras deliberar, la coalición acordó **Sustancial**; los evaluadores lo habían calificado como Completo (DEMO) y Limitado (WSP).\n"),
        "{}",
        es.stdout
    );
}

/// The built-in `levels` macro writes each evaluator's level as it comes (the appendix lists
/// thousands), joined as `and_list` joins the list it used to gather them into: the same text,
/// in every language, for none, one, two and more levels, "no rating" included.
#[test]
fn the_levels_macro_joins_levels_as_and_list_does() {
    let dir = tiny();
    let d = dir.path();
    fs::write(
        d.join("levels.md.j2"),
        r#"{% import "common.md.j2" as common %}
{% set a = {"level": "Complete", "who": "A"} %}{% set b = {"level": none, "who": "B (x)"} %}{% set c = {"level": "Limited", "who": "C"} %}
{% for by in [[], [a], [a, b], [a, b, c], [c, a, b, c]] %}
macro: [{{ common.levels(by) }}]
list: [{% set ns = namespace(items=[]) %}{% for l in by %}{% set ns.items = ns.items + [((l.level or t("no_rating")) | lv) ~ " (" ~ l.who ~ ")"] %}{% endfor %}{{ ns.items | and_list }}]
{% endfor %}
"#,
    )
    .unwrap();
    for language in ["en", "es", "fr", "mn"] {
        let run = run_in(
            d,
            &[
                "draft",
                "--template",
                "levels.md.j2",
                "--language",
                language,
                "-o",
                "-",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lines = |prefix: &str| -> Vec<String> {
            run.stdout
                .lines()
                .filter_map(|l| l.strip_prefix(prefix).map(str::to_string))
                .collect()
        };
        let (by_macro, by_list) = (lines("macro: "), lines("list: "));
        assert_eq!(by_macro.len(), 5, "{}", run.stdout);
        assert_eq!(by_macro, by_list, "{language}");
        if language == "en" {
            assert_eq!(
                by_macro,
                [
                    "[]",
                    "[Complete (A)]",
                    "[Complete (A) and no rating (B (x))]",
                    "[Complete (A), no rating (B (x)) and Limited (C)]",
                    "[Limited (C), Complete (A), no rating (B (x)) and Limited (C)]",
                ]
            );
        }
    }
}

/// The appendix's filters `rating_rows` and `disagreement_list` write what the built-in
/// template's loops wrote before them, which docs/templates.md (section 5) gives for templates
/// to copy (and which templates exported before the filters still have): the same text in
/// every language, on both samples (a rubric rating by score and one by criterion), with the
/// IRM's ratings set beside (the reference columns), through `commitments` and through a list
/// of its items (`commitments | reverse`).
#[test]
fn the_appendix_filters_write_what_the_loops_wrote() {
    let doc = fs::read_to_string(root().join("docs/templates.md")).unwrap();
    let after = &doc[doc
        .find("The two appendix filters write what these loops")
        .expect("docs/templates.md gives the loops")..];
    let loops: Vec<&str> = after
        .split("```jinja\n")
        .skip(1)
        .take(2)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(loops.len(), 2);
    let (rows, list) = (
        loops[0].replace("commitments", "cs"),
        loops[1].replace("commitments", "cs"),
    );
    let with_irm = sample("mongolia-2016-2018");
    fs::write(with_irm.path().join("irm.csv"), IRM_CSV).unwrap();
    fs::write(
        with_irm.path().join("both.md.j2"),
        format!(
            "{{% for cs in [commitments, commitments | reverse] %}}\n=== rows loop\n{rows}=== rows filter\n{{{{ cs | rating_rows }}}}\n=== list loop\n{list}=== list filter\n{{{{ cs | disagreement_list }}}}\n{{% endfor %}}\n=== end\n"
        ),
    )
    .unwrap();
    let (mut listed, mut rated_by_irm) = (0, 0);
    for lang in ["en", "es", "fr", "mn"] {
        for (dir, irm) in [
            (root().join("samples/mongolia-2016-2018"), false),
            (root().join("samples/mongolia-irm-legacy"), false),
            (root().join("samples/mongolia-2016-2018"), true),
        ] {
            let dir = dir.to_string_lossy().into_owned();
            let mut args = vec![
                "draft",
                &dir,
                "--template",
                "both.md.j2",
                "--appendix",
                "--language",
                lang,
                "-o",
                "-",
            ];
            if irm {
                args.extend(["--irm", "irm.csv"]);
            }
            let run = run_in(with_irm.path(), &args);
            assert_eq!(run.code, 0, "{dir} {lang}: {}", run.stderr);
            let parts: Vec<&str> = run.stdout.split("=== ").skip(1).collect();
            assert_eq!(parts.len(), 9, "{}", run.stdout);
            for pair in parts[..8].chunks(2) {
                let (by_loop, by_filter) = (
                    pair[0].split_once('\n').unwrap(),
                    pair[1].split_once('\n').unwrap(),
                );
                assert!(by_loop.0.ends_with("loop") && by_filter.0.ends_with("filter"));
                assert_eq!(
                    by_loop.1.trim_end(),
                    by_filter.1.trim_end(),
                    "{dir} {lang} irm {irm}: {}",
                    by_loop.0
                );
                assert!(!by_loop.1.trim().is_empty(), "{dir} {lang}: {}", by_loop.0);
                if by_loop.0 == "list loop" {
                    listed += by_loop.1.matches("**").count();
                }
            }
            if irm {
                // The IRM's column (before the last) has levels, not only "–".
                rated_by_irm += parts[1]
                    .lines()
                    .filter(|l| {
                        let cells: Vec<&str> = l.split('|').collect();
                        cells.len() > 3 && cells[cells.len() - 3].trim() != "–"
                    })
                    .count();
            }
        }
    }
    assert!(listed > 0 && rated_by_irm > 0, "{listed} {rated_by_irm}");
    // Anything but commitments is an error that says what to give.
    fs::write(
        with_irm.path().join("bad.md.j2"),
        "{{ [1, 2] | disagreement_list }}\n",
    )
    .unwrap();
    let run = run_in(
        with_irm.path(),
        &["draft", ".", "--template", "bad.md.j2", "-o", "-"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "disagreement_list writes the draft's commitments: give it `commitments` (or a list of its items), as in `{{ commitments | disagreement_list }}`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn every_built_in_rubric_and_language_works_with_a_sparse_plan() {
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
        for lang in ["en", "es", "fr", "mn"] {
            for extra in [&[][..], &["--appendix"][..]] {
                let mut args = vec!["draft", "--rubric", rubric, "-o", "-", "--language", lang];
                args.extend_from_slice(extra);
                let run = run_in(d, &args);
                assert_eq!(run.code, 0, "{rubric} {lang}: {}", run.stderr);
                assert!(
                    !run.stdout.contains("none"),
                    "{rubric} {lang}:\n{}",
                    run.stdout
                );
                assert!(
                    !run.stdout.contains('{'),
                    "a placeholder left: {rubric} {lang}:\n{}",
                    run.stdout
                );
                assert!(run.stdout.contains("[["), "{rubric} {lang}");
            }
        }
    }
}

#[test]
fn the_header_names_who_wrote_the_comment_grammatically_in_every_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let commitment = "[[commitment]]\nid = \"1\"\ntitle = \"One\"\n\n\
        [[commitment.event]]\ndate = 2017-03-01\ntext = \"DEMO met the ministry.\"\nsource = \"Minutes, March 2017.\"\n\n\
        [[commitment.event]]\ndate = 2018-01-31\ntext = \"The application was launched\"\nsource = \"http://eagle.mn/r/40168\"\n";
    // Evidence ending with a full stop gets no second one after the list.
    let scores = "ana,1,,completion,Complete,Minutes of the launch.,,\n";
    // (language, [comment] block, the header sentence it must give).
    let cases: [(&str, &str, &str); 10] = [
        (
            "en",
            "organisation = \"Oxfam\"\nauthors = [\"Oyuun Bat\"]",
            "The IRM received the following comment from Oyuun Bat, Oxfam.\n",
        ),
        (
            "en",
            "organisation = \"Oxfam\"\nauthors = [\"Oyuun Bat\", \"Ana Ruiz\"]",
            "The IRM received the following comment from Oyuun Bat and Ana Ruiz, Oxfam.\n",
        ),
        (
            "fr",
            "organisation = \"Oxfam\"\nauthors = [\"Oyuun Bat\"]",
            "L'IRM a reçu le commentaire suivant, rédigé par Oyuun Bat au nom d'Oxfam.\n",
        ),
        (
            "fr",
            "organisation = \"Transparency Network\"\nauthors = [\"Oyuun Bat\", \"Élise Roy\"]",
            "L'IRM a reçu le commentaire suivant, rédigé par Oyuun Bat et Élise Roy au nom de Transparency Network.\n",
        ),
        (
            "fr",
            "organisation = \"Oxfam\"",
            "L'IRM a reçu le commentaire suivant d'Oxfam.\n",
        ),
        (
            "fr",
            "organisation = \"Hivos\"",
            "L'IRM a reçu le commentaire suivant de Hivos.\n",
        ),
        (
            "es",
            "organisation = \"el Centro de Estudios\"\nauthors = [\"Oyuun Bat\"]",
            "El IRM recibió el siguiente comentario, escrito por Oyuun Bat en nombre del Centro de Estudios.\n",
        ),
        (
            "es",
            "organisation = \"El Salvador Abierto\"\nauthors = [\"Ana Ruiz\", \"Oyuun Bat\"]",
            "El IRM recibió el siguiente comentario, escrito por Ana Ruiz y Oyuun Bat en nombre de El Salvador Abierto.\n",
        ),
        (
            "es",
            "organisation = \"el Centro de Estudios\"",
            "El IRM recibió el siguiente comentario del Centro de Estudios.\n",
        ),
        (
            "mn",
            "organisation = \"DEMO\"\nauthors = [\"Oyuun Bat\"]",
            "IRM дараах саналыг DEMO-ийн Oyuun Bat-аас хүлээн авсан.\n",
        ),
    ];
    for (lang, comment, header) in cases {
        one_commitment(d, commitment, scores, &format!("\n[comment]\n{comment}\n"));
        let run = run_in(d, &["draft", "-o", "-", "--language", lang]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(header),
            "{lang} {comment}\n{}",
            run.stdout
        );
    }
    // Without authors nor organisation there is no header sentence, only a place to write.
    one_commitment(d, commitment, scores, "");
    let run = run_in(d, &["draft", "-o", "-", "--language", "fr"]);
    assert!(!run.stdout.contains("L'IRM a reçu"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "[[Qui a écrit ce commentaire, pour quelle organisation, et comment le joindre]]"
        ),
        "{}",
        run.stdout
    );
    // An event's source is inside its sentence, before the full stop, in every language.
    for (lang, events) in [
        (
            "en",
            "- **1 March 2017**: DEMO met the ministry (source: Minutes, March 2017).\n- **31 January 2018**: The application was launched (source: <http://eagle.mn/r/40168>).\n",
        ),
        (
            "es",
            "- **1 de marzo de 2017**: DEMO met the ministry (fuente: Minutes, March 2017).\n- **31 de enero de 2018**: The application was launched (fuente: <http://eagle.mn/r/40168>).\n",
        ),
        (
            "fr",
            "- **1er mars 2017** : DEMO met the ministry (source : Minutes, March 2017).\n- **31 janvier 2018** : The application was launched (source : <http://eagle.mn/r/40168>).\n",
        ),
    ] {
        let run = run_in(d, &["draft", "-o", "-", "--language", lang]);
        assert!(run.stdout.contains(events), "{lang}\n{}", run.stdout);
    }
    let en = run_in(d, &["draft", "-o", "-"]);
    assert!(
        en.stdout.contains("Sources: Minutes of the launch.\n"),
        "{}",
        en.stdout
    );
    assert!(!en.stdout.contains(".."), "{}", en.stdout);
    let mn = run_in(d, &["draft", "-o", "-", "--language", "mn"]);
    assert!(
        mn.stdout
            .contains("DEMO met the ministry (эх сурвалж: Minutes, March 2017).\n"),
        "{}",
        mn.stdout
    );
}

/// `strace` itself, when it is installed and may trace (a container may forbid it).
fn strace() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("strace"))
        .find(|p| p.is_file())?;
    let works = Command::new(&found)
        .args(["-qq", "-o", "/dev/null", "true"])
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    works.then_some(found)
}

/// What `strace` saw of `calls` (a comma-separated list of system calls) while the tool ran
/// `args` in `dir`, which must succeed.
fn traced(strace: &Path, dir: &Path, calls: &str, args: &[&str]) -> String {
    let trace = dir.join("trace.txt");
    let out = Command::new(strace)
        .arg("-f")
        .arg("-qq")
        .args(["-e", &format!("trace={calls}"), "-o"])
        .arg(&trace)
        .arg(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    fs::read_to_string(&trace).unwrap()
}

#[test]
fn split_records_every_file_in_the_ledger_with_one_append() {
    let dir = sample("mongolia-2016-2018");
    let d = dir.path();
    let run = run_in(d, &["draft", "--split", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut written: Vec<String> = fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".checkmyogp-written")
        .collect();
    written.sort();
    // The overview and the sample's seven commitments.
    assert_eq!(written.len(), 8, "{written:?}");
    let ledger = fs::read_to_string(d.join("out/.checkmyogp-written")).unwrap();
    let mut recorded: Vec<String> = ledger
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(ledger.lines().count(), 1 + 8, "{ledger}");
    recorded.sort();
    assert_eq!(recorded, written);

    // Made again from the same assessment: every file already holds its text, and nothing is
    // written, not even the ledger; each file keeps its inode (it was not replaced).
    let inodes = |d: &Path| -> Vec<u64> {
        use std::os::unix::fs::MetadataExt;
        let mut files: Vec<_> = fs::read_dir(d.join("out"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| fs::metadata(p).unwrap().ino())
            .collect()
    };
    let (before, inodes_before) = (snapshot_tree(d), inodes(d));
    let again = run_in(d, &["draft", "--split", "out"]);
    assert_eq!(
        again.stderr,
        "(1 warning; `checkmyogp validate` shows them)\n\
         nothing to write in out (7 commitments): its 8 files already hold this draft.\n  \
         1 place left to write (marked [[…]]).\n  \
         Edit them freely: checkmyogp never overwrites your edits unless you add --force.\n"
    );
    assert_eq!(snapshot_tree(d), before);
    assert_eq!(inodes(d), inodes_before);

    // The ledger is opened for appending once per run, not once per file (every file changes
    // with the language).
    if let Some(strace) = strace() {
        let args = ["draft", "--split", "out", "--language", "es"];
        let trace = traced(&strace, d, "openat,open", &args);
        let appends = trace
            .lines()
            .filter(|l| l.contains(".checkmyogp-written") && l.contains("O_APPEND"))
            .count();
        assert_eq!(appends, 1, "{trace}");
        let ledger = fs::read_to_string(d.join("out/.checkmyogp-written")).unwrap();
        assert_eq!(ledger.lines().count(), 1 + 2 * 8, "{ledger}");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the count of ledger appends: strace is not installed or may not trace"
        );
    }

    // Back in English, where one file had changed: it alone is written.
    if strace().is_none() {
        assert_eq!(
            run_in(d, &["draft", "--split", "out", "--language", "es"]).code,
            0
        );
    }
    assert_eq!(run_in(d, &["draft", "--split", "out"]).code, 0);
    fs::write(d.join("out/05-5.md"), "edited\n").unwrap();
    let inodes_before = inodes(d);
    let forced = run_in(d, &["draft", "--split", "out", "--force"]);
    assert_eq!(
        forced.stderr,
        "(1 warning; `checkmyogp validate` shows them)\n\
         wrote 1 of the 8 files in out (7 commitments); the other 7 already held this draft.\n  \
         1 place left to write (marked [[…]]).\n  \
         Edit them freely: checkmyogp never overwrites your edits unless you add --force.\n"
    );
    let inodes_after = inodes(d);
    let replaced: Vec<usize> = (0..inodes_after.len())
        .filter(|&i| inodes_after[i] != inodes_before[i])
        .collect();
    // In name order: the ledger, 01-1.md … 07-7.md, overview.md.
    assert_eq!(replaced, [5], "05-5.md alone is replaced");

    // An edited file is still refused, and nothing is written; --force replaces it.
    fs::write(d.join("out/03-3.md"), "edited\n").unwrap();
    let before = snapshot_tree(d);
    let refused = run_in(d, &["draft", "--split", "out"]);
    assert_eq!(refused.code, 1);
    assert_eq!(
        refused.stderr,
        "(1 warning; `checkmyogp validate` shows them)\n\
         error: out/03-3.md was changed since checkmyogp wrote it (or was not written by checkmyogp)\n  \
         Nothing was written: the file was left as it is so that no edits are lost.\n  \
         To keep the edits and get a fresh copy, write it elsewhere (for example --split draft-new) and merge the two;\n  \
         to replace it and lose the edits, add --force.\n"
    );
    assert_eq!(snapshot_tree(d), before, "nothing was written");
    let forced = run_in(d, &["draft", "--split", "out", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_ne!(
        fs::read_to_string(d.join("out/03-3.md")).unwrap(),
        "edited\n"
    );
}

/// A temporary folder holding `plan/`, a generated assessment of `commitments` commitments
/// (two evaluators, two criteria).
fn generated_plan(commitments: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let count = commitments.to_string();
    let made = run_in(
        dir.path(),
        &[
            "generate",
            "plan",
            "--commitments",
            &count,
            "--evaluators",
            "2",
            "--criteria",
            "2",
        ],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    dir
}

#[test]
fn a_split_of_many_commitments_keeps_few_files_open_and_syncs_each_before_renaming() {
    // Every file waits, written and closed, until the last is rendered: a run must not hold
    // one open file per commitment (macOS allows 256, most Linux systems 1,024).
    let dir = generated_plan(300);
    let d = dir.path();
    let script = format!(
        "ulimit -n 64; exec '{}' draft plan --split out",
        bin().display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let written = fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".checkmyogp-written")
        .collect::<Vec<_>>();
    // The overview and 300 commitments, no temporary file left.
    assert_eq!(written.len(), 301, "{written:?}");
    assert!(!written.iter().any(|n| n.ends_with(".tmp")), "{written:?}");

    // Each file is synced before any is renamed over its target: 301 files and the ledger's
    // append, all before the first rename.
    if let Some(strace) = strace() {
        // In another language, so that every file changes (files that already hold their
        // text are left as they are).
        let args = ["draft", "plan", "--split", "out", "--language", "fr"];
        let trace = traced(&strace, d, "fsync,rename,renameat,renameat2", &args);
        let lines: Vec<&str> = trace.lines().filter(|l| !l.contains("resumed>")).collect();
        let syncs: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].contains("fsync("))
            .collect();
        let renames: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].contains("rename"))
            .collect();
        assert_eq!(syncs.len(), 302, "{trace}");
        assert_eq!(renames.len(), 301, "{trace}");
        assert!(syncs.last() < renames.first(), "{trace}");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the count of syncs: strace is not installed or may not trace"
        );
    }
}

#[test]
fn a_split_refuses_an_edited_file_wherever_it_is_and_looks_at_the_ledger_once_per_pass() {
    // The targets are checked on several threads before anything is written: an edited file
    // is refused, with the same message, whether it comes first, in the middle or last.
    let dir = generated_plan(200);
    let d = dir.path();
    let run = run_in(d, &["draft", "plan", "--split", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names = names_in(&d.join("out"));
    names.retain(|n| n != ".checkmyogp-written");
    // The overview comes first in plan order, then the commitments.
    let overview = names.iter().position(|n| n == "overview.md").unwrap();
    let mut order = vec![names.remove(overview)];
    order.extend(names);
    assert_eq!(order.len(), 201);
    for at in [0, 1, 100, 199, 200] {
        let name = &order[at];
        let path = d.join("out").join(name);
        let kept = fs::read(&path).unwrap();
        fs::write(&path, "edited by a person\n").unwrap();
        let before = snapshot_tree(d);
        let refused = run_in(d, &["draft", "plan", "--split", "out", "--language", "fr"]);
        assert_eq!(refused.code, 1, "{}", refused.stderr);
        assert_eq!(
            refused.stderr,
            format!(
                "error: out/{name} was changed since checkmyogp wrote it (or was not written by checkmyogp)\n  \
                 Nothing was written: the file was left as it is so that no edits are lost.\n  \
                 To keep the edits and get a fresh copy, write it elsewhere (for example --split draft-new) and merge the two;\n  \
                 to replace it and lose the edits, add --force.\n"
            )
        );
        assert_eq!(snapshot_tree(d), before, "nothing was written ({name})");
        fs::write(&path, kept).unwrap();
    }
    // Three edited at once are told in plan order.
    for at in [200, 0, 57] {
        fs::write(d.join("out").join(&order[at]), "edited\n").unwrap();
    }
    let refused = run_in(d, &["draft", "plan", "--split", "out"]);
    let told: Vec<&str> = refused
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: out/"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(told, [&order[0], &order[57], &order[200]]);
    assert_eq!(
        run_in(d, &["draft", "plan", "--split", "out", "--force"]).code,
        0
    );

    // The ledger is looked at a few times in a run, not once per target (every file changes
    // with the language).
    if let Some(strace) = strace() {
        let args = ["draft", "plan", "--split", "out", "--language", "es"];
        let trace = traced(&strace, d, "stat,lstat,newfstatat,statx", &args);
        let ledger = trace
            .lines()
            .filter(|l| l.contains(".checkmyogp-written"))
            .count();
        assert!((1..=6).contains(&ledger), "{ledger} looks: {trace}");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the count of the ledger's looks: strace is not installed or may not trace"
        );
    }
}

#[test]
fn a_split_rendered_on_several_threads_reports_the_first_failing_commitment() {
    // Commitments are rendered on as many threads as there are cores; when two fail, the
    // error told is always the one of the commitment that comes first in the plan, and nothing
    // is left behind.
    let dir = generated_plan(200);
    let d = dir.path();
    fs::write(
        d.join("t.md.j2"),
        "{% if part == \"commitment\" %}{% set id = commitments[0].id %}\n\
         {% if id == \"c3\" %}\n{{ fails_second }}\n\
         {% elif id == \"c2\" %}\n{{ fails_first }}\n{% endif %}x{% endif %}\n",
    )
    .unwrap();
    for _ in 0..5 {
        let run = run_in(
            d,
            &["draft", "plan", "--template", "t.md.j2", "--split", "out"],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("`fails_first` is undefined"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("fails_second"), "{}", run.stderr);
        assert!(!d.join("out").exists(), "nothing is left behind");
    }
}

#[test]
fn draft_to_a_terminal_shows_control_characters_instead_of_obeying_them() {
    let dir = sample("mongolia-2016-2018");
    let d = dir.path();
    let scores = d.join("scores/demo.csv");
    let text = fs::read_to_string(&scores).unwrap();
    let attack = "never\u{1b}[2J\u{1b}]52;c;aGk=\u{1b}\\ started";
    assert!(text.contains("never started"));
    fs::write(&scores, text.replace("never started", attack)).unwrap();

    // Into a pipe or a file, the text is kept as it is (Markdown-escaped, not stripped).
    let piped = run_in(d, &["draft", "--output", "-"]);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped
            .stdout
            .contains("never\u{1b}\\[2J\u{1b}\\]52;c;aGk=\u{1b}\\\\ started"),
        "{}",
        piped.stdout
    );
    assert_eq!(run_in(d, &["draft", "--output", "kept.md"]).code, 0);
    assert_eq!(fs::read_to_string(d.join("kept.md")).unwrap(), piped.stdout);

    let Some(script) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("script"))
            .find(|p| p.is_file())
    }) else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the terminal half: `script` (util-linux) is not installed"
        );
        return;
    };
    let command = format!("'{}' draft . --output -", bin().display());
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n");
    assert!(
        !shown.contains('\u{1b}'),
        "no control character reaches the terminal: {shown:?}"
    );
    // The same draft, each escape character shown as `\u{1b}`; then the message of stderr.
    // (The sample's one warning comes first.)
    let expected = format!(
        "(1 warning; `checkmyogp validate` shows them)\n{}",
        piped.stdout.replace('\u{1b}', "\\u{1b}")
    );
    assert!(shown.starts_with(&expected), "{shown}");
    assert!(shown[expected.len()..].contains("left to write (marked"));
}
