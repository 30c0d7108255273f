//! `/kasus`: the case list with filters and paging (from
//! [`api::cases::list`]), and `/kasus/{id}`: one case (from
//! [`api::cases::case_detail`]) with its data, files, timeline, and the
//! actions the reader may take now as forms.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::action::{self, ActionForm, Attempt};
use super::answers::{Shown, shown};
use super::format;
use super::region_select::{self, Codes, RegionGroup};
use super::view::{OrFail, PageResult, Viewer, link};
use crate::App;
use crate::api::cases::{self, CaseFilter};
use crate::error::ApiError;

#[derive(Serialize)]
struct ListPage {
    programs: Vec<Choice>,
    states: Vec<Choice>,
    /// A national reader may choose a province ("Seluruh Lampung").
    regions: Vec<RegionGroup>,
    evidence: Vec<Choice>,
    rows: Vec<Line>,
    total: u64,
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
    filtered: bool,
    /// How many filters narrow the list (the filters' fold says so, and
    /// opens).
    active: usize,
    /// The reader may open a proposal ("Usulan baru").
    may_propose: bool,
    narrow: super::case_filters::Narrowing,
}

/// An option of a filter.
#[derive(Serialize)]
pub(super) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Line {
    href: String,
    beneficiary: String,
    program: String,
    region: String,
    state: String,
    is_final: bool,
    approved: String,
    disbursed: String,
    updated: String,
}

pub(super) fn choice(value: &str, label: &str, chosen: Option<&String>) -> Choice {
    Choice {
        value: value.to_string(),
        label: label.to_string(),
        selected: chosen.is_some_and(|c| c == value),
    }
}

pub async fn list(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<CaseFilter>, QueryRejection>,
) -> PageResult {
    let Query(f) = query.map_err(ApiError::from).or_fail(&v)?;
    let lang = v.caller.lang;
    let listing = cases::list(&app, &v.caller, &f).await.or_fail(&v)?;
    let err = |e| ApiError::from_store(e, lang);
    let programs = app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(err)
        .or_fail(&v)?;
    let regions = app
        .store
        .regions_in(&v.caller.scope)
        .await
        .map_err(err)
        .or_fail(&v)?;
    // The states of the chosen program's workflow, else of every program's.
    let mut states: Vec<Choice> = vec![];
    for p in programs.iter().filter(|p| {
        f.program
            .as_ref()
            .is_none_or(|c| c.is_empty() || *c == p.id)
    }) {
        for s in app
            .catalog
            .latest(&p.workflow)
            .iter()
            .flat_map(|d| d.states.iter())
        {
            if !states.iter().any(|c| c.value == s.id) {
                states.push(choice(&s.id, s.label.get(lang), f.state.as_ref()));
            }
        }
    }
    let names: BTreeMap<&str, &str> = programs
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let rows = listing
        .items
        .iter()
        .map(|c| Line {
            href: format!("/kasus/{}", c.id),
            beneficiary: title(&v, c.beneficiary_name.as_ref(), &c.id),
            program: c
                .program_id
                .as_deref()
                .map(|p| names.get(p).copied().unwrap_or(p).to_string())
                .unwrap_or_default(),
            region: c.region_name.clone().unwrap_or_default(),
            state: c.state_label.clone(),
            is_final: app
                .catalog
                .latest(&c.workflow)
                .and_then(|d| d.state(&c.state))
                .is_some_and(|s| s.is_final),
            approved: c
                .approved_amount
                .map_or_else(|| "–".to_string(), format::rupiah),
            disbursed: format::rupiah(c.disbursed_amount),
            updated: format::day(v.caller.zone, c.updated_at, lang),
        })
        .collect();
    let pages = listing.total.div_ceil(listing.per_page).max(1);
    let kept = super::case_filters::kept(&f);
    let active = super::case_filters::active(&f);
    let at = |page: u64| {
        let page = page.to_string();
        let mut pairs: Vec<(&str, &str)> = kept.iter().map(|(k, x)| (*k, x.as_str())).collect();
        pairs.push(("page", &page));
        link("/kasus", &pairs)
    };
    let page = ListPage {
        programs: programs
            .iter()
            .map(|p| choice(&p.id, &p.name, f.program.as_ref()))
            .collect(),
        states,
        regions: region_select::grouped(
            &app,
            &v,
            regions.iter().map(|r| r.code.as_str()),
            f.region.as_deref(),
            Codes::Hidden,
        ),
        rows,
        total: listing.total,
        page: listing.page,
        pages,
        prev: (listing.page > 1).then(|| at(listing.page - 1)),
        next: (listing.page < pages).then(|| at(listing.page + 1)),
        evidence: vec![choice(
            "flagged",
            &v.text("daftar.bukti_flagged"),
            f.evidence.as_ref(),
        )],
        may_propose: super::proposal::may_open(&app, &v.caller),
        filtered: active > 0,
        active,
        narrow: super::case_filters::narrowing(&v, &f),
    };
    Ok(v.render(
        StatusCode::OK,
        "kasus_daftar",
        &v.text("daftar.judul"),
        page,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct CaseQuery {
    /// The action whose form to open.
    aksi: Option<String>,
    /// The event just recorded, which the page confirms.
    tercatat: Option<String>,
}

pub async fn page(
    State(app): State<App>,
    v: Viewer,
    Path(id): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    match build(&app, &v, &id, q.aksi.as_deref(), None).await {
        Ok(mut page) => {
            let seq = q.tercatat.and_then(|s| s.parse::<u64>().ok());
            page.done = page.timeline.iter().find(|s| Some(s.seq) == seq).map(|s| {
                v.text("temukan.tercatat")
                    .replace("{apa}", &s.what)
                    .replace("{tahap}", &s.to)
            });
            let title = page.title.clone();
            v.render(StatusCode::OK, "kasus", &title, page)
        }
        Err(e) => v.fail(e),
    }
}

#[derive(Serialize)]
struct CasePage {
    id: String,
    title: String,
    state: String,
    is_final: bool,
    program: String,
    workflow: String,
    region: String,
    officer: Option<String>,
    requested: Option<String>,
    approved: Option<String>,
    disbursed: String,
    tranches: Vec<Tranche>,
    visits: Vec<Visit>,
    /// The monev report of this case (PDF), once a visit is done.
    monev_report: Option<String>,
    fields: Vec<Shown>,
    timeline: Vec<Step>,
    actions: Vec<ActionForm>,
    /// Why a sent form was refused, when its action is no longer offered.
    notice: Option<String>,
    /// What the reader's last action recorded, said once after it.
    done: Option<String>,
    /// The reader may confirm the location this case's visit registered.
    confirm_location: bool,
    /// The beneficiary: identifiers, market, a map link to its point.
    party: Option<super::party::Party>,
    /// Its tranches' lines in payment batches, where the money stands with the bank.
    payments: Vec<Payment>,
}

#[derive(Serialize)]
struct Payment {
    reference: String,
    tranche: i64,
    amount: String,
    bank: String,
    account_no: String,
    status: String,
    status_kind: &'static str,
    bank_reference: Option<String>,
    bank_date: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize)]
struct Tranche {
    no: u8,
    amount: String,
    paid: String,
}

#[derive(Serialize)]
struct Visit {
    no: u32,
    checklist: String,
    tranche: Option<u8>,
    due: String,
    done: Option<String>,
    /// Done after it was due.
    late: bool,
    overdue: bool,
    evidence: Option<Badge>,
}

/// A done visit's evidence: `clear`, `flagged` or `accepted`, and its words.
#[derive(Serialize)]
struct Badge {
    kind: String,
    label: String,
}

#[derive(Serialize)]
struct Step {
    seq: u64,
    /// When it happened (in the field, for a visit saved offline).
    when: String,
    /// When it arrived, where that was later than it happened.
    received: Option<String>,
    who: String,
    role: String,
    what: String,
    to: String,
    fields: Vec<Shown>,
    evidence: Vec<crate::api::evidence::EvidenceLine>,
}

/// What a case is called: its beneficiary, else `Kasus 1a2b3c4d` (a market,
/// a PLUT building: cases of a region, not of a person).
pub fn title(v: &Viewer, beneficiary: Option<&String>, id: &str) -> String {
    beneficiary.cloned().unwrap_or_else(|| {
        v.text("kasus.tanpa_penerima")
            .replace("{id}", &id.chars().take(8).collect::<String>())
    })
}

/// Whether a stored value names an uploaded file (an attachment id).
pub fn is_attachment(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The case page, with `attempt` (a refused form) shown again where it was.
pub async fn show(
    app: &App,
    v: &Viewer,
    id: &str,
    open: Option<&str>,
    attempt: Option<&Attempt>,
    status: StatusCode,
) -> Response {
    match build(app, v, id, open, attempt).await {
        Ok(page) => {
            let title = page.title.clone();
            v.render(status, "kasus", &title, page)
        }
        Err(e) => v.fail(e),
    }
}

async fn build(
    app: &App,
    v: &Viewer,
    id: &str,
    open: Option<&str>,
    attempt: Option<&Attempt>,
) -> Result<CasePage, ApiError> {
    let lang = v.caller.lang;
    let zone = v.caller.zone;
    let d = cases::case_detail(app, &v.caller, id).await?;
    let def = app
        .catalog
        .get(&d.summary.workflow, d.workflow_version)
        .ok_or_else(|| ApiError::Internal(format!("workflow {} not loaded", d.summary.workflow)))?;
    let program = match &d.summary.program_id {
        Some(p) => app
            .store
            .program(p)
            .await
            .map_err(|e| ApiError::from_store(e, lang))?
            .map_or_else(|| p.clone(), |p| p.name),
        None => String::new(),
    };
    // The decrees named on the case that are recorded: their numbers link to them.
    let numbers: Vec<&String> = d
        .timeline
        .iter()
        .flat_map(|e| e.fields.get("decree_number"))
        .collect();
    let decrees = app
        .store
        .decree_numbers(&numbers)
        .await
        .map_err(|e| ApiError::from_store(e, lang))?;
    let now = Utc::now();
    let s = &d.summary;
    let party = super::party::of(app, v, s.beneficiary_id.as_deref()).await?;
    let payments = app
        .store
        .case_payments(&s.id)
        .await
        .map_err(|e| ApiError::from_store(e, lang))?
        .into_iter()
        .map(|l| Payment {
            reference: l.reference,
            tranche: l.tranche_no,
            amount: format::rupiah(l.amount.get()),
            bank: super::payments::bank_name(&l.bank_code),
            account_no: l.account_no,
            status: l.status.label().get(lang).to_string(),
            status_kind: l.status.as_str(),
            bank_reference: l.bank_reference,
            bank_date: l.bank_date.map(|d| pantau_domain::long_date(d, lang)),
            reason: l.reason,
        })
        .collect();
    // A case of a place (a market, a PLUT building) is called by its program and region.
    let title = match (&s.beneficiary_name, &s.region_name) {
        (Some(name), _) => name.clone(),
        (None, Some(region)) => format!("{} · {region}", d.workflow_label),
        (None, None) => title(v, None, &s.id),
    };
    Ok(CasePage {
        party,
        payments,
        id: s.id.clone(),
        title,
        state: s.state_label.clone(),
        is_final: def.state(&s.state).is_some_and(|st| st.is_final),
        program,
        workflow: format!("{} (v{})", d.workflow_label, d.workflow_version),
        region: s.region_name.clone().unwrap_or_default(),
        officer: s.officer.clone(),
        requested: d.requested_amount.map(format::rupiah),
        approved: s.approved_amount.map(format::rupiah),
        disbursed: format::rupiah(s.disbursed_amount),
        tranches: d
            .tranches
            .iter()
            .map(|t| Tranche {
                no: t.no,
                amount: format::rupiah(t.amount),
                paid: super::paid::transfer_date(def, &d, t.paid_at, lang)
                    .unwrap_or_else(|| format::when(zone, t.paid_at, lang)),
            })
            .collect(),
        visits: d
            .visits
            .iter()
            .map(|x| Visit {
                no: x.no,
                checklist: def
                    .checklist(&x.checklist)
                    .map_or_else(|| x.checklist.clone(), |c| c.label.get(lang).into()),
                tranche: x.tranche,
                due: format::day(zone, x.due_at, lang),
                done: x.done_at.map(|t| format::when(zone, t, lang)),
                late: x.late,
                overdue: x.done_at.is_none() && x.due_at < now,
                evidence: x.evidence.as_ref().map(|kind| Badge {
                    label: v.text(&format!("kasus.bukti_{kind}")),
                    kind: kind.clone(),
                }),
            })
            .collect(),
        monev_report: d.visits.iter().any(|x| x.done_at.is_some()).then(|| {
            super::reports::download_link(
                pantau_report::ReportName::Monev,
                &[("case", &s.id), ("format", "pdf")],
            )
        }),
        fields: shown(v, def, id, &d.fields, &decrees),
        timeline: d
            .timeline
            .iter()
            .map(|e| Step {
                seq: e.seq,
                when: format::when(zone, e.observed_at.unwrap_or(e.at), lang),
                received: e.observed_at.map(|_| format::when(zone, e.at, lang)),
                who: e.actor.clone(),
                role: e
                    .role
                    .parse::<pantau_domain::Role>()
                    .map_or_else(|_| e.role.clone(), |r| r.label().get(lang).into()),
                what: e.action_label.clone(),
                to: e.to_label.clone(),
                fields: shown(v, def, id, &e.fields, &decrees),
                evidence: e.evidence.clone(),
            })
            .collect(),
        actions: action::forms(v, def, &d, open, attempt),
        confirm_location: d
            .location
            .as_ref()
            .is_some_and(|l| l.may_confirm && l.case_id == d.summary.id),
        notice: attempt
            .filter(|t| !d.actions.iter().any(|a| a.id == t.action))
            .map(|t| {
                t.message
                    .iter()
                    .cloned()
                    .chain(t.errors.iter().map(|(f, why)| format!("{f}: {why}")))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        done: None,
    })
}
