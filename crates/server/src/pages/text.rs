//! The words of the pages (`templates/pages/lang/{id,en}.toml`), read the
//! same way as the reports' words.

pub use pantau_report::words::*;
