//! The action plans of the file: its rows grouped by country and plan number, and the IRM
//! rubric each plan was assessed with.

use std::collections::{BTreeSet, HashMap};

use super::{
    ACTION_PLAN_ID, COUNTRY, EARLY_RESULTS, ID, PLAN_NUMBER, POTENTIAL_FOR_RESULTS,
    POTENTIAL_IMPACT, Rubric, SPECIFICITY, Table, YEAR_END, YEAR_SUBMITTED, is_marker,
};
use crate::diag::{Diagnostic, Report};

/// One country's (or local member's) action plan in the file.
#[derive(Debug, Clone)]
pub struct ActionPlan {
    pub country: String,
    /// The plan's number, as written in the data (`1` for the member's first plan).
    pub number: String,
    /// OGP's id for the plan, e.g. `AP_MNG02`, when the file has it.
    pub ogp_id: Option<String>,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    /// Indexes of its rows in [`Table::rows`].
    pub rows: Vec<usize>,
    pub rubric: Rubric,
    /// Why that rubric, in words.
    pub rubric_why: String,
}

impl ActionPlan {
    /// "2016–2018", "2012", or "" when the file gives no years.
    pub fn years(&self) -> String {
        match (self.first_year, self.last_year) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) | (None, Some(a)) => a.to_string(),
            (None, None) => String::new(),
        }
    }

    /// "Mongolia — action plan 2 (2016–2018)".
    pub fn title(&self) -> String {
        let years = self.years();
        if years.is_empty() {
            format!("{} — action plan {}", self.country, self.number)
        } else {
            format!("{} — action plan {} ({years})", self.country, self.number)
        }
    }

    /// The title written in plan.toml: "Action plan 2 (2016–2018)". Tables and headings put
    /// the country before it, so it is not repeated here.
    pub fn plan_title(&self) -> String {
        let years = self.years();
        if years.is_empty() {
            format!("Action plan {}", self.number)
        } else {
            format!("Action plan {} ({years})", self.number)
        }
    }

    /// Whether `wanted` (a number typed on the command line) names this plan.
    pub fn is_number(&self, wanted: &str) -> bool {
        let wanted = wanted.trim();
        self.number.eq_ignore_ascii_case(wanted)
            || matches!((self.number.parse::<u32>(), wanted.parse::<u32>()), (Ok(a), Ok(b)) if a == b)
    }
}

pub(super) fn year(text: &str) -> Option<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
}

fn plan_number_key(n: &str) -> (u32, String) {
    (n.parse().unwrap_or(u32::MAX), n.to_string())
}

/// Groups the rows by country and action plan (in the order country, plan number), reporting
/// rows that name neither.
pub fn action_plans(table: &Table, report: &mut Report) -> Vec<ActionPlan> {
    let mut plans: Vec<ActionPlan> = Vec::new();
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let country = table.get(row, COUNTRY);
        let number = table.get(row, PLAN_NUMBER);
        if country.is_empty() || number.is_empty() {
            let column = if country.is_empty() {
                COUNTRY
            } else {
                PLAN_NUMBER
            };
            report.push(
                Diagnostic::warning(
                    "skipped-row",
                    format!(
                        "row of commitment \"{}\" not imported: it names no {}",
                        table.get(row, ID),
                        if country.is_empty() {
                            "country"
                        } else {
                            "action plan"
                        }
                    ),
                )
                .at(table.at(row, column)),
            );
            continue;
        }
        let key = (country.to_string(), number.to_string());
        let at = *by_key.entry(key).or_insert_with(|| {
            plans.push(ActionPlan {
                country: country.to_string(),
                number: number.to_string(),
                ogp_id: None,
                first_year: None,
                last_year: None,
                rows: Vec::new(),
                rubric: Rubric::Legacy,
                rubric_why: String::new(),
            });
            plans.len() - 1
        });
        let plan = &mut plans[at];
        plan.rows.push(i);
        if let Some(y) = year(table.get(row, YEAR_SUBMITTED)) {
            plan.first_year = Some(plan.first_year.map_or(y, |f| f.min(y)));
        }
        if let Some(y) = year(table.get(row, YEAR_END)) {
            plan.last_year = Some(plan.last_year.map_or(y, |l| l.max(y)));
        }
        let ap_id = table.get(row, ACTION_PLAN_ID);
        if plan.ogp_id.is_none() && !is_marker(ap_id) {
            plan.ogp_id = Some(ap_id.to_string());
        }
    }
    for plan in &mut plans {
        let (rubric, why) = choose_rubric(table, plan);
        plan.rubric = rubric;
        plan.rubric_why = why;
    }
    plans.sort_by(|a, b| {
        a.country
            .to_lowercase()
            .cmp(&b.country.to_lowercase())
            .then_with(|| plan_number_key(&a.number).cmp(&plan_number_key(&b.number)))
    });
    plans
}

/// Legacy plans have Specificity / Potential Impact ratings, refreshed ones Potential for
/// Results; a plan the IRM has not rated yet goes by its year (the refreshed IRM assesses plans
/// submitted from 2020 on).
fn choose_rubric(table: &Table, plan: &ActionPlan) -> (Rubric, String) {
    let filled = |names: &[&str]| {
        plan.rows
            .iter()
            .filter(|&&i| {
                names
                    .iter()
                    .any(|n| !is_marker(table.get(&table.rows[i], n)))
            })
            .count()
    };
    let legacy = filled(&[SPECIFICITY, POTENTIAL_IMPACT]);
    let refresh = filled(&[POTENTIAL_FOR_RESULTS]);
    let early = filled(&[EARLY_RESULTS]);
    let legacy_why = format!(
        "{legacy} of its commitments have Specificity or Potential Impact ratings, the IRM's indicators of 2012–2020"
    );
    let refresh_why = format!(
        "{refresh} of its commitments have Potential for Results ratings, the IRM's indicators since 2021"
    );
    if legacy > refresh {
        (Rubric::Legacy, legacy_why)
    } else if refresh > legacy {
        (Rubric::Refresh, refresh_why)
    } else if early > 0 {
        (
            Rubric::Refresh,
            format!(
                "{early} of its commitments have Early Results ratings, an indicator of the IRM since 2021"
            ),
        )
    } else if plan.first_year.is_some_and(|y| y >= 2020) {
        (
            Rubric::Refresh,
            "the IRM has not rated it yet, and plans submitted from 2020 on are assessed with the IRM's refreshed indicators".to_string(),
        )
    } else {
        (
            Rubric::Legacy,
            "the IRM's data holds no design ratings for it, and plans submitted before 2020 were assessed with the IRM's legacy indicators".to_string(),
        )
    }
}

/// The distinct countries of the file (for did-you-mean).
pub fn countries(plans: &[ActionPlan]) -> Vec<String> {
    let set: BTreeSet<&str> = plans.iter().map(|p| p.country.as_str()).collect();
    set.into_iter().map(str::to_string).collect()
}

/// A country's or local member's name folded for matching: lower case, accents and
/// punctuation dropped, spaces collapsed (`Côte d’Ivoire` and `cote d'ivoire` give `cote d ivoire`).
pub fn name_key(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
            'ĥ' | 'ħ' => "h",
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
            'ĵ' => "j",
            'ķ' => "k",
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
            'ñ' | 'ń' | 'ņ' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
            'ŕ' | 'ŗ' | 'ř' => "r",
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
            'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
            'ŵ' => "w",
            'ý' | 'ÿ' | 'ŷ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'æ' => "ae",
            'œ' => "oe",
            'ß' => "ss",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            // Combining accents (a decomposed é) are dropped; other marks separate words.
            '\u{300}'..='\u{36f}' => "",
            _ => " ",
        };
        out.push_str(folded);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The country or local member of the file that `wanted` names, ignoring case, accents and
/// punctuation; a local member also by its name without the country (`buenos aires` for
/// `Buenos Aires, Argentina`) when only one has that name.
pub fn find_country<'p>(plans: &'p [ActionPlan], wanted: &str) -> Option<&'p str> {
    let key = name_key(wanted);
    if key.is_empty() {
        return None;
    }
    let names = countries(plans);
    if let Some(p) = plans.iter().find(|p| name_key(&p.country) == key) {
        return Some(p.country.as_str());
    }
    let local: Vec<&String> = names
        .iter()
        .filter(|n| {
            n.contains(',')
                && n.split(',')
                    .next()
                    .is_some_and(|first| name_key(first) == key)
        })
        .collect();
    match local.as_slice() {
        [one] => plans
            .iter()
            .find(|p| &&p.country == one)
            .map(|p| p.country.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn names_match_ignoring_case_accents_and_punctuation() {
        assert_eq!(name_key("Côte d’Ivoire"), "cote d ivoire");
        assert_eq!(name_key("cote d'ivoire"), "cote d ivoire");
        assert_eq!(name_key("Cote d'Ivoire"), "cote d ivoire");
        assert_eq!(name_key("Cote\u{301} d'Ivoire"), "cote d ivoire");
        assert_eq!(name_key("  BUENOS   aires "), "buenos aires");
        assert_eq!(name_key("São Tomé and Príncipe"), "sao tome and principe");
    }
}
