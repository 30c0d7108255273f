//! `/healthz` and `/readyz`, public: ready on a current database, and 503
//! naming the migration when the schema is behind this Pantau.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sea_orm::ConnectionTrait;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_without_a_session() {
    for app in support::apps().await {
        let c = reqwest::Client::new();
        let (status, body) = support::text(&c, &app.url("/healthz")).await;
        assert_eq!((status, body.as_str()), (200, "ok\n"), "{}", app.name);
        let (status, body) = support::text(&c, &app.url("/readyz")).await;
        assert_eq!((status, body.as_str()), (200, "ready\n"), "{}", app.name);

        // The newest migration forgotten: the schema is not the one this Pantau knows.
        let db = app.store.connection();
        let last: String = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        db.execute_unprepared(&format!(
            "DELETE FROM seaql_migrations WHERE version = '{last}'"
        ))
        .await
        .unwrap();
        let (status, body) = support::text(&c, &app.url("/readyz")).await;
        assert_eq!(status, 503, "{}: {body}", app.name);
        assert!(
            body.contains("not ready") && body.contains(&last),
            "{}: {body}",
            app.name
        );
        let (status, _) = support::text(&c, &app.url("/healthz")).await;
        assert_eq!(status, 200, "the process still answers");
    }
}
