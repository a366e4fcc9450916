//! `checkmyogp compare A B`: two assessments side by side (mid-term against end of term, the
//! coalition against the IRM). A and B are each an assessment folder, a plan file, or a file
//! written by `assess --format json`. See [`crate::compare`] for the rules.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::common::{self, OutputArgs};
use crate::assess::Engine;
use crate::cli::{InputArgs, Outcome, PartArgs};
use crate::compare::{self, Assessed, Basis, Change, Comparison, Direction, OnlyOne, Side};
use crate::diag::{Diagnostic, Location};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};
use crate::results::{self, NO_EVIDENCE, Results};
use crate::source::display_path;

const EXAMPLES: &str = "\
Examples:
  checkmyogp compare mid-term end-of-term
  checkmyogp compare samples/mongolia-2016-2018 results-2019.json
  checkmyogp compare coalition.json irm.json --format markdown --output comparison.md

A and B are assessment folders, plan files, or files written by
`checkmyogp assess --format json`. Ratings are compared when both assessments rate
on the same scale (the same rubric, or rubrics with the same rating labels); on
different scales (check-my-ogp against an imported irm-legacy folder) the level of
completion is compared instead, by meaning. Commitments are matched by id or by
OGP's id (ogp_id).";

/// Compare two assessments: each commitment's rating and score change, and the criteria that moved.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The first assessment (the earlier one, or yours): a folder, a plan file, or a JSON file
    /// from `assess --format json`.
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// The second assessment (the later one, or the other view), in the same forms.
    #[arg(value_name = "B")]
    pub b: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let Some(a) = load_side(&args.a)? else {
        return Ok(Outcome::Problems);
    };
    let Some(b) = load_side(&args.b)? else {
        return Ok(Outcome::Problems);
    };
    let (source_a, source_b) = (display_path(&args.a), display_path(&args.b));
    let comparison = match compare::compare(a, &source_a, b, &source_b) {
        Ok(c) => c,
        Err(why) => {
            let d = Diagnostic::error("incomparable", why.to_string());
            crate::terminal::stderr().write_all(d.render().as_bytes())?;
            return Ok(Outcome::Problems);
        }
    };
    // The table and Markdown show the warnings in their notes; other outputs get them here.
    let to_screen = args
        .output
        .output
        .as_ref()
        .is_none_or(|p| p.as_os_str() == "-");
    let in_notes = matches!(
        args.output.format,
        render::Format::Table | render::Format::Markdown
    );
    if !(to_screen && in_notes) {
        let mut err = crate::terminal::stderr();
        for w in &comparison.warnings {
            writeln!(err, "warning: {w}")?;
        }
    }
    common::emit(&args.output, &comparison, || document(&comparison))?;
    Ok(Outcome::Ok)
}

/// Reads one side: assesses a folder or a plan file, or reads an `assess --format json` file.
/// Problems are printed; `None` when there were any.
fn load_side(path: &Path) -> anyhow::Result<Option<Assessed>> {
    if path.is_dir() {
        return assess_folder(InputArgs::new(path.to_path_buf(), no_parts()));
    }
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml && path.is_file() {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let parts = PartArgs {
            plan: Some(path.to_path_buf()),
            ..no_parts()
        };
        return assess_folder(InputArgs::new(dir, parts));
    }
    let shown = display_path(path);
    let problem = |message: String, help: &str| -> anyhow::Result<Option<Assessed>> {
        let d = Diagnostic::error("compare-input", message)
            .at(Location::file(shown.clone()))
            .help(help.to_string());
        crate::terminal::stderr().write_all(d.render().as_bytes())?;
        Ok(None)
    };
    const WHAT: &str = "give an assessment folder (holding plan.toml), a plan file, or a file written by `checkmyogp assess --format json`";
    // Only a regular file is read, and at most this much of it (`/dev/zero` is refused).
    const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;
    let bytes = match crate::source::read_file(path, MAX_JSON_BYTES) {
        Ok(b) => b,
        Err(crate::source::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return problem(format!("there is no file or folder {shown}"), WHAT);
        }
        Err(e) => return problem(format!("cannot read {shown}: {e}"), WHAT),
    };
    // A well-formed document is read keeping only what is compared; any other is read whole
    // below, to say what is wrong with it.
    if let Some(assessed) = compare::read::read(&bytes) {
        return Ok(Some(assessed));
    }
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return problem(
                format!("{shown} is neither an assessment folder nor a JSON file ({e})"),
                WHAT,
            );
        }
    };
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(results::SCHEMA_VERSION) => {}
        Some(v) => {
            return problem(
                format!(
                    "{shown} has schema_version {v}; this checkmyogp reads version {}",
                    results::SCHEMA_VERSION
                ),
                "write the file again with this checkmyogp: `checkmyogp assess DIR --format json --output FILE`",
            );
        }
        None => {
            return problem(
                format!(
                    "{shown} is JSON, but not an assessment written by checkmyogp (it has no schema_version)"
                ),
                WHAT,
            );
        }
    }
    if value.get("commitments").is_none() {
        return problem(
            format!("{shown} holds no commitments: it is not an `assess --format json` document"),
            "`summary` and `explain` write other documents; compare needs the one `checkmyogp assess DIR --format json` writes",
        );
    }
    match serde_json::from_value::<Results>(value) {
        Ok(r) => Ok(Some(Assessed::of(r))),
        Err(e) => problem(
            format!("{shown} does not have the layout of an assessment document: {e}"),
            "write it again with `checkmyogp assess DIR --format json --output FILE` (docs/json-schema.md describes the layout)",
        ),
    }
}

fn no_parts() -> PartArgs {
    PartArgs {
        plan: None,
        rubric: None,
        scores: Vec::new(),
    }
}

/// Assesses a folder for `compare`: each commitment's results are built piece by piece and
/// only what is compared is kept of them ([`compare::Entry`]), so that the results of every
/// commitment are never held at once.
fn assess_folder(input: InputArgs) -> anyhow::Result<Option<Assessed>> {
    let Some(inputs) = common::load_inputs(&input, false)? else {
        return Ok(None);
    };
    let as_of = common::as_of(None, &inputs);
    let engine = Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    let labels = Mutex::new(compare::Labels::default());
    let commitments = results::assess_and_map(&inputs, &engine, results::Detail::Combined, |c| {
        let mut labels = labels.lock().unwrap_or_else(PoisonError::into_inner);
        compare::Entry::of(c, &mut labels)
    });
    drop(engine);
    let head = results::head(&inputs, as_of);
    Ok(Some(Assessed {
        country: head.plan.country,
        title: head.plan.title,
        rubric: head.rubric,
        as_of: head.as_of,
        evaluators: head.evaluators,
        commitments,
        labels: labels.into_inner().unwrap_or_else(PoisonError::into_inner),
    }))
}

fn side_text(s: &Side) -> String {
    format!(
        "{} — {} · rubric {} · as of {} · {}",
        s.country, s.title, s.rubric, s.as_of, s.source
    )
}

fn rating_text(r: Option<&String>) -> String {
    r.cloned().unwrap_or_else(|| NO_EVIDENCE.to_string())
}

fn score_text(s: Option<f64>) -> String {
    s.map_or_else(|| "–".to_string(), render::score)
}

fn change_text(d: Option<f64>) -> String {
    d.map_or_else(|| "–".to_string(), render::score_change)
}

fn direction_cell(d: Option<Direction>) -> Cell {
    match d {
        Some(Direction::Up) => Cell::toned("↑ up", Tone::Good),
        Some(Direction::Down) => Cell::toned("↓ down", Tone::Bad),
        Some(Direction::Same) => Cell::new("= same"),
        None => Cell::toned("–", Tone::Muted),
    }
}

fn moved_text(c: &Change) -> String {
    c.moved
        .iter()
        .map(|m| {
            let arrow = match m.direction {
                Some(Direction::Up) => " ↑",
                Some(Direction::Down) => " ↓",
                _ => "",
            };
            format!(
                "{} {} → {}{arrow}",
                m.criterion,
                m.from.as_deref().unwrap_or("–"),
                m.to.as_deref().unwrap_or("–")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn only_grid(list: &[OnlyOne]) -> Grid {
    let mut g = Grid::new(["id", "commitment", "rating", "score"])
        .numeric(&["score"])
        .clip("commitment", 2);
    for c in list {
        g.push(vec![
            c.id.clone().into(),
            c.title.clone().into(),
            rating_text(c.rating.as_ref()).into(),
            score_text(c.score).into(),
        ]);
    }
    g
}

fn level_text(l: Option<&Option<String>>) -> String {
    l.map(|l| rating_text(l.as_ref())).unwrap_or_default()
}

/// Each reference evaluator beside its side's level: `irm (A): Limited, differs`.
fn reference_text(c: &Change) -> String {
    c.reference
        .iter()
        .map(|r| {
            format!(
                "{} ({}): {}, {}",
                r.evaluator,
                r.side.to_uppercase(),
                r.level,
                if r.differs { "differs" } else { "the same" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The document `compare` shows.
pub fn document(c: &Comparison) -> Doc {
    let s = &c.summary;
    let by_completion = c.basis == Basis::Completion;
    let with_references = c.commitments.iter().any(|ch| !ch.reference.is_empty());
    let mut head = vec!["id", "commitment", "rating A", "rating B"];
    if by_completion {
        head.extend(["completion A", "completion B"]);
    }
    head.extend(["change", "score A", "score B"]);
    if !by_completion {
        head.push("Δ score");
    }
    head.push("criteria moved");
    if with_references {
        head.push("reference");
    }
    let mut grid = Grid::new(head)
        .numeric(&["score A", "score B", "Δ score"])
        .clip("commitment", 2)
        .drop_first(&[("criteria moved", 3), ("score A", 2), ("score B", 2)]);
    for ch in &c.commitments {
        let mut row: Vec<Cell> = vec![
            ch.id.clone().into(),
            ch.title.clone().into(),
            rating_text(ch.rating_a.as_ref()).into(),
            rating_text(ch.rating_b.as_ref()).into(),
        ];
        if by_completion {
            row.push(level_text(ch.completion_a.as_ref()).into());
            row.push(level_text(ch.completion_b.as_ref()).into());
        }
        row.extend([
            direction_cell(ch.direction),
            score_text(ch.score_a).into(),
            score_text(ch.score_b).into(),
        ]);
        if !by_completion {
            row.push(change_text(ch.score_change).into());
        }
        row.push(moved_text(ch).into());
        if with_references {
            row.push(reference_text(ch).into());
        }
        grid.push(row);
    }
    let counted = if by_completion {
        format!(
            "{} compared by their level of completion: {} up, {} down, {} the same, {} without a comparable level on one side.",
            crate::diag::plural(s.compared, "commitment"),
            s.up,
            s.down,
            s.same,
            s.unknown
        )
    } else {
        format!(
            "{} compared: {} up, {} down, {} the same, {} without a rating on the scale on one side.",
            crate::diag::plural(s.compared, "commitment"),
            s.up,
            s.down,
            s.same,
            s.unknown
        )
    };
    let mut sections = vec![Section {
        heading: None,
        text: vec![counted],
        grid: Some(grid),
    }];
    if !c.only_in_a.is_empty() {
        sections.push(Section {
            heading: Some("Only in A".into()),
            text: Vec::new(),
            grid: Some(only_grid(&c.only_in_a)),
        });
    }
    if !c.only_in_b.is_empty() {
        sections.push(Section {
            heading: Some("Only in B".into()),
            text: Vec::new(),
            grid: Some(only_grid(&c.only_in_b)),
        });
    }
    let mut notes = c.warnings.clone();
    notes.push(if by_completion {
        "change: the level of completion's move from A to B, by meaning · criteria moved: combined levels that differ (– = no level)".into()
    } else {
        "change: the rating's move on the rubric's scale from A to B · Δ score: B's score minus A's · criteria moved: combined levels that differ (– = no level)".into()
    });
    if with_references {
        notes.push("reference: each side's reference evaluators (the IRM) beside that side's own level of completion, whether it differs".into());
    }
    notes.push("A civil-society assessment, not an official IRM rating.".into());
    Doc {
        title: "Comparison of two assessments".into(),
        meta: vec![("A".into(), side_text(&c.a)), ("B".into(), side_text(&c.b))],
        sections,
        csv: Some(csv_grid(c)),
        notes,
    }
}

/// One spreadsheet row per commitment, those on one side only included.
fn csv_grid(c: &Comparison) -> Grid {
    let by_completion = c.basis == Basis::Completion;
    let with_references = c.commitments.iter().any(|ch| !ch.reference.is_empty());
    let mut head = vec!["id", "title", "in", "rating_a", "rating_b"];
    if by_completion {
        head.extend(["completion_a", "completion_b"]);
    }
    head.extend(["direction", "score_a", "score_b", "score_change", "moved"]);
    if with_references {
        head.push("reference");
    }
    let mut g = Grid::new(head);
    let num = |x: Option<f64>| {
        x.map(|v| format!("{}", crate::results::round4(v)))
            .unwrap_or_default()
    };
    for ch in &c.commitments {
        let mut row: Vec<Cell> = vec![
            ch.id.clone().into(),
            ch.title.clone().into(),
            "both".into(),
            rating_text(ch.rating_a.as_ref()).into(),
            rating_text(ch.rating_b.as_ref()).into(),
        ];
        if by_completion {
            row.push(level_text(ch.completion_a.as_ref()).into());
            row.push(level_text(ch.completion_b.as_ref()).into());
        }
        row.extend([
            ch.direction.map(Direction::word).unwrap_or_default().into(),
            num(ch.score_a).into(),
            num(ch.score_b).into(),
            num(ch.score_change).into(),
            moved_text(ch).into(),
        ]);
        if with_references {
            row.push(reference_text(ch).into());
        }
        g.push(row);
    }
    for (list, side) in [(&c.only_in_a, "a"), (&c.only_in_b, "b")] {
        for o in list {
            let rating = rating_text(o.rating.as_ref());
            let (ra, rb, sa, sb) = if side == "a" {
                (rating, String::new(), o.score, None)
            } else {
                (String::new(), rating, None, o.score)
            };
            let mut row: Vec<Cell> = vec![
                o.id.clone().into(),
                o.title.clone().into(),
                side.into(),
                ra.into(),
                rb.into(),
            ];
            if by_completion {
                row.extend([String::new().into(), String::new().into()]);
            }
            row.extend([
                String::new().into(),
                num(sa).into(),
                num(sb).into(),
                String::new().into(),
                String::new().into(),
            ]);
            if with_references {
                row.push(String::new().into());
            }
            g.push(row);
        }
    }
    g
}
