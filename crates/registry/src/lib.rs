//! The registry's logic, with no I/O: Indonesia's provinces and
//! kabupaten/kota (shipped in `data/regions.csv`), their kecamatan and
//! desa/kelurahan (`villages`, read only when asked), CSV files as offices
//! make them read into clean rows and written so a spreadsheet cannot run
//! them (`sheet`), beneficiary records parsed and validated from those
//! rows, the list of a decree (SK), a file of cooperatives' yearly data,
//! and bank payment files (`bank`: the bank codes, account numbers, the
//! bulk-transfer file written from a layout and the bank's result read back).
//!
//! Architecture invariant: like `domain` and `workflow`, this crate reads no
//! clock and touches no database; `store` keeps what it produces.

pub mod bank;
pub mod beneficiary;
pub mod decree;
pub mod duplicates;
pub mod regions;
pub mod sheet;
pub mod villages;
pub mod yearly;
