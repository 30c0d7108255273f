//! The decree pages: an SK as its region sees it, and one recorded through
//! the form.

use super::*;

#[tokio::test]
async fn a_decree_reads_as_its_region_sees_it() {
    for app in support::apps().await {
        let name = app.name;
        // The province's manager: every SK of Lampung, the refused line with its reason.
        let c = app.sign_in("pengelola.18").await;
        let (status, list) = text(&c, &app.url("/sk")).await;
        assert_eq!(status, 200, "{name}");
        assert!(list.contains("Surat Keputusan (SK)"), "{name}");
        let decrees = links(&list, "/sk/");
        assert!(decrees.len() >= 3, "{name}: {decrees:?}");
        // The bansos SK, the one an SK perubahan amends.
        let (_, bansos) = text(&c, &app.url("/sk?program=bansos-kud-2026-lampung")).await;
        let mut original = None;
        for href in links(&bansos, "/sk/") {
            let (status, page) = text(&c, &app.url(href)).await;
            assert_eq!(status, 200, "{name}: {href}");
            if page.contains("Diubah dengan") {
                original = Some((href.to_string(), page));
            }
        }
        let (href, page) = original.expect("the amended bansos SK");
        assert!(page.contains("Ditolak"), "{name}: the refused line");
        assert!(
            page.contains("tidak dapat disetujui dengan SK"),
            "{name}: and why"
        );
        let (status, scan) = text(&c, &app.url(&format!("{href}/pindaian"))).await;
        assert_eq!(status, 200, "{name}");
        assert!(scan.starts_with("%PDF-"), "{name}: the scan");
        let (_, english) = text(&c, &app.url(&format!("{href}?lang=en"))).await;
        assert!(english.contains("Amended by"), "{name}");

        // A kabupaten/kota's manager sees only its own line of the same SK,
        // and its case's timeline links back to the SK.
        let c = app.sign_in("pengelola.1871").await;
        let (status, page) = text(&c, &app.url(&href)).await;
        assert_eq!(status, 200, "{name}");
        let cases = links(&page, "/kasus/");
        assert_eq!(
            cases.len(),
            1,
            "{name}: one case of 18.71 on the SK: {cases:?}"
        );
        assert!(
            !page.contains("Ditolak"),
            "{name}: the refused line is 18.01's"
        );
        let (status, case) = text(&c, &app.url(cases[0])).await;
        assert_eq!(status, 200, "{name}");
        assert!(
            links(&case, "/sk/").contains(&href.as_str()),
            "{name}: the timeline links the SK"
        );

        // West Sumatra's manager does not see Lampung's decrees.
        let c = app.sign_in("pengelola.13").await;
        let (status, _) = text(&c, &app.url(&href)).await;
        assert_eq!(status, 404, "{name}");
        let (_, list) = text(&c, &app.url("/sk")).await;
        assert!(links(&list, "/sk/").is_empty(), "{name}");
    }
}

#[tokio::test]
async fn a_verifier_records_a_decree_through_the_form() {
    for app in support::apps().await {
        let name = app.name;
        let admin = app.token("admin").await;
        let (_, verified) = app
            .get(
                &admin,
                "/api/cases?program=bansos-kud-2026-lampung&state=verified",
            )
            .await;
        let case = verified["items"][0]["id"].as_str().unwrap().to_string();
        let (_, detail) = app.get(&admin, &format!("/api/cases/{case}")).await;
        let requested = detail["requested_amount"].as_i64().unwrap();
        let c = app.sign_in("verifikator.18").await;
        let (status, form) = text(&c, &app.url("/sk/baru")).await;
        assert_eq!(status, 200, "{name}");
        assert!(form.contains("Catat SK baru"), "{name}");

        // A list with bad rows: each named, nothing recorded.
        let bad = format!("kasus,jumlah,tahap\n{case},Rp {requested},\"60,30\"\n,Rp 5,\n");
        let r = send_decree(
            &c,
            &app,
            "500.2/900/V.19/HK/2026",
            "bansos-kud-2026-lampung",
            bad,
        )
        .await;
        assert_eq!(r.status(), 400, "{name}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("Baris daftar yang perlu diperbaiki"),
            "{name}"
        );
        assert!(page.contains("jumlahnya 90 %"), "{name}: {page}");
        assert!(page.contains("wajib diisi"), "{name}");
        assert!(
            page.contains("500.2/900/V.19/HK/2026"),
            "{name}: the typed number is kept"
        );
        let sk = format!(
            "/sk/{}",
            pantau_store::decree::id_of("500.2/900/V.19/HK/2026")
        );
        assert_eq!(
            text(&c, &app.url(&sk)).await.0,
            404,
            "{name}: nothing recorded"
        );

        // The list to start from names the verified case with what it requested;
        // sent as it is, the case is approved by the SK, and the SK's page says so.
        let r = c
            .get(app.url("/sk/usulan?program=bansos-kud-2026-lampung"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{name}"
        );
        let good = r.text().await.unwrap();
        assert!(
            good.starts_with("\u{feff}case_id,change,amount,tranches,beneficiary,region\n"),
            "{name}: {good}"
        );
        assert!(good.contains(&case), "{name}: {good}");
        let r = send_decree(
            &c,
            &app,
            "500.2/900/V.19/HK/2026",
            "bansos-kud-2026-lampung",
            good.clone(),
        )
        .await;
        // First what it will do, with nothing recorded; then, confirmed, recorded.
        assert_eq!(r.status(), 200, "{name}");
        let preview = r.text().await.unwrap();
        assert!(preview.contains("Periksa sebelum mencatat"), "{name}");
        assert!(preview.contains("akan disetujui"), "{name}: {preview}");
        assert_eq!(text(&c, &app.url(&sk)).await.0, 404, "{name}: not yet");
        let (_, still) = app.get(&admin, &format!("/api/cases/{case}")).await;
        assert_eq!(still["state"], "verified", "{name}");
        let r = confirm_decree(&c, &app, &preview).await;
        assert_eq!(r.status(), 303, "{name}");
        assert_eq!(location(&r), sk, "{name}");
        let (_, page) = text(&c, &app.url(&sk)).await;
        assert!(page.contains("Disetujui"), "{name}");
        assert!(
            page.contains("Pindaian SK (PDF)"),
            "{name}: the scan is kept"
        );
        let (_, after) = app.get(&admin, &format!("/api/cases/{case}")).await;
        assert_eq!(after["state"], "approved", "{name}");
        assert_eq!(after["approved_amount"], requested, "{name}");

        // Sent again: nothing twice; the number for another program: refused by name.
        let r = send_decree(
            &c,
            &app,
            "500.2/900/V.19/HK/2026",
            "bansos-kud-2026-lampung",
            good.clone(),
        )
        .await;
        assert_eq!(r.status(), 200, "{name}");
        let r = confirm_decree(&c, &app, &r.text().await.unwrap()).await;
        assert_eq!(r.status(), 303, "{name}");
        let (_, again) = app.get(&admin, &format!("/api/cases/{case}")).await;
        assert_eq!(again["seq"], after["seq"], "{name}: approved once");
        let r = send_decree(
            &c,
            &app,
            "500.2/900/V.19/HK/2026",
            "perkuatan-ksp-2026-lampung",
            good,
        )
        .await;
        assert_eq!(r.status(), 400, "{name}");
        assert!(r.text().await.unwrap().contains("sudah dipakai"), "{name}");

        // A kabupaten/kota's manager does not record decrees.
        let c = app.sign_in("pengelola.1871").await;
        assert_eq!(text(&c, &app.url("/sk/baru")).await.0, 403, "{name}");
    }
}
