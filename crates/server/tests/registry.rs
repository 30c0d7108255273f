//! The registry as pages, on SQLite and PostgreSQL: the list finds a
//! beneficiary by a few keystrokes and narrows by kind, region (a province
//! too), standing and open cases, paged, each filter's bad value refused by
//! name; the beneficiary's page shows its cases with their rupiah, and a
//! correction is kept with who, when and why (a refused one keeps what was
//! typed and changes nothing; the same one again records nothing). In a
//! real Chromium: a manager finds a cooperative, corrects its phone and
//! reads the history. With `PANTAU_SHOTS=DIR` the pages are saved as PNGs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "registry/desa.rs"]
mod desa;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_store::registry::{RegistryQuery, Standing};
use support::Running;
use support::browser::{browser, choose, click, shot, sign_in, type_in, wait_until};

/// The number in `html`'s `<p … id="jumlah">N penerima</p>`.
fn total(html: &str) -> u64 {
    let at = html.find("id=\"jumlah\">").expect("a count") + "id=\"jumlah\">".len();
    html[at..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// The `/registri/{id}` links of a list page (the link to the desa page aside).
fn listed(html: &str) -> Vec<String> {
    html.match_indices("href=\"/registri/")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .filter(|l| l != "desa" && !l.starts_with("desa?"))
        .collect()
}

fn scope(code: &str) -> Scope {
    Scope::Region(RegionCode::parse(code).unwrap())
}

async fn a_cooperative(app: &Running, region: &str) -> pantau_store::model::Beneficiary {
    app.store
        .beneficiary_page(&scope(region), Some("cooperative"), None, 1, 1)
        .await
        .unwrap()
        .items
        .remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_finds_narrows_and_pages() {
    for app in support::apps().await {
        let db = app.name;
        let c = app.sign_in("pengelola.1871").await;
        let get = |q: &str| {
            let (c, url) = (c.clone(), app.url(&format!("/registri{q}")));
            async move { support::text(&c, &url).await }
        };
        // Everything of Kota Bandar Lampung, and nothing else.
        let (status, all) = get("").await;
        assert_eq!(status, 200, "{db}");
        let (_, api) = app
            .get(
                &app.token("pengelola.1871").await,
                "/api/beneficiaries?per_page=1",
            )
            .await;
        assert_eq!(total(&all), api["total"].as_u64().unwrap(), "{db}");
        // A few keystrokes of a NIK Koperasi find exactly that cooperative.
        let coop = a_cooperative(&app, "18.71").await;
        let nik = coop.nik_koperasi.clone().unwrap();
        let (_, found) = get(&format!("?q={}", &nik[..14])).await;
        assert!(listed(&found).contains(&coop.id), "{db}: found by NIK");
        // Part of its name, in other case, finds it too.
        let word = coop.name.split_whitespace().last().unwrap().to_uppercase();
        let (_, by_name) = get(&format!("?q={word}&jenis=cooperative")).await;
        assert!(listed(&by_name).contains(&coop.id), "{db}: found by name");
        // Another region's cooperative is not found, and its page is unknown.
        let other = app
            .store
            .beneficiary_page(&scope("13.03"), None, None, 1, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        let number = [&other.nik_koperasi, &other.nib, &other.nik]
            .into_iter()
            .find_map(|n| n.clone())
            .unwrap();
        let (_, none) = get(&format!("?q={number}")).await;
        assert_eq!(total(&none), 0, "{db}");
        let (status, _) = get(&format!("/{}", other.id)).await;
        assert_eq!(status, 404, "{db}: another region's beneficiary");
        // Open and without open cases split the whole list.
        let (_, open) = get("?kasus=terbuka").await;
        let (_, closed) = get("?kasus=tanpa").await;
        assert_eq!(total(&open) + total(&closed), total(&all), "{db}");
        assert!(total(&open) > 0, "{db}: the demo has open cases in 18.71");
        // Each beneficiary listed as having an open case has one.
        let finals: Vec<(String, String)> = app
            .app
            .catalog
            .iter()
            .flat_map(|d| {
                d.states
                    .iter()
                    .filter(|s| s.is_final)
                    .map(|s| (d.id.clone(), s.id.clone()))
            })
            .collect();
        let cases = app.store.cases(10_000).await.unwrap();
        for id in listed(&open) {
            let has_open = cases.iter().any(|k| {
                k.beneficiary_id.as_deref() == Some(id.as_str())
                    && !finals.contains(&(k.workflow.clone(), k.state.clone()))
            });
            assert!(has_open, "{db}: {id} listed with an open case");
        }
        // Each bad filter is refused by name.
        for (q, field) in [
            ("?jenis=bank", "jenis"),
            ("?wilayah=99.99", "wilayah"),
            ("?wilayah=13.03", "wilayah"),
            ("?status=hidup", "status"),
            ("?kasus=semua", "kasus"),
        ] {
            let (status, html) = get(q).await;
            assert_eq!(status, 400, "{db}: {q}");
            assert!(html.contains(field), "{db}: {q} names {field}");
        }
        // A province's manager narrows to the province or one kabupaten/kota.
        let p = app.sign_in("pengelola.18").await;
        let (_, province) = support::text(&p, &app.url("/registri?wilayah=18")).await;
        let (_, city) = support::text(&p, &app.url("/registri?wilayah=18.71")).await;
        assert_eq!(total(&city), total(&all), "{db}");
        assert!(
            total(&province) > total(&city),
            "{db}: Lampung > Bandar Lampung"
        );
        // Pages at any size: the administrator's last page holds the rest.
        let admin = app.sign_in("admin").await;
        let (_, first) = support::text(&admin, &app.url("/registri")).await;
        let n = total(&first);
        let pages = n.div_ceil(25);
        assert!(pages > 1, "{db}: {n} beneficiaries");
        let (_, last) =
            support::text(&admin, &app.url(&format!("/registri?halaman={pages}"))).await;
        assert_eq!(listed(&last).len() as u64, n - (pages - 1) * 25, "{db}");
        assert!(listed(&first).iter().all(|id| !listed(&last).contains(id)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_is_kept_with_who_when_and_why() {
    for app in support::apps().await {
        let db = app.name;
        let coop = a_cooperative(&app, "18.71").await;
        let url = app.url(&format!("/registri/{}", coop.id));
        let c = app.sign_in("verifikator.18").await;
        let (status, page) = support::text(&c, &url).await;
        assert_eq!(status, 200, "{db}");
        assert!(page.contains(&coop.name), "{db}");
        let csrf = support::hidden(&page, "_csrf");
        let post = |fields: Vec<(&'static str, String)>| {
            let (c, url, csrf) = (c.clone(), url.clone(), csrf.clone());
            async move {
                let mut form = vec![("_csrf", csrf)];
                form.extend(fields);
                let r = c.post(&url).form(&form).send().await.unwrap();
                let status = r.status().as_u16();
                let to = r
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string());
                (status, to, r.text().await.unwrap())
            }
        };
        let form = |name: &str, phone: &str, location: &str, status: &str, reason: &str| {
            vec![
                ("name", name.to_string()),
                ("address", "Jl. Teuku Umar No. 7, Kedaton".to_string()),
                ("phone", phone.to_string()),
                ("location", location.to_string()),
                ("status", status.to_string()),
                ("reason", reason.to_string()),
            ]
        };
        // Refused: no reason, a phone with letters, a point off the globe.
        // Each named; what was typed stays; nothing is stored.
        let (status, _, html) = post(form(
            "KSP Baru Sekali",
            "0812-abc",
            "-95,1; 105,2",
            "bubar",
            "",
        ))
        .await;
        assert_eq!(status, 400, "{db}");
        for field in ["e-reason", "e-phone", "e-location"] {
            assert!(html.contains(&format!("id=\"{field}\"")), "{db}: {field}");
        }
        assert!(
            html.contains("value=\"KSP Baru Sekali\""),
            "{db}: typed name kept"
        );
        assert!(
            html.contains("value=\"0812-abc\""),
            "{db}: typed phone kept"
        );
        assert_eq!(
            app.store.beneficiary(&coop.id).await.unwrap().unwrap(),
            coop,
            "{db}: nothing stored"
        );
        assert!(
            app.store
                .beneficiary_changes(Some(&coop.id))
                .await
                .unwrap()
                .is_empty()
        );
        // Saved: the phone as Excel left it (leading 0 lost), a point with
        // decimal commas, dissolved.
        let why = "RAT 2026: koperasi membubarkan diri";
        let (status, to, _) = post(form(
            &coop.name,
            "81234567890",
            "-5,43; 105,27",
            "bubar",
            why,
        ))
        .await;
        assert_eq!(status, 303, "{db}");
        assert!(to.unwrap().contains("disimpan=1"), "{db}");
        let now = app.store.beneficiary(&coop.id).await.unwrap().unwrap();
        assert_eq!(now.phone.as_deref(), Some("081234567890"), "{db}");
        assert_eq!(
            now.address.as_deref(),
            Some("Jl. Teuku Umar No. 7, Kedaton")
        );
        assert_eq!(
            (now.lat_micro, now.lon_micro),
            (Some(-5_430_000), Some(105_270_000))
        );
        assert!(now.dissolved, "{db}");
        assert_eq!(Standing::of(&now), Standing::Dissolved);
        let changes = app.store.beneficiary_changes(Some(&coop.id)).await.unwrap();
        let mut fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["address", "location", "phone", "status"], "{db}");
        for ch in &changes {
            assert_eq!(ch.changed_by, "verifikator.18", "{db}");
            assert_eq!(ch.reason, why, "{db}");
        }
        let status_change = changes.iter().find(|c| c.field == "status").unwrap();
        let was = Standing::of(&coop).as_str();
        assert_eq!(status_change.old_value.as_deref(), Some(was));
        assert_eq!(status_change.new_value.as_deref(), Some("bubar"));
        // The page shows the history, and the list finds it as dissolved.
        let (_, page) = support::text(&c, &url).await;
        assert!(
            page.contains(why) && page.contains("verifikator.18"),
            "{db}"
        );
        assert!(
            page.contains("Lokasi dikoreksi oleh verifikator.18"),
            "{db}"
        );
        let (_, dissolved) = support::text(&c, &app.url("/registri?status=bubar")).await;
        assert_eq!(listed(&dissolved), vec![coop.id.clone()], "{db}");
        // The same correction again: nothing changes, nothing is recorded.
        let (status, to, _) = post(form(
            &coop.name,
            "081234567890",
            "-5.43, 105.27",
            "bubar",
            "sekali lagi",
        ))
        .await;
        assert_eq!(status, 303, "{db}");
        assert!(to.unwrap().contains("disimpan=0"), "{db}");
        let again = app.store.beneficiary_changes(Some(&coop.id)).await.unwrap();
        assert_eq!(again.len(), changes.len(), "{db}: nothing recorded");
        // In English, the same page speaks English.
        let (_, en) = support::text(&c, &format!("{url}?lang=en")).await;
        assert!(
            en.contains("Corrections") && en.contains("Dissolved"),
            "{db}"
        );
        // The Ministry's export of Lampung for the year carries it.
        let lines = app
            .store
            .corrections_within(
                &scope("18"),
                support::as_of() - chrono::Duration::days(3650),
                chrono::Utc::now() + chrono::Duration::days(1),
            )
            .await
            .unwrap();
        assert_eq!(lines.len(), changes.len(), "{db}");
        assert!(lines.iter().all(|l| l.beneficiary_id == coop.id));
        let elsewhere = app
            .store
            .corrections_within(
                &scope("13"),
                support::as_of() - chrono::Duration::days(3650),
                chrono::Utc::now() + chrono::Duration::days(1),
            )
            .await
            .unwrap();
        assert!(elsewhere.is_empty(), "{db}: not in another province's");
        // A registry query agrees with the page.
        let page = app
            .store
            .registry_page(&RegistryQuery {
                scope: scope("18.71"),
                search: String::new(),
                kind: None,
                region: None,
                standing: Some(Standing::Dissolved),
                open_cases: None,
                indicator: None,
                finals: vec![],
                page: 1,
                per_page: 10,
            })
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{db}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_finds_and_corrects_a_cooperative_in_the_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let db = app.name;
        let coop = a_cooperative(&app, "18.71").await;
        sign_in(&c, &app, "pengelola.1871").await;
        // From the menu to the list, and a search by part of the NIK.
        click(&c, "nav a[href='/registri']").await;
        wait_until(&c, |url, _| url.ends_with("/registri")).await;
        shot(&c, "registri-daftar").await;
        let nik = coop.nik_koperasi.clone().unwrap();
        type_in(&c, "#r-q", &nik[..12]).await;
        click(&c, "form[role=search] button.primary").await;
        let html = wait_until(&c, |url, _| url.contains("q=")).await;
        assert!(
            listed(&html).contains(&coop.id),
            "{db}: found in the browser"
        );
        click(&c, &format!("a[href='/registri/{}']", coop.id)).await;
        wait_until(&c, |url, _| url.contains(&coop.id)).await;
        shot(&c, "registri-penerima").await;
        // Correct the phone, with a reason.
        click(&c, "#koreksi summary").await;
        type_in(&c, "#k-phone", "0721 123 456").await;
        type_in(&c, "#k-reason", "Nomor kantor baru").await;
        click(&c, "#koreksi button.primary").await;
        let html = wait_until(&c, |url, _| url.contains("disimpan=1")).await;
        assert!(
            html.contains("Nomor kantor baru"),
            "{db}: the history shows why"
        );
        assert!(
            html.contains("href=\"tel:0721123456\""),
            "{db}: the phone to call"
        );
        shot(&c, "registri-dikoreksi").await;
        let now = app.store.beneficiary(&coop.id).await.unwrap().unwrap();
        assert_eq!(now.phone.as_deref(), Some("0721123456"), "{db}");
        c.goto(&app.url("/keluar")).await.ok();
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.ok();
}
