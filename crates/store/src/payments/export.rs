//! The file sent to the bank. The first export of an open batch checks
//! every line again (the engine still pays it, the account is still the
//! one gathered), then sends the batch: it and its lines no longer change.
//! A sent batch may be exported again, in any layout; each export is
//! recorded with its SHA-256.

use std::collections::BTreeMap;

use pantau_domain::access::Scope;
use pantau_domain::{Label, Rupiah};
use pantau_registry::bank::file::{self, Order};
use pantau_registry::bank::layout::{Format, Layout};
use pantau_workflow::{Case, Catalog, Context};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use sha2::{Digest, Sha256};

use super::batch::find_batch;
use super::due::ask;
use super::{BatchStatus, LineStatus, PayError, Problem};
use crate::schema::entity::{bank_account, case, payment_batch, payment_export, payment_line};
use crate::{Store, StoreError};

/// A file made for the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub lines: usize,
    pub total: Rupiah,
}

impl Store {
    /// Makes batch `id`'s file in `layout`, sending the batch when it is open.
    pub async fn export_batch(
        &self,
        catalog: &Catalog,
        id: &str,
        scope: &Scope,
        layout: &Layout,
        cx: &Context,
    ) -> Result<BankFile, PayError> {
        let txn = self.begin_write().await?;
        let batch = find_batch(&txn, id, scope).await?;
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::BatchId.eq(batch.id.as_str()))
            .filter(payment_line::Column::Status.ne(LineStatus::Removed.as_str()))
            .order_by_asc(payment_line::Column::LineNo)
            .all(&txn)
            .await?;
        match BatchStatus::parse(&batch.status) {
            Some(BatchStatus::Open) => {
                let problems = self.still_payable(&txn, catalog, &lines, cx).await?;
                if !problems.is_empty() {
                    return Err(PayError::Refused(problems));
                }
                send(&txn, &batch, layout, cx).await?;
            }
            Some(BatchStatus::Cancelled) | None => {
                return Err(PayError::one(
                    "batch",
                    format!("batch {} dibatalkan", batch.number),
                    format!("batch {} was cancelled", batch.number),
                ));
            }
            Some(BatchStatus::Sent | BatchStatus::Done) => {}
        }
        let orders: Vec<Order> = lines
            .iter()
            .map(|l| Order {
                reference: l.reference.clone(),
                bank_code: l.bank_code.clone(),
                account_no: l.account_no.clone(),
                holder_name: l.holder_name.clone(),
                amount: Rupiah::new(l.amount).unwrap_or(Rupiah::ZERO),
                description: format!("{} tahap {}", batch.number, l.tranche_no),
            })
            .collect();
        let bytes = file::write(layout, &batch.number, &orders).map_err(|reason| {
            PayError::Refused(vec![Problem {
                line: None,
                field: "layout".into(),
                reason,
            }])
        })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        payment_export::Entity::insert(payment_export::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            batch_id: Set(batch.id.clone()),
            layout: Set(layout.id.clone()),
            sha256: Set(sha256.clone()),
            exported_by: Set(cx.actor.user.clone()),
            exported_at: Set(cx.now),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        let extension = match layout.format {
            Format::Xlsx => "xlsx",
            _ => "csv",
        };
        Ok(BankFile {
            name: format!("{}-{}.{extension}", batch.number, layout.id),
            bytes,
            sha256,
            lines: orders.len(),
            total: Rupiah::new(orders.iter().map(|o| o.amount.get()).sum()).unwrap_or(Rupiah::ZERO),
        })
    }

    /// Each line the engine would no longer pay, or whose account changed
    /// since it was gathered, by line.
    async fn still_payable(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        catalog: &Catalog,
        lines: &[payment_line::Model],
        cx: &Context,
    ) -> Result<Vec<Problem>, StoreError> {
        let ids: Vec<&str> = lines.iter().map(|l| l.case_id.as_str()).collect();
        let mut cases = BTreeMap::new();
        for part in ids.chunks(500) {
            for row in case::Entity::find()
                .filter(case::Column::Id.is_in(part.iter().copied()))
                .all(txn)
                .await?
            {
                cases.insert(row.id.clone(), row);
            }
        }
        let accounts: Vec<&str> = lines.iter().map(|l| l.account_id.as_str()).collect();
        let mut replaced = std::collections::BTreeSet::new();
        for part in accounts.chunks(500) {
            for a in bank_account::Entity::find()
                .filter(bank_account::Column::Id.is_in(part.iter().copied()))
                .filter(bank_account::Column::ReplacedAt.is_not_null())
                .all(txn)
                .await?
            {
                replaced.insert(a.id);
            }
        }
        let mut problems = Vec::new();
        for l in lines {
            let line = l.line_no as u64;
            let why = match cases.get(&l.case_id) {
                None => Some(Label::new("kasus tidak ada", "no such case")),
                Some(row) => {
                    let version = u32::try_from(row.workflow_version).unwrap_or_default();
                    let def = self
                        .definition(txn, catalog, &row.id, &row.workflow, version)
                        .await?;
                    let case: Case = serde_json::from_str(&row.snapshot)?;
                    match ask(&def, &case, cx, &l.account_no) {
                        Err(why) => Some(why),
                        Ok((no, _)) if i64::from(no) != l.tranche_no => Some(Label::new(
                            format!("tahap {} sudah dibayar", l.tranche_no),
                            format!("tranche {} was already paid", l.tranche_no),
                        )),
                        Ok(_) if replaced.contains(&l.account_id) => Some(Label::new(
                            "rekening penerima diubah sejak batch disusun; keluarkan baris ini dan susun lagi",
                            "the account changed since the batch was gathered; take this line out and gather it again",
                        )),
                        Ok(_) => None,
                    }
                }
            };
            if let Some(why) = why {
                problems.push(Problem {
                    line: Some(line),
                    field: "case".into(),
                    reason: Label::new(
                        format!("{} ({}): {}", l.reference, l.case_id, why.id),
                        format!("{} ({}): {}", l.reference, l.case_id, why.en),
                    ),
                });
            }
        }
        Ok(problems)
    }
}

async fn send(
    txn: &sea_orm::DatabaseTransaction,
    batch: &payment_batch::Model,
    layout: &Layout,
    cx: &Context,
) -> Result<(), StoreError> {
    payment_line::Entity::update_many()
        .col_expr(
            payment_line::Column::Status,
            sea_orm::sea_query::Expr::value(LineStatus::Ordered.as_str()),
        )
        .filter(payment_line::Column::BatchId.eq(batch.id.as_str()))
        .filter(payment_line::Column::Status.eq(LineStatus::Open.as_str()))
        .exec(txn)
        .await?;
    let mut b = batch.clone().into_active_model();
    b.status = Set(BatchStatus::Sent.as_str().into());
    b.sent_by = Set(Some(cx.actor.user.clone()));
    b.sent_at = Set(Some(cx.now));
    b.layout = Set(Some(layout.id.clone()));
    b.update(txn).await?;
    Ok(())
}
