//! `checkmyogp draft [DIR]`: the civil-society comment on the IRM's report, as Markdown (or a
//! Word file) for a person to polish, in the plan's language: the header, a general overview
//! (who monitored, when and how, the differences from the IRM), one section per commitment,
//! and, with `--appendix`, the figures. Also `--export-template DIR`, which writes the
//! built-in templates and wording files out to edit. Says at the end how many places are
//! left to write.
//!
//! Files are written with [`crate::write`]: atomically, and never over a file a person edited
//! since checkmyogp wrote it (unless `--force`). Every target is checked before the first is
//! written, so a refusal leaves everything as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::common;
use crate::cli::{InputArgs, Outcome};
use crate::diag::plural;
use crate::draft::{self, builtin, docx, names};
use crate::load::Selection;
use crate::source::display_path;

const EXAMPLES: &str = "\
Examples:
  checkmyogp draft samples/mongolia-2016-2018           writes samples/mongolia-2016-2018/draft.md
  checkmyogp draft . --output -                         prints the draft instead
  checkmyogp draft . --irm irm-ratings.csv              sets the IRM's ratings beside yours
  checkmyogp draft . --split comment                    one file per commitment, in comment/
  checkmyogp draft . --docx                             draft.docx, a Word file
  checkmyogp draft . --language es                      in Spanish (en, es, fr, mn)
  checkmyogp draft . --appendix                         adds the ratings, scores and agreement figures
  checkmyogp draft --export-template templates          the built-in templates, to edit
  checkmyogp draft . --template my-comment.md.j2

A person's edits are never overwritten: a file edited since checkmyogp wrote it is left as it
is unless you add --force. Templates and their variables: docs/templates.md.";

/// Draft the civil-society comment on the IRM's report, ready to edit.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the draft to this file (default: draft.md in the assessment folder, draft.docx
    /// with --docx; `-` means the screen).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write one file per commitment, and overview.md, into this folder instead of one file.
    #[arg(long, value_name = "FOLDER", conflicts_with_all = ["output", "docx"])]
    pub split: Option<PathBuf>,

    /// Write a Word document (.docx) instead of Markdown (no other program needed).
    #[arg(long)]
    pub docx: bool,

    /// The draft's language: en, es, fr, mn, or one added in templates/lang/ (default: the
    /// plan's `[plan] language`, else English).
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,

    /// Add an appendix with the figures behind the comment: ratings, scores, flags, how far
    /// the evaluators agreed, where they disagree.
    #[arg(long)]
    pub appendix: bool,

    /// A score file with the IRM's official ratings: its evaluators are set beside the
    /// coalition's rating (never combined into it), and every difference is called out.
    #[arg(long, value_name = "FILE")]
    pub irm: Vec<PathBuf>,

    /// Use this template instead of the assessment's templates/ folder or the built-in one.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Write the built-in templates into this folder, to edit, and stop.
    #[arg(
        long,
        value_name = "FOLDER",
        conflicts_with_all = ["output", "split", "docx", "irm", "template", "as_of", "language", "appendix"]
    )]
    pub export_template: Option<PathBuf>,

    /// Replace files even if a person edited them since checkmyogp wrote them (their edits
    /// are lost).
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub date: common::AsOfArg,
}

/// Refuses, with what to do, when any target was edited by a person. `elsewhere` says how to
/// write somewhere else instead (e.g. `--output draft-new.md`).
fn refuse_edited(targets: &[PathBuf], force: bool, elsewhere: &str) -> anyhow::Result<bool> {
    if force {
        return Ok(false);
    }
    tell_edited(&edited(targets), elsewhere)
}

/// The targets a person edited (or that checkmyogp did not write), in their order, all checked
/// at once ([`crate::write::untouched_each`]: on every core, each folder's ledger looked at once).
fn edited(targets: &[PathBuf]) -> Vec<&PathBuf> {
    targets
        .iter()
        .zip(crate::write::untouched_each(targets))
        .filter(|(_, untouched)| !untouched)
        .map(|(t, _)| t)
        .collect()
}

/// Says which targets were edited and what to do, when there are any (then `true`).
fn tell_edited(edited: &[&PathBuf], elsewhere: &str) -> anyhow::Result<bool> {
    if edited.is_empty() {
        return Ok(false);
    }
    // A target that is not a regular file is refused for that, not as edited: --force would
    // not help.
    for t in edited {
        crate::write::check_target(t)
            .with_context(|| format!("could not write {}", display_path(t)))?;
    }
    let mut err = crate::terminal::stderr();
    for t in edited {
        writeln!(
            err,
            "error: {} was changed since checkmyogp wrote it (or was not written by checkmyogp)",
            display_path(t)
        )?;
    }
    writeln!(
        err,
        "  Nothing was written: {} left as {} so that no edits are lost.\n  \
         To keep the edits and get a fresh copy, write it elsewhere ({elsewhere}) and merge the two;\n  \
         to replace {} and lose the edits, add --force.",
        if edited.len() == 1 {
            "the file was"
        } else {
            "the files were"
        },
        if edited.len() == 1 {
            "it is"
        } else {
            "they are"
        },
        if edited.len() == 1 { "it" } else { "them" },
    )?;
    Ok(true)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_files(&[(path.to_path_buf(), bytes)])
        .with_context(|| format!("could not write {}", display_path(path)))
}

/// Writes a batch of files (`--split`, `--export-template`) with one append to each folder's
/// ledger, not one rewrite per file.
fn write_files<B: AsRef<[u8]> + Sync>(files: &[(PathBuf, B)]) -> anyhow::Result<()> {
    let mut made: Vec<&Path> = Vec::new();
    for (path, _) in files {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !made.contains(&parent)
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create the folder {}", display_path(parent)))?;
            made.push(parent);
        }
    }
    // Every target was checked before the first was written (see `refuse_edited`).
    crate::write::write_outputs(files, true)
}

fn export(folder: &Path, force: bool) -> anyhow::Result<Outcome> {
    let mut files: Vec<(String, &str)> = builtin::TEMPLATES
        .iter()
        .map(|t| (t.name.to_string(), t.text))
        .collect();
    files.extend(
        crate::wording::BUILTIN
            .iter()
            .map(|l| (format!("lang/{}.toml", l.code), l.text)),
    );
    let targets: Vec<PathBuf> = files.iter().map(|(n, _)| folder.join(n)).collect();
    if refuse_edited(
        &targets,
        force,
        "for example --export-template templates-new",
    )? {
        return Ok(Outcome::Problems);
    }
    let batch: Vec<(PathBuf, &[u8])> = targets
        .iter()
        .zip(&files)
        .map(|(path, (_, text))| (path.clone(), text.as_bytes()))
        .collect();
    write_files(&batch).with_context(|| {
        format!(
            "could not write the templates into {}",
            display_path(folder)
        )
    })?;
    let mut err = crate::terminal::stderr();
    writeln!(
        err,
        "wrote {} templates and wording files to {}: {}",
        targets.len(),
        display_path(folder),
        files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        err,
        "  Edit them there. In an assessment folder's templates/ folder, the file named after the rubric\n  \
         (or draft.md.j2) replaces the built-in one; anywhere else, use --template FILE. See docs/templates.md."
    )?;
    Ok(Outcome::Ok)
}

fn print_diag(d: &crate::diag::Diagnostic) -> anyhow::Result<()> {
    let mut err = crate::terminal::stderr();
    err.write_all(d.render().as_bytes())?;
    writeln!(err, "The template has an error: nothing was written.")?;
    Ok(())
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if let Some(folder) = &args.export_template {
        return export(folder, args.force);
    }
    let to_stdout = args.output.as_ref().is_some_and(|p| p.as_os_str() == "-");
    if args.docx && to_stdout {
        writeln!(
            crate::terminal::stderr(),
            "error: --docx writes a Word file; give its name with --output FILE.docx, not -"
        )?;
        return Ok(Outcome::Usage);
    }
    let selection = Selection {
        reference_scores: args.irm.clone(),
        ..args.input.selection()
    };
    let Some(inputs) = common::load_selection(&selection)? else {
        return Ok(Outcome::Problems);
    };
    let date = common::as_of(args.date.as_of, &inputs);
    // The agreement figures are computed on a thread of their own: their working memory (20 MB
    // at 5,000 commitments), freed when they are done, is then reused by the threads that
    // count the summary next, where on this thread it stayed with the program unused.
    let agreement = std::thread::scope(|scope| {
        scope
            .spawn(|| draft::context::agreement_of(&inputs))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let choice = match draft::choose(args.template.as_deref(), &args.input.dir, &inputs.rubric.id) {
        Ok(c) => c,
        Err(d) => {
            print_diag(&d)?;
            return Ok(Outcome::Problems);
        }
    };
    let code = args
        .language
        .clone()
        .or_else(|| inputs.plan.language.clone())
        .unwrap_or_else(|| "en".to_string());
    let lang_folder = args.input.dir.join(draft::TEMPLATE_FOLDER);
    let (wording, problem) =
        crate::wording::Wording::load(&code, lang_folder.is_dir().then_some(lang_folder.as_path()));
    if let Some(problem) = problem {
        writeln!(crate::terminal::stderr(), "warning: {}", problem.0)?;
    }
    // The context keeps the inputs, and assesses each commitment and builds its part when the
    // template reaches it: the whole plan's results are never held.
    let cx = draft::context::build_with(inputs, date, &wording, args.appendix, agreement);
    let engine = draft::engine_for(&choice, &cx, wording);
    let differ = cx
        .differences
        .iter()
        .map(|d| d.id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let about = format!(
        "{}{}",
        plural(cx.commitments.len(), "commitment"),
        if cx.references.is_empty() {
            String::new()
        } else {
            format!(", {differ} rated differently from the reference ratings")
        }
    );

    if let Some(folder) = &args.split {
        let file_names = {
            let ids: Vec<String> = cx.commitments.ids().collect();
            names::file_names(ids.iter().map(String::as_str))
        };
        let mut targets = vec![folder.join(names::OVERVIEW)];
        targets.extend(file_names.iter().map(|n| folder.join(n)));
        let edited_targets = if args.force {
            Vec::new()
        } else {
            edited(&targets)
        };
        if !edited_targets.is_empty() {
            // Nothing is written; a template error is told first, as when nothing was edited.
            if let Err(d) = draft::render_split(&engine, &cx, |_, _| {}) {
                print_diag(&d)?;
                return Ok(Outcome::Problems);
            }
            tell_edited(&edited_targets, "for example --split draft-new")?;
            return Ok(Outcome::Problems);
        }
        let count = targets.len();
        // Each file is written while the next are rendered, so the folders come first (and
        // go again if the template fails, as if nothing had been begun). Every target is
        // directly in `folder` (names hold no separator): what is missing is `folder` and
        // those of its parents that do not exist, innermost first.
        let made: Vec<PathBuf> = folder
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(folder)
            .with_context(|| format!("could not create the folder {}", display_path(folder)))
            .with_context(|| format!("could not write the drafts into {}", display_path(folder)))?;
        let places = std::sync::atomic::AtomicUsize::new(0);
        // Every target was checked before the first was written (above).
        let written = crate::write::write_outputs_as_made(&targets, true, |put| {
            draft::render_split(&engine, &cx, |i, text| {
                let found = draft::markdown::count_places(&text);
                places.fetch_add(found, std::sync::atomic::Ordering::Relaxed);
                put(i, text.into_bytes());
            })
        })
        .with_context(|| format!("could not write the drafts into {}", display_path(folder)))?;
        let unchanged = match written {
            Ok(((), unchanged)) => unchanged,
            Err(d) => {
                for dir in &made {
                    let _ = std::fs::remove_dir(dir);
                }
                print_diag(&d)?;
                return Ok(Outcome::Problems);
            }
        };
        // Files that already held their new text were left as they were (see
        // `write_outputs_as_made`).
        let folder_shown = display_path(folder);
        let overview = names::OVERVIEW;
        let wrote = match unchanged {
            0 => format!(
                "wrote {count} files to {folder_shown} ({about}): {overview} and one file per commitment."
            ),
            n if n == count => format!(
                "nothing to write in {folder_shown} ({about}): its {count} files already hold this draft."
            ),
            n => format!(
                "wrote {} of the {count} files in {folder_shown} ({about}); the other {n} already held this draft.",
                count - n
            ),
        };
        writeln!(
            crate::terminal::stderr(),
            "{wrote}\n  \
             {}\n  \
             Edit them freely: checkmyogp never overwrites your edits unless you add --force.",
            places_left(places.into_inner())
        )?;
        return Ok(Outcome::Ok);
    }

    let text = match draft::render_all(&engine, &cx) {
        Ok(t) => t,
        Err(d) => {
            print_diag(&d)?;
            return Ok(Outcome::Problems);
        }
    };
    let places = draft::markdown::count_places(&text);
    if to_stdout {
        // On a terminal, control characters from the inputs are shown, never obeyed (an
        // escape sequence in a comment could clear the screen or write the clipboard);
        // redirected to a file or a pipe, the text is kept as it is.
        let mut out = crate::terminal::stdout(crate::terminal::Shown::Text);
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .context(super::STDOUT_FAILED)?;
        writeln!(crate::terminal::stderr(), "{}", places_left(places))?;
        return Ok(Outcome::Ok);
    }
    let target = args.output.clone().unwrap_or_else(|| {
        args.input
            .dir
            .join(if args.docx { "draft.docx" } else { "draft.md" })
    });
    let elsewhere = if args.docx {
        "for example --output draft-new.docx"
    } else {
        "for example --output draft-new.md"
    };
    if refuse_edited(std::slice::from_ref(&target), args.force, elsewhere)? {
        return Ok(Outcome::Problems);
    }
    let bytes = if args.docx {
        match docx::convert(&text, &cx.language) {
            Ok(b) => b,
            Err(e) => {
                writeln!(crate::terminal::stderr(), "error: {e}")?;
                return Ok(Outcome::Problems);
            }
        }
    } else {
        text.into_bytes()
    };
    write_file(&target, &bytes)?;
    writeln!(
        crate::terminal::stderr(),
        "wrote {} ({about}).\n  {}\n  \
         Edit it freely: checkmyogp never overwrites your edits unless you add --force.",
        display_path(&target),
        places_left(places)
    )?;
    Ok(Outcome::Ok)
}

/// "7 places left to write (marked [[…]])", or that none are.
fn places_left(n: usize) -> String {
    match n {
        0 => "No places left to write.".to_string(),
        1 => "1 place left to write (marked [[…]]).".to_string(),
        n => format!("{n} places left to write (marked [[…]])."),
    }
}
