//! Word documents (.docx) written by checkmyogp itself: the Markdown draft is parsed
//! (CommonMark with tables, by `pulldown-cmark`) and written as Office Open XML in a zip
//! archive. No other program is needed, and nothing outside the draft's text is read: an
//! image becomes its alt text, raw HTML is left out, and only `http`, `https` and `mailto`
//! links become links (any other link is kept as its text).
//!
//! The document's XML goes to the compressor (on a second thread, [`crate::render::zip_thread`])
//! in pieces as it is made, so the Word file's XML is never held whole: only the Markdown and
//! the compressed file are.

use std::fmt::Write as _;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeStream};

use crate::render::zip_thread::Archive;

/// Why a Word file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("could not build the Word file: {0:#}")]
    Compress(#[from] anyhow::Error),
}

/// The document's XML is handed to the compressor whenever this much of it is waiting.
const CHUNK: usize = 64 * 1024;

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// Text made safe for XML: markup characters escaped, characters XML cannot hold dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_xml(&mut out, text);
    out
}

/// Appends `text` to `out` made safe for XML (see [`xml`]).
fn push_xml(out: &mut String, text: &str) {
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '"' | '\u{fffe}' | '\u{ffff}')
            && ((c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
    };
    if text.chars().all(plain) {
        out.push_str(text);
        return;
    }
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if plain(c) => out.push(c),
            _ => {}
        }
    }
}

#[derive(Default, Clone, Copy)]
struct RunStyle {
    bold: bool,
    italic: bool,
    strike: bool,
    code: bool,
}

#[derive(Clone, Copy)]
enum ListKind {
    Bullet,
    Ordered,
}

#[derive(Default)]
struct Writer {
    body: String,
    /// The paragraph being written (its runs), if one is open.
    para: Option<String>,
    /// The properties of the paragraph being written.
    para_props: String,
    style: RunStyle,
    lists: Vec<ListKind>,
    quote: usize,
    /// The hyperlink being written: its relationship id.
    link: Option<usize>,
    links: Vec<String>,
    /// Inside an image: its alt text is written as text.
    image: usize,
    table: Option<String>,
    cell: Option<String>,
    header_row: bool,
    heading: Option<u8>,
}

impl Writer {
    fn open_para(&mut self) {
        if self.para.is_some() {
            return;
        }
        let props = &mut self.para_props;
        props.clear();
        // Writing into a String cannot fail.
        if let Some(level) = self.heading {
            let _ = write!(props, r#"<w:pStyle w:val="Heading{level}"/>"#);
        } else if let Some(kind) = self.lists.last() {
            let num = match kind {
                ListKind::Bullet => 1,
                ListKind::Ordered => 2,
            };
            let _ = write!(
                props,
                r#"<w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="{}"/><w:numId w:val="{num}"/></w:numPr>"#,
                (self.lists.len() - 1).min(8)
            );
        } else if self.quote > 0 {
            props.push_str(r#"<w:pStyle w:val="Quote"/>"#);
        }
        self.para = Some(String::new());
    }

    fn close_para(&mut self) {
        let Some(runs) = self.para.take() else {
            return;
        };
        let out = match &mut self.cell {
            Some(cell) => cell,
            None => &mut self.body,
        };
        out.push_str("<w:p>");
        if !self.para_props.is_empty() {
            out.push_str("<w:pPr>");
            out.push_str(&self.para_props);
            out.push_str("</w:pPr>");
        }
        out.push_str(&runs);
        out.push_str("</w:p>");
    }

    fn run(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.open_para();
        let s = self.style;
        let bold = s.bold || self.header_row;
        let link = self.link.is_some();
        let Some(p) = &mut self.para else {
            return;
        };
        p.push_str("<w:r>");
        if bold || s.italic || s.strike || s.code || link {
            // In the order the schema gives them (CT_RPr), which Word insists on.
            p.push_str("<w:rPr>");
            if link {
                p.push_str(r#"<w:rStyle w:val="Hyperlink"/>"#);
            }
            if s.code {
                p.push_str(r#"<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/>"#);
            }
            if bold {
                p.push_str("<w:b/>");
            }
            if s.italic {
                p.push_str("<w:i/>");
            }
            if s.strike {
                p.push_str("<w:strike/>");
            }
            p.push_str("</w:rPr>");
        }
        p.push_str(r#"<w:t xml:space="preserve">"#);
        push_xml(p, text);
        p.push_str("</w:t></w:r>");
    }

    fn raw_run(&mut self, xml: &str) {
        self.open_para();
        if let Some(p) = &mut self.para {
            p.push_str(xml);
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.run(&t),
            Event::Code(t) => {
                let before = self.style;
                self.style.code = true;
                self.run(&t);
                self.style = before;
            }
            Event::SoftBreak => self.run(" "),
            Event::HardBreak => self.raw_run("<w:r><w:br/></w:r>"),
            Event::Rule => {
                self.close_para();
                self.body.push_str(r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr></w:pPr></w:p>"#);
            }
            // Raw HTML (the draft's opening note, say) is not part of the document.
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::TaskListMarker(done) => self.run(if done { "☒ " } else { "☐ " }),
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.run(&t);
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            // A list item's first paragraph is the item itself (already open).
            Tag::Paragraph => self.open_para(),
            Tag::Heading { level, .. } => {
                self.close_para();
                self.heading = Some(match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                });
            }
            Tag::BlockQuote(_) => {
                self.close_para();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.close_para();
                self.style.code = true;
            }
            Tag::List(first) => {
                self.close_para();
                self.lists.push(if first.is_some() {
                    ListKind::Ordered
                } else {
                    ListKind::Bullet
                });
            }
            Tag::Item => {
                self.close_para();
                self.open_para();
            }
            Tag::Table(_) => {
                self.close_para();
                self.table = Some(String::new());
            }
            Tag::TableHead => {
                self.header_row = true;
                if let Some(t) = &mut self.table {
                    t.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
                }
            }
            Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.push_str("<w:tr>");
                }
            }
            Tag::TableCell => {
                self.cell = Some(String::new());
            }
            Tag::Emphasis => self.style.italic = true,
            Tag::Strong => self.style.bold = true,
            Tag::Strikethrough => self.style.strike = true,
            Tag::Link { dest_url, .. } => {
                let url = dest_url.trim();
                let lower = url.to_ascii_lowercase();
                if lower.starts_with("https://")
                    || lower.starts_with("http://")
                    || lower.starts_with("mailto:")
                {
                    self.close_link();
                    self.links.push(url.to_string());
                    let id = self.links.len();
                    self.raw_run(&format!(r#"<w:hyperlink r:id="rIdLink{id}">"#));
                    self.link = Some(id);
                }
            }
            Tag::Image { .. } => self.image += 1,
            _ => {}
        }
    }

    fn close_link(&mut self) {
        if self.link.take().is_some() {
            self.raw_run("</w:hyperlink>");
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.close_para(),
            TagEnd::Heading(_) => {
                self.close_para();
                self.heading = None;
            }
            TagEnd::BlockQuote(_) => {
                self.close_para();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.close_para();
                self.style.code = false;
            }
            TagEnd::List(_) => {
                self.close_para();
                self.lists.pop();
            }
            TagEnd::Item => self.close_para(),
            TagEnd::TableHead => {
                self.header_row = false;
                if let Some(t) = &mut self.table {
                    t.push_str("</w:tr>");
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    t.push_str("</w:tr>");
                }
            }
            TagEnd::TableCell => {
                self.close_para();
                let cell = self.cell.take().unwrap_or_default();
                let cell = if cell.is_empty() {
                    "<w:p/>".to_string()
                } else {
                    cell
                };
                if let Some(t) = &mut self.table {
                    t.push_str(&format!(
                        "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>{cell}</w:tc>"
                    ));
                }
            }
            TagEnd::Table => {
                if let Some(rows) = self.table.take() {
                    self.body.push_str(&format!(
                        r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblBorders><w:top w:val="single" w:sz="4" w:color="auto"/><w:left w:val="single" w:sz="4" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:color="auto"/><w:right w:val="single" w:sz="4" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:color="auto"/></w:tblBorders></w:tblPr>{rows}</w:tbl><w:p/>"#
                    ));
                }
            }
            TagEnd::Emphasis => self.style.italic = false,
            TagEnd::Strong => self.style.bold = false,
            TagEnd::Strikethrough => self.style.strike = false,
            TagEnd::Link => self.close_link(),
            TagEnd::Image => self.image = self.image.saturating_sub(1),
            _ => {}
        }
    }
}

fn styles(lang: &str) -> String {
    let heading = |n: u8, size: u32| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="{}"/></w:pPr><w:rPr><w:b/><w:sz w:val="{size}"/></w:rPr></w:style>"#,
            n - 1
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:lang w:val="{lang}"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>{}{}{}{}<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="567" w:right="567"/></w:pPr><w:rPr><w:i/></w:rPr></w:style><w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        heading(1, 36),
        heading(2, 30),
        heading(3, 26),
        heading(4, 22)
    )
}

fn numbering() -> String {
    let levels = |ordered: bool| {
        (0..9)
            .map(|i| {
                let (fmt, text) = if ordered {
                    ("decimal", format!("%{}.", i + 1))
                } else {
                    ("bullet", ["•", "◦", "▪"][i % 3].to_string())
                };
                format!(
                    r#"<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{}" w:hanging="360"/></w:pPr></w:lvl>"#,
                    720 * (i + 1)
                )
            })
            .collect::<String>()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {NS}><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>{}</w:abstractNum><w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#,
        levels(false),
        levels(true)
    )
}

/// Converts a Markdown draft to the bytes of a .docx file; `lang` is the document's language
/// (`en`, `es`, …), for spelling checkers.
pub fn convert(markdown: &str, lang: &str) -> Result<Vec<u8>, DocxError> {
    let mut archive = Archive::new();
    archive.start_file("[Content_Types].xml")?;
    archive.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>"#,
    )?;
    archive.start_file("_rels/.rels")?;
    archive.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    )?;
    archive.start_file("word/document.xml")?;
    let mut w = Writer {
        body: String::with_capacity(2 * CHUNK),
        ..Writer::default()
    };
    w.body.push_str(&format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>"#
    ));
    // The parser gives a piece of text at every character that might have been markup (`[`,
    // `&`, `<`…); the pieces are joined again so that each becomes one run in the document.
    let parser = TextMergeStream::new(Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ));
    for event in parser {
        // Inside an image only its alt text is kept, as text.
        if w.image > 0 {
            match event {
                Event::Text(t) | Event::Code(t) => w.run(&t),
                Event::End(TagEnd::Image) => w.image -= 1,
                Event::Start(Tag::Image { .. }) => w.image += 1,
                _ => {}
            }
            continue;
        }
        w.event(event);
        if w.body.len() >= CHUNK {
            archive.write_all(w.body.as_bytes())?;
            w.body.clear();
        }
    }
    w.close_link();
    w.close_para();
    w.body.push_str(
        r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
    );
    archive.write_all(w.body.as_bytes())?;
    let lang = xml(lang);
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>"#,
    );
    for (i, url) in w.links.iter().enumerate() {
        rels.push_str(&format!(
            r#"<Relationship Id="rIdLink{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="{}" TargetMode="External"/>"#,
            i + 1,
            xml(url)
        ));
    }
    rels.push_str("</Relationships>");
    for (name, text) in [
        ("word/styles.xml", styles(&lang)),
        ("word/numbering.xml", numbering()),
        ("word/_rels/document.xml.rels", rels),
    ] {
        archive.start_file(name)?;
        archive.write_all(text.as_bytes())?;
    }
    Ok(archive.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document_xml(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = archive.by_name("word/document.xml").unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn images_become_alt_text_and_only_web_links_are_links() {
        let md = "# T\n\n![a photo](file:///etc/passwd) <img src=\"http://x\"> [x](javascript:alert) [y](https://y.org/?a&b)\n\n| a | b |\n|---|---|\n| Монгол | **ж** |\n";
        let bytes = convert(md, "mn").unwrap();
        let xml = document_xml(&bytes);
        assert!(xml.contains(">a photo<"), "{xml}");
        assert!(!xml.contains("passwd") && !xml.contains("img"), "{xml}");
        assert!(xml.contains(r#"<w:hyperlink r:id="rIdLink1">"#));
        assert!(xml.contains(">Монгол<"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
        let mut rels = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/_rels/document.xml.rels").unwrap(),
            &mut rels,
        )
        .unwrap();
        assert!(rels.contains(r#"Target="https://y.org/?a&amp;b""#));
        assert!(!rels.contains("javascript"));
        assert_eq!(
            convert(md, "mn").unwrap(),
            bytes,
            "the same draft gives the same bytes"
        );
    }

    #[test]
    fn run_properties_come_in_the_schemas_order_and_text_is_one_run() {
        let md = "Plain [[to write]] & <more>\n\n***[`code` link](https://x.org)*** ~~gone~~\n";
        let xml = document_xml(&convert(md, "en").unwrap());
        assert!(
            xml.contains(
                r#"<w:p><w:r><w:t xml:space="preserve">Plain [[to write]] &amp; </w:t></w:r></w:p>"#
            ),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<w:r><w:rPr><w:rStyle w:val="Hyperlink"/><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/><w:b/><w:i/></w:rPr><w:t xml:space="preserve">code</w:t></w:r>"#),
            "{xml}"
        );
        assert!(
            xml.contains(
                r#"<w:r><w:rPr><w:strike/></w:rPr><w:t xml:space="preserve">gone</w:t></w:r>"#
            ),
            "{xml}"
        );
        assert!(!xml.contains("<w:rPr></w:rPr>") && !xml.contains("<w:pPr></w:pPr>"));
    }
}
