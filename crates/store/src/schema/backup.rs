//! Copies of a SQLite database: `pantau db backup` while the server runs,
//! `pantau db restore` while nothing has the database open, and the copy
//! taken before a migration that rebuilds a table.
//!
//! A copy is made by SQLite's `VACUUM INTO` (one read transaction: a
//! consistent snapshot, whatever writers do meanwhile, and a file that
//! stands alone, without `-wal` or `-shm`), into a temporary file beside its
//! destination. It is checked there (`PRAGMA integrity_check`, a schema this
//! Pantau knows, every hash chain), flushed to disk, and only then renamed
//! into place, so a backup or a restore cut off half-way leaves the old file
//! as it was. A restore keeps the database it replaces beside it
//! (`pantau.db.replaced-TIME`), and moves its write-ahead log along with it.
//! PostgreSQL has its own tools: `pg_dump` and `pg_restore`.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::{MigrationStatus, MigratorTrait};

use crate::chain::Broken;
use crate::schema::lock::{self, beside};
use crate::schema::migration::{Migrator, REBUILDS_TABLE};
use crate::{Settings, Store, StoreError};

/// A backup written.
#[derive(Debug)]
pub struct Copied {
    pub cases: u64,
    /// The number of events when every chain is intact, else the first
    /// altered event (the copy is kept: it is what the database holds).
    pub chains: Result<usize, Broken>,
}

/// A database restored.
#[derive(Debug)]
pub struct Restored {
    /// The database file restored into.
    pub target: PathBuf,
    pub cases: u64,
    pub events: usize,
    /// Migrations the backup was brought up to date with.
    pub migrated: usize,
    /// Where the database it replaced now is.
    pub replaced: Option<PathBuf>,
}

/// Why a backup or a restore was not made. Every refusal leaves the
/// database as it was.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "basis data PostgreSQL dicadangkan dan dipulihkan dengan pg_dump dan pg_restore \
         (a PostgreSQL database is backed up and restored with pg_dump and pg_restore)"
    )]
    Postgres,
    #[error("{0}: tidak ada (no such file or folder)")]
    Missing(PathBuf),
    #[error("{0}: itu berkas basis data itu sendiri (that is the database itself)")]
    SameFile(PathBuf),
    #[error(
        "{0} sedang dibuka proses Pantau lain (pantau serve, pantau remind atau perintah lain); \
         hentikan dulu, tidak ada yang diubah (the database is open in another Pantau process, \
         e.g. pantau serve or pantau remind: stop it first; nothing changed)"
    )]
    InUse(PathBuf),
    #[error(
        "{file}: bukan salinan basis data yang utuh, tidak ada yang diubah \
         (not a sound copy of a database; nothing changed): {reason}"
    )]
    Unsound { file: PathBuf, reason: String },
    #[error(
        "{0}: bukan basis data Pantau, tidak ada yang diubah \
         (not a Pantau database: it has no Pantau schema; nothing changed)"
    )]
    NotPantau(PathBuf),
    #[error(
        "{file}: dibuat oleh Pantau yang lebih baru, tidak ada yang diubah \
         (made by a newer Pantau; nothing changed): {reason}"
    )]
    Newer { file: PathBuf, reason: String },
    #[error(
        "{file}: rantai hash rusak, tidak ada yang diubah \
         (a hash chain in the backup is broken; nothing changed): {broken}"
    )]
    Tampered { file: PathBuf, broken: Broken },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// A refusal (the input or the moment is wrong) rather than a failure
    /// to run.
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            BackupError::Postgres | BackupError::Missing(_) | BackupError::Store(_)
        )
    }
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |reason| StoreError::Io { what, reason }
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `to` (replacing
    /// it once the copy is complete and sound), while others keep writing.
    pub async fn backup(&self, to: &Path) -> Result<Copied, BackupError> {
        let source = self.sqlite.as_ref().ok_or(BackupError::Postgres)?;
        if same_file(to, &source.path) {
            return Err(BackupError::SameFile(to.to_path_buf()));
        }
        if let Some(dir) = to
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(BackupError::Missing(dir.to_path_buf()));
        }
        let temp = beside(to, ".partial");
        remove(&temp)?;
        let checked = async {
            vacuum_into(&self.db, &temp).await?;
            check_copy(&temp, false).await
        }
        .await;
        let checked = match checked {
            Ok(c) => c,
            Err(e) => {
                fs::remove_file(&temp).ok();
                return Err(e);
            }
        };
        publish(&temp, to).inspect_err(|_| {
            fs::remove_file(&temp).ok();
        })?;
        Ok(Copied {
            cases: checked.cases,
            chains: checked.chains,
        })
    }
}

/// Puts the backup `from` in place of the SQLite database of `settings`:
/// refused while any process has the database open, and unless the backup
/// is a sound Pantau database whose every chain is intact.
pub async fn restore(settings: &Settings, from: &Path) -> Result<Restored, BackupError> {
    let target = lock::sqlite_file(&settings.url).ok_or(BackupError::Postgres)?;
    if !from.is_file() {
        return Err(BackupError::Missing(from.to_path_buf()));
    }
    if same_file(from, &target) {
        return Err(BackupError::SameFile(from.to_path_buf()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    }
    let Some(_exclusive) = lock::try_exclusive(&target)? else {
        return Err(BackupError::InUse(target));
    };
    let temp = beside(&target, ".restoring");
    remove(&temp)?;
    let checked = async {
        copy_file(from, &temp).await?;
        let checked = check_copy(&temp, true).await?;
        match checked.chains {
            Ok(events) => Ok((checked, events)),
            Err(broken) => Err(BackupError::Tampered {
                file: from.to_path_buf(),
                broken,
            }),
        }
    }
    .await;
    let (checked, events) = match checked {
        Ok(c) => c,
        Err(e) => {
            fs::remove_file(&temp).ok();
            return Err(e);
        }
    };
    let replaced = if target.exists() {
        Some(set_aside(&target).await?)
    } else {
        None
    };
    publish(&temp, &target).inspect_err(|_| {
        fs::remove_file(&temp).ok();
    })?;
    for stale in ["-wal", "-shm"] {
        remove(&beside(&target, stale))?;
    }
    Ok(Restored {
        target,
        cases: checked.cases,
        events,
        migrated: checked.migrated,
        replaced,
    })
}

/// Before migrations run on a SQLite database that has been migrated
/// before: when one of them rebuilds a table, writes
/// `pantau.db.before-MIGRATION.bak` first (or keeps the one an earlier,
/// interrupted start wrote), and says so.
pub(crate) async fn before_migrations(
    db: &DatabaseConnection,
    file: &Path,
) -> Result<(), StoreError> {
    let status = Migrator::get_migration_with_status_read_only(db).await?;
    if !status
        .iter()
        .any(|m| m.status() == MigrationStatus::Applied)
    {
        return Ok(());
    }
    let Some(rebuild) = status
        .iter()
        .find(|m| m.status() == MigrationStatus::Pending && REBUILDS_TABLE.contains(&m.name()))
    else {
        return Ok(());
    };
    let bak = beside(file, &format!(".before-{}.bak", rebuild.name()));
    if bak.exists() {
        tracing::warn!(
            "migration {} rebuilds a table; the backup taken before it is kept: {}",
            rebuild.name(),
            bak.display()
        );
        return Ok(());
    }
    let temp = beside(&bak, ".partial");
    remove(&temp)?;
    vacuum_into(db, &temp).await?;
    publish(&temp, &bak)?;
    tracing::warn!(
        "migration {} rebuilds a table: the database was backed up first to {}",
        rebuild.name(),
        bak.display()
    );
    Ok(())
}

/// What a copy holds, once checked.
struct Checked {
    cases: u64,
    chains: Result<usize, Broken>,
    migrated: usize,
}

/// `VACUUM INTO` `to` from the database `db` is connected to.
async fn vacuum_into(db: &DatabaseConnection, to: &Path) -> Result<(), StoreError> {
    let to = utf8(to)?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [to.into()],
    ))
    .await?;
    Ok(())
}

/// `VACUUM INTO` `to` from the database file `from`, opened read-only.
async fn copy_file(from: &Path, to: &Path) -> Result<(), BackupError> {
    let unsound = |e: sqlx::Error| BackupError::Unsound {
        file: from.to_path_buf(),
        reason: e.to_string(),
    };
    let opts = SqliteConnectOptions::new()
        .filename(from)
        .read_only(true)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .map_err(unsound)?;
    let copied = sqlx::query("VACUUM INTO ?1")
        .bind(utf8(to)?)
        .execute(&mut conn)
        .await;
    conn.close().await.ok();
    copied.map_err(unsound)?;
    Ok(())
}

/// Checks the copy at `path`: a sound database with a schema this Pantau
/// knows (brought up to date when `migrate`), and its chains.
async fn check_copy(path: &Path, migrate: bool) -> Result<Checked, BackupError> {
    let unsound = |reason: String| BackupError::Unsound {
        file: path.to_path_buf(),
        reason,
    };
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| unsound(e.to_string()))?;
    let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let checked = check_open(&db, path, migrate).await;
    db.close().await.ok();
    checked
}

async fn check_open(
    db: &DatabaseConnection,
    path: &Path,
    migrate: bool,
) -> Result<Checked, BackupError> {
    let unsound = |reason: String| BackupError::Unsound {
        file: path.to_path_buf(),
        reason,
    };
    let said: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .map_err(|e| unsound(e.to_string()))?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if said != ["ok"] {
        return Err(unsound(said.join("; ")));
    }
    let status = Migrator::get_migration_with_status_read_only(db)
        .await
        .map_err(|e| BackupError::Newer {
            file: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if !status
        .iter()
        .any(|m| m.status() == MigrationStatus::Applied)
    {
        return Err(BackupError::NotPantau(path.to_path_buf()));
    }
    let pending = status
        .iter()
        .filter(|m| m.status() == MigrationStatus::Pending)
        .count();
    if migrate && pending > 0 {
        Migrator::up(db, None).await.map_err(StoreError::from)?;
    }
    let store = Store::on(db.clone());
    let chains = store.verify().await?;
    let cases = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) FROM cases",
        ))
        .await
        .map_err(StoreError::from)?
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    Ok(Checked {
        cases: u64::try_from(cases).unwrap_or(0),
        chains,
        migrated: if migrate { pending } else { 0 },
    })
}

/// Keeps the database `target` as `TARGET.replaced-TIME` (a second name for
/// the same file, its write-ahead log moved along), so that `target` can
/// be replaced in one rename and no log of the old database is ever read
/// with the new one.
async fn set_aside(target: &Path) -> Result<PathBuf, StoreError> {
    // Folding the log into the file first leaves no log to move.
    if let Ok(mut conn) = sqlx::SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(target)
            .busy_timeout(Duration::from_secs(30)),
    )
    .await
    {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .ok();
        conn.close().await.ok();
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut aside = beside(target, &format!(".replaced-{stamp}"));
    for n in 2.. {
        if !aside.exists() {
            break;
        }
        aside = beside(target, &format!(".replaced-{stamp}-{n}"));
    }
    let what = format!("cannot keep {} as {}", target.display(), aside.display());
    fs::hard_link(target, &aside)
        .or_else(|_| fs::copy(target, &aside).map(|_| ()))
        .map_err(io(what.clone()))?;
    let wal = beside(target, "-wal");
    if fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        fs::rename(&wal, beside(&aside, "-wal")).map_err(io(what))?;
    }
    Ok(aside)
}

/// Flushes `temp` to disk and renames it to `to`, then flushes the folder.
fn publish(temp: &Path, to: &Path) -> Result<(), StoreError> {
    File::open(temp)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("cannot flush {}", temp.display())))?;
    fs::rename(temp, to).map_err(io(format!(
        "cannot rename {} to {}",
        temp.display(),
        to.display()
    )))?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        // A folder cannot be opened on every system; where it can, its entry is flushed too.
        if let Ok(d) = File::open(dir) {
            d.sync_all().ok();
        }
    }
    Ok(())
}

fn remove(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(io(format!("cannot remove {}", path.display()))(e))
        }
        _ => Ok(()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn utf8(path: &Path) -> Result<String, StoreError> {
    path.to_str()
        .map(str::to_string)
        .ok_or_else(|| StoreError::Io {
            what: format!("{}", path.display()),
            reason: std::io::Error::other("a file name SQLite can take must be UTF-8"),
        })
}
