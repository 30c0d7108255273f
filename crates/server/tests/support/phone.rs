//! A field officer's phone in the browser tests: the app behind a relay
//! that can cut the signal, the officers with visits to make, the pages the
//! service worker keeps, and what a case's timeline holds.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use fantoccini::Client;
use serde_json::Value;

use super::Running;
use super::browser::{offline, until};
use super::relay::Relay;

/// The app as the browser reaches it: through a relay that can cut the signal.
pub async fn behind_relay(app: &mut Running) -> Relay {
    let relay = Relay::start(&app.base).await;
    app.base = relay.base.clone();
    relay
}

/// No signal for the page (Chromium's emulation, `navigator.onLine`) nor
/// for its service worker (the relay), or the signal back.
pub async fn no_signal(c: &Client, relay: &Relay, none: bool) {
    offline(c, none).await;
    relay.no_signal(none);
}

/// Events of `case` as the API lists them.
pub async fn timeline(app: &Running, token: &str, case: &str) -> Vec<Value> {
    let (status, d) = app.get(token, &format!("/api/cases/{case}")).await;
    assert_eq!(status, 200, "{d}");
    d["timeline"].as_array().unwrap().clone()
}

/// The field officers with visits, the busiest first.
pub async fn officers(app: &Running) -> Vec<String> {
    let admin = app.token("admin").await;
    let (_, cases) = app.get(&admin, "/api/cases?per_page=200").await;
    let mut officers: Vec<String> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["officer"].as_str().map(str::to_string))
        .collect();
    officers.sort();
    officers.dedup();
    let mut counted = vec![];
    for o in officers {
        let (_, v) = app.get(&app.token(&o).await, "/api/visits").await;
        counted.push((v.as_array().unwrap().len(), o));
    }
    counted.sort_by(|a, b| b.cmp(a));
    counted.into_iter().map(|(_, o)| o).collect()
}

/// Opens the visits page, waits for the service worker to keep the pages of
/// the visits, and answers their links.
pub async fn kept_visits(c: &Client, app: &Running) -> Vec<String> {
    c.goto(&app.url("/kunjungan")).await.unwrap();
    until(
        c,
        "const done = arguments[0]; navigator.serviceWorker.ready.then(() => done(document.documentElement.dataset.kept || null));",
        |v| v.is_string(),
    )
    .await;
    c.execute(
        "return Array.from(document.querySelectorAll('a[data-keep]')).map(a => a.getAttribute('href')).filter(h => h.includes('aksi='));",
        vec![],
    )
    .await
    .unwrap()
    .as_array()
    .unwrap()
    .iter()
    .map(|h| h.as_str().unwrap().to_string())
    .collect()
}

pub fn case_of(href: &str) -> String {
    href.trim_start_matches("/kasus/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

pub fn action_of(href: &str) -> String {
    href.split("aksi=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_string()
}

/// How many events each case has.
pub async fn events(app: &Running, token: &str, cases: &[String]) -> Vec<usize> {
    let mut out = vec![];
    for case in cases {
        out.push(timeline(app, token, case).await.len());
    }
    out
}
