//! A treasurer's batch: the payable tranches gathered (all that are due in
//! the treasurer's region, of one program when asked, or the cases named),
//! each line with a stable reference and the account as it is now; a line
//! taken out, or the batch given up, while it is open.

use chrono::Datelike;
use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Rupiah};
use pantau_workflow::{Catalog, Context};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use serde::Serialize;

use super::{BatchStatus, Due, LineStatus, PayError, Problem, retry};
use crate::cases::write::insert_rows;
use crate::schema::entity::{payment_batch, payment_line};
use crate::{Store, StoreError};

/// What to gather.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewBatch {
    pub program_id: Option<String>,
    /// The cases to pay; empty: every payable tranche due.
    pub cases: Vec<String>,
}

/// A batch made: its id and number, its lines and total, and the tranches
/// due that were left out with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchMade {
    pub batch_id: String,
    pub number: String,
    pub lines: usize,
    pub total: Rupiah,
    pub held: Vec<Due>,
}

impl Store {
    /// Gathers a batch in the region of `scope` (a treasurer's province or
    /// kabupaten/kota). A case named that is not payable now refuses the
    /// whole request, by case and reason; gathering everything leaves the
    /// held ones out and lists them.
    pub async fn create_batch(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        new: &NewBatch,
        cx: &Context,
    ) -> Result<BatchMade, PayError> {
        let Some(region) = scope.region().map(|r| r.as_str().to_string()) else {
            return Err(PayError::one(
                "region",
                "batch pembayaran milik satu provinsi atau kabupaten/kota; pengguna nasional tidak membuatnya",
                "a payment batch belongs to one province or kabupaten/kota; a national user makes none",
            ));
        };
        retry(|| self.create_batch_once(catalog, scope, &region, new, cx)).await
    }

    async fn create_batch_once(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        region: &str,
        new: &NewBatch,
        cx: &Context,
    ) -> Result<BatchMade, PayError> {
        let only = (!new.cases.is_empty()).then_some(new.cases.as_slice());
        let due = self
            .due_of(catalog, scope, new.program_id.as_deref(), only, cx)
            .await?;
        let mut problems = Vec::new();
        for id in &new.cases {
            match due.iter().find(|d| &d.case_id == id) {
                None => problems.push(Problem::new(
                    "cases",
                    format!("kasus {id} tidak punya tahap yang jatuh tempo di wilayah Anda"),
                    format!("case {id} has no tranche due in your region"),
                )),
                Some(d) => {
                    if let Some(batch) = &d.in_batch {
                        problems.push(Problem::new(
                            "cases",
                            format!(
                                "tahap {} kasus {id} sudah ada di batch {batch}",
                                d.tranche_no
                            ),
                            format!(
                                "tranche {} of case {id} is already in batch {batch}",
                                d.tranche_no
                            ),
                        ));
                    } else if let Some(why) = &d.held {
                        problems.push(Problem::new(
                            "cases",
                            format!("kasus {id}: {}", why.id),
                            format!("case {id}: {}", why.en),
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(PayError::Refused(problems));
        }
        let (take, held): (Vec<Due>, Vec<Due>) = due.into_iter().partition(Due::payable);
        let held = held.into_iter().filter(|d| d.in_batch.is_none()).collect();
        if take.is_empty() {
            return Err(PayError::one(
                "cases",
                "tidak ada tahap yang jatuh tempo dan dapat dibayar",
                "no tranche is due and payable",
            ));
        }
        let txn = self.begin_write().await?;
        let year = cx.now.year();
        let made = payment_batch::Entity::find()
            .filter(payment_batch::Column::RegionCode.eq(region))
            .filter(payment_batch::Column::Number.starts_with(prefix(region, year)))
            .count(&txn)
            .await?;
        let seq = made + 1;
        let number = format!("{}{seq:04}", prefix(region, year));
        let id = uuid::Uuid::new_v4().to_string();
        let total = take.iter().map(|d| d.amount.get()).sum::<i64>();
        payment_batch::Entity::insert(payment_batch::ActiveModel {
            id: Set(id.clone()),
            number: Set(number.clone()),
            region_code: Set(region.to_string()),
            program_id: Set(new.program_id.clone()),
            status: Set(BatchStatus::Open.as_str().into()),
            created_by: Set(cx.actor.user.clone()),
            created_at: Set(cx.now),
            sent_by: Set(None),
            sent_at: Set(None),
            layout: Set(None),
            line_count: Set(take.len() as i64),
            total: Set(total),
        })
        .exec_without_returning(&txn)
        .await?;
        let digits = region.replace(RegionCode::SEPARATOR, "");
        let rows = take
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let a = d.account.as_ref()?;
                Some(payment_line::ActiveModel {
                    reference: Set(format!("PTU{digits}{:02}{seq:04}{:06}", year % 100, i + 1)),
                    batch_id: Set(id.clone()),
                    line_no: Set(i as i64 + 1),
                    case_id: Set(d.case_id.clone()),
                    tranche_no: Set(i64::from(d.tranche_no)),
                    amount: Set(d.amount.get()),
                    region: Set(d.region.clone()),
                    program_id: Set(d.program_id.clone()),
                    beneficiary_id: Set(d.beneficiary_id.clone()),
                    account_id: Set(a.id.clone()),
                    bank_code: Set(a.bank_code.clone()),
                    account_no: Set(a.account_no.clone()),
                    holder_name: Set(a.holder_name.clone()),
                    status: Set(LineStatus::Open.as_str().into()),
                    bank_reference: Set(None),
                    bank_date: Set(None),
                    reason: Set(None),
                    result_at: Set(None),
                    result_by: Set(None),
                    event_seq: Set(None),
                })
            })
            .collect();
        insert_rows::<payment_line::Entity>(&txn, rows, "").await?;
        txn.commit().await?;
        Ok(BatchMade {
            batch_id: id,
            number,
            lines: take.len(),
            total: Rupiah::new(total).unwrap_or(Rupiah::ZERO),
            held,
        })
    }

    /// Takes the line `reference` out of its batch while the batch is open
    /// (the tranche is due again).
    pub async fn remove_line(
        &self,
        batch_id: &str,
        reference: &str,
        scope: &Scope,
    ) -> Result<(), PayError> {
        let txn = self.begin_write().await?;
        let batch = open_batch(&txn, batch_id, scope).await?;
        let Some(line) = payment_line::Entity::find_by_id(reference)
            .one(&txn)
            .await?
            .filter(|l| l.batch_id == batch.id && l.status == LineStatus::Open.as_str())
        else {
            return Err(StoreError::NotFound(format!("line {reference}")).into());
        };
        let amount = line.amount;
        let mut l = line.into_active_model();
        l.status = Set(LineStatus::Removed.as_str().into());
        l.update(&txn).await?;
        let mut b = batch.clone().into_active_model();
        b.line_count = Set(batch.line_count - 1);
        b.total = Set(batch.total - amount);
        b.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Gives up an open batch: its tranches are due again.
    pub async fn cancel_batch(&self, batch_id: &str, scope: &Scope) -> Result<(), PayError> {
        let txn = self.begin_write().await?;
        let batch = open_batch(&txn, batch_id, scope).await?;
        payment_line::Entity::update_many()
            .col_expr(
                payment_line::Column::Status,
                sea_orm::sea_query::Expr::value(LineStatus::Removed.as_str()),
            )
            .filter(payment_line::Column::BatchId.eq(batch.id.as_str()))
            .filter(payment_line::Column::Status.eq(LineStatus::Open.as_str()))
            .exec(&txn)
            .await?;
        let mut b = batch.into_active_model();
        b.status = Set(BatchStatus::Cancelled.as_str().into());
        b.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// `BYR-1871-26-` for Kota Bandar Lampung's batches of 2026.
fn prefix(region: &str, year: i32) -> String {
    format!(
        "BYR-{}-{:02}-",
        region.replace(RegionCode::SEPARATOR, ""),
        year % 100
    )
}

/// The batch `id` within `scope`, open, locked for the transaction.
pub(super) async fn open_batch(
    txn: &sea_orm::DatabaseTransaction,
    id: &str,
    scope: &Scope,
) -> Result<payment_batch::Model, PayError> {
    let batch = find_batch(txn, id, scope).await?;
    if batch.status != BatchStatus::Open.as_str() {
        return Err(PayError::one(
            "batch",
            format!(
                "batch {} sudah dikirim ke bank; isinya tidak dapat diubah",
                batch.number
            ),
            format!(
                "batch {} was sent to the bank; nothing in it can change",
                batch.number
            ),
        ));
    }
    Ok(batch)
}

/// The batch `id` (its id or its number) within `scope`, locked for the transaction.
pub(super) async fn find_batch(
    txn: &sea_orm::DatabaseTransaction,
    id: &str,
    scope: &Scope,
) -> Result<payment_batch::Model, PayError> {
    use sea_orm::QuerySelect;
    payment_batch::Entity::find()
        .filter(named(id))
        .lock_exclusive()
        .one(txn)
        .await?
        .filter(|b| scope.covers(Some(&b.region_code)))
        .ok_or_else(|| StoreError::NotFound(format!("batch {id}")).into())
}

/// The batch named `id`: its id or its number.
pub(super) fn named(id: &str) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(payment_batch::Column::Id.eq(id))
        .add(payment_batch::Column::Number.eq(id))
}
