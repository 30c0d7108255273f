//! Payments through the bank: a beneficiary's account (`accounts.rs`), the
//! tranches due and why others are held (`due.rs`), a treasurer's batches
//! (`batch.rs`), the file sent to the bank (`export.rs`) and the bank's
//! result applied (`reconcile.rs`): a paid line takes the case's
//! `pays_tranche` action through the engine under the key `bank:REFERENCE`,
//! a failed or returned line leaves the tranche due again. Reading
//! batches and the money per stage: `read.rs`; every line of a region's
//! batches of a period, for the Ministry bundle: `ledger.rs`.

mod accounts;
mod batch;
mod due;
mod export;
mod ledger;
pub mod notice;
mod read;
mod reconcile;

use chrono::{DateTime, NaiveDate, Utc};
use pantau_domain::{Label, Rupiah};
use serde::Serialize;

use crate::StoreError;

pub use accounts::NewAccount;
pub use batch::{BatchMade, NewBatch};
pub use due::Due;
pub use export::BankFile;
pub use ledger::LedgerLine;
pub use read::{BatchView, LineView, Stages};
pub use reconcile::{Applied, Unmatched};

/// The key prefix of a transition a bank result applies.
pub const BANK_KEY: &str = "bank:";

/// One thing wrong with what was asked, named by the field (and the file's
/// line, for a file), with the reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: Option<u64>,
    pub field: String,
    pub reason: Label,
}

impl Problem {
    pub fn new(field: &str, id: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            line: None,
            field: field.into(),
            reason: Label::new(id, en),
        }
    }

    pub fn at(mut self, line: u64) -> Problem {
        self.line = Some(line);
        self
    }
}

/// Why a payment request was not carried out: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("refused: {}", .0.iter().map(|p| format!("{}{}: {}", p.line.map(|l| format!("line {l}, ")).unwrap_or_default(), p.field, p.reason.en)).collect::<Vec<_>>().join("; "))]
    Refused(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for PayError {
    fn from(e: sea_orm::DbErr) -> Self {
        PayError::Store(e.into())
    }
}

impl From<serde_json::Error> for PayError {
    fn from(e: serde_json::Error) -> Self {
        PayError::Store(e.into())
    }
}

impl PayError {
    pub(crate) fn one(field: &str, id: impl Into<String>, en: impl Into<String>) -> PayError {
        PayError::Refused(vec![Problem::new(field, id, en)])
    }
}

/// Runs `attempt` again when another writer got there first (as
/// `cases::apply::retry` does for a command).
pub(crate) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, PayError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PayError>>,
{
    let mut n = 0u32;
    loop {
        match attempt().await {
            Err(PayError::Store(e)) if e.is_race() && n < 7 => {
                n += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2u64 << n)).await;
            }
            other => return other,
        }
    }
}

/// Refuses paying a tranche of `case_id` by hand while a batch line holds
/// it open or sent: the bank's result records it.
pub(crate) async fn not_in_batch(
    txn: &sea_orm::DatabaseTransaction,
    case_id: &str,
) -> Result<(), StoreError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(line) = crate::schema::entity::payment_line::Entity::find()
        .filter(crate::schema::entity::payment_line::Column::CaseId.eq(case_id))
        .filter(
            crate::schema::entity::payment_line::Column::Status
                .is_in([LineStatus::Open.as_str(), LineStatus::Ordered.as_str()]),
        )
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let batch = crate::schema::entity::payment_batch::Entity::find_by_id(line.batch_id.as_str())
        .one(txn)
        .await?
        .map_or(line.batch_id.clone(), |b| b.number);
    Err(StoreError::InPaymentBatch {
        case_id: case_id.into(),
        tranche: line.tranche_no,
        batch,
    })
}

/// A case whose money rules pay no tranche now, said when the engine has no reason of its own.
pub(crate) fn nothing_payable() -> Label {
    Label::new(
        "tidak ada tahap yang dapat dibayar",
        "no tranche can be paid",
    )
}

/// A beneficiary's bank account, one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    pub beneficiary_id: String,
    pub bank_code: String,
    /// The bank's name, from the shipped list of Bank Indonesia codes.
    pub bank_name: String,
    pub account_no: String,
    pub holder_name: String,
    /// Whether the holder's name is the beneficiary's.
    pub name_matches: bool,
    /// The verifier who accepted a holder name unlike the beneficiary's.
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// When a later version replaced it; `None` for the current one.
    pub replaced_at: Option<DateTime<Utc>>,
}

impl Account {
    /// Whether a tranche may be paid into it: the holder is the
    /// beneficiary, or a verifier accepted the name.
    pub fn payable(&self) -> bool {
        self.name_matches || self.accepted_at.is_some()
    }
}

/// A line's standing with the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// In a batch not sent yet.
    Open,
    /// Sent to the bank, no answer yet.
    Ordered,
    Paid,
    Failed,
    Returned,
    /// Taken out of a batch before it was sent.
    Removed,
}

impl LineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Open => "open",
            LineStatus::Ordered => "ordered",
            LineStatus::Paid => "paid",
            LineStatus::Failed => "failed",
            LineStatus::Returned => "returned",
            LineStatus::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<LineStatus> {
        [
            LineStatus::Open,
            LineStatus::Ordered,
            LineStatus::Paid,
            LineStatus::Failed,
            LineStatus::Returned,
            LineStatus::Removed,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }

    pub fn label(self) -> Label {
        let (id, en) = match self {
            LineStatus::Open => ("Dalam batch", "In a batch"),
            LineStatus::Ordered => ("Dikirim ke bank", "Sent to the bank"),
            LineStatus::Paid => ("Dibayar bank", "Paid by the bank"),
            LineStatus::Failed => ("Gagal", "Failed"),
            LineStatus::Returned => ("Dikembalikan (retur)", "Returned"),
            LineStatus::Removed => ("Dikeluarkan dari batch", "Taken out of the batch"),
        };
        Label::new(id, en)
    }
}

/// A batch's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Open,
    Sent,
    Done,
    Cancelled,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Open => "open",
            BatchStatus::Sent => "sent",
            BatchStatus::Done => "done",
            BatchStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<BatchStatus> {
        [
            BatchStatus::Open,
            BatchStatus::Sent,
            BatchStatus::Done,
            BatchStatus::Cancelled,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    pub fn label(self) -> Label {
        let (id, en) = match self {
            BatchStatus::Open => ("Disusun", "Being gathered"),
            BatchStatus::Sent => ("Menunggu bank", "Awaiting the bank"),
            BatchStatus::Done => ("Selesai", "Done"),
            BatchStatus::Cancelled => ("Dibatalkan", "Cancelled"),
        };
        Label::new(id, en)
    }
}

/// The bank's answer on one line, as a result file says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAnswer {
    pub line: u64,
    pub reference: Option<String>,
    pub status: LineStatus,
    pub amount: Rupiah,
    pub account_no: Option<String>,
    pub bank_reference: Option<String>,
    pub date: NaiveDate,
    pub reason: Option<String>,
}
