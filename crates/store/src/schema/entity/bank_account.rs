use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One version of a beneficiary's bank account: the current one has no
/// `replaced_at`. A holder name unlike the beneficiary's (`name_matches`
/// false) holds its tranches out of batches until a verifier accepts it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub beneficiary_id: String,
    pub bank_code: String,
    pub account_no: String,
    pub holder_name: String,
    pub name_matches: bool,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub replaced_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
