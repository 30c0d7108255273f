//! A beneficiary's desa/kelurahan on the pages, and `/registri/desa`: every
//! desa/kelurahan of a kabupaten/kota, by kecamatan, with its Koperasi
//! Desa/Kelurahan Merah Putih (one, none or several), counted at the top
//! and narrowed to one of the three. The desa come from the shipped list
//! (`pantau_registry::villages`), the cooperatives from one query; a code
//! kept before a decree changed it is followed to the current one.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use pantau_domain::{Label, RegionCode};
use pantau_registry::beneficiary::MERAH_PUTIH;
use pantau_registry::villages::{Place, Villages};
use pantau_store::model::Beneficiary;
use pantau_store::registry::VillageCoop;
use serde::Serialize;

use super::super::format;
use super::super::party::Fact;
use super::super::region_select::{self, Codes, RegionGroup};
use super::super::view::{OrFail, PageResult, Viewer, link, query_pairs};
use crate::App;
use crate::error::ApiError;

fn villages() -> Result<&'static Villages, ApiError> {
    Villages::embedded().map_err(|e| ApiError::Internal(e.to_string()))
}

/// The place a kept code names now (an old code followed to its current one).
fn place(code: &str) -> Option<Place<'static>> {
    villages().ok()?.resolve(code).map(|f| f.place)
}

/// The card's facts of `b`'s desa/kelurahan and kecamatan, when it has one.
pub(crate) fn facts(v: &Viewer, b: &Beneficiary) -> Vec<Fact> {
    let Some(code) = b.desa_code.as_deref() else {
        return vec![];
    };
    match place(code) {
        Some(p) => vec![
            Fact {
                label: v.text("desa.desa"),
                value: format!("{} ({})", p.name, p.code),
            },
            Fact {
                label: v.text("desa.kecamatan"),
                value: p.kecamatan_name.to_string(),
            },
        ],
        None => vec![Fact {
            label: v.text("desa.desa"),
            value: code.to_string(),
        }],
    }
}

/// The desa of a correction of `b` as typed: the current code, checked to
/// lie in its kabupaten/kota; required of a Merah Putih cooperative.
pub(super) fn corrected(b: &Beneficiary, typed: &str) -> Result<Option<String>, Label> {
    if typed.is_empty() {
        return match b.coop_kind.as_deref() == Some(MERAH_PUTIH) {
            true => Err(Label::new(
                "wajib diisi untuk Koperasi Desa/Kelurahan Merah Putih",
                "required for a Koperasi Desa/Kelurahan Merah Putih (a village cooperative)",
            )),
            false => Ok(None),
        };
    }
    let broken = |e: String| Label::new(e.clone(), e);
    let regency = RegionCode::parse(&b.region_code).map_err(|e| broken(e.to_string()))?;
    let villages = Villages::embedded().map_err(|e| broken(e.to_string()))?;
    villages
        .accept_desa("desa", typed, &regency)
        .map(|code| Some(code.to_string()))
        .map_err(|e| e.reason)
}

/// Which desa the page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    All,
    /// At least one cooperative.
    Have,
    None,
    /// More than one.
    Several,
}

impl Show {
    const ALL: [Show; 4] = [Show::All, Show::Have, Show::None, Show::Several];

    /// The value in links (`tampil=`).
    fn as_str(self) -> &'static str {
        match self {
            Show::All => "",
            Show::Have => "ada",
            Show::None => "tanpa",
            Show::Several => "ganda",
        }
    }

    /// Its word's key under `desa.tampil_`.
    fn word(self) -> &'static str {
        match self {
            Show::All => "semua",
            s => s.as_str(),
        }
    }

    fn keeps(self, n: usize) -> bool {
        match self {
            Show::All => true,
            Show::Have => n >= 1,
            Show::None => n == 0,
            Show::Several => n > 1,
        }
    }
}

#[derive(Serialize)]
struct CoopLink {
    href: String,
    name: String,
}

#[derive(Serialize)]
struct DesaRow {
    code: String,
    name: String,
    level: String,
    /// `ada`, `tanpa` or `ganda`.
    state: &'static str,
    coops: Vec<CoopLink>,
}

#[derive(Serialize)]
struct KecamatanGroup {
    code: String,
    name: String,
    /// Desa with a cooperative / desa, in this kecamatan.
    have: usize,
    total: usize,
    rows: Vec<DesaRow>,
}

#[derive(Serialize)]
struct Filter {
    href: String,
    label: String,
    /// How many desa it keeps (`count` is a helper's name).
    n: String,
    current: bool,
}

#[derive(Serialize)]
struct CoveragePage {
    wilayah: String,
    regions: Vec<RegionGroup>,
    /// The chosen kabupaten/kota's name, when one is chosen.
    region_name: Option<String>,
    filters: Vec<Filter>,
    desa: String,
    coops: String,
    groups: Vec<KecamatanGroup>,
    /// Cooperatives whose kept code names no desa of the kabupaten/kota.
    unplaced: Vec<CoopLink>,
}

fn coop_link(c: &VillageCoop) -> CoopLink {
    CoopLink {
        href: format!("/registri/{}", c.id),
        name: c.name.clone(),
    }
}

pub async fn coverage(State(app): State<App>, v: Viewer) -> PageResult {
    let query = query_pairs(v.look.here.split_once('?').map(|(_, q)| q));
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (mut wilayah, tampil) = (get("wilayah"), get("tampil"));
    // A reader of one kabupaten/kota starts at it.
    if wilayah.is_empty()
        && let Some(own) = v.caller.scope.region().filter(|r| !r.is_province())
    {
        wilayah = own.to_string();
    }
    let Some(show) = Show::ALL
        .into_iter()
        .find(|s| s.as_str() == tampil || s.word() == tampil)
    else {
        return Err(ApiError::invalid("tampil", v.text("desa.tampil_salah"))).or_fail(&v);
    };
    let within = app.regions_within(&v.caller.scope);
    let regions = region_select::grouped(
        &app,
        &v,
        within
            .iter()
            .map(|(code, _)| code.as_str())
            .filter(|c| RegionCode::parse(c).is_ok_and(|r| !r.is_province())),
        Some(wilayah.as_str()),
        Codes::Shown,
    );
    let mut page = CoveragePage {
        wilayah: wilayah.clone(),
        regions,
        region_name: None,
        filters: vec![],
        desa: String::new(),
        coops: String::new(),
        groups: vec![],
        unplaced: vec![],
    };
    if wilayah.is_empty() {
        return Ok(render(&v, page));
    }
    // A kabupaten/kota the reader sees: another region is refused as the
    // registry list refuses it.
    let regency = match RegionCode::parse(&wilayah) {
        Ok(r) if !r.is_province() && app.has_region(&wilayah) && v.caller.sees(Some(&wilayah)) => r,
        _ => return Err(ApiError::invalid("wilayah", v.text("desa.wilayah_salah"))).or_fail(&v),
    };
    let villages = villages().or_fail(&v)?;
    let coops = app
        .store
        .merah_putih_in(&regency, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    // Each cooperative under the code its desa has now.
    let mut by_desa: BTreeMap<String, Vec<&VillageCoop>> = BTreeMap::new();
    for c in &coops {
        let now = c.desa_code.as_deref().and_then(|d| villages.resolve(d));
        match now {
            Some(f) if f.place.regency.code == regency => {
                by_desa.entry(f.place.code.to_string()).or_default().push(c)
            }
            _ => page.unplaced.push(coop_link(c)),
        }
    }
    let lang = v.caller.lang;
    let mut counts = [0usize; 4];
    let mut groups: Vec<KecamatanGroup> = Vec::new();
    for d in villages.desa_in(&regency) {
        let code = d.code.to_string();
        let here = by_desa.get(&code).map_or(&[][..], Vec::as_slice);
        for (i, s) in Show::ALL.into_iter().enumerate() {
            counts[i] += usize::from(s.keeps(here.len()));
        }
        let kecamatan = d.kecamatan.to_string();
        if groups.last().is_none_or(|g| g.code != kecamatan) {
            groups.push(KecamatanGroup {
                code: kecamatan,
                name: d.kecamatan_name.to_string(),
                have: 0,
                total: 0,
                rows: vec![],
            });
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        group.total += 1;
        group.have += usize::from(!here.is_empty());
        if show.keeps(here.len()) {
            group.rows.push(DesaRow {
                code,
                name: d.name.to_string(),
                level: d.level.label().get(lang).to_string(),
                state: match here.len() {
                    0 => "tanpa",
                    1 => "ada",
                    _ => "ganda",
                },
                coops: here.iter().map(|c| coop_link(c)).collect(),
            });
        }
    }
    groups.retain(|g| !g.rows.is_empty());
    page.filters = Show::ALL
        .into_iter()
        .zip(counts)
        .map(|(s, n)| Filter {
            href: link(
                "/registri/desa",
                &[("wilayah", &wilayah), ("tampil", s.as_str())],
            ),
            label: v.text(&format!("desa.tampil_{}", s.word())),
            n: format::thousands(i64::try_from(n).unwrap_or(i64::MAX), lang),
            current: s == show,
        })
        .collect();
    page.desa = format::thousands(i64::try_from(counts[0]).unwrap_or(i64::MAX), lang);
    page.coops = format::thousands(i64::try_from(coops.len()).unwrap_or(i64::MAX), lang);
    page.region_name = Some(app.region_name(&wilayah));
    page.groups = groups;
    Ok(render(&v, page))
}

fn render(v: &Viewer, page: CoveragePage) -> axum::response::Response {
    v.render(StatusCode::OK, "registri_desa", &v.text("desa.judul"), page)
}
