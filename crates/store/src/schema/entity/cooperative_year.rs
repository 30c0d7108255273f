use sea_orm::entity::prelude::*;

/// A beneficiary's record of one year (a cooperative's, or a UMKM's with
/// its scale, workers and turnover band): the indicators compare years.
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
    /// `YYYY-MM-DD`.
    pub rat_date: Option<String>,
    pub own_capital: Option<i64>,
    pub outside_capital: Option<i64>,
    pub assets: Option<i64>,
    pub business_volume: Option<i64>,
    /// Negative for a loss.
    pub shu: Option<i64>,
    pub ksp_health: Option<String>,
    /// Every answer of the verified case, as JSON by field id.
    pub figures: Option<String>,
    /// The case and event that verified it (none: seeded by `pantau demo`).
    pub case_id: Option<String>,
    pub event_seq: Option<i64>,
    pub verified_by: Option<String>,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A UMKM's scale: `micro`, `small` or `medium`.
    pub scale: Option<String>,
    /// A UMKM's workers.
    pub workers: Option<i32>,
    /// A UMKM's yearly turnover band, as answered.
    pub turnover_band: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
