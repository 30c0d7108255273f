//! Bank payments, without I/O: a treasurer's payment batch written as a
//! bank's bulk-transfer file and the bank's result file (paid, failed,
//! returned per line) read back, for `store` to keep.
//!
//! - [`banks`]: Indonesian banks by their Bank Indonesia code (sandi bank),
//!   shipped in `data/banks.csv`.
//! - [`account`]: account numbers as people and Excel write them, and
//!   whether an account holder's name is the beneficiary's.
//! - [`layout`]: a bank's file layout, a TOML file (`templates/bank/`),
//!   never code.
//! - [`file`](mod@file): the order file written from a layout, and files read back
//!   (our own order file, the bank's result), every bad cell named by line
//!   and column.

pub mod account;
pub mod banks;
pub mod file;
pub mod layout;
