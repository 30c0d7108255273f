//! What a measurement takes, and the raw batched INSERTs the decree is
//! compared with.

use std::future::Future;
use std::time::{Duration, Instant};

use super::*;
use pantau_store::Store;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait, Value};

/// Wall and CPU time of `work`.
pub(super) struct Took {
    pub(super) wall: Duration,
    pub(super) cpu: Option<Duration>,
}

impl Took {
    pub(super) fn per(&self, n: usize) -> (f64, Option<f64>) {
        (
            self.wall.as_secs_f64() * 1e6 / n as f64,
            self.cpu.map(|c| c.as_secs_f64() * 1e6 / n as f64),
        )
    }
}

pub(super) async fn timed<T>(work: impl Future<Output = T>) -> (T, Took) {
    let cpu0 = bench::cpu_time();
    let started = Instant::now();
    let out = work.await;
    let wall = started.elapsed();
    let cpu = cpu0
        .zip(bench::cpu_time())
        .map(|(a, b)| b.saturating_sub(a));
    (out, Took { wall, cpu })
}

/// `n` rows into a new table, 500 per INSERT, one transaction per INSERT.
pub(super) async fn raw(store: &Store, table: &str, n: usize) -> Took {
    let backend = store.backend();
    let db = store.connection();
    db.execute_unprepared(&format!(
        "CREATE TABLE {table} (id BIGINT PRIMARY KEY, case_id TEXT NOT NULL, amount BIGINT NOT NULL, note TEXT NOT NULL)"
    ))
    .await
    .unwrap();
    let insert = |rows: usize| {
        let values = vec!["(?, ?, ?, ?)"; rows].join(", ");
        placeholders(
            backend,
            &format!("INSERT INTO {table} (id, case_id, amount, note) VALUES {values}"),
        )
    };
    let full = insert(RAW_BATCH);
    let ((), took) = timed(async {
        let mut i = 0;
        while i < n {
            let end = (i + RAW_BATCH).min(n);
            let sql = if end - i == RAW_BATCH {
                full.clone()
            } else {
                insert(end - i)
            };
            let mut args: Vec<Value> = Vec::with_capacity(4 * RAW_BATCH);
            for k in i..end {
                args.push((k as i64).into());
                args.push(case_id(k).into());
                args.push(APPROVED.into());
                args.push("disetujui dengan SK 500/1/V.19/2026".into());
            }
            let txn = db.begin_with_options(begin_options()).await.unwrap();
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, args))
                .await
                .unwrap();
            txn.commit().await.unwrap();
            i = end;
        }
    })
    .await;
    took
}

/// Row counts of the tables a decree writes, in a fixed order.
pub(super) const COUNTED: [(&str, &str); 5] = [
    ("events", "SELECT COUNT(*) FROM events"),
    ("reminders", "SELECT COUNT(*) FROM reminders"),
    (
        "reminders voided",
        "SELECT COUNT(*) FROM reminders WHERE status = 'void'",
    ),
    ("outbox", "SELECT COUNT(*) FROM outbox"),
    ("decree_items", "SELECT COUNT(*) FROM decree_items"),
];

pub(super) async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for (_, sql) in COUNTED {
        out.push(count(store, sql).await);
    }
    out
}
