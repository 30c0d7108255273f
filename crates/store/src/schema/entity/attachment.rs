use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// An uploaded file of a case (a visit photo, a scanned document); the
/// same bytes uploaded twice for one case are stored once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub data: Vec<u8>,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
    /// The perceptual hash (64 bits), when the file is a picture.
    pub phash: Option<i64>,
    /// When the camera says the photo was taken (EXIF), in UTC.
    pub taken_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
