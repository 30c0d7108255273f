//! What every page shares: the reader's language ([`Look`]), the signed-in
//! reader ([`Viewer`], or a redirect to `/masuk`), the frame around each
//! page (header, navigation, language links), and the answers (a page, a
//! redirect, an error page) with the headers every page carries.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use pantau_domain::Lang;
use serde::Serialize;

use super::Pages;
use crate::error::ApiError;
use crate::{App, Caller};

/// Templates that must exist (partials start with `_`).
pub const TEMPLATES: [&str; 31] = [
    "_layout",
    "_dasbor_isi",
    "_field",
    "_penerima",
    "masuk",
    "dasbor",
    "kasus_daftar",
    "kasus",
    "sk_daftar",
    "sk",
    "sk_baru",
    "profil",
    "kunjungan",
    "laporan",
    "galat",
    "usulan",
    "admin_program_daftar",
    "admin_program",
    "admin_alur",
    "pengguna_daftar",
    "pengguna_baru",
    "pengguna",
    "sandi",
    "siapkan",
    "impor",
    "registri_daftar",
    "registri",
    "registri_desa",
    "bayar_daftar",
    "bayar_jatuh_tempo",
    "bayar",
];

/// The language cookie, set by a `?lang=en|id` link.
pub const LANG_COOKIE: &str = "pantau_lang";

/// The reader's language and where they are.
#[derive(Debug, Clone)]
pub struct Look {
    pub lang: Lang,
    /// Chosen by `?lang=` on this request: remembered in the cookie.
    chosen: Option<Lang>,
    /// This request's path and query, without `lang`.
    pub here: String,
    pages: Arc<Pages>,
}

/// A link to the same page in another language.
#[derive(Debug, Serialize)]
struct LangLink {
    code: &'static str,
    href: String,
    current: bool,
}

/// The signed-in user, as the frame shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    /// Who is signed in, and when their session ends unless used again
    /// (milliseconds since 1970): the phone keeps pages and queued visits
    /// per user, and serves kept pages offline only until then.
    login: String,
    until: i64,
    name: String,
    initial: String,
    role: String,
    region: String,
    csrf: String,
    nav: Vec<Nav>,
    /// Programs and workflows, for those who manage them.
    program_nav: Vec<Nav>,
    /// The users pages' link (administrator, provincial manager); `current` when there.
    users: Option<Nav>,
}

#[derive(Debug, Clone, Serialize)]
struct Nav {
    href: &'static str,
    /// A word key.
    label: &'static str,
    current: bool,
}

/// What every template receives: `page` is the page's own data.
#[derive(Serialize)]
struct Frame<'a, P: Serialize> {
    lang: &'static str,
    title: &'a str,
    langs: Vec<LangLink>,
    user: Option<&'a Chrome>,
    page: P,
}

#[derive(Serialize)]
struct Failure<'a> {
    status: u16,
    message: &'a str,
}

/// Query pairs of a URI.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// `path?k=v&…` with the pairs encoded; empty values are left out.
pub fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    if kept.is_empty() {
        return path.to_string();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

/// A `Set-Cookie` value: HttpOnly and Secure always.
pub fn cookie(name: &str, value: &str, path: &str, max_age: i64, same_site: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite={same_site}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl Look {
    pub(crate) fn read(parts: &Parts, app: &App, fallback: Lang) -> Look {
        let query = query_pairs(parts.uri.query());
        let chosen = query
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| v.parse().ok());
        let remembered = CookieJar::from_headers(&parts.headers)
            .get(LANG_COOKIE)
            .and_then(|c| c.value().parse().ok());
        let rest: Vec<(&str, &str)> = query
            .iter()
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Look {
            lang: chosen.or(remembered).unwrap_or(fallback),
            chosen,
            here: link(parts.uri.path(), &rest),
            pages: app.pages.clone(),
        }
    }

    /// The same look, as if at `here` (a form's answer shows the page it came from).
    pub fn at(mut self, here: String) -> Look {
        self.here = here;
        self
    }

    /// The word `key` in the reader's language.
    pub fn text(&self, key: &str) -> String {
        self.pages.text(self.lang, key)
    }

    /// `template` with `page` in the frame, with `status`.
    pub fn render(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        user: Option<&Chrome>,
        page: impl Serialize,
    ) -> Response {
        let sep = if self.here.contains('?') { '&' } else { '?' };
        let frame = Frame {
            lang: self.lang.as_str(),
            title,
            langs: [Lang::Id, Lang::En]
                .into_iter()
                .map(|l| LangLink {
                    code: l.as_str(),
                    href: format!("{}{sep}lang={}", self.here, l.as_str()),
                    current: l == self.lang,
                })
                .collect(),
            user,
            page,
        };
        match self.pages.render(template, &frame) {
            Ok(html) => {
                let mut r = self.finish((status, Html(html)).into_response());
                if let Some(u) = user {
                    signed_in_as(&mut r, u);
                }
                r
            }
            Err(e) => {
                e.log();
                self.finish(
                    (StatusCode::INTERNAL_SERVER_ERROR, self.text("galat.server")).into_response(),
                )
            }
        }
    }

    /// A 303 to `to`.
    pub fn redirect(&self, to: &str) -> Response {
        let to = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
        self.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
    }

    /// The error page for `e` (a redirect to sign in when nobody is signed in).
    pub fn fail(&self, user: Option<&Chrome>, e: ApiError) -> Response {
        e.log();
        let (status, message) = match &e {
            ApiError::Unauthenticated(_) => {
                return self.redirect(&link("/masuk", &[("next", &self.here)]));
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, self.text("galat.server")),
            other => (other.status(), other.body().message),
        };
        let title = self.text(&format!("galat.judul_{}", status.as_u16()));
        self.render(
            status,
            "galat",
            &title,
            user,
            Failure {
                status: status.as_u16(),
                message: &message,
            },
        )
    }

    /// Every page's headers: nothing cached, nothing framed, nothing fetched
    /// from elsewhere; and the language cookie when `?lang=` chose one.
    fn finish(&self, mut r: Response) -> Response {
        let h = r.headers_mut();
        for (name, value) in [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "same-origin"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ] {
            h.insert(name, HeaderValue::from_static(value));
        }
        if let Some(lang) = self.chosen {
            h.append(
                header::SET_COOKIE,
                cookie(LANG_COOKIE, lang.as_str(), "/", 365 * 24 * 3600, "Lax"),
            );
        }
        r
    }
}

/// Tells the service worker who is signed in and until when
/// (`X-Pantau-User`, percent-encoded; `X-Pantau-Until`, milliseconds): it
/// keeps a page only for that user, and serves it offline only until then.
/// An answer without them (the sign-in page) means nobody is.
fn signed_in_as(r: &mut Response, u: &Chrome) {
    let login: String = u
        .login
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    for (name, value) in [
        ("x-pantau-user", login),
        ("x-pantau-until", u.until.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().insert(name, v);
        }
    }
}

impl FromRequestParts<App> for Look {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(Look::read(parts, app, Lang::Id))
    }
}

/// A signed-in reader of the pages: the [`Caller`] in the page's language.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub look: Look,
    pub caller: Caller,
    pub chrome: Chrome,
}

impl FromRequestParts<App> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let mut caller = match Caller::from_request_parts(parts, app).await {
            Ok(c) => c,
            Err(e) => return Err(Look::read(parts, app, Lang::Id).fail(None, e)),
        };
        let look = Look::read(parts, app, caller.lang);
        caller.lang = look.lang;
        let path = parts.uri.path();
        let nav = if caller.works_in_field() {
            vec![
                ("/kunjungan", "nav.kunjungan"),
                ("/kasus", "nav.kasus"),
                ("/registri", "nav.registri"),
            ]
        } else {
            vec![
                ("/", "nav.dasbor"),
                ("/kasus", "nav.kasus"),
                ("/registri", "nav.registri"),
            ]
        };
        let mut nav = nav;
        if !caller.works_in_field() {
            nav.push(("/sk", "nav.sk"));
        }
        nav.push(("/indikator", "indikator.nav"));
        nav.push(("/laporan", "nav.laporan"));
        if caller.may(pantau_domain::access::Permission::Import) {
            nav.push(("/impor", "nav.impor"));
        }
        if caller.may(pantau_domain::access::Permission::Pay) {
            nav.push(("/bayar", "nav.bayar"));
        }
        let mut program_nav = vec![];
        if caller.may(pantau_domain::access::Permission::Allocate) {
            program_nav.push(("/admin/program", "program.nav"));
        }
        if caller.may(pantau_domain::access::Permission::Administer) {
            program_nav.push(("/admin/alur", "alur.nav"));
        }
        let current = |href: &str| path.starts_with(href);
        let program_nav = program_nav
            .into_iter()
            .map(|(href, label)| Nav {
                href,
                label,
                current: current(href),
            })
            .collect();
        let chrome = Chrome {
            program_nav,
            login: caller.login.clone(),
            until: caller.until.timestamp_millis(),
            name: caller.name.clone(),
            initial: caller
                .name
                .chars()
                .find(|c| c.is_alphanumeric())
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            role: caller.role.label().get(look.lang).to_string(),
            region: caller.scope.region().map_or_else(
                || look.text("umum.nasional"),
                |r| app.region_name(r.as_str()),
            ),
            csrf: caller.csrf.clone().unwrap_or_default(),
            nav: nav
                .into_iter()
                .map(|(href, label)| Nav {
                    href,
                    label,
                    current: if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    },
                })
                .collect(),
            users: caller.manages_users().then(|| Nav {
                href: "/admin/pengguna",
                label: "pengguna.nav",
                current: path.starts_with("/admin/pengguna"),
            }),
        };
        Ok(Viewer {
            look,
            caller,
            chrome,
        })
    }
}

impl Viewer {
    pub fn render(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        page: impl Serialize,
    ) -> Response {
        self.look
            .render(status, template, title, Some(&self.chrome), page)
    }

    pub fn fail(&self, e: ApiError) -> Response {
        self.look.fail(Some(&self.chrome), e)
    }

    pub fn text(&self, key: &str) -> String {
        self.look.text(key)
    }
}

/// A page that could not be shown: the error page (or a redirect), boxed
/// so the happy path's `Result` stays small.
#[derive(Debug)]
pub struct Failed(Box<Response>);

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, Failed>;

/// `?` in page handlers: an API error becomes the error page.
pub trait OrFail<T> {
    fn or_fail(self, v: &Viewer) -> Result<T, Failed>;
}

impl<T> OrFail<T> for Result<T, ApiError> {
    fn or_fail(self, v: &Viewer) -> Result<T, Failed> {
        self.map_err(|e| Failed(Box::new(v.fail(e))))
    }
}
