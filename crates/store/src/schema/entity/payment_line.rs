use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;

/// One tranche of one case in a batch, under its stable reference, with the
/// account as it was when the line was made (a later change of account
/// does not alter it) and the bank's answer: `open`, `ordered` (sent),
/// `paid`, `failed`, `returned` or `removed` (taken out of an open batch).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub reference: String,
    pub batch_id: String,
    pub line_no: i64,
    pub case_id: String,
    pub tranche_no: i64,
    pub amount: i64,
    pub region: String,
    pub program_id: Option<String>,
    pub beneficiary_id: Option<String>,
    pub account_id: String,
    pub bank_code: String,
    pub account_no: String,
    pub holder_name: String,
    pub status: String,
    pub bank_reference: Option<String>,
    pub bank_date: Option<NaiveDate>,
    pub reason: Option<String>,
    pub result_at: Option<DateTime<Utc>>,
    pub result_by: Option<String>,
    pub event_seq: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
