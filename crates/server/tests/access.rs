//! The access matrix: every endpoint, called by users of every role from
//! two provinces (Lampung 18, West Sumatra 13) and by nobody. What each
//! user should see and do is the hand-written table of `access/table.rs`;
//! nobody reads another region's data, nobody takes a transition their role
//! does not allow, and an endpoint added without a row here fails the first
//! test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
#[path = "access/table.rs"]
mod table;

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
    /// Cases of a province as a whole (18, 13) and of no region, opened
    /// through the store (the API opens only a kabupaten/kota's): read only.
    others: Vec<(String, Option<&'static str>)>,
    /// The demo's SK of Lampung's bansos program (with a scan).
    sk: Decree,
    /// Its SK perubahan (with a scan).
    sk_amendment: Decree,
    /// The administrator's token, to look behind a user's back.
    admin: String,
}

impl Fixture {
    /// Every case of the fixture `u` does not see.
    fn unseen(&self, u: &User) -> Vec<&str> {
        let cases = self.cases.iter().map(|(c, r, ..)| (c, Some(r.as_str())));
        let others = self.others.iter().map(|(c, r)| (c, *r));
        cases
            .chain(others)
            .filter(|(_, r)| !u.sees(*r))
            .map(|(c, _)| c.as_str())
            .collect()
    }
}

/// A decree of the fixture.
struct Decree {
    id: String,
    /// The regions of the cases it lists, as the administrator reads them.
    regions: BTreeSet<String>,
}

/// The kabupaten/kota verifier the demo lacks: the walk's `verifikator.1871`.
async fn add_regency_verifier(app: &Running, password_hash: &str) {
    let added = app
        .store
        .add_user(
            &pantau_store::accounts::NewUser {
                login: "verifikator.1871".into(),
                name: "Verifikator (18.71)".into(),
                email: "verifikator.1871@dinas.example".into(),
                role: Role::Verifier,
                region: Some("18.71".into()),
                lang: Lang::Id,
                digest: false,
                password_hash: Some(password_hash.into()),
            },
            support::as_of(),
        )
        .await
        .unwrap();
    assert!(added, "verifikator.1871 is not the demo's");
}

/// The decree `id` as the administrator reads it.
async fn decree(app: &Running, admin: &str, id: &str) -> Decree {
    let (status, d) = app.get(admin, &format!("/api/decrees/{id}")).await;
    assert_eq!(status, 200, "{d}");
    Decree {
        id: id.to_string(),
        regions: d["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["region"].as_str().unwrap().to_string())
            .collect(),
    }
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
    let decrees = decrees.as_array().unwrap();
    let sk = decrees
        .iter()
        .find(|d| d["amends"].is_null() && d["scan"] == true)
        .expect("the demo's bansos SK")["id"]
        .as_str()
        .unwrap();
    let amendment = decrees
        .iter()
        .find(|d| d["amends"] == sk && d["scan"] == true)
        .expect("the demo's bansos SK perubahan")["id"]
        .as_str()
        .unwrap();
    let (sk, sk_amendment) = (
        decree(app, &admin, sk).await,
        decree(app, &admin, amendment).await,
    );
    // What the table's SK columns say of them.
    assert!(sk.regions.contains("18.71"), "{:?}", sk.regions);
    assert!(sk.regions.iter().all(|r| r.starts_with("18.")));
    assert_eq!(sk_amendment.regions, BTreeSet::from(["18.01".to_string()]));
    visit_locations(app, &cases).await;
    let mut others = vec![];
    for region in [Some("18"), Some("13"), None] {
        others.push((support::open_case(app, region).await, region));
    }
    Fixture {
        cases,
        attachments,
        uploads,
        others,
        sk,
        sk_amendment,
        admin,
    }
}

/// A location registered by a visit, unconfirmed, for each beneficiary of
/// the fixture's cases: what a verifier confirms (once) through the API or
/// the case page.
async fn visit_locations(
    app: &Running,
    cases: &[(String, String, String, String, Option<String>)],
) {
    use pantau_store::schema::entity::beneficiary_location::{ActiveModel, Entity};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    for (case, _, _, _, beneficiary) in cases {
        if let Some(b) = beneficiary {
            Entity::insert(ActiveModel {
                beneficiary_id: Set(b.clone()),
                case_id: Set(case.clone()),
                visit_no: Set(1),
                set_at: Set(support::as_of()),
                confirmed_by: Set(None),
                confirmed_at: Set(None),
            })
            .exec_without_returning(app.store.connection())
            .await
            .unwrap();
        }
    }
}

/// `u` confirms each fixture beneficiary's location through the API (`page`:
/// none) or the case page (`page`: their signed-in browser): refused unless
/// their role confirms and they see it; once confirmed, never twice.
async fn confirm_locations(
    app: &Running,
    fx: &Fixture,
    u: &User,
    token: &str,
    page: Option<&reqwest::Client>,
) {
    for (case, region, _, _, beneficiary) in &fx.cases {
        let Some(b) = beneficiary else { continue };
        let (_, before) = app.get(&fx.admin, &format!("/api/beneficiaries/{b}")).await;
        let confirmed = !before["location_from_visit"]["confirmed_by"].is_null();
        let status = match page {
            None => {
                let path = format!("/api/beneficiaries/{b}/location/confirm");
                app.post(token, &path, "unused", &json!({})).await.0
            }
            Some(c) => {
                let (_, html) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&html, "_csrf");
                c.post(app.url(&format!("/kasus/{case}/lokasi")))
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let want = match (u.confirms, u.sees(Some(region)), confirmed, page) {
            (false, _, _, _) => 403,
            (true, false, _, _) => 404,
            (true, true, true, _) => 409,
            (true, true, false, None) => 200,
            (true, true, false, Some(_)) => 303,
        };
        let via = if page.is_some() { "page" } else { "API" };
        assert_eq!(
            status, want,
            "{}: {} confirms {b} by {via} [{region}]",
            app.name, u.login
        );
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

/// The line of each vendor of [`two_vendors`], by region.
const VENDOR_LINES: [(&str, u64); 2] = [("18.71", 2), ("13.03", 3)];

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
/// of the API: only the regions `u` sees show, and each of the fixture's
/// they see does; a region or a case they do not see answers 404.
async fn walk_reports(
    ctx: &str,
    u: &User,
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
            assert!(u.sees(Some(&code)), "{ctx}: {path} shows region {code}");
            seen.insert(code);
        }
    }
    for (_, region, ..) in &fx.cases {
        assert_eq!(
            seen.contains(region),
            u.sees(Some(region)),
            "{ctx}: the reports show {region}: {seen:?}"
        );
    }
    // Narrowed to a kabupaten/kota: only there, and only within the caller's.
    for (region, year) in [("18.71", 2026), ("13.03", 2014)] {
        let path = format!("/api/reports/program-progress?year={year}&region={region}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        if u.sees(Some(region)) {
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
        let want = if u.sees(Some(region)) { 200 } else { 404 };
        assert_eq!(r.status().as_u16(), want, "{ctx} {path} [{region}]");
    }
}

/// The fixture's decrees through `template` (a path of the decree API,
/// or of the pages with `{id}`), sent by `send`: each listed, opened and its
/// scan served only to a reader the table says sees it, with the cases it
/// lists in the regions the reader sees, and no others.
async fn walk_decrees(
    ctx: &str,
    u: &User,
    fx: &Fixture,
    template: &str,
    send: impl Fn(String) -> reqwest::RequestBuilder,
) {
    for (d, seen) in [(&fx.sk, u.sk), (&fx.sk_amendment, u.sk_amendment)] {
        let path = template.replace("{id}", &d.id);
        let ctx = format!("{ctx} GET {path}");
        let r = send(path.clone()).send().await.unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let html = String::from_utf8_lossy(&bytes);
        match template {
            "/api/decrees" => {
                assert_eq!(status, 200, "{ctx}: {body}");
                let listed = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == d.id.as_str());
                assert_eq!(listed, seen, "{ctx}: lists {}", d.id);
            }
            _ if !seen => assert_eq!(status, 404, "{ctx}: {body}"),
            "/api/decrees/{id}" => {
                assert_eq!(status, 200, "{ctx}: {body}");
                let shown: BTreeSet<String> = body["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["region"].as_str().unwrap().to_string())
                    .collect();
                let want: BTreeSet<String> = d
                    .regions
                    .iter()
                    .filter(|r| u.sees(Some(r)))
                    .cloned()
                    .collect();
                assert_eq!(shown, want, "{ctx}: the regions of the cases it shows");
            }
            "/sk/{id}" => {
                assert_eq!(status, 200, "{ctx}");
                for case in fx.unseen(u) {
                    assert!(!html.contains(case), "{ctx}: shows {case}");
                }
            }
            _ => {
                assert_eq!(status, 200, "{ctx}");
                assert!(bytes.starts_with(b"%PDF-"), "{ctx}: the scan");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_reads_or_acts_outside_their_region_or_role() {
    let catalog = support::catalog::catalog();
    let hash = pantau_server::password::hash(support::PASSWORD.into())
        .await
        .unwrap();
    for app in support::apps().await {
        let name = app.name;
        add_regency_verifier(&app, &hash).await;
        let fx = fixture(&app).await;
        for u in &USERS {
            let (user, role) = (u.login, u.role);
            let token = app.token(user).await;
            let (_, me) = app.get(&token, "/api/me").await;
            assert_eq!(
                (me["role"].as_str(), me["region"].as_str()),
                (Some(role.as_str()), u.region),
                "{name}: {user} is who the table says"
            );
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
                    let Some(kept) = u.imports else {
                        assert_eq!(status, 403, "{ctx}: {body}");
                        continue;
                    };
                    assert_eq!(status, 200, "{ctx}: {body}");
                    let refused: BTreeSet<u64> = body["refusals"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["line"].as_u64().unwrap())
                        .collect();
                    let outside: BTreeSet<u64> = VENDOR_LINES
                        .iter()
                        .filter(|(region, _)| !kept.contains(region))
                        .map(|(_, line)| *line)
                        .collect();
                    assert_eq!(refused, outside, "{ctx}: rows refused: {body}");
                    assert_eq!(
                        body["new"].as_u64().unwrap() + body["already"].as_u64().unwrap(),
                        kept.len() as u64,
                        "{ctx}: {body}"
                    );
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
                        match (u.sees(Some(region)), role) {
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
                        if !u.sees(Some(region)) {
                            assert_eq!(r["error"]["error"], "not_found", "{ctx} {case}: {r}");
                        }
                    }
                    continue;
                }
                if template.starts_with("/api/cases/{id}/uploads") {
                    for ((case, region, ..), upload) in fx.cases.iter().zip(&fx.uploads) {
                        let visible = u.sees(Some(region));
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
                    walk_reports(&ctx, u, &fx, |path| {
                        app.http.get(app.url(&path)).bearer_auth(&token)
                    })
                    .await;
                    continue;
                }
                if rule == Rule::Confirm {
                    confirm_locations(&app, &fx, u, &token, None).await;
                    continue;
                }
                if template.starts_with("/api/decrees") {
                    let ctx = format!("{name}: {user} ({role})");
                    walk_decrees(&ctx, u, &fx, template, |path| {
                        app.http.get(app.url(&path)).bearer_auth(&token)
                    })
                    .await;
                    continue;
                }
                if !template.contains('{') {
                    let (status, body) = app.get(&token, template).await;
                    assert_eq!(status, 200, "{name} {user} {template}: {body}");
                    let shown = regions_in(template, &body);
                    for r in &shown {
                        assert!(
                            u.sees(Some(r)),
                            "{name}: {user} sees region {r} through {template}"
                        );
                    }
                    let text = body.to_string();
                    for case in fx.unseen(u) {
                        assert!(
                            !text.contains(case),
                            "{name}: {user} sees {case} on {template}"
                        );
                    }
                    if template == "/api/regions" {
                        // And every region they see: a code in each column the table says.
                        let columns: BTreeSet<usize> =
                            shown.iter().map(|r| table::column(Some(r))).collect();
                        for (c, label) in table::COLUMNS.iter().enumerate().skip(1) {
                            assert_eq!(
                                columns.contains(&c),
                                u.sees[c],
                                "{name}: {user} is shown regions of {label}"
                            );
                        }
                    }
                    continue;
                }
                if template == "/api/cases/{id}" {
                    for (case, region) in &fx.others {
                        let (status, body) = app.get(&token, &format!("/api/cases/{case}")).await;
                        let want = if u.sees(*region) { 200 } else { 404 };
                        let ctx = format!("{name}: {user} ({role}) GET {case} [{region:?}]");
                        assert_eq!(status, want, "{ctx}: {body}");
                    }
                }
                for ((case, region, workflow, state, beneficiary), attachment) in
                    fx.cases.iter().zip(&fx.attachments)
                {
                    let visible = u.sees(Some(region));
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
                                    assert!(u.sees(Some(r)), "{ctx}: allocation of {r}");
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
        for u in &USERS {
            let (user, role) = (u.login, u.role);
            let c = app.sign_in(user).await;
            for &(method, template, rule) in PAGES {
                if rule == Rule::Public || template == "/keluar" {
                    continue;
                }
                if rule == Rule::Confirm {
                    confirm_locations(&app, &fx, u, "", Some(&c)).await;
                    continue;
                }
                if rule == Rule::Import {
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
                    let want = if u.imports.is_some() { 200 } else { 403 };
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
                    // Only the province's users whose role approves by decree.
                    let may = u.records_lampung;
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
                        for case in fx.unseen(u) {
                            assert!(!csv.contains(case), "{ctx}: lists {case}");
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
                    let id = pantau_store::decree::id_of(&number);
                    let (found, d) = app.get(&fx.admin, &format!("/api/decrees/{id}")).await;
                    if !may {
                        assert_eq!(status, 403, "{ctx}");
                        assert_eq!(found, 404, "{ctx}: nothing recorded: {d}");
                        continue;
                    }
                    assert_eq!(status, 303, "{ctx}");
                    // It lists the cases of the walk the recorder sees, and no others.
                    let recorded: BTreeSet<&str> = d["cases"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|case| case["case_id"].as_str().unwrap())
                        .collect();
                    let want: BTreeSet<&str> = fx
                        .cases
                        .iter()
                        .filter(|(_, region, ..)| u.sees(Some(region)))
                        .map(|(case, ..)| case.as_str())
                        .collect();
                    assert_eq!(recorded, want, "{ctx}: {d}");
                    continue;
                }
                if !template.contains('{') {
                    let (status, html) = support::text(&c, &app.url(template)).await;
                    assert!(
                        status == 200 || (status == 303 && role == Role::FieldOfficer),
                        "{name}: {user} GET {template}: {status}"
                    );
                    for case in fx.unseen(u) {
                        assert!(
                            !html.contains(case),
                            "{name}: {user} sees case {case} on {template}"
                        );
                    }
                    if template == "/sk" {
                        // The fixture's decrees it lists, and the way to record one.
                        let ctx = format!("{name}: {user} ({role}) GET /sk");
                        for (d, seen) in [(&fx.sk, u.sk), (&fx.sk_amendment, u.sk_amendment)] {
                            let link = format!("href=\"/sk/{}\"", d.id);
                            assert_eq!(html.contains(&link), seen, "{ctx}: {link}");
                        }
                        // (No program of Sumatera Barat approves by decree.)
                        let offered = html.contains("href=\"/sk/baru\"");
                        assert_eq!(offered, u.records_lampung, "{ctx}: Catat SK baru");
                    }
                    if template == "/laporan/unduh" {
                        // The page's downloads: the same walls as the API's.
                        let ctx = format!("{name}: {user} ({role}) pages");
                        walk_reports(&ctx, u, &fx, |path| {
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
                    let ctx = format!("{name}: {user} ({role}) pages");
                    walk_decrees(&ctx, u, &fx, template, |path| c.get(app.url(&path))).await;
                    continue;
                }
                if template == "/kasus/{id}" {
                    for (case, region) in &fx.others {
                        let status = support::text(&c, &app.url(&format!("/kasus/{case}")))
                            .await
                            .0;
                        let want = if u.sees(*region) { 200 } else { 404 };
                        let ctx = format!("{name}: {user} ({role}) GET /kasus/{case} [{region:?}]");
                        assert_eq!(status, want, "{ctx}");
                    }
                }
                for (case, region, ..) in &fx.cases {
                    let visible = u.sees(Some(region));
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
