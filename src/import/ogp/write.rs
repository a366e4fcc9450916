//! The text of the two files an import writes: plan.toml, with comments for the person who
//! will edit it, and the long-form score file of the IRM's ratings.

use std::fmt::Write as _;
use std::path::Path;

use super::convert::{Commitment, Rating, Stage};
use super::milestones::{Milestones, When};
use super::{ActionPlan, Round, Rubric, Table, is_marker};
use crate::import::toml_text;
use crate::model::Date;

/// The most lines of a commitment's raw milestone text copied into its comment block.
const RAW_LINES: usize = 80;

pub(super) fn scores_text(ratings: &[Rating]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "evaluator",
        "commitment",
        "milestone",
        "criterion",
        "level",
        "evidence",
        "comment",
    ]);
    for r in ratings {
        // Cells that start like a formula are neutralised (see `text::formula_safe`).
        let _ = w.write_record(
            [
                "irm",
                r.commitment.as_str(),
                "",
                r.criterion,
                r.level,
                r.evidence.as_str(),
                "",
            ]
            .map(|cell| crate::text::formula_safe(cell).into_owned()),
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Breaks a text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

fn rule(out: &mut String, c: char) {
    out.push_str("# ");
    out.extend(std::iter::repeat_n(c, 77));
    out.push('\n');
}

/// A date of the plan's span, with why it is that date.
pub(super) type Bound = (Date, String);

/// The plan's span: its start from the commitments' and milestones' start dates, else
/// 1 January of its first year (`Year Of Submission`), never from an end date; its end the
/// latest date of all, extended to 31 December of `Action Plan End Year` when no date reaches
/// that year. Each with why, for the comment.
pub(super) fn span(
    plan: &ActionPlan,
    commitments: &[Commitment],
) -> (Option<Bound>, Option<Bound>) {
    let milestone_dates = |c: &Commitment, due: bool| -> Vec<Date> {
        match &c.milestones {
            Milestones::Read { items, .. } => items
                .iter()
                .filter_map(|m| {
                    if due {
                        m.due.as_ref()
                    } else {
                        m.start.as_ref()
                    }
                })
                .filter_map(|w| w.date)
                .collect(),
            _ => Vec::new(),
        }
    };
    let starts: Vec<Date> = commitments
        .iter()
        .flat_map(|c| {
            let mut v = milestone_dates(c, false);
            v.extend(c.start.as_ref().map(|d| d.0));
            v
        })
        .collect();
    let all: Vec<Date> = commitments
        .iter()
        .flat_map(|c| {
            let mut v = milestone_dates(c, false);
            v.extend(milestone_dates(c, true));
            v.extend(c.start.as_ref().map(|d| d.0));
            v.extend(c.end.as_ref().map(|d| d.0));
            v
        })
        .collect();
    let year_day =
        |y: i32, m: i8, d: i8| i16::try_from(y).ok().and_then(|y| Date::new(y, m, d).ok());
    let start = match starts.iter().min() {
        Some(d) => Some((
            *d,
            "the earliest start date of its commitments and milestones".to_string(),
        )),
        None => plan.first_year.and_then(|y| year_day(y, 1, 1)).map(|d| {
            (
                d,
                "1 January of its year of submission: no commitment gives a start date".to_string(),
            )
        }),
    };
    let latest = all.iter().max().copied();
    let end = match (latest, plan.last_year) {
        (Some(d), Some(y)) if i32::from(d.year()) >= y => Some((
            d,
            "the latest date of its commitments and milestones".to_string(),
        )),
        (_, Some(y)) => year_day(y, 12, 31).map(|d| {
            (
                d,
                "31 December of its end year (OGP's \"Action Plan End Year\")".to_string(),
            )
        }),
        (Some(d), None) => Some((
            d,
            "the latest date of its commitments and milestones".to_string(),
        )),
        (None, None) => None,
    };
    let end = match (&start, end) {
        (Some((s, _)), Some((e, _))) if e < *s => {
            Some((*s, "its start: no later date is known".to_string()))
        }
        (_, e) => e,
    };
    (start, end)
}

/// The date the chosen round assesses, and why: the end of the first year of implementation
/// for the progress report, the plan's end for the end-of-term (or Results) report; without
/// `--round`, the plan's end when any completion comes from the end of term (or none is
/// rated), else the end of the first year.
pub(super) fn as_of(
    start: Option<Date>,
    end: Option<Date>,
    round: Round,
    ratings: &[Rating],
) -> Option<(Date, &'static str)> {
    let first_year = start.and_then(|s| {
        s.checked_add(jiff::Span::new().years(1))
            .ok()
            .and_then(|d| d.yesterday().ok())
            .map(|d| end.map_or(d, |e| d.min(e)))
    });
    let progress = (
        first_year,
        "the end of the plan's first year of implementation, which the IRM's progress report assesses",
    );
    let end_of_term = (
        end,
        "the end of the action plan, which the IRM's end-of-term report assesses",
    );
    let (date, why) = match round {
        Round::Progress => progress,
        Round::EndOfTerm => end_of_term,
        Round::Latest => {
            let completions: Vec<Stage> = ratings
                .iter()
                .filter(|r| r.criterion == "completion")
                .map(|r| r.stage)
                .collect();
            if !completions.is_empty() && completions.iter().all(|s| *s == Stage::Progress) {
                progress
            } else {
                end_of_term
            }
        }
    };
    date.map(|d| (d, why))
}

/// A milestone's date as a comment: what was written and how it was read.
fn when_words(w: &When) -> String {
    let mut s = format!("\"{}\"", w.raw);
    if !w.how.is_empty() {
        s.push_str(": ");
        s.push_str(&w.how);
    }
    s.replace(['\n', '\r'], " ")
}

pub(super) fn plan_text(
    plan: &ActionPlan,
    commitments: &[Commitment],
    ratings: &[Rating],
    round: Round,
    table: &Table,
) -> Result<String, usize> {
    let rubric = plan.rubric;
    let mut out = String::new();
    let source_name = Path::new(&table.display).file_name().map_or_else(
        || table.display.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    rule(&mut out, '=');
    out.push_str(&toml_text::comment(&format!(
        "{}\nImported by `checkmyogp import ogp` from {source_name}, OGP's commitments and IRM\ndatabase{}.",
        plan.title(),
        plan.ogp_id
            .as_ref()
            .map(|id| format!(" (action plan {id})"))
            .unwrap_or_default()
    )));
    rule(&mut out, '=');
    let (start, end) = span(plan, commitments);
    let as_of = as_of(
        start.as_ref().map(|s| s.0),
        end.as_ref().map(|e| e.0),
        round,
        ratings,
    );
    let read_milestones = commitments
        .iter()
        .filter(|c| matches!(c.milestones, Milestones::Read { .. }))
        .count();
    let unsure = commitments
        .iter()
        .filter(|c| matches!(c.milestones, Milestones::Unsure { .. }))
        .count();
    let milestone_words = if read_milestones + unsure == 0 {
        "The commitments have no milestones: OGP's text shows none (the IRM rates each\ncommitment as a whole). You may add [[commitment.milestone]] tables under a\ncommitment (see docs/formats.md).".to_string()
    } else {
        format!(
            "Milestones were read from the action plan's own text (OGP's \"Full Text\") for\n{read_milestones} commitment(s), with their titles as written; {unsure} commitment(s) have\nmilestones that could not be read with confidence: their text is in a comment\nblock under the commitment, ready to turn into [[commitment.milestone]] tables.\nCheck the milestones against the action plan."
        )
    };
    let round_words = match round {
        Round::Latest => {
            "Ratings: for each criterion, the latest IRM rating present (for completion, the\nend-of-term rating, else the progress report's)."
        }
        Round::Progress => {
            "Ratings: only what the IRM's progress report (mid-term) rated: the design ratings\nand its completion; the end-of-term ratings are left out (--round progress)."
        }
        Round::EndOfTerm => {
            "Ratings: only what the IRM's end-of-term report rated: the design ratings, its\ncompletion and its results; the progress report's completion is left out\n(--round end-of-term)."
        }
    };
    out.push_str(&toml_text::comment(&format!(
        "This folder holds:
  plan.toml       this file: the action plan's {n} commitments, as OGP lists them
  scores/irm.csv  the IRM's official ratings, as evaluator `irm`, on the rubric
                  {rubric}; each row cites the commitment's page on OGP's website
                  as evidence.
{round_words}
Where each rating comes from is written under each commitment, as a comment (OGP's
data, not the IRM's words).

{milestone_words}

What to do next:
  1. checkmyogp validate .      check the folder (it should be valid)
  2. checkmyogp assess .        the IRM's ratings, {flags} and what needs attention
  3. Add your coalition's own ratings, to compare them with the IRM's:
     a. list each of your evaluators below, as [[evaluator]] (see the example);
     b. give each a score file in scores/, e.g. scores/our-team.csv, rating the same
        criteria as scores/irm.csv (`checkmyogp rubric show {rubric}` lists them);
     c. uncomment `reference = \"irm\"` in [assessment], so that the IRM's ratings are
        shown beside your combined rating and never mixed into it;
     d. run `checkmyogp validate .`, then `checkmyogp assess .` and `checkmyogp draft .`,
        which compare your view with the IRM's.",
        n = commitments.len(),
        rubric = rubric.id(),
        flags = match rubric {
            Rubric::Legacy => "flags (★ starred)",
            Rubric::Refresh => "flags (high completion, ambitious)",
        },
    )));
    rule(&mut out, '=');
    out.push('\n');

    out.push_str("[plan]\n");
    let _ = writeln!(out, "country = {}", toml_text::basic(&plan.country));
    let _ = writeln!(out, "title = {}", toml_text::basic(&plan.plan_title()));
    if let Some((s, why)) = &start {
        let _ = writeln!(out, "start = {s}    # {why}");
    }
    if let Some((e, why)) = &end {
        let _ = writeln!(out, "end = {e}      # {why}");
    }
    out.push_str(
        "# organisation = \"Your coalition\"   # who runs this assessment (shown in reports)\n",
    );
    out.push_str("# language = \"en\"                  # the language of the texts below\n\n");

    out.push_str("[assessment]\n");
    let _ = writeln!(out, "rubric = {}", toml_text::basic(rubric.id()));
    out.push_str(&toml_text::comment(&wrap(
        &format!("{} because {}.", rubric.id(), plan.rubric_why),
        88,
    )));
    out.push_str(&toml_text::comment(
        "scores: left to the default, every .csv, .xlsx and .ods file in scores/",
    ));
    match &as_of {
        Some((d, why)) => {
            let _ = writeln!(out, "as_of = {d}");
            out.push_str(&toml_text::comment(&wrap(
                &format!(
                    "as_of is {why}: milestones due before it are checked for delays, as the IRM judged them. Change it to the date of your own review."
                ),
                88,
            )));
        }
        None => out.push_str(&toml_text::comment(
            "as_of = 2018-06-30    # the date of your review: milestones due before it are checked\n                      # for delays (without it, today's date is used)",
        )),
    }
    out.push_str(&toml_text::comment(
        "reference = \"irm\"     # uncomment once your coalition's own scores are in scores/:\n                      # the IRM's ratings are then shown beside yours, never mixed in",
    ));
    out.push('\n');

    out.push_str("[[evaluator]]\nid = \"irm\"\n");
    out.push_str(
        "name = \"Independent Reporting Mechanism (official ratings, imported from OGP's data)\"\n",
    );
    out.push_str("organisation = \"Open Government Partnership\"\nrole = \"irm\"\n\n");
    out.push_str(&toml_text::comment(
        "Your coalition's evaluators, for example:\n[[evaluator]]\nid = \"our-team\"                # the id written in the evaluator column of score files\nname = \"Monitoring team\"\norganisation = \"Your organisation\"\nrole = \"civil-society\"",
    ));
    out.push('\n');

    rule(&mut out, '=');
    out.push_str(&toml_text::comment(&format!(
        "Commitments ({}), as OGP's data lists them. `id` and `ogp_id` are OGP's identifier.",
        commitments.len()
    )));
    rule(&mut out, '=');
    // Each commitment's ratings, found once (a search of all ratings per commitment made a
    // 10,000-commitment import take seconds, 50,000 two minutes).
    let mut by_commitment: std::collections::HashMap<&str, Vec<&Rating>> =
        std::collections::HashMap::new();
    for r in ratings {
        by_commitment
            .entry(r.commitment.as_str())
            .or_default()
            .push(r);
    }
    // A plan file larger than this is not read (`load`): the text stops growing past it, and
    // the import is refused with the commitment that passed it.
    let limit = usize::try_from(crate::load::MAX_TOML_BYTES).unwrap_or(usize::MAX);
    for (i, c) in commitments.iter().enumerate() {
        if out.len() > limit {
            return Err(i);
        }
        out.push('\n');
        rule(&mut out, '-');
        let mut head = if c.number.is_empty() || is_marker(&c.number) {
            format!("OGP commitment {}", c.id)
        } else {
            format!("Commitment {} of the action plan (OGP {})", c.number, c.id)
        };
        if let Some(url) = &c.url {
            head.push('\n');
            head.push_str(url);
        }
        out.push_str(&toml_text::comment(&head));
        out.push_str("[[commitment]]\n");
        let _ = writeln!(out, "id = {}", toml_text::basic(&c.id));
        let _ = writeln!(out, "ogp_id = {}", toml_text::basic(&c.id));
        let _ = writeln!(out, "title = {}", toml_text::basic(&c.title));
        if let Some(lead) = &c.lead {
            let _ = writeln!(out, "lead = {}", toml_text::basic(lead));
        }
        if !c.supporting.is_empty() {
            if let Some(listed) = &c.supporting_as_listed {
                out.push_str(&toml_text::comment(&format!(
                    "OGP lists the supporting institutions as: {listed}"
                )));
            }
            let _ = writeln!(out, "supporting = {}", toml_text::array(&c.supporting));
        }
        if !c.values.is_empty() {
            let values: Vec<String> = c.values.iter().map(|v| (*v).to_string()).collect();
            let _ = writeln!(out, "values = {}", toml_text::array(&values));
        }
        if !c.themes.is_empty() {
            let _ = writeln!(out, "themes = {}", toml_text::array(&c.themes));
        }
        for (key, date) in [("start", &c.start), ("end", &c.end)] {
            if let Some((d, how)) = date {
                match how {
                    Some(how) => {
                        let _ =
                            writeln!(out, "{key} = {d}    # {}", how.replace(['\n', '\r'], " "));
                    }
                    None => {
                        let _ = writeln!(out, "{key} = {d}");
                    }
                }
            }
        }
        if let Some(text) = &c.description {
            let _ = writeln!(out, "description = {}", toml_text::multiline(text));
        }
        let mine = by_commitment
            .get(c.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        provenance(&mut out, mine, rubric);
        milestones(&mut out, c);
    }
    if out.len() > limit {
        return Err(commitments.len());
    }
    Ok(out)
}

/// Where each of the commitment's IRM ratings comes from, as a comment: bookkeeping, kept out
/// of the score file's `comment` column so that nothing quotes it as the IRM's words.
fn provenance(out: &mut String, mine: &[&Rating], rubric: Rubric) {
    if mine.is_empty() {
        return;
    }
    let mut text = String::from("The IRM's ratings in scores/irm.csv, as OGP's data gives them:");
    for r in mine {
        let line = format!(
            "{} = {} ({}; {})",
            r.criterion,
            r.level,
            r.stage.words(rubric),
            r.source
        );
        text.push('\n');
        text.push_str(&wrap(&line, 86).replace('\n', "\n    "));
    }
    out.push_str(&toml_text::comment(&text));
}

/// The milestones read from the text, or the raw text for a person.
fn milestones(out: &mut String, c: &Commitment) {
    match &c.milestones {
        Milestones::None => {}
        Milestones::Read { layout, items } => {
            out.push_str(&toml_text::comment(&format!(
                "Milestones read from the action plan's text ({}): titles as written.",
                layout.words()
            )));
            for (n, m) in items.iter().enumerate() {
                out.push_str("\n[[commitment.milestone]]\n");
                let _ = writeln!(
                    out,
                    "id = {}",
                    toml_text::basic(&format!("{}.{}", c.id, n + 1))
                );
                let _ = writeln!(out, "title = {}", toml_text::basic(&m.title));
                let due_day = m.due.as_ref().and_then(|d| d.date);
                if let Some(start) = &m.start {
                    match start.date {
                        // plan.toml's milestone `start` may not be after its `due`.
                        Some(d) if due_day.is_none_or(|due| d <= due) => {
                            let _ = writeln!(out, "start = {d}    # {}", when_words(start));
                        }
                        Some(d) => out.push_str(&toml_text::comment(&format!(
                            "start: {d}, from {}; after the due date, so not written as `start` (check both dates)",
                            when_words(start)
                        ))),
                        None => out.push_str(&toml_text::comment(&format!(
                            "start: {} (write the start date here if you know it)",
                            when_words(start)
                        ))),
                    }
                }
                if let Some(due) = &m.due {
                    match due.date {
                        Some(d) => {
                            let _ = writeln!(out, "due = {d}    # {}", when_words(due));
                        }
                        None => out.push_str(&toml_text::comment(&format!(
                            "due: {} (write the due date here if you know it)",
                            when_words(due)
                        ))),
                    }
                }
            }
        }
        Milestones::Unsure { raw, why } => {
            let mut text = format!(
                "Milestones: the action plan's text has a milestone heading, but its milestones could not be read with confidence ({why}). Turn the text below into [[commitment.milestone]] tables (id, title, due)."
            );
            text = wrap(&text, 88);
            let lines: Vec<&str> = raw.lines().collect();
            for line in lines.iter().take(RAW_LINES) {
                text.push_str("\n  | ");
                text.push_str(line.trim_end());
            }
            if lines.len() > RAW_LINES {
                text.push_str(&format!(
                    "\n  | … ({} more lines: see the action plan)",
                    lines.len() - RAW_LINES
                ));
            }
            out.push_str(&toml_text::comment(&text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_comments_are_wrapped() {
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(wrap("", 9), "");
    }
}
