//! Statements sent together. sqlx runs each SQLite connection on a thread
//! of its own, and every statement sent is a round trip to it: two thread
//! switches, which were most of a transition's CPU time (a profile of the
//! transitions bench: 62 % of it in the kernel, switching threads). A
//! string of statements is one round trip, its `?`s bound in order across
//! them.
//!
//! PostgreSQL's prepared statements take one statement each, and every
//! statement is a round trip over the socket (9 per transition, each
//! costing the server and the client a wake-up). There the writes of one
//! *step* (statements that neither touch the same rows nor read what
//! another writes) go as one statement, each a data-modifying `WITH` part;
//! steps go one after another.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};

use crate::StoreError;

/// Bind values a string of statements sent together may carry at most
/// (each statement alone stays under SQLite's 32,766).
const TOGETHER: usize = 2_000;

/// Bind values one PostgreSQL statement made of a step's parts carries at
/// most (PostgreSQL takes 65,535).
const WITH_VALUES: usize = 30_000;

/// Statements to send, each with whether the rows it writes are counted.
pub(crate) type Step = Vec<(Statement, bool)>;

/// Sends `steps` in order; returns the rows the database counted for the
/// statements marked `true`. The statements of one step must not touch a
/// row another of them touches nor depend on another's effect: on
/// PostgreSQL they run as one statement, all seeing the database as the
/// step began. On SQLite small ones go together, as one string, where a
/// counted statement answers `RETURNING 1`, a row for each row it wrote.
/// An error stops the sending where it failed, and the caller's
/// transaction rolls back.
pub(crate) async fn send_together(
    txn: &DatabaseTransaction,
    steps: Vec<Step>,
) -> Result<u64, StoreError> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let mut count = 0;
        for step in steps {
            count += send_step(txn, step).await?;
        }
        return Ok(count);
    }
    let mut count = 0;
    let (mut sql, mut values) = (String::new(), Vec::new());
    for (s, counted) in steps.into_iter().flatten() {
        let own = s.values.map(|v| v.0).unwrap_or_default();
        if !sql.is_empty() && values.len() + own.len() > TOGETHER {
            let part = Statement::from_sql_and_values(backend, std::mem::take(&mut sql), values);
            count += txn.query_all_raw(part).await?.len() as u64;
            values = Vec::new();
        }
        sql.push_str(&s.sql);
        sql.push_str(if counted { " RETURNING 1;\n" } else { ";\n" });
        values.extend(own);
    }
    if !sql.is_empty() {
        let part = Statement::from_sql_and_values(backend, sql, values);
        count += txn.query_all_raw(part).await?.len() as u64;
    }
    Ok(count)
}

/// One step on PostgreSQL: its statements as parts of one `WITH`, in
/// groups of at most [`WITH_VALUES`] bind values.
async fn send_step(txn: &DatabaseTransaction, step: Step) -> Result<u64, StoreError> {
    let (mut count, mut group, mut values) = (0, Vec::new(), 0);
    for (s, counted) in step {
        let own = s.values.as_ref().map_or(0, |v| v.0.len());
        if !group.is_empty() && values + own > WITH_VALUES {
            count += send_with(txn, std::mem::take(&mut group)).await?;
            values = 0;
        }
        values += own;
        group.push((s, counted));
    }
    if !group.is_empty() {
        count += send_with(txn, group).await?;
    }
    Ok(count)
}

/// Name of the column that counts a `WITH` statement's counted rows.
const COUNTED: &str = "counted";

/// `group` as one statement: `WITH w0 AS (…), w1 AS (…) SELECT` the rows of
/// the counted parts (each `RETURNING 1`), their `$n` numbered on.
async fn send_with(txn: &DatabaseTransaction, mut group: Step) -> Result<u64, StoreError> {
    let backend = txn.get_database_backend();
    if group.len() == 1 {
        let (s, counted) = group.remove(0);
        let n = txn.execute_raw(s).await?.rows_affected();
        return Ok(if counted { n } else { 0 });
    }
    let (mut parts, mut sums, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (s, counted)) in group.into_iter().enumerate() {
        let sql = numbered_from(&s.sql, values.len());
        let returning = if counted { " RETURNING 1" } else { "" };
        parts.push(format!("w{i} AS ({sql}{returning})"));
        if counted {
            sums.push(format!(" + (SELECT COUNT(*) FROM w{i})"));
        }
        values.extend(s.values.map(|v| v.0).unwrap_or_default());
    }
    let sql = format!(
        "WITH {} SELECT CAST(0 AS BIGINT){} AS {COUNTED}",
        parts.join(", "),
        sums.concat()
    );
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", COUNTED)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// `sql` with each placeholder `$n` outside quotes made `$(n + by)`.
fn numbered_from(sql: &str, by: usize) -> String {
    placeholders(sql, |n| n + by)
}

/// The first value of the `values` a statement carries that its text
/// (numbered `$n`) never names, if any. On PostgreSQL such a value still
/// declares a parameter: the same text sent once with it and once without
/// is two different statements to the server, which a connection keeping
/// its statements prepared by their text confuses.
pub(crate) fn unnamed_value(backend: DbBackend, sql: &str, values: usize) -> Option<usize> {
    let mut named = std::collections::BTreeSet::new();
    placeholders(sql, |n| {
        named.insert(n);
        n
    });
    // SQLite's statements built by sea-orm are numbered by `?`.
    if backend != DbBackend::Postgres && named.is_empty() {
        return None;
    }
    (1..=values).find(|n| !named.contains(n))
}

/// `sql` with each placeholder `$n` outside quotes renumbered by `to`.
fn placeholders(sql: &str, mut to: impl FnMut(usize) -> usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        out.push(c);
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                match digits.parse::<usize>() {
                    Ok(n) => out.push_str(&to(n).to_string()),
                    Err(_) => out.push_str(&digits),
                }
            }
            (None, _) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{numbered_from, unnamed_value};

    #[test]
    fn placeholders_are_numbered_on_and_quoted_text_is_left_alone() {
        let sql = r#"UPDATE "t" SET "a" = $1, "b$2" = '$3 it''s', "c" = $10 WHERE "d" = $2"#;
        assert_eq!(
            numbered_from(sql, 7),
            r#"UPDATE "t" SET "a" = $8, "b$2" = '$3 it''s', "c" = $17 WHERE "d" = $9"#
        );
        assert_eq!(numbered_from("SELECT $", 3), "SELECT $");
    }

    #[test]
    fn a_value_the_text_never_names_is_found() {
        use sea_orm::DatabaseBackend::{Postgres, Sqlite};
        let sql = "SELECT 1 WHERE a = $1 AND b = $3 AND c = '$2'";
        assert_eq!(unnamed_value(Postgres, sql, 3), Some(2));
        assert_eq!(unnamed_value(Postgres, "SELECT 1 WHERE FALSE", 16), Some(1));
        assert_eq!(unnamed_value(Postgres, "SELECT $2, $1", 2), None);
        // sea-orm's SQLite statements number by `?`.
        assert_eq!(unnamed_value(Sqlite, "SELECT ? WHERE ?", 2), None);
        assert_eq!(unnamed_value(Sqlite, "SELECT $1 WHERE FALSE", 2), Some(2));
    }
}
