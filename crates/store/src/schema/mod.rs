//! The schema and the database itself: opening and migrating (`connect`),
//! the SQLite file's shared lock (`lock`), backups and restores (`backup`),
//! the migrations and one sea-orm entity per table (private to the store).

pub mod backup;
pub(crate) mod connect;
#[cfg(feature = "inspect")]
pub mod entity;
#[cfg(not(feature = "inspect"))]
pub(crate) mod entity;
pub(crate) mod health;
pub(crate) mod lock;
pub mod migration;
