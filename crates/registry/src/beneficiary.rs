//! Beneficiary records, parsed from one CSV row with every bad column named.
//!
//! The columns (header names, any order, unknown columns refused):
//! `kind, region_code, name` for everyone, then by kind:
//! - `cooperative`: `nik_koperasi`, `legal_entity_number`, `coop_kind`,
//!   `members`, `active` (ya/tidak), `last_rat_year` (optional);
//! - `umkm`: `nib`, `owner_nik`, `scale` (mikro/kecil/menengah);
//! - `pkl`: `nik`, `market_location`;
//! - `entrepreneur`: `nik`;
//! - optional for all: `lat`, `lon` (the registered location), with a
//!   decimal point or comma; `address`; `phone` (a leading 0 that Excel
//!   dropped from a mobile number is put back); `desa_code`, the
//!   desa/kelurahan (`33.73.04.1001`), which must lie in `region_code`: an
//!   old code a decree replaced is taken, and the record keeps the current
//!   one. A Koperasi Desa/Kelurahan Merah Putih (`coop_kind` `merah_putih`)
//!   must give it.
//!
//! Every column may also be named in Indonesian ([`KOLOM`]: `jenis`,
//! `kode_wilayah`, `nama`, …); a refusal names the column as the file does.
//!
//! The columns `line`, `column` and `reason` that the file of refused rows
//! adds are ignored, so that file, mended, is imported again as it is.
//! What Excel does to numbers is undone where it can be (`18.1` is region
//! `18.10`) and named where it cannot (a NIK in scientific notation).

use pantau_domain::{
    GeoPoint, IdError, Label, Lang, LegalEntityNumber, Nib, Nik, NikKoperasi, RegionCode,
};
use serde::Serialize;

use crate::regions::Regions;
pub use crate::sheet::ColumnError;
use crate::sheet::{Columns, excel};
use crate::villages::{DesaCode, Villages};

pub const COLUMNS: [&str; 19] = [
    "kind",
    "region_code",
    "name",
    "nik_koperasi",
    "legal_entity_number",
    "coop_kind",
    "members",
    "active",
    "last_rat_year",
    "nib",
    "owner_nik",
    "scale",
    "nik",
    "market_location",
    "lat",
    "lon",
    "address",
    "phone",
    "desa_code",
];

/// The same columns by their Indonesian names, in [`COLUMNS`]' order.
pub const KOLOM: [&str; 19] = [
    "jenis",
    "kode_wilayah",
    "nama",
    "nik_koperasi",
    "nomor_badan_hukum",
    "jenis_koperasi",
    "jumlah_anggota",
    "aktif",
    "tahun_rat_terakhir",
    "nib",
    "nik_pemilik",
    "skala",
    "nik",
    "lokasi_pasar",
    "lintang",
    "bujur",
    "alamat",
    "telepon",
    "kode_desa",
];

/// The column names of `lang`, in [`COLUMNS`]' order.
pub fn column_names(lang: Lang) -> &'static [&'static str; 19] {
    match lang {
        Lang::Id => &KOLOM,
        Lang::En => &COLUMNS,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beneficiary {
    pub region: RegionCode,
    pub name: String,
    pub location: Option<GeoPoint>,
    pub contact: Contact,
    /// The desa/kelurahan it lies in: the current code (an old one given is
    /// resolved through `data/renamed.csv` when read).
    pub desa: Option<DesaCode>,
    pub details: Details,
}

/// Where to find a beneficiary besides its point: for the officer who goes there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub address: Option<String>,
    /// Digits, with a leading `+` for an international number.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    Cooperative {
        nik: NikKoperasi,
        legal_entity: LegalEntityNumber,
        coop_kind: String,
        members: u32,
        active: bool,
        last_rat_year: Option<u16>,
    },
    Umkm {
        nib: Nib,
        owner: Nik,
        scale: Scale,
    },
    Pkl {
        nik: Nik,
        market_location: String,
    },
    Entrepreneur {
        nik: Nik,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Micro,
    Small,
    Medium,
}

impl Scale {
    /// A scale as offices write it, in Indonesian or English, any case.
    pub fn parse(v: &str) -> Option<Scale> {
        match v.trim().to_lowercase().as_str() {
            "mikro" | "micro" => Some(Scale::Micro),
            "kecil" | "small" => Some(Scale::Small),
            "menengah" | "medium" => Some(Scale::Medium),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Micro => "micro",
            Scale::Small => "small",
            Scale::Medium => "medium",
        }
    }
}

/// The cooperative kind of a Koperasi Desa/Kelurahan Merah Putih: one per
/// desa/kelurahan, so it must give its `desa_code`.
pub const MERAH_PUTIH: &str = "merah_putih";

/// The cooperative kinds named in the sources; others are refused so that reports can count them.
pub const COOP_KINDS: [&str; 9] = [
    "ksp",
    "kud",
    "kopontren",
    "desa_wisata",
    "konsumen",
    "produsen",
    "pemasaran",
    "jasa",
    MERAH_PUTIH,
];

impl Beneficiary {
    pub fn kind(&self) -> &'static str {
        match self.details {
            Details::Cooperative { .. } => "cooperative",
            Details::Umkm { .. } => "umkm",
            Details::Pkl { .. } => "pkl",
            Details::Entrepreneur { .. } => "entrepreneur",
        }
    }

    /// What makes two records the same beneficiary: registering it twice finds the first.
    pub fn natural_key(&self) -> String {
        match &self.details {
            Details::Cooperative { nik, .. } => cooperative_key(nik),
            Details::Umkm { nib, .. } => format!("umkm:{nib}"),
            Details::Pkl {
                nik,
                market_location,
            } => format!("pkl:{nik}:{}", market_location.to_lowercase()),
            Details::Entrepreneur { nik } => format!("wirausaha:{nik}"),
        }
    }
}

/// The natural key of the cooperative with NIK Koperasi `nik`.
pub fn cooperative_key(nik: &NikKoperasi) -> String {
    format!("koperasi:{nik}")
}

/// The columns Pantau's file of refused rows puts before the row: ignored when read.
pub const REFUSED_COLUMNS: [&str; 3] = ["line", "column", "reason"];

/// Maps header names to positions; unknown or missing headers are errors.
#[derive(Debug, Clone)]
pub struct Header(Columns<{ COLUMNS.len() }>);

impl Header {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, Vec<ColumnError>> {
        // Kind, region and name are required; the rest depend on the kind.
        Columns::read(names, (COLUMNS, KOLOM), &REFUSED_COLUMNS, |p| p < 3).map(Header)
    }

    /// Column `column` (by its English name) as the file names it.
    pub fn written(&self, column: &str) -> String {
        self.0.written(column)
    }
}

/// Parses one row; every bad column is reported, not just the first.
pub fn parse_row<'a, S: AsRef<str>>(
    header: &Header,
    fields: &'a [S],
    regions: &Regions,
) -> Result<Beneficiary, Vec<ColumnError>> {
    let mut errors = Vec::new();
    let get = |col: &str| -> &'a str {
        let p = COLUMNS.iter().position(|c| *c == col).unwrap_or(0);
        header.0.cell(p, fields)
    };
    let mut err = |column: &str, reason: Label| {
        errors.push(ColumnError {
            column: column.into(),
            reason,
        })
    };
    let required = |col: &str| -> Result<&'a str, (String, Label)> {
        let v = get(col);
        if v.is_empty() {
            Err((col.to_string(), Label::new("wajib diisi", "required")))
        } else {
            Ok(v)
        }
    };
    macro_rules! need {
        ($col:expr, $parse:expr) => {
            match required($col) {
                Ok(v) => match $parse(v) {
                    Ok(x) => Some(x),
                    Err(e) => {
                        err($col, e);
                        None
                    }
                },
                Err((c, r)) => {
                    err(&c, r);
                    None
                }
            }
        };
    }
    let region = need!("region_code", |v: &str| region_code(v, regions));
    let name = need!("name", |v: &str| if v.chars().count() > 200 {
        Err(Label::new(
            "lebih dari 200 huruf",
            "longer than 200 characters",
        ))
    } else {
        Ok(v.to_string())
    });
    let location = match (get("lat"), get("lon")) {
        ("", "") => None,
        (lat, lon) => {
            let lat = degrees("lat", lat, "lon", 90.0)
                .map_err(|e| err("lat", e))
                .ok();
            let lon = degrees("lon", lon, "lat", 180.0)
                .map_err(|e| err("lon", e))
                .ok();
            lat.zip(lon)
                .and_then(|(lat, lon)| GeoPoint::from_degrees(lat, lon).ok())
        }
    };
    let address = match get("address") {
        "" => None,
        v if v.chars().count() > 300 => {
            err(
                "address",
                Label::new("lebih dari 300 huruf", "longer than 300 characters"),
            );
            None
        }
        v => Some(v.to_string()),
    };
    let phone = match get("phone") {
        "" => None,
        v => phone(v).map_err(|e| err("phone", e)).ok(),
    };
    let contact = Contact { address, phone };
    let desa = match (get("desa_code"), &region) {
        ("", _) | (_, None) => None,
        (v, Some(r)) => desa_code(v, r).map_err(|e| err("desa_code", e)).ok(),
    };
    let desa_missing = get("desa_code").is_empty();
    let nik_of = |v: &str| id("nik", v, Nik::parse);
    let details = match get("kind").to_lowercase().as_str() {
        "cooperative" | "koperasi" => {
            let nik = need!("nik_koperasi", |v: &str| id(
                "nik_koperasi",
                v,
                NikKoperasi::parse
            ));
            if let (Some(n), Some(r)) = (&nik, &region)
                && &n.region() != r
            {
                err(
                    "nik_koperasi",
                    Label::new(
                        format!("diawali {} tetapi wilayahnya {r}", n.region()),
                        format!("starts with {}, but the region is {r}", n.region()),
                    ),
                );
            }
            let legal = need!("legal_entity_number", |v: &str| LegalEntityNumber::parse(v)
                .map_err(id_reason));
            let coop_kind = need!("coop_kind", |v: &str| {
                let k = v.to_lowercase().replace([' ', '-'], "_");
                if COOP_KINDS.contains(&k.as_str()) {
                    Ok(k)
                } else {
                    Err(Label::new(
                        format!(
                            "jenis koperasi `{v}` tidak dikenal (yang dikenal: {})",
                            COOP_KINDS.join(", ")
                        ),
                        format!(
                            "unknown cooperative kind `{v}` (known: {})",
                            COOP_KINDS.join(", ")
                        ),
                    ))
                }
            });
            if coop_kind.as_deref() == Some(MERAH_PUTIH) && desa_missing {
                err(
                    "desa_code",
                    Label::new(
                        "wajib diisi untuk Koperasi Desa/Kelurahan Merah Putih",
                        "required for a Koperasi Desa/Kelurahan Merah Putih \
                         (a village cooperative)",
                    ),
                );
            }
            let members = need!("members", |v: &str| v.parse::<u32>().map_err(|_| {
                Label::new(
                    format!("`{v}` bukan bilangan bulat"),
                    format!("`{v}` is not a whole number"),
                )
            }));
            let active = need!("active", yes_no);
            let last_rat_year = match get("last_rat_year") {
                "" => None,
                v => match v.parse::<u16>() {
                    Ok(y) if (1945..=2100).contains(&y) => Some(y),
                    _ => {
                        err(
                            "last_rat_year",
                            Label::new(
                                format!("`{v}` bukan tahun"),
                                format!("`{v}` is not a year"),
                            ),
                        );
                        None
                    }
                },
            };
            match (nik, legal, coop_kind, members, active) {
                (Some(nik), Some(legal_entity), Some(coop_kind), Some(members), Some(active)) => {
                    Some(Details::Cooperative {
                        nik,
                        legal_entity,
                        coop_kind,
                        members,
                        active,
                        last_rat_year,
                    })
                }
                _ => None,
            }
        }
        "umkm" => {
            let nib = need!("nib", |v: &str| id("nib", v, Nib::parse));
            let owner = need!("owner_nik", |v: &str| id("owner_nik", v, Nik::parse));
            let scale = need!("scale", |v: &str| Scale::parse(v).ok_or_else(|| {
                Label::new(
                    format!("`{v}` bukan mikro/kecil/menengah"),
                    format!("`{v}` is not micro, small or medium"),
                )
            }));
            match (nib, owner, scale) {
                (Some(nib), Some(owner), Some(scale)) => Some(Details::Umkm { nib, owner, scale }),
                _ => None,
            }
        }
        "pkl" => {
            let nik = need!("nik", nik_of);
            let market = need!("market_location", |v: &str| Ok::<_, Label>(v.to_string()));
            match (nik, market) {
                (Some(nik), Some(market_location)) => Some(Details::Pkl {
                    nik,
                    market_location,
                }),
                _ => None,
            }
        }
        "entrepreneur" | "wirausaha" | "wirausaha_pemula" => {
            need!("nik", nik_of).map(|nik| Details::Entrepreneur { nik })
        }
        "" => {
            err(
                "kind",
                Label::new(
                    "wajib diisi: cooperative, umkm, pkl atau entrepreneur",
                    "required: cooperative, umkm, pkl or entrepreneur",
                ),
            );
            None
        }
        other => {
            err(
                "kind",
                Label::new(
                    format!("`{other}` bukan cooperative, umkm, pkl atau entrepreneur"),
                    format!("`{other}` is not cooperative, umkm, pkl or entrepreneur"),
                ),
            );
            None
        }
    };
    match (region, name, details) {
        (Some(region), Some(name), Some(details)) if errors.is_empty() => Ok(Beneficiary {
            region,
            name,
            location,
            contact,
            desa,
            details,
        }),
        _ => Err(errors
            .into_iter()
            .map(|e| ColumnError {
                column: header.written(&e.column),
                reason: e.reason,
            })
            .collect()),
    }
}

/// A phone number as offices write it (`0812-3456-7890`, `+62 812 3456
/// 7890`, `(0721) 123456`), kept as its digits (and a leading `+`). A
/// mobile number Excel saved as a number has lost its leading 0
/// (`81234567890`): it is put back. Scientific notation is refused.
pub fn phone(v: &str) -> Result<String, Label> {
    if excel::scientific(v) {
        return Err(excel::scientific_reason("phone", v));
    }
    let plus = v.trim_start().starts_with('+');
    let mut digits = String::new();
    for c in v.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            '+' if digits.is_empty() => {}
            _ => {
                return Err(Label::new(
                    format!("`{v}` bukan nomor telepon (hanya angka, spasi, - dan +)"),
                    format!("`{v}` is not a phone number (digits, spaces, - and + only)"),
                ));
            }
        }
    }
    if !(6..=15).contains(&digits.len()) {
        return Err(Label::new(
            format!("`{v}` bukan nomor telepon (6 sampai 15 angka)"),
            format!("`{v}` is not a phone number (6 to 15 digits)"),
        ));
    }
    Ok(match (plus, digits.starts_with('8')) {
        (true, _) => format!("+{digits}"),
        (false, true) => format!("0{digits}"),
        (false, false) => digits,
    })
}

fn id_reason(e: IdError) -> Label {
    Label::new(e.message(Lang::Id), e.message(Lang::En))
}

/// An identifier of column `column`; one Excel turned into scientific
/// notation is refused with what to do about it.
fn id<T>(column: &str, v: &str, parse: fn(&str) -> Result<T, IdError>) -> Result<T, Label> {
    parse(v).map_err(|e| match excel::scientific(v) {
        true => excel::scientific_reason(column, v),
        false => id_reason(e),
    })
}

/// A kabupaten/kota code, also as Excel saves it (`18.1` for `18.10`).
fn region_code(v: &str, regions: &Regions) -> Result<RegionCode, Label> {
    let (code, restored) = match RegionCode::parse(v) {
        Ok(code) => (code, false),
        Err(e) => match excel::region_code(v) {
            Some(excel) => (RegionCode::parse(&excel).map_err(id_reason)?, true),
            None => return Err(id_reason(e)),
        },
    };
    if code.is_province() {
        return Err(Label::new(
            "harus kode kabupaten/kota, mis. 18.71",
            "must be a kabupaten/kota code, e.g. 18.71",
        ));
    }
    match (regions.get(&code), restored) {
        (Some(_), _) => Ok(code),
        (None, false) => Err(Label::new(
            format!("kode wilayah {code} tidak ada"),
            format!("there is no region {code}"),
        )),
        (None, true) => Err(Label::new(
            format!(
                "`{v}` dibaca {code} (Excel membuang angka 0 di belakangnya), tetapi kode wilayah \
                 {code} tidak ada"
            ),
            format!(
                "`{v}` read as {code} (Excel drops a trailing zero), but there is no region {code}"
            ),
        )),
    }
}

/// The desa/kelurahan code `v` of a beneficiary of kabupaten/kota `regency`
/// ([`Villages::accept_desa`]).
fn desa_code(v: &str, regency: &RegionCode) -> Result<DesaCode, Label> {
    let villages = Villages::embedded().map_err(|e| {
        Label::new(
            format!("daftar desa/kelurahan tidak terbaca: {e}"),
            format!("the list of desa/kelurahan cannot be read: {e}"),
        )
    })?;
    villages
        .accept_desa("desa_code", v, regency)
        .map_err(|e| e.reason)
}

/// Degrees of latitude (`limit` 90) or longitude (180) in column `column`,
/// with a decimal point or comma; `other` is the column it goes with.
fn degrees(column: &str, v: &str, other: &str, limit: f64) -> Result<f64, Label> {
    if v.is_empty() {
        return Err(Label::new(
            format!("wajib diisi bila {other} diisi"),
            format!("required when {other} is given"),
        ));
    }
    match excel::decimal(v) {
        Some(d) if (-limit..=limit).contains(&d) => Ok(d),
        Some(_) => Err(Label::new(
            format!("`{v}` di luar -{limit} sampai {limit}"),
            format!("`{v}`: {column} must lie between -{limit} and {limit}"),
        )),
        None => Err(Label::new(
            format!("`{v}` bukan angka derajat, mis. -5.4292 atau -5,4292"),
            format!("`{v}` is not a number of degrees, e.g. -5.4292"),
        )),
    }
}

fn yes_no(v: &str) -> Result<bool, Label> {
    match v.to_lowercase().as_str() {
        "ya" | "yes" | "aktif" | "1" | "true" => Ok(true),
        "tidak" | "no" | "tidak aktif" | "0" | "false" => Ok(false),
        _ => Err(Label::new(
            format!("`{v}` bukan ya/tidak"),
            format!("`{v}` is not yes/no"),
        )),
    }
}

#[cfg(test)]
mod tests;
