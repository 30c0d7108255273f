//! Likely duplicates for a verifier: the candidates read per kabupaten/kota
//! (its records, and those elsewhere in the reader's scope that carry one
//! of its people's NIK), matched by `pantau_registry::duplicates` without
//! I/O, less the pairs marked distinct; and a pair marked distinct with who,
//! when and why. Merged records are never candidates.

use std::collections::{BTreeSet, HashMap};

use pantau_domain::access::Scope;
use pantau_registry::duplicates::{self, Candidate, Why};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    Statement, Value,
};

use super::programs::Author;
use crate::read::scope::scope_sql_on;
use crate::schema::entity::{beneficiary, beneficiary_distinct};
use crate::{Store, StoreError, model};

/// Ids per `IN (…)`: well under either database's bind limit.
const CHUNK: usize = 500;

/// Two records that may be one, each with its cases counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePair {
    pub first: model::Beneficiary,
    pub first_cases: i64,
    pub second: model::Beneficiary,
    pub second_cases: i64,
    pub why: Why,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    id: String,
    region_code: String,
    kind: String,
    name: String,
    person: Option<String>,
}

/// The person's NIK of a record: a UMKM's owner, else its own (a
/// cooperative has neither; its NIK Koperasi is its registered key).
const PERSON: &str = "COALESCE(owner_nik, nik)";

impl Store {
    /// The likely duplicates within `scope`. With a kabupaten/kota: its
    /// records alike by name, and every pair with one of its records that
    /// carries the same person's NIK anywhere in `scope`. Without one: the
    /// same-NIK pairs of the whole scope (names are compared per
    /// kabupaten/kota only). Pairs marked distinct are left out.
    pub async fn likely_duplicates(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<Vec<DuplicatePair>, StoreError> {
        let (within, mut values) = scope_sql_on(self.db_backend(), scope, 1, "region_code");
        let n = values.len();
        let sql = match region {
            Some(r) => {
                values.push(r.into());
                format!(
                    "SELECT id, region_code, kind, name, {PERSON} AS person FROM beneficiaries \
                     WHERE merged_into IS NULL AND ({within}) AND (region_code = ${k} \
                     OR {PERSON} IN (SELECT {PERSON} FROM beneficiaries \
                     WHERE region_code = ${k} AND merged_into IS NULL AND {PERSON} IS NOT NULL))",
                    k = n + 1
                )
            }
            None => format!(
                "SELECT b.id, b.region_code, b.kind, b.name, COALESCE(b.owner_nik, b.nik) AS person \
                 FROM beneficiaries b JOIN (SELECT kind, {PERSON} AS person FROM beneficiaries \
                 WHERE merged_into IS NULL AND ({within}) AND {PERSON} IS NOT NULL \
                 GROUP BY kind, {PERSON} HAVING COUNT(*) > 1) d \
                 ON d.kind = b.kind AND d.person = COALESCE(b.owner_nik, b.nik) \
                 WHERE b.merged_into IS NULL AND ({b_within})",
                b_within = scope_sql_on(self.db_backend(), scope, 1, "b.region_code").0
            ),
        };
        let rows = Row::find_by_statement(Statement::from_sql_and_values(
            self.db_backend(),
            sql,
            values,
        ))
        .all(&self.db)
        .await?;
        let candidates: Vec<Candidate> = rows
            .into_iter()
            .map(|r| Candidate {
                id: r.id,
                region: r.region_code,
                kind: r.kind,
                name: r.name,
                nik: r.person,
            })
            .collect();
        // Matching a few thousand names is work for a blocking thread.
        let suspects = tokio::task::spawn_blocking(move || duplicates::likely(&candidates))
            .await
            .map_err(|e| StoreError::Corrupt(format!("matching stopped: {e}")))?;
        let distinct = self.distinct_among(&suspects).await?;
        let suspects: Vec<_> = suspects
            .into_iter()
            .filter(|s| !distinct.contains(&(s.first.clone(), s.second.clone())))
            .collect();
        let ids: Vec<String> = suspects
            .iter()
            .flat_map(|s| [s.first.clone(), s.second.clone()])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let records = self.beneficiaries_by_id(&ids).await?;
        let cases = self.cases_counted(&ids).await?;
        let count = |id: &str| cases.get(id).copied().unwrap_or(0);
        Ok(suspects
            .into_iter()
            .filter_map(|s| {
                Some(DuplicatePair {
                    first_cases: count(&s.first),
                    second_cases: count(&s.second),
                    first: records.get(&s.first)?.clone(),
                    second: records.get(&s.second)?.clone(),
                    why: s.why,
                })
            })
            .collect())
    }

    /// Marks `a` and `b` as two beneficiaries: never listed again. `None`
    /// when either is not registered, or not within `scope`; marking a pair
    /// twice keeps the first mark.
    pub async fn mark_distinct(
        &self,
        a: &str,
        b: &str,
        reason: &str,
        by: Author<'_>,
        scope: &Scope,
    ) -> Result<Option<()>, StoreError> {
        let found = self
            .beneficiaries_by_id(&[a.to_string(), b.to_string()])
            .await?;
        let seen = |id: &str| {
            found
                .get(id)
                .is_some_and(|r| scope.covers(Some(&r.region_code)))
        };
        if a == b || !seen(a) || !seen(b) {
            return Ok(None);
        }
        let (first, second) = if a < b { (a, b) } else { (b, a) };
        beneficiary_distinct::Entity::insert(beneficiary_distinct::ActiveModel {
            first_id: sea_orm::ActiveValue::Set(first.into()),
            second_id: sea_orm::ActiveValue::Set(second.into()),
            reason: sea_orm::ActiveValue::Set(reason.into()),
            marked_by: sea_orm::ActiveValue::Set(by.login.into()),
            marked_at: sea_orm::ActiveValue::Set(by.at),
        })
        .on_conflict(
            OnConflict::columns([
                beneficiary_distinct::Column::FirstId,
                beneficiary_distinct::Column::SecondId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(Some(()))
    }

    /// The record that stands for `id`: the one it was merged into, else
    /// itself; `None` when no such record.
    pub async fn kept_beneficiary(&self, id: &str) -> Result<Option<String>, StoreError> {
        kept_id(&self.db, id).await
    }

    /// The marked pairs among `suspects`.
    async fn distinct_among(
        &self,
        suspects: &[duplicates::Suspect],
    ) -> Result<BTreeSet<(String, String)>, StoreError> {
        let firsts: Vec<String> = suspects
            .iter()
            .map(|s| s.first.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut out = BTreeSet::new();
        for chunk in firsts.chunks(CHUNK) {
            let rows = beneficiary_distinct::Entity::find()
                .filter(beneficiary_distinct::Column::FirstId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().map(|r| (r.first_id, r.second_id)));
        }
        Ok(out)
    }

    pub(super) async fn beneficiaries_by_id(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, model::Beneficiary>, StoreError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let rows = beneficiary::Entity::find()
                .filter(beneficiary::Column::Id.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().map(|r| (r.id.clone(), r.into())));
        }
        Ok(out)
    }

    /// Each beneficiary's cases, counted.
    async fn cases_counted(&self, ids: &[String]) -> Result<HashMap<String, i64>, StoreError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT beneficiary_id, COUNT(*) FROM cases WHERE beneficiary_id IN ({}) \
                 GROUP BY beneficiary_id",
                marks.join(", ")
            );
            let values: Vec<Value> = chunk.iter().map(|id| id.clone().into()).collect();
            let rows = self
                .db
                .query_all_raw(Statement::from_sql_and_values(
                    self.db_backend(),
                    sql,
                    values,
                ))
                .await?;
            for r in rows {
                out.insert(r.try_get_by_index(0)?, r.try_get_by_index(1)?);
            }
        }
        Ok(out)
    }
}

/// The record a case opening on beneficiary `id` names, read in the
/// opening's transaction with the row shared-locked, so a merge under way
/// (which locks it exclusively) either finishes first or finds the case.
/// An id not registered is kept as given.
pub(crate) async fn opening_on(
    txn: &sea_orm::DatabaseTransaction,
    id: &str,
) -> Result<String, StoreError> {
    let found = beneficiary::Entity::find_by_id(id)
        .lock_shared()
        .one(txn)
        .await?;
    Ok(found
        .and_then(|b| b.merged_into)
        .unwrap_or_else(|| id.to_string()))
}

/// [`Store::kept_beneficiary`] on any connection.
async fn kept_id(conn: &impl ConnectionTrait, id: &str) -> Result<Option<String>, StoreError> {
    let found = beneficiary::Entity::find_by_id(id).one(conn).await?;
    Ok(found.map(|b| b.merged_into.unwrap_or(b.id)))
}
