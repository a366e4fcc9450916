//! Safe file names for `draft --split`: one Markdown file per commitment, named after its
//! position in the plan and its id, so that a folder listing shows them in plan order.
//!
//! Ids come from a person's plan and can hold anything: `3.2`, `a/b`, `../x`, `1 2`, `Монгол`,
//! `CON`. A name is the commitment's position (`01`, `02`, …, as many digits as the plan
//! needs) then the id's letters and digits of any script as they are (nothing is
//! transliterated), every run of other characters made one `-`: `04-4.md`, `18-3-2.md`. The
//! position makes every name different, even ignoring case (`Σ` and `ς`), and never one of
//! Windows' reserved device names (`CON`, `NUL`, `COM1`, `COM¹`, …), on any system; names
//! are capped in length.

/// The overview file of a `--split` folder.
pub const OVERVIEW: &str = "overview.md";

/// The longest id part of a name, in characters (well under every file system's limit, even
/// for scripts that take several bytes per character).
const MAX_STEM: usize = 60;

/// The letters and digits of an id, other runs made `-`, trimmed and capped. Empty when
/// nothing is left.
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
    trimmed.trim_end_matches('-').to_string()
}

/// A file name for each id, in order: `NN-STEM.md` (`NN.md` for an id with no letter or
/// digit), sorting in plan order and all different from each other (whatever the case) and
/// from [`OVERVIEW`].
pub fn file_names<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let width = ids.len().to_string().len().max(2);
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let stem = stem(id);
            if stem.is_empty() {
                format!("{:0width$}.md", i + 1)
            } else {
                format!("{:0width$}-{stem}.md", i + 1)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How Windows and macOS compare names: ignoring case, with final sigma and sigma alike.
    fn folded(name: &str) -> String {
        name.to_uppercase().to_lowercase()
    }

    #[test]
    fn ids_become_safe_distinct_names_in_plan_order() {
        let ids = [
            "1",
            "3.2",
            "../x",
            "a/b",
            "1 2",
            "Монгол",
            "CON",
            "COM¹",
            "a-b",
            "A/B",
            "..",
            "",
            "overview",
            "Σ",
            "ς",
            "NUL.txt",
        ];
        let names = file_names(ids);
        assert_eq!(
            names,
            [
                "01-1.md",
                "02-3-2.md",
                "03-x.md",
                "04-a-b.md",
                "05-1-2.md",
                "06-Монгол.md",
                "07-CON.md",
                "08-COM¹.md",
                "09-a-b.md",
                "10-A-B.md",
                "11.md",
                "12.md",
                "13-overview.md",
                "14-Σ.md",
                "15-ς.md",
                "16-NUL-txt.md",
            ]
        );
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names, "names sort in plan order");
        let mut seen = std::collections::HashSet::new();
        for n in &names {
            assert!(seen.insert(folded(n)), "{n} clashes");
            assert_ne!(folded(n), folded(OVERVIEW));
        }
        let long = "ж".repeat(300);
        let name = &file_names([long.as_str()])[0];
        assert_eq!(name.chars().count(), MAX_STEM + 6);
        let many: Vec<String> = (1..=120).map(|i| i.to_string()).collect();
        let names = file_names(many.iter().map(String::as_str));
        assert_eq!(
            (names[0].as_str(), names[119].as_str()),
            ("001-1.md", "120-120.md")
        );
    }
}
