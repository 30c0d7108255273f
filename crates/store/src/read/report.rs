//! The figures the reports are made of: each a single query, within a
//! scope, so a region-scoped user's report cannot hold another region's rows.
//!
//! Stages are the ones each definition declares (`[stages]`, see
//! [`StageIds`]): a proposal is a case with an event of its proposal action,
//! a verified case one that has entered its verified state, an approved case
//! one whose approval stands (an approved amount), a rejected case one in its
//! rejected state. The ids reach the query as bound values, never as SQL text.

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_workflow::Catalog;
use sea_orm::{DbBackend, FromQueryResult, Value};

use crate::read::browse::scope_sql;
use crate::read::scope::scope_sql_on;
use crate::{Store, StoreError};

/// One program's figures in one kabupaten/kota.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct ProgramRegion {
    pub program_id: String,
    pub region: String,
    pub cases: i64,
    pub proposals: i64,
    pub verified: i64,
    pub approved: i64,
    pub rejected: i64,
    pub approved_amount: i64,
    pub disbursed_amount: i64,
    pub tranches_paid: i64,
    /// Cases that received money, and those of them with a monev visit done.
    pub disbursed_cases: i64,
    pub monitored_cases: i64,
    pub visits_done: i64,
    pub visits_due: i64,
    pub visits_overdue: i64,
}

/// What one program's cases added in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct ProgramPeriod {
    pub program_id: String,
    /// Rupiah paid in the period (tranches by when they were paid).
    pub disbursed_amount: i64,
    pub tranches_paid: i64,
    /// Monev visits made in the period.
    pub visits_done: i64,
}

/// Which programs a report covers.
#[derive(Debug, Clone)]
pub struct ProgramFilter {
    pub year: i32,
    /// One program, or every program of the year.
    pub program: Option<String>,
    pub scope: Scope,
}

/// One monev visit done, with the event that recorded it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct VisitDone {
    pub case_id: String,
    pub no: i32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    pub done_at: DateTime<Utc>,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub workflow: String,
    pub workflow_version: i32,
    pub beneficiary_name: Option<String>,
    pub officer: String,
    pub officer_name: Option<String>,
    /// The recording event as stored (JSON of `pantau_workflow::Event`).
    pub body: String,
}

/// Which visits a monev report covers: one case, or a period.
#[derive(Debug, Clone)]
pub struct VisitFilter {
    pub case_id: Option<String>,
    pub program: Option<String>,
    /// Done at or after `from` and before `to`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub scope: Scope,
}

/// The ids one (program, version) declares for the stages the progress
/// report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageIds {
    pub workflow: String,
    pub version: u32,
    /// The action that submits a proposal.
    pub proposal: String,
    /// The state that means verified.
    pub verified: String,
    /// The state that means rejected.
    pub rejected: String,
}

impl StageIds {
    /// Every definition's stages in `catalog`: give it the pinned catalog
    /// (`Store::pinned_catalog`), so the cases of older versions count too.
    pub fn of(catalog: &Catalog) -> Vec<StageIds> {
        catalog
            .iter()
            .map(|d| StageIds {
                workflow: d.id.clone(),
                version: d.version,
                proposal: d.stages.proposal.clone(),
                verified: d.stages.verified.clone(),
                rejected: d.stages.rejected.clone(),
            })
            .collect()
    }
}

/// The stages as a table `stages (workflow, workflow_version, proposal,
/// verified, rejected)` for a `WITH`, its values bound from `$first` on
/// (typed by `CAST`, as PostgreSQL needs); no row for an empty list.
fn stages_sql(stages: &[StageIds], first: usize) -> (String, Vec<Value>) {
    let columns = "stages (workflow, workflow_version, proposal, verified, rejected)";
    if stages.is_empty() {
        return (
            format!(
                "{columns} AS (SELECT CAST(NULL AS TEXT), CAST(NULL AS INTEGER), \
                 CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT) WHERE 1 = 0)"
            ),
            vec![],
        );
    }
    let mut rows = Vec::with_capacity(stages.len());
    let mut values: Vec<Value> = Vec::with_capacity(stages.len() * 5);
    for (i, s) in stages.iter().enumerate() {
        let n = first + i * 5;
        rows.push(format!(
            "(CAST(${n} AS TEXT), CAST(${} AS INTEGER), CAST(${} AS TEXT), CAST(${} AS TEXT), CAST(${} AS TEXT))",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
        values.extend([
            s.workflow.clone().into(),
            i32::try_from(s.version).unwrap_or(i32::MAX).into(),
            s.proposal.clone().into(),
            s.verified.clone().into(),
            s.rejected.clone().into(),
        ]);
    }
    (format!("{columns} AS (VALUES {})", rows.join(", ")), values)
}

/// The progress aggregation as one statement; `$1` is now, `$2` the
/// fiscal year, `$3` a program id or `''`, then the scope's values, then
/// each definition's stage ids.
pub fn progress_sql(
    backend: DbBackend,
    scope: &Scope,
    stages: &[StageIds],
) -> (String, Vec<Value>) {
    let (clause, mut values) = scope_sql(backend, scope, 4);
    let (stages, stage_values) = stages_sql(stages, 4 + values.len());
    values.extend(stage_values);
    // The scope's cases from an index (`idx_cases_region_state`), not
    // their rows with their snapshots; then those of the year, each with
    // its tranches and visits counted by key (the primary keys, and
    // `idx_visits_open_case` for the open ones), and its moves from
    // `idx_events_case_moves`. Grouping every tranche and visit of the
    // country first, then joining, read them all: a province's report
    // took 1 s and 80 MB of SQLite's memory for its temporary tables, now
    // 0.55 s and 21 MB (the national bench's data, in the sqlite3 shell).
    // A visit is done, due or overdue; done = all - open.
    let sql = format!(
        "WITH {stages}, \
         k AS MATERIALIZED (SELECT c.id, c.program_id, c.region, c.workflow, c.workflow_version, \
           c.state, c.approved_amount, c.disbursed_amount FROM cases c \
           WHERE c.region IS NOT NULL AND {clause}), \
         x AS MATERIALIZED (SELECT c.id, c.program_id, c.region, c.state, c.approved_amount, \
           c.disbursed_amount, s.proposal, s.verified, s.rejected, \
           (SELECT COUNT(*) FROM tranches t WHERE t.case_id = c.id) AS tranches, \
           (SELECT COUNT(*) FROM visits v WHERE v.case_id = c.id) AS visits, \
           (SELECT COUNT(*) FROM visits v WHERE v.case_id = c.id AND v.done_at IS NULL AND v.due_at >= $1) AS due, \
           (SELECT COUNT(*) FROM visits v WHERE v.case_id = c.id AND v.done_at IS NULL AND v.due_at < $1) AS overdue \
           FROM k c JOIN programs p ON p.id = c.program_id \
           LEFT JOIN stages s ON s.workflow = c.workflow AND s.workflow_version = c.workflow_version \
           WHERE p.fiscal_year = $2 AND ($3 = '' OR c.program_id = $3)) \
         SELECT c.program_id, c.region, COUNT(*) AS cases, \
         CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.action = c.proposal) THEN 1 ELSE 0 END) AS BIGINT) AS proposals, \
         CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.to_state = c.verified) THEN 1 ELSE 0 END) AS BIGINT) AS verified, \
         CAST(SUM(CASE WHEN c.approved_amount IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS approved, \
         CAST(SUM(CASE WHEN c.state = c.rejected THEN 1 ELSE 0 END) AS BIGINT) AS rejected, \
         CAST(COALESCE(SUM(c.approved_amount), 0) AS BIGINT) AS approved_amount, \
         CAST(COALESCE(SUM(c.disbursed_amount), 0) AS BIGINT) AS disbursed_amount, \
         CAST(COALESCE(SUM(c.tranches), 0) AS BIGINT) AS tranches_paid, \
         CAST(SUM(CASE WHEN c.disbursed_amount > 0 THEN 1 ELSE 0 END) AS BIGINT) AS disbursed_cases, \
         CAST(SUM(CASE WHEN c.disbursed_amount > 0 AND c.visits > c.due + c.overdue THEN 1 ELSE 0 END) AS BIGINT) AS monitored_cases, \
         CAST(COALESCE(SUM(c.visits - c.due - c.overdue), 0) AS BIGINT) AS visits_done, \
         CAST(COALESCE(SUM(c.due), 0) AS BIGINT) AS visits_due, \
         CAST(COALESCE(SUM(c.overdue), 0) AS BIGINT) AS visits_overdue \
         FROM x c \
         GROUP BY c.program_id, c.region ORDER BY c.program_id, c.region"
    );
    (sql, values)
}

impl Store {
    /// Each program's figures per kabupaten/kota at `now` (visits due or
    /// overdue are counted against it), its stages as `catalog`'s
    /// definitions declare them (see [`StageIds::of`]).
    pub async fn program_regions(
        &self,
        filter: &ProgramFilter,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<Vec<ProgramRegion>, StoreError> {
        let (sql, scope_values) =
            progress_sql(self.db_backend(), &filter.scope, &StageIds::of(catalog));
        let mut values: Vec<Value> = vec![
            now.into(),
            filter.year.into(),
            filter.program.clone().unwrap_or_default().into(),
        ];
        values.extend(scope_values);
        self.raw_in(&filter.scope, &sql, values)
            .await?
            .iter()
            .map(|r| ProgramRegion::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }

    /// Each program's money paid and visits done in `[from, to)` within the
    /// scope, for the programs of fiscal `year`: what a period (a month, the
    /// year to date) added.
    pub async fn program_period(
        &self,
        scope: &pantau_domain::access::Scope,
        year: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ProgramPeriod>, StoreError> {
        let (clause, scope_values) = scope_sql(self.db_backend(), scope, 4);
        let sql = format!(
            "SELECT c.program_id, \
             CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) AS disbursed_amount, \
             CAST(COALESCE(SUM(t.n), 0) AS BIGINT) AS tranches_paid, \
             CAST(COALESCE(SUM(v.n), 0) AS BIGINT) AS visits_done \
             FROM cases c JOIN programs p ON p.id = c.program_id \
             LEFT JOIN (SELECT case_id, SUM(amount) AS amount, COUNT(*) AS n FROM tranches \
               WHERE paid_at >= $2 AND paid_at < $3 GROUP BY case_id) t ON t.case_id = c.id \
             LEFT JOIN (SELECT case_id, COUNT(*) AS n FROM visits \
               WHERE done_at >= $2 AND done_at < $3 GROUP BY case_id) v ON v.case_id = c.id \
             WHERE p.fiscal_year = $1 AND c.region IS NOT NULL AND {clause} \
             GROUP BY c.program_id ORDER BY c.program_id"
        );
        let mut values: Vec<Value> = vec![year.into(), from.into(), to.into()];
        values.extend(scope_values);
        self.raw_in(scope, &sql, values)
            .await?
            .iter()
            .map(|r| ProgramPeriod::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }

    /// The monev visits done that `filter` selects, oldest first.
    pub async fn visits_done(&self, filter: &VisitFilter) -> Result<Vec<VisitDone>, StoreError> {
        // The visits carry their case's region and program (kept by
        // triggers), so the period's visits in scope are found among the
        // visits alone, then each one's case and event by key: not every
        // case of the province probed for visits. Jawa Timur at national
        // scale (14,000 visits among 270,000): its monev CSV went from 595 to
        // 444 ms (`cargo bench --bench national`).
        let (clause, scope_values) = scope_sql_on(self.db_backend(), &filter.scope, 5, "v.region");
        let sql = format!(
            "SELECT v.case_id, v.no, v.checklist, v.due_at, v.done_at, c.program_id, c.region, \
             c.workflow, c.workflow_version, b.name AS beneficiary_name, \
             e.actor_user AS officer, u.name AS officer_name, e.body \
             FROM visits v JOIN cases c ON c.id = v.case_id \
             JOIN events e ON e.case_id = v.case_id AND e.seq = v.done_seq \
             LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id \
             LEFT JOIN users u ON u.login = e.actor_user \
             WHERE v.done_at IS NOT NULL AND v.done_at >= $3 AND v.done_at < $4 \
             AND ($1 = '' OR v.case_id = $1) AND ($2 = '' OR v.program_id = $2) AND {clause} \
             ORDER BY v.done_at, v.case_id, v.no"
        );
        let mut values: Vec<Value> = vec![
            filter.case_id.clone().unwrap_or_default().into(),
            filter.program.clone().unwrap_or_default().into(),
            filter.from.into(),
            filter.to.into(),
        ];
        values.extend(scope_values);
        // Each row let go once read: a province's visits with their events
        // are tens of megabytes, not to be held twice.
        self.raw_in(&filter.scope, &sql, values)
            .await?
            .into_iter()
            .map(|r| VisitDone::from_query_result(&r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}

/// Cooperatives in one kabupaten/kota, a year against the year before.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct IndicatorRow {
    pub region: String,
    pub active_prev: i64,
    pub active: i64,
    /// With a status this year and none the year before.
    pub new: i64,
    pub rat_prev: i64,
    pub rat: i64,
    pub inactive_prev: i64,
    pub inactive: i64,
    /// Active and rated a quality cooperative this year.
    pub quality: i64,
    /// Verified records of the year before, and of the year: the base the
    /// figures stand on.
    pub records_prev: i64,
    pub records: i64,
}

/// What the registry lists behind an indicator's figure: the cooperatives
/// with a verified record of the year that are active, new (none verified
/// the year before), held their RAT, inactive, or active and of quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    Active,
    New,
    Rat,
    Inactive,
    Quality,
}

impl Indicator {
    pub const ALL: [Indicator; 5] = [
        Indicator::Active,
        Indicator::New,
        Indicator::Rat,
        Indicator::Inactive,
        Indicator::Quality,
    ];

    /// The value in links (`indikator=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Active => "aktif",
            Indicator::New => "baru",
            Indicator::Rat => "rat",
            Indicator::Inactive => "tidak_aktif",
            Indicator::Quality => "berkualitas",
        }
    }

    pub fn parse(s: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The cooperatives `b` (the alias of `beneficiaries`) counted by this
    /// indicator in `year`, as SQL: the same conditions as
    /// [`Store::indicator_rows`] counts by (`year` is a number, never text
    /// from a request).
    pub fn sql(self, b: &str, year: i32) -> String {
        let verified = |y: i32, cond: &str| {
            format!(
                "EXISTS (SELECT 1 FROM cooperative_years iy WHERE iy.beneficiary_id = {b}.id \
                 AND iy.year = {y} AND iy.verified_at IS NOT NULL{cond})"
            )
        };
        let this = match self {
            Indicator::Active => verified(year, " AND iy.active"),
            Indicator::New => format!("{} AND NOT {}", verified(year, ""), verified(year - 1, "")),
            Indicator::Rat => verified(year, " AND iy.rat_held"),
            Indicator::Inactive => verified(year, " AND NOT iy.active"),
            Indicator::Quality => verified(year, " AND iy.active AND iy.quality"),
        };
        format!("({b}.kind = 'cooperative' AND {this})")
    }
}

impl Store {
    /// `year` against `year - 1`, per kabupaten/kota in `scope`, from
    /// verified records only (a record with no `verified_at` counts nowhere).
    pub async fn indicator_rows(
        &self,
        year: i32,
        scope: &Scope,
    ) -> Result<Vec<IndicatorRow>, StoreError> {
        let (clause, scope_values) = scope_sql(self.db_backend(), scope, 3);
        let n = |cond: &str, name: &str| {
            format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS {name}")
        };
        let sql = format!(
            "SELECT c.region, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM (\
             SELECT b.region_code AS region, y.beneficiary_id AS y_id, y.active AS y_active, \
             y.rat_held AS y_rat, y.quality AS y_quality, p.beneficiary_id AS p_id, \
             p.active AS p_active, p.rat_held AS p_rat \
             FROM beneficiaries b \
             LEFT JOIN cooperative_years y ON y.beneficiary_id = b.id AND y.year = $1 \
             AND y.verified_at IS NOT NULL \
             LEFT JOIN cooperative_years p ON p.beneficiary_id = b.id AND p.year = $2 \
             AND p.verified_at IS NOT NULL \
             WHERE b.kind = 'cooperative' AND (y.beneficiary_id IS NOT NULL OR p.beneficiary_id IS NOT NULL)\
             ) c WHERE {clause} GROUP BY c.region ORDER BY c.region",
            n("c.p_active", "active_prev"),
            n("c.y_active", "active"),
            n("c.y_id IS NOT NULL AND c.p_id IS NULL", "new"),
            n("c.p_rat", "rat_prev"),
            n("c.y_rat", "rat"),
            n("c.p_id IS NOT NULL AND NOT c.p_active", "inactive_prev"),
            n("c.y_id IS NOT NULL AND NOT c.y_active", "inactive"),
            n("c.y_active AND c.y_quality", "quality"),
            n("c.p_id IS NOT NULL", "records_prev"),
            n("c.y_id IS NOT NULL", "records"),
        );
        let mut values: Vec<Value> = vec![year.into(), (year - 1).into()];
        values.extend(scope_values);
        self.raw_in(scope, &sql, values)
            .await?
            .iter()
            .map(|r| IndicatorRow::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_ids_are_bound_never_written_into_the_sql() {
        let stages = [StageIds {
            workflow: "hibah".into(),
            version: 3,
            proposal: "ajukan'; --".into(),
            verified: "terverifikasi".into(),
            rejected: "ditolak".into(),
        }];
        let (sql, values) = progress_sql(DbBackend::Sqlite, &Scope::National, &stages);
        for id in ["hibah", "ajukan", "terverifikasi", "ditolak"] {
            assert!(!sql.contains(id), "{id} in {sql}");
        }
        assert!(
            sql.contains("CAST($4 AS TEXT), CAST($5 AS INTEGER)"),
            "{sql}"
        );
        assert_eq!(values.len(), 5);
        assert_eq!(values[1], Value::from(3_i32));
        let (sql, values) = progress_sql(DbBackend::Sqlite, &Scope::National, &[]);
        assert!(sql.contains("WHERE 1 = 0") && values.is_empty(), "{sql}");
    }
}
