//! End to end in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`): a provincial manager opens the dashboard and
//! approves a case by decree; a field officer logs a monev visit with a
//! photo from their phone-sized page; the dashboard's figures change.
//! Also: proposals, registration, the Ministry's provinces and region
//! selects, and the pages at a phone's 390 px (the modules below).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "browser/ministry.rs"]
mod ministry;
#[path = "browser/phone_width.rs"]
mod phone_width;
#[path = "browser/proposal.rs"]
mod proposal;
#[path = "browser/registration.rs"]
mod registration;
mod support;

use fantoccini::Client;
use pantau_domain::Rupiah;
use serde_json::json;
use support::Running;
use support::browser::{browser, fill, resize, sign_in, totals, wait_until};

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
    std::fs::write(&photo, pantau_photo::samples::visit_photo(41)).unwrap();

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
        url.split('?')
            .next()
            .is_some_and(|u| u.ends_with(&case_path))
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
    resize(c, 390, 844).await;
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
