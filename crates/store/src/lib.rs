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
mod apply;
pub mod auth;
pub mod backup;
pub mod browse;
pub mod chain;
mod connect;
pub mod decree;
pub mod entity;
mod error;
pub mod evidence;
pub mod export;
pub mod import;
mod lock;
pub mod migration;
pub mod outbox;
mod pin;
mod query;
pub mod registry;
pub mod report;
pub mod upload;
pub mod write;

pub use apply::{Opening, Outcome};
pub use chain::{Broken, GENESIS};
pub use connect::{Settings, Synchronous};
pub use error::StoreError;
pub use lock::sqlite_file;
pub use pin::{Drift, PinError};
pub use query::CaseView;

use sea_orm::{DatabaseConnection, DbBackend};

/// A connection pool with the schema migrated.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    pins: std::sync::Arc<pin::Pins>,
    /// The SQLite file and its shared lock, held while any clone lives.
    sqlite: Option<std::sync::Arc<lock::Held>>,
}

impl Store {
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}
