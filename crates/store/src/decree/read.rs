//! Reading decrees back: one with its cases (as a reader of a region sees
//! them), the decrees a reader may see, and a decree's amendments.

use pantau_domain::access::Scope;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder};

use crate::model::{Decree, DecreeItem, Program};
use crate::read::browse::scope_sql;
use crate::schema::entity::{decree, decree_item, decree_scan};
use crate::{Store, StoreError};

/// A decree with what surrounds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecreeRecord {
    pub decree: Decree,
    pub program: Program,
    /// The decree this one amends.
    pub amends: Option<Decree>,
    /// The decrees that amend this one, oldest first.
    pub amended_by: Vec<Decree>,
}

/// A decree and what it did within a reader's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecreeSummary {
    pub decree: Decree,
    pub program_name: String,
    pub tally: Tally,
}

/// How many cases a decree approved, changed, removed and refused, and the
/// rupiah of those it approved or changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub approved: i64,
    pub changed: i64,
    pub removed: i64,
    pub refused: i64,
    pub total: i64,
}

impl Tally {
    /// Counts `cases` items of `outcome` worth `amount` rupiah in all.
    fn add(&mut self, outcome: &str, cases: i64, amount: i64) {
        match outcome {
            "approved" => self.approved += cases,
            "changed" => self.changed += cases,
            "removed" => self.removed += cases,
            _ => self.refused += cases,
        }
        if matches!(outcome, "approved" | "changed") {
            self.total += amount;
        }
    }
}

/// One case a decree lists, as a reader of a region sees it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, serde::Serialize)]
pub struct ListedCase {
    pub case_id: String,
    pub line_no: i32,
    pub change: String,
    pub amount: Option<i64>,
    pub tranches: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub region: Option<String>,
    pub beneficiary_name: Option<String>,
}

/// What a decree did within a region, and its cases there.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Within {
    pub tally: Tally,
    pub cases: Vec<ListedCase>,
}

impl Store {
    /// A decree with every case it lists, and the decree it amends, if any.
    pub async fn decree(
        &self,
        number: &str,
    ) -> Result<Option<(Decree, Vec<DecreeItem>, Option<Decree>)>, StoreError> {
        let Some(d) = decree::Entity::find()
            .filter(decree::Column::Number.eq(number))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let items = decree_item::Entity::find()
            .filter(decree_item::Column::DecreeId.eq(d.id.as_str()))
            .order_by_asc(decree_item::Column::LineNo)
            .all(&self.db)
            .await?;
        let amends = self.amended(&d).await?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(Some((d.into(), items, amends)))
    }

    /// The cases decree `id` lists within `scope`, in the decree's order,
    /// with what it did to each.
    pub async fn decree_within(&self, id: &str, scope: &Scope) -> Result<Within, StoreError> {
        let (clause, mut values) = scope_sql(self.db_backend(), scope, 2);
        values.insert(0, id.into());
        let sql = format!(
            "SELECT i.case_id, i.line_no, i.change, i.amount, i.tranches, i.outcome, i.reason, \
             c.region, b.name AS beneficiary_name \
             FROM decree_items i JOIN cases c ON c.id = i.case_id \
             LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id \
             WHERE i.decree_id = $1 AND {clause} ORDER BY i.line_no"
        );
        let mut within = Within::default();
        for r in self.raw_in(scope, &sql, values).await? {
            let case = ListedCase::from_query_result(&r, "")?;
            within.tally.add(&case.outcome, 1, case.amount.unwrap_or(0));
            within.cases.push(case);
        }
        Ok(within)
    }

    /// Decree `id` and its surroundings, when its program is visible in `scope`.
    pub async fn decree_record(
        &self,
        id: &str,
        scope: &Scope,
    ) -> Result<Option<DecreeRecord>, StoreError> {
        let Some(d) = decree::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        let Some(program) = self
            .programs_in(scope)
            .await?
            .into_iter()
            .find(|p| p.id == d.program_id)
        else {
            return Ok(None);
        };
        // A decree is the issuing province's, and of the regions where it lists a case.
        if !scope.covers(Some(&program.province_code)) && !self.decree_reaches(id, scope).await? {
            return Ok(None);
        }
        let amends = self.amended(&d).await?;
        let amended_by = decree::Entity::find()
            .filter(decree::Column::Amends.eq(d.id.as_str()))
            .order_by_asc(decree::Column::DecreeDate)
            .order_by_asc(decree::Column::Number)
            .all(&self.db)
            .await?;
        Ok(Some(DecreeRecord {
            decree: d.into(),
            program,
            amends,
            amended_by: amended_by.into_iter().map(Into::into).collect(),
        }))
    }

    /// The decree `d` amends, if any.
    async fn amended(&self, d: &decree::Model) -> Result<Option<Decree>, StoreError> {
        let Some(id) = &d.amends else {
            return Ok(None);
        };
        let found = decree::Entity::find_by_id(id.as_str())
            .one(&self.db)
            .await?;
        Ok(found.map(Into::into))
    }

    /// The decrees of the programs visible in `scope` (of one program, when
    /// given), newest first, each with what it did within the scope.
    pub async fn decrees_in(
        &self,
        scope: &Scope,
        program: Option<&str>,
    ) -> Result<Vec<DecreeSummary>, StoreError> {
        let programs: std::collections::BTreeMap<String, (String, String)> = self
            .programs_in(scope)
            .await?
            .into_iter()
            .filter(|p| program.is_none_or(|id| id == p.id))
            .map(|p| (p.id, (p.name, p.province_code)))
            .collect();
        let decrees = decree::Entity::find()
            .filter(decree::Column::ProgramId.is_in(programs.keys().cloned()))
            .order_by_desc(decree::Column::DecreeDate)
            .order_by_desc(decree::Column::Number)
            .all(&self.db)
            .await?;
        let (clause, values) = scope_sql(self.db_backend(), scope, 1);
        let sql = format!(
            "SELECT i.decree_id, i.outcome, COUNT(*) AS cases, \
             CAST(COALESCE(SUM(i.amount), 0) AS BIGINT) AS amount \
             FROM decree_items i JOIN cases c ON c.id = i.case_id \
             WHERE {clause} GROUP BY i.decree_id, i.outcome"
        );
        let mut tallies: std::collections::BTreeMap<String, Tally> =
            std::collections::BTreeMap::new();
        for r in self.raw_in(scope, &sql, values).await? {
            let outcome: String = r.try_get("", "outcome")?;
            tallies.entry(r.try_get("", "decree_id")?).or_default().add(
                &outcome,
                r.try_get("", "cases")?,
                r.try_get("", "amount")?,
            );
        }
        Ok(decrees
            .into_iter()
            .filter_map(|d| {
                let (name, province) = programs.get(&d.program_id)?;
                let tally = tallies.get(&d.id).copied();
                // A decree is the issuing province's, and of the regions where it lists a case.
                if tally.is_none() && !scope.covers(Some(province)) {
                    return None;
                }
                Some(DecreeSummary {
                    program_name: name.clone(),
                    tally: tally.unwrap_or_default(),
                    decree: d.into(),
                })
            })
            .collect())
    }

    /// Whether decree `id` lists a case within `scope`.
    async fn decree_reaches(&self, id: &str, scope: &Scope) -> Result<bool, StoreError> {
        let (clause, mut values) = scope_sql(self.db_backend(), scope, 2);
        values.insert(0, id.into());
        let sql = format!(
            "SELECT COUNT(*) AS n FROM decree_items i JOIN cases c ON c.id = i.case_id              WHERE i.decree_id = $1 AND {clause}"
        );
        let rows = self.raw_in(scope, &sql, values).await?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get("", "n")?,
            None => 0,
        };
        Ok(n > 0)
    }

    /// The scanned PDF stored under `sha256`.
    pub async fn decree_scan(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(decree_scan::Entity::find_by_id(sha256)
            .one(&self.db)
            .await?
            .map(|s| s.data))
    }

    /// Which of `numbers` are recorded decrees.
    pub async fn decree_numbers(
        &self,
        numbers: &[&String],
    ) -> Result<std::collections::BTreeSet<String>, StoreError> {
        if numbers.is_empty() {
            return Ok(Default::default());
        }
        Ok(decree::Entity::find()
            .filter(decree::Column::Number.is_in(numbers.iter().map(|n| n.as_str())))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| d.number)
            .collect())
    }

    /// The cases of `program` in `state` within `scope` not yet approved, oldest first, with
    /// what a decree's list needs: (case id, region, beneficiary's name,
    /// rupiah requested).
    pub async fn decree_candidates(
        &self,
        program: &str,
        state: &str,
        scope: &Scope,
    ) -> Result<Vec<Candidate>, StoreError> {
        let (clause, mut values) = scope_sql(self.db_backend(), scope, 3);
        values.insert(0, program.into());
        values.insert(1, state.into());
        let sql = format!(
            "SELECT c.id, c.region, c.snapshot, b.name AS beneficiary_name \
             FROM cases c LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id \
             WHERE c.program_id = $1 AND c.state = $2 AND {clause} ORDER BY c.opened_at, c.id"
        );
        let mut out = Vec::new();
        for r in self.raw_in(scope, &sql, values).await? {
            let snapshot: pantau_workflow::Case =
                serde_json::from_str(&r.try_get::<String>("", "snapshot")?)?;
            // An approved case is for an amending decree to change, never a new list's.
            if snapshot.approved.is_some() {
                continue;
            }
            out.push(Candidate {
                case_id: r.try_get("", "id")?,
                region: r.try_get("", "region")?,
                beneficiary_name: r.try_get("", "beneficiary_name")?,
                requested: snapshot.requested.map(pantau_domain::Rupiah::get),
            });
        }
        Ok(out)
    }
}

/// A case a decree could list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub case_id: String,
    pub region: Option<String>,
    pub beneficiary_name: Option<String>,
    /// Rupiah.
    pub requested: Option<i64>,
}
