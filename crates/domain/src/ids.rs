//! Identifiers that cannot hold an invalid value: region codes, NIK, NIB,
//! the cooperative's NIK Koperasi and its legal-entity decree number.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Why a text is not a valid identifier of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub struct IdError {
    pub kind: &'static str,
    pub problem: IdProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    Empty,
    /// Not exactly this many digits.
    Digits(usize),
    /// A part of the number is impossible, e.g. month 13 in a NIK.
    Part(&'static str),
    Format(&'static str),
}

impl IdError {
    fn new(kind: &'static str, problem: IdProblem) -> Self {
        IdError { kind, problem }
    }

    pub fn message(&self, lang: Lang) -> String {
        let k = match lang {
            Lang::Id => self.kind,
            Lang::En => english(self.kind),
        };
        match (&self.problem, lang) {
            (IdProblem::Empty, Lang::Id) => format!("{k} kosong"),
            (IdProblem::Empty, Lang::En) => format!("{k} is empty"),
            (IdProblem::Digits(n), Lang::Id) => format!("{k} harus {n} digit angka"),
            (IdProblem::Digits(n), Lang::En) => format!("{k} must be {n} digits"),
            (IdProblem::Part(p), Lang::Id) => format!("{k} tidak sah: {p}"),
            (IdProblem::Part(p), Lang::En) => format!("{k} is not valid: {}", english(p)),
            (IdProblem::Format(f), Lang::Id) => format!("{k} harus berbentuk {f}"),
            (IdProblem::Format(f), Lang::En) => format!("{k} must look like {}", english(f)),
        }
    }
}

/// The English of the Indonesian names and forms the identifiers use.
fn english(id: &'static str) -> &'static str {
    match id {
        "kode wilayah" => "region code",
        "tanggal lahir" => "date of birth",
        "bulan lahir" => "month of birth",
        "nomor urut" => "serial number",
        "nomor badan hukum" => "legal entity number",
        "18 (provinsi) atau 18.71 (kabupaten/kota)" => {
            "18 (a province) or 18.71 (a kabupaten/kota)"
        }
        "nomor SK badan hukum, mis. 123/BH/X.3/2015" => {
            "a legal entity decree number, e.g. 123/BH/X.3/2015"
        }
        other => other,
    }
}

fn digits(kind: &'static str, text: &str, n: usize) -> Result<String, IdError> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if t.is_empty() {
        return Err(IdError::new(kind, IdProblem::Empty));
    }
    if t.len() != n || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::new(kind, IdProblem::Digits(n)));
    }
    Ok(t)
}

fn two(s: &str, at: usize) -> u32 {
    s[at..at + 2].parse().unwrap_or(0)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A Kemendagri region code: a province (`18`) or a kabupaten/kota (`18.71`).
    RegionCode
);

impl RegionCode {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        const KIND: &str = "kode wilayah";
        let t = text.trim();
        let ok_pair = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        match t.split_once('.') {
            None if ok_pair(t) && t != "00" => Ok(RegionCode(t.to_string())),
            Some((p, k)) if ok_pair(p) && ok_pair(k) && p != "00" && k != "00" => {
                Ok(RegionCode(t.to_string()))
            }
            _ if t.is_empty() => Err(IdError::new(KIND, IdProblem::Empty)),
            _ => Err(IdError::new(
                KIND,
                IdProblem::Format("18 (provinsi) atau 18.71 (kabupaten/kota)"),
            )),
        }
    }

    /// The province's code: `18` for `18.71`.
    pub fn province(&self) -> RegionCode {
        RegionCode(self.0[..2].to_string())
    }

    pub fn is_province(&self) -> bool {
        self.0.len() == Self::PROVINCE_LEN
    }

    /// The length of a province's code (`18`).
    pub const PROVINCE_LEN: usize = 2;
    /// What joins a province's code and a kabupaten/kota's (`18.71`).
    pub const SEPARATOR: char = '.';

    /// Whether `self` is `other` or contains it (a province contains its
    /// kabupaten/kota). The store says the same in SQL, term for term
    /// (`store/src/read/scope.rs`).
    pub fn covers(&self, other: &RegionCode) -> bool {
        self == other
            || (self.is_province()
                && other
                    .0
                    .strip_prefix(self.0.as_str())
                    .is_some_and(|rest| rest.starts_with(Self::SEPARATOR)))
    }

    /// The four digits NIK and NIK Koperasi start with, e.g. `1871`.
    pub fn digits(&self) -> String {
        self.0.replace('.', "")
    }
}

id_type!(
    /// Nomor Induk Kependudukan: 16 digits, region (6), birth date (6, day + 40 for women), serial (4).
    Nik
);

impl Nik {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        const KIND: &str = "NIK";
        let t = digits(KIND, text, 16)?;
        if two(&t, 0) < 11 || two(&t, 2) == 0 {
            return Err(IdError::new(KIND, IdProblem::Part("kode wilayah")));
        }
        let day = two(&t, 6);
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(IdError::new(KIND, IdProblem::Part("tanggal lahir")));
        }
        if !(1..=12).contains(&two(&t, 8)) {
            return Err(IdError::new(KIND, IdProblem::Part("bulan lahir")));
        }
        if &t[12..] == "0000" {
            return Err(IdError::new(KIND, IdProblem::Part("nomor urut")));
        }
        Ok(Nik(t))
    }

    /// The kabupaten/kota the NIK was issued in: `18.71` for `1871…`.
    pub fn region(&self) -> RegionCode {
        RegionCode(format!("{}.{}", &self.0[..2], &self.0[2..4]))
    }
}

id_type!(
    /// Nomor Induk Berusaha from the OSS licensing system: 13 digits.
    Nib
);

impl Nib {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        Ok(Nib(digits("NIB", text, 13)?))
    }
}

id_type!(
    /// Nomor Induk Koperasi: 16 digits, starting with the kabupaten/kota code.
    NikKoperasi
);

impl NikKoperasi {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        const KIND: &str = "NIK Koperasi";
        let t = digits(KIND, text, 16)?;
        if two(&t, 0) < 11 || two(&t, 2) == 0 {
            return Err(IdError::new(KIND, IdProblem::Part("kode wilayah")));
        }
        Ok(NikKoperasi(t))
    }

    pub fn region(&self) -> RegionCode {
        RegionCode(format!("{}.{}", &self.0[..2], &self.0[2..4]))
    }
}

id_type!(
    /// The number of the decree that made a cooperative a legal entity
    /// (nomor badan hukum), e.g. `AHU-0001234.AH.01.26.TAHUN 2020` or `123/BH/X.3/2015`.
    LegalEntityNumber
);

impl LegalEntityNumber {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        const KIND: &str = "nomor badan hukum";
        let t = text.trim();
        if t.is_empty() {
            return Err(IdError::new(KIND, IdProblem::Empty));
        }
        if t.len() > 100
            || !t.bytes().any(|b| b.is_ascii_digit())
            || t.chars().any(char::is_control)
        {
            return Err(IdError::new(
                KIND,
                IdProblem::Format("nomor SK badan hukum, mis. 123/BH/X.3/2015"),
            ));
        }
        Ok(LegalEntityNumber(t.to_uppercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn region_codes() {
        assert!(RegionCode::parse("18").unwrap().is_province());
        let kota = RegionCode::parse(" 18.71 ").unwrap();
        assert_eq!(kota.province().as_str(), "18");
        assert!(kota.province().covers(&kota) && !kota.covers(&kota.province()));
        assert!(!RegionCode::parse("13").unwrap().covers(&kota));
        for bad in ["", "1", "1871", "18.7", "18.710", "ab.cd", "00", "18.00"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nik_checks_its_parts() {
        let nik = Nik::parse("1871 0145 0890 0001").unwrap();
        assert_eq!(nik.region().as_str(), "18.71");
        assert_eq!(
            Nik::parse("18710145089000").unwrap_err().problem,
            IdProblem::Digits(16)
        );
        assert_eq!(
            Nik::parse("1871011213900001")
                .unwrap_err()
                .message(Lang::Id),
            "NIK tidak sah: bulan lahir"
        );
        assert_eq!(
            Nik::parse("1871011212900000")
                .unwrap_err()
                .message(Lang::En),
            "NIK is not valid: serial number"
        );
        assert!(Nik::parse("1871017212900001").is_err(), "day 72");
        assert!(Nik::parse("0971015212900001").is_err(), "province 09");
    }

    #[test]
    fn nib_and_cooperative_numbers() {
        assert!(Nib::parse("9120001234567").is_ok());
        assert!(Nib::parse("912000123456").is_err());
        assert_eq!(
            NikKoperasi::parse("1871020030000123")
                .unwrap()
                .region()
                .as_str(),
            "18.71"
        );
        assert_eq!(
            LegalEntityNumber::parse("123/bh/x.3/2015")
                .unwrap()
                .as_str(),
            "123/BH/X.3/2015"
        );
        assert!(LegalEntityNumber::parse("tanpa nomor").is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,40}") {
            let _ = (RegionCode::parse(&s), Nik::parse(&s), Nib::parse(&s), NikKoperasi::parse(&s), LegalEntityNumber::parse(&s));
        }

        #[test]
        fn a_valid_nik_round_trips(region in 1100u32..9999, day in 1u32..=28, female in any::<bool>(), month in 1u32..=12, year in 0u32..100, serial in 1u32..10_000) {
            prop_assume!(region % 100 != 0);
            let text = format!("{region:04}01{:02}{month:02}{year:02}{serial:04}", day + if female { 40 } else { 0 });
            let nik = Nik::parse(&text).unwrap();
            prop_assert_eq!(Nik::parse(nik.as_str()), Ok(nik));
        }
    }
}
