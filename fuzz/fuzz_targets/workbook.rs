//! Fuzz target: a spreadsheet score file. The first byte chooses the form: the fuzzer's bytes
//! as the whole file (a damaged ZIP), or as the worksheet XML of an .xlsx, its shared strings,
//! or the content.xml of an .ods, inside a valid ZIP. Nothing may panic, and the reader's caps
//! keep memory bounded (run with -rss_limit_mb).
#![no_main]

mod common;

use std::io::Write;

const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Scores" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET: &str = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>commitment</t></is></c></row></sheetData></worksheet>"#;
const SHARED: &str = r#"<sst count="1" uniqueCount="1"><si><t>evaluator</t></si></sst>"#;

fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            if z.start_file(*name, options).is_err() || z.write_all(bytes).is_err() {
                return Vec::new();
            }
        }
        let _ = z.finish();
    }
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let file = match form % 4 {
        0 => rest.to_vec(),
        1 => zip(&[
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/worksheets/sheet1.xml", rest),
            ("xl/sharedStrings.xml", SHARED.as_bytes()),
        ]),
        2 => zip(&[
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/worksheets/sheet1.xml", SHEET.as_bytes()),
            ("xl/sharedStrings.xml", rest),
        ]),
        _ => zip(&[("content.xml", rest)]),
    };
    common::run(&file, common::Replace::Workbook);
});
