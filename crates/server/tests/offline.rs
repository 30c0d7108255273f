//! The field officer with no signal, in a real headless Chromium: the
//! service worker keeps their visits' pages; three visits with photos are
//! saved offline into the phone's queue and survive the tab being closed
//! and another opened; when the connection returns, the signal fails in the
//! middle of the sync (a relay loses the server's answer to the first
//! visit after the server saved it), and once it holds again every visit is
//! there exactly once with its photo; one whose case moved on in the
//! meantime comes back refused with its reason, its answers kept.
//! On a phone shared by officers, kept pages and queued visits are each
//! officer's own: after a session ends nothing kept is served, and a visit
//! one officer queued is neither sent nor shown under another's sign-in, but
//! goes when its officer signs in again.
//! Offline is Chromium's own network emulation (DevTools' "Offline"),
//! through chromedriver.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Client;
use pantau_store::accounts::auth::Lifetime;
use serde_json::{Value, json};
use support::Running;
use support::browser::{QUEUE, browser, fill, offline, sign_in, until, wait_until};
use support::phone::{
    action_of, behind_relay, case_of, events, kept_visits, no_signal, officers, timeline,
};
use support::relay::Relay;

/// What the page shows of the queue: the bar's items and its text.
const BAR: &str = "const q = document.querySelector('#antrian'); \
    return q ? { items: q.querySelectorAll('.queue-items li').length, text: q.querySelector('.queue-state').textContent } : null;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_phone_keeps_pages_and_visits_to_their_own_officer() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        // Sessions of 25 seconds: time to keep the pages, and to wait out.
        let mut app = support::spawn_with(db, |a| {
            a.web_life = Lifetime {
                max: chrono::Duration::seconds(25),
                idle: Some(chrono::Duration::hours(2)),
            }
        })
        .await;
        eprintln!("{}: a session ends on a phone without signal", app.name);
        let relay = behind_relay(&mut app).await;
        nothing_kept_after_the_session(&c, &app, &relay).await;
        no_signal(&c, &relay, false).await;
    }
    for db in support::db::test_databases().await {
        let mut app = support::spawn(db).await;
        eprintln!("{}: two officers on one phone", app.name);
        let relay = behind_relay(&mut app).await;
        a_visit_waits_for_its_officer(&c, &app, &relay).await;
        no_signal(&c, &relay, false).await;
    }
    c.close().await.unwrap();
}

async fn nothing_kept_after_the_session(c: &Client, app: &Running, relay: &Relay) {
    let officer = officers(app).await.remove(0);
    sign_in(c, app, &officer).await;
    // Taken once signed in: the session began before this, so it has ended
    // 26 s after it however long the sign-in took on a loaded machine.
    let signed_in = Instant::now();
    let href = kept_visits(c, app).await.remove(0);
    // Offline while the session lasts: its kept pages open.
    no_signal(c, relay, true).await;
    c.goto(&app.url(&href)).await.unwrap();
    let mine = format!("data-user=\"{officer}\"");
    let src = c.source().await.unwrap();
    assert!(src.contains(&mine), "{}: kept page: {src}", app.name);
    // The session's 25 seconds pass with no signal: nothing kept is served.
    tokio::time::sleep(Duration::from_secs(26).saturating_sub(signed_in.elapsed())).await;
    for path in ["/kunjungan", href.as_str()] {
        c.goto(&app.url(path)).await.unwrap();
        let src = c.source().await.unwrap();
        assert!(
            !src.contains("data-user="),
            "{}: {path} after the session: {src}",
            app.name
        );
        assert!(src.contains("sesi sudah berakhir"), "{}: {src}", app.name);
    }
}

async fn a_visit_waits_for_its_officer(c: &Client, app: &Running, relay: &Relay) {
    let officers = officers(app).await;
    let (a, b) = (&officers[0], &officers[1]);
    // Timelines as the administrator reads them (A's own tokens end below).
    let token = app.token("admin").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("kunjungan.jpg");
    std::fs::write(&photo, pantau_photo::samples::camera_photo(11)).unwrap();

    // Officer A saves a visit on the phone with no signal.
    sign_in(c, app, a).await;
    let href = kept_visits(c, app).await.remove(0);
    let case = case_of(&href);
    let before = timeline(app, &token, &case).await.len();
    no_signal(c, relay, true).await;
    c.goto(&app.url(&href)).await.unwrap();
    fill(c, &action_of(&href), "Rp 1.000.000", &photo).await;
    wait_until(c, |_, src| src.contains("kunjungan disimpan di ponsel ini")).await;
    // A's session ends before the signal returns (expired, or signed out elsewhere).
    app.store.end_sessions_of(a).await.unwrap();
    no_signal(c, relay, false).await;

    // Officer B signs in on the same phone: A's visit is neither sent nor shown.
    sign_in(c, app, b).await;
    c.goto(&app.url("/kunjungan")).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let bar = c.execute(BAR, vec![]).await.unwrap();
    assert_eq!(bar["items"], 0, "{}: B sees A's visit: {bar}", app.name);
    assert!(!bar["text"].as_str().unwrap().contains("menunggu"), "{bar}");
    let queued = until(c, QUEUE, |v| v.as_array().is_some_and(|q| q.len() == 1)).await;
    assert_eq!(queued[0]["status"], "waiting", "{}: {queued}", app.name);
    assert_eq!(
        timeline(app, &token, &case).await.len(),
        before,
        "{}: sent as B",
        app.name
    );
    // Nor are A's kept pages served to B offline.
    no_signal(c, relay, true).await;
    c.goto(&app.url(&href)).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(
        !src.contains(&format!("data-user=\"{a}\"")),
        "{}: A's page for B",
        app.name
    );
    no_signal(c, relay, false).await;

    // B signs out with the button; A signs in again: the visit goes, as A.
    c.goto(&app.url("/kunjungan")).await.unwrap();
    c.execute(
        "document.querySelector(\"form[action='/keluar']\").requestSubmit();",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;
    sign_in(c, app, a).await;
    let started = Instant::now();
    while timeline(app, &token, &case).await.len() == before {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{}: A's visit was sent",
            app.name
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let visit = timeline(app, &token, &case).await.pop().unwrap();
    assert_eq!(visit["actor"], json!(a), "{}", app.name);
    until(c, QUEUE, |v| v.as_array().is_some_and(Vec::is_empty)).await;
}

/// Takes the visit action on `case` through the API as `login` (as another
/// phone of the same officer would).
async fn visit_by_api(app: &Running, login: &str, case: &str, photo: &[u8]) {
    let token = app.token(login).await;
    let (action, inputs) = support::visit_inputs(app, &token, case, photo).await;
    let body = json!({ "action": action, "inputs": inputs });
    let (status, r) = app
        .post(
            &token,
            &format!("/api/cases/{case}/transitions"),
            "other-phone",
            &body,
        )
        .await;
    assert_eq!(status, 201, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visits_saved_offline_arrive_once_and_a_refused_one_keeps_its_answers() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let mut app = support::spawn(db).await;
        eprintln!("{}: offline in the browser", app.name);
        offline_visits(&c, &mut app).await;
        offline(&c, false).await;
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.unwrap();
}

async fn offline_visits(c: &Client, app: &mut Running) {
    // The browser reaches the app through a relay that can lose answers.
    let relay = Relay::start(&app.base).await;
    app.base = relay.base.clone();
    let photo_dir = tempfile::tempdir().unwrap();
    // Camera-sized photos (about 1 MB each), one per visit: the phone sends
    // each in parts before its form.
    let photos: Vec<(PathBuf, Vec<u8>)> = (0..3)
        .map(|i| {
            let bytes = pantau_photo::samples::camera_photo(5 + i);
            assert!(bytes.len() > 512 * 1024);
            let path = photo_dir.path().join(format!("kunjungan-{i}.jpg"));
            std::fs::write(&path, &bytes).unwrap();
            (path, bytes)
        })
        .collect();

    // The officer with the most visits waiting.
    let officer = officers(app).await.remove(0);
    let token = app.token(&officer).await;

    // Online: the visits page installs the service worker and keeps the pages.
    sign_in(c, app, &officer).await;
    let hrefs = kept_visits(c, app).await;
    // One visit on each of three cases.
    let mut hrefs = hrefs;
    hrefs.dedup_by_key(|h| case_of(h));
    assert!(
        hrefs.len() >= 3,
        "{officer} has visits to make on three cases: {hrefs:?}"
    );
    let ids: Vec<String> = hrefs[..3].iter().map(|h| case_of(h)).collect();
    let [first, second, third] = [&ids[0], &ids[1], &ids[2]];
    let before = events(app, &token, &ids).await;

    // Offline: the three visits are filled on pages the phone kept, and wait.
    offline(c, true).await;
    for (h, (photo, _)) in hrefs[..3].iter().zip(&photos) {
        c.goto(&app.url(h)).await.unwrap();
        fill(c, &action_of(h), "Rp 1.000.000", photo).await;
        wait_until(c, |_, src| src.contains("kunjungan disimpan di ponsel ini")).await;
    }
    assert_eq!(
        events(app, &token, &ids).await,
        before,
        "nothing reached the server while offline"
    );
    // The tab closed and another opened, still offline: the visits wait on the phone.
    let tab = c.new_window(true).await.unwrap();
    c.close_window().await.unwrap();
    c.switch_to_window(tab.handle).await.unwrap();
    c.goto(&app.url("/kunjungan")).await.unwrap();
    let queued = until(c, QUEUE, |v| v.as_array().is_some_and(|a| a.len() == 3)).await;
    assert!(
        queued
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "waiting"),
        "{queued}"
    );
    let bar = wait_until(c, |_, src| src.contains("3 menunggu dikirim")).await;
    assert!(bar.contains("Luring"), "the page says it is offline");
    assert_eq!(
        events(app, &token, &ids).await,
        before,
        "nothing reached the server while the page was closed and opened again"
    );

    // Meanwhile the third case moves on: its visit is recorded from another phone.
    let done_before = visits_done(app).await;
    visit_by_api(app, &officer, third, &photos[2].1).await;

    // Online again, but the signal fails mid-sync: the first visit reaches
    // the server and the server saves it, and the answer never comes back.
    relay.lose_answers(Some(&format!("POST /kasus/{first}/aksi ")));
    offline(c, false).await;
    let started = Instant::now();
    while events(app, &token, &ids).await[0] == before[0] || relay.lost() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the first visit reached the server"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = until(c, QUEUE, |v| v.as_array().is_some_and(|a| a.len() == 3)).await;
    assert!(
        waiting
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["status"] == "waiting"
                && i["page"].as_str().unwrap().contains(first.as_str())),
        "without an answer the phone keeps the first visit: {waiting}"
    );
    assert_eq!(
        events(app, &token, &ids).await[1],
        before[1],
        "the rest waits"
    );

    // The signal holds again: the queue sends itself (the page opened anew,
    // as the officer would); the first visit's resend is a repeat.
    relay.lose_answers(None);
    c.goto(&app.url("/kunjungan")).await.unwrap();
    let left = until(c, QUEUE, |v| {
        v.as_array()
            .is_some_and(|a| a.iter().all(|i| i["status"] == "refused"))
    })
    .await;
    let left = left.as_array().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0]["page"].as_str().unwrap().contains(third.as_str()));
    assert!(!left[0]["reason"].as_str().unwrap().is_empty(), "{left:?}");
    let after = events(app, &token, &ids).await;
    assert_eq!(
        after,
        [before[0] + 1, before[1] + 1, before[2] + 1],
        "each visit arrived once (the third from the other phone only)"
    );
    for (case, (_, bytes)) in [first, second].into_iter().zip(&photos) {
        let visit = timeline(app, &token, case).await.pop().unwrap();
        assert_eq!(visit["actor"], json!(officer));
        assert!(
            photo_in_parts(app, &token, case, bytes).await,
            "the photo came with the visit on {case}"
        );
    }
    // The dashboard counts all three: the phone's two and the other phone's.
    assert_eq!(visits_done(app).await, done_before + 3);

    // The refused visit opens with its answers and its reason.
    let refused = wait_until(c, |_, src| src.contains("ditolak")).await;
    assert!(
        refused.contains("antrian="),
        "the refused visit links to its form"
    );
    let link = c
        .execute(
            "return document.querySelector('.queue-items li.refused a').getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    c.goto(&app.url(link.as_str().unwrap())).await.unwrap();
    let kept = until(
        c,
        r#"const done = arguments[0];
           setTimeout(() => done(Array.from(document.querySelectorAll('form [name^="f."]'))
             .filter(e => e.type !== 'file' && e.value.startsWith('Uji coba peramban')).length
             + (document.body.innerText.includes('Uji coba peramban') ? 1 : 0)), 300);"#,
        |v| v.as_i64().is_some_and(|n| n > 0),
    )
    .await;
    assert!(kept.as_i64().unwrap() > 0);
}

/// Whether `case` holds a file equal to `bytes`, stored from one upload in parts.
async fn photo_in_parts(app: &Running, token: &str, case: &str, bytes: &[u8]) -> bool {
    use pantau_store::schema::entity::upload;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (_, detail) = app.get(token, &format!("/api/cases/{case}")).await;
    for id in detail["fields"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_str)
    {
        if uuid::Uuid::parse_str(id).is_err() {
            continue;
        }
        let r = app
            .http
            .get(app.url(&format!("/api/cases/{case}/attachments/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if r.status() == 200 && r.bytes().await.unwrap().as_ref() == bytes {
            let parts = upload::Entity::find()
                .filter(upload::Column::AttachmentId.eq(id))
                .all(app.store.connection())
                .await
                .unwrap();
            assert_eq!(parts.len(), 1, "the photo was sent in parts, once");
            assert_eq!(parts[0].size as usize, bytes.len());
            return true;
        }
    }
    false
}

/// Monev visits done on the national dashboard, all programs.
async fn visits_done(app: &Running) -> i64 {
    let (_, d) = app.get(&app.token("admin").await, "/api/dashboard").await;
    d["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"]["visits_done"].as_i64().unwrap())
        .sum()
}
