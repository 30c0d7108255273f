//! The dashboard is kept between requests while the database has not
//! changed (`memo`): a write by anyone, this instance or another process,
//! shows on the next request, and so does time passing.

use pantau_store::{Settings, Store};
use sea_orm::ConnectionTrait;

use super::support::{self, Running};

/// Cases of `program` in `region` on the dashboard, and visits overdue
/// over all.
async fn seen(app: &Running, token: &str, program: &str, region: &str) -> (i64, i64) {
    let (status, d) = app.get(token, "/api/dashboard").await;
    assert_eq!(status, 200, "{}: {d}", app.name);
    let p = d["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == program)
        .unwrap_or_else(|| panic!("{}: no {program} in {d}", app.name));
    let cases = p["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == region)
        .map_or(0, |r| r["cases"].as_i64().unwrap());
    (cases, d["total"]["visits_overdue"].as_i64().unwrap())
}

/// A case of a Lampung program in a kabupaten/kota: program, region, id.
async fn a_case(store: &Store) -> (String, String, String) {
    let rows = store
        .connection()
        .query_all_raw(sea_orm::Statement::from_string(
            store.backend(),
            "SELECT program_id, region, id FROM cases \
             WHERE program_id IS NOT NULL AND region LIKE '18.%' ORDER BY id LIMIT 1",
        ))
        .await
        .unwrap();
    let r = &rows[0];
    (
        r.try_get_by_index(0).unwrap(),
        r.try_get_by_index(1).unwrap(),
        r.try_get_by_index(2).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_dashboard_gives_way_to_another_processes_write_and_to_time() {
    for app in support::apps().await {
        let token = app.token("pengelola.18").await;
        let (program, region, id) = a_case(&app.store).await;
        let moved_to = if region == "18.01" { "18.02" } else { "18.01" };
        let (here, overdue) = seen(&app, &token, &program, &region).await;
        let (there, _) = seen(&app, &token, &program, moved_to).await;
        assert!(here >= 1, "{}", app.name);
        assert_eq!(
            seen(&app, &token, &program, &region).await,
            (here, overdue),
            "{}: asked again, nothing written",
            app.name
        );

        // Another process: its own store on the same database, a hand-made
        // UPDATE (the totals' triggers move the case).
        let other = Store::open(&Settings::new(app.database_url().to_string()))
            .await
            .unwrap();
        let sql = format!("UPDATE cases SET region = '{moved_to}' WHERE id = '{id}'");
        other.connection().execute_unprepared(&sql).await.unwrap();
        assert_eq!(
            seen(&app, &token, &program, &region).await.0,
            here - 1,
            "{}: the other process's write shows at once",
            app.name
        );
        assert_eq!(seen(&app, &token, &program, moved_to).await.0, there + 1);

        // A visit falling due in half a minute, written before the answer:
        // just past its due time the kept answer gives way (well within the
        // minute an answer lasts at most).
        let due = app.app.now() + chrono::TimeDelta::seconds(30);
        let calm = one_row(
            &app,
            "SELECT id FROM cases c WHERE program_id IS NOT NULL AND region LIKE '18.%' \
             AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.case_id = c.id \
             AND v.done_at IS NULL AND v.due_at <= ?) ORDER BY id LIMIT 1",
            due + chrono::TimeDelta::seconds(1),
        )
        .await;
        let sql = placeholders(
            &app.store,
            "INSERT INTO visits (case_id, no, checklist, due_at) VALUES (?, 900, 'monev', ?)",
        );
        app.store
            .connection()
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                app.store.backend(),
                sql,
                [calm.into(), due.into()],
            ))
            .await
            .unwrap();
        let (_, before) = seen(&app, &token, &program, &region).await;
        app.app.advance_clock(chrono::TimeDelta::seconds(31));
        let (_, after) = seen(&app, &token, &program, &region).await;
        assert_eq!(after, before + 1, "{}: the visit is overdue", app.name);

        // Time passing, nothing written: a year on, every case with an open
        // visit is overdue, and the kept answer gives way.
        let open = cases_with_open_visits(&app).await;
        app.app.advance_clock(chrono::TimeDelta::days(365));
        let (_, later) = seen(&app, &token, &program, &region).await;
        assert_eq!(
            later, open,
            "{}: every case with an open visit overdue a year on",
            app.name
        );
    }
}

/// Lampung's cases with a visit open, as the visits themselves say.
async fn cases_with_open_visits(app: &Running) -> i64 {
    let rows = app
        .store
        .connection()
        .query_all_raw(sea_orm::Statement::from_string(
            app.store.backend(),
            "SELECT COUNT(DISTINCT v.case_id) FROM visits v JOIN cases c ON c.id = v.case_id \
             WHERE v.done_at IS NULL AND c.program_id IS NOT NULL \
             AND (c.region = '18' OR c.region LIKE '18.%')",
        ))
        .await
        .unwrap();
    rows[0].try_get_by_index::<i64>(0).unwrap()
}

/// The one text value `sql` (a `?` bound to `at`) reads.
async fn one_row(app: &Running, sql: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let sql = placeholders(&app.store, sql);
    let rows = app
        .store
        .connection()
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            app.store.backend(),
            sql,
            [at.into()],
        ))
        .await
        .unwrap();
    rows[0].try_get_by_index(0).unwrap()
}

/// `sql` with PostgreSQL's numbered placeholders where the store needs them.
fn placeholders(store: &Store, sql: &str) -> String {
    if store.backend() != sea_orm::DbBackend::Postgres {
        return sql.to_string();
    }
    let mut n = 0;
    sql.split('?')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                n += 1;
                format!("${n}{part}")
            }
        })
        .collect()
}
