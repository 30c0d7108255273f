//! `pantau pay` through the real binary on SQLite, no demo: a cooperative
//! registered by the import, its bansos case approved with `pantau case`,
//! its account set by the kabupaten/kota's manager, then the treasurer's
//! batch, the bank's file, a result file refused by line and column (and
//! nothing applied), and the bank's good result paying the tranche.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
#[allow(dead_code)]
mod db;
mod support;

use std::process::{Command, Output, Stdio};

use sea_orm::{ConnectionTrait, Statement};
use support::repo;

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pantau"))
        .current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .env("PANTAU_PASSWORD", "kata-sandi-yang-panjang-sekali")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `args`, which must succeed; what it printed.
fn ok(url: &str, args: &[&str]) -> String {
    let out = run(url, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    text(&out)
}

async fn one(url: &str, sql: &str) -> String {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

const COOPERATIVE: &str = "\
kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active
cooperative,18.71,KUD Sinar Tani,1871020030000124,45/BH/X.3/1998,KUD,530,ya
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_treasurer_pays_a_tranche_through_the_bank_from_the_command_line() {
    let (dir, url) = db::fresh_sqlite();
    let coops = dir.path().join("koperasi.csv");
    std::fs::write(&coops, COOPERATIVE).unwrap();
    ok(&url, &["import", "beneficiaries", coops.to_str().unwrap()]);
    let owner = one(&url, "SELECT id FROM beneficiaries").await;
    ok(
        &url,
        &[
            "program",
            "add",
            "bansos-2026",
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
            "18.71=Rp 500.000.000",
        ],
    );
    for (login, role, region) in [
        ("bendahara", "treasurer", "18.71"),
        ("wulan", "manager_regency", "18.71"),
        ("hendra", "manager_province", "18"),
        ("agus", "verifier", "18"),
        ("petugas", "field_officer", "18.71"),
    ] {
        ok(
            &url,
            &[
                "user",
                "add",
                login,
                "--name",
                login,
                "--email",
                &format!("{login}@dinas.example"),
                "--role",
                role,
                "--region",
                region,
            ],
        );
    }
    let out = ok(
        &url,
        &[
            "case",
            "create",
            "bansos",
            "--program-id",
            "bansos-2026",
            "--region",
            "18.71",
            "--beneficiary",
            &owner,
            "--as",
            "manager_regency",
            "--user",
            "wulan",
        ],
    );
    let case = out
        .lines()
        .find_map(|l| l.strip_prefix("case: "))
        .unwrap()
        .to_string();
    for args in [
        &[
            "submit",
            "amount_requested=Rp 100.000.000",
            "proposal_doc=u.pdf",
            "in_craft_centre=ya",
            "--as",
            "manager_regency",
            "--user",
            "wulan",
        ][..],
        &["start_verification", "--as", "verifier", "--user", "agus"],
        &[
            "verify",
            "legal_entity_valid=ya",
            "rat_held_last_year=ya",
            "--as",
            "verifier",
            "--user",
            "agus",
        ],
        &[
            "approve",
            "amount_approved=Rp 75.000.000",
            "--as",
            "verifier",
            "--user",
            "agus",
        ],
        &[
            "assign_officer",
            "officer=petugas",
            "--as",
            "manager_province",
            "--user",
            "hendra",
        ],
    ] {
        let mut full = vec!["case", "apply", case.as_str()];
        full.extend(args);
        ok(&url, &full);
    }

    // No account yet: held, and the treasurer cannot set one.
    let due = ok(&url, &["pay", "due", "--as", "bendahara"]);
    assert!(due.contains(&case) && due.contains("held: "), "{due}");
    let account = [
        "pay",
        "account",
        &owner,
        "--bank",
        "002",
        "--number",
        "3120-01-000123-50-1",
        "--holder",
        "KUD Sinar Tani",
    ];
    let out = run(&url, &[&account[..], &["--as", "bendahara"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("may not"), "{}", text(&out));
    let set = ok(&url, &[&account[..], &["--as", "wulan"]].concat());
    assert!(set.contains("312001000123501"), "{set}");
    let due = ok(&url, &["pay", "due", "--as", "bendahara"]);
    assert!(
        due.contains("payable") && due.contains("1 payable"),
        "{due}"
    );
    assert!(due.contains("Rp 75.000.000"), "{due}");

    // The batch, by case; the file for the bank.
    let made = ok(
        &url,
        &["pay", "batch", "--case", &case, "--as", "bendahara"],
    );
    let number = made
        .split_whitespace()
        .find(|w| w.starts_with("BYR-"))
        .unwrap_or_else(|| panic!("{made}"))
        .to_string();
    assert!(made.contains("1 line(s), Rp 75.000.000"), "{made}");
    let order = dir.path().join("perintah.csv");
    let sent = ok(
        &url,
        &[
            "pay",
            "export",
            &number,
            "--layout",
            "generic",
            "--out",
            order.to_str().unwrap(),
            "--as",
            "bendahara",
        ],
    );
    assert!(sent.contains("the batch is sent"), "{sent}");
    let file = std::fs::read_to_string(&order).unwrap();
    let header: Vec<&str> = file.lines().next().unwrap().split(';').collect();
    let row: Vec<&str> = file.lines().nth(1).unwrap().split(';').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    let reference = col("Referensi").to_string();
    assert_eq!(col("No Rekening"), "312001000123501", "{file}");
    assert_eq!(col("Jumlah"), "75000000", "{file}");

    // A bad result: another amount, a status the layout does not know. Nothing applied.
    let result = dir.path().join("hasil.csv");
    std::fs::write(
        &result,
        format!(
            "Referensi;Status;Jumlah;Tanggal;Referensi Bank\n{reference};SUKSES;75000001;12/03/2026;BRI-1\n{reference};MUNGKIN;75000000;12/03/2026;BRI-1\n"
        ),
    )
    .unwrap();
    let pay_result = [
        "pay",
        "result",
        &number,
        result.to_str().unwrap(),
        "--layout",
        "generic",
        "--as",
        "bendahara",
    ];
    let out = run(&url, &pay_result);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("hasil.csv: line 3, column Status: "),
        "{said}"
    );
    assert!(said.contains("nothing was changed"), "{said}");
    std::fs::write(
        &result,
        format!(
            "Referensi;Status;Jumlah;Tanggal;Referensi Bank\n{reference};SUKSES;75000001;12/03/2026;BRI-1\n"
        ),
    )
    .unwrap();
    let out = run(&url, &pay_result);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("hasil.csv: line 2, column Jumlah: "),
        "{}",
        text(&out)
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT state FROM cases WHERE id = '{case}'")
        )
        .await,
        "approved"
    );

    // The bank's result: paid, and an unmatched line listed.
    std::fs::write(
        &result,
        format!(
            "Referensi;Status;Jumlah;Tanggal;Referensi Bank\n{reference};SUKSES;75000000;12/03/2026;BRI-TRF-1\nPTU000;SUKSES;5000;12/03/2026;BRI-TRF-2\n"
        ),
    )
    .unwrap();
    let said = ok(&url, &pay_result);
    assert!(
        said.contains("1 paid, 0 failed, 0 returned, 0 already recorded, 1 unmatched"),
        "{said}"
    );
    assert!(
        said.contains("unmatched: ") && said.contains("line 3: PTU000"),
        "{said}"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT state FROM cases WHERE id = '{case}'")
        )
        .await,
        "disbursed"
    );
    let again = ok(&url, &pay_result);
    assert!(
        again.contains("0 paid, 0 failed, 0 returned, 1 already recorded"),
        "{again}"
    );
    let batches = ok(&url, &["pay", "batches", "--as", "bendahara"]);
    assert!(
        batches.contains(&number) && batches.contains("1 batch(es)"),
        "{batches}"
    );
}
