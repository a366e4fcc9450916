//! Escaping and links: the only ways user text enters the report.
//!
//! Every piece of text that comes from the plan, the rubric or the score files goes through
//! [`esc`] (HTML text, HTML attributes and SVG, which share the same five escapes), and every
//! link through [`safe_url`]: only `http://` and `https://` addresses become `<a href>`;
//! anything else (`javascript:`, `data:`, file paths, document names) stays text.

/// Escapes text for HTML (text and quoted attribute values) and XML (inline or standalone SVG).
///
/// Replaces `& < > " '`, and drops the control characters XML forbids and HTML reports as parse
/// errors (tabs and line breaks are kept), so the result is valid in both.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_esc(&mut out, s);
    out
}

/// [`esc`] onto an existing string.
pub fn push_esc(out: &mut String, s: &str) {
    push_escaped(out, s, "&#39;");
}

/// The bytes [`push_escaped`] looks at: the five escaped characters, the control characters,
/// and the first bytes of the forbidden characters beyond ASCII.
const NOTICED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'\t' as usize] = false;
    t[b'\n' as usize] = false;
    let mut i = 0;
    let special = [b'&', b'<', b'>', b'"', b'\'', 0x7F, 0xC2, 0xEF];
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`esc`] onto an existing string, with `'` written as `apostrophe`: the runs of text that
/// need no escape are copied whole. The escapes are found by byte: in UTF-8, the forbidden
/// U+0080..=U+009F are `C2 80..=9F`, U+FFFE and U+FFFF `EF BF BE` and `EF BF BF`, and no
/// byte of a longer character is an ASCII byte or the first byte of another.
pub(crate) fn push_escaped(out: &mut String, s: &str, apostrophe: &str) {
    let bytes = s.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip to the next byte that may need an escape.
        match bytes[i..].iter().position(|&b| NOTICED[usize::from(b)]) {
            Some(skip) => i += skip,
            None => break,
        }
        let b = bytes[i];
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => (apostrophe, 1),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..0x20 | 0x7F => ("", 1),
            0xC2 if matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => ("", 2),
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(s.get(done..i).unwrap_or_default());
        out.push_str(replacement);
        i += len;
        done = i;
    }
    out.push_str(s.get(done..).unwrap_or_default());
}

/// The address itself when `s` (trimmed) is a plain `http://` or `https://` URL with a host,
/// and nothing that could break out of an attribute or hide another scheme; `None` otherwise.
pub fn safe_url(s: &str) -> Option<&str> {
    let t = s.trim();
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        t.get(8..)?
    } else if lower.starts_with("http://") {
        t.get(7..)?
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(['.', ':', '@']) {
        return None;
    }
    let bad = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '<' | '>' | '"' | '\'' | '`' | '\\' | '{' | '}' | '|' | '^'
            )
    };
    if t.chars().any(bad) {
        return None;
    }
    Some(t)
}

/// An `<a>` element for a safe URL, or `None`.
pub fn link(url: &str, text: &str) -> Option<String> {
    let url = safe_url(url)?;
    Some(format!(
        "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>",
        esc(url),
        esc(text)
    ))
}

/// Escapes `text`, turning each `http(s)://` address in it into a link and leaving the rest
/// (document names, `javascript:` and other schemes) as text.
pub fn linkify(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    while pos < text.len() {
        let next = [lower[pos..].find("https://"), lower[pos..].find("http://")]
            .into_iter()
            .flatten()
            .min()
            .map(|i| pos + i);
        let Some(start) = next else {
            break;
        };
        // Only at a word boundary: not in the middle of "xhttp://".
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .map_or(text.len(), |i| start + i);
        let url = trim_trailing(&text[start..end]);
        let url_end = start + url.len();
        match (boundary, safe_url(url)) {
            (true, Some(u)) => {
                push_esc(&mut out, &text[pos..start]);
                out.push_str(&format!(
                    "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>",
                    esc(u),
                    esc(u)
                ));
                pos = url_end;
            }
            _ => {
                let skip = url_end.max(start + 1);
                let skip = (skip..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                push_esc(&mut out, &text[pos..skip]);
                pos = skip;
            }
        }
    }
    if pos < text.len() {
        push_esc(&mut out, &text[pos..]);
    }
    out
}

/// A URL without the punctuation that usually follows it in a sentence (a closing bracket is
/// kept when the URL opened one).
fn trim_trailing(url: &str) -> &str {
    let mut u = url;
    loop {
        let Some(last) = u.chars().next_back() else {
            return u;
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | ']' | '}' => true,
            ')' => u.matches('(').count() < u.matches(')').count(),
            _ => false,
        };
        if !drop {
            return u;
        }
        u = &u[..u.len() - last.len_utf8()];
    }
}

/// At most `max` characters of `s`, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaping as it was written first, one character at a time: the reference.
    fn esc_by_char(s: &str) -> String {
        let mut out = String::new();
        for ch in s.chars() {
            let u = u32::from(ch);
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                '\t' | '\n' => out.push(ch),
                _ if u < 0x20 || (0x7F..=0x9F).contains(&u) || u == 0xFFFE || u == 0xFFFF => {}
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escaping_by_byte_is_escaping_by_character() {
        let pieces = [
            "a",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "\t",
            "\n",
            "\r",
            "\u{0}",
            "\u{1f}",
            " ",
            "\u{7f}",
            "\u{80}",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "é",
            "\u{fffd}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{10000}",
            "Монголия",
            "\u{efbf}",
            "\u{fbf}",
            "👍",
            "&#39;",
        ];
        let mut state = 7u64;
        for _ in 0..5000 {
            let mut s = String::new();
            for _ in 0..(state % 9) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                s.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            assert_eq!(esc(&s), esc_by_char(&s), "{s:?}");
        }
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("x{c}y");
            assert_eq!(esc(&s), esc_by_char(&s), "{c:?}");
        }
    }

    #[test]
    fn escapes_the_five_characters_and_drops_controls() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>\u{1}\u{85}"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(esc("Монголия\r\n"), "Монголия\n");
    }

    #[test]
    fn only_http_and_https_are_links() {
        assert_eq!(
            safe_url(" https://a.mn/x?y=1&z "),
            Some("https://a.mn/x?y=1&z")
        );
        assert_eq!(safe_url("HTTP://a.mn"), Some("HTTP://a.mn"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "https://",
            "https:///x",
            "http://a.mn/\"onmouseover=x",
            "http://a b",
            "//a.mn",
            "ftp://a.mn",
            "file:///etc/passwd",
            "",
        ] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn linkify_links_urls_and_escapes_the_rest() {
        assert_eq!(
            linkify("See https://a.mn/x?a=1&b=2. Or javascript:alert(1) <b>"),
            "See <a href=\"https://a.mn/x?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">https://a.mn/x?a=1&amp;b=2</a>. Or javascript:alert(1) &lt;b&gt;"
        );
        assert_eq!(
            linkify("(http://w.mn/a_(b))"),
            "(<a href=\"http://w.mn/a_(b)\" rel=\"noopener noreferrer nofollow\">http://w.mn/a_(b)</a>)"
        );
        assert_eq!(linkify("xhttp://a.mn"), "xhttp://a.mn");
        assert_eq!(linkify("http://"), "http://");
        assert_eq!(linkify("Документ №5"), "Документ №5");
        assert_eq!(
            linkify("javascript:https://x.mn"),
            "javascript:<a href=\"https://x.mn\" rel=\"noopener noreferrer nofollow\">https://x.mn</a>"
        );
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("Монголия", 5), "Монг…");
        assert_eq!(truncate("short", 5), "short");
    }
}
