//! A file of cooperatives' yearly data through the engine: each row opens
//! a `data_tahunan` case and sends it with the row's answers and its file
//! and line; the same file twice changes nothing; one bad row refuses the
//! file, every problem named by line and column, nothing written; a year
//! already verified gets a new case (a correction, never an edit).

use super::*;
use pantau_domain::RegionCode;
use pantau_registry::regions::Regions;
use pantau_store::yearly::{YearFile, YearImportError, YearReport};

const HEADER: &str = "nik_koperasi;tahun;aktif;rat;tanggal_rat;jumlah_anggota;modal_sendiri;modal_luar;aset;volume_usaha;shu;kesehatan_ksp";
/// Registered in Kota Bandar Lampung (18.71).
const A: &str = "1871020030000456";
const B: &str = "1871020030000457";
/// Registered in Kota Padang (13.71), outside the importer's region.
const PADANG: &str = "1371020030000458";

async fn setup(store: &Store) {
    let regions = Regions::embedded().unwrap();
    for (nik, region) in [(A, "18.71"), (B, "18.71"), (PADANG, "13.71")] {
        let cells = [
            ("kind", "cooperative"),
            ("region_code", region),
            ("name", "KSP Sejahtera"),
            ("nik_koperasi", nik),
            ("legal_entity_number", "456/BH/X.3/2016"),
            ("coop_kind", "KSP"),
            ("members", "300"),
            ("active", "ya"),
        ];
        store
            .register_beneficiary(&cells, &regions, &Scope::National)
            .await
            .unwrap();
    }
    assert!(
        store
            .add_program(&NewProgram {
                id: "tahunan-2025".into(),
                name: "Data Tahunan 2025".into(),
                workflow: "data_tahunan".into(),
                workflow_version: 1,
                fiscal_year: 2025,
                funding_source: "APBD".into(),
                budget_ceiling: 0,
                province: "18".into(),
                allocations: vec![],
            })
            .await
            .unwrap()
    );
}

/// The file's lines joined as Excel writes them, in Windows-1252.
fn windows_1252(lines: &[&str]) -> Vec<u8> {
    let text = lines.join("\r\n") + "\r\n";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!bad);
    bytes.into_owned()
}

async fn import(store: &Store, name: &str, bytes: &[u8]) -> YearReport {
    store
        .import_years(
            &catalog(),
            "tahunan-2025",
            YearFile { name, bytes },
            &cx(Role::ManagerRegency),
            &Scope::Region(RegionCode::parse("18.71").unwrap()),
        )
        .await
        .unwrap()
}

async fn text(store: &Store, sql: &str) -> Vec<String> {
    let rows = store
        .connection()
        .query_all_raw(Statement::from_string(store.backend(), sql.to_string()))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_as_excel_saves_it_becomes_sent_cases_once() {
    // `;` between fields, Windows-1252 (a no-break space after `Rp` and
    // after `Sehat`), a loss in brackets, rupiah with `,00`.
    let a = format!(
        "{A};2025;ya;ya;14/03/2026;1.234;Rp\u{a0}1.250.000.000;300.000.000,00;Rp 1.730.000.000;2.100.000.000;(12.500.000);Sehat\u{a0}"
    );
    let b = format!("{B};2025;tidak;tidak;;40;0;0;0;0;0;");
    let bytes = windows_1252(&[HEADER, &a, &b]);
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        setup(&store).await;
        let first = import(&store, "tahunan-metro.csv", &bytes).await;
        assert!(first.applied(), "{name}: {:?}", first.refused);
        assert_eq!((first.rows, first.made, first.already), (2, 2, 0), "{name}");
        assert!(first.corrections.is_empty(), "{name}");
        let sent = count(
            &store,
            "SELECT COUNT(*) FROM cases WHERE state = 'submitted' AND program_id = 'tahunan-2025' AND workflow = 'data_tahunan'",
        )
        .await;
        assert_eq!(sent, 2, "{name}");
        let bodies = text(
            &store,
            "SELECT e.body FROM events e JOIN cases c ON c.id = e.case_id \
             WHERE e.action = 'submit' ORDER BY e.body",
        )
        .await;
        let body_a = bodies
            .iter()
            .find(|b| b.contains("baris 2"))
            .expect("line 2 recorded");
        for want in [
            "tahunan-metro.csv, baris 2",
            "1250000000",
            "300000000",
            "-12500000",
            "1234",
            "\"sehat\"",
            "2026-03-14",
        ] {
            assert!(body_a.contains(want), "{name}: {want} in {body_a}");
        }
        assert!(
            bodies
                .iter()
                .any(|b| b.contains("tahunan-metro.csv, baris 3"))
        );
        // The events carry who and when, and the chain holds.
        let actors = text(&store, "SELECT DISTINCT actor_user FROM events").await;
        assert_eq!(actors, ["u"], "{name}");
        let pending = count(
            &store,
            "SELECT COUNT(*) FROM reminders WHERE status = 'pending' AND state = 'submitted'",
        )
        .await;
        // The verifier's, and its escalation to the province's manager, for each case.
        assert_eq!(pending, 4, "{name}");
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM reminders WHERE state = 'draft'"
            )
            .await,
            0,
            "{name}: the draft's reminders, disarmed in the same batch, are never written"
        );
        assert_eq!(
            store.verify().await.unwrap(),
            Ok(4),
            "{name}: every chain holds"
        );

        let again = import(&store, "tahunan-metro (1).csv", &bytes).await;
        assert!(again.applied(), "{name}");
        assert_eq!((again.made, again.already), (0, 2), "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM cases").await,
            2,
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            4,
            "{name}"
        );
        db::drop_postgres(&t.url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_row_refuses_the_file_by_line_and_column() {
    let good = format!("{A};2025;ya;ya;;100;1;1;1;1;1;");
    let scientific = "1,87102E+15;2025;ya;ya;;100;1;1;1;1;1;".to_string();
    let future = format!("{B};2099;ya;ya;;100;1;1;1;1;1;");
    let unknown = "1871020030009999;2025;ya;ya;;100;1;1;1;1;1;".to_string();
    let twice = format!("{A};2025;ya;ya;;101;1;1;1;1;1;");
    let padang = format!("{PADANG};2025;ya;ya;;100;1;1;1;1;1;");
    let money = format!("{B};2024;ya;mungkin;;100;12,5;1;1;1;1;");
    let bytes = windows_1252(&[
        HEADER,
        &good,
        &scientific,
        &future,
        &unknown,
        &twice,
        &padang,
        &money,
    ]);
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        setup(&store).await;
        let r = import(&store, "salah.csv", &bytes).await;
        assert!(!r.applied(), "{name}");
        let got: Vec<(u64, &str)> = r
            .refused
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "nik_koperasi"),
                (4, "tahun"),
                (5, "nik_koperasi"),
                (6, "nik_koperasi"),
                (7, "nik_koperasi"),
                (8, "rat"),
                (8, "modal_sendiri"),
            ],
            "{name}: {:?}",
            r.refused
        );
        let reasons: Vec<&str> = r.refused.iter().map(|p| p.reason.en.as_str()).collect();
        assert!(reasons[0].contains("scientific"), "{reasons:?}");
        assert!(reasons[1].contains("2099"), "{reasons:?}");
        assert!(
            reasons[2].contains("not in the cooperatives' registry"),
            "{reasons:?}"
        );
        assert!(reasons[3].contains("line 2"), "{reasons:?}");
        assert!(reasons[4].contains("outside your region"), "{reasons:?}");
        assert_eq!((r.rows, r.made), (7, 0), "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM cases").await,
            0,
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            0,
            "{name}"
        );
        // A province's manager of another province does not see the program at all.
        let other = store
            .import_years(
                &catalog(),
                "tahunan-2025",
                YearFile {
                    name: "x.csv",
                    bytes: &bytes,
                },
                &cx(Role::ManagerProvince),
                &Scope::Region(RegionCode::parse("13").unwrap()),
            )
            .await;
        assert!(
            matches!(other, Err(YearImportError::NoProgram(_))),
            "{name}"
        );
        db::drop_postgres(&t.url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_verified_and_sent_again_is_a_new_case() {
    let first = windows_1252(&[HEADER, &format!("{A};2025;ya;ya;;100;1;1;1;1;1;")]);
    let mended = windows_1252(&[HEADER, &format!("{A};2025;ya;ya;;120;1;1;1;1;1;")]);
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        setup(&store).await;
        assert_eq!(import(&store, "a.csv", &first).await.made, 1, "{name}");
        let case = text(&store, "SELECT id FROM cases").await.remove(0);
        let verify = Command {
            observed_at: None,
            key: "verify-1".into(),
            action: "verify".into(),
            inputs: [("quality".to_string(), "ya".to_string())].into(),
        };
        store
            .apply(&catalog(), &case, &verify, &cx(Role::Verifier), None)
            .await
            .unwrap();
        let r = import(&store, "a-perbaikan.csv", &mended).await;
        assert!(r.applied(), "{name}: {:?}", r.refused);
        assert_eq!(r.made, 1, "{name}");
        assert_eq!(r.corrections.len(), 1, "{name}");
        assert_eq!(r.corrections[0].line, 2);
        assert_eq!(r.corrections[0].year, 2025);
        assert_eq!(
            r.corrections[0].verified_case.as_deref(),
            Some(case.as_str())
        );
        let states = text(&store, "SELECT state FROM cases ORDER BY state").await;
        assert_eq!(
            states,
            ["submitted", "verified"],
            "{name}: the first case kept"
        );
        let members = count(
            &store,
            "SELECT CAST(members AS BIGINT) FROM cooperative_years WHERE year = 2025",
        )
        .await;
        assert_eq!(
            members, 100,
            "{name}: the record waits for the correction's verification"
        );
        db::drop_postgres(&t.url).await;
    }
}
