//! `--format csv`: the document's main table as a spreadsheet. Cells that a spreadsheet would
//! run as a formula (starting with `=`, `+`, `-`, `@`, or a tab or carriage return) are
//! neutralised with a leading apostrophe, unless they are plain numbers.

use super::{Doc, Renderer};
use crate::text::formula_safe;

/// Writes the main table as CSV.
#[derive(Debug)]
pub struct CsvRenderer;

impl Renderer for CsvRenderer {
    fn render(&self, doc: &Doc) -> anyhow::Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        if let Some(grid) = doc.csv_grid() {
            let cols: Vec<usize> = grid.full_columns().collect();
            w.write_record(
                cols.iter()
                    .map(|&i| formula_safe(&grid.columns[i]).into_owned()),
            )?;
            for row in &grid.rows {
                w.write_record(cols.iter().map(|&i| {
                    formula_safe(row.get(i).map_or("", |c| c.text.as_str())).into_owned()
                }))?;
            }
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(formula_safe("+1+1"), "'+1+1");
        assert_eq!(formula_safe("-2+3"), "'-2+3");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("-0.5"), "-0.5");
        assert_eq!(formula_safe("Complete"), "Complete");
    }
}
