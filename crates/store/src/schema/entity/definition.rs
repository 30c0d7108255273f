use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// The text of a workflow definition at the version cases were opened on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "definitions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workflow: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub sha256: String,
    pub source: String,
    pub pinned_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
