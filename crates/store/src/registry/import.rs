//! Importing beneficiaries from CSV, shared by `pantau import` and the
//! server: reads row by row (memory stays flat) through
//! [`pantau_registry::sheet`] (so a file as Excel saves it is read as
//! such), keeps every good row (inserted [`BATCH`] at a time), and hands
//! each refused row, with its line, its problems (column and reason) and
//! its cells, to the caller.

use std::borrow::Cow;
use std::io::Read;

use chrono::Utc;
use pantau_domain::access::Scope;
use pantau_registry::beneficiary::{Beneficiary, ColumnError, Header, parse_row};
use pantau_registry::regions::Regions;
use pantau_registry::sheet::{Sheet, SheetError};
use tokio::task::JoinHandle;

use crate::registry::BATCH;
use crate::{Store, StoreError};

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal<'a> {
    pub line: u64,
    /// Each problem: the column and why (for a row that could not be read,
    /// the column where reading it failed).
    pub problems: &'a [ColumnError],
    /// The row as read, cleaned (as far as it could be read).
    pub fields: &'a [Cow<'a, str>],
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub rows: u64,
    pub new: u64,
    pub refused: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The header row names unknown columns or misses required ones.
    #[error("the header row is not usable")]
    Header(Vec<ColumnError>),
    /// Not a CSV in an encoding Excel writes: one line saying how to save it.
    #[error("{0}")]
    NotText(String),
    #[error("cannot read the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The caller's handler of refused rows failed (e.g. writing them out).
    #[error("cannot record a refused row: {0}")]
    Report(#[from] std::io::Error),
}

impl From<SheetError> for ImportError {
    fn from(e: SheetError) -> ImportError {
        match e {
            SheetError::NotText(e) => ImportError::NotText(e.0),
            SheetError::Read(e) => ImportError::Csv(e),
        }
    }
}

/// The stable id of a beneficiary: UUIDv5 of its natural key.
pub fn beneficiary_id(b: &Beneficiary) -> String {
    id_of_key(&b.natural_key())
}

/// The id of the cooperative with NIK Koperasi `nik`, as [`beneficiary_id`] makes it.
pub fn cooperative_id(nik: &pantau_domain::NikKoperasi) -> String {
    id_of_key(&pantau_registry::beneficiary::cooperative_key(nik))
}

fn id_of_key(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string()
}

impl Store {
    /// Imports the CSV in `input`; `refused` gets every problem of every
    /// refused row (a row outside `scope` is refused at its region). The
    /// header names come first, via `header_names`, so the caller can
    /// write them beside its report.
    pub async fn import_csv<R: Read>(
        &self,
        input: R,
        regions: &Regions,
        scope: &Scope,
        header_names: impl FnMut(&[&str]) -> std::io::Result<()>,
        refused: impl FnMut(&Refusal<'_>) -> std::io::Result<()>,
    ) -> Result<Tally, ImportError> {
        self.import_csv_in_batches(input, regions, scope, BATCH, header_names, refused)
            .await
    }

    /// [`Store::import_csv`] committing every `batch` good rows (the tests
    /// use small batches to see several of them written while reading goes on).
    pub async fn import_csv_in_batches<R: Read>(
        &self,
        input: R,
        regions: &Regions,
        scope: &Scope,
        batch_rows: usize,
        mut header_names: impl FnMut(&[&str]) -> std::io::Result<()>,
        mut refused: impl FnMut(&Refusal<'_>) -> std::io::Result<()>,
    ) -> Result<Tally, ImportError> {
        let batch_rows = batch_rows.max(1);
        let mut sheet = Sheet::open(input)?;
        let names: Vec<&str> = sheet.names().iter().map(String::as_str).collect();
        let header = Header::new(names.iter().copied()).map_err(ImportError::Header)?;
        header_names(&names)?;
        let mut tally = Tally::default();
        let mut batch: Vec<(String, Beneficiary)> = Vec::with_capacity(batch_rows);
        let mut writer = Writer {
            store: self,
            writing: None,
        };
        // Every batch read before a failure is still written.
        let read: Result<(), ImportError> = async {
            loop {
                // The row (borrowed from the reader) is done with before a batch is handed on.
                {
                    let Some(row) = sheet.next_row()? else {
                        break;
                    };
                    tally.rows += 1;
                    let parsed = match row.unreadable {
                        Some(e) => Err(vec![e]),
                        None => parse_in_scope(&header, &row.cells, regions, scope),
                    };
                    match parsed {
                        Ok(b) => batch.push((beneficiary_id(&b), b)),
                        Err(problems) => {
                            tally.refused += 1;
                            refused(&Refusal {
                                line: row.line,
                                problems: &problems,
                                fields: &row.cells,
                            })?;
                        }
                    }
                }
                if batch.len() == batch_rows {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
                    tally.new += writer.hand(full).await?;
                }
            }
            Ok(())
        }
        .await;
        tally.new += writer.finish().await?;
        read?;
        if !batch.is_empty() {
            tally.new += self.import_beneficiaries(&batch, Utc::now()).await?;
        }
        Ok(tally)
    }
}

/// A beneficiary parsed from its row, refused at its region when outside `scope`.
pub(crate) fn parse_in_scope<S: AsRef<str>>(
    header: &Header,
    fields: &[S],
    regions: &Regions,
    scope: &Scope,
) -> Result<Beneficiary, Vec<ColumnError>> {
    let b = parse_row(header, fields, regions)?;
    if scope.covers(Some(b.region.as_str())) {
        return Ok(b);
    }
    Err(vec![ColumnError {
        column: "region_code".into(),
        reason: pantau_domain::Label::new(
            format!("`{}` di luar wilayah Anda", b.region),
            format!("`{}` is outside your region", b.region),
        ),
    }])
}

/// Writes full batches on a task of their own while the next is read: one
/// writer at a time, so each batch waits for the one before.
struct Writer<'a> {
    store: &'a Store,
    writing: Option<JoinHandle<Result<u64, StoreError>>>,
}

impl Writer<'_> {
    /// Starts writing `batch`; returns what the batch before it added.
    async fn hand(&mut self, batch: Vec<(String, Beneficiary)>) -> Result<u64, StoreError> {
        let before = self.finish().await?;
        let store = self.store.clone();
        self.writing = Some(tokio::spawn(async move {
            store.import_beneficiaries(&batch, Utc::now()).await
        }));
        Ok(before)
    }

    /// Waits for the batch being written; returns what it added.
    async fn finish(&mut self) -> Result<u64, StoreError> {
        let Some(task) = self.writing.take() else {
            return Ok(0);
        };
        task.await.map_err(|e| {
            StoreError::Db(sea_orm::DbErr::Custom(format!(
                "the import's writer stopped: {e}"
            )))
        })?
    }
}
