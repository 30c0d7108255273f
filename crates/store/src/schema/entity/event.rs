use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One event, append-only. `body` is the engine's `Event` as JSON, and
/// `hash` = SHA-256 over the case id, `seq`, `prev_hash` and `body`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user: String,
    pub actor_role: String,
    pub action: String,
    pub idem_key: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
