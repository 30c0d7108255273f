use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A file of a case sent in parts; its `key` (chosen by the sender) finds
/// it again, so an upload cut off resumes where it stopped.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub key: String,
    pub case_id: String,
    pub content_type: String,
    /// The whole file's size, announced at the start.
    pub size: i64,
    /// Bytes received so far, in order.
    pub received: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The stored file, once every byte arrived and it passed the checks.
    pub attachment_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
