//! The bench's databases: fresh stores, the seed, the cases loaded in
//! batches, and the reset between rounds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::*;
use chrono::TimeDelta;
use pantau_domain::{Lang, Role};
use pantau_store::accounts::NewUser;
use pantau_store::schema::entity::case;
use pantau_store::{Opening, Settings, Store};
use pantau_workflow::{Actor, Case, Catalog, Command, Context};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement, TransactionTrait, Value};

/// A fresh, empty store.
pub(super) async fn fresh(backend: Backend) -> Result<(Store, Place), String> {
    match backend {
        Backend::Sqlite => {
            let (dir, url) = db::fresh_sqlite();
            let file = dir.path().join("pantau.db");
            let store = Store::open(&Settings::new(url))
                .await
                .map_err(|e| e.to_string())?;
            Ok((store, Place::Sqlite(dir, file)))
        }
        Backend::Postgres => {
            let url = db::fresh_postgres().await?;
            let store = Store::open(&Settings::new(url.as_str()))
                .await
                .map_err(|e| e.to_string())?;
            Ok((store, Place::Postgres { url }))
        }
    }
}

/// The real case, opened and submitted through the store, and the verifier.
pub(super) async fn seed(store: &Store, catalog: &Catalog) -> Arc<Model> {
    let def = catalog.latest("bansos").unwrap();
    let id = "real-0";
    let cx = Context {
        now: t0(),
        actor: Actor {
            user: "rina".into(),
            role: Role::ManagerRegency,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let o = Opening {
        case_id: id.into(),
        key: "open:real-0".into(),
        region: Some(REGION.into()),
        program_id: None,
        beneficiary_id: None,
        definition: def,
        source: catalog.source("bansos", def.version).unwrap(),
    };
    store.open_case(&o, &cx).await.unwrap();
    let cmd = Command {
        observed_at: None,
        key: "submit:real-0".into(),
        action: "submit".into(),
        inputs: [
            ("amount_requested", "Rp 150.000.000"),
            ("proposal_doc", "usulan.pdf"),
            ("in_craft_centre", "ya"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    store.apply(catalog, id, &cmd, &cx, None).await.unwrap();
    let u = NewUser {
        login: "agus".into(),
        name: "Agus Verifikator".into(),
        email: "agus@dinas.example".into(),
        role: Role::Verifier,
        region: Some(REGION.into()),
        lang: Lang::Id,
        digest: false,
        password_hash: None,
    };
    assert!(store.add_user(&u, t0()).await.unwrap());
    let case = case::Entity::find_by_id(id)
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.state, "submitted");
    let snapshot: Case = serde_json::from_str(&case.snapshot).unwrap();
    Arc::new(Model { case, snapshot })
}

/// Writes cases `0..n` (`C0000000` …) with one pending reminder each; `due`
/// of them, spread evenly, fell due before [`sweep_at`]. Transactions of
/// [`TXN_CASES`] cases, [`loaders`] of them at a time.
pub(super) async fn load(store: &Store, model: &Arc<Model>, n: usize, due: usize, what: &str) {
    let next = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..loaders(store.backend()))
        .map(|_| {
            let (store, model, next, written) =
                (store.clone(), model.clone(), next.clone(), written.clone());
            let what = what.to_string();
            tokio::spawn(async move {
                loop {
                    let from = next.fetch_add(TXN_CASES, Ordering::Relaxed);
                    if from >= n {
                        break;
                    }
                    let to = (from + TXN_CASES).min(n);
                    load_range(&store, &model, from..to, n, due).await;
                    let before = written.fetch_add(to - from, Ordering::Relaxed);
                    let after = before + to - from;
                    if after / 100_000 > before / 100_000 {
                        let secs = started.elapsed().as_secs_f64();
                        eprintln!(
                            "  {what}: {} cases written, {secs:.0} s, {:.0} cases/s",
                            thousands(after),
                            after as f64 / secs
                        );
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(written.load(Ordering::Relaxed), n);
}

/// Concurrent setup transactions: SQLite has one writer at a time; on
/// PostgreSQL several connections hide each statement's round trip.
pub(super) fn loaders(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 4,
        _ => 1,
    }
}

/// Cases `range` of `n` and their reminders, in one transaction.
pub(super) async fn load_range(
    store: &Store,
    model: &Model,
    range: std::ops::Range<usize>,
    n: usize,
    due: usize,
) {
    let backend = store.backend();
    let every = (n / due.max(1)).max(1);
    let is_due = |i: usize| i.is_multiple_of(every) && i / every < due;
    let m = &model.case;
    let entered_seq = model.snapshot.entered_seq as i64;
    let txn = store.connection().begin().await.unwrap();
    let mut i = range.start;
    while i < range.end {
        let rows = (range.end - i).min(BATCH);
        let mut cases: Vec<Value> = Vec::with_capacity(rows * CASE_COLUMNS.len());
        let mut reminders: Vec<Value> = Vec::with_capacity(rows * REMINDER_COLUMNS.len());
        for j in i..i + rows {
            let id = format!("C{j:07}");
            let mut snapshot = model.snapshot.clone();
            snapshot.id = id.clone();
            cases.extend([
                id.clone().into(),
                m.workflow.clone().into(),
                m.workflow_version.into(),
                Value::String(Some(REGION.into())),
                Value::String(None),
                Value::String(None),
                m.state.clone().into(),
                m.seq.into(),
                Value::BigInt(None),
                0i64.into(),
                serde_json::to_string(&snapshot).unwrap().into(),
                m.head_hash.clone().into(),
                m.opened_at.into(),
                m.updated_at.into(),
            ]);
            // Due ones fell due at least an hour before the sweep; the
            // rest fire between one and eight days after it.
            let fire_at = if is_due(j) {
                sweep_at() - TimeDelta::hours(1) - TimeDelta::seconds((j / every) as i64)
            } else {
                sweep_at() + TimeDelta::days(1) + TimeDelta::seconds((j % 604_800) as i64)
            };
            reminders.extend([
                format!("{id}:{entered_seq}:submitted:0:0").into(),
                id.into(),
                entered_seq.into(),
                "submitted".into(),
                fire_at.into(),
                "verifier".into(),
                "proposal_waiting".into(),
                0i32.into(),
                "pending".into(),
            ]);
        }
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            insert_sql(backend, "cases", &CASE_COLUMNS, rows),
            cases,
        ))
        .await
        .unwrap();
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            insert_sql(backend, "reminders", &REMINDER_COLUMNS, rows),
            reminders,
        ))
        .await
        .unwrap();
        i += rows;
    }
    txn.commit().await.unwrap();
}

pub(super) async fn prepare(
    backend: Backend,
    catalog: &Catalog,
    cases: usize,
    due: usize,
) -> Result<Prepared, String> {
    let started = Instant::now();
    let (store, place) = fresh(backend).await?;
    let model = seed(&store, catalog).await;
    let what = format!("{} {}", backend.name(), thousands(cases));
    load(&store, &model, cases, due, &what).await;
    if backend == Backend::Postgres {
        store
            .connection()
            .execute_unprepared("ANALYZE")
            .await
            .unwrap();
    }
    Ok(Prepared {
        store,
        cases,
        due,
        setup: started.elapsed(),
        place,
    })
}

/// Puts the swept reminders back and empties the outbox.
pub(super) async fn reset(store: &Store) {
    let db = store.connection();
    db.execute_unprepared("UPDATE reminders SET status = 'pending' WHERE status = 'queued'")
        .await
        .unwrap();
    db.execute_unprepared("DELETE FROM outbox").await.unwrap();
}
