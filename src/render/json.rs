//! `--format json`: the document's data, pretty-printed, with a final newline.

use super::{Doc, Renderer};

/// Writes the document's JSON form.
#[derive(Debug)]
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        let mut s = serde_json::to_string_pretty(&doc.json)?;
        s.push('\n');
        Ok(s)
    }
}
