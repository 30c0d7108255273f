//! An Excel workbook (`.xlsx`) read into the same clean rows as a CSV:
//! the first worksheet, its first row the header, each cell as text
//! (a whole number without `.0`, a date as `YYYY-MM-DD`, a yes/no as
//! `ya`/`tidak`), cleaned like a CSV cell. Lines are the sheet's row
//! numbers, as Excel shows them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use pantau_domain::Label;

use super::clean;

/// Whether `bytes` look like a workbook (a ZIP file) rather than text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// A workbook's first sheet: the header's names and every row that is not
/// empty, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workbook {
    pub names: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads the first worksheet of `bytes`; a file that is no workbook, or
/// one without a sheet, is refused with one line saying so.
pub fn read(bytes: &[u8]) -> Result<Workbook, Label> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Label::new(
            format!(
                "berkas XLSX tidak dapat dibaca ({e}); simpan ulang dari Excel sebagai .xlsx atau CSV"
            ),
            format!("the XLSX file cannot be read ({e}); save it again from Excel as .xlsx or CSV"),
        )
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable(&"no worksheet"))?
        .map_err(|e| unreadable(&e))?;
    let first = range.start().map_or(0, |(row, _)| u64::from(row));
    let mut rows = range.rows().enumerate();
    let mut names: Vec<String> = rows
        .next()
        .map(|(_, r)| r.iter().map(text).collect())
        .unwrap_or_default();
    while names.last().is_some_and(String::is_empty) {
        names.pop();
    }
    let rows = rows
        .map(|(i, r)| (first + i as u64 + 1, r.iter().map(text).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Workbook { names, rows })
}

/// One cell as the text a CSV of it would hold.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => clean(s).into_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "ya" } else { "tidak" }.into(),
        Data::DateTime(d) => d.as_datetime().map_or_else(
            || d.as_f64().to_string(),
            |t| t.format("%Y-%m-%d").to_string(),
        ),
        Data::Error(e) => format!("#{e:?}"),
    }
}
