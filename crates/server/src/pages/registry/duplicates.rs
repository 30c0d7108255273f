//! `/registri/ganda`: likely duplicates for those who correct the registry
//! (`Permission::Correct`), within their region: for a kabupaten/kota its
//! records alike by name and those sharing a person's NIK anywhere in the
//! reader's scope, else the same-NIK pairs of the whole scope. Each pair is
//! shown side by side (identity, address, cases, why it is suspected) with
//! two actions: mark distinct (never listed again) or merge (the reader
//! chooses the record that stays), each with a reason.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use pantau_domain::access::Permission;
use pantau_store::model::Beneficiary;
use pantau_store::registry::{Author, MergeRefusal};
use serde::{Deserialize, Serialize};

use super::standing_label;
use crate::App;
use crate::error::ApiError;
use crate::pages::format;
use crate::pages::guard;
use crate::pages::region_select::{self, Codes, RegionGroup};
use crate::pages::view::{OrFail, PageResult, Viewer, link, query_pairs};
use pantau_store::registry::Standing;

/// Pairs shown at most: a verifier works through these first.
const SHOWN: usize = 200;

#[derive(Serialize)]
struct Side {
    id: String,
    href: String,
    name: String,
    kind: String,
    region: String,
    /// NIK Koperasi, NIB or NIK: what identifies it.
    number: String,
    owner_nik: Option<String>,
    address: String,
    phone: String,
    standing: String,
    cases: String,
}

#[derive(Serialize)]
struct PairRow {
    /// The two ids, as the store ordered them.
    first: String,
    second: String,
    label: String,
    sides: [Side; 2],
    same_nik: bool,
    /// The names' similarity, as a percentage.
    score: String,
}

#[derive(Serialize)]
struct DuplicatesPage {
    regions: Vec<RegionGroup>,
    region: String,
    /// No kabupaten/kota chosen: same-NIK pairs only.
    nik_only: bool,
    pairs: Vec<PairRow>,
    total: String,
    cut: bool,
    back: String,
}

/// A verifier's decision on one pair.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    first: String,
    second: String,
    /// The id of the record that stays (merge only).
    keep: String,
    reason: String,
    /// The kabupaten/kota the list was of, to go back to.
    wilayah: String,
    _csrf: String,
}

fn side(app: &App, v: &Viewer, b: &Beneficiary, cases: i64) -> Side {
    Side {
        id: b.id.clone(),
        href: format!("/registri/{}", b.id),
        name: b.name.clone(),
        kind: v.text(&format!("usulan.jenis_{}", b.kind)),
        region: app.region_name(&b.region_code),
        number: [&b.nik_koperasi, &b.nib, &b.nik]
            .into_iter()
            .find_map(|n| n.clone())
            .unwrap_or_default(),
        owner_nik: b.owner_nik.clone(),
        address: b.address.clone().unwrap_or_else(|| "—".into()),
        phone: b.phone.clone().unwrap_or_else(|| "—".into()),
        standing: standing_label(v, Standing::of(b)),
        cases: format::thousands(cases, v.caller.lang),
    }
}

pub async fn list(State(app): State<App>, v: Viewer) -> PageResult {
    v.caller.require(Permission::Correct).or_fail(&v)?;
    let query = query_pairs(v.look.here.split_once('?').map(|(_, q)| q));
    let asked = query
        .iter()
        .find(|(k, _)| k == "wilayah")
        .map(|(_, x)| x.trim().to_string())
        .unwrap_or_default();
    let own = v
        .caller
        .scope
        .region()
        .map(|r| r.as_str().to_string())
        .filter(|r| r.len() > 2);
    // A kabupaten/kota the reader sees: asked for, else their own.
    let region = match asked.as_str() {
        "" => own,
        r if r.len() > 2 && app.has_region(r) && v.caller.sees(Some(r)) => Some(r.to_string()),
        _ => {
            return Err(ApiError::invalid("wilayah", v.text("ganda.wilayah_salah"))).or_fail(&v);
        }
    };
    let found = app
        .store
        .likely_duplicates(&v.caller.scope, region.as_deref())
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let total = found.len();
    let pairs = found
        .into_iter()
        .take(SHOWN)
        .map(|p| PairRow {
            first: p.first.id.clone(),
            second: p.second.id.clone(),
            label: format!("{} · {}", p.first.name, p.second.name),
            sides: [
                side(&app, &v, &p.first, p.first_cases),
                side(&app, &v, &p.second, p.second_cases),
            ],
            same_nik: p.why.same_nik,
            score: format!("{}%", p.why.score / 10),
        })
        .collect();
    let within = app.regions_within(&v.caller.scope);
    let regions = region_select::grouped(
        &app,
        &v,
        within
            .iter()
            .map(|(code, _)| code.as_str())
            .filter(|c| c.len() > 2),
        region.as_deref(),
        Codes::Hidden,
    );
    let region = region.unwrap_or_default();
    Ok(v.render(
        StatusCode::OK,
        "registri_ganda",
        &v.text("ganda.judul"),
        DuplicatesPage {
            regions,
            nik_only: region.is_empty(),
            back: link("/registri/ganda", &[("wilayah", &region)]),
            region,
            pairs,
            total: format::thousands(i64::try_from(total).unwrap_or(i64::MAX), v.caller.lang),
            cut: total > SHOWN,
        },
    ))
}

/// The decision's form, checked: guarded, allowed, with a reason.
fn checked(
    v: &Viewer,
    headers: &HeaderMap,
    form: Result<Form<Decision>, FormRejection>,
) -> Result<Decision, ApiError> {
    let Ok(Form(d)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf")));
    };
    guard::form(&v.look, headers, v.caller.csrf.as_deref(), Some(&d._csrf))?;
    v.caller.require(Permission::Correct)?;
    if d.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", v.text("ganda.alasan_wajib")));
    }
    Ok(d)
}

/// Marks a pair distinct, then back to the list.
pub async fn distinct(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<Decision>, FormRejection>,
) -> PageResult {
    let d = checked(&v, &headers, form).or_fail(&v)?;
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    app.store
        .mark_distinct(&d.first, &d.second, d.reason.trim(), by, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?
        .ok_or_else(|| ApiError::not_found("penerima", &d.second, v.caller.lang))
        .or_fail(&v)?;
    Ok(v.look.redirect(&link(
        "/registri/ganda",
        &[("wilayah", &d.wilayah), ("beda", "1")],
    )))
}

/// Merges a pair into the record chosen to stay, then to its page.
pub async fn merge(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<Decision>, FormRejection>,
) -> PageResult {
    let d = checked(&v, &headers, form).or_fail(&v)?;
    let merged = if d.keep == d.first {
        &d.second
    } else if d.keep == d.second {
        &d.first
    } else {
        return Err(ApiError::invalid("keep", v.text("ganda.pilih_tetap"))).or_fail(&v);
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let lang = v.caller.lang;
    let done = app
        .store
        .merge_beneficiaries(&d.keep, merged, d.reason.trim(), by, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, lang))
        .or_fail(&v)?;
    match done {
        Ok(_) => Ok(v
            .look
            .redirect(&format!("/registri/{}?digabung=1#gabungan", d.keep))),
        Err(MergeRefusal::NotFound(id)) => {
            Err(ApiError::not_found("penerima", &id, lang)).or_fail(&v)
        }
        Err(MergeRefusal::Same) => Err(ApiError::invalid("keep", v.text("ganda.sama"))).or_fail(&v),
        Err(MergeRefusal::KindsDiffer) => {
            Err(ApiError::invalid("keep", v.text("ganda.jenis_beda"))).or_fail(&v)
        }
        Err(MergeRefusal::AlreadyMerged { .. }) => {
            Err(ApiError::invalid("keep", v.text("ganda.sudah_digabung"))).or_fail(&v)
        }
    }
}
