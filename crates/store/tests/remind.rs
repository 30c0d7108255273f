//! Reminders and the outbox on SQLite and PostgreSQL: sweeps queue each
//! reminder once per recipient, however many run at once; senders share
//! the queue without taking the same row; a lost lease comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use pantau_domain::{Lang, Role, Zone};
use pantau_store::accounts::NewUser;
use pantau_store::outbox::{Links, Resend};
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
    submitted_in(store, catalog, n, "18.71", "R").await
}

/// `n` submitted bansos cases `PREFIX-i` in `region`.
async fn submitted_in(store: &Store, catalog: &Catalog, n: usize, region: &str, prefix: &str) {
    let def = catalog.latest("bansos").unwrap();
    for i in 0..n {
        let id = format!("{prefix}-{i}");
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
            key: format!("o-{id}"),
            region: Some(region.into()),
            program_id: None,
            beneficiary_id: None,
            definition: def,
            source: catalog.source("bansos", def.version).unwrap(),
        };
        store
            .open_case(&o, &cx(Role::ManagerRegency))
            .await
            .unwrap();
        let cmd = Command {
            observed_at: None,
            key: format!("s-{id}"),
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
            .round(
                &catalog,
                &links(),
                Zone::Wib,
                t0() + Duration::days(6),
                1000,
            )
            .await
            .unwrap();
        assert_eq!(early.due, 0, "{}", t.name);

        // Four rounds at once, on the eighth day, three rows per transaction.
        let at = t0() + Duration::days(8);
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (store, catalog) = (store.clone(), catalog.clone());
            tasks.push(tokio::spawn(async move {
                store.round(&catalog, &links(), Zone::Wib, at, 3).await
            }));
        }
        let (mut queued, mut held, mut digests) = (0, 0, 0);
        for task in tasks {
            let r = task.await.unwrap().unwrap();
            (queued, held, digests) = (queued + r.queued, held + r.held, digests + r.digests);
        }
        let emails: Vec<_> = store
            .outbox(Some("queued"), 1000, at)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.template != "digest")
            .collect();
        assert_eq!(emails.len(), 12, "{}: 6 cases × agus and dewi", t.name);
        assert_eq!(
            (queued, held, digests),
            (12, 6, 1),
            "{}: each round counts what it wrote, budi's items in one digest",
            t.name
        );
        let digested = store.outbox(Some("digested"), 1000, at).await.unwrap();
        assert_eq!(digested.len(), 6, "{}: budi's went to his digest", t.name);
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
            store
                .round(&catalog, &links(), Zone::Wib, at + Duration::hours(1), 1000)
                .await
                .unwrap()
                .digests,
            0,
            "{}: one digest a day",
            t.name
        );
        let digest = store
            .outbox(Some("queued"), 1000, at)
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
            .round(&catalog, &links(), Zone::Wib, at, 1000)
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
                .mark_failed(&a[1], "421 try later", false, at)
                .await
                .unwrap()
        );
        assert!(
            store
                .mark_failed(&a[2], "550 no such user", true, at)
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
        let failed = store.outbox(Some("failed"), 10, at).await.unwrap();
        assert_eq!(failed.len(), 1, "{}", t.name);
        assert!(
            failed[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("parked: ")),
            "{}: {:?}",
            t.name,
            failed[0].last_error
        );
        assert_eq!(
            store
                .resend(&Resend::Ids(vec![failed[0].id.clone()]), at)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store.outbox(Some("sent"), 10, at).await.unwrap().len(),
            1,
            "{}",
            t.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_zone_sweeps_its_own_reminders_and_digests_at_its_own_round() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        // A verifier taking a digest in each zone: Bandar Lampung (WIB), Makassar (WITA), Jayapura (WIT).
        for (login, region) in [("wib", "18.71"), ("wita", "73.71"), ("wit", "91.71")] {
            user(&store, login, Role::Verifier, region, true).await;
            user(
                &store,
                &format!("{login}-mail"),
                Role::Verifier,
                region,
                false,
            )
            .await;
        }
        // A backlog of 10 in WIB; 2 each in WITA and WIT.
        submitted_in(&store, &catalog, 10, "18.71", "B").await;
        submitted_in(&store, &catalog, 2, "73.71", "M").await;
        submitted_in(&store, &catalog, 2, "91.71", "J").await;
        let due = t0() + Duration::days(8);
        // WIT's round: its own two reminders, its own user's digest, nothing of the others'.
        let wit = store
            .round(&catalog, &links(), Zone::Wit, due, 3)
            .await
            .unwrap();
        assert_eq!(
            (wit.due, wit.queued, wit.held, wit.digests),
            (2, 2, 2, 1),
            "{}: {wit:?}",
            t.name
        );
        let mine = |login: &str| {
            let store = store.clone();
            let login = login.to_string();
            async move {
                store
                    .outbox(None, 1000, due)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.to_user.as_deref() == Some(login.as_str()))
                    .map(|e| (e.template, e.state))
                    .collect::<Vec<_>>()
            }
        };
        assert!(
            mine("wib").await.is_empty(),
            "{}: not WIB's time yet",
            t.name
        );
        assert!(mine("wita").await.is_empty(), "{}", t.name);
        assert!(
            mine("wit")
                .await
                .contains(&("digest".to_string(), "queued".to_string())),
            "{}",
            t.name
        );
        // WIB's round, three rows a transaction: the whole backlog, then the digest.
        let wib = store
            .round(&catalog, &links(), Zone::Wib, due + Duration::hours(2), 3)
            .await
            .unwrap();
        assert_eq!(
            (wib.due, wib.queued, wib.digests),
            (10, 10, 1),
            "{}: {wib:?}",
            t.name
        );
        assert!(
            mine("wita").await.is_empty(),
            "{}: still not WITA's",
            t.name
        );
        let wita = store
            .round(&catalog, &links(), Zone::Wita, due + Duration::hours(1), 3)
            .await
            .unwrap();
        assert_eq!((wita.due, wita.digests), (2, 1), "{}: {wita:?}", t.name);
        let digest = store
            .outbox(Some("queued"), 1000, due)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.template == "digest" && e.to_user.as_deref() == Some("wib"))
            .unwrap();
        let payload: serde_json::Value = serde_json::from_str(&digest.payload).unwrap();
        assert_eq!(
            payload["count"], 10,
            "{}: the whole backlog in one digest",
            t.name
        );
    }
}
