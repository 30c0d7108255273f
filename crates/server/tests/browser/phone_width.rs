//! At a phone's 390 CSS px, really (device emulation: a headless Chromium
//! window is never narrower than about 500 px): no page a phone user opens
//! scrolls sideways (tables scroll in their own box), and the case list's
//! filters fold behind "Saring" unless one is set.

use fantoccini::{Client, Locator};
use serde_json::json;

use super::proposal::MANAGER;
use super::support::browser::{
    browser, client_width, layout_width, page_width, resize, shot, sign_in,
};
use super::support::{self, Running, phone};

/// The page at `path` is laid out 390 px wide and reaches no further (a
/// phone lays out wider, as if zoomed out, a page whose content is wider).
async fn fits(c: &Client, app: &Running, path: &str, picture: &str) {
    c.goto(&app.url(path)).await.unwrap();
    let ctx = format!("{} {path}", app.name);
    let (laid, client, wide) = (
        layout_width(c).await,
        client_width(c).await,
        page_width(c).await,
    );
    if (laid, client, wide) != (390, 390, 390) {
        let culprits = c
            .execute(
                r#"return [...document.querySelectorAll('body *')]
                     .filter(e => e.getBoundingClientRect().right > 391 && !e.parentElement.closest('.scroll:not(:has(> table.list)), .graph-box'))
                     .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right));"#,
                vec![],
            )
            .await
            .unwrap();
        panic!("{ctx}: laid out at {laid} px, {client} px inside, {wide} px reached: {culprits}");
    }
    shot(c, &format!("telepon-{picture}-{}", app.name)).await;
}

/// Whether the case list's search field is shown.
async fn search_shown(c: &Client) -> bool {
    c.execute(
        "const f = document.getElementById('f-cari'); return f.checkVisibility() && f.closest('details').open;",
        vec![],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_390_px_no_page_scrolls_sideways_and_the_filters_fold() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let name = app.name;
        let admin = app.token("admin").await;
        let (_, verified) = app
            .get(
                &admin,
                "/api/cases?program=bansos-kud-2026-lampung&state=verified",
            )
            .await;
        let case = verified["items"][0]["id"].as_str().unwrap().to_string();

        sign_in(&c, &app, "pengelola.18").await;
        fits(&c, &app, "/", "dasbor").await;
        fits(&c, &app, "/kasus", "kasus-daftar").await;
        // Folded on a phone with no filter set; "Saring" opens them.
        assert!(!search_shown(&c).await, "{name}: folded");
        c.find(Locator::Css("#saringan > summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(search_shown(&c).await, "{name}: opened by its summary");
        assert!(page_width(&c).await <= 390, "{name}: the filters fit");
        shot(&c, &format!("telepon-saringan-{name}")).await;
        // Open when a filter is set, and says how many.
        fits(
            &c,
            &app,
            "/kasus?state=verified&uang=disetujui",
            "kasus-saring",
        )
        .await;
        assert!(search_shown(&c).await, "{name}: open with filters set");
        let summary = c
            .find(Locator::Css("#saringan > summary"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(summary, "Saring 2 aktif", "{name}");
        fits(&c, &app, &format!("/kasus/{case}"), "kasus").await;
        fits(
            &c,
            &app,
            &format!("/kasus/{case}?aksi=approve_by_decree"),
            "kasus-aksi",
        )
        .await;
        c.delete_all_cookies().await.unwrap();

        // The Ministry's summary of provinces.
        sign_in(&c, &app, "kementerian").await;
        fits(&c, &app, "/", "dasbor-nasional").await;
        c.delete_all_cookies().await.unwrap();

        // A kabupaten/kota manager's proposal, its three steps.
        sign_in(&c, &app, MANAGER).await;
        fits(&c, &app, "/usulan/baru", "usulan").await;
        fits(
            &c,
            &app,
            "/usulan/baru?program=bansos-kud-2026-lampung&wilayah=18.71&cari=koperasi",
            "usulan-cari",
        )
        .await;
        c.delete_all_cookies().await.unwrap();

        // A field officer's visits.
        let officer = phone::officers(&app).await.remove(0);
        sign_in(&c, &app, &officer).await;
        fits(&c, &app, "/kunjungan", "kunjungan").await;
        c.delete_all_cookies().await.unwrap();

        // On a wide screen the filters are open without being asked.
        resize(&c, 1280, 900).await;
        sign_in(&c, &app, "pengelola.18").await;
        c.goto(&app.url("/kasus")).await.unwrap();
        assert_eq!(layout_width(&c).await, 1280, "{name}");
        assert!(search_shown(&c).await, "{name}: open at 1280 px");
        let open = c
            .execute("return document.getElementById('saringan').open;", vec![])
            .await
            .unwrap();
        assert_eq!(open, json!(true), "{name}");
        c.delete_all_cookies().await.unwrap();
        resize(&c, 390, 844).await;
    }
    c.close().await.unwrap();
}
