//! Comment drafts: the civil-society comment on the IRM's report, written from an assessment
//! through a MiniJinja template, for a person to polish.
//!
//! - [`context`] builds what a template sees from the results (src/results.rs) and the
//!   agreement statistics (src/agreement/).
//! - [`engine`] runs the template: sandboxed, strict, bounded, with located errors.
//! - [`builtin`] holds the built-in templates (the repository's `templates/` folder).
//! - [`crate::wording`] holds each language's sentences and labels (`templates/lang/CODE.toml`),
//!   shared with the HTML report.
//! - [`markdown`] makes text from the inputs safe in Markdown, and counts the places to write.
//! - [`names`] makes safe file names for `--split`; [`docx`] writes Word files itself.
//!
//! Writing the files (atomically, never over a person's edits) is the command's job
//! (src/commands/draft.rs), through [`crate::write`].

mod appendix;
pub mod builtin;
pub mod context;
pub mod docx;
pub mod engine;
mod filters;
mod kept;
pub mod markdown;
pub mod names;

use std::path::Path;

use minijinja::value::{Serde, Value};

pub use context::{Context, Part};
pub use engine::{Engine, TemplateChoice};

use crate::diag::{Diagnostic, Location};
use crate::source::display_path;

/// The folder of an assessment that overrides the built-in templates.
pub const TEMPLATE_FOLDER: &str = "templates";

/// The name of a folder template used for any rubric.
pub const GENERIC_NAME: &str = "draft.md.j2";

/// Chooses the template for a rubric: `--template FILE`; else, in the assessment folder's
/// `templates/`, the file named after the rubric (`check-my-ogp.md.j2`) or `draft.md.j2`;
/// else the built-in template of the rubric (or of `check-my-ogp` for a rubric without one).
/// A template path that exists but is not a regular file (a pipe, a device) is an error.
/// When the assessment has a `templates/` folder, includes are looked up there first, so an
/// edited `common.md.j2` is used by the built-in templates too.
pub fn choose(
    flag: Option<&Path>,
    dir: &Path,
    rubric: &str,
) -> Result<TemplateChoice, Box<Diagnostic>> {
    if let Some(file) = flag {
        match std::fs::metadata(file) {
            Ok(meta) if meta.is_file() => {}
            Ok(meta) => return Err(not_a_template(file, &meta)),
            Err(_) => {
                return Err(Box::new(
                    Diagnostic::error(
                        "template-not-found",
                        format!("the template file {} does not exist", display_path(file)),
                    )
                    .at(Location::file(display_path(file)))
                    .help("check the path; `checkmyogp draft --export-template DIR` writes the built-in templates out to start from"),
                ));
            }
        }
        let folder = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(TemplateChoice {
            folder: Some(folder),
            name,
        });
    }
    let own = builtin::name_for(rubric);
    let folder = dir.join(TEMPLATE_FOLDER);
    if folder.is_dir() {
        for name in [own.as_str(), GENERIC_NAME] {
            let path = folder.join(name);
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    return Ok(TemplateChoice {
                        folder: Some(folder),
                        name: name.to_string(),
                    });
                }
                Ok(meta) => return Err(not_a_template(&path, &meta)),
                Err(_) => {}
            }
        }
    }
    let name = if builtin::find(&own).is_some() {
        own
    } else {
        builtin::FALLBACK.to_string()
    };
    Ok(TemplateChoice {
        folder: folder.is_dir().then_some(folder),
        name,
    })
}

/// The error for a template path that exists but is not a regular file (a pipe, a device, a
/// folder): it is never opened (opening a pipe waits for a writer for ever), and the built-in
/// template is not used in its place without a word.
fn not_a_template(path: &Path, meta: &std::fs::Metadata) -> Box<Diagnostic> {
    let kind = crate::source::not_a_file(meta).unwrap_or("not a regular file");
    Box::new(
        Diagnostic::error(
            "template-not-a-file",
            format!(
                "the template file {} is {kind}, not a file",
                display_path(path)
            ),
        )
        .at(Location::file(display_path(path)))
        .help("a template is a regular text file; remove this one, or give another with --template FILE"),
    )
}

/// The work one render may do: plenty for any real plan, proportional to its size, and a
/// stop for a template that loops without end.
pub fn fuel_for(cx: &Context) -> u64 {
    let units = cx.commitments.units();
    5_000_000u64.saturating_add(50_000u64.saturating_mul(units as u64))
}

/// The most text one render may print, in bytes: far more than any real comment (the
/// Mongolia sample's is about 30 kB), growing with the plan, and a stop for a template that
/// repeats text without end.
pub fn output_limit(cx: &Context) -> usize {
    let units = cx.commitments.units();
    (64usize << 20).saturating_add(units.saturating_mul(64 << 10))
}

/// The engine for `choice`, with the fuel and output bounds of this context, in `wording`'s
/// language.
pub fn engine_for(
    choice: &TemplateChoice,
    cx: &Context,
    wording: crate::wording::Wording,
) -> Engine {
    Engine::new(
        choice,
        fuel_for(cx),
        output_limit(cx),
        std::sync::Arc::new(wording),
    )
}

/// Tidies a rendered draft, so that templates can space their parts generously: no blank
/// lines at the start, never more than one blank line in a row (except inside fenced code
/// blocks), and exactly one line break at the end. Nothing else changes.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    let mut in_fence = false;
    for line in text.lines() {
        let (blank, fence) = blank_or_fence(line);
        if blank && !in_fence {
            blank_run += 1;
            continue;
        }
        if blank_run > 0 && !out.is_empty() {
            out.push('\n');
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
        if fence {
            in_fence = !in_fence;
        }
    }
    out
}

/// Whether `line` is white space only (`line.trim().is_empty()`), and whether it opens or closes
/// a fenced code block (starts with three backquotes or tildes after any white space): ASCII
/// white space is skipped byte by byte, other text goes through `trim_start` (each line was
/// decoded character by character up to three times, for every file `--split` writes).
fn blank_or_fence(line: &str) -> (bool, bool) {
    let bytes = line.as_bytes();
    let spaces = bytes
        .iter()
        .position(|b| !matches!(b, b'\t'..=b'\r' | b' '))
        .unwrap_or(bytes.len());
    let rest = match bytes.get(spaces) {
        Some(b) if !b.is_ascii() => line.trim_start(),
        _ => &line[spaces..],
    };
    (
        rest.is_empty(),
        rest.starts_with("```") || rest.starts_with("~~~"),
    )
}

/// The commitments as templates see them: a list whose items are built and become template
/// values only when the template reaches them, and are dropped when it moves on. Building
/// and converting the whole plan at once took about 50 kB per commitment (250 MB at 5,000
/// commitments). While a whole document renders, what each was built from is kept for the
/// template's next walk over the list ([`kept`]).
#[derive(Debug)]
struct Commitments {
    all: std::sync::Arc<context::Commitments>,
    /// The commitments kept from one walk to the next (none: each is built when asked for).
    kept: Option<std::sync::Arc<kept::Kept>>,
}

impl minijinja::value::Object for Commitments {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let i = key.as_usize()?;
        let value = match &self.kept {
            Some(kept) => {
                CommitmentValue::new(kept.take(&self.all, i)?, std::sync::Arc::downgrade(kept))
            }
            None => CommitmentValue::new(self.all.get(i)?, std::sync::Weak::new()),
        };
        Some(Value::from_object(value))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.all.len())
    }
}

/// One commitment as templates see it: the map that converting the whole [`context::CommitmentCx`]
/// gives (its [`crate::results::CommitmentOut`]'s fields, in order, those of the same name
/// replaced by the richer ones, then the others), with each of the richer fields built and
/// converted when a template first reads it ([`context::CommitmentParts`]). Building and
/// converting every field of every commitment took most of a draft's time, and more of the
/// appendix's, whose tables read a few fields of each commitment.
#[derive(Debug)]
struct CommitmentValue {
    /// Always there but while it is dropped (then given to `kept`).
    cx: Option<context::CommitmentParts>,
    /// The fields converted so far, by name: each converted when first read, and the same
    /// value given at each read (a list read twice is the same object, as in a map made
    /// whole).
    converted: std::sync::Mutex<Vec<(&'static str, Value)>>,
    /// Where the commitment is kept for the next walk when the template lets go of it.
    kept: std::sync::Weak<kept::Kept>,
}

impl CommitmentValue {
    fn new(cx: context::CommitmentParts, kept: std::sync::Weak<kept::Kept>) -> CommitmentValue {
        CommitmentValue {
            cx: Some(cx),
            converted: std::sync::Mutex::default(),
            kept,
        }
    }

    /// The field `name`: one of the richer fields ([`context::CommitmentCx::OWN_FIELDS`]),
    /// else one of `cx.out`'s ([`out_field`]); none when the commitment has no such field.
    fn field(&self, name: &str) -> Option<Value> {
        let mut converted = self
            .converted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, v)) = converted.iter().find(|(n, _)| *n == name) {
            return Some(v.clone());
        }
        let own = context::CommitmentCx::OWN_FIELDS
            .iter()
            .find(|f| **f == name)
            .copied();
        let cx = self.cx.as_ref()?;
        let (name, v) = match own {
            Some(own) => (own, cx.own_field(own)?),
            None => out_field(&cx.out, name)?,
        };
        converted.push((name, v.clone()));
        Some(v)
    }
}

/// The field `name` of a commitment's results, as converting the whole `out` gives it (its
/// name, and its value): none when `out` has no such field, or one its serialisation leaves
/// out (`ogp_id` when there is none, `not_rated` when false, `notes`). Converting all of
/// `out` for each commitment, to read a handful of its fields, was a tenth of a `--split`
/// file's render.
fn out_field(out: &crate::results::CommitmentOut, name: &str) -> Option<(&'static str, Value)> {
    fn v<T: serde::Serialize + ?Sized>(x: &T) -> Value {
        Value::from(Serde(x))
    }
    // Every field named, so that a field added to the results is not forgotten here.
    let crate::results::CommitmentOut {
        id,
        ogp_id,
        title,
        lead,
        supporting,
        values,
        themes,
        start,
        end,
        description,
        rating,
        rating_rank,
        score,
        flags,
        binding,
        conditions,
        overdue,
        overdue_milestones,
        not_rated,
        disagreement,
        unsupported,
        unsupported_criteria,
        evaluators,
        missing_evaluators,
        reference,
        criteria,
        milestones,
        notes,
    } = out;
    Some(match name {
        "id" => ("id", v(id)),
        "ogp_id" => ("ogp_id", v(ogp_id.as_ref()?)),
        "title" => ("title", v(title)),
        "lead" => ("lead", v(lead)),
        "supporting" => ("supporting", v(supporting)),
        "values" => ("values", v(values)),
        "themes" => ("themes", v(themes)),
        "start" => ("start", v(start)),
        "end" => ("end", v(end)),
        "description" => ("description", v(description)),
        "rating" => ("rating", v(rating)),
        "rating_rank" => ("rating_rank", v(rating_rank)),
        // As `results::ser4` writes it.
        "score" => ("score", v(&score.map(crate::results::round4))),
        "flags" => ("flags", v(flags)),
        "binding" => ("binding", v(binding)),
        "conditions" => ("conditions", v(conditions)),
        "overdue" => ("overdue", v(overdue)),
        "overdue_milestones" => ("overdue_milestones", v(overdue_milestones)),
        "not_rated" => ("not_rated", v(&not_rated.then_some(true)?)),
        "disagreement" => ("disagreement", v(disagreement)),
        "unsupported" => ("unsupported", v(unsupported)),
        "unsupported_criteria" => ("unsupported_criteria", v(unsupported_criteria)),
        "evaluators" => ("evaluators", v(evaluators)),
        "missing_evaluators" => ("missing_evaluators", v(missing_evaluators)),
        "reference" => ("reference", v(reference)),
        "criteria" => ("criteria", v(criteria)),
        "milestones" => ("milestones", v(milestones)),
        "notes" => ("notes", v(notes.as_ref()?)),
        _ => return None,
    })
}

/// The commitment is kept for the template's next walk (see [`kept`]).
impl Drop for CommitmentValue {
    fn drop(&mut self) {
        if let (Some(kept), Some(cx)) = (self.kept.upgrade(), self.cx.take()) {
            kept.keep(cx);
        }
    }
}

impl minijinja::value::Object for CommitmentValue {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Map
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.field(key.as_str()?)
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        // The keys of `cx.out` converted whole, in order.
        let mut keys: Vec<Value> = self
            .cx
            .as_ref()
            .and_then(|cx| Value::from(Serde(&cx.out)).try_iter().ok())
            .map(Iterator::collect)
            .unwrap_or_default();
        for name in context::CommitmentCx::OWN_FIELDS {
            if !keys.iter().any(|k| k.as_str() == Some(name)) {
                keys.push(Value::from(name));
            }
        }
        minijinja::value::Enumerator::Values(keys)
    }
}

/// The template's context: everything in `cx`, with `commitments` converted lazily (and,
/// with `keep`, kept from one walk to the next: [`kept`]).
fn template_value(cx: &Context, keep: bool) -> Value {
    minijinja::context! {
        commitments => Value::from_object(Commitments {
            all: cx.commitments.clone(),
            kept: keep.then(|| std::sync::Arc::new(kept::Kept::new(kept::KEEP))),
        }),
        ..Value::from(Serde(cx))
    }
}

/// Renders the whole document. With the appendix, whose tables walk the commitments twice
/// more, each commitment is kept from one walk to the next ([`kept`]); without, a render
/// holds one commitment at a time.
pub fn render_all(engine: &Engine, cx: &Context) -> Result<String, Box<Diagnostic>> {
    engine
        .render(template_value(cx, cx.appendix))
        .map(|t| tidy(&t))
}

/// Renders a `--split` folder's files, handing each to `each` with its place as soon as it is
/// rendered (0: the overview, first, then 1, 2, … each commitment's, on as many watched
/// threads as there are cores, so not always in order; see [`Engine::render_each`]).
pub fn render_split(
    engine: &Engine,
    cx: &Context,
    each: impl Fn(usize, String) + Sync,
) -> Result<(), Box<Diagnostic>> {
    let base = template_value(cx, false);
    each(
        0,
        tidy(&engine.render(minijinja::context! { part => Part::Overview.id(), ..base.clone() })?),
    );
    let context = |list: Value| {
        minijinja::context! {
            part => Part::Commitment.id(),
            commitments => list,
            ..base.clone()
        }
    };
    let items = |i: usize| -> Vec<Value> {
        cx.commitments
            .get(i)
            .map(|c| Value::from_object(CommitmentValue::new(c, std::sync::Weak::new())))
            .into_iter()
            .collect()
    };
    engine.render_each(cx.commitments.len(), context, items, |i, text| {
        each(i + 1, tidy(&text));
    })
}

impl Part {
    /// The value templates see in `part`.
    pub fn id(self) -> &'static str {
        match self {
            Part::All => "all",
            Part::Overview => "overview",
            Part::Commitment => "commitment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kept::Kept;
    use super::{CommitmentValue, tidy};
    use minijinja::value::{Serde, Value};

    /// The context of the Mongolia sample, with reference ratings, milestones and notes.
    fn sample() -> super::Context {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let selection = crate::load::Selection {
            dir: root.join("samples/mongolia-2016-2018"),
            reference_scores: vec![root.join("samples/mongolia-irm-legacy/scores/irm.csv")],
            ..crate::load::Selection::default()
        };
        let mut report = crate::diag::Report::new();
        let inputs = crate::load::load(&selection, &mut report).expect("the sample loads");
        let as_of = inputs.plan.settings.as_of.expect("the sample has a date");
        super::context::build(inputs, as_of, &crate::wording::Wording::english(), true)
    }

    /// Asserts that `lazy` is the same map, in the same order, as `whole`, reading every field.
    fn assert_same(lazy: &Value, whole: &Value) {
        let keys = |v: &Value| v.try_iter().unwrap().collect::<Vec<_>>();
        assert_eq!(keys(lazy), keys(whole));
        for k in keys(whole) {
            assert_eq!(
                lazy.get_item(&k).unwrap(),
                whole.get_item(&k).unwrap(),
                "{k}"
            );
        }
        assert_eq!(lazy.to_string(), whole.to_string());
        // Fields the results leave out when empty or false are left out here too.
        for k in ["ogp_id", "not_rated", "notes", "no_such_field"] {
            assert_eq!(
                lazy.get_attr(k).unwrap().is_undefined(),
                whole.get_attr(k).unwrap().is_undefined(),
                "{k}"
            );
        }
    }

    /// A commitment read field by field is the same map, in the same order, as the whole
    /// commitment converted at once (so a field added to `CommitmentCx` but not to its
    /// `OWN_FIELDS` is caught here), on a sample with reference ratings, milestones and notes.
    #[test]
    fn a_commitment_read_field_by_field_is_the_whole_commitment() {
        let cx = sample();
        assert!(cx.commitments.len() > 3);
        for i in 0..cx.commitments.len() {
            let whole = Value::from(Serde(&cx.commitments.get(i).unwrap().whole()));
            let lazy = Value::from_object(CommitmentValue::new(
                cx.commitments.get(i).unwrap(),
                std::sync::Weak::new(),
            ));
            assert_same(&lazy, &whole);
        }
    }

    /// A commitment kept from one walk to the next (every field read, then let go of) is the
    /// same, field by field, as one built anew; no more than the cap are kept, and a
    /// commitment the template still holds is not kept.
    #[test]
    fn a_commitment_kept_for_the_next_walk_is_the_same_and_the_cap_holds() {
        let cx = sample();
        let n = cx.commitments.len();
        assert!(n > 3);
        let kept = std::sync::Arc::new(Kept::new(3));
        for walk in 0..3 {
            for i in 0..n {
                let parts = kept.take(&cx.commitments, i).unwrap();
                let lazy = Value::from_object(CommitmentValue::new(
                    parts,
                    std::sync::Arc::downgrade(&kept),
                ));
                let whole = Value::from(Serde(&cx.commitments.get(i).unwrap().whole()));
                assert_same(&lazy, &whole);
                assert!(kept.len() <= 3, "walk {walk}");
            }
            assert_eq!(kept.len(), 3, "walk {walk}");
        }
        // Held by the template (a copy kept in a variable): not kept.
        let held = Value::from_object(CommitmentValue::new(
            kept.take(&cx.commitments, 0).unwrap(),
            std::sync::Arc::downgrade(&kept),
        ));
        let copy = held.clone();
        drop(held);
        assert_eq!(kept.len(), 2);
        drop(copy);
        assert_eq!(kept.len(), 3);
        // Once the render is over (the list dropped), nothing is kept any more.
        drop(kept);
    }

    #[test]
    fn tidy_collapses_blank_lines_but_not_in_code() {
        assert_eq!(
            tidy("\n\n# A\n\n\n\ntext\n  \nmore\n\n"),
            "# A\n\ntext\n\nmore\n"
        );
        assert_eq!(
            tidy("```\na\n\n\nb\n```\n\n\nc"),
            "```\na\n\n\nb\n```\n\nc\n"
        );
        assert_eq!(tidy("Монгол\r\n\r\n\r\nулс"), "Монгол\n\nулс\n");
    }

    /// A line is found blank, and a fence, as `trim` and `trim_start` find them, whatever
    /// white space (ASCII or not) it starts with.
    #[test]
    fn blank_lines_and_fences_are_found_as_trim_finds_them() {
        let starts = [
            "",
            " ",
            "\t",
            "\u{0b}",
            "\u{0c}",
            "\r",
            "\u{a0}",
            " \u{2003} ",
            "\u{3000}",
        ];
        let rests = [
            "",
            " ",
            "\u{a0}",
            "a",
            "é",
            "```",
            "~~~",
            "``",
            "~~ ~",
            "```rust",
            "\u{200b}```",
            "ü ",
        ];
        for start in starts {
            for rest in rests {
                let line = format!("{start}{rest}");
                let expected = (
                    line.trim().is_empty(),
                    line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~"),
                );
                assert_eq!(super::blank_or_fence(&line), expected, "{line:?}");
            }
        }
    }
}
