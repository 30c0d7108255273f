//! A definition's parts: its states with their reminders, its checklists
//! and their fields.

use chrono::TimeDelta;
use pantau_domain::Role;

use super::Lower;
use crate::definition::*;
use crate::syntax::*;
use crate::value::FieldType;

impl Lower<'_, '_, '_> {
    pub(super) fn state(&mut self, s: &RawState) -> State {
        self.ident(&s.id, "state id");
        State {
            id: s.id.get_ref().clone(),
            label: self.label(&s.label),
            is_final: s.is_final,
            reminders: s.reminders.iter().map(|r| self.reminder(r)).collect(),
        }
    }

    pub(super) fn reminder(&mut self, r: &RawReminder) -> ReminderRule {
        let to = self.role(&r.to);
        let template = self.template(&r.template);
        type MakeAnchor = fn(TimeDelta) -> Anchor;
        let anchors: Vec<(&S<String>, MakeAnchor)> = [
            (r.after_entered.as_ref(), Anchor::AfterEntered as MakeAnchor),
            (r.before_due.as_ref(), Anchor::BeforeDue),
            (r.after_due.as_ref(), Anchor::AfterDue),
        ]
        .into_iter()
        .filter_map(|(t, f)| t.map(|t| (t, f)))
        .collect();
        let anchor = match anchors.as_slice() {
            [(t, f)] => f(self.duration(t)),
            _ => {
                self.r.error(
                    r.to.span(),
                    "a reminder needs exactly one of after_entered, before_due or after_due",
                );
                Anchor::AfterEntered(TimeDelta::zero())
            }
        };
        let escalate = r
            .escalate
            .iter()
            .map(|e| Escalation {
                to: self.role(&e.to),
                after: self.duration(&e.after),
                template: e
                    .template
                    .as_ref()
                    .map_or_else(|| template.clone(), |t| self.template(t)),
            })
            .collect();
        ReminderRule {
            to,
            template,
            anchor,
            escalate,
        }
    }

    pub(super) fn checklist(&mut self, c: &RawChecklist) -> Checklist {
        self.ident(&c.id, "checklist id");
        if c.questions.is_empty() {
            self.r.error(
                c.id.span(),
                format!("checklist `{}` has no questions", c.id.get_ref()),
            );
        }
        self.unique(c.questions.iter().map(|q| &q.id), "question");
        Checklist {
            id: c.id.get_ref().clone(),
            label: self.label(&c.label),
            questions: c.questions.iter().map(|q| self.field(q)).collect(),
        }
    }

    pub(super) fn field(&mut self, f: &RawField) -> Field {
        self.ident(&f.id, "field id");
        let kind = FieldType::parse_name(f.kind.get_ref()).unwrap_or_else(|| {
            let names: Vec<_> = FieldType::ALL.iter().map(|t| t.as_str()).collect();
            self.r.error(
                f.kind.span(),
                format!(
                    "unknown answer type `{}` (known: {})",
                    f.kind.get_ref(),
                    names.join(", ")
                ),
            );
            FieldType::Text
        });
        let options: Vec<String> = f
            .options
            .as_ref()
            .map(|o| o.get_ref().iter().map(|s| s.get_ref().clone()).collect())
            .unwrap_or_default();
        match (&f.options, kind) {
            (Some(o), FieldType::Choice) if o.get_ref().is_empty() => {
                self.r.error(o.span(), "a choice needs at least one option")
            }
            (None, FieldType::Choice) => self.r.error(
                f.kind.span(),
                format!("choice `{}` needs options = [...]", f.id.get_ref()),
            ),
            (Some(o), k) if k != FieldType::Choice => {
                self.r.error(o.span(), "only a choice has options")
            }
            _ => {}
        }
        let role = match (&f.role, kind) {
            (Some(r), FieldType::User) => Some(self.role(r)),
            (None, FieldType::User) => Some(Role::FieldOfficer),
            (Some(r), _) => {
                self.r.error(r.span(), "only a user answer names a role");
                None
            }
            (None, _) => None,
        };
        Field {
            id: f.id.get_ref().clone(),
            kind,
            label: self.label(&f.label),
            required: f.required,
            options,
            role,
        }
    }
}
