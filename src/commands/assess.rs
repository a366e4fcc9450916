//! `checkmyogp assess [DIR]`: every commitment's rating, score, key criteria, flags and marks.

use clap::ValueEnum;

use super::common::{self, OutputArgs};
use crate::assess::Engine;
use crate::cli::{InputArgs, Outcome};
use crate::render::{self, Cell, Doc, Grid, Section, Tone};
use crate::results::{self, CommitmentOut, NO_EVIDENCE, RubricInfo};

const EXAMPLES: &str = "\
Examples:
  checkmyogp assess samples/mongolia-2016-2018
  checkmyogp assess . --sort score --as-of 2018-06-30
  checkmyogp assess . --format json --output results.json
  checkmyogp assess . --format csv > results.csv";

/// Assess every commitment: rating, score, key criteria, flags, and what needs attention.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub date: common::AsOfArg,

    /// In JSON, also list each evaluator's level for every unit and criterion, and what they
    /// wrote (evidence, comments, next steps).
    #[arg(long)]
    pub details: bool,

    /// Order of the commitments: by id, or best rating / highest score first.
    #[arg(long, value_enum, default_value_t = SortBy::Id)]
    pub sort: SortBy,
}

/// `--sort` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    Id,
    Rating,
    Score,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    // A workbook also holds what the evaluators wrote (evidence as links), on its own sheet.
    let workbook = args.output.format == render::Format::Xlsx;
    let Some(inputs) = common::load_inputs(&args.input, args.details || workbook)? else {
        return Ok(Outcome::Problems);
    };
    // The workbook's sheet of what the evaluators wrote is read from the inputs as it is
    // written (see below), not from the results.
    let detail = if args.details && !workbook {
        results::Detail::Evaluators
    } else {
        results::Detail::Combined
    };
    let as_of = common::as_of(args.date.as_of, &inputs);
    let engine = Engine::new(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
    if args.output.format == render::Format::Json {
        // Assessed, built and written piece by piece: memory does not grow with the output.
        common::emit_json(&args.output, |w| {
            results::write_json(w, &inputs, &engine, detail)
        })?;
        return Ok(Outcome::Ok);
    }
    // Each commitment's results become its rows of the tables the format shows as soon as they
    // are built, and are freed: the results of every commitment are never held at once.
    let tables = Tables::of(args.output.format);
    let head = results::head(&inputs, as_of);
    let mut lines = results::assess_and_map(&inputs, &engine, detail, |c| {
        Line::new(&head.rubric, &head.evaluators, tables, c)
    });
    for (ci, line) in lines.iter_mut().enumerate() {
        line.index = ci;
    }
    drop(engine);
    // Only the workbook reads the inputs again.
    let inputs = if workbook {
        Some(inputs)
    } else {
        drop(inputs);
        None
    };
    let (doc, order) = assemble(
        &head.plan,
        &head.rubric,
        &head.as_of,
        &head.evaluators,
        lines,
        args.sort,
        tables,
    );
    if let Some(inputs) = &inputs {
        // Both sheets are written as a stream: the results from their packed rows, and what
        // the evaluators wrote, one row per note in the order of the results, read from the
        // inputs as it is written, never held (millions of rows at the plan limit).
        let result_rows = |f: &mut dyn FnMut(&[Cell]) -> anyhow::Result<()>| -> anyhow::Result<()> {
            let mut row = Vec::new();
            for (_, packed) in &order {
                packed.unpack(&mut row);
                f(&row)?;
            }
            Ok(())
        };
        let notes = results::Notes::new(inputs);
        let plan = &inputs.plan;
        let rows = |f: &mut dyn FnMut(&[Cell]) -> anyhow::Result<()>| -> anyhow::Result<()> {
            let mut row = vec![Cell::default(); NOTE_COLUMNS.len()];
            for &(ci, _) in &order {
                let c = &plan.commitments[ci];
                for n in notes.of(ci) {
                    let texts = [
                        c.id.as_str(),
                        c.title.as_str(),
                        n.evaluator,
                        n.milestone.unwrap_or_default(),
                        n.criterion.unwrap_or_default(),
                        n.evidence.trim(),
                        n.comment.trim(),
                        n.next_steps.trim(),
                    ];
                    for (cell, text) in row.iter_mut().zip(texts) {
                        cell.text.clear();
                        cell.text.push_str(text);
                    }
                    f(&row)?;
                }
            }
            Ok(())
        };
        let sheets = [
            render::Streamed {
                name: "results".into(),
                grid: spreadsheet_grid(&head.rubric, &head.evaluators),
                rows: &result_rows,
            },
            render::Streamed {
                name: "evidence and comments".into(),
                grid: Grid::new(NOTE_COLUMNS),
                rows: &rows,
            },
        ];
        // The document holds no table: its rows are those above.
        let doc = Doc {
            title: doc.title,
            ..Doc::default()
        };
        common::emit_workbook(&args.output, &doc, &sheets)?;
        return Ok(Outcome::Ok);
    }
    // The JSON data is not used: JSON was written above.
    common::emit(&args.output, &(), || doc)?;
    Ok(Outcome::Ok)
}

/// The facts shown above every assessment table.
pub fn meta(
    rubric: &results::RubricInfo,
    as_of: &str,
    evaluators: &[results::EvaluatorInfo],
) -> Vec<(String, String)> {
    let is_consensus = |e: &crate::results::EvaluatorInfo| e.role == "consensus" && !e.reference;
    let combined: Vec<&str> = evaluators
        .iter()
        .filter(|e| !e.reference && !is_consensus(e))
        .map(|e| e.id.as_str())
        .collect();
    let consensus: Vec<&str> = evaluators
        .iter()
        .filter(|e| is_consensus(e))
        .map(|e| e.id.as_str())
        .collect();
    let reference: Vec<&str> = evaluators
        .iter()
        .filter(|e| e.reference)
        .map(|e| e.id.as_str())
        .collect();
    let mut meta = vec![
        (
            "rubric".to_string(),
            format!("{} ({})", rubric.id, rubric.origin),
        ),
        ("as of".to_string(), as_of.to_string()),
        (
            "evaluators".to_string(),
            if combined.is_empty() {
                "none".into()
            } else {
                combined.join(", ")
            },
        ),
    ];
    if !reference.is_empty() {
        meta.push(("reference (not combined)".to_string(), reference.join(", ")));
    }
    if !consensus.is_empty() {
        meta.push(("agreed levels from".to_string(), consensus.join(", ")));
    }
    meta
}

fn rating_tone(rubric: &RubricInfo, c: &CommitmentOut) -> Tone {
    match c.rating_rank {
        Some(r) => Tone::of_level(r, rubric.ratings.len()),
        None => Tone::Muted,
    }
}

fn level_tone(rubric: &RubricInfo, criterion: &str, level: Option<&String>) -> Tone {
    let Some(level) = level else {
        return Tone::Muted;
    };
    let Some(c) = rubric.criteria.iter().find(|c| c.id == criterion) else {
        return Tone::Plain;
    };
    match c.levels.iter().position(|l| l == level) {
        // A nominal scale has no order: no colour of the ordered palette.
        Some(_) if c.scale == "nominal" => Tone::Plain,
        Some(p) => Tone::of_level(p, c.levels.len()),
        // A status (Withdrawn, No Evidence Available) is not a point of the scale: grey.
        None => Tone::Muted,
    }
}

/// What needs attention, in words.
pub fn marks(c: &CommitmentOut) -> Vec<String> {
    let mut m = Vec::new();
    if c.overdue {
        m.push(if c.overdue_milestones > 0 {
            format!(
                "overdue ({} milestone{})",
                c.overdue_milestones,
                if c.overdue_milestones == 1 { "" } else { "s" }
            )
        } else {
            "overdue".to_string()
        });
    }
    let not_rated = c.milestones.iter().filter(|m| m.not_rated).count();
    // Past its date with no completion level: the commitment itself (past its end) and its
    // milestones past due, as `summary` lists them.
    let milestones = format!(
        "{not_rated} milestone{} past due",
        if not_rated == 1 { "" } else { "s" }
    );
    match (c.not_rated, not_rated > 0) {
        (true, true) => m.push(format!("not rated (past its end; {milestones})")),
        (true, false) => m.push("not rated (past its end)".to_string()),
        (false, true) => m.push(format!("not rated ({milestones})")),
        (false, false) => {}
    }
    if c.disagreement {
        m.push("disagreement".into());
    }
    if c.unsupported {
        m.push(format!(
            "no evidence cited for {}",
            c.unsupported_criteria.join(", ")
        ));
    }
    if !c.missing_evaluators.is_empty() {
        m.push(format!("not rated by {}", c.missing_evaluators.join(", ")));
    }
    m
}

fn flag_text(rubric: &RubricInfo, c: &CommitmentOut) -> String {
    c.flags
        .iter()
        .map(|f| match rubric.flags.iter().find(|x| &x.id == f) {
            Some(info) if info.star => format!("★ {}", info.name),
            Some(info) => info.name.clone(),
            None => f.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_string(), render::score)
}

/// The criterion whose combined level is the rating (IRM rubrics), if any: its column would
/// repeat the rating, so tables leave it out.
pub fn rating_criterion(rubric: &RubricInfo) -> Option<&results::CriterionInfo> {
    (rubric.rating_from == "criterion")
        .then(|| rubric.criteria.iter().find(|c| c.levels == rubric.ratings))
        .flatten()
}

/// The criterion a reference evaluator's column shows when they gave no rating on this rubric
/// but their ratings on another scale were mapped to one of its criteria by meaning (see
/// `results`: the IRM's completion under the check-my-ogp rubric); `None` shows their rating.
fn reference_criterion<'a>(
    rubric: &'a RubricInfo,
    lines: &[Line],
    evaluator: &str,
) -> Option<&'a results::CriterionInfo> {
    let views = || lines.iter().filter_map(|l| l.reference.get(evaluator));
    if views().any(|v| v.rating.is_some()) {
        return None;
    }
    rubric
        .criteria
        .iter()
        .find(|k| views().any(|v| v.levels.get(&k.id).is_some_and(Option::is_some)))
}

/// The compact marks of a commitment (shown when the flags and attention columns do not fit),
/// and the legend of each mark.
const MARKS: [(char, &str); 6] = [
    ('★', "starred flag"),
    ('!', "overdue"),
    ('○', "past its date with no completion level"),
    ('≠', "evaluators disagree"),
    ('?', "level without the evidence the rubric asks for"),
    ('−', "not rated by every evaluator"),
];

fn compact_marks(rubric: &RubricInfo, c: &CommitmentOut) -> String {
    let star = c
        .flags
        .iter()
        .any(|f| rubric.flags.iter().any(|x| &x.id == f && x.star));
    let on = [
        star,
        c.overdue,
        c.not_rated || c.milestones.iter().any(|m| m.not_rated),
        c.disagreement,
        c.unsupported,
        !c.missing_evaluators.is_empty(),
    ];
    MARKS
        .iter()
        .zip(on)
        .filter(|(_, on)| *on)
        .map(|((m, _), _)| m.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which of the document's tables to fill: the spreadsheet table (CSV), the screen's table
/// (terminal, Markdown), or the spreadsheet table's rows packed for the workbook (whose
/// sheets are written as a stream, see [`run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tables {
    Screen,
    Spreadsheet,
    Workbook,
}

impl Tables {
    fn of(format: render::Format) -> Self {
        match format {
            render::Format::Csv => Tables::Spreadsheet,
            render::Format::Xlsx => Tables::Workbook,
            _ => Tables::Screen,
        }
    }

    fn screen(self) -> bool {
        self == Tables::Screen
    }
}

/// A row of cells held as one text and each cell's end and tone: each commitment's rows, held
/// until they are sorted, take a quarter of the memory of their cells.
#[derive(Debug, Default)]
struct PackedRow {
    text: String,
    cells: Box<[(u32, Tone)]>,
}

impl PackedRow {
    fn pack(row: &[Cell]) -> Self {
        let mut text = String::with_capacity(row.iter().map(|c| c.text.len()).sum());
        let cells = row
            .iter()
            .map(|c| {
                text.push_str(&c.text);
                (text.len() as u32, c.tone)
            })
            .collect();
        PackedRow { text, cells }
    }

    /// The cells again, as new cells.
    fn cells(&self) -> Vec<Cell> {
        let mut row = Vec::with_capacity(self.cells.len());
        self.unpack(&mut row);
        row
    }

    /// The text of the last cell, if the row has any.
    fn last_text(&self) -> Option<&str> {
        let n = self.cells.len();
        let end = self.cells.last()?.0 as usize;
        let start = if n > 1 {
            self.cells[n - 2].0 as usize
        } else {
            0
        };
        Some(&self.text[start..end])
    }

    /// The cells again, into `row` (whose strings are reused).
    fn unpack(&self, row: &mut Vec<Cell>) {
        row.resize_with(self.cells.len(), Cell::default);
        let mut start = 0;
        for (cell, &(end, tone)) in row.iter_mut().zip(self.cells.iter()) {
            let end = end as usize;
            cell.text.clear();
            cell.text.push_str(&self.text[start..end]);
            cell.tone = tone;
            start = end;
        }
    }
}

/// One commitment's rows of the document, made from its results, which can then be freed:
/// everything but the reference evaluators' cells of the screen's table, whose column
/// depends on every commitment (see [`reference_criterion`]) and is filled in by [`assemble`].
#[derive(Debug)]
struct Line {
    /// The commitment's index in the plan.
    index: usize,
    id: String,
    rating_rank: Option<usize>,
    score: Option<f64>,
    /// id, commitment, rating, score and the key criteria (screen's table).
    head: PackedRow,
    /// The reference evaluators' views (screen's table).
    reference: indexmap::IndexMap<String, results::ReferenceOut>,
    /// flags, needs attention, marks (screen's table).
    tail: PackedRow,
    /// The spreadsheet's row (CSV and workbook).
    spreadsheet: PackedRow,
}

impl Line {
    fn new(
        rubric: &RubricInfo,
        evaluators: &[results::EvaluatorInfo],
        tables: Tables,
        mut c: CommitmentOut,
    ) -> Line {
        let mut head = Vec::new();
        let mut tail = Vec::new();
        if tables.screen() {
            head = vec![
                Cell::new(c.id.clone()),
                Cell::new(c.title.clone()),
                Cell::toned(
                    c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into()),
                    rating_tone(rubric, &c),
                ),
                Cell::new(score_text(c.score)),
            ];
            for k in key_criteria(rubric) {
                let level = c.criteria.get(&k.id).and_then(|x| x.level.as_ref());
                head.push(Cell::toned(
                    level.cloned().unwrap_or_else(|| "–".into()),
                    level_tone(rubric, &k.id, level),
                ));
            }
            tail.push(Cell::new(flag_text(rubric, &c)));
            let m = marks(&c);
            tail.push(Cell::toned(
                m.join("; "),
                if m.is_empty() {
                    Tone::Plain
                } else {
                    Tone::Poor
                },
            ));
            tail.push(Cell::toned(compact_marks(rubric, &c), Tone::Poor));
        }
        let spreadsheet = if tables.screen() {
            PackedRow::default()
        } else {
            PackedRow::pack(&spreadsheet_row(rubric, evaluators, &c))
        };
        Line {
            index: 0,
            reference: if tables.screen() {
                std::mem::take(&mut c.reference)
            } else {
                indexmap::IndexMap::new()
            },
            id: c.id,
            rating_rank: c.rating_rank,
            score: c.score,
            head: PackedRow::pack(&head),
            tail: PackedRow::pack(&tail),
            spreadsheet,
        }
    }
}

/// The key criteria shown as columns: all but the one whose level is the rating.
fn key_criteria(rubric: &RubricInfo) -> impl Iterator<Item = &results::CriterionInfo> {
    let same_as_rating = rating_criterion(rubric).map(|c| c.id.as_str());
    rubric
        .criteria
        .iter()
        .filter(move |c| c.key && Some(c.id.as_str()) != same_as_rating)
}

/// Puts items in the requested order (ties keep the plan's order), by their id, rating rank
/// and score.
fn order<T>(list: &mut [T], sort: SortBy, key: impl Fn(&T) -> (&str, Option<usize>, Option<f64>)) {
    match sort {
        SortBy::Id => list.sort_by(|a, b| common::natural_cmp(key(a).0, key(b).0)),
        SortBy::Rating => list.sort_by_key(|c| std::cmp::Reverse(key(c).1)),
        SortBy::Score => list.sort_by(|a, b| {
            key(b)
                .2
                .unwrap_or(-1.0)
                .total_cmp(&key(a).2.unwrap_or(-1.0))
        }),
    }
}

/// The document `assess` shows: [`assemble`]d from each commitment's [`Line`]; and, in the
/// order shown, each commitment's index in the plan and its row packed for the workbook.
///
/// Column priority at narrow widths (documented in docs/workflow.md): id, commitment, rating
/// and score always; then the reference ratings (e.g. the IRM's); the first key criterion; the
/// other key criteria; and last the flags and "needs attention", which give way to a compact
/// marks column.
fn assemble(
    plan: &results::PlanInfo,
    rubric: &RubricInfo,
    as_of: &str,
    evaluators: &[results::EvaluatorInfo],
    mut lines: Vec<Line>,
    sort: SortBy,
    tables: Tables,
) -> (Doc, Vec<(usize, PackedRow)>) {
    let key: Vec<&results::CriterionInfo> = key_criteria(rubric).collect();
    let reference: Vec<(&results::EvaluatorInfo, Option<&results::CriterionInfo>)> = evaluators
        .iter()
        .filter(|e| e.reference)
        .map(|e| (e, reference_criterion(rubric, &lines, &e.id)))
        .collect();
    let reference_column =
        |(r, crit): &(&results::EvaluatorInfo, Option<&results::CriterionInfo>)| {
            let what = crit.map_or("rating", |c| c.id.as_str());
            format!("{} {what}", render::evaluator_label(r))
        };
    let mut columns: Vec<String> = vec![
        "id".into(),
        "commitment".into(),
        "rating".into(),
        "score".into(),
    ];
    columns.extend(key.iter().map(|c| c.id.clone()));
    columns.extend(reference.iter().map(reference_column));
    columns.extend([
        "flags".to_string(),
        "needs attention".to_string(),
        "marks".to_string(),
    ]);
    let mut drop_order: Vec<(String, u8)> =
        vec![("flags".into(), 5), ("needs attention".into(), 5)];
    for (i, k) in key.iter().enumerate() {
        drop_order.push((k.id.clone(), if i == 0 { 2 } else { 4 }));
    }
    for r in &reference {
        drop_order.push((reference_column(r), 1));
    }
    let order_refs: Vec<(&str, u8)> = drop_order.iter().map(|(n, p)| (n.as_str(), *p)).collect();
    order(&mut lines, sort, |l| {
        (l.id.as_str(), l.rating_rank, l.score)
    });
    let used: Vec<char> = MARKS
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| {
            lines
                .iter()
                .any(|l| l.tail.last_text().is_some_and(|t| t.contains(*m)))
        })
        .collect();
    let legend = MARKS
        .iter()
        .filter(|(m, _)| used.contains(m))
        .map(|(m, what)| format!("{m} {what}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut grid = Grid::new(columns)
        .numeric(&["score"])
        .drop_first(&order_refs)
        .clip("commitment", 2)
        .compact(
            "marks",
            &["flags", "needs attention"],
            if legend.is_empty() {
                "none".to_string()
            } else {
                legend
            },
        );
    let mut spreadsheet = spreadsheet_grid(rubric, evaluators);
    let empty = lines.is_empty();
    let mut order = Vec::with_capacity(lines.len());
    for line in lines {
        match tables {
            // The workbook's sheets are written from the packed rows, in this order.
            Tables::Workbook => {
                order.push((line.index, line.spreadsheet));
                continue;
            }
            Tables::Spreadsheet => {
                order.push((line.index, PackedRow::default()));
                spreadsheet.push(line.spreadsheet.cells());
                continue;
            }
            Tables::Screen => order.push((line.index, PackedRow::default())),
        }
        let mut row = line.head.cells();
        for (r, crit) in &reference {
            let cell = match (line.reference.get(&r.id), crit) {
                (Some(v), Some(k)) => {
                    // Their rating on another scale, mapped by meaning to this rubric's level.
                    let theirs = v.levels.get(&k.id).and_then(Option::as_ref);
                    let tone = level_tone(rubric, &k.id, theirs);
                    match theirs {
                        Some(l) if v.differs => Cell::toned(format!("{l} (differs)"), tone),
                        Some(l) => Cell::toned(l.clone(), tone),
                        None => Cell::toned("not rated", Tone::Muted),
                    }
                }
                (Some(v), None) => {
                    let rating = v.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into());
                    let tone = v
                        .rating
                        .as_ref()
                        .and_then(|x| rubric.ratings.iter().position(|l| l == x))
                        .map_or(Tone::Muted, |p| Tone::of_level(p, rubric.ratings.len()));
                    if v.differs {
                        Cell::toned(format!("{rating} (differs)"), tone)
                    } else {
                        Cell::toned(rating, tone)
                    }
                }
                (None, _) => Cell::toned("not rated", Tone::Muted),
            };
            row.push(cell);
        }
        row.extend(line.tail.cells());
        grid.push(row);
    }
    let mut notes = vec![
        "overdue: past a due or end date and not complete · disagreement: evaluators' levels differ by the rubric's threshold or more · no evidence cited: a level that needs evidence, cited by no evaluator who gave it".to_string(),
    ];
    for (r, crit) in &reference {
        if let Some(k) = crit {
            let who = render::evaluator_label(r);
            let whose = if who == "IRM" {
                "the IRM's".to_string()
            } else {
                format!("{who}'s")
            };
            notes.push(format!(
                "{who} {}: {whose} rating of each commitment, made on another scale, shown as the {} level it means on this rubric; \"(differs)\" when it is not the coalition's level.",
                k.id, k.id
            ));
        }
    }
    if let Some(c) = rating_criterion(rubric) {
        notes.push(format!(
            "The rating is the combined {} level ({}).",
            c.id, c.name
        ));
    }
    notes.push("Why a commitment got its rating: checkmyogp explain <folder> <id>. This is a civil-society assessment, not an official IRM rating.".to_string());
    if empty {
        notes.insert(0, "The plan lists no commitments.".into());
    }
    let doc = Doc {
        title: format!("{} — {}", plan.country, plan.title),
        meta: meta(rubric, as_of, evaluators),
        sections: vec![Section {
            heading: None,
            text: Vec::new(),
            grid: Some(grid),
        }],
        csv: Some(spreadsheet),
        notes,
    };
    (doc, order)
}

/// The columns of the workbook's second sheet, of what the evaluators wrote: one row per note.
const NOTE_COLUMNS: [&str; 8] = [
    "id",
    "commitment",
    "evaluator",
    "milestone",
    "criterion",
    "evidence",
    "comment",
    "next steps",
];

/// The spreadsheet's table, without rows: one row per commitment ([`spreadsheet_row`]), with
/// every criterion.
fn spreadsheet_grid(rubric: &RubricInfo, evaluators: &[results::EvaluatorInfo]) -> Grid {
    let mut columns: Vec<String> = ["id", "ogp_id", "title", "lead", "rating", "score"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    columns.extend(rubric.criteria.iter().map(|c| c.id.clone()));
    columns.extend(
        [
            "flags",
            "overdue",
            "overdue_milestones",
            "disagreement",
            "unsupported",
            "missing_evaluators",
        ]
        .iter()
        .map(|s| (*s).to_string()),
    );
    columns.extend(
        evaluators
            .iter()
            .filter(|e| e.reference)
            .map(|r| format!("{}_rating", r.id)),
    );
    Grid::new(columns).numeric(&["score", "overdue_milestones"])
}

/// A commitment's row of the spreadsheet's table.
fn spreadsheet_row(
    rubric: &RubricInfo,
    evaluators: &[results::EvaluatorInfo],
    c: &CommitmentOut,
) -> Vec<Cell> {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut row: Vec<Cell> = vec![
        c.id.clone().into(),
        c.ogp_id.clone().unwrap_or_default().into(),
        c.title.clone().into(),
        c.lead.clone().unwrap_or_default().into(),
        Cell::toned(
            c.rating.clone().unwrap_or_else(|| NO_EVIDENCE.into()),
            rating_tone(rubric, c),
        ),
        c.score
            .map(|s| format!("{}", crate::results::round4(s)))
            .unwrap_or_default()
            .into(),
    ];
    for k in &rubric.criteria {
        let level = c.criteria.get(&k.id).and_then(|x| x.level.as_ref());
        // Levels carry the palette's colour (used by the workbook; CSV is plain).
        let tone = level_tone(rubric, &k.id, level);
        row.push(Cell::toned(level.cloned().unwrap_or_default(), tone));
    }
    row.push(c.flags.join("; ").into());
    row.push(yes(c.overdue).into());
    row.push(c.overdue_milestones.to_string().into());
    row.push(yes(c.disagreement).into());
    row.push(c.unsupported_criteria.join("; ").into());
    row.push(c.missing_evaluators.join("; ").into());
    for r in evaluators.iter().filter(|e| e.reference) {
        row.push(
            c.reference
                .get(&r.id)
                .and_then(|v| v.rating.clone())
                .unwrap_or_default()
                .into(),
        );
    }
    row
}
