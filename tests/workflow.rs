//! The assessment cycle end to end, with the real binary in temporary folders: `init` makes a
//! folder that validates for every rubric, `sheet` makes blank sheets that are filled in here
//! as an evaluator would and read back by `validate` and `assess` without conversion (CSV and
//! XLSX), and `compare` sets two assessments side by side.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use crate::util::{root, run_in, sample};

// ---------------------------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------------------------

#[test]
fn init_makes_a_folder_that_validates_for_every_rubric() {
    let tmp = tempfile::tempdir().unwrap();
    for rubric in ["check-my-ogp", "irm-legacy", "irm-refresh"] {
        let name = format!("nested/{rubric}");
        let run = run_in(tmp.path(), &["init", &name, "--rubric", rubric]);
        assert_eq!(run.code, 0, "{rubric}: {}", run.stderr);
        assert!(run.stderr.contains("checkmyogp validate"), "{}", run.stderr);
        let dir = tmp.path().join(&name);
        let plan = fs::read_to_string(dir.join("plan.toml")).unwrap();
        assert!(plan.contains(&format!("rubric = \"{rubric}\"")), "{plan}");
        // Every optional key is shown, commented out, with an explanation above it.
        for key in [
            "organisation",
            "language",
            "scores",
            "as_of",
            "reference",
            "supporting",
            "values",
            "themes",
            "ogp_id",
            "description",
            "weight",
        ] {
            assert!(
                plan.contains(&format!("\n# {key} = ")),
                "{rubric}: no commented-out `{key}`"
            );
        }
        assert!(dir.join("README.md").is_file());
        let scores_readme = fs::read_to_string(dir.join("scores/README.md")).unwrap();
        assert!(scores_readme.contains("org-a,1,"), "{scores_readme}");

        let run = run_in(&dir, &["validate"]);
        assert_eq!(run.code, 0, "{rubric}: {}", run.stderr);
        assert!(run.stderr.contains("is valid"), "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("rubric   {rubric} (built-in)")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("(2 commitments, 4 milestones)"),
            "{}",
            run.stderr
        );

        // The commented-out examples are valid too: uncomment them all and validate again.
        let uncommented: String = plan
            .lines()
            .map(|l| {
                let code = l.strip_prefix("# ").unwrap_or(l);
                let is_example = code.starts_with("[[evaluator]]")
                    || code.starts_with("Context:")
                    || code.starts_with("Objectives:")
                    || code.split_once(" = ").is_some_and(|(k, _)| {
                        k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                if l.starts_with("# ") && is_example {
                    code.to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(uncommented.contains("\nreference = [\"irm\"]"));
        assert!(uncommented.contains("\nid = \"irm\""));
        fs::write(dir.join("plan.toml"), uncommented).unwrap();
        let run = run_in(&dir, &["validate"]);
        assert_eq!(
            run.code, 0,
            "{rubric}, all keys uncommented: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("error"), "{}", run.stderr);
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("taken");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let run = run_in(tmp.path(), &["init", "taken"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: taken is not empty (it holds notes.txt)"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert!(!dir.join("plan.toml").exists());

    // A file is not a folder.
    let run = run_in(tmp.path(), &["init", "taken/notes.txt"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is a file, not a folder"),
        "{}",
        run.stderr
    );

    // An empty folder is fine.
    fs::create_dir(tmp.path().join("empty")).unwrap();
    assert_eq!(run_in(tmp.path(), &["init", "empty"]).code, 0);
}

#[test]
fn init_suggests_the_rubric_meant() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_in(tmp.path(), &["init", "x", "--rubric", "irm-legasy"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("'irm-legacy'"), "{}", run.stderr);
    assert!(!tmp.path().join("x").exists());
}

// ---------------------------------------------------------------------------------------------
// sheet (CSV)
// ---------------------------------------------------------------------------------------------

/// A score file's rows keyed by (commitment, milestone): column name → cell.
type Filled = HashMap<(String, String), HashMap<String, String>>;

/// What the sample's own score file says, to fill a blank sheet with.
fn ratings_of(csv_path: &Path) -> Filled {
    let mut r = csv::Reader::from_path(csv_path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut out = Filled::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let cells: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        let key = (cells["commitment"].clone(), cells["milestone"].clone());
        out.insert(key, cells);
    }
    out
}

fn assess_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["assess", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_in(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// Reads a CSV sheet (byte-order mark and all) as a header and rows.
fn read_sheet(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn a_csv_sheet_filled_in_is_read_back_as_it_is() {
    let dir = sample("mongolia-2016-2018");
    let before = assess_json(dir.path(), &[]);
    let original = ratings_of(&dir.path().join("scores/demo.csv"));

    let run = run_in(dir.path(), &["sheet", "--evaluator", "demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "wrote sheet-demo.csv for evaluator `demo`: 7 commitment rows and 22 milestone rows."
        ),
        "{}",
        run.stderr
    );
    let (header, rows) = read_sheet(&dir.path().join("sheet-demo.csv"));
    assert_eq!(
        header.join(","),
        "evaluator,commitment,milestone,completion,relevance,participation,published-evidence,results,evidence,comment,next_steps"
    );
    assert_eq!(rows.len(), 29);
    assert_eq!(rows[0][..3], ["demo", "1", ""]);
    assert_eq!(rows[1][..3], ["demo", "1", "1.1"]);
    assert_eq!(rows[28][..3], ["demo", "7", "7.2"]);
    assert!(rows.iter().all(|r| r[3..].iter().all(String::is_empty)));

    // The blank sheet is already a valid score file: it rates nothing.
    let run = run_in(dir.path(), &["validate", "--scores", "sheet-demo.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("1 file, 3 evaluators, 0 ratings"),
        "{}",
        run.stderr
    );

    // Fill it in with demo's ratings, as demo would, and put it in scores/ instead of theirs.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for row in &rows {
        let mut row = row.clone();
        if let Some(cells) = original.get(&(row[1].clone(), row[2].clone())) {
            for (i, name) in header.iter().enumerate().skip(3) {
                row[i] = cells.get(name).cloned().unwrap_or_default();
            }
        }
        w.write_record(&row).unwrap();
    }
    // Saved back as a spreadsheet program would, byte-order mark included.
    let mut filled = "\u{feff}".as_bytes().to_vec();
    filled.extend(w.into_inner().unwrap());
    fs::remove_file(dir.path().join("scores/demo.csv")).unwrap();
    fs::write(dir.path().join("scores/demo.csv"), filled).unwrap();

    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("scores   3 files, 3 evaluators, 143 ratings (2 \"no rating\")"),
        "{}",
        run.stderr
    );
    assert_eq!(assess_json(dir.path(), &[]), before);
}

#[test]
fn a_csv_sheet_filled_with_top_levels_rates_every_commitment_on_track() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(dir.path(), &["sheet", "-e", "wsp", "--output", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.starts_with('\u{feff}'),
        "no byte-order mark on the screen"
    );
    let mut r = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let top = [
        ("completion", "Complete"),
        ("relevance", "Clear"),
        ("participation", "Collaborated"),
        ("published-evidence", "Strong"),
        ("results", "Outstanding"),
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let mut row: Vec<String> = rec.unwrap().iter().map(String::from).collect();
        let milestone_row = !row[2].is_empty();
        for (criterion, level) in top {
            let per_milestone = criterion == "completion";
            if per_milestone == milestone_row {
                let i = header.iter().position(|h| h == criterion).unwrap();
                row[i] = level.to_string();
            }
        }
        row[header.iter().position(|h| h == "evidence").unwrap()] = "https://example.org".into();
        w.write_record(&row).unwrap();
    }
    fs::write(dir.path().join("filled.csv"), w.into_inner().unwrap()).unwrap();
    let v = assess_json(dir.path(), &["--scores", "filled.csv"]);
    let got: Vec<(String, String, f64)> = v["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["rating"].as_str().unwrap().to_string(),
                c["score"].as_f64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, f64)> = (1..=7)
        .map(|i| (i.to_string(), "On track".to_string(), 100.0))
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["summary"]["flags"]["model"], 7);
    assert_eq!(v["summary"]["unsupported"], serde_json::json!([]));
}

#[test]
fn sheet_checks_the_evaluator_and_names_the_file_safely() {
    let dir = sample("mongolia-2016-2018");
    let run = run_in(dir.path(), &["sheet", "--evaluator", "dmeo"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: `dmeo` is not one of the plan's evaluators"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `demo`?"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("sheet-dmeo.csv").exists());

    // A plan that lists no evaluators takes any id; the file name is made safe.
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("plan.toml"),
        "[plan]\ncountry = \"Testland\"\ntitle = \"Plan\"\n\n[assessment]\nrubric = \"irm-legacy\"\n\n[[commitment]]\nid = \"1\"\ntitle = \"One\"\n",
    )
    .unwrap();
    let run = run_in(tmp.path(), &["sheet", "--evaluator", "Team A/B"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (header, rows) = read_sheet(&tmp.path().join("sheet-Team-A-B.csv"));
    // The IRM rubrics rate commitments only: no milestone column, one row per commitment.
    assert_eq!(header[..3], ["evaluator", "commitment", "specificity"]);
    assert_eq!(
        rows,
        vec![{
            let mut r = vec!["Team A/B".to_string(), "1".to_string()];
            r.resize(header.len(), String::new());
            r
        }]
    );

    // A sheet a person edited is not replaced without --force.
    fs::write(tmp.path().join("sheet-Team-A-B.csv"), "edited").unwrap();
    let run = run_in(tmp.path(), &["sheet", "--evaluator", "Team A/B"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("was left as it is"), "{}", run.stderr);
    let run = run_in(tmp.path(), &["sheet", "--evaluator", "Team A/B", "--force"]);
    assert_eq!(run.code, 0);

    // Formats and file names must agree.
    let run = run_in(
        tmp.path(),
        &["sheet", "-e", "x", "--format", "csv", "-o", "x.xlsx"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = run_in(
        tmp.path(),
        &["sheet", "-e", "x", "--format", "xlsx", "-o", "-"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn the_new_commands_have_help_with_an_example() {
    for cmd in ["init", "sheet", "compare"] {
        let run = run_in(&root(), &[cmd, "--help"]);
        assert_eq!(run.code, 0, "{cmd}");
        assert!(run.stdout.contains("Example"), "{cmd}:\n{}", run.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// sheet (XLSX)
// ---------------------------------------------------------------------------------------------

/// Just enough of ZIP and DEFLATE to look inside a workbook and write one back, without a
/// dependency: entries are read through the central directory and written uncompressed.
#[allow(dead_code)]
pub(crate) mod zip {
    pub(crate) fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let u32_at = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let eocd = (0..=bytes.len() - 22)
            .rev()
            .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
            .expect("a zip file");
        let count = u16_at(eocd + 10);
        let mut at = u32_at(eocd + 16);
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(bytes[at..at + 4], [0x50, 0x4b, 0x01, 0x02]);
            let method = u16_at(at + 10);
            let size = u32_at(at + 20);
            let (n, e, c) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
            let local = u32_at(at + 42);
            let name = String::from_utf8(bytes[at + 46..at + 46 + n].to_vec()).unwrap();
            let start = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            let data = &bytes[start..start + size];
            let data = match method {
                0 => data.to_vec(),
                8 => inflate(data),
                m => panic!("compression method {m}"),
            };
            out.push((name, data));
            at += 46 + n + e + c;
        }
        out
    }

    pub(crate) fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A zip file of `entries`, stored without compression.
    pub(crate) fn stored(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let crc = crc32(data);
            let size = data.len() as u32;
            let common = |v: &mut Vec<u8>| {
                v.extend_from_slice(&20u16.to_le_bytes()); // version needed
                v.extend_from_slice(&0u16.to_le_bytes()); // flags
                v.extend_from_slice(&0u16.to_le_bytes()); // stored
                v.extend_from_slice(&0u16.to_le_bytes()); // time
                v.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
                v.extend_from_slice(&crc.to_le_bytes());
                v.extend_from_slice(&size.to_le_bytes());
                v.extend_from_slice(&size.to_le_bytes());
                v.extend_from_slice(&(name.len() as u16).to_le_bytes());
                v.extend_from_slice(&0u16.to_le_bytes()); // extra
            };
            out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04]);
            common(&mut out);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02]);
            central.extend_from_slice(&20u16.to_le_bytes()); // version made by
            common(&mut central);
            central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            central.extend_from_slice(&[0; 4]); // external attributes
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        let n = entries.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
        buf: u32,
        cnt: u32,
    }

    impl Bits<'_> {
        fn bits(&mut self, n: u32) -> u32 {
            while self.cnt < n {
                self.buf |= u32::from(self.data[self.pos]) << self.cnt;
                self.pos += 1;
                self.cnt += 8;
            }
            let v = self.buf & ((1u32 << n) - 1);
            self.buf >>= n;
            self.cnt -= n;
            v
        }
    }

    struct Huffman {
        counts: [u16; 16],
        symbols: Vec<u16>,
    }

    impl Huffman {
        fn new(lengths: &[u8]) -> Self {
            let mut counts = [0u16; 16];
            for &l in lengths {
                counts[l as usize] += 1;
            }
            counts[0] = 0;
            let mut offs = [0u16; 16];
            for len in 1..15 {
                offs[len + 1] = offs[len] + counts[len];
            }
            let mut symbols = vec![0u16; lengths.len()];
            for (s, &l) in lengths.iter().enumerate() {
                if l != 0 {
                    symbols[offs[l as usize] as usize] = s as u16;
                    offs[l as usize] += 1;
                }
            }
            Huffman { counts, symbols }
        }

        fn decode(&self, b: &mut Bits<'_>) -> u16 {
            let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
            for len in 1..16 {
                code |= b.bits(1) as i32;
                let count = i32::from(self.counts[len]);
                if code - count < first {
                    return self.symbols[(index + (code - first)) as usize];
                }
                index += count;
                first += count;
                first <<= 1;
                code <<= 1;
            }
            panic!("bad Huffman code");
        }
    }

    const LBASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEXT: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DBASE: [u16; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DEXT: [u32; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];

    /// RFC 1951 DEFLATE, decompressed.
    pub(crate) fn inflate(data: &[u8]) -> Vec<u8> {
        let mut b = Bits {
            data,
            pos: 0,
            buf: 0,
            cnt: 0,
        };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let last = b.bits(1) == 1;
            match b.bits(2) {
                0 => {
                    b.buf = 0;
                    b.cnt = 0;
                    let len = usize::from(u16::from_le_bytes([data[b.pos], data[b.pos + 1]]));
                    b.pos += 4;
                    out.extend_from_slice(&data[b.pos..b.pos + len]);
                    b.pos += len;
                }
                1 => {
                    let mut lengths = [0u8; 288];
                    for (i, l) in lengths.iter_mut().enumerate() {
                        *l = match i {
                            0..=143 => 8,
                            144..=255 => 9,
                            256..=279 => 7,
                            _ => 8,
                        };
                    }
                    codes(
                        &mut b,
                        &mut out,
                        &Huffman::new(&lengths),
                        &Huffman::new(&[5; 30]),
                    );
                }
                2 => {
                    let nlen = b.bits(5) as usize + 257;
                    let ndist = b.bits(5) as usize + 1;
                    let ncode = b.bits(4) as usize + 4;
                    const ORDER: [usize; 19] = [
                        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                    ];
                    let mut cl = [0u8; 19];
                    for &o in ORDER.iter().take(ncode) {
                        cl[o] = b.bits(3) as u8;
                    }
                    let clh = Huffman::new(&cl);
                    let mut lengths = Vec::with_capacity(nlen + ndist);
                    while lengths.len() < nlen + ndist {
                        let sym = clh.decode(&mut b);
                        match sym {
                            0..=15 => lengths.push(sym as u8),
                            16 => {
                                let prev = *lengths.last().expect("a length to repeat");
                                let n = 3 + b.bits(2);
                                lengths.extend(std::iter::repeat_n(prev, n as usize));
                            }
                            17 => {
                                let n = 3 + b.bits(3);
                                lengths.extend(std::iter::repeat_n(0, n as usize));
                            }
                            _ => {
                                let n = 11 + b.bits(7);
                                lengths.extend(std::iter::repeat_n(0, n as usize));
                            }
                        }
                    }
                    let lit = Huffman::new(&lengths[..nlen]);
                    let dist = Huffman::new(&lengths[nlen..]);
                    codes(&mut b, &mut out, &lit, &dist);
                }
                t => panic!("bad block type {t}"),
            }
            if last {
                return out;
            }
        }
    }

    fn codes(b: &mut Bits<'_>, out: &mut Vec<u8>, lit: &Huffman, dist: &Huffman) {
        loop {
            let sym = lit.decode(b) as usize;
            if sym < 256 {
                out.push(sym as u8);
            } else if sym == 256 {
                return;
            } else {
                let i = sym - 257;
                let len = LBASE[i] as usize + b.bits(LEXT[i]) as usize;
                let d = dist.decode(b) as usize;
                let back = DBASE[d] as usize + b.bits(DEXT[d]) as usize;
                for _ in 0..len {
                    out.push(out[out.len() - back]);
                }
            }
        }
    }
}

#[test]
fn the_test_zip_helpers_round_trip() {
    let entries = vec![
        ("a.txt".to_string(), b"hello".to_vec()),
        ("dir/b.xml".to_string(), Vec::new()),
    ];
    assert_eq!(zip::entries(&zip::stored(&entries)), entries);
    assert_eq!(zip::crc32(b"123456789"), 0xCBF4_3926);
    // A fixed-Huffman block ("a" repeated) and a stored block, made by zlib.
    assert_eq!(zip::inflate(&[0x4b, 0x4c, 0x04, 0x02, 0x00]), b"aaaaa");
    assert_eq!(
        zip::inflate(&[0x01, 0x02, 0x00, 0xfd, 0xff, b'h', b'i']),
        b"hi"
    );
}

#[cfg(feature = "spreadsheets")]
fn part<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let (_, data) = entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the workbook"));
    std::str::from_utf8(data).unwrap()
}

#[cfg(feature = "spreadsheets")]
/// The `sqref` of every data validation of a worksheet, with its type.
fn validations(sheet_xml: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!(" {name}=\"");
        tag.find(&key)
            .map(|i| {
                let rest = &tag[i + key.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .unwrap_or_default()
    };
    sheet_xml
        .split("<dataValidation ")
        .skip(1)
        .map(|tag| {
            let tag = format!(" {}", &tag[..tag.find('>').unwrap_or(tag.len())]);
            (attr(&tag, "type"), attr(&tag, "sqref"))
        })
        .collect()
}

#[cfg(feature = "spreadsheets")]
#[test]
fn an_xlsx_sheet_has_lists_shading_frozen_headers_and_instructions() {
    use calamine::Reader;

    let dir = sample("mongolia-2016-2018");
    let run = run_in(
        dir.path(),
        &[
            "sheet",
            "--evaluator",
            "transparency-mn",
            "--format",
            "xlsx",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.path().join("sheet-transparency-mn.xlsx");

    // What a spreadsheet program sees.
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == calamine::SheetVisible::Visible))
        .collect();
    assert_eq!(
        sheets,
        [
            ("Scores".to_string(), true),
            ("Instructions".to_string(), true),
            ("Lists".to_string(), false)
        ]
    );
    let scores = book.worksheet_range("Scores").unwrap();
    let rows: Vec<Vec<String>> = scores
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows[0].join(","),
        "evaluator,commitment,milestone,completion,relevance,participation,published-evidence,results,evidence,comment,next_steps"
    );
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[1][..3], ["transparency-mn", "1", ""]);
    assert_eq!(rows[2][..3], ["transparency-mn", "1", "1.1"]);
    let lists = book.worksheet_range("Lists").unwrap();
    let completion: Vec<String> = lists
        .rows()
        .map(|r| r[0].to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        completion,
        [
            "completion",
            "Not started",
            "Limited",
            "Substantial",
            "Complete",
            "n/a",
            "ND",
            "NR",
            "NA"
        ]
    );

    // What is inside the file.
    let entries = zip::entries(&fs::read(&path).unwrap());
    let sheet = part(&entries, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane xSplit="3" ySplit="1" topLeftCell="D2" activePane="bottomRight" state="frozen"/>"#),
        "the header row and the id columns are frozen"
    );
    assert!(sheet.contains(r#"<col min="9" max="9" width="40.7109375" customWidth="1"/>"#));
    // Drop-down lists only where the criterion is rated; the other cells refuse input.
    let milestone_rows = "D3:D6 D8:D10 D12:D14 D16:D19 D21:D23 D25:D27 D29:D30";
    let commitment_rows = |c: char| {
        [2, 7, 11, 15, 20, 24, 28]
            .map(|r| format!("{c}{r}"))
            .join(" ")
    };
    let dv = validations(sheet);
    assert_eq!(dv.len(), 10, "{dv:?}");
    assert!(
        dv.contains(&("list".into(), milestone_rows.into())),
        "{dv:?}"
    );
    assert!(
        dv.contains(&("textLength".into(), commitment_rows('D'))),
        "{dv:?}"
    );
    for c in ['E', 'F', 'G', 'H'] {
        assert!(
            dv.contains(&("list".into(), commitment_rows(c))),
            "{c}: {dv:?}"
        );
        let blocked = milestone_rows.replace('D', &c.to_string());
        assert!(dv.contains(&("textLength".into(), blocked)), "{c}: {dv:?}");
    }
    assert!(sheet.contains("<formula1>Lists!$A$2:$A$9</formula1>"));
    // Shaded cells: a grey fill in the styles, used by the cells that do not apply.
    let styles = part(&entries, "xl/styles.xml");
    assert!(styles.contains(r#"<fgColor rgb="FFD9D9D9"/>"#), "{styles}");
    // Titles in notes on the ids, and the Instructions sheet.
    let comments = part(&entries, "xl/comments1.xml");
    assert!(comments.contains("Commitment 1: Mobile application for the Government 11-11 Center"));
    assert!(comments.contains("Milestone 7.2: Extend e-service kiosks to all aimag centres"));
    // Texts are written in their cells (no shared-strings table).
    let strings = part(&entries, "xl/worksheets/sheet2.xml");
    for text in [
        "Review date (deadline)",
        "2018-06-30: rate what has been done by this date",
        "How much of this milestone has the government carried out",
        "No activity on the milestone can be found.",
        "completion Substantial or higher",
        "Transparency Network Mongolia (fictional)",
    ] {
        assert!(
            strings.contains(text),
            "the Instructions sheet says {text:?}"
        );
    }
}

#[cfg(feature = "spreadsheets")]
/// XML text with its special characters escaped.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(feature = "spreadsheets")]
/// Types `value` into the blank cell `cell` of a worksheet's XML, as a spreadsheet would.
fn type_into(sheet_xml: &mut String, cell: &str, value: &str) {
    let start = sheet_xml
        .find(&format!("<c r=\"{cell}\" "))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let end = start + sheet_xml[start..].find("/>").unwrap();
    let open = sheet_xml[start..end].to_string();
    assert!(!open.contains('>'), "{cell} is blank");
    let filled = format!(
        "{open} t=\"inlineStr\"><is><t>{}</t></is></c>",
        xml_escape(value)
    );
    sheet_xml.replace_range(start..end + 2, &filled);
}

#[cfg(feature = "spreadsheets")]
#[test]
fn an_xlsx_sheet_filled_in_is_read_back_as_it_is() {
    use calamine::Reader;

    let dir = sample("mongolia-2016-2018");
    let before = assess_json(dir.path(), &[]);
    let original = ratings_of(&dir.path().join("scores/demo.csv"));
    let run = run_in(dir.path(), &["sheet", "-e", "demo", "-o", "demo.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let blank = dir.path().join("demo.xlsx");

    // Where each (commitment, milestone) row is, from the blank sheet itself.
    let mut book = calamine::open_workbook_auto(&blank).unwrap();
    let range = book.worksheet_range("Scores").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    let header = rows[0].clone();
    let letter = |i: usize| char::from(b'A' + u8::try_from(i).unwrap());

    let mut entries = zip::entries(&fs::read(&blank).unwrap());
    let sheet = entries
        .iter_mut()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .unwrap();
    let mut xml = String::from_utf8(sheet.1.clone()).unwrap();
    let mut typed = 0;
    for (r, row) in rows.iter().enumerate().skip(1) {
        let Some(cells) = original.get(&(row[1].clone(), row[2].clone())) else {
            continue;
        };
        for (i, name) in header.iter().enumerate().skip(3) {
            let value = cells.get(name).map(String::as_str).unwrap_or_default();
            if !value.is_empty() {
                type_into(&mut xml, &format!("{}{}", letter(i), r + 1), value);
                typed += 1;
            }
        }
    }
    assert!(typed > 50, "{typed}");
    sheet.1 = xml.into_bytes();
    fs::remove_file(dir.path().join("scores/demo.csv")).unwrap();
    fs::write(dir.path().join("scores/demo.xlsx"), zip::stored(&entries)).unwrap();
    // The sample's plan names its score files: add workbooks to them.
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let plan = plan.replace(
        "scores = [\"scores/*.csv\"]",
        "scores = [\"scores/*.csv\", \"scores/*.xlsx\"]",
    );
    fs::write(dir.path().join("plan.toml"), plan).unwrap();

    let run = run_in(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("scores   3 files, 3 evaluators, 143 ratings (2 \"no rating\")"),
        "{}",
        run.stderr
    );
    assert_eq!(assess_json(dir.path(), &[]), before);
}

// ---------------------------------------------------------------------------------------------
// compare
// ---------------------------------------------------------------------------------------------

/// A coalition's plan on check-my-ogp with its own ids and OGP's ids (`ogp_id`), and an
/// imported IRM folder on irm-legacy named by OGP's ids, as `import ogp` writes it: the IRM's
/// view is compared with the coalition's by the level of completion, by meaning.
#[test]
fn compare_a_coalition_on_check_my_ogp_with_an_imported_irm_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    fs::create_dir_all(ours.join("scores")).unwrap();
    fs::write(
        ours.join("plan.toml"),
        "[plan]\ncountry = \"Paraguay\"\ntitle = \"Plan 4\"\n\n[assessment]\nas_of = 2020-06-30\n\n\
         [[commitment]]\nid = \"1\"\nogp_id = \"PY0038\"\ntitle = \"Development councils\"\n\n\
         [[commitment.milestone]]\nid = \"1.1\"\ntitle = \"Training\"\n\n\
         [[commitment]]\nid = \"2\"\nogp_id = \"PY0054\"\ntitle = \"Open contracting\"\n\n\
         [[commitment.milestone]]\nid = \"2.1\"\ntitle = \"Portal\"\n\n\
         [[commitment]]\nid = \"3\"\nogp_id = \"PY0055\"\ntitle = \"Water\"\n\n\
         [[commitment.milestone]]\nid = \"3.1\"\ntitle = \"Map\"\n\n\
         [[commitment]]\nid = \"4\"\ntitle = \"Our own\"\n",
    )
    .unwrap();
    fs::write(
        ours.join("scores/demo.csv"),
        "evaluator,commitment,milestone,completion,evidence\n\
         demo,1,1.1,Complete,https://example.org/1\n\
         demo,2,2.1,Limited,\n\
         demo,3,3.1,Substantial,https://example.org/3\n",
    )
    .unwrap();
    let irm = tmp.path().join("irm");
    fs::create_dir_all(irm.join("scores")).unwrap();
    let irm_plan = "[plan]\ncountry = \"Paraguay\"\ntitle = \"Action plan 4 (2018–2020)\"\n\n\
         [assessment]\nrubric = \"irm-legacy\"\nas_of = 2020-06-30\n\n\
         [[evaluator]]\nid = \"irm\"\nrole = \"irm\"\n\n\
         [[commitment]]\nid = \"PY0038\"\nogp_id = \"PY0038\"\ntitle = \"Development councils\"\n\n\
         [[commitment]]\nid = \"PY0054\"\nogp_id = \"PY0054\"\ntitle = \"Open contracting\"\n\n\
         [[commitment]]\nid = \"PY0055\"\nogp_id = \"PY0055\"\ntitle = \"Water\"\n\n\
         [[commitment]]\nid = \"PY0060\"\nogp_id = \"PY0060\"\ntitle = \"Theirs only\"\n";
    fs::write(irm.join("plan.toml"), irm_plan).unwrap();
    fs::write(
        irm.join("scores/irm.csv"),
        "evaluator,commitment,milestone,criterion,level,evidence,comment\n\
         irm,PY0038,,completion,Substantial,https://opengovpartnership.org/py0038,\n\
         irm,PY0038,,potential-impact,Minor,,\n\
         irm,PY0054,,completion,Limited,https://opengovpartnership.org/py0054,\n\
         irm,PY0055,,completion,Withdrawn,,\n\
         irm,PY0060,,completion,Complete,https://opengovpartnership.org/py0060,\n",
    )
    .unwrap();

    let v = compare_json(tmp.path(), "ours", "irm");
    assert_eq!(v["basis"], "completion");
    assert_eq!(v["same_rubric"], false);
    assert_eq!(
        v["summary"],
        serde_json::json!({"compared": 3, "up": 0, "down": 1, "same": 1, "unknown": 1, "only_in_a": 1, "only_in_b": 1})
    );
    let c = v["commitments"].as_array().unwrap();
    assert_eq!(
        c[0],
        serde_json::json!({"id": "1", "title": "Development councils", "rating_a": "On track", "rating_b": "Substantial",
            "direction": "down", "score_a": 100.0, "score_b": 55.5556, "score_change": null,
            "moved": [{"criterion": "completion", "from": "Complete", "to": "Substantial", "direction": "down"}],
            "id_b": "PY0038", "completion_a": "Complete", "completion_b": "Substantial"})
    );
    assert_eq!(c[1]["completion_a"], "Limited");
    assert_eq!(c[1]["completion_b"], "Limited");
    assert_eq!(c[1]["direction"], "same");
    assert_eq!(c[1]["moved"], serde_json::json!([]));
    // Withdrawn is a status, not a level of completion: shown, not placed on the scale.
    assert_eq!(c[2]["completion_b"], "Withdrawn");
    assert_eq!(c[2]["direction"], serde_json::Value::Null);
    assert_eq!(v["only_in_a"][0]["id"], "4");
    assert_eq!(v["only_in_b"][0]["id"], "PY0060");
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.contains(
            &"Matched by OGP's id (ogp_id), A's id = B's: 1 = PY0038, 2 = PY0054, 3 = PY0055."
        ),
        "{warnings:?}"
    );

    // The table says what was compared, and what could not be.
    let run = run_in(tmp.path(), &["compare", "ours", "irm", "--color", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "3 commitments compared by their level of completion: 0 up, 1 down, 1 the same, 1 without a comparable level on one side."
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("only B's rubric has specificity"),
        "{}",
        run.stdout
    );
    let run = run_in(tmp.path(), &["compare", "ours", "irm", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id,title,in,rating_a,rating_b,completion_a,completion_b,direction,score_a,score_b,score_change,moved"
    );
    assert_eq!(
        lines[1],
        "1,Development councils,both,On track,Substantial,Complete,Substantial,down,100,55.5556,,completion Complete → Substantial ↓"
    );

    // With the IRM made the reference of the coalition's own folder (its irm.csv among the
    // coalition's scores), each side's IRM is set beside that side's level.
    fs::write(
        ours.join("plan.toml"),
        fs::read_to_string(ours.join("plan.toml")).unwrap().replace(
            "as_of = 2020-06-30\n",
            "as_of = 2020-06-30\nreference = \"irm\"\n",
        ),
    )
    .unwrap();
    let theirs: String = fs::read_to_string(irm.join("scores/irm.csv"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("PY0060"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(ours.join("scores/irm.csv"), theirs).unwrap();
    let v = compare_json(tmp.path(), "ours", "irm");
    assert_eq!(
        v["commitments"][0]["reference"],
        serde_json::json!([{"side": "a", "evaluator": "irm", "criterion": "completion", "level": "Substantial", "own": "Complete", "differs": true}])
    );
    assert_eq!(
        v["commitments"][1]["reference"],
        serde_json::json!([{"side": "a", "evaluator": "irm", "criterion": "completion", "level": "Limited", "own": "Limited", "differs": false}])
    );

    // An imported folder whose IRM was made the reference before any coalition rated: its
    // view is the IRM's, and a warning says so.
    fs::write(
        irm.join("plan.toml"),
        irm_plan.replace(
            "as_of = 2020-06-30\n",
            "as_of = 2020-06-30\nreference = \"irm\"\n",
        ),
    )
    .unwrap();
    let v = compare_json(tmp.path(), "ours", "irm");
    assert_eq!(v["commitments"][0]["completion_b"], "Substantial");
    assert_eq!(v["commitments"][0]["rating_b"], "Substantial");
    assert_eq!(
        v["warnings"][0],
        "B has no evaluators of its own, only the reference evaluator `irm`: B's levels are irm's ratings."
    );

    // A rubric whose ratings and completion levels mean nothing on the other's scale: refused,
    // saying why.
    let run = run_in(
        tmp.path(),
        &["rubric", "export", "check-my-ogp", "--output", "own.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let own = fs::read_to_string(tmp.path().join("own.toml"))
        .unwrap()
        .replace("\"On track\"", "\"Fine\"")
        .replace("\"Not started\"", "\"Nothing\"");
    let mine = tmp.path().join("mine");
    fs::create_dir_all(mine.join("scores")).unwrap();
    fs::write(mine.join("own.toml"), own).unwrap();
    fs::write(
        mine.join("plan.toml"),
        "[plan]\ncountry = \"Paraguay\"\ntitle = \"Plan 4\"\n\n[assessment]\nrubric = \"own.toml\"\n\n\
         [[commitment]]\nid = \"1\"\ntitle = \"Development councils\"\n",
    )
    .unwrap();
    let run = run_in(tmp.path(), &["compare", "mine", "irm"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("the two rubrics do not both have a completion criterion whose levels (Not started, Limited, Substantial, Complete) can be matched by meaning"),
        "{}",
        run.stderr
    );
}

/// A small assessment on the default rubric: one milestone per commitment, rated by one
/// evaluator on completion only, so each score is the completion's share of the scale.
fn mini(
    root: &Path,
    name: &str,
    title: &str,
    rated: &[(&str, Option<&str>)],
) -> std::path::PathBuf {
    let dir = root.join(name);
    fs::create_dir_all(dir.join("scores")).unwrap();
    let mut plan = format!(
        "[plan]\ncountry = \"Testland\"\ntitle = \"{title}\"\n\n[assessment]\nas_of = 2025-06-30\n"
    );
    let mut scores = String::from("evaluator,commitment,milestone,completion,evidence\n");
    for (id, level) in rated {
        plan.push_str(&format!(
            "\n[[commitment]]\nid = \"{id}\"\ntitle = \"Commitment {id}\"\n\n[[commitment.milestone]]\nid = \"{id}.1\"\ntitle = \"Step\"\n"
        ));
        if let Some(level) = level {
            scores.push_str(&format!("e,{id},{id}.1,{level},https://example.org/{id}\n"));
        }
    }
    fs::write(dir.join("plan.toml"), plan).unwrap();
    fs::write(dir.join("scores/e.csv"), scores).unwrap();
    dir
}

fn compare_json(dir: &Path, a: &str, b: &str) -> serde_json::Value {
    let run = run_in(dir, &["compare", a, b, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn compare_shows_rating_changes_their_direction_and_one_sided_commitments() {
    let tmp = tempfile::tempdir().unwrap();
    mini(
        tmp.path(),
        "mid",
        "Mid-term",
        &[
            ("1", Some("Limited")),
            ("2", Some("Complete")),
            ("3", Some("Substantial")),
            ("5", Some("Substantial")),
            ("6", Some("Limited")),
        ],
    );
    mini(
        tmp.path(),
        "end",
        "End of term",
        &[
            ("1", Some("Complete")),
            ("2", Some("Not started")),
            ("4", Some("Limited")),
            ("5", Some("Substantial")),
            ("6", None),
        ],
    );
    let v = compare_json(tmp.path(), "mid", "end");
    assert_eq!(v["a"]["source"], "mid");
    assert_eq!(v["a"]["title"], "Mid-term");
    assert_eq!(v["b"]["title"], "End of term");
    assert_eq!(v["a"]["rubric"], "check-my-ogp");
    assert_eq!(v["a"]["as_of"], "2025-06-30");
    assert_eq!(v["same_rubric"], true);
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert_eq!(
        v["summary"],
        serde_json::json!({"compared": 4, "up": 1, "down": 1, "same": 1, "unknown": 1, "only_in_a": 1, "only_in_b": 1})
    );
    assert_eq!(
        v["commitments"],
        serde_json::json!([
            {"id": "1", "title": "Commitment 1", "rating_a": "Behind", "rating_b": "On track", "direction": "up",
             "score_a": 33.3333, "score_b": 100.0, "score_change": 66.6667,
             "moved": [{"criterion": "completion", "from": "Limited", "to": "Complete", "direction": "up"}]},
            {"id": "2", "title": "Commitment 2", "rating_a": "On track", "rating_b": "Off track", "direction": "down",
             "score_a": 100.0, "score_b": 0.0, "score_change": -100.0,
             "moved": [{"criterion": "completion", "from": "Complete", "to": "Not started", "direction": "down"}]},
            {"id": "5", "title": "Commitment 5", "rating_a": "Progressing", "rating_b": "Progressing", "direction": "same",
             "score_a": 66.6667, "score_b": 66.6667, "score_change": 0.0, "moved": []},
            {"id": "6", "title": "Commitment 6", "rating_a": "Behind", "rating_b": null, "direction": null,
             "score_a": 33.3333, "score_b": null, "score_change": null,
             "moved": [{"criterion": "completion", "from": "Limited", "to": null, "direction": null}]}
        ])
    );
    assert_eq!(
        v["only_in_a"],
        serde_json::json!([{"id": "3", "title": "Commitment 3", "rating": "Progressing", "score": 66.6667}])
    );
    assert_eq!(
        v["only_in_b"],
        serde_json::json!([{"id": "4", "title": "Commitment 4", "rating": "Behind", "score": 33.3333}])
    );

    // The table and the other formats say the same.
    let run = run_in(tmp.path(), &["compare", "mid", "end"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "4 commitments compared: 1 up, 1 down, 1 the same, 1 without a rating on the scale on one side."
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("↑ up"), "{}", run.stdout);
    assert!(
        run.stdout.contains("completion Limited → Complete ↑"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Only in A"), "{}", run.stdout);
    let run = run_in(tmp.path(), &["compare", "mid", "end", "--format", "csv"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id,title,in,rating_a,rating_b,direction,score_a,score_b,score_change,moved"
    );
    assert_eq!(
        lines[1],
        "1,Commitment 1,both,Behind,On track,up,33.3333,100,66.6667,completion Limited → Complete ↑"
    );
    assert_eq!(lines[5], "3,Commitment 3,a,Progressing,,,66.6667,,,");
    assert_eq!(lines[6], "4,Commitment 4,b,,Behind,,,33.3333,,");
    let run = run_in(
        tmp.path(),
        &[
            "compare", "mid", "end", "--format", "markdown", "--output", "cmp.md",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = fs::read_to_string(tmp.path().join("cmp.md")).unwrap();
    assert!(
        md.contains("| 2 | Commitment 2 | On track | Off track | ↓ down |"),
        "{md}"
    );
}

#[test]
fn compare_reads_a_folder_against_a_json_file() {
    let tmp = tempfile::tempdir().unwrap();
    mini(
        tmp.path(),
        "mid",
        "Mid-term",
        &[("1", Some("Limited")), ("2", Some("Complete"))],
    );
    mini(
        tmp.path(),
        "end",
        "End of term",
        &[("1", Some("Substantial")), ("2", Some("Complete"))],
    );
    let run = run_in(
        tmp.path(),
        &[
            "assess",
            "end",
            "--format",
            "json",
            "--details",
            "--output",
            "end.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_folders = compare_json(tmp.path(), "mid", "end");
    let mut from_json = compare_json(tmp.path(), "mid", "end.json");
    assert_eq!(from_json["b"]["source"], "end.json");
    from_json["b"]["source"] = "end".into();
    assert_eq!(from_json, from_folders);
    assert_eq!(from_folders["commitments"][0]["direction"], "up");
    assert_eq!(from_folders["commitments"][1]["direction"], "same");
    // A plan file works as well as its folder.
    let from_plan = compare_json(tmp.path(), "mid/plan.toml", "end.json");
    assert_eq!(from_plan["commitments"], from_folders["commitments"]);

    // Files that are not assessments get a clear message.
    fs::write(tmp.path().join("notes.txt"), "hello").unwrap();
    let run = run_in(tmp.path(), &["compare", "mid", "notes.txt"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("notes.txt is neither an assessment folder nor a JSON file"),
        "{}",
        run.stderr
    );
    let run = run_in(
        tmp.path(),
        &[
            "summary",
            "mid",
            "--format",
            "json",
            "--output",
            "summary.json",
        ],
    );
    assert_eq!(run.code, 0);
    let run = run_in(tmp.path(), &["compare", "mid", "summary.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("not an `assess --format json` document"),
        "{}",
        run.stderr
    );
    let run = run_in(tmp.path(), &["compare", "mid", "nowhere"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("there is no file or folder nowhere"),
        "{}",
        run.stderr
    );
}

#[test]
fn compare_the_samples_json_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["mongolia-2016-2018", "mongolia-irm-legacy"] {
        let run = run_in(
            &root(),
            &[
                "assess",
                &format!("samples/{name}"),
                "--format",
                "json",
                "--output",
                tmp.path().join(format!("{name}.json")).to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    // An assessment against itself: nothing moved.
    let v = compare_json(
        tmp.path(),
        "mongolia-2016-2018.json",
        "mongolia-2016-2018.json",
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"compared": 7, "up": 0, "down": 0, "same": 7, "unknown": 0, "only_in_a": 0, "only_in_b": 0})
    );
    assert!(
        v["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["moved"] == serde_json::json!([]) && c["score_change"] == 0.0)
    );
    assert_eq!(
        v["a"]["evaluators"],
        serde_json::json!(["demo", "wsp", "transparency-mn"])
    );

    // The two samples rate on different scales (check-my-ogp bands, irm-legacy completion
    // levels): the ratings and scores are shown but not compared; the level of completion is,
    // by meaning, and B's reference evaluator (the IRM) is set beside B's own level.
    let v = compare_json(
        tmp.path(),
        "mongolia-2016-2018.json",
        "mongolia-irm-legacy.json",
    );
    assert_eq!(v["basis"], "completion");
    assert_eq!(
        v["summary"],
        serde_json::json!({"compared": 7, "up": 2, "down": 1, "same": 4, "unknown": 0, "only_in_a": 0, "only_in_b": 0})
    );
    assert_eq!(
        v["commitments"][0],
        serde_json::json!({"id": "1", "title": "Mobile application for the Government 11-11 Center to receive citizen feedback and requests",
            "rating_a": "On track", "rating_b": "Complete", "direction": "up",
            "score_a": 78.5714, "score_b": 88.3333, "score_change": null,
            "moved": [{"criterion": "completion", "from": "Substantial", "to": "Complete", "direction": "up"}],
            "completion_a": "Substantial", "completion_b": "Complete",
            "reference": [{"side": "b", "evaluator": "irm", "criterion": "completion", "level": "Limited", "own": "Complete", "differs": true}]})
    );
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(
        warnings[0],
        "A uses the `check-my-ogp` rubric, rated Off track … On track, and B the `irm-legacy` rubric, rated Not Started … Complete: a rating of one cannot be placed on the other's scale, and their 0–100 scores measure different things, so ratings and scores are shown side by side but not compared. The level of completion is compared instead: both rubrics' completion levels mean Not started, Limited, Substantial or Complete, and are matched by meaning."
    );
    assert_eq!(
        warnings[1],
        "A rates completion per milestone (the commitment's level is rolled up from its milestones); B rates it for the commitment as a whole."
    );
    assert_eq!(
        warnings[2],
        "Criteria in one rubric only are not compared: only A's rubric has relevance, participation, published-evidence, results; only B's rubric has specificity, access-to-information, civic-participation, public-accountability, technology-innovation, potential-impact, did-it-open-government."
    );

    // The IRM sample against a copy in which the coalition's completion moved up for
    // commitment 4: its rating (the completion level) goes up, and the change is listed.
    let dir = sample("mongolia-irm-legacy");
    let before = tmp.path().join("mongolia-irm-legacy.json");
    for file in ["demo.csv", "wsp.csv"] {
        let path = dir.path().join("scores").join(file);
        let text = fs::read_to_string(&path).unwrap();
        let changed: String = text
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let is_completion_of_4 =
                    cells.get(1) == Some(&"4") && cells.contains(&"completion");
                if is_completion_of_4 {
                    let level = cells.iter().position(|c| *c == "completion").unwrap() + 1;
                    let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                    cells[level] = "Complete".into();
                    let evidence = level + 1;
                    cells[evidence] = "https://example.org/law".into();
                    cells.join(",")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(
            changed,
            text.trim_end(),
            "{file} rates completion of commitment 4"
        );
        fs::write(&path, changed + "\n").unwrap();
    }
    let run = run_in(
        dir.path(),
        &["compare", before.to_str().unwrap(), ".", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c4 = v["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "4")
        .unwrap();
    assert_eq!(c4["rating_b"], "Complete");
    assert_eq!(c4["direction"], "up");
    assert_eq!(c4["moved"][0]["criterion"], "completion");
    assert_eq!(c4["moved"][0]["to"], "Complete");
    assert_eq!(c4["moved"][0]["direction"], "up");
    assert_eq!(v["summary"]["up"], 1);
    assert_eq!(v["summary"]["down"], 0);
}
