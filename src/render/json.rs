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

/// A JSON object written field by field, for output too large to hold at once: the same bytes
/// as [`write`] gives for a struct with these fields in this order (its final newline
/// included). An array field can be written in pieces serialised beforehand, elsewhere, with
/// [`element`].
#[derive(Debug)]
pub struct ObjectWriter<W: io::Write> {
    w: W,
    fields: usize,
}

/// How deep the elements of an array that is a field of an [`ObjectWriter`] are.
pub(super) const ELEMENT_DEPTH: usize = 2;

impl<W: io::Write> ObjectWriter<W> {
    pub fn new(mut w: W) -> io::Result<Self> {
        w.write_all(b"{")?;
        Ok(ObjectWriter { w, fields: 0 })
    }

    fn key(&mut self, key: &str) -> anyhow::Result<()> {
        Pretty::at(1).line(&mut self.w, self.fields == 0)?;
        serde_json::to_writer(&mut self.w, key)?;
        self.w.write_all(b": ")?;
        self.fields += 1;
        Ok(())
    }

    /// Writes a field.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> anyhow::Result<()> {
        self.key(key)?;
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut self.w,
            Pretty::at(1),
        ))?;
        Ok(())
    }

    /// Opens a field holding an array, whose elements are then written with [`Self::raw`].
    pub fn begin_array(&mut self, key: &str) -> anyhow::Result<()> {
        self.key(key)?;
        self.w.write_all(b"[")?;
        Ok(())
    }

    /// Writes elements of the open array, as [`element`] serialised them.
    pub fn raw(&mut self, elements: &[u8]) -> io::Result<()> {
        self.w.write_all(elements)
    }

    /// Closes the open array; `any`: whether it holds any element.
    pub fn end_array(&mut self, any: bool) -> io::Result<()> {
        if any {
            Pretty::at(ELEMENT_DEPTH - 1).line(&mut self.w, true)?;
        }
        self.w.write_all(b"]")
    }

    /// Closes the object and writes the final newline.
    pub fn finish(mut self) -> io::Result<W> {
        if self.fields > 0 {
            self.w.write_all(b"\n")?;
        }
        self.w.write_all(b"}\n")?;
        Ok(self.w)
    }
}

/// Appends `value` as an element of an array field of an [`ObjectWriter`] (`first`: the
/// array's first element), in the bytes the pretty printer writes for it there.
pub fn element<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    first: bool,
) -> serde_json::Result<()> {
    let pretty = Pretty::at(ELEMENT_DEPTH);
    pretty.line(out, first).map_err(serde_json::Error::io)?;
    value.serialize(&mut serde_json::Serializer::with_formatter(out, pretty))
}

/// Appends `,` (unless `first`), a line break and the indentation of `level`, as the pretty
/// printer starts a line inside `level` nested arrays or objects.
/// `extra` more bytes are reserved beside it, for what follows on the line.
#[inline]
pub(super) fn line(out: &mut Vec<u8>, level: usize, first: bool, extra: usize) {
    let (start, width) = (usize::from(first), 2 * level);
    if width + 2 <= BREAKS.len() {
        let bytes = &BREAKS[start..width + 2];
        out.reserve(bytes.len() + extra);
        out.extend_from_slice(bytes);
    } else {
        // Writing to a Vec cannot fail.
        let _ = Pretty::at(level).line(out, first);
    }
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
    /// The printer as it is inside `level` nested arrays or objects.
    fn at(level: usize) -> Self {
        Pretty {
            level,
            has_value: false,
        }
    }

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

    /// An object written field by field, with an array written in pieces, is the same bytes
    /// as the whole value printed at once: with and without elements, and with no field.
    #[test]
    fn object_written_in_pieces_is_the_same() {
        let items = serde_json::json!([{"a": [1, {"b": null}], "c": {}}, [], "x\"y", 2.5]);
        for n in 0..=4 {
            let list = &items.as_array().unwrap()[..n];
            let whole = serde_json::json!({"head": {"k": [1, 2]}, "list": list, "tail": "é"});
            let mut object = ObjectWriter::new(Vec::new()).unwrap();
            object.field("head", &whole["head"]).unwrap();
            object.begin_array("list").unwrap();
            for (i, item) in list.iter().enumerate() {
                let mut piece = Vec::new();
                element(&mut piece, item, i == 0).unwrap();
                object.raw(&piece).unwrap();
            }
            object.end_array(!list.is_empty()).unwrap();
            object.field("tail", "é").unwrap();
            let ours = String::from_utf8(object.finish().unwrap()).unwrap();
            assert_eq!(ours, pretty(&whole).unwrap());
        }
        let empty = ObjectWriter::new(Vec::new()).unwrap().finish().unwrap();
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            pretty(&serde_json::json!({})).unwrap()
        );
    }
}
