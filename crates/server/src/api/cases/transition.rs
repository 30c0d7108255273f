//! Transitions: a client's idempotency key, and a command applied to a case
//! (the API's `POST /api/cases/{id}/transitions`, the pages' and the sync's).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::WithRejection;
use pantau_domain::access::Permission;
use pantau_store::{Outcome, Target};
use pantau_workflow::{Command, Context};

use super::{TransitionRequest, TransitionResult, detail_of, event_view};
use crate::error::{ApiError, ErrorBody, no_nul};
use crate::{App, Caller};

/// A client's idempotency key: 1 to 200 characters, no control characters.
pub fn checked_key(key: &str) -> Result<&str, ApiError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 200 || key.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "wajib diisi, 1–200 karakter (required, 1 to 200 characters)",
        ));
    }
    Ok(key)
}

/// The `Idempotency-Key` header, checked.
pub fn idempotency_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    checked_key(
        headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    )
}

/// A further check of a caller's on the case a transition goes to, made on
/// the row its transaction reads (the sync's "a monev visit", the pages'
/// "confirmed when it moves money"); its error declines the transition.
pub type Also<'a> = &'a (dyn Fn(&Target<'_>) -> Result<(), ApiError> + Send + Sync);

/// Takes `action` on case `id` for `caller`, once per `key`.
pub async fn transition(
    app: &App,
    caller: &Caller,
    id: &str,
    key: &str,
    req: TransitionRequest,
) -> Result<TransitionResult, ApiError> {
    transition_with(app, caller, id, key, req, &|_| Ok(())).await
}

/// [`transition`], declined unless `also` passes. The case is read once:
/// the transaction checks that the caller sees it on the row it reads (a
/// case outside the caller's region does not exist for them), and the
/// answer is the case as that transaction left it.
pub async fn transition_with(
    app: &App,
    caller: &Caller,
    id: &str,
    key: &str,
    req: TransitionRequest,
    also: Also<'_>,
) -> Result<TransitionResult, ApiError> {
    let lang = caller.lang;
    caller.require(Permission::Act)?;
    let key = checked_key(key)?;
    no_nul("action", &req.action)?;
    for (field, value) in &req.inputs {
        no_nul("inputs", field)?;
        no_nul(&format!("inputs.{field}"), value)?;
    }
    let cmd = Command {
        key: format!("{}:{key}", caller.login),
        action: req.action,
        inputs: req.inputs,
        observed_at: req.observed_at,
    };
    let cx = Context {
        now: app.now(),
        actor: caller.actor(),
        remaining_allocation: None,
        evidence: Default::default(),
    };
    // Visibility first: a case outside the caller's region does not exist for them.
    let check = |t: &Target<'_>| {
        caller.see(t.region, "kasus", t.id)?;
        also(t)
    };
    let (outcome, view) = app
        .store
        .apply_checked(&app.catalog, id, &cmd, &cx, req.expected_seq, &check)
        .await
        .map_err(|e| ApiError::from_store(e, lang))??;
    // Committed: whatever fails now must not say that nothing changed.
    let case = detail_of(app, caller, id, view)
        .await
        .map_err(ApiError::after_commit)?;
    let def = app
        .catalog
        .get(&case.summary.workflow, case.workflow_version)
        .ok_or_else(|| ApiError::Committed("workflow not loaded".into()))?;
    let repeated = matches!(outcome, Outcome::Repeated { .. });
    if !repeated {
        crate::measure::transition(&case.summary.workflow, &outcome.event().action);
    }
    Ok(TransitionResult {
        repeated,
        event: event_view(def, outcome.event(), caller),
        case,
    })
}

/// Takes an action on a case. The same `Idempotency-Key` twice has one
/// effect (the second answer says `repeated`).
#[utoipa::path(post, path = "/api/cases/{id}/transitions", tag = "cases",
    params(("id" = String, Path, description = "Case id"),
           ("Idempotency-Key" = String, Header, description = "A new key per command; resend the same key to retry")),
    request_body = TransitionRequest,
    responses(
        (status = 201, body = TransitionResult, description = "Applied"),
        (status = 200, body = TransitionResult, description = "Applied before with this key; nothing new"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The case moved on: its current state and seq"),
        (status = 422, body = ErrorBody, description = "Refused by the workflow: why, per field where it applies"),
    ))]
pub async fn post_transition(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
    headers: HeaderMap,
    WithRejection(Json(req), _): WithRejection<Json<TransitionRequest>, ApiError>,
) -> Result<(StatusCode, Json<TransitionResult>), ApiError> {
    let key = idempotency_key(&headers)?;
    let result = transition(&app, &caller, &id, key, req).await?;
    let status = if result.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(result)))
}
