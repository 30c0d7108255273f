//! Importing beneficiaries from a CSV upload.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use pantau_domain::access::Permission;
use pantau_registry::regions::Regions;
use pantau_store::registry::import::ImportError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::{App, Caller};

/// At most this many refused rows are listed in an answer (all are counted).
pub const LISTED: usize = 1_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusedRow {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub rows: u64,
    pub new: u64,
    /// Rows already registered (by NIK Koperasi, NIB, NIK): left as they were.
    pub already: u64,
    pub refused: u64,
    /// Each problem of each refused row (the first 1,000).
    pub refusals: Vec<RefusedRow>,
}

/// Imports `csv` as `caller`: rows outside their region are refused.
pub async fn import(app: &App, caller: &Caller, csv: &[u8]) -> Result<ImportReport, ApiError> {
    caller.require(Permission::Import)?;
    let regions = Regions::embedded().map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut refusals = vec![];
    let tally = app
        .store
        .import_csv(
            csv,
            &regions,
            &caller.scope,
            |_| Ok(()),
            |r| {
                for p in r.problems {
                    if refusals.len() < LISTED {
                        refusals.push(RefusedRow {
                            line: r.line,
                            column: p.column.clone(),
                            reason: p.reason.get(caller.lang).to_string(),
                        });
                    }
                }
                Ok(())
            },
        )
        .await
        .map_err(|e| match e {
            ImportError::Header(errors) => ApiError::Invalid(
                errors
                    .into_iter()
                    .map(|e| {
                        FieldIssue::new(format!("header.{}", e.column), e.reason.get(caller.lang))
                    })
                    .collect(),
            ),
            ImportError::NotText(reason) => ApiError::invalid("body", reason),
            ImportError::Csv(e) => ApiError::invalid("body", e.to_string()),
            ImportError::Store(e) => ApiError::from_store(e, caller.lang),
            ImportError::Report(e) => ApiError::Internal(e.to_string()),
        })?;
    let already = tally.rows - tally.new - tally.refused;
    crate::measure::import_rows(tally.new, already, tally.refused);
    Ok(ImportReport {
        rows: tally.rows,
        new: tally.new,
        already,
        refused: tally.refused,
        refusals,
    })
}

/// Imports cooperatives, UMKM, PKL and new entrepreneurs from a CSV body
/// (columns as `pantau import beneficiaries`; `;`, `,` or tab between
/// fields; UTF-8 or Windows-1252). Good rows are kept; each bad row is
/// listed with its line, column and reason. A body that is not a CSV (a
/// workbook, an unknown encoding) is refused at once (400).
#[utoipa::path(post, path = "/api/imports/beneficiaries", tag = "registry",
    request_body(content = String, content_type = "text/csv", description = "The CSV file, header row first"),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, description = "Larger than the upload limit")))]
pub async fn import_beneficiaries(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    Ok(Json(import(&app, &caller, &body).await?))
}
