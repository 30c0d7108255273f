//! The Ministry bundle: one region's events for one fiscal year, with their
//! hash chains and the report files, in one gzip'd tar that anyone can check
//! on a machine with no database (`pantau export`, `pantau audit verify
//! --bundle`).
//!
//! # Format (version 1)
//!
//! A gzip'd tar whose members are, in this order:
//!
//! - `manifest.json`: `format` (`"pantau-bundle"`), `version`, `region`,
//!   `year`, `created_at` (UTC), `counts` (`cases`, `events`) and `members`:
//!   each other member's `name`, `bytes` and `sha256`;
//! - `cases.jsonl`: one [`CaseLine`] per line, by case id;
//! - `events.jsonl`: one [`EventLine`] per line, by case id then sequence;
//!   `body` is the stored JSON text exactly as stored (a JSON string, never
//!   re-encoded), so its hash can be recomputed byte for byte;
//! - `reports/NAME`: the report files.
//!
//! The writer sorts, stamps every tar header with `created_at` and writes a
//! gzip header without a time or name, so the same database and the same
//! `created_at` give the same bytes.
//!
//! # Which events
//!
//! Every case of the region (a province covers its kabupaten/kota) that has
//! at least one event in the year, by the event's time in UTC (an event at
//! 05:00 WIB on 1 January falls in the year before), with its **whole chain**
//! from event 1 up to the head it had when exported. Whole chains rather
//! than the year's events plus an anchor: a chain from event 1 is checked
//! with nothing from outside the bundle (an anchor, the hash before the
//! year's first event, would have to be trusted as it stands), and the case
//! record can be checked against the replay of its events. The cost is the
//! earlier events of cases that began in an earlier year, a few per case.
//!
//! # What a check proves, and what it cannot
//!
//! [`verify`] names every member that is missing, extra or whose SHA-256
//! differs from the manifest; every case whose chain is broken, by its first
//! altered event (its line in `events.jsonl`, and the case and event that
//! line says); an event whose columns differ from its body, or whose line
//! is not byte for byte what the writer makes of it; a case record that
//! differs from the replay of its events, lies outside the manifest's
//! region or has no event in its year; a manifest not written as the writer
//! writes it, or whose `created_at` is not the time its tar header is
//! stamped with. So any one byte changed in a member or in the manifest
//! fails the check, named where it is (property-tested bit by bit); a
//! changed byte of the gzip stream fails it as unreadable, except in what
//! carries no content (the gzip header's time and system). Nothing in the
//! bundle is signed: a bundle rewritten with every hash recomputed (or with
//! a whole case left out) passes. The SHA-256 of `manifest.json`, printed
//! by both commands, is what to send separately and compare.
//!
//! Architecture invariant: no database. This crate depends on `store` only
//! for [`pantau_chain`], so the bundle is checked by the very hash
//! the store writes.

mod events;
mod problem;
mod verify;
mod write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use problem::Problem;
pub use verify::{Checked, verify, verify_file};
pub use write::Writer;

/// The manifest's `format`.
pub const FORMAT: &str = "pantau-bundle";
/// The format version this code writes and reads.
pub const VERSION: u64 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const CASES: &str = "cases.jsonl";
pub const EVENTS: &str = "events.jsonl";
/// The folder of the report files inside the bundle.
pub const REPORTS: &str = "reports/";

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u64,
    /// A province (`18`) or one kabupaten/kota (`18.71`).
    pub region: String,
    pub year: i32,
    pub created_at: DateTime<Utc>,
    pub counts: Counts,
    /// Every member but the manifest itself, in the tar's order.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub cases: u64,
    pub events: u64,
}

/// One member of the tar as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub bytes: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// One line of `cases.jsonl`: the case record as stored (without its
/// snapshot, which is the replay of its events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: String,
    pub workflow: String,
    pub workflow_version: i64,
    pub program: Option<String>,
    pub region: Option<String>,
    pub beneficiary: Option<String>,
    pub state: String,
    /// The number of events, the sequence number of the last one.
    pub seq: i64,
    /// The hash of the last event.
    pub head_hash: String,
}

/// One line of `events.jsonl`: a stored event. The hash covers `case_id`,
/// `seq`, `prev_hash` and `body`; the other fields repeat the body's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    pub case_id: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: ActorLine,
    pub action: String,
    pub prev_hash: String,
    pub hash: String,
    /// The engine's event as JSON text, exactly as stored.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorLine {
    pub user: String,
    pub role: String,
}

/// A bundle that cannot be written or read at all (a bundle that reads but
/// does not match is a [`Checked`] with problems, not an error).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle, truncated, or unreadable: the file and the reason.
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error(
        "{file}: {MANIFEST} says bundle format version {found}; this pantau reads version {VERSION} only"
    )]
    Version { file: String, found: u64 },
    #[error("report file name `{0}`: use a plain file name (no folder, no `..`), each name once")]
    ReportName(String),
    #[error("cannot write the bundle: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot encode a bundle line: {0}")]
    Encode(#[from] serde_json::Error),
}

#[cfg(test)]
mod tests;
