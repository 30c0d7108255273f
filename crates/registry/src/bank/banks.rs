//! Indonesian banks by their Bank Indonesia code (sandi bank, three
//! digits), shipped in `data/banks.csv` (its source: `data/SOURCE.md`),
//! read once per process through [`crate::sheet::Sheet`].

use std::sync::OnceLock;

use crate::sheet::Sheet;

/// One bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// Three digits, `002`.
    pub code: String,
    /// The legal name, `PT Bank Rakyat Indonesia (Persero) Tbk`.
    pub name: String,
    /// The name on forms, `BRI`.
    pub short: String,
}

const CSV: &str = include_str!("../../data/banks.csv");

/// Every shipped bank, by code.
pub fn all() -> &'static [Bank] {
    static BANKS: OnceLock<Vec<Bank>> = OnceLock::new();
    BANKS.get_or_init(|| parse(CSV))
}

/// The bank of `code`, written with or without its leading zeros and
/// spaces around (`2`, `002`, ` 002 `).
pub fn bank(code: &str) -> Option<&'static Bank> {
    let code = normal_code(code)?;
    let all = all();
    all.binary_search_by(|b| b.code.as_str().cmp(&code))
        .ok()
        .map(|i| &all[i])
}

/// A code as three digits, or `None` when it is no bank code.
pub(crate) fn normal_code(code: &str) -> Option<String> {
    let code = code.trim();
    if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{code:0>3}"))
}

/// The rows of `text` that are banks, sorted by code. The shipped file is
/// checked by the tests, so a bad row is skipped rather than refused here.
fn parse(text: &str) -> Vec<Bank> {
    let mut banks = Vec::new();
    let Ok(mut sheet) = Sheet::open(text.as_bytes()) else {
        return banks;
    };
    while let Ok(Some(row)) = sheet.next_row() {
        if let [code, name, short] = &row.cells[..]
            && let Some(code) = normal_code(code)
        {
            banks.push(Bank {
                code,
                name: name.to_string(),
                short: short.to_string(),
            });
        }
    }
    banks.sort_by(|a, b| a.code.cmp(&b.code));
    banks.dedup_by(|a, b| a.code == b.code);
    banks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_shipped_file_is_a_bank() {
        let lines = CSV.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(all().len(), lines - 1, "a row was skipped or doubled");
        assert!(all().windows(2).all(|w| w[0].code < w[1].code));
        assert!(
            all()
                .iter()
                .all(|b| !b.name.is_empty() && !b.short.is_empty())
        );
    }

    #[test]
    fn the_banks_offices_meet() {
        for (code, short) in [
            ("002", "BRI"),
            ("008", "MANDIRI"),
            ("009", "BNI"),
            ("200", "BTN"),
            ("451", "BSI"),
            ("014", "BCA"),
            ("022", "CIMB NIAGA"),
            ("011", "DANAMON"),
            ("013", "PERMATA"),
            ("019", "PANIN"),
            ("016", "MAYBANK"),
            ("028", "OCBC"),
            ("426", "MEGA"),
            ("147", "MUAMALAT"),
            ("536", "BCA SYARIAH"),
            ("441", "KB BUKOPIN"),
            ("213", "BTPN"),
            ("110", "BJB"),
            ("137", "BANK BANTEN"),
        ] {
            assert_eq!(bank(code).map(|b| b.short.as_str()), Some(short), "{code}");
        }
        // Every regional development bank, 110–137 (136 is no bank).
        for code in (110..=135).chain([137]) {
            assert!(bank(&code.to_string()).is_some(), "BPD {code}");
        }
    }

    #[test]
    fn codes_as_people_write_them() {
        for code in ["2", "002", " 002 ", "02"] {
            assert_eq!(bank(code).map(|b| b.code.as_str()), Some("002"), "{code:?}");
        }
        for bad in ["", "0002", "BRI", "2a", "999", "-2"] {
            assert!(bank(bad).is_none(), "{bad:?}");
        }
    }
}
