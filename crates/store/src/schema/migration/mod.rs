//! Schema migrations, run on every start and by `pantau db migrate`.

use sea_orm_migration::prelude::*;

mod m20261123_000001_schema;
mod m20261123_000002_server;
mod m20261123_000003_reports;
mod m20261124_000004_region_wall;
mod m20261124_000005_evidence;
mod m20261205_000006_event_keys;
mod m20261205_000007_decree_scans;
mod m20261205_000008_beneficiary_key;
mod m20261206_000101_session_limits;
mod m20261206_000102_location_source;
mod m20261206_000103_region_rule;
mod m20261206_000130_program_changes;
mod m20261206_000261_accounts;
mod m20261206_000300_registry_corrections;
mod m20261206_000320_yearly_records;
mod m20261206_000420_beneficiary_desa;
mod m20261206_000430_duplicates;
mod m20261206_000440_umkm_years;
mod m20261206_000500_payments;
mod m20261206_000600_case_read_indexes;
mod m20261207_000700_case_totals;
mod m20261208_000800_visit_place;
mod m20261208_000900_case_totals_state;

/// Migrations that rebuild a table on SQLite (a new table, the rows copied
/// over, the old one dropped): a database that has data is backed up before
/// one of them runs (`pantau.db.before-NAME.bak`). Add every such migration.
pub const REBUILDS_TABLE: &[&str] = &["m20261205_000008_beneficiary_key"];

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_schema::Migration),
            Box::new(m20261123_000002_server::Migration),
            Box::new(m20261123_000003_reports::Migration),
            Box::new(m20261124_000004_region_wall::Migration),
            Box::new(m20261124_000005_evidence::Migration),
            Box::new(m20261205_000006_event_keys::Migration),
            Box::new(m20261205_000007_decree_scans::Migration),
            Box::new(m20261205_000008_beneficiary_key::Migration),
            Box::new(m20261206_000101_session_limits::Migration),
            Box::new(m20261206_000102_location_source::Migration),
            Box::new(m20261206_000103_region_rule::Migration),
            Box::new(m20261206_000130_program_changes::Migration),
            Box::new(m20261206_000261_accounts::Migration),
            Box::new(m20261206_000300_registry_corrections::Migration),
            Box::new(m20261206_000320_yearly_records::Migration),
            Box::new(m20261206_000420_beneficiary_desa::Migration),
            Box::new(m20261206_000430_duplicates::Migration),
            Box::new(m20261206_000440_umkm_years::Migration),
            Box::new(m20261206_000500_payments::Migration),
            Box::new(m20261206_000600_case_read_indexes::Migration),
            Box::new(m20261207_000700_case_totals::Migration),
            Box::new(m20261208_000800_visit_place::Migration),
            Box::new(m20261208_000900_case_totals_state::Migration),
        ]
    }
}
