//! Small SQL helpers the store's tests and benchmarks share (included with
//! `#[path]`; not every includer uses both).
#![allow(dead_code)]

use pantau_store::Store;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// `?` placeholders as the backend wants them (`$1`, `$2` … on PostgreSQL).
pub fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() * 2);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The one number `sql` answers (a `COUNT(*)`, a sum).
pub async fn count(store: &Store, sql: &str) -> i64 {
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(store.backend(), sql.to_string()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}
