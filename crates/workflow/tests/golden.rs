//! The engine decides exactly as it did when these hashes were recorded:
//! every decision (event, effects, refusal with its message), the case
//! after it, and what the pages ask of the engine (the actions available,
//! the tranche due, which are weighty), serialized as JSON and hashed.
//!
//! Two mixes: the shipped simulations (what `benches/engine.rs` times) and
//! many seeded random commands per shipped program, with observed times,
//! evidence that raises flags, and answers naming users who cannot be named.
//!
//! A change to the engine's speed must leave both hashes alone. A change to
//! what it decides changes them: look at what changed (set
//! `PANTAU_GOLDEN_DUMP=/some/dir` to write every record as JSON lines on the
//! old and the new code, then diff), and only then record the new hashes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;

use chrono::TimeDelta;
use common::{cx, repo, shipped, t0};
use pantau_domain::{GeoPoint, Lang, Role, Rupiah, Zone};
use pantau_workflow::evidence::{Facts, Use};
use pantau_workflow::{
    Action, Case, Command, Decision, Definition, FieldType, Refusal, engine, simulate,
};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

const SIMULATIONS: &str = "108931949dab536318988aa5dbd77f72a235c589894851373bf2963f00b8119f";
const RANDOM: &str = "d598810a00e2fe59b08eed73e65e0c32451c5b9aac1ada33eee60592033f378a";

/// Records hashed in order; written as JSON lines when `PANTAU_GOLDEN_DUMP` is set.
struct Recorder {
    hash: Sha256,
    dump: Option<std::fs::File>,
    count: usize,
}

impl Recorder {
    fn new(name: &str) -> Recorder {
        let dump = std::env::var_os("PANTAU_GOLDEN_DUMP").map(|dir| {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::File::create(std::path::Path::new(&dir).join(format!("{name}.jsonl"))).unwrap()
        });
        Recorder {
            hash: Sha256::new(),
            dump,
            count: 0,
        }
    }

    fn record(&mut self, record: &Json) {
        let line = serde_json::to_string(record).unwrap();
        self.hash.update(line.as_bytes());
        self.hash.update(b"\n");
        if let Some(f) = &mut self.dump {
            writeln!(f, "{line}").unwrap();
        }
        self.count += 1;
    }

    fn finish(self) -> String {
        let digest = self.hash.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The roles the hashes were recorded with. A role added later (the
/// treasurer) is left out, so the recorded decisions stay comparable; its
/// own rule is tested beside the engine.
const RECORDED_ROLES: [Role; 6] = [
    Role::Admin,
    Role::ManagerProvince,
    Role::ManagerRegency,
    Role::Verifier,
    Role::FieldOfficer,
    Role::Ministry,
];

fn refusal(r: &Refusal) -> Json {
    json!({
        "refusal": r,
        "code": r.code(),
        "id": r.message(Lang::Id),
        "en": r.message(Lang::En),
    })
}

fn decision(d: &Result<Decision, Refusal>) -> Json {
    match d {
        Ok(Decision::Apply { event, effects }) => json!({"event": event, "effects": effects}),
        Ok(Decision::AlreadyApplied { seq }) => json!({ "already": seq }),
        Err(r) => refusal(r),
    }
}

/// What the pages ask of the engine about `case`, for every role.
fn asked(def: &Definition, case: &Case) -> Json {
    let available: BTreeMap<&str, Vec<(&str, bool)>> = RECORDED_ROLES
        .iter()
        .map(|r| {
            (
                r.as_str(),
                engine::available(def, case, *r)
                    .map(|a| (a.id.as_str(), engine::weighty(def, a, &case.state)))
                    .collect(),
            )
        })
        .collect();
    json!({
        "available": available,
        "tranche_due": engine::tranche_due(def, case),
        "final": case.is_final(def),
        "monev_reported": case.monev_reported(),
        "tranches_reported": case.tranches_reported(),
    })
}

#[test]
fn the_shipped_simulations_decide_as_recorded() {
    let mut rec = Recorder::new("simulations");
    let mut defs = shipped();
    defs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut runs = 0;
    for def in &defs {
        let script = repo()
            .join("workflows/simulations")
            .join(format!("{}.toml", def.id));
        let Ok(text) = std::fs::read_to_string(&script) else {
            continue;
        };
        let plan = simulate::parse("script", &text).unwrap();
        let run = simulate::execute(def, &plan);
        runs += 1;
        for (at, outcome) in &run.outcomes {
            let outcome = match outcome {
                simulate::Outcome::Applied { event, effects } => {
                    json!({"event": event, "effects": effects})
                }
                simulate::Outcome::Duplicate { seq } => json!({ "already": seq }),
                simulate::Outcome::Refused { action, refusal: r } => {
                    json!({"action": action, "refused": refusal(r)})
                }
            };
            rec.record(&json!({"program": def.id, "at": at, "outcome": outcome}));
        }
        rec.record(&json!({"case": run.case, "unexpected": run.unexpected.len()}));
        if let Some(case) = &run.case {
            rec.record(&asked(def, case));
        }
        rec.record(&json!(simulate::render(def, &run, Lang::Id, Zone::Wib)));
        rec.record(&json!(simulate::render(def, &run, Lang::En, Zone::Wita)));
    }
    assert!(runs >= 6, "expected a simulation per shipped program");
    assert_eq!(rec.finish(), SIMULATIONS);
}

/// A small seeded generator (SplitMix64), so the mix never depends on a
/// library's sequence.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

const AMOUNTS: [i64; 7] = [
    0,
    1,
    49_999_999,
    50_000_000,
    150_000_000,
    333_333_333,
    4_924_000_000,
];

/// Inputs for `action`: mostly valid, sometimes missing, garbage or unknown.
fn inputs(def: &Definition, action: &Action, d: &mut Dice) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in def.inputs(action) {
        let dice = d.below(80);
        if dice == 0 {
            continue;
        }
        let text = match (dice, f.kind) {
            (1, _) => "??".to_string(),
            (2, _) => "   ".to_string(),
            (_, FieldType::Rupiah) => Rupiah::new(AMOUNTS[d.below(AMOUNTS.len())])
                .unwrap()
                .to_string(),
            (_, FieldType::Number) => ["7", "12.500", "2,5", "-3"][d.below(4)].to_string(),
            (_, FieldType::YesNo) => ["ya", "tidak", "Y", "0"][d.below(4)].to_string(),
            (_, FieldType::Choice) => f.options[d.below(f.options.len())].clone(),
            (_, FieldType::Date) => ["2026-03-01", "01/03/2026"][d.below(2)].to_string(),
            (_, FieldType::Gps) => [
                "-5.4292,105.2619",
                "-5.4300,105.2600",
                "-6.2000,106.8166",
                "91,0",
            ][d.below(4)]
            .to_string(),
            (_, FieldType::User) => ["dedi", "eko", "rina"][d.below(3)].to_string(),
            (_, FieldType::Text | FieldType::Document | FieldType::Photo) => {
                format!(" teks-{} ", d.below(5))
            }
        };
        out.insert(f.id.clone(), text);
    }
    if d.one_in(40) {
        out.insert("tidak_dikenal".into(), "x".into());
    }
    out
}

/// The stand-in facts, sometimes changed so that answers are refused or
/// evidence flagged.
fn facts(
    def: &Definition,
    cmd: &Command,
    now: chrono::DateTime<chrono::Utc>,
    d: &mut Dice,
) -> Facts {
    let mut f = Facts::stand_ins(def, cmd, now);
    if d.one_in(3) {
        f.registered = Some(GeoPoint::from_degrees(-5.4292, 105.2619).unwrap());
    }
    for p in &mut f.photos {
        match d.below(12) {
            0 => p.picture = false,
            1 => p.taken_at = None,
            2 => p.taken_at = Some(now - TimeDelta::days(30)),
            3 => p.used_in.push(Use {
                case_id: "LAIN-1".into(),
                region: Some("1871".into()),
                visit: 2,
                differs_bits: [None, Some(3), Some(9)][d.below(3)],
            }),
            _ => {}
        }
    }
    if d.one_in(15) {
        f.photos.pop();
    }
    for u in &mut f.users {
        match d.below(10) {
            0 => u.active = false,
            1 => u.sees_case = false,
            2 => u.role = Role::Verifier,
            _ => {}
        }
    }
    if d.one_in(15) {
        f.users.pop();
    }
    f
}

#[test]
fn seeded_random_commands_decide_as_recorded() {
    let mut rec = Recorder::new("random");
    let mut defs = shipped();
    defs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut d = Dice(22);
    let (mut applied, mut refused, mut again, mut flagged) = (0, 0, 0, 0);
    for def in &defs {
        for run in 0..120 {
            let mut now = t0() + TimeDelta::minutes(d.below(10_000) as i64);
            let opener = def.opened_by[d.below(def.opened_by.len())];
            let id = format!("G-{run}");
            let (mut case, first, effects) =
                engine::open(def, &id, "open", &cx(now, "rina", opener)).unwrap();
            rec.record(&json!({"open": first, "effects": effects, "case": case}));
            let by_officer = engine::open(def, &id, "x", &cx(now, "eko", Role::FieldOfficer));
            rec.record(&match &by_officer {
                Ok((c, e, fx)) => json!({"open": e, "effects": fx, "case": c}),
                Err(r) => refusal(r),
            });
            let mut last: Option<(Command, Role, String)> = None;
            let mut after_final = 0;
            for i in 0..d.below(90) {
                if case.is_final(def) {
                    after_final += 1;
                    if after_final > 2 {
                        break;
                    }
                }
                now += TimeDelta::minutes(d.below(30_000) as i64);
                let (mut cmd, role, user) = match &last {
                    Some(prev) if d.one_in(10) => prev.clone(),
                    _ => {
                        // Mostly onwards: an action that ends the case is taken one time in five.
                        let ending = d.one_in(5);
                        let mut available: Vec<&Action> = def
                            .actions_from(&case.state)
                            .filter(|a| {
                                !a.accepts_evidence || case.visit_awaiting_review().is_some()
                            })
                            .collect();
                        let onwards: Vec<&Action> = available
                            .iter()
                            .copied()
                            .filter(|a| {
                                !def.state(a.target(&case.state)).is_some_and(|s| s.is_final)
                            })
                            .collect();
                        if !ending && !onwards.is_empty() {
                            available = onwards;
                        }
                        let action = if d.one_in(20) || available.is_empty() {
                            &def.actions[d.below(def.actions.len())]
                        } else {
                            available[d.below(available.len())]
                        };
                        let role = if d.one_in(12) {
                            RECORDED_ROLES[d.below(RECORDED_ROLES.len())]
                        } else {
                            action.roles[d.below(action.roles.len())]
                        };
                        let user = match (&case.officer, d.below(6)) {
                            (_, 0) => "eko".to_string(),
                            (Some(o), _) if role == Role::FieldOfficer => o.clone(),
                            _ => "dedi".to_string(),
                        };
                        let mut cmd = Command {
                            observed_at: None,
                            key: format!("k{i}"),
                            action: action.id.clone(),
                            inputs: inputs(def, action, &mut d),
                        };
                        if d.one_in(60) {
                            cmd.action = "tidak_ada".into();
                        }
                        (cmd, role, user)
                    }
                };
                cmd.observed_at = match d.below(10) {
                    0 => Some(now - TimeDelta::minutes(d.below(20_000) as i64)),
                    1 => Some(now + TimeDelta::minutes(d.below(12) as i64)),
                    2 => Some(now - TimeDelta::seconds(30)),
                    _ => None,
                };
                let mut context = cx(now, &user, role);
                context.remaining_allocation = [
                    None,
                    Some(Rupiah::new(1_000_000_000).unwrap()),
                    Some(Rupiah::new(100_000_000).unwrap()),
                ][d.below(3)];
                context.evidence = facts(def, &cmd, now, &mut d);
                let decided = engine::decide(def, &case, &cmd, &context);
                let stepped = engine::step(def, &mut case, &cmd, &context);
                assert_eq!(decided, stepped, "decide and step disagree");
                match &decided {
                    Ok(Decision::Apply { event, .. }) => {
                        applied += 1;
                        flagged += usize::from(event.changes.iter().any(|c| {
                            matches!(c, pantau_workflow::Change::VisitCompleted { flags, .. } if !flags.is_empty())
                        }));
                    }
                    Ok(Decision::AlreadyApplied { .. }) => again += 1,
                    Err(_) => refused += 1,
                }
                rec.record(&json!({
                    "program": def.id,
                    "decision": decision(&decided),
                    "case": case,
                }));
                if d.one_in(4) {
                    rec.record(&asked(def, &case));
                }
                last = Some((cmd, role, user));
            }
            rec.record(&asked(def, &case));
        }
    }
    assert!(
        applied > 2000 && refused > 1000 && again > 100 && flagged > 50,
        "the mix exercises too little: {applied} applied, {refused} refused, {again} again, {flagged} flagged"
    );
    assert_eq!(rec.finish(), RANDOM);
}
