//! An office starts Pantau from nothing, in the browser alone (issue 26's
//! "done when"), in a real headless Chromium on SQLite and PostgreSQL: on
//! an empty database the first administrator is made by the setup link;
//! they add Lampung's provincial manager and Kota Bandar Lampung's manager,
//! a program with its allocation, and the cooperatives from an Excel CSV
//! (`;`, Windows-1252); the kabupaten/kota manager then finds a
//! cooperative by typing part of its name, fills its proposal and submits
//! it. `PANTAU_SHOTS=DIR` keeps each page at 390 and 1280 px.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::Client;
use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use support::PASSWORD;
use support::browser::{browser, choose, click, shot, sign_in_at, type_in, wait_until};

/// The cooperatives as Excel saves them in an Indonesian office: `;`
/// between cells, Windows-1252, CRLF.
fn cooperatives_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let text = "kind;region_code;name;nik_koperasi;legal_entity_number;coop_kind;members;active;last_rat_year\r\n\
                cooperative;18.71;KSP Mitra Usaha Mandiri;1871020030000123;123/BH/X.3/2015;KSP;214;ya;2025\r\n\
                cooperative;18.71;Koperasi Wanita Teladan Café;1871020030000777;77/BH/X.3/2019;KSP;96;ya;2025\r\n\
                cooperative;18.01;KUD Sinar Tani;1801020030000456;45/BH/X.3/1998;KUD;530;ya;2024\r\n";
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!lossy);
    let path = dir.join("koperasi.csv");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The form `form`'s fields `(css, text)` typed in, then its primary button.
async fn fill_and_send(c: &Client, form: &str, fields: &[(&str, &str)]) {
    for (css, text) in fields {
        type_in(c, &format!("{form} {css}"), text).await;
    }
    click(c, &format!("{form} button.primary")).await;
}

async fn add_user(c: &Client, base: &str, login: &str, role: &str, region: &str) {
    c.goto(&format!("{base}/admin/pengguna/baru"))
        .await
        .unwrap();
    choose(c, "select[name=role]", role).await;
    choose(c, "select[name=region]", region).await;
    fill_and_send(
        c,
        "form[action='/admin/pengguna/baru']",
        &[
            ("input[name=name]", &format!("Pengelola {region}")),
            ("input[name=login]", login),
            ("input[name=email]", &format!("{login}@dinas.example")),
            ("input[name=password]", PASSWORD),
            ("input[name=again]", PASSWORD),
        ],
    )
    .await;
    let added = format!("/admin/pengguna/{login}?");
    wait_until(c, |url, _| url.contains(&added)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_starts_from_nothing_in_the_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let csv = cooperatives_csv(files.path());
    let proposal = files.path().join("usulan.pdf");
    std::fs::write(&proposal, pantau_demo::pdf(&["Usulan KUD".into()])).unwrap();
    for db in support::db::test_databases().await {
        let (base, store, db) = support::empty(db).await;
        let name = db.name;

        // The first administrator, by the link serve prints on an empty database.
        let link = pantau_server::accounts::setup_link(&store, &base)
            .await
            .unwrap()
            .expect("a setup link on an empty database");
        c.goto(&link).await.unwrap();
        fill_and_send(
            &c,
            "form",
            &[
                ("input[name=name]", "Admin Dinas Koperasi"),
                ("input[name=login]", "admin"),
                ("input[name=email]", "admin@dinas.example"),
                ("input[name=password]", PASSWORD),
                ("input[name=again]", PASSWORD),
            ],
        )
        .await;
        wait_until(&c, |url, _| url.contains("/masuk")).await;
        sign_in_at(&c, &base, "admin").await;

        // The province: its manager and a kabupaten/kota's.
        add_user(&c, &base, "pengelola.18", "manager_province", "18").await;
        add_user(&c, &base, "pengelola.1871", "manager_regency", "18.71").await;

        // A program with Kota Bandar Lampung's allocation.
        c.goto(&format!("{base}/admin/program")).await.unwrap();
        choose(&c, "#p-workflow", "bansos@2").await;
        choose(&c, "#p-province", "18").await;
        fill_and_send(
            &c,
            "#program-baru",
            &[
                ("#p-id", "bansos-kud-2027-lampung"),
                ("input[name=name]", "Bansos KUD Lampung 2027"),
                ("input[name=year]", "2027"),
                ("input[name=funding]", "APBN"),
                ("#p-ceiling", "Rp 2.000.000.000"),
            ],
        )
        .await;
        wait_until(&c, |url, _| {
            url.contains("/admin/program/bansos-kud-2027-lampung?")
        })
        .await;
        choose(&c, "#n-region", "18.71").await;
        fill_and_send(&c, "#alokasi-baru", &[("#n-amount", "Rp 500.000.000")]).await;
        wait_until(&c, |_, src| src.contains("data-region=\"18.71\"")).await;
        shot(&c, "pekan-program").await;

        // The cooperatives, from the office's spreadsheet.
        c.goto(&format!("{base}/impor")).await.unwrap();
        type_in(&c, "#file", &csv.display().to_string()).await;
        click(&c, "form[action='/impor'] button.primary").await;
        let report = wait_until(&c, |_, src| src.contains("koperasi.csv")).await;
        let scope = Scope::Region(RegionCode::parse("18.71").unwrap());
        let registered = store
            .beneficiary_page(&scope, Some("cooperative"), None, 1, 10)
            .await
            .unwrap();
        assert_eq!(registered.total, 2, "{name}: {report}");
        shot(&c, "pekan-impor").await;

        // The kabupaten/kota manager proposes a cooperative found by name.
        c.delete_all_cookies().await.unwrap();
        sign_in_at(&c, &base, "pengelola.1871").await;
        click(&c, "a[href='/usulan/baru']").await;
        wait_until(&c, |url, _| url.ends_with("/usulan/baru")).await;
        shot(&c, "pekan-usulan-program").await;
        c.execute(
            r#"document.querySelector('form.program-pick input[value="bansos-kud-2027-lampung"]')
                 .form.querySelector('button').click();"#,
            vec![],
        )
        .await
        .unwrap();
        wait_until(&c, |_, src| src.contains("id=\"cari\"")).await;
        type_in(&c, "#cari", "wanita tel").await;
        let wanted = registered
            .items
            .iter()
            .find(|b| b.name.starts_with("Koperasi Wanita Teladan"))
            .unwrap();
        assert_eq!(wanted.name, "Koperasi Wanita Teladan Café", "{name}");
        let pick = format!("penerima={}", wanted.id);
        let found = wait_until(&c, |_, src| src.contains(&pick)).await;
        assert!(
            !found.contains("KSP Mitra Usaha Mandiri"),
            "{name}: only what matches"
        );
        shot(&c, "pekan-usulan-penerima").await;
        click(&c, &format!("a[href*='{pick}']")).await;
        wait_until(&c, |_, src| src.contains("name=\"f.amount_requested\"")).await;
        type_in(&c, "input[name='f.amount_requested']", "Rp 150.000.000").await;
        type_in(
            &c,
            "input[name='file.proposal_doc']",
            &proposal.display().to_string(),
        )
        .await;
        click(&c, "input[name='f.in_craft_centre'][value='ya']").await;
        shot(&c, "pekan-usulan-isian").await;
        click(&c, "button[name=_go][value=ajukan]").await;
        let page = wait_until(&c, |url, _| url.contains("/kasus/")).await;
        assert!(page.contains("Diajukan"), "{name}: submitted");
        shot(&c, "pekan-usulan-kasus").await;

        // As the API tells the administrator.
        let http = reqwest::Client::new();
        let token: serde_json::Value = http
            .post(format!("{base}/api/tokens"))
            .json(&serde_json::json!({ "login": "admin", "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let cases: serde_json::Value = http
            .get(format!("{base}/api/cases?program=bansos-kud-2027-lampung"))
            .bearer_auth(token["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(cases["total"], 1, "{name}: {cases}");
        let case = &cases["items"][0];
        assert_eq!(case["state"], "submitted", "{name}: {case}");
        assert_eq!(case["beneficiary_id"], wanted.id.as_str(), "{name}: {case}");
        assert_eq!(case["region"], "18.71", "{name}: {case}");
        c.delete_all_cookies().await.unwrap();
    }
}
