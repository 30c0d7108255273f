use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One merge of two records found to be one beneficiary: the one kept, the
/// one merged into it (kept too, marked `merged_into`), who, when and why,
/// how many cases moved, and (JSON) each year both had a record of.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beneficiary_merges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kept_id: String,
    pub merged_id: String,
    pub reason: String,
    pub merged_by: String,
    pub merged_at: DateTime<Utc>,
    pub cases_moved: i64,
    pub years: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
