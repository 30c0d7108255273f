//! Server-rendered pages: handlebars templates in `templates/pages/`, every
//! word users read in `templates/pages/lang/{id,en}.toml` (Indonesian first),
//! CSS and a small script in `templates/pages/static/`.
//!
//! Pages reuse the API's functions (`api::cases`, `api::dashboard`,
//! `api::visits`) and go through the same [`Caller`](crate::Caller) checks;
//! they only shape what those return for people. Every form POST passes
//! [`guard::form`]. The routes are one table ([`paths`] lists it), so a test
//! can check that each is covered by the access matrix.

mod action;
mod answers;
mod case_filters;
mod cases;
mod count;
mod dashboard;
mod decrees;
mod format;
mod guard;
mod imports;
mod indicators;
mod paid;
mod party;
mod payments;
mod profile;
mod programs;
mod proposal;
mod region_select;
mod registry;
mod reports;
mod session;
mod text;
mod users;
mod view;
mod visits;
mod workflows;
mod yearly;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use handlebars::{DirectorySourceOptions, Handlebars};
use pantau_domain::Lang;
use serde::Serialize;
use tower_http::services::ServeDir;

use crate::App;
use crate::error::ApiError;

/// The page templates, their words, and the folder of static files.
#[derive(Debug)]
pub struct Pages {
    hbs: Handlebars<'static>,
    words: text::Words,
    static_dir: PathBuf,
}

impl Pages {
    /// Loads `dir/pages/*.hbs` (files starting with `_` are partials by
    /// convention) and `dir/pages/lang/*.toml`. Debug builds (tests, `cargo
    /// run`) render in strict mode: a missing value is an error, not a blank.
    pub fn load(dir: &Path) -> Result<Pages, String> {
        let dir = dir.join("pages");
        let words = text::Words::load(&dir.join("lang"))?;
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(cfg!(debug_assertions));
        hbs.register_escape_fn(escape);
        hbs.register_helper("t", Box::new(words.helper()));
        hbs.register_helper("count", Box::new(count::Count));
        hbs.register_helper("count_cells", Box::new(count::CountCells));
        hbs.register_templates_directory(&dir, DirectorySourceOptions::default())
            .map_err(|e| format!("page templates in {}: {e}", dir.display()))?;
        if let Some(needed) = first_missing(&hbs) {
            return Err(format!(
                "page template {}/{needed}.hbs is missing",
                dir.display()
            ));
        }
        Ok(Pages {
            hbs,
            words,
            static_dir: dir.join("static"),
        })
    }

    /// The page `name` inside `_layout`. Two renders, not a partial block
    /// (`{{#> _layout}}`): handlebars renders a partial block from a copy of
    /// its context, and every `#each` and partial inside it copies again
    /// (two thirds of a dashboard's time went there). Both renders read one
    /// context, serialized once; the second finds the first's HTML as `body`.
    fn render(&self, name: &str, data: &impl Serialize) -> Result<String, ApiError> {
        let failed = |e: handlebars::RenderError| ApiError::Internal(format!("page {name}: {e}"));
        let mut ctx = handlebars::Context::wraps(data).map_err(failed)?;
        let body = self.hbs.render_with_context(name, &ctx).map_err(failed)?;
        if let Some(map) = ctx.data_mut().as_object_mut() {
            map.insert("body".into(), serde_json::Value::String(body));
        }
        self.hbs
            .render_with_context("_layout", &ctx)
            .map_err(failed)
    }

    /// The partial `name` alone, in `lang`, from `page` (read as `page.…`):
    /// a part of a page worked out once and kept (the dashboard's tables).
    pub(crate) fn fragment(
        &self,
        name: &str,
        lang: Lang,
        page: &impl Serialize,
    ) -> Result<String, ApiError> {
        #[derive(Serialize)]
        struct Part<'a, P> {
            lang: &'a str,
            page: &'a P,
        }
        let part = Part {
            lang: lang.as_str(),
            page,
        };
        self.hbs
            .render(name, &part)
            .map_err(|e| ApiError::Internal(format!("page part {name}: {e}")))
    }

    /// The first page template that should be loaded and is not, if any.
    pub fn missing(&self) -> Option<&'static str> {
        first_missing(&self.hbs)
    }

    /// The word `key` in `lang` (the key itself when no table has it).
    fn text(&self, lang: Lang, key: &str) -> String {
        self.words.get(lang, key).unwrap_or(key).to_string()
    }
}

fn first_missing(hbs: &Handlebars) -> Option<&'static str> {
    view::TEMPLATES
        .into_iter()
        .find(|needed| !hbs.has_template(needed))
}

/// HTML escaping for text and quoted attribute values (handlebars' own also
/// escapes `=`, which makes every link's query unreadable in the source).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every page route: (method, path, handler). The router and [`paths`] are
/// both built from it.
fn table() -> Vec<(&'static str, &'static str, MethodRouter<App>)> {
    vec![
        ("GET", "/", get(dashboard::page)),
        ("GET", "/masuk", get(session::form)),
        ("POST", "/masuk", post(session::sign_in)),
        ("POST", "/keluar", post(session::sign_out)),
        ("GET", "/kasus", get(cases::list)),
        ("GET", "/kasus/{id}", get(cases::page)),
        ("POST", "/kasus/{id}/aksi", post(action::take)),
        ("POST", "/kasus/{id}/lokasi", post(action::confirm_location)),
        ("GET", "/kunjungan", get(visits::page)),
        ("GET", "/sk", get(decrees::list)),
        ("GET", "/sk/baru", get(decrees::new_form)),
        ("POST", "/sk/baru", post(decrees::create)),
        ("GET", "/sk/usulan", get(decrees::starting_list)),
        ("GET", "/sk/{id}", get(decrees::page)),
        ("GET", "/sk/{id}/pindaian", get(decrees::scan)),
        ("GET", "/registri", get(registry::list)),
        ("GET", "/registri/desa", get(registry::desa::coverage)),
        ("GET", "/registri/ganda", get(registry::duplicates::list)),
        (
            "POST",
            "/registri/ganda/beda",
            post(registry::duplicates::distinct),
        ),
        (
            "POST",
            "/registri/ganda/gabung",
            post(registry::duplicates::merge),
        ),
        ("GET", "/registri/{id}", get(registry::one::page)),
        ("POST", "/registri/{id}", post(registry::one::correct)),
        (
            "POST",
            "/registri/{id}/rekening",
            post(registry::account::set),
        ),
        (
            "POST",
            "/registri/{id}/rekening/terima",
            post(registry::account::accept),
        ),
        // Payments through the bank (issue 20).
        ("GET", "/bayar", get(payments::list)),
        ("POST", "/bayar", post(payments::create)),
        ("GET", "/bayar/jatuh-tempo", get(payments::due_page)),
        ("GET", "/bayar/{number}", get(payments::batch_page)),
        ("POST", "/bayar/{number}/keluarkan", post(payments::remove)),
        ("POST", "/bayar/{number}/batal", post(payments::cancel)),
        ("POST", "/bayar/{number}/ekspor", post(payments::export)),
        ("POST", "/bayar/{number}/hasil", post(payments::result)),
        ("GET", "/impor", get(imports::form)),
        ("POST", "/impor", post(imports::upload)),
        ("GET", "/impor/tahunan", get(yearly::form)),
        ("POST", "/impor/tahunan", post(yearly::upload)),
        ("GET", "/profil", get(profile::page)),
        ("POST", "/profil", post(profile::save)),
        ("GET", "/laporan", get(reports::form)),
        ("GET", "/laporan/unduh", get(reports::download)),
        ("GET", "/indikator", get(indicators::page)),
        // A proposal opened from the browser (issue 26).
        ("GET", "/usulan/baru", get(proposal::page)),
        ("POST", "/usulan/baru", post(proposal::create)),
        ("POST", "/usulan/penerima", post(proposal::register)),
        // Programs, allocations and workflows (administration).
        ("GET", "/admin/program", get(programs::list)),
        ("POST", "/admin/program", post(programs::add)),
        ("GET", "/admin/program/{id}", get(programs::page)),
        ("POST", "/admin/program/{id}", post(programs::edit)),
        (
            "POST",
            "/admin/program/{id}/alokasi",
            post(programs::allocate),
        ),
        ("GET", "/admin/alur", get(workflows::page)),
        ("POST", "/admin/alur", post(workflows::check)),
        // Accounts in the browser: first run, users, one's own password and sessions.
        ("GET", "/siapkan/{token}", get(users::links::setup_form)),
        ("POST", "/siapkan/{token}", post(users::links::setup)),
        ("GET", "/sandi/{token}", get(users::links::reset_form)),
        ("POST", "/sandi/{token}", post(users::links::reset)),
        ("GET", "/admin/pengguna", get(users::list)),
        ("GET", "/admin/pengguna/baru", get(users::new_form)),
        ("POST", "/admin/pengguna/baru", post(users::create)),
        ("GET", "/admin/pengguna/{login}", get(users::one::page)),
        ("POST", "/admin/pengguna/{login}", post(users::one::change)),
        (
            "POST",
            "/admin/pengguna/{login}/aktif",
            post(users::one::switch),
        ),
        (
            "POST",
            "/admin/pengguna/{login}/sandi",
            post(users::one::reset),
        ),
        ("POST", "/profil/sandi", post(profile::set_password)),
        ("POST", "/profil/sesi", post(profile::end_session)),
        ("GET", "/static/{*file}", get(static_file)),
        ("GET", "/sw.js", get(service_worker)),
        ("GET", "/manifest.webmanifest", get(manifest)),
    ]
}

/// Every page route as (method, path template).
pub fn paths() -> Vec<(&'static str, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

pub fn router() -> Router<App> {
    table()
        .into_iter()
        .fold(Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        })
}

/// The error page for a request refused before any page read it (a NUL in
/// its path or query: [`crate::error::refuse_nul`]).
pub fn refused(app: &App, parts: &axum::http::request::Parts, e: ApiError) -> Response {
    view::Look::read(parts, app, Lang::Id).fail(None, e)
}

/// An address no route knows: the error page in the reader's language (the
/// browser would otherwise show its own, in English), or the API's JSON 404.
pub async fn unknown(State(app): State<App>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let look = view::Look::read(&parts, &app, Lang::Id);
    let e = ApiError::NotFound(look.text("galat.alamat"));
    if parts.uri.path().starts_with("/api/") {
        return e.into_response();
    }
    look.fail(None, e)
}

/// A file of `templates/pages/static/` (CSS, the small script, icons).
async fn static_file(
    State(app): State<App>,
    axum::extract::Path(file): axum::extract::Path<String>,
    req: Request,
) -> Response {
    serve_static(&app, &file, req).await
}

/// The service worker, at the root so that its scope is every page.
async fn service_worker(State(app): State<App>, req: Request) -> Response {
    serve_static(&app, "sw.js", req).await
}

/// The web app manifest: the field officer's pages install on a phone.
async fn manifest(State(app): State<App>, req: Request) -> Response {
    serve_static(&app, "manifest.webmanifest", req).await
}

async fn serve_static(app: &App, file: &str, mut req: Request) -> Response {
    let Ok(uri) = format!("/{file}").parse::<Uri>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    *req.uri_mut() = uri;
    match ServeDir::new(&app.pages.static_dir).try_call(req).await {
        Ok(r) => {
            let mut r = r.into_response();
            r.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-cache"),
            );
            r
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
