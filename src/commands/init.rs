//! `checkmyogp init DIR [--rubric ID]`: a ready-to-fill assessment folder. It holds a
//! `plan.toml` that `validate` accepts as it is (example evaluators, commitments and
//! milestones to replace, and every optional key shown commented out with what it does), a
//! `scores/` folder with a README showing the score-file form for the chosen rubric, and a
//! short README.md for the team. It only ever fills a new or empty folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::cli::{InputArgs, Outcome, PartArgs};
use crate::diag::Report;
use crate::load::{self, builtin};
use crate::model::{Rubric, Scope};
use crate::sheet::{self, Layout};
use crate::source::SourceMap;

const EXAMPLES: &str = "\
Examples:
  checkmyogp init my-assessment
  checkmyogp init nap-2024-irm --rubric irm-refresh

Then edit my-assessment/plan.toml and run `checkmyogp validate my-assessment`.
The folder's README.md lists the next steps.";

/// Start a new assessment: a folder with a plan.toml to fill in, scores/ and a README.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The folder to create (it may exist, but must be empty).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The built-in rubric the evaluators will answer (`checkmyogp rubric list` describes them).
    #[arg(long, value_name = "ID", default_value = builtin::DEFAULT_RUBRIC, value_parser = rubric_ids())]
    pub rubric: String,
}

/// `--rubric` accepts the built-in ids; clap suggests the closest one on a typo.
fn rubric_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        builtin::BUILTIN
            .iter()
            .map(|b| PossibleValue::new(b.id).help(b.summary)),
    )
}

/// The example evaluators of the new plan (the first one is used in the examples).
const EXAMPLE_EVALUATORS: [&str; 2] = ["org-a", "org-b"];

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let dir = &args.dir;
    if let Some(listing) = crate::write::occupied(dir)? {
        bail!(
            "{} is not empty (it holds {listing}): init only fills a new or empty folder, so that nothing \
             is overwritten.\nGive a new folder name, e.g. `checkmyogp init {}-new`.",
            dir.display(),
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "assessment".into())
        );
    }
    let rubric = builtin_rubric(&args.rubric)?;

    std::fs::create_dir_all(dir.join("scores"))
        .with_context(|| format!("could not create the folder {}", dir.display()))?;
    let plan_text = plan_toml(&rubric);
    write_new(&dir.join("plan.toml"), &plan_text)?;

    // Read the new plan back, as every command will: this also lays out the example sheet.
    let input = InputArgs::new(
        dir.clone(),
        PartArgs {
            plan: None,
            rubric: None,
            scores: Vec::new(),
        },
    );
    let Some((plan, rubric)) = super::sheet::load_plan_and_rubric(&input)? else {
        bail!("the new plan.toml could not be read back; please report this as a bug");
    };
    let layout = Layout::new(&plan, &rubric);
    let example = sheet::csv(&plan, &rubric, &layout, EXAMPLE_EVALUATORS[0])?;
    write_new(
        &dir.join("scores").join("README.md"),
        &scores_readme(&rubric, &layout, &example),
    )?;
    write_new(&dir.join("README.md"), &team_readme(&rubric))?;

    let shown = crate::source::display_path(dir);
    let mut err = crate::terminal::stderr();
    writeln!(
        err,
        "created {shown}/ for the `{}` rubric: plan.toml, README.md, scores/README.md\n\
         Next: replace the examples in {shown}/plan.toml with your plan, then run\n  \
         checkmyogp validate {shown}\n\
         {shown}/README.md lists the steps after that.",
        rubric.id
    )?;
    Ok(Outcome::Ok)
}

fn builtin_rubric(id: &str) -> anyhow::Result<Rubric> {
    let mut report = Report::new();
    let mut sources = SourceMap::default();
    let rubric = load::load_rubric(id, Path::new("."), &mut sources, &mut report, None);
    match rubric {
        Some(r) if !report.has_errors() => Ok(r),
        _ => bail!("the built-in rubric `{id}` could not be read; please report this as a bug"),
    }
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::write::write_output(path, text.as_bytes(), false)
        .with_context(|| format!("could not write {}", path.display()))
}

fn milestone_criteria(rubric: &Rubric) -> Vec<&str> {
    rubric
        .criteria
        .iter()
        .filter(|c| c.scope == Scope::Milestone)
        .map(|c| c.id.as_str())
        .collect()
}

/// The new plan.toml: valid as it is, with the examples to replace.
pub fn plan_toml(rubric: &Rubric) -> String {
    let per_milestone = milestone_criteria(rubric);
    let milestone_note = if per_milestone.is_empty() {
        format!(
            "# The `{}` rubric rates each commitment as a whole; milestones are still\n\
             # worth listing: their due dates decide what is overdue.",
            rubric.id
        )
    } else {
        format!(
            "# The `{}` rubric rates {} per milestone: list every milestone of\n\
             # each commitment, as the action plan words them.",
            rubric.id,
            per_milestone
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    PLAN_TEMPLATE
        .replace("@RUBRIC@", &rubric.id)
        .replace("@MILESTONE_NOTE@", &milestone_note)
}

const PLAN_TEMPLATE: &str = r#"# =============================================================================
# plan.toml: the action plan you assess, and how you assess it.
# =============================================================================
# Made by `checkmyogp init` for the `@RUBRIC@` rubric. Everything marked
# EXAMPLE is there to be replaced with your own plan: the country, the
# evaluators, the commitments and their milestones. Then run, in this folder:
#
#     checkmyogp validate
#
# Lines starting with # are comments. To use an optional key, remove the # in
# front of it. Text goes in "double quotes"; dates are YYYY-MM-DD, without
# quotes. Every key is explained in docs/formats.md of CHECK MY OGP.
# =============================================================================

[plan]
# The OGP member: a country, or a local member such as a city.
country = "Exampleland"                                   # EXAMPLE
# The plan's title, as the government published it.
title = "Third National Action Plan 2024–2026 (example)"  # EXAMPLE
# The first and the last day of the plan.
start = 2024-09-01
end = 2026-08-31
# Who carries out this assessment (your coalition); shown in reports.
# organisation = "Civil Society Coalition for OGP Exampleland"
# The language of your texts, as a code such as "en", "es", "fr" or "mn".
# language = "en"

[assessment]
# The rubric: the questions the evaluators answer. A built-in rubric
# (check-my-ogp, irm-legacy, irm-refresh) or your own rubric file, e.g.
# "my-rubric.toml" (`checkmyogp rubric export @RUBRIC@ --output my-rubric.toml`
# writes a copy to adapt). `checkmyogp rubric show @RUBRIC@` describes it.
rubric = "@RUBRIC@"
# Which score files to read, relative to this file (default: every .csv,
# .xlsx and .ods file in scores/).
# scores = ["scores/*.csv", "scores/*.xlsx"]
# The date of your review: milestones due before it and not complete are
# overdue. Set it so that results do not change from one day to the next
# (default: the day a command runs).
# as_of = 2025-09-30
# Evaluators whose ratings are an outside view, such as the IRM or the
# government's self-assessment: shown beside your combined rating, never
# combined into it.
# reference = ["irm"]

# -----------------------------------------------------------------------------
# Evaluators: who rates. While at least one is listed, score files may only use
# these ids, so a typo is caught instead of becoming a new evaluator. Delete
# all [[evaluator]] blocks to accept any id.
# -----------------------------------------------------------------------------
[[evaluator]]
# The short id written in the `evaluator` column of score files (lowercase
# letters, digits and -). Unique.
id = "org-a"                                              # EXAMPLE
# A readable name: a person or a team.
name = "Monitoring team of organisation A (example)"
# The organisation the evaluator belongs to.
# organisation = "Organisation A"
# civil-society, government, irm or other (default: other).
role = "civil-society"

[[evaluator]]
id = "org-b"                                              # EXAMPLE
name = "Monitoring team of organisation B (example)"
role = "civil-society"

# An outside view, for comparison: remove the # signs below, and add "irm" to
# `reference` in [assessment] above.
# [[evaluator]]
# id = "irm"
# name = "IRM researcher"
# organisation = "Open Government Partnership, Independent Reporting Mechanism"
# role = "irm"

# -----------------------------------------------------------------------------
# Commitments: one [[commitment]] block per commitment of the action plan,
# each followed by its [[commitment.milestone]] blocks.
@MILESTONE_NOTE@
# -----------------------------------------------------------------------------
[[commitment]]
# The commitment's number in the plan: what score files write in the
# `commitment` column. Text, so in quotes: "1", "3.2". Unique.
id = "1"                                                  # EXAMPLE
# The commitment's title.
title = "Publish the state budget as open data (example)"
# The lead agency: the institution responsible.
lead = "Ministry of Finance"
# Supporting institutions, civil-society partners included.
# supporting = ["National Audit Office", "Budget monitoring groups"]
# The OGP values the plan claims for it, from access-to-information,
# civic-participation, public-accountability and technology-innovation.
# values = ["access-to-information", "public-accountability"]
# Policy areas, in your own words.
# themes = ["Fiscal openness"]
# When the work starts, and when it should be finished.
start = 2024-09-01
end = 2026-06-30
# The commitment's id on OGP's website (2–3 letters and 4 digits).
# ogp_id = "XX0001"
# Context and objectives: the problem, the situation before the plan, and
# what the commitment should change. Several lines go between """ and """.
# description = """
# Context: ...
# Objectives: ..."""

[[commitment.milestone]]
# The milestone's id, unique in the plan: what score files write in the
# `milestone` column.
id = "1.1"                                                # EXAMPLE
# What the plan promised.
title = "Publish the 2025 budget in machine-readable formats"
# When work on it starts (optional; not after `due`).
# start = 2024-10-01
# When it is due: after this date it is overdue unless complete.
due = 2025-03-31
# Its weight in the commitment's completion, if it counts more or less than
# the others (default 1).
# weight = 2

[[commitment.milestone]]
id = "1.2"                                                # EXAMPLE
title = "Hold public hearings on the draft 2026 budget"
due = 2025-11-30

[[commitment]]
id = "2"                                                  # EXAMPLE
title = "A public register of lobbying meetings (example)"
lead = "Ministry of Justice"
start = 2024-09-01
end = 2026-08-31

[[commitment.milestone]]
id = "2.1"                                                # EXAMPLE
title = "Adopt a decree on the register"
due = 2025-06-30

[[commitment.milestone]]
id = "2.2"                                                # EXAMPLE
title = "Launch the online register"
due = 2026-06-30
"#;

/// scores/README.md: what goes in this folder, with the score-file form for the rubric.
fn scores_readme(rubric: &Rubric, layout: &Layout, example: &str) -> String {
    let columns = layout.columns(rubric);
    let per_milestone = milestone_criteria(rubric);
    let per_commitment: Vec<&str> = rubric
        .criteria
        .iter()
        .filter(|c| c.scope == Scope::Commitment)
        .map(|c| c.id.as_str())
        .collect();
    let mut rows = String::new();
    if !per_commitment.is_empty() {
        rows.push_str(&format!(
            "- A row **without a milestone** rates the commitment: fill in {}.\n",
            list(&per_commitment)
        ));
    }
    if !per_milestone.is_empty() {
        rows.push_str(&format!(
            "- A row **with a milestone** rates that milestone: fill in {} only.\n",
            list(&per_milestone)
        ));
    }
    let evidence: Vec<String> = rubric
        .criteria
        .iter()
        .filter_map(|c| {
            c.evidence_from
                .map(|e| format!("`{}` {} or higher", c.id, c.label(e)))
        })
        .collect();
    let evidence = if evidence.is_empty() {
        String::new()
    } else {
        format!(
            "- Ratings of {} need evidence: a link or a precise document reference in `evidence`.\n",
            evidence.join(", ")
        )
    };
    format!(
        "# Score files\n\n\
         Put the evaluators' filled-in scoring sheets here, one file per evaluator (for example\n\
         `org-a.csv`). Every score file in this folder is read and combined; this README is not.\n\n\
         Make each evaluator's blank sheet with `checkmyogp sheet` (run it in the assessment folder):\n\n\
         ```sh\n\
         checkmyogp sheet --evaluator org-a                  # sheet-org-a.csv\n\
         checkmyogp sheet --evaluator org-a --format xlsx    # sheet-org-a.xlsx, with drop-down lists\n\
         ```\n\n\
         For the `{id}` rubric a sheet has these columns (the \"wide form\" of docs/formats.md §5.2):\n\n\
         ```text\n{header}\n```\n\n\
         {rows}\
         - Each criterion cell holds one of the criterion's levels (`checkmyogp rubric show {id}`\n  \
           lists them). Leave it blank when you did not look; write `n/a` when you looked but\n  \
           cannot rate.\n\
         {evidence}\
         - `evidence`, `comment` and `next_steps` are free text for the whole row.\n\n\
         The blank sheet of evaluator `org-a` for the example plan:\n\n\
         ```csv\n{example}```\n\n\
         Check the files with `checkmyogp validate` after every change.\n",
        id = rubric.id,
        header = columns.join(","),
    )
}

fn list(ids: &[&str]) -> String {
    crate::suggest::one_of(ids, 20).replace(" or ", " and ")
}

/// The team's README.md.
fn team_readme(rubric: &Rubric) -> String {
    TEAM_README.replace("@RUBRIC@", &rubric.id)
}

const TEAM_README: &str = r#"# Our assessment of the OGP action plan

This folder is a CHECK MY OGP assessment, made by `checkmyogp init` for the `@RUBRIC@`
rubric. Run every command below in this folder (or give the folder's path after the command).

| file | what it is |
|---|---|
| `plan.toml` | the action plan (commitments, milestones, deadlines), the evaluators and the settings |
| `scores/` | one filled-in scoring sheet per evaluator |

## 1. Describe the plan

Open `plan.toml` in a text editor and replace everything marked `EXAMPLE`: the country and the
plan's title, the evaluators (one `[[evaluator]]` per person, team or organisation who rates),
and the commitments with their milestones and due dates, as the action plan words them. The
comments in the file explain every key. Then check it:

```sh
checkmyogp validate
```

`validate` names the file, line and column of each problem and how to fix it. Warnings (such
as "no score files found" at this stage) do not stop anything.

## 2. Send each evaluator a scoring sheet

```sh
checkmyogp sheet --evaluator org-a --format xlsx     # sheet-org-a.xlsx
checkmyogp sheet --evaluator org-b                   # sheet-org-b.csv
```

The sheet lists every commitment and milestone; the evaluator picks a level for each
criterion (`checkmyogp rubric show @RUBRIC@` explains the questions and levels), cites
evidence, and adds comments and next steps. The XLSX sheet has drop-down lists and an
Instructions sheet.

## 3. Collect the sheets, and check them

Put each filled-in sheet in `scores/` and run `checkmyogp validate` until it reports no
errors. A typo in a level, an unknown commitment or a rating given twice is reported with its
file, line and column.

## 4. Assess

```sh
checkmyogp assess                  # each commitment's rating, score and what needs attention
checkmyogp summary                 # the plan at a glance
checkmyogp explain 1               # why commitment 1 got its rating
checkmyogp agreement               # how far the evaluators agree
checkmyogp draft                   # draft.md: a first draft of the coalition's comment
```

Add `--format markdown --output FILE` (or `json`, `csv`) to keep a copy.

## 5. Compare

At the end of the plan, compare with the mid-term review, or with the IRM's ratings:

```sh
checkmyogp assess --format json --output end-of-term.json
checkmyogp compare ../mid-term end-of-term.json
```

The results are a civil-society assessment, never an official rating of OGP's Independent
Reporting Mechanism (IRM).
"#;
