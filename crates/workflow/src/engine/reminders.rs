//! The reminders a state arms when a case enters it, and the open visit
//! they may count from, read off the case and the event that moves it
//! (no copy of the case is made to apply the event to).

use chrono::{DateTime, Utc};

use crate::case::{Case, Change, Visit};
use crate::definition::{Anchor, State};
use crate::effect::{Effect, Reminder};

/// Where a case stands when it has just entered a state: what its
/// reminders are timed and keyed by.
pub(super) struct Entered<'a> {
    pub case_id: &'a str,
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// When the case's earliest visit not yet done falls due.
    pub visit_due: Option<DateTime<Utc>>,
}

impl<'a> Entered<'a> {
    /// The case as it stands.
    pub fn now(case: &'a Case) -> Self {
        Entered {
            case_id: &case.id,
            seq: case.entered_seq,
            at: case.entered_at,
            visit_due: case.open_visit().map(|v| v.due_at),
        }
    }
}

/// How many reminders `state` arms at most: each rule and each of its escalations.
pub(super) fn most(state: &State) -> usize {
    state.reminders.iter().map(|r| 1 + r.escalate.len()).sum()
}

/// Pushes the reminders of `state`, entered as `entered` says, with absolute times.
pub(super) fn arm(state: &State, entered: &Entered<'_>, out: &mut Vec<Effect>) {
    let due = entered.visit_due;
    for (i, rule) in state.reminders.iter().enumerate() {
        let first = match rule.anchor {
            Anchor::AfterEntered(d) => Some(entered.at + d),
            Anchor::BeforeDue(d) => due.map(|t| t - d),
            Anchor::AfterDue(d) => due.map(|t| t + d),
        };
        let Some(mut fire_at) = first else { continue };
        let steps = std::iter::once((rule.to, chrono::TimeDelta::zero(), &rule.template))
            .chain(rule.escalate.iter().map(|e| (e.to, e.after, &e.template)));
        for (step, (to, after, template)) in steps.enumerate() {
            fire_at += after;
            out.push(Effect::ArmReminder(Reminder {
                key: key(
                    entered.case_id,
                    &[
                        Part::Number(entered.seq),
                        Part::Text(&state.id),
                        Part::Number(i as u64),
                        Part::Number(step as u64),
                    ],
                ),
                state: state.id.clone(),
                entered_seq: entered.seq,
                fire_at,
                to,
                template: template.clone(),
                step: u8::try_from(step).unwrap_or(u8::MAX),
            }));
        }
    }
}

/// When the earliest visit not yet done falls due once `changes` are
/// applied to `case`: what [`Case::apply`] then [`Case::open_visit`] give,
/// without applying them to a copy.
pub(super) fn visit_due_after(case: &Case, changes: &[Change]) -> Option<DateTime<Utc>> {
    // `apply` pushes each scheduled visit, and marks done the first visit
    // (in order, scheduled ones last) with the number a completion names.
    let completes = |no: u32, from: usize| {
        changes[from..]
            .iter()
            .any(|c| matches!(c, Change::VisitCompleted { no: n, .. } if *n == no))
    };
    let first_with =
        |visits: &[Visit], no: u32, v: usize| visits.iter().position(|w| w.no == no) == Some(v);
    let kept = case
        .visits
        .iter()
        .enumerate()
        .filter(|(i, v)| {
            v.done_at.is_none() && !(first_with(&case.visits, v.no, *i) && completes(v.no, 0))
        })
        .map(|(_, v)| v.due_at);
    let scheduled = changes.iter().enumerate().filter_map(|(j, c)| match c {
        Change::VisitScheduled { no, due_at, .. } => {
            let earlier = case.visits.iter().any(|w| w.no == *no)
                || changes[..j]
                    .iter()
                    .any(|c| matches!(c, Change::VisitScheduled { no: n, .. } if n == no));
            (earlier || !completes(*no, j + 1)).then_some(*due_at)
        }
        _ => None,
    });
    kept.chain(scheduled).min()
}

/// One part of a key after the case id.
pub(super) enum Part<'a> {
    Text(&'a str),
    Number(u64),
}

/// `case_id:part:part…`, as `format!` writes it, in one allocation of the right size.
pub(super) fn key(case_id: &str, parts: &[Part<'_>]) -> String {
    let len = parts.iter().fold(case_id.len(), |n, p| {
        n + 1
            + match p {
                Part::Text(t) => t.len(),
                Part::Number(n) => n.checked_ilog10().map_or(1, |l| l as usize + 1),
            }
    });
    let mut out = String::with_capacity(len);
    out.push_str(case_id);
    for p in parts {
        out.push(':');
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Number(n) => push_number(&mut out, *n),
        }
    }
    out
}

/// `n` in decimal digits, as `Display` writes it.
fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|d| char::from(*d)));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;

    use super::*;
    use crate::case::{Actor, Event};

    fn at(hours: u8) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap() + TimeDelta::hours(i64::from(hours))
    }

    fn case(visits: &[(u8, u8, bool)]) -> Case {
        Case {
            id: "K-1".into(),
            workflow: "w".into(),
            workflow_version: 1,
            state: "s".into(),
            seq: 5,
            entered_seq: 5,
            entered_at: at(0),
            requested: None,
            approved: None,
            tranches: Vec::new(),
            visits: visits
                .iter()
                .map(|(no, due, done)| Visit {
                    no: u32::from(*no),
                    checklist: "c".into(),
                    due_at: at(*due),
                    tranche: None,
                    done_at: done.then(|| at(1)),
                    done_seq: done.then_some(3),
                    gps: None,
                    flags: Vec::new(),
                    accepted_seq: None,
                })
                .collect(),
            officer: None,
            fields: BTreeMap::new(),
            keys: BTreeMap::new(),
        }
    }

    fn change((schedules, no, due): (bool, u8, u8)) -> Change {
        if schedules {
            Change::VisitScheduled {
                no: u32::from(no),
                checklist: "c".into(),
                due_at: at(due),
                tranche: None,
            }
        } else {
            Change::VisitCompleted {
                no: u32::from(no),
                gps: None,
                flags: Vec::new(),
            }
        }
    }

    proptest! {
        /// Whatever the visits and the order of the changes (numbers repeated
        /// included), the open visit after the changes is the one applying
        /// them to a copy of the case gives.
        #[test]
        fn the_open_visit_after_is_the_fold_s(
            visits in prop::collection::vec((0u8..5, 0u8..50, any::<bool>()), 0..6),
            changes in prop::collection::vec((any::<bool>(), 0u8..7, 0u8..50), 0..5),
        ) {
            let case = case(&visits);
            let changes: Vec<Change> = changes.into_iter().map(change).collect();
            let event = Event {
                seq: 6,
                at: at(60),
                actor: Actor { user: "u".into(), role: pantau_domain::Role::Verifier },
                key: "k".into(),
                action: "a".into(),
                from: Some("s".into()),
                to: "t".into(),
                fields: BTreeMap::new(),
                changes: changes.clone(),
                observed_at: None,
            };
            let mut after = case.clone();
            after.apply(&event);
            prop_assert_eq!(
                visit_due_after(&case, &changes),
                after.open_visit().map(|v| v.due_at)
            );
        }
    }

    #[test]
    fn keys_read_as_format_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let made = key(
                "KUD-7",
                &[
                    Part::Number(n),
                    Part::Text("verifying"),
                    Part::Number(n / 7),
                ],
            );
            assert_eq!(made, format!("KUD-7:{n}:verifying:{}", n / 7));
            assert_eq!(
                made.capacity(),
                made.len(),
                "one allocation of the right size"
            );
        }
        assert_eq!(key("", &[]), "");
    }
}
