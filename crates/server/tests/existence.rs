//! What an answer must not tell about records outside the caller's region,
//! on SQLite and PostgreSQL: opening a case with another region's
//! beneficiary is answered like an unknown one, and an upload key another
//! user chose finds nothing of theirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_regions_beneficiary_is_answered_like_an_unknown_one() {
    for app in support::apps().await {
        let db = app.name;
        // A beneficiary of West Sumatra, as the administrator sees it.
        let admin = app.token("admin").await;
        let (_, list) = app
            .get(&admin, "/api/cases?region=13.03&per_page=200")
            .await;
        let foreign = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|c| c["beneficiary_id"].as_str())
            .expect("a West Sumatra case with a beneficiary")
            .to_string();
        let lampung = app.token("pengelola.1871").await;
        let open = |beneficiary: &str| json!({ "program_id": "bansos-kud-2026-lampung", "region": "18.71", "beneficiary_id": beneficiary });
        let reason = |body: &Value| -> String {
            body["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["field"] == "beneficiary_id")
                .map(|f| f["reason"].as_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("{db}: no beneficiary_id in {body}"))
        };
        let (status, theirs) = app
            .post(&lampung, "/api/cases", "open-foreign", &open(&foreign))
            .await;
        assert_eq!(status, 400, "{db}: {theirs}");
        let (status, unknown) = app
            .post(
                &lampung,
                "/api/cases",
                "open-unknown",
                &open("tidak-ada-sama-sekali"),
            )
            .await;
        assert_eq!(status, 400, "{db}: {unknown}");
        assert_eq!(reason(&theirs), reason(&unknown), "{db}");
    }
}
