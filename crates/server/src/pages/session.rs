//! `/masuk` and `/keluar`: signing in with a login and password (a session
//! cookie for the pages), and signing out.
//!
//! The sign-in form has no session yet, so its form token is a random value
//! kept in a cookie of its own (`pantau_masuk`, only sent to `/masuk`) and
//! repeated in the form: another site can set neither.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use pantau_store::accounts::auth::SessionKind;
use serde::{Deserialize, Serialize};

use super::guard;
use super::view::{Look, Viewer, cookie, query_pairs};
use crate::caller::COOKIE;
use crate::error::ApiError;
use crate::{App, Caller, signin, tls};

/// The sign-in form's own token cookie.
const FORM_COOKIE: &str = "pantau_masuk";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    login: String,
    password: String,
    next: String,
    _csrf: String,
}

#[derive(Serialize)]
struct SignInPage<'a> {
    login: &'a str,
    next: &'a str,
    csrf: &'a str,
    message: Option<String>,
    /// Plain HTTP to a host that is not loopback: the browser will not keep
    /// the `Secure` session cookie, and the page says so.
    insecure: bool,
}

/// Where to go after signing in: a path of this site, else the start page.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if ok && !next.starts_with("/masuk") && !next.starts_with("/keluar") {
        next
    } else {
        "/"
    }
}

fn form_token(headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(FORM_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

fn show(look: &Look, status: StatusCode, token: &str, page: SignInPage) -> Response {
    let mut r = look.render(status, "masuk", &look.text("masuk.judul"), None, page);
    r.headers_mut().append(
        header::SET_COOKIE,
        cookie(FORM_COOKIE, token, "/masuk", 3600, "Strict"),
    );
    r
}

/// The sign-in form (or straight on, for someone already signed in).
pub async fn form(State(app): State<App>, look: Look, headers: HeaderMap) -> Response {
    let next = query_pairs(look.here.split_once('?').map(|(_, q)| q))
        .into_iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v)
        .unwrap_or_default();
    if let Some(session) = CookieJar::from_headers(&headers).get(COOKIE)
        && Caller::from_token(&app, session.value(), SessionKind::Web)
            .await
            .is_ok()
    {
        return look.redirect(safe_next(&next));
    }
    let token = form_token(&headers).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let page = SignInPage {
        login: "",
        next: &next,
        csrf: &token,
        message: None,
        insecure: !tls::keeps_secure_cookies(&app, &headers),
    };
    show(&look, StatusCode::OK, &token, page)
}

/// Signs in: a session cookie and on to `next`; else the form again with why.
pub async fn sign_in(
    State(app): State<App>,
    look: Look,
    source: signin::Source,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    let look = look.at("/masuk".into());
    let token = form_token(&headers);
    let insecure = !tls::keeps_secure_cookies(&app, &headers);
    if let Err(e) = guard::form(&look, &headers, token.as_deref(), Some(&f._csrf)) {
        if insecure {
            // The browser dropped the form's cookie: say why, not "form token".
            tracing::warn!(
                login = f.login.trim(),
                "sign-in over plain HTTP refused: the browser keeps no Secure cookie here"
            );
            let fresh = uuid::Uuid::new_v4().simple().to_string();
            let page = SignInPage {
                login: &f.login,
                next: &f.next,
                csrf: &fresh,
                message: None,
                insecure,
            };
            return show(&look, StatusCode::FORBIDDEN, &fresh, page);
        }
        return look.fail(None, e);
    }
    let token = token.unwrap_or_default();
    let again = |status, message: String| {
        let page = SignInPage {
            login: &f.login,
            next: &f.next,
            csrf: &token,
            message: Some(message),
            insecure,
        };
        show(&look, status, &token, page)
    };
    match signin::sign_in(&app, f.login.trim(), &f.password, &source, SessionKind::Web).await {
        Ok(s) => {
            let mut r = look.redirect(safe_next(&f.next));
            let age = app.web_life.max.num_seconds();
            let h = r.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie(COOKIE, &s.token, "/", age, "Lax"),
            );
            h.append(
                header::SET_COOKIE,
                cookie(FORM_COOKIE, "", "/masuk", 0, "Strict"),
            );
            r
        }
        Err(ApiError::Unauthenticated(_)) => {
            again(StatusCode::UNAUTHORIZED, look.text("masuk.salah"))
        }
        Err(ApiError::TooManyAttempts { retry_after_secs }) => {
            // Minutes only: nothing of the account (its zone, whether it exists).
            let message = look
                .text("masuk.terkunci")
                .replace("{menit}", &((retry_after_secs + 59) / 60).to_string());
            let mut r = again(StatusCode::TOO_MANY_REQUESTS, message);
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => look.fail(None, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignOutForm {
    _csrf: String,
}

/// Signs out: the session ends and its cookie is cleared.
pub async fn sign_out(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Form(f): Form<SignOutForm>,
) -> Response {
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)) {
        return v.fail(e);
    }
    if let Some(session) = CookieJar::from_headers(&headers).get(COOKIE)
        && let Err(e) = app.store.end_session(session.value()).await
    {
        return v.fail(ApiError::from_store(e, v.caller.lang));
    }
    let mut r = v.look.redirect("/masuk");
    r.headers_mut()
        .append(header::SET_COOKIE, cookie(COOKIE, "", "/", 0, "Lax"));
    r
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn goes_on_only_within_the_site() {
        assert_eq!(safe_next("/kasus?state=approved"), "/kasus?state=approved");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/masuk",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
