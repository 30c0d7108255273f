//! `/admin/pengguna/{login}`: one user as their manager sees them: who they
//! are, their role and region (changed here), switched off or on, a
//! password reset link made, and every change made to them, by whom and when.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use pantau_domain::Role;
use pantau_store::model::User;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Choice, by_field, manager, regions, roles};
use crate::accounts::{Problem, check_place};
use crate::error::ApiError;
use crate::pages::guard;
use crate::pages::view::{Failed, OrFail, Viewer};
use crate::{App, tls};

#[derive(Serialize)]
struct Changed {
    at: String,
    actor: String,
    what: String,
    detail: String,
}

#[derive(Serialize)]
struct UserPage {
    login: String,
    name: String,
    email: String,
    role: String,
    region: String,
    active: bool,
    created: String,
    own: bool,
    roles: Vec<Choice>,
    regions: super::Regions,
    problems: BTreeMap<&'static str, String>,
    changes: Vec<Changed>,
    /// A reset link shown once (no mail configured).
    reset_link: Option<String>,
    /// A reset link sent by email.
    reset_sent: bool,
    added: bool,
    saved: bool,
}

/// The user `login` if the reader may manage them; else "not found".
async fn managed(app: &App, v: &Viewer, login: &str) -> Result<User, Failed> {
    manager(v)?;
    let not_found = || ApiError::not_found("pengguna", login, v.caller.lang);
    let user = app
        .store
        .user(login)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(v)?
        .ok_or_else(not_found)
        .or_fail(v)?;
    let role = user
        .role
        .parse::<Role>()
        .map_err(|_| not_found())
        .or_fail(v)?;
    if !v.caller.may_manage_user(role, user.region_code.as_deref()) {
        return Err(not_found()).or_fail(v);
    }
    Ok(user)
}

/// What the page shows besides the user: a refused change, a link made.
#[derive(Default)]
struct Extra {
    role: Option<String>,
    region: Option<String>,
    problems: Vec<Problem>,
    reset_link: Option<String>,
    reset_sent: bool,
}

async fn show(app: &App, v: &Viewer, status: StatusCode, user: User, extra: Extra) -> Response {
    let changes = match app.store.user_changes(&user.login).await {
        Ok(c) => c,
        Err(e) => return v.fail(ApiError::from_store(e, v.caller.lang)),
    };
    let when =
        |t: chrono::DateTime<Utc>| crate::pages::format::when(v.caller.zone, t, v.caller.lang);
    let here = v.look.here.clone();
    let chosen_role = extra.role.unwrap_or_else(|| user.role.clone());
    let chosen_region = extra
        .region
        .unwrap_or_else(|| user.region_code.clone().unwrap_or_default());
    let page = UserPage {
        role: user.role.parse::<Role>().map_or(user.role.clone(), |r| {
            r.label().get(v.caller.lang).to_string()
        }),
        region: user
            .region_code
            .as_deref()
            .map_or_else(|| v.text("umum.nasional"), |r| app.region_name(r)),
        active: user.active,
        created: when(user.created_at),
        own: user.login == v.caller.login,
        roles: roles(v, &chosen_role),
        regions: regions(app, v, &chosen_region),
        problems: by_field(extra.problems),
        changes: changes
            .into_iter()
            .map(|c| Changed {
                at: when(c.at),
                actor: c.actor,
                what: v.text(&format!("pengguna.ubah_{}", c.what)),
                detail: c.detail,
            })
            .collect(),
        reset_link: extra.reset_link,
        reset_sent: extra.reset_sent,
        added: here.ends_with("?baru=1"),
        saved: here.ends_with("?disimpan=1"),
        login: user.login,
        name: user.name.clone(),
        email: user.email,
    };
    v.render(status, "pengguna", &user.name, page)
}

pub async fn page(State(app): State<App>, v: Viewer, Path(login): Path<String>) -> Response {
    match managed(&app, &v, &login).await {
        Ok(user) => show(&app, &v, StatusCode::OK, user, Extra::default()).await,
        Err(f) => f.into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    role: String,
    region: String,
    _csrf: String,
}

/// The form's token and origin, then the user the reader manages; the
/// viewer from now on answers as the user's page.
async fn checked(
    app: &App,
    v: Viewer,
    headers: &HeaderMap,
    csrf: &str,
    login: &str,
) -> Result<(User, Viewer), Response> {
    let user = managed(app, &v, login)
        .await
        .map_err(IntoResponse::into_response)?;
    guard::form(&v.look, headers, v.caller.csrf.as_deref(), Some(csrf)).map_err(|e| v.fail(e))?;
    let v = Viewer {
        look: v.look.clone().at(format!("/admin/pengguna/{login}")),
        ..v
    };
    Ok((user, v))
}

/// Gives the user another role or region (both within the reader's).
pub async fn change(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: Result<Form<PlaceForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    let (user, v) = match checked(&app, v, &headers, &f._csrf, &login).await {
        Ok(checked) => checked,
        Err(r) => return r,
    };
    let refuse = |status, problems| {
        let extra = Extra {
            role: Some(f.role.clone()),
            region: Some(f.region.clone()),
            problems,
            ..Extra::default()
        };
        (status, extra)
    };
    let known = |c: &str| app.has_region(c);
    let (role, region) = match check_place(&f.role, &f.region, &known, v.caller.lang) {
        Ok(p) => p,
        Err(p) => {
            let (s, e) = refuse(StatusCode::UNPROCESSABLE_ENTITY, p);
            return show(&app, &v, s, user, e).await;
        }
    };
    let region = region.map(|r| r.to_string());
    if !v.caller.may_manage_user(role, region.as_deref()) {
        let p = Problem {
            field: "role",
            message: v.text("pengguna.di_luar_wewenang"),
        };
        let (s, e) = refuse(StatusCode::FORBIDDEN, vec![p]);
        return show(&app, &v, s, user, e).await;
    }
    let done = app
        .store
        .change_user(&login, role, region.as_deref(), &v.caller.login, Utc::now())
        .await;
    saved(&v, &login, done)
}

/// Back to the user's page saying it is saved, or the error page.
fn saved(v: &Viewer, login: &str, done: Result<bool, pantau_store::StoreError>) -> Response {
    match done {
        Ok(_) => v
            .look
            .redirect(&format!("/admin/pengguna/{login}?disimpan=1")),
        Err(e) => v.fail(ApiError::from_store(e, v.caller.lang)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    /// `ya` switches on, anything else off.
    active: String,
    _csrf: String,
}

/// Switches the user off (every session ends) or on; never oneself off.
pub async fn switch(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: Result<Form<SwitchForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    let v = match checked(&app, v, &headers, &f._csrf, &login).await {
        Ok((_, v)) => v,
        Err(r) => return r,
    };
    let active = f.active == "ya";
    if !active && login == v.caller.login {
        return v.fail(ApiError::invalid("active", v.text("pengguna.bukan_diri")));
    }
    let done = app
        .store
        .switch_user(&login, active, &v.caller.login, Utc::now())
        .await;
    saved(&v, &login, done)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    _csrf: String,
}

/// Makes a one-time password link for the user: sent by email when mail
/// is configured, otherwise shown once on this answer (never stored but
/// as a hash, never shown again).
pub async fn reset(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(login): Path<String>,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    let (user, v) = match checked(&app, v, &headers, &f._csrf, &login).await {
        Ok(checked) => checked,
        Err(r) => return r,
    };
    let now = Utc::now();
    let token = match app.store.reset_link(&login, &v.caller.login, now).await {
        Ok(t) => t,
        Err(e) => return v.fail(ApiError::from_store(e, v.caller.lang)),
    };
    let mut extra = Extra::default();
    if let Some(base) = &app.mail_links {
        let link = format!("{}/sandi/{token}", base.trim_end_matches('/'));
        let payload = json!({
            "recipient": { "name": user.name, "login": user.login },
            "link": link,
            "hours": pantau_store::accounts::links::RESET_LIFE.num_hours(),
        });
        let key = format!("reset:{login}:{}", now.timestamp_micros());
        if let Err(e) = app
            .store
            .queue_once(&key, &user, "password_reset", payload, now)
            .await
        {
            return v.fail(ApiError::from_store(e, v.caller.lang));
        }
        extra.reset_sent = true;
    } else {
        let scheme = if tls::is_https(&app, &headers) {
            "https"
        } else {
            "http"
        };
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        extra.reset_link = Some(format!("{scheme}://{host}/sandi/{token}"));
    }
    show(&app, &v, StatusCode::OK, user, extra).await
}
