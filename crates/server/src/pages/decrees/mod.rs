//! `/sk`: the decrees (SK) of the reader's programs, and `/sk/{id}`: one
//! decree with the cases it lists within the reader's region, what it did
//! to each and why it refused some, its amendments, and its scanned PDF
//! (`/sk/{id}/pindaian`); `/sk/baru`, the form that records a decree: its
//! number, date, signer, program, the CSV list of cases and the scan.
//! Read and recorded through [`api::decrees`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use pantau_domain::long_date;
use serde::Serialize;

use super::cases::{Choice, choice};
use super::format;
use super::view::{OrFail, PageResult, Viewer};
use crate::App;
use crate::api::decrees::{self, DecreeFilter, DecreeRef, DecreeView};
use crate::error::ApiError;

mod new;
pub use new::{create, new_form, starting_list};

#[derive(Serialize)]
struct ListPage {
    programs: Vec<Choice>,
    rows: Vec<Row>,
    filtered: bool,
    /// The reader may record a decree (`/sk/baru`).
    may_record: bool,
}

#[derive(Serialize)]
struct Row {
    href: String,
    number: String,
    date: String,
    program: String,
    signer: String,
    amends: bool,
    approved: i64,
    changed: i64,
    removed: i64,
    refused: i64,
    total: String,
}

fn day(date: &str, v: &Viewer) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_or_else(|_| date.to_string(), |d| long_date(d, v.caller.lang))
}

fn row(d: &DecreeView, v: &Viewer) -> Row {
    Row {
        href: format!("/sk/{}", d.id),
        number: d.number.clone(),
        date: day(&d.date, v),
        program: d.program_name.clone(),
        signer: d.signer_position.clone(),
        amends: d.amends.is_some(),
        approved: d.within.approved,
        changed: d.within.changed,
        removed: d.within.removed,
        refused: d.within.refused,
        total: format::rupiah(d.within.total),
    }
}

pub async fn list(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<DecreeFilter>, QueryRejection>,
) -> PageResult {
    let Query(f) = query.map_err(ApiError::from).or_fail(&v)?;
    let decrees = decrees::list(&app, &v.caller, &f).await.or_fail(&v)?;
    let programs = app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let page = ListPage {
        programs: programs
            .iter()
            .map(|p| choice(&p.id, &p.name, f.program.as_ref()))
            .collect(),
        rows: decrees.iter().map(|d| row(d, &v)).collect(),
        filtered: f.program.as_ref().is_some_and(|p| !p.is_empty()),
        may_record: v.caller.may(pantau_domain::access::Permission::Act)
            && programs
                .iter()
                .any(|p| decrees::records_decrees(&app, &v.caller, p)),
    };
    Ok(v.render(StatusCode::OK, "sk_daftar", &v.text("sk.judul"), page))
}

#[derive(Serialize)]
struct DecreePage {
    decree: Row,
    signer: String,
    nip: Option<String>,
    program_href: String,
    scan: Option<String>,
    scan_name: Option<String>,
    amended: Option<Neighbour>,
    amended_by: Vec<Neighbour>,
    cases: Vec<Line>,
}

#[derive(Serialize)]
struct Neighbour {
    href: String,
    number: String,
    date: String,
}

#[derive(Serialize)]
struct Line {
    no: i32,
    href: String,
    beneficiary: String,
    region: String,
    change: String,
    amount: String,
    tranches: String,
    outcome: String,
    refused: bool,
    reason: Option<String>,
}

fn neighbour(d: &DecreeRef, v: &Viewer) -> Neighbour {
    Neighbour {
        href: format!("/sk/{}", d.id),
        number: d.number.clone(),
        date: day(&d.date, v),
    }
}

pub async fn page(State(app): State<App>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let (d, _) = decrees::detail(&app, &v.caller, &id).await.or_fail(&v)?;
    let cases = d
        .cases
        .iter()
        .map(|c| Line {
            no: c.line_no,
            href: format!("/kasus/{}", c.case_id),
            beneficiary: super::cases::title(&v, c.beneficiary_name.as_ref(), &c.case_id),
            region: c.region_name.clone().unwrap_or_default(),
            change: v.text(&format!("sk.ubahan_{}", c.change)),
            amount: c.amount.map_or_else(|| "–".into(), format::rupiah),
            tranches: c
                .tranches
                .as_deref()
                .map_or_else(|| "–".into(), |t| t.replace(',', " / ")),
            outcome: v.text(&format!("sk.hasil_{}", c.outcome)),
            refused: c.outcome == "refused",
            reason: c.reason.clone(),
        })
        .collect();
    let title = format!("SK {}", d.decree.number);
    let page = DecreePage {
        signer: d.decree.signer_name.clone(),
        nip: d.decree.signer_nip.clone(),
        program_href: format!("/kasus?program={}", d.decree.program_id),
        scan: d
            .decree
            .scan
            .then(|| format!("/sk/{}/pindaian", d.decree.id)),
        scan_name: d.scan_name.clone(),
        amended: d.amended.as_ref().map(|n| neighbour(n, &v)),
        amended_by: d.amended_by.iter().map(|n| neighbour(n, &v)).collect(),
        decree: row(&d.decree, &v),
        cases,
    };
    Ok(v.render(StatusCode::OK, "sk", &title, page))
}

/// The scanned PDF, for a reader who may see the decree.
pub async fn scan(State(app): State<App>, v: Viewer, Path(id): Path<String>) -> Response {
    match decrees::scan(&app, &v.caller, &id).await {
        Ok(r) => r.into_response(),
        Err(e) => v.fail(e),
    }
}
