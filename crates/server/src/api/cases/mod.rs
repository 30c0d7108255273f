//! Cases: the list, one case with its timeline and the actions the caller
//! may take now, transitions (with an `Idempotency-Key`), and their files.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum_extra::extract::WithRejection;
use chrono::{DateTime, Utc};
use pantau_domain::Lang;
use pantau_store::read::browse::{CaseLine, CaseQuery};
use pantau_workflow::{Definition, Event, engine};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Listing, Paging};
use crate::error::{ApiError, ErrorBody, no_nul};
use crate::{App, Caller};

mod narrow;
mod offer;
pub use offer::field_views;
use offer::offer_users;
mod transition;
pub use transition::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub workflow: String,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub beneficiary_id: Option<String>,
    pub beneficiary_name: Option<String>,
    pub state: String,
    pub state_label: String,
    /// The number of events: send as `expected_seq` to act only on what you saw.
    pub seq: i64,
    /// Rupiah.
    pub approved_amount: Option<i64>,
    pub disbursed_amount: i64,
    pub officer: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    pub program: Option<String>,
    /// A state id of the program's workflow.
    pub state: Option<String>,
    /// A region code within the caller's region: a kabupaten/kota, or a
    /// province for all of its kabupaten/kota.
    pub region: Option<String>,
    /// A field officer's login.
    pub officer: Option<String>,
    /// `flagged`: only cases with a monev visit whose evidence awaits a verifier.
    pub evidence: Option<String>,
    /// Monev visits: `selesai` (one done), `terjadwal` (one open, not yet
    /// due), `terlambat` (one open past due).
    pub kunjungan: Option<String>,
    /// Money: `disetujui` (an approved amount), `dicairkan` (some disbursed).
    pub uang: Option<String>,
    /// In the current state more than this many days.
    pub di_tahap: Option<String>,
    /// A beneficiary's name (any part) or a case number's start.
    pub cari: Option<String>,
    /// `saya`: the cases whose state has an action the caller's role may take.
    pub menunggu: Option<String>,
    /// `baru` (newest change first, the default), `lama_di_tahap` (longest
    /// in its state first) or `nama` (by beneficiary name).
    pub urut: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A field of an action or a question of its checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldView {
    pub id: String,
    /// text, number, rupiah, yes_no, choice, date, document, photo, gps, user.
    pub kind: String,
    pub label: String,
    pub required: bool,
    /// A `text` answer written on one line (a reference, a number, a
    /// name), not a box of lines.
    pub one_line: bool,
    pub options: Vec<String>,
    /// For a `user` answer: the users who may be named (active, of the
    /// field's role, working in the case's region).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserChoice>,
}

/// A user a `user` answer may name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserChoice {
    pub login: String,
    pub name: String,
}

/// An action the caller may take now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub id: String,
    pub label: String,
    /// The state it leads to.
    pub to: String,
    pub fields: Vec<FieldView>,
    /// It moves money or closes the case: pages ask to confirm it first.
    pub weighty: bool,
    /// For an action that pays a tranche: the tranche it pays now.
    pub tranche: Option<TrancheDue>,
}

/// The tranche an action would pay now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrancheDue {
    pub no: u8,
    /// Rupiah.
    pub amount: i64,
}

/// One event of the timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// `at` in the caller's zone, as people read it.
    pub at_local: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_label: String,
    pub from: Option<String>,
    pub to: String,
    pub to_label: String,
    /// Each recorded field, as people read it.
    pub fields: BTreeMap<String, String>,
    /// What the event says about a visit's evidence (flags, acceptance).
    pub evidence: Vec<super::evidence::EvidenceLine>,
    /// When it happened, when the client recorded it before it arrived (`at`).
    pub observed_at: Option<DateTime<Utc>>,
    /// `observed_at` in the caller's zone.
    pub observed_local: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrancheView {
    pub no: u8,
    pub amount: i64,
    pub paid_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitLine {
    pub no: u32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    pub tranche: Option<u8>,
    /// When the visit was made (as the officer's phone recorded it).
    pub done_at: Option<DateTime<Utc>>,
    /// Done after it was due.
    pub late: bool,
    /// For a done visit: `clear`, `flagged` (awaiting a verifier) or `accepted`.
    pub evidence: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub workflow_label: String,
    pub workflow_version: u32,
    pub requested_amount: Option<i64>,
    pub tranches: Vec<TrancheView>,
    pub visits: Vec<VisitLine>,
    /// The latest value of every recorded field.
    pub fields: BTreeMap<String, String>,
    pub timeline: Vec<EventView>,
    /// What the caller may do now.
    pub actions: Vec<ActionView>,
    /// The beneficiary's location, when a monev visit registered it.
    pub location: Option<super::location::LocationView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// An action id from the case's `actions`.
    pub action: String,
    /// Raw text per field, as typed.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Act only if the case is still at this event number; else 409.
    pub expected_seq: Option<i64>,
    /// When it happened, if before it could be sent (a visit saved on a phone
    /// without signal); RFC 3339. Refused when ahead of the server's clock by
    /// more than five minutes or before the visit opened.
    pub observed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionResult {
    /// True when this key was applied before: nothing new happened.
    pub repeated: bool,
    pub event: EventView,
    pub case: CaseDetail,
}

fn summary(app: &App, def: Option<&Definition>, c: CaseLine, lang: Lang) -> CaseSummary {
    CaseSummary {
        state_label: def
            .and_then(|d| d.state(&c.state))
            .map_or_else(|| c.state.clone(), |s| s.label.get(lang).to_string()),
        region_name: c.region.as_deref().map(|r| app.region_name(r)),
        beneficiary_name: c.beneficiary_name,
        id: c.id,
        workflow: c.workflow,
        program_id: c.program_id,
        region: c.region,
        beneficiary_id: c.beneficiary_id,
        state: c.state,
        seq: c.seq,
        approved_amount: c.approved_amount,
        disbursed_amount: c.disbursed_amount,
        officer: c.officer,
        updated_at: c.updated_at,
    }
}

/// The cases within the caller's region, newest change first.
pub async fn list(
    app: &App,
    caller: &Caller,
    f: &CaseFilter,
) -> Result<Listing<CaseSummary>, ApiError> {
    let (page, per_page) = Paging {
        page: f.page.clone(),
        per_page: f.per_page.clone(),
    }
    .parse()?;
    for (field, value) in [
        ("program", &f.program),
        ("state", &f.state),
        ("region", &f.region),
        ("officer", &f.officer),
    ] {
        no_nul(field, value.as_deref().unwrap_or(""))?;
    }
    let flagged = match f.evidence.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("flagged") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "evidence",
                format!(
                    "`{}` tidak dikenal; tulis `flagged` (unknown: write `flagged`)",
                    other.escape_debug()
                ),
            ));
        }
    };
    let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.trim().is_empty());
    let q = CaseQuery {
        scope: caller.scope.clone(),
        program: nonempty(&f.program),
        state: nonempty(&f.state),
        region: nonempty(&f.region),
        officer: nonempty(&f.officer),
        flagged,
        narrow: narrow::read(app, caller, f)?,
        page,
        per_page,
    };
    let err = |e| ApiError::from_store(e, caller.lang);
    let found = app.store.case_page(&q).await.map_err(err)?;
    let items = found
        .items
        .into_iter()
        .map(|c| {
            let def = app.catalog.latest(&c.workflow).map(|d| d.as_ref());
            summary(app, def, c, caller.lang)
        })
        .collect();
    Ok(Listing {
        items,
        total: found.total,
        page,
        per_page,
    })
}

/// Cases within the caller's region, newest change first unless `urut` says.
#[utoipa::path(get, path = "/api/cases", tag = "cases", params(CaseFilter),
    responses((status = 200, body = Listing<CaseSummary>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_cases(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Query(f), _): WithRejection<Query<CaseFilter>, ApiError>,
) -> Result<Json<Listing<CaseSummary>>, ApiError> {
    Ok(Json(list(&app, &caller, &f).await?))
}

fn event_view(def: &Definition, e: &Event, caller: &Caller) -> EventView {
    let lang = caller.lang;
    EventView {
        seq: e.seq,
        at: e.at,
        at_local: caller.zone.format_long(e.at, lang),
        actor: e.actor.user.clone(),
        role: e.actor.role.as_str().into(),
        action_label: def.action(&e.action).map_or_else(
            || match (e.action.as_str(), lang) {
                ("open", Lang::Id) => "Kasus dibuka".into(),
                ("open", Lang::En) => "Case opened".into(),
                (a, _) => a.to_string(),
            },
            |a| a.label.get(lang).to_string(),
        ),
        action: e.action.clone(),
        from: e.from.clone(),
        to_label: def
            .state(&e.to)
            .map_or_else(|| e.to.clone(), |s| s.label.get(lang).to_string()),
        to: e.to.clone(),
        fields: e
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.display()))
            .collect(),
        evidence: super::evidence::lines(e, caller),
        observed_at: e.observed_at,
        observed_local: e.observed_at.map(|t| caller.zone.format_long(t, lang)),
    }
}

/// Case `id` when `caller` sees it; not found otherwise (a case outside
/// the caller's region does not exist for them). For the handlers that
/// only need to know that, or the case's row.
pub async fn visible_case(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<pantau_store::CaseView, ApiError> {
    let view = app
        .store
        .case(id)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    let Some(view) = view else {
        return Err(ApiError::not_found("kasus", id, caller.lang));
    };
    caller.see(view.row.region.as_deref(), "kasus", id)?;
    Ok(view)
}

/// One case as `caller` may see it, or not found.
pub async fn case_detail(app: &App, caller: &Caller, id: &str) -> Result<CaseDetail, ApiError> {
    let view = visible_case(app, caller, id).await?;
    detail_of(app, caller, id, view).await
}

/// The detail of case `id`, read already (`view`) and visible to `caller`.
pub(crate) async fn detail_of(
    app: &App,
    caller: &Caller,
    id: &str,
    view: pantau_store::CaseView,
) -> Result<CaseDetail, ApiError> {
    let lang = caller.lang;
    let Some(def) = app
        .catalog
        .get(&view.case.workflow, view.case.workflow_version)
    else {
        return Err(ApiError::Internal(format!(
            "workflow {} version {} is not loaded",
            view.case.workflow, view.case.workflow_version
        )));
    };
    let case = &view.case;
    let may_act = caller.may_act_on(case.officer.as_deref());
    let mut actions: Vec<ActionView> = if may_act {
        engine::available(def, case, caller.role)
            .map(|a| ActionView {
                id: a.id.clone(),
                label: a.label.get(lang).to_string(),
                to: a.target(&case.state).to_string(),
                fields: field_views(def, a, lang).collect(),
                weighty: engine::weighty(def, a, &case.state),
                tranche: a
                    .pays_tranche
                    .then(|| engine::tranche_due(def, case))
                    .flatten()
                    .map(|(no, amount)| TrancheDue {
                        no,
                        amount: amount.get(),
                    }),
            })
            .collect()
    } else {
        vec![]
    };
    offer_users(app, def, &mut actions, view.row.region.as_deref(), lang).await?;
    let beneficiary_name = match &view.row.beneficiary_id {
        Some(b) => app
            .store
            .beneficiary(b)
            .await
            .map_err(|e| ApiError::from_store(e, lang))?
            .map(|b| b.name),
        None => None,
    };
    let location = match &view.row.beneficiary_id {
        Some(b) => super::location::of(app, caller, b).await?,
        None => None,
    };
    let row = view.row.clone();
    let s = summary(
        app,
        Some(def),
        CaseLine {
            id: row.id,
            workflow: row.workflow,
            program_id: row.program_id,
            region: row.region,
            beneficiary_id: row.beneficiary_id,
            beneficiary_name,
            state: row.state,
            seq: row.seq,
            approved_amount: row.approved_amount,
            disbursed_amount: row.disbursed_amount,
            officer: row.officer,
            updated_at: row.updated_at,
        },
        lang,
    );
    Ok(CaseDetail {
        summary: s,
        workflow_label: def.label.get(lang).to_string(),
        workflow_version: def.version,
        requested_amount: case.requested.map(|r| r.get()),
        tranches: case
            .tranches
            .iter()
            .map(|t| TrancheView {
                no: t.no,
                amount: t.amount.get(),
                paid_at: t.paid_at,
            })
            .collect(),
        visits: case
            .visits
            .iter()
            .map(|v| VisitLine {
                no: v.no,
                checklist: v.checklist.clone(),
                due_at: v.due_at,
                tranche: v.tranche,
                done_at: v.done_at,
                late: v.done_at.is_some_and(|d| d > v.due_at),
                evidence: super::evidence::review(v).map(str::to_string),
            })
            .collect(),
        fields: case
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.display()))
            .collect(),
        timeline: {
            let mut timeline: Vec<EventView> = view
                .events
                .iter()
                .map(|e| event_view(def, e, caller))
                .collect();
            if let Some(loc) = &location {
                super::location::mark(&mut timeline, &view.events, id, loc, caller);
            }
            timeline
        },
        actions,
        location,
    })
}

/// One case: its data, timeline, and the actions the caller may take now.
#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(case_detail(&app, &caller, &id).await?))
}
