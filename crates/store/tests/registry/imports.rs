//! Imports through the store: batches that keep every good row once, and
//! files as offices save them.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_in_batches_keeps_every_good_row_once_and_what_it_wrote_before_a_failure() {
    for db in db::test_databases().await {
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        // 2,500 rows in batches of 1,000: two written while the next is read, then the rest.
        let csv = umkm_csv(2_500, 1_234);
        let mut refused = vec![];
        let tally = import(&store, csv.as_bytes(), &mut refused).await.unwrap();
        assert_eq!(
            (tally.rows, tally.new, tally.refused),
            (2_500, 2_499, 1),
            "{}",
            db.name
        );
        assert_eq!(refused, [(1_236, "nib".to_string())], "{}", db.name);
        assert_eq!(
            store.beneficiary_count().await.unwrap(),
            2_499,
            "{}",
            db.name
        );
        // Again: nothing new.
        let again = import(&store, csv.as_bytes(), &mut vec![]).await.unwrap();
        assert_eq!(again.new, 0, "{}", db.name);

        // A file that breaks off after 2,600 of its 2,999 new rows: the two full
        // batches read before the failure are written, the error is returned.
        let more: String = umkm_csv(5_500, usize::MAX)
            .lines()
            .enumerate()
            .filter(|(i, _)| *i == 0 || *i > 2_500)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let cut = more.match_indices('\n').nth(2_600).unwrap().0;
        let failing = FailsAfter {
            data: more.as_bytes(),
            left: cut,
        };
        let err = import(&store, failing, &mut vec![]).await.unwrap_err();
        assert!(err.to_string().contains("the disk went away"), "{err}");
        assert_eq!(
            store.beneficiary_count().await.unwrap(),
            2_499 + 2_000,
            "{}: the batches read before the failure are kept",
            db.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reads_files_as_offices_save_them() {
    for db in db::test_databases().await {
        let name = db.name;
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        let mut refused = vec![];
        let tally = import(&store, EXCEL_ID, &mut refused).await.unwrap();
        assert_eq!(
            (tally.rows, tally.new, tally.refused),
            (6, 2, 4),
            "{name}: {refused:?}"
        );
        let refused: Vec<(u64, &str)> = refused.iter().map(|(l, c)| (*l, c.as_str())).collect();
        assert_eq!(
            refused,
            [(4, "owner_nik"), (5, "#12"), (6, "owner_nik"), (8, "lon")],
            "{name}"
        );
        assert_eq!(
            beneficiary(&store, "name", "umkm:9120001234501").await,
            "Kopi René Müller",
            "{name}"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM beneficiaries WHERE nib = '9120001234501' \
                 AND lat_micro = -5429200 AND lon_micro = 105261900"
            )
            .await,
            1,
            "{name}: the decimal commas are read"
        );
        assert_eq!(
            beneficiary(&store, "region_code", "umkm:9120001234502").await,
            "18.10",
            "{name}"
        );

        // UTF-8 with a BOM, tabs: invisible characters and two spellings of
        // `é` (e + combining accent, and one character) are one name.
        let tabs = "\u{feff}kind\tregion_code\tname\tnik\tmarket_location\n\
                    pkl\t13.72\tSiti\u{200B} Aminah\u{00A0}\t1372016506950003\tPasar Raya Jose\u{301}\n\
                    pkl\t13.72\tSiti Aminah\t1372016506950003\tPASAR RAYA JOSÉ\n";
        let mut refused = vec![];
        let tally = import(&store, tabs.as_bytes(), &mut refused).await.unwrap();
        assert_eq!((tally.rows, tally.new), (2, 1), "{name}: {refused:?}");
        let key = "pkl:1372016506950003:pasar raya josé";
        assert_eq!(
            beneficiary(&store, "name", key).await,
            "Siti Aminah",
            "{name}"
        );

        // Neither UTF-8 nor Windows-1252, or a workbook: refused at once, one line.
        for bytes in [
            &b"kind,region_code,name\numkm,18.71,\x81\x8d\xe9\n"[..],
            b"PK\x03\x04\x14\x00\x06\x00",
        ] {
            let before = store.beneficiary_count().await.unwrap();
            match import(&store, bytes, &mut vec![]).await {
                Err(pantau_store::registry::import::ImportError::NotText(line)) => {
                    assert!(line.contains("CSV UTF-8") && !line.contains('\n'), "{line}")
                }
                other => panic!("{name}: {other:?}"),
            }
            assert_eq!(store.beneficiary_count().await.unwrap(), before, "{name}");
        }
    }
}
