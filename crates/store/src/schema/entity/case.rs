use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A case's current state; `snapshot` is the engine's `Case` as JSON, the
/// fold of the case's events, kept so a command needs no replay.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workflow: String,
    pub workflow_version: i32,
    pub region: Option<String>,
    pub program_id: Option<String>,
    pub beneficiary_id: Option<String>,
    pub state: String,
    /// The number of events; the version checked on every update.
    pub seq: i64,
    /// Copied from the snapshot on every change, so sums need no JSON.
    pub approved_amount: Option<i64>,
    pub disbursed_amount: i64,
    pub snapshot: String,
    /// The hash of the last event, which the next one chains to.
    pub head_hash: String,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The field officer assigned, copied from the snapshot.
    pub officer: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
