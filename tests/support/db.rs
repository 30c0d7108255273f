//! Fresh databases for tests, shared by the store suite and the end-to-end
//! tests (included with `#[path]`): a SQLite file in a temporary folder, and
//! a new PostgreSQL database on the test server when one answers
//! (`PANTAU_TEST_POSTGRES_URL`, default the machine's own at 127.0.0.1:5432).
//! Under `PANTAU_REQUIRE_ALL=1` a missing PostgreSQL is a failure.

use sea_orm::ConnectionTrait;

/// A database to test on: its URL, and the folder to keep alive for SQLite.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite file, and a fresh PostgreSQL database when the server answers.
pub async fn test_databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("pantau.db").display()
    );
    let mut out = vec![TestDb {
        name: "sqlite",
        url,
        _dir: Some(dir),
    }];
    match fresh_postgres().await {
        Ok(url) => out.push(TestDb {
            name: "postgres",
            url,
            _dir: None,
        }),
        Err(why) => {
            if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required (PANTAU_REQUIRE_ALL=1) but: {why}");
            }
            eprintln!("SKIPPED on PostgreSQL: {why}");
        }
    }
    out
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres() -> Result<String, String> {
    let admin = std::env::var("PANTAU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = sea_orm::Database::connect(admin.as_str())
        .await
        .map_err(|e| format!("cannot reach the test PostgreSQL: {e}"))?;
    let name = format!("pantau_test_{}", uuid::Uuid::new_v4().simple());
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| e.to_string())?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Ok(format!("{base}/{name}"))
}
