//! Read models: the server's scoped reads (`browse`), the reports' figures
//! (`report`) and a region's cases and events for the Ministry bundle
//! (`export`). Nothing here writes but `totals`, which folds PostgreSQL's
//! case moves into their running totals before reading them.

pub mod browse;
pub(crate) mod changes;
pub mod classes;
pub mod export;
pub mod narrow;
pub mod report;
pub(crate) mod scope;
pub(crate) mod totals;
