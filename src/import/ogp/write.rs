//! The text of the two files an import writes: plan.toml, with comments for the person who
//! will edit it, and the long-form score file of the IRM's ratings.

use std::fmt::Write as _;
use std::path::Path;

use super::convert::{Commitment, Rating};
use super::{ActionPlan, Round, Rubric, Table, is_marker};
use crate::import::toml_text;

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
        let _ = w.write_record([
            "irm",
            r.commitment.as_str(),
            "",
            r.criterion,
            r.level,
            r.evidence.as_str(),
            r.comment.as_str(),
        ]);
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

pub(super) fn plan_text(
    plan: &ActionPlan,
    commitments: &[Commitment],
    round: Round,
    table: &Table,
) -> String {
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
    // The span of every date of its commitments (a commitment may give only a start or only
    // an end, so the earliest start alone could fall after the latest end).
    let all_dates = || {
        commitments
            .iter()
            .flat_map(|c| [c.start.as_ref(), c.end.as_ref()])
            .flatten()
            .map(|d| d.0)
    };
    let (first, last) = (all_dates().min(), all_dates().max());
    let round_words = match round {
        Round::Latest => {
            "Completion: for each commitment, the latest IRM rating present (end of term,\nelse progress report)."
        }
        Round::Progress => {
            "Completion: the IRM's progress-report (mid-term) ratings (--round progress)."
        }
        Round::EndOfTerm => "Completion: the IRM's end-of-term ratings (--round end-of-term).",
    };
    out.push_str(&toml_text::comment(&format!(
        "This folder holds:
  plan.toml       this file: the action plan's {n} commitments, as OGP lists them
  scores/irm.csv  the IRM's official ratings, as evaluator `irm`, on the rubric
                  {rubric}; each row cites the commitment's page on OGP's website
                  as evidence.
{round_words}

The commitments have no milestones: the IRM rates each commitment as a whole. You may
add [[commitment.milestone]] tables under a commitment (see docs/formats.md).

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
    if let Some(s) = first {
        let _ = writeln!(out, "start = {s}    # the earliest date of its commitments");
    }
    if let Some(e) = last {
        let _ = writeln!(out, "end = {e}      # the latest date of its commitments");
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
    out.push_str("scores = [\"scores/*.csv\"]\n");
    let example = last.map_or_else(|| "2018-06-30".to_string(), |d| d.to_string());
    out.push_str(&toml_text::comment(&format!(
        "as_of = {example}    # the date of your review: milestones due before it are checked\n                      # for delays (without it, today's date is used)"
    )));
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
    for c in commitments {
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
    }
    out
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
