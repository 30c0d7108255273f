//! Runs a scripted list of commands through the engine in memory, so a
//! definition can be tried before any database exists.
//!
//! A script is TOML:
//!
//! ```toml
//! start = "2026-01-05T08:00:00+07:00"
//! allocation = "Rp 1.000.000.000"   # optional: the region's remaining allocation
//!
//! [[steps]]
//! action = "open"                   # the first step opens the case
//! role = "manager_regency"
//! user = "rina"
//!
//! [[steps]]
//! after = "1d"                      # time since the previous step
//! action = "submit"
//! role = "manager_regency"
//! inputs = { amount_requested = "Rp 250.000.000", proposal_doc = "usulan.pdf" }
//! expect = "applied"                # optional: applied, refused or duplicate
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::{Lang, Role, Rupiah, Zone};
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::case::{Actor, Case, Event};
use crate::definition::Definition;
use crate::diagnostic::{Diagnostic, Reporter};
use crate::effect::Effect;
use crate::engine::{self, Command, Context, Decision};
use crate::refusal::Refusal;
use crate::timeline;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    start: Spanned<String>,
    allocation: Option<Spanned<String>>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    action: Spanned<String>,
    role: Spanned<String>,
    user: Option<String>,
    after: Option<Spanned<String>>,
    key: Option<String>,
    #[serde(default)]
    inputs: BTreeMap<String, toml::Value>,
    expect: Option<Spanned<String>>,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied { event: Event, effects: Vec<Effect> },
    Duplicate { seq: u64 },
    Refused { action: String, refusal: Refusal },
}

impl Outcome {
    fn word(&self) -> &'static str {
        match self {
            Outcome::Applied { .. } => "applied",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Refused { .. } => "refused",
        }
    }
}

/// The run: every step's outcome, the case at the end, and any step whose
/// `expect` did not hold.
#[derive(Debug, Clone)]
pub struct Run {
    pub outcomes: Vec<(DateTime<Utc>, Outcome)>,
    pub case: Option<Case>,
    pub unexpected: Vec<Diagnostic>,
}

/// A checked script, ready to run any number of times.
#[derive(Debug, Clone)]
pub struct Plan {
    start: DateTime<Utc>,
    allocation: Option<Rupiah>,
    steps: Vec<PlannedStep>,
}

#[derive(Debug, Clone)]
struct PlannedStep {
    after: TimeDelta,
    actor: Actor,
    /// The step's command, built once: a plan may be run many times.
    command: Command,
    /// The expected outcome and where the script says so.
    expect: Option<(String, Diagnostic)>,
}

/// Reads and checks the script `source` (named `file` in messages).
pub fn parse(file: &str, source: &str) -> Result<Plan, Vec<Diagnostic>> {
    let mut r = Reporter::new(file, source);
    let script: Script = match toml::from_str(source) {
        Ok(s) => s,
        Err(e) => {
            r.error(e.span().unwrap_or(0..0), e.message().trim());
            return Err(r.diagnostics);
        }
    };
    let start = DateTime::parse_from_rfc3339(script.start.get_ref())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| {
            r.error(
                script.start.span(),
                "start must be an RFC 3339 time, e.g. 2026-01-05T08:00:00+07:00",
            );
            DateTime::<Utc>::MIN_UTC
        });
    let allocation = script.allocation.as_ref().and_then(|a| {
        Rupiah::parse(a.get_ref())
            .map_err(|e| r.error(a.span(), format!("allocation: {e}")))
            .ok()
    });
    let mut steps = Vec::new();
    for (i, step) in script.steps.iter().enumerate() {
        let role: Option<Role> = step
            .role
            .get_ref()
            .parse()
            .map_err(|e: pantau_domain::UnknownRole| r.error(step.role.span(), e.to_string()))
            .ok();
        let after = step.after.as_ref().map_or(Some(TimeDelta::zero()), |a| {
            let d = humantime::parse_duration(a.get_ref())
                .ok()
                .and_then(|d| TimeDelta::from_std(d).ok());
            if d.is_none() {
                r.error(a.span(), format!("bad duration `{}`", a.get_ref()));
            }
            d
        });
        let expect = step.expect.as_ref().map(|e| {
            if !["applied", "refused", "duplicate"].contains(&e.get_ref().as_str()) {
                r.error(e.span(), "expect must be applied, refused or duplicate");
            }
            let mut at = Reporter::new(file, source);
            at.error(e.span(), String::new());
            (e.get_ref().clone(), at.diagnostics.remove(0))
        });
        if i == 0 && step.action.get_ref() != "open" {
            r.error(
                step.action.span(),
                "the first step must open the case (action = \"open\")",
            );
        }
        if let (Some(role), Some(after)) = (role, after) {
            steps.push(PlannedStep {
                after,
                actor: Actor {
                    user: step
                        .user
                        .clone()
                        .unwrap_or_else(|| role.as_str().to_string()),
                    role,
                },
                command: Command {
                    key: step
                        .key
                        .clone()
                        .unwrap_or_else(|| format!("step-{}", i + 1)),
                    action: step.action.get_ref().clone(),
                    inputs: step
                        .inputs
                        .iter()
                        .map(|(k, v)| (k.clone(), toml_text(v)))
                        .collect(),
                    observed_at: None,
                },
                expect,
            });
        }
    }
    if r.has_errors() {
        Err(r.diagnostics)
    } else {
        Ok(Plan {
            start,
            allocation,
            steps,
        })
    }
}

/// Runs a checked script against `def`, in memory.
pub fn execute(def: &Definition, plan: &Plan) -> Run {
    let mut now = plan.start;
    let mut case: Option<Case> = None;
    let mut outcomes = Vec::with_capacity(plan.steps.len());
    let mut unexpected = Vec::new();
    let mut cx = Context {
        now,
        actor: Actor {
            user: String::new(),
            role: Role::FieldOfficer,
        },
        remaining_allocation: plan.allocation,
        evidence: Default::default(),
    };
    for step in &plan.steps {
        now += step.after;
        cx.now = now;
        cx.actor.user.clone_from(&step.actor.user);
        cx.actor.role = step.actor.role;
        let outcome = match &mut case {
            None => match engine::open(def, "SIM-1", &step.command.key, &cx) {
                Ok((c, event, effects)) => {
                    case = Some(c);
                    Outcome::Applied { event, effects }
                }
                Err(refusal) => Outcome::Refused {
                    action: "open".into(),
                    refusal,
                },
            },
            Some(c) => {
                let cmd = &step.command;
                // A photo named in the script stands for a picture taken there and then,
                // a user named for an active user of the field's role in the region.
                cx.evidence = crate::evidence::Facts::stand_ins(def, cmd, now);
                match engine::step(def, c, cmd, &cx) {
                    Ok(Decision::Apply { event, effects }) => Outcome::Applied { event, effects },
                    Ok(Decision::AlreadyApplied { seq }) => Outcome::Duplicate { seq },
                    Err(refusal) => Outcome::Refused {
                        action: cmd.action.clone(),
                        refusal,
                    },
                }
            }
        };
        if let Some((want, at)) = &step.expect
            && want != outcome.word()
        {
            unexpected.push(Diagnostic {
                message: format!("expected {want}, but the step was {}", outcome.word()),
                ..at.clone()
            });
        }
        outcomes.push((now, outcome));
    }
    Run {
        outcomes,
        case,
        unexpected,
    }
}

/// Parses and runs `source` against `def`.
pub fn run(def: &Definition, file: &str, source: &str) -> Result<Run, Vec<Diagnostic>> {
    parse(file, source).map(|plan| execute(def, &plan))
}

fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The run as a timeline a person reads.
pub fn render(def: &Definition, run: &Run, lang: Lang, zone: Zone) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} v{}: {}", def.id, def.version, def.label.get(lang));
    for (at, outcome) in &run.outcomes {
        match outcome {
            Outcome::Applied { event, effects } => {
                out.push_str(&timeline::event(def, event, lang, zone));
                for e in effects {
                    let _ = writeln!(out, "        → {}", timeline::effect(e, zone));
                }
            }
            Outcome::Duplicate { seq } => {
                let _ = writeln!(
                    out,
                    "{}  (duplicate of #{seq}: nothing changed)",
                    zone.format_short(*at)
                );
            }
            Outcome::Refused { action, refusal } => {
                let _ = writeln!(
                    out,
                    "{}  REFUSED {action} [{}]: {}",
                    zone.format_short(*at),
                    refusal.code(),
                    refusal.message(lang)
                );
            }
        }
    }
    if let Some(case) = &run.case {
        let _ = writeln!(out, "end: {}", timeline::summary(def, case, lang));
    }
    out
}
