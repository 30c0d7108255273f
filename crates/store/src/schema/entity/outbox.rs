use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// An email waiting to be sent, written in the same transaction as the
/// change that called for it. `key` makes each message unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub key: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub to_role: String,
    /// The user it goes to, once a sweep resolved the role to people.
    pub to_user: Option<String>,
    pub template: String,
    /// `id` or `en`, the recipient's setting.
    pub lang: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
