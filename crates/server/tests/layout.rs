//! Layouts in a real headless Chromium, at a phone's 390 px and a laptop's
//! 1366 px: every column of the dashboard's tables can be reached (the
//! table scrolls inside its box, which says so), and a field officer's case
//! page says who and where the beneficiary is, with the visit dated today.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::Client;
use serde_json::{Value, json};
use support::Running;
use support::browser::{browser, layout_width, shot_here as shot, sign_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_can_be_reached_at_phone_and_laptop_widths() {
    for width in [390, 1366] {
        let Some((c, _driver)) = browser(width, 900).await else {
            return;
        };
        for db in support::db::test_databases().await {
            let app = support::spawn(db).await;
            let ctx = format!("{} at {width} px", app.name);
            sign_in(&c, &app, "pengelola.18").await;
            c.goto(&app.url("/")).await.unwrap();
            assert_eq!(
                layout_width(&c).await,
                i64::from(width),
                "{ctx}: laid out at {width} px"
            );
            shot(&c, &format!("{}-dasbor-{width}", app.name)).await;
            let boxes = last_columns(&c).await;
            let boxes = boxes.as_array().unwrap();
            assert!(
                boxes.len() >= 2,
                "{ctx}: the stage and money tables: {boxes:?}"
            );
            for b in boxes {
                assert_eq!(b["reached"], json!(true), "{ctx}: {b}");
                // A table wider than its box fades at that side and says it scrolls.
                let wider = b["scroll"].as_i64().unwrap() > b["client"].as_i64().unwrap() + 2;
                assert_eq!(b["hinted"], json!(wider), "{ctx}: {b}");
            }
            // The page itself never scrolls sideways: only the tables do.
            let page = c
                .execute(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                page.as_i64().unwrap() <= 1,
                "{ctx}: the page is {page} px too wide"
            );
            c.delete_all_cookies().await.unwrap();
        }
        c.close().await.unwrap();
    }
}

/// For each scrolling table of the page: scrolled to its end, whether its
/// last header cell lies inside the box; its widths; and whether the box
/// was marked as having more to its right before scrolling.
async fn last_columns(c: &Client) -> Value {
    c.execute(
        r#"return [...document.querySelectorAll('.scroll')].filter(b => b.querySelector('thead')).map(b => {
             const hinted = b.classList.contains('more-right');
             const th = [...b.querySelectorAll('thead th')].pop();
             b.scrollLeft = b.scrollWidth;
             const box = b.getBoundingClientRect(), cell = th.getBoundingClientRect();
             const reached = cell.right <= box.right + 1 && cell.left >= box.left - 1;
             b.scrollLeft = 0;
             return { reached, hinted, scroll: b.scrollWidth, client: b.clientWidth, last: th.textContent.trim() };
           })"#,
        vec![],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_officer_sees_where_to_go_and_the_visit_dated_today() {
    let Some((c, _driver)) = browser(390, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        officer_page(&c, &app).await;
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.unwrap();
}

async fn officer_page(c: &Client, app: &Running) {
    let name = app.name;
    // A disbursed bansos case waits for its monev visit; its officer goes there.
    let token = app.token("verifikator.18").await;
    let (_, list) = app
        .get(
            &token,
            "/api/cases?program=bansos-kud-2026-lampung&state=disbursed",
        )
        .await;
    let case = list["items"][0]["id"].as_str().unwrap().to_string();
    let (_, detail) = app.get(&token, &format!("/api/cases/{case}")).await;
    let officer = detail["officer"].as_str().unwrap().to_string();
    let beneficiary = detail["beneficiary_name"].as_str().unwrap().to_string();

    sign_in(c, app, &officer).await;
    c.goto(&app.url(&format!("/kasus/{case}?aksi=record_monev")))
        .await
        .unwrap();
    assert_eq!(layout_width(c).await, 390, "{name}: a phone's width");
    let seen = c
        .execute(
            r#"const card = document.getElementById('penerima');
               const map = card && card.querySelector('a.map-link');
               const date = document.querySelector('input[type=date][name="f.visit_date"]');
               return {
                 card: card ? card.innerText : null,
                 map: map ? map.getAttribute('href') : null,
                 date: date ? date.value : null,
                 visible: card ? card.getBoundingClientRect().width > 0 : false,
               };"#,
            vec![],
        )
        .await
        .unwrap();
    shot(c, &format!("{name}-kasus-petugas-390")).await;
    let card = seen["card"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no beneficiary card: {seen}"));
    assert!(card.contains(&beneficiary), "{name}: {card}");
    assert!(
        card.to_lowercase().contains("kabupaten/kota"),
        "{name}: {card}"
    );
    assert_eq!(seen["visible"], json!(true), "{name}");
    // The registered point as a link to the map, or said to be missing.
    match seen["map"].as_str() {
        Some(href) => {
            assert!(
                href.starts_with("https://www.openstreetmap.org/?mlat="),
                "{name}: {href}"
            );
            assert!(href.contains("&mlon="), "{name}: {href}");
        }
        None => assert!(card.contains("belum terdaftar"), "{name}: {card}"),
    }
    // The visit is dated today in the officer's zone (Lampung: WIB).
    let today = chrono::Utc::now()
        .with_timezone(&pantau_domain::Zone::Wib.offset())
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(seen["date"], json!(today), "{name}: {seen}");
}
