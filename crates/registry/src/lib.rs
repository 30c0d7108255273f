//! The registry's logic, with no I/O: Indonesia's provinces and
//! kabupaten/kota (shipped in `data/regions.csv`), beneficiary records
//! parsed and validated from CSV rows, and the list of a decree (SK).
//!
//! Architecture invariant: like `domain` and `workflow`, this crate reads no
//! clock and touches no database; `store` keeps what it produces.

pub mod beneficiary;
pub mod decree;
pub mod regions;
