//! What a check of a bundle finds wrong, each named by where it is.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{EVENTS, MANIFEST};

/// One thing in a bundle that does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The first event of a case that does not match (its chain, its body,
    /// its line or the replay): the case is not to be trusted from here on.
    /// `line` is its line in `events.jsonl`; `case_id` and `seq` are what
    /// that line says.
    Event {
        case_id: String,
        seq: i64,
        action: String,
        at: DateTime<Utc>,
        line: u64,
        reason: String,
    },
    /// A line that cannot be read at all.
    Line {
        member: &'static str,
        line: u64,
        reason: String,
    },
    /// A case record that does not match its events or the bundle.
    Case { case_id: String, reason: String },
    /// A member that is missing, extra, or differs from the manifest.
    Member { name: String, reason: String },
    /// `manifest.json` itself: not as Pantau writes it, or its time not
    /// the time its members are stamped with.
    Manifest { reason: String },
    /// A count in the manifest that differs from the lines found.
    Count {
        what: &'static str,
        manifest: u64,
        found: u64,
    },
    /// Bytes after the end of the gzip stream.
    Trailing,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Event {
                case_id,
                seq,
                action,
                at,
                line,
                reason,
            } => write!(
                f,
                "case {case_id} event {seq} ({action} at {}) on {EVENTS} line {line}: {reason}",
                at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
            Problem::Line {
                member,
                line,
                reason,
            } => write!(f, "{member} line {line}: {reason}"),
            Problem::Case { case_id, reason } => write!(f, "case {case_id}: {reason}"),
            Problem::Member { name, reason } => write!(f, "member {name}: {reason}"),
            Problem::Manifest { reason } => write!(f, "{MANIFEST}: {reason}"),
            Problem::Count {
                what,
                manifest,
                found,
            } => write!(
                f,
                "the manifest counts {manifest} {what}, the bundle holds {found}"
            ),
            Problem::Trailing => write!(f, "the file goes on after the end of the bundle"),
        }
    }
}
