//! Whole rupiah, never floats.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in whole rupiah. Never negative.
///
/// Parses the ways people write it in Indonesia: `4924000000`,
/// `4.924.000.000`, `Rp 4.924.000.000`, `Rp4.924.000.000,00` or `Rp 50.000,-`,
/// and displays as `Rp 4.924.000.000`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Rupiah(i64);

/// Why a text or number is not an amount of rupiah.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RupiahError {
    #[error("amount is empty")]
    Empty,
    #[error("amount is negative")]
    Negative,
    #[error("amount has sen (cents); rupiah amounts are whole")]
    Fraction,
    #[error("amount is too large")]
    Overflow,
    #[error("`{0}` is not an amount of rupiah (write e.g. Rp 4.924.000.000)")]
    Malformed(String),
}

impl RupiahError {
    /// The reason in Indonesian and English.
    pub fn label(&self) -> crate::Label {
        match self {
            RupiahError::Empty => crate::Label::new("jumlah kosong", "amount is empty"),
            RupiahError::Negative => crate::Label::new("jumlah negatif", "amount is negative"),
            RupiahError::Fraction => crate::Label::new(
                "jumlah bersen; rupiah ditulis bulat",
                "amount has sen (cents); rupiah amounts are whole",
            ),
            RupiahError::Overflow => {
                crate::Label::new("jumlah terlalu besar", "amount is too large")
            }
            RupiahError::Malformed(t) => crate::Label::new(
                format!("`{t}` bukan jumlah rupiah (tulis mis. Rp 4.924.000.000)"),
                format!("`{t}` is not an amount of rupiah (write e.g. Rp 4.924.000.000)"),
            ),
        }
    }
}

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);

    /// An amount from a count of rupiah; refuses negatives.
    pub fn new(amount: i64) -> Result<Self, RupiahError> {
        if amount < 0 {
            Err(RupiahError::Negative)
        } else {
            Ok(Rupiah(amount))
        }
    }

    /// The amount as a count of rupiah.
    pub fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    /// `self - other`, or `None` when that would be negative.
    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.0
            .checked_sub(other.0)
            .and_then(|v| Rupiah::new(v).ok())
    }

    /// `self * percent / 100`, rounded down. Exact in integers.
    pub fn percent(self, percent: u8) -> Rupiah {
        // i128 cannot overflow here: i64::MAX * 255 < i128::MAX.
        let v = i128::from(self.0) * i128::from(percent) / 100;
        Rupiah(i64::try_from(v).unwrap_or(i64::MAX))
    }

    /// Parses an amount as people write it (see the type's documentation).
    pub fn parse(text: &str) -> Result<Self, RupiahError> {
        let mut s = text.trim();
        if s.is_empty() {
            return Err(RupiahError::Empty);
        }
        if let Some(rest) = s
            .strip_prefix("Rp")
            .or_else(|| s.strip_prefix("rp"))
            .or_else(|| s.strip_prefix("RP"))
        {
            s = rest.trim_start_matches('.').trim_start();
        }
        if s.starts_with('-') {
            return Err(RupiahError::Negative);
        }
        if let Some(rest) = s.strip_suffix(",-") {
            s = rest;
        }
        if let Some((whole, sen)) = s.split_once(',') {
            if sen.len() != 2 || !sen.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RupiahError::Malformed(text.to_string()));
            }
            if sen.bytes().any(|b| b != b'0') {
                return Err(RupiahError::Fraction);
            }
            s = whole;
        }
        let digits = grouped_digits(s).ok_or_else(|| RupiahError::Malformed(text.to_string()))?;
        digits
            .parse::<i64>()
            .map(Rupiah)
            .map_err(|_| RupiahError::Overflow)
    }
}

/// `4.924.000` or `4924000` to `4924000`; `None` when the grouping is wrong.
fn grouped_digits(s: &str) -> Option<String> {
    let groups: Vec<&str> = s.split('.').collect();
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !groups.iter().all(|g| all_digits(g)) {
        return None;
    }
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    Some(groups.concat())
}

impl TryFrom<i64> for Rupiah {
    type Error = RupiahError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        Rupiah::new(v)
    }
}

impl From<Rupiah> for i64 {
    fn from(r: Rupiah) -> i64 {
        r.0
    }
}

impl std::str::FromStr for Rupiah {
    type Err = RupiahError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rupiah::parse(s)
    }
}

impl fmt::Display for Rupiah {
    /// `Rp 4.924.000.000`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Rp {}",
            crate::format::thousands(self.0, crate::Lang::Id)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_ways_people_write_rupiah() {
        for (text, want) in [
            ("4924000000", 4_924_000_000),
            ("4.924.000.000", 4_924_000_000),
            ("Rp 4.924.000.000", 4_924_000_000),
            ("Rp4.924.000.000,00", 4_924_000_000),
            ("Rp 50.000,-", 50_000),
            ("  0 ", 0),
            ("999", 999),
        ] {
            assert_eq!(Rupiah::parse(text), Ok(Rupiah(want)), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_whole_rupiah() {
        assert_eq!(Rupiah::parse(""), Err(RupiahError::Empty));
        assert_eq!(Rupiah::parse("-5"), Err(RupiahError::Negative));
        assert_eq!(Rupiah::parse("Rp 1.500,50"), Err(RupiahError::Fraction));
        assert_eq!(
            Rupiah::parse("99999999999999999999"),
            Err(RupiahError::Overflow)
        );
        for bad in [
            "1.5",
            "12.34.567",
            "1,000",
            "abc",
            "Rp",
            "1 000",
            "1.000.00",
        ] {
            assert!(
                matches!(
                    Rupiah::parse(bad),
                    Err(RupiahError::Malformed(_)) | Err(RupiahError::Empty)
                ),
                "{bad}"
            );
        }
        assert_eq!(Rupiah::new(-1), Err(RupiahError::Negative));
    }

    #[test]
    fn displays_with_dots_for_thousands() {
        assert_eq!(Rupiah(4_924_000_000).to_string(), "Rp 4.924.000.000");
        assert_eq!(Rupiah(0).to_string(), "Rp 0");
        assert_eq!(Rupiah(100).to_string(), "Rp 100");
        assert_eq!(Rupiah(1000).to_string(), "Rp 1.000");
    }

    #[test]
    fn percent_rounds_down_exactly() {
        assert_eq!(Rupiah(100_000_001).percent(40), Rupiah(40_000_000));
        assert_eq!(Rupiah(i64::MAX).percent(100), Rupiah(i64::MAX));
    }

    proptest! {
        #[test]
        fn display_parses_back(v in 0i64..=i64::MAX) {
            let r = Rupiah(v);
            prop_assert_eq!(Rupiah::parse(&r.to_string()), Ok(r));
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = Rupiah::parse(&s);
        }
    }
}
