//! The region rule is written once (`RegionCode::covers`) and said again in
//! SQL by one function of the store: these tests check, on every pair of
//! the shipped regions and on every backend, that the three places the SQL
//! runs (sea-query filters, hand-written filters, and on PostgreSQL the
//! row-level-security policy on its own) agree with `Scope::covers`, and
//! so does the case list's region filter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_store::read::browse::CaseQuery;
use pantau_store::{Opening, Settings, Store};
use pantau_workflow::{Actor, Context};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

/// Every scope a user can hold: national, and each shipped region.
fn scopes(codes: &[String]) -> Vec<Scope> {
    let mut out = vec![Scope::National];
    out.extend(codes.iter().map(|c| Scope::Region(c.parse().unwrap())));
    out
}

fn expected(scope: &Scope, codes: &[String]) -> BTreeSet<String> {
    codes
        .iter()
        .filter(|c| scope.covers(Some(c.as_str())))
        .cloned()
        .collect()
}

/// One case in every region.
async fn one_case_per_region(store: &Store, codes: &[String]) {
    let catalog = shipped::catalog();
    let def = catalog.latest("bansos").unwrap();
    let source = catalog.source("bansos", def.version).unwrap();
    let cx = Context {
        now: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        actor: Actor {
            user: "rina".into(),
            role: Role::ManagerProvince,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    for code in codes {
        let o = Opening {
            case_id: format!("c-{code}"),
            program_id: None,
            beneficiary_id: None,
            key: format!("open-{code}"),
            region: Some(code.clone()),
            definition: def,
            source,
        };
        store.open_case(&o, &cx).await.unwrap();
    }
}

/// The regions of the cases a transaction sees with `pantau.region` set
/// and no `WHERE` of its own: what the policy alone lets through.
async fn policy_lets_through(store: &Store, scope: &Scope) -> BTreeSet<String> {
    let db = store.connection();
    let txn = db.begin().await.unwrap();
    let setting = scope.region().map(|r| r.as_str()).unwrap_or_default();
    txn.query_one_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT set_config('pantau.region', $1, true)",
        [setting.into()],
    ))
    .await
    .unwrap();
    let rows = txn
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT region FROM cases",
        ))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// The regions of the cases listed in `scope`, narrowed to `region`.
async fn listed(store: &Store, scope: Scope, region: Option<String>) -> BTreeSet<String> {
    let page = store
        .case_page(&CaseQuery {
            scope,
            program: None,
            state: None,
            region,
            officer: None,
            flagged: false,
            narrow: Default::default(),
            page: 1,
            per_page: 1_000,
        })
        .await
        .unwrap();
    page.items.into_iter().filter_map(|c| c.region).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sql_filter_and_the_policy_agree_with_the_domain_on_every_pair_of_regions() {
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let codes: Vec<String> = store
            .regions_in(&Scope::National)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert!(codes.len() > 500, "{}: the shipped regions", t.name);
        one_case_per_region(&store, &codes).await;
        let mut pairs = 0;
        for scope in scopes(&codes) {
            let want = expected(&scope, &codes);
            pairs += codes.len();
            // A sea-query filter (`in_scope`).
            let regions: BTreeSet<String> = store
                .regions_in(&scope)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.code)
                .collect();
            assert_eq!(regions, want, "{}: regions in {scope:?}", t.name);
            // A hand-written filter (`scope_sql`), behind the policy on PostgreSQL.
            let seen = listed(&store, scope.clone(), None).await;
            assert_eq!(seen, want, "{}: cases in {scope:?}", t.name);
            // The case list's region filter, read nationally: a province
            // narrows to itself and its kabupaten/kota, as a scope does.
            if let Some(r) = scope.region() {
                let narrowed = listed(&store, Scope::National, Some(r.to_string())).await;
                assert_eq!(narrowed, want, "{}: cases filtered by {r}", t.name);
            }
            // The policy on its own.
            if t.name == "postgres" {
                let seen = policy_lets_through(&store, &scope).await;
                assert_eq!(seen, want, "the policy for {scope:?}");
            }
        }
        assert!(pairs > 250_000, "{}: {pairs} pairs", t.name);
    }
}
