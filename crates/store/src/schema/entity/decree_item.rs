use sea_orm::entity::prelude::*;

/// One case listed in a decree: what the decree does to it and whether it took.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decree_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub decree_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    /// The case's row in the decree's list, from 1.
    pub line_no: i32,
    /// `approve`, `amount` (an amended amount) or `remove`.
    pub change: String,
    pub amount: Option<i64>,
    /// Percent per tranche, e.g. `40,30,30`.
    pub tranches: Option<String>,
    /// `approved`, `changed`, `removed` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
