//! The access matrix: every endpoint, called by users of every role from
//! two provinces (Lampung 18, West Sumatra 13) and by nobody. Nobody reads
//! another region's data, nobody takes a transition their role does not
//! allow, and an endpoint added without a row here fails the first test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Role};
use serde_json::{Value, json};
use support::Running;

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
    ("GET", "/kunjungan", Rule::Read),
    ("GET", "/sk", Rule::Read),
    ("GET", "/sk/{id}", Rule::Read),
    ("GET", "/sk/{id}/pindaian", Rule::Read),
    ("GET", "/sk/baru", Rule::Act),
    ("POST", "/sk/baru", Rule::Act),
    ("GET", "/sk/usulan", Rule::Act),
    ("GET", "/impor", Rule::Import),
    ("POST", "/impor", Rule::Import),
    ("GET", "/laporan", Rule::Read),
    ("GET", "/laporan/unduh", Rule::Read),
    ("GET", "/profil", Rule::Read),
    ("POST", "/profil", Rule::Read),
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

/// The records the walk uses, one set per province.
struct Fixture {
    /// (case id, region, workflow, state, beneficiary id)
    cases: Vec<(String, String, String, String, Option<String>)>,
    attachments: Vec<String>,
    /// An upload in parts, started on each case by its region's manager.
    uploads: Vec<String>,
    /// The demo's SK of Lampung's bansos program (with a scan): seen in Lampung and nationally.
    decree: String,
}

/// Whether a reader of `scope` sees the Lampung decree: its program has an
/// allocation in every kabupaten/kota of Lampung.
fn sees_lampung(scope: &Scope) -> bool {
    scope.region().is_none_or(|r| r.as_str().starts_with("18"))
}

async fn fixture(app: &Running) -> Fixture {
    let admin = app.token("admin").await;
    let mut cases = vec![];
    let mut attachments = vec![];
    let mut uploads = vec![];
    for region in ["18.71", "13.03"] {
        let (_, list) = app
            .get(&admin, &format!("/api/cases?region={region}&per_page=200"))
            .await;
        let c = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["beneficiary_id"].is_string())
            .or_else(|| list["items"].as_array().unwrap().first())
            .unwrap_or_else(|| panic!("a case in {region}"))
            .clone();
        let id = c["id"].as_str().unwrap().to_string();
        // The region's manager uploads a file to it.
        let digits = region.replace('.', "");
        let manager = app.token(&format!("pengelola.{digits}")).await;
        let r = app
            .http
            .post(app.url(&format!("/api/cases/{id}/attachments")))
            .bearer_auth(&manager)
            .header("content-type", "application/pdf")
            .body(pantau_demo::pdf(&["surat keputusan".into()]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        attachments.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        let (status, up) = app
            .post(
                &manager,
                &format!("/api/cases/{id}/uploads"),
                "unused",
                &json!({ "key": format!("fixture-{id}"), "content_type": "image/png", "size": 100 }),
            )
            .await;
        assert_eq!(status, 201, "{up}");
        uploads.push(up["id"].as_str().unwrap().to_string());
        cases.push((
            id,
            region.to_string(),
            c["workflow"].as_str().unwrap().to_string(),
            c["state"].as_str().unwrap().to_string(),
            c["beneficiary_id"].as_str().map(str::to_string),
        ));
    }
    let (_, decrees) = app
        .get(&admin, "/api/decrees?program=bansos-kud-2026-lampung")
        .await;
    let decree = decrees
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["amends"].is_null() && d["scan"] == true)
        .expect("the demo's bansos SK")["id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        cases,
        attachments,
        uploads,
        decree,
    }
}

/// A CSV of two street vendors, one in Kota Bandar Lampung, one in Kab. Sijunjung.
fn two_vendors(tag: &str) -> String {
    use pantau_registry::beneficiary::COLUMNS;
    let row = |region: &str, nik: &str, market: &str| {
        COLUMNS
            .iter()
            .map(|c| match *c {
                "kind" => "pkl".to_string(),
                "region_code" => region.to_string(),
                "name" => format!("Pedagang {tag} {region}"),
                "nik" => nik.to_string(),
                "market_location" => market.to_string(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let serial = tag.bytes().map(u32::from).sum::<u32>() % 9000 + 1000;
    format!(
        "{}\n{}\n{}\n",
        COLUMNS.join(","),
        row(
            "18.71",
            &format!("1871010101900{}", serial % 1000 + 100),
            "Pasar Bambu Kuning"
        ),
        row(
            "13.03",
            &format!("1303010101900{}", serial % 1000 + 100),
            "Pasar Muaro Sijunjung"
        ),
    )
}

/// Whether `role` may import, and how many of [`two_vendors`] `scope` refuses.
fn import_expectation(role: Role, scope: &Scope) -> (bool, u64) {
    let may = pantau_domain::access::allows(role, pantau_domain::access::Permission::Import);
    let refused = ["18.71", "13.03"]
        .iter()
        .filter(|r| !scope.covers(Some(r)))
        .count() as u64;
    (may, refused)
}

const USERS: [&str; 10] = [
    "admin",
    "kementerian",
    "pengelola.18",
    "verifikator.18",
    "pengelola.1871",
    "petugas.1871",
    "pengelola.13",
    "verifikator.13",
    "pengelola.1303",
    "petugas.1303",
];

fn scope_of(me: &Value) -> Scope {
    let role: Role = me["role"].as_str().unwrap().parse().unwrap();
    let region = me["region"].as_str().map(|r| RegionCode::parse(r).unwrap());
    Scope::of(role, region.as_ref()).unwrap()
}

/// Every region a list answer mentions.
fn regions_in(path: &str, body: &Value) -> Vec<String> {
    let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let field = |v: &Value, f: &str| v[f].as_str().map(str::to_string);
    match path {
        "/api/cases" => items(&body["items"])
            .iter()
            .filter_map(|c| field(c, "region"))
            .collect(),
        "/api/beneficiaries" => items(&body["items"])
            .iter()
            .filter_map(|c| field(c, "region_code"))
            .collect(),
        "/api/regions" => items(body)
            .iter()
            .filter_map(|r| field(r, "code"))
            .collect(),
        "/api/visits" => items(body)
            .iter()
            .filter_map(|v| field(v, "region"))
            .collect(),
        "/api/dashboard" => items(&body["programs"])
            .iter()
            .flat_map(|p| items(&p["regions"]))
            .filter_map(|r| field(&r, "code"))
            .collect(),
        _ => vec![],
    }
}

/// Region codes written as `(18.71)` or `(18)` in a report.
fn region_codes(text: &str) -> BTreeSet<String> {
    text.split('(')
        .skip(1)
        .filter_map(|t| t.split_once(')'))
        .map(|(code, _)| code)
        .filter(|code| RegionCode::parse(code).is_ok())
        .map(str::to_string)
        .collect()
}

/// Every report as CSV, sent by `send` (bearer token or cookie) for a path
/// of the API: only the caller's regions show, the Ministry's and the
/// administrator's show both provinces; a region or a case outside the
/// caller's answers 404.
async fn walk_reports(
    ctx: &str,
    scope: &Scope,
    fx: &Fixture,
    send: impl Fn(String) -> reqwest::RequestBuilder,
) {
    let mut seen = BTreeSet::new();
    for (report, query) in [
        ("program-progress", "year=2026"),
        ("program-progress", "year=2019"),
        ("program-progress", "year=2014"),
        ("accountability", "year=2026"),
        ("accountability", "year=2014"),
        ("indicators", "year=2026"),
        ("monev", "year=2026"),
    ] {
        let path = format!("/api/reports/{report}?{query}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        assert_eq!(r.status(), 200, "{ctx} {path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{ctx} {path}"
        );
        let text = r.text().await.unwrap();
        for code in region_codes(&text) {
            assert!(
                scope.covers(Some(&code)),
                "{ctx}: {path} shows region {code}"
            );
            seen.insert(code);
        }
    }
    if *scope == Scope::National {
        assert!(
            seen.iter().any(|c| c.starts_with("18.")) && seen.iter().any(|c| c.starts_with("13.")),
            "{ctx}: the national reports show both provinces: {seen:?}"
        );
    }
    // Narrowed to a kabupaten/kota: only there, and only within the caller's.
    for (region, year) in [("18.71", 2026), ("13.03", 2014)] {
        let path = format!("/api/reports/program-progress?year={year}&region={region}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        if scope.covers(Some(region)) {
            assert_eq!(r.status(), 200, "{ctx} {path}");
            let text = r.text().await.unwrap();
            for code in region_codes(&text) {
                assert_eq!(code, region, "{ctx}: {path} shows {code}");
            }
        } else {
            assert_eq!(r.status(), 404, "{ctx} {path}");
        }
    }
    // A case's monev report: only a case the caller sees.
    for (case, region, ..) in &fx.cases {
        let path = format!("/api/reports/monev?case={case}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        let want = if scope.covers(Some(region)) { 200 } else { 404 };
        assert_eq!(r.status().as_u16(), want, "{ctx} {path} [{region}]");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_reads_or_acts_outside_their_region_or_role() {
    let catalog = support::catalog::catalog();
    for app in support::apps().await {
        let name = app.name;
        let fx = fixture(&app).await;
        for user in USERS {
            let token = app.token(user).await;
            let (_, me) = app.get(&token, "/api/me").await;
            let scope = scope_of(&me);
            let role: Role = me["role"].as_str().unwrap().parse().unwrap();
            for &(method, template, rule) in MATRIX {
                if rule == Rule::Public || template == "/api/tokens" {
                    continue;
                }
                if rule == Rule::Import {
                    let r = app
                        .http
                        .post(app.url(template))
                        .bearer_auth(&token)
                        .header("content-type", "text/csv")
                        .body(two_vendors(user))
                        .send()
                        .await
                        .unwrap();
                    let status = r.status().as_u16();
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    let ctx = format!("{name}: {user} ({role}) imports");
                    match import_expectation(role, &scope) {
                        (false, _) => assert_eq!(status, 403, "{ctx}: {body}"),
                        (true, refused) => {
                            assert_eq!(status, 200, "{ctx}: {body}");
                            assert_eq!(
                                body["refused"], refused,
                                "{ctx}: rows outside the region: {body}"
                            );
                            assert_eq!(
                                body["new"].as_u64().unwrap() + body["already"].as_u64().unwrap(),
                                2 - refused,
                                "{ctx}: {body}"
                            );
                        }
                    }
                    continue;
                }
                if (method, template) == ("POST", "/api/cases") {
                    for (program, region) in [
                        ("bansos-kud-2026-lampung", "18.71"),
                        ("pkl-2014-sumbar", "13.03"),
                    ] {
                        let (status, body) = app
                            .post(
                                &token,
                                template,
                                &format!("open-{user}-{region}"),
                                &json!({ "program_id": program, "region": region }),
                            )
                            .await;
                        let def = catalog
                            .latest(if program.starts_with("pkl") {
                                "pkl"
                            } else {
                                "bansos"
                            })
                            .unwrap();
                        let ctx = format!("{name}: {user} ({role}) opens a case in {region}");
                        match (scope.covers(Some(region)), role) {
                            (_, Role::Ministry) => assert_eq!(status, 403, "{ctx}: {body}"),
                            (false, _) => {
                                assert_eq!(status, 400, "{ctx}: {body}");
                                assert!(
                                    body["fields"][0]["field"] == "program_id"
                                        || body["fields"][0]["field"] == "region",
                                    "{ctx}: {body}"
                                );
                            }
                            (true, r) if def.opened_by.contains(&r) => {
                                assert_eq!(status, 201, "{ctx}: {body}");
                                assert_eq!(body["case"]["region"], region, "{ctx}");
                            }
                            (true, _) => {
                                assert_eq!(status, 422, "{ctx}: {body}");
                                assert_eq!(body["refusal"], "role_not_allowed", "{ctx}");
                            }
                        }
                    }
                    continue;
                }
                if template == "/api/sync/visits" {
                    // One visit on every case of both regions, every answer missing:
                    // another region's case is not found, and nothing is stored.
                    let visits: Vec<Value> = fx
                        .cases
                        .iter()
                        .map(|(case, _, workflow, state, _)| {
                            let def = catalog.latest(workflow).unwrap();
                            let action = def
                                .actions_from(state)
                                .find(|a| a.completes_visit)
                                .map_or("record_monev".to_string(), |a| a.id.clone());
                            json!({ "key": format!("sync-{user}-{case}"), "case_id": case, "action": action })
                        })
                        .collect();
                    let (status, body) = app
                        .post(&token, template, "unused", &json!({ "visits": visits }))
                        .await;
                    let ctx = format!("{name}: {user} ({role}) syncs visits");
                    if role == Role::Ministry {
                        assert_eq!(status, 403, "{ctx}: {body}");
                        continue;
                    }
                    assert_eq!(status, 200, "{ctx}: {body}");
                    let results = body["results"].as_array().unwrap();
                    assert_eq!(results.len(), fx.cases.len(), "{ctx}");
                    for (r, (case, region, ..)) in results.iter().zip(&fx.cases) {
                        assert_eq!(r["status"], "refused", "{ctx} {case}: {r}");
                        if !scope.covers(Some(region)) {
                            assert_eq!(r["error"]["error"], "not_found", "{ctx} {case}: {r}");
                        }
                    }
                    continue;
                }
                if template.starts_with("/api/cases/{id}/uploads") {
                    for ((case, region, ..), upload) in fx.cases.iter().zip(&fx.uploads) {
                        let visible = scope.covers(Some(region));
                        let path = template.replace("{id}", case).replace("{upload}", upload);
                        let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
                        let status = match method {
                            "POST" => {
                                let body = json!({ "key": format!("matrix-{user}-{case}"), "content_type": "image/png", "size": 10 });
                                app.post(&token, &path, "unused", &body).await.0
                            }
                            "GET" => app.get(&token, &path).await.0,
                            // A part at the wrong offset: refused, nothing stored.
                            _ => app
                                .http
                                .patch(app.url(&path))
                                .bearer_auth(&token)
                                .header("Upload-Offset", "99")
                                .body(vec![1u8])
                                .send()
                                .await
                                .unwrap()
                                .status()
                                .as_u16(),
                        };
                        let want = match (method, visible, role) {
                            ("GET", true, _) => 200,
                            ("GET", false, _) => 404,
                            (_, _, Role::Ministry) => 403,
                            (_, false, _) => 404,
                            ("POST", true, _) => 201,
                            (_, true, _) => 409,
                        };
                        assert_eq!(status, want, "{ctx}");
                    }
                    continue;
                }
                if template == "/api/reports/{name}" {
                    let ctx = format!("{name}: {user} ({role})");
                    walk_reports(&ctx, &scope, &fx, |path| {
                        app.http.get(app.url(&path)).bearer_auth(&token)
                    })
                    .await;
                    continue;
                }
                if template.starts_with("/api/decrees") {
                    let path = template.replace("{id}", &fx.decree);
                    let ctx = format!("{name}: {user} ({role}) GET {path}");
                    let r = app
                        .http
                        .get(app.url(&path))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    let status = r.status().as_u16();
                    let bytes = r.bytes().await.unwrap();
                    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    match template {
                        "/api/decrees" => {
                            assert_eq!(status, 200, "{ctx}: {body}");
                            let listed = body
                                .as_array()
                                .unwrap()
                                .iter()
                                .any(|d| d["id"] == fx.decree.as_str());
                            assert_eq!(listed, sees_lampung(&scope), "{ctx}: {body}");
                        }
                        _ if !sees_lampung(&scope) => assert_eq!(status, 404, "{ctx}: {body}"),
                        "/api/decrees/{id}" => {
                            assert_eq!(status, 200, "{ctx}: {body}");
                            let cases = body["cases"].as_array().unwrap();
                            assert!(
                                scope.region().is_some() || !cases.is_empty(),
                                "{ctx}: {body}"
                            );
                            for c in cases {
                                let r = c["region"].as_str();
                                assert!(scope.covers(r), "{ctx}: a case of {r:?}");
                            }
                        }
                        _ => {
                            assert_eq!(status, 200, "{ctx}");
                            assert!(bytes.starts_with(b"%PDF-"), "{ctx}: the scan");
                        }
                    }
                    continue;
                }
                if !template.contains('{') {
                    let (status, body) = app.get(&token, template).await;
                    assert_eq!(status, 200, "{name} {user} {template}: {body}");
                    for r in regions_in(template, &body) {
                        assert!(
                            scope.covers(Some(&r)),
                            "{name}: {user} sees region {r} through {template}"
                        );
                    }
                    continue;
                }
                for ((case, region, workflow, state, beneficiary), attachment) in
                    fx.cases.iter().zip(&fx.attachments)
                {
                    let visible = scope.covers(Some(region));
                    let path = template.replace("{attachment}", attachment).replace(
                        "{id}",
                        match template {
                            t if t.starts_with("/api/programs") => {
                                if region.starts_with("18") {
                                    "bansos-kud-2026-lampung"
                                } else {
                                    "pkl-2014-sumbar"
                                }
                            }
                            t if t.starts_with("/api/beneficiaries") => {
                                beneficiary.as_deref().unwrap_or("none")
                            }
                            _ => case,
                        },
                    );
                    let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
                    match (method, rule) {
                        ("GET", _) => {
                            if template.starts_with("/api/beneficiaries") && beneficiary.is_none() {
                                continue;
                            }
                            let (status, body) = app.get(&token, &path).await;
                            let want = if visible { 200 } else { 404 };
                            assert_eq!(status, want, "{ctx}: {body}");
                            if visible && template == "/api/programs/{id}" {
                                for a in body["allocations"].as_array().unwrap() {
                                    let r = a["region_code"].as_str().unwrap();
                                    assert!(scope.covers(Some(r)), "{ctx}: allocation of {r}");
                                }
                            }
                        }
                        ("POST", Rule::Act) if path.ends_with("/attachments") => {
                            let r = app
                                .http
                                .post(app.url(&path))
                                .bearer_auth(&token)
                                .header("content-type", "application/pdf")
                                .body(pantau_demo::pdf(&[user.to_string()]))
                                .send()
                                .await
                                .unwrap();
                            let want = match (visible, role) {
                                (_, Role::Ministry) => 403,
                                (false, _) => 404,
                                (true, _) => 201,
                            };
                            assert_eq!(r.status().as_u16(), want, "{ctx}");
                        }
                        ("POST", Rule::Act) => {
                            let def = catalog.latest(workflow).unwrap();
                            for action in def.actions_from(state) {
                                let allowed = action.roles.contains(&role);
                                let (status, body) = app
                                    .post(
                                        &token,
                                        &path,
                                        &format!("matrix-{user}-{}", action.id),
                                        &json!({ "action": action.id, "inputs": {} }),
                                    )
                                    .await;
                                let ctx = format!("{ctx} {}", action.id);
                                assert!(
                                    status >= 400,
                                    "{ctx}: the matrix walk changes nothing: {body}"
                                );
                                match (visible, role, allowed) {
                                    (_, Role::Ministry, _) => {
                                        assert_eq!(status, 403, "{ctx}: {body}")
                                    }
                                    (false, _, _) => assert_eq!(status, 404, "{ctx}: {body}"),
                                    (true, _, false) => {
                                        assert_eq!(status, 422, "{ctx}: {body}");
                                        assert_eq!(body["refusal"], "role_not_allowed", "{ctx}");
                                    }
                                    (true, _, true) => assert_ne!(
                                        body["refusal"], "role_not_allowed",
                                        "{ctx}: the definition allows {role}"
                                    ),
                                }
                            }
                        }
                        other => panic!("no walk for {other:?} {template}"),
                    }
                }
            }
        }
        // The pages, signed in with a cookie: the same walls.
        for user in USERS {
            let token = app.token(user).await;
            let (_, me) = app.get(&token, "/api/me").await;
            let scope = scope_of(&me);
            let role: Role = me["role"].as_str().unwrap().parse().unwrap();
            let c = app.sign_in(user).await;
            for &(method, template, rule) in PAGES {
                if rule == Rule::Public || template == "/keluar" {
                    continue;
                }
                if rule == Rule::Import {
                    let (may, _) = import_expectation(role, &scope);
                    let status = if method == "GET" {
                        support::text(&c, &app.url(template)).await.0
                    } else {
                        let (_, page) = support::text(&c, &app.url("/kasus")).await;
                        let csrf = support::hidden(&page, "_csrf");
                        c.post(app.url(template))
                            .multipart(
                                reqwest::multipart::Form::new().text("_csrf", csrf).part(
                                    "file",
                                    reqwest::multipart::Part::text(two_vendors(user))
                                        .file_name("pkl.csv"),
                                ),
                            )
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    };
                    let want = if may { 200 } else { 403 };
                    assert_eq!(status, want, "{name}: {user} ({role}) {method} {template}");
                    continue;
                }
                if (method, template) == ("POST", "/profil") {
                    // Everyone may set their own choices, and only their own.
                    let (_, page) = support::text(&c, &app.url("/profil")).await;
                    let csrf = support::hidden(&page, "_csrf");
                    let r = c
                        .post(app.url(template))
                        .form(&[("_csrf", csrf.as_str()), ("lang", "id")])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 303, "{name}: {user} POST /profil");
                    continue;
                }
                if template.starts_with("/sk/baru") || template == "/sk/usulan" {
                    // Only a role that approves by decree, for a program of its region.
                    let may = matches!(role, Role::Verifier | Role::ManagerProvince)
                        && sees_lampung(&scope);
                    let ctx = format!("{name}: {user} ({role}) {method} {template}");
                    if template == "/sk/usulan" {
                        let url = app.url("/sk/usulan?program=bansos-kud-2026-lampung");
                        let (status, csv) = support::text(&c, &url).await;
                        let want = match (may, role) {
                            (true, _) => 200,
                            (false, Role::Ministry) => 403,
                            (false, _) => 404,
                        };
                        assert_eq!(status, want, "{ctx}");
                        for (case, region, ..) in &fx.cases {
                            if !scope.covers(Some(region)) {
                                assert!(!csv.contains(case.as_str()), "{ctx}: lists {case}");
                            }
                        }
                        continue;
                    }
                    if method == "GET" {
                        let (status, _) = support::text(&c, &app.url(template)).await;
                        assert_eq!(status, if may { 200 } else { 403 }, "{ctx}");
                        continue;
                    }
                    // A decree naming a case of each province: the other province's is unknown.
                    let (_, page) = support::text(&c, &app.url("/kasus")).await;
                    let csrf = support::hidden(&page, "_csrf");
                    let list: String = fx
                        .cases
                        .iter()
                        .map(|(case, ..)| format!("{case},approve,Rp 1.000.000,\n"))
                        .collect();
                    let number = format!("MATRIX/{user}/2026");
                    let r = c
                        .post(app.url(template))
                        .multipart(
                            reqwest::multipart::Form::new()
                                .text("_csrf", csrf)
                                .text("confirm", "1")
                                .text("number", number.clone())
                                .text("date", "2026-11-20")
                                .text("program", "bansos-kud-2026-lampung")
                                .text("signer", "Ir. Matriks")
                                .text("position", "Kepala Dinas")
                                .part(
                                    "list",
                                    reqwest::multipart::Part::text(format!(
                                        "case_id,change,amount,tranches\n{list}"
                                    ))
                                    .file_name("sk.csv"),
                                ),
                        )
                        .send()
                        .await
                        .unwrap();
                    let status = r.status().as_u16();
                    if !may {
                        assert!(status == 403 || status == 400, "{ctx}: {status}");
                        continue;
                    }
                    assert_eq!(status, 303, "{ctx}");
                    let id = pantau_store::decree::id_of(&number);
                    let admin = app.token("admin").await;
                    let (_, d) = app.get(&admin, &format!("/api/decrees/{id}")).await;
                    for case in d["cases"].as_array().unwrap() {
                        let r = case["region"].as_str();
                        assert!(scope.covers(r), "{ctx}: recorded a case of {r:?}");
                    }
                    continue;
                }
                if !template.contains('{') {
                    let (status, html) = support::text(&c, &app.url(template)).await;
                    assert!(
                        status == 200 || (status == 303 && role == Role::FieldOfficer),
                        "{name}: {user} GET {template}: {status}"
                    );
                    for (case, region, ..) in &fx.cases {
                        if !scope.covers(Some(region)) {
                            assert!(
                                !html.contains(case.as_str()),
                                "{name}: {user} sees case {case} of {region} on {template}"
                            );
                        }
                    }
                    if template == "/laporan/unduh" {
                        // The page's downloads: the same walls as the API's.
                        let ctx = format!("{name}: {user} ({role}) pages");
                        walk_reports(&ctx, &scope, &fx, |path| {
                            let (report, query) = path
                                .trim_start_matches("/api/reports/")
                                .split_once('?')
                                .unwrap();
                            c.get(app.url(&format!("/laporan/unduh?report={report}&{query}")))
                        })
                        .await;
                    }
                    continue;
                }
                if template.starts_with("/sk/") {
                    let path = template.replace("{id}", &fx.decree);
                    let (status, html) = support::text(&c, &app.url(&path)).await;
                    let want = if sees_lampung(&scope) { 200 } else { 404 };
                    assert_eq!(status, want, "{name}: {user} ({role}) GET {path}");
                    for (case, region, ..) in &fx.cases {
                        if !scope.covers(Some(region)) {
                            assert!(
                                !html.contains(case.as_str()),
                                "{name}: {user} sees case {case} of {region} on {path}"
                            );
                        }
                    }
                    continue;
                }
                for (case, region, ..) in &fx.cases {
                    let visible = scope.covers(Some(region));
                    let path = template.replace("{id}", case);
                    let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
                    let status = if method == "GET" {
                        support::text(&c, &app.url(&path)).await.0
                    } else {
                        let (_, page) = support::text(&c, &app.url("/kasus")).await;
                        let csrf = support::hidden(&page, "_csrf");
                        c.post(app.url(&path))
                            .multipart(
                                reqwest::multipart::Form::new()
                                    .text("_csrf", csrf)
                                    .text("_action", "submit")
                                    .text("_key", format!("page-{user}")),
                            )
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    };
                    let want = match (method, visible, role) {
                        ("GET", true, _) => 200,
                        (_, false, _) => 404,
                        ("POST", true, Role::Ministry) => 403,
                        // A visible case: the action is refused for its state or role (nothing changes).
                        ("POST", true, _) => 422,
                        _ => unreachable!(),
                    };
                    assert!(
                        status == want || (want == 422 && status == 409),
                        "{ctx}: {status}, wanted {want}"
                    );
                }
            }
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
