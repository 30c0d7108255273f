//! One case's events from `events.jsonl`, checked together: the chain, each
//! line against its body and against the way Pantau writes it, then the
//! replay. The first line that does not hold is named, by its line number
//! and what it says (case and event).

use chrono::Datelike;
use pantau_chain::{self as chain, Link};
use pantau_workflow::{Case, Event};

use crate::{EVENTS, EventLine, Problem};

/// An event line as read, with where it was.
#[derive(Debug)]
pub(crate) struct Read {
    /// Its line in `events.jsonl`, from 1.
    pub number: u64,
    pub event: EventLine,
    /// Whether the line is byte for byte what the writer makes of `event`:
    /// a line that reads the same but is written otherwise (a hash in
    /// capitals, an escape spelled another way, a `z` for `Z`) was altered.
    pub exact: bool,
}

impl Read {
    /// `text` (one line with its newline) read as an event line.
    pub fn parse(number: u64, text: &[u8]) -> Result<Read, serde_json::Error> {
        let event: EventLine = serde_json::from_slice(text)?;
        let mut again = serde_json::to_vec(&event)?;
        again.push(b'\n');
        Ok(Read {
            number,
            exact: again == text,
            event,
        })
    }

    pub fn problem(&self, reason: impl Into<String>) -> Problem {
        let l = &self.event;
        Problem::Event {
            case_id: l.case_id.clone(),
            seq: l.seq,
            action: l.action.clone(),
            at: l.at,
            line: self.number,
            reason: reason.into(),
        }
    }
}

/// What the events of one case add up to, once checked.
#[derive(Debug)]
pub(crate) struct Chain {
    pub seq: i64,
    pub head: String,
    pub workflow: String,
    pub version: u32,
    pub state: String,
    pub in_year: bool,
}

/// Checks one case's events, given together: the first line that does not
/// hold is named, by its chain (so an altered body is named as such), its
/// body, its fields beside the body or its spelling; then the replay.
pub(crate) fn check_case(lines: &[Read], year: i32) -> Result<Chain, Problem> {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Err(Problem::Line {
            member: EVENTS,
            line: 0,
            reason: "a case without events".into(),
        });
    };
    let links = lines.iter().map(|r| Link {
        case_id: &r.event.case_id,
        seq: r.event.seq,
        prev_hash: &r.event.prev_hash,
        body: &r.event.body,
        hash: &r.event.hash,
    });
    let broken = chain::first_break(links)
        .err()
        .map(|(i, _, reason)| (i, reason));
    let upto = broken.as_ref().map_or(lines.len(), |(i, _)| *i);
    let mut events = Vec::with_capacity(lines.len());
    for r in &lines[..upto] {
        events.push(line_problem(r)?);
    }
    if let Some((i, reason)) = broken {
        return Err(lines.get(i).unwrap_or(first).problem(reason));
    }
    let case = Case::replay(&last.event.case_id, &events)
        .map_err(|e| last.problem(format!("its events do not replay: {e}")))?;
    Ok(Chain {
        seq: last.event.seq,
        head: last.event.hash.clone(),
        workflow: case.workflow,
        version: case.workflow_version,
        state: case.state,
        in_year: events.iter().any(|e| e.at.year() == year),
    })
}

/// The event of a line whose chain holds, or what is wrong with the line.
fn line_problem(r: &Read) -> Result<Event, Problem> {
    let l = &r.event;
    let e: Event = serde_json::from_str(&l.body)
        .map_err(|e| r.problem(format!("its body is not an event: {e}")))?;
    let same = i64::try_from(e.seq) == Ok(l.seq)
        && e.at == l.at
        && e.action == l.action
        && e.actor.user == l.actor.user
        && e.actor.role.as_str() == l.actor.role;
    if !same {
        return Err(
            r.problem("its fields beside the body do not match the body (the line was altered)")
        );
    }
    if !r.exact {
        return Err(r.problem("its line is not written as Pantau writes it (the line was altered)"));
    }
    Ok(e)
}
