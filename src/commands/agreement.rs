//! `checkmyogp agreement [DIR]`: do the evaluators agree? Per criterion, Krippendorff's alpha
//! (with an optional bootstrap interval and a progress bar), percent agreement, Fleiss' kappa,
//! Gwet's AC1, Cohen's kappas per pair, who departs from the others and where the disagreement
//! is. The statistics are `agreement::report`'s; this module owns the arguments, the progress
//! bar and the document.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use super::common::{self, OutputArgs};
use crate::agreement::report::{self, CriterionReport, Report, Undefined};
use crate::agreement::{AlphaBand, BootstrapOptions, Metric, Weighting};
use crate::cli::{InputArgs, Outcome};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};

const EXAMPLES: &str = "\
Examples:
  checkmyogp agreement samples/mongolia-2016-2018
  checkmyogp agreement . --bootstrap 1000 --seed 7
  checkmyogp agreement . --criterion completion --metric interval
  checkmyogp agreement samples/mongolia-irm-legacy --with-reference --format json

Alpha of at least 0.800 is reliable, at least 0.667 allows tentative conclusions only, below
that the ratings are unreliable. Details: docs/agreement.md.";

/// Above this many evaluators, tables summarise instead of giving each evaluator a column.
const WIDE: usize = 8;

/// Do the evaluators agree? Krippendorff's alpha, kappas and where the disagreement is.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Use this metric for alpha on every criterion (default: nominal for yes/no and nominal
    /// scales, ordinal for ordinal ones).
    #[arg(long, value_enum, value_name = "METRIC")]
    pub metric: Option<MetricArg>,

    /// Only this criterion (its id in the rubric; repeat for several).
    #[arg(long = "criterion", value_name = "ID")]
    pub criteria: Vec<String>,

    /// Include the reference evaluators (plan.toml `[assessment] reference`), left out by
    /// default as in the assessment.
    #[arg(long)]
    pub with_reference: bool,

    /// Bootstrap a percentile confidence interval for alpha from N resamples of the units
    /// (1,000 is customary).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub bootstrap: Option<u32>,

    /// Seed of the bootstrap: the same seed gives the same interval.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "bootstrap")]
    pub seed: u64,

    /// Confidence level of the bootstrap interval, between 0 and 1.
    #[arg(long, value_name = "C", default_value_t = 0.95, value_parser = parse_confidence, requires = "bootstrap")]
    pub confidence: f64,

    /// How many units to list by spread, widest first (0: every unit with a disagreement).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

/// `--metric` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// Any two different levels disagree equally.
    Nominal,
    /// Ordered levels: the distance grows with how many ratings lie between them.
    Ordinal,
    /// The levels' values, as numbers: squared differences.
    Interval,
    /// The levels' values relative to their sum (values must not be negative).
    Ratio,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Self {
        match m {
            MetricArg::Nominal => Metric::Nominal,
            MetricArg::Ordinal => Metric::Ordinal,
            MetricArg::Interval => Metric::Interval,
            MetricArg::Ratio => Metric::Ratio,
        }
    }
}

fn parse_confidence(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(c) if c > 0.0 && c < 1.0 => Ok(c),
        _ => Err(format!(
            "\"{s}\" is not a confidence level; give a number between 0 and 1, e.g. 0.95"
        )),
    }
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let Some(inputs) = common::load_inputs(&args.input, false)? else {
        return Ok(Outcome::Problems);
    };
    let rubric = &inputs.rubric;
    let mut criteria = Vec::new();
    for wanted in &args.criteria {
        let wanted = wanted.trim();
        match rubric.criteria.iter().position(|c| c.id == wanted) {
            Some(k) => {
                if !criteria.contains(&k) {
                    criteria.push(k);
                }
            }
            None => {
                let ids: Vec<&str> = rubric.criteria.iter().map(|c| c.id.as_str()).collect();
                let hint = crate::suggest::did_you_mean(wanted, ids.iter().copied())
                    .map(|h| format!("\n  help: {h}"))
                    .unwrap_or_default();
                writeln!(
                    crate::terminal::stderr(),
                    "error: the rubric `{}` has no criterion \"{wanted}\"\n  expected: {}{hint}",
                    rubric.id,
                    crate::suggest::one_of(&ids, 30)
                )?;
                return Ok(Outcome::Usage);
            }
        }
    }
    let options = report::Options {
        metric: args.metric.map(Metric::from),
        with_reference: args.with_reference,
        criteria,
        bootstrap: args.bootstrap.map(|n| BootstrapOptions {
            resamples: n as usize,
            seed: args.seed,
            confidence: args.confidence,
            threads: 0,
        }),
        top: args.top,
        alpha_only: false,
    };
    let count = if options.criteria.is_empty() {
        rubric.criteria.len()
    } else {
        options.criteria.len()
    };
    let report = match options.bootstrap {
        Some(b) => {
            let bar = progress_bar((b.resamples as u64).saturating_mul(count as u64));
            let mut tick = |n: u64| bar.inc(n);
            let report = report::build(
                &inputs.plan,
                rubric,
                &inputs.scores,
                &options,
                Some(&mut tick),
            );
            bar.finish_and_clear();
            report
        }
        None => report::build(&inputs.plan, rubric, &inputs.scores, &options, None),
    };
    common::emit(&args.output, &report, || document(&report, &inputs))?;
    Ok(Outcome::Ok)
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "bootstrap [{bar:30}] {human_pos}/{human_len} resamples, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A coefficient to three decimals, or a dash.
fn coef(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), report::fmt_alpha)
}

/// A share of agreement: one decimal, so that a column reads alike ("50.0%" beside "63.2%").
fn share(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), render::share)
}

fn alpha_tone(c: &CriterionReport) -> Tone {
    match c.interpretation {
        Some(AlphaBand::Reliable) => Tone::Good,
        Some(AlphaBand::Tentative) => Tone::Poor,
        Some(AlphaBand::Unreliable) => Tone::Bad,
        None => Tone::Muted,
    }
}

/// The short reading in the summary table.
fn short_reading(c: &CriterionReport) -> String {
    match (c.interpretation, c.undefined) {
        (Some(band), _) => band.label().to_string(),
        (None, Some(Undefined::NoRatings)) => "no ratings".into(),
        (None, Some(Undefined::SingleEvaluator)) => "single evaluator".into(),
        (None, Some(Undefined::TooFewUnits)) => "too few units".into(),
        (None, Some(Undefined::NoVariation)) => "no variation".into(),
        (None, Some(Undefined::NotApplicable)) => "not applicable".into(),
        (None, None) => "–".into(),
    }
}

fn alpha_text(c: &CriterionReport) -> String {
    match c.alpha {
        Some(a) => report::fmt_alpha(a),
        None if c.undefined == Some(Undefined::NotApplicable) => "n/a".into(),
        None => "undefined".into(),
    }
}

fn ci_text(c: &CriterionReport) -> String {
    match c.ci {
        Some(Some([lo, hi])) => format!("[{}, {}]", report::fmt_alpha(lo), report::fmt_alpha(hi)),
        _ => "–".into(),
    }
}

/// A disagreement: three decimals, or three significant digits when large (ordinal
/// disagreements are in squared counts of values).
fn disagreement(x: f64) -> String {
    if x.abs() < 10_000.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.3e}")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The document for table, CSV and Markdown.
pub fn document(report: &Report, inputs: &crate::load::Inputs) -> Doc {
    let bootstrapped = report.bootstrap.is_some();
    let confidence = report.bootstrap.map_or(0.95, |b| b.confidence);
    let ci_column = format!("{} CI", render::percent(confidence));

    let mut meta = vec![
        (
            "rubric".to_string(),
            format!("{} ({})", inputs.rubric.id, inputs.rubric.origin),
        ),
        (
            "evaluators".to_string(),
            if report.evaluators.is_empty() {
                "none".to_string()
            } else {
                report.evaluators.join(", ")
            },
        ),
    ];
    if !report.reference.is_empty() {
        meta.push((
            if report.with_reference {
                "reference (included)".to_string()
            } else {
                "reference (left out)".to_string()
            },
            report.reference.join(", "),
        ));
    }
    meta.push((
        "metric".to_string(),
        match report.metric_override {
            Some(m) => format!("{m} for every criterion (--metric)"),
            None => "nominal for yes/no and nominal scales, ordinal for ordinal ones".to_string(),
        },
    ));
    if let Some(b) = report.bootstrap {
        meta.push((
            "bootstrap".to_string(),
            format!(
                "{} resamples of the units, seed {}, {} percentile intervals",
                b.resamples,
                b.seed,
                render::percent(b.confidence)
            ),
        ));
    }

    // The summary, one row per criterion.
    let mut columns = vec!["criterion", "metric", "alpha"];
    if bootstrapped {
        columns.push("CI");
    }
    columns.extend(["reading", "units", "values", "agreement", "Fleiss κ", "AC1"]);
    let mut summary = Grid::new(columns.iter().map(|c| {
        if *c == "CI" {
            ci_column.clone()
        } else {
            (*c).to_string()
        }
    }))
    .numeric(&[
        "alpha",
        ci_column.as_str(),
        "units",
        "values",
        "agreement",
        "Fleiss κ",
        "AC1",
    ])
    .drop_first(&[
        ("AC1", 5),
        ("Fleiss κ", 5),
        ("values", 4),
        ("metric", 3),
        (ci_column.as_str(), 2),
        ("agreement", 1),
    ]);
    for c in &report.criteria {
        let mut row: Vec<Cell> = vec![
            c.criterion.clone().into(),
            c.metric.label().into(),
            Cell::toned(alpha_text(c), alpha_tone(c)),
        ];
        if bootstrapped {
            row.push(ci_text(c).into());
        }
        row.extend([
            Cell::toned(short_reading(c), alpha_tone(c)),
            format!("{} of {}", c.units, c.units_total).into(),
            c.pairable.to_string().into(),
            share(c.percent_agreement).into(),
            coef(c.fleiss_kappa).into(),
            coef(c.gwet_ac1).into(),
        ]);
        summary.push(row);
    }
    let mut summary_text = vec![
        "Krippendorff's alpha: at least 0.800 reliable, at least 0.667 tentative conclusions only, below that unreliable. Units: those rated by two or more evaluators, of all rated on the criterion; values: the levels given in them.".to_string(),
    ];
    summary_text.extend(report.notes.iter().cloned());
    let mut sections = vec![Section {
        heading: Some("Summary".into()),
        text: summary_text,
        grid: Some(summary),
    }];
    for c in &report.criteria {
        criterion_sections(c, report, &mut sections);
    }
    Doc {
        title: format!(
            "{} — {}: agreement between evaluators",
            report.plan.country, report.plan.title
        ),
        meta,
        sections,
        csv: Some(csv_grid(report)),
        notes: vec![
            "Measures use the rubric's declared levels as the scale, including levels nobody used. A civil-society assessment, not an official IRM rating.".into(),
        ],
    }
}

fn criterion_sections(c: &CriterionReport, report: &Report, sections: &mut Vec<Section>) {
    let mut text = Vec::new();
    let alpha_line = match c.alpha {
        Some(a) => format!(
            "Krippendorff's alpha ({}) = {}: {}.",
            c.metric,
            report::fmt_alpha(a),
            c.reading
        ),
        None => format!("Krippendorff's alpha ({}): {}.", c.metric, c.reading),
    };
    text.push(alpha_line);
    if let (Some(Some([lo, hi])), Some(b)) = (c.ci, &c.bootstrap) {
        let confidence = report.bootstrap.map_or(0.95, |s| s.confidence);
        text.push(format!(
            "{} interval [{}, {}] from {} resamples; {} of them below 0.800, {} below 0.667.",
            render::percent(confidence),
            report::fmt_alpha(lo),
            report::fmt_alpha(hi),
            b.defined,
            render::percent(b.share_below_reliable),
            render::percent(b.share_below_tentative),
        ));
    }
    let mut counts = format!(
        "{} of {} rated by two or more evaluators, {}",
        c.units,
        plural(c.units_total, "unit", "units"),
        plural(c.pairable, "pairable value", "pairable values"),
    );
    if let (Some(o), Some(e)) = (c.observed_disagreement, c.expected_disagreement) {
        counts.push_str(&format!(
            "; observed disagreement {}, expected {}",
            disagreement(o),
            disagreement(e)
        ));
    }
    counts.push('.');
    text.push(counts);
    if c.raters >= 2 {
        text.push(format!(
            "Percent agreement {}; Fleiss' kappa {} (over {} rated by every evaluator who rated this criterion); Gwet's AC1 {}.",
            share(c.percent_agreement),
            coef(c.fleiss_kappa),
            plural(c.fleiss_units, "unit", "units"),
            coef(c.gwet_ac1)
        ));
    }
    text.extend(c.notes.iter().cloned());

    // Pairs: all of them when few, else the least agreeing.
    let mut pairs: Vec<&report::PairOut> = c.pairs.iter().collect();
    let max_pairs = WIDE * (WIDE - 1) / 2;
    let grid = if pairs.is_empty() {
        None
    } else {
        if pairs.len() > max_pairs {
            pairs.sort_by(|a, b| {
                a.percent
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.percent.unwrap_or(f64::INFINITY))
            });
            pairs.truncate(10);
            text.push(format!(
                "The 10 pairs of evaluators who agree least, of {} (--format json lists every pair).",
                c.pairs.len()
            ));
        }
        let mut g = Grid::new([
            "evaluator",
            "with",
            "units",
            "agreement",
            "Cohen κ",
            "linear κ",
            "quadratic κ",
        ])
        .numeric(&["units", "agreement", "Cohen κ", "linear κ", "quadratic κ"]);
        for p in pairs {
            g.push(vec![
                p.a.clone().into(),
                p.b.clone().into(),
                p.shared_units.to_string().into(),
                share(p.percent).into(),
                coef(p.cohen_kappa).into(),
                coef(p.linear_kappa).into(),
                coef(p.quadratic_kappa).into(),
            ]);
        }
        Some(g)
    };
    sections.push(Section {
        heading: Some(format!(
            "{} — {} ({} scale, rated per {})",
            c.criterion,
            c.name,
            c.scale.id(),
            c.scope.id()
        )),
        text,
        grid,
    });
    if c.raters < 2 {
        return;
    }
    sections.push(matrix_section(c));
    sections.push(spread_section(c, report));
}

fn matrix_section(c: &CriterionReport) -> Section {
    let m = &c.matrix;
    let n = m.evaluators.len();
    let kappa_name = match m.weighting {
        Weighting::Unweighted => "mean κ",
        Weighting::Linear => "mean linear κ",
        Weighting::Quadratic => "mean quadratic κ",
    }
    .to_string();
    let mut text = Vec::new();
    if m.most_departing.is_none() {
        text.push("No evaluator departs from the others more than the rest do.".into());
    }
    if let Some(who) = &m.most_departing {
        let i = m.evaluators.iter().position(|e| e == who);
        let mean = i.and_then(|i| m.mean_percent.get(i).copied().flatten());
        // Everyone as far from the others as the first.
        let mut tied: Vec<String> = m
            .evaluators
            .iter()
            .zip(&m.mean_percent)
            .filter(|(_, p)| **p == mean)
            .map(|(e, _)| format!("`{e}`"))
            .collect();
        // Thousands of evaluators may tie: name ten.
        if tied.len() > 10 {
            let more = tied.len() - 10;
            tied.truncate(10);
            tied.push(format!("{more} others"));
        }
        if tied.len() > 1 {
            text.push(format!(
                "{} depart most from the others, each with a mean agreement of {}.",
                and_list(&tied),
                share(mean),
            ));
        } else {
            let kappa = i.and_then(|i| m.mean_kappa.get(i).copied().flatten());
            text.push(format!(
                "`{who}` departs most from the others: mean agreement {}, {} {}.",
                share(mean),
                kappa_name,
                coef(kappa)
            ));
        }
    }
    let grid = if n <= WIDE {
        let mut columns = vec!["evaluator".to_string()];
        columns.extend(m.evaluators.iter().cloned());
        columns.push("mean agreement".into());
        columns.push(kappa_name.clone());
        let mut numeric: Vec<&str> = m.evaluators.iter().map(String::as_str).collect();
        numeric.push("mean agreement");
        numeric.push(kappa_name.as_str());
        // The mean κ is also in the text above the table: it gives way first.
        let mut g = Grid::new(columns.clone())
            .numeric(&numeric)
            .drop_first(&[(kappa_name.as_str(), 1)]);
        for (a, name) in m.evaluators.iter().enumerate() {
            let mut row: Vec<Cell> = vec![name.clone().into()];
            for b in 0..n {
                if a == b {
                    row.push(Cell::toned("—", Tone::Muted));
                } else {
                    let p = m.percent.get(a).and_then(|r| r.get(b)).copied().flatten();
                    row.push(share(p).into());
                }
            }
            let strong = m.most_departing.as_deref() == Some(name.as_str());
            let mean = share(m.mean_percent.get(a).copied().flatten());
            row.push(if strong {
                Cell::toned(mean, Tone::Strong)
            } else {
                mean.into()
            });
            row.push(coef(m.mean_kappa.get(a).copied().flatten()).into());
            g.push(row);
        }
        g
    } else {
        text.push(
            if n > crate::agreement::report::MAX_PAIRWISE_EVALUATORS {
                format!(
                    "The 10 evaluators who depart most, of {n} (summarised, see above; --format json lists every evaluator's mean agreement)."
                )
            } else {
                format!(
                    "The 10 evaluators who depart most, of {n} (--format json has the whole matrix)."
                )
            },
        );
        let mut g = Grid::new(["evaluator", "mean agreement", kappa_name.as_str()])
            .numeric(&["mean agreement", kappa_name.as_str()]);
        for name in m.departure.iter().take(10) {
            let i = m.evaluators.iter().position(|e| e == name);
            g.push(vec![
                name.clone().into(),
                share(i.and_then(|i| m.mean_percent.get(i).copied().flatten())).into(),
                coef(i.and_then(|i| m.mean_kappa.get(i).copied().flatten())).into(),
            ]);
        }
        g
    };
    Section {
        heading: Some(format!(
            "{}: agreement between evaluators (share of shared units with the same level)",
            c.criterion
        )),
        text,
        grid: Some(grid),
    }
}

fn spread_section(c: &CriterionReport, report: &Report) -> Section {
    let s = &c.spread;
    let mut text = Vec::new();
    if s.units_with_spread == 0 {
        text.push("The evaluators gave the same level on every unit they both rated.".into());
    } else {
        text.push(format!(
            "{} with different levels; {} with a spread of {} or more (the rubric's disagreement threshold).",
            plural(s.units_with_spread, "unit", "units"),
            s.units_at_threshold,
            plural(s.threshold as usize, "level", "levels"),
        ));
        if s.units.len() < s.units_with_spread {
            text.push(format!(
                "The {} widest (--top changes how many).",
                s.units.len()
            ));
        }
    }
    let evaluators = &report.evaluators;
    let grid = (!s.units.is_empty()).then(|| {
        let mut columns = vec!["unit".to_string(), "spread".to_string()];
        if evaluators.len() <= WIDE {
            columns.extend(evaluators.iter().cloned());
        } else {
            columns.push("levels given".into());
        }
        let mut g = Grid::new(columns).numeric(&["spread"]);
        for u in &s.units {
            let mut row: Vec<Cell> = vec![
                u.unit.clone().into(),
                Cell::toned(
                    u.spread.to_string(),
                    if u32::from(u.spread) >= s.threshold {
                        Tone::Bad
                    } else {
                        Tone::Plain
                    },
                ),
            ];
            if evaluators.len() <= WIDE {
                for e in evaluators {
                    row.push(match u.levels.get(e).cloned().flatten() {
                        Some(l) => l.into(),
                        None => Cell::toned("–", Tone::Muted),
                    });
                }
            } else {
                // Each level given, lowest first, with how many gave it.
                let mut tally: Vec<(usize, &str, usize)> = Vec::new();
                for l in u.levels.values().flatten() {
                    let rank = c.levels.iter().position(|x| x == l).unwrap_or(usize::MAX);
                    match tally.iter_mut().find(|(_, x, _)| *x == l.as_str()) {
                        Some(t) => t.2 += 1,
                        None => tally.push((rank, l.as_str(), 1)),
                    }
                }
                tally.sort();
                let text: Vec<String> = tally.iter().map(|(_, l, n)| format!("{l} ×{n}")).collect();
                row.push(text.join(", ").into());
            }
            g.push(row);
        }
        g
    });
    Section {
        heading: Some(format!("{}: where the disagreement is", c.criterion)),
        text,
        grid,
    }
}

/// The CSV: one row per criterion, numbers unrounded, empty cells for undefined values.
fn csv_grid(report: &Report) -> Grid {
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut g = Grid::new([
        "criterion",
        "name",
        "scale",
        "scope",
        "metric",
        "alpha",
        "interpretation",
        "undefined",
        "ci_low",
        "ci_high",
        "units",
        "units_total",
        "pairable",
        "raters",
        "observed_disagreement",
        "expected_disagreement",
        "percent_agreement",
        "fleiss_kappa",
        "fleiss_units",
        "gwet_ac1",
        "most_departing",
        "fleiss_left_out",
    ]);
    for c in &report.criteria {
        let (lo, hi) = match c.ci {
            Some(Some([lo, hi])) => (Some(lo), Some(hi)),
            _ => (None, None),
        };
        let undefined = c
            .undefined
            .and_then(|u| serde_json::to_value(u).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        g.push(vec![
            c.criterion.clone().into(),
            c.name.clone().into(),
            c.scale.id().into(),
            c.scope.id().into(),
            c.metric.label().into(),
            num(c.alpha).into(),
            c.interpretation
                .map(|b| b.label().to_string())
                .unwrap_or_default()
                .into(),
            undefined.into(),
            num(lo).into(),
            num(hi).into(),
            c.units.to_string().into(),
            c.units_total.to_string().into(),
            c.pairable.to_string().into(),
            c.raters.to_string().into(),
            num(c.observed_disagreement).into(),
            num(c.expected_disagreement).into(),
            num(c.percent_agreement).into(),
            num(c.fleiss_kappa).into(),
            c.fleiss_units.to_string().into(),
            num(c.gwet_ac1).into(),
            c.matrix.most_departing.clone().unwrap_or_default().into(),
            c.fleiss_left_out.join("; ").into(),
        ]);
    }
    g
}
