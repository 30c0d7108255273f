//! Decrees (SK): one record approving many cases, applied in batches, and
//! amending decrees (SK perubahan) that add cases, change amounts or
//! remove cases. Each case goes through the engine like any other command;
//! the decree reports the ones it could not approve and why.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use pantau_domain::{Lang, Rupiah};
use pantau_workflow::{Case, Catalog, Command, Context, Decision, Definition, engine};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};

use crate::apply::{begin, remaining_allocation, retry, stored_precision};
use crate::entity::{case, decree, decree_item};
use crate::write::{Writes, insert_rows};
use crate::{Store, StoreError};

/// Cases per transaction.
const CHUNK: usize = 500;

/// SQLite's page cache while a chunk is applied, in KiB (the default is 2,000).
const CHUNK_CACHE_KIB: u32 = 32 * 1024;

#[derive(Debug, Clone)]
pub struct NewDecree {
    pub number: String,
    pub date: NaiveDate,
    pub signer_name: String,
    pub signer_position: String,
    pub signer_nip: Option<String>,
    pub pdf_path: Option<String>,
    pub pdf_sha256: Option<String>,
    pub program_id: String,
    /// The number of the decree this one amends.
    pub amends: Option<String>,
}

/// What a decree does to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Approve at an amount (an original decree, or a case an amendment adds).
    Approve,
    /// Change an approved amount.
    Amount,
    /// Withdraw the approval.
    Remove,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Approve => "approve",
            Change::Amount => "amount",
            Change::Remove => "remove",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DecreeLine {
    pub case_id: String,
    pub change: Change,
    pub amount: Option<Rupiah>,
    /// Percent per tranche as the decree lists it, e.g. `40,30,30`.
    pub tranches: Option<String>,
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
}

impl Store {
    /// Records the decree (once: the same number again resumes it) and
    /// applies it to every listed case, `CHUNK` cases per transaction.
    pub async fn apply_decree(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        lines: &[DecreeLine],
        cx: &Context,
    ) -> Result<DecreeReport, StoreError> {
        let cx = &stored_precision(cx);
        let decree_id = self.record_decree(d, cx).await?;
        let mut report = DecreeReport {
            decree_id: decree_id.clone(),
            ..DecreeReport::default()
        };
        for (i, chunk) in lines.chunks(CHUNK).enumerate() {
            let part =
                retry(|| self.decree_chunk(catalog, d, &decree_id, chunk, i * CHUNK, cx)).await?;
            report.done += part.done;
            report.already += part.already;
            report.refused.extend(part.refused);
        }
        Ok(report)
    }

    async fn record_decree(&self, d: &NewDecree, cx: &Context) -> Result<String, StoreError> {
        if let Some(existing) = decree::Entity::find()
            .filter(decree::Column::Number.eq(d.number.as_str()))
            .one(&self.db)
            .await?
        {
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
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("decree:{}", d.number).as_bytes(),
        )
        .to_string();
        decree::Entity::insert(decree::ActiveModel {
            id: Set(id.clone()),
            number: Set(d.number.clone()),
            decree_date: Set(d.date),
            signer_name: Set(d.signer_name.clone()),
            signer_position: Set(d.signer_position.clone()),
            signer_nip: Set(d.signer_nip.clone()),
            pdf_path: Set(d.pdf_path.clone()),
            pdf_sha256: Set(d.pdf_sha256.clone()),
            program_id: Set(d.program_id.clone()),
            amends: Set(amends),
            created_at: Set(cx.now),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(id)
    }

    /// One transaction: `lines` approved (or refused) and recorded as items.
    async fn decree_chunk(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        decree_id: &str,
        lines: &[DecreeLine],
        first_row: usize,
        cx: &Context,
    ) -> Result<DecreeReport, StoreError> {
        let txn = begin(&self.db).await?;
        // A chunk touches thousands of pages (each case's row and snapshot,
        // its events, reminders, outbox row and their indexes): more than
        // SQLite's default cache, which then writes pages out mid-transaction
        // and reads them back. Widened for this transaction only.
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
        let report = self
            .decree_chunk_in(&txn, catalog, d, decree_id, lines, first_row, cx)
            .await;
        if let Some(was) = cache {
            // Back to the pool's usual size; dirty pages stay until COMMIT writes them.
            txn.execute_unprepared(&format!("PRAGMA cache_size = {was}"))
                .await?;
        }
        let report = report?;
        txn.commit().await?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn decree_chunk_in(
        &self,
        txn: &DatabaseTransaction,
        catalog: &Catalog,
        d: &NewDecree,
        decree_id: &str,
        lines: &[DecreeLine],
        first_row: usize,
        cx: &Context,
    ) -> Result<DecreeReport, StoreError> {
        let (rows, done) = listed_cases(txn, decree_id, lines).await?;
        let mut remaining: BTreeMap<String, Rupiah> = BTreeMap::new();
        let mut report = DecreeReport::default();
        let mut writes = Writes::default();
        let mut items = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            if done.contains(&line.case_id) {
                report.already += 1;
                continue;
            }
            let outcome = match rows.get(&line.case_id) {
                None => Err(format!("kasus {} tidak ada (no such case)", line.case_id)),
                Some(row) if row.program_id.as_deref() != Some(d.program_id.as_str()) => {
                    Err(format!(
                        "kasus ini bukan bagian program {} (case belongs to another program)",
                        d.program_id
                    ))
                }
                Some(row) => {
                    let region = row.region.clone().unwrap_or_default();
                    if !remaining.contains_key(&region) {
                        let left = remaining_allocation(txn, &d.program_id, &region, 0).await?;
                        remaining.insert(region.clone(), left);
                    }
                    let left = remaining.get(&region).copied().unwrap_or(Rupiah::ZERO);
                    self.decide_line(
                        catalog,
                        d,
                        line,
                        first_row + n + 1,
                        row,
                        left,
                        cx,
                        &mut writes,
                    )
                    .map(|(change, new_left)| {
                        remaining.insert(region, new_left);
                        change
                    })
                }
            };
            let (result, reason) = match outcome {
                Ok(done) => {
                    report.done += 1;
                    (done, None)
                }
                Err(reason) => {
                    report.refused.push((line.case_id.clone(), reason.clone()));
                    ("refused", Some(reason))
                }
            };
            items.push(decree_item::ActiveModel {
                decree_id: Set(decree_id.to_string()),
                case_id: Set(line.case_id.clone()),
                line_no: Set(i32::try_from(first_row + n + 1).unwrap_or(i32::MAX)),
                change: Set(line.change.as_str().to_string()),
                amount: Set(line.amount.map(Rupiah::get)),
                tranches: Set(line.tranches.clone()),
                outcome: Set(result.to_string()),
                reason: Set(reason),
            });
        }
        writes.flush(txn).await?;
        // Items of cases that no longer exist cannot reference them; they stay in the report only.
        let items: Vec<_> = items
            .into_iter()
            .filter(|i| matches!(&i.case_id, Set(c) if rows.contains_key(c)))
            .collect();
        insert_rows::<decree_item::Entity>(txn, items, "").await?;
        Ok(report)
    }

    /// Decides one line; on success adds its writes and returns the outcome
    /// word and what is left of the region's allocation afterwards.
    #[allow(clippy::too_many_arguments)]
    fn decide_line(
        &self,
        catalog: &Catalog,
        d: &NewDecree,
        line: &DecreeLine,
        row_no: usize,
        row: &case::Model,
        left: Rupiah,
        cx: &Context,
        writes: &mut Writes,
    ) -> Result<(&'static str, Rupiah), String> {
        let version = u32::try_from(row.workflow_version).unwrap_or_default();
        let def = catalog.get(&row.workflow, version).ok_or_else(|| {
            format!(
                "alur {} v{version} tidak dimuat (workflow not loaded)",
                row.workflow
            )
        })?;
        let mut case: Case = serde_json::from_str(&row.snapshot).map_err(|e| e.to_string())?;
        let action = decree_action(def, &case, line.change).ok_or_else(|| format!("kasus berstatus `{}` tidak dapat di-{} dengan SK (no decree action from this state)", case.state, line.change.as_str()))?;
        let mut inputs = BTreeMap::from([
            ("decree_number".to_string(), d.number.clone()),
            (
                "decree_date".to_string(),
                d.date.format("%Y-%m-%d").to_string(),
            ),
        ]);
        if let (Some(field), Some(amount)) = (&action.approves, line.amount) {
            inputs.insert(field.clone(), amount.get().to_string());
        }
        if def.inputs(action).any(|f| f.id == "decree_annex_row") {
            inputs.insert("decree_annex_row".into(), row_no.to_string());
        }
        let before = case.approved.unwrap_or(Rupiah::ZERO);
        let cmd = Command {
            key: format!("decree:{}:{}", d.number, row.id),
            action: action.id.clone(),
            inputs,
        };
        let cx = Context {
            remaining_allocation: Some(left.checked_add(before).unwrap_or(left)),
            ..cx.clone()
        };
        match engine::decide(def, &case, &cmd, &cx) {
            Ok(Decision::Apply { event, effects }) => {
                case.apply(&event);
                writes
                    .add(row, &case, &event, &effects, cx.now)
                    .map_err(|e| e.to_string())?;
                let after = case.approved.unwrap_or(Rupiah::ZERO);
                let new_left = left
                    .checked_add(before)
                    .and_then(|l| l.checked_sub(after))
                    .unwrap_or(Rupiah::ZERO);
                let word = match line.change {
                    Change::Approve => "approved",
                    Change::Amount => "changed",
                    Change::Remove => "removed",
                };
                Ok((word, new_left))
            }
            Ok(Decision::AlreadyApplied { .. }) => Ok(("approved", left)),
            Err(refusal) => Err(refusal.message(Lang::Id)),
        }
    }
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
    lines: &[DecreeLine],
) -> Result<(BTreeMap<String, case::Model>, BTreeSet<String>), StoreError> {
    let ids: Vec<&str> = lines.iter().map(|l| l.case_id.as_str()).collect();
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
fn decree_action<'a>(
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

impl Store {
    /// A decree with every case it lists, and the decree it amends, if any.
    pub async fn decree(
        &self,
        number: &str,
    ) -> Result<
        Option<(
            decree::Model,
            Vec<decree_item::Model>,
            Option<decree::Model>,
        )>,
        StoreError,
    > {
        let Some(d) = decree::Entity::find()
            .filter(decree::Column::Number.eq(number))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let items = decree_item::Entity::find()
            .filter(decree_item::Column::DecreeId.eq(d.id.as_str()))
            .order_by_asc(decree_item::Column::LineNo)
            .all(&self.db)
            .await?;
        let amends = match &d.amends {
            Some(id) => {
                decree::Entity::find_by_id(id.as_str())
                    .one(&self.db)
                    .await?
            }
            None => None,
        };
        Ok(Some((d, items, amends)))
    }
}
