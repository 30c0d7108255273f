//! `POST /api/sync/visits` on both databases: a phone's queue of visits,
//! each stored at most once; a batch sent again, or cut off and resent,
//! stores nothing twice; a refused visit does not stop the others.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::Running;

/// The first two cases of the officer with the most open visits, and the officer.
async fn officer_with_two_visits(app: &Running) -> (String, Vec<String>) {
    let admin = app.token("admin").await;
    let (_, cases) = app.get(&admin, "/api/cases?per_page=200").await;
    let mut best: (Vec<String>, String) = (vec![], String::new());
    for o in cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["officer"].as_str())
    {
        let (_, v) = app.get(&app.token(o).await, "/api/visits").await;
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["case_id"].as_str().unwrap().to_string())
            .collect();
        ids.dedup();
        if ids.len() > best.0.len() {
            best = (ids, o.to_string());
        }
    }
    assert!(best.0.len() >= 2, "an officer with visits on two cases");
    (best.1, best.0)
}

async fn events(app: &Running, token: &str, case: &str) -> usize {
    let (_, d) = app.get(token, &format!("/api/cases/{case}")).await;
    d["timeline"].as_array().unwrap().len()
}

fn statuses(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_of_visits_is_stored_once_however_often_it_is_sent() {
    for app in support::apps().await {
        let (officer, cases) = officer_with_two_visits(&app).await;
        let token = app.token(&officer).await;
        let photo = pantau_photo::samples::jpeg(&pantau_photo::samples::scene(9, 64, 48), 80, None);
        let (a_action, a_inputs) = support::visit_inputs(&app, &token, &cases[0], &photo).await;
        let (b_action, b_inputs) = support::visit_inputs(&app, &token, &cases[1], &photo).await;
        let a = json!({ "key": "phone-a", "case_id": cases[0], "action": a_action, "inputs": a_inputs });
        let b = json!({ "key": "phone-b", "case_id": cases[1], "action": b_action, "inputs": b_inputs });
        let mut bad = b.clone();
        bad["key"] = json!("phone-bad");
        bad["inputs"] = json!({});
        let before = (
            events(&app, &token, &cases[0]).await,
            events(&app, &token, &cases[1]).await,
        );

        // The connection drops after the first visit: only it was sent.
        let (status, body) = app
            .post(
                &token,
                "/api/sync/visits",
                "unused",
                &json!({ "visits": [a, bad] }),
            )
            .await;
        assert_eq!(status, 200, "{}: {body}", app.name);
        assert_eq!(
            statuses(&body),
            ["stored", "refused"],
            "{}: {body}",
            app.name
        );
        let fields = &body["results"][1]["error"]["fields"];
        assert!(
            fields.as_array().is_some_and(|f| !f.is_empty()),
            "{}: the refusal names the fields: {body}",
            app.name
        );
        // The phone sends its whole queue again: the first is not stored twice.
        let (status, body) = app
            .post(
                &token,
                "/api/sync/visits",
                "unused",
                &json!({ "visits": [a, b] }),
            )
            .await;
        assert_eq!(status, 200, "{}: {body}", app.name);
        assert_eq!(
            statuses(&body),
            ["already_stored", "stored"],
            "{}: {body}",
            app.name
        );
        let (_, again) = app
            .post(
                &token,
                "/api/sync/visits",
                "unused",
                &json!({ "visits": [a, b] }),
            )
            .await;
        assert_eq!(
            statuses(&again),
            ["already_stored", "already_stored"],
            "{}",
            app.name
        );
        assert_eq!(
            (
                events(&app, &token, &cases[0]).await,
                events(&app, &token, &cases[1]).await
            ),
            (before.0 + 1, before.1 + 1),
            "{}: one visit each",
            app.name
        );
        // Not a visit action: refused by name.
        let (_, wrong) = app
            .post(
                &token,
                "/api/sync/visits",
                "unused",
                &json!({ "visits": [{ "key": "phone-c", "case_id": cases[0], "action": "approve" }] }),
            )
            .await;
        assert_eq!(
            wrong["results"][0]["error"]["fields"][0]["field"], "action",
            "{wrong}"
        );
        assert!(app.store.verify().await.unwrap().is_ok());
    }
}
