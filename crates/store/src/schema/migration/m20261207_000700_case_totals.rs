//! Running totals of the cases per region, program and state: how many,
//! their rupiah approved and disbursed, and how many have had a monev visit
//! done (`cases.visited`, new here: set by a trigger on `visits` when one of
//! the case's visits is done, whoever writes it). The dashboard's sums and a case
//! list's count (when it filters on nothing else) read these few rows
//! instead of every case in scope (at a million cases the Ministry's sums
//! read a million index entries, about a second, on every request).
//!
//! Triggers on `cases` keep them, so every writer (transitions, decrees,
//! imports, the yearly data, a hand-made `UPDATE`) counts, in the writer's
//! own transaction: a rolled-back write leaves no trace. A case without a
//! region or program counts under `''`.
//!
//! - SQLite has one writer at a time: its triggers add to `case_totals`
//!   directly.
//! - PostgreSQL has many: adding to the same row would make every
//!   transition of a program and region wait for the one before it to
//!   commit (and two moves in opposite directions deadlock). Its trigger
//!   appends the move to `case_total_moves` instead (no row is shared);
//!   a reader sums both, and folds the moves into `case_totals` now and
//!   then ([`crate::Store::fold_case_moves`]).
//!
//! A later migration that rebuilds `cases` on SQLite (new table, copy, drop)
//! drops these triggers with the old table and must create them again.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns a total row and a move row share.
const COLUMNS: &str = "region, program_id, state, n_cases, approved, disbursed, n_visited";

/// `row`'s key and figures (`OLD` or `NEW`), negated when `sign` is `-`.
fn figures(row: &str, sign: &str) -> String {
    format!(
        "COALESCE({row}.region, ''), COALESCE({row}.program_id, ''), {row}.state, {sign}1, \
         {sign}COALESCE({row}.approved_amount, 0), {sign}{row}.disbursed_amount, \
         {sign}{row}.visited"
    )
}

/// SQLite: adds `row`'s figures to its total.
fn sqlite_add(row: &str, sign: &str) -> String {
    format!(
        "INSERT INTO case_totals ({COLUMNS}) VALUES ({}) \
         ON CONFLICT (region, program_id, state) DO UPDATE SET \
         n_cases = n_cases + excluded.n_cases, approved = approved + excluded.approved, \
         disbursed = disbursed + excluded.disbursed, n_visited = n_visited + excluded.n_visited;",
        figures(row, sign)
    )
}

/// A change of any column a total depends on (`distinct` is SQL's "differs,
/// NULL included": `IS NOT` on SQLite, `IS DISTINCT FROM` on PostgreSQL).
fn changed(distinct: &str) -> String {
    WATCHED
        .iter()
        .map(|c| format!("OLD.{c} {distinct} NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

const WATCHED: [&str; 6] = [
    "region",
    "program_id",
    "state",
    "approved_amount",
    "disbursed_amount",
    "visited",
];

/// Marks the visit's case visited (`NEW` is the visit).
const VISITED: &str = "UPDATE cases SET visited = 1 WHERE id = NEW.case_id AND visited = 0;";

fn sqlite_triggers() -> Vec<String> {
    vec![
        format!(
            "CREATE TRIGGER case_totals_insert AFTER INSERT ON cases BEGIN {} END",
            sqlite_add("NEW", "")
        ),
        format!(
            "CREATE TRIGGER case_totals_update AFTER UPDATE OF {} ON cases WHEN {} \
             BEGIN {} {} END",
            WATCHED.join(", "),
            changed("IS NOT"),
            sqlite_add("OLD", "-"),
            sqlite_add("NEW", "")
        ),
        format!(
            "CREATE TRIGGER case_totals_delete AFTER DELETE ON cases BEGIN {} END",
            sqlite_add("OLD", "-")
        ),
        format!(
            "CREATE TRIGGER visits_done_insert AFTER INSERT ON visits \
             WHEN NEW.done_at IS NOT NULL BEGIN {VISITED} END"
        ),
        format!(
            "CREATE TRIGGER visits_done_update AFTER UPDATE OF done_at ON visits \
             WHEN NEW.done_at IS NOT NULL BEGIN {VISITED} END"
        ),
    ]
}

fn postgres_triggers() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION case_totals_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP IN ('UPDATE', 'DELETE') THEN \
             INSERT INTO case_total_moves ({COLUMNS}) VALUES ({}); END IF; \
             IF TG_OP IN ('UPDATE', 'INSERT') THEN \
             INSERT INTO case_total_moves ({COLUMNS}) VALUES ({}); END IF; \
             RETURN NULL; END $$",
            figures("OLD", "-"),
            figures("NEW", "")
        ),
        "CREATE TRIGGER case_totals_insert AFTER INSERT OR DELETE ON cases \
         FOR EACH ROW EXECUTE FUNCTION case_totals_move()"
            .into(),
        format!(
            "CREATE TRIGGER case_totals_update AFTER UPDATE OF {} ON cases \
             FOR EACH ROW WHEN ({}) EXECUTE FUNCTION case_totals_move()",
            WATCHED.join(", "),
            changed("IS DISTINCT FROM")
        ),
        format!(
            "CREATE FUNCTION case_visited() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             {VISITED} RETURN NULL; END $$"
        ),
        "CREATE TRIGGER visits_done AFTER INSERT OR UPDATE OF done_at ON visits \
         FOR EACH ROW WHEN (NEW.done_at IS NOT NULL) EXECUTE FUNCTION case_visited()"
            .into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The totals are counted and the triggers made in one transaction, so
    /// no write falls between them.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let table = |name: &str, key: &str, tail: &str| {
            format!(
                "CREATE TABLE {name} (region TEXT NOT NULL, program_id TEXT NOT NULL, \
                 state TEXT NOT NULL, n_cases BIGINT NOT NULL, approved BIGINT NOT NULL, \
                 disbursed BIGINT NOT NULL, n_visited BIGINT NOT NULL{key}){tail}"
            )
        };
        let rowid = if backend == DbBackend::Sqlite {
            " WITHOUT ROWID"
        } else {
            ""
        };
        let mut all = vec![
            "ALTER TABLE cases ADD COLUMN visited INTEGER NOT NULL DEFAULT 0".to_string(),
            "UPDATE cases SET visited = 1 WHERE id IN \
             (SELECT case_id FROM visits WHERE done_at IS NOT NULL)"
                .into(),
            table(
                "case_totals",
                ", PRIMARY KEY (region, program_id, state)",
                rowid,
            ),
            table("case_total_moves", "", ""),
        ];
        all.extend(match backend {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        });
        // The dashboard's due and overdue: a case's open visits, then its
        // program and region without reading its row (81,000 open visits at
        // a million cases: 0.6 s through the rows).
        all.push(
            "CREATE INDEX idx_visits_open_case ON visits (case_id, due_at) \
             WHERE done_at IS NULL"
                .into(),
        );
        all.push("CREATE INDEX idx_cases_place ON cases (id, program_id, region)".into());
        all.push(format!(
            "INSERT INTO case_totals ({COLUMNS}) SELECT COALESCE(region, ''), \
             COALESCE(program_id, ''), state, COUNT(*), COALESCE(SUM(approved_amount), 0), \
             COALESCE(SUM(disbursed_amount), 0), SUM(visited) FROM cases \
             GROUP BY COALESCE(region, ''), COALESCE(program_id, ''), state"
        ));
        for sql in all {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let mut all = match m.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TRIGGER visits_done ON visits",
                "DROP FUNCTION case_visited()",
                "DROP TRIGGER case_totals_insert ON cases",
                "DROP TRIGGER case_totals_update ON cases",
                "DROP FUNCTION case_totals_move()",
            ],
            _ => vec![
                "DROP TRIGGER visits_done_insert",
                "DROP TRIGGER visits_done_update",
                "DROP TRIGGER case_totals_insert",
                "DROP TRIGGER case_totals_update",
                "DROP TRIGGER case_totals_delete",
            ],
        };
        all.extend([
            "DROP INDEX idx_visits_open_case",
            "DROP INDEX idx_cases_place",
            "DROP TABLE case_total_moves",
            "DROP TABLE case_totals",
            "ALTER TABLE cases DROP COLUMN visited",
        ]);
        for sql in all {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
