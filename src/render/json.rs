//! `--format json`: a command's data, pretty-printed, with a final newline. Commands hand over
//! their typed data directly (see `docs/json-schema.md`), so large assessments are serialised
//! once, without an intermediate tree.

use serde::Serialize;

/// Writes pretty JSON with a final newline.
pub fn write<W: std::io::Write, T: Serialize + ?Sized>(mut w: W, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut w, value)?;
    w.write_all(b"\n")?;
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}
