//! Opening the database: SQLite with WAL and a chosen `synchronous`, or PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;
use crate::{Store, StoreError};

/// SQLite's `synchronous` setting. `Full` (the default) makes an
/// acknowledged transition survive a power loss; `Normal` survives a crash
/// of the process but may lose the last transactions on power loss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Synchronous {
    #[default]
    Full,
    Normal,
}

impl FromStr for Synchronous {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(Synchronous::Full),
            "normal" => Ok(Synchronous::Normal),
            _ => Err(format!(
                "sqlite synchronous must be full or normal, not `{s}`"
            )),
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite:///path/pantau.db?mode=rwc` or `postgres://…`.
    pub url: String,
    pub synchronous: Synchronous,
    pub max_connections: u32,
}

impl Settings {
    pub fn new(url: impl Into<String>) -> Settings {
        Settings {
            url: url.into(),
            synchronous: Synchronous::default(),
            max_connections: 8,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(settings: &Settings) -> Result<Store, StoreError> {
        let mut opts = ConnectOptions::new(settings.url.clone());
        opts.max_connections(settings.max_connections)
            .min_connections(1)
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(30));
        let sync = match settings.synchronous {
            Synchronous::Full => SqliteSynchronous::Full,
            Synchronous::Normal => SqliteSynchronous::Normal,
        };
        opts.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(sync)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .create_if_missing(true)
        });
        let db = Database::connect(opts).await?;
        Migrator::up(&db, None).await?;
        let store = Store {
            db,
            pins: Default::default(),
        };
        let regions = pantau_registry::regions::Regions::embedded()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        store.seed_regions(&regions).await?;
        Ok(store)
    }
}
