//! The region rule in SQL, written once.
//!
//! [`covers`] says in SQL what `RegionCode::covers` (behind
//! `domain::access::Scope::covers`) says in Rust, term for term: a record's
//! region is the reader's own, or the reader's is a province and the
//! record's code starts with the province's and the separator. Every
//! scoped filter is that one expression: [`in_scope`] for sea-query,
//! [`scope_sql`] for hand-written SQL, and the PostgreSQL row-level-security
//! policy on `cases` (`migration::m20261206_000103_region_rule`).
//! `tests/region_rule.rs` checks all three against `Scope::covers` on every
//! pair of the shipped regions, on SQLite and PostgreSQL.
//!
//! A province's kabupaten/kota are found with `SUBSTR`, not `LIKE $n`:
//! SQLite prepares a statement again every time a bound LIKE pattern is
//! bound (the pattern might allow an index), which cost more than the rest
//! of a case list.

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use sea_orm::sea_query::Expr;
use sea_orm::{Condition, DbBackend, Value};

/// Whether the region `mine` covers the region `other`, both SQL
/// expressions of type text.
pub(crate) fn covers(mine: &str, other: &str) -> String {
    let len = RegionCode::PROVINCE_LEN;
    let sep = RegionCode::SEPARATOR;
    format!(
        "({other} = {mine} OR (LENGTH({mine}) = {len} AND SUBSTR({other}, 1, {next}) = {mine} || '{sep}'))",
        next = len + 1
    )
}

/// The rows whose region column `col` is visible in `scope`: a condition
/// that every further filter narrows (`.add` on it is AND).
///
/// sea-query reads the placeholders of a custom expression in the style of
/// the backend it builds for (`$1` once for PostgreSQL, `?` each time for
/// SQLite), so the backend is asked for.
pub(crate) fn in_scope(backend: DbBackend, col: &str, scope: &Scope) -> Condition {
    let Some(r) = scope.region() else {
        return Condition::all();
    };
    let mine = Value::from(r.as_str());
    let expr = match backend {
        DbBackend::Postgres => Expr::cust_with_values(within(backend, r, "$1", col), [mine]),
        _ => {
            let sql = within(backend, r, "?", col);
            let values = vec![mine; sql.matches('?').count()];
            Expr::cust_with_values(sql, values)
        }
    };
    Condition::all().add(expr)
}

/// [`covers`] for a region known here, as an index can serve it: a
/// kabupaten/kota's own code by equality; a province's, on SQLite, its
/// code or the range of codes after its code and the separator (SQLite
/// compares text byte by byte, so `'35.' < code < '35/'` is exactly the
/// codes starting `35.`; `SUBSTR` read every case of the country, 1.6 s
/// for a province's list count at a million cases, against 0.36 s).
/// PostgreSQL's text order follows the database's collation, where
/// punctuation may not count, so there the province keeps `covers`.
pub(crate) fn within(backend: DbBackend, region: &RegionCode, mine: &str, col: &str) -> String {
    let sep = RegionCode::SEPARATOR;
    let after = char::from(RegionCode::SEPARATOR as u8 + 1);
    match (region.is_province(), backend) {
        (false, _) => format!("{col} = {mine}"),
        (true, DbBackend::Sqlite) => format!(
            "({col} = {mine} OR ({col} > {mine} || '{sep}' AND {col} < {mine} || '{after}'))"
        ),
        (true, _) => covers(mine, col),
    }
}

/// The same as [`in_scope`] as SQL text on `c.region`, its value numbered
/// `$first`.
pub(crate) fn scope_sql(backend: DbBackend, scope: &Scope, first: usize) -> (String, Vec<Value>) {
    scope_sql_on(backend, scope, first, "c.region")
}

/// [`scope_sql`] on the region column `col`.
pub(crate) fn scope_sql_on(
    backend: DbBackend,
    scope: &Scope,
    first: usize,
    col: &str,
) -> (String, Vec<Value>) {
    match scope.region() {
        None => ("TRUE".into(), vec![]),
        Some(r) => (
            within(backend, r, &format!("${first}"), col),
            vec![r.as_str().into()],
        ),
    }
}

/// The row-level-security policy on `cases`: a transaction that sets
/// `pantau.region` sees the cases that region covers; one that sets
/// nothing sees all.
pub(crate) fn region_wall() -> String {
    let setting = "current_setting('pantau.region', true)";
    format!(
        "COALESCE({setting}, '') = '' OR {}",
        covers(setting, "region")
    )
}
