//! `pantau user add` and `pantau serve` as a newcomer runs them: the first
//! administrator, then the server on a free port, signed in over HTTP;
//! then switched off, on, and given a new password, each ending the tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use support::pantau;

fn add_user(data: &std::path::Path, args: &[&str], password: &str) -> assert_cmd::assert::Assert {
    pantau()
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_PASSWORD", password)
        .args(["user", "add"])
        .args(args)
        .assert()
}

fn user_cmd(data: &std::path::Path, args: &[&str], password: &str) -> assert_cmd::assert::Assert {
    pantau()
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_PASSWORD", password)
        .arg("user")
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

    let (mut server, base) = support::serve(data);
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
        let token = token["token"].as_str().unwrap().to_string();
        let me = |token: String| {
            let http = http.clone();
            let base = base.clone();
            async move {
                let r = http
                    .get(format!("{base}/api/me"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                (
                    r.status().as_u16(),
                    r.json::<serde_json::Value>().await.ok(),
                )
            }
        };
        let first = me(token.clone()).await;
        // An administrator switches the account off: its token ends at once.
        user_cmd(data, &["deactivate", "kepala"], "")
            .success()
            .stdout(predicates::str::contains("deactivated"));
        assert_eq!(me(token.clone()).await.0, 401, "deactivated");
        user_cmd(data, &["deactivate", "tidak-ada"], "")
            .code(1)
            .stderr(predicates::str::contains("no user tidak-ada"));
        user_cmd(data, &["activate", "kepala"], "").success();
        assert_eq!(me(token.clone()).await.0, 401, "a token ended stays ended");
        let again = http
            .post(format!("{base}/api/tokens"))
            .json(&serde_json::json!({ "login": "kepala", "password": "kata-sandi-panjang" }))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 201, "activated again");
        let again: serde_json::Value = again.json().await.unwrap();
        let again = again["token"].as_str().unwrap().to_string();
        // A new password ends the token too.
        user_cmd(data, &["password", "kepala"], "kata-sandi-baru-lagi").success();
        assert_eq!(me(again).await.0, 401, "after a new password");
        first.1.unwrap()
    });
    server.kill().ok();
    server.wait().ok();
    assert_eq!(result["role"], "admin");
    assert_eq!(result["region"], serde_json::Value::Null);
}

/// First run without a terminal session: `pantau serve` on an empty
/// database prints a setup link; the first administrator is made through
/// it (the same rules as `user add`: a bad email is named), and it works
/// once.
#[test]
fn an_empty_database_prints_a_setup_link_that_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (mut server, base, lines) = support::serve_lines(data, 2);
    let link = lines[1]
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{base}/siapkan/")))
        .unwrap_or_else(|| panic!("serve prints the setup link: {lines:?}"))
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http.get(&link).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // A form body as the browser sends it (no spaces or signs to encode but `@`).
        let form = |email: &str| {
            format!(
                "name=Kepala+Dinas&login=kepala&email={}&password=kata-sandi-panjang&again=kata-sandi-panjang",
                email.replace('@', "%40")
            )
        };
        let r = http
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form("bukan-surel"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("alamat surel tidak sah"));
        let r = http
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form("kepala@dinas.example"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = http
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form("kepala@dinas.example"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "used once");
        let r = http
            .post(format!("{base}/api/tokens"))
            .json(&serde_json::json!({ "login": "kepala", "password": "kata-sandi-panjang" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "the administrator signs in");
    });
    server.kill().ok();
    server.wait().ok();
}
