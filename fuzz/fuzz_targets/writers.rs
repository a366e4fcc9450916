//! Fuzz target: the output writers. The fuzzer's bytes become the texts of a document (title,
//! facts, headings, paragraphs, table cells); each format must keep its promise whatever the
//! text: CSV cells never start a formula, Markdown holds no raw HTML or link syntax from the
//! text, and the terminal table holds no control character the program did not add. The
//! workbook (`--format xlsx`) is a zip whose XML parts hold no character XML forbids and no
//! formula. The Word writer (`draft --docx`) takes the bytes as a Markdown draft: its file is a
//! zip whose parts hold no character XML forbids, no link other than a web or mail link, and
//! no reference to a file.
#![no_main]

use std::io::Read;

use checkmyogp::render::{self, Cell, Doc, Format, Grid, Screen, Section};

/// A character XML 1.0 cannot hold.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Every part of a zip the tool wrote, as (name, text); each must be UTF-8 and hold no
/// character XML forbids.
fn parts_of(bytes: Vec<u8>) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).expect("a part");
            let name = part.name().to_string();
            let mut xml = String::new();
            part.read_to_string(&mut xml).expect("UTF-8");
            assert!(!xml.chars().any(forbidden), "{name}: {xml:?}");
            (name, xml)
        })
        .collect()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<String> = text.split('\u{1f}').map(str::to_string).collect();
    let part = |i: usize| parts.get(i % parts.len()).cloned().unwrap_or_default();
    let mut grid = Grid::new([part(0), part(1)]);
    for r in 0..3 {
        grid.push(vec![Cell::new(part(2 + r)), Cell::new(part(5 + r))]);
    }
    let doc = Doc {
        title: part(8),
        meta: vec![(part(9), part(10))],
        sections: vec![Section {
            heading: Some(part(11)),
            text: vec![part(12)],
            grid: Some(grid),
        }],
        csv: None,
        notes: vec![part(13)],
    };
    for format in [Format::Csv, Format::Markdown, Format::Table] {
        let screen = Screen {
            colour: false,
            width: None,
        };
        let Some(r) = render::renderer(format, screen) else {
            continue;
        };
        let Ok(out) = r.render(&doc) else { continue };
        match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(out.as_bytes());
                for record in reader.records().flatten() {
                    for cell in record.iter() {
                        let live = cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                            && cell.trim().parse::<f64>().is_err();
                        assert!(!live, "a CSV cell starts a formula: {cell:?}");
                    }
                }
            }
            Format::Markdown => {
                let unescaped = out
                    .replace("\\<", "")
                    .replace("\\]", "")
                    .replace("<br>", "");
                assert!(!unescaped.contains('<'), "{out}");
                assert!(!unescaped.contains("]("), "{out}");
            }
            _ => assert!(
                !out.chars()
                    .any(|c| checkmyogp::text::is_control(c) && c != '\n' && c != '\t'),
                "{out:?}"
            ),
        }
    }
    let workbook = render::workbook(&doc).expect("a small document always makes a workbook");
    for (name, xml) in parts_of(workbook) {
        assert!(!xml.contains("<f>"), "{name}: {xml}");
    }
    let word = checkmyogp::draft::docx::convert(&text, "en").expect("any text makes a Word file");
    for (name, xml) in parts_of(word) {
        if name == "word/_rels/document.xml.rels" {
            for target in xml.split("Target=\"").skip(1) {
                let target = target.to_ascii_lowercase();
                assert!(
                    target.starts_with("styles.xml")
                        || target.starts_with("numbering.xml")
                        || target.starts_with("http://")
                        || target.starts_with("https://")
                        || target.starts_with("mailto:"),
                    "{xml}"
                );
            }
        }
    }
    // What the score reader takes off is exactly what the writers added.
    assert_eq!(
        checkmyogp::text::unguard(&checkmyogp::text::formula_safe(&text)),
        text
    );
});
