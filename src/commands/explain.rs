//! `checkmyogp explain [DIR] COMMITMENT`: why a commitment got its rating — every evaluator's
//! level and comment per criterion, how they were combined, the milestone roll-up, the score's
//! weights, and each flag's conditions.

use std::collections::HashMap;
use std::io::Write;

use super::common::{self, OutputArgs};
use crate::assess::Engine;
use crate::cli::{InputArgs, Outcome, PartArgs};
use crate::load::Inputs;
use crate::model::{Combine, RatingRule, Scope};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};
use crate::results::{self, CommitmentOut, CriterionOut, Head, NO_EVIDENCE};

const EXAMPLES: &str = "\
Examples:
  checkmyogp explain samples/mongolia-2016-2018 1
  checkmyogp explain . 4 --format markdown --output why-4.md";

/// Explain one commitment's rating: the evaluators' levels, the combination, weights and flags.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The assessment folder (default: the current folder), then the commitment's id as in
    /// plan.toml (or its OGP id).
    #[arg(value_name = "[DIR] COMMITMENT", num_args = 1..=2, required = true)]
    pub target: Vec<String>,

    #[command(flatten)]
    pub parts: PartArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub date: common::AsOfArg,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let (dir, wanted) = match args.target.as_slice() {
        [dir, id] => (dir.as_str(), id.as_str()),
        // Only a folder: the id was forgotten (a folder is never taken as an id).
        [only] if std::path::Path::new(only).is_dir() => return missing_id(only, &args.parts),
        [id] => (".", id.as_str()),
        _ => anyhow::bail!(
            "give the commitment's id, e.g. `checkmyogp explain samples/mongolia-2016-2018 1`"
        ),
    };
    let input = InputArgs::new(dir.into(), args.parts.clone());
    let Some(inputs) = common::load_inputs(&input, true)? else {
        return Ok(Outcome::Problems);
    };
    let wanted = wanted.trim();
    let commitments = &inputs.plan.commitments;
    let Some(ci) = commitments
        .iter()
        .position(|c| c.id == wanted || c.ogp_id.as_deref() == Some(wanted))
    else {
        let ids: Vec<&str> = commitments.iter().map(|c| c.id.as_str()).collect();
        let hint = crate::suggest::did_you_mean(wanted, ids.iter().copied())
            .map(|h| format!("\n  help: {h}"))
            .unwrap_or_default();
        writeln!(
            crate::terminal::stderr(),
            "error: the plan has no commitment \"{wanted}\"\n  expected: {}{hint}",
            crate::suggest::one_of(&ids, 30)
        )?;
        return Ok(Outcome::Usage);
    };
    // Only this commitment is assessed and built.
    let as_of = common::as_of(args.date.as_of, &inputs);
    let engine = Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    let c = results::one(&inputs, &engine, ci, results::Detail::Evaluators);
    drop(engine);
    let results = results::head(&inputs, as_of);
    let data = Explained {
        schema_version: results.schema_version,
        rubric: &results.rubric.id,
        as_of: &results.as_of,
        evaluators: &results.evaluators,
        commitment: &c,
    };
    // The full table of every step is what CSV and workbooks show; the other formats never
    // read it (at 49,000 milestones it held 2 KB for each).
    let full = matches!(
        args.output.format,
        render::Format::Csv | render::Format::Xlsx
    );
    common::emit(&args.output, &data, || {
        document(&inputs, &results, &c, full)
    })?;
    Ok(Outcome::Ok)
}

/// What `--format json` writes, borrowed from the results: a copy as a JSON value (what
/// `serde_json::json!` makes) held a commitment of 12,000 milestones twice over, 31 MB, for
/// every format, the ones that never write it too.
#[derive(serde::Serialize)]
struct Explained<'a> {
    schema_version: u32,
    rubric: &'a str,
    as_of: &'a str,
    evaluators: &'a [results::EvaluatorInfo],
    commitment: &'a CommitmentOut,
}

/// A number as `explain` writes it: up to 4 decimals, without trailing zeros (2.25, 1.6667, 3).
fn exact(x: f64) -> String {
    let s = format!("{:.4}", results::round4(x));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn is_consensus(e: &results::EvaluatorInfo) -> bool {
    e.role == "consensus" && !e.reference
}

/// `explain DIR` without an id: says the id is missing and lists the plan's ids (exit 2).
fn missing_id(dir: &str, parts: &PartArgs) -> anyhow::Result<Outcome> {
    let input = InputArgs::new(dir.into(), parts.clone());
    let Some(inputs) = common::load_inputs(&input, false)? else {
        return Ok(Outcome::Problems);
    };
    let ids: Vec<&str> = inputs
        .plan
        .commitments
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let example = ids.first().copied().unwrap_or("1");
    writeln!(
        crate::terminal::stderr(),
        "error: which commitment? Give its id after the folder, e.g. `checkmyogp explain {dir} {example}`\n  the plan's commitments: {}",
        if ids.is_empty() {
            "none".to_string()
        } else {
            crate::suggest::one_of(&ids, 30)
        }
    )?;
    Ok(Outcome::Usage)
}

fn level_or_dash(level: Option<&String>) -> String {
    level.cloned().unwrap_or_else(|| "–".to_string())
}

fn combine_words(method: Combine) -> &'static str {
    match method {
        Combine::Median => "the median (with an even count, the lower middle level)",
        Combine::Mean => {
            "the mean of the level values, kept as a number; the level is the one at or below it"
        }
        Combine::Min => "the lowest level given",
        Combine::Max => "the highest level given",
        Combine::Mode => "the most frequent level (ties go to the lower level)",
    }
}

/// The combining method as a noun: "(by the median: Limited)".
fn combine_name(method: Combine) -> &'static str {
    match method {
        Combine::Median => "the median",
        Combine::Mean => "the mean",
        Combine::Min => "the lowest level",
        Combine::Max => "the highest level",
        Combine::Mode => "the most frequent level",
    }
}

fn evaluator_columns(results: &Head) -> Vec<String> {
    results
        .evaluators
        .iter()
        .map(|e| {
            if e.reference {
                format!("{} (reference)", render::evaluator_label(e))
            } else if is_consensus(e) {
                format!("{} (consensus)", e.id)
            } else {
                e.id.clone()
            }
        })
        .collect()
}

/// Reference evaluators' own answers to one question: each one's id and level (`None`: n/a).
type Answers = Vec<(String, Option<String>)>;

fn by_evaluator_cells(
    results: &Head,
    out: &CriterionOut,
    reference: &[(String, Option<String>)],
) -> Vec<Cell> {
    results
        .evaluators
        .iter()
        .map(|e| {
            if e.reference {
                return match reference.iter().find(|(id, _)| *id == e.id) {
                    Some((_, level)) => {
                        Cell::toned(level.clone().unwrap_or_else(|| "n/a".into()), Tone::Muted)
                    }
                    None => Cell::toned("", Tone::Muted),
                };
            }
            if is_consensus(e) {
                return match (out.consensus, &out.level) {
                    (true, Some(l)) => Cell::toned(l.clone(), Tone::Strong),
                    _ => Cell::toned("", Tone::Muted),
                };
            }
            match out.by_evaluator.as_ref().and_then(|m| m.get(&e.id)) {
                Some(Some(l)) => Cell::new(l.clone()),
                Some(None) => Cell::toned("n/a", Tone::Muted),
                None => Cell::toned("", Tone::Muted),
            }
        })
        .collect()
}

/// The document `explain` shows.
/// `full`: with the table of every step ([`Doc::csv`]), for CSV and workbooks.
pub fn document(inputs: &Inputs, results: &Head, c: &CommitmentOut, full: bool) -> Doc {
    let rubric = &inputs.rubric;
    let plan_c = inputs.plan.commitments.iter().find(|p| p.id == c.id);
    let mut sections = Vec::new();
    let mut meta = Vec::new();
    if let Some(lead) = &c.lead {
        meta.push(("lead".to_string(), lead.clone()));
    }
    if let (Some(s), Some(e)) = (&c.start, &c.end) {
        meta.push(("period".to_string(), format!("{s} to {e}")));
    }
    meta.extend([
        (
            "rating".to_string(),
            c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into()),
        ),
        (
            "score".to_string(),
            c.score.map_or_else(|| "–".into(), render::score),
        ),
        (
            "rubric".to_string(),
            format!("{} ({})", results.rubric.id, results.rubric.origin),
        ),
        ("as of".to_string(), results.as_of.clone()),
    ]);
    // Reference evaluators' own answers, read from their ratings in the score files: gathered
    // in one pass by (milestone, criterion), since they are looked up for every milestone (a
    // search of every rating for each of 49,000 milestones took half a minute).
    let mut reference_answers: HashMap<(Option<usize>, usize), Answers> = HashMap::new();
    let mut milestone_index: HashMap<&str, usize> = HashMap::new();
    if let Some(pc) = plan_c {
        let ci = inputs
            .plan
            .commitments
            .iter()
            .position(|p| p.id == pc.id)
            .unwrap_or(0);
        for (i, m) in pc.milestones.iter().enumerate() {
            milestone_index.entry(m.id.as_str()).or_insert(i);
        }
        for r in inputs.scores.ratings() {
            let name = inputs.scores.evaluator_name(r.evaluator);
            if r.unit().commitment as usize != ci || !inputs.plan.is_reference(name) {
                continue;
            }
            let k = usize::from(r.criterion);
            reference_answers
                .entry((r.unit().milestone.map(|m| m as usize), k))
                .or_default()
                .push((
                    name.to_string(),
                    r.level()
                        .map(|l| rubric.criteria[k].label(usize::from(l)).to_string()),
                ));
        }
    }
    let reference_of = |crit: &str, milestone: Option<&str>| -> &[(String, Option<String>)] {
        let mi = milestone.and_then(|m| milestone_index.get(m).copied());
        rubric
            .criterion_index(crit)
            .and_then(|k| reference_answers.get(&(mi, k)))
            .map_or(&[], Vec::as_slice)
    };

    for (k, crit) in rubric.criteria.iter().enumerate() {
        let Some(out) = c.criteria.get(&crit.id) else {
            continue;
        };
        let mut text = vec![format!("“{}”", crit.question)];
        let mut grid;
        match crit.scope {
            Scope::Commitment => {
                let mut cols = vec!["".to_string()];
                cols.extend(evaluator_columns(results));
                cols.push("combined".into());
                grid = Grid::new(cols);
                let mut row = vec![Cell::toned("level", Tone::Strong)];
                row.extend(by_evaluator_cells(
                    results,
                    out,
                    reference_of(&crit.id, None),
                ));
                row.push(Cell::toned(level_or_dash(out.level.as_ref()), Tone::Strong));
                grid.push(row);
                let combined_evaluators = results
                    .evaluators
                    .iter()
                    .filter(|e| !e.reference && !is_consensus(e))
                    .count();
                let said_na = if out.no_rating > 0 {
                    format!(" ({} said n/a)", out.no_rating)
                } else {
                    String::new()
                };
                if out.consensus {
                    // The agreed level replaces the combination: the next sentence says what
                    // the combination gave.
                    text.push(format!(
                        "{} of {combined_evaluators} evaluators answered{said_na}; the coalition's agreed level is used → {}.",
                        out.ratings,
                        level_or_dash(out.level.as_ref()),
                    ));
                } else if out.ratings == 0 {
                    text.push(format!("Nobody gave a level{said_na}: {NO_EVIDENCE}, and the criterion is left out of the score."));
                } else if out.value.is_none() {
                    // A status is never combined with levels.
                    text.push(match &out.level {
                        Some(status) => format!(
                            "{} of {combined_evaluators} evaluators answered{said_na} → {status}, a status.",
                            out.ratings,
                        ),
                        None => format!(
                            "{} of {combined_evaluators} evaluators answered{said_na}, with statuses only and none given by most: {NO_EVIDENCE}.",
                            out.ratings,
                        ),
                    });
                } else {
                    text.push(format!(
                        "{} of {combined_evaluators} evaluators answered{said_na}; combined by {} → {}{}.",
                        out.ratings,
                        combine_words(crit.combine),
                        level_or_dash(out.level.as_ref()),
                        out.value
                            .filter(|_| crit.combine == Combine::Mean)
                            .map(|v| format!(" (mean {})", exact(v)))
                            .unwrap_or_default()
                    ));
                }
            }
            Scope::Milestone => {
                let mut cols = vec!["milestone".to_string(), "due".into(), "weight".into()];
                let evaluators = evaluator_columns(results);
                cols.extend(evaluators.iter().cloned());
                cols.extend([
                    "combined".to_string(),
                    "status".to_string(),
                    "levels".to_string(),
                ]);
                let names: Vec<&str> = evaluators.iter().map(String::as_str).collect();
                let order: Vec<(&str, u8)> = names.iter().map(|n| (*n, 1)).collect();
                let scale = crit
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("{i} {}", l.label))
                    .collect::<Vec<_>>()
                    .join(", ");
                grid = Grid::new(cols)
                    .numeric(&["weight"])
                    .drop_first(&order)
                    .compact(
                        "levels",
                        &names,
                        format!(
                            "each evaluator's level as a number, in the order {} ({scale}; – n/a, · not rated)",
                            names.join(", ")
                        ),
                    );
                for m in &c.milestones {
                    let Some(mout) = m.criteria.get(&crit.id) else {
                        continue;
                    };
                    let mut row = vec![
                        Cell::new(format!("{} {}", m.id, m.title)),
                        Cell::new(m.due.clone().unwrap_or_default()),
                        Cell::new(render::number(m.weight)),
                    ];
                    let levels =
                        by_evaluator_cells(results, mout, reference_of(&crit.id, Some(&m.id)));
                    let compact = levels
                        .iter()
                        .map(|cell| match cell.text.as_str() {
                            "" => "·".to_string(),
                            "n/a" => "–".to_string(),
                            t => crit
                                .levels
                                .iter()
                                .position(|l| l.label == t)
                                .map_or_else(|| t.to_string(), |p| p.to_string()),
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    row.extend(levels);
                    row.push(Cell::toned(
                        level_or_dash(mout.level.as_ref()),
                        Tone::Strong,
                    ));
                    let mut status = Vec::new();
                    if m.overdue && rubric.completion == Some(k) {
                        status.push("overdue".to_string());
                    }
                    if m.not_rated && rubric.completion == Some(k) {
                        status.push("not rated (past due)".to_string());
                    }
                    if mout.disagreement {
                        status.push(format!(
                            "disagreement (spread {})",
                            mout.spread.unwrap_or(0)
                        ));
                    }
                    if mout.unsupported {
                        status.push("unsupported: no evidence cited".into());
                    }
                    row.push(Cell::toned(
                        status.join("; "),
                        if status.is_empty() {
                            Tone::Plain
                        } else {
                            Tone::Poor
                        },
                    ));
                    row.push(Cell::new(compact));
                    grid.push(row);
                }
                text.push(format!(
                    "Each milestone combined by {}.",
                    combine_words(crit.combine)
                ));
                text.push(roll_up_words(crit, c, out));
                if let Some(own) = own_roll_ups(crit, c, out) {
                    text.push(own);
                }
            }
        }
        let threshold = rubric.disagreement_threshold;
        let rolled_up = crit.scope == Scope::Milestone;
        text.extend(status_and_consensus_words(
            crit, out, None, rolled_up, threshold,
        ));
        for m in &c.milestones {
            if let Some(mout) = m.criteria.get(&crit.id) {
                text.extend(status_and_consensus_words(
                    crit,
                    mout,
                    Some(&m.id),
                    false,
                    threshold,
                ));
            }
        }
        if out.disagreement && out.spread.unwrap_or(0) >= rubric.disagreement_threshold as usize {
            text.push(format!(
                "Disagreement: the evaluators' levels run from {} to {} ({} levels apart; the rubric's threshold is {}).",
                level_or_dash(out.min.as_ref()),
                level_or_dash(out.max.as_ref()),
                out.spread.unwrap_or(0),
                rubric.disagreement_threshold
            ));
        }
        if let Some(from) = crit.evidence_from {
            text.push(format!(
                "Levels from {} up must cite evidence.",
                crit.label(from)
            ));
        }
        sections.push(Section {
            heading: Some(format!(
                "{} ({}) — weight {}",
                crit.id,
                crit.name,
                render::number(crit.weight)
            )),
            text,
            grid: Some(grid),
        });
    }

    // The score.
    let mut g = Grid::new([
        "criterion",
        "weight",
        "value",
        "on 0–100",
        "share of weight",
        "points",
    ])
    .numeric(&["weight", "value", "on 0–100", "share of weight", "points"]);
    let total: f64 = rubric
        .criteria
        .iter()
        .filter(|k| k.weight > 0.0 && c.criteria.get(&k.id).is_some_and(|x| x.value.is_some()))
        .map(|k| k.weight)
        .sum();
    // The CSV keeps every figure to 4 decimals, as every CSV export does (the table shows 1).
    let mut g_exact = g.clone();
    let mut terms: Vec<(f64, f64)> = Vec::new();
    // Criteria without a value: (not rated, with a status).
    let mut left_out: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for crit in rubric.criteria.iter().filter(|k| k.weight > 0.0) {
        let value = c.criteria.get(&crit.id).and_then(|x| x.value);
        match value {
            // No score (the rating criterion is a status): the values, but no share of it.
            Some(v) if c.score.is_none() => {
                for (g, score) in [
                    (&mut g, render::score as fn(f64) -> String),
                    (&mut g_exact, exact),
                ] {
                    g.push(vec![
                        crit.id.clone().into(),
                        exact(crit.weight).into(),
                        exact(v).into(),
                        score(crit.normalise(v)).into(),
                        Cell::toned("–", Tone::Muted),
                        Cell::toned("–", Tone::Muted),
                    ]);
                }
            }
            Some(v) if total > 0.0 => {
                let norm = crit.normalise(v);
                let share = crit.weight / total;
                for (g, score, pct) in [
                    (
                        &mut g,
                        render::score as fn(f64) -> String,
                        render::share as fn(f64) -> String,
                    ),
                    (&mut g_exact, exact, render::percent),
                ] {
                    g.push(vec![
                        crit.id.clone().into(),
                        exact(crit.weight).into(),
                        exact(v).into(),
                        score(norm).into(),
                        pct(share).into(),
                        score(norm * share).into(),
                    ]);
                }
                terms.push((crit.weight, norm));
            }
            _ => {
                // Said in a sentence above the table, so that its number columns hold numbers.
                match c.criteria.get(&crit.id).and_then(|x| x.level.as_ref()) {
                    Some(status) => left_out.1.push(format!("{} ({status})", crit.id)),
                    None => left_out.0.push(crit.id.clone()),
                }
                let dash = || Cell::toned("–", Tone::Muted);
                let row = vec![
                    crit.id.clone().into(),
                    render::number(crit.weight).into(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                ];
                g_exact.push(row.clone());
                g.push(row);
            }
        }
    }
    // The rating criterion's status (with score bands, the completion's), when it has one:
    // then the status is the rating and there is no score.
    let status_of = rubric
        .status_criterion()
        .filter(|_| c.rating_rank.is_none())
        .and_then(|i| c.rating.as_ref().map(|r| (&rubric.criteria[i].id, r)));
    let status_rating = status_of.map(|(id, r)| format!("`{id}` is {r}, a status"));
    let band_status = match (&rubric.rating, status_of) {
        (RatingRule::Bands(_), Some((id, r))) => Some(format!(
            "The rating is the status of `{id}`: {r}, not a point on the scale; so the commitment has no score (its other criteria cannot put it on or off track), is never overdue, and fails every flag condition on `{id}`."
        )),
        _ => None,
    };
    let rating_line = match &rubric.rating {
        _ if band_status.is_some() => band_status.unwrap_or_default(),
        RatingRule::Criterion(i) if c.rating.is_some() && c.rating_rank.is_none() => format!(
            "The rating is the combined level of `{}`: {}, a status, not a point on the scale; so the commitment has no score, is never overdue, and fails every flag condition on `{}`.",
            rubric.criteria[*i].id,
            c.rating.clone().unwrap_or_default(),
            rubric.criteria[*i].id,
        ),
        RatingRule::Criterion(i) => format!(
            "The rating is the combined level of `{}`: {}.",
            rubric.criteria[*i].id,
            c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into())
        ),
        RatingRule::Bands(bands) => match (c.score, c.rating_rank.and_then(|r| bands.get(r))) {
            (Some(s), Some(b)) => format!(
                "The rating is the score's band: {} falls in {} [{}, {}{}.",
                exact(s),
                b.label,
                render::number(b.min),
                render::number(b.max),
                if b.max >= 100.0 { "]" } else { ")" }
            ),
            _ => format!(
                "No weighted criterion has a value, so there is no score and the rating is {NO_EVIDENCE}."
            ),
        },
    };
    let score_section = sections.len();
    let mut text = vec![
        "Each criterion's value is placed on 0–100 and weighted; weights are shared among the criteria that have a value.".into(),
        score_words(c.score, &terms, status_rating.as_deref()),
        rating_line,
    ];
    if !left_out.0.is_empty() {
        text.push(format!(
            "Not rated, so left out: {}.",
            left_out.0.join(", ")
        ));
    }
    if !left_out.1.is_empty() {
        text.push(format!(
            "A status, not a point on the scale, so left out: {}.",
            left_out.1.join(", ")
        ));
    }
    sections.push(Section {
        heading: Some("Score".into()),
        text,
        grid: Some(g),
    });

    // Flags.
    if !rubric.flags.is_empty() {
        let mut g = Grid::new(["flag", "holds", "conditions"]);
        for (fi, f) in rubric.flags.iter().enumerate() {
            let holds = c.flags.contains(&f.id);
            let binding = c.binding.get(&f.id);
            let held = c.conditions.get(&f.id);
            let conds: Vec<String> = (0..f.conditions.len())
                .map(|ci| {
                    let label = results::condition_label(rubric, fi, ci);
                    let words = results::condition_words(rubric, fi, ci);
                    let first_failing = binding.is_some_and(|b| *b == label)
                        && held.and_then(|h| h.iter().position(|x| !x)) == Some(ci);
                    match held.and_then(|h| h.get(ci)) {
                        Some(true) => format!("✓ {words}"),
                        _ if first_failing => format!("✗ {words} (fails first)"),
                        _ => format!("✗ {words}"),
                    }
                })
                .collect();
            let name = if f.star {
                format!("★ {}", f.name)
            } else {
                f.name.clone()
            };
            g.push(vec![
                name.into(),
                Cell::toned(
                    if holds { "yes" } else { "no" },
                    if holds { Tone::Good } else { Tone::Plain },
                ),
                conds.join("\n").into(),
            ]);
        }
        let mut text =
            vec!["A flag holds when all its conditions hold (✓ holds, ✗ fails).".to_string()];
        text.extend(
            (0..rubric.flags.len())
                .filter(|&fi| !c.flags.contains(&rubric.flags[fi].id))
                .map(|fi| crate::report::words::flag_sentence(rubric, c, fi)),
        );
        sections.push(Section {
            heading: Some("Flags".into()),
            text,
            grid: Some(g),
        });
    }

    // Timeliness, coverage and the reference view.
    let mut status = Vec::new();
    if c.overdue {
        status.push(format!(
            "Overdue as of {}: {}.",
            results.as_of,
            if c.overdue_milestones > 0 {
                format!(
                    "{} past due and not complete",
                    crate::diag::plural(c.overdue_milestones, "milestone")
                )
            } else {
                "past its end date and not complete".to_string()
            }
        ));
    }
    let not_rated: Vec<&str> = c
        .milestones
        .iter()
        .filter(|m| m.not_rated)
        .map(|m| m.id.as_str())
        .collect();
    if c.not_rated || !not_rated.is_empty() {
        status.push(format!(
            "Not rated as of {}: {}, with no completion level, so not counted as overdue.",
            results.as_of,
            {
                let milestones = (!not_rated.is_empty()).then(|| {
                    format!(
                        "milestone{} {} {} past {} due date",
                        if not_rated.len() == 1 { "" } else { "s" },
                        not_rated.join(", "),
                        if not_rated.len() == 1 { "is" } else { "are" },
                        if not_rated.len() == 1 { "its" } else { "their" },
                    )
                });
                match (c.not_rated, milestones) {
                    (true, Some(m)) => format!("the commitment is past its end date and {m}"),
                    (false, Some(m)) => m,
                    (_, None) => "the commitment is past its end date".to_string(),
                }
            }
        ));
    }
    if !c.missing_evaluators.is_empty() {
        status.push(format!(
            "Not rated by: {}.",
            c.missing_evaluators.join(", ")
        ));
    }
    for (id, r) in &c.reference {
        let who = results
            .evaluators
            .iter()
            .find(|e| &e.id == id)
            .map_or_else(|| id.clone(), render::evaluator_label);
        let who = if who == "IRM" {
            "The IRM".to_string()
        } else {
            who
        };
        // Their rating on this rubric; else their rating on another scale, mapped by meaning
        // to one of its criteria (see `results`); else nothing this rubric can show.
        let mapped = results
            .rubric
            .criteria
            .iter()
            .find_map(|k| Some((k, r.levels.get(&k.id)?.as_ref()?)));
        status.push(match (&r.rating, mapped) {
            (Some(rating), _) => format!(
                "{who} rated it {rating}{}.",
                if r.differs {
                    format!(
                        " — differs from the combined rating {}",
                        c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into())
                    )
                } else {
                    " — the same as the combined rating".into()
                }
            ),
            (None, Some((k, level))) => {
                let ours = c.criteria.get(&k.id).and_then(|x| x.level.clone());
                format!(
                    "{who} rated it on another scale; on this rubric that means {} {level}{}.",
                    k.id,
                    match (ours, r.differs) {
                        (o, true) => format!(
                            " — differs from the combined {} {}",
                            k.id,
                            o.unwrap_or_else(|| NO_EVIDENCE.into())
                        ),
                        (Some(_), false) => format!(" — the same as the combined {}", k.id),
                        (None, false) => String::new(),
                    }
                )
            }
            (None, None) => format!("{who} gave no rating on this rubric."),
        });
    }
    if !status.is_empty() {
        sections.push(Section {
            heading: Some("Status".into()),
            text: status,
            grid: None,
        });
    }

    // What the evaluators wrote.
    if let Some(notes) = c.notes.as_ref().filter(|n| !n.is_empty()) {
        let mut g = Grid::new([
            "evaluator",
            "about",
            "evidence",
            "comment",
            "next steps",
            "comment and next steps",
        ])
        .drop_first(&[("comment", 1), ("next steps", 1)])
        .compact(
            "comment and next steps",
            &["comment", "next steps"],
            "the comment, then the next steps after “Next:”",
        );
        for n in notes {
            let about = match (&n.milestone, &n.criterion) {
                (Some(m), Some(k)) => format!("{m} {k}"),
                (Some(m), None) => format!("milestone {m}"),
                (None, Some(k)) => k.clone(),
                (None, None) => "commitment".into(),
            };
            let both = match (n.comment.is_empty(), n.next_steps.is_empty()) {
                (_, true) => n.comment.clone(),
                (true, false) => format!("Next: {}", n.next_steps),
                (false, false) => format!("{}\nNext: {}", n.comment, n.next_steps),
            };
            g.push(vec![
                n.evaluator.clone().into(),
                about.into(),
                n.evidence.clone().into(),
                n.comment.clone().into(),
                n.next_steps.clone().into(),
                both.into(),
            ]);
        }
        sections.push(Section {
            heading: Some("What the evaluators wrote".into()),
            text: Vec::new(),
            grid: Some(g),
        });
    }

    // The CSV keeps the score to 4 decimals, as every CSV export does (the table shows 1).
    let csv = full.then(|| {
        let csv_meta: Vec<(String, String)> = meta
            .iter()
            .map(|(k, v)| match (k.as_str(), c.score) {
                ("score", Some(s)) => (k.clone(), exact(s)),
                _ => (k.clone(), v.clone()),
            })
            .collect();
        steps_grid(&csv_meta, &sections, (score_section, &g_exact))
    });
    Doc {
        title: format!("Commitment {}: {}", c.id, c.title),
        meta,
        sections,
        csv,
        notes: vec!["A civil-society assessment, not an official IRM rating.".into()],
    }
}

/// `Score = (3×55.5556 + 1×100) / 4 = 66.6667`: every term, the denominator and the result.
fn score_words(score: Option<f64>, terms: &[(f64, f64)], status_rating: Option<&str>) -> String {
    let Some(score) = score else {
        return match status_rating {
            Some(why) => format!("Score = – (no score: {why})."),
            None => "Score = – (no weighted criterion has a value).".into(),
        };
    };
    let total: f64 = terms.iter().map(|(w, _)| w).sum();
    let sum = terms
        .iter()
        .map(|(w, v)| format!("{}×{}", exact(*w), exact(*v)))
        .collect::<Vec<_>>()
        .join(" + ");
    format!("Score = ({sum}) / {} = {}.", exact(total), exact(score))
}

/// How the milestones roll up: `(1×3 + 2×2 + 1×2) / 4 = 2.25 → Substantial`, and why the level
/// was kept away from an end of the scale.
fn roll_up_words(crit: &crate::model::Criterion, c: &CommitmentOut, out: &CriterionOut) -> String {
    let mut terms = Vec::new();
    let mut weights = 0.0;
    let mut levels: Vec<usize> = Vec::new();
    let mut statuses = Vec::new();
    for m in &c.milestones {
        let Some(x) = m.criteria.get(&crit.id) else {
            continue;
        };
        match x.value {
            Some(v) => {
                terms.push(format!("{}×{}", exact(m.weight), exact(v)));
                weights += m.weight;
                if let Some(l) = x
                    .level
                    .as_ref()
                    .and_then(|l| crit.levels.iter().position(|k| &k.label == l))
                {
                    levels.push(l);
                }
            }
            None => {
                if let Some(status) = &x.level {
                    statuses.push(format!("{} ({status})", m.id));
                }
            }
        }
    }
    let mut s = if terms.is_empty() {
        match &out.level {
            Some(status) => format!(
                "No milestone has a level; most have the status {status}, so the commitment takes it."
            ),
            None if !statuses.is_empty() => format!(
                "No milestone has a level, and no status is held by more than half of the {} milestones, so the commitment has no level.",
                c.milestones.len()
            ),
            None if c.milestones.is_empty() => {
                "The commitment has no milestones in plan.toml, so this criterion, rated per milestone, has no value.".to_string()
            }
            None => "No milestone was rated, so the commitment has no value.".to_string(),
        }
    } else {
        let mean = out.value.unwrap_or(0.0);
        let natural = crit.level_at_or_below(mean);
        let level = level_or_dash(out.level.as_ref());
        let mut s = format!(
            "The commitment's value is the weighted mean of the milestones' values: ({}) / {} = {} → {level}",
            terms.join(" + "),
            exact(weights),
            exact(mean)
        );
        let top = crit.levels.len().saturating_sub(1);
        let chosen = out
            .level
            .as_ref()
            .and_then(|l| crit.levels.iter().position(|k| &k.label == l));
        if chosen == Some(natural) {
            s.push_str(" (the level at or below it).");
        } else if natural == 0 && !levels.iter().all(|&l| l == 0) {
            s.push_str(&format!(
                " ({} is only for a commitment whose every rated milestone is at it: `roll_up = \"strict-ends\"`).",
                crit.label(0)
            ));
        } else {
            s.push_str(&format!(
                " ({} is only for a commitment whose every rated milestone is at it: `roll_up = \"strict-ends\"`).",
                crit.label(top)
            ));
        }
        s
    };
    if !statuses.is_empty() {
        s.push_str(&format!(
            " {}: {}.",
            if terms.is_empty() {
                "Milestones with a status"
            } else {
                "Left out of the mean, as statuses are not on the scale"
            },
            statuses.join(", ")
        ));
    }
    s
}

/// Each evaluator's own roll-up of the milestones they rated, which gives the commitment's
/// `min`, `max` and spread: `a (1×3 + 2×1) / 3 = 1.6667 → Limited; b Withdrawn`.
fn own_roll_ups(
    crit: &crate::model::Criterion,
    c: &CommitmentOut,
    out: &CriterionOut,
) -> Option<String> {
    let own = out.by_evaluator.as_ref().filter(|m| !m.is_empty())?;
    let parts: Vec<String> = own
        .iter()
        .map(|(e, result)| {
            let mut terms = Vec::new();
            let (mut sum, mut weights) = (0.0, 0.0);
            for m in &c.milestones {
                let level = m
                    .criteria
                    .get(&crit.id)
                    .and_then(|x| x.by_evaluator.as_ref())
                    .and_then(|b| b.get(e))
                    .and_then(|l| l.as_ref())
                    .and_then(|l| crit.levels.iter().find(|k| &k.label == l));
                if let Some(level) = level {
                    terms.push(format!("{}×{}", exact(m.weight), exact(level.value)));
                    sum += m.weight * level.value;
                    weights += m.weight;
                }
            }
            let result = result.clone().unwrap_or_else(|| "n/a".to_string());
            if terms.is_empty() || weights <= 0.0 {
                format!("{e} {result}")
            } else {
                format!(
                    "{e} ({}) / {} = {} → {result}",
                    terms.join(" + "),
                    exact(weights),
                    exact(sum / weights)
                )
            }
        })
        .collect();
    Some(format!(
        "Each evaluator's own roll-up of the milestones they rated (these give the spread): {}.",
        parts.join("; ")
    ))
}

/// What the criterion's `combine` gives for the answers of `out.by_evaluator` (labels), as a
/// label: the result the coalition's agreed level replaced.
fn combination_of(crit: &crate::model::Criterion, out: &CriterionOut, threshold: u32) -> String {
    let answers: Vec<(u32, Option<u16>)> = out
        .by_evaluator
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, (_, l))| {
            let answer = l.as_ref().and_then(|l| {
                crit.answer_labels()
                    .position(|x| x == l)
                    .and_then(|a| u16::try_from(a).ok())
            });
            (u32::try_from(i).unwrap_or(u32::MAX), answer)
        })
        .collect();
    crate::assess::combine(crit, answers, threshold)
        .answer()
        .map_or_else(|| NO_EVIDENCE.to_string(), |a| crit.label(a).to_string())
}

/// Sentences for a unit whose result is a status, or the coalition's agreed level, or whose
/// evaluators split between a status and other answers. `rolled_up`: `out` is a commitment's
/// roll-up of its milestones (its answers are each evaluator's own roll-up).
fn status_and_consensus_words(
    crit: &crate::model::Criterion,
    out: &CriterionOut,
    milestone: Option<&str>,
    rolled_up: bool,
    threshold: u32,
) -> Vec<String> {
    let unit = milestone.map_or_else(String::new, |m| format!("Milestone {m}: "));
    let mut text = Vec::new();
    let given: Vec<String> = out
        .by_evaluator
        .iter()
        .flatten()
        .filter_map(|(e, l)| l.as_ref().map(|l| format!("{e} {l}")))
        .collect();
    let is_status = |l: &str| crit.statuses.iter().any(|s| s.label == l);
    if out.consensus {
        text.push(if given.is_empty() {
            format!(
                "{unit}after discussion the coalition agreed on {}; no evaluator had given a level.",
                level_or_dash(out.level.as_ref()),
            )
        } else {
            format!(
                "{unit}after discussion the coalition agreed on {}; the evaluators had rated {} (by {}: {}).",
                level_or_dash(out.level.as_ref()),
                given.join(", "),
                combine_name(crit.combine),
                combination_of(crit, out, threshold),
            )
        });
    } else if let Some(l) = out.level.as_ref().filter(|l| is_status(l) && !rolled_up) {
        text.push(format!(
            "{unit}most evaluators who answered gave the status {l} ({}), which is not a point on the scale: no value, no score, never overdue.",
            given.join(", ")
        ));
    }
    let statuses_given = out
        .by_evaluator
        .iter()
        .flatten()
        .filter(|(_, l)| l.as_deref().is_some_and(is_status))
        .count();
    let answered = out
        .by_evaluator
        .iter()
        .flatten()
        .filter(|(_, l)| l.is_some())
        .count();
    if out.disagreement && statuses_given > 0 && statuses_given < answered {
        text.push(if rolled_up {
            format!(
                "{unit}disagreement: the evaluators' own roll-ups of the milestones they rated split between a status and levels ({}).",
                given.join(", ")
            )
        } else {
            format!(
                "{unit}disagreement: the evaluators split between a status and other answers ({}); a status is never combined with levels{}.",
                given.join(", "),
                if out.level.as_ref().is_some_and(|l| is_status(l)) {
                    String::new()
                } else {
                    ", so the levels given were combined".to_string()
                }
            )
        });
    }
    text
}

/// `--format csv`: every step as a labelled row (section, what, detail), nothing left out;
/// `exact` is the section whose table the CSV shows with more decimals, and that table.
fn steps_grid(meta: &[(String, String)], sections: &[Section], exact: (usize, &Grid)) -> Grid {
    let mut g = Grid::new(["section", "step", "detail"]);
    for (k, v) in meta {
        g.push(vec![
            "commitment".into(),
            k.clone().into(),
            v.clone().into(),
        ]);
    }
    for (i, s) in sections.iter().enumerate() {
        let heading = s.heading.clone().unwrap_or_default();
        for t in &s.text {
            g.push(vec![
                heading.clone().into(),
                "text".into(),
                t.clone().into(),
            ]);
        }
        let grid = if i == exact.0 {
            Some(exact.1)
        } else {
            s.grid.as_ref()
        };
        if let Some(grid) = grid {
            for row in &grid.rows {
                let label = row.first().map(|c| c.text.clone()).unwrap_or_default();
                let detail = grid
                    .columns
                    .iter()
                    .zip(row)
                    .skip(1)
                    .filter(|(_, c)| !c.text.is_empty())
                    .map(|(col, c)| {
                        format!(
                            "{}: {}",
                            if col.is_empty() { "-" } else { col },
                            c.text.replace('\n', "; ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                g.push(vec![heading.clone().into(), label.into(), detail.into()]);
            }
        }
    }
    g
}
