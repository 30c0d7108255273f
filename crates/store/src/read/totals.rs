//! The running totals of cases per region, program and state
//! (`migration::m20261207_000700_case_totals`): the dashboard's sums and a
//! plain case list's count, read from a few thousand rows rather than from
//! every case in scope.

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use crate::{Store, StoreError};

/// Every total as rows `(region, program_id, state, n_cases, approved,
/// disbursed, n_visited)` of `backend`'s database, to sum grouped. On
/// SQLite, whose triggers add to the totals directly, the table itself (one
/// row per key); on PostgreSQL the folded totals and the moves not yet
/// folded.
pub(crate) fn totals(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "(SELECT region, program_id, state, n_cases, approved, disbursed, n_visited \
             FROM case_totals UNION ALL \
             SELECT region, program_id, state, n_cases, approved, disbursed, n_visited \
             FROM case_total_moves)"
        }
        _ => "case_totals",
    }
}

/// The key of the PostgreSQL advisory lock held while folding ("pantauT1"):
/// one folder at a time; the others read the moves as they are.
const FOLD_LOCK: i64 = 0x7061_6e74_6175_5431;

/// Takes the moves out and adds them to their totals in one statement (one
/// snapshot: a move committed meanwhile stays for the next fold), in key
/// order so two writers of the same totals never wait on each other in a
/// circle.
const FOLD: &str = "WITH d AS (DELETE FROM case_total_moves \
     RETURNING region, program_id, state, n_cases, approved, disbursed, n_visited) \
     INSERT INTO case_totals (region, program_id, state, n_cases, approved, disbursed, n_visited) \
     SELECT region, program_id, state, SUM(n_cases), SUM(approved), SUM(disbursed), \
     SUM(n_visited) FROM d \
     GROUP BY region, program_id, state ORDER BY region, program_id, state \
     ON CONFLICT (region, program_id, state) DO UPDATE SET \
     n_cases = case_totals.n_cases + excluded.n_cases, \
     approved = case_totals.approved + excluded.approved, \
     disbursed = case_totals.disbursed + excluded.disbursed, \
     n_visited = case_totals.n_visited + excluded.n_visited";

impl Store {
    /// On PostgreSQL, folds the case moves written since the last fold into
    /// their totals, so a reader sums few rows; returns how many totals it
    /// touched. Nothing to do on SQLite, or when another instance is
    /// folding (its fold is as good), or when there are no moves. A reader
    /// that skips it still reads right: [`totals`] adds the moves.
    pub async fn fold_case_moves(&self) -> Result<u64, StoreError> {
        if self.db_backend() != DbBackend::Postgres {
            return Ok(0);
        }
        let any = self
            .raw("SELECT 1 FROM case_total_moves LIMIT 1", vec![])
            .await?;
        if any.is_empty() {
            return Ok(0);
        }
        let txn = self.db.begin().await?;
        let got = txn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1)",
                [FOLD_LOCK.into()],
            ))
            .await?
            .map(|r| r.try_get_by_index::<bool>(0))
            .transpose()?
            .unwrap_or(false);
        if !got {
            return Ok(0);
        }
        let done = txn.execute_unprepared(FOLD).await?.rows_affected();
        txn.commit().await?;
        Ok(done)
    }

    /// [`Store::fold_case_moves`] before a read of the totals; a fold that
    /// fails (another writer's lock, a lost connection) is logged and the
    /// read goes on: the moves it left are read with the totals.
    pub(crate) async fn fold_quietly(&self) {
        if let Err(e) = self.fold_case_moves().await {
            tracing::warn!(error = %e, "case totals not folded");
        }
    }
}
