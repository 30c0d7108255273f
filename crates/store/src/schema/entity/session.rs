use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A signed-in browser (`web`) or an API token (`api`), found by the
/// SHA-256 of its secret: the secret itself is never stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub login: String,
    pub kind: String,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// A browser session unused until this time has ended (each use moves
    /// it on); none for API tokens.
    pub idle_until: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
