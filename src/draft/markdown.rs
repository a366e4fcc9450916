//! Text from the inputs, made safe to put into a Markdown draft.
//!
//! Two kinds of text reach a draft (docs/templates.md, section 4, says which field is which):
//!
//! - **plain text** (titles, names, agencies, evaluators' comments, evidence, next steps): every
//!   character that Markdown or HTML would read as markup is escaped, so the text shows exactly
//!   as written. A one-line field (a title) also has its line breaks made spaces, so that it can
//!   never start a heading or a list.
//! - **Markdown** (a commitment's `description`, the `[comment]` texts and the timeline's
//!   events, written by the coalition in plan.toml): kept as Markdown, but raw HTML is escaped
//!   and character references are made literal, so nothing but Markdown is live.
//!
//! In both, a link can never be a script: `javascript:`, `vbscript:` and `data:` lose the power
//! to start a link (a zero-width space is put before their colon).

/// Characters escaped with a backslash in plain text.
const SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '&', '!', '{', '}',
];

/// The URL schemes that run code or embed content when a link is followed.
const SCRIPT_SCHEMES: [&str; 3] = ["javascript", "vbscript", "data"];

/// Plain text on one line: spaces collapsed, markup escaped.
pub fn plain_line(text: &str) -> String {
    // Most text (a label, a name, a level) has nothing to collapse, escape or defuse: it is
    // copied as it is, one allocation instead of four (a draft makes hundreds of thousands).
    if is_plain_line(text) {
        return text.to_string();
    }
    escaped_line(text)
}

/// Whether [`plain_line`] gives `text` back unchanged: single spaces between words only, no
/// character to escape, no colon (which [`defuse_schemes`] looks at), and no start of a block.
fn is_plain_line(text: &str) -> bool {
    let mut after_space = true;
    for ch in text.chars() {
        if ch == ' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if ch.is_whitespace() || ch == ':' || SPECIAL.contains(&ch) {
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space && !starts_block(text)
}

/// [`plain_line`] the long way, for text that changes.
fn escaped_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    defuse_schemes(&escape_line(&joined, true))
}

/// Plain text that may have several lines (a comment): each line escaped, line breaks kept.
pub fn plain_block(text: &str) -> String {
    let lines: Vec<String> = text
        .trim()
        .lines()
        .map(|l| escape_line(l.trim(), true))
        .collect();
    defuse_schemes(&lines.join("\n"))
}

fn escape_line(line: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for ch in line.chars() {
        if SPECIAL.contains(&ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    if !line_start {
        return out;
    }
    if starts_block(&out) {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.insert(digits, '\\');
        } else {
            out.insert(0, '\\');
        }
    }
    out
}

/// Whether escaped text `t` starts a list, a quotation, a heading or a rule at the start of a
/// line.
fn starts_block(t: &str) -> bool {
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    t.starts_with("- ")
        || t.starts_with("+ ")
        || t == "-"
        || t == "+"
        || t.starts_with("---")
        || t.starts_with("===")
        || (digits > 0 && matches!(t[digits..].chars().next(), Some('.' | ')')))
}

/// Markdown written by the coalition: raw HTML and character references made literal, script
/// links defused.
pub fn markdown(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(pos) = rest.find(['<', '&']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with('<') {
            if let Some(len) = autolink_len(tail) {
                out.push_str(&tail[..len]);
                rest = &tail[len..];
                continue;
            }
            out.push_str("&lt;");
        } else {
            out.push_str("&amp;");
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    defuse_schemes(&out)
}

/// The length of a safe autolink (`<https://…>`, `<mailto:…>`) at the start of `text`.
fn autolink_len(text: &str) -> Option<usize> {
    let lower = text.get(..9).unwrap_or(text).to_ascii_lowercase();
    if !(lower.starts_with("<https://")
        || lower.starts_with("<http://")
        || lower.starts_with("<mailto:"))
    {
        return None;
    }
    let end = text.find('>')?;
    let inner = &text[1..end];
    (!inner
        .chars()
        .any(|c| c.is_whitespace() || c == '<' || c.is_control()))
    .then_some(end + 1)
}

/// Puts a zero-width space before the colon of every `javascript:`, `vbscript:` and `data:`,
/// whatever their case and whatever backslashes or control characters are mixed into them, so
/// that no Markdown or HTML reader takes them for a link's scheme.
pub fn defuse_schemes(text: &str) -> String {
    if !text.contains(':') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, ch) in text.char_indices() {
        if ch == ':' && ends_with_scheme(&text[..i]) {
            out.push('\u{200b}');
        }
        out.push(ch);
    }
    out
}

fn ends_with_scheme(before: &str) -> bool {
    // The letters before the colon, ignoring what a URL parser strips or an escape hides.
    let mut word = String::new();
    let mut prev = None;
    for ch in before.chars().rev() {
        if ch.is_ascii_alphabetic() {
            word.insert(0, ch.to_ascii_lowercase());
            if word.len() > 10 {
                break;
            }
        } else if ch == '\\' || ch.is_ascii_control() || (ch == ' ' && word.is_empty()) {
            continue;
        } else {
            prev = Some(ch);
            break;
        }
    }
    // `data:` is an ordinary word in prose ("Open data: …"); it is a scheme only where a
    // link's address starts.
    if word == "data" {
        return matches!(prev, None | Some('(' | '<' | '"' | '\'' | '='));
    }
    SCRIPT_SCHEMES
        .iter()
        .any(|s| *s != "data" && word.ends_with(s))
}

/// Counts the places a person must still write: `[[…]]` markers (escaped brackets from the
/// inputs, `\[`, never count).
pub fn count_places(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'[' && bytes[i + 1] == b'[' && (i == 0 || bytes[i - 1] != b'\\') {
            if text[i..].find("]]").is_some() {
                n += 1;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_shows_as_written() {
        assert_eq!(
            plain_line("A *b* [c](javascript:alert(1))"),
            "A \\*b\\* \\[c\\](javascript\u{200b}:alert(1))"
        );
        assert_eq!(
            plain_line("Title\n# not a heading"),
            "Title \\# not a heading"
        );
        assert_eq!(
            plain_line("<script>x</script> & 1"),
            "\\<script\\>x\\</script\\> \\& 1"
        );
        assert_eq!(
            plain_block("- one\n2. two\n---\nok"),
            "\\- one\n2\\. two\n\\---\nok"
        );
        assert_eq!(plain_line("[[not a place]]"), "\\[\\[not a place\\]\\]");
        assert_eq!(count_places(&plain_line("[[x]]")), 0);
    }

    /// The short way of `plain_line` (text copied as it is) is taken only where the long way
    /// gives the same text.
    #[test]
    fn plain_lines_copied_as_they_are_are_the_same() {
        for text in [
            "",
            " ",
            "Complete",
            "Not started",
            "Not  started",
            " Limited",
            "Limited ",
            "a\tb",
            "a\u{a0}b",
            "Ministry of Finance (MoF)",
            "Did it open government?",
            "- a",
            "-",
            "+",
            "+ b",
            "---",
            "===",
            "1. one",
            "2) two",
            "12",
            "1.5",
            "Open data: portal",
            "javascript",
            "a*b",
            "Монгол улс",
            "x-y",
            "--",
        ] {
            assert_eq!(plain_line(text), escaped_line(text), "{text:?}");
        }
        assert!(is_plain_line("Not started") && is_plain_line("Монгол улс"));
        assert!(!is_plain_line("1. one") && !is_plain_line("a  b"));
    }

    #[test]
    fn markdown_keeps_markdown_but_not_html_or_scripts() {
        assert_eq!(
            markdown("**bold** <b>x</b> <https://a.org/x>"),
            "**bold** &lt;b>x&lt;/b> <https://a.org/x>"
        );
        assert_eq!(
            markdown("[a](JaVa\\Script:alert(1))"),
            "[a](JaVa\\Script\u{200b}:alert(1))"
        );
        assert_eq!(
            markdown("[a](jav&#x61;script:x)"),
            "[a](jav&amp;#x61;script:x)"
        );
        assert_eq!(
            markdown("![x](data:image/png;base64,AA)"),
            "![x](data\u{200b}:image/png;base64,AA)"
        );
        assert_eq!(markdown("Open data: a portal"), "Open data: a portal");
        assert_eq!(count_places("[[a]] and [[b]] \\[\\[c\\]\\]"), 2);
    }
}
