//! `POST /api/sync/visits`: a phone's queue of monev visits in one request.
//! Each visit is applied on its own, in order, through the same
//! [`cases::transition`] as a single one, under its own idempotency key: a
//! batch cut off mid-way leaves a prefix stored, and sending it again
//! answers `already_stored` for those and stores the rest. One refused
//! visit never stops the others.

use axum::Json;
use axum::extract::State;
use axum_extra::extract::WithRejection;
use pantau_domain::access::Permission;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::cases::{self, TransitionRequest};
use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

/// The most visits in one batch.
pub const MAX_BATCH: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
pub struct SyncRequest {
    /// Oldest first, as they were saved on the phone.
    pub visits: Vec<QueuedVisit>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QueuedVisit {
    /// Made once on the phone when the visit was saved; resent unchanged.
    pub key: String,
    pub case_id: String,
    /// The case's visit action (one that completes a monev visit).
    pub action: String,
    /// Raw text per field, as typed (photos: an attachment id).
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Refuse, rather than apply, if the case moved past this event.
    pub expected_seq: Option<i64>,
    /// When the visit was made (saved on the phone), RFC 3339: the visit and
    /// its evidence are judged on this time, not on when it arrives.
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    Stored,
    AlreadyStored,
    Refused,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResult {
    pub key: String,
    pub case_id: String,
    pub status: SyncStatus,
    /// The case's state and event number after the visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Why it was refused: the same body a single transition would answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResponse {
    /// One per visit, in the order sent.
    pub results: Vec<SyncResult>,
}

/// One visit: stored, stored before, or refused with the reason.
async fn one(app: &App, caller: &Caller, v: QueuedVisit) -> Result<SyncResult, ApiError> {
    let refused = |v: &QueuedVisit, e: ApiError| SyncResult {
        key: v.key.clone(),
        case_id: v.case_id.clone(),
        status: SyncStatus::Refused,
        state: None,
        seq: None,
        error: Some(e.body()),
    };
    // Checked on the case row the transition's transaction reads.
    let is_visit = |t: &pantau_store::Target<'_>| {
        if t.definition
            .action(&v.action)
            .is_some_and(|a| a.completes_visit)
        {
            return Ok(());
        }
        Err(ApiError::invalid(
            "action",
            format!(
                "`{}` bukan kunjungan monev kasus ini (is not a monev visit of this case)",
                v.action
            ),
        ))
    };
    let req = TransitionRequest {
        action: v.action.clone(),
        inputs: v.inputs.clone(),
        expected_seq: v.expected_seq,
        observed_at: v.observed_at,
    };
    match cases::transition_with(app, caller, &v.case_id, &v.key, req, &is_visit).await {
        Ok(r) => Ok(SyncResult {
            status: if r.repeated {
                SyncStatus::AlreadyStored
            } else {
                SyncStatus::Stored
            },
            state: Some(r.case.summary.state),
            seq: Some(r.event.seq),
            key: v.key,
            case_id: v.case_id,
            error: None,
        }),
        Err(e @ (ApiError::Internal(_) | ApiError::Committed(_))) => Err(e),
        Err(e) => Ok(refused(&v, e)),
    }
}

/// Stores a batch of monev visits saved offline, each at most once.
#[utoipa::path(post, path = "/api/sync/visits", tag = "visits",
    request_body = SyncRequest,
    responses(
        (status = 200, body = SyncResponse, description = "One result per visit, in order"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ))]
pub async fn sync_visits(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Json(req), _): WithRejection<Json<SyncRequest>, ApiError>,
) -> Result<Json<SyncResponse>, ApiError> {
    caller.require(Permission::Act)?;
    if req.visits.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "visits",
            format!(
                "{} kunjungan; paling banyak {MAX_BATCH} sekali kirim (at most {MAX_BATCH} per batch)",
                req.visits.len()
            ),
        ));
    }
    let mut results = Vec::with_capacity(req.visits.len());
    for v in req.visits {
        results.push(one(&app, &caller, v).await?);
    }
    Ok(Json(SyncResponse { results }))
}
