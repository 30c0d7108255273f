//! The running totals by state first (`case_totals (state, n_cases)`): a
//! national case list's count in one state read every total row of the
//! country (36,000 at a million cases, 2 to 3 ms a request, more than the
//! page itself); now those of its state.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_case_totals_state ON case_totals (state, n_cases)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_case_totals_state")
            .await?;
        Ok(())
    }
}
