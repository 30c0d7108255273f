//! Who is asking, and the one place every handler asks whether they may.
//!
//! A request is signed in by a bearer token (the API) or a session cookie
//! (the pages). Every handler takes a [`Caller`] and goes through its
//! methods: [`Caller::require`] for what the role may do at all,
//! [`Caller::see`] for whether a record's region is within the user's. A
//! record outside the caller's region answers "not found", so nobody learns
//! that it exists. Which role may take which transition is the workflow
//! definition's, enforced by the engine.
//!
//! A request to the API that changes something (any method but GET, HEAD,
//! OPTIONS) and is signed in by the session cookie must come from our own
//! pages (`Sec-Fetch-Site`, `Origin`) and carry the session's form token in
//! `X-CSRF-Token`: another site can make a browser send the cookie, but can
//! neither read the token nor forge those headers. A bearer token is never
//! sent by a browser on its own, so bearer requests need neither.

use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, header, request::Parts};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use pantau_domain::access::{self, Permission, Scope};
use pantau_domain::{Lang, RegionCode, Role, Zone};
use pantau_store::accounts::auth::SessionKind;
use pantau_workflow::Actor;

use crate::App;
use crate::error::ApiError;

/// The session cookie's name.
pub const COOKIE: &str = "pantau_sesi";

/// The header a cookie-signed API request carries its form token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Caller {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub lang: Lang,
    pub zone: Zone,
    /// The form token, for a browser session.
    pub csrf: Option<String>,
    /// When the session ends unless it is used again.
    pub until: DateTime<Utc>,
}

impl Caller {
    /// Refuses when the role does not hold `permission` at all.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(match self.lang {
                Lang::Id => format!("peran `{}` tidak berwenang untuk ini", self.role),
                Lang::En => format!("role `{}` may not do this", self.role),
            }))
        }
    }

    /// Whether a record of `region` is within the caller's scope.
    /// Whether the role holds `permission` at all.
    pub fn may(&self, permission: Permission) -> bool {
        access::allows(self.role, permission)
    }

    /// Whether the caller works in the field (home: their visits).
    pub fn works_in_field(&self) -> bool {
        access::works_in_field(self.role)
    }

    /// Whether the caller may act on a case assigned to `officer`.
    pub fn may_act_on(&self, officer: Option<&str>) -> bool {
        access::may_act_on(self.role, &self.login, officer)
    }

    pub fn sees(&self, region: Option<&str>) -> bool {
        self.scope.covers(region)
    }

    /// `Ok` when a record of `region` is within the caller's scope; else
    /// "not found" for `what` `id`, as if it did not exist.
    pub fn see(&self, region: Option<&str>, what: &str, id: &str) -> Result<(), ApiError> {
        if self.sees(region) {
            Ok(())
        } else {
            Err(ApiError::not_found(what, id, self.lang))
        }
    }

    /// Whether the caller acts for province `province` as a whole (records its decrees).
    pub fn acts_for_province(&self, province: &str) -> bool {
        access::acts_for_province(&self.scope, province)
    }

    /// Whether the caller manages users at all (the users pages).
    pub fn manages_users(&self) -> bool {
        access::manages_users(self.role)
    }

    /// Whether the caller may manage a user with `role` in `region` (add
    /// one, or give one that role and region).
    pub fn may_manage_user(&self, role: Role, region: Option<&str>) -> bool {
        access::may_manage_user(self.role, &self.scope, role, region)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: self.login.clone(),
            role: self.role,
        }
    }

    fn unauthenticated(lang: Lang) -> ApiError {
        ApiError::Unauthenticated(match lang {
            Lang::Id => "silakan masuk terlebih dahulu".into(),
            Lang::En => "please sign in first".into(),
        })
    }

    /// The caller of a token or session secret, if it is live.
    /// A browser session's idle end moves on with each use (written at most
    /// once a minute).
    pub async fn from_token(app: &App, token: &str, kind: SessionKind) -> Result<Caller, ApiError> {
        let now = Utc::now();
        let found = app
            .store
            .session(token, kind, now)
            .await
            .map_err(|e| ApiError::from_store(e, Lang::Id))?;
        let Some((session, user)) = found else {
            return Err(Caller::unauthenticated(Lang::Id));
        };
        let life = match kind {
            SessionKind::Web => app.web_life,
            SessionKind::Api => app.api_life,
        };
        let mut idle_until = session.idle_until;
        if let (Some(old), Some(new)) = (session.idle_until, life.idle_until(now))
            && new - old >= chrono::Duration::minutes(1)
        {
            app.store
                .touch_session(token, new)
                .await
                .map_err(|e| ApiError::from_store(e, Lang::Id))?;
            idle_until = Some(new);
        }
        let until = idle_until.map_or(session.expires_at, |i| i.min(session.expires_at));
        let role: Role = user
            .role
            .parse()
            .map_err(|e: pantau_domain::UnknownRole| ApiError::Internal(e.to_string()))?;
        let region = user
            .region_code
            .as_deref()
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| ApiError::Internal(e.message(Lang::En)))?;
        let scope =
            Scope::of(role, region.as_ref()).map_err(|e| ApiError::Internal(e.to_string()))?;
        let lang = if user.lang == "en" {
            Lang::En
        } else {
            Lang::Id
        };
        let zone = region
            .as_ref()
            .map_or(Zone::Wib, |r| app.zone_of(r.as_str()));
        crate::observe::signed_in_as(&user.login);
        Ok(Caller {
            login: user.login,
            name: user.name,
            role,
            scope,
            lang,
            zone,
            csrf: (kind == SessionKind::Web).then_some(session.csrf),
            until,
        })
    }

    /// Refuses a cookie-signed request that another site could have made:
    /// from elsewhere by `Sec-Fetch-Site` or `Origin`, or without this
    /// session's form token in [`CSRF_HEADER`].
    fn check_cookie_request(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        let token_ok =
            matches!((self.csrf.as_deref(), sent), (Some(e), Some(s)) if same_token(e, s));
        if from_own_site(headers) && token_ok {
            return Ok(());
        }
        Err(ApiError::Forbidden(match self.lang {
            Lang::Id => "permintaan dengan cookie sesi harus dari halaman Pantau sendiri dan membawa token formulir di X-CSRF-Token (or use a bearer token)".into(),
            Lang::En => "a request signed in by the session cookie must come from Pantau's own pages and carry the form token in X-CSRF-Token (or use a bearer token)".into(),
        }))
    }
}

/// Whether a request may come from our own pages: a `Sec-Fetch-Site` of
/// `same-origin` or `none` (typed by the user) if any, and an `Origin` of
/// this host if any.
pub fn from_own_site(headers: &HeaderMap) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = value(header::ORIGIN) {
        let host = value(header::HOST).unwrap_or("");
        let own = ["http://", "https://"]
            .iter()
            .any(|scheme| origin.strip_prefix(scheme) == Some(host));
        if host.is_empty() || !own {
            return false;
        }
    }
    true
}

/// Whether a sent token is the expected one (never an empty one), in time
/// independent of where the first difference is.
pub fn same_token(expected: &str, sent: &str) -> bool {
    let (a, b) = (expected.as_bytes(), sent.as_bytes());
    !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            return Caller::from_token(app, token, SessionKind::Api).await;
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(COOKIE) else {
            return Err(Caller::unauthenticated(Lang::Id));
        };
        let caller = Caller::from_token(app, cookie.value(), SessionKind::Web).await?;
        // Pages check their forms' `_csrf` field themselves (`pages::guard`).
        if !parts.method.is_safe() && parts.uri.path().starts_with("/api/") {
            caller.check_cookie_request(&parts.headers)?;
        }
        Ok(caller)
    }
}
