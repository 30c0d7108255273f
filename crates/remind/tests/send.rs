//! Senders sharing one outbox with a real SMTP server on loopback, on
//! SQLite and PostgreSQL: with sends so slow that a batch outlasts its
//! first lease, two senders at once still send each email exactly once (a
//! lease runs from its claim and is renewed before each send; an email whose
//! lease was lost to the other sender is left to it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/catalog.rs"]
mod catalog;
#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/smtp.rs"]
mod smtp;

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::{Lang, Role, Zone};
use pantau_notify::{Security, Templates, Transport};
use pantau_remind::{Clock, Sender};
use pantau_store::accounts::NewUser;
use pantau_store::outbox::Links;
use pantau_store::{Opening, Settings, Store};
use pantau_workflow::{Actor, Command, Context};

/// A clock on which every look takes `step`: sends as slow as that.
#[derive(Clone)]
struct Slow {
    now: Arc<Mutex<DateTime<Utc>>>,
    step: TimeDelta,
}

impl Clock for Slow {
    fn now(&self) -> DateTime<Utc> {
        let mut now = self.now.lock().unwrap();
        *now += self.step;
        *now
    }

    async fn sleep_until(&self, until: DateTime<Utc>) {
        let mut now = self.now.lock().unwrap();
        *now = (*now).max(until);
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

fn links() -> Links {
    Links {
        base_url: "http://127.0.0.1:8080".into(),
    }
}

/// `n` bansos proposals waiting past their reminder, one verifier to tell.
async fn queued(store: &Store, n: usize) {
    let catalog = catalog::catalog();
    let agus = NewUser {
        login: "agus".into(),
        name: "Agus Salim".into(),
        email: "agus@dinas.example".into(),
        role: Role::Verifier,
        region: Some("18.71".into()),
        lang: Lang::Id,
        digest: false,
        password_hash: None,
    };
    store.add_user(&agus, t0()).await.unwrap();
    let def = catalog.latest("bansos").unwrap();
    let cx = Context {
        now: t0(),
        actor: Actor {
            user: "rina".into(),
            role: Role::ManagerRegency,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    for i in 0..n {
        let id = format!("S-{i}");
        let o = Opening {
            case_id: id.clone(),
            key: format!("o-{i}"),
            region: Some("18.71".into()),
            program_id: None,
            beneficiary_id: None,
            definition: def,
            source: catalog.source("bansos", def.version).unwrap(),
        };
        store.open_case(&o, &cx).await.unwrap();
        let submit = Command {
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
            observed_at: None,
        };
        store
            .apply(&catalog, &id, &submit, &cx, None)
            .await
            .unwrap();
    }
    let r = store
        .round(
            &catalog,
            &links(),
            Zone::Wib,
            t0() + TimeDelta::days(8),
            1000,
        )
        .await
        .unwrap();
    assert_eq!(r.queued, n);
}

fn sender(port: u16) -> Sender {
    let templates = catalog::repo_root().join("templates/email");
    Sender {
        transport: Transport::Smtp {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            credentials: None,
            timeout: StdDuration::from_secs(30),
        },
        from: "Pantau <pantau@dinas.example>".into(),
        links: links(),
        templates: Templates::load(&templates).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_slow_senders_send_each_email_once() {
    for t in db::test_databases().await {
        let Some(server) = smtp::Smtp::start() else {
            return;
        };
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        queued(&store, 40).await;
        // Every look at the clock takes 50 s: a batch of ten outlasts its first lease (six minutes).
        let clock = Slow {
            now: Arc::new(Mutex::new(t0() + TimeDelta::days(8))),
            step: TimeDelta::seconds(50),
        };
        let (a, b) = (sender(server.port), sender(server.port));
        let (a, b) = tokio::join!(a.send(&store, &clock), b.send(&store, &clock));
        let (a, b) = (a.unwrap(), b.unwrap());
        let arrived = server.arrived();
        assert_eq!(arrived.len(), 40, "{}: every email arrived", t.name);
        assert!(
            arrived.values().all(|n| *n == 1),
            "{}: none twice: {arrived:?}",
            t.name
        );
        assert_eq!(a.sent + b.sent, 40, "{}: {a:?} {b:?}", t.name);
        let end = *clock.now.lock().unwrap();
        let (queued, leased, failed) = store.outbox_counts(end).await.unwrap();
        assert_eq!((queued, leased, failed), (0, 0, 0), "{}", t.name);
    }
}
