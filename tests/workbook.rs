//! `--format xlsx --output FILE`: one sheet per table, frozen header, filters, full titles,
//! numbers as numbers, palette colours, links, and text that never runs as a formula.

use std::fs;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::util::{run_in, sample};
use crate::workflow::zip;

fn parts(path: &Path) -> Vec<(String, String)> {
    zip::entries(&fs::read(path).unwrap())
        .into_iter()
        .map(|(n, b)| (n, String::from_utf8(b).unwrap()))
        .collect()
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    &parts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

fn open(path: &Path) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(fs::read(path).unwrap())).unwrap()
}

#[test]
fn assess_as_a_workbook_has_full_titles_numbers_colours_a_frozen_header_and_filters() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(
        dir.path(),
        &["assess", "--format", "xlsx", "--output", "results.xlsx"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.ends_with("wrote results.xlsx\n"),
        "{}",
        run.stderr
    );
    let path = dir.path().join("results.xlsx");
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), ["results", "evidence and comments"]);
    let notes = wb.worksheet_range("evidence and comments").unwrap();
    let head: Vec<String> = notes
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        head,
        [
            "id",
            "commitment",
            "evaluator",
            "milestone",
            "criterion",
            "evidence",
            "comment",
            "next steps"
        ]
    );
    assert!(notes.rows().count() > 20);
    let range = wb.worksheet_range("results").unwrap();
    let csv = run_in(dir.path(), &["assess", "--format", "csv"]).stdout;
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.join(","), csv.lines().next().unwrap());
    let first: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
    assert_eq!(
        first[2],
        &Data::String(
            "Mobile application for the Government 11-11 Center to receive citizen feedback and requests".into()
        )
    );
    assert_eq!(first[4], &Data::String("On track".into()));
    assert_eq!(first[5], &Data::Float(78.5714));
    assert_eq!(range.rows().count(), 8);

    let parts = parts(&path);
    let sheet = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(
        "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
    ));
    assert!(sheet.contains("<autoFilter ref=\"A1:"), "{sheet}");
    assert!(!sheet.contains("<f>"), "no formulas");
    // The evidence sheet's web addresses are links.
    let evidence = part(&parts, "xl/worksheets/sheet2.xml");
    assert!(evidence.contains("<hyperlink ref=\"F"), "{evidence}");
    let rels = part(&parts, "xl/worksheets/_rels/sheet2.xml.rels");
    assert!(rels.contains("Target=\"https://"), "{rels}");
    // The ordered palette, lowest to highest.
    let styles = part(&parts, "xl/styles.xml");
    for rgb in ["FFB2182B", "FFEF8A62", "FF67A9CF", "FF2166AC"] {
        assert!(styles.contains(rgb), "{rgb} in {styles}");
    }
}

#[test]
fn text_that_looks_like_a_formula_stays_text_and_addresses_are_links() {
    let dir = sample("mongolia-2016-2018");
    let plan = dir.path().join("plan.toml");
    let text = fs::read_to_string(&plan).unwrap();
    let hostile = text.replacen(
        "title = \"Open government data portal\"",
        "title = \"=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")\"",
        1,
    );
    assert_ne!(hostile, text);
    fs::write(&plan, hostile).unwrap();
    let run = run_in(dir.path(), &["assess", "--format", "xlsx", "-o", "a.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let a = parts(&dir.path().join("a.xlsx"));
    let sheet = part(&a, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"));
    // Text is written in its cell (no shared-strings table), as text.
    assert!(
        sheet.contains(r#"t="inlineStr"><is><t>=HYPERLINK("http://evil.example","click")</t></is>"#),
        "{sheet}"
    );
    assert!(!a.iter().any(|(n, _)| n == "xl/sharedStrings.xml"));
    let mut wb = open(&dir.path().join("a.xlsx"));
    let range = wb.worksheet_range("results").unwrap();
    assert_eq!(
        range.get((3, 2)),
        Some(&Data::String(
            "=HYPERLINK(\"http://evil.example\",\"click\")".into()
        ))
    );

    // explain: what the evaluators wrote, with the evidence as links.
    let run = run_in(
        dir.path(),
        &["explain", "3", "--format", "xlsx", "-o", "e.xlsx"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let e = parts(&dir.path().join("e.xlsx"));
    let wrote = e
        .iter()
        .position(|(n, s)| n.starts_with("xl/worksheets/sheet") && s.contains("<hyperlink"))
        .expect("a sheet with links");
    let rels = e
        .iter()
        .find(|(n, _)| n.starts_with("xl/worksheets/_rels/") && n.contains(&e[wrote].0[14..]))
        .map(|(_, s)| s.as_str())
        .unwrap_or("");
    assert!(
        rels.contains("Target=\"https://opendata.gov.mn/policy\""),
        "{rels}"
    );
}

#[test]
fn summary_agreement_and_compare_have_one_sheet_per_table() {
    let dir = sample("mongolia-2016-2018");
    for (args, sheets) in [
        (
            vec!["summary", "--format", "xlsx", "-o", "s.xlsx"],
            vec!["Ratings (score)", "Completion", "Flags", "By lead agency"],
        ),
        (
            vec!["agreement", "--format", "xlsx", "-o", "a.xlsx"],
            vec!["Summary"],
        ),
        (
            vec!["compare", ".", ".", "--format", "xlsx", "-o", "c.xlsx"],
            vec!["results"],
        ),
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let wb = open(&dir.path().join(args[args.len() - 1]));
        let names = wb.sheet_names();
        for s in sheets {
            assert!(names.iter().any(|n| n == s), "{args:?}: {names:?}");
        }
    }
    // A workbook needs a file.
    let run = run_in(dir.path(), &["assess", "--format", "xlsx"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--output <FILE>"), "{}", run.stderr);
}
