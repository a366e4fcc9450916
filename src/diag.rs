//! Diagnostics: a located problem (file, line, column or cell, the offending text, what was
//! expected, a hint) and the [`Report`] that collects every problem of a run so they can all be
//! shown at once, in the order of the files.

use std::collections::HashMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::source::{SourceMap, Span};

/// How serious a problem is. Errors make `validate` (and every command) exit with code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    fn style(self) -> Style {
        let colour = match self {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Note => AnsiColor::Cyan,
        };
        Style::new().bold().fg_color(Some(colour.into()))
    }
}

/// The quoted source line under a diagnostic, with the part to underline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// 0-based character offset of the underlined part.
    pub start: usize,
    /// Width of the underlined part in characters (at least 1 is drawn).
    pub width: usize,
}

impl Snippet {
    /// The snippet with its control characters escaped (see [`crate::text::for_terminal`]),
    /// the underlined part moved to where it now shows.
    fn for_terminal(&self) -> Snippet {
        let escape = |s: &str| crate::text::printable(s, usize::MAX);
        let before: String = self.text.chars().take(self.start).collect();
        let marked: String = self
            .text
            .chars()
            .skip(self.start)
            .take(self.width)
            .collect();
        let after: String = self.text.chars().skip(self.start + self.width).collect();
        let (before, marked, after) = (escape(&before), escape(&marked), escape(&after));
        Snippet {
            start: before.chars().count(),
            width: marked.chars().count(),
            text: before + &marked + &after,
        }
    }
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// A spreadsheet-style place, e.g. ``column `level` `` or `Sheet1!C7`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
            place: None,
            snippet: None,
        }
    }

    /// A line of a file, with an optional place on it.
    pub fn line(file: impl Into<String>, line: usize, place: Option<String>) -> Self {
        Location {
            line: Some(line),
            place,
            ..Location::file(file)
        }
    }

    /// A byte range in a TOML file, quoted with its line.
    pub fn span(sources: &SourceMap, span: &Span) -> Self {
        let Some(file) = sources.get(span.file) else {
            return Location::file("?");
        };
        let (line, column) = file.line_col(span.range.start);
        let snippet = file.line_text(line).map(|text| {
            let (end_line, end_col) = file.line_col(span.range.end);
            let width = if end_line == line {
                end_col.saturating_sub(column)
            } else {
                text.chars().count().saturating_sub(column - 1)
            };
            Snippet {
                text: text.to_string(),
                start: column - 1,
                width: width.max(1),
            }
        });
        Location {
            file: file.display.clone(),
            line: Some(line),
            column: Some(column),
            place: None,
            snippet,
        }
    }

    fn heading(&self) -> String {
        let mut s = self.file.clone();
        if let Some(line) = self.line {
            let _ = write!(s, ":{line}");
            if let Some(col) = self.column {
                let _ = write!(s, ":{col}");
            }
        }
        if let Some(place) = &self.place {
            let _ = write!(s, " ({place})");
        }
        s
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier of the kind of problem, e.g. `unknown-key`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Other places that belong to the problem (the first of two duplicate lines, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<(Location, String)>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            expected: None,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn note(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }

    #[must_use]
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    #[must_use]
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line only when there is one (a did-you-mean that found nothing adds none).
    #[must_use]
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    #[must_use]
    pub fn related(mut self, location: Location, what: impl Into<String>) -> Self {
        self.related.push((location, what.into()));
        self
    }

    /// Renders the diagnostic as text with ANSI styles (the caller's stream strips them when
    /// colour is off).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let sev = self.severity.style();
        let bold = Style::new().bold();
        let blue = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
        // Text from the inputs is quoted in messages, places and snippets: its control
        // characters are shown escaped, never sent to the terminal as they are.
        let clean = |s: &str| crate::text::for_terminal(s).into_owned();
        let _ = writeln!(
            out,
            "{sev}{}{sev:#}: {bold}{}{bold:#}",
            self.severity.word(),
            clean(&self.message)
        );
        let mut gutter = 1;
        if let Some(loc) = &self.location {
            if let Some(line) = loc.line {
                gutter = line.to_string().len();
            }
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}{blue}-->{blue:#} {}", clean(&loc.heading()));
            if let (Some(line), Some(snip)) = (loc.line, &loc.snippet) {
                let snip = snip.for_terminal();
                let shown: String = snip.text.chars().take(200).collect();
                let _ = writeln!(out, "{pad} {blue}|{blue:#}");
                let _ = writeln!(out, "{blue}{line}{blue:#} {blue}|{blue:#} {shown}");
                if snip.start < 200 {
                    let under = " ".repeat(snip.start);
                    let width = snip.width.clamp(1, 200 - snip.start);
                    let _ = writeln!(
                        out,
                        "{pad} {blue}|{blue:#} {under}{sev}{}{sev:#}",
                        "^".repeat(width)
                    );
                }
            }
        }
        let pad = " ".repeat(gutter);
        for (loc, what) in &self.related {
            let _ = writeln!(
                out,
                "{pad} {blue}={blue:#} {what}: {}",
                clean(&loc.heading())
            );
        }
        // Continuation lines of a multi-line hint line up under its first line.
        let indent = |text: &str, label: &str| {
            text.replace('\n', &format!("\n{pad}   {}", " ".repeat(label.len() + 2)))
        };
        if let Some(expected) = &self.expected {
            let _ = writeln!(
                out,
                "{pad} {blue}={blue:#} expected: {}",
                indent(&clean(expected), "expected")
            );
        }
        if let Some(help) = &self.help {
            let _ = writeln!(
                out,
                "{pad} {blue}={blue:#} help: {}",
                indent(&clean(help), "help")
            );
        }
        out
    }
}

/// How many problems of one kind in one file are shown before the rest are only counted.
const SHOWN_PER_KIND: usize = 20;

/// Every problem found in a run.
#[derive(Debug, Default)]
pub struct Report {
    items: Vec<Diagnostic>,
    shown: HashMap<(String, &'static str), usize>,
    hidden: Vec<((String, &'static str, Severity), usize)>,
}

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem. After [`SHOWN_PER_KIND`] problems of the same kind in the same file,
    /// further ones are counted rather than shown, so a file with a million bad rows still
    /// gives a readable report.
    pub fn push(&mut self, diag: Diagnostic) {
        let file = diag
            .location
            .as_ref()
            .map(|l| l.file.clone())
            .unwrap_or_default();
        let key = (file, diag.code);
        let n = self.shown.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n <= SHOWN_PER_KIND {
            self.items.push(diag);
        } else {
            let hidden_key = (key.0, key.1, diag.severity);
            match self.hidden.iter_mut().find(|(k, _)| *k == hidden_key) {
                Some((_, count)) => *count += 1,
                None => self.hidden.push((hidden_key, 1)),
            }
        }
    }

    /// Whether a problem of this kind in this file would still be shown. When it would not,
    /// callers with many problems can [`count`](Report::count_hidden) it instead of building it.
    pub fn would_show(&self, file: &str, code: &'static str) -> bool {
        self.shown
            .get(&(file.to_string(), code))
            .is_none_or(|&n| n < SHOWN_PER_KIND)
    }

    /// Counts a problem that would not be shown, without building its diagnostic.
    pub fn count_hidden(&mut self, file: &str, code: &'static str, severity: Severity) {
        let key = (file.to_string(), code, severity);
        *self.shown.entry((key.0.clone(), code)).or_insert(0) += 1;
        match self.hidden.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += 1,
            None => self.hidden.push((key, 1)),
        }
    }

    pub fn extend(&mut self, other: Report) {
        for d in other.items {
            self.push(d);
        }
        for (key, count) in other.hidden {
            match self.hidden.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => *c += count,
                None => self.hidden.push((key, count)),
            }
        }
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
            + self
                .hidden
                .iter()
                .filter(|((_, _, s), _)| *s == severity)
                .map(|(_, n)| n)
                .sum::<usize>()
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.hidden.is_empty()
    }

    /// The diagnostics in reading order: files in the order they were first reported, then by
    /// line and column, then by the spreadsheet column a place names, problems of no column
    /// last (so that the problems of one row come in the same order however the file was read:
    /// rows of a large file are read on two threads, whose reports are merged in an order that
    /// may vary); those of one place stay in the order they were reported.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut files: Vec<&str> = Vec::new();
        for d in &self.items {
            let f = d.location.as_ref().map_or("", |l| l.file.as_str());
            if !files.contains(&f) {
                files.push(f);
            }
        }
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by_key(|d| {
            let loc = d.location.as_ref();
            let f = loc.map_or("", |l| l.file.as_str());
            (
                files.iter().position(|x| *x == f),
                loc.and_then(|l| l.line),
                loc.and_then(|l| l.column),
                loc.and_then(|l| l.place.as_deref())
                    .and_then(place_column)
                    .unwrap_or(usize::MAX),
            )
        });
        items
    }

    /// All diagnostics as text, followed by a line per kind of problem that was too frequent
    /// to show in full.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            out.push_str(&d.render());
            out.push('\n');
        }
        for ((file, code, severity), n) in &self.hidden {
            let word = severity.word();
            // Problems of the whole assessment (no file) are summed up without one.
            let place = if file.is_empty() {
                String::new()
            } else {
                format!(" in {}", crate::text::for_terminal(file))
            };
            let _ = writeln!(
                out,
                "... and {n} more {word}{} of the kind `{code}`{place} (the first {SHOWN_PER_KIND} are shown above)\n",
                if *n == 1 { "" } else { "s" }
            );
        }
        out
    }

    /// The diagnostics as plain data, for `--format json`.
    pub fn as_json(&self) -> serde_json::Value {
        let hidden: Vec<_> = self
            .hidden
            .iter()
            .map(|((file, code, severity), n)| {
                serde_json::json!({"file": file, "code": code, "severity": severity, "count": n})
            })
            .collect();
        serde_json::json!({
            "errors": self.errors(),
            "warnings": self.warnings(),
            "diagnostics": self.sorted(),
            "not_shown": hidden,
        })
    }
}

/// "1 error", "3 warnings".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The spreadsheet column that a place names (`column C "level"`, `Sheet1!C7`), counted from 1
/// (`A` is 1, `AA` is 27): for [`Report::sorted`].
fn place_column(place: &str) -> Option<usize> {
    let letters = match place.strip_prefix("column ") {
        Some(rest) => rest,
        None => place.get(place.rfind('!')? + 1..)?,
    };
    let n = letters
        .bytes()
        .take_while(u8::is_ascii_uppercase)
        .try_fold(0usize, |n, b| {
            n.checked_mul(26)?.checked_add(usize::from(b - b'A') + 1)
        })?;
    (n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, SourceMap};
    use std::path::Path;

    #[test]
    fn control_characters_are_escaped_and_the_caret_follows() {
        let mut loc = Location::line("scores/a.csv", 3, Some("column D".into()));
        loc.snippet = Some(Snippet {
            text: "a,\u{1b}[2J,Limi\0ted,x".into(),
            start: 7,
            width: 7,
        });
        let d = Diagnostic::error("unknown-level", "\"Limi\0ted\" is not a level").at(loc);
        let text = anstream::adapter::strip_str(&d.render()).to_string();
        assert_eq!(
            text,
            "error: \"Limi\\0ted\" is not a level\n --> scores/a.csv:3 (column D)\n  |\n3 | a,\\u{1b}[2J,Limi\\0ted,x\n  |             ^^^^^^^^\n"
        );
    }

    #[test]
    fn problems_of_one_row_come_by_column_whatever_order_they_were_reported_in() {
        let at = |line, place: &str| Location::line("scores/a.csv", line, Some(place.into()));
        let mut report = Report::new();
        // As the second reading thread may hand them over: a later column first.
        for (code, line, place) in [
            ("b", 7, "column B \"commitment\""),
            ("aa", 7, "column AA"),
            ("a1", 7, "column A \"evaluator\""),
            ("a2", 7, "column A \"evaluator\""),
            ("z", 7, "column Z"),
            ("sheet", 6, "Sheet1!C6"),
            ("whole", 7, "the header"),
        ] {
            report.push(Diagnostic::error(code, code).at(at(line, place)));
        }
        let order: Vec<&str> = report.sorted().iter().map(|d| d.code).collect();
        // A place naming no column last; the two of column A in the order they came.
        assert_eq!(order, ["sheet", "a1", "a2", "b", "z", "aa", "whole"]);
        assert_eq!(place_column("column AA \"x\""), Some(27));
        assert_eq!(place_column("Scores!XFD1048576"), Some(16384));
        assert_eq!(place_column("column `level`"), None);
    }

    #[test]
    fn problems_of_no_file_are_summed_up_without_an_empty_file_name() {
        let mut report = Report::new();
        for i in 0..(SHOWN_PER_KIND + 2) {
            report.push(Diagnostic::warning("no-scores", format!("warning {i}")));
        }
        let text = anstream::adapter::strip_str(&report.render()).to_string();
        assert!(
            text.ends_with(
                "... and 2 more warnings of the kind `no-scores` (the first 20 are shown above)\n\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn renders_a_located_error_with_caret_and_hints() {
        let mut map = SourceMap::default();
        let id = map.add(SourceFile::new(
            Path::new("plan.toml"),
            Some("[plan]\ntitel = \"x\"\n".into()),
        ));
        let loc = Location::span(
            &map,
            &Span {
                file: id,
                range: 7..12,
            },
        );
        let d = Diagnostic::error("unknown-key", "unknown key `titel` in [plan]")
            .at(loc)
            .expected("one of country, title")
            .help("did you mean `title`?");
        let text = anstream::adapter::strip_str(&d.render()).to_string();
        assert_eq!(
            text,
            "error: unknown key `titel` in [plan]\n --> plan.toml:2:1\n  |\n2 | titel = \"x\"\n  | ^^^^^\n  = expected: one of country, title\n  = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn caps_repeated_problems_per_file_and_kind() {
        let mut r = Report::new();
        for i in 0..25 {
            r.push(
                Diagnostic::error("unknown-level", format!("bad {i}")).at(Location::line(
                    "s.csv",
                    i + 2,
                    None,
                )),
            );
        }
        assert_eq!(r.errors(), 25);
        let text = anstream::adapter::strip_str(&r.render()).to_string();
        assert!(text.ends_with(
            "... and 5 more errors of the kind `unknown-level` in s.csv (the first 20 are shown above)\n\n"
        ));
    }
}
