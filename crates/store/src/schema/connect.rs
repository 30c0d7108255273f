//! Opening the database: SQLite with WAL and a chosen `synchronous`, or
//! PostgreSQL; either way migrated to this Pantau's schema. On SQLite the
//! store holds the database's shared lock (see `lock`) and backs the file
//! up before a migration that rebuilds a table; on PostgreSQL instances
//! starting at once migrate one after another, under an advisory lock.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

use crate::schema::migration::Migrator;
use crate::{Store, StoreError, schema::backup, schema::lock};

/// The key of the PostgreSQL advisory lock held while migrating ("pantauM1"
/// in ASCII): one for every Pantau, so instances on one database take turns.
const MIGRATION_LOCK: i64 = 0x7061_6e74_6175_4d31;

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
        // The lock first: never connect to a file a restore is replacing.
        let sqlite = match lock::sqlite_file(&settings.url) {
            Some(file) => Some(Arc::new(lock::hold_shared(&file).await?)),
            None => None,
        };
        let db = connect(options(settings, true)).await?;
        let mut store = Store {
            sqlite,
            ..Store::on(db)
        };
        if settings.is_sqlite() {
            if let Some(held) = &store.sqlite {
                backup::before_migrations(&store.db, &held.path).await?;
            }
            store.migrate().await?;
            store.refresh_statistics().await?;
            // After the migrations, so the file exists in WAL mode.
            let mut one = options(settings, false);
            one.max_connections(1);
            store.writer = connect(one).await?;
        } else {
            let mut lock = sqlx::PgConnection::connect(&settings.url)
                .await
                .map_err(sqlx_error)?;
            advisory(&mut lock, "SELECT pg_advisory_lock($1)").await?;
            let migrated = store.migrate().await;
            let unlocked = advisory(&mut lock, "SELECT pg_advisory_unlock($1)").await;
            lock.close().await.ok();
            migrated?;
            unlocked?;
        }
        Ok(store)
    }

    /// Applies pending migrations and fills the regions.
    async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        let regions = pantau_registry::regions::Regions::embedded()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.seed_regions(&regions).await
    }

    /// SQLite's statistics, by which its planner picks an index
    /// (`sqlite_stat1`): made for a table never measured, and again for one
    /// grown or shrunk tenfold since, from at most 400 rows an index (what
    /// SQLite advises on opening; nothing to do costs a few lookups). An
    /// office's file grows from the demo's few cases to a province's
    /// hundred thousand without anyone running `ANALYZE`.
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        self.db
            .execute_unprepared("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002")
            .await?;
        Ok(())
    }

    /// The store at `settings` as it is: nothing created, migrated or
    /// locked (`pantau doctor` looks without touching).
    pub async fn unmigrated(settings: &Settings) -> Result<Store, StoreError> {
        Ok(Store::on(connect(options(settings, false)).await?))
    }

    /// The same store on `db`, with nothing migrated or locked (a copy
    /// being checked).
    pub(crate) fn on(db: DatabaseConnection) -> Store {
        Store {
            writer: db.clone(),
            db,
            pins: Default::default(),
            sqlite: None,
            watch: Default::default(),
            turns: Default::default(),
        }
    }
}

/// Takes or lets go of [`MIGRATION_LOCK`] on `conn`.
async fn advisory(conn: &mut sqlx::PgConnection, sql: &'static str) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(MIGRATION_LOCK)
        .execute(conn)
        .await
        .map_err(sqlx_error)?;
    Ok(())
}

pub(crate) fn sqlx_error(e: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        Arc::new(e),
    )))
}

/// How long a SQLite connection waits for the file another holds; also
/// how long one of this process's writers waits for its turn (`turns.rs`).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects; in a debug build (the tests) every statement is checked to
/// name each value it carries ([`crate::together::unnamed_value`]), and
/// one that does not fails loudly.
async fn connect(options: ConnectOptions) -> Result<DatabaseConnection, sea_orm::DbErr> {
    #[allow(unused_mut)]
    let mut db = Database::connect(options).await?;
    #[cfg(debug_assertions)]
    {
        let backend = db.get_database_backend();
        db.set_metric_callback(move |info| {
            let s = info.statement;
            let n = s.values.as_ref().map_or(0, |v| v.0.len());
            if let Some(k) = crate::together::unnamed_value(backend, &s.sql, n) {
                panic!("value {k} of {n} is not named by its statement: {}", s.sql);
            }
        });
    }
    Ok(db)
}

/// How to connect: a small pool, SQLite in WAL mode with full or normal
/// durability, foreign keys on, the file made only when `create`.
fn options(settings: &Settings, create: bool) -> ConnectOptions {
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
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .create_if_missing(create)
    });
    // PostgreSQL: no named statements kept per connection, for now. Under
    // the access walk's load a cached statement was once refused ("bind
    // message supplies 0 parameters, but prepared statement sqlx_s_55
    // requires 16"): a statement that carried values its text never named
    // (mended, and checked in debug builds, [`connect`]) declared them, and
    // the same text without them was sent to it. With the cache on, a
    // transition costs half as much (the transitions bench); it waits for a
    // longer soak than the tests.
    opts.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(0));
    opts
}
