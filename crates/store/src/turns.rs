//! Write transactions, one at a time on SQLite, in the order they asked,
//! on one connection kept for writing.
//!
//! SQLite has one writer. Left to itself, a `BEGIN IMMEDIATE` that finds the
//! file taken sleeps in its busy handler (1, 2, 5, … 100 ms) and tries
//! again, and whoever asks at the moment the lock is let go takes it: under
//! 50 users' transitions most waited a few milliseconds and some waited
//! most of a second. Here the process's own writers wait their turn in a
//! queue first (tokio's mutex is first come, first served), so SQLite's
//! busy handler only ever meets another process (`pantau remind`, a CLI
//! command). PostgreSQL locks rows, not the database: no queue there.
//!
//! The writer who has its turn writes on the store's writing connection,
//! the same one every time. In WAL mode a connection that finds the file
//! changed by another connection since its last transaction throws its
//! whole page cache away; when each transaction took whichever pooled
//! connection was free, every one of them started by reading the tables'
//! upper pages again. The writing connection only ever sees its own
//! changes, so its cache stays warm (the transitions bench, one client,
//! two rounds each way: 903–984 → 1,017–1,108 transitions/s); a dropped
//! transaction's rollback also runs there before the next writer's `BEGIN`.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::ops::Deref;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::schema::connect::BUSY_TIMEOUT;
use crate::{Store, StoreError};

/// The queue of the process's SQLite writers, shared by a store's clones.
#[derive(Debug, Default)]
pub(crate) struct Turns(Arc<Mutex<()>>);

/// A write transaction holding its turn until it commits or rolls back.
/// Dropped unfinished, its transaction rolls back, then the turn passes.
pub(crate) struct Writing {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Deref for Writing {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Read and written through like the transaction it holds.
#[async_trait::async_trait]
impl ConnectionTrait for Writing {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

impl Writing {
    pub(crate) async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Store {
    /// A write transaction: `BEGIN IMMEDIATE` on SQLite after this
    /// process's writers before it, so a read-then-write never fails on
    /// upgrade and nobody waits in SQLite's busy handler for another of
    /// ours.
    pub(crate) async fn begin_write(&self) -> Result<Writing, StoreError> {
        let turn = match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                let queue = self.turns.0.clone();
                // Past the busy timeout (a bulk import may hold the file
                // longer), SQLite's own busy handler takes over.
                tokio::time::timeout(BUSY_TIMEOUT, queue.lock_owned())
                    .await
                    .ok()
            }
            _ => None,
        };
        // A writer who gave up waiting for its turn begins on the pool, as
        // any process would, and waits in SQLite's busy handler instead.
        let conn = match turn {
            Some(_) => &self.writer,
            None => &self.db,
        };
        Ok(Writing {
            txn: begin(conn).await?,
            _turn: turn,
        })
    }
}

async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, StoreError> {
    let options = TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    };
    Ok(db.begin_with_options(options).await?)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::ConnectionTrait;

    use crate::{Settings, Store};

    /// Writers who asked while the file was taken write in the order they
    /// asked once it is let go. Left to SQLite's busy handler, each retries
    /// on its own schedule of sleeps and a later one often goes first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writers_take_turns_in_the_order_they_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("turns.db").display());
        let store = Store::open(&Settings::new(url)).await.unwrap();
        store
            .db
            .execute_unprepared("CREATE TABLE turn_order (who TEXT NOT NULL)")
            .await
            .unwrap();
        let first = store.begin_write().await.unwrap();
        let mut waiting = Vec::new();
        for who in ["b", "c", "d", "e"] {
            let store = store.clone();
            waiting.push(tokio::spawn(async move {
                let w = store.begin_write().await.unwrap();
                w.execute_unprepared(&format!("INSERT INTO turn_order VALUES ('{who}')"))
                    .await
                    .unwrap();
                w.commit().await.unwrap();
            }));
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.commit().await.unwrap();
        for w in waiting {
            w.await.unwrap();
        }
        let rows = store
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                store.db_backend(),
                "SELECT who FROM turn_order ORDER BY rowid",
            ))
            .await
            .unwrap();
        let order: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect();
        assert_eq!(order, ["b", "c", "d", "e"]);
    }
}
