//! `/admin/pengguna`: the users an administrator (nationally) or a
//! provincial manager (their province and its kabupaten/kota) manages:
//! the list with search, a new user, and each user's page (`one`). The
//! first-run setup and the password links are `links`'. Who may manage whom
//! is the [`Caller`](crate::Caller)'s answer; the account's rules are
//! [`crate::accounts`]'.

pub mod links;
pub mod one;

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use pantau_domain::Role;
use serde::{Deserialize, Serialize};

use super::guard;
use super::region_select::{self, Codes, RegionGroup};
use super::view::{Failed, OrFail, PageResult, Viewer, link, query_pairs};
use crate::accounts::{Draft, Problem};
use crate::error::ApiError;
use crate::{App, password};

const PER_PAGE: u64 = 25;

/// An option of a select.
#[derive(Debug, Serialize)]
pub(super) struct Choice {
    pub(in crate::pages) value: String,
    pub(in crate::pages) label: String,
    pub(in crate::pages) selected: bool,
}

/// Problems by field, for the template.
pub(super) fn by_field(problems: Vec<Problem>) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    for p in problems {
        out.entry(p.field).or_insert(p.message);
    }
    out
}

/// Refuses a reader who manages no users.
pub(super) fn manager(v: &Viewer) -> Result<(), Failed> {
    if v.caller.manages_users() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(v.text("pengguna.tidak_berwenang"))).or_fail(v)
    }
}

/// The roles the reader may give, `chosen` selected.
pub(super) fn roles(v: &Viewer, chosen: &str) -> Vec<Choice> {
    let region = v.caller.scope.region().map(|r| r.to_string());
    Role::ALL
        .into_iter()
        .filter(|r| v.caller.may_manage_user(*r, region.as_deref()))
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().get(v.caller.lang).to_string(),
            selected: r.as_str() == chosen,
        })
        .collect()
}

/// The regions the reader may give, grouped by province (a province as
/// "Seluruh Lampung"), and "national" for the administrator.
#[derive(Debug, Serialize)]
pub(super) struct Regions {
    national: Option<National>,
    groups: Vec<RegionGroup>,
}

/// "National" offered (to the administrator), and whether chosen.
#[derive(Debug, Serialize)]
struct National {
    selected: bool,
}

/// The regions the reader may give, `chosen` selected.
pub(super) fn regions(app: &App, v: &Viewer, chosen: &str) -> Regions {
    let within = app.regions_within(&v.caller.scope);
    Regions {
        national: v.caller.scope.region().is_none().then_some(National {
            selected: chosen.is_empty(),
        }),
        groups: region_select::grouped(
            app,
            v,
            within.iter().map(|(code, _)| code.as_str()),
            Some(chosen),
            Codes::Shown,
        ),
    }
}

#[derive(Serialize)]
struct Row {
    login: String,
    name: String,
    email: String,
    role: String,
    region: String,
    active: bool,
    href: String,
}

#[derive(Serialize)]
struct ListPage {
    q: String,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
}

/// The users the reader manages, `?q=` searching login, name and email.
pub async fn list(State(app): State<App>, v: Viewer) -> PageResult {
    manager(&v)?;
    let query = query_pairs(v.look.here.split_once('?').map(|(_, q)| q));
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let q = get("q");
    let page = get("halaman").parse::<u64>().unwrap_or(1).max(1);
    let found = app
        .store
        .user_page(&v.caller.scope, &q, page, PER_PAGE)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let at = |n: u64| link("/admin/pengguna", &[("q", &q), ("halaman", &n.to_string())]);
    let rows = found
        .items
        .into_iter()
        .map(|u| Row {
            href: format!("/admin/pengguna/{}", u.login),
            role: u
                .role
                .parse::<Role>()
                .map_or(u.role.clone(), |r| r.label().get(v.caller.lang).to_string()),
            region: u
                .region_code
                .as_deref()
                .map_or_else(|| v.text("umum.nasional"), |r| app.region_name(r)),
            login: u.login,
            name: u.name,
            email: u.email,
            active: u.active,
        })
        .collect();
    let list = ListPage {
        rows,
        total: found.total,
        page,
        pages,
        prev: (page > 1).then(|| at(page - 1)),
        next: (page < pages).then(|| at(page + 1)),
        q,
    };
    Ok(v.render(
        StatusCode::OK,
        "pengguna_daftar",
        &v.text("pengguna.judul"),
        list,
    ))
}

/// The new user form as typed (passwords are never shown again).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    login: String,
    name: String,
    email: String,
    role: String,
    region: String,
    lang: String,
    password: String,
    again: String,
    _csrf: String,
}

#[derive(Serialize)]
struct NewPage<'a> {
    login: &'a str,
    name: &'a str,
    email: &'a str,
    lang_en: bool,
    roles: Vec<Choice>,
    regions: Regions,
    problems: BTreeMap<&'static str, String>,
}

fn new_page(
    app: &App,
    v: &Viewer,
    status: StatusCode,
    f: &NewForm,
    problems: Vec<Problem>,
) -> Response {
    let page = NewPage {
        login: &f.login,
        name: &f.name,
        email: &f.email,
        lang_en: f.lang == "en",
        roles: roles(v, &f.role),
        regions: regions(app, v, &f.region),
        problems: by_field(problems),
    };
    v.render(status, "pengguna_baru", &v.text("pengguna.baru"), page)
}

pub async fn new_form(State(app): State<App>, v: Viewer) -> PageResult {
    manager(&v)?;
    let f = NewForm {
        region: v
            .caller
            .scope
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default(),
        ..NewForm::default()
    };
    Ok(new_page(&app, &v, StatusCode::OK, &f, vec![]))
}

/// Adds the user: the account's rules, then whether the reader may give
/// that role and region; refused, the form again with what was typed.
pub async fn create(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<NewForm>, FormRejection>,
) -> Response {
    if let Err(f) = manager(&v) {
        return axum::response::IntoResponse::into_response(f);
    }
    let Ok(Form(f)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)) {
        return v.fail(e);
    }
    let draft = Draft {
        login: f.login.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
        region: f.region.clone(),
        lang: f.lang.clone(),
        password: f.password.clone(),
        again: Some(f.again.clone()),
    };
    let known = |c: &str| app.has_region(c);
    let mut user = match draft.check(&known, v.caller.lang) {
        Ok(u) => u,
        Err(p) => return new_page(&app, &v, StatusCode::UNPROCESSABLE_ENTITY, &f, p),
    };
    if !v.caller.may_manage_user(user.role, user.region.as_deref()) {
        let p = Problem {
            field: "role",
            message: v.text("pengguna.di_luar_wewenang"),
        };
        return new_page(&app, &v, StatusCode::FORBIDDEN, &f, vec![p]);
    }
    match password::hash(draft.password).await {
        Ok(h) => user.password_hash = Some(h),
        Err(e) => return v.fail(ApiError::Internal(e)),
    }
    match app
        .store
        .add_user_by(&user, &v.caller.login, Utc::now())
        .await
    {
        Ok(true) => v
            .look
            .redirect(&format!("/admin/pengguna/{}?baru=1", user.login)),
        Ok(false) => {
            let p = Problem {
                field: "login",
                message: v.text("pengguna.login_dipakai"),
            };
            new_page(&app, &v, StatusCode::CONFLICT, &f, vec![p])
        }
        Err(e) => v.fail(ApiError::from_store(e, v.caller.lang)),
    }
}
