//! The facts the engine judges a command's answers by: the files its photo
//! answers name (a picture or not, its camera time), the users its user
//! answers name, and for a monev visit the beneficiary's registered location
//! and the other visits that used the same file or nearly the same picture;
//! and what a recorded visit leaves behind for the next one to be compared with.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{GeoPoint, RegionCode, Role};
use pantau_workflow::evidence::{Facts, Person, Photo, Use, bands, differs};
use pantau_workflow::{Action, Change, Command, Definition, Event, FieldType};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::StoreError;
use crate::schema::entity::{
    attachment, beneficiary, beneficiary_location, case, photo_band, user, visit_photo,
};

/// What a photo's bytes told when it was uploaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoPrint {
    /// The 64-bit perceptual hash, when the file is a picture.
    pub phash: Option<u64>,
    /// When the camera says it was taken, in UTC.
    pub taken_at: Option<DateTime<Utc>>,
}

/// A photo of the visit being recorded, as stored.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    id: String,
    sha256: String,
    phash: Option<u64>,
    taken_at: Option<DateTime<Utc>>,
}

/// The photos named in `cmd`'s photo fields that were uploaded for this case.
/// A name that is no upload of this case (a file name typed by hand, another
/// case's file) has no facts, and the engine refuses it.
pub(crate) async fn photos(
    txn: &DatabaseTransaction,
    def: &Definition,
    action: &Action,
    case_id: &str,
    cmd: &Command,
) -> Result<Vec<Stored>, StoreError> {
    let ids: Vec<String> = def
        .inputs(action)
        .filter(|f| f.kind == FieldType::Photo)
        .filter_map(|f| cmd.inputs.get(&f.id))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (String, String, Option<i64>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = attachment::Entity::find()
        .select_only()
        .columns([
            attachment::Column::Id,
            attachment::Column::Sha256,
            attachment::Column::Phash,
            attachment::Column::TakenAt,
        ])
        .filter(attachment::Column::Id.is_in(ids))
        .filter(attachment::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sha256, phash, taken_at)| Stored {
            id,
            sha256,
            phash: phash.map(|h| h as u64),
            taken_at,
        })
        .collect())
}

/// The facts for the engine about `cmd` on the case `row`: each photo it
/// names (with `photos`, as stored), each user it names, and for a monev
/// visit also the registered location of the case's beneficiary and the
/// other visits that used each photo.
pub(crate) async fn facts(
    txn: &DatabaseTransaction,
    def: &Definition,
    action: &Action,
    cmd: &Command,
    row: &case::Model,
    photos: &[Stored],
) -> Result<Facts, StoreError> {
    let visit = action.completes_visit;
    let registered = match (&row.beneficiary_id, visit) {
        (Some(id), true) => location(txn, id).await?,
        _ => None,
    };
    let mut out = Vec::new();
    for p in photos {
        out.push(Photo {
            id: p.id.clone(),
            picture: p.phash.is_some(),
            taken_at: p.taken_at,
            used_in: if visit {
                uses(txn, p).await?
            } else {
                Vec::new()
            },
        });
    }
    Ok(Facts {
        registered,
        photos: out,
        users: people(txn, def, action, cmd, row.region.as_deref()).await?,
    })
}

/// The users named in `cmd`'s user answers, with whether each may see a case of `region`.
async fn people(
    txn: &DatabaseTransaction,
    def: &Definition,
    action: &Action,
    cmd: &Command,
    region: Option<&str>,
) -> Result<Vec<Person>, StoreError> {
    let logins: Vec<String> = def
        .inputs(action)
        .filter(|f| f.kind == FieldType::User)
        .filter_map(|f| cmd.inputs.get(&f.id))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if logins.is_empty() {
        return Ok(Vec::new());
    }
    let found = user::Entity::find()
        .filter(user::Column::Login.is_in(logins))
        .all(txn)
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|u| {
            let role: Role = u.role.parse().ok()?;
            let home = u
                .region_code
                .as_deref()
                .map(RegionCode::parse)
                .transpose()
                .ok()?;
            let sees_case = Scope::of(role, home.as_ref()).is_ok_and(|s| s.covers(region));
            Some(Person {
                login: u.login,
                role,
                active: u.active,
                sees_case,
            })
        })
        .collect())
}

async fn location(txn: &DatabaseTransaction, id: &str) -> Result<Option<GeoPoint>, StoreError> {
    let found: Option<(Option<i32>, Option<i32>)> = beneficiary::Entity::find_by_id(id)
        .select_only()
        .columns([beneficiary::Column::LatMicro, beneficiary::Column::LonMicro])
        .into_tuple()
        .one(txn)
        .await?;
    Ok(match found {
        Some((Some(lat), Some(lon))) => GeoPoint::from_micro(lat, lon).ok(),
        _ => None,
    })
}

/// Other recorded visits with the same file (by SHA-256) or a picture whose
/// hash shares a band with this one, one entry per visit, closest first.
async fn uses(txn: &DatabaseTransaction, p: &Stored) -> Result<Vec<Use>, StoreError> {
    let mut found: BTreeMap<(String, i32), Option<u8>> = BTreeMap::new();
    let same: Vec<(String, i32)> = visit_photo::Entity::find()
        .select_only()
        .columns([visit_photo::Column::CaseId, visit_photo::Column::VisitNo])
        .filter(visit_photo::Column::Sha256.eq(&p.sha256))
        .into_tuple()
        .all(txn)
        .await?;
    for key in same {
        found.insert(key, None);
    }
    if let Some(hash) = p.phash {
        let near: Vec<(String, i32, i64)> = photo_band::Entity::find()
            .select_only()
            .columns([
                photo_band::Column::CaseId,
                photo_band::Column::VisitNo,
                photo_band::Column::Phash,
            ])
            .filter(photo_band::Column::Band.is_in(bands(hash)))
            .into_tuple()
            .all(txn)
            .await?;
        for (case_id, visit, other) in near {
            let bits = differs(hash, other as u64);
            found.entry((case_id, visit)).or_insert(Some(bits));
        }
    }
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let regions: BTreeMap<String, Option<String>> = case::Entity::find()
        .select_only()
        .columns([case::Column::Id, case::Column::Region])
        .filter(case::Column::Id.is_in(found.keys().map(|(c, _)| c.clone())))
        .into_tuple()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut uses: Vec<Use> = found
        .into_iter()
        .map(|((case_id, visit), differs_bits)| Use {
            region: regions.get(&case_id).cloned().flatten(),
            case_id,
            visit: u32::try_from(visit).unwrap_or_default(),
            differs_bits,
        })
        .collect();
    uses.sort_by_key(|u| u.differs_bits.map_or(0, |b| u16::from(b) + 1));
    Ok(uses)
}

/// After `event` recorded a visit: its photos join the ones later visits are
/// compared with, and a beneficiary without a registered location gets the visit's point.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    row: &case::Model,
    event: &Event,
    photos: &[Stored],
) -> Result<(), StoreError> {
    let Some((no, gps)) = event.changes.iter().find_map(|c| match c {
        Change::VisitCompleted { no, gps, .. } => Some((*no, *gps)),
        _ => None,
    }) else {
        return Ok(());
    };
    let visit_no = i32::try_from(no).unwrap_or(i32::MAX);
    if !photos.is_empty() {
        visit_photo::Entity::insert_many(photos.iter().map(|p| visit_photo::ActiveModel {
            case_id: Set(row.id.clone()),
            visit_no: Set(visit_no),
            attachment_id: Set(p.id.clone()),
            sha256: Set(p.sha256.clone()),
        }))
        .on_conflict(
            OnConflict::columns([
                visit_photo::Column::CaseId,
                visit_photo::Column::VisitNo,
                visit_photo::Column::AttachmentId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let bands: Vec<photo_band::ActiveModel> = photos
        .iter()
        .filter_map(|p| Some((p, p.phash?)))
        .flat_map(|(p, hash)| {
            bands(hash)
                .into_iter()
                .map(move |band| photo_band::ActiveModel {
                    band: Set(band),
                    case_id: Set(row.id.clone()),
                    visit_no: Set(visit_no),
                    attachment_id: Set(p.id.clone()),
                    phash: Set(hash as i64),
                })
        })
        .collect();
    if !bands.is_empty() {
        photo_band::Entity::insert_many(bands)
            .on_conflict(
                OnConflict::columns([
                    photo_band::Column::Band,
                    photo_band::Column::CaseId,
                    photo_band::Column::VisitNo,
                    photo_band::Column::AttachmentId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    if let (Some(id), Some(point)) = (&row.beneficiary_id, gps) {
        let (lat, lon) = point.micro();
        let set = beneficiary::Entity::update_many()
            .col_expr(beneficiary::Column::LatMicro, lat.into())
            .col_expr(beneficiary::Column::LonMicro, lon.into())
            .filter(beneficiary::Column::Id.eq(id))
            .filter(beneficiary::Column::LatMicro.is_null())
            .exec(txn)
            .await?;
        if set.rows_affected == 1 {
            // Registered by this visit: marked so until a verifier confirms it.
            beneficiary_location::Entity::insert(beneficiary_location::ActiveModel {
                beneficiary_id: Set(id.clone()),
                case_id: Set(row.id.clone()),
                visit_no: Set(visit_no),
                set_at: Set(event.at),
                confirmed_by: Set(None),
                confirmed_at: Set(None),
            })
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
        }
    }
    Ok(())
}

/// A beneficiary's location registered by a monev visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitLocation {
    pub case_id: String,
    pub visit: u32,
    pub set_at: DateTime<Utc>,
    /// Who confirmed it, and when; `None` while unconfirmed.
    pub confirmed: Option<(String, DateTime<Utc>)>,
}

impl crate::Store {
    /// Where beneficiary `id`'s location came from, when a visit registered it.
    pub async fn visit_location(&self, id: &str) -> Result<Option<VisitLocation>, StoreError> {
        Ok(beneficiary_location::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(|l| VisitLocation {
                case_id: l.case_id,
                visit: u32::try_from(l.visit_no).unwrap_or_default(),
                set_at: l.set_at,
                confirmed: l.confirmed_by.zip(l.confirmed_at),
            }))
    }

    /// A verifier confirms the location a visit registered for beneficiary
    /// `id`. Returns whether there was one unconfirmed.
    pub async fn confirm_location(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = beneficiary_location::Entity::update_many()
            .col_expr(
                beneficiary_location::Column::ConfirmedBy,
                sea_orm::sea_query::Expr::value(by),
            )
            .col_expr(
                beneficiary_location::Column::ConfirmedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(beneficiary_location::Column::BeneficiaryId.eq(id))
            .filter(beneficiary_location::Column::ConfirmedBy.is_null())
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}
