//! The hand-written baseline: the same writes as plain SQL through the
//! same pool, and the raw single-row INSERT commits.

use sql::placeholders;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use super::*;
use pantau_chain as chain;
use pantau_domain::Role;
use pantau_store::Store;
use sea_orm::{
    ConnectionTrait, DbBackend, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};

/// The hand-written transaction's statements and precomputed values.
pub(super) struct Hand {
    pub(super) backend: DbBackend,
    pub(super) select: String,
    pub(super) update: String,
    pub(super) event: String,
    pub(super) outbox: String,
    /// Event bodies by step kind, taken from the store's own events.
    pub(super) bodies: [String; 3],
    /// A case snapshot taken from the store, a few events in.
    pub(super) snapshot: String,
}

impl Hand {
    pub(super) async fn new(store: &Store, sample_case: &str) -> Hand {
        let backend = store.backend();
        let db = store.connection();
        let mut bodies: [String; 3] = Default::default();
        for (i, action) in ["submit", "start_verification", "request_revision"]
            .into_iter()
            .enumerate()
        {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    placeholders(backend, "SELECT body FROM events WHERE case_id = ? AND action = ? ORDER BY seq LIMIT 1"),
                    [sample_case.into(), action.into()],
                ))
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("no {action} event on {sample_case}"));
            bodies[i] = row.try_get::<String>("", "body").unwrap();
        }
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                placeholders(backend, "SELECT snapshot FROM cases WHERE id = ?"),
                [sample_case.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        let snapshot = row.try_get::<String>("", "snapshot").unwrap();
        let p = |s: &str| placeholders(backend, s);
        Hand {
            backend,
            select: p("SELECT seq, head_hash FROM cases WHERE id = ?"),
            update: p(
                "UPDATE cases SET state = ?, seq = ?, snapshot = ?, head_hash = ?, updated_at = ? WHERE id = ? AND seq = ?",
            ),
            event: p(
                "INSERT INTO events (case_id, seq, at, actor_user, actor_role, action, idem_key, from_state, to_state, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ),
            outbox: p(
                "INSERT INTO outbox (id, key, case_id, kind, to_role, template, lang, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ),
            bodies,
            snapshot,
        }
    }

    pub(super) fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    /// One command as four statements in one transaction.
    pub(super) async fn transition(&self, store: &Store, id: &str, step: u32) {
        let (kind, action, from, to) = hand_step(step);
        let now = cx(step, Role::Verifier).now;
        let txn = store
            .connection()
            .begin_with_options(TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            })
            .await
            .unwrap();
        let row = txn
            .query_one_raw(self.stmt(&self.select, vec![id.into()]))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no case {id}"));
        let seq: i64 = row.try_get("", "seq").unwrap();
        let prev: String = row.try_get("", "head_hash").unwrap();
        let new_seq = seq + 1;
        let body = &self.bodies[kind];
        let hash = chain::hash(id, new_seq, &prev, body);
        let updated = txn
            .execute_raw(self.stmt(
                &self.update,
                vec![
                    to.into(),
                    new_seq.into(),
                    self.snapshot.clone().into(),
                    hash.clone().into(),
                    now.into(),
                    id.into(),
                    seq.into(),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(updated.rows_affected(), 1, "{id} moved under the bench");
        let key = format!("{id}:{step}");
        txn.execute_raw(self.stmt(
            &self.event,
            vec![
                id.into(),
                new_seq.into(),
                now.into(),
                "bench".into(),
                "verifier".into(),
                action.into(),
                key.into(),
                from.into(),
                to.into(),
                body.clone().into(),
                prev.into(),
                hash.into(),
            ],
        ))
        .await
        .unwrap();
        let okey = format!("{id}:{new_seq}:notify:0");
        let payload = format!(r#"{{"action":"{action}","case_id":"{id}","seq":{new_seq}}}"#);
        txn.execute_raw(self.stmt(
            &self.outbox,
            vec![
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, okey.as_bytes())
                    .to_string()
                    .into(),
                okey.into(),
                id.into(),
                "notify".into(),
                "manager_regency".into(),
                "revision_requested".into(),
                "id".into(),
                payload.into(),
                "queued".into(),
                0i32.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }
}

pub(super) async fn hand_work(
    store: Store,
    hand: Arc<Hand>,
    mut lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    while lane.more(n, until) {
        let (id, step) = lane.take();
        hand.transition(&store, &id, step).await;
        lane.done += 1;
    }
    lane
}

pub(super) async fn raw_work(
    store: Store,
    next_id: Arc<AtomicI64>,
    mut lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    let backend = store.backend();
    let sql = placeholders(backend, "INSERT INTO bench_raw (id, v) VALUES (?, ?)");
    while lane.more(n, until) {
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        store
            .connection()
            .execute_raw(Statement::from_sql_and_values(
                backend,
                &sql,
                [id.into(), "x".into()],
            ))
            .await
            .unwrap();
        lane.done += 1;
    }
    lane
}
