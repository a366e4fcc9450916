//! The visual report (`checkmyogp report`): one self-contained HTML file (inline CSS and SVG,
//! no script, no network request) that shows how the plan is going at a glance and lets a
//! reader drill into any commitment, plus each chart as a standalone SVG.
//!
//! Everything shown is drawn from [`crate::results`] (built with every evaluator's levels and
//! notes) and, for agreement, from [`crate::agreement`]. The whole plan's results are never held:
//! [`prepare`] assesses every commitment once, piece by piece, for the summary, keeping of each
//! only what the overview table and the plan-level charts show; [`Report::write_page`] writes the
//! page as it is made and assesses each commitment again when its card is reached (the same
//! results: the engine is deterministic), so memory grows with the overview and the heat map, not
//! with the cards (271 MB of page at the plan limit). Layout:
//!
//! * [`html`]: escaping and links, the only ways user text enters the page;
//! * [`svg`]: the [`Chart`] type (title, text alternative, drawing, data table) and palettes;
//! * [`charts`]: the charts themselves;
//! * [`agreement`]: alpha per criterion with its bootstrap interval;
//! * [`page`]: the HTML document, its sections, the commitment cards and the stylesheet.
//!
//! See docs/report.md.

/// `format!` onto a `String` (or `&mut String`) without making a new string first: the page
/// is made of hundreds of thousands of these pieces. Writing into a `String` cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = $out.write_fmt(format_args!($($arg)*));
    }};
}

pub mod agreement;
mod charts;
pub mod html;
mod page;
pub mod svg;
pub mod words;

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::assess::Engine;
use crate::load::Inputs;
use crate::model::{Date, RatingRule, Rubric};
use crate::results::{self, CommitmentOut, Compared, NO_EVIDENCE, ReferenceOut, Results};

pub use agreement::AlphaRow;
pub use svg::{Chart, DataTable};
pub use words::Tr;

use charts::{Bar, ColumnKind, Fill, HeatCell, HeatColumn, HeatRow, QuadrantCell, RefRow};

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Bootstrap resamples behind each alpha interval.
    pub resamples: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            resamples: agreement::RESAMPLES,
        }
    }
}

/// The report, ready to be written ([`Report::write_page`]): what the page's first sections
/// show of the whole plan, and the plan-level charts (for `--charts`). The commitments' cards
/// are not in it: each is assessed, built and written when the page reaches it.
#[derive(Debug)]
pub struct Report<'a> {
    inputs: &'a Inputs,
    engine: Engine<'a>,
    cx: Context<'a>,
    /// Each commitment's results, kept with only what the overview table and the charts show
    /// (see [`slim`]).
    rows: Vec<CommitmentOut>,
    /// The plan-level charts, in the order the page shows them.
    pub charts: Vec<Chart>,
}

/// Everything the page is drawn from.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub(crate) rubric: &'a Rubric,
    /// The results' head and summary; the commitments are not in it (`commitments` is empty).
    pub(crate) results: Results,
    pub(crate) alpha: Vec<AlphaRow>,
    pub(crate) resamples: usize,
    /// The criterion of the heat map (completion, else the rating criterion, else the first
    /// key criterion), as an index into the rubric.
    pub(crate) main: Option<usize>,
    /// Ids of the combined evaluators and of the reference evaluators.
    pub(crate) combined: Vec<String>,
    pub(crate) references: Vec<String>,
    /// The report's language.
    pub(crate) tr: Tr,
}

impl Context<'_> {
    /// What the results compared of a reference evaluator's view (`ReferenceOut::compared`),
    /// theirs and the coalition's: the completion criterion's id with both levels, or none
    /// with both ratings.
    pub(crate) fn compared<'c>(
        &'c self,
        c: &'c CommitmentOut,
        v: &'c ReferenceOut,
    ) -> (Option<&'c str>, Option<&'c str>, Option<&'c str>) {
        let k = self
            .rubric
            .completion
            .and_then(|k| self.rubric.criteria.get(k));
        match (k, v.compared) {
            (Some(k), Some(Compared::Completion)) => (
                Some(k.id.as_str()),
                v.levels.get(&k.id).and_then(|l| l.as_deref()),
                c.criteria.get(&k.id).and_then(|x| x.level.as_deref()),
            ),
            _ => (None, v.rating.as_deref(), c.rating.as_deref()),
        }
    }

    /// The level labels of a criterion.
    pub(crate) fn levels(&self, k: usize) -> Vec<String> {
        self.rubric
            .criteria
            .get(k)
            .map(|c| c.levels.iter().map(|l| l.label.clone()).collect())
            .unwrap_or_default()
    }

    /// The position of `label` among criterion `k`'s levels.
    pub(crate) fn level_index(&self, k: usize, label: &str) -> Option<usize> {
        self.rubric
            .criteria
            .get(k)?
            .levels
            .iter()
            .position(|l| l.label == label)
    }

    /// [`Context::level_index`] for every label of criterion `k` at once, to look up many
    /// labels (a bar for each level of a scale of 65,535 levels) without a search each.
    pub(crate) fn level_indices(&self, k: usize) -> HashMap<&str, usize> {
        let mut at = HashMap::new();
        for (i, l) in self
            .rubric
            .criteria
            .get(k)
            .into_iter()
            .flat_map(|c| c.levels.iter())
            .enumerate()
        {
            at.entry(l.label.as_str()).or_insert(i);
        }
        at
    }

    /// The index of a rating label.
    pub(crate) fn rating_index(&self, label: &str) -> Option<usize> {
        self.results.rubric.ratings.iter().position(|r| r == label)
    }

    /// A reference evaluator's name in a table heading: "IRM", else its id.
    pub(crate) fn label(&self, id: &str) -> String {
        self.results
            .evaluators
            .iter()
            .find(|e| e.id == id)
            .map_or_else(|| id.to_string(), crate::render::evaluator_label)
    }

    /// A reference evaluator's name in a sentence: "the IRM", else its id.
    pub(crate) fn in_sentence(&self, id: &str) -> String {
        self.results
            .evaluators
            .iter()
            .find(|e| e.id == id)
            .map_or_else(
                || id.to_string(),
                |e| words::evaluator_in_sentence(&self.tr, e),
            )
    }

    /// Every reference evaluator in a sentence: "the IRM", "the IRM and x".
    pub(crate) fn references_in_sentence(&self) -> String {
        let list: Vec<&results::EvaluatorInfo> = self
            .references
            .iter()
            .filter_map(|id| self.results.evaluators.iter().find(|e| &e.id == id))
            .collect();
        words::evaluators_in_sentence(&self.tr, &list)
    }

    /// A flag's display name, in the report's language.
    pub(crate) fn flag_name(&self, id: &str) -> String {
        self.rubric
            .flags
            .iter()
            .find(|f| f.id == id)
            .map_or_else(|| id.to_string(), |f| self.tr.lv(&f.name))
    }
}

/// Prepares the report of `inputs` as of `as_of`, in the language of `tr`: the agreement
/// figures, then every commitment assessed once, piece by piece, for the summary, the
/// overview and the charts (each kept only with what they show), then the charts.
pub fn prepare<'a>(inputs: &'a Inputs, as_of: Date, options: &Options, tr: Tr) -> Report<'a> {
    let rubric = &inputs.rubric;
    let main = rubric
        .completion
        .or(match rubric.rating {
            RatingRule::Criterion(i) => Some(i),
            RatingRule::Bands(_) => None,
        })
        .or_else(|| rubric.key_criteria.first().copied())
        .or_else(|| (!rubric.criteria.is_empty()).then_some(0));
    let engine = Engine::new(&inputs.plan, rubric, &inputs.scores, as_of);
    let main_id = main
        .and_then(|k| rubric.criteria.get(k))
        .map(|c| c.id.as_str());
    let completion_id = rubric
        .completion
        .and_then(|k| rubric.criteria.get(k))
        .map(|c| c.id.as_str());
    let keep: Vec<&str> = main_id.into_iter().chain(completion_id).collect();
    // The agreement figures on a thread of their own, while the commitments are assessed:
    // the bootstrap keeps both cores busy, the rest of each would leave one idle.
    let mut rows = Vec::with_capacity(engine.len());
    let (summary, alpha) = crate::par::join(
        || {
            let Ok(summary) = results::assess_in_pieces(
                inputs,
                &engine,
                results::Detail::Levels,
                |_, outs| {
                    outs.into_iter()
                        .map(|c| slim(c, &keep, main_id))
                        .collect::<Vec<_>>()
                },
                |part| {
                    rows.extend(part);
                    Ok::<(), std::convert::Infallible>(())
                },
            );
            summary
        },
        || agreement::compute(inputs, options.resamples),
    );
    let results = results::with_head(results::head(inputs, as_of), Vec::new(), summary);
    let combined = results
        .evaluators
        .iter()
        .filter(|e| !e.reference)
        .map(|e| e.id.clone())
        .collect();
    let references = results
        .evaluators
        .iter()
        .filter(|e| e.reference)
        .filter(|e| rows.iter().any(|c| c.reference.contains_key(&e.id)))
        .map(|e| e.id.clone())
        .collect();
    let cx = Context {
        rubric,
        results,
        alpha,
        resamples: options.resamples,
        main,
        combined,
        references,
        tr,
    };
    let charts = plan_charts(&cx, &rows);
    Report {
        inputs,
        engine,
        cx,
        rows,
        charts,
    }
}

impl Report<'_> {
    /// Writes the page into `w` as it is made: the first sections from what [`prepare`] kept,
    /// then each commitment's card, assessed and built again piece by piece on every core
    /// and written in plan order. Unless `keep_charts`, the charts are freed once the page
    /// has shown them.
    pub fn write_page(
        &mut self,
        w: &mut dyn std::io::Write,
        keep_charts: bool,
    ) -> std::io::Result<()> {
        page::write_head(w, &self.cx, &self.charts, &self.rows)?;
        self.rows = Vec::new();
        if !keep_charts {
            self.charts = Vec::new();
        }
        let cx = &self.cx;
        results::assess_in_pieces(
            self.inputs,
            &self.engine,
            results::Detail::Evaluators,
            |start, outs| {
                let mut out = String::with_capacity(outs.len() * 4096);
                for (i, c) in outs.iter().enumerate() {
                    page::card(&mut out, cx, start + i, c);
                }
                out
            },
            |cards| w.write_all(cards.as_bytes()),
        )?;
        page::write_tail(w, cx)
    }
}

/// A commitment's results with only what the overview table and the plan-level charts show:
/// the criteria `keep` (the heat map's and the completion criterion), each evaluator's level
/// of the heat map's criterion (`main`) only, no milestones, notes or descriptions. The
/// results with every evaluator's levels and notes take about 18 kB a commitment at the
/// plan limit; this keeps a few hundred bytes.
fn slim(mut c: CommitmentOut, keep: &[&str], main: Option<&str>) -> CommitmentOut {
    c.ogp_id = None;
    c.lead = None;
    c.supporting = Vec::new();
    c.values = Vec::new();
    c.themes = Vec::new();
    c.start = None;
    c.end = None;
    c.description = None;
    c.binding = IndexMap::new();
    c.conditions = IndexMap::new();
    c.milestones = Vec::new();
    c.notes = None;
    c.criteria.retain(|id, x| {
        let kept = keep.contains(&id.as_str());
        if kept && main != Some(id.as_str()) {
            x.by_evaluator = None;
        }
        kept
    });
    c.criteria.shrink_to_fit();
    for v in c.reference.values_mut() {
        v.levels.retain(|id, _| keep.contains(&id.as_str()));
        v.levels.shrink_to_fit();
        v.other = IndexMap::new();
        v.flags = Vec::new();
    }
    c
}

/// The plan-level charts, in the order the page shows them.
fn plan_charts(cx: &Context<'_>, commitments: &[CommitmentOut]) -> Vec<Chart> {
    let mut out = Vec::new();
    let s = &cx.results.summary;
    let total = s.commitments;
    let rubric = cx.rubric;
    let tr = &cx.tr;
    if let (Some(k), Some(by)) = (rubric.completion, &s.by_completion) {
        let levels = cx.levels(k);
        let index = cx.level_indices(k);
        let bars: Vec<Bar> = by
            .iter()
            .map(|(label, count)| Bar {
                label: level_label(tr, label, rubric.criteria.get(k).map(|c| c.id.as_str())),
                count: *count,
                fill: match index.get(label.as_str()) {
                    Some(&i) if label != NO_EVIDENCE => Fill::Level(i, levels.len()),
                    _ => Fill::None,
                },
            })
            .collect();
        let name = tr.lv(rubric
            .criteria
            .get(k)
            .map_or("Completion", |c| c.name.as_str()));
        out.push(charts::bars(
            tr,
            "completion",
            &tr.f("chart_completion_title", &[("criterion", &name)]),
            &name,
            &bars,
            total,
            high_completion_line(cx).as_deref(),
        ));
    }
    let rating_is_completion = matches!(
        (&rubric.rating, rubric.completion),
        (RatingRule::Criterion(i), Some(k)) if *i == k
    );
    if !rating_is_completion {
        let n = cx.results.rubric.ratings.len();
        let bars: Vec<Bar> = s
            .by_rating
            .iter()
            .map(|(label, count)| Bar {
                label: level_label(tr, label, None),
                count: *count,
                fill: match cx.rating_index(label) {
                    Some(i) => Fill::Level(i, n),
                    None => Fill::None,
                },
            })
            .collect();
        let footer = if rubric.completion.is_none() {
            high_completion_line(cx)
        } else {
            None
        };
        out.push(charts::bars(
            tr,
            "ratings",
            &tr.t("chart_ratings_title"),
            &tr.t("rating"),
            &bars,
            total,
            footer.as_deref(),
        ));
    }
    if let Some(q) = &s.quadrant {
        let ids = |a: bool, b: bool| -> Vec<String> {
            commitments
                .iter()
                .filter(|c| holds(c, &q.rows) == a && holds(c, &q.columns) == b)
                .map(|c| c.id.clone())
                .collect()
        };
        let cells = [
            QuadrantCell {
                count: q.both,
                ids: ids(true, true),
            },
            QuadrantCell {
                count: q.rows_only,
                ids: ids(true, false),
            },
            QuadrantCell {
                count: q.columns_only,
                ids: ids(false, true),
            },
            QuadrantCell {
                count: q.neither,
                ids: ids(false, false),
            },
        ];
        out.push(charts::quadrant(
            tr,
            &cx.flag_name(&q.rows),
            &cx.flag_name(&q.columns),
            &cells,
            total,
        ));
    }
    for (i, who) in cx.references.iter().enumerate() {
        // On the scale the results compared them on: the completion criterion's when every
        // commitment they rated was compared on completion, else the ratings.
        let on_completion = rubric.completion.filter(|_| {
            let mut views = commitments
                .iter()
                .filter_map(|c| c.reference.get(who))
                .filter(|r| r.compared.is_some())
                .peekable();
            views.peek().is_some() && views.all(|r| r.compared == Some(Compared::Completion))
        });
        let index = |c: &CommitmentOut, r: Option<&ReferenceOut>| -> Option<usize> {
            match on_completion {
                Some(k) => {
                    let id = &rubric.criteria[k].id;
                    let level = match r {
                        Some(r) => r.levels.get(id).and_then(|l| l.as_deref()),
                        None => c.criteria.get(id).and_then(|x| x.level.as_deref()),
                    };
                    level.and_then(|l| cx.level_index(k, l))
                }
                None => match r {
                    Some(r) => r.rating.as_deref(),
                    None => c.rating.as_deref(),
                }
                .and_then(|l| cx.rating_index(l)),
            }
        };
        let rows: Vec<RefRow> = commitments
            .iter()
            .map(|c| RefRow {
                id: c.id.clone(),
                title: c.title.clone(),
                coalition: index(c, None),
                reference: c.reference.get(who).map(|r| index(c, Some(r))),
                differs: c.reference.get(who).map(|r| {
                    let (k, theirs, ours) = cx.compared(c, r);
                    let word = |l: Option<&str>| {
                        l.map_or_else(|| tr.t("no_evidence"), |l| level_label(tr, l, k))
                    };
                    (r.differs, word(ours), word(theirs))
                }),
            })
            .collect();
        let name = if i == 0 {
            "reference".to_string()
        } else {
            format!("reference-{}", i + 1)
        };
        out.push(charts::reference(
            tr,
            &name,
            &cx.in_sentence(who),
            &match on_completion {
                Some(k) => cx
                    .levels(k)
                    .iter()
                    .map(|l| level_label(tr, l, Some(&rubric.criteria[k].id)))
                    .collect::<Vec<_>>(),
                None => cx
                    .results
                    .rubric
                    .ratings
                    .iter()
                    .map(|r| tr.lv(r))
                    .collect::<Vec<_>>(),
            },
            &rows,
        ));
    }
    if let Some(chart) = heatmap(cx, commitments) {
        out.push(chart);
    }
    if !cx.alpha.is_empty() {
        out.push(charts::agreement(tr, &cx.alpha, cx.resamples));
    }
    out
}

fn holds(c: &CommitmentOut, flag: &str) -> bool {
    c.flags.iter().any(|f| f == flag)
}

/// "High completion (completion at least Substantial): 4 of 7 commitments (57%)."
pub(crate) fn high_completion_line(cx: &Context<'_>) -> Option<String> {
    let h = cx.results.summary.high_completion.as_ref()?;
    let rubric = cx.rubric;
    let fi = rubric
        .flags
        .iter()
        .position(|f| f.id == "high-completion")?;
    let tr = &cx.tr;
    let words: Vec<String> = rubric.flags[fi]
        .conditions
        .iter()
        .map(|c| words::describe(tr, rubric, &c.kind))
        .collect();
    Some(tr.f(
        "high_completion_line",
        &[
            ("flag", &tr.lv(&rubric.flags[fi].name)),
            ("conditions", &tr.list(&words)),
            ("count", &tr.int(h.count)),
            ("total", &tr.int(cx.results.summary.commitments)),
            ("share", &tr.pct(h.share)),
        ],
    ))
}

/// The heat map of the main criterion.
fn heatmap(cx: &Context<'_>, commitments: &[CommitmentOut]) -> Option<Chart> {
    let k = cx.main?;
    let crit = cx.rubric.criteria.get(k)?;
    let tr = &cx.tr;
    let levels: Vec<String> = cx.levels(k).iter().map(|l| tr.lv_of(l, &crit.id)).collect();
    let mut columns: Vec<HeatColumn> = cx
        .combined
        .iter()
        .map(|e| HeatColumn {
            label: e.clone(),
            kind: ColumnKind::Evaluator,
        })
        .collect();
    columns.push(HeatColumn {
        label: tr.t("combined"),
        kind: ColumnKind::Combined,
    });
    columns.extend(cx.references.iter().map(|r| HeatColumn {
        label: cx.label(r),
        kind: ColumnKind::Reference,
    }));
    let index = cx.level_indices(k);
    let level = |label: Option<&String>| match label.and_then(|l| index.get(l.as_str())) {
        Some(&i) => HeatCell::Level(i),
        None => HeatCell::Missing,
    };
    let empty = IndexMap::new();
    let rows: Vec<HeatRow> = commitments
        .iter()
        .map(|c| {
            let out = c.criteria.get(&crit.id);
            let by = out.and_then(|o| o.by_evaluator.as_ref()).unwrap_or(&empty);
            let mut cells: Vec<HeatCell> = cx
                .combined
                .iter()
                .map(|e| match by.get(e) {
                    Some(Some(l)) => level(Some(l)),
                    Some(None) => HeatCell::NoRating,
                    None => HeatCell::Missing,
                })
                .collect();
            cells.push(level(out.and_then(|o| o.level.as_ref())));
            cells.extend(cx.references.iter().map(|r| {
                level(
                    c.reference
                        .get(r)
                        .and_then(|v| v.levels.get(&crit.id))
                        .and_then(Option::as_ref),
                )
            }));
            HeatRow {
                id: c.id.clone(),
                title: c.title.clone(),
                cells,
                disagreement: out.is_some_and(|o| o.disagreement),
                spread: out.and_then(|o| o.spread),
            }
        })
        .collect();
    Some(charts::heatmap(
        tr,
        &tr.lv(&crit.name),
        &levels,
        crit.kind.is_ordered(),
        &columns,
        &rows,
        cx.rubric.disagreement_threshold,
    ))
}

/// A level (of `criterion`, by id, when known) or rating label as the language writes it
/// ("No evidence" included).
pub(crate) fn level_label(tr: &Tr, label: &str, criterion: Option<&str>) -> String {
    match criterion {
        _ if label == NO_EVIDENCE => tr.t("no_evidence"),
        Some(k) => tr.lv_of(label, k),
        None => tr.lv(label),
    }
}
