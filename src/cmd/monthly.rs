//! The monthly report email: on the first reminder round of a month (in
//! each manager's own zone), every program manager is sent the past month's
//! program progress within their region, with links to the full report.
//! One email per manager and month, however often rounds run.

use chrono::{DateTime, Datelike, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role, month_year};
use pantau_report::monthly;
use pantau_store::Store;
use pantau_store::entity::user;
use pantau_store::remind::{Links, zone_of};
use serde_json::json;

/// The email template's name (`templates/email/monthly_report.LANG.hbs`).
pub const TEMPLATE: &str = "monthly_report";

/// Queues each manager's report for the month before `now`; returns how
/// many were queued.
pub async fn queue(store: &Store, links: &Links, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut queued = 0;
    for u in store.managers().await? {
        let zone = zone_of(store.connection(), &u).await?;
        let today = now.with_timezone(&zone.offset()).date_naive();
        let Some(last_day) = today.with_day(1).and_then(|d| d.pred_opt()) else {
            continue;
        };
        let key = pantau_store::monthly::key(&u.login, &last_day.format("%Y-%m").to_string());
        if store.outbox_has(&key).await? {
            continue;
        }
        let Some(payload) = payload(store, links, &u, last_day, now).await? else {
            continue;
        };
        if store.queue_once(&key, &u, TEMPLATE, payload, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What the template reads: the month, the region, each program's totals
/// and their sum, and links to the report; `None` for a user without a
/// region or with no program that year.
async fn payload(
    store: &Store,
    links: &Links,
    u: &user::Model,
    month: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<serde_json::Value>> {
    let lang: Lang = u.lang.parse().unwrap_or_default();
    let role: Role = u.role.parse()?;
    let region = u
        .region_code
        .as_deref()
        .map(RegionCode::parse)
        .transpose()?;
    let Ok(scope) = Scope::of(role, region.as_ref()) else {
        return Ok(None);
    };
    let year = month.year();
    let (programs, total) = monthly::lines(store, &scope, year, lang, now).await?;
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
        "month": month_year(month, lang),
        "year": year,
        "region": region_name,
        "programs": programs,
        "count": programs.len(),
        "total": total,
        "links": { "pdf": report("pdf"), "xlsx": report("xlsx"), "html": report("html") },
    })))
}
