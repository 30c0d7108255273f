//! Write transactions, one at a time on SQLite, in the order they asked,
//! on one connection kept for writing, committed together.
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
//! two rounds each way: 903–984 → 1,017–1,108 transitions/s).
//!
//! Writers who waited in the queue are committed together (group commit).
//! A writer's work goes into the connection's open transaction, the
//! *batch*; the first writer begins it, each later one works inside a
//! savepoint of its own. A writer that finishes releases its savepoint and
//! then waits, at the back of the queue, for the batch's one `COMMIT`:
//! whoever of the batch's finished writers reaches the front first commits
//! it for all of them, after the writers who were waiting behind it have
//! added their work. One `COMMIT` (one write of the WAL, one fsync) then
//! stands for as many writers as were waiting; a writer alone commits at
//! once. As seen by each caller nothing changes: `commit` returns when its
//! work is durable, or with an error when it is not (the batch failed);
//! a writer that fails or is dropped rolls back its own savepoint only.
//! Nothing a writer wrote is seen by other connections before its commit
//! returns, as before.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::schema::connect::BUSY_TIMEOUT;
use crate::{Store, StoreError};

/// A member's savepoint, begun, kept and undone.
const SAVE: &str = "SAVEPOINT pantau_member";
const RELEASE: &str = "RELEASE pantau_member";
const UNDO: &str = "ROLLBACK TO pantau_member; RELEASE pantau_member";

/// The queue of the process's SQLite writers, shared by a store's clones,
/// and the batch the writing connection has open.
#[derive(Debug, Default)]
pub(crate) struct Turns {
    slot: Arc<Mutex<Slot>>,
    /// Writers waiting for their turn (not counting finished writers
    /// waiting to commit their batch).
    asking: AtomicUsize,
}

/// One writer counted in [`Turns::asking`] while it waits, however its
/// wait ends.
struct Asking<'a>(&'a AtomicUsize);

impl<'a> Asking<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Asking(count)
    }
}

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Debug, Default)]
pub(crate) struct Slot {
    batch: Option<Batch>,
    /// Batches begun so far: a batch's number.
    begun: u64,
}

/// What a batch's finished writers are told: nothing yet, or how its
/// `COMMIT` went.
type Closed = Option<Result<(), String>>;

#[derive(Debug)]
struct Batch {
    txn: DatabaseTransaction,
    number: u64,
    /// A writer ended unfinished inside its savepoint: the savepoint is
    /// rolled back before anything else is written or committed.
    unfinished: bool,
    /// A savepoint statement was sent and its caller stopped waiting
    /// before it answered (an HTTP client gone): what the savepoints hold
    /// is unknown, so the batch is rolled back and its writers told.
    midway: bool,
    closed: watch::Sender<Closed>,
}

impl Batch {
    /// Sends a savepoint statement, [`Batch::midway`] until it answers.
    async fn savepoint(&mut self, sql: &str) -> Result<(), DbErr> {
        self.midway = true;
        self.txn.execute_unprepared(sql).await?;
        self.midway = false;
        Ok(())
    }
}

/// Why a batch with [`Batch::midway`] set was rolled back.
const MIDWAY: &str =
    "a writer stopped waiting in the middle of a savepoint statement; the batch was rolled back";

/// A write transaction holding its turn until it commits or rolls back.
/// Dropped unfinished, its work rolls back, then the turn passes.
pub(crate) struct Writing(Option<Inner>);

enum Inner {
    /// PostgreSQL, or a writer who gave up waiting for its turn: a
    /// transaction of its own.
    Alone(DatabaseTransaction),
    /// A writer in the writing connection's batch, holding the turn;
    /// `saved` when it works in a savepoint (all but the batch's first).
    Member {
        turn: OwnedMutexGuard<Slot>,
        saved: bool,
        turns: Arc<Turns>,
    },
}

impl Deref for Writing {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        match &self.0 {
            Some(Inner::Alone(txn)) => txn,
            Some(Inner::Member { turn, .. }) => match &turn.batch {
                Some(batch) => &batch.txn,
                None => unreachable!("a writer's batch stays open while it writes"),
            },
            None => unreachable!("a writing is used only until it commits or rolls back"),
        }
    }
}

/// Read and written through like the transaction it holds.
#[async_trait::async_trait]
impl ConnectionTrait for Writing {
    fn get_database_backend(&self) -> DbBackend {
        self.deref().get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.deref().execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.deref().execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.deref().query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.deref().query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.deref().support_returning()
    }
}

impl Writing {
    /// Returns once the work is committed: at once for a transaction of
    /// its own or a batch nobody waits to join, else with its batch.
    pub(crate) async fn commit(mut self) -> Result<(), DbErr> {
        let (mut turn, saved, turns) = match self.0.take() {
            Some(Inner::Alone(txn)) => return txn.commit().await,
            Some(Inner::Member { turn, saved, turns }) => (turn, saved, turns),
            None => return Ok(()),
        };
        let Some(batch) = turn.batch.as_mut() else {
            return Err(DbErr::Custom("the batch is gone".into()));
        };
        if saved && let Err(e) = batch.savepoint(RELEASE).await {
            fail(&mut turn, &e.to_string());
            return Err(e);
        }
        if turns.asking.load(Ordering::SeqCst) == 0 && batch.closed.receiver_count() == 0 {
            // Alone in its batch with nobody asking: committed now, the turn
            // still held, as a writer alone always was. (With others in the
            // batch it is handed on even so: a caller who stopped waiting
            // in the middle of the COMMIT would leave them not knowing.)
            return match turn.batch.take() {
                Some(batch) => close(batch).await,
                None => Ok(()),
            };
        }
        let number = batch.number;
        let mut closed = batch.closed.subscribe();
        drop(turn);
        // In a task of its own, so a caller who stops waiting never leaves
        // the batch open.
        tokio::spawn(close_if_open(turns, number));
        let told = closed.wait_for(Option::is_some).await;
        match told.as_deref() {
            Ok(Some(Ok(()))) => Ok(()),
            Ok(Some(Err(e))) => Err(DbErr::Custom(e.clone())),
            _ => Err(DbErr::Custom("the batch ended uncommitted".into())),
        }
    }

    pub(crate) async fn rollback(mut self) -> Result<(), DbErr> {
        match self.0.take() {
            Some(Inner::Alone(txn)) => txn.rollback().await,
            member => {
                self.0 = member;
                drop(self);
                Ok(())
            }
        }
    }
}

impl Drop for Writing {
    /// A member dropped unfinished: a savepoint is rolled back by whoever
    /// comes next; the batch's first has nothing of others in it, so the
    /// whole transaction rolls back.
    fn drop(&mut self) {
        if let Some(Inner::Member {
            mut turn, saved, ..
        }) = self.0.take()
        {
            match (saved, turn.batch.as_mut()) {
                (true, Some(batch)) => batch.unfinished = true,
                _ => turn.batch = None,
            }
        }
    }
}

/// Commits batch `number` for its finished writers, if nobody has yet.
async fn close_if_open(turns: Arc<Turns>, number: u64) {
    let mut turn = turns.slot.lock().await;
    if turn.batch.as_ref().is_some_and(|b| b.number == number)
        && let Some(batch) = turn.batch.take()
    {
        // Its writers hear how it went.
        close(batch).await.ok();
    }
}

/// Commits `batch` (after undoing an unfinished writer's savepoint; rolls
/// it back when a savepoint statement was left midway) and tells its
/// finished writers how it went.
async fn close(batch: Batch) -> Result<(), DbErr> {
    let Batch {
        txn,
        unfinished,
        midway,
        closed,
        ..
    } = batch;
    let result = async {
        if midway {
            return Err(DbErr::Custom(MIDWAY.into()));
        }
        if unfinished {
            txn.execute_unprepared(UNDO).await?;
        }
        txn.commit().await
    }
    .await;
    closed.send_replace(Some(result.as_ref().map(|_| ()).map_err(|e| e.to_string())));
    result
}

/// The batch failed: its finished writers hear why, and what it holds
/// rolls back.
fn fail(turn: &mut Slot, why: &str) {
    if let Some(batch) = turn.batch.take() {
        batch.closed.send_replace(Some(Err(why.to_string())));
    }
}

impl Store {
    /// A write transaction: `BEGIN IMMEDIATE` on SQLite after this
    /// process's writers before it, so a read-then-write never fails on
    /// upgrade and nobody waits in SQLite's busy handler for another of
    /// ours.
    pub(crate) async fn begin_write(&self) -> Result<Writing, StoreError> {
        let turns = self.turns.clone();
        let waited = match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                let _asking = Asking::new(&turns.asking);
                let queue = turns.slot.clone();
                tokio::time::timeout(BUSY_TIMEOUT, queue.lock_owned())
                    .await
                    .ok()
            }
            _ => None,
        };
        // PostgreSQL; or past the busy timeout (a bulk import may hold the
        // file longer) a writer gives up its place and begins on the pool,
        // as any process would, waiting in SQLite's busy handler instead.
        let Some(mut turn) = waited else {
            return Ok(Writing(Some(Inner::Alone(begin(&self.db).await?))));
        };
        let saved = join(&mut turn).await;
        if !saved {
            turn.begun += 1;
            let txn = begin(&self.writer).await?;
            turn.batch = Some(Batch {
                txn,
                number: turn.begun,
                unfinished: false,
                midway: false,
                closed: watch::Sender::new(None),
            });
        }
        Ok(Writing(Some(Inner::Member { turn, saved, turns })))
    }
}

/// Opens a savepoint in the open batch, after undoing an unfinished
/// writer's; false when there is no batch to join (none open, or the one
/// open failed: its writers are told).
async fn join(turn: &mut Slot) -> bool {
    let Some(batch) = turn.batch.as_mut() else {
        return false;
    };
    if batch.midway {
        fail(turn, MIDWAY);
        return false;
    }
    let sql = if batch.unfinished {
        format!("{UNDO}; {SAVE}")
    } else {
        SAVE.to_string()
    };
    match batch.savepoint(&sql).await {
        Ok(()) => {
            batch.unfinished = false;
            true
        }
        Err(e) => {
            fail(turn, &e.to_string());
            false
        }
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
mod tests;
