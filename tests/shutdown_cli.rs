//! `pantau serve` stopped by SIGTERM (as systemd stops it): it takes no new
//! connection, finishes the request in flight, and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

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
