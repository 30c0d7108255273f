//! Checks over the whole state machine: reachability, ways out, money.

use std::collections::BTreeSet;

use crate::definition::Definition;
use crate::diagnostic::Reporter;
use crate::syntax::RawDefinition;

/// Reports states that cannot be reached or cannot be left, and money
/// settings that do not fit together.
pub fn graph(def: &Definition, raw: &RawDefinition, r: &mut Reporter<'_>) {
    let span_of = |id: &str| {
        raw.states
            .iter()
            .find(|s| s.id.get_ref() == id)
            .map_or(0..0, |s| s.id.span())
    };

    if !def.states.iter().any(|s| s.is_final) {
        r.error(
            raw.initial.span(),
            "no state is final (mark the end states with final = true)",
        );
    }
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut todo = vec![def.initial.as_str()];
    while let Some(s) = todo.pop() {
        if !reached.insert(s) {
            continue;
        }
        todo.extend(def.actions_from(s).map(|a| a.target(s)));
    }
    for state in &def.states {
        let exits = def
            .actions_from(&state.id)
            .any(|a| a.target(&state.id) != state.id);
        if !reached.contains(state.id.as_str()) {
            r.error(
                span_of(&state.id),
                format!(
                    "state `{}` cannot be reached from `{}`",
                    state.id, def.initial
                ),
            );
        }
        if !state.is_final && !exits {
            r.error(
                span_of(&state.id),
                format!(
                    "state `{}` is not final but no action leads out of it",
                    state.id
                ),
            );
        }
        if state.is_final && def.actions_from(&state.id).next().is_some() {
            r.error(
                span_of(&state.id),
                format!("state `{}` is final but actions start from it", state.id),
            );
        }
    }

    let pays = raw.actions.iter().filter(|a| a.pays_tranche);
    match &raw.disbursement {
        None => {
            for a in pays {
                r.error(
                    a.id.span(),
                    format!(
                        "action `{}` pays a tranche but the program has no [disbursement]",
                        a.id.get_ref()
                    ),
                );
            }
        }
        Some(d) if raw.actions.iter().all(|a| !a.pays_tranche) => {
            r.error(
                d.tranches.span(),
                "the program has tranches but no action pays_tranche",
            );
        }
        Some(_) => {}
    }
    if let Some(d) = &raw.disbursement
        && d.monev_between_tranches
        && d.tranches.get_ref().len() > 1
    {
        for a in raw
            .actions
            .iter()
            .filter(|a| a.pays_tranche && a.schedules_visit.is_none())
        {
            r.error(a.id.span(), format!("action `{}` pays a tranche that needs a monev report before the next, so it must schedules_visit", a.id.get_ref()));
        }
    }
    if raw.disbursement.is_some() && raw.actions.iter().all(|a| a.approves.is_none()) {
        r.error(
            raw.id.span(),
            "the program pays tranches but no action approves an amount",
        );
    }
}
