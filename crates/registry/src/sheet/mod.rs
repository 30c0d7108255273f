//! CSV files as offices make them, read into clean rows, and CSV written so
//! a spreadsheet cannot run it. Every CSV Pantau reads goes through
//! [`Sheet`], every one it writes through [`Writer`].
//!
//! Reading: UTF-8 with or without a BOM, Windows-1252 (Excel's plain
//! "CSV"), UTF-16 with a BOM ([`decode`]); `;`, `,` or tab between fields,
//! whichever the header line uses most (Excel in an Indonesian locale
//! writes `;`); every cell cleaned ([`clean`]). A row with fewer fields
//! than the header, with more that are not empty, or (in UTF-8) with bytes
//! that are not UTF-8 comes back with its problem, for the caller to refuse
//! by line like any other bad row; an empty row (`;;;;`) is skipped. A
//! workbook saved instead of a CSV, or bytes that are no encoding Excel
//! writes, are refused at once with one line saying how to save the file.
//! The file is read as a stream: memory stays flat however long it is.

mod cell;
mod columns;
mod decode;
pub mod excel;
mod write;
pub mod xlsx;

use std::borrow::Cow;
use std::io::Read;

use pantau_domain::Label;
use serde::Serialize;

pub use cell::{clean, safe};
pub use columns::Columns;
pub use decode::NotText;
pub use write::Writer;

use decode::Decoded;

/// One bad column of one row, or a row that could not be read (`column`
/// is then the column where reading it failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnError {
    pub column: String,
    /// Why, in Indonesian and English.
    pub reason: Label,
}

/// Why a file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Not a text file in an encoding Excel writes: refused at once.
    #[error(transparent)]
    NotText(#[from] NotText),
    /// Reading failed (the disk, the network).
    #[error("cannot read the CSV: {0}")]
    Read(#[from] csv::Error),
}

/// One row as read: its line in the file (the header is line 1) and its
/// cells, cleaned; or why it cannot be read, with its cells as far as they
/// can be (for a file of refused rows).
#[derive(Debug)]
pub struct Row<'a> {
    pub line: u64,
    pub cells: Vec<Cow<'a, str>>,
    pub unreadable: Option<ColumnError>,
}

/// A CSV file being read, row by row.
#[derive(Debug)]
pub struct Sheet<R: Read> {
    reader: csv::Reader<Decoded<R>>,
    record: csv::ByteRecord,
    names: Vec<String>,
    encoding: &'static str,
    delimiter: u8,
}

impl<R: Read> Sheet<R> {
    /// Reads the header line, after choosing the encoding and the delimiter
    /// from the first bytes. Header names are cleaned; empty names at the
    /// end (columns Excel kept for their formatting) are dropped.
    pub fn open(input: R) -> Result<Sheet<R>, SheetError> {
        let opened = Decoded::open(input)?;
        let delimiter = delimiter(&opened.first_line);
        // Lines end at `\n` (a `\r` before it is trimmed with the last
        // cell), so the reader's position after a row is on the next line.
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_reader(opened.reader);
        let mut names: Vec<String> = reader
            .byte_headers()?
            .iter()
            .map(|n| clean(&String::from_utf8_lossy(n)).into_owned())
            .collect();
        while names.last().is_some_and(String::is_empty) {
            names.pop();
        }
        Ok(Sheet {
            reader,
            record: csv::ByteRecord::new(),
            names,
            encoding: opened.encoding,
            delimiter,
        })
    }

    /// The header's names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The encoding read (`UTF-8`, `windows-1252`, `UTF-16LE`, or `ASCII`
    /// when nothing else was met) and the delimiter.
    pub fn format(&self) -> (&'static str, char) {
        (self.encoding, char::from(self.delimiter))
    }

    /// The next row that is not empty, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, SheetError> {
        loop {
            if !self.reader.read_byte_record(&mut self.record)? {
                return Ok(None);
            }
            if !self.record.iter().all(blank) {
                break;
            }
        }
        // Where the record ends (its `\n` read), less the lines in its
        // quoted cells: the csv crate's own start position counts from
        // before the empty lines it skips.
        let whole = self.record.as_slice();
        let inner = match whole.contains(&b'\n') {
            true => whole.iter().filter(|b| **b == b'\n').count() as u64,
            false => 0,
        };
        let line = self.reader.position().line().saturating_sub(1 + inner);
        let width = self.names.len();
        let mut unreadable = None;
        let mut cells = Vec::with_capacity(self.record.len());
        // Most rows are ASCII: checked once, each cell sliced without copying.
        if let Some(text) = whole
            .is_ascii()
            .then(|| std::str::from_utf8(whole).ok())
            .flatten()
        {
            for i in 0..self.record.len() {
                let cell = self.record.range(i).and_then(|r| text.get(r)).unwrap_or("");
                cells.push(Cow::Borrowed(cell::clean_ascii(cell)));
            }
        }
        for (i, bytes) in self.record.iter().enumerate().skip(cells.len()) {
            match std::str::from_utf8(bytes) {
                Ok(text) => cells.push(clean(text)),
                Err(_) => {
                    if unreadable.is_none() {
                        unreadable = Some(ColumnError {
                            column: self.column(i),
                            reason: Label::new(
                                "bukan teks UTF-8; simpan berkas sebagai CSV UTF-8",
                                "not UTF-8 text: save the file as CSV UTF-8",
                            ),
                        });
                    }
                    cells.push(Cow::Owned(String::from_utf8_lossy(bytes).into_owned()));
                }
            }
        }
        let fields = cells.len();
        if fields < width {
            unreadable = Some(ColumnError {
                column: self.column(fields),
                reason: Label::new(
                    format!(
                        "baris ini hanya {fields} kolom, judulnya {width}: ada pemisah yang hilang"
                    ),
                    format!(
                        "the row has {fields} fields, the header {width}: a separator is missing"
                    ),
                ),
            });
        } else if let Some(extra) = cells[width..].iter().position(|c| !c.is_empty()) {
            unreadable = Some(ColumnError {
                column: self.column(width + extra),
                reason: Label::new(
                    format!(
                        "baris ini {fields} kolom, judulnya hanya {width}: ada pemisah berlebih, \
                         mis. koma desimal di berkas berpemisah koma"
                    ),
                    format!(
                        "the row has {fields} fields, the header only {width}: a separator too \
                         many, e.g. a decimal comma in a comma-separated file"
                    ),
                ),
            });
        } else {
            cells.truncate(width);
        }
        Ok(Some(Row {
            line,
            cells,
            unreadable,
        }))
    }

    /// Column `i`'s name, or its number (from 1) past the header.
    fn column(&self, i: usize) -> String {
        self.names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("#{}", i + 1))
    }
}

/// Whether a cell is empty once cleaned.
fn blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
        || (!bytes.is_ascii() && std::str::from_utf8(bytes).is_ok_and(|t| clean(t).is_empty()))
}

/// The delimiter the header line uses most, outside quotes: `;`, `,` or a
/// tab; a comma when it uses none (a file of one column).
fn delimiter(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests;
