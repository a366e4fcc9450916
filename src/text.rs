//! Turning the bytes of a file into text: byte-order marks, UTF-16 with or without a BOM, and
//! Windows-1252 (what older spreadsheet programs save), with a note whenever text was decoded
//! from something other than UTF-8.

use std::borrow::Cow;

/// The character encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    /// A person-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with a byte-order mark",
            Encoding::Utf16Le => "UTF-16 (little-endian)",
            Encoding::Utf16Be => "UTF-16 (big-endian)",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// The `encoding_rs` decoder for encodings that are not plain UTF-8.
    pub fn decoder(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => None,
            Encoding::Utf16Le => Some(encoding_rs::UTF_16LE),
            Encoding::Utf16Be => Some(encoding_rs::UTF_16BE),
            Encoding::Windows1252 => Some(encoding_rs::WINDOWS_1252),
        }
    }

    /// Length of the byte-order mark this encoding was recognised by.
    pub fn bom_len(self, head: &[u8]) -> usize {
        match self {
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le if head.starts_with(&[0xFF, 0xFE]) => 2,
            Encoding::Utf16Be if head.starts_with(&[0xFE, 0xFF]) => 2,
            _ => 0,
        }
    }
}

/// What kind of content the first bytes of a file show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Text(Encoding),
    /// A ZIP container: an XLSX, ODS or DOCX file.
    Zip,
    /// Control bytes that no text file holds.
    Binary,
}

/// Guesses the encoding from the first bytes of a file (a few kilobytes are plenty).
/// `complete` says whether `head` is the whole file, so a UTF-8 sequence cut at its end is not
/// mistaken for an encoding error.
pub fn sniff(head: &[u8], complete: bool) -> Sniffed {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniffed::Text(Encoding::Utf8Bom);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Sniffed::Text(Encoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Text(Encoding::Utf16Be);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    // UTF-16 without a BOM: mostly-ASCII text has a zero in every other byte.
    let sample = &head[..head.len().min(4096)];
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let odd_zero = sample
            .chunks_exact(2)
            .filter(|p| p[1] == 0 && p[0] != 0)
            .count();
        let even_zero = sample
            .chunks_exact(2)
            .filter(|p| p[0] == 0 && p[1] != 0)
            .count();
        if odd_zero * 10 >= pairs * 4 {
            return Sniffed::Text(Encoding::Utf16Le);
        }
        if even_zero * 10 >= pairs * 4 {
            return Sniffed::Text(Encoding::Utf16Be);
        }
    }
    if sample
        .iter()
        .any(|&b| b == 0 || (b < 0x09) || (0x0E..0x1A).contains(&b))
    {
        return Sniffed::Binary;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Sniffed::Text(Encoding::Utf8),
        Err(e) if e.error_len().is_none() && !complete => Sniffed::Text(Encoding::Utf8),
        Err(_) => Sniffed::Text(Encoding::Windows1252),
    }
}

/// A whole file decoded to text.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: Encoding,
}

/// Decodes a whole file. `Err` says, in words, why the bytes are not text.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, &'static str> {
    match sniff(bytes, true) {
        Sniffed::Zip => {
            Err("this is a ZIP container (an .xlsx, .ods or .docx file), not a text file")
        }
        Sniffed::Binary => Err("this file holds binary data, not text"),
        Sniffed::Text(encoding) => {
            let body = &bytes[encoding.bom_len(bytes)..];
            let (text, encoding) = match encoding.decoder() {
                None => match std::str::from_utf8(body) {
                    Ok(s) => (Cow::Borrowed(s), encoding),
                    Err(_) => (
                        encoding_rs::WINDOWS_1252
                            .decode_without_bom_handling(body)
                            .0,
                        Encoding::Windows1252,
                    ),
                },
                Some(dec) => (dec.decode_without_bom_handling(body).0, encoding),
            };
            if text.contains('\0') {
                return Err("this file holds binary data, not text");
            }
            Ok(Decoded { text, encoding })
        }
    }
}

/// Whether a character would act on a terminal rather than show: C0 and C1 control characters
/// (ESC starts the sequences that clear the screen or write the clipboard), DEL, and the
/// bidirectional overrides that reorder what is shown.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `c` written so that it shows: `\0`, `\t`, `\n`, `\r`, or `\u{1b}`.
pub(crate) fn escaped(c: char) -> String {
    match c {
        '\0' => "\\0".to_string(),
        '\t' => "\\t".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        c => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// Text from the inputs as it may be quoted in a message: every control character escaped
/// (so a NUL or an escape sequence shows instead of acting), and at most `max` characters
/// (then `…`).
pub fn printable(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if is_control(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that show as nothing: a byte-order mark inside a cell (two exports pasted
/// together), zero-width spaces and joiners, the word joiner.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{200B}'..='\u{200D}' | '\u{2060}')
}

/// An id from the inputs as a message quotes it, with the characters that show as nothing
/// written out (`\u{feff}`), so that `evaluator "demo\u{feff}" is not listed` says why `demo`
/// was not found.
pub fn visible(s: &str) -> Cow<'_, str> {
    escaped_where(s, is_invisible)
}

/// `s` with each character that `escape` picks written out ([`escaped`]); borrowed when
/// there is none.
fn escaped_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if escape(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`] in place, for the strings of a value about to be shown on a terminal.
pub fn make_terminal_safe(s: &mut String) {
    if let Cow::Owned(clean) = for_terminal(s) {
        *s = clean;
    }
}

/// Text bound for a terminal, with every control character except line breaks and tabs
/// escaped: what the inputs hold can then never clear the screen, move the cursor or write the
/// clipboard. Colours are added after this, by the program itself.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escaped_where(s, |c| is_control(c) && c != '\n' && c != '\t')
}

/// A cell as it was before [`formula_safe`]: the leading `'` it added is taken off (a sheet
/// this tool wrote, filled in and saved back, keeps it).
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// Whether a value starts like a formula, possibly after apostrophes (so that a value that
/// really starts with `'=` keeps its apostrophe through [`formula_safe`] and [`unguard`]).
fn needs_guard(value: &str) -> bool {
    let rest = value.trim_start_matches('\'');
    rest.starts_with(['=', '+', '-', '@', '\t', '\r']) && rest.trim().parse::<f64>().is_err()
}

/// A cell value made safe for a spreadsheet: a value that starts like a formula (`=`, `+`,
/// `-`, `@`, or a tab or carriage return before one of them) gets a leading `'`, so Excel and
/// LibreOffice show it as text instead of running it. Numbers such as `-1` are left as they are.
/// [`unguard`] takes the `'` off again.
pub fn formula_safe(value: &str) -> Cow<'_, str> {
    if needs_guard(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_encodings() {
        assert_eq!(decode(b"a,b").unwrap().encoding, Encoding::Utf8);
        assert_eq!(decode(b"\xEF\xBB\xBFa,b").unwrap().text, "a,b");
        let le: Vec<u8> = "ab,Ж".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let d = decode(&le).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("ab,Ж", Encoding::Utf16Le));
        let be: Vec<u8> = "ab,cd".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap().encoding, Encoding::Utf16Be);
        let d = decode(b"caf\xe9").unwrap();
        assert_eq!(
            (d.text.as_ref(), d.encoding),
            ("café", Encoding::Windows1252)
        );
        assert!(decode(b"PK\x03\x04rest").is_err());
        assert!(decode(b"\x00\x01\x02\x03\x04\x05").is_err());
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("a\u{1b}[2Jb\0", 20), "a\\u{1b}[2Jb\\0");
        assert_eq!(printable("abcdef", 3), "abc…");
        assert_eq!(
            for_terminal("x\u{1b}]52;c;aGk=\u{7}\ny\tz"),
            "x\\u{1b}]52;c;aGk=\\u{7}\ny\tz"
        );
        assert_eq!(for_terminal("plain"), Cow::Borrowed("plain"));
        assert_eq!(printable("\u{202E}abc", 9), "\\u{202e}abc");
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(formula_safe("=1+2"), "'=1+2");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("+33"), "+33");
        assert_eq!(formula_safe("-1"), "-1");
        assert_eq!(formula_safe("-cmd"), "'-cmd");
        assert_eq!(formula_safe("1.1"), "1.1");
        assert_eq!(formula_safe("\t=x"), "'\t=x");
        for cell in [
            "=1+2", "-cmd", "@x", "1.1", "'quoted", "-1", "'=x", "''-y", "'", "",
        ] {
            assert_eq!(unguard(&formula_safe(cell)), cell);
        }
        assert_eq!(unguard("'1.10"), "'1.10");
    }
}
