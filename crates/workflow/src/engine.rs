//! The engine: (definition, case, command, actor, now) → an event and its
//! effects, or a typed refusal. Pure: no clock, no I/O, no randomness.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Label, Role, Rupiah};

use crate::case::{Actor, Case, Change, Event, MonevGap};
use crate::definition::{Action, Anchor, Definition, Guard, State};
use crate::effect::{Effect, Reminder};
use crate::evidence;
use crate::refusal::{FieldError, FieldProblem, GuardFailure, Refusal};
use crate::value::Value;

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
    if !action.roles.contains(&cx.actor.role) {
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

/// The actions `role` could take on `case` now, judged by state and role
/// (and, for accepting evidence, by whether a visit awaits it).
pub fn available<'a>(
    def: &'a Definition,
    case: &'a Case,
    role: Role,
) -> impl Iterator<Item = &'a Action> + 'a {
    def.actions_from(&case.state)
        .filter(move |a| a.roles.contains(&role))
        .filter(|a| !a.accepts_evidence || case.visit_awaiting_review().is_some())
}

fn parse_inputs(
    def: &Definition,
    action: &Action,
    inputs: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, Refusal> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for field in def.inputs(action) {
        match inputs
            .get(&field.id)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None if field.required => errors.push(FieldError {
                field: field.id.clone(),
                problem: FieldProblem::Missing,
            }),
            None => {}
            Some(text) => match Value::parse(field.kind, text, &field.options) {
                Ok(v) => {
                    values.insert(field.id.clone(), v);
                }
                Err(why) => errors.push(FieldError {
                    field: field.id.clone(),
                    problem: FieldProblem::Invalid(why),
                }),
            },
        }
    }
    for name in inputs.keys() {
        if !def.inputs(action).any(|f| &f.id == name) {
            errors.push(FieldError {
                field: name.clone(),
                problem: FieldProblem::Unknown,
            });
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(Refusal::Fields { errors })
    }
}

/// Refuses each answer `why` finds a reason against, by field.
fn check_answers(
    def: &Definition,
    action: &Action,
    fields: &BTreeMap<String, Value>,
    why: impl Fn(&crate::definition::Field, &Value) -> Option<Label>,
) -> Result<(), Refusal> {
    let errors: Vec<FieldError> = def
        .inputs(action)
        .filter_map(|f| {
            let reason = why(f, fields.get(&f.id)?)?;
            Some(FieldError {
                field: f.id.clone(),
                problem: FieldProblem::Invalid(reason),
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Fields { errors })
    }
}

/// Refuses a photo answer that names no picture uploaded to this case: a
/// typed file name, an unknown id, another case's file, or a file that does
/// not decode as a picture. The adapter names the case's uploads in `facts`.
fn photo_problem(facts: &evidence::Facts, answer: &Value) -> Option<Label> {
    let Value::Photo(id) = answer else {
        return None;
    };
    match facts.photos.iter().find(|p| &p.id == id) {
        None => Some(Label::new(
            "bukan foto yang diunggah untuk kasus ini; ambil atau unggah fotonya",
            "is not a photo uploaded to this case; take or upload the photo",
        )),
        Some(p) if !p.picture => Some(Label::new(
            "berkas ini bukan gambar yang dapat dibuka",
            "this file is not a picture that opens",
        )),
        Some(_) => None,
    }
}

/// Refuses a user answer that names no active user of the field's role who
/// works in the case's region (a typed name, another region's officer).
fn user_problem(facts: &evidence::Facts, role: Role, answer: &Value) -> Option<Label> {
    let Value::User(login) = answer else {
        return None;
    };
    let named = role.label();
    match facts.users.iter().find(|p| &p.login == login) {
        None => Some(Label::new(
            format!("`{login}` bukan pengguna Pantau"),
            format!("`{login}` is not a Pantau user"),
        )),
        Some(p) if !p.active => Some(Label::new(
            format!("`{login}` sudah dinonaktifkan"),
            format!("`{login}` has been deactivated"),
        )),
        Some(p) if p.role != role => Some(Label::new(
            format!("`{login}` bukan {}", named.id.to_lowercase()),
            format!("`{login}` is not a {}", named.en.to_lowercase()),
        )),
        Some(p) if !p.sees_case => Some(Label::new(
            format!("`{login}` tidak bertugas di wilayah kasus ini"),
            format!("`{login}` does not work in this case's region"),
        )),
        Some(_) => None,
    }
}

/// Refuses a time of observation the action cannot have happened at: ahead
/// of the clock (beyond [`CLOCK_SKEW`]), before the case entered the state
/// the action is taken from, or, for a monev visit, before the visit opened.
fn check_observed(
    def: &Definition,
    case: &Case,
    action: &Action,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let opened = action
        .completes_visit
        .then(|| case.open_visit().map(|v| visit_opened(def, v)))
        .flatten();
    let earliest = opened.map_or(case.entered_at, |o| o.max(case.entered_at));
    let problem = if at > now + CLOCK_SKEW {
        Some(FieldProblem::ObservedInFuture { at, now })
    } else if at < earliest {
        Some(FieldProblem::ObservedTooEarly { at, earliest })
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Refusal::Fields {
            errors: vec![FieldError {
                field: OBSERVED_AT.into(),
                problem,
            }],
        }),
        None => Ok(()),
    }
}

/// The name a command's time of observation goes by in refusals.
pub const OBSERVED_AT: &str = "observed_at";

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

/// The next tranche's number and amount. The last tranche takes what is
/// left, so the tranches add up to the approved amount exactly.
fn next_tranche(def: &Definition, case: &Case) -> Result<(u8, Rupiah), Refusal> {
    let approved = case
        .approved
        .ok_or(Refusal::Guard(GuardFailure::NotApproved))?;
    let plan = def
        .disbursement
        .as_ref()
        .map(|d| d.tranches.as_slice())
        .unwrap_or(&[]);
    let paid = case.tranches.len();
    let Some(percent) = plan.get(paid) else {
        return Err(Refusal::Guard(GuardFailure::NoTrancheLeft { paid }));
    };
    if def
        .disbursement
        .as_ref()
        .is_some_and(|d| d.monev_between_tranches)
        && let Some(last) = case.tranches.last()
        && let Some(gap) = case.monev_gap()
    {
        return Err(Refusal::Guard(monev_failure(gap, last.no)));
    }
    let left = approved
        .checked_sub(case.disbursed())
        .unwrap_or(Rupiah::ZERO);
    let amount = if paid + 1 == plan.len() {
        left
    } else {
        approved.percent(*percent).min(left)
    };
    Ok((u8::try_from(paid + 1).unwrap_or(u8::MAX), amount))
}

/// Why the monev of tranche `tranche` does not let the case move on.
fn monev_failure(gap: MonevGap, tranche: u8) -> GuardFailure {
    match gap {
        MonevGap::Missing { .. } => GuardFailure::MonevMissing { tranche },
        MonevGap::Flagged { no } => GuardFailure::EvidenceFlagged { visit: no },
    }
}

fn check_guard(
    guard: Guard,
    def: &Definition,
    case: &Case,
    changes: &[Change],
    cx: &Context,
) -> Result<(), Refusal> {
    let approved = changes.iter().find_map(|c| match c {
        Change::Approved { amount } => Some(*amount),
        _ => None,
    });
    let requested = changes.iter().find_map(|c| match c {
        Change::Requested { amount } => Some(*amount),
        _ => None,
    });
    let (paid, total) = (case.tranches.len(), def.tranche_count());
    let failure = match guard {
        Guard::WithinRequested => approved.and_then(|a| {
            let requested = requested.or(case.requested);
            (requested.is_none_or(|r| a > r)).then_some(GuardFailure::WithinRequested {
                approved: a,
                requested,
            })
        }),
        Guard::WithinAllocation => match (approved, cx.remaining_allocation) {
            (Some(a), Some(remaining)) if a > remaining => Some(GuardFailure::WithinAllocation {
                approved: a,
                remaining,
            }),
            _ => None,
        },
        Guard::MonevReported => case
            .monev_gap()
            .map(|gap| monev_failure(gap, case.tranches.last().map_or(0, |t| t.no))),
        Guard::TranchesRemaining => {
            (paid >= total).then_some(GuardFailure::TranchesRemaining { paid, total })
        }
        Guard::AllTranchesPaid => {
            (paid < total).then_some(GuardFailure::AllTranchesPaid { paid, total })
        }
        Guard::OfficerAssigned => {
            let assigning = changes
                .iter()
                .any(|c| matches!(c, Change::OfficerAssigned { .. }));
            (case.officer.is_none() && !assigning).then_some(GuardFailure::OfficerAssigned)
        }
    };
    failure.map_or(Ok(()), |f| Err(Refusal::Guard(f)))
}

fn effects(def: &Definition, case: &Case, action: &Action, event: &Event) -> Vec<Effect> {
    let mut after = case.clone();
    after.apply(event);
    let mut out = Vec::new();
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
            key: format!("{}:{}:notify:{i}", case.id, event.seq),
            to: n.to,
            template: n.template.clone(),
        });
    }
    if after.entered_seq == event.seq {
        out.push(Effect::DisarmReminders {
            entered_seq: case.entered_seq,
        });
        out.extend(arm_reminders(def, &after));
    }
    out
}

/// The reminders of the state `case` has just entered, with absolute times.
fn arm_reminders(def: &Definition, case: &Case) -> Vec<Effect> {
    let Some(state) = def.state(&case.state) else {
        return Vec::new();
    };
    reminders(state, case)
        .into_iter()
        .map(Effect::ArmReminder)
        .collect()
}

fn reminders(state: &State, case: &Case) -> Vec<Reminder> {
    let due = case.open_visit().map(|v| v.due_at);
    let mut out = Vec::new();
    for (i, rule) in state.reminders.iter().enumerate() {
        let first = match rule.anchor {
            Anchor::AfterEntered(d) => Some(case.entered_at + d),
            Anchor::BeforeDue(d) => due.map(|t| t - d),
            Anchor::AfterDue(d) => due.map(|t| t + d),
        };
        let Some(mut fire_at) = first else { continue };
        let steps = std::iter::once((rule.to, chrono::TimeDelta::zero(), &rule.template))
            .chain(rule.escalate.iter().map(|e| (e.to, e.after, &e.template)));
        for (step, (to, after, template)) in steps.enumerate() {
            fire_at += after;
            out.push(Reminder {
                key: format!("{}:{}:{}:{i}:{step}", case.id, case.entered_seq, state.id),
                state: state.id.clone(),
                entered_seq: case.entered_seq,
                fire_at,
                to,
                template: template.clone(),
                step: u8::try_from(step).unwrap_or(u8::MAX),
            });
        }
    }
    out
}
