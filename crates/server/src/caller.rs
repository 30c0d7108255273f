//! Who is asking, and the one place every handler asks whether they may.
//!
//! A request is signed in by a bearer token (the API) or a session cookie
//! (the pages). Every handler takes a [`Caller`] and goes through its
//! methods: [`Caller::require`] for what the role may do at all,
//! [`Caller::see`] for whether a record's region is within the user's. A
//! record outside the caller's region answers "not found", so nobody learns
//! that it exists. Which role may take which transition is the workflow
//! definition's, enforced by the engine.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use pantau_domain::access::{self, Permission, Scope};
use pantau_domain::{Lang, RegionCode, Role, Zone};
use pantau_store::auth::SessionKind;
use pantau_workflow::Actor;

use crate::App;
use crate::error::ApiError;

/// The session cookie's name.
pub const COOKIE: &str = "pantau_sesi";

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
}

impl Caller {
    /// Refuses when the role does not hold `permission` at all.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if access::allows(self.role, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(match self.lang {
                Lang::Id => format!("peran `{}` tidak berwenang untuk ini", self.role),
                Lang::En => format!("role `{}` may not do this", self.role),
            }))
        }
    }

    /// Whether a record of `region` is within the caller's scope.
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
    pub async fn from_token(app: &App, token: &str, kind: SessionKind) -> Result<Caller, ApiError> {
        let found = app
            .store
            .session(token, kind, Utc::now())
            .await
            .map_err(|e| ApiError::from_store(e, Lang::Id))?;
        let Some((session, user)) = found else {
            return Err(Caller::unauthenticated(Lang::Id));
        };
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
        Ok(Caller {
            login: user.login,
            name: user.name,
            role,
            scope,
            lang,
            zone,
            csrf: (kind == SessionKind::Web).then_some(session.csrf),
        })
    }
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
        match jar.get(COOKIE) {
            Some(c) => Caller::from_token(app, c.value(), SessionKind::Web).await,
            None => Err(Caller::unauthenticated(Lang::Id)),
        }
    }
}
