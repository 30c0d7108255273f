//! `/indikator` on the demo, on SQLite and PostgreSQL: each role reads it
//! within its region (a national reader a row per province and the
//! national row, a province's manager its kabupaten/kota and the province),
//! the page's figures are the report's, the targets that apply (a setting,
//! here overridden for Lampung) are shown per row, a bad year is refused by
//! name, and each figure's link lists in `/registri` exactly the
//! cooperatives it counted (the registry refusing a bad `tahun` or
//! `indikator` by name). In a real Chromium: from the menu to the page, a
//! click on a figure to the cooperatives behind it. With
//! `PANTAU_SHOTS=DIR` the pages are saved as PNGs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_report::gather::indicator_figures;
use pantau_report::indicators::Targets;
use support::Running;
use support::browser::{browser, click, shot, sign_in, wait_until};

fn targets() -> Targets {
    toml::from_str("min_verified = 2\n[[override]]\nprovince = \"18\"\nnew = 9.5\n").unwrap()
}

async fn spawn(db: support::db::TestDb) -> Running {
    support::spawn_with(db, |app| app.indicator_targets = Arc::new(targets())).await
}

/// The `href`s in `html` that start with `prefix`, unescaped.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + "href=\"".len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

/// The number in `html`'s `<p … id="jumlah">N penerima</p>`.
fn total(html: &str) -> i64 {
    let at = html.find("id=\"jumlah\">").expect("a count") + "id=\"jumlah\">".len();
    html[at..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_reads_the_indicators_of_its_region_and_each_figure_lists_its_cooperatives() {
    for db in support::db::test_databases().await {
        let app = spawn(db).await;
        let db = app.name;
        let year = 2026;
        // The Ministry: a row per province and the national row.
        let c = app.sign_in("kementerian").await;
        let (status, html) = support::text(&c, &app.url("/indikator?tahun=2026")).await;
        assert_eq!(status, 200, "{db}: {html}");
        let f = indicator_figures(&app.store, &Scope::National, year, &targets())
            .await
            .unwrap();
        assert!(!f.rows.is_empty(), "{db}: the demo's cooperatives");
        for p in f.rows.iter().map(|r| r.region.clone().unwrap()) {
            assert!(
                hrefs(&html, "/indikator?").contains(&format!("/indikator?tahun=2026&wilayah={p}")),
                "{db}: a link to province {p}"
            );
        }
        assert!(html.contains("Nasional"), "{db}");
        // Lampung's own target, the others the default.
        assert!(html.contains("target 9,50 %"), "{db}");
        assert!(html.contains("target 7,00 %"), "{db}");
        // English too.
        let (_, en) = support::text(&c, &app.url("/indikator?tahun=2026&lang=en")).await;
        assert!(
            en.contains("Cooperative indicators") && en.contains("National"),
            "{db}"
        );
        // A bad year, by name.
        let (status, bad) = support::text(&c, &app.url("/indikator?tahun=dua")).await;
        assert_eq!(status, 400, "{db}");
        assert!(bad.contains("tahun"), "{db}: {bad}");

        // Lampung's manager: its kabupaten/kota and Lampung, nothing of West Sumatra.
        let c = app.sign_in("pengelola.18").await;
        let (status, html) = support::text(&c, &app.url("/indikator?tahun=2026")).await;
        assert_eq!(status, 200, "{db}");
        assert!(
            !html.contains("wilayah=13"),
            "{db}: nothing of another province"
        );
        let scope = Scope::Region(RegionCode::parse("18").unwrap());
        let f = indicator_figures(&app.store, &scope, year, &targets())
            .await
            .unwrap();
        let lampung = f.total.as_ref().unwrap();
        assert_eq!(lampung.region.as_deref(), Some("18"), "{db}");
        // Every count's link lists exactly the cooperatives it counted.
        let links = hrefs(&html, "/registri?");
        for (filter, n) in [
            (
                "tahun=2026&indikator=aktif&wilayah=18",
                lampung.counts.active,
            ),
            (
                "tahun=2025&indikator=aktif&wilayah=18",
                lampung.counts.active_prev,
            ),
            ("tahun=2026&indikator=baru&wilayah=18", lampung.counts.new),
            ("tahun=2026&indikator=rat&wilayah=18", lampung.counts.rat),
            (
                "tahun=2026&indikator=tidak_aktif&wilayah=18",
                lampung.counts.inactive,
            ),
            (
                "tahun=2026&indikator=berkualitas&wilayah=18",
                lampung.counts.quality,
            ),
        ] {
            let href = format!("/registri?{filter}");
            assert!(links.contains(&href), "{db}: {href} among {links:?}");
            let (status, list) = support::text(&c, &app.url(&href)).await;
            assert_eq!(status, 200, "{db}");
            assert_eq!(total(&list), n, "{db}: {filter}");
            assert!(list.contains("id=\"saringan-indikator\""), "{db}");
        }
        assert!(lampung.counts.active > 0, "{db}: the demo has cooperatives");
        for (q, field) in [
            ("tahun=2026&indikator=semua", "indikator"),
            ("tahun=dua&indikator=aktif", "tahun"),
            ("tahun=2026", "indikator"),
        ] {
            let (status, bad) = support::text(&c, &app.url(&format!("/registri?{q}"))).await;
            assert_eq!(status, 400, "{db}: {q}");
            assert!(bad.contains(field), "{db}: {q}: {bad}");
        }
        // A field officer reads its own kabupaten/kota.
        let c = app.sign_in("petugas.1871").await;
        let (status, html) = support::text(&c, &app.url("/indikator?tahun=2026")).await;
        assert_eq!(status, 200, "{db}");
        assert!(html.contains("wilayah=18.71"), "{db}");
        assert!(!html.contains("wilayah=18.01"), "{db}");
        let (status, _) = support::text(&c, &app.url("/indikator?wilayah=18.01")).await;
        assert_eq!(status, 400, "{db}: not its region");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_clicks_a_figure_to_the_cooperatives_behind_it_in_the_browser() {
    let Some((c, _driver)) = browser(1400, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = spawn(db).await;
        let db = app.name;
        sign_in(&c, &app, "pengelola.18").await;
        click(&c, "nav a[href='/indikator']").await;
        let html = wait_until(&c, |url, _| url.ends_with("/indikator")).await;
        assert!(html.contains("id=\"indikator\""), "{db}: the table");
        shot(&c, "indikator").await;
        // The province's row (the last) and its active cooperatives.
        let scope = Scope::Region(RegionCode::parse("18").unwrap());
        let f = indicator_figures(&app.store, &scope, 2026, &targets())
            .await
            .unwrap();
        let active = f.total.unwrap().counts.active;
        click(&c, "#indikator tr.total td:nth-of-type(2) a").await;
        let list = wait_until(&c, |url, _| url.contains("indikator=aktif")).await;
        assert_eq!(total(&list), active, "{db}");
        assert!(list.contains("id=\"saringan-indikator\""), "{db}");
        shot(&c, "indikator-registri").await;
        c.goto(&app.url("/keluar")).await.ok();
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.ok();
}
