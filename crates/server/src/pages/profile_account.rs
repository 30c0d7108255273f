//! The account part of `/profil`: one's own password (the current one
//! required; every other session and token ends, this browser gets a new
//! session) and one's live sessions and API tokens, each ended here.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use pantau_store::accounts::auth::SessionKind;
use serde::{Deserialize, Serialize};

use super::super::guard;
use super::super::users::by_field;
use super::super::view::{Viewer, cookie};
use crate::accounts::{Problem, check_password};
use crate::caller::COOKIE;
use crate::error::ApiError;
use crate::{App, password};

#[derive(Serialize)]
struct SessionRow {
    id: String,
    created: String,
    last_used: String,
    api: bool,
    current: bool,
}

#[derive(Serialize)]
pub struct AccountPart {
    sessions: Vec<SessionRow>,
    problems: BTreeMap<&'static str, String>,
    password_saved: bool,
    ended: bool,
}

/// The sessions and the password form, with `problems` of a refused change.
pub(super) async fn part(
    app: &App,
    v: &Viewer,
    problems: Vec<Problem>,
) -> Result<AccountPart, ApiError> {
    let now = Utc::now();
    let when = |t| super::super::format::when(v.caller.zone, t, v.caller.lang);
    let sessions = app
        .store
        .sessions_of(&v.caller.login, now)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?
        .into_iter()
        .map(|s| {
            let used = match (s.idle_until, app.web_life.idle) {
                (Some(until), Some(idle)) => when(until - idle),
                _ => "–".into(),
            };
            SessionRow {
                current: v.caller.csrf.as_deref() == Some(s.csrf.as_str()),
                api: s.kind == "api",
                created: when(s.created_at),
                last_used: used,
                id: s.token_hash,
            }
        })
        .collect();
    Ok(AccountPart {
        sessions,
        problems: by_field(problems),
        password_saved: v.look.here.ends_with("?sandi=1"),
        ended: v.look.here.ends_with("?sesi=1"),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    password: String,
    again: String,
    _csrf: String,
}

/// Changes one's own password: the current one must match; then every
/// session and token ends ([`pantau_store::Store::set_password`]) and this
/// browser carries on in a new session.
pub async fn set_password(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)) {
        return v.fail(e);
    }
    let v = Viewer {
        look: v.look.clone().at("/profil".into()),
        ..v
    };
    let login = v.caller.login.clone();
    let stored = match app.store.password_hash(&login).await {
        Ok(h) => h,
        Err(e) => return v.fail(ApiError::from_store(e, v.caller.lang)),
    };
    let good = match stored {
        Some(h) => password::verify(f.current.clone(), h).await,
        None => false,
    };
    let mut problems = vec![];
    if !good {
        problems.push(Problem {
            field: "current",
            message: v.text("akun.sandi_kini_salah"),
        });
    }
    problems.extend(check_password(&f.password, Some(&f.again), v.caller.lang));
    if !problems.is_empty() {
        return match super::page_with(&app, &v, problems).await {
            Ok(page) => v.render(
                StatusCode::UNPROCESSABLE_ENTITY,
                "profil",
                &v.text("profil.judul"),
                page,
            ),
            Err(e) => v.fail(e),
        };
    }
    let hash = match password::hash(f.password).await {
        Ok(h) => h,
        Err(e) => return v.fail(ApiError::Internal(e)),
    };
    let now = Utc::now();
    let done = async {
        app.store.set_password(&login, &hash).await?;
        app.store.record_own_password(&login, now).await?;
        app.store
            .create_session(&login, SessionKind::Web, app.web_life, now)
            .await
    };
    match done.await {
        Ok(s) => {
            let mut r = v.look.redirect("/profil?sandi=1");
            let age = app.web_life.max.num_seconds();
            r.headers_mut().append(
                header::SET_COOKIE,
                cookie(COOKIE, &s.token, "/", age, "Lax"),
            );
            r
        }
        Err(e) => v.fail(ApiError::from_store(e, v.caller.lang)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    id: String,
    _csrf: String,
}

/// Ends one of one's own sessions or API tokens.
pub async fn end_session(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<EndForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)) {
        return v.fail(e);
    }
    match app.store.end_session_of(&v.caller.login, &f.id).await {
        Ok(true) => v.look.redirect("/profil?sesi=1"),
        Ok(false) => v.fail(ApiError::not_found("sesi", &f.id, v.caller.lang)),
        Err(e) => v.fail(ApiError::from_store(e, v.caller.lang)),
    }
}
