//! Score files saved as spreadsheets (.xlsx, .ods) are read as they are, with diagnostics that
//! name the cell. Workbooks are written here with rust_xlsxwriter, as a spreadsheet program would.
#![cfg(feature = "spreadsheets")]

use std::fs;
use std::path::Path;

use rust_xlsxwriter::Workbook;

use crate::util::{bounded, bounded_heap, copy_tree, generated, root, run_in};

/// A copy of the corpus base assessment, with bold's CSV replaced by `bold.<ext>`.
fn base_without_bold() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/corpus/_base"), dir.path());
    fs::remove_file(dir.path().join("scores/bold.csv")).unwrap();
    dir
}

/// bold's ratings, as tests/corpus/_base/scores/bold.csv holds them.
fn bold_rows() -> Vec<Vec<String>> {
    let text = fs::read_to_string(root().join("tests/corpus/_base/scores/bold.csv")).unwrap();
    text.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let (r, c) = (r as u32, c as u16);
                match value.parse::<f64>() {
                    // Ids like 1 and 1.1 become numbers, as they do when typed into a spreadsheet.
                    Ok(n) if !value.contains("//") => sheet.write_number(r, c, n).map(|_| ()),
                    _ => sheet.write_string(r, c, value).map(|_| ()),
                }
                .unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

fn assess_json(dir: &Path) -> serde_json::Value {
    let run = run_in(dir, &["assess", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn an_xlsx_score_file_gives_the_same_results_as_its_csv() {
    let csv_results = assess_json(&root().join("tests/corpus/_base"));
    let dir = base_without_bold();
    // An instructions sheet first, as `checkmyogp sheet` writes: the scores are on the next one.
    write_xlsx(
        &dir.path().join("scores/bold.xlsx"),
        &[
            ("Instructions", vec![vec!["Rate each row.".into()]]),
            ("Scores", bold_rows()),
        ],
    );
    // Spreadsheet programs leave lock files beside open workbooks; they are not score files.
    fs::write(dir.path().join("scores/~$bold.xlsx"), b"lock").unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("scores   2 files, 2 evaluators, 12 ratings"),
        "{}",
        run.stderr
    );
    let xlsx_results = assess_json(dir.path());
    assert_eq!(csv_results["commitments"], xlsx_results["commitments"]);
}

#[test]
fn an_ods_score_file_is_read_with_its_cyrillic_text() {
    let dir = base_without_bold();
    fs::copy(
        root().join("tests/fixtures/spreadsheets/bold.ods"),
        dir.path().join("scores/bold.ods"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(dir.path(), &["explain", "2", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let notes = v["commitment"]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["comment"] == "Проект хууль өргөн бариагүй."),
        "{notes:?}"
    );
}

#[test]
fn diagnostics_name_the_cell() {
    let dir = base_without_bold();
    let mut rows = bold_rows();
    rows[2][3] = "Limitd".into();
    rows[4][1] = "7".into();
    write_xlsx(&dir.path().join("scores/bold.xlsx"), &[("Scores", rows)]);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: \"Limitd\" is not a level of criterion `completion`\n --> scores/bold.xlsx:3 (cell Scores!D3 \"completion\")\n  |\n3 | bold,1,1.2,Limitd,,,,\n  |            ^^^^^^\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  = help: did you mean `Limited`?"));
    assert!(run.stderr.contains("error: commitment \"7\" is not in plan.toml\n --> scores/bold.xlsx:5 (cell Scores!B5 \"commitment\")"), "{}", run.stderr);
}

#[test]
fn damaged_and_misnamed_workbooks_get_a_clear_message() {
    let dir = base_without_bold();
    fs::write(
        dir.path().join("scores/bold.xlsx"),
        b"PK\x03\x04 this is not really a workbook",
    )
    .unwrap();
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: the workbook cannot be read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("save it again as .xlsx, .ods or CSV UTF-8")
    );
    assert!(!run.stderr.contains("panicked"));
    // A workbook saved under a .csv name is still read as the workbook it is.
    fs::remove_file(dir.path().join("scores/bold.xlsx")).unwrap();
    write_xlsx(
        &dir.path().join("scores/bold.csv"),
        &[("Scores", bold_rows())],
    );
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// ---- Crafted workbooks (issue 14 §2): read within bounded memory, or refused with a located
// error. Each runs under a memory ceiling well below what the old dense reader needed.

/// A ZIP container holding `parts`, deflated, as a workbook is.
fn write_zip(path: &Path, parts: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Scores" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// bold's ratings as inline-string cells of a worksheet, then `extra` (more `<row>`s).
fn bold_sheet_xml(dimension: &str, extra: &str) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>"#
    );
    for (r, row) in bold_rows().iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                let col = char::from(b'A' + c as u8);
                xml.push_str(&format!(
                    r#"<c r="{col}{}" t="inlineStr"><is><t>{value}</t></is></c>"#,
                    r + 1
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str(extra);
    xml.push_str("</sheetData></worksheet>");
    xml
}

fn write_xlsx_parts(path: &Path, sheet: &str, shared: &str) {
    write_zip(
        path,
        &[
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/sharedStrings.xml", shared.as_bytes()),
        ],
    );
}

const NO_SHARED: &str = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>"#;

#[test]
fn a_cell_at_the_far_corner_of_the_sheet_is_read_without_a_dense_grid() {
    let dir = base_without_bold();
    // A1 and XFD1048576: a dense grid would be 17 billion cells.
    let sheet = bold_sheet_xml(
        "A1:XFD1048576",
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c></row>"#,
    );
    write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--> scores/bold.xlsx:1048576 (cell Scores!XFD1048576)"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_false_unique_count_of_shared_strings_is_not_trusted() {
    for count in ["1000000000000", "18446744073709551615"] {
        let dir = base_without_bold();
        let shared = format!(
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}"><si><t>Limited</t></si></sst>"#
        );
        let sheet = bold_sheet_xml("A1:H6", "").replace(
            r#"t="inlineStr"><is><t>Limited</t></is>"#,
            r#"t="s"><v>0</v>"#,
        );
        write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, &shared);
        let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("scores   2 files, 2 evaluators, 12 ratings"),
            "{err}"
        );
    }
    // A cell naming a shared string the workbook does not hold is an error at that cell.
    let dir = base_without_bold();
    let sheet = bold_sheet_xml("A1:H6", r#"<row r="7"><c r="C7" t="s"><v>5</v></c></row>"#);
    write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: the workbook cannot be read: cell Scores!C7 refers to shared text \"5\", but the workbook holds 0 shared texts\n --> scores/bold.xlsx:7 (cell Scores!C7)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_cell_that_inflates_to_gigabytes_is_refused_early() {
    // 256 MiB of text in one cell compresses to a quarter of a megabyte.
    let dir = base_without_bold();
    let huge = "a".repeat(256 * 1024 * 1024);
    let sheet = bold_sheet_xml(
        "A1:H7",
        &format!(r#"<row r="7"><c r="H7" t="inlineStr"><is><t>{huge}</t></is></c></row>"#),
    );
    drop(huge);
    write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
    drop(sheet);
    let (code, err, elapsed) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: the part xl/worksheets/sheet1.xml of the workbook holds a text or tag longer than 4 MB\n --> scores/bold.xlsx\n"),
        "{err}"
    );
    assert!(elapsed < std::time::Duration::from_secs(10));
    // A cell just over the cell limit is named.
    let dir = base_without_bold();
    let big = "b".repeat(1024 * 1024 + 1);
    let sheet = bold_sheet_xml(
        "A1:H7",
        &format!(r#"<row r="7"><c r="H7" t="inlineStr"><is><t>{big}</t></is></c></row>"#),
    );
    write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error: cell Scores!H7 holds more than 1 MB of text\n --> scores/bold.xlsx:7 (cell Scores!H7)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn ods_space_runs_cannot_expand_a_cell_past_its_limit() {
    let dir = base_without_bold();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Scores"><table:table-row><table:table-cell office:value-type="string"><text:p>evaluator</text:p></table:table-cell><table:table-cell><text:p>x<text:s text:c="2000000000"/><text:s text:c="2000000000"/><text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    write_zip(
        &dir.path().join("scores/bold.ods"),
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", content.as_bytes()),
        ],
    );
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: cell Scores!B1 holds more than 1 MB of text\n --> scores/bold.ods:1 (cell Scores!B1)"),
        "{err}"
    );
}

#[test]
fn ods_repeated_rows_and_cells_are_expanded_within_the_sheet() {
    // LibreOffice writes runs of equal cells and rows once, with a repeat count; empty runs
    // reach the end of the sheet.
    let dir = base_without_bold();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Instructions"><table:table-row><table:table-cell><text:p>Rate each row.</text:p></table:table-cell></table:table-row></table:table><table:table table:name="Scores"><table:table-row><table:table-cell><text:p>evaluator</text:p></table:table-cell><table:table-cell><text:p>commitment</text:p></table:table-cell><table:table-cell><text:p>milestone</text:p></table:table-cell><table:table-cell><text:p>completion</text:p></table:table-cell><table:table-cell><text:p>comment</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16379"/></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell><text:p>bold</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1.1"><text:p>1.1</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"><text:p>Limited</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    write_zip(
        &dir.path().join("scores/bold.ods"),
        &[("content.xml", content.as_bytes())],
    );
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    // Both repetitions of row 2 are read (rows 2 and 3), each with `Limited` twice (the
    // rating and the comment).
    assert!(
        err.contains("error: evaluator `bold` rated `completion` of milestone `1.1` twice\n --> scores/bold.ods:3\n"),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

/// An .ods holding one table named Scores with `rows` (`<table:table-row>`s) in its content.xml.
fn write_ods(path: &Path, rows: &str) {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Scores">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    write_zip(
        path,
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", content.as_bytes()),
        ],
    );
}

/// An .ods row of text cells (`cells` may hold ODF markup such as `<text:s text:c="9"/>`).
fn ods_row(attributes: &str, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<table:table-cell><text:p>{c}</text:p></table:table-cell>"))
        .collect();
    format!("<table:table-row{attributes}>{cells}</table:table-row>")
}

#[test]
fn elements_nested_deeper_than_a_workbook_needs_are_refused_where_they_are() {
    // quick-xml keeps the name of every open element (whatever `check_end_names` says): a
    // 497 kB .xlsx with 170 million nested `<x>` in one cell took 2 GB and aborted.
    let nested = |n: usize, name: &str| {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        bold_sheet_xml("A1:H6", "").replacen(
            "<t>Limited</t>",
            &format!("{}<t>Limited</t>{}", open.repeat(n), close.repeat(n)),
            1,
        )
    };
    // worksheet, sheetData, row, c, is, 250 × x and t: 256 open elements are read.
    let dir = base_without_bold();
    write_xlsx_parts(
        &dir.path().join("scores/bold.xlsx"),
        &nested(250, "x"),
        NO_SHARED,
    );
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("scores   2 files, 2 evaluators, 12 ratings"),
        "{}",
        run.stderr
    );
    // One more is refused at its cell; so are a million, which end nowhere.
    let deep = "error: cell Scores!D3 nests elements more than 256 deep\n --> scores/bold.xlsx:3 (cell Scores!D3)\n  = help: open it in your spreadsheet program and save it again as .xlsx, .ods or CSV UTF-8\n";
    let million = bold_sheet_xml(
        "A1:H7",
        &format!(
            r#"<row r="7"><c r="C7" t="inlineStr"><is>{}</is></c></row>"#,
            "<x>".repeat(1_000_000)
        ),
    );
    for (sheet, expected) in [
        (nested(251, "x"), deep.to_string()),
        (million, deep.replace("D3", "C7").replace(":3 ", ":7 ")),
        // Long names count too: the reader keeps them all.
        (
            nested(100, &"n".repeat(1000)),
            deep.replace(
                "more than 256 deep",
                "whose names take more than 64 kB together",
            ),
        ),
    ] {
        let dir = base_without_bold();
        write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
        let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(&expected), "{err}");
    }
    // Outside the worksheet, the part is named.
    let dir = base_without_bold();
    let shared = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>{}</si></sst>"#,
        "<r>".repeat(300)
    );
    write_xlsx_parts(
        &dir.path().join("scores/bold.xlsx"),
        &bold_sheet_xml("A1:H6", ""),
        &shared,
    );
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: the part xl/sharedStrings.xml of the workbook nests elements more than 256 deep\n --> scores/bold.xlsx\n"),
        "{}",
        run.stderr
    );
    // An .ods cell's text spans (819 MB for 170 million).
    let dir = base_without_bold();
    let header = [
        "evaluator",
        "commitment",
        "milestone",
        "completion",
        "comment",
    ];
    let spans = "<text:span>".repeat(100_000);
    let rows = ods_row("", &header) + &ods_row("", &["bold", "1", "1.1", "Limited", &spans]);
    write_ods(&dir.path().join("scores/bold.ods"), &rows);
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: cell Scores!E2 nests elements more than 256 deep\n --> scores/bold.ods:2 (cell Scores!E2)\n"),
        "{err}"
    );
}

#[test]
fn repeated_rows_cannot_make_a_small_file_a_sheet_of_billions_of_cells() {
    let header = [
        "evaluator",
        "commitment",
        "milestone",
        "completion",
        "comment",
    ];
    let help = "  = help: save the sheet without the repeated rows (delete the rows below the table), or save the scores as CSV (\"CSV UTF-8\")\n";
    // 569 bytes: a row of 16,384 `Limited` cells repeated 1,048,000 times, 17 billion cells,
    // ran for about 25 minutes.
    let dir = base_without_bold();
    let rows = ods_row("", &header)
        + &ods_row(
            r#" table:number-rows-repeated="1048000""#,
            &[
                r#"Limited</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"><text:p>Limited"#,
            ],
        );
    write_ods(&dir.path().join("scores/bold.ods"), &rows);
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("error: row 2 of sheet Scores is repeated 1048000 times, 16384 cells each: more than the 16777216 cells a sheet may have\n --> scores/bold.ods:2 (cell Scores!A2)\n{help}")),
        "{err}"
    );
    // A row of a megabyte of text repeated 100 times: 100 MB.
    let dir = base_without_bold();
    let rows = ods_row("", &header)
        + &ods_row(
            r#" table:number-rows-repeated="100""#,
            &[
                "bold",
                "1",
                "1.1",
                "Limited",
                r#"a<text:s text:c="1000000"/>b"#,
            ],
        );
    write_ods(&dir.path().join("scores/bold.ods"), &rows);
    let (code, err, _) = bounded(dir.path(), &["validate"], 300, 20);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("error: row 2 of sheet Scores is repeated 100 times, 1000017 bytes of text each: more than the 64 MB of text a sheet may have\n --> scores/bold.ods:2 (cell Scores!A2)\n{help}")),
        "{err}"
    );
    // Rows made as wide as the sheet by one far cell count as that wide: see the unit test
    // `every_cell_handed_on_counts_against_the_sheet` (16 million cells take seconds in a debug
    // build).
}

#[test]
fn a_small_workbook_cannot_hold_more_text_than_the_largest_workbook_file() {
    // 96 ratings, each with a different comment of a megabyte (ODS space runs: 1.3 kB in
    // all). Every cell, row and part is within its limit, but the commands that show what
    // evaluators wrote keep it: `report` of such a 500 kB .xlsx took 1.9 GB.
    let tmp = tempfile::tempdir().unwrap();
    let dir = generated(tmp.path(), "g", "12", "1");
    let csv = fs::read_to_string(dir.join("scores/scores.csv")).unwrap();
    fs::remove_file(dir.join("scores/scores.csv")).unwrap();
    let mut rows = String::new();
    for (i, line) in csv.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if i > 0 {
            cells[5] = format!(r#"note {i}<text:s text:c="1000000"/>end"#);
        }
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        rows.push_str(&ods_row("", &cells));
    }
    write_ods(&dir.join("scores/scores.ods"), &rows);
    // The old code needed 300-350 MB of address space for `assess --details` and more for
    // `report`; refused, 150-170 MB (a debug build, one malloc arena).
    for args in [
        &["assess", "--details", "--format", "json"][..],
        &["report", "--output", "-"],
    ] {
        let (code, err, _) = bounded_heap(&dir, args, 250, 30);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("error: sheet Scores holds more than 64 MB of text by row 69\n  --> scores/scores.ods:69 (cell Scores!F69)\n   = help: a score sheet holds short texts; save the scores as CSV (\"CSV UTF-8\") if this one is meant to be this large\n"),
            "{err}"
        );
    }
}

#[test]
fn a_zip_with_more_parts_than_any_workbook_is_refused() {
    let dir = base_without_bold();
    let names: Vec<String> = (0..10_001).map(|i| format!("p{i}")).collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    write_zip(&dir.path().join("scores/bold.xlsx"), &parts);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: the workbook cannot be read: it holds 10001 parts, more than any workbook has\n --> scores/bold.xlsx\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_date_cell_reads_as_the_date_it_shows() {
    let dir = base_without_bold();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Scores").unwrap();
    for (r, row) in bold_rows().iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r as u32, c as u16, value).unwrap();
            }
        }
    }
    // The comment of bold's rating of milestone 2.1, typed as a date: Excel keeps 43281.
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_number_with_format(4, 7, 43281.0, &date)
        .unwrap();
    book.save(dir.path().join("scores/bold.xlsx")).unwrap();
    let run = run_in(dir.path(), &["explain", ".", "2", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let notes = v["commitment"]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["comment"] == "2018-06-30"),
        "{notes:?}"
    );
}

// ---- Excel's `_xHHHH_` escapes (OOXML ST_Xstring): decoded in .xlsx text as Excel and calamine
// decode them.

/// bold's comments (`explain` of commitments 1 and 2), in order.
fn comments(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for c in ["1", "2"] {
        let run = run_in(dir, &["explain", c, "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        for n in v["commitment"]["notes"].as_array().unwrap() {
            if n["evaluator"] == "bold" && n["comment"] != "" {
                out.push(n["comment"].as_str().unwrap().to_string());
            }
        }
    }
    out
}

/// The texts of column H (comment) of the first sheet, as calamine reads them.
fn calamine_comments(path: &Path) -> Vec<String> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .skip(1)
        .filter_map(|r| r.get(7).map(ToString::to_string))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The text of a part of a workbook.
fn part_text(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

const ESCAPED_COMMENTS: [&str; 3] = [
    "Line one\r\nline two (a Windows line break)",
    "a bell \u{7} and a backspace \u{8}",
    "literally _x0041_, not A",
];

#[test]
fn excel_escapes_in_a_workbook_read_back_as_calamine_reads_them() {
    let dir = base_without_bold();
    let mut rows = bold_rows();
    for (i, comment) in ESCAPED_COMMENTS.iter().enumerate() {
        rows[i + 1][7] = (*comment).to_string();
    }
    let path = dir.path().join("scores/bold.xlsx");
    write_xlsx(&path, &[("Scores", rows)]);
    // rust_xlsxwriter writes them as Excel does.
    let shared = part_text(&path, "xl/sharedStrings.xml");
    for escape in ["_x000D_", "_x0007_", "_x0008_", "_x005F_x0041_"] {
        assert!(shared.contains(escape), "{escape} in {shared}");
    }
    let mut expected: Vec<String> = ESCAPED_COMMENTS.iter().map(|c| c.to_string()).collect();
    expected.push("Draft exists but was not submitted.".into());
    assert_eq!(calamine_comments(&path), expected);
    assert_eq!(comments(dir.path()), expected);
}

#[test]
fn hand_made_escapes_in_shared_and_inline_strings_are_decoded() {
    let written = "Draft exists_x000D_\nbut was not _x005F_x0041_ submitted.";
    let read = "Draft exists\r\nbut was not _x0041_ submitted.";
    let inline = "<t>Draft exists but was not submitted.</t>";
    for shared_string in [true, false] {
        let dir = base_without_bold();
        let mut sheet = bold_sheet_xml("A1:H6", "");
        let shared = if shared_string {
            sheet = sheet.replace(
                &format!(r#"t="inlineStr"><is>{inline}</is>"#),
                r#"t="s"><v>0</v>"#,
            );
            format!(
                r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t xml:space="preserve">{written}</t></si></sst>"#
            )
        } else {
            sheet = sheet.replace(inline, &format!("<t>{written}</t>"));
            NO_SHARED.to_string()
        };
        assert!(sheet.contains(written) != shared_string);
        let path = dir.path().join("scores/bold.xlsx");
        write_xlsx_parts(&path, &sheet, &shared);
        assert_eq!(calamine_comments(&path), [read]);
        assert_eq!(comments(dir.path()), [read]);
    }
}

#[test]
fn the_tools_own_workbook_writer_and_reader_agree_on_every_character() {
    use checkmyogp::render::xlsx_stream::{Book, SheetSpec};
    let awkward = [
        "CR LF\r\nand a tab\there",
        "\u{1b}[2J escape, \u{0} NUL, \u{1f} unit separator, \u{fffe}",
        "_x0041_ and _x005F_ and _x005f_x0041_ written literally",
        "Монгол 😀 עברית & <b>",
    ];
    let dir = base_without_bold();
    let mut rows = bold_rows();
    for (i, comment) in awkward.iter().enumerate() {
        rows[i + 1][7] = (*comment).to_string();
    }
    let mut book = Book::new();
    let mut sheet = book
        .sheet(&SheetSpec {
            name: "Scores".into(),
            ..SheetSpec::default()
        })
        .unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.string(r as u32, c as u16, value, 0).unwrap();
            }
        }
    }
    sheet.close(false).unwrap();
    let path = dir.path().join("scores/bold.xlsx");
    fs::write(&path, book.finish().unwrap()).unwrap();
    assert_eq!(comments(dir.path()), awkward);
}

#[test]
fn a_decoded_control_character_is_escaped_in_diagnostics() {
    // ESC [2J (clear the screen) and a CR, as Excel escapes them, in a level cell.
    let dir = base_without_bold();
    let sheet =
        bold_sheet_xml("A1:H6", "").replace("<t>Limited</t>", "<t>Limitd_x001B_[2J_x000D_</t>");
    write_xlsx_parts(&dir.path().join("scores/bold.xlsx"), &sheet, NO_SHARED);
    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stderr.contains('\r'),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: \"Limitd\\u{1b}[2J\" is not a level of criterion `completion`\n --> scores/bold.xlsx:3 (cell Scores!D3 \"completion\")\n  |\n3 | bold,1,1.2,Limitd\\u{1b}[2J,,,,\n  |            ^^^^^^^^^^^^^^^\n  = expected: one of `Not started (0)`, `Limited (1)`, `Substantial (2)` or `Complete (3)`\n  = help: did you mean `Limited`?\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_ods_file_keeps_text_that_looks_like_an_excel_escape() {
    // ODS text is plain XML: `_x000D_` there is what the person typed.
    let dir = base_without_bold();
    let cell = |t: &str| format!("<table:table-cell><text:p>{t}</text:p></table:table-cell>");
    let row = |cells: &[&str]| {
        let cells: String = cells.iter().map(|c| cell(c)).collect();
        format!("<table:table-row>{cells}</table:table-row>")
    };
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Scores">{}{}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        row(&[
            "evaluator",
            "commitment",
            "milestone",
            "completion",
            "comment"
        ]),
        row(&[
            "bold",
            "2",
            "2.1",
            "Limited",
            "typed _x000D_ and _x005F_x0041_"
        ]),
    );
    write_zip(
        &dir.path().join("scores/bold.ods"),
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", content.as_bytes()),
        ],
    );
    assert_eq!(comments(dir.path()), ["typed _x000D_ and _x005F_x0041_"]);
}
