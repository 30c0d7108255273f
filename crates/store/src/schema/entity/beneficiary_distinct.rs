use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A pair of records a verifier found to be two beneficiaries, the smaller
/// id first: never listed as likely duplicates again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beneficiary_distinct")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub first_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub second_id: String,
    pub reason: String,
    pub marked_by: String,
    pub marked_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
