//! A marker of what the database has committed: it reads the same while
//! nothing has been committed, by this process or any other, and differs
//! after any commit. An answer worked out after reading the marker is still
//! right while the marker reads the same (the server keeps its dashboard so).
//!
//! - PostgreSQL: the current snapshot (`pg_current_snapshot()`). Its upper
//!   bound moves when a transaction takes an id (any write does; a read
//!   takes none), its list of transactions in progress when one ends.
//! - SQLite: `PRAGMA data_version` on a connection of the marker's own that
//!   never writes: it changes with every commit by any other connection, in
//!   this process or another (`pantau remind`, a CLI command).
//! - None for SQLite in memory: nothing to watch it from.

use std::path::Path;
use std::time::Duration;

use sea_orm::DbBackend;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use sea_orm::sqlx::{self, Connection as _};

use crate::schema::connect::sqlx_error;
use crate::{Store, StoreError};

/// The SQLite connection that reads `data_version`, opened on first use
/// and again after a failure.
#[derive(Default)]
pub(crate) struct Watch {
    conn: tokio::sync::Mutex<Option<SqliteConnection>>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

impl Watch {
    async fn data_version(&self, file: &Path) -> Result<i64, StoreError> {
        let mut held = self.conn.lock().await;
        let conn = match held.take() {
            Some(conn) => held.insert(conn),
            None => {
                let opts = SqliteConnectOptions::new()
                    .filename(file)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(30))
                    .create_if_missing(false);
                let conn = SqliteConnection::connect_with(&opts)
                    .await
                    .map_err(sqlx_error)?;
                held.insert(conn)
            }
        };
        match sqlx::query_scalar::<_, i64>("PRAGMA data_version")
            .fetch_one(conn)
            .await
        {
            Ok(v) => Ok(v),
            Err(e) => {
                *held = None;
                Err(sqlx_error(e))
            }
        }
    }
}

impl Store {
    /// The database's change marker (see the module); `None` where there is
    /// none (SQLite in memory).
    pub async fn change_marker(&self) -> Result<Option<String>, StoreError> {
        if self.db_backend() == DbBackend::Postgres {
            let rows = self
                .raw("SELECT pg_current_snapshot()::text AS m", vec![])
                .await?;
            let m = rows
                .first()
                .map(|r| r.try_get::<String>("", "m"))
                .transpose()?;
            return Ok(m);
        }
        let Some(held) = &self.sqlite else {
            return Ok(None);
        };
        let v = self.watch.data_version(&held.path).await?;
        Ok(Some(v.to_string()))
    }
}
