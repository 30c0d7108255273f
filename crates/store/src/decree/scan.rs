//! A decree's scan (the signed PDF), kept once by its SHA-256, and a
//! decree's id from its number.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use sha2::Digest;

use crate::schema::entity::decree_scan;
use crate::{Store, StoreError};

impl Store {
    /// Keeps a decree's scan (stored once by its SHA-256, which it returns),
    /// so that a decree checked before it is recorded need not be sent twice.
    pub async fn keep_decree_scan(
        &self,
        data: &[u8],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, StoreError> {
        keep_scan(&self.db, data, now).await
    }
}

pub(super) async fn keep_scan(
    db: &impl ConnectionTrait,
    data: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, StoreError> {
    let sha = hex::encode(sha2::Sha256::digest(data));
    decree_scan::Entity::insert(decree_scan::ActiveModel {
        sha256: Set(sha.clone()),
        size: Set(i64::try_from(data.len()).unwrap_or(i64::MAX)),
        data: Set(data.to_vec()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(decree_scan::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(sha)
}

/// A decree's id: the same number always names the same decree.
pub fn id_of(number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("decree:{number}").as_bytes(),
    )
    .to_string()
}
