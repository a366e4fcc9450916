//! Writing TOML values by hand, safely: importers write plan.toml as text so that it can carry
//! comments for the person who will edit it, and every text from the outside world (titles,
//! institutions, the full text of a commitment) must come out as a valid TOML string that
//! reads back exactly, whatever quotes, backslashes, `'''` or control characters it holds.

use std::fmt::Write as _;

/// Whether a character must be escaped in every kind of TOML string (control characters other
/// than tab and line feed, and DEL).
fn is_control(c: char) -> bool {
    (c < ' ' && c != '\t' && c != '\n') || c == '\u{7f}'
}

fn escape_control(out: &mut String, c: char) {
    match c {
        '\r' => out.push_str("\\r"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        _ => {
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        }
    }
}

/// A one-line basic string: `"…"`, with quotes, backslashes, line breaks and control
/// characters escaped.
pub fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_control(c) => escape_control(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A text on several lines: a multi-line literal string (`'''…'''`) when the text has
/// backslashes and can be written that way (nothing to escape reads best), otherwise a
/// multi-line basic string (`"""…"""`) with only what must be escaped escaped. Windows line
/// ends become `\n`. The text starts on the line after the opening delimiter.
pub fn multiline(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let literal_ok = !s.contains("'''") && !s.ends_with('\'') && !s.chars().any(is_control);
    if literal_ok && s.contains('\\') {
        return format!("'''\n{s}'''");
    }
    let chars: Vec<char> = s.chars().collect();
    // Quotes at the very end would run into the closing delimiter: escape them all.
    let trailing = chars.iter().rev().take_while(|&&c| c == '"').count();
    let trail_start = chars.len() - trailing;
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("\"\"\"\n");
    let mut run = 0;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' if i >= trail_start || run == 2 => {
                out.push_str("\\\"");
                run = 0;
            }
            '"' => {
                out.push('"');
                run += 1;
            }
            '\\' => {
                out.push_str("\\\\");
                run = 0;
            }
            c if is_control(c) => {
                escape_control(&mut out, c);
                run = 0;
            }
            c => {
                out.push(c);
                run = 0;
            }
        }
    }
    out.push_str("\"\"\"");
    out
}

/// A list of texts: `["a", "b"]`.
pub fn array(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| basic(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A comment of one or more lines, each starting with `# ` (control characters, which a TOML
/// comment may not hold, become spaces).
pub fn comment(text: &str) -> String {
    let mut out = String::new();
    for line in text.replace("\r\n", "\n").split('\n') {
        let clean: String = line
            .chars()
            .map(|c| if is_control(c) { ' ' } else { c })
            .collect();
        let clean = clean.trim_end();
        if clean.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {clean}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(value: &str) -> String {
        let doc = format!("x = {value}\n");
        let table: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}\n{e}"));
        table["x"].as_str().unwrap().to_string()
    }

    #[test]
    fn awkward_texts_read_back_exactly() {
        for s in [
            "",
            "plain",
            "a \"quoted\" word",
            "ends with a quote\"",
            "ends with three quotes\"\"\"",
            "\"\"\"\"\"\" six quotes",
            "back\\slash and ''' three apostrophes",
            "C:\\path\\to\\file",
            "ends with an apostrophe'",
            "line one\nline two\n",
            "\nstarts with a line break",
            "tab\there, bell\u{7}, null\u{0}, carriage\rreturn, del\u{7f}",
            "“curly” ‘quotes’ — and Кирилл",
            "trailing backslash\\",
        ] {
            assert_eq!(read_back(&basic(s)), s, "basic {s:?}");
            assert_eq!(read_back(&multiline(s)), s, "multiline {s:?}");
        }
        assert_eq!(read_back(&multiline("a\r\nb")), "a\nb");
    }

    #[test]
    fn backslashes_use_a_literal_string_when_possible() {
        assert_eq!(multiline("C:\\dir"), "'''\nC:\\dir'''");
        assert!(multiline("C:\\dir and '''").starts_with("\"\"\""));
    }

    #[test]
    fn comments_stay_comments() {
        let doc = format!("{}x = 1\n", comment("one\ntwo\u{0}\n\nthree"));
        assert_eq!(doc, "# one\n# two\n#\n# three\nx = 1\n");
        let table: toml::Table = toml::from_str(&doc).unwrap();
        assert_eq!(table.len(), 1);
    }

    proptest! {
        #[test]
        fn any_text_reads_back(s in any::<String>()) {
            prop_assert_eq!(read_back(&basic(&s)), s.clone());
            prop_assert_eq!(read_back(&multiline(&s)), s.replace("\r\n", "\n"));
        }

        #[test]
        fn quote_heavy_text_reads_back(s in "[\"'\\\\\\na]{0,24}") {
            prop_assert_eq!(read_back(&multiline(&s)), s.clone());
            let doc = format!("x = {}\n", array(&[s.clone(), String::new()]));
            let table: toml::Table = toml::from_str(&doc).unwrap();
            prop_assert_eq!(table["x"][0].as_str(), Some(s.as_str()));
        }
    }
}
