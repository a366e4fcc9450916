//! How OGP's data spells each indicator's levels, and the rubric's label for each (for example
//! DIOG `Worsens` → `Worsened`, `Did Not Change` → `Did not change`).

use super::Rubric;

/// How a criterion's levels are written in OGP's data (lowercase, single spaces) and the
/// rubric's label for each.
pub fn levels(rubric: Rubric, criterion: &str) -> &'static [(&'static str, &'static str)] {
    const YES_NO: &[(&str, &str)] = &[
        ("1", "Yes"),
        ("0", "No"),
        ("yes", "Yes"),
        ("no", "No"),
        ("true", "Yes"),
        ("false", "No"),
    ];
    match (rubric, criterion) {
        (
            _,
            "access-to-information"
            | "civic-participation"
            | "public-accountability"
            | "technology-innovation"
            | "verifiable"
            | "open-government-lens",
        ) => YES_NO,
        (Rubric::Legacy, "specificity") => &[
            ("none", "None"),
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
        ],
        (Rubric::Legacy, "potential-impact") => &[
            ("none", "None"),
            ("minor", "Minor"),
            ("moderate", "Moderate"),
            ("transformative", "Transformative"),
        ],
        (Rubric::Legacy, "completion") => &[
            ("withdrawn", "Withdrawn"),
            ("not started", "Not Started"),
            ("limited", "Limited"),
            ("substantial", "Substantial"),
            ("complete", "Complete"),
            ("completed", "Complete"),
        ],
        (Rubric::Legacy, "did-it-open-government") => &[
            ("worsens", "Worsened"),
            ("worsened", "Worsened"),
            ("did not change", "Did not change"),
            ("marginal", "Marginal"),
            ("major", "Major"),
            ("outstanding", "Outstanding"),
        ],
        (Rubric::Refresh, "potential-for-results") => &[
            ("unclear", "Unclear"),
            ("modest", "Modest"),
            ("substantial", "Substantial"),
        ],
        (Rubric::Refresh, "completion") => &[
            ("no evidence available", "No Evidence Available"),
            ("not started", "Not Started"),
            ("limited", "Limited"),
            ("substantial", "Substantial"),
            ("complete", "Complete"),
            ("completed", "Complete"),
        ],
        (Rubric::Refresh, "early-results") => &[
            ("no notable results", "No notable results"),
            ("moderate", "Moderate"),
            ("significant", "Significant"),
            ("outstanding", "Outstanding"),
        ],
        _ => &[],
    }
}

/// The rubric's label for a value of OGP's data, if the rubric has one.
pub fn level(rubric: Rubric, criterion: &str, text: &str) -> Option<&'static str> {
    let wanted = text
        .replace(['’', '‘'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    levels(rubric, criterion)
        .iter()
        .find(|(ogp, _)| *ogp == wanted)
        .map(|(_, label)| *label)
}

/// The rubric's labels of a criterion, for "expected" lines.
pub(super) fn labels(rubric: Rubric, criterion: &str) -> Vec<&'static str> {
    let mut seen = Vec::new();
    for (_, l) in levels(rubric, criterion) {
        if !seen.contains(l) {
            seen.push(*l);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diag::Report;
    use crate::source::SourceMap;

    #[test]
    fn every_mapped_label_is_a_level_of_the_built_in_rubric() {
        for rubric in [Rubric::Legacy, Rubric::Refresh] {
            let mut sources = SourceMap::default();
            let mut report = Report::new();
            let loaded = crate::load::load_rubric(
                rubric.id(),
                Path::new("."),
                &mut sources,
                &mut report,
                None,
            )
            .expect("built-in rubric");
            for criterion in &loaded.criteria {
                let mapped = labels(rubric, &criterion.id);
                assert!(!mapped.is_empty(), "{} {}", rubric.id(), criterion.id);
                let known: Vec<&str> = criterion.answer_labels().collect();
                for label in &mapped {
                    assert!(
                        known.contains(label),
                        "{}: `{label}` is not a level of {}; levels: {known:?}",
                        rubric.id(),
                        criterion.id
                    );
                }
                for label in known {
                    assert!(
                        mapped.contains(&label),
                        "{}: level `{label}` of {} is never imported",
                        rubric.id(),
                        criterion.id
                    );
                }
            }
        }
    }

    #[test]
    fn ogp_spellings_map_to_the_rubric_labels() {
        use Rubric::{Legacy, Refresh};
        assert_eq!(
            level(Legacy, "did-it-open-government", "Worsens"),
            Some("Worsened")
        );
        assert_eq!(
            level(Legacy, "did-it-open-government", "Did Not Change"),
            Some("Did not change")
        );
        assert_eq!(
            level(
                Legacy,
                "did-it-open-government",
                "No early results to report yet"
            ),
            None
        );
        assert_eq!(
            level(Legacy, "completion", " not  started "),
            Some("Not Started")
        );
        assert_eq!(level(Legacy, "completion", "Unclear"), None);
        assert_eq!(level(Legacy, "completion", "No Evidence Available"), None);
        assert_eq!(level(Refresh, "completion", "Withdrawn"), None);
        assert_eq!(
            level(Refresh, "completion", "No Evidence Available"),
            Some("No Evidence Available")
        );
        assert_eq!(level(Legacy, "access-to-information", "1"), Some("Yes"));
        assert_eq!(level(Legacy, "technology-innovation", "0"), Some("No"));
        assert_eq!(level(Refresh, "verifiable", "Yes"), Some("Yes"));
        assert_eq!(
            level(Refresh, "early-results", "No notable results"),
            Some("No notable results")
        );
        assert_eq!(level(Legacy, "specificity", "ND"), None);
    }
}
