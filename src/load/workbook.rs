//! Reading the first worksheet of a spreadsheet score file (.xlsx, .xlsm, .ods) row by row,
//! within bounded memory whatever the file claims: cells are streamed from the XML (no
//! rows × columns grid), declared sizes (`<dimension>`, `uniqueCount`, repeat counts) are never
//! used to reserve memory, every part, XML token, cell and row has a size cap, elements may
//! nest only so deep, and a sheet's cells and text have a total cap (ODS repetitions counted),
//! so that neither reading nor the commands that keep what evaluators wrote can be made to take
//! gigabytes or hours by a small file. A file beyond a cap is refused with a located error; see
//! docs/limits.md. Text reads as typed: Excel's
//! `_xHHHH_` escapes in an .xlsx's strings are decoded ([`decode_xstring`]).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::diag::{Diagnostic, Location};

/// The largest workbook file read.
pub(crate) const MAX_WORKBOOK_BYTES: u64 = 64 * 1024 * 1024;
/// The most a part (one XML file inside the workbook) may expand to.
pub(crate) const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;
/// The most text one cell may hold (bytes of UTF-8).
pub(crate) const MAX_CELL_BYTES: usize = 1024 * 1024;
/// The most text one row may hold (bytes of UTF-8, all its cells).
pub(crate) const MAX_ROW_BYTES: usize = 4 * 1024 * 1024;
/// The most the shared strings of an .xlsx may hold in all (bytes of UTF-8).
pub(crate) const MAX_SHARED_BYTES: usize = 64 * 1024 * 1024;
/// The most shared strings an .xlsx may hold.
pub(crate) const MAX_SHARED_STRINGS: usize = 4 * 1024 * 1024;
/// The most cells a sheet is read as: its rows, each as wide as the widest row so far (how they
/// are handed on, as a CSV export of the sheet has them), ODS rows repeated with content
/// counted at each repetition; as many as a full sheet of 16 columns. This bounds the work a
/// small file can ask for (an .ods row of 16,384 cells repeated a million times is 569 bytes).
pub(crate) const MAX_SHEET_CELLS: u64 = 16 * MAX_ROWS as u64;
/// The most text a sheet's cells may hold together (bytes of UTF-8, a repeated cell or row
/// counted at each repetition, a shared string at each cell that shows it): what the largest
/// workbook file may weigh, 64 MB. The commands that show what evaluators wrote keep that text
/// in memory, so this bounds what a small, highly compressed file makes them take.
pub(crate) const MAX_SHEET_TEXT: u64 = 64 * 1024 * 1024;
/// The longest run of XML without a `<` (one text or one tag).
const MAX_TOKEN_BYTES: u64 = 4 * 1024 * 1024;
/// How deep elements may nest in a part. A cell's XML is a few levels deep in any workbook
/// (`worksheet/sheetData/row/c/is/r/t`; an .ods cell's text spans nest a little more); the XML
/// reader keeps the name of every open element, so a part nesting millions of elements would
/// take gigabytes.
pub(crate) const MAX_DEPTH: usize = 256;
/// The most bytes the names of the open elements may take together (what the XML reader keeps
/// of them, whatever the depth).
const MAX_OPEN_NAME_BYTES: usize = 64 * 1024;
/// The most entries a workbook's ZIP container may hold.
const MAX_ENTRIES: u64 = 10_000;
/// The last column (XFD) and row of a spreadsheet.
pub(crate) const MAX_COLUMNS: usize = 16_384;
pub(crate) const MAX_ROWS: u32 = 1_048_576;

const RESAVE: &str =
    "open it in your spreadsheet program and save it again as .xlsx, .ods or CSV UTF-8";

/// Why a workbook could not be read, with the cell or part it concerns.
#[derive(Debug)]
pub(crate) struct Problem {
    code: &'static str,
    message: String,
    /// The 1-based row and the cell's name (`Scores!D7`), when the problem is in one cell.
    cell: Option<(u32, String)>,
    help: String,
    /// For elements nested too deep, how they nest (`nests elements more than 256 deep`), so
    /// that a reader that knows the cell can name it ([`Problem::nested_in_cell`]).
    nesting: Option<String>,
}

impl Problem {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            cell: None,
            help: RESAVE.to_string(),
            nesting: None,
        }
    }

    /// Elements nested too deep in `part` (`nesting` says how).
    fn too_deep(part: &str, nesting: String) -> Self {
        let mut problem = Problem::new(
            "too-large",
            format!("the part {part} of the workbook {nesting}"),
        );
        problem.nesting = Some(nesting);
        problem
    }

    /// The same problem, said of the cell `name` of `row` when it is elements nested too deep.
    fn nested_in_cell(self, row: u32, name: impl FnOnce() -> String) -> Self {
        match &self.nesting {
            Some(nesting) => {
                let name = name();
                let mut problem = Problem::new("too-large", format!("cell {name} {nesting}"));
                problem.nesting = self.nesting;
                problem.in_cell(row, name)
            }
            None => self,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    fn in_cell(mut self, row: u32, name: String) -> Self {
        self.cell = Some((row, name));
        self
    }

    /// The diagnostic for the score file shown as `display`.
    pub(crate) fn diagnostic(&self, display: &str) -> Diagnostic {
        let loc = match &self.cell {
            Some((row, name)) => Location::line(
                display.to_string(),
                *row as usize,
                Some(format!("cell {name}")),
            ),
            None => Location::file(display.to_string()),
        };
        Diagnostic::error(self.code, self.message.clone())
            .at(loc)
            .help(self.help.clone())
    }
}

/// A cap passed through `std::io` from [`Capped`] to the XML reader's caller.
#[derive(Debug)]
struct CapHit(String);

impl std::fmt::Display for CapHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CapHit {}

/// A reader of one part that fails once the part grows past [`MAX_PART_BYTES`], or once a run
/// without `<` (one XML token, which the XML reader buffers whole) passes [`MAX_TOKEN_BYTES`].
struct Capped<R> {
    inner: R,
    part: String,
    total: u64,
    run: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > MAX_PART_BYTES {
            return Err(std::io::Error::other(CapHit(format!(
                "the part {} of the workbook expands to more than {} MB",
                self.part,
                MAX_PART_BYTES / 1024 / 1024
            ))));
        }
        for &b in &buf[..n] {
            if b == b'<' {
                self.run = 0;
            } else {
                self.run += 1;
            }
        }
        if self.run > MAX_TOKEN_BYTES {
            return Err(std::io::Error::other(CapHit(format!(
                "the part {} of the workbook holds a text or tag longer than {} MB",
                self.part,
                MAX_TOKEN_BYTES / 1024 / 1024
            ))));
        }
        Ok(n)
    }
}

type Archive = zip::ZipArchive<BufReader<File>>;

/// An XML reader over one part of a workbook, with its caps, that refuses elements nested
/// deeper than [`MAX_DEPTH`] (or whose open names pass [`MAX_OPEN_NAME_BYTES`]): quick-xml keeps
/// the name of each open element to pair it with its end tag, even with `check_end_names` off,
/// so the depth is what bounds that stack.
struct PartReader<'a> {
    xml: Reader<BufReader<Capped<zip::read::ZipFile<'a, BufReader<File>>>>>,
    part: String,
    /// The length of each open element's name, innermost last (at most [`MAX_DEPTH`]).
    open: Vec<usize>,
    open_bytes: usize,
}

impl PartReader<'_> {
    /// The next event, or why the part cannot be read.
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, Problem> {
        let event = self
            .xml
            .read_event_into(buf)
            .map_err(|e| xml_problem(&self.part, &e))?;
        match &event {
            Event::Start(e) => {
                let len = e.name().as_ref().len();
                if self.open.len() >= MAX_DEPTH {
                    return Err(Problem::too_deep(
                        &self.part,
                        format!("nests elements more than {MAX_DEPTH} deep"),
                    ));
                }
                if self.open_bytes + len > MAX_OPEN_NAME_BYTES {
                    return Err(Problem::too_deep(
                        &self.part,
                        format!(
                            "nests elements whose names take more than {} kB together",
                            MAX_OPEN_NAME_BYTES / 1024
                        ),
                    ));
                }
                self.open.push(len);
                self.open_bytes += len;
            }
            // The XML reader refuses an end tag with no open element, and pairs each one with
            // the innermost open element whatever its name.
            Event::End(_) => self.open_bytes -= self.open.pop().unwrap_or(0),
            _ => {}
        }
        Ok(event)
    }

    fn decoder(&self) -> quick_xml::encoding::Decoder {
        self.xml.decoder()
    }
}

/// Which format the workbook is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Ods,
}

/// One worksheet of an open workbook, ready to be read row by row.
pub(crate) struct Sheet {
    archive: Archive,
    kind: Kind,
    name: String,
    /// The worksheet's part (.xlsx) or the table's position in content.xml (.ods).
    part: String,
    table: usize,
    shared: SharedStrings,
    /// For each cell style (`s="N"`) of an .xlsx, whether it shows a number as a date.
    date_styles: Vec<bool>,
}

impl std::fmt::Debug for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The shared strings of an .xlsx, in one buffer.
#[derive(Debug, Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        self.text.get(start..end)
    }
}

/// Whether a sheet is the instructions sheet `checkmyogp sheet` writes first.
fn is_instructions(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("instructions")
}

/// Opens a workbook and picks its first worksheet (or the one after an "Instructions" sheet).
pub(crate) fn open(path: &Path) -> Result<Sheet, Problem> {
    let mut file = File::open(path)
        .map_err(|e| Problem::new("unreadable", format!("cannot open the workbook: {e}")))?;
    let len = file
        .metadata()
        .map_err(|e| Problem::new("unreadable", format!("cannot read the workbook: {e}")))?
        .len();
    if len > MAX_WORKBOOK_BYTES {
        return Err(Problem::new(
            "too-large",
            format!(
                "the workbook is larger than {} MB",
                MAX_WORKBOOK_BYTES / 1024 / 1024
            ),
        )
        .help("save the scores as CSV (File → Save as → \"CSV UTF-8\"), which has no size limit"));
    }
    check_entry_count(&mut file, len)?;
    let archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Problem::new("unreadable", format!("the workbook cannot be read: {e}")))?;
    let mut book = Sheet {
        archive,
        kind: Kind::Xlsx,
        name: String::new(),
        part: String::new(),
        table: 0,
        shared: SharedStrings::default(),
        date_styles: Vec::new(),
    };
    if book.archive.index_for_name("xl/workbook.xml").is_some() {
        book.open_xlsx()?;
    } else if book.archive.index_for_name("content.xml").is_some() {
        book.kind = Kind::Ods;
        book.open_ods()?;
    } else {
        return Err(Problem::new(
            "unreadable",
            "the workbook cannot be read: it is a ZIP file, but neither an .xlsx nor an .ods workbook",
        ));
    }
    Ok(book)
}

/// Refuses a ZIP container with more entries than any workbook has, before its directory is
/// read into memory (a 64 MB file could otherwise list over a million entries).
fn check_entry_count(file: &mut File, len: u64) -> Result<(), Problem> {
    let tail_len = len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len))
        .and_then(|_| file.read_exact(&mut tail))
        .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
        .map_err(|e| Problem::new("unreadable", format!("cannot read the workbook: {e}")))?;
    let Some(at) = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|&at| at + 22 <= tail.len())
    else {
        return Err(Problem::new(
            "unreadable",
            "the workbook cannot be read: it is damaged (its ZIP directory is missing)",
        ));
    };
    let entries = u64::from(u16::from_le_bytes([tail[at + 10], tail[at + 11]]));
    if entries > MAX_ENTRIES {
        return Err(Problem::new(
            "unreadable",
            format!(
                "the workbook cannot be read: it holds {entries} parts, more than any workbook has"
            ),
        ));
    }
    Ok(())
}

/// An XML reader over one part of the archive.
fn part_reader<'a>(archive: &'a mut Archive, name: &str) -> Result<PartReader<'a>, Problem> {
    let entry = archive.by_name(name).map_err(|e| {
        Problem::new(
            "unreadable",
            format!("the workbook cannot be read: its part {name} is missing or damaged ({e})"),
        )
    })?;
    let capped = Capped {
        inner: entry,
        part: name.to_string(),
        total: 0,
        run: 0,
    };
    let mut xml = Reader::from_reader(BufReader::with_capacity(64 * 1024, capped));
    xml.config_mut().check_end_names = false;
    Ok(PartReader {
        xml,
        part: name.to_string(),
        open: Vec::new(),
        open_bytes: 0,
    })
}

/// The words for an XML error in `part`, naming the cap that was hit when it is one.
fn xml_problem(part: &str, e: &quick_xml::Error) -> Problem {
    if let quick_xml::Error::Io(io) = e
        && let Some(cap) = io.get_ref().and_then(|i| i.downcast_ref::<CapHit>())
    {
        return Problem::new("too-large", cap.0.clone()).help(
            "a score sheet holds short texts; save the scores as CSV (\"CSV UTF-8\") if this one is meant to be this large",
        );
    }
    Problem::new(
        "unreadable",
        format!("the workbook cannot be read: its part {part} is damaged ({e})"),
    )
}

/// What `read` takes from each element named `local` in `part` (the first 1000 of them; the
/// rest of the part is still read, so that damage anywhere in it is reported).
fn elements<T>(
    archive: &mut Archive,
    part: &str,
    local: &[u8],
    mut read: impl FnMut(&BytesStart<'_>, quick_xml::encoding::Decoder) -> T,
) -> Result<Vec<T>, Problem> {
    let mut found = Vec::new();
    let mut reader = part_reader(archive, part)?;
    let mut buf = Vec::new();
    loop {
        match reader.next(&mut buf)? {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == local && found.len() < 1000 =>
            {
                found.push(read(&e, reader.decoder()));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(found)
}

/// The value of an attribute by its local name (`table:name` → `name`), unescaped.
fn attr(e: &BytesStart<'_>, local: &[u8], decoder: quick_xml::encoding::Decoder) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.decode_and_unescape_value(decoder)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// The text of a general reference (`&amp;`, `&#233;`).
fn reference_text(r: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

/// Whether a number format code shows a date (`yyyy-mm-dd`, `d/m/yy`, `[$-409]mmmm d`): a
/// `d`, `m` or `y` outside quoted text and brackets.
fn is_date_code(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A date cell's serial number (days since 1899-12-30) as an ISO date, as a CSV export of the
/// sheet shows it; the number as it is when it is no date.
fn date_text(raw: &str) -> String {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..2_958_466.0).contains(&v) => {
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(v.floor() as i64))
                .map_or_else(|_| number_text(raw), |d| d.to_string())
        }
        _ => number_text(raw),
    }
}

/// A spreadsheet number as a CSV export would write it.
fn number_text(raw: &str) -> String {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Ok(v) if v.is_finite() => format!("{v}"),
        _ => raw.to_string(),
    }
}

/// `A` for 0, `AA` for 26.
fn column_letter(index: usize) -> String {
    super::scores::column_letter(index)
}

/// The 0-based column and 1-based row of a reference such as `D7`.
fn parse_ref(r: &str) -> Option<(usize, u32)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col = 0usize;
    for b in r[..letters].bytes() {
        col = col * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u32 = r[letters..].parse().ok()?;
    Some((col - 1, row))
}

/// Collects one row's cells, checking the caps.
#[derive(Debug, Default)]
struct RowBuf {
    cells: Vec<(usize, String)>,
    bytes: usize,
    width: usize,
    /// The cells and the bytes of text handed on so far (see [`MAX_SHEET_CELLS`] and
    /// [`MAX_SHEET_TEXT`]).
    cells_read: u64,
    text_read: u64,
}

impl RowBuf {
    fn push(&mut self, sheet: &str, row: u32, col: usize, text: String) -> Result<(), Problem> {
        if text.is_empty() {
            return Ok(());
        }
        let cell = || format!("{sheet}!{}{row}", column_letter(col.min(MAX_COLUMNS)));
        if col >= MAX_COLUMNS {
            return Err(Problem::new(
                "too-large",
                format!(
                    "a cell of row {row} is beyond column {}, the last a spreadsheet has",
                    column_letter(MAX_COLUMNS - 1)
                ),
            )
            .in_cell(row, cell()));
        }
        self.bytes += text.len();
        if self.bytes > MAX_ROW_BYTES {
            return Err(Problem::new(
                "too-large",
                format!(
                    "row {row} holds more than {} MB of text",
                    MAX_ROW_BYTES / 1024 / 1024
                ),
            )
            .in_cell(row, cell())
            .help("a score sheet holds short texts; check that this is the right file"));
        }
        self.cells.push((col, text));
        Ok(())
    }

    /// How wide the row is handed on: as the widest so far (the header, usually), as a CSV
    /// export has them.
    fn width_now(&self) -> usize {
        let width = self.cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
        self.width.max(width)
    }

    /// The name of the row's first cell, or of the one holding the most text.
    fn cell_name(&self, sheet: &str, row: u32, largest: bool) -> String {
        let at = match largest {
            true => self.cells.iter().max_by_key(|(_, t)| t.len()),
            false => self.cells.first(),
        };
        let col = at.map_or(0, |(c, _)| *c);
        format!("{sheet}!{}{row}", column_letter(col))
    }

    /// Hands the row to `take` as fields laid out by column; `false` when reading must stop.
    /// Refused once the sheet passes [`MAX_SHEET_CELLS`] or [`MAX_SHEET_TEXT`].
    fn flush(
        &mut self,
        sheet: &str,
        row: u32,
        take: &mut dyn FnMut(u32, &[&str]) -> bool,
    ) -> Result<bool, Problem> {
        if self.cells.is_empty() {
            return Ok(true);
        }
        self.width = self.width_now();
        self.cells_read += self.width as u64;
        self.text_read += self.bytes as u64;
        if self.cells_read > MAX_SHEET_CELLS {
            return Err(Problem::new(
                "too-large",
                format!(
                    "sheet {sheet} has more than {MAX_SHEET_CELLS} cells by row {row}, its rows read {} cells wide (to the last column that holds something)",
                    self.width
                ),
            )
            .in_cell(row, self.cell_name(sheet, row, false))
            .help("a score sheet has a column per field and a row per rating; delete the rows and columns beyond the table, or save the scores as CSV (\"CSV UTF-8\")"));
        }
        if self.text_read > MAX_SHEET_TEXT {
            return Err(Problem::new(
                "too-large",
                format!(
                    "sheet {sheet} holds more than {} MB of text by row {row}",
                    MAX_SHEET_TEXT / 1024 / 1024
                ),
            )
            .in_cell(row, self.cell_name(sheet, row, true))
            .help("a score sheet holds short texts; save the scores as CSV (\"CSV UTF-8\") if this one is meant to be this large"));
        }
        let mut fields: Vec<&str> = vec![""; self.width];
        for (c, t) in &self.cells {
            fields[*c] = t;
        }
        let go_on = take(row, &fields);
        self.cells.clear();
        self.bytes = 0;
        Ok(go_on)
    }

    /// Refuses an ODS row that holds something and is repeated `repeat` times, before it is
    /// expanded, when its repetitions would take the sheet past [`MAX_SHEET_CELLS`] or
    /// [`MAX_SHEET_TEXT`]. (Empty rows and cells repeated to the sheet's end, as spreadsheet
    /// programs write them, hold nothing and cost nothing.)
    fn check_repeat(&self, sheet: &str, row: u32, repeat: u32) -> Result<(), Problem> {
        if repeat <= 1 {
            return Ok(());
        }
        let width = self.width_now() as u64;
        let bytes = self.bytes as u64;
        let repeated = |what: String, limit: String| {
            Problem::new(
                "too-large",
                format!(
                    "row {row} of sheet {sheet} is repeated {repeat} times, {what} each: more than the {limit} a sheet may have"
                ),
            )
            .in_cell(row, self.cell_name(sheet, row, false))
            .help("save the sheet without the repeated rows (delete the rows below the table), or save the scores as CSV (\"CSV UTF-8\")")
        };
        if self.cells_read + u64::from(repeat) * width > MAX_SHEET_CELLS {
            return Err(repeated(
                format!("{width} cells"),
                format!("{MAX_SHEET_CELLS} cells"),
            ));
        }
        if self.text_read + u64::from(repeat) * bytes > MAX_SHEET_TEXT {
            return Err(repeated(
                format!("{bytes} bytes of text"),
                format!("{} MB of text", MAX_SHEET_TEXT / 1024 / 1024),
            ));
        }
        Ok(())
    }
}

/// Text being gathered for one cell, refused past [`MAX_CELL_BYTES`].
fn push_text(
    out: &mut String,
    text: &str,
    sheet: &str,
    row: u32,
    col: usize,
) -> Result<(), Problem> {
    if out.len() + text.len() > MAX_CELL_BYTES {
        return Err(cell_too_long(sheet, row, col));
    }
    out.push_str(text);
    Ok(())
}

fn cell_too_long(sheet: &str, row: u32, col: usize) -> Problem {
    let name = format!("{sheet}!{}{row}", column_letter(col.min(MAX_COLUMNS - 1)));
    Problem::new(
        "too-large",
        format!(
            "cell {name} holds more than {} MB of text",
            MAX_CELL_BYTES / 1024 / 1024
        ),
    )
    .in_cell(row, name)
    .help("a score sheet holds short texts; shorten the cell, or save the scores as CSV")
}

/// Decodes Excel's `_xHHHH_` escapes in the text of a shared or inline string (OOXML's
/// `ST_Xstring`): `_x` and exactly four hex digits and `_` stand for that character, which is
/// how Excel writes what XML cannot carry (a CR of a Windows line break is `_x000D_`), and
/// `_x005F_` stands for `_`, which is how it writes a literal `_x0041_` (`_x005F_x0041_`). An
/// escape naming no character (a lone surrogate, `_xD800_`) is kept as written. Applied to each
/// run of XML text, as Excel and calamine do (an escape holds no `&`, so an entity never
/// splits one); not to .ods, where the text is plain XML.
fn decode_xstring(text: &str) -> std::borrow::Cow<'_, str> {
    let escape_at = |b: &[u8], i: usize| -> Option<char> {
        let e = b.get(i..i + 7)?;
        if e[0] != b'_'
            || e[1] != b'x'
            || e[6] != b'_'
            || !e[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        // Four ASCII hex digits: valid UTF-8, and a number below 0x10000.
        let hex = std::str::from_utf8(&e[2..6]).ok()?;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    };
    let b = text.as_bytes();
    let Some(first) = text.find("_x").filter(|_| text.len() >= 7) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut i = first;
    let mut copied = first;
    while let Some(at) = text[i..].find("_x").map(|a| a + i) {
        match escape_at(b, at) {
            Some(c) => {
                out.push_str(&text[copied..at]);
                out.push(c);
                i = at + 7;
                copied = i;
            }
            None => i = at + 1,
        }
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

impl Sheet {
    /// The worksheet's name (for cells named like `Scores!D7`).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    fn open_xlsx(&mut self) -> Result<(), Problem> {
        // Sheet names and their relationship ids, in order.
        let sheets: Vec<(String, String)> =
            elements(&mut self.archive, "xl/workbook.xml", b"sheet", |e, d| {
                (
                    attr(e, b"name", d).unwrap_or_default(),
                    attr(e, b"id", d).unwrap_or_default(),
                )
            })?;
        // Relationship ids → parts.
        let mut rels: Vec<(String, String, String)> = Vec::new();
        let part = "xl/_rels/workbook.xml.rels";
        if self.archive.index_for_name(part).is_some() {
            rels = elements(&mut self.archive, part, b"Relationship", |e, d| {
                (
                    attr(e, b"Id", d).unwrap_or_default(),
                    attr(e, b"Type", d).unwrap_or_default(),
                    attr(e, b"Target", d).unwrap_or_default(),
                )
            })?;
        }
        let target = |t: &str| match t.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{t}"),
        };
        let Some((name, id)) = sheets
            .iter()
            .find(|(n, _)| !is_instructions(n))
            .or(sheets.first())
            .cloned()
        else {
            return Err(Problem::new("empty-file", "the workbook has no worksheet"));
        };
        let position = sheets.iter().position(|(n, _)| *n == name).unwrap_or(0);
        self.part = match rels.iter().find(|(rid, _, _)| *rid == id) {
            Some((_, _, t)) => target(t),
            None => format!("xl/worksheets/sheet{}.xml", position + 1),
        };
        self.name = name;
        let shared = rels
            .iter()
            .find(|(_, ty, _)| ty.ends_with("/sharedStrings"))
            .map(|(_, _, t)| target(t))
            .or_else(|| {
                self.archive
                    .index_for_name("xl/sharedStrings.xml")
                    .map(|_| "xl/sharedStrings.xml".to_string())
            });
        if self.archive.index_for_name("xl/styles.xml").is_some() {
            self.read_date_styles("xl/styles.xml")?;
        }
        if let Some(part) = shared {
            self.read_shared_strings(&part)?;
        }
        Ok(())
    }

    /// Which cell styles show numbers as dates: built-in date formats (14–22) and custom ones
    /// whose code has a day, month or year outside quotes and brackets. At most 64,000 styles.
    fn read_date_styles(&mut self, part: &str) -> Result<(), Problem> {
        let mut reader = part_reader(&mut self.archive, part)?;
        let mut buf = Vec::new();
        let mut custom: Vec<(u32, bool)> = Vec::new();
        let mut in_xfs = false;
        let mut xf_formats: Vec<u32> = Vec::new();
        loop {
            let event = reader.next(&mut buf)?;
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let d = reader.decoder();
                    match e.local_name().as_ref() {
                        b"numFmt" if custom.len() < 64_000 => {
                            let id = attr(&e, b"numFmtId", d).and_then(|v| v.parse().ok());
                            let code = attr(&e, b"formatCode", d).unwrap_or_default();
                            if let Some(id) = id {
                                custom.push((id, is_date_code(&code)));
                            }
                        }
                        b"cellXfs" => in_xfs = true,
                        b"xf" if in_xfs && xf_formats.len() < 64_000 => {
                            xf_formats.push(
                                attr(&e, b"numFmtId", d)
                                    .and_then(|v| v.parse().ok())
                                    .unwrap_or(0),
                            );
                        }
                        _ => {}
                    }
                }
                Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        self.date_styles = xf_formats
            .iter()
            .map(|&id| match custom.iter().find(|(c, _)| *c == id) {
                Some(&(_, date)) => date,
                None => (14..=22).contains(&id),
            })
            .collect();
        Ok(())
    }

    /// Reads the shared strings into one buffer (never reserving from `uniqueCount`).
    fn read_shared_strings(&mut self, part: &str) -> Result<(), Problem> {
        let mut reader = part_reader(&mut self.archive, part)?;
        let mut buf = Vec::new();
        let mut shared = SharedStrings::default();
        let mut in_si = false;
        let mut in_t = false;
        let mut phonetic = 0usize;
        let mut start = 0usize;
        let too_big = || {
            Problem::new(
                "too-large",
                format!(
                    "the shared strings of the workbook hold more than {} MB or {} texts",
                    MAX_SHARED_BYTES / 1024 / 1024,
                    MAX_SHARED_STRINGS
                ),
            )
            .help("a score sheet holds short texts; save the scores as CSV (\"CSV UTF-8\") if this one is meant to be this large")
        };
        loop {
            let event = reader.next(&mut buf)?;
            match event {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"si" => {
                        in_si = true;
                        start = shared.text.len();
                    }
                    b"rPh" => phonetic += 1,
                    b"t" => in_t = true,
                    _ => {}
                },
                Event::Empty(e) if e.local_name().as_ref() == b"si" => {
                    if shared.ends.len() >= MAX_SHARED_STRINGS {
                        return Err(too_big());
                    }
                    shared
                        .ends
                        .push(u32::try_from(shared.text.len()).map_err(|_| too_big())?);
                }
                Event::End(e) => match e.local_name().as_ref() {
                    b"si" if in_si => {
                        in_si = false;
                        if shared.ends.len() >= MAX_SHARED_STRINGS {
                            return Err(too_big());
                        }
                        shared
                            .ends
                            .push(u32::try_from(shared.text.len()).map_err(|_| too_big())?);
                    }
                    b"rPh" => phonetic = phonetic.saturating_sub(1),
                    b"t" => in_t = false,
                    _ => {}
                },
                Event::Text(t) if in_si && in_t && phonetic == 0 => {
                    let text = t
                        .xml10_content()
                        .map_err(|e| xml_problem(part, &e.into()))?;
                    shared_push(&mut shared, &decode_xstring(&text), start, &too_big)?;
                }
                Event::CData(t) if in_si && in_t && phonetic == 0 => {
                    let text = String::from_utf8_lossy(&t);
                    shared_push(&mut shared, &text, start, &too_big)?;
                }
                Event::GeneralRef(r) if in_si && in_t && phonetic == 0 => {
                    if let Some(text) = reference_text(&r) {
                        shared_push(&mut shared, &text, start, &too_big)?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        self.shared = shared;
        Ok(())
    }
}

fn shared_push(
    shared: &mut SharedStrings,
    text: &str,
    start: usize,
    too_big: &dyn Fn() -> Problem,
) -> Result<(), Problem> {
    if shared.text.len() + text.len() > MAX_SHARED_BYTES {
        return Err(too_big());
    }
    if shared.text.len() + text.len() - start > MAX_CELL_BYTES {
        return Err(Problem::new(
            "too-large",
            format!(
                "shared string {} of the workbook holds more than {} MB of text",
                shared.ends.len(),
                MAX_CELL_BYTES / 1024 / 1024
            ),
        )
        .help("a score sheet holds short texts; shorten the cell, or save the scores as CSV"));
    }
    shared.text.push_str(text);
    Ok(())
}

impl Sheet {
    fn open_ods(&mut self) -> Result<(), Problem> {
        // The first table not named "Instructions" (or the first): stop as soon as it is known.
        let part = "content.xml";
        let mut reader = part_reader(&mut self.archive, part)?;
        let mut buf = Vec::new();
        let mut first: Option<String> = None;
        let mut index = 0usize;
        loop {
            match reader.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"table" => {
                    let name = attr(&e, b"name", reader.decoder()).unwrap_or_default();
                    if !is_instructions(&name) {
                        self.name = name;
                        self.table = index;
                        return Ok(());
                    }
                    first.get_or_insert(name);
                    index += 1;
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        match first {
            Some(name) => {
                self.name = name;
                self.table = 0;
                Ok(())
            }
            None => Err(Problem::new("empty-file", "the workbook has no worksheet")),
        }
    }

    /// Reads the worksheet's non-empty rows in order, handing each to `take` with its 1-based
    /// row number and its cells laid out by column (`""` for an empty one). Stops when `take`
    /// returns `false`.
    pub(crate) fn rows(
        mut self,
        mut take: impl FnMut(u32, &[&str]) -> bool,
    ) -> Result<(), Problem> {
        match self.kind {
            Kind::Xlsx => self.xlsx_rows(&mut take),
            Kind::Ods => self.ods_rows(&mut take),
        }
    }

    fn xlsx_rows(&mut self, take: &mut dyn FnMut(u32, &[&str]) -> bool) -> Result<(), Problem> {
        let part = self.part.clone();
        let sheet = self.name.clone();
        let shared = std::mem::take(&mut self.shared);
        let date_styles = std::mem::take(&mut self.date_styles);
        let mut is_date = false;
        let mut reader = part_reader(&mut self.archive, &part)?;
        let mut buf = Vec::new();
        let mut row_buf = RowBuf::default();
        let mut row: u32 = 0;
        let mut col: usize = 0;
        // The cell being read: its type, and whether its value or inline text is being read.
        let mut cell_type = String::new();
        let mut value = String::new();
        let mut in_value = false;
        let mut in_inline = false;
        let mut in_t = false;
        let mut phonetic = 0usize;
        let mut in_cell = false;
        // Whether a `<c>` element is open (its XML is being read).
        let mut open_cell = false;
        loop {
            let event = reader.next(&mut buf).map_err(|p| match open_cell {
                true => p.nested_in_cell(row, || format!("{sheet}!{}{row}", column_letter(col))),
                false => p,
            })?;
            match event {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                    if !row_buf.flush(&sheet, row, take)? {
                        return Ok(());
                    }
                    let d = reader.decoder();
                    row = match attr(&e, b"r", d).and_then(|r| r.trim().parse::<u32>().ok()) {
                        Some(r) => r,
                        None => row.saturating_add(1),
                    };
                    if row == 0 || row > MAX_ROWS {
                        return Err(Problem::new(
                            "too-large",
                            format!(
                                "the worksheet has a row numbered {row}; a spreadsheet's rows go from 1 to {MAX_ROWS}"
                            ),
                        ));
                    }
                    col = 0;
                    in_cell = false;
                }
                Event::Start(e) if e.local_name().as_ref() == b"c" => {
                    let d = reader.decoder();
                    col = match attr(&e, b"r", d) {
                        Some(r) => match parse_ref(&r) {
                            Some((c, _)) => c,
                            None => {
                                return Err(Problem::new(
                                    "unreadable",
                                    format!(
                                        "the workbook cannot be read: a cell of row {row} has the malformed reference \"{}\"",
                                        crate::text::printable(&r, 40)
                                    ),
                                ));
                            }
                        },
                        None if in_cell => col + 1,
                        None => col,
                    };
                    if col >= MAX_COLUMNS {
                        return Err(Problem::new(
                            "too-large",
                            format!(
                                "a cell of row {row} is beyond column XFD, the last a spreadsheet has"
                            ),
                        ));
                    }
                    cell_type = attr(&e, b"t", d).unwrap_or_default();
                    is_date = attr(&e, b"s", d)
                        .and_then(|s| s.trim().parse::<usize>().ok())
                        .and_then(|s| date_styles.get(s).copied())
                        .unwrap_or(false);
                    value.clear();
                    in_cell = true;
                    open_cell = true;
                }
                Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                    // An empty cell (only a style): it still moves the column on.
                    let d = reader.decoder();
                    col = match attr(&e, b"r", d).and_then(|r| parse_ref(&r)) {
                        Some((c, _)) => c,
                        None if in_cell => col + 1,
                        None => col,
                    };
                    in_cell = true;
                }
                Event::Start(e) => match e.local_name().as_ref() {
                    b"v" => in_value = true,
                    b"is" => in_inline = true,
                    b"t" => in_t = true,
                    b"rPh" => phonetic += 1,
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    b"v" => in_value = false,
                    b"is" => in_inline = false,
                    b"t" => in_t = false,
                    b"rPh" => phonetic = phonetic.saturating_sub(1),
                    b"c" => {
                        open_cell = false;
                        let text = match cell_type.as_str() {
                            "s" => {
                                let index = value.trim().parse::<usize>().ok();
                                match index.and_then(|i| shared.get(i)) {
                                    Some(s) => s.to_string(),
                                    None => {
                                        let name = format!("{sheet}!{}{row}", column_letter(col));
                                        return Err(Problem::new(
                                            "unreadable",
                                            format!(
                                                "the workbook cannot be read: cell {name} refers to shared text \"{}\", but the workbook holds {} shared texts",
                                                crate::text::printable(&value, 20),
                                                shared.ends.len()
                                            ),
                                        )
                                        .in_cell(row, name));
                                    }
                                }
                            }
                            "b" => match value.trim() {
                                "1" => "true".to_string(),
                                "0" => "false".to_string(),
                                _ => std::mem::take(&mut value),
                            },
                            "str" | "inlineStr" | "e" | "d" => std::mem::take(&mut value),
                            _ if is_date => date_text(&value),
                            _ => number_text(&value),
                        };
                        row_buf.push(&sheet, row, col, text)?;
                        value.clear();
                    }
                    b"row" if !row_buf.flush(&sheet, row, take)? => return Ok(()),
                    _ => {}
                },
                Event::Text(t) if in_value || (in_inline && in_t && phonetic == 0) => {
                    let text = t
                        .xml10_content()
                        .map_err(|e| xml_problem(&part, &e.into()))?;
                    // Excel's `_xHHHH_` escapes are decoded in strings (`<t>`), as calamine
                    // does; a value (`<v>`) is read as written.
                    let decoded;
                    let text: &str = if in_value {
                        &text
                    } else {
                        decoded = decode_xstring(&text);
                        &decoded
                    };
                    push_text(&mut value, text, &sheet, row, col)?;
                }
                Event::CData(t) if in_value || (in_inline && in_t && phonetic == 0) => {
                    push_text(&mut value, &String::from_utf8_lossy(&t), &sheet, row, col)?;
                }
                Event::GeneralRef(r) if in_value || (in_inline && in_t && phonetic == 0) => {
                    if let Some(text) = reference_text(&r) {
                        push_text(&mut value, &text, &sheet, row, col)?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        row_buf.flush(&sheet, row, take)?;
        Ok(())
    }

    fn ods_rows(&mut self, take: &mut dyn FnMut(u32, &[&str]) -> bool) -> Result<(), Problem> {
        let part = "content.xml";
        let sheet = self.name.clone();
        let wanted = self.table;
        let mut reader = part_reader(&mut self.archive, part)?;
        let mut buf = Vec::new();
        let mut table_index = 0usize;
        let mut in_table = false;
        let mut row_buf = RowBuf::default();
        // The next row's 1-based number, and how often the current row repeats.
        let mut row: u32 = 1;
        let mut row_repeat: u32 = 1;
        let mut col: usize = 0;
        // The cell being read.
        let mut in_cell = false;
        let mut cell_repeat: usize = 1;
        let mut cell_value: Option<String> = None;
        let mut text = String::new();
        let mut paragraphs = 0usize;
        let mut in_p = 0usize;
        let mut skip = 0usize;
        loop {
            let event = reader.next(&mut buf).map_err(|p| match in_cell {
                true => p.nested_in_cell(row, || {
                    format!("{sheet}!{}{row}", column_letter(col.min(MAX_COLUMNS - 1)))
                }),
                false => p,
            })?;
            let (start, empty) = match &event {
                Event::Start(_) => (true, false),
                Event::Empty(_) => (true, true),
                _ => (false, false),
            };
            match event {
                Event::Start(e) | Event::Empty(e) if start => {
                    let local = e.local_name();
                    let d = reader.decoder();
                    if skip > 0 {
                        if !empty {
                            skip += 1;
                        }
                    } else if local.as_ref() == b"table" {
                        if in_table || table_index > wanted {
                            break;
                        }
                        in_table = table_index == wanted && !empty;
                        table_index += 1;
                    } else if !in_table {
                    } else if local.as_ref() == b"table-row" {
                        row_repeat = attr(&e, b"number-rows-repeated", d)
                            .and_then(|n| n.trim().parse::<u32>().ok())
                            .unwrap_or(1)
                            .max(1);
                        col = 0;
                        if empty {
                            row = row.saturating_add(row_repeat);
                        }
                    } else if local.as_ref() == b"table-cell"
                        || local.as_ref() == b"covered-table-cell"
                    {
                        cell_repeat = attr(&e, b"number-columns-repeated", d)
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .unwrap_or(1)
                            .max(1);
                        let kind = attr(&e, b"value-type", d).unwrap_or_default();
                        cell_value = match kind.as_str() {
                            "float" | "percentage" | "currency" => {
                                attr(&e, b"value", d).map(|v| number_text(&v))
                            }
                            "date" => attr(&e, b"date-value", d),
                            "time" => attr(&e, b"time-value", d),
                            "boolean" => attr(&e, b"boolean-value", d),
                            _ => None,
                        };
                        if cell_value
                            .as_ref()
                            .is_some_and(|v| v.len() > MAX_CELL_BYTES)
                        {
                            return Err(cell_too_long(&sheet, row, col));
                        }
                        text.clear();
                        paragraphs = 0;
                        if empty {
                            ods_cell(
                                &mut row_buf,
                                &sheet,
                                row,
                                &mut col,
                                cell_repeat,
                                cell_value.take(),
                                &mut text,
                            )?;
                        } else {
                            in_cell = true;
                        }
                    } else if in_cell {
                        match local.as_ref() {
                            b"annotation" if !empty => skip = 1,
                            b"p" | b"h" => {
                                if paragraphs > 0 {
                                    push_text(&mut text, "\n", &sheet, row, col)?;
                                }
                                paragraphs += 1;
                                if !empty {
                                    in_p += 1;
                                }
                            }
                            b"s" if in_p > 0 => {
                                let n = attr(&e, b"c", d)
                                    .and_then(|n| n.trim().parse::<usize>().ok())
                                    .unwrap_or(1);
                                if text.len().saturating_add(n) > MAX_CELL_BYTES {
                                    return Err(cell_too_long(&sheet, row, col));
                                }
                                text.push_str(&" ".repeat(n));
                            }
                            b"tab" if in_p > 0 => push_text(&mut text, "\t", &sheet, row, col)?,
                            b"line-break" if in_p > 0 => {
                                push_text(&mut text, "\n", &sheet, row, col)?
                            }
                            _ => {}
                        }
                    }
                }
                Event::End(e) => {
                    let local = e.local_name();
                    if skip > 0 {
                        skip -= 1;
                    } else if !in_table {
                    } else if local.as_ref() == b"table" {
                        break;
                    } else if local.as_ref() == b"table-row" {
                        if row_buf.cells.is_empty() {
                            row = row.saturating_add(row_repeat);
                        } else {
                            // A repeated row that holds something: each repetition is a row.
                            row_buf.check_repeat(&sheet, row, row_repeat)?;
                            for _ in 0..row_repeat {
                                if row > MAX_ROWS {
                                    return Err(Problem::new(
                                        "too-large",
                                        format!(
                                            "the worksheet has rows beyond row {MAX_ROWS}, the last a spreadsheet has"
                                        ),
                                    ));
                                }
                                let cells = row_buf.cells.clone();
                                let bytes = row_buf.bytes;
                                if !row_buf.flush(&sheet, row, take)? {
                                    return Ok(());
                                }
                                row_buf.cells = cells;
                                row_buf.bytes = bytes;
                                row += 1;
                            }
                            row_buf.cells.clear();
                            row_buf.bytes = 0;
                        }
                        row_repeat = 1;
                    } else if local.as_ref() == b"table-cell"
                        || local.as_ref() == b"covered-table-cell"
                    {
                        in_cell = false;
                        ods_cell(
                            &mut row_buf,
                            &sheet,
                            row,
                            &mut col,
                            cell_repeat,
                            cell_value.take(),
                            &mut text,
                        )?;
                    } else if in_cell && (local.as_ref() == b"p" || local.as_ref() == b"h") {
                        in_p = in_p.saturating_sub(1);
                    }
                }
                Event::Text(t) if in_cell && in_p > 0 && skip == 0 => {
                    let t = t
                        .xml10_content()
                        .map_err(|e| xml_problem(part, &e.into()))?;
                    push_text(&mut text, &t, &sheet, row, col)?;
                }
                Event::GeneralRef(r) if in_cell && in_p > 0 && skip == 0 => {
                    if let Some(t) = reference_text(&r) {
                        push_text(&mut text, &t, &sheet, row, col)?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(())
    }
}

/// Places one ODS cell (repeated `repeat` times) in the row: its typed value, or its text.
#[allow(clippy::too_many_arguments)]
fn ods_cell(
    row_buf: &mut RowBuf,
    sheet: &str,
    row: u32,
    col: &mut usize,
    repeat: usize,
    value: Option<String>,
    text: &mut String,
) -> Result<(), Problem> {
    let content = value.unwrap_or_else(|| std::mem::take(text));
    text.clear();
    if content.is_empty() {
        *col = col.saturating_add(repeat);
        return Ok(());
    }
    for _ in 0..repeat {
        // RowBuf refuses a cell beyond the last column, which bounds the repetitions.
        row_buf.push(sheet, row, *col, content.clone())?;
        *col += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_are_parsed() {
        assert_eq!(parse_ref("A1"), Some((0, 1)));
        assert_eq!(parse_ref("D7"), Some((3, 7)));
        assert_eq!(parse_ref("XFD1048576"), Some((16_383, 1_048_576)));
        assert_eq!(parse_ref("1A"), None);
        assert_eq!(parse_ref("ABCD1"), None);
    }

    #[test]
    fn every_cell_handed_on_counts_against_the_sheet() {
        // One cell in column XFD makes every row from there on 16,384 cells wide: 1,024 such
        // rows are as many cells as a full sheet of 16 columns, and the next is refused.
        let mut rows = RowBuf::default();
        let mut take = |_: u32, _: &[&str]| true;
        rows.push("Scores", 1, MAX_COLUMNS - 1, "far".into())
            .unwrap();
        assert!(rows.flush("Scores", 1, &mut take).unwrap());
        for row in 2..=1025 {
            rows.push("Scores", row, 0, "x".into()).unwrap();
            match rows.flush("Scores", row, &mut take) {
                Ok(go_on) => assert!(go_on && row <= 1024),
                Err(problem) => {
                    assert_eq!(row, 1025);
                    assert_eq!(
                        problem.message,
                        "sheet Scores has more than 16777216 cells by row 1025, its rows read 16384 cells wide (to the last column that holds something)"
                    );
                    assert_eq!(problem.cell, Some((1025, "Scores!A1025".to_string())));
                }
            }
        }
        assert_eq!(rows.cells_read, MAX_SHEET_CELLS + 16_384);
    }

    #[test]
    fn date_cells_read_as_iso_dates() {
        assert!(is_date_code("yyyy-mm-dd"));
        assert!(is_date_code("[$-409]d/m/yy"));
        assert!(!is_date_code("0.00"));
        assert!(!is_date_code("\"Day\" 0"));
        assert!(!is_date_code("[Red]0"));
        assert_eq!(date_text("43281"), "2018-06-30");
        assert_eq!(date_text("43281.75"), "2018-06-30");
        assert_eq!(date_text("-1"), "-1");
    }

    #[test]
    fn numbers_read_as_a_csv_export_writes_them() {
        assert_eq!(number_text("1"), "1");
        assert_eq!(number_text("1.1"), "1.1");
        assert_eq!(number_text("2.0000000000000001E-2"), "0.02");
        assert_eq!(number_text("x"), "x");
    }

    #[test]
    fn excel_escapes_are_decoded_as_st_xstring_says() {
        assert_eq!(decode_xstring("one_x000D_\ntwo"), "one\r\ntwo");
        assert_eq!(decode_xstring("_x0007_bell_x001b_"), "\u{7}bell\u{1b}");
        // `_x005F_` is the underscore: a literal `_x0041_` is written `_x005F_x0041_`.
        assert_eq!(decode_xstring("_x005F_x0041_"), "_x0041_");
        assert_eq!(decode_xstring("_x005F__x0041_"), "_A");
        assert_eq!(decode_xstring("_x00e9_t_x00C9_"), "étÉ");
        // Not exactly `_x` + four hex digits + `_`: kept as written.
        for kept in [
            "_x41_",
            "_x00411_",
            "_x004G_",
            "_X0041_",
            "_x0041",
            "x0041_",
            "_xD800_",
            "__x",
            "snake_x_case",
        ] {
            assert_eq!(decode_xstring(kept), kept);
        }
        assert_eq!(decode_xstring("__x0041_"), "_A");
        assert_eq!(decode_xstring("Монгол_x000A_😀"), "Монгол\n😀");
        assert!(matches!(
            decode_xstring("no escape"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
