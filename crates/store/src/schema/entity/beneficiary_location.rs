use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A beneficiary's location that a monev visit registered (the first visit
/// with a GPS point, for a beneficiary with none): unconfirmed until a
/// verifier confirms it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beneficiary_locations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub beneficiary_id: String,
    pub case_id: String,
    pub visit_no: i32,
    pub set_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
