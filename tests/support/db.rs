//! Fresh databases for tests and benchmarks, shared by the store suite, the
//! end-to-end tests and the benchmarks (included with `#[path]`): a SQLite
//! file in a temporary folder, and a new PostgreSQL database on the test
//! server when one answers (`PANTAU_TEST_POSTGRES_URL`, default the
//! machine's own at 127.0.0.1:5432). Under `PANTAU_REQUIRE_ALL=1` a missing
//! PostgreSQL is a failure.

use std::time::Duration;

use sea_orm::ConnectionTrait;

/// A database to test on: its URL, and the folder to keep alive for SQLite.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite file, and a fresh PostgreSQL database when the server answers.
pub async fn test_databases() -> Vec<TestDb> {
    let (dir, url) = fresh_sqlite();
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

/// A temporary folder (the file lives as long as it does) and the URL of a
/// new SQLite file `pantau.db` in it.
pub fn fresh_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("pantau.db").display()
    );
    (dir, url)
}

/// The test server's administrative URL.
fn postgres_admin() -> String {
    std::env::var("PANTAU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres() -> Result<String, String> {
    let admin = postgres_admin();
    let mut opts = sea_orm::ConnectOptions::new(admin.as_str());
    opts.connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let db = sea_orm::Database::connect(opts)
        .await
        .map_err(|e| format!("cannot reach the test PostgreSQL at {admin}: {e}"))?;
    let name = format!("pantau_test_{}", uuid::Uuid::new_v4().simple());
    let created = db
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("cannot create a database on {admin}: {e}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = match (&created, as_app(base)) {
        (Ok(_), Some(app)) => match owned_by_app(&db, &name).await {
            Ok(()) => format!("{app}/{name}"),
            Err(e) => {
                eprintln!("the test database stays the administrator's ({e})");
                format!("{base}/{name}")
            }
        },
        _ => format!("{base}/{name}"),
    };
    db.close().await.ok();
    created?;
    Ok(url)
}

/// The ordinary role the PostgreSQL tests run as, as Pantau should in
/// production: it owns its database, and is no superuser, so the row-level
/// security policies bind it.
const APP_ROLE: &str = "pantau_app";

/// `base` (`postgres://user[:password]@host:port`) signed in as [`APP_ROLE`];
/// `None` for a URL without a host (a Unix socket, where peer
/// authentication knows only the system's users).
fn as_app(base: &str) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    (!host.is_empty()).then(|| format!("{scheme}://{APP_ROLE}:pantau@{host}"))
}

/// Makes [`APP_ROLE`] (created once, with a password for servers that ask)
/// the owner of database `name`.
async fn owned_by_app(db: &sea_orm::DatabaseConnection, name: &str) -> Result<(), sea_orm::DbErr> {
    let exists = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'"),
        ))
        .await?
        .is_some();
    if !exists {
        // Two tests at once may both try: the loser's error is harmless.
        let _ = db
            .execute_unprepared(&format!(
                "CREATE ROLE {APP_ROLE} LOGIN PASSWORD 'pantau' NOSUPERUSER NOBYPASSRLS"
            ))
            .await;
    }
    db.execute_unprepared(&format!("ALTER DATABASE {name} OWNER TO {APP_ROLE}"))
        .await?;
    Ok(())
}

/// Drops a database [`fresh_postgres`] made, once nothing uses it (the
/// benchmarks clean up after themselves; a failure is ignored).
#[allow(dead_code)] // the tests leave theirs for inspection
pub async fn drop_postgres(url: &str) {
    let Some((_, name)) = url.rsplit_once('/') else {
        return;
    };
    if let Ok(db) = sea_orm::Database::connect(postgres_admin().as_str()).await {
        db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
        db.close().await.ok();
    }
}
