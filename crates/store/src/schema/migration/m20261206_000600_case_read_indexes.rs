//! A region's sums and counts, and a page of a case list, answered from
//! indexes alone. A case row carries its snapshot (about 1.3 KB), so
//! reading rows to sum a province's cases, or to sort them for a page, read
//! most of the table's pages at a million cases (`cargo bench --bench
//! national`'s data):
//!
//! - `idx_cases_region_state`: a case's columns but its snapshot, hash and
//!   sequence, from the region: a region's sums by program and state, its
//!   counts and lists whatever they filter on (workflow, officer, money,
//!   beneficiary, time in stage), a kabupaten/kota's page of one state in
//!   order of change, and the reports' and dashboard's figures per case,
//!   all without reading a row. It replaces `idx_cases_region (region)`,
//!   its prefix.
//! - `idx_cases_state_changed (state, updated_at, id, region)`: a page of one
//!   state in order of change, walked from the newest, for the Ministry and
//!   (its region read from the index) for a province; and their counts.
//! - `idx_events_case_moves (case_id, to_state, action, from_state, at)`: a
//!   case's moves without its events' bodies: the progress report's "was it
//!   proposed, was it verified" and the case list's time in stage, asked of
//!   every case in scope (an event row carries its body, about 0.6 KB).

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX idx_cases_region_state ON cases (region, state, updated_at, id, \
             program_id, approved_amount, disbursed_amount, workflow, workflow_version, officer, \
             beneficiary_id, opened_at)",
            "CREATE INDEX idx_cases_state_changed ON cases (state, updated_at, id, region)",
            "CREATE INDEX idx_events_case_moves ON events \
             (case_id, to_state, action, from_state, at)",
            "DROP INDEX idx_cases_region",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX idx_cases_region ON cases (region)",
            "DROP INDEX idx_events_case_moves",
            "DROP INDEX idx_cases_state_changed",
            "DROP INDEX idx_cases_region_state",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
