//! The store suite, run against every backend available: a fresh SQLite
//! file always, and a fresh PostgreSQL database when one answers (the
//! machine's own at 127.0.0.1:5432, or `PANTAU_TEST_POSTGRES_URL`).
//! Under `PANTAU_REQUIRE_ALL=1` a missing PostgreSQL fails the suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::{Lang, Role};
use pantau_store::accounts::NewUser;
use pantau_store::{Opening, Outcome, Settings, Store, StoreError};
use pantau_workflow::{Actor, Catalog, Command, Context};
use sea_orm::{ConnectionTrait, Statement};

#[path = "../../../tests/support/catalog.rs"]
mod shipped;

struct Fixture {
    catalog: Catalog,
}

fn fixture() -> Fixture {
    Fixture {
        catalog: shipped::catalog(),
    }
}

impl Fixture {
    fn source(&self, program: &str) -> &str {
        self.catalog
            .source(
                program,
                self.catalog.latest(program).expect("shipped").version,
            )
            .expect("a shipped definition")
    }
}

#[path = "store/chain.rs"]
mod chain;
#[path = "store/changes.rs"]
mod changes;
#[path = "store/checked.rs"]
mod checked;
#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/sql.rs"]
mod sql;
#[path = "store/totals.rs"]
mod totals;

use sql::count;

/// A fresh database on every backend that answers, with `dedi`, Kota
/// Bandar Lampung's field officer, to assign.
async fn backends() -> Vec<(&'static str, Store, db::TestDb)> {
    let mut out = Vec::new();
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let dedi = NewUser {
            login: "dedi".into(),
            name: "Dedi Kurniawan".into(),
            email: "dedi@example.go.id".into(),
            role: Role::FieldOfficer,
            region: Some("18.71".into()),
            lang: Lang::Id,
            digest: false,
            password_hash: None,
        };
        store.add_user(&dedi, t0()).await.unwrap();
        out.push((t.name, store, t));
    }
    out
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

fn cx(minutes: i64, user: &str, role: Role) -> Context {
    Context {
        now: t0() + TimeDelta::minutes(minutes),
        actor: Actor {
            user: user.into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

fn cmd(key: &str, action: &str, inputs: &[(&str, &str)]) -> Command {
    Command {
        observed_at: None,
        key: key.into(),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

async fn open(store: &Store, f: &Fixture, id: &str) -> Outcome {
    open_in(store, f, id, "18.71").await
}

async fn open_in(store: &Store, f: &Fixture, id: &str, region: &str) -> Outcome {
    open_for(store, f, id, region, None).await
}

/// A bansos case in `region`, of `program` when one is named.
async fn open_for(
    store: &Store,
    f: &Fixture,
    id: &str,
    region: &str,
    program: Option<&str>,
) -> Outcome {
    let def = f.catalog.latest("bansos").unwrap();
    let o = Opening {
        case_id: id.into(),
        program_id: program.map(str::to_string),
        beneficiary_id: None,
        key: format!("open-{id}"),
        region: Some(region.into()),
        definition: def,
        source: f.source("bansos"),
    };
    store
        .open_case(&o, &cx(0, "rina", Role::ManagerRegency))
        .await
        .unwrap()
}

/// The bansos happy path up to the monev visit, as (role, command).
fn bansos_path() -> Vec<(Role, Command)> {
    vec![
        (
            Role::ManagerRegency,
            cmd(
                "k1",
                "submit",
                &[
                    ("amount_requested", "Rp 150.000.000"),
                    ("proposal_doc", "u.pdf"),
                    ("in_craft_centre", "ya"),
                ],
            ),
        ),
        (Role::Verifier, cmd("k2", "start_verification", &[])),
        (
            Role::Verifier,
            cmd(
                "k3",
                "verify",
                &[("legal_entity_valid", "ya"), ("rat_held_last_year", "ya")],
            ),
        ),
        (
            Role::Verifier,
            cmd("k4", "approve", &[("amount_approved", "Rp 120.000.000")]),
        ),
        (
            Role::ManagerRegency,
            cmd("k5", "assign_officer", &[("officer", "dedi")]),
        ),
        (
            Role::ManagerProvince,
            cmd(
                "k6",
                "disburse",
                &[("transfer_ref", "SP2D-1"), ("transfer_date", "2026-01-20")],
            ),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_runs_end_to_end_and_its_chain_verifies() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        for (i, (role, c)) in bansos_path().into_iter().enumerate() {
            let out = store
                .apply(&f.catalog, "C-1", &c, &cx(i as i64 + 1, "u", role), None)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(matches!(out, Outcome::Applied { .. }), "{name}");
        }
        let view = store.case("C-1").await.unwrap().unwrap();
        assert_eq!(
            (view.row.state.as_str(), view.row.seq, view.events.len()),
            ("disbursed", 7, 7),
            "{name}"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM tranches WHERE amount = 120000000"
            )
            .await,
            1,
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM visits WHERE done_at IS NULL").await,
            1,
            "{name}"
        );
        // Reminders of states the case left are void; those of `disbursed` pend.
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM reminders WHERE status = 'pending'"
            )
            .await,
            4,
            "{name}"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM outbox WHERE template = 'case_approved'"
            )
            .await,
            1,
            "{name}"
        );
        assert_eq!(store.verify().await.unwrap(), Ok(7), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_key_returns_the_first_result_without_a_new_event() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        let again = open(&store, &f, "C-1").await;
        assert!(
            matches!(again, Outcome::Repeated { .. }),
            "{name}: opening twice"
        );
        let path = bansos_path();
        for (i, (role, c)) in path.iter().enumerate() {
            store
                .apply(&f.catalog, "C-1", c, &cx(i as i64 + 1, "u", *role), None)
                .await
                .unwrap();
        }
        let (role, last) = path.last().unwrap();
        let first = store
            .case("C-1")
            .await
            .unwrap()
            .unwrap()
            .events
            .last()
            .cloned()
            .unwrap();
        let out = store
            .apply(&f.catalog, "C-1", last, &cx(99, "u", *role), None)
            .await
            .unwrap();
        assert_eq!(
            out,
            Outcome::Repeated {
                case_id: "C-1".into(),
                event: first
            },
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM tranches").await,
            1,
            "{name}: paid twice"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            7,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_from_many_writers_at_once_has_one_effect() {
    let f = Arc::new(fixture());
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        let path = bansos_path();
        for (i, (role, c)) in path[..5].iter().enumerate() {
            store
                .apply(&f.catalog, "C-1", c, &cx(i as i64 + 1, "u", *role), None)
                .await
                .unwrap();
        }
        let (role, disburse) = path[5].clone();
        let mut tasks = Vec::new();
        for w in 0..8 {
            let (store, f, disburse) = (store.clone(), f.clone(), disburse.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .apply(
                        &f.catalog,
                        "C-1",
                        &disburse,
                        &cx(10 + w, "hendra", role),
                        None,
                    )
                    .await
            }));
        }
        let mut applied = 0;
        for t in tasks {
            match t.await.unwrap().unwrap_or_else(|e| panic!("{name}: {e}")) {
                Outcome::Applied { .. } => applied += 1,
                Outcome::Repeated { event, .. } => assert_eq!(event.seq, 7, "{name}"),
            }
        }
        assert_eq!(applied, 1, "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM tranches").await,
            1,
            "{name}: disbursed twice"
        );
        assert_eq!(store.verify().await.unwrap(), Ok(7), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_commands_racing_on_one_case_never_overwrite() {
    let f = Arc::new(fixture());
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        // Eight submissions with different keys: one moves the case, the rest are refused in the new state.
        let mut tasks = Vec::new();
        for w in 0..8 {
            let (store, f) = (store.clone(), f.clone());
            tasks.push(tokio::spawn(async move {
                let c = cmd(
                    &format!("submit-{w}"),
                    "submit",
                    &[
                        ("amount_requested", "1000"),
                        ("proposal_doc", "u.pdf"),
                        ("in_craft_centre", "ya"),
                    ],
                );
                store
                    .apply(
                        &f.catalog,
                        "C-1",
                        &c,
                        &cx(1, "rina", Role::ManagerRegency),
                        None,
                    )
                    .await
            }));
        }
        let mut applied = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(Outcome::Applied { .. }) => applied += 1,
                Err(StoreError::Refused(r)) => assert_eq!(r.code(), "wrong_state", "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(applied, 1, "{name}");
        assert_eq!(store.verify().await.unwrap(), Ok(2), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_version_is_a_conflict_and_a_refusal_writes_nothing() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        let (role, submit) = bansos_path().remove(0);
        let err = store
            .apply(&f.catalog, "C-1", &submit, &cx(1, "rina", role), Some(5))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { ref state, seq: 1, .. } if state == "draft"),
            "{name}: {err:?}"
        );
        let err = store
            .apply(
                &f.catalog,
                "C-1",
                &cmd("x", "approve", &[]),
                &cx(1, "rina", Role::Verifier),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            1,
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(DISTINCT idem_key) FROM events").await,
            1,
            "{name}: one key recorded"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM outbox").await,
            0,
            "{name}: no email for a refused command"
        );
        assert!(
            matches!(
                store
                    .apply(&f.catalog, "nope", &submit, &cx(1, "rina", role), None)
                    .await,
                Err(StoreError::NotFound(_))
            ),
            "{name}"
        );
    }
}

/// Cases a transaction sees with `pantau.region` set to `region`, asking
/// for every case (no `WHERE`): only row-level security can narrow it.
async fn seen_from(store: &Store, region: &str) -> i64 {
    use sea_orm::TransactionTrait;
    let txn = store.connection().begin().await.unwrap();
    txn.query_one_raw(Statement::from_sql_and_values(
        store.backend(),
        "SELECT set_config('pantau.region', $1, true)",
        [region.into()],
    ))
    .await
    .unwrap();
    let row = txn
        .query_one_raw(Statement::from_string(
            store.backend(),
            "SELECT COUNT(*) FROM cases",
        ))
        .await
        .unwrap()
        .unwrap();
    txn.commit().await.unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_region_sees_only_its_cases_whatever_the_query_asks() {
    let f = fixture();
    for (name, store, _t) in backends().await {
        if name != "postgres" {
            continue;
        }
        // The tests run as an ordinary role, as Pantau should: a superuser
        // would pass every policy by.
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FILTER (WHERE rolsuper OR rolbypassrls) \
                 FROM pg_roles WHERE rolname = current_user"
            )
            .await,
            0
        );
        for (id, region) in [("rls-1", "18.71"), ("rls-2", "18.01"), ("rls-3", "13.71")] {
            open_in(&store, &f, id, region).await;
        }
        assert_eq!(seen_from(&store, "18.71").await, 1, "a kabupaten/kota");
        assert_eq!(
            seen_from(&store, "18").await,
            2,
            "a province and its kabupaten/kota"
        );
        assert_eq!(seen_from(&store, "13").await, 1, "another province");
        assert_eq!(
            seen_from(&store, "1").await,
            0,
            "no prefix match across codes"
        );
        // Without the setting (writes, the CLI, the sweep): every case.
        assert_eq!(count(&store, "SELECT COUNT(*) FROM cases").await, 3);
        // The store's scoped reads set it: Lampung's sums hold Lampung's cases.
        let lampung = pantau_domain::access::Scope::Region("18".parse().unwrap());
        let sums = store.state_sums(&lampung).await.unwrap();
        assert!(sums.iter().all(|s| s.region.starts_with("18")), "{sums:?}");
    }
}
