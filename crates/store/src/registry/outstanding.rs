//! Who has not sent a yearly-data program's figures: per kabupaten/kota of
//! the program's province, the beneficiaries of the program's kind
//! registered there (cooperatives not dissolved, or UMKM), how many of them
//! have a case of the program that was sent
//! (an event of the program's proposal action), and how many were verified.
//! The reminder "12 kabupaten/kota have not sent their 2026 data" reads it.

use pantau_domain::access::Scope;
use sea_orm::{FromQueryResult, Value};

use crate::read::scope::scope_sql_on;
use crate::{Store, StoreError};

/// One kabupaten/kota's standing in a yearly-data program.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Outstanding {
    pub region: String,
    pub region_name: String,
    /// Beneficiaries of the program's kind registered there, not dissolved.
    pub registered: i64,
    /// Of them, those with a case of the program that was sent.
    pub sent: i64,
    /// Of them, those with a case of the program in its verified state.
    pub verified: i64,
}

impl Outstanding {
    /// Beneficiaries whose figures were never sent.
    pub fn missing(&self) -> i64 {
        self.registered - self.sent
    }
}

impl Store {
    /// Each kabupaten/kota of `program`'s province within `scope` with its
    /// beneficiaries of `kind` (the registry's), those sent (`proposal`: the
    /// program's proposal action) and those verified (`verified`: its
    /// verified state), by region code.
    pub async fn yearly_outstanding(
        &self,
        program: &str,
        kind: &str,
        (proposal, verified): (&str, &str),
        scope: &Scope,
    ) -> Result<Vec<Outstanding>, StoreError> {
        let (clause, scope_values) = scope_sql_on(self.db_backend(), scope, 5, "b.region_code");
        let sql = format!(
            "SELECT b.region_code AS region, r.name AS region_name, \
             CAST(COUNT(*) AS BIGINT) AS registered, \
             CAST(SUM(CASE WHEN s.beneficiary_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS sent, \
             CAST(SUM(CASE WHEN s.verified = 1 THEN 1 ELSE 0 END) AS BIGINT) AS verified \
             FROM beneficiaries b \
             JOIN regions r ON r.code = b.region_code \
             JOIN programs p ON p.id = $1 AND r.province_code = p.province_code \
             LEFT JOIN (\
               SELECT c.beneficiary_id, MAX(CASE WHEN c.state = $3 THEN 1 ELSE 0 END) AS verified \
               FROM cases c WHERE c.program_id = $1 AND EXISTS (\
                 SELECT 1 FROM events e WHERE e.case_id = c.id AND e.action = $2) \
               GROUP BY c.beneficiary_id\
             ) s ON s.beneficiary_id = b.id \
             WHERE b.kind = $4 AND NOT b.dissolved AND {clause} \
             GROUP BY b.region_code, r.name ORDER BY b.region_code"
        );
        let mut values: Vec<Value> = vec![
            program.into(),
            proposal.into(),
            verified.into(),
            kind.into(),
        ];
        values.extend(scope_values);
        self.raw_in(scope, &sql, values)
            .await?
            .iter()
            .map(|r| Outstanding::from_query_result(r, ""))
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}
