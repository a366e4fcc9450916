//! Safe file names for `draft --split`: one Markdown file per commitment, named after its id.
//!
//! Ids come from a person's plan and can hold anything: `3.2`, `a/b`, `../x`, `1 2`, `Монгол`,
//! `CON`. A name keeps the letters and digits of any script as they are (nothing is
//! transliterated), turns every run of other characters into one `-`, and then avoids what
//! breaks on some system: an empty name, Windows' reserved device names (`CON`, `NUL`,
//! `COM1`, …), names that differ only in case (the same file on Windows and macOS), and
//! over-long names.

use std::collections::HashSet;

/// The overview file of a `--split` folder.
pub const OVERVIEW: &str = "overview.md";

/// The longest name stem, in characters (well under every file system's limit, even for
/// scripts that take several bytes per character).
const MAX_STEM: usize = 60;

const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// The stem for one id: letters and digits kept, other runs made `-`, trimmed and capped.
/// Empty when nothing is left.
fn stem(id: &str) -> String {
    let mut out = String::new();
    for ch in id.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(MAX_STEM).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&trimmed)) {
        format!("{trimmed}_")
    } else {
        trimmed
    }
}

/// A file name (`STEM.md`) for each id, in order, all different from each other (ignoring
/// case) and from [`OVERVIEW`]. A name already taken gets `-2`, `-3`, … ; an id with no
/// letter or digit is named after its position: `commitment-4`.
pub fn file_names<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    taken.insert(OVERVIEW.trim_end_matches(".md").to_lowercase());
    let mut names = Vec::new();
    for (i, id) in ids.into_iter().enumerate() {
        let mut base = stem(id);
        if base.is_empty() {
            base = format!("commitment-{}", i + 1);
        }
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(candidate.to_lowercase());
        names.push(format!("{candidate}.md"));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_safe_distinct_names() {
        let ids = [
            "1",
            "3.2",
            "../x",
            "a/b",
            "1 2",
            "Монгол",
            "CON",
            "con.txt",
            "a-b",
            "A/B",
            "..",
            "",
            "overview",
            "x",
            "X",
        ];
        assert_eq!(
            file_names(ids),
            [
                "1.md",
                "3-2.md",
                "x.md",
                "a-b.md",
                "1-2.md",
                "Монгол.md",
                "CON_.md",
                "con-txt.md",
                "a-b-2.md",
                "A-B-3.md",
                "commitment-11.md",
                "commitment-12.md",
                "overview-2.md",
                "x-2.md",
                "X-3.md",
            ]
        );
        let long = "ж".repeat(300);
        let name = &file_names([long.as_str()])[0];
        assert_eq!(name.chars().count(), MAX_STEM + 3);
    }
}
