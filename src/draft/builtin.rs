//! The built-in draft templates, compiled into the program from the repository's `templates/`
//! folder: one per built-in rubric and the macros they share (their wording, per language, is
//! in [`crate::wording`]).

/// A built-in template: its name (as templates include it, and as `--export-template` writes
/// it) and its text.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinTemplate {
    pub name: &'static str,
    pub text: &'static str,
}

/// Every built-in template, in the order `--export-template` writes them.
pub const TEMPLATES: [BuiltinTemplate; 4] = [
    BuiltinTemplate {
        name: "check-my-ogp.md.j2",
        text: include_str!("../../templates/check-my-ogp.md.j2"),
    },
    BuiltinTemplate {
        name: "irm-legacy.md.j2",
        text: include_str!("../../templates/irm-legacy.md.j2"),
    },
    BuiltinTemplate {
        name: "irm-refresh.md.j2",
        text: include_str!("../../templates/irm-refresh.md.j2"),
    },
    BuiltinTemplate {
        name: "common.md.j2",
        text: include_str!("../../templates/common.md.j2"),
    },
];

/// The template used for a rubric without one of its own (a coalition's own rubric).
pub const FALLBACK: &str = "check-my-ogp.md.j2";

/// The built-in template of this name.
pub fn find(name: &str) -> Option<&'static BuiltinTemplate> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The name of a rubric's template: `ID.md.j2`.
pub fn name_for(rubric: &str) -> String {
    format!("{rubric}.md.j2")
}
