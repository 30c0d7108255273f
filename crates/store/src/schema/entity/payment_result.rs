use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A bank's result file imported into a batch: what it applied, and
/// (JSON) the lines it could not match, listed and never guessed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub batch_id: String,
    pub file_name: String,
    pub sha256: String,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
    pub paid: i64,
    pub failed: i64,
    pub returned: i64,
    pub already: i64,
    pub unmatched: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
