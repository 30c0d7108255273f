//! Read models: the server's scoped reads (`browse`), the reports' figures
//! (`report`) and a region's cases and events for the Ministry bundle
//! (`export`). Nothing here writes.

pub mod browse;
pub mod classes;
pub mod export;
pub mod narrow;
pub mod report;
pub(crate) mod scope;
