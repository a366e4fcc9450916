//! `checkmyogp explain [DIR] COMMITMENT`: why a commitment got its rating — every evaluator's
//! level and comment per criterion, how they were combined, the milestone roll-up, the score's
//! weights, and each flag's conditions.

use std::io::Write;

use super::common::{self, OutputArgs};
use crate::cli::{InputArgs, Outcome, PartArgs};
use crate::load::Inputs;
use crate::model::{Combine, RatingRule, Scope};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};
use crate::results::{self, CommitmentOut, CriterionOut, NO_EVIDENCE, Results};

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
        [id] => (".", id.as_str()),
        _ => anyhow::bail!(
            "give the commitment's id, e.g. `checkmyogp explain samples/mongolia-2016-2018 1`"
        ),
    };
    let input = InputArgs::new(dir.into(), args.parts.clone());
    let Some((inputs, assessment)) = common::load_and_assess(&input, args.date.as_of, true)? else {
        return Ok(Outcome::Problems);
    };
    let results = results::build(&inputs, &assessment, results::Detail::Evaluators);
    let wanted = wanted.trim();
    let Some(c) = results
        .commitments
        .iter()
        .find(|c| c.id == wanted || c.ogp_id.as_deref() == Some(wanted))
    else {
        let ids: Vec<&str> = results.commitments.iter().map(|c| c.id.as_str()).collect();
        let hint = crate::suggest::did_you_mean(wanted, ids.iter().copied())
            .map(|h| format!("\n  help: {h}"))
            .unwrap_or_default();
        writeln!(
            anstream::stderr(),
            "error: the plan has no commitment \"{wanted}\"\n  expected: {}{hint}",
            crate::suggest::one_of(&ids, 30)
        )?;
        return Ok(Outcome::Usage);
    };
    let data = serde_json::json!({
        "schema_version": results.schema_version,
        "rubric": results.rubric.id,
        "as_of": results.as_of,
        "evaluators": results.evaluators,
        "commitment": c,
    });
    common::emit(&args.output, &data, || document(&inputs, &results, c))?;
    Ok(Outcome::Ok)
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

fn evaluator_columns(results: &Results) -> Vec<String> {
    results
        .evaluators
        .iter()
        .map(|e| {
            if e.reference {
                format!("{} (reference)", e.id)
            } else {
                e.id.clone()
            }
        })
        .collect()
}

fn by_evaluator_cells(
    results: &Results,
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
            match out.by_evaluator.as_ref().and_then(|m| m.get(&e.id)) {
                Some(Some(l)) => Cell::new(l.clone()),
                Some(None) => Cell::toned("n/a", Tone::Muted),
                None => Cell::toned("", Tone::Muted),
            }
        })
        .collect()
}

/// The document `explain` shows.
pub fn document(inputs: &Inputs, results: &Results, c: &CommitmentOut) -> Doc {
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
            c.score.map_or_else(|| "–".into(), render::number),
        ),
        (
            "rubric".to_string(),
            format!("{} ({})", results.rubric.id, results.rubric.origin),
        ),
        ("as of".to_string(), results.as_of.clone()),
    ]);
    let reference_of = |crit: &str, milestone: Option<&str>| -> Vec<(String, Option<String>)> {
        // Reference evaluators' own answers, read from their ratings in the score files.
        let Some(pc) = plan_c else { return Vec::new() };
        let ci = inputs
            .plan
            .commitments
            .iter()
            .position(|p| p.id == pc.id)
            .unwrap_or(0);
        let mi = milestone.and_then(|m| pc.milestones.iter().position(|x| x.id == m));
        let k = rubric.criterion_index(crit).unwrap_or(usize::MAX);
        inputs
            .scores
            .ratings
            .iter()
            .filter(|r| {
                r.unit.commitment as usize == ci
                    && r.unit.milestone.map(|m| m as usize) == mi
                    && usize::from(r.criterion) == k
                    && inputs
                        .plan
                        .is_reference(inputs.scores.evaluator_name(r.evaluator))
            })
            .map(|r| {
                (
                    inputs.scores.evaluator_name(r.evaluator).to_string(),
                    r.level
                        .map(|l| rubric.criteria[k].label(usize::from(l)).to_string()),
                )
            })
            .collect()
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
                    &reference_of(&crit.id, None),
                ));
                row.push(Cell::toned(level_or_dash(out.level.as_ref()), Tone::Strong));
                grid.push(row);
                if out.ratings == 0 {
                    text.push(format!("Nobody gave a level{}: {NO_EVIDENCE}, and the criterion is left out of the score.", if out.no_rating > 0 { format!(" ({} said n/a)", out.no_rating) } else { String::new() }));
                } else {
                    text.push(format!(
                        "{} of {} evaluators gave a level{}; combined by {} → {}{}.",
                        out.ratings,
                        results.evaluators.iter().filter(|e| !e.reference).count(),
                        if out.no_rating > 0 {
                            format!(" ({} said n/a)", out.no_rating)
                        } else {
                            String::new()
                        },
                        combine_words(crit.combine),
                        level_or_dash(out.level.as_ref()),
                        out.value
                            .filter(|_| crit.combine == Combine::Mean)
                            .map(|v| format!(" (mean {})", render::number(v)))
                            .unwrap_or_default()
                    ));
                }
            }
            Scope::Milestone => {
                let mut cols = vec!["milestone".to_string(), "due".into(), "weight".into()];
                cols.extend(evaluator_columns(results));
                cols.extend(["combined".to_string(), "status".to_string()]);
                grid = Grid::new(cols).numeric(&["weight"]);
                for m in &c.milestones {
                    let Some(mout) = m.criteria.get(&crit.id) else {
                        continue;
                    };
                    let mut row = vec![
                        Cell::new(format!("{} {}", m.id, m.title)),
                        Cell::new(m.due.clone().unwrap_or_default()),
                        Cell::new(render::number(m.weight)),
                    ];
                    row.extend(by_evaluator_cells(
                        results,
                        mout,
                        &reference_of(&crit.id, Some(&m.id)),
                    ));
                    row.push(Cell::toned(
                        level_or_dash(mout.level.as_ref()),
                        Tone::Strong,
                    ));
                    let mut status = Vec::new();
                    if m.overdue && rubric.completion == Some(k) {
                        status.push("overdue".to_string());
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
                    grid.push(row);
                }
                let values: Vec<String> = c
                    .milestones
                    .iter()
                    .filter_map(|m| {
                        m.criteria.get(&crit.id).and_then(|x| {
                            x.value.map(|v| {
                                format!("{}×{}", render::number(m.weight), render::number(v))
                            })
                        })
                    })
                    .collect();
                text.push(format!(
                    "Each milestone combined by {}. The commitment's value is the weighted mean of the milestones' values ({}) = {} → {} (the level at or below it).",
                    combine_words(crit.combine),
                    if values.is_empty() { "none rated".to_string() } else { values.join(" + ") },
                    out.value.map_or_else(|| "–".into(), render::number),
                    level_or_dash(out.level.as_ref())
                ));
            }
        }
        if out.disagreement {
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
    for crit in rubric.criteria.iter().filter(|k| k.weight > 0.0) {
        let value = c.criteria.get(&crit.id).and_then(|x| x.value);
        match value {
            Some(v) if total > 0.0 => {
                let norm = crit.normalise(v);
                g.push(vec![
                    crit.id.clone().into(),
                    render::number(crit.weight).into(),
                    render::number(v).into(),
                    render::number(norm).into(),
                    render::percent(crit.weight / total).into(),
                    format!("{:.1}", norm * crit.weight / total).into(),
                ]);
            }
            _ => g.push(vec![
                crit.id.clone().into(),
                render::number(crit.weight).into(),
                Cell::toned("–", Tone::Muted),
                Cell::toned("not rated: left out", Tone::Muted),
                "".into(),
                "".into(),
            ]),
        }
    }
    let rating_line = match &rubric.rating {
        RatingRule::Criterion(i) => format!(
            "The rating is the combined level of `{}`: {}.",
            rubric.criteria[*i].id,
            c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into())
        ),
        RatingRule::Bands(bands) => match (c.score, c.rating_rank.and_then(|r| bands.get(r))) {
            (Some(s), Some(b)) => format!(
                "The rating is the score's band: {} falls in {} [{}, {}{}.",
                render::number(s),
                b.label,
                render::number(b.min),
                render::number(b.max),
                if b.max >= 100.0 { "]" } else { ")" }
            ),
            _ => format!(
                "No criterion was rated, so there is no score and the rating is {NO_EVIDENCE}."
            ),
        },
    };
    sections.push(Section {
        heading: Some("Score".into()),
        text: vec![
            "Each criterion's value is placed on 0–100 and weighted; weights are shared among the criteria that have a value.".into(),
            format!("Score = {}.", c.score.map_or_else(|| "– (nothing rated)".into(), render::number)),
            rating_line,
        ],
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
                    let mark = match held.and_then(|h| h.get(ci)) {
                        Some(true) => "✓",
                        _ if binding.is_some_and(|b| *b == label)
                            && held.and_then(|h| h.iter().position(|x| !x)) == Some(ci) =>
                        {
                            "✗ binding"
                        }
                        _ => "✗",
                    };
                    if label == words {
                        format!("{mark} {words}")
                    } else {
                        format!("{mark} {label}: {words}")
                    }
                })
                .collect();
            let name = if f.star {
                format!("★ {}", f.id)
            } else {
                f.id.clone()
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
        sections.push(Section {
            heading: Some("Flags".into()),
            text: vec!["A flag holds when all its conditions hold; when it does not, the first condition that fails is its binding constraint.".into()],
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
                    "{} milestone(s) past due and not complete",
                    c.overdue_milestones
                )
            } else {
                "past its end date and not complete".to_string()
            }
        ));
    }
    if !c.missing_evaluators.is_empty() {
        status.push(format!(
            "Not rated by: {}.",
            c.missing_evaluators.join(", ")
        ));
    }
    for (who, r) in &c.reference {
        status.push(format!(
            "Reference {who}: {}{}.",
            r.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into()),
            if r.differs {
                format!(
                    " — differs from the combined rating {}",
                    c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into())
                )
            } else {
                " — the same as the combined rating".into()
            }
        ));
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
        let mut g = Grid::new(["evaluator", "about", "evidence", "comment", "next steps"]);
        for n in notes {
            let about = match (&n.milestone, &n.criterion) {
                (Some(m), Some(k)) => format!("{m} {k}"),
                (Some(m), None) => format!("milestone {m}"),
                (None, Some(k)) => k.clone(),
                (None, None) => "commitment".into(),
            };
            g.push(vec![
                n.evaluator.clone().into(),
                about.into(),
                n.evidence.clone().into(),
                n.comment.clone().into(),
                n.next_steps.clone().into(),
            ]);
        }
        sections.push(Section {
            heading: Some("What the evaluators wrote".into()),
            text: Vec::new(),
            grid: Some(g),
        });
    }

    Doc {
        title: format!("Commitment {}: {}", c.id, c.title),
        meta,
        sections,
        csv: None,
        notes: vec!["A civil-society assessment, not an official IRM rating.".into()],
    }
}
