//! A beneficiary corrected by a person: its name, address, phone, location,
//! desa/kelurahan or standing, never in place without a trace: each changed value is kept
//! in `beneficiary_changes` with what it was, who changed it, when and why,
//! in the correction's transaction.

use pantau_domain::GeoPoint;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QuerySelect};

use super::listing::Standing;
use super::programs::Author;
use crate::cases::apply::retry;
use crate::schema::entity::{beneficiary, beneficiary_change, beneficiary_location};
use crate::{Store, StoreError};

/// The values a correction sets (each already checked by the caller); a
/// value equal to the registered one is no change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub location: Option<GeoPoint>,
    /// The desa/kelurahan, dotted: the current code.
    pub desa: Option<String>,
    pub standing: Standing,
    /// Why: kept with every changed value.
    pub reason: String,
}

impl Store {
    /// Applies `c` to beneficiary `id`; returns the fields that changed
    /// (none: nothing was written), or `None` when no such beneficiary.
    pub async fn correct_beneficiary(
        &self,
        id: &str,
        c: &Correction,
        by: Author<'_>,
    ) -> Result<Option<Vec<&'static str>>, StoreError> {
        retry(|| self.correct_once(id, c, by)).await
    }

    async fn correct_once(
        &self,
        id: &str,
        c: &Correction,
        by: Author<'_>,
    ) -> Result<Option<Vec<&'static str>>, StoreError> {
        let txn = self.begin_write().await?;
        let Some(old) = beneficiary::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        let was = Standing::of(&old.clone().into());
        let old_point = old.lat_micro.zip(old.lon_micro);
        let new_point = c.location.map(GeoPoint::micro);
        // As the history keeps it: `-5.429200,105.261900`.
        let text = |p: Option<(i32, i32)>| {
            p.and_then(|(a, b)| GeoPoint::from_micro(a, b).ok())
                .map(|p| p.to_string())
        };
        let changes = [
            ("name", Some(old.name.clone()), Some(c.name.clone())),
            ("address", old.address.clone(), c.address.clone()),
            ("phone", old.phone.clone(), c.phone.clone()),
            ("location", text(old_point), text(new_point)),
            ("desa", old.desa_code.clone(), c.desa.clone()),
            (
                "status",
                Some(was.as_str().to_string()),
                Some(c.standing.as_str().to_string()),
            ),
        ];
        let mut changed = vec![];
        for (field, before, after) in changes {
            if before == after {
                continue;
            }
            changed.push(field);
            beneficiary_change::Entity::insert(beneficiary_change::ActiveModel {
                id: Set(uuid::Uuid::new_v4().to_string()),
                beneficiary_id: Set(id.to_string()),
                field: Set(field.to_string()),
                old_value: Set(before),
                new_value: Set(after),
                reason: Set(c.reason.clone()),
                changed_by: Set(by.login.to_string()),
                changed_at: Set(by.at),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        if !changed.is_empty() {
            let mut row: beneficiary::ActiveModel = old.clone().into();
            row.name = Set(c.name.clone());
            row.address = Set(c.address.clone());
            row.phone = Set(c.phone.clone());
            row.desa_code = Set(c.desa.clone());
            row.lat_micro = Set(new_point.map(|p| p.0));
            row.lon_micro = Set(new_point.map(|p| p.1));
            row.dissolved = Set(c.standing == Standing::Dissolved);
            // Only a standing that changed touches the active flag: a
            // vendor with none keeps none.
            if was != c.standing {
                row.active = Set(Some(c.standing == Standing::Active));
            }
            row.update(&txn).await?;
            if changed.contains(&"location") {
                // The point is the correction's now, not a visit's.
                beneficiary_location::Entity::delete_by_id(id)
                    .exec(&txn)
                    .await?;
            }
        }
        txn.commit().await?;
        Ok(Some(changed))
    }
}
