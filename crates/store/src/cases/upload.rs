//! Files sent in parts (a large photo over a weak connection): each part is
//! stored as it arrives, in order; an upload cut off is found again by its
//! key and goes on from the last byte stored. The whole file is handed back
//! once, for the caller to check and store as an attachment.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::schema::entity::{upload, upload_part};
use crate::{Store, StoreError};

/// An upload to start (or to find again by its key).
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub key: &'a str,
    pub case_id: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub by: &'a str,
    pub now: DateTime<Utc>,
}

/// What a part did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Stored; this many bytes of the file are in.
    Taken { received: i64 },
    /// The last part: here is the whole file, to check and store.
    Whole { data: Vec<u8> },
    /// The part starts elsewhere than where the upload stands (a part sent twice, or one lost).
    Mismatch { received: i64 },
    /// The part runs past the announced size.
    TooLong { size: i64 },
    /// The file is already stored as this attachment.
    Done { attachment_id: String },
}

impl Store {
    /// Starts an upload, or finds the one its sender started under the same
    /// key; a key the sender used for another case is refused. Keys are the
    /// sender's own (stored as `LOGIN:KEY`, like a transition's), so one
    /// user's key never finds, or names, another user's upload.
    pub async fn start_upload(
        &self,
        n: &NewUpload<'_>,
    ) -> Result<crate::model::Upload, StoreError> {
        let key = format!("{}:{}", n.by, n.key);
        upload::Entity::insert(upload::ActiveModel {
            id: Set(uuid::Uuid::new_v4().simple().to_string()),
            key: Set(key.clone()),
            case_id: Set(n.case_id.to_string()),
            content_type: Set(n.content_type.to_string()),
            size: Set(n.size),
            received: Set(0),
            created_by: Set(n.by.to_string()),
            created_at: Set(n.now),
            attachment_id: Set(None),
        })
        .on_conflict(
            OnConflict::column(upload::Column::Key)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let found = upload::Entity::find()
            .filter(upload::Column::Key.eq(&key))
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::NotFound(n.key.to_string()))?;
        if found.case_id != n.case_id {
            return Err(StoreError::KeyReused {
                key: n.key.to_string(),
                case_id: found.case_id,
                action: "upload".into(),
            });
        }
        Ok(found.into())
    }

    pub async fn upload(&self, id: &str) -> Result<Option<crate::model::Upload>, StoreError> {
        Ok(upload::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(Into::into))
    }

    /// Stores the part of upload `id` that starts at `offset`.
    pub async fn put_part(&self, id: &str, offset: i64, data: &[u8]) -> Result<Part, StoreError> {
        let txn = self.begin_write().await?;
        let row = upload::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        if let Some(attachment_id) = row.attachment_id {
            return Ok(Part::Done { attachment_id });
        }
        if offset != row.received {
            return Ok(Part::Mismatch {
                received: row.received,
            });
        }
        let received = offset.saturating_add(data.len() as i64);
        if received > row.size {
            return Ok(Part::TooLong { size: row.size });
        }
        upload_part::Entity::insert(upload_part::ActiveModel {
            upload_id: Set(id.to_string()),
            offset: Set(offset),
            data: Set(data.to_vec()),
        })
        .exec_without_returning(&txn)
        .await?;
        upload::Entity::update_many()
            .col_expr(upload::Column::Received, Expr::value(received))
            .filter(upload::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let part = if received == row.size {
            let parts: Vec<Vec<u8>> = upload_part::Entity::find()
                .select_only()
                .column(upload_part::Column::Data)
                .filter(upload_part::Column::UploadId.eq(id))
                .order_by_asc(upload_part::Column::Offset)
                .into_tuple()
                .all(&txn)
                .await?;
            Part::Whole {
                data: parts.concat(),
            }
        } else {
            Part::Taken { received }
        };
        txn.commit().await?;
        Ok(part)
    }

    /// The whole file is stored as `attachment_id` (`Some`), or was refused
    /// (`None`: the upload is forgotten, so its key may start over).
    pub async fn end_upload(
        &self,
        id: &str,
        attachment_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        upload_part::Entity::delete_many()
            .filter(upload_part::Column::UploadId.eq(id))
            .exec(&txn)
            .await?;
        match attachment_id {
            Some(a) => {
                upload::Entity::update_many()
                    .col_expr(upload::Column::AttachmentId, Expr::value(a))
                    .filter(upload::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
            }
            None => {
                upload::Entity::delete_by_id(id).exec(&txn).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}
