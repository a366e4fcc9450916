//! The HTML document: header, key figures, the charts, an overview table, one card per
//! commitment, and the notes on method, with an inline stylesheet for screen and A4 print.
//!
//! The page loads nothing: no script, font, image or style sheet from anywhere, which its
//! Content-Security-Policy (`default-src 'none'`) also enforces. Drill-down uses `<details>`,
//! which works without JavaScript; when printing, closed sections are printed open.

use super::charts::{self, Fill, TimelineMilestone};
use super::html::{esc, linkify, push_escaped};
use super::svg::{Chart, DataTable, text_on};
use super::{Context, Tr, level_label};
use crate::results::{CommitmentOut, CriterionOut, NoteOut};
use crate::wording::fill_with;

use std::io::Write;

/// The report's text of `key`, escaped, with `{placeholders}` filled by `args`, which are
/// HTML already (escape user text before passing it).
fn h(tr: &Tr, key: &str, args: &[(&str, String)]) -> String {
    fill_with(&text(tr.text(key)), args)
}

/// The report's text of `key`, escaped.
fn e(tr: &Tr, key: &str) -> String {
    text(tr.text(key))
}

/// Wording escaped for a text node or a double-quoted attribute (where `'` is safe, and
/// kept as it is so that the page reads as the wording file does).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    push_escaped(&mut out, s, "'");
    out
}

/// Writes `out` into `w` and empties it.
fn flush(w: &mut dyn Write, out: &mut String) -> std::io::Result<()> {
    w.write_all(out.as_bytes())?;
    out.clear();
    Ok(())
}

/// The page up to the first commitment's card: header, key figures, the charts, the overview
/// of `rows` (every commitment's results, with at least what the overview shows) and the
/// cards' heading, written into `w` as they are made.
pub(crate) fn write_head(
    w: &mut dyn Write,
    cx: &Context<'_>,
    charts: &[Chart],
    rows: &[CommitmentOut],
) -> std::io::Result<()> {
    let r = &cx.results;
    let tr = &cx.tr;
    let title = format!("{} — {}", r.plan.country, r.plan.title);
    let mut out = String::with_capacity(256 * 1024);
    put!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n",
        esc(tr.code())
    );
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"color-scheme\" content=\"light\">\n");
    put!(
        out,
        "<meta name=\"generator\" content=\"{}\">\n",
        esc(&r.generator)
    );
    put!(
        out,
        "<title>{}</title>\n",
        h(tr, "page_title", &[("title", esc(&title))])
    );
    out.push_str("<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    put!(
        out,
        "<a class=\"skip\" href=\"#commitments\">{}</a>\n",
        e(tr, "skip")
    );
    header(&mut out, cx);
    out.push_str("<main>\n");
    contents(&mut out, cx, charts);
    key_figures(&mut out, cx);
    let find = |name: &str| charts.iter().find(|c| c.name == name);
    // Progress.
    put!(
        out,
        "<section id=\"progress\" aria-labelledby=\"progress-h\">\n<h2 id=\"progress-h\">{}</h2>\n",
        e(tr, "progress")
    );
    if let Some(c) = find("completion") {
        flush(w, &mut out)?;
        c.write_figure(w, tr, "", None)?;
    }
    if let Some(c) = find("ratings") {
        let note = if r.rubric.rating_from == "score" {
            e(tr, "note_ratings_score")
        } else {
            String::new()
        };
        flush(w, &mut out)?;
        c.write_figure(w, tr, &note, None)?;
    }
    if let Some(c) = find("quadrant") {
        flush(w, &mut out)?;
        c.write_figure(w, tr, &e(tr, "note_quadrant"), None)?;
    }
    out.push_str("</section>\n");
    // Reference.
    let refs: Vec<&Chart> = charts
        .iter()
        .filter(|c| c.name.starts_with("reference"))
        .collect();
    if !refs.is_empty() {
        put!(
            out,
            "<section id=\"reference\" aria-labelledby=\"reference-h\">\n<h2 id=\"reference-h\">{}</h2>\n",
            h(tr, "beside", &[("who", esc(&cx.references_in_sentence()))])
        );
        put!(
            out,
            "<p>{}</p>\n",
            h(
                tr,
                "beside_intro",
                &[
                    ("who", esc(&cx.references_in_sentence())),
                    ("n", tr.int(r.summary.differs_from_reference.len())),
                    ("total", tr.int(r.summary.commitments)),
                ]
            )
        );
        for c in refs {
            flush(w, &mut out)?;
            c.write_figure(w, tr, "", None)?;
        }
        out.push_str("</section>\n");
    }
    // Evaluators.
    put!(
        out,
        "<section id=\"evaluators\" aria-labelledby=\"evaluators-h\">\n<h2 id=\"evaluators-h\">{}</h2>\n",
        e(tr, "evaluators")
    );
    if let Some(c) = find("heatmap") {
        flush(w, &mut out)?;
        c.write_figure(w, tr, &e(tr, "note_heatmap"), None)?;
    }
    if let Some(c) = find("agreement") {
        let note = h(
            tr,
            "note_agreement",
            &[
                ("n", tr.int(cx.combined.len())),
                ("reliable", tr.alpha(0.8)),
                ("tentative", tr.alpha(0.667)),
                ("resamples", tr.int(cx.resamples)),
                ("seed", super::agreement::SEED.to_string()),
                ("command", "<code>checkmyogp agreement</code>".to_string()),
            ],
        );
        flush(w, &mut out)?;
        c.write_figure(w, tr, &note, None)?;
    }
    out.push_str("</section>\n");
    overview(w, &mut out, cx, rows)?;
    // Cards.
    put!(
        out,
        "<section id=\"commitments\" aria-labelledby=\"commitments-h\">\n<h2 id=\"commitments-h\">{}</h2>\n",
        e(tr, "one_by_one")
    );
    if rows.is_empty() {
        put!(out, "<p>{}</p>\n", e(tr, "no_commitments"));
    }
    flush(w, &mut out)
}

/// The page after the last commitment's card.
pub(crate) fn write_tail(w: &mut dyn Write, cx: &Context<'_>) -> std::io::Result<()> {
    let mut out = String::from("</section>\n");
    about(&mut out, cx);
    out.push_str("</main>\n</body>\n</html>\n");
    flush(w, &mut out)
}

fn header(out: &mut String, cx: &Context<'_>) {
    let r = &cx.results;
    let tr = &cx.tr;
    out.push_str("<header class=\"top\">\n");
    put!(
        out,
        "<p class=\"kicker\">{} · {}</p>\n<h1>{} <span class=\"plan-title\">{}</span></h1>\n",
        e(tr, "kicker"),
        esc(&r.plan.country),
        esc(&r.plan.country),
        esc(&r.plan.title)
    );
    out.push_str("<dl class=\"meta\">\n");
    let mut fact = |k: String, v: String| {
        let wide = if v.starts_with("<ul") {
            " class=\"wide\""
        } else {
            ""
        };
        put!(out, "<div{wide}><dt>{k}</dt><dd>{v}</dd></div>\n");
    };
    if let Some(org) = &r.plan.organisation {
        fact(e(tr, "prepared_by"), esc(org));
    }
    let date = |d: &str| esc(&tr.date(d));
    match (&r.plan.start, &r.plan.end) {
        (Some(s), Some(end)) => fact(
            e(tr, "plan_period"),
            h(tr, "from_to", &[("from", date(s)), ("to", date(end))]),
        ),
        (Some(s), None) => fact(
            e(tr, "plan_period"),
            h(tr, "from_date", &[("date", date(s))]),
        ),
        (None, Some(end)) => fact(
            e(tr, "plan_period"),
            h(tr, "until_date", &[("date", date(end))]),
        ),
        (None, None) => {}
    }
    fact(
        e(tr, "as_of"),
        format!(
            "<time datetime=\"{}\">{}</time>",
            esc(&r.as_of),
            date(&r.as_of)
        ),
    );
    fact(
        e(tr, "rubric"),
        format!(
            "{} <span class=\"muted\">({}, {})</span>",
            esc(&tr.lv(&r.rubric.name)),
            esc(&r.rubric.id),
            if r.rubric.origin == "built-in" {
                e(tr, "built_in")
            } else {
                esc(&r.rubric.origin)
            }
        ),
    );
    let who = |reference: bool| -> String {
        let list: Vec<String> = r
            .evaluators
            .iter()
            .filter(|e| e.reference == reference)
            .map(|e| {
                let mut detail: Vec<&str> = e.name.as_deref().into_iter().collect();
                if let Some(org) = e.organisation.as_deref()
                    && !detail.iter().any(|d| d.contains(org) || org.contains(d))
                {
                    detail.push(org);
                }
                if detail.is_empty() {
                    format!("<li><b>{}</b></li>", esc(&e.id))
                } else {
                    format!(
                        "<li><b>{}</b>: {}</li>",
                        esc(&e.id),
                        esc(&detail.join(", "))
                    )
                }
            })
            .collect();
        if list.is_empty() {
            String::new()
        } else {
            format!("<ul class=\"people\">{}</ul>", list.concat())
        }
    };
    let combined = who(false);
    fact(
        e(tr, "evaluators_fact"),
        if combined.is_empty() {
            e(tr, "none")
        } else {
            combined
        },
    );
    let reference = who(true);
    if !reference.is_empty() {
        fact(e(tr, "reference_fact"), reference);
    }
    out.push_str("</dl>\n");
    put!(out, "<p class=\"disclaimer\">{}</p>\n", e(tr, "disclaimer"));
    out.push_str("</header>\n");
}

fn contents(out: &mut String, cx: &Context<'_>, charts: &[Chart]) {
    let tr = &cx.tr;
    put!(
        out,
        "<nav class=\"toc\" aria-label=\"{}\"><ul>\n<li><a href=\"#glance\">{}</a></li>\n<li><a href=\"#progress\">{}</a></li>\n",
        e(tr, "contents"),
        e(tr, "glance"),
        e(tr, "progress")
    );
    if charts.iter().any(|c| c.name.starts_with("reference")) {
        put!(
            out,
            "<li><a href=\"#reference\">{}</a></li>\n",
            h(
                tr,
                "nav_beside",
                &[("who", esc(&cx.references_in_sentence()))]
            )
        );
    }
    put!(
        out,
        "<li><a href=\"#evaluators\">{}</a></li>\n<li><a href=\"#overview\">{}</a></li>\n",
        e(tr, "nav_agreement"),
        e(tr, "all_commitments")
    );
    put!(
        out,
        "<li><a href=\"#commitments\">{} ({})</a></li>\n<li><a href=\"#about\">{}</a></li>\n</ul></nav>\n",
        e(tr, "nav_one_by_one"),
        tr.int(cx.results.summary.commitments),
        e(tr, "about")
    );
}

fn key_figures(out: &mut String, cx: &Context<'_>) {
    let s = &cx.results.summary;
    let tr = &cx.tr;
    let n = s.commitments;
    let share = |k: usize| {
        if n == 0 {
            "–".to_string()
        } else {
            tr.pct(k as f64 / n as f64)
        }
    };
    put!(
        out,
        "<section id=\"glance\" aria-labelledby=\"glance-h\">\n<h2 id=\"glance-h\">{}</h2>\n<ul class=\"tiles\">\n",
        e(tr, "glance")
    );
    let mut tile = |value: String, label: String| {
        put!(
            out,
            "<li class=\"tile\"><span class=\"value\">{value}</span> <span class=\"label\">{label}</span></li>\n"
        );
    };
    tile(
        tr.int(n),
        if s.milestones == 0 {
            esc(&tr.n("tile_commitments", n, &[]))
        } else {
            esc(&tr.n(
                "tile_commitments_milestones",
                n,
                &[("milestones", &tr.int(s.milestones))],
            ))
        },
    );
    if let Some(m) = s.mean_score {
        tile(tr.num(m), e(tr, "tile_mean_score"));
    }
    if let Some(h) = &s.high_completion {
        tile(
            tr.pct(h.share),
            esc(&tr.f(
                "tile_high_completion",
                &[("count", &tr.int(h.count)), ("of", &tr.int(n))],
            )),
        );
    }
    for (id, count) in &s.stars {
        tile(
            tr.int(*count),
            format!(
                "<span aria-hidden=\"true\">★</span> {}",
                esc(&cx.flag_name(id))
            ),
        );
    }
    let overdue = s.overdue_commitments.len();
    tile(
        tr.int(overdue),
        if s.milestones == 0 {
            esc(&tr.n("tile_overdue", overdue, &[("share", &share(overdue))]))
        } else {
            esc(&tr.n(
                "tile_overdue_milestones",
                overdue,
                &[
                    ("share", &share(overdue)),
                    ("milestones", &tr.int(s.overdue_milestones.len())),
                ],
            ))
        },
    );
    tile(
        tr.int(s.disagreements.len()),
        esc(&tr.n("tile_disagree", s.disagreements.len(), &[])),
    );
    tile(
        tr.int(s.unsupported.len()),
        esc(&tr.n("tile_unsupported", s.unsupported.len(), &[])),
    );
    if !cx.references.is_empty() {
        tile(
            tr.int(s.differs_from_reference.len()),
            esc(&tr.n(
                "tile_differs",
                s.differs_from_reference.len(),
                &[("who", &cx.references_in_sentence())],
            )),
        );
    }
    out.push_str("</ul>\n");
    if let Some(line) = super::high_completion_line(cx) {
        put!(out, "<p>{}</p>\n", esc(&line));
    }
    out.push_str("</section>\n");
}

/// A rating as a badge: the label on its colour.
fn rating_badge(cx: &Context<'_>, rating: Option<&str>) -> String {
    let n = cx.results.rubric.ratings.len();
    match rating.and_then(|r| cx.rating_index(r).map(|i| (r, i))) {
        Some((label, i)) => {
            let fill = charts_fill(Fill::Level(i, n));
            format!(
                "<span class=\"badge\" style=\"background:{fill};color:{}\">{}</span>",
                text_on(&fill),
                esc(&level_label(&cx.tr, label, None))
            )
        }
        None => format!(
            "<span class=\"badge none\">{}</span>",
            esc(&rating.map_or_else(|| cx.tr.t("no_evidence"), |r| level_label(&cx.tr, r, None)))
        ),
    }
}

fn charts_fill(f: Fill) -> String {
    match f {
        Fill::Level(i, n) => super::svg::level_fill(i, n),
        Fill::Category(i) => super::svg::category_fill(i).to_string(),
        Fill::None => super::svg::NONE_FILL.to_string(),
    }
}

/// What needs attention, as short phrases.
fn marks(cx: &Context<'_>, c: &CommitmentOut) -> Vec<String> {
    let tr = &cx.tr;
    let mut m = Vec::new();
    if c.overdue {
        m.push(match c.overdue_milestones {
            0 => tr.t("mark_overdue"),
            k => tr.n("mark_overdue_milestones", k, &[]),
        });
    }
    if c.disagreement {
        m.push(tr.t("mark_disagree"));
    }
    if c.unsupported {
        // Criteria by their names, as the language writes them ("published evidence").
        let names: Vec<String> = c
            .unsupported_criteria
            .iter()
            .map(|id| {
                cx.rubric
                    .criteria
                    .iter()
                    .find(|k| &k.id == id)
                    .map_or_else(|| id.clone(), |k| tr.lv(&k.name).to_lowercase())
            })
            .collect();
        m.push(tr.f("mark_unsupported", &[("list", &tr.list(&names))]));
    }
    if !c.missing_evaluators.is_empty() {
        m.push(tr.f(
            "mark_not_rated_by",
            &[("list", &c.missing_evaluators.join(", "))],
        ));
    }
    m
}

fn flag_list(cx: &Context<'_>, c: &CommitmentOut) -> Vec<String> {
    cx.results
        .rubric
        .flags
        .iter()
        .filter(|f| c.flags.contains(&f.id))
        .map(|f| {
            if f.star {
                format!("★ {}", cx.tr.lv(&f.name))
            } else {
                cx.tr.lv(&f.name)
            }
        })
        .collect()
}

fn overview(
    w: &mut dyn Write,
    out: &mut String,
    cx: &Context<'_>,
    rows: &[CommitmentOut],
) -> std::io::Result<()> {
    let tr = &cx.tr;
    let main = cx.main.and_then(|k| cx.rubric.criteria.get(k));
    put!(
        out,
        "<section id=\"overview\" aria-labelledby=\"overview-h\">\n<h2 id=\"overview-h\">{}</h2>\n<div class=\"scroll\"><table class=\"overview\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>",
        e(tr, "all_commitments"),
        e(tr, "col_id"),
        e(tr, "col_commitment"),
        e(tr, "col_rating"),
        e(tr, "col_score"),
    );
    if let Some(m) = main {
        put!(out, "<th scope=\"col\">{}</th>", esc(&tr.lv(&m.name)));
    }
    for who in &cx.references {
        put!(
            out,
            "<th scope=\"col\">{}</th>",
            h(tr, "col_who_rating", &[("who", esc(&cx.label(who)))])
        );
    }
    put!(
        out,
        "<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        e(tr, "col_flags"),
        e(tr, "col_attention")
    );
    for (i, c) in rows.iter().enumerate() {
        if out.len() >= 1 << 16 {
            flush(w, out)?;
        }
        put!(
            out,
            "<tr><th scope=\"row\"><a href=\"#c{}\">{}</a></th><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
            i + 1,
            esc(&c.id),
            esc(&c.title),
            rating_badge(cx, c.rating.as_deref()),
            c.score.map_or_else(|| "–".to_string(), |x| tr.num(x))
        );
        if let Some(m) = main {
            put!(
                out,
                "<td>{}</td>",
                esc(&level_or_none(
                    tr,
                    c.criteria.get(&m.id).and_then(|x| x.level.as_deref()),
                    Some(&m.id)
                ))
            );
        }
        for who in &cx.references {
            put!(out, "<td>{}</td>", esc(&reference_text(cx, c, who)));
        }
        put!(
            out,
            "<td>{}</td><td>{}</td></tr>\n",
            esc(&flag_list(cx, c).join(", ")),
            esc(&marks(cx, c).join(&tr.t("semicolon")))
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
    Ok(())
}

/// A level as the language writes it, or "No evidence".
fn level_or_none(tr: &Tr, level: Option<&str>, criterion: Option<&str>) -> String {
    level.map_or_else(|| tr.t("no_evidence"), |l| level_label(tr, l, criterion))
}

fn reference_text(cx: &Context<'_>, c: &CommitmentOut, who: &str) -> String {
    let tr = &cx.tr;
    match c.reference.get(who) {
        Some(v) => {
            let (k, theirs, _) = cx.compared(c, v);
            let rating = level_or_none(tr, theirs, k);
            if v.differs {
                tr.f("rating_differs", &[("rating", &rating)])
            } else {
                rating
            }
        }
        None => tr.t("not_rated"),
    }
}

/// One commitment's card.
pub(crate) fn card(out: &mut String, cx: &Context<'_>, index: usize, c: &CommitmentOut) {
    let r = &cx.results;
    let tr = &cx.tr;
    let anchor = format!("c{}", index + 1);
    put!(
        out,
        "<article class=\"card\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n<header><h3 id=\"{anchor}-h\"><span class=\"cid\">{}</span> {}</h3>\n",
        esc(&c.id),
        esc(&c.title)
    );
    let mut sub = Vec::new();
    if let Some(lead) = &c.lead {
        sub.push(h(tr, "lead", &[("lead", esc(lead))]));
    }
    if let Some(ogp) = &c.ogp_id {
        sub.push(h(tr, "ogp_id", &[("id", esc(ogp))]));
    }
    let date = |d: &str| esc(&tr.date(d));
    match (&c.start, &c.end) {
        (Some(s), Some(end)) => sub.push(h(tr, "from_to", &[("from", date(s)), ("to", date(end))])),
        (None, Some(end)) => sub.push(h(tr, "ends", &[("date", date(end))])),
        _ => {}
    }
    if !sub.is_empty() {
        put!(out, "<p class=\"sub\">{}</p>\n", sub.join(" · "));
    }
    out.push_str("</header>\n<dl class=\"facts\">\n");
    put!(
        out,
        "<div><dt>{}</dt><dd>{}</dd></div>\n",
        e(tr, "rating"),
        rating_badge(cx, c.rating.as_deref())
    );
    if let Some(score) = c.score {
        put!(
            out,
            "<div><dt>{}</dt><dd>{} <span class=\"muted\">/ 100</span> <span class=\"meter\" aria-hidden=\"true\"><span style=\"width:{:.1}%\"></span></span></dd></div>\n",
            e(tr, "score"),
            tr.num(score),
            score.clamp(0.0, 100.0)
        );
    } else {
        put!(out, "<div><dt>{}</dt><dd>–</dd></div>\n", e(tr, "score"));
    }
    for crit in r.rubric.criteria.iter().filter(|k| k.key) {
        let level = c.criteria.get(&crit.id).and_then(|x| x.level.as_deref());
        put!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>\n",
            esc(&tr.lv(&crit.name)),
            esc(&level_or_none(tr, level, Some(&crit.id)))
        );
    }
    for who in &cx.references {
        put!(
            out,
            "<div><dt>{} <span class=\"muted\">({})</span></dt><dd>{}</dd></div>\n",
            esc(&cx.label(who)),
            e(tr, "reference"),
            reference_html(cx, c, who)
        );
    }
    out.push_str("</dl>\n");
    let m = marks(cx, c);
    if !m.is_empty() {
        put!(
            out,
            "<ul class=\"marks\" aria-label=\"{}\">",
            e(tr, "aria_attention")
        );
        for mark in &m {
            put!(
                out,
                "<li><span aria-hidden=\"true\">⚠</span> {}</li>",
                esc(mark)
            );
        }
        out.push_str("</ul>\n");
    }
    flags(out, cx, c);
    milestones(out, cx, index, c);
    criteria_table(out, cx, c);
    notes(out, tr, c);
    about_commitment(out, tr, c);
    out.push_str("</article>\n");
}

fn reference_html(cx: &Context<'_>, c: &CommitmentOut, who: &str) -> String {
    match c.reference.get(who) {
        Some(v) => {
            let (k, theirs, ours) = cx.compared(c, v);
            let badge = match k {
                None => rating_badge(cx, theirs),
                Some(_) => format!(
                    "<span class=\"badge none\">{}</span>",
                    esc(&level_or_none(&cx.tr, theirs, k))
                ),
            };
            if v.differs {
                format!(
                    "{badge} {}",
                    h(
                        &cx.tr,
                        "card_differs",
                        &[("rating", esc(&level_or_none(&cx.tr, ours, k)))]
                    )
                    .replacen("**", "<strong>", 1)
                    .replacen("**", "</strong>", 1)
                )
            } else {
                format!("{badge} {}", e(&cx.tr, "card_same"))
            }
        }
        None => e(&cx.tr, "not_rated"),
    }
}

fn flags(out: &mut String, cx: &Context<'_>, c: &CommitmentOut) {
    let flags = &cx.results.rubric.flags;
    if flags.is_empty() {
        return;
    }
    put!(
        out,
        "<ul class=\"flags\" aria-label=\"{}\">\n",
        e(&cx.tr, "aria_flags")
    );
    for (fi, f) in flags.iter().enumerate() {
        let star = if f.star { "★ " } else { "" };
        let (class, sym) = if c.flags.contains(&f.id) {
            ("yes", "✓")
        } else {
            ("no", "✗")
        };
        put!(
            out,
            "<li class=\"{class}\"><span class=\"sym\" aria-hidden=\"true\">{sym}</span> {star}{}</li>\n",
            text(&super::words::flag_sentence_in(&cx.tr, cx.rubric, c, fi))
        );
    }
    out.push_str("</ul>\n");
}

fn level_text(tr: &Tr, v: Option<&Option<String>>, criterion: &str) -> String {
    match v {
        Some(Some(l)) => level_label(tr, l, Some(criterion)),
        Some(None) => tr.t("no_rating"),
        None => "–".into(),
    }
}

fn milestones(out: &mut String, cx: &Context<'_>, index: usize, c: &CommitmentOut) {
    let tr = &cx.tr;
    if c.milestones.is_empty() {
        // Plans without milestones (as OGP's database gives them) say nothing about them.
        if cx.results.summary.milestones > 0 {
            put!(out, "<p class=\"muted\">{}</p>\n", e(tr, "no_milestones"));
        }
        return;
    }
    let completion = cx.rubric.completion.and_then(|k| cx.rubric.criteria.get(k));
    let top = completion
        .and_then(|k| k.levels.last())
        .map(|l| l.label.as_str());
    let per_milestone = completion
        .filter(|k| k.scope == crate::model::Scope::Milestone)
        .map(|k| k.id.clone());
    let mut head = vec![tr.t("col_milestone"), tr.t("col_title"), tr.t("col_due")];
    if completion.is_some() {
        head.extend([
            completion.map_or_else(|| tr.t("col_completion"), |k| tr.lv(&k.name).to_lowercase()),
            tr.t("overdue"),
        ]);
    }
    if per_milestone.is_some() {
        head.extend(cx.combined.iter().cloned());
    }
    let mut table = DataTable {
        head,
        rows: Vec::new(),
    };
    let mut items = Vec::new();
    for m in &c.milestones {
        let mut row = vec![
            m.id.clone(),
            m.title.clone(),
            m.due.as_deref().map_or_else(|| "–".into(), |d| tr.date(d)),
        ];
        if completion.is_some() {
            row.push(level_or_none(
                tr,
                m.completion.as_deref(),
                completion.map(|k| k.id.as_str()),
            ));
            row.push(tr.t(if m.overdue { "yes" } else { "no" }));
        }
        if let Some(id) = &per_milestone {
            let by = m.criteria.get(id).and_then(|x| x.by_evaluator.as_ref());
            for ev in &cx.combined {
                row.push(level_text(tr, by.and_then(|b| b.get(ev)), id));
            }
        }
        table.rows.push(row);
        items.push(TimelineMilestone {
            id: m.id.clone(),
            title: m.title.clone(),
            due: m.due.clone(),
            completion: completion.map(|k| level_or_none(tr, m.completion.as_deref(), Some(&k.id))),
            done: top.is_some() && m.completion.as_deref() == top,
            overdue: m.overdue,
        });
    }
    let summary = tr.f("milestones_summary", &[("n", &tr.int(c.milestones.len()))]);
    let chart = charts::timeline(
        tr,
        &format!("timeline-{}", index + 1),
        &c.id,
        (
            c.start.as_deref().or(cx.results.plan.start.as_deref()),
            c.end.as_deref().or(cx.results.plan.end.as_deref()),
        ),
        &cx.results.as_of,
        &items,
        table.clone(),
    );
    match chart {
        Some(chart) => out.push_str(&chart.figure(tr, "", Some(&summary))),
        None => put!(
            out,
            "<details class=\"data\"><summary>{}</summary>{}</details>\n",
            esc(&summary),
            table.html("")
        ),
    }
}

fn criteria_table(out: &mut String, cx: &Context<'_>, c: &CommitmentOut) {
    let r = &cx.results;
    let tr = &cx.tr;
    put!(
        out,
        "<details class=\"drill\"><summary>{}</summary>\n<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>",
        h(
            tr,
            "criteria_summary",
            &[("n", tr.int(r.rubric.criteria.len()))]
        ),
        e(tr, "col_criterion"),
        e(tr, "combined")
    );
    for ev in &cx.combined {
        put!(out, "<th scope=\"col\">{}</th>", esc(ev));
    }
    for ev in &cx.references {
        put!(
            out,
            "<th scope=\"col\">{} ({})</th>",
            esc(&cx.label(ev)),
            e(tr, "reference")
        );
    }
    put!(
        out,
        "<th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        e(tr, "col_remarks")
    );
    for crit in &r.rubric.criteria {
        let res: Option<&CriterionOut> = c.criteria.get(&crit.id);
        put!(
            out,
            "<tr><th scope=\"row\">{} <span class=\"muted\">({}{})</span></th><td><b>{}</b></td>",
            esc(&tr.lv(&crit.name)),
            esc(&crit.id),
            if crit.scope == "milestone" {
                format!(", {}", e(tr, "per_milestone"))
            } else {
                String::new()
            },
            esc(&level_or_none(
                tr,
                res.and_then(|x| x.level.as_deref()),
                Some(&crit.id)
            ))
        );
        let by = res.and_then(|x| x.by_evaluator.as_ref());
        for ev in &cx.combined {
            put!(
                out,
                "<td>{}</td>",
                esc(&level_text(tr, by.and_then(|b| b.get(ev)), &crit.id))
            );
        }
        for ev in &cx.references {
            let v = c
                .reference
                .get(ev)
                .and_then(|v| v.levels.get(&crit.id))
                .and_then(Option::as_deref)
                .map_or_else(|| "–".to_string(), |l| level_label(tr, l, Some(&crit.id)));
            put!(out, "<td>{}</td>", esc(&v));
        }
        let mut remarks = Vec::new();
        if let Some(x) = res {
            if x.disagreement {
                remarks.push(tr.n("remark_disagreement", x.spread.unwrap_or(0), &[]));
            }
            if x.unsupported {
                remarks.push(tr.t("remark_unsupported"));
            }
            if x.no_rating > 0 {
                remarks.push(tr.n("remark_no_rating", x.no_rating, &[]));
            }
        }
        put!(
            out,
            "<td>{}</td></tr>\n",
            esc(&remarks.join(&tr.t("semicolon")))
        );
    }
    out.push_str("</tbody></table></div>\n</details>\n");
}

fn notes(out: &mut String, tr: &Tr, c: &CommitmentOut) {
    let notes: Vec<&NoteOut> = c
        .notes
        .iter()
        .flatten()
        .filter(|n| {
            !(n.evidence.trim().is_empty()
                && n.comment.trim().is_empty()
                && n.next_steps.trim().is_empty())
        })
        .collect();
    if notes.is_empty() {
        put!(out, "<p class=\"muted\">{}</p>\n", e(tr, "no_notes"));
        return;
    }
    // The same words from the same evaluator on the same unit, for several criteria (evidence
    // pasted into every criterion's row), are shown once with the list of criteria.
    let mut groups: Vec<(&NoteOut, Vec<&str>)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, Option<&str>, &str, &str, &str), usize> =
        std::collections::HashMap::new();
    for n in notes {
        let key = (
            n.evaluator.as_str(),
            n.milestone.as_deref(),
            n.evidence.trim(),
            n.comment.trim(),
            n.next_steps.trim(),
        );
        match index.get(&key) {
            Some(&i) => groups[i].1.extend(n.criterion.as_deref()),
            None => {
                index.insert(key, groups.len());
                groups.push((n, n.criterion.as_deref().into_iter().collect()));
            }
        }
    }
    put!(
        out,
        "<details class=\"drill\"><summary>{}</summary>\n<ol class=\"notes\">\n",
        esc(&tr.n("notes_summary", groups.len(), &[])),
    );
    for (n, criteria) in groups {
        let mut about = vec![format!("<b>{}</b>", esc(&n.evaluator))];
        match &n.milestone {
            Some(m) => about.push(h(tr, "on_milestone", &[("id", esc(m))])),
            None => about.push(e(tr, "whole_commitment")),
        }
        if !criteria.is_empty() {
            about.push(esc(&criteria.join(", ")));
        }
        put!(out, "<li><p class=\"who\">{}</p>\n", about.join(" · "));
        if !n.evidence.trim().is_empty() {
            put!(
                out,
                "<p class=\"evidence\"><span class=\"k\">{}</span> {}</p>\n",
                e(tr, "evidence"),
                linkify(n.evidence.trim())
            );
        }
        if !n.comment.trim().is_empty() {
            put!(
                out,
                "<p class=\"comment\">{}</p>\n",
                linkify(n.comment.trim())
            );
        }
        if !n.next_steps.trim().is_empty() {
            put!(
                out,
                "<p class=\"next\"><span class=\"k\">{}</span> {}</p>\n",
                e(tr, "next_steps"),
                linkify(n.next_steps.trim())
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</details>\n");
}

fn about_commitment(out: &mut String, tr: &Tr, c: &CommitmentOut) {
    let mut parts = Vec::new();
    if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
        for para in d.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let joined = para.split_whitespace().collect::<Vec<_>>().join(" ");
            parts.push(format!("<p>{}</p>", linkify(&joined)));
        }
    }
    let mut facts = Vec::new();
    if !c.supporting.is_empty() {
        facts.push(h(
            tr,
            "supporting",
            &[("list", esc(&c.supporting.join(", ")))],
        ));
    }
    if !c.values.is_empty() {
        facts.push(h(tr, "ogp_values", &[("list", esc(&c.values.join(", ")))]));
    }
    if !c.themes.is_empty() {
        facts.push(h(tr, "themes", &[("list", esc(&c.themes.join(", ")))]));
    }
    if !facts.is_empty() {
        parts.push(format!("<p class=\"muted\">{}</p>", facts.join(" · ")));
    }
    if parts.is_empty() {
        return;
    }
    put!(
        out,
        "<details class=\"drill\"><summary>{}</summary>\n{}\n</details>\n",
        e(tr, "about_commitment"),
        parts.join("\n")
    );
}

fn about(out: &mut String, cx: &Context<'_>) {
    let r = &cx.results;
    let tr = &cx.tr;
    put!(
        out,
        "<section id=\"about\" aria-labelledby=\"about-h\" class=\"about\">\n<h2 id=\"about-h\">{}</h2>\n<ul>\n",
        e(tr, "about")
    );
    let bold = |t: &str| t.replacen("**", "<b>", 1).replacen("**", "</b>", 1);
    let bolds = |t: &str| {
        let mut t = t.to_string();
        while t.contains("**") {
            t = bold(&t);
        }
        t
    };
    put!(
        out,
        "<li>{}</li>\n",
        bolds(&h(
            tr,
            "about_ratings",
            &[
                ("rubric", format!("<b>{}</b>", esc(&r.rubric.id))),
                (
                    "rating",
                    e(
                        tr,
                        if r.rubric.rating_from == "score" {
                            "about_rating_score"
                        } else {
                            "about_rating_criterion"
                        }
                    )
                ),
                ("command", "<code>checkmyogp explain</code>".to_string()),
            ]
        ))
    );
    put!(
        out,
        "<li>{}</li>\n",
        bolds(&h(
            tr,
            "about_terms",
            &[
                ("date", esc(&tr.date(&r.as_of))),
                (
                    "threshold",
                    tr.int(r.rubric.disagreement_threshold as usize)
                ),
            ]
        ))
    );
    put!(out, "<li>{}</li>\n", e(tr, "about_colours"));
    put!(out, "<li>{}</li>\n", e(tr, "about_links"));
    put!(
        out,
        "<li>{}</li>\n",
        h(tr, "about_made_by", &[("generator", esc(&r.generator))])
    );
    out.push_str("</ul>\n</section>\n");
}

/// The stylesheet: screen and A4 print.
const CSS: &str = r#":root{--ink:#1a1a1a;--muted:#595959;--line:#d0d0d0;--soft:#f4f6f8;--accent:#0072b2;--warn:#d55e00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:16px;line-height:1.5;color:var(--ink);background:#fff}
main,header.top{max-width:1120px;margin:0 auto;padding:0 24px}
a{color:#005a8c}
a:focus-visible,summary:focus-visible{outline:3px solid var(--warn);outline-offset:2px}
.skip{position:absolute;left:-9999px}
.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
header.top{padding-top:28px;padding-bottom:8px;border-bottom:4px solid var(--accent)}
.kicker{margin:0;color:var(--muted);font-size:.9rem;text-transform:uppercase;letter-spacing:.04em}
h1{font-size:1.9rem;line-height:1.2;margin:.2em 0 .6em}
h1 .plan-title{display:block;font-size:1.15rem;font-weight:500;color:#333;margin-top:.3em}
h2{font-size:1.45rem;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1.15rem;margin:0}
dl.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:6px 24px;margin:0 0 12px}
dl.meta div{display:flex;flex-direction:column}
dl.meta div.wide{grid-column:1/-1}
ul.people{margin:0;padding:0;list-style:none;display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 24px}
dt{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dd{margin:0}
.muted{color:var(--muted)}
.disclaimer{font-size:.9rem;color:var(--muted);border-left:3px solid var(--line);padding-left:10px}
nav.toc ul{list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;padding:10px 0;margin:0;border-bottom:1px solid var(--line)}
.tiles{list-style:none;display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px;padding:0;margin:0 0 12px}
.tile{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.tile .value{display:block;font-size:1.9rem;font-weight:700;line-height:1.1}
.tile .label{font-size:.9rem;color:#333}
figure.chart{margin:18px 0 26px;padding:14px 16px;border:1px solid var(--line);border-radius:8px}
figcaption{font-weight:700;font-size:1.05rem;margin-bottom:8px}
.chart-box{overflow-x:auto}
.chart-box svg{max-width:100%;height:auto;display:block}
.chart-note{font-size:.92rem;color:#333;margin:.6em 0}
details{margin:.5em 0}
summary{cursor:pointer;color:#005a8c;font-weight:600}
details.data summary{font-size:.9rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5em 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
table.overview td:nth-child(2){min-width:16em}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;border:1px solid #333;font-weight:600;font-size:.9rem;white-space:nowrap}
.badge.none{background:repeating-linear-gradient(45deg,#ededed,#ededed 4px,#d6d6d6 4px,#d6d6d6 6px);color:var(--ink)}
.card{border:1px solid var(--line);border-left:6px solid var(--accent);border-radius:8px;padding:16px 18px;margin:0 0 22px}
.card .cid{display:inline-block;min-width:1.8em;padding:0 6px;margin-right:4px;border-radius:4px;background:var(--ink);color:#fff;text-align:center}
.card .sub{margin:.3em 0 0;color:var(--muted);font-size:.92rem}
dl.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:12px 0}
.meter{display:inline-block;width:90px;height:10px;border:1px solid #333;vertical-align:middle;margin-left:6px;background:#fff}
.meter span{display:block;height:100%;background:var(--accent)}
ul.marks{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:6px}
ul.marks li{border:1px solid var(--warn);border-radius:4px;padding:1px 8px;font-size:.9rem;background:#fff4ec}
ul.flags{list-style:none;padding:0;margin:8px 0;font-size:.93rem}
ul.flags li{margin:2px 0}
ul.flags .sym{display:inline-block;width:1.2em;font-weight:700}
ul.flags li.yes .sym{color:#00734f}
ul.flags li.no .sym{color:var(--warn)}
.binding{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ol.notes{padding-left:1.4em}
ol.notes li{margin:0 0 .8em}
ol.notes p{margin:.1em 0}
.comment,.next{white-space:pre-line}
.card details.data td{white-space:nowrap}
.card details.data td:nth-child(2){white-space:normal;min-width:14em}
.k{color:var(--muted)}
.evidence a,.comment a,.next a{word-break:break-all}
.about{font-size:.93rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
@media (max-width:640px){main,header.top{padding:0 12px}h1{font-size:1.5rem}}
@page{size:A4;margin:14mm 12mm}
@media print{
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  body{font-size:10pt}
  main,header.top{max-width:none;padding:0}
  .skip,nav.toc{display:none}
  h2{break-after:avoid;page-break-after:avoid}
  figure.chart,.tile,tr,ul.flags,dl.facts{break-inside:avoid;page-break-inside:avoid}
  #commitments{break-before:page;page-break-before:always}
  .card{break-inside:avoid;page-break-inside:avoid;border-left-width:4px}
  .chart-box{overflow:visible}
  .scroll{overflow:visible}
  table{width:100%;font-size:8.5pt}
  th,td{padding:2px 4px;overflow-wrap:anywhere}
  table.overview td:nth-child(2),.card details.data td:nth-child(2){min-width:0}
  .card details.data td,.badge{white-space:normal}
  details>summary{list-style:none;color:var(--ink)}
  details::details-content{content-visibility:visible;display:contents}
  #progress details.data,#reference details.data,#evaluators details.data{display:none}
  a{color:var(--ink)}
}
"#;
