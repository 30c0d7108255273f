//! What the server reads, always within a [`Scope`]: case lists with
//! filters and paging, the dashboard's sums, an officer's open visits,
//! regions, programs, beneficiaries, and uploaded files.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait, Value,
};
use sha2::Digest;

use super::narrow::{FLAGGED, Narrow};
pub(crate) use super::scope::scope_sql;
use super::scope::scope_sql_on;
use super::scope::{covers, in_scope, within};
use super::totals::totals;
use crate::schema::entity::{allocation, attachment, beneficiary, program, region};
use crate::{Store, StoreError, model};

/// `text` as a LIKE pattern that matches it literally (`%`, `_` and `\`
/// escaped with `\`).
/// `col` contains `text`, whatever the case (`%` and `_` are characters).
pub(crate) fn contains_ci(
    col: impl sea_orm::sea_query::IntoColumnRef,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    let pattern = format!("%{}%", like_literal(&text.to_lowercase()));
    Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(col)))
        .like(LikeExpr::new(pattern).escape('\\'))
}

pub(crate) fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which cases to list.
#[derive(Debug, Clone)]
pub struct CaseQuery {
    pub scope: Scope,
    pub program: Option<String>,
    pub state: Option<String>,
    /// A kabupaten/kota, or a province (its kabupaten/kota and itself).
    pub region: Option<String>,
    pub officer: Option<String>,
    /// Only cases with a visit whose evidence awaits a verifier.
    pub flagged: bool,
    /// Visits, money, time in state, search, waiting, order.
    pub narrow: Narrow,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

/// One line of a case list (no snapshot: lists stay light).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, serde::Serialize)]
pub struct CaseLine {
    pub id: String,
    pub workflow: String,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub beneficiary_id: Option<String>,
    /// The beneficiary's name, read with the case.
    pub beneficiary_name: Option<String>,
    pub state: String,
    pub seq: i64,
    pub approved_amount: Option<i64>,
    pub disbursed_amount: i64,
    pub officer: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A page of results and how many there are in all.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Cases of one program, region and state, with their money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSum {
    pub program_id: String,
    pub region: String,
    pub state: String,
    pub cases: i64,
    pub approved: i64,
    pub disbursed: i64,
}

/// Cases of one program and region with a monev visit done, due or overdue
/// (a case with two overdue visits counts once, as the list it links to).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitSum {
    pub program_id: String,
    pub region: String,
    pub done: i64,
    pub due: i64,
    pub overdue: i64,
}

/// An open visit assigned to an officer.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct OpenVisit {
    pub case_id: String,
    pub no: i32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub beneficiary_id: Option<String>,
    pub state: String,
    pub workflow: String,
}

impl Store {
    /// A page of cases, in `q.narrow`'s order (newest change first), with their beneficiaries'
    /// names, and how many there are in all. Two queries: the count, and
    /// the page, whose rows and names are read for its own cases only. `LIMIT`
    /// and `OFFSET` are written into the text, as SQLite prepares a
    /// statement with a bound `LIMIT` again on every run.
    pub async fn case_page(&self, q: &CaseQuery) -> Result<Page<CaseLine>, StoreError> {
        let backend = self.db_backend();
        // The page's ids in one state within a province walk
        // `idx_cases_state_changed` newest first, skipping other regions'
        // cases (`walked`: the region's terms kept from SQLite's choice of
        // index). Left to choose, SQLite took every case of the province in
        // that state and sorted them: Jawa Timur's approved cases at a
        // million, 12 to 23 ms a page against 0.3 ms; the smallest
        // province's 1.9 against 2.3 ms.
        let walk = backend == DbBackend::Sqlite
            && q.state.is_some()
            && (q.scope.region().is_some_and(RegionCode::is_province)
                || q.region
                    .as_deref()
                    .is_some_and(|r| RegionCode::parse(r).is_ok_and(|c| c.is_province())));
        let walked = if walk { "+c.region" } else { "c.region" };
        let (_, mut values) = scope_sql(backend, &q.scope, 1);
        let mut fields = vec![];
        for (col, value) in [
            ("c.program_id", &q.program),
            ("c.state", &q.state),
            ("c.officer", &q.officer),
        ] {
            if let Some(v) = value {
                values.push(v.as_str().into());
                fields.push(format!("{col} = ${}", values.len()));
            }
        }
        let asked = q.region.as_ref().map(|r| {
            values.push(r.as_str().into());
            (r, format!("${}", values.len()))
        });
        // The scope, the fields, a kabupaten/kota or a province for all of
        // its kabupaten/kota (the region rule itself, as the scope says it)
        // on the region column `col`, and `rest`: in the order their values
        // are numbered.
        let filter_on = |col: &str, rest: &[String]| {
            let mut terms = vec![scope_sql_on(backend, &q.scope, 1, col).0];
            terms.extend(fields.iter().cloned());
            if let Some((r, mine)) = &asked {
                terms.push(match RegionCode::parse(r) {
                    Ok(code) => within(backend, &code, mine, col),
                    Err(_) => covers(mine, col),
                });
            }
            terms.extend(rest.iter().cloned());
            terms.join(" AND ")
        };
        // Filtered on region, program and state alone, the count is a sum
        // of running totals ([`totals`]); the columns have the same names.
        // An empty value is not asked of them: there a case without a
        // program or region counts under `''`.
        let plain = q.officer.is_none()
            && !q.flagged
            && [&q.program, &q.state, &q.region]
                .iter()
                .all(|v| v.as_ref().is_none_or(|v| !v.is_empty()));
        let mut rest = vec![];
        if q.flagged {
            rest.push(FLAGGED.into());
        }
        let narrowed = q.narrow.clauses(&mut values);
        let plain = plain && narrowed.is_empty();
        rest.extend(narrowed);
        let filter = filter_on("c.region", &rest);
        let page_filter = filter_on(walked, &rest);
        let count = if plain {
            self.fold_quietly().await;
            format!(
                "SELECT CAST(COALESCE(SUM(c.n_cases), 0) AS BIGINT) FROM {} c WHERE {filter}",
                totals(self.db_backend())
            )
        } else {
            format!("SELECT COUNT(*) FROM cases c WHERE {filter}")
        };
        let total = match self.raw_in(&q.scope, &count, values.clone()).await?.first() {
            Some(r) => u64::try_from(r.try_get_by_index::<i64>(0)?).unwrap_or(0),
            None => 0,
        };
        let offset = q.page.saturating_sub(1).saturating_mul(q.per_page);
        if offset >= total {
            return Ok(Page {
                items: vec![],
                total,
            });
        }
        // The page's ids first, from an index where one serves the filter
        // and the order (`idx_cases_state_changed`, `idx_cases_region_state`;
        // ties broken by id in the key's direction, so newest first walks
        // `(state, updated_at, id)` backwards without a sort),
        // then only those cases' rows: a case row carries its snapshot, so
        // sorting whole rows read every matching case's (at a million cases,
        // most of the file).
        let (key, dir) = q.narrow.order();
        // Newest change first needs no second term: repeating the key made
        // SQLite sort each run of equal times instead of walking the index.
        let then = if key == "c.updated_at" {
            ""
        } else {
            "c.updated_at DESC, "
        };
        let sql = format!(
            "SELECT c.id, c.workflow, c.program_id, c.region, c.beneficiary_id, c.state, c.seq, \
             c.approved_amount, c.disbursed_amount, c.officer, c.updated_at, \
             b.name AS beneficiary_name FROM (\
             SELECT c.id AS pid, {key} AS sort_key, c.updated_at AS changed \
             FROM cases c WHERE {page_filter} \
             ORDER BY sort_key {dir}, {then}c.id {dir} LIMIT {} OFFSET {offset}\
             ) p JOIN cases c ON c.id = p.pid LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id \
             ORDER BY p.sort_key {dir}, p.changed DESC, p.pid {dir}",
            q.per_page
        );
        let items = self
            .raw_in(&q.scope, &sql, values)
            .await?
            .iter()
            .map(|r| CaseLine::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        Ok(Page { items, total })
    }

    /// Cases, rupiah approved and disbursed, per program, region and state:
    /// from the running totals ([`totals`]), a few rows per program and
    /// region whatever the number of cases.
    pub async fn state_sums(&self, scope: &Scope) -> Result<Vec<StateSum>, StoreError> {
        self.fold_quietly().await;
        let backend = self.db_backend();
        let (clause, values) = scope_sql(backend, scope, 1);
        let named = format!("c.program_id <> '' AND c.region <> '' AND {clause}");
        // On SQLite a total is one row already; grouping it cost more than
        // reading it (36,000 rows for the Ministry).
        let sql = match backend {
            DbBackend::Postgres => format!(
                "SELECT c.program_id, c.region, c.state, CAST(SUM(c.n_cases) AS BIGINT), \
                 CAST(SUM(c.approved) AS BIGINT), CAST(SUM(c.disbursed) AS BIGINT) \
                 FROM {} c WHERE {named} GROUP BY c.region, c.program_id, c.state \
                 HAVING SUM(c.n_cases) <> 0",
                totals(backend)
            ),
            _ => format!(
                "SELECT c.program_id, c.region, c.state, c.n_cases, c.approved, c.disbursed \
                 FROM case_totals c WHERE {named} AND c.n_cases <> 0"
            ),
        };
        let rows = self.raw_in(scope, &sql, values).await?;
        let mut sums = rows
            .iter()
            .map(|r| {
                Ok(StateSum {
                    program_id: r.try_get_by_index(0)?,
                    region: r.try_get_by_index(1)?,
                    state: r.try_get_by_index(2)?,
                    cases: r.try_get_by_index(3)?,
                    approved: r.try_get_by_index(4)?,
                    disbursed: r.try_get_by_index(5)?,
                })
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
        // By program, region and state, whatever order the database kept.
        sums.sort_unstable_by(|a, b| {
            (&a.program_id, &a.region, &a.state).cmp(&(&b.program_id, &b.region, &b.state))
        });
        Ok(sums)
    }

    /// Cases with a visit done, due (open, not yet late) and overdue at
    /// `now`, per program and region. Done is a running total
    /// ([`totals`]); due and overdue are read from the scope's open visits
    /// alone (`idx_visits_open_place`: each visit carries its case's region
    /// and program), each case's first and last due date: at a million
    /// cases, joining every case in scope to its visits took seconds.
    pub async fn visit_sums(
        &self,
        scope: &Scope,
        now: DateTime<Utc>,
    ) -> Result<Vec<VisitSum>, StoreError> {
        self.fold_quietly().await;
        let (clause, values) = scope_sql(self.db_backend(), scope, 1);
        let done = format!(
            "SELECT c.program_id, c.region, CAST(SUM(c.n_visited) AS BIGINT) FROM {} c \
             WHERE c.program_id <> '' AND c.region <> '' AND {clause} \
             GROUP BY c.region, c.program_id HAVING SUM(c.n_visited) <> 0",
            totals(self.db_backend())
        );
        let mut sums: BTreeMap<(String, String), VisitSum> = BTreeMap::new();
        for r in self.raw_in(scope, &done, values.clone()).await? {
            visit_sum(&mut sums, &r)?.done = r.try_get_by_index(2)?;
        }
        let (clause, mut values) = scope_sql_on(self.db_backend(), scope, 2, "v.region");
        values.insert(0, now.into());
        let open = format!(
            "WITH o AS MATERIALIZED (SELECT v.program_id, v.region, MIN(v.due_at) AS first_due, \
             MAX(v.due_at) AS last_due FROM visits v WHERE v.done_at IS NULL \
             AND v.program_id IS NOT NULL AND v.region IS NOT NULL AND {clause} \
             GROUP BY v.region, v.program_id, v.case_id) \
             SELECT program_id, region, \
             CAST(SUM(CASE WHEN last_due >= $1 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN first_due < $1 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM o GROUP BY program_id, region"
        );
        for r in self.raw_in(scope, &open, values).await? {
            let sum = visit_sum(&mut sums, &r)?;
            sum.due = r.try_get_by_index(2)?;
            sum.overdue = r.try_get_by_index(3)?;
        }
        Ok(sums.into_values().collect())
    }

    /// The first due date at or after `now` of an open visit in `scope`:
    /// until then [`Store::visit_sums`] at `now` stays true (a visit turns
    /// overdue just after its due date). None when no visit falls due.
    pub async fn next_due(
        &self,
        scope: &Scope,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (clause, mut values) = scope_sql_on(self.db_backend(), scope, 2, "v.region");
        values.insert(0, now.into());
        let sql = format!(
            "SELECT MIN(v.due_at) FROM visits v \
             WHERE v.done_at IS NULL AND v.due_at >= $1 AND {clause}"
        );
        match self.raw_in(scope, &sql, values).await?.first() {
            Some(r) => Ok(r.try_get_by_index::<Option<DateTime<Utc>>>(0)?),
            None => Ok(None),
        }
    }

    /// [`Store::raw`] for a read of `scope`. On PostgreSQL it runs in a
    /// transaction that sets `pantau.region` to the scope's region, so the
    /// row-level security policy on `cases` (migration
    /// `m20261124_000004_region_wall`) hides other regions' cases even if
    /// `sql`'s own clause were wrong.
    pub(crate) async fn raw_in(
        &self,
        scope: &Scope,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<sea_orm::QueryResult>, StoreError> {
        let (DbBackend::Postgres, Some(region)) = (self.db_backend(), scope.region()) else {
            return self.raw(sql, values).await;
        };
        let txn = self.db.begin().await?;
        txn.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('pantau.region', $1, true)",
            [region.as_str().into()],
        ))
        .await?;
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await?;
        txn.commit().await?;
        Ok(rows)
    }

    pub(crate) async fn raw(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<sea_orm::QueryResult>, StoreError> {
        Ok(self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.db_backend(),
                sql,
                values,
            ))
            .await?)
    }

    /// The open visits of the cases assigned to `officer`, soonest due first.
    pub async fn open_visits(&self, officer: &str) -> Result<Vec<OpenVisit>, StoreError> {
        let sql = "SELECT v.case_id, v.no, v.checklist, v.due_at, c.program_id, c.region, \
                   c.beneficiary_id, c.state, c.workflow \
                   FROM visits v JOIN cases c ON c.id = v.case_id \
                   WHERE v.done_at IS NULL AND c.officer = $1 ORDER BY v.due_at, v.case_id, v.no";
        let rows = self.raw(sql, vec![officer.into()]).await?;
        rows.iter()
            .map(|r| OpenVisit::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }

    /// Regions visible in `scope`: a province with its kabupaten/kota, or all.
    pub async fn regions_in(&self, scope: &Scope) -> Result<Vec<model::Region>, StoreError> {
        let rows = region::Entity::find()
            .filter(in_scope(self.db_backend(), "code", scope))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    pub async fn region(&self, code: &str) -> Result<Option<model::Region>, StoreError> {
        Ok(region::Entity::find_by_id(code)
            .one(&self.db)
            .await?
            .map(Into::into))
    }

    /// Programs with an allocation in `scope` (all programs for a national scope).
    pub async fn programs_in(&self, scope: &Scope) -> Result<Vec<model::Program>, StoreError> {
        let all = program::Entity::find()
            .order_by_asc(program::Column::FiscalYear)
            .order_by_asc(program::Column::Id)
            .all(&self.db)
            .await?;
        let Some(r) = scope.region() else {
            return Ok(model::all(all));
        };
        let visible: std::collections::HashSet<String> = allocation::Entity::find()
            .select_only()
            .column(allocation::Column::ProgramId)
            .distinct()
            .filter(in_scope(self.db_backend(), "region_code", scope))
            .into_tuple::<String>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        Ok(all
            .into_iter()
            .filter(|p| visible.contains(&p.id) || p.province_code == r.as_str())
            .map(Into::into)
            .collect())
    }

    /// Every allocation visible in `scope`, by program and region.
    pub async fn allocations_within(
        &self,
        scope: &Scope,
    ) -> Result<Vec<model::Allocation>, StoreError> {
        let rows = allocation::Entity::find()
            .filter(in_scope(self.db_backend(), "region_code", scope))
            .order_by_asc(allocation::Column::ProgramId)
            .order_by_asc(allocation::Column::RegionCode)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// A program's allocations visible in `scope`.
    pub async fn allocations_in(
        &self,
        program_id: &str,
        scope: &Scope,
    ) -> Result<Vec<model::Allocation>, StoreError> {
        let rows = allocation::Entity::find()
            .filter(allocation::Column::ProgramId.eq(program_id))
            .filter(in_scope(self.db_backend(), "region_code", scope))
            .order_by_asc(allocation::Column::RegionCode)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// A page of beneficiaries in `scope`, optionally of one kind and with
    /// `name` in their name (case-insensitive).
    pub async fn beneficiary_page(
        &self,
        scope: &Scope,
        kind: Option<&str>,
        name: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<model::Beneficiary>, StoreError> {
        let mut cond = in_scope(self.db_backend(), "region_code", scope)
            .add(beneficiary::Column::MergedInto.is_null());
        if let Some(k) = kind {
            cond = cond.add(beneficiary::Column::Kind.eq(k));
        }
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            cond = cond.add(contains_ci(beneficiary::Column::Name, n));
        }
        let total = beneficiary::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = beneficiary::Entity::find()
            .filter(cond)
            .order_by_asc(beneficiary::Column::RegionCode)
            .order_by_asc(beneficiary::Column::Name)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(Page {
            items: model::all(items),
            total,
        })
    }

    pub async fn beneficiary(&self, id: &str) -> Result<Option<model::Beneficiary>, StoreError> {
        let row = beneficiary::Entity::find_by_id(id).one(&self.db).await?;
        Ok(row.map(Into::into))
    }

    /// Beneficiary names by id (for lists).
    pub async fn beneficiary_names(
        &self,
        ids: impl IntoIterator<Item = String>,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let ids: Vec<String> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(beneficiary::Entity::find()
            .select_only()
            .columns([beneficiary::Column::Id, beneficiary::Column::Name])
            .filter(beneficiary::Column::Id.is_in(ids))
            .into_tuple::<(String, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect())
    }

    /// Stores a file of a case; the same bytes twice for one case are stored once. Returns its id.
    pub async fn put_attachment(
        &self,
        case_id: &str,
        content_type: &str,
        data: Vec<u8>,
        print: crate::cases::evidence::PhotoPrint,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let sha = hex::encode(sha2::Sha256::digest(&data));
        let id = attachment_id(case_id, &sha);
        attachment::Entity::insert(attachment::ActiveModel {
            id: Set(id.clone()),
            case_id: Set(case_id.to_string()),
            content_type: Set(content_type.to_string()),
            size: Set(data.len() as i64),
            sha256: Set(sha),
            data: Set(data),
            uploaded_by: Set(by.to_string()),
            created_at: Set(now),
            phash: Set(print.phash.map(|h| h as i64)),
            taken_at: Set(print.taken_at),
        })
        .on_conflict(
            OnConflict::column(attachment::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(id)
    }

    /// Whether `data` is already stored for `case_id` (then storing it again changes nothing).
    pub async fn has_attachment(&self, case_id: &str, data: &[u8]) -> Result<bool, StoreError> {
        let id = attachment_id(case_id, &hex::encode(sha2::Sha256::digest(data)));
        Ok(attachment::Entity::find_by_id(id)
            .select_only()
            .column(attachment::Column::Id)
            .into_tuple::<String>()
            .one(&self.db)
            .await?
            .is_some())
    }

    pub async fn attachment(&self, id: &str) -> Result<Option<model::Attachment>, StoreError> {
        let row = attachment::Entity::find_by_id(id).one(&self.db).await?;
        Ok(row.map(Into::into))
    }

    /// The case and size in bytes of each file of `ids` that exists, its
    /// bytes left unread (to choose which a report can carry).
    pub async fn attachment_sizes(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        by_ids(ids, |part| {
            attachment::Entity::find()
                .select_only()
                .columns([
                    attachment::Column::Id,
                    attachment::Column::CaseId,
                    attachment::Column::Size,
                ])
                .filter(attachment::Column::Id.is_in(part))
                .into_tuple::<(String, String, i64)>()
                .all(&self.db)
        })
        .await
    }

    /// The files of `ids` that exist, a few hundred ids a query: a
    /// province's monev report names some 14,000 photos, and one query each
    /// took seconds.
    pub async fn attachments(&self, ids: &[String]) -> Result<Vec<model::Attachment>, StoreError> {
        let rows = by_ids(ids, |part| {
            attachment::Entity::find()
                .filter(attachment::Column::Id.is_in(part))
                .all(&self.db)
        })
        .await?;
        Ok(rows.into_iter().map(model::Attachment::from).collect())
    }
}

/// The rows `query` gives for `ids`, asked 500 ids at a time.
async fn by_ids<T, Fut>(
    ids: &[String],
    query: impl Fn(Vec<String>) -> Fut,
) -> Result<Vec<T>, StoreError>
where
    Fut: std::future::Future<Output = Result<Vec<T>, sea_orm::DbErr>>,
{
    let mut out = Vec::new();
    for part in ids.chunks(500) {
        out.extend(query(part.to_vec()).await?);
    }
    Ok(out)
}

/// The sum of the program and region a row starts with, made when new.
fn visit_sum<'a>(
    sums: &'a mut BTreeMap<(String, String), VisitSum>,
    r: &sea_orm::QueryResult,
) -> Result<&'a mut VisitSum, sea_orm::DbErr> {
    let (program_id, region): (String, String) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
    Ok(sums
        .entry((program_id.clone(), region.clone()))
        .or_insert_with(|| VisitSum {
            program_id,
            region,
            ..VisitSum::default()
        }))
}

/// A file's id: the same bytes for the same case are one file.
fn attachment_id(case_id: &str, sha256: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{case_id}:{sha256}").as_bytes(),
    )
    .simple()
    .to_string()
}
