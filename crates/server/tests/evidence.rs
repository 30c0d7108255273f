//! A visit's evidence through the API on both databases: the first visit
//! registers the cooperative's location; a later visit far from it, with an
//! old photo that is a re-saved copy of an earlier one, is flagged on the
//! timeline; the next tranche waits until a verifier accepts it with a
//! reason; the same photo file in another case's visit is flagged with a
//! link to each visit that used it or a copy of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{Duration, FixedOffset, Utc};
use pantau_photo::samples::{jpeg, resized, scene};
use serde_json::{Value, json};
use support::Running;

/// Where the cooperative is, and a point about 2.2 km north of it.
const HOME: &str = "-5.4292,105.2619";
const FAR: &str = "-5.4092,105.2619";

fn camera_time(ago: Duration) -> String {
    let wib = FixedOffset::east_opt(7 * 3600).unwrap();
    (Utc::now() - ago)
        .with_timezone(&wib)
        .format("%Y:%m:%d %H:%M:%S")
        .to_string()
}

/// The first case of `workflow` in `state` (with an officer, when `assigned`): its id, region and officer.
async fn case_in(
    app: &Running,
    workflow: &str,
    state: &str,
    assigned: bool,
) -> (String, String, Option<String>) {
    let admin = app.token("admin").await;
    let (_, page) = app
        .get(&admin, &format!("/api/cases?state={state}&per_page=200"))
        .await;
    let c = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["workflow"] == workflow && (!assigned || c["officer"].is_string()))
        .unwrap_or_else(|| panic!("a {workflow} case in {state}: {page}"));
    (
        c["id"].as_str().unwrap().to_string(),
        c["region"].as_str().unwrap().to_string(),
        c["officer"].as_str().map(str::to_string),
    )
}

/// Records the open visit of `case` at `gps` with `photo`; returns the stored event.
async fn record_visit(
    app: &Running,
    officer: &str,
    case: &str,
    key: &str,
    photo: &[u8],
    gps: &str,
    action: Option<&str>,
) -> Value {
    let token = app.token(officer).await;
    let (offered, mut inputs) = support::visit_inputs(app, &token, case, photo).await;
    let action = action.unwrap_or(&offered);
    for (_, v) in inputs.iter_mut().filter(|(k, _)| k.as_str() == "location") {
        *v = json!(gps);
    }
    let (status, body) = app
        .post(
            &token,
            &format!("/api/cases/{case}/transitions"),
            key,
            &json!({ "action": action, "inputs": inputs }),
        )
        .await;
    assert!(
        status == 200 || status == 201,
        "{}: visit {status} {body}",
        app.name
    );
    body
}

async fn take(
    app: &Running,
    login: &str,
    case: &str,
    key: &str,
    action: &str,
    inputs: Value,
) -> (u16, Value) {
    let token = app.token(login).await;
    app.post(
        &token,
        &format!("/api/cases/{case}/transitions"),
        key,
        &json!({ "action": action, "inputs": inputs }),
    )
    .await
}

fn disburse_inputs() -> Value {
    json!({ "transfer_ref": "SP2D-0042/2026", "transfer_date": "2026-11-20" })
}

async fn detail(app: &Running, case: &str) -> Value {
    let admin = app.token("admin").await;
    app.get(&admin, &format!("/api/cases/{case}")).await.1
}

fn evidence_texts(d: &Value) -> Vec<String> {
    d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["evidence"].as_array().unwrap().clone())
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flagged_visit_holds_the_next_tranche_until_a_verifier_accepts_it() {
    for app in support::apps().await {
        // An approved KSP case: assign its region's officer, pay tranche 1 (of 40/30/30).
        let (case, region, _) = case_in(&app, "perkuatan_permodalan", "approved", false).await;
        let officer = format!("petugas.{}", region.replace('.', ""));
        let (status, body) = take(
            &app,
            "pengelola.18",
            &case,
            "ev-assign",
            "assign_officer",
            json!({ "officer": officer }),
        )
        .await;
        assert!(status < 300, "{}: {status} {body}", app.name);
        let (status, body) = take(
            &app,
            "pengelola.18",
            &case,
            "ev-pay-1",
            "disburse",
            disburse_inputs(),
        )
        .await;
        assert!(status < 300, "{}: tranche 1: {status} {body}", app.name);

        let picture = scene(11, 800, 600);
        let first = jpeg(&picture, 90, Some(&camera_time(Duration::hours(2))));
        record_visit(
            &app,
            &officer,
            &case,
            "ev-visit-1",
            &first,
            HOME,
            Some("record_monev"),
        )
        .await;
        let d = detail(&app, &case).await;
        assert_eq!(
            evidence_texts(&d),
            Vec::<String>::new(),
            "{}: the first visit is in order",
            app.name
        );
        assert_eq!(d["visits"][0]["evidence"], "clear", "{}", app.name);

        let (status, body) = take(
            &app,
            "pengelola.18",
            &case,
            "ev-pay-2",
            "disburse",
            disburse_inputs(),
        )
        .await;
        assert!(
            status < 300,
            "{}: tranche 2 after a clear visit: {status} {body}",
            app.name
        );

        // Visit 2: far away, with a re-saved smaller copy of the first photo, taken ten days ago.
        let copy = jpeg(
            &resized(&picture, 400),
            60,
            Some(&camera_time(Duration::days(10))),
        );
        let body = record_visit(
            &app,
            &officer,
            &case,
            "ev-visit-2",
            &copy,
            FAR,
            Some("record_monev"),
        )
        .await;
        let d = detail(&app, &case).await;
        let texts = evidence_texts(&d);
        assert_eq!(texts.len(), 3, "{}: three flags: {texts:?}", app.name);
        assert!(
            texts[0].starts_with("titik GPS 2.2")
                && texts[0].ends_with("m dari lokasi terdaftar (batas 500 m)"),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("di luar masa kunjungan")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains(&format!(
                "hampir sama dengan foto kunjungan ke-1 kasus {case}"
            ))),
            "{texts:?}"
        );
        assert_eq!(
            d["visits"][1]["evidence"], "flagged",
            "{}: {body}",
            app.name
        );

        let (status, body) = take(
            &app,
            "pengelola.18",
            &case,
            "ev-pay-3",
            "disburse",
            disburse_inputs(),
        )
        .await;
        assert_eq!(status, 422, "{}: tranche 3 waits: {body}", app.name);
        assert!(
            body.to_string().contains("ke-2 ditandai"),
            "{}: {body}",
            app.name
        );

        let verifier = app.token("verifikator.18").await;
        let (_, seen) = app.get(&verifier, &format!("/api/cases/{case}")).await;
        assert!(
            seen["actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == "accept_evidence"),
            "{}: the verifier is offered acceptance: {}",
            app.name,
            seen["actions"]
        );
        let (status, body) = take(
            &app,
            "verifikator.18",
            &case,
            "ev-accept-empty",
            "accept_evidence",
            json!({}),
        )
        .await;
        assert_eq!(status, 422, "{}: {body}", app.name);
        assert!(body.to_string().contains("reason"), "{body}");
        let (status, body) = take(
            &app,
            "verifikator.18",
            &case,
            "ev-accept",
            "accept_evidence",
            json!({ "reason": "Kantor KSP pindah ke balai desa; foto lama dipakai karena kamera rusak" }),
        )
        .await;
        assert!(status < 300, "{}: {status} {body}", app.name);
        let d = detail(&app, &case).await;
        assert_eq!(d["visits"][1]["evidence"], "accepted", "{}", app.name);
        assert!(
            evidence_texts(&d)
                .iter()
                .any(|t| t == "bukti kunjungan ke-2 diterima verifikator")
        );

        let (status, body) = take(
            &app,
            "pengelola.18",
            &case,
            "ev-pay-3b",
            "disburse",
            disburse_inputs(),
        )
        .await;
        assert!(
            status < 300,
            "{}: tranche 3 after acceptance: {status} {body}",
            app.name
        );

        // The very same file in another case's visit points back to this case.
        let (other, _, other_officer) = case_in(&app, "bansos", "disbursed", true).await;
        record_visit(
            &app,
            &other_officer.unwrap(),
            &other,
            "ev-other",
            &first,
            HOME,
            None,
        )
        .await;
        let d = detail(&app, &other).await;
        let reused: Vec<&Value> = d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["evidence"].as_array().unwrap())
            .filter(|l| l["kind"] == "photo_reused")
            .collect();
        assert_eq!(reused.len(), 2, "{}: {}", app.name, d["timeline"]);
        for l in &reused {
            assert_eq!(l["other_case"], case.as_str());
        }
        let texts: Vec<&str> = reused.iter().map(|l| l["text"].as_str().unwrap()).collect();
        assert!(
            texts[0].contains(&format!("sudah dipakai di kunjungan ke-1 kasus {case}")),
            "{texts:?}"
        );
        assert!(
            texts[1].contains(&format!(
                "hampir sama dengan foto kunjungan ke-2 kasus {case}"
            )),
            "the resized copy of visit 2 is found too: {texts:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_registered_by_a_first_visit_is_marked_until_a_verifier_confirms_it() {
    for app in support::apps().await {
        // A new entrepreneur, registered with no location, with a visit open.
        let (case, _, officer) = case_in(&app, "wirausaha_pemula", "disbursed", true).await;
        let officer = officer.unwrap();
        let photo = jpeg(
            &scene(12, 320, 240),
            85,
            Some(&camera_time(Duration::hours(1))),
        );
        record_visit(&app, &officer, &case, "loc-visit-1", &photo, HOME, None).await;
        let d = detail(&app, &case).await;
        assert_eq!(
            evidence_texts(&d),
            ["lokasi penerima didaftarkan dari kunjungan ini; belum dikonfirmasi verifikator"],
            "{}: {}",
            app.name,
            d["location"]
        );
        assert!(d["location"]["confirmed_by"].is_null(), "{}: {d}", app.name);
        let beneficiary = d["beneficiary_id"].as_str().unwrap().to_string();
        let admin = app.token("admin").await;
        let (_, b) = app
            .get(&admin, &format!("/api/beneficiaries/{beneficiary}"))
            .await;
        assert_eq!(
            b["location_from_visit"]["case_id"],
            case.as_str(),
            "{}: {b}",
            app.name
        );
        // Only a verifier who sees the beneficiary confirms it, once.
        let confirm = format!("/api/beneficiaries/{beneficiary}/location/confirm");
        for (who, want) in [
            (officer.as_str(), 403),
            ("verifikator.13", 404),
            ("verifikator.18", 200),
            ("verifikator.18", 409),
        ] {
            let token = app.token(who).await;
            let (status, body) = app.post(&token, &confirm, "unused", &json!({})).await;
            assert_eq!(status, want, "{}: {who} confirms: {body}", app.name);
        }
        let d = detail(&app, &case).await;
        assert_eq!(
            d["location"]["confirmed_by"], "verifikator.18",
            "{}",
            app.name
        );
        assert!(
            evidence_texts(&d)[0].contains("dikonfirmasi verifikator.18"),
            "{}: {:?}",
            app.name,
            evidence_texts(&d)
        );
    }
}
