//! Two records found to be one beneficiary, merged by a verifier in one
//! transaction with both rows locked: every row that names the merged
//! record by id now names the kept one (its cases, and with them their
//! events, visits, tranches and decrees' lines, which name the case; its
//! yearly records), the merged record is kept, marked `merged_into` and
//! hidden from lists and searches, and the merge is recorded in
//! `beneficiary_merges` with who, when, why and both ids.
//!
//! What is not moved, and why: events are never edited (they carry no
//! beneficiary id: the case row does, outside the hash chain, so every
//! chain verifies as before); the merged record's corrections
//! (`beneficiary_changes`) are the history of its own row, which is kept,
//! and are read through the merge on the kept record's page; its
//! registered point's source (`beneficiary_locations`) describes its own
//! point, kept with it. Its bank accounts (`bank_accounts`) stay with it
//! too: no payment is ever sent to an account because two records were
//! merged; the kept record's own account pays its (and the moved) cases,
//! and a kept record without one shows its tranches held for want of an
//! account until someone sets it. A batch line (`payment_lines`) keeps the
//! record it paid then, as it keeps the account.
//!
//! Two yearly records of one year: the one verified later stays (one never
//! verified counts as older than any verified; the kept record's on a tie),
//! and the other is kept whole, as JSON, in the merge's `years`, besides
//! the case that verified it.

use pantau_domain::access::Scope;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::programs::Author;
use crate::cases::apply::retry;
use crate::schema::entity::{beneficiary, beneficiary_merge, case, cooperative_year};
use crate::{Store, StoreError, model};

/// Why a merge was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRefusal {
    /// No such record within the merger's scope (answered as not found).
    NotFound(String),
    /// A record cannot be merged into itself.
    Same,
    /// A cooperative and a UMKM (say) are never one beneficiary.
    KindsDiffer,
    /// This record was merged already, into the one named.
    AlreadyMerged { id: String, into: String },
}

/// Which of two records of one year stayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearChoice {
    pub year: i32,
    /// `kept` or `merged`: whose record of the year stays.
    pub stays: &'static str,
    /// The other record, as it was.
    pub dropped: model::CooperativeYear,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub id: String,
    pub cases_moved: u64,
    /// Years moved over with no record of the kept one's.
    pub years_moved: Vec<i32>,
    /// Years both had.
    pub years_chosen: Vec<YearChoice>,
}

/// A merge as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeLine {
    pub id: String,
    pub kept_id: String,
    pub kept_name: String,
    pub merged_id: String,
    pub merged_name: String,
    /// The kept record's kabupaten/kota.
    pub region_code: String,
    pub reason: String,
    pub merged_by: String,
    pub merged_at: chrono::DateTime<chrono::Utc>,
    pub cases_moved: i64,
    /// [`YearChoice`]s as JSON.
    pub years: String,
}

impl Store {
    /// Merges record `merged` into record `kept`, both within `scope`.
    pub async fn merge_beneficiaries(
        &self,
        kept: &str,
        merged: &str,
        reason: &str,
        by: Author<'_>,
        scope: &Scope,
    ) -> Result<Result<Merged, MergeRefusal>, StoreError> {
        retry(|| self.merge_once(kept, merged, reason, by, scope)).await
    }

    async fn merge_once(
        &self,
        kept: &str,
        merged: &str,
        reason: &str,
        by: Author<'_>,
        scope: &Scope,
    ) -> Result<Result<Merged, MergeRefusal>, StoreError> {
        if kept == merged {
            return Ok(Err(MergeRefusal::Same));
        }
        let txn = self.begin_write().await?;
        // Both rows locked, in id order (two merges of one pair meet in the
        // same order); a case opening on either waits (it reads its row
        // `FOR SHARE`).
        let rows = beneficiary::Entity::find()
            .filter(beneficiary::Column::Id.is_in([kept, merged]))
            .order_by_asc(beneficiary::Column::Id)
            .lock_exclusive()
            .all(&txn)
            .await?;
        let find = |id: &str| {
            rows.iter()
                .find(|r| r.id == id && scope.covers(Some(&r.region_code)))
                .ok_or_else(|| MergeRefusal::NotFound(id.into()))
        };
        let (k, m) = match (find(kept), find(merged)) {
            (Ok(k), Ok(m)) => (k, m),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        if k.kind != m.kind {
            return Ok(Err(MergeRefusal::KindsDiffer));
        }
        for r in [k, m] {
            if let Some(into) = &r.merged_into {
                return Ok(Err(MergeRefusal::AlreadyMerged {
                    id: r.id.clone(),
                    into: into.clone(),
                }));
            }
        }
        let (years_moved, years_chosen) = move_years(&txn, kept, merged).await?;
        let cases_moved = case::Entity::update_many()
            .col_expr(case::Column::BeneficiaryId, Expr::value(kept))
            .filter(case::Column::BeneficiaryId.eq(merged))
            .exec(&txn)
            .await?
            .rows_affected;
        // The merged record, and any merged into it before, now resolve to
        // the kept one in one step.
        beneficiary::Entity::update_many()
            .col_expr(beneficiary::Column::MergedInto, Expr::value(kept))
            .filter(
                beneficiary::Column::Id
                    .eq(merged)
                    .or(beneficiary::Column::MergedInto.eq(merged)),
            )
            .exec(&txn)
            .await?;
        let id = uuid::Uuid::new_v4().to_string();
        beneficiary_merge::Entity::insert(beneficiary_merge::ActiveModel {
            id: Set(id.clone()),
            kept_id: Set(kept.into()),
            merged_id: Set(merged.into()),
            reason: Set(reason.into()),
            merged_by: Set(by.login.into()),
            merged_at: Set(by.at),
            cases_moved: Set(i64::try_from(cases_moved).unwrap_or(i64::MAX)),
            years: Set(serde_json::to_string(&years_chosen)?),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(Ok(Merged {
            id,
            cases_moved,
            years_moved,
            years_chosen,
        }))
    }

    /// The merges into record `id` and the one that merged it, if any,
    /// oldest first.
    pub async fn merges_of(&self, id: &str) -> Result<Vec<MergeLine>, StoreError> {
        let rows = beneficiary_merge::Entity::find()
            .filter(
                beneficiary_merge::Column::KeptId
                    .eq(id)
                    .or(beneficiary_merge::Column::MergedId.eq(id)),
            )
            .order_by_asc(beneficiary_merge::Column::MergedAt)
            .order_by_asc(beneficiary_merge::Column::Id)
            .all(&self.db)
            .await?;
        self.merge_lines(rows).await
    }

    /// The merges of records in `scope` (by the kept record's region) made
    /// from `from` until `to`, oldest first, for the Ministry bundle.
    pub async fn merges_within(
        &self,
        scope: &Scope,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<MergeLine>, StoreError> {
        let rows = beneficiary_merge::Entity::find()
            .filter(beneficiary_merge::Column::MergedAt.gte(from))
            .filter(beneficiary_merge::Column::MergedAt.lt(to))
            .order_by_asc(beneficiary_merge::Column::MergedAt)
            .order_by_asc(beneficiary_merge::Column::Id)
            .all(&self.db)
            .await?;
        let lines = self.merge_lines(rows).await?;
        Ok(lines
            .into_iter()
            .filter(|l| scope.covers(Some(&l.region_code)))
            .collect())
    }

    async fn merge_lines(
        &self,
        rows: Vec<beneficiary_merge::Model>,
    ) -> Result<Vec<MergeLine>, StoreError> {
        let ids: Vec<String> = rows
            .iter()
            .flat_map(|r| [r.kept_id.clone(), r.merged_id.clone()])
            .collect();
        let found = self.beneficiaries_by_id(&ids).await?;
        let name = |id: &str| found.get(id).map(|b| b.name.clone()).unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| MergeLine {
                kept_name: name(&r.kept_id),
                merged_name: name(&r.merged_id),
                region_code: found
                    .get(&r.kept_id)
                    .map(|b| b.region_code.clone())
                    .unwrap_or_default(),
                id: r.id,
                kept_id: r.kept_id,
                merged_id: r.merged_id,
                reason: r.reason,
                merged_by: r.merged_by,
                merged_at: r.merged_at,
                cases_moved: r.cases_moved,
                years: r.years,
            })
            .collect())
    }
}

/// Moves `merged`'s yearly records to `kept`; of two records of one year
/// the one verified later stays. Returns the years moved and the choices.
async fn move_years(
    txn: &sea_orm::DatabaseTransaction,
    kept: &str,
    merged: &str,
) -> Result<(Vec<i32>, Vec<YearChoice>), StoreError> {
    let of = |id: &str| {
        cooperative_year::Entity::find()
            .filter(cooperative_year::Column::BeneficiaryId.eq(id.to_string()))
            .order_by_asc(cooperative_year::Column::Year)
            .all(txn)
    };
    let mine = of(kept).await?;
    let theirs = of(merged).await?;
    let mut moved = vec![];
    let mut chosen = vec![];
    for y in theirs {
        let year = y.year;
        let row = |id: &str| {
            cooperative_year::Entity::delete_many()
                .filter(cooperative_year::Column::BeneficiaryId.eq(id.to_string()))
                .filter(cooperative_year::Column::Year.eq(year))
        };
        match mine.iter().find(|k| k.year == year) {
            None => moved.push(year),
            // `None < Some`: a verified record beats one never verified.
            Some(k) if k.verified_at >= y.verified_at => {
                row(merged).exec(txn).await?;
                chosen.push(YearChoice {
                    year,
                    stays: "kept",
                    dropped: y.into(),
                });
                continue;
            }
            Some(k) => {
                row(kept).exec(txn).await?;
                chosen.push(YearChoice {
                    year,
                    stays: "merged",
                    dropped: k.clone().into(),
                });
            }
        }
        cooperative_year::Entity::update_many()
            .col_expr(cooperative_year::Column::BeneficiaryId, Expr::value(kept))
            .filter(cooperative_year::Column::BeneficiaryId.eq(merged))
            .filter(cooperative_year::Column::Year.eq(year))
            .exec(txn)
            .await?;
    }
    Ok((moved, chosen))
}
