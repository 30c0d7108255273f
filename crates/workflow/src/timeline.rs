//! Events, effects and cases as lines a person reads, shared by the
//! simulator and `pantau case show`.

use std::fmt::Write as _;

use pantau_domain::{Lang, Zone};

use crate::case::{Case, Change, Event};
use crate::definition::Definition;
use crate::effect::Effect;

/// `id (label)` of a state, or the bare id when the definition lacks it.
pub fn state(def: &Definition, id: &str, lang: Lang) -> String {
    def.state(id).map_or_else(
        || id.to_string(),
        |s| format!("{id} ({})", s.label.get(lang)),
    )
}

/// The event's header line and one line per recorded field.
pub fn event(def: &Definition, e: &Event, lang: Lang, zone: Zone) -> String {
    let mut out = String::new();
    let from = e
        .from
        .as_deref()
        .map(|f| format!("{} → ", state(def, f, lang)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}  #{} {}: {from}{}  [{} / {}]",
        zone.format_short(e.at),
        e.seq,
        e.action,
        state(def, &e.to, lang),
        e.actor.user,
        e.actor.role
    );
    for (k, v) in &e.fields {
        let _ = writeln!(out, "        {k} = {}", v.display());
    }
    for c in &e.changes {
        match c {
            Change::VisitCompleted { flags, .. } => {
                for f in flags {
                    let _ = writeln!(out, "        ! {}", f.message(lang, zone));
                }
            }
            Change::EvidenceAccepted { no } => {
                let what = match lang {
                    Lang::Id => format!("bukti kunjungan ke-{no} diterima"),
                    Lang::En => format!("evidence of visit {no} accepted"),
                };
                let _ = writeln!(out, "        ✓ {what}");
            }
            _ => {}
        }
    }
    out
}

pub fn effect(e: &Effect, zone: Zone) -> String {
    match e {
        Effect::ArmReminder(r) => {
            let step = if r.step > 0 {
                format!(", escalation {}", r.step)
            } else {
                String::new()
            };
            format!(
                "remind {} at {} ({}{step})",
                r.to,
                zone.format_short(r.fire_at),
                r.template
            )
        }
        Effect::DisarmReminders { entered_seq } => {
            format!("cancel reminders of the state entered at #{entered_seq}")
        }
        Effect::ScheduleVisit {
            no,
            checklist,
            due_at,
            tranche,
        } => {
            let tranche = tranche
                .map(|t| format!(" for tranche {t}"))
                .unwrap_or_default();
            format!(
                "monev visit {no} ({checklist}) due {}{tranche}",
                zone.format_short(*due_at)
            )
        }
        Effect::CompleteVisit { no } => format!("monev visit {no} done"),
        Effect::PayTranche { no, amount } => format!("pay tranche {no}: {amount}"),
        Effect::Notify { to, template, .. } => format!("email {to} now ({template})"),
        Effect::RecordYear { year, figures } => {
            format!(
                "record the beneficiary's {year} ({} answers)",
                figures.len()
            )
        }
    }
}

/// Where the case stands and where its money is.
pub fn summary(def: &Definition, case: &Case, lang: Lang) -> String {
    format!(
        "{}; approved {}; disbursed {} in {} tranche(s); visits done {}/{}",
        state(def, &case.state, lang),
        case.approved
            .map_or_else(|| "-".to_string(), |a| a.to_string()),
        case.disbursed(),
        case.tranches.len(),
        case.visits.iter().filter(|v| v.done_at.is_some()).count(),
        case.visits.len()
    )
}
