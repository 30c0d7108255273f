//! List filters narrow what the caller sees and never widen it: a filter on
//! a province manager's case list once joined the province's two region
//! conditions (the province itself, or a code under it) in one OR with the
//! filter, and listed cases of other provinces. And a name search matches
//! `%`, `_` and `\` literally, not as LIKE wildcards. A province as the
//! region filter narrows to the province and its kabupaten/kota.
//!
//! The expected answers are computed from the national list (the Ministry's
//! view), filtered and scoped here in Rust, and compared id by id with what
//! each regional user gets, on SQLite and on PostgreSQL. Cases of a province
//! itself (region `18`, `13`) and one with no region are added to the demo's,
//! as a filter joined into the province's OR lets exactly those through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::Running;

/// Every item of a list endpoint (`path` may hold a query already) and the
/// `total` it reported, which must count the same items.
async fn everything(app: &Running, token: &str, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = vec![];
    let mut total = None;
    for page in 1.. {
        let (status, body) = app
            .get(token, &format!("{path}{sep}per_page=200&page={page}"))
            .await;
        assert_eq!(status, 200, "{}: GET {path}: {body}", app.name);
        total = body["total"].as_u64();
        let items = body["items"].as_array().unwrap().clone();
        let done = items.len() < 200;
        out.extend(items);
        if done {
            break;
        }
    }
    assert_eq!(
        total,
        Some(out.len() as u64),
        "{}: GET {path}: total counts the items listed",
        app.name
    );
    out
}

/// Whether a record of `region` is within a user of `scope` (`None`:
/// national): a province covers its kabupaten/kota.
fn covers(scope: Option<&str>, region: Option<&str>) -> bool {
    match (scope, region) {
        (None, _) => true,
        (Some(s), Some(r)) => r == s || r.strip_prefix(s).is_some_and(|t| t.starts_with('.')),
        (Some(_), None) => false,
    }
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v[key].as_str()
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|c| text(c, "id").unwrap().to_string())
        .collect()
}

/// Every filter value the case list takes, from the national list, plus
/// codes of both provinces themselves and a region with no cases.
fn filters(all: &[Value]) -> Vec<(&'static str, String)> {
    let mut out = BTreeSet::new();
    for c in all {
        for key in ["state", "program_id", "region", "officer"] {
            if let Some(v) = text(c, key) {
                let param = if key == "program_id" { "program" } else { key };
                out.insert((param, v.to_string()));
            }
        }
    }
    for r in ["18", "13", "18.71", "13.03", "31.71"] {
        out.insert(("region", r.to_string()));
    }
    out.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_filters_never_widen_the_scope() {
    for app in support::apps().await {
        let db = app.name;
        for region in [Some("18"), Some("13"), None] {
            support::open_case(&app, region).await;
        }
        let national = app.token("kementerian").await;
        let all = everything(&app, &national, "/api/cases").await;
        let regions: BTreeSet<&str> = all.iter().filter_map(|c| text(c, "region")).collect();
        assert!(
            regions.iter().any(|r| r.starts_with("18."))
                && regions.iter().any(|r| r.starts_with("13."))
                && regions.contains("18")
                && regions.contains("13"),
            "{db}: cases in Lampung and West Sumatra, and of both provinces: {regions:?}"
        );
        assert!(
            all.iter().any(|c| c["region"].is_null()),
            "{db}: a case with no region"
        );
        let filters = filters(&all);
        // Users of a province, a kota and a kabupaten in each province.
        let users = [
            ("pengelola.18", Some("18")),
            ("pengelola.13", Some("13")),
            ("pengelola.1871", Some("18.71")),
            ("verifikator.18", Some("18")),
            ("admin", None),
        ];
        for (user, scope) in users {
            let token = app.token(user).await;
            // Unfiltered: exactly the cases within the user's region.
            let mine: Vec<&Value> = all
                .iter()
                .filter(|c| covers(scope, text(c, "region")))
                .collect();
            assert!(!mine.is_empty(), "{db}: {user} sees some cases");
            let listed = everything(&app, &token, "/api/cases").await;
            assert_eq!(
                ids(&listed),
                mine.iter()
                    .map(|c| text(c, "id").unwrap().to_string())
                    .collect(),
                "{db}: {user} lists the cases of their region"
            );
            let mut narrowed = 0;
            let mut emptied = 0;
            for (param, value) in &filters {
                let key = if *param == "program" {
                    "program_id"
                } else {
                    param
                };
                // A region narrows by the region rule: a province to
                // itself and its kabupaten/kota; anything else by equality.
                let matches = |c: &Value| match *param {
                    "region" => covers(Some(value), text(c, key)),
                    _ => text(c, key) == Some(value.as_str()),
                };
                let expected: BTreeSet<String> = mine
                    .iter()
                    .filter(|c| matches(c))
                    .map(|c| text(c, "id").unwrap().to_string())
                    .collect();
                let got = everything(&app, &token, &format!("/api/cases?{param}={value}")).await;
                for c in &got {
                    assert!(
                        covers(scope, text(c, "region")),
                        "{db}: {user} with {param}={value} lists case {} of {:?}",
                        c["id"],
                        c["region"]
                    );
                }
                assert_eq!(
                    ids(&got),
                    expected,
                    "{db}: {user} with {param}={value} lists exactly their cases that match"
                );
                if !expected.is_empty() && expected.len() < mine.len() {
                    narrowed += 1;
                }
                let elsewhere = all.iter().any(matches);
                if expected.is_empty() && elsewhere {
                    emptied += 1;
                }
            }
            assert!(narrowed > 0, "{db}: some filter narrows {user}'s list");
            if scope.is_some() {
                assert!(
                    emptied > 0,
                    "{db}: some filter matches cases only outside {user}'s region"
                );
            }
            // Two filters at once are an AND, still within the region.
            let c = mine
                .iter()
                .find(|c| text(c, "region").is_some_and(|r| r.contains('.')))
                .unwrap();
            let (state, region) = (text(c, "state").unwrap(), text(c, "region").unwrap());
            let got = everything(
                &app,
                &token,
                &format!("/api/cases?state={state}&region={region}"),
            )
            .await;
            let expected: BTreeSet<String> = mine
                .iter()
                .filter(|c| text(c, "state") == Some(state) && text(c, "region") == Some(region))
                .map(|c| text(c, "id").unwrap().to_string())
                .collect();
            assert_eq!(ids(&got), expected, "{db}: {user}: state and region");
            // A state within a province (its page walks the state's cases
            // newest first on SQLite, skipping other regions').
            let province = &region[..2];
            let got = everything(
                &app,
                &token,
                &format!("/api/cases?state={state}&region={province}"),
            )
            .await;
            let expected: BTreeSet<String> = mine
                .iter()
                .filter(|c| {
                    text(c, "state") == Some(state) && covers(Some(province), text(c, "region"))
                })
                .map(|c| text(c, "id").unwrap().to_string())
                .collect();
            assert_eq!(ids(&got), expected, "{db}: {user}: state and province");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beneficiary_filters_never_widen_the_scope() {
    for app in support::apps().await {
        let db = app.name;
        let national = app.token("kementerian").await;
        let all = everything(&app, &national, "/api/beneficiaries").await;
        for (user, scope) in [
            ("pengelola.18", "18"),
            ("pengelola.13", "13"),
            ("pengelola.1871", "18.71"),
        ] {
            let token = app.token(user).await;
            for kind in ["", "cooperative", "umkm", "pkl", "entrepreneur"] {
                let expected: BTreeSet<String> = all
                    .iter()
                    .filter(|b| kind.is_empty() || text(b, "kind") == Some(kind))
                    .filter(|b| covers(Some(scope), text(b, "region_code")))
                    .map(|b| text(b, "id").unwrap().to_string())
                    .collect();
                let got =
                    everything(&app, &token, &format!("/api/beneficiaries?kind={kind}")).await;
                assert_eq!(
                    ids(&got),
                    expected,
                    "{db}: {user} with kind={kind} lists exactly their beneficiaries of that kind"
                );
            }
        }
        // West Sumatra's PKL are none of Lampung's.
        let pkl = everything(&app, &national, "/api/beneficiaries?kind=pkl").await;
        assert!(!pkl.is_empty(), "{db}: the demo has PKL");
        let lampung = app.token("pengelola.18").await;
        let (status, body) = app.get(&lampung, "/api/beneficiaries?kind=pkl").await;
        assert_eq!((status, &body["total"]), (200, &0.into()), "{db}: {body}");
    }
}

/// Beneficiaries whose names hold LIKE's special characters, in Kota
/// Bandar Lampung (18.71).
const AWKWARD_NAMES: &str = "\
kind,region_code,name,nib,owner_nik,scale
umkm,18.71,Warung 100% Halal,9999000000001,1871014508900001,mikro
umkm,18.71,Toko_Satu,9999000000002,1871014508900001,mikro
umkm,18.71,Bengkel Garis\\Miring,9999000000003,1871014508900001,mikro
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_search_matches_like_wildcards_literally() {
    for app in support::apps().await {
        let db = app.name;
        let admin = app.token("admin").await;
        let r = app
            .http
            .post(app.url("/api/imports/beneficiaries"))
            .bearer_auth(&admin)
            .header("Content-Type", "text/csv")
            .body(AWKWARD_NAMES)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let report: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "{db}: {report}");
        assert_eq!(report["new"], 3, "{db}: {report}");

        let names = |body: &Value| -> Vec<String> {
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| text(b, "name").unwrap().to_string())
                .collect()
        };
        let national = app.token("kementerian").await;
        let lampung = app.token("pengelola.18").await;
        let sumbar = app.token("pengelola.13").await;
        // (query, the names it must find): `%25` is `%`, `%5C` is `\`.
        for (query, expected) in [
            ("%25", vec!["Warung 100% Halal"]),
            ("0%25", vec!["Warung 100% Halal"]),
            ("%25%25", vec![]),
            ("_", vec!["Toko_Satu"]),
            ("o_s", vec!["Toko_Satu"]),
            ("TOKO_SATU", vec!["Toko_Satu"]),
            ("%5C", vec!["Bengkel Garis\\Miring"]),
            ("s%5Cm", vec!["Bengkel Garis\\Miring"]),
            ("%5C%25", vec![]),
        ] {
            for token in [&national, &lampung] {
                let (status, body) = app
                    .get(token, &format!("/api/beneficiaries?name={query}"))
                    .await;
                assert_eq!(status, 200, "{db}: name={query}: {body}");
                assert_eq!(names(&body), expected, "{db}: name={query}");
                assert_eq!(
                    body["total"].as_u64(),
                    Some(expected.len() as u64),
                    "{db}: name={query}"
                );
            }
            // The search stays within the region too.
            let (status, body) = app
                .get(&sumbar, &format!("/api/beneficiaries?name={query}"))
                .await;
            assert_eq!((status, &body["total"]), (200, &0.into()), "{db}: {body}");
        }
        // A plain search still finds by part of the name, in any case.
        let (_, body) = app
            .get(&national, "/api/beneficiaries?name=HALAL&kind=umkm")
            .await;
        assert!(
            names(&body).contains(&"Warung 100% Halal".to_string()),
            "{db}: {body}"
        );
    }
}
