//! `/profil`: the signed-in user's own page: who they are in Pantau (name,
//! email, role, region), and their two choices: the language of pages and
//! emails, and whether reminders come one by one or as one daily digest
//! (what every email's footer points to); their own password (the current
//! one required: every other session ends) and their sessions (each ended
//! here). The password and sessions are `account`'s.

#[path = "profile_account.rs"]
mod account;
pub use account::{end_session, set_password};

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use pantau_domain::Lang;
use serde::{Deserialize, Serialize};

use super::guard;
use super::view::{LANG_COOKIE, OrFail, PageResult, Viewer, cookie};
use crate::App;
use crate::error::ApiError;

#[derive(Serialize)]
struct ProfilePage {
    login: String,
    name: String,
    email: String,
    role: String,
    region: String,
    lang_id: bool,
    digest: bool,
    saved: bool,
    account: account::AccountPart,
}

pub async fn page(State(app): State<App>, v: Viewer) -> PageResult {
    let page = page_with(&app, &v, vec![]).await.or_fail(&v)?;
    Ok(v.render(StatusCode::OK, "profil", &v.text("profil.judul"), page))
}

/// The page's data, with `problems` of a refused password change.
async fn page_with(
    app: &App,
    v: &Viewer,
    problems: Vec<crate::accounts::Problem>,
) -> Result<ProfilePage, ApiError> {
    let user = app
        .store
        .user(&v.caller.login)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?
        .ok_or_else(|| ApiError::not_found("pengguna", &v.caller.login, v.caller.lang))?;
    let saved = v.look.here.ends_with("?disimpan=1");
    let account = account::part(app, v, problems).await?;
    Ok(ProfilePage {
        login: user.login,
        name: user.name,
        email: user.email,
        role: v.caller.role.label().get(v.caller.lang).to_string(),
        region: v
            .caller
            .scope
            .region()
            .map_or_else(|| v.text("umum.nasional"), |r| app.region_name(r.as_str())),
        lang_id: user.lang != "en",
        digest: user.digest,
        saved,
        account,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Choices {
    lang: String,
    digest: Option<String>,
    _csrf: String,
}

/// Saves the choices; the pages follow the chosen language from now on.
pub async fn save(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<Choices>, FormRejection>,
) -> Response {
    let Ok(Form(c)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&c._csrf)) {
        return v.fail(e);
    }
    let Ok(lang) = c.lang.parse::<Lang>() else {
        return v.fail(ApiError::invalid("lang", v.text("profil.bahasa_salah")));
    };
    match app
        .store
        .set_preferences(&v.caller.login, lang, c.digest.is_some())
        .await
    {
        Ok(_) => {
            let mut r = v.look.redirect("/profil?disimpan=1");
            r.headers_mut().append(
                header::SET_COOKIE,
                cookie(LANG_COOKIE, lang.as_str(), "/", 365 * 24 * 3600, "Lax"),
            );
            r
        }
        Err(e) => v.fail(ApiError::from_store(e, v.caller.lang)),
    }
}
