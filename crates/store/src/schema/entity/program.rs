use sea_orm::entity::prelude::*;

/// An aid program for a fiscal year, run on one workflow definition.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub workflow: String,
    pub workflow_version: i32,
    pub fiscal_year: i32,
    /// e.g. APBN (Kemenkop UKM), DAK, APBD.
    pub funding_source: String,
    pub budget_ceiling: i64,
    /// The province that runs it.
    pub province_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
