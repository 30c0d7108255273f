//! A monev visit made with no signal and sent a week and a day later, in a
//! real headless Chromium on both databases: the visit is dated when it was
//! made, not when the phone found a signal, so it is on time and its photo
//! (taken at the visit) is not flagged; the timeline shows when it was made
//! and when it arrived. The server's clock is moved on eight days between.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{DateTime, TimeDelta, Utc};
use fantoccini::Client;
use serde_json::{Value, json};
use support::Running;
use support::browser::{browser, fill, sign_in, wait_until};
use support::phone::{action_of, behind_relay, case_of, kept_visits, no_signal, timeline};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_saved_offline_is_dated_when_it_was_made() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let mut app = support::spawn(db).await;
        eprintln!("{}: a week offline", app.name);
        a_week_offline(&c, &mut app).await;
    }
    c.close().await.unwrap();
}

/// An approved bansos case of Kota Bandar Lampung, disbursed 55 days ago by
/// the app's clock: its monev visit (60 days after disbursing) is due in five days.
async fn visit_due_in_five_days(app: &Running) -> (String, String) {
    let admin = app.token("admin").await;
    let (_, page) = app
        .get(
            &admin,
            "/api/cases?program=bansos-kud-2026-lampung&state=approved&per_page=200",
        )
        .await;
    let case = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["region"] == "18.71")
        .or_else(|| page["items"].as_array().unwrap().first())
        .expect("an approved bansos case")
        .clone();
    let (id, region) = (
        case["id"].as_str().unwrap().to_string(),
        case["region"].as_str().unwrap().to_string(),
    );
    let officer = format!("petugas.{}", region.replace('.', ""));
    let manager = app.token("pengelola.18").await;
    app.app.advance_clock(-TimeDelta::days(55));
    for (key, action, inputs) in [
        ("t-assign", "assign_officer", json!({ "officer": officer })),
        (
            "t-disburse",
            "disburse",
            json!({ "transfer_ref": "SP2D-0099/2026", "transfer_date": "2026-10-12" }),
        ),
    ] {
        let (status, body) = app
            .post(
                &manager,
                &format!("/api/cases/{id}/transitions"),
                key,
                &json!({ "action": action, "inputs": inputs }),
            )
            .await;
        assert!(status < 300, "{}: {action}: {status} {body}", app.name);
    }
    app.app.advance_clock(TimeDelta::days(55));
    (id, officer)
}

async fn a_week_offline(c: &Client, app: &mut Running) {
    let (case, officer) = visit_due_in_five_days(app).await;
    let relay = behind_relay(app).await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("kunjungan.jpg");
    std::fs::write(&photo, pantau_photo::samples::visit_photo(77)).unwrap();
    let admin = app.token("admin").await;
    let before = timeline(app, &admin, &case).await.len();

    sign_in(c, app, &officer).await;
    let href = kept_visits(c, app)
        .await
        .into_iter()
        .find(|h| case_of(h) == case)
        .expect("the visit is on the officer's list");
    // No signal: the visit is made and waits on the phone.
    no_signal(c, &relay, true).await;
    c.goto(&app.url(&href)).await.unwrap();
    let made = Utc::now();
    fill(c, &action_of(&href), "Rp 1.000.000", &photo).await;
    wait_until(c, |_, src| src.contains("kunjungan disimpan di ponsel ini")).await;
    // Eight days pass before the signal returns: past the visit's due date.
    app.app.advance_clock(TimeDelta::days(8));
    no_signal(c, &relay, false).await;
    let started = std::time::Instant::now();
    while timeline(app, &admin, &case).await.len() == before {
        assert!(
            started.elapsed().as_secs() < 40,
            "{}: the visit was sent",
            app.name
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }

    let (_, d) = app.get(&admin, &format!("/api/cases/{case}")).await;
    let event = d["timeline"].as_array().unwrap().last().unwrap().clone();
    let at = time(&event["at"]);
    let observed = time(&event["observed_at"]);
    assert!(
        (observed - made).num_minutes().abs() < 2,
        "{}: made at {made}, observed {observed}",
        app.name
    );
    assert!(
        at - observed > TimeDelta::days(7),
        "{}: arrived {at}",
        app.name
    );
    let visit = d["visits"].as_array().unwrap().last().unwrap();
    assert_eq!(visit["late"], false, "{}: on time: {visit}", app.name);
    assert!(time(&visit["done_at"]) <= time(&visit["due_at"]), "{visit}");
    assert_eq!(visit["evidence"], "clear", "{}: {event}", app.name);
    assert_eq!(event["evidence"], json!([]), "{}: no flag", app.name);
    // The case page says when it was made and when it arrived.
    c.goto(&app.url(&format!("/kasus/{case}"))).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(
        page.contains("(di lapangan) · diterima"),
        "{}: the timeline shows both times",
        app.name
    );
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("a time: {v}"))
        .parse()
        .unwrap()
}
