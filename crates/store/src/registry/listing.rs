//! The registry as pages: beneficiaries found by search and filters, a page
//! at a time at any size, each with its cases counted; and one beneficiary's
//! whole record (its cases across programs and years, their visits with
//! photos, its yearly statuses, its corrections).

use chrono::{DateTime, Utc};
use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use super::search::words_match;
use crate::read::browse::Page;
use crate::read::report::Indicator;
use crate::read::scope::in_scope;
use crate::schema::entity::{
    beneficiary, beneficiary_change, cooperative_year, visit, visit_photo,
};
use crate::{Store, StoreError, model};

/// A beneficiary's standing in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    Inactive,
    /// Dissolved (bubar).
    Dissolved,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Active, Standing::Inactive, Standing::Dissolved];

    /// The value in links and in the corrections' history.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "aktif",
            Standing::Inactive => "tidak_aktif",
            Standing::Dissolved => "bubar",
        }
    }

    pub fn parse(s: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// A registered beneficiary's standing (one with no active flag, such
    /// as a street vendor, is active until corrected).
    pub fn of(b: &model::Beneficiary) -> Standing {
        match (b.dissolved, b.active) {
            (true, _) => Standing::Dissolved,
            (false, Some(false)) => Standing::Inactive,
            (false, _) => Standing::Active,
        }
    }
}

/// Which beneficiaries to list.
#[derive(Debug, Clone)]
pub struct RegistryQuery {
    pub scope: Scope,
    /// Words of a name, or the start of a NIK Koperasi, NIB or NIK.
    pub search: String,
    pub kind: Option<String>,
    /// A kabupaten/kota, or a province (its kabupaten/kota).
    pub region: Option<RegionCode>,
    pub standing: Option<Standing>,
    /// With (`true`) or without an open case.
    pub open_cases: Option<bool>,
    /// The cooperatives behind an indicator's figure of a year.
    pub indicator: Option<(i32, Indicator)>,
    /// Each workflow's final states: a case in one is closed.
    pub finals: Vec<(String, String)>,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

/// One line of the registry: a beneficiary and its cases counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryLine {
    pub beneficiary: model::Beneficiary,
    pub cases: i64,
    pub open_cases: i64,
    pub approved: i64,
    pub disbursed: i64,
}

/// One case of a beneficiary, with its program.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RecordCase {
    pub id: String,
    pub workflow: String,
    pub workflow_version: i32,
    pub state: String,
    pub program_id: Option<String>,
    pub program_name: Option<String>,
    pub fiscal_year: Option<i32>,
    pub approved_amount: Option<i64>,
    pub disbursed_amount: i64,
    pub opened_at: DateTime<Utc>,
}

/// One monev visit of a beneficiary's case, with its photos' attachment ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVisit {
    pub case_id: String,
    pub no: i32,
    pub tranche: Option<i32>,
    pub due_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// `flagged`, `accepted`, or none.
    pub review: Option<String>,
    pub photos: Vec<String>,
}

/// A beneficiary's whole record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryRecord {
    pub beneficiary: model::Beneficiary,
    /// Newest first.
    pub cases: Vec<RecordCase>,
    /// By case, then visit number.
    pub visits: Vec<RecordVisit>,
    /// Newest year first.
    pub years: Vec<model::CooperativeYear>,
    /// Newest first.
    pub changes: Vec<model::BeneficiaryChange>,
}

/// A correction with the beneficiary it corrected, for the Ministry bundle.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CorrectionLine {
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub region_code: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// A SQL string literal (quotes doubled): the final states come from the
/// installed definitions, never from a request.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Case `c` is in one of `finals` (SQL).
fn closed_sql(finals: &[(String, String)]) -> String {
    if finals.is_empty() {
        return "FALSE".into();
    }
    let terms: Vec<String> = finals
        .iter()
        .map(|(w, s)| format!("(c.workflow = {} AND c.state = {})", literal(w), literal(s)))
        .collect();
    format!("({})", terms.join(" OR "))
}

/// The placeholders `$first`, `$first + 1`, … for `n` values.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// A page of the registry, by name, with each beneficiary's cases
    /// counted (two queries: the page, then its cases' sums).
    pub async fn registry_page(&self, q: &RegistryQuery) -> Result<Page<RegistryLine>, StoreError> {
        let backend = self.db_backend();
        // A merged record is listed as the one it was merged into.
        let mut cond = in_scope(backend, "region_code", &q.scope)
            .add(beneficiary::Column::MergedInto.is_null());
        if let Some(found) = words_match(&q.search) {
            cond = cond.add(found);
        }
        if let Some(k) = &q.kind {
            cond = cond.add(beneficiary::Column::Kind.eq(k.as_str()));
        }
        if let Some(r) = &q.region {
            cond = cond.add(in_scope(backend, "region_code", &Scope::Region(r.clone())));
        }
        match q.standing {
            Some(Standing::Dissolved) => cond = cond.add(beneficiary::Column::Dissolved.eq(true)),
            Some(Standing::Inactive) => {
                cond = cond
                    .add(beneficiary::Column::Dissolved.eq(false))
                    .add(beneficiary::Column::Active.eq(false));
            }
            Some(Standing::Active) => {
                cond = cond.add(beneficiary::Column::Dissolved.eq(false)).add(
                    beneficiary::Column::Active
                        .is_null()
                        .or(beneficiary::Column::Active.eq(true)),
                );
            }
            None => {}
        }
        if let Some(open) = q.open_cases {
            let exists = format!(
                "EXISTS (SELECT 1 FROM cases c WHERE c.beneficiary_id = beneficiaries.id AND NOT {})",
                closed_sql(&q.finals)
            );
            let sql = if open {
                exists
            } else {
                format!("NOT {exists}")
            };
            cond = cond.add(Expr::cust(sql));
        }
        if let Some((year, indicator)) = q.indicator {
            cond = cond.add(Expr::cust(indicator.sql("beneficiaries", year)));
        }
        let total = beneficiary::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let rows: Vec<model::Beneficiary> = model::all(
            beneficiary::Entity::find()
                .filter(cond)
                .order_by_asc(beneficiary::Column::Name)
                .order_by_asc(beneficiary::Column::Id)
                .offset(q.page.saturating_sub(1).saturating_mul(q.per_page))
                .limit(q.per_page)
                .all(&self.db)
                .await?,
        );
        let sums = self.case_sums(&rows, &q.finals).await?;
        let items = rows
            .into_iter()
            .map(|b| {
                let (cases, open_cases, approved, disbursed) =
                    sums.get(&b.id).copied().unwrap_or_default();
                RegistryLine {
                    beneficiary: b,
                    cases,
                    open_cases,
                    approved,
                    disbursed,
                }
            })
            .collect();
        Ok(Page { items, total })
    }

    /// Per beneficiary: its cases, the open ones, and their rupiah approved
    /// and disbursed.
    async fn case_sums(
        &self,
        rows: &[model::Beneficiary],
        finals: &[(String, String)],
    ) -> Result<std::collections::HashMap<String, (i64, i64, i64, i64)>, StoreError> {
        if rows.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT c.beneficiary_id, COUNT(*), \
             CAST(SUM(CASE WHEN {closed} THEN 0 ELSE 1 END) AS BIGINT), \
             CAST(COALESCE(SUM(c.approved_amount), 0) AS BIGINT), \
             CAST(COALESCE(SUM(c.disbursed_amount), 0) AS BIGINT) \
             FROM cases c WHERE c.beneficiary_id IN ({ids}) GROUP BY c.beneficiary_id",
            closed = closed_sql(finals),
            ids = marks(1, rows.len()),
        );
        let values: Vec<Value> = rows.iter().map(|b| b.id.clone().into()).collect();
        let found = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.db_backend(),
                sql,
                values,
            ))
            .await?;
        found
            .iter()
            .map(|r| {
                Ok((
                    r.try_get_by_index(0)?,
                    (
                        r.try_get_by_index(1)?,
                        r.try_get_by_index(2)?,
                        r.try_get_by_index(3)?,
                        r.try_get_by_index(4)?,
                    ),
                ))
            })
            .collect()
    }

    /// A beneficiary's whole record, or none when it is not registered.
    pub async fn beneficiary_record(
        &self,
        id: &str,
    ) -> Result<Option<BeneficiaryRecord>, StoreError> {
        let Some(beneficiary) = self.beneficiary(id).await? else {
            return Ok(None);
        };
        let cases = RecordCase::find_by_statement(Statement::from_sql_and_values(
            self.db_backend(),
            "SELECT c.id, c.workflow, c.workflow_version, c.state, c.program_id, \
             p.name AS program_name, p.fiscal_year, c.approved_amount, c.disbursed_amount, \
             c.opened_at FROM cases c LEFT JOIN programs p ON p.id = c.program_id \
             WHERE c.beneficiary_id = $1 ORDER BY c.opened_at DESC, c.id",
            [id.into()],
        ))
        .all(&self.db)
        .await?;
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let visits = visit::Entity::find()
            .filter(visit::Column::CaseId.is_in(ids.clone()))
            .order_by_asc(visit::Column::CaseId)
            .order_by_asc(visit::Column::No)
            .all(&self.db)
            .await?;
        let photos = visit_photo::Entity::find()
            .filter(visit_photo::Column::CaseId.is_in(ids))
            .all(&self.db)
            .await?;
        let visits = visits
            .into_iter()
            .map(|v| RecordVisit {
                photos: photos
                    .iter()
                    .filter(|p| p.case_id == v.case_id && p.visit_no == v.no)
                    .map(|p| p.attachment_id.clone())
                    .collect(),
                case_id: v.case_id,
                no: v.no,
                tranche: v.tranche,
                due_at: v.due_at,
                done_at: v.done_at,
                review: v.review,
            })
            .collect();
        let years = model::all(
            cooperative_year::Entity::find()
                .filter(cooperative_year::Column::BeneficiaryId.eq(id))
                .order_by_desc(cooperative_year::Column::Year)
                .all(&self.db)
                .await?,
        );
        let changes = self.beneficiary_changes(Some(id)).await?;
        Ok(Some(BeneficiaryRecord {
            beneficiary,
            cases,
            visits,
            years,
            changes,
        }))
    }

    /// The corrections of one beneficiary (or of all), newest first.
    pub async fn beneficiary_changes(
        &self,
        id: Option<&str>,
    ) -> Result<Vec<model::BeneficiaryChange>, StoreError> {
        let mut find = beneficiary_change::Entity::find();
        if let Some(id) = id {
            find = find.filter(beneficiary_change::Column::BeneficiaryId.eq(id));
        }
        let rows = find
            .order_by_desc(beneficiary_change::Column::ChangedAt)
            .order_by_asc(beneficiary_change::Column::Id)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// The corrections of beneficiaries in `scope` made from `from` until
    /// `to`, oldest first.
    pub async fn corrections_within(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CorrectionLine>, StoreError> {
        let (region, mut values) =
            crate::read::scope::scope_sql_on(self.db_backend(), scope, 1, "b.region_code");
        let n = values.len();
        values.push(from.into());
        values.push(to.into());
        let sql = format!(
            "SELECT h.beneficiary_id, b.name AS beneficiary_name, b.region_code, h.field, \
             h.old_value, h.new_value, h.reason, h.changed_by, h.changed_at \
             FROM beneficiary_changes h JOIN beneficiaries b ON b.id = h.beneficiary_id \
             WHERE {region} AND h.changed_at >= ${} AND h.changed_at < ${} \
             ORDER BY h.changed_at, h.id",
            n + 1,
            n + 2
        );
        Ok(
            CorrectionLine::find_by_statement(Statement::from_sql_and_values(
                self.db_backend(),
                sql,
                values,
            ))
            .all(&self.db)
            .await?,
        )
    }
}
