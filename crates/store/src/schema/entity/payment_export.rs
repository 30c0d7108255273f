use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A file made of a batch for the bank: by whom, when, in which layout,
/// and its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub batch_id: String,
    pub layout: String,
    pub sha256: String,
    pub exported_by: String,
    pub exported_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
