//! A file's rows as [`crate::sheet`] reads them, a CSV or a workbook alike,
//! and the header looked up by the names a layout gives.

use pantau_domain::{Label, Rupiah};

use super::LineError;
use crate::sheet::{Sheet, SheetError, xlsx};
use crate::yearly;

/// One row: its line, its cells, or why it cannot be read.
pub(super) struct Line {
    pub line: u64,
    pub cells: Vec<String>,
    pub unreadable: Option<LineError>,
}

/// A whole file: the header's names and the rows that are not empty.
pub(super) struct Table {
    pub names: Vec<String>,
    pub rows: Vec<Line>,
}

/// The header's line.
pub(super) const HEADER: u64 = 1;

/// Reads `bytes`, a workbook or a CSV.
pub(super) fn read(bytes: &[u8]) -> Result<Table, Vec<LineError>> {
    let whole = |reason: Label| vec![LineError::new(0, "", reason)];
    if xlsx::is_workbook(bytes) {
        let book = xlsx::read(bytes).map_err(whole)?;
        let rows = book
            .rows
            .into_iter()
            .map(|(line, cells)| Line {
                line,
                cells,
                unreadable: None,
            })
            .collect();
        return Ok(Table {
            names: book.names,
            rows,
        });
    }
    let sheet_error = |e: SheetError| match e {
        SheetError::NotText(e) => Label::new(e.0.clone(), e.0),
        SheetError::Read(e) => Label::new(
            format!("CSV tidak dapat dibaca: {e}"),
            format!("cannot read the CSV: {e}"),
        ),
    };
    let mut sheet = Sheet::open(bytes).map_err(|e| whole(sheet_error(e)))?;
    let names = sheet.names().to_vec();
    let mut rows = vec![];
    while let Some(row) = sheet.next_row().map_err(|e| whole(sheet_error(e)))? {
        rows.push(Line {
            line: row.line,
            cells: row.cells.iter().map(|c| c.to_string()).collect(),
            unreadable: row
                .unreadable
                .map(|e| LineError::new(row.line, e.column, e.reason)),
        });
    }
    Ok(Table { names, rows })
}

impl Table {
    /// Where the column `header` is (names compared without case); a
    /// column the file has twice is an error, and so is a missing one
    /// when `required`.
    pub fn find(&self, header: &str, required: bool, errors: &mut Vec<LineError>) -> Option<usize> {
        let mut at = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.trim().eq_ignore_ascii_case(header.trim()));
        let first = at.next().map(|(i, _)| i);
        if let Some((_, again)) = at.next() {
            errors.push(LineError::new(
                HEADER,
                again.clone(),
                Label::new("kolom ganda", "duplicate column"),
            ));
        }
        if first.is_none() && required {
            errors.push(LineError::new(
                HEADER,
                header,
                Label::new(
                    format!(
                        "kolom wajib tidak ada (judul kolom: {})",
                        self.names.join(", ")
                    ),
                    format!(
                        "required column missing (the header: {})",
                        self.names.join(", ")
                    ),
                ),
            ));
        }
        first
    }

    /// Column `i`'s name as the file writes it.
    pub fn name(&self, i: usize) -> String {
        self.names.get(i).cloned().unwrap_or_default()
    }

    /// The rows and the totals row (the first or last), by `place`; a
    /// totals row expected in a file with no rows is an error.
    pub fn split(
        &self,
        place: crate::bank::layout::Place,
        errors: &mut Vec<LineError>,
    ) -> (&[Line], Option<&Line>) {
        use crate::bank::layout::Place;
        let rows = &self.rows[..];
        let split = match place {
            Place::None => return (rows, None),
            Place::FirstRow => rows.split_first().map(|(t, r)| (r, t)),
            Place::LastRow => rows.split_last().map(|(t, r)| (r, t)),
        };
        match split {
            Some((rows, totals)) => (rows, Some(totals)),
            None => {
                errors.push(LineError::new(
                    HEADER,
                    "",
                    Label::new(
                        "berkas tanpa baris; baris total pun tidak ada",
                        "the file has no rows, not even its totals row",
                    ),
                ));
                (&[], None)
            }
        }
    }
}

/// The cell at `i` in `cells`, trimmed; empty when there is none.
pub(super) fn cell(cells: &[String], i: Option<usize>) -> &str {
    i.and_then(|i| cells.get(i)).map_or("", |c| c.trim())
}

/// An amount as a bank's file or Excel writes it (`1500000`, `1.500.000`,
/// `Rp 1.500.000`, `1.500.000,00`, `1500000.00`); scientific notation,
/// sen and negatives refused, by name.
pub(super) fn amount(column: &str, text: &str) -> Result<Rupiah, Label> {
    let plain = yearly::number(column, text)?;
    Rupiah::parse(&plain).map_err(|e| e.label())
}

/// A count in a totals row (`1000`, `1.000`, `1000.0`).
pub(super) fn count(column: &str, text: &str) -> Result<u64, Label> {
    amount(column, text)
        .map(|r| u64::try_from(r.get()).unwrap_or(0))
        .map_err(|_| {
            Label::new(
                format!("`{text}` bukan banyaknya baris"),
                format!("`{text}` is not a number of lines"),
            )
        })
}
