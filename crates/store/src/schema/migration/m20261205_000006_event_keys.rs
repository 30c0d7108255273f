//! An idempotency key is found through its event: a unique index on
//! `events (idem_key)` replaces the `requests` table, which held the same
//! pairs (key → case, seq) a second time. Every event carries the key of
//! the command that made it, and every key was recorded with exactly one
//! event, so the index holds where the table did; a transition now writes
//! one row less, and a key reused at once by two writers still loses the
//! race on a unique index.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("CREATE UNIQUE INDEX idx_events_idem_key ON events (idem_key)")
            .await?;
        db.execute_unprepared("DROP TABLE requests").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE requests (key VARCHAR NOT NULL PRIMARY KEY, \
             case_id VARCHAR NOT NULL REFERENCES cases (id), seq BIGINT NOT NULL, \
             created_at TIMESTAMP WITH TIME ZONE NOT NULL)",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO requests (key, case_id, seq, created_at) \
             SELECT idem_key, case_id, seq, at FROM events",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_events_idem_key")
            .await?;
        Ok(())
    }
}
