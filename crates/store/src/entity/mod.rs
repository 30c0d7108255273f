//! sea-orm entities, one module per table. Times are UTC.

pub mod case;
pub mod definition;
pub mod event;
pub mod outbox;
pub mod reminder;
pub mod request;
pub mod tranche;
pub mod visit;
