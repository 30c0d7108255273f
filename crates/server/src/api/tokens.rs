//! API tokens: sign in with a user name and password, get a bearer token.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum_extra::extract::WithRejection;
use chrono::{DateTime, Utc};
use pantau_store::accounts::auth::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller, signin};

#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub login: String,
    pub name: String,
    pub role: String,
    /// The region the user sees (a province covers its kabupaten/kota); none: national.
    pub region: Option<String>,
    pub lang: String,
    /// WIB, WITA or WIT.
    pub zone: String,
}

/// Sign in: a bearer token for the API.
#[utoipa::path(post, path = "/api/tokens", tag = "sign-in", security(()),
    request_body = Credentials,
    responses(
        (status = 201, body = Token),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many failed sign-ins: wait `Retry-After` seconds"),
    ))]
pub async fn create_token(
    State(app): State<App>,
    source: signin::Source,
    WithRejection(Json(c), _): WithRejection<Json<Credentials>, ApiError>,
) -> Result<(axum::http::StatusCode, Json<Token>), ApiError> {
    let s = signin::sign_in(&app, &c.login, &c.password, &source, SessionKind::Api).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(Token {
            token: s.token,
            expires_at: s.expires_at,
        }),
    ))
}

/// Sign out: the bearer token sent stops working.
#[utoipa::path(delete, path = "/api/tokens", tag = "sign-in",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<axum::http::StatusCode, ApiError> {
    if let Some(token) = crate::caller::bearer(&headers) {
        app.store
            .end_session(token)
            .await
            .map_err(|e| ApiError::from_store(e, caller.lang))?;
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/me", tag = "sign-in",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        login: caller.login.clone(),
        name: caller.name.clone(),
        role: caller.role.as_str().into(),
        region: caller.scope.region().map(|r| r.to_string()),
        lang: caller.lang.as_str().into(),
        zone: caller.zone.as_str().into(),
    })
}
