//! Several instances starting at once on one fresh PostgreSQL database
//! migrate one after another (an advisory lock around the migrations):
//! every one opens, and the schema is whole, each migration applied once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pantau_store::schema::migration::Migrator;
use pantau_store::{Settings, Store};
use sea_orm_migration::MigratorTrait;

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/sql.rs"]
mod sql;

const INSTANCES: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_at_once_on_postgresql_migrate_in_turn() {
    for t in db::test_databases().await {
        if t.name != "postgres" {
            continue;
        }
        for round in 0..3 {
            let url = if round == 0 {
                t.url.clone()
            } else {
                db::fresh_postgres().await.unwrap()
            };
            let opening: Vec<_> = (0..INSTANCES)
                .map(|_| {
                    let settings = Settings::new(url.clone());
                    tokio::spawn(async move { Store::open(&settings).await })
                })
                .collect();
            let mut stores = Vec::new();
            for o in opening {
                stores.push(
                    o.await
                        .unwrap()
                        .unwrap_or_else(|e| panic!("round {round}: {e}")),
                );
            }
            let store = &stores[0];
            let applied = sql::count(store, "SELECT COUNT(*) FROM seaql_migrations").await;
            let distinct = sql::count(
                store,
                "SELECT COUNT(DISTINCT version) FROM seaql_migrations",
            )
            .await;
            let known = Migrator::migrations().len() as i64;
            assert_eq!((applied, distinct), (known, known), "round {round}");
            assert!(
                Migrator::get_pending_migrations(store.connection())
                    .await
                    .unwrap()
                    .is_empty()
            );
            let regions = pantau_registry::regions::Regions::embedded().unwrap();
            assert_eq!(
                sql::count(store, "SELECT COUNT(*) FROM regions").await,
                regions.iter().count() as i64,
                "round {round}"
            );
            // Every instance works on the one schema.
            for s in &stores {
                assert!(s.verify().await.unwrap().is_ok());
            }
        }
    }
}

/// An office's SQLite file has the statistics its planner picks indexes by
/// (`sqlite_stat1`) without anyone running `ANALYZE`: made when it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_is_measured_when_it_opens() {
    let (_dir, url) = db::fresh_sqlite();
    let store = Store::open(&Settings::new(url)).await.unwrap();
    let measured = sql::count(
        &store,
        "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'regions'",
    )
    .await;
    assert!(measured > 0, "the regions, seeded on opening, are measured");
}
