//! The direct baseline: the store's writes per transition sent by each
//! database's own driver (`rusqlite`, `tokio-postgres`), one connection per
//! client and nothing in between (no pool, no ORM, no engine): what the
//! database and the disk allow for the same work.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use chrono::{DateTime, TimeDelta, Utc};
use pantau_chain as chain;
use pantau_domain::Role;
use rusqlite::OptionalExtension;
use sql::placeholders;

/// Where the direct baseline connects.
pub(super) enum Target {
    /// The store's SQLite file (already in WAL mode), with this `synchronous`.
    Sqlite {
        path: PathBuf,
        full: bool,
    },
    Postgres {
        url: String,
    },
}

/// The statements of one transition, as the store sends them: the
/// idempotency key looked up, the case row read, the case updated where
/// its `seq` is still the one read, the event appended, the left state's
/// reminders voided and the entered state's armed, and (one step in three)
/// an outbox row.
const KEY: &str = "SELECT case_id, body FROM events WHERE idem_key = ?";
const CASE: &str = "SELECT id, workflow, workflow_version, region, program_id, beneficiary_id, state, seq, approved_amount, disbursed_amount, snapshot, head_hash, opened_at, updated_at, officer FROM cases WHERE id = ?";
const UPDATE: &str = "UPDATE cases SET state = ?, seq = ?, snapshot = ?, head_hash = ?, updated_at = ? WHERE id = ? AND seq = ?";
const EVENT: &str = "INSERT INTO events (case_id, seq, at, actor_user, actor_role, action, idem_key, from_state, to_state, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const VOID: &str = "UPDATE reminders SET status = 'void' WHERE case_id = ? AND status = 'pending'";
const ARM: &str = "INSERT INTO reminders (key, case_id, entered_seq, state, fire_at, to_role, template, step, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')";
const OUTBOX: &str = "INSERT INTO outbox (id, key, case_id, kind, to_role, template, lang, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'notify', 'manager_regency', 'revision_requested', 'id', ?, 'queued', 0, ?, ?)";

/// What one transition writes once its case row is read.
struct Step<'a> {
    id: &'a str,
    action: &'static str,
    from: &'static str,
    to: &'static str,
    key: String,
    seq: i64,
    prev: String,
    hash: String,
    body: &'a str,
    now: DateTime<Utc>,
    fire_at: DateTime<Utc>,
    reminder: String,
    /// (id, key, payload) of the outbox row, one step in three.
    outbox: Option<(String, String, String)>,
}

impl<'a> Step<'a> {
    fn new(hand: &'a Hand, id: &'a str, step: u32, read_seq: i64, prev: String) -> Step<'a> {
        let (kind, action, from, to) = hand_step(step);
        let now = cx(step, Role::Verifier).now;
        let seq = read_seq + 1;
        let body = &hand.bodies[kind];
        let outbox = (kind == 2).then(|| {
            let key = format!("{id}:{seq}:notify:0");
            let oid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string();
            let payload = format!(r#"{{"action":"{action}","case_id":"{id}","seq":{seq}}}"#);
            (oid, key, payload)
        });
        Step {
            id,
            action,
            from,
            to,
            key: format!("{id}:{step}"),
            seq,
            hash: chain::hash(id, seq, &prev, body),
            prev,
            body,
            now,
            fire_at: now + TimeDelta::days(3),
            reminder: format!("{id}:{seq}:remind:0"),
            outbox,
        }
    }
}

pub(super) async fn direct_work(
    target: Arc<Target>,
    hand: Arc<Hand>,
    lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    match &*target {
        Target::Sqlite { .. } => {
            tokio::task::spawn_blocking(move || sqlite_lane(&target, &hand, lane, n, until))
                .await
                .unwrap()
        }
        Target::Postgres { url } => postgres_lane(url, &hand, lane, n, until).await,
    }
}

/// One client on its own rusqlite connection, on a blocking thread.
fn sqlite_lane(
    target: &Target,
    hand: &Hand,
    mut lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    let Target::Sqlite { path, full } = target else {
        unreachable!("a SQLite lane on PostgreSQL")
    };
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    // As the store's connections: the file is in WAL mode already.
    conn.pragma_update(None, "synchronous", if *full { "FULL" } else { "NORMAL" })
        .unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let time = |t: DateTime<Utc>| t.to_rfc3339();
    while lane.more(n, until) {
        let (id, step) = lane.take();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let key = format!("{id}:{step}");
        let seen = tx
            .prepare_cached(KEY)
            .unwrap()
            .query_row([&key], |_| Ok(()))
            .optional()
            .unwrap();
        assert!(seen.is_none(), "{key} applied twice");
        let (seq, prev, _snapshot): (i64, String, String) = tx
            .prepare_cached(CASE)
            .unwrap()
            .query_row([&id], |r| {
                Ok((r.get("seq")?, r.get("head_hash")?, r.get("snapshot")?))
            })
            .unwrap();
        let s = Step::new(hand, &id, step, seq, prev);
        let updated = tx
            .prepare_cached(UPDATE)
            .unwrap()
            .execute(rusqlite::params![
                s.to,
                s.seq,
                hand.snapshot,
                s.hash,
                time(s.now),
                s.id,
                seq
            ])
            .unwrap();
        assert_eq!(updated, 1, "{id} moved under the bench");
        tx.prepare_cached(EVENT)
            .unwrap()
            .execute(rusqlite::params![
                s.id,
                s.seq,
                time(s.now),
                "bench",
                "verifier",
                s.action,
                s.key,
                s.from,
                s.to,
                s.body,
                s.prev,
                s.hash
            ])
            .unwrap();
        tx.prepare_cached(VOID).unwrap().execute([s.id]).unwrap();
        tx.prepare_cached(ARM)
            .unwrap()
            .execute(rusqlite::params![
                s.reminder,
                s.id,
                s.seq,
                s.to,
                time(s.fire_at),
                "verifier",
                "reminder",
                0
            ])
            .unwrap();
        if let Some((oid, okey, payload)) = &s.outbox {
            tx.prepare_cached(OUTBOX)
                .unwrap()
                .execute(rusqlite::params![
                    oid,
                    okey,
                    s.id,
                    payload,
                    time(s.now),
                    time(s.now)
                ])
                .unwrap();
        }
        tx.commit().unwrap();
        lane.done += 1;
    }
    lane
}

/// One client on its own tokio-postgres connection, statements prepared once.
async fn postgres_lane(
    url: &str,
    hand: &Hand,
    mut lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    let (mut client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let p = |s: &str| placeholders(DbBackend::Postgres, s);
    let key_q = client.prepare(&p(KEY)).await.unwrap();
    let case_q = client.prepare(&p(CASE)).await.unwrap();
    let update_q = client.prepare(&p(UPDATE)).await.unwrap();
    let event_q = client.prepare(&p(EVENT)).await.unwrap();
    let void_q = client.prepare(&p(VOID)).await.unwrap();
    let arm_q = client.prepare(&p(ARM)).await.unwrap();
    let outbox_q = client.prepare(&p(OUTBOX)).await.unwrap();
    while lane.more(n, until) {
        let (id, step) = lane.take();
        let tx = client.transaction().await.unwrap();
        let key = format!("{id}:{step}");
        let seen = tx.query_opt(&key_q, &[&key]).await.unwrap();
        assert!(seen.is_none(), "{key} applied twice");
        let row = tx.query_one(&case_q, &[&id]).await.unwrap();
        let seq: i64 = row.get("seq");
        let _snapshot: String = row.get("snapshot");
        let s = Step::new(hand, &id, step, seq, row.get("head_hash"));
        let updated = tx
            .execute(
                &update_q,
                &[&s.to, &s.seq, &hand.snapshot, &s.hash, &s.now, &s.id, &seq],
            )
            .await
            .unwrap();
        assert_eq!(updated, 1, "{id} moved under the bench");
        tx.execute(
            &event_q,
            &[
                &s.id,
                &s.seq,
                &s.now,
                &"bench",
                &"verifier",
                &s.action,
                &s.key,
                &s.from,
                &s.to,
                &s.body,
                &s.prev,
                &s.hash,
            ],
        )
        .await
        .unwrap();
        tx.execute(&void_q, &[&s.id]).await.unwrap();
        tx.execute(
            &arm_q,
            &[
                &s.reminder,
                &s.id,
                &s.seq,
                &s.to,
                &s.fire_at,
                &"verifier",
                &"reminder",
                &0i32,
            ],
        )
        .await
        .unwrap();
        if let Some((oid, okey, payload)) = &s.outbox {
            tx.execute(&outbox_q, &[oid, okey, &s.id, payload, &s.now, &s.now])
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        lane.done += 1;
    }
    drop(client);
    driver.await.unwrap().unwrap();
    lane
}
