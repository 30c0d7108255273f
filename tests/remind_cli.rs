//! Reminders through the real binary and a real SMTP server on loopback
//! (Debian's python3-aiosmtpd, `crates/notify/tests/smtp_server.py`),
//! counting what arrived at the server: exactly once with the server up,
//! down then up, the sender killed mid-way, and two senders at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
#[path = "support/smtp.rs"]
mod smtp;
mod support;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use sea_orm::ConnectionTrait;

use smtp::{Smtp, dead_port};
use support::repo;

fn cli(url: &str, port: u16) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .env("PANTAU_SMTP_HOST", "127.0.0.1")
        .env("PANTAU_SMTP_PORT", port.to_string())
        .env("PANTAU_SMTP_SECURITY", "none")
        .env(
            "PANTAU_MAIL_FROM",
            "Pantau Diskop UKM Lampung <pantau@dinas.example>",
        )
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The figure next to `word` in a `remind` summary: `sent 191`, `91 to retry`, `90 queued`.
fn figure(summary: &str, word: &str) -> usize {
    let number = |s: &str| s.trim_matches([',', ';', ':']).parse().ok();
    if word == "sent" {
        return summary
            .split("sent ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(number)
            .unwrap_or(0);
    }
    summary
        .split(word)
        .next()
        .and_then(|before| before.split_whitespace().last())
        .and_then(number)
        .unwrap_or(0)
}

fn remind(url: &str, port: u16, now: &str) -> String {
    let out = cli(url, port)
        .args(["remind", "--once", "--now", now])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

fn demo(url: &str) {
    let out = cli(url, 1)
        .args([
            "demo",
            "--scale",
            "0.01",
            "--as-of",
            "2026-11-23",
            "--cases-per-state",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reminder_arrives_exactly_once_even_with_the_server_down_first() {
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        // The server is down: everything is queued and waits.
        let down = remind(&t.url, dead_port(), "2026-11-24T00:00:00Z");
        let queued = figure(&down, "queued") + figure(&down, "digest(s)").min(1);
        assert!(
            figure(&down, "to retry") > 0 && figure(&down, "sent") == 0,
            "{}: {down}",
            t.name
        );
        // Up again, after the back-off: every one arrives.
        let up = remind(&t.url, smtp.port, "2026-11-24T00:10:00Z");
        let sent = figure(&up, "sent");
        assert!(sent >= queued, "{}: {up} after {down}", t.name);
        // And again: nothing is sent twice.
        let again = remind(&t.url, smtp.port, "2026-11-24T00:10:00Z");
        assert_eq!(figure(&again, "sent"), 0, "{}: {again}", t.name);
        let arrived = smtp.arrived();
        assert_eq!(
            arrived.values().sum::<usize>(),
            sent,
            "{}: every email arrived once",
            t.name
        );
        assert!(
            arrived.values().all(|n| *n == 1),
            "{}: a Message-ID arrived twice",
            t.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_mid_way_loses_nothing_and_two_senders_share_the_queue() {
    let seed = fastrand::u64(..);
    eprintln!("seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        // Queue everything without sending (the server is down), then kill senders at random points.
        let down = remind(&t.url, dead_port(), "2026-11-24T00:00:00Z");
        let expected = figure(&down, "to retry");
        let mut kills = 0;
        for _ in 0..4 {
            let mut child = cli(&t.url, smtp.port)
                .args(["remind", "--once", "--now", "2026-11-24T00:10:00Z"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.u64(50..600)));
            if child.try_wait().unwrap().is_none() {
                kills += 1;
            }
            child.kill().ok();
            child.wait().unwrap();
        }
        // After the leases end, two senders at once deliver the rest.
        let (a, b) = (
            cli(&t.url, smtp.port)
                .args(["remind", "--once", "--now", "2026-11-24T00:30:00Z"])
                .output()
                .unwrap(),
            cli(&t.url, smtp.port)
                .args(["remind", "--once", "--now", "2026-11-24T00:30:00Z"])
                .output()
                .unwrap(),
        );
        assert!(
            a.status.success() && b.status.success(),
            "{} {}",
            text(&a),
            text(&b)
        );
        let arrived = smtp.arrived();
        let distinct = arrived.len();
        let repeats: usize = arrived.values().map(|n| n - 1).sum();
        eprintln!(
            "{}: {expected} queued, {kills} senders killed, {} arrived, {repeats} repeat(s) of a message whose 250 came before the kill",
            t.name,
            arrived.values().sum::<usize>()
        );
        assert!(
            distinct >= expected,
            "{}: {distinct} of {expected} arrived",
            t.name
        );
        assert!(
            arrived.values().all(|n| *n <= 2),
            "{}: a message arrived more than twice",
            t.name
        );
        let again = remind(&t.url, smtp.port, "2026-11-24T01:00:00Z");
        assert_eq!(
            figure(&again, "to retry") + figure(&again, "failed"),
            0,
            "{}: {again}",
            t.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_senders_started_together_crash_none_and_send_each_email_once() {
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        let children: Vec<_> = (0..8)
            .map(|_| {
                cli(&t.url, smtp.port)
                    .args(["remind", "--once", "--now", "2026-11-24T00:10:00Z"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for o in &outs {
            assert!(o.status.success(), "{}: {}", t.name, text(o));
        }
        let queued: usize = outs.iter().map(|o| figure(&text(o), "queued")).sum();
        let arrived = smtp.arrived();
        assert!(!arrived.is_empty(), "{}", t.name);
        assert!(
            arrived.values().all(|n| *n == 1),
            "{}: a Message-ID arrived twice",
            t.name
        );
        let again = remind(&t.url, smtp.port, "2026-11-24T00:11:00Z");
        assert_eq!(
            figure(&again, "sent"),
            0,
            "{}: nothing left: {again}",
            t.name
        );
        eprintln!(
            "{}: the eight counted {queued} queued by their rounds, {} arrived",
            t.name,
            arrived.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_longer_than_the_back_off_parks_emails_and_one_command_brings_them_back() {
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        // Twelve attempts over the back-off (1, 2, 4 … 32 minutes, then hourly): the server stays down.
        let mut at = chrono::DateTime::parse_from_rfc3339("2026-11-24T00:00:00Z").unwrap();
        let waits = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 0];
        let mut parked = 0;
        for wait in waits {
            let out = remind(&t.url, dead_port(), &at.to_rfc3339());
            parked = figure(&out, "failed");
            at += chrono::TimeDelta::minutes(wait) + chrono::TimeDelta::seconds(1);
        }
        assert!(parked > 0, "{}: parked after the twelfth attempt", t.name);
        let list = cli(&t.url, smtp.port)
            .args(["outbox", "list", "--status", "failed", "--limit", "1"])
            .output()
            .unwrap();
        assert!(
            text(&list).contains("parked after 12 attempts")
                && text(&list).contains("resend --failed"),
            "{}: {}",
            t.name,
            text(&list)
        );
        // The server is back: one command queues every parked email, and they go once.
        let back = cli(&t.url, smtp.port)
            .args(["outbox", "resend", "--failed"])
            .output()
            .unwrap();
        assert!(
            text(&back).contains(&format!("{parked} email(s) queued again")),
            "{}: {}",
            t.name,
            text(&back)
        );
        let sent = remind(&t.url, smtp.port, &at.to_rfc3339());
        assert_eq!(figure(&sent, "sent"), parked, "{}: {sent}", t.name);
        assert_eq!(smtp.arrived().len(), parked, "{}", t.name);
    }
}

/// The sum of the `Jumlah` rows' `column` over every program in a program progress CSV.
fn csv_total(csv: &str, column: &str) -> i64 {
    let mut at = None;
    let mut sum = 0;
    for line in csv.lines() {
        let cells: Vec<&str> = line.split(',').collect();
        if let Some(i) = cells.iter().position(|c| *c == column) {
            at = Some(i);
        } else if cells[0] == "Jumlah" {
            sum += cells[at.unwrap()].parse::<i64>().unwrap();
        }
    }
    sum
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_manager_gets_one_monthly_report_with_their_regions_figures() {
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        let first = remind(&t.url, smtp.port, "2026-12-01T01:00:00Z");
        let managers = figure(&first, "monthly");
        assert!(managers >= 2, "{}: {first}", t.name);
        let monthly = |all: &[serde_json::Value]| -> Vec<serde_json::Value> {
            all.iter()
                .filter(|r| {
                    r["headers"]["Subject"]
                        .as_str()
                        .unwrap()
                        .starts_with("Laporan bulanan Pantau November 2026")
                })
                .cloned()
                .collect()
        };
        let arrived = monthly(&smtp.records());
        assert_eq!(arrived.len(), managers, "{}: one per manager", t.name);
        let mut to: Vec<&str> = arrived
            .iter()
            .map(|r| r["to"][0]["email"].as_str().unwrap())
            .collect();
        to.dedup();
        assert_eq!(to.len(), managers, "{}: {to:?}", t.name);

        // Kota Bandar Lampung's manager reads their own region's totals:
        // the same as the program progress report they would download.
        let mine = arrived
            .iter()
            .find(|r| {
                r["to"][0]["email"]
                    .as_str()
                    .unwrap()
                    .starts_with("pengelola.1871@")
            })
            .unwrap();
        let body = mine["parts"][0]["content"].as_str().unwrap();
        let csv_file = tempfile::NamedTempFile::new().unwrap();
        let out = cli(&t.url, smtp.port)
            .args([
                "report",
                "program-progress",
                "--year",
                "2026",
                "--as",
                "pengelola.1871",
            ])
            .args(["--format", "csv", "--out"])
            .arg(csv_file.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let csv = std::fs::read_to_string(csv_file.path()).unwrap();
        // `--out -` is standard output, not a file named `-`.
        let piped = cli(&t.url, smtp.port)
            .args(["report", "program-progress", "--year", "2026"])
            .args(["--as", "pengelola.1871", "--format", "csv", "--out", "-"])
            .output()
            .unwrap();
        assert!(piped.status.success(), "{}", text(&piped));
        let piped = String::from_utf8_lossy(&piped.stdout);
        for column in ["Dicairkan (Rp)", "Alokasi"] {
            assert_eq!(
                csv_total(&piped, column),
                csv_total(&csv, column),
                "{piped}"
            );
        }
        assert!(!repo().join("-").exists(), "a file named - was written");
        let disbursed = pantau_domain::format::rupiah(csv_total(&csv, "Dicairkan (Rp)"));
        let allocated = pantau_domain::format::rupiah(csv_total(&csv, "Alokasi"));
        assert!(
            body.contains(&format!("dicairkan {disbursed} dari alokasi {allocated}")),
            "{}: {body}\n{csv}",
            t.name
        );
        assert!(body.contains("di Kota Bandar Lampung"), "{body}");
        // And what waits at the bank, as the report's column says it.
        let ordered = pantau_domain::format::rupiah(csv_total(&csv, "Dikirim ke bank (Rp)"));
        assert!(
            body.contains(&format!(
                "dikirim ke bank dan menunggu jawabannya {ordered}"
            )),
            "{}: {body}\n{csv}",
            t.name
        );
        // The month that ended, by itself: what was paid in November, counted here from the tranches.
        let conn = sea_orm::Database::connect(t.url.as_str()).await.unwrap();
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM tranches t JOIN cases c ON c.id = t.case_id \
                 WHERE c.region = '18.71' AND t.paid_at >= '2026-10-31 17:00:00+00' AND t.paid_at < '2026-11-30 17:00:00+00'"
                    .to_string(),
            ))
            .await
            .unwrap()
            .unwrap();
        let november = pantau_domain::format::rupiah(row.try_get_by_index::<i64>(0).unwrap());
        assert!(
            body.contains(&format!("Bulan November 2026: dicairkan {november}")),
            "{}: {body}",
            t.name
        );
        assert!(
            body.contains("/laporan/unduh?report=program-progress&year=2026&format=pdf"),
            "{body}"
        );

        // Later rounds of the month send none again; the next month's round sends the next.
        let again = remind(&t.url, smtp.port, "2026-12-15T01:00:00Z");
        assert_eq!(figure(&again, "monthly"), 0, "{}: {again}", t.name);
        assert_eq!(monthly(&smtp.records()).len(), managers, "{}", t.name);
        let next = remind(&t.url, smtp.port, "2027-01-01T01:00:00Z");
        assert_eq!(figure(&next, "monthly"), managers, "{}: {next}", t.name);
    }
}

/// Cooperatives registered in each of Lampung's kabupaten/kota whose 2026
/// yearly data was never sent in the demo's program, counted here in SQL.
async fn lampung_unsent(url: &str) -> Vec<(String, i64)> {
    let conn = sea_orm::Database::connect(url).await.unwrap();
    conn.query_all_raw(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        "SELECT r.name, CAST(COUNT(*) AS BIGINT) FROM beneficiaries b JOIN regions r ON r.code = b.region_code \
         WHERE r.province_code = '18' AND b.kind = 'cooperative' AND NOT b.dissolved AND NOT EXISTS (\
           SELECT 1 FROM cases c JOIN events e ON e.case_id = c.id \
           WHERE c.beneficiary_id = b.id AND c.program_id = 'data-tahunan-2026-lampung' AND e.action = 'submit') \
         GROUP BY r.name ORDER BY r.name"
            .to_string(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_are_told_which_regions_have_not_sent_their_yearly_data() {
    for t in db::test_databases().await {
        let Some(smtp) = Smtp::start() else { return };
        demo(&t.url);
        let unsent = lampung_unsent(&t.url).await;
        assert!(
            !unsent.is_empty(),
            "{}: the demo leaves some unsent",
            t.name
        );
        let first = remind(&t.url, smtp.port, "2026-12-01T01:00:00Z");
        let queued = figure(&first, "yearly-data");
        let yearly = |all: &[serde_json::Value]| -> Vec<(String, String, String)> {
            all.iter()
                .filter_map(|r| {
                    let subject = r["headers"]["Subject"].as_str().unwrap();
                    subject
                        .starts_with("Data tahunan 2026 belum lengkap")
                        .then(|| {
                            (
                                r["to"][0]["email"].as_str().unwrap().to_string(),
                                subject.to_string(),
                                r["parts"][0]["content"].as_str().unwrap().to_string(),
                            )
                        })
                })
                .collect()
        };
        let all = yearly(&smtp.records());
        assert!(queued >= 2, "{}: {first}", t.name);
        assert_eq!(all.len(), queued, "{}: {first}", t.name);
        // Cooperatives' and UMKM's programs each have their own email.
        let arrived: Vec<_> = all
            .iter()
            .filter(|(_, subject, _)| subject.contains("(Data Tahunan Koperasi Lampung 2026)"))
            .cloned()
            .collect();
        assert!(arrived.len() < all.len(), "{}: {all:?}", t.name);
        // The province's manager reads every kabupaten/kota with cooperatives not sent.
        let (_, subject, body) = arrived
            .iter()
            .find(|(to, ..)| to.starts_with("pengelola.18@"))
            .expect("the province's manager is told");
        assert!(
            subject.contains(&format!("{} kabupaten/kota belum mengirim", unsent.len())),
            "{}: {subject}",
            t.name
        );
        for (region, n) in &unsent {
            assert!(
                body.contains(&format!("- {region}: {n} dari "))
                    && body.contains(" koperasi belum dikirim"),
                "{}: {region} {n}\n{body}",
                t.name
            );
        }
        // A kabupaten/kota's manager reads their own region only.
        let (_, subject, body) = arrived
            .iter()
            .find(|(to, ..)| to.starts_with("pengelola.1871@"))
            .expect("Kota Bandar Lampung's manager is told");
        assert!(subject.contains(": 1 kabupaten/kota"), "{subject}");
        assert_eq!(body.matches("\n- ").count(), 1, "{body}");
        assert!(body.contains("- Kota Bandar Lampung: "), "{body}");
        // Managers of another province hear nothing of Lampung's program.
        assert!(
            arrived
                .iter()
                .all(|(to, ..)| to.starts_with("pengelola.18")),
            "{}: {arrived:?}",
            t.name
        );
        // Once a month: a later round of December sends none; January's sends again.
        let again = remind(&t.url, smtp.port, "2026-12-15T01:00:00Z");
        assert_eq!(figure(&again, "yearly-data"), 0, "{}: {again}", t.name);
        let next = remind(&t.url, smtp.port, "2027-01-04T01:00:00Z");
        assert_eq!(figure(&next, "yearly-data"), queued, "{}: {next}", t.name);
    }
}
