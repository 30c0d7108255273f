//! Signing in, for the API and the pages alike: the password checked
//! against its argon2id hash, and an account locked for a while after too
//! many failures in a row (counted in the database, so every instance agrees).

use chrono::{Duration, Utc};
use pantau_domain::Lang;
use pantau_store::auth::{NewSession, SessionKind};

use crate::error::ApiError;
use crate::{App, password};

/// How long a browser session and an API token last.
pub const WEB_TTL: Duration = Duration::hours(12);
pub const API_TTL: Duration = Duration::days(30);

/// Checks `login` and `password`, and opens a session of `kind`.
pub async fn sign_in(
    app: &App,
    login: &str,
    password_text: &str,
    kind: SessionKind,
) -> Result<NewSession, ApiError> {
    let now = Utc::now();
    let wrong = || {
        ApiError::Unauthenticated(
            "nama pengguna atau kata sandi salah (wrong user name or password)".into(),
        )
    };
    let internal = |e| ApiError::from_store(e, Lang::Id);
    let user = app.store.user(login).await.map_err(internal)?;
    let Some(user) = user.filter(|u| u.active) else {
        // The same work as a real check, so timing does not tell who exists.
        password::verify(password_text.to_string(), DUMMY_HASH.to_string()).await;
        return Err(wrong());
    };
    if let Some(until) = user.locked_until.filter(|t| *t > now) {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: (until - now).num_seconds(),
        });
    }
    let good = match user.password_hash.clone() {
        Some(h) => password::verify(password_text.to_string(), h).await,
        None => false,
    };
    if !good {
        app.store
            .record_failed_login(login, now)
            .await
            .map_err(internal)?;
        return Err(wrong());
    }
    app.store.record_good_login(login).await.map_err(internal)?;
    let ttl = match kind {
        SessionKind::Web => WEB_TTL,
        SessionKind::Api => API_TTL,
    };
    app.store
        .create_session(login, kind, ttl, now)
        .await
        .map_err(internal)
}

/// An argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Cj7rQn0h5ZbD0xB6Q8y1t8m4rQd8h2W3rXo0Yq3n5mA";
