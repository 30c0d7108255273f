//! A field officer's open visits.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub case_id: String,
    /// 1-based within the case.
    pub no: i32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub beneficiary_id: Option<String>,
    pub beneficiary_name: Option<String>,
    pub state: String,
    pub workflow: String,
}

/// The open visits of the cases assigned to the caller, soonest due first.
pub async fn open_visits(app: &App, caller: &Caller) -> Result<Vec<VisitView>, ApiError> {
    let err = |e| ApiError::from_store(e, caller.lang);
    let rows = app.store.open_visits(&caller.login).await.map_err(err)?;
    let names = app
        .store
        .beneficiary_names(rows.iter().filter_map(|v| v.beneficiary_id.clone()))
        .await
        .map_err(err)?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .filter(|v| caller.sees(v.region.as_deref()))
        .map(|v| VisitView {
            beneficiary_name: v
                .beneficiary_id
                .as_ref()
                .and_then(|b| names.get(b).cloned()),
            overdue: v.due_at < now,
            case_id: v.case_id,
            no: v.no,
            checklist: v.checklist,
            due_at: v.due_at,
            program_id: v.program_id,
            region: v.region,
            beneficiary_id: v.beneficiary_id,
            state: v.state,
            workflow: v.workflow,
        })
        .collect())
}

/// The caller's open monev visits (cases assigned to them), soonest due first.
#[utoipa::path(get, path = "/api/visits", tag = "visits",
    responses((status = 200, body = Vec<VisitView>), (status = 401, body = ErrorBody)))]
pub async fn list_visits(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<VisitView>>, ApiError> {
    Ok(Json(open_visits(&app, &caller).await?))
}
