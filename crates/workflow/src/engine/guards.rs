//! The money rules that always hold (the next tranche, the monev between
//! tranches) and the guards a definition names.

use pantau_domain::Rupiah;

use super::Context;
use crate::case::{Case, Change, MonevGap};
use crate::definition::{Definition, Guard};
use crate::refusal::{GuardFailure, Refusal};

/// The next tranche's number and amount. The last tranche takes what is
/// left, so the tranches add up to the approved amount exactly.
pub(super) fn next_tranche(def: &Definition, case: &Case) -> Result<(u8, Rupiah), Refusal> {
    let (no, amount) = planned_tranche(def, case)?;
    if def
        .disbursement
        .as_ref()
        .is_some_and(|d| d.monev_between_tranches)
        && let Some(last) = case.tranches.last()
        && let Some(gap) = case.monev_gap()
    {
        return Err(Refusal::Guard(monev_failure(gap, last.no)));
    }
    Ok((no, amount))
}

/// The next tranche by the plan, its number and amount, whatever the
/// monev of the one before says.
pub(super) fn planned_tranche(def: &Definition, case: &Case) -> Result<(u8, Rupiah), Refusal> {
    let approved = case
        .approved
        .ok_or(Refusal::Guard(GuardFailure::NotApproved))?;
    let plan = def
        .disbursement
        .as_ref()
        .map(|d| d.tranches.as_slice())
        .unwrap_or(&[]);
    let paid = case.tranches.len();
    let Some(percent) = plan.get(paid) else {
        return Err(Refusal::Guard(GuardFailure::NoTrancheLeft { paid }));
    };
    let left = approved
        .checked_sub(case.disbursed())
        .unwrap_or(Rupiah::ZERO);
    let amount = if paid + 1 == plan.len() {
        left
    } else {
        approved.percent(*percent).min(left)
    };
    Ok((u8::try_from(paid + 1).unwrap_or(u8::MAX), amount))
}

/// Why the monev of tranche `tranche` does not let the case move on.
pub(super) fn monev_failure(gap: MonevGap, tranche: u8) -> GuardFailure {
    match gap {
        MonevGap::Missing { .. } => GuardFailure::MonevMissing { tranche },
        MonevGap::Flagged { no } => GuardFailure::EvidenceFlagged { visit: no },
    }
}

pub(super) fn check_guard(
    guard: Guard,
    def: &Definition,
    case: &Case,
    changes: &[Change],
    cx: &Context,
) -> Result<(), Refusal> {
    let approved = changes.iter().find_map(|c| match c {
        Change::Approved { amount } => Some(*amount),
        _ => None,
    });
    let requested = changes.iter().find_map(|c| match c {
        Change::Requested { amount } => Some(*amount),
        _ => None,
    });
    let (paid, total) = (case.tranches.len(), def.tranche_count());
    let failure = match guard {
        Guard::WithinRequested => approved.and_then(|a| {
            let requested = requested.or(case.requested);
            (requested.is_none_or(|r| a > r)).then_some(GuardFailure::WithinRequested {
                approved: a,
                requested,
            })
        }),
        Guard::WithinAllocation => match (approved, cx.remaining_allocation) {
            (Some(a), Some(remaining)) if a > remaining => Some(GuardFailure::WithinAllocation {
                approved: a,
                remaining,
            }),
            _ => None,
        },
        Guard::MonevReported => case
            .monev_gap()
            .map(|gap| monev_failure(gap, case.tranches.last().map_or(0, |t| t.no))),
        Guard::TranchesRemaining => {
            (paid >= total).then_some(GuardFailure::TranchesRemaining { paid, total })
        }
        Guard::AllTranchesPaid => {
            (paid < total).then_some(GuardFailure::AllTranchesPaid { paid, total })
        }
        Guard::OfficerAssigned => {
            let assigning = changes
                .iter()
                .any(|c| matches!(c, Change::OfficerAssigned { .. }));
            (case.officer.is_none() && !assigning).then_some(GuardFailure::OfficerAssigned)
        }
    };
    failure.map_or(Ok(()), |f| Err(Refusal::Guard(f)))
}
