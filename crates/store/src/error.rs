use pantau_workflow::Refusal;

/// Why the store did not apply a command.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine refused; nothing was written.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The case moved on since the caller looked (`expected_seq`), or kept
    /// moving under retries. Nothing was written.
    #[error("case {case_id} changed concurrently: it is now in state `{state}` at event {seq}")]
    Conflict {
        case_id: String,
        state: String,
        seq: i64,
    },
    /// An idempotency key sent again with another case or action: a client bug, refused so it is seen.
    #[error(
        "key `{key}` was already used for `{action}` on case {case_id}; use a new key for a new command"
    )]
    KeyReused {
        key: String,
        case_id: String,
        action: String,
    },
    #[error("no case {0}")]
    NotFound(String),
    #[error(
        "case {case_id} runs on workflow {workflow} version {version}, which is not loaded; restore that definition file"
    )]
    MissingDefinition {
        case_id: String,
        workflow: String,
        version: u32,
    },
    #[error(
        "workflow {workflow} version {version} differs from the text cases were opened on; give the changed definition a new version"
    )]
    DefinitionChanged { workflow: String, version: u32 },
    /// A decree number already names a decree of another program or date:
    /// the same number again resumes a decree, it never starts another.
    #[error(
        "decree number {number} is already the decree of {date} for program {program}; give this decree its own number"
    )]
    DecreeNumberTaken {
        number: String,
        program: String,
        date: chrono::NaiveDate,
    },
    /// The tranche is in a payment batch awaiting the bank: only the
    /// bank's result records it paid (or puts it back as due).
    #[error(
        "tranche {tranche} of case {case_id} is in payment batch {batch}, awaiting the bank; the bank's result records it"
    )]
    InPaymentBatch {
        case_id: String,
        tranche: i64,
        batch: String,
    },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The case changed between reading and writing; retried internally.
    #[error("stale case version")]
    Stale,
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A file beside the database (its lock, a backup) could not be used.
    #[error("{what}: {reason}")]
    Io {
        what: String,
        reason: std::io::Error,
    },
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl StoreError {
    /// Whether another writer got there first (a unique key or the version
    /// check), so a fresh attempt may succeed or find the first result.
    pub(crate) fn is_race(&self) -> bool {
        match self {
            StoreError::Db(e) => {
                matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) || is_serialization_failure(e)
            }
            StoreError::Stale => true,
            _ => false,
        }
    }
}

fn is_serialization_failure(e: &sea_orm::DbErr) -> bool {
    let text = e.to_string();
    // PostgreSQL 40001/40P01; SQLite busy after its timeout.
    text.contains("40001") || text.contains("40P01") || text.contains("database is locked")
}
