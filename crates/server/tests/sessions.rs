//! Sessions and sign-in as an attacker would try them, on SQLite and
//! PostgreSQL: a new password or a deactivated account ends every session
//! and token; sessions end when idle and at their absolute lifetime; failed
//! sign-ins tell nobody which logins exist and lock out only the source
//! that failed; an API request signed by the cookie alone is refused unless
//! it comes from our own pages with the form token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Duration;
use pantau_store::accounts::auth::Lifetime;
use serde_json::{Value, json};
use support::{Running, hidden, text};

/// Whether the pages still know the cookie of `c` (else they send it to sign in).
async fn signed_in(app: &Running, c: &reqwest::Client) -> bool {
    let r = c.get(app.url("/kasus")).send().await.unwrap();
    r.status() == 200
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_or_a_deactivation_ends_every_session_and_token() {
    for app in support::apps().await {
        let db = app.name;
        let token = app.token("verifikator.18").await;
        let browser = app.sign_in("verifikator.18").await;
        assert!(signed_in(&app, &browser).await, "{db}");
        // `pantau user password` sets the hash through this call.
        let hash = pantau_server::password::hash("kata-sandi-baru-sekali".into())
            .await
            .unwrap();
        assert!(
            app.store
                .set_password("verifikator.18", &hash)
                .await
                .unwrap()
        );
        assert_eq!(app.get(&token, "/api/me").await.0, 401, "{db}: old token");
        assert!(!signed_in(&app, &browser).await, "{db}: old web session");
        // Others keep theirs.
        let other = app.token("pengelola.18").await;
        let other_browser = app.sign_in("pengelola.18").await;
        // `pantau user deactivate` / `activate`.
        assert!(app.store.set_active("pengelola.18", false).await.unwrap());
        assert_eq!(app.get(&other, "/api/me").await.0, 401, "{db}");
        assert!(!signed_in(&app, &other_browser).await, "{db}");
        let r = app
            .http
            .post(app.url("/api/tokens"))
            .json(&json!({ "login": "pengelola.18", "password": support::PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{db}: a deactivated user cannot sign in");
        assert!(app.store.set_active("pengelola.18", true).await.unwrap());
        let again = app.token("pengelola.18").await;
        assert_eq!(app.get(&again, "/api/me").await.0, 200, "{db}");
        assert!(!app.store.set_active("tidak-ada", false).await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_session_ends_when_idle_and_at_its_lifetime() {
    for db in support::db::test_databases().await {
        // Idle: 2 seconds unused ends it.
        let app = support::spawn_with(db, |a| {
            a.web_life = Lifetime {
                max: Duration::hours(12),
                idle: Some(Duration::seconds(2)),
            }
        })
        .await;
        let c = app.sign_in("verifikator.18").await;
        assert!(signed_in(&app, &c).await, "{}", app.name);
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert!(!signed_in(&app, &c).await, "{}: idle too long", app.name);
    }
    for db in support::db::test_databases().await {
        // Absolute: used all the time, it still ends after its lifetime.
        let app = support::spawn_with(db, |a| {
            a.web_life = Lifetime {
                max: Duration::seconds(3),
                idle: Some(Duration::hours(2)),
            }
        })
        .await;
        let c = app.sign_in("verifikator.18").await;
        for _ in 0..4 {
            assert!(signed_in(&app, &c).await, "{}", app.name);
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        assert!(
            !signed_in(&app, &c).await,
            "{}: past its lifetime",
            app.name
        );
    }
}

/// POSTs a wrong password for `login` from `source` (as the proxy says).
async fn try_sign_in(
    app: &Running,
    login: &str,
    password: &str,
    source: &str,
) -> (u16, Value, Option<String>) {
    let r = app
        .http
        .post(app.url("/api/tokens"))
        .header("X-Forwarded-For", source)
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_tell_nobody_who_exists_and_lock_only_their_source() {
    for db in support::db::test_databases().await {
        let app = support::spawn_with(db, |a| a.trust_forwarded_for = true).await;
        let name = app.name;
        let attacker = "203.0.113.9";
        // An existing login and an unknown one are answered alike, every time.
        let mut answers = vec![];
        for login in ["admin", "bukan-siapa-siapa"] {
            let mut seen = vec![];
            for _ in 0..pantau_store::accounts::auth::FREE_FAILURES {
                let (status, body, _) = try_sign_in(&app, login, "salah sekali", attacker).await;
                seen.push((status, body));
            }
            let (status, body, retry) = try_sign_in(&app, login, support::PASSWORD, attacker).await;
            let retry: i64 = retry.expect("Retry-After").parse().unwrap();
            assert!((50..=60).contains(&retry), "{name}: {retry}");
            seen.push((status, body));
            answers.push(seen);
        }
        assert_eq!(
            answers[0], answers[1],
            "{name}: the answers tell who exists"
        );
        assert_eq!(answers[0].last().unwrap().0, 429, "{name}");
        assert!(answers[0][..5].iter().all(|(s, _)| *s == 401), "{name}");
        // The administrator, from their own address, is not locked out.
        let (status, _, _) = try_sign_in(&app, "admin", support::PASSWORD, "198.51.100.7").await;
        assert_eq!(
            status, 201,
            "{name}: the attacker locked out the administrator"
        );
        // The sign-in page says the same for both, and nothing of the account.
        let c = support::browser();
        let mut said = vec![];
        for login in ["admin", "bukan-siapa-siapa"] {
            let (_, page) = text(&c, &app.url("/masuk")).await;
            let r = c
                .post(app.url("/masuk"))
                .header("X-Forwarded-For", attacker)
                .form(&[
                    ("login", login),
                    ("password", "salah"),
                    ("_csrf", &hidden(&page, "_csrf")),
                    ("next", ""),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 429, "{name}");
            let html = r.text().await.unwrap();
            let alert = html
                .split("class=\"alert")
                .nth(1)
                .and_then(|a| a.split("</").next())
                .unwrap_or_else(|| panic!("{name}: no message in {html}"))
                .to_string();
            for zone in ["WIB", "WITA", "WIT"] {
                assert!(!alert.contains(zone), "{name}: {alert}");
            }
            said.push(alert);
        }
        assert_eq!(said[0], said[1], "{name}");
    }
}

const ONE_UMKM: &str = "kind,region_code,name,nib,owner_nik,scale\numkm,18.71,Warung Uji CSRF,9999000000077,1871014508900001,mikro\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_request_signed_by_the_cookie_needs_the_form_token_and_our_origin() {
    for app in support::apps().await {
        let db = app.name;
        let c = app.sign_in("admin").await;
        let (_, page) = text(&c, &app.url("/impor")).await;
        let csrf = hidden(&page, "_csrf");
        let url = app.url("/api/imports/beneficiaries");
        let base = app.base.clone();
        let post = |origin: Option<&str>, site: Option<&str>, token: Option<&str>| {
            let mut r = c
                .post(&url)
                .header("Content-Type", "text/plain")
                .body(ONE_UMKM);
            if let Some(o) = origin {
                r = r.header("Origin", o);
            }
            if let Some(s) = site {
                r = r.header("Sec-Fetch-Site", s);
            }
            if let Some(t) = token {
                r = r.header("X-CSRF-Token", t);
            }
            r.send()
        };
        // What another site's page can make a browser send.
        for (origin, site, token) in [
            (Some("https://evil.example"), Some("cross-site"), None),
            (Some("https://evil.example"), None, None),
            (None, Some("cross-site"), Some(csrf.as_str())),
            (None, None, None),
            (
                Some(base.as_str()),
                Some("same-origin"),
                Some("not-the-token"),
            ),
        ] {
            let r = post(origin, site, token).await.unwrap();
            assert_eq!(r.status(), 403, "{db}: {origin:?} {site:?} {token:?}");
        }
        let (_, list) = app
            .get(
                &app.token("admin").await,
                "/api/beneficiaries?name=Warung%20Uji%20CSRF",
            )
            .await;
        assert_eq!(list["total"], 0, "{db}: nothing imported: {list}");
        // Our own page's script: same origin, with the token.
        let r = post(Some(base.as_str()), Some("same-origin"), Some(&csrf))
            .await
            .unwrap();
        let status = r.status();
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            (status.as_u16(), &report["new"]),
            (200, &json!(1)),
            "{db}: {report}"
        );
        // A bearer token needs neither.
        let token = app.token("admin").await;
        let r = app
            .http
            .post(&url)
            .bearer_auth(&token)
            .header("Origin", "https://evil.example")
            .header("Content-Type", "text/csv")
            .body(ONE_UMKM)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{db}");
    }
}
