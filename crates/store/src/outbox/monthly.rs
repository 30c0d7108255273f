//! The monthly report email's bookkeeping: who receives it (the program
//! managers of a zone, at that zone's round), and one outbox row per manager
//! and month (`monthly:LOGIN:YYYY-MM`), however many reminder processes run at once.

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Role, Zone};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{insert_outbox, outbox_row};
use crate::schema::entity::{outbox, user};
use crate::{Store, StoreError};

/// The outbox key of `login`'s report on `month` (`YYYY-MM`).
pub fn key(login: &str, month: &str) -> String {
    format!("monthly:{login}:{month}")
}

impl Store {
    /// Active program managers (provincial and kabupaten/kota) whose region
    /// keeps `zone`'s time (national ones keep WIB), by login.
    pub async fn managers(&self, zone: Zone) -> Result<Vec<crate::model::User>, StoreError> {
        let zones = super::sweep::zones(&self.db).await?;
        Ok(user::Entity::find()
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.is_in([
                Role::ManagerProvince.as_str(),
                Role::ManagerRegency.as_str(),
            ]))
            .order_by_asc(user::Column::Login)
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|u| {
                u.region_code
                    .as_ref()
                    .and_then(|r| zones.get(r))
                    .copied()
                    .unwrap_or_default()
                    == zone
            })
            .map(Into::into)
            .collect())
    }

    /// Whether an email with `key` was ever queued.
    pub async fn outbox_has(&self, key: &str) -> Result<bool, StoreError> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::Key.eq(key))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Queues `template` for `to` under `key`, unless it was queued before.
    /// Returns whether it was new.
    pub async fn queue_once(
        &self,
        key: &str,
        to: &crate::model::User,
        template: &str,
        payload: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let lang: Lang = to.lang.parse().unwrap_or_default();
        let row = outbox_row(
            key, "", &to.role, &to.login, template, lang, payload, "queued", now,
        );
        let done = insert_outbox(
            &self.db,
            vec![outbox::ActiveModel {
                case_id: Set(None),
                kind: Set(template.into()),
                ..row
            }],
        )
        .await?;
        Ok(done == 1)
    }
}
