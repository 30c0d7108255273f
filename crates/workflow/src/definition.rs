//! A checked workflow definition: every name resolves, every duration parsed.

use chrono::TimeDelta;
use pantau_domain::{Label, Role};
use serde::Serialize;

use crate::value::FieldType;

/// One aid program's state machine, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub id: String,
    pub version: u32,
    pub label: Label,
    pub beneficiary: Beneficiary,
    pub initial: String,
    pub opened_by: Vec<Role>,
    pub reminder_schedule: Option<String>,
    pub disbursement: Option<Disbursement>,
    pub states: Vec<State>,
    pub actions: Vec<Action>,
    pub checklists: Vec<Checklist>,
    /// How a monev visit's evidence is judged.
    pub evidence: crate::evidence::Rules,
    /// Which action and states the reports count as each stage.
    pub stages: Stages,
}

/// The stages a report counts, as the program names them (`[stages]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stages {
    /// The action that submits a proposal: a case with such an event was proposed.
    pub proposal: String,
    /// The state that means verified: a case that entered it was verified.
    pub verified: String,
    /// The state that means rejected: a case in it was rejected.
    pub rejected: String,
    /// The actions that approve money: each sets the approved amount, under
    /// the `within_allocation` guard. Empty for a program that pays nothing.
    pub approval: Vec<String>,
}

impl Stages {
    /// The ids every definition shared before stages were declared, for a
    /// pinned text that declares none: `submit`, `verified`, `rejected`,
    /// and the actions that approve an amount.
    pub fn convention(actions: &[Action]) -> Stages {
        Stages {
            proposal: "submit".into(),
            verified: "verified".into(),
            rejected: "rejected".into(),
            approval: actions
                .iter()
                .filter(|a| a.approves.is_some())
                .map(|a| a.id.clone())
                .collect(),
        }
    }
}

/// Who a case of this program is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Beneficiary {
    Cooperative,
    Umkm,
    Pkl,
    Entrepreneur,
    /// A kabupaten/kota or province itself (a market, a PLUT).
    Region,
}

impl Beneficiary {
    pub const NAMES: [(&'static str, Beneficiary); 5] = [
        ("cooperative", Beneficiary::Cooperative),
        ("umkm", Beneficiary::Umkm),
        ("pkl", Beneficiary::Pkl),
        ("entrepreneur", Beneficiary::Entrepreneur),
        ("region", Beneficiary::Region),
    ];

    /// The name a definition file and the registry's `kind` use.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("region", |(n, _)| n)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disbursement {
    /// Percent per tranche; sums to 100.
    pub tranches: Vec<u8>,
    pub monev_between_tranches: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    pub id: String,
    pub label: Label,
    pub is_final: bool,
    pub reminders: Vec<ReminderRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderRule {
    pub to: Role,
    pub template: String,
    pub anchor: Anchor,
    /// Later steps, each relative to the one before.
    pub escalate: Vec<Escalation>,
}

/// What a reminder's time is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    AfterEntered(TimeDelta),
    BeforeDue(TimeDelta),
    AfterDue(TimeDelta),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub to: Role,
    pub after: TimeDelta,
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: String,
    pub label: Label,
    pub from: Vec<String>,
    /// `None`: the case stays where it is.
    pub to: Option<String>,
    pub roles: Vec<Role>,
    pub fields: Vec<Field>,
    pub checklist: Option<String>,
    pub guards: Vec<Guard>,
    pub requests: Option<String>,
    pub approves: Option<String>,
    pub by_decree: bool,
    pub revokes_approval: bool,
    pub pays_tranche: bool,
    pub schedules_visit: Option<VisitRule>,
    pub completes_visit: bool,
    /// A verifier accepts a visit's flagged evidence (the built-in `accept_evidence`).
    pub accepts_evidence: bool,
    pub assigns_officer: Option<String>,
    /// The case's answers become the beneficiary's record of the year
    /// held by this number field (`Effect::RecordYear`).
    pub records_year: Option<String>,
    pub notify: Vec<Notify>,
}

impl Action {
    /// Where taking this action from `state` leads.
    pub fn target<'a>(&'a self, state: &'a str) -> &'a str {
        self.to.as_deref().unwrap_or(state)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRule {
    pub checklist: String,
    pub due_after: TimeDelta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notify {
    pub to: Role,
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub id: String,
    pub label: Label,
    pub questions: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub id: String,
    pub kind: FieldType,
    pub label: Label,
    pub required: bool,
    pub options: Vec<String>,
    /// For a `user` answer: the role the user named must hold (default the field officer).
    pub role: Option<Role>,
}

impl Field {
    /// A text answer that names or numbers something (a reference such as
    /// the SP2D number, an account, a letter, a NIK, a name) is one line;
    /// prose (reasons, notes, findings, addresses) is a box of lines. The
    /// rule reads the field's id, so pinned definitions need no change.
    pub fn one_line(&self) -> bool {
        const SUFFIXES: [&str; 5] = ["_ref", "_number", "_name", "_account", "_letter"];
        self.kind == crate::FieldType::Text
            && (SUFFIXES.iter().any(|s| self.id.ends_with(s))
                || matches!(self.id.as_str(), "nik" | "nik_koperasi"))
    }
}

/// A condition an action checks before it is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// The approved amount is at most the requested amount.
    WithinRequested,
    /// The approved amount is at most the region's remaining allocation.
    WithinAllocation,
    /// Every monev visit scheduled so far has its report.
    MonevReported,
    /// Some tranche is still unpaid.
    TranchesRemaining,
    /// Every tranche is paid.
    AllTranchesPaid,
    /// A field officer is assigned to the case.
    OfficerAssigned,
}

impl Guard {
    pub const NAMES: [(&'static str, Guard); 6] = [
        ("within_requested", Guard::WithinRequested),
        ("within_allocation", Guard::WithinAllocation),
        ("monev_reported", Guard::MonevReported),
        ("tranches_remaining", Guard::TranchesRemaining),
        ("all_tranches_paid", Guard::AllTranchesPaid),
        ("officer_assigned", Guard::OfficerAssigned),
    ];

    pub fn as_str(self) -> &'static str {
        Guard::NAMES
            .iter()
            .find(|(_, g)| *g == self)
            .map_or("?", |(n, _)| n)
    }
}

impl Definition {
    pub fn state(&self, id: &str) -> Option<&State> {
        self.states.iter().find(|s| s.id == id)
    }

    pub fn action(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn checklist(&self, id: &str) -> Option<&Checklist> {
        self.checklists.iter().find(|c| c.id == id)
    }

    /// The actions that can be taken from `state`, in file order.
    pub fn actions_from<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a Action> + 'a {
        self.actions
            .iter()
            .filter(move |a| a.from.iter().any(|f| f == state))
    }

    /// Every input an action takes: its own fields, then its checklist's questions.
    pub fn inputs<'a>(&'a self, action: &'a Action) -> impl Iterator<Item = &'a Field> + 'a {
        let (own, questions) = self.input_parts(action);
        own.iter().chain(questions)
    }

    /// An action's own fields and its checklist's questions: [`Self::inputs`] in two slices.
    pub fn input_parts<'a>(&'a self, action: &'a Action) -> (&'a [Field], &'a [Field]) {
        let questions = action
            .checklist
            .as_deref()
            .and_then(|c| self.checklist(c))
            .map_or(&[][..], |c| c.questions.as_slice());
        (&action.fields, questions)
    }

    pub fn tranche_count(&self) -> usize {
        self.disbursement.as_ref().map_or(0, |d| d.tranches.len())
    }
}
