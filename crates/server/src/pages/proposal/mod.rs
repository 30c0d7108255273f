//! `/usulan/baru`: a manager opens a proposal in three steps, each a plain
//! GET form: the program (and, for a province's manager, the kabupaten/kota
//! of its allocation), the beneficiary found in the registry (skipped for a
//! region's own project: PLUT, a market), then the proposal action's fields.
//! `POST /usulan/baru` opens the case ([`open`]), `POST /usulan/penerima`
//! registers a beneficiary not found ([`register`]).

mod open;
mod register;

pub use open::create;
pub use register::register;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use pantau_domain::RegionCode;
use pantau_domain::access::Permission;
use pantau_store::model;
use pantau_workflow::{Beneficiary, Definition};
use serde::{Deserialize, Serialize};

use super::action::{self, Attempt, Input};
use super::region_select::{self, Codes, RegionGroup};
use super::view::{OrFail, PageResult, Viewer, link};
use crate::App;
use crate::api::cases::field_views;
use crate::error::ApiError;

/// Beneficiaries shown for one search at most.
const FOUND: u64 = 20;

/// What the steps chose so far (the query of `/usulan/baru`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Pick {
    pub program: Option<String>,
    /// The kabupaten/kota whose allocation the case draws on.
    pub wilayah: Option<String>,
    /// What was typed to find the beneficiary.
    pub cari: Option<String>,
    /// The beneficiary's id.
    pub penerima: Option<String>,
}

/// A program the reader may open a case of, with the kabupaten/kota of
/// its allocations within the reader's region.
struct Offer {
    program: model::Program,
    def: Arc<Definition>,
    regions: Vec<(String, String)>,
}

/// A program and kabupaten/kota chosen from the offers.
struct Chosen<'a> {
    offer: &'a Offer,
    region: String,
}

/// The name a workflow gives its kind of beneficiary (`cooperative`, …).
fn kind_of(def: &Definition) -> &'static str {
    Beneficiary::NAMES
        .iter()
        .find(|(_, k)| *k == def.beneficiary)
        .map_or("region", |(n, _)| n)
}

/// Whether the reader's role opens cases of any workflow (the pages then
/// offer "Usulan baru").
pub(super) fn may_open(app: &App, caller: &crate::Caller) -> bool {
    caller.may(Permission::Act)
        && app
            .catalog
            .iter()
            .any(|d| d.opened_by.contains(&caller.role))
}

/// The programs the reader may open a case of: an allocation in their
/// region and a workflow their role opens. Refused (403) for a role that
/// opens no workflow at all.
async fn offers(app: &App, v: &Viewer) -> Result<Vec<Offer>, ApiError> {
    let caller = &v.caller;
    caller.require(Permission::Act)?;
    if !may_open(app, caller) {
        return Err(ApiError::Forbidden(v.text("usulan.tidak_boleh")));
    }
    let err = |e| ApiError::from_store(e, caller.lang);
    let mut out = vec![];
    for program in app.store.programs_in(&caller.scope).await.map_err(err)? {
        let version = u32::try_from(program.workflow_version).unwrap_or(0);
        let Some(def) = app.catalog.get(&program.workflow, version).cloned() else {
            continue;
        };
        if !def.opened_by.contains(&caller.role) {
            continue;
        }
        let regions: Vec<(String, String)> = app
            .store
            .allocations_in(&program.id, &caller.scope)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|a| RegionCode::parse(&a.region_code).is_ok_and(|r| !r.is_province()))
            .map(|a| (app.region_name(&a.region_code), a.region_code))
            .map(|(name, code)| (code, name))
            .collect();
        if !regions.is_empty() {
            out.push(Offer {
                program,
                def,
                regions,
            });
        }
    }
    Ok(out)
}

/// The program and kabupaten/kota `pick` names, when both are among the
/// offers (the only kabupaten/kota when there is one); `None` when no
/// program is picked yet. A program or region not offered is not found.
fn chosen<'a>(
    v: &Viewer,
    offers: &'a [Offer],
    pick: &Pick,
) -> Result<Option<Chosen<'a>>, ApiError> {
    let lang = v.caller.lang;
    let Some(p) = pick.program.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let offer = offers
        .iter()
        .find(|o| o.program.id == p)
        .ok_or_else(|| ApiError::not_found("program", p, lang))?;
    let region = match pick.wilayah.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => offer
            .regions
            .iter()
            .find(|(code, _)| code == r)
            .ok_or_else(|| ApiError::not_found(&v.text("kasus.wilayah"), r, lang))?
            .0
            .clone(),
        None if offer.regions.len() == 1 => offer.regions[0].0.clone(),
        None => return Ok(None),
    };
    Ok(Some(Chosen { offer, region }))
}

/// The beneficiary `id` when it is of the program's kind and registered
/// in the chosen kabupaten/kota; not found otherwise.
async fn beneficiary(
    app: &App,
    v: &Viewer,
    c: &Chosen<'_>,
    id: &str,
) -> Result<model::Beneficiary, ApiError> {
    let lang = v.caller.lang;
    app.store
        .beneficiary(id)
        .await
        .map_err(|e| ApiError::from_store(e, lang))?
        .filter(|b| {
            v.caller.sees(Some(&b.region_code))
                && b.region_code == c.region
                && b.kind == kind_of(&c.offer.def)
        })
        .ok_or_else(|| ApiError::not_found(&v.text("usulan.penerima"), id, lang))
}

#[derive(Serialize, Default)]
struct Page {
    /// Step 1: the programs to choose from.
    programs: Vec<ProgramChoice>,
    /// The program and kabupaten/kota chosen.
    chosen: Option<ChosenView>,
    /// Step 2: the search and the registration of one not found.
    search: Option<Search>,
    /// Step 3: the beneficiary chosen (none for a region's own project).
    beneficiary: Option<Found>,
    form: Option<Form>,
}

#[derive(Serialize)]
struct ProgramChoice {
    id: String,
    name: String,
    workflow: String,
    kind: String,
    regions: Vec<RegionGroup>,
    /// The one kabupaten/kota, when there is no choice to make.
    region: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct ChosenView {
    program: String,
    program_name: String,
    region: String,
    region_name: String,
    kind: String,
    change: String,
}

#[derive(Serialize)]
struct Search {
    query: String,
    searched: bool,
    found: Vec<Found>,
    /// As many as are shown: there may be more.
    more: bool,
    register: register::Registration,
}

#[derive(Serialize)]
struct Found {
    id: String,
    name: String,
    /// Its numbers (NIK Koperasi, NIB, NIK) and kind, as one line.
    about: String,
    href: String,
}

#[derive(Serialize)]
struct Form {
    key: String,
    action: String,
    label: String,
    inputs: Vec<Input>,
    /// Back to step 2 (none for a region's own project).
    change: Option<String>,
}

/// A beneficiary as one line of numbers and kind.
fn about(v: &Viewer, b: &model::Beneficiary) -> String {
    [
        b.nik_koperasi.as_ref().map(|n| format!("NIK Koperasi {n}")),
        b.nib.as_ref().map(|n| format!("NIB {n}")),
        b.nik.as_ref().map(|n| format!("NIK {n}")),
        b.market_location.clone(),
    ]
    .into_iter()
    .flatten()
    .chain([v.text(&format!("usulan.jenis_{}", b.kind))])
    .collect::<Vec<_>>()
    .join(" · ")
}

/// `GET /usulan/baru`: the step `pick` has reached.
pub async fn page(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<Pick>, QueryRejection>,
) -> PageResult {
    let Query(pick) = query.map_err(ApiError::from).or_fail(&v)?;
    let page = build(&app, &v, &pick, None).await.or_fail(&v)?;
    Ok(v.render(StatusCode::OK, "usulan", &v.text("usulan.judul"), page))
}

/// The page for `pick`, with a refused registration shown again.
async fn build(
    app: &App,
    v: &Viewer,
    pick: &Pick,
    registration: Option<register::Registration>,
) -> Result<Page, ApiError> {
    let lang = v.caller.lang;
    let offers = offers(app, v).await?;
    let Some(c) = chosen(v, &offers, pick)? else {
        return Ok(Page {
            programs: offers
                .iter()
                .map(|o| program_choice(app, v, o, pick))
                .collect(),
            ..Page::default()
        });
    };
    let kind = kind_of(&c.offer.def);
    let program = c.offer.program.id.as_str();
    let here = |extra: &[(&str, &str)]| {
        let mut pairs = vec![("program", program), ("wilayah", c.region.as_str())];
        pairs.extend_from_slice(extra);
        link("/usulan/baru", &pairs)
    };
    let view = ChosenView {
        program: program.to_string(),
        program_name: c.offer.program.name.clone(),
        region: c.region.clone(),
        region_name: app.region_name(&c.region),
        kind: v.text(&format!("usulan.jenis_{kind}")),
        change: link("/usulan/baru", &[("program", program)]),
    };
    let picked = pick.penerima.as_deref().filter(|b| !b.is_empty());
    let found = match picked {
        Some(id) => Some(beneficiary(app, v, &c, id).await?),
        None => None,
    };
    if kind != "region" && found.is_none() {
        let query = pick.cari.clone().unwrap_or_default();
        let scope = v.caller.scope.clone();
        let rows = app
            .store
            .search_beneficiaries(&scope, &query, Some(kind), Some(&c.region), FOUND)
            .await
            .map_err(|e| ApiError::from_store(e, lang))?;
        return Ok(Page {
            search: Some(Search {
                searched: !query.trim().is_empty(),
                more: rows.len() as u64 == FOUND,
                found: rows
                    .iter()
                    .map(|b| Found {
                        id: b.id.clone(),
                        name: b.name.clone(),
                        about: about(v, b),
                        href: here(&[("penerima", &b.id)]),
                    })
                    .collect(),
                query,
                register: registration.unwrap_or_else(|| register::Registration::blank(v, kind)),
            }),
            chosen: Some(view),
            ..Page::default()
        });
    }
    let proposal = &c.offer.def.stages.proposal;
    let action = c
        .offer
        .def
        .action(proposal)
        .ok_or_else(|| ApiError::Internal(format!("no proposal action `{proposal}`")))?;
    let fields: Vec<_> = field_views(&c.offer.def, action, lang).collect();
    Ok(Page {
        beneficiary: found.as_ref().map(|b| Found {
            id: b.id.clone(),
            name: b.name.clone(),
            about: about(v, b),
            href: String::new(),
        }),
        form: Some(Form {
            key: uuid::Uuid::new_v4().to_string(),
            action: action.id.clone(),
            label: action.label.get(lang).to_string(),
            inputs: action::inputs(&action.id, &fields, None::<&Attempt>, None, None),
            change: found.as_ref().map(|_| here(&[])),
        }),
        chosen: Some(view),
        ..Page::default()
    })
}

fn program_choice(app: &App, v: &Viewer, o: &Offer, pick: &Pick) -> ProgramChoice {
    let lang = v.caller.lang;
    let kind = match kind_of(&o.def) {
        "region" => v.text("usulan.tanpa_penerima"),
        k => v.text(&format!("usulan.jenis_{k}")),
    };
    ProgramChoice {
        id: o.program.id.clone(),
        name: o.program.name.clone(),
        workflow: o.def.label.get(lang).to_string(),
        kind,
        region: (o.regions.len() == 1).then(|| o.regions[0].0.clone()),
        regions: region_select::grouped(
            app,
            v,
            o.regions.iter().map(|(code, _)| code.as_str()),
            pick.wilayah.as_deref(),
            Codes::Hidden,
        ),
    }
}

/// Values by name, for a form shown again.
pub(super) type Values = BTreeMap<String, String>;
