//! `/kunjungan`: the field officer's page, made for a phone: their open
//! monev visits (from [`api::visits::open_visits`]), soonest due first,
//! each opening the case page's visit form.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Serialize;

use super::view::{OrFail, PageResult, Viewer};
use super::{cases, format};
use crate::App;
use crate::api::visits;
use crate::error::ApiError;

#[derive(Serialize)]
struct VisitsPage {
    visits: Vec<Card>,
    overdue: usize,
}

#[derive(Serialize)]
struct Card {
    href: String,
    beneficiary: String,
    program: String,
    region: String,
    checklist: String,
    no: i32,
    due: String,
    /// "in 3 days", "today", "5 days late".
    when: String,
    overdue: bool,
}

pub async fn page(State(app): State<App>, v: Viewer) -> PageResult {
    let lang = v.caller.lang;
    let zone = v.caller.zone;
    let open = visits::open_visits(&app, &v.caller).await.or_fail(&v)?;
    let programs: BTreeMap<String, String> = app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, lang))
        .or_fail(&v)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let now = Utc::now();
    let visits: Vec<Card> = open
        .into_iter()
        .map(|x| {
            let def = app.catalog.latest(&x.workflow);
            // The action that records this visit, to open its form.
            let action = def.and_then(|d| {
                d.actions_from(&x.state)
                    .find(|a| a.completes_visit)
                    .map(|a| a.id.clone())
            });
            let days = format::days_until(zone, x.due_at, now);
            let when = match days {
                0 => v.text("kunjungan.hari_ini"),
                d if d > 0 => v.text("kunjungan.lagi").replace("{n}", &d.to_string()),
                d => v
                    .text("kunjungan.terlambat")
                    .replace("{n}", &(-d).to_string()),
            };
            Card {
                href: match action {
                    Some(a) => format!("/kasus/{}?aksi={a}#aksi-{a}", x.case_id),
                    None => format!("/kasus/{}", x.case_id),
                },
                beneficiary: cases::title(&v, x.beneficiary_name.as_ref(), &x.case_id),
                program: x
                    .program_id
                    .as_ref()
                    .map(|p| programs.get(p).cloned().unwrap_or_else(|| p.clone()))
                    .unwrap_or_default(),
                region: x
                    .region
                    .as_deref()
                    .map(|r| app.region_name(r))
                    .unwrap_or_default(),
                checklist: def
                    .and_then(|d| d.checklist(&x.checklist))
                    .map_or_else(|| x.checklist.clone(), |c| c.label.get(lang).into()),
                no: x.no,
                due: format::day(zone, x.due_at, lang),
                when,
                overdue: x.overdue,
            }
        })
        .collect();
    let overdue = visits.iter().filter(|c| c.overdue).count();
    Ok(v.render(
        StatusCode::OK,
        "kunjungan",
        &v.text("kunjungan.judul"),
        VisitsPage { visits, overdue },
    ))
}
