//! Reading a commitment's milestones and its own sections out of OGP's `Full Text`: the table
//! layouts of OGP's templates (columns separated by tabs or runs of spaces, or by `|`, with a
//! start and an end column or one "Start Date - End Date" column), numbered activities
//! (`1.1 …`, `Task 1: …`) and bullets under a milestone heading.
//!
//! Nothing is invented: a title is the text as written (white space tidied), a date is read
//! only in the forms of [`dates::parse`], and a vague one (`Ongoing`, `Spring 2019`, a day and
//! month that could be swapped) is kept as written for a comment, never turned into a day.
//! When a milestone heading is there but its rows cannot all be read, no milestone is read and
//! the raw text is returned for a person to turn into milestones.

use super::dates::{self, Edge, Parsed};
use super::description;
use crate::model::Date;

/// How the milestones were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layout {
    /// Columns separated by tabs or runs of spaces, with start and end columns.
    Columns,
    /// Columns separated by `|`.
    Pipes,
    /// One column holding "Start Date - End Date".
    DatePairs,
    /// Numbered activities: `1.1 …`, `Task 1: …`, `Milestone 2 - …`.
    Numbered,
    /// Bulleted deliverables under a milestone heading.
    Bullets,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Columns,
        Layout::Pipes,
        Layout::DatePairs,
        Layout::Numbered,
        Layout::Bullets,
    ];

    pub fn words(self) -> &'static str {
        match self {
            Layout::Columns => "table, tab- or space-separated columns",
            Layout::Pipes => "table, |-separated columns",
            Layout::DatePairs => "table with \"Start Date - End Date\" pairs",
            Layout::Numbered => "numbered activities",
            Layout::Bullets => "bullets under a milestone heading",
        }
    }
}

/// A date of a milestone as written, and the day read from it (none when it is vague).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub raw: String,
    pub date: Option<Date>,
    /// How the day was read ("a month only: …"), or why none was.
    pub how: String,
}

/// One milestone read from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub start: Option<When>,
    pub due: Option<When>,
}

/// What the text holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Milestones {
    /// No milestone heading or list.
    #[default]
    None,
    /// Milestones read with confidence.
    Read { layout: Layout, items: Vec<Item> },
    /// A milestone heading whose rows could not all be read: the raw text, for a person.
    Unsure { raw: String, why: String },
}

/// The result of reading one `Full Text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub milestones: Milestones,
    /// The description: the text from its first marked section (brief description, problem,
    /// objectives…) to the milestone heading, or the whole text when nothing is marked.
    pub description: String,
}

/// Headings that open the commitment's own sections (lower case, matched at a line's start,
/// after a list marker such as `a.` or `i.`).
pub(super) const SECTION_HEADINGS: [&str; 26] = [
    "brief description",
    "commitment description",
    "description of the commitment",
    "description",
    "what is the public problem",
    "what problem does the commitment",
    "problem",
    "status quo",
    "what is the commitment",
    "main objective",
    "objective",
    "breve descripción",
    "definición del problema",
    "descripción",
    "¿cuál es el problema",
    "¿cuál es la problemática",
    "problema",
    "objetivo",
    "¿cuál es el compromiso",
    "ámbito",
    "description de l'engagement",
    "brève description",
    "problème",
    "problématique",
    "objectif",
    "quel est le problème",
];

fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line's cells: split on `|` when `pipes`, else on tabs and runs of two or more spaces.
fn cells(line: &str, pipes: bool) -> Vec<String> {
    let parts: Vec<String> = if pipes {
        line.split('|').map(tidy).collect()
    } else {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut spaces = 0;
        for ch in line.chars() {
            if ch == '\t' {
                out.push(std::mem::take(&mut cur));
                spaces = 0;
            } else if ch == ' ' || ch == '\u{a0}' {
                spaces += 1;
                cur.push(' ');
                if spaces == 2 {
                    out.push(std::mem::take(&mut cur));
                }
            } else {
                spaces = 0;
                cur.push(ch);
            }
        }
        out.push(cur);
        out.iter().map(|c| tidy(c)).collect()
    };
    parts.into_iter().filter(|c| !c.is_empty()).collect()
}

fn has_separators(line: &str) -> bool {
    line.contains('|') || cells(line, false).len() >= 2
}

/// What a header cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Text,
    Start,
    End,
    Pair,
}

fn role(cell: &str) -> Role {
    let c = cell.to_lowercase();
    let start = ["start", "inicio", "début", "debut", "comienzo"]
        .iter()
        .any(|w| c.contains(w));
    let end = [
        "end date",
        "end:",
        "completion date",
        "fecha de fin",
        "finalización",
        "término",
        "fin ",
        "échéance",
        "date de fin",
        "implementation by",
        "deadline",
        "plazo",
    ]
    .iter()
    .any(|w| c.contains(w))
        || c.trim_end_matches(':').ends_with("end")
        || c.trim_end_matches(':').ends_with("fin");
    match (start, end) {
        (true, true) => Role::Pair,
        (true, false) => Role::Start,
        (false, true) => Role::End,
        _ => Role::Text,
    }
}

/// Whether a line is a milestone heading: it names milestones in its first words
/// ("milestone", "hito", "jalon"; "activities" or "deliverables" only as its first word,
/// after a label such as "Commitment Planning (") and is a heading (short, or the header of
/// a table).
fn is_heading(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    if l.is_empty() || l.starts_with("see ") || l.starts_with("véase") {
        return false;
    }
    let inner = match l.find('(') {
        Some(a) if l[a..].contains('|') => &l[a + 1..],
        _ => l.as_str(),
    };
    let first: Vec<&str> = inner
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    let strong = first.iter().any(|w| {
        ["milestone", "hito", "jalon"]
            .iter()
            .any(|m| w.starts_with(m))
    });
    let weak = first.first().is_some_and(|w| {
        ["activit", "actividad", "deliverable", "entregable"]
            .iter()
            .any(|m| w.starts_with(m))
    });
    if !strong && !weak {
        return false;
    }
    let words = l.split_whitespace().count();
    words <= 12 || (words <= 30 && (has_separators(line) || l.contains("date")))
}

/// The cells of a header, taking `A | B | C` out of "Commitment Planning (A | B | C)".
fn header_cells(line: &str) -> (Vec<String>, bool) {
    let pipes = line.contains('|');
    let inner = match (line.find('('), line.rfind(')')) {
        (Some(a), Some(b)) if a < b && line[a..b].contains('|') => &line[a + 1..b],
        _ => line,
    };
    (cells(inner, pipes), pipes)
}

/// Reads one date cell of a milestone.
fn when(raw: &str, edge: Edge) -> When {
    let raw = tidy(raw);
    let (date, how) = match dates::parse(&raw, edge) {
        Parsed::Exact { date, .. } => (Some(date), String::new()),
        Parsed::Approximate { date, how } => (Some(date), how),
        Parsed::Ambiguous { .. } => (
            None,
            "day and month could be swapped: not read as a day".to_string(),
        ),
        Parsed::Missing => (None, "no date".to_string()),
        Parsed::Invalid(_) => (None, "not a date: not read as a day".to_string()),
    };
    When { raw, date, how }
}

/// Whether a cell reads as a date (a day, month, quarter or year), not only as a vague word.
fn is_date(raw: &str) -> bool {
    matches!(
        dates::parse(raw, Edge::End),
        Parsed::Exact { .. } | Parsed::Approximate { .. } | Parsed::Ambiguous { .. }
    )
}

/// A short cell that is not a date, but may be a vague one ("Ongoing", "Spring 2019").
fn is_vague(raw: &str) -> bool {
    let words = raw.split_whitespace().count();
    (1..=4).contains(&words) && !raw.ends_with('.')
}

/// Splits "January, 2024 - December, 2024" into its two dates.
fn split_pair(cell: &str) -> Option<(String, String)> {
    for sep in [" - ", " – ", " — ", " to ", " a ", " al ", " au "] {
        if let Some((a, b)) = cell.split_once(sep) {
            return Some((tidy(a), tidy(b)));
        }
    }
    None
}

/// The dates at the end of a text written without columns ("… October 2018 May 2019"):
/// the text before them and up to two dates, each a month and year, a quarter, or a
/// numeric date.
fn trailing_dates(text: &str) -> (String, Vec<String>) {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut found: Vec<String> = Vec::new();
    while found.len() < 2 && !words.is_empty() {
        let n = words.len();
        let mut taken = None;
        for k in [3usize, 2, 1] {
            if n < k {
                continue;
            }
            let cand = words[n - k..].join(" ");
            let cand = cand.trim_end_matches(['.', ',', ';']);
            let ok = match k {
                3 => {
                    // "Enero de 2020", "31 December 2022", "1 July 2022", "I semestre 2024"
                    let (a, b) = (words[n - 3], words[n - 2]);
                    ((dates::month_number(a).is_some() && ["de", "of"].contains(&b))
                        || (a.chars().next().is_some_and(|c| c.is_ascii_digit())
                            && a.len() <= 4
                            && dates::month_number(b).is_some())
                        || ["quarter", "trimestre", "semestre", "semester", "half"]
                            .contains(&b.to_lowercase().as_str()))
                        && is_date(cand)
                }
                2 => {
                    let first = words[n - 2];
                    (dates::month_number(first).is_some()
                        || first.eq_ignore_ascii_case("quarter")
                        || (first.len() == 2 && first.to_ascii_lowercase().starts_with(['q', 'h'])))
                        && is_date(cand)
                }
                _ => {
                    // A lone token only when it is a full numeric date or a month/year.
                    (cand.contains('/') || cand.contains('-') || cand.contains('.'))
                        && cand.chars().any(|c| c.is_ascii_digit())
                        && is_date(cand)
                }
            };
            if ok {
                taken = Some((k, cand.to_string()));
                break;
            }
        }
        match taken {
            Some((k, cand)) => {
                found.insert(0, cand);
                words.truncate(n - k);
                if let Some(last) = words.last()
                    && matches!(*last, "-" | "–" | "to" | "a" | "al")
                {
                    words.pop();
                }
            }
            None => break,
        }
    }
    (words.join(" "), found)
}

/// An item's dates from the dates found at its end: two are start and due, one is due.
fn dated(title: String, found: Vec<String>) -> Item {
    let (start, due) = match found.as_slice() {
        [s, d] => (Some(when(s, Edge::Start)), Some(when(d, Edge::End))),
        [d] => (None, Some(when(d, Edge::End))),
        _ => (None, None),
    };
    Item { title, start, due }
}

/// A table under `header` (its line index): each following line is a row, until a line that
/// is not one; the rows after it must hold no more dated rows.
fn table(lines: &[&str], header: usize) -> Option<Result<(Layout, Vec<Item>), String>> {
    let (head, pipes) = header_cells(lines[header]);
    let roles: Vec<Role> = head.iter().map(|c| role(c)).collect();
    let pair = roles.contains(&Role::Pair);
    let has_start = roles.contains(&Role::Start);
    let has_end = roles.contains(&Role::End);
    if head.len() < 2 && !pipes {
        return None;
    }
    if !pair && !has_end {
        return None;
    }
    let layout = if pair {
        Layout::DatePairs
    } else if pipes {
        Layout::Pipes
    } else {
        Layout::Columns
    };
    let mut items = Vec::new();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(header + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut row = cells(line, pipes);
        // A bullet before a row's title is layout, not words.
        if let Some(first) = row.first_mut()
            && let Some(text) = bullet(first)
        {
            *first = text;
        }
        // Columns after the dates ("Partes interesadas"): left aside when the row has all of
        // the header's columns.
        if let Some(last_date) = roles.iter().rposition(|r| *r != Role::Text)
            && row.len() == head.len()
            && last_date + 1 < row.len()
        {
            row.truncate(last_date + 1);
        }
        let item = if row.len() < 2 {
            None
        } else if pair {
            let last = &row[row.len() - 1];
            match split_pair(last) {
                Some((a, b)) if (is_date(&a) || is_vague(&a)) && (is_date(&b) || is_vague(&b)) => {
                    Some(Item {
                        title: row[0].clone(),
                        start: Some(when(&a, Edge::Start)),
                        due: Some(when(&b, Edge::End)),
                    })
                }
                _ if is_date(last) => Some(Item {
                    title: row[0].clone(),
                    start: None,
                    due: Some(when(last, Edge::End)),
                }),
                _ => None,
            }
        } else if has_start && row.len() >= 3 {
            let (s, d) = (&row[row.len() - 2], &row[row.len() - 1]);
            ((is_date(s) || is_date(d))
                && (is_date(s) || is_vague(s))
                && (is_date(d) || is_vague(d)))
            .then(|| Item {
                title: row[0].clone(),
                start: Some(when(s, Edge::Start)),
                due: Some(when(d, Edge::End)),
            })
        } else {
            let d = &row[row.len() - 1];
            if is_date(d) && !has_start {
                Some(Item {
                    title: row[0].clone(),
                    start: None,
                    due: Some(when(d, Edge::End)),
                })
            } else {
                // "January 2023 - May 2023" in a completion-date column.
                split_pair(d)
                    .filter(|(a, b)| is_date(a) && is_date(b))
                    .map(|(a, b)| Item {
                        title: row[0].clone(),
                        start: Some(when(&a, Edge::Start)),
                        due: Some(when(&b, Edge::End)),
                    })
            }
        };
        match item {
            Some(it) => items.push(it),
            None => {
                end = i;
                break;
            }
        }
    }
    if items.is_empty() {
        return Some(Err(
            "its table has no row with dates that can be read".to_string()
        ));
    }
    // Rows that carry on after a line that is not a row: the table was broken up.
    let later = lines[end.min(lines.len())..].iter().any(|l| {
        let row = cells(l, pipes);
        row.len() >= 2 && is_date(&row[row.len() - 1]) && !is_heading(l)
    });
    if later {
        return Some(Err(format!(
            "a line of its table is not a row with dates (\"{}\")",
            tidy(lines[end]).chars().take(60).collect::<String>()
        )));
    }
    Some(Ok((layout, items)))
}

/// Whether a text holds a date anywhere (a month and a year, or a numeric date).
fn contains_date(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    words.iter().enumerate().any(|(i, w)| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
        (dates::month_number(w).is_some()
            && words.get(i + 1).is_some_and(|y| {
                let y = bare(y);
                y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
            }))
            || (w.contains('/')
                && w.chars().filter(char::is_ascii_digit).count() >= 4
                && is_date(w))
    })
}

/// Rows whose columns lost their separators: under a heading naming a start and an end date,
/// each milestone is a title followed by its dates, on the same line ("… October 2018 May
/// 2019") or on the next ("Appoint National Data Commissioner" / "7/1/2018 – 12/31/2019").
fn loose_rows(lines: &[&str], header: usize) -> Option<Result<Vec<Item>, String>> {
    let head = lines[header].to_lowercase();
    let words_of_dates =
        (head.contains("start") || head.contains("inicio") || head.contains("début"))
            && (head.contains("end") || head.contains("término") || head.contains("fin"));
    // Without date words in the heading, only strictly alternating lines count: a title,
    // then a line holding its two dates and nothing else.
    let strict = !words_of_dates;
    let dates_of = |line: &str| -> (String, Vec<String>) {
        let t = tidy(line);
        if let Some((a, b)) = split_pair(&t)
            && is_date(&a)
            && is_date(&b)
        {
            return (String::new(), vec![a, b]);
        }
        // The date pair may be written "7/1/2018 – 12/31/2019" after a title, too.
        let (title, found) = trailing_dates(&t);
        if found.len() == 1 {
            let (before, more) = trailing_dates(title.trim_end_matches(['–', '-', ' ']));
            if more.len() == 1 {
                return (before, vec![more[0].clone(), found[0].clone()]);
            }
        }
        (title, found)
    };
    let mut items = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(header + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let (title, found) = dates_of(line);
        if found.is_empty() {
            if pending.len() >= 3 {
                end = i;
                break;
            }
            pending.push(tidy(line));
            continue;
        }
        if strict && (!title.is_empty() || found.len() != 2 || pending.len() != 1) {
            return None;
        }
        let mut full = std::mem::take(&mut pending);
        // Lines before the dates carry on one title only when none ends a sentence.
        if let Some(prose) = full.iter().find(|l| l.ends_with(['.', ';'])) {
            return Some(Err(format!(
                "text that is not a milestone's title comes between its rows (\"{}\")",
                prose.chars().take(60).collect::<String>()
            )));
        }
        if !title.is_empty() {
            full.push(title);
        }
        if full.is_empty() {
            return Some(Err("a line of dates has no milestone before it".to_string()));
        }
        let joined = full.join(" ");
        let lower = joined.to_lowercase();
        if contains_date(&joined)
            || ["end of", " by", " from", " and", " &", " until"]
                .iter()
                .any(|w| lower.ends_with(w))
        {
            return Some(Err(format!(
                "the dates of a milestone are mixed with its text (\"{}\")",
                joined.chars().take(60).collect::<String>()
            )));
        }
        items.push(dated(full.join(" "), found));
    }
    if items.is_empty() {
        return None;
    }
    let later = lines[end.min(lines.len())..]
        .iter()
        .any(|l| dates_of(l).1.len() == 2);
    if later {
        return Some(Err(
            "dated lines carry on after a part that is not a milestone".to_string(),
        ));
    }
    Some(Ok(items))
}

/// `1.1 …`, `Task 1: …`, `Milestone 2 - …`, `Hito 3. …` (and `1. …` when `single`, under a
/// milestone heading): the item's number and its text.
fn numbered(line: &str, single: bool) -> Option<(Vec<u32>, String)> {
    let t = line.trim_start();
    // 1.1 / 1.1. / 1.1) / 2.1.1; with `single`, also 1. / 1)
    let lead: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<&str> = lead.trim_end_matches('.').split('.').collect();
    let levels = if single { 1..=3 } else { 2..=3 };
    let marked = parts.len() > 1 || lead.ends_with('.') || t[lead.len()..].starts_with(')');
    if levels.contains(&parts.len())
        && marked
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 2)
    {
        let rest = t[lead.len()..].trim_start_matches(')');
        if rest.starts_with([' ', '\t']) && !rest.trim().is_empty() {
            let n = parts.iter().filter_map(|p| p.parse().ok()).collect();
            // The title keeps its number, as written.
            return Some((n, tidy(t)));
        }
    }
    for word in [
        "task",
        "tarea",
        "tâche",
        "activity",
        "actividad",
        "activité",
        "milestone",
        "hito",
        "jalon",
    ] {
        let Some(head) = t.get(..word.len()) else {
            continue;
        };
        if head.to_lowercase() != word {
            continue;
        }
        let rest = t[word.len()..].trim_start();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        let after = rest[digits.len()..].trim_start();
        let text = after.strip_prefix([':', '.', '-', '–', ')'])?;
        if text.trim().is_empty() {
            return None;
        }
        return Some((vec![digits.parse().ok()?], tidy(t)));
    }
    None
}

/// Whether a line is the label of another column of a table ("Expected results:",
/// "Indicator", "Responsible …", "Contact information").
fn label(t: &str) -> bool {
    let lower = t.to_lowercase();
    t.chars().take(30).collect::<String>().contains(':')
        || [
            "expected",
            "indicator",
            "responsible",
            "funds",
            "budget",
            "holder",
            "result",
            "contact",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
}

/// Whether a title stops on a word that cannot end it ("the", "of", "on", "de", "la"…): it was
/// broken over lines.
fn dangling(title: &str) -> bool {
    let last = title
        .split_whitespace()
        .last()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    [
        "a", "an", "the", "of", "on", "to", "in", "for", "and", "or", "with", "by", "at", "from",
        "de", "del", "la", "las", "el", "los", "y", "en", "para", "con", "du", "des", "le", "les",
        "et", "pour",
    ]
    .contains(&last.as_str())
}

/// Whether `line` carries on a title broken over lines: it starts in lower case, or the title
/// stops on a word that cannot end it, or it stops mid-sentence at the end of a long `previous`
/// line and the line is not the label of another column ("Expected results:").
fn continues(title: &str, previous: &str, line: &str) -> bool {
    let t = line.trim();
    if t.starts_with(char::is_lowercase) || dangling(title) {
        return true;
    }
    // Only a long line was broken by the page's width.
    if previous.trim().chars().count() < 70 {
        return false;
    }
    let label = label(t);
    let mid_sentence = !title
        .trim_end()
        .ends_with(['.', ';', ':', '!', '?', ')', '"', '”']);
    mid_sentence && !label && bullet(t).is_none()
}

/// Numbered activities: at least two, numbered in sequence (1.1, 1.2, … or Task 1, Task 2, …),
/// each on its own line (a line that is not numbered, before a blank line, continues it).
/// One numbered activity as it is gathered.
struct RawItem {
    number: Vec<u32>,
    text: String,
    /// Its first line is short: it sits in a narrow column, broken over several lines.
    narrow: bool,
    /// The dates found on a line of their own after a narrow title: start (maybe vague) and due.
    dates: Option<(Option<String>, String)>,
    /// Lines added to its first.
    more: usize,
}

fn numbered_list(
    lines: &[&str],
    from: usize,
    under_heading: bool,
) -> Option<Result<Vec<Item>, String>> {
    let mut items: Vec<RawItem> = Vec::new();
    let mut open = false;
    let mut last_item_line = from;
    for (i, line) in lines.iter().enumerate().skip(from) {
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        if let Some((number, text)) = numbered(line, under_heading) {
            // In a `|` table, the activity is the first column.
            let text = match text.split_once(" | ") {
                Some((first, _)) => first.trim().to_string(),
                None => text,
            };
            items.push(RawItem {
                number,
                narrow: line.trim().chars().count() < 45,
                text,
                dates: None,
                more: 0,
            });
            open = true;
            last_item_line = i;
            continue;
        }
        let Some(last) = items.last_mut().filter(|_| open) else {
            if items.is_empty() {
                // Under a heading, the list starts within a few lines (after column titles).
                if under_heading && i > from + 6 {
                    break;
                }
            } else if i > last_item_line + 40 {
                break;
            }
            continue;
        };
        let t = tidy(line);
        if last.narrow {
            // A narrow column: the title goes on until the line of its dates.
            let (rest, found) = trailing_dates(&t);
            let words = rest.split_whitespace().count();
            if !found.is_empty() && words <= 3 {
                last.dates = match found.as_slice() {
                    [s, d] if words == 0 => Some((Some(s.clone()), d.clone())),
                    [d] => Some(((words > 0).then_some(rest), d.clone())),
                    _ => {
                        return Some(Err(format!(
                            "a line of dates holds more than its start and due (\"{t}\")"
                        )));
                    }
                };
                open = false;
            } else if label(&t) {
                open = false;
            } else if last.more >= 3 {
                // More lines than a title takes: other columns run into it.
                return Some(Err(format!(
                    "an activity's title cannot be told from the columns beside it (\"{}\")",
                    last.text.chars().take(60).collect::<String>()
                )));
            } else {
                last.text.push(' ');
                last.text.push_str(&t);
                last.more += 1;
            }
        } else if i > 0 && continues(&last.text, lines[i - 1], line) {
            // A title broken over lines.
            last.text.push(' ');
            last.text.push_str(&t);
        } else {
            // Another column of the table ("Expected results: …"): not part of the title.
            open = false;
        }
    }
    if items.len() < 2 {
        return None;
    }
    // In sequence: the last number goes 1, 2, 3…, the others stay.
    let first = items[0].number.clone();
    for (k, item) in items.iter().enumerate() {
        let n = &item.number;
        let want = u32::try_from(k + 1).unwrap_or(u32::MAX);
        let same_prefix = n.len() == first.len() && n[..n.len() - 1] == first[..first.len() - 1];
        if !same_prefix || n.last() != Some(&want) {
            return Some(Err(format!(
                "its numbered activities are not in sequence (item {} is numbered {})",
                k + 1,
                n.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
            )));
        }
    }
    let mut out = Vec::new();
    for item in items {
        if item.narrow && contains_date(&item.text) {
            return Some(Err(format!(
                "the dates of an activity are mixed with its text (\"{}\")",
                item.text.chars().take(60).collect::<String>()
            )));
        }
        out.push(match item.dates {
            Some((start, due)) => Item {
                title: item.text,
                start: start.map(|s| when(&s, Edge::Start)),
                due: Some(when(&due, Edge::End)),
            },
            None => {
                let (title, found) = trailing_dates(&item.text);
                dated(title, found)
            }
        });
    }
    if out.iter().any(|it| it.title.is_empty()) {
        return Some(Err("an activity has dates but no title".to_string()));
    }
    if let Some(broken) = out.iter().find(|it| dangling(&it.title)) {
        return Some(Err(format!(
            "an activity's title breaks off (\"{}\")",
            broken.title.chars().take(60).collect::<String>()
        )));
    }
    Some(Ok(out))
}

fn bullet(line: &str) -> Option<String> {
    let t = line.trim_start();
    let mut chars = t.chars();
    let first = chars.next()?;
    if ![
        '•', '●', '▪', '■', '◦', '·', '-', '–', '*', '\u{f0b7}', '\u{f0a7}', '➢', '√', '✓',
    ]
    .contains(&first)
    {
        return None;
    }
    let rest = chars.as_str();
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return None;
    }
    Some(tidy(rest))
}

/// Bullets under a milestone heading (within two lines of it, blank lines apart), at least
/// two; a date right after them, which no bullet holds, makes them unsure.
fn bullets(lines: &[&str], heading: usize) -> Option<Result<Vec<Item>, String>> {
    let mut items = Vec::new();
    let mut before = 0;
    for line in lines.iter().skip(heading + 1) {
        if line.trim().is_empty() {
            continue;
        }
        match bullet(line) {
            Some(text) => items.push(text),
            None if items.is_empty() && before < 2 => before += 1,
            None => {
                if items.len() >= 2 && contains_date(line) {
                    return Some(Err(format!(
                        "a date follows its bullets without saying which it belongs to (\"{}\")",
                        tidy(line).chars().take(60).collect::<String>()
                    )));
                }
                break;
            }
        }
    }
    if items.len() < 2 {
        return None;
    }
    let out: Vec<Item> = items
        .into_iter()
        .map(|text| {
            let (title, found) = trailing_dates(&text);
            dated(title, found)
        })
        .collect();
    if out.iter().any(|i| i.title.is_empty()) {
        return Some(Err("a bullet has dates but no title".to_string()));
    }
    Some(Ok(out))
}

/// Whether a line (lower case, list marker removed) is the heading `h` of a section, not a
/// sentence that happens to start with the same word ("Problems occur…"): the heading is the
/// whole line or most of a short one, or is followed by `:`, `?`, a tab or a run of spaces, or
/// is a question that the line asks.
fn opens_section(l: &str, h: &str) -> bool {
    let Some(rest) = l.strip_prefix(h) else {
        return false;
    };
    let question = ["what", "how", "why", "¿", "quel"]
        .iter()
        .any(|q| h.starts_with(q));
    rest.is_empty()
        || rest.starts_with([':', '?', '\t', '.'])
        || rest.starts_with("  ")
        || (question && l.chars().take(160).collect::<String>().contains('?'))
        || (l.split_whitespace().count() <= 6 && !l.ends_with(['.', ',', ';']))
}

/// Whether a line (lower case, list marker removed) opens one of the sections a description
/// starts with.
pub(super) fn opens_any_section(l: &str) -> bool {
    SECTION_HEADINGS.iter().any(|h| opens_section(l, h))
}

/// Where the commitment's own sections start: the first line opening one (its byte offset).
fn sections_start(text: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        // Skip a list marker: "a. ", "iv. ", "1. ", "e) ".
        let t = match t.split_once(' ') {
            Some((m, rest))
                if m.len() <= 4
                    && m.ends_with(['.', ')'])
                    && m[..m.len() - 1].chars().all(char::is_alphanumeric) =>
            {
                rest.trim_start()
            }
            _ => t,
        };
        // A heading starts with a capital (a line in lower case carries on a broken one).
        let l = t.to_lowercase();
        if !t.starts_with(char::is_lowercase)
            && SECTION_HEADINGS.iter().any(|h| opens_section(&l, h))
        {
            return offset;
        }
        offset += line.len();
    }
    0
}

/// Reads the numeric dates whose day and month could be swapped in the order the other dates
/// of the same milestones show (`31/12/2018` shows day first), when they all show one order;
/// otherwise they stay unread.
fn settle_order(items: &mut [Item]) {
    let mut shown: Vec<(dates::Order, String)> = Vec::new();
    for w in items.iter().flat_map(|i| [&i.start, &i.due]).flatten() {
        if let Parsed::Exact { order: Some(o), .. } = dates::parse(&w.raw, Edge::End)
            && !shown.iter().any(|(s, _)| *s == o)
        {
            shown.push((o, w.raw.clone()));
        }
    }
    let [(order, example)] = shown.as_slice() else {
        return;
    };
    for (w, edge) in items
        .iter_mut()
        .flat_map(|i| [(&mut i.start, Edge::Start), (&mut i.due, Edge::End)])
    {
        let Some(w) = w else { continue };
        if let Some(d) = dates::parse(&w.raw, edge).in_order(*order) {
            w.date = Some(d);
            w.how = format!(
                "read {}, like \"{example}\" in the same milestones",
                order.words()
            );
        }
    }
}

/// Reads one commitment's `Full Text`.
pub fn read(text: &str) -> Reading {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let heading = lines.iter().position(|l| is_heading(l));
    let line_offset = |i: usize| lines[..i].iter().map(|l| l.len() + 1).sum::<usize>();

    let mut milestones = Milestones::None;
    if let Some(h) = heading {
        let found = match table(&lines, h) {
            Some(result) => result,
            None => match loose_rows(&lines, h) {
                Some(result) => result.map(|items| (Layout::Columns, items)),
                None => match numbered_list(&lines, h + 1, true) {
                    Some(result) => result.map(|items| (Layout::Numbered, items)),
                    None => match bullets(&lines, h) {
                        Some(result) => result.map(|items| (Layout::Bullets, items)),
                        None => Err(
                            "no table, numbered activities or bullets follow its milestone heading"
                                .to_string(),
                        ),
                    },
                },
            },
        };
        // A title is words: a cell's leftover separator goes, and a title without a letter
        // ("2.") means the row was broken.
        let found = found.and_then(|(layout, mut items)| {
            for item in &mut items {
                item.title = item.title.trim_end_matches(['|', ' ']).to_string();
            }
            match items
                .iter()
                .find(|i| !i.title.chars().any(char::is_alphabetic))
            {
                Some(bad) => Err(format!("a milestone has no title (\"{}\")", bad.title)),
                None => Ok((layout, items)),
            }
        });
        milestones = match found {
            Ok((layout, mut items)) => {
                settle_order(&mut items);
                Milestones::Read { layout, items }
            }
            Err(why) => {
                let raw: Vec<&str> = lines[h..].to_vec();
                Milestones::Unsure {
                    raw: raw.join("\n").trim().to_string(),
                    why,
                }
            }
        };
    } else if let Some(Ok(items)) = numbered_list(&lines, 0, false) {
        // Activities numbered `Task 1:` or `1.1` without a heading: only the explicit
        // `Task`/`Milestone` forms count here, as a bare `1.1` may number anything.
        let explicit = lines
            .iter()
            .filter_map(|l| numbered(l, false))
            .all(|(n, _)| n.len() == 1);
        if explicit {
            milestones = Milestones::Read {
                layout: Layout::Numbered,
                items,
            };
        }
    }

    let start = sections_start(&text);
    let stop = match (&milestones, heading) {
        (Milestones::Read { .. } | Milestones::Unsure { .. }, Some(h)) => line_offset(h),
        _ => text.len(),
    };
    let mut description = if start < stop {
        description::lay_out(&text[start..stop])
    } else {
        description::lay_out(&text[..stop])
    };
    // A text that opens with its milestones keeps all of it.
    if description.is_empty() {
        description = description::lay_out(&text);
    }
    Reading {
        milestones,
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_on_tabs_runs_of_spaces_and_pipes() {
        assert_eq!(cells("a b        c\td", false), ["a b", "c", "d"]);
        assert_eq!(cells(" a | b |c ", true), ["a", "b", "c"]);
    }

    #[test]
    fn trailing_dates_are_taken_off_the_end() {
        let (t, d) = trailing_dates(
            "18.2 Institutionalization by a joint resolution. November 2019 December 2019",
        );
        assert_eq!(t, "18.2 Institutionalization by a joint resolution.");
        assert_eq!(d, ["November 2019", "December 2019"]);
        let (t, d) = trailing_dates("Draft concept Q4 2021 Q2 2022");
        assert_eq!((t.as_str(), d.len()), ("Draft concept", 2));
        let (t, d) = trailing_dates("Publish 2 reports in 2019");
        assert_eq!((t.as_str(), d.len()), ("Publish 2 reports in 2019", 0));
    }

    #[test]
    fn numbers_and_words_number_activities() {
        assert_eq!(
            numbered("1.1  Development of a workspace", false),
            Some((vec![1, 1], "1.1 Development of a workspace".to_string()))
        );
        assert_eq!(
            numbered("Task 2: Creation of a portal.", false),
            Some((vec![2], "Task 2: Creation of a portal.".to_string()))
        );
        assert_eq!(numbered("2016. The year", true), None);
        assert_eq!(numbered("Tasks are many", true), None);
        assert_eq!(numbered("1. Carry out a study", false), None);
        assert_eq!(
            numbered("1. Carry out a study", true),
            Some((vec![1], "1. Carry out a study".to_string()))
        );
    }

    fn day(y: i16, m: i8, d: i8) -> Option<Date> {
        Date::new(y, m, d).ok()
    }

    /// A milestone's title, start and due.
    type Got = (String, Option<Date>, Option<Date>);

    /// The titles, starts and dues read, or why not.
    fn read_items(text: &str) -> (Layout, Vec<Got>) {
        match read(text).milestones {
            Milestones::Read { layout, items } => (
                layout,
                items
                    .into_iter()
                    .map(|i| {
                        (
                            i.title,
                            i.start.and_then(|w| w.date),
                            i.due.and_then(|w| w.date),
                        )
                    })
                    .collect(),
            ),
            other => panic!("not read: {other:?}"),
        }
    }

    // The excerpts below are quoted from OGP's data (open_parliament_0703.csv), commitment by
    // commitment, with the line breaks and tabs of its `Full Text`.

    #[test]
    fn columns_separated_by_runs_of_spaces_ee0050() {
        let text = "Increasing the openness and transparency of the Riigikogu\nCommitment Start and End Date \nJuly 2018 – June 2020\nLead implementing agency/actor        Riigikogu\nCommitment description\nWhat is the commitment?        In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed.\nAdditional information        \nMilestone Activity        Start Date:        End Date:\nOpen data of the Riigikogu are being tested.        October 2018        May 2019\nOpen data of the Riigikogu are constantly available.        October 2018        June 2019\nMinutes are published as soon as possible after a sitting of a committee has finished.        July 2018        June 2020";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Columns);
        assert_eq!(
            items,
            [
                (
                    "Open data of the Riigikogu are being tested.".to_string(),
                    day(2018, 10, 1),
                    day(2019, 5, 31)
                ),
                (
                    "Open data of the Riigikogu are constantly available.".to_string(),
                    day(2018, 10, 1),
                    day(2019, 6, 30)
                ),
                (
                    "Minutes are published as soon as possible after a sitting of a committee has finished.".to_string(),
                    day(2018, 7, 1),
                    day(2020, 6, 30)
                ),
            ]
        );
        // The description starts at the text's own first section and stops at the milestones.
        assert_eq!(
            read(text).description,
            "**Commitment description**\n\n**What is the commitment?** In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed."
        );
    }

    #[test]
    fn columns_separated_by_tabs_ge0073() {
        let text = "Milestones to Fulfill the Commitment\tNew or ongoing commitment\tStart date:\tEnd date:\nDrafting a law on regulatory assessment and monitoring of legislative acts.\tNew\tSeptember 2018\tMarch 2019\nDeveloping a unified framework and methodology for assessing and monitoring of legislative acts.\tNew\tDecember 2018\tDecember 2019\n \n\nIndicator\tA draft law on regulatory assessment and monitoring of legislative acts as has been submitted to the GoG for consideration; ";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Columns);
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[1],
            (
                "Developing a unified framework and methodology for assessing and monitoring of legislative acts.".to_string(),
                day(2018, 12, 1),
                day(2019, 12, 31)
            )
        );
    }

    #[test]
    fn columns_separated_by_pipes_gr0084() {
        let text = "Commitment Planning (Milestones | Expected Outputs | Expected Completion Date)\n\n1. Completion of the app that will support the introduction of the Eurovoc thesaurus into the Parliament’s internal network. | 1. Digital index in pdf and e-book form | 11/2022\n\n2. Guideline for the way interested parties can access the Parliament’s legislative archives. | 2.Guideline for the use of the Parliament’s legislative archives. | 12/2022\n\n3. Release of the minutes in both pdf and e-book form for easier access | 1/2023";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Pipes);
        let dues: Vec<_> = items.iter().map(|i| i.2).collect();
        assert_eq!(
            dues,
            [day(2022, 11, 30), day(2022, 12, 31), day(2023, 1, 31)]
        );
        assert_eq!(
            items[2].0,
            "3. Release of the minutes in both pdf and e-book form for easier access"
        );
        assert_eq!(items[2].1, None);
    }

    #[test]
    fn start_date_end_date_pairs_il0041_and_gh0042() {
        let text = "Milestone with deliverable | Start date - End date\n\nDevelopment of an interface to submit information about government bills and to conducts checks | January 2024 - August 2024 \n\nLaunch of Justice Ministry-Knesset interface | October 2024 - December 2025";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::DatePairs);
        assert_eq!(
            items[1],
            (
                "Launch of Justice Ministry-Knesset interface".to_string(),
                day(2024, 10, 1),
                day(2025, 12, 31)
            )
        );
        // "January, 2024 - December, 2024", with a bullet before the title.
        let text = "Milestone Activity with a verifiable deliverable | Start Date - End Date\n\n\u{f0b7} Draft Bill approved by Cabinet. | January, 2024 - December, 2024 \n\n\u{f0b7} Final Bill drafted by AG Department. | January, 2025 - December, 2025 ";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::DatePairs);
        assert_eq!(
            items[0],
            (
                "Draft Bill approved by Cabinet.".to_string(),
                day(2024, 1, 1),
                day(2024, 12, 31)
            )
        );
    }

    #[test]
    fn numbered_activities_mk0124_and_kg0018() {
        let text = "ards the citizens.\nMilestone \n2.1.1 Revision of the asset declaration’s content \n2.1.2 Analysis of the functional failures of the Register of elected and appointed persons\n2.1.3 Completing the registry according to the analysis\nContact information \nName of responsible person from implementing agency ";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Numbered);
        let titles: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            titles,
            [
                "2.1.1 Revision of the asset declaration’s content",
                "2.1.2 Analysis of the functional failures of the Register of elected and appointed persons",
                "2.1.3 Completing the registry according to the analysis",
            ]
        );
        // `Task 1:`, a title broken over two lines, and another column that is not part of it.
        let text = "Milestone Activity with a verifiable deliverable Budget\n\nTask 1: Development of the amendments to the legislation to systemize and improve the\nmechanism of inclusion of citizens in the discussion of draft laws\nExpected results:\nThe Laws of the Kyrgyz Republic contain a detailed\nprocedure\n\nTask 2: Creation of a unified portal to enable online public discussion of draft laws.\nExpected results:\nEstablishment of a unified portal";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Numbered);
        assert_eq!(
            items[0].0,
            "Task 1: Development of the amendments to the legislation to systemize and improve the mechanism of inclusion of citizens in the discussion of draft laws"
        );
        assert_eq!(
            items[1].0,
            "Task 2: Creation of a unified portal to enable online public discussion of draft laws."
        );
        assert_eq!((items[0].1, items[0].2), (None, None));
    }

    #[test]
    fn numbered_rows_with_dates_at_their_end_ar0096() {
        let text = "Activity and deliverable product Start End\n18.1 Holding of at least three (3) workshops for to legislators, officials, workers legislatures and CSOs for the participatory design of the methodology to be used in the preparation of the Action Plan for Open Congress. September 2019 November 2022\n18.2 Institutionalization of the methodology by both Houses through a joint resolution. November 2019 December 2019";
        let (_, items) = read_items(text);
        assert_eq!(
            items[1],
            (
                "18.2 Institutionalization of the methodology by both Houses through a joint resolution.".to_string(),
                day(2019, 11, 1),
                day(2019, 12, 31)
            )
        );
    }

    #[test]
    fn bullets_under_a_milestone_heading_cv0001() {
        let text = "Development Plan (PEDS).  Milestone activity with\na verifiable deliverable\n• Establish and empower Competitiveness Unit\n• Approach top-100 ranking by 2020\n• Achieve top-100 ranking by 2021\n• Continue to rise in ranking through 2022 and beyond";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Bullets);
        let titles: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Establish and empower Competitiveness Unit",
                "Approach top-100 ranking by 2020",
                "Achieve top-100 ranking by 2021",
                "Continue to rise in ranking through 2022 and beyond"
            ]
        );
        // In the full text a date follows, belonging to no bullet: a person decides.
        let more = format!("{text}\nJuly 2018 — July 2022\nOverarching\nMilestones");
        match read(&more).milestones {
            Milestones::Unsure { raw, why } => {
                assert!(raw.starts_with("Development Plan (PEDS)."), "{raw}");
                assert_eq!(
                    why,
                    "a date follows its bullets without saying which it belongs to (\"July 2018 — July 2022\")"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn day_first_dates_settle_the_swappable_ones_nl0035() {
        let text = "Milestone with a verifiable result (please note: SMART) Start date: End date:\n Completion of an advisory report (analysis phase) on “no-threshold” publications on the website of the House of Representatives. 01/06/2018 01/10/2018\n Project plan, incl. assigned budget, established 01/10/2018 31/12/2018";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Columns);
        assert_eq!(
            (items[0].1, items[0].2),
            (day(2018, 6, 1), day(2018, 10, 1))
        );
        assert_eq!(
            items[1].0,
            "Project plan, incl. assigned budget, established"
        );
        match read(text).milestones {
            Milestones::Read { items, .. } => assert_eq!(
                items[0].start.as_ref().map(|w| w.how.as_str()),
                Some("read day first, like \"31/12/2018\" in the same milestones")
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn vague_dates_are_kept_as_written_not_turned_into_days() {
        let w = when("Spring 2019", Edge::End);
        assert_eq!((w.raw.as_str(), w.date), ("Spring 2019", None));
        assert_eq!(when("Ongoing", Edge::End).date, None);
        assert_eq!(when("10/1/2019", Edge::End).date, None);
        assert_eq!(when("Q3 2019", Edge::End).date, day(2019, 9, 30));
        assert_eq!(when("31/12/2019", Edge::End).date, day(2019, 12, 31));
        assert_eq!(when("2019-12-31", Edge::End).date, day(2019, 12, 31));
        assert_eq!(when("enero de 2020", Edge::Start).date, day(2020, 1, 1));
        assert_eq!(when("Junio de 2020", Edge::End).date, day(2020, 6, 30));
        assert_eq!(when("décembre 2021", Edge::End).date, day(2021, 12, 31));
        assert_eq!(when("31st May 2027", Edge::End).date, day(2027, 5, 31));
        assert_eq!(when("08.2020", Edge::Start).date, day(2020, 8, 1));
        assert_eq!(when("I semestre 2024", Edge::End).date, day(2024, 6, 30));
        assert_eq!(
            when("segundo semestre de 2024", Edge::Start).date,
            day(2024, 7, 1)
        );
        assert_eq!(when("H2 2025", Edge::End).date, day(2025, 12, 31));
        assert_eq!(
            when("primer trimestre de 2020", Edge::End).date,
            day(2020, 3, 31)
        );
    }

    #[test]
    fn a_heading_without_readable_rows_keeps_the_raw_text_py0038() {
        let text = "Hitos Fecha de inicio: Fecha de término:\n \n Consejos de Desarrollo Enero de 2020 Junio de 2020\n Capacitación a los funcionarios de 40 consejos y coordinación de todas las instituciones a nivel local, incluyendo aquellas del nivel central que tienen presencia local. \n Las acciones propuestas contribuirán a fortalecer a 40 consejos de desarrollo local que deberán reflejarse en el cumplimiento de ciertos indicadores de calidad de la participación. \n   \n Ordenamiento Territorial Julio de 2018 Junio de 2020";
        match read(text).milestones {
            Milestones::Unsure { raw, .. } => assert_eq!(raw, text.trim()),
            other => panic!("{other:?}"),
        }
        // Prose that mentions milestones is no heading.
        let prose = "See action plan for additional information on the commitment milestones.";
        assert_eq!(read(prose).milestones, Milestones::None);
        assert_eq!(read(prose).description, prose);
    }

    #[test]
    fn the_description_starts_at_the_texts_own_first_section_cl0081() {
        let text = "ersidad de Valparaíso (UV) y Centro Nacional de Inteligencia Artificial (CENIA). \n\nb. Definición del problema \n\niv. ¿Cuál es el problema que el compromiso busca abordar? La plataforma del Congreso Virtual de Chile, establecida en 2020 para fomentar la participac";
        assert!(
            read(text)
                .description
                .starts_with("**b. Definición del problema**\n\n**iv. ¿Cuál es el problema que el compromiso busca abordar?** La plataforma")
        );
        // A sentence that starts with a heading's word opens no section.
        let prose =
            "Open budgets\nProblems occur when budgets are late.\nThe ministry will publish them.";
        assert_eq!(
            read(prose).description,
            "Open budgets\n\nProblems occur when budgets are late.\n\nThe ministry will publish them."
        );
    }

    #[test]
    fn numbered_one_level_under_a_heading_mn0042() {
        let text = "Milestones:\n1. Carry out study on inclusion of \"transparency of political parties financing\" requirements in the Law on Political Parties, develop draft law and submit to Parliament\n2. Provide public with information, present the draft law to attract their support, and organize discussions for feedback and comments based on multi-stakeholder approach at broader level;\n3. Organize activities to get pledges and commitment from political parties to support the draft law with presence of public;";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Numbered);
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[2].0,
            "3. Organize activities to get pledges and commitment from political parties to support the draft law with presence of public;"
        );
        // Without a milestone heading, "1." numbers anything: not read.
        assert_eq!(
            read(&text["Milestones:\n".len()..]).milestones,
            Milestones::None
        );
    }

    #[test]
    fn narrow_columns_broken_over_lines_rs0039() {
        let text = "Activity with a verifiable\ndeliverable and completion date\nStart Date: End Date:\n1. Finalisation of the work on draft\namendments to the Law on Free\nAccess to Information of Public\nImportance\nOngoing Q4 2018\n2. Submission of the Draft Law to the\nGovernment for review and adoption of\nthe Bill\nQ1 2019 Q2 2019\nContact information\nName of a responsible person in\nthe implementing agen";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Numbered);
        assert_eq!(
            items,
            [
                (
                    "1. Finalisation of the work on draft amendments to the Law on Free Access to Information of Public Importance".to_string(),
                    None,
                    day(2018, 12, 31)
                ),
                (
                    "2. Submission of the Draft Law to the Government for review and adoption of the Bill".to_string(),
                    day(2019, 1, 1),
                    day(2019, 6, 30)
                ),
            ]
        );
        match read(text).milestones {
            Milestones::Read { items, .. } => {
                let start = items[0].start.as_ref().unwrap();
                assert_eq!((start.raw.as_str(), start.date), ("Ongoing", None));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_title_line_then_its_dates_mo0008() {
        let text = "Milestone Activity with a verifiable deliverable\nInserting the project’s provisions in the public services charter \nSeptember 2018 October 2018\nSharing the charter with all stakeholders \nNovember 2018 December 2019\nAdopting the charter \nJanuary 2019 June 2020\nContact point details \nName of contact point (project manager)";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Columns);
        assert_eq!(
            items[2],
            (
                "Adopting the charter".to_string(),
                day(2019, 1, 1),
                day(2020, 6, 30)
            )
        );
        assert_eq!(items.len(), 3);
    }

    #[test]
    fn numbered_rows_of_a_pipe_table_without_dates_ge0096() {
        let text = "Milestones | Expected Output\n\n3.1 Conducting consultations with stakeholders to prepare legal amendments | Consultations with various government agencies, public organizations and experts on the preparation of amendments to legislation are completed\n\n3.2 Preparation and discussion of draft amendments to the Law of Georgia “On Grants” | Draft amendments to the Law of Georgia “On Grants” are prepared";
        let (layout, items) = read_items(text);
        assert_eq!(layout, Layout::Numbered);
        assert_eq!(
            items[0],
            (
                "3.1 Conducting consultations with stakeholders to prepare legal amendments"
                    .to_string(),
                None,
                None
            )
        );
    }
}
