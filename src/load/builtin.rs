//! The built-in rubrics, embedded in the binary from `rubrics/*.toml`, so the tool works
//! offline and users can export them to edit.

/// A rubric shipped with the tool.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub id: &'static str,
    pub summary: &'static str,
    pub text: &'static str,
}

/// Every built-in rubric; the first is the default.
pub const BUILTIN: [Builtin; 3] = [
    Builtin {
        id: "check-my-ogp",
        summary: "civil-society quick assessment: milestone completion, relevance, participation, evidence and results, scored 0–100 (the default)",
        text: include_str!("../../rubrics/check-my-ogp.toml"),
    },
    Builtin {
        id: "irm-legacy",
        summary: "the IRM's indicators of 2012–2020: specificity, relevance, potential impact, completion, did it open government, stars",
        text: include_str!("../../rubrics/irm-legacy.toml"),
    },
    Builtin {
        id: "irm-refresh",
        summary: "the IRM's indicators since 2021: verifiable, open-government lens, potential for results, completion, early results",
        text: include_str!("../../rubrics/irm-refresh.toml"),
    },
];

/// The id of the rubric used when plan.toml names none.
pub const DEFAULT_RUBRIC: &str = "check-my-ogp";

pub fn find(id: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.id == id.trim())
}
