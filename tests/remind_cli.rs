//! Reminders through the real binary and a real SMTP server on loopback
//! (Debian's python3-aiosmtpd, `crates/notify/tests/smtp_server.py`),
//! counting what arrived at the server: exactly once with the server up,
//! down then up, the sender killed mid-way, and two senders at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
mod support;

use std::collections::BTreeMap;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{repo, skip};

const PYTHON: &str = "/usr/bin/python3";

struct Smtp {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    fn start() -> Option<Smtp> {
        let has = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !has {
            skip("python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(PYTHON)
            .arg(repo().join("crates/notify/tests/smtp_server.py"))
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(p) = std::fs::read_to_string(dir.path().join("port"))
                && let Ok(port) = p.trim().parse()
            {
                return Some(Smtp { child, dir, port });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.kill().ok();
        child.wait().ok();
        panic!("the SMTP server did not start");
    }

    /// Message-ID → how many times it arrived.
    fn arrived(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "eml") {
                let text = std::fs::read_to_string(&p).unwrap();
                let id = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Message-ID: "))
                    .unwrap_or_default()
                    .to_string();
                *out.entry(id).or_default() += 1;
            }
        }
        out
    }
}

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

fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
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

/// The emails that arrived, as the SMTP server parsed them.
fn records(smtp: &Smtp) -> Vec<serde_json::Value> {
    let mut paths: Vec<_> = std::fs::read_dir(smtp.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
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
        let arrived = monthly(&records(&smtp));
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
        let disbursed = pantau_domain::format::rupiah(csv_total(&csv, "Dicairkan (Rp)"));
        let allocated = pantau_domain::format::rupiah(csv_total(&csv, "Alokasi"));
        assert!(
            body.contains(&format!("dicairkan {disbursed} dari alokasi {allocated}")),
            "{}: {body}\n{csv}",
            t.name
        );
        assert!(body.contains("di Kota Bandar Lampung"), "{body}");
        assert!(
            body.contains("/laporan/unduh?report=program-progress&year=2026&format=pdf"),
            "{body}"
        );

        // Later rounds of the month send none again; the next month's round sends the next.
        let again = remind(&t.url, smtp.port, "2026-12-15T01:00:00Z");
        assert_eq!(figure(&again, "monthly"), 0, "{}: {again}", t.name);
        assert_eq!(monthly(&records(&smtp)).len(), managers, "{}", t.name);
        let next = remind(&t.url, smtp.port, "2027-01-01T01:00:00Z");
        assert_eq!(figure(&next, "monthly"), managers, "{}: {next}", t.name);
    }
}
