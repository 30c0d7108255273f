//! A beneficiary's desa/kelurahan through the store: imported (an old code
//! kept as the current one, a desa outside the kabupaten/kota refused, a
//! Merah Putih cooperative without one refused), corrected with the change
//! recorded, and the Merah Putih cooperatives of a kabupaten/kota read in
//! one query within a scope.

use pantau_store::registry::{Author, Correction, Standing};

use super::*;

const CSV: &str = "\
jenis,kode_wilayah,nama,nik_koperasi,nomor_badan_hukum,jenis_koperasi,jumlah_anggota,aktif,nik,kode_desa
koperasi,18.72,Kopdes Merah Putih Metro,1872000042000001,AHU-1.AH.01.29.TAHUN 2025,merah_putih,40,ya,,1872011001
koperasi,18.72,Kopdes Merah Putih Kedua,1872000042000002,AHU-2.AH.01.29.TAHUN 2025,merah putih,41,ya,,18.72.01.1001
koperasi,18.72,Kopdes Merah Putih Tanpa Desa,1872000042000003,AHU-3.AH.01.29.TAHUN 2025,merah_putih,42,ya,,
koperasi,18.72,Kopdes Merah Putih Salah,1872000042000004,AHU-4.AH.01.29.TAHUN 2025,merah_putih,43,ya,,18.71.01.1001
wirausaha,96.01,Yusuf Sorong,,,,,,9601011508900001,92.01.01.2002
koperasi,18.72,KSP Tanpa Desa,1872000042000005,AHU-5.AH.01.29.TAHUN 2025,ksp,44,ya,,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desa_codes_are_imported_corrected_and_read_by_kabupaten_kota() {
    for db in db::test_databases().await {
        let name = db.name;
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        let mut refused = vec![];
        let tally = import(&store, CSV.as_bytes(), &mut refused).await.unwrap();
        assert_eq!((tally.rows, tally.new, tally.refused), (6, 4, 2), "{name}");
        assert_eq!(
            refused,
            [(4, "kode_desa".to_string()), (5, "kode_desa".to_string())],
            "{name}"
        );
        assert_eq!(
            beneficiary(&store, "desa_code", "koperasi:1872000042000001").await,
            "18.72.01.1001",
            "{name}: kept dotted"
        );
        // The old code is kept as the one it has now.
        assert_eq!(
            beneficiary(&store, "desa_code", "wirausaha:9601011508900001").await,
            "96.01.01.2002",
            "{name}"
        );
        let metro = pantau_domain::RegionCode::parse("18.72").unwrap();
        let national = pantau_domain::access::Scope::National;
        let found = store.merah_putih_in(&metro, &national).await.unwrap();
        let names: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|c| (c.name.as_str(), c.desa_code.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Kopdes Merah Putih Kedua", Some("18.72.01.1001")),
                ("Kopdes Merah Putih Metro", Some("18.72.01.1001")),
            ],
            "{name}: the KSP is not one"
        );
        // Another kabupaten/kota's reader sees none of them.
        let elsewhere = pantau_domain::access::Scope::Region(
            pantau_domain::RegionCode::parse("18.71").unwrap(),
        );
        assert!(
            store
                .merah_putih_in(&metro, &elsewhere)
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );

        // A correction of the desa is recorded like the others.
        let id = found[0].id.clone();
        let before = store.beneficiary(&id).await.unwrap().unwrap();
        let c = Correction {
            name: before.name.clone(),
            address: before.address.clone(),
            phone: before.phone.clone(),
            location: None,
            desa: Some("18.72.02.1001".into()),
            standing: Standing::of(&before),
            reason: "salah ketik desa".into(),
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap();
        let by = Author { login: "op", at };
        let changed = store.correct_beneficiary(&id, &c, by).await.unwrap();
        assert_eq!(changed, Some(vec!["desa"]), "{name}");
        let after = store.beneficiary(&id).await.unwrap().unwrap();
        assert_eq!(after.desa_code.as_deref(), Some("18.72.02.1001"), "{name}");
        let history = store.beneficiary_changes(Some(&id)).await.unwrap();
        let desa: Vec<_> = history
            .iter()
            .map(|h| {
                (
                    h.field.as_str(),
                    h.old_value.as_deref(),
                    h.new_value.as_deref(),
                    h.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            desa,
            [(
                "desa",
                Some("18.72.01.1001"),
                Some("18.72.02.1001"),
                "salah ketik desa"
            )],
            "{name}"
        );
        // The same again changes nothing.
        let again = store.correct_beneficiary(&id, &c, by).await.unwrap();
        assert_eq!(again, Some(vec![]), "{name}");
        // Dissolved, it covers no desa any more.
        let dissolved = Correction {
            standing: Standing::Dissolved,
            ..c
        };
        store
            .correct_beneficiary(&id, &dissolved, by)
            .await
            .unwrap();
        let left = store.merah_putih_in(&metro, &national).await.unwrap();
        assert_eq!(left.len(), 1, "{name}");
        assert_ne!(left[0].id, id, "{name}");
    }
}
