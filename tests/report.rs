//! `checkmyogp report`: the structure of the HTML (a card per commitment, every chart with its
//! title, description and data table, nothing loaded from the network), escaping of hostile
//! text, the standalone SVG files, reproducibility, the write rules, and an end-to-end check in
//! headless Chromium (skipped when Chromium is not installed).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{root, run_in, sample};

/// Every element name the report may contain; anything else came from user text.
const TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "a",
    "header",
    "main",
    "section",
    "nav",
    "ul",
    "ol",
    "li",
    "p",
    "h1",
    "h2",
    "h3",
    "dl",
    "dt",
    "dd",
    "div",
    "span",
    "b",
    "strong",
    "code",
    "time",
    "figure",
    "figcaption",
    "details",
    "summary",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "article",
    "svg",
    "defs",
    "pattern",
    "rect",
    "line",
    "g",
    "text",
    "circle",
    "path",
    "desc",
];

fn report_of(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["report", "."];
    args.extend_from_slice(extra);
    let run = run_in(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fs::read_to_string(dir.join("report.html")).unwrap()
}

/// The tags of a document: (name, is_closing, the text inside `<…>`).
fn tags(doc: &str) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("every tag is closed");
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        out.push((name.to_ascii_lowercase(), closing, inner.to_string()));
    }
    out
}

/// Only known elements, no event-handler attributes, no `javascript:` links, and every link
/// either an anchor in the page or an http(s) address.
fn assert_safe_markup(doc: &str) {
    let body = doc.split("</style>").last().unwrap();
    for (name, _, inner) in tags(body) {
        assert!(
            TAGS.contains(&name.as_str()),
            "unexpected element <{inner}>"
        );
        let lower = inner.to_ascii_lowercase();
        for attr in lower.split_whitespace().skip(1) {
            assert!(!attr.starts_with("on"), "event handler in <{inner}>");
            assert!(!attr.starts_with("src="), "resource in <{inner}>");
            if let Some(href) = attr.strip_prefix("href=\"") {
                assert!(
                    href.starts_with('#')
                        || href.starts_with("https://")
                        || href.starts_with("http://"),
                    "unsafe link in <{inner}>"
                );
            }
        }
    }
    let lower = doc.to_ascii_lowercase();
    assert!(!lower.contains("href=\"javascript:"));
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<link"));
    assert!(!lower.contains("@import"));
}

/// No `http(s)://` outside `<a href>` elements: nothing is loaded from the network.
fn assert_no_network(doc: &str) {
    let mut rest = doc;
    let mut outside = String::new();
    while let Some(i) = rest.find("<a href=") {
        outside.push_str(&rest[..i]);
        let end = rest[i..].find("</a>").expect("links are closed") + i + 4;
        rest = &rest[end..];
    }
    outside.push_str(rest);
    let lower = outside.to_ascii_lowercase();
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "a web address outside a link: {}",
        &outside[lower.find("http").unwrap_or(0)..][..80.min(outside.len())]
    );
    assert!(
        !lower.contains("url(") || lower.matches("url(").count() == lower.matches("url(#").count()
    );
}

/// Tags are balanced (SVG is XML) and every entity is one XML knows.
fn assert_well_formed(doc: &str, void: &[&str]) {
    let mut stack: Vec<String> = Vec::new();
    for (name, closing, inner) in tags(doc) {
        if closing {
            let open = stack.pop().unwrap_or_default();
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !inner.ends_with('/') && !void.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    for (i, _) in doc.match_indices('&') {
        let entity: String = doc[i..].chars().take_while(|&c| c != ';').collect();
        assert!(
            ["&amp", "&lt", "&gt", "&quot", "&#39"].contains(&entity.as_str()),
            "entity {entity}"
        );
    }
}

/// The `<svg>…</svg>` blocks of a document.
fn svgs(doc: &str) -> Vec<&str> {
    doc.match_indices("<svg")
        .map(|(i, _)| {
            let end = doc[i..].find("</svg>").unwrap() + i + 6;
            &doc[i..end]
        })
        .collect()
}

fn figures(doc: &str) -> Vec<&str> {
    doc.match_indices("<figure class=\"chart\"")
        .map(|(i, _)| {
            let end = doc[i..].find("</figure>").unwrap() + i;
            &doc[i..end]
        })
        .collect()
}

#[test]
fn help_shows_examples() {
    let run = run_in(Path::new("."), &["report", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Example"), "{}", run.stdout);
    assert!(run.stdout.contains("--charts"));
}

#[test]
fn the_sample_report_has_a_card_per_commitment_and_accessible_charts() {
    let dir = sample("mongolia-2016-2018");
    let html = report_of(dir.path(), &["--charts", "charts"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    assert_eq!(html.matches("<article class=\"card\"").count(), 7);
    for id in 1..=7 {
        assert!(html.contains(&format!("href=\"#c{id}\"")));
        assert!(html.contains(&format!("id=\"c{id}\"")));
    }
    // Every drawing is a chart figure with a caption, a title, a description and a table.
    let svg = svgs(&html);
    let figs = figures(&html);
    assert_eq!(svg.len(), figs.len());
    assert_eq!(
        svg.len(),
        4 + 7,
        "completion, ratings, heat map, agreement, 7 timelines"
    );
    for fig in &figs {
        assert!(fig.contains("<figcaption>"), "{fig}");
        assert!(
            fig.contains("<table>") && fig.contains("<th scope=\"col\">"),
            "{fig}"
        );
        let s = svgs(fig)[0];
        assert!(s.contains("role=\"img\""));
        assert!(s.contains("aria-labelledby=") && s.contains("aria-describedby="));
        let title = s.split("<title id=").nth(1).unwrap();
        assert!(title.split('>').nth(1).unwrap().len() > 5, "{s}");
        let desc = s.split("<desc id=").nth(1).unwrap();
        assert!(desc.split('>').nth(1).unwrap().len() > 30, "{s}");
        assert!(s.matches("<rect").count() + s.matches("<circle").count() > 2);
    }
    // The figures the issue asks for.
    for fig in [
        "completion",
        "ratings",
        "heatmap",
        "agreement",
        "timeline-1",
    ] {
        assert!(html.contains(&format!("id=\"fig-{fig}\"")), "{fig}");
    }
    assert!(html.contains("High completion (completion at least Substantial): 4 of 7"));
    assert!(html.contains("disagreement (2 levels)"));
    assert!(html.contains("as of 30 June 2018"));
    assert!(html.contains("OVERDUE"));
    assert!(html.contains("1,000 resamples"));
    // Flags in plain sentences, not condition codes.
    assert!(html.contains(
        "<span class=\"sym\" aria-hidden=\"true\">✗</span> Participatory: no — civil-society participation is Consulted, below Involved.</li>"
    ));
    assert!(html.contains("★ Model commitment: no — it is not marked “Participatory” (civil-society participation is Consulted, below Involved).</li>"));
    assert!(!html.contains("binding constraint"));
    // Evidence: web addresses are links, other evidence is text; comments are there, in Mongolian too.
    assert!(html.contains(
        "<a href=\"https://www.facebook.com/CheckMyService\" rel=\"noopener noreferrer nofollow\">"
    ));
    assert!(html.contains("Minutes of DEMO meetings with the Capital City Governor&#39;s Office"));
    assert!(html.contains("Аппликейшн 2018 оны"));
    assert_safe_markup(&html);
    assert_no_network(&html);
    for s in svg {
        assert_well_formed(s, &[]);
    }
    // The standalone charts.
    let charts = dir.path().join("charts");
    for name in ["completion", "ratings", "heatmap", "agreement"] {
        let s = fs::read_to_string(charts.join(format!("{name}.svg"))).unwrap();
        assert!(s.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
        ));
        assert!(s.contains(&format!("<title id=\"{name}-title\">")));
        assert!(s.contains(&format!("<desc id=\"{name}-desc\">")));
        assert_well_formed(&s, &[]);
        assert!(html.contains(s.split("<title").nth(1).unwrap().split('<').next().unwrap()));
    }
    assert!(
        !charts.join("quadrant.svg").exists(),
        "check-my-ogp has no ambition flag"
    );
}

#[test]
fn alpha_and_its_interval_are_reported_per_criterion_and_reproducibly() {
    let dir = sample("mongolia-2016-2018");
    let first = report_of(dir.path(), &[]);
    let second = report_of(dir.path(), &[]);
    assert_eq!(first, second, "a fixed seed gives the same file");
    let table = first.split("id=\"fig-agreement\"").nth(1).unwrap();
    for criterion in [
        "completion",
        "relevance",
        "participation",
        "published-evidence",
        "results",
    ] {
        assert!(
            table.contains(&format!("<th scope=\"row\">{criterion}</th>")),
            "{criterion}"
        );
    }
    assert!(table.contains("95% interval"));
    assert!(table.contains(" to "));
    assert!(
        ["reliable", "tentative", "unreliable"]
            .iter()
            .any(|b| table.contains(b))
    );
}

#[test]
fn the_irm_sample_shows_the_quadrant_and_the_reference_beside_the_coalition() {
    let dir = sample("mongolia-irm-legacy");
    let html = report_of(dir.path(), &[]);
    assert_eq!(html.matches("<article class=\"card\"").count(), 7);
    assert!(html.contains("id=\"fig-quadrant\""));
    assert!(html.contains("id=\"fig-reference\""));
    assert!(
        !html.contains("id=\"fig-ratings\""),
        "the rating is the completion level"
    );
    let reference = html.split("id=\"fig-reference\"").nth(1).unwrap();
    let reference = reference.split("</figure>").next().unwrap();
    assert!(reference.contains("differs"));
    assert!(reference.contains("<td>Complete</td><td>Limited</td><td>yes</td>"));
    // The heat map has the reference column, apart from the combined one.
    let heat = html.split("id=\"fig-heatmap\"").nth(1).unwrap();
    assert!(heat.contains("IRM (reference)"));
    assert!(html.contains("<strong>differs</strong> from the coalition's Complete"));
    assert_safe_markup(&html);
    assert_no_network(&html);
}

const HOSTILE_PLAN: &str = r#"
[plan]
country = "Монголия <script>alert('country')</script>"
title = "Plan \"quoted\" & <b>bold</b> <script>alert(1)</script>"
organisation = "Коалиция & Co <img src=x onerror=alert(2)>"

[assessment]
as_of = 2021-06-30
reference = "irm"

[[evaluator]]
id = "a"
name = "Анна <script>alert(3)</script>"
organisation = "\"Org\" & 'co'"

[[evaluator]]
id = "b"

[[evaluator]]
id = "irm"
role = "irm"

[[commitment]]
id = "1<x>"
title = "<script>alert(1)</script> Открытый бюджет & \"данные\""
lead = "Министерство <i>финансов</i>"
description = "Line one <script>alert(4)</script>\n\njavascript:alert(5)"
themes = ["<svg onload=alert(6)>"]
start = 2020-01-01
end = 2021-12-31

[[commitment.milestone]]
id = "1.1\"><script>alert(7)</script>"
title = "Публикация <script>alert(8)</script>"
due = 2020-06-30

[[commitment.milestone]]
id = "1.2"
title = "Hearings & 'quotes'"
due = 2021-03-31
"#;

const HOSTILE_SCORES: &str = r#"evaluator,commitment,milestone,criterion,level,evidence,comment,next_steps
a,1<x>,"1.1""><script>alert(7)</script>",completion,Complete,javascript:alert(9),"<script>alert(10)</script> Комментарий & ""кавычки""",<b>next</b>
b,1<x>,"1.1""><script>alert(7)</script>",completion,Limited,"https://example.org/a?b=1&c=""><script>alert(11)</script>",ok,
a,1<x>,1.2,completion,Limited,"see https://example.org/x?y=1&z=2 and data:text/html,<script>alert(12)</script>",,
b,1<x>,1.2,completion,Substantial,https://пример.рф/док,,
a,1<x>,,relevance,Clear,,,
b,1<x>,,relevance,Unclear,,,
irm,1<x>,1.2,completion,Limited,,,
irm,1<x>,,relevance,Clear,,,
"#;

#[test]
fn hostile_text_is_escaped_everywhere_and_only_web_addresses_become_links() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("plan.toml"), HOSTILE_PLAN).unwrap();
    fs::create_dir(dir.path().join("scores")).unwrap();
    fs::write(dir.path().join("scores/ratings.csv"), HOSTILE_SCORES).unwrap();
    let html = report_of(dir.path(), &["--charts", "charts"]);
    assert_safe_markup(&html);
    assert_no_network(&html);
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; Открытый бюджет &amp; &quot;данные&quot;"
    ));
    assert!(html.contains("Монголия &lt;script&gt;alert(&#39;country&#39;)&lt;/script&gt;"));
    assert!(html.contains("Коалиция &amp; Co &lt;img src=x onerror=alert(2)&gt;"));
    assert!(
        html.contains(
            "&lt;script&gt;alert(10)&lt;/script&gt; Комментарий &amp; &quot;кавычки&quot;"
        )
    );
    assert!(html.contains("&lt;svg onload=alert(6)&gt;"));
    assert!(html.contains("Evidence:</span> javascript:alert(9)</p>"));
    // A link stops where the address stops being safe; the rest is text.
    assert!(html.contains(
        "<a href=\"https://example.org/a?b=1&amp;c=\" rel=\"noopener noreferrer nofollow\">https://example.org/a?b=1&amp;c=</a>&quot;&gt;&lt;script&gt;alert(11)&lt;/script&gt;"
    ));
    assert!(html.contains("<a href=\"https://example.org/x?y=1&amp;z=2\""));
    assert!(html.contains("<a href=\"https://пример.рф/док\""));
    assert!(html.contains("and data:text/html,&lt;script&gt;alert(12)&lt;/script&gt;"));
    // Inside the SVG too (timeline labels, heat-map rows, tooltips).
    let svg = svgs(&html);
    assert!(svg.iter().any(|s| s.contains("1&lt;x&gt;")));
    for s in &svg {
        assert_well_formed(s, &[]);
    }
    for entry in fs::read_dir(dir.path().join("charts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let s = fs::read_to_string(&path).unwrap();
            assert!(
                !s.to_ascii_lowercase().contains("<script"),
                "{}",
                path.display()
            );
            assert_well_formed(&s, &[]);
        }
    }
    // The document as a whole is balanced HTML.
    let body = &html[html.find("<body>").unwrap()..html.find("</body>").unwrap() + 7];
    assert_well_formed(body, &[]);
    // The same text in a French report: still escaped, around French words.
    let html = report_of(dir.path(), &["--language", "fr"]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert_safe_markup(&html);
    assert_no_network(&html);
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; Открытый бюджет &amp; &quot;данные&quot;"
    ));
    assert!(html.contains("Коалиция &amp; Co &lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("Preuves :</span> javascript:alert(9)</p>"));
    assert!(html.contains("&lt;svg onload=alert(6)&gt;"));
    for s in &svgs(&html) {
        assert_well_formed(s, &[]);
    }
    let body = &html[html.find("<body>").unwrap()..html.find("</body>").unwrap() + 7];
    assert_well_formed(body, &[]);
}

/// Whether `needle` occurs in `hay` as whole words (not inside a longer word).
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Every string value of a TOML table, singular and plural forms included.
fn strings_of(table: &toml::Table) -> Vec<String> {
    let mut out = Vec::new();
    for v in table.values() {
        match v {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Table(t) => out.extend(strings_of(t)),
            _ => {}
        }
    }
    out
}

/// The English report's fixed strings that show in a report in another language: each string
/// of templates/lang/en.toml's `[report]` is cut at its placeholders, and every piece of six
/// characters or more that the page contains as whole words is listed, unless the inputs
/// (the plan and the score files, user text) or the language's own file contain it too
/// (a word that is the same in both languages, such as "ordinal").
fn english_left_in(html: &str, inputs: &Path, code: &str) -> Vec<String> {
    let read = |p: &Path| fs::read_to_string(p).unwrap();
    let lang = |c: &str| -> toml::Table {
        read(&root().join(format!("templates/lang/{c}.toml")))
            .parse()
            .unwrap()
    };
    let english = lang("en");
    let own = lang(code);
    let own_text = strings_of(&own).join("\n");
    let mut user = read(&inputs.join("plan.toml"));
    for e in fs::read_dir(inputs.join("scores")).unwrap() {
        user.push_str(&read(&e.unwrap().path()));
    }
    // The page's text: text between tags, and the words of aria-label attributes.
    let mut text = String::new();
    for (i, part) in html[html.find("</style>").unwrap()..]
        .split('<')
        .enumerate()
    {
        let (tag, after) = if i == 0 {
            ("", part)
        } else {
            part.split_once('>').unwrap_or((part, ""))
        };
        if let Some(at) = tag.find("aria-label=\"") {
            let label = &tag[at + 12..];
            text.push_str(&label[..label.find('"').unwrap_or(label.len())]);
        }
        text.push('\n');
        text.push_str(after);
    }
    let page = text
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let mut left: Vec<String> = strings_of(english["report"].as_table().unwrap())
        .iter()
        .flat_map(|s| {
            s.split(['{', '}'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, piece)| {
                    piece
                        .trim_matches(|c: char| " .,:;()*".contains(c))
                        .to_string()
                })
                .collect::<Vec<_>>()
        })
        .filter(|piece| piece.chars().count() >= 6)
        .filter(|piece| has_words(&page, piece))
        .filter(|piece| !user.contains(piece.as_str()) && !has_words(&own_text, piece))
        .collect();
    left.sort();
    left.dedup();
    left
}

#[test]
fn the_report_speaks_spanish_and_french() {
    let dir = sample("mongolia-2016-2018");
    for (code, expected) in [
        (
            "es",
            [
                "<title>Mongolia — Second National Action Plan of Mongolia for the Open Government Partnership, 2016–2018 (sample): informe de evaluación</title>",
                "<h2 id=\"glance-h\">De un vistazo</h2>",
                "<div><dt>Período del plan</dt><dd>del 1 de julio de 2016 al 30 de junio de 2018</dd></div>",
                "<time datetime=\"2018-06-30\">30 de junio de 2018</time>",
                "Alto cumplimiento (cumplimiento al menos Sustancial): 4 de 7 compromisos (57,1\u{a0}%).",
                "<span class=\"badge\" style=\"background:#97C3DC;color:#000000\">Avanzando</span>",
                "Compromiso modelo: no — no es «Participativo» (participación de la sociedad civil: Consultada, por debajo de Involucrada).",
                "<figcaption>Cumplimiento: cuánto han avanzado los compromisos</figcaption>",
                "<p class=\"evidence\"><span class=\"k\">Evidencia:</span>",
                // A level's word for its criterion, as the draft writes it.
                "<div><dt>Resultados iniciales</dt><dd>Marginales</dd></div>",
            ],
        ),
        (
            "fr",
            [
                "<title>Mongolia — Second National Action Plan of Mongolia for the Open Government Partnership, 2016–2018 (sample) : rapport d'évaluation</title>",
                "<h2 id=\"glance-h\">En bref</h2>",
                "<div><dt>Période du plan</dt><dd>du 1er juillet 2016 au 30 juin 2018</dd></div>",
                "<time datetime=\"2018-06-30\">30 juin 2018</time>",
                "Achèvement élevé (achèvement au moins Substantiel) : 4 engagements sur 7 (57,1\u{a0}%).",
                "<span class=\"badge\" style=\"background:#97C3DC;color:#000000\">En progrès</span>",
                "Engagement modèle : non — il n'est pas « Participatif » (participation de la société civile : Consultée, en dessous de Associée).",
                "<figcaption>Achèvement : où en sont les engagements</figcaption>",
                "<p class=\"evidence\"><span class=\"k\">Preuves :</span>",
                "<div><dt>Premiers résultats</dt><dd>Marginaux</dd></div>",
            ],
        ),
    ] {
        let html = report_of(dir.path(), &["--language", code]);
        assert!(
            html.starts_with(&format!("<!DOCTYPE html>\n<html lang=\"{code}\">")),
            "{code}"
        );
        for e in expected {
            assert!(html.contains(e), "{code}: {e}");
        }
        assert_eq!(
            english_left_in(&html, dir.path(), code),
            Vec::<String>::new(),
            "{code}"
        );
        assert_safe_markup(&html);
        for s in &svgs(&html) {
            assert_well_formed(s, &[]);
        }
    }
    // The check finds English when there is some: the English report is full of it.
    let html = report_of(dir.path(), &["--language", "en"]);
    assert!(english_left_in(&html, dir.path(), "es").len() > 50);
    // The IRM sample: the reference beside the coalition, the ambition × completion table.
    let irm = sample("mongolia-irm-legacy");
    for code in ["es", "fr"] {
        let html = report_of(irm.path(), &["--language", code]);
        assert_eq!(
            english_left_in(&html, irm.path(), code),
            Vec::<String>::new(),
            "{code}"
        );
    }
    let html = report_of(irm.path(), &["--language", "es"]);
    assert!(
        html.contains(
            "<h2 id=\"reference-h\">La opinión de la coalición y lo que dice el IRM</h2>"
        )
    );
    assert!(html.contains("<figcaption>Ambicioso × Alto cumplimiento</figcaption>"));
}

#[test]
fn the_language_comes_from_the_plan_and_an_unknown_one_is_a_warning() {
    let dir = sample("mongolia-2016-2018");
    let plan = dir.path().join("plan.toml");
    let text = fs::read_to_string(&plan).unwrap();
    fs::write(
        &plan,
        text.replace("language = \"en\"", "language = \"fr\""),
    )
    .unwrap();
    let html = report_of(dir.path(), &[]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(html.contains("<h2 id=\"about-h\">À propos de ce rapport</h2>"));
    let run = run_in(dir.path(), &["report", ".", "--language", "pt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: there is no wording for the language \"pt\", so the report is in English; available: en, es, fr, mn (docs/templates.md says how to add one)\n"),
        "{}",
        run.stderr
    );
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<h2 id=\"about-h\">About this report</h2>"));
    // A language added in the assessment's templates/lang/: a partial file, English for the rest.
    fs::create_dir_all(dir.path().join("templates/lang")).unwrap();
    fs::write(
        dir.path().join("templates/lang/pt.toml"),
        "[report]\nabout = \"Sobre este relatório\"\n",
    )
    .unwrap();
    let html = report_of(dir.path(), &["--language", "pt"]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"pt\">"));
    assert!(html.contains("<h2 id=\"about-h\">Sobre este relatório</h2>"));
    assert!(html.contains("<h2 id=\"glance-h\">At a glance</h2>"));
}

#[test]
fn undefined_agreement_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        "[plan]\ncountry = \"X\"\ntitle = \"Y\"\n[assessment]\nas_of = 2021-06-30\n[[evaluator]]\nid = \"a\"\n[[commitment]]\nid = \"1\"\ntitle = \"T\"\n[[commitment.milestone]]\nid = \"1.1\"\ntitle = \"M\"\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("scores")).unwrap();
    fs::write(
        dir.path().join("scores/a.csv"),
        "evaluator,commitment,milestone,criterion,level\na,1,1.1,completion,Limited\n",
    )
    .unwrap();
    let html = report_of(dir.path(), &[]);
    let agreement = html.split("id=\"fig-agreement\"").nth(1).unwrap();
    assert!(agreement.contains("undefined: only one evaluator (`a`) gave levels on this criterion; agreement needs at least two"), "{agreement}");
    assert!(agreement.contains("undefined: fewer than two evaluators"));
    assert_eq!(html.matches("<article class=\"card\"").count(), 1);
}

#[test]
fn an_edited_report_is_kept_unless_forced_and_nothing_is_half_written() {
    let dir = sample("mongolia-2016-2018");
    let path = dir.path().join("report.html");
    report_of(dir.path(), &[]);
    fs::write(&path, "my notes").unwrap();
    let run = run_in(dir.path(), &["report", ".", "--charts", "charts"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("was left as it is"), "{}", run.stderr);
    assert!(run.stderr.contains("Nothing was written"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), "my notes");
    assert!(!dir.path().join("charts").exists());
    let run = run_in(dir.path(), &["report", ".", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // `--output -` is the screen, and writes no file.
    let run = run_in(
        dir.path(),
        &["report", ".", "--output", "-", "--as-of", "2017-01-01"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("<!DOCTYPE html>"));
    assert!(run.stdout.contains("as of 1 January 2017"));
    // A bad input writes nothing and exits 1.
    fs::write(
        dir.path().join("scores/bad.csv"),
        "evaluator,commitment,criterion,level\ndemo,1,relevance,Clera\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["report", ".", "--output", "other.html"]);
    assert_eq!(run.code, 1);
    assert!(!dir.path().join("other.html").exists());
}

// ---------------------------------------------------------------------------------------------
// In a real browser.

fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Runs Chromium headless on `page` with `args`, returning (stdout, stderr).
fn headless(chromium: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        fs::read_to_string(out.path()).unwrap_or_default(),
        fs::read_to_string(err.path()).unwrap_or_default(),
    )
}

fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn the_sample_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        let _ = writeln!(std::io::stderr(), "skipped: chromium not found");
        return;
    };
    let dir = sample("mongolia-2016-2018");
    let html = report_of(dir.path(), &[]);
    let page = dir.path().join("report.html");
    let shot = dir.path().join("report.png");

    let screenshot = format!("--screenshot={}", shot.display());
    let (_, stderr) = headless(&chromium, &page, &[&screenshot, "--window-size=1280,2000"]);
    assert!(
        console_messages(&stderr).is_empty(),
        "console messages: {:?}",
        console_messages(&stderr)
    );
    let png = fs::read(&shot).expect("a screenshot was taken");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((width, height), (1280, 2000));
    // A blank or single-colour page compresses to a few kilobytes; text and charts do not.
    assert!(png.len() > 60_000, "screenshot only {} bytes", png.len());

    let (dom, stderr) = headless(&chromium, &page, &["--dump-dom"]);
    assert!(
        console_messages(&stderr).is_empty(),
        "{:?}",
        console_messages(&stderr)
    );
    assert!(
        dom.contains("<h1>Mongolia"),
        "the page was parsed: {}",
        &dom[..dom.len().min(500)]
    );
    assert_eq!(dom.matches("<article class=\"card\"").count(), 7);
    let parsed = svgs(&dom);
    assert_eq!(
        parsed.len(),
        svgs(&html).len(),
        "every chart survived parsing"
    );
    for s in parsed {
        assert!(s.contains("<title"), "{s}");
        assert!(s.contains("<desc"), "{s}");
        assert!(
            s.matches("<rect").count() >= 2,
            "a chart with nothing drawn: {s}"
        );
        assert!(s.contains("<text"), "{s}");
    }
}

#[test]
fn a_rubric_without_completion_shows_ratings_and_its_first_key_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let level = |label: &str, value: u32| {
        format!("[[criterion.level]]\nlabel = \"{label}\"\nvalue = {value}\n")
    };
    let rubric = format!(
        "[rubric]\nid = \"quality-only\"\nname = \"Quality only\"\nkey_criteria = [\"quality\"]\n\
         [rating]\n[[rating.band]]\nlabel = \"Weak\"\nmin = 0\nmax = 50\n[[rating.band]]\nlabel = \"Strong\"\nmin = 50\nmax = 100\n\
         [[criterion]]\nid = \"quality\"\nname = \"Quality of delivery\"\nquestion = \"How good?\"\nscale = \"ordinal\"\ncombine = \"median\"\nweight = 1.0\n{}{}{}",
        level("Nothing delivered at all", 0),
        level("Partly delivered so far", 1),
        level("Fully delivered as promised", 2)
    );
    fs::write(dir.path().join("rubric.toml"), rubric).unwrap();
    fs::write(
        dir.path().join("plan.toml"),
        "[plan]\ncountry = \"X\"\ntitle = \"Y\"\n[assessment]\nrubric = \"rubric.toml\"\nas_of = 2021-06-30\n\
         [[evaluator]]\nid = \"a\"\n[[evaluator]]\nid = \"b\"\n\
         [[commitment]]\nid = \"1\"\ntitle = \"T\"\n[[commitment]]\nid = \"2\"\ntitle = \"U\"\n\
         [[commitment.milestone]]\nid = \"2.1\"\ntitle = \"M\"\ndue = 2020-01-01\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("scores")).unwrap();
    fs::write(
        dir.path().join("scores/s.csv"),
        "evaluator,commitment,criterion,level\na,1,quality,Nothing delivered at all\nb,1,quality,Fully delivered as promised\na,2,quality,Partly delivered so far\nb,2,quality,Partly delivered so far\n",
    )
    .unwrap();
    let html = report_of(dir.path(), &["--charts", "charts"]);
    assert!(html.contains("id=\"fig-ratings\""));
    assert!(!html.contains("id=\"fig-completion\""));
    let heat = html.split("id=\"fig-heatmap\"").nth(1).unwrap();
    assert!(heat.contains("Who rated what: Quality of delivery by evaluator"));
    // Long level names are abbreviated in the cells and explained in the legend.
    assert!(heat.contains("NDAA = Nothing delivered at all"));
    assert!(heat.contains("disagreement (2 levels)"));
    let mut files: Vec<String> = fs::read_dir(dir.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    files.sort();
    assert_eq!(files, ["agreement.svg", "heatmap.svg", "ratings.svg"]);
    assert_safe_markup(&html);
}

/// Runs the overflow check (tests/fixtures/overflow.js) on a copy of `html` in a window `width`
/// pixels wide; `print` applies the print stylesheet (on an A4 page less its margins, 718 px).
fn overflow(chromium: &Path, html: &str, width: u32, print: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let script = fs::read_to_string(root().join("tests/fixtures/overflow.js")).unwrap();
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + html[csp_start..].find('>').unwrap() + 1;
    let mut page = format!("{}{}", &html[..csp_start], &html[csp_end..]);
    if print {
        page = page.replace("@media print", "@media all");
    }
    page = page.replace("</body>", &format!("<script>{script}</script></body>"));
    let path = dir.path().join("page.html");
    fs::write(&path, page).unwrap();
    let (dom, _) = headless(
        chromium,
        &path,
        &[&format!("--window-size={width},2000"), "--dump-dom"],
    );
    let at = dom.find("data-overflow=\"").unwrap_or_else(|| {
        panic!(
            "the check ran at {width} px: {}",
            &dom[..dom.len().min(300)]
        )
    });
    let rest = &dom[at + 15..];
    rest[..rest.find('"').unwrap()]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn nothing_spills_out_at_390_1280_1920_px_or_in_print() {
    let Some(chromium) = chromium() else {
        let _ = writeln!(std::io::stderr(), "skipped: chromium not found");
        return;
    };
    for sample_name in ["mongolia-2016-2018", "mongolia-irm-legacy"] {
        let dir = sample(sample_name);
        // French strings are longer than English ones: the French report is checked too.
        for language in ["fr", "en"] {
            let html = report_of(dir.path(), &["--language", language]);
            for width in [390, 1280, 1920] {
                assert_eq!(
                    overflow(&chromium, &html, width, false),
                    "none",
                    "{sample_name} ({language}) at {width} px"
                );
            }
            assert_eq!(
                overflow(&chromium, &html, 718, true),
                "none",
                "{sample_name} ({language}) in print"
            );
        }
        // Screenshots at a phone's and a laptop's width: the whole width is drawn.
        for width in [390u32, 1280] {
            let shot = dir.path().join(format!("shot-{width}.png"));
            headless(
                &chromium,
                &dir.path().join("report.html"),
                &[
                    &format!("--screenshot={}", shot.display()),
                    &format!("--window-size={width},1600"),
                ],
            );
            let png = fs::read(&shot).expect("a screenshot was taken");
            let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
            assert_eq!(w, width);
            assert!(png.len() > 20_000, "screenshot only {} bytes", png.len());
        }
    }
}

#[test]
fn the_overflow_check_finds_a_box_that_spills() {
    let Some(chromium) = chromium() else {
        let _ = writeln!(std::io::stderr(), "skipped: chromium not found");
        return;
    };
    let dir = sample("mongolia-2016-2018");
    let html = report_of(dir.path(), &[]).replace("</style>", ".tile{width:900px}</style>");
    let found = overflow(&chromium, &html, 390, false);
    assert!(found.contains("past the page: li.tile"), "{found}");
}

#[test]
fn reference_evaluators_are_named_and_plans_without_milestones_count_none() {
    let dir = sample("mongolia-irm-legacy");
    let html = report_of(dir.path(), &[]);
    assert!(html.contains("<h2 id=\"reference-h\">The coalition's view beside the IRM</h2>"));
    assert!(
        html.contains("<figcaption>The coalition&#39;s rating beside the IRM&#39;s</figcaption>")
    );
    assert!(html.contains("<th scope=\"col\">IRM rating</th>"));
    assert!(!html.contains("beside irm"));
    // A plan whose commitments have no milestones (as OGP's database gives them).
    let plan = fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let mut kept = String::new();
    let mut skipping = false;
    for line in plan.lines() {
        if line.starts_with("[[commitment.milestone]]") {
            skipping = true;
        } else if line.starts_with("[[") || line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    fs::write(dir.path().join("plan.toml"), kept).unwrap();
    // Milestone ratings no longer have a milestone to belong to.
    for entry in fs::read_dir(dir.path().join("scores")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let header = text.lines().next().unwrap().to_string();
        let milestone_col = header.split(',').position(|c| c == "milestone");
        let rows: Vec<&str> = text
            .lines()
            .skip(1)
            .filter(|l| milestone_col.is_none_or(|i| l.split(',').nth(i).unwrap_or("").is_empty()))
            .collect();
        fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    }
    let run = run_in(dir.path(), &["report", ".", "--output", "flat.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let flat = fs::read_to_string(dir.path().join("flat.html")).unwrap();
    assert!(!flat.contains("milestones</span>"), "no milestone counter");
    assert!(!flat.contains("overdue milestones"));
    assert!(!flat.contains("lists no milestones"));
    assert!(flat.contains("<span class=\"label\">commitments</span>"));
    // The terminal summary does not count milestones either.
    let run = run_in(dir.path(), &["summary", "--plan", "plan.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\n7 commitments. Mean score"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.to_lowercase().contains("milestone"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_large_report_stays_under_6_kb_per_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &[
            "generate",
            "g",
            "--commitments",
            "200",
            "--evaluators",
            "5",
            "--criteria",
            "8",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(
        &dir.path().join("g"),
        &["report", ".", "--output", "r.html"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = fs::read_to_string(dir.path().join("g/r.html")).unwrap();
    let per = html.len() / 200;
    assert!(per < 6_000, "{per} bytes per commitment");
    // Nothing left out: every card, every evaluator's evidence, every heat-map cell.
    assert_eq!(html.matches("<article class=\"card\"").count(), 200);
    assert!(html.contains("· the whole commitment · k0, k1, k2, k3, k4, k5, k6, k7</p>"));
    // Every note is there: the criteria listed under the notes add up to the notes written.
    let listed: usize = html
        .split("<li><p class=\"who\">")
        .skip(1)
        .map(|item| {
            let who = &item[..item.find("</p>").unwrap()];
            who.rsplit(" · ").next().unwrap().split(", ").count()
        })
        .sum();
    let json = run_in(
        &dir.path().join("g"),
        &["assess", "--details", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let written: usize = v["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["notes"].as_array().cloned().unwrap_or_default())
        .filter(|n| {
            ["evidence", "comment", "next_steps"]
                .iter()
                .any(|k| !n[*k].as_str().unwrap_or("").trim().is_empty())
        })
        .count();
    assert!(written > 1000, "{written}");
    assert_eq!(listed, written);
    assert_eq!(html.matches(" on commitment c").count(), 200 * 6);
}

/// The report of OGP's database's size (5,000 commitments × 5 evaluators × 8 criteria) is
/// written as it is made: a card is assessed and built when the page reaches it, and the page
/// (27 MB) goes to its file as it is made. The old code held every commitment's results with
/// each evaluator's levels and notes, and the whole page: 150 MB of address space in a release
/// build with one malloc arena, more in a debug build. The new code needs about 92 MB in a
/// debug build (`validate` of the same folder: 64 MB).
#[test]
fn a_report_of_5000_commitments_is_written_as_it_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let g = crate::util::generated(dir.path(), "g", "5000", "5");
    let (code, err, _) = crate::util::bounded_heap(
        &g,
        &["report", ".", "--output", "r.html", "--charts", "charts"],
        120,
        300,
    );
    assert_eq!(code, 0, "{err}");
    let html = fs::read_to_string(g.join("r.html")).unwrap();
    assert_eq!(html.matches("<article class=\"card\"").count(), 5000);
    assert!(html.ends_with("</main>\n</body>\n</html>\n"));
    assert!(
        fs::read_to_string(g.join("charts/heatmap.svg"))
            .unwrap()
            .ends_with("</svg>\n")
    );
}
