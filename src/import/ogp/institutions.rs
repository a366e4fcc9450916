//! Supporting institutions: OGP's data writes them as one text; it is split into a list only
//! where the text clearly lists several.

use super::one_line;

/// Splits a list of institutions where the data clearly lists several: on semicolons, then on
/// commas when every part is short, no part reads as a sentence and no colon introduces the
/// list; never inside brackets.
/// Returns the institutions, and whether the text was split.
pub fn split_institutions(text: &str) -> (Vec<String>, bool) {
    let text = text.trim();
    if text.is_empty() {
        return (Vec::new(), false);
    }
    let clean = |s: &str| {
        one_line(
            s.trim()
                .trim_start_matches(['-', '•', '●', '*', '\u{f06c}', '·'])
                .trim_end_matches([',', ';']),
        )
    };
    let mut parts: Vec<String> = Vec::new();
    for piece in split_outside_brackets(text, ';') {
        let commas = split_outside_brackets(&piece, ',');
        // "Ministries of: Justice, Finance" lists parts of one name: not split.
        let clear_list = commas.len() > 1
            && !piece.contains(':')
            && commas.iter().all(|p| {
                let p = p.trim();
                let words = p.split_whitespace().count();
                (1..=10).contains(&words) && !reads_as_sentence(p)
            });
        if clear_list {
            parts.extend(commas.iter().map(|p| clean(p)));
        } else {
            parts.push(piece);
        }
    }
    let parts: Vec<String> = parts
        .iter()
        .map(|p| {
            if p.contains('\n') && parts.len() == 1 {
                // One entry: keep its line breaks, which often separate names.
                p.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                clean(p)
            }
        })
        .filter(|p| !p.is_empty())
        .collect();
    let split = parts.len() > 1;
    (parts, split)
}

/// Whether a text has a full stop in the middle after a lowercase word, followed by more
/// words ("… through government processes. The Commissioner …").
fn reads_as_sentence(s: &str) -> bool {
    let chars: Vec<char> = s.trim().chars().collect();
    chars
        .windows(4)
        .any(|w| w[0].is_lowercase() && w[1] == '.' && w[2] == ' ' && w[3].is_alphabetic())
}

fn split_outside_brackets(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = (depth - 1).max(0),
            _ => {}
        }
        if c == sep && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institutions_are_split_only_when_clearly_listed() {
        let split = |s: &str| split_institutions(s).0;
        assert_eq!(
            split("Ministry of Justice; Anti-Corruption Council of Georgia"),
            ["Ministry of Justice", "Anti-Corruption Council of Georgia"]
        );
        assert_eq!(
            split(
                "Ghana Journalists Association (GJA), Coalition on the Right to Information Bill (CRTI), Media Foundation for West Africa (MFWA)"
            ),
            [
                "Ghana Journalists Association (GJA)",
                "Coalition on the Right to Information Bill (CRTI)",
                "Media Foundation for West Africa (MFWA)"
            ]
        );
        // A sentence is not a list.
        let sentence = "All public bodies will be consulted, including the archives. The Commissioner will work closely with them";
        assert_eq!(split(sentence), [sentence]);
        // One institution stays whole.
        assert_eq!(
            split("Information Commissioner"),
            ["Information Commissioner"]
        );
        // Commas inside brackets do not split.
        assert_eq!(
            split("Ministry of Finance (Treasury, Budget Office)"),
            ["Ministry of Finance (Treasury, Budget Office)"]
        );
        // Line breaks of a single entry are kept.
        assert_eq!(
            split("Agency for Electronic Media\nCroatian Competition Agency\n"),
            ["Agency for Electronic Media\nCroatian Competition Agency"]
        );
        assert_eq!(split("  "), Vec::<String>::new());
        // A colon introduces parts of one name.
        assert_eq!(
            split("Ministries of: Justice, Finance; Mongol Bank"),
            ["Ministries of: Justice, Finance", "Mongol Bank"]
        );
    }
}
