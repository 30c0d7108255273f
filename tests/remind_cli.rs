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
