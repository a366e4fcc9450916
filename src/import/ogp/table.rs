//! Reading the CSV file into a [`Table`]: the header, and each row with the line it starts on
//! (a row whose `Full Text` spans several lines starts on its first).

use std::collections::HashMap;
use std::path::Path;

use super::{COUNTRY, ID, PLAN_NUMBER};
use crate::diag::{Diagnostic, Location, Report};

/// One data row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The line the row starts on (rows with multi-line cells span several lines).
    pub line: usize,
    /// The row's cells one after the other, in one allocation: a `String` per cell made the
    /// table of OGP's 171 columns take three times the file's size.
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<u32>,
}

impl Row {
    /// A row of these cells, starting on `line`.
    pub fn new<S: AsRef<str>>(line: usize, cells: impl IntoIterator<Item = S>) -> Row {
        let mut row = Row {
            line,
            text: String::new(),
            ends: Vec::new(),
        };
        for cell in cells {
            row.text.push_str(cell.as_ref());
            row.end_cell();
        }
        row
    }

    fn end_cell(&mut self) {
        // A file is at most 512 MB (`read`), so an offset fits in 32 bits.
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// The cell of column `i`, as written (`None` past the row's last cell).
    pub fn cell(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// The cells, in order.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).filter_map(|i| self.cell(i))
    }
}

/// The whole file.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file as shown in diagnostics.
    pub display: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    index: HashMap<String, usize>,
}

fn normalise_header(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.iter().rev().collect()
}

impl Table {
    /// Builds a table from a header and rows (for tests and other front ends).
    pub fn new(display: impl Into<String>, headers: Vec<String>, rows: Vec<Row>) -> Self {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            index.entry(normalise_header(h)).or_insert(i);
        }
        Table {
            display: display.into(),
            headers,
            rows,
            index,
        }
    }

    /// The index of a column by name (ignoring case and extra spaces).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.index.get(&normalise_header(name)).copied()
    }

    /// A row's cell in a named column, trimmed ("" when the column or cell is missing).
    pub(crate) fn get<'a>(&self, row: &'a Row, name: &str) -> &'a str {
        self.column(name)
            .and_then(|c| row.cell(c))
            .map_or("", str::trim)
    }

    /// The place of a cell, for diagnostics.
    pub(crate) fn at(&self, row: &Row, name: &str) -> Location {
        match self.column(name) {
            Some(c) => self.at_index(row, c),
            None => Location::line(self.display.clone(), row.line, None),
        }
    }

    pub(crate) fn at_index(&self, row: &Row, c: usize) -> Location {
        let header = self.headers.get(c).map_or("", |h| h.trim());
        Location::line(
            self.display.clone(),
            row.line,
            Some(format!("column {} \"{header}\"", column_letter(c))),
        )
    }
}

/// The separator of the header line: the most frequent of comma, semicolon and tab outside
/// quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads the CSV file. `None` (with an error in `report`) when it cannot be read or is not
/// OGP's commitments data.
pub fn read(path: &Path, display: &str, report: &mut Report) -> Option<Table> {
    let whole = || Location::file(display.to_string());
    // Only a regular file is read, and at most this much (`import ogp /dev/zero` is refused).
    const MAX_CSV_BYTES: u64 = 512 * 1024 * 1024;
    let bytes = match crate::source::read_file(path, MAX_CSV_BYTES) {
        Ok(b) => b,
        Err(e) => {
            let why = e.to_string();
            report.push(
                Diagnostic::error("unreadable", format!("cannot read {display}: {why}"))
                    .at(whole())
                    .help("give the path of the CSV file downloaded from OGP's commitments and IRM database"),
            );
            return None;
        }
    };
    let decoded = match crate::text::decode(&bytes) {
        Ok(d) => d,
        Err(why) => {
            report.push(
                Diagnostic::error("not-text", format!("{display} cannot be read: {why}"))
                    .at(whole())
                    .help("download the database as CSV (in Google Sheets: File → Download → Comma-separated values)"),
            );
            return None;
        }
    };
    if !matches!(
        decoded.encoding,
        crate::text::Encoding::Utf8 | crate::text::Encoding::Utf8Bom
    ) {
        report.push(
            Diagnostic::note(
                "encoding",
                format!("read as {} text, not UTF-8", decoded.encoding.name()),
            )
            .at(whole())
            .help("check that accented and non-Latin letters look right in plan.toml"),
        );
    }
    let text = decoded.text;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let loc = if line > 0 {
                    Location::line(display.to_string(), line, None)
                } else {
                    whole()
                };
                report.push(
                    Diagnostic::error("csv-syntax", format!("this is not valid CSV: {e}"))
                        .at(loc)
                        .help("download the file again from OGP's database; a cell may have lost its closing quote"),
                );
                return None;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        // OGP's export writes some characters as HTML entities ("Côte d&#39;Ivoire"): they
        // are decoded before anything reads the text (a list split on ";" must not cut one).
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if headers.is_none() {
            headers = Some(record.iter().map(str::to_string).collect());
        } else {
            let mut row = Row {
                line,
                text: String::with_capacity(record.as_slice().len()),
                ends: Vec::with_capacity(record.len()),
            };
            for cell in &record {
                decode_entities_into(cell, &mut row.text);
                row.end_cell();
            }
            rows.push(row);
        }
    }
    let Some(headers) = headers else {
        report.push(
            Diagnostic::error("empty-file", format!("{display} holds no rows"))
                .at(whole())
                .help("download the database again as CSV"),
        );
        return None;
    };
    let table = Table::new(display, headers, rows);
    let missing: Vec<&str> = [ID, COUNTRY, PLAN_NUMBER]
        .into_iter()
        .filter(|c| table.column(c).is_none())
        .collect();
    if !missing.is_empty() {
        report.push(
            Diagnostic::error(
                "missing-column",
                format!(
                    "the header has no {} column: this does not look like OGP's commitments database",
                    crate::suggest::one_of(&missing, 5).replace(" or ", " and ")
                ),
            )
            .at(Location::line(display.to_string(), 1, None))
            .expected(format!("a header with the columns \"{ID}\", \"{COUNTRY}\" and \"{PLAN_NUMBER}\" (see docs/import.md)")),
        );
        return None;
    }
    Some(table)
}

/// Decodes the HTML character entities of a cell: numeric ones (`&#39;`, `&#x27;`) and the
/// few named ones an export writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`).
/// Anything else with an `&` is left as it is ("AT&T", "R&D; Finance").
#[cfg(test)]
fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    decode_entities_into(text, &mut out);
    out
}

/// [`decode_entities`], appending to `out`.
fn decode_entities_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None if num.chars().all(|c| c.is_ascii_digit()) => num.parse().ok(),
                    None => None,
                };
                code.and_then(char::from_u32).filter(|c| *c != '\0')
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ => None,
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_entities_are_decoded_and_other_ampersands_kept() {
        assert_eq!(
            decode_entities("Entreprises de Côte d&#39;Ivoire (CGECI) ; FIPME"),
            "Entreprises de Côte d'Ivoire (CGECI) ; FIPME"
        );
        assert_eq!(
            decode_entities("a &amp; b &lt;c&gt; &#x27;d&#X27;"),
            "a & b <c> 'd'"
        );
        assert_eq!(
            decode_entities("AT&T; R&D; &unknown; &#0; &#zz; &"),
            "AT&T; R&D; &unknown; &#0; &#zz; &"
        );
        assert_eq!(decode_entities("&#1111111111111;"), "&#1111111111111;");
        assert_eq!(decode_entities("&nbsp;é"), "\u{a0}é");
    }

    #[test]
    fn columns_and_separators() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(170), "FO");
        assert_eq!(sniff_delimiter("a;b;\"c,d,e\"\n1,2,3,4"), b';');
        assert_eq!(sniff_delimiter("a,b,c"), b',');
    }
}
