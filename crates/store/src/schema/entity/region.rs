use sea_orm::entity::prelude::*;

/// A province or kabupaten/kota, by its Kemendagri code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// `province`, `regency` or `city`.
    pub level: String,
    pub province_code: String,
    /// WIB, WITA or WIT.
    pub zone: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
