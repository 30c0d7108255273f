//! From the file as written to a checked [`Definition`], collecting every problem.

use std::collections::{BTreeSet, HashMap};

use chrono::TimeDelta;
use pantau_domain::{Label, Role};

use crate::definition::*;
use crate::diagnostic::Reporter;
use crate::schedule;
use crate::syntax::*;
use crate::value::FieldType;

mod evidence;
mod parts;
mod stages;

pub use stages::Reading;

/// What a definition may refer to outside itself.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Names of the email templates that exist (e.g. `proposal_waiting`).
    pub templates: BTreeSet<String>,
}

/// Checks `raw` and builds the definition; problems go to `r`.
pub fn lower(
    raw: &RawDefinition,
    known: &Known,
    reading: Reading,
    r: &mut Reporter<'_>,
) -> Option<Definition> {
    let mut cx = Lower { known, reading, r };
    let def = cx.definition(raw);
    // Graph checks on a definition with broken names would only repeat them.
    if !cx.r.has_errors() {
        crate::check::graph(&def, raw, cx.r);
    }
    (!cx.r.has_errors()).then_some(def)
}

struct Lower<'k, 'r, 'a> {
    known: &'k Known,
    reading: Reading,
    r: &'r mut Reporter<'a>,
}

impl Lower<'_, '_, '_> {
    fn definition(&mut self, raw: &RawDefinition) -> Definition {
        self.ident(&raw.id, "workflow id");
        let version = u32::try_from(*raw.version.get_ref())
            .ok()
            .filter(|v| *v >= 1)
            .unwrap_or_else(|| {
                self.r.error(
                    raw.version.span(),
                    "version must be a whole number from 1 up",
                );
                1
            });
        let beneficiary = Beneficiary::NAMES
            .iter()
            .find(|(n, _)| n == raw.beneficiary.get_ref())
            .map(|(_, b)| *b);
        let beneficiary = beneficiary.unwrap_or_else(|| {
            let names: Vec<_> = Beneficiary::NAMES.iter().map(|(n, _)| *n).collect();
            self.r.error(
                raw.beneficiary.span(),
                format!(
                    "unknown beneficiary `{}` (known: {})",
                    raw.beneficiary.get_ref(),
                    names.join(", ")
                ),
            );
            Beneficiary::Region
        });
        if let Some(cron) = &raw.reminder_schedule
            && let Err(e) = schedule::parse(cron.get_ref())
        {
            self.r.error(cron.span(), e);
        }
        let checklists: Vec<Checklist> = raw.checklists.iter().map(|c| self.checklist(c)).collect();
        self.unique(raw.checklists.iter().map(|c| &c.id), "checklist");
        let states: Vec<State> = raw.states.iter().map(|s| self.state(s)).collect();
        self.unique(raw.states.iter().map(|s| &s.id), "state");
        let state_ids: BTreeSet<&str> = states.iter().map(|s| s.id.as_str()).collect();
        let checklist_ids: BTreeSet<&str> = checklists.iter().map(|c| c.id.as_str()).collect();
        self.state_ref(&raw.initial, &state_ids);
        let mut actions: Vec<Action> = raw
            .actions
            .iter()
            .map(|a| self.action(a, &state_ids, &checklist_ids))
            .collect();
        self.unique(raw.actions.iter().map(|a| &a.id), "action");
        let evidence = self.evidence(raw.evidence.as_ref());
        if let Some(a) = raw
            .actions
            .iter()
            .find(|a| a.id.get_ref() == crate::evidence::ACCEPT_ACTION)
        {
            self.r.error(
                a.id.span(),
                format!(
                    "action id `{}` is Pantau's own (a verifier accepting a flagged visit); choose another",
                    a.id.get_ref()
                ),
            );
        }
        if actions.iter().any(|a| a.completes_visit) {
            actions.push(evidence::accept_action(&evidence, &states));
        }
        for name in raw.actions.iter().filter_map(|a| a.records_year.as_ref()) {
            let number = actions
                .iter()
                .flat_map(|a| &a.fields)
                .any(|f| &f.id == name.get_ref() && f.kind == FieldType::Number);
            if !number {
                self.r.error(
                    name.span(),
                    format!(
                        "`{}` is not a number field of any action (records_year names the field holding the year)",
                        name.get_ref()
                    ),
                );
            }
        }
        let stages = stages::stages(raw, &actions, &state_ids, self.reading, self.r);
        let disbursement = raw.disbursement.as_ref().map(|d| self.disbursement(d));
        if raw.opened_by.get_ref().is_empty() {
            self.r.error(
                raw.opened_by.span(),
                "opened_by names no role that may open a case",
            );
        }
        let opened_by = raw
            .opened_by
            .get_ref()
            .iter()
            .map(|r| self.role(r))
            .collect();
        Definition {
            id: raw.id.get_ref().clone(),
            version,
            label: self.label(&raw.label),
            beneficiary,
            initial: raw.initial.get_ref().clone(),
            opened_by,
            reminder_schedule: raw.reminder_schedule.as_ref().map(|c| c.get_ref().clone()),
            disbursement,
            states,
            actions,
            checklists,
            evidence,
            stages,
        }
    }

    fn ident(&mut self, id: &S<String>, what: &str) {
        let s = id.get_ref();
        let ok = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && s.as_bytes()[0].is_ascii_lowercase();
        if !ok {
            self.r.error(
                id.span(),
                format!(
                    "{what} `{s}` must be lowercase letters, digits and _, starting with a letter"
                ),
            );
        }
    }

    fn unique<'x>(&mut self, ids: impl Iterator<Item = &'x S<String>>, what: &str) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for id in ids {
            if let Some(first) = seen.get(id.get_ref().as_str()) {
                let (line, _) = crate::diagnostic::line_col(self.source(), *first);
                self.r.error(
                    id.span(),
                    format!(
                        "duplicate {what} `{}` (first defined on line {line})",
                        id.get_ref()
                    ),
                );
            } else {
                seen.insert(id.get_ref(), id.span().start);
            }
        }
    }

    fn source(&self) -> &str {
        self.r.source()
    }

    fn label(&mut self, l: &RawLabel) -> Label {
        for text in [&l.id, &l.en] {
            if text.get_ref().trim().is_empty() {
                self.r.error(text.span(), "label text must not be empty");
            }
        }
        Label::new(l.id.get_ref().clone(), l.en.get_ref().clone())
    }

    fn role(&mut self, name: &S<String>) -> Role {
        name.get_ref()
            .parse()
            .unwrap_or_else(|e: pantau_domain::UnknownRole| {
                self.r.error(name.span(), e.to_string());
                Role::Admin
            })
    }

    fn template(&mut self, name: &S<String>) -> String {
        if !self.known.templates.contains(name.get_ref()) {
            let known: Vec<&str> = self.known.templates.iter().map(String::as_str).collect();
            self.r.error(
                name.span(),
                format!(
                    "unknown template `{}` (known: {})",
                    name.get_ref(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        name.get_ref().clone()
    }

    fn duration(&mut self, text: &S<String>) -> TimeDelta {
        match humantime::parse_duration(text.get_ref())
            .ok()
            .and_then(|d| TimeDelta::from_std(d).ok())
        {
            Some(d) => d,
            None => {
                self.r.error(
                    text.span(),
                    format!("bad duration `{}` (write e.g. 7d, 36h, 2w)", text.get_ref()),
                );
                TimeDelta::zero()
            }
        }
    }

    fn state_ref(&mut self, name: &S<String>, states: &BTreeSet<&str>) {
        if !states.contains(name.get_ref().as_str()) {
            let hint = closest(name.get_ref(), states.iter().copied())
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            self.r.error(
                name.span(),
                format!("unknown state `{}`{hint}", name.get_ref()),
            );
        }
    }

    fn action(
        &mut self,
        a: &RawAction,
        states: &BTreeSet<&str>,
        checklists: &BTreeSet<&str>,
    ) -> Action {
        self.ident(&a.id, "action id");
        for s in a.from.get_ref().iter().chain(a.to.iter()) {
            self.state_ref(s, states);
        }
        if a.from.get_ref().is_empty() {
            self.r.error(
                a.from.span(),
                format!("action `{}` starts from no state", a.id.get_ref()),
            );
        }
        if a.roles.get_ref().is_empty() {
            self.r.error(
                a.roles.span(),
                format!("action `{}` names no role that may take it", a.id.get_ref()),
            );
        }
        let roles = a.roles.get_ref().iter().map(|r| self.role(r)).collect();
        let fields: Vec<Field> = a.fields.iter().map(|f| self.field(f)).collect();
        self.unique(a.fields.iter().map(|f| &f.id), "field");
        if let Some(c) = &a.checklist {
            self.checklist_ref(c, checklists);
        }
        let guards = a.guards.iter().filter_map(|g| self.guard(g)).collect();
        for (attr, kind) in [
            (&a.requests, FieldType::Rupiah),
            (&a.approves, FieldType::Rupiah),
            (&a.assigns_officer, FieldType::User),
        ] {
            if let Some(name) = attr
                && !fields
                    .iter()
                    .any(|f| &f.id == name.get_ref() && f.kind == kind)
            {
                self.r.error(
                    name.span(),
                    format!(
                        "`{}` is not a {} field of this action",
                        name.get_ref(),
                        kind.as_str()
                    ),
                );
            }
        }
        if a.by_decree {
            for (name, kind) in [
                ("decree_number", FieldType::Text),
                ("decree_date", FieldType::Date),
            ] {
                if !fields.iter().any(|f| f.id == name && f.kind == kind) {
                    self.r.error(
                        a.id.span(),
                        format!(
                            "action `{}` is taken by decree, so it needs a {} field `{name}`",
                            a.id.get_ref(),
                            kind.as_str()
                        ),
                    );
                }
            }
        }
        let schedules_visit = a.schedules_visit.as_ref().map(|v| {
            self.checklist_ref(&v.checklist, checklists);
            VisitRule {
                checklist: v.checklist.get_ref().clone(),
                due_after: self.duration(&v.due_after),
            }
        });
        if a.completes_visit && a.checklist.is_none() {
            self.r.error(
                a.id.span(),
                format!(
                    "action `{}` completes a visit, so it needs a checklist",
                    a.id.get_ref()
                ),
            );
        }
        Action {
            id: a.id.get_ref().clone(),
            label: self.label(&a.label),
            from: a
                .from
                .get_ref()
                .iter()
                .map(|s| s.get_ref().clone())
                .collect(),
            to: a.to.as_ref().map(|s| s.get_ref().clone()),
            roles,
            fields,
            checklist: a.checklist.as_ref().map(|c| c.get_ref().clone()),
            guards,
            requests: a.requests.as_ref().map(|s| s.get_ref().clone()),
            approves: a.approves.as_ref().map(|s| s.get_ref().clone()),
            by_decree: a.by_decree,
            revokes_approval: a.revokes_approval,
            pays_tranche: a.pays_tranche,
            schedules_visit,
            completes_visit: a.completes_visit,
            accepts_evidence: false,
            assigns_officer: a.assigns_officer.as_ref().map(|s| s.get_ref().clone()),
            records_year: a.records_year.as_ref().map(|s| s.get_ref().clone()),
            notify: a
                .notify
                .iter()
                .map(|n| Notify {
                    to: self.role(&n.to),
                    template: self.template(&n.template),
                })
                .collect(),
        }
    }

    fn checklist_ref(&mut self, name: &S<String>, checklists: &BTreeSet<&str>) {
        if !checklists.contains(name.get_ref().as_str()) {
            self.r.error(
                name.span(),
                format!("unknown checklist `{}`", name.get_ref()),
            );
        }
    }

    fn guard(&mut self, name: &S<String>) -> Option<Guard> {
        let found = Guard::NAMES
            .iter()
            .find(|(n, _)| n == name.get_ref())
            .map(|(_, g)| *g);
        if found.is_none() {
            let names: Vec<_> = Guard::NAMES.iter().map(|(n, _)| *n).collect();
            self.r.error(
                name.span(),
                format!(
                    "unknown guard `{}` (known: {})",
                    name.get_ref(),
                    names.join(", ")
                ),
            );
        }
        found
    }

    fn disbursement(&mut self, d: &RawDisbursement) -> Disbursement {
        let mut tranches = Vec::new();
        for p in d.tranches.get_ref() {
            match u8::try_from(*p.get_ref())
                .ok()
                .filter(|p| (1..=100).contains(p))
            {
                Some(v) => tranches.push(v),
                None => self.r.error(
                    p.span(),
                    format!(
                        "tranche percentage {} must lie between 1 and 100",
                        p.get_ref()
                    ),
                ),
            }
        }
        let sum: i64 = d.tranches.get_ref().iter().map(|p| *p.get_ref()).sum();
        if sum != 100 {
            self.r.error(
                d.tranches.span(),
                format!("tranche percentages sum to {sum}, not 100"),
            );
        }
        Disbursement {
            tranches,
            monev_between_tranches: d.monev_between_tranches,
        }
    }
}

/// The known name nearest to `name`, when it is a likely typo.
fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}
