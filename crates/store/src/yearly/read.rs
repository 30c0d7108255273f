//! A yearly file's bytes read into checked rows: CSV through the one
//! [`Sheet`] reader, XLSX through [`xlsx`], each row parsed with every bad
//! column named, and a cooperative and year listed twice refused at the
//! second line.

use std::collections::BTreeMap;
use std::io::Cursor;

use pantau_domain::Label;
use pantau_registry::sheet::{Sheet, SheetError, xlsx};
use pantau_registry::yearly::{Header, YearRow, parse_row};

use super::RowProblem;

/// The file's rows as parsed, with the header (for naming columns) and every refused row.
pub(super) struct Parsed {
    pub header: Option<Header>,
    pub rows: Vec<(u64, YearRow)>,
    pub refused: Vec<RowProblem>,
}

/// Reads `bytes` (a workbook or a CSV); `Err` when it is neither, with one line saying how to save it.
pub(super) fn parse(bytes: &[u8], this_year: i32) -> Result<Parsed, String> {
    let mut out = Parsed {
        header: None,
        rows: Vec::new(),
        refused: Vec::new(),
    };
    let take = |out: &mut Parsed, line: u64, cells: &[&str]| {
        let Some(header) = &out.header else { return };
        match parse_row(header, cells, this_year) {
            Ok(row) => out.rows.push((line, row)),
            Err(problems) => out.refused.extend(problems.into_iter().map(|p| RowProblem {
                line,
                column: p.column,
                reason: p.reason,
            })),
        }
    };
    if xlsx::is_workbook(bytes) {
        let book = xlsx::read(bytes).map_err(|l| l.both())?;
        if !header(&mut out, book.names.iter().map(String::as_str)) {
            return Ok(out);
        }
        for (line, cells) in &book.rows {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            take(&mut out, *line, &cells);
        }
    } else {
        let mut sheet = Sheet::open(Cursor::new(bytes)).map_err(unreadable)?;
        let names: Vec<String> = sheet.names().to_vec();
        if !header(&mut out, names.iter().map(String::as_str)) {
            return Ok(out);
        }
        while let Some(row) = sheet.next_row().map_err(unreadable)? {
            if let Some(e) = row.unreadable {
                out.refused.push(RowProblem {
                    line: row.line,
                    column: e.column,
                    reason: e.reason,
                });
                continue;
            }
            let cells: Vec<&str> = row.cells.iter().map(|c| c.as_ref()).collect();
            take(&mut out, row.line, &cells);
        }
    }
    twice(&mut out);
    Ok(out)
}

fn unreadable(e: SheetError) -> String {
    match e {
        SheetError::NotText(e) => e.0,
        SheetError::Read(e) => format!("CSV tidak dapat dibaca (cannot read the CSV): {e}"),
    }
}

/// Reads the header row into `out`; `false` (with the problems at line 1) when it is unusable.
fn header<'a>(out: &mut Parsed, names: impl Iterator<Item = &'a str>) -> bool {
    match Header::new(names) {
        Ok(h) => {
            out.header = Some(h);
            true
        }
        Err(problems) => {
            out.refused.extend(problems.into_iter().map(|p| RowProblem {
                line: 1,
                column: p.column,
                reason: p.reason,
            }));
            false
        }
    }
}

/// A cooperative and year on two lines: the later is refused, naming the first.
fn twice(out: &mut Parsed) {
    let Some(header) = &out.header else { return };
    let mut first: BTreeMap<(String, i32), u64> = BTreeMap::new();
    let column = header.written("nik_koperasi");
    let mut refused = Vec::new();
    out.rows.retain(
        |(line, row)| match first.entry((row.nik.to_string(), row.year)) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(*line);
                true
            }
            std::collections::btree_map::Entry::Occupied(seen) => {
                let n = seen.get();
                refused.push(RowProblem {
                    line: *line,
                    column: column.clone(),
                    reason: Label::new(
                        format!(
                            "koperasi ini dengan tahun {} sudah ada di baris {n}",
                            row.year
                        ),
                        format!(
                            "this cooperative and year {} are already on line {n}",
                            row.year
                        ),
                    ),
                });
                false
            }
        },
    );
    out.refused.extend(refused);
}
