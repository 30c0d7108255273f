use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A tranche paid: the ledger of where each rupiah went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tranches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub no: i32,
    pub amount: i64,
    pub paid_at: DateTime<Utc>,
    pub event_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
