//! Pantau's store: cases and their events on SQLite (the embedded default)
//! or PostgreSQL (several app instances on one database).
//!
//! Applying a command is one transaction: load the case, let the engine
//! decide, append the event with its hash, update the case under a version
//! check, record the idempotency key, and write the effects (visits,
//! reminders, tranches, outbox), all or nothing. See [`Store::apply`].
//!
//! Architecture invariant: this is the only crate that knows the database.

pub mod accounts;
pub mod cases;
use pantau_chain as chain;
pub mod decree;
mod error;
pub mod model;
pub mod outbox;
pub mod payments;
pub mod read;
pub mod registry;
pub mod schema;
mod together;
mod turns;
pub mod yearly;

pub use cases::apply::{Check, Checked, Opening, Outcome, Target};
pub use cases::pin::{Drift, PinError};
pub use cases::query::CaseView;
pub use error::StoreError;
pub use pantau_chain::{Broken, GENESIS};
pub use schema::connect::{Settings, Synchronous};
pub use schema::lock::sqlite_file;

use sea_orm::{DatabaseConnection, DbBackend};

/// A connection pool with the schema migrated.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where write transactions run: on SQLite one connection of its own
    /// (see `turns.rs`), elsewhere the pool itself.
    writer: DatabaseConnection,
    pins: std::sync::Arc<cases::pin::Pins>,
    /// The SQLite file and its shared lock, held while any clone lives.
    sqlite: Option<std::sync::Arc<schema::lock::Held>>,
    /// What reads [`Store::change_marker`] on SQLite.
    watch: std::sync::Arc<read::changes::Watch>,
    /// This process's SQLite writers, one at a time in turn.
    turns: std::sync::Arc<turns::Turns>,
}

impl Store {
    /// The pool itself, for tests and benchmarks that look under the hood
    /// (feature `inspect`, which only dev-dependencies turn on): callers
    /// outside the store get functions and plain read models.
    #[cfg(feature = "inspect")]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    #[cfg(feature = "inspect")]
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub(crate) fn db_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}
