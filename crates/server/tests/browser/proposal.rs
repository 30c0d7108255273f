//! A kabupaten/kota manager opens proposals from the browser (`/usulan/baru`):
//! a cooperative found by typing part of its name, proposed with its
//! fields and document; a PLUT building (no beneficiary) whose refused
//! amount comes back with everything typed; the same form sent twice
//! opening one case. A cooperative registered from the same flow:
//! [`registration`](super::registration).

use std::path::Path;

use fantoccini::{Client, Locator};
use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use serde_json::{Value, json};

use super::support::browser::{browser, click, resize, shot, sign_in, type_in, wait_until};
use super::support::{self, Running, hidden, text};

pub(crate) const MANAGER: &str = "pengelola.1871";

pub(crate) async fn sign_out(c: &Client, app: &Running) {
    c.goto(&app.url("/")).await.unwrap();
    c.execute(
        "document.querySelector('form[action=\"/keluar\"]').submit()",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;
}

/// The case as the administrator reads it through the API.
async fn case(app: &Running, id: &str) -> Value {
    let admin = app.token("admin").await;
    let (status, case) = app.get(&admin, &format!("/api/cases/{id}")).await;
    assert_eq!(status, 200, "{case}");
    case
}

fn case_id(url: &str) -> String {
    url.rsplit("/kasus/")
        .next()
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_finds_a_cooperative_by_its_name_and_submits_a_proposal() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        eprintln!("{}: a proposal in the browser", app.name);
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("proposal.pdf");
        std::fs::write(&doc, pantau_demo::pdf(&["Proposal KUD".into()])).unwrap();
        sign_in(&c, &app, MANAGER).await;
        for width in [390, 1280] {
            resize(&c, width, 900).await;
            propose(&c, &app, &doc).await;
        }
        sign_out(&c, &app).await;
        twice_is_once(&app).await;
    }
    c.close().await.unwrap();
}

/// From the case list to a submitted proposal of a cooperative of 18.71.
async fn propose(c: &Client, app: &Running, doc: &Path) {
    let name = app.name;
    let scope = Scope::Region(RegionCode::parse("18.71").unwrap());
    let target = app
        .store
        .beneficiary_page(&scope, Some("cooperative"), None, 1, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    c.goto(&app.url("/kasus")).await.unwrap();
    shot(c, "usulan-0-daftar").await;
    click(c, "a[href='/usulan/baru']").await;
    wait_until(c, |url, _| url.ends_with("/usulan/baru")).await;
    shot(c, "usulan-1-program").await;
    let step1 = c.source().await.unwrap();
    assert!(
        !step1.contains("pkl-2014-sumbar"),
        "{name}: West Sumatra's program is not offered in 18.71"
    );
    c.execute(
        r#"document.querySelector('form.program-pick input[value="bansos-kud-2026-lampung"]')
             .form.querySelector('button').click();"#,
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |_, src| src.contains("id=\"cari\"")).await;
    // Part of its name, in small letters, without its first word: the
    // results follow what is typed.
    let part: String = target
        .name
        .split_once(' ')
        .map_or(target.name.as_str(), |(_, rest)| rest)
        .to_lowercase();
    type_in(c, "#cari", &part).await;
    let wanted = format!("penerima={}", target.id);
    wait_until(c, |_, src| src.contains(&wanted)).await;
    shot(c, "usulan-2-penerima").await;
    click(c, &format!("a[href*='{wanted}']")).await;
    wait_until(c, |_, src| src.contains("name=\"f.amount_requested\"")).await;
    let step3 = c.source().await.unwrap();
    assert!(
        step3.contains(&target.name),
        "{name}: the beneficiary chosen"
    );
    type_in(c, "input[name='f.amount_requested']", "Rp 25.000.000").await;
    type_in(
        c,
        "input[name='file.proposal_doc']",
        &doc.display().to_string(),
    )
    .await;
    click(c, "input[name='f.in_craft_centre'][value='ya']").await;
    shot(c, "usulan-3-isian").await;
    click(c, "button[name=_go][value=ajukan]").await;
    let page = wait_until(c, |url, _| url.contains("/kasus/")).await;
    assert!(
        page.contains("Diajukan"),
        "{name}: the case page says submitted"
    );
    shot(c, "usulan-4-kasus").await;
    let id = case_id(c.current_url().await.unwrap().as_str());
    let case = case(app, &id).await;
    assert_eq!(case["state"], "submitted", "{name}: {case}");
    assert_eq!(case["beneficiary_id"], json!(target.id), "{name}");
    assert_eq!(case["region"], "18.71", "{name}");
    assert_eq!(case["requested_amount"], 25_000_000, "{name}: {case}");
    assert_eq!(case["fields"]["in_craft_centre"], "ya", "{name}: {case}");
    assert!(
        case["fields"]["proposal_doc"]
            .as_str()
            .is_some_and(|d| d.len() == 32),
        "{name}: the document is stored: {case}"
    );
}

/// The same proposal form sent twice (a double click, a resend) opens one
/// case and proposes it once.
async fn twice_is_once(app: &Running) {
    let name = app.name;
    let c = app.sign_in(MANAGER).await;
    let (status, form) = text(&c, &app.url("/usulan/baru?program=plut-2019-lampung")).await;
    assert_eq!(status, 200, "{name}");
    let send = || {
        let mut form = reqwest::multipart::Form::new()
            .text("_csrf", hidden(&form, "_csrf"))
            .text("_key", hidden(&form, "_key"))
            .text("program", "plut-2019-lampung")
            .text("wilayah", "18.71")
            .text("_go", "ajukan")
            .text("f.amount_requested", "Rp 900.000.000")
            .text("f.plut_site_address", "Jl. Teuku Umar 1")
            .text("f.umkm_in_region", "1200");
        for doc in [
            "proposal_doc",
            "land_status_doc",
            "ded_rab_doc",
            "running_cost_commitment_doc",
        ] {
            form = form.part(
                format!("file.{doc}"),
                reqwest::multipart::Part::bytes(pantau_demo::pdf(&[doc.into()]))
                    .file_name("p.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        }
        form
    };
    let mut places = vec![];
    for _ in 0..2 {
        let r = c
            .post(app.url("/usulan/baru"))
            .multipart(send())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{name}");
        places.push(r.headers()["location"].to_str().unwrap().to_string());
    }
    assert_eq!(places[0], places[1], "{name}: one case");
    let case = case(app, &case_id(&places[0])).await;
    assert_eq!(case["state"], "submitted", "{name}: {case}");
    let proposed = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "submit")
        .count();
    assert_eq!(proposed, 1, "{name}: proposed once: {case}");

    // A draft saved with something typed: opened, not proposed, and what was
    // typed is in the proposal's form on the case page.
    let (_, form) = text(&c, &app.url("/usulan/baru?program=plut-2019-lampung")).await;
    let r = c
        .post(app.url("/usulan/baru"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", hidden(&form, "_csrf"))
                .text("_key", hidden(&form, "_key"))
                .text("program", "plut-2019-lampung")
                .text("wilayah", "18.71")
                .text("_go", "draf")
                .text("f.plut_site_address", "Jl. Draf 9"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{name}");
    let page = r.text().await.unwrap();
    assert!(page.contains("Draf tersimpan"), "{name}");
    assert!(page.contains(">Jl. Draf 9</textarea>"), "{name}");
    let admin = app.token("admin").await;
    let (_, drafts) = app
        .get(
            &admin,
            "/api/cases?program=plut-2019-lampung&state=draft&region=18.71&per_page=100",
        )
        .await;
    assert!(
        drafts["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| page.contains(d["id"].as_str().unwrap())),
        "{name}: the draft is opened: {drafts}"
    );

    // In English, every step in English.
    for (step, words) in [
        ("?lang=en", ["New proposal", "Choose a program"]),
        (
            "?program=bansos-kud-2026-lampung&cari=zzz",
            ["Find the beneficiary", "Register a new beneficiary"],
        ),
        ("?program=plut-2019-lampung", ["Save draft", "Submit"]),
    ] {
        let (status, html) = text(&c, &app.url(&format!("/usulan/baru{step}"))).await;
        assert_eq!(status, 200, "{name}: {step}");
        for w in words {
            assert!(html.contains(w), "{name}: {step}: {w}");
        }
        for indonesian in [
            "Usulan baru",
            "Pilih program",
            "Cari penerima",
            "Simpan draf",
            "Daftarkan",
        ] {
            assert!(!html.contains(indonesian), "{name}: {step}: {indonesian}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_proposal_keeps_what_was_typed_and_stays_a_draft() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let name = app.name;
        eprintln!("{name}: a refused proposal in the browser");
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("dokumen.pdf");
        std::fs::write(&doc, pantau_demo::pdf(&["Dokumen PLUT".into()])).unwrap();
        sign_in(&c, &app, MANAGER).await;
        c.goto(&app.url("/")).await.unwrap();
        click(&c, "a[href='/usulan/baru']").await;
        wait_until(&c, |url, _| url.ends_with("/usulan/baru")).await;
        // PLUT is the region's own building: no beneficiary to find.
        c.execute(
            r#"document.querySelector('form.program-pick input[value="plut-2019-lampung"]')
                 .form.querySelector('button').click();"#,
            vec![],
        )
        .await
        .unwrap();
        wait_until(&c, |_, src| src.contains("name=\"f.plut_site_address\"")).await;
        for (field, typed) in [
            ("f.amount_requested", "banyak sekali"),
            (
                "f.plut_site_address",
                "Jl. Wolter Monginsidi 7, Bandar Lampung",
            ),
            ("f.umkm_in_region", "1500"),
        ] {
            type_in(&c, &format!("[name='{field}']"), typed).await;
        }
        for file in [
            "proposal_doc",
            "land_status_doc",
            "ded_rab_doc",
            "running_cost_commitment_doc",
        ] {
            type_in(
                &c,
                &format!("input[name='file.{file}']"),
                &doc.display().to_string(),
            )
            .await;
        }
        click(&c, "button[name=_go][value=ajukan]").await;
        let page = wait_until(&c, |_, src| src.contains("class=\"error\"")).await;
        shot(&c, "usulan-ditolak").await;
        let kept = |field: &str| {
            let c = c.clone();
            let css = format!("[name='{field}']");
            async move {
                c.find(Locator::Css(&css))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap()
                    .unwrap_or_default()
            }
        };
        assert_eq!(kept("f.amount_requested").await, "banyak sekali", "{name}");
        assert_eq!(
            kept("f.plut_site_address").await,
            "Jl. Wolter Monginsidi 7, Bandar Lampung",
            "{name}"
        );
        assert_eq!(kept("f.umkm_in_region").await, "1500", "{name}");
        assert_eq!(
            page.matches("class=\"stored\"").count(),
            4,
            "{name}: the four documents are kept"
        );
        // The reason sits beside the amount's field.
        let reason = c
            .execute(
                "return document.querySelector('[name=\"f.amount_requested\"]').closest('.field').querySelector('.error').textContent;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            reason.as_str().is_some_and(|r| !r.trim().is_empty()),
            "{name}: {reason}"
        );
        // The case exists, as a draft of 18.71's PLUT.
        let admin = app.token("admin").await;
        let (_, drafts) = app
            .get(
                &admin,
                "/api/cases?program=plut-2019-lampung&state=draft&region=18.71&per_page=100",
            )
            .await;
        let id = drafts["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .find(|id| page.contains(id.as_str()))
            .unwrap_or_else(|| panic!("{name}: the draft: {drafts}"));

        // Mended and sent again from the same form: submitted.
        let amount = c
            .find(Locator::Css("[name='f.amount_requested']"))
            .await
            .unwrap();
        amount.clear().await.unwrap();
        amount.send_keys("Rp 1.100.000.000").await.unwrap();
        c.execute(
            "document.querySelector('[name=\"f.amount_requested\"]').form.querySelector('button.primary').click()",
            vec![],
        )
        .await
        .unwrap();
        wait_until(&c, |url, _| url.contains(&format!("/kasus/{id}?tercatat="))).await;
        let case = case(&app, &id).await;
        assert_eq!(case["state"], "submitted", "{name}: {case}");
        assert_eq!(case["requested_amount"], 1_100_000_000_i64, "{name}");
        assert_eq!(
            case["fields"]["plut_site_address"], "Jl. Wolter Monginsidi 7, Bandar Lampung",
            "{name}"
        );

        // The province's manager picks the kabupaten/kota of the allocation too.
        sign_out(&c, &app).await;
        sign_in(&c, &app, "pengelola.18").await;
        c.goto(&app.url("/usulan/baru")).await.unwrap();
        shot(&c, "usulan-1-provinsi").await;
        c.execute(
            r#"const f = document.querySelector('form.program-pick input[value="bansos-kud-2026-lampung"]').form;
               f.querySelector('select[name=wilayah]').value = '18.02';
               f.querySelector('button').click();"#,
            vec![],
        )
        .await
        .unwrap();
        let page = wait_until(&c, |url, _| url.contains("wilayah=18.02")).await;
        assert!(page.contains("id=\"cari\""), "{name}: on to the search");
        assert!(page.contains("Lampung Tengah"), "{name}: in Lampung Tengah");
    }
    c.close().await.unwrap();
}
