//! A beneficiary's location registered by a monev visit (the first visit
//! with a GPS point, for a beneficiary the registry gave none): marked on the
//! visit's timeline and on the beneficiary until a verifier confirms it.

use axum::Json;
use axum::extract::{Path, State};
use axum_extra::extract::WithRejection;
use chrono::{DateTime, Utc};
use pantau_domain::Lang;
use pantau_domain::access::Permission;
use pantau_store::cases::evidence::VisitLocation;
use pantau_workflow::{Change, Event};
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::EventView;
use super::evidence::EvidenceLine;
use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

/// Where a beneficiary's location came from, when a visit registered it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    /// The case and visit that registered it.
    pub case_id: String,
    pub visit: u32,
    pub set_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The caller may confirm it now.
    pub may_confirm: bool,
}

/// The location a visit registered for beneficiary `id`, as `caller` reads it.
pub async fn of(app: &App, caller: &Caller, id: &str) -> Result<Option<LocationView>, ApiError> {
    let found = app
        .store
        .visit_location(id)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(found.map(|l: VisitLocation| LocationView {
        may_confirm: l.confirmed.is_none() && caller.may(Permission::ConfirmLocation),
        case_id: l.case_id,
        visit: l.visit,
        set_at: l.set_at,
        confirmed_by: l.confirmed.as_ref().map(|(by, _)| by.clone()),
        confirmed_at: l.confirmed.map(|(_, at)| at),
    }))
}

/// Marks, on `case`'s timeline, the visit that registered its beneficiary's location.
pub fn mark(
    timeline: &mut [EventView],
    events: &[Event],
    case: &str,
    loc: &LocationView,
    caller: &Caller,
) {
    if loc.case_id != case {
        return;
    }
    let recorded = events.iter().find(|e| {
        e.changes
            .iter()
            .any(|c| matches!(c, Change::VisitCompleted { no, .. } if *no == loc.visit))
    });
    let Some(e) = recorded else { return };
    let Some(view) = timeline.iter_mut().find(|v| v.seq == e.seq) else {
        return;
    };
    let (kind, text) = match (&loc.confirmed_by, &loc.confirmed_at) {
        (Some(by), Some(at)) => {
            let at = caller.zone.format_long(*at, caller.lang);
            (
                "location_confirmed",
                match caller.lang {
                    Lang::Id => format!("lokasi penerima didaftarkan dari kunjungan ini; dikonfirmasi {by}, {at}"),
                    Lang::En => format!("the beneficiary's location was registered by this visit; confirmed by {by}, {at}"),
                },
            )
        }
        _ => (
            "location_unconfirmed",
            match caller.lang {
                Lang::Id => "lokasi penerima didaftarkan dari kunjungan ini; belum dikonfirmasi verifikator".to_string(),
                Lang::En => "the beneficiary's location was registered by this visit; no verifier has confirmed it yet".to_string(),
            },
        ),
    };
    view.evidence.push(EvidenceLine {
        text,
        kind: kind.into(),
        other_case: None,
    });
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Confirmed {
    pub location: LocationView,
}

/// `caller`, a verifier, confirms the location a visit registered for beneficiary `id`.
pub async fn confirm(app: &App, caller: &Caller, id: &str) -> Result<LocationView, ApiError> {
    caller.require(Permission::ConfirmLocation)?;
    let lang = caller.lang;
    let b = app
        .store
        .beneficiary(id)
        .await
        .map_err(|e| ApiError::from_store(e, lang))?
        .ok_or_else(|| ApiError::not_found("penerima", id, lang))?;
    caller.see(Some(&b.region_code), "penerima", id)?;
    let confirmed = app
        .store
        .confirm_location(id, &caller.login, app.now())
        .await
        .map_err(|e| ApiError::from_store(e, lang))?;
    let loc = of(app, caller, id).await?;
    match (confirmed, loc) {
        (_, None) => Err(ApiError::not_found("lokasi dari kunjungan", id, lang)),
        (false, Some(_)) => Err(ApiError::Conflict {
            message: match lang {
                Lang::Id => "lokasi ini sudah dikonfirmasi".into(),
                Lang::En => "this location is already confirmed".into(),
            },
            state: None,
            seq: None,
        }),
        (true, Some(loc)) => Ok(loc),
    }
}

/// A verifier confirms the location a monev visit registered for a beneficiary.
#[utoipa::path(post, path = "/api/beneficiaries/{id}/location/confirm", tag = "registry",
    params(("id" = String, Path, description = "Beneficiary id")),
    responses((status = 200, body = Confirmed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already confirmed")))]
pub async fn post_confirm(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<Confirmed>, ApiError> {
    Ok(Json(Confirmed {
        location: confirm(&app, &caller, &id).await?,
    }))
}
