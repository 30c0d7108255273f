//! The access matrix: every endpoint, called by users of every role from
//! two provinces (Lampung 18, West Sumatra 13) and by nobody. What each
//! user should see and do is the hand-written table of `access/table.rs`;
//! nobody reads another region's data, nobody takes a transition their role
//! does not allow, and an endpoint added without a row here fails the first
//! test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "access/fixture.rs"]
mod fixture;
mod support;
#[path = "access/table.rs"]
mod table;
use fixture::*;
#[path = "access/checks.rs"]
mod checks;
use checks::*;
#[path = "access/api_walk.rs"]
mod api_walk;
#[path = "access/page_walk.rs"]
mod page_walk;
#[path = "access/pay_walk.rs"]
mod pay_walk;
#[path = "access/program_walk.rs"]
mod program_walk;
#[path = "access/proposal_walk.rs"]
mod proposal_walk;
#[path = "access/registry_walk.rs"]
mod registry_walk;
#[path = "access/users_walk.rs"]
mod users_walk;

use std::collections::BTreeSet;

use pantau_domain::{Lang, RegionCode, Role};
use serde_json::{Value, json};
use support::Running;
use table::{USERS, User};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user; what it shows is limited to their region.
    Read,
    /// A signed-in user whose role may act, on a record of their region.
    Act,
    /// A signed-in manager or administrator; rows outside their region are refused.
    Import,
    /// A verifier or administrator confirming a location a visit registered, of their region.
    Confirm,
    /// Programs, allocations and workflows: as `table::PROGRAMS` says.
    Program,
    /// The administrator, or a provincial manager for their province (`table::MANAGES`).
    Users,
    /// Any signed-in user, on their own account only.
    Own,
    /// Anyone holding a one-time link (first setup, new password).
    Link,
    /// The registry: as `registry_walk` says.
    Registry,
    /// Payments through the bank: as `pay_walk` says.
    Pay,
}

/// Every route of the API, with its rule.
const MATRIX: &[(&str, &str, Rule)] = &[
    ("POST", "/api/tokens", Rule::Public),
    ("DELETE", "/api/tokens", Rule::Read),
    ("GET", "/api/openapi.json", Rule::Public),
    ("GET", "/api/me", Rule::Read),
    ("GET", "/api/regions", Rule::Read),
    ("GET", "/api/programs", Rule::Read),
    ("GET", "/api/programs/{id}", Rule::Read),
    ("GET", "/api/decrees", Rule::Read),
    ("GET", "/api/decrees/{id}", Rule::Read),
    ("GET", "/api/decrees/{id}/scan", Rule::Read),
    ("GET", "/api/beneficiaries", Rule::Read),
    ("GET", "/api/beneficiaries/{id}", Rule::Read),
    (
        "POST",
        "/api/beneficiaries/{id}/location/confirm",
        Rule::Confirm,
    ),
    ("GET", "/api/cases", Rule::Read),
    ("POST", "/api/cases", Rule::Act),
    ("GET", "/api/cases/{id}", Rule::Read),
    ("POST", "/api/cases/{id}/transitions", Rule::Act),
    ("POST", "/api/cases/{id}/attachments", Rule::Act),
    (
        "GET",
        "/api/cases/{id}/attachments/{attachment}",
        Rule::Read,
    ),
    ("POST", "/api/cases/{id}/uploads", Rule::Act),
    ("GET", "/api/cases/{id}/uploads/{upload}", Rule::Read),
    ("PATCH", "/api/cases/{id}/uploads/{upload}", Rule::Act),
    ("GET", "/api/visits", Rule::Read),
    ("POST", "/api/sync/visits", Rule::Act),
    ("GET", "/api/dashboard", Rule::Read),
    ("POST", "/api/imports/beneficiaries", Rule::Import),
    ("GET", "/api/reports/{name}", Rule::Read),
];

/// Every page route, with its rule (pages answer like the API they use).
const PAGES: &[(&str, &str, Rule)] = &[
    ("GET", "/masuk", Rule::Public),
    ("POST", "/masuk", Rule::Public),
    ("POST", "/keluar", Rule::Read),
    ("GET", "/static/{*file}", Rule::Public),
    ("GET", "/sw.js", Rule::Public),
    ("GET", "/manifest.webmanifest", Rule::Public),
    ("GET", "/", Rule::Read),
    ("GET", "/kasus", Rule::Read),
    ("GET", "/kasus/{id}", Rule::Read),
    ("POST", "/kasus/{id}/aksi", Rule::Act),
    ("POST", "/kasus/{id}/lokasi", Rule::Confirm),
    ("GET", "/kunjungan", Rule::Read),
    ("GET", "/sk", Rule::Read),
    ("GET", "/sk/{id}", Rule::Read),
    ("GET", "/sk/{id}/pindaian", Rule::Read),
    ("GET", "/sk/baru", Rule::Act),
    ("POST", "/sk/baru", Rule::Act),
    ("GET", "/sk/usulan", Rule::Act),
    // The registry: read within the region; corrected by managers, verifiers
    // and the administrator (access/registry_walk.rs).
    ("GET", "/registri", Rule::Registry),
    ("GET", "/registri/desa", Rule::Registry),
    ("GET", "/registri/{id}", Rule::Registry),
    ("POST", "/registri/{id}", Rule::Registry),
    ("POST", "/registri/{id}/rekening", Rule::Registry),
    ("POST", "/registri/{id}/rekening/terima", Rule::Registry),
    ("GET", "/registri/ganda", Rule::Registry),
    ("POST", "/registri/ganda/beda", Rule::Registry),
    ("POST", "/registri/ganda/gabung", Rule::Registry),
    // Payments: read by all but field officers within their region; the
    // treasurer alone gathers, sends and reads back (access/pay_walk.rs).
    // Taking a line out and cancelling come last: the walk's batch is gone after.
    ("GET", "/bayar", Rule::Pay),
    ("POST", "/bayar", Rule::Pay),
    ("GET", "/bayar/jatuh-tempo", Rule::Pay),
    ("GET", "/bayar/{number}", Rule::Pay),
    ("POST", "/bayar/{number}/ekspor", Rule::Pay),
    ("POST", "/bayar/{number}/hasil", Rule::Pay),
    ("POST", "/bayar/{number}/keluarkan", Rule::Pay),
    ("POST", "/bayar/{number}/batal", Rule::Pay),
    ("GET", "/impor", Rule::Import),
    ("POST", "/impor", Rule::Import),
    ("GET", "/impor/tahunan", Rule::Import),
    ("POST", "/impor/tahunan", Rule::Import),
    ("GET", "/laporan", Rule::Read),
    ("GET", "/indikator", Rule::Read),
    ("GET", "/laporan/unduh", Rule::Read),
    ("GET", "/profil", Rule::Read),
    ("POST", "/profil", Rule::Read),
    // A proposal opened from the browser: the managers, within their region
    // (access/proposal_walk.rs).
    ("GET", "/usulan/baru", Rule::Act),
    ("POST", "/usulan/baru", Rule::Act),
    ("POST", "/usulan/penerima", Rule::Act),
    // Programs, allocations and workflows.
    ("GET", "/admin/program", Rule::Program),
    ("POST", "/admin/program", Rule::Program),
    ("GET", "/admin/program/{id}", Rule::Program),
    ("POST", "/admin/program/{id}", Rule::Program),
    ("POST", "/admin/program/{id}/alokasi", Rule::Program),
    ("GET", "/admin/alur", Rule::Program),
    ("POST", "/admin/alur", Rule::Program),
    // Accounts in the browser.
    ("GET", "/siapkan/{token}", Rule::Link),
    ("POST", "/siapkan/{token}", Rule::Link),
    ("GET", "/sandi/{token}", Rule::Link),
    ("POST", "/sandi/{token}", Rule::Link),
    ("GET", "/admin/pengguna", Rule::Users),
    ("GET", "/admin/pengguna/baru", Rule::Users),
    ("POST", "/admin/pengguna/baru", Rule::Users),
    ("GET", "/admin/pengguna/{login}", Rule::Users),
    ("POST", "/admin/pengguna/{login}", Rule::Users),
    ("POST", "/admin/pengguna/{login}/aktif", Rule::Users),
    ("POST", "/admin/pengguna/{login}/sandi", Rule::Users),
    ("POST", "/profil/sandi", Rule::Own),
    ("POST", "/profil/sesi", Rule::Own),
];

#[test]
fn every_page_is_in_the_matrix() {
    let served: BTreeSet<(String, String)> = pantau_server::pages::paths()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let listed: BTreeSet<(String, String)> = PAGES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        served, listed,
        "every page route needs a row in PAGES (say who may call it), and only those"
    );
}

#[test]
fn every_endpoint_is_in_the_matrix() {
    let doc: Value = serde_json::from_str(pantau_server::api::openapi()).unwrap();
    let mut served: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    served.insert(("GET".into(), "/api/openapi.json".into()));
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in MATRIX (say who may call them): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for endpoints that are gone: {stale:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_reads_or_acts_outside_their_region_or_role() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let catalog = support::catalog::catalog();
    let hash = pantau_server::password::hash(support::PASSWORD.into())
        .await
        .unwrap();
    for app in support::apps().await {
        let name = app.name;
        add_regency_verifier(&app, &hash).await;
        users_walk::add_targets(&app, &hash).await;
        users_walk::links(&app).await;
        let fx = fixture(&app).await;
        for u in &USERS {
            api_walk::api(&app, &fx, &catalog, u).await;
        }
        // The pages, signed in with a cookie: the same walls.
        for u in &USERS {
            page_walk::pages(&app, &fx, u).await;
        }
        // Nobody signed in: only the public routes answer.
        for &(method, template, rule) in MATRIX {
            let path = template
                .replace("{name}", "program-progress")
                .replace("{id}", &fx.cases[0].0)
                .replace("{attachment}", &fx.attachments[0])
                .replace("{upload}", &fx.uploads[0]);
            let r = app
                .http
                .request(method.parse().unwrap(), app.url(&path))
                .header("content-type", "application/json")
                .header("Idempotency-Key", "anon")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            if rule == Rule::Public {
                assert_ne!(status, 401, "{name}: {method} {path} is public");
            } else {
                assert_eq!(status, 401, "{name}: {method} {path} without signing in");
            }
        }
        assert!(app.store.verify().await.unwrap().is_ok());
    }
}
