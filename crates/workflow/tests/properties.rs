//! Property tests: random command sequences through every shipped definition,
//! and arbitrary or mangled text through the loader.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use common::{cx, known, shipped, shipped_sources, t0};
use pantau_domain::{Role, Rupiah};
use pantau_workflow::{
    Action, Case, Change, Command, Decision, Definition, Event, FieldType, engine, load,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// One random step: which action, which role, what inputs, how much later.
#[derive(Debug, Clone)]
struct Step {
    pick: u8,
    role: u8,
    inputs: u8,
    minutes: u16,
    retry: bool,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            0u16..20_000,
            prop::bool::weighted(0.1),
        )
            .prop_map(|(pick, role, inputs, minutes, retry)| Step {
                pick,
                role,
                inputs,
                minutes,
                retry,
            }),
        1..80,
    )
}

const AMOUNTS: [i64; 6] = [0, 1, 49_999_999, 50_000_000, 150_000_000, 4_924_000_000];

/// Inputs for `action`: mostly valid, sometimes missing, sometimes garbage.
fn inputs(
    def: &Definition,
    action: &Action,
    seed: u8,
    valid_only: bool,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, f) in def.inputs(action).enumerate() {
        let mut dice = seed.wrapping_mul(31).wrapping_add(i as u8 * 17) % 32;
        if valid_only {
            dice = dice.max(2);
        }
        if dice == 0 {
            continue; // missing
        }
        let text = if dice == 1 {
            "??".to_string()
        } else {
            match f.kind {
                FieldType::Rupiah => Rupiah::new(AMOUNTS[usize::from(dice) % AMOUNTS.len()])
                    .unwrap()
                    .to_string(),
                FieldType::Number => (i64::from(dice) * 7).to_string(),
                FieldType::YesNo => if dice.is_multiple_of(2) {
                    "ya"
                } else {
                    "tidak"
                }
                .to_string(),
                FieldType::Choice => f.options[usize::from(dice) % f.options.len()].clone(),
                FieldType::Date => "2026-03-01".to_string(),
                FieldType::Gps => "-5.4292,105.2619".to_string(),
                FieldType::User => if dice.is_multiple_of(5) {
                    "eko"
                } else {
                    "dedi"
                }
                .to_string(),
                FieldType::Text | FieldType::Document | FieldType::Photo => format!("teks-{dice}"),
            }
        };
        out.insert(f.id.clone(), text);
    }
    out
}

/// Runs `steps` on a fresh case of `def`, checking the invariants after each.
fn run(def: &Definition, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut now = t0();
    let (mut case, first, _) =
        engine::open(def, "P-1", "open", &cx(now, "rina", def.opened_by[0])).unwrap();
    let mut events: Vec<Event> = vec![first];
    let mut last: Option<(Command, Role, String)> = None;
    for (i, s) in steps.iter().enumerate() {
        now += TimeDelta::minutes(i64::from(s.minutes));
        let (cmd, role, user) = match (&last, s.retry) {
            (Some(prev), true) => prev.clone(),
            _ => {
                let available: Vec<&Action> = def.actions_from(&case.state).collect();
                let action = if s.pick % 8 == 0 || available.is_empty() {
                    &def.actions[usize::from(s.pick) % def.actions.len()]
                } else {
                    available[usize::from(s.pick) % available.len()]
                };
                let role = if s.role % 6 == 0 {
                    Role::ALL[usize::from(s.role / 6) % 6]
                } else {
                    action.roles[usize::from(s.role) % action.roles.len()]
                };
                let user = if role == Role::FieldOfficer && s.role % 7 == 0 {
                    "eko"
                } else {
                    "dedi"
                };
                let cmd = Command {
                    observed_at: None,
                    key: format!("k{i}"),
                    action: action.id.clone(),
                    inputs: inputs(def, action, s.inputs, false),
                };
                (cmd, role, user.to_string())
            }
        };
        let before = case.clone();
        let mut context = cx(now, &user, role);
        context.remaining_allocation = Some(Rupiah::new(1_000_000_000).unwrap());
        context.evidence = pantau_workflow::evidence::Facts::stand_ins(def, &cmd, now);
        match engine::step(def, &mut case, &cmd, &context) {
            Ok(Decision::Apply { event, .. }) => {
                prop_assert!(
                    !before.keys.contains_key(&cmd.key),
                    "a used key applied again"
                );
                events.push(event);
            }
            Ok(Decision::AlreadyApplied { seq }) => {
                prop_assert_eq!(&case, &before);
                prop_assert_eq!(before.keys.get(&cmd.key), Some(&seq));
            }
            Err(_) => prop_assert_eq!(&case, &before),
        }
        last = Some((cmd, role, user));
        invariants(def, &case, &events)?;
    }
    Ok(())
}

fn invariants(def: &Definition, case: &Case, events: &[Event]) -> Result<(), TestCaseError> {
    prop_assert!(
        def.state(&case.state).is_some(),
        "left the defined states: {}",
        case.state
    );
    let approved = case.approved.unwrap_or(Rupiah::ZERO);
    prop_assert!(
        case.disbursed() <= approved,
        "disbursed {} > approved {}",
        case.disbursed(),
        approved
    );
    prop_assert!(case.tranches.len() <= def.tranche_count());
    if case.tranches.len() == def.tranche_count() && def.tranche_count() > 0 {
        prop_assert_eq!(
            case.disbursed(),
            approved,
            "all tranches paid but not the whole amount"
        );
    }
    if def
        .disbursement
        .as_ref()
        .is_some_and(|d| d.monev_between_tranches)
    {
        // When tranche N+1 was paid, every visit of tranche N was already done.
        for e in events {
            for c in &e.changes {
                if let Change::TranchePaid { no, .. } = c
                    && *no > 1
                {
                    let visits: Vec<_> = case
                        .visits
                        .iter()
                        .filter(|v| v.tranche == Some(no - 1))
                        .collect();
                    prop_assert!(
                        !visits.is_empty(),
                        "tranche {} paid with no visit on tranche {}",
                        no,
                        no - 1
                    );
                    for v in visits {
                        prop_assert!(
                            v.done_seq.is_some_and(|s| s < e.seq),
                            "tranche {} paid before the monev of tranche {}",
                            no,
                            no - 1
                        );
                    }
                }
            }
        }
    }
    prop_assert_eq!(
        &Case::replay(&case.id, events).unwrap(),
        case,
        "replaying the events gives another case"
    );
    Ok(())
}

#[test]
fn random_commands_keep_every_invariant_for_every_shipped_definition() {
    let defs = shipped();
    assert!(
        defs.len() >= 6,
        "expected at least six programs, found {}",
        defs.len()
    );
    for def in defs {
        let config = ProptestConfig {
            cases: 300,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(config, |(s in steps())| { run(&def, &s)?; });
    }
}

#[test]
fn random_commands_reach_the_end_of_every_program() {
    // Not a property: evidence that the generator exercises whole workflows,
    // so the invariants above are checked on real disbursements.
    for def in shipped() {
        let mut reached_final = false;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for _ in 0..400 {
            let s = steps().new_tree(&mut runner).unwrap().current();
            let mut now = t0();
            let (mut case, _, _) =
                engine::open(&def, "P", "o", &cx(now, "rina", def.opened_by[0])).unwrap();
            for (i, st) in s.iter().enumerate() {
                now += TimeDelta::minutes(i64::from(st.minutes));
                let Some(action) = def
                    .actions_from(&case.state)
                    .nth(usize::from(st.pick) % def.actions_from(&case.state).count().max(1))
                else {
                    break;
                };
                let role = action.roles[usize::from(st.role) % action.roles.len()];
                let cmd = Command {
                    observed_at: None,
                    key: format!("k{i}"),
                    action: action.id.clone(),
                    inputs: inputs(&def, action, st.inputs, true),
                };
                let user = case.officer.clone().unwrap_or_else(|| "dedi".into());
                let mut context = cx(now, &user, role);
                context.evidence = pantau_workflow::evidence::Facts::stand_ins(&def, &cmd, now);
                let _ = engine::step(&def, &mut case, &cmd, &context);
            }
            reached_final |= case.is_final(&def) && case.tranches.len() == def.tranche_count();
        }
        assert!(
            reached_final,
            "{}: no random run reached a final state with every tranche paid",
            def.id
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        check_diagnostics(&text)?;
    }

    #[test]
    fn the_loader_reports_positions_inside_mangled_definitions(file in 0usize..6, line in 0usize..400, edit in 0u8..5, junk in "[ -~]{0,12}") {
        let sources = shipped_sources();
        let (_, source) = &sources[file % sources.len()];
        let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
        let at = line % lines.len();
        match edit {
            0 => { lines.remove(at); }
            1 => lines.insert(at, junk.clone()),
            2 => { let l = lines[at].clone(); lines.insert(at, l); }
            3 => lines[at] = lines[at].replacen('"', &junk, 1),
            _ => lines[at].push_str(&junk),
        }
        check_diagnostics(&lines.join("\n"))?;
    }
}

/// Loads `text`; every diagnostic must point inside it.
fn check_diagnostics(text: &str) -> Result<(), TestCaseError> {
    if let Err(ds) = load("fuzz.toml", text, &known()) {
        prop_assert!(!ds.is_empty());
        let line_count = text.split('\n').count();
        for d in ds {
            prop_assert!(
                d.line >= 1 && d.line <= line_count,
                "line {} of {}: {}",
                d.line,
                line_count,
                d
            );
            prop_assert!(d.col >= 1);
            prop_assert!(!d.message.is_empty());
        }
    }
    Ok(())
}
