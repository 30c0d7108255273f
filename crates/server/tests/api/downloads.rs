//! Files and reports over the API: uploads checked for type, content and
//! size; reports that download with the dashboard's totals.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_checked_for_type_content_and_size() {
    for app in support::apps().await {
        let token = app.token("pengelola.1871").await;
        let (_, list) = app.get(&token, "/api/cases?per_page=1").await;
        let case = list["items"][0]["id"].as_str().unwrap().to_string();
        let (status, a) = upload(&app, &token, &case, &PNG).await;
        assert_eq!(status, 201, "{a}");
        let (status, b) = upload(&app, &token, &case, &PNG).await;
        assert_eq!((status, &b["id"]), (201, &a["id"]), "stored once");
        let r = app
            .http
            .get(app.url(&format!(
                "/api/cases/{case}/attachments/{}",
                a["id"].as_str().unwrap()
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = |name: &str| r.headers()[name].to_str().unwrap().to_string();
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("cache-control"), "private, no-store");
        assert!(
            h("content-disposition").starts_with("inline;"),
            "a photo is shown"
        );
        assert!(h("content-security-policy").contains("sandbox"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG.as_slice());
        // A file that only starts like what it claims is refused.
        for (ty, fake) in [
            (
                "application/pdf",
                b"%PDF-<html><script>alert(1)</script></html>".to_vec(),
            ),
            (
                "image/jpeg",
                b"\xFF\xD8\xFF<html><script>alert(1)</script></html>".to_vec(),
            ),
            ("image/png", [&PNG[..40], b"<html>".as_slice()].concat()),
            ("image/jpeg", PNG.to_vec()),
        ] {
            let (status, err) = upload_as(&app, &token, &case, ty, &fake).await;
            assert_eq!(
                (status, err["fields"][0]["field"].as_str()),
                (400, Some("file")),
                "{}: {ty} {err}",
                app.name
            );
        }
        // A real PDF is kept, and served to be saved, not shown.
        let pdf = pantau_demo::pdf(&["Berita acara".into()]);
        let (status, p) = upload_as(&app, &token, &case, "application/pdf", &pdf).await;
        assert_eq!(status, 201, "{}: {p}", app.name);
        let r = app
            .http
            .get(app.url(&format!(
                "/api/cases/{case}/attachments/{}",
                p["id"].as_str().unwrap()
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let h = |name: &str| r.headers()[name].to_str().unwrap().to_string();
        assert!(
            h("content-disposition").starts_with("attachment;"),
            "{}",
            h("content-disposition")
        );
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("cache-control"), "private, no-store");
        let (status, err) = upload(&app, &token, &case, b"just text").await;
        assert_eq!(
            (status, err["fields"][0]["field"].as_str()),
            (400, Some("file"))
        );
        let (status, err) = upload_as(&app, &token, &case, "text/html", b"<p>").await;
        assert_eq!(
            (status, err["fields"][0]["field"].as_str()),
            (400, Some("Content-Type"))
        );
        let big = [PNG.as_slice(), &vec![0u8; 11 * 1024 * 1024]].concat();
        let (status, err) = upload(&app, &token, &case, &big).await;
        assert_eq!(
            (status, err["fields"][0]["field"].as_str()),
            (400, Some("file"))
        );
        // Another region's manager cannot see the file or the case.
        let other = app.token("pengelola.13").await;
        let (status, _) = upload(&app, &other, &case, &PNG).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_download_with_the_dashboards_totals() {
    for app in support::apps().await {
        let name = app.name;
        for user in ["pengelola.18", "pengelola.1871", "kementerian"] {
            let token = app.token(user).await;
            let (_, dash) = app.get(&token, "/api/dashboard").await;
            let programs = dash["programs"].as_array().unwrap();
            assert!(!programs.is_empty(), "{name} {user}: {dash}");
            for p in programs {
                let (id, year) = (
                    p["id"].as_str().unwrap(),
                    p["fiscal_year"].as_i64().unwrap(),
                );
                let path = format!(
                    "/api/reports/program-progress?program={id}&year={year}&format=csv&lang=id"
                );
                let (status, ty, disposition, bytes) = download(&app, &token, &path).await;
                let ctx = format!("{name} {user} {path}");
                assert_eq!(status, 200, "{ctx}: {}", String::from_utf8_lossy(&bytes));
                assert!(ty.starts_with("text/csv"), "{ctx}: {ty}");
                assert_eq!(
                    disposition,
                    format!("attachment; filename=\"perkembangan-program-{year}.csv\""),
                    "{ctx}"
                );
                let csv = String::from_utf8(bytes).unwrap();
                let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
                let header = &lines[1];
                let total = lines
                    .iter()
                    .find(|l| l[0] == "Jumlah")
                    .unwrap_or_else(|| panic!("{ctx}: no total row in\n{csv}"));
                let column = |label: &str| -> i64 {
                    let i = header
                        .iter()
                        .position(|h| *h == label)
                        .unwrap_or_else(|| panic!("{ctx}: no column {label} in {header:?}"));
                    total[i].parse().unwrap()
                };
                let t = &p["total"];
                for (label, key) in [
                    ("Alokasi", "allocation"),
                    ("Disetujui (Rp)", "approved"),
                    ("Dicairkan (Rp)", "disbursed"),
                    ("Monev selesai", "visits_done"),
                    ("Monev jatuh tempo", "visits_due"),
                    ("Monev terlambat", "visits_overdue"),
                ] {
                    assert_eq!(
                        column(label),
                        t[key].as_i64().unwrap(),
                        "{ctx}: {label} against the dashboard's {key}"
                    );
                }
            }
        }

        let token = app.token("pengelola.18").await;
        let path = "/api/reports/program-progress?program=bansos-kud-2026-lampung&year=2026";
        // XLSX: a zip with the spreadsheet's type.
        let (status, ty, disposition, bytes) =
            download(&app, &token, &format!("{path}&format=xlsx")).await;
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&bytes));
        assert_eq!(
            ty,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            disposition,
            "attachment; filename=\"perkembangan-program-2026.xlsx\""
        );
        assert!(bytes.starts_with(b"PK"), "{name}: XLSX is a zip");
        // HTML: shown, not saved; it runs no script.
        let r = app
            .http
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("inline")
        );
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Bantuan Sosial KUD Lampung 2026")
        );
        // PDF: Chromium prints it, when the server has one.
        match pantau_report::pdf::Chromium::find() {
            Err(e) => skip(&format!("no PDF report: {e}")),
            Ok(_) => {
                let (status, ty, disposition, bytes) =
                    download(&app, &token, &format!("{path}&format=pdf")).await;
                assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&bytes));
                assert_eq!(ty, "application/pdf");
                assert_eq!(
                    disposition,
                    "attachment; filename=\"perkembangan-program-2026.pdf\""
                );
                assert!(bytes.starts_with(b"%PDF"), "{name}: a PDF");
            }
        }

        // What cannot be read is named (400); what cannot be made is named (422);
        // what is outside the caller's region does not exist (404).
        for (query, status, field) in [
            ("year=dua-ribu", 400, "year"),
            ("year=2026&format=docx", 400, "format"),
            ("year=2026&lang=fr", 400, "lang"),
            ("year=2026&region=18.7", 400, "region"),
            ("year=2026&case=abc", 400, "case"),
            ("year=2026&program=pkl-2014-sumbar", 422, "program"),
            ("year=2019&program=bansos-kud-2026-lampung", 422, "program"),
        ] {
            let (got, err) = app
                .get(&token, &format!("/api/reports/program-progress?{query}"))
                .await;
            assert_eq!(got, status, "{name} {query}: {err}");
            assert_eq!(err["fields"][0]["field"], field, "{name} {query}: {err}");
        }
        let (got, err) = app
            .get(&token, "/api/reports/accountability?year=2026&signer=Ir.%20Siti&position=Kepala%20Dinas&nip=123&place=Bandar%20Lampung")
            .await;
        assert_eq!(
            (got, err["fields"][0]["field"].as_str()),
            (400, Some("nip")),
            "{name}: {err}"
        );
        let (got, err) = app
            .get(&token, "/api/reports/monev?from=2026-11-01&to=2026-10-01")
            .await;
        assert_eq!(
            (got, err["fields"][0]["field"].as_str()),
            (400, Some("to")),
            "{name}: {err}"
        );
        for path in [
            "/api/reports/laporan-rahasia",
            "/api/reports/program-progress?region=13",
            "/api/reports/program-progress?region=13.03",
            "/api/reports/program-progress?region=99.99",
            "/api/reports/monev?case=tidak-ada",
        ] {
            let (got, err) = app.get(&token, path).await;
            assert_eq!(got, 404, "{name} {path}: {err}");
        }
        let r = app
            .http
            .get(app.url("/api/reports/program-progress?format=csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{name}: signed in only");
        // A signed accountability report carries the signer.
        let r = app
            .http
            .get(app.url("/api/reports/accountability?year=2026&signer=Ir.%20Siti%20Rahmawati&position=Kepala%20Dinas&nip=197001011995032001&place=Bandar%20Lampung"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("197001011995032001") && html.contains("Ir. Siti Rahmawati"),
            "{name}"
        );
    }
}
