//! Programs and their allocations per kabupaten/kota.

use axum::Json;
use axum::extract::{Path, State};
use axum_extra::extract::WithRejection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramView {
    pub id: String,
    pub name: String,
    pub workflow: String,
    pub workflow_version: i32,
    pub fiscal_year: i32,
    pub funding_source: String,
    /// Rupiah.
    pub budget_ceiling: i64,
    pub province_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub region_code: String,
    pub region_name: String,
    /// Rupiah allocated to the region.
    pub amount: i64,
    /// Rupiah approved so far against it.
    pub approved: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramDetail {
    #[serde(flatten)]
    pub program: ProgramView,
    /// The allocations within the caller's region.
    pub allocations: Vec<AllocationView>,
}

fn view(p: pantau_store::model::Program) -> ProgramView {
    ProgramView {
        id: p.id,
        name: p.name,
        workflow: p.workflow,
        workflow_version: p.workflow_version,
        fiscal_year: p.fiscal_year,
        funding_source: p.funding_source,
        budget_ceiling: p.budget_ceiling,
        province_code: p.province_code,
    }
}

/// Programs with an allocation within the caller's region.
#[utoipa::path(get, path = "/api/programs", tag = "registry",
    responses((status = 200, body = Vec<ProgramView>), (status = 401, body = ErrorBody)))]
pub async fn list_programs(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<ProgramView>>, ApiError> {
    let rows = app
        .store
        .programs_in(&caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(Json(rows.into_iter().map(view).collect()))
}

/// A program with its allocations within the caller's region.
#[utoipa::path(get, path = "/api/programs/{id}", tag = "registry",
    params(("id" = String, Path, description = "Program id")),
    responses((status = 200, body = ProgramDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_program(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<ProgramDetail>, ApiError> {
    let err = |e| ApiError::from_store(e, caller.lang);
    let visible = app.store.programs_in(&caller.scope).await.map_err(err)?;
    let Some(p) = visible.into_iter().find(|p| p.id == id) else {
        return Err(ApiError::not_found("program", &id, caller.lang));
    };
    let allocations = app
        .store
        .allocations_in(&id, &caller.scope)
        .await
        .map_err(err)?
        .into_iter()
        .map(|a| AllocationView {
            region_name: app.region_name(&a.region_code),
            region_code: a.region_code,
            amount: a.amount,
            approved: a.approved,
        })
        .collect();
    Ok(Json(ProgramDetail {
        program: view(p),
        allocations,
    }))
}
