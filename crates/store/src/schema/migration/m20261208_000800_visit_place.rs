//! Each visit carries its case's region and program (`visits.region`,
//! `visits.program_id`, copied by triggers, whoever writes), so the
//! dashboard's visits due and overdue read a scope's open visits from one
//! index, `(region, program_id, case_id, due_at) WHERE done_at IS NULL`,
//! without reading their cases: at a million cases every open visit in the
//! country was read and its case probed, for a province too (130 ms for
//! Jawa Timur, 190 ms for the Ministry).
//!
//! - A visit written (or its place edited by hand) takes its case's place.
//! - A case whose region or program changes moves its visits with it.
//!
//! A later migration that rebuilds `cases` or `visits` on SQLite must
//! create these triggers again.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The case's `col`, for the visit `NEW`.
fn of_case(col: &str) -> String {
    format!("(SELECT {col} FROM cases WHERE id = NEW.case_id)")
}

/// The visit `NEW`'s place differs from its case's (`distinct` is SQL's
/// "differs, NULL included").
fn misplaced(distinct: &str) -> String {
    format!(
        "NEW.region {distinct} {} OR NEW.program_id {distinct} {}",
        of_case("region"),
        of_case("program_id")
    )
}

/// A change of the case `NEW`'s place.
fn moved(distinct: &str) -> String {
    format!("OLD.region {distinct} NEW.region OR OLD.program_id {distinct} NEW.program_id")
}

const MOVE_VISITS: &str =
    "UPDATE visits SET region = NEW.region, program_id = NEW.program_id WHERE case_id = NEW.id;";

fn sqlite_triggers() -> Vec<String> {
    let place = format!(
        "UPDATE visits SET region = {}, program_id = {} \
         WHERE case_id = NEW.case_id AND no = NEW.no;",
        of_case("region"),
        of_case("program_id")
    );
    vec![
        format!(
            "CREATE TRIGGER visits_place_insert AFTER INSERT ON visits WHEN {} \
             BEGIN {place} END",
            misplaced("IS NOT")
        ),
        format!(
            "CREATE TRIGGER visits_place_update AFTER UPDATE OF case_id, region, program_id \
             ON visits WHEN {} BEGIN {place} END",
            misplaced("IS NOT")
        ),
        format!(
            "CREATE TRIGGER cases_place_visits AFTER UPDATE OF region, program_id ON cases \
             WHEN {} BEGIN {MOVE_VISITS} END",
            moved("IS NOT")
        ),
    ]
}

fn postgres_triggers() -> Vec<String> {
    vec![
        "CREATE FUNCTION visit_place() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         SELECT region, program_id INTO NEW.region, NEW.program_id \
         FROM cases WHERE id = NEW.case_id; RETURN NEW; END $$"
            .into(),
        "CREATE TRIGGER visits_place BEFORE INSERT OR UPDATE OF case_id, region, program_id \
         ON visits FOR EACH ROW EXECUTE FUNCTION visit_place()"
            .into(),
        format!(
            "CREATE FUNCTION case_visits_place() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             {MOVE_VISITS} RETURN NULL; END $$"
        ),
        format!(
            "CREATE TRIGGER cases_place_visits AFTER UPDATE OF region, program_id ON cases \
             FOR EACH ROW WHEN ({}) EXECUTE FUNCTION case_visits_place()",
            moved("IS DISTINCT FROM")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The visits are placed and the triggers made in one transaction, so
    /// no write falls between them.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let mut all = vec![
            "ALTER TABLE visits ADD COLUMN region TEXT".to_string(),
            "ALTER TABLE visits ADD COLUMN program_id TEXT".into(),
        ];
        all.extend(match backend {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        });
        all.push(match backend {
            DbBackend::Postgres => "UPDATE visits v SET region = c.region, \
                 program_id = c.program_id FROM cases c WHERE c.id = v.case_id"
                .into(),
            _ => "UPDATE visits SET region = c.region, program_id = c.program_id \
                 FROM cases c WHERE c.id = visits.case_id"
                .into(),
        });
        all.push(
            "CREATE INDEX idx_visits_open_place ON visits (region, program_id, case_id, due_at) \
             WHERE done_at IS NULL"
                .into(),
        );
        for sql in all {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let mut all = match m.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TRIGGER cases_place_visits ON cases",
                "DROP FUNCTION case_visits_place()",
                "DROP TRIGGER visits_place ON visits",
                "DROP FUNCTION visit_place()",
            ],
            _ => vec![
                "DROP TRIGGER cases_place_visits",
                "DROP TRIGGER visits_place_update",
                "DROP TRIGGER visits_place_insert",
            ],
        };
        all.extend([
            "DROP INDEX idx_visits_open_place",
            "ALTER TABLE visits DROP COLUMN program_id",
            "ALTER TABLE visits DROP COLUMN region",
        ]);
        for sql in all {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
