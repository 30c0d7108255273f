//! Signing in, for the API and the pages alike: the password checked
//! against its argon2id hash, and failures counted per login and source
//! (in the database, so every instance agrees). An unknown login is
//! answered and counted exactly like a wrong password, so the answers tell
//! nobody which logins exist; a source that keeps failing waits longer each
//! time, and only that source waits, so nobody can lock someone else out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use chrono::{Duration, Utc};
use pantau_domain::Lang;
use pantau_store::accounts::auth::{Lifetime, NewSession, SessionKind};

use crate::error::{ApiError, no_nul};
use crate::{App, password};

/// A browser session: 12 hours at most, and ended after 2 hours unused.
pub const WEB_LIFE: Lifetime = Lifetime {
    max: Duration::hours(12),
    idle: Some(Duration::hours(2)),
};
/// An API token: 30 days.
pub const API_LIFE: Lifetime = Lifetime {
    max: Duration::days(30),
    idle: None,
};

/// Where a sign-in comes from: the peer's address, or (behind a proxy the
/// server was told to trust) the last address the proxy added to
/// `X-Forwarded-For`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub String);

impl FromRequestParts<App> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let forwarded = app
            .trust_forwarded_for
            .then(|| {
                crate::tls::last_forwarded(&parts.headers, "x-forwarded-for")
                    .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Source(forwarded.or(peer).map_or_else(
            || "unknown".to_string(),
            |ip| ip.to_string(),
        )))
    }
}

/// Checks `login` and `password` from `source`, and opens a session of `kind`.
pub async fn sign_in(
    app: &App,
    login: &str,
    password_text: &str,
    source: &Source,
    kind: SessionKind,
) -> Result<NewSession, ApiError> {
    no_nul("login", login)?;
    let now = Utc::now();
    let internal = |e| ApiError::from_store(e, Lang::Id);
    let source = source.0.as_str();
    if let Some(until) = app
        .store
        .sign_in_wait(login, source, now)
        .await
        .map_err(internal)?
    {
        tracing::warn!(login, source, "sign-in refused: too many failures, waiting");
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: (until - now).num_seconds().max(1),
        });
    }
    let hash = app.store.password_hash(login).await.map_err(internal)?;
    // An unknown login does the same work as a real check, so timing does
    // not tell who exists either.
    let good = match hash {
        Some(h) => password::verify(password_text.to_string(), h).await,
        None => {
            password::verify(password_text.to_string(), DUMMY_HASH.to_string()).await;
            false
        }
    };
    if !good {
        // The next try from this source may have to wait: it is told then.
        app.store
            .record_failed_sign_in(login, source, now)
            .await
            .map_err(internal)?;
        tracing::warn!(login, source, "sign-in failed: wrong user name or password");
        return Err(ApiError::Unauthenticated(
            "nama pengguna atau kata sandi salah (wrong user name or password)".into(),
        ));
    }
    app.store
        .record_good_sign_in(login, source)
        .await
        .map_err(internal)?;
    let life = match kind {
        SessionKind::Web => app.web_life,
        SessionKind::Api => app.api_life,
    };
    crate::observe::signed_in_as(login);
    tracing::info!(login, source, kind = ?kind, "signed in");
    app.store
        .create_session(login, kind, life, now)
        .await
        .map_err(internal)
}

/// An argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Cj7rQn0h5ZbD0xB6Q8y1t8m4rQd8h2W3rXo0Yq3n5mA";
