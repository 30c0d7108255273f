//! `pantau report indicators` reads its targets from `[indicators]` in
//! `pantau.toml`: a province's override shows in that province's row, the
//! national row keeps the default, and a bad setting is refused by its key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::repo;

fn pantau(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pantau"))
        .env_remove("PANTAU_DATA_DIR")
        .env_remove("PANTAU_DATABASE_URL")
        .env_remove("PANTAU_WORKFLOWS")
        .env_remove("PANTAU_TEMPLATES")
        .env_remove("PANTAU_CONFIG")
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
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

fn settings(dir: &Path, indicators: &str) -> std::path::PathBuf {
    let path = dir.join("pantau.toml");
    std::fs::write(
        &path,
        format!(
            "data_dir = \"data\"\nworkflows = \"{}\"\ntemplates = \"{}\"\n{indicators}",
            repo().join("workflows").display(),
            repo().join("templates").display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn the_indicators_report_takes_its_targets_from_the_settings() {
    let office = tempfile::tempdir().unwrap();
    let config = settings(
        office.path(),
        "[indicators]\nmin_verified = 1\n[[indicators.override]]\nprovince = \"18\"\nnew = 9.5\n",
    );
    let demo = pantau(
        &config,
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
    assert!(demo.status.success(), "{}", text(&demo));
    let out = pantau(
        &config,
        &["report", "indicators", "--year", "2026", "--format", "csv"],
    );
    let csv = text(&out);
    assert!(out.status.success(), "{csv}");
    let row = |label: &str| {
        csv.lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in {csv}"))
            .to_string()
    };
    // New cooperatives' target is the sixth column.
    let target = |line: String| line.split(',').nth(5).unwrap().to_string();
    assert_eq!(target(row("Lampung (18)")), "9.50", "{csv}");
    assert_eq!(target(row("Nasional")), "7.00", "{csv}");
    // A bad setting, by its key.
    let bad = tempfile::tempdir().unwrap();
    let config = settings(
        bad.path(),
        "[[indicators.override]]\nprovince = \"18.71\"\nnew = 5\n",
    );
    let out = pantau(
        &config,
        &["report", "indicators", "--year", "2026", "--format", "csv"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("indicators.override[0].province"),
        "{}",
        text(&out)
    );
}
