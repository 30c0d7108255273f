//! Decrees (SK): one record approving many cases, applied in batches, and
//! amending decrees (SK perubahan) that add cases, change amounts or
//! remove cases. Each case goes through the engine like any other command;
//! the decree reports the ones it could not approve and why, and tells each
//! kabupaten/kota once by email what it did there.

mod decide;
pub mod notice;
mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_workflow::{Case, Catalog, Context, Definition};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect, QueryTrait, Statement,
};
use sha2::Digest;

use crate::apply::{begin, remaining_allocation, retry, stored_precision};
use crate::entity::{case, decree, decree_item, decree_scan};
use crate::write::insert_rows;
use crate::{Store, StoreError};
use decide::{Decided, Line, decide};

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
        let cx = &stored_precision(cx);
        let decree_id = self.record_decree(d, cx).await?;
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
        for chunk in listed.chunks(CHUNK) {
            let part = retry(|| self.decree_chunk(&shared, chunk)).await?;
            report.done += part.done;
            report.already += part.already;
            report.refused.extend(part.refused);
            notices.extend(part.notices);
        }
        report.notices = notice::queue(&self.db, &decree_id, &notices, cx.now).await?;
        Ok(report)
    }

    async fn record_decree(&self, d: &NewDecree, cx: &Context) -> Result<String, StoreError> {
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
        let sha = d
            .scan
            .as_ref()
            .map(|s| hex::encode(sha2::Sha256::digest(&s.data)));
        let txn = begin(&self.db).await?;
        if let (Some(scan), Some(sha)) = (&d.scan, &sha) {
            decree_scan::Entity::insert(decree_scan::ActiveModel {
                sha256: Set(sha.clone()),
                size: Set(i64::try_from(scan.data.len()).unwrap_or(i64::MAX)),
                data: Set(scan.data.clone()),
                created_at: Set(cx.now),
            })
            .on_conflict(
                OnConflict::column(decree_scan::Column::Sha256)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
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

    /// One transaction: `lines` approved (or refused) and recorded as items.
    async fn decree_chunk(
        &self,
        shared: &Shared,
        lines: &[(usize, &DecreeLine)],
    ) -> Result<Part, StoreError> {
        let txn = begin(&self.db).await?;
        // A chunk touches thousands of pages (each case's row and snapshot,
        // its events, reminders and their indexes): more than SQLite's
        // default cache, which then writes pages out mid-transaction and
        // reads them back. Widened for this transaction only.
        let cache = if self.backend() == DbBackend::Sqlite {
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA cache_size",
                ))
                .await?;
            let was: i64 = row.map_or(Ok(-2000), |r| r.try_get_by_index(0))?;
            txn.execute_unprepared(&format!("PRAGMA cache_size = -{CHUNK_CACHE_KIB}"))
                .await?;
            Some(was)
        } else {
            None
        };
        let part = decree_chunk_in(&txn, shared, lines).await;
        if let Some(was) = cache {
            // Back to the pool's usual size; dirty pages stay until COMMIT writes them.
            txn.execute_unprepared(&format!("PRAGMA cache_size = {was}"))
                .await?;
        }
        let part = part?;
        txn.commit().await?;
        Ok(part)
    }
}

/// A decree's id: the same number always names the same decree.
pub fn id_of(number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("decree:{number}").as_bytes(),
    )
    .to_string()
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
}

/// Reads the chunk's cases and allocations, then decides it in batches of
/// [`BATCH`] on a blocking thread, each batch decided while the one before
/// is written: the engine's work (snapshots, decisions, hashes) and the
/// database's overlap instead of taking turns.
async fn decree_chunk_in(
    txn: &DatabaseTransaction,
    shared: &Shared,
    lines: &[(usize, &DecreeLine)],
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
    let mut todo = Vec::with_capacity(lines.len());
    for (no, line) in lines {
        if done.contains(&line.case_id) {
            part.already += 1;
            continue;
        }
        let case = rows.remove(&line.case_id).map(|row| {
            let version = u32::try_from(row.workflow_version).unwrap_or_default();
            let def = shared.catalog.get(&row.workflow, version).cloned();
            (row, def)
        });
        todo.push(Line {
            no: *no,
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
            let (d, id, cx) = (
                shared.decree.clone(),
                shared.decree_id.clone(),
                shared.cx.clone(),
            );
            let left = std::mem::take(&mut remaining);
            tokio::task::spawn_blocking(move || decide(&d, &id, batch, left, &cx))
        });
        let writing = async {
            match written.take() {
                Some(w) => write(txn, w).await,
                None => Ok(()),
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
async fn write(txn: &DatabaseTransaction, decided: Decided) -> Result<(), StoreError> {
    decided.writes.flush(txn).await?;
    insert_rows::<decree_item::Entity>(txn, decided.items, "").await?;
    Ok(())
}

/// The rows of the cases `lines` name, and which of them this decree
/// already lists (a previous run handled them). Both in one statement: the
/// second is an `EXISTS` on the primary key `(decree_id, case_id)` per case
/// read, so it costs one index probe per case however many items the decree
/// has, and however stale the planner's statistics are (an `IN` list of 500
/// case ids against `decree_items` was planned as a scan of the decree's
/// items when they were analyzed empty: quadratic over a large decree).
async fn listed_cases(
    txn: &DatabaseTransaction,
    decree_id: &str,
    lines: &[(usize, &DecreeLine)],
) -> Result<(BTreeMap<String, case::Model>, BTreeSet<String>), StoreError> {
    let ids: Vec<&str> = lines.iter().map(|(_, l)| l.case_id.as_str()).collect();
    let statement = case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .expr_as(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(decree_item::Entity)
                    .and_where(
                        Expr::col((decree_item::Entity, decree_item::Column::DecreeId))
                            .eq(decree_id),
                    )
                    .and_where(
                        Expr::col((decree_item::Entity, decree_item::Column::CaseId))
                            .equals((case::Entity, case::Column::Id)),
                    )
                    .to_owned(),
            ),
            "in_decree",
        )
        .build(txn.get_database_backend());
    let mut rows = BTreeMap::new();
    let mut done = BTreeSet::new();
    for r in txn.query_all_raw(statement).await? {
        let row = case::Model::from_query_result(&r, "")?;
        if r.try_get::<bool>("", "in_decree")? {
            done.insert(row.id.clone());
        }
        rows.insert(row.id.clone(), row);
    }
    Ok((rows, done))
}

/// The by-decree action that makes `change` from the case's state.
pub(crate) fn decree_action<'a>(
    def: &'a Definition,
    case: &'a Case,
    change: Change,
) -> Option<&'a pantau_workflow::Action> {
    def.actions_from(&case.state).find(|a| {
        a.by_decree
            && match change {
                Change::Approve | Change::Amount => a.approves.is_some(),
                Change::Remove => a.revokes_approval,
            }
    })
}
