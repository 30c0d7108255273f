use sea_orm::entity::prelude::*;

/// A cooperative's status in one year: the indicators compare years.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperative_years")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub beneficiary_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub active: bool,
    /// Held its annual member meeting (RAT) for the year.
    pub rat_held: bool,
    /// Rated a quality cooperative (koperasi berkualitas) that year.
    pub quality: bool,
    pub members: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
