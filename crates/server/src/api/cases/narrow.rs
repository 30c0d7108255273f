//! The case list's narrower query parameters (`kunjungan`, `uang`,
//! `di_tahap`, `cari`, `menunggu`, `urut`) read into the store's
//! [`Narrow`], each bad value refused by name.

use chrono::{Duration, Utc};
use pantau_domain::access;
use pantau_store::read::narrow::{CaseSort, MoneyKind, Narrow, VisitKind, Waiting, WaitingFor};

use super::CaseFilter;
use crate::error::{ApiError, no_nul};
use crate::{App, Caller};

/// The longest time in a state a filter may ask for, in days.
const MAX_DAYS: i64 = 3_650;

fn unknown(field: &str, value: &str, allowed: &str) -> ApiError {
    ApiError::invalid(
        field,
        format!(
            "`{}` tidak dikenal; tulis salah satu dari {allowed} (unknown: write one of {allowed})",
            value.escape_debug()
        ),
    )
}

fn given(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `f`'s narrower filters for `caller`.
pub(super) fn read(app: &App, caller: &Caller, f: &CaseFilter) -> Result<Narrow, ApiError> {
    let now = Utc::now();
    no_nul("cari", f.cari.as_deref().unwrap_or(""))?;
    let visits = match given(&f.kunjungan) {
        None => None,
        Some("selesai") => Some((VisitKind::Done, now)),
        Some("terjadwal") => Some((VisitKind::Due, now)),
        Some("terlambat") => Some((VisitKind::Overdue, now)),
        Some(o) => {
            return Err(unknown(
                "kunjungan",
                o,
                "`selesai`, `terjadwal`, `terlambat`",
            ));
        }
    };
    let money = match given(&f.uang) {
        None => None,
        Some("disetujui") => Some(MoneyKind::Approved),
        Some("dicairkan") => Some(MoneyKind::Disbursed),
        Some(o) => return Err(unknown("uang", o, "`disetujui`, `dicairkan`")),
    };
    let in_state_before = match given(&f.di_tahap) {
        None => None,
        Some(d) => match d.parse::<i64>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Some(now - Duration::days(days)),
            _ => {
                return Err(ApiError::invalid(
                    "di_tahap",
                    format!(
                        "`{}` bukan jumlah hari 1 sampai {MAX_DAYS} (not a number of days from 1 to {MAX_DAYS})",
                        d.escape_debug()
                    ),
                ));
            }
        },
    };
    let sort = match given(&f.urut) {
        None | Some("baru") => CaseSort::Changed,
        Some("lama_di_tahap") => CaseSort::LongestInState,
        Some("nama") => CaseSort::Name,
        Some(o) => return Err(unknown("urut", o, "`baru`, `lama_di_tahap`, `nama`")),
    };
    let waiting = match given(&f.menunggu) {
        None => None,
        Some("saya") => Some(waiting_for(app, caller)),
        Some(o) => return Err(unknown("menunggu", o, "`saya`")),
    };
    Ok(Narrow {
        visits,
        money,
        in_state_before,
        search: given(&f.cari).map(str::to_string),
        waiting,
        sort,
    })
}

/// The states of every installed workflow version in which `caller`'s
/// role has an action ([`pantau_workflow::engine::available`]'s rule): an
/// action that only accepts a visit's evidence waits while one is flagged.
fn waiting_for(app: &App, caller: &Caller) -> WaitingFor {
    if !access::allows(caller.role, access::Permission::Act) {
        return WaitingFor::default();
    }
    let states = app
        .catalog
        .iter()
        .map(|def| {
            let mut w = Waiting {
                workflow: def.id.clone(),
                version: def.version,
                states: vec![],
                flagged_states: vec![],
            };
            for s in &def.states {
                let mine: Vec<_> = def
                    .actions_from(&s.id)
                    .filter(|a| pantau_workflow::engine::may_take(a, caller.role))
                    .collect();
                if mine.iter().any(|a| !a.accepts_evidence) {
                    w.states.push(s.id.clone());
                } else if !mine.is_empty() {
                    w.flagged_states.push(s.id.clone());
                }
            }
            w
        })
        .collect();
    WaitingFor {
        states,
        officer: caller.works_in_field().then(|| caller.login.clone()),
    }
}
