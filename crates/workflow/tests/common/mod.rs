//! Helpers shared by the integration tests: the shipped definitions, a clock, actors.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use pantau_domain::Role;
use pantau_workflow::{Actor, Catalog, Context, Definition, Known};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn known() -> Known {
    let names = std::fs::read_dir(repo().join("templates/email"))
        .expect("templates/email")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .split('.')
                .next()
                .map(str::to_string)
        })
        .collect();
    Known { templates: names }
}

/// Every definition in `workflows/`, as (file name, source).
pub fn shipped_sources() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("workflows"))
        .expect("workflows/")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect()
}

pub fn shipped() -> Vec<std::sync::Arc<Definition>> {
    let sources = shipped_sources();
    let catalog = Catalog::load(
        sources.iter().map(|(f, s)| (f.as_str(), s.as_str())),
        &known(),
    )
    .unwrap_or_else(|d| panic!("shipped definitions have problems: {d:#?}"));
    catalog.iter().cloned().collect()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

pub fn cx(now: DateTime<Utc>, user: &str, role: Role) -> Context {
    Context {
        now,
        actor: Actor {
            user: user.to_string(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}
