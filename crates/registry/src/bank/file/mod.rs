//! The order file written from a layout, and files read back: our own
//! order file ([`read_orders`], to check an export) and the bank's result
//! file ([`read_result`]). Reading goes through [`crate::sheet`] (a CSV in
//! any encoding and delimiter Excel writes, or the first sheet of a
//! workbook, told apart by their bytes), every bad cell named by line and
//! column, every problem of the file at once.

mod read;
mod table;
mod write;

use chrono::NaiveDate;
use pantau_domain::{Label, Rupiah};
use serde::Serialize;

pub use read::{read_orders, read_result};
pub use write::write;

/// One transfer to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Pantau's reference of the payment, which the bank's result carries back.
    pub reference: String,
    /// Bank Indonesia's code of the beneficiary's bank (`002`).
    pub bank_code: String,
    /// Digits only ([`super::account::account_number`]).
    pub account_no: String,
    pub holder_name: String,
    pub amount: Rupiah,
    pub description: String,
}

/// What the bank did with one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Paid,
    Failed,
    /// Paid, then sent back by the receiving bank (an account closed later).
    Returned,
}

/// One line of the bank's result file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultLine {
    /// Its line in the file (the header is line 1; in a workbook, the row
    /// number Excel shows).
    pub line: u64,
    /// Pantau's reference; `None` when the bank left it empty (the store
    /// then matches by amount and account).
    pub reference: Option<String>,
    pub outcome: Outcome,
    pub amount: Rupiah,
    /// Digits when it is an account number; as written otherwise (a bank
    /// may mask it, `XXXXXX1234`).
    pub account_no: Option<String>,
    /// The bank's own reference of the transfer.
    pub bank_reference: Option<String>,
    pub date: NaiveDate,
    /// The bank's reason for a failure or return.
    pub reason: Option<String>,
}

/// One problem of a file: its line (the header is line 1; line 0 is the
/// file as a whole), the column as the file names it (empty for a whole
/// line or file), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: u64,
    pub column: String,
    pub reason: Label,
}

impl LineError {
    fn new(line: u64, column: impl Into<String>, reason: Label) -> LineError {
        LineError {
            line,
            column: column.into(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
