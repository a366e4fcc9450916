//! Fuzz target: arbitrary bytes as a draft template, rendered against a small assessment.
//! Nothing may panic, loop for ever or exhaust memory: errors must be diagnostics.
#![no_main]

use std::sync::OnceLock;

use checkmyogp::diag::Report;
use checkmyogp::draft::{self, context::Context};
use checkmyogp::load::{self, Selection};

/// The context of the corpus base assessment, built once.
fn context() -> Option<&'static Context> {
    static CX: OnceLock<Option<Context>> = OnceLock::new();
    CX.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/_base");
        let mut report = Report::new();
        let inputs = load::load(&Selection { dir, ..Selection::default() }, &mut report)?;
        let as_of = inputs.plan.settings.as_of?;
        Some(draft::context::build(inputs, as_of, &checkmyogp::wording::Wording::english(), false))
    })
    .as_ref()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(cx) = context() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let file = dir.path().join("t.md.j2");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let Ok(choice) = draft::choose(Some(&file), dir.path(), "check-my-ogp") else { return };
    let engine = draft::engine_for(&choice, cx, checkmyogp::wording::Wording::english());
    let _ = draft::render_all(&engine, cx).map_err(|d| d.render());
});
