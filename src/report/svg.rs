//! Hand-made SVG: the [`Chart`] every figure of the report is (a title, a text alternative, the
//! drawing and the data table behind it), the colour-blind-safe palettes, and small drawing
//! helpers. The drawing uses presentation attributes only (no CSS classes), so a chart looks
//! the same inline in the report and as a standalone `.svg` file.

use std::io::Write;

use super::html::esc;

/// The font stack: the reader's system fonts, nothing downloaded.
pub(crate) const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";

/// Okabe & Ito's colour-blind-safe palette (2008): blue, vermillion, bluish green, orange,
/// reddish purple, sky blue, yellow, black.
pub(crate) const OKABE_ITO: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// The coalition's marks (Okabe–Ito blue).
pub(crate) const BLUE: &str = "#0072B2";
/// Warnings and the reference's marks (Okabe–Ito vermillion).
pub(crate) const VERMILLION: &str = "#D55E00";
/// Text and outlines.
pub(crate) const INK: &str = "#1A1A1A";
/// Secondary text.
pub(crate) const MUTED: &str = "#595959";
/// "No evidence" / not rated: a light grey, always drawn with the hatch pattern too.
pub(crate) const NONE_FILL: &str = "#EDEDED";

/// The one ordered palette of every ordinal scale (ColorBrewer's RdBu, colour-blind safe):
/// the lowest level dark red, then orange, a neutral middle, light blue, and the highest level
/// dark blue. The terminal uses the same five steps (`crate::render::Tone`); the report
/// interpolates between them so that every level of a long scale has its own shade. Statuses
/// that are not a point of the scale are grey and hatched ([`NONE_FILL`]). How it was checked
/// for colour-vision deficiencies: docs/report.md and the tests below.
pub(crate) const SCALE: [(u8, u8, u8); 5] = [
    (0xB2, 0x18, 0x2B),
    (0xEF, 0x8A, 0x62),
    (0xF7, 0xF7, 0xF7),
    (0x67, 0xA9, 0xCF),
    (0x21, 0x66, 0xAC),
];

/// The fill of level `i` of `n` ordered levels (0 = lowest): red at the lowest, neutral in the
/// middle, blue at the highest.
pub(crate) fn level_fill(i: usize, n: usize) -> String {
    let t = if n < 2 {
        0.5
    } else {
        i.min(n - 1) as f64 / (n - 1) as f64
    };
    let x = t * (SCALE.len() - 1) as f64;
    let lo = (x.floor() as usize).min(SCALE.len() - 1);
    let hi = (lo + 1).min(SCALE.len() - 1);
    let f = x - lo as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (SCALE[lo], SCALE[hi]);
    format!(
        "#{:02X}{:02X}{:02X}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// The fill of category `i` of an unordered scale.
pub(crate) fn category_fill(i: usize) -> &'static str {
    // Black is left out: labels are written on the fill.
    OKABE_ITO[i % (OKABE_ITO.len() - 1)]
}

/// Black or white, whichever reads better on `fill` (`#RRGGBB`).
pub(crate) fn text_on(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(1.0, |v| {
                let c = f64::from(v) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    // Contrast against black vs. against white.
    if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) {
        "#000000"
    } else {
        "#FFFFFF"
    }
}

/// A number for SVG coordinates: at most one decimal, no trailing `.0`.
pub(crate) fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.1}")
    }
}

/// How wide `s` is at `size` pixels in a regular weight. Charts are laid out on the server, with
/// no access to the reader's fonts, so the widths are those of DejaVu Sans: the widest of the
/// common system sans-serif fonts and the one most Linux systems fall back to. Text measured
/// this way fits in narrower fonts (Segoe UI, Roboto, Helvetica, Arial) too.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    measure(s, size, false)
}

/// How wide `s` is at `size` pixels in bold (`font-weight` 600 or 700; see [`text_width`]).
pub(crate) fn bold_text_width(s: &str, size: f64) -> f64 {
    measure(s, size, true)
}

/// Advance widths of DejaVu Sans (version 2.37), in thousandths of an em, for `' '..='~'`.
const DEJAVU_SANS: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/// The same for DejaVu Sans Bold.
const DEJAVU_SANS_BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

fn measure(s: &str, size: f64, bold: bool) -> f64 {
    let ascii = if bold {
        &DEJAVU_SANS_BOLD
    } else {
        &DEJAVU_SANS
    };
    let thousandths: u64 = s
        .chars()
        .map(|c| match c {
            ' '..='~' => u64::from(ascii[c as usize - 32]),
            // Combining accents and zero-width characters take no room of their own.
            '\u{300}'..='\u{36F}' | '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' => 0,
            '\u{A0}' | '\u{B7}' | '\u{2009}' | '\u{202F}' => ascii[0].into(),
            '\u{2013}' => 500,
            '\u{2014}' | '\u{2026}' | '\u{2030}' => 1000,
            // East Asian wide characters: a full em.
            '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FF60}' => 1000,
            // Other letters (accented Latin, Cyrillic, Greek…): the widest of their averages
            // in DejaVu Sans (Cyrillic: capitals 0.76 em, small letters 0.66 em; bold 0.86, 0.73).
            c if c.is_uppercase() => {
                if bold {
                    870
                } else {
                    770
                }
            }
            _ => {
                if bold {
                    730
                } else {
                    660
                }
            }
        })
        .sum();
    thousandths as f64 / 1000.0 * size
}

/// The data behind a chart, as a table of plain text (escaped when rendered).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataTable {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DataTable {
    pub(crate) fn new<S: Into<String>>(head: impl IntoIterator<Item = S>) -> Self {
        DataTable {
            head: head.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as HTML; the first cell of each row is its header.
    pub fn html(&self, caption: &str) -> String {
        written(0, |out| self.write_html(out, caption))
    }

    /// [`DataTable::html`], written as it is made (a heat map's table of 50,000 rows is never
    /// held as one string).
    pub fn write_html(&self, w: &mut dyn Write, caption: &str) -> std::io::Result<()> {
        w.write_all(b"<table>")?;
        if !caption.is_empty() {
            write!(w, "<caption>{}</caption>", esc(caption))?;
        }
        w.write_all(b"<thead><tr>")?;
        for h in &self.head {
            write!(w, "<th scope=\"col\">{}</th>", esc(h))?;
        }
        w.write_all(b"</tr></thead><tbody>")?;
        for row in &self.rows {
            w.write_all(b"<tr>")?;
            for (i, cell) in row.iter().enumerate() {
                if i == 0 {
                    write!(w, "<th scope=\"row\">{}</th>", esc(cell))?;
                } else {
                    write!(w, "<td>{}</td>", esc(cell))?;
                }
            }
            w.write_all(b"</tr>")?;
        }
        w.write_all(b"</tbody></table>")
    }
}

/// What `write` writes into memory, as a string. Writing into memory cannot fail, and the
/// writers here write whole strings; should either ever change, what was written is kept
/// (any broken character replaced) rather than the program stopped.
fn written(capacity: usize, write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::with_capacity(capacity);
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One chart: what it shows in words and numbers, and how it is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// A short id, unique in the report: the file name of `--charts` (`completion.svg`) and
    /// the prefix of every id inside the drawing.
    pub name: String,
    /// The title (the SVG's `<title>` and the visible caption).
    pub title: String,
    /// The text alternative (the SVG's `<desc>`): what the chart shows, in sentences.
    pub desc: String,
    pub width: f64,
    pub height: f64,
    /// The SVG elements, built with escaped text.
    pub(crate) body: String,
    /// The same numbers as a table.
    pub table: DataTable,
}

impl Chart {
    /// Writes the `<svg>` element; `standalone` adds the XML declaration and namespace a
    /// `.svg` file needs (in HTML the parser supplies the namespace).
    pub fn write_svg(&self, w: &mut dyn Write, standalone: bool) -> std::io::Result<()> {
        let name = &self.name;
        if standalone {
            w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
        }
        writeln!(
            w,
            "<svg{} viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
             aria-labelledby=\"{name}-title\" aria-describedby=\"{name}-desc\" \
             font-family=\"{font}\" font-size=\"12\" fill=\"{INK}\" class=\"chart-svg\">",
            if standalone {
                " xmlns=\"http://www.w3.org/2000/svg\""
            } else {
                ""
            },
            w = n(self.width),
            h = n(self.height),
            font = esc(FONT),
        )?;
        writeln!(
            w,
            "<title id=\"{name}-title\">{}</title>\n<desc id=\"{name}-desc\">{}</desc>",
            esc(&self.title),
            esc(&self.desc)
        )?;
        writeln!(
            w,
            "<defs><pattern id=\"{name}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
             <rect width=\"6\" height=\"6\" fill=\"{NONE_FILL}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9A9A9A\" stroke-width=\"2\"/></pattern></defs>"
        )?;
        writeln!(
            w,
            "<rect width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>",
            n(self.width),
            n(self.height)
        )?;
        w.write_all(self.body.as_bytes())?;
        w.write_all(b"</svg>\n")
    }

    /// The hatch pattern's reference, for "no evidence" areas.
    pub(crate) fn hatch(name: &str) -> String {
        format!("url(#{name}-hatch)")
    }

    /// The chart as an HTML figure: caption, drawing, a note (HTML, trusted), and the data
    /// table in a collapsible block (`summary`: its label, default "Data table: TITLE").
    pub fn figure(&self, tr: &super::Tr, note: &str, summary: Option<&str>) -> String {
        written(self.body.len() + 2048, |out| {
            self.write_figure(out, tr, note, summary)
        })
    }

    /// [`Chart::figure`], written as it is made.
    pub fn write_figure(
        &self,
        w: &mut dyn Write,
        tr: &super::Tr,
        note: &str,
        summary: Option<&str>,
    ) -> std::io::Result<()> {
        write!(
            w,
            "<figure class=\"chart\" id=\"fig-{}\">\n<figcaption>{}</figcaption>\n<div class=\"chart-box\">",
            self.name,
            esc(&self.title),
        )?;
        self.write_svg(w, false)?;
        w.write_all(b"</div>\n")?;
        if !note.is_empty() {
            writeln!(w, "<p class=\"chart-note\">{note}</p>")?;
        }
        let summary = summary.map_or_else(
            || tr.f("data_table", &[("title", &self.title)]),
            String::from,
        );
        write!(
            w,
            "<details class=\"data\"><summary>{}</summary>",
            esc(&summary)
        )?;
        self.table.write_html(w, "")?;
        w.write_all(b"</details>\n</figure>\n")
    }
}

/// Drawing helpers that push SVG elements onto a string.
#[derive(Debug, Default)]
pub(crate) struct Draw {
    pub(crate) out: String,
}

impl Draw {
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Text at (x, y); `anchor` is start, middle or end; `extra` holds more attributes.
    pub(crate) fn text(&mut self, x: f64, y: f64, anchor: &str, extra: &str, content: &str) {
        put!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{}{}>{}</text>\n",
            n(x),
            n(y),
            if extra.is_empty() { "" } else { " " },
            extra,
            esc(content)
        );
    }

    /// Text with a tooltip holding the full text when it was shortened.
    pub(crate) fn text_full(
        &mut self,
        x: f64,
        y: f64,
        anchor: &str,
        extra: &str,
        shown: &str,
        full: &str,
    ) {
        if shown == full {
            self.text(x, y, anchor, extra, shown);
        } else {
            put!(
                self.out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{}{}><title>{}</title>{}</text>\n",
                n(x),
                n(y),
                if extra.is_empty() { "" } else { " " },
                extra,
                esc(full),
                esc(shown)
            );
        }
    }

    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, extra: &str) {
        put!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {extra}/>\n",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, extra: &str) {
        put!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {extra}/>\n",
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    pub(crate) fn circle(&mut self, cx: f64, cy: f64, r: f64, extra: &str) {
        put!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {extra}/>\n",
            n(cx),
            n(cy),
            n(r)
        );
    }

    /// A diamond centred on (cx, cy).
    pub(crate) fn diamond(&mut self, cx: f64, cy: f64, r: f64, extra: &str) {
        put!(
            self.out,
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" {extra}/>\n",
            n(cx),
            n(cy - r),
            n(cx + r),
            n(cy),
            n(cx),
            n(cy + r),
            n(cx - r),
            n(cy)
        );
    }

    /// An ✕ centred on (cx, cy).
    pub(crate) fn cross(&mut self, cx: f64, cy: f64, r: f64, colour: &str) {
        put!(
            self.out,
            "<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{colour}\" stroke-width=\"3\" stroke-linecap=\"round\"/>\n",
            n(cx - r),
            n(cy - r),
            n(cx + r),
            n(cy + r),
            n(cx - r),
            n(cy + r),
            n(cx + r),
            n(cy - r)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_by_dejavu_sans_glyph_widths() {
        // "Ab": 684 + 635 thousandths of an em; bold 774 + 716.
        assert!((text_width("Ab", 10.0) - 13.19).abs() < 1e-9);
        assert!((bold_text_width("Ab", 10.0) - 14.90).abs() < 1e-9);
        // Accented and Cyrillic letters are counted wide; combining accents take no room.
        assert!((text_width("é", 10.0) - 6.6).abs() < 1e-9);
        assert!((text_width("e\u{301}", 10.0) - 6.15).abs() < 1e-9);
        assert!((text_width("Д", 10.0) - 7.7).abs() < 1e-9);
        // The French overdue line of the timeline (it spilled past its chart at 0.58 em a glyph
        // in DejaVu Sans Bold, measured 0.63 em a glyph).
        let line = "échéance : 31 décembre 2017 · Non commencé · EN RETARD";
        let glyphs = line.chars().count() as f64;
        assert!(bold_text_width(line, 11.0) >= glyphs * 11.0 * 0.63);
        assert!(text_width(line, 11.0) < bold_text_width(line, 11.0));
    }

    #[test]
    fn levels_run_from_red_through_neutral_to_blue_and_text_stays_readable() {
        assert_eq!(level_fill(0, 4), "#B2182B");
        assert_eq!(level_fill(3, 4), "#2166AC");
        assert_eq!(level_fill(2, 5), "#F7F7F7");
        assert_eq!(level_fill(1, 3), "#F7F7F7");
        assert_eq!(level_fill(0, 1), "#F7F7F7");
        assert_eq!(text_on(&level_fill(0, 4)), "#FFFFFF");
        assert_eq!(text_on(&level_fill(3, 4)), "#FFFFFF");
        assert_eq!(text_on(&level_fill(1, 4)), "#000000");
        assert_eq!(text_on("#FFFFFF"), "#000000");
        // The terminal's five steps are the report's five stops.
        for (step, tone) in crate::render::SCALE.iter().enumerate() {
            assert_eq!(crate::render::Tone::of_level(step, 5), *tone);
            let (r, g, b) = SCALE[step];
            assert_eq!(level_fill(step, 5), format!("#{r:02X}{g:02X}{b:02X}"));
        }
    }

    /// sRGB (0–255) to linear light.
    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// Linear light to CIE L*a*b* (D65).
    fn lab(rgb: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = rgb.map(|v| v.clamp(0.0, 1.0));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    /// Machado, Oliveira & Fernandes (2009) simulation matrices, severity 1.0.
    const SIMULATIONS: [(&str, [[f64; 3]; 3]); 4] = [
        (
            "normal vision",
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ),
        (
            "protanopia",
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ],
        ),
        (
            "deuteranopia",
            [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ],
        ),
        (
            "tritanopia",
            [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ],
        ),
    ];

    fn simulated(hex: &str, m: &[[f64; 3]; 3]) -> [f64; 3] {
        let h = hex.trim_start_matches('#');
        let c = |i: usize| linear(u8::from_str_radix(&h[i..i + 2], 16).unwrap());
        let rgb = [c(0), c(2), c(4)];
        let row = |r: [f64; 3]| r[0] * rgb[0] + r[1] * rgb[1] + r[2] * rgb[2];
        lab([row(m[0]), row(m[1]), row(m[2])])
    }

    /// Every pair of neighbouring levels, on scales of 2 to 7 levels, stays distinguishable
    /// (CIE76 ΔE of at least 15) under each simulated colour-vision deficiency, and the
    /// neutral middle is told apart from the grey of statuses by more than colour: statuses are
    /// hatched (checked in the report tests).
    #[test]
    fn the_scale_stays_distinguishable_with_every_common_colour_vision_deficiency() {
        for (name, m) in &SIMULATIONS {
            for n in 2..=7 {
                let labs: Vec<[f64; 3]> = (0..n).map(|i| simulated(&level_fill(i, n), m)).collect();
                for (i, pair) in labs.windows(2).enumerate() {
                    let d = ((pair[0][0] - pair[1][0]).powi(2)
                        + (pair[0][1] - pair[1][1]).powi(2)
                        + (pair[0][2] - pair[1][2]).powi(2))
                    .sqrt();
                    assert!(
                        d >= 15.0,
                        "{name}: levels {i} and {} of {n} differ by ΔE {d:.1}",
                        i + 1
                    );
                }
                // The ends stay far apart, whatever the vision.
                let (a, b) = (labs[0], labs[n - 1]);
                let ends =
                    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
                assert!(
                    ends >= 30.0,
                    "{name}: the ends of {n} levels differ by ΔE {ends:.1}"
                );
            }
        }
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(3.0), "3");
        assert_eq!(n(3.04), "3");
        assert_eq!(n(3.25), "3.3");
        assert_eq!(n(-0.5), "-0.5");
    }
}
