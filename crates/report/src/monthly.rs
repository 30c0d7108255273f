//! The monthly email to program managers: each program's totals from the
//! program progress report, within the manager's region, as the email
//! template reads them (`templates/email/monthly_report.LANG.hbs`).

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, format};
use pantau_store::Store;
use pantau_store::report::{ProgramFilter, ProgramRegion};
use serde::Serialize;

use crate::ReportError;
use crate::model::ratio_bp;
use crate::progress::{by_region, total};

/// One program's totals, formatted for the reader.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    /// `Name (id)`.
    pub program: String,
    pub allocated: String,
    pub approved: String,
    pub disbursed: String,
    /// Disbursed against the allocation; `-` when nothing is allocated.
    pub realisation: String,
    pub cases: i64,
    pub tranches_paid: i64,
    pub visits_done: i64,
    pub visits_due: i64,
    pub visits_overdue: i64,
}

fn line(program: String, (allocated, f): &(i64, ProgramRegion), lang: Lang) -> Line {
    Line {
        program,
        allocated: format::rupiah(*allocated),
        approved: format::rupiah(f.approved_amount),
        disbursed: format::rupiah(f.disbursed_amount),
        realisation: ratio_bp(f.disbursed_amount, *allocated)
            .map_or_else(|| "-".into(), |bp| format::percent(bp, lang)),
        cases: f.cases,
        tranches_paid: f.tranches_paid,
        visits_done: f.visits_done,
        visits_due: f.visits_due,
        visits_overdue: f.visits_overdue,
    }
}

/// Each program of fiscal `year` visible in `scope`, and the sum of all
/// (its `program` empty; `None` when there is no program).
pub async fn lines(
    store: &Store,
    scope: &Scope,
    year: i32,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(Vec<Line>, Option<Line>), ReportError> {
    let programs: Vec<_> = store
        .programs_in(scope)
        .await?
        .into_iter()
        .filter(|p| p.fiscal_year == year)
        .collect();
    if programs.is_empty() {
        return Ok((vec![], None));
    }
    let filter = ProgramFilter {
        year,
        program: None,
        scope: scope.clone(),
    };
    let rows = store.program_regions(&filter, now).await?;
    let allocations = store.allocations_within(scope).await?;
    let sums: Vec<(String, (i64, ProgramRegion))> = programs
        .iter()
        .map(|p| {
            let regions = by_region(&p.id, &allocations, &rows);
            (format!("{} ({})", p.name, p.id), total(regions.values()))
        })
        .collect();
    let all = total(sums.iter().map(|(_, s)| s));
    Ok((
        sums.iter()
            .map(|(name, s)| line(name.clone(), s, lang))
            .collect(),
        Some(line(String::new(), &all, lang)),
    ))
}
