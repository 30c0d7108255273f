use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A cooperative, UMKM, PKL or new entrepreneur. `id` is the UUIDv5 of
/// `natural_key` (e.g. `koperasi:1871…`; `import::beneficiary_id`), so
/// registering the same one twice finds the first by its id.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beneficiaries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `cooperative`, `umkm`, `pkl` or `entrepreneur`.
    pub kind: String,
    pub natural_key: String,
    pub region_code: String,
    pub name: String,
    pub nik_koperasi: Option<String>,
    pub legal_entity_number: Option<String>,
    /// KSP, KUD, pesantren, desa_wisata, …
    pub coop_kind: Option<String>,
    pub members: Option<i32>,
    pub active: Option<bool>,
    pub last_rat_year: Option<i32>,
    pub nib: Option<String>,
    pub owner_nik: Option<String>,
    /// micro, small or medium.
    pub scale: Option<String>,
    pub nik: Option<String>,
    pub market_location: Option<String>,
    pub lat_micro: Option<i32>,
    pub lon_micro: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub address: Option<String>,
    /// Digits, `+` first for an international number.
    pub phone: Option<String>,
    /// Dissolved (bubar): kept with its history, counted nowhere as active.
    pub dissolved: bool,
    /// Its desa/kelurahan, dotted (`33.73.04.1001`): the current code.
    pub desa_code: Option<String>,
    /// The record this one was merged into (`beneficiary_merges`): kept,
    /// hidden from lists and searches, resolved to that one.
    pub merged_into: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
