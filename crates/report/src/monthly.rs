//! The monthly email to program managers: within the manager's region,
//! each program's money paid and monev visits made in the month that ended,
//! the year to date at its end, and where things stand at the sending (as
//! the email template reads them, `templates/email/monthly_report.LANG.hbs`).

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, format};
use pantau_store::Store;
use pantau_store::read::report::{ProgramFilter, ProgramPeriod, ProgramRegion};
use pantau_workflow::Catalog;
use serde::Serialize;

use crate::ReportError;
use crate::model::ratio_bp;
use crate::progress::{by_region, ordered_by_region, total};

/// The month a report is about, and the year it belongs to, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    /// The first moment of the fiscal year (1 January, in the reader's zone).
    pub year_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    /// The first moment after the month.
    pub end: DateTime<Utc>,
}

/// One program's figures, formatted for the reader.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    /// `Name (id)`.
    pub program: String,
    pub allocated: String,
    /// The month that ended.
    pub month: Period,
    /// From the start of the year to the end of the month.
    pub year_to_date: Period,
    /// Disbursed to the end of the month against the allocation; `-` when nothing is allocated.
    pub realisation: String,
    /// At the sending.
    pub approved: String,
    /// At the sending: sent to the bank, awaiting its answer.
    pub ordered: String,
    pub cases: i64,
    pub visits_due: i64,
    pub visits_overdue: i64,
}

/// What a period added.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Period {
    pub disbursed: String,
    pub tranches_paid: i64,
    pub visits_done: i64,
}

impl Period {
    fn of(p: &ProgramPeriod) -> Period {
        Period {
            disbursed: format::rupiah(p.disbursed_amount),
            tranches_paid: p.tranches_paid,
            visits_done: p.visits_done,
        }
    }
}

fn sum<'a>(rows: impl Iterator<Item = &'a ProgramPeriod>) -> ProgramPeriod {
    rows.fold(ProgramPeriod::default(), |a, p| ProgramPeriod {
        program_id: String::new(),
        disbursed_amount: a.disbursed_amount + p.disbursed_amount,
        tranches_paid: a.tranches_paid + p.tranches_paid,
        visits_done: a.visits_done + p.visits_done,
    })
}

fn line(
    program: String,
    (allocated, now): &(i64, ProgramRegion),
    ordered: i64,
    month: &ProgramPeriod,
    ytd: &ProgramPeriod,
    lang: Lang,
) -> Line {
    Line {
        program,
        allocated: format::rupiah(*allocated),
        month: Period::of(month),
        year_to_date: Period::of(ytd),
        realisation: ratio_bp(ytd.disbursed_amount, *allocated)
            .map_or_else(|| "-".into(), |bp| format::percent(bp, lang)),
        approved: format::rupiah(now.approved_amount),
        ordered: format::rupiah(ordered),
        cases: now.cases,
        visits_due: now.visits_due,
        visits_overdue: now.visits_overdue,
    }
}

/// Each program of fiscal `year` visible in `scope`, and the sum of all
/// (its `program` empty; `None` when there is no program); the stages are
/// counted as `catalog`'s definitions declare them.
pub async fn lines(
    store: &Store,
    catalog: &Catalog,
    scope: &Scope,
    year: i32,
    month: Month,
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
    let rows = store.program_regions(&filter, catalog, now).await?;
    let allocations = store.allocations_within(scope).await?;
    let in_month = store
        .program_period(scope, year, month.start, month.end)
        .await?;
    let to_date = store
        .program_period(scope, year, month.year_start, month.end)
        .await?;
    let at_bank = store.ordered_amounts(scope).await?;
    let of = |rows: &[ProgramPeriod], id: &str| {
        rows.iter()
            .find(|p| p.program_id == id)
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut all = Vec::new();
    for p in &programs {
        let regions = by_region(&p.id, &allocations, &rows);
        let now = total(regions.values());
        let (m, y) = (of(&in_month, &p.id), of(&to_date, &p.id));
        let ordered = ordered_by_region(&p.id, &at_bank).values().sum::<i64>();
        let name = format!("{} ({})", p.name, p.id);
        out.push(line(name, &now, ordered, &m, &y, lang));
        all.push((now, ordered, m, y));
    }
    let total_now = total(all.iter().map(|(n, ..)| n));
    let total = line(
        String::new(),
        &total_now,
        all.iter().map(|(_, o, ..)| o).sum(),
        &sum(all.iter().map(|(_, _, m, _)| m)),
        &sum(all.iter().map(|(.., y)| y)),
        lang,
    );
    Ok((out, Some(total)))
}
