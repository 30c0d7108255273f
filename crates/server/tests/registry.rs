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

/// The `/registri/{id}` links of a list page (not its links to the desa
/// page and to the likely duplicates).
fn listed(html: &str) -> Vec<String> {
    html.match_indices("href=\"/registri/")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .filter(|l| l != "desa" && !l.starts_with("desa?") && l != "ganda")
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

/// Registers a cooperative of Kota Bandar Lampung: its id.
async fn registered(app: &Running, name: &str, nik: &str) -> String {
    let regions = pantau_registry::regions::Regions::embedded().unwrap();
    let cells = [
        ("kind", "cooperative"),
        ("region_code", "18.71"),
        ("name", name),
        ("nik_koperasi", nik),
        ("legal_entity_number", "12/BH/2019"),
        ("coop_kind", "KSP"),
        ("members", "40"),
        ("active", "ya"),
    ];
    match app
        .store
        .register_beneficiary(&cells, &regions, &Scope::National)
        .await
        .unwrap()
    {
        pantau_store::registry::search::Registered::Done { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likely_duplicates_are_marked_distinct_or_merged_by_those_who_correct() {
    for app in support::apps().await {
        let db = app.name;
        let a = registered(&app, "KSP Ganda Sentosa Abadi", "1871020039990001").await;
        let b = registered(
            &app,
            "Koperasi Simpan Pinjam GANDA SENTOSA ABADI",
            "1871020039990002",
        )
        .await;
        let x = registered(&app, "KUD Kembar Makmur Jaya", "1871020039990003").await;
        let y = registered(&app, "K.U.D. Kembar Makmur Jayaa", "1871020039990004").await;
        let c = app.sign_in("verifikator.18").await;
        let (status, html) = support::text(&c, &app.url("/registri/ganda?wilayah=18.71")).await;
        assert_eq!(status, 200, "{db}");
        for id in [&a, &b, &x, &y] {
            assert!(
                html.contains(&format!("href=\"/registri/{id}\"")),
                "{db}: {id} listed"
            );
        }
        assert!(html.contains("Kemiripan nama 100%"), "{db}");
        // The list links here for those who correct; a field officer is refused.
        let (_, list) = support::text(&c, &app.url("/registri")).await;
        assert!(list.contains("href=\"/registri/ganda\""), "{db}");
        let officer = app.sign_in("petugas.1871").await;
        assert_eq!(
            support::text(&officer, &app.url("/registri/ganda")).await.0,
            403,
            "{db}"
        );
        let (_, officer_list) = support::text(&officer, &app.url("/registri")).await;
        assert!(!officer_list.contains("href=\"/registri/ganda\""), "{db}");
        let csrf = support::hidden(&html, "_csrf");
        let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
            let (c, url, csrf) = (c.clone(), app.url(path), csrf.clone());
            async move {
                let mut form = vec![("_csrf", csrf)];
                form.extend(fields);
                let r = c.post(&url).form(&form).send().await.unwrap();
                let to = r
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string());
                (r.status().as_u16(), to)
            }
        };
        let (first, second) = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let pair = |keep: &str, reason: &str| {
            vec![
                ("first", first.clone()),
                ("second", second.clone()),
                ("keep", keep.to_string()),
                ("reason", reason.to_string()),
            ]
        };
        // No reason, or no record chosen to stay: refused, nothing merged.
        assert_eq!(
            post("/registri/ganda/gabung", pair(&a, " ")).await.0,
            400,
            "{db}"
        );
        assert_eq!(
            post("/registri/ganda/gabung", pair("", "sama")).await.0,
            400,
            "{db}"
        );
        assert_eq!(
            app.store.kept_beneficiary(&b).await.unwrap(),
            Some(b.clone()),
            "{db}"
        );
        // Another region's manager does not know these records.
        let west = app.sign_in("pengelola.1303").await;
        let (_, west_page) = support::text(&west, &app.url("/registri")).await;
        let r = west
            .post(app.url("/registri/ganda/gabung"))
            .form(&[
                ("_csrf", support::hidden(&west_page, "_csrf").as_str()),
                ("first", first.as_str()),
                ("second", second.as_str()),
                ("keep", a.as_str()),
                ("reason", "sama"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{db}");
        // Merged: b into a.
        let (status, to) = post(
            "/registri/ganda/gabung",
            pair(&a, "Satu koperasi, dua kali diimpor"),
        )
        .await;
        assert_eq!(
            (status, to.as_deref()),
            (
                303,
                Some(format!("/registri/{a}?digabung=1#gabungan").as_str())
            ),
            "{db}"
        );
        let (_, kept) = support::text(&c, &app.url(&format!("/registri/{a}?digabung=1"))).await;
        assert!(
            kept.contains("Satu koperasi, dua kali diimpor"),
            "{db}: the merge on the kept page"
        );
        let (_, gone) = support::text(&c, &app.url(&format!("/registri/{b}"))).await;
        assert!(
            gone.contains("id=\"digabung-ke\"")
                && gone.contains(&format!("href=\"/registri/{a}\"")),
            "{db}"
        );
        assert!(
            !gone.contains("id=\"koreksi\""),
            "{db}: a merged record is not corrected"
        );
        let (_, found) = support::text(&c, &app.url("/registri?q=ganda+sentosa")).await;
        assert_eq!(
            listed(&found),
            std::slice::from_ref(&a),
            "{db}: the merged record is not listed"
        );
        // Marked distinct: x and y are two, and are listed no more.
        let (first, second) = if x < y {
            (x.clone(), y.clone())
        } else {
            (y.clone(), x.clone())
        };
        let (status, _) = post(
            "/registri/ganda/beda",
            vec![
                ("first", first),
                ("second", second),
                ("reason", "Dua koperasi di dua kelurahan".into()),
            ],
        )
        .await;
        assert_eq!(status, 303, "{db}");
        let (_, after) = support::text(&c, &app.url("/registri/ganda?wilayah=18.71")).await;
        for id in [&a, &b, &x, &y] {
            assert!(
                !after.contains(&format!("href=\"/registri/{id}\"")),
                "{db}: {id} no longer listed"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_merges_two_records_in_the_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let db = app.name;
        let a = registered(&app, "KSP Mekar Sari Bersama", "1871020039980001").await;
        let b = registered(
            &app,
            "Koperasi Simpan Pinjam Mekar Sari Bersama",
            "1871020039980002",
        )
        .await;
        sign_in(&c, &app, "pengelola.1871").await;
        click(&c, "nav a[href='/registri']").await;
        wait_until(&c, |url, _| url.ends_with("/registri")).await;
        click(&c, "#ke-ganda").await;
        let html = wait_until(&c, |url, _| url.ends_with("/registri/ganda")).await;
        assert!(html.contains("Mekar Sari"), "{db}");
        shot(&c, "registri-ganda").await;
        let (first, _) = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let section = format!("form:has(input[name=first][value='{first}'])");
        click(&c, &format!("{section} input[name=keep][value='{a}']")).await;
        type_in(
            &c,
            &format!("{section} textarea[name=reason]"),
            "Diimpor dua kali",
        )
        .await;
        click(&c, &format!("{section} button[value=gabung]")).await;
        let html = wait_until(&c, |url, _| url.contains("digabung=1")).await;
        assert!(
            html.contains("Diimpor dua kali"),
            "{db}: the merge on the kept page"
        );
        shot(&c, "registri-digabung").await;
        assert_eq!(
            app.store.kept_beneficiary(&b).await.unwrap(),
            Some(a.clone()),
            "{db}"
        );
        c.goto(&app.url("/keluar")).await.ok();
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.ok();
}
