use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A one-time link (the first administrator's setup, a password reset),
/// found by the SHA-256 of its secret: the secret itself is never stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// `setup` or `reset`.
    pub purpose: String,
    /// The user whose password it sets (none for `setup`).
    pub login: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was used (or voided by a newer one); unused links have none.
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
