use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One changed value of a program or of one of its allocations: who, when,
/// from what (none: it did not exist) to what.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "program_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub program_id: String,
    /// The allocation's kabupaten/kota; none for the program's own values.
    pub region_code: Option<String>,
    /// `created`, `name`, `fiscal_year`, `funding_source`, `budget_ceiling`,
    /// `workflow`, or `allocation`.
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: String,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
