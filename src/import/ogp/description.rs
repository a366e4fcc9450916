//! Laying out an imported commitment's description as the government wrote it: its
//! paragraphs apart, its section headings marked, and without the officials' contact details.
//!
//! `draft` reads a description as Markdown, where lines that follow each other make one
//! paragraph: OGP's `Full Text`, one line per paragraph or heading, would come out as one wall
//! of text. Here each paragraph and heading gets a blank line after it, a heading on a line of
//! its own is put in bold (`**Problem definition**`), and one that leads a paragraph
//! ("What is the commitment?        In order to…") becomes its bold lead-in. Lines broken in
//! the middle of a sentence (a plan copied out of a PDF) stay together. Not a word is changed:
//! only white space and the bold marks differ from the text.
//!
//! A contact section (names, e-mail addresses and telephone numbers of the officials in
//! charge) is left out, from its heading up to the next section that the text marks, or to
//! the end.

/// Headings that open a contact section (lower case, matched at the start of a line that
/// starts with a capital). Quoted from OGP's data, and the French equivalents.
const CONTACT_HEADINGS: [&str; 30] = [
    "contact information",
    "contact person",
    "contact point",
    "contact details",
    "contacts",
    "points of contact",
    "point of contact",
    "name of responsible person",
    "name of a responsible person",
    "name of the responsible person",
    "name of the person in charge",
    "name, title, department",
    "name of contact point",
    "responsible person in the implementing",
    "civil servant in charge",
    "title, department",
    "title and department",
    "email and phone",
    "e-mail and phone",
    "phone and e-mail",
    "email and telephone",
    "email address and phone",
    "información de contacto",
    "datos de contacto",
    "nombre de la persona responsable",
    "correo electrónico y teléfono",
    "nom du responsable",
    "nom de la personne responsable",
    "coordonnées",
    "informations de contact",
];

/// A contact section's heading as it appears in the middle of a line (lower case).
const RUN_IN_CONTACT: &str = "contact information name of responsible person";

/// Headings of the content sections that may follow a contact section (besides those that
/// start a description), ending it.
const CONTENT_HEADINGS: [&str; 21] = [
    "status quo",
    "definition of the problem",
    "problem definition",
    "defining a problem",
    "commitment analysis",
    "analysis of the commitment",
    "commitment description",
    "description of commitment",
    "proposed solutions",
    "desired results",
    "anticipated impact",
    "rationale for the commitment",
    "ogp values",
    "descripción del compromiso",
    "main objective",
    "ambition",
    "additional information",
    "información adicional",
    "relevance",
    "informations complémentaires",
    "pertinence",
];

/// Words that start a question heading ("What is the commitment?"); `¿` starts one too.
const QUESTION_WORDS: [&str; 8] = [
    "what", "how", "why", "which", "who", "quel", "quelle", "pourquoi",
];

/// A line without its list marker (`a. `, `iv. `, `1. `, `e) `), trimmed.
fn unmarked(line: &str) -> &str {
    let t = line.trim();
    match t.split_once(' ') {
        Some((m, rest))
            if (2..=4).contains(&m.len())
                && (m.ends_with(['.', ')'])
                    && m[..m.len() - 1].chars().all(char::is_alphanumeric)
                    || m.ends_with('-')
                        && m[..m.len() - 1].chars().all(|c| c.is_ascii_digit())) =>
        {
            rest.trim_start()
        }
        _ => t,
    }
}

/// Whether a line opens a section that starts with one of `headings`: it starts with a
/// capital (a line in lower case carries on a broken one) and with the heading's words.
fn starts_with_heading(line: &str, headings: &[&str]) -> bool {
    let t = unmarked(line);
    if t.starts_with(char::is_lowercase) {
        return false;
    }
    let l = t.to_lowercase();
    headings.iter().any(|h| {
        l.strip_prefix(h)
            .is_some_and(|rest| rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric()))
    })
}

fn is_contact(line: &str) -> bool {
    starts_with_heading(line, &CONTACT_HEADINGS)
}

fn ends_contact(line: &str) -> bool {
    starts_with_heading(line, &CONTENT_HEADINGS)
        || super::milestones::opens_any_section(&unmarked(line).to_lowercase())
            && !unmarked(line).starts_with(char::is_lowercase)
}

/// The description without its contact sections (lines).
fn without_contacts(text: &str) -> Vec<&str> {
    let mut kept = Vec::new();
    let mut in_contact = false;
    for line in text.split('\n') {
        // A contact section run into the line before it (RS0050: "… the expansion of Contact
        // Information Name of responsible person from implementing agency Mihailo …").
        let line = match line.to_ascii_lowercase().find(RUN_IN_CONTACT) {
            Some(at) if at > 0 => {
                kept.push(&line[..at]);
                &line[at..]
            }
            _ => line,
        };
        if is_contact(line) {
            in_contact = true;
        } else if in_contact && ends_contact(line) {
            in_contact = false;
        }
        if !in_contact {
            kept.push(line);
        }
    }
    kept
}

/// Whether a whole line is a heading: short, starting with a capital (or `¿`, or a list
/// marker), and ending with `?` or `:`, or one of the sections the text's description starts
/// with, without a full stop.
fn whole_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let t = unmarked(line);
    if words == 0 || words > 15 || !t.starts_with(|c: char| c.is_uppercase() || c == '¿') {
        return false;
    }
    // A heading is one cell: a line with a tab or a run of spaces is a table row.
    if line.contains(['*', '_', '`', '\t']) || line.contains("   ") {
        return false;
    }
    line.ends_with(['?', ':'])
        || (words <= 10
            && !line.ends_with(['.', ',', ';'])
            && (starts_with_heading(line, &CONTENT_HEADINGS)
                || super::milestones::opens_any_section(&t.to_lowercase())))
}

/// A heading that leads its paragraph: `(heading, text)`. The heading is a question ended by
/// `?`, a label ended by `:` (eight words at most, no digits), or a short first cell of a table
/// row (separated by a tab or a run of spaces). Unless it is a question or one of the
/// sections the text marks, the text after it starts with a capital or a digit, as a
/// paragraph does ("a\ttab." is no table row).
fn lead_in(line: &str) -> Option<(&str, &str)> {
    if line.contains(['*', '_', '`']) {
        return None;
    }
    let t = unmarked(line);
    if !t.starts_with(|c: char| c.is_uppercase() || c == '¿') {
        return None;
    }
    let lower = t.to_lowercase();
    let known = starts_with_heading(line, &CONTENT_HEADINGS)
        || starts_with_heading(line, &super::milestones::SECTION_HEADINGS);
    let starts_text = |rest: &str| {
        known
            || rest.starts_with(|c: char| {
                c.is_uppercase() || c.is_ascii_digit() || "¿“\"•".contains(c)
            })
    };
    // A first cell, then a tab or a run of spaces.
    let cell_end = line.find('\t').into_iter().chain(line.find("   ")).min();
    if let Some(end) = cell_end {
        let (head, rest) = (line[..end].trim_end(), line[end..].trim_start());
        // The cell after a label starts with a word ("November   2018" is a row of dates).
        let word_follows = known || !rest.starts_with(|c: char| c.is_ascii_digit());
        if !rest.is_empty()
            && head.split_whitespace().count() <= 12
            && !head.ends_with('.')
            && (head.ends_with(['?', ':']) || word_follows && starts_text(rest))
        {
            return Some((head, rest));
        }
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    let question = lower.starts_with('¿') || QUESTION_WORDS.contains(&first);
    let stop = if question {
        line.find('?')
    } else {
        line.find(':')
    };
    let end = stop.filter(|&e| e < 200)? + 1;
    let (head, rest) = (&line[..end], line[end..].trim_start());
    let words = head.split_whitespace().count();
    let fits = if question {
        words <= 25
    } else {
        words <= 8 && !head.contains(|c: char| c.is_ascii_digit()) && starts_text(rest)
    };
    (fits && !rest.is_empty() && line[end..].starts_with(char::is_whitespace))
        .then_some((head, rest))
}

/// Whether a line starts a bullet or numbered item.
fn is_item(line: &str) -> bool {
    line.starts_with(['•', '●', '▪', '-', '–', '*', '·'])
        || line.split_once(['.', ')']).is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit())
        })
}

/// The description laid out for Markdown: paragraphs apart, headings in bold, no contact
/// section. Returns an empty string when nothing is left.
pub fn lay_out(text: &str) -> String {
    let lines: Vec<&str> = without_contacts(text).into_iter().map(str::trim).collect();
    let mut paragraphs: Vec<String> = Vec::new();
    // Whether the last paragraph may be carried on by the next line.
    let mut open = false;
    let mut previous = "";
    for line in lines {
        if line.is_empty() {
            open = false;
            continue;
        }
        if whole_heading(line) {
            paragraphs.push(format!("**{line}**"));
            open = false;
        } else if let Some((head, rest)) = lead_in(line) {
            paragraphs.push(format!("**{head}** {rest}"));
            open = !rest.ends_with(['.', '!', '?', ':', ';']);
            previous = rest;
            continue;
        } else {
            let carries_on = open
                && !is_item(line)
                && (line.starts_with(char::is_lowercase) || previous.chars().count() >= 60);
            match paragraphs.last_mut() {
                Some(last) if carries_on => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => paragraphs.push(line.to_string()),
            }
            open = !line.ends_with(['.', '!', '?', ':', ';']);
        }
        previous = line;
    }
    // A heading with nothing after it heads nothing.
    while paragraphs
        .last()
        .is_some_and(|p| p.starts_with("**") && p.ends_with("**"))
    {
        paragraphs.pop();
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_headings_apart_contact_left_out_py0038() {
        // PY0038 (Paraguay, plan 4): one line per heading and paragraph, then the officials.
        let text = "¿Cuál es el compromiso?\n Fortalecer la calidad de la participación ciudadana.\n ¿Cómo contribuirá a resolver la problemática?\n La implementación de todas las acciones que forman parte de este compromiso permitirá mejorar la calidad de la participación ciudadana.\n Información adicional\n El compromiso será implementado con recursos asignados a la institución en el Presupuesto General de la Nación.\n Vinculación con otros planes:\n a) PND2030: Combina eje estratégico “Reducción de la pobreza y desarrollo social” con línea transversal “Ordenamiento y desarrollo territorial”.\n Información de contacto\n Sr. Pedro Sosa, Dirección General de Desarrollo y Ordenamiento Territorial de la STP, psosa@stp.gov.py\n +59521450422, +595985500460\n Otros actores \n ENEP";
        assert_eq!(
            lay_out(text),
            "**¿Cuál es el compromiso?**\n\nFortalecer la calidad de la participación ciudadana.\n\n**¿Cómo contribuirá a resolver la problemática?**\n\nLa implementación de todas las acciones que forman parte de este compromiso permitirá mejorar la calidad de la participación ciudadana.\n\n**Información adicional**\n\nEl compromiso será implementado con recursos asignados a la institución en el Presupuesto General de la Nación.\n\n**Vinculación con otros planes:**\n\na) PND2030: Combina eje estratégico “Reducción de la pobreza y desarrollo social” con línea transversal “Ordenamiento y desarrollo territorial”."
        );
    }

    #[test]
    fn a_heading_before_its_text_becomes_a_lead_in_ee0050_py0080() {
        // EE0050 (Estonia, plan 4): a table row, its cells apart by a run of spaces.
        let text = "Commitment description\nWhat is the commitment?        In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed.\nAdditional information";
        assert_eq!(
            lay_out(text),
            "**Commitment description**\n\n**What is the commitment?** In order to make the information on the web page of the Riigikogu more available and user-friendly, the web page is further developed."
        );
        // PY0080 (Paraguay, plan 5): questions that lead their paragraphs, blank lines between.
        let text = "Brief description of the commitment: Facilitate access to public information through the publication of the Journal of Sessions Bulletin. \n\nWhat is the problem that the engagement seeks to address? Information not very accessible. \n\nWhy is it relevant to OGP values? The citizen will be able to access the information managed by the Upper House.";
        assert_eq!(
            lay_out(text),
            "**Brief description of the commitment:** Facilitate access to public information through the publication of the Journal of Sessions Bulletin.\n\n**What is the problem that the engagement seeks to address?** Information not very accessible.\n\n**Why is it relevant to OGP values?** The citizen will be able to access the information managed by the Upper House."
        );
    }

    #[test]
    fn lines_broken_mid_sentence_stay_one_paragraph_contact_person_ke0021() {
        // KE0021 (Kenya): a plan copied out of a PDF, lines broken mid-sentence.
        let text = "Objective:\nTo operationalize the Constitutional requirement of public participation on all\nmatters of policy, decision making and service delivery in Kenya.\nStatus quo:\nWe currently do not have a public participation legislation at national level that\nprovide a general framework for effective public participation as per our\nconstitutional principles of democracy and participation of the people.\nLead implementing Organization\nThe Senate\nContact Person:\nHon. Fatuma Dullo\nSenate Deputy Majority Leader\n+254 707 165 221\nTimeline\nSeptember 2018 to May 2020";
        assert_eq!(
            lay_out(text),
            "**Objective:**\n\nTo operationalize the Constitutional requirement of public participation on all\nmatters of policy, decision making and service delivery in Kenya.\n\n**Status quo:**\n\nWe currently do not have a public participation legislation at national level that\nprovide a general framework for effective public participation as per our\nconstitutional principles of democracy and participation of the people.\n\nLead implementing Organization\n\nThe Senate"
        );
    }

    #[test]
    fn a_contact_section_ends_at_the_next_section_br0106_hn0067() {
        // BR0106 (Brazil): the official in charge, then the commitment's own sections.
        let text = "Lead government institution House of Representatives\n Civil servant in charge for implementing at lead government institution Antonio Carvalho e Silva Neto\n Position - Department Chief for Project and Management Council - APROGE\n E-mail antonio.silvaneto@camara.leg.br\n Telephone (61) 3216-2010/2045\n Status quo or problem/issue to be addressed Difficulties to access information about legislative processes. \n Main objective Increase the participation of various social segments involved in the legislative process.";
        assert_eq!(
            lay_out(text),
            "Lead government institution House of Representatives\n\nStatus quo or problem/issue to be addressed Difficulties to access information about legislative processes.\n\nMain objective Increase the participation of various social segments involved in the legislative process."
        );
        // HN0067 (Honduras): "Name of the person in charge", then its title and e-mail.
        let text = "Additional Information: There is an intrinsic link.\nName of the person in charge: Mauricio Oliva \nTitle and Department: President of the National Congress \nE-mail and phone number: moliva@congreso.gob.hn";
        assert_eq!(
            lay_out(text),
            "**Additional Information:** There is an intrinsic link."
        );
        // RS0050 (Serbia): the contact section run into the line before it.
        assert_eq!(
            lay_out(
                "One of the most important issues is the proactive publication of information by the authorities in the newsletter, but also the expansion of Contact Information Name of responsible person from implementing agency Mihailo Jovanović Title, Department Director Email and phone mihailo.jovanovic@ite.gov.rs"
            ),
            "One of the most important issues is the proactive publication of information by the authorities in the newsletter, but also the expansion of"
        );
        // French: "Nom du responsable" opens one as well.
        assert_eq!(
            lay_out(
                "Objectif : publier les données.\nNom du responsable : Mme X\nCourriel : x@example.org"
            ),
            "**Objectif :** publier les données."
        );
    }

    #[test]
    fn numbered_questions_and_one_line_answers_ci0046_ee0050() {
        // CI0046 (Côte d'Ivoire, plan 4): headings without punctuation, questions numbered "1-".
        let text = "Commitment analysis\n\n1- How will engagement promote transparency? - Text Communications; - publication in the Official Journal.";
        assert_eq!(
            lay_out(text),
            "**Commitment analysis**\n\n**1- How will engagement promote transparency?** - Text Communications; - publication in the Official Journal."
        );
        // EE0050: a short answer's next line is an answer of its own.
        let text = "Which OGP values is this commitment relevant to?        Transparency\nCivic participation";
        assert_eq!(
            lay_out(text),
            "**Which OGP values is this commitment relevant to?** Transparency\n\nCivic participation"
        );
    }

    #[test]
    fn a_sentence_is_no_heading_and_bullets_stay_apart() {
        // LT0024 (Lithuania): a cell of bullets, each its own paragraph.
        let text = "Problem solution/Commitment\tThe problem will be solved by developing methodological tools: \n•\tMethodological legal framework has been created.\n•\tAn information technology infrastructure has been developed.";
        assert_eq!(
            lay_out(text),
            "**Problem solution/Commitment** The problem will be solved by developing methodological tools:\n\n•\tMethodological legal framework has been created.\n\n•\tAn information technology infrastructure has been developed."
        );
        // A bullet ending with a colon is no heading, nor is a row of dates.
        assert_eq!(
            lay_out("- A law on illicit enrichment:\nNovember   2018"),
            "- A law on illicit enrichment:\n\nNovember   2018"
        );
        // A colon or a tab in a sentence makes no heading.
        let text = "The “open” budget: publish it as 'data'.\nLine two has a\ttab.";
        assert_eq!(
            lay_out(text),
            "The “open” budget: publish it as 'data'.\n\nLine two has a\ttab."
        );
        let prose =
            "Open budgets\nProblems occur when budgets are late.\nThe ministry will publish them.";
        assert_eq!(
            lay_out(prose),
            "Open budgets\n\nProblems occur when budgets are late.\n\nThe ministry will publish them."
        );
    }
}
