//! Statements sent together. sqlx runs each SQLite connection on a thread
//! of its own, and every statement sent is a round trip to it: two thread
//! switches, which were most of a transition's CPU time (a profile of the
//! transitions bench: 62 % of it in the kernel, switching threads). A
//! string of statements is one round trip, its `?`s bound in order across
//! them. PostgreSQL's prepared statements take one statement each, so
//! there they go one by one, as before.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, QueryResult, Statement};

use crate::StoreError;

/// Bind values a string of statements sent together may carry at most
/// (each statement alone stays under SQLite's 32,766).
const TOGETHER: usize = 2_000;

/// Sends `statements` in order; returns the rows the database counted for
/// those marked `true`. On SQLite small ones go together, as one string,
/// where a counted statement answers `RETURNING 1`, a row for each row it
/// wrote. An error stops the string where it failed, and the caller's
/// transaction rolls back.
pub(crate) async fn send_together(
    txn: &DatabaseTransaction,
    statements: Vec<(Statement, bool)>,
) -> Result<u64, StoreError> {
    let backend = txn.get_database_backend();
    let mut count = 0;
    if backend != DbBackend::Sqlite {
        for (s, counted) in statements {
            let n = txn.execute_raw(s).await?.rows_affected();
            count += if counted { n } else { 0 };
        }
        return Ok(count);
    }
    let (mut sql, mut values) = (String::new(), Vec::new());
    for (s, counted) in statements {
        let own = s.values.map(|v| v.0).unwrap_or_default();
        if !sql.is_empty() && values.len() + own.len() > TOGETHER {
            let part = Statement::from_sql_and_values(backend, std::mem::take(&mut sql), values);
            count += txn.query_all_raw(part).await?.len() as u64;
            values = Vec::new();
        }
        sql.push_str(&s.sql);
        sql.push_str(if counted { " RETURNING 1;\n" } else { ";\n" });
        values.extend(own);
    }
    if !sql.is_empty() {
        let part = Statement::from_sql_and_values(backend, sql, values);
        count += txn.query_all_raw(part).await?.len() as u64;
    }
    Ok(count)
}

/// The rows of `statements` (reads), in order, in one round trip on SQLite.
/// The caller tells whose row is whose by their columns.
pub(crate) async fn query_together(
    txn: &DatabaseTransaction,
    statements: Vec<Statement>,
) -> Result<Vec<QueryResult>, StoreError> {
    let backend = txn.get_database_backend();
    let mut rows = Vec::new();
    if backend != DbBackend::Sqlite {
        for s in statements {
            rows.extend(txn.query_all_raw(s).await?);
        }
        return Ok(rows);
    }
    let (mut sql, mut values) = (String::new(), Vec::new());
    for s in statements {
        sql.push_str(&s.sql);
        sql.push_str(";\n");
        values.extend(s.values.map(|v| v.0).unwrap_or_default());
    }
    let together = Statement::from_sql_and_values(backend, sql, values);
    Ok(txn.query_all_raw(together).await?)
}
