use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A person who signs in, or receives reminders: one role in one region
/// (a province covers its kabupaten/kota; no region means national).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub region_code: Option<String>,
    /// `id` or `en`.
    pub lang: String,
    /// One daily digest instead of single reminder emails.
    pub digest: bool,
    pub password_hash: Option<String>,
    pub active: bool,
    /// The day (in the user's zone) of the last digest sent.
    pub last_digest_on: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// Failed sign-ins since the last good one.
    pub failed_logins: i32,
    /// No sign-in is tried before this time (after too many failures).
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
