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
//!   message, so that a template doubling a string in a loop cannot eat the computer's memory.
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
    if !meta.is_file() {
        return Ok(None);
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
                        "the draft would be longer than {} MB, far more than any comment needs; look for a loop that repeats text without end",
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
        }
    }

    /// Renders the chosen template with `context`, on a thread of its own that is watched: a
    /// render taking more than [`MAX_RENDER_MEMORY`] beyond what the program used before it
    /// ends the program with a clear message (exit status 1) before the computer runs out.
    pub fn render(&self, context: Value) -> Result<String, Box<Diagnostic>> {
        self.watched(|| self.render_one(context))
    }

    /// Renders the chosen template once for each of the `count` contexts that `context` makes
    /// (from their index), on up to [`MAX_RENDER_THREADS`] watched threads, as many as there
    /// are cores (see [`Self::render`]; the memory allowed is counted from before the first),
    /// handing each text with its index to `then` as soon as it is rendered (so not always in
    /// order). `draft --split` renders once per commitment, and writes each file while the next
    /// are rendered.
    ///
    /// The error returned is the first in order, whatever the threads: indices are handed out
    /// in order, so when the render of `i` fails every earlier one has begun, and none after
    /// `i` is begun once that is known (a text after it may still reach `then`).
    pub fn render_each(
        &self,
        count: usize,
        context: impl Fn(usize) -> Value + Sync,
        then: impl Fn(usize, String) + Sync,
    ) -> Result<(), Box<Diagnostic>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_RENDER_THREADS)
            .min(count.max(1));
        let next = AtomicUsize::new(0);
        let failed = crate::par::FirstError::default();
        self.watched_by(threads, || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || failed.index().is_some_and(|j| j < i) {
                    return;
                }
                match self.render_one(context(i)) {
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
            // Wake when the renders end (at once), or every few milliseconds to look at memory.
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

    /// Ends the program: a template is taking far more memory than any draft needs.
    fn too_much_memory(&self) -> ! {
        use std::io::Write as _;
        let shown = self.display_of(&self.choice.name);
        let _ = writeln!(
            anstream::stderr(),
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
