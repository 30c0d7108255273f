//! Typed answers: what an action's field or a checklist question holds.

use chrono::NaiveDate;
use pantau_domain::{GeoPoint, Label, Rupiah};
use serde::{Deserialize, Serialize};

/// The type of a field or checklist answer, as named in workflow files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    /// A whole number.
    Number,
    Rupiah,
    /// Ya / tidak.
    YesNo,
    /// One of the options the field lists.
    Choice,
    /// A calendar date, `YYYY-MM-DD` or `DD/MM/YYYY`.
    Date,
    /// A reference to a stored document (a scan, a PDF).
    Document,
    /// A reference to a stored photo.
    Photo,
    /// Latitude,longitude.
    Gps,
    /// A user's login name.
    User,
}

impl FieldType {
    pub const ALL: [FieldType; 10] = [
        FieldType::Text,
        FieldType::Number,
        FieldType::Rupiah,
        FieldType::YesNo,
        FieldType::Choice,
        FieldType::Date,
        FieldType::Document,
        FieldType::Photo,
        FieldType::Gps,
        FieldType::User,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Rupiah => "rupiah",
            FieldType::YesNo => "yes_no",
            FieldType::Choice => "choice",
            FieldType::Date => "date",
            FieldType::Document => "document",
            FieldType::Photo => "photo",
            FieldType::Gps => "gps",
            FieldType::User => "user",
        }
    }

    pub fn parse_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// A parsed answer. Every variant compares exactly (no floats), so a case
/// rebuilt from its events equals the case that made them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Text(String),
    Number(i64),
    Rupiah(Rupiah),
    YesNo(bool),
    Choice(String),
    Date(NaiveDate),
    Document(String),
    Photo(String),
    Gps(GeoPoint),
    User(String),
}

impl Value {
    /// Parses `text` as an answer of type `kind`; `options` applies to choices.
    /// The error is a reason a user can act on, in Indonesian and English.
    pub fn parse(kind: FieldType, text: &str, options: &[String]) -> Result<Value, Label> {
        let t = text.trim();
        Ok(match kind {
            FieldType::Text => Value::Text(t.to_string()),
            FieldType::Number => Value::Number(number(t)?),
            FieldType::Rupiah => Value::Rupiah(Rupiah::parse(t).map_err(|e| e.label())?),
            FieldType::YesNo => Value::YesNo(match yes_no(t) {
                Some(b) => b,
                None => {
                    return Err(Label::new(
                        format!("`{t}` bukan ya atau tidak"),
                        format!("`{t}` is not yes or no (ya/tidak)"),
                    ));
                }
            }),
            FieldType::Choice => match options.iter().find(|o| o.as_str() == t) {
                Some(o) => Value::Choice(o.clone()),
                None => {
                    return Err(Label::new(
                        format!("`{t}` bukan salah satu dari: {}", options.join(", ")),
                        format!("`{t}` is not one of: {}", options.join(", ")),
                    ));
                }
            },
            FieldType::Date => Value::Date(
                iso_date(t)
                    .map_or_else(|| NaiveDate::parse_from_str(t, "%Y-%m-%d"), Ok)
                    .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
                    .map_err(|_| {
                        Label::new(
                            format!("`{t}` bukan tanggal (tulis 22/11/2026 atau 2026-11-22)"),
                            format!("`{t}` is not a date (write 2026-11-22 or 22/11/2026)"),
                        )
                    })?,
            ),
            FieldType::Document => Value::Document(reference(t)?),
            FieldType::Photo => Value::Photo(reference(t)?),
            FieldType::Gps => Value::Gps(GeoPoint::parse(t).map_err(|e| e.label())?),
            FieldType::User => Value::User(reference(t)?),
        })
    }

    /// The value as a person reads it.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s)
            | Value::Choice(s)
            | Value::Document(s)
            | Value::Photo(s)
            | Value::User(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Rupiah(r) => r.to_string(),
            Value::YesNo(b) => if *b { "ya" } else { "tidak" }.to_string(),
            Value::Date(d) => d.format("%d/%m/%Y").to_string(),
            Value::Gps(p) => p.to_string(),
        }
    }

    pub fn as_rupiah(&self) -> Option<pantau_domain::Rupiah> {
        match self {
            Value::Rupiah(r) => Some(*r),
            _ => None,
        }
    }
}

/// Ya or tidak in any case (`YA`, `Tidak`, `yes`, `0`), `None` for anything else.
fn yes_no(t: &str) -> Option<bool> {
    const YES: [&str; 5] = ["ya", "yes", "y", "true", "1"];
    const NO: [&str; 5] = ["tidak", "no", "n", "false", "0"];
    let is = |words: [&str; 5], w: &str| words.contains(&w);
    if t.is_ascii() {
        // The same as lower-casing first, without the allocation.
        let any = |words: [&str; 5]| words.iter().any(|w| w.eq_ignore_ascii_case(t));
        match (any(YES), any(NO)) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    } else {
        let lower = t.to_lowercase();
        if is(YES, &lower) {
            Some(true)
        } else if is(NO, &lower) {
            Some(false)
        } else {
            None
        }
    }
}

/// A date written `YYYY-MM-DD` with exactly those digits, read without
/// chrono's format parser; `None` for anything else (which the parser reads).
fn iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

/// A whole number. Thousands may be grouped with dots (`12.500`) as
/// Indonesians write them; a decimal comma or point is refused by name
/// rather than read as something else.
fn number(t: &str) -> Result<i64, Label> {
    let plain = if pantau_domain::format::is_grouped(t) {
        t.replace('.', "")
    } else {
        t.to_string()
    };
    plain.parse().map_err(|_| {
        if t.contains(',') || t.contains('.') {
            Label::new(
                format!("`{t}` bukan bilangan bulat; isian ini tidak menerima pecahan"),
                format!("`{t}` is not a whole number; this answer takes no fractions"),
            )
        } else {
            Label::new(
                format!("`{t}` bukan bilangan bulat"),
                format!("`{t}` is not a whole number"),
            )
        }
    })
}

/// A reference to something stored elsewhere: one line, no control characters.
fn reference(t: &str) -> Result<String, Label> {
    let control = if t.is_ascii() {
        t.bytes().any(|b| b.is_ascii_control())
    } else {
        t.chars().any(char::is_control)
    };
    if control {
        return Err(Label::new(
            "berisi karakter kendali",
            "contains control characters",
        ));
    }
    if t.len() > 500 {
        return Err(Label::new(
            "lebih dari 500 karakter",
            "is longer than 500 characters",
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The fast readings agree with the plain ones they stand in for.
        #[test]
        fn yes_no_reads_as_lower_casing_does(
            t in "(ya|yes|y|true|1|tidak|no|n|false|0|[YyAaEeSsTtIiDdKkNnOo01\u{212A}\u{130}]{0,6})"
        ) {
            let lower = t.to_lowercase();
            let plain = match lower.as_str() {
                "ya" | "yes" | "y" | "true" | "1" => Some(true),
                "tidak" | "no" | "n" | "false" | "0" => Some(false),
                _ => None,
            };
            prop_assert_eq!(yes_no(&t), plain);
        }

        #[test]
        fn iso_dates_read_as_chrono_does(t in "[0-9+-]{0,3}[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,3}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            if let Some(d) = iso_date(&t) {
                prop_assert_eq!(Ok(d), NaiveDate::parse_from_str(&t, "%Y-%m-%d"));
            }
            prop_assert_eq!(
                Value::parse(FieldType::Date, &t, &[]).ok(),
                NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(&t, "%d/%m/%Y"))
                    .ok()
                    .map(Value::Date)
            );
        }

        #[test]
        fn references_refuse_control_characters_as_before(t in "\\PC{0,8}[\u{0}-\u{1f}\u{7f}-\u{9f}]?\\PC{0,4}") {
            prop_assert_eq!(reference(&t).is_err(), t.chars().any(char::is_control) || t.len() > 500);
        }
    }

    #[test]
    fn kelvin_and_dotted_capitals_lower_case_as_before() {
        // U+212A KELVIN SIGN lower-cases to an ASCII `k`.
        assert_eq!(yes_no("tida\u{212A}"), Some(false));
        assert_eq!(yes_no("TIDAK"), Some(false));
        assert_eq!(yes_no("Ya"), Some(true));
        assert_eq!(yes_no("yä"), None);
    }

    #[test]
    fn parses_each_type() {
        let opts = ["aktif".to_string(), "tidak aktif".to_string()];
        assert_eq!(
            Value::parse(FieldType::YesNo, "Ya", &[]),
            Ok(Value::YesNo(true))
        );
        assert_eq!(
            Value::parse(FieldType::Number, " 42 ", &[]),
            Ok(Value::Number(42))
        );
        assert_eq!(
            Value::parse(FieldType::Choice, "aktif", &opts),
            Ok(Value::Choice("aktif".into()))
        );
        assert!(
            Value::parse(FieldType::Choice, "bubar", &opts)
                .unwrap_err()
                .id
                .contains("aktif, tidak aktif")
        );
        assert_eq!(
            Value::parse(FieldType::Number, "12.500", &[]),
            Ok(Value::Number(12500))
        );
        assert!(
            Value::parse(FieldType::Number, "2,5", &[])
                .unwrap_err()
                .id
                .contains("pecahan")
        );
        assert!(Value::parse(FieldType::Number, "2.5", &[]).is_err());
        assert_eq!(
            Value::parse(FieldType::Date, "22/11/2026", &[]),
            Ok(Value::Date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()))
        );
        assert!(Value::parse(FieldType::Gps, "100,0", &[]).is_err());
        assert!(Value::parse(FieldType::Rupiah, "Rp 1,5", &[]).is_err());
        assert!(Value::parse(FieldType::Photo, "a\nb", &[]).is_err());
    }
}
