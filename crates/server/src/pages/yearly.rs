//! `/impor/tahunan`: a kabupaten/kota or province manager sends a file of
//! cooperatives' yearly data (CSV or XLSX) to a `data_tahunan` program;
//! each row becomes a case sent for the province's verification, or the
//! whole file is refused with every problem by line and column and
//! nothing applied (`pantau_store::yearly`, as `pantau import yearly`).

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use pantau_domain::access::Permission;
use pantau_store::yearly::{YearFile, YearImportError, YearReport};
use pantau_workflow::Context;
use serde::{Deserialize, Serialize};

use super::guard;
use super::view::Viewer;
use crate::App;
use crate::error::ApiError;

/// At most this many problems are listed (all are counted).
const LISTED: usize = 1_000;

#[derive(Serialize, Default)]
struct YearlyPage {
    programs: Vec<Choice>,
    file: String,
    result: Option<Sent>,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    name: String,
    chosen: bool,
}

#[derive(Serialize)]
struct Sent {
    rows: usize,
    made: usize,
    already: usize,
    /// Nothing new: the same file was imported before.
    repeated: bool,
    corrections: Vec<Correction>,
    refused: usize,
    problems: Vec<Problem>,
}

#[derive(Serialize)]
struct Correction {
    line: u64,
    nik: String,
    year: i32,
}

#[derive(Serialize)]
struct Problem {
    line: u64,
    column: String,
    reason: String,
}

#[derive(Deserialize, Default)]
pub struct Pick {
    program: Option<String>,
}

pub async fn form(State(app): State<App>, v: Viewer, Query(pick): Query<Pick>) -> Response {
    match programs(&app, &v, pick.program.as_deref()).await {
        Ok(programs) => show(
            &v,
            YearlyPage {
                programs,
                ..YearlyPage::default()
            },
        ),
        Err(e) => v.fail(e),
    }
}

pub async fn upload(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let sent = guard::file_and_fields(form).await;
    let csrf = sent.as_ref().ok().and_then(|s| s.csrf.as_deref());
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), csrf) {
        return v.fail(e);
    }
    let sent = match sent {
        Ok(s) if !s.data.is_empty() => s,
        Ok(_) => return v.fail(ApiError::invalid("file", v.text("tahunan.tanpa_berkas"))),
        Err(e) => return v.fail(e),
    };
    let program = sent.fields.get("program").cloned().unwrap_or_default();
    if let Err(e) = v.caller.require(pantau_domain::access::Permission::Import) {
        return v.fail(e);
    }
    if program.trim().is_empty() {
        return v.fail(ApiError::invalid(
            "program",
            v.text("tahunan.pilih_program"),
        ));
    }
    let programs = match programs(&app, &v, Some(&program)).await {
        Ok(p) => p,
        Err(e) => return v.fail(e),
    };
    let cx = Context {
        now: Utc::now(),
        actor: v.caller.actor(),
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let file = YearFile {
        name: &sent.name,
        bytes: &sent.data,
    };
    let lang = v.caller.lang;
    let report = app
        .store
        .import_years(&app.catalog, &program, file, &cx, &v.caller.scope)
        .await;
    let report = match report {
        Ok(r) => r,
        Err(YearImportError::Store(e)) => return v.fail(ApiError::from_store(e, lang)),
        Err(YearImportError::NoProgram(id)) => {
            return v.fail(ApiError::not_found("program", &id, lang));
        }
        Err(YearImportError::NotYearly(_)) => {
            return v.fail(ApiError::invalid(
                "program",
                v.text("tahunan.bukan_program"),
            ));
        }
        Err(YearImportError::Role { .. }) => {
            return v.fail(ApiError::Forbidden(v.text("tahunan.tidak_boleh")));
        }
        Err(YearImportError::Unreadable(why)) => return v.fail(ApiError::invalid("file", why)),
    };
    crate::measure::import_rows(report.made as u64, report.already as u64, 0);
    show(
        &v,
        YearlyPage {
            programs,
            file: sent.name.clone(),
            result: Some(result(&report, lang)),
        },
    )
}

fn show(v: &Viewer, page: YearlyPage) -> Response {
    v.render(
        StatusCode::OK,
        "impor_tahunan",
        &v.text("tahunan.judul"),
        page,
    )
}

fn result(r: &YearReport, lang: pantau_domain::Lang) -> Sent {
    Sent {
        rows: r.rows,
        made: r.made,
        already: r.already,
        repeated: r.applied() && r.made == 0 && r.already > 0,
        corrections: r
            .corrections
            .iter()
            .map(|c| Correction {
                line: c.line,
                nik: c.nik_koperasi.clone(),
                year: c.year,
            })
            .collect(),
        refused: r.refused.len(),
        problems: r
            .refused
            .iter()
            .take(LISTED)
            .map(|p| Problem {
                line: p.line,
                column: p.column.clone(),
                reason: p.reason.get(lang).to_string(),
            })
            .collect(),
    }
}

/// The programs the reader may send yearly data to; refused (403) for a
/// role that imports nothing.
async fn programs(app: &App, v: &Viewer, chosen: Option<&str>) -> Result<Vec<Choice>, ApiError> {
    v.caller.require(Permission::Import)?;
    let found = app
        .store
        .yearly_programs(&app.catalog, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    Ok(found
        .into_iter()
        .map(|p| Choice {
            chosen: chosen == Some(p.id.as_str()),
            id: p.id,
            name: p.name,
        })
        .collect())
}
