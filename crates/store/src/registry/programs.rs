//! Programs and their allocations as an administrator changes them: every
//! change checked against what the money already holds (an allocation never
//! below what its cases have approved, a ceiling never below the sum of the
//! allocations) and recorded with who and when, in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::NewProgram;
use crate::cases::apply::retry;
use crate::schema::entity::{allocation, case, program, program_change};
use crate::{Store, StoreError, model};

/// Who makes a change, and when.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub login: &'a str,
    pub at: DateTime<Utc>,
}

/// A program's own values, as an edit sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramEdit {
    pub name: String,
    pub fiscal_year: i32,
    pub funding_source: String,
    pub budget_ceiling: i64,
    pub workflow: String,
    pub workflow_version: u32,
}

/// Why a change was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramRefusal {
    /// No program has that id.
    NoProgram,
    /// The allocation would drop below what its cases have approved.
    BelowApproved { approved: i64 },
    /// The allocations would add up to more than the ceiling: `others` is
    /// what the program's other allocations hold.
    AboveCeiling { ceiling: i64, others: i64 },
    /// The ceiling would drop below what the allocations add up to.
    CeilingBelowAllocations { allocated: i64 },
    /// The workflow cannot change under cases opened on it (a new version of
    /// the same workflow can).
    WorkflowInUse { cases: u64 },
}

/// How many cases of a workflow version are in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCount {
    pub workflow: String,
    pub version: u32,
    pub state: String,
    pub cases: u64,
}

type Changed = Result<(), ProgramRefusal>;

impl Store {
    /// Registers a program and its allocations; registering it again
    /// changes nothing.
    pub async fn add_program(&self, p: &NewProgram) -> Result<bool, StoreError> {
        self.add_program_by(p, None).await
    }

    /// [`Store::add_program`], recorded as made by `by`.
    pub async fn add_program_by(
        &self,
        p: &NewProgram,
        by: Option<Author<'_>>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        if program::Entity::find_by_id(p.id.as_str())
            .one(&txn)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        program::Entity::insert(program::ActiveModel {
            id: Set(p.id.clone()),
            name: Set(p.name.clone()),
            workflow: Set(p.workflow.clone()),
            workflow_version: Set(p.workflow_version as i32),
            fiscal_year: Set(p.fiscal_year),
            funding_source: Set(p.funding_source.clone()),
            budget_ceiling: Set(p.budget_ceiling),
            province_code: Set(p.province.clone()),
        })
        .exec_without_returning(&txn)
        .await?;
        let rows: Vec<allocation::ActiveModel> = p
            .allocations
            .iter()
            .map(|(region, amount)| allocation::ActiveModel {
                program_id: Set(p.id.clone()),
                region_code: Set(region.clone()),
                amount: Set(*amount),
                approved: Set(0),
            })
            .collect();
        if !rows.is_empty() {
            allocation::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        if let Some(by) = by {
            let created = format!("{} v{}", p.workflow, p.workflow_version);
            record(&txn, &p.id, None, "created", None, &created, by).await?;
            for (region, amount) in &p.allocations {
                let amount = amount.to_string();
                record(&txn, &p.id, Some(region), "allocation", None, &amount, by).await?;
            }
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Sets a program's own values. Refused when the ceiling would drop
    /// below the sum of its allocations, or its workflow would change under
    /// cases opened on the old one.
    pub async fn edit_program(
        &self,
        id: &str,
        edit: &ProgramEdit,
        by: Author<'_>,
    ) -> Result<Changed, StoreError> {
        retry(|| self.edit_once(id, edit, by)).await
    }

    async fn edit_once(
        &self,
        id: &str,
        edit: &ProgramEdit,
        by: Author<'_>,
    ) -> Result<Changed, StoreError> {
        let txn = self.begin_write().await?;
        let Some(old) = locked_program(&txn, id).await? else {
            return Ok(Err(ProgramRefusal::NoProgram));
        };
        let allocated = allocated(&txn, id, None).await?;
        if edit.budget_ceiling < allocated {
            return Ok(Err(ProgramRefusal::CeilingBelowAllocations { allocated }));
        }
        if edit.workflow != old.workflow {
            let cases = case::Entity::find()
                .filter(case::Column::ProgramId.eq(id))
                .count(&txn)
                .await?;
            if cases > 0 {
                return Ok(Err(ProgramRefusal::WorkflowInUse { cases }));
            }
        }
        let version = |w: &str, v: i64| format!("{w} v{v}");
        let changes = [
            ("name", old.name.clone(), edit.name.clone()),
            (
                "fiscal_year",
                old.fiscal_year.to_string(),
                edit.fiscal_year.to_string(),
            ),
            (
                "funding_source",
                old.funding_source.clone(),
                edit.funding_source.clone(),
            ),
            (
                "budget_ceiling",
                old.budget_ceiling.to_string(),
                edit.budget_ceiling.to_string(),
            ),
            (
                "workflow",
                version(&old.workflow, old.workflow_version.into()),
                version(&edit.workflow, edit.workflow_version.into()),
            ),
        ];
        for (field, before, after) in &changes {
            if before != after {
                record(&txn, id, None, field, Some(before), after, by).await?;
            }
        }
        program::Entity::update(program::ActiveModel {
            id: Set(id.to_string()),
            name: Set(edit.name.clone()),
            workflow: Set(edit.workflow.clone()),
            workflow_version: Set(i32::try_from(edit.workflow_version).unwrap_or(i32::MAX)),
            fiscal_year: Set(edit.fiscal_year),
            funding_source: Set(edit.funding_source.clone()),
            budget_ceiling: Set(edit.budget_ceiling),
            province_code: Set(old.province_code),
        })
        .exec(&txn)
        .await?;
        txn.commit().await?;
        Ok(Ok(()))
    }

    /// Sets (or adds) a program's allocation to `region`. Refused below what
    /// the region's cases have approved, and when the allocations would add
    /// up to more than the ceiling. An approval reads the same row locked,
    /// so neither can slip past the other.
    pub async fn set_allocation(
        &self,
        id: &str,
        region: &str,
        amount: i64,
        by: Author<'_>,
    ) -> Result<Changed, StoreError> {
        retry(|| self.allocate_once(id, region, amount, by)).await
    }

    async fn allocate_once(
        &self,
        id: &str,
        region: &str,
        amount: i64,
        by: Author<'_>,
    ) -> Result<Changed, StoreError> {
        let txn = self.begin_write().await?;
        let Some(p) = locked_program(&txn, id).await? else {
            return Ok(Err(ProgramRefusal::NoProgram));
        };
        let old = allocation::Entity::find_by_id((id.to_string(), region.to_string()))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let approved = old.as_ref().map_or(0, |a| a.approved);
        if amount < approved {
            return Ok(Err(ProgramRefusal::BelowApproved { approved }));
        }
        let others = allocated(&txn, id, Some(region)).await?;
        if others.saturating_add(amount) > p.budget_ceiling {
            return Ok(Err(ProgramRefusal::AboveCeiling {
                ceiling: p.budget_ceiling,
                others,
            }));
        }
        if old.as_ref().is_some_and(|a| a.amount == amount) {
            return Ok(Ok(()));
        }
        let row = allocation::ActiveModel {
            program_id: Set(id.to_string()),
            region_code: Set(region.to_string()),
            amount: Set(amount),
            approved: Set(approved),
        };
        let before = old.as_ref().map(|a| a.amount.to_string());
        if old.is_some() {
            allocation::Entity::update(row).exec(&txn).await?;
        } else {
            allocation::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
        }
        let after = amount.to_string();
        record(
            &txn,
            id,
            Some(region),
            "allocation",
            before.as_deref(),
            &after,
            by,
        )
        .await?;
        txn.commit().await?;
        Ok(Ok(()))
    }

    /// A program's changes, newest first.
    pub async fn program_changes(&self, id: &str) -> Result<Vec<model::ProgramChange>, StoreError> {
        let rows = program_change::Entity::find()
            .filter(program_change::Column::ProgramId.eq(id))
            .order_by_desc(program_change::Column::ChangedAt)
            .order_by_desc(program_change::Column::Id)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// How many cases each workflow version has in each state.
    pub async fn cases_by_state(&self) -> Result<Vec<StateCount>, StoreError> {
        let sql = "SELECT workflow, workflow_version, state, COUNT(*) FROM cases \
                   GROUP BY workflow, workflow_version, state ORDER BY workflow, workflow_version, state";
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.db_backend(), sql))
            .await?;
        rows.iter()
            .map(|r| {
                let version: i32 = r.try_get_by_index(1)?;
                let cases: i64 = r.try_get_by_index(3)?;
                Ok(StateCount {
                    workflow: r.try_get_by_index(0)?,
                    version: u32::try_from(version).unwrap_or_default(),
                    state: r.try_get_by_index(2)?,
                    cases: u64::try_from(cases).unwrap_or_default(),
                })
            })
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}

/// The program row, locked until the transaction ends (PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already serializes writers).
async fn locked_program(
    txn: &DatabaseTransaction,
    id: &str,
) -> Result<Option<program::Model>, StoreError> {
    Ok(program::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?)
}

/// What a program's allocations add up to, leaving out `except`'s.
async fn allocated(
    txn: &DatabaseTransaction,
    id: &str,
    except: Option<&str>,
) -> Result<i64, StoreError> {
    let rows = allocation::Entity::find()
        .filter(allocation::Column::ProgramId.eq(id))
        .select_only()
        .column(allocation::Column::RegionCode)
        .column(allocation::Column::Amount)
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?;
    Ok(rows
        .iter()
        .filter(|(r, _)| Some(r.as_str()) != except)
        .fold(0i64, |sum, (_, a)| sum.saturating_add(*a)))
}

/// One changed value, in the change's transaction.
async fn record(
    txn: &impl ConnectionTrait,
    program_id: &str,
    region: Option<&str>,
    field: &str,
    old: Option<&str>,
    new: &str,
    by: Author<'_>,
) -> Result<(), StoreError> {
    program_change::Entity::insert(program_change::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        program_id: Set(program_id.to_string()),
        region_code: Set(region.map(str::to_string)),
        field: Set(field.to_string()),
        old_value: Set(old.map(str::to_string)),
        new_value: Set(new.to_string()),
        changed_by: Set(by.login.to_string()),
        changed_at: Set(by.at),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
