use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One change made to a user's account: who made it, when, and what.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The user changed.
    pub login: String,
    /// Who changed it.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// `added`, `role`, `region`, `deactivated`, `activated`, `reset_link`,
    /// `password`, `setup`.
    pub what: String,
    /// From what to what (`verifier → manager_province`), or empty.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
