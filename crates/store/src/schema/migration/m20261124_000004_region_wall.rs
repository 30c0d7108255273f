//! A second wall behind the region check, on PostgreSQL: row-level security
//! on `cases`. A transaction that sets `pantau.region` (as
//! [`crate::Store`]'s scoped reads do, with `set_config(…, true)`) sees only
//! that region's cases, a province's kabupaten/kota included, whatever its
//! own `WHERE` says. A transaction that sets nothing (writes, the CLI, the
//! reminder sweep) sees every case. `FORCE` makes the policy bind the
//! tables' owner too; a superuser still bypasses it, so Pantau should run as
//! an ordinary role that owns its database (the tests do). SQLite has no
//! row-level security: there the query's own clause is the only wall.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "ALTER TABLE cases ENABLE ROW LEVEL SECURITY; \
    ALTER TABLE cases FORCE ROW LEVEL SECURITY; \
    CREATE POLICY cases_region_wall ON cases USING (\
      COALESCE(current_setting('pantau.region', true), '') = '' \
      OR region = current_setting('pantau.region', true) \
      OR starts_with(region, current_setting('pantau.region', true) || '.'))";

const DOWN: &str = "DROP POLICY IF EXISTS cases_region_wall ON cases; \
    ALTER TABLE cases NO FORCE ROW LEVEL SECURITY; \
    ALTER TABLE cases DISABLE ROW LEVEL SECURITY";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
