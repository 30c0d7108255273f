use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A monev visit that fell due; indexed on `due_at` while open.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub no: i32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    pub tranche: Option<i32>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_seq: Option<i64>,
    /// `flagged` while its evidence awaits a verifier, `accepted` after; null when clear or not done.
    pub review: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
