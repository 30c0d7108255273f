//! A file's header row read against a table's columns, each with its
//! English and Indonesian name: where each column is, how the file names
//! it (so a refusal names the column as the file does), and what is wrong
//! with the header (an unknown column, a column twice, a required one
//! missing), every problem at once. The registry import and the yearly
//! import both read their headers here.

use pantau_domain::Label;

use super::ColumnError;

/// The header of a file whose columns are `english` (or `kolom`, in
/// Indonesian, position for position).
#[derive(Debug, Clone)]
pub struct Columns<const N: usize> {
    english: [&'static str; N],
    index: [Option<usize>; N],
    /// Each column's name as the file writes it (English or Indonesian).
    written: [&'static str; N],
}

impl<const N: usize> Columns<N> {
    /// Reads the header `names`; a name in `ignored` is skipped, and a
    /// column whose position `required` accepts must be there.
    pub fn read<'a>(
        names: impl IntoIterator<Item = &'a str>,
        (english, kolom): ([&'static str; N], [&'static str; N]),
        ignored: &[&str],
        required: impl Fn(usize) -> bool,
    ) -> Result<Self, Vec<ColumnError>> {
        let mut index = [None; N];
        let mut written = english;
        let mut indonesian = false;
        let mut errors = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            let in_english = english.iter().position(|c| *c == name);
            let in_indonesian = kolom.iter().position(|c| *c == name);
            match in_english.or(in_indonesian) {
                None if ignored.contains(&name.as_str()) => {}
                Some(p) if index[p].is_none() => {
                    index[p] = Some(i);
                    if in_english.is_none() {
                        written[p] = kolom[p];
                        indonesian = true;
                    }
                }
                Some(_) => errors.push(ColumnError {
                    column: name,
                    reason: Label::new("kolom ganda", "duplicate column"),
                }),
                None if name.is_empty() => {}
                None => errors.push(ColumnError {
                    column: name,
                    reason: Label::new(
                        format!("kolom tidak dikenal (yang dikenal: {})", kolom.join(", ")),
                        format!("unknown column (known: {})", english.join(", ")),
                    ),
                }),
            }
        }
        for (p, column) in english.iter().enumerate() {
            if index[p].is_none() && required(p) {
                errors.push(ColumnError {
                    column: if indonesian { kolom[p] } else { column }.into(),
                    reason: Label::new("kolom wajib tidak ada", "required column missing"),
                });
            }
        }
        if errors.is_empty() {
            Ok(Columns {
                english,
                index,
                written,
            })
        } else {
            Err(errors)
        }
    }

    /// The cell of column `p` in `fields`, trimmed; empty when the file has
    /// no such column or the row is short.
    pub fn cell<'a, S: AsRef<str>>(&self, p: usize, fields: &'a [S]) -> &'a str {
        self.index[p]
            .and_then(|i| fields.get(i))
            .map_or("", |s| s.as_ref().trim())
    }

    /// Column `column` (by its English name) as the file names it.
    pub fn written(&self, column: &str) -> String {
        self.english
            .iter()
            .position(|c| *c == column)
            .map_or_else(|| column.to_string(), |p| self.written[p].to_string())
    }
}
