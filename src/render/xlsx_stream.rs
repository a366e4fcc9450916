//! A streaming `.xlsx` writer: each worksheet's rows go straight into its zip entry, deflated
//! as they are written, so writing a workbook takes memory for the compressed file and a
//! constant, never for its cells. Text is written in the cell (inline strings), so there is no
//! shared-strings table to hold either. Used by the scoring sheet ([`crate::sheet::xlsx`]) and
//! by `--format xlsx` ([`super::xlsx`]).
//!
//! What it writes is what those two need and no more: cell styles (font, fill, border, text
//! format, alignment), column widths, frozen panes, hidden and selected sheets, filters, data
//! validations, web links and cell notes. Every text is escaped for XML, including the control
//! characters XML cannot carry (written as Excel's `_xHHHH_`), and a cell is always a value,
//! never a formula.

use std::fmt::Write as _;

use anyhow::Result;

use super::zip_thread::Archive;

/// Excel's row and column limits.
pub const ROWS_MAX: u32 = 1_048_576;
pub const COLUMNS_MAX: u16 = 16_384;

/// Bytes gathered before they are handed to the compressor.
const CHUNK: usize = 64 * 1024;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// A cell border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Border {
    #[default]
    None,
    /// A thin line under the cell.
    BottomThin,
    /// A hairline all round, light grey.
    HairGrey,
}

/// How a cell looks. The default is Excel's normal style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    /// Font size in points; 0 is the normal 11.
    pub size: u8,
    /// Text colour (RGB).
    pub color: Option<u32>,
    /// Solid fill (RGB).
    pub fill: Option<u32>,
    pub border: Border,
    /// Cells formatted as text (`@`), so that what is typed in stays as typed (`1.10`).
    pub text: bool,
    pub wrap: bool,
    pub top: bool,
    pub right: bool,
}

/// A sheet's frame: name, column widths (in characters), frozen rows and columns.
#[derive(Debug, Clone, Default)]
pub struct SheetSpec {
    pub name: String,
    /// (column, width in characters), in column order.
    pub widths: Vec<(u16, f64)>,
    /// Rows and columns kept in view (frozen) at the top and left.
    pub freeze: (u32, u16),
    /// The sheet shown when the file opens.
    pub selected: bool,
    pub hidden: bool,
}

/// One sheet as recorded for the workbook's own parts.
#[derive(Debug)]
struct SheetInfo {
    name: String,
    hidden: bool,
    /// The filtered range, `$A$1:$H$68`.
    filter: Option<String>,
    /// How many cells are links.
    links: usize,
}

/// A workbook being written into memory (the compressed bytes only).
pub struct Book {
    zip: Archive,
    sheets: Vec<SheetInfo>,
    styles: Vec<Style>,
    /// Sheets with notes so far (each has its own comments and drawing part).
    note_parts: usize,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("sheets", &self.sheets)
            .field("styles", &self.styles.len())
            .finish_non_exhaustive()
    }
}

impl Default for Book {
    fn default() -> Self {
        Self::new()
    }
}

impl Book {
    pub fn new() -> Self {
        Book {
            zip: Archive::new(),
            sheets: Vec::new(),
            styles: vec![Style::default()],
            note_parts: 0,
        }
    }

    /// The index of a style (registered on first use).
    pub fn style(&mut self, style: Style) -> u32 {
        let i = match self.styles.iter().position(|s| *s == style) {
            Some(i) => i,
            None => {
                self.styles.push(style);
                self.styles.len() - 1
            }
        };
        i as u32
    }

    /// Starts the next worksheet; its rows are written through the returned writer, which
    /// must be [closed](SheetWriter::close) before the next sheet starts.
    pub fn sheet(&mut self, spec: &SheetSpec) -> Result<SheetWriter<'_>> {
        let index = self.sheets.len() + 1;
        self.sheets.push(SheetInfo {
            name: spec.name.clone(),
            hidden: spec.hidden,
            filter: None,
            links: 0,
        });
        self.zip
            .start_file(format!("xl/worksheets/sheet{index}.xml"))?;
        let mut w = SheetWriter {
            book: self,
            buf: String::with_capacity(CHUNK + 4096),
            row: None,
            links: 0,
            linked: 0,
            in_data: true,
            validating: false,
        };
        w.buf.push_str(XML_HEAD);
        let _ = write!(
            w.buf,
            "<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheetViews><sheetView{} workbookViewId=\"0\"",
            if spec.selected {
                " tabSelected=\"1\""
            } else {
                ""
            }
        );
        match spec.freeze {
            (0, 0) => w.buf.push_str("/>"),
            (rows, cols) => {
                let top_left = cell_ref(rows, cols);
                w.buf.push('>');
                let pane = match (rows, cols) {
                    (0, _) => "topRight",
                    (_, 0) => "bottomLeft",
                    _ => "bottomRight",
                };
                w.buf.push_str("<pane");
                if cols > 0 {
                    let _ = write!(w.buf, " xSplit=\"{cols}\"");
                }
                if rows > 0 {
                    let _ = write!(w.buf, " ySplit=\"{rows}\"");
                }
                let _ = write!(
                    w.buf,
                    " topLeftCell=\"{top_left}\" activePane=\"{pane}\" state=\"frozen\"/>"
                );
                if rows > 0 && cols > 0 {
                    let right = cell_ref(0, cols);
                    let below = cell_ref(rows, 0);
                    let _ = write!(
                        w.buf,
                        "<selection pane=\"topRight\" activeCell=\"{right}\" sqref=\"{right}\"/><selection pane=\"bottomLeft\" activeCell=\"{below}\" sqref=\"{below}\"/>"
                    );
                }
                let _ = write!(w.buf, "<selection pane=\"{pane}\"/></sheetView>");
            }
        }
        w.buf
            .push_str("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        if !spec.widths.is_empty() {
            w.buf.push_str("<cols>");
            // Neighbouring columns of the same width share one entry, as Excel writes them.
            let mut i = 0;
            while i < spec.widths.len() {
                let (first, width) = spec.widths[i];
                let mut last = first;
                while i + 1 < spec.widths.len()
                    && spec.widths[i + 1].1 == width
                    && spec.widths[i + 1].0 == last + 1
                {
                    i += 1;
                    last += 1;
                }
                let _ = write!(
                    w.buf,
                    "<col min=\"{}\" max=\"{}\" width=\"{}\" customWidth=\"1\"/>",
                    u32::from(first) + 1,
                    u32::from(last) + 1,
                    stored_width(width)
                );
                i += 1;
            }
            w.buf.push_str("</cols>");
        }
        w.buf.push_str("<sheetData>");
        Ok(w)
    }

    /// Writes the notes of the sheet last closed (with `notes`, and its links written by
    /// [`Book::sheet_links`] with `notes`): `each` is called twice (once for the note texts,
    /// once for their boxes) and must give the same notes, in row order, each time.
    pub fn notes(&mut self, each: &NoteSource<'_>) -> Result<()> {
        self.note_parts += 1;
        let part = self.note_parts;
        // The note texts.
        self.zip.start_file(format!("xl/comments{part}.xml"))?;
        let mut buf = String::with_capacity(CHUNK + 4096);
        buf.push_str(XML_HEAD);
        let _ = write!(
            buf,
            "<comments xmlns=\"{MAIN_NS}\"><authors><author>checkmyogp</author></authors><commentList>"
        );
        let mut count = 0usize;
        {
            let zip = &mut self.zip;
            let mut emit = |note: Note<'_>| -> Result<()> {
                count += 1;
                let _ = write!(
                    buf,
                    "<comment ref=\"{}\" authorId=\"0\"><text><r><rPr><sz val=\"8\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr>",
                    cell_ref(note.row, note.col)
                );
                text_element(&mut buf, note.text);
                buf.push_str("</r></text></comment>");
                if buf.len() > CHUNK {
                    zip.write_all(buf.as_bytes())?;
                    buf.clear();
                }
                Ok(())
            };
            each(&mut emit)?;
        }
        buf.push_str("</commentList></comments>");
        self.zip.write_all(buf.as_bytes())?;
        buf.clear();

        // Their boxes (VML, which Excel still needs for notes). Shape ids come in blocks of
        // 1,024, all declared up front.
        self.zip
            .start_file(format!("xl/drawings/vmlDrawing{part}.vml"))?;
        let blocks = ((1024 + count) / 1024).max(1);
        let ids: Vec<String> = (1..=blocks).map(|b| b.to_string()).collect();
        let _ = write!(
            buf,
            "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{}\"/></o:shapelayout><v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>",
            ids.join(",")
        );
        let mut n = 0usize;
        {
            let zip = &mut self.zip;
            let mut emit = |note: Note<'_>| -> Result<()> {
                n += 1;
                // The box opens to the right of the cell, a row above it; positions assume
                // the normal column width (64 px) and row height (20 px).
                let left_col = u32::from(note.col) + 1;
                let top_row = note.row.saturating_sub(1);
                let (w, h) = (note.width.max(1), note.height.max(1));
                let _ = write!(
                    buf,
                    "<v:shape id=\"_x0000_s{}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:{}pt;margin-top:{}pt;width:{}pt;height:{}pt;z-index:{n};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{left_col}, 15, {top_row}, 10, {}, {}, {}, {}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{}</x:Row><x:Column>{}</x:Column></x:ClientData></v:shape>",
                    1024 + n,
                    f64::from(left_col * 64 + 15) * 0.75,
                    (f64::from(top_row) * 20.0 + 10.0) * 0.75,
                    f64::from(w) * 0.75,
                    f64::from(h) * 0.75,
                    left_col + (15 + w) / 64,
                    (15 + w) % 64,
                    top_row + (10 + h) / 20,
                    (10 + h) % 20,
                    note.row,
                    note.col
                );
                if buf.len() > CHUNK {
                    zip.write_all(buf.as_bytes())?;
                    buf.clear();
                }
                Ok(())
            };
            each(&mut emit)?;
        }
        anyhow::ensure!(n == count, "the notes changed between two passes");
        buf.push_str("</xml>");
        self.zip.write_all(buf.as_bytes())?;
        Ok(())
    }

    /// Writes the relationships of the sheet last closed: its web links, in the order their
    /// cells were written (`r:id` `rId1`, `rId2`, …), then its notes' parts when it has notes.
    pub fn sheet_links(
        &mut self,
        links: &mut dyn Iterator<Item = &str>,
        notes: bool,
    ) -> Result<()> {
        let mut w = self.links();
        for url in links {
            w.link(url)?;
        }
        w.close(notes)
    }

    /// Starts the relationships of the sheet last closed, given one web link at a time (see
    /// [`Book::sheet_links`]).
    pub fn links(&mut self) -> LinksWriter<'_> {
        LinksWriter {
            sheet: self.sheets.len().saturating_sub(1),
            book: self,
            buf: String::with_capacity(CHUNK + 4096),
            n: 0,
            started: false,
        }
    }

    /// Writes the workbook's own parts and returns the file's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let mut types = String::from(XML_HEAD);
        let _ = write!(
            types,
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"vml\" ContentType=\"application/vnd.openxmlformats-officedocument.vmlDrawing\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        );
        for i in 1..=self.sheets.len() {
            let _ = write!(
                types,
                "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            );
        }
        for i in 1..=self.note_parts {
            let _ = write!(
                types,
                "<Override PartName=\"/xl/comments{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml\"/>"
            );
        }
        types.push_str("</Types>");
        self.part("[Content_Types].xml", &types)?;

        let root = format!(
            "{XML_HEAD}<Relationships xmlns=\"{PKG_REL_NS}\"><Relationship Id=\"rId1\" Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
        );
        self.part("_rels/.rels", &root)?;

        let mut rels = format!("{XML_HEAD}<Relationships xmlns=\"{PKG_REL_NS}\">");
        for i in 1..=self.sheets.len() {
            let _ = write!(
                rels,
                "<Relationship Id=\"rId{i}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
            );
        }
        let _ = write!(
            rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/></Relationships>",
            self.sheets.len() + 1
        );
        self.part("xl/_rels/workbook.xml.rels", &rels)?;

        let mut wb = format!(
            "{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>"
        );
        for (i, s) in self.sheets.iter().enumerate() {
            let _ = write!(
                wb,
                "<sheet name=\"{}\" sheetId=\"{}\"{} r:id=\"rId{}\"/>",
                attr(&s.name),
                i + 1,
                if s.hidden { " state=\"hidden\"" } else { "" },
                i + 1
            );
        }
        wb.push_str("</sheets>");
        if self.sheets.iter().any(|s| s.filter.is_some()) {
            wb.push_str("<definedNames>");
            for (i, s) in self.sheets.iter().enumerate() {
                if let Some(range) = &s.filter {
                    let _ = write!(
                        wb,
                        "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i}\" hidden=\"1\">{}!{range}</definedName>",
                        text(&quoted_sheet(&s.name))
                    );
                }
            }
            wb.push_str("</definedNames>");
        }
        wb.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
        self.part("xl/workbook.xml", &wb)?;

        let styles = styles_xml(&self.styles);
        self.part("xl/styles.xml", &styles)?;
        self.zip.finish()
    }

    fn part(&mut self, name: &str, content: &str) -> Result<()> {
        self.zip.start_file(name)?;
        self.zip.write_all(content.as_bytes())?;
        Ok(())
    }
}

/// One cell note: where, what it says, and its box's size in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    pub row: u32,
    pub col: u16,
    pub text: &'a str,
    pub width: u32,
    pub height: u32,
}

/// Something that hands its notes, in row order, to a callback (see [`Book::notes`]).
pub type NoteSource<'a> = dyn Fn(&mut dyn FnMut(Note<'_>) -> Result<()>) -> Result<()> + 'a;

/// Writes the relationships of a sheet: its web links one at a time, then its notes' parts
/// ([`Book::links`]).
pub struct LinksWriter<'a> {
    book: &'a mut Book,
    sheet: usize,
    buf: String,
    /// Links so far.
    n: usize,
    started: bool,
}

impl std::fmt::Debug for LinksWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinksWriter")
            .field("sheet", &self.sheet)
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

impl LinksWriter<'_> {
    fn start(&mut self) -> Result<()> {
        if !self.started {
            self.book.zip.start_file(format!(
                "xl/worksheets/_rels/sheet{}.xml.rels",
                self.sheet + 1
            ))?;
            self.buf.push_str(XML_HEAD);
            let _ = write!(self.buf, "<Relationships xmlns=\"{PKG_REL_NS}\">");
            self.started = true;
        }
        Ok(())
    }

    /// The address of the next cell that is a link.
    pub fn link(&mut self, url: &str) -> Result<()> {
        self.start()?;
        self.n += 1;
        let _ = write!(
            self.buf,
            "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
            self.n,
            link_target(url)
        );
        if self.buf.len() > CHUNK {
            self.book.zip.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Ends the relationships, with the parts of the sheet's notes when `notes`.
    pub fn close(mut self, notes: bool) -> Result<()> {
        if notes {
            self.start()?;
            let part = self.book.note_parts + 1;
            let _ = write!(
                self.buf,
                "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/vmlDrawing\" Target=\"../drawings/vmlDrawing{part}.vml\"/><Relationship Id=\"rId{}\" Type=\"{REL_NS}/comments\" Target=\"../comments{part}.xml\"/>",
                self.n + 1,
                self.n + 2
            );
        }
        anyhow::ensure!(
            self.n == self.book.sheets[self.sheet].links,
            "the links changed between two passes"
        );
        if self.started {
            self.buf.push_str("</Relationships>");
            self.book.zip.write_all(self.buf.as_bytes())?;
        }
        Ok(())
    }
}

/// Writes one worksheet's rows, in order, straight into the file.
pub struct SheetWriter<'a> {
    book: &'a mut Book,
    buf: String,
    /// The row being written (0-based).
    row: Option<u32>,
    links: usize,
    /// Link cells listed after the rows so far.
    linked: usize,
    in_data: bool,
    validating: bool,
}

impl std::fmt::Debug for SheetWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetWriter")
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

impl SheetWriter<'_> {
    /// The index of a style (see [`Book::style`]).
    pub fn style(&mut self, style: Style) -> u32 {
        self.book.style(style)
    }

    fn flush_if_full(&mut self) -> Result<()> {
        if self.buf.len() > CHUNK {
            self.book.zip.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Moves to row `row` (0-based); rows only go forward.
    fn at_row(&mut self, row: u32) -> Result<()> {
        anyhow::ensure!(self.in_data, "cells after the sheet's rows were closed");
        anyhow::ensure!(
            row < ROWS_MAX,
            "more rows than a spreadsheet can hold (1,048,576)"
        );
        match self.row {
            Some(r) if r == row => return Ok(()),
            Some(r) => {
                anyhow::ensure!(r < row, "rows must be written in order");
                self.buf.push_str("</row>");
                self.flush_if_full()?;
            }
            None => {}
        }
        let _ = write!(self.buf, "<row r=\"{}\">", row + 1);
        self.row = Some(row);
        Ok(())
    }

    fn open_cell(&mut self, row: u32, col: u16, style: u32) -> Result<()> {
        anyhow::ensure!(
            col < COLUMNS_MAX,
            "more columns than a spreadsheet has (16,384)"
        );
        self.at_row(row)?;
        self.buf.push_str("<c r=\"");
        push_cell_ref(&mut self.buf, row, col);
        self.buf.push('"');
        if style != 0 {
            self.buf.push_str(" s=\"");
            self.buf.push_str(itoa::Buffer::new().format(style));
            self.buf.push('"');
        }
        Ok(())
    }

    /// A text cell (always text, never a formula, whatever it starts with); an empty text
    /// is an empty cell.
    pub fn string(&mut self, row: u32, col: u16, value: &str, style: u32) -> Result<()> {
        if value.is_empty() {
            return self.blank(row, col, style);
        }
        self.open_cell(row, col, style)?;
        self.buf.push_str(" t=\"inlineStr\"><is>");
        text_element(&mut self.buf, value);
        self.buf.push_str("</is></c>");
        Ok(())
    }

    /// A number cell (finite numbers only; others are written as text).
    pub fn number(&mut self, row: u32, col: u16, value: f64, style: u32) -> Result<()> {
        if !value.is_finite() {
            return self.string(row, col, &value.to_string(), style);
        }
        self.open_cell(row, col, style)?;
        let _ = write!(self.buf, "><v>{value}</v></c>");
        Ok(())
    }

    /// An empty cell that has a style.
    pub fn blank(&mut self, row: u32, col: u16, style: u32) -> Result<()> {
        self.open_cell(row, col, style)?;
        self.buf.push_str("/>");
        Ok(())
    }

    /// A text cell that is also a web link (its address goes in the sheet's relationships,
    /// given again to [`Book::sheet_links`] in the same order).
    pub fn link(&mut self, row: u32, col: u16, value: &str, style: u32) -> Result<()> {
        self.links += 1;
        self.string(row, col, value, style)
    }

    /// Ends the rows; what follows belongs after them (filter, validations, links).
    pub fn end_rows(&mut self) -> Result<()> {
        if self.in_data {
            if self.row.is_some() {
                self.buf.push_str("</row>");
            }
            self.buf.push_str("</sheetData>");
            self.in_data = false;
        }
        Ok(())
    }

    /// A filter on the header row over `A1` to (`last_row`, `last_col`).
    pub fn autofilter(&mut self, last_row: u32, last_col: u16) -> Result<()> {
        self.end_rows()?;
        let (first, last) = (cell_ref(0, 0), cell_ref(last_row, last_col));
        let _ = write!(self.buf, "<autoFilter ref=\"{first}:{last}\"/>");
        let sheet = self.book.sheets.len() - 1;
        self.book.sheets[sheet].filter = Some(format!(
            "{}:{}",
            absolute_ref(0, 0),
            absolute_ref(last_row, last_col)
        ));
        Ok(())
    }

    /// One data validation over the cells of `sqref` (`D2 D7:D9`), after the filter if any;
    /// [`SheetWriter::end_validations`] ends them.
    pub fn validation(&mut self, v: &Validation<'_>, sqref: &str) -> Result<()> {
        self.end_rows()?;
        if !self.validating {
            self.buf.push_str("<dataValidations>");
            self.validating = true;
        }
        let b = &mut self.buf;
        b.push_str("<dataValidation");
        match v.rule {
            Rule::List(_) => b.push_str(" type=\"list\""),
            Rule::EmptyOnly => b.push_str(" type=\"textLength\" operator=\"equal\""),
        }
        if v.warning {
            b.push_str(" errorStyle=\"warning\"");
        }
        b.push_str(" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\"");
        for (name, value) in [
            ("errorTitle", v.error_title),
            ("error", v.error),
            ("promptTitle", v.prompt_title),
            ("prompt", v.prompt),
        ] {
            if !value.is_empty() {
                let _ = write!(b, " {name}=\"{}\"", attr(value));
            }
        }
        let _ = write!(b, " sqref=\"{sqref}\"><formula1>");
        match v.rule {
            Rule::List(range) => b.push_str(&text(range)),
            Rule::EmptyOnly => b.push('0'),
        }
        b.push_str("</formula1></dataValidation>");
        self.flush_if_full()
    }

    pub fn end_validations(&mut self) -> Result<()> {
        if self.validating {
            self.buf.push_str("</dataValidations>");
            self.validating = false;
        }
        Ok(())
    }

    /// The cells that are links, in the order [`SheetWriter::link`] wrote them.
    pub fn hyperlinks(&mut self, cells: &mut dyn Iterator<Item = (u32, u16)>) -> Result<()> {
        self.end_rows()?;
        for (row, col) in cells {
            self.hyperlink(row, col)?;
        }
        self.end_hyperlinks()
    }

    /// The next cell that is a link, in the order [`SheetWriter::link`] wrote them (after the
    /// rows); [`SheetWriter::end_hyperlinks`] ends them.
    pub fn hyperlink(&mut self, row: u32, col: u16) -> Result<()> {
        self.end_rows()?;
        if self.linked == 0 {
            self.buf.push_str("<hyperlinks>");
        }
        self.linked += 1;
        self.buf.push_str("<hyperlink ref=\"");
        push_cell_ref(&mut self.buf, row, col);
        self.buf.push_str("\" r:id=\"rId");
        self.buf.push_str(itoa::Buffer::new().format(self.linked));
        self.buf.push_str("\"/>");
        self.flush_if_full()
    }

    pub fn end_hyperlinks(&mut self) -> Result<()> {
        self.end_rows()?;
        anyhow::ensure!(
            self.linked == self.links,
            "the links changed between two passes"
        );
        if self.linked > 0 {
            self.buf.push_str("</hyperlinks>");
        }
        Ok(())
    }

    /// Ends the sheet; `notes` when [`Book::notes`] will give it notes.
    pub fn close(mut self, notes: bool) -> Result<()> {
        self.end_rows()?;
        self.buf.push_str("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>");
        if notes {
            let _ = write!(self.buf, "<legacyDrawing r:id=\"rId{}\"/>", self.links + 1);
        }
        self.buf.push_str("</worksheet>");
        self.book.zip.write_all(self.buf.as_bytes())?;
        if let Some(info) = self.book.sheets.last_mut() {
            info.links = self.links;
        }
        Ok(())
    }
}

/// What a data validation allows.
#[derive(Debug, Clone, Copy)]
pub enum Rule<'a> {
    /// One of the values in a range (`Lists!$A$2:$A$9`).
    List(&'a str),
    /// Nothing: the cell must stay empty.
    EmptyOnly,
}

/// A data validation: the rule, its messages, and whether a wrong value is only warned about.
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    pub rule: Rule<'a>,
    pub prompt_title: &'a str,
    pub prompt: &'a str,
    pub error_title: &'a str,
    pub error: &'a str,
    pub warning: bool,
}

/// The column letters of a 0-based column (`0` → `A`, `26` → `AA`).
pub fn column_name(col: u16) -> String {
    let mut out = String::with_capacity(3);
    push_column_name(&mut out, col);
    out
}

/// Appends a column's letters (`A`, `AA`, `XFD`) from its 0-based number.
fn push_column_name(out: &mut String, col: u16) {
    // Three letters reach column 18,278, past Excel's 16,384.
    let mut letters = [0u8; 3];
    let mut len = 0;
    let mut n = u32::from(col) + 1;
    while n > 0 && len < letters.len() {
        letters[len] = b'A' + ((n - 1) % 26) as u8;
        len += 1;
        n = (n - 1) / 26;
    }
    for &b in letters[..len].iter().rev() {
        out.push(char::from(b));
    }
}

/// A cell reference (`B7`) from 0-based row and column.
pub fn cell_ref(row: u32, col: u16) -> String {
    let mut out = String::with_capacity(10);
    push_cell_ref(&mut out, row, col);
    out
}

/// Appends a cell reference (`B7`): written once per cell, so without a `format!`.
fn push_cell_ref(out: &mut String, row: u32, col: u16) {
    push_column_name(out, col);
    out.push_str(itoa::Buffer::new().format(u64::from(row) + 1));
}

fn absolute_ref(row: u32, col: u16) -> String {
    format!("${}${}", column_name(col), u64::from(row) + 1)
}

/// A sheet name as a formula refers to it: always quoted (never mistaken for a cell such as
/// `A1`), a `'` inside doubled.
fn quoted_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// Excel's stored column width for a width in characters: whole pixels at 7 per character
/// plus 5 of padding, in 1/256ths of a character (so 40 is stored as 40.7109375).
fn stored_width(width: f64) -> f64 {
    let width = width.clamp(0.0, 255.0);
    let pixels = if width < 1.0 {
        (width * 12.0).round()
    } else {
        (width * 7.0).round() + 5.0
    };
    if pixels <= 5.0 && width < 1.0 {
        return (pixels / 12.0 * 256.0).trunc() / 256.0;
    }
    (pixels / 7.0 * 256.0).trunc() / 256.0
}

/// Whether a character cannot appear in XML 1.0 and is written as `_xHHHH_`.
fn unwritable(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{D}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `s` at byte `i` starts something that reads as an `_xHHHH_` escape.
fn looks_escaped(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    b.len() >= i + 7
        && b[i] == b'_'
        && b[i + 1] == b'x'
        && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
        && b[i + 6] == b'_'
}

/// Cell or note text for an XML element: `& < >` escaped, characters XML cannot hold as
/// `_xHHHH_`, and a literal `_xHHHH_` kept literal (its `_` written as `_x005F_`).
fn push_text(out: &mut String, s: &str) {
    // Most cells hold nothing to escape: one pass over the bytes finds out. (`0xEF` leads
    // U+FFFE and U+FFFF, among others, which then take the careful path.)
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'_' | 0x00..=0x1F | 0xEF))
    {
        out.push_str(s);
    } else {
        push_text_escaped(out, s);
    }
}

/// [`push_text`] character by character.
fn push_text_escaped(out: &mut String, s: &str) {
    for (i, c) in s.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '_' if looks_escaped(s, i) => out.push_str("_x005F_"),
            c if unwritable(c) => {
                let _ = write!(out, "_x{:04X}_", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

/// `<t>…</t>`, keeping leading and trailing spaces and line breaks.
fn text_element(out: &mut String, s: &str) {
    let keep = s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace)
        || s.contains(['\n', '\t']);
    out.push_str(if keep {
        "<t xml:space=\"preserve\">"
    } else {
        "<t>"
    });
    push_text(out, s);
    out.push_str("</t>");
}

/// Text for an attribute value: quotes and line breaks escaped too; characters XML cannot
/// hold are left out (an attribute has no `_xHHHH_` form).
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c if unwritable(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A link's target attribute: most addresses have nothing to encode or escape and are
/// written as they are.
fn link_target(url: &str) -> std::borrow::Cow<'_, str> {
    let plain = url.bytes().all(|b| {
        b.is_ascii_graphic()
            && !matches!(
                b,
                b'%' | b'"' | b'<' | b'>' | b'[' | b']' | b'^' | b'`' | b'{' | b'}' | b'&'
            )
    });
    if plain {
        std::borrow::Cow::Borrowed(url)
    } else {
        std::borrow::Cow::Owned(attr(&escape_url(url)))
    }
}

/// A web address as Excel writes it in a link: spaces, quotes and a few others %-encoded.
fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '%' => out.push_str("%25"),
            '"' => out.push_str("%22"),
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3c"),
            '>' => out.push_str("%3e"),
            '[' => out.push_str("%5b"),
            ']' => out.push_str("%5d"),
            '^' => out.push_str("%5e"),
            '`' => out.push_str("%60"),
            '{' => out.push_str("%7b"),
            '}' => out.push_str("%7d"),
            c => out.push(c),
        }
    }
    out
}

/// `xl/styles.xml` for the styles used, in the order of their indices.
fn styles_xml(styles: &[Style]) -> String {
    type Font = (bool, bool, bool, u8, Option<u32>);
    let mut fonts: Vec<Font> = Vec::new();
    let mut fills: Vec<Option<u32>> = vec![None, None];
    let mut borders: Vec<Border> = vec![Border::None];
    let mut xfs = String::new();
    fn index<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
        match list.iter().position(|x| *x == item) {
            Some(i) => i,
            None => {
                list.push(item);
                list.len() - 1
            }
        }
    }
    for s in styles {
        let font = index(&mut fonts, (s.bold, s.italic, s.underline, s.size, s.color));
        let fill = match s.fill {
            None => 0,
            Some(_) => {
                // The first two fills are Excel's fixed "none" and "gray125".
                match fills.iter().skip(2).position(|f| *f == s.fill) {
                    Some(i) => i + 2,
                    None => {
                        fills.push(s.fill);
                        fills.len() - 1
                    }
                }
            }
        };
        let border = index(&mut borders, s.border);
        let num_fmt = if s.text { 49 } else { 0 };
        let _ = write!(
            xfs,
            "<xf numFmtId=\"{num_fmt}\" fontId=\"{font}\" fillId=\"{fill}\" borderId=\"{border}\" xfId=\"0\""
        );
        if s.text {
            xfs.push_str(" applyNumberFormat=\"1\"");
        }
        if font != 0 {
            xfs.push_str(" applyFont=\"1\"");
        }
        if fill != 0 {
            xfs.push_str(" applyFill=\"1\"");
        }
        if border != 0 {
            xfs.push_str(" applyBorder=\"1\"");
        }
        if s.wrap || s.top || s.right {
            xfs.push_str(" applyAlignment=\"1\"><alignment");
            if s.right {
                xfs.push_str(" horizontal=\"right\"");
            }
            if s.top {
                xfs.push_str(" vertical=\"top\"");
            }
            if s.wrap {
                xfs.push_str(" wrapText=\"1\"");
            }
            xfs.push_str("/></xf>");
        } else {
            xfs.push_str("/>");
        }
    }
    let mut out = format!("{XML_HEAD}<styleSheet xmlns=\"{MAIN_NS}\">");
    let _ = write!(out, "<fonts count=\"{}\">", fonts.len());
    for (bold, italic, underline, size, color) in &fonts {
        out.push_str("<font>");
        if *bold {
            out.push_str("<b/>");
        }
        if *italic {
            out.push_str("<i/>");
        }
        if *underline {
            out.push_str("<u/>");
        }
        let _ = write!(out, "<sz val=\"{}\"/>", if *size == 0 { 11 } else { *size });
        // Without a colour, the normal text colour (there is no theme part to refer to).
        if let Some(rgb) = color {
            let _ = write!(out, "<color rgb=\"FF{rgb:06X}\"/>");
        }
        out.push_str("<name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>");
    }
    let _ = write!(
        out,
        "</fonts><fills count=\"{}\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>",
        fills.len()
    );
    for rgb in fills.iter().skip(2).flatten() {
        let _ = write!(
            out,
            "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF{rgb:06X}\"/><bgColor indexed=\"64\"/></patternFill></fill>"
        );
    }
    let _ = write!(out, "</fills><borders count=\"{}\">", borders.len());
    for b in &borders {
        out.push_str(match b {
            Border::None => "<border><left/><right/><top/><bottom/><diagonal/></border>",
            Border::BottomThin => {
                "<border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border>"
            }
            Border::HairGrey => {
                "<border><left style=\"hair\"><color rgb=\"FFBFBFBF\"/></left><right style=\"hair\"><color rgb=\"FFBFBFBF\"/></right><top style=\"hair\"><color rgb=\"FFBFBFBF\"/></top><bottom style=\"hair\"><color rgb=\"FFBFBFBF\"/></bottom><diagonal/></border>"
            }
        });
    }
    let _ = write!(
        out,
        "</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"{}\">{xfs}</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>",
        styles.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_and_widths_are_excels() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(cell_ref(1, 3), "D2");
        assert_eq!(stored_width(40.0), 40.7109375);
        assert_eq!(stored_width(12.0), 12.7109375);
        assert_eq!(quoted_sheet("results"), "'results'");
        assert_eq!(quoted_sheet("it's here"), "'it''s here'");
    }

    proptest::proptest! {
        #[test]
        fn the_short_paths_write_what_the_careful_ones_do(s in "(\\PC|[&<>_%\"\\[\\]{}^` \t\n\r\u{1}\u{FFFE}\u{FFFF}\u{FEFF}x0-9A-F])*") {
            let (mut quick, mut careful) = (String::new(), String::new());
            push_text(&mut quick, &s);
            push_text_escaped(&mut careful, &s);
            proptest::prop_assert_eq!(quick, careful);
            proptest::prop_assert_eq!(link_target(&s).into_owned(), attr(&escape_url(&s)));
        }
    }

    #[test]
    fn cell_references_are_written_without_formatting() {
        let mut s = String::new();
        push_cell_ref(&mut s, ROWS_MAX - 1, COLUMNS_MAX - 1);
        assert_eq!(s, "XFD1048576");
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(701, 701), "ZZ702");
        assert_eq!(cell_ref(702, 702), "AAA703");
    }

    #[test]
    fn text_is_escaped_for_xml_and_control_characters_survive() {
        assert_eq!(text("a<b & c>"), "a&lt;b &amp; c&gt;");
        assert_eq!(text("\u{1b}[2J\r"), "_x001B_[2J_x000D_");
        assert_eq!(text("_x0041_ and _xZZ_"), "_x005F_x0041_ and _xZZ_");
        assert_eq!(attr("say \"hi\"\n\u{7}"), "say &quot;hi&quot;&#xA;");
        let mut t = String::new();
        text_element(&mut t, " padded");
        assert_eq!(t, "<t xml:space=\"preserve\"> padded</t>");
        assert_eq!(
            escape_url("https://a.example/x y\""),
            "https://a.example/x%20y%22"
        );
    }
}
