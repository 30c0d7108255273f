use sea_orm::entity::prelude::*;

/// A program's allocation to one kabupaten/kota (or province).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub program_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    pub amount: i64,
    /// The sum of the approved amounts of the program's cases in the region,
    /// kept in the same transaction as every change to them.
    pub approved: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
