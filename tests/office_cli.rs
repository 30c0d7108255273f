//! Pantau as an office installs it: settings in a file whose relative paths
//! are read from the file's folder, the binary run from outside the
//! checkout (and from an installed layout, `PREFIX/bin` beside
//! `PREFIX/share/pantau`), and `pantau doctor` against a real SMTP server
//! on loopback, a certificate made at test time, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "support/db.rs"]
mod db;
#[path = "support/smtp.rs"]
mod smtp;
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use smtp::{Smtp, dead_port};
use support::repo;

fn pantau_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(dir)
        .env_remove("PANTAU_DATA_DIR")
        .env_remove("PANTAU_DATABASE_URL")
        .env_remove("PANTAU_WORKFLOWS")
        .env_remove("PANTAU_TEMPLATES")
        .env_remove("PANTAU_CONFIG")
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

/// A certificate for `pantau.test` ending `days` from now (negative: ended).
fn certificate(dir: &Path, days: i64) {
    let mut params = rcgen::CertificateParams::new(vec!["pantau.test".to_string()]).unwrap();
    let end = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    params.not_before = end - time::Duration::days(365);
    params.not_after = end;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

fn settings(dir: &Path, extra: &str, smtp_port: u16) {
    let workflows = repo().join("workflows");
    std::fs::write(
        dir.join("pantau.toml"),
        format!(
            "data_dir = \"data\"\nworkflows = \"{}\"\n{extra}\n\
             [serve]\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n\
             [mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_security = \"none\"\n",
            workflows.display()
        ),
    )
    .unwrap();
}

#[test]
fn a_healthy_office_passes_the_doctor_and_nothing_is_sent() {
    let Some(server) = Smtp::start() else { return };
    let office = tempfile::tempdir().unwrap();
    settings(office.path(), "", server.port);
    certificate(office.path(), 200);
    // Relative paths are the settings file's: run from elsewhere, with --config.
    let elsewhere = tempfile::tempdir().unwrap();
    let config = office.path().join("pantau.toml");
    let migrate = pantau_in(elsewhere.path())
        .arg("--config")
        .arg(&config)
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", text(&migrate));
    assert!(office.path().join("data/pantau.db").is_file());
    let out = pantau_in(elsewhere.path())
        .arg("--config")
        .arg(&config)
        .arg("doctor")
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(!said.contains("FAIL"), "{said}");
    for seen in [
        "8 definition(s)",
        "migrations current",
        &format!("SMTP 127.0.0.1:{} answers (nothing sent)", server.port),
        "cert.pem valid until",
        "no problems found",
    ] {
        assert!(said.contains(seen), "`{seen}` in:\n{said}");
    }
    assert!(server.arrived().is_empty(), "the doctor sent nothing");
}

#[test]
fn each_problem_is_named_with_what_to_do() {
    let office = tempfile::tempdir().unwrap();
    settings(office.path(), "", dead_port());
    certificate(office.path(), -3);
    let out = pantau_in(office.path()).arg("doctor").output().unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let failed: Vec<&str> = said.lines().filter(|l| l.starts_with("FAIL")).collect();
    for (check, what) in [
        ("database", "does not exist yet"),
        ("mail", "SMTP 127.0.0.1"),
        ("data folder", "does not exist"),
        ("certificate", "ended on"),
    ] {
        assert!(
            failed.iter().any(|l| l.contains(check) && l.contains(what)),
            "FAIL {check}: {what} in:\n{said}"
        );
    }
    assert_eq!(
        said.lines().filter(|l| l.contains('→')).count(),
        failed.len(),
        "each problem says what to do:\n{said}"
    );
    assert!(said.contains(&format!("{} problem(s) found", failed.len())));
    assert!(
        !office.path().join("data").exists(),
        "the doctor created nothing"
    );
}

#[test]
fn an_unmigrated_postgres_database_is_named() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = match rt.block_on(db::fresh_postgres()) {
        Ok(url) => url,
        Err(why) => return support::skip(&why),
    };
    let office = tempfile::tempdir().unwrap();
    std::fs::write(
        office.path().join("pantau.toml"),
        format!("database_url = \"{url}\"\n"),
    )
    .unwrap();
    let doctor = || {
        pantau_in(repo())
            .arg("--config")
            .arg(office.path().join("pantau.toml"))
            .arg("doctor")
            .output()
            .unwrap()
    };
    let said = text(&doctor());
    let line = said.lines().find(|l| l.contains("database")).unwrap();
    assert!(line.starts_with("FAIL"), "{said}");
    let migrate = pantau_in(repo())
        .arg("--config")
        .arg(office.path().join("pantau.toml"))
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", text(&migrate));
    let said = text(&doctor());
    let line = said.lines().find(|l| l.contains("database")).unwrap();
    assert!(
        line.starts_with("ok") && line.contains("migrations current") && !line.contains(":pantau@"),
        "the password is never shown:\n{said}"
    );
}

/// `PREFIX/bin/pantau` finds `PREFIX/share/pantau/{workflows,templates}` and
/// `PREFIX/etc/pantau/pantau.toml`, run from any folder; a binary with
/// neither and no settings says where it looked.
#[test]
fn an_installed_pantau_runs_from_any_folder() {
    let prefix = tempfile::tempdir().unwrap();
    let p = prefix.path();
    for dir in ["bin", "share/pantau", "etc/pantau", "var"] {
        std::fs::create_dir_all(p.join(dir)).unwrap();
    }
    let bin = p.join("bin/pantau");
    std::fs::hard_link(env!("CARGO_BIN_EXE_pantau"), &bin)
        .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_pantau"), &bin).map(drop))
        .unwrap();
    let copied = Command::new("cp")
        .args(["-r", "workflows", "templates"])
        .arg(p.join("share/pantau"))
        .current_dir(repo())
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::write(
        p.join("etc/pantau/pantau.toml"),
        format!("data_dir = \"{}\"\n", p.join("var").display()),
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&bin)
            .args(args)
            .current_dir(elsewhere.path())
            .env_remove("PANTAU_DATA_DIR")
            .env_remove("PANTAU_WORKFLOWS")
            .env_remove("PANTAU_CONFIG")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (out.status.code(), text(&out))
    };
    let (code, said) = run(&["case", "list"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        p.join("var/pantau.db").is_file(),
        "the installed settings' data folder"
    );
    let (code, said) = run(&["workflow", "graph", "bansos", "--format", "dot"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("digraph"), "{said}");

    std::fs::rename(p.join("share/pantau"), p.join("share/elsewhere")).unwrap();
    let (code, said) = run(&["workflow", "graph", "bansos"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("no workflow folder"), "{said}");
    assert!(said.contains("`workflows` in pantau.toml"), "{said}");
}
