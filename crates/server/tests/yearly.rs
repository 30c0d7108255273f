//! The yearly data import as a page, in a real Chromium on SQLite and
//! PostgreSQL: a kabupaten/kota manager goes from the import page to the
//! yearly one, chooses the data tahunan program, sends an office's CSV
//! and reads how many cases it made; a file with a bad row is refused
//! whole, its line, column and reason shown, and nothing applied. With
//! `PANTAU_SHOTS=DIR` the pages are saved as PNGs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use support::browser::{browser, choose, click, shot, sign_in, type_in, wait_until};

const HEADER: &str = "nik_koperasi;tahun;aktif;rat;tanggal_rat;jumlah_anggota;modal_sendiri;modal_luar;aset;volume_usaha;shu;kesehatan_ksp";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sends_a_yearly_file_and_reads_the_result() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let db = app.name;
        let scope = Scope::Region(RegionCode::parse("18.71").unwrap());
        let coops = app
            .store
            .beneficiary_page(&scope, Some("cooperative"), None, 1, 2)
            .await
            .unwrap()
            .items;
        assert_eq!(coops.len(), 2, "{db}");
        let nik = |i: usize| coops[i].nik_koperasi.clone().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("tahunan-metro.csv");
        std::fs::write(
            &good,
            format!(
                "{HEADER}\n{};2025;ya;ya;14/03/2026;214;Rp 1.250.000.000;300.000.000;1.730.000.000;2.100.000.000;(12.500.000);sehat\n{};2025;ya;tidak;;530;500.000.000;0;600.000.000;900.000.000;15.000.000;\n",
                nik(0),
                nik(1)
            ),
        )
        .unwrap();
        let bad = dir.path().join("tahunan-salah.csv");
        std::fs::write(
            &bad,
            format!(
                "{HEADER}\n{};2024;ya;ya;;214;1;1;1;1;1;\n{};2099;ya;ya;;530;1;1;1;1;1;\n",
                nik(0),
                nik(1)
            ),
        )
        .unwrap();
        let sent_before = sent(&app).await;

        sign_in(&c, &app, "pengelola.1871").await;
        c.goto(&app.url("/impor")).await.unwrap();
        click(&c, "a[href='/impor/tahunan']").await;
        wait_until(&c, |url, _| url.ends_with("/impor/tahunan")).await;
        choose(&c, "#program", "data-tahunan-2026-lampung").await;
        type_in(&c, "#file", &good.display().to_string()).await;
        click(&c, "form[action='/impor/tahunan'] button.primary").await;
        let html = wait_until(&c, |_, src| src.contains("id=\"hasil\"")).await;
        assert!(html.contains("tahunan-metro.csv"), "{db}: {html}");
        assert!(
            html.contains("<strong class=\"made\">2</strong>"),
            "{db}: two cases made: {html}"
        );
        shot(&c, "tahunan-dikirim").await;
        assert_eq!(sent(&app).await, sent_before + 2, "{db}");

        // The bad file: refused whole, by line and column.
        c.goto(&app.url("/impor/tahunan?program=data-tahunan-2026-lampung"))
            .await
            .unwrap();
        type_in(&c, "#file", &bad.display().to_string()).await;
        click(&c, "form[action='/impor/tahunan'] button.primary").await;
        let html = wait_until(&c, |_, src| src.contains("id=\"hasil\"")).await;
        assert!(html.contains("Berkas ditolak"), "{db}: {html}");
        assert!(
            html.contains("<td class=\"num\">3</td><td><code>tahun</code></td>"),
            "{db}: line 3, column tahun: {html}"
        );
        assert!(html.contains("2099"), "{db}: the reason names the value");
        shot(&c, "tahunan-ditolak").await;
        assert_eq!(sent(&app).await, sent_before + 2, "{db}: nothing applied");
        c.goto(&app.url("/keluar")).await.ok();
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.ok();
}

/// Yearly data cases sent for verification, all regions.
async fn sent(app: &support::Running) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .store
        .connection()
        .query_one_raw(Statement::from_string(
            app.store.backend(),
            "SELECT COUNT(*) FROM cases WHERE workflow = 'data_tahunan' AND state = 'submitted'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}
