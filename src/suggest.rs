//! Did-you-mean suggestions for misspelt keys, ids, criteria and level labels.

/// The candidate closest to `input`, when it is close enough to be a likely typo.
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = input.trim().to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    // Ids made of digits and dots ("1.3") are too alike for edit distance to mean anything:
    // only an exact match (ignoring case and spaces) is worth suggesting.
    let numeric = !wanted.chars().any(char::is_alphabetic);
    let mut best: Option<(&str, f64)> = None;
    for cand in candidates {
        let c = cand.to_lowercase();
        let score = if c == wanted {
            1.0
        } else if numeric {
            0.0
        } else {
            let lev = strsim::normalized_damerau_levenshtein(&wanted, &c);
            let jw = strsim::jaro_winkler(&wanted, &c);
            lev.max(jw - 0.15)
        };
        if score >= 0.6 && best.is_none_or(|(_, s)| score > s) {
            best = Some((cand, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean `x`?` for the closest candidate, if any.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// A readable list of choices: `a`, `b` or `c` (the first `max` of them).
pub fn one_of<S: AsRef<str>>(choices: &[S], max: usize) -> String {
    let shown: Vec<String> = choices
        .iter()
        .take(max)
        .map(|c| format!("`{}`", c.as_ref()))
        .collect();
    let more = choices.len().saturating_sub(max);
    let mut s = match shown.len() {
        0 => String::from("(nothing)"),
        1 => shown[0].clone(),
        n => format!("{} or {}", shown[..n - 1].join(", "), shown[n - 1]),
    };
    if more > 0 {
        s.push_str(&format!(" (and {more} more)"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["country", "title", "start", "end"];
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("Country", keys), Some("country"));
        assert_eq!(closest("budget", keys), None);
        assert_eq!(closest("1.3", ["1.1", "1.2"]), None);
        assert_eq!(
            closest("Substantia", ["Limited", "Substantial", "Complete"]),
            Some("Substantial")
        );
    }

    #[test]
    fn lists_choices_readably() {
        assert_eq!(one_of(&["a"], 5), "`a`");
        assert_eq!(one_of(&["a", "b", "c"], 5), "`a`, `b` or `c`");
        assert_eq!(one_of(&["a", "b", "c"], 2), "`a` or `b` (and 1 more)");
    }
}
