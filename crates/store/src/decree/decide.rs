//! Deciding a batch of a decree's lines without the database: everything
//! it needs was read before, so it runs on a blocking thread while the
//! batch before it is written.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pantau_domain::{Lang, Role, Rupiah};
use pantau_workflow::{Case, Command, Context, Decision, Definition, Effect, engine};

use super::{Change, DecreeLine, ItemOutcome, NewDecree, Schedule};
use crate::StoreError;
use crate::cases::write::Writes;
use crate::schema::entity::case;

/// One line of the decree with what was read for it.
#[derive(Debug)]
pub(super) struct Line {
    /// The line's place in the decree's list, from 1.
    pub no: usize,
    pub line: DecreeLine,
    /// The case row and its definition; `None` when there is no such case.
    pub case: Option<(case::Model, Option<Arc<Definition>>)>,
    /// The number of the decree that approved the case, when one did.
    pub approved_by: Option<String>,
}

/// What a batch decided: its writes, its items, and how it leaves the
/// regions' allocations.
#[derive(Debug, Default)]
pub(super) struct Decided {
    pub writes: Writes,
    pub items: Vec<ItemOutcome>,
    pub done: usize,
    pub refused: Vec<(String, String)>,
    /// Rupiah left per region after the batch.
    pub remaining: BTreeMap<String, Rupiah>,
    /// (region, role) of every case the batch took or refused: who hears of the decree.
    pub notices: BTreeSet<(String, Role)>,
}

/// Decides `lines` in order; `remaining` is what each region has left
/// before the first of them.
pub(super) fn decide(
    d: &NewDecree,
    lines: Vec<Line>,
    remaining: BTreeMap<String, Rupiah>,
    cx: &Context,
) -> Result<Decided, StoreError> {
    let mut out = Decided {
        remaining,
        ..Decided::default()
    };
    for Line {
        no,
        line,
        case,
        approved_by,
    } in lines
    {
        let known = case.is_some();
        let (region, beneficiary_id) = case
            .as_ref()
            .map(|(row, _)| (row.region.clone(), row.beneficiary_id.clone()))
            .unwrap_or_default();
        let mut schedule = line.tranches.as_ref().map(Schedule::to_string);
        let outcome = match case {
            None => Err(format!("kasus {} tidak ada (no such case)", line.case_id)),
            Some((row, _)) if row.program_id.as_deref() != Some(d.program_id.as_str()) => {
                Err(format!(
                    "kasus ini bukan bagian program {} (case belongs to another program)",
                    d.program_id
                ))
            }
            Some((row, None)) => Err(format!(
                "alur {} v{} tidak dimuat (workflow not loaded)",
                row.workflow, row.workflow_version
            )),
            Some((row, Some(def))) => {
                let region = row.region.clone().unwrap_or_default();
                out.notices
                    .extend(notified(&def).map(|role| (region.clone(), role)));
                if line.change != Change::Remove && schedule.is_none() {
                    schedule = program_schedule(&def).map(|s| s.to_string());
                }
                let left = out.remaining.get(&region).copied().unwrap_or(Rupiah::ZERO);
                let may = may_change(d, &row, &line, approved_by.as_deref());
                may.and_then(|()| decide_line(d, &def, &line, no, &row, left, cx, &mut out.writes))
                    .map(|(word, left)| {
                        out.remaining.insert(region, left);
                        word
                    })
            }
        };
        let (word, reason) = match outcome {
            Ok(word) => {
                out.done += 1;
                (word, None)
            }
            Err(reason) => {
                out.refused.push((line.case_id.clone(), reason.clone()));
                ("refused", Some(reason))
            }
        };
        // A line naming no case stays in the report only: its item could not reference it.
        if known {
            out.items.push(ItemOutcome {
                case_id: line.case_id.clone(),
                region,
                beneficiary_id,
                line_no: no,
                change: line.change.as_str().to_string(),
                amount: line.amount.map(Rupiah::get),
                tranches: schedule,
                outcome: word.to_string(),
                reason,
            });
        }
    }
    Ok(out)
}

/// A decree changes only what it names: a decree that amends none approves
/// cases not yet approved and nothing else; an amending decree (SK
/// perubahan) changes, withdraws or re-approves only cases approved by the
/// decree it amends (and may add new ones).
fn may_change(
    d: &NewDecree,
    row: &case::Model,
    line: &DecreeLine,
    approved_by: Option<&str>,
) -> Result<(), String> {
    let approved = row.approved_amount.is_some();
    let by = || {
        approved_by.map_or_else(
            || ("tanpa SK".to_string(), "without a decree".to_string()),
            |n| (format!("dengan SK {n}"), format!("by decree {n}")),
        )
    };
    match (&d.amends, line.change) {
        (None, Change::Approve) if approved => {
            let (id, en) = by();
            Err(format!(
                "kasus ini sudah disetujui {id}; hanya SK perubahan atas SK itu yang dapat mengubahnya (already approved {en}; only an amending decree of that decree can change it)"
            ))
        }
        (None, Change::Amount | Change::Remove) => Err(
            "hanya SK perubahan yang dapat mengubah jumlah atau mencabut persetujuan; sebutkan SK yang diubah (only an amending decree changes an amount or withdraws an approval; name the decree it amends)"
                .to_string(),
        ),
        (Some(amended), _) if approved && approved_by != Some(amended.as_str()) => {
            let (id, en) = by();
            Err(format!(
                "kasus ini disetujui {id}, bukan dengan SK {amended} yang diubah SK ini (approved {en}, not by decree {amended}, which this decree amends)"
            ))
        }
        _ => Ok(()),
    }
}

/// The roles a by-decree action of `def` notifies: they hear of the decree
/// once, in one email for their whole region, not once per case.
pub(super) fn notified(def: &Definition) -> impl Iterator<Item = Role> + '_ {
    def.actions
        .iter()
        .filter(|a| a.by_decree)
        .flat_map(|a| a.notify.iter().map(|n| n.to))
        .collect::<BTreeSet<_>>()
        .into_iter()
}

fn program_schedule(def: &Definition) -> Option<Schedule> {
    def.disbursement.as_ref().map(|d| Schedule::of(&d.tranches))
}

/// The schedule a line sets must be the program's: its guidelines fix the
/// tranches, and the engine pays by them.
fn check_schedule(def: &Definition, line: &DecreeLine) -> Result<(), String> {
    let Some(set) = &line.tranches else {
        return Ok(());
    };
    match program_schedule(def) {
        Some(own) if &own == set => Ok(()),
        Some(own) => Err(format!(
            "jadwal tahap {set} berbeda dengan jadwal program {own} \
             (the decree's tranche schedule differs from the program's)"
        )),
        None => Err(format!(
            "program ini tidak mencairkan dana bertahap; kosongkan kolom tranches ({set}) \
             (this program pays no tranches)"
        )),
    }
}

/// Decides one line; on success adds its writes and returns the outcome
/// word and what is left of the region's allocation afterwards.
#[allow(clippy::too_many_arguments)]
fn decide_line(
    d: &NewDecree,
    def: &Definition,
    line: &DecreeLine,
    row_no: usize,
    row: &case::Model,
    left: Rupiah,
    cx: &Context,
    writes: &mut Writes,
) -> Result<(&'static str, Rupiah), String> {
    if line.change != Change::Remove {
        check_schedule(def, line)?;
    }
    let mut case: Case = serde_json::from_str(&row.snapshot).map_err(|e| e.to_string())?;
    let action = super::decree_action(def, &case, line.change).ok_or_else(|| {
        let (id, en) = def
            .state(&case.state)
            .map_or((case.state.as_str(), case.state.as_str()), |s| {
                (s.label.id.as_str(), s.label.en.as_str())
            });
        let (verb, en_verb) = match line.change {
            Change::Approve => ("disetujui", "be approved"),
            Change::Amount => ("diubah jumlahnya", "have its amount changed"),
            Change::Remove => ("dicabut", "be withdrawn"),
        };
        format!(
            "kasus berstatus {id} tidak dapat {verb} dengan SK \
             (a case in state {en} cannot {en_verb} by decree)"
        )
    })?;
    let mut inputs = BTreeMap::from([
        ("decree_number".to_string(), d.number.clone()),
        (
            "decree_date".to_string(),
            d.date.format("%Y-%m-%d").to_string(),
        ),
    ]);
    if let (Some(field), Some(amount)) = (&action.approves, line.amount) {
        inputs.insert(field.clone(), amount.get().to_string());
    }
    if def.inputs(action).any(|f| f.id == "decree_annex_row") {
        inputs.insert("decree_annex_row".into(), row_no.to_string());
    }
    let before = case.approved.unwrap_or(Rupiah::ZERO);
    let cmd = Command {
        observed_at: None,
        key: format!("decree:{}:{}", d.number, row.id),
        action: action.id.clone(),
        inputs,
    };
    let cx = Context {
        remaining_allocation: Some(left.checked_add(before).unwrap_or(left)),
        ..cx.clone()
    };
    match engine::decide(def, &case, &cmd, &cx) {
        Ok(Decision::Apply { event, effects }) => {
            case.apply(&event);
            // Emails about a decree go once per region (see `notified`), not per case.
            let effects: Vec<Effect> = effects
                .into_iter()
                .filter(|e| !matches!(e, Effect::Notify { .. }))
                .collect();
            writes
                .add(row, &case, &event, &effects, cx.now)
                .map_err(|e| e.to_string())?;
            let after = case.approved.unwrap_or(Rupiah::ZERO);
            let new_left = left
                .checked_add(before)
                .and_then(|l| l.checked_sub(after))
                .unwrap_or(Rupiah::ZERO);
            let word = match line.change {
                Change::Approve => "approved",
                Change::Amount => "changed",
                Change::Remove => "removed",
            };
            Ok((word, new_left))
        }
        Ok(Decision::AlreadyApplied { .. }) => Ok(("approved", left)),
        Err(refusal) => Err(format!(
            "{} ({})",
            refusal.message(Lang::Id),
            refusal.message(Lang::En)
        )),
    }
}
