//! `[stages]`: which action and states the reports count, and the money
//! rule that goes with approving: every action that approves an amount is
//! declared as an approval and guarded by `within_allocation`.

use std::collections::BTreeSet;

use crate::definition::{Action, Guard, Stages};
use crate::diagnostic::Reporter;
use crate::syntax::{RawDefinition, RawStages, S};

/// Where a text comes from, and so how strictly it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A file on disk (`workflow check`, start-up): everything today's checks ask for.
    File,
    /// A text cases were opened on, from the database: read as it was
    /// accepted then; missing `[stages]` default to [`Stages::convention`].
    Pinned,
}

/// The stages of `raw`, whose checked actions are `actions`; in a file,
/// every problem with them (and with its approvals' guards) goes to `r`.
pub fn stages(
    raw: &RawDefinition,
    actions: &[Action],
    states: &BTreeSet<&str>,
    reading: Reading,
    r: &mut Reporter<'_>,
) -> Stages {
    let convention = Stages::convention(actions);
    if reading == Reading::Pinned {
        return match &raw.stages {
            Some(s) => declared(s.get_ref(), convention),
            None => convention,
        };
    }
    guarded(raw, r);
    let Some(table) = &raw.stages else {
        r.error(
            raw.id.span(),
            "the program has no [stages]: declare proposal (the action that submits a proposal), \
             verified and rejected (states) and approval (the actions that approve money), \
             which the reports count",
        );
        return convention;
    };
    let s = table.get_ref();
    let what = [
        (
            "proposal",
            s.proposal.is_some(),
            "the action that submits a proposal",
        ),
        (
            "verified",
            s.verified.is_some(),
            "the state that means verified",
        ),
        (
            "rejected",
            s.rejected.is_some(),
            "the state that means rejected",
        ),
        (
            "approval",
            s.approval.is_some(),
            "the actions that approve money, [] for none",
        ),
    ];
    for (key, given, meaning) in what {
        if !given {
            r.error(table.span(), format!("[stages] has no `{key}` ({meaning})"));
        }
    }
    let action_ids: BTreeSet<&str> = actions.iter().map(|a| a.id.as_str()).collect();
    if let Some(p) = &s.proposal {
        known(p, "action", &action_ids, r);
    }
    for state in [&s.verified, &s.rejected].into_iter().flatten() {
        known(state, "state", states, r);
    }
    if let Some(list) = &s.approval {
        approvals(raw, list, &action_ids, r);
    }
    declared(s, convention)
}

/// The declared ids, the convention's where a key is missing.
fn declared(s: &RawStages, convention: Stages) -> Stages {
    let or = |v: &Option<S<String>>, d: String| v.as_ref().map_or(d, |v| v.get_ref().clone());
    Stages {
        proposal: or(&s.proposal, convention.proposal),
        verified: or(&s.verified, convention.verified),
        rejected: or(&s.rejected, convention.rejected),
        approval: s.approval.as_ref().map_or(convention.approval, |l| {
            l.get_ref().iter().map(|a| a.get_ref().clone()).collect()
        }),
    }
}

fn known(name: &S<String>, what: &str, ids: &BTreeSet<&str>, r: &mut Reporter<'_>) {
    if !ids.contains(name.get_ref().as_str()) {
        let hint = super::closest(name.get_ref(), ids.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        r.error(
            name.span(),
            format!("[stages] names unknown {what} `{}`{hint}", name.get_ref()),
        );
    }
}

/// The approval list names exactly the actions that approve an amount.
fn approvals(
    raw: &RawDefinition,
    list: &S<Vec<S<String>>>,
    action_ids: &BTreeSet<&str>,
    r: &mut Reporter<'_>,
) {
    for name in list.get_ref() {
        known(name, "action", action_ids, r);
        if let Some(a) = raw
            .actions
            .iter()
            .find(|a| a.id.get_ref() == name.get_ref())
            && a.approves.is_none()
        {
            r.error(
                name.span(),
                format!(
                    "[stages] approval names `{}`, which approves no amount (it has no approves = \"FIELD\")",
                    name.get_ref()
                ),
            );
        }
    }
    for a in raw.actions.iter().filter(|a| a.approves.is_some()) {
        if !list.get_ref().iter().any(|n| n.get_ref() == a.id.get_ref()) {
            r.error(
                list.span(),
                format!(
                    "[stages] approval leaves out `{}`, which approves an amount",
                    a.id.get_ref()
                ),
            );
        }
    }
}

/// Every action that approves an amount is guarded by `within_allocation`
/// (an action with a misspelt guard is already reported for it).
fn guarded(raw: &RawDefinition, r: &mut Reporter<'_>) {
    let name = Guard::WithinAllocation.as_str();
    let misspelt = |g: &S<String>| Guard::NAMES.iter().all(|(n, _)| n != g.get_ref());
    for a in &raw.actions {
        if let Some(field) = &a.approves
            && !a.guards.iter().any(|g| g.get_ref() == name || misspelt(g))
        {
            r.error(
                field.span(),
                format!(
                    "action `{}` approves an amount without the `{name}` guard, so it could approve \
                     past the region's allocation; add it to guards",
                    a.id.get_ref()
                ),
            );
        }
    }
}
