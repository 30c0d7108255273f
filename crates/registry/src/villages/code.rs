//! Kecamatan and desa/kelurahan codes: what they are made of, and how an
//! office's spreadsheet writes them.
//!
//! A desa code is ten digits, `33.73.04.1001`: province (`33`),
//! kabupaten/kota (`73`), kecamatan (`04`) and the desa's four, whose first
//! says what it is: 1 a kelurahan, 2 a desa, 3 a desa adat (Permendagri
//! No. 58 Tahun 2021, as the source repository's README states it).

use std::fmt;

use pantau_domain::{Label, RegionCode};
use serde::{Deserialize, Serialize};

use crate::sheet::excel;

/// What a kecamatan or desa/kelurahan code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalLevel {
    Kecamatan,
    /// Desa code `…1xxx`: an urban village, led by an appointed lurah.
    Kelurahan,
    /// Desa code `…2xxx`: a village with its own government.
    Desa,
    /// Desa code `…3xxx`: a customary village (14, all in Kabupaten Jayapura).
    DesaAdat,
}

impl LocalLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalLevel::Kecamatan => "kecamatan",
            LocalLevel::Kelurahan => "kelurahan",
            LocalLevel::Desa => "desa",
            LocalLevel::DesaAdat => "desa_adat",
        }
    }

    /// Its name in Indonesian and English.
    pub fn label(self) -> Label {
        match self {
            LocalLevel::Kecamatan => Label::new("kecamatan", "district (kecamatan)"),
            LocalLevel::Kelurahan => Label::new("kelurahan", "urban village (kelurahan)"),
            LocalLevel::Desa => Label::new("desa", "village (desa)"),
            LocalLevel::DesaAdat => Label::new("desa adat", "customary village (desa adat)"),
        }
    }
}

/// A kecamatan's six digits, e.g. `33.73.04`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KecamatanCode(u32);

/// A desa's or kelurahan's ten digits, e.g. `33.73.04.1001`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DesaCode(u64);

/// A code below the kabupaten/kota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalCode {
    Kecamatan(KecamatanCode),
    Desa(DesaCode),
}

/// Why a text is not a kecamatan or desa code. `label` says it in
/// Indonesian and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("empty")]
    Empty,
    /// Neither ten digits (or six for a kecamatan) nor the dotted form.
    #[error("not a code")]
    Shape { want: LocalLevel },
    /// A part is zero or out of range (province below 11, desa not 1xxx–3xxx).
    #[error("impossible part: {0}")]
    Part(&'static str),
    /// Excel's scientific notation with digits lost (`3,37304E+09`).
    #[error("scientific notation")]
    Scientific,
}

impl CodeError {
    /// Why `text`, read from column `column`, is refused.
    pub fn label(&self, column: &str, text: &str) -> Label {
        match self {
            CodeError::Empty => Label::new("kosong", "empty"),
            CodeError::Shape {
                want: LocalLevel::Kecamatan,
            } => Label::new(
                format!("`{text}` bukan kode kecamatan: tulis 6 angka, mis. 33.73.04 atau 337304"),
                format!(
                    "`{text}` is not a kecamatan code: write its 6 digits, e.g. 33.73.04 or 337304"
                ),
            ),
            CodeError::Shape { .. } => Label::new(
                format!(
                    "`{text}` bukan kode desa/kelurahan: tulis 10 angka, mis. 33.73.04.1001 atau \
                     3373041001"
                ),
                format!(
                    "`{text}` is not a desa/kelurahan code: write its 10 digits, e.g. \
                     33.73.04.1001 or 3373041001"
                ),
            ),
            CodeError::Part(part) => Label::new(
                format!("`{text}` tidak mungkin: {part}"),
                format!("`{text}` cannot be: {}", english(part)),
            ),
            CodeError::Scientific => excel::scientific_reason(column, text),
        }
    }
}

pub(crate) const PROVINCE_PART: &str = "kode provinsi di bawah 11";
pub(crate) const ZERO_PART: &str = "kode kabupaten/kota atau kecamatan 00";
pub(crate) const DESA_PART: &str =
    "4 angka terakhir harus diawali 1 (kelurahan), 2 (desa) atau 3 (desa adat) dan bukan x000";

fn english(part: &str) -> &str {
    match part {
        PROVINCE_PART => "a province code below 11",
        ZERO_PART => "a kabupaten/kota or kecamatan code 00",
        DESA_PART => {
            "the last 4 digits must start with 1 (kelurahan), 2 (desa) or 3 (desa adat) and not be x000"
        }
        other => other,
    }
}

/// The digits of a code as typed: plain (`3373041001`), in its groups
/// (`33.73.04.1001`, also with spaces or hyphens), or as a spreadsheet shows
/// a number with thousands separators (`3.373.041.001`, `3,373,041,001`).
/// `groups` is the code's own grouping (`[2, 2, 2, 4]`).
fn digits(text: &str, groups: &[usize]) -> Option<u64> {
    let len: usize = groups.iter().sum();
    let mut separators = text.chars().filter(|c| !c.is_ascii_digit());
    let separator = separators.next();
    if separators.any(|c| Some(c) != separator) {
        return None;
    }
    let parts: Vec<&str> = match separator {
        None => vec![text],
        Some(s @ ('.' | ' ' | '-' | ',')) => text.split(s).collect(),
        Some(_) => return None,
    };
    let widths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let lead = match len % 3 {
        0 => 3,
        r => r,
    };
    let thousands = matches!(separator, Some('.' | ','))
        && widths.first() == Some(&lead)
        && widths[1..].iter().all(|w| *w == 3);
    let shaped = separator.is_none() || widths.as_slice() == groups || thousands;
    let joined = parts.concat();
    match shaped && joined.len() == len && joined.bytes().all(|b| b.is_ascii_digit()) {
        true => joined.parse().ok(),
        false => None,
    }
}

/// The ten digits of a desa code Excel wrote in scientific notation, when
/// every digit survived (`3,373041001E+09`); `None` when some were lost.
fn scientific_digits(text: &str) -> Option<u64> {
    let (mantissa, exponent) = text.split_once(['E', 'e'])?;
    let (whole, fraction) = mantissa.split_once(['.', ','])?;
    let exponent: u32 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    match whole.len() == 1 && fraction.len() == 9 && exponent == 9 {
        true => format!("{whole}{fraction}").parse().ok(),
        false => None,
    }
}

fn check_regency(digits: u64, width: u32) -> Result<(), CodeError> {
    let scale = 10u64.pow(width - 2);
    let province = digits / scale;
    let regency = digits / 10u64.pow(width - 4) % 100;
    match (province, regency) {
        (p, _) if p < 11 => Err(CodeError::Part(PROVINCE_PART)),
        (_, 0) => Err(CodeError::Part(ZERO_PART)),
        _ => Ok(()),
    }
}

impl KecamatanCode {
    pub fn parse(text: &str) -> Result<KecamatanCode, CodeError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(CodeError::Empty);
        }
        let n = digits(t, &[2, 2, 2]).ok_or(CodeError::Shape {
            want: LocalLevel::Kecamatan,
        })?;
        check_regency(n, 6)?;
        if n % 100 == 0 {
            return Err(CodeError::Part(ZERO_PART));
        }
        Ok(KecamatanCode(n as u32))
    }

    /// The kabupaten/kota it lies in: `33.73` for `33.73.04`.
    pub fn regency(self) -> RegionCode {
        region(self.0 / 100)
    }

    pub fn province(self) -> RegionCode {
        region(self.0 / 10_000)
    }

    /// The six digits as a number (`337304`).
    pub fn number(self) -> u32 {
        self.0
    }

    /// The six digits without dots (`337304`), as a NIK starts.
    pub fn digits(self) -> String {
        format!("{:06}", self.0)
    }
}

impl DesaCode {
    /// A desa code as an office types it; see `digits` for the forms.
    pub fn parse(text: &str) -> Result<DesaCode, CodeError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(CodeError::Empty);
        }
        let n = match digits(t, &[2, 2, 2, 4]) {
            Some(n) => n,
            None if excel::scientific(t) => scientific_digits(t).ok_or(CodeError::Scientific)?,
            None => {
                return Err(CodeError::Shape {
                    want: LocalLevel::Desa,
                });
            }
        };
        check_regency(n, 10)?;
        if n / 10_000 % 100 == 0 {
            return Err(CodeError::Part(ZERO_PART));
        }
        let own = n % 10_000;
        if !(1..=3).contains(&(own / 1000)) || own % 1000 == 0 {
            return Err(CodeError::Part(DESA_PART));
        }
        Ok(DesaCode(n))
    }

    pub fn kecamatan(self) -> KecamatanCode {
        KecamatanCode((self.0 / 10_000) as u32)
    }

    pub fn regency(self) -> RegionCode {
        self.kecamatan().regency()
    }

    pub fn province(self) -> RegionCode {
        self.kecamatan().province()
    }

    /// Kelurahan, desa or desa adat, from the first of its own four digits.
    pub fn level(self) -> LocalLevel {
        match self.0 % 10_000 / 1000 {
            1 => LocalLevel::Kelurahan,
            3 => LocalLevel::DesaAdat,
            _ => LocalLevel::Desa,
        }
    }

    /// The ten digits as a number (`3373041001`).
    pub fn number(self) -> u64 {
        self.0
    }

    /// The ten digits without dots (`3373041001`).
    pub fn digits(self) -> String {
        format!("{:010}", self.0)
    }
}

impl LocalCode {
    /// A kecamatan code (6 digits) or a desa code (10), dotted or not.
    pub fn parse(text: &str) -> Result<LocalCode, CodeError> {
        let count = text.bytes().filter(u8::is_ascii_digit).count();
        match count {
            6 => KecamatanCode::parse(text).map(LocalCode::Kecamatan),
            _ => DesaCode::parse(text).map(LocalCode::Desa),
        }
    }

    pub fn kecamatan(self) -> KecamatanCode {
        match self {
            LocalCode::Kecamatan(k) => k,
            LocalCode::Desa(d) => d.kecamatan(),
        }
    }

    pub fn level(self) -> LocalLevel {
        match self {
            LocalCode::Kecamatan(_) => LocalLevel::Kecamatan,
            LocalCode::Desa(d) => d.level(),
        }
    }
}

/// The region code of `n`'s two (a province) or four digits.
fn region(n: u32) -> RegionCode {
    let text = match n {
        0..=99 => format!("{n:02}"),
        _ => format!("{:02}.{:02}", n / 100, n % 100),
    };
    // Two or four digits with no zero part (checked when the code was
    // parsed) always make a region code.
    RegionCode::parse(&text).unwrap_or_else(|_| unreachable!("region code {text}"))
}

impl fmt::Display for KecamatanCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        write!(f, "{:02}.{:02}.{:02}", n / 10_000, n / 100 % 100, n % 100)
    }
}

impl fmt::Display for DesaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:04}", self.kecamatan(), self.0 % 10_000)
    }
}

impl fmt::Display for LocalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalCode::Kecamatan(k) => k.fmt(f),
            LocalCode::Desa(d) => d.fmt(f),
        }
    }
}

impl fmt::Debug for KecamatanCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KecamatanCode({self})")
    }
}

impl fmt::Debug for DesaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DesaCode({self})")
    }
}

impl TryFrom<String> for KecamatanCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        KecamatanCode::parse(&s)
    }
}

impl TryFrom<String> for DesaCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        DesaCode::parse(&s)
    }
}

impl From<KecamatanCode> for String {
    fn from(c: KecamatanCode) -> String {
        c.to_string()
    }
}

impl From<DesaCode> for String {
    fn from(c: DesaCode) -> String {
        c.to_string()
    }
}

impl std::str::FromStr for DesaCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        DesaCode::parse(s)
    }
}

impl std::str::FromStr for KecamatanCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        KecamatanCode::parse(s)
    }
}
