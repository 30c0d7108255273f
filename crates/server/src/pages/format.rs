//! Figures, dates and times as people read them (shared with the reports).

pub use pantau_domain::format::*;
