use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A reminder armed when its case entered a state: `pending` until a sweep
/// queues it, `void` once the case has left that state.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub case_id: String,
    pub entered_seq: i64,
    pub state: String,
    pub fire_at: DateTime<Utc>,
    pub to_role: String,
    pub template: String,
    pub step: i32,
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
