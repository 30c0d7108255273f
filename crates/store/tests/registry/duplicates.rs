//! Likely duplicates and what a verifier does with them, on SQLite and
//! PostgreSQL: alike names in one kabupaten/kota and one owner's NIK under
//! two UMKM are listed within the reader's scope only; a pair marked
//! distinct is never listed again; a merge moves the cases and the yearly
//! records (of one year both had, the one verified later stays), hides the
//! merged record from lists and searches, resolves it to the kept one (a
//! registration or a case opened on it lands on the kept one) and leaves
//! every case's chain verifying; a merge out of scope, of a record into
//! itself, across kinds or of a record merged already is refused.

use super::*;
use chrono::Duration;
use pantau_registry::regions::Regions;
use pantau_store::model::CooperativeYear;
use pantau_store::registry::search::Registered;
use pantau_store::registry::{Author, MergeRefusal, RegistryQuery};

fn coop(
    region: &'static str,
    name: &'static str,
    nik: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("kind", "cooperative"),
        ("region_code", region),
        ("name", name),
        ("nik_koperasi", nik),
        ("legal_entity_number", "456/BH/X.3/2016"),
        ("coop_kind", "KSP"),
        ("members", "300"),
        ("active", "ya"),
    ]
}

fn umkm(
    region: &'static str,
    name: &'static str,
    nib: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("kind", "umkm"),
        ("region_code", region),
        ("name", name),
        ("nib", nib),
        ("owner_nik", "1871014505850001"),
        ("scale", "mikro"),
    ]
}

async fn register(store: &Store, cells: &[(&str, &str)]) -> String {
    let regions = Regions::embedded().unwrap();
    match store
        .register_beneficiary(cells, &regions, &Scope::National)
        .await
        .unwrap()
    {
        Registered::Done { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

fn region(code: &str) -> Scope {
    Scope::Region(pantau_domain::RegionCode::parse(code).unwrap())
}

fn year(id: &str, year: i32, members: i32, verified: Option<i64>) -> CooperativeYear {
    CooperativeYear {
        beneficiary_id: id.into(),
        year,
        active: true,
        rat_held: true,
        quality: false,
        members: Some(members),
        rat_date: None,
        own_capital: None,
        outside_capital: None,
        assets: None,
        business_volume: None,
        shu: None,
        ksp_health: None,
        figures: None,
        case_id: None,
        event_seq: None,
        verified_by: verified.map(|_| "vera".into()),
        verified_at: verified
            .map(|d| Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)),
        scale: None,
        workers: None,
        turnover_band: None,
    }
}

fn pairs(found: &[pantau_store::registry::DuplicatePair]) -> Vec<(String, String, bool)> {
    found
        .iter()
        .map(|p| (p.first.id.clone(), p.second.id.clone(), p.why.same_nik))
        .collect()
}

fn ordered(a: &str, b: &str, nik: bool) -> (String, String, bool) {
    if a < b {
        (a.into(), b.into(), nik)
    } else {
        (b.into(), a.into(), nik)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_listed_marked_distinct_and_merged() {
    let catalog = catalog();
    let def = catalog.latest("data_tahunan").unwrap();
    for t in db::test_databases().await {
        let db = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let a = register(&store, &coop("18.71", "KSP Maju Jaya", "1871020030000101")).await;
        let b = register(
            &store,
            &coop(
                "18.71",
                "Koperasi Simpan Pinjam \"MAJU JAYA\"",
                "1871020030000102",
            ),
        )
        .await;
        let elsewhere = register(&store, &coop("18.72", "KSP Maju Jaya", "1872020030000103")).await;
        let d = register(
            &store,
            &coop("18.71", "KUD Tani Makmur", "1871020030000104"),
        )
        .await;
        let g = register(
            &store,
            &coop("18.71", "K.U.D. Tani Makmurr", "1871020030000105"),
        )
        .await;
        let e = register(&store, &umkm("18.71", "Keripik Bu Sri", "9120001234501")).await;
        let f = register(&store, &umkm("18.72", "Kripik Sri Rejeki", "9120001234502")).await;

        // Kota Bandar Lampung's verifier: its alike names, nothing of Metro.
        let kota = store
            .likely_duplicates(&region("18.71"), Some("18.71"))
            .await
            .unwrap();
        let mut want = vec![ordered(&a, &b, false), ordered(&d, &g, false)];
        want.sort();
        let mut got = pairs(&kota);
        got.sort();
        assert_eq!(got, want, "{db}");
        // The province sees the owner's NIK under a UMKM in Metro too.
        let province = store
            .likely_duplicates(&region("18"), Some("18.71"))
            .await
            .unwrap();
        assert_eq!(
            pairs(&province)[0],
            ordered(&e, &f, true),
            "{db}: same NIK first"
        );
        assert_eq!(province.len(), 3, "{db}");
        let nationwide = store
            .likely_duplicates(&Scope::National, None)
            .await
            .unwrap();
        assert_eq!(
            pairs(&nationwide),
            [ordered(&e, &f, true)],
            "{db}: no region, NIK only"
        );
        // Another kabupaten/kota's reader learns nothing of 18.71's.
        assert!(
            store
                .likely_duplicates(&region("18.72"), Some("18.71"))
                .await
                .unwrap()
                .is_empty(),
            "{db}"
        );

        // Marked distinct: never listed again; out of scope: refused.
        let by = Author {
            login: "vera",
            at: Utc.with_ymd_and_hms(2026, 3, 2, 3, 0, 0).unwrap(),
        };
        assert_eq!(
            store
                .mark_distinct(&d, &g, "dua koperasi berbeda", by, &region("18.72"))
                .await
                .unwrap(),
            None,
            "{db}"
        );
        assert_eq!(
            store
                .mark_distinct(&g, &d, "dua koperasi berbeda", by, &region("18.71"))
                .await
                .unwrap(),
            Some(()),
            "{db}"
        );
        let kota = store
            .likely_duplicates(&region("18.71"), Some("18.71"))
            .await
            .unwrap();
        assert_eq!(pairs(&kota), [ordered(&a, &b, false)], "{db}");

        // Cases and years on both records.
        let open = |case: &str, on: &str| Opening {
            case_id: case.into(),
            program_id: None,
            beneficiary_id: Some(on.into()),
            key: format!("open-{case}"),
            region: Some("18.71".into()),
            definition: def,
            source: catalog.source("data_tahunan", def.version).unwrap(),
        };
        for (case, on) in [("D-1", &a), ("D-2", &b), ("D-3", &b)] {
            store
                .open_case(&open(case, on), &cx(Role::ManagerRegency))
                .await
                .unwrap();
        }
        store
            .record_cooperative_years(vec![
                year(&a, 2024, 10, Some(1)),
                year(&a, 2025, 11, None),
                year(&b, 2025, 21, Some(2)),
                year(&b, 2023, 22, Some(3)),
                year(&a, 2022, 13, Some(9)),
                year(&b, 2022, 23, Some(4)),
            ])
            .await
            .unwrap();

        // Refused: out of scope, itself, another kind.
        let merge = |kept: String, merged: String, scope: Scope| {
            let store = &store;
            async move {
                store
                    .merge_beneficiaries(&kept, &merged, "satu koperasi", by, &scope)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            merge(a.clone(), elsewhere.clone(), region("18.71")).await,
            Err(MergeRefusal::NotFound(elsewhere.clone())),
            "{db}"
        );
        assert_eq!(
            merge(a.clone(), b.clone(), region("18.72")).await,
            Err(MergeRefusal::NotFound(a.clone())),
            "{db}"
        );
        assert_eq!(
            merge(a.clone(), a.clone(), region("18.71")).await,
            Err(MergeRefusal::Same),
            "{db}"
        );
        assert_eq!(
            merge(a.clone(), e.clone(), region("18.71")).await,
            Err(MergeRefusal::KindsDiffer),
            "{db}"
        );

        // The merge: b into a.
        let done = merge(a.clone(), b.clone(), region("18.71")).await.unwrap();
        assert_eq!(done.cases_moved, 2, "{db}");
        assert_eq!(done.years_moved, [2023], "{db}");
        let chosen: Vec<(i32, &str, Option<i32>)> = done
            .years_chosen
            .iter()
            .map(|c| (c.year, c.stays, c.dropped.members))
            .collect();
        // 2022: a's verified later stays; 2025: b's verified beats a's never verified.
        assert_eq!(
            chosen,
            [(2022, "kept", Some(23)), (2025, "merged", Some(11))],
            "{db}"
        );
        let kept = store.beneficiary_record(&a).await.unwrap().unwrap();
        let mut cases: Vec<&str> = kept.cases.iter().map(|c| c.id.as_str()).collect();
        cases.sort();
        assert_eq!(cases, ["D-1", "D-2", "D-3"], "{db}");
        let years: Vec<(i32, Option<i32>)> =
            kept.years.iter().map(|y| (y.year, y.members)).collect();
        assert_eq!(
            years,
            [
                (2025, Some(21)),
                (2024, Some(10)),
                (2023, Some(22)),
                (2022, Some(13))
            ],
            "{db}"
        );
        let gone = store.beneficiary_record(&b).await.unwrap().unwrap();
        assert!(gone.cases.is_empty() && gone.years.is_empty(), "{db}");
        assert_eq!(
            gone.beneficiary.merged_into.as_deref(),
            Some(a.as_str()),
            "{db}"
        );
        assert_eq!(
            store.kept_beneficiary(&b).await.unwrap().as_deref(),
            Some(a.as_str()),
            "{db}"
        );
        // Every chain still verifies: no event was touched.
        assert!(store.verify().await.unwrap().is_ok(), "{db}");
        // Recorded with both ids, who, when, why.
        let merges = store.merges_of(&a).await.unwrap();
        assert_eq!(merges.len(), 1, "{db}");
        let m = &merges[0];
        assert_eq!(
            (
                m.kept_id.as_str(),
                m.merged_id.as_str(),
                m.merged_by.as_str(),
                m.reason.as_str(),
                m.cases_moved
            ),
            (a.as_str(), b.as_str(), "vera", "satu koperasi", 2),
            "{db}"
        );
        assert_eq!(store.merges_of(&b).await.unwrap(), merges, "{db}");
        assert!(
            m.years.contains("\"stays\":\"merged\""),
            "{db}: {}",
            m.years
        );
        let within = store
            .merges_within(
                &region("18.71"),
                by.at - Duration::hours(1),
                by.at + Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(within, merges, "{db}");
        assert!(
            store
                .merges_within(
                    &region("18.72"),
                    by.at - Duration::hours(1),
                    by.at + Duration::hours(1)
                )
                .await
                .unwrap()
                .is_empty(),
            "{db}"
        );

        // Hidden from lists and searches; resolved to the kept one.
        let page = store
            .registry_page(&RegistryQuery {
                scope: region("18.71"),
                search: "maju".into(),
                kind: None,
                region: None,
                standing: None,
                open_cases: None,
                finals: vec![],
                page: 1,
                indicator: None,
                per_page: 50,
            })
            .await
            .unwrap();
        let listed: Vec<&str> = page
            .items
            .iter()
            .map(|l| l.beneficiary.id.as_str())
            .collect();
        assert_eq!(listed, [a.as_str()], "{db}");
        assert_eq!(page.items[0].cases, 3, "{db}");
        let found = store
            .search_beneficiaries(&region("18.71"), "jaya", None, None, 10)
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
            [a.as_str()],
            "{db}"
        );
        assert!(
            store
                .likely_duplicates(&region("18.71"), Some("18.71"))
                .await
                .unwrap()
                .is_empty(),
            "{db}"
        );
        let again = register(
            &store,
            &coop(
                "18.71",
                "Koperasi Simpan Pinjam \"MAJU JAYA\"",
                "1871020030000102",
            ),
        )
        .await;
        assert_eq!(
            again, a,
            "{db}: registering the merged one finds the kept one"
        );
        store
            .open_case(&open("D-4", &b), &cx(Role::ManagerRegency))
            .await
            .unwrap();
        assert_eq!(
            store
                .beneficiary_record(&a)
                .await
                .unwrap()
                .unwrap()
                .cases
                .len(),
            4,
            "{db}: a case opened on the merged one"
        );

        // Merged already: refused, either way round.
        assert_eq!(
            merge(d.clone(), b.clone(), region("18.71")).await,
            Err(MergeRefusal::AlreadyMerged {
                id: b.clone(),
                into: a.clone()
            }),
            "{db}"
        );
        // Merged again into another: the first merged record follows.
        merge(d.clone(), a.clone(), region("18.71")).await.unwrap();
        assert_eq!(
            store.kept_beneficiary(&b).await.unwrap().as_deref(),
            Some(d.as_str()),
            "{db}"
        );
        assert_eq!(
            store
                .beneficiary_record(&d)
                .await
                .unwrap()
                .unwrap()
                .cases
                .len(),
            4,
            "{db}"
        );
        assert!(store.verify().await.unwrap().is_ok(), "{db}");
    }
}

/// Every table with a column naming a beneficiary is one the merge has an
/// answer for (see `registry/merge.rs`): a new one fails here until it has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_naming_a_beneficiary_is_known_to_the_merge() {
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let sql = match store.backend() {
            sea_orm::DbBackend::Postgres => {
                "SELECT table_name || '.' || column_name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name LIKE '%beneficiar%' \
                 ORDER BY 1"
            }
            _ => {
                "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND p.name LIKE '%beneficiar%' ORDER BY 1"
            }
        };
        let rows = store
            .connection()
            .query_all_raw(Statement::from_string(store.backend(), sql.to_string()))
            .await
            .unwrap();
        let columns: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect();
        assert_eq!(
            columns,
            [
                // Kept with the merged record: its own accounts, history and point.
                "bank_accounts.beneficiary_id",
                "beneficiary_changes.beneficiary_id",
                "beneficiary_locations.beneficiary_id",
                // Moved.
                "cases.beneficiary_id",
                "cooperative_years.beneficiary_id",
                // Kept: a batch line says whom it paid then.
                "payment_lines.beneficiary_id",
            ],
            "{}",
            t.name
        );
    }
}
