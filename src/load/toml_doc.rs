//! Reading TOML files with every value's position: a strict, schema-checking reader that
//! collects *all* problems (unknown keys with a did-you-mean, missing keys, wrong types, bad
//! dates) instead of stopping at the first, as serde's `deny_unknown_fields` would.
//!
//! Usage: wrap a table in a [`Table`], ask for each key the schema knows (which also records
//! it as known), then call [`Table::finish`] to report every key nobody asked for.

use std::ops::Range;
use std::sync::mpsc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Location, Report};
use crate::model::Date;
use crate::source::{FileId, SourceMap, Span};
use crate::suggest;

/// What the reader needs to report problems.
#[derive(Debug)]
pub(crate) struct Cx<'a> {
    pub sources: &'a SourceMap,
    pub file: FileId,
    pub report: &'a mut Report,
    /// Where the text parsed starts in the file: positions in the document are moved on by
    /// this much (the second half of a document parsed in two, [`read_halves`]; else 0).
    pub offset: usize,
}

impl<'a> Cx<'a> {
    /// The reader of `file` parsed from its start.
    pub(crate) fn new(sources: &'a SourceMap, file: FileId, report: &'a mut Report) -> Self {
        Cx {
            sources,
            file,
            report,
            offset: 0,
        }
    }

    pub(crate) fn span(&self, range: Range<usize>) -> Span {
        Span {
            file: self.file,
            range: range.start + self.offset..range.end + self.offset,
        }
    }

    pub(crate) fn loc(&self, range: Range<usize>) -> Location {
        Location::span(self.sources, &self.span(range))
    }

    pub(crate) fn push(&mut self, diag: Diagnostic) {
        self.report.push(diag);
    }
}

/// Parses a TOML document, reporting every syntax error. `None` when there were any.
pub(crate) fn parse<'i>(cx: &mut Cx<'_>, text: &'i str) -> Option<Spanned<DeTable<'i>>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(table);
    }
    for e in errors {
        let range = e.span().unwrap_or(0..0);
        if let Some(diag) = date_like(cx, text, range.clone()) {
            cx.push(diag);
            continue;
        }
        let message = e.message().trim().trim_end_matches('.').to_string();
        let diag = Diagnostic::error("toml-syntax", format!("this is not valid TOML: {message}"))
            .at(cx.loc(range))
            .help(syntax_hint(&message));
        cx.push(diag);
    }
    None
}

/// Documents at least this large are parsed in two halves on two threads when they can be
/// ([`halves`]); below it, a second thread costs more than it saves.
pub(crate) const HALVES_MIN: usize = 128 * 1024;

/// Where a document can be cut in two for [`read_halves`]: the start of a line that is exactly
/// `[[key]]` (with at most a `\r` before its line ending), the first at or after the middle of
/// the text. `None` for a small document or one without such a line there.
pub(crate) fn halves(text: &str, key: &str) -> Option<usize> {
    if text.len() < HALVES_MIN {
        return None;
    }
    let needle = format!("\n[[{key}]]");
    let bytes = text.as_bytes();
    let mut from = text.len() / 2;
    while let Some(found) = memchr::memmem::find(&bytes[from..], needle.as_bytes()) {
        let at = from + found + 1;
        let after = &bytes[at + needle.len() - 1..];
        if after.starts_with(b"\n") || after.starts_with(b"\r\n") {
            return Some(at);
        }
        from = at;
    }
    None
}

/// What the second thread of [`read_halves`] found in the second half's tables.
pub(crate) struct Found<P> {
    /// What the reader of the second half gave.
    pub found: P,
    /// Whether reading them reported nothing at all (no error, warning or note).
    pub quiet: bool,
}

/// The second half of a document read in two by [`read_halves`], as the reader of the first
/// half sees it while the second thread reads it.
pub(crate) struct SecondHalf<'i, P> {
    /// How many tables it holds.
    pub len: usize,
    found: mpsc::Receiver<Found<P>>,
    text: &'i str,
    at: usize,
    key: &'i str,
}

impl<'i, P> SecondHalf<'i, P> {
    /// What the second thread found reading the tables (waits for it, so call it once);
    /// `None` if it could not finish.
    pub(crate) fn found(&self) -> Option<Found<P>> {
        self.found.recv().ok()
    }

    /// The tables themselves, with every position that of the whole text, to be read on this
    /// thread after all: the second half parsed again here (the second thread frees its own
    /// as it reads them; this happens only when it reported something, or shares an id with
    /// the first half).
    pub(crate) fn tables(self) -> Vec<Spanned<DeValue<'i>>> {
        let (second, _) = DeTable::parse_recoverable(&self.text[self.at..]);
        second_tables(second, self.key)
            .unwrap_or_default()
            .into_iter()
            .map(|t| moved(t, self.at))
            .collect()
    }
}

/// Reads a document cut in two at `at` (from [`halves`]), one half on each thread: the text
/// before `at` is parsed here and given to `read`, and the text from `at` on is parsed on a
/// second thread, whose tables of `key` are given to `ahead` there (to free as it reads them)
/// while `read` runs, with a [`Cx`] of its own whose report is thrown away (`read` is told
/// only whether it stayed empty). `read` then takes the second half ([`SecondHalf`]): what
/// `ahead` found, or the tables themselves, to read them as one reader would.
///
/// The halves are used only when the document is certainly the one [`parse`] would give:
/// both halves are valid TOML on their own (a first half that ends inside a multi-line string,
/// array or inline table is not), the first half's `key` is an array of tables (written with
/// `[[key]]` headers, which a `key = [...]` array cannot be extended with) and the second
/// half holds nothing but more tables of that array (it begins with `[[key]]`, so every
/// table header in it names one of its own tables or a top-level key, which it must not).
/// Anything else, including any syntax error, and the whole text is parsed again in one go,
/// so that every message is the one a single parse gives; `read` then has no second half.
/// `None` when that parse fails (its errors reported).
///
/// The second half's positions count from `at`: `ahead`'s [`Cx`] moves them on
/// ([`Cx::offset`]), and the tables [`SecondHalf::tables`] gives are built again with every
/// position moved.
pub(crate) fn read_halves<'i, T, P: Send>(
    cx: &mut Cx<'_>,
    text: &'i str,
    at: usize,
    key: &'i str,
    ahead: impl FnOnce(&mut Cx<'_>, Vec<Spanned<DeValue<'i>>>) -> P + Send,
    read: impl FnOnce(&mut Cx<'_>, &DeTable<'i>, Range<usize>, Option<SecondHalf<'i, P>>) -> T,
) -> Option<T> {
    let (sources, file) = (cx.sources, cx.file);
    let read = std::thread::scope(|scope| {
        if !text.is_char_boundary(at) {
            return Err(read);
        }
        let (usable_tx, usable_rx) = mpsc::channel();
        let (found_tx, found_rx) = mpsc::channel();
        scope.spawn(move || {
            let (second, errors) = DeTable::parse_recoverable(&text[at..]);
            let tables = if errors.is_empty() {
                second_tables(second, key)
            } else {
                None
            };
            let _ = usable_tx.send(tables.as_ref().map(Vec::len));
            let tables = tables?;
            let mut report = Report::new();
            let mut cx = Cx {
                offset: at,
                ..Cx::new(sources, file, &mut report)
            };
            let found = ahead(&mut cx, tables);
            let quiet = report.is_empty();
            let _ = found_tx.send(Found { found, quiet });
            Some(())
        });
        let (first, first_errors) = DeTable::parse_recoverable(&text[..at]);
        match usable_rx.recv() {
            Ok(Some(len)) if first_errors.is_empty() && ends_in_tables(text, key, &first) => {
                let range = first.span();
                let second = SecondHalf {
                    len,
                    found: found_rx,
                    text,
                    at,
                    key,
                };
                Ok(read(cx, first.get_ref(), range, Some(second)))
            }
            _ => Err(read),
        }
    });
    match read {
        Ok(done) => Some(done),
        Err(read) => {
            let doc = parse(cx, text)?;
            let range = doc.span();
            Some(read(cx, doc.get_ref(), range, None))
        }
    }
}

/// The document [`read_halves`] reads when the halves can be used (the first half with the
/// second half's tables of `key` appended), `None` when the whole text is parsed in one go.
#[cfg(test)]
pub(crate) fn try_halves<'i>(text: &'i str, at: usize, key: &str) -> Option<Spanned<DeTable<'i>>> {
    if !text.is_char_boundary(at) {
        return None;
    }
    let (first, first_errors) = DeTable::parse_recoverable(&text[..at]);
    let (second, errors) = DeTable::parse_recoverable(&text[at..]);
    if !first_errors.is_empty() || !errors.is_empty() {
        return None;
    }
    let more = second_tables(second, key)?;
    join_halves(
        text,
        key,
        first,
        more.into_iter().map(|t| moved(t, at)).collect(),
    )
}

/// The tables of the second half, when it holds nothing but tables of `key` and begins with
/// one (their positions count from the cut).
fn second_tables<'i>(second: Spanned<DeTable<'i>>, key: &str) -> Option<Vec<Spanned<DeValue<'i>>>> {
    let mut entries = second.into_inner().into_iter();
    let (second_key, second_value) = entries.next()?;
    if entries.next().is_some() || second_key.get_ref().as_ref() != key {
        return None;
    }
    let starts_here = second_value.span().start == 0;
    let DeValue::Array(more) = second_value.into_inner() else {
        return None;
    };
    if !starts_here
        || more
            .iter()
            .any(|t| !matches!(t.get_ref(), DeValue::Table(_)))
    {
        return None;
    }
    Some(more.into_iter().collect())
}

/// A value with every position in it moved on by `by` bytes (its tables are built again: a
/// key's position cannot be changed in place).
fn moved(value: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = value.span();
    let value = match value.into_inner() {
        DeValue::Table(table) => DeValue::Table(
            table
                .into_iter()
                .map(|(k, v)| {
                    let ks = k.span();
                    (
                        Spanned::new(ks.start + by..ks.end + by, k.into_inner()),
                        moved(v, by),
                    )
                })
                .collect(),
        ),
        DeValue::Array(mut items) => {
            for item in items.iter_mut() {
                let old = std::mem::replace(item, Spanned::new(0..0, DeValue::Boolean(false)));
                *item = moved(old, by);
            }
            DeValue::Array(items)
        }
        other => other,
    };
    Spanned::new(span.start + by..span.end + by, value)
}

/// Whether the first half's `key` is an array of tables with at least one table, which more
/// tables of `key` after it extend.
fn ends_in_tables(text: &str, key: &str, first: &Spanned<DeTable<'_>>) -> bool {
    let Some(value) = first.get_ref().get(key) else {
        return false;
    };
    // An array of tables is placed where its first `[[key]]` header is, at the start of a line;
    // an array written `key = [...]` after its key.
    let start = value.span().start;
    let before = text[..start].trim_end_matches([' ', '\t']);
    let at_line_start = before.is_empty() || before.ends_with('\n');
    at_line_start
        && text[start..].starts_with("[[")
        && matches!(value.get_ref(), DeValue::Array(tables) if !tables.is_empty())
}

/// The first half with the second half's tables of `key` appended to its own, when its `key`
/// is an array of tables.
#[cfg(test)]
fn join_halves<'i>(
    text: &str,
    key: &str,
    mut first: Spanned<DeTable<'i>>,
    more: Vec<Spanned<DeValue<'i>>>,
) -> Option<Spanned<DeTable<'i>>> {
    if !ends_in_tables(text, key, &first) {
        return None;
    }
    let DeValue::Array(tables) = first.get_mut().get_mut(key)?.get_mut() else {
        return None;
    };
    for table in more {
        tables.push(table);
    }
    Some(first)
}

/// A syntax error on a value that looks like a date in another form (`as_of = 31/10/2019`):
/// one message that names the key and shows the date written the right way.
fn date_like(cx: &mut Cx<'_>, text: &str, range: Range<usize>) -> Option<Diagnostic> {
    let line_start = text[..range.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let value = value.split('#').next().unwrap_or("").trim();
    if key.is_empty() || key.contains(' ') {
        return None;
    }
    let right = right_date(value)?;
    let value_start = line_start + line.find(value)?;
    Some(
        Diagnostic::error(
            "bad-date",
            format!("`{key}` is not a date written year-month-day: {value}"),
        )
        .at(cx.loc(value_start..value_start + value.len()))
        .expected(format!("{key} = {right} (year-month-day, without quotes)")),
    )
}

/// The year-month-day form of a date written another way (`31/10/2019`, `2019/10/31`,
/// `31.10.2019`, `2019-10-31T00:00`), or both readings when day and month could be either.
pub(crate) fn right_date(value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['"', '\'']);
    // A date with a time of day: keep the date.
    if let Some((d, _)) = v.split_once(['T', ' '])
        && let Ok(date) = d.parse::<Date>()
    {
        return Some(date.to_string());
    }
    if let Ok(date) = v.parse::<Date>() {
        return Some(date.to_string());
    }
    let parts: Vec<&str> = v.split(['/', '.', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| {
        s.parse::<i16>()
            .ok()
            .filter(|_| s.chars().all(|c| c.is_ascii_digit()))
    };
    let (a, b, c) = (num(a)?, num(b)?, num(c)?);
    let make = |y: i16, m: i16, d: i16| {
        Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?)
            .ok()
            .map(|d| d.to_string())
    };
    if a >= 1000 {
        return make(a, b, c);
    }
    if c < 1000 {
        return None;
    }
    let day_first = make(c, b, a);
    let month_first = make(c, a, b);
    match (day_first, month_first) {
        (Some(x), Some(y)) if x != y => Some(format!("{x} (day first) or {y} (month first)")),
        (Some(x), _) | (None, Some(x)) => Some(x),
        (None, None) => None,
    }
}

fn syntax_hint(message: &str) -> &'static str {
    if message.contains("date") || message.contains("time") {
        "write dates as year-month-day, e.g. 2018-06-30, and check that the day exists in that month"
    } else if message.contains("duplicate key") {
        "each key may appear once per table; remove or rename one of them"
    } else if message.contains("string") || message.contains("quote") {
        "text values need quotes on both sides, e.g. title = \"Open budget\"; use \"\"\" … \"\"\" for text over several lines"
    } else {
        "TOML lines look like `key = value`, with text in quotes and tables named in [brackets]; see docs/formats.md"
    }
}

/// A limit as people write it: `1,000,000`.
fn limit_words(limit: f64) -> String {
    let digits = format!("{}", limit as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a value was written, for "found …" messages.
pub(crate) fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => {
            let shown: String = s.chars().take(40).collect();
            format!("the text \"{shown}\"")
        }
        DeValue::Integer(i) => format!("the number {i}"),
        DeValue::Float(f) => format!("the number {f}"),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("the date/time {d}"),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// Parses `YYYY-MM-DD` text into a date.
pub(crate) fn parse_date_text(text: &str) -> Option<Date> {
    text.trim().parse::<Date>().ok()
}

/// Room for the keys of a schema table, so that asking for them does not grow the list of known
/// keys again and again (a commitment's schema has a dozen, some asked for twice).
const KNOWN_CAPACITY: usize = 16;

/// Tables with at most this many keys are searched key by key: for the few keys of a
/// commitment or a milestone, comparing them is cheaper than hashing the key looked for.
const SCAN_MAX: usize = 16;

/// The value of `key` in `table`.
fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    if table.len() <= SCAN_MAX {
        table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    } else {
        table.get(key)
    }
}

/// One TOML table being read against a schema.
#[derive(Debug)]
pub(crate) struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    /// How the table is named in messages, e.g. `[plan]` or `[[commitment]] number 3`.
    pub name: String,
    pub range: Range<usize>,
    known: Vec<&'static str>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub(crate) fn new(
        table: &'t DeTable<'i>,
        range: Range<usize>,
        name: impl Into<String>,
    ) -> Self {
        Table {
            table,
            name: name.into(),
            range,
            known: Vec::new(),
        }
    }

    /// The raw value of a key of the schema.
    pub(crate) fn raw(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        // A key asked for twice is listed twice: `finish` leaves out the repeats when it names
        // the known keys, which is cheaper than looking for each key here.
        if self.known.len() == self.known.capacity() {
            self.known.reserve(KNOWN_CAPACITY);
        }
        self.known.push(key);
        get(self.table, key)
    }

    fn wrong_type(&self, cx: &mut Cx<'_>, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) {
        cx.push(
            Diagnostic::error(
                "wrong-type",
                format!(
                    "`{key}` in {} must be {expected}, but it is {}",
                    self.name,
                    describe(value.get_ref())
                ),
            )
            .at(cx.loc(value.span()))
            .expected(expected.to_string()),
        );
    }

    /// Reports that a required key is missing.
    pub(crate) fn missing(&self, cx: &mut Cx<'_>, key: &str, example: &str) {
        cx.push(
            Diagnostic::error("missing-key", format!("{} has no `{key}`", self.name))
                .at(cx.loc(self.range.start..self.range.start))
                .help(format!("add a line such as: {key} = {example}")),
        );
    }

    /// A text value.
    pub(crate) fn string(&mut self, cx: &mut Cx<'_>, key: &'static str) -> Option<(String, Span)> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), cx.span(v.span()))),
            _ => {
                self.wrong_type(cx, key, v, "text in quotes");
                None
            }
        }
    }

    /// A non-empty text value that must be present.
    pub(crate) fn required_string(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<(String, Span)> {
        if self.raw(key).is_none() {
            self.missing(cx, key, example);
            return None;
        }
        let (s, span) = self.string(cx, key)?;
        if s.trim().is_empty() {
            cx.push(
                Diagnostic::error("empty-value", format!("`{key}` in {} is empty", self.name))
                    .at(Location::span(cx.sources, &span))
                    .help(format!("write something, e.g. {key} = {example}")),
            );
            return None;
        }
        Some((s, span))
    }

    /// Optional text, with empty text treated as absent.
    pub(crate) fn text(&mut self, cx: &mut Cx<'_>, key: &'static str) -> Option<String> {
        self.string(cx, key)
            .map(|(s, _)| s)
            .filter(|s| !s.trim().is_empty())
    }

    /// A date, written as a TOML date (`2018-06-30`) or as text in that form.
    pub(crate) fn date(&mut self, cx: &mut Cx<'_>, key: &'static str) -> Option<(Date, Span)> {
        let v = self.raw(key)?;
        let span = cx.span(v.span());
        let bad = |cx: &mut Cx<'_>, found: String, written: &str| {
            let expected = match right_date(written) {
                Some(right) => format!("{key} = {right} (year-month-day, without quotes)"),
                None => "a date written year-month-day, e.g. 2018-06-30 (without quotes)".into(),
            };
            cx.push(
                Diagnostic::error(
                    "bad-date",
                    format!("`{key}` in {} is not a valid date: {found}", self.name),
                )
                .at(Location::span(cx.sources, &span))
                .expected(expected),
            );
        };
        match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    match Date::new(
                        i16::try_from(d.year).unwrap_or(i16::MAX),
                        i8::try_from(d.month).unwrap_or(0),
                        i8::try_from(d.day).unwrap_or(0),
                    ) {
                        Ok(date) => Some((date, span)),
                        Err(_) => {
                            bad(cx, format!("{dt} does not exist"), "");
                            None
                        }
                    }
                }
                _ => {
                    bad(cx, format!("{dt} has a time of day"), &dt.to_string());
                    None
                }
            },
            DeValue::String(s) => match parse_date_text(s) {
                Some(d) => {
                    cx.push(
                        Diagnostic::warning(
                            "quoted-date",
                            format!("`{key}` in {} is a date in quotes: \"{s}\"", self.name),
                        )
                        .at(Location::span(cx.sources, &span))
                        .help(format!(
                            "it is read as {d}; write it without quotes: {key} = {d}"
                        )),
                    );
                    Some((d, span))
                }
                None => {
                    bad(cx, format!("\"{s}\""), s);
                    None
                }
            },
            other => {
                bad(cx, describe(other), "");
                None
            }
        }
    }

    /// A number (integer or decimal) between `-limit` and `limit`: every number a plan or
    /// rubric gives is bounded, so that sums and products of them (weights × values over
    /// thousands of milestones) stay finite and exact enough. One beyond is an error saying so.
    pub(crate) fn number(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        limit: f64,
    ) -> Option<(f64, Span)> {
        let v = self.raw(key)?;
        let (n, written) = match v.get_ref() {
            // An integer too long for i128 is, for this purpose, infinitely large.
            DeValue::Integer(i) => (
                i128::from_str_radix(i.as_str(), i.radix()).map_or(f64::INFINITY, |n| n as f64),
                i.as_str().to_string(),
            ),
            DeValue::Float(f) => (
                f.as_str().parse::<f64>().unwrap_or(f64::NAN),
                f.as_str().to_string(),
            ),
            _ => (f64::NAN, String::new()),
        };
        if n.is_nan() {
            self.wrong_type(cx, key, v, "a number, e.g. 1 or 0.5");
            return None;
        }
        if n.abs() > limit {
            cx.push(
                Diagnostic::error(
                    "number-too-large",
                    format!(
                        "`{key}` in {} is {}, beyond what it may be (at most {} either side of 0)",
                        self.name,
                        crate::text::printable(&written, 40),
                        limit_words(limit)
                    ),
                )
                .at(cx.loc(v.span()))
                .help("such a number would overflow the arithmetic of the scores; use a smaller one (see docs/limits.md)"),
            );
            return None;
        }
        Some((n, cx.span(v.span())))
    }

    /// A whole number from 0 to `max`.
    pub(crate) fn count(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        max: u32,
    ) -> Option<(u32, Span)> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => {
                let text = i.as_str();
                let negative = text.starts_with('-');
                match u32::from_str_radix(text, i.radix()) {
                    Ok(n) if n <= max => Some((n, cx.span(v.span()))),
                    _ if negative => {
                        self.wrong_type(cx, key, v, "a whole number, 0 or more");
                        None
                    }
                    // A whole number, only too large (for u32 or for the key).
                    _ => {
                        cx.push(
                            Diagnostic::error(
                                "number-too-large",
                                format!(
                                    "`{key}` in {} is {}, more than the largest allowed, {}",
                                    self.name,
                                    crate::text::printable(text, 40),
                                    limit_words(f64::from(max))
                                ),
                            )
                            .at(cx.loc(v.span()))
                            .expected(format!(
                                "a whole number from 0 to {}",
                                limit_words(f64::from(max))
                            )),
                        );
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(cx, key, v, "a whole number, 0 or more");
                None
            }
        }
    }

    /// A true/false value.
    pub(crate) fn boolean(&mut self, cx: &mut Cx<'_>, key: &'static str) -> Option<bool> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(cx, key, v, "true or false (without quotes)");
                None
            }
        }
    }

    /// A list of texts; with `single_ok`, a lone text counts as a list of one.
    pub(crate) fn strings(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        single_ok: bool,
    ) -> Vec<(String, Span)> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::String(s) if single_ok => vec![(s.to_string(), cx.span(v.span()))],
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push((s.to_string(), cx.span(item.span()))),
                        other => cx.push(
                            Diagnostic::error(
                                "wrong-type",
                                format!(
                                    "every entry of `{key}` in {} must be text in quotes, but one is {}",
                                    self.name,
                                    describe(other)
                                ),
                            )
                            .at(cx.loc(item.span())),
                        ),
                    }
                }
                out
            }
            _ => {
                let expected = if single_ok {
                    "text in quotes, or a list of them in [brackets]"
                } else {
                    "a list of texts in [brackets], e.g. [\"a\", \"b\"]"
                };
                self.wrong_type(cx, key, v, expected);
                Vec::new()
            }
        }
    }

    /// A value from a fixed set of words.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Option<T> {
        let (s, span) = self.string(cx, key)?;
        if let Some((_, t)) = choices.iter().find(|(id, _)| *id == s.trim()) {
            return Some(*t);
        }
        let names: Vec<&str> = choices.iter().map(|(id, _)| *id).collect();
        cx.push(
            Diagnostic::error(
                "unknown-choice",
                format!("`{key}` in {} cannot be \"{s}\"", self.name),
            )
            .at(Location::span(cx.sources, &span))
            .expected(suggest::one_of(&names, 10))
            .maybe_help(suggest::did_you_mean(&s, names.iter().copied())),
        );
        None
    }

    /// A sub-table, e.g. `[assessment]`.
    pub(crate) fn table(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        name: &str,
    ) -> Option<Table<'t, 'i>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Table::new(t, v.span(), name)),
            _ => {
                self.wrong_type(
                    cx,
                    key,
                    v,
                    &format!("a table, written as {name} on a line of its own"),
                );
                None
            }
        }
    }

    /// An array of tables, e.g. every `[[commitment]]`. `name(i)` names entry `i` in messages.
    pub(crate) fn tables(
        &mut self,
        cx: &mut Cx<'_>,
        key: &'static str,
        header: &str,
    ) -> Vec<Table<'t, 'i>> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                cx,
                key,
                v,
                &format!("a list of tables, each written as {header}"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Table::new(t, item.span(), numbered(header, i + 1))),
                other => cx.push(
                    Diagnostic::error(
                        "wrong-type",
                        format!(
                            "every entry of `{key}` must be a table ({header}), but one is {}",
                            describe(other)
                        ),
                    )
                    .at(cx.loc(item.span())),
                ),
            }
        }
        out
    }

    /// The tables `items` of an array of tables (all tables: see [`read_halves`]), named as
    /// [`Table::tables`] names them, the first as entry `before + 1` of the array.
    pub(crate) fn entries(
        items: &'t [Spanned<DeValue<'i>>],
        header: &str,
        before: usize,
    ) -> Vec<Table<'t, 'i>> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Table::entry(item, header, before + i))
            .collect()
    }

    /// Entry `i` (from 0) of an array of tables, when it is a table, named as
    /// [`Table::tables`] names it.
    pub(crate) fn entry(
        item: &'t Spanned<DeValue<'i>>,
        header: &str,
        i: usize,
    ) -> Option<Table<'t, 'i>> {
        match item.get_ref() {
            DeValue::Table(t) => Some(Table::new(t, item.span(), numbered(header, i + 1))),
            _ => None,
        }
    }

    /// Renames the table in later messages (e.g. once its `id` is known).
    pub(crate) fn rename(&mut self, name: String) {
        self.name = name;
    }

    /// Reports every key the schema did not ask for, with a did-you-mean. Gives back the
    /// table's name, for messages about it after this.
    pub(crate) fn finish(mut self, cx: &mut Cx<'_>) -> String {
        let table = self.table;
        let mut once = false;
        for (key, _) in table.iter() {
            let k: &str = key.get_ref();
            if self.known.contains(&k) {
                continue;
            }
            if !once {
                // Each known key once, in the order they were first asked for.
                let mut known: Vec<&'static str> = Vec::with_capacity(self.known.len());
                for &k in &self.known {
                    if !known.contains(&k) {
                        known.push(k);
                    }
                }
                self.known = known;
                once = true;
            }
            cx.push(
                Diagnostic::error("unknown-key", format!("unknown key `{k}` in {}", self.name))
                    .at(cx.loc(key.span()))
                    .expected(format!("one of {}", suggest::one_of(&self.known, 30)))
                    .maybe_help(suggest::did_you_mean(k, self.known.iter().copied())),
            );
        }
        self.name
    }
}

/// `[[commitment]] number 3`: the name of the third entry of an array of tables, written
/// without `format!` (a plan names ten thousand of them).
fn numbered(header: &str, n: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    let mut name = String::with_capacity(header.len() + " number ".len() + digits.len());
    name.push_str(header);
    name.push_str(" number ");
    name.push_str(digits);
    name
}
