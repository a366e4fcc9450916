//! The filters draft templates can use besides MiniJinja's built-in ones. Each is documented,
//! with an example, in docs/templates.md; keep the two in step.

use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};

use crate::wording::Wording;

/// Registers every filter and function of this module, writing in `wording`'s language.
pub(crate) fn register(env: &mut Environment<'_>, wording: Arc<Wording>) {
    let w = Arc::clone(&wording);
    env.add_filter("date", move |value: &str, format: Option<&str>| {
        date(&w, value, format)
    });
    let w = Arc::clone(&wording);
    env.add_filter("number", move |value: f64, decimals: Option<u32>| {
        w.number(&number(value, decimals))
    });
    let w = Arc::clone(&wording);
    env.add_filter("percent", move |value: f64| w.percent(value));
    let w = Arc::clone(&wording);
    env.add_filter("and_list", move |value: Vec<Value>, word: Option<&str>| {
        and_list(value, Some(word.unwrap_or(&w.and)))
    });
    let w = Arc::clone(&wording);
    env.add_filter("lv", move |value: &str, criterion: Option<&str>| {
        w.label_of(value, criterion).to_string()
    });
    let w = Arc::clone(&wording);
    env.add_filter("level_list", move |by: Value| level_list(&w, &by));
    let w = Arc::clone(&wording);
    env.add_filter("rating_rows", move |commitments: Value| {
        super::appendix::rating_rows(&w, &commitments)
    });
    let w = Arc::clone(&wording);
    env.add_filter("disagreement_list", move |commitments: Value| {
        super::appendix::disagreement_list(&w, &commitments)
    });
    let w = Arc::clone(&wording);
    env.add_function("t", move |key: &str, kwargs: Kwargs| t(&w, key, &kwargs));
    env.add_function("todo", todo);
    env.add_filter("sentence", sentence);
    env.add_filter("strip_period", strip_period);
    env.add_filter("plural", plural);
    env.add_filter("cell", cell);
    env.add_filter("blockquote", blockquote);
    env.add_filter("autolink", autolink);
    env.add_filter("ucfirst", ucfirst);
    env.add_filter("lcfirst", lcfirst);
}

/// `t("key", name=value, …)`: the text of `key` in the draft's language, its `{name}`
/// placeholders filled; `n=` chooses between the singular and the plural and fills `{n}`.
fn t(wording: &Wording, key: &str, kwargs: &Kwargs) -> Result<String, Error> {
    let n = kwargs.peek::<Option<i64>>("n").ok().flatten();
    let text = text_of(wording, key, n)?;
    // The values are read without marking them used (`peek`, not `get`: nothing checks the
    // marks, and each mark copies the name), and text is borrowed, not copied: the appendix
    // calls `t` tens of thousands of times.
    let values = kwargs
        .args()
        .map(|name| Ok((name, kwargs.peek::<Value>(name)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let args: Vec<(&str, std::borrow::Cow<'_, str>)> = values
        .iter()
        .map(|(name, v)| {
            let number = if *name == "n" { v.as_i64() } else { None };
            let shown = match (number, v.as_str()) {
                (Some(n), _) => n.to_string().into(),
                _ if v.is_none() || v.is_undefined() => "".into(),
                (None, Some(text)) => text.into(),
                (None, None) => v.to_string().into(),
            };
            (*name, shown)
        })
        .collect();
    Ok(wording.fill(text, &args))
}

/// The text of `key` (for `n`), or the error `t` gives without it.
pub(super) fn text_of<'a>(
    wording: &'a Wording,
    key: &str,
    n: Option<i64>,
) -> Result<&'a str, Error> {
    wording.text(key, n).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("there is no text \"{key}\" in the wording of the language `{}` nor in English (templates/lang/en.toml lists every key)", wording.code),
        )
    })
}

/// `{{ d.by_evaluator | level_list }}` → `Complete (DEMO) and Limited (WSP)`: each item's
/// `level` in words (`lv`; `t("no_rating")` when it has none) with its `who`, joined as
/// `and_list` joins a list. The built-in `levels` macro wrote the same item by item
/// (`{{ (l.level or t("no_rating")) | lv }} ({{ l.who }})`), at several times the cost: the
/// appendix lists every evaluator's level on every disagreement, tens of thousands.
fn level_list(wording: &Wording, by: &Value) -> Result<String, Error> {
    let items: Vec<Value> = by.try_iter()?.collect();
    let field = |item: &Value, name: &str| -> Result<Value, Error> {
        let v = item.get_attr(name)?;
        if v.is_undefined() {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                format!(
                    "level_list needs a list of items with `level` and `who`; one has no `{name}`"
                ),
            ));
        }
        Ok(v)
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        push_joiner(&mut out, i, items.len(), &wording.and);
        let level = field(item, "level")?;
        let no_rating;
        let level = if level.is_true() {
            level.as_str().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("level_list needs levels written as text, not {level}"),
                )
            })?
        } else {
            no_rating = wording.fill(text_of(wording, "no_rating", None)?, &[] as &[(&str, &str)]);
            no_rating.as_str()
        };
        out.push_str(wording.label_of(level, None));
        out.push_str(" (");
        let who = field(item, "who")?;
        if who.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "level_list: an item's `who` is missing (none)",
            ));
        }
        push_value(&mut out, &who);
        out.push(')');
    }
    Ok(out)
}

/// `todo("Describe the context")` → `[[Describe the context]]`: a place a person must still
/// write, counted when `draft` ends.
fn todo(text: &str) -> String {
    format!("[[{}]]", text.trim().replace("]]", "] ]"))
}

/// `{{ "Lead: Ministry of Finance" | sentence }}` → `Lead: Ministry of Finance.`; text that
/// already ends a sentence (`Ltd.`, `why?`) gets nothing more.
fn sentence(value: &str) -> String {
    let t = value.trim_end();
    if t.is_empty() || t.ends_with(['.', '!', '?', '…', '。', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// `{{ "Publish the budget." | strip_period }}` → `Publish the budget` (one final full stop
/// removed, so that more can follow in the same sentence).
pub(super) fn strip_period(value: &str) -> String {
    let t = value.trim_end();
    if t.ends_with('.') && !t.ends_with("..") {
        t[..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// `{{ "2018-06-30" | date }}` → `30 June 2018` (in the draft's language);
/// `{{ d | date("%Y-%m-%d") }}` with any strftime format.
fn date(wording: &Wording, value: &str, format: Option<&str>) -> Result<String, Error> {
    let parsed: crate::model::Date = value.trim().parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the date filter needs a date written YYYY-MM-DD, not {value:?}"),
        )
    })?;
    let Some(format) = format else {
        return Ok(wording.date(parsed));
    };
    let mut out = String::new();
    use std::fmt::Write as _;
    write!(out, "{}", parsed.strftime(format)).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{format:?} is not a date format the date filter understands (see docs/templates.md)"),
        )
    })?;
    Ok(out)
}

/// `{{ 88.333 | number }}` → `88.3`, `{{ 85.0 | number }}` → `85`; `number(2)` for two decimals.
pub(super) fn number(value: f64, decimals: Option<u32>) -> String {
    let decimals = decimals.unwrap_or(1).min(6);
    if (value - value.round()).abs() < 1e-9 {
        return format!("{}", value.round() as i64);
    }
    let text = format!("{value:.prec$}", prec = decimals as usize);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `{{ ["a", "b", "c"] | and_list }}` → `a, b and c`; `and_list("or")`, `and_list("ба")`.
fn and_list(value: Vec<Value>, word: Option<&str>) -> String {
    let word = word.unwrap_or("and");
    let mut out = String::new();
    for (i, item) in value.iter().enumerate() {
        push_joiner(&mut out, i, value.len(), word);
        push_value(&mut out, item);
    }
    out
}

/// Writes what `and_list` puts before the `i`th of `len` items: nothing before the first,
/// ` and ` (`word`) before the last, `, ` before the others.
pub(super) fn push_joiner(out: &mut String, i: usize, len: usize, word: &str) {
    if i == 0 {
        return;
    }
    if i + 1 == len {
        out.push(' ');
        out.push_str(word);
        out.push(' ');
    } else {
        out.push_str(", ");
    }
}

/// Writes a value as a template prints it: text as it is, anything else as it displays.
fn push_value(out: &mut String, value: &Value) {
    use std::fmt::Write as _;
    match value.as_str() {
        Some(text) => out.push_str(text),
        None => {
            let _ = write!(out, "{value}");
        }
    }
}

/// `{{ 3 | plural("commitment") }}` → `3 commitments`; `plural("agency", "agencies")` for an
/// irregular plural.
fn plural(value: i64, singular: &str, plural: Option<&str>) -> String {
    let word = if value == 1 {
        singular.to_string()
    } else {
        plural.map_or_else(|| format!("{singular}s"), String::from)
    };
    format!("{value} {word}")
}

/// `{{ text | cell }}`: fit for a Markdown table cell (`|` escaped, line breaks made spaces).
pub(super) fn cell(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// `{{ text | blockquote }}`: every line starts with `> ` (a quotation in Markdown).
fn blockquote(value: &str) -> String {
    value
        .trim()
        .lines()
        .map(|l| {
            let l = l.trim_end();
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `{{ "https://x.org" | autolink }}` → `<https://x.org>`; other text is left as it is.
fn autolink(value: &str) -> String {
    let t = value.trim();
    if (t.starts_with("https://") || t.starts_with("http://"))
        && !t.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
    {
        format!("<{t}>")
    } else {
        t.to_string()
    }
}

/// `{{ "the IRM" | ucfirst }}` → `The IRM` (the rest is left as it is, unlike `capitalize`).
fn ucfirst(value: &str) -> String {
    let mut chars = value.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `{{ "Civil-society participation" | lcfirst }}` → `civil-society participation`, for a
/// name in the middle of a sentence; a word in capitals stays as it is (`OGP values`).
fn lcfirst(value: &str) -> String {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(value.chars().skip(1)).collect()
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_do_what_the_documentation_says() {
        let en = Wording::english();
        assert_eq!(date(&en, "2018-06-30", None).unwrap(), "30 June 2018");
        assert_eq!(
            date(&en, "2018-06-30", Some("%Y.%m.%d")).unwrap(),
            "2018.06.30"
        );
        assert!(date(&en, "30/06/2018", None).is_err());
        assert_eq!(sentence("Lead: Agency (STP)."), "Lead: Agency (STP).");
        assert_eq!(sentence("Lead: Agency (STP)"), "Lead: Agency (STP).");
        assert_eq!(strip_period("Publish it."), "Publish it");
        assert_eq!(todo("a]]b"), "[[a] ]b]]");
        assert_eq!(number(88.3333, None), "88.3");
        assert_eq!(number(85.0, None), "85");
        assert_eq!(number(0.6049, Some(2)), "0.6");
        assert_eq!(number(0.6149, Some(2)), "0.61");
        let list = vec![Value::from("a"), Value::from("b"), Value::from("c")];
        assert_eq!(and_list(list.clone(), None), "a, b and c");
        assert_eq!(and_list(list[..1].to_vec(), None), "a");
        assert_eq!(and_list(list[..2].to_vec(), Some("ба")), "a ба b");
        assert_eq!(plural(1, "commitment", None), "1 commitment");
        assert_eq!(plural(2, "agency", Some("agencies")), "2 agencies");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(blockquote("one\n\ntwo\n"), "> one\n>\n> two");
        assert_eq!(autolink(" https://x.org/a "), "<https://x.org/a>");
        assert_eq!(autolink("Minutes, May 2017"), "Minutes, May 2017");
        assert_eq!(ucfirst("the IRM"), "The IRM");
        assert_eq!(ucfirst("өдөр"), "Өдөр");
        assert_eq!(
            lcfirst("Relevance to OGP values"),
            "relevance to OGP values"
        );
        assert_eq!(lcfirst("OGP values"), "OGP values");
        assert_eq!(lcfirst("Өдөр"), "өдөр");
    }

    #[test]
    fn level_list_writes_levels_as_the_levels_macro_did() {
        let en = Wording::english();
        let item = |level: Value, who: Value| minijinja::context! { level => level, who => who };
        let a = item(Value::from("Complete"), Value::from("A"));
        let b = item(Value::from(()), Value::from("B (x)"));
        let c = item(Value::from("Limited"), Value::from(3));
        let e = item(Value::from(""), Value::from("E"));
        let list =
            |items: &[&Value]| Value::from(items.iter().map(|v| (*v).clone()).collect::<Vec<_>>());
        assert_eq!(level_list(&en, &list(&[])).unwrap(), "");
        assert_eq!(level_list(&en, &list(&[&a])).unwrap(), "Complete (A)");
        assert_eq!(
            level_list(&en, &list(&[&a, &b])).unwrap(),
            "Complete (A) and no rating (B (x))"
        );
        assert_eq!(
            level_list(&en, &list(&[&c, &a, &b, &e])).unwrap(),
            "Limited (3), Complete (A), no rating (B (x)) and no rating (E)"
        );
        // What the macro could not write either: no `who`, a `who` of none, a level not text.
        let no_who = minijinja::context! { level => "Complete" };
        assert!(level_list(&en, &list(&[&no_who])).is_err());
        assert!(
            level_list(
                &en,
                &list(&[&item(Value::from("Complete"), Value::from(()))])
            )
            .is_err()
        );
        assert!(level_list(&en, &list(&[&item(Value::from(2), Value::from("A"))])).is_err());
    }
}
