//! Beneficiaries: cooperatives, UMKM, PKL and new entrepreneurs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum_extra::extract::WithRejection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Listing, Paging};
use crate::error::{ApiError, ErrorBody, no_nul};
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct BeneficiaryView {
    pub id: String,
    /// `cooperative`, `umkm`, `pkl` or `entrepreneur`.
    pub kind: String,
    pub region_code: String,
    pub name: String,
    pub nik_koperasi: Option<String>,
    pub legal_entity_number: Option<String>,
    pub coop_kind: Option<String>,
    pub members: Option<i32>,
    pub active: Option<bool>,
    pub last_rat_year: Option<i32>,
    pub nib: Option<String>,
    pub scale: Option<String>,
    pub market_location: Option<String>,
    /// Where its location came from, when a monev visit registered it (one
    /// beneficiary's page only; lists leave it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_from_visit: Option<super::location::LocationView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BeneficiaryFilter {
    /// `cooperative`, `umkm`, `pkl` or `entrepreneur`.
    pub kind: Option<String>,
    /// Part of the name, any case.
    pub name: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

const KINDS: [&str; 4] = ["cooperative", "umkm", "pkl", "entrepreneur"];

pub(crate) fn view(b: pantau_store::model::Beneficiary) -> BeneficiaryView {
    // Personal numbers (NIK) are not listed.
    BeneficiaryView {
        id: b.id,
        kind: b.kind,
        region_code: b.region_code,
        name: b.name,
        nik_koperasi: b.nik_koperasi,
        legal_entity_number: b.legal_entity_number,
        coop_kind: b.coop_kind,
        members: b.members,
        active: b.active,
        last_rat_year: b.last_rat_year,
        nib: b.nib,
        scale: b.scale,
        market_location: b.market_location,
        location_from_visit: None,
    }
}

/// Beneficiaries within the caller's region.
#[utoipa::path(get, path = "/api/beneficiaries", tag = "registry", params(BeneficiaryFilter),
    responses((status = 200, body = Listing<BeneficiaryView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_beneficiaries(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Query(f), _): WithRejection<Query<BeneficiaryFilter>, ApiError>,
) -> Result<Json<Listing<BeneficiaryView>>, ApiError> {
    let (page, per_page) = Paging {
        page: f.page.clone(),
        per_page: f.per_page.clone(),
    }
    .parse()?;
    no_nul("name", f.name.as_deref().unwrap_or(""))?;
    let kind = f.kind.as_deref().filter(|k| !k.is_empty());
    if let Some(k) = kind
        && !KINDS.contains(&k)
    {
        return Err(ApiError::invalid(
            "kind",
            format!("`{k}` bukan jenis penerima (one of: {})", KINDS.join(", ")),
        ));
    }
    let found = app
        .store
        .beneficiary_page(&caller.scope, kind, f.name.as_deref(), page, per_page)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(Json(Listing {
        items: found.items.into_iter().map(view).collect(),
        total: found.total,
        page,
        per_page,
    }))
}

/// One beneficiary.
#[utoipa::path(get, path = "/api/beneficiaries/{id}", tag = "registry",
    params(("id" = String, Path, description = "Beneficiary id")),
    responses((status = 200, body = BeneficiaryView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_beneficiary(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<BeneficiaryView>, ApiError> {
    let found = app
        .store
        .beneficiary(&id)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    let Some(b) = found else {
        return Err(ApiError::not_found("penerima", &id, caller.lang));
    };
    caller.see(Some(&b.region_code), "penerima", &id)?;
    let location = super::location::of(&app, &caller, &id).await?;
    Ok(Json(BeneficiaryView {
        location_from_visit: location,
        ..view(b)
    }))
}
