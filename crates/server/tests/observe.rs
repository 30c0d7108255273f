//! The operator's view: the request log names the route, the status, the
//! latency, the signed-in user and a request id; sign-ins and failed
//! sign-ins are logged with the login, and no password, token or cookie
//! ever reaches the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

/// Everything logged in this test process.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Log {
    type Writer = Log;
    fn make_writer(&'a self) -> Log {
        self.clone()
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_is_logged_with_its_login_and_never_its_password() {
    let log = Log::default();
    tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_writer(log.clone())
        .with_ansi(false)
        .init();
    let db = support::db::test_databases().await.remove(0);
    let app = support::spawn(db).await;

    // A failed sign-in, a good one through the page, a page signed in.
    let wrong = "bukan-sandi-yang-benar-123";
    let r = app
        .http
        .post(app.url("/api/tokens"))
        .json(&json!({ "login": "pengelola.18", "password": wrong }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let c = app.sign_in("pengelola.18").await;
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let token = app.token("pengelola.18").await;
    let (status, _) = app.get(&token, "/api/cases?state=verified").await;
    assert_eq!(status, 200);

    let text = log.text();
    let lines: Vec<&str> = text.lines().collect();
    let find = |all: &[&str]| {
        lines
            .iter()
            .find(|l| all.iter().all(|w| l.contains(w)))
            .unwrap_or_else(|| panic!("no line with {all:?} in:\n{text}"))
            .to_string()
    };
    find(&["sign-in failed", "pengelola.18", "/api/tokens"]);
    find(&["signed in", "pengelola.18", "route=/masuk"]);
    let page = find(&["answered", "route=/", "status=200", "latency_ms=", &id]);
    assert!(page.contains("user=pengelola.18"), "{page}");
    find(&[
        "answered",
        "route=/api/cases",
        "status=200",
        "user=pengelola.18",
    ]);
    find(&["answered", "route=/api/tokens", "status=401"]);
    for secret in [support::PASSWORD, wrong, token.as_str(), "pantau_sesi"] {
        assert!(!text.contains(secret), "{secret} is in the log:\n{text}");
    }
}
