//! The outbox at a glance, for a monitor: how many emails wait, went, or
//! were parked, and since when the oldest one waits.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::schema::entity::outbox;
use crate::{Store, StoreError};

/// Emails (rows addressed to a person) by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxGauges {
    /// Waiting to be sent (claimed or not, including those retried later).
    pub queued: u64,
    pub sent: u64,
    /// Parked after their last attempt (`pantau outbox resend`).
    pub failed: u64,
    /// When the oldest queued email was written, if any waits.
    pub oldest_queued: Option<DateTime<Utc>>,
}

impl Store {
    /// The outbox's emails by status, in one query.
    pub async fn outbox_gauges(&self) -> Result<OutboxGauges, StoreError> {
        let rows: Vec<(String, i64, Option<DateTime<Utc>>)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Status)
            .column_as(outbox::Column::Id.count(), "n")
            .column_as(outbox::Column::CreatedAt.min(), "oldest")
            .filter(outbox::Column::ToUser.is_not_null())
            .group_by(outbox::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out = OutboxGauges::default();
        for (status, n, oldest) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match status.as_str() {
                "queued" => {
                    out.queued = n;
                    out.oldest_queued = oldest;
                }
                "sent" => out.sent = n,
                "failed" => out.failed = n,
                _ => {}
            }
        }
        Ok(out)
    }
}
