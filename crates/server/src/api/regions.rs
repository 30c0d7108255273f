//! Regions the caller sees.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// Kemendagri code: `18` (province) or `18.71` (kabupaten/kota).
    pub code: String,
    pub name: String,
    /// `province`, `regency` or `city`.
    pub level: String,
    pub province_code: String,
    /// WIB, WITA or WIT.
    pub zone: String,
}

/// The provinces and kabupaten/kota within the caller's region.
#[utoipa::path(get, path = "/api/regions", tag = "registry",
    responses((status = 200, body = Vec<RegionView>), (status = 401, body = ErrorBody)))]
pub async fn list_regions(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<RegionView>>, ApiError> {
    let rows = app
        .store
        .regions_in(&caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RegionView {
                code: r.code,
                name: r.name,
                level: r.level,
                province_code: r.province_code,
                zone: r.zone,
            })
            .collect(),
    ))
}
