//! The engine on the mini fixture: money, tranches, visits, reminders,
//! idempotency and replay, one rule at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use common::{cx, t0};
use pantau_domain::{Role, Rupiah};
use pantau_workflow::{
    Case, Command, Decision, Definition, Effect, Event, GuardFailure, Known, Refusal, engine, load,
};

fn mini() -> Definition {
    let known = Known {
        templates: ["waiting".to_string()].into(),
    };
    load("mini.toml", include_str!("fixtures/mini.toml"), &known).expect("mini is clean")
}

fn cmd(key: &str, action: &str, inputs: &[(&str, &str)]) -> Command {
    Command {
        observed_at: None,
        key: key.into(),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// A case of `mini` with its events, driven by (role, command) steps a day apart.
struct Run {
    def: Definition,
    case: Case,
    events: Vec<Event>,
    day: i64,
}

impl Run {
    fn new() -> Run {
        let def = mini();
        let (case, event, _) =
            engine::open(&def, "C-1", "open", &cx(t0(), "rina", Role::ManagerRegency)).unwrap();
        Run {
            def,
            case,
            events: vec![event],
            day: 0,
        }
    }

    fn take(&mut self, role: Role, c: Command) -> Result<Decision, Refusal> {
        self.day += 1;
        let now = t0() + TimeDelta::days(self.day);
        let d = engine::step(&self.def, &mut self.case, &c, &cx(now, "someone", role))?;
        if let Decision::Apply { event, .. } = &d {
            self.events.push(event.clone());
        }
        Ok(d)
    }

    fn effects(&mut self, role: Role, c: Command) -> Vec<Effect> {
        match self.take(role, c) {
            Ok(Decision::Apply { effects, .. }) => effects,
            other => panic!("expected the command to apply, got {other:?}"),
        }
    }
}

#[test]
fn tranches_add_up_to_the_approved_amount_exactly() {
    let mut r = Run::new();
    r.effects(
        Role::Verifier,
        cmd("a", "approve", &[("amount", "Rp 100.000.001")]),
    );
    let first = r.effects(Role::ManagerProvince, cmd("p1", "pay", &[]));
    assert!(
        first.contains(&Effect::PayTranche {
            no: 1,
            amount: Rupiah::new(60_000_000).unwrap()
        }),
        "{first:?}"
    );
    r.effects(
        Role::FieldOfficer,
        cmd("v1", "visit", &[("active", "ya"), ("status", "baik")]),
    );
    let second = r.effects(Role::ManagerProvince, cmd("p2", "pay", &[]));
    assert!(
        second.contains(&Effect::PayTranche {
            no: 2,
            amount: Rupiah::new(40_000_001).unwrap()
        }),
        "{second:?}"
    );
    assert_eq!(r.case.disbursed(), r.case.approved.unwrap());
    assert_eq!(
        r.take(Role::ManagerProvince, cmd("p3", "pay", &[])),
        Err(Refusal::Guard(GuardFailure::NoTrancheLeft { paid: 2 }))
    );
}

#[test]
fn the_next_tranche_waits_for_the_monev_report() {
    let mut r = Run::new();
    r.effects(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
    r.effects(Role::ManagerProvince, cmd("p1", "pay", &[]));
    assert_eq!(
        r.take(Role::ManagerProvince, cmd("p2", "pay", &[])),
        Err(Refusal::Guard(GuardFailure::MonevMissing { tranche: 1 }))
    );
    r.effects(
        Role::FieldOfficer,
        cmd("v1", "visit", &[("active", "tidak"), ("status", "buruk")]),
    );
    r.effects(Role::ManagerProvince, cmd("p2", "pay", &[]));
    assert_eq!(r.case.tranches.len(), 2);
}

#[test]
fn a_retried_command_has_one_effect() {
    let mut r = Run::new();
    r.effects(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
    r.effects(Role::ManagerProvince, cmd("pay-1", "pay", &[]));
    let before = r.case.clone();
    assert_eq!(
        r.take(Role::ManagerProvince, cmd("pay-1", "pay", &[])),
        Ok(Decision::AlreadyApplied { seq: 3 })
    );
    assert_eq!(r.case, before);
    assert_eq!(r.case.disbursed(), Rupiah::new(600).unwrap());
}

#[test]
fn refusals_name_the_reason() {
    let mut r = Run::new();
    assert!(matches!(
        r.take(Role::Verifier, cmd("x", "pay", &[])),
        Err(Refusal::WrongState { .. })
    ));
    assert!(matches!(
        r.take(Role::FieldOfficer, cmd("x", "approve", &[("amount", "5")])),
        Err(Refusal::RoleNotAllowed { .. })
    ));
    assert!(matches!(
        r.take(Role::Verifier, cmd("x", "fly", &[])),
        Err(Refusal::UnknownAction { .. })
    ));
    let Err(Refusal::Fields { errors }) = r.take(
        Role::Verifier,
        cmd("x", "approve", &[("amount", "1,5"), ("colour", "red")]),
    ) else {
        panic!("expected field errors")
    };
    let named: Vec<(&str, String)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message(pantau_domain::Lang::En)))
        .collect();
    assert_eq!(named[0].0, "amount");
    assert!(named[0].1.contains("not an amount of rupiah"), "{named:?}");
    assert_eq!(
        named[1],
        (
            "colour",
            "colour: is not a field of this action".to_string()
        )
    );
    assert_eq!(r.events.len(), 1, "no refusal appends an event");
}

#[test]
fn approval_stays_within_the_allocation() {
    let def = mini();
    let mut context = cx(t0(), "rina", Role::ManagerRegency);
    let (case, _, _) = engine::open(&def, "C-1", "open", &context).unwrap();
    context.actor.role = Role::Verifier;
    context.remaining_allocation = Some(Rupiah::new(500).unwrap());
    let refusal = engine::decide(
        &def,
        &case,
        &cmd("a", "approve", &[("amount", "501")]),
        &context,
    )
    .unwrap_err();
    assert_eq!(
        refusal.message(pantau_domain::Lang::Id),
        "jumlah disetujui Rp 501 melebihi sisa alokasi wilayah Rp 500"
    );
    assert!(
        engine::decide(
            &def,
            &case,
            &cmd("a", "approve", &[("amount", "500")]),
            &context
        )
        .is_ok()
    );
}

#[test]
fn reminders_follow_the_state_and_the_visit() {
    let mut r = Run::new();
    let effects = r.effects(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
    let approved_at = t0() + TimeDelta::days(1);
    assert!(effects.contains(&Effect::DisarmReminders { entered_seq: 1 }));
    let armed: Vec<_> = effects
        .iter()
        .filter_map(|e| {
            if let Effect::ArmReminder(r) = e {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(armed.len(), 1);
    assert_eq!(
        (armed[0].key.as_str(), armed[0].to, armed[0].fire_at),
        (
            "C-1:2:approved:0:0",
            Role::ManagerProvince,
            approved_at + TimeDelta::days(7)
        )
    );

    let effects = r.effects(Role::ManagerProvince, cmd("p", "pay", &[]));
    let due = t0() + TimeDelta::days(2) + TimeDelta::days(30);
    let armed: Vec<_> = effects
        .iter()
        .filter_map(|e| {
            if let Effect::ArmReminder(r) = e {
                Some((r.step, r.to, r.fire_at))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        armed,
        [
            (0, Role::FieldOfficer, due + TimeDelta::days(1)),
            (1, Role::ManagerRegency, due + TimeDelta::days(8))
        ]
    );
}

#[test]
fn the_events_rebuild_the_case() {
    let mut r = Run::new();
    r.effects(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
    r.effects(Role::ManagerProvince, cmd("p1", "pay", &[]));
    r.effects(
        Role::FieldOfficer,
        cmd("v1", "visit", &[("active", "ya"), ("status", "baik")]),
    );
    assert_eq!(Case::replay("C-1", &r.events), Ok(r.case.clone()));
    let mut gapped = r.events.clone();
    gapped.remove(1);
    assert!(Case::replay("C-1", &gapped).is_err());
}

#[test]
fn a_field_officer_acts_only_on_cases_assigned_to_them() {
    let def = common::shipped()
        .into_iter()
        .find(|d| d.id == "bansos")
        .expect("bansos");
    let mut cxt = cx(t0(), "rina", Role::ManagerRegency);
    let (mut case, _, _) = engine::open(&def, "C-9", "o", &cxt).unwrap();
    case.state = "disbursed".into();
    case.officer = Some("dedi".into());
    cxt.actor = pantau_workflow::Actor {
        user: "eko".into(),
        role: Role::FieldOfficer,
    };
    let refusal = engine::decide(&def, &case, &cmd("v", "record_monev", &[]), &cxt).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::NotAssigned {
            officer: "dedi".into()
        }
    );
}

#[test]
fn the_treasurer_pays_a_tranche_and_nothing_else() {
    let mut r = Run::new();
    assert!(matches!(
        r.take(Role::Treasurer, cmd("a0", "approve", &[("amount", "1000")])),
        Err(Refusal::RoleNotAllowed {
            role: Role::Treasurer,
            ..
        })
    ));
    r.effects(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
    let available: Vec<&str> = engine::available(&r.def, &r.case, Role::Treasurer)
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(available, ["pay"]);
    let paid = r.effects(Role::Treasurer, cmd("p1", "pay", &[]));
    assert!(
        paid.iter()
            .any(|e| matches!(e, Effect::PayTranche { no: 1, .. }))
    );
    // The money rules hold for the treasurer as for anyone.
    assert_eq!(
        r.take(Role::Treasurer, cmd("p2", "pay", &[])),
        Err(Refusal::Guard(GuardFailure::MonevMissing { tranche: 1 }))
    );
    assert!(matches!(
        r.take(
            Role::Treasurer,
            cmd("v1", "visit", &[("active", "ya"), ("status", "baik")])
        ),
        Err(Refusal::RoleNotAllowed { .. }) | Err(Refusal::WrongState { .. })
    ));
}
