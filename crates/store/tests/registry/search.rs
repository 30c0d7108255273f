//! Finding a beneficiary by a few keystrokes, and registering one the way
//! an imported row is checked.

use pantau_domain::RegionCode;
use pantau_store::registry::search::Registered;

use super::*;

fn regency(code: &str) -> Scope {
    Scope::Region(RegionCode::parse(code).unwrap())
}

async fn names(
    store: &Store,
    scope: &Scope,
    query: &str,
    kind: Option<&str>,
    region: Option<&str>,
) -> Vec<String> {
    store
        .search_beneficiaries(scope, query, kind, region, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_finds_by_part_of_a_name_or_the_start_of_a_number_within_its_region_and_kind() {
    for db in db::test_databases().await {
        let name = db.name;
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        // 2,000 UMKM in 18.02 ("Usaha 0" … "Usaha 1999"), then a few by hand.
        import(&store, umkm_csv(2_000, usize::MAX).as_bytes(), &mut vec![])
            .await
            .unwrap();
        let regions = pantau_registry::regions::Regions::embedded().unwrap();
        let national = Scope::National;
        for cells in [
            [
                ("kind", "cooperative"),
                ("region_code", "18.71"),
                ("name", "KSP Mitra Usaha 100%"),
                ("nik_koperasi", "1871020030000123"),
                ("legal_entity_number", "123/BH/X.3/2015"),
                ("coop_kind", "KSP"),
                ("members", "214"),
                ("active", "ya"),
            ],
            [
                ("kind", "cooperative"),
                ("region_code", "18.02"),
                ("name", "Koperasi Tani Makmur"),
                ("nik_koperasi", "1802020030000999"),
                ("legal_entity_number", "77/BH/X.3/2019"),
                ("coop_kind", "KUD"),
                ("members", "40"),
                ("active", "ya"),
            ],
        ] {
            let done = store
                .register_beneficiary(&cells, &regions, &national)
                .await
                .unwrap();
            assert!(
                matches!(done, Registered::Done { new: true, .. }),
                "{name}: {done:?}"
            );
        }

        // Part of a name, any case, every word; by name.
        let many = names(&store, &national, "usaha 199", None, None).await;
        assert_eq!(many.len(), 10, "{name}: ten at most: {many:?}");
        assert!(many.iter().all(|n| n.contains("199")), "{name}: {many:?}");
        assert_eq!(
            names(&store, &national, "usaha 1998", None, None).await,
            ["Usaha 1998"],
            "{name}"
        );
        assert_eq!(
            names(&store, &national, "MITRA usaha", None, None).await,
            ["KSP Mitra Usaha 100%"],
            "{name}"
        );
        // `%` and `_` are letters, not wildcards.
        assert_eq!(
            names(&store, &national, "100%", None, None).await,
            ["KSP Mitra Usaha 100%"],
            "{name}"
        );
        assert!(names(&store, &national, "1_0", None, None).await.is_empty());
        // The start of a number: NIK Koperasi, NIB.
        assert_eq!(
            names(&store, &national, "18020200", None, None).await,
            ["Koperasi Tani Makmur"],
            "{name}"
        );
        assert_eq!(
            names(&store, &national, "1000000001999", None, None).await,
            ["Usaha 1999"],
            "{name}"
        );
        // Only the kind asked for, only the kabupaten/kota asked for.
        assert_eq!(
            names(&store, &national, "usaha", Some("cooperative"), None).await,
            ["KSP Mitra Usaha 100%"],
            "{name}"
        );
        assert_eq!(
            names(&store, &national, "ma", Some("cooperative"), Some("18.02")).await,
            ["Koperasi Tani Makmur"],
            "{name}"
        );
        // Within the reader's region only: Bandar Lampung's manager finds
        // nothing of Lampung Selatan, whatever region is asked for.
        let city = regency("18.71");
        assert_eq!(
            names(&store, &city, "usaha", None, None).await,
            ["KSP Mitra Usaha 100%"],
            "{name}"
        );
        assert!(
            names(&store, &city, "tani", None, Some("18.02"))
                .await
                .is_empty(),
            "{name}"
        );
        assert_eq!(
            names(&store, &regency("18"), "tani", None, None).await,
            ["Koperasi Tani Makmur"],
            "{name}: a province covers its kabupaten/kota"
        );
        // Nothing typed, nothing found.
        assert!(names(&store, &national, "   ", None, None).await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_one_beneficiary_checks_it_as_an_import_does_and_finds_it_again() {
    for db in db::test_databases().await {
        let name = db.name;
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        let regions = pantau_registry::regions::Regions::embedded().unwrap();
        let scope = regency("18.02");
        let umkm = |nib: &'static str, region: &'static str| {
            [
                ("kind", "umkm"),
                ("region_code", region),
                ("name", "Keripik Bu Sri"),
                ("nib", nib),
                ("owner_nik", "1802014505850001"),
                ("scale", "mikro"),
            ]
        };
        // A short NIB and a region outside the reader's: each named by its column.
        let refused = store
            .register_beneficiary(&umkm("123", "18.02"), &regions, &scope)
            .await
            .unwrap();
        let Registered::Refused(problems) = refused else {
            panic!("{name}: {refused:?}")
        };
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert_eq!(problems[0].column, "nib", "{name}");
        let outside = store
            .register_beneficiary(&umkm("9120001234501", "18.71"), &regions, &scope)
            .await
            .unwrap();
        assert!(
            matches!(&outside, Registered::Refused(p) if p[0].column == "region_code"),
            "{name}: {outside:?}"
        );
        assert_eq!(store.beneficiary_count().await.unwrap(), 0, "{name}");

        let first = store
            .register_beneficiary(&umkm("9120001234501", "18.02"), &regions, &scope)
            .await
            .unwrap();
        let Registered::Done { id, new: true } = first else {
            panic!("{name}: {first:?}")
        };
        let again = store
            .register_beneficiary(&umkm("9120001234501", "18.02"), &regions, &scope)
            .await
            .unwrap();
        assert_eq!(
            again,
            Registered::Done {
                id: id.clone(),
                new: false
            },
            "{name}"
        );
        let row = store.beneficiary(&id).await.unwrap().unwrap();
        assert_eq!(
            (row.kind.as_str(), row.name.as_str(), row.scale.as_deref()),
            ("umkm", "Keripik Bu Sri", Some("micro")),
            "{name}"
        );

        // The same NIB registered in Bandar Lampung is not found from Lampung Selatan.
        let elsewhere = regency("18.71");
        let other = store
            .register_beneficiary(&umkm("9120001234777", "18.71"), &regions, &elsewhere)
            .await
            .unwrap();
        assert!(matches!(other, Registered::Done { new: true, .. }));
        let taken = store
            .register_beneficiary(&umkm("9120001234777", "18.02"), &regions, &scope)
            .await
            .unwrap();
        assert!(
            matches!(&taken, Registered::Refused(p) if p[0].column == "nib"),
            "{name}: {taken:?}"
        );
    }
}
