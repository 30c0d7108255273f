//! The cooperative indicators on SQLite and PostgreSQL over records the
//! test writes itself: a province's row adds up its kabupaten/kota, a
//! national reader gets a row per province and the national row, targets
//! set per province override the defaults, a figure from too few verified
//! records is not computed, an unverified record counts nowhere, and the
//! registry filter behind each figure lists exactly the cooperatives it
//! counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/db.rs"]
mod db;

use std::collections::BTreeSet;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_registry::regions::Regions;
use pantau_report::gather::indicator_figures;
use pantau_report::indicators::{Figures, INDICATORS, Outcome, Targets};
use pantau_store::read::report::Indicator;
use pantau_store::registry::RegistryQuery;
use pantau_store::{Settings, Store};
use sea_orm::ConnectionTrait;

/// One cooperative: its region and its (year, active, RAT, quality,
/// verified) records.
struct Coop {
    region: &'static str,
    years: Vec<(i32, bool, bool, bool, bool)>,
}

/// The cooperatives: in 13.01 ten, in 13.02 eight, in 18.71 three (too few).
fn coops() -> Vec<Coop> {
    let mut out = vec![];
    for i in 0..10 {
        // 13.01: all active last year; this year 9 active, RAT 8 → 9, one
        // new, quality 2; the tenth's 2026 record is unverified.
        out.push(Coop {
            region: "13.01",
            years: vec![
                (2025, true, i < 8, false, true),
                (2026, i != 3, i < 8, i < 2, i != 9),
            ],
        });
    }
    out.push(Coop {
        region: "13.01",
        years: vec![(2026, true, true, true, true)],
    });
    for i in 0..8 {
        // 13.02: 2 inactive last year, 1 this year; RAT 4 → 4.
        out.push(Coop {
            region: "13.02",
            years: vec![
                (2025, i >= 2, i < 4, false, true),
                (2026, i >= 1, i < 4, i == 5, true),
            ],
        });
    }
    for _ in 0..3 {
        out.push(Coop {
            region: "18.71",
            years: vec![
                (2025, true, true, false, true),
                (2026, true, true, true, true),
            ],
        });
    }
    out
}

async fn fill(store: &Store) -> Vec<(String, &'static str)> {
    store
        .seed_regions(&Regions::embedded().unwrap())
        .await
        .unwrap();
    let at = "2026-01-01T00:00:00+00:00";
    let mut ids = vec![];
    let mut sql = String::new();
    for (i, c) in coops().iter().enumerate() {
        let id = format!("k{i:03}");
        sql.push_str(&format!(
            "INSERT INTO beneficiaries (id, kind, natural_key, region_code, name, active, dissolved, created_at) \
             VALUES ('{id}', 'cooperative', 'nik:{id}', '{}', 'Koperasi {i}', TRUE, FALSE, '{at}');",
            c.region
        ));
        for (y, active, rat, quality, verified) in &c.years {
            let when = if *verified {
                format!("'{at}'")
            } else {
                "NULL".into()
            };
            sql.push_str(&format!(
                "INSERT INTO cooperative_years (beneficiary_id, year, active, rat_held, quality, verified_at) \
                 VALUES ('{id}', {y}, {active}, {rat}, {quality}, {when});"
            ));
        }
        ids.push((id, c.region));
    }
    // A UMKM is never a cooperative, whatever its records say.
    sql.push_str(&format!(
        "INSERT INTO beneficiaries (id, kind, natural_key, region_code, name, dissolved, created_at) \
         VALUES ('u1', 'umkm', 'nib:u1', '13.01', 'Warung', FALSE, '{at}');"
    ));
    store.connection().execute_unprepared(&sql).await.unwrap();
    ids
}

fn scope(code: &str) -> Scope {
    Scope::Region(RegionCode::parse(code).unwrap())
}

fn row<'a>(f: &'a Figures, region: Option<&str>) -> &'a pantau_report::indicators::FigureRow {
    f.rows
        .iter()
        .chain(f.total.as_ref())
        .find(|r| r.region.as_deref() == region)
        .unwrap_or_else(|| panic!("no row {region:?} in {f:?}"))
}

async fn listed(
    store: &Store,
    scope: Scope,
    region: &str,
    year: i32,
    i: Indicator,
) -> BTreeSet<String> {
    let page = store
        .registry_page(&RegistryQuery {
            scope,
            search: String::new(),
            kind: None,
            region: Some(RegionCode::parse(region).unwrap()),
            standing: None,
            open_cases: None,
            indicator: Some((year, i)),
            finals: vec![],
            page: 1,
            per_page: 1_000,
        })
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.items.len());
    page.items.into_iter().map(|l| l.beneficiary.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indicators_per_kabupaten_province_and_nation_with_targets_and_drill_down() {
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let ids = fill(&store).await;
        let defaults = Targets::default();

        // A province's reader: its kabupaten/kota and the province's row.
        let f = indicator_figures(&store, &scope("13"), 2026, &defaults)
            .await
            .unwrap();
        assert_eq!(f.rows.len(), 2, "{name}");
        let k1 = row(&f, Some("13.01"));
        let c = &k1.counts;
        assert_eq!(
            (
                c.active_prev,
                c.active,
                c.new,
                c.rat_prev,
                c.rat,
                c.inactive,
                c.quality
            ),
            (10, 9, 1, 8, 9, 1, 3),
            "{name}: the unverified 2026 record counts nowhere"
        );
        assert_eq!((c.records_prev, c.records), (10, 10), "{name}");
        let k2 = &row(&f, Some("13.02")).counts;
        let p = &row(&f, Some("13")).counts;
        assert_eq!(p.active, k1.counts.active + k2.active, "{name}");
        assert_eq!(p.inactive_prev, 2, "{name}");
        assert_eq!(p.records, 18, "{name}");
        // new 1/10 = 10 % ≥ 7 %; RAT +12.5 % < 15 %.
        assert_eq!(
            k1.outcomes[0],
            Outcome::Value {
                bp: 1_000,
                met: true
            },
            "{name}"
        );
        assert_eq!(
            k1.outcomes[1],
            Outcome::Value {
                bp: 1_250,
                met: false
            },
            "{name}"
        );

        // A national reader: a row per province and the national row.
        let f = indicator_figures(&store, &Scope::National, 2026, &defaults)
            .await
            .unwrap();
        let regions: Vec<_> = f.rows.iter().map(|r| r.region.clone()).collect();
        assert_eq!(regions, [Some("13".into()), Some("18".into())], "{name}");
        let nation = f.total.as_ref().unwrap();
        assert_eq!(
            (nation.region.as_deref(), nation.counts.records),
            (None, 21),
            "{name}"
        );
        // Lampung's three records are too few for every figure.
        assert_eq!(
            row(&f, Some("18")).outcomes,
            [Outcome::TooFew(3); 4],
            "{name}"
        );
        assert_eq!(row(&f, Some("18")).missed().count(), 0, "{name}");
        // A kabupaten/kota's reader sees its own row only.
        let f = indicator_figures(&store, &scope("18.71"), 2026, &defaults)
            .await
            .unwrap();
        assert_eq!((f.rows.len(), f.total.is_none()), (1, true), "{name}");

        // Targets from the settings override the defaults, per province.
        let set: Targets = toml::from_str(
            "min_verified = 3\n[[override]]\nprovince = \"13\"\nyear = 2026\nrat = 8\n",
        )
        .unwrap();
        let f = indicator_figures(&store, &Scope::National, 2026, &set)
            .await
            .unwrap();
        let west = row(&f, Some("13"));
        // RAT 12 → 13 in the province: +8.3 %, met at 8 %.
        assert_eq!(west.target.rat_bp, 800, "{name}");
        assert!(
            !west.missed().any(|i| i.filter == Indicator::Rat),
            "{name}: {west:?}"
        );
        assert!(
            matches!(row(&f, Some("18")).outcomes[3], Outcome::Value { .. }),
            "{name}"
        );
        assert_eq!(
            f.total.unwrap().target.rat_bp,
            1_500,
            "{name}: the nation keeps the default"
        );

        // Each figure's cooperatives: exactly those counted.
        let f = indicator_figures(&store, &scope("13"), 2026, &defaults)
            .await
            .unwrap();
        for (region, r) in [
            ("13.01", row(&f, Some("13.01"))),
            ("13", row(&f, Some("13"))),
        ] {
            let c = &r.counts;
            for (i, n, year) in [
                (Indicator::Active, c.active, 2026),
                (Indicator::Active, c.active_prev, 2025),
                (Indicator::New, c.new, 2026),
                (Indicator::Rat, c.rat, 2026),
                (Indicator::Rat, c.rat_prev, 2025),
                (Indicator::Inactive, c.inactive, 2026),
                (Indicator::Inactive, c.inactive_prev, 2025),
                (Indicator::Quality, c.quality, 2026),
            ] {
                let got = listed(&store, scope("13"), region, year, i).await;
                assert_eq!(
                    got.len() as i64,
                    n,
                    "{name}: {region} {} {year}",
                    i.as_str()
                );
                assert!(
                    got.iter()
                        .all(|id| ids.iter().any(|(k, r)| k == id && r.starts_with(region)))
                );
            }
        }
        // The new one in 13.01 is the eleventh; the tenth (unverified) is nowhere.
        assert_eq!(
            listed(&store, scope("13"), "13.01", 2026, Indicator::New).await,
            BTreeSet::from(["k010".to_string()]),
            "{name}"
        );
        assert!(
            !listed(&store, scope("13"), "13.01", 2026, Indicator::Active)
                .await
                .contains("k009")
        );
        // Another province's reader gets nothing of West Sumatra's.
        assert!(
            listed(&store, scope("18"), "13.01", 2026, Indicator::Active)
                .await
                .is_empty()
        );
        assert_eq!(INDICATORS.len(), 4);
    }
}
