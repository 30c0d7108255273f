//! Beneficiary records, parsed from one CSV row with every bad column named.
//!
//! The columns (header names, any order, unknown columns refused):
//! `kind, region_code, name` for everyone, then by kind:
//! - `cooperative`: `nik_koperasi`, `legal_entity_number`, `coop_kind`,
//!   `members`, `active` (ya/tidak), `last_rat_year` (optional);
//! - `umkm`: `nib`, `owner_nik`, `scale` (mikro/kecil/menengah);
//! - `pkl`: `nik`, `market_location`;
//! - `entrepreneur`: `nik`;
//! - optional for all: `lat`, `lon` (the registered location).

use pantau_domain::{
    GeoPoint, IdError, Lang, LegalEntityNumber, Nib, Nik, NikKoperasi, RegionCode,
};
use serde::Serialize;

use crate::regions::Regions;

pub const COLUMNS: [&str; 16] = [
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
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beneficiary {
    pub region: RegionCode,
    pub name: String,
    pub location: Option<GeoPoint>,
    pub details: Details,
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
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Micro => "micro",
            Scale::Small => "small",
            Scale::Medium => "medium",
        }
    }
}

/// The cooperative kinds named in the sources; others are refused so that reports can count them.
pub const COOP_KINDS: [&str; 8] = [
    "ksp",
    "kud",
    "kopontren",
    "desa_wisata",
    "konsumen",
    "produsen",
    "pemasaran",
    "jasa",
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
            Details::Cooperative { nik, .. } => format!("koperasi:{nik}"),
            Details::Umkm { nib, .. } => format!("umkm:{nib}"),
            Details::Pkl {
                nik,
                market_location,
            } => format!("pkl:{nik}:{}", market_location.to_lowercase()),
            Details::Entrepreneur { nik } => format!("wirausaha:{nik}"),
        }
    }
}

/// One bad column of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnError {
    pub column: String,
    pub reason: String,
}

/// Maps header names to positions; unknown or missing headers are errors.
#[derive(Debug, Clone)]
pub struct Header {
    index: [Option<usize>; COLUMNS.len()],
}

impl Header {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, Vec<ColumnError>> {
        let mut index = [None; COLUMNS.len()];
        let mut errors = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            match COLUMNS.iter().position(|c| *c == name) {
                Some(p) if index[p].is_none() => index[p] = Some(i),
                Some(_) => errors.push(ColumnError {
                    column: name,
                    reason: "kolom ganda (duplicate column)".into(),
                }),
                None => errors.push(ColumnError {
                    column: name,
                    reason: format!(
                        "kolom tidak dikenal (unknown column; known: {})",
                        COLUMNS.join(", ")
                    ),
                }),
            }
        }
        for required in ["kind", "region_code", "name"] {
            if index[COLUMNS.iter().position(|c| *c == required).unwrap_or(0)].is_none() {
                errors.push(ColumnError {
                    column: required.into(),
                    reason: "kolom wajib tidak ada (required column missing)".into(),
                });
            }
        }
        if errors.is_empty() {
            Ok(Header { index })
        } else {
            Err(errors)
        }
    }
}

/// Parses one row; every bad column is reported, not just the first.
pub fn parse_row<'a>(
    header: &Header,
    fields: &'a [&'a str],
    regions: &Regions,
) -> Result<Beneficiary, Vec<ColumnError>> {
    let mut errors = Vec::new();
    let get = |col: &str| -> &'a str {
        let p = COLUMNS.iter().position(|c| *c == col).unwrap_or(0);
        header.index[p]
            .and_then(|i| fields.get(i))
            .map_or("", |s| s.trim())
    };
    let mut err = |column: &str, reason: String| {
        errors.push(ColumnError {
            column: column.into(),
            reason,
        })
    };
    let required = |col: &str| -> Result<&'a str, (String, String)> {
        let v = get(col);
        if v.is_empty() {
            Err((col.to_string(), "wajib diisi (required)".to_string()))
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
    let id_reason = |e: IdError| format!("{} ({})", e.message(Lang::Id), e.message(Lang::En));

    let region = need!("region_code", |v: &str| match RegionCode::parse(v) {
        Ok(c) if c.is_province() =>
            Err("harus kode kabupaten/kota, mis. 18.71 (must be a kabupaten/kota code)".to_string()),
        Ok(c) if regions.get(&c).is_none() =>
            Err(format!("kode wilayah {c} tidak ada (no such region)")),
        Ok(c) => Ok(c),
        Err(e) => Err(id_reason(e)),
    });
    let name = need!("name", |v: &str| if v.chars().count() > 200 {
        Err("lebih dari 200 huruf (longer than 200 characters)".to_string())
    } else {
        Ok(v.to_string())
    });
    let location = match (get("lat"), get("lon")) {
        ("", "") => None,
        (lat, lon) => match GeoPoint::parse(&format!("{lat},{lon}")) {
            Ok(p) => Some(p),
            Err(e) => {
                err("lat", e.to_string());
                None
            }
        },
    };
    let nik_of = |v: &str| Nik::parse(v).map_err(id_reason);
    let details = match get("kind").to_lowercase().as_str() {
        "cooperative" | "koperasi" => {
            let nik = need!("nik_koperasi", |v: &str| NikKoperasi::parse(v)
                .map_err(id_reason));
            if let (Some(n), Some(r)) = (&nik, &region)
                && &n.region() != r
            {
                err(
                    "nik_koperasi",
                    format!(
                        "diawali {} tetapi wilayahnya {r} (starts with another region's code)",
                        n.region()
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
                    Err(format!(
                        "jenis koperasi `{v}` tidak dikenal (known: {})",
                        COOP_KINDS.join(", ")
                    ))
                }
            });
            let members = need!("members", |v: &str| v
                .parse::<u32>()
                .map_err(|_| format!("`{v}` bukan bilangan bulat (not a whole number)")));
            let active = need!("active", yes_no);
            let last_rat_year = match get("last_rat_year") {
                "" => None,
                v => match v.parse::<u16>() {
                    Ok(y) if (1945..=2100).contains(&y) => Some(y),
                    _ => {
                        err("last_rat_year", format!("`{v}` bukan tahun (not a year)"));
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
            let nib = need!("nib", |v: &str| Nib::parse(v).map_err(id_reason));
            let owner = need!("owner_nik", nik_of);
            let scale = need!("scale", |v: &str| match v.to_lowercase().as_str() {
                "mikro" | "micro" => Ok(Scale::Micro),
                "kecil" | "small" => Ok(Scale::Small),
                "menengah" | "medium" => Ok(Scale::Medium),
                _ => Err(format!(
                    "`{v}` bukan mikro/kecil/menengah (not micro, small or medium)"
                )),
            });
            match (nib, owner, scale) {
                (Some(nib), Some(owner), Some(scale)) => Some(Details::Umkm { nib, owner, scale }),
                _ => None,
            }
        }
        "pkl" => {
            let nik = need!("nik", nik_of);
            let market = need!("market_location", |v: &str| Ok::<_, String>(v.to_string()));
            match (nik, market) {
                (Some(nik), Some(market_location)) => Some(Details::Pkl {
                    nik,
                    market_location,
                }),
                _ => None,
            }
        }
        "entrepreneur" | "wirausaha" => {
            need!("nik", nik_of).map(|nik| Details::Entrepreneur { nik })
        }
        "" => {
            err(
                "kind",
                "wajib diisi (required): cooperative, umkm, pkl atau entrepreneur".into(),
            );
            None
        }
        other => {
            err(
                "kind",
                format!(
                    "`{other}` bukan cooperative, umkm, pkl atau entrepreneur (not a kind of beneficiary)"
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
            details,
        }),
        _ => Err(errors),
    }
}

fn yes_no(v: &str) -> Result<bool, String> {
    match v.to_lowercase().as_str() {
        "ya" | "yes" | "aktif" | "1" | "true" => Ok(true),
        "tidak" | "no" | "tidak aktif" | "0" | "false" => Ok(false),
        _ => Err(format!("`{v}` bukan ya/tidak (not yes/no)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Regions {
        Regions::embedded().unwrap()
    }

    fn parse(cols: &str, row: &str) -> Result<Beneficiary, Vec<ColumnError>> {
        let header = Header::new(cols.split(',')).unwrap();
        let fields: Vec<&str> = row.split(',').collect();
        parse_row(&header, &fields, &regions())
    }

    #[test]
    fn a_cooperative_row() {
        let b = parse(
            "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active,last_rat_year",
            "cooperative,18.71,KSP Mitra Usaha,1871020030000123,123/BH/X.3/2015,KSP,214,ya,2025",
        )
        .unwrap();
        assert_eq!(b.natural_key(), "koperasi:1871020030000123");
        assert_eq!(b.kind(), "cooperative");
    }

    #[test]
    fn every_bad_column_is_named() {
        let errs = parse(
            "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active",
            "cooperative,18.71,KSP,1301020030000123,,arisan,banyak,mungkin",
        )
        .unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "nik_koperasi",
                "legal_entity_number",
                "coop_kind",
                "members",
                "active"
            ]
        );
        assert!(errs[0].reason.contains("13.01"), "{errs:?}");
        let errs = parse("kind,region_code,name,nik", "pkl,99.99,Budi,123").unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["region_code", "nik", "market_location"]);
    }

    #[test]
    fn unknown_and_missing_headers() {
        let e = Header::new(["kind", "name", "colour"]).unwrap_err();
        assert_eq!(
            e.iter().map(|c| c.column.as_str()).collect::<Vec<_>>(),
            ["colour", "region_code"]
        );
    }
}
