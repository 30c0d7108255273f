use sea_orm::entity::prelude::*;

/// One 8-bit band of a visit photo's perceptual hash (`band × 256 + bits`):
/// hashes within 7 bits of each other share a band, so near matches are found by index.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo_bands")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub band: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub visit_no: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attachment_id: String,
    pub phash: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
