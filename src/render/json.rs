//! `--format json`: a command's data, pretty-printed, with a final newline. Commands hand over
//! their typed data directly (see `docs/json-schema.md`), so large assessments are serialised
//! once, without an intermediate tree.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// Writes pretty JSON with a final newline.
pub fn write<W: io::Write, T: Serialize + ?Sized>(mut w: W, value: &T) -> anyhow::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut w, Pretty::default());
    value.serialize(&mut ser)?;
    w.write_all(b"\n")?;
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut out = Vec::with_capacity(128);
    write(&mut out, value)?;
    Ok(String::from_utf8(out)?)
}

/// `,` then a line break then indentation, as one slice: the pretty printer's line starts are
/// written with one copy instead of one write per level (the bytes are serde_json's
/// `PrettyFormatter`'s, two spaces per level).
const BREAKS: &[u8] = b",\n                                                                                                                                ";

/// serde_json's `PrettyFormatter`, byte for byte, with each line's start written at once.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// Writes `,` (unless `first`), a line break and the current indentation.
    fn line<W: ?Sized + io::Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        let width = 2 * self.level;
        if width + 2 <= BREAKS.len() {
            w.write_all(&BREAKS[start..width + 2])
        } else {
            w.write_all(&BREAKS[start..2])?;
            for _ in 0..self.level {
                w.write_all(b"  ")?;
            }
            Ok(())
        }
    }

    /// Opens an array or object: one level deeper, nothing in it yet.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object, on a line of its own when it held anything.
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Pretty {
    #[inline]
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(w, first)
    }

    #[inline]
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    #[inline]
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(w, first)
    }

    #[inline]
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    #[inline]
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes as serde_json's own pretty printer, including nesting deeper than the
    /// precomputed indentation, empty containers and a final newline.
    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let mut deep = serde_json::json!({"leaf": [1, 2.5, "x"], "empty": {}, "none": []});
        for i in 0..80 {
            deep = serde_json::json!({ format!("k{i}"): [deep.clone(), null, true], "n": i });
        }
        let ours = pretty(&deep).unwrap();
        let theirs = serde_json::to_string_pretty(&deep).unwrap() + "\n";
        assert_eq!(ours, theirs);
        assert_eq!(pretty(&serde_json::json!([])).unwrap(), "[]\n");
        assert_eq!(
            pretty(&serde_json::json!({"a": {}})).unwrap(),
            "{\n  \"a\": {}\n}\n"
        );
    }
}
