//! The row-level-security policy on `cases` (PostgreSQL), made again from
//! the one SQL rendering of the region rule (`read::scope::region_wall`),
//! so the policy, the queries' filters and `domain::access` say the same.
//! The policy `m20261124_000004_region_wall` created matched prefixes with
//! `starts_with`; this one is the same rule in the filters' own words.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::read::scope::region_wall;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "CREATE POLICY cases_region_wall ON cases USING (\
      COALESCE(current_setting('pantau.region', true), '') = '' \
      OR region = current_setting('pantau.region', true) \
      OR starts_with(region, current_setting('pantau.region', true) || '.'))";

async fn replace(m: &SchemaManager<'_>, create: &str) -> Result<(), DbErr> {
    if m.get_database_backend() == DbBackend::Postgres {
        let sql = format!("DROP POLICY IF EXISTS cases_region_wall ON cases; {create}");
        m.get_connection().execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let create = format!(
            "CREATE POLICY cases_region_wall ON cases USING ({})",
            region_wall()
        );
        replace(m, &create).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace(m, OLD).await
    }
}
