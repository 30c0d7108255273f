//! Sessions and failed sign-ins in the store, at times the test chooses, on
//! SQLite and PostgreSQL: a session ends when idle or past its lifetime, a
//! use moves its idle end on; failures count per login and source, whether
//! the login exists or not, and each one past the free ones waits longer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use pantau_domain::{Lang, Role};
use pantau_store::accounts::NewUser;
use pantau_store::accounts::auth::{FIRST_WAIT, FREE_FAILURES, Lifetime, SessionKind};
use pantau_store::{Settings, Store};

#[path = "../../../tests/support/db.rs"]
mod db;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 1, 0, 0).unwrap()
}

async fn stores() -> Vec<(&'static str, Store, db::TestDb)> {
    let mut out = vec![];
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let user = NewUser {
            login: "rina".into(),
            name: "Rina".into(),
            email: "rina@dinas.example".into(),
            role: Role::Verifier,
            region: Some("18".into()),
            lang: Lang::Id,
            digest: false,
            password_hash: Some("x".into()),
        };
        assert!(store.add_user(&user, t0()).await.unwrap());
        out.push((t.name, store, t));
    }
    out
}

#[tokio::test]
async fn a_session_ends_when_idle_or_past_its_lifetime_and_a_use_moves_the_idle_end() {
    for (db, store, _t) in stores().await {
        let life = Lifetime {
            max: Duration::hours(12),
            idle: Some(Duration::hours(2)),
        };
        let s = store
            .create_session("rina", SessionKind::Web, life, t0())
            .await
            .unwrap();
        let at = |h: i64| t0() + Duration::hours(h) - Duration::minutes(1);
        let live = |h| {
            let store = store.clone();
            let token = s.token.clone();
            async move {
                store
                    .session(&token, SessionKind::Web, at(h))
                    .await
                    .unwrap()
                    .is_some()
            }
        };
        assert!(live(2).await, "{db}");
        assert!(!live(3).await, "{db}: idle for three hours");
        store
            .touch_session(&s.token, at(2) + Duration::hours(2))
            .await
            .unwrap();
        assert!(live(3).await, "{db}: used at 2h, so live until 4h");
        // A touch never moves the idle end back.
        store.touch_session(&s.token, at(1)).await.unwrap();
        assert!(live(3).await, "{db}");
        store.touch_session(&s.token, at(13)).await.unwrap();
        assert!(!live(13).await, "{db}: past its 12 hours, however used");
        // A token has no idle end.
        let api = Lifetime {
            max: Duration::days(30),
            idle: None,
        };
        let tok = store
            .create_session("rina", SessionKind::Api, api, t0())
            .await
            .unwrap();
        let found = store
            .session(&tok.token, SessionKind::Api, t0() + Duration::days(29))
            .await
            .unwrap();
        assert!(found.is_some(), "{db}");
        assert_eq!(store.end_sessions_of("rina").await.unwrap(), 2, "{db}");
    }
}

#[tokio::test]
async fn failures_count_per_login_and_source_and_wait_longer_each_time() {
    for (db, store, _t) in stores().await {
        let mut now = t0();
        for login in ["rina", "nobody"] {
            for n in 1..FREE_FAILURES {
                let w = store.record_failed_sign_in(login, "a", now).await.unwrap();
                assert_eq!(w, None, "{db}: failure {n} of {login} is free");
            }
            let w = store.record_failed_sign_in(login, "a", now).await.unwrap();
            assert_eq!(w, Some(now + FIRST_WAIT), "{db}: {login}");
            assert_eq!(
                store.sign_in_wait(login, "a", now).await.unwrap(),
                Some(now + FIRST_WAIT),
                "{db}"
            );
            // Another source, or another login, does not wait.
            assert_eq!(
                store.sign_in_wait(login, "b", now).await.unwrap(),
                None,
                "{db}"
            );
        }
        assert_eq!(store.sign_in_wait("someone", "a", now).await.unwrap(), None);
        // Once the wait is over, the next failure waits twice as long.
        now += FIRST_WAIT + Duration::seconds(1);
        assert_eq!(
            store.sign_in_wait("rina", "a", now).await.unwrap(),
            None,
            "{db}"
        );
        let w = store.record_failed_sign_in("rina", "a", now).await.unwrap();
        assert_eq!(w, Some(now + FIRST_WAIT * 2), "{db}");
        // A good sign-in starts the count again.
        store.record_good_sign_in("rina", "a").await.unwrap();
        assert_eq!(
            store.sign_in_wait("rina", "a", now).await.unwrap(),
            None,
            "{db}"
        );
        let w = store.record_failed_sign_in("rina", "a", now).await.unwrap();
        assert_eq!(w, None, "{db}");
        // Failures a day old are forgotten.
        let later = now + Duration::hours(25);
        for _ in 1..FREE_FAILURES {
            let w = store
                .record_failed_sign_in("nobody", "a", later)
                .await
                .unwrap();
            assert_eq!(w, None, "{db}: the old count was forgotten");
        }
    }
}

#[path = "auth/accounts.rs"]
mod accounts;
