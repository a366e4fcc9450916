//! From files to the model: finds an assessment folder's parts (plan, rubric, score files),
//! reads each with its own loader, and runs the checks that span files (duplicate ratings,
//! commitments nobody rated, evaluators who skipped some). Every problem goes into one
//! [`Report`], so a person sees them all at once.

pub mod builtin;
mod plan;
pub(crate) mod rubric;
pub(crate) mod scores;
pub(crate) mod toml_doc;
#[cfg(feature = "spreadsheets")]
mod workbook;

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location, Report, plural};
use crate::model::{Plan, Rating, Rubric, Scores};
use crate::source::{FileId, ReadError, SourceFile, SourceMap, display_path};
use crate::suggest;
use crate::text;
use toml_doc::Cx;

/// Which files make up an assessment: a folder, with optional overrides of its parts.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The assessment folder (holding plan.toml).
    pub dir: PathBuf,
    /// `--plan FILE`: another plan file.
    pub plan: Option<PathBuf>,
    /// `--rubric ID|FILE`: another rubric.
    pub rubric: Option<String>,
    /// `--scores FILE` (repeatable): these score files instead of the plan's globs.
    pub scores: Vec<PathBuf>,
    /// Score files holding an outside view, read after the others (`draft --irm FILE`: the
    /// IRM's official ratings). Every evaluator in them is a reference evaluator (never
    /// combined); one the plan does not list is added to it with the role `irm`.
    pub reference_scores: Vec<PathBuf>,
    /// Whether to keep what evaluators wrote (evidence, comments, next steps). Commands that
    /// only compute (validate, assess without details) leave it out, which halves the memory a
    /// very large assessment needs; whether evidence was cited is kept on each rating anyway.
    pub notes: bool,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            dir: PathBuf::from("."),
            plan: None,
            rubric: None,
            scores: Vec::new(),
            reference_scores: Vec::new(),
            notes: true,
        }
    }
}

/// Everything an assessment needs, loaded and checked.
#[derive(Debug)]
pub struct Inputs {
    pub sources: SourceMap,
    pub plan: Plan,
    pub rubric: Rubric,
    pub scores: Scores,
    pub plan_path: PathBuf,
    pub score_files: Vec<PathBuf>,
}

/// The largest weight a milestone or criterion may have: weights × level values summed over a
/// whole plan then stay far inside what a 64-bit float carries exactly enough.
pub const MAX_WEIGHT: f64 = 1_000_000.0;
/// The smallest weight above 0: a millionth, so that no weight is a trillionth of another
/// (a weight of `4e-323`, which a float holds only roughly, made `explain` print sums of
/// zeros divided by 0).
pub const MIN_WEIGHT: f64 = 0.000_001;
/// The largest level value (either side of 0).
pub const MAX_LEVEL_VALUE: f64 = 1_000_000_000.0;
/// The most levels a scale may have (level indices are 16-bit).
pub const MAX_LEVELS: usize = 65_535;
/// The most commitments and milestones (together) a plan may hold: ten times OGP's whole
/// database of commitments, and a size every command handles within about a gigabyte of
/// memory (see docs/limits.md).
pub const MAX_UNITS: usize = 50_000;
/// The largest `disagreement_threshold` (a spread in levels).
pub const MAX_THRESHOLD: u32 = 65_535;

/// The largest plan or rubric file read (TOML files are read whole).
pub const MAX_TOML_BYTES: u64 = 16 * 1024 * 1024;

impl Inputs {
    /// Frees the individual ratings once the assessment has folded them in, so that building
    /// and writing the results of a very large assessment does not hold both at once.
    pub fn release_ratings(&mut self) {
        *self.scores.ratings_mut() = Vec::new();
    }
}

/// Reads a TOML file into the source map. `None` (with a diagnostic) when it cannot be read or
/// is not text.
fn read_toml_source(
    path: &Path,
    what: &str,
    sources: &mut SourceMap,
    report: &mut Report,
) -> Option<FileId> {
    let shown = display_path(path);
    let bytes = match crate::source::read_file(path, MAX_TOML_BYTES) {
        Ok(b) => b,
        Err(ReadError::TooLarge { limit }) => {
            report.push(
                Diagnostic::error(
                    "too-large",
                    format!(
                        "the {what} is larger than {} MB; larger files are not read",
                        limit / 1024 / 1024
                    ),
                )
                .at(Location::file(shown))
                .help("check that this is the right file; see docs/limits.md"),
            );
            return None;
        }
        Err(ReadError::NotAFile(kind)) => {
            report.push(
                Diagnostic::error(
                    "unreadable",
                    format!("the {what} {shown} is {kind}, not a file"),
                )
                .at(Location::file(shown))
                .help(format!("give the path of the {what}'s .toml file")),
            );
            return None;
        }
        Err(e) => {
            report.push(
                Diagnostic::error("unreadable", format!("cannot open the {what} {shown}: {e}"))
                    .at(Location::file(shown.clone()))
                    .help(if what == "plan" {
                        "an assessment folder holds a plan.toml; run `checkmyogp init DIR` to start one, or give the folder's path"
                    } else {
                        "check the path"
                    }),
            );
            return None;
        }
    };
    match text::decode(&bytes) {
        Ok(decoded) => {
            if decoded.encoding != text::Encoding::Utf8
                && decoded.encoding != text::Encoding::Utf8Bom
            {
                report.push(
                    Diagnostic::note(
                        "encoding",
                        format!("read as {} text, not UTF-8", decoded.encoding.name()),
                    )
                    .at(Location::file(shown.clone()))
                    .help("save the file as UTF-8 so that every program reads it the same way"),
                );
            }
            let text = decoded.text.into_owned();
            Some(sources.add(SourceFile::new(path, Some(text))))
        }
        Err(why) => {
            report.push(
                Diagnostic::error("not-text", format!("the {what} cannot be read: {why}"))
                    .at(Location::file(shown))
                    .help("plan and rubric files are TOML text files; open it in a text editor to check"),
            );
            None
        }
    }
}

/// Reads and checks a plan file on its own.
pub fn load_plan(path: &Path, sources: &mut SourceMap, report: &mut Report) -> Option<Plan> {
    let file = read_toml_source(path, "plan", sources, report)?;
    if let Some(line) = sources
        .get(file)
        .and_then(|f| f.text.as_deref())
        .and_then(too_many_units)
    {
        // Refused before parsing: the parsed document of such a file needs 40 bytes of memory
        // per byte of text.
        let shown = sources.display(file).to_string();
        report.push(
            Diagnostic::error(
                "too-many-commitments",
                format!(
                    "the plan has more than {MAX_UNITS} commitments and milestones together; this is where it passes that number"
                ),
            )
            .at(Location::line(shown, line, None))
            .help("a national action plan has tens of commitments; check that this is the right file (see docs/limits.md)"),
        );
        return None;
    }
    let text = sources.get(file)?.text.as_deref()?;
    let at = toml_doc::halves(text, "commitment")
        // With one core, the halves would only take turns.
        .filter(|_| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
        .filter(|_| !address_space_limited());
    read_plan_at(file, sources, report, at)
}

/// Whether the process runs under a limit of its address space (`ulimit -v`). The plan is
/// then read on one thread: glibc cannot reserve a second thread's `malloc` arena (64 MB of
/// address space) under a tight limit, and then maps a page of its own for each allocation
/// of that thread, so that the second half's parsed tables and commitments, held at once,
/// could take more than the limit allows (a 120 MB limit failed for a plan of 10,000
/// commitments). Linux tells it in /proc/self/limits; elsewhere there is taken to be none.
fn address_space_limited() -> bool {
    std::fs::read_to_string("/proc/self/limits").is_ok_and(|limits| {
        limits.lines().any(|line| {
            line.strip_prefix("Max address space")
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|soft| soft != "unlimited")
        })
    })
}

/// The 1-based line of the `[[commitment]]` or `[[commitment.milestone]]` header that takes a
/// plan past [`MAX_UNITS`], if any (a quick count before parsing; the plan reader counts again
/// what other spellings declare).
///
/// Only the `[[` of the text are looked at (found by `memchr`), not every line: a line counts
/// when only whitespace comes before its `[[` and, after any whitespace, `commitment`, as
/// `line.trim_start().starts_with("[[")` and `line[2..].trim_start().starts_with("commitment")`
/// would say of each of `text.lines()`.
fn too_many_units(text: &str) -> Option<usize> {
    let mut units = 0usize;
    for at in memchr::memmem::find_iter(text.as_bytes(), b"[[") {
        let line_start = !text[..at]
            .chars()
            .rev()
            .take_while(|&c| c != '\n')
            .any(|c| !c.is_whitespace());
        let header = text[at + 2..]
            .trim_start_matches(|c: char| c != '\n' && c.is_whitespace())
            .starts_with("commitment");
        if line_start && header {
            units += 1;
            if units > MAX_UNITS {
                return Some(memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1);
            }
        }
    }
    None
}

/// Parses a file of the source map as TOML (reporting syntax errors) and hands the document to
/// `read`, which checks it against its schema.
fn read_toml<T>(
    file: FileId,
    sources: &SourceMap,
    report: &mut Report,
    read: impl FnOnce(&mut Cx<'_>, &toml::de::DeTable<'_>, std::ops::Range<usize>) -> Option<T>,
) -> Option<T> {
    let text = sources.get(file)?.text.as_deref()?;
    let mut cx = Cx::new(sources, file, report);
    let doc = toml_doc::parse(&mut cx, text)?;
    let range = doc.span();
    read(&mut cx, doc.get_ref(), range)
}

/// Reads the plan in `file`, parsed whole (`at` = `None`) or in two halves cut at `at` (a byte
/// offset before a `[[commitment]]` header, from [`toml_doc::halves`]), each half parsed, and
/// its commitments read, on its own thread (see [`toml_doc::read_halves`]).
fn read_plan_at(
    file: FileId,
    sources: &SourceMap,
    report: &mut Report,
    at: Option<usize>,
) -> Option<Plan> {
    let Some(at) = at else {
        return read_toml(file, sources, report, |cx, doc, range| {
            Some(plan::read(cx, doc, range, None))
        });
    };
    let text = sources.get(file)?.text.as_deref()?;
    let mut cx = Cx::new(sources, file, report);
    toml_doc::read_halves(
        &mut cx,
        text,
        at,
        "commitment",
        plan::Commitments::ahead,
        |cx, doc, range, second| plan::read(cx, doc, range, second),
    )
}

/// Loads a rubric by built-in id or path (`base` is the folder relative paths start from).
pub fn load_rubric(
    spec: &str,
    base: &Path,
    sources: &mut SourceMap,
    report: &mut Report,
    named_at: Option<Location>,
) -> Option<Rubric> {
    let (text, origin, path) = if let Some(b) = builtin::find(spec) {
        (
            b.text.to_string(),
            "built-in".to_string(),
            PathBuf::from(format!("<built-in rubric {}>", b.id)),
        )
    } else {
        let path = base.join(spec.trim());
        // The plan's rubric must be inside the plan's folder (a --rubric given on the command
        // line may be anywhere).
        if named_at.is_some() && std::fs::metadata(&path).is_ok() && !is_inside(base, &path) {
            report.push(outside_folder(
                "rubric in plan.toml",
                spec,
                "--rubric FILE",
                named_at,
            ));
            return None;
        }
        // A path that exists but is not a file (a folder, /dev/zero) is named as such below.
        if std::fs::metadata(&path).is_err() {
            let ids: Vec<&str> = builtin::BUILTIN.iter().map(|b| b.id).collect();
            let mut d = Diagnostic::error(
                "unknown-rubric",
                format!(
                    "\"{spec}\" is neither a built-in rubric nor a rubric file ({} does not exist)",
                    display_path(&path)
                ),
            )
            .expected(format!(
                "a built-in rubric ({}) or the path of a rubric .toml file",
                suggest::one_of(&ids, 5)
            ))
            .maybe_help(suggest::did_you_mean(spec, ids.iter().copied()));
            if let Some(loc) = named_at {
                d = d.at(loc);
            }
            report.push(d);
            return None;
        }
        let file = read_toml_source(&path, "rubric", sources, report)?;
        let origin = display_path(&path);
        return read_toml(file, sources, report, |cx, doc, range| {
            rubric::read(cx, doc, range, &origin)
        });
    };
    let file = sources.add(SourceFile::new(&path, Some(text)));
    read_toml(file, sources, report, |cx, doc, range| {
        rubric::read(cx, doc, range, &origin)
    })
}

/// Where score files are looked for when plan.toml does not say.
#[cfg(feature = "spreadsheets")]
pub const DEFAULT_SCORES: [&str; 3] = ["scores/*.csv", "scores/*.xlsx", "scores/*.ods"];
/// Where score files are looked for when plan.toml does not say.
#[cfg(not(feature = "spreadsheets"))]
pub const DEFAULT_SCORES: [&str; 1] = ["scores/*.csv"];

/// The lock files spreadsheet programs leave beside an open file (`~$scores.xlsx`,
/// `.~lock.scores.ods#`): never score files.
fn is_lock_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with("~$") || n.starts_with(".~lock."))
}

/// Extensions of files that look like score files (a CSV, or a spreadsheet workbook).
const SCORE_LIKE: [&str; 6] = ["csv", "tsv", "xlsx", "xlsm", "xls", "ods"];

/// CSV and spreadsheet files in the folders of the plan's score patterns that no pattern
/// matches (a filled `.xlsx` sheet in `scores/` when the plan reads only `scores/*.csv`).
/// Empty when `--scores` names the files.
pub fn skipped_score_files(sel: &Selection, plan: &Plan, found: &[PathBuf]) -> Vec<PathBuf> {
    if !sel.scores.is_empty() {
        return Vec::new();
    }
    let base = sel
        .plan
        .as_ref()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| sel.dir.clone());
    let patterns: Vec<String> = if plan.settings.scores.is_empty() {
        DEFAULT_SCORES.iter().map(|p| (*p).to_string()).collect()
    } else {
        plan.settings.scores.clone()
    };
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let found: Vec<PathBuf> = found.iter().map(|p| canonical(p)).collect();
    let mut folders: Vec<PathBuf> = Vec::new();
    for pattern in &patterns {
        // The folder part before the first component with a wildcard.
        let mut folder = PathBuf::new();
        let parts: Vec<&str> = pattern.split(['/', '\\']).collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if part.contains(['*', '?', '[']) {
                break;
            }
            folder.push(part);
        }
        let folder = base.join(folder);
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    let mut skipped = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut here: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && !is_lock_file(p)
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    && p.extension().is_some_and(|x| {
                        SCORE_LIKE.contains(&x.to_string_lossy().to_lowercase().as_str())
                    })
            })
            .filter(|p| !found.contains(&canonical(p)))
            .collect();
        here.sort();
        for p in here {
            if !skipped.contains(&p) {
                skipped.push(p);
            }
        }
    }
    skipped
}

/// Whether `path` (which exists) is inside the folder `base`, following symbolic links: the
/// rule for the paths a plan names (see [`outside_folder`]).
fn is_inside(base: &Path, path: &Path) -> bool {
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    match (std::fs::canonicalize(base), std::fs::canonicalize(path)) {
        (Ok(b), Ok(p)) => p.starts_with(b),
        _ => false,
    }
}

/// The error for a path named in plan.toml that leads outside the assessment folder. A folder
/// someone else shared (by e-mail, a download, a synced drive) must not make the tool read, and
/// quote in its messages, files elsewhere on the computer (`scores = ["/etc/passwd"]`, a
/// `..` path, or a link in the folder pointing out of it): such files are only read when the
/// person running the tool names them on the command line (`--scores FILE`, `--rubric FILE`).
fn outside_folder(what: &str, named: &str, flag: &str, at: Option<Location>) -> Diagnostic {
    let d = Diagnostic::error(
        "outside-folder",
        format!(
            "the {what} \"{}\" leads outside the assessment folder, so it is not read",
            crate::text::printable(named, 200)
        ),
    )
    .help(format!(
        "a plan may only name files inside its own folder; to read a file from elsewhere, give it on the command line yourself with {flag}"
    ));
    match at {
        Some(loc) => d.at(loc),
        None => d,
    }
}

/// Finds the score files: `--scores` files, or the plan's globs (default [`DEFAULT_SCORES`]),
/// relative to the plan's folder, in a stable order.
fn score_files(sel: &Selection, plan: &Plan, base: &Path, report: &mut Report) -> Vec<PathBuf> {
    if !sel.scores.is_empty() {
        return sel.scores.clone();
    }
    let patterns: Vec<String> = if plan.settings.scores.is_empty() {
        DEFAULT_SCORES.iter().map(|p| (*p).to_string()).collect()
    } else {
        plan.settings.scores.clone()
    };
    let mut files = Vec::new();
    let from_plan = !plan.settings.scores.is_empty();
    for pattern in &patterns {
        if from_plan
            && Path::new(pattern).components().any(|c| {
                !matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            })
        {
            report.push(outside_folder(
                "score pattern in plan.toml",
                pattern,
                "--scores FILE",
                None,
            ));
            continue;
        }
        let full = base.join(pattern);
        let full = full.to_string_lossy();
        match glob::glob(&full) {
            Ok(paths) => {
                let mut found: Vec<PathBuf> = paths
                    .filter_map(Result::ok)
                    .filter(|p| !is_lock_file(p) && is_score_file_candidate(p))
                    .filter(|p| {
                        // A link in the folder that points out of it is not followed.
                        let inside = is_inside(base, p);
                        if !inside {
                            report.push(outside_folder(
                                "score file (a link)",
                                &display_path(p),
                                "--scores FILE",
                                None,
                            ));
                        }
                        inside
                    })
                    .collect();
                found.sort();
                for f in found {
                    if !files.contains(&f) {
                        files.push(f);
                    }
                }
            }
            Err(e) => report.push(
                Diagnostic::error(
                    "bad-glob",
                    format!(
                        "the score pattern \"{pattern}\" in [assessment] is not valid: {}",
                        e.msg
                    ),
                )
                .help("patterns look like \"scores/*.csv\""),
            ),
        }
    }
    if files.is_empty() {
        report.push(
            Diagnostic::warning("no-scores", format!("no score files found (looked for {})", suggest::one_of(&patterns, 5)))
                .help("put the evaluators' CSV files in the scores/ folder, or list them in [assessment] scores"),
        );
    }
    files
}

/// Whether a path a score pattern found is read as a score file: anything but a folder (which
/// a pattern such as `scores/*` may well find) and a link that leads nowhere. A pipe (FIFO), a
/// device or a socket is kept, so that it is reported where the files are read
/// ([`is_regular_file`]), never opened: opening a pipe would wait for a writer for ever.
fn is_score_file_candidate(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
}

/// Whether the assessment folder exists and is a folder; if not, says so (naming the missing
/// folder, or the file given in its place).
fn folder_is_there(dir: &Path, report: &mut Report) -> bool {
    let shown = display_path(dir);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => true,
        Ok(_) => {
            let is_plan = dir
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            report.push(
                Diagnostic::error(
                    "not-a-folder",
                    format!("{shown} is a file, not an assessment folder"),
                )
                .help(if is_plan {
                    format!("give the folder that holds it, or the plan itself with --plan {shown}")
                } else {
                    "give the folder that holds plan.toml".to_string()
                }),
            );
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.push(
                Diagnostic::error("no-folder", format!("there is no folder {shown}"))
                    .help("check the path; `checkmyogp init DIR` makes a new assessment folder"),
            );
            false
        }
        Err(e) => {
            report.push(Diagnostic::error(
                "unreadable",
                format!("cannot open the folder {shown}: {}", ReadError::Io(e)),
            ));
            false
        }
    }
}

/// Loads a whole assessment, reporting every problem. Returns `None` when the inputs could
/// not be assembled at all; when it returns `Some`, the caller must still check
/// `report.has_errors()` before trusting the result.
pub fn load(sel: &Selection, report: &mut Report) -> Option<Inputs> {
    if sel.plan.is_none() && !folder_is_there(&sel.dir, report) {
        return None;
    }
    let mut sources = SourceMap::default();
    let plan_path = sel
        .plan
        .clone()
        .unwrap_or_else(|| sel.dir.join("plan.toml"));
    let base = plan_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // Large default score files are looked at while the plan is read (a count of quotes that
    // needs nothing from it).
    let ahead = if sel.scores.is_empty() {
        // The default CSV pattern (the first of the defaults).
        scores::split_ahead(&base.join(DEFAULT_SCORES[0]))
    } else {
        None
    };
    let plan = load_plan(&plan_path, &mut sources, report);

    let (spec, named_at, rubric_base) = match (
        &sel.rubric,
        plan.as_ref().and_then(|p| p.settings.rubric.clone()),
    ) {
        (Some(r), _) => (r.clone(), None, PathBuf::from(".")),
        (None, Some((r, span))) => (r, Some(Location::span(&sources, &span)), base.clone()),
        (None, None) => (builtin::DEFAULT_RUBRIC.to_string(), None, base.clone()),
    };
    let rubric = load_rubric(&spec, &rubric_base, &mut sources, report, named_at);

    let (Some(plan), Some(rubric)) = (plan, rubric) else {
        report.push(Diagnostic::note(
            "not-checked",
            "the score files were not checked, because the plan or the rubric could not be read; fix the problems above and run again",
        ));
        return None;
    };

    if plan.commitments.is_empty() && report.has_errors() {
        report.push(Diagnostic::note(
            "not-checked",
            "the score files were not checked, because no commitment of the plan could be read; fix the problems above and run again",
        ));
        return None;
    }
    let mut files = score_files(sel, &plan, &base, report);
    // A reference file that the plan's patterns also find is read once, as a reference file.
    files.retain(|f| !sel.reference_scores.iter().any(|r| same_file(f, r)));
    let mut plan = plan;
    let mut scores = Scores::default();
    let mut reference_files = Vec::new();
    {
        let mut resolver = scores::Resolver::new(&plan, &rubric, &mut scores);
        resolver.keep_notes = sel.notes;
        resolver.ahead = ahead.and_then(|a| a.join().ok()).unwrap_or_default();
        for path in &files {
            let file = sources.add(SourceFile::new(path, None));
            let display = sources.display(file).to_string();
            if is_regular_file(path, &display, report) {
                scores::read_csv(path, file, &display, &mut resolver, &mut scores, report);
            }
        }
        // Reference files may name evaluators the plan does not list (the IRM's, say).
        resolver.declared = false;
        resolver.reference_file = true;
        for path in &sel.reference_scores {
            let file = sources.add(SourceFile::new(path, None));
            reference_files.push(file);
            let display = sources.display(file).to_string();
            if is_regular_file(path, &display, report) {
                scores::read_csv(path, file, &display, &mut resolver, &mut scores, report);
            }
        }
    }
    files.extend(sel.reference_scores.iter().cloned());
    mark_references(&reference_files, &mut plan, &scores, &sources, report);
    let inputs = Inputs {
        sources,
        plan,
        rubric,
        scores,
        plan_path,
        score_files: files,
    };
    let seen = scan_ratings(&inputs);
    check_duplicates(&inputs, &seen, report);
    check_coverage(&inputs, &seen, report);
    Some(inputs)
}

/// Whether a score file is a regular file (following links); a folder, device or pipe is
/// reported and not read (nor opened), so `--scores /dev/zero`, or a FIFO in `scores/`, cannot
/// make the tool read, or wait, for ever.
fn is_regular_file(path: &Path, display: &str, report: &mut Report) -> bool {
    let (problem, help) = match std::fs::metadata(path) {
        Ok(meta) => match crate::source::not_a_file(&meta) {
            None => return true,
            Some(kind) => (
                format!("the score file is {kind}, not a file"),
                "score files are regular CSV, .xlsx or .ods files; a pipe, a device or a folder is never read",
            ),
        },
        Err(e) => (
            format!("cannot open the score file: {}", ReadError::Io(e)),
            "check that the file exists and that you may read it; score files are CSV, .xlsx or .ods files",
        ),
    };
    report.push(
        Diagnostic::error("unreadable", problem)
            .at(Location::file(display.to_string()))
            .help(help),
    );
    false
}

/// Whether two paths name the same file (the same path, or the same file on disk).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// Makes every evaluator of the reference score files (`Selection::reference_scores`) a
/// reference evaluator, and lists one the plan does not with the role `irm`. One that also
/// rated in the other score files is an error: their ratings cannot be both combined and set
/// beside the combined result.
fn mark_references(
    reference_files: &[crate::source::FileId],
    plan: &mut Plan,
    scores: &Scores,
    sources: &SourceMap,
    report: &mut Report,
) {
    for &file in reference_files {
        let mut found: Vec<u32> = Vec::new();
        let evaluators = scores
            .ratings()
            .iter()
            .filter(|r| r.file == file)
            .map(|r| r.evaluator)
            .chain(
                scores
                    .reference_views
                    .iter()
                    .filter(|v| v.file == file)
                    .map(|v| v.evaluator),
            );
        for e in evaluators {
            if !found.contains(&e) {
                found.push(e);
            }
        }
        for e in found {
            let id = scores.evaluator_name(e).to_string();
            if let Some(r) = scores
                .ratings()
                .iter()
                .find(|r| r.evaluator == e && !reference_files.contains(&r.file))
            {
                report.push(
                    Diagnostic::error(
                        "reference-also-combined",
                        format!(
                            "evaluator `{id}` of the reference file {} also rated in {}",
                            sources.display(file),
                            sources.display(r.file)
                        ),
                    )
                    .at(Location::line(sources.display(r.file), r.line as usize, None))
                    .help("give the official ratings their own evaluator id, such as `irm`, in the reference file"),
                );
                continue;
            }
            let span = crate::source::Span { file, range: 0..0 };
            if plan.evaluator(&id).is_none() {
                plan.evaluators.push(crate::model::Evaluator {
                    id: id.clone(),
                    name: None,
                    organisation: None,
                    role: crate::model::Role::Irm,
                    span: span.clone(),
                });
            }
            if !plan.is_reference(&id) {
                plan.settings.reference.push((id, span));
            }
        }
    }
}

/// The ratings are looked at on two threads when there are at least this many (and they come
/// in commitment order): below it, a thread costs more than it saves.
pub(crate) const TWO_THREADS_MIN: usize = 64 * 1024;

/// What one pass over the ratings finds for [`check_duplicates`] and [`check_coverage`].
#[derive(Debug, Default)]
struct Seen {
    /// Each rating that repeats an earlier one, with that earlier one (indices into the
    /// ratings), in the order they are reported: by commitment, then as the commitment's
    /// ratings come.
    duplicates: Vec<(usize, usize)>,
    /// Whether evaluator `e` rated commitment `c`: `rated[c * evaluators + e]` (so that each
    /// half of the commitments marks its own part of it, with no second copy).
    rated: Vec<bool>,
}

/// Finds the repeated ratings and who rated what, in one pass over the ratings. When they come
/// in commitment order (as files usually list them) each commitment's ratings are a run, found
/// without an index per rating, and a large assessment is split in two at a commitment, each
/// half looked at on its own thread; the results are those of one pass in order.
fn scan_ratings(inputs: &Inputs) -> Seen {
    let ratings = inputs.scores.ratings();
    let n_comm = inputs.plan.commitments.len();
    let n_eval = inputs.scores.evaluators.len();
    let mut seen = match inputs.scores.runs(n_comm) {
        Some(runs) => {
            let mut rated = vec![false; n_eval * n_comm];
            let part = |cis: std::ops::Range<usize>, rated: &mut [bool]| {
                scan_part(inputs, cis, |ci| runs[ci]..runs[ci + 1], Some(rated))
            };
            let duplicates = if ratings.len() >= TWO_THREADS_MIN {
                // Half the ratings before the commitment where the second half starts.
                let mid = runs
                    .partition_point(|&at| at < ratings.len() / 2)
                    .min(n_comm);
                let (mine, theirs) = rated.split_at_mut(mid * n_eval);
                let (mut first, second) =
                    crate::par::join(|| part(0..mid, mine), || part(mid..n_comm, theirs));
                first.extend(second);
                first
            } else {
                part(0..n_comm, &mut rated)
            };
            Seen { duplicates, rated }
        }
        None => {
            let grouped = inputs.scores.by_commitment(n_comm);
            let duplicates = scan_part(
                inputs,
                0..n_comm,
                |ci| grouped.of(ci).iter().map(|&i| i as usize),
                None,
            );
            let mut rated = vec![false; n_eval * n_comm];
            for r in ratings {
                mark(
                    &mut rated,
                    n_eval,
                    r.evaluator,
                    r.unit().commitment as usize,
                );
            }
            Seen { duplicates, rated }
        }
    };
    for v in &inputs.scores.reference_views {
        mark(&mut seen.rated, n_eval, v.evaluator, v.commitment as usize);
    }
    seen
}

/// Notes that evaluator `e` rated commitment `c`, in `rated` as [`Seen::rated`] holds it (or
/// in the part of it that starts at a later commitment, `c` then counted from there).
#[inline]
fn mark(rated: &mut [bool], evaluators: usize, e: u32, c: usize) {
    if (e as usize) < evaluators
        && let Some(slot) = c
            .checked_mul(evaluators)
            .and_then(|at| rated.get_mut(at + e as usize))
    {
        *slot = true;
    }
}

/// One evaluator rating the same criterion of the same unit twice is an error naming both
/// lines: each commitment's ratings go into a dense table indexed by (milestone, criterion,
/// evaluator), so millions of ratings are checked in one pass without sorting.
///
/// The repeated ratings among those of the commitments `cis`, whose ratings `group` gives (as
/// indices), as [`Seen::duplicates`] lists them; who rated what is marked in `rated` when it
/// is given (the part of [`Seen::rated`] from the first of `cis` on).
fn scan_part<I: Iterator<Item = usize>>(
    inputs: &Inputs,
    cis: std::ops::Range<usize>,
    group: impl Fn(usize) -> I,
    mut rated: Option<&mut [bool]>,
) -> Vec<(usize, usize)> {
    let ratings = inputs.scores.ratings();
    let (n_crit, n_eval) = (
        inputs.rubric.criteria.len(),
        inputs.scores.evaluators.len().max(1),
    );
    let evaluators = inputs.scores.evaluators.len();
    let first_commitment = cis.start;
    let mut duplicates = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    for ci in cis {
        let c = &inputs.plan.commitments[ci];
        let size = (c.milestones.len() + 1) * n_crit * n_eval;
        seen.clear();
        seen.resize(size, u32::MAX);
        // Within a run every rating is of commitment `ci`: who rated it is marked in its row of
        // the table (as `mark` would, found once per commitment instead of once per rating).
        let mut row = rated.as_deref_mut().and_then(|rated| {
            let at = (ci - first_commitment).checked_mul(evaluators)?;
            rated.get_mut(at..at.checked_add(evaluators)?)
        });
        for i in group(ci) {
            let r = &ratings[i];
            if let Some(row) = row.as_deref_mut()
                && let Some(slot) = row.get_mut(r.evaluator as usize)
            {
                *slot = true;
            }
            // The milestone's index plus 1, or 0 for the commitment itself.
            let slot = r.milestone_order() as usize;
            let key = (slot * n_crit + usize::from(r.criterion)) * n_eval + r.evaluator as usize;
            let Some(first) = seen.get_mut(key) else {
                continue;
            };
            if *first == u32::MAX {
                *first = u32::try_from(i).unwrap_or(u32::MAX);
            } else {
                duplicates.push((*first as usize, i));
            }
        }
    }
    duplicates
}

/// Errors: a rating given twice (same evaluator, unit and criterion), at the second's line.
fn check_duplicates(inputs: &Inputs, seen: &Seen, report: &mut Report) {
    let ratings = inputs.scores.ratings();
    for &(first, again) in &seen.duplicates {
        report_duplicate(inputs, &ratings[first], &ratings[again], report);
    }
}

fn report_duplicate(inputs: &Inputs, a: &Rating, b: &Rating, report: &mut Report) {
    let c = &inputs.plan.commitments[a.unit().commitment as usize];
    let what = match a.unit().milestone {
        Some(m) => format!("milestone `{}`", c.milestones[m as usize].id),
        None => format!("commitment `{}`", c.id),
    };
    let crit = &inputs.rubric.criteria[usize::from(a.criterion)].id;
    let evaluator = inputs.scores.evaluator_name(a.evaluator);
    report.push(
        Diagnostic::error(
            "duplicate-rating",
            format!("evaluator `{evaluator}` rated `{crit}` of {what} twice"),
        )
        .at(Location::line(
            inputs.sources.display(b.file),
            b.line as usize,
            None,
        ))
        .related(
            Location::line(inputs.sources.display(a.file), a.line as usize, None),
            "also rated at",
        )
        .help("keep one of the two rows and delete the other"),
    );
}

/// Warnings: commitments nobody rated, evaluators who skipped commitments or rated nothing.
fn check_coverage(inputs: &Inputs, seen: &Seen, report: &mut Report) {
    let plan = &inputs.plan;
    let n_eval = inputs.scores.evaluators.len();
    let n_comm = plan.commitments.len();
    let rated = &seen.rated;
    // Found once, not by a search of the plan per evaluator: a file may name 100,000 of them.
    let declared: std::collections::HashMap<&str, &crate::model::Evaluator> = plan
        .evaluators
        .iter()
        .rev()
        .map(|ev| (ev.id.as_str(), ev))
        .collect();
    let is_consensus = |name: &str| {
        declared
            .get(name)
            .is_some_and(|ev| ev.role == crate::model::Role::Consensus)
    };
    let is_reference: Vec<bool> = (0..n_eval)
        .map(|e| {
            let name = inputs
                .scores
                .evaluator_name(u32::try_from(e).unwrap_or(u32::MAX));
            plan.is_reference(name) || is_consensus(name)
        })
        .collect();
    for (ci, c) in plan.commitments.iter().enumerate() {
        if !(0..n_eval).any(|e| !is_reference[e] && rated[ci * n_eval + e]) {
            report.push(
                Diagnostic::warning(
                    "unrated-commitment",
                    format!("nobody rated commitment `{}` ({})", c.id, c.title),
                )
                .at(Location::span(&inputs.sources, &c.span))
                .help("it will show as \"No evidence\"; add ratings for it to a score file"),
            );
        }
    }
    for e in 0..n_eval {
        let name = inputs
            .scores
            .evaluator_name(u32::try_from(e).unwrap_or(u32::MAX));
        let skipped: Vec<&str> = plan
            .commitments
            .iter()
            .enumerate()
            .filter(|(ci, _)| !rated[ci * n_eval + e])
            .map(|(_, c)| c.id.as_str())
            .collect();
        let loc = declared
            .get(name)
            .map(|ev| Location::span(&inputs.sources, &ev.span));
        // The coalition's agreed ratings cover only the units it discussed.
        if is_consensus(name) && !skipped.is_empty() && skipped.len() < n_comm {
            continue;
        }
        if skipped.len() == n_comm && n_comm > 0 {
            let mut d = Diagnostic::warning(
                "idle-evaluator",
                format!("evaluator `{name}` rated nothing"),
            )
            .help("add their score file, or remove them from [[evaluator]]");
            if let Some(loc) = loc {
                d = d.at(loc);
            }
            report.push(d);
        } else if !skipped.is_empty() {
            let mut d = Diagnostic::warning(
                "skipped-commitments",
                format!(
                    "evaluator `{name}` did not rate {} of {}: {}",
                    plural(skipped.len(), "commitment"),
                    n_comm,
                    suggest::one_of(&skipped, 10).replace(" or ", " and ")
                ),
            )
            .help("fine if deliberate; otherwise add their ratings");
            if let Some(loc) = loc {
                d = d.at(loc);
            }
            report.push(d);
        }
    }
    if plan.evaluators.is_empty() {
        for (r, span) in &plan.settings.reference {
            if inputs.scores.evaluator_index(r).is_none() {
                report.push(
                    Diagnostic::warning(
                        "unknown-evaluator",
                        format!("reference evaluator `{r}` has no ratings in the score files"),
                    )
                    .at(Location::span(&inputs.sources, span))
                    .maybe_help(suggest::did_you_mean(
                        r,
                        inputs.scores.evaluators.iter().map(String::as_str),
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of `n` commitments (every third with a milestone) with `extra(i)` appended to
    /// commitment `i`, its lines ended by `nl`.
    fn plan_text(n: usize, nl: &str, extra: impl Fn(usize) -> String) -> String {
        let mut text = String::from(
            "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n\n[assessment]\nas_of = 2024-06-30\n\n[[evaluator]]\nid = \"a\"\n\n",
        );
        for i in 0..n {
            text.push_str(&format!(
                "[[commitment]]\nid = \"c{i}\"\ntitle = \"Commitment {i}\"\nlead = \"Agency {}\"\nend = 2024-12-31\n",
                i % 7
            ));
            if i % 3 == 0 {
                text.push_str(&format!(
                    "\n[[commitment.milestone]]\nid = \"m{i}\"\ntitle = \"Milestone of {i}\"\ndue = 2024-06-30\n"
                ));
            }
            text.push_str(&extra(i));
            text.push('\n');
        }
        text.replace('\n', nl)
    }

    /// Where the `[[commitment]]` header of commitment `c{i}` starts.
    fn header_of(text: &str, i: usize) -> usize {
        let id = format!("[[commitment]]\nid = \"c{i}\"\n");
        text.find(&id)
            .or_else(|| text.find(&id.replace('\n', "\r\n")))
            .expect("the commitment is in the text")
    }

    /// The plan read from `text` (written out with `{:#?}`) and the report (as text and as
    /// JSON), with the text parsed whole (`at` = `None`) or in two halves cut at `at`.
    fn read_text(text: &str, at: Option<usize>) -> (String, String, String) {
        let mut sources = SourceMap::default();
        let mut report = Report::new();
        let file = sources.add(SourceFile::new(
            Path::new("plan.toml"),
            Some(text.to_string()),
        ));
        let plan = read_plan_at(file, &sources, &mut report, at);
        (
            format!("{plan:#?}"),
            report.render(),
            report.as_json().to_string(),
        )
    }

    /// Whether the two halves of `text` cut at `at` are used (rather than a parse of the whole).
    fn halves_used(text: &str, at: usize) -> bool {
        toml_doc::try_halves(text, at, "commitment").is_some()
    }

    /// Reads `text` whole and in halves cut at `at`, requires the same plan and the same
    /// messages, and says whether the halves were used.
    #[track_caller]
    fn same_both_ways(text: &str, at: usize) -> (bool, String) {
        let whole = read_text(text, None);
        let halves = read_text(text, Some(at));
        pretty_assertions::assert_eq!(whole.0, halves.0, "the plan");
        pretty_assertions::assert_eq!(whole.1, halves.1, "the messages");
        pretty_assertions::assert_eq!(whole.2, halves.2, "the messages as JSON");
        (halves_used(text, at), whole.1)
    }

    #[test]
    fn a_large_plan_is_cut_near_its_middle_and_read_the_same() {
        let text = plan_text(4000, "\n", |_| String::new());
        assert!(text.len() >= toml_doc::HALVES_MIN);
        let at = toml_doc::halves(&text, "commitment").expect("a place to cut");
        assert!(at >= text.len() / 2 && at < text.len() / 2 + 200, "{at}");
        assert!(text[at..].starts_with("[[commitment]]\n"));
        let (used, messages) = same_both_ways(&text, at);
        assert!(used);
        assert_eq!(messages, "");
        // A small plan is parsed in one go.
        let small = plan_text(10, "\n", |_| String::new());
        assert_eq!(toml_doc::halves(&small, "commitment"), None);
    }

    #[test]
    fn crlf_line_endings_and_a_milestone_right_after_the_cut() {
        let text = plan_text(4000, "\r\n", |_| String::new());
        let at = toml_doc::halves(&text, "commitment").expect("a place to cut");
        assert!(text[at..].starts_with("[[commitment]]\r\n"));
        assert!(same_both_ways(&text, at).0);
        // Commitment 2001 has a milestone right after its header's keys; 2002 is cut before.
        let text = plan_text(3000, "\r\n", |_| String::new());
        for i in [2001, 2002, 2997] {
            assert!(same_both_ways(&text, header_of(&text, i)).0);
        }
    }

    #[test]
    fn a_byte_order_mark_is_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.toml");
        let text = plan_text(4000, "\r\n", |_| String::new());
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(text.as_bytes());
        std::fs::write(&path, bytes).unwrap();
        let read = |halves: bool| {
            let mut sources = SourceMap::default();
            let mut report = Report::new();
            let file = read_toml_source(&path, "plan", &mut sources, &mut report).unwrap();
            let text = sources.get(file).unwrap().text.clone().unwrap();
            let at = toml_doc::halves(&text, "commitment").filter(|_| halves);
            assert_eq!(at.is_some(), halves);
            assert!(at.is_none_or(|at| halves_used(&text, at)));
            let plan = read_plan_at(file, &sources, &mut report, at);
            (format!("{plan:#?}"), report.render())
        };
        assert_eq!(read(false), read(true));
        // load_plan cuts it too, and gives the same plan.
        let mut sources = SourceMap::default();
        let mut report = Report::new();
        let plan = load_plan(&path, &mut sources, &mut report);
        assert_eq!(format!("{plan:#?}"), read(false).0);
    }

    #[test]
    fn duplicate_ids_across_the_halves_point_at_both() {
        let text = plan_text(3000, "\n", |i| {
            if i == 2500 {
                "\n[[commitment]]\nid = \"c10\"\ntitle = \"Again\"\n\n[[commitment.milestone]]\nid = \"m3\"\ntitle = \"Again\"\n".into()
            } else {
                String::new()
            }
        });
        let (used, messages) = same_both_ways(&text, header_of(&text, 1500));
        assert!(used);
        assert!(
            messages.contains("commitment id `c10` is used twice"),
            "{messages}"
        );
        assert!(
            messages.contains("milestone id `m3` is used twice"),
            "{messages}"
        );
    }

    #[test]
    fn what_the_second_thread_reads_is_what_one_reader_reads() {
        // The second half's commitments are read on the second thread; anything it would
        // report, or any id it shares with the first half, and they are read again here.
        let extra = |i: usize| match i {
            // A warning only: a date in quotes.
            2100 => "start = \"2024-01-01\"\n".to_string(),
            // A milestone id used twice within the second half.
            2200 | 2201 => "\n[[commitment.milestone]]\nid = \"twice\"\ntitle = \"T\"\n".into(),
            // A commitment with no title.
            2300 => "\n[[commitment]]\nid = \"untitled\"\n".into(),
            _ => String::new(),
        };
        for (k, chosen) in [2100, 2200, 2300].into_iter().enumerate() {
            let text = plan_text(3000, "\n", |i| {
                if i == chosen || (k == 1 && i == 2201) {
                    extra(i)
                } else {
                    String::new()
                }
            });
            let (used, messages) = same_both_ways(&text, header_of(&text, 1500));
            assert!(used);
            assert!(!messages.is_empty(), "{chosen}");
        }
        // A milestone of the second half with the id of one in the first.
        let text = plan_text(3000, "\n", |i| match i {
            10 | 2500 => "\n[[commitment.milestone]]\nid = \"m-same\"\ntitle = \"T\"\n".into(),
            _ => String::new(),
        });
        let (used, messages) = same_both_ways(&text, header_of(&text, 1500));
        assert!(used);
        assert!(
            messages.contains("milestone id `m-same` is used twice"),
            "{messages}"
        );
        // Ids of the first half used as the other kind in the second are not a clash.
        let text = plan_text(3000, "\n", |i| match i {
            10 => "\n[[commitment.milestone]]\nid = \"c2600x\"\ntitle = \"T\"\n".into(),
            2500 => "\n[[commitment]]\nid = \"c2600x\"\ntitle = \"T\"\n".into(),
            _ => String::new(),
        });
        let (used, messages) = same_both_ways(&text, header_of(&text, 1500));
        assert!(used);
        assert_eq!(messages, "");
    }

    #[test]
    fn schema_errors_in_the_second_half_keep_their_line_and_column() {
        let text = plan_text(3000, "\n", |i| match i {
            2000 => "tittle = \"typo\"\n".into(),
            2101 => "values = [\"nonsense\"]\n".into(),
            2201 => "start = 2025-01-01\n".into(),
            _ => String::new(),
        });
        let (used, messages) = same_both_ways(&text, header_of(&text, 1500));
        assert!(used);
        let line = text[..text.find("tittle").unwrap()].lines().count() + 1;
        assert!(
            messages.contains(&format!("plan.toml:{line}:1")),
            "{line}: {messages}"
        );
        assert!(messages.contains("\"nonsense\" is not an OGP value"));
        assert!(messages.contains("ends before it starts"));
    }

    #[test]
    fn syntax_errors_in_the_second_half_are_those_of_one_parse() {
        for bad in [
            "title = \"unclosed\n",
            "end = 31/12/2024\n",
            "= 3\n",
            "[plan\n",
        ] {
            let text = plan_text(3000, "\n", |i| {
                if i == 2400 { bad.into() } else { String::new() }
            });
            let at = header_of(&text, 1500);
            let (used, messages) = same_both_ways(&text, at);
            assert!(!used, "{bad}");
            let line = text[..text.find(bad).unwrap()].lines().count() + 1;
            assert!(
                messages.contains(&format!("plan.toml:{line}:")),
                "{bad}: {messages}"
            );
        }
    }

    #[test]
    fn a_header_line_inside_a_multi_line_value_is_not_a_cut() {
        for (open, close) in [("\"\"\"", "\"\"\""), ("'''", "'''"), ("[", "]"), ("{", "}")] {
            let text = plan_text(3000, "\n", |i| {
                if i == 1499 {
                    // The value runs over the next commitment's header line (as text, or as
                    // broken TOML in an array or inline table).
                    format!("description = {open}\n")
                } else if i == 1500 {
                    format!("{close}\n")
                } else {
                    String::new()
                }
            });
            let at = header_of(&text, 1500);
            let (used, _) = same_both_ways(&text, at);
            assert!(!used, "{open}");
            // The cut found from the middle is also read the same.
            if let Some(at) = toml_doc::halves(&text, "commitment") {
                same_both_ways(&text, at);
            }
        }
    }

    #[test]
    fn other_tables_after_the_cut_mean_one_parse() {
        for late in [
            "[plan]\norganisation = \"Late\"\n",
            "[comment]\norganisation = \"Late\"\n",
            "[[evaluator]]\nid = \"b\"\n",
            "[plan.extra]\nx = 1\n",
            "[commitment]\nid = \"x\"\n",
        ] {
            let text = plan_text(3000, "\n", |i| {
                if i == 2000 {
                    format!("\n{late}")
                } else {
                    String::new()
                }
            });
            let (used, _) = same_both_ways(&text, header_of(&text, 1500));
            assert!(!used, "{late}");
        }
    }

    #[test]
    fn commitments_written_as_an_array_are_not_joined() {
        // `commitment = [...]` cannot be extended by `[[commitment]]` headers: one parse says so.
        let mut text = String::from("[plan]\ncountry = \"X\"\ntitle = \"Y\"\n");
        text = text.replace(
            "[plan]",
            "commitment = [{ id = \"c0\", title = \"Zero\" }]\n\n[plan]",
        );
        text.push_str(
            &plan_text(3000, "\n", |_| String::new())
                .replace("[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n", ""),
        );
        let at = header_of(&text, 1500);
        let (used, messages) = same_both_ways(&text, at);
        assert!(!used);
        assert!(messages.contains("not valid TOML"), "{messages}");
    }

    #[test]
    fn the_quick_count_of_units_is_that_of_every_line() {
        fn by_lines(text: &str) -> Option<usize> {
            let mut units = 0usize;
            for (i, line) in text.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("[[") && line[2..].trim_start().starts_with("commitment") {
                    units += 1;
                    if units > MAX_UNITS {
                        return Some(i + 1);
                    }
                }
            }
            None
        }
        let pieces = [
            "[[commitment]]\n",
            "  [[ commitment.milestone]]\r\n",
            "\t[[\tcommitment\n",
            "x = \"[[commitment]]\"\n",
            "[[[commitment]]\n",
            "[[\ncommitment\n",
            "[[\r\ncommitment]]\r\n",
            "\u{3000}[[\u{a0}commitments\n",
            "\r[[commitment\n",
            "# [[commitment]]\n",
            "[[commitment]][[commitment]]\n",
            "[[",
        ];
        for (k, piece) in pieces.iter().enumerate() {
            let mut text = String::new();
            for i in 0..MAX_UNITS + 3 {
                text.push_str(pieces[(i + k) % pieces.len()]);
                text.push_str(piece);
            }
            assert_eq!(too_many_units(&text), by_lines(&text), "{piece:?}");
            let short: String = pieces.concat();
            assert_eq!(too_many_units(&short), by_lines(&short));
        }
    }
}
