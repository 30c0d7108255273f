//! Who has a SQLite database open. Every process that opens one
//! (`Store::open`: `pantau serve`, `pantau remind`, every command) holds a
//! shared lock on `pantau.db.lock` beside it for as long as its store
//! lives; `pantau db restore` takes it exclusive. So a restore is refused
//! while anything has the database open, and nothing opens the database
//! while a restore replaces it. The lock is the system's advisory file lock
//! (`flock` on Unix, through `std::fs::File::lock`), let go by the system
//! when the process ends, however it ends; a separate file, so it never
//! meets SQLite's own locks on the database.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sea_orm::sqlx::sqlite::SqliteConnectOptions;

use crate::StoreError;

/// The database file of a SQLite URL; `None` for PostgreSQL or a database
/// in memory.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    let path = opts.get_filename();
    (!path.as_os_str().is_empty()).then(|| path.to_path_buf())
}

/// `FILE` with `suffix` added to its name (`pantau.db` → `pantau.db.lock`).
pub(crate) fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// An open SQLite database file, and the lock that says so.
#[derive(Debug)]
pub(crate) struct Held {
    pub path: PathBuf,
    _lock: File,
}

fn open_lock(db: &Path) -> Result<File, StoreError> {
    let path = beside(db, ".lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Io {
            what: format!("cannot open the lock file {}", path.display()),
            reason: e,
        })
}

/// Takes the shared lock of `db`, waiting while a restore holds it.
pub(crate) async fn hold_shared(db: &Path) -> Result<Held, StoreError> {
    let file = open_lock(db)?;
    let file = match file.try_lock_shared() {
        Ok(()) => file,
        Err(TryLockError::WouldBlock) => {
            tracing::warn!(
                "{} is being restored (pantau db restore): waiting until it is done",
                db.display()
            );
            tokio::task::spawn_blocking(move || file.lock_shared().map(|()| file))
                .await
                .map_err(|e| StoreError::Io {
                    what: "waiting for the database lock".into(),
                    reason: io::Error::other(e),
                })?
                .map_err(|e| StoreError::Io {
                    what: format!("cannot lock {}", db.display()),
                    reason: e,
                })?
        }
        Err(TryLockError::Error(e)) => {
            return Err(StoreError::Io {
                what: format!("cannot lock {}", db.display()),
                reason: e,
            });
        }
    };
    Ok(Held {
        path: db.to_path_buf(),
        _lock: file,
    })
}

/// The exclusive lock of `db`, or `None` when a process has it open.
pub(crate) fn try_exclusive(db: &Path) -> Result<Option<File>, StoreError> {
    let file = open_lock(db)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(StoreError::Io {
            what: format!("cannot lock {}", db.display()),
            reason: e,
        }),
    }
}
