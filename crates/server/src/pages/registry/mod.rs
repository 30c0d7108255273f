//! `/registri`: the registry as pages. The list finds beneficiaries by a
//! few keystrokes (name, NIK Koperasi, NIB, NIK) and narrows them by kind,
//! kabupaten/kota or province, standing and open cases, a page at a time at
//! any size; each beneficiary's page (`one`) shows its whole record and
//! takes corrections; `desa` the desa/kelurahan of a kabupaten/kota with
//! their Koperasi Merah Putih; `duplicates` lists likely duplicates to mark
//! distinct or merge.

pub mod account;
pub mod desa;
pub mod duplicates;
pub mod one;

use axum::extract::State;
use axum::http::StatusCode;
use pantau_domain::RegionCode;
use pantau_store::read::report::Indicator;
use pantau_store::registry::{RegistryQuery, Standing};
use serde::Serialize;

use super::format;
use super::region_select::{self, Codes, RegionGroup};
use super::users::Choice;
use super::view::{OrFail, PageResult, Viewer, link, query_pairs};
use crate::App;
use crate::error::ApiError;

const PER_PAGE: u64 = 25;

/// The kinds of beneficiary, as the registry names them.
pub(super) const KINDS: [&str; 4] = ["cooperative", "umkm", "pkl", "entrepreneur"];

#[derive(Serialize)]
struct Row {
    href: String,
    name: String,
    kind: String,
    region: String,
    /// NIK Koperasi or NIB: what identifies it publicly.
    number: String,
    standing: String,
    inactive: bool,
    cases: String,
    /// The open ones among them, when any.
    open_cases: Option<String>,
    approved: String,
    disbursed: String,
}

#[derive(Serialize)]
struct ListPage {
    q: String,
    kinds: Vec<Choice>,
    regions: Vec<RegionGroup>,
    standings: Vec<Choice>,
    open: Vec<Choice>,
    /// Any filter is set (the filters stay open on a phone).
    filtered: bool,
    /// The cooperatives behind an indicator's figure: which, kept in the form.
    indicator_note: Option<String>,
    year: String,
    indicator: String,
    may_import: bool,
    /// May correct: the likely duplicates are theirs to judge.
    may_correct: bool,
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
}

/// Each workflow's final states (a case in one is closed).
pub(super) fn finals(app: &App) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = app
        .catalog
        .iter()
        .flat_map(|d| {
            d.states
                .iter()
                .filter(|s| s.is_final)
                .map(|s| (d.id.clone(), s.id.clone()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The standing as people read it.
pub(super) fn standing_label(v: &Viewer, s: Standing) -> String {
    v.text(&format!("registri.status_{}", s.as_str()))
}

fn choices<'a>(
    items: impl IntoIterator<Item = (&'a str, String)>,
    chosen: &str,
    all: String,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: all,
        selected: chosen.is_empty(),
    }];
    out.extend(items.into_iter().map(|(value, label)| Choice {
        selected: value == chosen,
        value: value.into(),
        label,
    }));
    out
}

pub async fn list(State(app): State<App>, v: Viewer) -> PageResult {
    let query = query_pairs(v.look.here.split_once('?').map(|(_, q)| q));
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (q, kind, region, status, open) = (
        get("q"),
        get("jenis"),
        get("wilayah"),
        get("status"),
        get("kasus"),
    );
    let (year, indicator) = (get("tahun"), get("indikator"));
    let bad = |field: &str, key: &str| Err(ApiError::invalid(field, v.text(key))).or_fail(&v);
    if !kind.is_empty() && !KINDS.contains(&kind.as_str()) {
        return bad("jenis", "registri.jenis_salah");
    }
    let region_code = match region.as_str() {
        "" => None,
        r => match RegionCode::parse(r) {
            // A kabupaten/kota or a province the reader sees.
            Ok(code) if app.has_region(r) && v.caller.sees(Some(r)) => Some(code),
            _ => return bad("wilayah", "registri.wilayah_salah"),
        },
    };
    let standing = match status.as_str() {
        "" => None,
        s => match Standing::parse(s) {
            Some(s) => Some(s),
            None => return bad("status", "registri.status_salah"),
        },
    };
    let open_cases = match open.as_str() {
        "" => None,
        "terbuka" => Some(true),
        "tanpa" => Some(false),
        _ => return bad("kasus", "registri.kasus_salah"),
    };
    let indicator_filter = match (year.as_str(), indicator.as_str()) {
        ("", "") => None,
        (_, "") => return bad("indikator", "indikator.indikator_perlu"),
        (y, i) => {
            let Some(i) = Indicator::parse(i) else {
                return bad("indikator", "indikator.indikator_salah");
            };
            match y.parse::<i32>() {
                Ok(y) if (1900..=9999).contains(&y) => Some((y, i)),
                _ => return bad("tahun", "indikator.tahun_salah"),
            }
        }
    };
    let page = get("halaman").parse::<u64>().unwrap_or(1).max(1);
    let found = app
        .store
        .registry_page(&RegistryQuery {
            scope: v.caller.scope.clone(),
            search: q.clone(),
            kind: (!kind.is_empty()).then(|| kind.clone()),
            region: region_code,
            standing,
            open_cases,
            indicator: indicator_filter,
            finals: finals(&app),
            page,
            per_page: PER_PAGE,
        })
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let lang = v.caller.lang;
    let rows = found
        .items
        .into_iter()
        .map(|line| {
            let b = &line.beneficiary;
            let s = Standing::of(b);
            Row {
                href: format!("/registri/{}", b.id),
                name: b.name.clone(),
                kind: v.text(&format!("usulan.jenis_{}", b.kind)),
                region: app.region_name(&b.region_code),
                number: b
                    .nik_koperasi
                    .clone()
                    .or_else(|| b.nib.clone())
                    .unwrap_or_default(),
                standing: standing_label(&v, s),
                inactive: s != Standing::Active,
                cases: format::thousands(line.cases, lang),
                open_cases: (line.open_cases > 0).then(|| format::thousands(line.open_cases, lang)),
                approved: format::rupiah(line.approved),
                disbursed: format::rupiah(line.disbursed),
            }
        })
        .collect();
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let at = |n: u64| {
        link(
            "/registri",
            &[
                ("q", &q),
                ("jenis", &kind),
                ("wilayah", &region),
                ("status", &status),
                ("kasus", &open),
                ("tahun", &year),
                ("indikator", &indicator),
                ("halaman", &n.to_string()),
            ],
        )
    };
    let kinds = choices(
        KINDS
            .into_iter()
            .map(|k| (k, v.text(&format!("usulan.jenis_{k}")))),
        &kind,
        v.text("registri.semua_jenis"),
    );
    let within = app.regions_within(&v.caller.scope);
    let regions = region_select::grouped(
        &app,
        &v,
        within.iter().map(|(code, _)| code.as_str()),
        Some(region.as_str()),
        Codes::Hidden,
    );
    let standings = choices(
        Standing::ALL
            .into_iter()
            .map(|s| (s.as_str(), standing_label(&v, s))),
        &status,
        v.text("registri.semua_status"),
    );
    let open_choices = choices(
        [
            ("terbuka", v.text("registri.kasus_terbuka")),
            ("tanpa", v.text("registri.kasus_tanpa")),
        ],
        &open,
        v.text("registri.kasus_semua"),
    );
    Ok(v.render(
        StatusCode::OK,
        "registri_daftar",
        &v.text("registri.judul"),
        ListPage {
            filtered: [&q, &kind, &region, &status, &open, &indicator]
                .iter()
                .any(|x| !x.is_empty()),
            may_import: v.caller.may(pantau_domain::access::Permission::Import),
            indicator_note: indicator_filter.map(|(y, i)| {
                v.text("indikator.saringan")
                    .replace(
                        "{indikator}",
                        &v.text(&format!("indikator.f_{}", i.as_str())),
                    )
                    .replace("{tahun}", &y.to_string())
            }),
            year: year.clone(),
            indicator: indicator.clone(),
            may_correct: v.caller.may(pantau_domain::access::Permission::Correct),
            q: q.clone(),
            kinds,
            regions,
            standings,
            open: open_choices,
            rows,
            total: format::thousands(i64::try_from(found.total).unwrap_or(i64::MAX), lang),
            page,
            pages,
            prev: (page > 1).then(|| at(page - 1)),
            next: (page < pages).then(|| at(page + 1)),
        },
    ))
}
