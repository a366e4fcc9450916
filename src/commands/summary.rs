//! `checkmyogp summary [DIR]`: the plan at a glance, as IRM reports present it.

use super::assess::meta;
use super::common::{self, OutputArgs};
use crate::assess::Engine;
use crate::cli::{InputArgs, Outcome};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};
use crate::results::{self, Head, NO_EVIDENCE, Summary};

const EXAMPLES: &str = "\
Examples:
  checkmyogp summary samples/mongolia-irm-legacy
  checkmyogp summary . --format markdown --output at-a-glance.md";

/// The plan at a glance: ratings, high completion, stars, ambition × completion, what is late.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub date: common::AsOfArg,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let Some(inputs) = common::load_inputs(&args.input, false)? else {
        return Ok(Outcome::Problems);
    };
    let as_of = common::as_of(args.date.as_of, &inputs);
    let engine = Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    // Counted as the commitments are assessed: their results are never all held at once.
    let summary = results::summary(&inputs, &engine);
    let head = results::head(&inputs, as_of);
    drop(engine);
    drop(inputs);
    let data = serde_json::json!({
        "schema_version": head.schema_version,
        "plan": head.plan,
        "rubric": head.rubric.id,
        "as_of": head.as_of,
        "summary": summary,
    });
    common::emit(&args.output, &data, || document(&head, &summary))?;
    Ok(Outcome::Ok)
}

fn list_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

/// The document `summary` shows.
pub fn document(results: &Head, s: &Summary) -> Doc {
    let n = s.commitments;
    let share = |count: usize| {
        if n == 0 {
            "–".to_string()
        } else {
            render::share(count as f64 / n as f64)
        }
    };
    let mut sections = Vec::new();
    let mut long = Grid::new(["section", "item", "count", "share"]);
    let mut add_long = |section: &str, item: &str, count: usize| {
        // Milestone counts are shares of milestones; everything else of commitments.
        let of = if item == "overdue milestones" || item == "not rated milestones" {
            s.milestones
        } else {
            n
        };
        let share = if of == 0 {
            "–".to_string()
        } else {
            render::percent(count as f64 / of as f64)
        };
        long.push(vec![
            section.into(),
            item.into(),
            count.to_string().into(),
            share.into(),
        ]);
    };

    let mut ratings =
        Grid::new(["rating", "commitments", "share"]).numeric(&["commitments", "share"]);
    let levels = results.rubric.ratings.len();
    for (i, label) in results.rubric.ratings.iter().enumerate() {
        let count = s.by_rating.get(label).copied().unwrap_or(0);
        ratings.push(vec![
            Cell::toned(label.clone(), Tone::of_level(i, levels)),
            count.to_string().into(),
            share(count).into(),
        ]);
        add_long("rating", label, count);
    }
    // Statuses of the rating criterion (Withdrawn, No Evidence Available): counted under
    // their label, not on the scale.
    for (label, &count) in s
        .by_rating
        .iter()
        .filter(|(l, _)| !results.rubric.ratings.contains(l) && l.as_str() != NO_EVIDENCE)
    {
        ratings.push(vec![
            Cell::toned(format!("{label} (status)"), Tone::Muted),
            count.to_string().into(),
            share(count).into(),
        ]);
        add_long("rating", label, count);
    }
    if let Some(&none) = s.by_rating.get(NO_EVIDENCE) {
        ratings.push(vec![
            Cell::toned(NO_EVIDENCE, Tone::Muted),
            none.to_string().into(),
            share(none).into(),
        ]);
        add_long("rating", NO_EVIDENCE, none);
    }
    // Plans without milestones (as OGP's database gives them) get no milestone counts.
    let milestones = if s.milestones == 0 {
        String::new()
    } else {
        format!(", {}", crate::diag::plural(s.milestones, "milestone"))
    };
    let mut text = vec![format!(
        "{}{milestones}.{}",
        crate::diag::plural(n, "commitment"),
        s.mean_score
            .map(|m| format!(" Mean score {}.", render::score(m)))
            .unwrap_or_default()
    )];
    if let Some(h) = &s.high_completion {
        text.push(format!(
            "High completion (Substantial or Complete): {} of {n} ({}).",
            h.count,
            render::percent(h.share)
        ));
        add_long("high completion", "high-completion", h.count);
    }
    sections.push(Section {
        heading: Some(format!("Ratings ({})", results.rubric.rating_from)),
        text,
        grid: Some(ratings),
    });

    if results.rubric.rating_from == "score"
        && let Some(by) = &s.by_completion
    {
        let mut g =
            Grid::new(["completion", "commitments", "share"]).numeric(&["commitments", "share"]);
        // The completion criterion's levels are toned along the scale; its statuses and
        // "No evidence" are not on it.
        let levels: &[String] = results
            .rubric
            .criteria
            .iter()
            .find(|c| by.first().is_some_and(|(l, _)| c.levels.first() == Some(l)))
            .map_or(&[], |c| c.levels.as_slice());
        let total = levels.len().max(1);
        for (i, (label, count)) in by.iter().enumerate() {
            let tone = if label == NO_EVIDENCE || !levels.contains(label) {
                Tone::Muted
            } else {
                Tone::of_level(i, total)
            };
            g.push(vec![
                Cell::toned(label.clone(), tone),
                count.to_string().into(),
                share(*count).into(),
            ]);
            add_long("completion", label, *count);
        }
        sections.push(Section {
            heading: Some("Completion".into()),
            text: Vec::new(),
            grid: Some(g),
        });
    }

    if !s.flags.is_empty() {
        let mut g = Grid::new(["flag", "commitments", "share"]).numeric(&["commitments", "share"]);
        for f in &results.rubric.flags {
            let count = s.flags.get(&f.id).copied().unwrap_or(0);
            let name = if f.star {
                format!("★ {}", f.name)
            } else {
                f.name.clone()
            };
            g.push(vec![
                name.into(),
                count.to_string().into(),
                share(count).into(),
            ]);
            add_long("flag", &f.id, count);
        }
        sections.push(Section {
            heading: Some("Flags".into()),
            text: Vec::new(),
            grid: Some(g),
        });
    }

    if let Some(q) = &s.quadrant {
        let (yes, no) = (format!("{} ✓", q.columns), format!("not {}", q.columns));
        let mut g = Grid::new(vec![String::new(), yes.clone(), no.clone()])
            .numeric(&[yes.as_str(), no.as_str()]);
        g.push(vec![
            format!("{} ✓", q.rows).into(),
            q.both.to_string().into(),
            q.rows_only.to_string().into(),
        ]);
        g.push(vec![
            format!("not {}", q.rows).into(),
            q.columns_only.to_string().into(),
            q.neither.to_string().into(),
        ]);
        add_long("quadrant", "ambitious and high completion", q.both);
        add_long("quadrant", "ambitious, not high completion", q.rows_only);
        add_long("quadrant", "high completion, not ambitious", q.columns_only);
        add_long("quadrant", "neither", q.neither);
        sections.push(Section {
            heading: Some("Ambition × completion".into()),
            text: vec!["How many commitments were ambitious, how many reached high completion, and both (OGP's quadrant).".into()],
            grid: Some(g),
        });
    }

    let mut attention = vec![format!(
        "Overdue commitments: {}",
        list_or_none(&s.overdue_commitments)
    )];
    if s.milestones > 0 {
        attention.push(format!(
            "Overdue milestones: {}",
            list_or_none(&s.overdue_milestones)
        ));
    }
    let overdue_lines = attention.len();
    attention.extend([
        format!("Evaluators disagree on: {}", list_or_none(&s.disagreements)),
        format!(
            "Ratings without the evidence the rubric requires: {}",
            list_or_none(&s.unsupported)
        ),
    ]);
    add_long(
        "attention",
        "overdue commitments",
        s.overdue_commitments.len(),
    );
    add_long(
        "attention",
        "overdue milestones",
        s.overdue_milestones.len(),
    );
    let not_rated: Vec<String> = s
        .not_rated_commitments
        .iter()
        .chain(&s.not_rated_milestones)
        .cloned()
        .collect();
    if !not_rated.is_empty() {
        // Listed where the overdue items are: past their date, but with no completion level.
        attention.insert(
            overdue_lines,
            format!(
                "Not rated (past their date with no completion level, so not counted as overdue): {}",
                not_rated.join(", ")
            ),
        );
        // Each a share of its own kind: commitments of commitments, milestones of milestones.
        add_long(
            "attention",
            "not rated commitments",
            s.not_rated_commitments.len(),
        );
        add_long(
            "attention",
            "not rated milestones",
            s.not_rated_milestones.len(),
        );
    }
    add_long("attention", "disagreement", s.disagreements.len());
    add_long("attention", "unsupported", s.unsupported.len());
    let references: Vec<String> = results
        .evaluators
        .iter()
        .filter(|e| e.reference)
        .map(|e| match render::evaluator_label(e) {
            irm if irm == "IRM" => "the IRM".to_string(),
            who => who,
        })
        .collect();
    if !references.is_empty() {
        attention.push(format!(
            "Rated differently by {}: {}",
            references.join(" or "),
            list_or_none(&s.differs_from_reference)
        ));
        add_long(
            "attention",
            "differs from reference",
            s.differs_from_reference.len(),
        );
    }
    sections.push(Section {
        heading: Some("Needs attention".into()),
        text: attention,
        grid: None,
    });

    let mut leads = Grid::new(["lead agency", "commitments", "ratings", "overdue"])
        .numeric(&["commitments", "overdue"]);
    for l in &s.by_lead {
        let ratings: Vec<String> = l
            .by_rating
            .iter()
            .map(|(r, c)| format!("{r} {c}"))
            .collect();
        leads.push(vec![
            l.lead.clone().into(),
            l.commitments.to_string().into(),
            // One rating a line, so that a table never breaks a rating ("Off track") in two.
            ratings.join("\n").into(),
            l.overdue.to_string().into(),
        ]);
        add_long("lead agency", &l.lead, l.commitments);
    }
    sections.push(Section {
        heading: Some("By lead agency".into()),
        text: Vec::new(),
        grid: Some(leads),
    });

    // The mean score, unrounded until written: 4 decimals, as in every CSV.
    if let Some(m) = s.mean_score {
        long.push(vec![
            "score".into(),
            "mean score".into(),
            format!("{}", crate::results::round4(m)).into(),
            "".into(),
        ]);
    }
    Doc {
        title: format!(
            "{} — {}: at a glance",
            results.plan.country, results.plan.title
        ),
        meta: meta(&results.rubric, &results.as_of, &results.evaluators),
        sections,
        csv: Some(long),
        notes: vec!["A civil-society assessment, not an official IRM rating.".into()],
    }
}
