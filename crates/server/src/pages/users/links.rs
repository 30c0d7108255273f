//! The pages a one-time link opens, for someone not signed in:
//! `/siapkan/{token}`, the first run's setup link that `pantau serve`
//! prints while no user exists (the first administrator chooses their name,
//! login, email and password), and `/sandi/{token}`, a password reset link
//! (the user chooses a new password). Both are used once; a used, expired
//! or unknown link is refused with the same page. The link's secret is the
//! form's proof, and the request must still come from our own pages.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use pantau_domain::Role;
use serde::{Deserialize, Serialize};

use super::by_field;
use crate::accounts::{Draft, Problem, check_password};
use crate::caller::from_own_site;
use crate::error::ApiError;
use crate::pages::view::Look;
use crate::{App, password};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    login: String,
    name: String,
    email: String,
    password: String,
    again: String,
}

#[derive(Serialize)]
struct LinkPage<'a> {
    /// The link works (else the page says it does not).
    live: bool,
    action: String,
    /// The user a reset link is for.
    login: &'a str,
    name: &'a str,
    email: &'a str,
    problems: BTreeMap<&'static str, String>,
}

fn render(
    look: &Look,
    status: StatusCode,
    template: &str,
    title: &str,
    page: LinkPage,
) -> Response {
    look.render(status, template, &look.text(title), None, page)
}

impl<'a> LinkPage<'a> {
    /// The form of a live link at `action`, for `login` and `name` (a reset).
    fn live(action: String, login: &'a str, name: &'a str) -> LinkPage<'a> {
        LinkPage {
            live: true,
            action,
            login,
            name,
            email: "",
            problems: BTreeMap::new(),
        }
    }
}

fn dead(look: &Look, template: &str, title: &str) -> Response {
    let page = LinkPage {
        live: false,
        ..LinkPage::live(String::new(), "", "")
    };
    render(look, StatusCode::NOT_FOUND, template, title, page)
}

fn failed(look: &Look, e: pantau_store::StoreError) -> Response {
    look.fail(None, ApiError::from_store(e, look.lang))
}

pub async fn setup_form(State(app): State<App>, look: Look, Path(token): Path<String>) -> Response {
    match app.store.setup_link_live(&token, Utc::now()).await {
        Ok(true) => {
            let page = LinkPage::live(format!("/siapkan/{token}"), "", "");
            render(&look, StatusCode::OK, "siapkan", "siapkan.judul", page)
        }
        Ok(false) => dead(&look, "siapkan", "siapkan.judul"),
        Err(e) => failed(&look, e),
    }
}

/// Creates the first administrator, with the same rules as every user.
pub async fn setup(
    State(app): State<App>,
    look: Look,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let look = look.at(format!("/siapkan/{token}"));
    let (Ok(Form(f)), true) = (form, from_own_site(&headers)) else {
        return look.fail(None, ApiError::Forbidden(look.text("galat.csrf")));
    };
    let again = |status, problems: Vec<Problem>| {
        let page = LinkPage {
            email: &f.email,
            problems: by_field(problems),
            ..LinkPage::live(format!("/siapkan/{token}"), &f.login, &f.name)
        };
        render(&look, status, "siapkan", "siapkan.judul", page)
    };
    match app.store.setup_link_live(&token, Utc::now()).await {
        Ok(true) => {}
        Ok(false) => return dead(&look, "siapkan", "siapkan.judul"),
        Err(e) => return failed(&look, e),
    }
    let draft = Draft {
        login: f.login.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        role: Role::Admin.as_str().into(),
        region: String::new(),
        lang: look.lang.as_str().into(),
        password: f.password.clone(),
        again: Some(f.again.clone()),
    };
    let known = |c: &str| app.has_region(c);
    let mut user = match draft.check(&known, look.lang) {
        Ok(u) => u,
        Err(p) => return again(StatusCode::UNPROCESSABLE_ENTITY, p),
    };
    match password::hash(draft.password).await {
        Ok(h) => user.password_hash = Some(h),
        Err(e) => return look.fail(None, ApiError::Internal(e)),
    }
    match app.store.first_user(&token, &user, Utc::now()).await {
        Ok(true) => {
            tracing::info!(login = user.login, "first administrator set up");
            look.redirect("/masuk?siap=1")
        }
        Ok(false) => dead(&look, "siapkan", "siapkan.judul"),
        Err(e) => failed(&look, e),
    }
}

pub async fn reset_form(State(app): State<App>, look: Look, Path(token): Path<String>) -> Response {
    match app.store.reset_link_user(&token, Utc::now()).await {
        Ok(Some(u)) => {
            let page = LinkPage::live(format!("/sandi/{token}"), &u.login, &u.name);
            render(&look, StatusCode::OK, "sandi", "sandi.judul", page)
        }
        Ok(None) => dead(&look, "sandi", "sandi.judul"),
        Err(e) => failed(&look, e),
    }
}

/// Sets the new password: the link is used up, and every session ends.
pub async fn reset(
    State(app): State<App>,
    look: Look,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let look = look.at(format!("/sandi/{token}"));
    let (Ok(Form(f)), true) = (form, from_own_site(&headers)) else {
        return look.fail(None, ApiError::Forbidden(look.text("galat.csrf")));
    };
    let user = match app.store.reset_link_user(&token, Utc::now()).await {
        Ok(Some(u)) => u,
        Ok(None) => return dead(&look, "sandi", "sandi.judul"),
        Err(e) => return failed(&look, e),
    };
    let problems = check_password(&f.password, Some(&f.again), look.lang);
    if !problems.is_empty() {
        let page = LinkPage {
            problems: by_field(problems),
            ..LinkPage::live(format!("/sandi/{token}"), &user.login, &user.name)
        };
        return render(
            &look,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sandi",
            "sandi.judul",
            page,
        );
    }
    let hash = match password::hash(f.password).await {
        Ok(h) => h,
        Err(e) => return look.fail(None, ApiError::Internal(e)),
    };
    match app.store.use_reset_link(&token, &hash, Utc::now()).await {
        Ok(Some(_)) => look.redirect("/masuk?sandi=1"),
        Ok(None) => dead(&look, "sandi", "sandi.judul"),
        Err(e) => failed(&look, e),
    }
}
