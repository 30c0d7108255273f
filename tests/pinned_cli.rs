//! A running case keeps the definition it started with: through the real
//! binary, on a fresh SQLite file and a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::repo;

/// `pantau` on the database at `url` with the workflow files of `dir`.
fn cli(url: &str, dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(dir)
        .env("PANTAU_DATABASE_URL", url)
        .env("PANTAU_WORKFLOWS", dir.join("workflows"))
        .env("PANTAU_TEMPLATES", repo().join("templates"))
        .env_remove("PANTAU_DATA_DIR")
        .stdin(Stdio::null());
    c
}

fn run(url: &str, dir: &Path, args: &[&str]) -> Output {
    cli(url, dir).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn open(url: &str, dir: &Path, key: &str) -> String {
    let out = run(
        url,
        dir,
        &[
            "case",
            "create",
            "bansos",
            "--as",
            "manager_regency",
            "--user",
            "rina",
            "--region",
            "18.01",
            "--key",
            key,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("case: "))
        .expect("a case id")
        .to_string()
}

/// Submits `case` without the field the new version asks for.
fn submit(url: &str, dir: &Path, case: &str, key: &str) -> Output {
    run(
        url,
        dir,
        &[
            "case",
            "apply",
            case,
            "submit",
            "amount_requested=Rp 150.000.000",
            "proposal_doc=usulan.pdf",
            "in_craft_centre=ya",
            "--as",
            "manager_regency",
            "--user",
            "rina",
            "--key",
            key,
        ],
    )
}

/// The shipped bansos definition with one more required field on `submit`.
fn with_extra_field(original: &str) -> String {
    let marker = r#"  { id = "proposal_doc","#;
    assert!(original.contains(marker));
    original.replacen(
        marker,
        &format!(
            "  {{ id = \"business_plan\", type = \"document\", label = {{ id = \"Rencana usaha\", en = \"Business plan\" }} }},\n{marker}"
        ),
        1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_case_keeps_the_definition_it_started_with() {
    let original = std::fs::read_to_string(repo().join("workflows/bansos.toml")).unwrap();
    let edited = with_extra_field(&original);
    for t in db::test_databases().await {
        let dir = tempfile::tempdir().unwrap();
        let flows = dir.path().join("workflows");
        std::fs::create_dir(&flows).unwrap();
        let file = flows.join("bansos.toml");
        std::fs::write(&file, &original).unwrap();
        let running = open(&t.url, dir.path(), "open-a");

        // Edited under the same version: every command that loads the catalog refuses.
        std::fs::write(&file, &edited).unwrap();
        let out = submit(&t.url, dir.path(), &running, "submit-a");
        assert_eq!(out.status.code(), Some(2), "{}: {}", t.name, text(&out));
        let said = text(&out);
        for needle in [
            "bansos.toml",
            "`bansos` version 2",
            "1 running",
            "raise `version`",
        ] {
            assert!(said.contains(needle), "{}: `{needle}` in {said}", t.name);
        }
        let check = run(
            &t.url,
            dir.path(),
            &["workflow", "check", flows.to_str().unwrap()],
        );
        assert_eq!(check.status.code(), Some(1), "{}: {}", t.name, text(&check));
        assert!(text(&check).contains("1 running"), "{}", text(&check));
        let show = run(&t.url, dir.path(), &["case", "show", &running]);
        assert_eq!(show.status.code(), Some(2), "{}", text(&show));

        // The new rules under a new version, the old text kept beside them.
        std::fs::write(&file, edited.replacen("version = 2", "version = 3", 1)).unwrap();
        std::fs::write(flows.join("bansos-v1.toml"), &original).unwrap();
        let fresh = open(&t.url, dir.path(), "open-b");
        let out = submit(&t.url, dir.path(), &fresh, "submit-b");
        assert_eq!(out.status.code(), Some(1), "{}: {}", t.name, text(&out));
        assert!(text(&out).contains("business_plan"), "{}", text(&out));
        let out = submit(&t.url, dir.path(), &running, "submit-a");
        assert!(out.status.success(), "{}: {}", t.name, text(&out));

        // The old file gone: the running case moves on its pinned text.
        std::fs::remove_file(flows.join("bansos-v1.toml")).unwrap();
        let out = run(
            &t.url,
            dir.path(),
            &[
                "case",
                "apply",
                &running,
                "start_verification",
                "--as",
                "verifier",
                "--user",
                "vera",
                "--key",
                "verify-a",
            ],
        );
        assert!(out.status.success(), "{}: {}", t.name, text(&out));
        let show = run(&t.url, dir.path(), &["case", "show", &running]);
        assert!(show.status.success(), "{}", text(&show));
        assert!(text(&show).contains("bansos v2"), "{}", text(&show));
        let check = run(
            &t.url,
            dir.path(),
            &["workflow", "check", flows.to_str().unwrap()],
        );
        assert!(check.status.success(), "{}: {}", t.name, text(&check));
    }
}
