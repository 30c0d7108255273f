//! Decrees (SK): the ones a reader may see (those of the programs visible
//! in their region), one with the cases it lists within the reader's
//! region, and its scanned PDF. Decrees are applied with `pantau decree
//! apply`; the API reads them.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::WithRejection;
use pantau_store::decree::{DecreeRecord, ListedCase, Tally};
use pantau_store::entity::decree;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody, no_nul};
use crate::{App, Caller};

/// What a decree did within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TallyView {
    pub approved: i64,
    pub changed: i64,
    pub removed: i64,
    pub refused: i64,
    /// Rupiah of the cases approved or changed.
    pub total: i64,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView {
            approved: t.approved,
            changed: t.changed,
            removed: t.removed,
            refused: t.refused,
            total: t.total,
        }
    }
}

/// A decree, and what it did within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeView {
    pub id: String,
    pub number: String,
    /// The date it was signed, e.g. `2026-03-02`.
    pub date: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signer_nip: Option<String>,
    pub program_id: String,
    pub program_name: String,
    /// The id of the decree it amends (an SK perubahan).
    pub amends: Option<String>,
    /// Whether its scanned PDF is kept (`/api/decrees/{id}/scan`).
    pub scan: bool,
    pub within: TallyView,
}

/// A decree's neighbour: the decree it amends, or one that amends it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeRef {
    pub id: String,
    pub number: String,
    pub date: String,
}

/// One case a decree lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedCaseView {
    pub case_id: String,
    /// Its row in the decree's list, from 1.
    pub line_no: i32,
    /// `approve`, `amount` or `remove`.
    pub change: String,
    /// Rupiah.
    pub amount: Option<i64>,
    /// Percent per tranche, e.g. `40,30,30`.
    pub tranches: Option<String>,
    /// `approved`, `changed`, `removed` or `refused`.
    pub outcome: String,
    /// Why it was refused.
    pub reason: Option<String>,
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub beneficiary_name: Option<String>,
}

/// A decree with the cases it lists within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeDetail {
    #[serde(flatten)]
    pub decree: DecreeView,
    /// The name the scan was sent under.
    pub scan_name: Option<String>,
    pub amended: Option<DecreeRef>,
    pub amended_by: Vec<DecreeRef>,
    pub cases: Vec<ListedCaseView>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecreeFilter {
    /// Only the decrees of this program.
    pub program: Option<String>,
}

fn reference(d: &decree::Model) -> DecreeRef {
    DecreeRef {
        id: d.id.clone(),
        number: d.number.clone(),
        date: d.decree_date.to_string(),
    }
}

fn view(d: decree::Model, program_name: String, within: Tally) -> DecreeView {
    DecreeView {
        scan: d.pdf_sha256.is_some(),
        id: d.id,
        number: d.number,
        date: d.decree_date.to_string(),
        signer_name: d.signer_name,
        signer_position: d.signer_position,
        signer_nip: d.signer_nip,
        program_id: d.program_id,
        program_name,
        amends: d.amends,
        within: within.into(),
    }
}

/// The decrees the caller may see, newest first.
pub async fn list(
    app: &App,
    caller: &Caller,
    f: &DecreeFilter,
) -> Result<Vec<DecreeView>, ApiError> {
    let program = f.program.as_deref().filter(|p| !p.is_empty());
    no_nul("program", program.unwrap_or_default())?;
    let rows = app
        .store
        .decrees_in(&caller.scope, program)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(rows
        .into_iter()
        .map(|s| view(s.decree, s.program_name, s.tally))
        .collect())
}

/// Decree `id` with its cases within the caller's region; 404 when its
/// program is not visible there.
pub async fn detail(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<(DecreeDetail, DecreeRecord), ApiError> {
    no_nul("id", id)?;
    let err = |e| ApiError::from_store(e, caller.lang);
    let record = app
        .store
        .decree_record(id, &caller.scope)
        .await
        .map_err(err)?
        .ok_or_else(|| ApiError::not_found("SK", id, caller.lang))?;
    let within = app
        .store
        .decree_within(id, &caller.scope)
        .await
        .map_err(err)?;
    let cases = within
        .cases
        .into_iter()
        .map(|c: ListedCase| ListedCaseView {
            region_name: c.region.as_deref().map(|r| app.region_name(r)),
            case_id: c.case_id,
            line_no: c.line_no,
            change: c.change,
            amount: c.amount,
            tranches: c.tranches,
            outcome: c.outcome,
            reason: c.reason,
            region: c.region,
            beneficiary_name: c.beneficiary_name,
        })
        .collect();
    let detail = DecreeDetail {
        decree: view(
            record.decree.clone(),
            record.program.name.clone(),
            within.tally,
        ),
        scan_name: record.decree.pdf_path.clone(),
        amended: record.amends.as_ref().map(reference),
        amended_by: record.amended_by.iter().map(reference).collect(),
        cases,
    };
    Ok((detail, record))
}

/// The scanned PDF of decree `id`.
pub async fn scan(app: &App, caller: &Caller, id: &str) -> Result<Response, ApiError> {
    let (_, record) = detail(app, caller, id).await?;
    let missing = || ApiError::not_found("pindaian SK", id, caller.lang);
    let sha = record.decree.pdf_sha256.ok_or_else(missing)?;
    let data = app
        .store
        .decree_scan(&sha)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?
        .ok_or_else(missing)?;
    let name = record
        .decree
        .pdf_path
        .unwrap_or_else(|| "sk.pdf".into())
        .replace(['"', '\\', '\r', '\n'], "_");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        data,
    )
        .into_response())
}

/// The decrees of the programs visible in the caller's region, newest first,
/// each with what it did there.
#[utoipa::path(get, path = "/api/decrees", tag = "registry", params(DecreeFilter),
    responses((status = 200, body = Vec<DecreeView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_decrees(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Query(f), _): WithRejection<Query<DecreeFilter>, ApiError>,
) -> Result<Json<Vec<DecreeView>>, ApiError> {
    Ok(Json(list(&app, &caller, &f).await?))
}

/// A decree with the cases it lists within the caller's region.
#[utoipa::path(get, path = "/api/decrees/{id}", tag = "registry",
    params(("id" = String, Path, description = "Decree id")),
    responses((status = 200, body = DecreeDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_decree(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<DecreeDetail>, ApiError> {
    Ok(Json(detail(&app, &caller, &id).await?.0))
}

/// The decree's scanned PDF.
#[utoipa::path(get, path = "/api/decrees/{id}/scan", tag = "registry",
    params(("id" = String, Path, description = "Decree id")),
    responses((status = 200, description = "The scanned decree", content((crate::api::cases::FileBytes = "application/pdf"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_decree_scan(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Response, ApiError> {
    scan(&app, &caller, &id).await
}
