//! CSV for the next program that reads it: one table after another, each
//! under a line with its section's heading and separated by a blank line;
//! figures as plain integers (rupiah whole, no separators) and percentages
//! with a dot (`12.34`), so a spreadsheet or a script reads them as numbers.

use crate::ReportError;
use crate::model::{Cell, Document, Row};

pub fn write(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut out = vec![];
    for (i, s) in doc.sections.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut w = ::csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(vec![]);
        w.write_record([s.heading.as_str()])?;
        w.write_record(s.table.columns.iter().map(|c| c.label.as_str()))?;
        for r in s.table.rows.iter().chain(&s.table.total) {
            w.write_record(record(r))?;
        }
        out.extend(
            w.into_inner()
                .map_err(|e| ReportError::Csv(e.into_error().into()))?,
        );
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
