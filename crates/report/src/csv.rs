//! CSV for the next program that reads it: one table after another, each
//! under a line with its section's heading and separated by a blank line;
//! figures as plain integers (rupiah whole, no separators) and percentages
//! with a dot (`12.34`), so a spreadsheet or a script reads them as numbers.
//! Written through [`pantau_registry::sheet::Writer`]: a text cell a
//! spreadsheet would run as a formula (a name or a finding starting with
//! `=`, `+`, `-`, `@`) gets a `'` before it; plain numbers, negative ones
//! too, stay numbers.

use pantau_registry::sheet::Writer;

use crate::ReportError;
use crate::model::{Cell, Document, Row};

pub fn write(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut out = vec![];
    for (i, s) in doc.sections.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut w = Writer::new(out);
        w.row([s.heading.as_str()])?;
        w.row(s.table.columns.iter().map(|c| c.label.as_str()))?;
        for r in s.table.rows.iter().chain(&s.table.total) {
            w.row(record(r))?;
        }
        out = w.into_inner()?;
    }
    Ok(out)
}

fn record(r: &Row) -> Vec<String> {
    r.cells
        .iter()
        .map(|c| match c {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) | Cell::Rupiah(n) => n.to_string(),
            Cell::Percent(bp) => pantau_domain::format::decimal(*bp, "."),
            Cell::Empty => String::new(),
        })
        .collect()
}
