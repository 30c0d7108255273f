//! The tamper-evident event log: each event's hash covers the one before it.
//!
//! The chain is per case: cases are written independently (several app
//! instances, many field officers), and a per-case chain never makes two
//! cases wait for each other, while an edit to any event still breaks the
//! chain of its case from that event on. A region's export is the set of
//! its cases' chains.

use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the case id, the sequence number, the previous hash and the
/// event body, as lowercase hex.
pub fn hash(case_id: &str, seq: i64, prev_hash: &str, body: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        case_id.as_bytes(),
        seq.to_string().as_bytes(),
        prev_hash.as_bytes(),
        body.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// The first event that does not match, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub case_id: String,
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "case {} event {}: {}",
            self.case_id, self.seq, self.reason
        )
    }
}

/// One stored event as the chain sees it.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    pub case_id: &'a str,
    pub seq: i64,
    pub prev_hash: &'a str,
    pub body: &'a str,
    pub hash: &'a str,
}

/// Checks one case's events, in order: consecutive from 1, each chained to
/// the one before, each hash matching its content.
pub fn verify_case<'a>(links: impl IntoIterator<Item = Link<'a>>) -> Result<usize, Broken> {
    first_break(links).map_err(|(_, l, reason)| Broken {
        case_id: l.case_id.to_string(),
        seq: l.seq,
        reason,
    })
}

/// As [`verify_case`], naming the first link that does not match by its
/// position (from 0), for a caller that holds more than the link about it.
pub fn first_break<'a>(
    links: impl IntoIterator<Item = Link<'a>>,
) -> Result<usize, (usize, Link<'a>, String)> {
    let mut prev = GENESIS;
    let mut count = 0;
    for (i, l) in links.into_iter().enumerate() {
        let want_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        let reason = if l.seq != want_seq {
            format!("expected event {want_seq} here; an event is missing or out of order")
        } else if l.prev_hash != prev {
            "its link to the previous event does not match".into()
        } else if hash(l.case_id, l.seq, l.prev_hash, l.body) != l.hash {
            "its content does not match its hash (the event was altered)".into()
        } else {
            prev = l.hash;
            count += 1;
            continue;
        };
        return Err((i, l, reason));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(bodies: &[&str]) -> Vec<(i64, String, String, String)> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for (i, b) in bodies.iter().enumerate() {
            let seq = i as i64 + 1;
            let h = hash("C", seq, &prev, b);
            out.push((seq, prev.clone(), b.to_string(), h.clone()));
            prev = h;
        }
        out
    }

    fn links(c: &[(i64, String, String, String)]) -> Vec<Link<'_>> {
        c.iter()
            .map(|(seq, prev, body, hash)| Link {
                case_id: "C",
                seq: *seq,
                prev_hash: prev,
                body,
                hash,
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_edit_is_named() {
        let c = chain(&["a", "b", "c"]);
        assert_eq!(verify_case(links(&c)), Ok(3));
        let mut edited = c.clone();
        edited[1].2 = "B".into();
        assert_eq!(verify_case(links(&edited)).unwrap_err().seq, 2);
        let mut dropped = c.clone();
        dropped.remove(1);
        assert_eq!(verify_case(links(&dropped)).unwrap_err().seq, 3);
        // Rehashing the edited event alone still breaks the next link.
        let mut rehashed = c.clone();
        rehashed[1].2 = "B".into();
        rehashed[1].3 = hash("C", 2, &rehashed[1].1, "B");
        assert_eq!(verify_case(links(&rehashed)).unwrap_err().seq, 3);
    }

    #[test]
    fn the_hash_separates_its_parts() {
        assert_ne!(hash("C", 1, "ab", "c"), hash("C", 1, "a", "bc"));
    }
}
