//! The Ministry bundle through the real binary, on SQLite and PostgreSQL:
//! the demo exported for Lampung holds exactly the stored events of its
//! cases with an event in the year (counted here with SQL of its own), the
//! bundle verifies on a copy with no database configured, an event altered
//! inside it (manifest rehashed, so only the chain can tell) is named by
//! case and sequence, and unreadable files are refused with the reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "export_cli/bundle.rs"]
mod bundle;
#[path = "support/db.rs"]
mod db;
mod support;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use sea_orm::{ConnectionTrait, Statement};
use sha2::{Digest, Sha256};
use support::repo;

const AS_OF: &str = "2026-02-10";
const YEAR: i32 = 2026;

fn cli(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .stdin(Stdio::null());
    c
}

fn run(url: &str, args: &[&str]) -> Output {
    cli(url).args(args).output().unwrap()
}

/// `pantau audit verify --bundle FILE` from `dir`, with an empty
/// environment: no database URL, no data folder, no settings file.
fn verify_offline(dir: &Path, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pantau"))
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .args(["audit", "verify", "--bundle", file])
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

async fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap();
    let out = rows
        .iter()
        .map(|r| {
            (0..)
                .map_while(|i| r.try_get_by_index::<String>(i).ok())
                .collect()
        })
        .collect();
    db.close().await.ok();
    out
}

/// The members of a gzip'd tar, in order.
fn read_members(path: &Path) -> Vec<(String, Vec<u8>)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut tar = tar::Archive::new(gz);
    tar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

/// Writes `members` as a bundle, stamped as the writer stamps them (with
/// the manifest's `created_at`, when it has one).
fn write_members(path: &Path, members: &[(String, Vec<u8>)]) {
    write_stamped(path, members, created_at(members));
}

/// The manifest's `created_at` in seconds (0 without one).
fn created_at(members: &[(String, Vec<u8>)]) -> u64 {
    members
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .and_then(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|m| chrono::DateTime::parse_from_rfc3339(m["created_at"].as_str()?).ok())
        .map_or(0, |t| t.timestamp() as u64)
}

/// Writes `members` as a bundle, every member stamped `created_at`.
fn write_stamped(path: &Path, members: &[(String, Vec<u8>)], created_at: u64) {
    let file = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(created_at);
        tar.append_data(&mut h, name, &bytes[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
}

fn member<'a>(members: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &members.iter().find(|(n, _)| n == name).unwrap().1
}

fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `members` with `events.jsonl` replaced, and the manifest rehashed or not.
fn with_events(
    members: &[(String, Vec<u8>)],
    events: Vec<u8>,
    rehash: bool,
) -> Vec<(String, Vec<u8>)> {
    // Rewritten as the writer writes it, so only the chain can tell.
    let mut manifest: pantau_bundle::Manifest =
        serde_json::from_slice(member(members, "manifest.json")).unwrap();
    if rehash {
        for m in &mut manifest.members {
            if m.name == "events.jsonl" {
                m.sha256 = hex::encode(Sha256::digest(&events));
                m.bytes = events.len() as u64;
            }
        }
    }
    members
        .iter()
        .map(|(n, b)| match n.as_str() {
            "manifest.json" => {
                let mut text = serde_json::to_vec_pretty(&manifest).unwrap();
                text.push(b'\n');
                (n.clone(), text)
            }
            "events.jsonl" => (n.clone(), events.clone()),
            _ => (n.clone(), b.clone()),
        })
        .collect()
}

/// The SQL (of this test, not the store's) for "the event's UTC year".
fn year_of(backend: &str, col: &str) -> String {
    match backend {
        "sqlite" => format!("CAST(SUBSTR({col}, 1, 4) AS INTEGER)"),
        _ => format!("CAST(EXTRACT(YEAR FROM {col} AT TIME ZONE 'UTC') AS INTEGER)"),
    }
}

/// One bit flipped in one member, each member in turn, the manifest left
/// as it was: `audit verify --bundle` fails and names where. The event's
/// flip keeps the line readable and the time the same (`Z` to `z`), so
/// only the line's spelling can tell, and the case's second event is named.
fn one_flipped_bit_is_named(
    dir: &Path,
    members: &[(String, Vec<u8>)],
    case_id: &str,
    action: &str,
) {
    let events = member(members, "events.jsonl");
    let line_start = find(
        events,
        format!("{{\"case_id\":\"{case_id}\",\"seq\":2,").as_bytes(),
    )
    .unwrap();
    let line = 1 + events[..line_start].iter().filter(|&&b| b == b'\n').count();
    let at_z = line_start + find(&events[line_start..], b"Z\",\"actor\"").unwrap();
    let created_s = find(member(members, "manifest.json"), b":00Z\"").unwrap() + 2;
    let report = member(members, "reports/accountability.csv").len() / 2;
    for (name, at, bit, code, said) in [
        (
            "events.jsonl",
            at_z,
            5,
            1,
            vec![
                "member events.jsonl: its SHA-256 does not match".to_string(),
                format!(
                    "case {case_id} event 2 ({action} at "
                ),
                format!(
                    ") on events.jsonl line {line}: its line is not written as Pantau writes it"
                ),
            ],
        ),
        (
            "manifest.json",
            created_s,
            0,
            1,
            vec![
                "manifest.json: its created_at 2027-01-01T00:00:01+00:00 is not the time it is stamped with".to_string(),
            ],
        ),
        (
            "reports/accountability.csv",
            report,
            3,
            1,
            vec!["member reports/accountability.csv: its SHA-256 does not match".to_string()],
        ),
        (
            "cases.jsonl",
            find(member(members, "cases.jsonl"), b"\"region\":\"18.").unwrap() + 14,
            0,
            1,
            vec!["member cases.jsonl: its SHA-256 does not match".to_string()],
        ),
    ] {
        let flipped: Vec<(String, Vec<u8>)> = members
            .iter()
            .map(|(n, b)| {
                let mut b = b.clone();
                if n == name {
                    b[at] ^= 1 << bit;
                }
                (n.clone(), b)
            })
            .collect();
        write_stamped(&dir.join("flipped.tar.gz"), &flipped, created_at(members));
        let out = verify_offline(dir, "flipped.tar.gz");
        assert_eq!(out.status.code(), Some(code), "{name}: {}", text(&out));
        for s in said {
            assert!(text(&out).contains(&s), "{name}: {s}: {}", text(&out));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn an_unreadable_bundle_is_refused_naming_the_file_and_why() {
    let (dir, url) = db::fresh_sqlite();
    let good = dir.path().join("empty.tar.gz");
    let export = cli(&url)
        .args(["export", "--region", "13.72", "--year", "2026", "--out"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", text(&export));
    let ok = verify_offline(dir.path(), "empty.tar.gz");
    assert!(
        text(&ok).contains("0 cases, 0 events of region 13.72, year 2026"),
        "{}",
        text(&ok)
    );
    let bytes = std::fs::read(&good).unwrap();
    let members = read_members(&good);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(member(&members, "manifest.json")).unwrap();
    manifest["version"] = 99.into();
    let newer: Vec<(String, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| match n.as_str() {
            "manifest.json" => (n.clone(), serde_json::to_vec(&manifest).unwrap()),
            _ => (n.clone(), b.clone()),
        })
        .collect();
    write_members(&dir.path().join("newer.tar.gz"), &newer);
    let mut extra = members.clone();
    extra.push(("reports/note.txt".into(), b"added later".to_vec()));
    write_members(&dir.path().join("extra.tar.gz"), &extra);
    let missing: Vec<_> = members
        .iter()
        .filter(|(n, _)| n != "cases.jsonl")
        .cloned()
        .collect();
    write_members(&dir.path().join("missing.tar.gz"), &missing);
    let reordered: Vec<_> = members.iter().rev().cloned().collect();
    write_members(&dir.path().join("reordered.tar.gz"), &reordered);
    std::fs::write(dir.path().join("cut.tar.gz"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(dir.path().join("notes.tar.gz"), "not a bundle\n").unwrap();
    for (file, code, why) in [
        (
            "notes.tar.gz",
            2,
            "notes.tar.gz: not a Pantau bundle (not a gzip'd tar)",
        ),
        ("cut.tar.gz", 2, "cut.tar.gz: truncated"),
        (
            "newer.tar.gz",
            2,
            "newer.tar.gz: manifest.json says bundle format version 99",
        ),
        (
            "reordered.tar.gz",
            2,
            "its first member is `reports/payments.csv`",
        ),
        ("absent.tar.gz", 2, "absent.tar.gz: cannot open"),
        (
            "extra.tar.gz",
            1,
            "member reports/note.txt: is in the bundle but not in the manifest",
        ),
        (
            "missing.tar.gz",
            1,
            "member cases.jsonl: listed in the manifest but missing",
        ),
    ] {
        let out = verify_offline(dir.path(), file);
        assert_eq!(out.status.code(), Some(code), "{file}: {}", text(&out));
        assert!(text(&out).contains(why), "{file}: {}", text(&out));
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
    }
}
