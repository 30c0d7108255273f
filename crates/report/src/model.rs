//! A report as data: titled sections of tables, charts and cards, which
//! every format renders the same way. Figures stay numbers here; each
//! format writes them its own way (HTML `Rp 4.924.000.000`, XLSX a number
//! with a rupiah format, CSV a plain integer).

use pantau_domain::Lang;

/// One rendered report.
#[derive(Debug, Clone)]
pub struct Document {
    /// The report's name (`program-progress`, …): its template's name.
    pub report: &'static str,
    pub lang: Lang,
    pub title: String,
    /// Lines under the title: program, year, region, when it was made.
    pub facts: Vec<Fact>,
    pub sections: Vec<Section>,
    pub signature: Option<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub table: Table,
    pub charts: Vec<crate::chart::Chart>,
    /// One card per record where a table row cannot hold it all (a monev
    /// visit's answers and photos).
    pub cards: Vec<Card>,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub total: Option<Row>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub kind: Kind,
}

/// How a column's figures are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Count,
    Rupiah,
    /// Hundredths of a percent.
    Percent,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The row misses a target (marked in every format).
    pub miss: bool,
    /// The cells (by column) whose figure misses its target.
    pub marks: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Rupiah(i64),
    /// Hundredths of a percent (`1234` = 12,34 %).
    Percent(i64),
    /// No figure (a percentage of nothing).
    Empty,
}

impl Cell {
    /// The cell as a person reads it.
    pub fn display(&self, lang: Lang) -> String {
        use pantau_domain::format;
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => format::thousands(*n, lang),
            Cell::Rupiah(n) => format::rupiah(*n),
            Cell::Percent(bp) => format::percent(*bp, lang),
            Cell::Empty => "–".into(),
        }
    }

    pub fn number(&self) -> Option<i64> {
        match self {
            Cell::Count(n) | Cell::Rupiah(n) | Cell::Percent(n) => Some(*n),
            Cell::Text(_) | Cell::Empty => None,
        }
    }
}

pub use pantau_domain::format::ratio_bp;

/// A percentage cell, or an empty one when there is nothing to divide by.
pub fn percent_cell(part: i64, whole: i64) -> Cell {
    ratio_bp(part, whole).map_or(Cell::Empty, Cell::Percent)
}

/// A monev visit's record, or any record shown as a card.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub title: String,
    pub facts: Vec<Fact>,
    pub photos: Vec<Photo>,
}

/// A visit's photo in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Photo {
    /// Carried inside the HTML and PDF, as a `data:` URI.
    Carried(String),
    /// Past what a report carries ([`crate::monev::CARRIED_BYTES`]): the
    /// address Pantau serves it at, to a reader who may see its case.
    Linked(String),
}

/// Who signs the report off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `Bandar Lampung, 23 November 2026`.
    pub place_date: String,
    pub position: String,
    pub name: String,
    pub nip: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_like_an_office_letter() {
        assert_eq!(Cell::Count(168_938).display(Lang::Id), "168.938");
        assert_eq!(ratio_bp(1, 3), Some(3333));
        assert_eq!(ratio_bp(1, 0), None);
        assert_eq!(
            Cell::Rupiah(4_924_000_000).display(Lang::Id),
            "Rp 4.924.000.000"
        );
        assert_eq!(Cell::Percent(1234).display(Lang::Id), "12,34 %");
    }
}
