use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// Failed sign-ins of one login (existing or not) from one source address
/// since its last good one, and when the next try is allowed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub login: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    pub failures: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_failed_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
