//! `pantau import yearly` through the real binary, on SQLite and
//! PostgreSQL: a kabupaten/kota manager's file of yearly data becomes
//! cases sent for verification, the same file again changes nothing, and
//! a file with a bad row is refused whole with its line and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
mod support;

use std::process::{Command, Output, Stdio};

use sea_orm::{ConnectionTrait, Statement};
use support::repo;

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pantau"))
        .current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .env("PANTAU_PASSWORD", "kata-sandi-yang-panjang-sekali")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn count(url: &str, sql: &str) -> i64 {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

const COOPERATIVES: &str = "\
kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active
cooperative,18.71,KSP Mitra Usaha Mandiri,1871020030000123,123/BH/X.3/2015,KSP,214,ya
cooperative,18.71,KUD Sinar Tani,1871020030000124,45/BH/X.3/1998,KUD,530,ya
";

const YEARLY: &str = "\
nik_koperasi;tahun;aktif;rat;tanggal_rat;jumlah_anggota;modal_sendiri;modal_luar;aset;volume_usaha;shu;kesehatan_ksp
1871020030000123;2025;ya;ya;14/03/2026;214;Rp 1.250.000.000;300.000.000;1.730.000.000;2.100.000.000;(12.500.000);sehat
1871020030000124;2025;ya;tidak;;530;500.000.000;0;600.000.000;900.000.000;15.000.000;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yearly_file_is_sent_once_and_a_bad_one_not_at_all() {
    for t in db::test_databases().await {
        let name = t.name;
        let dir = tempfile::tempdir().unwrap();
        let coops = dir.path().join("koperasi.csv");
        std::fs::write(&coops, COOPERATIVES).unwrap();
        let out = run(
            &t.url,
            &["import", "beneficiaries", coops.to_str().unwrap()],
        );
        assert!(out.status.success(), "{name}: {}", text(&out));
        for args in [
            &[
                "program",
                "add",
                "tahunan-2025",
                "--workflow",
                "data_tahunan",
                "--name",
                "Data Tahunan 2025",
                "--year",
                "2025",
                "--ceiling",
                "0",
                "--province",
                "18",
            ][..],
            &[
                "user",
                "add",
                "wulan",
                "--name",
                "Wulan",
                "--email",
                "wulan@dinas.example",
                "--role",
                "manager_regency",
                "--region",
                "18.71",
            ][..],
        ] {
            let out = run(&t.url, args);
            assert!(out.status.success(), "{name}: {args:?}: {}", text(&out));
        }
        let file = dir.path().join("tahunan-metro.csv");
        std::fs::write(&file, YEARLY).unwrap();
        let args = [
            "import",
            "yearly",
            file.to_str().unwrap(),
            "--program",
            "tahunan-2025",
            "--as",
            "wulan",
        ];
        let out = run(&t.url, &args);
        assert!(out.status.success(), "{name}: {}", text(&out));
        assert!(
            text(&out).contains("2 rows read: 2 case(s) made and sent for verification"),
            "{name}: {}",
            text(&out)
        );
        let sent =
            "SELECT COUNT(*) FROM events e WHERE e.action = 'submit' AND e.actor_user = 'wulan'";
        assert_eq!(count(&t.url, sent).await, 2, "{name}");

        let again = run(&t.url, &args);
        assert!(again.status.success(), "{name}: {}", text(&again));
        assert!(
            text(&again).contains("this file was imported before"),
            "{name}: {}",
            text(&again)
        );
        assert_eq!(
            count(&t.url, "SELECT COUNT(*) FROM cases").await,
            2,
            "{name}"
        );

        let bad = dir.path().join("salah.csv");
        std::fs::write(
            &bad,
            YEARLY
                .replace("2025;ya;tidak", "2024;ya;tidak")
                .replace("(12.500.000)", "dua belas"),
        )
        .unwrap();
        let out = run(
            &t.url,
            &[
                "import",
                "yearly",
                bad.to_str().unwrap(),
                "--program",
                "tahunan-2025",
                "--as",
                "wulan",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out));
        assert!(
            text(&out).contains("line 2, column shu:"),
            "{name}: {}",
            text(&out)
        );
        assert!(text(&out).contains("nothing was applied"), "{name}");
        assert_eq!(
            count(&t.url, "SELECT COUNT(*) FROM cases").await,
            2,
            "{name}"
        );
    }
}
