//! `pantau user add` and `pantau serve` as a newcomer runs them: the first
//! administrator, then the server on a free port, signed in over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::pantau;

fn add_user(data: &std::path::Path, args: &[&str], password: &str) -> assert_cmd::assert::Assert {
    pantau()
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_PASSWORD", password)
        .args(["user", "add"])
        .args(args)
        .assert()
}

#[test]
fn the_first_administrator_signs_in_to_a_served_pantau() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let admin = [
        "kepala",
        "--name",
        "Kepala Dinas",
        "--email",
        "kepala@dinas.example",
        "--role",
        "admin",
    ];
    add_user(data, &admin, "pendek")
        .code(2)
        .stderr(predicates::str::contains("at least 10 characters"));
    add_user(
        data,
        &[
            "petugas",
            "--name",
            "P",
            "--email",
            "p@dinas.example",
            "--role",
            "field_officer",
        ],
        "kata-sandi-panjang",
    )
    .code(2)
    .stderr(predicates::str::contains("--region"));
    add_user(data, &admin, "kata-sandi-panjang")
        .success()
        .stdout(predicates::str::contains("user kepala added"));
    add_user(data, &admin, "kata-sandi-lain-lagi")
        .code(1)
        .stderr(predicates::str::contains("already exists"));

    let mut server = Command::new(assert_cmd::cargo::cargo_bin("pantau"))
        .current_dir(support::repo())
        .env("PANTAU_DATA_DIR", data)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-reminders"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("serve prints its address: {line}"))
        .trim_end_matches('/')
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt.block_on(async {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/tokens"))
            .json(&serde_json::json!({ "login": "kepala", "password": "kata-sandi-panjang" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let token: serde_json::Value = r.json().await.unwrap();
        let me: serde_json::Value = http
            .get(format!("{base}/api/me"))
            .bearer_auth(token["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        me
    });
    server.kill().ok();
    server.wait().ok();
    assert_eq!(result["role"], "admin");
    assert_eq!(result["region"], serde_json::Value::Null);
}
