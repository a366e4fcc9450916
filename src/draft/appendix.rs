//! The appendix's two long parts, written by filters in Rust: the rows of its table of
//! ratings (`rating_rows`) and its list of disagreements, flags and evaluators missing
//! (`disagreement_list`). Each is one line of the built-in template instead of a loop over
//! `commitments` that read a handful of fields of every commitment through MiniJinja's
//! values: at OGP's size (5,000 commitments) those two loops were a third of the appendix's
//! work. They write byte for byte what the built-in template's loops wrote (kept in
//! docs/templates.md, section 5), so a template exported before them, which still has the
//! loops, gives the same draft.
//!
//! Each filter walks the commitments as a template loop does: through the draft's list
//! (`commitments`), taking each commitment's parts kept from the last walk and keeping them
//! again for the next ([`super::kept`]), or through any list of its items
//! (`commitments | reverse`).

use minijinja::value::Value;
use minijinja::{Error, ErrorKind};

use super::context::CommitmentParts;
use super::filters::{cell, number, push_joiner, strip_period, text_of};
use crate::wording::Wording;

/// Calls `each` with every commitment of `commitments` (the draft's list, or a list of its
/// items), in order.
fn walk(
    name: &str,
    commitments: &Value,
    mut each: impl FnMut(&CommitmentParts) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Some(list) = commitments.downcast_object_ref::<super::Commitments>() {
        for i in 0..list.all.len() {
            let parts = match &list.kept {
                Some(kept) => kept.take(&list.all, i),
                None => list.all.get(i),
            };
            let Some(parts) = parts else { continue };
            each(&parts)?;
            if let Some(kept) = &list.kept {
                kept.keep(parts);
            }
        }
        return Ok(());
    }
    let not_commitments = || {
        Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{name} writes the draft's commitments: give it `commitments` (or a list of its items), as in `{{{{ commitments | {name} }}}}`"
            ),
        )
    };
    for item in commitments.try_iter().map_err(|_| not_commitments())? {
        let parts = item
            .downcast_object_ref::<super::CommitmentValue>()
            .and_then(|c| c.cx.as_ref())
            .ok_or_else(not_commitments)?;
        each(parts)?;
    }
    Ok(())
}

/// `t(key)` with no values.
fn text(wording: &Wording, key: &str) -> Result<String, Error> {
    Ok(wording.fill(text_of(wording, key, None)?, &[] as &[(&str, &str)]))
}

/// A value the template tested with `if`: text that is there and not empty.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.is_empty())
}

/// `{{ commitments | rating_rows }}`: one row of the appendix's table per commitment, each
/// written as the built-in template's loop wrote it:
///
/// ```text
/// | {{ (c.id ~ ". " ~ (c.title | strip_period)) | cell }} | {{ (c.rating or t("no_evidence")) | lv }}{{ " ★" if c.stars }} |
///   {% if rubric.rating_from == "score" %} {{ c.score | number if c.score is not none else "–" }} |{% endif %}
///   {% if rubric.completion %} {{ (c.completion.level | lv) if c.completion and c.completion.level else "–" }} |{% endif %}
///   {% if rubric.results %} {{ (c.results.level | lv(rubric.results)) if c.results and c.results.level else "–" }} |{% endif %}
///   {% for e in references %} (the level of `c.references`' last item with `r.evaluator == e.id and
///   r.criterion == rubric.completion`, in words, else "–") |{% endfor %}
///   {{ t("yes") if c.overdue else t("no") }} |
/// ```
///
/// The rows are joined by line breaks, with none after the last (the template's line gives it).
pub(super) fn rating_rows(wording: &Wording, commitments: &Value) -> Result<String, Error> {
    let no_evidence = text(wording, "no_evidence")?;
    let yes = text(wording, "yes")?;
    let no = text(wording, "no")?;
    let mut out = String::new();
    let mut first = String::new();
    walk("rating_rows", commitments, |c| {
        if !out.is_empty() {
            out.push('\n');
        }
        let rubric = c.rubric();
        first.clear();
        first.push_str(&c.out.id);
        first.push_str(". ");
        first.push_str(&strip_period(&c.out.title));
        out.push_str("| ");
        out.push_str(&cell(&first));
        out.push_str(" | ");
        let rating = given(&c.out.rating).unwrap_or(&no_evidence);
        out.push_str(wording.label_of(rating, None));
        if !c.stars().is_empty() {
            out.push_str(" ★");
        }
        out.push_str(" |");
        if rubric.info.rating_from == "score" {
            out.push(' ');
            match c.out.score {
                Some(score) => {
                    out.push_str(&wording.number(&number(crate::results::round4(score), None)))
                }
                None => out.push('–'),
            }
            out.push_str(" |");
        }
        if let Some(k) = given(&rubric.completion) {
            out.push(' ');
            match given(&c.level(k)) {
                Some(level) => out.push_str(wording.label_of(level, None)),
                None => out.push('–'),
            }
            out.push_str(" |");
        }
        if let Some(k) = given(&rubric.results) {
            out.push(' ');
            match given(&c.level(k)) {
                Some(level) => out.push_str(wording.label_of(level, Some(k))),
                None => out.push('–'),
            }
            out.push_str(" |");
        }
        for e in c.reference_ids() {
            let mut shown: Option<Option<String>> = None;
            for (evaluator, (criterion, level)) in c.compared() {
                if evaluator == e && criterion == rubric.completion {
                    shown = Some(level);
                }
            }
            out.push(' ');
            match shown.as_ref().and_then(given) {
                Some(level) => out.push_str(wording.label_of(level, None)),
                None => out.push('–'),
            }
            out.push_str(" |");
        }
        out.push(' ');
        out.push_str(if c.out.overdue { &yes } else { &no });
        out.push_str(" |");
        Ok(())
    })?;
    Ok(out)
}

/// `{{ commitments | disagreement_list }}`: for each commitment with disagreements, flags or
/// coalition evaluators who did not rate it, its title in bold and a line for each, as the
/// built-in template's loop wrote them:
///
/// ```text
/// {% for c in commitments %}{% if c.disagreements or c.flags or c.missing_evaluators %}
/// **{{ t("commitment", id=c.id, title=c.title | strip_period) }}**
///
/// {% if c.flags %}
/// - {{ t("flags", list=c.flag_names | map("lv") | and_list) }}
/// {% endif %}
/// {% if c.disagreements %}
/// - {{ t("disagreements") }} {% for d in c.disagreements %}{{ t("disagreement", criterion=d.name | lv,
///   where=(t("on", id=d.milestone) if d.milestone else ""), levels=d.by_evaluator | level_list) }}{{ " " if not loop.last }}{% endfor %}
///
/// {% endif %}
/// {% if c.missing_evaluators %}
/// - {{ t("not_rated_by", list=c.missing_evaluators | and_list) }}
/// {% endif %}
///
/// {% endif %}{% endfor %}
/// ```
pub(super) fn disagreement_list(wording: &Wording, commitments: &Value) -> Result<String, Error> {
    let commitment = text_of(wording, "commitment", None)?;
    let flags = text_of(wording, "flags", None)?;
    let heading = text(wording, "disagreements")?;
    let disagreement = text_of(wording, "disagreement", None)?;
    let on = text_of(wording, "on", None)?;
    let no_rating = text(wording, "no_rating")?;
    let not_rated_by = text_of(wording, "not_rated_by", None)?;
    let and = wording.and.as_str();
    let and_joiner = format!(" {and} ");
    let mut out = String::new();
    let mut list = String::new();
    let mut said = String::new();
    walk("disagreement_list", commitments, |c| {
        // The disagreements' line, after `- {t("disagreements")} `: each one's sentence.
        said.clear();
        let mut disagreements = 0;
        c.each_disagreement(|id, milestone, _| {
            if disagreements > 0 {
                said.push(' ');
            }
            disagreements += 1;
            let place = match milestone
                .map(|mi| c.milestone_id(mi))
                .filter(|m| !m.is_empty())
            {
                Some(id) => wording.fill(on, &[("id", id)]),
                None => String::new(),
            };
            // What `level_list` writes of the disagreement's `by_evaluator`: `, ` before each
            // level but the first, the one before the last made ` and ` when all are written.
            list.clear();
            let mut last_joiner = None;
            c.levels_with(milestone, id, |_, who, level| {
                if !list.is_empty() {
                    last_joiner = Some(list.len());
                    list.push_str(", ");
                }
                let level = level.filter(|l| !l.is_empty()).unwrap_or(&no_rating);
                list.push_str(wording.label_of(level, None));
                list.push_str(" (");
                list.push_str(who);
                list.push(')');
            });
            if let Some(at) = last_joiner {
                list.replace_range(at..at + 2, &and_joiner);
            }
            let name = c.criterion_name(id);
            said.push_str(&wording.fill(
                disagreement,
                &[
                    ("criterion", wording.label_of(&name, None)),
                    ("where", place.as_str()),
                    ("levels", list.as_str()),
                ],
            ));
        });
        let missing = c.missing_evaluators();
        if disagreements == 0 && c.out.flags.is_empty() && missing.is_empty() {
            return Ok(());
        }
        out.push_str("**");
        let title = strip_period(&c.out.title);
        out.push_str(&wording.fill(
            commitment,
            &[("id", c.out.id.as_str()), ("title", title.as_str())],
        ));
        out.push_str("**\n\n");
        if !c.out.flags.is_empty() {
            let names = c.flag_names();
            list.clear();
            for (i, name) in names.iter().enumerate() {
                push_joiner(&mut list, i, names.len(), and);
                list.push_str(wording.label_of(name, None));
            }
            out.push_str("- ");
            out.push_str(&wording.fill(flags, &[("list", list.as_str())]));
            out.push('\n');
        }
        if disagreements > 0 {
            out.push_str("- ");
            out.push_str(&heading);
            out.push(' ');
            out.push_str(&said);
            out.push('\n');
        }
        if !missing.is_empty() {
            list.clear();
            for (i, who) in missing.iter().enumerate() {
                push_joiner(&mut list, i, missing.len(), and);
                list.push_str(who);
            }
            out.push_str("- ");
            out.push_str(&wording.fill(not_rated_by, &[("list", list.as_str())]));
            out.push('\n');
        }
        out.push('\n');
        Ok(())
    })?;
    Ok(out)
}
