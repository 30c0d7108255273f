use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A treasurer's payment batch: `open` (lines may be added or taken out),
/// `sent` (exported to the bank: nothing in it changes), `done` (the bank
/// answered every line) or `cancelled` (open, then given up).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub number: String,
    pub region_code: String,
    pub program_id: Option<String>,
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_by: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub layout: Option<String>,
    pub line_count: i64,
    pub total: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
