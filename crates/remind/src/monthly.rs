//! The monthly report email: at the first round of a month in a zone, each
//! program manager of that zone is sent the month that ended (money paid,
//! tranches, monev visits), the year to date at its end, and where things
//! stand now, within their region, with links to the full report. One email
//! per manager and month (`monthly:LOGIN:YYYY-MM`), however often rounds run.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role, Zone, long_date, month_year};
use pantau_report::monthly::{self, Month};
use pantau_store::Store;
use pantau_store::model::User;
use pantau_store::outbox::{Links, monthly_key};
use pantau_workflow::Catalog;
use serde_json::json;

use crate::RemindError;

/// The email template's name (`templates/email/monthly_report.LANG.hbs`).
pub const TEMPLATE: &str = "monthly_report";

/// Queues the report on the month before `now` (in `zone`) for each
/// manager of `zone`; returns how many were queued.
pub async fn queue(
    store: &Store,
    catalog: &Catalog,
    links: &Links,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<usize, RemindError> {
    let today = now.with_timezone(&zone.offset()).date_naive();
    let Some(month) = ended_month(today, zone) else {
        return Ok(0);
    };
    let last_day = month.1;
    let mut queued = 0;
    for u in store.managers(zone).await? {
        let key = monthly_key(&u.login, &last_day.format("%Y-%m").to_string());
        if store.outbox_has(&key).await? {
            continue;
        }
        let Some(payload) = payload(store, catalog, links, &u, month, today, now).await? else {
            continue;
        };
        if store.queue_once(&key, &u, TEMPLATE, payload, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What `u` may read: `None` for a user whose role has no region scope
/// (a manager without a region).
pub(crate) fn scope_of(u: &User) -> Result<Option<Scope>, RemindError> {
    let role: Role = u
        .role
        .parse()
        .map_err(|e: pantau_domain::UnknownRole| RemindError::Other(e.to_string()))?;
    let region = u
        .region_code
        .as_deref()
        .map(RegionCode::parse)
        .transpose()
        .map_err(|e| RemindError::Other(e.message(Lang::En)))?;
    Ok(Scope::of(role, region.as_ref()).ok())
}

/// The month before `today`: its bounds as instants in `zone`, and its last day.
fn ended_month(today: NaiveDate, zone: Zone) -> Option<(Month, NaiveDate)> {
    let end_day = today.with_day(1)?;
    let last_day = end_day.pred_opt()?;
    let start_day = last_day.with_day(1)?;
    let year_start = NaiveDate::from_ymd_opt(last_day.year(), 1, 1)?;
    let at = |d: NaiveDate| {
        zone.offset()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((
        Month {
            year_start: at(year_start)?,
            start: at(start_day)?,
            end: at(end_day)?,
        },
        last_day,
    ))
}

/// What the template reads; `None` for a user without a region or with no
/// program that year.
async fn payload(
    store: &Store,
    catalog: &Catalog,
    links: &Links,
    u: &User,
    (month, last_day): (Month, NaiveDate),
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<serde_json::Value>, RemindError> {
    let lang: Lang = u.lang.parse().unwrap_or_default();
    let Some(scope) = scope_of(u)? else {
        return Ok(None);
    };
    let year = last_day.year();
    let (programs, total) = monthly::lines(store, catalog, &scope, year, month, lang, now).await?;
    let Some(total) = total else {
        return Ok(None);
    };
    let region_name = match scope.region() {
        Some(r) => store
            .region(r.as_str())
            .await?
            .map_or_else(|| r.as_str().to_string(), |r| r.name),
        None => String::new(),
    };
    let report = |format: &str| {
        format!(
            "{}/laporan/unduh?report=program-progress&year={year}&format={format}",
            links.base_url.trim_end_matches('/')
        )
    };
    Ok(Some(json!({
        "recipient": { "name": u.name, "email": u.email, "login": u.login },
        "month": month_year(last_day, lang),
        "year": year,
        "today": long_date(today, lang),
        "region": region_name,
        "programs": programs,
        "count": programs.len(),
        "total": total,
        "links": { "pdf": report("pdf"), "xlsx": report("xlsx"), "html": report("html") },
    })))
}
