//! The engine: (definition, case, command, actor, now) → an event and its
//! effects, or a typed refusal. Pure: no clock, no I/O, no randomness.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Role, Rupiah};

use crate::case::{Actor, Case, Change, Event};
use crate::definition::{Action, Definition};
use crate::effect::Effect;
use crate::evidence;
use crate::refusal::{GuardFailure, Refusal};
use crate::value::Value;

mod guards;
mod inputs;
mod reminders;
use guards::{check_guard, next_tranche, planned_tranche};
use inputs::{check_answers, check_observed, parse_inputs, photo_problem, user_problem};
use reminders::Part;

/// An instruction to take one action on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The same key applied twice has one effect.
    pub key: String,
    pub action: String,
    /// Raw text per field, as typed in a form or on the command line.
    pub inputs: BTreeMap<String, String>,
    /// When it happened, as the client says, when it was recorded before it
    /// could be sent (a monev visit saved on a phone without signal). The
    /// event is still dated when it arrives; visits and their evidence are
    /// judged on this time.
    pub observed_at: Option<DateTime<Utc>>,
}

/// A command observed less than this before it arrives was sent at once:
/// its event is dated when it arrived, with no separate observed time.
pub const OBSERVED_APART: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// How far ahead of the server's clock a client's clock may run.
pub const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Everything the engine knows of the world when it decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub now: DateTime<Utc>,
    pub actor: Actor,
    /// What is left of the case's region allocation, when one is tracked.
    pub remaining_allocation: Option<Rupiah>,
    /// What the adapter found about a visit's evidence, when the command records one.
    pub evidence: evidence::Facts,
}

/// What the engine decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "Apply is the common case; boxing it would allocate on every decision"
)]
pub enum Decision {
    /// Append `event`, then carry out `effects`.
    Apply { event: Event, effects: Vec<Effect> },
    /// This key was applied before, by event `seq`: nothing to do.
    AlreadyApplied { seq: u64 },
}

/// Opens a case of `def` in its initial state.
/// Returns the new case, the event that opened it and the reminders of its first state.
pub fn open(
    def: &Definition,
    case_id: &str,
    key: &str,
    cx: &Context,
) -> Result<(Case, Event, Vec<Effect>), Refusal> {
    if !def.opened_by.contains(&cx.actor.role) {
        return Err(Refusal::RoleNotAllowed {
            action: "open".into(),
            role: cx.actor.role,
            allowed: def.opened_by.clone(),
        });
    }
    let event = Event {
        seq: 1,
        at: cx.now,
        actor: cx.actor.clone(),
        key: key.to_string(),
        action: "open".into(),
        from: None,
        to: def.initial.clone(),
        fields: BTreeMap::new(),
        changes: vec![Change::Opened {
            workflow: def.id.clone(),
            version: def.version,
        }],
        observed_at: None,
    };
    let case = Case::replay(case_id, [&event]).map_err(|_| Refusal::WorkflowMismatch {
        case: String::new(),
        definition: def.id.clone(),
    })?;
    let effects = arm_reminders(def, &case);
    Ok((case, event, effects))
}

/// Decides what `cmd` does to `case`. Does not change the case: apply the
/// returned event with [`Case::apply`] (or use [`step`]).
pub fn decide(
    def: &Definition,
    case: &Case,
    cmd: &Command,
    cx: &Context,
) -> Result<Decision, Refusal> {
    if let Some(seq) = case.keys.get(&cmd.key) {
        return Ok(Decision::AlreadyApplied { seq: *seq });
    }
    if case.workflow != def.id || case.workflow_version != def.version {
        return Err(Refusal::WorkflowMismatch {
            case: format!("{}@{}", case.workflow, case.workflow_version),
            definition: format!("{}@{}", def.id, def.version),
        });
    }
    let Some(action) = def.action(&cmd.action) else {
        return Err(Refusal::UnknownAction {
            action: cmd.action.clone(),
            available: def
                .actions_from(&case.state)
                .map(|a| a.id.clone())
                .collect(),
        });
    };
    if !action.from.contains(&case.state) {
        return Err(Refusal::WrongState {
            action: action.id.clone(),
            state: case.state.clone(),
            allowed_from: action.from.clone(),
        });
    }
    if !may_take(action, cx.actor.role) {
        return Err(Refusal::RoleNotAllowed {
            action: action.id.clone(),
            role: cx.actor.role,
            allowed: action.roles.clone(),
        });
    }
    if cx.actor.role == Role::FieldOfficer
        && let Some(officer) = &case.officer
        && officer != &cx.actor.user
    {
        return Err(Refusal::NotAssigned {
            officer: officer.clone(),
        });
    }
    let fields = parse_inputs(def, action, &cmd.inputs)?;
    check_answers(def, action, &fields, |f, answer| {
        photo_problem(&cx.evidence, answer)
            .or_else(|| user_problem(&cx.evidence, f.role.unwrap_or(Role::FieldOfficer), answer))
    })?;
    if let Some(at) = cmd.observed_at {
        check_observed(def, case, action, at, cx.now)?;
    }
    let changes = changes(def, case, action, &fields, cmd.observed_at, cx)?;
    for guard in &action.guards {
        check_guard(*guard, def, case, &changes, cx)?;
    }
    let event = Event {
        seq: case.seq + 1,
        at: cx.now,
        actor: cx.actor.clone(),
        key: cmd.key.clone(),
        action: action.id.clone(),
        from: Some(case.state.clone()),
        to: action.target(&case.state).to_string(),
        fields,
        changes,
        observed_at: cmd.observed_at.filter(|at| cx.now - *at > OBSERVED_APART),
    };
    let effects = effects(def, case, action, &event);
    Ok(Decision::Apply { event, effects })
}

/// Decides and, when the decision is to apply, applies the event to `case`.
pub fn step(
    def: &Definition,
    case: &mut Case,
    cmd: &Command,
    cx: &Context,
) -> Result<Decision, Refusal> {
    let decision = decide(def, case, cmd, cx)?;
    if let Decision::Apply { event, .. } = &decision {
        case.apply(event);
    }
    Ok(decision)
}

/// The tranche a `pays_tranche` action would pay now, its number and
/// amount, or `None` when none can be paid.
pub fn tranche_due(def: &Definition, case: &Case) -> Option<(u8, Rupiah)> {
    next_tranche(def, case).ok()
}

/// Why the money rules hold the next tranche back now (the monev of the
/// one before missing or flagged, none approved, none left), if they do:
/// what [`tranche_due`] answers with `None`, said.
pub fn tranche_refused(def: &Definition, case: &Case) -> Option<Refusal> {
    next_tranche(def, case).err()
}

/// The next tranche by the plan, its number and amount, even while the
/// monev of the one before holds it (a payment list shows it held).
pub fn tranche_planned(def: &Definition, case: &Case) -> Option<(u8, Rupiah)> {
    planned_tranche(def, case).ok()
}

/// Whether taking `action` from `state` moves money or closes the case: it
/// pays a tranche, approves or revokes an amount, or leads to a final state.
/// The pages ask the user to confirm such an action first.
pub fn weighty(def: &Definition, action: &Action, state: &str) -> bool {
    action.pays_tranche
        || action.approves.is_some()
        || action.by_decree
        || action.revokes_approval
        || def
            .state(action.target(state))
            .is_some_and(|s| s.is_final && action.to.is_some())
}

/// The actions `role` could take on `case` now, judged by state and role
/// (and, for accepting evidence, by whether a visit awaits it).
pub fn available<'a>(
    def: &'a Definition,
    case: &'a Case,
    role: Role,
) -> impl Iterator<Item = &'a Action> + 'a {
    def.actions_from(&case.state)
        .filter(move |a| may_take(a, role))
        .filter(|a| !a.accepts_evidence || case.visit_awaiting_review().is_some())
}

/// Whether `role` may take `action`: a role the action names, or the
/// treasurer on an action that pays a tranche (paying is the treasurer's
/// whatever program it is; the money rules hold for them as for anyone).
pub fn may_take(action: &Action, role: Role) -> bool {
    action.roles.contains(&role) || (action.pays_tranche && role == Role::Treasurer)
}

/// When a visit opened: its due time less the longest time any action that
/// schedules its checklist gives (the visits are scheduled that long ahead).
pub fn visit_opened(def: &Definition, v: &crate::case::Visit) -> DateTime<Utc> {
    let ahead = def
        .actions
        .iter()
        .filter_map(|a| a.schedules_visit.as_ref())
        .filter(|r| r.checklist == v.checklist)
        .map(|r| r.due_after)
        .max()
        .unwrap_or_default();
    v.due_at - ahead
}

/// The changes taking `action` makes, with the money rules that always hold.
fn changes(
    def: &Definition,
    case: &Case,
    action: &Action,
    fields: &BTreeMap<String, Value>,
    observed_at: Option<DateTime<Utc>>,
    cx: &Context,
) -> Result<Vec<Change>, Refusal> {
    let rupiah = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| fields.get(n))
            .and_then(Value::as_rupiah)
    };
    let mut out = Vec::new();
    if let Some(amount) = rupiah(&action.requests) {
        out.push(Change::Requested { amount });
    }
    if let Some(amount) = rupiah(&action.approves) {
        let disbursed = case.disbursed();
        if amount < disbursed {
            return Err(Refusal::Guard(GuardFailure::BelowDisbursed {
                approved: amount,
                disbursed,
            }));
        }
        out.push(Change::Approved { amount });
    }
    if action.revokes_approval {
        let disbursed = case.disbursed();
        if disbursed > Rupiah::ZERO {
            return Err(Refusal::Guard(GuardFailure::BelowDisbursed {
                approved: Rupiah::ZERO,
                disbursed,
            }));
        }
        out.push(Change::ApprovalRevoked);
    }
    if let Some(user) = action.assigns_officer.as_ref().and_then(|n| fields.get(n)) {
        out.push(Change::OfficerAssigned {
            user: user.display(),
        });
    }
    if action.completes_visit {
        let visit = case
            .open_visit()
            .ok_or(Refusal::Guard(GuardFailure::NoOpenVisit))?;
        let gps = def
            .inputs(action)
            .filter(|f| f.kind == crate::value::FieldType::Gps)
            .find_map(|f| match fields.get(&f.id) {
                Some(Value::Gps(p)) => Some(*p),
                _ => None,
            });
        out.push(Change::VisitCompleted {
            no: visit.no,
            gps,
            flags: evidence::judge(
                &def.evidence,
                case,
                &cx.evidence,
                gps,
                observed_at.unwrap_or(cx.now),
            ),
        });
    }
    if let Some(name) = &action.records_year {
        let year = match fields.get(name).or_else(|| case.fields.get(name)) {
            Some(Value::Number(y)) => i32::try_from(*y).ok().filter(|y| (1945..=2100).contains(y)),
            _ => None,
        };
        let year = year.ok_or_else(|| {
            Refusal::Guard(GuardFailure::NoYear {
                field: name.clone(),
            })
        })?;
        out.push(Change::YearRecorded { year });
    }
    if action.accepts_evidence {
        let visit = case
            .visit_awaiting_review()
            .ok_or(Refusal::Guard(GuardFailure::NothingFlagged))?;
        out.push(Change::EvidenceAccepted { no: visit.no });
    }
    let mut tranche = None;
    if action.pays_tranche {
        let (no, amount) = next_tranche(def, case)?;
        tranche = Some(no);
        out.push(Change::TranchePaid { no, amount });
    }
    if let Some(rule) = &action.schedules_visit {
        let no = u32::try_from(case.visits.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        out.push(Change::VisitScheduled {
            no,
            checklist: rule.checklist.clone(),
            due_at: cx.now + rule.due_after,
            tranche,
        });
    }
    Ok(out)
}

fn effects(def: &Definition, case: &Case, action: &Action, event: &Event) -> Vec<Effect> {
    // As `Case::apply` folds the event: a move to another state enters it.
    let moves = event.from.as_deref() != Some(event.to.as_str());
    let entered_seq = if moves { event.seq } else { case.entered_seq };
    let entered = (entered_seq == event.seq).then(|| def.state(&event.to));
    // Room for every effect this can make, so the list is allocated once.
    let room = event.changes.len()
        + def.evidence.accepted_by.len()
        + action.notify.len()
        + entered.map_or(0, |s| 1 + s.map_or(0, reminders::most));
    let mut out = Vec::with_capacity(room);
    for change in &event.changes {
        match change {
            Change::TranchePaid { no, amount } => out.push(Effect::PayTranche {
                no: *no,
                amount: *amount,
            }),
            Change::VisitScheduled {
                no,
                checklist,
                due_at,
                tranche,
            } => out.push(Effect::ScheduleVisit {
                no: *no,
                checklist: checklist.clone(),
                due_at: *due_at,
                tranche: *tranche,
            }),
            Change::YearRecorded { year } => {
                // The case's answers once this event's are folded in.
                let mut figures = case.fields.clone();
                figures.extend(event.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                out.push(Effect::RecordYear {
                    year: *year,
                    figures,
                });
            }
            Change::VisitCompleted { no, flags, .. } => {
                out.push(Effect::CompleteVisit { no: *no });
                if !flags.is_empty() {
                    out.extend(def.evidence.accepted_by.iter().map(|to| Effect::Notify {
                        key: format!("{}:{}:evidence:{}", case.id, event.seq, to.as_str()),
                        to: *to,
                        template: evidence::FLAGGED_TEMPLATE.into(),
                    }));
                }
            }
            _ => {}
        }
    }
    for (i, n) in action.notify.iter().enumerate() {
        out.push(Effect::Notify {
            key: reminders::key(
                &case.id,
                &[
                    Part::Number(event.seq),
                    Part::Text("notify"),
                    Part::Number(i as u64),
                ],
            ),
            to: n.to,
            template: n.template.clone(),
        });
    }
    if let Some(state) = entered {
        out.push(Effect::DisarmReminders {
            entered_seq: case.entered_seq,
        });
        if let Some(state) = state {
            let entered = reminders::Entered {
                case_id: &case.id,
                seq: event.seq,
                at: event.at,
                visit_due: reminders::visit_due_after(case, &event.changes),
            };
            reminders::arm(state, &entered, &mut out);
        }
    }
    out
}

/// The reminders of the state `case` has just entered, with absolute times.
fn arm_reminders(def: &Definition, case: &Case) -> Vec<Effect> {
    let mut out = Vec::new();
    if let Some(state) = def.state(&case.state) {
        reminders::arm(state, &reminders::Entered::now(case), &mut out);
    }
    out
}
