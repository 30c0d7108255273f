//! A cooperative's yearly data through the `data_tahunan` workflow: the
//! figures count only once the province verifies them, and then become the
//! cooperative's record of the year with the case, event, verifier and
//! time it came from; a correction after verification is a new case whose
//! verification replaces the record, the first case kept. The indicators
//! read verified records only.

use super::*;
use pantau_registry::regions::Regions;
use pantau_store::registry::search::Registered;

async fn koperasi(store: &Store) -> String {
    let cells = [
        ("kind", "cooperative"),
        ("region_code", "18.71"),
        ("name", "KSP Sejahtera Bersama"),
        ("nik_koperasi", "1871020030000456"),
        ("legal_entity_number", "456/BH/X.3/2016"),
        ("coop_kind", "KSP"),
        ("members", "300"),
        ("active", "ya"),
    ];
    let regions = Regions::embedded().unwrap();
    match store
        .register_beneficiary(&cells, &regions, &Scope::National)
        .await
        .unwrap()
    {
        Registered::Done { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

fn yearly(members: &str, shu: &str) -> Vec<(&'static str, String)> {
    vec![
        ("year", "2025".into()),
        ("active", "ya".into()),
        ("rat_held", "ya".into()),
        ("rat_date", "2026-03-14".into()),
        ("members", members.into()),
        ("own_capital", "Rp 1.250.000.000".into()),
        ("outside_capital", "Rp 300.000.000".into()),
        ("assets", "Rp 1.730.000.000".into()),
        ("business_volume", "Rp 2.100.000.000".into()),
        ("shu", shu.into()),
        ("ksp_health", "cukup sehat".into()),
        ("data_source", "metro-2025.xlsx baris 17".into()),
    ]
}

/// Who takes a step: (role, login).
type By = (Role, &'static str);

async fn step(
    store: &Store,
    catalog: &Catalog,
    case: &str,
    key: &str,
    action: &str,
    (role, user): By,
    inputs: &[(&'static str, String)],
) {
    let c = Command {
        observed_at: None,
        key: key.into(),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let mut context = cx(role);
    context.actor.user = user.into();
    store
        .apply(catalog, case, &c, &context, None)
        .await
        .unwrap_or_else(|e| panic!("{case} {action}: {e}"));
}

async fn record(store: &Store, id: &str) -> Option<pantau_store::model::CooperativeYear> {
    store
        .beneficiary_record(id)
        .await
        .unwrap()
        .unwrap()
        .years
        .into_iter()
        .find(|y| y.year == 2025)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_yearly_data_becomes_the_record_and_a_correction_replaces_it() {
    let catalog = catalog();
    let def = catalog.latest("data_tahunan").unwrap();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let id = koperasi(&store).await;
        let open = |case: &str| Opening {
            case_id: case.into(),
            program_id: None,
            beneficiary_id: Some(id.clone()),
            key: format!("open-{case}"),
            region: Some("18.71".into()),
            definition: def,
            source: catalog.source("data_tahunan", def.version).unwrap(),
        };
        store
            .open_case(&open("Y-1"), &cx(Role::ManagerRegency))
            .await
            .unwrap();
        step(
            &store,
            &catalog,
            "Y-1",
            "y1",
            "submit",
            (Role::ManagerRegency, "wulan"),
            &yearly("412", "-12.500.000"),
        )
        .await;
        // Sent, not verified: nothing counts yet.
        assert_eq!(
            record(&store, &id).await,
            None,
            "{name}: not before verification"
        );
        let before = store.indicator_rows(2025, &Scope::National).await.unwrap();
        step(
            &store,
            &catalog,
            "Y-1",
            "y2",
            "verify",
            (Role::Verifier, "yusuf"),
            &[("quality", "ya".into())],
        )
        .await;
        let y = record(&store, &id).await.expect("recorded");
        assert_eq!(
            (
                y.active,
                y.rat_held,
                y.quality,
                y.members,
                y.rat_date.as_deref()
            ),
            (true, true, true, Some(412), Some("2026-03-14")),
            "{name}"
        );
        assert_eq!(
            (
                y.own_capital,
                y.outside_capital,
                y.assets,
                y.business_volume,
                y.shu
            ),
            (
                Some(1_250_000_000),
                Some(300_000_000),
                Some(1_730_000_000),
                Some(2_100_000_000),
                Some(-12_500_000)
            ),
            "{name}"
        );
        assert_eq!(y.ksp_health.as_deref(), Some("cukup sehat"));
        assert_eq!(
            (y.case_id.as_deref(), y.event_seq, y.verified_by.as_deref()),
            (Some("Y-1"), Some(3), Some("yusuf")),
            "{name}: where it came from"
        );
        assert!(
            y.figures.unwrap().contains("metro-2025.xlsx baris 17"),
            "{name}"
        );
        // The indicators count it now (as active, with its RAT, in 18.71).
        let after = store.indicator_rows(2025, &Scope::National).await.unwrap();
        let of = |rows: &[pantau_store::read::report::IndicatorRow]| {
            rows.iter()
                .find(|r| r.region == "18.71")
                .map_or((0, 0), |r| (r.active, r.rat))
        };
        assert_eq!(of(&after), (of(&before).0 + 1, of(&before).1 + 1), "{name}");
        // A correction: a new case for the same year, verified, replaces it.
        store
            .open_case(&open("Y-2"), &cx(Role::ManagerRegency))
            .await
            .unwrap();
        step(
            &store,
            &catalog,
            "Y-2",
            "y3",
            "submit",
            (Role::ManagerRegency, "wulan"),
            &yearly("415", "8000000"),
        )
        .await;
        assert_eq!(
            record(&store, &id).await.unwrap().members,
            Some(412),
            "{name}: unverified correction counts nowhere"
        );
        step(
            &store,
            &catalog,
            "Y-2",
            "y4",
            "verify",
            (Role::Verifier, "yusuf"),
            &[("quality", "tidak".into())],
        )
        .await;
        let y = record(&store, &id).await.unwrap();
        assert_eq!(
            (y.members, y.shu, y.quality, y.case_id.as_deref()),
            (Some(415), Some(8_000_000), false, Some("Y-2")),
            "{name}"
        );
        // Both cases stay, each with its chain.
        let cases = store.beneficiary_record(&id).await.unwrap().unwrap().cases;
        assert_eq!(cases.len(), 2, "{name}");
        assert!(store.verify().await.unwrap().is_ok(), "{name}");
        // A yearly record seeded without verification counts nowhere.
        let mut unverified = y.clone();
        unverified.year = 2026;
        unverified.verified_at = None;
        unverified.verified_by = None;
        store
            .record_cooperative_years(vec![unverified])
            .await
            .unwrap();
        let rows = store.indicator_rows(2026, &Scope::National).await.unwrap();
        assert!(
            rows.iter().all(|r| r.region != "18.71" || r.active == 0),
            "{name}: {rows:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_that_is_not_a_year_is_refused_and_nothing_is_recorded() {
    let catalog = catalog();
    let def = catalog.latest("data_tahunan").unwrap();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let id = koperasi(&store).await;
        let o = Opening {
            case_id: "Y-9".into(),
            program_id: None,
            beneficiary_id: Some(id.clone()),
            key: "open-Y-9".into(),
            region: Some("18.71".into()),
            definition: def,
            source: catalog.source("data_tahunan", def.version).unwrap(),
        };
        store
            .open_case(&o, &cx(Role::ManagerRegency))
            .await
            .unwrap();
        let mut inputs = yearly("412", "0");
        inputs[0].1 = "25".into();
        step(
            &store,
            &catalog,
            "Y-9",
            "z1",
            "submit",
            (Role::ManagerRegency, "wulan"),
            &inputs,
        )
        .await;
        let c = Command {
            observed_at: None,
            key: "z2".into(),
            action: "verify".into(),
            inputs: [("quality".to_string(), "ya".to_string())].into(),
        };
        let e = store
            .apply(&catalog, "Y-9", &c, &cx(Role::Verifier), None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("year"), "{name}: {e}");
        assert_eq!(record(&store, &id).await, None, "{name}");
        assert_eq!(
            store.case("Y-9").await.unwrap().unwrap().row.state,
            "submitted",
            "{name}"
        );
    }
}

/// Registers a UMKM in `region` and returns its id.
async fn umkm(store: &Store, region: &'static str, nib: &'static str) -> String {
    let cells = [
        ("kind", "umkm"),
        ("region_code", region),
        ("name", "Keripik Pisang Bu Sari"),
        ("nib", nib),
        ("owner_nik", "1801014508900001"),
        ("scale", "mikro"),
    ];
    let regions = Regions::embedded().unwrap();
    match store
        .register_beneficiary(&cells, &regions, &Scope::National)
        .await
        .unwrap()
    {
        Registered::Done { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_umkm_verified_a_class_up_counts_as_naik_kelas() {
    let catalog = catalog();
    let def = catalog.latest("data_tahunan_umkm").unwrap();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let up = umkm(&store, "18.01", "9120001234567").await;
        let down = umkm(&store, "18.01", "9120001234568").await;
        let unverified = umkm(&store, "18.01", "9120001234569").await;
        let elsewhere = umkm(&store, "18.71", "9120001234570").await;
        // (beneficiary, year, scale, verified)
        let years = [
            (&up, 2025, "mikro", true),
            (&up, 2026, "kecil", true),
            (&down, 2025, "menengah", true),
            (&down, 2026, "kecil", true),
            (&unverified, 2025, "mikro", true),
            (&unverified, 2026, "menengah", false),
            (&elsewhere, 2025, "mikro", true),
            (&elsewhere, 2026, "mikro", true),
        ];
        for (n, (id, year, scale, verified)) in years.into_iter().enumerate() {
            let case = format!("U-{n}");
            let region = if *id == elsewhere { "18.71" } else { "18.01" };
            store
                .open_case(
                    &Opening {
                        case_id: case.clone(),
                        program_id: None,
                        beneficiary_id: Some(id.clone()),
                        key: format!("open-{case}"),
                        region: Some(region.into()),
                        definition: def,
                        source: catalog.source("data_tahunan_umkm", def.version).unwrap(),
                    },
                    &cx(Role::ManagerRegency),
                )
                .await
                .unwrap();
            let inputs = [
                ("year", year.to_string()),
                ("active", "ya".into()),
                ("scale", scale.into()),
                ("workers", "9".into()),
                ("turnover_band", "sampai 2 miliar".into()),
            ];
            let by = (Role::ManagerRegency, "wulan");
            step(
                &store,
                &catalog,
                &case,
                &format!("{case}-s"),
                "submit",
                by,
                &inputs,
            )
            .await;
            if verified {
                let by = (Role::Verifier, "yusuf");
                step(
                    &store,
                    &catalog,
                    &case,
                    &format!("{case}-v"),
                    "verify",
                    by,
                    &[],
                )
                .await;
            }
        }
        let record = store.beneficiary_record(&up).await.unwrap().unwrap();
        let y = record.years.iter().find(|y| y.year == 2026).unwrap();
        assert_eq!(
            (y.scale.as_deref(), y.workers, y.turnover_band.as_deref()),
            (Some("small"), Some(9), Some("sampai 2 miliar")),
            "{name}"
        );
        let rows = store.umkm_classes(2026, &Scope::National).await.unwrap();
        let got: Vec<(&str, i64, i64, i64)> = rows
            .iter()
            .map(|r| (r.region.as_str(), r.compared, r.moved_up, r.moved_down))
            .collect();
        assert_eq!(got, [("18.01", 2, 1, 1), ("18.71", 1, 0, 0)], "{name}");
        // A kabupaten/kota reads its own; a UMKM is not a cooperative in the indicators.
        let region = pantau_domain::RegionCode::parse("18.71").unwrap();
        let mine = Scope::of(Role::ManagerRegency, Some(&region)).unwrap();
        assert_eq!(
            store.umkm_classes(2026, &mine).await.unwrap().len(),
            1,
            "{name}"
        );
        let coops = store.indicator_rows(2026, &Scope::National).await.unwrap();
        assert!(coops.is_empty(), "{name}: {coops:?}");
    }
}
