//! `pantau serve` stopped by SIGTERM (as systemd stops it): it takes no new
//! connection, finishes the request in flight and the email under way
//! (to a real SMTP server on loopback), gives the rest of the queue back,
//! and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/smtp.rs"]
mod smtp;
#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use smtp::{Smtp, dead_port};
use support::pantau;

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    pantau()
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_PASSWORD", "kata-sandi-panjang")
        .args(["user", "add", "kepala", "--name", "Kepala Dinas"])
        .args(["--email", "kepala@dinas.example", "--role", "admin"])
        .assert()
        .success();
    let (mut server, base) = support::serve(data);
    let addr = base.trim_start_matches("http://").to_string();

    // A sign-in whose body is half sent when SIGTERM comes.
    let body = r#"{"login":"kepala","password":"kata-sandi-panjang"}"#;
    let (first, rest) = body.split_at(20);
    let mut conn = TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/tokens HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    conn.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(500));

    // No new connection is taken.
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the listener is closed after SIGTERM"
    );
    assert!(
        server.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );

    // The request in flight is answered in full.
    conn.write_all(rest.as_bytes()).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("\"token\""), "{answer}");

    let started = Instant::now();
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "serve exits 0 after SIGTERM: {status}");
}

/// The queue's figures from `pantau outbox list`: (queued, leased, failed).
fn outbox_counts(data: &std::path::Path) -> (usize, usize, usize) {
    let out = pantau()
        .env("PANTAU_DATA_DIR", data)
        .args(["outbox", "list", "--limit", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let last = text.lines().last().unwrap_or_default().to_string();
    let n = |word: &str| -> usize {
        last.split(&format!(" {word}"))
            .next()
            .and_then(|b| b.split_whitespace().last())
            .and_then(|x| x.trim_matches(',').parse().ok())
            .unwrap_or_else(|| panic!("`{word}` in {last}"))
    };
    (n("queued"), n("leased"), n("failed"))
}

#[test]
fn sigterm_mid_send_finishes_the_email_under_way_and_gives_the_rest_back() {
    let Some(slow) = Smtp::slow(Duration::from_millis(400)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let setup = |args: &[&str]| {
        let out = pantau()
            .env("PANTAU_DATA_DIR", data)
            .env("PANTAU_SMTP_HOST", "127.0.0.1")
            .env("PANTAU_SMTP_PORT", dead_port().to_string())
            .env("PANTAU_SMTP_SECURITY", "none")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    setup(&[
        "demo",
        "--scale",
        "0.01",
        "--as-of",
        "2026-11-23",
        "--cases-per-state",
        "1",
    ]);
    // Everything due is queued while the SMTP server is down: it waits.
    setup(&["remind", "--once", "--now", "2026-11-24T00:00:00Z"]);
    let (waiting, _, _) = outbox_counts(data);
    assert!(waiting > 20, "{waiting} emails wait");

    let (mut server, ..) = support::serve_with(
        data,
        &[],
        &[
            ("PANTAU_SMTP_HOST", "127.0.0.1".into()),
            ("PANTAU_SMTP_PORT", slow.port.to_string()),
            ("PANTAU_SMTP_SECURITY", "none".into()),
        ],
        1,
    );
    let started = Instant::now();
    while slow.arrived().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no email arrived"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(20),
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "serve exits 0 after SIGTERM: {status}");

    // What arrived is marked sent, nothing is left leased or half-done, and
    // the rest waits for the next sender at once.
    let arrived = slow.arrived();
    let (queued, leased, failed) = outbox_counts(data);
    assert_eq!((leased, failed), (0, 0));
    assert!(queued > 0, "serve stopped before sending everything");
    assert_eq!(arrived.values().sum::<usize>(), arrived.len(), "none twice");
    // The rest goes to a quick server: every email arrives once in all.
    // On the real clock, as `serve` ran on it: a zone's round that fell due
    // today (07:00 on a weekday) was swept by `serve` at start and queued
    // its emails for now, which a sender on the demo's day would not claim.
    let Some(quick) = Smtp::start() else { return };
    let rest = pantau()
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_SMTP_HOST", "127.0.0.1")
        .env("PANTAU_SMTP_PORT", quick.port.to_string())
        .env("PANTAU_SMTP_SECURITY", "none")
        .args(["remind", "--once"])
        .output()
        .unwrap();
    assert!(rest.status.success(), "{rest:?}");
    assert_eq!(outbox_counts(data), (0, 0, 0));
    let mut all = slow.arrived();
    for (id, n) in quick.arrived() {
        *all.entry(id).or_default() += n;
    }
    assert!(all.values().all(|n| *n == 1), "each email arrived once");
    assert!(all.len() >= waiting, "{} of {waiting} arrived", all.len());
    eprintln!(
        "{waiting} waited; {} arrived before serve stopped, {} after",
        arrived.len(),
        all.len() - arrived.len()
    );
}
