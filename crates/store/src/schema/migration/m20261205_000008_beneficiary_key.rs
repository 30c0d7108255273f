//! A beneficiary is unique by its id alone: the id is the UUIDv5 of its
//! natural key (`import::beneficiary_id`, the only way beneficiaries are
//! written), so the unique index on `natural_key` said the same thing a
//! second time, and cost every import a random insert into a second large
//! index (a fifth of a million-row import's time). The column stays.
//!
//! PostgreSQL drops the constraint. SQLite cannot drop a column's UNIQUE,
//! so the table is rebuilt without it, as SQLite's documentation says to
//! change a table: on one connection with foreign keys off (the rows of
//! `cooperative_years` point at beneficiaries), in one transaction, checked
//! with `foreign_key_check` before it commits.

use sea_orm::{ConnectionTrait, DatabaseExecutor, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How the original migration wrote the column.
const UNIQUE: &str = "\"natural_key\" varchar NOT NULL UNIQUE";
const PLAIN: &str = "\"natural_key\" varchar NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DbBackend::Postgres => {
                m.get_connection()
                    .execute_unprepared(
                        "ALTER TABLE beneficiaries DROP CONSTRAINT IF EXISTS beneficiaries_natural_key_key",
                    )
                    .await?;
                Ok(())
            }
            DbBackend::Sqlite => rebuild_sqlite(m.get_connection()).await,
            _ => Ok(()),
        }
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

fn err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Migration(e.to_string())
}

async fn rebuild_sqlite(db: &DatabaseExecutor<'_>) -> Result<(), DbErr> {
    let DatabaseExecutor::Connection(db) = db else {
        return Err(DbErr::Migration(
            "rebuilding beneficiaries needs the connection pool, not a transaction".into(),
        ));
    };
    use sea_orm::sqlx::{self, Row};
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(err)?;
    // The pragmas below are this connection's: it is not handed back.
    conn.close_on_drop();
    let sql: String = sqlx::query(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'beneficiaries'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(err)?
    .try_get(0)
    .map_err(err)?;
    if !sql.contains(UNIQUE) {
        return Ok(());
    }
    let new =
        sql.replacen(UNIQUE, PLAIN, 1)
            .replacen("\"beneficiaries\"", "\"beneficiaries_new\"", 1);
    let steps = [
        "PRAGMA foreign_keys = OFF".to_string(),
        "BEGIN IMMEDIATE".into(),
        new,
        "INSERT INTO beneficiaries_new SELECT * FROM beneficiaries".into(),
        "DROP TABLE beneficiaries".into(),
        "ALTER TABLE beneficiaries_new RENAME TO beneficiaries".into(),
        "CREATE INDEX idx_beneficiaries_region_kind ON beneficiaries (region_code, kind)".into(),
    ];
    for step in steps {
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(step))
            .execute(&mut *conn)
            .await
        {
            sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.ok();
            return Err(err(e));
        }
    }
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(err)?;
    let end = if broken.is_empty() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    sqlx::raw_sql(end).execute(&mut *conn).await.map_err(err)?;
    if !broken.is_empty() {
        return Err(DbErr::Migration(format!(
            "rebuilding beneficiaries would break {} foreign key(s); nothing changed",
            broken.len()
        )));
    }
    Ok(())
}
