//! `/registri/desa`: Kota Metro's kelurahan, by kecamatan, with the demo's
//! Merah Putih cooperatives (four kelurahan with none, one with two),
//! counted and narrowed; bad choices refused by name; the card names a
//! beneficiary's desa and kecamatan; a correction of the desa is checked
//! (in the kabupaten/kota; required of a Merah Putih cooperative) and
//! recorded. In Chromium: from the registry list to the page, narrowed to
//! the kelurahan without one.

use pantau_registry::villages::Villages;

use super::*;

/// The `data-desa` rows of a coverage page, each with its state.
fn rows(html: &str) -> Vec<(String, String)> {
    html.match_indices("<tr class=\"desa-")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            let state = rest[..rest.find('"').unwrap()].to_string();
            let code_at = rest.find("data-desa=\"").unwrap() + "data-desa=\"".len();
            let code = rest[code_at..code_at + 13].to_string();
            (code, state)
        })
        .collect()
}

/// The cooperative links of a coverage page (the filters aside).
fn coop_links(html: &str) -> Vec<String> {
    listed(html)
}

fn metro_desa() -> Vec<String> {
    let v = Villages::embedded().unwrap();
    v.desa_in(&RegionCode::parse("18.72").unwrap())
        .map(|d| d.code.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desa_of_a_kabupaten_kota_with_their_merah_putih_cooperatives() {
    let all = metro_desa();
    assert!(all.len() > 15, "Kota Metro has {} kelurahan", all.len());
    for app in support::apps().await {
        let db = app.name;
        let c = app.sign_in("pengelola.1872").await;
        let get = |q: &str| {
            let (c, url) = (c.clone(), app.url(&format!("/registri/desa{q}")));
            async move { support::text(&c, &url).await }
        };
        // The list links to it.
        let (_, list) = support::text(&c, &app.url("/registri")).await;
        assert!(list.contains("href=\"/registri/desa\""), "{db}");
        // A kabupaten/kota's reader starts at their own.
        let (status, html) = get("").await;
        assert_eq!(status, 200, "{db}: {html}");
        let shown = rows(&html);
        assert_eq!(
            shown.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            all,
            "{db}: every kelurahan, in code order"
        );
        let state = |s: &str| shown.iter().filter(|r| r.1 == s).count();
        assert_eq!((state("tanpa"), state("ganda")), (4, 1), "{db}");
        assert_eq!(state("ada"), all.len() - 5, "{db}");
        // The counts at the top, and the cooperatives linked.
        let stored = app
            .store
            .merah_putih_in(&RegionCode::parse("18.72").unwrap(), &scope("18.72"))
            .await
            .unwrap();
        assert_eq!(stored.len(), all.len() - 4 + 1, "{db}");
        assert!(
            html.contains(&format!(
                "{} desa/kelurahan, {} Koperasi Merah Putih",
                all.len(),
                stored.len()
            )),
            "{db}: the counts"
        );
        let mut linked = coop_links(&html);
        linked.sort();
        let mut ids: Vec<String> = stored.iter().map(|c| c.id.clone()).collect();
        ids.sort();
        assert_eq!(linked, ids, "{db}: each cooperative linked once");
        // Grouped by kecamatan.
        assert!(html.contains("id=\"kec-18.72.01\""), "{db}");
        // Each filter keeps its own.
        for (q, want, n) in [
            ("tanpa", "tanpa", 4),
            ("ganda", "ganda", 1),
            ("ada", "", all.len() - 4),
        ] {
            let (status, html) = get(&format!("?wilayah=18.72&tampil={q}")).await;
            assert_eq!(status, 200, "{db}: {q}");
            let shown = rows(&html);
            assert_eq!(shown.len(), n, "{db}: {q}");
            assert!(
                shown.iter().all(|r| want.is_empty() || r.1 == want),
                "{db}: {q}: {shown:?}"
            );
        }
        let (_, several) = get("?wilayah=18.72&tampil=ganda").await;
        assert_eq!(
            coop_links(&several).len(),
            2,
            "{db}: the two of one kelurahan"
        );
        // Bad choices, and another region, refused by name.
        for (q, field) in [
            ("?wilayah=18.71", "wilayah"),
            ("?wilayah=18", "wilayah"),
            ("?wilayah=99.99", "wilayah"),
            ("?wilayah=18.72&tampil=semuanya", "tampil"),
        ] {
            let (status, html) = get(q).await;
            assert_eq!(status, 400, "{db}: {q}");
            assert!(html.contains(field), "{db}: {q} names {field}");
        }
        // The province's manager chooses it; another province's cannot.
        let p = app.sign_in("pengelola.18").await;
        let (status, html) = support::text(&p, &app.url("/registri/desa?wilayah=18.72")).await;
        assert_eq!((status, rows(&html).len()), (200, all.len()), "{db}");
        let (status, _) = support::text(&p, &app.url("/registri/desa")).await;
        assert_eq!(status, 200, "{db}: a choice to make");
        let w = app.sign_in("pengelola.13").await;
        let (status, _) = support::text(&w, &app.url("/registri/desa?wilayah=18.72")).await;
        assert_eq!(status, 400, "{db}");

        // The card names the desa and its kecamatan.
        let one = &stored[0];
        let (_, card) = support::text(&c, &app.url(&format!("/registri/{}", one.id))).await;
        let desa = Villages::embedded()
            .unwrap()
            .lookup(one.desa_code.as_deref().unwrap())
            .unwrap();
        assert!(
            card.contains(&format!("{} ({})", desa.name, desa.code)),
            "{db}: the desa on the card"
        );
        assert!(card.contains(desa.kecamatan_name), "{db}: its kecamatan");

        // A correction of the desa: checked, then recorded.
        let csrf = support::hidden(&card, "_csrf");
        let before = app.store.beneficiary(&one.id).await.unwrap().unwrap();
        let send = |desa: &str| {
            let form = vec![
                ("_csrf".to_string(), csrf.clone()),
                ("name".into(), before.name.clone()),
                ("address".into(), before.address.clone().unwrap_or_default()),
                ("phone".into(), before.phone.clone().unwrap_or_default()),
                ("location".into(), String::new()),
                ("desa".into(), desa.to_string()),
                ("status".into(), "aktif".into()),
                ("reason".into(), "pindah kantor".into()),
            ];
            let (c, url) = (c.clone(), app.url(&format!("/registri/{}", one.id)));
            async move { c.post(url).form(&form).send().await.unwrap() }
        };
        let bandar_lampung = Villages::embedded()
            .unwrap()
            .desa_in(&RegionCode::parse("18.71").unwrap())
            .next()
            .unwrap()
            .code
            .to_string();
        for (typed, why) in [
            (bandar_lampung.as_str(), "bukan di Kota Metro (18.72)"),
            ("", "wajib diisi untuk Koperasi Desa/Kelurahan Merah Putih"),
            (
                "18.72.01.1999",
                "tidak ada desa/kelurahan dengan kode 18.72.01.1999",
            ),
        ] {
            let r = send(typed).await;
            assert_eq!(r.status().as_u16(), 400, "{db}: {typed:?}");
            let html = r.text().await.unwrap();
            assert!(html.contains(why), "{db}: {typed:?} says {why}");
            assert!(html.contains("id=\"e-desa\""), "{db}: by the field");
        }
        assert_eq!(
            app.store.beneficiary(&one.id).await.unwrap().unwrap(),
            before,
            "{db}: nothing changed"
        );
        let other = all
            .iter()
            .find(|d| Some(d.as_str()) != one.desa_code.as_deref())
            .unwrap();
        let r = send(&other.replace('.', "")).await;
        assert_eq!(r.status().as_u16(), 303, "{db}");
        let after = app.store.beneficiary(&one.id).await.unwrap().unwrap();
        assert_eq!(
            after.desa_code.as_deref(),
            Some(other.as_str()),
            "{db}: dotted"
        );
        let (_, page) = support::text(&c, &app.url(&format!("/registri/{}", one.id))).await;
        assert!(
            page.contains("pindah kantor") && page.contains(other.as_str()),
            "{db}: the history"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coverage_page_in_the_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let db = app.name;
        sign_in(&c, &app, "pengelola.18").await;
        c.goto(&app.url("/registri")).await.unwrap();
        click(&c, "#ke-desa").await;
        wait_until(&c, |url, _| url.ends_with("/registri/desa")).await;
        choose(&c, "#d-wilayah", "18.72").await;
        click(&c, "form[action='/registri/desa'] button.primary").await;
        let html = wait_until(&c, |url, _| url.contains("wilayah=18.72")).await;
        assert_eq!(rows(&html).len(), metro_desa().len(), "{db}");
        shot(&c, "registri-desa").await;
        click(&c, "#saring a[href*='tampil=tanpa']").await;
        let html = wait_until(&c, |url, _| url.contains("tampil=tanpa")).await;
        let shown = rows(&html);
        assert_eq!(shown.len(), 4, "{db}");
        assert!(shown.iter().all(|r| r.1 == "tanpa"), "{db}");
        shot(&c, "registri-desa-tanpa").await;
        click(&c, "#saring a[href*='tampil=ganda']").await;
        wait_until(&c, |url, _| url.contains("tampil=ganda")).await;
        click(&c, "tr.desa-ganda a").await;
        let page = wait_until(&c, |url, _| !url.contains("/registri/desa")).await;
        assert!(page.contains("Merah Putih"), "{db}: a cooperative's page");
        c.goto(&app.url("/keluar")).await.ok();
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.ok();
}
