//! The template engine: MiniJinja, set up for documents people publish.
//!
//! - **Sandboxed.** A template can include or import only files of its own folder (no `..`,
//!   no absolute paths, no links leading out of the folder) and the built-in templates; it
//!   cannot read any other file, run anything or reach the network.
//! - **Strict.** An unknown variable or field is an error, not an empty string, and so is
//!   printing a missing value (`none`): a typo never turns into a silent gap in a comment.
//! - **Bounded.** Fuel (a budget of work per render) and a recursion limit stop a template that
//!   would run away; the text a render prints is capped ([`Engine::new`]'s `max_output`); and,
//!   where the system says how much memory the program uses (Linux), a render that takes more
//!   than [`MAX_RENDER_MEMORY`] beyond what the program used before it is stopped with a clear
//!   message, so that a template doubling a string in a loop cannot eat the computer's memory;
//!   and a render that keeps the processor busy far longer than any draft needs
//!   ([`Engine::time_limit`]) is stopped the same way, so that a template growing a list in a
//!   loop (each step copying it whole) cannot run for hours.
//! - **Located errors.** A syntax or render error becomes a [`Diagnostic`] naming the template
//!   file, line and column, quoting the line, and saying what is wrong.

use std::cell::Cell;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::builtin;
use crate::diag::{Diagnostic, Location, Snippet};
use crate::source::{SourceFile, display_path};

/// The largest template file read.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// How deep templates may nest (includes, macros, loops).
pub const RECURSION_LIMIT: usize = 200;

/// The memory a render may take beyond what the program used before it.
pub const MAX_RENDER_MEMORY: u64 = 1024 * 1024 * 1024;

/// The most threads [`Engine::render_each`] renders on (fewer where there are fewer cores).
const MAX_RENDER_THREADS: usize = 4;

thread_local! {
    /// Bytes printed by the render under way on this thread (`draft --split` renders on
    /// several threads at once, each counted on its own).
    static PRINTED: Cell<usize> = const { Cell::new(0) };
}

/// The macro a [`Shared`] state calls for each render: the template after its imports.
const EACH_MACRO: &str = "__checkmyogp_each";

/// How many renders one [`Shared`] state serves before it is made again (the memory a state
/// holds, such as the closures of macros a template defines inside others, is freed then).
const RENDERS_PER_STATE: usize = 256;

/// Fuel a render through a [`Shared`] state must leave unused, below the fuel a render of its
/// own has, for its text to be taken without rendering it on its own: the few instructions
/// by which the two ways differ, with a wide margin.
const FUEL_MARGIN: u64 = 10_000;

/// The processor time a render may take at least, whatever the plan's size (see
/// [`Engine::time_limit`]).
const MIN_RENDER_TIME: std::time::Duration = std::time::Duration::from_secs(30);

/// The fuel that buys a render one more millisecond of processor time beyond
/// [`MIN_RENDER_TIME`]: the fuel grows by 50,000 per commitment and milestone
/// (`draft::fuel_for`), so the time allowed grows by about 1 ms for each.
const FUEL_PER_MILLISECOND: u64 = 50_000;

/// The processor time the program has used (user and system, all threads), where the system
/// says so (Linux: /proc/self/stat, in its 1/100 s ticks); elsewhere `None`, and the time
/// elapsed is counted instead.
fn processor_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the program's name (which is in parentheses, and may hold spaces):
    // state, parent, …, user time (the 14th field of the line), system time (the 15th).
    let mut after_name = text.get(text.rfind(')')? + 1..)?.split_whitespace();
    let user: u64 = after_name.nth(11)?.parse().ok()?;
    let system: u64 = after_name.next()?.parse().ok()?;
    Some(std::time::Duration::from_millis(
        user.saturating_add(system).saturating_mul(10),
    ))
}

/// The memory the program uses now, where the system says so (Linux: /proc/self/statm).
fn resident_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages.saturating_mul(4096))
}

/// What a render that ended with a panic of the template's thread returns.
fn stopped() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        "the template stopped unexpectedly",
    )
}

/// Which template to render, and where its includes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateChoice {
    /// The folder of the template files (none: built-in templates only). Includes are looked
    /// up here first, then among the built-in templates.
    pub folder: Option<PathBuf>,
    /// The name of the template to render, within the folder or among the built-ins.
    pub name: String,
}

/// A template the engine has read, kept to quote it in error messages.
#[derive(Debug, Clone)]
struct Loaded {
    name: String,
    display: String,
    text: String,
}

type Registry = Arc<Mutex<Vec<Loaded>>>;

/// A configured engine for one template choice.
#[derive(Debug)]
pub struct Engine {
    env: Environment<'static>,
    loaded: Registry,
    choice: TemplateChoice,
    /// The fuel of one render.
    fuel: u64,
}

/// Checks an include name and turns it into a path inside `folder`. Only plain relative
/// names are accepted: `common.md.j2`, `parts/intro.md.j2`.
fn path_in(folder: &Path, name: &str) -> Result<PathBuf, Error> {
    let refuse = || {
        Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "templates may only include files of their own folder, by a plain relative name; \"{name}\" is not one"
            ),
        )
    };
    if name.is_empty() || name.contains('\\') || name.contains(':') || name.contains('\0') {
        return Err(refuse());
    }
    let rel = Path::new(name);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(refuse());
    }
    Ok(folder.join(rel))
}

fn read_template(folder: &Path, path: &Path) -> Result<Option<String>, Error> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if let Some(kind) = crate::source::not_a_file(&meta) {
        // Never opened (opening a pipe waits for a writer for ever), nor passed over for the
        // built-in template of the same name without a word.
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} is {kind}, not a file; templates are regular text files",
                display_path(path)
            ),
        ));
    }
    // A link inside the folder must not lead out of it.
    let inside = match (std::fs::canonicalize(folder), std::fs::canonicalize(path)) {
        (Ok(f), Ok(p)) => p.starts_with(f),
        _ => false,
    };
    if !inside {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} leads out of the template folder; templates may only include files of their own folder",
                display_path(path)
            ),
        ));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} is larger than {} KB; is it really a template?",
                display_path(path),
                MAX_TEMPLATE_BYTES / 1024
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot read {}: {e}", display_path(path)),
        )
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok(Some(text)),
        Err(_) => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} is not UTF-8 text; save it as UTF-8 in your editor",
                display_path(path)
            ),
        )),
    }
}

/// Finds a template by name: in the folder, else among the built-ins. Records what it read.
fn load(folder: Option<&Path>, loaded: &Registry, name: &str) -> Result<Option<String>, Error> {
    let found = match folder {
        Some(folder) => {
            let path = path_in(folder, name)?;
            read_template(folder, &path)?.map(|text| (display_path(&path), text))
        }
        None => None,
    };
    let found = found.or_else(|| {
        builtin::find(name).map(|b| {
            (
                format!("<built-in template {}>", b.name),
                b.text.to_string(),
            )
        })
    });
    let Some((display, text)) = found else {
        return Ok(None);
    };
    check_import_names(&text)?;
    let mut list = loaded.lock().unwrap_or_else(PoisonError::into_inner);
    list.push(Loaded {
        name: name.to_string(),
        display,
        text: text.clone(),
    });
    Ok(Some(text))
}

/// Refuses `{% import … as NAME %}` whose NAME is not a plain name. MiniJinja 3.1 parses that
/// name as any expression and then panics compiling one that is not a name (`as c-mmon`, found
/// by fuzzing), so the template is refused here first, with the line and the fix.
fn check_import_names(text: &str) -> Result<(), Error> {
    let is_name = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find("{%") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("%}") else {
            break;
        };
        let tag = after[..close].trim_matches(|c: char| c == '-' || c == '+' || c == '~');
        let tag = tag.trim();
        if let Some(import) = tag.strip_prefix("import")
            && import.starts_with(char::is_whitespace)
        {
            // The name follows the last ` as ` (a quoted template name cannot hold one that
            // minijinja would take as the keyword, as the keyword needs space after it).
            let bytes = import.as_bytes();
            let found = (0..import.len().saturating_sub(2)).rev().find(|&i| {
                import.is_char_boundary(i)
                    && import[i..].starts_with("as")
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_whitespace)
                    && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
            });
            if let Some(i) = found {
                let name = import[i + 2..].trim();
                let name = ["without context", "with context"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .map_or(name, str::trim_end);
                if !is_name(name) {
                    let line = text[..offset + open].matches('\n').count() + 1;
                    return Err(Error::new(
                        ErrorKind::SyntaxError,
                        format!(
                            "line {line}: `{{% import … as {name} %}}`: the name after `as` must be a \
                             plain name (letters, digits and _), for example `as common`"
                        ),
                    ));
                }
            }
        }
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(())
}

impl Engine {
    /// An engine for `choice`, with a budget of `fuel` per render (see
    /// [`Environment::set_fuel`]).
    ///
    /// `max_output` caps the text one render prints (in bytes); `wording` is the draft's
    /// language.
    pub fn new(
        choice: &TemplateChoice,
        fuel: u64,
        max_output: usize,
        wording: Arc<crate::wording::Wording>,
    ) -> Engine {
        let mut env = Environment::new();
        env.set_debug(true);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(fuel));
        env.set_recursion_limit(RECURSION_LIMIT);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_formatter(move |out, state, value| {
            if value.is_none() {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "this value is missing (none) and cannot be printed; test it first ({% if … %}) or give a default (… or \"text\")",
                ));
            }
            let len = value.as_str().map_or(0, str::len);
            let printed = PRINTED.with(|p| {
                let now = p.get().saturating_add(len);
                p.set(now);
                now
            });
            if printed > max_output {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "the draft would be longer than {} MB, far more than any comment needs; look for a loop in the template that repeats text without end, or for texts of megabytes in the plan or the score files (comments, evidence) that the draft quotes",
                        max_output / (1024 * 1024)
                    ),
                ));
            }
            // Text is written as it is (what the default formatter does without escaping,
            // through `Display`, at several times the cost: it prints every value).
            match value.as_str() {
                Some(text) if matches!(state.auto_escape(), AutoEscape::None) => {
                    out.write_str(text).map_err(Error::from)
                }
                _ => minijinja::escape_formatter(out, state, value),
            }
        });
        super::filters::register(&mut env, wording);
        let loaded: Registry = Arc::default();
        let folder = choice.folder.clone();
        let registry = Arc::clone(&loaded);
        env.set_loader(move |name| load(folder.as_deref(), &registry, name));
        Engine {
            env,
            loaded,
            choice: choice.clone(),
            fuel,
        }
    }

    /// Renders the chosen template with `context`, on a thread of its own that is watched: a
    /// render taking more than [`MAX_RENDER_MEMORY`] beyond what the program used before it
    /// ends the program with a clear message (exit status 1) before the computer runs out.
    pub fn render(&self, context: Value) -> Result<String, Box<Diagnostic>> {
        self.watched(|| self.render_one(context))
    }

    /// Renders the chosen template once for each of `count` contexts, on up to
    /// [`MAX_RENDER_THREADS`] watched threads, as many as there are cores (see
    /// [`Self::render`]; the memory allowed is counted from before the first), handing each
    /// text with its index to `then` as soon as it is rendered (so not always in order).
    /// `draft --split` renders once per commitment, and writes each file while the next are
    /// rendered.
    ///
    /// The contexts differ in one list only: render `i` sees `context(list)` where `list`
    /// holds `items(i)`. A template that imports its macros and then only prints
    /// expressions (the built-in ones: `{% import "common.md.j2" as common %}` then
    /// `{{ common.document() }}`) is run through one state per thread, whose imports are
    /// evaluated once and whose list's items change from one render to the next, instead of
    /// evaluating the imports and building their macros again for each render ([`Shared`]:
    /// the same text, and any render that fails there is rendered again on its own).
    ///
    /// The error returned is the first in order, whatever the threads: indices are handed out
    /// in order, so when the render of `i` fails every earlier one has begun, and none after
    /// `i` is begun once that is known (a text after it may still reach `then`).
    pub fn render_each(
        &self,
        count: usize,
        context: impl Fn(Value) -> Value + Sync,
        items: impl Fn(usize) -> Vec<Value> + Sync,
        then: impl Fn(usize, String) + Sync,
    ) -> Result<(), Box<Diagnostic>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_RENDER_THREADS)
            .min(count.max(1));
        let next = AtomicUsize::new(0);
        let failed = crate::par::FirstError::default();
        let driver = self.driver();
        self.watched_by(threads, || {
            let mut shared: Option<Shared<'_>> = None;
            let mut sharing = driver.is_some();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || failed.index().is_some_and(|j| j < i) {
                    return;
                }
                let mut text = None;
                if let Some(driver) = driver.as_deref().filter(|_| sharing) {
                    if shared.as_ref().is_none_or(|s| s.worn(self.fuel)) {
                        shared = Shared::new(self, driver, &context);
                        sharing = shared.is_some();
                    }
                    if let Some(state) = &mut shared {
                        text = state.render(items(i), self.fuel);
                        if text.is_none() {
                            shared = None;
                        }
                    }
                }
                let text = match text {
                    Some(text) => Ok(text),
                    None => self.render_one(context(Value::from(items(i)))),
                };
                match text {
                    Ok(text) => then(i, text),
                    Err(e) => failed.keep(i, e),
                }
            }
        })
        .map_err(|e| self.diagnose(&e))?;
        match failed.into_inner() {
            Some(e) => Err(self.diagnose(&e)),
            None => Ok(()),
        }
    }

    /// The chosen template rewritten for a [`Shared`] state, when it is one of imports then
    /// expressions only ([`driver_of`]), compiles as it is, and each file it imports defines
    /// macros only ([`macros_only`]).
    fn driver(&self) -> Option<String> {
        let text_of = |name: &str| {
            self.env.get_template(name).ok()?;
            let list = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
            Some(list.iter().find(|l| l.name == name)?.text.clone())
        };
        let (driver, imported) = driver_of(&text_of(&self.choice.name)?)?;
        for name in imported {
            if !macros_only(&text_of(&name)?) {
                return None;
            }
        }
        Some(driver)
    }

    /// One render, with the count of printed bytes started afresh.
    fn render_one(&self, context: Value) -> Result<String, Error> {
        PRINTED.with(|p| p.set(0));
        self.env
            .get_template(&self.choice.name)
            .and_then(|t| t.render(context))
    }

    /// Runs `work` on a thread of its own that is watched (see [`Self::render`]).
    fn watched<T: Send>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send,
    ) -> Result<T, Box<Diagnostic>> {
        let work = Mutex::new(Some(work));
        let out = Mutex::new(None);
        self.watched_by(1, || {
            let work = work.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(work) = work {
                let done = work();
                *out.lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
            }
        })
        .and_then(|()| {
            out.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or_else(|| Err(stopped()))
        })
        .map_err(|e| self.diagnose(&e))
    }

    /// Runs `work` on `threads` threads of their own (each with a stack deep enough for
    /// templates nested to [`RECURSION_LIMIT`]) while this thread watches the program's memory:
    /// past [`MAX_RENDER_MEMORY`] beyond what it used before, the program ends with a clear
    /// message. Fewer threads run when some cannot be started; an error when none can.
    fn watched_by(&self, threads: usize, work: impl Fn() + Sync) -> Result<(), Error> {
        let limit = resident_bytes().map(|b| b.saturating_add(MAX_RENDER_MEMORY));
        let (time_limit, started, busy_at_start) = (
            self.time_limit(),
            std::time::Instant::now(),
            processor_time(),
        );
        let worked = || match (busy_at_start, processor_time()) {
            (Some(before), Some(now)) => now.saturating_sub(before),
            _ => started.elapsed(),
        };
        std::thread::scope(|scope| {
            let (done, finished) = std::sync::mpsc::channel::<()>();
            let mut workers = Vec::new();
            for _ in 0..threads.max(1) {
                let (work, done) = (&work, done.clone());
                let worker = std::thread::Builder::new()
                    .name("draft-template".into())
                    .stack_size(64 * 1024 * 1024)
                    .spawn_scoped(scope, move || {
                        work();
                        let _ = done.send(());
                    });
                if let Ok(worker) = worker {
                    workers.push(worker);
                }
            }
            drop(done);
            if workers.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "could not start the template's thread",
                ));
            }
            // Wake when the renders end (at once), or every few milliseconds to look at the memory
            // and the processor time taken.
            let mut running = workers.len();
            while running > 0 {
                match finished.recv_timeout(std::time::Duration::from_millis(5)) {
                    Ok(()) => running -= 1,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        if let (Some(limit), Some(now)) = (limit, resident_bytes())
                            && now > limit
                        {
                            self.too_much_memory();
                        }
                        if worked() > time_limit {
                            self.too_much_time();
                        }
                    }
                }
            }
            let mut result = Ok(());
            for worker in workers {
                if worker.join().is_err() {
                    result = Err(stopped());
                }
            }
            result
        })
    }

    /// The processor time the renders of one call to [`Self::render`] or
    /// [`Self::render_each`] may take together (on Linux; the time elapsed elsewhere): 30 s,
    /// and 1 ms more for each commitment, milestone and note of the plan (through the fuel,
    /// which grows with them). A whole `draft --split` of OGP's 5,000 commitments takes under
    /// 2 s of processor time, and a whole `draft --appendix` of the plan limit's 50,000
    /// commitments about 7 s, against at least 35 s and 80 s allowed to their renders (more
    /// with their notes).
    pub fn time_limit(&self) -> std::time::Duration {
        MIN_RENDER_TIME.saturating_add(std::time::Duration::from_millis(
            self.fuel / FUEL_PER_MILLISECOND,
        ))
    }

    /// Ends the program: a template has kept the processor busy far longer than any draft
    /// needs.
    fn too_much_time(&self) -> ! {
        use std::io::Write as _;
        let shown = self.display_of(&self.choice.name);
        let _ = writeln!(
            anstream::stderr(),
            "error[template-too-slow]: the draft template {shown} kept the processor busy for more than {} s, far longer than any draft of this plan needs, and was stopped\n  \
             = help: look for a list or a text grown in a loop over the commitments (`{{% set ns.l = ns.l + [c] %}}` copies the whole list at every step), or a loop inside such a loop\n\
             The template has an error: nothing was written.",
            self.time_limit().as_secs()
        );
        std::process::exit(1)
    }

    /// Ends the program: a template is taking far more memory than any draft needs.
    fn too_much_memory(&self) -> ! {
        use std::io::Write as _;
        let shown = self.display_of(&self.choice.name);
        let _ = writeln!(
            crate::terminal::stderr(),
            "error[template-too-large]: the draft template {shown} took more than {} MB of memory, far more than any comment needs, and was stopped\n  \
             = help: look for a loop that doubles or repeats text (`{{% set s = s ~ s %}}`) without end\n\
             The template has an error: nothing was written.",
            MAX_RENDER_MEMORY / (1024 * 1024)
        );
        std::process::exit(1)
    }

    /// Where a template is shown in messages (its path, or `<built-in template …>`).
    pub fn display_of(&self, name: &str) -> String {
        let list = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter()
            .find(|l| l.name == name)
            .map(|l| l.display.clone())
            .unwrap_or_else(|| match &self.choice.folder {
                Some(f) => display_path(&f.join(name)),
                None => format!("<built-in template {name}>"),
            })
    }

    fn location(&self, err: &Error) -> Option<Location> {
        let name = err.name()?;
        let list = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        let loaded = list.iter().find(|l| l.name == name);
        let display = loaded.map_or_else(|| name.to_string(), |l| l.display.clone());
        let (Some(loaded), Some(range)) = (loaded, err.range()) else {
            return Some(match err.line() {
                Some(line) => Location::line(display, line, None),
                None => Location::file(display),
            });
        };
        let file = SourceFile::new(Path::new(&display), Some(loaded.text.clone()));
        let (line, column) = file.line_col(range.start);
        let snippet = file.line_text(line).map(|text| {
            let (end_line, end_col) = file.line_col(range.end);
            let width = if end_line == line {
                end_col.saturating_sub(column)
            } else {
                text.chars().count().saturating_sub(column - 1)
            };
            window(text, column - 1, width.max(1))
        });
        Some(Location {
            file: display,
            line: Some(line),
            column: Some(column),
            place: None,
            snippet,
        })
    }

    /// Turns an engine error into a located diagnostic: the innermost error (inside an
    /// included template, say) is the one shown, and the includes that led there are listed.
    pub fn diagnose(&self, err: &Error) -> Box<Diagnostic> {
        let mut chain: Vec<&Error> = vec![err];
        let mut cur: &dyn std::error::Error = err;
        while let Some(next) = cur.source() {
            if let Some(e) = next.downcast_ref::<Error>() {
                chain.push(e);
            }
            cur = next;
        }
        let inner = chain
            .iter()
            .rev()
            .find(|e| e.name().is_some())
            .copied()
            .unwrap_or(err);
        let what = match (inner.kind(), inner.detail()) {
            (ErrorKind::UndefinedError, Some(detail)) => {
                format!("unknown variable or field: {detail}")
            }
            (ErrorKind::UndefinedError, None) => "unknown variable or field".to_string(),
            (kind, Some(detail)) => format!("{kind}: {detail}"),
            (kind, None) => kind.to_string(),
        };
        let (code, help) = match inner.kind() {
            ErrorKind::SyntaxError => (
                "template-syntax",
                "see the template language and examples in docs/templates.md".to_string(),
            ),
            ErrorKind::UndefinedError => (
                "template-undefined",
                "docs/templates.md lists every variable a template can use; {{ debug() }} prints all of them".to_string(),
            ),
            ErrorKind::OutOfFuel => (
                "template-too-long",
                "the template did more work than any draft needs: look for a loop that does not end".to_string(),
            ),
            ErrorKind::TemplateNotFound => (
                "template-not-found",
                match &self.choice.folder {
                    Some(f) => format!(
                        "a template can include files of its folder ({}) and the built-in templates ({})",
                        display_path(f),
                        builtin_names()
                    ),
                    None => format!("the built-in templates are {}", builtin_names()),
                },
            ),
            _ => (
                "template-error",
                "docs/templates.md describes the variables and filters a template can use".to_string(),
            ),
        };
        let mut d = Diagnostic::error(code, format!("in the draft template: {what}")).help(help);
        if let Some(loc) = self.location(inner) {
            d = d.at(loc);
        }
        for outer in chain.iter().take_while(|e| !std::ptr::eq(**e, inner)) {
            if let (Some(loc), Some(_)) = (self.location(outer), outer.name()) {
                let loc = Location {
                    snippet: None,
                    ..loc
                };
                d = d.related(loc, "included from");
            }
        }
        Box::new(d)
    }
}

/// The list whose items change from one render to the next of a [`Shared`] state; otherwise
/// what `Value::from(Vec<Value>)` is to templates. Notes whether it was read.
#[derive(Debug, Default)]
struct Current {
    items: Mutex<Vec<Value>>,
    read: std::sync::atomic::AtomicBool,
}

impl minijinja::value::Object for Current {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.read.store(true, Ordering::Relaxed);
        let items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        items.get(key.as_usize()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        self.read.store(true, Ordering::Relaxed);
        let items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        minijinja::value::Enumerator::Seq(items.len())
    }
}

/// One template state serving many renders of [`Engine::render_each`] on one thread: the
/// chosen template's imports are evaluated once (MiniJinja evaluates an imported file and
/// builds its macros at each render: a quarter of a `--split` file's render), and each render
/// calls the rest of the template, made a macro ([`driver_of`]), with the list's items of
/// that render.
///
/// It gives the text a render of its own gives, or nothing (then the render is done on its
/// own, which gives the text or the error):
/// - only what the list holds differs between renders; the imported files define macros only
///   ([`macros_only`]), so evaluating them reads nothing and makes no value that a macro
///   could change from one render to the next (a `namespace()`), and the list is checked to
///   be unread when they are evaluated;
/// - the printed bytes are counted from what the imports printed, as in a render of its own;
/// - fuel: a render whose own use, with the imports', comes within [`FUEL_MARGIN`] of a
///   render's fuel is done on its own; one that fails here for any reason too, and the state
///   is made again.
struct Shared<'a> {
    captured: minijinja::Captured<'a>,
    current: Arc<Current>,
    /// What the template printed before its rest (text around its imports).
    before: String,
    /// The bytes the imports printed ([`PRINTED`]).
    printed: usize,
    /// The fuel evaluating the imports took.
    fuel_before: u64,
    renders: usize,
}

impl<'a> Shared<'a> {
    /// A state for `engine`'s template rewritten as `driver`, with `context`'s list made a
    /// [`Current`]; none when the imports read the list or fail.
    fn new(
        engine: &'a Engine,
        driver: &'a str,
        context: &impl Fn(Value) -> Value,
    ) -> Option<Shared<'a>> {
        let current = Arc::new(Current::default());
        let root = context(Value::from_dyn_object(Arc::clone(&current)));
        let template = engine
            .env
            .template_from_named_str(&engine.choice.name, driver)
            .ok()?;
        PRINTED.with(|p| p.set(0));
        let captured = template.render_captured(root).ok()?;
        if current.read.load(Ordering::Relaxed) {
            return None;
        }
        let fuel_before = captured.state().fuel_levels().map_or(0, |(used, _)| used);
        Some(Shared {
            before: captured.output().to_string(),
            captured,
            current,
            printed: PRINTED.with(Cell::get),
            fuel_before,
            renders: 0,
        })
    }

    /// Whether to make the state again before the next render: after
    /// [`RENDERS_PER_STATE`] renders, or with less than half a render's `fuel` left.
    fn worn(&self, fuel: u64) -> bool {
        self.renders >= RENDERS_PER_STATE
            || self
                .captured
                .state()
                .fuel_levels()
                .is_some_and(|(_, left)| left < fuel / 2)
    }

    /// The text of the render whose list holds `items`, or none (render it on its own).
    fn render(&mut self, items: Vec<Value>, fuel: u64) -> Option<String> {
        self.renders += 1;
        *self
            .current
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = items;
        PRINTED.with(|p| p.set(self.printed));
        let used = |c: &minijinja::Captured<'_>| c.state().fuel_levels().map_or(0, |(u, _)| u);
        let start = used(&self.captured);
        let text = self
            .captured
            .with_state_mut(|state| state.call_macro(EACH_MACRO, &[]));
        let took = used(&self.captured).saturating_sub(start);
        self.current
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        let fits = self
            .fuel_before
            .saturating_add(took)
            .saturating_add(FUEL_MARGIN)
            <= fuel;
        let text = text.ok().filter(|_| fits)?;
        if self.before.is_empty() {
            return Some(text);
        }
        let mut all = String::with_capacity(self.before.len() + text.len());
        all.push_str(&self.before);
        all.push_str(&text);
        Some(all)
    }
}

/// The template `text` rewritten for a [`Shared`] state: its imports as they are, then the
/// rest as the macro [`EACH_MACRO`], with the names of the files imported; none unless the
/// template is, but for comments and space, imports of a named file
/// (`{% import "common.md.j2" as common %}`), then text, comments and expressions only (no
/// `{%` tag, no `debug`), as the built-in templates are.
/// Such a rest prints the same in a macro as at the top of the template: the macro's
/// opening tag ends as the last import's did, so it trims the space after it as that
/// tag did, and the closing tag (`{%+`) trims nothing before it.
fn driver_of(text: &str) -> Option<(String, Vec<String>)> {
    let mut at = 0;
    let mut split = None;
    let mut imported = Vec::new();
    loop {
        let rest = &text[at..];
        let skipped = rest.len() - rest.trim_start().len();
        let rest = &rest[skipped..];
        if rest.starts_with("{#") {
            at += skipped + rest.find("#}")? + 2;
        } else if rest.starts_with("{%") {
            let end = rest.find("%}")?;
            let Some((name, close)) = plain_import(&rest[2..end]) else {
                break;
            };
            imported.push(name.to_string());
            at += skipped + end + 2;
            split = Some((at, close));
        } else {
            break;
        }
    }
    let (split, close) = split?;
    let (head, body) = text.split_at(split);
    if body.contains("{%") || body.contains("debug") || head.contains(EACH_MACRO) {
        return None;
    }
    let driver = format!("{head}{{% macro {EACH_MACRO}() {close}%}}{body}{{%+ endmacro %}}");
    Some((driver, imported))
}

/// For the inside of a tag that imports a named file as a plain name
/// (`import "common.md.j2" as common`, with `-` or `+` at either end), the file's name and the
/// tag's closing mark (`-`, `+` or nothing); otherwise none.
fn plain_import(tag: &str) -> Option<(&str, &'static str)> {
    let tag = tag.strip_prefix(['-', '+']).unwrap_or(tag);
    let (tag, close) = match tag.strip_suffix('-') {
        Some(t) => (t, "-"),
        None => match tag.strip_suffix('+') {
            Some(t) => (t, "+"),
            None => (tag, ""),
        },
    };
    let rest = tag.trim().strip_prefix("import")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    let end = rest.find(quote)?;
    let name = &rest[..end];
    if name.is_empty() || name.contains(['"', '\'', '\\', '{', '}', '%', '#']) {
        return None;
    }
    let rest = rest[end + 1..].trim_start().strip_prefix("as")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let alias = rest.trim();
    let mut chars = alias.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then_some((name, close))
}

/// Whether a template file defines macros only: outside `{% macro %}` … `{% endmacro %}`,
/// nothing but text and comments (no other tag, no expression, no `{% raw %}`). Importing such
/// a file builds its macros and does nothing else. Quoted text inside tags and expressions is
/// skipped as the template language reads it, so a `%}` in a string does not end a tag.
fn macros_only(text: &str) -> bool {
    /// Where the tag or expression starting at `from` ends (after `end`), quotes skipped.
    fn tag_end(text: &str, from: usize, end: &str) -> Option<usize> {
        let mut quote = None;
        let mut escaped = false;
        for (i, c) in text[from..].char_indices() {
            match quote {
                Some(q) => {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == q {
                        quote = None;
                    }
                }
                None if c == '"' || c == '\'' => quote = Some(c),
                None if text[from + i..].starts_with(end) => return Some(from + i + end.len()),
                None => {}
            }
        }
        None
    }
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = text[at..].find('{') {
        let start = at + found;
        let rest = &text[start..];
        at = if rest.starts_with("{#") {
            match rest.find("#}") {
                Some(end) => start + end + 2,
                None => return false,
            }
        } else if rest.starts_with("{{") {
            if depth == 0 {
                return false;
            }
            match tag_end(text, start + 2, "}}") {
                Some(end) => end,
                None => return false,
            }
        } else if rest.starts_with("{%") {
            let Some(end) = tag_end(text, start + 2, "%}") else {
                return false;
            };
            let inner = text[start + 2..end - 2].trim_start_matches(['-', '+']);
            let name = inner.split_whitespace().next().unwrap_or("");
            match name {
                "raw" => return false,
                "macro" => depth += 1,
                "endmacro" if depth > 0 => depth -= 1,
                _ if depth > 0 => {}
                _ => return false,
            }
            end
        } else {
            start + 1
        };
    }
    depth == 0
}

/// The part of a long line around the problem, so that the underline is always shown.
fn window(text: &str, start: usize, width: usize) -> Snippet {
    const BEFORE: usize = 40;
    const SHOWN: usize = 150;
    let chars: Vec<char> = text.chars().collect();
    let (skip, prefix) = if start > BEFORE + 20 {
        (start - BEFORE, "…")
    } else {
        (0, "")
    };
    let mut shown: String = prefix.to_string();
    shown.extend(chars.iter().skip(skip).take(SHOWN));
    if chars.len() > skip + SHOWN {
        shown.push('…');
    }
    let start = start - skip + prefix.chars().count();
    Snippet {
        text: shown,
        start,
        width: width.min(SHOWN.saturating_sub(start)).max(1),
    }
}

fn builtin_names() -> String {
    builtin::TEMPLATES
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine for `main.md.j2` of a folder holding `files`.
    fn folder_engine(files: &[(&str, &str)]) -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let choice = TemplateChoice {
            folder: Some(dir.path().to_path_buf()),
            name: "main.md.j2".to_string(),
        };
        let engine = Engine::new(
            &choice,
            1_000_000,
            1 << 20,
            Arc::new(crate::wording::Wording::english()),
        );
        (dir, engine)
    }

    /// The context of [`folder_engine`]'s renders, with `list` as `items`.
    fn with_items(list: Value) -> Value {
        minijinja::context! { items => list, title => "T" }
    }

    fn items_of(i: usize) -> Vec<Value> {
        (0..=i % 3)
            .map(|k| Value::from(format!("{i}.{k}")))
            .collect()
    }

    /// What `render_each` hands out, in order, against each render on its own.
    fn each_and_alone(engine: &Engine, count: usize) -> (Vec<String>, Vec<String>) {
        let texts = Mutex::new(vec![String::new(); count]);
        engine
            .render_each(count, with_items, items_of, |i, t| {
                texts.lock().unwrap()[i] = t;
            })
            .unwrap();
        let alone = (0..count)
            .map(|i| engine.render(with_items(Value::from(items_of(i)))).unwrap())
            .collect();
        (texts.into_inner().unwrap(), alone)
    }

    #[test]
    fn the_built_in_templates_are_rendered_through_a_shared_state() {
        for t in builtin::TEMPLATES {
            let driver = driver_of(t.text);
            if t.name.starts_with("common") {
                assert!(driver.is_none(), "{}", t.name);
                continue;
            }
            let (driver, imported) = driver.unwrap_or_else(|| panic!("{}", t.name));
            assert!(
                driver.contains("{% macro __checkmyogp_each() %}"),
                "{driver}"
            );
            assert!(driver.ends_with("{%+ endmacro %}"), "{driver}");
            assert_eq!(imported, ["common.md.j2"]);
        }
        let common = builtin::find("common.md.j2").unwrap();
        assert!(macros_only(common.text));
    }

    #[test]
    fn only_files_of_macros_are_imported_once() {
        for ok in [
            "",
            "text {# {% set x = 1 %} #}",
            "{% macro a(x) %}{% set y = x %}{{ y }}{% macro b() %}{% endmacro %}{% endmacro %}\n",
            "{%- macro a() -%}{{ \"%}{% set n = namespace() %}\" }}{%+ endmacro +%}",
        ] {
            assert!(macros_only(ok), "{ok}");
        }
        for no in [
            "{% set ns = namespace(n=0) %}{% macro a() %}{% endmacro %}",
            "{% macro a() %}{% endmacro %}{{ x }}",
            "{% macro a() %}{% endmacro %}{% endmacro %}",
            "{% macro a() %}",
            "{% macro a() %}{{ \"%}\" }}{% endmacro %}{% if x %}{% endif %}",
            "{% import \"b.j2\" as b %}{% macro a() %}{% endmacro %}",
            "{% raw %}{% endraw %}",
            "{# unclosed",
        ] {
            assert!(!macros_only(no), "{no}");
        }
    }

    #[test]
    fn only_imports_then_expressions_make_a_driver() {
        let ok = "{# note #}\n{% import \"m.j2\" as m -%}\n\n{{ m.a() }}\n";
        assert_eq!(
            driver_of(ok).unwrap(),
            (
                "{# note #}\n{% import \"m.j2\" as m -%}{% macro __checkmyogp_each() -%}\n\n{{ m.a() }}\n{%+ endmacro %}".to_string(),
                vec!["m.j2".to_string()]
            )
        );
        assert!(
            driver_of("{%+ import 'a.j2' as a +%}{% import 'b.j2' as b %}{{ a.x() ~ b.y() }}")
                .is_some()
        );
        for no in [
            "{{ m.a() }}",
            "text {% import \"m.j2\" as m %}{{ m.a() }}",
            "{% import \"m.j2\" as m %}{% if x %}{{ m.a() }}{% endif %}",
            "{% import \"m.j2\" as m %}{{ debug() }}",
            "{% import name as m %}{{ m.a() }}",
            "{% import \"m.j2\" as m with context %}{{ m.a() }}",
            "{% import \"m%}.j2\" as m %}{{ m.a() }}",
            "{% from \"m.j2\" import a %}{{ a() }}",
            "{% import \"m.j2\" as m %}{# {% set x = 1 %} #}{{ m.a() }}",
            "{# unclosed {% import \"m.j2\" as m %}",
        ] {
            assert!(driver_of(no).is_none(), "{no}");
        }
    }

    /// Renders through a shared state give each render's own text, with the space around the
    /// imports kept and trimmed as in a render of its own; a file that does more than define
    /// macros (here: makes a namespace, reads the list) is not imported once, and those
    /// renders too give their own text.
    #[test]
    fn a_shared_state_renders_as_each_render_alone_or_not_at_all() {
        let main = "{# note #}\n  {%+ import \"m.j2\" as m %}\n\n{{ m.show(title) }}|{{ items | length }}\n  ";
        let macros =
            "{% macro show(t) %}{{ t }}:{% for c in items %}[{{ c }}]{% endfor %}{% endmacro %}";
        let (_dir, engine) = folder_engine(&[("main.md.j2", main), ("m.j2", macros)]);
        let driver = engine
            .driver()
            .expect("a template of imports then expressions");
        assert!(Shared::new(&engine, &driver, &with_items).is_some());
        let (each, alone) = each_and_alone(&engine, 40);
        assert_eq!(each, alone);
        assert_eq!(alone[4], "  \nT:[4.0][4.1]|2\n  ");

        let counting = "{% set ns = namespace(n=0) %}{% macro show(t) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}{% endmacro %}";
        let reading = "{% set first = items | first %}{% macro show(t) %}{{ first }}{% endmacro %}";
        for macros in [counting, reading] {
            let (_dir, engine) = folder_engine(&[("main.md.j2", main), ("m.j2", macros)]);
            assert!(engine.driver().is_none(), "{macros}");
            let (each, alone) = each_and_alone(&engine, 7);
            assert_eq!(each, alone, "{macros}");
        }
    }

    /// A render that fails through a shared state is rendered on its own: the error told is
    /// that render's own, and the renders around it are not changed.
    #[test]
    fn a_render_failing_in_a_shared_state_tells_its_own_error() {
        let main = "{% import \"m.j2\" as m %}{{ m.show() }}";
        let macros = "{% macro show() %}{% for c in items %}{{ c if c != \"5.2\" else c.nope.nope }}{% endfor %}{% endmacro %}";
        let (_dir, engine) = folder_engine(&[("main.md.j2", main), ("m.j2", macros)]);
        let texts = Mutex::new(Vec::new());
        let err = engine
            .render_each(9, with_items, items_of, |i, t| {
                texts.lock().unwrap().push((i, t))
            })
            .unwrap_err();
        let alone = engine
            .render(with_items(Value::from(items_of(5))))
            .unwrap_err();
        assert_eq!(err, alone);
        for (i, t) in texts.into_inner().unwrap() {
            assert_eq!(
                t,
                engine.render(with_items(Value::from(items_of(i)))).unwrap()
            );
        }
    }

    #[test]
    fn import_names_must_be_plain_names() {
        for ok in [
            "{% import 'common.md.j2' as c %}",
            "{%- import \"common.md.j2\" as common_2 -%}",
            "{% import 'common.md.j2' as c with context %}",
            "{% from 'common.md.j2' import a as b %}",
            "no tags at all",
        ] {
            assert!(check_import_names(ok).is_ok(), "{ok}");
        }
        let err = check_import_names("text\n{% import \"common.md.j2\" as c-mmon %}").unwrap_err();
        assert_eq!(
            err.detail(),
            Some(
                "line 2: `{% import … as c-mmon %}`: the name after `as` must be a plain name \
                 (letters, digits and _), for example `as common`"
            )
        );
        assert!(check_import_names("{% import 'x' as a.b %}").is_err());
        assert!(check_import_names("{% import 'x' as (a) %}").is_err());
    }

    #[test]
    fn include_names_stay_in_the_folder() {
        let f = Path::new("t");
        assert!(path_in(f, "common.md.j2").is_ok());
        assert!(path_in(f, "parts/a.md.j2").is_ok());
        let long = format!("{}{{{{ x }}}}{}", "a".repeat(300), "b".repeat(300));
        let w = window(&long, 300, 7);
        assert!(w.text.starts_with('…') && w.text.ends_with('…'));
        assert_eq!(
            w.text.chars().skip(w.start).take(7).collect::<String>(),
            "{{ x }}"
        );
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "./a",
            "C:\\x",
            "a\\b",
            "",
        ] {
            assert!(path_in(f, bad).is_err(), "{bad}");
        }
    }
}
