//! A file of cooperatives' yearly data (data tahunan koperasi): one row
//! per cooperative and year, read from the rows [`crate::sheet`] (CSV) or
//! an XLSX reader hands over, with every bad column named.
//!
//! The columns (header names, any order, unknown columns refused) are the
//! `data_tahunan` workflow's `submit` fields, each also by its Indonesian
//! name ([`KOLOM`]): `nik_koperasi` and `year` (`tahun`) find the case's
//! cooperative and year; the others are the action's answers, read by the
//! engine itself. What Excel does to numbers is undone where it can be (a
//! rupiah with `,00`, a loss in brackets) and named where it cannot (a
//! number in scientific notation has lost its last digits).

use std::collections::BTreeMap;

use pantau_domain::{IdError, Label, Lang, NikKoperasi};

pub use crate::sheet::ColumnError;
use crate::sheet::{Columns, excel};

/// The columns by their English names: `nik_koperasi`, `year`, then the
/// `submit` action's field ids.
pub const COLUMNS: [&str; 12] = [
    "nik_koperasi",
    "year",
    "active",
    "rat_held",
    "rat_date",
    "members",
    "own_capital",
    "outside_capital",
    "assets",
    "business_volume",
    "shu",
    "ksp_health",
];

/// The same columns by their Indonesian names, in [`COLUMNS`]' order.
pub const KOLOM: [&str; 12] = [
    "nik_koperasi",
    "tahun",
    "aktif",
    "rat",
    "tanggal_rat",
    "jumlah_anggota",
    "modal_sendiri",
    "modal_luar",
    "aset",
    "volume_usaha",
    "shu",
    "kesehatan_ksp",
];

/// Columns a file may leave out (their answers are optional).
const OPTIONAL: [&str; 2] = ["rat_date", "ksp_health"];

/// Columns holding a number, where Excel's ways with numbers are undone.
const NUMBERS: [&str; 7] = [
    "members",
    "own_capital",
    "outside_capital",
    "assets",
    "business_volume",
    "shu",
    "year",
];

/// The earliest financial year a file may carry (the first cooperative law).
pub const FIRST_YEAR: i32 = 1945;

/// Maps header names to positions.
#[derive(Debug, Clone)]
pub struct Header(Columns<{ COLUMNS.len() }>);

impl Header {
    /// Reads the header row; unknown, doubled or missing required columns are errors.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, Vec<ColumnError>> {
        Columns::read(names, (COLUMNS, KOLOM), &[], |p| {
            !OPTIONAL.contains(&COLUMNS[p])
        })
        .map(Header)
    }

    /// Column `column` (by its English name, which is also the field id) as the file names it.
    pub fn written(&self, column: &str) -> String {
        self.0.written(column)
    }
}

/// One row: the cooperative, the year, and the `submit` action's answers
/// by field id (as text, for the engine to read; `year` among them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRow {
    pub nik: NikKoperasi,
    pub year: i32,
    pub answers: BTreeMap<String, String>,
}

/// Parses one row; every bad column is reported. `this_year` is the last
/// year a file may carry (the caller's clock: this crate reads none).
pub fn parse_row<S: AsRef<str>>(
    header: &Header,
    fields: &[S],
    this_year: i32,
) -> Result<YearRow, Vec<ColumnError>> {
    let mut errors = Vec::new();
    let mut err = |column: &str, reason: Label| {
        errors.push(ColumnError {
            column: header.written(column),
            reason,
        })
    };
    let mut answers = BTreeMap::new();
    for (p, column) in COLUMNS.iter().enumerate() {
        let text = header.0.cell(p, fields);
        if NUMBERS.contains(column) {
            match number(column, text) {
                Ok(v) => answers.insert(column.to_string(), v),
                Err(reason) => {
                    err(column, reason);
                    continue;
                }
            };
        } else if *column == "ksp_health" {
            answers.insert(column.to_string(), text.to_lowercase());
        } else {
            answers.insert(column.to_string(), text.to_string());
        }
    }
    let nik = match answers.remove("nik_koperasi").unwrap_or_default().as_str() {
        "" => {
            err("nik_koperasi", Label::new("wajib diisi", "required"));
            None
        }
        v => match NikKoperasi::parse(v) {
            Ok(n) => Some(n),
            Err(_) if excel::scientific(v) => {
                err("nik_koperasi", excel::scientific_reason("nik_koperasi", v));
                None
            }
            Err(e) => {
                err("nik_koperasi", id_reason(e));
                None
            }
        },
    };
    let year = match answers.get("year").map(String::as_str) {
        None => None,
        Some("") => {
            err("year", Label::new("wajib diisi", "required"));
            None
        }
        Some(v) => match v.parse::<i32>() {
            Ok(y) if (FIRST_YEAR..=this_year).contains(&y) => Some(y),
            _ => {
                err(
                    "year",
                    Label::new(
                        format!("`{v}` bukan tahun buku {FIRST_YEAR}–{this_year}"),
                        format!("`{v}` is not a financial year {FIRST_YEAR}–{this_year}"),
                    ),
                );
                None
            }
        },
    };
    answers.retain(|_, v| !v.is_empty());
    match (nik, year) {
        (Some(nik), Some(year)) if errors.is_empty() => Ok(YearRow { nik, year, answers }),
        _ => Err(errors),
    }
}

fn id_reason(e: IdError) -> Label {
    Label::new(e.message(Lang::Id), e.message(Lang::En))
}

/// A number cell as Excel may have saved it, made what the engine reads:
/// a trailing `,00`/`.00` dropped, a negative in brackets (`(1.500.000)`,
/// accounting style) written with a minus; scientific notation refused
/// by name, since its last digits are gone.
pub(crate) fn number(column: &str, text: &str) -> Result<String, Label> {
    if excel::scientific(text) {
        return Err(excel::scientific_reason(column, text));
    }
    let mut t = text
        .strip_prefix("Rp")
        .or_else(|| text.strip_prefix("rp"))
        .map_or(text, |r| r.trim_start_matches('.').trim_start());
    let negative = t.starts_with('(') && t.ends_with(')');
    if negative {
        t = t[1..t.len() - 1].trim();
    }
    for zeros in [",00", ".00", ",0", ".0"] {
        if let Some(whole) = t.strip_suffix(zeros)
            && !whole.is_empty()
            && !whole.ends_with(['.', ','])
        {
            t = whole;
            break;
        }
    }
    Ok(if negative {
        format!("-{t}")
    } else {
        t.to_string()
    })
}

/// The columns of the file's header as a template offers them, in `lang`.
pub fn column_names(lang: Lang) -> &'static [&'static str; 12] {
    match lang {
        Lang::Id => &KOLOM,
        Lang::En => &COLUMNS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Header {
        Header::new(names.split(',')).unwrap()
    }

    const ID: &str = "nik_koperasi,tahun,aktif,rat,tanggal_rat,jumlah_anggota,modal_sendiri,modal_luar,aset,volume_usaha,shu,kesehatan_ksp";

    #[test]
    fn reads_a_row_as_excel_saved_it() {
        let h = header(ID);
        let row = "1871010000000001,2025,ya,ya,15/03/2025,1.234,Rp 4.924.000.000,\"1.000.000,00\",5000000.00,0,(1.500.000),Sehat";
        let cells: Vec<&str> = row.split(',').collect();
        // The quoted cell split by hand: join it back.
        let mut fixed: Vec<String> = cells[..7].iter().map(|s| s.to_string()).collect();
        fixed.push("1.000.000,00".into());
        fixed.extend(cells[9..].iter().map(|s| s.to_string()));
        let r = parse_row(&h, &fixed, 2026).unwrap();
        assert_eq!(r.year, 2025);
        assert_eq!(r.answers["members"], "1.234");
        assert_eq!(r.answers["outside_capital"], "1.000.000");
        assert_eq!(r.answers["assets"], "5000000");
        assert_eq!(r.answers["shu"], "-1.500.000");
        assert_eq!(r.answers["ksp_health"], "sehat");
        assert_eq!(r.answers["year"], "2025");
    }

    #[test]
    fn names_every_bad_column_as_the_file_does() {
        let h = header(ID);
        let cells = [
            "1,87101E+15",
            "2099",
            "ya",
            "ya",
            "",
            "1,2E+3",
            "1",
            "1",
            "1",
            "1",
            "1",
            "",
        ];
        let errors = parse_row(&h, &cells, 2026).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["jumlah_anggota", "nik_koperasi", "tahun"]);
        assert!(errors[1].reason.en.contains("scientific"), "{errors:?}");
        assert!(errors[2].reason.id.contains("2099"), "{errors:?}");
    }

    #[test]
    fn header_problems() {
        let e = Header::new(["nik_koperasi", "tahun", "warna"]).unwrap_err();
        assert!(e.iter().any(|e| e.column == "warna"));
        assert!(e.iter().any(|e| e.column == "aktif"));
        assert!(!e.iter().any(|e| e.column == "tanggal_rat"));
        let h = header(
            "nik_koperasi,year,active,rat_held,members,own_capital,outside_capital,assets,business_volume,shu",
        );
        assert_eq!(h.written("year"), "year");
    }
}
