//! `/metrics`: off by default; on, scraped from loopback without a proxy or
//! with the bearer token; requests, refusals and the outbox as a monitor
//! sees them: an email queued (with the oldest's age), then sent to a real
//! SMTP server on loopback; a reminder round's duration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/smtp.rs"]
mod smtp;
mod support;

use std::time::Duration;

use chrono::Utc;
use pantau_domain::Zone;
use pantau_notify::{Security, Templates, Transport};
use pantau_remind::{Rounds, Sender, SystemClock, Work};
use pantau_store::outbox::Links;
use serde_json::json;

const TOKEN: &str = "rahasia-pemantau-0123456789";

/// The value of the sample `name{labels}` (labels as rendered, in order), or 0.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(base: &str) -> String {
    let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_sees_an_email_queued_and_then_sent() {
    let Some(server) = smtp::Smtp::start() else {
        return;
    };
    let db = support::db::test_databases().await.remove(0);
    let app = support::spawn_with(db, |a| a.enable_metrics(Some(TOKEN.into())).unwrap()).await;
    let base = &app.base;

    // Off by default: another instance without it answers 404.
    let mut off = app.app.clone();
    off.metrics = None;
    let off = support::serve_app(off).await;
    let r = reqwest::get(format!("{off}/metrics")).await.unwrap();
    assert_eq!(r.status(), 404);

    // Through a proxy (X-Forwarded-For), only with the token.
    let c = reqwest::Client::new();
    let through = |token: Option<&str>| {
        let mut r = c
            .get(format!("{base}/metrics"))
            .header("x-forwarded-for", "203.0.113.9");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(through(None).await.unwrap().status(), 403);
    assert_eq!(through(Some("salah")).await.unwrap().status(), 403);
    assert_eq!(through(Some(TOKEN)).await.unwrap().status(), 200);

    // Requests by route and status; a refusal by its code.
    let before = scrape(base).await;
    let healthz = r#"pantau_http_requests_total{route="/healthz",method="GET",status="200"}"#;
    let h0 = sample(&before, healthz);
    reqwest::get(format!("{base}/healthz")).await.unwrap();
    let token = app.token("pengelola.18").await;
    let (_, list) = app
        .get(
            &token,
            "/api/cases?program=bansos-kud-2026-lampung&state=verified",
        )
        .await;
    let case = list["items"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post(
            &token,
            &format!("/api/cases/{case}/transitions"),
            "metrik-1",
            &json!({ "action": "record_monev", "inputs": {} }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let code = body["refusal"].as_str().unwrap().to_string();
    let after = scrape(base).await;
    assert_eq!(sample(&after, healthz), h0 + 1.0);
    assert!(
        after.contains(
            r#"pantau_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="#
        ),
        "{after}"
    );
    let refusals = format!(r#"pantau_refusals_total{{code="{code}"}}"#);
    assert!(sample(&after, &refusals) >= 1.0, "{after}");

    // Reminders fall due: emails queued, the oldest waiting.
    let queued_series = r#"pantau_outbox_emails{status="queued"}"#;
    let sent_series = r#"pantau_outbox_emails{status="sent"}"#;
    // The demo's own emails wait already (the bank's failed transfers told to managers).
    let before = sample(&after, queued_series) as usize;
    let links = Links {
        base_url: base.clone(),
    };
    let mut reminders = 0;
    for zone in [Zone::Wib, Zone::Wita, Zone::Wit] {
        reminders += app
            .store
            .round(&app.app.catalog, &links, zone, Utc::now(), 1000)
            .await
            .unwrap()
            .queued;
    }
    assert!(reminders > 0, "the demo's reminders fall due");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let waiting = scrape(base).await;
    // Each reminder's email, and the digest users' one email each.
    let queued = sample(&waiting, queued_series) as usize;
    assert!(queued >= reminders + before, "{waiting}");
    assert_eq!(sample(&waiting, sent_series), 0.0);
    assert!(
        sample(&waiting, "pantau_outbox_oldest_queued_seconds") >= 1.0,
        "{waiting}"
    );

    // Sent: nothing queued, every one counted sent, and it arrived.
    let sender = Sender {
        transport: Transport::Smtp {
            host: "127.0.0.1".into(),
            port: server.port,
            security: Security::None,
            credentials: None,
            timeout: Duration::from_secs(30),
        },
        from: "Pantau <pantau@dinas.example>".into(),
        links,
        templates: Templates::load(&support::catalog::repo_root().join("templates/email")).unwrap(),
    };
    let sent = sender.send(&app.store, &SystemClock).await.unwrap();
    assert_eq!(sent.sent as usize, queued, "{sent:?}");
    let done = scrape(base).await;
    assert_eq!(sample(&done, queued_series), 0.0, "{done}");
    assert_eq!(sample(&done, sent_series), queued as f64, "{done}");
    assert_eq!(sample(&done, "pantau_outbox_oldest_queued_seconds"), 0.0);
    assert_eq!(server.arrived().len(), queued);

    // A zone's round, as the schedule runs it, is timed.
    let rounds = Rounds {
        store: app.store.clone(),
        catalog: app.app.catalog.clone(),
        sender,
        clock: SystemClock,
        stopping: Default::default(),
    };
    let swept = r#"pantau_sweep_duration_seconds_count{zone="WIT",outcome="done"}"#;
    assert_eq!(sample(&done, swept), 0.0, "{done}");
    rounds.round(Zone::Wit, Utc::now()).await.unwrap();
    let timed = scrape(base).await;
    assert_eq!(sample(&timed, swept), 1.0, "{timed}");
}
