//! A beneficiary not found is registered from the proposal's second step,
//! checked as an imported row: refused by its field with everything kept,
//! then registered and chosen.

use fantoccini::Locator;
use pantau_domain::access::Scope;

use super::proposal::{MANAGER, sign_out};
use super::support;
use super::support::browser::{browser, click, shot, sign_in, type_in, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cooperative_not_found_is_registered_from_the_proposal() {
    let Some((c, _driver)) = browser(390, 844).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let name = app.name;
        eprintln!("{name}: a cooperative registered from the proposal");
        sign_in(&c, &app, MANAGER).await;
        c.goto(&app.url(
            "/usulan/baru?program=bansos-kud-2026-lampung&wilayah=18.71&cari=Harapan+Baru+Teluk",
        ))
        .await
        .unwrap();
        let page = c.source().await.unwrap();
        assert!(page.contains("Tidak ada penerima yang cocok"), "{name}");
        click(&c, "details.register summary").await;
        let typed = [
            ("name", "Koperasi Harapan Baru Teluk"),
            ("nik_koperasi", "18710200"),
            ("legal_entity_number", "45/BH/X.3/2021"),
            ("members", "58"),
            ("address", "Jl. Ikan Tenggiri 12, Teluk Betung"),
            ("phone", "812 7000 1234"),
        ];
        for (field, value) in typed {
            type_in(&c, &format!("#daftar-{field}"), value).await;
        }
        c.execute(
            "document.getElementById('daftar-coop_kind').value = 'kud';
             document.getElementById('daftar-active').value = 'ya';
             document.querySelector('form[action=\"/usulan/penerima\"] button').click();",
            vec![],
        )
        .await
        .unwrap();
        // A NIK Koperasi too short: named by its field, everything typed kept.
        let page = wait_until(&c, |_, src| src.contains("class=\"error\"")).await;
        shot(&c, "usulan-daftar-ditolak").await;
        let error = c
            .execute(
                "return document.getElementById('daftar-nik_koperasi').closest('.field').querySelector('.error').textContent;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            error.as_str().is_some_and(|e| e.contains("16")),
            "{name}: {error}"
        );
        for (field, value) in typed {
            let kept = c
                .find(Locator::Css(&format!("#daftar-{field}")))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap();
            assert_eq!(kept.as_deref(), Some(value), "{name}: {field}");
        }
        assert!(page.contains("value=\"kud\" selected"), "{name}");
        let nik = c.find(Locator::Css("#daftar-nik_koperasi")).await.unwrap();
        nik.clear().await.unwrap();
        nik.send_keys("1871020030004242").await.unwrap();
        c.execute(
            "document.querySelector('form[action=\"/usulan/penerima\"] button').click();",
            vec![],
        )
        .await
        .unwrap();
        // Registered and chosen: on to the proposal's fields.
        let page = wait_until(&c, |_, src| src.contains("name=\"f.amount_requested\"")).await;
        assert!(page.contains("Koperasi Harapan Baru Teluk"), "{name}");
        let found = app
            .store
            .search_beneficiaries(&Scope::National, "1871020030004242", None, None, 5)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(
            (
                found[0].region_code.as_str(),
                found[0].kind.as_str(),
                found[0].members
            ),
            ("18.71", "cooperative", Some(58)),
            "{name}"
        );
        // Where to find it, as the officer will: the phone with its 0 back.
        assert_eq!(
            (found[0].address.as_deref(), found[0].phone.as_deref()),
            (
                Some("Jl. Ikan Tenggiri 12, Teluk Betung"),
                Some("081270001234")
            ),
            "{name}"
        );
        sign_out(&c, &app).await;
    }
    c.close().await.unwrap();
}
