//! Every batch line of a region, of the batches made in a period, as the
//! Ministry bundle carries them (`reports/payments.csv`): where each
//! tranche sent to the bank stands, with the bank's answer.

use chrono::{DateTime, NaiveDate, Utc};
use pantau_domain::access::Scope;
use sea_orm::{FromQueryResult, Statement};

use crate::{Store, StoreError};

/// One batch line, with its batch's number.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LedgerLine {
    /// The batch's number (`BYR-18-26-0001`).
    pub batch: String,
    pub reference: String,
    pub case_id: String,
    pub region: String,
    pub tranche_no: i64,
    pub amount: i64,
    /// [`super::LineStatus::as_str`].
    pub status: String,
    pub bank_reference: Option<String>,
    pub bank_date: Option<NaiveDate>,
    pub reason: Option<String>,
}

impl Store {
    /// The lines in `scope` (by the line's kabupaten/kota) of the batches
    /// made from `from` until `to`, by batch number and line.
    pub async fn payment_lines_within(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LedgerLine>, StoreError> {
        let (region, mut values) =
            crate::read::scope::scope_sql_on(self.db_backend(), scope, 1, "l.region");
        let n = values.len();
        values.push(from.into());
        values.push(to.into());
        let sql = format!(
            "SELECT b.number AS batch, l.reference, l.case_id, l.region, l.tranche_no, l.amount, \
             l.status, l.bank_reference, l.bank_date, l.reason \
             FROM payment_lines l JOIN payment_batches b ON b.id = l.batch_id \
             WHERE {region} AND b.created_at >= ${} AND b.created_at < ${} \
             ORDER BY b.number, l.line_no",
            n + 1,
            n + 2
        );
        Ok(
            LedgerLine::find_by_statement(Statement::from_sql_and_values(
                self.db_backend(),
                sql,
                values,
            ))
            .all(&self.db)
            .await?,
        )
    }
}
