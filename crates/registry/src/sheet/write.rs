//! Every CSV Pantau writes goes through [`Writer`]: each cell made safe to
//! open in a spreadsheet ([`super::safe`]), comma-separated, UTF-8.

use std::io::{self, Write};

use super::cell::safe;

/// A CSV writer whose every cell is written through [`super::safe`].
/// Rows may differ in length (a report's headings are one cell).
#[derive(Debug)]
pub struct Writer<W: Write>(csv::Writer<W>);

impl<W: Write> Writer<W> {
    /// A file for programs: no BOM.
    pub fn new(out: W) -> Writer<W> {
        Writer::with_delimiter(out, b',')
    }

    /// A file for programs separated by `delimiter` (`;` for Excel in an
    /// Indonesian locale, as a bank's layout may ask); no BOM.
    pub fn with_delimiter(out: W, delimiter: u8) -> Writer<W> {
        Writer(
            csv::WriterBuilder::new()
                .flexible(true)
                .delimiter(delimiter)
                .from_writer(out),
        )
    }

    /// A file for people: a UTF-8 BOM first, by which Excel knows the file
    /// is UTF-8 (without it, it shows `JosÃ©` for `José`). Pantau's
    /// readers skip it.
    pub fn for_people(mut out: W) -> io::Result<Writer<W>> {
        out.write_all("\u{feff}".as_bytes())?;
        Ok(Writer::new(out))
    }

    /// Writes one row.
    pub fn row<I>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        for cell in cells {
            self.0.write_field(safe(cell.as_ref()).as_bytes())?;
        }
        self.0.write_record(None::<&[u8]>)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    /// What was written, flushed.
    pub fn into_inner(self) -> csv::Result<W> {
        self.0.into_inner().map_err(|e| e.into_error().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_safe_and_rows_may_differ() {
        let mut w = Writer::new(vec![]);
        w.row(["Monev"]).unwrap();
        w.row(["=1+1", "-12", "a,b", "@x"]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "Monev\n'=1+1,-12,\"a,b\",'@x\n");
        let people = Writer::for_people(vec![]).unwrap().into_inner().unwrap();
        assert_eq!(people, "\u{feff}".as_bytes());
    }
}
