//! "12 kabupaten/kota have not sent their 2026 data": at the first round of
//! a month in a zone, each program manager of that zone whose province runs
//! a yearly-data program (a workflow with an action that `records_year`) of
//! this year or the last is told, per kabupaten/kota within their region,
//! how many cooperatives' (or UMKM's) figures were never sent, and how many sent were
//! verified. One email per manager, program and month
//! (`yearly:LOGIN:PROGRAM:YYYY-MM`); nothing when every cooperative was sent.

use chrono::{DateTime, Datelike, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, Zone, long_date};
use pantau_store::Store;
use pantau_store::model::{Program, User};
use pantau_store::outbox::Links;
use pantau_store::registry::outstanding::Outstanding;
use pantau_workflow::Catalog;
use serde_json::json;

use crate::RemindError;
use crate::monthly::scope_of;

/// The email template's name (`templates/email/yearly_data_missing.LANG.hbs`).
pub const TEMPLATE: &str = "yearly_data_missing";

/// A yearly-data program and the ids its figures are counted by.
struct Collecting {
    program: Program,
    /// The registry's kind of its beneficiaries (`cooperative`, `umkm`).
    kind: &'static str,
    proposal: String,
    verified: String,
}

/// Queues the reminder for each manager of `zone` and each yearly-data
/// program of their province with cooperatives not sent; returns how many.
pub async fn queue(
    store: &Store,
    catalog: &Catalog,
    links: &Links,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<usize, RemindError> {
    let today = now.with_timezone(&zone.offset()).date_naive();
    let programs = collecting(store, catalog, today.year()).await?;
    if programs.is_empty() {
        return Ok(0);
    }
    let month = today.format("%Y-%m").to_string();
    let mut queued = 0;
    for u in store.managers(zone).await? {
        let Some(scope) = scope_of(&u)? else {
            continue;
        };
        for c in programs.iter().filter(|c| in_province(&scope, &c.program)) {
            let key = format!("yearly:{}:{}:{month}", u.login, c.program.id);
            if store.outbox_has(&key).await? {
                continue;
            }
            let rows = store
                .yearly_outstanding(&c.program.id, c.kind, (&c.proposal, &c.verified), &scope)
                .await?;
            let Some(payload) = payload(links, &u, c, &rows, &long_date(today, lang(&u))) else {
                continue;
            };
            if store.queue_once(&key, &u, TEMPLATE, payload, now).await? {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// What the email calls the program's beneficiaries.
fn noun(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("cooperative", Lang::Id) => "koperasi",
        ("cooperative", _) => "cooperatives",
        _ => "UMKM",
    }
}

fn lang(u: &User) -> Lang {
    u.lang.parse().unwrap_or_default()
}

/// The yearly-data programs of `year` and the year before.
async fn collecting(
    store: &Store,
    catalog: &Catalog,
    year: i32,
) -> Result<Vec<Collecting>, RemindError> {
    let mut out = Vec::new();
    for program in store.programs_in(&Scope::National).await? {
        if program.fiscal_year < year - 1 || program.fiscal_year > year {
            continue;
        }
        let version = u32::try_from(program.workflow_version).unwrap_or_default();
        let Some(d) = catalog.get(&program.workflow, version) else {
            continue;
        };
        if d.actions.iter().any(|a| a.records_year.is_some()) {
            out.push(Collecting {
                kind: d.beneficiary.as_str(),
                proposal: d.stages.proposal.clone(),
                verified: d.stages.verified.clone(),
                program,
            });
        }
    }
    Ok(out)
}

/// Whether a reader of `scope` works in `program`'s province.
fn in_province(scope: &Scope, program: &Program) -> bool {
    scope
        .region()
        .is_some_and(|r| r.as_str().split('.').next() == Some(program.province_code.as_str()))
}

/// What the template reads; `None` when nothing is missing.
fn payload(
    links: &Links,
    u: &User,
    c: &Collecting,
    rows: &[Outstanding],
    today: &str,
) -> Option<serde_json::Value> {
    let missing: Vec<&Outstanding> = rows.iter().filter(|r| r.missing() > 0).collect();
    if missing.is_empty() {
        return None;
    }
    let total = |f: fn(&Outstanding) -> i64| rows.iter().map(f).sum::<i64>();
    let base = links.base_url.trim_end_matches('/');
    Some(json!({
        "recipient": { "name": u.name, "email": u.email, "login": u.login },
        "program": c.program.name,
        "year": c.program.fiscal_year,
        "today": today,
        "regions_missing": missing.len(),
        "regions": rows.len(),
        "noun": noun(c.kind, lang(u)),
        "registered": total(|r| r.registered),
        "sent": total(|r| r.sent),
        "verified": total(|r| r.verified),
        "missing": total(Outstanding::missing),
        "rows": missing.iter().map(|r| json!({
            "region": r.region_name,
            "registered": r.registered,
            "sent": r.sent,
            "verified": r.verified,
            "missing": r.missing(),
        })).collect::<Vec<_>>(),
        "link": format!("{base}/kasus?program={}", c.program.id),
    }))
}
