//! End to end in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`): a provincial manager opens the dashboard and
//! approves a case by decree; a field officer logs a monev visit with a
//! photo from their phone-sized page; the dashboard's figures change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use pantau_domain::Rupiah;
use serde_json::{Value, json};
use support::Running;

/// Skips (or, under `PANTAU_REQUIRE_ALL=1`, fails) when a part is missing.
fn skip(reason: &str) {
    if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("required part missing (PANTAU_REQUIRE_ALL=1): {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

async fn browser(width: u32, height: u32) -> Option<(Client, Driver)> {
    for part in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(part).exists() {
            skip(&format!(
                "{part} is missing (apt-get install chromium chromium-driver)"
            ));
            return None;
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let profile = tempfile::tempdir().unwrap().keep();
    let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    }))
    .unwrap();
    let started = Instant::now();
    loop {
        // chromedriver speaks plain HTTP on loopback: no TLS needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((c, driver)),
            Err(e) if started.elapsed() > Duration::from_secs(20) => {
                panic!("chromedriver did not start: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn sign_in(c: &Client, app: &Running, login: &str) {
    c.goto(&app.url("/masuk")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(support::PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/masuk'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(c, |url, _| !url.contains("/masuk")).await;
}

/// Waits until `ready(url, page source)` holds.
async fn wait_until(c: &Client, ready: impl Fn(&str, &str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let url = c.current_url().await.unwrap().to_string();
        let source = c.source().await.unwrap();
        if ready(&url, &source) {
            return source;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "page did not get there: {url}\n{}",
            &source[..source.len().min(3000)]
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Fills every field of the form for `action` the way a user would end up
/// with it: text, choices, dates, GPS, rupiah; files through the file input.
async fn fill(c: &Client, action: &str, amount: &str, photo: &Path) {
    let script = r#"
        const [action, amount] = arguments;
        const form = document.querySelector(`form input[name=_action][value="${action}"]`).form;
        const details = form.closest('details'); if (details) details.open = true;
        for (const el of form.querySelectorAll('[name^="f."]')) {
            if (el.type === 'hidden') continue;
            if (el.type === 'radio') { if (el.value === 'ya') el.checked = true; continue; }
            if (el.tagName === 'SELECT') { el.value = el.options[1].value; continue; }
            if (el.type === 'date') { el.value = '2026-11-20'; continue; }
            if (el.type === 'number') { el.value = '25'; continue; }
            if (el.hasAttribute('data-rupiah')) { el.value = amount; continue; }
            if (el.name.includes('location') || el.name.includes('gps')) { el.value = '-5.4295,105.2610'; continue; }
            el.value = 'Uji coba peramban ' + el.name;
        }
        return Array.from(form.querySelectorAll('input[type=file]')).map(f => f.name);
    "#;
    let files = c
        .execute(script, vec![json!(action), json!(amount)])
        .await
        .unwrap();
    for name in files.as_array().unwrap() {
        let css = format!("form input[type=file][name='{}']", name.as_str().unwrap());
        c.find(Locator::Css(&css))
            .await
            .unwrap()
            .send_keys(&photo.display().to_string())
            .await
            .unwrap();
    }
    let button = c
        .execute("return arguments[0];", vec![json!(action)])
        .await
        .unwrap();
    assert_eq!(button, json!(action));
    c.execute(
        r#"const f = document.querySelector(`form input[name=_action][value="${arguments[0]}"]`).form;
           f.querySelector('button.primary').click();"#,
        vec![json!(action)],
    )
    .await
    .unwrap();
}

/// The program's totals as the API reports them to `login`.
async fn totals(app: &Running, login: &str, program: &str) -> Value {
    let token = app.token(login).await;
    let (_, d) = app.get(&token, "/api/dashboard").await;
    d["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == program)
        .unwrap()["total"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_approves_and_an_officer_logs_a_visit_in_a_real_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        eprintln!("{}: in the browser", app.name);
        approve_and_visit(&c, &app).await;
    }
    c.close().await.unwrap();
}

/// On one app: the manager approves by decree, the officer logs a visit
/// with a photo, the dashboard's figures move.
async fn approve_and_visit(c: &Client, app: &Running) {
    let program = "bansos-kud-2026-lampung";
    let photo_dir = tempfile::tempdir().unwrap();
    let photo = photo_dir.path().join("kegiatan.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0\0\x10JFIF\0 foto kegiatan usaha").unwrap();

    // The manager: dashboard, the verified cases behind a figure, one case, approval by decree.
    let before = totals(app, "pengelola.18", program).await;
    sign_in(c, app, "pengelola.18").await;
    let dashboard = c.source().await.unwrap();
    assert!(dashboard.contains("Rp "), "the dashboard shows rupiah");
    let link = c
        .execute(
            r#"const a = Array.from(document.querySelectorAll('a[href*="state=verified"]'))
                 .find(a => a.href.includes(arguments[0]));
               return a ? a.getAttribute('href') : null;"#,
            vec![json!(program)],
        )
        .await
        .unwrap();
    let link = link
        .as_str()
        .expect("a figure of verified bansos cases links to them");
    c.goto(&app.url(link)).await.unwrap();
    let first = c
        .execute(
            "const a = document.querySelector('a[href^=\"/kasus/\"]'); return a && a.getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    let case_path = first
        .as_str()
        .expect("the list links to a case")
        .to_string();
    c.goto(&app.url(&case_path)).await.unwrap();
    fill(c, "approve_by_decree", "Rp 5.000.000", &photo).await;
    let page = wait_until(c, |url, src| {
        url.ends_with(&case_path)
            && !src.contains("approve_by_decree")
            && src.contains("Rp 5.000.000")
    })
    .await;
    assert!(
        page.contains("pengelola.18"),
        "the timeline names who approved"
    );
    let after = totals(app, "pengelola.18", program).await;
    assert_eq!(
        after["approved"].as_i64().unwrap(),
        before["approved"].as_i64().unwrap() + 5_000_000,
        "the approval counts on the dashboard"
    );
    c.goto(&app.url("/")).await.unwrap();
    let shown = Rupiah::new(after["approved"].as_i64().unwrap())
        .unwrap()
        .to_string();
    wait_until(c, |_, src| src.contains(&shown)).await;
    c.goto(&app.url("/")).await.ok();
    c.execute(
        "document.querySelector('form[action=\"/keluar\"]').submit()",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;

    // The officer on a phone-sized window: their visits, one visit's checklist with a photo.
    c.set_window_size(390, 844).await.unwrap();
    let token = app.token("admin").await;
    let (_, open) = app
        .get(
            &token,
            &format!("/api/cases?program={program}&state=disbursed"),
        )
        .await;
    let officer = open["items"][0]["officer"]
        .as_str()
        .expect("a disbursed bansos case has its officer")
        .to_string();
    let region = open["items"][0]["region"].as_str().unwrap().to_string();
    let before = totals(app, "pengelola.18", program).await;
    sign_in(c, app, &officer).await;
    let visits = wait_until(c, |url, _| url.contains("/kunjungan")).await;
    assert!(
        visits.contains("/kasus/"),
        "the officer's visits link to their cases"
    );
    let case_id = open["items"][0]["id"].as_str().unwrap();
    c.goto(&app.url(&format!("/kasus/{case_id}")))
        .await
        .unwrap();
    fill(c, "record_monev", "Rp 2.000.000", &photo).await;
    wait_until(c, |_, src| {
        !src.contains("record_monev") && src.contains(&officer)
    })
    .await;
    let after = totals(app, "pengelola.18", program).await;
    assert_eq!(
        after["visits_done"].as_i64().unwrap(),
        before["visits_done"].as_i64().unwrap() + 1,
        "the visit counts on the dashboard ({region})"
    );
    let (_, case) = app.get(&token, &format!("/api/cases/{case_id}")).await;
    let photo_id = case["fields"]["photo"]
        .as_str()
        .expect("the photo is a field");
    let r = app
        .http
        .get(app.url(&format!("/api/cases/{case_id}/attachments/{photo_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        std::fs::read(&photo).unwrap()
    );
}
