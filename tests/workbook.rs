//! `--format xlsx --output FILE`: one sheet per table, frozen header, filters, full titles,
//! numbers as numbers, palette colours, links, and text that never runs as a formula.

use std::fs;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::util::{bounded, bounded_heap, generated, run_in, sample};
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
        sheet
            .contains(r#"t="inlineStr"><is><t>=HYPERLINK("http://evil.example","click")</t></is>"#),
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

// ---- Memory (issue 14 §3): workbooks are written as a stream, so writing one takes memory
// for the compressed file, not for its cells. The ceilings are address space (`ulimit -v`).

#[test]
fn a_scoring_sheet_of_10000_commitments_is_written_under_a_120_mb_ceiling() {
    // With the whole workbook held in memory (rust_xlsxwriter) this sheet took 172 MB (RSS)
    // and failed under a 150 MB ceiling; streamed, it takes about 40 MB.
    let tmp = tempfile::tempdir().unwrap();
    let dir = generated(tmp.path(), "g", "10000", "1");
    let (code, err, _) = bounded(
        &dir,
        &["sheet", "-e", "e0", "--format", "xlsx", "-o", "s.xlsx"],
        120,
        120,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "wrote s.xlsx for evaluator `e0`: 10000 commitment rows.\nFill it in, put it in the assessment's scores/ folder, and run `checkmyogp validate`.\n"
    );
    let path = dir.join("s.xlsx");
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), ["Scores", "Instructions", "Lists"]);
    let scores = wb.worksheet_range("Scores").unwrap();
    let rows: Vec<Vec<String>> = scores
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 10_001);
    assert_eq!(
        rows[0].join(","),
        "evaluator,commitment,k0,k1,k2,k3,k4,k5,k6,k7,evidence,comment,next_steps"
    );
    assert_eq!(rows[10_000][..2], ["e0", "c9999"]);
    let parts = parts(&path);
    let comments = part(&parts, "xl/comments1.xml");
    assert_eq!(comments.matches("<comment ref=").count(), 10_008);
    assert!(comments.contains("<comment ref=\"B10001\" authorId=\"0\">"));
    assert!(comments.contains("Commitment c9999: Commitment 9999\nLead: Agency 3"));
    let vml = part(&parts, "xl/drawings/vmlDrawing1.vml");
    assert_eq!(vml.matches("<v:shape id=").count(), 10_008);
    // One drop-down per criterion over all the rows.
    let sheet = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(" sqref=\"C2:C10001\"><formula1>Lists!$A$2:$A$10</formula1>"));
}

#[test]
fn assess_as_a_workbook_of_2500_commitments_is_written_under_a_55_mb_heap_ceiling() {
    // 2,500 commitments × 5 evaluators × 8 criteria: the evidence sheet has 39,770 rows. Held
    // in memory this took 213 MB (RSS) and failed under a 250 MB ceiling. With its rows made as
    // a document first (one row per note), the workbook needed 66 MB of address space with one
    // malloc arena, in a debug build; now that both sheets are written as a stream (the notes
    // read from the inputs as they are written), 45 MB. `validate` of a folder twice this size
    // needs 60 MB.
    let tmp = tempfile::tempdir().unwrap();
    let dir = generated(tmp.path(), "g", "2500", "5");
    let (code, err, _) = bounded_heap(
        &dir,
        &["assess", "--format", "xlsx", "-o", "a.xlsx"],
        55,
        120,
    );
    assert_eq!(code, 0, "{err}");
    let mut wb = open(&dir.join("a.xlsx"));
    let results = wb.worksheet_range("results").unwrap();
    let ids: Vec<String> = results.rows().map(|r| r[0].to_string()).collect();
    let csv = run_in(&dir, &["assess", "--format", "csv"]).stdout;
    let csv_ids: Vec<&str> = csv.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids.len(), 2_501);
    assert_eq!(ids, csv_ids);
    let evidence = wb.worksheet_range("evidence and comments").unwrap();
    assert_eq!(evidence.rows().count(), 39_771);
}

/// A text of exactly `n` characters made of everything XML and spreadsheets treat specially.
/// A text of `n` UTF-16 units (as Excel counts a cell's length: the emoji in it counts two).
fn awkward_text(n: usize) -> String {
    let piece = "=SUM(A1) <b>&amp;</b> \"quoted\" 'single' _x0041_ \u{1b}[2J\u{7} tab\there \
                 new\nline CR\r Монгол 😀 עברית ";
    let mut text = String::new();
    let mut units = 0;
    for c in piece.chars().cycle() {
        // Room is left for the end, two units.
        if units + c.len_utf16() > n - 2 {
            break;
        }
        units += c.len_utf16();
        text.push(c);
    }
    // Padded to `n - 2` units where an emoji did not fit, and not ending in a space, which a
    // plan's loader may trim.
    while units < n - 2 {
        text.push('-');
        units += 1;
    }
    format!("{text}.x")
}

#[test]
fn a_streamed_workbook_keeps_the_longest_cell_text_and_special_characters() {
    let dir = sample("mongolia-2016-2018");
    let plan_path = dir.path().join("plan.toml");
    let plan = fs::read_to_string(&plan_path).unwrap();
    let longest = awkward_text(32_767);
    let too_long = awkward_text(40_000);
    let plan = plan
        .replacen(
            "title = \"Open government data portal\"",
            &format!("title = {}", toml::Value::String(longest.clone())),
            1,
        )
        .replacen(
            "title = \"Fiscal transparency through the Glass Account law\"",
            &format!("title = {}", toml::Value::String(too_long.clone())),
            1,
        );
    fs::write(&plan_path, plan).unwrap();
    let run = run_in(dir.path(), &["assess", "--format", "xlsx", "-o", "a.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut wb = open(&dir.path().join("a.xlsx"));
    let range = wb.worksheet_range("results").unwrap();
    let titles: Vec<String> = range.rows().skip(1).map(|r| r[2].to_string()).collect();
    // Read back exactly, control characters and a literal `_x0041_` included.
    assert!(titles.contains(&longest), "the longest text a cell holds");
    let mut clipped = String::new();
    let mut units = 0;
    for c in too_long.chars() {
        units += c.len_utf16();
        if units > 32_766 {
            break;
        }
        clipped.push(c);
    }
    clipped.push('…');
    assert!(
        titles.contains(&clipped),
        "a longer one is shortened, with …"
    );
    let parts = parts(&dir.path().join("a.xlsx"));
    let sheet = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(
        "=SUM(A1) &lt;b&gt;&amp;amp;&lt;/b&gt; \"quoted\" 'single' _x005F_x0041_ _x001B_[2J_x0007_ tab\there new\nline CR_x000D_ Монгол 😀 עברית "
    ));
    assert!(!sheet.contains("<f>"));
}

/// Converts `file` (in `dir`) to CSV with LibreOffice Calc, as `out/<stem>.csv`; `None` when
/// LibreOffice Calc is not installed (it cannot even convert a two-line CSV to ODS).
fn libreoffice_csv(dir: &Path, file: &str, out: &Path) -> Option<String> {
    use std::process::{Command, Stdio};
    let convert = |to: &str, path: &Path| {
        Command::new("soffice")
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(out)
            .arg(path)
            .env("HOME", out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let probe = out.join("probe.csv");
    fs::write(&probe, "a,b\n1,2\n").unwrap();
    if !convert("ods", &probe) || !out.join("probe.ods").exists() {
        return None;
    }
    assert!(convert("csv", &dir.join(file)), "soffice failed on {file}");
    let stem = Path::new(file).file_stem().unwrap().to_string_lossy();
    Some(
        fs::read_to_string(out.join(format!("{stem}.csv")))
            .unwrap_or_else(|_| panic!("LibreOffice could not open {file}")),
    )
}

#[test]
fn libreoffice_reads_the_workbooks_as_their_csv_twins() {
    let dir = sample("mongolia-2016-2018");
    for args in [
        ["sheet", "-e", "transparency-mn", "-o", "s.xlsx"],
        ["sheet", "-e", "transparency-mn", "-o", "s.csv"],
        ["assess", "--format", "xlsx", "-o", "a.xlsx"],
        ["assess", "--format", "csv", "-o", "a.csv"],
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let out = tempfile::tempdir().unwrap();
    let Some(sheet) = libreoffice_csv(dir.path(), "s.xlsx", out.path()) else {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped: LibreOffice Calc is not installed, so the workbooks were not opened with it\n",
        );
        return;
    };
    // The first sheet of each workbook, saved as CSV by LibreOffice, is the tool's own CSV.
    let csv = fs::read_to_string(dir.path().join("s.csv")).unwrap();
    assert_eq!(sheet, csv.trim_start_matches('\u{feff}'));
    let assess = libreoffice_csv(dir.path(), "a.xlsx", out.path()).unwrap();
    assert_eq!(
        assess,
        fs::read_to_string(dir.path().join("a.csv")).unwrap()
    );
}
