//! Batches read back within a scope, and the money sent to the bank and
//! not yet answered, per program and kabupaten/kota, for the reports.

use chrono::{DateTime, NaiveDate, Utc};
use pantau_domain::Rupiah;
use pantau_domain::access::Scope;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::{BatchStatus, LineStatus};
use crate::read::scope::in_scope;
use crate::schema::entity::{payment_batch, payment_line};
use crate::{Store, StoreError};

/// A batch with its lines counted by standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchView {
    pub id: String,
    pub number: String,
    pub region: String,
    pub program_id: Option<String>,
    pub status: BatchStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_by: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub layout: Option<String>,
    pub lines: i64,
    pub total: Rupiah,
    /// (lines, rupiah) per standing: ordered, paid, failed or returned.
    pub ordered: (i64, Rupiah),
    pub paid: (i64, Rupiah),
    pub failed: (i64, Rupiah),
    pub returned: (i64, Rupiah),
}

/// One line of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineView {
    pub reference: String,
    pub line_no: i64,
    pub case_id: String,
    pub tranche_no: i64,
    pub amount: Rupiah,
    pub region: String,
    pub beneficiary_id: Option<String>,
    pub beneficiary_name: String,
    pub bank_code: String,
    pub account_no: String,
    pub holder_name: String,
    pub status: LineStatus,
    pub bank_reference: Option<String>,
    pub bank_date: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Money at the bank for one program and kabupaten/kota: sent and not yet
/// answered (ordered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stages {
    pub program_id: Option<String>,
    pub region: String,
    pub ordered: Rupiah,
    pub ordered_lines: i64,
}

/// The lines' rupiah summed as a BIGINT (PostgreSQL's SUM of a BIGINT is NUMERIC).
fn total() -> sea_orm::sea_query::Expr {
    sea_orm::sea_query::Expr::cust("CAST(SUM(amount) AS BIGINT)")
}

fn rupiah(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap_or(Rupiah::ZERO)
}

impl Store {
    /// The batches within `scope`, the newest first.
    pub async fn batches(&self, scope: &Scope) -> Result<Vec<BatchView>, StoreError> {
        self.batch_views(scope, None).await
    }

    /// The batches within `scope` (only the one named `id`, by its id or
    /// number, when given), each with its lines counted by standing.
    async fn batch_views(
        &self,
        scope: &Scope,
        id: Option<&str>,
    ) -> Result<Vec<BatchView>, StoreError> {
        let mut q = payment_batch::Entity::find()
            .filter(in_scope(self.db_backend(), "region_code", scope))
            .order_by_desc(payment_batch::Column::CreatedAt);
        if let Some(id) = id {
            q = q.filter(super::batch::named(id));
        }
        let rows = q.all(&self.db).await?;
        let ids: Vec<&str> = rows.iter().map(|b| b.id.as_str()).collect();
        let mut counts: Vec<(String, String, i64, i64)> = Vec::new();
        for part in ids.chunks(500) {
            counts.extend(
                payment_line::Entity::find()
                    .select_only()
                    .column(payment_line::Column::BatchId)
                    .column(payment_line::Column::Status)
                    .column_as(payment_line::Column::Reference.count(), "n")
                    .column_as(total(), "total")
                    .filter(payment_line::Column::BatchId.is_in(part.iter().copied()))
                    .group_by(payment_line::Column::BatchId)
                    .group_by(payment_line::Column::Status)
                    .into_tuple::<(String, String, i64, Option<i64>)>()
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|(b, s, n, t)| (b, s, n, t.unwrap_or(0))),
            );
        }
        Ok(rows
            .into_iter()
            .map(|b| {
                let of = |status: LineStatus| {
                    counts
                        .iter()
                        .find(|(id, s, _, _)| *id == b.id && s == status.as_str())
                        .map_or((0, Rupiah::ZERO), |(_, _, n, t)| (*n, rupiah(*t)))
                };
                BatchView {
                    ordered: of(LineStatus::Ordered),
                    paid: of(LineStatus::Paid),
                    failed: of(LineStatus::Failed),
                    returned: of(LineStatus::Returned),
                    status: BatchStatus::parse(&b.status).unwrap_or(BatchStatus::Open),
                    total: rupiah(b.total),
                    lines: b.line_count,
                    id: b.id,
                    number: b.number,
                    region: b.region_code,
                    program_id: b.program_id,
                    created_by: b.created_by,
                    created_at: b.created_at,
                    sent_by: b.sent_by,
                    sent_at: b.sent_at,
                    layout: b.layout,
                }
            })
            .collect())
    }

    /// Batch `id` (its id or number) within `scope`, with its lines in order.
    pub async fn batch(
        &self,
        id: &str,
        scope: &Scope,
    ) -> Result<Option<(BatchView, Vec<LineView>)>, StoreError> {
        let Some(view) = self.batch_views(scope, Some(id)).await?.pop() else {
            return Ok(None);
        };
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::BatchId.eq(view.id.as_str()))
            .order_by_asc(payment_line::Column::LineNo)
            .all(&self.db)
            .await?;
        Ok(Some((view, self.line_views(lines).await?)))
    }

    /// Every batch line of case `id`, by tranche (its page shows where its money is).
    pub async fn case_payments(&self, id: &str) -> Result<Vec<LineView>, StoreError> {
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::CaseId.eq(id))
            .order_by_asc(payment_line::Column::TrancheNo)
            .order_by_asc(payment_line::Column::Reference)
            .all(&self.db)
            .await?;
        self.line_views(lines).await
    }

    /// `lines` as read models, each with its beneficiary's name.
    async fn line_views(
        &self,
        lines: Vec<payment_line::Model>,
    ) -> Result<Vec<LineView>, StoreError> {
        let owners: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.beneficiary_id.as_deref())
            .collect();
        let names = super::due::names(&self.db, &owners).await?;
        Ok(lines
            .into_iter()
            .map(|l| LineView {
                beneficiary_name: l
                    .beneficiary_id
                    .as_ref()
                    .and_then(|b| names.get(b))
                    .cloned()
                    .unwrap_or_default(),
                status: LineStatus::parse(&l.status).unwrap_or(LineStatus::Open),
                amount: rupiah(l.amount),
                reference: l.reference,
                line_no: l.line_no,
                case_id: l.case_id,
                tranche_no: l.tranche_no,
                region: l.region,
                beneficiary_id: l.beneficiary_id,
                bank_code: l.bank_code,
                account_no: l.account_no,
                holder_name: l.holder_name,
                bank_reference: l.bank_reference,
                bank_date: l.bank_date,
                reason: l.reason,
            })
            .collect())
    }

    /// Rupiah sent to the bank and not yet answered, per program and
    /// kabupaten/kota within `scope`.
    pub async fn ordered_amounts(&self, scope: &Scope) -> Result<Vec<Stages>, StoreError> {
        let rows: Vec<(Option<String>, String, i64, Option<i64>)> = payment_line::Entity::find()
            .select_only()
            .column(payment_line::Column::ProgramId)
            .column(payment_line::Column::Region)
            .column_as(payment_line::Column::Reference.count(), "n")
            .column_as(total(), "total")
            .filter(in_scope(self.db_backend(), "region", scope))
            .filter(payment_line::Column::Status.eq(LineStatus::Ordered.as_str()))
            .group_by(payment_line::Column::ProgramId)
            .group_by(payment_line::Column::Region)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(program_id, region, n, total)| Stages {
                program_id,
                region,
                ordered: rupiah(total.unwrap_or(0)),
                ordered_lines: n,
            })
            .collect())
    }
}
