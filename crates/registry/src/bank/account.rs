//! Account numbers as people and Excel write them, and whether an account
//! holder's name is the beneficiary's.

use pantau_domain::Label;

use crate::duplicates::{name_key, similarity};
use crate::sheet::excel;

/// Fewest and most digits of an account number (Indonesian banks use 10 to
/// 16; a few old or virtual accounts are shorter or longer).
pub const DIGITS: std::ops::RangeInclusive<usize> = 5..=20;

/// Similarity (per mille, [`similarity`]) from which a holder's name is
/// taken for the beneficiary's.
pub const HOLDER_THRESHOLD: u16 = 900;

/// An account number as digits: spaces, dots and dashes (`0123-01-000123-50-1`,
/// `123.456.7890`) removed, leading zeros kept; 5 to 20 digits. A number
/// Excel turned into scientific notation (`1.23457E+12`: its last digits
/// are gone) or saved with a decimal tail (`1234567890.0`, `1234567890,00`)
/// is refused with the reason, never repaired: the digits may be wrong.
pub fn account_number(s: &str) -> Result<String, Label> {
    let text = s.trim();
    if text.is_empty() {
        return Err(Label::new(
            "nomor rekening wajib diisi",
            "the account number is required",
        ));
    }
    if excel::scientific(text) {
        return Err(excel::scientific_reason("nomor rekening", text));
    }
    if decimal_tail(text) {
        return Err(Label::new(
            format!(
                "`{text}`: Excel menyimpan nomor rekening sebagai angka berdesimal; format kolom \
                 sebagai Teks, isi ulang nomornya, lalu simpan lagi"
            ),
            format!(
                "`{text}`: Excel saved the account number as a decimal number; format the column \
                 as Text, enter the numbers again and save"
            ),
        ));
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Label::new(
            format!(
                "`{text}` bukan nomor rekening: hanya angka (boleh spasi, titik, tanda hubung)"
            ),
            format!(
                "`{text}` is not an account number: digits only (spaces, dots, dashes allowed)"
            ),
        ));
    }
    if !DIGITS.contains(&digits.len()) {
        let (low, high) = (DIGITS.start(), DIGITS.end());
        return Err(Label::new(
            format!(
                "`{text}`: nomor rekening {} angka, seharusnya {low}–{high}",
                digits.len()
            ),
            format!(
                "`{text}`: the account number has {} digits, it should have {low}–{high}",
                digits.len()
            ),
        ));
    }
    Ok(digits)
}

/// `1234567890.0`, `1234567890,00`: digits, then one point or comma and one
/// or two zeros, as Excel saves a number from a cell not formatted as text.
/// Account numbers are written with separators every few digits, never
/// with a last group of one or two zeros after the only separator.
fn decimal_tail(text: &str) -> bool {
    let Some((whole, tail)) = text.rsplit_once(['.', ',']) else {
        return false;
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (1..=2).contains(&tail.len())
        && tail.bytes().all(|b| b == b'0')
}

/// Words of names set aside besides those [`name_key`] sets aside: legal
/// forms of cooperatives it does not know.
const LEGAL_FORMS: &[&str] = &[
    "badan",
    "hukum",
    "primkoppas",
    "primkopad",
    "primkopal",
    "primkopau",
    "primkopti",
    "kopkar",
    "kopdit",
    "kopeg",
    "koppas",
    "kopma",
    "koppontren",
    "bmt",
];

/// Whether the account holder `holder` is the beneficiary `name`: the two
/// names compared as [`name_key`] compares cooperatives' names (case,
/// accents and punctuation aside, initials run together, the legal-form
/// words `KOPERASI`, `KOP`, `KSP`, `KSPPS`, `KUD`, `KOPONTREN`, `SIMPAN
/// PINJAM`, `SERBA USAHA`, `UNIT DESA`, `PT`, `CV`, … set aside, and also
/// the forms of military, employees' and credit-union cooperatives
/// `PRIMKOPPAS`, `KOPKAR`, `KOPDIT`, `BADAN HUKUM`, …; words in
/// alphabetical order), then equal or alike by [`similarity`] (one less
/// the edits between the keys, `strsim::osa_distance`, over the longer
/// key: normalised Levenshtein counting a swap of two neighbours as one
/// edit) of at least [`HOLDER_THRESHOLD`], 0.9: a typo in a long name
/// passes, another name does not. An empty name matches nothing.
pub fn holder_matches(holder: &str, name: &str) -> bool {
    let (a, b) = (key(holder), key(name));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a == b || similarity(&a, &b) >= HOLDER_THRESHOLD
}

/// [`name_key`] without [`LEGAL_FORMS`] (unless nothing else is left).
fn key(name: &str) -> String {
    let key = name_key(name);
    let kept: Vec<&str> = key
        .split(' ')
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .collect();
    if kept.is_empty() { key } else { kept.join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_as_written() {
        for (text, want) in [
            ("0123456789", "0123456789"),
            (" 0123 4567 89 ", "0123456789"),
            ("0123-01-000123-50-1", "012301000123501"),
            ("123.456.7890", "1234567890"),
            ("00012", "00012"),
            ("12345678901234567890", "12345678901234567890"),
        ] {
            assert_eq!(account_number(text).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn what_excel_did_is_refused_by_name() {
        let e = account_number("1.23457E+12").unwrap_err();
        assert!(
            e.en.contains("scientific") && e.id.contains("notasi ilmiah"),
            "{e:?}"
        );
        for tail in ["1234567890.0", "1234567890,00", "1234567890.00"] {
            let e = account_number(tail).unwrap_err();
            assert!(
                e.en.contains("decimal") && e.id.contains("desimal"),
                "{tail}: {e:?}"
            );
        }
        for (bad, says) in [
            ("", "required"),
            ("1234", "4 digits"),
            ("123456789012345678901", "21 digits"),
            ("0123/456789", "digits only"),
            ("1234567890,5", "digits only"),
            ("BRI 12345", "digits only"),
        ] {
            let e = account_number(bad).unwrap_err();
            assert!(e.en.contains(says), "{bad}: {e:?}");
        }
    }

    #[test]
    fn holders_and_beneficiaries() {
        for (holder, name) in [
            ("KOP. SUMBER REJEKI", "Koperasi Unit Desa Sumber Rejeki"),
            ("KUD SUMBER REJEKI", "KUD Sumber Rejeki"),
            ("KSP SUMBER REJEKI", "Koperasi Simpan Pinjam Sumber Rejeki"),
            ("KOPERASI SUMBER REJEKI", "K.U.D. Sumber Rejeki"),
            ("KSU MAJU   JAYA", "Koperasi Serba Usaha Maju Jaya"),
            ("PRIMKOPPAS PASAR BARU", "Primkoppas Pasar Baru"),
            ("KOPONTREN AL-HIDAYAH", "Kopontren Al Hidayah"),
            ("BUDI SANTOSO", "Budi Santoso"),
            ("SANTOSO BUDI", "Budi Santoso"),
            ("KSPPS BINA UMAT SEJAHTERA", "KSPPS Bina Ummat Sejahtera"),
            ("CV ANEKA USAHA", "CV. Aneka"),
            ("JOSE", "Jos\u{e9}"),
        ] {
            assert!(holder_matches(holder, name), "{holder} / {name}");
        }
        for (holder, name) in [
            ("BUDI SANTOSO", "KUD Sumber Rejeki"),
            ("KOP SUMBER REJEKI", "Koperasi Sumber Makmur"),
            ("BUDI SANTOSO", "Budi Santosa Wijaya"),
            ("KOPERASI", "KUD"),
            ("", ""),
            ("", "KUD Sumber Rejeki"),
        ] {
            assert!(!holder_matches(holder, name), "{holder} / {name}");
        }
    }
}
