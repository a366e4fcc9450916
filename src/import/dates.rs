//! Reading the dates of OGP's data, which come in many hands: `1/1/2018`, `31/12/2015`,
//! `10/1/18`, `08/01/2022`, `August 2014`, `Quarter 1 2014`, `IV quarter of 2020`, `2016`, a
//! spreadsheet serial number (`43525`), words (`Underway`), and the missing-value markers.
//!
//! [`parse`] reads one cell on its own. A numeric date whose day and month could be swapped
//! (`10/1/18`) comes back [`Parsed::Ambiguous`]; the importer decides its order from the
//! other dates of the same action plan ([`Order`]) and says so in a note.

use crate::model::Date;

/// Whether a date starts or ends a period: a month-only date becomes the month's first day for
/// a start and its last day for an end (likewise for quarters and years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    Start,
    End,
}

/// The order of day and month in a numeric date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `31/12/2015`
    DayFirst,
    /// `12/31/2015`, the database's own habit.
    MonthFirst,
}

impl Order {
    /// "day first" / "month first".
    pub fn words(self) -> &'static str {
        match self {
            Order::DayFirst => "day first",
            Order::MonthFirst => "month first",
        }
    }
}

/// What one date cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Blank, or a missing-value marker (`NA`, `ND`, `NR`, `N/A`).
    Missing,
    /// A full date that can be read only one way; `order` says which order showed itself (a
    /// day above 12 shows day-first), for deciding the ambiguous dates of the same plan.
    Exact { date: Date, order: Option<Order> },
    /// A numeric date whose day and month could be swapped (both 12 or less and different).
    Ambiguous {
        /// The date read day first.
        day_first: Date,
        /// The date read month first.
        month_first: Date,
    },
    /// A period rather than a day (a month, a quarter, a year) or a spreadsheet serial
    /// number: read as `date`, with `how` saying how (for the note).
    Approximate { date: Date, how: String },
    /// Not a date: the reason, in words.
    Invalid(String),
}

impl Parsed {
    /// The date read in `order`, for an ambiguous date.
    pub fn in_order(&self, order: Order) -> Option<Date> {
        match self {
            Parsed::Ambiguous {
                day_first,
                month_first,
            } => Some(match order {
                Order::DayFirst => *day_first,
                Order::MonthFirst => *month_first,
            }),
            _ => None,
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether a cell is one of OGP's missing-value markers (or blank).
pub fn is_marker(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_uppercase().as_str(),
        "" | "NA" | "ND" | "NR" | "N/A"
    )
}

fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    let y = i16::try_from(year).ok()?;
    let m = i8::try_from(month).ok()?;
    let d = i8::try_from(day).ok()?;
    Date::new(y, m, d).ok()
}

/// A two-digit year is in this century (OGP began in 2011).
fn full_year(digits: &str) -> Option<i32> {
    let y: i32 = digits.parse().ok()?;
    match digits.len() {
        2 => Some(2000 + y),
        4 if (1900..=2200).contains(&y) => Some(y),
        _ => None,
    }
}

/// Month names in Spanish and French (English is [`MONTHS`]), accents optional.
const OTHER_MONTHS: [(&str, i32); 27] = [
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
];

/// A month's number from its name: English (or its three-letter abbreviation, `Sept`),
/// Spanish or French, with any case and a trailing full stop or comma.
pub fn month_number(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(['.', ',']).to_lowercase();
    if w == "sept" {
        return Some(9);
    }
    if w == "decembre" {
        return Some(12);
    }
    if w.len() < 3 {
        return None;
    }
    if let Some(&(_, n)) = OTHER_MONTHS.iter().find(|(name, _)| *name == w) {
        return Some(n);
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(&w)))
        .and_then(|i| i32::try_from(i + 1).ok())
}

/// Seasons, in the languages read: a season is not a date, so it is never turned into one.
const SEASONS: [&str; 12] = [
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "primavera",
    "verano",
    "otoño",
    "invierno",
    "printemps",
    "été",
    "automne",
];

fn roman_or_digit(word: &str) -> Option<i32> {
    match word.to_ascii_uppercase().as_str() {
        "1" | "I" => Some(1),
        "2" | "II" => Some(2),
        "3" | "III" => Some(3),
        "4" | "IV" => Some(4),
        _ => None,
    }
}

/// The number of a quarter or half: `1`, `I`, `1st`, `1er`, `first`, `primer`, `segundo`…
fn ordinal(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(['.', 'º', '°']);
    match w {
        "first" | "primer" | "primero" | "premier" => return Some(1),
        "second" | "segundo" | "deuxième" | "second." => return Some(2),
        "third" | "tercer" | "tercero" | "troisième" => return Some(3),
        "fourth" | "cuarto" | "quatrième" => return Some(4),
        _ => {}
    }
    let digits = w
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th")
        .trim_end_matches("er")
        .trim_end_matches("do")
        .trim_end_matches('e');
    roman_or_digit(digits)
}

/// A period from its first day to its last, as `edge` asks.
fn period_edge(first: Date, last: Date, edge: Edge) -> Date {
    match edge {
        Edge::Start => first,
        Edge::End => last,
    }
}

fn edge_words(edge: Edge) -> &'static str {
    match edge {
        Edge::Start => "its first day, as this is a start date",
        Edge::End => "its last day, as this is an end date",
    }
}

/// Reads one date cell.
pub fn parse(text: &str, edge: Edge) -> Parsed {
    let t = text.trim();
    if is_marker(t) {
        return Parsed::Missing;
    }
    // 2018-06-30
    if let Ok(d) = t.parse::<Date>() {
        return Parsed::Exact {
            date: d,
            order: None,
        };
    }
    // 31/12/2015, 12/31/2015, 10/1/18, 08.01.2022, 1-7-2014
    let parts: Vec<&str> = t.split(['/', '.', '-']).map(str::trim).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return numeric(parts[0], parts[1], parts[2], t);
    }
    // 08.2020, 11/2022, 1/2023: a month and a year.
    if parts.len() == 2
        && parts[1].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        && let (Ok(month), Some(year)) = (parts[0].parse::<i32>(), full_year(parts[1]))
        && let Some(first) = date(year, month, 1)
    {
        return Parsed::Approximate {
            date: period_edge(first, first.last_of_month(), edge),
            how: format!("a month only: read as {}", edge_words(edge)),
        };
    }
    // Words such as "of", "de", "end of" and "by" around a date carry no meaning here.
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "de" | "del" | "of" | "the" | "by" | "end" | "fin" | "finales" | "a" | "en" | "le"
            )
        })
        .collect();
    if words
        .iter()
        .any(|w| SEASONS.contains(&w.to_lowercase().as_str()))
    {
        return Parsed::Invalid(format!(
            "\"{t}\" is a season, not a date: it is not turned into one"
        ));
    }
    // 1 July 2022, 31 December 2022, 15 de enero de 2020, 1er juillet 2022
    if let [d, m, y] = words.as_slice() {
        let d = d
            .trim_end_matches(['.', ','])
            .trim_end_matches("er")
            .trim_end_matches("st")
            .trim_end_matches("nd")
            .trim_end_matches("rd")
            .trim_end_matches("th");
        if let (Ok(day), Some(month), Some(year)) =
            (d.parse::<i32>(), month_number(m), full_year(y))
            && let Some(exact) = date(year, month, day)
        {
            return Parsed::Exact {
                date: exact,
                order: None,
            };
        }
    }
    // 2016
    if let [y] = words.as_slice() {
        if y.len() == 4
            && let Some(year) = full_year(y)
            && let (Some(first), Some(last)) = (date(year, 1, 1), date(year, 12, 31))
        {
            return Parsed::Approximate {
                date: period_edge(first, last, edge),
                how: format!("a year only: read as {}", edge_words(edge)),
            };
        }
        // 43525: the number of days since 1899-12-30, as spreadsheets count.
        if y.len() == 5
            && y.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = y.parse::<i64>()
            && (20_000..=80_000).contains(&n)
        {
            let d = date(1899, 12, 30).and_then(|base| {
                jiff::Span::new()
                    .try_days(n)
                    .ok()
                    .and_then(|s| base.checked_add(s).ok())
            });
            if let Some(d) = d {
                return Parsed::Approximate {
                    date: d,
                    how: "a spreadsheet's date serial number (days since 1899-12-30)".to_string(),
                };
            }
        }
    }
    // August 2014, Aug 2014
    if let [m, y] = words.as_slice()
        && let (Some(month), Some(year)) = (month_number(m), full_year(y))
        && let Some(first) = date(year, month, 1)
    {
        return Parsed::Approximate {
            date: period_edge(first, first.last_of_month(), edge),
            how: format!("a month only: read as {}", edge_words(edge)),
        };
    }
    // Quarter 1 2014, Q1 2014, I quarter of 2021, 1st quarter 2021, primer trimestre de 2020;
    // I semestre 2024, H2 2025, first half of 2022: a quarter or a half year.
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let period = |w: &str| match w {
        "quarter" | "trimestre" => Some(3),
        "semester" | "semestre" | "half" => Some(6),
        _ => None,
    };
    let found = match lower[..] {
        [p, n, y] if period(p).is_some() => period(p).zip(ordinal(n)).zip(full_year(y)),
        [n, p, y] if period(p).is_some() => period(p).zip(ordinal(n)).zip(full_year(y)),
        [q, y] if q.len() == 2 && q.starts_with('q') => {
            Some(3).zip(roman_or_digit(&q[1..])).zip(full_year(y))
        }
        [h, y] if h.len() == 2 && h.starts_with('h') => Some(6)
            .zip(roman_or_digit(&h[1..]).filter(|n| *n <= 2))
            .zip(full_year(y)),
        _ => None,
    };
    if let Some(((months, n), year)) = found
        && n * months <= 12
    {
        let first = date(year, (n - 1) * months + 1, 1);
        let last = date(year, n * months, 1).map(Date::last_of_month);
        if let (Some(first), Some(last)) = (first, last) {
            let what = if months == 3 {
                "a quarter"
            } else {
                "a half year"
            };
            return Parsed::Approximate {
                date: period_edge(first, last, edge),
                how: format!("{what} only: read as {}", edge_words(edge)),
            };
        }
    }
    Parsed::Invalid(format!(
        "\"{t}\" is not a date (expected a date such as 31/12/2015, 12/31/2015 or August 2014)"
    ))
}

fn numeric(a: &str, b: &str, y: &str, whole: &str) -> Parsed {
    // Year first: 2018/06/30.
    if a.len() == 4 {
        if let (Some(year), Ok(m), Ok(d)) = (full_year(a), b.parse::<i32>(), y.parse::<i32>())
            && let Some(date) = date(year, m, d)
        {
            return Parsed::Exact { date, order: None };
        }
        return Parsed::Invalid(format!("\"{whole}\" is not a date that exists"));
    }
    let (Ok(a), Ok(b), Some(year)) = (a.parse::<i32>(), b.parse::<i32>(), full_year(y)) else {
        return Parsed::Invalid(format!(
            "\"{whole}\" is not a date (the year must have 2 or 4 digits)"
        ));
    };
    let day_first = date(year, b, a);
    let month_first = date(year, a, b);
    match (day_first, month_first) {
        (Some(d), Some(m)) if d == m => Parsed::Exact {
            date: d,
            order: None,
        },
        (Some(d), Some(m)) => Parsed::Ambiguous {
            day_first: d,
            month_first: m,
        },
        (Some(d), None) => Parsed::Exact {
            date: d,
            order: Some(Order::DayFirst),
        },
        (None, Some(m)) => Parsed::Exact {
            date: m,
            order: Some(Order::MonthFirst),
        },
        (None, None) => Parsed::Invalid(format!(
            "\"{whole}\" is not a date that exists, read day first or month first"
        )),
    }
}

/// Whether a date is where a date of this edge usually falls: a start on the first of a
/// month, an end on the last.
pub fn looks_like(date: Date, edge: Edge) -> bool {
    match edge {
        Edge::Start => date.day() == 1,
        Edge::End => date == date.last_of_month(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn markers_are_missing() {
        for m in ["", " NA ", "nd", "NR", "N/A"] {
            assert_eq!(parse(m, Edge::Start), Parsed::Missing, "{m:?}");
        }
    }

    #[test]
    fn unambiguous_numeric_dates_show_their_order() {
        assert_eq!(
            parse("31/12/2015", Edge::End),
            Parsed::Exact {
                date: d(2015, 12, 31),
                order: Some(Order::DayFirst)
            }
        );
        assert_eq!(
            parse("12/31/2022", Edge::End),
            Parsed::Exact {
                date: d(2022, 12, 31),
                order: Some(Order::MonthFirst)
            }
        );
        assert_eq!(
            parse("1/1/2018", Edge::Start),
            Parsed::Exact {
                date: d(2018, 1, 1),
                order: None
            }
        );
        assert_eq!(
            parse("2018-06-30", Edge::End),
            Parsed::Exact {
                date: d(2018, 6, 30),
                order: None
            }
        );
    }

    #[test]
    fn swappable_dates_are_ambiguous() {
        let p = parse("10/1/18", Edge::Start);
        assert_eq!(
            p,
            Parsed::Ambiguous {
                day_first: d(2018, 1, 10),
                month_first: d(2018, 10, 1)
            }
        );
        assert_eq!(p.in_order(Order::MonthFirst), Some(d(2018, 10, 1)));
        assert_eq!(
            parse("08/01/2022", Edge::Start).in_order(Order::DayFirst),
            Some(d(2022, 1, 8))
        );
    }

    #[test]
    fn months_quarters_and_years_go_to_the_right_edge() {
        let approx = |t: &str, e: Edge| match parse(t, e) {
            Parsed::Approximate { date, .. } => date,
            other => panic!("{t}: {other:?}"),
        };
        assert_eq!(approx("August 2014", Edge::Start), d(2014, 8, 1));
        assert_eq!(approx("August 2014", Edge::End), d(2014, 8, 31));
        assert_eq!(approx("February 2016", Edge::End), d(2016, 2, 29));
        assert_eq!(approx("Sept 2015", Edge::Start), d(2015, 9, 1));
        assert_eq!(approx("Quarter 2 2015", Edge::End), d(2015, 6, 30));
        assert_eq!(approx("I quarter of 2021", Edge::Start), d(2021, 1, 1));
        assert_eq!(approx("IV quarter of 2020", Edge::End), d(2020, 12, 31));
        assert_eq!(approx("Q3 2014", Edge::Start), d(2014, 7, 1));
        assert_eq!(approx("2016", Edge::Start), d(2016, 1, 1));
        assert_eq!(approx("2016", Edge::End), d(2016, 12, 31));
        assert_eq!(approx("43525", Edge::Start), d(2019, 3, 1));
        assert_eq!(approx("44439", Edge::End), d(2021, 8, 31));
    }

    #[test]
    fn words_and_impossible_dates_are_invalid() {
        for t in [
            "Underway",
            "Ongoing",
            "Permanent activity",
            "Spring 2015",
            "31/31/2015",
            "1/1/123",
            "30/02/2015",
        ] {
            assert!(
                matches!(parse(t, Edge::End), Parsed::Invalid(_)),
                "{t}: {:?}",
                parse(t, Edge::End)
            );
        }
    }

    #[test]
    fn usual_edges() {
        assert!(looks_like(d(2018, 7, 1), Edge::Start));
        assert!(!looks_like(d(2018, 1, 7), Edge::Start));
        assert!(looks_like(d(2018, 6, 30), Edge::End));
        assert!(!looks_like(d(2018, 6, 1), Edge::End));
    }
}
