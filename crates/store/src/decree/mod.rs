//! Decrees (SK): one record approving many cases, applied in batches, and
//! amending decrees (SK perubahan) that add cases, change amounts or
//! remove cases. Each case goes through the engine like any other command;
//! the decree reports the ones it could not approve and why, and tells each
//! kabupaten/kota once by email what it did there.

mod decide;
mod lookup;
pub mod notice;
mod read;
mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_workflow::{Catalog, Context, Definition};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, Statement,
};

use crate::cases::apply::{remaining_allocation, retry, stored_precision};
use crate::cases::write::insert_rows;
use crate::schema::entity::{decree, decree_item};
use crate::{Store, StoreError};
use decide::{Decided, Line, decide};
pub(crate) use lookup::decree_action;
use lookup::{approving_decrees, listed_cases};
pub use scan::id_of;
use scan::keep_scan;

pub use pantau_registry::decree::{Change, DecreeLine, Schedule};
pub use read::{Candidate, DecreeRecord, DecreeSummary, ListedCase, Tally, Within};

/// Cases per transaction.
pub const CHUNK: usize = 2000;

/// Cases per batch within a chunk: one batch is decided while the last is written.
const BATCH: usize = 250;

/// SQLite's page cache while a chunk is applied, in KiB (the default is 2,000).
const CHUNK_CACHE_KIB: u32 = 32 * 1024;

#[derive(Debug, Clone)]
pub struct NewDecree {
    pub number: String,
    pub date: NaiveDate,
    pub signer_name: String,
    pub signer_position: String,
    pub signer_nip: Option<String>,
    /// The scanned decree.
    pub scan: Option<Scan>,
    pub program_id: String,
    /// The number of the decree this one amends.
    pub amends: Option<String>,
}

/// A decree's scanned PDF: the name it was sent under and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Scan {
    pub name: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scan({}, {} bytes)", self.name, self.data.len())
    }
}

/// What a decree did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecreeReport {
    pub decree_id: String,
    /// Cases this run approved, changed or removed.
    pub done: usize,
    /// Cases a previous run of the same decree already handled.
    pub already: usize,
    /// (case id, reason) for each case the decree could not take.
    pub refused: Vec<(String, String)>,
    /// Notices queued: one per kabupaten/kota and role told of the decree.
    pub notices: usize,
    /// What the decree does to each case it lists, line by line: filled by
    /// [`Store::preview_decree`], which applies nothing.
    pub items: Vec<ItemOutcome>,
}

/// What a decree does (or would do) to one case it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    pub case_id: String,
    /// The case's kabupaten/kota and beneficiary, as read.
    pub region: Option<String>,
    pub beneficiary_id: Option<String>,
    pub line_no: usize,
    /// `approve`, `amount` or `remove`.
    pub change: String,
    /// Rupiah the line sets, when it sets an amount.
    pub amount: Option<i64>,
    /// Percent per tranche, e.g. `40,30,30`.
    pub tranches: Option<String>,
    /// `approved`, `changed`, `removed` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
}

impl Store {
    /// Records the decree (once: the same number again resumes it) and
    /// applies it to every listed case, [`CHUNK`] cases per transaction;
    /// then queues one email per kabupaten/kota and notified role saying
    /// what the decree did there (see [`notice`]). A case listed twice is
    /// taken once and the second line refused.
    ///
    /// A case outside `scope` is refused as if it did not exist (the web
    /// form passes the reader's region; the command line is national).
    pub async fn apply_decree(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        lines: &[DecreeLine],
        cx: &Context,
        scope: &Scope,
    ) -> Result<DecreeReport, StoreError> {
        self.run_decree(catalog, d, lines, cx, scope, false).await
    }

    /// What [`Store::apply_decree`] would do, line by line, with nothing
    /// written: every chunk is decided in a transaction that is rolled back.
    pub async fn preview_decree(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        lines: &[DecreeLine],
        cx: &Context,
        scope: &Scope,
    ) -> Result<DecreeReport, StoreError> {
        self.run_decree(catalog, d, lines, cx, scope, true).await
    }

    async fn run_decree(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        lines: &[DecreeLine],
        cx: &Context,
        scope: &Scope,
        preview: bool,
    ) -> Result<DecreeReport, StoreError> {
        let cx = &stored_precision(cx);
        let decree_id = self.record_decree(d, cx, preview).await?;
        let mut report = DecreeReport {
            decree_id: decree_id.clone(),
            ..DecreeReport::default()
        };
        let mut first = BTreeMap::new();
        let mut listed = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            match first.get(line.case_id.as_str()) {
                Some(n) => report.refused.push((
                    line.case_id.clone(),
                    format!(
                        "tercantum dua kali di SK ini, baris {n} dan {} (listed twice in this decree)",
                        i + 1
                    ),
                )),
                None => {
                    first.insert(line.case_id.as_str(), i + 1);
                    listed.push((i + 1, line));
                }
            }
        }
        let shared = Shared {
            catalog: Arc::new(catalog.clone()),
            decree: Arc::new(d.clone()),
            decree_id: Arc::from(decree_id.as_str()),
            cx: Arc::new(cx.clone()),
            scope: scope.clone(),
        };
        let mut notices = BTreeSet::new();
        // A preview decides every line in one transaction, writing nothing,
        // so that the allocations it spends carry from the first line to the last.
        let size = if preview { listed.len().max(1) } else { CHUNK };
        for chunk in listed.chunks(size) {
            let part = retry(|| self.decree_chunk(&shared, chunk, preview)).await?;
            report.done += part.done;
            report.already += part.already;
            report.refused.extend(part.refused);
            report.items.extend(part.items);
            notices.extend(part.notices);
        }
        if !preview {
            report.notices = notice::queue(&self.db, &decree_id, &notices, cx.now).await?;
        }
        Ok(report)
    }

    /// Records the decree and returns its id; a `preview` only checks that
    /// its number and the decree it amends allow it.
    async fn record_decree(
        &self,
        d: &NewDecree,
        cx: &Context,
        preview: bool,
    ) -> Result<String, StoreError> {
        if let Some(existing) = decree::Entity::find()
            .filter(decree::Column::Number.eq(d.number.as_str()))
            .one(&self.db)
            .await?
        {
            if existing.program_id != d.program_id || existing.decree_date != d.date {
                return Err(StoreError::DecreeNumberTaken {
                    number: d.number.clone(),
                    program: existing.program_id,
                    date: existing.decree_date,
                });
            }
            return Ok(existing.id);
        }
        let amends = match &d.amends {
            None => None,
            Some(number) => Some(
                decree::Entity::find()
                    .filter(decree::Column::Number.eq(number.as_str()))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("decree {number}")))?
                    .id,
            ),
        };
        let id = id_of(&d.number);
        if preview {
            return Ok(id);
        }
        let txn = self.begin_write().await?;
        let sha = match &d.scan {
            Some(scan) => Some(keep_scan(&txn, &scan.data, cx.now).await?),
            None => None,
        };
        decree::Entity::insert(decree::ActiveModel {
            id: Set(id.clone()),
            number: Set(d.number.clone()),
            decree_date: Set(d.date),
            signer_name: Set(d.signer_name.clone()),
            signer_position: Set(d.signer_position.clone()),
            signer_nip: Set(d.signer_nip.clone()),
            pdf_path: Set(d.scan.as_ref().map(|s| s.name.clone())),
            pdf_sha256: Set(sha),
            program_id: Set(d.program_id.clone()),
            amends: Set(amends),
            created_at: Set(cx.now),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// One transaction: `lines` approved (or refused) and recorded as items;
    /// rolled back for a `preview`, whose part then carries the items.
    async fn decree_chunk(
        &self,
        shared: &Shared,
        lines: &[(usize, &DecreeLine)],
        preview: bool,
    ) -> Result<Part, StoreError> {
        let txn = self.begin_write().await?;
        let cache = widen_cache(self, &txn).await?;
        let part = decree_chunk_in(self, &txn, shared, lines, preview).await;
        restore_cache(&txn, cache).await?;
        let part = part?;
        if preview {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
        Ok(part)
    }
}

/// A chunk touches thousands of pages (each case's row and snapshot, its
/// events, reminders and their indexes): more than SQLite's default cache,
/// which then writes pages out mid-transaction and reads them back. Widened
/// for the transaction only; returns the size it was, for [`restore_cache`].
pub(crate) async fn widen_cache(
    store: &Store,
    txn: &DatabaseTransaction,
) -> Result<Option<i64>, StoreError> {
    if store.db_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA cache_size",
        ))
        .await?;
    let was: i64 = row.map_or(Ok(-2000), |r| r.try_get_by_index(0))?;
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{CHUNK_CACHE_KIB}"))
        .await?;
    Ok(Some(was))
}

/// Back to the pool's usual size; dirty pages stay until COMMIT writes them.
pub(crate) async fn restore_cache(
    txn: &DatabaseTransaction,
    was: Option<i64>,
) -> Result<(), StoreError> {
    if let Some(was) = was {
        txn.execute_unprepared(&format!("PRAGMA cache_size = {was}"))
            .await?;
    }
    Ok(())
}

/// What every chunk of one decree shares, owned so that a blocking thread can decide with it.
struct Shared {
    catalog: Arc<Catalog>,
    decree: Arc<NewDecree>,
    decree_id: Arc<str>,
    cx: Arc<Context>,
    /// Cases outside it are refused as unknown.
    scope: Scope,
}

/// What one chunk did.
#[derive(Debug, Default)]
struct Part {
    done: usize,
    already: usize,
    refused: Vec<(String, String)>,
    notices: BTreeSet<(String, Role)>,
    items: Vec<ItemOutcome>,
}

/// Reads the chunk's cases and allocations, then decides it in batches of
/// [`BATCH`] on a blocking thread, each batch decided while the one before
/// is written: the engine's work (snapshots, decisions, hashes) and the
/// database's overlap instead of taking turns.
async fn decree_chunk_in(
    store: &Store,
    txn: &DatabaseTransaction,
    shared: &Shared,
    lines: &[(usize, &DecreeLine)],
    preview: bool,
) -> Result<Part, StoreError> {
    let d = &shared.decree;
    let (mut rows, done) = listed_cases(txn, &shared.decree_id, lines).await?;
    rows.retain(|_, r| shared.scope.covers(r.region.as_deref()));
    let mut part = Part::default();
    let regions: BTreeSet<String> = rows
        .values()
        .filter(|r| r.program_id.as_deref() == Some(d.program_id.as_str()))
        .map(|r| r.region.clone().unwrap_or_default())
        .collect();
    let mut remaining = BTreeMap::new();
    for region in regions {
        let left = remaining_allocation(txn, &d.program_id, &region, 0).await?;
        remaining.insert(region, left);
    }
    // Each case is decided by the definition text it was opened on.
    let mut defs: BTreeMap<(String, i32), Option<Arc<Definition>>> = BTreeMap::new();
    for row in rows.values() {
        let key = (row.workflow.clone(), row.workflow_version);
        if let std::collections::btree_map::Entry::Vacant(slot) = defs.entry(key) {
            let version = u32::try_from(row.workflow_version).unwrap_or_default();
            let def = match store
                .definition(txn, &shared.catalog, &row.id, &row.workflow, version)
                .await
            {
                Ok(def) => Some(def),
                Err(StoreError::MissingDefinition { .. }) => None,
                Err(e) => return Err(e),
            };
            slot.insert(def);
        }
    }
    let approved_by = approving_decrees(txn, rows.keys()).await?;
    let mut todo = Vec::with_capacity(lines.len());
    for (no, line) in lines {
        if done.contains(&line.case_id) {
            part.already += 1;
            continue;
        }
        let case = rows.remove(&line.case_id).map(|row| {
            let def = defs
                .get(&(row.workflow.clone(), row.workflow_version))
                .cloned()
                .flatten();
            (row, def)
        });
        todo.push(Line {
            no: *no,
            approved_by: approved_by.get(&line.case_id).cloned(),
            line: (*line).clone(),
            case,
        });
    }
    let mut todo = todo.into_iter().peekable();
    let mut written: Option<Decided> = None;
    loop {
        let batch: Vec<Line> = todo.by_ref().take(BATCH).collect();
        if batch.is_empty() && written.is_none() {
            break;
        }
        let deciding = (!batch.is_empty()).then(|| {
            let (d, cx) = (shared.decree.clone(), shared.cx.clone());
            let left = std::mem::take(&mut remaining);
            tokio::task::spawn_blocking(move || decide(&d, batch, left, &cx))
        });
        let writing = async {
            match written.take() {
                Some(w) if !preview => write(txn, &shared.decree_id, w).await,
                _ => Ok(()),
            }
        };
        let decided = async {
            match deciding {
                Some(job) => job
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("deciding a decree: {e}")))?
                    .map(Some),
                None => Ok(None),
            }
        };
        let (wrote, decided) = tokio::join!(writing, decided);
        wrote?;
        if let Some(mut decided) = decided? {
            if preview {
                part.items.extend(decided.items.iter().cloned());
            }
            remaining = std::mem::take(&mut decided.remaining);
            part.done += decided.done;
            part.refused.append(&mut decided.refused);
            part.notices.append(&mut decided.notices);
            written = Some(decided);
        }
    }
    Ok(part)
}

/// Writes one decided batch: the transitions (case rows first, under
/// their version check), then the decree's items.
async fn write(
    txn: &DatabaseTransaction,
    decree_id: &str,
    decided: Decided,
) -> Result<(), StoreError> {
    decided.writes.flush(txn).await?;
    let items = decided
        .items
        .into_iter()
        .map(|i| decree_item::ActiveModel {
            decree_id: Set(decree_id.to_string()),
            case_id: Set(i.case_id),
            line_no: Set(i32::try_from(i.line_no).unwrap_or(i32::MAX)),
            change: Set(i.change),
            amount: Set(i.amount),
            tranches: Set(i.tranches),
            outcome: Set(i.outcome),
            reason: Set(i.reason),
        })
        .collect();
    insert_rows::<decree_item::Entity>(txn, items, "").await?;
    Ok(())
}
