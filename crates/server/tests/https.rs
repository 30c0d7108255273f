//! HTTPS for an office: `serve` with a certificate for `pantau.test` made
//! at test time (rcgen), signed into in a real Chromium that resolves that
//! name to loopback; the same name over plain HTTP, where the browser keeps
//! no `Secure` cookie and the sign-in page says why; a trusted proxy's
//! `X-Forwarded-Proto`; HSTS; the certificate read again on SIGHUP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use pantau_server::App;
use pantau_server::tls::TlsFiles;
use support::browser::{browser_with, sign_in_at, skip, wait_until};

/// A fresh self-signed certificate for `name`, written over `dir/cert.pem`
/// and `dir/key.pem`.
fn certificate(dir: &Path, name: &str) -> TlsFiles {
    let made = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, made.cert.pem()).unwrap();
    std::fs::write(&files.key, made.signing_key.serialize_pem()).unwrap();
    files
}

/// `app` over HTTPS on a free loopback port: the port.
fn serve_tls(app: &App, files: TlsFiles) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = app.clone();
    tokio::spawn(async move {
        pantau_server::tls::serve(listener, app, files)
            .await
            .unwrap()
    });
    port
}

const NOT_SECURE_ID: &str = "Sambungan ini tidak aman";
const CSRF_ID: &str = "token formulir tidak cocok";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_over_https_under_a_name_and_says_why_not_over_plain_http() {
    let Some((c, _driver)) = browser_with(
        1280,
        900,
        &[
            "--host-resolver-rules=MAP pantau.test 127.0.0.1",
            "--ignore-certificate-errors",
        ],
    )
    .await
    else {
        return;
    };
    let db = support::db::test_databases().await.remove(0);
    let app = support::spawn(db).await;
    let plain_port = app.base.rsplit(':').next().unwrap().to_string();

    // Plain HTTP under a name: the page says the connection is not secure,
    // and signing in shows that again rather than a form-token error.
    let plain = format!("http://pantau.test:{plain_port}");
    c.goto(&format!("{plain}/masuk")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains(NOT_SECURE_ID), "{page}");
    assert!(page.contains("--tls-cert"), "the page says what to do");
    c.goto(&format!("{plain}/masuk?lang=en")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("This connection is not secure"), "{page}");
    c.goto(&format!("{plain}/masuk?lang=id")).await.unwrap();
    for (field, value) in [("login", "pengelola.18"), ("password", support::PASSWORD)] {
        c.find(fantoccini::Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(fantoccini::Locator::Css("form[action='/masuk'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = wait_until(&c, |_, src| {
        src.contains(NOT_SECURE_ID) && src.contains("pengelola.18")
    })
    .await;
    assert!(!page.contains(CSRF_ID), "no misleading form-token error");
    assert!(c.current_url().await.unwrap().as_str().contains("/masuk"));

    // Plain HTTP to loopback: browsers keep Secure cookies there; no warning.
    c.goto(&format!("{}/masuk", app.base)).await.unwrap();
    assert!(!c.source().await.unwrap().contains(NOT_SECURE_ID));

    // HTTPS under the same name: signed in, on the dashboard, with HSTS.
    let dir = tempfile::tempdir().unwrap();
    let port = serve_tls(&app.app, certificate(dir.path(), "pantau.test"));
    let secure = format!("https://pantau.test:{port}");
    sign_in_at(&c, &secure, "pengelola.18").await;
    let dashboard = wait_until(&c, |url, src| {
        url == format!("{secure}/") && src.contains("Rp ")
    })
    .await;
    assert!(!dashboard.contains(NOT_SECURE_ID));
    let hsts = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/').then(r => done(r.headers.get('strict-transport-security')));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hsts, serde_json::json!("max-age=31536000"));
    c.close().await.unwrap();
}

/// `GET /masuk` sent to `host` with an `X-Forwarded-Proto` if any:
/// whether the page warns, and the HSTS header.
async fn masuk(base: &str, host: &str, proto: Option<&str>) -> (bool, Option<String>) {
    let mut req = reqwest::Client::new()
        .get(format!("{base}/masuk"))
        .header("host", host);
    if let Some(p) = proto {
        req = req.header("x-forwarded-proto", p);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hsts = r
        .headers()
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_string());
    (r.text().await.unwrap().contains(NOT_SECURE_ID), hsts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_saying_https_counts_as_secure() {
    let db = support::db::test_databases().await.remove(0);
    let app = support::spawn_with(db, |a| a.trust_forwarded_for = true).await;
    let base = &app.base;
    let hsts = Some("max-age=31536000".to_string());
    assert_eq!(masuk(base, "pantau.test", None).await, (true, None));
    assert_eq!(masuk(base, "pantau.test", Some("http")).await, (true, None));
    assert_eq!(
        masuk(base, "pantau.test", Some("https")).await,
        (false, hsts.clone())
    );
    assert_eq!(
        masuk(base, "kantor.example:443", Some("http, https")).await,
        (false, hsts),
        "the last value is the one the trusted proxy added"
    );
    assert_eq!(masuk(base, "localhost:8080", None).await, (false, None));
    assert_eq!(masuk(base, "127.0.0.1:8080", None).await, (false, None));

    // A proxy not trusted: its header counts for nothing.
    let mut untrusted = app.app.clone();
    untrusted.trust_forwarded_for = false;
    let other = support::serve_app(untrusted).await;
    assert_eq!(
        masuk(&other, "pantau.test", Some("https")).await,
        (true, None)
    );

    // A sign-in posted over plain HTTP without the form's cookie (dropped by
    // the browser): the page says why, not "form token".
    let r = reqwest::Client::new()
        .post(format!("{base}/masuk"))
        .header("host", "pantau.test")
        .form(&[
            ("login", "pengelola.18"),
            ("password", support::PASSWORD),
            ("_csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(page.contains(NOT_SECURE_ID) && !page.contains(CSRF_ID));
}

/// The SHA-256 fingerprint of the certificate served on `port` (openssl).
fn served_fingerprint(port: u16) -> String {
    let script = format!(
        "openssl s_client -connect 127.0.0.1:{port} -servername pantau.test </dev/null 2>/dev/null \
         | openssl x509 -noout -fingerprint -sha256"
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn file_fingerprint(cert: &Path) -> String {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(cert)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_is_read_again_on_sighup() {
    if !Path::new("/usr/bin/openssl").exists() {
        skip("/usr/bin/openssl is missing (apt-get install openssl)");
        return;
    }
    let db = support::db::test_databases().await.remove(0);
    let app = support::spawn(db).await;
    let dir = tempfile::tempdir().unwrap();
    let files = certificate(dir.path(), "pantau.test");
    let first = file_fingerprint(&files.cert);
    let port = serve_tls(&app.app, files.clone());
    let started = std::time::Instant::now();
    while served_fingerprint(port) != first {
        assert!(
            started.elapsed().as_secs() < 20,
            "the server never answered TLS"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A renewed certificate: nothing changes until SIGHUP.
    certificate(dir.path(), "pantau.test");
    let second = file_fingerprint(&files.cert);
    assert_ne!(first, second);
    assert_eq!(served_fingerprint(port), first);
    std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    while served_fingerprint(port) != second {
        assert!(started.elapsed().as_secs() < 20, "SIGHUP did not reload");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A broken file on the next SIGHUP: the certificate in use stays.
    std::fs::write(&files.cert, "not a certificate").unwrap();
    std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(served_fingerprint(port), second);
}
