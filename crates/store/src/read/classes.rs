//! UMKM that moved up a class ("naik kelas"): per kabupaten/kota, the
//! businesses with a verified record of the year and of the year before,
//! and how many of them are of a larger scale (micro → small → medium), the
//! same, or smaller. Verified records only, like the cooperative indicators.

use pantau_domain::access::Scope;
use sea_orm::{FromQueryResult, Value};

use crate::read::browse::scope_sql;
use crate::{Store, StoreError};

/// One kabupaten/kota's UMKM, a year against the year before.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct ClassRow {
    pub region: String,
    /// With a verified scale in both years.
    pub compared: i64,
    pub moved_up: i64,
    pub moved_down: i64,
}

/// A scale's rank in SQL, for comparing two years' records.
fn rank(col: &str) -> String {
    format!("(CASE {col} WHEN 'micro' THEN 1 WHEN 'small' THEN 2 WHEN 'medium' THEN 3 END)")
}

impl Store {
    /// Each kabupaten/kota in `scope` with UMKM verified in `year` and the
    /// year before, by region code.
    pub async fn umkm_classes(
        &self,
        year: i32,
        scope: &Scope,
    ) -> Result<Vec<ClassRow>, StoreError> {
        let (clause, scope_values) = scope_sql(self.db_backend(), scope, 3);
        let (now, before) = (rank("y.scale"), rank("p.scale"));
        let sql = format!(
            "SELECT c.region, CAST(COUNT(*) AS BIGINT) AS compared, \
             CAST(SUM(CASE WHEN c.s_now > c.s_before THEN 1 ELSE 0 END) AS BIGINT) AS moved_up, \
             CAST(SUM(CASE WHEN c.s_now < c.s_before THEN 1 ELSE 0 END) AS BIGINT) AS moved_down \
             FROM (SELECT b.region_code AS region, {now} AS s_now, {before} AS s_before \
             FROM beneficiaries b \
             JOIN cooperative_years y ON y.beneficiary_id = b.id AND y.year = $1 \
             AND y.verified_at IS NOT NULL AND y.scale IS NOT NULL \
             JOIN cooperative_years p ON p.beneficiary_id = b.id AND p.year = $2 \
             AND p.verified_at IS NOT NULL AND p.scale IS NOT NULL \
             WHERE b.kind = 'umkm') c WHERE {clause} GROUP BY c.region ORDER BY c.region"
        );
        let mut values: Vec<Value> = vec![year.into(), (year - 1).into()];
        values.extend(scope_values);
        self.raw_in(scope, &sql, values)
            .await?
            .iter()
            .map(|r| ClassRow::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}
