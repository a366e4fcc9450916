//! What reaches a terminal. Every command writes standard output through [`stdout`] (or
//! [`on_stdout`]) and standard error through [`stderr`]: when the stream is a terminal, each
//! control character in what is written is shown escaped instead of obeyed (an escape
//! sequence in a comment could otherwise clear the screen, move the cursor or write the
//! clipboard, and a right-to-left override reorder what is read); redirected to a file or a
//! pipe, the bytes pass untouched, so data formats stay exactly what they are.
//!
//! Escaped are the characters of [`crate::text::is_control`] other than line feed and tab: C0
//! controls (carriage return too: the tool never ends lines with CRLF), DEL, C1 controls
//! (U+0080–U+009F) and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069). The left-to-right and right-to-left marks (U+200E, U+200F) are kept: they
//! cannot reorder a run of text, and Arabic and Hebrew text needs them. Text shows an escaped
//! character as the tables and messages do (`\u{1b}`, `\0`, `\r`); JSON as a JSON escape
//! (`\u001b`, `\u202e`), so what is shown stays valid JSON with the same strings.
//!
//! The one sequence let through is a colour ([`Shown::Coloured`]: SGR, `ESC [ digits m`, which
//! changes only how text looks), when colour is on, in tables and messages, whose text from the
//! inputs is escaped before the tool colours it.

use std::io::{self, IsTerminal, Write};

/// What a stream carries, which decides how a control character is shown on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Text without colour (CSV, Markdown, HTML, a draft): every control character escaped.
    Text,
    /// Text that may hold the tool's colours (tables, messages): colour sequences pass, every
    /// other control character is escaped.
    Coloured,
    /// JSON: control characters as JSON escapes.
    Json,
}

/// A stream that escapes control characters when it is a terminal and passes bytes untouched
/// otherwise.
#[derive(Debug)]
pub struct Out<W: Write> {
    inner: W,
    /// `None`: not a terminal, nothing is changed.
    shown: Option<Shown>,
    /// The end of the last write when it may be the start of something to escape or let
    /// through (a character cut between two writes, a colour sequence not yet ended).
    carry: Vec<u8>,
}

/// Standard output, escaped as `shown` says when it is a terminal.
pub fn stdout(shown: Shown) -> Out<io::StdoutLock<'static>> {
    on_stdout(io::stdout().lock(), shown)
}

/// `w`, a writer to standard output (such as `anstream::stdout()`), escaped as `shown` says
/// when standard output is a terminal.
pub fn on_stdout<W: Write>(w: W, shown: Shown) -> Out<W> {
    Out::new(w, io::stdout().is_terminal().then_some(shown))
}

/// Standard error, escaped when it is a terminal. Messages are coloured as they are made, and
/// the colour sequences that pass here are taken off after, by `anstream`, when colour is off
/// (`--color never`, `NO_COLOR`), with any other sequence it still holds.
pub fn stderr() -> Out<anstream::AutoStream<io::StderrLock<'static>>> {
    Out::new(
        anstream::stderr().lock(),
        io::stderr().is_terminal().then_some(Shown::Coloured),
    )
}

impl<W: Write> Out<W> {
    /// `inner`, escaped as `shown` says (`None`: passed untouched).
    pub fn new(inner: W, shown: Option<Shown>) -> Out<W> {
        Out {
            inner,
            shown,
            carry: Vec::new(),
        }
    }

    /// Writes `b`, escaping what must be; with `end`, nothing is kept back for the next write.
    fn feed(&mut self, shown: Shown, b: &[u8], end: bool) -> io::Result<()> {
        let mut done = 0;
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            if (x >= 0x20 && x != 0x7F && x != 0xC2 && x != 0xE2) || x == b'\n' || x == b'\t' {
                i += 1;
                continue;
            }
            match step(shown, &b[i..], end) {
                Step::Pass(n) => i += n,
                Step::Escape(c, n) => {
                    self.inner.write_all(&b[done..i])?;
                    self.inner.write_all(escaped(shown, c).as_bytes())?;
                    i += n;
                    done = i;
                }
                Step::Wait => {
                    self.inner.write_all(&b[done..i])?;
                    self.carry.extend_from_slice(&b[i..]);
                    return Ok(());
                }
            }
        }
        self.inner.write_all(&b[done..])
    }
}

/// What to do with the bytes at a control character or at the start of one that may be.
enum Step {
    /// Let this many bytes through.
    Pass(usize),
    /// Show this character escaped, in place of this many bytes.
    Escape(char, usize),
    /// The bytes end before it is known: keep them for the next write.
    Wait,
}

/// The longest colour sequence waited for across two writes.
const LONGEST_COLOUR: usize = 64;

fn step(shown: Shown, b: &[u8], end: bool) -> Step {
    let wait_or_pass = if end { Step::Pass(1) } else { Step::Wait };
    match b[0] {
        0x1B if shown == Shown::Coloured => match colour_len(b) {
            Some(Some(n)) => Step::Pass(n),
            Some(None) if !end && b.len() < LONGEST_COLOUR => Step::Wait,
            _ => Step::Escape('\u{1b}', 1),
        },
        // C1 controls are U+0080–U+009F: C2 80 to C2 9F in UTF-8.
        0xC2 => match b.get(1) {
            None => wait_or_pass,
            Some(&y @ 0x80..=0x9F) => Step::Escape(char::from(y), 2),
            Some(_) => Step::Pass(1),
        },
        // U+202A–U+202E are E2 80 AA to E2 80 AE; U+2066–U+2069 are E2 81 A6 to E2 81 A9.
        0xE2 => match (b.get(1), b.get(2)) {
            (None, _) | (Some(0x80 | 0x81), None) => wait_or_pass,
            (Some(&y @ (0x80 | 0x81)), Some(&z)) => {
                let c = 0x2000 + (u32::from(y & 0x3F) << 6) + u32::from(z & 0x3F);
                match char::from_u32(c) {
                    Some(c) if crate::text::is_control(c) => Step::Escape(c, 3),
                    _ => Step::Pass(1),
                }
            }
            _ => Step::Pass(1),
        },
        x => Step::Escape(char::from(x), 1),
    }
}

/// The length of the colour sequence (SGR: `ESC [`, digits and `;` or `:`, then `m`) that `b`
/// starts with: `Some(Some(n))`; `Some(None)` when `b` ends before it could; `None` when it is
/// something else.
fn colour_len(b: &[u8]) -> Option<Option<usize>> {
    match b.get(1) {
        None => return Some(None),
        Some(b'[') => {}
        Some(_) => return None,
    }
    for (i, &x) in b.iter().enumerate().skip(2) {
        match x {
            b'm' => return Some(Some(i + 1)),
            b'0'..=b'9' | b';' | b':' => {}
            _ => return None,
        }
    }
    Some(None)
}

/// `c` as it shows: in text as the tables show it, in JSON as a JSON escape.
fn escaped(shown: Shown, c: char) -> String {
    match shown {
        Shown::Json => format!("\\u{:04x}", u32::from(c)),
        Shown::Text | Shown::Coloured => crate::text::escaped(c),
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.shown {
            None => self.inner.write(buf),
            Some(shown) => {
                if self.carry.is_empty() {
                    self.feed(shown, buf, false)?;
                } else {
                    let mut joined = std::mem::take(&mut self.carry);
                    joined.extend_from_slice(buf);
                    self.feed(shown, &joined, false)?;
                }
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Out<W> {
    fn drop(&mut self) {
        if let Some(shown) = self.shown
            && !self.carry.is_empty()
        {
            let rest = std::mem::take(&mut self.carry);
            // Nothing can be reported from a drop; a failed write here failed before too.
            let _ = self
                .feed(shown, &rest, true)
                .and_then(|()| self.inner.flush());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes a terminal is sent when `pieces` are written one after the other.
    fn sent(shown: Shown, pieces: &[&[u8]]) -> Vec<u8> {
        let mut bytes = Vec::new();
        {
            let mut out = Out::new(&mut bytes, Some(shown));
            for p in pieces {
                out.write_all(p).unwrap();
            }
        }
        bytes
    }

    /// [`sent`] as text.
    fn shown(shown: Shown, pieces: &[&[u8]]) -> String {
        String::from_utf8(sent(shown, pieces)).unwrap()
    }

    const ATTACK: &str =
        "a\u{1b}[2J\u{1b}]52;c;aGVsbG8=\u{7}b\u{9b}31m\u{202e}c\u{2066}d\u{7f}\r\0\ne\tf";

    #[test]
    fn controls_show_escaped_on_a_terminal() {
        let expected = "a\\u{1b}[2J\\u{1b}]52;c;aGVsbG8=\\u{7}b\\u{9b}31m\\u{202e}c\\u{2066}d\\u{7f}\\r\\0\ne\tf";
        assert_eq!(shown(Shown::Text, &[ATTACK.as_bytes()]), expected);
        // The same as the tables and messages show it.
        assert_eq!(crate::text::for_terminal(ATTACK), expected);
        // `ESC [ 2 J` is no colour: escaped even where the tool colours.
        assert_eq!(shown(Shown::Coloured, &[ATTACK.as_bytes()]), expected);
    }

    #[test]
    fn colours_pass_and_other_sequences_do_not() {
        let text = "\u{1b}[1m\u{1b}[38;5;9mok\u{1b}[0m \u{1b}[2J \u{1b}]8;;x\u{1b}\\ \u{1b}[31";
        assert_eq!(
            shown(Shown::Coloured, &[text.as_bytes()]),
            "\u{1b}[1m\u{1b}[38;5;9mok\u{1b}[0m \\u{1b}[2J \\u{1b}]8;;x\\u{1b}\\ \\u{1b}[31"
        );
        assert_eq!(
            shown(Shown::Text, &[b"\x1b[1mok\x1b[0m"]),
            "\\u{1b}[1mok\\u{1b}[0m"
        );
    }

    #[test]
    fn json_escapes_stay_json() {
        let json = serde_json::to_string(&serde_json::json!({ "t": ATTACK })).unwrap();
        let out = shown(Shown::Json, &[json.as_bytes()]);
        assert!(!out.chars().any(crate::text::is_control), "{out}");
        assert!(out.contains("b\\u009b31m\\u202ec\\u2066d\\u007f"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["t"], ATTACK);
    }

    #[test]
    fn characters_cut_between_writes_are_still_seen() {
        let text = ATTACK.as_bytes();
        let whole = shown(Shown::Coloured, &[text]);
        for cut in 1..text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(shown(Shown::Coloured, &[a, b]), whole, "cut at {cut}");
            assert_eq!(
                shown(Shown::Text, &[a, b]),
                shown(Shown::Text, &[text]),
                "cut at {cut}"
            );
        }
        let colour = b"x\x1b[38;5;9my";
        for cut in 1..colour.len() {
            let (a, b) = colour.split_at(cut);
            assert_eq!(
                shown(Shown::Coloured, &[a, b]),
                "x\u{1b}[38;5;9my",
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn what_ends_cut_short_is_still_written() {
        assert_eq!(shown(Shown::Coloured, &[b"x\x1b[3"]), "x\\u{1b}[3");
        assert_eq!(
            sent(Shown::Text, &["é\u{2069}".as_bytes(), b"\xE2\x80"]),
            b"\xC3\xA9\\u{2069}\xE2\x80"
        );
    }

    #[test]
    fn other_text_passes_untouched() {
        let text = "Mongolia — “Ulaanbaatar” ¢ … \u{200f}עברית\u{200e} \u{2066} 日本 🎉\n\ttab";
        assert_eq!(
            shown(Shown::Coloured, &[text.as_bytes()]),
            text.replace('\u{2066}', "\\u{2066}")
        );
        let mut bytes = Vec::new();
        Out::new(&mut bytes, None)
            .write_all(ATTACK.as_bytes())
            .unwrap();
        assert_eq!(bytes, ATTACK.as_bytes());
    }
}
