//! The running totals of cases per region, program and state
//! (`case_totals`, kept by triggers) against the cases themselves, after
//! writers racing on PostgreSQL, a hand-made `UPDATE`, and a database whose
//! cases were written before the totals existed.

use pantau_domain::access::Scope;
use pantau_store::read::browse::{CaseQuery, StateSum, VisitSum};
use pantau_store::registry::NewProgram;
use pantau_store::schema::migration::Migrator;
use sea_orm_migration::MigratorTrait;

use super::*;

const PROGRAM: &str = "bansos-2026";

async fn add_program(store: &Store, f: &Fixture) {
    let def = f.catalog.latest("bansos").unwrap();
    store
        .add_program(&NewProgram {
            id: PROGRAM.into(),
            name: "Bansos KUD 2026".into(),
            workflow: "bansos".into(),
            workflow_version: def.version,
            fiscal_year: 2026,
            funding_source: "APBN".into(),
            budget_ceiling: 10_000_000_000,
            province: "18".into(),
            allocations: vec![
                ("18.71".into(), 5_000_000_000),
                ("18.01".into(), 5_000_000_000),
            ],
        })
        .await
        .unwrap();
}

/// Runs the first `steps` of the bansos path on `id`, keys made unique.
async fn walk(store: &Store, f: &Fixture, id: &str, steps: usize) {
    for (i, (role, c)) in bansos_path()[..steps].iter().enumerate() {
        let c = Command {
            key: format!("{id}-{}", c.key),
            ..c.clone()
        };
        store
            .apply(&f.catalog, id, &c, &cx(i as i64 + 1, "u", *role), None)
            .await
            .unwrap();
    }
}

/// The sums as the cases themselves say them.
async fn counted(store: &Store, region: Option<&str>) -> Vec<StateSum> {
    let within = region.map_or(String::new(), |r| {
        format!(" AND (region = '{r}' OR region LIKE '{r}.%')")
    });
    let sql = format!(
        "SELECT program_id, region, state, COUNT(*), \
         CAST(COALESCE(SUM(approved_amount), 0) AS BIGINT), \
         CAST(SUM(disbursed_amount) AS BIGINT) FROM cases \
         WHERE program_id IS NOT NULL AND region IS NOT NULL{within} \
         GROUP BY program_id, region, state ORDER BY program_id, region, state"
    );
    let rows = store
        .connection()
        .query_all_raw(Statement::from_string(store.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| StateSum {
            program_id: r.try_get_by_index(0).unwrap(),
            region: r.try_get_by_index(1).unwrap(),
            state: r.try_get_by_index(2).unwrap(),
            cases: r.try_get_by_index(3).unwrap(),
            approved: r.try_get_by_index(4).unwrap(),
            disbursed: r.try_get_by_index(5).unwrap(),
        })
        .collect()
}

/// The visit sums as the cases and visits themselves say them.
async fn visited(store: &Store, region: Option<&str>, now: DateTime<Utc>) -> Vec<VisitSum> {
    let within = region.map_or(String::new(), |r| {
        format!(" AND (c.region = '{r}' OR c.region LIKE '{r}.%')")
    });
    let sql = sql::placeholders(
        store.backend(),
        &format!(
            "SELECT c.program_id, c.region, \
             COUNT(DISTINCT CASE WHEN v.done_at IS NOT NULL THEN c.id END), \
             COUNT(DISTINCT CASE WHEN v.done_at IS NULL AND v.due_at >= ? THEN c.id END), \
             COUNT(DISTINCT CASE WHEN v.done_at IS NULL AND v.due_at < ? THEN c.id END) \
             FROM cases c JOIN visits v ON v.case_id = c.id \
             WHERE c.program_id IS NOT NULL AND c.region IS NOT NULL{within} \
             GROUP BY c.program_id, c.region ORDER BY c.program_id, c.region"
        ),
    );
    let rows = store
        .connection()
        .query_all_raw(Statement::from_sql_and_values(
            store.backend(),
            sql,
            [now.into(), now.into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| VisitSum {
            program_id: r.try_get_by_index(0).unwrap(),
            region: r.try_get_by_index(1).unwrap(),
            done: r.try_get_by_index(2).unwrap(),
            due: r.try_get_by_index(3).unwrap(),
            overdue: r.try_get_by_index(4).unwrap(),
        })
        .collect()
}

fn query(scope: Scope, state: Option<&str>, region: Option<&str>) -> CaseQuery {
    CaseQuery {
        scope,
        program: None,
        state: state.map(str::to_string),
        region: region.map(str::to_string),
        officer: None,
        flagged: false,
        narrow: Default::default(),
        page: 1,
        per_page: 1,
    }
}

/// The dashboard's sums and the plain counts equal the cases' own.
async fn agree(name: &str, store: &Store, when: &str) {
    let lampung = Scope::Region("18".parse().unwrap());
    assert_eq!(
        store.state_sums(&Scope::National).await.unwrap(),
        counted(store, None).await,
        "{name}, {when}: the Ministry's sums"
    );
    assert_eq!(
        store.state_sums(&lampung).await.unwrap(),
        counted(store, Some("18")).await,
        "{name}, {when}: Lampung's sums"
    );
    // Before the first visit falls due, and a year on (all overdue).
    for now in [t0(), t0() + TimeDelta::days(400)] {
        assert_eq!(
            store.visit_sums(&Scope::National, now).await.unwrap(),
            visited(store, None, now).await,
            "{name}, {when}: the Ministry's visits at {now}"
        );
        assert_eq!(
            store.visit_sums(&lampung, now).await.unwrap(),
            visited(store, Some("18"), now).await,
            "{name}, {when}: Lampung's visits at {now}"
        );
    }
    for (scope, state, region, sql) in [
        (Scope::National, None, None, "SELECT COUNT(*) FROM cases"),
        (
            Scope::National,
            Some("approved"),
            None,
            "SELECT COUNT(*) FROM cases WHERE state = 'approved'",
        ),
        (
            lampung.clone(),
            None,
            Some("18.01"),
            "SELECT COUNT(*) FROM cases WHERE region = '18.01'",
        ),
        (
            lampung.clone(),
            Some("disbursed"),
            None,
            "SELECT COUNT(*) FROM cases WHERE region LIKE '18.%' AND state = 'disbursed'",
        ),
    ] {
        let page = store.case_page(&query(scope, state, region)).await.unwrap();
        assert_eq!(
            page.total as i64,
            count(store, sql).await,
            "{name}, {when}: {sql}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn running_totals_equal_the_cases_after_racing_writers_and_a_hand_made_update() {
    let f = Arc::new(fixture());
    for (name, store, _t) in backends().await {
        add_program(&store, &f).await;
        open_for(&store, &f, "T-none", "18.71", None).await;
        agree(name, &store, "one case without a program").await;
        // Twelve cases walked at once (four writers at a time on
        // PostgreSQL: moves in both directions between the same totals).
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (store, f) = (store.clone(), f.clone());
            tasks.push(tokio::spawn(async move {
                let id = format!("T-{i}");
                // Dedi, assigned at the fifth step, works in 18.71.
                let region = if i % 7 < 4 { "18.01" } else { "18.71" };
                open_for(&store, &f, &id, region, Some(PROGRAM)).await;
                walk(&store, &f, &id, i % 7).await;
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        agree(name, &store, "after the writers").await;
        let sums = store.state_sums(&Scope::National).await.unwrap();
        assert!(
            sums.iter()
                .any(|s| s.state == "disbursed" && s.disbursed > 0),
            "{name}: {sums:?}"
        );
        let open = store
            .visit_sums(&Scope::National, t0())
            .await
            .unwrap()
            .iter()
            .map(|v| v.due)
            .sum::<i64>();
        assert!(open > 0, "{name}: disbursed cases have a visit due");
        // Outside the store: Kota Bandar Lampung's cases moved to another
        // kabupaten/kota (their visits go with them: T-6's is open).
        store
            .connection()
            .execute_unprepared("UPDATE cases SET region = '18.01' WHERE region = '18.71'")
            .await
            .unwrap();
        agree(name, &store, "after a hand-made UPDATE").await;
        // A visit reported done, written by hand: its case counts as visited.
        store
            .connection()
            .execute_unprepared(
                "UPDATE visits SET done_at = opened_at FROM cases \
                 WHERE cases.id = visits.case_id AND visits.case_id = 'T-6'",
            )
            .await
            .unwrap();
        agree(name, &store, "after a visit done").await;
        let done = store.visit_sums(&Scope::National, t0()).await.unwrap();
        assert_eq!(
            done.iter().map(|v| v.done).sum::<i64>(),
            1,
            "{name}: {done:?}"
        );
        // Folded on PostgreSQL by the reads above: nothing left to fold.
        assert_eq!(store.fold_case_moves().await.unwrap(), 0, "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM case_total_moves").await,
            0
        );
        // A visit written by hand, placed elsewhere: it takes its case's place.
        let sql = sql::placeholders(
            store.backend(),
            "INSERT INTO visits (case_id, no, checklist, due_at, region, program_id) \
             VALUES ('T-5', 99, 'monev', ?, '35.01', 'elsewhere')",
        );
        store
            .connection()
            .execute_raw(Statement::from_sql_and_values(
                store.backend(),
                sql,
                [t0().into()],
            ))
            .await
            .unwrap();
        agree(name, &store, "after a visit written by hand").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_written_before_the_totals_existed_are_counted_when_they_come() {
    let f = fixture();
    for (name, store, _t) in backends().await {
        add_program(&store, &f).await;
        open_for(&store, &f, "B-1", "18.71", Some(PROGRAM)).await;
        walk(&store, &f, "B-1", 6).await;
        // Down to before the totals, the visits' places and the totals' index.
        Migrator::down(store.connection(), Some(3)).await.unwrap();
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM seaql_migrations \
                 WHERE version LIKE '%case_totals' OR version LIKE '%visit_place'"
            )
            .await,
            0,
            "{name}"
        );
        for (id, region) in [("B-2", "18.01"), ("B-3", "18.71")] {
            open_for(&store, &f, id, region, Some(PROGRAM)).await;
        }
        walk(&store, &f, "B-2", 4).await;
        Migrator::up(store.connection(), None).await.unwrap();
        agree(name, &store, "after the migration").await;
        walk(&store, &f, "B-3", 6).await;
        agree(name, &store, "after a transition").await;
    }
}
