//! The sweep: one timed round of the prepared database, the plan the
//! database chose, and the rounds measured on both sizes.

use std::time::{Duration, Instant};

use super::*;
use pantau_domain::Zone;
use pantau_store::Store;
use pantau_store::schema::entity::reminder;
use pantau_workflow::Catalog;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement,
};

/// One timed sweep; checks it queued one email per due reminder.
pub(super) async fn sweep_once(p: &Prepared, catalog: &Catalog) -> f64 {
    let links = links();
    let start = Instant::now();
    let report = p
        .store
        .round(catalog, &links, Zone::Wib, sweep_at(), SWEEP_LIMIT)
        .await
        .unwrap();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(
        (report.due, report.queued, report.unaddressed),
        (p.due, p.due, 0),
        "sweep on {} cases: {report:?}",
        p.cases
    );
    ms
}

/// The plan of the sweep's due-reminder query, with the values bound as the store binds them.
pub(super) async fn plan(store: &Store) -> Vec<String> {
    let backend = store.backend();
    let mut find = reminder::Entity::find()
        .filter(reminder::Column::Status.eq("pending"))
        .filter(reminder::Column::FireAt.lte(sweep_at()))
        .order_by_asc(reminder::Column::FireAt)
        .limit(SWEEP_LIMIT);
    if backend == DbBackend::Postgres {
        find = find.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
    }
    let stmt = find.build(backend);
    let (prefix, column) = match backend {
        DbBackend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        _ => ("EXPLAIN QUERY PLAN ", "detail"),
    };
    let sql = format!("{prefix}{}", stmt.sql);
    let rows = store
        .connection()
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            stmt.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .unwrap();
    let mut out = vec![stmt.sql.clone()];
    out.extend(
        rows.iter()
            .map(|r| r.try_get::<String>("", column).unwrap_or_default()),
    );
    out
}

pub(super) struct SweepRow {
    pub(super) backend: Backend,
    pub(super) cases: usize,
    pub(super) due: usize,
    pub(super) setup: Duration,
    pub(super) size: String,
    pub(super) ms: Vec<f64>,
}

impl SweepRow {
    pub(super) fn cell(&self) -> String {
        let lo = self.ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.ms.iter().copied().fold(0.0, f64::max);
        format!("{:.1} [{lo:.1}–{hi:.1}]", median(&self.ms))
    }
}

pub(super) struct SweepResult {
    pub(super) rows: Vec<SweepRow>,
    pub(super) plan: Vec<String>,
    pub(super) notes: Vec<String>,
}

/// Both sizes on one backend, the sweeps interleaved.
pub(super) async fn sweeps(
    backend: Backend,
    catalog: &Catalog,
    large: usize,
    small: usize,
    due: usize,
) -> Result<SweepResult, String> {
    eprintln!("{}: writing {} cases …", backend.name(), thousands(small));
    let s = prepare(backend, catalog, small, due).await?;
    eprintln!(
        "  {:.1} s; writing {} cases …",
        s.setup.as_secs_f64(),
        thousands(large)
    );
    let l = prepare(backend, catalog, large, due).await?;
    eprintln!("  {:.1} s; sweeping …", l.setup.as_secs_f64());
    let mut small_ms = Vec::new();
    let mut large_ms = Vec::new();
    for round in 0..ROUNDS {
        if round > 0 {
            reset(&s.store).await;
            reset(&l.store).await;
        }
        if round % 2 == 0 {
            small_ms.push(sweep_once(&s, catalog).await);
            large_ms.push(sweep_once(&l, catalog).await);
        } else {
            large_ms.push(sweep_once(&l, catalog).await);
            small_ms.push(sweep_once(&s, catalog).await);
        }
    }
    let plan = plan(&l.store).await;
    let mut rows = Vec::new();
    for (p, ms) in [(&s, small_ms), (&l, large_ms)] {
        rows.push(SweepRow {
            backend,
            cases: p.cases,
            due: p.due,
            setup: p.setup,
            size: p.size().await,
            ms,
        });
    }
    s.drop_it().await;
    l.drop_it().await;
    Ok(SweepResult {
        rows,
        plan,
        notes: Vec::new(),
    })
}
