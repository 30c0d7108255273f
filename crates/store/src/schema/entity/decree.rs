use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A decree (SK) approving many cases, or amending (`amends`) an earlier one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decrees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub number: String,
    pub decree_date: chrono::NaiveDate,
    pub signer_name: String,
    pub signer_position: String,
    pub signer_nip: Option<String>,
    /// The name the scanned PDF was sent under.
    pub pdf_path: Option<String>,
    /// The scan's SHA-256: its bytes are in `decree_scans`.
    pub pdf_sha256: Option<String>,
    pub program_id: String,
    pub amends: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
