//! Reminders and the outbox on SQLite and PostgreSQL: sweeps queue each
//! reminder once per recipient, however many run at once; senders share
//! the queue without taking the same row; a lost lease comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use pantau_domain::{Lang, Role};
use pantau_store::remind::{Links, NewUser};
use pantau_store::{Opening, Settings, Store};
use pantau_workflow::{Actor, Catalog, Command, Context};

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

fn catalog() -> Catalog {
    shipped::catalog()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

fn links() -> Links {
    Links {
        base_url: "http://127.0.0.1:8080".into(),
    }
}

async fn user(store: &Store, login: &str, role: Role, region: &str, digest: bool) {
    let u = NewUser {
        login: login.into(),
        name: login.into(),
        email: format!("{login}@dinas.example"),
        role,
        region: Some(region.into()),
        lang: Lang::Id,
        digest,
        password_hash: None,
    };
    store.add_user(&u, t0()).await.unwrap();
}

/// `n` submitted bansos cases in Kota Bandar Lampung: each arms a verifier reminder 7 days later.
async fn submitted(store: &Store, catalog: &Catalog, n: usize) {
    let def = catalog.latest("bansos").unwrap();
    for i in 0..n {
        let id = format!("R-{i}");
        let cx = |role| Context {
            now: t0(),
            actor: Actor {
                user: "rina".into(),
                role,
            },
            remaining_allocation: None,
            evidence: Default::default(),
        };
        let o = Opening {
            case_id: id.clone(),
            key: format!("o-{i}"),
            region: Some("18.71".into()),
            program_id: None,
            beneficiary_id: None,
            definition: def,
            source: catalog.source("bansos", 1).unwrap(),
        };
        store
            .open_case(&o, &cx(Role::ManagerRegency))
            .await
            .unwrap();
        let cmd = Command {
            observed_at: None,
            key: format!("s-{i}"),
            action: "submit".into(),
            inputs: [
                ("amount_requested", "1000"),
                ("proposal_doc", "u.pdf"),
                ("in_craft_centre", "ya"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        store
            .apply(catalog, &id, &cmd, &cx(Role::ManagerRegency), None)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweeps_queue_each_reminder_once_per_recipient() {
    let catalog = Arc::new(catalog());
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        user(&store, "agus", Role::Verifier, "18.71", false).await;
        user(&store, "dewi", Role::Verifier, "18", false).await; // the province covers the kota
        user(&store, "sari", Role::Verifier, "13", false).await; // another province: not hers
        user(&store, "budi", Role::Verifier, "18.71", true).await; // wants a daily digest
        submitted(&store, &catalog, 6).await;

        // Nothing is due before the seventh day.
        let early = store
            .sweep(&catalog, &links(), t0() + Duration::days(6), None, 1000)
            .await
            .unwrap();
        assert_eq!(early.due, 0, "{}", t.name);

        // Four sweeps at once, on the eighth day.
        let at = t0() + Duration::days(8);
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (store, catalog) = (store.clone(), catalog.clone());
            tasks.push(tokio::spawn(async move {
                store.sweep(&catalog, &links(), at, None, 1000).await
            }));
        }
        let mut queued = 0;
        for task in tasks {
            queued += task.await.unwrap().unwrap().queued;
        }
        let emails = store.outbox(Some("queued"), 1000).await.unwrap();
        assert_eq!(emails.len(), 12, "{}: 6 cases × agus and dewi", t.name);
        assert_eq!(queued, 12, "{}: no sweep queued a second copy", t.name);
        let held = store.outbox(Some("held"), 1000).await.unwrap();
        assert_eq!(held.len(), 6, "{}: budi's go to his digest", t.name);
        assert!(
            emails.iter().all(|e| e.to_user.as_deref() != Some("sari")),
            "{}",
            t.name
        );
        let payload: serde_json::Value = serde_json::from_str(&emails[0].payload).unwrap();
        assert_eq!(payload["state"], "Diajukan", "{}", t.name);
        assert!(
            payload["link"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:8080/kasus/R-"),
            "{}",
            t.name
        );

        assert_eq!(
            store.compile_digests(&links(), at).await.unwrap(),
            1,
            "{}",
            t.name
        );
        assert_eq!(
            store
                .compile_digests(&links(), at + Duration::hours(1))
                .await
                .unwrap(),
            0,
            "{}: one digest a day",
            t.name
        );
        let digest = store
            .outbox(Some("queued"), 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.template == "digest")
            .unwrap();
        let payload: serde_json::Value = serde_json::from_str(&digest.payload).unwrap();
        assert_eq!(payload["count"], 6, "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn senders_share_the_queue_and_a_lost_lease_comes_back() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        user(&store, "agus", Role::Verifier, "18.71", false).await;
        submitted(&store, &catalog, 40).await;
        let at = t0() + Duration::days(8);
        store
            .sweep(&catalog, &links(), at, None, 1000)
            .await
            .unwrap();

        // Two instances claim at once: disjoint rows, all of them.
        let other = store.clone();
        let (a, b) = tokio::join!(
            store.claim(at, 25, Duration::minutes(5)),
            other.claim(at, 25, Duration::minutes(5))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let mut ids: Vec<&str> = a.iter().chain(&b).map(|r| r.id.as_str()).collect();
        let claimed = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(
            (claimed, ids.len()),
            (40, 40),
            "{}: each row claimed by one sender",
            t.name
        );
        assert!(
            store
                .claim(at, 25, Duration::minutes(5))
                .await
                .unwrap()
                .is_empty(),
            "{}: leased rows are not claimed again",
            t.name
        );

        // One is sent; one fails for a while; one fails for good; the rest's sender "crashes".
        store.mark_sent(&a[0].id, at).await.unwrap();
        assert!(
            !store
                .mark_failed(&a[1], "421 try later", false, 5, at)
                .await
                .unwrap()
        );
        assert!(
            store
                .mark_failed(&a[2], "550 no such user", true, 5, at)
                .await
                .unwrap()
        );
        let back = store
            .claim(at + Duration::minutes(6), 100, Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!(
            back.len(),
            38,
            "{}: expired leases and the retried one come back",
            t.name
        );
        let failed = store.outbox(Some("failed"), 10).await.unwrap();
        assert_eq!(failed.len(), 1, "{}", t.name);
        assert!(store.resend(&failed[0].id, at).await.unwrap());
        assert_eq!(
            store.outbox(Some("sent"), 10).await.unwrap().len(),
            1,
            "{}",
            t.name
        );
    }
}
