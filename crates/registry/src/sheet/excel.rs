//! What Excel does to values it takes for numbers, undone where it can be
//! and named where it cannot.

use pantau_domain::Label;

/// A kabupaten/kota code Excel read as a number and saved without its
/// trailing zero (`18.10` → `18.1`), or with the decimal comma of an
/// Indonesian locale (`18,71`, `18,1`): the code it was. Kabupaten/kota
/// codes always have two digits after the province's two, so this is
/// unambiguous. `None` when `text` is not such a number.
pub fn region_code(text: &str) -> Option<String> {
    let (province, rest) = text.split_once(['.', ','])?;
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    let digit = rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_digit());
    match (two(province), digit, text.contains(',')) {
        (true, true, _) => Some(format!("{province}.{rest}0")),
        (true, false, true) if two(rest) => Some(format!("{province}.{rest}")),
        _ => None,
    }
}

/// Whether `text` is a number in scientific notation (`1,87101E+15`,
/// `9.12E+12`): what Excel shows and saves for a long number such as a
/// NIK in a cell not formatted as text, keeping only the first digits.
pub fn scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
    [whole, fraction, exponent]
        .iter()
        .all(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Why a number in scientific notation is refused, for column `column`.
pub fn scientific_reason(column: &str, text: &str) -> Label {
    Label::new(
        format!(
            "`{text}`: Excel mengubah angka panjang menjadi notasi ilmiah dan membuang digit \
             terakhirnya; format kolom {column} sebagai Teks, isi ulang angkanya, lalu simpan lagi"
        ),
        format!(
            "`{text}`: Excel turned the long number into scientific notation and dropped its last \
             digits: format the column {column} as Text, enter the numbers again and save"
        ),
    )
}

/// A decimal number written with a point or, as in an Indonesian locale,
/// a comma (`-5,4292`); nothing else (no thousands separators, exponents
/// or words such as `NaN`).
pub fn decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = match digits.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (digits, "0"),
    };
    let plain = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !plain(whole) || !plain(fraction) {
        return None;
    }
    match text.contains(',') {
        true => text.replace(',', ".").parse().ok(),
        false => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_excel_made_numbers_of() {
        for (read, code) in [
            ("18.1", Some("18.10")),
            ("18,1", Some("18.10")),
            ("18,71", Some("18.71")),
            ("18.71", None),
            ("18", None),
            ("1.1", None),
            ("18.1.1", None),
            ("18.x", None),
        ] {
            assert_eq!(region_code(read).as_deref(), code, "{read}");
        }
    }

    #[test]
    fn scientific_notation() {
        for yes in ["1,87101E+15", "1.87101E+15", "9E12", "1,2e+12"] {
            assert!(scientific(yes), "{yes}");
        }
        for no in [
            "1871014508900001",
            "E+15",
            "1,E+15",
            "123/BH/X.3/2015",
            "1E-5",
        ] {
            assert!(!scientific(no), "{no}");
        }
    }

    #[test]
    fn decimals_with_a_point_or_a_comma() {
        assert_eq!(decimal("-5,4292"), Some(-5.4292));
        assert_eq!(decimal("105.2619"), Some(105.2619));
        assert_eq!(decimal("105"), Some(105.0));
        for bad in [
            "",
            "-",
            "1,2,3",
            "1.000,5",
            "NaN",
            "inf",
            "1e5",
            "-5,4292,105",
        ] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
    }
}
